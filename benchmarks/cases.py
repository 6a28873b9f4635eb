"""What is benchmarked: each loss with the native kernels it is measured against, per backend.

A native is ``fn(*arrays)`` over the backend's arrays, computing the same number as unilosses'
``loss(*arrays, **options)`` (mean reduction). Frameworks are imported lazily.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Bench:
    loss: str
    inputs: str
    options: Mapping[str, Any] = field(default_factory=dict)
    # backend -> {native name -> fn(*arrays)}
    natives: Mapping[str, Mapping[str, Callable[..., Any]]] = field(default_factory=dict)
    # losses that hold (n, c, c) temporaries run only at sizes with at most this many classes
    max_classes: int | None = None
    # (n, c) per size name where the input kind is not an (n, c) matrix (images, lists of
    # sequences, point clouds): the sizes of the table would make other shapes
    shapes: Mapping[str, tuple[int, int]] | None = None


def F() -> Any:
    import torch.nn.functional

    return torch.nn.functional


def _torch() -> Any:
    import torch

    return torch


def jnp() -> Any:
    import jax.numpy

    return jax.numpy


def optax() -> Any:
    import optax

    return optax


def kops() -> Any:
    import keras

    return keras


# --- the seed's NumPy code (one-hot versions), the bar the NumPy backend is measured against ---


def seed_sparse_cce(p: np.ndarray, y: np.ndarray) -> Any:
    one_hot = np.eye(p.shape[1], dtype=p.dtype)[y]
    return -np.mean(np.sum(one_hot * np.log(np.clip(p, 1e-7, 1 - 1e-7)), axis=1))


def seed_cce(p: np.ndarray, t: np.ndarray) -> Any:
    return -np.mean(np.sum(t * np.log(np.clip(p, 1e-7, 1 - 1e-7)), axis=1))


def seed_bce(p: np.ndarray, t: np.ndarray) -> Any:
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))


def seed_huber(p: np.ndarray, t: np.ndarray, delta: float = 1.0) -> Any:
    d = np.abs(p - t)
    return np.mean(np.where(d <= delta, 0.5 * d**2, delta * (d - 0.5 * delta)))


def seed_kl(q: np.ndarray, p: np.ndarray) -> Any:
    p, q = np.clip(p, 1e-7, 1), np.clip(q, 1e-7, 1)
    return np.mean(np.sum(p * np.log(p / q), axis=-1))


def _keras(name: str, **kw: Any) -> Callable[..., Any]:
    """A Keras 3 loss object on the current Keras backend, called as Keras does (y_true, y_pred)."""
    obj: list[Any] = []

    def call(p: Any, t: Any) -> Any:
        if not obj:
            obj.append(getattr(kops().losses, name)(**kw))
        return obj[0](t, p)

    return call


BENCHES = [
    Bench(
        "mean_squared_error",
        "regression",
        natives={
            "numpy": {"seed": lambda p, t: np.mean((p - t) ** 2)},
            "torch": {"F": lambda p, t: F().mse_loss(p, t), "keras": _keras("MeanSquaredError")},
            "tensorflow": {"keras": _keras("MeanSquaredError")},
            "jax": {"optax": lambda p, t: optax().squared_error(p, t).mean(), "keras": _keras("MeanSquaredError")},
        },
    ),
    Bench(
        "huber",
        "regression",
        {"delta": 1.0},
        natives={
            "numpy": {"seed": seed_huber},
            "torch": {"F": lambda p, t: F().huber_loss(p, t), "keras": _keras("Huber")},
            "tensorflow": {"keras": _keras("Huber")},
            "jax": {"optax": lambda p, t: optax().huber_loss(p, t).mean(), "keras": _keras("Huber")},
        },
    ),
    Bench(
        "binary_crossentropy",
        "binary_probs",
        natives={
            "numpy": {"seed": seed_bce},
            "torch": {"F": lambda p, t: F().binary_cross_entropy(p, t), "keras": _keras("BinaryCrossentropy")},
            "tensorflow": {"keras": _keras("BinaryCrossentropy")},
            "jax": {"keras": _keras("BinaryCrossentropy")},
        },
    ),
    Bench(
        "binary_crossentropy",
        "binary_logits",
        {"from_logits": True},
        natives={
            "torch": {"F": lambda p, t: F().binary_cross_entropy_with_logits(p, t), "keras": _keras("BinaryCrossentropy", from_logits=True)},
            "tensorflow": {"keras": _keras("BinaryCrossentropy", from_logits=True)},
            "jax": {"optax": lambda p, t: optax().sigmoid_binary_cross_entropy(p, t).mean(), "keras": _keras("BinaryCrossentropy", from_logits=True)},
        },
    ),
    Bench(
        "categorical_crossentropy",
        "categorical_probs",
        natives={
            "numpy": {"seed": seed_cce},
            "torch": {"keras": _keras("CategoricalCrossentropy")},
            "tensorflow": {"keras": _keras("CategoricalCrossentropy")},
        },
    ),
    Bench(
        "categorical_crossentropy",
        "categorical_logits",
        {"from_logits": True},
        natives={
            "torch": {"F": lambda p, t: F().cross_entropy(p, t), "keras": _keras("CategoricalCrossentropy", from_logits=True)},
            "tensorflow": {"keras": _keras("CategoricalCrossentropy", from_logits=True)},
            "jax": {"optax": lambda p, t: optax().softmax_cross_entropy(p, t).mean(), "keras": _keras("CategoricalCrossentropy", from_logits=True)},
        },
    ),
    Bench(
        "sparse_categorical_crossentropy",
        "sparse_probs",
        natives={
            "numpy": {"seed": seed_sparse_cce},
            "torch": {"F": lambda p, y: F().nll_loss(_torch().log(p), y), "keras": _keras("SparseCategoricalCrossentropy")},
            "tensorflow": {"keras": _keras("SparseCategoricalCrossentropy")},
        },
    ),
    Bench(
        "sparse_categorical_crossentropy",
        "sparse_logits",
        {"from_logits": True},
        natives={
            "torch": {"F": lambda p, y: F().cross_entropy(p, y), "keras": _keras("SparseCategoricalCrossentropy", from_logits=True)},
            "tensorflow": {"keras": _keras("SparseCategoricalCrossentropy", from_logits=True)},
            "jax": {
                "optax": lambda p, y: optax().softmax_cross_entropy_with_integer_labels(p, y).mean(),
                "keras": _keras("SparseCategoricalCrossentropy", from_logits=True),
            },
        },
    ),
    Bench(
        "kl_divergence",
        "distributions",
        natives={
            "numpy": {"seed": seed_kl},
            "torch": {"F": lambda q, p: F().kl_div(_torch().log(q), p, reduction="batchmean"), "keras": _keras("KLDivergence")},
            "tensorflow": {"keras": _keras("KLDivergence")},
            "jax": {"optax": lambda q, p: optax().kl_divergence(jnp().log(q), p).mean()},
        },
    ),
]


# where each native library of the test table runs: its benchmark backends and column label
NATIVE_BACKENDS: dict[str, tuple[tuple[str, ...], str]] = {
    "torch": (("torch",), "F"),
    "optax": (("jax",), "optax"),
    "keras": (("torch", "jax", "tensorflow"), "keras"),
    "keras_rs": (("torch", "jax", "tensorflow"), "keras_rs"),
    "monai": (("torch",), "monai"),
    "kornia": (("torch",), "kornia"),
    "info_nce": (("torch",), "info_nce"),
    "pytorch_metric_learning": (("torch",), "pml"),
    "entmax": (("torch",), "entmax"),
    "geomloss": (("torch",), "geomloss"),
    "scoringrules": (("numpy",), "scoringrules"),
    "lifelines": (("numpy",), "lifelines"),
    "ot": (("numpy",), "POT"),
}
# input kinds whose losses hold (n, c, c) temporaries (pairs of classes, of list items, of
# ensemble members): only sizes with at most 100 classes
QUADRATIC_KINDS = (
    "multilabel_indices", "ranking", "ranking_masked", "ranking_masked_weighted", "ranking_padded",
    "ensemble",
)
# (n, c) per size for input kinds that are not (n, c) matrices
OTHER_SHAPES = {"tiny": (8, 4), "medium": (64, 8), "large": (256, 16)}


def _from_test_cases() -> list[Bench]:
    """Every other loss with a native in the test table: its first option set without array
    options, against each of its natives on the backends they run on."""
    import unilosses as ul
    from tests.cases import all_cases
    from unilosses._examples import make_inputs

    seen = {b.loss for b in BENCHES}
    seen |= {name for name in ul.__all__ if getattr(ul, name).__name__ != name}  # aliases
    out = []
    for case in all_cases():
        if case.loss in seen or any(isinstance(v, np.ndarray) for v in case.options.values()):
            continue
        natives: dict[str, dict[str, Callable[..., Any]]] = {}
        for lib, fn in case.natives.items():
            backends, label = NATIVE_BACKENDS[lib]
            for backend in backends:
                natives.setdefault(backend, {})[label] = fn
        if natives:
            seen.add(case.loss)
            matrix = make_inputs(case.inputs, n=2, c=3)[0].shape == (2, 3)
            quadratic = case.inputs in QUADRATIC_KINDS
            out.append(Bench(
                case.loss, case.inputs, case.options, natives, 100 if quadratic else None,
                None if matrix else OTHER_SHAPES,
            ))
    return out


BENCHES += _from_test_cases()
