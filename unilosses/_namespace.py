"""Which array library is the caller using, and what it can do.

Every backend quirk of unilosses lives here or in :mod:`unilosses.backends`:

* :func:`array_namespace` maps arrays to a standard namespace (array-api-compat for NumPy,
  array-api-strict, PyTorch, JAX, Dask and CuPy; our shim for TensorFlow). It only looks at
  frameworks the caller already imported (``sys.modules``), so it never imports one.
* :func:`kernels` exposes the library's own fused kernels for a few math primitives the array API
  lacks (log-softmax, logsumexp, log-sigmoid, gather along an axis); ``_core`` falls back to the
  generic formula where a library has none.
* :func:`can_inspect` says whether a loss may look at array *values* (label range checks) without
  breaking a trace or forcing a device sync.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import array_api_compat

__all__ = ["array_namespace", "can_inspect", "capable", "device", "kernels", "library_name"]

_PY_SCALARS = (bool, int, float, complex)
_NAMESPACE_BY_TYPE: dict[type, ModuleType] = {}
_KERNELS_BY_NAMESPACE: dict[int, dict[str, Callable[..., Any]]] = {}


def library_name(x: object) -> str:
    """The top-level package an object's type comes from (``numpy``, ``torch`` ...)."""
    module = type(x).__module__.split(".", 1)[0]
    return {"jaxlib": "jax", "builtins": type(x).__name__}.get(module, module)


def _is_tf_tensor(x: object) -> bool:
    tf = sys.modules.get("tensorflow")
    return tf is not None and isinstance(x, (tf.Tensor, tf.Variable))


def _is_torch_tensor(x: object) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def _lookup(x: object) -> ModuleType:
    if _is_tf_tensor(x):
        from .backends import tensorflow as tf_shim

        return tf_shim
    if _is_torch_tensor(x):  # without array-api-compat's cached lookup, which torch.compile
        from .backends import torch as torch_shim  # warns about when it traces it

        return torch_shim
    try:
        xp = array_api_compat.array_namespace(x)
        if xp.__name__ == "array_api_compat.dask.array":
            from .backends import dask as dask_shim

            return dask_shim
        return xp
    except TypeError:
        raise TypeError(
            f"expected an array (NumPy, PyTorch, JAX, TensorFlow, Dask, CuPy or any array API "
            f"library), got {type(x).__module__}.{type(x).__qualname__}"
        ) from None


def namespace_of(x: object) -> ModuleType:
    """The namespace of a single array; cached per type, so repeated calls cost a dict lookup."""
    t = type(x)
    xp = _NAMESPACE_BY_TYPE.get(t)
    if xp is None:
        xp = _lookup(x)
        _NAMESPACE_BY_TYPE[t] = xp
    return xp


def is_numpy_number(x: object) -> bool:
    """A NumPy scalar or 0-d array: what a number option may be given as."""
    return type(x).__module__ == "numpy" and getattr(x, "shape", None) == ()


def array_namespace(*arrays: object, **named: object) -> ModuleType:
    """One standard namespace for all array arguments.

    ``None``, Python scalars, lists (options such as ``class_weight=[1.0, 2.0]``, converted
    later) and NumPy numbers (0-d arrays and scalars given for a number, such as ``var``) are
    skipped, except for the first argument (the prediction). Keyword arguments give the arrays
    names so that errors can say which argument is wrong. Arrays of two libraries raise
    :class:`TypeError` naming both.
    """
    items = [(f"argument {i}", a) for i, a in enumerate(arrays)] + list(named.items())
    xp: ModuleType | None = None
    first: tuple[str, object] | None = None
    for i, (name, a) in enumerate(items):
        skip = a is None or isinstance(a, (*_PY_SCALARS, list, tuple))
        if skip or (i and is_numpy_number(a)):
            continue
        try:
            ns = namespace_of(a)
        except TypeError as e:
            raise TypeError(f"{name}: {e}") from None
        if xp is None:
            xp, first = ns, (name, a)
        elif ns is not xp:
            assert first is not None
            raise TypeError(
                f"{first[0]} is a {library_name(first[1])} array but {name} is a "
                f"{library_name(a)} array; pass arrays of one library"
            )
    if xp is None:
        raise TypeError("expected at least one array argument")
    return xp


_DEVICE_ATTRIBUTE: dict[type, bool] = {}  # per type: is ``x.device`` the answer?


def device(x: Any) -> Any:
    """The device of ``x`` (``None`` inside ``jax.jit``), usable as ``device=`` in ``xp`` calls."""
    direct = _DEVICE_ATTRIBUTE.get(type(x))
    if direct is None:  # (torch: traceable by torch.compile)
        direct = _DEVICE_ATTRIBUTE[type(x)] = _is_tf_tensor(x) or library_name(x) == "torch"
    if direct:
        return x.device
    try:
        return array_api_compat.device(x)
    except Exception:  # JAX tracers carry no committed device
        return None


