"""Pair-based metric-learning losses over a labelled batch: supervised contrastive,
multi-similarity, generalized lifted structure and N-pairs.

Each takes ``(embeddings, labels)``: rows with equal labels are positive pairs (a row is never
its own positive), rows with different labels negative pairs. Every pair of the batch takes part,
selected by masks (no mining: the shapes never depend on the labels), and each anchor (row) has
one loss value, which ``reduction="none"`` returns. Similarities are cosine similarities of the
rows, normalized as torch's ``F.normalize`` does (``x / max(||x||, 1e-12)``: a zero row stays
zero), the default distance of each loss's pytorch-metric-learning counterpart.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ... import _core
from .contrastive import _check_embeddings, _diagonal, _same_label

Array = Any

__all__ = ["lifted_structure", "multi_similarity", "npairs", "supcon"]


def _prepare(
    embeddings: Array, labels: Array, xp: ModuleType | None, reduction: str
) -> tuple[ModuleType, Array, Array, Any]:
    xp, (x, labels), out = _core.prepare_named(
        {"embeddings": embeddings, "labels": labels}, xp=xp, reduction=reduction, labels=("labels",)
    )
    _check_embeddings(x, labels)
    return xp, x, labels, out


def _cosine(xp: ModuleType, x: Array) -> Array:
    """The ``(N, N)`` cosine similarities of the rows of ``x`` normalized as ``F.normalize``
    (the squared norm floored at ``1e-24``: a zero row has similarity 0 and a finite gradient)."""
    r = 1 / xp.sqrt(xp.maximum(xp.sum(x * x, axis=-1, keepdims=True), 1e-24))
    return xp.matmul(x, xp.permute_dims(x, (1, 0))) * r * xp.permute_dims(r, (1, 0))


_EXACT_ROWS = 25  # up to this many rows, distances from differences (as cdist)


def _normalized_distances(xp: ModuleType, x: Array) -> Array:
    """The ``(N, N)`` Euclidean distances of the rows of ``x`` normalized as ``F.normalize``,
    with gradient 0 where they are 0 (double where: ``sqrt'(0)`` is infinite). Up to
    ``_EXACT_ROWS`` rows from the differences of the rows; above, from the Gram matrix, where
    squared distances within its rounding of 0 (``16 eps``) are 0."""
    u = x / xp.sqrt(xp.maximum(xp.sum(x * x, axis=-1, keepdims=True), 1e-24))
    n = x.shape[0]
    if isinstance(n, int) and n <= _EXACT_ROWS:
        diff = u[:, None, :] - u[None, :, :]
        d2 = xp.sum(diff * diff, axis=-1)
        apart = d2 > 0
    else:
        sq = xp.sum(u * u, axis=-1, keepdims=True)
        d2 = sq + xp.permute_dims(sq, (1, 0)) - 2 * xp.matmul(u, xp.permute_dims(u, (1, 0)))
        apart = d2 > 16 * float(xp.finfo(u.dtype).eps)
    return xp.where(apart, xp.sqrt(xp.where(apart, d2, 1)), 0)


def _pairs(xp: ModuleType, labels: Array) -> tuple[Array, Array]:
    """The ``(N, N)`` masks of positive pairs (equal labels, ``i != j``) and negative pairs."""
    same = _same_label(xp, labels)
    return same & ~_diagonal(xp, labels), ~same


def _masked_logsumexp(xp: ModuleType, x: Array, mask: Array) -> Array:
    """``log sum_j exp(x_ij)`` over the entries of ``mask`` in each row; a row without any gives
    ``LOG_ZERO`` (about -1e30: its ``exp`` and its ``softplus`` are 0)."""
    return _core.logsumexp(xp, xp.where(mask, x, _core.LOG_ZERO), axis=-1)


def supcon(
    embeddings: Array,
    labels: Array,
    *,
    temperature: float = 0.1,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Supervised contrastive loss (SupCon, Khosla et al.), one value per anchor.

    With ``s_ij`` the cosine similarity of rows ``i`` and ``j`` divided by ``temperature``,
    ``P(i)`` the rows ``j != i`` labelled as ``i`` and ``A(i)`` all rows ``j != i``:

    .. math::
        \\ell_i = -\\frac{1}{|P(i)|} \\sum_{p \\in P(i)}
        \\log \\frac{e^{s_{ip}}}{\\sum_{a \\in A(i)} e^{s_{ia}}}

    (the paper's "L_out": the mean over positives taken outside the log). An anchor without
    positives has loss 0 and does not count in ``"mean"``, which divides by the number (or
    weight) of anchors that have a positive.

    Native counterpart: ``pytorch_metric_learning.losses.SupConLoss(temperature)`` with its
    defaults (cosine similarity, ``AvgNonZeroReducer``): the same per-anchor values, and its mean
    over the anchors with a nonzero loss is ours (an anchor with a positive has a positive loss
    unless it is alone with that positive). Where the batch has no negative pair at all
    (one label), pytorch-metric-learning returns 0; we return the formula's value, as the
    authors' reference code does: the loss then still pulls the positives together. torch,
    Keras and Optax have none.

    Parameters
    ----------
    embeddings : array
        ``(N, D)``; normalized here. Gradients flow to it.
    labels : array
        ``(N,)`` integers; rows with equal labels are positives of each other.
    temperature : float
        > 0.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per anchor.
    sample_weight : array or float, optional
        Broadcastable to the per-anchor loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    P. Khosla et al., "Supervised Contrastive Learning", NeurIPS 2020.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> e = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    >>> ul.supcon(e, np.array([0, 0, 1]), temperature=1.0, reduction="none").round(4)
    array([1.3133, 0.6931, 0.    ])
    """
    xp, x, labels, out = _prepare(embeddings, labels, xp, reduction)
    temperature = _core.check_number(temperature, "temperature", low=0, low_open=True)
    s = _cosine(xp, x)
    s = s / temperature
    positive, negative = _pairs(xp, labels)
    count = xp.sum(xp.astype(positive, s.dtype), axis=-1)
    has = count > 0
    # -mean_p (s_ip - logsumexp_a s_ia) = logsumexp_a s_ia - mean_p s_ip
    mean_positive = xp.sum(xp.where(positive, s, 0), axis=-1) / xp.where(has, count, 1)
    loss = _masked_logsumexp(xp, s, positive | negative) - mean_positive
    weight = xp.astype(has, s.dtype)
    return _core.reduce(xp, xp.where(has, loss, 0), reduction, sample_weight, out, weight=weight)


def multi_similarity(
    embeddings: Array,
    labels: Array,
    *,
    alpha: float = 2.0,
    beta: float = 50.0,
    base: float = 0.5,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Multi-similarity loss (Wang et al.), one value per anchor.

    With ``s_ij`` the cosine similarity of rows ``i`` and ``j``, positives ``P(i)`` (rows
    ``j != i`` labelled as ``i``), negatives ``N(i)`` and ``base`` the similarity margin
    ``lambda``:

    .. math::
        \\ell_i = \\frac{1}{\\alpha} \\log\\Big(1 + \\sum_{j \\in P(i)}
        e^{-\\alpha (s_{ij} - \\lambda)}\\Big)
        + \\frac{1}{\\beta} \\log\\Big(1 + \\sum_{j \\in N(i)} e^{\\beta (s_{ij} - \\lambda)}\\Big)

    An empty sum contributes 0. Every pair takes part: the paper selects hard pairs first (its
    multi-similarity mining), a selection whose size depends on the data; as in
    pytorch-metric-learning, a mining step is not part of the loss. ``"mean"`` is the mean over
    all anchors.

    Native counterpart: ``pytorch_metric_learning.losses.MultiSimilarityLoss(alpha, beta, base)``
    with its defaults (cosine similarity, ``MeanReducer``): these semantics. torch, Keras and
    Optax have none.

    Parameters
    ----------
    embeddings : array
        ``(N, D)``; normalized here. Gradients flow to it.
    labels : array
        ``(N,)`` integers; rows with equal labels are positives of each other.
    alpha : float
        Scale of the positive terms, > 0.
    beta : float
        Scale of the negative terms, > 0.
    base : float
        The similarity margin ``lambda``.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per anchor.
    sample_weight : array or float, optional
        Broadcastable to the per-anchor loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    X. Wang, X. Han, W. Huang, D. Dong, M. R. Scott, "Multi-Similarity Loss with General Pair
    Weighting for Deep Metric Learning", CVPR 2019.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> e = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    >>> ul.multi_similarity(e, np.array([0, 0, 1]), alpha=1.0, beta=1.0, base=0.0,
    ...                     reduction="none").round(4)
    array([2.0064, 1.3863, 1.5514])
    """
    xp, x, labels, out = _prepare(embeddings, labels, xp, reduction)
    alpha = _core.check_number(alpha, "alpha", low=0, low_open=True)
    beta = _core.check_number(beta, "beta", low=0, low_open=True)
    base = _core.check_number(base, "base")
    s = _cosine(xp, x)
    positive, negative = _pairs(xp, labels)
    # log(1 + sum e^z) = softplus(logsumexp z): 0 for an empty sum
    pos = _core.softplus(xp, _masked_logsumexp(xp, alpha * (base - s), positive)) / alpha
    neg = _core.softplus(xp, _masked_logsumexp(xp, beta * (s - base), negative)) / beta
    return _core.reduce(xp, pos + neg, reduction, sample_weight, out)


def lifted_structure(
    embeddings: Array,
    labels: Array,
    *,
    neg_margin: float = 1.0,
    pos_margin: float = 0.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Generalized lifted structure loss (Hermans et al.), one value per anchor.

    With ``d_ij`` the Euclidean distance of the L2-normalized rows ``i`` and ``j``, positives
    ``P(i)`` (rows ``j != i`` labelled as ``i``) and negatives ``N(i)``:

    .. math::
        \\ell_i = \\Big[\\log \\sum_{j \\in P(i)} e^{d_{ij} - m_p}
        + \\log \\sum_{j \\in N(i)} e^{m_n - d_{ij}}\\Big]_+

    with ``m_p = pos_margin`` and ``m_n = neg_margin``. An empty log-sum counts as 0 (an anchor
    without positives still pays for its close negatives). ``"mean"`` is the mean over all
    anchors. Distances are those of ``cdist``: from the rows' differences up to 25 rows
    (exact), from their Gram matrix above (no ``(N, N, D)`` temporary; its rounding, ``eps``
    in ``d²``, is up to ``sqrt(eps)`` in ``d`` between rows closer than that); identical rows
    are at distance 0, with gradient 0 there.

    Native counterpart: ``pytorch_metric_learning.losses.GeneralizedLiftedStructureLoss(
    neg_margin, pos_margin)`` with its defaults (Euclidean distance of normalized embeddings,
    ``MeanReducer``): these semantics. Its ``LiftedStructureLoss`` is the pairwise original of
    Song et al., another loss. torch, Keras and Optax have none.

    Parameters
    ----------
    embeddings : array
        ``(N, D)``; normalized here. Gradients flow to it.
    labels : array
        ``(N,)`` integers; rows with equal labels are positives of each other.
    neg_margin : float
        ``m_n``: negatives closer than it are penalized most.
    pos_margin : float
        ``m_p``: subtracted from the positive distances.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per anchor.
    sample_weight : array or float, optional
        Broadcastable to the per-anchor loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    A. Hermans, L. Beyer, B. Leibe, "In Defense of the Triplet Loss for Person
    Re-Identification", 2017 (section 2); H. O. Song, Y. Xiang, S. Jegelka, S. Savarese, "Deep
    Metric Learning via Lifted Structured Feature Embedding", CVPR 2016.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> e = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    >>> ul.lifted_structure(e, np.array([0, 0, 1]), reduction="none").round(4)
    array([2.4142, 1.    , 1.2176])
    """
    xp, x, labels, out = _prepare(embeddings, labels, xp, reduction)
    neg_margin = _core.check_number(neg_margin, "neg_margin")
    pos_margin = _core.check_number(pos_margin, "pos_margin")
    d = _normalized_distances(xp, x)
    positive, negative = _pairs(xp, labels)
    pos = xp.where(xp.any(positive, axis=-1), _masked_logsumexp(xp, d - pos_margin, positive), 0)
    neg = xp.where(xp.any(negative, axis=-1), _masked_logsumexp(xp, neg_margin - d, negative), 0)
    return _core.reduce(xp, xp.maximum(pos + neg, 0), reduction, sample_weight, out)


def npairs(
    embeddings: Array,
    labels: Array,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Multi-class N-pair loss (Sohn), one value per row (nonzero at the anchors).

    Each label with at least two rows gives one (anchor, positive) pair: its first row in batch
    order is the anchor ``a_c`` and its second row the positive ``p_c`` (further rows of the label
    take no part). With ``s`` the cosine similarities and ``C`` the labels that have a pair, the
    anchor's loss is the cross-entropy of its similarities to every pair's positive:

    .. math::
        \\ell_{a_c} = \\log \\sum_{c' \\in C} e^{s(a_c, p_{c'})} - s(a_c, p_c)

    so the other labels' positives are the negatives. Every other row has loss 0 and does not
    count in ``"mean"``, which divides by the number (or weight) of anchors.

    Native counterpart: ``pytorch_metric_learning.losses.NPairsLoss()`` with its defaults
    (``DotProductSimilarity``, which normalizes the embeddings, and ``MeanReducer`` over the
    anchors): these semantics. It keeps the first positive pair it finds of each label, which is
    the pair above (the first row and the second), so the two agree on every batch. The paper
    builds batches of exactly two rows per class, where this choice is the only one. torch,
    Keras and Optax have none.

    Parameters
    ----------
    embeddings : array
        ``(N, D)``; normalized here. Gradients flow to it.
    labels : array
        ``(N,)`` integers; rows with equal labels form the pairs.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per row (0 for rows that are not an anchor).
    sample_weight : array or float, optional
        Broadcastable to the per-row loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    K. Sohn, "Improved Deep Metric Learning with Multi-class N-pair Loss Objective", NeurIPS 2016.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> e = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> ul.npairs(e, np.array([0, 1, 0, 1]), reduction="none").round(4)
    array([0.5574, 0.4008, 0.    , 0.    ])
    """
    xp, x, labels, out = _prepare(embeddings, labels, xp, reduction)
    s = _cosine(xp, x)
    same = _same_label(xp, labels)
    i = _core.class_indices(xp, labels, 0)
    earlier = xp.expand_dims(i, axis=0) < xp.expand_dims(i, axis=1)  # column before row
    # rows of the same label before each row: 0 for a label's first row, 1 for its second
    before = xp.sum(xp.astype(same & earlier, s.dtype), axis=-1)
    second = before == 1
    paired = xp.sum(xp.astype(same, s.dtype), axis=-1) > 1
    anchor = (before == 0) & paired
    columns = xp.expand_dims(second, axis=0)
    target = xp.sum(xp.where(same & columns, s, 0), axis=-1)
    loss = _masked_logsumexp(xp, s, columns) - target
    weight = xp.astype(anchor, s.dtype)
    return _core.reduce(xp, xp.where(anchor, loss, 0), reduction, sample_weight, out, weight=weight)
