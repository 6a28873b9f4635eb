"""``class_balanced_weights`` (Cui et al., 2019): the paper's formula, the types it returns, its
use as ``class_weight``, and its errors."""

from __future__ import annotations

import numpy as np
import pytest

import unilosses as ul
from tests.test_losses import check_close
from unilosses._frameworks import Backend
from unilosses._namespace import namespace_of

COUNTS = np.array([5000, 1200, 300, 40, 3])


def paper(counts: np.ndarray, beta: float) -> np.ndarray:
    """The paper's code: ``(1 - beta) / (1 - beta**n)``, normalized to sum to the classes."""
    w = (1.0 - beta) / (1.0 - np.power(beta, counts.astype(np.float64)))
    return w / w.sum() * len(counts)


@pytest.mark.parametrize("beta", [0.0, 0.9, 0.999, 0.9999])
def test_the_papers_formula(beta: float) -> None:
    got = ul.class_balanced_weights(COUNTS, beta)
    assert isinstance(got, np.ndarray)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, paper(COUNTS, beta), rtol=1e-12)
    as_list = ul.class_balanced_weights(COUNTS.tolist(), beta)
    assert isinstance(as_list, list)
    assert all(type(w) is float for w in as_list)
    np.testing.assert_allclose(as_list, got, rtol=1e-15)


def test_limits() -> None:
    """beta = 0: equal weights; beta -> 1: inverse frequencies (normalized)."""
    np.testing.assert_array_equal(ul.class_balanced_weights(COUNTS, 0.0), np.ones(5))
    inverse = (1 / COUNTS) / (1 / COUNTS).sum() * 5
    np.testing.assert_allclose(ul.class_balanced_weights(COUNTS, 1 - 1e-12), inverse, rtol=1e-6)


def test_on_the_backend(backend: Backend) -> None:
    """Integer counts of a library give weights of that library in its default floating dtype."""
    got = ul.class_balanced_weights(backend.asarray(COUNTS), 0.99)
    assert namespace_of(got) is namespace_of(backend.asarray(COUNTS))
    values = backend.to_numpy(got)
    assert values.dtype in (np.float32, np.float64)
    check_close(values, paper(COUNTS, 0.99), str(values.dtype))


def test_as_class_weight(backend: Backend) -> None:
    """``class_weight=class_balanced_weights(counts, beta)``: torch's weighted cross-entropy
    with the paper's weights (a list works with every library)."""
    rng = np.random.default_rng(0)
    x, y = 2 * rng.normal(size=(12, 5)), rng.integers(0, 5, size=12)
    w = paper(COUNTS, 0.999)
    logp = x - x.max(axis=1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(axis=1, keepdims=True))
    expected = -(w[y] * logp[np.arange(12), y]).sum() / w[y].sum()
    dtype = "float64" if backend.has_float64 else "float32"
    xs, ys = backend.asarray(x, dtype), backend.asarray(y)
    for weights in (ul.class_balanced_weights(COUNTS.tolist(), 0.999), ul.class_balanced_weights(backend.asarray(COUNTS.astype(np.float64), dtype), 0.999)):
        got = ul.sparse_categorical_crossentropy(xs, ys, from_logits=True, class_weight=weights)
        check_close(backend.to_numpy(got), expected, dtype)


@pytest.mark.parametrize(
    ("counts", "beta", "error", "text"),
    [
        (COUNTS, 1.0, ValueError, "beta"),
        (COUNTS, -0.1, ValueError, "beta"),
        (COUNTS, "0.9", TypeError, "beta"),
        (np.array([10, 0, 3]), 0.9, ValueError, "counts must hold positive values"),
        (np.array([[10, 3]]), 0.9, ValueError, "counts must have one axis"),
        ("10, 3", 0.9, TypeError, "counts"),
    ],
)
def test_bad_input(counts: object, beta: object, error: type[Exception], text: str) -> None:
    with pytest.raises(error, match=text):
        ul.class_balanced_weights(counts, beta)  # type: ignore[arg-type]
