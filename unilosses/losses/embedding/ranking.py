"""Listwise ranking losses: scores of the items of each list against graded relevance labels."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ... import _core

Array = Any

__all__ = ["ranking_softmax"]


def ranking_softmax(
    scores: Array,
    labels: Array,
    where: Array | None = None,
    weights: Array | None = None,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Ranking softmax loss: the cross-entropy of the items' softmax with the relevance labels.

    For each list (the last axis holds its items):

    .. math::
        \\ell = -\\sum_i w_i\\, y_i \\log \\frac{e^{s_i}}{\\sum_{j} e^{s_j}}

    over the valid items (``where``), with per-item ``weights`` ``w`` (default 1). Labels are not
    normalized (as in Optax). One value per list.

    ``where`` masks items out: they take no part in the softmax nor the sum, their scores may be
    anything (``-inf`` padding included) and their gradient is 0. A list without valid items has
    loss 0 and, as in Optax, does not count in ``"mean"`` (which divides by the number, or weight,
    of lists with a valid item). An item with label 0 contributes 0 even at a score of ``-inf``
    (Optax gives NaN there without ``where``).

    Native counterpart: ``optax.losses.ranking_softmax_loss(scores, labels, where=, weights=)``
    (these semantics; its ``reduce_fn`` is our ``reduction``). torch and Keras have none.

    Parameters
    ----------
    scores : array
        ``(..., L)`` item scores; gradients flow to them.
    labels : array
        ``(..., L)`` relevance labels (>= 0, graded or binary).
    where : array of bool, optional
        ``(..., L)``: True for valid items (nonzero values count as True).
    weights : array, optional
        ``(..., L)`` item weights, multiplied into the labels.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per list.
    sample_weight : array or float, optional
        Broadcastable to the per-list loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    Z. Cao, T. Qin, T.-Y. Liu, M.-F. Tsai, H. Li, "Learning to Rank: From Pairwise Approach to
    Listwise Approach", ICML 2007; S. Bruch et al., "An Analysis of the Softmax Cross Entropy
    Loss for Learning-to-Rank with Binary Relevance", ICTIR 2019.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> s = np.array([[2.0, 1.0, -np.inf]])
    >>> y = np.array([[1.0, 0.0, 0.0]])
    >>> ul.ranking_softmax(s, y, np.array([[True, True, False]]), reduction="none").round(4)
    array([0.3133])
    """
    xp, (s, y, valid, w), out = _core.prepare_named(
        {"scores": scores, "labels": labels, "where": where, "weights": weights},
        xp=xp,
        reduction=reduction,
        keep=("where",),
    )
    if s.ndim < 1:
        raise ValueError("scores must have an item axis (at least 1 dimension), got 0")
    _core.check_same_shape(s, y, "scores", "labels")
    list_weight = None
    if valid is not None:
        _core.check_same_shape(s, valid, "scores", "where")
        if valid.dtype != xp.bool:
            valid = valid != 0
        y = xp.where(valid, y, 0)
        s = xp.where(valid, s, _core.LOG_ZERO)  # masked items: exp() is 0, gradient 0
        list_weight = xp.astype(xp.any(valid, axis=-1), s.dtype)
    if w is not None:
        _core.check_same_shape(s, w, "scores", "weights")
        y = y * w
    log_p = _core.log_softmax(xp, s, axis=-1)
    loss = -xp.sum(xp.where(y == 0, 0, y * log_p), axis=-1)
    if list_weight is not None and reduction == "mean":
        return _core.reduce(xp, loss, reduction, sample_weight, out, weight=list_weight)
    return _core.reduce(xp, loss, reduction, sample_weight, out)
