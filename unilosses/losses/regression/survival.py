"""Survival analysis: the negative partial log-likelihood of the Cox proportional hazards model.

The subjects are sorted by time (the library's sort: libraries without a cheap sort along an
axis, such as Dask, get a :class:`TypeError`). Tied times are handled exactly: each subject's
risk set is found from the sorted times' tie groups (their first and last positions), never
from its place within a group.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ... import _core

Array = Any

__all__ = ["cox_ph"]

TIES = ("efron", "breslow")


def _groups(xp: ModuleType, t: Array) -> tuple[Array, Array]:
    """For times ``t`` sorted in decreasing order: each position's first and last position of
    its tie group (the positions of equal times)."""
    new = xp.concat([t[:1] == t[:1], t[1:] != t[:-1]])  # a tie group starts here
    last = xp.ones((1,), dtype=xp.bool, device=_core.device(t))  # (position N closes the last)
    # the group starts in increasing order (a stable sort puts the flagged positions first)
    starts = _core.argsort_descending(xp, xp.astype(xp.concat([new, last]), t.dtype), 0)
    group = xp.cumulative_sum(xp.astype(new, starts.dtype)) - 1
    begin = _core.take_along_axis(xp, starts, group, 0)
    return begin, _core.take_along_axis(xp, starts, group + 1, 0) - 1


def cox_ph(
    log_risk: Array,
    time: Array,
    event: Array,
    *,
    ties: str = "efron",
    reduction: str = "mean",
    sample_weight: Array | None = None,
    xp: ModuleType | None = None,
) -> Array:
    """Negative Cox partial log-likelihood of the log-risks ``eta`` (one per subject).

    For each subject ``i`` with an event at time ``t_i``, with the risk set
    ``R_i = {j: t_j >= t_i}`` (every subject still at risk at ``t_i``, those with a tied time
    included):

    .. math::
        \\ell_i = \\log \\Big( \\sum_{j \\in R_i} e^{\\eta_j}
        - \\frac{r_i}{d_i} \\sum_{j \\in D_i} e^{\\eta_j} \\Big) - \\eta_i

    where ``D_i`` holds the ``d_i`` subjects with an event at ``t_i`` and ``r_i`` is ``i``'s rank
    among them (``0 .. d_i - 1``, in input order) with ``ties="efron"`` (Efron 1977), and
    ``r_i = 0`` with ``ties="breslow"`` (Breslow 1974). Without tied event times both are Cox's
    partial likelihood. Censored subjects (``event = 0``) have ``ell_i = 0`` but belong to the
    risk sets of earlier events. ``reduction="none"`` returns ``ell`` (one value per subject, in
    input order); ``"mean"`` divides the sum by the number of events (the weighted number with
    ``sample_weight``, which multiplies each subject's term), 0 when there is none; ``"sum"`` is
    the negative partial log-likelihood.

    The sums are taken after subtracting the largest log-risk; the sum over a risk set whose
    log-risks all lie more than ~87 (float32; ~708 in float64) below it is taken as the smallest
    normal number (it underflows), which keeps the loss finite.

    Native counterparts: ``torchsurv.loss.cox.neg_partial_log_likelihood(log_hz, event, time,
    ties_method=ties, reduction="sum")`` (its ``reduction="mean"`` averages over the events
    where no event times are tied, and over the distinct event times where some are: it equals
    this mean without tied event times); ``lifelines.CoxPHFitter`` maximizes the Efron partial
    log-likelihood (its ``log_likelihood_`` is minus this ``"sum"`` at the fitted log-risks
    ``X @ params_``). torch, Keras and Optax have none.

    Parameters
    ----------
    log_risk : array
        Log relative hazards ``eta``, shape ``(N,)`` (a model's output squeezed to one value per
        subject); gradients flow to them.
    time : array
        Event or censoring times, shape ``(N,)``, compared in ``log_risk``'s compute dtype
        (float32 holds integers exactly up to ``2**24``).
    event : array
        1 where the subject's event happened at ``time``, 0 where it was censored (booleans
        accepted); shape ``(N,)``.
    ties : {"efron", "breslow"}
        How tied event times share a risk set.
    reduction : {"mean", "sum", "none"}
    sample_weight : array or float, optional
        One weight per subject, multiplying its term (the risk sets stay unweighted).
    xp : namespace, optional

    References
    ----------
    Cox, "Regression models and life-tables", JRSS B 34 (1972). Breslow, "Covariance analysis
    of censored survival data", Biometrics 30 (1974). Efron, "The efficiency of Cox's likelihood
    function for censored data", JASA 72 (1977).

    Examples
    --------
    Three subjects, events at times 1 and 3, censoring at 2: the first event's risk set holds all
    three, the second only itself (its term is 0).

    >>> import numpy as np, unilosses as ul
    >>> eta = np.array([0.0, 0.0, 0.0])
    >>> ul.cox_ph(eta, np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 1.0]), reduction="none")
    array([1.09861229, 0.        , 0.        ])
    """
    if ties not in TIES:
        raise ValueError(f"ties must be one of {TIES}, got {ties!r}")
    xp, (eta, t, e), out = _core.prepare_named(
        {"log_risk": log_risk, "time": time, "event": event}, xp=xp, reduction=reduction
    )
    if eta.ndim != 1:
        raise ValueError(
            f"log_risk must have shape (N,): one value per subject, got {_core.shape_of(eta)}"
        )
    _core.check_same_shape(eta, t, "log_risk", "time")
    _core.check_same_shape(eta, e, "log_risk", "event")
    _core.check_nonnegative(e, "event")
    if eta.shape[0] == 0:  # no subject, no event (and no slice of an empty axis below)
        return _core.reduce(xp, eta, reduction, sample_weight, out, weight=e)
    try:
        order = _core.argsort_descending(xp, t, 0)  # latest first; ties in input order
    except TypeError as err:
        raise TypeError(f"cox_ph sorts the subjects by time: {err}") from err
    t, eta_s, e_s = (_core.take_along_axis(xp, a, order, 0) for a in (t, eta, e))
    begin, end = _groups(xp, t)
    top = _core.max_along(xp, eta_s, 0, keepdims=True)
    top = xp.where(xp.isfinite(top), top, 0)
    w = xp.exp(eta_s - top)
    at_risk = _core.take_along_axis(xp, xp.cumulative_sum(w), end, 0)  # sum over t_j >= t_i
    if ties == "efron":
        def tied(v: Array) -> tuple[Array, Array]:
            """Cumulative sums of ``v`` before each position, and the sum over its tie group."""
            before = xp.cumulative_sum(v) - v
            after = _core.take_along_axis(xp, before + v, end, 0)
            return before, after - _core.take_along_axis(xp, before, begin, 0)

        _, tied_risk = tied(e_s * w)
        events_before, tied_events = tied(e_s)
        rank = events_before - _core.take_along_axis(xp, events_before, begin, 0)
        at_risk = at_risk - _core.safe_divide(xp, rank, tied_events) * tied_risk
    tiny = float(xp.finfo(w.dtype).smallest_normal)  # (an underflowed risk set's floor)
    loss = e_s * (xp.log(xp.maximum(at_risk, tiny)) + top - eta_s)
    if reduction == "none" or sample_weight is not None:  # back to input order
        inverse = _core.argsort_descending(xp, -order, 0)
        loss, e_s = _core.take_along_axis(xp, loss, inverse, 0), e
    return _core.reduce(xp, loss, reduction, sample_weight, out, weight=e_s)
