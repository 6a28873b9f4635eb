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

import numpy as np

from . import _namespace
from ._namespace import array_namespace, can_inspect, is_numpy_number, kernels

Array = Any
REDUCTIONS = ("mean", "sum", "none")
LOG_FLOOR = -100.0  # torch's binary_cross_entropy clamps log(p) here


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
    if len(sa) != len(sb) or any(
        x != y and None not in (x, y) for x, y in zip(sa, sb, strict=True)
    ):
        raise ValueError(f"{name_b} must have the shape of {name_a} {sa}, got {sb}")


def check_reduction(reduction: object) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _plain_number(value: object, name: str, kind: str) -> object:
    """``value`` as a Python number where it stands for one: NumPy scalars and 0-d arrays whose
    values may be read (eager, host) are converted; a symbolic number (``torch.compile``'s
    ``SymInt``/``SymFloat``) is returned as it is, unchecked; anything else is a TypeError."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if type(value).__name__ in ("SymInt", "SymFloat"):
        return value
    if getattr(value, "shape", None) == () and hasattr(value, "dtype") and can_inspect(value):
        value = _namespace.to_host(value)[()]  # a 0-d array of any library, or a NumPy scalar
        if isinstance(value, np.bool_):
            raise TypeError(f"{name} must be {kind}, got a boolean")
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating):
            return float(value)
    raise TypeError(f"{name} must be {kind}, got {type(value).__name__}")


def is_number(value: object) -> bool:
    """A Python number, NumPy scalar or 0-d NumPy array: what a number option may be given as."""
    return isinstance(value, (bool, int, float)) or is_numpy_number(value)


def check_number(
    value: object,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A real number within ``[low, high]`` (ends open where asked), returned as a Python float.

    Accepts Python numbers, NumPy scalars and 0-d host arrays; a symbolic number (traced by
    ``torch.compile(dynamic=True)``) passes unchecked, since checking it would specialize or break
    the graph."""
    v = _plain_number(value, name, "a real number")
    if not isinstance(v, (int, float)):
        return v  # type: ignore[return-value]
    v = float(v)
    lo_ok = low is None or (v > low if low_open else v >= low)
    hi_ok = high is None or (v < high if high_open else v <= high)
    if v != v or not (lo_ok and hi_ok):
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        left = "(" if low_open or low is None else "["
        right = ")" if high_open or high is None else "]"
        interval = f"{left}{lo}, {hi}{right}"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return v


