"""Segmentation cases: overlap (Dice, Jaccard, generalized Dice), confusion counts (Tversky, focal
Tversky, MCC), compounds (Dice + CE / focal) and Lovász losses.

References are float64 NumPy written from the papers and the MONAI / Berman / smp semantics,
one sample (and channel) at a time: each sample's pixels that count (MONAI's documented
``ignore_index`` rules) are selected, then the sums run over them. MONAI natives take
channel-first torch tensors; channel-last cases move the channel axis for them.

segmentation_models_pytorch does not import with the CPU torch build of the torch session: its
Tversky loss with ``gamma`` (smp's focal Tversky) and its Lovász losses (Berman's code) are
float64 NumPy references written from its source (``_smp_focal_tversky``, ``_lovasz_*``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.natives import jnp, keras, kornia, monai, optax, torch

from . import Case

Array = np.ndarray
DASK = {"dask": "sorts the pixels of each image"}  # the Lovász losses' documented TypeError


# --- shared reference pieces ------------------------------------------------------------------


def _sigmoid(x: Array) -> Array:
    return 1 / (1 + np.exp(-x))


def _log_softmax(x: Array, axis: int) -> Array:
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def _one_hot(labels: Array, c: int) -> Array:
    """(N, pixels) labels -> (N, C, pixels); labels outside [0, C) give no class."""
    return np.stack([(labels == k).astype(np.float64) for k in range(c)], axis=1)


def _kept_pixels(t: Array, c: int, labels: bool, ignore_index: int | None) -> Array:
    """Which pixels of one sample count, as MONAI documents ``ignore_index``: label maps and
    single-channel masks drop the pixels whose target equals it; one-hot targets of several
    channels drop the pixels of that class, or, for an index outside ``[0, C)``, the pixels that
    belong to no class. ``t``: the sample's labels (pixels,) or its targets (C, pixels)."""
    n_pixels = t.shape[-1]
    if ignore_index is None:
        return np.ones(n_pixels, dtype=bool)
    if labels:
        return t != ignore_index
    if c == 1:
        return t[0] != ignore_index
    if 0 <= ignore_index < c:
        return t[ignore_index] == 0
    return t.sum(axis=0) > 0


def _samples(
    p: Array,
    t: Array,
    axis: int | None = None,
    sigmoid: bool = False,
    softmax: bool = False,
    to_onehot: bool = False,
    ignore_index: int | None = None,
) -> list[tuple[Array, Array]]:
    """Per sample: probabilities and targets as (C, pixels), C = 1 without a channel axis, with
    only the pixels that count (``_kept_pixels``)."""
    out = []
    for x, y in zip(p, t, strict=True):
        if axis is None:  # one channel pooling every non-batch axis
            x, y = x.reshape(1, -1), y.reshape(1, -1).astype(np.float64)
        else:
            k = axis - 1 if axis > 0 else axis  # the channel axis inside a sample
            x = np.moveaxis(x, k, 0).reshape(x.shape[k], -1)
            y = y.reshape(-1) if to_onehot else np.moveaxis(y, k, 0).reshape(x.shape[0], -1)
        c = x.shape[0]
        if sigmoid:
            x = _sigmoid(x)
        if softmax:
            x = np.exp(_log_softmax(x, 0))
        kept = _kept_pixels(y, c, to_onehot, ignore_index)
        onehot = np.stack([y == k for k in range(c)]).astype(np.float64) if to_onehot else y
        out.append((x[:, kept], onehot[:, kept]))
    return out


def _layout(
    p: Array,
    t: Array,
    axis: int | None = None,
    sigmoid: bool = False,
    softmax: bool = False,
    to_onehot: bool = False,
    ignore_index: int | None = None,
    batch: bool = False,
) -> list[tuple[Array, Array]]:
    """``_samples``, or with ``batch`` one sample holding every sample's pixels."""
    samples = _samples(p, t, axis, sigmoid, softmax, to_onehot, ignore_index)
    if batch:  # the batch becomes one sample
        c = 1 if axis is None else p.shape[axis]
        pp = [a for a, _ in samples] or [np.zeros((c, 0))]
        tt = [b for _, b in samples] or [np.zeros((c, 0))]
        return [(np.concatenate(pp, axis=1), np.concatenate(tt, axis=1))]
    return samples


def _finish(
    f: Array, batch: bool, include_background: bool = True, class_weight: Any = None
) -> Array:
    """(N, C) channel losses -> per-sample (0-d with batch) means, background dropped, weighted."""
    w = (
        np.ones(f.shape[1])
        if class_weight is None
        else np.broadcast_to(np.asarray(class_weight, dtype=np.float64), (f.shape[1],))
    )
    if not include_background:
        f, w = f[:, 1:], w[1:]
    out = (f * w).mean(axis=1)
    return out[0] if batch else out


def _smoothing(
    smooth: float, smooth_nr: float | None, smooth_dr: float | None
) -> tuple[float, float]:
    return (smooth if smooth_nr is None else smooth_nr), (
        smooth if smooth_dr is None else smooth_dr
    )


