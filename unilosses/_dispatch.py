"""The public losses: each array-API definition, served by its backend's native delegate where
one computes the call exactly (see :mod:`unilosses.backends`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from . import backends

_BY_TYPE = backends._BY_TYPE


def delegating(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, first offered to the delegate its first argument's backend has for it (by the
    function's own name, so aliases share it)."""
    name = fn.__name__

    @functools.wraps(fn)
    def loss(*args: Any, **kwargs: Any) -> Any:
        if args and backends.DELEGATES:
            backend = _BY_TYPE.get(type(args[0]))
            if backend is None:
                try:
                    backend = backends.backend_for(args[0])
                except TypeError:  # not an array: the loss names the argument
                    return fn(*args, **kwargs)
            delegate = backend.delegates.get(name)
            if delegate is not None:
                out = delegate(*args, **kwargs)
                if out is not NotImplemented:
                    return out
        return fn(*args, **kwargs)

    return loss
