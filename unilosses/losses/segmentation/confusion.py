"""Losses from soft confusion counts: Tversky, focal Tversky and the Matthews correlation.

Soft counts per sample (and channel): ``TP = sum(p t)``, ``FP = sum(p (1 - t))``,
``FN = sum((1 - p) t)``, ``TN = sum((1 - p) (1 - t))``. Layout, channel and smoothing options are
those of :func:`unilosses.dice`.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ... import _core
from . import _masks

Array = Any

__all__ = ["focal_tversky", "mcc", "tversky"]


def _tversky_index(
    xp: ModuleType | None,
    y_pred: Array,
    y_true: Array,
    *,
    alpha: object,
    beta: object,
    axis: object,
    include_background: bool,
    to_onehot: bool,
    sigmoid: bool,
    softmax: bool,
    smooth: object,
    smooth_nr: object,
    smooth_dr: object,
    batch: bool,
    class_weight: Any,
    ignore_index: object,
    reduction: object,
) -> tuple[Array, _masks.Masks]:
    """The Tversky index per sample (and channel), and the prepared inputs."""
    a = _core.check_number(alpha, "alpha", low=0.0)
    b = _core.check_number(beta, "beta", low=0.0)
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
    tp, sp, st = _masks.overlap_sums(xp, p, m, batch)
    index = _core.safe_divide(xp, tp + nr, tp + a * (sp - tp) + b * (st - tp) + dr)
    return index, m


def tversky(
    y_pred: Array,
    y_true: Array,
    *,
    alpha: float = 0.5,
    beta: float = 0.5,
    axis: int | None = None,
    include_background: bool = True,
    to_onehot: bool = False,
    sigmoid: bool = False,
    softmax: bool = False,
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
    """Tversky loss (Salehi et al. 2017): Dice with separate weights on false positives and
    false negatives.

    ``1 - (TP + smooth_nr) / (TP + alpha FP + beta FN + smooth_dr)`` per sample, or per sample
    and channel averaged over channels, as :func:`unilosses.dice` (whose options it shares).
    ``alpha = beta = 0.5`` is the Dice loss with plain sums; ``alpha = beta = 1`` the Jaccard loss.
    An empty target with an empty prediction gives 0 with the default smoothing (MONAI, Optax).

    ``alpha`` weighs the false positives and ``beta`` the false negatives, as in the paper, MONAI,
    Optax and Keras' documentation. Keras' ``tversky`` code applies ``alpha`` to the false
    negatives instead: ``keras.losses.Tversky(alpha=a, beta=b)`` equals ``tversky(alpha=b,
    beta=a, smooth_nr=0, smooth_dr=1e-7)`` here.

    Native counterparts: MONAI ``TverskyLoss(include_background, to_onehot_y=to_onehot, sigmoid,
    softmax, alpha, beta, smooth_nr, smooth_dr, batch, ignore_index)`` with ``axis=1``;
    Optax ``dice_loss(alpha, beta, smooth, class_weights, ignore_background)`` on logits with
    ``axis=-1, softmax=True`` and ``smooth`` the same; ``keras.losses.Tversky`` as above.

    Parameters
    ----------
    alpha : float >= 0
        Weight of the false positives.
    beta : float >= 0
        Weight of the false negatives.

    Other parameters as in :func:`unilosses.dice`.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p = np.array([[0.9, 0.1, 0.8]]); t = np.array([[1.0, 0.0, 1.0]])
    >>> round(float(ul.tversky(p, t, alpha=0.3, beta=0.7)), 6)
    0.123711
    """
    index, m = _tversky_index(
        xp,
        y_pred,
        y_true,
        alpha=alpha,
        beta=beta,
        axis=axis,
        include_background=include_background,
        to_onehot=to_onehot,
        sigmoid=sigmoid,
        softmax=softmax,
        smooth=smooth,
        smooth_nr=smooth_nr,
        smooth_dr=smooth_dr,
        batch=batch,
        class_weight=class_weight,
        ignore_index=ignore_index,
        reduction=reduction,
    )
    loss = _masks.average_channels(m.xp, 1 - index, m, include_background)
    return _core.reduce(m.xp, loss, reduction, sample_weight, m.out, invalid=m.invalid)


def focal_tversky(
    y_pred: Array,
    y_true: Array,
    *,
    alpha: float = 0.5,
    beta: float = 0.5,
    gamma: float = 0.75,
    axis: int | None = None,
    include_background: bool = True,
    to_onehot: bool = False,
    sigmoid: bool = False,
    softmax: bool = False,
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
    """Focal Tversky loss (Abraham and Khan 2019): the Tversky loss raised to ``gamma``.

    ``(1 - TI)**gamma`` per sample, or per sample and channel then averaged over channels, with
    ``TI`` the Tversky index of :func:`tversky`. The paper writes the exponent as ``1/gamma`` with
    ``gamma = 4/3``; here ``gamma`` is the exponent itself, 0.75 by default. ``gamma = 1`` is
    :func:`tversky`. At a perfect score (``TI = 1``) the gradient is taken as 0 for ``gamma < 1``.
    An empty target with an empty prediction gives 0 with the default smoothing.

    Native counterpart: segmentation_models_pytorch ``TverskyLoss(mode, alpha, beta, gamma,
    smooth)`` raises the mean over classes of ``1 - TI`` to ``gamma`` (ours averages each class's
    ``(1 - TI)**gamma``), always pools the batch (``batch=True`` here) and gives 0 for a class
    without target pixels (here such a class is scored as any other). For one channel with
    ``batch=True``, ``sigmoid=True`` (smp's ``from_logits=True``) and ``smooth`` equal to smp's
    ``smooth``, the two agree wherever the target has foreground.

    Parameters
    ----------
    gamma : float > 0
        The exponent.

    Other parameters as in :func:`tversky`.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p = np.array([[0.9, 0.1, 0.8]]); t = np.array([[1.0, 0.0, 1.0]])
    >>> round(float(ul.focal_tversky(p, t, alpha=0.3, beta=0.7)), 6)
    0.208596
    """
    g = _core.check_number(gamma, "gamma", low=0.0, low_open=True)
    index, m = _tversky_index(
        xp,
        y_pred,
        y_true,
        alpha=alpha,
        beta=beta,
        axis=axis,
        include_background=include_background,
        to_onehot=to_onehot,
        sigmoid=sigmoid,
        softmax=softmax,
        smooth=smooth,
        smooth_nr=smooth_nr,
        smooth_dr=smooth_dr,
        batch=batch,
        class_weight=class_weight,
        ignore_index=ignore_index,
        reduction=reduction,
    )
    xp = m.xp
    base = 1 - index
    if g != 1:
        positive = base > 0  # 0**gamma has an infinite derivative for gamma < 1
        base = xp.where(positive, xp.where(positive, base, 1) ** g, 0)
    loss = _masks.average_channels(xp, base, m, include_background)
    return _core.reduce(xp, loss, reduction, sample_weight, m.out, invalid=m.invalid)


def mcc(
    y_pred: Array,
    y_true: Array,
    *,
    smooth: float = 1e-5,
    batch: bool = False,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Matthews correlation coefficient loss (Abhishek and Hamarneh 2021), binary masks.

    ``1 - (TP TN - FP FN) / sqrt((TP + FP) (TP + FN) (TN + FP) (TN + FN))`` with ``smooth`` added
    to each of the four soft counts, which are summed over every non-batch axis (over everything
    with ``batch=True``). The loss is in [0, 2]. An empty target with an empty prediction (MCC is
    undefined there) gives ``1 - P / (2 (P + 2 smooth))``, about 0.5, for ``P`` pixels, as
    segmentation_models_pytorch.

    Native counterparts: segmentation_models_pytorch ``MCCLoss(eps=smooth)``, which pools the
    whole batch: ``batch=True`` here. The default, one value per sample, follows the project's
    per-sample contract. MONAI ``MCCLoss(batch)`` (MONAI 1.6.1 and later) on ``(N, 1, ...)``
    masks computes the same MCC with its smoothing elsewhere: ``smooth_nr`` (default 0) added to
    the numerator and ``smooth_dr`` (default 1e-5) under the square root, not ``smooth`` to each
    count; away from constant masks the two agree to ``O(smooth / pixels)``. MONAI scores a
    prediction without false positives and false negatives as 0, so an empty target with an empty
    prediction gives 0 there and about 0.5 here (smp's value).

    Parameters
    ----------
    y_pred : array
        Probabilities, shape ``(N, ...)``.
    y_true : array
        Masks in [0, 1], same shape.
    smooth : float > 0
        Added to each soft count (keeps the ratio finite for constant masks).
    batch : bool
        Count over the whole batch: one 0-d value.

    ``reduction="none"`` gives one value per sample.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> p = np.array([[0.9, 0.1, 0.8, 0.3]]); t = np.array([[1.0, 0.0, 1.0, 0.0]])
    >>> round(float(ul.mcc(p, t)), 6)
    0.349192
    """
    e = _core.check_number(smooth, "smooth", low=0.0, low_open=True)
    _core.check_bool(batch, "batch")
    xp, p, t, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    if p.ndim < 2:
        raise ValueError(
            f"y_pred must have a batch axis and at least one more, got shape {_core.shape_of(p)}"
        )
    axes = _masks.reduce_axes(p.ndim, None, batch)
    tp = xp.sum(p * t, axis=axes) + e
    fp = xp.sum(p * (1 - t), axis=axes) + e
    fn = xp.sum((1 - p) * t, axis=axes) + e
    tn = xp.sum((1 - p) * (1 - t), axis=axes) + e
    corr = (tp * tn - fp * fn) / xp.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return _core.reduce(xp, 1 - corr, reduction, sample_weight, out)
