"""Native delegates (``unilosses.backends``): on every case row whose loss the session's library
serves with a native kernel, that kernel and the generic array-API definition give the same values
for every reduction and the same gradient; every delegate serves at least one case row. (Every
other test runs with delegates on, as users do: the compiled, ``torch.func``, boundary and error
tests cover the delegated calls too.)

Delegates that go block by block (NumPy's) split even the small case rows into several blocks here,
and hold their peak extra memory within the inputs' bytes."""

from __future__ import annotations

import tracemalloc
from typing import Any

import numpy as np
import pytest

import unilosses as ul
from tests.cases import Case, all_cases
from tests.test_losses import check_close, options_for
from unilosses import backends
from unilosses._examples import make_inputs
from unilosses._frameworks import Backend

CASES = all_cases()
CASE_PARAMS = [pytest.param(c, id=c.id) for c in CASES]
AUTODIFF = ("torch", "jax", "tensorflow")


@pytest.fixture(autouse=True)
def small_blocks(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 7 elements: the case rows span several, the last one shorter."""
    library = backends.backend_for(backend.asarray(np.zeros(1), "float32"))
    if hasattr(library, "block_size"):
        monkeypatch.setattr(library, "block_size", 7)


def _own_name(loss: str) -> str:
    fn = getattr(ul, loss)
    return str(getattr(fn, "__wrapped__", fn).__name__)


def _call(case: Case, backend: Backend, dtype: str) -> tuple[list[Any], dict[str, Any], Any]:
    xs = [backend.asarray(a, dtype) for a in make_inputs(case.inputs)]
    delegate = backends.backend_for(xs[0]).delegates.get(_own_name(case.loss))
    return xs, options_for(case, backend, dtype), delegate


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_delegate_equals_generic(case: Case, backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    dtype = "float64" if backend.has_float64 else "float32"
    xs, opts, delegate = _call(case, backend, dtype)
    if delegate is None:
        pytest.skip(f"{backend.name} has no native delegate for {case.loss}")
    fn = getattr(ul, case.loss)
    for reduction in ("mean", "sum", "none"):
        served = delegate(*xs, **opts, reduction=reduction)
        if served is NotImplemented:
            pytest.skip(f"the {backend.name} delegate leaves these options to the generic definition")
        monkeypatch.setattr(backends, "DELEGATES", False)
        generic = fn(*xs, **opts, reduction=reduction)
        monkeypatch.setattr(backends, "DELEGATES", True)
        assert served.dtype == generic.dtype
        assert tuple(served.shape) == tuple(generic.shape)
        check_close(backend.to_numpy(served), backend.to_numpy(generic).astype(np.float64), dtype)
    if backend.name in AUTODIFF:
        grads = []
        for on in (True, False):
            monkeypatch.setattr(backends, "DELEGATES", on)
            grads.append(backend.grad(lambda x: fn(x, *xs[1:], **opts), xs[0]))
        check_close(grads[0], grads[1], dtype)


def test_every_delegate_serves_a_case(backend: Backend) -> None:
    """A delegate that declines every case row would be dead code, untested against the
    generic definition."""
    library = backends.backend_for(backend.asarray(np.zeros(1), "float32"))
    if not library.delegates:
        pytest.skip(f"{backend.name} has no native delegates")
    for name, delegate in library.delegates.items():
        rows = [c for c in CASES if _own_name(c.loss) == name]
        assert rows, f"no case row for the delegated {name}"
        served = []
        for case in rows:
            xs, opts, _ = _call(case, backend, "float32")
            served.append(delegate(*xs, **opts) is not NotImplemented)
        assert any(served), f"the {name} delegate serves none of its {len(rows)} case rows"


def test_blockwise_memory(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    """A delegate that goes block by block holds the temporaries of a block and, with
    ``reduction="none"``, the returned array (half the two inputs' bytes): with 32 blocks of 1024
    elements a call's peak extra memory stays within the inputs' bytes (NumPy's allocations, which
    tracemalloc sees)."""
    library = backends.backend_for(backend.asarray(np.zeros(1), "float32"))
    if not hasattr(library, "block_size"):
        pytest.skip(f"{backend.name} has no delegates that go block by block")
    monkeypatch.setattr(library, "block_size", 1024)
    peaks = {}
    for case in CASES:
        delegate = library.delegates.get(_own_name(case.loss))
        if delegate is None:
            continue
        xs = [backend.asarray(a, "float32") for a in make_inputs(case.inputs, n=128, c=256)]
        opts = options_for(case, backend, "float32")
        tracemalloc.start()
        served = delegate(*xs, **opts, reduction="none")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        if served is not NotImplemented:
            peaks[case.id] = peak / sum(x.nbytes for x in xs)
    assert peaks, "no delegate went block by block"
    assert max(peaks.values()) <= 1.0, {k: round(v, 2) for k, v in peaks.items() if v > 1.0}
