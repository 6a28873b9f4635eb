"""What the table cannot say about the classification extras: the asymmetric loss with its
focusing weight held constant (timm's ``disable_torch_grad_focal_loss``), LDAM's class counts
refused, and the two algorithms of the 1.5-entmax support on ties."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import unilosses as ul
from tests.cases.class_extras import _asl_multilabel, _asl_single
from unilosses import _core, _namespace
from unilosses._examples import make_inputs
from unilosses._frameworks import Backend


def _numeric_grad(f: Any, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        g[idx] = (f(x + e) - f(x - e)) / (2 * h)
    return g


@pytest.mark.parametrize("kind", ["binary_logits", "sparse_logits"])
def test_asymmetric_weight_without_gradient(kind: str, autodiff_backend: Backend) -> None:
    """``focal_gradient=False``: the same value, and the gradient of the loss with the focusing
    weight frozen at its value (the cross-entropy part differentiated alone)."""
    backend = autodiff_backend
    x, y = make_inputs(kind, n=4, c=5)
    reference = _asl_multilabel if kind == "binary_logits" else _asl_single

    def frozen(v: np.ndarray) -> float:  # weight w(x) at x, cross-entropy at v: ratio of the two
        plain = reference(v, y, gamma_pos=0.0, gamma_neg=0.0)
        weighted, unweighted = reference(x, y), reference(x, y, gamma_pos=0.0, gamma_neg=0.0)
        w = np.divide(weighted, unweighted, out=np.zeros_like(weighted), where=unweighted > 0)
        return float(np.mean(plain * w))

    dtype = "float64" if backend.has_float64 else "float32"
    xs, ys = backend.asarray(x, dtype), backend.asarray(y, dtype)
    got = backend.grad(lambda v: ul.asymmetric_loss(v, ys, focal_gradient=False), xs)
    rtol, atol = (1e-6, 1e-9) if dtype == "float64" else (2e-3, 2e-5)
    np.testing.assert_allclose(got, _numeric_grad(frozen, x), rtol=rtol, atol=atol)
    with_gradient = backend.grad(lambda v: ul.asymmetric_loss(v, ys), xs)
    assert not np.allclose(with_gradient, got, rtol=1e-3)
    value = ul.asymmetric_loss(xs, ys, focal_gradient=False)
    np.testing.assert_allclose(backend.to_numpy(value), np.mean(reference(x, y)), rtol=rtol)


@pytest.mark.parametrize(
    ("counts", "error", "text"),
    [
        (np.array([10, 5, 3]), ValueError, r"class_counts must have shape \(5,\)"),
        (np.array([10, 5, 0, 3, 2]), ValueError, "class_counts must hold positive values"),
        ("many", TypeError, "class_counts"),
    ],
)
def test_ldam_refuses_bad_class_counts(counts: Any, error: type[Exception], text: str, backend: Backend) -> None:
    x, y, _ = make_inputs("sparse_logits_counts")
    xs, ys = backend.asarray(x, "float32"), backend.asarray(y)
    if isinstance(counts, np.ndarray):
        counts = backend.asarray(counts)
        if "positive" in text and not _namespace.can_inspect(counts):  # lazy: NaN, not a number
            assert np.all(np.isnan(backend.to_numpy(ul.ldam(xs, ys, counts, reduction="none"))))
            return
    with pytest.raises(error, match=text):
        ul.ldam(xs, ys, counts)


def test_ldam_class_counts_of_another_library() -> None:
    strict = pytest.importorskip("array_api_strict")
    x, y, n = make_inputs("sparse_logits_counts")
    with pytest.raises(TypeError, match="class_counts is a"):
        ul.ldam(x, y, strict.asarray(n))


def test_entmax15_support_sorted_and_pairwise(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both algorithms give the support of the exact 1.5-entmax, ties at its edge included."""
    import array_api_compat.numpy as xp

    rng = np.random.default_rng(0)
    z = np.round(rng.normal(size=(200, 6)), 1) / 2  # many ties
    z[0] = [0.0, 0.0, -0.5, -0.5, -0.5, -3.0]  # a tie group straddling nothing, one far below
    z[1] = 0.0  # all tied
    z = z - z.max(axis=1, keepdims=True)
    tau = np.array([_tau(row) for row in z])
    sorted_support = _core.entmax15_support(xp, z)
    monkeypatch.setattr(_namespace, "capable", lambda xp, name: False)
    pairwise = _core.entmax15_support(xp, z)
    clear = np.abs(z - tau[:, None]) > 1e-9  # (entries at the threshold have p = 0 either way)
    np.testing.assert_array_equal(sorted_support[clear], (z > tau[:, None])[clear])
    np.testing.assert_array_equal(pairwise, sorted_support)


def _tau(z: np.ndarray) -> float:
    """The root of ``sum max(z - tau, 0)**2 = 1`` by bisection."""
    lo, hi = z.max() - 1, z.max()
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if (np.maximum(z - mid, 0) ** 2).sum() >= 1 else (lo, mid)
    return lo
