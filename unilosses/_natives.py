"""Native counterparts of the losses' default examples, for the report (``python -m unilosses``).

``NATIVES`` maps a loss (its canonical name) to the functions of other libraries that compute the
same mean on its default example (``unilosses._examples.EXAMPLES``: same inputs, same options):
torch.nn.functional, Keras 3, Optax, MONAI, kornia, info-nce-pytorch. Each takes the example's
arrays as ``arrays_for`` converts them (float32 floats) and returns the mean loss.

Nothing here imports a library at import time: a native's library is imported when it is called,
and the report calls only those whose library is installed (``Native.available``).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


def _mod(name: str) -> Any:
    return importlib.import_module(name)


def _F() -> Any:
    return _mod("torch.nn.functional")


def _keras() -> Any:
    return _mod("keras")


def _optax() -> Any:
    return _mod("optax")


def _monai() -> Any:
    return _mod("monai.losses")


def _kornia() -> Any:
    return _mod("kornia.losses")


# the library each native's arrays belong to: torch tensors, JAX arrays or NumPy arrays (Keras
# converts NumPy arrays to its own backend's tensors)
_ARRAYS = {
    "torch": "torch", "monai": "torch", "kornia": "torch", "info_nce": "torch",
    "optax": "jax", "keras": "numpy",
}


@dataclass(frozen=True)
class Native:
    """One native counterpart: the library it needs, what it calls (as the report shows it) and
    ``fn(*arrays) -> mean loss``."""

    library: str
    call: str
    fn: Callable[..., Any]

    def available(self) -> str | None:
        """Why this native cannot run here, or None."""
        needed = [self.library, *(("torch",) if _ARRAYS[self.library] == "torch" else ())]
        if self.library == "optax":
            needed.append("jax")
        for name in needed:
            if importlib.util.find_spec(name) is None:
                return f"{name} is not installed"
        if self.library == "keras":  # Keras runs on the backend KERAS_BACKEND names
            backend = os.environ.get("KERAS_BACKEND", "tensorflow")
            module = "jax" if backend == "numpy" else backend
            if importlib.util.find_spec(module) is None:
                return f"Keras' backend {backend} needs {module}, which is not installed"
        return None

    def __call__(self, arrays: tuple[np.ndarray, ...]) -> float:
        """The native's mean loss on float64/int64 NumPy ``arrays`` (converted to float32)."""
        fn = self.fn
        if _ARRAYS[self.library] == "jax":  # one compilation costs less than eager dispatch
            fn = _mod("jax").jit(fn)
        out = fn(*arrays_for(self.library, arrays))
        if hasattr(out, "detach"):
            out = out.detach().cpu()
        return float(np.asarray(out))


def arrays_for(library: str, arrays: tuple[np.ndarray, ...]) -> list[Any]:
    """``arrays`` as ``library``'s native takes them: floats as float32, integer labels and boolean
    masks as they are (32-bit integers for JAX without 64-bit types)."""
    kind = _ARRAYS[library]
    out = []
    for a in arrays:
        a = a.astype(np.float32) if np.issubdtype(a.dtype, np.floating) else a
        if kind == "torch":
            out.append(_mod("torch").asarray(a))
        elif kind == "jax":
            jax = _mod("jax")
            if np.issubdtype(a.dtype, np.integer) and not jax.config.jax_enable_x64:
                a = a.astype(np.int32)
            out.append(_mod("jax.numpy").asarray(a))
        else:
            out.append(a)
    return out


def _torch(name: str, **kw: Any) -> Native:
    shown = ", ".join(f"{k}={v}" for k, v in kw.items())
    return Native(
        "torch", f"torch.nn.functional.{name}({shown})", lambda *a: getattr(_F(), name)(*a, **kw)
    )


def _keras_loss(cls: str, **kw: Any) -> Native:
    """``keras.losses.<cls>(**kw)(y_true, y_pred)``: Keras takes the target first."""
    shown = ", ".join(f"{k}={v}" for k, v in kw.items())
    return Native(
        "keras",
        f"keras.losses.{cls}({shown})",
        lambda p, t: getattr(_keras().losses, cls)(**kw)(t, p),
    )


