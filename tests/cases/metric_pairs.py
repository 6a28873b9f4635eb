"""Pair-based metric-learning cases: SupCon, multi-similarity, generalized lifted structure and
N-pairs over ``(embeddings, labels)``.

References are float64 loops over anchors and pairs, written from the papers with
pytorch-metric-learning's conventions (its default distances: normalized embeddings; its default
reducers: what ``"mean"`` averages). Natives are pytorch-metric-learning's losses with their
defaults. Rows run on labels in groups of 3, 2 and 1 rows (several positives, one, none) and on
labels in pairs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.natives import pml

from . import Case
from .embedding import LABELED, _lse, _unit


def _cosine(e: np.ndarray) -> np.ndarray:
    u = _unit(e)
    return np.asarray(u @ u.T)


def _positives(labels: np.ndarray, i: int) -> np.ndarray:
    return np.asarray((labels == labels[i]) & (np.arange(len(labels)) != i))


def _supcon(e: np.ndarray, labels: np.ndarray, temperature: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """-mean over positives p of log(e^s_ip / sum_{a != i} e^s_ia); "mean" counts the anchors
    with a positive (PML's AvgNonZeroReducer: their losses are positive)."""
    s = _cosine(e) / temperature
    loss, weight = np.zeros(len(e)), np.zeros(len(e))
    for i in range(len(e)):
        pos = _positives(labels, i)
        if pos.any():
            log_prob = s[i] - _lse(np.delete(s[i], i))
            loss[i], weight[i] = -log_prob[pos].mean(), 1.0
    return loss, weight


def _multi_similarity(e: np.ndarray, labels: np.ndarray, alpha: float = 2.0, beta: float = 50.0, base: float = 0.5) -> np.ndarray:
    s = _cosine(e)
    out = np.zeros(len(e))
    for i in range(len(e)):
        sp, sn = s[i, _positives(labels, i)], s[i, labels != labels[i]]
        out[i] = np.log1p(np.exp(-alpha * (sp - base)).sum()) / alpha + np.log1p(np.exp(beta * (sn - base)).sum()) / beta
    return out


def _lifted_structure(e: np.ndarray, labels: np.ndarray, neg_margin: float = 1.0, pos_margin: float = 0.0) -> np.ndarray:
    """[log sum_P e^(d - m_p) + log sum_N e^(m_n - d)]_+ with Euclidean distances of normalized
    rows; an empty log-sum is 0 (PML's masked logsumexp)."""
    u = _unit(e)
    d = np.sqrt(((u[:, None, :] - u[None, :, :]) ** 2).sum(-1))
    out = np.zeros(len(e))
    for i in range(len(e)):
        dp, dn = d[i, _positives(labels, i)], d[i, labels != labels[i]]
        lp = _lse(dp - pos_margin) if dp.size else 0.0
        ln = _lse(neg_margin - dn) if dn.size else 0.0
        out[i] = max(lp + ln, 0.0)
    return out


def _npairs(e: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One (anchor, positive) pair per label with two rows or more: its first and second rows in
    batch order; each anchor's cross-entropy over every pair's positive."""
    s = _cosine(e)
    pairs = [rows[:2] for c in dict.fromkeys(labels.tolist()) if len(rows := np.flatnonzero(labels == c)) > 1]
    positives = [p for _, p in pairs]
    loss, weight = np.zeros(len(e)), np.zeros(len(e))
    for a, p in pairs:
        loss[a], weight[a] = _lse(s[a, positives]) - s[a, p], 1.0
    return loss, weight


def _native(name: str, **options: Any) -> Any:
    """pytorch-metric-learning's loss ``name`` with its default distance and reducer."""
    return lambda e, y: getattr(pml().losses, name)(**options)(e, y)


_LABELED_KINDS = ("labeled_groups", "labeled_embeddings")

CASES = [
    *[
        Case(
            "supcon",
            kind,
            _supcon,
            opts,
            natives={"pytorch_metric_learning": _native("SupConLoss", **opts)},
            bad_options=(({"temperature": 0.0}, ValueError, "temperature"), ({"temperature": "1"}, TypeError, "temperature")),
            names=LABELED,
            same_shape=False,
        )
        for kind, opts in zip(_LABELED_KINDS, ({}, {"temperature": 0.5}), strict=True)
    ],
    *[
        Case(
            "multi_similarity",
            kind,
            _multi_similarity,
            opts,
            natives={"pytorch_metric_learning": _native("MultiSimilarityLoss", **opts)},
            bad_options=(
                ({"alpha": 0.0}, ValueError, "alpha"),
                ({"beta": -1.0}, ValueError, "beta"),
                ({"base": "0.5"}, TypeError, "base"),
            ),
            names=LABELED,
            same_shape=False,
        )
        for kind, opts in zip(_LABELED_KINDS, ({}, {"alpha": 1.0, "beta": 10.0, "base": 0.3}), strict=True)
    ],
    *[
        Case(
            "lifted_structure",
            kind,
            _lifted_structure,
            opts,
            natives={"pytorch_metric_learning": _native("GeneralizedLiftedStructureLoss", **opts)},
            bad_options=(
                ({"neg_margin": "1"}, TypeError, "neg_margin"),
                ({"pos_margin": float("nan")}, ValueError, "pos_margin"),
            ),
            names=LABELED,
            same_shape=False,
        )
        for kind, opts in zip(_LABELED_KINDS, ({}, {"neg_margin": 0.5, "pos_margin": 0.2}), strict=True)
    ],
    *[
        Case(
            "npairs",
            kind,
            _npairs,
            natives={"pytorch_metric_learning": _native("NPairsLoss")},
            names=LABELED,
            same_shape=False,
        )
        for kind in _LABELED_KINDS
    ],
]