def _div(num: Array, den: Array) -> Array:
    return np.where(den == 0, 0.0, num / np.where(den == 0, 1.0, den))


# --- references -------------------------------------------------------------------------------


def _dice(
    p: Array,
    t: Array,
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
    class_weight: Any = None,
    ignore_index: int | None = None,
) -> Array:
    nr, dr = _smoothing(smooth, smooth_nr, smooth_dr)
    samples = _layout(p, t, axis, sigmoid, softmax, to_onehot, ignore_index, batch)
    f = np.zeros((len(samples), 1 if axis is None else p.shape[axis]))
    for i, c in np.ndindex(*f.shape):
        a, b = samples[i][0][c], samples[i][1][c]
        inter = (a * b).sum()
        total = (a**2).sum() + (b**2).sum() if squared else a.sum() + b.sum()
        f[i, c] = 1 - (
            _div(inter + nr, total - inter + dr) if jaccard else _div(2 * inter + nr, total + dr)
        )
    return _finish(f, batch, include_background, class_weight)


def _jaccard(p: Array, t: Array, **kw: Any) -> Array:
    return _dice(p, t, jaccard=True, **{"squared": False, **kw})


def _tversky_index(
    p: Array,
    t: Array,
    alpha: float,
    beta: float,
    axis: int | None,
    sigmoid: bool,
    softmax: bool,
    to_onehot: bool,
    ignore_index: int | None,
    smooth: float,
    smooth_nr: float | None,
    smooth_dr: float | None,
    batch: bool,
) -> Array:
    nr, dr = _smoothing(smooth, smooth_nr, smooth_dr)
    samples = _layout(p, t, axis, sigmoid, softmax, to_onehot, ignore_index, batch)
    index = np.zeros((len(samples), 1 if axis is None else p.shape[axis]))
    for i, c in np.ndindex(*index.shape):
        a, b = samples[i][0][c], samples[i][1][c]
        tp, fp, fn = (a * b).sum(), (a * (1 - b)).sum(), ((1 - a) * b).sum()
        index[i, c] = _div(tp + nr, tp + alpha * fp + beta * fn + dr)
    return index


def _tversky(
    p: Array,
    t: Array,
    *,
    alpha: float = 0.5,
    beta: float = 0.5,
    gamma: float = 1.0,
    axis: int | None = None,
    include_background: bool = True,
    to_onehot: bool = False,
    sigmoid: bool = False,
    softmax: bool = False,
    smooth: float = 1e-5,
    smooth_nr: float | None = None,
    smooth_dr: float | None = None,
    batch: bool = False,
    class_weight: Any = None,
    ignore_index: int | None = None,
) -> Array:
    ti = _tversky_index(
        p,
        t,
        alpha,
        beta,
        axis,
        sigmoid,
        softmax,
        to_onehot,
        ignore_index,
        smooth,
        smooth_nr,
        smooth_dr,
        batch,
    )
    f = 1 - ti if gamma == 1 else np.maximum(1 - ti, 0) ** gamma
    return _finish(f, batch, include_background, class_weight)


def _focal_tversky(p: Array, t: Array, **kw: Any) -> Array:
    return _tversky(p, t, **{"gamma": 0.75, **kw})


def _smp_focal_tversky(
    x: Array,
    t: Array,
    *,
    alpha: float = 0.5,
    beta: float = 0.5,
    gamma: float = 1.0,
    smooth: float = 0.0,
    eps: float = 1e-7,
) -> Array:
    """segmentation_models_pytorch ``TverskyLoss(mode="binary", from_logits=True, smooth, eps,
    alpha, beta, gamma)``, its focal Tversky loss: the whole batch pooled (its ``dims=(0, 2)``),
    TP from the L1 difference (its soft-label form), ``(1 - TI)**gamma``. smp also sets the loss
    of a target without foreground to 0; unilosses scores it as any other (MONAI's convention,
    documented), so that step is left out here."""
    p, y = _sigmoid(x).ravel(), t.ravel()
    tp = (p.sum() + y.sum() - np.abs(p - y).sum()) / 2
    fp, fn = p.sum() - tp, y.sum() - tp
    score = (tp + smooth) / max(tp + alpha * fp + beta * fn + smooth, eps)
    return np.asarray((1 - score) ** gamma)


def _generalized_dice(
    p: Array,
    t: Array,
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
) -> Array:
    """Sudre et al. with MONAI's handling of absent classes, sample by sample."""
    nr, dr = _smoothing(smooth, smooth_nr, smooth_dr)
    samples = _layout(p, t, axis, sigmoid, softmax, to_onehot, batch=batch)
    first = 0 if include_background else 1
    out = np.zeros(len(samples))
    for i, (a, b) in enumerate(samples):
        pi, ti = a[first:], b[first:]
        vol = ti.sum(-1)
        with np.errstate(divide="ignore"):
            w = {"square": 1 / vol**2, "simple": 1 / vol, "uniform": np.ones_like(vol)}[weight_type]
        finite = np.isfinite(w)
        w = np.where(finite, w, w[finite].max() if finite.any() else 0.0)
        inter = (pi * ti).sum(-1)
        out[i] = 1 - (2 * (w * inter).sum() + nr) / ((w * (pi.sum(-1) + vol)).sum() + dr)
    return out[0] if batch else out


