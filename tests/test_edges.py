"""The edge matrix: every case x backend x dtype x reduction on inputs at the edges.

Generic edges apply to every loss (new ones included): an empty batch, a single sample, transposed
(non-contiguous) inputs, a scalar and a broadcast ``sample_weight``, arguments on two devices.
Kind-specific edges: logits of +-1e4 and masked (-inf) logits, probabilities of exactly 0 and 1,
all targets ignored. Every value is finite where the math is finite, and equals the reference.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import unilosses as ul
from tests.boundaries import C as BOUNDARY_C
from tests.boundaries import N as BOUNDARY_N
from tests.boundaries import boundary_cases
from tests.cases import Case, all_cases
from tests.test_losses import check_close, reduce_np, reference, rounded
from unilosses._examples import make_inputs
from unilosses._frameworks import Backend

# on JAX with --jax-split (nox): float64 with 64-bit types, the rest without (tests/conftest.py)
pytestmark = pytest.mark.x32

CASES = all_cases()
CASE_PARAMS = [pytest.param(c, id=c.id) for c in CASES]
# the dtype paths of a batch's shape: computed in float32 and cast back (float16, bfloat16), or
# as given (float32; float64 takes the same path, and test_losses checks its values)
DTYPES = ["float16", "bfloat16", "float32"]
REDUCTIONS = ["mean", "sum", "none"]


def skip_unsupported(case: Case, backend: Backend) -> None:
    """Backends a loss documents as unsupported raise its TypeError (tested in test_losses)."""
    if backend.name in case.unsupported:
        pytest.skip(f"{case.loss} on {backend.name}: {case.unsupported[backend.name]}")


def _dtype_or_skip(backend: Backend, dtype: str) -> None:
    if dtype in ("float16", "bfloat16") and dtype not in backend.low_precision:
        pytest.skip(f"{backend.name} has no {dtype}")
    if dtype == "float64" and not backend.has_float64:
        pytest.skip("JAX runs without x64 in this session: float64 arrays do not exist")


def _run(case: Case, backend: Backend, arrays: list[np.ndarray], dtype: str, transform: Callable[[Any], Any] | None = None, **kw: Any) -> np.ndarray:
    opts = {k: backend.asarray(v, dtype) if isinstance(v, np.ndarray) else v for k, v in case.options.items()}
    xs = [backend.asarray(a, dtype) for a in arrays]
    if transform is not None:
        xs = [transform(x) for x in xs]
    out = getattr(ul, case.loss)(*xs, **opts, **kw)
    assert out.dtype == xs[0].dtype
    return backend.to_numpy(out).astype(np.float64)


def _expect(case: Case, backend: Backend, arrays: list[np.ndarray], dtype: str, reduction: str, sw: np.ndarray | None = None) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # the references' own
        loss, weight = reference(case, rounded(arrays, dtype, backend), reduction)
        return reduce_np(loss, weight, reduction, sw)


# the batch is axis 0 unless a case puts its class axis there
BATCHED = [p for p in CASE_PARAMS if p.values[0].options.get("axis", -1) != 0]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", BATCHED)
def test_empty_batch(case: Case, backend: Backend, dtype: str, reduction: str) -> None:
    """No samples: "none" is empty, "sum" is 0 and "mean" is 0 (documented), never NaN.
    Batch-level losses (one value for the whole batch) give a finite value."""
    _dtype_or_skip(backend, dtype)
    skip_unsupported(case, backend)
    arrays = list(make_inputs(case.inputs, n=0))
    batch_level = _run(case, backend, list(make_inputs(case.inputs, n=2)), "float32", reduction="none").ndim == 0
    got = _run(case, backend, arrays, dtype, reduction=reduction)
    assert np.all(np.isfinite(got))
    if batch_level:
        assert got.shape == ()
    elif reduction == "none":
        assert got.size == 0
    else:
        assert got.shape == ()
        assert got == 0.0


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CASE_PARAMS)
def test_single_sample(case: Case, backend: Backend, dtype: str, reduction: str) -> None:
    skip_unsupported(case, backend)
    _dtype_or_skip(backend, dtype)
    arrays = list(make_inputs(case.inputs, n=1))
    got = _run(case, backend, arrays, dtype, reduction=reduction)
    assert np.all(np.isfinite(got))
    check_close(got, _expect(case, backend, arrays, dtype, reduction), dtype)


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_transposed_inputs(case: Case, backend: Backend) -> None:
    """Non-contiguous views (the transpose of a transposed copy) give the contiguous result."""
    skip_unsupported(case, backend)
    arrays = list(make_inputs(case.inputs))
    xp = backend.xp

    def untranspose(x: Any) -> Any:
        return x if x.ndim < 2 else xp.permute_dims(x, tuple(reversed(range(x.ndim))))

    transposed = [a.T.copy() for a in arrays]
    got = _run(case, backend, transposed, "float32", transform=untranspose, reduction="none")
    check_close(got, _expect(case, backend, arrays, "float32", "none"), "float32")


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_scalar_and_broadcast_sample_weight(case: Case, backend: Backend) -> None:
    skip_unsupported(case, backend)
    arrays = list(make_inputs(case.inputs))
    loss, _ = reference(case, arrays)
    for sw in (np.asarray(2.5), np.random.default_rng(0).uniform(0.5, 1.5, size=(1,) * loss.ndim)):
        for reduction in ("sum", "mean"):
            got = _run(case, backend, arrays, "float32", reduction=reduction, sample_weight=backend.asarray(sw, "float32"))
            check_close(got, _expect(case, backend, arrays, "float32", reduction, sw), "float32")
    got = _run(case, backend, arrays, "float32", reduction="sum", sample_weight=2.5)
    check_close(got, _expect(case, backend, arrays, "float32", "sum", np.asarray(2.5)), "float32")


def test_arguments_on_two_devices() -> None:
    """array-api-strict's second device stands in for a GPU: mixing devices is refused."""
    xs = pytest.importorskip("array_api_strict")
    a = xs.asarray([0.5, 0.2], device=xs.Device("device1"))
    b = xs.asarray([1.0, 0.0])
    with pytest.raises(ValueError, match="y_true is on device"):
        ul.binary_crossentropy(a, b)