def check_int(value: object, name: str, kind: str = "an int") -> int:
    """An integer option: a Python or NumPy integer, or a 0-d integer host array."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) or (hasattr(value, "dtype") and not hasattr(value, "__index__")):
        raise TypeError(f"{name} must be {kind}, got {value!r}")
    v = _plain_number(value, name, kind)
    if isinstance(v, float):
        raise TypeError(f"{name} must be {kind}, got {value!r}")
    return v  # type: ignore[return-value]


def check_optional_int(value: object, name: str) -> int | None:
    """:func:`check_int`, or ``None``."""
    return None if value is None else check_int(value, name, "an int or None")


def check_bool(value: object, name: str) -> bool:
    if isinstance(value, np.bool_):
        return bool(value)
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def normalize_axis(axis: object, ndim: int, name: str = "axis") -> int:
    a = check_int(axis, name)
    if not -ndim <= a < ndim:
        raise ValueError(f"{name}={a} is out of range for y_pred with {ndim} dimensions")
    return a % ndim


# --- inputs -----------------------------------------------------------------------------------


def compute_dtype(xp: ModuleType, dtype: Any) -> Any:
    """float16/bfloat16 are computed in float32 (and cast back by :func:`reduce`)."""
    return xp.float32 if dtype in _namespace.low_precision_dtypes(xp) else dtype


def _check_same_device(
    pred: Array, other: Array, name_pred: str = "y_pred", name_other: str = "y_true"
) -> None:
    """Both arrays on one device (skipped where a device is unknown: traced values)."""
    a, b = _namespace.device(pred), _namespace.device(other)
    if a is not None and b is not None and a != b and a and b:
        raise ValueError(
            f"{name_other} is on device {b} but {name_pred} is on device {a}; "
            "move them to one device"
        )


def _known_rank(x: Array, name: str) -> Array:
    """``x``, refused when even its number of dimensions is unknown (a traced input declared
    without a shape)."""
    if getattr(x, "ndim", 0) in (None, -1):  # (TensorFlow reports -1)
        raise ValueError(
            f"{name} has an unknown number of dimensions; the loss needs its rank (sizes may be "
            "unknown: declare traced inputs with a shape such as [None, None])"
        )
    return x


def _start(
    xp: ModuleType | None, reduction: object, name: str, pred: Array, arrays: dict[str, Array]
) -> ModuleType:
    """The prologue :func:`prepare` and :func:`prepare_named` share: checks ``reduction``, finds
    the namespace of ``arrays`` (unless given) and checks that the prediction ``pred`` (called
    ``name``) is a real floating array."""
    check_reduction(reduction)
    if xp is None:
        if pred is None or isinstance(pred, (bool, int, float, complex, list, tuple)):
            raise TypeError(f"{name} must be an array, got {type(pred).__name__}")
        xp = array_namespace(**arrays)
    if not hasattr(pred, "dtype") or not xp.isdtype(pred.dtype, "real floating"):
        raise TypeError(
            f"{name} must be a real floating array, got dtype {getattr(pred, 'dtype', None)}"
        )
    return xp


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
    y_pred, y_true = as_arrays(y_pred, y_true)
    xp = _start(xp, reduction, "y_pred", y_pred, dict(y_pred=y_pred, y_true=y_true, **others))
    if not hasattr(y_true, "dtype"):
        raise TypeError(f"y_true must be an array, got {type(y_true).__name__}")
    _check_same_device(y_pred, y_true)
    y_pred = _known_rank(_tensor(xp, y_pred), "y_pred")
    y_true = _known_rank(_tensor(xp, y_true), "y_true")
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


def device(x: Array) -> Any:
    """The device of ``x``, for ``device=`` in ``xp`` calls (``None`` where it is unknown)."""
    return _namespace.device(x)


def _tensor(xp: ModuleType, x: Array) -> Array:
    """The array itself, or the tensor a variable holds (``tf.Variable`` has no ``ndim``);
    gradients flow through the conversion."""
    return x if hasattr(x, "ndim") else xp.asarray(x)


def as_arrays(*arrays: Any) -> list[Any]:
    """NumPy scalars (``np.float64(0.3)``, what a reduced NumPy loss returns) as 0-d arrays;
    everything else as it is."""
    return [np.asarray(a) if isinstance(a, np.generic) else a for a in arrays]


def as_like(xp: ModuleType, value: Any, like: Array, name: str) -> Array:
    """An array option (weights, ...) as an array of ``like``'s dtype and device."""
    if is_numpy_number(value):
        value = value.item()
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
    if len(ws) > len(ls) and all(d == 1 for d in ws[len(ls) :]):  # (N, 1) for (N,), as Keras
        ws = ws[: len(ls)]
        w = xp.reshape(w, tuple(-1 if d is None else d for d in ws))
    if len(ws) > len(ls):
        raise ValueError(
            f"sample_weight of shape {ws} has more dimensions than the unreduced loss {ls}"
        )
    if len(ws) < len(ls):  # align with the leading (batch) axes, as Keras does
        ws = ws + (1,) * (len(ls) - len(ws))
        w = xp.reshape(w, tuple(-1 if d is None else d for d in ws))
    if any(a != b and 1 not in (a, b) and None not in (a, b) for a, b in zip(ws, ls, strict=True)):
        raise ValueError(
            f"sample_weight of shape {shape_of(w)} does not broadcast to the unreduced loss {ls}"
        )
    return w


def mean(xp: ModuleType, x: Array) -> Array:
    """The mean of all elements; 0 for an empty array (no NaN, no warning)."""
    return xp.sum(x) if 0 in x.shape else xp.mean(x)


def safe_divide(xp: ModuleType, num: Array, den: Array) -> Array:
    """num/den with x/0 read as x/1, so 0/0 = 0: an all-ignored or all-zero-weight batch, an
    empty mask or a sample without positives gives 0, not NaN."""
    return num / xp.where(den == 0, 1, den)


