"""Segmentation cases."""

from __future__ import annotations

import numpy as np

from tests.natives import keras

from . import Case


def _dice(p: np.ndarray, t: np.ndarray, smooth: float = 1e-5, squared: bool = True) -> np.ndarray:
    axes = tuple(range(1, p.ndim))
    inter = (p * t).sum(axis=axes)
    den = (p**2).sum(axis=axes) + (t**2).sum(axis=axes) if squared else p.sum(axis=axes) + t.sum(axis=axes)
    return 1 - (2 * inter + smooth) / (den + smooth)


CASES = [
    Case("dice", "masks", _dice, bad_options=(({"smooth": -1.0}, ValueError, "smooth"), ({"squared": 1}, TypeError, "squared"))),
    Case("dice", "masks", _dice, {"smooth": 1.0, "squared": False}),
    Case(
        "dice",
        "masks",
        _dice,
        {"smooth": 0.0, "squared": False},
        natives={"keras": lambda p, t: keras().losses.Dice(axis=(1, 2))(t, p)},
    ),
]
