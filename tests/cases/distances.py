"""Distances between point clouds: the Sinkhorn divergence and the maximum mean discrepancy.

References are float64 NumPy, written from the papers: Sinkhorn's log-domain iterations as Cuturi
(2013) and Feydy et al. (2019) write them, run for the same number of steps as the loss (so that
gradients are the unrolled iterations' too), and the MMD estimators of Gretton et al. (2012).
Natives: geomloss (torch session; its epsilon-scaling run from ``diameter`` just above ``blur``
with ``scaling`` near 1, so that it iterates at the final temperature until it converges) and POT
(NumPy session: its Sinkhorn plan, whose entropic objective is OT_eps).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.natives import geomloss, ot

from . import Case


def _logsumexp(z: np.ndarray, axis: int) -> np.ndarray:
    m = z.max(axis=axis, keepdims=True)
    return np.squeeze(np.log(np.exp(z - m).sum(axis=axis, keepdims=True)) + m, axis=axis)


def _cost(x: np.ndarray, y: np.ndarray, p: float) -> np.ndarray:
    """|x_i - y_j|^p / p."""
    d = np.sqrt(((x[:, None, :] - y[None, :, :]) ** 2).sum(-1))
    return d**p / p


def _ot_eps(x: np.ndarray, y: np.ndarray, a: np.ndarray, b: np.ndarray, epsilon: float, p: float, n_iter: int) -> float:
    """OT_eps(a, b) of one pair of clouds: n_iter alternating log-domain Sinkhorn updates
    f_i = -eps log sum_j b_j exp((g_j - C_ij) / eps), g_j = -eps log sum_i a_i exp((f_i - C_ij) /
    eps) from g = 0; the dual value <a, f> + <b, g>."""
    c = _cost(x, y, p)
    with np.errstate(divide="ignore"):
        log_a, log_b = np.log(a), np.log(b)
    g = np.zeros(len(y))
    for _ in range(n_iter):
        f = -epsilon * _logsumexp(log_b[None, :] + (g[None, :] - c) / epsilon, 1)
        g = -epsilon * _logsumexp(log_a[:, None] + (f[:, None] - c) / epsilon, 0)
    return float(a @ f + b @ g)


def _sinkhorn(
    x: np.ndarray,
    y: np.ndarray,
    a: np.ndarray | None = None,
    b: np.ndarray | None = None,
    *,
    epsilon: float = 0.1,
    p: float = 2.0,
    n_iter: int = 100,
    debias: bool = True,
) -> np.ndarray:
    out = np.zeros(x.shape[0])
    for k in range(x.shape[0]):
        wa = np.full(x.shape[1], 1 / x.shape[1]) if a is None else a[k]
        wb = np.full(y.shape[1], 1 / y.shape[1]) if b is None else b[k]
        out[k] = _ot_eps(x[k], y[k], wa, wb, epsilon, p, n_iter)
        if debias:
            out[k] -= 0.5 * (
                _ot_eps(x[k], x[k], wa, wa, epsilon, p, n_iter) + _ot_eps(y[k], y[k], wb, wb, epsilon, p, n_iter)
            )
    return out


def _pot_ot_eps(x: np.ndarray, y: np.ndarray, a: np.ndarray, b: np.ndarray, epsilon: float, p: float) -> float:
    """<P, M> + eps KL(P || a b^T) for POT's entropic plan P (M the cost |x - y|^p / p)."""
    metric = "sqeuclidean" if p == 2 else "euclidean"
    m = ot().dist(x, y, metric=metric) / p
    plan = ot().sinkhorn(a, b, m, epsilon, method="sinkhorn_log", numItermax=10000, stopThr=1e-13)
    ab = a[:, None] * b[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        kl = np.where(plan > 0, plan * np.log(plan / ab), 0.0).sum()
    return float((plan * m).sum() + epsilon * kl)


def _pot(epsilon: float, p: float = 2.0, debias: bool = True) -> Any:
    """The mean over the batch of POT's OT_eps (debiased: minus the symmetric terms' halves)."""

    def native(*arrays: np.ndarray) -> float:
        x, y, *w = (np.asarray(v, dtype=np.float64) for v in arrays)
        out = []
        for k in range(x.shape[0]):
            # (weights rounded to float32 sum to 1 within 1e-8; POT's balanced plan needs equal masses)
            a = w[0][k] / w[0][k].sum() if w else np.full(x.shape[1], 1 / x.shape[1])
            b = w[1][k] / w[1][k].sum() if w else np.full(y.shape[1], 1 / y.shape[1])
            value = _pot_ot_eps(x[k], y[k], a, b, epsilon, p)
            if debias:
                value -= 0.5 * (_pot_ot_eps(x[k], x[k], a, a, epsilon, p) + _pot_ot_eps(y[k], y[k], b, b, epsilon, p))
            out.append(value)
        return float(np.mean(out))

    return native


def _geomloss(epsilon: float, p: int = 2, debias: bool = True) -> Any:
    """geomloss's SamplesLoss("sinkhorn") with blur = epsilon^(1/p), iterating near epsilon."""

    def native(*arrays: Any) -> Any:
        blur = epsilon ** (1 / p)
        loss = geomloss().SamplesLoss(
            "sinkhorn", p=p, blur=blur, diameter=1.001 * blur, scaling=1 - 1e-5, debias=debias
        )
        if len(arrays) == 4:  # weighted: loss(a, x, b, y)
            x, y, a, b = arrays
            return loss(a, x, b, y).mean()
        return loss(*arrays).mean()

    return native


def _gram(x: np.ndarray, y: np.ndarray, kernel: str, bandwidth: float) -> np.ndarray:
    d2 = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    if kernel == "gaussian":
        return np.exp(-d2 / (2 * bandwidth**2))
    d = np.sqrt(d2)
    return np.exp(-d / bandwidth) if kernel == "laplacian" else -d


def _mmd(x: np.ndarray, y: np.ndarray, kernel: str = "gaussian", bandwidth: float = 1.0, estimator: str = "unbiased") -> np.ndarray:
    """Gretton et al. (2012): the U-statistic (within-cloud means over distinct pairs) or the
    V-statistic (all pairs) of E k(x, x') + E k(y, y') - 2 E k(x, y)."""
    out = np.zeros(x.shape[0])
    for k in range(x.shape[0]):
        kxx, kyy = _gram(x[k], x[k], kernel, bandwidth), _gram(y[k], y[k], kernel, bandwidth)
        n, m = len(x[k]), len(y[k])
        if estimator == "unbiased":
            within = (kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
        else:
            within = kxx.mean() + kyy.mean()
        out[k] = within - 2 * _gram(x[k], y[k], kernel, bandwidth).mean()
    return out


POINTS = ("x", "y")
CASES = [
    Case(
        "sinkhorn_divergence",
        "point_clouds",
        _sinkhorn,
        {"epsilon": 1.0, "n_iter": 3},
        natives={"geomloss": _geomloss(1.0), "ot": _pot(1.0)},
        names=POINTS,
        same_shape=False,
        bad_options=(
            ({"epsilon": 0.0}, ValueError, "epsilon"),
            ({"p": 0.5}, ValueError, "p"),
            ({"n_iter": 0}, ValueError, "n_iter"),
            ({"n_iter": 2.5}, TypeError, "n_iter"),
            ({"debias": 1}, TypeError, "debias"),
        ),
    ),
    Case(
        "sinkhorn_divergence",
        "weighted_point_clouds",
        _sinkhorn,
        {"epsilon": 1.0, "n_iter": 3, "p": 1.0, "debias": False},
        natives={"geomloss": _geomloss(1.0, p=1, debias=False), "ot": _pot(1.0, p=1.0, debias=False)},
        names=POINTS,
        same_shape=False,
    ),
    Case(
        "mmd",
        "point_clouds",
        _mmd,
        names=POINTS,
        same_shape=False,
        nonnegative=False,  # the unbiased estimate can be negative
        bad_options=(
            ({"kernel": "rbf"}, ValueError, "kernel"),
            ({"estimator": "v"}, ValueError, "estimator"),
            ({"bandwidth": -1.0}, ValueError, "bandwidth"),
        ),
    ),
    Case(
        "mmd",
        "point_clouds",
        _mmd,
        {"estimator": "biased"},
        # geomloss's kernel losses are half the biased estimate
        natives={"geomloss": lambda x, y: 2 * geomloss().SamplesLoss("gaussian", blur=1.0)(x, y).mean()},
        names=POINTS,
        same_shape=False,
    ),
    Case(
        "mmd",
        "point_clouds",
        _mmd,
        {"kernel": "laplacian", "bandwidth": 0.5},
        names=POINTS,
        same_shape=False,
        nonnegative=False,
    ),
    Case(
        "mmd",
        "point_clouds",
        _mmd,
        {"kernel": "energy", "estimator": "biased"},
        names=POINTS,
        same_shape=False,
    ),
]
