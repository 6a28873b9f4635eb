"""Structure-aware losses: the structural similarity (SSIM) of images and volumes over local
Gaussian windows, and the clDice of tubular masks, scored on their soft skeletons.

Neither uses a convolution. The SSIM's Gaussian window is separable: one product with a banded
matrix per spatial axis (built from positions, so it also serves sizes unknown while tracing). The
soft skeleton is made of erosions and dilations: minima and maxima of each entry and its
neighbours one step away along an axis, from slices of the array shifted by one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType
from typing import Any

from ... import _core
from . import _masks
from .overlap import _overlap_loss

Array = Any

__all__ = ["dice_cldice", "soft_cldice", "ssim_loss"]

PADDINGS = ("valid", "same")


# --- the soft skeleton ------------------------------------------------------------------------


def _along(x: Array, axis: int, start: int | None, stop: int | None) -> Array:
    """``x[..., start:stop, ...]`` along ``axis``."""
    index = [slice(None)] * x.ndim
    index[axis] = slice(start, stop)
    return x[tuple(index)]


def _whole(xp: ModuleType, x: Array, axes: tuple[int, ...]) -> Array:
    """``x`` in one block along each of ``axes`` (:func:`_core.whole_along`): the slices shifted
    along them below then stay in one block too."""
    for a in axes:
        x = _core.whole_along(xp, x, a)
    return x


def _neighbours(xp: ModuleType, x: Array, axis: int, op: Callable[[Array, Array], Array]) -> Array:
    """``op`` (``xp.minimum`` or ``xp.maximum``) of each entry and its two neighbours along
    ``axis``. The border entries are repeated in place of the missing neighbours: that leaves a
    minimum or a maximum unchanged, as padding with +inf or -inf would."""
    ends = [_along(x, axis, 0, 1), x, _along(x, axis, -1, None)]
    padded = _core.whole_along(xp, xp.concat(ends, axis=axis), axis)
    before, here = _along(padded, axis, 0, -2), _along(padded, axis, 1, -1)
    return op(op(before, here), _along(padded, axis, 2, None))


def _erode(xp: ModuleType, x: Array, axes: tuple[int, ...]) -> Array:
    """Soft erosion: the minimum over the cross (each entry and its neighbours along one axis)."""
    out = x
    for k, a in enumerate(axes):
        nearby = _neighbours(xp, x, a, xp.minimum)
        out = nearby if k == 0 else xp.minimum(out, nearby)
    return out


def _dilate(xp: ModuleType, x: Array, axes: tuple[int, ...]) -> Array:
    """Soft dilation: the maximum over the 3 x 3 (x 3) cube, one axis after the other."""
    for a in axes:
        x = _neighbours(xp, x, a, xp.maximum)
    return x


def _soft_skeleton(xp: ModuleType, x: Array, axes: tuple[int, ...], iterations: int) -> Array:
    """Shit et al.'s soft skeleton: ``relu(x - open(x))``, then for each iteration the erosion
    ``x <- erode(x)`` adds ``relu(delta - skel * delta)`` with ``delta = relu(x - open(x))``;
    ``open(x) = dilate(erode(x))`` (each erosion is computed once)."""
    x = _whole(xp, x, axes)
    eroded = _erode(xp, x, axes)
    skel = xp.maximum(x - _dilate(xp, eroded, axes), 0)
    for _ in range(iterations):
        x, eroded = eroded, _erode(xp, eroded, axes)
        delta = xp.maximum(x - _dilate(xp, eroded, axes), 0)
        skel = skel + xp.maximum(delta - skel * delta, 0)
    return skel


# --- SSIM -------------------------------------------------------------------------------------


def _window_matrix(
    xp: ModuleType, x: Array, axis: int, size: int, sigma: float, same: bool
) -> Array:
    """The Gaussian window along ``axis`` of ``x`` as a banded ``(m, n)`` matrix ``M``: the
    filtered ``x`` is ``M @ x`` along that axis. Tap ``k`` of the window weighs the entry at
    offset ``d = k - (size - 1) / 2`` by ``exp(-d**2 / (2 sigma**2))``, normalized to sum 1.
    Valid: ``m = n - size + 1`` rows, each a whole window. Same: ``m = n`` rows centred on each
    entry, the taps beyond a border folded back onto the entries they mirror (``x[-1]`` is
    ``x[1]``, ``x[n]`` is ``x[n - 2]``)."""
    half = (size - 1) / 2
    total = sum(math.exp(-(k - half) * (k - half) / (2 * sigma * sigma)) for k in range(size))

    def window(d: Array) -> Array:
        return xp.where(xp.abs(d) <= half, xp.exp(-d * d / (2 * sigma * sigma)) / total, 0)

    n = x.shape[axis]
    if isinstance(n, int):
        pos = xp.arange(n, dtype=x.dtype, device=_core.device(x))
    else:  # a size unknown while tracing: 0, 1, ... from a running count
        others = tuple(a for a in range(x.ndim) if a != axis)
        pos = _core.class_indices(xp, xp.sum(x, axis=others), 0)
    cols = pos[None, :]
    if not same:
        rows = pos[: 1 - size, None] if size > 1 else pos[:, None]
        return window(cols - rows - half)
    rows, last = pos[:, None], pos[-1:]
    before = xp.where(cols >= 1, window(rows + cols), 0)
    beyond = xp.where(cols <= last - 1, window(2 * last - rows - cols), 0)
    return window(cols - rows) + before + beyond


def _blur(xp: ModuleType, x: Array, windows: dict[int, Array]) -> Array:
    """``x`` filtered along each axis ``a`` by the matrix ``windows[a]``."""
    for axis, m in windows.items():
        if axis == x.ndim - 1:
            x = x @ xp.permute_dims(m, (1, 0))
        elif axis == x.ndim - 2:
            x = m @ x
        else:
            x = xp.moveaxis(m @ xp.moveaxis(x, axis, -2), -2, axis)
    return x


def ssim_loss(
    y_pred: Array,
    y_true: Array,
    *,
    window_size: int = 11,
    sigma: float = 1.5,
    data_range: float = 1.0,
    k1: float = 0.01,
    k2: float = 0.03,
    padding: str = "valid",
    dssim: bool = False,
    eps: float = 0.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Structural similarity loss of channel-first images or volumes: ``1 - mean SSIM``.

    For images ``x = y_pred`` and ``y = y_true`` of shape ``(N, C, *spatial)`` (one or more
    spatial axes: ``(N, C, H, W)`` images, ``(N, C, D, H, W)`` volumes), each channel is filtered
    separately with a Gaussian window ``w`` of ``window_size`` taps per spatial axis
    (``exp(-d**2 / (2 sigma**2))`` at the offsets ``d`` from the centre, normalized to sum 1):
    local means ``mu_x = w * x``, variances ``s_x = w * x**2 - mu_x**2`` and covariance
    ``s_xy = w * (x y) - mu_x mu_y``. The SSIM map

        ``((2 mu_x mu_y + c1) (2 s_xy + c2)) / ((mu_x**2 + mu_y**2 + c1) (s_x + s_y + c2) + eps)``

    with ``c1 = (k1 data_range)**2`` and ``c2 = (k2 data_range)**2`` is averaged over the channels
    and positions of each sample; the loss is ``1 - SSIM`` (``(1 - SSIM) / 2``, the structural
    dissimilarity, with ``dssim=True``), in ``[0, 2]`` (``[0, 1]``).

    ``padding="valid"`` (default) scores the positions where the whole window lies inside the
    image (``window_size - 1`` fewer per axis), as Wang et al.'s reference code and MONAI do;
    ``padding="same"`` scores every position, the image mirrored about its borders
    (``window_size // 2`` entries, the border entry not repeated), as kornia does. The Gaussian
    window is separable: one 1-D filter per spatial axis, a product with a banded matrix.

    Native counterparts: MONAI ``monai.losses.SSIMLoss(spatial_dims, data_range, win_size,
    kernel_sigma, k1, k2)`` is the default form (``padding="valid"``, ``1 - SSIM``, any
    ``win_size``); its ``kernel_type="uniform"`` is not offered. kornia
    ``kornia.losses.ssim_loss(img1, img2, window_size, max_val=data_range, eps)`` is
    ``padding="same", dssim=True, eps=1e-12`` (kornia's ``eps`` default) with ``sigma=1.5``,
    ``k1=0.01, k2=0.03`` (fixed there) and 2-D images; kornia clamps each position's
    dissimilarity to ``[0, 1]``, which only changes values rounded outside it. Neither PyTorch,
    Keras nor Optax has an SSIM loss; of the two natives the defaults follow MONAI, whose valid
    windows are the paper's definition (no assumption about the image beyond its border) and which
    takes volumes too. ``reduction="none"`` gives one value per sample (MONAI's ``(N, 1)``; kornia's
    per-position map is not returned).

    Parameters
    ----------
    y_pred, y_true : array
        Images of shape ``(N, C, *spatial)``, at least one spatial axis; ``y_true`` of the same
        shape. With ``padding="valid"`` each spatial size is at least ``window_size``; with
        ``"same"`` above ``window_size // 2``.
    window_size : int >= 1
        Taps of the Gaussian window along each spatial axis; odd with ``padding="same"``.
    sigma : float > 0
        Standard deviation of the Gaussian window, in pixels.
    data_range : float > 0
        The dynamic range ``L`` of the pixel values (1 for images in [0, 1], 255 for 8-bit ones);
        it sets the constants ``c1`` and ``c2``. Values are not rescaled.
    k1, k2 : float > 0
        The constants' factors: ``c1 = (k1 L)**2``, ``c2 = (k2 L)**2``.
    padding : {"valid", "same"}
        Whole windows only, or every position with mirrored borders.
    dssim : bool
        Halve the loss: the structural dissimilarity ``(1 - SSIM) / 2`` (kornia).
    eps : float >= 0
        Added to the denominator of the SSIM map (kornia's ``eps``).
    reduction, sample_weight, xp
        As in :func:`unilosses.mean_squared_error`; ``"none"`` gives one value per sample.

    References
    ----------
    Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, "Image quality assessment: from error
    visibility to structural similarity", IEEE Transactions on Image Processing 13(4), 2004.

    Examples
    --------
    Two flat images have no variance: only the luminance term is left,
    ``1 - (2 * 0.5 * 0.25 + 1e-4) / (0.5**2 + 0.25**2 + 1e-4) = 1 - 0.2501 / 0.3126``.

    >>> import numpy as np, unilosses as ul
    >>> x, y = np.full((1, 1, 11, 11), 0.5), np.full((1, 1, 11, 11), 0.25)
    >>> round(float(ul.ssim_loss(x, y)), 6)
    0.199936
    """
    size = _core.check_int(window_size, "window_size")
    if size < 1:
        raise ValueError(f"window_size must be a positive int, got {window_size!r}")
    s = _core.check_number(sigma, "sigma", low=0.0, low_open=True)
    lr = _core.check_number(data_range, "data_range", low=0.0, low_open=True)
    a1 = _core.check_number(k1, "k1", low=0.0, low_open=True)
    a2 = _core.check_number(k2, "k2", low=0.0, low_open=True)
    e = _core.check_number(eps, "eps", low=0.0)
    _core.check_bool(dssim, "dssim")
    if padding not in PADDINGS:
        raise ValueError(f"padding must be one of {PADDINGS}, got {padding!r}")
    same = padding == "same"
    if same and size % 2 == 0:
        raise ValueError(
            f"padding='same' centres the window on each position: window_size must be odd, "
            f"got {size}"
        )
    xp, x, y, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    shape = _core.shape_of(x)
    if x.ndim < 3:
        raise ValueError(
            f"y_pred must have shape (N, C, *spatial) with at least one spatial axis, got {shape}"
        )
    r = size // 2
    for n in shape[2:]:
        if n is not None and same and n <= r:
            raise ValueError(
                f"padding='same' mirrors window_size // 2 = {r} entries about each border: the "
                f"spatial sizes of y_pred must exceed {r}, got shape {shape}"
            )
        if n is not None and not same and n < size:
            raise ValueError(
                f"padding='valid' needs whole windows: the spatial sizes of y_pred must be at "
                f"least window_size={size}, got shape {shape}"
            )

    windows = {a: _window_matrix(xp, x, a, size, s, same) for a in range(2, x.ndim)}
    mx, my = _blur(xp, x, windows), _blur(xp, y, windows)
    mxx, myy, mxy = (_blur(xp, v, windows) for v in (x * x, y * y, x * y))
    c1, c2 = (a1 * lr) ** 2, (a2 * lr) ** 2
    mx_my = mx * my
    mx2, my2 = mx * mx, my * my
    num = (2 * mx_my + c1) * (2 * (mxy - mx_my) + c2)
    den = (mx2 + my2 + c1) * ((mxx - mx2) + (myy - my2) + c2)
    ssim = num / (den + e) if e else num / den
    loss = 1 - xp.mean(ssim, axis=tuple(range(1, ssim.ndim)))
    return _core.reduce(xp, loss, reduction, sample_weight, out, scale=0.5 if dssim else 1.0)


