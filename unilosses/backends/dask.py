"""array-api-compat's Dask namespace, with the functions that need known chunk sizes replaced.

After boolean masking a Dask array has unknown chunk sizes (``nan`` in its shape); Dask's
``expand_dims`` (a reshape), ``zeros_like``/``ones_like``/``full_like`` (a new array of that
shape) and array-api-compat's ``clip`` (a broadcast to the shape) then fail. Indexing with
``None``, blockwise constructors and elementwise bounds need no sizes. Everything else is
array-api-compat's (module ``__getattr__``).
"""

from __future__ import annotations

from typing import Any

import array_api_compat
import dask.array as da
import numpy as np
from array_api_compat.dask import array as _compat

from .generic import Backend as _Backend


def __getattr__(name: str) -> Any:
    return getattr(_compat, name)


def expand_dims(x: Any, /, *, axis: int = 0) -> Any:
    ndim = x.ndim + 1
    if not -ndim <= axis < ndim:
        raise IndexError(f"axis {axis} is out of bounds for an array of {ndim} dimensions")
    return x[(slice(None),) * (axis % ndim) + (None,)]


def clip(x: Any, /, min: Any = None, max: Any = None) -> Any:
    if min is not None:
        x = da.maximum(x, min)
    return x if max is None else da.minimum(x, max)


def full_like(x: Any, /, fill_value: Any, *, dtype: Any = None, device: Any = None) -> Any:
    dtype = x.dtype if dtype is None else dtype
    return x.map_blocks(np.full_like, fill_value, dtype=dtype, meta=np.empty((), dtype))


def zeros_like(x: Any, /, *, dtype: Any = None, device: Any = None) -> Any:
    return full_like(x, 0, dtype=dtype)


def ones_like(x: Any, /, *, dtype: Any = None, device: Any = None) -> Any:
    return full_like(x, 1, dtype=dtype)



def owns(x: Any) -> bool:
    return bool(array_api_compat.is_dask_array(x))


class Dask(_Backend):
    """Lazy: values are never read (a compute per check). No gather along an axis (the one-hot
    fallback is used) and no cheap sort (``argsort`` rechunks the whole axis into one chunk).
    Its arrays hold NumPy dtypes and it exports no float16."""

    name = "dask"

    def __init__(self) -> None:
        import sys

        super().__init__(sys.modules[__name__])
        # shifted slices along an axis combine in one block (not ever finer ones)
        self.kernels = {"whole_along": lambda x, axis: x.rechunk({axis: -1})}
        self.capabilities = frozenset()
        self.low_precision = (np.dtype(np.float16),)


BACKEND = Dask()
