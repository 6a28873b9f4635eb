"""Structure-aware segmentation cases: SSIM, soft clDice and Dice plus clDice.

References are float64 NumPy written from the papers and the MONAI / kornia semantics. SSIM
filters with the whole (non-separable) Gaussian window over NumPy's sliding windows of the
(mirror-padded, ``np.pad(mode="reflect")``) image; the soft skeleton pools windows of images
padded with +-inf, as MONAI's max pooling does. MONAI and kornia natives take channel-first torch
tensors.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tests.natives import kornia, monai

from . import Case

Array = np.ndarray


def _ml() -> Any:
    return monai().losses


# --- SSIM -------------------------------------------------------------------------------------


def _window(size: int, sigma: float, dims: int) -> Array:
    """The Gaussian window over ``dims`` axes: the outer product of the normalized 1-D one."""
    d = np.arange(size) - (size - 1) / 2
    g = np.exp(-(d**2) / (2 * sigma**2))
    g /= g.sum()
    return functools.reduce(np.multiply.outer, [g] * dims)


def _local_mean(a: Array, window: Array, same: bool) -> Array:
    """The window's weighted mean around each position of ``a`` (N, C, *spatial)."""
    dims = window.ndim
    if same:
        r = window.shape[0] // 2
        a = np.pad(a, [(0, 0), (0, 0)] + [(r, r)] * dims, mode="reflect")
    views = sliding_window_view(a, window.shape, axis=tuple(range(2, a.ndim)))
    return np.tensordot(views, window, axes=dims)


def _ssim(
    p: Array,
    t: Array,
    *,
    window_size: int = 11,
    sigma: float = 1.5,
    data_range: float = 1.0,
    k1: float = 0.01,
    k2: float = 0.03,
    padding: str = "valid",
    dssim: bool = False,
    eps: float = 0.0,
) -> Array:
    window = _window(window_size, sigma, p.ndim - 2)

    def mean(a: Array) -> Array:
        return _local_mean(a, window, padding == "same")

    mx, my = mean(p), mean(t)
    vx, vy, cxy = mean(p * p) - mx**2, mean(t * t) - my**2, mean(p * t) - mx * my
    c1, c2 = (k1 * data_range) ** 2, (k2 * data_range) ** 2
    ssim = (2 * mx * my + c1) * (2 * cxy + c2) / ((mx**2 + my**2 + c1) * (vx + vy + c2) + eps)
    loss = 1 - ssim.reshape(len(p), -1).mean(axis=1)
    return loss / 2 if dssim else loss


_SSIM_BAD = (
    ({"window_size": 0}, ValueError, "window_size"),
    ({"window_size": 2.5}, TypeError, "window_size"),
    ({"window_size": 13}, ValueError, "window_size"),  # larger than the images' 12 rows
    ({"window_size": 6, "padding": "same"}, ValueError, "odd"),
    ({"padding": "full"}, ValueError, "padding"),
    ({"sigma": 0.0}, ValueError, "sigma"),
    ({"data_range": -1.0}, ValueError, "data_range"),
    ({"k1": 0.0}, ValueError, "k1"),
    ({"k2": -0.1}, ValueError, "k2"),
    ({"eps": -1e-12}, ValueError, "eps"),
    ({"dssim": 1}, TypeError, "dssim"),
)


# --- clDice -----------------------------------------------------------------------------------


def _pool(a: Array, axes: tuple[int, ...], fill: float, op: Any) -> Array:
    """``op`` (np.minimum / np.maximum) over the 3-wide window along each of ``axes`` at once (3,
    9 or 27 entries), the array padded with ``fill`` (entries beyond the border never win)."""
    pad = [(1, 1) if i in axes else (0, 0) for i in range(a.ndim)]
    padded = np.pad(a, pad, constant_values=fill)
    shifted = []
    for offsets in itertools.product(range(3), repeat=len(axes)):
        index = [slice(None)] * a.ndim
        for k, o in zip(axes, offsets, strict=True):
            index[k] = slice(o, o + a.shape[k])
        shifted.append(padded[tuple(index)])
    return op.reduce(shifted)
def _erode(a: Array, axes: tuple[int, ...]) -> Array:
    """The minimum over the 3-wide window along each axis separately, then over the axes (the
    cross), as MONAI's ``soft_erode``."""
    return np.minimum.reduce([_pool(a, (k,), np.inf, np.minimum) for k in axes])


def _skeleton(a: Array, axes: tuple[int, ...], iterations: int) -> Array:
    def open_(x: Array) -> Array:
        return _pool(_erode(x, axes), axes, -np.inf, np.maximum)

    skel = np.maximum(a - open_(a), 0)
    for _ in range(iterations):
        a = _erode(a, axes)
        delta = np.maximum(a - open_(a), 0)
        skel = skel + np.maximum(delta - skel * delta, 0)
    return skel


def _probabilities(
    x: Array, t: Array, axis: int | None, sigmoid: bool, softmax: bool, to_onehot: bool
) -> tuple[Array, Array]:
    if sigmoid:
        x = 1 / (1 + np.exp(-x))
    if softmax:
        assert axis is not None
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        x = e / e.sum(axis=axis, keepdims=True)
    if to_onehot:
        assert axis is not None
        t = np.moveaxis(np.eye(x.shape[axis])[t], -1, axis)
    return x, t


def _drop_background(a: Array, axis: int | None, include_background: bool) -> Array:
    if include_background:
        return a
    assert axis is not None
    return np.moveaxis(np.moveaxis(a, axis, 0)[1:], 0, axis)


