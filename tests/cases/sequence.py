"""Sequence cases: CTC against a float64 forward recursion, torch, Keras and Optax."""

from __future__ import annotations

from typing import Any

import numpy as np

from tests import natives

from . import Case


def _ctc_np(
    lp: np.ndarray,
    y: np.ndarray,
    il: np.ndarray,
    tl: np.ndarray,
    *,
    blank: int = 0,
    zero_infinity: bool = False,
    batch_first: bool = False,
) -> np.ndarray:
    """-log of the summed probability of every alignment, per sample (Graves et al. 2006, with
    -inf for log 0), over log_softmax(log_probs), as documented."""
    if batch_first:
        lp = np.swapaxes(lp, 0, 1)
    lp = lp - np.log(np.exp(lp).sum(axis=-1, keepdims=True))
    out = np.zeros(lp.shape[1])
    for n in range(lp.shape[1]):
        ext = [blank]
        for k in y[n, : tl[n]]:
            ext += [int(k), blank]
        alpha = np.full(len(ext), -np.inf)
        alpha[0] = 0.0  # before the first frame: at the leading blank with probability 1
        for t in range(il[n]):
            prev = alpha.copy()
            for s in range(len(ext)):
                terms = [prev[s]]
                if s >= 1:
                    terms.append(prev[s - 1])
                if s >= 2 and ext[s] != blank and ext[s] != ext[s - 2]:
                    terms.append(prev[s - 2])
                alpha[s] = np.logaddexp.reduce(terms) + lp[t, n, ext[s]]
        ends = alpha[-2:] if len(ext) > 1 else alpha
        out[n] = -np.logaddexp.reduce(ends)
    return np.where(np.isinf(out), 0.0, out) if zero_infinity else out


def _ctc_mean_np(
    lp: np.ndarray, y: np.ndarray, il: np.ndarray, tl: np.ndarray, **options: Any
) -> np.ndarray:
    """torch's "mean" averages each loss over its label length (at least 1)."""
    return _ctc_np(lp, y, il, tl, **options) / np.maximum(tl, 1)


def _torch(zero_infinity: bool = False) -> Any:
    return lambda lp, y, il, tl: natives.F().ctc_loss(
        lp, y, il, tl, blank=0, reduction="mean", zero_infinity=zero_infinity
    )


def _optax(lp: Any, y: Any, il: Any, tl: Any) -> Any:
    """Optax takes (B, T, K) logits and 0/1 paddings and returns per-sample losses."""
    jnp = natives.jnp()
    t, s = lp.shape[0], y.shape[1]
    logit_pad = (jnp.arange(t)[None, :] >= il[:, None]).astype(lp.dtype)
    label_pad = (jnp.arange(s)[None, :] >= tl[:, None]).astype(lp.dtype)
    logits = jnp.swapaxes(lp, 0, 1)
    per = natives.optax().losses.ctc_loss(logits, logit_pad, y, label_pad, blank_id=0)
    return jnp.mean(per / jnp.maximum(tl, 1))


def _keras(lp: Any, y: Any, il: Any, tl: Any) -> Any:
    """Keras takes (B, T, K) logits, labels, label lengths and input lengths."""
    ops = natives.keras().ops
    per = ops.ctc_loss(y, ops.transpose(lp, (1, 0, 2)), tl, il, mask_index=0)
    return ops.mean(per / ops.cast(ops.maximum(tl, 1), per.dtype))


_NAMES = ("log_probs", "labels", "input_lengths", "label_lengths")
_BAD = (
    ({"blank": 5}, ValueError, "blank"),
    ({"blank": -1}, ValueError, "blank"),
    ({"blank": 0.0}, TypeError, "blank"),
    ({"zero_infinity": 1}, TypeError, "zero_infinity"),
    ({"batch_first": "yes"}, TypeError, "batch_first"),
)


def _case(inputs: str, natives_: dict[str, Any], **options: Any) -> Case:
    return Case(
        "ctc", inputs, _ctc_np, options, natives_, bad_options=_BAD, labels=(1,), names=_NAMES,
        same_shape=False, mean_reference=_ctc_mean_np, wrong_shape=lambda y: y[:-1],
        known_sizes="loops over the time steps",
    )


CASES: list[Case] = [
    _case("ctc", {"torch": _torch(), "keras": _keras, "optax": _optax}),
    # Optax and Keras give a large finite loss (log 0 = -1e5) where torch gives inf, or 0 here
    _case("ctc_infeasible", {"torch": _torch(zero_infinity=True)}, zero_infinity=True),
]
