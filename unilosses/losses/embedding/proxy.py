"""Proxy-based metric-learning losses: Proxy-Anchor and ProxyNCA.

Each class has a learnable proxy, an argument ``proxies`` of shape ``(C, D)`` (one row per class,
pytorch-metric-learning's ``loss.proxies`` layout): the loss stays a pure function and the
caller's optimizer updates the proxies with the gradient it gets. Embeddings and proxies are
L2-normalized as torch's ``F.normalize`` does (``x / max(||x||, 1e-12)``: a zero row stays zero,
with a finite gradient). Every sample meets every proxy through masks (no data-dependent shapes).
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

from ... import _core
from .margin_softmax import (
    _class_inputs,
    _finite,
    _inverse_norms,
    _one_hot,
    _pick,
    _softmax_with_target,
)

Array = Any

__all__ = ["proxy_anchor", "proxy_nca"]


def _positive(value: object, name: str) -> float:
    return _core.check_number(value, name, low=0, low_open=True, high=math.inf, high_open=True)


def _log1p_sum_exp(xp: ModuleType, a: Array) -> Array:
    """``log(1 + sum_i e^{a_i})`` along axis 0, shifted by ``max(max_i a_i, 0)`` (stable, and 0
    over an empty axis)."""
    m = xp.maximum(_core.max_along(xp, a, 0, keepdims=True), 0)
    return xp.log(xp.exp(-m) + xp.sum(xp.exp(a - m), axis=0, keepdims=True)) + m


def proxy_anchor(
    embeddings: Array,
    labels: Array,
    proxies: Array,
    *,
    margin: float = 0.1,
    alpha: float = 32.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Proxy-Anchor loss (Kim et al.): each proxy pulls its class's embeddings and pushes the
    others, one value per batch.

    With ``s(x, p)`` the cosine similarity, ``P`` all ``C`` proxies, ``P⁺`` those with at least
    one embedding of their class in the batch, ``X_p⁺`` the embeddings of proxy ``p``'s class and
    ``X_p⁻`` the others, ``δ = margin``, ``α = alpha``:

    .. math::
        \\ell = \\frac{1}{|P^+|} \\sum_{p \\in P^+}
        \\log\\Big(1 + \\sum_{x \\in X_p^+} e^{-\\alpha (s(x, p) - \\delta)}\\Big)
        + \\frac{1}{|P|} \\sum_{p \\in P}
        \\log\\Big(1 + \\sum_{x \\in X_p^-} e^{\\alpha (s(x, p) + \\delta)}\\Big)

    A proxy without positives in the batch adds nothing to the first sum and is not counted in
    ``|P⁺|`` (a batch without any sample gives 0); every proxy counts in the second. A batch
    level loss: a 0-d value for every ``reduction`` (a ``sample_weight`` must then be a scalar).

    Native counterpart: ``pytorch_metric_learning.losses.ProxyAnchorLoss(num_classes,
    embedding_size, margin, alpha)`` with ``loss.proxies = proxies``: these semantics exactly,
    its default ``DivisorReducer`` dividing the positive terms by the number of proxies with
    positives and the negative ones by ``C``, the paper's defaults (``δ = 0.1``, ``α = 32``).
    torch, Keras and Optax have none.

    Parameters
    ----------
    embeddings : array
        ``(N, D)``; normalized here. Gradients flow to it.
    labels : array
        ``(N,)`` integer class labels in ``[0, C)``.
    proxies : array
        ``(C, D)``, one proxy per class; normalized here. Learnable: its gradient is the
        caller's to use.
    margin : float
        The margin ``δ``.
    alpha : float
        The scale ``α``, > 0.
    reduction : {"mean", "sum", "none"}
        Every reduction gives the batch's 0-d value.
    sample_weight : float or 0-d array, optional
        Scales the value (``"mean"`` divides it out again).
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    S. Kim, D. Kim, M. Cho, S. Kwak, "Proxy Anchor Loss for Deep Metric Learning", CVPR 2020.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> e, p = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    >>> # positives: log(1 + e^-2) for proxies 0 and 1 (proxy 2 has none), divided by 2;
    >>> # negatives: log 2, log 2 and log(2 + e^-2), divided by 3
    >>> round(float(ul.proxy_anchor(e, np.array([0, 1]), p, margin=0.0, alpha=2.0)), 4)
    0.8419
    """
    xp, x, labels, p, out, invalid = _class_inputs(
        embeddings, labels, proxies, "proxies", xp, reduction
    )
    margin = _finite(margin, "margin")
    alpha = _positive(alpha, "alpha")
    cos = xp.matmul(x * _inverse_norms(xp, x), xp.permute_dims(p * _inverse_norms(xp, p), (1, 0)))
    hot = _one_hot(xp, labels, cos)
    # per proxy (column): log(1 + sum over its positives / negatives)
    pos_terms = _log1p_sum_exp(xp, xp.where(hot, -alpha * (cos - margin), _core.LOG_ZERO))
    neg_terms = _log1p_sum_exp(xp, xp.where(hot, _core.LOG_ZERO, alpha * (cos + margin)))
    with_positives = xp.sum(xp.astype(xp.any(hot, axis=0), cos.dtype))
    loss = _core.safe_divide(xp, xp.sum(pos_terms), with_positives) + xp.mean(neg_terms)
    return _core.reduce(xp, loss, reduction, sample_weight, out, invalid=invalid)


