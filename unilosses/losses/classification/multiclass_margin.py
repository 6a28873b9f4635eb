"""Multiclass and multilabel margin losses: scores along the last (class) axis.

``categorical_hinge`` (Keras), ``multiclass_hinge`` and ``multiclass_perceptron`` (Optax),
``multi_margin``, ``multilabel_margin`` and ``multilabel_soft_margin`` (torch). Each gives one
value per sample (``reduction="none"`` has ``y_pred``'s shape without the class axis). Integer
labels are compared with the class indices (a one-hot mask), never gathered, so ``-inf`` scores
of non-target classes stay harmless.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ... import _core
from .crossentropy import _sparse_inputs

Array = Any

__all__ = [
    "categorical_hinge",
    "multi_margin",
    "multiclass_hinge",
    "multiclass_perceptron",
    "multilabel_margin",
    "multilabel_soft_margin",
]


def _labelled(
    y_pred: Array,
    y_true: Array,
    xp: ModuleType | None,
    reduction: str,
    class_weight: Array | None = None,
) -> tuple[ModuleType, Array, Array, Any, Array | None]:
    """``prepare`` for integer labels along the last axis (shape and range checked as for the
    sparse cross-entropy); returns ``(xp, y_pred, one_hot_mask, out_dtype, invalid)``."""
    xp, y_pred, labels, _, _, out, invalid = _sparse_inputs(
        y_pred,
        y_true,
        xp=xp,
        reduction=reduction,
        axis=-1,
        ignore_index=None,
        class_weight=class_weight,
    )
    hot = xp.astype(labels, y_pred.dtype)[..., None] == _core.class_indices(xp, y_pred, -1)
    return xp, y_pred, hot, out, invalid


def _pick(xp: ModuleType, x: Array, mask: Array) -> Array:
    """``sum(x * mask)`` over the class axis, where ``x`` may hold -inf outside ``mask``."""
    return xp.sum(xp.where(mask, x, 0), axis=-1)


def _class_weight(xp: ModuleType, class_weight: Any, like: Array) -> Array:
    cw = _core.as_like(xp, class_weight, like, "class_weight")
    c = _core.shape_of(like)[-1]
    if not _core.shapes_match(_core.shape_of(cw), (c,)):
        raise ValueError(f"class_weight must have shape ({c},), got {_core.shape_of(cw)}")
    return cw


def categorical_hinge(
    y_pred: Array,
    y_true: Array,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Categorical hinge loss ``max(0, 1 + neg - pos)`` per sample, for one-hot ``y_true``.

    ``pos = sum(t * y_pred)`` and ``neg = max((1 - t) * y_pred)`` over the last axis, literally
    as Keras computes them: the target class enters ``neg`` as 0, so ``neg >= 0`` and the loss is
    ``max(0, 1 + max(0, max_{j != y} s_j) - s_y)`` for one-hot targets. Optax's
    :func:`multiclass_hinge` (integer labels) takes the maximum over the other classes only; the
    two differ where every other score is negative.

    Native counterpart: ``keras.losses.CategoricalHinge`` (the anchor; torch has none).

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> s, t = np.array([[2.0, 0.5, -1.0], [-1.0, -2.0, -3.0]]), np.eye(3)[[0, 0]]
    >>> ul.categorical_hinge(s, t, reduction="none").tolist()  # multiclass_hinge: [0.0, 0.0]
    [0.0, 2.0]
    """
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    pos = xp.sum(y_true * y_pred, axis=-1)
    neg = _core.max_along(xp, (1 - y_true) * y_pred, -1)
    return _core.reduce(xp, xp.maximum(1 + neg - pos, 0), reduction, sample_weight, out)


