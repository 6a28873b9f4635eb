"""Pairwise ranking losses: every pair of items of a list whose labels differ, scored by the
difference of their scores.

The last axis holds a list's items; padding as in :mod:`.ranking` (a negative label, or False in
``valid``). The keras-rs losses (hinge, logistic, soft zero-one, squared) return one value per
item as keras-rs does: item ``i``'s sum over its pairs ``(i, j)``, so that ``"mean"`` is keras-rs's
``"sum_over_batch_size"`` (the sum over every pair divided by the number of items, padded ones
included). ``lambda_loss`` returns one value per list.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from ... import _core
from .ranking import LN2, gains, ideal_dcg, lists, pairs, ranks

Array = Any

__all__ = [
    "lambda_loss",
    "pairwise_hinge",
    "pairwise_logistic",
    "pairwise_soft_zero_one",
    "pairwise_squared",
]

SCHEMES = ("ndcg_loss2_pp", "ndcg_loss2", "lambda_rank")


def _ordered_pairs(
    y_pred: Array,
    y_true: Array,
    valid: Array | None,
    temperature: object,
    reduction: str,
    sample_weight: Array | None,
    xp: ModuleType | None,
    phi: Callable[[ModuleType, Array], Array],
) -> Array:
    """``sum_j [y_i > y_j] phi((s_i - s_j) / temperature)`` per item ``i``, over valid items."""
    xp, s, y, v, out = lists(y_pred, y_true, valid, xp, reduction)
    t = _core.check_number(temperature, "temperature", low=0.0, low_open=True)
    si, sj = pairs(xp.where(v, s, 0))
    yi, yj = pairs(y)
    vi, vj = pairs(v)
    loss = xp.sum(xp.where((yi > yj) & vi & vj, phi(xp, (si - sj) / t), 0), axis=-1)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def pairwise_hinge(
    y_pred: Array,
    y_true: Array,
    valid: Array | None = None,
    *,
    temperature: float = 1.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Pairwise hinge loss: a margin of 1 between the score of every item and those of the
    less relevant items of its list.

    For each list and each valid item ``i`` (label >= 0 and ``valid``), over the valid items
    ``j`` with a lower label, with ``z = (s_i - s_j) / temperature``:

    .. math::
        \\ell_i = \\sum_{j:\\, y_j < y_i} \\max(0, 1 - z)

    One value per item (0 for padded items and for the least relevant ones); ``"mean"`` averages
    over every item of every list, as keras-rs's default ``"sum_over_batch_size"`` does (with
    ``sample_weight``, ours divides by the weights' sum, keras-rs by the number of items).

    Native counterpart: ``keras_rs.losses.PairwiseHingeLoss(temperature=)`` (these
    conventions; a mask goes to it as ``y_true={"labels": y, "mask": valid}``). torch, Optax
    and allRank have none.

    Parameters
    ----------
    y_pred : array
        ``(..., L)`` item scores; gradients flow to them.
    y_true : array
        ``(..., L)`` graded relevance labels; a negative label marks a padded item.
    valid : array of bool, optional
        ``(..., L)``: False for padded items (nonzero values count as True).
    temperature : float
        Divides the score differences (> 0).
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per item.
    sample_weight : array or float, optional
        Broadcastable to the per-item loss: ``(..., L)``, or one weight per list.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    R. Herbrich, T. Graepel, K. Obermayer, "Large Margin Rank Boundaries for Ordinal
    Regression", Advances in Large Margin Classifiers, 2000.

    Examples
    --------
    One list; the first item (label 1) is scored below the second (label 0).

    >>> import numpy as np, unilosses as ul
    >>> s, y = np.array([[1.0, 3.0, 2.0, 4.0]]), np.array([[1.0, 0.0, 1.0, 3.0]])
    >>> ul.pairwise_hinge(s, y, reduction="none").round(4)
    array([[3., 0., 2., 0.]])
    """
    return _ordered_pairs(
        y_pred, y_true, valid, temperature, reduction, sample_weight, xp,
        lambda xp, z: xp.maximum(1 - z, 0),
    )


