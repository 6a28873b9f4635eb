"""Shared machinery for every loss: inputs, validation, reduction, weights, log-space helpers.

Loss modules call :func:`prepare` once, compute their unreduced loss with plain ``xp`` math and the
helpers below, and hand it to :func:`reduce`. Helpers take ``xp`` explicitly (namespace detection
happens once per public call).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from . import _namespace
from ._namespace import array_namespace, can_inspect, kernels

Array = Any
REDUCTIONS = ("mean", "sum", "none")
LOG_FLOOR = -100.0  # torch's binary_cross_entropy clamps log(p) here
_TINY = 1e-44  # below exp(-100) yet representable (subnormal) in float32


# --- validation -------------------------------------------------------------------------------


def shape_of(x: Array) -> tuple[int | None, ...]:
    """Static shape with unknown sizes (tf.function, Dask) as ``None``."""
    return tuple(d if isinstance(d, int) else None for d in x.shape)


def numel(shape: Sequence[int | None]) -> int | None:
    if any(d is None for d in shape):
        return None
    return math.prod(shape)  # type: ignore[arg-type]


def check_same_shape(a: Array, b: Array, name_a: str = "y_pred", name_b: str = "y_true") -> None:
    if a.shape == b.shape:  # fast path; unknown (None) sizes compare unequal and go the long way
        return
    sa, sb = shape_of(a), shape_of(b)
    if len(sa) != len(sb) or any(x != y and None not in (x, y) for x, y in zip(sa, sb)):
        raise ValueError(f"{name_b} must have the shape of {name_a} {sa}, got {sb}")


def check_reduction(reduction: object) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


def check_number(
    value: object,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A real Python number within ``[low, high]`` (ends open where asked); returned as float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    v = float(value)
    lo_ok = low is None or (v > low if low_open else v >= low)
    hi_ok = high is None or (v < high if high_open else v <= high)
    if math.isnan(v) or not (lo_ok and hi_ok):
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        interval = f"{'(' if low_open or low is None else '['}{lo}, {hi}{')' if high_open or high is None else ']'}"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return v


def check_bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def normalize_axis(axis: object, ndim: int, name: str = "axis") -> int:
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise TypeError(f"{name} must be an int, got {type(axis).__name__}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}={axis} is out of range for y_pred with {ndim} dimensions")
    return axis % ndim


# --- inputs -----------------------------------------------------------------------------------


def compute_dtype(xp: ModuleType, dtype: Any) -> Any:
    """float16/bfloat16 are computed in float32 (and cast back by :func:`reduce`)."""
    return xp.float32 if dtype in _namespace.low_precision_dtypes(xp) else dtype


def prepare(
    y_pred: Array,
    y_true: Array,
    *,
    xp: ModuleType | None,
    reduction: object,
    labels: bool = False,
    same_shape: bool = True,
    **others: Array,
) -> tuple[ModuleType, Array, Array, Any]:
    """Common prologue of every loss.

    Finds the namespace (unless ``xp`` is given), checks ``reduction``, that ``y_pred`` is a
    floating array and ``y_true`` an array of the same library (integer labels when ``labels``),
    casts both to the compute dtype and returns ``(xp, y_pred, y_true, out_dtype)``.
    Extra keyword arrays are only checked to be of the same library.
    """
    check_reduction(reduction)
    if xp is None:
        if y_pred is None or isinstance(y_pred, (bool, int, float, complex, list, tuple)):
            raise TypeError(f"y_pred must be an array, got {type(y_pred).__name__}")
        xp = array_namespace(y_pred=y_pred, y_true=y_true, **others)
    if not hasattr(y_pred, "dtype") or not xp.isdtype(y_pred.dtype, "real floating"):
        raise TypeError(
            f"y_pred must be a real floating array, got dtype {getattr(y_pred, 'dtype', None)}"
        )
    if not hasattr(y_true, "dtype"):
        raise TypeError(f"y_true must be an array, got {type(y_true).__name__}")
    out_dtype = y_pred.dtype
    dtype = compute_dtype(xp, out_dtype)
    if dtype != out_dtype:
        y_pred = xp.astype(y_pred, dtype)
    if labels:
        if not xp.isdtype(y_true.dtype, "integral"):
            raise TypeError(f"y_true must hold integer class labels, got dtype {y_true.dtype}")
    else:
        if same_shape:
            check_same_shape(y_pred, y_true)
        if y_true.dtype != dtype:
            y_true = xp.astype(y_true, dtype)
    return xp, y_pred, y_true, out_dtype


def as_like(xp: ModuleType, value: Any, like: Array, name: str) -> Array:
    """An array option (weights, ...) as an array of ``like``'s dtype and device."""
    if isinstance(value, (bool, int, float, list, tuple)):
        return xp.asarray(value, dtype=like.dtype, device=_namespace.device(like))
    if not hasattr(value, "dtype"):
        raise TypeError(f"{name} must be an array or a number, got {type(value).__name__}")
    if _namespace.namespace_of(value) is not xp:
        raise TypeError(
            f"{name} is a {_namespace.library_name(value)} array but y_pred is not; "
            "pass arrays of one library"
        )
    if not xp.isdtype(value.dtype, ("real floating", "integral", "bool")):
        raise TypeError(f"{name} must be a real array, got dtype {value.dtype}")
    return value if value.dtype == like.dtype else xp.astype(value, like.dtype)


