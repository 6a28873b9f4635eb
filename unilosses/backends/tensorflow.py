"""A private array-API namespace over plain ``tf.Tensor`` s.

Only what unilosses' losses use, built from ``tf`` ops and ``tf.experimental.numpy``. Results are
``tf.Tensor`` s, gradients flow under ``tf.GradientTape`` and everything works inside
``tf.function``. Global TF state is never touched (no ``experimental_enable_numpy_behavior``).

TensorFlow does not promote between tensor dtypes, so binary functions here convert Python scalars
to the other operand's dtype, and losses promote their inputs once at entry (``_core``).
"""

from __future__ import annotations

import builtins as _builtins
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
import tensorflow as tf
import tensorflow.experimental.numpy as tnp

from .generic import Backend as _Backend
from .generic import binary_targets

__array_api_version__ = "2024.12"

bool = tf.bool
int8, int16, int32, int64 = tf.int8, tf.int16, tf.int32, tf.int64
uint8, uint16, uint32, uint64 = tf.uint8, tf.uint16, tf.uint32, tf.uint64
float16, bfloat16, float32, float64 = tf.float16, tf.bfloat16, tf.float32, tf.float64
complex64, complex128 = tf.complex64, tf.complex128

e, pi, inf, nan = np.e, np.pi, np.inf, np.nan
newaxis = None

_Array = Any
_KINDS: dict[str, Callable[[Any], Any]] = {
    "bool": lambda d: d == tf.bool,
    "signed integer": lambda d: d.is_integer and not d.is_unsigned,
    "unsigned integer": lambda d: d.is_integer and d.is_unsigned,
    "integral": lambda d: d.is_integer,
    "real floating": lambda d: d.is_floating,
    "complex floating": lambda d: d.is_complex,
    "numeric": lambda d: d.is_integer or d.is_floating or d.is_complex,
}


def _scalar_like(v: Any, like: _Array) -> _Array:
    """Python scalars take the dtype of the tensor they meet (array API weak promotion)."""
    if isinstance(v, (int, float)) and not isinstance(v, tf.Tensor):
        return tf.constant(v, dtype=like.dtype)
    return v


def _pair(a: Any, b: Any) -> tuple[_Array, _Array]:
    if isinstance(a, (int, float)):
        return _scalar_like(a, b), b
    return a, _scalar_like(b, a)


# --- dtypes -----------------------------------------------------------------------------------


def isdtype(dtype: tf.DType, kind: str | tf.DType | tuple[Any, ...]) -> _builtins.bool:
    if isinstance(kind, tuple):
        return _builtins.any(isdtype(dtype, k) for k in kind)
    if isinstance(kind, str):
        return _builtins.bool(_KINDS[kind](tf.as_dtype(dtype)))
    return _builtins.bool(tf.as_dtype(dtype) == tf.as_dtype(kind))


def astype(
    x: _Array, dtype: tf.DType, /, *, copy: _builtins.bool = True, device: Any = None
) -> _Array:
    return x if x.dtype == dtype else tf.cast(x, dtype)


def result_type(*args: Any) -> tf.DType:
    """NumPy's promotion among floats (bfloat16 joins float32 and wider); integers and bools
    mixed with floats take the float dtype, as JAX and torch do."""
    dts = [
        tf.as_dtype(a if isinstance(a, tf.DType) else a.dtype)
        for a in args
        if not isinstance(a, (int, float))
    ]
    floats = [d for d in dts if d.is_floating or d.is_complex]
    if not floats:
        return tf.as_dtype(np.result_type(*(d.as_numpy_dtype for d in dts)))
    if _builtins.all(d == tf.bfloat16 for d in floats):
        return tf.bfloat16
    wide = [tf.float32 if d == tf.bfloat16 else d for d in floats]
    return tf.as_dtype(np.result_type(*(d.as_numpy_dtype for d in wide)))


def finfo(dtype: tf.DType) -> Any:
    import ml_dtypes  # a TensorFlow dependency; knows bfloat16

    return ml_dtypes.finfo(tf.as_dtype(dtype).as_numpy_dtype)


