"""Focal losses at saturated logits (|x| = 1e4) and at probabilities of exactly 0 and 1.

There ``(1 - p_t)**gamma`` has an infinite derivative for ``gamma < 1`` and a power-based focal
loss gives NaN gradients (Optax issue #1267, kornia #918); unilosses computes the factor in log
space. Values, and gradients of the summed loss, must be finite and exact on every autodiff backend.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pytest

import unilosses as ul
from unilosses import _core
from unilosses._frameworks import BACKENDS, Backend

# right side (p_t -> 1), right, wrong (p_t -> 0), wrong, moderate
BINARY_LOGITS = np.array([[1e4, -1e4, 1e4, -1e4, 0.3]])
BINARY_TARGETS = np.array([[1.0, 0.0, 0.0, 1.0, 1.0]])
# sample 0 right, sample 1 wrong (its target logit 2e4 below the top), sample 2 moderate
CATEGORICAL_LOGITS = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0], [0.3, -0.2, 1.0]])
CATEGORICAL_TARGETS = np.eye(3)[[0, 0, 2]]


def _dtypes(backend: Backend) -> list[str]:
    return ["float32", "float64"] if backend.has_float64 else ["float32"]


def _value_and_grad(
    backend: Backend, loss: Any, x: np.ndarray, t: np.ndarray, dtype: str, **opts: Any
) -> tuple[np.ndarray, np.ndarray]:
    """The unreduced loss and the gradient of the summed loss; both must be finite."""
    xs, ts = backend.asarray(x, dtype), backend.asarray(t, dtype)
    value = backend.to_numpy(loss(xs, ts, reduction="none", **opts)).astype(np.float64)
    grad = backend.grad(lambda v: loss(v, ts, reduction="sum", **opts), xs).astype(np.float64)
    assert np.all(np.isfinite(value)), (loss.__name__, dtype, value)
    assert np.all(np.isfinite(grad)), (loss.__name__, dtype, grad)
    return value, grad


@pytest.mark.parametrize("balancing", [False, True])
@pytest.mark.parametrize("gamma", [0.5, 0.0, 2.0])
def test_binary_saturated_logits(autodiff_backend: Backend, gamma: float, balancing: bool) -> None:
    for dtype in _dtypes(autodiff_backend):
        value, grad = _value_and_grad(
            autodiff_backend, ul.binary_focal_crossentropy, BINARY_LOGITS, BINARY_TARGETS, dtype,
            from_logits=True, gamma=gamma, apply_class_balancing=balancing, alpha=0.25,
        )
        w = np.array([0.25, 0.75, 0.75, 0.25]) if balancing else np.ones(4)
        # right side: loss and gradient 0; wrong side: loss |x|, gradient -+1 (times the weight)
        np.testing.assert_allclose(value[0, :4], w * [0, 0, 1e4, 1e4], rtol=1e-6)
        np.testing.assert_allclose(grad[0, :4], w * [0, 0, 1, -1], rtol=1e-6, atol=1e-30)


@pytest.mark.parametrize("gamma", [0.5, 0.0, 2.0])
def test_categorical_saturated_logits(autodiff_backend: Backend, gamma: float) -> None:
    for dtype in _dtypes(autodiff_backend):
        value, grad = _value_and_grad(
            autodiff_backend, ul.categorical_focal_crossentropy, CATEGORICAL_LOGITS,
            CATEGORICAL_TARGETS, dtype, from_logits=True, gamma=gamma, alpha=0.25,
        )
        np.testing.assert_allclose(value[:2], [0.0, 0.25 * 2e4], rtol=1e-6)
        np.testing.assert_allclose(grad[:2], [[0, 0, 0], [-0.25, 0.25, 0]], rtol=1e-6, atol=1e-30)


EPS = 1e-7  # Keras' clip of probabilities


def _clip_bounds(dtype: str) -> tuple[float, float]:
    """``[1e-7, 1 - 1e-7]`` as the dtype holds them (float32: 1 - 1e-7 is 1 - 2**-23)."""
    return float(np.asarray(EPS, dtype=dtype)), float(np.asarray(1 - EPS, dtype=dtype))


def _binary_focal_np(p: np.ndarray, t: np.ndarray, gamma: float, dtype: str) -> np.ndarray:
    """Keras' binary focal cross-entropy of probabilities (no class balancing), float64, with the
    clipped probability in ``p_t`` too (as documented)."""
    q = np.clip(p, *_clip_bounds(dtype))
    p_t = t * q + (1 - t) * (1 - q)
    return np.asarray((1 - p_t) ** gamma * -(t * np.log(q) + (1 - t) * np.log1p(-q)))


def _categorical_focal_np(p: np.ndarray, t: np.ndarray, gamma: float, dtype: str) -> np.ndarray:
    """Keras' categorical focal cross-entropy (alpha 0.25): probabilities divided by their sum,
    clipped, then ``-alpha (1 - q)**gamma t log q`` summed over the classes."""
    q = np.clip(p / p.sum(axis=-1, keepdims=True), *_clip_bounds(dtype))
    return np.asarray((-0.25 * (1 - q) ** gamma * t * np.log(q)).sum(axis=-1))


def _central_difference(f: Any, x: np.ndarray, h: float = 1e-9) -> np.ndarray:
    """d sum(f) / dx; the step stays inside the clipped regions (beyond 1e-7 of 0 and 1)."""
    g = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        g[idx] = (f(x + e).sum() - f(x - e).sum()) / (2 * h)
    return g


@pytest.mark.parametrize("gamma", [0.5, 0.25])
def test_probabilities_of_zero_and_one(autodiff_backend: Backend, gamma: float) -> None:
    """Probabilities are clipped to [1e-7, 1 - 1e-7] (Keras): values of the clipped formula and
    gradients of 0 at probabilities of exactly 0 and 1 (the clip is flat there); the moderate
    entry's gradient is that of the float64 formula."""
    p = np.array([[1.0, 0.0, 1.0, 0.0, 0.3]])
    c = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    cases = (
        (ul.binary_focal_crossentropy, _binary_focal_np, p, BINARY_TARGETS),
        (ul.categorical_focal_crossentropy, _categorical_focal_np, c, np.eye(3)[[0, 0]]),
    )
    for dtype in _dtypes(autodiff_backend):
        rtol = 1e-6 if dtype == "float64" else 1e-5
        for loss, reference, x, t in cases:
            value, grad = _value_and_grad(autodiff_backend, loss, x, t, dtype, gamma=gamma)
            held = x.astype(dtype).astype(np.float64)  # the values the backend holds
            f = partial(reference, t=t, gamma=gamma, dtype=dtype)
            expected = _central_difference(f, held)
            np.testing.assert_allclose(value, f(held), rtol=rtol)
            np.testing.assert_array_equal(grad[expected == 0], 0.0)
            np.testing.assert_allclose(grad, expected, rtol=rtol, atol=0.0)
        # the binary case's one unclipped entry has a gradient, the others none
        f = partial(_binary_focal_np, t=BINARY_TARGETS, gamma=gamma, dtype=dtype)
        assert np.count_nonzero(_central_difference(f, p)) == 1


