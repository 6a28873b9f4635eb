"""Validation: static shapes, option values (numbers, ints, bools, axes, reductions) and the data
checks (labels, label sequences, non-negative entries) that read values only where they may."""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import numpy as np

from .. import _namespace
from .._namespace import can_inspect, is_numpy_number

Array = Any
Shape = Sequence[int | None]
REDUCTIONS = ("mean", "sum", "none")


# --- shapes -----------------------------------------------------------------------------------


def shape_of(x: Array) -> tuple[int | None, ...]:
    """Static shape with unknown sizes (tf.function, Dask) as ``None``."""
    return tuple(d if isinstance(d, int) else None for d in x.shape)


def numel(shape: Shape) -> int | None:
    if any(d is None for d in shape):
        return None
    return math.prod(shape)  # type: ignore[arg-type]


def shapes_match(got: Shape, want: Shape, *, broadcast: bool = False) -> bool:
    """Whether static shape ``got`` fits ``want``: as many axes, equal sizes where both are known
    (``None``: unknown). With ``broadcast``, ``got`` may have fewer axes (aligned at the end) and
    either size may be 1."""
    if len(got) > len(want) or (len(got) < len(want) and not broadcast):
        return False
    return all(
        a == b or None in (a, b) or (broadcast and 1 in (a, b))
        for a, b in zip(reversed(got), reversed(want), strict=False)
    )


def check_same_shape(a: Array, b: Array, name_a: str = "y_pred", name_b: str = "y_true") -> None:
    if a.shape == b.shape:  # fast path; unknown (None) sizes compare unequal and go the long way
        return
    sa, sb = shape_of(a), shape_of(b)
    if not shapes_match(sb, sa):
        raise ValueError(f"{name_b} must have the shape of {name_a} {sa}, got {sb}")


# --- options ----------------------------------------------------------------------------------


def check_reduction(reduction: object) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _plain_number(value: object, name: str, kind: str) -> object:
    """``value`` as a Python number where it stands for one: NumPy scalars and 0-d arrays whose
    values may be read (eager, host) are converted; a symbolic number (``torch.compile``'s
    ``SymInt``/``SymFloat``) is returned as it is, unchecked; anything else is a TypeError."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if type(value).__name__ in ("SymInt", "SymFloat"):
        return value
    if getattr(value, "shape", None) == () and hasattr(value, "dtype") and can_inspect(value):
        value = _namespace.to_host(value)[()]  # a 0-d array of any library, or a NumPy scalar
        if isinstance(value, np.bool_):
            raise TypeError(f"{name} must be {kind}, got a boolean")
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating):
            return float(value)
    raise TypeError(f"{name} must be {kind}, got {type(value).__name__}")


def is_number(value: object) -> bool:
    """A Python number, NumPy scalar or 0-d NumPy array: what a number option may be given as."""
    return isinstance(value, (bool, int, float)) or is_numpy_number(value)


def check_number(
    value: object,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A real number within ``[low, high]`` (ends open where asked), returned as a Python float.

    Accepts Python numbers, NumPy scalars and 0-d host arrays; a symbolic number (traced by
    ``torch.compile(dynamic=True)``) passes unchecked, since checking it would specialize or break
    the graph."""
    v = _plain_number(value, name, "a real number")
    if not isinstance(v, (int, float)):
        return v  # type: ignore[return-value]
    v = float(v)
    lo_ok = low is None or (v > low if low_open else v >= low)
    hi_ok = high is None or (v < high if high_open else v <= high)
    if v != v or not (lo_ok and hi_ok):
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        left = "(" if low_open or low is None else "["
        right = ")" if high_open or high is None else "]"
        interval = f"{left}{lo}, {hi}{right}"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return v


def check_int(value: object, name: str, kind: str = "an int") -> int:
    """An integer option: a Python or NumPy integer, or a 0-d integer host array."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) or (hasattr(value, "dtype") and not hasattr(value, "__index__")):
        raise TypeError(f"{name} must be {kind}, got {value!r}")
    v = _plain_number(value, name, kind)
    if isinstance(v, float):
        raise TypeError(f"{name} must be {kind}, got {value!r}")
    return v  # type: ignore[return-value]


def check_optional_int(value: object, name: str) -> int | None:
    """:func:`check_int`, or ``None``."""
    return None if value is None else check_int(value, name, "an int or None")


def check_bool(value: object, name: str) -> bool:
    if isinstance(value, np.bool_):
        return bool(value)
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def normalize_axis(axis: object, ndim: int, name: str = "axis") -> int:
    a = check_int(axis, name)
    if not -ndim <= a < ndim:
        raise ValueError(f"{name}={a} is out of range for y_pred with {ndim} dimensions")
    return a % ndim


# --- data checks: they read values only where :func:`_namespace.can_inspect` allows ------------


def check_labels(
    xp: ModuleType,
    labels: Array,
    num_classes: int | None,
    ignore_index: int | None,
    name: str = "y_true",
) -> Array | None:
    """Labels in ``[0, num_classes)`` (or equal to ``ignore_index``).

    Where values may be read (eager host arrays) a label out of range raises ``ValueError`` and
    the result is ``None``. Elsewhere (traced, lazy, on an accelerator, ``torch.func``) nothing is
    read: the result is the boolean mask of invalid labels, for :func:`invalidate`, so that an
    invalid sample's loss is NaN instead of the loss of a neighbouring class."""
    if num_classes is None:
        return None
    if not can_inspect(labels):
        bad = (labels < 0) | (labels >= num_classes)
        return bad if ignore_index is None else bad & (labels != ignore_index)
    values = _namespace.to_host(labels)
    if ignore_index is not None:
        values = values[values != ignore_index]
    if values.size == 0:
        return None
    lo, hi = int(values.min()), int(values.max())
    if lo < 0 or hi >= num_classes:
        bad_label = lo if lo < 0 else hi
        ignored = "" if ignore_index is None else f" or ignore_index={ignore_index}"
        raise ValueError(
            f"{name} holds label {bad_label}; expected labels in [0, {num_classes}){ignored}"
        )
    return None


