"""Regression cases."""

from __future__ import annotations

import numpy as np

from tests.natives import F, keras, optax

from . import regression_case


def _huber(p: np.ndarray, t: np.ndarray, delta: float = 1.0) -> np.ndarray:
    d = np.abs(p - t)
    return np.where(d <= delta, 0.5 * d**2, delta * (d - 0.5 * delta))


CASES = [
    regression_case(
        "mean_squared_error",
        "regression",
        lambda p, t: (p - t) ** 2,
        natives={
            "torch": lambda p, t: F().mse_loss(p, t),
            "keras": lambda p, t: keras().losses.MeanSquaredError()(t, p),
            "optax": lambda p, t: optax().squared_error(p, t).mean(),
        },
    ),
    regression_case("mse", "regression", lambda p, t: (p - t) ** 2, natives={"torch": lambda p, t: F().mse_loss(p, t)}),
    regression_case(
        "mean_absolute_error",
        "regression",
        lambda p, t: np.abs(p - t),
        natives={
            "torch": lambda p, t: F().l1_loss(p, t),
            "keras": lambda p, t: keras().losses.MeanAbsoluteError()(t, p),
        },
    ),
    regression_case("mae", "regression", lambda p, t: np.abs(p - t), natives={"torch": lambda p, t: F().l1_loss(p, t)}),
    *[
        regression_case(
            "huber",
            "regression",
            _huber,
            {"delta": delta},
            natives={
                "torch": lambda p, t, d=delta: F().huber_loss(p, t, delta=d),
                "keras": lambda p, t, d=delta: keras().losses.Huber(delta=d)(t, p),
                "optax": lambda p, t, d=delta: optax().huber_loss(p, t, delta=d).mean(),
            },
            bad_options=(
                ({"delta": 0.0}, ValueError, "delta"),
                ({"delta": -1.0}, ValueError, "delta"),
                ({"delta": float("nan")}, ValueError, "delta"),
                ({"delta": "1"}, TypeError, "delta"),
            ),
        )
        for delta in (1.0, 0.4, 2.5)
    ],
]
