"""Margin softmax (ArcFace, CosFace, SphereFace) and proxy (Proxy-Anchor, ProxyNCA) cases.

References are float64 loops written from the papers and pytorch-metric-learning's source: the
angle through ``arccos``, ``cos(m θ)`` directly, per-proxy sums. The natives are
pytorch-metric-learning's losses with their class vectors set to the row's: its ``W`` is
``(D, C)`` (our ``weight.T``), its ``proxies`` ``(C, D)`` as ours; ArcFace's margin in degrees.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from tests.natives import pml, torch

from . import Case

# --- references -------------------------------------------------------------------------------


def _unit(x: np.ndarray) -> np.ndarray:
    """``F.normalize``: rows divided by ``max(||row||, 1e-12)``."""
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def _cross_entropy(logits: np.ndarray, label: int) -> float:
    m = logits.max()
    return float(m + np.log(np.exp(logits - m).sum()) - logits[label])


def _margin_softmax(e: np.ndarray, y: np.ndarray, w: np.ndarray, target: Any, scale: float, norms: bool = False) -> np.ndarray:
    """Cross-entropy of ``scale * cos`` (times ``||e_i||`` with ``norms``), the label's cosine
    ``c`` replaced by ``target(c)``."""
    cos = _unit(e) @ _unit(w).T
    out = np.zeros(len(e))
    for i in range(len(e)):
        k = scale * (np.linalg.norm(e[i]) if norms else 1.0)
        logits = k * cos[i]
        logits[y[i]] = k * target(cos[i, y[i]])
        out[i] = _cross_entropy(logits, y[i])
    return out


def _arcface(e: np.ndarray, y: np.ndarray, w: np.ndarray, margin: float = 0.5, scale: float = 64.0) -> np.ndarray:
    def target(c: float) -> float:
        theta = np.arccos(np.clip(c, -1.0, 1.0))
        return np.cos(theta + margin) if theta <= np.pi - margin else np.cos(theta) - margin * np.sin(margin)

    return _margin_softmax(e, y, w, target, scale)


def _cosface(e: np.ndarray, y: np.ndarray, w: np.ndarray, margin: float = 0.35, scale: float = 64.0) -> np.ndarray:
    return _margin_softmax(e, y, w, lambda c: c - margin, scale)


def _sphereface(e: np.ndarray, y: np.ndarray, w: np.ndarray, margin: int = 4, scale: float = 1.0) -> np.ndarray:
    def target(c: float) -> float:
        theta = np.arccos(np.clip(c, -1.0, 1.0))
        k = np.floor(theta * margin / np.pi)
        return (-1.0) ** k * np.cos(margin * theta) - 2 * k

    return _margin_softmax(e, y, w, target, scale, norms=True)


def _proxy_anchor(e: np.ndarray, y: np.ndarray, p: np.ndarray, margin: float = 0.1, alpha: float = 32.0) -> np.ndarray:
    cos = _unit(e) @ _unit(p).T
    pos, neg, with_positives = 0.0, 0.0, 0
    for c in range(len(p)):
        mine = y == c
        if mine.any():
            pos += np.log1p(np.exp(-alpha * (cos[mine, c] - margin)).sum())
            with_positives += 1
        neg += np.log1p(np.exp(alpha * (cos[~mine, c] + margin)).sum())
    return np.asarray((pos / with_positives if with_positives else 0.0) + neg / len(p))


def _proxy_nca(e: np.ndarray, y: np.ndarray, p: np.ndarray, softmax_scale: float = 1.0) -> np.ndarray:
    d2 = ((_unit(e)[:, None, :] - _unit(p)[None, :, :]) ** 2).sum(-1)
    return np.array([_cross_entropy(-softmax_scale * d2[i], y[i]) for i in range(len(e))])


# --- natives ----------------------------------------------------------------------------------


def _pml(name: str, e: Any, y: Any, w: Any, **options: Any) -> Any:
    """pytorch-metric-learning's loss ``name`` with its class vectors set to ``w`` (``(C, D)``):
    ``W = w.T`` for the margin softmax losses, ``proxies = w`` for the proxy losses."""
    with warnings.catch_warnings():
        # LargeMarginSoftmaxLoss (SphereFace) passes 0-d tensors to scipy.special.binom, which
        # NumPy 2 answers with a DeprecationWarning about __array_wrap__
        warnings.filterwarnings("ignore", "__array_wrap__", DeprecationWarning)
        loss = getattr(pml().losses, name)(num_classes=w.shape[0], embedding_size=w.shape[1], **options)
    with torch().no_grad():
        if hasattr(loss, "proxies"):
            loss.proxies.copy_(w)
        else:
            loss.W.copy_(w.T)
    return loss(e, y)


def _pml_arcface(e: Any, y: Any, w: Any, margin: float = 0.5, scale: float = 64.0) -> Any:
    return _pml("ArcFaceLoss", e, y, w, margin=math.degrees(margin), scale=scale)


KIND = "class_embeddings"
NAMES = ("embeddings", "labels", "weight")
PROXY_NAMES = ("embeddings", "labels", "proxies")
_BAD_SCALE = (({"scale": 0.0}, ValueError, "scale"), ({"scale": "64"}, TypeError, "scale"))


CASES = [
    *[
        Case(
            "arcface",
            KIND,
            _arcface,
            opts,
            natives={"pytorch_metric_learning": lambda e, y, w, o=opts: _pml_arcface(e, y, w, **o)},
            bad_options=(
                *_BAD_SCALE,
                ({"margin": 4.0}, ValueError, "margin"),
                ({"margin": "0.5"}, TypeError, "margin"),
            ),
            labels=(1,),
            names=NAMES,
            same_shape=False,
        )
        # margin 1.2: targets past pi - m (cos below -cos(1.2)) take the second branch
        for opts in ({}, {"margin": 1.2, "scale": 8.0})
    ],
    *[
        Case(
            "sphereface",
            KIND,
            _sphereface,
            opts,
            natives={"pytorch_metric_learning": lambda e, y, w, o=opts: _pml("SphereFaceLoss", e, y, w, **o)},
            bad_options=(
                *_BAD_SCALE,
                ({"margin": 0}, ValueError, "margin"),
                ({"margin": 2.5}, TypeError, "margin"),
            ),
            labels=(1,),
            names=NAMES,
            same_shape=False,
        )
        # an odd margin: the sign (-1)^k of the other parity
        for opts in ({}, {"margin": 3, "scale": 2.0})
    ],
    # one row each for the losses whose options do not change the computation
    Case(
        "cosface",
        KIND,
        _cosface,
        natives={"pytorch_metric_learning": lambda e, y, w: _pml("CosFaceLoss", e, y, w)},
        bad_options=(*_BAD_SCALE, ({"margin": float("nan")}, ValueError, "margin")),
        labels=(1,),
        names=NAMES,
        same_shape=False,
    ),
    Case(
        "proxy_anchor",
        KIND,
        _proxy_anchor,
        natives={"pytorch_metric_learning": lambda e, y, p: _pml("ProxyAnchorLoss", e, y, p)},
        bad_options=(
            ({"alpha": 0.0}, ValueError, "alpha"),
            ({"margin": float("inf")}, ValueError, "margin"),
            ({"margin": None}, TypeError, "margin"),
        ),
        labels=(1,),
        names=PROXY_NAMES,
        same_shape=False,
    ),
    Case(
        "proxy_nca",
        KIND,
        _proxy_nca,
        natives={"pytorch_metric_learning": lambda e, y, p: _pml("ProxyNCALoss", e, y, p)},
        bad_options=(
            ({"softmax_scale": -1.0}, ValueError, "softmax_scale"),
            ({"softmax_scale": "1"}, TypeError, "softmax_scale"),
        ),
        labels=(1,),
        names=PROXY_NAMES,
        same_shape=False,
    ),
]
