"""Learning-to-rank losses: pairwise (keras-rs), ListNet, ListMLE, ApproxNDCG and LambdaLoss.

The references are float64 loops over each list's valid items (label >= 0 and ``valid``), written
from keras-rs's source (the pairwise losses and ListMLE: per-item pair sums, ties in index order)
and allRank's (ListNet, ApproxNDCG, LambdaLoss: the items sorted as its code sorts them). The
keras-rs natives run with Keras on the session's framework; allRank is not installed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from tests.cases import Case
from tests.natives import keras, keras_rs, optax

PADDED = ("y_pred", "y_true", "valid")


# --- references -------------------------------------------------------------------------------


def _valid(y: np.ndarray, valid: np.ndarray | None) -> np.ndarray:
    """keras-rs's padding: a negative label, or False in the mask."""
    v = y >= 0
    return v if valid is None else v & (valid != 0)


def _lists(s: np.ndarray, y: np.ndarray, valid: np.ndarray | None) -> Any:
    """Each list's index, valid scores and valid labels (in item order)."""
    v = _valid(y, valid)
    for b in np.ndindex(*s.shape[:-1]):
        yield b, s[b][v[b]], y[b][v[b]]


def _pairwise(phi: Callable[[float], float]) -> Callable[..., np.ndarray]:
    """keras-rs's PairwiseLoss: item i's sum of phi((s_i - s_j) / T) over valid j with y_j < y_i."""

    def ref(s: np.ndarray, y: np.ndarray, valid: np.ndarray | None = None, temperature: float = 1.0) -> np.ndarray:
        v = _valid(y, valid)
        out = np.zeros(s.shape)
        for b in np.ndindex(*s.shape[:-1]):
            for i in np.flatnonzero(v[b]):
                for j in np.flatnonzero(v[b]):
                    if y[b][i] > y[b][j]:
                        out[b][i] += phi((s[b][i] - s[b][j]) / temperature)
        return out

    return ref


