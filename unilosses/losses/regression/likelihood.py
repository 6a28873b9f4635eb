"""Likelihood-based and relative-error regression losses (Poisson, Gaussian, Tweedie, logarithmic
and percentage errors, cosine similarity).

Elementwise losses return the elementwise loss with ``reduction="none"``; the cosine similarity is
defined over an axis and returns one value per sample.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

from ... import _core

Array = Any

__all__ = [
    "cosine_similarity_loss",
    "gaussian_nll",
    "mape",
    "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
    "msle",
    "poisson",
    "poisson_nll",
    "tweedie",
]

KERAS_EPSILON = 1e-7  # keras.backend.epsilon()


def mean_squared_logarithmic_error(
    y_pred: Array,
    y_true: Array,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Squared logarithmic error ``(log(1 + max(p, eps)) - log(1 + max(t, eps)))**2``.

    ``eps = 1e-7`` (Keras' epsilon): values below it, negative ones included, count as ``eps``,
    so their gradient is zero. Computed with ``log1p``.

    Native counterpart: ``keras.losses.MeanSquaredLogarithmicError`` (PyTorch and Optax have
    none). Keras averages over the last axis then over the batch, which equals ``"mean"`` here;
    ``reduction="none"`` returns the elementwise loss.

    Parameters
    ----------
    y_pred, y_true : array
        Predictions and targets of the same shape.
    reduction : {"mean", "sum", "none"}
    sample_weight : array or float, optional
        Broadcastable to the elementwise loss.
    xp : namespace, optional

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> round(float(ul.msle(np.array([np.e - 1.0]), np.array([0.0]))), 6)
    1.0
    """
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    d = xp.log1p(xp.maximum(y_pred, KERAS_EPSILON)) - xp.log1p(xp.maximum(y_true, KERAS_EPSILON))
    return _core.reduce(xp, d * d, reduction, sample_weight, out)