def reduce(
    xp: ModuleType,
    loss: Array,
    reduction: str,
    sample_weight: Any,
    out_dtype: Any,
    weight: Array | None = None,
    scale: float = 1.0,
    invalid: Array | None = None,
) -> Array:
    """Apply ``sample_weight`` and the reduction; cast to ``out_dtype``.

    ``loss`` is the unreduced loss. ``weight`` (optional, same shape) is an internal weight already
    multiplied into ``loss`` (class weights, ignore masks): ``"mean"`` then divides by its sum, as
    torch does for ``weight``/``ignore_index``. ``scale`` multiplies the result: a constant factor
    of the loss applied after the reduction costs one scalar operation instead of an array pass.
    ``invalid`` (from :func:`check_labels`) makes the loss of invalid samples NaN first.
    """
    loss = invalidate(xp, loss, invalid)
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
        out = safe_divide(xp, xp.sum(loss), xp.sum(weight))
    else:  # an empty batch gives 0, not NaN
        out = mean(xp, loss)
    if scale != 1.0:
        out = out * scale
    return out if out.dtype == out_dtype else xp.astype(out, out_dtype)


# --- log-space math primitives ----------------------------------------------------------------


def _generic_logsumexp(xp: ModuleType, x: Array, axis: int, keepdims: bool = False) -> Array:
    if 0 in x.shape:  # an empty batch: some libraries (Dask) cannot take the max of nothing
        return xp.log(xp.sum(xp.exp(x), axis=axis, keepdims=keepdims))
    m = xp.max(x, axis=axis, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0)
    out = xp.log(xp.sum(xp.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else xp.squeeze(out, axis=axis)


def _generic_log_softmax(xp: ModuleType, x: Array, axis: int) -> Array:
    """``(x - m) - log(sum(exp(x - m)))``: subtracting the max first keeps the small differences
    exact (``x - logsumexp(x)`` loses them next to logits of 1e4 in float32)."""
    if 0 in x.shape:
        return x - _generic_logsumexp(xp, x, axis, keepdims=True)
    m = xp.max(x, axis=axis, keepdims=True)
    z = x - xp.where(xp.isfinite(m), m, 0)
    return z - xp.log(xp.sum(xp.exp(z), axis=axis, keepdims=True))


def _generic_log_sigmoid(xp: ModuleType, x: Array) -> Array:
    return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))


def _generic_take_along_axis(xp: ModuleType, x: Array, indices: Array, axis: int) -> Array:
    """A one-hot masked sum: no gather needed (Dask has none), -inf entries stay harmless."""
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    classes = xp.arange(x.shape[axis], dtype=indices.dtype, device=_namespace.device(x))
    classes = xp.reshape(classes, tuple(shape))
    return xp.sum(xp.where(indices == classes, x, 0), axis=axis, keepdims=True)


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


# the array-API formulas; a library's own kernel (``_namespace.kernels``) replaces each where it has
# one, and tests compare the two
def _generic_magnitude(xp: ModuleType, x: Array) -> Array:
    return x * xp.sign(x)


GENERIC = {
    "magnitude": _generic_magnitude,
    "logsumexp": _generic_logsumexp,
    "log_softmax": _generic_log_softmax,
    "log_sigmoid": _generic_log_sigmoid,
    "take_along_axis": _generic_take_along_axis,
    "flatten": _generic_flatten,
}


def magnitude(xp: ModuleType, x: Array) -> Array:
    """``|x|`` whose gradient is ``sign(x)``, 0 at ``x = 0`` on every library (torch's and TF's
    convention; JAX differentiates ``abs`` to 1 there, so it gets ``x * sign(x)``)."""
    fast = kernels(xp).get("magnitude")
    return fast(x) if fast else _generic_magnitude(xp, x)


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


def take_along_axis(xp: ModuleType, x: Array, indices: Array, axis: int) -> Array:
    """``x`` gathered at integer ``indices`` (same rank, size 1 along ``axis``); indices must be
    valid. Uses the library's gather where it has one, a one-hot product elsewhere (Dask)."""
    fast = kernels(xp).get("take_along_axis")
    return fast(x, indices, axis) if fast else _generic_take_along_axis(xp, x, indices, axis)


