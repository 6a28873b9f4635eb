"""unilosses: loss functions written once against the Python array API standard.

Every loss takes ``(y_pred, y_true, *, <options>, reduction="mean", sample_weight=None, xp=None)``
and returns an array of the caller's library, dtype and device.
"""

from __future__ import annotations

from .losses.classification import (
    binary_crossentropy,
    categorical_crossentropy,
    hinge,
    sparse_categorical_crossentropy,
)
from .losses.divergence import kl_divergence
from .losses.regression import huber, mae, mean_absolute_error, mean_squared_error, mse
from .losses.segmentation import dice

__version__ = "0.1.0"

__all__ = [
    "binary_crossentropy",
    "categorical_crossentropy",
    "dice",
    "hinge",
    "huber",
    "kl_divergence",
    "mae",
    "mean_absolute_error",
    "mean_squared_error",
    "mse",
    "sparse_categorical_crossentropy",
]
