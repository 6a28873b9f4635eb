"""Robust regression losses where the generic table does not look: Barron's general loss near its
limits (alpha close to 0 and 2) against mpmath, huge and tiny residuals, gradients at a perfect
prediction, and the identities between the named kernels."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import unilosses as ul
from unilosses._frameworks import BACKENDS, Backend

mpmath = pytest.importorskip("mpmath")

RESIDUALS = np.array([0.0, 1e-4, -0.3, 2.0, -50.0, 1e3])


def _dtypes(backend: Backend) -> list[str]:
    return ["float32", "float64"] if backend.has_float64 else ["float32"]


def _none(backend: Backend, loss: Any, d: np.ndarray, dtype: str, **opts: Any) -> np.ndarray:
    p, t = backend.asarray(d, dtype), backend.asarray(np.zeros_like(d), dtype)
    out = backend.to_numpy(loss(p, t, reduction="none", **opts)).astype(np.float64)
    assert np.all(np.isfinite(out)), (loss.__name__, opts, dtype, out)
    return out


def _barron(x: float, alpha: float, scale: float) -> float:
    """rho(x, alpha, c) in 60-digit arithmetic, from the paper's formula (alpha not 0 or 2)."""
    with mpmath.workdps(60):
        a, z = mpmath.mpf(alpha), (mpmath.mpf(x) / scale) ** 2
        b = abs(a - 2)
        return float(b / a * ((z / b + 1) ** (a / 2) - 1))


# within 1e-30 of 0 and 1e-15 of 2 the limit is taken; the rest goes through expm1/log1p
ALPHAS = [
    1e-9, -1e-9, 1e-6, 1e-25, -1e-31, 2 - 1e-9, 2 + 1e-9, 2 - 1e-6, 2 + 1e-13, 2 - 2**-52,
    2 + 2**-50, 3.0, -7.5, -1e8,
]


@pytest.mark.parametrize("alpha", ALPHAS)
def test_general_robust_near_its_limits_matches_mpmath(backend: Backend, alpha: float) -> None:
    d = RESIDUALS if alpha > -1 else RESIDUALS[:-1]  # keep float32 (d/c)**2 finite
    expected = np.array([_barron(x, alpha, 0.8) for x in d])
    for dtype in _dtypes(backend):
        got = _none(backend, ul.general_robust, d, dtype, alpha=alpha, scale=0.8)
        rtol = 1e-12 if dtype == "float64" else 1e-5
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=1e-300)


def test_general_robust_is_continuous_in_alpha() -> None:
    """Across alpha = 0 and 2 the values move by about the change in alpha, no jump."""
    d = RESIDUALS[1:5]
    for limit in (0.0, 2.0):
        at = _none(BACKENDS["numpy"], ul.general_robust, d, "float64", alpha=limit)
        for h in (1e-31, 4e-16, 1e-12, 1e-8):
            for near in (limit - h, limit + h):
                got = _none(BACKENDS["numpy"], ul.general_robust, d, "float64", alpha=near)
                np.testing.assert_allclose(got, at, rtol=max(50 * h, 1e-14))


def test_log_cosh_of_huge_residuals(backend: Backend) -> None:
    d = np.array([1e4, -1e4, 3e4, 0.0])
    for dtype in _dtypes(backend):
        got = _none(backend, ul.log_cosh, d, dtype)
        rtol = 1e-15 if dtype == "float64" else 1e-7
        np.testing.assert_allclose(got, np.abs(d) - np.where(d == 0, 0, math.log(2)), rtol=rtol)


def test_small_residuals_have_no_cancellation(backend: Backend) -> None:
    """Charbonnier, pseudo-Huber and log-cosh keep their relative precision for tiny d."""
    d = np.array([1e-6, -3e-5, 2e-7])
    for dtype in _dtypes(backend):
        rtol = 1e-12 if dtype == "float64" else 1e-6
        got = _none(backend, ul.charbonnier, d, dtype, epsilon=1e-2)
        np.testing.assert_allclose(got, d**2 / (np.sqrt(d**2 + 1e-4) + 1e-2), rtol=rtol)
        got = _none(backend, ul.pseudo_huber, d, dtype, delta=1.0)
        np.testing.assert_allclose(got, d**2 / (np.sqrt(1 + d**2) + 1), rtol=rtol)
        got = _none(backend, ul.log_cosh, d, dtype)
        with mpmath.workdps(40):
            expected = [float(mpmath.log(mpmath.cosh(mpmath.mpf(x)))) for x in d]
        np.testing.assert_allclose(got, expected, rtol=rtol)