def _mcc(p: Array, t: Array, *, smooth: float = 1e-5, batch: bool = False) -> Array:
    """segmentation_models_pytorch's MCCLoss, per sample (or over the batch)."""
    pp, tt = (
        (p.reshape(1, -1), t.reshape(1, -1))
        if batch
        else (p.reshape(len(p), -1), t.reshape(len(t), -1))
    )
    out = []
    for a, b in zip(pp, tt, strict=True):
        tp, tn = (a * b).sum() + smooth, ((1 - a) * (1 - b)).sum() + smooth
        fp, fn = (a * (1 - b)).sum() + smooth, ((1 - a) * b).sum() + smooth
        out.append(1 - (tp * tn - fp * fn) / np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)))
    return np.array(out[0]) if batch else np.array(out)


def _dice_ce(
    x: Array,
    t: Array,
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
    class_weight: Any = None,
    lambda_dice: float = 1.0,
    lambda_ce: float = 1.0,
) -> Array:
    d = _dice(
        x,
        t,
        axis=axis,
        include_background=include_background,
        to_onehot=to_onehot,
        sigmoid=sigmoid,
        softmax=not sigmoid,
        squared=squared,
        jaccard=jaccard,
        smooth=smooth,
        smooth_nr=smooth_nr,
        smooth_dr=smooth_dr,
        batch=batch,
        class_weight=class_weight,
    )
    n = x.shape[0]
    if sigmoid:  # BCE with logits, class weights as pos_weight per channel
        shape = [1] * x.ndim
        if axis is not None:
            shape[axis] = -1
        pw = (
            np.ones(shape)
            if class_weight is None
            else np.asarray(class_weight, dtype=np.float64).reshape(shape)
        )
        el = -(pw * t * np.log(_sigmoid(x)) + (1 - t) * np.log(1 - _sigmoid(x)))
        ce = el.mean() if batch else el.reshape(n, -1).mean(axis=1)
    else:
        c = x.shape[axis]  # type: ignore[index]
        logp = np.moveaxis(_log_softmax(x, axis), axis, 1).reshape(n, c, -1)  # type: ignore[arg-type]
        w = np.ones(c) if class_weight is None else np.asarray(class_weight, dtype=np.float64)
        if to_onehot:  # PyTorch's cross_entropy with class indices: weighted mean over the batch
            y = t.reshape(n, -1)
            nll = np.array(
                [[-w[y[i, j]] * logp[i, y[i, j], j] for j in range(y.shape[1])] for i in range(n)]
            )
            wy = w[y]
            ce = nll.sum() / wy.sum() if batch else nll.sum(axis=1) / wy.sum() * n
        else:  # probability targets: the plain mean of the weighted sums
            tt = np.moveaxis(t, axis, 1).reshape(n, c, -1)  # type: ignore[arg-type]
            nll = -(w[None, :, None] * tt * logp).sum(axis=1)
            ce = nll.mean() if batch else nll.mean(axis=1)
    return lambda_dice * d + lambda_ce * ce


def _dice_focal(
    x: Array,
    t: Array,
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
    class_weight: Any = None,
    gamma: float = 2.0,
    alpha: float | None = None,
    lambda_dice: float = 1.0,
    lambda_focal: float = 1.0,
) -> Array:
    d = _dice(
        x,
        t,
        axis=axis,
        include_background=include_background,
        to_onehot=to_onehot,
        sigmoid=sigmoid,
        softmax=not sigmoid,
        squared=squared,
        jaccard=jaccard,
        smooth=smooth,
        smooth_nr=smooth_nr,
        smooth_dr=smooth_dr,
        batch=batch,
        class_weight=class_weight,
    )
    n = x.shape[0]
    if axis is None:
        xx, tt = x.reshape(n, 1, -1), t.reshape(n, 1, -1)
    else:
        c = x.shape[axis]
        xx = np.moveaxis(x, axis, 1).reshape(n, c, -1)
        tt = (
            _one_hot(t.reshape(n, -1), c)
            if to_onehot
            else np.moveaxis(t, axis, 1).reshape(n, c, -1)
        )
    if sigmoid:  # MONAI's sigmoid focal loss: BCE times sigmoid(-x (2t - 1))**gamma
        q = _sigmoid(xx)
        el = -(tt * np.log(q) + (1 - tt) * np.log(1 - q)) * _sigmoid(-xx * (2 * tt - 1)) ** gamma
        if alpha is not None:
            el = el * (tt * alpha + (1 - tt) * (1 - alpha))
    else:
        logp = _log_softmax(xx, 1)
        el = -((1 - np.exp(logp)) ** gamma) * logp * tt
        if alpha is not None:
            el = el * np.array([1 - alpha] + [alpha] * (xx.shape[1] - 1))[None, :, None]
    if class_weight is not None:
        el = el * np.asarray(class_weight, dtype=np.float64)[None, :, None]
    if not include_background:
        el = el[:, 1:]
    focal = el.mean() if batch else el.reshape(n, -1).mean(axis=1)
    return lambda_dice * d + lambda_focal * focal


