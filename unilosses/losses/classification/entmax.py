"""Entmax losses (Peters, Niculae & Martins, 2019): the Fenchel-Young losses of alpha-entmax.

``alpha``-entmax maps scores ``z`` to the distribution ``p = max((alpha - 1) z - tau, 0)**(1 /
(alpha - 1))`` whose threshold ``tau`` makes it sum to one: sparse for ``alpha > 1``, softmax as
``alpha -> 1``, sparsemax at ``alpha = 2``. Its Fenchel-Young loss, with the Tsallis entropy
``H(p) = (1 - sum_j p_j**alpha) / (alpha (alpha - 1))``, is
``H(p) + <p, z> - z_y = max_q (H(q) + <q, z>) - z_y`` for the label ``y``: non-negative, zero
exactly when ``p`` is the one-hot of ``y``, with gradient ``p - onehot(y)``. It is shift invariant
and computed from ``z - max(z)``.

``alpha = 1.5`` has an exact algorithm (:func:`unilosses._core.entmax15_support`: sorting the
scores, or comparing the classes pairwise where the library cannot sort); any other ``alpha`` is
solved for ``tau`` by bisection, a fixed number of steps (so it traces into a fixed graph).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ... import _core
from .crossentropy import _sparse_inputs, _sparse_loss

Array = Any

__all__ = ["entmax15_loss", "entmax_bisect_loss"]


def _shifted(xp: ModuleType, scores: Array) -> Array:
    """``scores - max(scores)`` along the last axis, at least -1e15: a score that far below the
    maximum (a masked class, -inf) is outside the support for any ``alpha`` above ``1 + 1e-15``,
    and its square stays finite in float32."""
    return xp.maximum(scores - _core.max_along(xp, scores, -1, keepdims=True), -1e15)


def _fenchel_young(
    xp: ModuleType,
    z: Array,
    p: Array,
    p_alpha: Array,
    alpha: float,
    labels: Array,
    ignore_index: int | None,
) -> tuple[Array, Array | None]:
    """The loss ``H(p) + <p, z> - z_y`` per sample from ``p`` and ``sum_j p_j**alpha``, with
    ignored labels at 0 and the mean's weight (:func:`.crossentropy._sparse_loss`)."""
    conjugate = (1 - p_alpha) / (alpha * (alpha - 1)) + xp.sum(p * z, axis=-1)
    return _sparse_loss(
        xp, z, labels, z.ndim - 1, ignore_index, None, 0.0, lambda v: conjugate[..., None] - v
    )