def iinfo(dtype: tf.DType) -> Any:
    return np.iinfo(tf.as_dtype(dtype).as_numpy_dtype)


# --- creation ---------------------------------------------------------------------------------


def asarray(obj: Any, /, *, dtype: Any = None, device: Any = None, copy: Any = None) -> _Array:
    if device is None:
        return tf.convert_to_tensor(obj, dtype=dtype)
    with tf.device(device):
        return tf.identity(tf.convert_to_tensor(obj, dtype=dtype))


def arange(
    start: Any, /, stop: Any = None, step: Any = 1, *, dtype: Any = None, device: Any = None
) -> _Array:
    if stop is None:
        start, stop = 0, start
    return tf.range(start, stop, step, dtype=dtype or tf.int64)


def zeros(shape: Any, *, dtype: Any = None, device: Any = None) -> _Array:
    return tf.zeros(shape, dtype=dtype or tf.float32)


def ones(shape: Any, *, dtype: Any = None, device: Any = None) -> _Array:
    return tf.ones(shape, dtype=dtype or tf.float32)


def full(shape: Any, fill_value: Any, *, dtype: Any = None, device: Any = None) -> _Array:
    return tf.fill(shape, tf.constant(fill_value, dtype=dtype))


def zeros_like(x: _Array, /, *, dtype: Any = None, device: Any = None) -> _Array:
    return tf.zeros_like(x, dtype=dtype)


def ones_like(x: _Array, /, *, dtype: Any = None, device: Any = None) -> _Array:
    return tf.ones_like(x, dtype=dtype)


def full_like(x: _Array, /, fill_value: Any, *, dtype: Any = None, device: Any = None) -> _Array:
    return tf.fill(tf.shape(x), tf.constant(fill_value, dtype=dtype or x.dtype))


def eye(
    n_rows: int, n_cols: int | None = None, /, *, k: int = 0, dtype: Any = None, device: Any = None
) -> _Array:
    return tnp.eye(n_rows, n_cols, k=k, dtype=dtype or tf.float32)


# --- elementwise ------------------------------------------------------------------------------

abs = tf.abs
exp = tf.exp
expm1 = tf.math.expm1
log = tf.math.log
log1p = tf.math.log1p
sqrt = tf.sqrt
square = tf.square
sign = tf.sign
tanh = tf.tanh
cosh = tf.cosh
sinh = tf.sinh
floor = tf.floor
ceil = tf.math.ceil
round = tf.round
negative = tf.negative
isnan = tf.math.is_nan
isinf = tf.math.is_inf
isfinite = tf.math.is_finite
logical_and = tf.logical_and
logical_or = tf.logical_or
logical_not = tf.logical_not
logical_xor = tf.math.logical_xor


def _binary(op: Any) -> Any:
    def f(x1: Any, x2: Any, /) -> _Array:
        return op(*_pair(x1, x2))

    f.__name__ = getattr(op, "__name__", "binary")
    return f


add = _binary(tf.add)
subtract = _binary(tf.subtract)
multiply = _binary(tf.multiply)
divide = _binary(tf.divide)
pow = _binary(tf.pow)
maximum = _binary(tf.maximum)
minimum = _binary(tf.minimum)
equal = _binary(tf.equal)
not_equal = _binary(tf.not_equal)
less = _binary(tf.less)
less_equal = _binary(tf.less_equal)
greater = _binary(tf.greater)
greater_equal = _binary(tf.greater_equal)
logaddexp = _binary(tnp.logaddexp)
atan2 = _binary(tf.atan2)


def clip(x: _Array, /, min: Any = None, max: Any = None) -> _Array:
    if min is not None:
        x = tf.maximum(x, _scalar_like(min, x))
    if max is not None:
        x = tf.minimum(x, _scalar_like(max, x))
    return x


def where(condition: _Array, x1: Any, x2: Any, /) -> _Array:
    x1, x2 = _pair(x1, x2)
    return tf.where(condition, x1, x2)


