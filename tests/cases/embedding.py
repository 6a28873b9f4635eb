"""Embedding, metric-learning and ranking cases.

References are plain float64 formulas (loops where the loss pairs rows of a batch); natives are
torch.nn.functional, Keras 3, Optax, MONAI, info-nce-pytorch and pytorch-metric-learning.
``info_nce`` also has a torch native, the ``info-nce-pytorch`` convention written with torch's
``normalize`` and ``cross_entropy``, which the torch gradient test uses.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tests.natives import F, info_nce, keras, monai, optax, pml, torch
from unilosses._namespace import array_namespace

from . import Case

# --- references -------------------------------------------------------------------------------


def _lse(x: np.ndarray) -> float:
    if x.size == 0:
        return -np.inf
    m = x.max()
    return float(m + np.log(np.exp(x - m).sum()))


def _cosine_embedding(x1: np.ndarray, x2: np.ndarray, y: np.ndarray, margin: float = 0.0) -> np.ndarray:
    cos = (x1 * x2).sum(-1) / np.sqrt(((x1**2).sum(-1) + 1e-12) * ((x2**2).sum(-1) + 1e-12))
    return np.where(y == 1, 1 - cos, np.where(y == -1, np.maximum(cos - margin, 0), 0.0))


def _margin_ranking(x1: np.ndarray, x2: np.ndarray, y: np.ndarray, margin: float = 0.0) -> np.ndarray:
    return np.maximum(0.0, -y * (x1 - x2) + margin)


def _pnorm(d: np.ndarray, p: float) -> np.ndarray:
    return np.abs(d).max(-1) if np.isinf(p) else (np.abs(d) ** p).sum(-1) ** (1 / p)


def _triplet(a: np.ndarray, pos: np.ndarray, neg: np.ndarray, margin: float = 1.0, p: float = 2, eps: float = 1e-6, swap: bool = False) -> np.ndarray:
    d_pos, d_neg = _pnorm(a - pos + eps, p), _pnorm(a - neg + eps, p)
    if swap:
        d_neg = np.minimum(d_neg, _pnorm(pos - neg + eps, p))
    return np.maximum(margin + d_pos - d_neg, 0.0)


class CosineDistance:
    """``1 - cos(x, y)`` over the last axis, for any array library (a custom distance); the
    product of the norms floored at 1e-8 (torch's ``cosine_similarity``), so zero vectors give 1."""

    def __call__(self, x: Any, y: Any) -> Any:
        xp = array_namespace(x, y)
        sq = xp.sum(x * x, axis=-1) * xp.sum(y * y, axis=-1)
        return 1 - xp.sum(x * y, axis=-1) / xp.sqrt(xp.maximum(sq, 1e-16))

    def __repr__(self) -> str:
        return "cosine_distance"


def _triplet_distance(a: np.ndarray, pos: np.ndarray, neg: np.ndarray, distance_function: Any = None, margin: float = 1.0, swap: bool = False) -> np.ndarray:
    def dist(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        if distance_function is None:
            return np.linalg.norm(x - y + 1e-6, axis=-1)
        return 1 - (x * y).sum(-1) / np.maximum(np.linalg.norm(x, axis=-1) * np.linalg.norm(y, axis=-1), 1e-8)

    d_neg = dist(a, neg)
    if swap:
        d_neg = np.minimum(d_neg, dist(pos, neg))
    return np.maximum(margin + dist(a, pos) - d_neg, 0.0)


def _contrastive(x1: np.ndarray, x2: np.ndarray, y: np.ndarray, margin: float = 1.0) -> np.ndarray:
    d = np.linalg.norm(x1 - x2, axis=-1)
    return y * d**2 + (1 - y) * np.maximum(margin - d, 0.0) ** 2


def _ntxent(e: np.ndarray, labels: np.ndarray, temperature: float = 0.07) -> np.ndarray:
    u = e / np.sqrt(np.maximum((e**2).sum(-1, keepdims=True), np.finfo(e.dtype).eps))
    s = u @ u.T / temperature
    total, count = 0.0, 0
    for i in range(len(e)):
        neg = s[i, labels != labels[i]]
        for j in range(len(e)):
            if j != i and labels[j] == labels[i]:
                total += _lse(np.append(neg, s[i, j])) - s[i, j]
                count += 1
    return np.asarray(total / count if count else 0.0)


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def _info_nce(q: np.ndarray, k: np.ndarray, neg: np.ndarray | None = None, temperature: float = 0.1, negative_mode: str = "unpaired") -> np.ndarray:
    q, k = _unit(q), _unit(k)
    out = np.zeros(len(q))
    for i in range(len(q)):
        if neg is None:
            row, target = q[i] @ k.T, i
        elif negative_mode == "unpaired":
            row, target = np.concatenate([[q[i] @ k[i]], _unit(neg) @ q[i]]), 0
        else:
            row, target = np.concatenate([[q[i] @ k[i]], _unit(neg[i]) @ q[i]]), 0
        out[i] = _lse(row / temperature) - row[target] / temperature
    return out


def _circle(e: np.ndarray, labels: np.ndarray, gamma: float = 80.0, margin: float = 0.4, remove_diagonal: bool = True) -> np.ndarray:
    d = np.maximum(1 - e @ e.T, 0.0)
    out = np.zeros(len(e))
    for i in range(len(e)):
        same = labels == labels[i]
        pos = same & ((np.arange(len(e)) != i) if remove_diagonal else True)
        neg = ~same
        lp = _lse(-gamma * np.maximum(margin + d[i, pos], 0) * (margin - d[i, pos]))
        ln = _lse(gamma * np.maximum(1 + margin - d[i, neg], 0) * (1 - margin - d[i, neg]))
        out[i] = np.logaddexp(0.0, lp + ln)
    return out


def _barlow_twins(z1: np.ndarray, z2: np.ndarray, lambd: float = 5e-3) -> np.ndarray:
    n = len(z1)

    def standardize(z: np.ndarray) -> np.ndarray:
        if n < 2:  # no spread (MONAI refuses such batches)
            return np.zeros_like(z)
        return (z - z.mean(0)) / (z.std(0, ddof=1) + 1e-6)

    c = standardize(z1).T @ standardize(z2) / max(n, 1)
    on = np.diag(c)
    return np.asarray(((on - 1) ** 2).sum() + lambd * ((c**2).sum() - (on**2).sum()))


def _ranking_softmax(s: np.ndarray, y: np.ndarray, where: np.ndarray | None = None, weights: np.ndarray | None = None) -> Any:
    valid = np.ones(s.shape, bool) if where is None else where
    y = y * (1.0 if weights is None else weights)
    out = np.zeros(s.shape[:-1])
    for i in np.ndindex(*s.shape[:-1]):
        v = valid[i]
        if v.any():
            out[i] = -(y[i][v] * (s[i][v] - _lse(s[i][v]))).sum()
    if where is None:
        return out
    return out, valid.any(-1).astype(np.float64)  # "mean" counts the lists with a valid item


# --- natives ----------------------------------------------------------------------------------


def _info_nce_torch(q: Any, k: Any, neg: Any = None, temperature: float = 0.1, mode: str = "unpaired") -> Any:
    """The info-nce-pytorch computation: normalized rows, cross-entropy with the positive."""
    q, k = F().normalize(q, dim=-1), F().normalize(k, dim=-1)
    if neg is None:
        return F().cross_entropy(q @ k.T / temperature, torch().arange(len(q)))
    neg = F().normalize(neg, dim=-1)
    pos = (q * k).sum(-1, keepdim=True)
    others = q @ neg.T if mode == "unpaired" else (q.unsqueeze(1) @ neg.transpose(-2, -1)).squeeze(1)
    logits = torch().cat([pos, others], dim=1) / temperature
    return F().cross_entropy(logits, torch().zeros(len(q), dtype=torch().long))


def _pml_contrastive(x1: Any, x2: Any, y: Any, margin: float) -> Any:
    """pytorch-metric-learning's ``ContrastiveLoss(pos_margin=0, neg_margin=margin)`` on the given
    pairs (rows ``i`` of ``x1`` and ``x2``; ``indices_tuple`` names them, positives where
    ``y = 1``), with its plain Euclidean distance (``normalize_embeddings=False``) and no reducer:
    its per-pair hinges ``d`` and ``relu(margin - d)``, squared here (Hadsell's form; PML leaves
    them unsquared), averaged over the pairs."""
    lib = pml()
    loss = lib.losses.ContrastiveLoss(
        pos_margin=0.0,
        neg_margin=margin,
        distance=lib.distances.LpDistance(normalize_embeddings=False),
        reducer=lib.reducers.DoNothingReducer(),
    )
    n = len(x1)
    rows = torch().arange(n)
    pos, neg = y == 1, y == 0
    pairs = (rows[pos], rows[pos] + n, rows[neg], rows[neg] + n)
    out = loss(torch().cat([x1, x2]), indices_tuple=pairs)
    hinges = [out[k]["losses"] for k in ("pos_loss", "neg_loss")]
    return sum(torch().sum(torch().as_tensor(h) ** 2) for h in hinges) / n


def _monai_ntxent(e: Any, labels: Any, temperature: float) -> Any:
    """MONAI's ``ContrastiveLoss`` takes two views, row ``i`` of one paired with row ``i`` of the
    other: the labels' pairs (groups of two) split into two such views."""
    order = torch().argsort(labels, stable=True)
    return monai().losses.ContrastiveLoss(temperature=temperature)(e[order[0::2]], e[order[1::2]])


def _keras_circle(e: Any, labels: Any, **options: Any) -> Any:
    return keras().ops.mean(keras().losses.circle(labels, e, **options))




def _torch_cosine(x: Any, y: Any) -> Any:
    return 1 - F().cosine_similarity(x, y, dim=-1)


_BAD_MARGIN = (({"margin": "0"}, TypeError, "margin"), ({"margin": float("nan")}, ValueError, "margin"))
PAIRS = ("x1", "x2", "y")
TRIPLETS = ("anchor", "positive", "negative")
LABELED = ("embeddings", "labels")


CASES = [
    *[
        Case(
            "cosine_embedding",
            "embedding_pairs",
            _cosine_embedding,
            {"margin": m},
            natives={"torch": lambda a, b, y, m=m: F().cosine_embedding_loss(a, b, y, margin=m)},
            bad_options=_BAD_MARGIN,
            names=PAIRS,
        )
        for m in (0.0, 0.3, -0.2)
    ],
    *[
        Case(
            "margin_ranking",
            "score_pairs",
            _margin_ranking,
            {"margin": m},
            natives={"torch": lambda a, b, y, m=m: F().margin_ranking_loss(a, b, y, margin=m)},
            bad_options=_BAD_MARGIN,
            names=PAIRS,
        )
        for m in (0.0, 0.5)
    ],
    *[
        Case(
            "triplet_margin",
            "triplets",
            _triplet,
            opts,
            natives={"torch": lambda a, p, n, o=opts: F().triplet_margin_loss(a, p, n, **o)},
            bad_options=(
                ({"margin": 0.0}, ValueError, "margin"),
                ({"margin": "1"}, TypeError, "margin"),
                ({"p": 0}, ValueError, "p"),
                ({"p": "2"}, TypeError, "p"),
                ({"eps": -1e-6}, ValueError, "eps"),
                ({"swap": 1}, TypeError, "swap"),
            ),
            names=TRIPLETS,
        )
        for opts in (
            {},
            {"margin": 2.0, "swap": True},
            {"p": 1, "eps": 0.0},
            {"p": 3, "eps": 1e-3},
            {"p": 1.5, "margin": 0.5, "swap": True},
            {"p": math.inf, "swap": True},
            {"p": 0.5},
        )
    ],
    *[
        Case(
            "triplet_margin_with_distance",
            "triplets",
            _triplet_distance,
            opts,
            natives={
                "torch": lambda a, p, n, o=opts: F().triplet_margin_with_distance_loss(
                    a, p, n, **{**o, **({"distance_function": _torch_cosine} if o.get("distance_function") else {})}
                )
            },
            bad_options=(
                ({"distance_function": 3}, TypeError, "distance_function"),
                ({"margin": -1.0}, ValueError, "margin"),
                ({"swap": "yes"}, TypeError, "swap"),
            ),
            names=TRIPLETS,
        )
        for opts in (
            {},
            {"swap": True, "margin": 2.0},
            {"distance_function": CosineDistance(), "margin": 0.5},
            {"distance_function": CosineDistance(), "swap": True},
        )
    ],
    *[
        Case(
            "contrastive",
            "contrastive_pairs",
            _contrastive,
            {"margin": m},
            natives={"pytorch_metric_learning": lambda a, b, y, m=m: _pml_contrastive(a, b, y, m)},
            bad_options=(({"margin": -1.0}, ValueError, "margin"), ({"margin": "1"}, TypeError, "margin")),
            names=PAIRS,
        )
        for m in (1.0, 0.5, 2.0)
    ],
    *[
        Case(
            "ntxent",
            "labeled_embeddings",
            _ntxent,
            {"temperature": t},
            natives={
                "optax": lambda e, y, t=t: optax().losses.ntxent(e, y, temperature=t),
                "monai": lambda e, y, t=t: _monai_ntxent(e, y, t),
                "pytorch_metric_learning": lambda e, y, t=t: pml().losses.NTXentLoss(temperature=t)(e, y),
            },
            bad_options=(({"temperature": 0.0}, ValueError, "temperature"), ({"temperature": "1"}, TypeError, "temperature")),
            names=LABELED,
            same_shape=False,
        )
        for t in (0.07, 0.5)
    ],
    *[
        Case(
            "info_nce",
            kind,
            _info_nce,
            opts,
            natives={
                "torch": lambda *a, o=opts: _info_nce_torch(
                    *a, temperature=o.get("temperature", 0.1), mode=o.get("negative_mode", "unpaired")
                ),
                "info_nce": lambda *a, o=opts: info_nce().info_nce(*a, **o),
            },
            bad_options=(
                ({"temperature": -0.1}, ValueError, "temperature"),
                ({"temperature": None}, TypeError, "temperature"),
                ({"negative_mode": "both"}, ValueError, "negative_mode"),
            ),
            names=("query", "positive_key", "negative_keys"),
        )
        for kind, opts in (
            ("views", {}),
            ("views", {"temperature": 0.5}),
            ("views_negatives", {}),
            ("views_paired_negatives", {"negative_mode": "paired", "temperature": 0.2}),
        )
    ],
    *[
        Case(
            "circle",
            "labeled_embeddings",
            _circle,
            opts,
            natives={"keras": lambda e, y, o=opts: _keras_circle(e, y, **o)},
            bad_options=(
                ({"gamma": 0.0}, ValueError, "gamma"),
                ({"margin": "0.4"}, TypeError, "margin"),
                ({"remove_diagonal": 1}, TypeError, "remove_diagonal"),
            ),
            names=LABELED,
            same_shape=False,
        )
        for opts in ({}, {"gamma": 16.0, "margin": 0.25}, {"remove_diagonal": False, "gamma": 4.0})
    ],
    *[
        Case(
            "barlow_twins",
            "views",
            _barlow_twins,
            {"lambd": lam},
            natives={"monai": lambda a, b, lam=lam: monai().losses.BarlowTwinsLoss(lambd=lam)(a, b)},
            bad_options=(({"lambd": -1.0}, ValueError, "lambd"), ({"lambd": "0.1"}, TypeError, "lambd")),
            names=("z1", "z2"),
        )
        for lam in (5e-3, 0.1)
    ],
    Case(
        "ranking_softmax",
        "ranking",
        _ranking_softmax,
        natives={"optax": lambda s, y: optax().losses.ranking_softmax_loss(s, y)},
        bad_options=(
            ({"where": np.ones((2, 2), bool)}, ValueError, "where"),
            ({"weights": np.ones((2, 2))}, ValueError, "weights"),
        ),
        names=("scores", "labels"),
    ),
    Case(
        "ranking_softmax",
        "ranking_masked",
        _ranking_softmax,
        natives={"optax": lambda s, y, w: optax().losses.ranking_softmax_loss(s, y, where=w != 0)},
        names=("scores", "labels", "where"),
    ),
    Case(
        "ranking_softmax",
        "ranking_masked_weighted",
        _ranking_softmax,
        natives={"optax": lambda s, y, w, v: optax().losses.ranking_softmax_loss(s, y, where=w != 0, weights=v)},
        names=("scores", "labels", "where", "weights"),
    ),
]
