"""Listwise ranking losses: scores of the items of each list against graded relevance labels.

The last axis holds a list's items. ``listnet``, ``listmle`` and ``approx_ndcg`` (and the pairwise
losses of :mod:`.pairwise_ranking`) mark padding the way keras-rs does: an item is left out when
its label is negative or, where a ``valid`` mask is given, where the mask is False; a padded
item's score may be anything (``-inf`` included) and gets gradient 0. Positions in a sorted list
are computed by comparing every pair of items of a list (ties in index order, as a stable sort
puts them), so these losses need no sort and take ``O(L**2)`` memory per list of ``L`` items.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

from ... import _core

Array = Any

__all__ = ["approx_ndcg", "listmle", "listnet", "ranking_softmax"]

LN2 = math.log(2.0)


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


# --- graded relevance lists with padding ------------------------------------------------------


def lists(
    y_pred: Array, y_true: Array, valid: Array | None, xp: ModuleType | None, reduction: str
) -> tuple[ModuleType, Array, Array, Array, Any]:
    """The prologue of the ranking losses: ``(xp, scores, labels, valid, out_dtype)`` with
    ``valid`` the boolean mask of the items that take part (label >= 0 and ``valid``)."""
    xp, (s, y, given), out = _core.prepare_named(
        {"y_pred": y_pred, "y_true": y_true, "valid": valid},
        xp=xp,
        reduction=reduction,
        keep=("valid",),
    )
    if s.ndim < 1:
        raise ValueError("y_pred must have an item axis (at least 1 dimension), got 0")
    _core.check_same_shape(s, y, "y_pred", "y_true")
    v = y >= 0
    if given is not None:
        _core.check_same_shape(s, given, "y_pred", "valid")
        v = v & (given if given.dtype == xp.bool else given != 0)
    return xp, s, y, v, out


def pairs(x: Array) -> tuple[Array, Array]:
    """``x`` as ``(..., L, 1)`` (item ``i`` of pair ``(i, j)``) and ``(..., 1, L)`` (item ``j``)."""
    return x[..., :, None], x[..., None, :]


def ranks(xp: ModuleType, x: Array, v: Array) -> Array:
    """Each item's 1-based position when the valid items are sorted by ``x`` in descending order,
    ties in index order: one plus the number of valid items placed before it."""
    xi, xj = pairs(x)
    ii, jj = pairs(_core.class_indices(xp, x, x.ndim - 1))
    before = ((xj > xi) | ((xj == xi) & (jj < ii))) & v[..., None, :]
    return 1 + xp.sum(xp.astype(before, x.dtype), axis=-1)


def gains(xp: ModuleType, y: Array, v: Array) -> Array:
    """The DCG gains ``2**y - 1`` of the valid items, 0 for padded ones."""
    return xp.where(v, xp.expm1(xp.where(v, y, 0) * LN2), 0)


def ideal_dcg(xp: ModuleType, g: Array, y: Array, v: Array, top_k: int | None = None) -> Array:
    """The DCG of the ideal order (labels descending; equal labels have equal gains, so their
    order does not matter), over its first ``top_k`` positions."""
    r = ranks(xp, xp.where(v, y, 0), v)
    terms = g * LN2 / xp.log1p(r)
    if top_k is not None:
        terms = xp.where(r <= top_k, terms, 0)
    return xp.sum(terms, axis=-1)


def _temperature(value: object) -> float:
    return _core.check_number(value, "temperature", low=0.0, low_open=True)


# --- losses -----------------------------------------------------------------------------------


def listnet(
    y_pred: Array,
    y_true: Array,
    valid: Array | None = None,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """ListNet loss: the cross-entropy of the scores' softmax with the labels' softmax.

    For each list, over its valid items (label >= 0 and ``valid``):

    .. math::
        \\ell = -\\sum_i \\operatorname{softmax}(y)_i \\log \\operatorname{softmax}(s)_i

    the top-one probabilities of Cao et al. with the exponential as the increasing function, as
    allRank computes it. One value per list; ``"mean"`` averages over every list, and a list
    without valid items has loss 0 (keras-rs's convention for its list losses; allRank gives NaN
    there). The log-softmax is exact: allRank adds 1e-10 to the probabilities before the log.

    Native counterparts: allRank ``listNet(y_pred, y_true)`` (its padding is the label -1; its
    value is our ``"mean"``); Optax ``optax.losses.ranking_softmax_loss(s, jax.nn.softmax(y))``
    computes the same cross-entropy when given the labels' softmax (its ``"mean"`` skips lists
    without valid items, ours counts them as 0). torch, Keras and keras-rs have none.

    Parameters
    ----------
    y_pred : array
        ``(..., L)`` item scores; gradients flow to them.
    y_true : array
        ``(..., L)`` graded relevance labels; a negative label marks a padded item.
    valid : array of bool, optional
        ``(..., L)``: False for padded items (nonzero values count as True).
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per list.
    sample_weight : array or float, optional
        Broadcastable to the per-list loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    Z. Cao, T. Qin, T.-Y. Liu, M.-F. Tsai, H. Li, "Learning to Rank: From Pairwise Approach to
    Listwise Approach", ICML 2007.

    Examples
    --------
    Equal scores give every item probability 1/2, whatever the labels: the loss is log 2.

    >>> import numpy as np, unilosses as ul
    >>> ul.listnet(np.array([[0.0, 0.0]]), np.array([[1.0, 0.0]]), reduction="none").round(4)
    array([0.6931])
    """
    xp, s, y, v, out = lists(y_pred, y_true, valid, xp, reduction)
    log_p = _core.log_softmax(xp, xp.where(v, s, _core.LOG_ZERO), axis=-1)
    q = xp.exp(_core.log_softmax(xp, xp.where(v, y, _core.LOG_ZERO), axis=-1))
    loss = -xp.sum(xp.where(v, q * log_p, 0), axis=-1)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def listmle(
    y_pred: Array,
    y_true: Array,
    valid: Array | None = None,
    *,
    temperature: float = 1.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """ListMLE loss: the negative log-likelihood of the labels' order under the Plackett-Luce
    model of the scores.

    With the valid items of a list in the order of decreasing label (equal labels in index
    order, as a stable sort leaves them) and ``z = s / temperature`` in that order:

    .. math::
        \\ell = \\sum_{k} \\Big(\\log \\sum_{m \\ge k} e^{z_m} - z_k\\Big)

    One value per list; ``"mean"`` averages over every list, and a list without valid items has
    loss 0. The item ``m`` follows ``k`` when its label is lower or equal with a larger index, so
    each log-sum-exp runs over a masked row of the list (stable for any spread of scores);
    keras-rs adds 1e-10 inside the log.

    Native counterparts: ``keras_rs.losses.ListMLELoss(temperature=)`` (these conventions: ties
    in index order, padding by negative labels or ``y_true={"labels": y, "mask": valid}``; its
    default ``"sum_over_batch_size"`` is our ``"mean"``); allRank ``listMLE(y_pred, y_true)``
    breaks ties between equal labels at random. We follow keras-rs, as Keras comes first among
    the natives. torch and Optax have none.

    Parameters
    ----------
    y_pred : array
        ``(..., L)`` item scores; gradients flow to them.
    y_true : array
        ``(..., L)`` graded relevance labels; a negative label marks a padded item.
    valid : array of bool, optional
        ``(..., L)``: False for padded items (nonzero values count as True).
    temperature : float
        Divides the scores (> 0).
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per list.
    sample_weight : array or float, optional
        Broadcastable to the per-list loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    F. Xia, T.-Y. Liu, J. Wang, W. Zhang, H. Li, "Listwise Approach to Learning to Rank: Theory
    and Algorithm", ICML 2008.

    Examples
    --------
    Scores in the labels' order: ``sum_k log(sum_{m >= k} e^{s_m}) - s_k``.

    >>> import numpy as np, unilosses as ul
    >>> s, y = np.array([[0.8, 0.6, 0.4, 0.2]]), np.array([[3.0, 2.0, 1.0, 0.0]])
    >>> ul.listmle(s, y, reduction="none").round(4)
    array([2.6212])
    """
    xp, s, y, v, out = lists(y_pred, y_true, valid, xp, reduction)
    t = _temperature(temperature)
    z = xp.where(v, s, 0) / t
    yk, ym = pairs(y)
    kk, mm = pairs(_core.class_indices(xp, s, s.ndim - 1))
    after = ((ym < yk) | ((ym == yk) & (mm >= kk))) & v[..., None, :]  # [k, m]: m at or after k
    lse = _core.logsumexp(xp, xp.where(after, z[..., None, :], _core.LOG_ZERO), axis=-1)
    loss = xp.sum(xp.where(v, lse - z, 0), axis=-1)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def approx_ndcg(
    y_pred: Array,
    y_true: Array,
    valid: Array | None = None,
    *,
    temperature: float = 1.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """ApproxNDCG loss: minus the NDCG with each item's rank replaced by a smooth approximation.

    For each list, over its valid items, with gains ``G_i = (2^{y_i} - 1) / IDCG`` (``IDCG`` the
    DCG of the ideal order) and the approximate ranks
    ``\\hat r_i = 1 + \\sum_{j \\ne i} \\sigma((s_j - s_i) / T)`` (``T`` the ``temperature``):

    .. math::
        \\ell = -\\sum_i \\frac{G_i}{\\log_2(1 + \\hat r_i)}

    One value per list: near -1 for a list in the ideal order with well separated scores, 0 for
    a list without a relevant or valid item; ``"mean"`` averages over every list. No truncation
    (as in allRank). allRank floors each sigmoid at 1e-10 and the ideal DCG at 1e-10; here
    neither is floored (a list whose ideal DCG is 0 has gains 0).

    Native counterparts: allRank ``approxNDCGLoss(y_pred, y_true, alpha=)`` with
    ``alpha = 1 / temperature`` (its padding is the label -1; its value is our ``"mean"``);
    TF-Ranking ``tfr.keras.losses.ApproxNDCGLoss(temperature=)`` (the same formula; default
    temperature 0.1). We follow allRank's default, temperature 1. torch, Keras, keras-rs and
    Optax have none.

    Parameters
    ----------
    y_pred : array
        ``(..., L)`` item scores; gradients flow to them.
    y_true : array
        ``(..., L)`` graded relevance labels; a negative label marks a padded item.
    valid : array of bool, optional
        ``(..., L)``: False for padded items (nonzero values count as True).
    temperature : float
        The sigmoid's temperature (> 0); smaller values approach the true ranks.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per list.
    sample_weight : array or float, optional
        Broadcastable to the per-list loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    T. Qin, T.-Y. Liu, H. Li, "A General Approximation Framework for Direct Optimization of
    Information Retrieval Measures", Information Retrieval 13, 2010; S. Bruch, M. Zoghi,
    M. Bendersky, M. Najork, "Revisiting Approximate Metric Optimization in the Age of Deep
    Neural Networks", SIGIR 2019.

    Examples
    --------
    Two tied items: both approximate ranks are 1.5, the relevant item's gain is 1.

    >>> import numpy as np, unilosses as ul
    >>> ul.approx_ndcg(np.array([[0.0, 0.0]]), np.array([[1.0, 0.0]]), reduction="none").round(4)
    array([-0.7565])

    TF-Ranking's example (its documented value is -0.655107):

    >>> s, y = np.array([[0.6, 0.8]]), np.array([[1.0, 0.0]])
    >>> print(round(float(ul.approx_ndcg(s, y, temperature=0.1)), 6))
    -0.655107
    """
    xp, s, y, v, out = lists(y_pred, y_true, valid, xp, reduction)
    t = _temperature(temperature)
    g = gains(xp, y, v)
    si, sj = pairs(xp.where(v, s, 0))
    ii, jj = pairs(_core.class_indices(xp, s, s.ndim - 1))
    others = (ii != jj) & v[..., None, :]
    below = xp.exp(_core.log_sigmoid(xp, (sj - si) / t))  # the chance that j ranks above i
    r = 1 + xp.sum(xp.where(others, below, 0), axis=-1)
    dcg = xp.sum(g * LN2 / xp.log1p(r), axis=-1)
    loss = -_core.safe_divide(xp, dcg, ideal_dcg(xp, g, y, v))
    return _core.reduce(xp, loss, reduction, sample_weight, out)
