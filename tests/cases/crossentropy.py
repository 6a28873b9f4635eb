"""Cross-entropy cases."""

from __future__ import annotations

import numpy as np

from tests.natives import F, jnp, keras, optax, torch

from . import Case
from .focal import _categorical_reference as _focal_reference

_SMOOTH_BAD = (
    ({"label_smoothing": 1.0}, ValueError, "label_smoothing"),
    ({"label_smoothing": -0.1}, ValueError, "label_smoothing"),
    ({"from_logits": "yes"}, TypeError, "from_logits"),
)


def _log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def _bce(
    p: np.ndarray,
    t: np.ndarray,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    pos_weight: float | np.ndarray = 1.0,
    axis: int | None = None,
) -> np.ndarray:
    t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:  # log p = -softplus(-x), log(1 - p) = -softplus(x)
        log_p = -(np.maximum(-p, 0) + np.log1p(np.exp(-np.abs(p))))
        log_q = -(np.maximum(p, 0) + np.log1p(np.exp(-np.abs(p))))
    else:
        log_p, log_q = np.maximum(np.log(p), -100), np.maximum(np.log(1 - p), -100)
    loss = -(pos_weight * t * log_p + (1 - t) * log_q)
    return loss if axis is None else loss.mean(axis=axis)


def _cce(p: np.ndarray, t: np.ndarray, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1) -> np.ndarray:
    t = t * (1 - label_smoothing) + label_smoothing / p.shape[axis]
    # masked logits (-inf, zero target): softmax is 0 at -1e30 too, and there 0 * log p = 0
    p = np.where(np.isneginf(p), -1e30, p) if from_logits else p
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
        loss[idx] = (1 - label_smoothing) * w[label] * -lp[label]
        if label_smoothing:  # (masked classes, -inf, have no smoothing cases: 0 * inf)
            loss[idx] += label_smoothing / c * -(w * lp).sum()
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
            shift_invariant=True,
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
        shift_invariant=True,
        natives={"torch": lambda p, t: F().cross_entropy(p.T, t.T)},
        bad_options=(({"axis": 2}, ValueError, "axis"),),
    ),
    # channels first with smoothing: C counts along axis=1, as torch does (Keras counts the last
    # axis whatever ``axis`` is, so it has no native here)
    Case(
        "categorical_crossentropy",
        "segmentation_logits",
        _cce,
        {"from_logits": True, "axis": 1, "label_smoothing": 0.1},
        shift_invariant=True,
        natives={"torch": lambda p, t: F().cross_entropy(p, t, label_smoothing=0.1)},
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
        shift_invariant=True,
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
            shift_invariant=True,
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
        shift_invariant=True,
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
        shift_invariant=True,
        labels=(1,),
        natives={"torch": lambda p, y: F().cross_entropy(p, y, label_smoothing=0.1)},
    ),
]


# --- pos_weight (torch's binary_cross_entropy_with_logits) and axis (Keras' mean over an axis) ----

_PW_BAD = (
    ({"pos_weight": -1.0}, ValueError, "pos_weight"),
    ({"pos_weight": float("nan")}, ValueError, "pos_weight"),
    ({"pos_weight": "2"}, TypeError, "pos_weight"),
    ({"pos_weight": np.ones(3)}, ValueError, "pos_weight"),
    ({"pos_weight": np.ones((2, 1, 5))}, ValueError, "pos_weight"),
    ({"axis": 2}, ValueError, "axis"),
    ({"axis": 1.0}, TypeError, "axis"),
)
# one weight for every class: the property tests draw the number of classes
_PW = np.array([2.5])


def _logit(p):  # type: ignore[no-untyped-def]
    return torch().log(p) - torch().log1p(-p)


CASES += [
    Case(
        "binary_crossentropy",
        "binary_probs",
        _bce,
        {"pos_weight": 2.5},
        natives={
            # torch's probability BCE has no pos_weight: the same value through the logits
            "torch": lambda p, t: F().binary_cross_entropy_with_logits(
                _logit(p), t, pos_weight=torch().asarray(2.5)
            ),
        },
        bad_options=_PW_BAD,
    ),
    Case(
        "binary_crossentropy",
        "binary_logits",
        _bce,
        {"from_logits": True, "label_smoothing": 0.1, "pos_weight": _PW},
        natives={
            "torch": lambda p, t: F().binary_cross_entropy_with_logits(
                p, _smoothed(t, 0.1), pos_weight=torch().asarray(_PW, dtype=p.dtype)
            ),
        },
    ),
    Case(
        "binary_crossentropy",
        "binary_probs",
        _bce,
        {"label_smoothing": 0.2, "axis": -1},
        natives={
            "keras": lambda p, t: keras().losses.BinaryCrossentropy(label_smoothing=0.2, axis=-1)(
                t, p
            ),
        },
    ),
    Case(
        "binary_crossentropy",
        "masks",
        _bce,
        {"from_logits": True, "pos_weight": 0.5, "axis": 1},
        # the mean of per-row means of equal length is torch's elementwise mean
        natives={
            "torch": lambda p, t: F().binary_cross_entropy_with_logits(
                p, t, pos_weight=torch().asarray(0.5)
            ),
        },
    ),
]


# --- masked classes (-inf logits) in every softmax loss; ignore_index with label smoothing -----

_CW = np.array([0.5, 2.0, 1.0, 3.0, 0.25])


def _focal_masked(p, t, **options):  # type: ignore[no-untyped-def]
    """The focal reference with masked logits at -1e30 (their softmax is 0 there too)."""
    return _focal_reference(np.where(np.isneginf(p), -1e30, p), t, **options)


CASES += [
    Case(
        "sparse_categorical_crossentropy",
        "sparse_logits_masked",
        _sparse,
        {"from_logits": True},
        shift_invariant=True,
        labels=(1,),
        natives={
            "torch": lambda p, y: F().cross_entropy(p, y),
            "optax": lambda p, y: optax().softmax_cross_entropy_with_integer_labels(p, y).mean(),
        },
    ),
    Case(
        "sparse_categorical_crossentropy",
        "sparse_logits_masked",
        _sparse,
        {"from_logits": True, "ignore_index": 3, "class_weight": _CW},
        shift_invariant=True,
        labels=(1,),
        natives={
            "torch": lambda p, y: F().cross_entropy(
                p, y, weight=torch().asarray(_CW, dtype=p.dtype), ignore_index=3
            ),
        },
    ),
    # the ignored label (-100) is outside [0, C): counting it anywhere would fail or change the
    # value (torch #73205: smoothing once counted ignored targets)
    Case(
        "sparse_categorical_crossentropy",
        "sparse_logits_ignore",
        _sparse,
        {"from_logits": True, "ignore_index": -100, "class_weight": _CW, "label_smoothing": 0.3},
        shift_invariant=True,
        labels=(1,),
        natives={
            "torch": lambda p, y: F().cross_entropy(
                p, y, weight=torch().asarray(_CW, dtype=p.dtype), label_smoothing=0.3
            ),
        },
    ),
    Case(
        "categorical_crossentropy",
        "categorical_logits_masked",
        _cce,
        {"from_logits": True},
        shift_invariant=True,
        # Optax gives NaN for -inf logits (optax #896) unless they are excluded with `where`
        natives={
            "optax": lambda p, t: optax().softmax_cross_entropy(p, t, where=jnp().isfinite(p)).mean()
        },
    ),
    Case(
        "categorical_focal_crossentropy",
        "categorical_logits_masked",
        _focal_masked,
        {"from_logits": True, "gamma": 1.5},
        shift_invariant=True,
    ),
]
