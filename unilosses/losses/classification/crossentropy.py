"""Cross-entropy losses: binary, categorical and sparse.

Probabilities are the default input (``from_logits=False``, as Keras); the probability paths clamp
``log(p)`` at -100 (torch's ``binary_cross_entropy`` convention), so probabilities of exactly 0 or 1
give finite losses. Logit paths use log-softmax / log-sigmoid and never exponentiate large values.
"""

from __future__ import annotations

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


def binary_crossentropy(
    y_pred: Array,
    y_true: Array,
    *,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Binary cross-entropy, elementwise.

    ``-(t log p + (1 - t) log(1 - p))`` with ``t = y_true (1 - ls) + ls / 2``. With
    ``from_logits=True`` it is ``(1 - t) x - log_sigmoid(x)``, exact for any logit.

    Native counterparts: PyTorch ``F.binary_cross_entropy`` (probabilities; unilosses
    clamps ``log`` at -100 as torch does, where Keras clips ``p`` to ``[1e-7, 1 - 1e-7]``),
    PyTorch ``F.binary_cross_entropy_with_logits``,
    ``keras.losses.BinaryCrossentropy(from_logits, label_smoothing)``,
    ``optax.sigmoid_binary_cross_entropy`` (logits).

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
    reduction, sample_weight, xp
        As in :func:`unilosses.mean_squared_error`; ``"none"`` is elementwise.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> round(float(ul.binary_crossentropy(np.array([0.9, 0.2]), np.array([1.0, 0.0]))), 6)
    0.164252
    """
    ls = _smoothing(label_smoothing)
    _core.check_bool(from_logits, "from_logits")
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    t = y_true * (1 - ls) + 0.5 * ls if ls else y_true
    if from_logits:
        loss = (1 - t) * y_pred - _core.log_sigmoid(xp, y_pred)
    else:
        loss = -(t * _core.log_clamped(xp, y_pred) + (1 - t) * _core.log1m_clamped(xp, y_pred))
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def _log_probs(xp: ModuleType, y_pred: Array, from_logits: bool, axis: int) -> Array:
    """Log-probabilities along ``axis``: log-softmax of logits, or the log of probabilities
    clamped at -100 (not renormalized: torch's ``nll_loss(log(p))``)."""
    if from_logits:
        # masked logits (-inf) give -inf log-probabilities: keep them finite so 0 * logp = 0
        return xp.maximum(_core.log_softmax(xp, y_pred, axis), _MASKED_LOGP)
    return _core.log_clamped(xp, y_pred)


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
    clamps ``log`` at -100 and does not), ``optax.softmax_cross_entropy``. Logits of ``-inf`` (masked classes with zero target)
    give finite losses and gradients.

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
    if ignore_index is not None and (isinstance(ignore_index, bool) or not isinstance(ignore_index, int)):
        raise TypeError(f"ignore_index must be an int or None, got {ignore_index!r}")
    xp, y_pred, y_true, out = _core.prepare(
        y_pred, y_true, xp=xp, reduction=reduction, labels=True, class_weight=class_weight
    )
    axis = _core.normalize_axis(axis, y_pred.ndim)
    if y_true.ndim == y_pred.ndim and y_true.shape[axis] == 1:
        y_true = xp.squeeze(y_true, axis=axis)
    expected = _core.shape_of(y_pred)[:axis] + _core.shape_of(y_pred)[axis + 1 :]
    if y_true.ndim != len(expected) or any(
        a != b and None not in (a, b) for a, b in zip(_core.shape_of(y_true), expected)
    ):
        raise ValueError(
            f"y_true must hold one label per sample, shape {expected} for y_pred of shape "
            f"{_core.shape_of(y_pred)} with axis={axis}; got {_core.shape_of(y_true)}"
        )
    n_classes = y_pred.shape[axis]
    _core.check_labels(xp, y_true, n_classes, ignore_index)

    logp = _log_probs(xp, y_pred, from_logits, axis)
    valid = None if ignore_index is None else y_true != ignore_index
    labels = y_true if valid is None else xp.where(valid, y_true, 0)
    nll = -xp.squeeze(_core.take_along_axis(xp, logp, xp.expand_dims(labels, axis=axis), axis), axis=axis)

    weight = None  # per-sample weight w_y (times the valid mask), the mean's denominator
    if class_weight is not None:
        cw = _core.as_like(xp, class_weight, logp, "class_weight")
        if _core.shape_of(cw) != (n_classes,):
            raise ValueError(f"class_weight must have shape ({n_classes},), got {_core.shape_of(cw)}")
        weight = xp.reshape(xp.take(cw, xp.reshape(labels, (-1,)), axis=0), labels.shape)
        nll = nll * weight
    if valid is not None:
        mask = xp.astype(valid, logp.dtype)
        weight = mask if weight is None else weight * mask
    loss = nll
    if ls:
        if class_weight is not None:
            shape = [1] * logp.ndim
            shape[axis] = n_classes
            logp = logp * xp.reshape(cw, tuple(shape))
        loss = (1 - ls) * nll - (ls / n_classes) * xp.sum(logp, axis=axis)
    if valid is not None:
        loss = xp.where(valid, loss, 0)
    return _core.reduce(xp, loss, reduction, sample_weight, out, weight=weight)