# --- clDice -----------------------------------------------------------------------------------


def _cldice(
    y_pred: Array,
    y_true: Array,
    *,
    xp: ModuleType | None,
    reduction: object,
    axis: object,
    include_background: bool,
    to_onehot: bool,
    sigmoid: bool,
    softmax: bool,
    iterations: object,
    smooth: object,
    smooth_nr: object,
    smooth_dr: object,
    eps: object,
) -> tuple[_masks.Masks, Array, Array, float, float]:
    """Prepared inputs, the probabilities and the clDice loss per sample; the smoothing."""
    it = _core.check_int(iterations, "iterations")
    if it < 0:
        raise ValueError(f"iterations must be a non-negative int, got {iterations!r}")
    nr, dr = _masks.smoothing(smooth, smooth_nr, smooth_dr)
    e = _core.check_number(eps, "eps", low=0.0)
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
    shape = _core.shape_of(m.x)
    if m.x.ndim < (2 if m.axis is None else 3):
        raise ValueError(
            f"y_pred must have a spatial axis besides the batch and channel axes, got shape {shape}"
        )
    # a neighbourhood along a spatial axis of size 1 is the entry itself
    spatial = tuple(i for i in range(1, m.x.ndim) if i != m.axis and shape[i] != 1)
    p = _masks.activate(xp, m.x, m.axis, sigmoid, softmax)
    q, t = p, m.t
    if not include_background:
        assert m.axis is not None
        q, t = _masks.drop_first(q, m.axis), _masks.drop_first(t, m.axis)
    skel = _soft_skeleton(xp, xp.stack([q, t]), tuple(a + 1 for a in spatial), it)
    skel_p, skel_t = skel[0, ...], skel[1, ...]
    axes = tuple(range(1, q.ndim))
    precision = _core.safe_divide(
        xp, xp.sum(skel_p * t, axis=axes) + nr, xp.sum(skel_p, axis=axes) + dr
    )
    sensitivity = _core.safe_divide(
        xp, xp.sum(skel_t * q, axis=axes) + nr, xp.sum(skel_t, axis=axes) + dr
    )
    harmonic = _core.safe_divide(xp, 2 * precision * sensitivity, precision + sensitivity + e)
    return m, p, 1 - harmonic, nr, dr


