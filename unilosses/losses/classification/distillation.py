"""Knowledge distillation (Hinton, Vinyals & Dean, 2015): a student's logits fitted to a teacher's
softened class distribution, optionally mixed with the cross-entropy of hard labels."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ... import _core

Array = Any

__all__ = ["distillation"]


def distillation(
    student_logits: Array,
    teacher_logits: Array,
    labels: Array | None = None,
    *,
    temperature: float = 2.0,
    alpha: float = 0.5,
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Distillation loss ``T**2 KL(softmax(t / T) || softmax(s / T))`` per sample, plus
    ``alpha`` times the cross-entropy of ``labels`` when they are given.

    ``s`` and ``t`` are the student's and the teacher's logits (last axis), ``T`` the
    temperature. The KL divergence of the softened distributions is multiplied by ``T**2``, as
    Hinton et al. recommend, so that its gradient ``T (p_s - p_t)`` keeps its size as ``T``
    changes and the two terms stay comparable. With ``labels`` the loss is
    ``alpha * cross_entropy(s, labels) + (1 - alpha) * T**2 * KL`` (the cross-entropy of the
    student's logits at temperature 1); without them it is the distillation term alone. The
    gradient flows to both logits; detach the teacher's as usual when it is not trained.

    Native counterpart: PyTorch ``F.kl_div(F.log_softmax(s / T, dim=-1), F.softmax(t / T,
    dim=-1), reduction="batchmean") * T**2``, plus the cross-entropy of the labels weighted as
    here: the composition of PyTorch's knowledge-distillation tutorial and of the Keras
    distillation example (Keras' KL divergence of the softened distributions times ``T**2``,
    with the same ``alpha``); neither torch nor Keras has the loss itself. ``"batchmean"``
    divides by the first axis only: for inputs with more than two axes the mean here is over
    every position, as Keras' is.

    Parameters
    ----------
    student_logits : array
        Logits of the model being trained, classes along the last axis.
    teacher_logits : array
        Logits of the teacher, same shape.
    labels : integer array, optional
        Class labels in ``[0, C)``, shape of the logits without the last axis.
    temperature : float > 0
        Softens both distributions (1: none).
    alpha : float in [0, 1]
        Weight of the hard-label cross-entropy (used with ``labels`` only).
    reduction, sample_weight, xp
        As in :func:`unilosses.kl_divergence`; ``"none"`` gives one value per sample.

    References
    ----------
    G. Hinton, O. Vinyals and J. Dean, "Distilling the Knowledge in a Neural Network", 2015,
    https://arxiv.org/abs/1503.02531

    Examples
    --------
    >>> import numpy as np, unilosses as ul
    >>> s, t = np.array([[0.0, np.log(3.0)]]), np.array([[np.log(3.0), 0.0]])
    >>> round(float(ul.distillation(s, t, temperature=1.0)), 6)  # KL(3:1 || 1:3) = log(3) / 2
    0.549306
    >>> round(float(ul.distillation(s, t, np.array([1]), temperature=1.0, alpha=1.0)), 6)
    0.287682
    """
    temp = _core.check_number(temperature, "temperature", low=0.0, low_open=True)
    a = _core.check_number(alpha, "alpha", low=0.0, high=1.0)
    xp, (s, t, y), out = _core.prepare_named(
        {"student_logits": student_logits, "teacher_logits": teacher_logits, "labels": labels},
        xp=xp, reduction=reduction, labels=("labels",),
    )
    _core.check_same_shape(s, t, "student_logits", "teacher_logits")
    log_p = _core.log_softmax(xp, s / temp, -1)
    log_q = _core.log_softmax(xp, t / temp, -1)
    loss = xp.sum(xp.exp(log_q) * (log_q - log_p), axis=-1) * (temp * temp)
    if y is None:
        return _core.reduce(xp, loss, reduction, sample_weight, out)
    expected = _core.shape_of(s)[:-1]
    if not _core.shapes_match(_core.shape_of(y), expected):
        raise ValueError(
            f"labels must hold one class label per sample, shape {expected} for logits of shape "
            f"{_core.shape_of(s)}; got {_core.shape_of(y)}"
        )
    invalid = _core.check_labels(xp, y, s.shape[-1], None, "labels")
    log_p1 = _core.log_softmax(xp, s, -1) if temp != 1 else log_p
    nll = -xp.squeeze(_core.take_along_axis(xp, log_p1, xp.expand_dims(y, axis=-1), -1), axis=-1)
    loss = a * nll + (1 - a) * loss
    return _core.reduce(xp, loss, reduction, sample_weight, out, invalid=invalid)
