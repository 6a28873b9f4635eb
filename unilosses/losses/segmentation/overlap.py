"""Overlap losses: soft Dice, Jaccard (soft IoU) and the generalized Dice of Sudre et al.

Shared conventions (see :func:`dice` for the full parameter list):

* ``axis=None`` (default of :func:`dice` and :func:`jaccard`): one score per sample over every
  non-batch axis, the pooled binary form of the project contract. ``axis=-1`` (channel-last) or
  ``axis=1`` (channel-first, MONAI's layout) gives a score per sample and channel over the other
  axes, averaged over the channels: MONAI's ``DiceLoss`` semantics.
* ``smooth`` sets both ``smooth_nr`` (added to the numerator) and ``smooth_dr`` (added to the
  denominator); either, when given, takes precedence over ``smooth`` for its side.
* An empty target with an empty prediction scores ``smooth_nr / smooth_dr``: loss 0 with the
  default equal smoothing (MONAI, Optax); loss 1 when ``smooth_nr=0`` (Keras' ``Dice``, which adds
  1e-7 to the denominator only, and kornia); with no smoothing at all 0/0 is taken as a score of 0,
  loss 1, never NaN.
* ``reduction="none"`` gives one value per sample; with ``batch=True`` the sums run over the batch
  too and the loss is one 0-d value (``sample_weight`` must then be a scalar).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ... import _core
from . import _masks

Array = Any

__all__ = ["dice", "generalized_dice", "jaccard"]

WEIGHT_TYPES = ("square", "simple", "uniform")


def _overlap_loss(
    xp: ModuleType,
    p: Array,
    m: _masks.Masks,
    *,
    squared: bool,
    jaccard: bool,
    nr: float,
    dr: float,
    batch: bool,
    include_background: bool,
) -> Array:
    """1 - Dice (or Jaccard) per sample, averaged over channels."""
    inter, sp, st = _masks.overlap_sums(xp, p, m, batch, squared)
    if jaccard:
        score = _core.safe_divide(xp, inter + nr, sp + st - inter + dr)
    else:
        score = _core.safe_divide(xp, 2 * inter + nr, sp + st + dr)
    return _masks.average_channels(xp, 1 - score, m, include_background)


def dice(
    y_pred: Array,
    y_true: Array,
    *,
    axis: int | None = None,
    include_background: bool = True,
    to_onehot: bool = False,
    sigmoid: bool = False,
    softmax: bool = False,
    squared: bool = True,
    jaccard: bool = False,
    smooth: float = 1e-5,
    smooth_nr: float | None = None,
    smooth_dr: float | None = None,
    batch: bool = False,
    class_weight: Array | None = None,
    ignore_index: int | None = None,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Soft Dice loss, per sample (pooled) or per sample and channel.

    ``1 - (2 sum(p t) + smooth_nr) / (sum(p**2) + sum(t**2) + smooth_dr)``, the sums over every
    non-batch axis (``axis=None``) or over every axis but the batch and channel axes (per channel,
    then the mean over channels, each multiplied by its ``class_weight``). ``squared=False`` uses
    ``sum(p) + sum(t)`` in the denominator; ``jaccard=True`` scores
    ``(sum(p t) + smooth_nr) / (sum(p) + sum(t) - sum(p t) + smooth_dr)`` instead (see
    :func:`jaccard`). An empty target with an empty prediction gives 0 with the default smoothing
    (MONAI and Optax; Keras and kornia give 1, as ``smooth_nr=0`` does here).

    Channel axis: ``axis=None`` (default) keeps the project's pooled form, one score per sample over
    all non-batch axes. The per-class options (``include_background``, ``to_onehot``, ``softmax``,
    ``class_weight``) need a channel axis: ``axis=-1`` for channel-last arrays (Keras, Optax),
    ``axis=1`` for channel-first ones (MONAI, PyTorch).

    Native counterparts: MONAI ``DiceLoss(include_background, to_onehot_y=to_onehot, sigmoid,
    softmax, squared_pred=squared, jaccard, smooth_nr, smooth_dr, batch, weight=class_weight,
    ignore_index)`` with ``axis=1`` (MONAI's default is ``squared_pred=False``, ours
    ``squared=True``; MONAI's ``weight`` excludes the background weight when
    ``include_background=False``, ours always has one weight per channel, as Optax; MONAI ignores
    ``weight`` when one channel is scored (one channel, or two without the background), ours
    multiplies that channel's loss by its weight, as Optax does and as it does for any number of
    channels, so that a weight scales the loss the same way whatever ``C`` is; MONAI's Jaccard
    doubles the smoothing, see :func:`jaccard`). ``keras.losses.Dice(axis)``:
    ``squared=False, smooth_nr=0, smooth_dr=1e-7``. Optax ``dice_loss(smooth=s)`` on logits:
    ``axis=-1, softmax=True, squared=False, smooth=2*s`` (``class_weights``,
    ``ignore_background`` map to ``class_weight``, ``include_background``). kornia
    ``dice_loss(average="macro")``: softmax logits and integer labels, ``smooth_nr=0,
    smooth_dr=eps``.

    Parameters
    ----------
    y_pred : array
        Probabilities (or logits with ``sigmoid``/``softmax``), shape ``(N, ...)``.
    y_true : array
        Masks in [0, 1] of the same shape, or integer labels with ``to_onehot=True``: shape of
        ``y_pred`` without the channel axis (or with it of size 1).
    axis : int or None
        The channel axis, or None to pool every non-batch axis.
    include_background : bool
        False drops channel 0 from the score (after any softmax).
    to_onehot : bool
        ``y_true`` holds integer labels, one-hot encoded over the channels of ``y_pred``.
    sigmoid, softmax : bool
        Apply a sigmoid, or a softmax over the channel axis, to ``y_pred`` first.
    squared : bool
        Square the terms of the denominator.
    jaccard : bool
        Score the soft Jaccard index (IoU) instead of Dice.
    smooth : float >= 0
        Sets ``smooth_nr`` and ``smooth_dr`` where they are not given.
    smooth_nr, smooth_dr : float >= 0, optional
        Added to the numerator / denominator; take precedence over ``smooth``.
    batch : bool
        Sum over the batch before dividing: one global score (per channel).
    class_weight : array of shape (C,) or float, optional
        Multiplies each channel's loss before the mean over channels (background included).
    ignore_index : int, optional
        Pixels to leave out: with labels (``to_onehot``) or without a channel axis, those whose
        ``y_true`` equals it; with one-hot targets, the pixels of that class, or for a value outside
        ``[0, C)`` the pixels that belong to no class (MONAI's rules).
    reduction, sample_weight, xp
        As in :func:`unilosses.mean_squared_error`; ``"none"`` gives one value per sample.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p = np.array([[0.9, 0.1, 0.8]]); t = np.array([[1.0, 0.0, 1.0]])
    >>> round(float(ul.dice(p, t)), 6)
    0.017341
    >>> labels = np.array([[0, 1, 1]])  # channel-last probabilities for two classes
    >>> q = np.array([[[0.8, 0.2], [0.3, 0.7], [0.4, 0.6]]])
    >>> round(float(ul.dice(q, labels, axis=-1, to_onehot=True, squared=False)), 6)
    0.30857
    """
    _core.check_bool(squared, "squared")
    _core.check_bool(jaccard, "jaccard")
    _core.check_bool(batch, "batch")
    nr, dr = _masks.smoothing(smooth, smooth_nr, smooth_dr)
    needs = _masks.check_activation(sigmoid, softmax)
    m = _masks.prepare(
        y_pred,
        y_true,
        xp=xp,
        reduction=reduction,
        axis=axis,
        to_onehot=to_onehot,
        ignore_index=ignore_index,
        include_background=include_background,
        class_weight=class_weight,
        needs_axis=tuple(needs),
    )
    xp = m.xp
    p = _masks.activate(xp, m.x, m.axis, sigmoid, softmax)
    loss = _overlap_loss(
        xp,
        p,
        m,
        squared=squared,
        jaccard=jaccard,
        nr=nr,
        dr=dr,
        batch=batch,
        include_background=include_background,
    )
    return _core.reduce(xp, loss, reduction, sample_weight, m.out, invalid=m.invalid)