def _optax_mean(name: str, **kw: Any) -> Native:
    """``optax.<name>(*arrays, **kw).mean()``: Optax returns the unreduced loss."""
    shown = ", ".join(f"{k}={v}" for k, v in kw.items())

    def fn(*a: Any) -> Any:
        f: Any = _optax()
        for part in name.split("."):
            f = getattr(f, part)
        return f(*a, **kw).mean()

    return Native("optax", f"optax.{name}({shown}).mean()", fn)


def _kornia_loss(name: str, scale: float = 1.0, factor: float = 1.0) -> Native:
    """``factor * kornia.losses.<name>(p / scale, t / scale)``: kornia's robust kernels have no
    scale of their own."""
    return Native(
        "kornia",
        f"{factor} * kornia.losses.{name}(p / {scale}, t / {scale})",
        lambda p, t: factor * getattr(_kornia(), name)(p / scale, t / scale, reduction="mean"),
    )


NATIVES: dict[str, tuple[Native, ...]] = {
    # --- regression
    "mean_squared_error": (
        _torch("mse_loss"), _keras_loss("MeanSquaredError"), _optax_mean("squared_error")
    ),
    "mean_absolute_error": (_torch("l1_loss"), _keras_loss("MeanAbsoluteError")),
    "huber": (
        _torch("huber_loss", delta=1.0),
        _keras_loss("Huber", delta=1.0),
        _optax_mean("huber_loss", delta=1.0),
    ),
    "smooth_l1": (_torch("smooth_l1_loss", beta=1.0),),
    "log_cosh": (_keras_loss("LogCosh"), _optax_mean("log_cosh")),
    "charbonnier": (_kornia_loss("charbonnier_loss", 1e-3, 1e-3),),
    "pseudo_huber": (_kornia_loss("charbonnier_loss"),),
    "cauchy": (_kornia_loss("cauchy_loss"),),
    "welsch": (_kornia_loss("welsch_loss"),),
    "geman_mcclure": (_kornia_loss("geman_mcclure_loss"),),
    "general_robust": (_kornia_loss("charbonnier_loss"),),  # Barron's alpha = 1
    "l2_loss": (_optax_mean("l2_loss"),),
    "mean_squared_logarithmic_error": (_keras_loss("MeanSquaredLogarithmicError"),),
    "mean_absolute_percentage_error": (_keras_loss("MeanAbsolutePercentageError"),),
    "poisson_nll": (_torch("poisson_nll_loss"),),
    "poisson": (
        _torch("poisson_nll_loss", log_input=False, eps=1e-7), _keras_loss("Poisson")
    ),
    "gaussian_nll": (_torch("gaussian_nll_loss"),),
    "cosine_similarity_loss": (
        Native(
            "torch",
            "-torch.nn.functional.cosine_similarity(dim=-1).mean()",
            lambda p, t: -_F().cosine_similarity(p, t, dim=-1).mean(),
        ),
        _keras_loss("CosineSimilarity"),
    ),
    # --- classification
    "binary_crossentropy": (_torch("binary_cross_entropy"), _keras_loss("BinaryCrossentropy")),
    "categorical_crossentropy": (_keras_loss("CategoricalCrossentropy"),),
    "sparse_categorical_crossentropy": (
        Native(
            "torch",
            "torch.nn.functional.nll_loss(log(p))",
            lambda p, y: _F().nll_loss(_mod("torch").log(p), y),
        ),
        _keras_loss("SparseCategoricalCrossentropy"),
    ),
    "nll": (_torch("nll_loss"),),
    "poly1_crossentropy": (_optax_mean("losses.poly_loss_cross_entropy", epsilon=1.0),),
    "generalized_crossentropy": (
        Native(
            "keras",
            "keras.losses.CategoricalGeneralizedCrossEntropy(q=0.5)",
            lambda p, y: _keras().losses.CategoricalGeneralizedCrossEntropy(q=0.5)(y, p),
        ),
    ),
    "hinge": (_keras_loss("Hinge"), _optax_mean("hinge_loss")),
    "squared_hinge": (_keras_loss("SquaredHinge"),),
    "categorical_hinge": (_keras_loss("CategoricalHinge"),),
    "multiclass_hinge": (_optax_mean("losses.multiclass_hinge_loss"),),
    "multi_margin": (_torch("multi_margin_loss"),),
    "multilabel_margin": (_torch("multilabel_margin_loss"),),
    "soft_margin": (_torch("soft_margin_loss"),),
    "multilabel_soft_margin": (
        _torch("multilabel_soft_margin_loss"),
        _keras_loss("BinaryCrossentropy", from_logits=True),
        _optax_mean("sigmoid_binary_cross_entropy"),
    ),
    "hinge_embedding": (_torch("hinge_embedding_loss"),),
    "perceptron": (_optax_mean("losses.perceptron_loss"),),
    "multiclass_perceptron": (_optax_mean("losses.multiclass_perceptron_loss"),),
    "sparsemax_loss": (_optax_mean("losses.sparsemax_loss"),),
    "multiclass_sparsemax_loss": (_optax_mean("losses.multiclass_sparsemax_loss"),),
    "binary_focal_crossentropy": (_keras_loss("BinaryFocalCrossentropy"),),
    "categorical_focal_crossentropy": (_keras_loss("CategoricalFocalCrossentropy"),),
    # --- divergence
    "kl_divergence": (
        Native(
            "torch",
            "torch.nn.functional.kl_div(log(q), p, reduction='batchmean')",
            lambda q, p: _F().kl_div(_mod("torch").log(q), p, reduction="batchmean"),
        ),
        Native(
            "keras",
            "keras.losses.KLDivergence()",
            lambda q, p: _keras().losses.KLDivergence()(p, q),
        ),
    ),
    "generalized_kl_divergence": (
        Native(
            "optax",
            "optax.losses.generalized_kl_divergence(log(q), p).mean()",
            lambda q, p: _optax().losses.generalized_kl_divergence(
                _mod("jax.numpy").log(q), p
            ).mean(),
        ),
    ),
    # --- segmentation: MONAI and kornia take a channel axis after the batch axis
    "jaccard": (
        Native(
            "monai",
            "monai.losses.DiceLoss(jaccard=True, smooth_nr=2e-5, smooth_dr=2e-5)",
            lambda p, t: _monai().DiceLoss(jaccard=True, smooth_nr=2e-5, smooth_dr=2e-5)(
                p[:, None], t[:, None]
            ),
        ),
    ),
    "mcc": (
        Native(
            "monai",
            "monai.losses.MCCLoss()",
            lambda p, t: _monai().MCCLoss()(p[:, None], t[:, None]),
        ),
    ),
    "generalized_dice": (
        Native(
            "monai",
            "monai.losses.GeneralizedDiceLoss(softmax=True)",
            lambda x, t: _monai().GeneralizedDiceLoss(softmax=True)(x, t),
        ),
    ),
    "dice_crossentropy": (
        Native(
            "monai",
            "monai.losses.DiceCELoss(softmax=True)",
            lambda x, t: _monai().DiceCELoss(softmax=True)(x, t),
        ),
    ),
    "lovasz_hinge": (
        Native(
            "kornia",
            "kornia.losses.lovasz_hinge_loss",
            lambda x, t: _kornia().lovasz_hinge_loss(x[:, None], t),
        ),
    ),
    # --- embedding
    "cosine_embedding": (_torch("cosine_embedding_loss"),),
    "margin_ranking": (_torch("margin_ranking_loss", margin=0.5),),
    "triplet_margin": (_torch("triplet_margin_loss"),),
    "triplet_margin_with_distance": (_torch("triplet_margin_with_distance_loss"),),
    "ntxent": (_optax_mean("losses.ntxent", temperature=0.07),),
    "info_nce": (
        Native("info_nce", "info_nce.info_nce()", lambda q, k: _mod("info_nce").info_nce(q, k)),
    ),
    "circle": (
        Native(
            "keras",
            "keras.losses.circle(labels, embeddings).mean()",
            lambda e, y: _keras().ops.mean(_keras().losses.circle(y, e)),
        ),
    ),
    "barlow_twins": (
        Native(
            "monai",
            "monai.losses.BarlowTwinsLoss(lambd=0.005)",
            lambda a, b: _monai().BarlowTwinsLoss(lambd=0.005)(a, b),
        ),
    ),
    "ranking_softmax": (
        Native(
            "optax",
            "optax.losses.ranking_softmax_loss(where=...)",
            lambda s, y, w: _optax().losses.ranking_softmax_loss(s, y, where=w),
        ),
    ),
    # --- sequence
    "ctc": (_torch("ctc_loss"),),
}
