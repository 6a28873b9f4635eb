"""NumPy: array-api-compat's functions as its namespace; values may always be read; no autodiff.

The namespace is this module: array-api-compat's NumPy functions and dtypes, but ``where``,
which selects floats by bit masks (see :func:`selector`): NumPy's ``where`` branches per
element and costs 30-40 additions' time where the condition follows the data; and ``sum``,
``max`` and ``min`` along a short last axis (classes), chains of elementwise operations there
(see :func:`short_last`).

Delegates: the array-API definition of a loss, run on whole arrays, holds several temporaries of
the input's size at once (2-3x the inputs' bytes for Huber, log-cosh or the binary cross-entropy,
7x for the binary focal cross-entropy). NumPy keeps no graph, so no temporary is needed after the
step that reads it: for the elementwise losses the delegates run that same definition on blocks
of :attr:`NumPy.block_size` elements (whose temporaries stay in the cache) and sum each block
(``"mean"``, ``"sum"``) or write it into one array of the input's size (``"none"``). The values
are the definition's own, element by element; a call's peak extra memory is the temporaries of a
block, and the returned array with ``"none"``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import array_api_compat.numpy
import numpy as np

from ..losses.classification import crossentropy, focal, margin, sparsemax
from ..losses.regression import basic, likelihood, robust
from .generic import Backend, Delegate

_compat: Any = array_api_compat.numpy

# array-api-compat's functions and dtypes, as this module's own names (a lookup per operation
# costs no call); ``where``, ``sum``, ``max`` and ``min`` below replace its own
globals().update({k: v for k, v in vars(_compat).items() if k[0] != "_" and k not in globals()})
__array_api_version__ = _compat.__array_api_version__
__array_namespace_info__ = _compat.__array_namespace_info__


def owns(x: Any) -> bool:
    return isinstance(x, (np.ndarray, np.generic))


# --- where: a selection by bit masks ------------------------------------------------------------

_BITS = {np.dtype(np.float32): np.uint32, np.dtype(np.float64): np.uint64}
_SMALL = 4096  # conditions of fewer elements: NumPy's where (the masks cost more than they save)


def selector(condition: Any) -> Callable[[Any, Any], Any]:
    """``select(x1, x2)``, equal to ``np.where(condition, x1, x2)``, for several pairs under one
    condition. Floats of a large condition are selected bit by bit, ``x2 ^ ((x1 ^ x2) & mask)``
    with ``mask`` all ones where the condition holds: exact (signed zeros, infinities and NaN
    kept) and branch-free; the mask is built once per dtype for all pairs."""
    c = np.asarray(condition)
    fast = c.dtype == np.bool_ and c.size >= _SMALL
    masks: dict[Any, Any] = {}

    def select(x1: Any, x2: Any) -> Any:
        if not fast:
            return np.where(c, x1, x2)
        dtype = np.result_type(x1, x2)
        bits = _BITS.get(dtype)
        if bits is None:
            return np.where(c, x1, x2)
        mask = masks.get(bits)
        if mask is None:
            mask = masks[bits] = np.negative(c, dtype=bits)
        a, b = np.asarray(x1, dtype).view(bits), np.asarray(x2, dtype).view(bits)
        out = np.bitwise_xor(a, b)
        whole = out.shape == np.broadcast_shapes(out.shape, mask.shape)
        out = np.bitwise_and(out, mask, out=out if whole else None)
        return np.bitwise_xor(out, b, out=out).view(dtype)

    return select


def where(condition: Any, x1: Any, x2: Any, /) -> Any:
    return selector(condition)(x1, x2)


# --- reductions along a short last axis ---------------------------------------------------------

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def short_last(x: Any, axis: Any) -> bool:
    """Whether reducing ``x`` over ``axis`` is along a short last axis (2-16 entries: classes) of
    a float array of two or more dimensions: NumPy reduces each such row in a loop of its own,
    10-20x slower than the chain of elementwise operations in :func:`along_last`."""
    if type(x) is not np.ndarray or x.ndim < 2 or type(axis) is not int:
        return False
    return axis in (-1, x.ndim - 1) and 1 < x.shape[-1] <= 16 and x.dtype in _FLOATS


def along_last(ufunc: Any, x: Any, keepdims: bool = False) -> Any:
    """``ufunc.reduce(x, axis=-1)`` as ``ufunc(... ufunc(x[..., 0], x[..., 1]) ..., x[..., -1])``:
    the same operations in the same order for up to 7 entries (NumPy sums 8 and more pairwise:
    rounding differs there in the last place)."""
    out = ufunc(x[..., 0], x[..., 1])
    for k in range(2, x.shape[-1]):
        ufunc(out, x[..., k], out=out)
    return out[..., None] if keepdims else out


def sum(x: Any, /, *, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Any:
    if dtype is None and short_last(x, axis):
        return along_last(np.add, x, keepdims)
    return _compat.sum(x, axis=axis, dtype=dtype, keepdims=keepdims)


def max(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Any:
    if short_last(x, axis):
        return along_last(np.maximum, x, keepdims)
    return _compat.max(x, axis=axis, keepdims=keepdims)


def min(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Any:
    if short_last(x, axis):
        return along_last(np.minimum, x, keepdims)
    return _compat.min(x, axis=axis, keepdims=keepdims)


# --- delegates: elementwise losses block by block ----------------------------------------------
# A call goes block by block when it is one the definition computes element by element and the
# inputs are larger than a block: NumPy arrays of one shape, y_pred float32 or float64 (lower
# precisions are computed in float32 and reduced before the cast back: decline), no sample_weight,
# no xp, a valid reduction. Options go to the definition with every block, so it checks them and
# raises its own errors; anything else (and every smaller input) is the definition's on the whole
# arrays.

_REDUCTIONS = ("mean", "sum", "none")


def _plain(reduction: Any, sample_weight: Any, xp: Any, y_pred: Any, y_true: Any) -> bool:
    if sample_weight is not None or xp is not None or not isinstance(reduction, str):
        return False
    if reduction not in _REDUCTIONS or type(y_pred) is not np.ndarray:
        return False
    if type(y_true) is not np.ndarray or y_pred.dtype not in _FLOATS:
        return False
    return y_pred.shape == y_true.shape and y_pred.size > BACKEND.block_size


def _blockwise(
    definition: Callable[..., Any], elementwise: Callable[..., bool] | None = None
) -> Delegate:
    """The delegate that runs ``definition`` block by block; ``elementwise(y_pred, **options)``
    says whether a loss with options that may make it read across elements computes this call
    element by element."""

    def delegate(
        y_pred: Any = None, y_true: Any = None, *args: Any, reduction: Any = "mean",
        sample_weight: Any = None, xp: Any = None, **options: Any,
    ) -> Any:
        if args or not _plain(reduction, sample_weight, xp, y_pred, y_true):
            return NotImplemented
        if elementwise is not None and not elementwise(y_pred, **options):
            return NotImplemented
        # flat views (copies of inputs that are not C-contiguous)
        p, t, n = y_pred.reshape(-1), y_true.reshape(-1), y_pred.size
        step, namespace = BACKEND.block_size, BACKEND.xp  # (given: found once, not per block)
        blocks = (
            definition(p[i : i + step], t[i : i + step], **options, reduction="none", xp=namespace)
            for i in range(0, n, step)
        )
        if reduction != "none":  # the blocks' sums, summed
            total = np.sum([np.sum(values) for values in blocks])
            return total if reduction == "sum" else total / n
        loss = np.empty(y_pred.shape, y_pred.dtype)
        out = loss.reshape(-1)
        for i, values in zip(range(0, n, step), blocks, strict=True):
            out[i : i + step] = values
        return loss

    delegate.__name__ = delegate.__qualname__ = definition.__name__
    return delegate


def _binary_crossentropy_elementwise(
    y_pred: Any, *, from_logits: Any = False, pos_weight: Any = None, axis: Any = None, **_: Any
) -> bool:
    """Elementwise without ``axis`` (a mean over it) and with a number or no ``pos_weight`` (an
    array broadcasts against the whole input). Probabilities outside [0, 1] are the definition's
    on the whole arrays: its error names the extreme value of all of them."""
    if axis is not None or not (pos_weight is None or isinstance(pos_weight, (int, float))):
        return False
    return from_logits is True or bool(y_pred.min() >= 0 and y_pred.max() <= 1)


# every elementwise loss whose definition reads each element on its own; not hinge and
# squared_hinge, whose definitions map {0, 1} targets to {-1, 1} only when the whole y_true holds
# 0 and 1 alone
DELEGATES = {
    fn.__name__: _blockwise(fn)
    for fn in (
        basic.mean_squared_error,
        basic.mean_absolute_error,
        basic.huber,
        robust.smooth_l1,
        robust.log_cosh,
        robust.quantile,
        robust.charbonnier,
        robust.pseudo_huber,
        robust.wing,
        robust.l2_loss,
        robust.cauchy,
        robust.welsch,
        robust.geman_mcclure,
        robust.general_robust,
        likelihood.mean_squared_logarithmic_error,
        likelihood.mean_absolute_percentage_error,
        likelihood.poisson,
        likelihood.poisson_nll,
        likelihood.tweedie,
        focal.binary_focal_crossentropy,
        margin.soft_margin,
        margin.perceptron,
        margin.hinge_embedding,
        sparsemax.sparsemax_loss,
    )
}
DELEGATES["binary_crossentropy"] = _blockwise(
    crossentropy.binary_crossentropy, _binary_crossentropy_elementwise
)


class NumPy(Backend):
    name = "numpy"

    def __init__(self) -> None:
        super().__init__(sys.modules[__name__])
        self.kernels["magnitude"] = np.abs  # no autodiff: abs is the magnitude
        # elements per block of the delegates: a block's temporaries (1 MiB each in float64)
        # stay in the cache, and a block's computation outweighs the call's overhead
        self.block_size = 1 << 17
        self.delegates = DELEGATES

    def can_inspect(self, x: Any) -> bool:
        return True


BACKEND = NumPy()