def _pairwise_squared(s: np.ndarray, y: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """keras-rs's PairwiseMeanSquaredError: every ordered pair of distinct valid items."""
    v = _valid(y, valid)
    out = np.zeros(s.shape)
    for b in np.ndindex(*s.shape[:-1]):
        for i in np.flatnonzero(v[b]):
            for j in np.flatnonzero(v[b]):
                if i != j:
                    out[b][i] += ((y[b][i] - y[b][j]) - (s[b][i] - s[b][j])) ** 2
    return out


def _listmle(s: np.ndarray, y: np.ndarray, valid: np.ndarray | None = None, temperature: float = 1.0) -> np.ndarray:
    """keras-rs's ListMLELoss: the valid items sorted by label, descending, ties in index order."""
    out = np.zeros(s.shape[:-1])
    for b, sv, yv in _lists(s, y, valid):
        z = sv[np.argsort(-yv, kind="stable")] / temperature
        out[b] = sum(np.logaddexp.reduce(z[k:]) - z[k] for k in range(len(z)))
    return out


def _listnet(s: np.ndarray, y: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """allRank's listNet: -sum softmax(y) log softmax(s) over the valid items (0 without any)."""
    out = np.zeros(s.shape[:-1])
    for b, sv, yv in _lists(s, y, valid):
        if len(sv):
            q = np.exp(yv - np.logaddexp.reduce(yv))
            out[b] = -(q * (sv - np.logaddexp.reduce(sv))).sum()
    return out


def _dcg_discounts(n: int) -> np.ndarray:
    return np.log2(2.0 + np.arange(n))  # positions 1..n: log2(1 + position)


def _ideal_dcg(yv: np.ndarray, k: int | None = None) -> float:
    g = (2.0 ** np.sort(yv)[::-1] - 1) / _dcg_discounts(len(yv))
    return float(g[:k].sum())


def _approx_ndcg(s: np.ndarray, y: np.ndarray, valid: np.ndarray | None = None, temperature: float = 1.0) -> np.ndarray:
    """allRank's approxNDCGLoss (alpha = 1 / temperature), without its 1e-10 floors."""
    out = np.zeros(s.shape[:-1])
    for b, sv, yv in _lists(s, y, valid):
        idcg = _ideal_dcg(yv)
        if idcg == 0:
            continue
        ndcg = 0.0
        for i in range(len(sv)):
            rank = 1 + sum(1 / (1 + math.exp((sv[i] - sv[j]) / temperature)) for j in range(len(sv)) if j != i)
            ndcg += (2.0 ** yv[i] - 1) / idcg / math.log2(1 + rank)
        out[b] = -ndcg
    return out


def _lambda_loss(
    s: np.ndarray,
    y: np.ndarray,
    valid: np.ndarray | None = None,
    scheme: str = "ndcg_loss2_pp",
    top_k: int | None = None,
    sigma: float = 1.0,
    mu: float = 10.0,
) -> np.ndarray:
    """allRank's lambdaLoss with reduction="sum" per list and reduction_log="binary", without its
    1e-10 floors: the valid items sorted by score (descending, ties in index order), pairs of
    positions (i, j) with t_i > t_j, both below k."""
    out = np.zeros(s.shape[:-1])
    for b, sv, yv in _lists(s, y, valid):
        n = len(sv)
        order = np.argsort(-sv, kind="stable")
        ps, t = sv[order], yv[order]
        idcg = _ideal_dcg(yv, top_k)
        g = (2.0**t - 1) / idcg if idcg > 0 else np.zeros(n)
        d = _dcg_discounts(n)
        k = n if top_k is None else top_k
        total = 0.0
        for i in range(min(n, k)):
            for j in range(min(n, k)):
                if t[i] <= t[j]:
                    continue
                delta = abs(i - j)
                loss2 = abs(1 / math.log2(1 + delta) - 1 / math.log2(2 + delta)) * abs(g[i] - g[j])
                rank = abs(1 / d[i] - 1 / d[j]) * abs(g[i] - g[j])
                w = {"ndcg_loss2": loss2, "lambda_rank": rank, "ndcg_loss2_pp": mu * loss2 + rank}[scheme]
                total += w * np.logaddexp(0.0, -sigma * (ps[i] - ps[j])) / math.log(2)
        out[b] = total
    return out


_hinge = _pairwise(lambda z: max(0.0, 1 - z))
_logistic = _pairwise(lambda z: math.log1p(math.exp(-z)))
_soft_zero_one = _pairwise(lambda z: 1 / (1 + math.exp(z)))


# --- natives ----------------------------------------------------------------------------------


def _keras_rs(name: str, **options: Any) -> Callable[..., Any]:
    """``keras_rs.losses.<name>(**options)(y_true, y_pred)``; a mask goes in ``y_true`` as a dict.
    Masked items' scores are replaced by 0 first: keras-rs multiplies their pair terms by 0, and
    the -inf of the example inputs would make those terms NaN."""

    def native(s: Any, y: Any, valid: Any = None) -> Any:
        loss = getattr(keras_rs().losses, name)(**options)
        if valid is None:
            return loss(y, s)
        ops = keras().ops
        mask = ops.cast(valid, "bool")
        return loss({"labels": y, "mask": mask}, ops.where(mask, s, 0.0))

    return native


def _listnet_optax(s: Any, y: Any, valid: Any = None) -> Any:
    """Optax's ranking softmax loss with the labels' softmax (over the valid items) as its
    labels, averaged over every list (``reduce_fn=None``: Optax's mean skips empty lists)."""
    import jax

    jnp = jax.numpy
    m = (y >= 0) if valid is None else (y >= 0) & (valid != 0)
    q = jnp.where(m, jax.nn.softmax(jnp.where(m, y, -jnp.inf), where=m), 0.0)
    return optax().losses.ranking_softmax_loss(jnp.where(m, s, 0.0), q, where=m, reduce_fn=None).mean()


BAD_VALID = ({"valid": np.ones((2, 2), bool)}, ValueError, "valid")
BAD_TEMPERATURE = ({"temperature": 0.0}, ValueError, "temperature")


def _padded(loss: str, ref: Callable[..., np.ndarray], options: dict[str, Any] | None = None, native: str = "", **fields: Any) -> Case:
    """A row on lists with both kinds of padding (negative labels and the ``valid`` mask)."""
    options = options or {}
    natives = {"keras_rs": _keras_rs(native, **options)} if native else fields.pop("natives", {})
    return Case(loss, "ranking_padded", ref, options, natives=natives, names=PADDED, shift_invariant=True, **fields)


# one row per code path: ``valid`` absent and given (the pairwise losses share one helper, so
# the hinge's rows cover both for the three), each scheme of lambda_loss and its truncation
CASES = [
    Case("pairwise_hinge", "ranking", _hinge, natives={"keras_rs": _keras_rs("PairwiseHingeLoss")}, bad_options=(BAD_VALID, BAD_TEMPERATURE), shift_invariant=True),
    _padded("pairwise_hinge", _hinge, {"temperature": 0.5}, "PairwiseHingeLoss"),
    _padded("pairwise_logistic", _logistic, {"temperature": 0.5}, "PairwiseLogisticLoss", bad_options=(BAD_TEMPERATURE,)),
    _padded("pairwise_soft_zero_one", _soft_zero_one, {"temperature": 0.5}, "PairwiseSoftZeroOneLoss", bad_options=(BAD_TEMPERATURE,)),
    _padded("pairwise_squared", _pairwise_squared, native="PairwiseMeanSquaredError"),
    _padded("listmle", _listmle, {"temperature": 2.0}, "ListMLELoss", bad_options=(BAD_TEMPERATURE,)),
    _padded("listnet", _listnet, natives={"optax": _listnet_optax}),
    _padded("approx_ndcg", _approx_ndcg, {"temperature": 0.5}, bad_options=(BAD_TEMPERATURE,), nonnegative=False),
    _padded("lambda_loss", _lambda_loss),
    Case(
        "lambda_loss",
        "ranking",
        _lambda_loss,
        {"scheme": "ndcg_loss2", "top_k": 3},
        bad_options=(
            ({"scheme": "ndcgLoss2PP_scheme"}, ValueError, "scheme"),
            ({"top_k": 0}, ValueError, "top_k"),
            ({"top_k": 2.5}, TypeError, "top_k"),
            ({"sigma": 0.0}, ValueError, "sigma"),
            ({"mu": -1.0}, ValueError, "mu"),
            BAD_VALID,
        ),
        shift_invariant=True,
    ),
    _padded("lambda_loss", _lambda_loss, {"scheme": "lambda_rank", "sigma": 2.0}),
]
