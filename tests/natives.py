"""Native counterparts, reached lazily: only libraries installed in this session are used.

The torch-based libraries (MONAI, kornia, info-nce-pytorch, pytorch-metric-learning, entmax,
geomloss) run in the torch session, keras-rs with Keras, the NumPy-based ones (scoringrules,
lifelines, POT) in the NumPy session. segmentation_models_pytorch and torchvision do not import with the CPU torch build
that session pins: their losses are float64 NumPy references in ``tests/cases``, written from
their source.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

import numpy as np

LIBRARIES = (
    "torch", "keras", "optax", "monai", "kornia", "info_nce", "pytorch_metric_learning", "entmax",
    "geomloss", "keras_rs", "scoringrules", "lifelines", "ot",
)
# libraries that take torch tensors
TORCH_BASED = ("torch", "monai", "kornia", "info_nce", "pytorch_metric_learning", "entmax", "geomloss")


def installed() -> list[str]:
    """The native libraries importable here (Keras only with a backend it can run on)."""
    libs = [lib for lib in LIBRARIES if importlib.util.find_spec(lib) is not None]
    if "keras" in libs and not any(importlib.util.find_spec(b) for b in ("jax", "tensorflow", "torch")):
        libs.remove("keras")
    return libs


def F() -> Any:
    import torch.nn.functional

    return torch.nn.functional


def torch() -> Any:
    import torch

    return torch


def keras() -> Any:
    import keras

    return keras


def optax() -> Any:
    import optax

    return optax


def monai() -> Any:
    import monai.losses

    return monai


def kornia() -> Any:
    import kornia.losses

    return kornia


def info_nce() -> Any:
    import info_nce

    return info_nce


def pml() -> Any:
    """pytorch-metric-learning."""
    import pytorch_metric_learning.distances
    import pytorch_metric_learning.losses
    import pytorch_metric_learning.reducers

    return pytorch_metric_learning


def entmax() -> Any:
    import entmax

    return entmax


def geomloss() -> Any:
    import geomloss

    return geomloss


def keras_rs() -> Any:
    import keras_rs

    return keras_rs


def scoringrules() -> Any:
    import scoringrules

    return scoringrules


def lifelines() -> Any:
    import lifelines

    return lifelines


def ot() -> Any:
    """POT (Python Optimal Transport)."""
    import ot

    return ot


def jnp() -> Any:
    import jax.numpy

    return jax.numpy


def convert(lib: str, a: np.ndarray) -> Any:
    """float32 (int64 labels) arrays of the native library, from float64 NumPy inputs."""
    a = a if np.issubdtype(a.dtype, np.integer) else a.astype(np.float32)
    if lib in TORCH_BASED:  # MONAI's losses take channel-first torch tensors
        return torch().asarray(a)
    if lib in ("keras", "keras_rs") and os.environ.get("KERAS_BACKEND") == "torch":
        return torch().asarray(a)
    if lib == "optax":
        import jax

        return jnp().asarray(a if jax.config.jax_enable_x64 else a.astype(a.dtype.str.replace("8", "4")))
    return a


def to_numpy(x: Any) -> np.ndarray:
    if hasattr(x, "detach"):
        x = x.detach()
    return np.asarray(x, dtype=np.float64)
