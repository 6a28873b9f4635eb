"""Cross-entropy losses: binary, categorical and sparse.

Probabilities are the default input (``from_logits=False``, as Keras); the probability paths clamp
``log(p)`` at -100 (torch's ``binary_cross_entropy`` convention), so probabilities of exactly 0 or 1
give finite losses. Logit paths use log-softmax / log-sigmoid and never exponentiate large values.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from ... import _core

Array = Any

__all__ = [
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
]


_MASKED_LOGP = -1e30  # finite stand-in for log(0) of a masked logit


def _smoothing(label_smoothing: float) -> float:
    return _core.check_number(label_smoothing, "label_smoothing", low=0.0, high=1.0, high_open=True)


def _pos_weight(xp: ModuleType, pos_weight: Any, like: Array) -> Any:
    """``pos_weight`` as a Python float (checked >= 0) or an array broadcastable to ``like``."""
    if _core.is_number(pos_weight):
        return _core.check_number(pos_weight, "pos_weight", low=0.0)
    pw = _core.as_like(xp, pos_weight, like, "pos_weight")
    ps, ls = _core.shape_of(pw), _core.shape_of(like)
    if not _core.shapes_match(ps, ls, broadcast=True):
        raise ValueError(f"pos_weight of shape {ps} does not broadcast to y_pred of shape {ls}")
    return pw


def binary_crossentropy(
    y_pred: Array,
    y_true: Array,
    *,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    pos_weight: float | Array | None = None,
    axis: int | None = None,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Binary cross-entropy, elementwise (or averaged over ``axis``).

    ``-(w t log p + (1 - t) log(1 - p))`` with ``t = y_true (1 - ls) + ls / 2`` and ``w`` the
    ``pos_weight`` (1 by default). With ``from_logits=True`` it is
    ``(1 - t) x - (w t + 1 - t) log_sigmoid(x)``, exact for any logit.

    Native counterparts: PyTorch ``F.binary_cross_entropy`` (probabilities; unilosses
    clamps ``log`` at -100 as torch does, where Keras clips ``p`` to ``[1e-7, 1 - 1e-7]``),
    PyTorch ``F.binary_cross_entropy_with_logits(pos_weight)``,
    ``keras.losses.BinaryCrossentropy(from_logits, label_smoothing, axis)``,
    ``optax.sigmoid_binary_cross_entropy`` (logits).

    Where they differ: torch's ``binary_cross_entropy`` (probabilities) has no ``pos_weight``;
    here it applies to the probability path too, with the same formula: the value equals torch's
    ``binary_cross_entropy_with_logits(logit(p), t, pos_weight=w)`` (up to the -100 clamp of the
    logs). Keras has no ``pos_weight``, torch no ``label_smoothing``: together, the smoothed target
    is weighted. Keras' ``axis`` defaults to -1 (one value per sample); here ``axis=None`` (the
    default) keeps torch's elementwise loss, and an ``axis`` averages over it as Keras does.

    Parameters
    ----------
    y_pred : array
        Probabilities in [0, 1], or logits with ``from_logits=True``.
    y_true : array
        Targets in [0, 1] (hard or soft), same shape.
    from_logits : bool
        Whether ``y_pred`` holds logits.
    label_smoothing : float in [0, 1)
        Moves targets toward 0.5.
    pos_weight : float >= 0 or array, optional
        Weight of the positive term (torch ``pos_weight``); an array broadcasts against ``y_pred``
        from the last axis, e.g. one weight per class of shape ``(C,)`` for ``(N, C)`` inputs (its
        values are not checked).
    axis : int, optional
        Average the elementwise loss over this axis (Keras ``axis``); ``None``: elementwise.
    reduction, sample_weight, xp
        As in :func:`unilosses.mean_squared_error`; ``"none"`` is elementwise, or one value per
        sample with ``axis``.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> round(float(ul.binary_crossentropy(np.array([0.9, 0.2]), np.array([1.0, 0.0]))), 6)
    0.164252
    >>> p, t = np.array([[0.9, 0.2], [0.6, 0.7]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> ul.binary_crossentropy(p, t, pos_weight=2.0, axis=-1, reduction="none").round(6).tolist()
    [0.216932, 0.81482]
    """
    ls = _smoothing(label_smoothing)
    _core.check_bool(from_logits, "from_logits")
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    if axis is not None:
        axis = _core.normalize_axis(axis, y_pred.ndim)
    pw = None if pos_weight is None else _pos_weight(xp, pos_weight, y_pred)
    t = y_true * (1 - ls) + 0.5 * ls if ls else y_true
    if from_logits:
        log_p = _core.log_sigmoid(xp, y_pred)
        if pw is None:
            loss = (1 - t) * y_pred - log_p
        else:  # log(1 - p) = log p - x
            loss = (1 - t) * y_pred - (pw * t + (1 - t)) * log_p
    else:
        y_pred = _core.probabilities(xp, y_pred)
        pos = t * _core.log_clamped(xp, y_pred)
        loss = (t - 1) * _core.log1m_clamped(xp, y_pred) - (pos if pw is None else pw * pos)
    if axis is not None:
        loss = xp.mean(loss, axis=axis) if y_pred.shape[axis] != 0 else xp.sum(loss, axis=axis)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def _log_probs(xp: ModuleType, y_pred: Array, from_logits: bool, axis: int) -> Array:
    """Log-probabilities along ``axis``: log-softmax of logits, or the log of probabilities
    clamped at -100 (not renormalized: torch's ``nll_loss(log(p))``)."""
    if from_logits:
        # masked logits (-inf) give -inf log-probabilities: keep them finite so 0 * logp = 0
        return xp.maximum(_core.log_softmax(xp, y_pred, axis), _MASKED_LOGP)
    return _core.log_clamped(xp, _core.probabilities(xp, y_pred))


