"""Focal-loss cases: binary (Keras, torchvision, Optax, MONAI), categorical (Keras, MONAI).

torchvision does not import with the CPU torch build of the torch session: its
``ops.sigmoid_focal_loss`` is the float64 NumPy reference of the logit cases
(``_torchvision_sigmoid_focal``), written from its source.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.natives import keras, optax

from . import Case

EPS = 1e-7  # Keras' clip of probabilities


def monai() -> Any:
    import monai.losses

    return monai.losses


def _sigmoid(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _smoothed(t: Any, ls: float) -> Any:
    return t * (1 - ls) + 0.5 * ls


def _torchvision_sigmoid_focal(
    x: np.ndarray, t: np.ndarray, alpha: float = 0.25, gamma: float = 2.0
) -> np.ndarray:
    """torchvision ``ops.sigmoid_focal_loss(inputs, targets, alpha, gamma, reduction="none")``:
    ``BCE-with-logits * (1 - p_t)**gamma``, times ``alpha_t`` unless ``alpha < 0``."""
    p = _sigmoid(x)
    ce = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return loss


def _binary_reference(
    p: np.ndarray,
    t: np.ndarray,
    alpha: float = 0.25,
    gamma: float = 2.0,
    apply_class_balancing: bool = False,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
) -> np.ndarray:
    """Logits: torchvision's ``sigmoid_focal_loss`` (alpha=-1 when not balancing) on the
    smoothed targets; probabilities: Keras' formula, with the clipped probability in ``p_t``
    too."""
    t = _smoothed(t, label_smoothing)
    if from_logits:
        return _torchvision_sigmoid_focal(p, t, alpha if apply_class_balancing else -1.0, gamma)
    prob = np.clip(p, EPS, 1 - EPS)
    ce = -(t * np.log(prob) + (1 - t) * np.log(1 - prob))
    p_t = prob * t + (1 - prob) * (1 - t)
    loss = ce * (1 - p_t) ** gamma
    if apply_class_balancing:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return loss


def _categorical_reference(
    p: np.ndarray,
    t: np.ndarray,
    alpha: Any = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    """Keras' formula for probabilities; for logits the exact one, log(1 - p_c) as the
    log-sum-exp of the other classes' logits minus that of all."""
    p, t = np.moveaxis(p, axis, -1), np.moveaxis(t, axis, -1)
    c = p.shape[-1]
    t = t * (1 - label_smoothing) + label_smoothing / c
    if from_logits:
        lse = np.logaddexp.reduce(p, axis=-1, keepdims=True)
        logp = p - lse
        others = [np.logaddexp.reduce(np.delete(p, k, axis=-1), axis=-1) for k in range(c)]
        log1m = np.stack(others, axis=-1) - lse
    else:
        q = np.clip(p / p.sum(axis=-1, keepdims=True), EPS, 1 - EPS)
        logp, log1m = np.log(q), np.log(1 - q)
    return -(np.asarray(alpha, dtype=np.float64) * np.exp(gamma * log1m) * t * logp).sum(axis=-1)


_BINARY_BAD = (
    ({"gamma": -1.0}, ValueError, "gamma"),
    ({"gamma": "2"}, TypeError, "gamma"),
    ({"alpha": 1.5}, ValueError, "alpha"),
    ({"apply_class_balancing": 1}, TypeError, "apply_class_balancing"),
    ({"label_smoothing": 1.0}, ValueError, "label_smoothing"),
    ({"from_logits": "yes"}, TypeError, "from_logits"),
)
_CATEGORICAL_BAD = (
    ({"alpha": np.ones(3)}, ValueError, "alpha"),
    ({"alpha": -0.5}, ValueError, "alpha"),
    ({"alpha": "0.25"}, TypeError, "alpha"),
    ({"gamma": -1.0}, ValueError, "gamma"),
    ({"label_smoothing": -0.1}, ValueError, "label_smoothing"),
    ({"axis": 2}, ValueError, "axis"),
)
_CLASS_ALPHA = np.array([0.5, 1.5, 2.0, 1.0, 0.25])


def _binary_natives(opts: dict[str, Any], keras_too: bool = True) -> dict[str, Any]:
    """Keras with the same options; for logits Optax and MONAI, with alpha=None when not
    balancing; MONAI only for hard labels (its 1 - p_t is sigmoid(-x (2t - 1)))."""
    a = opts.get("alpha", 0.25) if opts.get("apply_class_balancing", False) else None
    g, ls = opts.get("gamma", 2.0), opts.get("label_smoothing", 0.0)
    out: dict[str, Any] = {}
    if keras_too:
        out["keras"] = lambda p, t: keras().losses.BinaryFocalCrossentropy(**opts)(t, p)
    if opts.get("from_logits", False):
        out["optax"] = lambda p, t: optax().sigmoid_focal_loss(
            p, _smoothed(t, ls), alpha=a, gamma=g
        ).mean()
        if not ls:
            out["monai"] = lambda p, t: monai().FocalLoss(gamma=g, alpha=a)(p, t)
    return out


