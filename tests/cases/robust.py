"""Robust regression cases: smooth L1, log-cosh, quantile, Charbonnier/pseudo-Huber, the robust
kernels (Cauchy, Welsch, Geman-McClure; kornia's formulas at c=1), Barron's general loss, wing,
l2_loss. References are plain float64 NumPy formulas.

kornia's robust losses have no scale: they are Barron's kernels at ``c = 1`` on the residual in
the data's units. A scale ``c`` here is kornia on ``p / c`` and ``t / c`` (``_kornia_scaled``);
Charbonnier's ``epsilon`` and pseudo-Huber's ``delta`` are such a scale that also multiplies
the loss, by ``c`` and ``c**2``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tests.natives import F, keras, kornia, optax

from . import regression_case

NAN = float("nan")


def _bad(name: str, *values: float, low_ok: bool = False) -> tuple[Any, ...]:
    """Refused values of a positive option: 0 (unless allowed), negative, NaN, inf, a string."""
    bad = [] if low_ok else [({name: 0.0}, ValueError, name)]
    bad += [({name: v}, ValueError, name) for v in (-1.0, NAN, math.inf, *values)]
    return (*bad, ({name: "1"}, TypeError, name), ({name: None}, TypeError, name))


# --- references -------------------------------------------------------------------------------


def _smooth_l1(p: np.ndarray, t: np.ndarray, beta: float = 1.0) -> np.ndarray:
    a = np.abs(p - t)
    if beta == 0:
        return a
    return np.where(a < beta, 0.5 * a**2 / beta, a - 0.5 * beta)


def _log_cosh(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    return np.log(np.cosh(p - t))


def _quantile(p: np.ndarray, t: np.ndarray, q: float = 0.5) -> np.ndarray:
    e = t - p
    return np.maximum(q * e, (q - 1) * e)


def _charbonnier(p: np.ndarray, t: np.ndarray, epsilon: float = 1e-3) -> np.ndarray:
    return np.sqrt((p - t) ** 2 + epsilon**2) - epsilon


def _pseudo_huber(p: np.ndarray, t: np.ndarray, delta: float = 1.0) -> np.ndarray:
    return delta**2 * (np.sqrt(1 + ((p - t) / delta) ** 2) - 1)


# kornia's kernels (c = 1) with the scale of Barron's paper: x = (p - t) / c
def _cauchy(p: np.ndarray, t: np.ndarray, c: float = 1.0) -> np.ndarray:
    return np.log(0.5 * ((p - t) / c) ** 2 + 1)


def _welsch(p: np.ndarray, t: np.ndarray, c: float = 1.0) -> np.ndarray:
    return 1 - np.exp(-0.5 * ((p - t) / c) ** 2)


def _geman_mcclure(p: np.ndarray, t: np.ndarray, c: float = 1.0) -> np.ndarray:
    x2 = ((p - t) / c) ** 2
    return 2 * x2 / (x2 + 4)


def _general(p: np.ndarray, t: np.ndarray, alpha: float, scale: float = 1.0) -> np.ndarray:
    """Barron's rho: the paper's formula, its limits, and the named kernels it reduces to."""
    x = (p - t) / scale
    if alpha == 2:
        return 0.5 * x**2
    if alpha == 0:
        return np.log(0.5 * x**2 + 1)
    if alpha == -np.inf:
        return 1 - np.exp(-0.5 * x**2)
    if alpha == np.inf:
        return np.exp(0.5 * x**2) - 1
    if alpha == 1:  # pseudo-Huber / Charbonnier
        return np.sqrt(x**2 + 1) - 1
    if alpha == -2:  # Geman-McClure
        return 2 * x**2 / (x**2 + 4)
    b = abs(alpha - 2)
    return b / alpha * ((x**2 / b + 1) ** (alpha / 2) - 1)


def _wing(p: np.ndarray, t: np.ndarray, width: float = 5.0, curvature: float = 0.5) -> np.ndarray:
    a = np.abs(p - t)
    big_c = width - width * np.log(1 + width / curvature)
    return np.where(a < width, width * np.log(1 + a / curvature), a - big_c)


def _l2(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    return 0.5 * (p - t) ** 2


# --- natives ----------------------------------------------------------------------------------


def _kornia_scaled(name: str, c: float, factor: float = 1.0) -> Any:
    """``factor * kornia.losses.<name>(p / c, t / c, reduction="mean")``."""
    return lambda p, t: factor * getattr(kornia().losses, name)(p / c, t / c, reduction="mean")


# Barron's alpha -> the kornia kernel it equals (at scale 1)
_KORNIA_ALPHA = {
    1.0: "charbonnier_loss", 0.0: "cauchy_loss", -2.0: "geman_mcclure_loss", -math.inf: "welsch_loss"
}


# --- cases ------------------------------------------------------------------------------------


CASES = [
    *[
        regression_case(
            "smooth_l1",
            "regression",
            _smooth_l1,
            {"beta": beta},
            natives={
                "torch": lambda p, t, b=beta: F().smooth_l1_loss(p, t, beta=b),
                # Huber / beta (beta > 0)
                **(
                    {
                        "keras": lambda p, t, b=beta: keras().losses.Huber(delta=b)(t, p) / b,
                        "optax": lambda p, t, b=beta: optax().huber_loss(p, t, delta=b).mean() / b,
                    }
                    if beta > 0
                    else {}
                ),
            },
            bad_options=_bad("beta", low_ok=True),
        )
        for beta in (1.0, 0.0, 0.3, 2.5)
    ],
    regression_case(
        "log_cosh",
        "regression",
        _log_cosh,
        natives={
            "keras": lambda p, t: keras().losses.LogCosh()(t, p),
            "optax": lambda p, t: optax().log_cosh(p, t).mean(),
        },
    ),
    *[
        regression_case(
            loss,
            "regression",
            _quantile,
            {"q": q},
            bad_options=(*_bad("q", 1.0, 1.5), ({"q": -0.5}, ValueError, "q")),
        )
        for loss in ("quantile", "pinball")
        for q in (0.5, 0.1, 0.9)
    ],
    *[
        regression_case(
            "charbonnier",
            "regression",
            _charbonnier,
            {"epsilon": e},
            natives={"kornia": _kornia_scaled("charbonnier_loss", e, e)},
            bad_options=_bad("epsilon"),
        )
        for e in (1e-3, 0.5, 1.0)
    ],
    *[
        regression_case(
            "pseudo_huber",
            "regression",
            _pseudo_huber,
            {"delta": d},
            natives={"kornia": _kornia_scaled("charbonnier_loss", d, d**2)},
            bad_options=_bad("delta"),
        )
        for d in (1.0, 0.3, 2.0)
    ],
    *[
        regression_case(
            loss,
            "regression",
            ref,
            {"c": c},
            natives={"kornia": _kornia_scaled(f"{loss}_loss", c)},
            bad_options=_bad("c"),
        )
        for loss, ref in (
            ("cauchy", _cauchy), ("welsch", _welsch), ("geman_mcclure", _geman_mcclure)
        )
        for c in (1.0, 0.5, 3.0)
    ],
    *[
        regression_case(
            "general_robust",
            "regression",
            _general,
            {"alpha": alpha, "scale": scale},
            natives=(
                {"kornia": _kornia_scaled(_KORNIA_ALPHA[alpha], scale)}
                if alpha in _KORNIA_ALPHA
                else {}
            ),
            bad_options=(
                ({"alpha": NAN}, ValueError, "alpha"),
                ({"alpha": "1"}, TypeError, "alpha"),
                ({"alpha": None}, TypeError, "alpha"),
                *_bad("scale"),
            ),
        )
        for alpha, scale in (
            (-math.inf, 1.0), (-2.0, 1.0), (0.0, 1.0), (0.5, 1.0), (1.0, 1.0), (2.0, 1.0),
            (4.0, 1.0), (math.inf, 2.0), (-5.0, 0.7), (1.5, 2.0), (2.5, 0.5), (0.0, 0.4),
        )
    ],
    *[
        regression_case(
            "wing",
            "regression",
            _wing,
            {"width": width, "curvature": curvature},
            bad_options=(*_bad("width"), *_bad("curvature")),
        )
        # (0.5, 0.5) puts most residuals of the example inputs on the linear side
        for width, curvature in ((5.0, 0.5), (0.5, 0.5), (1.0, 2.0))
    ],
    regression_case(
        "l2_loss",
        "regression",
        _l2,
        natives={
            "optax": lambda p, t: optax().l2_loss(p, t).mean(),
            "torch": lambda p, t: 0.5 * F().mse_loss(p, t),
        },
    ),
]