def _log_probs_lazily(
    xp: ModuleType, y_pred: Array, from_logits: bool, axis: int
) -> tuple[Array, Callable[[Array], Array]]:
    """``(x, f)`` with ``f(x)`` the negative log-probabilities and ``f`` elementwise (entries of
    ``x`` along ``axis``, kept as a size-1 or full axis), so that a loss needing only the labels'
    entries applies it after the gather (from logits: the clamp of masked classes)."""
    if from_logits:
        return _core.log_softmax(xp, y_pred, axis), lambda v: -xp.maximum(v, _MASKED_LOGP)
    return y_pred, lambda v: -_core.log_clamped(xp, _core.probabilities(xp, v))


def categorical_crossentropy(
    y_pred: Array,
    y_true: Array,
    *,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Cross-entropy against one-hot or soft targets along the class axis.

    ``-sum_c t_c log p_c`` with ``t = y_true (1 - ls) + ls / C``; ``p`` is ``softmax(y_pred)`` with
    ``from_logits=True``, else ``y_pred`` itself. Probabilities are taken as given, not
    renormalized: torch's ``nll_loss(log(p))`` semantics. Keras divides ``y_pred`` by its sum first,
    which changes nothing for inputs that sum to one but adds a constant to the gradient.

    Native counterparts: PyTorch ``F.cross_entropy`` with probability targets (logits;
    ``dim=1`` there is ``axis=1`` here), ``keras.losses.CategoricalCrossentropy(from_logits,
    label_smoothing, axis)`` (Keras clips probabilities at 1e-7 and renormalizes them; unilosses
    clamps ``log`` at -100 and does not), ``optax.softmax_cross_entropy``. Logits of ``-inf``
    (masked classes with zero target) give finite losses and gradients. Label smoothing counts
    the ``C`` classes along ``axis``, as torch does; Keras counts them along the last axis
    whatever its ``axis`` is, so with ``label_smoothing`` and another ``axis`` Keras differs.

    Parameters
    ----------
    y_pred : array
        Probabilities or logits, classes along ``axis``.
    y_true : array
        Target distribution, same shape.
    axis : int
        The class axis.

    Other arguments as in :func:`binary_crossentropy`. ``reduction="none"`` gives one value per
    sample (the class axis is summed).

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p = np.array([[0.8, 0.1, 0.1], [0.2, 0.5, 0.3]])
    >>> t = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    >>> ul.categorical_crossentropy(p, t, reduction="none").round(6).tolist()
    [0.223144, 0.693147]
    """
    ls = _smoothing(label_smoothing)
    _core.check_bool(from_logits, "from_logits")
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    axis = _core.normalize_axis(axis, y_pred.ndim)
    if ls:
        y_true = y_true * (1 - ls) + ls / y_pred.shape[axis]
    loss = -xp.sum(y_true * _log_probs(xp, y_pred, from_logits, axis), axis=axis)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def sparse_categorical_crossentropy(
    y_pred: Array,
    y_true: Array,
    *,
    from_logits: bool = False,
    ignore_index: int | None = None,
    class_weight: Array | None = None,
    label_smoothing: float = 0.0,
    axis: int = -1,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Cross-entropy against integer class labels.

    Per sample ``i`` with label ``y``, class weights ``w`` (ones by default) and ``C`` classes:
    ``(1 - ls) w_y (-log p_y) + ls / C * sum_c w_c (-log p_c)``; ``"mean"`` divides the sum by
    ``sum_i w_{y_i}`` over non-ignored samples. These are exactly torch's semantics for ``weight``,
    ``ignore_index`` and ``label_smoothing`` together: ignored samples count nowhere (not in the
    smoothing term, not in the mean's denominator), and an all-ignored batch gives 0, not NaN.

    Native counterparts: PyTorch ``F.cross_entropy(logits, labels, weight, ignore_index,
    label_smoothing)`` (class axis ``dim=1`` there; pass ``axis=1``), PyTorch ``F.nll_loss``,
    ``keras.losses.SparseCategoricalCrossentropy(from_logits, ignore_class)``,
    ``optax.softmax_cross_entropy_with_integer_labels``. torch's default ``ignore_index=-100`` is
    ``None`` here (Keras' ``ignore_class=None``): pass ``ignore_index=-100`` for torch's behaviour.

    Parameters
    ----------
    y_pred : array
        Probabilities or logits, classes along ``axis``.
    y_true : integer array
        Labels in ``[0, C)``, shape of ``y_pred`` without ``axis`` (a trailing size-1 axis is
        accepted, as Keras does).
    ignore_index : int, optional
        Label value that contributes nothing.
    class_weight : array of shape (C,), optional
        Weight per class (torch ``weight``).
    label_smoothing : float in [0, 1)
        Mixes the one-hot target with the uniform distribution.

    Other arguments as in :func:`categorical_crossentropy`.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p = np.array([[0.8, 0.1, 0.1], [0.2, 0.5, 0.3], [0.1, 0.5, 0.4]])
    >>> round(float(ul.sparse_categorical_crossentropy(p, np.array([0, 1, 2]))), 10)
    0.6108604879
    """
    ls = _smoothing(label_smoothing)
    _core.check_bool(from_logits, "from_logits")
    xp, y_pred, y_true, axis, ignore_index, out, invalid = _sparse_inputs(
        y_pred, y_true, xp=xp, reduction=reduction, axis=axis, ignore_index=ignore_index,
        class_weight=class_weight,
    )
    x, nll = _log_probs_lazily(xp, y_pred, from_logits, axis)
    loss, weight = _sparse_loss(xp, x, y_true, axis, ignore_index, class_weight, ls, nll)
    return _core.reduce(xp, loss, reduction, sample_weight, out, weight=weight, invalid=invalid)


# --- shared by the losses over integer labels (here and in .variants) -------------------------


def _sparse_inputs(
    y_pred: Array,
    y_true: Array,
    *,
    xp: ModuleType | None,
    reduction: str,
    axis: object,
    ignore_index: object,
    class_weight: Array | None,
) -> tuple[ModuleType, Array, Array, int, int | None, Any, Array | None]:
    """``prepare`` for integer labels along ``axis`` of ``y_pred``: checks ``ignore_index`` (an
    int or None), the label shape (a trailing size-1 axis is squeezed, as Keras does) and the
    label range (:func:`unilosses._core.labels_along`). Returns
    ``(xp, y_pred, labels, axis, ignore_index, out_dtype, invalid)``, ``invalid`` for ``reduce``."""
    ignore_index = _core.check_optional_int(ignore_index, "ignore_index")
    xp, y_pred, y_true, out = _core.prepare(
        y_pred, y_true, xp=xp, reduction=reduction, labels=True, class_weight=class_weight
    )
    axis = _core.normalize_axis(axis, y_pred.ndim)
    y_true, invalid = _core.labels_along(xp, y_pred, y_true, axis, ignore_index, "sample")
    return xp, y_pred, y_true, axis, ignore_index, out, invalid


def _sparse_loss(
    xp: ModuleType,
    per_class: Array,
    labels: Array,
    axis: int,
    ignore_index: int | None,
    class_weight: Array | None,
    ls: float,
    transform: Callable[[Array], Array] | None = None,
) -> tuple[Array, Array | None]:
    """The loss against integer labels from a per-class loss ``l_c`` (``-log p_c`` for the
    cross-entropy): ``(1 - ls) w_y l_y + ls / C * sum_c w_c l_c`` per sample, 0 where the label
    is ``ignore_index``. Returns it with the weight the mean divides by (``w_y`` times the
    non-ignored mask; ``None`` when every sample counts once), torch's semantics.

    ``transform`` (elementwise, the class axis kept) maps ``per_class`` to ``l_c``; it runs after
    the gather, on one value per sample, unless smoothing needs every class."""
    n_classes = per_class.shape[axis]
    valid = None if ignore_index is None else labels != ignore_index
    if valid is not None:
        labels = xp.where(valid, labels, 0)
    index = xp.expand_dims(labels, axis=axis)
    loss = _core.take_along_axis(xp, per_class, index, axis)
    loss = xp.squeeze(loss if transform is None else transform(loss), axis=axis)
    weight = None  # per-sample weight w_y (times the valid mask), the mean's denominator
    if class_weight is not None:
        cw = _core.as_like(xp, class_weight, per_class, "class_weight")
        if _core.shape_of(cw) != (n_classes,):
            raise ValueError(
                f"class_weight must have shape ({n_classes},), got {_core.shape_of(cw)}"
            )
        shape = [1] * per_class.ndim
        shape[axis] = n_classes
        cw = xp.reshape(cw, tuple(shape))
        # w_y, gathered along the class axis like the loss
        weight = xp.squeeze(
            _core.take_along_axis(xp, cw + xp.zeros_like(per_class), index, axis), axis=axis
        )
        loss = loss * weight
    if valid is not None:
        mask = xp.astype(valid, per_class.dtype)
        weight = mask if weight is None else weight * mask
    if ls:
        if transform is not None:
            per_class = transform(per_class)
        if class_weight is not None:
            per_class = per_class * cw
        loss = (1 - ls) * loss + (ls / n_classes) * xp.sum(per_class, axis=axis)
    if valid is not None:
        loss = xp.where(valid, loss, 0)
    return loss, weight
