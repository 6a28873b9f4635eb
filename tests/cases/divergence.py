"""Divergence cases."""

from __future__ import annotations

import numpy as np

from tests.natives import F, jnp, keras, optax, torch

from . import Case


def _kl(
    q: np.ndarray, p: np.ndarray, axis: int = -1, log_input: bool = False, log_target: bool = False
) -> np.ndarray:
    q = np.exp(q) if log_input else q
    p = np.exp(p) if log_target else p
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(p) - np.log(q)), 0.0)
    return terms.sum(axis=axis)


def _generalized_kl(q: np.ndarray, p: np.ndarray, log_input: bool = False) -> np.ndarray:
    q = np.exp(q) if log_input else q
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(p / q), 0.0)
    return (terms - p + q).sum(axis=-1)


def _js(q: np.ndarray, p: np.ndarray) -> np.ndarray:
    m = (q + p) / 2
    return 0.5 * _kl(m, q) + 0.5 * _kl(m, p)


BOOL_OPTIONS = (
    ({"log_input": 1}, TypeError, "log_input"),
    ({"log_target": "no"}, TypeError, "log_target"),
)

CASES = [
    Case(
        "kl_divergence",
        "distributions",
        _kl,
        natives={
            "torch": lambda q, p: F().kl_div(torch().log(q), p, reduction="batchmean"),
            "keras": lambda q, p: keras().losses.KLDivergence()(p, q),
            "optax": lambda q, p: optax().kl_divergence(jnp().log(q), p).mean(),
        },
        bad_options=BOOL_OPTIONS,
    ),
    # (N, L, C): "mean" averages over N and L (Keras); torch's batchmean would divide by N only
    Case(
        "kl_divergence",
        "distributions_3d",
        _kl,
        {"axis": -1},
        natives={
            "torch": lambda q, p: F().kl_div(torch().log(q), p, reduction="sum") / (q.shape[0] * q.shape[1]),
            "keras": lambda q, p: keras().losses.KLDivergence()(p, q),
            "optax": lambda q, p: optax().kl_divergence(jnp().log(q), p).mean(),
        },
    ),
    Case(
        "kl_divergence",
        "distributions",
        lambda q, p, axis: _kl(q, p, axis=axis),
        {"axis": 0},
        nonnegative=False,  # the example inputs are distributions along -1, not along 0
        natives={"torch": lambda q, p: F().kl_div(torch().log(q.T), p.T, reduction="batchmean")},
        bad_options=(({"axis": 2}, ValueError, "axis"), ({"axis": 0.5}, TypeError, "axis")),
    ),
    Case(
        "kl_divergence",
        "log_prediction_distributions",
        _kl,
        {"log_input": True},
        natives={
            "torch": lambda q, p: F().kl_div(q, p, reduction="batchmean"),
            "optax": lambda q, p: optax().kl_divergence(q, p).mean(),
        },
    ),
    Case(
        "kl_divergence",
        "log_target_distributions",
        _kl,
        {"log_target": True},
        natives={
            "torch": lambda q, p: F().kl_div(
                torch().log(q), p, reduction="batchmean", log_target=True
            ),
            "optax": lambda q, p: optax().losses.kl_divergence_with_log_targets(jnp().log(q), p).mean(),
        },
    ),
    Case(
        "kl_divergence",
        "log_distributions",
        _kl,
        {"log_input": True, "log_target": True},
        natives={
            "torch": lambda q, p: F().kl_div(q, p, reduction="batchmean", log_target=True),
            "optax": lambda q, p: optax().losses.kl_divergence_with_log_targets(q, p).mean(),
        },
    ),
    *[
        Case(
            "generalized_kl_divergence",
            kind,
            _generalized_kl,
            opts,
            natives={
                "optax": (
                    (lambda q, p: optax().losses.generalized_kl_divergence(q, p).mean())
                    if opts
                    else (lambda q, p: optax().losses.generalized_kl_divergence(jnp().log(q), p).mean())
                )
            },
            bad_options=(
                ({"log_input": None}, TypeError, "log_input"),
                ({"axis": 2}, ValueError, "axis"),
            ),
        )
        for kind, opts in (
            ("positive_regression", {}),
            ("distributions", {}),
            ("log_prediction_distributions", {"log_input": True}),
        )
    ],
    Case(
        "jensen_shannon_divergence",
        "distributions",
        _js,
        bad_options=(({"axis": 2}, ValueError, "axis"), ({"axis": "0"}, TypeError, "axis")),
    ),
]
