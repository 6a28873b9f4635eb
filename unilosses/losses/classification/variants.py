"""Cross-entropy variants: negative log-likelihood, PolyLoss and generalized cross-entropy.

They share the cross-entropy's conventions (:mod:`.crossentropy`): probabilities by default
(``from_logits=False``) with ``log`` clamped at -100, log-softmax for logits, masked logits of
``-inf`` on classes with a zero target give finite values and gradients, and integer labels follow
torch's ``weight`` / ``ignore_index`` semantics.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

from ... import _core
from .crossentropy import _log_probs, _log_probs_lazily, _smoothing, _sparse_inputs, _sparse_loss

Array = Any

__all__ = ["generalized_crossentropy", "nll", "poly1_crossentropy"]


def nll(
    y_pred: Array,
    y_true: Array,
    *,
    ignore_index: int | None = -100,
    class_weight: Array | None = None,
    axis: int = -1,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Negative log-likelihood of integer labels, from log-probabilities.

    ``w_y (-y_pred_y)`` per sample with label ``y`` and class weights ``w`` (ones by default);
    ``"mean"`` divides the sum by ``sum_i w_{y_i}`` over the samples whose label is not
    ``ignore_index``, and an all-ignored batch gives 0, not NaN. ``y_pred`` is used as given (no
    clamp, no normalization): pass ``log_softmax`` outputs. Log-probabilities of ``-inf`` on
    classes other than the label (masked classes) give finite values and gradients.

    Native counterparts: PyTorch ``F.nll_loss(input, target, weight, ignore_index)`` (class axis
    ``dim=1`` there: pass ``axis=1`` for ``(N, C, ...)`` inputs). The default ``ignore_index=-100``
    is torch's; ``None`` counts every label. It is
    :func:`sparse_categorical_crossentropy` applied to log-probabilities.

    Parameters
    ----------
    y_pred : array
        Log-probabilities, classes along ``axis``.
    y_true : integer array
        Labels in ``[0, C)`` or ``ignore_index``, shape of ``y_pred`` without ``axis`` (a
        trailing size-1 axis is accepted).
    ignore_index : int or None
        Label value that contributes nothing (torch's -100 by default).
    class_weight : array of shape (C,), optional
        Weight per class (torch ``weight``).
    axis : int
        The class axis.
    reduction, sample_weight, xp
        As in :func:`unilosses.mean_squared_error`; ``"none"`` gives one value per sample (0 for
        ignored ones).

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> logp = np.log(np.array([[0.8, 0.1, 0.1], [0.2, 0.5, 0.3], [0.1, 0.5, 0.4]]))
    >>> round(float(ul.nll(logp, np.array([0, 1, -100]))), 6)
    0.458145
    """
    xp, y_pred, y_true, axis, ignore_index, out, invalid = _sparse_inputs(
        y_pred, y_true, xp=xp, reduction=reduction, axis=axis, ignore_index=ignore_index,
        class_weight=class_weight,
    )
    loss, weight = _sparse_loss(
        xp, y_pred, y_true, axis, ignore_index, class_weight, 0.0, lambda v: -v
    )
    return _core.reduce(xp, loss, reduction, sample_weight, out, weight=weight, invalid=invalid)