def _lovasz_steps(fg: Array) -> Array:
    """Berman et al., Algorithm 1."""
    total = fg.sum()
    jac = 1 - (total - np.cumsum(fg)) / (total + np.cumsum(1 - fg))
    jac[1:] = jac[1:] - jac[:-1]
    return jac


def _lovasz_hinge(
    x: Array, t: Array, *, per_image: bool = True, ignore_index: int | None = None
) -> Array:
    """Berman's reference: ignored pixels removed, errors sorted, dotted with the steps."""
    flat = zip(x.reshape(len(x), -1), t.reshape(len(t), -1), strict=True)
    images = flat if per_image else [(x.ravel(), t.ravel())]
    out = []
    for xs, ts in images:
        if ignore_index is not None:
            xs, ts = xs[ts != ignore_index], ts[ts != ignore_index]
        if xs.size == 0:
            out.append(0.0)
            continue
        errors = 1 - xs * (2 * ts - 1)
        order = np.argsort(-errors, kind="stable")
        out.append(float(np.maximum(errors[order], 0) @ _lovasz_steps(ts[order])))
    return np.array(out) if per_image else np.array(out[0])


def _lovasz_softmax(
    p: Array,
    y: Array,
    *,
    from_logits: bool = False,
    classes: str = "present",
    per_image: bool = True,
    ignore_index: int | None = None,
    axis: int = -1,
) -> Array:
    if from_logits:
        p = np.exp(_log_softmax(p, axis))
    c = p.shape[axis]
    p = np.moveaxis(p, axis, -1)
    images = (
        zip(p.reshape(len(p), -1, c), y.reshape(len(y), -1), strict=True)
        if per_image
        else [(p.reshape(-1, c), y.ravel())]
    )
    out = []
    for ps, ys in images:
        if ignore_index is not None:
            ps, ys = ps[ys != ignore_index], ys[ys != ignore_index]
        losses = []
        for k in range(c):
            fg = (ys == k).astype(np.float64)
            if classes == "present" and fg.sum() == 0:
                continue
            errors = np.abs(fg - ps[:, k])
            order = np.argsort(-errors, kind="stable")
            losses.append(errors[order] @ _lovasz_steps(fg[order]) if ys.size else 0.0)
        out.append(float(np.mean(losses)) if losses else 0.0)
    return np.array(out) if per_image else np.array(out[0])


# --- natives (MONAI: channel-first torch tensors) -------------------------------------------------


def _ml() -> Any:
    return monai().losses


def _last_to_first(a: Any) -> Any:
    return a.movedim(-1, 1)


CW = np.array([0.5, 1.0, 2.0, 1.5, 0.25])  # one weight per channel of the c=5 inputs
ONE_CW = np.array([2.5])  # the weight of a single channel


def _first_to_last(a: Any) -> Any:
    """Channel-first JAX arrays to Optax's channel-last layout."""
    return jnp().moveaxis(a, 1, -1)

_OVERLAP_BAD = (
    ({"smooth": -1.0}, ValueError, "smooth"),
    ({"smooth_nr": -1.0}, ValueError, "smooth_nr"),
    ({"smooth_dr": "1"}, TypeError, "smooth_dr"),
    ({"sigmoid": True, "softmax": True}, ValueError, "sigmoid"),
    ({"softmax": 1}, TypeError, "softmax"),
    ({"batch": None}, TypeError, "batch"),
    ({"axis": 0}, ValueError, "batch axis"),
    ({"axis": 7}, ValueError, "axis"),
    ({"axis": None, "softmax": True}, ValueError, "softmax=True needs a channel axis"),
    ({"axis": None, "include_background": False}, ValueError, "include_background"),
    ({"axis": None, "class_weight": CW}, ValueError, "class_weight"),
    ({"axis": 1, "class_weight": np.ones(3)}, ValueError, "class_weight"),
    ({"ignore_index": 1.5}, TypeError, "ignore_index"),
)
_DICE_BAD = (
    *_OVERLAP_BAD,
    ({"squared": 1}, TypeError, "squared"),
    ({"jaccard": "no"}, TypeError, "jaccard"),
)
_TVERSKY_BAD = (
    *_OVERLAP_BAD,
    ({"alpha": -0.1}, ValueError, "alpha"),
    ({"beta": "x"}, TypeError, "beta"),
)
_COMPOUND_BAD = (
    ({"lambda_dice": -1.0}, ValueError, "lambda_dice"),
    ({"smooth": -1.0}, ValueError, "smooth"),
    ({"sigmoid": 1}, TypeError, "sigmoid"),
    ({"axis": None}, ValueError, "needs a channel axis"),
    ({"axis": 0}, ValueError, "batch axis"),
    ({"class_weight": np.ones(2)}, ValueError, "class_weight"),
)
_LOVASZ_BAD = (
    ({"per_image": 1}, TypeError, "per_image"),
    ({"ignore_index": "255"}, TypeError, "ignore_index"),
)


