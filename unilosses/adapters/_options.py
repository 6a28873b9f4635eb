"""Option checks shared by the adapters: option names come from the loss's signature."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Mapping
from typing import Any


def check_options(
    fn: Callable[..., Any],
    options: Mapping[str, Any],
    *,
    excluded: Collection[str] = (),
    require: bool = False,
) -> None:
    """Refuse, with a TypeError, an option that ``fn`` does not take.

    The options of ``fn`` are its keyword-only parameters other than ``xp`` and ``excluded``
    (those the adapter or its framework supplies). A name outside them is refused with the list
    of valid ones; with ``require``, so is a missing option that has no default. A loss taking
    ``**kwargs``, or one without a readable signature, accepts every name.
    """
    name = getattr(fn, "__name__", repr(fn))
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):  # builtins and some C callables have no signature
        return
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return
    valid = [
        p
        for p in parameters
        if p.kind is p.KEYWORD_ONLY and p.name != "xp" and p.name not in excluded
    ]
    names = [p.name for p in valid]
    listed = ", ".join(names) or "none"
    for key in options:
        if key not in names:
            raise TypeError(f"{name}() has no option {key!r}; its options are: {listed}")
    if require:
        missing = [p.name for p in valid if p.default is p.empty and p.name not in options]
        if missing:
            raise TypeError(f"{name}() needs the option {missing[0]!r}; its options are: {listed}")