def jaccard(
    y_pred: Array,
    y_true: Array,
    *,
    axis: int | None = None,
    include_background: bool = True,
    to_onehot: bool = False,
    sigmoid: bool = False,
    softmax: bool = False,
    squared: bool = False,
    smooth: float = 1e-5,
    smooth_nr: float | None = None,
    smooth_dr: float | None = None,
    batch: bool = False,
    class_weight: Array | None = None,
    ignore_index: int | None = None,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Soft Jaccard (IoU) loss: :func:`dice` with ``jaccard=True``, plain sums by default.

    ``1 - (I + smooth_nr) / (sum(p) + sum(t) - I + smooth_dr)`` with ``I = sum(p t)``
    (``squared=True`` squares the terms of the sums), per sample or per sample and channel as in
    :func:`dice`, whose options it shares. An empty target with an empty prediction gives 0 with
    the default smoothing.

    Native counterparts: MONAI ``DiceLoss(jaccard=True)``, which scores
    ``(2 I + smooth_nr) / (2 (sum(p) + sum(t) - I) + smooth_dr)``: its smoothing counts half, so
    MONAI's ``smooth_nr=s`` is ``smooth_nr=s/2`` here. segmentation_models_pytorch ``JaccardLoss``
    (``smooth`` in both places as here; its ``eps`` clamps the denominator instead).

    Parameters
    ----------
    squared : bool
        Square the terms of the sums in the denominator (MONAI ``squared_pred``).

    Other parameters as in :func:`dice`.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p = np.array([[0.9, 0.1, 0.8]]); t = np.array([[1.0, 0.0, 1.0]])
    >>> round(float(ul.jaccard(p, t)), 6)
    0.190475
    """
    return dice(
        y_pred,
        y_true,
        axis=axis,
        include_background=include_background,
        to_onehot=to_onehot,
        sigmoid=sigmoid,
        softmax=softmax,
        squared=squared,
        jaccard=True,
        smooth=smooth,
        smooth_nr=smooth_nr,
        smooth_dr=smooth_dr,
        batch=batch,
        class_weight=class_weight,
        ignore_index=ignore_index,
        reduction=reduction,
        sample_weight=sample_weight,
        xp=xp,
    )


def generalized_dice(
    y_pred: Array,
    y_true: Array,
    *,
    weight_type: str = "square",
    axis: int = -1,
    include_background: bool = True,
    to_onehot: bool = False,
    sigmoid: bool = False,
    softmax: bool = False,
    smooth: float = 1e-5,
    smooth_nr: float | None = None,
    smooth_dr: float | None = None,
    batch: bool = False,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Generalized Dice loss (Sudre et al. 2017): channels weighted by their target volume.

    ``1 - (2 sum_c w_c I_c + smooth_nr) / (sum_c w_c (P_c + T_c) + smooth_dr)`` per sample, with
    ``I_c = sum(p t)``, ``P_c = sum(p)``, ``T_c = sum(t)`` over the non-channel axes and
    ``w_c = 1 / T_c**2`` (``"square"``), ``1 / T_c`` (``"simple"``) or 1 (``"uniform"``). A class
    absent from the target (``T_c = 0``, an infinite weight) takes the largest finite weight of
    the sample (of the batch with ``batch=True``), as MONAI does; if every class is absent all
    weights are 0 and the loss is ``1 - smooth_nr / smooth_dr`` (0 by default).

    Native counterpart: MONAI ``GeneralizedDiceLoss(include_background, to_onehot_y=to_onehot,
    sigmoid, softmax, w_type=weight_type, smooth_nr, smooth_dr, batch)`` with ``axis=1``
    (channel-first). Optax ``multiclass_generalized_dice_loss`` is another formula (normalized
    weights ``1 / (T_c**2 + 1e-7)`` on per-class Dice losses) and is not matched.

    Parameters
    ----------
    weight_type : {"square", "simple", "uniform"}
        How a channel's target volume becomes its weight.
    axis : int
        The channel axis: -1 channel-last (default), 1 channel-first.

    Other parameters as in :func:`dice`. ``reduction="none"`` gives one value per sample.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p = np.array([[[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]])  # (N, pixels, C)
    >>> t = np.array([[[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]])
    >>> round(float(ul.generalized_dice(p, t)), 6)
    0.271317
    """
    if weight_type not in WEIGHT_TYPES:
        raise ValueError(f"weight_type must be one of {WEIGHT_TYPES}, got {weight_type!r}")
    if axis is None:
        raise ValueError(
            "generalized_dice weights channels: axis must be the channel axis, not None"
        )
    _core.check_bool(batch, "batch")
    nr, dr = _masks.smoothing(smooth, smooth_nr, smooth_dr)
    needs = _masks.check_activation(sigmoid, softmax)
    m = _masks.prepare(
        y_pred,
        y_true,
        xp=xp,
        reduction=reduction,
        axis=axis,
        to_onehot=to_onehot,
        include_background=include_background,
        needs_axis=tuple(needs),
    )
    xp = m.xp
    p = _masks.activate(xp, m.x, m.axis, sigmoid, softmax)
    inter, sp, st = _masks.overlap_sums(xp, p, m, batch)
    if not include_background:
        inter, sp, st = inter[..., 1:], sp[..., 1:], st[..., 1:]
    empty = st == 0
    if weight_type == "uniform":
        w = xp.ones_like(st)
    else:
        safe = xp.where(empty, 1, st)
        w = xp.where(empty, 0, 1 / (safe * safe if weight_type == "square" else safe))
        w = xp.where(empty, _core.max_along(xp, w, -1, keepdims=True), w)
    num = 2 * xp.sum(w * inter, axis=-1) + nr
    den = xp.sum(w * (sp + st), axis=-1) + dr
    loss = 1 - _core.safe_divide(xp, num, den)
    return _core.reduce(xp, loss, reduction, sample_weight, m.out, invalid=m.invalid)