CASES = [
    # --- dice: the seed's pooled form (no channel axis) ---------------------------------------
    Case("dice", "masks", _dice, bad_options=_DICE_BAD),
    Case("dice", "masks", _dice, {"smooth": 1.0, "squared": False}),
    Case(
        "dice",
        "masks",
        _dice,
        {"smooth": 0.0, "squared": False},
        natives={"keras": lambda p, t: keras().losses.Dice(axis=(1, 2))(t, p)},
    ),
    # Keras' Dice exactly: no numerator smoothing, 1e-7 in the denominator
    Case(
        "dice",
        "masks_empty",
        _dice,
        {"smooth_nr": 0.0, "smooth_dr": 1e-7, "squared": False},
        natives={"keras": lambda p, t: keras().losses.Dice(axis=(1, 2))(t, p)},
    ),
    # empty targets and predictions: 0 with equal smoothing (MONAI's anchor), on one channel;
    # smoothing of 1 (not 1e-5) keeps the finite-difference gradient at p = 0 accurate
    Case(
        "dice",
        "masks_empty",
        _dice,
        {"squared": False, "smooth": 1.0},
        natives={
            "monai": lambda p, t: _ml().DiceLoss(smooth_nr=1.0, smooth_dr=1.0)(
                p[:, None], t[:, None]
            )
        },
    ),
    Case("dice", "masks_empty", _dice, {"smooth": 0.0}),
    Case(
        "dice",
        "mask_logits",
        _dice,
        {"sigmoid": True, "squared": False, "batch": True},
        natives={
            "monai": lambda x, t: _ml().DiceLoss(sigmoid=True, batch=True)(x[:, None], t[:, None])
        },
    ),
    Case("dice", "masks", _dice, {"ignore_index": 0, "smooth": 0.5}),
    # one channel with a class weight: multiplied, as Optax does; MONAI ignores ``weight`` when
    # a single channel is left
    Case(
        "dice",
        "mask_logits_one_channel",
        _dice,
        {"axis": 1, "sigmoid": True, "squared": False, "class_weight": ONE_CW},
        natives={
            "monai": lambda x, t: ONE_CW[0] * _ml().DiceLoss(sigmoid=True, weight=ONE_CW)(x, t),
            "optax": lambda x, t: (
                optax()
                .losses.dice_loss(_first_to_last(x), _first_to_last(t), smooth=5e-6, class_weights=ONE_CW)
                .mean()
            ),
        },
    ),
    # --- dice per channel ---------------------------------------------------------------------
    Case(
        "dice",
        "segmentation_logits",
        _dice,
        {"axis": 1, "softmax": True, "squared": False},
        natives={"monai": lambda x, t: _ml().DiceLoss(softmax=True)(x, t)},
    ),
    Case(
        "dice",
        "segmentation_logits",
        _dice,
        {
            "axis": 1,
            "softmax": True,
            "include_background": False,
            "class_weight": CW,
            "squared": False,
        },
        natives={
            "monai": lambda x, t: _ml().DiceLoss(
                softmax=True, include_background=False, weight=CW[1:]
            )(x, t)
        },
    ),
    Case(
        "dice",
        "segmentation_logits",
        _dice,
        {
            "axis": 1,
            "softmax": True,
            "squared": True,
            "jaccard": True,
            "batch": True,
            "smooth_nr": 0.0,
            "smooth_dr": 1e-3,
        },
        natives={
            "monai": lambda x, t: _ml().DiceLoss(
                softmax=True,
                squared_pred=True,
                jaccard=True,
                batch=True,
                smooth_nr=0.0,
                smooth_dr=2e-3,
            )(x, t)
        },
    ),
    Case(
        "dice",
        "segmentation_labels",
        _dice,
        {"axis": 1, "to_onehot": True, "softmax": True, "squared": False},
        natives={
            "monai": lambda x, y: _ml().DiceLoss(to_onehot_y=True, softmax=True)(x, y[:, None])
        },
        labels=(1,),
    ),
    Case(
        "dice",
        "segmentation_labels_void",
        _dice,
        {"axis": 1, "to_onehot": True, "softmax": True, "squared": False, "ignore_index": 255},
        natives={
            "monai": lambda x, y: _ml().DiceLoss(to_onehot_y=True, softmax=True, ignore_index=255)(
                x, y[:, None]
            )
        },
        labels=(1,),
    ),
    Case(
        "dice",
        "segmentation_logits",
        _dice,
        {"axis": 1, "softmax": True, "squared": False, "ignore_index": 0},
        natives={"monai": lambda x, t: _ml().DiceLoss(softmax=True, ignore_index=0)(x, t)},
    ),
    Case(
        "dice",
        "segmentation_logits",
        _dice,
        {"axis": 1, "softmax": True, "ignore_index": -1, "batch": True},
    ),
    # channel-last (Keras/Optax layout): Optax's dice_loss(smooth=s) is smooth=2s here
    Case(
        "dice",
        "mask_logits",
        _dice,
        {
            "axis": -1,
            "softmax": True,
            "squared": False,
            "smooth": 2.0,
            "class_weight": CW,
            "include_background": False,
        },
        natives={
            "optax": lambda x, t: (
                optax()
                .losses.dice_loss(x, t, smooth=1.0, class_weights=CW, ignore_background=True)
                .mean()
            ),
            "monai": lambda x, t: _ml().DiceLoss(
                softmax=True, smooth_nr=2.0, smooth_dr=2.0, include_background=False, weight=CW[1:]
            )(_last_to_first(x), _last_to_first(t)),
        },
    ),
    Case(
        "dice",
        "masks",
        _dice,
        {"axis": -1, "squared": False, "smooth": 0.0},
        natives={"keras": lambda p, t: keras().losses.Dice(axis=(1,))(t, p)},
    ),
    # --- jaccard ------------------------------------------------------------------------------
    Case(
        "jaccard",
        "masks",
        _jaccard,
        natives={
            "monai": lambda p, t: _ml().DiceLoss(jaccard=True, smooth_nr=2e-5, smooth_dr=2e-5)(
                p[:, None], t[:, None]
            )
        },
        bad_options=_OVERLAP_BAD,
    ),
    Case("jaccard", "masks_empty", _jaccard, {"squared": True, "smooth": 0.0}),
    Case(
        "jaccard",
        "segmentation_labels",
        _jaccard,
        {"axis": 1, "to_onehot": True, "softmax": True, "batch": True},
        natives={
            "monai": lambda x, y: _ml().DiceLoss(
                to_onehot_y=True,
                softmax=True,
                jaccard=True,
                batch=True,
                smooth_nr=2e-5,
                smooth_dr=2e-5,
            )(x, y[:, None])
        },
        labels=(1,),
    ),
    # --- tversky ------------------------------------------------------------------------------
    Case("tversky", "masks", _tversky, {"alpha": 0.3, "beta": 0.7}, bad_options=_TVERSKY_BAD),
    Case(
        "tversky",
        "masks_empty",
        _tversky,
        {"alpha": 0.7, "beta": 0.3, "smooth": 1.0},
        natives={
            "monai": lambda p, t: _ml().TverskyLoss(
                alpha=0.7, beta=0.3, smooth_nr=1.0, smooth_dr=1.0
            )(p[:, None], t[:, None])
        },
    ),
    # Keras applies alpha to the false negatives: its (alpha, beta) are our (beta, alpha)
    Case(
        "tversky",
        "masks",
        _tversky,
        {"alpha": 0.2, "beta": 0.8, "smooth_nr": 0.0, "smooth_dr": 1e-7},
        natives={
            "keras": lambda p, t: keras().losses.Tversky(alpha=0.8, beta=0.2, axis=(1, 2))(t, p)
        },
    ),
    Case(
        "tversky",
        "segmentation_labels_void",
        _tversky,
        {
            "alpha": 0.4,
            "beta": 0.9,
            "axis": 1,
            "to_onehot": True,
            "softmax": True,
            "ignore_index": 255,
            "include_background": False,
        },
        natives={
            "monai": lambda x, y: _ml().TverskyLoss(
                alpha=0.4,
                beta=0.9,
                to_onehot_y=True,
                softmax=True,
                ignore_index=255,
                include_background=False,
            )(x, y[:, None])
        },
        labels=(1,),
    ),
    Case(
        "tversky",
        "mask_logits",
        _tversky,
        {"alpha": 0.3, "beta": 0.7, "axis": -1, "softmax": True, "smooth": 1.0, "class_weight": CW},
        natives={
            "optax": lambda x, t: (
                optax()
                .losses.dice_loss(x, t, alpha=0.3, beta=0.7, smooth=1.0, class_weights=CW)
                .mean()
            )
        },
    ),
    Case(
        "tversky",
        "mask_logits",
        _tversky,
        {"sigmoid": True, "batch": True, "axis": 1},
        natives={"monai": lambda x, t: _ml().TverskyLoss(sigmoid=True, batch=True)(x, t)},
    ),
    # --- focal_tversky ------------------------------------------------------------------------
    Case(
        "focal_tversky",
        "masks",
        _focal_tversky,
        {"alpha": 0.3, "beta": 0.7},
        bad_options=(*_TVERSKY_BAD, ({"gamma": 0.0}, ValueError, "gamma")),
    ),
    # smooth_nr < smooth_dr keeps 1 - TI > 0 at an empty target and prediction (no kink at p = 0)
    Case(
        "focal_tversky",
        "masks_empty",
        _focal_tversky,
        {"gamma": 2.0, "smooth_nr": 0.5, "smooth_dr": 1.0},
    ),
    Case(
        "focal_tversky",
        "segmentation_logits",
        _focal_tversky,
        {"gamma": 1.5, "axis": 1, "softmax": True, "class_weight": CW},
    ),
    # smp's focal Tversky: one channel, the batch pooled, smooth on both sides
    Case(
        "focal_tversky",
        "mask_logits",
        lambda x, t, gamma, sigmoid, batch: _smp_focal_tversky(x, t, gamma=gamma, smooth=1e-5),
        {"gamma": 0.5, "sigmoid": True, "batch": True},
    ),
    # --- generalized_dice ---------------------------------------------------------------------
    *[
        Case(
            "generalized_dice",
            "segmentation_logits",
            _generalized_dice,
            {"axis": 1, "softmax": True, "weight_type": w, "batch": batch},
            natives={
                "monai": lambda x, t, w=w, batch=batch: _ml().GeneralizedDiceLoss(
                    softmax=True, w_type=w, batch=batch
                )(x, t)
            },
            bad_options=(
                ({"weight_type": "cubic"}, ValueError, "weight_type"),
                ({"axis": None}, ValueError, "axis"),
                ({"smooth_dr": -1.0}, ValueError, "smooth_dr"),
                ({"sigmoid": True, "softmax": True}, ValueError, "sigmoid"),
            ),
        )
        for w, batch in (("square", False), ("simple", False), ("uniform", False), ("square", True))
    ],
    Case(
        "generalized_dice",
        "segmentation_labels",
        _generalized_dice,
        {"axis": 1, "to_onehot": True, "softmax": True, "include_background": False},
        natives={
            "monai": lambda x, y: _ml().GeneralizedDiceLoss(
                to_onehot_y=True, softmax=True, include_background=False
            )(x, y[:, None])
        },
        labels=(1,),
    ),
    Case(
        "generalized_dice",
        "masks_empty",
        _generalized_dice,
        {"axis": -1, "weight_type": "simple", "smooth": 0.1},
        natives={
            "monai": lambda p, t: _ml().GeneralizedDiceLoss(
                w_type="simple", smooth_nr=0.1, smooth_dr=0.1
            )(_last_to_first(p), _last_to_first(t))
        },
    ),
    # --- mcc ----------------------------------------------------------------------------------
    # MONAI smooths the numerator (by 0) and the product under the root (by 1e-5) instead of each
    # count: away from constant masks the two differ by O(smooth / pixels), ~5e-7 here
    Case(
        "mcc",
        "masks",
        _mcc,
        natives={"monai": lambda p, t: _ml().MCCLoss()(p[:, None], t[:, None])},
        bad_options=(({"smooth": 0.0}, ValueError, "smooth"), ({"batch": 1}, TypeError, "batch")),
    ),
    Case("mcc", "masks_empty", _mcc, {"smooth": 1e-3}),
    Case("mcc", "masks", _mcc, {"batch": True, "smooth": 0.5}),
    # --- dice_crossentropy --------------------------------------------------------------------
    Case(
        "dice_crossentropy",
        "segmentation_logits",
        _dice_ce,
        {"axis": 1},
        natives={"monai": lambda x, t: _ml().DiceCELoss(softmax=True)(x, t)},
        bad_options=(*_COMPOUND_BAD, ({"lambda_ce": -0.5}, ValueError, "lambda_ce")),
    ),
    Case(
        "dice_crossentropy",
        "segmentation_logits",
        _dice_ce,
        {
            "axis": 1,
            "class_weight": CW,
            "include_background": False,
            "lambda_dice": 0.3,
            "lambda_ce": 1.5,
            "squared": True,
        },
        natives={
            "monai": lambda x, t: _ml().DiceCELoss(
                softmax=True,
                weight=torch().asarray(CW, dtype=x.dtype),
                include_background=False,
                lambda_dice=0.3,
                lambda_ce=1.5,
                squared_pred=True,
            )(x, t)
        },
    ),
    Case(
        "dice_crossentropy",
        "segmentation_labels",
        _dice_ce,
        {"axis": 1, "to_onehot": True, "class_weight": CW},
        natives={
            "monai": lambda x, y: _ml().DiceCELoss(
                softmax=True, to_onehot_y=True, weight=torch().asarray(CW, dtype=x.dtype)
            )(x, y[:, None])
        },
        labels=(1,),
    ),
    Case(
        "dice_crossentropy",
        "segmentation_labels",
        _dice_ce,
        {"axis": 1, "to_onehot": True, "class_weight": CW, "batch": True, "jaccard": True},
        natives={
            "monai": lambda x, y: _ml().DiceCELoss(
                softmax=True,
                to_onehot_y=True,
                batch=True,
                jaccard=True,
                smooth_nr=2e-5,
                smooth_dr=2e-5,
                weight=torch().asarray(CW, dtype=x.dtype),
            )(x, y[:, None])
        },
        labels=(1,),
    ),
    Case(
        "dice_crossentropy",
        "mask_logits",
        _dice_ce,
        {"axis": None, "sigmoid": True},
        natives={"monai": lambda x, t: _ml().DiceCELoss(sigmoid=True)(x[:, None], t[:, None])},
    ),
    Case(
        "dice_crossentropy",
        "mask_logits",
        _dice_ce,
        {"axis": -1, "sigmoid": True, "class_weight": CW},
    ),
    # one channel: MONAI's Dice term leaves out ``weight`` (its BCE takes it as ``pos_weight``)
    Case(
        "dice_crossentropy",
        "mask_logits_one_channel",
        _dice_ce,
        {"axis": 1, "sigmoid": True, "class_weight": ONE_CW},
        natives={
            "monai": lambda x, t: (
                _ml().DiceCELoss(sigmoid=True, weight=torch().asarray(ONE_CW, dtype=x.dtype))(x, t)
                + (ONE_CW[0] - 1) * _ml().DiceLoss(sigmoid=True)(x, t)
            )
        },
    ),
    # --- dice_focal ---------------------------------------------------------------------------
    Case(
        "dice_focal",
        "mask_logits",
        _dice_focal,
        {"axis": 1, "sigmoid": True},
        natives={"monai": lambda x, t: _ml().DiceFocalLoss(sigmoid=True)(x, t)},
    ),
    Case(
        "dice_focal",
        "mask_logits",
        _dice_focal,
        {
            "axis": 1,
            "sigmoid": True,
            "gamma": 1.5,
            "alpha": 0.25,
            "class_weight": CW,
            "include_background": False,
            "lambda_focal": 2.0,
            "batch": True,
        },
        natives={
            "monai": lambda x, t: _ml().DiceFocalLoss(
                sigmoid=True,
                gamma=1.5,
                alpha=0.25,
                weight=CW[1:],
                include_background=False,
                lambda_focal=2.0,
                batch=True,
            )(x, t)
        },
    ),
    # softmax mode: MONAI's softmax Dice plus its softmax focal loss
    Case(
        "dice_focal",
        "segmentation_logits",
        _dice_focal,
        {"axis": 1, "alpha": 0.75, "gamma": 0.5},
        natives={
            "monai": lambda x, t: (
                _ml().DiceLoss(softmax=True)(x, t)
                + _ml().FocalLoss(use_softmax=True, alpha=0.75, gamma=0.5)(x, t)
            )
        },
        bad_options=(
            *_COMPOUND_BAD,
            ({"gamma": -1.0}, ValueError, "gamma"),
            ({"alpha": 1.5}, ValueError, "alpha"),
            ({"lambda_focal": -1.0}, ValueError, "lambda_focal"),
        ),
    ),
    Case(
        "dice_focal",
        "segmentation_labels",
        _dice_focal,
        {"axis": 1, "to_onehot": True, "class_weight": CW, "gamma": 0.0, "squared": True},
        labels=(1,),
    ),
    Case(
        "dice_focal",
        "mask_logits",
        _dice_focal,
        {"axis": None, "sigmoid": True, "gamma": 3.0, "alpha": 0.6},
    ),
    # --- lovasz -------------------------------------------------------------------------------
    Case(
        "lovasz_hinge",
        "mask_logits",
        _lovasz_hinge,
        natives={"kornia": lambda x, t: kornia().losses.lovasz_hinge_loss(x[:, None], t)},
        bad_options=_LOVASZ_BAD,
        unsupported=DASK,
    ),
    Case("lovasz_hinge", "mask_logits", _lovasz_hinge, {"per_image": False}, unsupported=DASK),
    Case("lovasz_hinge", "binary_logits", _lovasz_hinge, {"ignore_index": 0}, unsupported=DASK),
    Case(
        "lovasz_softmax",
        "segmentation_labels",
        _lovasz_softmax,
        {"axis": 1, "from_logits": True},
        shift_invariant=True,
        labels=(1,),
        bad_options=(
            *_LOVASZ_BAD,
            ({"classes": "some"}, ValueError, "classes"),
            ({"axis": 0}, ValueError, "axis"),
        ),
        unsupported=DASK,
    ),
    Case(
        "lovasz_softmax",
        "segmentation_labels_void",
        _lovasz_softmax,
        {"axis": 1, "from_logits": True, "ignore_index": 255, "classes": "all"},
        shift_invariant=True,
        labels=(1,),
        unsupported=DASK,
    ),
    Case(
        "lovasz_softmax",
        "segmentation_labels_void",
        _lovasz_softmax,
        {"axis": 1, "from_logits": True, "ignore_index": 255, "per_image": False},
        shift_invariant=True,
        labels=(1,),
        unsupported=DASK,
    ),
    Case(
        "lovasz_softmax",
        "sparse_probs",
        _lovasz_softmax,
        {"per_image": False},
        labels=(1,),
        unsupported=DASK,
    ),
]
