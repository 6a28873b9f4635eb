"""Classification extras: the asymmetric loss (timm), LDAM (the authors' code), knowledge
distillation (Hinton et al.; PyTorch's composition) and the entmax losses (the entmax package).

timm does not import here: its asymmetric losses are float64 NumPy references written from its
source (``timm/loss/asymmetric_loss.py``), literally (probabilities, clamps and powers as timm
computes them). LDAM's torch native is the authors' ``LDAMLoss.forward`` (LDAM-DRW's
``losses.py``) run on the CPU.
"""

from __future__ import annotations

import numpy as np

import unilosses as ul
from tests.natives import F, entmax, torch
from unilosses._examples import make_inputs

from . import Case


def _log_softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -x))


# --- asymmetric loss (timm) -------------------------------------------------------------------


def _asl_multilabel(
    x: np.ndarray,
    y: np.ndarray,
    gamma_pos: float = 1.0,
    gamma_neg: float = 4.0,
    clip: float | None = 0.05,
    eps: float = 1e-8,
) -> np.ndarray:
    """timm's ``AsymmetricLossMultiLabel.forward`` before its ``-loss.sum()``: elementwise."""
    xs_pos = _sigmoid(x)
    xs_neg = 1 - xs_pos
    if clip is not None and clip > 0:
        xs_neg = np.minimum(xs_neg + clip, 1)
    loss = y * np.log(np.maximum(xs_pos, eps)) + (1 - y) * np.log(np.maximum(xs_neg, eps))
    pt = xs_pos * y + xs_neg * (1 - y)
    return -loss * (1 - pt) ** (gamma_pos * y + gamma_neg * (1 - y))


def _asl_single(
    x: np.ndarray, y: np.ndarray, gamma_pos: float = 1.0, gamma_neg: float = 4.0, label_smoothing: float = 0.0
) -> np.ndarray:
    """timm's ``AsymmetricLossSingleLabel.forward`` (``eps`` is the label smoothing), per sample."""
    c = x.shape[-1]
    log_preds = _log_softmax(x)
    targets = np.eye(c)[y]
    xs_pos = np.exp(log_preds) * targets
    xs_neg = (1 - np.exp(log_preds)) * (1 - targets)
    w = (1 - xs_pos - xs_neg) ** (gamma_pos * targets + gamma_neg * (1 - targets))
    smoothed = targets * (1 - label_smoothing) + label_smoothing / c
    return -(smoothed * log_preds * w).sum(axis=-1)


# --- LDAM (the authors' LDAMLoss) -------------------------------------------------------------


def _margins(counts: np.ndarray, max_m: float) -> np.ndarray:
    m_list = 1.0 / np.sqrt(np.sqrt(counts))
    return m_list * (max_m / np.max(m_list))