# --- reduction --------------------------------------------------------------------------------


def _sample_weight(xp: ModuleType, sample_weight: Any, loss: Array) -> Array:
    w = as_like(xp, sample_weight, loss, "sample_weight")
    ls, ws = shape_of(loss), shape_of(w)
    if len(ws) > len(ls):
        raise ValueError(
            f"sample_weight of shape {ws} has more dimensions than the unreduced loss {ls}"
        )
    if len(ws) < len(ls):  # align with the leading (batch) axes, as Keras does
        ws = ws + (1,) * (len(ls) - len(ws))
        w = xp.reshape(w, tuple(-1 if d is None else d for d in ws))
    if any(a != b and 1 not in (a, b) and None not in (a, b) for a, b in zip(ws, ls)):
        raise ValueError(
            f"sample_weight of shape {shape_of(w)} does not broadcast to the unreduced loss {ls}"
        )
    return w


def _safe_divide(xp: ModuleType, num: Array, den: Array) -> Array:
    """num/den with 0/0 = 0 (an all-ignored or all-zero-weight batch gives 0, not NaN)."""
    return num / xp.where(den == 0, 1, den)


def reduce(
    xp: ModuleType,
    loss: Array,
    reduction: str,
    sample_weight: Any,
    out_dtype: Any,
    weight: Array | None = None,
) -> Array:
    """Apply ``sample_weight`` and the reduction; cast to ``out_dtype``.

    ``loss`` is the unreduced loss. ``weight`` (optional, same shape) is an internal weight already
    multiplied into ``loss`` (class weights, ignore masks): ``"mean"`` then divides by its sum, as
    torch does for ``weight``/``ignore_index``.
    """
    if sample_weight is not None:
        sw = _sample_weight(xp, sample_weight, loss)
        loss = loss * sw
        if reduction == "mean":
            if weight is None:
                weight = sw + xp.zeros_like(loss) if shape_of(sw) != shape_of(loss) else sw
            else:
                weight = weight * sw
    if reduction == "none":
        out = loss
    elif reduction == "sum":
        out = xp.sum(loss)
    elif weight is not None:
        out = _safe_divide(xp, xp.sum(loss), xp.sum(weight))
    else:  # an empty batch gives 0, not NaN
        out = xp.sum(loss) if 0 in loss.shape else xp.mean(loss)
    return out if out.dtype == out_dtype else xp.astype(out, out_dtype)


# --- log-space math primitives ----------------------------------------------------------------


