"""What the overlap losses share: option checks, activations, one-hot labels, ignored pixels and
the per-(sample, channel) sums. Private; math only.

Layout: ``y_pred`` is ``(N, ...)``. Without a channel axis (``axis=None``) every non-batch axis is
pooled into one score per sample. With a channel axis ``k`` (``-1`` channel-last, ``1``
channel-first) scores are per sample and channel, over the remaining (spatial) axes, then averaged
over the channels. ``batch=True`` pools the batch axis too.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ... import _core

Array = Any


def smoothing(smooth: object, smooth_nr: object, smooth_dr: object) -> tuple[float, float]:
    """(numerator, denominator) smoothing: ``smooth_nr``/``smooth_dr`` override ``smooth``."""
    s = _core.check_number(smooth, "smooth", low=0.0)
    nr = s if smooth_nr is None else _core.check_number(smooth_nr, "smooth_nr", low=0.0)
    dr = s if smooth_dr is None else _core.check_number(smooth_dr, "smooth_dr", low=0.0)
    return nr, dr


def check_weight(value: object, name: str) -> float:
    return _core.check_number(value, name, low=0.0)


def along(xp: ModuleType, w: Array, ndim: int, axis: int) -> Array:
    """A (C,) vector shaped to broadcast along ``axis`` of an ``ndim``-dimensional array."""
    if w.ndim == 0:
        return w
    shape = [1] * ndim
    shape[axis] = -1
    return xp.reshape(w, tuple(shape))


def drop_first(x: Array, axis: int) -> Array:
    """``x`` without index 0 along ``axis`` (the background channel)."""
    index = [slice(None)] * x.ndim
    index[axis] = slice(1, None)
    return x[tuple(index)]


@dataclass
class Masks:
    """Prepared inputs of one call."""

    xp: ModuleType
    x: Array  # y_pred in the compute dtype, before any activation
    t: Array  # targets, one-hot when labels were given
    out: Any  # dtype of the result
    axis: int | None  # the channel axis, normalized; None: pooled
    mask: Array | None  # 1 where a pixel counts, 0 where ignored; broadcasts against x
    labels: bool  # y_true held integer labels
    class_weight: Array | None  # () or (C,), in the compute dtype
    invalid: Array | None  # invalid labels where they could not be checked, for _core.reduce


def prepare(
    y_pred: Array,
    y_true: Array,
    *,
    xp: ModuleType | None,
    reduction: object,
    axis: object,
    to_onehot: bool = False,
    ignore_index: object = None,
    include_background: bool = True,
    class_weight: Any = None,
    needs_axis: tuple[str, ...] = (),
) -> Masks:
    """Checks and prepares the inputs of an overlap loss.

    ``needs_axis`` names the options set by the caller that only make sense with a channel axis.
    """
    _core.check_bool(to_onehot, "to_onehot")
    _core.check_bool(include_background, "include_background")
    ignore_index = _core.check_optional_int(ignore_index, "ignore_index")
    needs = [*needs_axis]
    needs += ["to_onehot=True"] if to_onehot else []
    needs += ["include_background=False"] if not include_background else []
    needs += ["class_weight"] if class_weight is not None else []
    if axis is None and needs:
        raise ValueError(
            f"{needs[0]} needs a channel axis: pass axis=-1 (channel-last) "
            "or axis=1 (channel-first)"
        )
    xp, x, t, out = _core.prepare(
        y_pred, y_true, xp=xp, reduction=reduction, labels=to_onehot, class_weight=class_weight
    )
    if x.ndim < 2:
        raise ValueError(
            f"y_pred must have a batch axis and at least one more, got shape {_core.shape_of(x)}"
        )
    k = None
    if axis is not None:
        k = _core.normalize_axis(axis, x.ndim)
        if k == 0:
            raise ValueError("axis=0 is the batch axis; the channel axis must be another one")
    n_channels = None if k is None else x.shape[k]
    if not include_background and n_channels == 1:
        raise ValueError("include_background=False needs at least two channels along axis")

    mask = invalid = None
    if to_onehot:
        assert k is not None
        labels, invalid = _core.labels_along(xp, x, t, k, ignore_index, "pixel")
        labels = xp.expand_dims(labels, axis=k)
        if ignore_index is not None:
            mask = xp.astype(labels != ignore_index, x.dtype)
        t = xp.astype(xp.astype(labels, x.dtype) == _core.class_indices(xp, x, k), x.dtype)
    elif ignore_index is not None:
        if k is None or n_channels == 1:  # label-valued masks: compare the values
            mask = xp.astype(t != ignore_index, x.dtype)
        elif isinstance(n_channels, int) and 0 <= ignore_index < n_channels:  # one-hot: that class
            index = [slice(None)] * t.ndim
            index[k] = slice(ignore_index, ignore_index + 1)
            mask = 1 - t[tuple(index)]
        else:  # one-hot with a sentinel: pixels that belong to no class
            mask = xp.astype(xp.sum(t, axis=k, keepdims=True) > 0, x.dtype)
        t = t * mask

    cw = None
    if class_weight is not None:
        cw = _core.as_like(xp, class_weight, x, "class_weight")
        shape, n = _core.shape_of(cw), None if k is None else _core.shape_of(x)[k]
        if not (shape == () or _core.shapes_match(shape, (n,))):
            raise ValueError(
                f"class_weight must be a number or have shape ({n_channels},) (one weight per "
                f"channel, background included), got {shape}"
            )
    return Masks(xp, x, t, out, k, mask, to_onehot, cw, invalid)


def activate(xp: ModuleType, x: Array, axis: int | None, sigmoid: bool, softmax: bool) -> Array:
    """Probabilities from ``y_pred``: sigmoid or softmax over the channel axis, else as given."""
    if sigmoid:
        return xp.exp(_core.log_sigmoid(xp, x))
    if softmax:
        assert axis is not None
        return xp.exp(_core.log_softmax(xp, x, axis))
    return x


def check_activation(sigmoid: object, softmax: object) -> list[str]:
    """The activation flags; returns the options that need a channel axis."""
    _core.check_bool(sigmoid, "sigmoid")
    _core.check_bool(softmax, "softmax")
    if sigmoid and softmax:
        raise ValueError("sigmoid=True and softmax=True exclude each other; pick one")
    return ["softmax=True"] if softmax else []


def reduce_axes(ndim: int, axis: int | None, batch: bool) -> tuple[int, ...]:
    """The axes a score sums over: every axis but the channel axis, and the batch axis unless
    ``batch``."""
    return tuple(i for i in range(ndim) if i != axis and (batch or i != 0))


def overlap_sums(
    xp: ModuleType, p: Array, m: Masks, batch: bool, squared: bool = False
) -> tuple[Array, Array, Array]:
    """``sum(p t)``, ``sum(p)`` and ``sum(t)`` (their squares with ``squared``) per sample and
    channel: shapes ``(N, C)``, ``(C,)`` with ``batch``, ``(N,)`` or ``()`` without a channel
    axis."""
    t = m.t
    if m.mask is not None:
        p = p * m.mask
    axes = reduce_axes(p.ndim, m.axis, batch)
    inter = xp.sum(p * t, axis=axes)
    if squared:
        return inter, xp.sum(p * p, axis=axes), xp.sum(t * t, axis=axes)
    return inter, xp.sum(p, axis=axes), xp.sum(t, axis=axes)


def average_channels(xp: ModuleType, f: Array, m: Masks, include_background: bool) -> Array:
    """Scores per (sample, channel) -> per sample: background dropped, class weights applied,
    mean over the channels (MONAI and Optax: the weighted scores are averaged, not normalized by
    the weights' sum). Without a channel axis ``f`` is returned as it is."""
    if m.axis is None:
        return f
    cw = m.class_weight
    if not include_background:
        f = f[..., 1:]
        cw = cw[1:] if cw is not None and cw.ndim == 1 else cw
    if cw is not None:
        f = f * cw
    return xp.mean(f, axis=-1)


def mean_per_sample(xp: ModuleType, elements: Array, batch: bool) -> Array:
    """The mean over every non-batch axis (over everything with ``batch``)."""
    if batch:
        return _core.mean(xp, elements)
    return xp.mean(elements, axis=tuple(range(1, elements.ndim)))
