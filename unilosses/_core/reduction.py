"""Reduction and weights: ``sample_weight``, the ``"mean"``/``"sum"``/``"none"`` reductions, NaN
for invalid samples, and the 0/0 = 0 division of weighted means."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from .inputs import as_like
from .validation import shape_of, shapes_match

Array = Any


def _sample_weight(xp: ModuleType, sample_weight: Any, loss: Array) -> Array:
    w = as_like(xp, sample_weight, loss, "sample_weight")
    ls, ws = shape_of(loss), shape_of(w)
    if len(ws) > len(ls) and all(d == 1 for d in ws[len(ls) :]):  # (N, 1) for (N,), as Keras
        ws = ws[: len(ls)]
        w = xp.reshape(w, tuple(-1 if d is None else d for d in ws))
    if len(ws) > len(ls):
        raise ValueError(
            f"sample_weight of shape {ws} has more dimensions than the unreduced loss {ls}"
        )
    if len(ws) < len(ls):  # align with the leading (batch) axes, as Keras does
        ws = ws + (1,) * (len(ls) - len(ws))
        w = xp.reshape(w, tuple(-1 if d is None else d for d in ws))
    if not shapes_match(ws, ls, broadcast=True):
        raise ValueError(
            f"sample_weight of shape {shape_of(w)} does not broadcast to the unreduced loss {ls}"
        )
    return w


def mean(xp: ModuleType, x: Array) -> Array:
    """The mean of all elements; 0 for an empty array (no NaN, no warning)."""
    return xp.sum(x) if 0 in x.shape else xp.mean(x)


def safe_divide(xp: ModuleType, num: Array, den: Array) -> Array:
    """num/den with x/0 read as x/1, so 0/0 = 0: an all-ignored or all-zero-weight batch, an
    empty mask or a sample without positives gives 0, not NaN."""
    return num / xp.where(den == 0, 1, den)


def invalidate(xp: ModuleType, loss: Array, invalid: Array | None) -> Array:
    """``loss`` with NaN where ``invalid`` (from :func:`check_labels`) flags a value.

    ``invalid`` has the loss's shape (one label per loss value), or a per-sample loss's batch
    (leading) axis and more axes (labels per pixel, per slot), reduced with ``any``. Where the
    loss has no such batch axis (one value for the whole batch) it is NaN if any value is."""
    if invalid is None:
        return loss
    if shape_of(invalid) != shape_of(loss):
        n = shape_of(loss)[:1]
        if invalid.ndim > 1:
            invalid = xp.any(invalid, axis=tuple(range(1, invalid.ndim)))
        if n and n == shape_of(invalid):
            invalid = xp.reshape(invalid, (-1,) + (1,) * (loss.ndim - 1))
        else:
            invalid = xp.any(invalid)
    return xp.where(invalid, xp.nan, loss)


def reduce(
    xp: ModuleType,
    loss: Array,
    reduction: str,
    sample_weight: Any,
    out_dtype: Any,
    weight: Array | None = None,
    scale: float = 1.0,
    invalid: Array | None = None,
) -> Array:
    """Apply ``sample_weight`` and the reduction; cast to ``out_dtype``.

    ``loss`` is the unreduced loss. ``weight`` (optional, same shape) is an internal weight already
    multiplied into ``loss`` (class weights, ignore masks): ``"mean"`` then divides by its sum, as
    torch does for ``weight``/``ignore_index``. ``scale`` multiplies the result: a constant factor
    of the loss applied after the reduction costs one scalar operation instead of an array pass.
    ``invalid`` (from :func:`check_labels`) makes the loss of invalid samples NaN first.
    """
    loss = invalidate(xp, loss, invalid)
    if sample_weight is not None:
        sw = _sample_weight(xp, sample_weight, loss)
        loss = loss * sw
        if reduction == "mean":
            if weight is None:
                weight = sw + xp.zeros_like(loss) if shape_of(sw) != shape_of(loss) else sw
            else:
                weight = weight * sw
    if reduction == "none":
        out = loss
    elif reduction == "sum":
        out = xp.sum(loss)
    elif weight is not None:
        out = safe_divide(xp, xp.sum(loss), xp.sum(weight))
    else:  # an empty batch gives 0, not NaN
        out = mean(xp, loss)
    if scale != 1.0:
        out = out * scale
    return out if out.dtype == out_dtype else xp.astype(out, out_dtype)
