"""Divergences between probability distributions (and non-negative measures)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ... import _core

Array = Any

__all__ = ["generalized_kl_divergence", "jensen_shannon_divergence", "kl_divergence"]


def _t_log_ratio(
    xp: ModuleType, y_pred: Array, log_input: bool, y_true: Array, log_target: bool
) -> Array:
    """``t * (log t - log p)`` elementwise, 0 where ``t = 0``; NaN-free values and gradients also
    for ``log t = -inf`` and ``log p = -inf`` (double where). Logs of probabilities are clamped at
    -100 (p = 0 stays finite); when both are, ``t = 0`` gives 0 without a mask."""
    log_p = y_pred if log_input else _core.log_clamped(xp, y_pred)
    if not (log_input or log_target):
        return y_true * (_core.log_clamped(xp, y_true) - log_p)
    if log_target:
        zero = y_true == -float("inf")
        log_t = xp.where(zero, 0.0, y_true)
        t = xp.exp(log_t)
    else:
        zero = y_true == 0
        t = y_true
        log_t = _core.log_clamped(xp, y_true)
    return xp.where(zero, 0.0, t * (log_t - xp.where(zero, 0.0, log_p)))


def kl_divergence(
    y_pred: Array,
    y_true: Array,
    *,
    axis: int = -1,
    log_input: bool = False,
    log_target: bool = False,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Kullback-Leibler divergence ``KL(y_true || y_pred) = sum t log(t / p)`` along ``axis``.

    The divergence of the prediction from the target (prediction first, as everywhere here).
    ``0 log 0 = 0``; logs of probabilities are clamped at -100, so a zero prediction where the
    target has mass gives a large finite value instead of ``inf``. Log-probabilities
    (``log_input``, ``log_target``) are taken as given: a target entry of ``-inf`` contributes 0
    (value and gradient, also against a ``-inf`` prediction, where torch and Optax give NaN).

    Native counterparts: ``keras.losses.KLDivergence`` (clips both inputs to ``[1e-7, 1]``),
    Optax ``kl_divergence(log p, t)`` and ``kl_divergence_with_log_targets(log p, log t)``,
    PyTorch ``F.kl_div(log p, t, log_target=log_target)`` (torch takes the prediction as
    log-probabilities: ``log_input=True`` here). ``reduction="none"`` gives one value per
    distribution: the input's shape without ``axis``. ``"mean"`` averages them over every
    remaining axis, as Keras' default does: for ``(N, L, C)`` inputs it divides the sum by
    ``N * L``. torch's ``reduction="batchmean"`` divides the sum by ``N`` only, so it equals this
    mean for 2-D inputs only; for more axes use ``F.kl_div(..., reduction="sum") / (N * L)``.

    Parameters
    ----------
    y_pred, y_true : array
        Distributions along ``axis`` (probabilities, or log-probabilities where asked).
    axis : int
        The distribution axis.
    log_input : bool
        ``y_pred`` holds log-probabilities (torch's ``input``).
    log_target : bool
        ``y_true`` holds log-probabilities (torch's ``log_target``).
    reduction : {"mean", "sum", "none"}
    sample_weight : array or float, optional
        Broadcastable to the per-sample loss.
    xp : namespace, optional

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p, q = np.array([0.2, 0.3, 0.5]), np.array([0.4, 0.3, 0.3])
    >>> round(float(ul.kl_divergence(q, p)), 10)
    0.1167833758
    >>> round(float(ul.kl_divergence(np.log(q), np.log(p), log_input=True, log_target=True)), 10)
    0.1167833758
    """
    _core.check_bool(log_input, "log_input")
    _core.check_bool(log_target, "log_target")
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    axis = _core.normalize_axis(axis, y_pred.ndim)
    terms = _t_log_ratio(xp, y_pred, log_input, y_true, log_target)
    return _core.reduce(xp, xp.sum(terms, axis=axis), reduction, sample_weight, out)


def generalized_kl_divergence(
    y_pred: Array,
    y_true: Array,
    *,
    axis: int = -1,
    log_input: bool = False,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Generalized (unnormalized) KL divergence ``sum t log(t / p) - t + p`` along ``axis``.

    The Bregman divergence of ``x log x - x``: for non-negative measures that need not sum to one
    (the I-divergence of NMF, scikit-learn's ``beta_loss="kullback-leibler"``); it equals
    :func:`kl_divergence` for distributions. ``0 log 0 = 0``; ``log p`` is clamped at -100 as
    there.

    Native counterpart: Optax ``generalized_kl_divergence(log p, t)`` (``log_input=True`` here).
    PyTorch, Keras and MONAI have none.

    Parameters
    ----------
    y_pred, y_true : array
        Non-negative measures along ``axis`` (``y_pred`` as logs with ``log_input``).
    log_input : bool
        ``y_pred`` holds ``log p``.

    Other arguments as in :func:`kl_divergence`.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> round(float(ul.generalized_kl_divergence(np.array([2.0, 1.0]), np.array([1.0, 1.0]))), 6)
    0.306853
    """
    _core.check_bool(log_input, "log_input")
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    axis = _core.normalize_axis(axis, y_pred.ndim)
    p = xp.exp(y_pred) if log_input else y_pred
    terms = _t_log_ratio(xp, y_pred, log_input, y_true, False) - y_true + p
    return _core.reduce(xp, xp.sum(terms, axis=axis), reduction, sample_weight, out)


def jensen_shannon_divergence(
    y_pred: Array,
    y_true: Array,
    *,
    axis: int = -1,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Jensen-Shannon divergence ``KL(p || m) / 2 + KL(t || m) / 2``, ``m = (p + t) / 2``.

    Natural log, so it lies in ``[0, log 2]``; symmetric in its arguments and finite for any
    distributions (zeros included: ``0 log 0 = 0``, and ``m > 0`` wherever either has mass).
    The gradient at ``p = 0`` is taken as 0 (the derivative ``log(p / m) / 2`` is ``-inf``).

    No native counterpart in PyTorch, Keras, Optax or MONAI.

    Parameters
    ----------
    y_pred, y_true : array
        Probability distributions along ``axis``.

    Other arguments as in :func:`kl_divergence`.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> round(float(ul.jensen_shannon_divergence(np.array([1.0, 0.0]), np.array([0.0, 1.0]))), 6)
    0.693147
    """
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    axis = _core.normalize_axis(axis, y_pred.ndim)
    m = 0.5 * (y_pred + y_true)  # where an argument has mass, m >= half of it > 0

    def kl_to_m(x: Array) -> Array:
        return _core.xlogy(xp, x, x) - _core.xlogy(xp, x, m)

    terms = 0.5 * (kl_to_m(y_pred) + kl_to_m(y_true))
    return _core.reduce(xp, xp.sum(terms, axis=axis), reduction, sample_weight, out)