def pairwise_logistic(
    y_pred: Array,
    y_true: Array,
    valid: Array | None = None,
    *,
    temperature: float = 1.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Pairwise logistic loss (RankNet): the logistic loss of the score difference of every
    pair of items with different labels.

    For each list and each valid item ``i`` (label >= 0 and ``valid``), over the valid items
    ``j`` with a lower label, with ``z = (s_i - s_j) / temperature``:

    .. math::
        \\ell_i = \\sum_{j:\\, y_j < y_i} \\log(1 + e^{-z})

    One value per item (0 for padded items and for the least relevant ones); ``"mean"`` averages
    over every item of every list, as keras-rs's default ``"sum_over_batch_size"`` does (with
    ``sample_weight``, ours divides by the weights' sum, keras-rs by the number of items).

    Native counterparts: ``keras_rs.losses.PairwiseLogisticLoss(temperature=)`` (these
    conventions; a mask goes to it as ``y_true={"labels": y, "mask": valid}``); allRank
    ``rankNet(y_pred, y_true)`` averages the same pair terms over the pairs of the batch instead
    (its padding is the label -1). We follow keras-rs, as Keras comes first among the natives.
    torch and Optax have none.

    Parameters
    ----------
    y_pred : array
        ``(..., L)`` item scores; gradients flow to them.
    y_true : array
        ``(..., L)`` graded relevance labels; a negative label marks a padded item.
    valid : array of bool, optional
        ``(..., L)``: False for padded items (nonzero values count as True).
    temperature : float
        Divides the score differences (> 0).
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per item.
    sample_weight : array or float, optional
        Broadcastable to the per-item loss: ``(..., L)``, or one weight per list.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    C. Burges, T. Shaked, E. Renshaw, A. Lazier, M. Deeds, N. Hamilton, G. Hullender, "Learning
    to Rank using Gradient Descent", ICML 2005.

    Examples
    --------
    One list; the first item (label 1) is scored below the second (label 0).

    >>> import numpy as np, unilosses as ul
    >>> s, y = np.array([[1.0, 3.0, 2.0, 4.0]]), np.array([[1.0, 0.0, 1.0, 3.0]])
    >>> ul.pairwise_logistic(s, y, reduction="none").round(4)
    array([[2.1269, 0.    , 1.3133, 0.4888]])
    """
    return _ordered_pairs(
        y_pred, y_true, valid, temperature, reduction, sample_weight, xp,
        lambda xp, z: _core.softplus(xp, -z),
    )


def pairwise_soft_zero_one(
    y_pred: Array,
    y_true: Array,
    valid: Array | None = None,
    *,
    temperature: float = 1.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Pairwise soft zero-one loss: the sigmoid-smoothed count of the pairs of items in the
    wrong order.

    For each list and each valid item ``i`` (label >= 0 and ``valid``), over the valid items
    ``j`` with a lower label, with ``z = (s_i - s_j) / temperature``:

    .. math::
        \\ell_i = \\sum_{j:\\, y_j < y_i} 1 - \\sigma(z)

    One value per item (0 for padded items and for the least relevant ones); ``"mean"`` averages
    over every item of every list, as keras-rs's default ``"sum_over_batch_size"`` does (with
    ``sample_weight``, ours divides by the weights' sum, keras-rs by the number of items).

    Native counterpart: ``keras_rs.losses.PairwiseSoftZeroOneLoss(temperature=)`` (these
    conventions; a mask goes to it as ``y_true={"labels": y, "mask": valid}``). torch, Optax
    and allRank have none.

    Parameters
    ----------
    y_pred : array
        ``(..., L)`` item scores; gradients flow to them.
    y_true : array
        ``(..., L)`` graded relevance labels; a negative label marks a padded item.
    valid : array of bool, optional
        ``(..., L)``: False for padded items (nonzero values count as True).
    temperature : float
        Divides the score differences (> 0).
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per item.
    sample_weight : array or float, optional
        Broadcastable to the per-item loss: ``(..., L)``, or one weight per list.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    X. Wang, C. Li, N. Golbandi, M. Bendersky, M. Najork, "The LambdaLoss Framework for Ranking
    Metric Optimization", CIKM 2018 (the loss as TF-Ranking defines it).

    Examples
    --------
    One list; the first item (label 1) is scored below the second (label 0).

    >>> import numpy as np, unilosses as ul
    >>> s, y = np.array([[1.0, 3.0, 2.0, 4.0]]), np.array([[1.0, 0.0, 1.0, 3.0]])
    >>> ul.pairwise_soft_zero_one(s, y, reduction="none").round(4)
    array([[0.8808, 0.    , 0.7311, 0.4356]])
    """
    return _ordered_pairs(
        y_pred, y_true, valid, temperature, reduction, sample_weight, xp,
        lambda xp, z: xp.exp(_core.log_sigmoid(xp, -z)),
    )


def pairwise_squared(
    y_pred: Array,
    y_true: Array,
    valid: Array | None = None,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Pairwise squared error: the squared error of every score difference against the label
    difference.

    For each list and each valid item ``i`` (label >= 0 and ``valid``), over every other valid
    item ``j``:

    .. math::
        \\ell_i = \\sum_{j \\ne i} \\big((y_i - y_j) - (s_i - s_j)\\big)^2

    Every ordered pair counts, both ways (unlike the other pairwise losses, not only pairs with
    ``y_i > y_j``), as keras-rs's code and TF-Ranking's ``PairwiseMSELoss`` compute it
    (keras-rs's docstring shows only the pairs with ``y_i > y_j``). One value per item (0 for
    padded items); ``"mean"`` averages over every item of every list, as keras-rs's default
    ``"sum_over_batch_size"`` does (with ``sample_weight``, ours divides by the weights' sum,
    keras-rs by the number of items).

    Native counterpart: ``keras_rs.losses.PairwiseMeanSquaredError()`` (these conventions; a mask
    goes to it as ``y_true={"labels": y, "mask": valid}``). keras-rs accepts a ``temperature``
    and leaves it unused for this loss; there is none here. torch, Optax and allRank have none.

    Parameters
    ----------
    y_pred : array
        ``(..., L)`` item scores; gradients flow to them.
    y_true : array
        ``(..., L)`` graded relevance labels; a negative label marks a padded item.
    valid : array of bool, optional
        ``(..., L)``: False for padded items (nonzero values count as True).
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per item.
    sample_weight : array or float, optional
        Broadcastable to the per-item loss: ``(..., L)``, or one weight per list.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    TF-Ranking, ``tfr.keras.losses.PairwiseMSELoss``: the regression of score differences onto
    label differences.

    Examples
    --------
    Item 0 (label 1, score 1) against items 1, 2, 3: ``3**2 + 1**2 + 1**2``.

    >>> import numpy as np, unilosses as ul
    >>> s, y = np.array([[1.0, 3.0, 2.0, 4.0]]), np.array([[1.0, 0.0, 1.0, 3.0]])
    >>> ul.pairwise_squared(s, y, reduction="none")
    array([[11., 17.,  5.,  5.]])
    """
    xp, s, y, v, out = lists(y_pred, y_true, valid, xp, reduction)
    si, sj = pairs(xp.where(v, s, 0))
    yi, yj = pairs(xp.where(v, y, 0))
    vi, vj = pairs(v)
    loss = xp.sum(xp.where(vi & vj, ((yi - yj) - (si - sj)) ** 2, 0), axis=-1)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def lambda_loss(
    y_pred: Array,
    y_true: Array,
    valid: Array | None = None,
    *,
    scheme: str = "ndcg_loss2_pp",
    top_k: int | None = None,
    sigma: float = 1.0,
    mu: float = 10.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """LambdaLoss: pairwise logistic losses weighted by their effect on the NDCG.

    Items are ranked by their scores (rank ``r_i`` from 1, ties in index order); ``G_i = (2^{y_i}
    - 1) / IDCG@k`` are the normalized gains and ``D_i = \\log_2(1 + r_i)`` the discounts. Each
    list's loss sums, over the pairs of valid items with ``y_i > y_j`` and (with ``top_k``) both
    ranks at most ``k``:

    .. math::
        \\ell = -\\sum_{y_i > y_j} w_{ij} \\log_2 \\sigma\\big(\\sigma_s (s_i - s_j)\\big)

    with ``\\sigma_s`` the ``sigma`` option and the weights of the ``scheme`` (Wang et al. 2018):

    * ``"ndcg_loss2_pp"`` (default), NDCG-Loss2++: ``mu * w^{(2)} + w^{(\\lambda)}``;
    * ``"ndcg_loss2"``, NDCG-Loss2: ``w^{(2)}_{ij} = |1 / \\log_2(1 + \\delta) - 1 / \\log_2(2
      + \\delta)|\\, |G_i - G_j|`` with ``\\delta = |r_i - r_j|``;
    * ``"lambda_rank"``, LambdaRank: ``w^{(\\lambda)}_{ij} = |1 / D_i - 1 / D_j|\\, |G_i - G_j|``.

    One value per list (a list without such pairs has loss 0); ``"mean"`` averages over every
    list, ``"sum"`` sums over every pair of the batch as allRank's default ``reduction="sum"``
    does. The logarithm is base 2 (allRank's default ``reduction_log="binary"``) and exact:
    allRank floors ``sigmoid`` and its power ``w`` at 1e-10 (each pair's term at most 33.2),
    and the ideal DCG at 1e-10 (a list whose ideal DCG is 0 has gains 0 here). The ranks and
    weights are constants of the scores: gradients flow through the sigmoids only, as in allRank.

    Native counterpart: allRank ``lambdaLoss(y_pred, y_true, weighing_scheme=, k=, sigma=, mu=)``
    with ``weighing_scheme`` one of ``"ndcgLoss2PP_scheme"``, ``"ndcgLoss2_scheme"``,
    ``"lambdaRank_scheme"`` (its padding is the label -1; its default scheme, None, is RankNet's
    unit weights: see ``pairwise_logistic``; its ndcgLoss1 and the RankNet variants are not
    offered). allRank's ``sort`` breaks ties between equal scores in no set order; ties go in
    index order here. torch, Keras, keras-rs and Optax have none.

    Parameters
    ----------
    y_pred : array
        ``(..., L)`` item scores; gradients flow to them.
    y_true : array
        ``(..., L)`` graded relevance labels; a negative label marks a padded item.
    valid : array of bool, optional
        ``(..., L)``: False for padded items (nonzero values count as True).
    scheme : {"ndcg_loss2_pp", "ndcg_loss2", "lambda_rank"}
        The pair weights.
    top_k : int, optional
        Truncation: only pairs of items ranked in the top ``k`` count, against the ideal DCG@k.
    sigma : float
        Scales the score differences in the sigmoid (> 0).
    mu : float
        The weight of NDCG-Loss2 in NDCG-Loss2++ (>= 0).
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per list.
    sample_weight : array or float, optional
        Broadcastable to the per-list loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    X. Wang, C. Li, N. Golbandi, M. Bendersky, M. Najork, "The LambdaLoss Framework for Ranking
    Metric Optimization", CIKM 2018.

    Examples
    --------
    Two items in the wrong order: ranks 2 and 1, both weights ``1 - 1/log2(3)``, so NDCG-Loss2++
    weighs the pair ``11 (1 - 1/log2(3))`` and its term is ``log2(1 + e)``.

    >>> import numpy as np, unilosses as ul
    >>> ul.lambda_loss(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]), reduction="none").round(4)
    array([7.6918])
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
    k = _core.check_optional_int(top_k, "top_k")
    if k is not None and k < 1:
        raise ValueError(f"top_k must be a positive int or None, got {top_k!r}")
    sig = _core.check_number(sigma, "sigma", low=0.0, low_open=True)
    m = _core.check_number(mu, "mu", low=0.0)
    xp, s, y, v, out = lists(y_pred, y_true, valid, xp, reduction)
    s = xp.where(v, s, 0)
    g = gains(xp, y, v)
    gi, gj = pairs(_core.safe_divide(xp, g, ideal_dcg(xp, g, y, v, k)[..., None]))
    r = ranks(xp, s, v)
    ri, rj = pairs(r)
    dg = _core.magnitude(xp, gi - gj)
    w = 0.0
    if scheme != "lambda_rank":  # |1/D(delta) - 1/D(delta + 1)|, D(x) = log2(1 + x), delta >= 1
        delta = xp.maximum(xp.abs(ri - rj), 1)
        w = (LN2 / xp.log1p(delta) - LN2 / xp.log1p(delta + 1)) * dg
        w = w * m if scheme == "ndcg_loss2_pp" else w
    if scheme != "ndcg_loss2":
        inv_d = LN2 / xp.log1p(r)
        di, dj = pairs(inv_d)
        w = w + xp.abs(di - dj) * dg
    yi, yj = pairs(y)
    vi, vj = pairs(v)
    counted = (yi > yj) & vi & vj
    if k is not None:
        counted = counted & (ri <= k) & (rj <= k)
    si, sj = pairs(s)
    terms = w * _core.log_sigmoid(xp, sig * (si - sj))
    loss = xp.sum(xp.where(counted, terms, 0), axis=(-2, -1)) * (-1 / LN2)
    return _core.reduce(xp, loss, reduction, sample_weight, out)
