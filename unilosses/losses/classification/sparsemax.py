"""Sparsemax losses (Martins & Astudillo, 2016; Blondel, Martins & Niculae, 2020).

The Fenchel-Young losses of the Gini negentropy: zero exactly when the sparse (binary: sparse
sigmoid, multiclass: sparsemax) prediction equals the target, and with gradient
``prediction - target``. Optax is the only anchor (torch and Keras have none).

The support of the sparsemax projection has two algorithms that give the same result
(:func:`unilosses._core.sparsemax_support`): sorting the scores (the threshold is
``max_k (s_k - 1) / k`` over the sums ``s_k`` of the ``k`` largest scores), or comparing the
classes pairwise (class ``j`` is in the support when ``1 + k_j z_j > sum_{i: z_i >= z_j} z_i``
with ``k_j = #{i: z_i >= z_j}``, the sorted criterion at the last position of ``z_j``'s tie
group), at ``(..., C, C)`` memory and ``O(C**2)`` work per sample.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ... import _core
from .multiclass_margin import _labelled

Array = Any

__all__ = ["multiclass_sparsemax_loss", "sparsemax_loss"]


def sparsemax_loss(
    y_pred: Array,
    y_true: Array,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Binary sparsemax loss ``sparse_plus(-x)`` where ``t = 1`` and ``sparse_plus(x)`` where
    ``t = 0``, elementwise, for logits ``x``.

    ``sparse_plus(u)`` is 0 for ``u <= -1``, ``(u + 1)**2 / 4`` for ``-1 < u < 1`` and ``u``
    for ``u >= 1``; the loss is zero exactly when the sparse sigmoid ``clip((x + 1) / 2, 0, 1)``
    equals the label. Every nonzero target counts as 1 (Optax uses the labels as a condition).

    Native counterpart: ``optax.sparsemax_loss`` (``reduction="none"``; the deprecated
    ``optax.binary_sparsemax_loss`` is the same). torch and Keras have none.

    Parameters
    ----------
    y_pred : array
        Logits.
    y_true : array
        Labels in {0, 1}, same shape.
    reduction, sample_weight, xp
        As in :func:`unilosses.hinge`; ``"none"`` is elementwise.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> x, t = np.array([2.0, 0.0, 3.0, -0.5]), np.array([1.0, 1.0, 0.0, 0.0])
    >>> ul.sparsemax_loss(x, t, reduction="none").tolist()
    [0.0, 0.25, 3.0, 0.0625]
    """
    xp, y_pred, y_true, out = _core.prepare(y_pred, y_true, xp=xp, reduction=reduction)
    u = xp.where(y_true != 0, -y_pred, y_pred)
    # sparse_plus(u): h = (u + 1) / 2 clipped to [0, 1] (finite and 0 for u <= -1), squared
    # below 1, u itself from 1 on (exact there; the clip keeps the unused h*h finite)
    h = xp.clip(0.5 * u + 0.5, 0.0, 1.0)
    loss = xp.where(u >= 1, u, h * h)
    return _core.reduce(xp, loss, reduction, sample_weight, out)


def _sparsemax(xp: ModuleType, z: Array) -> tuple[Array, Array]:
    """The Euclidean projection of ``z`` onto the simplex along the last axis, and its support.

    ``z`` holds finite values or -inf (never in the support); the maximum should be finite.
    The support comes from either algorithm of the module docstring; the threshold is then taken
    from the support's sum, so the gradient flows through neither a sort nor a maximum (exact
    ``1 / |support|`` shares, also at ties).
    """
    support = _core.sparsemax_support(xp, z)
    size = xp.sum(xp.astype(support, z.dtype), axis=-1, keepdims=True)
    tau = (xp.sum(xp.where(support, z, 0), axis=-1, keepdims=True) - 1) / size
    return xp.where(support, z - tau, 0), support


def multiclass_sparsemax_loss(
    y_pred: Array,
    y_true: Array,
    *,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Multiclass sparsemax loss ``<p, z> - z_y + (1 - ||p||^2) / 2`` per sample.

    ``p = sparsemax(z)`` is the Euclidean projection of the scores ``z`` (last axis) onto the
    probability simplex, ``y`` the integer label. The loss is shift invariant and computed from
    ``z - max(z)``; it is zero exactly when ``p`` is the one-hot of ``y``, and its gradient is
    ``p - onehot(y)``. Scores of -inf (masked classes) are never in the support.

    Native counterpart: ``optax.multiclass_sparsemax_loss`` (``reduction="none"``; Optax takes
    2-D ``(N, C)`` scores only, any leading shape works here). torch and Keras have none.

    The projection sorts the scores (``O(C log C)``) or compares the classes pairwise (memory
    ``(..., C, C)``), with the same result (see the module docstring).

    Parameters
    ----------
    y_pred : array
        Scores, classes along the last axis.
    y_true : integer array
        Labels in ``[0, C)``, shape of ``y_pred`` without the last axis.
    reduction, sample_weight, xp
        As in :func:`unilosses.hinge`; ``"none"`` gives one value per sample.

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> z = np.array([[2.0, 0.5, -1.0], [0.3, 0.1, -1.0]])
    >>> ul.multiclass_sparsemax_loss(z, np.array([0, 1]), reduction="none").round(6).tolist()
    [0.0, 0.36]
    """
    xp, y_pred, hot, out, invalid = _labelled(y_pred, y_true, xp, reduction)
    z = y_pred - _core.max_along(xp, y_pred, -1, keepdims=True)
    p, support = _sparsemax(xp, z)
    z_y = xp.sum(xp.where(hot, z, 0), axis=-1)
    zs = xp.where(support, z, 0)  # p * z with -inf scores outside the support kept out
    loss = xp.sum(p * zs, axis=-1) - z_y + (1 - xp.sum(p * p, axis=-1)) / 2
    return _core.reduce(xp, loss, reduction, sample_weight, out, invalid=invalid)
