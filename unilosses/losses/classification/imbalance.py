"""Losses for imbalanced classes: the asymmetric loss (Ridnik et al., 2021), the label-distribution
-aware margin loss (Cao et al., 2019), and class-balanced weights (Cui et al., 2019) for any loss
that takes ``class_weight``.

The asymmetric loss down-weights easy negatives (a larger focusing exponent for negatives, and a
probability margin below which a negative counts nothing); LDAM widens the margin of the rare
classes; class-balanced weights re-weight classes by their effective number of samples.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import numpy as np

from ... import _core
from .crossentropy import _sparse_inputs, _sparse_loss
from .focal import _log1m_pt
from .multiclass_margin import _labelled

Array = Any

__all__ = ["asymmetric_loss", "ldam"]


def _rank(x: Any) -> int:
    """The number of axes of an array (or of a variable: the length of its shape); -2 for
    anything else, an unknown number of axes too."""
    try:
        return len(x.shape)
    except (AttributeError, TypeError, ValueError):
        return -2


def asymmetric_loss(
    y_pred: Array,
    y_true: Array,
    *,
    gamma_pos: float = 1.0,
    gamma_neg: float = 4.0,
    clip: float | None = 0.05,
    eps: float = 1e-8,
    label_smoothing: float = 0.0,
    focal_gradient: bool = True,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Asymmetric loss (ASL) for multi-label targets or single class labels, from logits.

    Multi-label (``y_true`` of ``y_pred``'s shape, targets in [0, 1]), elementwise, with
    ``p = sigmoid(x)`` and the shifted probability ``p_m = max(p - clip, 0)``:
    ``-(t log(max(p, eps)) + (1 - t) log(max(1 - p_m, eps))) * w`` with the focusing weight
    ``w = (1 - p_t)**(gamma_pos t + gamma_neg (1 - t))`` and ``1 - p_t = t (1 - p) + (1 - t) p_m``:
    ``(1 - p)**gamma_pos`` for a positive, ``p_m**gamma_neg`` for a negative, so a negative
    predicted below ``clip`` counts nothing. The logs come from log-sigmoids, exact for any logit.

    Single-label (``y_true`` integer labels, ``y_pred``'s shape without the last axis), per
    sample with ``p = softmax(x)`` over the last axis: ``-sum_c t_c w_c log p_c`` with
    ``t = onehot (1 - ls) + ls / C`` and ``w_c = (1 - p_c)**gamma_pos`` for the label,
    ``p_c**gamma_neg`` for the other classes (those count only through the smoothing).

    The rank of ``y_true`` selects the form. Every weight is computed in log space
    (``exp(gamma log(1 - p_t))``), so saturated logits give finite values and gradients.

    Native counterparts: timm ``timm.loss.AsymmetricLossMultiLabel(gamma_neg, gamma_pos, clip,
    eps, disable_torch_grad_focal_loss)`` and ``timm.loss.AsymmetricLossSingleLabel(gamma_pos,
    gamma_neg, eps)`` (the authors' code); torch, Keras and Optax have none. timm's multi-label
    loss returns the sum over every element (``-loss.sum()``): that is ``reduction="sum"`` here,
    where the default ``"mean"`` divides it by the number of elements. timm's single-label
    ``eps`` is the label smoothing (default 0.1 there, ``label_smoothing=0.0`` here) and its mean
    is over samples, as here; it has no ``clip``. timm's multi-label ``eps`` clamps the
    probabilities inside the logs, as ``eps`` does here (multi-label only).
    ``disable_torch_grad_focal_loss=True`` computes the weight under torch's no_grad: that is
    ``focal_gradient=False`` (both forms here, multi-label only in timm). The default, as
    timm's, lets the gradient flow through the weight too.

    Parameters
    ----------
    y_pred : array
        Logits, classes along the last axis.
    y_true : array
        Multi-label targets in [0, 1] of ``y_pred``'s shape, or integer labels in ``[0, C)`` of
        its shape without the last axis.
    gamma_pos, gamma_neg : float >= 0
        Focusing exponents of positives (the label) and negatives.
    clip : float in [0, 1] or None
        Probability margin of negatives (multi-label); 0 or None: none.
    eps : float in [0, 1)
        Lower clamp of the probabilities inside the logs (multi-label); 0: none.
    label_smoothing : float in [0, 1)
        Mixes the one-hot target with the uniform distribution (single-label only).
    focal_gradient : bool
        Whether the gradient flows through the focusing weight (timm's default); ``False``
        treats the weight as a constant.
    reduction, sample_weight, xp
        As in :func:`unilosses.binary_crossentropy`; ``"none"`` is elementwise (multi-label) or
        one value per sample (single-label).

    References
    ----------
    T. Ridnik et al., "Asymmetric Loss For Multi-Label Classification", ICCV 2021,
    https://arxiv.org/abs/2009.14119

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> x, t = np.array([[2.0, -1.0, 0.0]]), np.array([[1.0, 0.0, 0.0]])
    >>> ul.asymmetric_loss(x, t, reduction="none").round(6).tolist()
    [[0.01513, 0.000568, 0.024515]]
    >>> round(float(ul.asymmetric_loss(x, np.array([0]))), 6)  # one label: (1 - p_0) (-log p_0)
    0.026531
    """
    g_pos = _core.check_number(gamma_pos, "gamma_pos", low=0.0)
    g_neg = _core.check_number(gamma_neg, "gamma_neg", low=0.0)
    m = 0.0 if clip is None else _core.check_number(clip, "clip", low=0.0, high=1.0)
    e = _core.check_number(eps, "eps", low=0.0, high=1.0, high_open=True)
    ls = _core.check_number(
        label_smoothing, "label_smoothing", low=0.0, high=1.0, high_open=True
    )
    focal_gradient = _core.check_bool(focal_gradient, "focal_gradient")
    if _rank(y_true) == _rank(y_pred) - 1:  # integer labels: single-label ASL
        xp, y_pred, hot, out, invalid = _labelled(y_pred, y_true, xp, reduction)
        log_p, log_q = _core.log_softmax_and_log1m(xp, y_pred, -1)
        t = xp.astype(hot, y_pred.dtype)
        if ls:
            t = t * (1 - ls) + ls / y_pred.shape[-1]
        if g_pos or g_neg:
            w = xp.exp(xp.where(hot, g_pos * log_q, g_neg * log_p))
            t = t * (w if focal_gradient else _core.stop_gradient(xp, w))
        loss = xp.sum((-t) * log_p, axis=-1)
        return _core.reduce(xp, loss, reduction, sample_weight, out, invalid=invalid)
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    if ls:
        raise ValueError(
            "label_smoothing applies to integer class labels (single-label ASL); y_true holds "
            "multi-label targets of y_pred's shape"
        )
    log_p, log_q = _core.log_sigmoid(xp, y_pred), _core.log_sigmoid(xp, -y_pred)
    if m:  # log(1 - p_m) = log(min(1 - p + clip, 1)); log p_m of 0 (below the clip): LOG_ZERO
        p_m = xp.exp(log_p) - m
        above = p_m > 0
        log_pm = xp.where(above, xp.log(xp.where(above, p_m, 1)), _core.LOG_ZERO)
        log_neg = xp.log(xp.minimum(xp.exp(log_q) + m, 1))
    else:
        log_pm, log_neg = log_p, log_q
    if e:
        floor = math.log(e)
        log_pos, log_neg = xp.maximum(log_p, floor), xp.maximum(log_neg, floor)
    else:
        log_pos = log_p
    loss = (-y_true) * log_pos - (1 - y_true) * log_neg  # a zero loss is +0.0
    if g_pos or g_neg:
        gamma = g_pos * y_true + g_neg * (1 - y_true)
        w = xp.exp(gamma * _log1m_pt(xp, y_true, log_pm, log_q))
        loss = loss * (w if focal_gradient else _core.stop_gradient(xp, w))
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def ldam(
    y_pred: Array,
    y_true: Array,
    class_counts: Array,
    *,
    max_margin: float = 0.5,
    scale: float = 30.0,
    class_weight: Array | None = None,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Label-distribution-aware margin (LDAM) loss: cross-entropy of logits whose true class is
    lowered by a margin that grows as the class gets rarer.

    Per sample with label ``y`` and logits ``x`` (last axis):
    ``cross_entropy(scale * (x - m_y onehot(y)), y)`` with the margins
    ``m_j = max_margin * (min_i n_i / n_j)**(1/4)``, i.e. ``C / n_j**(1/4)`` with ``C`` chosen so
    that the rarest class gets ``max_margin``; ``n`` holds the training samples per class.
    ``class_weight`` weighs and averages as in :func:`unilosses.sparse_categorical_crossentropy`
    (torch's ``weight``): LDAM-DRW passes :func:`unilosses.class_balanced_weights` there after
    its first stage.

    Native counterpart: the authors' reference code ``LDAMLoss(cls_num_list, max_m, weight, s)``
    (LDAM-DRW's losses.py: torch's cross-entropy with ``weight`` of the scaled logits, on CUDA
    only). ``max_margin`` is its ``max_m``, ``scale`` its ``s``, and the class counts are an
    argument of each call instead of the module's state. torch, Keras and Optax have none.

    Parameters
    ----------
    y_pred : array
        Logits, classes along the last axis.
    y_true : integer array
        Labels in ``[0, C)``, shape of ``y_pred`` without the last axis.
    class_counts : array of shape (C,)
        Training samples per class (positive; integer or floating).
    max_margin : float >= 0
        The margin of the rarest class.
    scale : float > 0
        Multiplies the logits after the margin (the paper normalizes features and weights, so
        its logits are cosines).
    class_weight : array of shape (C,), optional
        Weight per class (torch ``weight``).
    reduction, sample_weight, xp
        As in :func:`unilosses.sparse_categorical_crossentropy`; ``"none"`` gives one value per
        sample.

    References
    ----------
    K. Cao et al., "Learning Imbalanced Datasets with Label-Distribution-Aware Margin Loss",
    NeurIPS 2019, https://arxiv.org/abs/1906.07413

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> x, y = np.array([[0.2, 0.1], [0.3, 0.1]]), np.array([0, 1])
    >>> ul.ldam(x, y, np.array([16, 1]), scale=1.0, reduction="none").round(6).tolist()
    [0.770957, 1.103186]
    """
    max_m = _core.check_number(max_margin, "max_margin", low=0.0)
    s = _core.check_number(scale, "scale", low=0.0, low_open=True)
    xp, y_pred, labels, axis, _, out, invalid = _sparse_inputs(
        y_pred, y_true, xp=xp, reduction=reduction, axis=-1, ignore_index=None,
        class_weight=class_weight,
    )
    counts = _core.as_like(xp, class_counts, y_pred, "class_counts")
    c = _core.shape_of(y_pred)[-1]
    if not _core.shapes_match(_core.shape_of(counts), (c,)):
        raise ValueError(
            f"class_counts must have shape ({c},), one count per class; got "
            f"{_core.shape_of(counts)}"
        )
    _core.check_nonnegative(counts, "class_counts", positive=True)
    positive = counts > 0  # (a count <= 0 that no check could read: every loss is NaN)
    counts = xp.where(positive, counts, 1)
    margin = max_m * xp.sqrt(xp.sqrt(xp.min(counts) / counts))
    invalid = ~xp.all(positive) if invalid is None else invalid | ~xp.all(positive)
    hot = xp.astype(labels, y_pred.dtype)[..., None] == _core.class_indices(xp, y_pred, -1)
    log_p = _core.log_softmax(xp, s * (y_pred - xp.where(hot, margin, 0)), axis)
    loss, weight = _sparse_loss(xp, log_p, labels, axis, None, class_weight, 0.0, lambda v: -v)
    return _core.reduce(xp, loss, reduction, sample_weight, out, weight=weight, invalid=invalid)


def class_balanced_weights(counts: Any, beta: float) -> Any:
    """Class weights from the effective number of samples (Cui et al., 2019).

    ``w_j = (1 - beta) / (1 - beta**n_j)`` for ``n_j`` samples of class ``j``, normalized to
    sum to the number of classes ``C``, as the paper's code does. ``beta = 0`` gives equal
    weights; ``beta -> 1`` tends to inverse class frequencies. The effective number
    ``1 - beta**n`` is computed as ``-expm1(n log beta)``, exact for ``beta`` near 1.

    Not a loss: its result is the ``class_weight`` of the losses that take one
    (:func:`unilosses.sparse_categorical_crossentropy`, :func:`unilosses.nll`,
    :func:`unilosses.ldam` ...). Counts given as a list (or tuple) give a list of floats, which
    every backend takes as ``class_weight``; an array gives an array of its library (floating:
    its dtype, else the library's default floating dtype), on its device.

    Parameters
    ----------
    counts : array or list of shape (C,)
        Samples per class, positive.
    beta : float in [0, 1)
        The paper's hyperparameter (0.9, 0.99, 0.999, 0.9999 in its experiments).

    References
    ----------
    Y. Cui et al., "Class-Balanced Loss Based on Effective Number of Samples", CVPR 2019,
    https://arxiv.org/abs/1901.05555

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> [round(w, 6) for w in ul.class_balanced_weights([1, 2], 0.5)]
    [1.2, 0.8]
    >>> x, y = np.array([[2.0, 0.5], [0.1, 1.0]]), np.array([0, 1])
    >>> w = ul.class_balanced_weights(np.array([900, 100]), 0.999)
    >>> round(float(ul.sparse_categorical_crossentropy(x, y, class_weight=w, from_logits=True)), 6)
    0.321839
    """
    b = _core.check_number(beta, "beta", low=0.0, high=1.0, high_open=True)
    as_list = isinstance(counts, (list, tuple))
    n = np.asarray(counts) if as_list else counts
    if not hasattr(n, "dtype"):
        raise TypeError(f"counts must be an array or a list, got {type(counts).__name__}")
    xp = _core.array_namespace(n)
    if not xp.isdtype(n.dtype, ("real floating", "integral")):
        raise TypeError(f"counts must hold real numbers, got dtype {n.dtype}")
    if n.ndim != 1:
        raise ValueError(f"counts must have one axis (one count per class), got shape {n.shape}")
    _core.check_nonnegative(n, "counts", positive=True)
    if not xp.isdtype(n.dtype, "real floating"):
        n = xp.astype(n, xp.asarray(0.0, device=_core.device(n)).dtype)
    w = xp.ones_like(n) if b == 0 else (1 - b) / -xp.expm1(n * math.log(b))
    w = w * (n.shape[0] / xp.sum(w))
    return [float(v) for v in w] if as_list else w
