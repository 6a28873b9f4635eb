"""Math primitives the array API standard lacks: log-space functions, gathers, flattening, class
indices, sorting and the sparsemax support.

Each primitive with a library kernel (``_namespace.kernels``) runs that kernel where the library
has one and the generic array-API formula (:data:`GENERIC`) elsewhere; tests compare the two. A
primitive with two algorithms picks one by what the library can do (``_namespace.capable``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType
from typing import Any

from .. import _namespace
from .._namespace import kernels
from .validation import numel, shape_of

Array = Any
LOG_FLOOR = -100.0  # torch's binary_cross_entropy clamps log(p) here
LOG_ZERO = -1e30  # finite stand-in for log(0): exp gives 0, and 0 * it gives 0, in float32 too


# --- the generic formulas ---------------------------------------------------------------------


def max_along(xp: ModuleType, x: Array, axis: int, keepdims: bool = False) -> Array:
    """``xp.max`` along ``axis``; an empty array gets its (empty) result from a sum instead, since
    some libraries (Dask) cannot take the max of nothing."""
    if 0 in x.shape:
        return xp.sum(x, axis=axis, keepdims=keepdims)
    return xp.max(x, axis=axis, keepdims=keepdims)


def _finite_max(xp: ModuleType, x: Array, axis: int) -> Array:
    """The max along ``axis`` (kept), 0 where it is infinite: the shift of a stable log-sum-exp."""
    m = max_along(xp, x, axis, keepdims=True)
    return xp.where(xp.isfinite(m), m, 0)


def _generic_logsumexp(xp: ModuleType, x: Array, axis: int, keepdims: bool = False) -> Array:
    m = _finite_max(xp, x, axis)
    out = xp.log(xp.sum(xp.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else xp.squeeze(out, axis=axis)


def _generic_log_softmax(xp: ModuleType, x: Array, axis: int) -> Array:
    """``(x - m) - log(sum(exp(x - m)))``: subtracting the max first keeps the small differences
    exact (``x - logsumexp(x)`` loses them next to logits of 1e4 in float32)."""
    z = x - _finite_max(xp, x, axis)
    return z - xp.log(xp.sum(xp.exp(z), axis=axis, keepdims=True))


def _generic_log_sigmoid(xp: ModuleType, x: Array) -> Array:
    return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))


def _generic_magnitude(xp: ModuleType, x: Array) -> Array:
    return x * xp.sign(x)


def _generic_take_along_axis(xp: ModuleType, x: Array, indices: Array, axis: int) -> Array:
    """A one-hot masked sum over a new axis after ``axis`` (non-negative): no gather needed, and
    -inf entries stay harmless; its temporary is ``x.shape[axis]`` times larger than the result."""
    shape = [1] * (x.ndim + 1)
    shape[axis + 1] = x.shape[axis]
    classes = xp.arange(x.shape[axis], dtype=indices.dtype, device=_namespace.device(x))
    hit = xp.expand_dims(indices, axis=axis + 1) == xp.reshape(classes, tuple(shape))
    return xp.sum(xp.where(hit, xp.expand_dims(x, axis=axis), 0), axis=axis + 1)


def _generic_flatten(xp: ModuleType, x: Array, start: int) -> Array:
    """Axes ``start, start + 1, ...`` merged into one; needs the leading sizes (or the trailing
    ones)."""
    head, tail = shape_of(x)[:start], shape_of(x)[start:]
    n = numel(tail)
    if None not in head:  # (-1 cannot be inferred when a leading size is 0: give the size)
        return xp.reshape(x, (*head, -1 if n is None else n))
    if n is None or head.count(None) > 1:
        raise ValueError(
            f"cannot flatten axes {start}.. of an array of unknown shape {shape_of(x)}"
        )
    return xp.reshape(x, (*(-1 if d is None else d for d in head), n))


def _generic_stop_gradient(xp: ModuleType, x: Array) -> Array:
    """The identity: a library without autodiff has no gradient to stop."""
    return x


def _generic_repeat(xp: ModuleType, n: int, body: Callable[[Any], Any], state: Any) -> Any:
    """A Python loop (tracers unroll it into ``n`` copies of the body)."""
    for _ in range(n):
        state = body(state)
    return state


# the array-API formulas, by the name of the library kernel that replaces each where it has one
GENERIC: dict[str, Callable[..., Array]] = {
    "magnitude": _generic_magnitude,
    "stop_gradient": _generic_stop_gradient,
    "repeat": _generic_repeat,
    "logsumexp": _generic_logsumexp,
    "log_softmax": _generic_log_softmax,
    "log_sigmoid": _generic_log_sigmoid,
    "take_along_axis": _generic_take_along_axis,
    "flatten": _generic_flatten,
}


def _dispatch(xp: ModuleType, name: str, *args: Any) -> Array:
    """Primitive ``name`` of ``args``: the library's kernel where it has one, else the generic
    formula."""
    fast = kernels(xp).get(name)
    return fast(*args) if fast is not None else GENERIC[name](xp, *args)


# --- log-space math ---------------------------------------------------------------------------


def magnitude(xp: ModuleType, x: Array) -> Array:
    """``|x|`` whose gradient is ``sign(x)``, 0 at ``x = 0`` on every library (torch's and TF's
    convention; JAX differentiates ``abs`` to 1 there, so it gets ``x * sign(x)``)."""
    return _dispatch(xp, "magnitude", x)


def stop_gradient(xp: ModuleType, x: Array) -> Array:
    """``x`` as a constant for autodiff: the same values, and no gradient flows back through it
    (the identity for libraries without autodiff)."""
    return _dispatch(xp, "stop_gradient", x)


def repeat(xp: ModuleType, n: int, body: Callable[[Any], Any], state: Any) -> Any:
    """``state = body(state)``, ``n`` times (``state``: a tuple of arrays of fixed shapes and
    dtypes): the library's loop where it has one that compiles the body once (a traced Python
    loop is ``n`` copies of it), else a Python loop."""
    return _dispatch(xp, "repeat", n, body, state)


def logsumexp(xp: ModuleType, x: Array, axis: int, keepdims: bool = False) -> Array:
    return _dispatch(xp, "logsumexp", x, axis, keepdims)


def log_softmax(xp: ModuleType, x: Array, axis: int) -> Array:
    return _dispatch(xp, "log_softmax", x, axis)


def log_sigmoid(xp: ModuleType, x: Array) -> Array:
    """log(sigmoid(x)) = -softplus(-x), without overflow for large |x|."""
    return _dispatch(xp, "log_sigmoid", x)


def softplus(xp: ModuleType, x: Array) -> Array:
    return -log_sigmoid(xp, -x)


_LOG_ARGUMENT_FLOORS: dict[Any, float] = {}


def log_argument_floor(xp: ModuleType, dtype: Any) -> float:
    """The smallest ``p`` whose log :func:`log_clamped` takes: ``exp(-100)`` where that is a normal
    number of ``dtype`` (float64), else the dtype's smallest normal number. Never subnormal, so
    libraries that flush subnormals to zero (XLA, torch with ``set_flush_denormal``) see the same
    constant, and ``1 / floor`` (the log's gradient there) is finite."""
    key = (id(xp), str(dtype))  # (dtypes of two libraries may not compare quietly)
    floor = _LOG_ARGUMENT_FLOORS.get(key)
    if floor is None:
        floor = max(float(xp.finfo(dtype).smallest_normal), math.exp(LOG_FLOOR))
        _LOG_ARGUMENT_FLOORS[key] = floor
    return floor


def _log_above(xp: ModuleType, p: Array) -> Array:
    """log(p) for p at or above the floor, -100 below it (double where: neither side's gradient
    ever sees log(0)); NaN stays NaN."""
    small = p < log_argument_floor(xp, p.dtype)
    return xp.where(small, LOG_FLOOR, xp.log(xp.where(small, 1, p)))


def log_clamped(xp: ModuleType, p: Array) -> Array:
    """log(p) clamped below at -100 (torch's BCE convention): finite value and gradient at p = 0,
    no warning. Below the dtype's smallest normal number (where float32 cannot reach -100) the
    value is -100, as with subnormals flushed to zero; the gradient is 0 there."""
    return _log_above(xp, p)


def log1m_clamped(xp: ModuleType, p: Array) -> Array:
    """log(1 - p) clamped below at -100, as torch's binary_cross_entropy computes it."""
    return _log_above(xp, 1 - p)


def xlogy(xp: ModuleType, x: Array, y: Array) -> Array:
    """x * log(y) with 0 * log(0) = 0 (and a finite gradient there)."""
    zero = x == 0
    return xp.where(zero, 0, x * xp.log(xp.where(zero, 1, y)))


def logaddexp(xp: ModuleType, a: Array, b: Array) -> Array:
    """log(exp(a) + exp(b)) for finite ``a``, ``b``; the gradient is exact everywhere, also at
    ``a == b`` (1/2 each), where max-based formulas give one side all of it."""
    first = a >= b
    return xp.where(first, a, b) + softplus(xp, xp.where(first, b - a, a - b))


def log_softmax_and_log1m(xp: ModuleType, x: Array, axis: int) -> tuple[Array, Array]:
    """``(log p, log(1 - p))`` for ``p = softmax(x)`` along ``axis``.

    Both are computed from ``x - max(x)``, so large logits lose nothing to rounding (``x - lse``
    with ``lse`` near 1e4 is off by 5e-4 in float32). For every class but a unique maximum p < 1/2
    and ``log1p(-p)`` is accurate; for a unique maximum ``log(1 - p)`` is the log-sum-exp of the
    other logits minus that of all, so logits (1e4, 0, 0) give ``log(2) - 1e4``, not ``log(0)``.
    Values and gradients are finite for finite logits (``-inf`` entries, masked classes, give
    ``log p = -inf`` and are otherwise harmless); tied maxima have exact gradients too. A single
    class gives a huge negative number for ``log(0)``.
    """
    z = x - max_along(xp, x, axis, keepdims=True)
    lse = logsumexp(xp, z, axis, keepdims=True)  # in [0, log C]
    log_p = z - lse
    top = z == 0
    unique = top & (xp.sum(xp.astype(top, z.dtype), axis=axis, keepdims=True) == 1)
    others = logsumexp(xp, xp.where(top, LOG_ZERO, z), axis, keepdims=True) - lse
    # double where: the unique maximum's log1p(-p) would be log(0), with an infinite gradient
    rest = xp.log1p(-xp.exp(xp.where(unique, -1.0, log_p)))
    return log_p, xp.where(unique, others, rest)


# --- the error function -----------------------------------------------------------------------

# W. J. Cody's rational Chebyshev approximations (Math. Comp. 23, 1969; Netlib SPECFUN CALERF),
# numerator and denominator coefficients from the highest power down: erf(x) = x P(x^2) / Q(x^2)
# for |x| <= 0.46875; erfc(y) = exp(-y^2) P(y) / Q(y) for 0.46875 < y <= 4; erfc(y) =
# exp(-y^2) (1/sqrt(pi) - z P(z) / Q(z)) / y with z = 1 / y^2 beyond 4
_ERF_SMALL = (
    (1.85777706184603153e-1, 3.16112374387056560e00, 1.13864154151050156e02,
     3.77485237685302021e02, 3.20937758913846947e03),
    (1.0, 2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
     2.84423683343917062e03),
)
_ERFC_MIDDLE = (
    (2.15311535474403846e-8, 5.64188496988670089e-1, 8.88314979438837594e00,
     6.61191906371416295e01, 2.98635138197400131e02, 8.81952221241769090e02,
     1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03),
    (1.0, 1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
     1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
     3.43936767414372164e03, 1.23033935480374942e03),
)
_ERFC_TAIL = (
    (1.63153871373020978e-2, 3.05326634961232344e-1, 3.60344899949804439e-1,
     1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4),
    (1.0, 2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
     6.05183413124413191e-2, 2.33520497626869185e-3),
)


def _rational(coefficients: tuple[tuple[float, ...], tuple[float, ...]], z: Array) -> Array:
    """``P(z) / Q(z)`` by Horner's rule, coefficients from the highest power down."""
    num, den = (0 * z + c[0] for c in coefficients)
    for c in coefficients[0][1:]:
        num = num * z + c
    for c in coefficients[1][1:]:
        den = den * z + c
    return num / den


def _clip(xp: ModuleType, x: Array, low: float, high: float) -> Array:
    """``x`` clipped to ``[low, high]`` with gradient 1 at the ends too (a minimum's gradient is
    shared at a tie on some libraries); NaN stays NaN."""
    return xp.where(x < low, low, xp.where(x > high, high, x))


def _generic_erf(xp: ModuleType, x: Array) -> Array:
    """Cody's approximations: within 3 units in the last place in float32 and float64, and so is
    the autodiff gradient of these operations (``2 exp(-x^2) / sqrt(pi)``) in float64 within 6.
    Each interval's formula reads its argument clipped to that interval, so every branch is
    finite (and its gradient 0 outside): ``erf(+-inf) = +-1``, NaN stays NaN. ``exp(-y^2)`` is
    ``exp(-s^2) exp(-(y - s)(y + s))`` with ``s`` = ``y`` rounded down to a sixteenth (``s^2``
    exact), so the rounding of ``y^2`` does not reach the tail; beyond ``y = 30`` erfc is 0 in
    every floating type."""
    y = xp.abs(x)
    near = _clip(xp, x, -0.46875, 0.46875)
    small = near * _rational(_ERF_SMALL, near * near)
    middle = _clip(xp, y, 0.46875, 4.0)
    far = _clip(xp, y, 4.0, 30.0)
    z = 1 / (far * far)
    tail = (0.56418958354775628695 - z * _rational(_ERFC_TAIL, z)) / far
    beyond = y > 4.0
    s = xp.where(beyond, far, middle)
    whole = xp.floor(16 * s) / 16
    erfc = (
        xp.exp(-whole * whole) * xp.exp(-(s - whole) * (s + whole))
        * xp.where(beyond, tail, _rational(_ERFC_MIDDLE, middle))
    )
    return xp.where(y <= 0.46875, small, xp.sign(x) * (1 - erfc))


GENERIC["erf"] = _generic_erf


def erf(xp: ModuleType, x: Array) -> Array:
    """The error function ``2 / sqrt(pi) * integral_0^x exp(-t^2) dt``, elementwise: the
    library's kernel where it has one, else :func:`_generic_erf` (accurate to a few units in the
    last place, differentiable, finite for every input)."""
    return _dispatch(xp, "erf", x)


# --- gathers, shapes, sorting -----------------------------------------------------------------


def take_along_axis(xp: ModuleType, x: Array, indices: Array, axis: int) -> Array:
    """``out[..., i, ...] = x[..., indices[..., i, ...], ...]`` along ``axis``: ``indices`` has
    ``x``'s shape but for any length along ``axis``; indices must be valid. The library's gather
    where it has one, a one-hot product elsewhere."""
    return _dispatch(xp, "take_along_axis", x, indices, axis % x.ndim)


def flatten(xp: ModuleType, x: Array, start: int) -> Array:
    """``x`` with axes ``start, start + 1, ...`` merged into one (row-major order).

    Static shapes use ``reshape``; where several sizes are unknown (``tf.function`` with
    ``None`` dimensions) the library's dynamic reshape does it (``kernels``' ``flatten``).
    """
    if start == x.ndim - 1:
        return x
    head, tail = shape_of(x)[:start], shape_of(x)[start:]
    if head.count(None) + (numel(tail) is None) > 1:
        return _dispatch(xp, "flatten", x, start)
    return _generic_flatten(xp, x, start)


def _generic_whole_along(xp: ModuleType, x: Array, axis: int) -> Array:
    """The identity: arrays held in one piece."""
    return x


GENERIC["whole_along"] = _generic_whole_along


def whole_along(xp: ModuleType, x: Array, axis: int) -> Array:
    """``x`` in one block along ``axis``, for computations that combine slices of ``x`` shifted
    along it (``x[1:]`` with ``x[:-1]``: neighbour minima, windowed sums). The identity, except
    for libraries that split arrays into blocks (Dask): there each elementwise operation between
    shifted slices cuts the blocks finer, and a few such steps grow the task graph a thousandfold.
    """
    return _dispatch(xp, "whole_along", x, axis)


def class_indices(xp: ModuleType, x: Array, axis: int) -> Array:
    """``0, 1, ..., C - 1`` along ``axis`` in ``x``'s dtype, broadcastable against ``x``; works
    when the size of ``axis`` is unknown (``tf.function``)."""
    c = x.shape[axis]
    if isinstance(c, int):
        shape = [1] * x.ndim
        shape[axis] = c
        return xp.reshape(xp.arange(c, dtype=x.dtype, device=_namespace.device(x)), tuple(shape))
    return xp.cumulative_sum(xp.ones_like(x), axis=axis) - 1


def argsort_descending(xp: ModuleType, x: Array, axis: int) -> Array:
    """Indices that sort ``x`` in descending order along ``axis`` (stable: ties keep their order),
    to be used with :func:`take_along_axis`.

    Raises :class:`TypeError` for libraries without a cheap sort and gather along an axis
    (``_namespace.capable(xp, "sort")``).
    """
    if not _namespace.capable(xp, "sort"):
        raise TypeError(
            "sorting along an axis needs a sort and a gather along an axis, which "
            f"{_namespace.library_name(x)} arrays do not have in a usable form; compute it on "
            "materialized arrays (e.g. NumPy)"
        )
    return xp.argsort(-x, axis=axis, stable=True)


def sparsemax_support(xp: ModuleType, z: Array) -> Array:
    """The support of ``sparsemax(z)``, the Euclidean projection of ``z`` onto the simplex along
    the last axis: a boolean mask. ``z`` holds finite values or -inf (never in the support).

    Two algorithms give the same support. Sorted: ``z > t`` with ``t = max_k (s_k - 1) / k``
    over the sums ``s_k`` of the ``k`` largest scores (it rises while the ``k``-th score is in the
    support and falls after): ``O(C log C)`` work and ``O(C)`` memory per sample, where the
    library sorts cheaply. Pairwise: class ``j`` is in the support when
    ``1 + k_j z_j > sum_{i: z_i >= z_j} z_i`` with ``k_j = #{i: z_i >= z_j}``, the sorted
    criterion at the last position of ``z_j``'s tie group (constant within a tie group, so ties
    are exact): ``(..., C, C)`` memory and ``O(C**2)`` work per sample, fine for the usual number
    of classes.
    """
    if _namespace.capable(xp, "sort"):
        desc = xp.sort(z, axis=-1, descending=True)
        k = class_indices(xp, desc, desc.ndim - 1) + 1
        t = xp.max((xp.cumulative_sum(desc, axis=-1) - 1) / k, axis=-1, keepdims=True)
        return z > t
    zi, zj = z[..., None, :], z[..., :, None]
    above = zi >= zj  # (..., C, C): above[..., j, i] = z_i >= z_j
    k = xp.sum(xp.astype(above, z.dtype), axis=-1)
    s = xp.sum(xp.where(above, zi, 0), axis=-1)
    return 1 + k * z > s


def entmax15_support(xp: ModuleType, z: Array) -> Array:
    """The support of 1.5-entmax along the last axis: a boolean mask of the ``z_i > tau`` where
    ``tau`` solves ``sum_i max(z_i - tau, 0)**2 = 1`` (``z``: the scores halved, finite).

    For the ``k`` largest scores (mean ``m_k``, sum of squared deviations ``ss_k``) the root is
    ``tau_k = m_k - sqrt((1 - ss_k) / k)``; ``tau`` is the largest ``tau_k`` with ``tau_k`` at or
    below the ``k``-th largest score (each such ``tau_k`` is at most ``tau``, and the support's
    own one equals it). Sorted: the ``tau_k`` from cumulative sums of the sorted scores, where
    the library sorts cheaply. Pairwise: ``k_j = #{i: z_i >= z_j}`` and the sums over those
    classes, one ``tau`` per class at the last position of its tie group, at ``(..., C, C)``
    memory and ``O(C**2)`` work per sample.
    """
    if _namespace.capable(xp, "sort"):
        top = xp.sort(z, axis=-1, descending=True)
        k = class_indices(xp, top, top.ndim - 1) + 1
        mean = xp.cumulative_sum(top, axis=-1) / k
        ss = xp.cumulative_sum(top * top, axis=-1) - k * mean * mean
    else:
        zi, top = z[..., None, :], z
        above = zi >= z[..., :, None]  # (..., C, C): above[..., j, i] = z_i >= z_j
        k = xp.sum(xp.astype(above, z.dtype), axis=-1)
        mean = xp.sum(xp.where(above, zi, 0), axis=-1) / k
        ss = xp.sum(xp.where(above, zi * zi, 0), axis=-1) - k * mean * mean
    tau = mean - xp.sqrt(xp.maximum((1 - ss) / k, 0))
    best = max_along(xp, xp.where(tau <= top, tau, -xp.inf), -1, keepdims=True)
    return z > best