def check_labels(
    xp: ModuleType,
    labels: Array,
    num_classes: int | None,
    ignore_index: int | None,
    name: str = "y_true",
) -> Array | None:
    """Labels in ``[0, num_classes)`` (or equal to ``ignore_index``).

    Where values may be read (eager host arrays) a label out of range raises ``ValueError`` and
    the result is ``None``. Elsewhere (traced, lazy, on an accelerator, ``torch.func``) nothing is
    read: the result is the boolean mask of invalid labels, for :func:`invalidate`, so that an
    invalid sample's loss is NaN instead of the loss of a neighbouring class."""
    if num_classes is None:
        return None
    if not can_inspect(labels):
        bad = (labels < 0) | (labels >= num_classes)
        return bad if ignore_index is None else bad & (labels != ignore_index)
    values = _namespace.to_host(labels)
    if ignore_index is not None:
        values = values[values != ignore_index]
    if values.size == 0:
        return None
    lo, hi = int(values.min()), int(values.max())
    if lo < 0 or hi >= num_classes:
        bad_label = lo if lo < 0 else hi
        ignored = "" if ignore_index is None else f" or ignore_index={ignore_index}"
        raise ValueError(
            f"{name} holds label {bad_label}; expected labels in [0, {num_classes}){ignored}"
        )
    return None


def probabilities(xp: ModuleType, p: Array, name: str = "y_pred") -> Array:
    """``p`` checked to hold probabilities (values in ``[0, 1]``), for the values a loss reads.

    Where values may be read (eager host arrays) a value outside raises ``ValueError`` naming
    ``from_logits=True`` (logits passed as probabilities give a negative cross-entropy);
    elsewhere such entries become NaN, so that the loss shows them."""
    if can_inspect(p):
        values = _namespace.to_host(p)
        if values.size:
            lo, hi = values.min(), values.max()
            if lo < 0 or hi > 1:
                raise ValueError(
                    f"{name} holds {lo if lo < 0 else hi}, outside [0, 1]: it must hold "
                    "probabilities (pass from_logits=True for logits)"
                )
        return p
    return xp.where((p < 0) | (p > 1), xp.nan, p)


def invalidate(xp: ModuleType, loss: Array, invalid: Array | None) -> Array:
    """``loss`` with NaN where ``invalid`` (from :func:`check_labels`) flags a value.

    ``invalid`` has the loss's shape (one label per loss value), or a per-sample loss's batch
    (leading) axis and more axes (labels per pixel, per slot), reduced with ``any``. Where the
    loss has no such batch axis (one value for the whole batch) it is NaN if any value is."""
    if invalid is None:
        return loss
    if shape_of(invalid) != shape_of(loss):
        n = shape_of(loss)[:1]
        if invalid.ndim > 1:
            invalid = xp.any(invalid, axis=tuple(range(1, invalid.ndim)))
        if n and n == shape_of(invalid):
            invalid = xp.reshape(invalid, (-1,) + (1,) * (loss.ndim - 1))
        else:
            invalid = xp.any(invalid)
    return xp.where(invalid, xp.nan, loss)


LOG_ZERO = -1e30  # finite stand-in for log(0): exp gives 0, and 0 * it gives 0, in float32 too


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
    # an empty batch needs no shift (and Dask cannot take the max of nothing)
    z = x - xp.max(x, axis=axis, keepdims=True) if 0 not in x.shape else x
    lse = logsumexp(xp, z, axis, keepdims=True)  # in [0, log C]
    log_p = z - lse
    top = z == 0
    unique = top & (xp.sum(xp.astype(top, z.dtype), axis=axis, keepdims=True) == 1)
    others = logsumexp(xp, xp.where(top, LOG_ZERO, z), axis, keepdims=True) - lse
    # double where: the unique maximum's log1p(-p) would be log(0), with an infinite gradient
    rest = xp.log1p(-xp.exp(xp.where(unique, -1.0, log_p)))
    return log_p, xp.where(unique, others, rest)


# --- shapes and sorting -----------------------------------------------------------------------


