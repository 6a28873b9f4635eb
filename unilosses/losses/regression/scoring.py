"""Proper scoring rules for probabilistic forecasts: the continuous ranked probability score (CRPS)
of a Gaussian forecast (closed form) and of an ensemble (samples).

The CRPS of a forecast distribution ``F`` at the observation ``y`` is
``integral (F(x) - 1{y <= x})^2 dx = E|X - y| - E|X - X'| / 2`` (``X, X'`` independent draws of
``F``): the mean absolute error of a point forecast, generalized to distributions, in the units
of ``y``. It is minimized in expectation by the true distribution (Gneiting and Raftery 2007).
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

from ... import _core

Array = Any

__all__ = ["crps_ensemble", "crps_gaussian"]

_SQRT_2_PI = math.sqrt(2 / math.pi)  # 2 phi(0)
_INV_SQRT_PI = 1 / math.sqrt(math.pi)
# beyond |y - mu| = 40 sigma, erf is 1 and the density 0 in float64: the CRPS is |y - mu| - sigma
# / sqrt(pi), computed without dividing by sigma
_FAR = 40.0
ESTIMATORS = ("nrg", "fair")


def crps_gaussian(
    mu: Array,
    sigma: Any,
    y: Array,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """CRPS of the Gaussian forecast ``N(mu, sigma^2)`` at the observation ``y``, in closed form.

    .. math::
        \\mathrm{CRPS} = \\sigma \\Big[ z \\,(2 \\Phi(z) - 1) + 2 \\varphi(z)
        - \\tfrac{1}{\\sqrt{\\pi}} \\Big], \\qquad z = \\frac{y - \\mu}{\\sigma}

    (Gneiting et al. 2005), computed as ``(y - mu) erf(z / sqrt 2) + sigma (2 phi(z) - 1 /
    sqrt(pi))``. ``sigma = 0`` gives ``|y - mu|`` (the limit: the forecast is a point), and
    ``|y - mu| > 40 sigma`` gives ``|y - mu| - sigma / sqrt(pi)`` (equal to the formula in float64)
    without dividing by ``sigma``, so values and gradients are finite for any ``sigma >= 0``.
    Elementwise: ``reduction="none"`` returns ``mu``'s shape.

    Native counterpart: ``scoringrules.crps_normal(y, mu, sigma)`` (the observation first there).
    torch, Keras and Optax have none.

    Parameters
    ----------
    mu : array
        Forecast means (gradients flow to them, and to ``sigma``).
    sigma : array or float
        Forecast standard deviations, ``>= 0``, broadcastable to ``mu``'s shape. A negative float
        raises :class:`ValueError` always, negative array entries where values may be read (eager
        arrays on the host).
    y : array
        Observations, ``mu``'s shape.
    reduction : {"mean", "sum", "none"}
    sample_weight : array or float, optional
        Broadcastable to the elementwise loss.
    xp : namespace, optional

    References
    ----------
    Gneiting, Raftery, Westveld and Goldman, "Calibrated probabilistic forecasting using ensemble
    model output statistics and minimum CRPS estimation", Monthly Weather Review 133 (2005).
    Gneiting and Raftery, "Strictly proper scoring rules, prediction, and estimation", JASA 102
    (2007).

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> round(float(ul.crps_gaussian(np.array([0.0]), 1.0, np.array([0.0]))), 10)
    0.2336949773
    >>> float(ul.crps_gaussian(np.array([0.0]), 0.0, np.array([-2.0])))  # a point forecast
    2.0
    """
    arrays = {"mu": mu, "y": y} if _core.is_number(sigma) else {"mu": mu, "sigma": sigma, "y": y}
    xp, values, out = _core.prepare_named(arrays, xp=xp, reduction=reduction)
    m, t = values[0], values[-1]
    _core.check_same_shape(m, t, "mu", "y")
    if _core.is_number(sigma):
        s = _core.check_number(sigma, "sigma", low=0.0)
    else:
        s = values[1]
        if not _core.shapes_match(_core.shape_of(s), _core.shape_of(m), broadcast=True):
            raise ValueError(
                f"sigma of shape {_core.shape_of(s)} must broadcast to mu's shape "
                f"{_core.shape_of(m)}"
            )
        _core.check_nonnegative(s, "sigma")
    e = t - m
    size = _core.magnitude(xp, e)
    near = (size <= _FAR * s) & (s > 0)  # (double where: z divides by sigma only there)
    z = xp.where(near, e, 0) / xp.where(near, s, 1)
    close = e * _core.erf(xp, z / math.sqrt(2)) + s * (
        _SQRT_2_PI * xp.exp(-0.5 * z * z) - _INV_SQRT_PI
    )
    loss = xp.where(near, close, size - s * _INV_SQRT_PI)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def crps_ensemble(
    samples: Array,
    y: Array,
    *,
    estimator: str = "nrg",
    axis: int = -1,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """CRPS of an ensemble forecast (``M`` members along ``axis``) at the observation ``y``.

    The energy form over the members ``x_1 .. x_M``:

    .. math::
        \\mathrm{CRPS} = \\frac{1}{M} \\sum_i |x_i - y|
        - \\frac{1}{2 M^2} \\sum_{i, j} |x_i - x_j|

    with ``estimator="nrg"``: the CRPS of the ensemble's empirical distribution, the
    default of scoringrules (its ``"qd"`` quantile decomposition and ``"nrg"`` give this same
    value). ``estimator="fair"`` divides the spread term by ``2 M (M - 1)`` instead (Ferro
    2014): an unbiased estimate of the CRPS of the distribution the members are drawn from
    (scoringrules' ``"fair"``, and ``"pwm"`` with the same value); it needs ``M >= 2``.
    ``reduction="none"`` returns ``y``'s shape. The pairwise differences take ``M^2`` values per
    forecast; ``|.|`` has gradient 0 at ties (members equal to each other or to ``y``).

    Native counterpart: ``scoringrules.crps_ensemble(y, samples, m_axis=axis,
    estimator=...)`` (the observation first there). torch, Keras and Optax have none.

    Parameters
    ----------
    samples : array
        Ensemble members along ``axis`` (gradients flow to them).
    y : array
        Observations: ``samples``' shape without ``axis``.
    estimator : {"nrg", "fair"}
        The spread term's normalization: ``M^2`` or ``M (M - 1)``.
    axis : int
        The member axis of ``samples``.
    reduction : {"mean", "sum", "none"}
    sample_weight : array or float, optional
        Broadcastable to ``y``'s shape.
    xp : namespace, optional

    References
    ----------
    Gneiting and Raftery, "Strictly proper scoring rules, prediction, and estimation", JASA 102
    (2007). Ferro, "Fair scores for ensemble forecasts", QJRMS 140 (2014).

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> x = np.array([[0.0, 1.0]])  # two members; observation 0
    >>> float(ul.crps_ensemble(x, np.array([0.0])))  # 1/2 - 2 / (2 * 4)
    0.25
    >>> float(ul.crps_ensemble(x, np.array([0.0]), estimator="fair"))  # 1/2 - 2 / (2 * 2)
    0.0
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
    xp, (x, t), out = _core.prepare_named(
        {"samples": samples, "y": y}, xp=xp, reduction=reduction
    )
    k = _core.normalize_axis(axis, x.ndim)
    if k != x.ndim - 1:
        x = xp.moveaxis(x, k, -1)
    want = _core.shape_of(x)[:-1]
    if not _core.shapes_match(_core.shape_of(t), want):
        raise ValueError(
            f"y must have the shape of samples without its member axis {axis}, {want}; got "
            f"{_core.shape_of(t)}"
        )
    members = x.shape[-1]
    if isinstance(members, int) and members < (2 if estimator == "fair" else 1):
        raise ValueError(
            f"samples has {members} members along axis {axis}; estimator={estimator!r} needs "
            f"at least {2 if estimator == 'fair' else 1}"
        )
    error = xp.mean(_core.magnitude(xp, x - t[..., None]), axis=-1)
    spread = xp.mean(_core.magnitude(xp, x[..., :, None] - x[..., None, :]), axis=(-2, -1))
    if estimator == "fair":
        m = members if isinstance(members, int) else xp.sum(xp.ones_like(x), axis=-1)
        spread = spread * (m / (m - 1))
    return _core.reduce(xp, error - 0.5 * spread, reduction, sample_weight, out)