def poly1_crossentropy(
    y_pred: Array,
    y_true: Array,
    *,
    epsilon: float = 1.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Poly-1 loss (PolyLoss, Leng et al. 2022): cross-entropy plus ``epsilon (1 - p_t)``.

    ``-sum_c t_c log p_c + epsilon sum_c t_c (1 - p_c)`` with ``t = y_true (1 - ls) + ls / C``
    and ``p = softmax(y_pred)`` (``from_logits=True``) or ``y_pred``. For targets that sum to one
    the second sum is ``1 - p_t`` with ``p_t = sum_c t_c p_c``, the paper's code (smoothed
    labels included); for others it is Optax's ``sum_c t_c (1 - p_c)``.

    Native counterparts: ``optax.losses.poly_loss_cross_entropy(logits, labels, epsilon, axis)``
    (logits; apply ``optax.smooth_labels`` for ``label_smoothing``; Optax's default
    ``epsilon=2.0``, the paper's ImageNet value, where the paper's ``poly1_cross_entropy`` and
    unilosses default to 1.0). Probabilities use the cross-entropy's log clamp at -100. Logits of
    ``-inf`` (masked classes with zero target) give finite values and gradients.

    Parameters
    ----------
    y_pred : array
        Probabilities or logits, classes along ``axis``.
    y_true : array
        Target distribution (one-hot or soft), same shape.
    epsilon : float
        Coefficient of the first polynomial term, any finite number (the paper uses -1 to 2).
    from_logits : bool
        Whether ``y_pred`` holds logits.
    label_smoothing : float in [0, 1)
        Mixes the targets with the uniform distribution, in both terms.
    axis : int
        The class axis.
    reduction, sample_weight, xp
        As in :func:`unilosses.mean_squared_error`; ``"none"`` gives one value per sample.

    References
    ----------
    Z. Leng et al., "PolyLoss: A Polynomial Expansion Perspective of Classification Loss
    Functions", ICLR 2022, https://arxiv.org/abs/2204.12511

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p = np.array([[0.8, 0.1, 0.1], [0.2, 0.5, 0.3]])
    >>> t = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    >>> ul.poly1_crossentropy(p, t, reduction="none").round(6).tolist()
    [0.423144, 1.193147]
    """
    eps = _core.check_number(epsilon, "epsilon")
    if not -math.inf < eps < math.inf:
        raise ValueError(f"epsilon must be a finite number, got {epsilon!r}")
    ls = _smoothing(label_smoothing)
    _core.check_bool(from_logits, "from_logits")
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    axis = _core.normalize_axis(axis, y_pred.ndim)
    t = y_true * (1 - ls) + ls / y_pred.shape[axis] if ls else y_true
    logp = _log_probs(xp, y_pred, from_logits, axis)
    p = xp.exp(logp) if from_logits else y_pred
    loss = -xp.sum(t * logp, axis=axis)
    if eps:
        loss = loss + eps * xp.sum(t * (1 - p), axis=axis)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def generalized_crossentropy(
    y_pred: Array,
    y_true: Array,
    *,
    q: float = 0.5,
    from_logits: bool = False,
    ignore_index: int | None = None,
    class_weight: Array | None = None,
    axis: int = -1,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Generalized cross-entropy (Zhang and Sabuncu, 2018) of integer labels: ``(1 - p_y^q) / q``.

    ``p`` is ``y_pred`` (probabilities, the default) or ``softmax(y_pred)`` with
    ``from_logits=True``; ``p_y^q`` is computed as ``exp(q log p_y)`` with the log-probability of
    the cross-entropy (clamped at -100 for probabilities), so ``p_y = 0`` gives a finite gradient.
    ``q -> 0`` tends to the cross-entropy, ``q = 1`` is ``1 - p_y`` (MAE on the one-hot target,
    halved). ``class_weight`` and ``ignore_index`` weigh and average as in
    :func:`sparse_categorical_crossentropy` (torch's semantics).

    Native counterpart: ``keras.losses.CategoricalGeneralizedCrossEntropy(q)``: integer labels
    (despite its name) and probabilities, like the defaults here. Keras accepts ``q`` in ``(0, 1)``
    only; ``q = 1`` is accepted here. Keras has no logits, class weights or ignored labels.

    Parameters
    ----------
    y_pred : array
        Probabilities or logits, classes along ``axis``.
    y_true : integer array
        Labels in ``[0, C)``, shape of ``y_pred`` without ``axis`` (a trailing size-1 axis is
        accepted).
    q : float in (0, 1]
        The exponent: robustness to label noise grows with ``q``.
    from_logits : bool
        Whether ``y_pred`` holds logits.
    ignore_index : int, optional
        Label value that contributes nothing.
    class_weight : array of shape (C,), optional
        Weight per class.
    axis : int
        The class axis.
    reduction, sample_weight, xp
        As in :func:`unilosses.mean_squared_error`; ``"none"`` gives one value per sample.

    References
    ----------
    Z. Zhang and M. R. Sabuncu, "Generalized Cross Entropy Loss for Training Deep Neural Networks
    with Noisy Labels", NeurIPS 2018, https://arxiv.org/abs/1805.07836

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p = np.array([[0.7, 0.3], [0.2, 0.8], [0.6, 0.4], [0.4, 0.6]])
    >>> round(float(ul.generalized_crossentropy(p, np.array([0, 1, 0, 1]))), 6)
    0.35986
    """
    q = _core.check_number(q, "q", low=0.0, high=1.0, low_open=True)
    _core.check_bool(from_logits, "from_logits")
    xp, y_pred, y_true, axis, ignore_index, out, invalid = _sparse_inputs(
        y_pred, y_true, xp=xp, reduction=reduction, axis=axis, ignore_index=ignore_index,
        class_weight=class_weight,
    )
    x, nll = _log_probs_lazily(xp, y_pred, from_logits, axis)

    def per_class(v: Array) -> Array:  # (1 - p^q) / q
        return (1 - xp.exp(-q * nll(v))) / q

    loss, weight = _sparse_loss(xp, x, y_true, axis, ignore_index, class_weight, 0.0, per_class)
    return _core.reduce(xp, loss, reduction, sample_weight, out, weight=weight, invalid=invalid)