def flatten(xp: ModuleType, x: Array, start: int) -> Array:
    """``x`` with axes ``start, start + 1, ...`` merged into one (row-major order).

    Static shapes use ``reshape``; where several sizes are unknown (``tf.function`` with
    ``None`` dimensions) the library's dynamic reshape does it (``kernels``' ``flatten``).
    """
    if start == x.ndim - 1:
        return x
    head, tail = shape_of(x)[:start], shape_of(x)[start:]
    fast = kernels(xp).get("flatten")
    if fast is not None and head.count(None) + (numel(tail) is None) > 1:
        return fast(x, start)
    return _generic_flatten(xp, x, start)


def class_indices(xp: ModuleType, x: Array, axis: int) -> Array:
    """``0, 1, ..., C - 1`` along ``axis`` in ``x``'s dtype, broadcastable against ``x``; works
    when the size of ``axis`` is unknown (``tf.function``)."""
    c = x.shape[axis]
    if isinstance(c, int):
        shape = [1] * x.ndim
        shape[axis] = c
        return xp.reshape(xp.arange(c, dtype=x.dtype, device=_namespace.device(x)), tuple(shape))
    return xp.cumulative_sum(xp.ones_like(x), axis=axis) - 1


def argsort_descending(xp: ModuleType, x: Array, axis: int, loss: str) -> Array:
    """Indices that sort ``x`` in descending order along ``axis`` (stable: ties keep their order),
    to be used with :func:`take_along_axis`.

    Raises :class:`TypeError` for libraries without a sort and a gather along an axis: Dask has no
    ``take_along_axis`` (the one-hot fallback costs the square of the axis length) and its
    ``argsort`` (array-api-compat) rechunks the whole axis into one chunk.
    """
    if not hasattr(xp, "argsort") or "take_along_axis" not in kernels(xp):
        raise TypeError(
            f"{loss} sorts the pixels of each image and gathers them in that order; "
            f"{_namespace.library_name(x)} arrays have no sort and gather along an axis "
            "(Dask: no take_along_axis, and argsort needs the axis in one chunk), so this loss "
            "does not run on them: compute it on materialized arrays (e.g. NumPy)"
        )
    return xp.argsort(-x, axis=axis, stable=True)


def check_nonnegative(x: Array, name: str) -> None:
    """No negative entries in ``x``; checked on eager host arrays only (as :func:`check_labels`)."""
    if can_inspect(x):
        values = _namespace.to_host(x)
        if values.size and values.min() < 0:
            raise ValueError(f"{name} has negative entries")


def prepare_named(
    arrays: dict[str, Array],
    *,
    xp: ModuleType | None,
    reduction: object,
    labels: tuple[str, ...] = (),
    keep: tuple[str, ...] = (),
) -> tuple[ModuleType, list[Array], Any]:
    """:func:`prepare` for losses whose arguments have their own names (``anchor``, ``positive``,
    ``negative``; ``embeddings``, ``labels`` ...); messages name them.

    The first array is the prediction (real floating; gradients flow to it); the others are cast
    to its compute dtype, except those named in ``labels`` (integer arrays, kept) and ``keep``
    (kept as they are, e.g. boolean masks). ``None`` entries (optional arrays) stay ``None``.
    Returns ``(xp, arrays in order, out_dtype)``; shapes are the loss's to check.
    """
    arrays = dict(zip(arrays, as_arrays(*arrays.values()), strict=True))
    names = list(arrays)
    first = names[0]
    pred = arrays[first]
    xp = _start(xp, reduction, first, pred, arrays)
    out_dtype = pred.dtype
    dtype = compute_dtype(xp, out_dtype)
    out: list[Array] = []
    for name in names:
        a = arrays[name]
        if a is None:
            out.append(None)
            continue
        if not hasattr(a, "dtype"):
            raise TypeError(f"{name} must be an array, got {type(a).__name__}")
        _check_same_device(pred, a, first, name)
        a = _known_rank(_tensor(xp, a), name)
        if name in labels:
            if not xp.isdtype(a.dtype, "integral"):
                raise TypeError(f"{name} must hold integer labels, got dtype {a.dtype}")
        elif name not in keep and a.dtype != dtype:
            a = xp.astype(a, dtype)
        out.append(a)
    return xp, out, out_dtype