# --- kind-specific edges ----------------------------------------------------------------------

LOGIT_CASES = [p for p in CASE_PARAMS if "logits" in p.values[0].inputs]
BOUNDARY_CASES = boundary_cases(CASES)  # every case x every boundary of its input kind
MASKABLE = [p for p in CASE_PARAMS if p.values[0].inputs.startswith("sparse_logits") and not p.values[0].options.get("label_smoothing")]
# losses whose "mean" divides by the weight of the counted targets (reference returns a weight)
IGNORING = [
    p for p in CASE_PARAMS
    if p.values[0].options.get("ignore_index") is not None
    and reference(p.values[0], make_inputs(p.values[0].inputs))[1] is not None
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", LOGIT_CASES)
def test_huge_logits(case: Case, backend: Backend, dtype: str, reduction: str) -> None:
    """Logits of +-1e4 saturate every sigmoid/softmax: finite and exact (no exp overflow)."""
    skip_unsupported(case, backend)
    _dtype_or_skip(backend, dtype)
    arrays = list(make_inputs(case.inputs))
    arrays[0] = np.clip(arrays[0] * 5000, -1e4, 1e4)
    got = _run(case, backend, arrays, dtype, reduction=reduction)
    assert np.all(np.isfinite(got))
    expected = _expect(case, backend, arrays, dtype, reduction)
    known = np.isfinite(expected)  # some float64 references overflow here; unilosses must not
    check_close(got[known], expected[known], dtype)


@pytest.mark.parametrize("case", MASKABLE)
def test_masked_logits(case: Case, backend: Backend) -> None:
    """-inf logits on classes that are not the target: finite loss, equal to dropping the class."""
    skip_unsupported(case, backend)
    arrays = list(make_inputs(case.inputs))
    axis = case.options.get("axis", -1)
    logits, labels = np.moveaxis(arrays[0], axis, -1).copy(), arrays[1]
    c = logits.shape[-1]
    masked_class = (np.where(labels >= 0, labels, 0) + 1) % c  # never the label
    np.put_along_axis(logits, masked_class[..., None], -np.inf, axis=-1)
    arrays[0] = np.moveaxis(logits, -1, axis)
    got = _run(case, backend, arrays, "float32", reduction="none")
    assert np.all(np.isfinite(got))
    # the reference with the masked logits made merely very negative: their softmax is exactly 0
    dropped = [np.where(np.isneginf(arrays[0]), -1e30, arrays[0]), *arrays[1:]]
    check_close(got, _expect(case, backend, dropped, "float32", "none"), "float32")


@pytest.mark.parametrize(("case", "name", "make"), BOUNDARY_CASES)
def test_boundary_inputs(case: Case, name: str, make: Callable[..., Any], backend: Backend) -> None:
    """Inputs at the edge of each input kind's domain (tests/boundaries.py: probabilities of
    exactly 0 and 1, one-hot predictions, zero vectors, ties): every reduction is finite (log is
    clamped at -100, torch's convention), and in float64 the values equal the reference where it
    is finite. Libraries with autodiff: tests/test_boundaries.py, with gradients."""
    skip_unsupported(case, backend)
    if type(backend).grad is not Backend.grad:  # a library with autodiff
        pytest.skip(f"{backend.name}: values and gradients in tests/test_boundaries.py")
    arrays = list(make(make_inputs(case.inputs, n=BOUNDARY_N, c=BOUNDARY_C)))
    dtype = "float64" if backend.has_float64 else "float32"
    for reduction in REDUCTIONS:
        got = _run(case, backend, arrays, dtype, reduction=reduction)
        assert np.all(np.isfinite(got)), f"{name}, reduction={reduction}: {got}"
        if reduction == "none" and dtype == "float64":
            with np.errstate(all="ignore"):
                expected, _ = reference(case, arrays, "none")
            known = np.isfinite(expected)
            check_close(got[known], expected[known], dtype)


@pytest.mark.parametrize("case", IGNORING)
def test_all_targets_ignored(case: Case, backend: Backend) -> None:
    skip_unsupported(case, backend)
    arrays = list(make_inputs(case.inputs))
    arrays[1] = np.full_like(arrays[1], case.options["ignore_index"])
    for reduction in REDUCTIONS:
        got = _run(case, backend, arrays, "float32", reduction=reduction)
        np.testing.assert_array_equal(got, np.zeros_like(got))
