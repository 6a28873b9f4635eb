"""Margin (hinge-family) classification losses."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ... import _core

Array = Any

__all__ = ["hinge"]


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
    binary = xp.all((y_true == 0) | (y_true == 1))
    t = xp.where(binary, 2 * y_true - 1, y_true)
    return _core.reduce(xp, xp.maximum(1 - t * y_pred, 0), reduction, sample_weight, out)
