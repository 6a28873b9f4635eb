"""Margin (hinge-family) cases."""

from __future__ import annotations

import numpy as np

from tests.natives import keras, optax

from . import Case


def _hinge(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    if np.isin(t, (0.0, 1.0)).all():
        t = 2 * t - 1
    return np.maximum(1 - t * p, 0)


CASES = [
    Case(
        "hinge",
        "signed",
        _hinge,
        natives={
            "keras": lambda p, t: keras().losses.Hinge()(t, p),
            "optax": lambda p, t: optax().hinge_loss(p, t).mean(),
        },
    ),
    Case("hinge", "binary_logits", _hinge, natives={"keras": lambda p, t: keras().losses.Hinge()(t, p)}),
]