def multiclass_hinge(
    y_pred: Array,
    y_true: Array,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Multiclass (Crammer-Singer) hinge loss ``max_j (s_j + 1 - [j = y]) - s_y`` per sample.

    Equal to ``max(0, 1 + max_{j != y} s_j - s_y)``: the target must beat every other class by a
    margin of 1. Scores ``s`` along the last axis, integer labels ``y``.

    Native counterpart: ``optax.multiclass_hinge_loss`` (``reduction="none"``; it gives NaN for a
    -inf score, a masked class, where this loss is finite). Keras' :func:`categorical_hinge`
    differs (0 enters its maximum), torch's :func:`multi_margin` sums over the classes instead of
    taking the maximum.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> s = np.array([[2.0, 0.5, -1.0], [-1.0, -2.0, -3.0]])
    >>> ul.multiclass_hinge(s, np.array([0, 2]), reduction="none").tolist()
    [0.0, 3.0]
    """
    xp, y_pred, hot, out, invalid = _labelled(y_pred, y_true, xp, reduction)
    loss = _core.max_along(xp, xp.where(hot, y_pred, y_pred + 1), -1) - _pick(xp, y_pred, hot)
    return _core.reduce(xp, loss, reduction, sample_weight, out, invalid=invalid)


def multiclass_perceptron(
    y_pred: Array,
    y_true: Array,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Multiclass perceptron loss ``max_j s_j - s_y`` per sample (scores along the last axis).

    Native counterpart: ``optax.multiclass_perceptron_loss`` (``reduction="none"``; it gives NaN
    for a -inf score, a masked class, where this loss is finite). torch and Keras have no
    perceptron loss.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> s = np.array([[2.0, 0.5, -1.0], [-1.0, -2.0, -3.0]])
    >>> ul.multiclass_perceptron(s, np.array([0, 2]), reduction="none").tolist()
    [0.0, 2.0]
    """
    xp, y_pred, hot, out, invalid = _labelled(y_pred, y_true, xp, reduction)
    loss = _core.max_along(xp, y_pred, -1) - _pick(xp, y_pred, hot)
    return _core.reduce(xp, loss, reduction, sample_weight, out, invalid=invalid)


def multi_margin(
    y_pred: Array,
    y_true: Array,
    *,
    p: int = 1,
    margin: float = 1.0,
    class_weight: Array | None = None,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Multiclass margin loss ``w_y / C * sum_{j != y} max(0, margin - s_y + s_j)**p`` per sample.

    Scores ``s`` along the last axis (``C`` classes), integer labels ``y``, class weights ``w``
    (ones by default). The weight multiplies the powered term, as torch computes it (its
    documentation writes it inside the power), and ``"mean"`` is the plain mean over samples
    (torch does not divide by the weights here, unlike ``cross_entropy``).

    Native counterpart: torch ``F.multi_margin_loss(input, target, p, margin, weight)``. Keras
    and Optax have no such loss (Optax's :func:`multiclass_hinge` takes the maximum, not the sum).

    Parameters
    ----------
    p : {1, 2}
        The power of each hinge term.
    margin : float
        Any real number (as in torch)
    class_weight : array of shape (C,), optional
        Weight per target class (torch ``weight``).
    reduction, sample_weight, xp
        As in :func:`unilosses.hinge`; ``"none"`` gives one value per sample.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> s = np.array([[2.0, 0.5, -1.0], [-1.0, -2.0, -3.0]])
    >>> ul.multi_margin(s, np.array([0, 2]), reduction="none").round(6).tolist()
    [0.0, 1.666667]
    """
    if p not in (1, 2) or isinstance(p, bool):
        raise ValueError(f"p must be 1 or 2, got {p!r}")
    m = _core.check_number(margin, "margin")
    xp, y_pred, hot, out, invalid = _labelled(y_pred, y_true, xp, reduction, class_weight)
    z = xp.where(hot, 0, xp.maximum(m - _pick(xp, y_pred, hot)[..., None] + y_pred, 0))
    loss = xp.mean(z if p == 1 else z * z, axis=-1)
    if class_weight is not None:
        loss = loss * _pick(xp, _class_weight(xp, class_weight, y_pred), hot)
    return _core.reduce(xp, loss, reduction, sample_weight, out, invalid=invalid)


def multilabel_margin(
    y_pred: Array,
    y_true: Array,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Multilabel margin loss ``1 / C * sum_{j in T} sum_{i not in T} max(0, 1 - (s_j - s_i))``.

    ``y_true`` has ``y_pred``'s shape and holds the target classes ``T`` of each sample first,
    then -1; entries after the first -1 are ignored (torch's format). A class listed twice counts
    twice (as in torch). Computed from a ``(..., C, C)`` comparison of the label positions with the
    classes (no gather, no sort): memory grows with ``C**2`` per sample.

    Native counterpart: torch ``F.multilabel_margin_loss`` (the anchor; Keras and Optax have
    none).

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> s = np.array([[0.1, 0.2, 0.4, 0.8]])
    >>> round(float(ul.multilabel_margin(s, np.array([[3, 0, -1, 1]]))), 6)
    0.85
    """
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction, labels=True)
    _core.check_same_shape(y_pred, y_true)
    invalid = _core.check_labels(xp, y_true, y_pred.shape[-1], -1)
    position = _core.class_indices(xp, y_pred, -1)
    labels = xp.astype(y_true, y_pred.dtype)
    # slot j is valid when no -1 stands at a position k <= j
    earlier = position[..., None, :] <= position[..., :, None]  # [j, k]: k <= j
    valid = ~xp.any((labels == -1)[..., None, :] & earlier, axis=-1)  # (..., C)
    # hot[..., j, i]: slot j is valid and names class i
    hot = (labels[..., :, None] == position[..., None, :]) & valid[..., :, None]
    is_target = xp.any(hot, axis=-2)  # (..., C)
    s_target = _pick(xp, y_pred[..., None, :], hot)  # (..., C): the score of slot j's class
    h = xp.maximum(1 - s_target[..., :, None] + y_pred[..., None, :], 0)
    h = xp.where(valid[..., :, None] & ~is_target[..., None, :], h, 0)
    loss = xp.sum(xp.mean(h, axis=-1), axis=-1)
    return _core.reduce(xp, loss, reduction, sample_weight, out, invalid=invalid)


def multilabel_soft_margin(
    y_pred: Array,
    y_true: Array,
    *,
    class_weight: Array | None = None,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Multilabel soft margin loss: the class-mean of ``w_c * bce_with_logits(s_c, t_c)``.

    ``1 / C * sum_c w_c (-(t_c log sigmoid(s_c) + (1 - t_c) log sigmoid(-s_c)))`` per sample,
    from log-sigmoids (exact for scores of any size). Targets in [0, 1] of ``y_pred``'s shape.
    ``"mean"`` is the plain mean over samples, as torch (the class weights are not divided out).

    Native counterpart: torch ``F.multilabel_soft_margin_loss(input, target, weight)``. Keras and
    Optax have no such loss.

    Without ``class_weight``, its ``"mean"`` equals the mean binary cross-entropy on logits
    (:func:`unilosses.binary_crossentropy` with ``from_logits=True``).

    Parameters
    ----------
    class_weight : array of shape (C,), optional
        Weight per class (torch ``weight``).

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> s, t = np.array([[0.0, 1e4, -1e4]]), np.array([[1.0, 1.0, 0.0]])
    >>> round(float(ul.multilabel_soft_margin(s, t)), 6)
    0.231049
    """
    xp, y_pred, y_true, out = _core.prepare(
        y_pred, y_true, xp=xp, reduction=reduction, class_weight=class_weight
    )
    bce = (1 - y_true) * y_pred - _core.log_sigmoid(xp, y_pred)
    if class_weight is not None:
        bce = bce * _class_weight(xp, class_weight, y_pred)
    loss = xp.mean(bce, axis=-1)
    return _core.reduce(xp, loss, reduction, sample_weight, out)
