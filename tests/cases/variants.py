"""Cross-entropy variant cases: nll, poly1_crossentropy, generalized_crossentropy."""

from __future__ import annotations

import numpy as np

from tests.natives import F, jnp, keras, optax, torch

from . import Case

_CW = np.array([0.5, 2.0, 1.0, 3.0, 0.25])


def _log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = np.where(np.isneginf(x), -1e30, x)  # masked classes: softmax 0 all the same
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def _per_label(
    per_class: np.ndarray,
    y: np.ndarray,
    ignore_index: int | None,
    class_weight: np.ndarray | None,
    axis: int,
) -> tuple[np.ndarray, np.ndarray]:
    """torch's weighted, ignoring average, sample by sample: loss w_y l_y and weight w_y."""
    per_class = np.moveaxis(per_class, axis, -1)
    w = np.ones(per_class.shape[-1]) if class_weight is None else np.asarray(class_weight, float)
    loss, weight = np.zeros(y.shape), np.zeros(y.shape)
    for idx in np.ndindex(*y.shape):
        label = y[idx]
        if label != ignore_index:
            loss[idx] = w[label] * per_class[idx][label]
            weight[idx] = w[label]
    return loss, weight


def _nll(
    logp: np.ndarray,
    y: np.ndarray,
    ignore_index: int | None = -100,
    class_weight: np.ndarray | None = None,
    axis: int = -1,
) -> tuple[np.ndarray, np.ndarray]:
    return _per_label(-logp, y, ignore_index, class_weight, axis)


