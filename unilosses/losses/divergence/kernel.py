"""Kernel distances between point clouds: the maximum mean discrepancy."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ... import _core
from ._points import count, distances, point_clouds, squared_distances

Array = Any

__all__ = ["mmd"]

KERNELS = ("gaussian", "laplacian", "energy")
ESTIMATORS = ("unbiased", "biased")


def _gram(xp: ModuleType, x: Array, y: Array, kernel: str, bandwidth: float) -> Array:
    """``k(x_i, y_j)``: ``(..., n, m)``."""
    squared = squared_distances(xp, x, y)
    if kernel == "gaussian":
        return xp.exp(squared * (-0.5 / bandwidth**2))
    d = distances(xp, squared)
    return xp.exp(d * (-1 / bandwidth)) if kernel == "laplacian" else -d


def _mean_within(xp: ModuleType, gram: Array, k0: float, unbiased: bool) -> Array:
    """The mean of a cloud's Gram matrix ``(..., n, n)``: over all pairs, or (unbiased) over the
    pairs of distinct points, whose diagonal holds ``k(x, x) = k0``."""
    total = xp.sum(gram, axis=(-2, -1))
    n = count(xp, gram[..., 0], -1)
    return (total - n * k0) / (n * (n - 1)) if unbiased else total / (n * n)


def mmd(
    x: Array,
    y: Array,
    *,
    kernel: str = "gaussian",
    bandwidth: float = 1.0,
    estimator: str = "unbiased",
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Squared maximum mean discrepancy between the point clouds ``x`` and ``y``.

    .. math::
        \\mathrm{MMD}^2 = \\mathbb{E}\\, k(x, x') + \\mathbb{E}\\, k(y, y')
        - 2\\, \\mathbb{E}\\, k(x, y)

    over the clouds' points (Gretton et al. 2012). ``estimator="unbiased"`` averages the
    within-cloud terms over pairs of distinct points (the U-statistic: an unbiased estimate of
    the population MMD², which can be slightly negative; needs 2 points per cloud);
    ``"biased"`` over all pairs (the V-statistic: the MMD² of the empirical measures, ``>= 0``).
    Kernels, with ``s = bandwidth``: ``"gaussian"`` ``exp(-|x - y|^2 / (2 s^2))``,
    ``"laplacian"`` ``exp(-|x - y| / s)`` and ``"energy"`` ``-|x - y|`` (no bandwidth: the
    biased estimate is the energy distance ``2 E|x - y| - E|x - x'| - E|y - y'|``). ``|.|`` has
    gradient 0 between equal points. The Gram matrices take ``n^2``, ``m^2`` and ``n m`` values
    per pair of clouds, built from the differences (``D`` times that as a temporary).

    Native counterpart: ``geomloss.SamplesLoss(kernel, blur=bandwidth)`` (``"gaussian"``,
    ``"laplacian"``, ``"energy"``) is half the biased estimate (its distances are floored at
    ``1e-4``, which moves the laplacian and energy values by about ``1e-4 / n``). torch, Keras
    and Optax have none.

    Parameters
    ----------
    x : array
        Points ``(..., n, D)``: clouds along the last two axes, any leading batch axes.
        Gradients flow to them.
    y : array
        Points ``(..., m, D)``, ``x``'s batch axes and features.
    kernel : {"gaussian", "laplacian", "energy"}
    bandwidth : float
        The kernel's length scale ``s``, ``> 0`` (unused by ``"energy"``).
    estimator : {"unbiased", "biased"}
    reduction : {"mean", "sum", "none"}
        ``"none"`` gives one value per pair of clouds: the batch axes' shape.
    sample_weight : array or float, optional
        Broadcastable to the batch axes.
    xp : namespace, optional

    References
    ----------
    Gretton, Borgwardt, Rasch, Schölkopf and Smola, "A kernel two-sample test", JMLR 13 (2012).
    Székely and Rizzo, "Energy statistics: a class of statistics based on distances", JSPI 143
    (2013).

    Examples
    --------
    One point per cloud at distance 1 (biased: ``1 + 1 - 2 exp(-1/2)``):

    >>> import numpy as np, unilosses as ul
    >>> x, y = np.array([[0.0, 0.0]]), np.array([[1.0, 0.0]])
    >>> round(float(ul.mmd(x, y, estimator="biased")), 10)
    0.7869386806
    """
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {KERNELS}, got {kernel!r}")
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
    bandwidth = _core.check_number(bandwidth, "bandwidth", low=0.0, low_open=True)
    xp, (a, b), out = point_clouds({"x": x, "y": y}, xp, reduction)
    unbiased = estimator == "unbiased"
    if unbiased:
        for name, points in (("x", a), ("y", b)):
            n = points.shape[-2]
            if isinstance(n, int) and n < 2:
                raise ValueError(
                    f"{name} has {n} point(s) per cloud; estimator='unbiased' needs at least 2"
                )
    k0 = 0.0 if kernel == "energy" else 1.0
    loss = (
        _mean_within(xp, _gram(xp, a, a, kernel, bandwidth), k0, unbiased)
        + _mean_within(xp, _gram(xp, b, b, kernel, bandwidth), k0, unbiased)
        - 2 * xp.mean(_gram(xp, a, b, kernel, bandwidth), axis=(-2, -1))
    )
    return _core.reduce(xp, loss, reduction, sample_weight, out)
