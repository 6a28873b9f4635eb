"""Beyond one array in memory: losses over Dask arrays on a dask.distributed cluster."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import unilosses as ul
from unilosses._examples import make_inputs

da = pytest.importorskip("dask.array", reason="the Dask scale tests need dask installed")
distributed = pytest.importorskip("dask.distributed", reason="the cluster tests need dask.distributed")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """Three worker processes, each limited to 384 MiB, far below the large inputs below."""
    with distributed.LocalCluster(
        n_workers=3, threads_per_worker=1, processes=True, memory_limit="384MiB",
        dashboard_address=":0", scheduler_port=0,
    ) as c, distributed.Client(c) as client:
        yield client


CHUNKINGS = {"batch": (250, -1), "classes": (-1, 3), "both": (250, 4)}
LOSSES = [
    ("mean_squared_error", "regression", {}),
    ("huber", "regression", {"delta": 0.5}),
    ("binary_crossentropy", "binary_logits", {"from_logits": True}),
    ("categorical_crossentropy", "categorical_logits", {"from_logits": True}),
    ("sparse_categorical_crossentropy", "sparse_logits", {"from_logits": True, "label_smoothing": 0.1}),
    ("kl_divergence", "distributions", {}),
    ("hinge", "signed", {}),
]


@pytest.mark.parametrize("chunking", sorted(CHUNKINGS))
@pytest.mark.parametrize(("loss", "kind", "options"), LOSSES, ids=[x[0] for x in LOSSES])
def test_chunked_equals_in_memory(cluster: Any, loss: str, kind: str, options: dict[str, Any], chunking: str) -> None:
    """Chunked along the batch axis, the class axis or both, on the cluster: the in-memory value."""
    arrays = make_inputs(kind, n=1000, c=10, seed=5)
    chunks = CHUNKINGS[chunking]
    lazy = [da.from_array(a, chunks=chunks if a.ndim == 2 else chunks[:1]) for a in arrays]
    fn = getattr(ul, loss)
    for reduction in ("mean", "none"):
        got = fn(*lazy, **options, reduction=reduction)
        assert isinstance(got, da.Array)
        np.testing.assert_allclose(got.compute(), fn(*arrays, **options, reduction=reduction), rtol=1e-12)


def test_larger_than_a_worker_can_hold(cluster: Any) -> None:
    """1.28 GB of float32 inputs, generated lazily in 8 MB blocks, on workers limited to 384 MiB
    each: the losses stream through the blocks and equal Dask's own formula."""
    rng = da.random.default_rng(0)
    shape, chunks = (160_000, 1_000), (2_000, 1_000)
    y_pred = rng.standard_normal(shape, chunks=chunks, dtype=np.float32)
    y_true = rng.standard_normal(shape, chunks=chunks, dtype=np.float32)
    assert y_pred.nbytes + y_true.nbytes > 3 * 384 * 2**20  # more than all workers together hold
    got, expected = da.compute(ul.mean_squared_error(y_pred, y_true), ((y_pred - y_true) ** 2).mean())
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    labels = rng.integers(0, 1_000, size=shape[:1], chunks=chunks[:1])
    got = ul.sparse_categorical_crossentropy(y_pred, labels, from_logits=True).compute()
    assert np.isfinite(got)
    assert 6.5 < got < 9.0  # log(1000) plus the spread of N(0, 1) logits