def proxy_nca(
    embeddings: Array,
    labels: Array,
    proxies: Array,
    *,
    softmax_scale: float = 1.0,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """ProxyNCA (Movshovitz-Attias et al.): the softmax over negative squared distances to the
    class proxies, one value per sample.

    With ``x̂`` and ``p̂`` the normalized embedding and proxies, ``y`` the label and ``s =
    softmax_scale``:

    .. math::
        \\ell = -\\log \\frac{e^{-s \\|\\hat x - \\hat p_y\\|^2}}
        {\\sum_{j} e^{-s \\|\\hat x - \\hat p_j\\|^2}}

    The denominator runs over every proxy, the positive one included, as pytorch-metric-learning
    and ProxyNCA++ (Teh et al., whose temperature ``T`` is ``1 / s``) compute it; the original
    paper sums over the other proxies only.

    Native counterpart: ``pytorch_metric_learning.losses.ProxyNCALoss(num_classes,
    embedding_size, softmax_scale)`` with ``loss.proxies = proxies`` (its default distance,
    ``LpDistance(power=2)`` of normalized rows, and its ``MeanReducer``). One difference: it
    drops a sample whose probability underflows to exactly 0 (from its mean too); here the loss
    is computed in log space and such a sample keeps its large, finite loss. torch, Keras and
    Optax have none.

    Parameters
    ----------
    embeddings : array
        ``(N, D)``; normalized here. Gradients flow to it.
    labels : array
        ``(N,)`` integer class labels in ``[0, C)``.
    proxies : array
        ``(C, D)``, one proxy per class; normalized here. Learnable: its gradient is the
        caller's to use.
    softmax_scale : float
        The scale ``s`` of the squared distances, > 0.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per sample.
    sample_weight : array or float, optional
        Broadcastable to the per-sample loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    Y. Movshovitz-Attias, A. Toshev, T. K. Leung, S. Ioffe, S. Singh, "No Fuss Distance Metric
    Learning using Proxies", ICCV 2017. E. W. Teh, T. DeVries, G. W. Taylor, "ProxyNCA++:
    Revisiting and Revitalizing Proxy Neighborhood Component Analysis", ECCV 2020.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> e, p = np.array([[2.0, 0.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> # squared distances 0 and 2: log(1 + e^-2)
    >>> ul.proxy_nca(e, np.array([0]), p, reduction="none").round(4)
    array([0.1269])
    """
    xp, x, labels, p, out, invalid = _class_inputs(
        embeddings, labels, proxies, "proxies", xp, reduction
    )
    scale = _positive(softmax_scale, "softmax_scale")
    rp = _inverse_norms(xp, p)
    # -s ||x^ - p^_j||^2 up to the row's constant s ||x^||^2: s (2 x^.p^_j - ||p^_j||^2)
    logits = xp.matmul(x * ((2 * scale) * _inverse_norms(xp, x)), xp.permute_dims(p * rp, (1, 0)))
    squared = xp.sum(p * p, axis=-1, keepdims=True) * (rp * rp)  # ||p^_j||^2: 1, or 0 for p_j = 0
    logits = logits - scale * xp.permute_dims(squared, (1, 0))
    hot = _one_hot(xp, labels, logits)
    loss = _softmax_with_target(xp, logits, hot, _pick(xp, logits, hot))
    return _core.reduce(xp, loss, reduction, sample_weight, out, invalid=invalid)
