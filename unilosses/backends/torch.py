"""PyTorch: array-api-compat's torch namespace, with the few functions losses call with Python
scalars replaced by direct torch calls, torch's fused kernels, and the backend object
(:data:`BACKEND`).

array-api-compat turns a Python scalar into a tensor through ``torch.result_type``, which
``torch.compile(fullgraph=True)`` cannot trace and which adds a dispatch per call;
``torch.clamp``/``torch.where`` take scalars natively with the same weak promotion. Everything else
is array-api-compat's (module ``__getattr__``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from array_api_compat import torch as _compat

from .generic import Backend as _Backend
from .generic import binary_targets

_SCALARS = (int, float)


def __getattr__(name: str) -> Any:
    return getattr(_compat, name)


def isdtype(dtype: Any, kind: Any) -> bool:
    """Fast paths for the two kinds every loss asks about (traceable by torch.compile)."""
    if kind == "real floating":
        return bool(dtype.is_floating_point)
    if kind == "integral":
        return not (dtype.is_floating_point or dtype.is_complex or dtype == torch.bool)
    return bool(_compat.isdtype(dtype, kind))


def maximum(x1: Any, x2: Any, /) -> Any:
    if isinstance(x2, _SCALARS):
        return torch.clamp_min(x1, x2)
    if isinstance(x1, _SCALARS):
        return torch.clamp_min(x2, x1)
    return _compat.maximum(x1, x2)


def minimum(x1: Any, x2: Any, /) -> Any:
    if isinstance(x2, _SCALARS):
        return torch.clamp_max(x1, x2)
    if isinstance(x1, _SCALARS):
        return torch.clamp_max(x2, x1)
    return _compat.minimum(x1, x2)


def clip(x: Any, /, min: Any = None, max: Any = None) -> Any:
    if isinstance(min, (*_SCALARS, type(None))) and isinstance(max, (*_SCALARS, type(None))):
        return x if min is None and max is None else torch.clamp(x, min, max)
    return _compat.clip(x, min, max)


def where(condition: Any, x1: Any, x2: Any, /) -> Any:
    if isinstance(x1, _SCALARS) or isinstance(x2, _SCALARS):
        return torch.where(condition, x1, x2)
    return _compat.where(condition, x1, x2)


def sum(
    x: Any, /, *, axis: int | tuple[int, ...] | None = None, dtype: Any = None,
    keepdims: bool = False,
) -> Any:
    """``torch.sum`` directly for the common calls (without array-api-compat's wrapper)."""
    if axis is None and not keepdims:
        return torch.sum(x, dtype=dtype)
    if isinstance(axis, int):
        return torch.sum(x, axis, keepdim=keepdims, dtype=dtype)
    return _compat.sum(x, axis=axis, dtype=dtype, keepdims=keepdims)


def mean(
    x: Any, /, *, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> Any:
    """``torch.mean`` directly for the common calls."""
    if axis is None and not keepdims:
        return torch.mean(x)
    if isinstance(axis, int):
        return torch.mean(x, axis, keepdim=keepdims)
    return _compat.mean(x, axis=axis, keepdims=keepdims)


def squeeze(x: Any, /, axis: int | tuple[int, ...]) -> Any:
    """``torch.squeeze`` for one axis, which must have size 1 (torch would silently keep it)."""
    if isinstance(axis, int):
        if x.shape[axis] != 1:
            raise ValueError(f"squeeze: axis {axis} has size {x.shape[axis]}, not 1")
        return torch.squeeze(x, axis)
    return _compat.squeeze(x, axis)


def _take_along_axis(x: Any, indices: Any, axis: int) -> Any:
    """``torch.gather`` (cheaper per call than ``take_along_dim``) where the shapes allow."""
    if indices.ndim == x.ndim:
        return torch.gather(x, axis, indices.long())
    return torch.take_along_dim(x, indices.long(), dim=axis)


def cumulative_sum(
    x: Any, /, *, axis: int | None = None, dtype: Any = None, include_initial: bool = False
) -> Any:
    """``torch.cumsum``: array-api-compat's version looks the namespace up through an
    ``lru_cache``, which ``torch.compile(fullgraph=True)`` does not trace."""
    if axis is None:
        x, axis = x.reshape(-1), 0
    out = torch.cumsum(x, dim=axis, dtype=dtype)
    if include_initial:
        out = torch.cat([torch.zeros_like(out.narrow(axis, 0, 1)), out], dim=axis)
    return out


# --- native delegates -----------------------------------------------------------------------------
# Each takes the loss's signature and returns NotImplemented unless the call is one torch's kernel
# computes exactly as the loss does: tensors of one shape, device and float32/float64 dtype (the
# loss computes lower precisions in float32), no sample_weight, no xp, plain valid options.
# Anything else (and every error message) is the generic definition's.

_FLOATS = (torch.float32, torch.float64)
_REDUCTIONS = ("mean", "sum", "none")


def _plain(reduction: Any, sample_weight: Any, xp: Any, y_pred: Any, *others: Any) -> bool:
    if sample_weight is not None or xp is not None or not isinstance(reduction, str):
        return False
    if reduction not in _REDUCTIONS or not isinstance(y_pred, torch.Tensor):
        return False
    if y_pred.dtype not in _FLOATS or y_pred.numel() == 0:  # (torch's mean of nothing is NaN)
        return False
    for t in others:
        if not isinstance(t, torch.Tensor) or t.dtype != y_pred.dtype:
            return False
        if t.shape != y_pred.shape or t.device != y_pred.device:
            return False
    return True


def _positive(v: Any) -> bool:
    return type(v) in (int, float) and 0 < v < math.inf


def _mse(
    y_pred: Any, y_true: Any, *, reduction: Any = "mean", sample_weight: Any = None, xp: Any = None
) -> Any:
    if not _plain(reduction, sample_weight, xp, y_pred, y_true):
        return NotImplemented
    return F.mse_loss(y_pred, y_true, reduction=reduction)


def _l2(
    y_pred: Any, y_true: Any, *, reduction: Any = "mean", sample_weight: Any = None, xp: Any = None
) -> Any:
    if not _plain(reduction, sample_weight, xp, y_pred, y_true):
        return NotImplemented
    return 0.5 * F.mse_loss(y_pred, y_true, reduction=reduction)


def _mae(
    y_pred: Any, y_true: Any, *, reduction: Any = "mean", sample_weight: Any = None, xp: Any = None
) -> Any:
    if not _plain(reduction, sample_weight, xp, y_pred, y_true):
        return NotImplemented
    return F.l1_loss(y_pred, y_true, reduction=reduction)


def _huber(
    y_pred: Any,
    y_true: Any,
    *,
    delta: Any = 1.0,
    reduction: Any = "mean",
    sample_weight: Any = None,
    xp: Any = None,
) -> Any:
    if not (_plain(reduction, sample_weight, xp, y_pred, y_true) and _positive(delta)):
        return NotImplemented
    return F.huber_loss(y_pred, y_true, reduction=reduction, delta=float(delta))


def _smooth_l1(
    y_pred: Any,
    y_true: Any,
    *,
    beta: Any = 1.0,
    reduction: Any = "mean",
    sample_weight: Any = None,
    xp: Any = None,
) -> Any:
    if not (_plain(reduction, sample_weight, xp, y_pred, y_true) and _positive(beta)):
        return NotImplemented
    return F.smooth_l1_loss(y_pred, y_true, reduction=reduction, beta=float(beta))


def _binary_crossentropy(
    y_pred: Any,
    y_true: Any,
    *,
    from_logits: Any = False,
    label_smoothing: Any = 0.0,
    pos_weight: Any = None,
    axis: Any = None,
    reduction: Any = "mean",
    sample_weight: Any = None,
    xp: Any = None,
) -> Any:
    # from logits only: F.binary_cross_entropy's gradients differ at probabilities near 0 and 1
    # (it divides by max(p (1 - p), 1e-12)), and the loss checks the probabilities' range
    targets = binary_targets(y_true, label_smoothing, pos_weight, axis)
    if from_logits is not True or targets is None:
        return NotImplemented
    if not _plain(reduction, sample_weight, xp, y_pred, y_true):
        return NotImplemented
    return F.binary_cross_entropy_with_logits(y_pred, targets, reduction=reduction)


def _triplet_margin(
    anchor: Any,
    positive: Any,
    negative: Any,
    *,
    margin: Any = 1.0,
    p: Any = 2,
    eps: Any = 1e-6,
    swap: Any = False,
    reduction: Any = "mean",
    sample_weight: Any = None,
    xp: Any = None,
) -> Any:
    if not _plain(reduction, sample_weight, xp, anchor, positive, negative) or anchor.ndim != 2:
        return NotImplemented
    plain = _positive(margin) and _positive(p) and type(swap) is bool
    if not (plain and type(eps) in (int, float) and 0 <= eps < math.inf):
        return NotImplemented
    return F.triplet_margin_loss(
        anchor, positive, negative, margin=float(margin), p=float(p), eps=float(eps), swap=swap,
        reduction=reduction,
    )


def _triplet_margin_with_distance(
    anchor: Any,
    positive: Any,
    negative: Any,
    *,
    distance_function: Any = None,
    margin: Any = 1.0,
    swap: Any = False,
    reduction: Any = "mean",
    sample_weight: Any = None,
    xp: Any = None,
) -> Any:
    """Without a distance function the distance is ``pairwise_distance(p=2, eps=1e-6)``: the
    triplet margin loss's kernel computes it (the norm in one read, no squared temporary)."""
    if distance_function is not None:
        return NotImplemented
    return _triplet_margin(
        anchor, positive, negative, margin=margin, swap=swap, reduction=reduction,
        sample_weight=sample_weight, xp=xp,
    )


def _eager() -> bool:
    """Outside torch.compile and torch.func transforms (where these kernels lack support for
    dynamic shapes or batching rules: the array-API definition runs there)."""
    in_transform = torch._C._functorch.peek_interpreter_stack() is not None
    return not (torch.compiler.is_compiling() or in_transform)


def _number(v: Any) -> bool:
    return type(v) in (int, float) and -math.inf < v < math.inf  # (traceable: no math.isfinite)


def _soft_margin(
    y_pred: Any, y_true: Any, *, reduction: Any = "mean", sample_weight: Any = None, xp: Any = None
) -> Any:
    if not (_plain(reduction, sample_weight, xp, y_pred, y_true) and _eager()):
        return NotImplemented
    if y_true.requires_grad:  # (torch's kernel has no gradient for the target)
        return NotImplemented
    return F.soft_margin_loss(y_pred, y_true, reduction=reduction)


def _hinge_embedding(
    y_pred: Any,
    y_true: Any,
    *,
    margin: Any = 1.0,
    reduction: Any = "mean",
    sample_weight: Any = None,
    xp: Any = None,
) -> Any:
    if not (_plain(reduction, sample_weight, xp, y_pred, y_true) and _eager()):
        return NotImplemented
    if not _number(margin):
        return NotImplemented
    return F.hinge_embedding_loss(y_pred, y_true, margin=float(margin), reduction=reduction)


def _margin_ranking(
    x1: Any,
    x2: Any,
    y: Any,
    *,
    margin: Any = 0.0,
    reduction: Any = "mean",
    sample_weight: Any = None,
    xp: Any = None,
) -> Any:
    if not (_plain(reduction, sample_weight, xp, x1, x2, y) and _eager() and _number(margin)):
        return NotImplemented
    return F.margin_ranking_loss(x1, x2, y, margin=float(margin), reduction=reduction)


_LABELS = (torch.int64, torch.int32)


def _class_axis(y_pred: Any, axis: Any) -> bool:
    """Whether ``axis`` is torch's class axis of ``y_pred``: 1, or -1 of a 2-D input."""
    if type(axis) is not int or y_pred.ndim < 2:
        return False
    return axis in (1, 1 - y_pred.ndim)


def _valid_labels(y_pred: Any, labels: Any, ignore_index: Any) -> bool:
    """Labels torch's kernels take as the loss does: an integer tensor of the prediction's shape
    without the class axis, on an eager CPU tensor (read here), every label a class or
    ``ignore_index``, and at least one not ignored (torch's mean of nothing is NaN)."""
    if not isinstance(labels, torch.Tensor) or labels.dtype not in _LABELS:
        return False
    if labels.shape != y_pred.shape[:1] + y_pred.shape[2:] or labels.device != y_pred.device:
        return False
    if not (BACKEND.can_inspect(y_pred) and BACKEND.can_inspect(labels)):
        return False  # invalid labels must give NaN where they cannot be read
    if ignore_index is not None and type(ignore_index) is not int:
        return False
    n_classes = y_pred.shape[1]
    lo, hi = (int(v) for v in torch.aminmax(labels))
    if lo >= 0 and hi < n_classes:  # every label a class: one is kept unless all are ignored
        if ignore_index is None or not 0 <= ignore_index < n_classes:
            return True
        return bool((labels != ignore_index).any())
    valid = (labels >= 0) & (labels < n_classes)
    return bool((valid | (labels == ignore_index)).all()) and bool(valid.any())


def _smoothing(v: Any) -> bool:
    """A label smoothing the loss takes (it raises for 1 and above)."""
    return type(v) in (int, float) and 0 <= v < 1


def _needs_grad(x: Any) -> bool:
    return bool(x.requires_grad) and torch.is_grad_enabled()


def _class_weights(class_weight: Any, y_pred: Any, positive: bool = True) -> bool:
    """``class_weight`` as torch's kernels take it: None, or a tensor of one weight per class
    (along axis 1) of the prediction's dtype and device that needs no gradient (torch's kernels
    have none for it). ``positive``: every weight positive and finite, read here, so that a mean
    over the labels' weights never divides by 0 (the loss gives 0 there, torch NaN)."""
    if class_weight is None:
        return True
    if not isinstance(class_weight, torch.Tensor) or class_weight.dtype != y_pred.dtype:
        return False
    if class_weight.shape != (y_pred.shape[1],) or class_weight.device != y_pred.device:
        return False
    if _needs_grad(class_weight):
        return False
    if not positive:
        return True
    if not BACKEND.can_inspect(class_weight):
        return False
    lo, hi = torch.aminmax(class_weight)
    return bool((lo > 0) & (hi < math.inf))


def _finite(out: Any) -> bool:
    """Whether every value of a kernel's result is finite: read after the call, one value or
    one small pass, where a check of the inputs would be a pass over the logits."""
    if out.ndim == 0:
        return math.isfinite(out.item())
    return bool(torch.isfinite(out).all())


def _sparse_categorical_crossentropy(
    y_pred: Any,
    y_true: Any,
    *,
    from_logits: Any = False,
    ignore_index: Any = None,
    class_weight: Any = None,
    label_smoothing: Any = 0.0,
    axis: Any = -1,
    reduction: Any = "mean",
    sample_weight: Any = None,
    xp: Any = None,
) -> Any:
    plain = from_logits is True and _smoothing(label_smoothing) and _class_axis(y_pred, axis)
    if not (plain and _plain(reduction, sample_weight, xp, y_pred)):
        return NotImplemented
    if not (_class_weights(class_weight, y_pred) and _valid_labels(y_pred, y_true, ignore_index)):
        return NotImplemented
    out = F.cross_entropy(
        y_pred,
        y_true.long(),
        weight=class_weight,
        ignore_index=-100 if ignore_index is None else ignore_index,
        label_smoothing=float(label_smoothing),
        reduction=reduction,
    )
    # A -inf logit where the loss reads it (at a kept label, anywhere with label smoothing) is
    # inf in torch's value, where the loss clamps it at -1e30; NaN logits are NaN. Either way the
    # call is the definition's (checked on the result: the logits are not read again).
    return out if _finite(out) else NotImplemented


def _nll(
    y_pred: Any,
    y_true: Any,
    *,
    ignore_index: Any = -100,
    class_weight: Any = None,
    axis: Any = -1,
    reduction: Any = "mean",
    sample_weight: Any = None,
    xp: Any = None,
) -> Any:
    if not (_class_axis(y_pred, axis) and _plain(reduction, sample_weight, xp, y_pred)):
        return NotImplemented
    if not (_class_weights(class_weight, y_pred) and _valid_labels(y_pred, y_true, ignore_index)):
        return NotImplemented
    return F.nll_loss(
        y_pred,
        y_true.long(),
        weight=class_weight,
        ignore_index=-100 if ignore_index is None else ignore_index,
        reduction=reduction,
    )


def _categorical_crossentropy(
    y_pred: Any,
    y_true: Any,
    *,
    from_logits: Any = False,
    label_smoothing: Any = 0.0,
    axis: Any = -1,
    reduction: Any = "mean",
    sample_weight: Any = None,
    xp: Any = None,
) -> Any:
    plain = from_logits is True and _smoothing(label_smoothing) and type(axis) is int
    if not (plain and _plain(reduction, sample_weight, xp, y_pred, y_true)):
        return NotImplemented
    if y_pred.ndim < 2 or not -y_pred.ndim <= axis < y_pred.ndim:
        return NotImplemented
    if not BACKEND.can_inspect(y_pred):  # (its result is read)
        return NotImplemented
    if axis % y_pred.ndim != 1:  # (torch's class axis; the others keep their order)
        y_pred, y_true = y_pred.movedim(axis, 1), y_true.movedim(axis, 1)
    out = F.cross_entropy(
        y_pred, y_true, label_smoothing=float(label_smoothing), reduction=reduction
    )
    # masked classes (-inf logits): 0 * log 0 is 0 in the loss, NaN in torch (inf where the
    # target has mass, the loss's clamp there): such calls are the definition's
    return out if _finite(out) else NotImplemented


def _log_floor(dtype: Any) -> float:
    """The smallest probability whose log the losses read unclamped (below it they take -100):
    exp(-100), or the dtype's smallest normal number where that is larger."""
    return max(float(torch.finfo(dtype).smallest_normal), math.exp(-100.0))


def _kl_divergence(
    y_pred: Any,
    y_true: Any,
    *,
    axis: Any = -1,
    log_input: Any = False,
    log_target: Any = False,
    reduction: Any = "mean",
    sample_weight: Any = None,
    xp: Any = None,
) -> Any:
    if not (_plain(reduction, sample_weight, xp, y_pred, y_true) and type(axis) is int):
        return NotImplemented
    if type(log_input) is not bool or type(log_target) is not bool:
        return NotImplemented
    if not -y_pred.ndim <= axis < y_pred.ndim:
        return NotImplemented
    if not (BACKEND.can_inspect(y_pred) and BACKEND.can_inspect(y_true)):
        return NotImplemented
    # F.kl_div has none of the loss's conventions at the edges: -inf log-probabilities (0 in the
    # loss, NaN there), logs clamped at -100 below the floor, and at t = 0 a target gradient of 0
    # (NaN there). Inputs away from them only: a target below the floor without gradient differs
    # by t (log t + 100), under 1e-35. Read before the call: a prediction or a target with a
    # gradient below the floor (finite in torch's value). After it, on the result: -inf
    # log-probabilities, p = 0, negative targets (inf or NaN in torch's value).
    floor = _log_floor(y_pred.dtype)
    ok = True if log_input else y_pred.detach().amin() >= floor
    if not log_target and _needs_grad(y_true):
        ok = ok & (y_true.detach().amin() >= floor)
    if not bool(ok):
        return NotImplemented
    log_p = y_pred if log_input else torch.log(y_pred)
    if reduction == "none":
        out = F.kl_div(log_p, y_true, reduction="none", log_target=log_target).sum(axis)
    else:
        out = F.kl_div(log_p, y_true, reduction="sum", log_target=log_target)
        # "mean": over every axis but the distribution's (torch's batchmean divides by the first)
        if reduction == "mean":
            out = out / (y_pred.numel() // y_pred.shape[axis])
    return out if _finite(out) else NotImplemented


def _cosine_embedding(
    x1: Any,
    x2: Any,
    y: Any,
    *,
    margin: Any = 0.0,
    reduction: Any = "mean",
    sample_weight: Any = None,
    xp: Any = None,
) -> Any:
    # float32 only: torch adds its 1e-12 to the squared norms as a float32 constant, which in
    # float64 differs from the loss's (by 4e-9 relative: visible at near-zero vectors)
    plain = _plain(reduction, sample_weight, xp, x1, x2) and x1.dtype == torch.float32
    if not (plain and x1.ndim in (1, 2) and _number(margin)):
        return NotImplemented
    if not isinstance(y, torch.Tensor) or y.dtype != x1.dtype or y.device != x1.device:
        return NotImplemented
    if y.shape != x1.shape[:-1]:
        return NotImplemented
    return F.cosine_embedding_loss(x1, x2, y, margin=float(margin), reduction=reduction)


def _multi_margin(
    y_pred: Any,
    y_true: Any,
    *,
    p: Any = 1,
    margin: Any = 1.0,
    class_weight: Any = None,
    reduction: Any = "mean",
    sample_weight: Any = None,
    xp: Any = None,
) -> Any:
    plain = _plain(reduction, sample_weight, xp, y_pred) and y_pred.ndim == 2
    if not (plain and type(p) is int and p in (1, 2) and _number(margin)):
        return NotImplemented
    # p = 1: torch's kernel has gradient 0 on the hinge's kink (margin - s_y + s_j = 0), the
    # loss 1, so it serves only calls whose prediction takes no gradient
    if p == 1 and _needs_grad(y_pred):
        return NotImplemented
    if not _class_weights(class_weight, y_pred, positive=False):
        return NotImplemented
    if not _valid_labels(y_pred, y_true, None):
        return NotImplemented
    return F.multi_margin_loss(
        y_pred, y_true.long(), p=p, margin=float(margin), weight=class_weight, reduction=reduction
    )


def _multilabel_margin(
    y_pred: Any, y_true: Any, *, reduction: Any = "mean", sample_weight: Any = None, xp: Any = None
) -> Any:
    # torch's kernel has gradient 0 on the hinge's kink (s_j - s_i = 1), the loss 1: it serves
    # only calls whose prediction takes no gradient
    if not (_plain(reduction, sample_weight, xp, y_pred) and y_pred.ndim == 2):
        return NotImplemented
    if _needs_grad(y_pred) or not isinstance(y_true, torch.Tensor):
        return NotImplemented
    if y_true.dtype not in _LABELS or y_true.shape != y_pred.shape:
        return NotImplemented
    if y_true.device != y_pred.device or not BACKEND.can_inspect(y_true):
        return NotImplemented
    lo, hi = (int(v) for v in torch.aminmax(y_true))
    if lo < -1 or hi >= y_pred.shape[1]:  # (the loss's error)
        return NotImplemented
    return F.multilabel_margin_loss(y_pred, y_true.long(), reduction=reduction)


def _poisson_nll(
    y_pred: Any,
    y_true: Any,
    *,
    log_input: Any = True,
    full: Any = False,
    eps: Any = 1e-8,
    reduction: Any = "mean",
    sample_weight: Any = None,
    xp: Any = None,
) -> Any:
    if not _plain(reduction, sample_weight, xp, y_pred, y_true):
        return NotImplemented
    if type(log_input) is not bool or type(full) is not bool:
        return NotImplemented
    if not (type(eps) in (int, float) and 0 <= eps < math.inf):
        return NotImplemented
    # the Stirling term's target gradient is NaN at zero counts in torch, 0 in the loss
    if full and _needs_grad(y_true):
        return NotImplemented
    return F.poisson_nll_loss(
        y_pred, y_true, log_input=log_input, full=full, eps=float(eps), reduction=reduction
    )


def _feasible_sequences(
    labels: Any, input_lengths: Any, label_lengths: Any, steps: int, n_classes: int, blank: int,
    zero_infinity: bool,
) -> bool:
    """CTC labels and lengths the loss takes without error (lengths within ``[0, steps]`` and
    ``[0, S]``, used labels classes other than ``blank``; read here) and, unless infeasible
    samples lose 0, every sample feasible: its input as long as its labels plus one blank per
    repeated neighbour. (The loss gives an infeasible sample +inf with zero gradient, torch's
    kernel a NaN gradient.)"""
    y, il, ll = (a.numpy() for a in (labels, input_lengths, label_lengths))
    if il.min() < 0 or il.max() > steps or ll.min() < 0 or ll.max() > y.shape[1]:
        return False
    used = np.arange(y.shape[1])[None, :] < ll[:, None]
    values = y[used]
    if values.size and (values.min() < 0 or values.max() >= n_classes or (values == blank).any()):
        return False
    if zero_infinity:
        return True
    repeats = (used[:, 1:] & (y[:, 1:] == y[:, :-1])).sum(axis=1)
    return bool((il >= ll + repeats).all())


def _ctc(
    log_probs: Any,
    labels: Any,
    input_lengths: Any,
    label_lengths: Any,
    *,
    blank: Any = 0,
    zero_infinity: Any = False,
    batch_first: Any = False,
    reduction: Any = "mean",
    sample_weight: Any = None,
    xp: Any = None,
) -> Any:
    if not (_plain(reduction, sample_weight, xp, log_probs) and log_probs.ndim == 3):
        return NotImplemented
    if type(blank) is not int or type(zero_infinity) is not bool or type(batch_first) is not bool:
        return NotImplemented
    x = log_probs.transpose(0, 1) if batch_first else log_probs
    steps, n, n_classes = x.shape
    ints = (labels, input_lengths, label_lengths)
    for a, ndim in zip(ints, (2, 1, 1), strict=True):
        if not isinstance(a, torch.Tensor) or a.dtype not in _LABELS or a.ndim != ndim:
            return NotImplemented
        if a.shape[0] != n or a.device != x.device or not BACKEND.can_inspect(a):
            return NotImplemented
    if not (0 <= blank < n_classes and BACKEND.can_inspect(x)):
        return NotImplemented
    if not _feasible_sequences(*ints, steps, n_classes, blank, zero_infinity):
        return NotImplemented
    # the loss takes a path as infeasible below a log-likelihood of -5e29: no feasible one gets
    # there when the log-probabilities span less than 1e28 / T
    lo, hi = torch.aminmax(x.detach())
    if not bool((hi - lo) * steps < 1e28):
        return NotImplemented
    # the recursion in float64: torch's float32 kernel loses up to 1e-3 of the gradient at
    # saturated inputs (log-probabilities near -1e4), where the loss's keeps float32 accuracy
    lp = F.log_softmax(x, dim=-1).double()
    out = F.ctc_loss(
        lp, labels.long(), input_lengths.long(), label_lengths.long(), blank=blank,
        reduction=reduction, zero_infinity=zero_infinity,
    )
    return out.to(x.dtype)


DELEGATES: dict[str, Callable[..., Any]] = {
    "mean_squared_error": _mse,
    "mean_absolute_error": _mae,
    "l2_loss": _l2,
    "huber": _huber,
    "smooth_l1": _smooth_l1,
    "binary_crossentropy": _binary_crossentropy,
    "categorical_crossentropy": _categorical_crossentropy,
    "sparse_categorical_crossentropy": _sparse_categorical_crossentropy,
    "nll": _nll,
    "kl_divergence": _kl_divergence,
    "cosine_embedding": _cosine_embedding,
    "multi_margin": _multi_margin,
    "multilabel_margin": _multilabel_margin,
    "poisson_nll": _poisson_nll,
    "ctc": _ctc,
    "triplet_margin": _triplet_margin,
    "triplet_margin_with_distance": _triplet_margin_with_distance,
    "soft_margin": _soft_margin,
    "hinge_embedding": _hinge_embedding,
    "margin_ranking": _margin_ranking,
}


def owns(x: Any) -> bool:
    return isinstance(x, torch.Tensor)


class Torch(_Backend):
    """Values are read only from eager CPU tensors: never inside ``torch.compile``, a
    ``torch.func`` transform (functorch wrappers have no storage) or from fake tensors and other
    subclasses, never on an accelerator (a device synchronization per check)."""

    name = "torch"

    def __init__(self) -> None:
        import sys

        super().__init__(sys.modules[__name__])
        self.kernels = {
            "magnitude": torch.abs,  # its gradient is sign(x): 0 at 0
            "log_softmax": lambda x, axis: F.log_softmax(x, dim=axis),
            "logsumexp": lambda x, axis, keepdims=False: torch.logsumexp(
                x, dim=axis, keepdim=keepdims
            ),
            "log_sigmoid": F.logsigmoid,
            "erf": torch.special.erf,
            "take_along_axis": _take_along_axis,
            "stop_gradient": torch.Tensor.detach,
        }
        self.delegates = DELEGATES

    def can_inspect(self, x: Any) -> bool:
        return (
            x.device.type == "cpu"
            and not torch.compiler.is_compiling()
            and type(x) in (torch.Tensor, torch.nn.Parameter)
            and torch._C._functorch.peek_interpreter_stack() is None
        )

    def to_host(self, x: Any) -> Any:
        return x.detach().numpy()

    def device(self, x: Any) -> Any:
        return x.device  # (traceable by torch.compile, unlike array-api-compat's lookup)


BACKEND = Torch()
