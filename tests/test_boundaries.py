"""Boundary inputs for every loss: finite values and finite gradients on every autodiff library.

Every case of the table goes through every boundary of its input kind (``tests.boundaries``), in
float32 and float64 (where the backend has it), and on PyTorch also with denormals flushed to
zero. Gradients are eager (no tracing), with respect to every floating-point argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

import unilosses as ul
from tests.boundaries import (
    BOUNDARIES,
    CLOSE,
    Boundary,
    C,
    N,
    boundary_cases,
    coincident_triplets,
    zero_rows,
)
from tests.cases import Case, all_cases
from tests.natives import F, convert
from tests.test_losses import check_close, loss_fn, options_for, reference
from unilosses._examples import INPUTS, make_inputs
from unilosses._frameworks import Backend

# on JAX with --jax-split (nox): float64 with 64-bit types, the rest without (tests/conftest.py)
pytestmark = pytest.mark.x32


def test_every_input_kind_has_boundaries() -> None:
    """A new input kind must say what its boundary inputs are (or why it has none)."""
    assert sorted(set(INPUTS) - set(BOUNDARIES)) == []
    assert sorted(set(BOUNDARIES) - set(INPUTS)) == []
    for kind, entry in BOUNDARIES.items():
        assert isinstance(entry, str | dict), kind
        assert entry, f"{kind}: a reason, or at least one boundary"


PARAMS = boundary_cases(all_cases())


@contextmanager
def _flush_denormal(backend: Backend, flush: bool) -> Iterator[None]:
    """PyTorch with denormals flushed to zero (as XLA computes), restored afterwards."""
    if not flush:
        yield
        return
    import torch

    if not torch.set_flush_denormal(True):
        pytest.skip("this CPU cannot flush denormals")
    try:
        yield
    finally:
        torch.set_flush_denormal(False)


def _grads(backend: Backend, fn: Callable[..., Any], xs: list[Any], wrt: list[int]) -> list[np.ndarray]:
    """Gradients of ``fn(*xs)`` with respect to ``xs[i]`` for ``i`` in ``wrt``, in one backward
    pass; 0 for an argument the result does not depend on (a target)."""
    if backend.name == "jax":
        import jax

        return [np.asarray(g) for g in jax.grad(lambda *a: fn(*a), argnums=tuple(wrt))(*xs)]
    if backend.name == "torch":
        import torch

        xs = [x.detach().clone().requires_grad_(i in wrt) for i, x in enumerate(xs)]
        gs = torch.autograd.grad(fn(*xs), [xs[i] for i in wrt], allow_unused=True)
        return [np.zeros(xs[i].shape) if g is None else backend.to_numpy(g) for i, g in zip(wrt, gs, strict=True)]
    import tensorflow as tf

    with tf.GradientTape() as tape:
        for i in wrt:
            tape.watch(xs[i])
        y = fn(*xs)
    gs = tape.gradient(y, [xs[i] for i in wrt])
    return [np.zeros(xs[i].shape) if g is None else backend.to_numpy(g) for i, g in zip(wrt, gs, strict=True)]


def _dtypes(backend: Backend) -> list[str]:
    """float32 and float64; JAX only float32, in the nox session's run without 64-bit types
    (this module's mark; its eager gradients compile every operation per shape and dtype;
    float32 is where XLA flushes subnormal constants to zero, and float64 floors are checked on
    torch and TensorFlow)."""
    return ["float32", "float64"] if backend.has_float64 and backend.name != "jax" else ["float32"]


@pytest.mark.parametrize(("case", "name", "make"), PARAMS)
def test_boundary(case: Case, name: str, make: Boundary, autodiff_backend: Backend) -> None:
    """Finite values, in float64 equal to the reference where it is finite; finite gradients of
    the mean with respect to every floating-point argument."""
    backend = autodiff_backend
    if backend.name in case.unsupported:
        pytest.skip(f"{case.loss} on {backend.name}: {case.unsupported[backend.name]}")
    arrays = make(make_inputs(case.inputs, n=N, c=C))
    floats = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    for dtype in _dtypes(backend):
        for flush in (False, True) if backend.name == "torch" else (False,):
            with _flush_denormal(backend, flush):
                where = f"{dtype}{', denormals flushed' if flush else ''}"
                xs = [backend.asarray(a, dtype) for a in arrays]
                got = backend.to_numpy(loss_fn(case, backend, dtype, reduction="none")(*xs))
                assert np.all(np.isfinite(got)), f"{where}: loss {got}"
                if dtype == "float64":  # (in float32 a clamp constant such as 1 - 1e-7 rounds)
                    with np.errstate(all="ignore"):
                        expected, _ = reference(case, arrays, "none")
                    known = np.isfinite(expected)
                    check_close(got[known], expected[known], dtype)
                for i, g in zip(floats, _grads(backend, loss_fn(case, backend, dtype), xs, floats), strict=True):
                    assert np.all(np.isfinite(g)), f"{where}: gradient of argument {i}: {g}"


@pytest.mark.parametrize(("case", "name", "make"), boundary_cases(all_cases(), CLOSE))
def test_close_inputs_in_float32(case: Case, name: str, make: Boundary, backend: Backend) -> None:
    """Rows, points or class vectors 1e-3 apart (``tests.boundaries.CLOSE``): the loss is
    well-conditioned there, so float32 agrees with the float64 reference on the same (rounded)
    inputs to float32 accuracy."""
    if backend.name in case.unsupported:
        pytest.skip(f"{case.loss} on {backend.name}: {case.unsupported[backend.name]}")
    arrays = make(make_inputs(case.inputs, n=N, c=C))
    rounded = [a.astype(np.float32).astype(np.float64) if a.dtype.kind == "f" else a for a in arrays]
    xs = [backend.asarray(a, "float32") for a in rounded]
    got = backend.to_numpy(loss_fn(case, backend, "float32", reduction="none")(*xs))
    expected, _ = reference(case, rounded, "none")
    check_close(got, expected, "float32")


# --- gradients at zero distance against torch's ----------------------------------------------


TRIPLET_OPTIONS = [{"p": 3.0, "eps": 0.0}, {"p": 2.0, "eps": 0.0, "swap": True}, {"p": 2.0, "eps": 1e-6}]


@pytest.mark.parametrize("options", TRIPLET_OPTIONS, ids=str)
def test_triplet_gradient_at_zero_distance_matches_torch(options: dict[str, Any], autodiff_backend: Backend) -> None:
    """Anchor = positive (and other coincident rows): the gradient is torch's, not NaN."""
    pytest.importorskip("torch", reason="the reference gradient is torch's")
    backend = autodiff_backend
    arrays = coincident_triplets(make_inputs("triplets", n=N, c=C))
    xs = [backend.asarray(a, "float32") for a in arrays]
    targs = [convert("torch", a).requires_grad_(True) for a in arrays]
    F().triplet_margin_loss(*targs, **options).backward()
    for i in range(3):
        ours = backend.grad(lambda x, i=i: ul.triplet_margin(*xs[:i], x, *xs[i + 1 :], **options), xs[i])
        np.testing.assert_allclose(ours, targs[i].grad.numpy(), rtol=1e-5, atol=1e-6)


def test_info_nce_gradient_with_a_zero_row(autodiff_backend: Backend) -> None:
    """A zero embedding normalizes to 0 (norms floored, as F.normalize does): the loss and the
    gradient equal the loss on the rows as torch normalizes them, finite everywhere."""
    torch = pytest.importorskip("torch", reason="the reference is torch's")
    backend = autodiff_backend
    a, b = zero_rows(make_inputs("views", n=N, c=C))
    xs = [backend.asarray(x, "float32") for x in (a, b)]
    ta, tb = (convert("torch", x).requires_grad_(True) for x in (a, b))
    qa, qb = (F().normalize(x, dim=-1) for x in (ta, tb))
    logits = qa @ qb.T / 0.1
    F().cross_entropy(logits, torch.arange(N)).backward()
    opts = options_for(next(c for c in all_cases() if c.loss == "info_nce" and not c.options), backend)
    for i, (x, t) in enumerate(((xs[0], ta), (xs[1], tb))):
        ours = backend.grad(lambda v, i=i: ul.info_nce(*xs[:i], v, *xs[i + 1 :], **opts), x)
        np.testing.assert_allclose(ours, t.grad.numpy(), rtol=1e-5, atol=1e-6)
