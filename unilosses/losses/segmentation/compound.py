"""Compound segmentation losses: Dice plus a pixelwise term (cross-entropy or focal), MONAI's
``DiceCELoss`` and ``DiceFocalLoss``.

``y_pred`` holds logits. The Dice term sees their softmax over the channel axis (default) or
their sigmoid (``sigmoid=True``), and the pixelwise term uses the matching activation, so both
terms score the same probabilities. Per sample the loss is
``lambda_dice * dice + lambda_<term> * <term>``, the pixelwise term averaged over the sample's
pixels; their mean over the samples is MONAI's value.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ... import _core
from . import _masks
from .overlap import _overlap_loss

Array = Any

__all__ = ["dice_crossentropy", "dice_focal"]


def _prepare(
    y_pred: Array,
    y_true: Array,
    *,
    xp: ModuleType | None,
    reduction: object,
    axis: object,
    sigmoid: object,
    include_background: bool,
    to_onehot: bool,
    squared: object,
    jaccard: object,
    smooth: object,
    smooth_nr: object,
    smooth_dr: object,
    batch: object,
    class_weight: Any,
) -> tuple[_masks.Masks, Array, Array]:
    """Prepared inputs, the Dice term per sample and the class weights along the channel axis."""
    _core.check_bool(sigmoid, "sigmoid")
    _core.check_bool(squared, "squared")
    _core.check_bool(jaccard, "jaccard")
    _core.check_bool(batch, "batch")
    nr, dr = _masks.smoothing(smooth, smooth_nr, smooth_dr)
    needs = () if sigmoid else ("the softmax (sigmoid=False)",)
    m = _masks.prepare(
        y_pred,
        y_true,
        xp=xp,
        reduction=reduction,
        axis=axis,
        to_onehot=to_onehot,
        include_background=include_background,
        class_weight=class_weight,
        needs_axis=needs,
    )
    xp = m.xp
    p = _masks.activate(xp, m.x, m.axis, bool(sigmoid), not sigmoid)
    dice = _overlap_loss(
        xp,
        p,
        m,
        squared=bool(squared),
        jaccard=bool(jaccard),
        nr=nr,
        dr=dr,
        batch=bool(batch),
        include_background=include_background,
    )
    cw = None
    if m.class_weight is not None:
        assert m.axis is not None
        cw = _masks.along(xp, m.class_weight, m.x.ndim, m.axis)
    return m, dice, cw


def dice_crossentropy(
    y_pred: Array,
    y_true: Array,
    *,
    axis: int | None = -1,
    sigmoid: bool = False,
    include_background: bool = True,
    to_onehot: bool = False,
    squared: bool = False,
    jaccard: bool = False,
    smooth: float = 1e-5,
    smooth_nr: float | None = None,
    smooth_dr: float | None = None,
    batch: bool = False,
    class_weight: Array | None = None,
    lambda_dice: float = 1.0,
    lambda_ce: float = 1.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Dice loss plus cross-entropy on logits (MONAI ``DiceCELoss``).

    ``lambda_dice * dice(softmax(x)) + lambda_ce * CE(x)`` per sample, with :func:`unilosses.dice`
    over the channels (options as there, plain sums by default) and the categorical cross-entropy
    of the logits over the channel axis averaged over the sample's pixels. With
    ``sigmoid=True`` (binary or multi-label masks) the Dice term sees ``sigmoid(x)`` and the
    second term is the binary cross-entropy with logits, averaged over the sample's elements.

    ``class_weight`` weighs the channels of both terms: the Dice terms as in :func:`dice`, the
    cross-entropy as PyTorch ``weight`` (targets of probabilities: a plain mean of the weighted
    sums; integer labels with ``to_onehot``: the weighted mean over the batch, each sample
    carrying its share), the binary cross-entropy as ``pos_weight`` of each channel. With one
    channel MONAI's Dice term ignores ``weight`` (see :func:`unilosses.dice`) and ours multiplies
    it: there ours is MONAI's value plus ``(weight - 1)`` times its unweighted Dice term.

    Native counterpart: MONAI ``DiceCELoss(softmax=True)`` (``sigmoid=True`` with one channel)
    with ``axis=1`` and the same ``include_background, to_onehot_y=to_onehot, squared_pred,
    jaccard, smooth_nr, smooth_dr, batch, weight, lambda_dice, lambda_ce``. MONAI's
    ``include_background=False`` drops the background's Dice term only, as here. Differences:
    with ``sigmoid=True`` and several channels MONAI still uses the softmax cross-entropy (here
    the binary one, matching the sigmoid); MONAI's ``"sum"`` adds the Dice sum over samples and
    channels to the cross-entropy sum over pixels, ours sums the per-sample losses; MONAI has no
    ``"none"``.

    Parameters
    ----------
    y_pred : array
        Logits, shape ``(N, ...)`` with channels along ``axis``.
    y_true : array
        One-hot (or soft) targets of the same shape, or integer labels with ``to_onehot=True``.
    axis : int or None
        The channel axis: -1 channel-last (default), 1 channel-first; None only with
        ``sigmoid=True`` (pooled binary Dice).
    sigmoid : bool
        Binary/multi-label: sigmoid and binary cross-entropy instead of softmax and categorical
        cross-entropy.
    lambda_dice, lambda_ce : float >= 0
        Weights of the two terms.

    Other parameters as in :func:`unilosses.dice`. ``reduction="none"`` gives one value per
    sample (with ``batch=True`` one 0-d value).

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> x = np.array([[[2.0, -1.0], [0.5, 1.5], [-1.0, 1.0]]])  # (N, pixels, C) logits
    >>> round(float(ul.dice_crossentropy(x, np.array([[0, 1, 1]]), to_onehot=True)), 6)
    0.315483
    """
    lam_d = _masks.check_weight(lambda_dice, "lambda_dice")
    lam_c = _masks.check_weight(lambda_ce, "lambda_ce")
    m, dice_loss, cw = _prepare(
        y_pred,
        y_true,
        xp=xp,
        reduction=reduction,
        axis=axis,
        sigmoid=sigmoid,
        include_background=include_background,
        to_onehot=to_onehot,
        squared=squared,
        jaccard=jaccard,
        smooth=smooth,
        smooth_nr=smooth_nr,
        smooth_dr=smooth_dr,
        batch=batch,
        class_weight=class_weight,
    )
    xp, x, t = m.xp, m.x, m.t
    if sigmoid:
        pos = xp.ones_like(t) if cw is None else 1 + (cw - 1) * t
        ce = _masks.mean_per_sample(xp, (1 - t) * x + pos * _core.softplus(xp, -x), batch)
    else:
        assert m.axis is not None
        wt = t if cw is None else t * cw
        nll = -xp.sum(wt * _core.log_softmax(xp, x, m.axis), axis=m.axis)
        if m.labels and cw is not None:  # PyTorch's weighted mean over the labels' weights
            pixel_weight = xp.sum(wt, axis=m.axis)
            if batch:
                ce = _core.safe_divide(xp, xp.sum(nll), xp.sum(pixel_weight))
            else:
                axes = tuple(range(1, nll.ndim))
                ce = _core.safe_divide(
                    xp, xp.sum(nll, axis=axes), _core.mean(xp, xp.sum(pixel_weight, axis=axes))
                )
        else:
            ce = _masks.mean_per_sample(xp, nll, batch)
    loss = lam_d * dice_loss + lam_c * ce
    return _core.reduce(xp, loss, reduction, sample_weight, m.out, invalid=m.invalid)


