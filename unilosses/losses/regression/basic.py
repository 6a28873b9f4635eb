"""Regression losses: elementwise functions of the residual ``y_pred - y_true``.

``reduction="none"`` returns the elementwise loss (torch style); ``"mean"`` averages over every
element, which equals Keras' per-sample mean followed by its batch mean.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ... import _core

Array = Any

__all__ = ["huber", "mae", "mean_absolute_error", "mean_squared_error", "mse"]


def mean_squared_error(
    y_pred: Array,
    y_true: Array,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Squared error ``(y_pred - y_true)**2``.

    Native counterparts: PyTorch ``F.mse_loss``, ``keras.losses.MeanSquaredError``,
    ``optax.squared_error`` (Optax has no mean; its ``l2_loss`` is half of this).

    Parameters
    ----------
    y_pred, y_true : array
        Predictions and targets of the same shape.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the elementwise loss.
    sample_weight : array or float, optional
        Broadcastable to the elementwise loss; a lower-rank weight aligns with the leading axes.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> float(ul.mean_squared_error(np.array([1.0, 2.0]), np.array([0.0, 4.0])))
    2.5
    """
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    d = y_pred - y_true
    return _core.reduce(xp, d * d, reduction, sample_weight, out)


def mean_absolute_error(
    y_pred: Array,
    y_true: Array,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Absolute error ``|y_pred - y_true|``.

    Native counterparts: PyTorch ``F.l1_loss``, ``keras.losses.MeanAbsoluteError``.
    Arguments as in :func:`mean_squared_error`.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> float(ul.mean_absolute_error(np.array([1.0, 2.0]), np.array([0.0, 4.0])))
    1.5
    """
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    return _core.reduce(xp, _core.magnitude(xp, y_pred - y_true), reduction, sample_weight, out)


def huber(
    y_pred: Array,
    y_true: Array,
    *,
    delta: float = 1.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Huber loss: quadratic within ``delta`` of the target, linear beyond.

    ``0.5 * d**2`` if ``|d| <= delta`` else ``delta * (|d| - 0.5 * delta)``,
    ``d = y_pred - y_true``, computed as ``q * (|d| - q / 2)`` with ``q = min(|d|, delta)``.

    Native counterparts (all agree): PyTorch ``F.huber_loss(delta=)``,
    ``keras.losses.Huber(delta=)``, ``optax.huber_loss(delta=)``.

    Parameters
    ----------
    delta : float
        Where the loss turns linear; must be > 0.

    Other arguments as in :func:`mean_squared_error`.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> ul.huber(np.array([0.5, 3.0]), np.array([0.0, 0.0]), reduction="none").tolist()
    [0.125, 2.5]
    """
    delta = _core.check_number(delta, "delta", low=0.0, low_open=True)
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    loss = huber_terms(xp, _core.magnitude(xp, y_pred - y_true), delta)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def huber_terms(xp: ModuleType, a: Array, delta: float) -> Array:
    """The unreduced Huber loss of the absolute differences ``a`` (shared with
    :func:`smooth_l1`; the caller drops the signed difference before, one temporary less)."""
    q = xp.minimum(a, delta)
    return q * (a - 0.5 * q)


mse = mean_squared_error
mae = mean_absolute_error
