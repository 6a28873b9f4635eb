"""Margin (hinge-family) classification losses on signed scores, elementwise.

One score per element and a target of the same shape: ``hinge``, ``squared_hinge``,
``soft_margin``, ``hinge_embedding``, ``perceptron``. The multiclass margins (scores along a class
axis) are in :mod:`.multiclass_margin`.

``reduction="none"`` is elementwise here (as torch). Keras' hinge losses average the last axis
per sample instead; the ``"mean"`` of the two agrees.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ... import _core

Array = Any

__all__ = ["hinge", "hinge_embedding", "perceptron", "soft_margin", "squared_hinge"]


def _signed(xp: ModuleType, y_true: Array) -> Array:
    """Keras' target convention: if every element is 0 or 1, map {0, 1} to {-1, 1}. Decided on
    the whole array with array operations, so it stays traceable.

    ``y * y == y`` holds for 0 and 1 only (and +inf: a meaningless hinge target, read as binary
    when all others are 0 or 1); with the 0-d flag ``b`` (1 for {0, 1} targets, else 0) the
    targets are ``y * (1 + b) - b``, exact either way: two passes fewer than comparing with 0
    and 1 and selecting ``2 * y - 1`` with a ``where``.
    """
    b = xp.astype(xp.all(y_true * y_true == y_true), y_true.dtype)
    return y_true * (1 + b) - b


def hinge(
    y_pred: Array,
    y_true: Array,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Hinge loss ``max(0, 1 - t * y_pred)``, elementwise, for targets ``t`` in {-1, 1}.

    As Keras does, targets given as {0, 1} (every element 0 or 1) are mapped to {-1, 1}; this is
    decided on the whole ``y_true`` with array operations, so it stays traceable.

    Native counterparts: ``keras.losses.Hinge``, ``optax.hinge_loss`` ({-1, 1} targets only).
    torch has no binary hinge loss (``hinge_embedding_loss`` is a different loss).

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> ul.hinge(np.array([0.3, -2.0]), np.array([1.0, 0.0]), reduction="none").tolist()
    [0.7, 0.0]
    """
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    t = _signed(xp, y_true)
    return _core.reduce(xp, xp.maximum(1 - t * y_pred, 0), reduction, sample_weight, out)


def squared_hinge(
    y_pred: Array,
    y_true: Array,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Squared hinge loss ``max(0, 1 - t * y_pred)**2``, elementwise, targets ``t`` in {-1, 1}.

    Targets given as {0, 1} (every element 0 or 1) are mapped to {-1, 1}, as Keras and
    :func:`hinge` do.

    Native counterpart: ``keras.losses.SquaredHinge`` (its ``"none"`` averages the last axis;
    here it is elementwise, the ``"mean"`` agrees). torch and Optax have no squared hinge.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> x, t = np.array([0.5, -2.0, 3.0]), np.array([1.0, 0.0, 0.0])
    >>> ul.squared_hinge(x, t, reduction="none").tolist()
    [0.25, 0.0, 16.0]
    """
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    h = xp.maximum(1 - _signed(xp, y_true) * y_pred, 0)
    return _core.reduce(xp, h * h, reduction, sample_weight, out)


def soft_margin(
    y_pred: Array,
    y_true: Array,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Soft margin (logistic) loss ``log(1 + exp(-t * y_pred))``, elementwise, ``t`` in {-1, 1}.

    Computed as ``-log_sigmoid(t * y_pred)``, exact for scores of any size (no ``exp``
    overflow). Targets are used as given (torch: no {0, 1} conversion).

    Native counterpart: torch ``F.soft_margin_loss`` (same reductions). Keras and Optax have no
    such loss.

    It is the binary cross-entropy on logits with targets ``(t + 1) / 2``.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> ul.soft_margin(np.array([0.0, 1e4]), np.array([1.0, -1.0]), reduction="none").tolist()
    [0.6931471805599453, 10000.0]
    """
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    loss = -_core.log_sigmoid(xp, y_true * y_pred)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def hinge_embedding(
    y_pred: Array,
    y_true: Array,
    *,
    margin: float = 1.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Hinge embedding loss on distances: ``x`` where ``t = 1``, ``max(0, margin - x)`` where
    ``t = -1``, elementwise (``y_pred`` holds distances ``x``, e.g. L1 distances of pairs).

    As torch computes it, a target that is neither 1 nor -1 gets both terms,
    ``x + max(0, margin - x)``.

    Native counterpart: torch ``F.hinge_embedding_loss(input, target, margin)``. Keras and Optax
    have no such loss.

    Parameters
    ----------
    y_pred : array
        Distances (any real values are accepted).
    y_true : array
        Targets in {-1, 1}, same shape.
    margin : float
        The margin for dissimilar pairs (``t = -1``); any real number (as in torch)
    reduction, sample_weight, xp
        As in :func:`hinge`; ``"none"`` is elementwise.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> x, t = np.array([0.3, 0.3, 2.0]), np.array([1.0, -1.0, -1.0])
    >>> ul.hinge_embedding(x, t, reduction="none").tolist()
    [0.3, 0.7, 0.0]
    """
    m = _core.check_number(margin, "margin")
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    dissimilar = xp.where(y_true != 1, xp.maximum(m - y_pred, 0), 0)
    loss = dissimilar + xp.where(y_true != -1, y_pred, 0)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def perceptron(
    y_pred: Array,
    y_true: Array,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Binary perceptron loss ``max(0, -t * y_pred)``, elementwise, for targets ``t`` in {-1, 1}.

    Targets are used as given (Optax: no {0, 1} conversion, unlike :func:`hinge`).

    Native counterpart: ``optax.perceptron_loss`` (``reduction="none"``). torch and Keras have no
    perceptron loss.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> x, t = np.array([0.5, -2.0, 3.0]), np.array([1.0, 1.0, -1.0])
    >>> ul.perceptron(x, t, reduction="none").tolist()
    [0.0, 2.0, 3.0]
    """
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    return _core.reduce(xp, xp.maximum(-y_true * y_pred, 0), reduction, sample_weight, out)
