"""Edges of the likelihood regression losses and the divergences that the generic table cannot
express: zero vectors, invalid variances, -inf log-probabilities and symmetry."""

from __future__ import annotations

import numpy as np
import pytest

import unilosses as ul
from unilosses._frameworks import Backend
from unilosses._namespace import can_inspect

with np.errstate(divide="ignore"):
    LOG_Q = np.log(np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]]))
    LOG_P = np.log(np.array([[0.25, 0.75, 0.0], [0.0, 0.5, 0.5]]))


def _dtype(backend: Backend) -> str:
    return "float64" if backend.has_float64 else "float32"


def test_cosine_similarity_of_zero_vectors_is_zero_with_a_finite_gradient(
    autodiff_backend: Backend,
) -> None:
    backend = autodiff_backend
    p = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 2.0], [3.0, 0.0, 4.0]])
    t = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [3.0, 0.0, 4.0]])
    xp_, xt = backend.asarray(p, _dtype(backend)), backend.asarray(t, _dtype(backend))
    out = backend.to_numpy(ul.cosine_similarity_loss(xp_, xt, reduction="none"))
    np.testing.assert_allclose(out, [0.0, 0.0, -1.0], atol=1e-6)
    g = backend.grad(lambda x: ul.cosine_similarity_loss(x, xt), xp_)
    assert np.all(np.isfinite(g))
    # the unit vector's gradient is orthogonal to it; a zero prediction is pushed toward t
    assert np.all(g[0] < 0)
    np.testing.assert_allclose(g[1], 0.0, atol=1e-12)
    np.testing.assert_allclose(g[2], 0.0, atol=1e-6)


def test_gaussian_nll_refuses_bad_variances(backend: Backend) -> None:
    p = backend.asarray(np.zeros((4, 3)), "float32")
    t = backend.asarray(np.ones((4, 3)), "float32")
    for shape in ((4, 2), (3,), (4, 3, 1), (1, 1, 3)):
        with pytest.raises(ValueError, match="var"):
            ul.gaussian_nll(p, t, backend.asarray(np.ones(shape), "float32"))
    with pytest.raises(TypeError, match="var"):
        ul.gaussian_nll(p, t, backend.asarray(np.ones((4, 3), dtype=np.int64)))
    with pytest.raises(TypeError, match="var"):
        ul.gaussian_nll(p, t, np.ones((4, 3)) if backend.name != "numpy" else [1.0] * 3)
    with pytest.raises(ValueError, match="var"):
        ul.gaussian_nll(p, t, -1.0)
    negative = backend.asarray(np.full((4, 3), -1.0), "float32")
    if can_inspect(negative):
        with pytest.raises(ValueError, match="var has negative entries"):
            ul.gaussian_nll(p, t, negative)
    else:  # lazy or traced arrays are never synced to check values: the result is the clamped one
        ul.gaussian_nll(p, t, negative)


def test_gaussian_nll_accepts_torch_shapes(backend: Backend) -> None:
    rng = np.random.default_rng(0)
    p, t = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 4))
    for shape in ((2, 3, 4), (2, 3), (2, 3, 1), (2, 1, 4), (1, 3, 4)):
        v = rng.uniform(0.5, 2.0, size=shape)
        vb = v[..., None] if len(shape) == 2 else v
        expected = 0.5 * (np.log(vb) + (p - t) ** 2 / vb)
        xs = [backend.asarray(a, "float32") for a in (p, t, v)]
        out = backend.to_numpy(ul.gaussian_nll(*xs, reduction="none"))
        np.testing.assert_allclose(out, np.broadcast_to(expected, p.shape), rtol=2e-5, atol=1e-6)


def test_kl_divergence_with_minus_infinity_log_probabilities(backend: Backend) -> None:
    """-inf log-probabilities where the target has no mass: finite values (torch and Optax give
    NaN for -inf targets), equal to dropping those classes."""
    dtype = _dtype(backend)
    log_q, log_p = LOG_Q, LOG_P
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.exp(log_p)
        expected = np.where(p > 0, p * (log_p - log_q), 0.0).sum(-1)
    q_b, p_b = backend.asarray(log_q, dtype), backend.asarray(log_p, dtype)
    for kw in ({"log_target": True}, {}):
        target = p_b if kw else backend.asarray(p, dtype)
        out = backend.to_numpy(
            ul.kl_divergence(q_b, target, log_input=True, reduction="none", **kw)
        )
        assert np.all(np.isfinite(out))
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-7)


def test_kl_divergence_gradient_is_finite_at_minus_infinity(autodiff_backend: Backend) -> None:
    backend = autodiff_backend
    dtype = _dtype(backend)
    log_q, log_p = LOG_Q, LOG_P
    q_b, p_b = backend.asarray(log_q, dtype), backend.asarray(log_p, dtype)
    g = backend.grad(lambda x: ul.kl_divergence(x, p_b, log_input=True, log_target=True), q_b)
    # d/d log q of sum(-p log q) / N = -p / N: 0 where the target has no mass
    np.testing.assert_allclose(g, -np.exp(log_p) / 2, rtol=1e-5, atol=1e-7)


def test_jensen_shannon_is_symmetric_bounded_and_finite_with_zeros(backend: Backend) -> None:
    rng = np.random.default_rng(3)
    q = rng.dirichlet(np.ones(5), size=6)
    p = rng.dirichlet(np.ones(5), size=6)
    q[0], p[0] = [1, 0, 0, 0, 0], [0, 1, 0, 0, 0]  # disjoint supports: log 2
    q[1, :2], p[1, 1:3] = 0.0, 0.0
    dtype = _dtype(backend)
    a, b = backend.asarray(q, dtype), backend.asarray(p, dtype)
    ab = backend.to_numpy(ul.jensen_shannon_divergence(a, b, reduction="none"))
    ba = backend.to_numpy(ul.jensen_shannon_divergence(b, a, reduction="none"))
    np.testing.assert_allclose(ab, ba, rtol=1e-6, atol=1e-7)
    assert np.all(np.isfinite(ab))
    assert np.all(ab >= -1e-7)
    assert np.all(ab <= np.log(2) + 1e-6)
    np.testing.assert_allclose(ab[0], np.log(2), rtol=1e-6)
    same = backend.to_numpy(ul.jensen_shannon_divergence(a, a, reduction="none"))
    np.testing.assert_allclose(same, 0.0, atol=1e-6)
