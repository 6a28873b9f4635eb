"""Sparsemax cases: the binary and multiclass sparsemax (Fenchel-Young) losses."""

from __future__ import annotations

import numpy as np

from tests.natives import optax

from . import Case


def _sparse_plus(u: np.ndarray) -> np.ndarray:
    return np.where(u <= -1, 0.0, np.where(u >= 1, u, (u + 1) ** 2 / 4))


def _sparsemax_loss(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    return _sparse_plus(np.where(t == 1, -x, x))


def _multiclass_sparsemax_loss(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Martins & Astudillo (2016), eq. 19: ``-z_y + (sum_{j in S} (z_j**2 - tau**2) + 1) / 2``,
    with the support ``S`` and threshold ``tau`` from the sorted scores."""
    out = np.zeros(len(z))
    for n, (s, label) in enumerate(zip(z, y, strict=True)):
        s = s - s.max()  # shift invariant; exact for scores of 1e4
        desc = np.sort(s)[::-1]
        k = np.arange(1, len(s) + 1)
        size = k[1 + k * desc > np.cumsum(desc)].max()
        tau = (desc[:size].sum() - 1) / size
        support = s > tau
        out[n] = -s[label] + 0.5 * ((s[support] ** 2 - tau**2).sum() + 1)
    return out


CASES = [
    Case(
        "sparsemax_loss",
        "binary_logits",
        _sparsemax_loss,
        natives={"optax": lambda x, t: optax().losses.sparsemax_loss(x, t).mean()},
    ),
    Case(
        "multiclass_sparsemax_loss",
        "sparse_logits",
        _multiclass_sparsemax_loss,
        labels=(1,),
        natives={"optax": lambda z, y: optax().losses.multiclass_sparsemax_loss(z, y).mean()},
    ),
    Case(  # masked classes: -inf scores, never the label
        "multiclass_sparsemax_loss",
        "sparse_logits_masked",
        _multiclass_sparsemax_loss,
        labels=(1,),
        natives={"optax": lambda z, y: optax().losses.multiclass_sparsemax_loss(z, y).mean()},
    ),
]