def _cldice(
    x: Array,
    t: Array,
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
) -> Array:
    nr = smooth if smooth_nr is None else smooth_nr
    dr = smooth if smooth_dr is None else smooth_dr
    p, t = _probabilities(x, t, axis, sigmoid, softmax, to_onehot)
    p, t = (_drop_background(a, axis, include_background) for a in (p, t))
    k = None if axis is None else axis % p.ndim
    spatial = tuple(i for i in range(1, p.ndim) if i != k)
    sp, st = _skeleton(p, spatial, iterations), _skeleton(t, spatial, iterations)
    sums = tuple(range(1, p.ndim))
    prec = ((sp * t).sum(axis=sums) + nr) / (sp.sum(axis=sums) + dr)
    sens = ((st * p).sum(axis=sums) + nr) / (st.sum(axis=sums) + dr)
    return 1 - 2 * prec * sens / (prec + sens + eps)


def _dice_cldice(x: Array, t: Array, *, alpha: float = 0.5, **kw: Any) -> Array:
    """(1 - alpha) Dice (plain sums, per channel then averaged) + alpha clDice."""
    axis = kw.get("axis")
    smooth = kw.get("smooth", 1.0)
    nr = smooth if kw.get("smooth_nr") is None else kw["smooth_nr"]
    dr = smooth if kw.get("smooth_dr") is None else kw["smooth_dr"]
    p, y = _probabilities(
        x, t, axis, kw.get("sigmoid", False), kw.get("softmax", False), kw.get("to_onehot", False)
    )
    include = kw.get("include_background", True)
    p, y = (_drop_background(a, axis, include) for a in (p, y))
    if axis is None:  # one channel pooling every non-batch axis
        p, y = p.reshape(len(p), 1, -1), y.reshape(len(y), 1, -1)
    else:
        p = np.moveaxis(p, axis, 1).reshape(len(p), p.shape[axis], -1)
        y = np.moveaxis(y, axis, 1).reshape(p.shape)
    dice = 1 - (2 * (p * y).sum(-1) + nr) / (p.sum(-1) + y.sum(-1) + dr)
    return (1 - alpha) * dice.mean(axis=1) + alpha * _cldice(x, t, **kw)


_CLDICE_BAD = (
    ({"iterations": -1}, ValueError, "iterations"),
    ({"iterations": 1.5}, TypeError, "iterations"),
    ({"smooth": -1.0}, ValueError, "smooth"),
    ({"eps": -1.0}, ValueError, "eps"),
    ({"sigmoid": True, "softmax": True}, ValueError, "sigmoid"),
    ({"softmax": True}, ValueError, "axis"),
    ({"include_background": False}, ValueError, "axis"),
)


# Dask concatenates arrays (the soft skeleton's shifted slices) only with known chunk sizes:
# after boolean masking it raises its own error
DASK_SIZES = "Dask concatenates only arrays of known chunk sizes"

CASES = [
    # --- ssim_loss ----------------------------------------------------------------------------
    Case(
        "ssim_loss",
        "images",
        _ssim,
        natives={"monai": lambda p, t: _ml().SSIMLoss(spatial_dims=2)(p, t)},
        bad_options=_SSIM_BAD,
    ),
    # kornia: mirrored borders, the halved loss, its eps
    Case(
        "ssim_loss",
        "images",
        _ssim,
        {"window_size": 5, "padding": "same", "dssim": True, "eps": 1e-12},
        natives={"kornia": lambda p, t: kornia().losses.ssim_loss(p, t, 5, padding="same")},
    ),
    Case(
        "ssim_loss",
        "volumes",
        _ssim,
        {"window_size": 4, "sigma": 1.0, "k2": 0.05, "data_range": 2.0},
        natives={
            "monai": lambda p, t: _ml().SSIMLoss(
                spatial_dims=3, win_size=4, kernel_sigma=1.0, k2=0.05, data_range=2.0
            )(p, t)
        },
    ),
    # --- soft_cldice --------------------------------------------------------------------------
    # each iteration repeats one code path and adds to the compiled graph: rows take 0 or 1
    Case(
        "soft_cldice",
        "vessel_masks",
        _cldice,
        {"iterations": 1},
        natives={"monai": lambda p, t: _ml().SoftclDiceLoss(iter_=1)(p, t)},
        bad_options=_CLDICE_BAD,
        known_sizes=DASK_SIZES,
    ),
    # 3-D, soft targets, the skeleton's first step only
    Case(
        "soft_cldice",
        "volumes",
        _cldice,
        {"axis": 1, "iterations": 0, "smooth": 0.5, "eps": 1e-3},
        natives={
            "monai": lambda p, t: _ml().SoftclDiceLoss(
                iter_=0, smooth_nr=0.5, smooth_dr=0.5, smooth=1e-3
            )(p, t)
        },
        known_sizes=DASK_SIZES,
    ),
    # --- dice_cldice --------------------------------------------------------------------------
    Case(
        "dice_cldice",
        "segmentation_labels",
        _dice_cldice,
        {
            "axis": 1,
            "to_onehot": True,
            "softmax": True,
            "include_background": False,
            "iterations": 0,
            "alpha": 0.3,
        },
        natives={
            "monai": lambda x, y: _ml().SoftDiceclDiceLoss(
                iter_=0, alpha=0.3, to_onehot_y=True, softmax=True, include_background=False
            )(x, y[:, None])
        },
        labels=(1,),
        shift_invariant=True,
        bad_options=(
            *_CLDICE_BAD[:5],
            ({"alpha": 1.5}, ValueError, "alpha"),
            ({"axis": None}, ValueError, "axis"),
        ),
        known_sizes=DASK_SIZES,
    ),
]