def entmax15_loss(
    y_pred: Array,
    y_true: Array,
    *,
    ignore_index: int | None = None,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """The 1.5-entmax loss (Fenchel-Young loss of 1.5-entmax) of integer labels, per sample.

    ``p = max(z / 2 - tau, 0)**2`` with ``tau`` such that ``p`` sums to one (scores ``z`` along
    the last axis, shifted by their maximum), and the loss is
    ``(1 - sum_j p_j**1.5) / 0.75 + <p, z> - z_y`` (see the module docstring). ``tau`` is exact:
    the support comes from the sorted scores (or a pairwise comparison), and ``tau`` is then the
    root of ``sum_{j in S} (z_j / 2 - tau)**2 = 1`` over the support ``S``,
    ``mean - sqrt((1 - ss) / |S|)`` with the mean and the sum of squared deviations ``ss`` of
    the ``z_j / 2`` in ``S``; the gradient (through those sums) is ``p - onehot(y)``.

    Native counterpart: entmax ``entmax.Entmax15Loss(k, ignore_index, reduction)`` (the
    default ``reduction="elementwise_mean"`` is the mean here; ``k`` only tunes its partial
    sort) and ``entmax.entmax15_loss`` (``reduction="none"``). entmax takes ``(N, C)`` scores
    and honours only a non-negative ``ignore_index`` (its default -100 ignores nothing); here
    any leading shape and any ``ignore_index`` work, and an all-ignored batch gives 0. torch,
    Keras and Optax have none.

    Parameters
    ----------
    y_pred : array
        Scores (logits), classes along the last axis; -inf for masked classes (never the
        label).
    y_true : integer array
        Labels in ``[0, C)`` or ``ignore_index``, shape of ``y_pred`` without the last axis.
    ignore_index : int, optional
        Label value that contributes nothing (and is not counted by the mean).
    reduction, sample_weight, xp
        As in :func:`unilosses.sparse_categorical_crossentropy`; ``"none"`` gives one value per
        sample (0 for ignored ones).

    References
    ----------
    B. Peters, V. Niculae and A. F. T. Martins, "Sparse Sequence-to-Sequence Models", ACL 2019,
    https://arxiv.org/abs/1905.05702

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> z = np.array([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]])  # p = (1, 0, 0) and (1/3, 1/3, 1/3)
    >>> ul.entmax15_loss(z, np.array([0, 1]), reduction="none").round(6).tolist()
    [0.0, 0.563533]
    """
    xp, y_pred, labels, _, ignore_index, out, invalid = _sparse_inputs(
        y_pred, y_true, xp=xp, reduction=reduction, axis=-1, ignore_index=ignore_index,
        class_weight=None,
    )
    z = _shifted(xp, y_pred)
    half = z / 2
    support = _core.entmax15_support(xp, half)
    size = xp.sum(xp.astype(support, z.dtype), axis=-1, keepdims=True)
    mean = xp.sum(xp.where(support, half, 0), axis=-1, keepdims=True) / size
    ss = xp.sum(xp.where(support, (half - mean) ** 2, 0), axis=-1, keepdims=True)
    # (1 - ss) / |S| = (mean - tau)**2 >= 1 / |S|**2 on the support: the floor changes nothing
    # but rounding, and keeps the square root's gradient finite
    tau = mean - xp.sqrt(xp.maximum((1 - ss) / size, 1 / (size * size)))
    u = xp.where(support, half - tau, 0)
    p = u * u
    loss, weight = _fenchel_young(xp, z, p, xp.sum(p * u, axis=-1), 1.5, labels, ignore_index)
    return _core.reduce(xp, loss, reduction, sample_weight, out, weight=weight, invalid=invalid)


def entmax_bisect_loss(
    y_pred: Array,
    y_true: Array,
    *,
    alpha: float = 1.5,
    n_iter: int = 50,
    ignore_index: int | None = None,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """The alpha-entmax loss (Fenchel-Young loss of alpha-entmax) of integer labels, per sample,
    with the threshold found by bisection.

    ``p = max(x - tau, 0)**(1 / (alpha - 1))`` with ``x = (alpha - 1) (z - max(z))`` (scores
    ``z`` along the last axis) and ``tau`` in ``[-1, -C**(1 - alpha)]``, where the sum of ``p``
    goes from at least 1 to at most 1: ``n_iter`` halvings of that interval (keeping the half
    where the sum is at least 1) as entmax's ``entmax_bisect`` does, ``p`` taken at the last
    midpoint and divided by its sum. The loss is
    ``(1 - sum_j p_j**alpha) / (alpha (alpha - 1)) + <p, z> - z_y``. 50 steps reach the float64
    resolution (24 suffice in float32); the gradient is ``p - onehot(y)`` up to that resolution
    (autodiff through the last step: ``tau`` depends on ``z`` only through comparisons).
    ``alpha = 2`` is the sparsemax loss (:func:`unilosses.multiclass_sparsemax_loss`), ``1.5``
    the exact :func:`unilosses.entmax15_loss`.

    Native counterpart: entmax ``entmax.EntmaxBisectLoss(alpha, n_iter, ignore_index,
    reduction)`` and ``entmax.entmax_bisect_loss`` (``reduction="none"``), with the same
    defaults (``alpha=1.5``, ``n_iter=50``); entmax also takes a tensor ``alpha`` (one per row),
    here it is one number. ``ignore_index`` and shapes as in :func:`unilosses.entmax15_loss`.
    torch, Keras and Optax have none.

    Parameters
    ----------
    y_pred : array
        Scores (logits), classes along the last axis; -inf for masked classes (never the
        label).
    y_true : integer array
        Labels in ``[0, C)`` or ``ignore_index``, shape of ``y_pred`` without the last axis.
    alpha : float > 1
        The entmax parameter.
    n_iter : int >= 1
        Bisection steps.
    ignore_index : int, optional
        Label value that contributes nothing (and is not counted by the mean).
    reduction, sample_weight, xp
        As in :func:`unilosses.sparse_categorical_crossentropy`; ``"none"`` gives one value per
        sample (0 for ignored ones).

    References
    ----------
    B. Peters, V. Niculae and A. F. T. Martins, "Sparse Sequence-to-Sequence Models", ACL 2019,
    https://arxiv.org/abs/1905.05702

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> z = np.array([[2.0, 0.5, -1.0], [0.3, 0.1, -1.0]])  # alpha = 2: the sparsemax loss
    >>> ul.entmax_bisect_loss(z, np.array([0, 1]), alpha=2.0, reduction="none").round(6).tolist()
    [0.0, 0.36]
    """
    a = _core.check_number(alpha, "alpha", low=1.0, low_open=True)
    steps = _core.check_int(n_iter, "n_iter")
    if steps < 1:
        raise ValueError(f"n_iter must be at least 1, got {n_iter!r}")
    xp, y_pred, labels, _, ignore_index, out, invalid = _sparse_inputs(
        y_pred, y_true, xp=xp, reduction=reduction, axis=-1, ignore_index=ignore_index,
        class_weight=None,
    )
    z = _shifted(xp, y_pred)
    x = (a - 1) * z
    power = 1 / (a - 1)
    c = x.shape[-1]
    if isinstance(c, int):
        step: Any = 1 - c ** (1 - a)
    else:  # (an unknown number of classes: counted)
        step = 1 - xp.sum(xp.ones_like(x), axis=-1, keepdims=True) ** (1 - a)
    low = xp.zeros_like(x[..., :1]) - 1

    def bisect(state: tuple[Array, Array, Array]) -> tuple[Array, Array, Array]:
        """One halving of ``[lo, lo + width]``: (its new low end, the midpoint, the new width)."""
        lo, _, width = state
        mid = lo + width / 2
        total = xp.sum(xp.maximum(x - mid, 0) ** power, axis=-1, keepdims=True)
        return xp.where(total >= 1, mid, lo), mid, width / 2

    _, mid, _ = _core.repeat(xp, steps, bisect, (low, low, xp.zeros_like(low) + step))
    u = x - mid
    inside = u > 0  # (double where: the power's derivative at 0 is infinite for alpha > 2)
    p = xp.where(inside, xp.where(inside, u, 1) ** power, 0)
    p = p / xp.sum(p, axis=-1, keepdims=True)
    loss, weight = _fenchel_young(
        xp, z, p, xp.sum(p**a, axis=-1), a, labels, ignore_index
    )
    return _core.reduce(xp, loss, reduction, sample_weight, out, weight=weight, invalid=invalid)
