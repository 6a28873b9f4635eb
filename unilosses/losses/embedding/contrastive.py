"""Batch-level contrastive and metric-learning losses: NT-Xent, InfoNCE, Circle, Barlow Twins.

Each sample's loss depends on the whole batch (in-batch negatives, batch statistics). ``info_nce``
and ``circle`` still have one value per sample (per query, per anchor), which
``reduction="none"`` returns; ``ntxent`` (a mean over positive pairs) and ``barlow_twins`` (a
cross-correlation matrix) have one value per batch and return it, 0-d, for every ``reduction``
(a ``sample_weight`` must then be a scalar).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ... import _core

Array = Any

__all__ = ["barlow_twins", "circle", "info_nce", "ntxent"]


def _check_embeddings(x: Array, labels: Array, name: str = "embeddings") -> None:
    if x.ndim != 2:
        raise ValueError(f"{name} must have shape (batch, features), got {_core.shape_of(x)}")
    got = _core.shape_of(labels)
    n = x.shape[0]
    if len(got) != 1 or (got[0] is not None and isinstance(n, int) and got[0] != n):
        raise ValueError(f"labels must have shape ({n},) (one label per row of {name}), got {got}")


def _diagonal(xp: ModuleType, v: Array) -> Array:
    """The boolean ``i == j`` mask of the square matrix over the entries of the 1-D ``v`` (also
    of unknown size)."""
    i = _core.class_indices(xp, v, 0)
    return xp.expand_dims(i, axis=1) == xp.expand_dims(i, axis=0)


def _same_label(xp: ModuleType, labels: Array) -> Array:
    """The boolean ``(N, N)`` mask of equal labels."""
    return xp.expand_dims(labels, axis=1) == xp.expand_dims(labels, axis=0)


def ntxent(
    embeddings: Array,
    labels: Array,
    *,
    temperature: float = 0.07,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Normalized temperature-scaled cross-entropy (NT-Xent, SimCLR), over labelled groups.

    With ``s_ij`` the cosine similarity of rows ``i`` and ``j`` divided by ``temperature``, ``P``
    the pairs ``i != j`` with equal labels and ``N(i)`` the rows labelled differently from ``i``:

    .. math::
        \\ell = \\frac{1}{|P|} \\sum_{(i, j) \\in P}
        -\\log \\frac{e^{s_{ij}}}{e^{s_{ij}} + \\sum_{k \\in N(i)} e^{s_{ik}}}

    Each positive pair is contrasted with the anchor's negatives only (not with its other
    positives). The cosine similarity clamps each squared norm at the dtype's machine epsilon.
    A batch level loss: a 0-d value for every ``reduction``. Without any positive pair (a single
    sample, an empty batch, all labels distinct) the loss is 0 (Optax gives NaN).

    Native counterparts: ``optax.losses.ntxent`` (these semantics exactly) and
    pytorch-metric-learning ``NTXentLoss(temperature)`` (the same formula on ``(embeddings,
    labels)``). MONAI ``ContrastiveLoss(temperature)(z1, z2)`` is this loss on two views, row ``i``
    of ``z1`` paired with row ``i`` of ``z2``: the embeddings ``concat(z1, z2)`` with the labels
    ``concat(arange(N), arange(N))``. torch and Keras have none.

    Parameters
    ----------
    embeddings : array
        ``(N, D)``; normalized here. Gradients flow to it.
    labels : array
        ``(N,)`` integers; rows with equal labels are positive pairs (e.g. two views of one image).
    temperature : float
        > 0.
    reduction : {"mean", "sum", "none"}
        Every reduction gives the batch's 0-d value.
    sample_weight : float or 0-d array, optional
        Scales the value (``"mean"`` divides it out again).
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    T. Chen, S. Kornblith, M. Norouzi, G. Hinton, "A Simple Framework for Contrastive Learning of
    Visual Representations", ICML 2020.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> e = np.array([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0], [0.1, 1.0]])
    >>> round(float(ul.ntxent(e, np.array([0, 0, 1, 1]), temperature=1.0)), 4)
    0.5978
    """
    xp, (x, labels), out = _core.prepare_named(
        {"embeddings": embeddings, "labels": labels}, xp=xp, reduction=reduction, labels=("labels",)
    )
    temperature = _core.check_number(temperature, "temperature", low=0, low_open=True)
    _check_embeddings(x, labels)
    eps = float(xp.finfo(x.dtype).eps)
    # cosine similarities: the products of the raw rows, then scaled by both inverse norms
    r = 1 / xp.sqrt(xp.maximum(xp.sum(x * x, axis=-1, keepdims=True), eps))
    s = xp.matmul(x, xp.permute_dims(x, (1, 0))) * (r / temperature) * xp.permute_dims(r, (1, 0))
    same, diagonal = _same_label(xp, labels), _diagonal(xp, labels)
    positive = same & ~diagonal
    negatives = _core.logsumexp(xp, xp.where(same, _core.LOG_ZERO, s), axis=-1, keepdims=True)
    # -log(e^s / (e^s + e^n)) = softplus(n - s): no cancellation, and no (N, N) copy of n
    pair = _core.softplus(xp, negatives - s)
    count = xp.sum(xp.astype(positive, s.dtype))
    loss = _core.safe_divide(xp, xp.sum(xp.where(positive, pair, 0)), count)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def _normalize(xp: ModuleType, x: Array) -> Array:
    """torch's ``F.normalize``: ``x / max(||x||_2, 1e-12)`` over the last axis, the floor taken
    on the squared norm (``1e-24``), so a zero row has a finite gradient (no ``sqrt'(0)``)."""
    return x / xp.sqrt(xp.maximum(xp.sum(x * x, axis=-1, keepdims=True), 1e-24))


