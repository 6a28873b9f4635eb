"""Point clouds: the arguments of the sample-based distances, and their pairwise distances."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ... import _core

Array = Any


def point_clouds(
    arrays: dict[str, Array], xp: ModuleType | None, reduction: object
) -> tuple[ModuleType, list[Array], Any]:
    """``x`` of shape ``(..., n, D)`` and ``y`` of shape ``(..., m, D)`` (the same leading batch
    axes and features ``D``), then optional weights of shapes ``(..., n)`` and ``(..., m)``;
    returns ``(xp, arrays, out_dtype)`` as :func:`_core.prepare_named` does."""
    xp, values, out = _core.prepare_named(arrays, xp=xp, reduction=reduction)
    names = list(arrays)
    x, y = values[:2]
    if x.ndim < 2:
        raise ValueError(
            f"{names[0]} must hold points along its last two axes (..., points, features), got "
            f"shape {_core.shape_of(x)}"
        )
    sx, sy = _core.shape_of(x), _core.shape_of(y)
    want = (*sx[:-2], None, sx[-1])
    if not _core.shapes_match(sy, want):
        raise ValueError(
            f"{names[1]} of shape {sy} must hold points with {names[0]}'s batch axes and "
            f"features, shape {(*sx[:-2], 'm', sx[-1])}"
        )
    for name, w, points in zip(names[2:], values[2:], (x, y), strict=False):
        if w is not None and not _core.shapes_match(_core.shape_of(w), _core.shape_of(points)[:-1]):
            raise ValueError(
                f"{name} must hold one weight per point, shape {_core.shape_of(points)[:-1]}, "
                f"got {_core.shape_of(w)}"
            )
        if w is not None:
            _core.check_nonnegative(w, name)
    return xp, values, out


def squared_distances(xp: ModuleType, x: Array, y: Array) -> Array:
    """``|x_i - y_j|^2`` for points ``(..., n, D)`` and ``(..., m, D)``: ``(..., n, m)``, from the
    differences (exactly 0 between equal points; an ``(..., n, m, D)`` temporary)."""
    d = x[..., :, None, :] - y[..., None, :, :]
    return xp.sum(d * d, axis=-1)


def distances(xp: ModuleType, squared: Array) -> Array:
    """``sqrt(squared)`` with gradient 0 where it is 0 (double where: the root's gradient is
    infinite there)."""
    positive = squared > 0
    return xp.where(positive, xp.sqrt(xp.where(positive, squared, 1)), 0)


def count(xp: ModuleType, x: Array, axis: int) -> Any:
    """The size of ``x`` along ``axis``: the int, or where it is unknown (traced with a ``None``
    size) an array that broadcasts against ``x`` reduced over ``axis``."""
    n = x.shape[axis]
    if isinstance(n, int):
        return n
    return xp.sum(xp.ones_like(x), axis=axis)
