"""Which array library is the caller using, and what it can do: the functions ``_core`` and the
losses call, answered by that library's backend object (:mod:`unilosses.backends`).

* :func:`array_namespace` maps arrays to a standard namespace (array-api-compat's for NumPy,
  array-api-strict, JAX, CuPy; unilosses' own for PyTorch, TensorFlow and Dask). It only looks at
  frameworks the caller already imported (``sys.modules``), so it never imports one.
* :func:`kernels` exposes the library's own fused kernels for a few math primitives the array API
  lacks; ``_core`` falls back to the generic formula where a library has none. :func:`capable`
  names what a library can do (``"gather"``, ``"sort"``).
* :func:`can_inspect` says whether a loss may look at array *values* (label range checks) without
  breaking a trace or forcing a device sync.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from .backends import backend_for, backend_of

__all__ = [
    "array_namespace", "backend_for", "can_inspect", "capable", "device", "kernels",
    "library_name",
]

_PY_SCALARS = (bool, int, float, complex)


def library_name(x: object) -> str:
    """The top-level package an object's type comes from (``numpy``, ``torch`` ...)."""
    module = type(x).__module__.split(".", 1)[0]
    return {"jaxlib": "jax", "builtins": type(x).__name__}.get(module, module)


def namespace_of(x: object) -> ModuleType:
    """The namespace of a single array; cached per type, so repeated calls cost a dict lookup."""
    xp: ModuleType = backend_for(x).xp
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


def device(x: Any) -> Any:
    """The device of ``x`` (``None`` inside ``jax.jit``), usable as ``device=`` in ``xp`` calls."""
    return backend_for(x).device(x)


def low_precision_dtypes(xp: ModuleType) -> tuple[Any, ...]:
    """The float16/bfloat16 dtypes ``xp`` has (the standard requires neither)."""
    return backend_of(xp).low_precision


def can_inspect(x: Any) -> bool:
    """True when reading values of ``x`` is cheap and safe: eager, not traced, not lazy, on host.

    Data-dependent checks (label ranges) run only then: never under torch.compile, jax.jit,
    tf.function or a ``torch.func`` transform, never on fake tensors, never on Dask (lazy) and
    never on a GPU (it would force a device sync).
    """
    return backend_for(x).can_inspect(x)


def to_host(x: Any) -> Any:
    """A NumPy copy of a small array that :func:`can_inspect` accepted."""
    return backend_for(x).to_host(x)


def kernels(xp: ModuleType) -> dict[str, Callable[..., Any]]:
    """The library's own kernels for the primitives ``_core`` needs; empty where it has none.

    Keys: ``magnitude(x)`` (``abs`` with gradient 0 at 0), ``log_softmax(x, axis)``,
    ``logsumexp(x, axis, keepdims)``, ``log_sigmoid(x)``, ``take_along_axis(x, indices, axis)``,
    ``flatten(x, start)`` (a reshape that works with unknown static sizes), ``erf(x)``. Each is
    tested against the generic formula.
    """
    return backend_of(xp).kernels


def capable(xp: ModuleType, capability: str) -> bool:
    """Whether ``xp`` has a named capability: ``"gather"`` (a gather along an axis),
    ``"sort"`` (a cheap sort along an axis, and a gather to apply it)."""
    if capability not in ("gather", "sort"):
        raise ValueError(f"unknown capability {capability!r}")
    return capability in backend_of(xp).capabilities

