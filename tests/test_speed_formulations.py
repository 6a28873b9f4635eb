"""Formulations chosen for speed, checked where the generic table does not look: the sorted
sparsemax threshold against the pairwise one (which only Dask runs), hinge's {0, 1} target
detection on mixed targets, and log-cosh on both sides of its switch at |d| = 20 (values against
mpmath, gradients against tanh)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import unilosses as ul
from unilosses import _core, _namespace
from unilosses._frameworks import Backend
from unilosses.losses.classification import sparsemax

mpmath = pytest.importorskip("mpmath")


def _dtype(backend: Backend) -> str:
    return "float64" if backend.has_float64 else "float32"


def _scores() -> np.ndarray:
    """Scores with tied classes inside and at the edge of the support, and masked (-inf) ones."""
    r = np.random.default_rng(5)
    z = r.normal(size=(48, 6))
    z[:8, :3] = 0.25  # a tied top group
    z[8:16, 1:3] = z[8:16, :1] - 0.5  # ties below the top
    z[16:24] = np.round(z[16:24])  # many ties
    z[24:32, 3:] = -np.inf
    z[32:36] = np.array([3.0, 1.0, 1.0, 0.0, -1.0, -5.0])  # support edge exactly at a tie
    return z - z.max(axis=-1, keepdims=True)


def test_sorted_sparsemax_matches_the_pairwise_one(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    dtype = _dtype(backend)
    z = backend.asarray(_scores(), dtype)
    xp = _core.array_namespace(z)
    p_sorted, s_sorted = (backend.to_numpy(a) for a in sparsemax._sparsemax(xp, z))
    monkeypatch.setattr(_namespace, "capable", lambda xp, capability: False)  # no sort
    p_pair, s_pair = (backend.to_numpy(a) for a in sparsemax._sparsemax(xp, z))
    tol = 1e-12 if dtype == "float64" else 2e-6
    np.testing.assert_allclose(p_sorted, p_pair, rtol=tol, atol=tol)
    np.testing.assert_allclose(p_sorted.sum(axis=-1), 1.0, rtol=tol)
    # the supports agree wherever a probability is clearly nonzero
    clear = p_pair > 10 * tol
    assert np.array_equal(s_sorted[clear], s_pair[clear])
    assert not s_sorted[24:32, 3:].any()  # masked classes are never in it


def test_sorted_sparsemax_loss_gradient(autodiff_backend: Backend) -> None:
    """The loss' gradient is ``sparsemax(z) - onehot(y)``, through the sort as well."""
    b = autodiff_backend
    z = _scores()[:24]  # finite scores
    y = np.argmax(z, axis=-1)
    y[::3] = 1
    labels = b.asarray(y)

    def total(s: Any) -> Any:
        return ul.multiclass_sparsemax_loss(s, labels, reduction="sum")

    got = b.grad(total, b.asarray(z, _dtype(b)))
    assert got is not None
    p = _reference_sparsemax(z)
    expected = p - np.eye(z.shape[1])[y]
    tol = 1e-10 if _dtype(b) == "float64" else 2e-5
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)


def _reference_sparsemax(z: np.ndarray) -> np.ndarray:
    out = np.zeros_like(z)
    for n, s in enumerate(z):
        desc = np.sort(s)[::-1]
        k = np.arange(1, len(s) + 1)
        size = k[1 + k * desc > np.cumsum(desc)].max()
        tau = (desc[:size].sum() - 1) / size
        out[n] = np.maximum(s - tau, 0)
    return out


@pytest.mark.parametrize(
    "targets",
    [
        [0.0, 1.0, 1.0, 0.0],  # {0, 1}: read as {-1, 1}
        [-1.0, 1.0, 1.0, -1.0],
        [0.0, 1.0, 0.5, 0.0],  # not all 0 or 1: used as given
        [0.0, 0.0, 0.0, 0.0],
        [1.0, 1.0, 2.0, 1.0],
        [-0.0, 1.0, 1.0, 1.0],
    ],
)
def test_hinge_reads_binary_targets_as_keras(backend: Backend, targets: list[float]) -> None:
    t = np.array(targets)
    x = np.array([0.3, -2.0, 0.7, 1.5])
    signed = 2 * t - 1 if np.all((t == 0) | (t == 1)) else t
    dtype = _dtype(backend)
    for loss, square in ((ul.hinge, False), (ul.squared_hinge, True)):
        got = backend.to_numpy(
            loss(backend.asarray(x, dtype), backend.asarray(t, dtype), reduction="none")
        )
        h = np.maximum(1 - signed * x, 0)
        np.testing.assert_allclose(got, h * h if square else h, rtol=1e-6)


# residuals around the switch at 20, tiny ones and huge ones
LOG_COSH_D = np.array([1e-7, -3e-4, 0.02, 0.7, -1.3, 5.0, 19.0, -19.999, 20.0, 20.001, -24.0, 80.0])


def test_log_cosh_values_across_the_switch(backend: Backend) -> None:
    dtype = _dtype(backend)
    d = LOG_COSH_D
    got = backend.to_numpy(
        ul.log_cosh(backend.asarray(d, dtype), backend.asarray(np.zeros_like(d), dtype), reduction="none")
    ).astype(np.float64)
    with mpmath.workdps(40):
        expected = [float(mpmath.log(mpmath.cosh(mpmath.mpf(x)))) for x in d]
    eps = float(np.finfo(dtype).eps)
    np.testing.assert_allclose(got, expected, rtol=4 * eps)


def test_log_cosh_gradient_is_tanh(autodiff_backend: Backend) -> None:
    b = autodiff_backend
    dtype = _dtype(b)
    d = LOG_COSH_D
    zero = b.asarray(np.zeros_like(d), dtype)
    got = b.grad(lambda p: ul.log_cosh(p, zero, reduction="sum"), b.asarray(d, dtype))
    assert got is not None
    eps = float(np.finfo(dtype).eps)
    np.testing.assert_allclose(got, np.tanh(d), rtol=4 * eps, atol=math.ulp(1.0) if dtype == "float64" else 0)