def info_nce(
    query: Array,
    positive_key: Array,
    negative_keys: Array | None = None,
    *,
    temperature: float = 0.1,
    negative_mode: str = "unpaired",
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """InfoNCE: cross-entropy of each query against its positive key among negatives.

    Rows are L2-normalized (torch's ``F.normalize``, ``eps=1e-12``) and similarities divided by
    ``temperature``; query ``i``'s loss is ``logsumexp_j(s_ij) - s_ii``, the cross-entropy with
    the positive as target:

    - no ``negative_keys``: in-batch negatives, ``s = q k^T`` over all positive keys and the
      diagonal as target (the CLIP / MoCo-v3 form);
    - ``negative_mode="unpaired"``: ``negative_keys`` ``(M, D)`` are negatives of every query;
    - ``negative_mode="paired"``: ``negative_keys`` ``(N, M, D)``, query ``i``'s own negatives.

    One value per query. Native counterpart: the ``info-nce-pytorch`` package, ``info_nce(query,
    positive_key, negative_keys, temperature, negative_mode)`` / ``InfoNCE`` with the same
    options (these semantics; its ``reduction="none"`` is ours too); torch, Keras and Optax have
    no InfoNCE (``optax.losses.ntxent`` is the labelled, symmetric variant: :func:`ntxent`).

    Parameters
    ----------
    query : array
        ``(N, D)``; gradients flow to it.
    positive_key : array
        ``(N, D)``, row ``i`` the positive of query ``i``.
    negative_keys : array, optional
        ``(M, D)`` (unpaired) or ``(N, M, D)`` (paired).
    temperature : float
        > 0.
    negative_mode : {"unpaired", "paired"}
        How ``negative_keys`` are shared; ignored without them.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per query.
    sample_weight : array or float, optional
        Broadcastable to the per-query loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    A. van den Oord, Y. Li, O. Vinyals, "Representation Learning with Contrastive Predictive
    Coding", 2018.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> q = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> ul.info_nce(q, q, temperature=1.0, reduction="none").round(4)
    array([0.3133, 0.3133])
    """
    xp, (q, k, neg), out = _core.prepare_named(
        {"query": query, "positive_key": positive_key, "negative_keys": negative_keys},
        xp=xp,
        reduction=reduction,
    )
    temperature = _core.check_number(temperature, "temperature", low=0, low_open=True)
    if negative_mode not in ("unpaired", "paired"):
        raise ValueError(f"negative_mode must be 'unpaired' or 'paired', got {negative_mode!r}")
    if q.ndim != 2:
        raise ValueError(f"query must have shape (batch, features), got {_core.shape_of(q)}")
    _core.check_same_shape(q, k, "query", "positive_key")
    q, k = _normalize(xp, q), _normalize(xp, k)
    if neg is None:
        logits = xp.matmul(q, xp.permute_dims(k, (1, 0))) / temperature
        target = xp.sum(q * k, axis=-1) / temperature
        loss = _core.logsumexp(xp, logits, axis=-1) - target
    else:
        want = 2 if negative_mode == "unpaired" else 3
        sn, sq = _core.shape_of(neg), _core.shape_of(q)
        lead_ok = want == 2 or sn[0] is None or sq[0] is None or sn[0] == sq[0]
        if len(sn) != want or not lead_ok or (None not in (sn[-1], sq[-1]) and sn[-1] != sq[-1]):
            expected = "(M, D)" if want == 2 else "(N, M, D)"
            raise ValueError(
                f"negative_keys must have shape {expected} for negative_mode={negative_mode!r} "
                f"with query {sq}, got {sn}"
            )
        neg = _normalize(xp, neg)
        target = xp.sum(q * k, axis=-1) / temperature
        if negative_mode == "unpaired":
            others = xp.matmul(q, xp.permute_dims(neg, (1, 0))) / temperature
        else:
            others = xp.sum(xp.expand_dims(q, axis=1) * neg, axis=-1) / temperature
        # -log(e^t / (e^t + sum e^n)) = softplus(logsumexp(n) - t)
        loss = _core.softplus(xp, _core.logsumexp(xp, others, axis=-1) - target)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def circle(
    embeddings: Array,
    labels: Array,
    *,
    gamma: float = 80.0,
    margin: float = 0.4,
    remove_diagonal: bool = True,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Circle loss (Sun et al.) over the batch, one value per anchor, in Keras 3's form.

    With cosine distances ``d_ij = max(1 - <e_i, e_j>, 0)`` (the embeddings are expected to be
    L2-normalized; they are not normalized here, as in Keras), ``m = margin``, positives ``P(i)``
    (equal labels; ``j != i`` when ``remove_diagonal``) and negatives ``N(i)``:

    .. math::
        \\ell_i = \\operatorname{softplus}\\Big(
        \\log \\sum_{j \\in P(i)} e^{-\\gamma\\, a^p_{ij} (m - d_{ij})}
        + \\log \\sum_{j \\in N(i)} e^{\\gamma\\, a^n_{ij} (1 - m - d_{ij})}\\Big)

    with ``a^p = max(m + d, 0)`` and ``a^n = max(1 + m - d, 0)``. An anchor without positives or
    without negatives has loss 0 (its log-sum is empty).

    Native counterpart: ``keras.losses.circle`` / ``keras.losses.Circle`` (Keras takes
    ``(y_true, y_pred)``; we take the embeddings first). One difference in the reduction: Keras'
    ``Circle`` class masks the zero losses, so its mean divides by the number of anchors with a
    positive loss; our ``"mean"`` divides by the batch size, as for every loss (Keras' value is our
    ``"sum"`` divided by that count). Keras' ``ref_labels``/``ref_embeddings`` (a separate
    reference set) are not supported. torch and Optax have none.

    Parameters
    ----------
    embeddings : array
        ``(N, D)``, L2-normalized; gradients flow to it.
    labels : array
        ``(N,)`` integer class labels.
    gamma : float
        Scale, > 0.
    margin : float
        Relaxation margin ``m``.
    remove_diagonal : bool
        Exclude each anchor's self-similarity from its positives.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per anchor.
    sample_weight : array or float, optional
        Broadcastable to the per-anchor loss.
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    Y. Sun et al., "Circle Loss: A Unified Perspective of Pair Similarity Optimization",
    CVPR 2020.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> e = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [0.6, 0.8]])
    >>> ul.circle(e, np.array([0, 0, 1, 1]), gamma=1.0, reduction="none").round(4)
    array([1.0435, 1.382 , 1.0435, 1.382 ])
    """
    xp, (x, labels), out = _core.prepare_named(
        {"embeddings": embeddings, "labels": labels}, xp=xp, reduction=reduction, labels=("labels",)
    )
    gamma = _core.check_number(gamma, "gamma", low=0, low_open=True)
    margin = _core.check_number(margin, "margin")
    remove_diagonal = _core.check_bool(remove_diagonal, "remove_diagonal")
    _check_embeddings(x, labels)
    d = xp.maximum(1 - xp.matmul(x, xp.permute_dims(x, (1, 0))), 0)
    same, diagonal = _same_label(xp, labels), _diagonal(xp, labels)
    positive = same & ~diagonal if remove_diagonal else same
    pos = -gamma * xp.maximum(margin + d, 0) * (margin - d)
    neg = gamma * xp.maximum(1 + margin - d, 0) * ((1 - margin) - d)
    p_lse = _core.logsumexp(xp, xp.where(positive, pos, _core.LOG_ZERO), axis=-1)
    n_lse = _core.logsumexp(xp, xp.where(same, _core.LOG_ZERO, neg), axis=-1)
    loss = _core.softplus(xp, p_lse + n_lse)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def barlow_twins(
    z1: Array,
    z2: Array,
    *,
    lambd: float = 5e-3,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Barlow Twins redundancy reduction between two views' embeddings.

    Each feature is standardized over the batch, ``(z - mean) / (std + 1e-6)`` with the unbiased
    standard deviation; ``C = z1n^T z2n / N`` is the ``(D, D)`` cross-correlation and

    .. math::
        \\ell = \\sum_i (1 - C_{ii})^2 + \\lambda \\sum_{i \\neq j} C_{ij}^2

    A batch level loss: a 0-d value for every ``reduction``. MONAI refuses batches of fewer than
    two samples; here the standardized embeddings of such a batch are 0 (no spread), so ``C = 0``
    and the loss is ``D``, finite (also for an empty batch).

    Native counterpart: MONAI ``BarlowTwinsLoss(lambd)`` (these semantics). torch, Keras and
    Optax have none.

    Parameters
    ----------
    z1, z2 : array
        ``(N, D)`` embeddings of two views of the same samples; gradients flow to ``z1``.
    lambd : float
        Weight of the off-diagonal (redundancy) terms, >= 0.
    reduction : {"mean", "sum", "none"}
        Every reduction gives the batch's 0-d value.
    sample_weight : float or 0-d array, optional
        Scales the value (``"mean"`` divides it out again).
    xp : namespace, optional
        The array namespace, if the caller already has it.

    References
    ----------
    J. Zbontar, L. Jing, I. Misra, Y. LeCun, S. Deny, "Barlow Twins: Self-Supervised Learning via
    Redundancy Reduction", ICML 2021.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> z = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 5.0]])
    >>> round(float(ul.barlow_twins(z, z, lambd=0.0)), 4)
    0.2222
    """
    xp, (a, b), out = _core.prepare_named({"z1": z1, "z2": z2}, xp=xp, reduction=reduction)
    lambd = _core.check_number(lambd, "lambd", low=0)
    if a.ndim != 2:
        raise ValueError(f"z1 must have shape (batch, features), got {_core.shape_of(a)}")
    _core.check_same_shape(a, b, "z1", "z2")
    n = a.shape[0]
    if not isinstance(n, int):  # an unknown batch size: count the rows
        n = xp.sum(xp.ones_like(a), axis=0, keepdims=True)
    a, b = _standardize(xp, a, n), _standardize(xp, b, n)
    c = xp.matmul(xp.permute_dims(a, (1, 0)), b) / _at_least_one(xp, n)
    loss = xp.sum(xp.where(_diagonal(xp, c[0, :]), (c - 1) ** 2, lambd * c * c))
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def _at_least_one(xp: ModuleType, n: Any) -> Any:
    return max(n, 1) if isinstance(n, int) else xp.maximum(n, 1)


def _standardize(xp: ModuleType, z: Array, n: Any) -> Array:
    """``(z - mean) / (std + 1e-6)`` over the batch axis, unbiased std; 0 for fewer than 2 rows.
    ``n``: the batch size, an int or a ``(1, D)`` array of it."""
    centered = z - xp.sum(z, axis=0, keepdims=True) / _at_least_one(xp, n)
    var = xp.sum(centered * centered, axis=0, keepdims=True) / _at_least_one(xp, n - 1)
    spread = var > 0
    std = xp.where(spread, xp.sqrt(xp.where(spread, var, 1)), 0)  # double where: sqrt'(0)
    return centered / (std + 1e-6)
