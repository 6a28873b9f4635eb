"""Divergence cases."""

from __future__ import annotations

import numpy as np

from tests.natives import F, jnp, keras, optax, torch

from . import Case


def _kl(q: np.ndarray, p: np.ndarray, axis: int = -1) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(p) - np.log(q)), 0.0)
    return terms.sum(axis=axis)


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
    ),
    Case(
        "kl_divergence",
        "distributions",
        lambda q, p, axis: _kl(q, p, axis=axis),
        {"axis": 0},
        natives={"torch": lambda q, p: F().kl_div(torch().log(q.T), p.T, reduction="batchmean")},
        bad_options=(({"axis": 2}, ValueError, "axis"), ({"axis": 0.5}, TypeError, "axis")),
    ),
]
