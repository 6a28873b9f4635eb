"""Cross-entropy cases."""

from __future__ import annotations

import numpy as np

from tests.natives import F, keras, optax, torch

from . import Case

_SMOOTH_BAD = (
    ({"label_smoothing": 1.0}, ValueError, "label_smoothing"),
    ({"label_smoothing": -0.1}, ValueError, "label_smoothing"),
    ({"from_logits": "yes"}, TypeError, "from_logits"),
)


def _log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def _bce(p: np.ndarray, t: np.ndarray, from_logits: bool = False, label_smoothing: float = 0.0) -> np.ndarray:
    t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        return np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p)))
    return -(t * np.maximum(np.log(p), -100) + (1 - t) * np.maximum(np.log(1 - p), -100))


def _cce(p: np.ndarray, t: np.ndarray, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1) -> np.ndarray:
    t = t * (1 - label_smoothing) + label_smoothing / p.shape[axis]
    logp = _log_softmax(p, axis) if from_logits else np.log(p)
    return -(t * logp).sum(axis=axis)


def _sparse(
    p: np.ndarray,
    y: np.ndarray,
    from_logits: bool = False,
    ignore_index: int | None = None,
    class_weight: np.ndarray | None = None,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> tuple[np.ndarray, np.ndarray]:
    """torch's cross_entropy semantics, written out sample by sample."""
    p = np.moveaxis(p, axis, -1)
    c = p.shape[-1]
    logp = _log_softmax(p) if from_logits else np.log(p)
    w = np.ones(c) if class_weight is None else np.asarray(class_weight, dtype=np.float64)
    loss, weight = np.zeros(y.shape), np.zeros(y.shape)
    for idx in np.ndindex(*y.shape):
        label = y[idx]
        if label == ignore_index:
            continue
        lp = logp[idx]
        loss[idx] = (1 - label_smoothing) * w[label] * -lp[label] + label_smoothing / c * -(w * lp).sum()
        weight[idx] = w[label]
    return loss, weight


def _smoothed(t, ls):  # type: ignore[no-untyped-def]
    return t * (1 - ls) + 0.5 * ls


CASES = [
    *[
        Case(
            "binary_crossentropy",
            "binary_probs",
            _bce,
            {"label_smoothing": ls} if ls else {},
            natives={
                "torch": lambda p, t, ls=ls: F().binary_cross_entropy(p, _smoothed(t, ls)),
                "keras": lambda p, t, ls=ls: keras().losses.BinaryCrossentropy(label_smoothing=ls)(t, p),
            },
            bad_options=_SMOOTH_BAD,
        )
        for ls in (0.0, 0.2)
    ],
    *[
        Case(
            "binary_crossentropy",
            "binary_logits",
            _bce,
            {"from_logits": True, "label_smoothing": ls},
            natives={
                "torch": lambda p, t, ls=ls: F().binary_cross_entropy_with_logits(p, _smoothed(t, ls)),
                "keras": lambda p, t, ls=ls: keras().losses.BinaryCrossentropy(from_logits=True, label_smoothing=ls)(t, p),
                "optax": lambda p, t, ls=ls: optax().sigmoid_binary_cross_entropy(p, _smoothed(t, ls)).mean(),
            },
        )
        for ls in (0.0, 0.3)
    ],
    *[
        Case(
            "categorical_crossentropy",
            "categorical_probs",
            _cce,
            {"label_smoothing": ls} if ls else {},
            natives={
                "keras": lambda p, t, ls=ls: keras().losses.CategoricalCrossentropy(label_smoothing=ls)(t, p),
            },
            bad_options=_SMOOTH_BAD,
        )
        for ls in (0.0, 0.1)
    ],
    *[
        Case(
            "categorical_crossentropy",
            "categorical_logits",
            _cce,
            {"from_logits": True, "label_smoothing": ls},
            natives={
                "torch": lambda p, t, ls=ls: F().cross_entropy(p, t, label_smoothing=ls),
                "keras": lambda p, t, ls=ls: keras().losses.CategoricalCrossentropy(from_logits=True, label_smoothing=ls)(t, p),
                "optax": lambda p, t, ls=ls: optax().softmax_cross_entropy(p, optax().smooth_labels(t, ls)).mean(),
            },
        )
        for ls in (0.0, 0.25)
    ],
    Case(
        "categorical_crossentropy",
        "categorical_logits",
        _cce,
        {"from_logits": True, "axis": 0},
        natives={"torch": lambda p, t: F().cross_entropy(p.T, t.T)},
        bad_options=(({"axis": 2}, ValueError, "axis"),),
    ),
    Case(
        "sparse_categorical_crossentropy",
        "sparse_probs",
        _sparse,
        labels=(1,),
        natives={
            "torch": lambda p, y: F().nll_loss(torch().log(p), y),
            "keras": lambda p, y: keras().losses.SparseCategoricalCrossentropy()(y, p),
        },
        bad_options=(
            *_SMOOTH_BAD,
            ({"ignore_index": 1.5}, TypeError, "ignore_index"),
            ({"class_weight": np.ones(3)}, ValueError, "class_weight"),
        ),
    ),
    Case(
        "sparse_categorical_crossentropy",
        "sparse_logits",
        _sparse,
        {"from_logits": True},
        labels=(1,),
        natives={
            "torch": lambda p, y: F().cross_entropy(p, y),
            "keras": lambda p, y: keras().losses.SparseCategoricalCrossentropy(from_logits=True)(y, p),
            "optax": lambda p, y: optax().softmax_cross_entropy_with_integer_labels(p, y).mean(),
        },
    ),
    *[
        Case(
            "sparse_categorical_crossentropy",
            "sparse_logits",
            _sparse,
            {"from_logits": True, "ignore_index": 2, "class_weight": cw, "label_smoothing": ls},
            labels=(1,),
            natives={
                "torch": lambda p, y, cw=cw, ls=ls: F().cross_entropy(
                    p, y, weight=None if cw is None else torch().asarray(cw, dtype=p.dtype), ignore_index=2, label_smoothing=ls
                ),
            },
        )
        for cw in (None, np.array([0.5, 2.0, 1.0, 3.0, 0.25]))
        for ls in (0.0, 0.2)
    ],
    Case(
        "sparse_categorical_crossentropy",
        "sparse_logits_ignore",
        _sparse,
        {"from_logits": True, "ignore_index": -100},
        labels=(1,),
        natives={
            "torch": lambda p, y: F().cross_entropy(p, y),
            "keras": lambda p, y: keras().losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-100)(y, p),
        },
    ),
    Case(
        "sparse_categorical_crossentropy",
        "sparse_logits_channels_first",
        _sparse,
        {"from_logits": True, "axis": 1, "label_smoothing": 0.1},
        labels=(1,),
        natives={"torch": lambda p, y: F().cross_entropy(p, y, label_smoothing=0.1)},
    ),
]
