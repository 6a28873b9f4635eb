"""Any array-API library without a file of its own here: the standard's functions only.

:class:`Backend` is also the base of every library's backend object. It says what unilosses may
do with that library's arrays: the namespace losses compute with, the library's own kernels for
primitives the standard lacks (``kernels``), named capabilities, whether values may be read
(``can_inspect``), and ``delegates``: native kernels that compute a whole loss for some option
sets (see :mod:`unilosses.backends`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

import array_api_compat
import numpy as np

# what a delegate returns for an option set its native kernel does not compute exactly as the
# loss does: the generic path runs instead
Delegate = Callable[..., Any]


def binary_targets(y_true: Any, label_smoothing: Any, pos_weight: Any, axis: Any) -> Any:
    """For a native binary cross-entropy delegate: the targets the loss reads (smoothed toward
    0.5, as Keras does), or None where a native elementwise kernel does not compute the call as
    the loss does (``pos_weight``, a per-``axis`` mean, an invalid smoothing)."""
    if not (pos_weight is None and axis is None):
        return None
    if not (type(label_smoothing) in (int, float) and 0 <= label_smoothing < 1):
        return None  # (the loss raises for 1 and above)
    return y_true * (1 - label_smoothing) + 0.5 * label_smoothing if label_smoothing else y_true


class Backend:
    """One array library: see the module docstring. Subclasses override what differs."""

    name = "generic"

    def __init__(self, xp: ModuleType) -> None:
        self.xp = xp
        gather = hasattr(xp, "take_along_axis")
        # kernels: name -> function, for the primitives ``_core`` would otherwise compute with
        # a generic formula: ``magnitude(x)`` (abs, gradient 0 at 0), ``log_softmax(x, axis)``,
        # ``logsumexp(x, axis, keepdims)``, ``log_sigmoid(x)``, ``take_along_axis(x, indices,
        # axis)``, ``flatten(x, start)`` (a reshape with unknown static sizes), ``stop_gradient(x)``
        # (autodiff libraries: no gradient flows back through x), ``repeat(n, body, state)`` (a
        # loop compiled once)
        self.kernels: dict[str, Callable[..., Any]] = {}
        if gather:
            self.kernels["take_along_axis"] = lambda x, i, axis: xp.take_along_axis(x, i, axis=axis)
        # "gather": a gather along an axis; "sort": a cheap sort along an axis, and the gather
        # to apply it
        sort = gather and hasattr(xp, "sort")
        self.capabilities = frozenset(["gather"] * gather + ["sort"] * sort)
        self.low_precision: tuple[Any, ...] = tuple(
            getattr(xp, n) for n in ("float16", "bfloat16") if hasattr(xp, n)
        )
        # public loss name -> its native implementation (see unilosses.backends)
        self.delegates: Mapping[str, Delegate] = {}

    def can_inspect(self, x: Any) -> bool:
        """Whether reading values of ``x`` is cheap and safe: eager, on the host, not traced,
        not lazy. Data checks (label ranges) run only then."""
        return False

    def to_host(self, x: Any) -> Any:
        """A NumPy copy of an array :meth:`can_inspect` accepted."""
        return np.asarray(x)

    def device(self, x: Any) -> Any:
        """The device of ``x`` for ``device=`` arguments (None where it has none, e.g. traced)."""
        try:
            return array_api_compat.device(x)
        except Exception:  # tracers carry no committed device
            return None

    def __repr__(self) -> str:
        return f"<unilosses backend {self.name}>"