def mean_absolute_percentage_error(
    y_pred: Array,
    y_true: Array,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Absolute percentage error ``100 * |t - p| / max(|t|, 1e-7)``.

    Native counterpart: ``keras.losses.MeanAbsolutePercentageError`` (same epsilon; PyTorch and
    Optax have none). Arguments as in :func:`mean_squared_logarithmic_error`.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> ul.mape(np.array([1.5, 2.0]), np.array([1.0, 4.0]), reduction="none").tolist()
    [50.0, 50.0]
    """
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    loss = 100.0 * xp.abs(y_true - y_pred) / xp.maximum(xp.abs(y_true), KERAS_EPSILON)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def poisson_nll(
    y_pred: Array,
    y_true: Array,
    *,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Poisson negative log-likelihood of counts ``y_true`` under rates given by ``y_pred``.

    ``exp(y_pred) - t * y_pred`` with ``log_input=True`` (``y_pred`` is the log-rate), else
    ``y_pred - t * log(y_pred + eps)``. ``full=True`` adds Stirling's approximation of
    ``log(t!)``, ``t log t - t + log(2 pi t) / 2``, for targets ``> 1`` only (0 elsewhere).

    Native counterpart: PyTorch ``F.poisson_nll_loss(log_input, full, eps)`` (same semantics and
    defaults). ``keras.losses.Poisson`` computes ``p - t log(p + 1e-7)``: rates only, no
    ``log_input``, another ``eps``; it is :func:`poisson` here (and equals
    ``poisson_nll(log_input=False, eps=1e-7)``).

    Parameters
    ----------
    y_pred : array
        Log-rates (``log_input=True``) or rates.
    y_true : array
        Counts (non-negative), same shape.
    log_input : bool
    full : bool
        Add the Stirling term.
    eps : float
        Added to rates inside the log (``log_input=False``); ``>= 0``.
    reduction, sample_weight, xp
        As in :func:`mean_squared_logarithmic_error`.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> round(float(ul.poisson_nll(np.array([0.0]), np.array([2.0]))), 6)
    1.0
    """
    _core.check_bool(log_input, "log_input")
    _core.check_bool(full, "full")
    eps = _core.check_number(eps, "eps", low=0.0)
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    rate, log_rate = (xp.exp(y_pred), y_pred) if log_input else (y_pred, xp.log(y_pred + eps))
    loss = rate - y_true * log_rate
    if full:
        big = y_true > 1
        t = xp.where(big, y_true, 1.0)  # double where: no log of 0 or of negative counts
        loss = loss + xp.where(big, t * xp.log(t) - t + 0.5 * xp.log(2 * math.pi * t), 0.0)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def poisson(
    y_pred: Array,
    y_true: Array,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Keras' Poisson loss ``p - t * log(p + 1e-7)`` for rates ``p = y_pred`` and counts ``t``.

    Native counterparts: ``keras.losses.Poisson`` and PyTorch ``F.poisson_nll_loss(p, t,
    log_input=False, eps=1e-7)``. See :func:`poisson_nll` for torch's defaults (log-rates).
    Arguments as in :func:`mean_squared_logarithmic_error`.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> round(float(ul.poisson(np.array([1.0]), np.array([3.0]))), 6)
    1.0
    """
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    loss = y_pred - y_true * xp.log(y_pred + KERAS_EPSILON)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def _variance(xp: ModuleType, var: Any, y_pred: Array) -> Array | float:
    """``var`` as a float or an array that broadcasts to ``y_pred`` (torch's shape rules)."""
    if _core.is_number(var):
        return _core.check_number(var, "var", low=0.0)
    if not hasattr(var, "dtype") or not xp.isdtype(var.dtype, "real floating"):
        raise TypeError(f"var must be a real floating array or a float, got {type(var).__name__}")
    var = _core.as_like(xp, var, y_pred, "var")
    ps, vs = _core.shape_of(y_pred), _core.shape_of(var)

    def same(a: int | None, b: int | None) -> bool:
        return a == b or None in (a, b)

    if len(vs) == len(ps) - 1 and all(map(same, ps[:-1], vs)):
        var = xp.expand_dims(var, axis=-1)
    else:
        differ = [b for a, b in zip(ps, vs, strict=False) if not same(a, b)]
        if len(vs) != len(ps) or differ not in ([], [1]):
            raise ValueError(
                f"var of shape {vs} must have y_pred's shape {ps}, that shape without its last "
                "axis, or that shape with one axis of size 1"
            )
    _core.check_nonnegative(var, "var")
    return var


def gaussian_nll(
    y_pred: Array,
    y_true: Array,
    var: Any,
    *,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Gaussian negative log-likelihood ``(log v + (p - t)**2 / v) / 2`` with ``v = max(var, eps)``.

    ``full=True`` adds ``log(2 pi) / 2``. ``var`` is an array of ``y_pred``'s shape
    (heteroscedastic), of that shape without its last axis or with one axis of size 1
    (homoscedastic over that axis), or a float. ``reduction="none"`` returns ``y_pred``'s shape.

    Native counterpart: PyTorch ``F.gaussian_nll_loss(input, target, var, full, eps)`` (same
    values and gradients w.r.t. ``y_pred``). torch clamps ``var`` without gradient tracking, so its
    gradient w.r.t. ``var`` passes through the clamp; here it is 0 for ``var < eps``. Keras and
    Optax have no such loss.

    Parameters
    ----------
    y_pred : array
        Means.
    y_true : array
        Samples, same shape.
    var : array or float
        Variances, ``>= 0``. A negative float raises :class:`ValueError` always; negative array
        entries do where their values may be read (eager arrays on the host) and are not checked
        elsewhere.
    full : bool
        Include the constant.
    eps : float
        Lower clamp of the variance; ``> 0``.
    reduction, sample_weight, xp
        As in :func:`mean_squared_logarithmic_error`.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> ul.gaussian_nll(np.array([1.0, 2.0]), np.array([0.0, 2.0]), 1.0, reduction="none").tolist()
    [0.5, 0.0]
    """
    _core.check_bool(full, "full")
    eps = _core.check_number(eps, "eps", low=0.0, low_open=True)
    arrays = {} if _core.is_number(var) else {"var": var}
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction, **arrays)
    v = _variance(xp, var, y_pred)
    d = y_pred - y_true
    if isinstance(v, float):
        v = max(v, eps)
        loss = 0.5 * (math.log(v) + d * d / v)
    else:
        v = xp.maximum(v, eps)
        loss = 0.5 * (xp.log(v) + d * d / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def tweedie(
    y_pred: Array,
    y_true: Array,
    *,
    power: float = 1.5,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Tweedie negative log-likelihood (up to terms free of ``y_pred``) for a mean ``p > 0``.

    ``-t p**(1 - rho) / (1 - rho) + p**(2 - rho) / (2 - rho)`` with ``rho = power``: LightGBM's
    and XGBoost's ``tweedie`` objective written for the mean instead of its log (their raw score
    ``s`` is ``log p``), as TensorFlow Probability's Tweedie and scikit-learn's
    ``HalfTweedieLoss`` up to terms without ``p``. Targets are non-negative; predictions must be
    positive (``p = 0`` gives ``inf``). No native counterpart in PyTorch, Keras, Optax or MONAI.

    Parameters
    ----------
    power : float
        The variance power ``rho``, in ``(1, 2)`` (compound Poisson-gamma; 1 is Poisson and 2
        gamma, where this formula divides by zero).

    Other arguments as in :func:`mean_squared_logarithmic_error`.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> float(ul.tweedie(np.array([1.0]), np.array([1.0])))
    4.0
    """
    rho = _core.check_number(power, "power", low=1.0, high=2.0, low_open=True, high_open=True)
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    log_p = xp.log(y_pred)
    a, b = 1.0 - rho, 2.0 - rho
    loss = -y_true * xp.exp(a * log_p) / a + xp.exp(b * log_p) / b
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def _l2_normalize(xp: ModuleType, x: Array, axis: int) -> Array:
    """``x / max(||x||, 1e-7)`` (Keras' ``normalize``): zero vectors stay zero, finite gradient."""
    return x / xp.sqrt(xp.maximum(xp.sum(x * x, axis=axis, keepdims=True), KERAS_EPSILON**2))


def cosine_similarity_loss(
    y_pred: Array,
    y_true: Array,
    *,
    axis: int = -1,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Negative cosine similarity ``-sum(t / ||t|| * p / ||p||)`` along ``axis``: -1 is best.

    Norms are floored at ``1e-7`` (Keras 3's ``ops.normalize``: ``x * min(rsqrt(sum x**2),
    1e7)``), so a zero vector gives 0 and a finite gradient (Keras' ``rsqrt`` gives NaN there).
    ``reduction="none"`` gives one value per sample.

    Native counterparts: ``keras.losses.CosineSimilarity(axis)``; ``-optax.cosine_similarity(p,
    t, epsilon=1e-14)`` (Optax floors the squared norm); ``-F.cosine_similarity(p, t, dim,
    eps=1e-8)`` in PyTorch (its floor ``eps`` is on the product of the norms; equal away from
    zero vectors). Keras 2/TF's ``l2_normalize`` floored the squared norm at ``1e-12`` instead.

    Parameters
    ----------
    axis : int
        The vector axis.

    Other arguments as in :func:`mean_squared_logarithmic_error`.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    >>> t = np.array([[0.0, 1.0], [2.0, 2.0], [1.0, 0.0]])
    >>> [round(v, 6) + 0.0 for v in ul.cosine_similarity_loss(p, t, reduction="none").tolist()]
    [0.0, -1.0, 0.0]
    """
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    axis = _core.normalize_axis(axis, y_pred.ndim)
    cos = xp.sum(_l2_normalize(xp, y_pred, axis) * _l2_normalize(xp, y_true, axis), axis=axis)
    return _core.reduce(xp, -cos, reduction, sample_weight, out)


msle = mean_squared_logarithmic_error
mape = mean_absolute_percentage_error
