"""Likelihood and relative-error regression cases (logarithmic and percentage errors, Poisson,
Gaussian, Tweedie, cosine similarity)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.natives import F, keras, optax

from . import Case

EPS = 1e-7  # keras.backend.epsilon()


def _msle(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    return (np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2


def _mape(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    return 100 * np.abs(t - p) / np.maximum(np.abs(t), EPS)


def _stirling(t: np.ndarray) -> np.ndarray:
    s = np.maximum(t, 1.0)
    return np.where(t > 1, s * np.log(s) - s + 0.5 * np.log(2 * np.pi * s), 0.0)


def _poisson_nll(
    p: np.ndarray, t: np.ndarray, log_input: bool = True, full: bool = False, eps: float = 1e-8
) -> np.ndarray:
    loss = np.exp(p) - t * p if log_input else p - t * np.log(p + eps)
    return loss + _stirling(t) if full else loss


def _gaussian_nll(
    p: np.ndarray, t: np.ndarray, var: np.ndarray | float, full: bool = False, eps: float = 1e-6
) -> np.ndarray:
    v = np.asarray(var, dtype=np.float64)
    if v.ndim == p.ndim - 1:
        v = v[..., None]
    v = np.maximum(v, eps)
    loss = 0.5 * (np.log(v) + (p - t) ** 2 / v) + (0.5 * np.log(2 * np.pi) if full else 0.0)
    return np.broadcast_to(loss, p.shape)


def _tweedie(p: np.ndarray, t: np.ndarray, power: float = 1.5) -> np.ndarray:
    return -t * p ** (1 - power) / (1 - power) + p ** (2 - power) / (2 - power)


def _cosine(p: np.ndarray, t: np.ndarray, axis: int = -1) -> np.ndarray:
    def unit(x: np.ndarray) -> np.ndarray:
        return x / np.maximum(np.sqrt((x**2).sum(axis=axis, keepdims=True)), EPS)

    return -(unit(p) * unit(t)).sum(axis=axis)


def _torch_gaussian(p: Any, t: Any, v: Any, full: bool = False, eps: float = 1e-6) -> Any:
    return F().gaussian_nll_loss(p, t, v, full=full, eps=eps)


BAD_BOOL = "not a bool"

CASES = [
    *[
        Case(
            name,
            kind,
            _msle,
            zero_at_target=True,
            natives={"keras": lambda p, t: keras().losses.MeanSquaredLogarithmicError()(t, p)},
        )
        for name in ("mean_squared_logarithmic_error", "msle")
        for kind in ("positive_regression", "regression")  # negative values count as eps
    ],
    *[
        Case(
            name,
            kind,
            _mape,
            zero_at_target=True,
            natives={"keras": lambda p, t: keras().losses.MeanAbsolutePercentageError()(t, p)},
        )
        for name in ("mean_absolute_percentage_error", "mape")
        for kind in ("regression", "positive_regression")
    ],
    *[
        Case(
            "poisson_nll",
            "log_counts" if log_input else "counts",
            _poisson_nll,
            {"log_input": log_input, "full": full, "eps": eps},
            nonnegative=False,
            natives={
                "torch": lambda p, t, li=log_input, fu=full, e=eps: F().poisson_nll_loss(
                    p, t, log_input=li, full=fu, eps=e
                ),
            },
            bad_options=(
                ({"log_input": 1}, TypeError, "log_input"),
                ({"full": BAD_BOOL}, TypeError, "full"),
                ({"eps": -1e-3}, ValueError, "eps"),
            ),
        )
        for log_input in (True, False)
        for full in (False, True)
        for eps in ((1e-8,) if log_input else (1e-8, 0.5))
    ],
    Case(
        "poisson",
        "counts",
        lambda p, t: p - t * np.log(p + EPS),
        nonnegative=False,
        natives={
            "keras": lambda p, t: keras().losses.Poisson()(t, p),
            "torch": lambda p, t: F().poisson_nll_loss(p, t, log_input=False, eps=EPS),
        },
    ),
    *[
        Case(
            "gaussian_nll",
            kind,
            _gaussian_nll,
            opts,
            nonnegative=False,
            natives={"torch": lambda p, t, v, o=opts: _torch_gaussian(p, t, v, **o)},
            bad_options=(
                ({"eps": 0.0}, ValueError, "eps"),
                ({"full": BAD_BOOL}, TypeError, "full"),
            ),
        )
        for kind, opts in (
            ("gaussian", {}),
            ("gaussian", {"full": True}),
            ("gaussian", {"eps": 0.5}),  # variances below 0.5 are clamped
            ("gaussian_per_sample", {}),
            ("gaussian_per_sample_2d", {"full": True}),
        )
    ],
    *[
        Case(
            "gaussian_nll",
            kind,
            _gaussian_nll,
            {"var": var, **opts},
            nonnegative=False,
            zero_at_target=var == 1.0 and not opts,  # 0.5 * (log(1) + 0)
            natives={"torch": lambda p, t, v=var, o=opts: _torch_gaussian(p, t, v, **o)},
            bad_options=(
                ({"var": -0.5}, ValueError, "var"),
                ({"var": True}, TypeError, "var"),
                ({"var": "1"}, TypeError, "var"),
                ({"var": np.ones((3, 4, 2))}, ValueError, "var"),
            ),
        )
        # var = 0 is clamped at eps
        for kind, var, opts in (
            ("regression", 1.0, {}),
            ("positive_regression", 0.3, {"full": True}),
            ("positive_regression", 0.0, {"eps": 0.25}),
        )
    ],
    *[
        Case(
            "tweedie",
            "counts",
            _tweedie,
            {"power": power},
            nonnegative=False,
            bad_options=(
                ({"power": 1.0}, ValueError, "power"),
                ({"power": 2.0}, ValueError, "power"),
                ({"power": 0.5}, ValueError, "power"),
                ({"power": "1.5"}, TypeError, "power"),
            ),
        )
        for power in (1.5, 1.1, 1.9)
    ],
    Case(
        "cosine_similarity_loss",
        "vectors",
        _cosine,
        nonnegative=False,
        natives={
            "keras": lambda p, t: keras().losses.CosineSimilarity()(t, p),
            "torch": lambda p, t: -F().cosine_similarity(p, t, dim=-1).mean(),
            "optax": lambda p, t: -optax().losses.cosine_similarity(p, t, epsilon=1e-14).mean(),
        },
        bad_options=(({"axis": 2}, ValueError, "axis"), ({"axis": 0.5}, TypeError, "axis")),
    ),
    Case(
        "cosine_similarity_loss",
        "vectors",
        _cosine,
        {"axis": 0},
        nonnegative=False,
        natives={
            "keras": lambda p, t: keras().losses.CosineSimilarity(axis=0)(t, p),
            "torch": lambda p, t: -F().cosine_similarity(p, t, dim=0).mean(),
        },
    ),
]
