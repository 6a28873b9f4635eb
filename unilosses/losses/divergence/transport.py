"""Entropic optimal transport between point clouds: the (debiased) Sinkhorn divergence.

Sinkhorn's iterations run in the log domain for a fixed number of steps (no data-dependent loop),
so the loss traces and compiles, and autodiff differentiates through every step (memory grows
with ``n_iter``). The steps are one loop (``_core.repeat``): where the library compiles loops
the step is compiled once, elsewhere a traced call holds ``n_iter`` copies of it (compile time
grows with ``n_iter``).
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

from ... import _core
from ._points import count, distances, point_clouds, squared_distances

Array = Any

__all__ = ["sinkhorn_divergence"]


def _cost(xp: ModuleType, x: Array, y: Array, p: float) -> Array:
    """``|x_i - y_j|^p / p`` (geomloss's ground cost)."""
    squared = squared_distances(xp, x, y)
    if p == 2:
        return squared / 2
    d = distances(xp, squared)
    return d if p == 1 else d**p / p


def _log_weights(xp: ModuleType, w: Array | None, points: Array) -> Array:
    """``log w`` per point (``(..., n)``), uniform ``-log n`` without weights; a zero weight's log
    is a large negative number, so the point takes no mass."""
    if w is None:
        n = count(xp, points[..., 0], -1)
        log_n = math.log(n) if isinstance(n, int) else xp.log(n)[..., None]
        return xp.zeros_like(points[..., 0]) - log_n
    zero = w == 0
    return xp.where(zero, _core.LOG_ZERO, xp.log(xp.where(zero, 1, w)))


def _softmin(xp: ModuleType, scaled_cost: Array, h: Array, epsilon: float, axis: int = -1) -> Array:
    """``-eps log sum_j exp(h_j - C_ij / eps)`` with ``scaled_cost = C / eps``, over ``j`` along
    the cost's last axis (``axis=-1``) or its first point axis (``axis=-2``)."""
    h = h[..., None, :] if axis == -1 else h[..., :, None]
    return -epsilon * _core.logsumexp(xp, h - scaled_cost, axis)


def _transport(
    xp: ModuleType,
    cost: Array,
    log_a: Array,
    log_b: Array,
    epsilon: float,
    n_iter: int,
    symmetric: bool = False,
) -> Array:
    """``OT_eps(a, b)``: alternating updates of the dual potentials ``f``, ``g``, then the dual
    value ``<a, f> + <b, g>`` (the last update of ``g`` makes ``b``'s marginal exact, where the
    dual's entropic term vanishes). A ``symmetric`` cost (a cloud with itself) is read along its
    last axis for both updates."""
    scaled = cost / epsilon
    axis = -1 if symmetric else -2

    def step(potentials: tuple[Array, Array]) -> tuple[Array, Array]:
        f = _softmin(xp, scaled, log_b + potentials[1] / epsilon, epsilon)
        return f, _softmin(xp, scaled, log_a + f / epsilon, epsilon, axis=axis)

    f, g = _core.repeat(xp, n_iter, step, (xp.zeros_like(log_a), xp.zeros_like(log_b)))
    return xp.sum(xp.exp(log_a) * f, axis=-1) + xp.sum(xp.exp(log_b) * g, axis=-1)


def sinkhorn_divergence(
    x: Array,
    y: Array,
    x_weights: Array | None = None,
    y_weights: Array | None = None,
    *,
    epsilon: float = 0.1,
    p: float = 2.0,
    n_iter: int = 100,
    debias: bool = True,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Debiased Sinkhorn divergence between the point clouds ``x`` and ``y`` (Feydy et al. 2019).

    .. math::
        S_\\varepsilon(\\alpha, \\beta) = \\mathrm{OT}_\\varepsilon(\\alpha, \\beta)
        - \\tfrac12 \\mathrm{OT}_\\varepsilon(\\alpha, \\alpha)
        - \\tfrac12 \\mathrm{OT}_\\varepsilon(\\beta, \\beta), \\quad
        \\mathrm{OT}_\\varepsilon(\\alpha, \\beta) = \\min_{P \\in \\Pi(a, b)}
        \\langle P, C \\rangle + \\varepsilon \\,\\mathrm{KL}(P \\,\\|\\, a \\otimes b)

    for the measures ``alpha = sum_i a_i delta_{x_i}`` and ``beta = sum_j b_j delta_{y_j}`` with
    the cost ``C_ij = |x_i - y_j|^p / p``. ``S`` is 0 for equal clouds and positive otherwise
    (once the iterations converge); it interpolates between optimal transport (``epsilon -> 0``)
    and a kernel distance (large ``epsilon``). ``debias=False`` gives ``OT_eps(alpha, beta)``
    alone (entropic OT, positive between equal clouds).

    Each ``OT_eps`` runs ``n_iter`` alternating log-domain Sinkhorn iterations of its dual
    potentials ``f``, ``g`` (a fixed number: the loss traces and compiles; see the module notes
    for compile time) and takes the dual value ``<a, f> + <b, g>``. The three problems share one
    routine, so equal clouds give 0 (to rounding) whether or not it has converged. Convergence
    takes more iterations for a smaller ``epsilon`` relative to the costs (``epsilon`` has the
    units of ``C``: for data of scale ``s``, ``s^p``); compare ``n_iter`` with ``2 n_iter`` to
    check it. Gradients flow through every iteration (to the points and to the weights), as
    autodiff of the iterations gives them; memory grows with ``n_iter`` times the cost matrices.

    Native counterparts: ``geomloss.SamplesLoss("sinkhorn", p=p, blur=epsilon ** (1 / p),
    debias=debias)`` for ``p`` 1 or 2 (its ``blur`` is ``epsilon ** (1 / p)``; it anneals
    ``epsilon`` from the clouds' diameter down by ``scaling`` per step, and converges to this
    value as ``scaling`` nears 1); ``ot.sinkhorn(a, b, M, reg=epsilon)`` (POT) with ``M =
    ot.dist(x, y) / 2`` computes the same transport plan ``P``, whose objective ``<P, M> +
    epsilon KL(P || a b^T)`` is OT_eps (POT's sinkhorn2 returns ``<P, M>`` alone). torch, Keras
    and Optax have none.

    Parameters
    ----------
    x : array
        Points ``(..., n, D)``: clouds along the last two axes, any leading batch axes.
        Gradients flow to them.
    y : array
        Points ``(..., m, D)``, ``x``'s batch axes and features.
    x_weights, y_weights : array, optional
        Non-negative weights per point, ``(..., n)`` and ``(..., m)``, each summing to 1 per cloud
        (taken as given); uniform (``1 / n``, ``1 / m``) when omitted.
    epsilon : float
        Entropic regularization, ``> 0``, in units of the cost.
    p : float
        Exponent of the cost, ``>= 1``.
    n_iter : int
        Sinkhorn iterations per transport problem, ``>= 1``.
    debias : bool
        Subtract the symmetric terms (the Sinkhorn divergence) or not (entropic OT).
    reduction : {"mean", "sum", "none"}
        ``"none"`` gives one value per pair of clouds: the batch axes' shape.
    sample_weight : array or float, optional
        Broadcastable to the batch axes.
    xp : namespace, optional

    References
    ----------
    Cuturi, "Sinkhorn distances: lightspeed computation of optimal transport", NeurIPS 2013.
    Feydy, Séjourné, Vialard, Amari, Trouvé and Peyré, "Interpolating between optimal transport
    and MMD using Sinkhorn divergences", AISTATS 2019.

    Examples
    --------
    One point each, at distance 1: the only plan moves all mass, ``C = 1 / 2``, and the
    symmetric terms are 0.

    >>> import numpy as np, unilosses as ul
    >>> float(ul.sinkhorn_divergence(np.array([[0.0, 0.0]]), np.array([[1.0, 0.0]])))
    0.5
    """
    epsilon = _core.check_number(epsilon, "epsilon", low=0.0, low_open=True)
    p = _core.check_number(p, "p", low=1.0)
    n_iter = _core.check_int(n_iter, "n_iter")
    if n_iter < 1:
        raise ValueError(f"n_iter must be at least 1, got {n_iter}")
    _core.check_bool(debias, "debias")
    xp, (a, b, wa, wb), out = point_clouds(
        {"x": x, "y": y, "x_weights": x_weights, "y_weights": y_weights}, xp, reduction
    )
    log_a, log_b = _log_weights(xp, wa, a), _log_weights(xp, wb, b)
    loss = _transport(xp, _cost(xp, a, b, p), log_a, log_b, epsilon, n_iter)
    if debias:
        loss = loss - 0.5 * (
            _transport(xp, _cost(xp, a, a, p), log_a, log_a, epsilon, n_iter, symmetric=True)
            + _transport(xp, _cost(xp, b, b, p), log_b, log_b, epsilon, n_iter, symmetric=True)
        )
    return _core.reduce(xp, loss, reduction, sample_weight, out)
