"""array-api-compat's torch namespace, with the few functions losses call with Python scalars
replaced by direct torch calls.

array-api-compat turns a Python scalar into a tensor through ``torch.result_type``, which
``torch.compile(fullgraph=True)`` cannot trace and which costs a few microseconds per call;
``torch.clamp``/``torch.where`` take scalars natively with the same weak promotion. Everything else
is array-api-compat's (module ``__getattr__``).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from array_api_compat import torch as _compat

_SCALARS = (int, float)


def __getattr__(name: str) -> Any:
    return getattr(_compat, name)


def isdtype(dtype: Any, kind: Any) -> bool:
    """Fast paths for the two kinds every loss asks about (traceable by torch.compile)."""
    if kind == "real floating":
        return bool(dtype.is_floating_point)
    if kind == "integral":
        return not (dtype.is_floating_point or dtype.is_complex or dtype == torch.bool)
    return bool(_compat.isdtype(dtype, kind))


def maximum(x1: Any, x2: Any, /) -> Any:
    if isinstance(x2, _SCALARS):
        return torch.clamp_min(x1, x2)
    if isinstance(x1, _SCALARS):
        return torch.clamp_min(x2, x1)
    return _compat.maximum(x1, x2)


def minimum(x1: Any, x2: Any, /) -> Any:
    if isinstance(x2, _SCALARS):
        return torch.clamp_max(x1, x2)
    if isinstance(x1, _SCALARS):
        return torch.clamp_max(x2, x1)
    return _compat.minimum(x1, x2)


def clip(x: Any, /, min: Any = None, max: Any = None) -> Any:
    if isinstance(min, (*_SCALARS, type(None))) and isinstance(max, (*_SCALARS, type(None))):
        return x if min is None and max is None else torch.clamp(x, min, max)
    return _compat.clip(x, min, max)


def where(condition: Any, x1: Any, x2: Any, /) -> Any:
    if isinstance(x1, _SCALARS) or isinstance(x2, _SCALARS):
        return torch.where(condition, x1, x2)
    return _compat.where(condition, x1, x2)


def sum(
    x: Any, /, *, axis: int | tuple[int, ...] | None = None, dtype: Any = None,
    keepdims: bool = False,
) -> Any:
    """``torch.sum`` directly for the common calls (array-api-compat's wrapper costs 1 us)."""
    if axis is None and not keepdims:
        return torch.sum(x, dtype=dtype)
    if isinstance(axis, int):
        return torch.sum(x, axis, keepdim=keepdims, dtype=dtype)
    return _compat.sum(x, axis=axis, dtype=dtype, keepdims=keepdims)


def mean(
    x: Any, /, *, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> Any:
    """``torch.mean`` directly for the common calls."""
    if axis is None and not keepdims:
        return torch.mean(x)
    if isinstance(axis, int):
        return torch.mean(x, axis, keepdim=keepdims)
    return _compat.mean(x, axis=axis, keepdims=keepdims)


def squeeze(x: Any, /, axis: int | tuple[int, ...]) -> Any:
    """``torch.squeeze`` for one axis, which must have size 1 (torch would silently keep it)."""
    if isinstance(axis, int):
        if x.shape[axis] != 1:
            raise ValueError(f"squeeze: axis {axis} has size {x.shape[axis]}, not 1")
        return torch.squeeze(x, axis)
    return _compat.squeeze(x, axis)


def _take_along_axis(x: Any, indices: Any, axis: int) -> Any:
    """``torch.gather`` (2.7 us less than ``take_along_dim`` per call) where the shapes allow."""
    if indices.ndim == x.ndim:
        return torch.gather(x, axis, indices.long())
    return torch.take_along_dim(x, indices.long(), dim=axis)


def cumulative_sum(
    x: Any, /, *, axis: int | None = None, dtype: Any = None, include_initial: bool = False
) -> Any:
    """``torch.cumsum``: array-api-compat's version looks the namespace up through an
    ``lru_cache``, which ``torch.compile(fullgraph=True)`` does not trace."""
    if axis is None:
        x, axis = x.reshape(-1), 0
    out = torch.cumsum(x, dim=axis, dtype=dtype)
    if include_initial:
        out = torch.cat([torch.zeros_like(out.narrow(axis, 0, 1)), out], dim=axis)
    return out


# fused kernels for unilosses' math primitives (see unilosses._namespace.kernels)
KERNELS = {
    "magnitude": torch.abs,  # its gradient is sign(x): 0 at 0
    "log_softmax": lambda x, axis: F.log_softmax(x, dim=axis),
    "logsumexp": lambda x, axis, keepdims=False: torch.logsumexp(x, dim=axis, keepdim=keepdims),
    "log_sigmoid": F.logsigmoid,
    "take_along_axis": _take_along_axis,
}
