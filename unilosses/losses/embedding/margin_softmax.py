"""Margin softmax losses on class centers: ArcFace, CosFace and SphereFace.

Each is the cross-entropy of ``scale`` times the cosine similarities of an embedding with every
class center (``weight``), after a margin has been applied to the cosine of the sample's own
class. The class centers are an argument, ``weight`` of shape ``(C, D)``: one row per class, the
layout of a bias-free linear layer's weight in ``nn.Linear(D, C)`` and of the papers. The loss
stays a pure function; the caller's optimizer updates ``weight`` with the gradient it gets.
pytorch-metric-learning stores its ``W`` as ``(D, C)``: pass ``loss.W.T``.

Cosines are those of the rows L2-normalized as torch's ``F.normalize`` does (``x / max(||x||,
1e-12)``: a zero row stays zero, with a finite gradient); SphereFace's logits also carry the
embedding's norm. One value per sample, which ``reduction="none"`` returns.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

from ... import _core

Array = Any

__all__ = ["arcface", "cosface", "sphereface"]


def _inverse_norms(xp: ModuleType, x: Array) -> Array:
    """``1 / max(||row||, 1e-12)`` per row, ``(rows, 1)``: ``F.normalize``'s floor, taken on the
    squared norm (``1e-24``), so a zero row has a finite gradient (no ``sqrt'(0)``)."""
    return 1 / xp.sqrt(xp.maximum(xp.sum(x * x, axis=-1, keepdims=True), 1e-24))


def _class_inputs(
    embeddings: Array,
    labels: Array,
    rows: Array,
    rows_name: str,
    xp: ModuleType | None,
    reduction: str,
) -> tuple[ModuleType, Array, Array, Array, Any, Array | None]:
    """``prepare`` for ``(embeddings (N, D), labels (N,), rows (C, D))``; labels checked against
    ``[0, C)``. Returns ``(xp, x, labels, rows, out_dtype, invalid)``."""
    xp, (x, labels, w), out = _core.prepare_named(
        {"embeddings": embeddings, "labels": labels, rows_name: rows},
        xp=xp,
        reduction=reduction,
        labels=("labels",),
    )
    if x.ndim != 2:
        raise ValueError(f"embeddings must have shape (batch, features), got {_core.shape_of(x)}")
    n, d = _core.shape_of(x)
    got = _core.shape_of(labels)
    if len(got) != 1 or (None not in (n, got[0]) and got[0] != n):
        raise ValueError(
            f"labels must have shape ({n},) (one label per row of embeddings), got {got}"
        )
    sw = _core.shape_of(w)
    if len(sw) != 2 or (None not in (d, sw[1]) and sw[1] != d):
        hint = ""
        if len(sw) == 2 and sw[0] == d:
            hint = (
                " (a (features, classes) matrix, such as pytorch-metric-learning's W, is "
                "passed transposed)"
            )
        raise ValueError(
            f"{rows_name} must have shape (classes, {d}): one row per class, with the features of "
            f"the embeddings; got {sw}{hint}"
        )
    c = w.shape[0]
    invalid = _core.check_labels(xp, labels, c if isinstance(c, int) else None, None, "labels")
    return xp, x, labels, w, out, invalid


def _one_hot(xp: ModuleType, labels: Array, scores: Array) -> Array:
    """The boolean ``(N, C)`` mask of each row's label among the classes of ``scores``."""
    return xp.expand_dims(xp.astype(labels, scores.dtype), axis=1) == _core.class_indices(
        xp, scores, -1
    )


def _pick(xp: ModuleType, scores: Array, hot: Array) -> Array:
    """Each row's entry at its label, ``(N,)``."""
    return xp.sum(xp.where(hot, scores, 0), axis=-1)


def _softmax_with_target(xp: ModuleType, logits: Array, hot: Array, target: Array) -> Array:
    """The cross-entropy of ``logits`` with the label's logit replaced by ``target``:
    ``-log(e^t / (e^t + sum_{j != y} e^{l_j})) = softplus(logsumexp_{j != y} l_j - t)`` (no
    cancellation; a single class gives 0)."""
    others = _core.logsumexp(xp, xp.where(hot, _core.LOG_ZERO, logits), axis=-1)
    return _core.softplus(xp, others - target)


def _scaled_cosines(xp: ModuleType, x: Array, w: Array, scale: float) -> Array:
    """``scale * cos(x_i, w_j)``, ``(N, C)``: the rows normalized (and ``x`` scaled) before the
    product, so the ``(N, C)`` result takes no further pass."""
    x = x * (_inverse_norms(xp, x) * scale)
    w = w * _inverse_norms(xp, w)
    return xp.matmul(x, xp.permute_dims(w, (1, 0)))


def _target_sine_squared(
    xp: ModuleType, x: Array, w: Array, labels: Array, c: Array, invalid: Array | None
) -> Array:
    """``sin² θ_y`` of each embedding with its class center, ``(N,)``, given ``c = cos θ_y``:
    ``|u - c v|²`` for the normalized embedding ``u`` and center ``v`` (a difference of close
    vectors, exact where ``1 - c²`` cancels). Embeddings normalized below unit norm (norm
    under ``1e-12``) keep ``1 - c²``. Invalid labels (NaN in the reduction) read center 0."""
    sq = xp.sum(x * x, axis=-1, keepdims=True)
    v = xp.take(w, labels if invalid is None else xp.where(invalid, 0, labels), axis=0)
    u = x / xp.sqrt(xp.maximum(sq, 1e-24))
    r = u - xp.expand_dims(c, axis=-1) * (v * _inverse_norms(xp, v))
    return xp.where(sq[:, 0] >= 1e-24, xp.sum(r * r, axis=-1), (1 - c) * (1 + c))


def _check_scale(scale: object) -> float:
    return _core.check_number(scale, "scale", low=0, low_open=True, high=math.inf, high_open=True)


def _finite(value: object, name: str) -> float:
    return _core.check_number(
        value, name, low=-math.inf, low_open=True, high=math.inf, high_open=True
    )


def arcface(
    embeddings: Array,
    labels: Array,
    weight: Array,
    *,
    margin: float = 0.5,
    scale: float = 64.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """ArcFace: additive angular margin softmax (Deng et al.), one value per sample.

    With ``cos θ_j`` the cosine similarity of the embedding with class center ``j`` (row ``j``
    of ``weight``), ``y`` its label and ``s = scale``, ``m = margin``:

    .. math::
        \\ell = -\\log \\frac{e^{s\\, \\psi(\\theta_y)}}
        {e^{s\\, \\psi(\\theta_y)} + \\sum_{j \\neq y} e^{s \\cos \\theta_j}},
        \\qquad
        \\psi(\\theta) = \\begin{cases} \\cos(\\theta + m) & \\theta \\le \\pi - m \\\\
        \\cos \\theta - m \\sin m & \\text{otherwise} \\end{cases}

    The second branch (the reference implementation's, also pytorch-metric-learning's) keeps
    the target logit decreasing in ``θ`` past ``π - m``, where ``cos(θ + m)`` would rise again.
    ``cos(θ + m)`` is computed as ``cos θ cos m - sin θ sin m`` (no ``arccos``: an embedding on
    its class center has a finite gradient), with ``sin θ`` the norm of the normalized
    embedding's component orthogonal to its class center: accurate to the working precision
    near ``θ = 0``, where ``sqrt(1 - cos² θ)`` (and ``arccos``) lose half the digits.

    Native counterpart: ``pytorch_metric_learning.losses.ArcFaceLoss(num_classes,
    embedding_size, margin, scale)`` with ``loss.W = weight.T`` (its ``W`` is ``(D, C)``). Its
    ``margin`` is in degrees (default 28.6, about 0.4992 radians); ours is in radians, as in the
    paper (default 0.5): pass ``margin=math.radians(pml_margin)``. Its default ``MeanReducer``
    averages over the batch, as our ``"mean"``. torch, Keras and Optax have none.

    Parameters
    ----------
    embeddings : array
        ``(N, D)``; normalized here. Gradients flow to it.
    labels : array
        ``(N,)`` integer class labels in ``[0, C)``.
    weight : array
        ``(C, D)`` class centers, one row per class; normalized here. Learnable: its gradient
        is the caller's to use. pytorch-metric-learning's ``W`` is ``(D, C)``: pass ``W.T``.
    margin : float
        Additive angular margin ``m`` in radians, in ``[-π, π]``.
    scale : float
        Scale ``s`` of the cosines, > 0.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per sample.
    sample_weight : array or float, optional
        Broadcastable to the per-sample loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    J. Deng, J. Guo, N. Xue, S. Zafeiriou, "ArcFace: Additive Angular Margin Loss for Deep Face
    Recognition", CVPR 2019.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> e, w = np.array([[1.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> # theta_0 = pi/4, so cos(theta_0 + m) = 0; cos(theta_1) = 1/sqrt(2): log(1 + e^sqrt(2))
    >>> ul.arcface(e, np.array([0]), w, margin=np.pi / 4, scale=2.0, reduction="none").round(4)
    array([1.6318])
    """
    xp, x, labels, w, out, invalid = _class_inputs(
        embeddings, labels, weight, "weight", xp, reduction
    )
    margin = _core.check_number(margin, "margin", low=-math.pi, high=math.pi)
    scale = _check_scale(scale)
    logits = _scaled_cosines(xp, x, w, scale)
    hot = _one_hot(xp, labels, logits)
    c = _pick(xp, logits, hot) / scale
    floor = float(xp.finfo(c.dtype).smallest_normal)
    sin = xp.sqrt(xp.maximum(_target_sine_squared(xp, x, w, labels, c, invalid), floor))
    # theta <= pi - m  <=>  cos(theta) >= -cos(m) for m in [0, pi]; always true for m < 0
    limit = -math.cos(margin) if margin > 0 else -2.0
    cos_m, sin_m = math.cos(margin), math.sin(margin)
    target = xp.where(c >= limit, c * cos_m - sin * sin_m, c - margin * sin_m)
    loss = _softmax_with_target(xp, logits, hot, scale * target)
    return _core.reduce(xp, loss, reduction, sample_weight, out, invalid=invalid)


def cosface(
    embeddings: Array,
    labels: Array,
    weight: Array,
    *,
    margin: float = 0.35,
    scale: float = 64.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """CosFace (large margin cosine loss, Wang et al.): additive cosine margin softmax, one value
    per sample.

    With ``cos θ_j`` the cosine similarity of the embedding with class center ``j`` (row ``j``
    of ``weight``), ``y`` its label, ``s = scale`` and ``m = margin``:

    .. math::
        \\ell = -\\log \\frac{e^{s (\\cos \\theta_y - m)}}
        {e^{s (\\cos \\theta_y - m)} + \\sum_{j \\neq y} e^{s \\cos \\theta_j}}

    Native counterpart: ``pytorch_metric_learning.losses.CosFaceLoss(num_classes,
    embedding_size, margin, scale)`` with ``loss.W = weight.T`` (its ``W`` is ``(D, C)``); the
    same defaults (the paper's ``m = 0.35``, ``s = 64``) and the same mean over the batch (its
    ``MeanReducer``). torch, Keras and Optax have none.

    Parameters
    ----------
    embeddings : array
        ``(N, D)``; normalized here. Gradients flow to it.
    labels : array
        ``(N,)`` integer class labels in ``[0, C)``.
    weight : array
        ``(C, D)`` class centers, one row per class; normalized here. pytorch-metric-learning's
        ``W`` is ``(D, C)``: pass ``W.T``.
    margin : float
        Cosine margin ``m`` subtracted from the target cosine (negative values are allowed).
    scale : float
        Scale ``s`` of the cosines, > 0.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per sample.
    sample_weight : array or float, optional
        Broadcastable to the per-sample loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    H. Wang, Y. Wang, Z. Zhou, X. Ji, D. Gong, J. Zhou, Z. Li, W. Liu, "CosFace: Large Margin
    Cosine Loss for Deep Face Recognition", CVPR 2018.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> e, w = np.array([[1.0, 0.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> # logits 2 * (1 - 0.5) and 2 * 0: log(1 + e^-1)
    >>> ul.cosface(e, np.array([0]), w, margin=0.5, scale=2.0, reduction="none").round(4)
    array([0.3133])
    """
    xp, x, labels, w, out, invalid = _class_inputs(
        embeddings, labels, weight, "weight", xp, reduction
    )
    margin = _finite(margin, "margin")
    scale = _check_scale(scale)
    logits = _scaled_cosines(xp, x, w, scale)
    hot = _one_hot(xp, labels, logits)
    loss = _softmax_with_target(xp, logits, hot, _pick(xp, logits, hot) - scale * margin)
    return _core.reduce(xp, loss, reduction, sample_weight, out, invalid=invalid)


def _multiple_angle(xp: ModuleType, c: Array, m: int) -> Array:
    """``(-1)^k cos(m θ) - 2k`` for ``c = cos θ``, ``θ`` in ``[kπ/m, (k+1)π/m]``: SphereFace's
    monotone extension of ``cos(m θ)``. ``cos(m θ)`` is the Chebyshev polynomial ``T_m(c)``
    (smooth, no ``arccos``); ``k`` counts the thresholds ``cos(jπ/m)`` that ``c`` is at or
    below (comparisons: no gradient flows through it)."""
    previous, poly = xp.ones_like(c), c
    for _ in range(m - 1):
        previous, poly = poly, 2 * c * poly - previous
    k = xp.zeros_like(c)
    sign = xp.ones_like(c)
    for j in range(1, m + 1):
        below = c <= math.cos(j * math.pi / m)
        k = k + xp.astype(below, c.dtype)
        sign = xp.where(below, -sign, sign)
    return sign * poly - 2 * k


def sphereface(
    embeddings: Array,
    labels: Array,
    weight: Array,
    *,
    margin: int = 4,
    scale: float = 1.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """SphereFace (A-Softmax, Liu et al.): multiplicative angular margin softmax, one value per
    sample.

    With ``θ_j`` the angle between the embedding ``x`` and class center ``j`` (row ``j`` of
    ``weight``, normalized; the embedding is not), ``y`` its label, ``s = scale`` and the integer
    ``m = margin``:

    .. math::
        \\ell = -\\log \\frac{e^{s \\|x\\| \\psi(\\theta_y)}}
        {e^{s \\|x\\| \\psi(\\theta_y)} + \\sum_{j \\neq y} e^{s \\|x\\| \\cos \\theta_j}},
        \\qquad \\psi(\\theta) = (-1)^k \\cos(m\\theta) - 2k,\\;
        \\theta \\in \\Big[\\frac{k\\pi}{m}, \\frac{(k+1)\\pi}{m}\\Big]

    ``ψ`` is continuous and decreasing; ``cos(mθ)`` is computed as a polynomial of ``cos θ``,
    as in the paper. The paper's annealing with the plain softmax (``λ``) is a training
    schedule, not part of the loss: blend with :func:`sparse_categorical_crossentropy` of the
    logits ``s ||x|| cos θ`` where needed.

    Native counterpart: ``pytorch_metric_learning.losses.SphereFaceLoss(num_classes,
    embedding_size, margin, scale)`` with ``loss.W = weight.T`` (its ``W`` is ``(D, C)``): the
    same defaults (``m = 4``, ``s = 1``), the same integer margin (it truncates a float margin
    with ``int``; we refuse one) and the same mean over the batch. torch, Keras and Optax have
    none.

    Parameters
    ----------
    embeddings : array
        ``(N, D)``; its norms scale the logits. Gradients flow to it.
    labels : array
        ``(N,)`` integer class labels in ``[0, C)``.
    weight : array
        ``(C, D)`` class centers, one row per class; normalized here. pytorch-metric-learning's
        ``W`` is ``(D, C)``: pass ``W.T``.
    margin : int
        The angle multiplier ``m``, >= 1 (1: the softmax of normalized class centers).
    scale : float
        Scale ``s`` of the logits, > 0.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per sample.
    sample_weight : array or float, optional
        Broadcastable to the per-sample loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    W. Liu, Y. Wen, Z. Yu, M. Li, B. Raj, L. Song, "SphereFace: Deep Hypersphere Embedding for
    Face Recognition", CVPR 2017.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> e, w = np.array([[0.0, 2.0]]), np.array([[1.0, 1.0], [1.0, -1.0]])
    >>> # ||x|| = 2, theta_0 = pi/4: cos(2 theta_0) = 0; cos(theta_1) = -1/sqrt(2), so the
    >>> # logits are 0 and -sqrt(2): log(1 + e^-sqrt(2))
    >>> ul.sphereface(e, np.array([0]), w, margin=2, reduction="none").round(4)
    array([0.2176])
    """
    xp, x, labels, w, out, invalid = _class_inputs(
        embeddings, labels, weight, "weight", xp, reduction
    )
    m = _core.check_int(margin, "margin")
    if m < 1:
        raise ValueError(f"margin must be an int >= 1 (the angle multiplier), got {margin!r}")
    scale = _check_scale(scale)
    norm = xp.sqrt(xp.maximum(xp.sum(x * x, axis=-1), 1e-24))
    # ||x|| cos(theta_j) * s: the products with the normalized centers
    logits = xp.matmul(x, xp.permute_dims(w * _inverse_norms(xp, w), (1, 0))) * scale
    hot = _one_hot(xp, labels, logits)
    c = _pick(xp, logits, hot) / (scale * norm)
    target = (scale * norm) * _multiple_angle(xp, c, m)
    loss = _softmax_with_target(xp, logits, hot, target)
    return _core.reduce(xp, loss, reduction, sample_weight, out, invalid=invalid)