def labels_along(
    xp: ModuleType, x: Array, labels: Array, axis: int, ignore_index: int | None, per: str
) -> tuple[Array, Array | None]:
    """Integer class labels ``y_true`` for scores ``x`` whose classes lie along ``axis``
    (normalized): one label per ``per`` (sample, pixel), so ``x``'s shape without ``axis``; a
    size-1 axis in its place is dropped (``(N, 1, H, W)`` label maps). Returns the labels and
    :func:`check_labels`' mask of invalid ones."""
    if labels.ndim == x.ndim and labels.shape[axis] == 1:
        labels = xp.squeeze(labels, axis=axis)
    expected = shape_of(x)[:axis] + shape_of(x)[axis + 1 :]
    if not shapes_match(shape_of(labels), expected):
        raise ValueError(
            f"y_true must hold one label per {per}, shape {expected} for y_pred of shape "
            f"{shape_of(x)} with the classes along axis {axis}; got {shape_of(labels)}"
        )
    return labels, check_labels(xp, labels, x.shape[axis], ignore_index)


def check_sequences(
    xp: ModuleType,
    labels: Array,
    label_lengths: Array,
    input_lengths: Array,
    *,
    time_steps: int,
    num_classes: int | None,
    blank: int,
) -> Array | None:
    """Padded label sequences and lengths (CTC), as :func:`check_labels` checks labels: lengths
    within ``[0, time_steps]`` and ``[0, labels.shape[1]]``, labels within their length in
    ``[0, num_classes)`` and not ``blank``. Raises on eager host arrays; elsewhere returns the
    per-sample mask of invalid sequences."""
    s = labels.shape[1]
    if not (can_inspect(labels) and can_inspect(label_lengths) and can_inspect(input_lengths)):
        slots = xp.arange(s, dtype=label_lengths.dtype, device=_namespace.device(labels))
        used = slots < label_lengths[:, None]
        bad = labels == blank
        if num_classes is not None:
            bad = bad | (labels < 0) | (labels >= num_classes)
        return (
            xp.any(used & bad, axis=1)
            | (input_lengths < 0) | (input_lengths > time_steps)
            | (label_lengths < 0) | (label_lengths > s)
        )
    il, ll, y = (_namespace.to_host(a) for a in (input_lengths, label_lengths, labels))
    if il.size and (il.min() < 0 or il.max() > time_steps):
        bad_length = il.min() if il.min() < 0 else il.max()
        raise ValueError(f"input_lengths holds {bad_length}; expected lengths in [0, {time_steps}]")
    if ll.size and (ll.min() < 0 or ll.max() > s):
        bad_length = ll.min() if ll.min() < 0 else ll.max()
        raise ValueError(
            f"label_lengths holds {bad_length}; expected lengths in [0, {s}] (labels' columns)"
        )
    values = y[np.arange(s)[None, :] < ll[:, None]]
    if values.size == 0:
        return None
    if num_classes is not None and (values.min() < 0 or values.max() >= num_classes):
        bad_label = values.min() if values.min() < 0 else values.max()
        raise ValueError(f"labels holds label {bad_label}; expected labels in [0, {num_classes})")
    if (values == blank).any():
        raise ValueError(f"labels holds the blank label {blank} within label_lengths")
    return None


def check_nonnegative(x: Array, name: str, *, positive: bool = False) -> None:
    """No negative entries in ``x`` (with ``positive``, no entry <= 0 either); checked on eager
    host arrays only (as :func:`check_labels`)."""
    if can_inspect(x):
        values = _namespace.to_host(x)
        if values.size and positive and values.min() <= 0:
            raise ValueError(f"{name} must hold positive values, got {values.min()}")
        if values.size and values.min() < 0:
            raise ValueError(f"{name} has negative entries")


def probabilities(xp: ModuleType, p: Array, name: str = "y_pred") -> Array:
    """``p`` checked to hold probabilities (values in ``[0, 1]``), for the values a loss reads.

    Where values may be read (eager host arrays) a value outside raises ``ValueError`` naming
    ``from_logits=True`` (logits passed as probabilities give a negative cross-entropy);
    elsewhere such entries become NaN, so that the loss shows them."""
    if can_inspect(p):
        values = _namespace.to_host(p)
        if values.size:
            lo, hi = values.min(), values.max()
            if lo < 0 or hi > 1:
                raise ValueError(
                    f"{name} holds {lo if lo < 0 else hi}, outside [0, 1]: it must hold "
                    "probabilities (pass from_logits=True for logits)"
                )
        return p
    return xp.where((p < 0) | (p > 1), xp.nan, p)
