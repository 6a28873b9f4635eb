"""Bounded robust kernels: Cauchy, Welsch, Geman-McClure (kornia's, with a scale) and Barron's
general loss, which contains them all."""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

from .... import _core
from .smooth import _positive, _scaled_square

Array = Any

__all__ = ["cauchy", "geman_mcclure", "general_robust", "welsch"]

# general_robust takes the limit for alpha this close to 2 or 0: the terms it neglects are below
# float64 rounding, and |alpha - 2| / alpha and z / |alpha - 2| stay finite in float32
_NEAR_2, _NEAR_0 = 1e-15, 1e-30


def cauchy(
    y_pred: Array,
    y_true: Array,
    *,
    c: float = 1.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Cauchy (Lorentzian) loss ``log(1 + (d / c)**2 / 2)``; Barron's ``alpha=0``.

    Native counterparts: none in torch, Keras 3 or Optax. kornia ``losses.cauchy_loss`` has no
    scale (``c=1`` in the data's units): ``cauchy_loss(p / c, t / c)`` equals this loss.

    Parameters
    ----------
    c : float
        Scale, finite and > 0.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p, t = np.array([0.0, 2.0]), np.array([0.0, 0.0])
    >>> ul.cauchy(p, t, c=2.0, reduction="none").tolist()
    [0.0, 0.4054651081081644]
    """
    c = _positive(c, "c")
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    loss = xp.log1p(0.5 * _scaled_square(y_pred - y_true, c))
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def welsch(
    y_pred: Array,
    y_true: Array,
    *,
    c: float = 1.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Welsch (Leclerc) loss ``1 - exp(-(d / c)**2 / 2)``, bounded by 1; Barron's ``alpha=-inf``.

    Native counterparts: none in torch, Keras 3 or Optax. kornia ``losses.welsch_loss`` has no
    scale (``c=1`` in the data's units): ``welsch_loss(p / c, t / c)`` equals this loss.

    Parameters
    ----------
    c : float
        Scale, finite and > 0.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p, t = np.array([0.0, 100.0]), np.array([0.0, 0.0])
    >>> ul.welsch(p, t, reduction="none").tolist()
    [0.0, 1.0]
    """
    c = _positive(c, "c")
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    loss = -xp.expm1(-0.5 * _scaled_square(y_pred - y_true, c))
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def geman_mcclure(
    y_pred: Array,
    y_true: Array,
    *,
    c: float = 1.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Geman-McClure loss ``2 (d / c)**2 / ((d / c)**2 + 4)``, bounded by 2; Barron's ``alpha=-2``.

    Native counterparts: none in torch, Keras 3 or Optax. kornia ``losses.geman_mcclure_loss``
    has no scale (``c=1`` in the data's units): ``geman_mcclure_loss(p / c, t / c)`` equals this
    loss.

    Parameters
    ----------
    c : float
        Scale, finite and > 0.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p, t = np.array([0.0, 4.0]), np.array([0.0, 0.0])
    >>> ul.geman_mcclure(p, t, c=2.0, reduction="none").tolist()
    [0.0, 1.0]
    """
    c = _positive(c, "c")
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    z = _scaled_square(y_pred - y_true, c)
    return _core.reduce(xp, 2.0 * z / (z + 4.0), reduction, sample_weight, out)


def general_robust(
    y_pred: Array,
    y_true: Array,
    *,
    alpha: float,
    scale: float = 1.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Barron's general and adaptive robust loss, with shape ``alpha`` and scale ``c``.

    ``rho = |alpha - 2| / alpha * (((d / c)**2 / |alpha - 2| + 1)**(alpha / 2) - 1)``, with its
    limits ``(d / c)**2 / 2`` at ``alpha=2``, ``log((d / c)**2 / 2 + 1)`` at ``alpha=0``,
    ``1 - exp(-(d / c)**2 / 2)`` at ``alpha=-inf`` and ``exp((d / c)**2 / 2) - 1`` at
    ``alpha=inf``. ``alpha=1`` is ``sqrt((d / c)**2 + 1) - 1`` (pseudo-Huber/Charbonnier),
    ``alpha=-2`` Geman-McClure, ``alpha=0`` Cauchy, ``alpha=-inf`` Welsch.

    ``alpha`` is a Python number, fixed per call (not a learned array). Between the limits the
    power is computed as ``expm1(alpha / 2 * log1p(z / |alpha - 2|))``, accurate for ``alpha``
    close to 0 and 2; within 1e-30 of 0 and 1e-15 of 2 the limit is used (the difference is
    below float64 rounding). Barron's reference code (``robust_loss_pytorch``) instead clamps
    ``|alpha|`` and ``|alpha - 2|`` at float32's machine epsilon and takes ``pow(...) - 1``,
    which loses precision for ``alpha`` near 0 (its approximate form shifts ``alpha`` by 1e-6).

    Native counterparts: none in torch, Keras 3 or Optax; tested against float64 NumPy and
    mpmath references. kornia's kernels are four of its cases, on ``p / scale`` and
    ``t / scale``: ``charbonnier_loss`` (``alpha=1``), ``cauchy_loss`` (0), ``geman_mcclure_loss``
    (-2) and ``welsch_loss`` (``-inf``).

    Parameters
    ----------
    alpha : float
        Shape; any real number or +-inf (not NaN).
    scale : float
        The scale ``c``, finite and > 0.

    References
    ----------
    J. T. Barron, "A General and Adaptive Robust Loss Function", CVPR 2019.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p, t = np.array([0.0, 3.0]), np.array([0.0, -1.0])
    >>> ul.general_robust(p, t, alpha=-2.0, reduction="none").round(9).tolist()
    [0.0, 1.6]
    """
    alpha = _core.check_number(alpha, "alpha")
    scale = _positive(scale, "scale")
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    z = _scaled_square(y_pred - y_true, scale)
    b = abs(alpha - 2.0)
    if b < _NEAR_2:
        loss = 0.5 * z
    elif abs(alpha) < _NEAR_0:
        loss = xp.log1p(0.5 * z)
    elif alpha == -math.inf:
        loss = -xp.expm1(-0.5 * z)
    elif alpha == math.inf:
        loss = xp.expm1(0.5 * z)
    else:
        loss = (b / alpha) * xp.expm1((0.5 * alpha) * xp.log1p(z / b))
    return _core.reduce(xp, loss, reduction, sample_weight, out)
