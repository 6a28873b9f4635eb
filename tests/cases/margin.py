"""Margin (hinge-family) cases: binary, multiclass and multilabel margins."""

from __future__ import annotations

import numpy as np

from tests.natives import F, keras, optax, torch

from . import Case

_CW = np.array([0.5, 2.0, 1.0, 3.0, 0.25])


def _signed(t: np.ndarray) -> np.ndarray:
    return 2 * t - 1 if np.isin(t, (0.0, 1.0)).all() else t


def _hinge(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    return np.maximum(1 - _signed(t) * p, 0)


def _squared_hinge(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    return np.maximum(1 - _signed(t) * p, 0) ** 2


def _soft_margin(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, -t * p)


def _hinge_embedding(p: np.ndarray, t: np.ndarray, margin: float = 1.0) -> np.ndarray:
    return np.where(t == 1, p, np.maximum(margin - p, 0))


def _perceptron(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    return np.maximum(-t * p, 0)


def _categorical_hinge(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Keras' formula, literally: the target class enters the maximum as 0."""
    return np.maximum(((1 - t) * p).max(axis=-1) - (t * p).sum(axis=-1) + 1, 0)


def _per_sample(p: np.ndarray, y: np.ndarray, f) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.array([f(p[i], int(y[i])) for i in range(len(y))]).reshape(y.shape)


def _multiclass_hinge(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    return _per_sample(p, y, lambda s, k: max(0.0, 1 + np.delete(s, k).max() - s[k]))


def _multiclass_perceptron(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    return _per_sample(p, y, lambda s, k: s.max() - s[k])


def _multi_margin(
    x: np.ndarray,
    y: np.ndarray,
    p: int = 1,
    margin: float = 1.0,
    class_weight: np.ndarray | None = None,
) -> np.ndarray:
    """torch's multi_margin_loss: the weight multiplies the powered term (not inside the power)."""
    w = np.ones(x.shape[-1]) if class_weight is None else class_weight

    def one(s: np.ndarray, k: int) -> float:
        terms = [max(0.0, margin - s[k] + s[j]) ** p for j in range(len(s)) if j != k]
        return w[k] * sum(terms) / len(s)

    return _per_sample(x, y, one)


def _multilabel_margin(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = np.zeros(len(p))
    for n, (s, labels) in enumerate(zip(p, y, strict=True)):
        targets = []
        for label in labels:
            if label == -1:
                break
            targets.append(int(label))
        others = [i for i in range(len(s)) if i not in targets]
        out[n] = sum(max(0.0, 1 - (s[j] - s[i])) for j in targets for i in others) / len(s)
    return out


def _multilabel_soft_margin(
    p: np.ndarray, t: np.ndarray, class_weight: np.ndarray | None = None
) -> np.ndarray:
    w = 1.0 if class_weight is None else class_weight
    return (w * (t * np.logaddexp(0.0, -p) + (1 - t) * np.logaddexp(0.0, p))).mean(axis=-1)


def _torch_weight(p, cw):  # type: ignore[no-untyped-def]
    return None if cw is None else torch().asarray(cw, dtype=p.dtype)


def _multi_margin_options(p_: int, margin: float, cw: np.ndarray | None) -> dict:  # type: ignore[type-arg]
    opts: dict = {"p": p_, "margin": margin}  # type: ignore[type-arg]
    if cw is not None:
        opts["class_weight"] = cw
    return opts


CASES = [
    Case(
        "hinge",
        "signed",
        _hinge,
        natives={
            "keras": lambda p, t: keras().losses.Hinge()(t, p),
            "optax": lambda p, t: optax().hinge_loss(p, t).mean(),
        },
    ),
    Case(
        "hinge",
        "binary_logits",
        _hinge,
        natives={"keras": lambda p, t: keras().losses.Hinge()(t, p)},
    ),
    *[
        Case(
            "squared_hinge",
            kind,
            _squared_hinge,
            natives={"keras": lambda p, t: keras().losses.SquaredHinge()(t, p)},
        )
        for kind in ("signed", "binary_logits")  # {-1, 1} targets and {0, 1} ones (converted)
    ],
    *[
        Case(
            "categorical_hinge",
            kind,
            _categorical_hinge,
            natives={"keras": lambda p, t: keras().losses.CategoricalHinge()(t, p)},
        )
        for kind in ("onehot_logits", "categorical_logits")  # one-hot and soft targets
    ],
    Case(
        "multiclass_hinge",
        "sparse_logits",
        _multiclass_hinge,
        labels=(1,),
        natives={"optax": lambda p, y: optax().losses.multiclass_hinge_loss(p, y).mean()},
    ),
    Case(
        "multiclass_perceptron",
        "sparse_logits",
        _multiclass_perceptron,
        labels=(1,),
        natives={"optax": lambda p, y: optax().losses.multiclass_perceptron_loss(p, y).mean()},
    ),
    *[
        Case(
            "multi_margin",
            "sparse_logits",
            _multi_margin,
            _multi_margin_options(p_, margin, cw),
            labels=(1,),
            natives={
                "torch": lambda p, y, p_=p_, margin=margin, cw=cw: F().multi_margin_loss(
                    p, y, p=p_, margin=margin, weight=_torch_weight(p, cw)
                ),
            },
            bad_options=(
                ({"p": 3}, ValueError, "p must be 1 or 2"),
                ({"p": True}, ValueError, "p must be 1 or 2"),
                ({"margin": "1"}, TypeError, "margin"),
                ({"class_weight": np.ones(3)}, ValueError, "class_weight"),
            ),
        )
        for p_, margin, cw in ((1, 1.0, None), (2, 1.0, None), (1, 0.5, _CW), (2, 1.5, _CW))
    ],
    # masked classes (-inf scores, never the label): finite values and gradients (Optax's
    # multiclass hinge and perceptron give NaN there, so torch is the only native)
    *[
        Case(loss, "sparse_logits_masked", ref, labels=(1,))
        for loss, ref in (
            ("multiclass_hinge", _multiclass_hinge),
            ("multiclass_perceptron", _multiclass_perceptron),
        )
    ],
    Case(
        "multi_margin",
        "sparse_logits_masked",
        _multi_margin,
        {"p": 2, "class_weight": _CW},
        labels=(1,),
        natives={
            "torch": lambda p, y: F().multi_margin_loss(p, y, p=2, weight=_torch_weight(p, _CW)),
        },
    ),
    Case(
        "multilabel_margin",
        "multilabel_indices",
        _multilabel_margin,
        labels=(1,),
        natives={"torch": lambda p, y: F().multilabel_margin_loss(p, y)},
    ),
    Case(
        "soft_margin",
        "signed",
        _soft_margin,
        natives={"torch": lambda p, t: F().soft_margin_loss(p, t)},
    ),
    Case(
        "multilabel_soft_margin",
        "binary_logits",
        _multilabel_soft_margin,
        natives={
            "torch": lambda p, t: F().multilabel_soft_margin_loss(p, t),
            "keras": lambda p, t: keras().losses.BinaryCrossentropy(from_logits=True)(t, p),
            "optax": lambda p, t: optax().sigmoid_binary_cross_entropy(p, t).mean(),
        },
        bad_options=(({"class_weight": np.ones(3)}, ValueError, "class_weight"),),
    ),
    Case(
        "multilabel_soft_margin",
        "binary_logits",
        _multilabel_soft_margin,
        {"class_weight": _CW},
        natives={
            "torch": lambda p, t: F().multilabel_soft_margin_loss(
                p, t, weight=_torch_weight(p, _CW)
            )
        },
    ),
    *[
        Case(
            "hinge_embedding",
            "signed_distances",
            _hinge_embedding,
            {"margin": margin},
            natives={
                "torch": lambda p, t, margin=margin: F().hinge_embedding_loss(p, t, margin=margin)
            },
            bad_options=(
                ({"margin": None}, TypeError, "margin"),
                ({"margin": float("nan")}, ValueError, "margin"),
            ),
        )
        for margin in (1.0, 0.5)
    ],
    Case(
        "perceptron",
        "signed",
        _perceptron,
        natives={"optax": lambda p, t: optax().losses.perceptron_loss(p, t).mean()},
    ),
]