def _keras_categorical(opts: dict[str, Any]) -> Any:
    alpha = opts.get("alpha", 0.25)
    kw = {**opts, "alpha": alpha.tolist() if isinstance(alpha, np.ndarray) else alpha}
    return lambda p, t: keras().losses.CategoricalFocalCrossentropy(**kw)(t, p)


def _monai_softmax(opts: dict[str, Any]) -> Any:
    """MONAI's softmax focal loss averages classes (so: times C) and weighs a scalar alpha by class
    (so: alpha=None there, times the scalar here); a per-class alpha is the same as here."""
    alpha, g = opts.get("alpha", 0.25), opts.get("gamma", 2.0)
    ls = opts.get("label_smoothing", 0.0)
    per_class = isinstance(alpha, np.ndarray)

    def fn(p: Any, t: Any) -> Any:
        c = p.shape[1]
        focal = monai().FocalLoss(
            use_softmax=True, gamma=g, alpha=alpha.tolist() if per_class else None
        )
        return focal(p, t * (1 - ls) + ls / c) * c * (1.0 if per_class else alpha)

    return fn


def _binary(kind: str, opts: dict[str, Any], **kw: Any) -> Case:
    return Case("binary_focal_crossentropy", kind, _binary_reference, opts, **kw)


def _categorical(kind: str, opts: dict[str, Any], **kw: Any) -> Case:
    # from logits, the probabilities are a softmax along ``axis``
    shift = bool(opts.get("from_logits"))
    return Case("categorical_focal_crossentropy", kind, _categorical_reference, opts, shift_invariant=shift, **kw)


CASES = [
    *[
        _binary("binary_probs", o, natives=_binary_natives(o), bad_options=_BINARY_BAD)
        for o in (
            {},
            {"gamma": 0.5, "apply_class_balancing": True, "alpha": 0.4},
            {"gamma": 0.0, "label_smoothing": 0.2},
            {"apply_class_balancing": True, "label_smoothing": 0.1},
        )
    ],
    *[
        _binary("binary_logits", o, natives=_binary_natives(o))
        for o in (
            {"from_logits": True, "apply_class_balancing": True},  # torchvision's defaults
            {"from_logits": True, "gamma": 0.5},
            {"from_logits": True, "gamma": 0.0, "apply_class_balancing": True, "alpha": 0.75},
            {"from_logits": True, "apply_class_balancing": True, "label_smoothing": 0.3},
        )
    ],
    # saturated logits: Keras is left out (it takes the sigmoid, then clips at 1e-7: its loss stops
    # at 16.1 where the exact one is 50); Optax and MONAI work in log space, as unilosses does
    *[
        _binary("saturated_logits", o, natives=_binary_natives(o, keras_too=False))
        for o in (
            {"from_logits": True, "gamma": 0.5, "apply_class_balancing": True, "alpha": 0.4},
            {"from_logits": True, "gamma": 0.0},
            {"from_logits": True, "gamma": 2.0, "apply_class_balancing": True, "alpha": 0.6},
        )
    ],
    *[
        _categorical(
            "categorical_probs", o, natives={"keras": _keras_categorical(o)},
            bad_options=_CATEGORICAL_BAD,
        )
        for o in (
            {},
            {"gamma": 0.5, "alpha": _CLASS_ALPHA},
            {"gamma": 0.0, "alpha": 1.0, "label_smoothing": 0.1},
        )
    ],
    *[
        _categorical(
            "categorical_logits", o,
            natives={"keras": _keras_categorical(o), "monai": _monai_softmax(o)},
        )
        for o in (
            {"from_logits": True},
            {"from_logits": True, "gamma": 0.5, "alpha": _CLASS_ALPHA, "label_smoothing": 0.2},
            {"from_logits": True, "gamma": 0.0, "alpha": 0.5},
        )
    ],
    # the class axis first (no label smoothing: Keras counts the classes on the last axis)
    _categorical(
        "categorical_logits", {"from_logits": True, "gamma": 1.5, "axis": 0},
        natives={"keras": _keras_categorical({"from_logits": True, "gamma": 1.5, "axis": 0})},
    ),
    # saturated logits: Keras is left out (softmax, then a clip at 1e-7: its loss stops at 16.1)
    *[
        _categorical("saturated_logits", o, natives={"monai": _monai_softmax(o)})
        for o in (
            {"from_logits": True, "gamma": 0.5},
            {"from_logits": True, "gamma": 0.0, "alpha": _CLASS_ALPHA},
        )
    ],
]
