"""Lovász losses (Berman, Rannen Triki and Blaschko 2018): convex surrogates of the Jaccard loss.

Each image's pixel errors are sorted in decreasing order and dotted with the gradient of the
Jaccard loss along that order (the Lovász extension). The sort runs along the flattened pixels of
an image (of the batch with ``per_image=False``), so these losses need a sort and a gather along
an axis: they raise :class:`TypeError` for arrays of a library without them.

Ignored pixels are sorted last with error 0 and no foreground, which leaves the value of every
other pixel's term as if they had been removed (Berman's reference code removes them).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ... import _core

Array = Any

__all__ = ["lovasz_hinge", "lovasz_softmax"]


def _jaccard_steps(xp: ModuleType, fg: Array) -> Array:
    """Gradient of the Lovász extension of the Jaccard loss at foreground flags sorted by
    decreasing error, along the last axis (Berman et al., Algorithm 1)."""
    total = xp.sum(fg, axis=-1, keepdims=True)
    inter = total - xp.cumulative_sum(fg, axis=-1)
    union = total + xp.cumulative_sum(1 - fg, axis=-1)  # >= 1: position k counts k pixels
    jac = 1 - inter / union
    if jac.shape[-1] == 0:  # no pixels: no steps (and no slice of an empty axis)
        return jac
    return jac - xp.concat([xp.zeros_like(jac[..., :1]), jac[..., :-1]], axis=-1)


def _sorted_dot(xp: ModuleType, errors: Array, fg: Array, valid: Array | None, loss: str) -> Array:
    """``sum_k errors_(k) * steps_k`` along the last axis, errors sorted in decreasing order;
    ignored entries (``valid`` False) go last with error 0 and no foreground."""
    key = errors
    if valid is not None:
        key = xp.where(valid, errors, -float("inf"))
        errors = xp.where(valid, errors, 0)
        fg = xp.where(valid, fg, 0)
    try:
        order = _core.argsort_descending(xp, key, -1)
    except TypeError as e:
        raise TypeError(f"{loss} sorts the pixels of each image: {e}") from e
    steps = _jaccard_steps(xp, _core.take_along_axis(xp, fg, order, -1))
    return xp.sum(_core.take_along_axis(xp, errors, order, -1) * steps, axis=-1)


def _flat_images(xp: ModuleType, x: Array, per_image: bool) -> Array:
    """``(N, pixels)`` per image, or ``(1, all pixels)``."""
    return _core.flatten(xp, x, 1) if per_image else xp.reshape(x, (1, -1))


def lovasz_hinge(
    y_pred: Array,
    y_true: Array,
    *,
    per_image: bool = True,
    ignore_index: int | None = None,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Binary Lovász hinge loss on logits.

    Per image with pixels ``i``: hinge errors ``e_i = 1 - x_i s_i`` with signs ``s = 2 t - 1``,
    sorted in decreasing order, then ``sum_k max(e_(k), 0) g_k`` with ``g`` the Jaccard steps of
    the labels in that order. ``per_image=False`` pools the whole batch into one image (one 0-d
    value). An image with an empty target scores its largest positive hinge error: 0 when every
    logit is at most -1.

    Native counterparts: Berman's reference ``lovasz_hinge(per_image, ignore)`` and
    segmentation_models_pytorch ``LovaszLoss("binary", per_image, ignore_index)`` (the same code).
    Berman's default is ``per_image=True`` as here (smp's is False). kornia
    ``losses.lovasz_hinge_loss(logits[:, None], labels)`` is the ``per_image=True`` loss of
    ``(N, H, W)`` images, averaged (no ``ignore_index``).

    Parameters
    ----------
    y_pred : array
        Logits, shape ``(N, ...)``.
    y_true : array
        Binary masks (0 or 1), same shape.
    per_image : bool
        One loss per image (default), or one over the whole batch.
    ignore_index : int, optional
        Pixels whose ``y_true`` equals it contribute nothing (an image with only such pixels
        scores 0).

    Other parameters as in :func:`unilosses.mean_squared_error`; ``reduction="none"`` gives one
    value per image. Needs a sort along an axis (see the module notes).

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> x = np.array([[2.0, -1.5, 0.5, -0.2]]); t = np.array([[1.0, 0.0, 1.0, 1.0]])
    >>> round(float(ul.lovasz_hinge(x, t)), 6)
    0.566667
    """
    _core.check_bool(per_image, "per_image")
    ignore_index = _core.check_optional_int(ignore_index, "ignore_index")
    xp, x, t, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    if x.ndim < 2:
        raise ValueError(
            f"y_pred must have a batch axis and at least one more, got shape {_core.shape_of(x)}"
        )
    x, t = _flat_images(xp, x, per_image), _flat_images(xp, t, per_image)
    valid = None if ignore_index is None else t != ignore_index
    if valid is not None:
        t = xp.where(valid, t, 0)
    errors = xp.maximum(1 - x * (2 * t - 1), 0)
    loss = _sorted_dot(xp, errors, t, valid, "lovasz_hinge")
    if not per_image:
        loss = xp.squeeze(loss, axis=0)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def lovasz_softmax(
    y_pred: Array,
    y_true: Array,
    *,
    from_logits: bool = False,
    classes: str = "present",
    per_image: bool = True,
    ignore_index: int | None = None,
    axis: int = -1,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Multi-class Lovász-softmax loss against integer labels.

    Per image and class ``c``: errors ``|[y = c] - p_c|`` over the pixels, sorted in decreasing
    order and dotted with the Jaccard steps of the class's foreground in that order; the mean over
    the classes present in the image's labels (``classes="present"``, an image without any counted
    pixel scores 0) or over all classes (``"all"``). ``per_image=False`` pools the batch into one
    image (one 0-d value).

    Native counterparts: Berman's reference ``lovasz_softmax(probas, labels, classes, per_image,
    ignore)`` (probabilities, channel-first: ``axis=1``; its default ``per_image=False``, ours True
    for one value per sample), segmentation_models_pytorch ``LovaszLoss("multiclass")`` (logits:
    ``from_logits=True``). kornia ``losses.lovasz_softmax_loss(logits, labels)`` is
    ``from_logits=True, axis=1, classes="all"`` per image, averaged (no ``ignore_index``; its
    ``weight`` multiplies each class's term).

    Parameters
    ----------
    y_pred : array
        Probabilities (or logits with ``from_logits=True``), classes along ``axis``.
    y_true : integer array
        Labels in ``[0, C)``, shape of ``y_pred`` without ``axis``.
    from_logits : bool
        Apply a softmax over ``axis`` first.
    classes : {"present", "all"}
        Which classes the mean runs over.
    per_image : bool
        One loss per image (default), or one over the whole batch.
    ignore_index : int, optional
        Label of pixels that contribute nothing.
    axis : int
        The class axis: -1 channel-last (default), 1 channel-first.

    Other parameters as in :func:`unilosses.mean_squared_error`; ``reduction="none"`` gives one
    value per image. Needs a sort along an axis (see the module notes).

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p = np.array([[[0.7, 0.3], [0.4, 0.6], [0.2, 0.8]]])  # (N, pixels, C)
    >>> round(float(ul.lovasz_softmax(p, np.array([[0, 1, 0]]))), 6)
    0.583333
    """
    _core.check_bool(from_logits, "from_logits")
    _core.check_bool(per_image, "per_image")
    if classes not in ("present", "all"):
        raise ValueError(f"classes must be 'present' or 'all', got {classes!r}")
    ignore_index = _core.check_optional_int(ignore_index, "ignore_index")
    xp, x, labels, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction, labels=True)
    k = _core.normalize_axis(axis, x.ndim)
    if x.ndim < 2 or k == 0:
        raise ValueError(
            "y_pred must have a batch axis and a class axis, got shape "
            f"{_core.shape_of(x)} with axis={axis}"
        )
    labels, invalid = _core.labels_along(xp, x, labels, k, ignore_index, "pixel")
    p = xp.exp(_core.log_softmax(xp, x, k)) if from_logits else x
    # (images, C, pixels): classes on axis 1, the pixels of an image on the last axis
    if per_image:
        p = _core.flatten(xp, xp.moveaxis(p, k, 1), 2)
        labels = xp.expand_dims(_core.flatten(xp, labels, 1), axis=1)
    else:
        p = xp.expand_dims(_core.flatten(xp, xp.moveaxis(p, k, 0), 1), axis=0)
        labels = xp.reshape(labels, (1, 1, -1))
    fg = xp.astype(xp.astype(labels, p.dtype) == _core.class_indices(xp, p, 1), p.dtype)
    valid = None if ignore_index is None else labels != ignore_index
    per_class = _sorted_dot(xp, xp.abs(fg - p), fg, valid, "lovasz_softmax")
    if classes == "all":
        loss = xp.mean(per_class, axis=-1)
    else:
        counted = fg if valid is None else xp.where(valid, fg, 0)
        present = xp.astype(xp.sum(counted, axis=-1) > 0, p.dtype)
        loss = _core.safe_divide(xp, xp.sum(per_class * present, axis=-1), xp.sum(present, axis=-1))
    if not per_image:
        loss = xp.squeeze(loss, axis=0)
    return _core.reduce(xp, loss, reduction, sample_weight, out, invalid=invalid)
