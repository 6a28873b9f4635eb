"""Property tests (hypothesis) over shapes, dtypes and values, for every case in the table.

Generic properties hold for every loss: ``"sum"`` equals the sum of ``"none"``, the weighted mean
with unit weights equals the mean, scaling weights does not change the weighted mean, and every
backend agrees with NumPy. Properties of the math, for the rows whose case fields declare them:
non-negativity (``nonnegative``, on by default), zero at a perfect prediction (``zero_at_target``)
and invariance to a constant shift of the logits (``shift_invariant``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import unilosses as ul
from tests.cases import Case, all_cases
from unilosses._examples import make_inputs
from unilosses._frameworks import BACKENDS, Backend

CASES = all_cases()
CASE_PARAMS = [pytest.param(c, id=c.id) for c in CASES]
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

sizes = st.tuples(st.integers(1, 6), st.integers(2, 6))
seeds = st.integers(0, 2**16)


def _call(case: Case, backend: Backend, arrays: Any, dtype: str = "float64", **kw: Any) -> np.ndarray:
    opts = {k: backend.asarray(v, dtype) if isinstance(v, np.ndarray) else v for k, v in case.options.items()}
    xs = [backend.asarray(a, dtype) for a in arrays]
    return backend.to_numpy(getattr(ul, case.loss)(*xs, **opts, **kw)).astype(np.float64)


def _dtype(backend: Backend) -> str:
    return "float64" if backend.has_float64 else "float32"


def _inputs(case: Case, size: tuple[int, int], seed: int) -> tuple[np.ndarray, ...]:
    n, c = size
    if case.options.get("class_weight") is not None:
        c = len(case.options["class_weight"])
    if isinstance(case.options.get("alpha"), np.ndarray):  # a per-class alpha (focal losses)
        c = len(case.options["alpha"])
    return make_inputs(case.inputs, n=n, c=c, seed=seed)


@pytest.mark.parametrize("case", CASE_PARAMS)
@SETTINGS
@given(size=sizes, seed=seeds)
def test_sum_is_sum_of_none_and_unit_weights_give_the_mean(case: Case, size: tuple[int, int], seed: int) -> None:
    backend, dtype, tol = BACKENDS["numpy"], "float64", 1e-9
    arrays = _inputs(case, size, seed)
    none = _call(case, backend, arrays, dtype, reduction="none")
    total = _call(case, backend, arrays, dtype, reduction="sum")
    np.testing.assert_allclose(total, none.sum(), rtol=tol, atol=tol)
    mean = _call(case, backend, arrays, dtype)
    ones = _call(case, backend, arrays, dtype, sample_weight=np.ones(none.shape))
    np.testing.assert_allclose(ones, mean, rtol=tol, atol=tol)
    w = np.random.default_rng(seed).uniform(0.5, 2.0, size=none.shape)
    weighted = _call(case, backend, arrays, dtype, sample_weight=w)
    scaled = _call(case, backend, arrays, dtype, sample_weight=7.0 * w)
    np.testing.assert_allclose(scaled, weighted, rtol=tol, atol=tol)


@pytest.mark.parametrize("case", CASE_PARAMS)
@settings(SETTINGS, max_examples=4)
@given(size=sizes, seed=seeds)
def test_backend_agrees_with_numpy(case: Case, backend: Backend, size: tuple[int, int], seed: int) -> None:
    if backend.name in case.unsupported:  # its documented TypeError is asserted in test_losses
        pytest.skip(f"{case.loss} on {backend.name}: {case.unsupported[backend.name]}")
    arrays = _inputs(case, size, seed)
    ours = _call(case, backend, arrays, "float32", reduction="none")
    ref = _call(case, BACKENDS["numpy"], arrays, "float64", reduction="none")
    np.testing.assert_allclose(ours, ref, rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("case", [p for p in CASE_PARAMS if p.values[0].nonnegative])
@SETTINGS
@given(size=sizes, seed=seeds)
def test_nonnegative(case: Case, size: tuple[int, int], seed: int) -> None:
    out = _call(case, BACKENDS["numpy"], _inputs(case, size, seed), reduction="none")
    assert np.all(out >= -1e-12)


@pytest.mark.parametrize("case", [p for p in CASE_PARAMS if p.values[0].zero_at_target])
@SETTINGS
@given(size=sizes, seed=seeds)
def test_zero_at_a_perfect_prediction(case: Case, size: tuple[int, int], seed: int) -> None:
    _, t = _inputs(case, size, seed)[:2]
    out = _call(case, BACKENDS["numpy"], (t, t), reduction="none")
    np.testing.assert_allclose(out, 0.0, atol=1e-12)


@pytest.mark.parametrize("case", [p for p in CASE_PARAMS if p.values[0].shift_invariant])
@SETTINGS
@given(size=sizes, seed=seeds, shift=st.floats(-50, 50))
def test_softmax_losses_ignore_a_constant_shift_of_the_logits(case: Case, size: tuple[int, int], seed: int, shift: float) -> None:
    arrays = list(_inputs(case, size, seed))
    axis = case.options.get("axis", -1)
    base = _call(case, BACKENDS["numpy"], arrays, reduction="none")
    row_shift = np.random.default_rng(seed).uniform(-1, 1, size=np.delete(np.array(arrays[0].shape), axis)) * shift
    arrays[0] = arrays[0] + np.expand_dims(row_shift, axis)
    np.testing.assert_allclose(_call(case, BACKENDS["numpy"], arrays, reduction="none"), base, rtol=1e-9, atol=1e-9)