def _poly1(
    p: np.ndarray,
    t: np.ndarray,
    epsilon: float = 1.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    """The paper's code: CE + epsilon (1 - p_t), p_t = sum(smoothed labels * softmax)."""
    t = t * (1 - label_smoothing) + label_smoothing / p.shape[axis]
    if from_logits:
        logp = _log_softmax(p, axis)
        p = np.exp(logp)
    else:
        logp = np.maximum(np.log(p), -100)
    pt = (t * p).sum(axis=axis)
    return -(t * logp).sum(axis=axis) + epsilon * (t.sum(axis=axis) - pt)


def _gce(
    p: np.ndarray,
    y: np.ndarray,
    q: float = 0.5,
    from_logits: bool = False,
    ignore_index: int | None = None,
    class_weight: np.ndarray | None = None,
    axis: int = -1,
) -> tuple[np.ndarray, np.ndarray]:
    p = np.exp(_log_softmax(p, axis)) if from_logits else p
    return _per_label((1 - p**q) / q, y, ignore_index, class_weight, axis)


def _torch_weight(p, cw):  # type: ignore[no-untyped-def]
    return None if cw is None else torch().asarray(cw, dtype=p.dtype)


def _keras_gce(q: float, from_logits: bool = False):  # type: ignore[no-untyped-def]
    def native(p, y):  # type: ignore[no-untyped-def]
        probs = keras().ops.softmax(p, axis=-1) if from_logits else p
        return keras().losses.CategoricalGeneralizedCrossEntropy(q=q)(y, probs)

    return native


def _optax_poly(epsilon: float, ls: float = 0.0, axis: int = -1, log: bool = False):  # type: ignore[no-untyped-def]
    def native(p, t):  # type: ignore[no-untyped-def]
        logits = jnp().log(p) if log else p  # softmax(log p) = p for distributions
        labels = optax().smooth_labels(t, ls) if ls else t
        if axis != -1:
            logits, labels = logits.T, labels.T
        # Optax's own way past masked (-inf) logits, which give it NaN otherwise (optax #896)
        return optax().losses.poly_loss_cross_entropy(
            logits, labels, epsilon=epsilon, where=jnp().isfinite(logits)
        ).mean()

    return native


_SPARSE_BAD = (
    ({"ignore_index": 1.5}, TypeError, "ignore_index"),
    ({"class_weight": np.ones(3)}, ValueError, "class_weight"),
    ({"axis": 3}, ValueError, "axis"),
)

CASES = [
    # --- nll: torch's F.nll_loss
    Case(
        "nll",
        "sparse_log_probs",
        _nll,
        labels=(1,),
        natives={"torch": lambda p, y: F().nll_loss(p, y)},
        bad_options=_SPARSE_BAD,
    ),
    Case(
        "nll",
        "sparse_log_probs_channels_first",
        _nll,
        {"axis": 1, "class_weight": _CW},
        labels=(1,),
        natives={"torch": lambda p, y: F().nll_loss(p, y, weight=_torch_weight(p, _CW))},
    ),
    # -inf log-probabilities on classes other than the label, and on class 0 of ignored samples
    Case(
        "nll",
        "sparse_log_probs_masked",
        _nll,
        {"class_weight": _CW},
        labels=(1,),
        natives={"torch": lambda p, y: F().nll_loss(p, y, weight=_torch_weight(p, _CW))},
    ),
    # --- poly1_crossentropy: optax.losses.poly_loss_cross_entropy
    Case(
        "poly1_crossentropy",
        "categorical_logits",
        _poly1,
        {"from_logits": True},
        shift_invariant=True,
        natives={"optax": _optax_poly(1.0)},
        bad_options=(
            ({"epsilon": float("nan")}, ValueError, "epsilon"),
            ({"epsilon": float("inf")}, ValueError, "epsilon"),
            ({"epsilon": "1"}, TypeError, "epsilon"),
            ({"label_smoothing": 1.0}, ValueError, "label_smoothing"),
            ({"from_logits": 1}, TypeError, "from_logits"),
            ({"axis": 2}, ValueError, "axis"),
        ),
    ),
    Case(
        "poly1_crossentropy",
        "categorical_logits",
        _poly1,
        {"from_logits": True, "epsilon": 2.0, "label_smoothing": 0.1},
        shift_invariant=True,
        natives={"optax": _optax_poly(2.0, ls=0.1)},
    ),
    Case(
        "poly1_crossentropy",
        "categorical_probs",
        _poly1,
        {"epsilon": 0.5},
        natives={"optax": _optax_poly(0.5, log=True)},
    ),
    Case(
        "poly1_crossentropy",
        "categorical_logits",
        _poly1,
        {"from_logits": True, "epsilon": -1.0, "axis": 0},
        shift_invariant=True,
        natives={"optax": _optax_poly(-1.0, axis=0)},
    ),
    Case(
        "poly1_crossentropy",
        "categorical_logits_masked",
        _poly1,
        {"from_logits": True, "epsilon": 1.5},
        shift_invariant=True,
        natives={"optax": _optax_poly(1.5)},
    ),
    # --- generalized_crossentropy: keras.losses.CategoricalGeneralizedCrossEntropy
    Case(
        "generalized_crossentropy",
        "sparse_probs",
        _gce,
        labels=(1,),
        natives={"keras": _keras_gce(0.5)},
        bad_options=(
            ({"q": 0.0}, ValueError, "q"),
            ({"q": 1.5}, ValueError, "q"),
            ({"q": -0.5}, ValueError, "q"),
            ({"q": float("nan")}, ValueError, "q"),
            ({"q": None}, TypeError, "q"),
            ({"from_logits": "no"}, TypeError, "from_logits"),
            *_SPARSE_BAD,
        ),
    ),
    Case(
        "generalized_crossentropy",
        "sparse_logits_masked",
        _gce,
        {"from_logits": True, "q": 0.7},
        shift_invariant=True,
        labels=(1,),
        natives={"keras": _keras_gce(0.7, from_logits=True)},
    ),
    Case(
        "generalized_crossentropy",
        "sparse_logits",
        _gce,
        {"from_logits": True, "q": 1.0, "ignore_index": 2, "class_weight": _CW},
        shift_invariant=True,
        labels=(1,),
    ),
    Case(
        "generalized_crossentropy",
        "sparse_logits_channels_first",
        _gce,
        {"from_logits": True, "q": 0.2, "axis": 1},
        shift_invariant=True,
        labels=(1,),
    ),
]