def _generic_logsumexp(xp: ModuleType, x: Array, axis: int, keepdims: bool = False) -> Array:
    m = xp.max(x, axis=axis, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0)
    out = xp.log(xp.sum(xp.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else xp.squeeze(out, axis=axis)


def _generic_log_softmax(xp: ModuleType, x: Array, axis: int) -> Array:
    return x - _generic_logsumexp(xp, x, axis, keepdims=True)


def _generic_log_sigmoid(xp: ModuleType, x: Array) -> Array:
    return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))


def _generic_take_along_axis(xp: ModuleType, x: Array, indices: Array, axis: int) -> Array:
    """A one-hot masked sum: no gather needed (Dask has none), -inf entries stay harmless."""
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    classes = xp.reshape(xp.arange(x.shape[axis], dtype=indices.dtype, device=_namespace.device(x)), tuple(shape))
    return xp.sum(xp.where(indices == classes, x, 0), axis=axis, keepdims=True)


# the array-API formulas; a library's own kernel (``_namespace.kernels``) replaces each where it has
# one, and tests compare the two
GENERIC = {
    "logsumexp": _generic_logsumexp,
    "log_softmax": _generic_log_softmax,
    "log_sigmoid": _generic_log_sigmoid,
    "take_along_axis": _generic_take_along_axis,
}


def logsumexp(xp: ModuleType, x: Array, axis: int, keepdims: bool = False) -> Array:
    fast = kernels(xp).get("logsumexp")
    return fast(x, axis, keepdims) if fast else _generic_logsumexp(xp, x, axis, keepdims)


def log_softmax(xp: ModuleType, x: Array, axis: int) -> Array:
    fast = kernels(xp).get("log_softmax")
    return fast(x, axis) if fast else _generic_log_softmax(xp, x, axis)


def log_sigmoid(xp: ModuleType, x: Array) -> Array:
    """log(sigmoid(x)) = -softplus(-x), without overflow for large |x|."""
    fast = kernels(xp).get("log_sigmoid")
    return fast(x) if fast else _generic_log_sigmoid(xp, x)


def softplus(xp: ModuleType, x: Array) -> Array:
    return -log_sigmoid(xp, -x)


def log_clamped(xp: ModuleType, p: Array) -> Array:
    """log(p) clamped below at -100 (torch's BCE convention): finite at p = 0, no warning."""
    return xp.maximum(xp.log(xp.maximum(p, _TINY)), LOG_FLOOR)


def log1m_clamped(xp: ModuleType, p: Array) -> Array:
    """log(1 - p) clamped below at -100, as torch's binary_cross_entropy computes it."""
    return xp.maximum(xp.log(xp.maximum(1 - p, _TINY)), LOG_FLOOR)


def xlogy(xp: ModuleType, x: Array, y: Array) -> Array:
    """x * log(y) with 0 * log(0) = 0 (and a finite gradient there)."""
    zero = x == 0
    return xp.where(zero, 0, x * xp.log(xp.where(zero, 1, y)))


def take_along_axis(xp: ModuleType, x: Array, indices: Array, axis: int) -> Array:
    """``x`` gathered at integer ``indices`` (same rank, size 1 along ``axis``); indices must be
    valid. Uses the library's gather where it has one, a one-hot product elsewhere (Dask)."""
    fast = kernels(xp).get("take_along_axis")
    return fast(x, indices, axis) if fast else _generic_take_along_axis(xp, x, indices, axis)


def check_labels(
    xp: ModuleType, labels: Array, num_classes: int | None, ignore_index: int | None
) -> None:
    """Labels in ``[0, num_classes)`` (or equal to ``ignore_index``); eager host arrays only."""
    if num_classes is None or not can_inspect(labels):
        return
    values = _namespace.to_host(labels)
    if values.size == 0:
        return
    if ignore_index is not None:
        values = values[values != ignore_index]
        if values.size == 0:
            return
    lo, hi = int(values.min()), int(values.max())
    if lo < 0 or hi >= num_classes:
        bad = lo if lo < 0 else hi
        ignored = "" if ignore_index is None else f" or ignore_index={ignore_index}"
        raise ValueError(f"y_true holds label {bad}; expected labels in [0, {num_classes}){ignored}")
