"""Losses on pairs and triplets: cosine embedding, margin ranking, triplet margin, contrastive.

Embeddings carry their features on the last axis; the loss has one value per pair or triplet
(the leading shape), which ``reduction="none"`` returns.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType
from typing import Any

from ... import _core

Array = Any

__all__ = [
    "contrastive",
    "cosine_embedding",
    "margin_ranking",
    "triplet_margin",
    "triplet_margin_with_distance",
]

_COS_EPS = 1e-12  # torch's cosine_embedding_loss adds it to both squared norms


def _check_leading(xp: ModuleType, x: Array, y: Array, name_x: str, name_y: str) -> None:
    """``y`` holds one value per vector of ``x`` (features on the last axis)."""
    if x.ndim < 1:
        raise ValueError(f"{name_x} must have a feature axis (at least 1 dimension), got 0")
    want, got = _core.shape_of(x)[:-1], _core.shape_of(y)
    if not _core.shapes_match(got, want):
        raise ValueError(
            f"{name_y} must have shape {want} (one value per row of {name_x}), got {got}"
        )


def _norm(xp: ModuleType, d: Array, p: float) -> Array:
    """The p-norm of ``d`` over its last axis (p > 0; ``math.inf`` gives the maximum). At
    ``d = 0`` its gradient is 0, as torch's (double where: the root's gradient is infinite at 0)."""
    if p == 1:
        return xp.sum(xp.abs(d), axis=-1)
    if p == math.inf:
        return _core.max_along(xp, xp.abs(d), axis=-1)
    s = xp.sum(d * d, axis=-1) if p == 2 else xp.sum(xp.abs(d) ** p, axis=-1)
    positive = s > 0
    s = xp.where(positive, s, 1)
    return xp.where(positive, xp.sqrt(s) if p == 2 else s ** (1 / p), 0)


def _pairwise_distance(
    xp: ModuleType, a: Array, b: Array, p: float = 2.0, eps: float = 1e-6
) -> Array:
    """torch's ``pairwise_distance``: ``||a - b + eps||_p`` over the last axis."""
    return _norm(xp, a - b + eps, p)


