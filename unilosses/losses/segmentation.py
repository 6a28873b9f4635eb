"""Segmentation losses over masks."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from .. import _core

Array = Any

__all__ = ["dice"]


def dice(
    y_pred: Array,
    y_true: Array,
    *,
    smooth: float = 1e-5,
    squared: bool = True,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Soft Dice loss per sample, over all non-batch axes.

    ``1 - (2 sum(p t) + smooth) / (sum(p**2) + sum(t**2) + smooth)``; ``squared=False`` uses
    ``sum(p) + sum(t)`` in the denominator (MONAI's default and Keras' ``Dice``). An empty target
    with an empty prediction gives 0 (the smoothing terms make the ratio 1, as MONAI).

    Native counterparts: MONAI ``DiceLoss(squared_pred=squared, smooth_nr=smooth,
    smooth_dr=smooth)`` on a single channel; ``keras.losses.Dice`` (``squared=False``,
    ``smooth=0``, reduced over all non-batch axes via ``axis``).

    Parameters
    ----------
    y_pred : array
        Probabilities, shape ``(N, ...)``.
    y_true : array
        Masks in [0, 1], same shape.
    smooth : float >= 0
        Added to numerator and denominator.
    squared : bool
        Square the terms of the denominator.

    ``reduction="none"`` gives one value per sample.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p = np.array([[0.9, 0.1, 0.8]]); t = np.array([[1.0, 0.0, 1.0]])
    >>> round(float(ul.dice(p, t)), 6)
    0.017341
    """
    smooth = _core.check_number(smooth, "smooth", low=0.0)
    _core.check_bool(squared, "squared")
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    if y_pred.ndim < 2:
        raise ValueError(f"y_pred must have a batch axis and at least one more, got shape {y_pred.shape}")
    axes = tuple(range(1, y_pred.ndim))
    inter = xp.sum(y_pred * y_true, axis=axes)
    if squared:
        denom = xp.sum(y_pred * y_pred, axis=axes) + xp.sum(y_true * y_true, axis=axes)
    else:
        denom = xp.sum(y_pred, axis=axes) + xp.sum(y_true, axis=axes)
    loss = 1 - (2 * inter + smooth) / (denom + smooth)
    return _core.reduce(xp, loss, reduction, sample_weight, out)
