"""The ``erf`` primitive against mpmath: the library's kernel and the generic array-API formula, on
every backend, in float64 and float32; values over a dense grid with its tails, and the gradient
``2 exp(-x^2) / sqrt(pi)`` on every autodiff library.

Errors are counted in units of the dtype's epsilon relative to the exact value (to the dtype's
smallest normal number where the exact value is below it: XLA flushes subnormals to zero). The
gradient's tolerance grows with ``x^2``: half an ulp of ``x`` moves ``exp(-x^2)`` by ``x^2`` ulps.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from unilosses import _core
from unilosses._frameworks import Backend

mpmath = pytest.importorskip("mpmath", reason="the reference values are mpmath's")

DTYPES = ["float64", "float32"]
ULPS = 4  # values: within 4 units of the dtype's epsilon, relative
FORMULAS: dict[str, Callable[[Any, Any], Any]] = {
    "dispatched": _core.erf,  # the library's kernel where it has one
    "generic": _core.GENERIC["erf"],
}


def _grid(dtype: str, dense: int) -> np.ndarray:
    """A dense grid over [-7, 7], tiny and huge magnitudes of both signs, the formula's interval
    ends and infinities; every value representable (no subnormals) in ``dtype``."""
    info = np.finfo(dtype)
    tiny, huge = float(info.smallest_normal) * 1e3, float(info.max) / 10
    ends = [0.46875, 4.0, 30.0, 26.5, 9.0, 6.0]
    magnitudes = np.concatenate([np.geomspace(tiny, 1.0, 300), np.geomspace(7.0, huge, 100), ends])
    x = np.concatenate([np.linspace(-7.0, 7.0, dense), magnitudes, -magnitudes, [0.0, np.inf, -np.inf]])
    return x.astype(dtype)


@functools.cache
def _erf_reference(dtype: str) -> tuple[np.ndarray, np.ndarray]:
    x = _grid(dtype, 6001)
    with mpmath.workdps(40):
        return x, np.array([float(mpmath.erf(mpmath.mpf(float(v)))) for v in x])


@functools.cache
def _gradient_reference(dtype: str) -> tuple[np.ndarray, np.ndarray]:
    x = _grid(dtype, 1401)
    with mpmath.workdps(40):
        two = 2 / mpmath.sqrt(mpmath.pi)
        return x, np.array([float(two * mpmath.exp(-mpmath.mpf(float(v)) ** 2)) for v in x])


def _ulps(got: np.ndarray, exact: np.ndarray, dtype: str, floor: float | None = None) -> np.ndarray:
    """``|got - exact|`` in units of the dtype's epsilon relative to ``|exact|``, or to ``floor``
    (the dtype's smallest normal number unless given) where ``|exact|`` is smaller."""
    info = np.finfo(dtype)
    scale = np.maximum(np.abs(exact), float(info.smallest_normal) if floor is None else floor)
    return np.asarray(np.abs(got.astype(np.float64) - exact) / scale / float(info.eps))


def _skip_without(backend: Backend, dtype: str) -> None:
    if dtype == "float64" and not backend.has_float64:
        pytest.skip(f"no float64 arrays on {backend!r} here (JAX without x64, a device without float64)")


@pytest.mark.parametrize("formula", sorted(FORMULAS))
@pytest.mark.parametrize("dtype", DTYPES)
def test_erf_values(backend: Backend, dtype: str, formula: str) -> None:
    """Within 4 ulps of mpmath everywhere, +-1 at +-inf, odd, the argument's dtype."""
    _skip_without(backend, dtype)
    x, exact = _erf_reference(dtype)
    xs = backend.asarray(x, dtype)
    out = backend.call(lambda v: FORMULAS[formula](backend.xp, v), xs)
    assert out.dtype == xs.dtype
    got = backend.to_numpy(out)
    assert np.all(np.isfinite(got))
    errors = _ulps(got, exact, dtype)
    worst = int(np.argmax(errors))
    assert errors[worst] <= ULPS, f"{errors[worst]:.1f} ulps at x = {x[worst]!r}"
    np.testing.assert_array_equal(got[x == np.inf], 1.0)
    np.testing.assert_array_equal(got[x == -np.inf], -1.0)


@pytest.mark.parametrize("formula", sorted(FORMULAS))
@pytest.mark.parametrize("dtype", DTYPES)
def test_erf_gradient(autodiff_backend: Backend, dtype: str, formula: str) -> None:
    """The autodiff gradient is ``2 exp(-x^2) / sqrt(pi)`` to within ``16 + 2 x^2`` ulps (the
    exact value's sensitivity to rounding ``x``), finite everywhere, 0 at +-inf. Below
    ``smallest_normal / eps`` errors count against that floor: XLA flushes the subnormal terms of
    the chain rule there (the formula's ``R'(x)`` part, ``~1 / (2 x^2)`` of the gradient)."""
    backend = autodiff_backend
    _skip_without(backend, dtype)
    x, exact = _gradient_reference(dtype)
    def total(v: Any) -> Any:
        return backend.xp.sum(FORMULAS[formula](backend.xp, v))

    xs = backend.asarray(x, dtype)
    if backend.name == "jax":  # compiled: eager JAX compiles each of the formula's operations
        import jax

        g = np.asarray(jax.jit(jax.grad(total))(xs))
    else:
        g = backend.grad(total, xs)
    assert np.all(np.isfinite(g))
    with np.errstate(over="ignore"):
        allowed = 16 + 2 * np.minimum(x.astype(np.float64) ** 2, 1e6)
    info = np.finfo(dtype)
    errors = _ulps(g, exact, dtype, floor=float(info.smallest_normal / info.eps))
    worst = int(np.argmax(errors / allowed))
    assert errors[worst] <= allowed[worst], f"{errors[worst]:.1f} ulps at x = {x[worst]!r}"
    np.testing.assert_array_equal(g[np.isinf(x)], 0.0)


def test_erf_keeps_nan(backend: Backend) -> None:
    for formula in FORMULAS.values():
        x = backend.asarray(np.array([np.nan, 0.5]), "float32")
        got = backend.to_numpy(backend.call(lambda v, f=formula: f(backend.xp, v), x))
        assert np.isnan(got[0])
        assert np.isfinite(got[1])