def dice_focal(
    y_pred: Array,
    y_true: Array,
    *,
    axis: int | None = -1,
    sigmoid: bool = False,
    include_background: bool = True,
    to_onehot: bool = False,
    squared: bool = False,
    jaccard: bool = False,
    smooth: float = 1e-5,
    smooth_nr: float | None = None,
    smooth_dr: float | None = None,
    batch: bool = False,
    class_weight: Array | None = None,
    gamma: float = 2.0,
    alpha: float | None = None,
    lambda_dice: float = 1.0,
    lambda_focal: float = 1.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Dice loss plus focal loss on logits (MONAI ``DiceFocalLoss``).

    ``lambda_dice * dice + lambda_focal * focal`` per sample, the focal term averaged over the
    sample's elements (channels times pixels). Softmax (default): the Dice term sees
    ``softmax(x)`` over the channel axis and the focal term is ``-(1 - p_c)**gamma log(p_c) t_c``
    per channel (MONAI ``FocalLoss(use_softmax=True)``); ``alpha`` weighs channel 0 by
    ``1 - alpha`` and the others by ``alpha``. ``sigmoid=True``: the Dice term sees
    ``sigmoid(x)`` and the focal term is the binary cross-entropy with logits times
    ``sigmoid(-x (2t - 1))**gamma`` (MONAI's sigmoid focal loss), with ``alpha`` weighing positives
    and ``1 - alpha`` negatives. ``class_weight`` multiplies each channel's Dice and focal terms;
    ``include_background=False`` drops channel 0 from both, after the softmax.

    Native counterparts: MONAI ``DiceFocalLoss(sigmoid=True, include_background, to_onehot_y,
    squared_pred, jaccard, smooth_nr, smooth_dr, batch, gamma, weight, lambda_dice,
    lambda_focal, alpha)`` with ``axis=1`` and ``sigmoid=True``. MONAI's ``DiceFocalLoss`` always
    uses the sigmoid focal term, even with ``softmax=True``; our softmax mode pairs the softmax
    Dice with MONAI's softmax ``FocalLoss`` instead. MONAI's softmax focal loss with
    ``include_background=False`` renormalizes the softmax without the background and ignores a
    scalar ``alpha``; ours keeps the full softmax, as its Dice term does.

    Parameters
    ----------
    gamma : float >= 0
        Focusing exponent of the focal term.
    alpha : float in [0, 1], optional
        Balance of the focal term (see above).
    lambda_dice, lambda_focal : float >= 0
        Weights of the two terms.

    Other parameters as in :func:`dice_crossentropy`.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> x = np.array([[[2.0, -1.0], [0.5, 1.5], [-1.0, 1.0]]])  # (N, pixels, C) logits
    >>> round(float(ul.dice_focal(x, np.array([[0, 1, 1]]), to_onehot=True)), 6)
    0.156652
    """
    lam_d = _masks.check_weight(lambda_dice, "lambda_dice")
    lam_f = _masks.check_weight(lambda_focal, "lambda_focal")
    g = _core.check_number(gamma, "gamma", low=0.0)
    a = None if alpha is None else _core.check_number(alpha, "alpha", low=0.0, high=1.0)
    m, dice_loss, cw = _prepare(
        y_pred,
        y_true,
        xp=xp,
        reduction=reduction,
        axis=axis,
        sigmoid=sigmoid,
        include_background=include_background,
        to_onehot=to_onehot,
        squared=squared,
        jaccard=jaccard,
        smooth=smooth,
        smooth_nr=smooth_nr,
        smooth_dr=smooth_dr,
        batch=batch,
        class_weight=class_weight,
    )
    xp, x, t = m.xp, m.x, m.t
    if sigmoid:
        bce = (1 - t) * x - _core.log_sigmoid(xp, x)
        focal = bce * xp.exp(g * _core.log_sigmoid(xp, -x * (2 * t - 1))) if g else bce
        if a is not None:
            focal = focal * (t * a + (1 - t) * (1 - a))
    else:
        assert m.axis is not None
        logp = _core.log_softmax(xp, x, m.axis)
        focal = -logp * t
        if g:
            base = 1 - xp.exp(logp)
            positive = base > 0  # 0**gamma has an infinite derivative for gamma < 1
            focal = focal * xp.where(positive, xp.where(positive, base, 1) ** g, 0)
        if a is not None:
            background = xp.astype(_core.class_indices(xp, x, m.axis) == 0, x.dtype)
            focal = focal * (
                a + (1 - 2 * a) * background
            )  # 1 - alpha on channel 0, alpha elsewhere
    if cw is not None:
        focal = focal * cw
    if not include_background:
        assert m.axis is not None
        focal = _masks.drop_first(focal, m.axis)
    loss = lam_d * dice_loss + lam_f * _masks.mean_per_sample(xp, focal, batch)
    return _core.reduce(xp, loss, reduction, sample_weight, m.out, invalid=m.invalid)