# --- sequences (CTC) ---------------------------------------------------------------------------


def gather_along_axis(xp: ModuleType, x: Array, indices: Array, axis: int) -> Array:
    """``out[..., i, ...] = x[..., indices[..., i, ...], ...]`` along ``axis``: ``indices`` has
    ``x``'s shape but for any length along ``axis`` (:func:`take_along_axis` takes length 1).
    The library's gather where it has one; elsewhere (Dask) a one-hot product, whose temporary is
    ``x.shape[axis]`` times larger than the result."""
    axis %= x.ndim
    fast = kernels(xp).get("take_along_axis")
    if fast is not None:
        return fast(x, indices, axis)
    shape = [1] * (x.ndim + 1)
    shape[axis + 1] = x.shape[axis]
    classes = xp.reshape(
        xp.arange(x.shape[axis], dtype=indices.dtype, device=_namespace.device(x)), tuple(shape)
    )
    hit = xp.expand_dims(indices, axis=axis + 1) == classes
    return xp.sum(xp.where(hit, xp.expand_dims(x, axis=axis), 0), axis=axis + 1)


def check_sequences(
    xp: ModuleType,
    labels: Array,
    label_lengths: Array,
    input_lengths: Array,
    *,
    time_steps: int,
    num_classes: int | None,
    blank: int,
) -> Array | None:
    """Padded label sequences and lengths (CTC), as :func:`check_labels` checks labels: lengths
    within ``[0, time_steps]`` and ``[0, labels.shape[1]]``, labels within their length in
    ``[0, num_classes)`` and not ``blank``. Raises on eager host arrays; elsewhere returns the
    per-sample mask of invalid sequences."""
    s = labels.shape[1]
    if not (can_inspect(labels) and can_inspect(label_lengths) and can_inspect(input_lengths)):
        slots = xp.arange(s, dtype=label_lengths.dtype, device=device(labels))
        used = slots < label_lengths[:, None]
        bad = labels == blank
        if num_classes is not None:
            bad = bad | (labels < 0) | (labels >= num_classes)
        return (
            xp.any(used & bad, axis=1)
            | (input_lengths < 0) | (input_lengths > time_steps)
            | (label_lengths < 0) | (label_lengths > s)
        )
    il, ll, y = (_namespace.to_host(a) for a in (input_lengths, label_lengths, labels))
    if il.size and (il.min() < 0 or il.max() > time_steps):
        bad_length = il.min() if il.min() < 0 else il.max()
        raise ValueError(f"input_lengths holds {bad_length}; expected lengths in [0, {time_steps}]")
    if ll.size and (ll.min() < 0 or ll.max() > s):
        bad_length = ll.min() if ll.min() < 0 else ll.max()
        raise ValueError(
            f"label_lengths holds {bad_length}; expected lengths in [0, {s}] (labels' columns)"
        )
    values = y[np.arange(s)[None, :] < ll[:, None]]
    if values.size == 0:
        return None
    if num_classes is not None and (values.min() < 0 or values.max() >= num_classes):
        bad_label = values.min() if values.min() < 0 else values.max()
        raise ValueError(f"labels holds label {bad_label}; expected labels in [0, {num_classes})")
    if (values == blank).any():
        raise ValueError(f"labels holds the blank label {blank} within label_lengths")
    return None


def max_along(xp: ModuleType, x: Array, axis: int, keepdims: bool = False) -> Array:
    """``xp.max`` along ``axis``; an empty array gets its (empty) result from a sum instead, since
    some libraries (Dask) cannot take the max of nothing."""
    if 0 in x.shape:
        return xp.sum(x, axis=axis, keepdims=keepdims)
    return xp.max(x, axis=axis, keepdims=keepdims)


def has_sort(xp: ModuleType) -> bool:
    """Whether ``xp`` sorts along an axis cheaply: it has ``sort`` and a gather along an axis.
    Dask has neither (its ``sort`` rechunks the whole axis into one chunk); losses then take a
    sort-free formulation."""
    return hasattr(xp, "sort") and "take_along_axis" in kernels(xp)
