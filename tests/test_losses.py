"""Table-driven tests: every case in ``tests/cases`` on every backend of the session.

Values against float64 NumPy references and native counterparts, gradients, compilation, dtypes,
devices, purity and bad input. A new loss gets all of these by adding rows to ``tests/cases``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

import unilosses as ul
from tests import natives
from tests.cases import Case, all_cases
from unilosses._examples import make_inputs
from unilosses._frameworks import Backend, device_kind
from unilosses._namespace import device, namespace_of

# on JAX with --jax-split (nox): float64 with 64-bit types, the rest without (tests/conftest.py)
pytestmark = pytest.mark.x32

CASES = all_cases()
CASE_PARAMS = [pytest.param(c, id=c.id) for c in CASES]
TOL = {"float64": (1e-10, 1e-12), "float32": (2e-5, 1e-6), "float16": (4e-3, 4e-3), "bfloat16": (3e-2, 3e-2)}


# --- helpers ----------------------------------------------------------------------------------


def rounded(arrays: Sequence[np.ndarray], dtype: str, backend: Backend) -> list[np.ndarray]:
    """The float64 values the backend actually holds after casting to ``dtype``."""
    return [backend.to_numpy(backend.asarray(a, dtype)).astype(a.dtype) for a in arrays]


def reference(case: Case, arrays: Sequence[np.ndarray], reduction: str | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """The float64 reference: unreduced loss and weight (for ``reduction="mean"`` the values its
    mean averages)."""
    fn = case.mean_reference if reduction == "mean" and case.mean_reference else case.reference
    out = fn(*arrays, **case.options)
    return out if isinstance(out, tuple) else (out, None)


def reduce_np(loss: np.ndarray, weight: np.ndarray | None, reduction: str, sw: np.ndarray | None) -> np.ndarray:
    """The documented reduction, in float64: weighted mean = sum(w*l) / sum(w)."""
    if sw is not None:
        sw = np.broadcast_to(sw.reshape(sw.shape + (1,) * (loss.ndim - sw.ndim)), loss.shape)
        loss = loss * sw
        weight = sw if weight is None else weight * sw
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if weight is None:
        return loss.mean()
    den = weight.sum()
    return loss.sum() / den if den != 0 else np.zeros(())


def options_for(case: Case, backend: Backend, dtype: str | None = None) -> dict[str, Any]:
    """Case options, with array options (class weights) converted to the backend's arrays."""
    return {
        k: backend.asarray(v, dtype) if isinstance(v, np.ndarray) else v
        for k, v in case.options.items()
    }


def loss_fn(case: Case, backend: Backend, dtype: str | None = None, **kw: Any) -> Callable[..., Any]:
    fn = getattr(ul, case.loss)
    opts = options_for(case, backend, dtype)
    return lambda *arrays: fn(*arrays, **opts, **kw)


def check_close(actual: Any, expected: Any, dtype: str, scale: float = 1.0) -> None:
    rtol, atol = TOL[dtype]
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64), expected, rtol=rtol * scale, atol=atol * scale)


def skip_without_float64(backend: Backend, dtype: str) -> None:
    if dtype == "float64" and not backend.has_float64:
        pytest.skip(f"no float64 arrays on {backend!r} here (JAX without x64, a device without float64)")


def raises_unsupported(case: Case, backend: Backend, dtype: str = "float32") -> bool:
    """On a backend the case documents as unsupported, the loss raises its documented TypeError
    (checked here) instead of computing; the caller's test then stops."""
    reason = case.unsupported.get(backend.name)
    if reason is None:
        return False
    xs = [backend.asarray(a, dtype) for a in make_inputs(case.inputs)]
    with pytest.raises(TypeError, match=re.escape(reason)):
        loss_fn(case, backend, dtype)(*xs)
    return True


# --- values -----------------------------------------------------------------------------------