# (loss, options, gradient of the summed loss w.r.t. y_pred at y_pred == y_true)
AT_ZERO = [
    (ul.smooth_l1, {"beta": 0.0}, 0.0),  # |d|: torch's subgradient at 0
    (ul.smooth_l1, {"beta": 1.0}, 0.0),
    (ul.log_cosh, {}, 0.0),
    (ul.quantile, {"q": 0.3}, -0.3),  # the e >= 0 side
    (ul.charbonnier, {"epsilon": 1e-3}, 0.0),
    (ul.pseudo_huber, {"delta": 0.5}, 0.0),
    (ul.cauchy, {"c": 2.0}, 0.0),
    (ul.welsch, {"c": 0.5}, 0.0),
    (ul.geman_mcclure, {"c": 1.0}, 0.0),
    *[
        (ul.general_robust, {"alpha": a, "scale": 0.7}, 0.0)
        for a in (-math.inf, -2.0, 0.0, 0.5, 1.0, 2.0, 4.0, math.inf)
    ],
    (ul.wing, {}, 0.0),
    (ul.l2_loss, {}, 0.0),
    (ul.mean_absolute_error, {}, 0.0),  # torch's subgradient of |d| at 0
    (ul.huber, {"delta": 1.0}, 0.0),
]


@pytest.mark.parametrize(
    ("loss", "opts", "expected"), AT_ZERO, ids=[f"{f.__name__}{o}" for f, o, _ in AT_ZERO]
)
def test_gradient_at_a_perfect_prediction(
    autodiff_backend: Backend, loss: Any, opts: dict[str, Any], expected: float
) -> None:
    backend = autodiff_backend
    t = np.array([[0.0, 1.5, -2.0]])
    for dtype in _dtypes(backend):
        ts = backend.asarray(t, dtype)
        g = backend.grad(
            lambda v, ts=ts: loss(v, ts, reduction="sum", **opts), backend.asarray(t, dtype)
        )
        np.testing.assert_array_equal(g, np.full(t.shape, expected, dtype=g.dtype))


def test_smooth_l1_gradient_matches_torch_at_the_kink() -> None:
    torch = pytest.importorskip("torch")
    t = torch.tensor([0.0, 1.0, -1.0, 2.0])
    for beta in (0.0, 1.0):
        for p in (t.clone(), t + torch.tensor([0.0, 1.0, -1.0, 0.5])):  # d = 0, and |d| == beta
            x, y = p.clone().requires_grad_(True), p.clone().requires_grad_(True)
            torch.nn.functional.smooth_l1_loss(x, t, beta=beta).backward()
            ul.smooth_l1(y, t, beta=beta).backward()
            torch.testing.assert_close(y.grad, x.grad)


def test_identities_between_the_kernels() -> None:
    r = np.random.default_rng(3)
    p, t = 3 * r.normal(size=(4, 6)), r.normal(size=(4, 6))
    d = p - t

    def f(loss: Any, a: np.ndarray = p, b: np.ndarray = t, **kw: Any) -> np.ndarray:
        return np.asarray(loss(a, b, reduction="none", **kw))

    c = 0.7
    close = np.testing.assert_allclose
    close(f(ul.general_robust, alpha=1.0, scale=c), f(ul.pseudo_huber, delta=c) / c**2, rtol=1e-13)
    close(f(ul.general_robust, alpha=-2.0, scale=c), f(ul.geman_mcclure, c=c), rtol=1e-13)
    close(f(ul.general_robust, alpha=0.0, scale=c), f(ul.cauchy, c=c), rtol=1e-13)
    close(f(ul.general_robust, alpha=-math.inf, scale=c), f(ul.welsch, c=c), rtol=1e-13)
    close(f(ul.general_robust, alpha=2.0, scale=c), f(ul.l2_loss, d / c, 0 * d), rtol=1e-13)
    close(f(ul.charbonnier, epsilon=c), f(ul.pseudo_huber, delta=c) / c, rtol=1e-13)
    close(f(ul.smooth_l1, beta=c), f(ul.huber, delta=c) / c, rtol=1e-13)
    close(f(ul.quantile, q=0.5), 0.5 * f(ul.mean_absolute_error), rtol=1e-13)
    close(f(ul.l2_loss), 0.5 * f(ul.mean_squared_error), rtol=1e-13)
    close(f(ul.pinball, q=0.2), f(ul.quantile, q=0.2), rtol=0)
    # kornia's fixed-scale kernels are ours at c = 1 (charbonnier_loss is epsilon = 1)
    close(f(ul.charbonnier, epsilon=1.0), np.sqrt(d**2 + 1) - 1, rtol=1e-13)
    close(f(ul.cauchy), np.log(0.5 * d**2 + 1), rtol=1e-13)
    close(f(ul.welsch), 1 - np.exp(-0.5 * d**2), rtol=1e-13)
    close(f(ul.geman_mcclure), 2 * d**2 / (d**2 + 4), rtol=1e-13)
