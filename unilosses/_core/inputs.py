"""Input preparation: the namespace, dtypes and devices of a loss's arrays (:func:`prepare`,
:func:`prepare_named`) and array options (:func:`as_like`)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from .. import _namespace
from .._namespace import array_namespace, is_numpy_number
from .validation import check_reduction, check_same_shape

Array = Any


def compute_dtype(xp: ModuleType, dtype: Any) -> Any:
    """float16/bfloat16 are computed in float32 (and cast back by :func:`reduce`)."""
    return xp.float32 if dtype in _namespace.low_precision_dtypes(xp) else dtype


def device(x: Array) -> Any:
    """The device of ``x``, for ``device=`` in ``xp`` calls (``None`` where it is unknown)."""
    return _namespace.device(x)


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


def _tensor(xp: ModuleType, x: Array) -> Array:
    """The array itself, or the tensor a variable holds (``tf.Variable`` has no ``ndim``);
    gradients flow through the conversion."""
    return x if hasattr(x, "ndim") else xp.asarray(x)


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
