"""One backend object per array library: everything unilosses knows about that library.

Each file here is one library (``numpy``, ``array_api_strict``, ``torch``, ``jax``,
``tensorflow``, ``dask``, ``cupy``) and defines ``owns(x)`` (is ``x`` one of its arrays) and
``BACKEND``, an instance of :class:`~unilosses.backends.generic.Backend`; any other array-API
library gets a generic one. A file is imported only once its library is in ``sys.modules``, so
finding a backend never imports a framework. Adding a library is one new file and one entry in
``LIBRARIES``.

Delegates: a backend may serve a loss with the library's native kernel for the option sets that
kernel computes exactly as the loss does (``Backend.delegates``: loss name -> function with the
loss's signature, returning ``NotImplemented`` for other option sets). The array-API function stays
the definition and runs everywhere else. ``UNILOSSES_GENERIC=1`` in the environment at import
(for tests and benchmarks) turns every delegate off; so does setting :data:`DELEGATES` to False.
"""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType
from typing import Any

import array_api_compat

from .generic import Backend

__all__ = ["DELEGATES", "LIBRARIES", "Backend", "backend_for", "backend_of"]

# (top-level module of the library, backend file), in the order they are tried
LIBRARIES = (
    ("tensorflow", "tensorflow"),
    ("torch", "torch"),
    ("jax", "jax"),
    ("dask", "dask"),
    ("cupy", "cupy"),
    ("numpy", "numpy"),
    ("array_api_strict", "array_api_strict"),
    # unilosses' own hyper-dual arrays (NumPy derivatives for unilosses.boosting)
    ("unilosses", "hyperdual"),
)

_BY_TYPE: dict[type, Backend] = {}
_BY_NAMESPACE: dict[int, Backend] = {}


# whether losses may be served by native delegates
DELEGATES = os.environ.get("UNILOSSES_GENERIC", "0") in ("", "0")


def _module(file: str) -> ModuleType:
    """A backend file, imported on first use. A tracer that cannot follow an import
    (``torch.compile``) still reads ``sys.modules``: see ``load_imported``."""
    name = f"{__name__}.{file}"
    module = sys.modules.get(name)
    return module if module is not None else importlib.import_module(name)


def load_imported() -> None:
    """Imports the backend files of the libraries imported so far (``import unilosses`` calls
    it), so that a loss whose first call is traced finds its backend without an import."""
    for library, file in LIBRARIES:
        if library in sys.modules:
            _module(file)


def _find(x: object) -> Backend:
    for library, file in LIBRARIES:
        if library in sys.modules:
            module = _module(file)
            if module.owns(x):
                backend: Backend = module.BACKEND
                return backend
    try:
        xp = array_api_compat.array_namespace(x)
    except TypeError:
        raise TypeError(
            f"expected an array (NumPy, PyTorch, JAX, TensorFlow, Dask, CuPy or any array API "
            f"library), got {type(x).__module__}.{type(x).__qualname__}"
        ) from None
    return backend_of(xp)


def backend_for(x: object) -> Backend:
    """The backend of an array; cached per type, so repeated calls cost a dict lookup."""
    t = type(x)
    backend = _BY_TYPE.get(t)
    if backend is None:
        backend = _BY_TYPE[t] = _find(x)
        _BY_NAMESPACE[id(backend.xp)] = backend  # over a generic one made from an xp= argument
    return backend


def backend_of(xp: ModuleType | Any) -> Backend:
    """The backend whose namespace is ``xp`` (a generic one for a namespace seen first here)."""
    backend = _BY_NAMESPACE.get(id(xp))
    if backend is None:
        backend = _BY_NAMESPACE[id(xp)] = Backend(xp)
    return backend