def soft_cldice(
    y_pred: Array,
    y_true: Array,
    *,
    iterations: int = 3,
    axis: int | None = None,
    include_background: bool = True,
    to_onehot: bool = False,
    sigmoid: bool = False,
    softmax: bool = False,
    smooth: float = 1.0,
    smooth_nr: float | None = None,
    smooth_dr: float | None = None,
    eps: float = 1e-4,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Soft clDice loss (Shit et al. 2021): Dice of the masks' soft skeletons against the masks.

    With probabilities ``p`` and targets ``t``, their soft skeletons ``S_p``, ``S_t`` (below), the
    topology precision and sensitivity

        ``Tprec = (sum(S_p t) + smooth_nr) / (sum(S_p) + smooth_dr)``,
        ``Tsens = (sum(S_t p) + smooth_nr) / (sum(S_t) + smooth_dr)``

    (sums over every non-batch axis: the channels are pooled, as MONAI does) give the loss
    ``1 - 2 Tprec Tsens / (Tprec + Tsens + eps)`` per sample, 0 when both skeletons lie inside
    the other mask. A quotient whose denominator is 0 (no smoothing) is taken as 0, never NaN.

    The soft skeleton of ``x`` is ``relu(x - open(x))``, then ``iterations`` times ``x <-
    erode(x)`` adds ``relu(delta - S delta)`` with ``delta = relu(x - open(x))``, where
    ``open(x) = dilate(erode(x))``, the soft erosion is the minimum over the cross (each entry and
    its neighbours one step away along one spatial axis) and the soft dilation the maximum over
    the 3 x 3 square (3 x 3 x 3 cube); entries beyond the border do not count. Every axis but the
    batch and channel axes is spatial: 2-D images and 3-D volumes (any number of spatial axes).

    Channel axis as in :func:`unilosses.dice`: ``axis=None`` (default) has none, ``(N, *spatial)``
    masks (a size-1 axis such as MONAI's binary ``(N, 1, H, W)`` leaves the skeleton unchanged);
    ``axis=1`` (channel-first) or ``axis=-1`` (channel-last) name it, for ``softmax``,
    ``to_onehot`` and ``include_background=False`` (channel 0 dropped after the activation).

    Native counterpart: MONAI ``monai.losses.SoftclDiceLoss(iter_=iterations, smooth_nr,
    smooth_dr, smooth=eps, include_background, to_onehot_y=to_onehot, sigmoid, softmax)`` with
    ``axis=1`` (channel-first) or ``axis=None``; MONAI's ``smooth`` (the harmonic mean's term) is
    ``eps`` here, since ``smooth`` sets ``smooth_nr`` and ``smooth_dr`` in every overlap loss; the
    defaults are MONAI's. The authors' code (``soft_cldice``) scores the whole batch at once,
    drops channel 0 and has no ``eps``: per sample it is ``include_background=False, eps=0``.
    Neither PyTorch, Keras nor Optax has this loss.

    Parameters
    ----------
    y_pred : array
        Probabilities (or logits with ``sigmoid``/``softmax``), shape ``(N, ...)``.
    y_true : array
        Masks in [0, 1] of the same shape, or integer labels with ``to_onehot=True``.
    iterations : int >= 0
        Erosions of the soft skeleton (MONAI's ``iter_``): about the largest radius, in pixels, of
        the structures it thins to their centreline.
    axis : int or None
        The channel axis, or None for masks without one.
    include_background, to_onehot, sigmoid, softmax
        As in :func:`unilosses.dice`.
    smooth : float >= 0
        Sets ``smooth_nr`` and ``smooth_dr`` where they are not given.
    smooth_nr, smooth_dr : float >= 0, optional
        Added to the numerators / denominators of ``Tprec`` and ``Tsens``.
    eps : float >= 0
        Added to the denominator of their harmonic mean (MONAI's ``smooth``).
    reduction, sample_weight, xp
        As in :func:`unilosses.mean_squared_error`; ``"none"`` gives one value per sample.

    References
    ----------
    S. Shit, J. C. Paetzold, A. Sekuboyina, et al., "clDice - a Novel Topology-Preserving Loss
    Function for Tubular Structure Segmentation", CVPR 2021.

    Examples
    --------
    A 5 x 5 horizontal bar 3 pixels high has the middle row as its skeleton; against itself each
    skeleton lies inside the other mask (``Tprec = Tsens = (5 + 1) / (5 + 1) = 1``), and the
    loss is ``1 - 2 / (2 + 1e-4)``:

    >>> import numpy as np, unilosses as ul
    >>> bar = np.zeros((1, 5, 5)); bar[0, 1:4] = 1.0
    >>> round(float(ul.soft_cldice(bar, bar)), 8)
    5e-05
    """
    m, _, loss, _, _ = _cldice(
        y_pred,
        y_true,
        xp=xp,
        reduction=reduction,
        axis=axis,
        include_background=include_background,
        to_onehot=to_onehot,
        sigmoid=sigmoid,
        softmax=softmax,
        iterations=iterations,
        smooth=smooth,
        smooth_nr=smooth_nr,
        smooth_dr=smooth_dr,
        eps=eps,
    )
    return _core.reduce(m.xp, loss, reduction, sample_weight, m.out, invalid=m.invalid)


def dice_cldice(
    y_pred: Array,
    y_true: Array,
    *,
    alpha: float = 0.5,
    iterations: int = 3,
    axis: int | None = None,
    include_background: bool = True,
    to_onehot: bool = False,
    sigmoid: bool = False,
    softmax: bool = False,
    smooth: float = 1.0,
    smooth_nr: float | None = None,
    smooth_dr: float | None = None,
    eps: float = 1e-4,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Soft Dice plus soft clDice: ``(1 - alpha) dice + alpha cldice`` per sample.

    ``dice`` is :func:`unilosses.dice` with plain sums (``squared=False``), per channel and
    averaged over the channels with a channel axis (the background dropped with
    ``include_background=False``), pooled without one; ``cldice`` is :func:`soft_cldice`. Both
    share the activation, the smoothing (``smooth_nr``, ``smooth_dr``, 1 by default) and the
    channel options.

    Native counterpart: MONAI ``monai.losses.SoftDiceclDiceLoss(iter_=iterations, alpha,
    smooth_nr, smooth_dr, smooth=eps, include_background, to_onehot_y=to_onehot, sigmoid,
    softmax)`` with ``axis=1`` or ``axis=None`` (MONAI's ``smooth`` is ``eps`` here, as in
    :func:`soft_cldice`). MONAI's ``"mean"`` averages its Dice over samples and channels and its
    clDice over samples, which is the mean of ours over samples; its ``"none"`` returns no
    per-sample value. Neither PyTorch, Keras nor Optax has this loss.

    Parameters
    ----------
    alpha : float in [0, 1]
        Weight of the clDice term; the Dice term has ``1 - alpha``.

    Other parameters as in :func:`soft_cldice`.

    References
    ----------
    S. Shit, J. C. Paetzold, A. Sekuboyina, et al., "clDice - a Novel Topology-Preserving Loss
    Function for Tubular Structure Segmentation", CVPR 2021.

    Examples
    --------
    The bar of :func:`soft_cldice` against itself: Dice ``1 - (2 * 15 + 1) / (30 + 1) = 0``, so
    the loss is half the clDice loss ``5e-05``:

    >>> import numpy as np, unilosses as ul
    >>> bar = np.zeros((1, 5, 5)); bar[0, 1:4] = 1.0
    >>> round(float(ul.dice_cldice(bar, bar)), 8)
    2.5e-05
    """
    a = _core.check_number(alpha, "alpha", low=0.0, high=1.0)
    m, p, cl, nr, dr = _cldice(
        y_pred,
        y_true,
        xp=xp,
        reduction=reduction,
        axis=axis,
        include_background=include_background,
        to_onehot=to_onehot,
        sigmoid=sigmoid,
        softmax=softmax,
        iterations=iterations,
        smooth=smooth,
        smooth_nr=smooth_nr,
        smooth_dr=smooth_dr,
        eps=eps,
    )
    dice = _overlap_loss(
        m.xp,
        p,
        m,
        squared=False,
        jaccard=False,
        nr=nr,
        dr=dr,
        batch=False,
        include_background=include_background,
    )
    loss = (1 - a) * dice + a * cl
    return _core.reduce(m.xp, loss, reduction, sample_weight, m.out, invalid=m.invalid)