# --- reductions -------------------------------------------------------------------------------


def _axis(axis: Any) -> Any:
    return list(axis) if isinstance(axis, tuple) else axis


def sum(
    x: _Array, /, *, axis: Any = None, dtype: Any = None, keepdims: _builtins.bool = False
) -> _Array:
    if dtype is not None:
        x = astype(x, dtype)
    return tf.reduce_sum(x, axis=_axis(axis), keepdims=keepdims)


def prod(
    x: _Array, /, *, axis: Any = None, dtype: Any = None, keepdims: _builtins.bool = False
) -> _Array:
    return tf.reduce_prod(x, axis=_axis(axis), keepdims=keepdims)


def mean(x: _Array, /, *, axis: Any = None, keepdims: _builtins.bool = False) -> _Array:
    return tf.reduce_mean(x, axis=_axis(axis), keepdims=keepdims)


def max(x: _Array, /, *, axis: Any = None, keepdims: _builtins.bool = False) -> _Array:
    return tf.reduce_max(x, axis=_axis(axis), keepdims=keepdims)


def min(x: _Array, /, *, axis: Any = None, keepdims: _builtins.bool = False) -> _Array:
    return tf.reduce_min(x, axis=_axis(axis), keepdims=keepdims)


def any(x: _Array, /, *, axis: Any = None, keepdims: _builtins.bool = False) -> _Array:
    return tf.reduce_any(tf.cast(x, tf.bool), axis=_axis(axis), keepdims=keepdims)


def all(x: _Array, /, *, axis: Any = None, keepdims: _builtins.bool = False) -> _Array:
    return tf.reduce_all(tf.cast(x, tf.bool), axis=_axis(axis), keepdims=keepdims)


def cumulative_sum(
    x: _Array,
    /,
    *,
    axis: int | None = None,
    dtype: Any = None,
    include_initial: _builtins.bool = False,
) -> _Array:
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    out = tf.math.cumsum(x, axis=axis)
    if include_initial:
        out = tf.concat([tf.zeros_like(tf.gather(out, [0], axis=axis)), out], axis=axis)
    return out


def argmax(x: _Array, /, *, axis: int | None = None, keepdims: _builtins.bool = False) -> _Array:
    out = tf.argmax(tf.reshape(x, [-1]) if axis is None else x, axis=0 if axis is None else axis)
    return tf.expand_dims(out, axis) if keepdims and axis is not None else out


# --- shapes and indexing ----------------------------------------------------------------------


def reshape(x: _Array, /, shape: Any, *, copy: Any = None) -> _Array:
    return tf.reshape(x, shape)


def expand_dims(x: _Array, /, *, axis: int = 0) -> _Array:
    return tf.expand_dims(x, axis)


def squeeze(x: _Array, /, axis: Any) -> _Array:
    return tf.squeeze(x, axis=axis)


def permute_dims(x: _Array, /, axes: Any) -> _Array:
    return tf.transpose(x, perm=list(axes))


def moveaxis(x: _Array, source: Any, destination: Any, /) -> _Array:
    return tnp.moveaxis(x, source, destination)


def broadcast_to(x: _Array, /, shape: Any) -> _Array:
    return tf.broadcast_to(x, shape)


def concat(arrays: Any, /, *, axis: int | None = 0) -> _Array:
    if axis is None:
        return tf.concat([tf.reshape(a, [-1]) for a in arrays], axis=0)
    return tf.concat(list(arrays), axis=axis)


def stack(arrays: Any, /, *, axis: int = 0) -> _Array:
    return tf.stack(list(arrays), axis=axis)


def take(x: _Array, indices: _Array, /, *, axis: int | None = None) -> _Array:
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    return tf.gather(x, indices, axis=axis)


