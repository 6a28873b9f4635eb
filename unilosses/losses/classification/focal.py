"""Focal losses (Lin et al., 2017): cross-entropy scaled by ``(1 - p_t)**gamma``.

The modulating factor is computed in log space, ``exp(gamma * log(1 - p_t))`` with ``log(1 - p_t)``
from log-sigmoid / log-softmax, never as a power of a value that can be 0. So ``gamma`` in (0, 1)
and saturated logits (``|x|`` of 1e4 and more) give finite values and finite gradients, where
``(1 - p)**gamma`` has an infinite derivative at ``p = 1`` and autodiff returns NaN.

Probabilities (``from_logits=False``) follow Keras, the anchor of these losses: they are clipped to
``[1e-7, 1 - 1e-7]`` (the cross-entropy losses clamp ``log`` at -100 instead, as torch).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ... import _core

Array = Any

__all__ = ["binary_focal_crossentropy", "categorical_focal_crossentropy"]

_EPSILON = 1e-7  # Keras' backend.epsilon(): the clip of probability inputs


def _common_options(gamma: float, from_logits: bool, label_smoothing: float) -> tuple[float, float]:
    g = _core.check_number(gamma, "gamma", low=0.0)
    _core.check_bool(from_logits, "from_logits")
    ls = _core.check_number(label_smoothing, "label_smoothing", low=0.0, high=1.0, high_open=True)
    return g, ls


def _log1m_pt(xp: ModuleType, t: Array, log_p: Array, log_q: Array) -> Array:
    """log(1 - p_t) = log(t q + (1 - t) p) for targets t in [0, 1], from log p and log(q = 1 - p).

    Hard targets pick ``log p`` or ``log q`` exactly; soft ones combine them with log-add-exp.
    The logs of ``t`` and ``1 - t`` are taken of safe values (double where) so that no branch
    holds log(0).
    """
    zero, one = t <= 0, t >= 1
    log_t = xp.log(xp.where(zero, 1.0, t))
    log_1mt = xp.log1p(-xp.where(one, 0.0, t))
    soft = _core.logaddexp(xp, log_t + log_q, log_1mt + log_p)
    return xp.where(zero, log_p, xp.where(one, log_q, soft))


def binary_focal_crossentropy(
    y_pred: Array,
    y_true: Array,
    *,
    alpha: float = 0.25,
    gamma: float = 2.0,
    apply_class_balancing: bool = False,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Binary focal cross-entropy, elementwise.

    ``w_t (1 - p_t)**gamma * bce(p, t)`` with ``t = y_true (1 - ls) + ls / 2``,
    ``bce = -(t log p + (1 - t) log(1 - p))``, ``p_t = t p + (1 - t)(1 - p)`` and, only with
    ``apply_class_balancing=True``, ``w_t = t alpha + (1 - t)(1 - alpha)`` (else ``w_t = 1``).
    ``p = sigmoid(y_pred)`` with ``from_logits=True``, else ``y_pred`` clipped to
    ``[1e-7, 1 - 1e-7]``. The factor ``(1 - p_t)**gamma`` is ``exp(gamma log(1 - p_t))`` with
    ``log(1 - p_t)`` from log-sigmoids of logits (from the clipped probabilities otherwise, where
    ``1 - p_t >= 1e-7``), so values and gradients stay finite for any ``gamma >= 0``
    and any finite logit.

    Native counterparts and how to reproduce each (semantics are Keras'):

    * ``keras.losses.BinaryFocalCrossentropy(apply_class_balancing, alpha, gamma, from_logits,
      label_smoothing)``: the same options. Keras clips the probability in the cross-entropy only,
      unilosses in the factor ``(1 - p_t)`` too, which keeps the gradient finite at ``p`` of
      exactly 0 or 1 (Keras: not finite for ``gamma < 1``); the two differ only for ``p`` within
      1e-7 of 0 or 1, by amounts of the order of 1e-7. With ``from_logits=True`` Keras takes
      the sigmoid and then clips, so its loss saturates at ``|logit|`` of about 16 (at most 16.1
      per element, zero gradient beyond); unilosses is exact in log space (as torchvision and
      Optax), equal to Keras below that. Keras' ``"none"`` averages the last axis; here it is
      elementwise (the ``"mean"`` of the two agrees).
    * torchvision ``ops.sigmoid_focal_loss(inputs, targets, alpha, gamma)`` (logits): alpha is
      always applied there, ``alpha=-1`` disables it. Use ``from_logits=True,
      apply_class_balancing=True, alpha=alpha`` (for ``alpha=-1``: ``apply_class_balancing=False``)
      and ``reduction="none"`` for its default. Its ``(1 - p_t)**gamma`` has NaN gradients for
      ``gamma < 1`` at saturated logits; values agree.
    * ``optax.sigmoid_focal_loss(logits, labels, alpha=None, gamma)``: ``alpha=None`` is
      ``apply_class_balancing=False``, ``alpha=a`` is ``apply_class_balancing=True, alpha=a``;
      ``from_logits=True``, ``reduction="none"``.
    * MONAI ``FocalLoss(gamma, alpha)`` (sigmoid, hard targets): as Optax.

    Parameters
    ----------
    y_pred : array
        Probabilities in [0, 1], or logits with ``from_logits=True``.
    y_true : array
        Targets in [0, 1] (hard or soft), same shape.
    alpha : float in [0, 1]
        Weight of the positive class (``1 - alpha`` for the negative one); used only with
        ``apply_class_balancing=True``, as in Keras.
    gamma : float >= 0
        Focusing parameter; 0 gives the binary cross-entropy (times the balancing weight).
    apply_class_balancing : bool
        Whether to weight by ``alpha`` / ``1 - alpha``.
    from_logits : bool
        Whether ``y_pred`` holds logits.
    label_smoothing : float in [0, 1)
        Moves targets toward 0.5 (in the cross-entropy, ``p_t`` and the balancing weight, as Keras).
    reduction, sample_weight, xp
        As in :func:`unilosses.binary_crossentropy`; ``"none"`` is elementwise.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p, t = np.array([0.9, 0.2, 0.4]), np.array([1.0, 0.0, 1.0])
    >>> ul.binary_focal_crossentropy(p, t, reduction="none").round(6).tolist()
    [0.001054, 0.008926, 0.329865]
    >>> x = np.array([1e4, -1e4, 3.0])  # saturated logits: finite, exact
    >>> out = ul.binary_focal_crossentropy(x, t, from_logits=True, gamma=0.5, reduction="none")
    >>> out.round(6).tolist()
    [0.0, 0.0, 0.010581]
    """
    g, ls = _common_options(gamma, from_logits, label_smoothing)
    a = _core.check_number(alpha, "alpha", low=0.0, high=1.0)
    _core.check_bool(apply_class_balancing, "apply_class_balancing")
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    t = y_true * (1 - ls) + 0.5 * ls if ls else y_true
    if from_logits:
        log_p, log_q = _core.log_sigmoid(xp, y_pred), _core.log_sigmoid(xp, -y_pred)
    else:
        p = xp.clip(y_pred, _EPSILON, 1 - _EPSILON)
        log_p, log_q = xp.log(p), xp.log1p(-p)
    loss = (-t) * log_p - (1 - t) * log_q  # written so that a zero loss is +0.0, not -0.0
    if g:
        if from_logits:  # in log space: exact for saturated logits
            log1m_pt = _log1m_pt(xp, t, log_p, log_q)
        else:  # a mean of p and 1 - p, both >= 1e-7 (clipped): a finite log
            log1m_pt = xp.log(t * (1 - p) + (1 - t) * p)
        loss = xp.exp(g * log1m_pt) * loss
    if apply_class_balancing:
        loss = (t * a + (1 - t) * (1 - a)) * loss
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def categorical_focal_crossentropy(
    y_pred: Array,
    y_true: Array,
    *,
    alpha: float | Array = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Categorical focal cross-entropy against one-hot or soft targets along the class axis.

    ``-sum_c alpha_c (1 - p_c)**gamma t_c log p_c`` with ``t = y_true (1 - ls) + ls / C``.
    With ``from_logits=True``, ``log p = log_softmax(y_pred)`` and ``log(1 - p)`` is computed
    exactly in log space (also when one class holds all the mass, e.g. logits (1e4, 0, 0)), so
    values and gradients are finite for any ``gamma >= 0``. Probabilities are first divided by
    their sum along ``axis`` and clipped to ``[1e-7, 1 - 1e-7]``, as Keras does.

    Native counterparts: ``keras.losses.CategoricalFocalCrossentropy(alpha, gamma, from_logits,
    label_smoothing, axis)``, the semantics followed here, with three differences: with
    ``from_logits=True`` Keras takes the softmax and then clips, so its per-class loss saturates at
    16.1 (logit gaps beyond about 16; zero gradient there), unilosses is exact in log space, equal
    to Keras below that; Keras' label smoothing counts the classes along the last axis and a
    per-class ``alpha`` broadcasts against the last axis whatever ``axis`` is, unilosses uses
    ``axis`` for both. MONAI ``FocalLoss(use_softmax=True, gamma, alpha)`` (logits, channels at
    ``axis=1``) averages over the classes too, and weighs a scalar ``alpha`` as ``1 - alpha`` for
    class 0 and ``alpha`` for the others: with the same per-class ``alpha`` (or its
    ``alpha=None`` against ``alpha=1.0`` here) its mean is this mean divided by ``C``. PyTorch and
    Optax have no softmax focal loss.

    Parameters
    ----------
    y_pred : array
        Probabilities or logits, classes along ``axis``.
    y_true : array
        Target distribution (one-hot or soft), same shape.
    alpha : float >= 0, or array of shape (C,)
        Weight of every class (a scalar), or one weight per class, as Keras.
    gamma : float >= 0
        Focusing parameter; 0 gives ``alpha`` times the categorical cross-entropy.
    from_logits : bool
        Whether ``y_pred`` holds logits.
    label_smoothing : float in [0, 1)
        Mixes the targets with the uniform distribution.
    axis : int
        The class axis.
    reduction, sample_weight, xp
        As in :func:`unilosses.categorical_crossentropy`: ``"none"`` gives one value per sample.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p = np.array([[0.05, 0.9, 0.05], [0.1, 0.85, 0.05]])
    >>> t = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    >>> ul.categorical_focal_crossentropy(p, t, reduction="none").round(6).tolist()
    [0.000263, 0.675912]
    >>> x = np.array([[0.0, 1e4, 0.0], [1e4, 0.0, 0.0]])  # saturated logits: finite, exact
    >>> out = ul.categorical_focal_crossentropy(x, t, from_logits=True, gamma=0.5, reduction="none")
    >>> out.tolist()
    [0.0, 2500.0]
    """
    g, ls = _common_options(gamma, from_logits, label_smoothing)
    scalar_alpha = _core.is_number(alpha)
    if scalar_alpha:
        alpha = _core.check_number(alpha, "alpha", low=0.0)
    array_alpha = not (scalar_alpha or isinstance(alpha, (list, tuple)))
    others: dict[str, Any] = {"alpha": alpha} if array_alpha else {}
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction, **others)
    axis = _core.normalize_axis(axis, y_pred.ndim)
    n_classes = y_pred.shape[axis]
    if not scalar_alpha:
        alpha = _core.as_like(xp, alpha, y_pred, "alpha")
        if _core.shape_of(alpha) != (n_classes,):
            raise ValueError(
                f"alpha must be a number or have shape ({n_classes},), one weight per class along "
                f"axis={axis}; got shape {_core.shape_of(alpha)}"
            )
        shape = [1] * y_pred.ndim
        shape[axis] = n_classes
        alpha = xp.reshape(alpha, tuple(shape))
    if ls:
        y_true = y_true * (1 - ls) + ls / n_classes
    if from_logits:
        log_p, log_1mp = _core.log_softmax_and_log1m(xp, y_pred, axis)
        # masked logits (-inf) keep finite log-probabilities, so that 0 * log p = 0
        log_p = xp.maximum(log_p, _core.LOG_ZERO)
    else:
        total = xp.sum(y_pred, axis=axis, keepdims=True)
        p = xp.clip(_core.safe_divide(xp, y_pred, total), _EPSILON, 1 - _EPSILON)
        log_p, log_1mp = xp.log(p), xp.log1p(-p)
    weight = alpha * xp.exp(g * log_1mp) if g else alpha
    loss = xp.sum(weight * y_true * (-log_p), axis=axis)
    return _core.reduce(xp, loss, reduction, sample_weight, out)