def _ldam(
    x: np.ndarray,
    y: np.ndarray,
    counts: np.ndarray,
    max_margin: float = 0.5,
    scale: float = 30.0,
    class_weight: np.ndarray | None = None,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """``F.cross_entropy(s * where(onehot, x - m_y, x), y, weight)`` per sample (with torch's
    weighted-mean denominators)."""
    index = np.eye(x.shape[-1])[y]
    output = np.where(index == 1, x - _margins(counts, max_margin)[y][:, None], x)
    nll = -_log_softmax(scale * output)[np.arange(len(y)), y]
    if class_weight is None:
        return nll
    return nll * class_weight[y], class_weight[y]


def _ldam_torch(max_m: float = 0.5, s: float = 30.0, weight: np.ndarray | None = None):  # type: ignore[no-untyped-def]
    """The authors' ``LDAMLoss(cls_num_list, max_m, weight, s).forward`` on CPU tensors."""

    def forward(x, target, counts):  # type: ignore[no-untyped-def]
        m_list = torch().asarray(_margins(counts.numpy(), max_m), dtype=x.dtype)
        index = torch().zeros_like(x, dtype=torch().bool)
        index.scatter_(1, target.view(-1, 1), True)
        batch_m = torch().matmul(m_list[None, :], index.to(x.dtype).transpose(0, 1)).view((-1, 1))
        output = torch().where(index, x - batch_m, x)
        w = None if weight is None else torch().asarray(weight, dtype=x.dtype)
        return F().cross_entropy(s * output, target, weight=w)

    return forward


# --- distillation -----------------------------------------------------------------------------


def _distillation(
    s: np.ndarray, t: np.ndarray, labels: np.ndarray | None = None, temperature: float = 2.0, alpha: float = 0.5
) -> np.ndarray:
    """Hinton et al.: ``T**2 KL(softmax(t / T) || softmax(s / T))`` (+ the labels' CE)."""
    log_p, log_q = _log_softmax(s / temperature), _log_softmax(t / temperature)
    kl = (np.exp(log_q) * (log_q - log_p)).sum(axis=-1) * temperature**2
    if labels is None:
        return kl
    ce = -_log_softmax(s)[np.arange(len(labels)), labels]
    return alpha * ce + (1 - alpha) * kl


def _distillation_torch(temperature: float = 2.0, alpha: float = 0.5):  # type: ignore[no-untyped-def]
    """PyTorch's knowledge-distillation tutorial: batchmean KL times T**2 (+ cross-entropy)."""

    def fn(s, t, labels=None):  # type: ignore[no-untyped-def]
        soft = F().kl_div(
            F().log_softmax(s / temperature, dim=-1), F().softmax(t / temperature, dim=-1), reduction="batchmean"
        ) * temperature**2
        return soft if labels is None else alpha * F().cross_entropy(s, labels) + (1 - alpha) * soft

    return fn


# --- entmax losses ----------------------------------------------------------------------------


def _entmax(z: np.ndarray, alpha: float) -> np.ndarray:
    """alpha-entmax of one score vector: the root ``tau`` of ``sum max(x - tau, 0)**(1 / (alpha -
    1)) = 1``, ``x = (alpha - 1)(z - max z)``, by bisection on [-1, 0] to float64 resolution."""
    x = (alpha - 1) * (z - z.max())
    e = 1 / (alpha - 1)
    lo, hi = -1.0, 0.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if (np.maximum(x - mid, 0) ** e).sum() >= 1:
            lo = mid
        else:
            hi = mid
    p = np.maximum(x - lo, 0) ** e
    return p / p.sum()


def _entmax_loss(
    z: np.ndarray, y: np.ndarray, alpha: float = 1.5, n_iter: int = 50, ignore_index: int | None = None
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Fenchel-Young loss with the Tsallis entropy: ``H(p) + <p, z> - z_y``; ignored labels count
    0 and are not in the mean."""
    loss, weight = np.zeros(len(y)), np.zeros(len(y))
    for i, label in enumerate(y):
        if label == ignore_index:
            continue
        p = _entmax(z[i], alpha)
        loss[i] = (1 - (p**alpha).sum()) / (alpha * (alpha - 1)) + p @ z[i] - z[i, label]
        weight[i] = 1.0
    return loss if ignore_index is None else (loss, weight)


_CB_WEIGHTS = ul.class_balanced_weights(make_inputs("sparse_logits_counts")[2], 0.999)

CASES = [
    Case(
        "asymmetric_loss",
        "binary_logits",
        _asl_multilabel,
        bad_options=(
            ({"gamma_pos": -1.0}, ValueError, "gamma_pos"),
            ({"gamma_neg": "4"}, TypeError, "gamma_neg"),
            ({"clip": 1.5}, ValueError, "clip"),
            ({"eps": 1.0}, ValueError, "eps"),
            ({"focal_gradient": "no"}, TypeError, "focal_gradient"),
            ({"label_smoothing": 0.1}, ValueError, "label_smoothing"),
        ),
    ),
    Case("asymmetric_loss", "binary_logits", _asl_multilabel, {"gamma_pos": 0.5, "clip": 0.0, "eps": 0.0}),
    Case(
        "asymmetric_loss",
        "sparse_logits",
        _asl_single,
        {"label_smoothing": 0.1},
        labels=(1,),
        shift_invariant=True,
        bad_options=(({"label_smoothing": 1.0}, ValueError, "label_smoothing"),),
    ),
    Case(
        "ldam",
        "sparse_logits_counts",
        _ldam,
        labels=(1,),
        shift_invariant=True,
        natives={"torch": _ldam_torch()},
        bad_options=(
            ({"max_margin": -0.1}, ValueError, "max_margin"),
            ({"scale": 0.0}, ValueError, "scale"),
            ({"class_weight": np.ones(3)}, ValueError, "class_weight"),
        ),
    ),
    Case(  # LDAM-DRW: class-balanced weights (Cui et al.) as class_weight
        "ldam",
        "sparse_logits_counts",
        _ldam,
        {"max_margin": 0.3, "scale": 10.0, "class_weight": _CB_WEIGHTS},
        labels=(1,),
        shift_invariant=True,
        natives={"torch": _ldam_torch(0.3, 10.0, _CB_WEIGHTS)},
    ),
    Case(
        "distillation",
        "teacher_logits",
        _distillation,
        names=("student_logits", "teacher_logits"),
        shift_invariant=True,
        natives={"torch": _distillation_torch()},
        bad_options=(
            ({"temperature": 0.0}, ValueError, "temperature"),
            ({"alpha": 1.5}, ValueError, "alpha"),
            ({"alpha": "0.5"}, TypeError, "alpha"),
        ),
    ),
    Case(
        "distillation",
        "teacher_logits_labels",
        _distillation,
        {"temperature": 4.0, "alpha": 0.3},
        labels=(2,),
        names=("student_logits", "teacher_logits", "labels"),
        shift_invariant=True,
        natives={"torch": _distillation_torch(4.0, 0.3)},
    ),
    Case(
        "entmax15_loss",
        "sparse_logits",
        _entmax_loss,
        labels=(1,),
        shift_invariant=True,
        natives={"entmax": lambda z, y: entmax().Entmax15Loss()(z, y)},
        bad_options=(({"ignore_index": 1.5}, TypeError, "ignore_index"),),
    ),
    Case(
        "entmax_bisect_loss",
        "sparse_logits",
        _entmax_loss,
        labels=(1,),
        shift_invariant=True,
        natives={"entmax": lambda z, y: entmax().EntmaxBisectLoss()(z, y)},
        bad_options=(
            ({"alpha": 1.0}, ValueError, "alpha"),
            ({"n_iter": 0}, ValueError, "n_iter"),
            ({"n_iter": 2.5}, TypeError, "n_iter"),
        ),
    ),
    Case(  # alpha > 2: the power's derivative is infinite at 0 (double where); ignored labels
        "entmax_bisect_loss",
        "sparse_logits",
        _entmax_loss,
        {"alpha": 2.5, "ignore_index": 2},
        labels=(1,),
        shift_invariant=True,
        natives={"entmax": lambda z, y: entmax().EntmaxBisectLoss(alpha=2.5, ignore_index=2)(z, y)},
    ),
]