@pytest.mark.parametrize("weighting", [None, "per_sample", "elementwise"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASE_PARAMS)
def test_matches_reference(case: Case, backend: Backend, dtype: str, reduction: str, weighting: str | None) -> None:
    """Value, type, dtype and device of the result; inputs untouched. Sample weights go through
    the one reduction code of every loss (``_core.reduce``): NumPy checks them with every
    reduction, the other libraries with ``"mean"``, which holds the weighted sum and the
    division by the weights' sum (and the loss's own weights, such as class weights)."""
    skip_without_float64(backend, dtype)
    if weighting is not None and reduction != "mean" and backend.name != "numpy":
        pytest.skip(f"weights with reduction={reduction!r}: the NumPy session")
    if raises_unsupported(case, backend, dtype):
        return
    arrays = make_inputs(case.inputs)
    xs = [backend.asarray(a, dtype) for a in arrays]
    before = [backend.to_numpy(x).copy() for x in xs]
    loss, weight = reference(case, rounded(arrays, dtype, backend), reduction)
    rng = np.random.default_rng(1)
    sw = None
    if weighting == "per_sample":
        sw = rng.uniform(0.1, 2.0, size=loss.shape[:1])
    elif weighting == "elementwise":
        sw = rng.uniform(0.0, 2.0, size=loss.shape)
    kw: dict[str, Any] = {"reduction": reduction}
    if sw is not None:
        kw["sample_weight"] = backend.asarray(sw, dtype)
    out = backend.call(loss_fn(case, backend, dtype, **kw), *xs)

    assert namespace_of(out) is namespace_of(xs[0])
    assert out.dtype == xs[0].dtype
    assert device(out) == device(xs[0])
    expected = reduce_np(loss, weight, reduction, None if sw is None else rounded([sw], dtype, backend)[0])
    assert tuple(out.shape) == expected.shape
    check_close(backend.to_numpy(out), expected, dtype)
    for x, b in zip(xs, before, strict=True):
        np.testing.assert_array_equal(backend.to_numpy(x), b)


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_matches_reference_on_a_larger_batch(case: Case, backend: Backend) -> None:
    """40 rows instead of 8 (float64, unreduced): a loss that takes another path for larger
    batches (distances from a Gram matrix above 25 rows) computes the same function. The path
    depends on the shapes alone, so this runs in the NumPy session."""
    if backend.name != "numpy":
        pytest.skip("runs in the numpy session (the path depends on the shapes alone)")
    arrays = make_inputs(case.inputs, n=40)
    expected, _ = reference(case, arrays, "none")
    out = loss_fn(case, backend, "float64", reduction="none")(*[backend.asarray(a, "float64") for a in arrays])
    check_close(backend.to_numpy(out), expected, "float64")


NATIVE_PARAMS = [
    pytest.param(c, lib, id=f"{c.id}-{lib}") for c in CASES for lib in natives.installed() if lib in c.natives
]


@pytest.mark.parametrize(("case", "lib"), NATIVE_PARAMS or [pytest.param(None, None, marks=pytest.mark.skip(reason="no native library (torch, keras, optax) installed in this session"))])
def test_matches_native(case: Case, lib: str, backend: Backend) -> None:
    """float32 parity with torch.nn.functional / Keras 3 / Optax on the same inputs."""
    if raises_unsupported(case, backend):
        return
    arrays = make_inputs(case.inputs)
    native = natives.to_numpy(case.natives[lib](*(natives.convert(lib, a) for a in arrays)))
    out = backend.call(loss_fn(case, backend, "float32"), *(backend.asarray(a, "float32") for a in arrays))
    check_close(backend.to_numpy(out), native, "float32", scale=2.0)


# --- gradients --------------------------------------------------------------------------------


def numeric_grad(case: Case, arrays: list[np.ndarray], h: float = 1e-6) -> np.ndarray:
    """Central differences of the float64 reference mean w.r.t. ``y_pred``."""
    p = arrays[0]
    g = np.zeros_like(p)

    def f(x: np.ndarray) -> float:
        loss, weight = reference(case, [x, *arrays[1:]], "mean")
        return float(reduce_np(loss, weight, "mean", None))

    for idx in np.ndindex(*p.shape):
        e = np.zeros_like(p)
        e[idx] = h
        g[idx] = (f(p + e) - f(p - e)) / (2 * h)
    return g


@pytest.mark.x64
@pytest.mark.parametrize("case", CASE_PARAMS)
def test_gradient(case: Case, autodiff_backend: Backend) -> None:
    """Autodiff gradient of the mean loss w.r.t. y_pred equals the float64 reference's."""
    backend = autodiff_backend
    dtype = "float64" if backend.has_float64 else "float32"
    arrays = make_inputs(case.inputs, n=4, c=5)
    xs = [backend.asarray(a, dtype) for a in arrays]
    fn = loss_fn(case, backend, dtype)
    g = backend.grad(lambda x: fn(x, *xs[1:]), xs[0])
    assert np.all(np.isfinite(g))
    expected = numeric_grad(case, rounded(arrays, dtype, backend))
    rtol, atol = (1e-6, 1e-8) if dtype == "float64" else (2e-3, 2e-5)
    np.testing.assert_allclose(g, expected, rtol=rtol, atol=atol)


TORCH_GRAD_PARAMS = [pytest.param(c, id=c.id) for c in CASES if "torch" in c.natives]


@pytest.mark.parametrize("case", TORCH_GRAD_PARAMS)
def test_gradient_matches_torch(case: Case, autodiff_backend: Backend) -> None:
    """The gradient on this backend equals torch's native loss's gradient."""
    torch = pytest.importorskip("torch", reason="the torch native gradient needs torch installed")
    backend = autodiff_backend
    arrays = make_inputs(case.inputs, n=4, c=5)
    xs = [backend.asarray(a, "float32") for a in arrays]
    fn = loss_fn(case, backend, "float32")
    ours = backend.grad(lambda x: fn(x, *xs[1:]), xs[0])
    targs = [natives.convert("torch", a) for a in arrays]
    targs[0] = targs[0].clone().requires_grad_(True)
    case.natives["torch"](*targs).backward()
    np.testing.assert_allclose(ours, targs[0].grad.numpy(), rtol=1e-4, atol=1e-6)
    del torch


# --- compilation ------------------------------------------------------------------------------


# torch.compile generates and builds C++ kernels with inductor (seconds per graph): the first
# option set of each loss goes through inductor, the others through aot_eager, which traces the
# same full graph (a graph break still fails) without code generation
INDUCTOR_CASES = {c.loss: c.id for c in reversed(CASES)}


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_compiled(case: Case, compile_backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    """torch.compile(fullgraph=True) / jax.jit / tf.function give the eager value."""
    backend = compile_backend
    if INDUCTOR_CASES[case.loss] != case.id:
        monkeypatch.setenv(
            "UNILOSSES_TORCH_COMPILE_BACKEND",
            os.environ.get("UNILOSSES_TORCH_COMPILE_BACKEND", "aot_eager"),
        )
    arrays = make_inputs(case.inputs)
    xs = [backend.asarray(a, "float32") for a in arrays]
    fn = loss_fn(case, backend, "float32", reduction="none")
    compiled = backend.compile(fn)
    eager = backend.to_numpy(fn(*xs))
    check_close(backend.to_numpy(compiled(*xs)), eager, "float32")
    loss, weight = reference(case, rounded(arrays, "float32", backend))
    check_close(eager, reduce_np(loss, weight, "none", None), "float32")


# --- dtypes and devices -----------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "none"])
@pytest.mark.parametrize("case", CASE_PARAMS)
def test_low_precision(case: Case, low_precision: tuple[Backend, str], reduction: str) -> None:
    """float16/bfloat16 in: same dtype out, finite, accurate to the dtype (computed in float32)."""
    backend, dtype = low_precision
    if raises_unsupported(case, backend, dtype):
        return
    arrays = make_inputs(case.inputs)
    xs = [backend.asarray(a, dtype) for a in arrays]
    out = backend.call(loss_fn(case, backend, dtype, reduction=reduction), *xs)
    assert out.dtype == xs[0].dtype
    got = backend.to_numpy(out).astype(np.float64)
    assert np.all(np.isfinite(got))
    loss, weight = reference(case, rounded(arrays, dtype, backend), reduction)
    check_close(got, reduce_np(loss, weight, reduction, None), dtype)


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_torch_meta_device(case: Case, torch_backend: Backend) -> None:
    """On torch's ``meta`` device (no data) the result stays on ``meta`` with the right shape."""
    import torch

    backend = torch_backend

    arrays = make_inputs(case.inputs)
    xs = [backend.asarray(a, "float32").to("meta") for a in arrays]
    opts = {k: torch.asarray(v, dtype=torch.float32, device="meta") if isinstance(v, np.ndarray) else v for k, v in case.options.items()}
    out = getattr(ul, case.loss)(*xs, **opts, reduction="none")
    loss, _ = reference(case, arrays)
    assert out.device.type == "meta"
    assert tuple(out.shape) == loss.shape


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_bad_input(case: Case, backend: Backend) -> None:
    """Every kind of wrong argument raises a TypeError/ValueError that names it."""
    fn = getattr(ul, case.loss)
    arrays = make_inputs(case.inputs)
    xs = [backend.asarray(a, "float32") for a in arrays]
    opts = options_for(case, backend, "float32")

    first, second = case.names[:2]
    with pytest.raises(TypeError, match=first):
        fn(backend.asarray(np.where(np.isfinite(arrays[0]), arrays[0], 0).astype(np.int64)), *xs[1:], **opts)
    with pytest.raises(TypeError, match=first):
        fn(arrays[0].tolist(), *xs[1:], **opts)
    with pytest.raises(ValueError, match="reduction"):
        fn(*xs, **opts, reduction="avg")
    other = np if backend.name != "numpy" else pytest.importorskip("array_api_strict")
    with pytest.raises(TypeError, match=second) as err:
        fn(xs[0], other.asarray(arrays[1]), *xs[2:], **opts)
    assert backend.name in str(err.value) or backend.name == "numpy"
    if case.same_shape or case.labels:
        wrong = arrays[1][:-1] if arrays[1].ndim == 1 else arrays[1][..., :-1]
        wrong = case.wrong_shape(arrays[1]) if case.wrong_shape else wrong
        with pytest.raises(ValueError, match=second):
            fn(xs[0], backend.asarray(wrong, "float32"), *xs[2:], **opts)
    if case.same_shape and not case.labels:  # a wrong rank: one axis too many
        with pytest.raises(ValueError, match=second):
            fn(xs[0], backend.asarray(arrays[1][..., None], "float32"), *xs[2:], **opts)
    for bad, exc, text in case.bad_options:
        with pytest.raises(exc, match=text):
            fn(*xs, **{**opts, **{k: backend.asarray(v, "float32") if isinstance(v, np.ndarray) else v for k, v in bad.items()}})


LABEL_CASES = [pytest.param(c, id=c.id) for c in CASES if c.labels]


@pytest.mark.parametrize("case", LABEL_CASES)
def test_labels_out_of_range(case: Case, backend: Backend) -> None:
    """Labels outside [0, C) raise on eager host backends; lazy/traced ones never sync to check."""
    from unilosses._namespace import can_inspect

    if raises_unsupported(case, backend):
        return
    arrays = list(make_inputs(case.inputs))
    i = case.labels[0]
    for bad in (arrays[0].shape[-1] + 3, -7):
        arrays[i] = arrays[i].copy()
        arrays[i].flat[0] = bad
        xs = [backend.asarray(a, "float32") for a in arrays]
        fn = loss_fn(case, backend, "float32")
        if can_inspect(xs[i]):
            with pytest.raises(ValueError, match=case.names[i]):
                fn(*xs)
        else:  # lazy, or on a GPU
            assert backend.name in ("dask", "cupy") or device_kind(backend.device or "") == "cuda"
            fn(*xs)  # no host sync reads the labels


# --- the issue's own examples -----------------------------------------------------------------


@pytest.mark.x64
def test_seed_examples(backend: Backend) -> None:
    p = np.array([[0.8, 0.1, 0.1], [0.2, 0.5, 0.3], [0.1, 0.5, 0.4]])
    y = np.array([0, 1, 2])
    dtype = "float64" if backend.has_float64 else "float32"
    out = ul.sparse_categorical_crossentropy(backend.asarray(p, dtype), backend.asarray(y))
    check_close(backend.to_numpy(out), 0.6108604879161034, dtype)
    q, t = np.array([[0.4, 0.3, 0.3]]), np.array([[0.2, 0.3, 0.5]])
    out = ul.kl_divergence(backend.asarray(q, dtype), backend.asarray(t, dtype))
    check_close(backend.to_numpy(out), 0.2 * np.log(0.5) + 0.5 * np.log(5 / 3), dtype)
