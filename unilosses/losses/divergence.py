"""Divergences between probability distributions."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from .. import _core

Array = Any

__all__ = ["kl_divergence"]


def kl_divergence(
    y_pred: Array,
    y_true: Array,
    *,
    axis: int = -1,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Kullback-Leibler divergence ``KL(y_true || y_pred) = sum t log(t / p)`` along ``axis``.

    The divergence of the prediction from the target (prediction first, as everywhere here).
    ``0 log 0 = 0``; logs are clamped at -100, so a zero prediction where the target has mass gives
    a large finite value instead of ``inf``.

    Native counterparts: PyTorch ``F.kl_div(log(y_pred), y_true,
    reduction="batchmean")`` (torch takes the prediction as log-probabilities),
    ``keras.losses.KLDivergence`` (clips both inputs to ``[1e-7, 1]``), ``optax.kl_divergence``.
    ``reduction="none"`` gives one value per sample; ``"mean"`` averages them (torch's
    ``batchmean``, Keras' default).

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p, q = np.array([0.2, 0.3, 0.5]), np.array([0.4, 0.3, 0.3])
    >>> round(float(ul.kl_divergence(q, p)), 10)
    0.1167833758
    """
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    axis = _core.normalize_axis(axis, y_pred.ndim)
    log_ratio = _core.log_clamped(xp, y_true) - _core.log_clamped(xp, y_pred)
    return _core.reduce(xp, xp.sum(y_true * log_ratio, axis=axis), reduction, sample_weight, out)
