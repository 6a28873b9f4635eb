"""Smooth and asymmetric penalties: smooth L1, log-cosh, quantile (pinball), Charbonnier,
pseudo-Huber, wing and half the squared error."""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

from .... import _core
from ..basic import huber_terms

Array = Any

__all__ = [
    "charbonnier",
    "l2_loss",
    "log_cosh",
    "pinball",
    "pseudo_huber",
    "quantile",
    "smooth_l1",
    "wing",
]

_LOG2 = math.log(2.0)


def _positive(value: object, name: str) -> float:
    """A finite number > 0."""
    return _core.check_number(value, name, low=0.0, low_open=True, high=math.inf, high_open=True)


def _scaled_square(d: Array, scale: float) -> Array:
    r = d if scale == 1.0 else d / scale
    return r * r


def smooth_l1(
    y_pred: Array,
    y_true: Array,
    *,
    beta: float = 1.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Smooth L1 loss: ``0.5 * d**2 / beta`` if ``|d| < beta`` else ``|d| - 0.5 * beta``.

    Equals ``huber(delta=beta) / beta``; ``beta=0`` is exactly the absolute error (no division by
    zero; its gradient at ``d = 0`` is 0, as torch's).

    Native counterpart: PyTorch ``F.smooth_l1_loss(beta=)`` (same semantics, ``beta=0`` included).

    Parameters
    ----------
    beta : float
        Where the loss turns linear; finite and >= 0.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p, t = np.array([0.5, 3.0]), np.array([0.0, 0.0])
    >>> ul.smooth_l1(p, t, beta=2.0, reduction="none").tolist()
    [0.0625, 2.0]
    """
    beta = _core.check_number(beta, "beta", low=0.0, high=math.inf, high_open=True)
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    a = _core.magnitude(xp, y_pred - y_true)
    if beta == 0.0:
        return _core.reduce(xp, a, reduction, sample_weight, out)
    loss = huber_terms(xp, a, beta)
    return _core.reduce(xp, loss, reduction, sample_weight, out, scale=1 / beta)


def log_cosh(
    y_pred: Array,
    y_true: Array,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Log-cosh loss ``log(cosh(d))``, about ``d**2 / 2`` near 0 and ``|d| - log 2`` far away.

    Computed as ``log1p(cosh(d) - 1)`` for ``|d| < 20``, with ``cosh(d) - 1`` as
    ``m**2 / (2 (1 + m))``, ``m = expm1(|d|)``: full relative precision near 0 (Keras and Optax
    use ``|d| + softplus(-2 |d|) - log 2`` everywhere, which cancels there: their values differ
    by about 1e-16 absolute in float64, 1e-7 in float32). From 20 on it is ``|d| - log 2``, where
    ``log1p(exp(-2 |d|))`` is below float64's rounding (no ``cosh`` overflow: finite and exact
    for ``|d|`` of 1e4 and beyond). The gradient is ``tanh(d)`` (1 in float64 from 20 on).

    Native counterparts (all agree): ``keras.losses.LogCosh``, ``optax.log_cosh``. PyTorch has
    none.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p, t = np.array([0.0, 1e4]), np.array([0.0, 0.0])
    >>> ul.log_cosh(p, t, reduction="none").round(6).tolist()
    [0.0, 9999.306853]
    """
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    # |d| (the gradient at d = 0 is 0 whichever subgradient abs takes: tanh(0) = 0)
    d = xp.abs(y_pred - y_true)
    # cosh(d) - 1 = m**2 / (2 (1 + m)) with m = expm1(d): accurate near 0, one transcendental
    # where sinh takes up to three; capped at 20 so that m stays finite (and the unused branch's
    # gradient 0)
    m = xp.expm1(xp.minimum(d, 20.0))
    loss = xp.where(d < 20.0, xp.log1p((0.5 * m) * m / (m + 1)), d - _LOG2)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def quantile(
    y_pred: Array,
    y_true: Array,
    *,
    q: float = 0.5,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Quantile (pinball) loss: ``max(q * e, (q - 1) * e)`` with ``e = y_true - y_pred``.

    Under-prediction costs ``q`` per unit, over-prediction ``1 - q``; its minimizer is the
    ``q``-quantile of the target. ``q=0.5`` is half the absolute error. At ``e = 0`` the gradient
    w.r.t. ``y_pred`` is ``-q`` (the ``e >= 0`` side). ``pinball`` is the same function.

    Native counterparts: none in torch, Keras 3 or Optax (TensorFlow Addons' ``pinball_loss``,
    now retired, had ``tau`` for ``q``); tested against a NumPy reference.

    Parameters
    ----------
    q : float
        The quantile, in (0, 1).

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p, t = np.array([0.0, 2.0]), np.array([1.0, 1.0])
    >>> ul.quantile(p, t, q=0.9, reduction="none").round(9).tolist()
    [0.9, 0.1]
    """
    q = _core.check_number(q, "q", low=0.0, high=1.0, low_open=True, high_open=True)
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    e = y_true - y_pred
    loss = xp.where(e >= 0, q * e, (q - 1.0) * e)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def charbonnier(
    y_pred: Array,
    y_true: Array,
    *,
    epsilon: float = 1e-3,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Charbonnier loss ``sqrt(d**2 + epsilon**2) - epsilon``: a smooth absolute error.

    We subtract ``epsilon`` so the loss is 0 at a perfect prediction (Barron's form, as kornia's
    ``charbonnier_loss``, which is this loss with ``epsilon=1``). Image-restoration code (LapSRN,
    EDVR) often omits it: that shifts the value by ``epsilon`` and leaves the gradient unchanged.
    Computed as ``d**2 / (sqrt(d**2 + epsilon**2) + epsilon)`` (no cancellation for small ``d``).
    Equals ``pseudo_huber(delta=epsilon) / epsilon``.

    Native counterparts: none in torch, Keras 3 or Optax. kornia ``losses.charbonnier_loss``
    has no ``epsilon`` (it is 1 in the data's units): ``epsilon * charbonnier_loss(p / epsilon,
    t / epsilon)`` equals this loss.

    Parameters
    ----------
    epsilon : float
        Smoothing scale, finite and > 0 (about where the loss turns from quadratic to linear).

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p, t = np.array([0.0, 3.0]), np.array([0.0, -1.0])
    >>> ul.charbonnier(p, t, epsilon=3.0, reduction="none").tolist()
    [0.0, 2.0]
    """
    epsilon = _positive(epsilon, "epsilon")
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    d = y_pred - y_true
    d2 = d * d
    loss = d2 / (xp.sqrt(d2 + epsilon * epsilon) + epsilon)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def pseudo_huber(
    y_pred: Array,
    y_true: Array,
    *,
    delta: float = 1.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Pseudo-Huber loss ``delta**2 * (sqrt(1 + (d / delta)**2) - 1)``.

    A smooth Huber: ``d**2 / 2`` near 0, ``delta * |d|`` asymptotically. Computed as
    ``d**2 / (sqrt(1 + (d / delta)**2) + 1)``. Barron's general loss with ``alpha=1``,
    ``scale=delta`` times ``delta**2``.

    Native counterparts: none in torch, Keras 3 or Optax. kornia ``losses.charbonnier_loss`` is
    this loss at ``delta=1``; ``delta**2 * charbonnier_loss(p / delta, t / delta)`` equals it for
    any ``delta``.

    Parameters
    ----------
    delta : float
        Scale, finite and > 0.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p, t = np.array([0.0, 4.0]), np.array([0.0, 0.0])
    >>> ul.pseudo_huber(p, t, delta=3.0, reduction="none").round(9).tolist()
    [0.0, 6.0]
    """
    delta = _positive(delta, "delta")
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    d = y_pred - y_true
    d2 = d * d
    loss = d2 / (xp.sqrt(1.0 + _scaled_square(d, delta)) + 1.0)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def wing(
    y_pred: Array,
    y_true: Array,
    *,
    width: float = 5.0,
    curvature: float = 0.5,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Wing loss (Feng et al., CVPR 2018), for landmark localisation.

    ``w * log(1 + |d| / eps)`` if ``|d| < w`` else ``|d| - C`` with ``C = w - w * log(1 + w / eps)``
    (continuous at ``|d| = w``); ``w`` is ``width``, ``eps`` is ``curvature``. Its gradient at
    ``d = 0`` is 0 (the subgradient torch's ``abs`` gives).

    Native counterparts: none in torch, Keras 3 or Optax; tested against a NumPy reference.

    Parameters
    ----------
    width : float
        ``w``, the half-width of the logarithmic part; finite and > 0.
    curvature : float
        ``eps``, the curvature of the logarithmic part; finite and > 0.

    References
    ----------
    Z.-H. Feng et al., "Wing Loss for Robust Facial Landmark Localisation with Convolutional
    Neural Networks", CVPR 2018.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p, t = np.array([0.0, 1.0]), np.array([0.0, 0.0])
    >>> ul.wing(p, t, width=1.0, curvature=1.0, reduction="none").tolist()
    [0.0, 0.6931471805599453]
    """
    width = _positive(width, "width")
    curvature = _positive(curvature, "curvature")
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    u = _core.magnitude(xp, y_pred - y_true)
    a = xp.minimum(u, width)  # the log part up to w, the linear part beyond
    loss = width * xp.log1p(a / curvature) + (u - a)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def l2_loss(
    y_pred: Array,
    y_true: Array,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Half the squared error, ``0.5 * d**2`` (Optax's convention).

    Conventions differ: torch ``F.mse_loss``, Keras ``MeanSquaredError`` and Optax
    ``squared_error`` are ``d**2`` (:func:`mean_squared_error`); Optax ``l2_loss`` is
    ``0.5 * d**2`` (this loss, as in Bishop's PRML); Barron's general loss at ``alpha=2`` is this
    of ``d / c``.

    Native counterparts: ``optax.l2_loss``; in PyTorch, half of ``F.mse_loss``.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> float(ul.l2_loss(np.array([1.0, 2.0]), np.array([0.0, 4.0])))
    1.25
    """
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    d = y_pred - y_true
    return _core.reduce(xp, d * d, reduction, sample_weight, out, scale=0.5)


pinball = quantile