def take_along_axis(x: _Array, indices: _Array, /, *, axis: int = -1) -> _Array:
    """``tf.gather`` with every other axis a batch axis (``tnp.take_along_axis`` builds index
    grids with scatter updates: 2 ms for a 32 x 10 gather); tnp's where the shapes differ."""
    rank = x.shape.rank
    axis = axis % rank
    others = [d for i, d in enumerate(x.shape.as_list()) if i != axis]
    if indices.shape.rank != rank or [
        d for i, d in enumerate(indices.shape.as_list()) if i != axis
    ] != others:
        return tnp.take_along_axis(x, indices, axis=axis)
    last = rank - 1
    if axis != last:
        x, indices = tnp.moveaxis(x, axis, last), tnp.moveaxis(indices, axis, last)
    out = tf.gather(x, indices, axis=last, batch_dims=last)
    return out if axis == last else tnp.moveaxis(out, last, axis)


def sort(
    x: _Array,
    /,
    *,
    axis: int = -1,
    descending: _builtins.bool = False,
    stable: _builtins.bool = True,
) -> _Array:
    return tf.sort(x, axis=axis, direction="DESCENDING" if descending else "ASCENDING")


def argsort(
    x: _Array,
    /,
    *,
    axis: int = -1,
    descending: _builtins.bool = False,
    stable: _builtins.bool = True,
) -> _Array:
    direction = "DESCENDING" if descending else "ASCENDING"
    return tf.argsort(x, axis=axis, direction=direction, stable=stable)


# --- linear algebra ---------------------------------------------------------------------------


def matmul(x1: _Array, x2: _Array, /) -> _Array:
    return tf.linalg.matmul(x1, x2)


def vecdot(x1: _Array, x2: _Array, /, *, axis: int = -1) -> _Array:
    return tf.reduce_sum(x1 * x2, axis=axis)


def _vector_norm(
    x: _Array, /, *, axis: Any = None, keepdims: _builtins.bool = False, ord: float = 2
) -> _Array:
    a = tf.abs(x)
    if ord == 2:
        return tf.sqrt(tf.reduce_sum(a * a, axis=_axis(axis), keepdims=keepdims))
    if ord == 1:
        return tf.reduce_sum(a, axis=_axis(axis), keepdims=keepdims)
    if ord == np.inf:
        return tf.reduce_max(a, axis=_axis(axis), keepdims=keepdims)
    p = tf.constant(ord, x.dtype)
    return tf.pow(tf.reduce_sum(tf.pow(a, p), axis=_axis(axis), keepdims=keepdims), 1 / p)


linalg = SimpleNamespace(vector_norm=_vector_norm, matmul=matmul, vecdot=vecdot)


# --- native delegates -----------------------------------------------------------------------------
# Each takes the loss's signature and returns NotImplemented unless the call is one TensorFlow's
# kernel computes exactly as the loss does (see unilosses.backends): tensors of static shapes and
# float32/float64 dtype, no sample_weight, no xp, plain valid options.

_REDUCE = {"mean": tf.reduce_mean, "sum": tf.reduce_sum, "none": lambda x: x}


def _plain(
    reduction: Any, sample_weight: Any, xp: Any, y_pred: Any, *others: Any
) -> _builtins.bool:
    if sample_weight is not None or xp is not None or not isinstance(reduction, str):
        return False
    if reduction not in _REDUCE or not owns(y_pred) or y_pred.dtype not in (tf.float32, tf.float64):
        return False
    shape = y_pred.shape
    if shape.rank is None or None in shape:  # static
        return False
    for t in others:
        if not owns(t) or t.dtype != y_pred.dtype or shape != t.shape:
            return False
    return _builtins.bool(shape.num_elements() != 0)


def _binary_crossentropy(
    y_pred: Any,
    y_true: Any,
    *,
    from_logits: Any = False,
    label_smoothing: Any = 0.0,
    pos_weight: Any = None,
    axis: Any = None,
    reduction: Any = "mean",
    sample_weight: Any = None,
    xp: Any = None,
) -> Any:
    # from logits only: probabilities outside [0, 1] get the loss's own error or NaN
    targets = binary_targets(y_true, label_smoothing, pos_weight, axis)
    if from_logits is not True or targets is None:
        return NotImplemented
    if not _plain(reduction, sample_weight, xp, y_pred, y_true):
        return NotImplemented
    return _REDUCE[reduction](
        tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=y_pred)
    )