def cosine_embedding(
    x1: Array,
    x2: Array,
    y: Array,
    *,
    margin: float = 0.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Cosine embedding loss: pull pairs with ``y = 1`` together, push ``y = -1`` apart.

    .. math::
        \\ell = 1 - \\cos(x_1, x_2) \\text{ if } y = 1, \\quad
        \\max(0, \\cos(x_1, x_2) - \\text{margin}) \\text{ if } y = -1

    with ``cos = <x1, x2> / sqrt((|x1|^2 + 1e-12) (|x2|^2 + 1e-12))`` over the last axis (torch's
    epsilon). As in torch, a target other than 1 or -1 gives 0 (targets are not checked: that would
    need the values).

    Native counterpart: torch ``F.cosine_embedding_loss`` (Keras and Optax have none).

    Parameters
    ----------
    x1, x2 : array
        Embeddings ``(..., D)`` of the same shape; gradients flow to ``x1``.
    y : array
        Targets ``(...)`` in {1, -1}, one per pair.
    margin : float
        Cosine similarity above which a dissimilar pair (``y = -1``) is penalized; torch
        suggests values in [-1, 1].
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per pair.
    sample_weight : array or float, optional
        Broadcastable to the per-pair loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> x1 = np.array([[1.0, 0.0], [1.0, 0.0]])
    >>> x2 = np.array([[0.0, 1.0], [1.0, 1.0]])
    >>> ul.cosine_embedding(x1, x2, np.array([1.0, -1.0]), reduction="none").round(4)
    array([1.    , 0.7071])
    """
    xp, (x1, x2, y), out = _core.prepare_named(
        {"x1": x1, "x2": x2, "y": y}, xp=xp, reduction=reduction
    )
    margin = _core.check_number(margin, "margin")
    _core.check_same_shape(x1, x2, "x1", "x2")
    _check_leading(xp, x1, y, "x1", "y")
    dot = xp.sum(x1 * x2, axis=-1)
    sq1 = xp.sum(x1 * x1, axis=-1) + _COS_EPS
    sq2 = xp.sum(x2 * x2, axis=-1) + _COS_EPS
    cos = dot / xp.sqrt(sq1 * sq2)
    loss = xp.where(y == 1, 1 - cos, xp.where(y == -1, xp.maximum(cos - margin, 0), 0))
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def margin_ranking(
    x1: Array,
    x2: Array,
    y: Array,
    *,
    margin: float = 0.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Margin ranking loss ``max(0, -y (x1 - x2) + margin)``, elementwise.

    ``y = 1`` asks for ``x1`` to rank above ``x2`` by at least ``margin``, ``y = -1`` the reverse.

    Native counterpart: torch ``F.margin_ranking_loss``.

    Parameters
    ----------
    x1, x2 : array
        Scores of the same shape; gradients flow to ``x1``.
    y : array
        Targets in {1, -1} of the same shape.
    margin : float
        The required gap.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the elementwise loss.
    sample_weight : array or float, optional
        Broadcastable to the elementwise loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> x1, x2 = np.array([0.5, 0.2]), np.array([0.1, 0.4])
    >>> ul.margin_ranking(x1, x2, np.array([1.0, 1.0]), margin=0.5, reduction="none")
    array([0.1, 0.7])
    """
    xp, (x1, x2, y), out = _core.prepare_named(
        {"x1": x1, "x2": x2, "y": y}, xp=xp, reduction=reduction
    )
    margin = _core.check_number(margin, "margin")
    _core.check_same_shape(x1, x2, "x1", "x2")
    _core.check_same_shape(x1, y, "x1", "y")
    loss = xp.maximum(margin - y * (x1 - x2), 0)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def _triplet_inputs(
    anchor: Array, positive: Array, negative: Array, xp: ModuleType | None, reduction: object
) -> tuple[ModuleType, Array, Array, Array, Any]:
    xp, (a, p, n), out = _core.prepare_named(
        {"anchor": anchor, "positive": positive, "negative": negative}, xp=xp, reduction=reduction
    )
    if a.ndim < 1:
        raise ValueError("anchor must have a feature axis (at least 1 dimension), got 0")
    _core.check_same_shape(a, p, "anchor", "positive")
    _core.check_same_shape(a, n, "anchor", "negative")
    return xp, a, p, n, out


def triplet_margin(
    anchor: Array,
    positive: Array,
    negative: Array,
    *,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Triplet margin loss ``max(0, d(a, p) - d(a, n) + margin)`` with p-norm distances.

    ``d(x, y) = ||x - y + eps||_p`` over the last axis: torch's ``pairwise_distance`` adds
    ``eps`` to the difference (not to the norm), which keeps the norm's gradient finite when
    ``x == y``. ``swap=True`` (Balntas et al.) uses ``min(d(a, n), d(p, n))`` as the negative
    distance.

    Native counterparts: torch ``F.triplet_margin_loss`` (the semantics here);
    ``optax.losses.triplet_margin_loss`` adds ``eps`` to the p-th power sum instead
    (``(sum |a - p|^p + eps)^(1/p)``) and has no swap. Keras has none.

    Parameters
    ----------
    anchor, positive, negative : array
        Embeddings ``(..., D)`` of one shape; gradients flow to ``anchor``.
    margin : float
        The required gap, > 0 (torch refuses others).
    p : float
        Norm degree, > 0; ``math.inf`` gives the maximum norm.
    eps : float
        Added to every difference, >= 0.
    swap : bool
        Use the smaller of ``d(a, n)`` and ``d(p, n)``.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per triplet.
    sample_weight : array or float, optional
        Broadcastable to the per-triplet loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    V. Balntas, E. Riba, D. Ponsa, K. Mikolajczyk, "Learning local feature descriptors with
    triplets and shallow convolutional neural networks", BMVC 2016.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> a, pos, neg = np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]]), np.array([[0.0, 5.5]])
    >>> ul.triplet_margin(a, pos, neg, eps=0.0, reduction="none")
    array([0.5])
    """
    xp, a, pos, neg, out = _triplet_inputs(anchor, positive, negative, xp, reduction)
    margin = _core.check_number(margin, "margin", low=0, low_open=True)
    p = _core.check_number(p, "p", low=0, low_open=True)
    eps = _core.check_number(eps, "eps", low=0)
    swap = _core.check_bool(swap, "swap")
    d_pos = _pairwise_distance(xp, a, pos, p, eps)
    d_neg = _pairwise_distance(xp, a, neg, p, eps)
    if swap:
        d_neg = xp.minimum(d_neg, _pairwise_distance(xp, pos, neg, p, eps))
    loss = xp.maximum(margin + d_pos - d_neg, 0)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def triplet_margin_with_distance(
    anchor: Array,
    positive: Array,
    negative: Array,
    *,
    distance_function: Callable[[Array, Array], Array] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Triplet margin loss ``max(0, d(a, p) - d(a, n) + margin)`` with any distance ``d``.

    ``distance_function(x, y)`` takes two arrays of the caller's library (``(..., D)``, in the
    compute dtype: float32 for float16/bfloat16 inputs) and returns one distance per row
    (``(...)``); it must be written for that library (or against the array API). The default is
    torch's ``pairwise_distance`` with ``p=2, eps=1e-6`` (as :func:`triplet_margin`). ``swap=True``
    uses ``min(d(a, n), d(p, n))``.

    Native counterpart: torch ``F.triplet_margin_with_distance_loss``.

    Parameters
    ----------
    anchor, positive, negative : array
        Embeddings ``(..., D)`` of one shape; gradients flow to ``anchor``.
    distance_function : callable, optional
        ``(x, y) -> distances``; default: the Euclidean distance of torch's ``pairwise_distance``.
    margin : float
        The required gap, > 0 (torch refuses others).
    swap : bool
        Use the smaller of ``d(a, n)`` and ``d(p, n)``.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per triplet.
    sample_weight : array or float, optional
        Broadcastable to the per-triplet loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> a, pos, neg = np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]]), np.array([[0.0, 5.5]])
    >>> l1 = lambda x, y: np.abs(x - y).sum(axis=-1)
    >>> ul.triplet_margin_with_distance(a, pos, neg, distance_function=l1, reduction="none")
    array([2.5])
    """
    xp, a, pos, neg, out = _triplet_inputs(anchor, positive, negative, xp, reduction)
    if distance_function is not None and not callable(distance_function):
        raise TypeError(
            f"distance_function must be callable or None, got {type(distance_function).__name__}"
        )
    margin = _core.check_number(margin, "margin", low=0, low_open=True)
    swap = _core.check_bool(swap, "swap")

    def dist(x: Array, y: Array) -> Array:
        if distance_function is None:
            return _pairwise_distance(xp, x, y)
        return distance_function(x, y)

    d_pos, d_neg = dist(a, pos), dist(a, neg)
    if swap:
        d_neg = xp.minimum(d_neg, dist(pos, neg))
    loss = xp.maximum(margin + d_pos - d_neg, 0)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def contrastive(
    x1: Array,
    x2: Array,
    y: Array,
    *,
    margin: float = 1.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Pairwise contrastive loss (Hadsell, Chopra, LeCun) on embeddings; ``y = 1`` for similar.

    .. math::
        \\ell = y\\, d^2 + (1 - y) \\max(0, \\text{margin} - d)^2, \\qquad d = \\lVert x_1 - x_2
        \\rVert_2

    over the last axis, one value per pair; ``y`` may be soft (in [0, 1]). The distance is exact
    (no epsilon); at ``x1 == x2`` its gradient is taken as 0 (the squared term's is exact).

    Conventions differ between the anchors, none of which is in torch, Keras 3 or Optax:
    Hadsell et al. write ``y = 0`` for similar pairs and a factor 1/2; TensorFlow Addons'
    ``contrastive_loss(y_true, y_pred=distance, margin=1.0)`` is this formula (``y = 1`` similar,
    no 1/2) on given distances; pytorch-metric-learning's ``ContrastiveLoss`` uses unsquared
    hinges ``relu(d - pos_margin)`` / ``relu(neg_margin - d)`` over all pairs in a batch. We take
    TF Addons' formula on embeddings (so ``d`` is computed here, as torch's embedding losses do).
    In pytorch-metric-learning's terms: ``ContrastiveLoss(pos_margin=0, neg_margin=margin,
    distance=LpDistance(normalize_embeddings=False))`` on ``concat(x1, x2)`` with the pairs
    ``(i, N + i)`` given as ``indices_tuple`` (positive where ``y = 1``), each pair's hinge squared
    and the squares averaged over the pairs (its default reducer averages the non-zero hinges of
    the positive and of the negative pairs separately and adds the two means).

    Parameters
    ----------
    x1, x2 : array
        Embeddings ``(..., D)`` of the same shape; gradients flow to ``x1``.
    y : array
        ``(...)``: 1 for a similar pair, 0 for a dissimilar one.
    margin : float
        Distance beyond which dissimilar pairs cost nothing, >= 0.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per pair.
    sample_weight : array or float, optional
        Broadcastable to the per-pair loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    R. Hadsell, S. Chopra, Y. LeCun, "Dimensionality Reduction by Learning an Invariant Mapping",
    CVPR 2006.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> x1, x2 = np.array([[0.0, 0.0], [0.0, 0.0]]), np.array([[0.3, 0.4], [0.3, 0.4]])
    >>> ul.contrastive(x1, x2, np.array([1.0, 0.0]), reduction="none")
    array([0.25, 0.25])
    """
    xp, (x1, x2, y), out = _core.prepare_named(
        {"x1": x1, "x2": x2, "y": y}, xp=xp, reduction=reduction
    )
    margin = _core.check_number(margin, "margin", low=0)
    _core.check_same_shape(x1, x2, "x1", "x2")
    _check_leading(xp, x1, y, "x1", "y")
    diff = x1 - x2
    sq = xp.sum(diff * diff, axis=-1)
    positive = sq > 0
    d = xp.where(positive, xp.sqrt(xp.where(positive, sq, 1)), 0)  # double where: sqrt'(0)
    hinge = xp.maximum(margin - d, 0)
    loss = y * sq + (1 - y) * hinge * hinge
    return _core.reduce(xp, loss, reduction, sample_weight, out)