def test_masked_logits(autodiff_backend: Backend) -> None:
    """A class masked with a logit of -inf (and target 0) contributes nothing, gradients finite."""
    x = np.array([[-np.inf, 2.0, 1.0], [0.5, -np.inf, -np.inf]])
    t = np.eye(3)[[1, 0]]
    loss = ul.categorical_focal_crossentropy
    value, _ = _value_and_grad(
        autodiff_backend, loss, x, t, "float32", from_logits=True, gamma=0.5
    )
    np.testing.assert_allclose(value[1], 0.0, atol=1e-30)
    expected = loss(x[:1, 1:], t[:1, 1:], from_logits=True, gamma=0.5, reduction="none")
    np.testing.assert_allclose(value[0], expected[0], rtol=1e-6)


def _log_softmax_and_log1m_np(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log softmax, and log(1 - softmax) class by class as the other classes' log-sum-exp."""
    lse = np.logaddexp.reduce(x, axis=-1, keepdims=True)
    others = [np.logaddexp.reduce(np.delete(x, k, axis=-1), axis=-1) for k in range(x.shape[-1])]
    return x - lse, np.stack(others, axis=-1) - lse


# tied maxima, a unique saturated maximum, a moderate row, far-off offsets (a tie among them)
LOG1M_INPUTS = np.array(
    [
        [1.0, 1.0, 0.0],
        [2.0, 2.0, 2.0],
        [1e4, 0.0, 0.0],
        [0.3, -1.2, 2.5],
        [1e3 + 1, 1e3, 1e3 - 3],
        [1e4, 1e4, -1e4],
    ]
)


def test_log_softmax_and_log1m_are_exact() -> None:
    """Both exact to the dtype, also for logits near 1e4 (computed relative to the maximum)."""
    for name in ("numpy", "array_api_strict", "torch", "jax", "tensorflow", "dask"):
        backend = BACKENDS[name]
        if backend.unavailable():
            continue
        dtype = "float64" if backend.has_float64 else "float32"
        x = backend.asarray(LOG1M_INPUTS, dtype)
        got = _core.log_softmax_and_log1m(backend.xp, x, -1)
        tol = 1e-12 if dtype == "float64" else 1e-6  # the reference itself errs by ~1e-13 at 1e3
        for g, expected in zip(got, _log_softmax_and_log1m_np(LOG1M_INPUTS), strict=True):
            np.testing.assert_allclose(
                backend.to_numpy(g), expected, rtol=tol, atol=tol, err_msg=name
            )


def test_log_softmax_and_log1m_gradient(autodiff_backend: Backend) -> None:
    """Exact gradients, tied maxima included (central differences of the float64 formula)."""
    backend = autodiff_backend
    if not backend.has_float64:
        pytest.skip("JAX runs without x64 in this session")
    x = LOG1M_INPUTS[[0, 1, 3]]
    w = np.array([0.3, -1.1, 0.7])  # weighted sums, so every class's gradient counts
    xs, ws = backend.asarray(x, "float64"), backend.asarray(w, "float64")
    xp = backend.xp

    def f(v: Any) -> Any:
        log_p, log_1mp = _core.log_softmax_and_log1m(xp, v, -1)
        return xp.sum(log_1mp * ws) + xp.sum(log_p * (ws * ws))

    def f_np(v: np.ndarray) -> float:
        log_p, log_1mp = _log_softmax_and_log1m_np(v)
        return float((log_1mp @ w).sum() + (log_p @ (w * w)).sum())

    grad = backend.grad(f, xs)
    h, expected = 1e-6, np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        expected[idx] = (f_np(x + e) - f_np(x - e)) / (2 * h)
    np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-9)
