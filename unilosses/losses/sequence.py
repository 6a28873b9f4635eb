"""Sequence losses: connectionist temporal classification."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from .. import _core
from .._core import LOG_ZERO, Array

__all__ = ["ctc"]


def ctc(
    log_probs: Array,
    labels: Array,
    input_lengths: Array,
    label_lengths: Array,
    *,
    blank: int = 0,
    zero_infinity: bool = False,
    batch_first: bool = False,
    reduction: str = "mean",
    sample_weight: Any = None,
    xp: ModuleType | None = None,
) -> Array:
    r"""Connectionist temporal classification (CTC) loss: ``-log p(labels | log_probs)``.

    For each sample :math:`n` the label sequence :math:`l` (length :math:`S_n`) is extended with
    blanks, :math:`l' = (b, l_1, b, l_2, \dots, l_{S_n}, b)` of length :math:`2S_n + 1`, and the
    forward variables run over the first :math:`T_n` time steps in log space,

    .. math::

        \alpha_t(s) = \log y_t(l'_s) + \operatorname{logsumexp}\big(\alpha_{t-1}(s),\,
        \alpha_{t-1}(s-1),\, \alpha_{t-1}(s-2)\ [l'_s \ne b,\ l'_s \ne l'_{s-2}]\big),

    from :math:`\alpha_{-1}(0) = 0` (all other positions :math:`\log 0`). The loss is
    :math:`-\operatorname{logaddexp}(\alpha_{T_n-1}(2S_n), \alpha_{T_n-1}(2S_n - 1))`, where
    :math:`\log y = \operatorname{log\_softmax}(\text{log\_probs})` along the class axis.

    Parameters
    ----------
    log_probs : array, shape (T, N, C)
        Log-probabilities per time step, sample and class (blank included), as
        torch's ``F.ctc_loss`` takes them; ``(N, T, C)`` with ``batch_first=True`` (the
        layout of Optax and Keras). ``T`` must be a static size: the recursion is a Python loop
        over the time steps (one small fused step each). Logits are accepted too: the loss
        normalizes with ``log_softmax`` first, which leaves log-probabilities unchanged (see Notes).
    labels : integer array, shape (N, S)
        Padded label sequences; entries past ``label_lengths`` are ignored (any value).
    input_lengths : integer array, shape (N,)
        Time steps used per sample, in ``[0, T]``.
    label_lengths : integer array, shape (N,)
        Labels used per sample, in ``[0, S]``.
    blank : int
        The blank class, in ``[0, C)``; labels must not use it.
    zero_infinity : bool
        Infeasible samples (a label sequence that needs more time steps than ``input_lengths``
        gives: ``S_n`` plus one per repeated neighbour) lose ``+inf`` by default; with ``True``
        they lose 0 and have zero gradient (torch's option).
    batch_first : bool
        ``log_probs`` is ``(N, T, C)`` instead of torch's ``(T, N, C)``.
    reduction : {"mean", "sum", "none"}
        ``"none"``: one loss per sample, shape (N,). ``"sum"``: their sum. ``"mean"``: as torch,
        each loss divided by its label length (at least 1), then averaged over the batch.
    sample_weight : array or float, optional
        Per-sample weights; ``"mean"`` is then ``sum(w * loss / max(S_n, 1)) / sum(w)``.
    xp : namespace, optional
        The array namespace; found from the arrays when omitted.

    Returns
    -------
    array
        The reduced loss (0-d) or the per-sample losses, in ``log_probs``' dtype.

    Notes
    -----
    Native counterparts: torch's ``F.ctc_loss(log_probs, targets, input_lengths,
    target_lengths, blank, reduction, zero_infinity)`` with padded 2-D targets (the concatenated
    1-D form is not accepted); ``optax.ctc_loss(logits, logit_paddings, labels, label_paddings,
    blank_id)`` with ``batch_first=True``, paddings ``t >= input_lengths`` and ``j >=
    label_lengths`` and ``reduction="none"``; ``keras.ops.ctc_loss(labels, logits,
    label_lengths, input_lengths, mask_index=blank)`` likewise (``keras.losses.CTC`` uses every
    time step and counts non-zero labels).

    Where they differ, and what we chose:

    - *Normalization.* torch takes log-probabilities and uses them as given, but its gradient is
      that of the loss of ``log_softmax(log_probs)``: it adds ``exp(log_probs)`` at the used time
      steps to the partial derivatives. Optax and Keras take logits and apply ``log_softmax``. We
      apply ``log_softmax`` too: values equal torch's for log-probabilities (where it is the
      identity) and Optax's/Keras's for any logits, and the gradient equals torch's.
    - *Infeasible samples.* torch gives ``+inf`` (or 0 with ``zero_infinity``); Optax and Keras
      compute with ``log(0) = -1e5`` and give a large finite number. We follow torch; values and
      gradients are computed with a finite ``log 0`` (``-1e30``), so every gradient is finite: an
      infeasible sample contributes zero gradient with or without ``zero_infinity``.
    - *Mean.* torch divides by the label lengths before averaging (we follow it); Optax and
      Keras return per-sample losses (Keras's ``CTC`` class averages them undivided).
    - *Layout.* torch's ``(T, N, C)`` by default; ``batch_first=True`` for Optax/Keras's.

    Lengths, label values and ``labels != blank`` are checked (``ValueError``) where their values
    may be read (eager arrays on the host); elsewhere an invalid sample's loss is NaN.

    Cost: ``T`` steps of O(N S) work each, after a gather of O(T N S) emissions (a one-hot
    product of O(T N S C) where the library has no gather along an axis). Graph compilers unroll
    the loop, so compile time grows with ``T``.

    References
    ----------
    A. Graves, S. Fernández, F. Gomez, J. Schmidhuber, "Connectionist temporal classification:
    labelling unsegmented sequence data with recurrent neural networks", ICML 2006.

    Examples
    --------
    >>> import numpy as np
    >>> import unilosses as ul
    >>> log_probs = np.log(np.full((3, 1, 2), 0.5))  # T=3, N=1, classes {blank, a}
    >>> labels, lengths = np.array([[1]]), np.array([1])
    >>> p = ul.ctc(log_probs, labels, np.array([3]), lengths, reduction="none")
    >>> np.round(np.exp(-p), 6)  # 6 of the 8 paths collapse to "a"
    array([0.75])
    >>> float(ul.ctc(log_probs, np.array([[1, 1]]), np.array([2]), np.array([2])))  # "a a" needs 3
    inf
    """
    xp, (log_probs, labels, input_lengths, label_lengths), out_dtype = _core.prepare_named(
        {
            "log_probs": log_probs,
            "labels": labels,
            "input_lengths": input_lengths,
            "label_lengths": label_lengths,
        },
        xp=xp,
        reduction=reduction,
        labels=("labels", "input_lengths", "label_lengths"),
    )
    zero_infinity = _core.check_bool(zero_infinity, "zero_infinity")
    if _core.check_bool(batch_first, "batch_first") and log_probs.ndim == 3:
        log_probs = xp.permute_dims(log_probs, (1, 0, 2))
    steps, n, c = _check_shapes(log_probs, labels, input_lengths, label_lengths)
    blank = _core.check_int(blank, "blank")
    if blank < 0 or (c is not None and blank >= c):
        raise ValueError(f"blank must be in [0, {c}) (log_probs' classes), got {blank}")
    invalid = _core.check_sequences(
        xp, labels, label_lengths, input_lengths, time_steps=steps, num_classes=c, blank=blank
    )
    s = labels.shape[1]
    width = 2 * s + 1  # the extended label sequence: blanks around and between the labels
    idx = label_lengths.dtype
    labels = xp.astype(labels, idx)
    input_lengths = xp.astype(input_lengths, idx)
    device = _core.device(log_probs)

    # extended labels (N, 2S + 1); padding becomes blank, so any padding value is harmless
    used = xp.arange(s, dtype=idx, device=device)[None, :] < label_lengths[:, None]
    labels = xp.where(used, labels, blank)
    blank_col = xp.zeros_like(label_lengths)[:, None] + blank
    ext = blank_col
    if s:
        pairs = xp.stack([xp.zeros_like(labels) + blank, labels], axis=2)
        ext = xp.concat([xp.reshape(pairs, (-1 if n is None else n, 2 * s)), ext], axis=1)
    # a label may be reached from two positions back unless it repeats the label there
    back2 = xp.concat([blank_col, blank_col, ext], axis=1)[:, :width]
    skip = (ext != blank) & (ext != back2)

    log_y = _core.log_softmax(xp, log_probs, axis=-1)
    index = xp.zeros((steps, 1, 1), dtype=idx, device=device) + ext[None, ...]
    emit = _core.take_along_axis(xp, log_y, index, axis=2)  # (T, N, 2S + 1)

    # log 0 is a finite LOG_ZERO: exp gives 0 and gradients stay finite (no inf - inf)
    position = xp.arange(width, dtype=idx, device=device)[None, :]
    alpha = xp.where(position == 0, xp.zeros_like(emit[0, ...]), LOG_ZERO)
    pad = alpha[:, :1] * 0 + LOG_ZERO
    for t in range(steps):
        from1 = xp.concat([pad, alpha], axis=1)[:, :width]
        from2 = xp.concat([pad, pad, alpha], axis=1)[:, :width]
        step = _logsumexp3(xp, alpha, from1, xp.where(skip, from2, LOG_ZERO)) + emit[t, ...]
        alpha = xp.where((input_lengths > t)[:, None], step, alpha)

    last = 2 * label_lengths[:, None]
    end = xp.sum(xp.where(position == last, alpha, 0), axis=1)
    before = xp.sum(xp.where(position == last - 1, alpha, 0), axis=1)
    before = xp.where(label_lengths > 0, before, LOG_ZERO)
    log_p = _core.logaddexp(xp, end, before)
    infeasible = log_p < 0.5 * LOG_ZERO
    # a log-likelihood is never above 0 (rounding can put a certain alignment at +1e-8)
    loss = xp.where(infeasible, 0.0 if zero_infinity else float("inf"), -xp.minimum(log_p, 0))
    if reduction == "mean":  # torch: each loss over its label length, then the batch mean
        loss = loss / xp.astype(xp.where(label_lengths > 1, label_lengths, 1), loss.dtype)
    return _core.reduce(xp, loss, reduction, sample_weight, out_dtype, invalid=invalid)


def _logsumexp3(xp: ModuleType, a: Array, b: Array, c: Array) -> Array:
    """log(exp(a) + exp(b) + exp(c)) for finite arrays; the gradient is the exact softmax (the
    max's own derivative cancels), ties included."""
    m = xp.maximum(xp.maximum(a, b), c)
    return m + xp.log(xp.exp(a - m) + xp.exp(b - m) + xp.exp(c - m))


def _check_shapes(
    log_probs: Array, labels: Array, input_lengths: Array, label_lengths: Array
) -> tuple[int, int | None, int | None]:
    """(T, N, C) from static shapes; T and the labels' length S must be known."""
    if log_probs.ndim != 3:
        raise ValueError(
            f"log_probs must have 3 dimensions (T, N, C), got shape {_core.shape_of(log_probs)}"
        )
    steps, n, c = _core.shape_of(log_probs)
    if steps is None:
        raise ValueError("log_probs needs a static number of time steps (the loop runs over them)")
    if labels.ndim != 2 or _core.shape_of(labels)[1] is None:
        raise ValueError(
            f"labels must have shape (N, S) with a static S, got {_core.shape_of(labels)}"
        )
    named = (("labels", labels), ("input_lengths", input_lengths), ("label_lengths", label_lengths))
    for name, a in named:
        if name != "labels" and a.ndim != 1:
            raise ValueError(f"{name} must have shape (N,), got {_core.shape_of(a)}")
        size = _core.shape_of(a)[0]
        if n is not None and size is not None and size != n:
            raise ValueError(f"{name} has {size} samples but log_probs has {n}")
    return steps, n, c
