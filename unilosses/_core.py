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
        left = "(" if low_open or low is None else "["
        right = ")" if high_open or high is None else "]"
        interval = f"{left}{lo}, {hi}{right}"
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
    xp = _start(xp, reduction, "y_pred", y_pred, dict(y_pred=y_pred, y_true=y_true, **others))
    if not hasattr(y_true, "dtype"):
        raise TypeError(f"y_true must be an array, got {type(y_true).__name__}")
    _check_same_device(y_pred, y_true)
    y_pred, y_true = _tensor(xp, y_pred), _tensor(xp, y_true)
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
) -> Array:
    """Apply ``sample_weight`` and the reduction; cast to ``out_dtype``.

    ``loss`` is the unreduced loss. ``weight`` (optional, same shape) is an internal weight already
    multiplied into ``loss`` (class weights, ignore masks): ``"mean"`` then divides by its sum, as
    torch does for ``weight``/``ignore_index``. ``scale`` multiplies the result: a constant factor
    of the loss applied after the reduction costs one scalar operation instead of an array pass.
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
    floor = _LOG_ARGUMENT_FLOORS.get(dtype)
    if floor is None:
        floor = max(float(xp.finfo(dtype).smallest_normal), math.exp(LOG_FLOOR))
        _LOG_ARGUMENT_FLOORS[dtype] = floor
    return floor


def _log_above(xp: ModuleType, p: Array) -> Array:
    """log(p) for p at or above the floor, -100 below it (double where: neither side's gradient
    ever sees log(0))."""
    ok = p >= log_argument_floor(xp, p.dtype)
    return xp.where(ok, xp.log(xp.where(ok, p, 1)), LOG_FLOOR)


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
        raise ValueError(
            f"y_true holds label {bad}; expected labels in [0, {num_classes}){ignored}"
        )


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
        a = _tensor(xp, a)
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
    labels: Array,
    label_lengths: Array,
    input_lengths: Array,
    *,
    time_steps: int,
    num_classes: int | None,
    blank: int,
) -> None:
    """Padded label sequences and lengths (CTC), on eager host arrays only (as
    :func:`check_labels`): lengths within ``[0, time_steps]`` and ``[0, labels.shape[1]]``,
    labels within their length in ``[0, num_classes)`` and not ``blank``."""
    if not (can_inspect(labels) and can_inspect(label_lengths) and can_inspect(input_lengths)):
        return
    il, ll, y = (_namespace.to_host(a) for a in (input_lengths, label_lengths, labels))
    if il.size and (il.min() < 0 or il.max() > time_steps):
        bad = il.min() if il.min() < 0 else il.max()
        raise ValueError(f"input_lengths holds {bad}; expected lengths in [0, {time_steps}]")
    if ll.size and (ll.min() < 0 or ll.max() > y.shape[1]):
        bad = ll.min() if ll.min() < 0 else ll.max()
        raise ValueError(
            f"label_lengths holds {bad}; expected lengths in [0, {y.shape[1]}] (labels' columns)"
        )
    import numpy as np

    values = y[np.arange(y.shape[1])[None, :] < ll[:, None]]
    if values.size == 0:
        return
    if num_classes is not None and (values.min() < 0 or values.max() >= num_classes):
        bad = values.min() if values.min() < 0 else values.max()
        raise ValueError(f"labels holds label {bad}; expected labels in [0, {num_classes})")
    if (values == blank).any():
        raise ValueError(f"labels holds the blank label {blank} within label_lengths")


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