_LOW_PRECISION: dict[int, tuple[Any, ...]] = {}


def low_precision_dtypes(xp: ModuleType) -> tuple[Any, ...]:
    """The float16/bfloat16 dtypes ``xp`` has (the standard requires neither)."""
    lows = _LOW_PRECISION.get(id(xp))
    if lows is None:
        lows = tuple(getattr(xp, n) for n in ("float16", "bfloat16") if hasattr(xp, n))
        if xp.__name__ == "unilosses.backends.dask":  # holds NumPy dtypes, exports no float16
            import numpy as np

            lows = (np.dtype(np.float16),)
        _LOW_PRECISION[id(xp)] = lows
    return lows


# --- value inspection --------------------------------------------------------------------------


def can_inspect(x: Any) -> bool:
    """True when reading values of ``x`` is cheap and safe: eager, not traced, not lazy, on host.

    Data-dependent checks (label ranges) run only then: never under torch.compile, jax.jit,
    tf.function or a ``torch.func`` transform, never on fake tensors, never on Dask (lazy) and
    never on a GPU (it would force a device sync).
    """
    lib = library_name(x)
    if lib in ("numpy", "array_api_strict"):
        return True
    if lib == "torch":
        torch = sys.modules["torch"]
        return (
            x.device.type == "cpu"
            and not torch.compiler.is_compiling()
            and type(x) in (torch.Tensor, torch.nn.Parameter)  # not a FakeTensor or a subclass
            and torch._C._functorch.peek_interpreter_stack() is None  # in no torch.func transform
        )
    if lib == "jax":
        jax = sys.modules["jax"]
        if isinstance(x, jax.core.Tracer):
            return False
        return all(d.platform == "cpu" for d in x.devices())
    if _is_tf_tensor(x):
        tf = sys.modules["tensorflow"]
        return bool(tf.executing_eagerly()) and "GPU" not in x.device.upper()
    return False


def to_host(x: Any) -> Any:
    """A NumPy copy of a small array that :func:`can_inspect` accepted."""
    import numpy as np

    if library_name(x) == "array_api_strict":
        return np.asarray(x._array)
    if _is_tf_tensor(x):
        return x.numpy()
    if library_name(x) == "torch":
        return x.detach().numpy()
    return np.asarray(x)


# --- native kernels for math primitives --------------------------------------------------------


def _jax_kernels() -> dict[str, Callable[..., Any]]:
    jax = sys.modules["jax"]
    jnp = sys.modules["jax.numpy"]
    return {
        "log_softmax": lambda x, axis: jax.nn.log_softmax(x, axis=axis),
        "logsumexp": lambda x, axis, keepdims=False: jax.nn.logsumexp(
            x, axis=axis, keepdims=keepdims
        ),
        "log_sigmoid": jax.nn.log_sigmoid,
        "take_along_axis": lambda x, idx, axis: jnp.take_along_axis(
            x, idx, axis=axis, mode="clip"
        ),
    }


def _strict_kernels(xp: ModuleType) -> dict[str, Callable[..., Any]]:
    return {  # no autodiff: abs is the magnitude
        "take_along_axis": lambda x, idx, axis: xp.take_along_axis(x, idx, axis=axis),
        "magnitude": xp.abs,
    }


def kernels(xp: ModuleType) -> dict[str, Callable[..., Any]]:
    """The library's own kernels for the primitives ``_core`` needs; empty where it has none.

    Keys: ``magnitude(x)`` (``abs`` with gradient 0 at 0), ``log_softmax(x, axis)``,
    ``logsumexp(x, axis, keepdims)``, ``log_sigmoid(x)``, ``take_along_axis(x, indices, axis)``,
    ``flatten(x, start)`` (a reshape that works with unknown
    static sizes). Each is tested against the generic formula.
    """
    table = _KERNELS_BY_NAMESPACE.get(id(xp))
    if table is None:
        name = xp.__name__
        if name == "jax.numpy":
            table = _jax_kernels()
        elif name.startswith("unilosses.backends."):
            table = xp.KERNELS
        elif name in ("array_api_compat.numpy", "array_api_strict", "array_api_compat.cupy"):
            table = _strict_kernels(xp)
        else:  # Dask has no take_along_axis; generic formulas everywhere
            table = {}
        _KERNELS_BY_NAMESPACE[id(xp)] = table
    return table


def capable(xp: ModuleType, capability: str) -> bool:
    """Whether ``xp`` has a named capability: ``"gather"`` (a gather along an axis),
    ``"sort"`` (a sort along an axis, and a gather to apply it, cheaply)."""
    gather = "take_along_axis" in kernels(xp)
    if capability == "gather":
        return gather
    if capability == "sort":
        return gather and hasattr(xp, "sort")
    raise ValueError(f"unknown capability {capability!r}")