def _sparse_categorical_crossentropy(
    y_pred: Any,
    y_true: Any,
    *,
    from_logits: Any = False,
    ignore_index: Any = None,
    class_weight: Any = None,
    label_smoothing: Any = 0.0,
    axis: Any = -1,
    reduction: Any = "mean",
    sample_weight: Any = None,
    xp: Any = None,
) -> Any:
    # the kernel has no ignore_index, class weights or smoothing, and takes the classes last
    plain = from_logits is True and ignore_index is None and class_weight is None
    if not (plain and type(label_smoothing) in (_builtins.int, _builtins.float)):
        return NotImplemented
    if label_smoothing != 0 or not _plain(reduction, sample_weight, xp, y_pred):
        return NotImplemented
    rank = y_pred.shape.rank
    if rank < 2 or type(axis) is not _builtins.int or axis not in (-1, rank - 1):
        return NotImplemented
    if not owns(y_true) or y_true.dtype not in (tf.int32, tf.int64):
        return NotImplemented
    if y_true.shape != y_pred.shape[:-1]:
        return NotImplemented
    # labels read on the host (an eager tensor off the GPU): out of range, the kernel raises on
    # the CPU (the loss: ValueError) and gives NaN on a GPU; a label's logit of -inf gives inf
    # there, the loss's clamp 1e30
    if not (BACKEND.can_inspect(y_pred) and BACKEND.can_inspect(y_true)):
        return NotImplemented
    labels = y_true.numpy()
    if labels.min() < 0 or labels.max() >= y_pred.shape[-1]:
        return NotImplemented
    picked = tf.gather(y_pred, y_true, batch_dims=y_true.shape.rank)
    if not tf.reduce_min(picked).numpy() > -np.inf:
        return NotImplemented
    return _REDUCE[reduction](
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    )


DELEGATES: dict[str, Callable[..., Any]] = {
    "binary_crossentropy": _binary_crossentropy,
    "sparse_categorical_crossentropy": _sparse_categorical_crossentropy,
}


# --- the backend object -------------------------------------------------------------------------


def owns(x: Any) -> _builtins.bool:
    return isinstance(x, (tf.Tensor, tf.Variable))


class TensorFlow(_Backend):
    """Values are read only from eager tensors off the GPU (never inside ``tf.function``)."""

    name = "tensorflow"

    def __init__(self) -> None:
        import sys

        _Backend.__init__(self, sys.modules[__name__])
        self.kernels = {
            "magnitude": tf.abs,  # its gradient is sign(x): 0 at 0
            "log_softmax": lambda x, axis: tf.nn.log_softmax(x, axis=axis),
            "logsumexp": lambda x, axis, keepdims=False: tf.reduce_logsumexp(
                x, axis=_axis(axis), keepdims=keepdims
            ),
            "log_sigmoid": tf.math.log_sigmoid,
            # (float64 tf.math.erf is NaN beyond |x| ~ 1e154, where x * x overflows; erf is
            # +-1 beyond 30 in every dtype)
            "erf": lambda x: tf.math.erf(tf.clip_by_value(x, -30.0, 30.0)),
            "stop_gradient": tf.stop_gradient,
            "take_along_axis": lambda x, idx, axis: take_along_axis(x, idx, axis=axis),
            # merges axes start.. into one with the dynamic shape (static sizes may be None in
            # tf.function)
            "flatten": lambda x, start: tf.reshape(
                x, tf.concat([tf.shape(x)[:start], [-1]], axis=0)
            ),
        }
        self.delegates = DELEGATES

    def can_inspect(self, x: Any) -> _builtins.bool:
        return _builtins.bool(tf.executing_eagerly()) and "GPU" not in x.device.upper()

    def to_host(self, x: Any) -> Any:
        return x.numpy()

    def device(self, x: Any) -> Any:
        return x.device


BACKEND = TensorFlow()
