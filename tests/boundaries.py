"""Boundary inputs per input kind: the table ``BOUNDARIES`` that tests/test_boundaries.py (finite
gradients) and tests/test_edges.py (finite values on every backend) go through.

Each input kind of ``unilosses._examples.INPUTS`` has an entry: named makers of inputs at the edge
of the loss's domain for that kind (probabilities of exactly 0 and 1, one-hot predictions, zero
vectors, identical predictions and targets, tied and saturated scores), each taking the kind's
example arrays (float64/int64 NumPy, ``n = N`` rows, ``c = C`` classes) and returning new ones, or
the reason the kind has none beyond its example.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Arrays = tuple[np.ndarray, ...]
Boundary = Callable[[Arrays], Arrays]
N, C = 4, 5  # small inputs (rows 0..3 take the row patterns below); c as the class weights of the table
SAT = 1e4  # a logit that saturates sigmoid and softmax in float32 and float64


# --- boundary makers (NumPy float64 in, NumPy out) ---------------------------------------------


def _exact_0_1(a: Arrays) -> Arrays:
    """Every third probability 0, the next one 1; targets as in the example."""
    p = a[0].copy()
    p.flat[::3], p.flat[1::3] = 0.0, 1.0
    return p, *a[1:]


def _perfect_probs(a: Arrays) -> Arrays:
    """The prediction equals the binary target (0 and 1 exactly; sample 0 all 0)."""
    t = a[1].copy()
    t[:1] = 0.0
    return t.copy(), t, *a[2:]


def _onehot_on_off(y: np.ndarray, c: int, axis: int = -1) -> np.ndarray:
    """One-hot rows (along ``axis``): on the label in even samples, on another class in odd ones."""
    odd = (np.arange(y.shape[0]) % 2 == 1).reshape((-1,) + (1,) * (y.ndim - 1))
    hot = np.eye(c)[np.where(odd, (y + 1) % c, y)]
    return np.moveaxis(hot, -1, axis)


def _onehot_pred_categorical(a: Arrays) -> Arrays:
    return _onehot_on_off(a[1].argmax(-1), a[1].shape[-1]), *a[1:]


def _onehot_pred_sparse(a: Arrays) -> Arrays:
    return _onehot_on_off(a[1], a[0].shape[-1]), *a[1:]


def _saturated(a: Arrays) -> Arrays:
    """Logits scaled to +-1e4 (masked -inf entries stay)."""
    x = a[0]
    return np.where(np.isfinite(x), np.clip(x * SAT, -SAT, SAT), x), *a[1:]


def _zero_scores(a: Arrays) -> Arrays:
    """All scores 0: every class tied (masked -inf entries stay)."""
    return np.where(np.isfinite(a[0]), 0.0, a[0]), *a[1:]


def _perfect_logits(a: Arrays) -> Arrays:
    """Logits +-1e4 on the right side of a binary (or one-hot) target."""
    return np.where(a[1] > 0.5, SAT, -SAT), *a[1:]


def _perfect_label_logits(a: Arrays) -> Arrays:
    """Channel-first logits +1e4 on each pixel's label, -1e4 elsewhere (void pixels: class 0)."""
    x, y = a[0], a[1]
    hot = np.moveaxis(np.eye(x.shape[1])[np.where((y >= 0) & (y < x.shape[1]), y, 0)], -1, 1)
    return np.where(hot == 1, SAT, -SAT), *a[1:]


def _at_margin(a: Arrays) -> Arrays:
    """Scores on the hinge's kink: ``x = t`` for targets in {-1, 1} (or {0, 1} mapped to them)."""
    t = a[1]
    return np.where(t > 0, 1.0, -1.0), *a[1:]


def _onehot_distributions(a: Arrays) -> Arrays:
    """One-hot prediction and target: equal in even samples (0 against 0), disjoint in odd ones
    (0 against 1)."""
    c = a[0].shape[-1]
    labels = np.arange(a[0][..., 0].size).reshape(a[0].shape[:-1]) % c
    return _onehot_on_off(labels, c), np.eye(c)[labels]


def _log_onehot(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(x)


def _identical_onehot_log_log(a: Arrays) -> Arrays:
    t = np.eye(a[0].shape[-1])[np.arange(a[0].shape[0]) % a[0].shape[-1]]
    return _log_onehot(t), _log_onehot(t)


def _identical_onehot_log_pred(a: Arrays) -> Arrays:
    t = np.eye(a[0].shape[-1])[np.arange(a[0].shape[0]) % a[0].shape[-1]]
    return _log_onehot(t), t


def _identical_onehot_log_target(a: Arrays) -> Arrays:
    t = np.eye(a[0].shape[-1])[np.arange(a[0].shape[0]) % a[0].shape[-1]]
    return t, _log_onehot(t)


def _certain_target_log(a: Arrays) -> Arrays:
    """The target a log one-hot (-inf off its class); the prediction as in the example."""
    t = np.eye(a[0].shape[-1])[np.arange(a[0].shape[0]) % a[0].shape[-1]]
    return a[0], _log_onehot(t)


def _certain_log_probs(axis: int) -> Boundary:
    """Log-probabilities 0 on each label and -inf elsewhere (ignored labels: class 0)."""

    def make(a: Arrays) -> Arrays:
        x, y = a[0], a[1]
        c = x.shape[axis]
        hot = np.moveaxis(np.eye(c)[np.where((y >= 0) & (y < c), y, 0)], -1, axis)
        return _log_onehot(hot), *a[1:]

    return make


def _identical(a: Arrays) -> Arrays:
    """Prediction equal to the target, with every fourth entry 0 in both."""
    x = a[1].copy()
    x.flat[::4] = 0.0
    return x.copy(), x, *a[2:]


def _zero_target(a: Arrays) -> Arrays:
    return a[0], np.zeros_like(a[1]), *a[2:]


def _zero_prediction(a: Arrays) -> Arrays:
    return np.zeros_like(a[0]), *a[1:]


def _rate_at_count(a: Arrays) -> Arrays:
    """The rate equal to each positive count; zero counts keep the example's rate."""
    return np.where(a[1] > 0, a[1], a[0]), a[1]


def _zero_variance(a: Arrays) -> Arrays:
    """Variance 0 with the prediction on the target in even samples, off it in odd ones."""
    odd = (np.arange(a[0].shape[0]) % 2 == 1)[:, None]
    return np.where(odd, a[0], a[1]), a[1], np.zeros_like(a[2])


def zero_rows(a: Arrays) -> Arrays:
    """Row 0 of the first embedding argument, row 1 of the second, row 2 of both (and of every
    further one) all zero."""
    out = [x.copy() for x in a]
    floats = [i for i, x in enumerate(a) if x.dtype.kind == "f" and x.ndim >= 2]
    for k, i in enumerate(floats):
        out[i][[2, k] if k < 2 else [2]] = 0.0
    return tuple(out)


def _all_zero_embeddings(a: Arrays) -> Arrays:
    return tuple(np.zeros_like(x) if x.dtype.kind == "f" and x.ndim >= 2 else x for x in a)


def _identical_embeddings(a: Arrays) -> Arrays:
    """Every argument of the first one's shape equal to it."""
    return tuple(a[0].copy() if x.shape == a[0].shape else x for x in a)


def _same_rows(a: Arrays) -> Arrays:
    """Every row of the embeddings equal to row 0."""
    return np.broadcast_to(a[0][:1], a[0].shape).copy(), *a[1:]


def coincident_triplets(a: Arrays) -> Arrays:
    """Row 0: anchor = positive; row 1: anchor = negative; row 2: positive = negative; row 3: all
    three equal."""
    anc, pos, neg = (x.copy() for x in a)
    pos[0], neg[1], neg[2], pos[3], neg[3] = anc[0], anc[1], pos[2], anc[3], anc[3]
    return anc, pos, neg


def _on_class_rows(sign: float) -> Boundary:
    """Class vectors the unit axes (class ``j``: axis ``j``; the last class, beyond the axes,
    ``-axis 0``) and each embedding twice its class's vector (``sign`` 1: cosine exactly 1 with
    it, an angle of 0) or twice its opposite (``sign`` -1: cosine -1, an angle of pi)."""

    def make(a: Arrays) -> Arrays:
        x, y, w = a
        axes = np.eye(w.shape[0], x.shape[1])
        axes[x.shape[1] :, 0] = -1.0
        return 2 * sign * axes[y], y, axes

    return make


def _equal_counts(a: Arrays) -> Arrays:
    """Every class with the same number of samples (every margin the largest)."""
    return *a[:-1], np.full_like(a[-1], 7)


def _saturated_teacher(a: Arrays) -> Arrays:
    """The teacher's logits scaled to +-1e4: its softened distribution all but one-hot."""
    return a[0], np.clip(a[1] * SAT, -SAT, SAT), *a[2:]


def _equal_scores(a: Arrays) -> Arrays:
    return a[0], a[0].copy(), *a[2:]


def _no_relevance(a: Arrays) -> Arrays:
    return a[0], np.zeros_like(a[1]), *a[2:]


def _all_padding(a: Arrays) -> Arrays:
    """Every label negative: every item of every list is padding."""
    return a[0], np.full_like(a[1], -1.0), *a[2:]


def _equal_relevance(a: Arrays) -> Arrays:
    """Every label that is not padding equal to 2: no pair of items has different labels."""
    return a[0], np.where(a[1] >= 0, 2.0, a[1]), *a[2:]


def _confident_ctc(a: Arrays) -> Arrays:
    """Log-probabilities of saturated logits: 0 on one class per step, about -2e4 elsewhere."""
    x = np.clip(a[0] * SAT, -SAT, SAT)
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True)), *a[1:]


def _uniform_ctc(a: Arrays) -> Arrays:
    """Every class equally likely: log(1/c) everywhere (every path tied)."""
    return np.full_like(a[0], -np.log(a[0].shape[-1])), *a[1:]


# input kind -> named boundaries, or the reason there is none beyond the example
_LOGITS = {"saturated": _saturated, "tied": _zero_scores}
_SEGMENT_LABELS = {**_LOGITS, "perfect": _perfect_label_logits}
_SPARSE_PROBS = {"onehot": _onehot_pred_sparse}
_EMBEDDINGS = {"zero_rows": zero_rows, "all_zero": _all_zero_embeddings, "identical": _identical_embeddings}
_RANKING = {"tied": _zero_scores, "no_relevance": _no_relevance}
_DISTILLATION = {**_LOGITS, "identical": _identical_embeddings, "saturated_teacher": _saturated_teacher}
_PADDED_RANKING = {**_RANKING, "all_padding": _all_padding, "equal_relevance": _equal_relevance}
BOUNDARIES: dict[str, dict[str, Boundary] | str] = {
    "regression": {"identical": _identical, "zero_target": _zero_target},
    "binary_probs": {"exact_0_1": _exact_0_1, "perfect": _perfect_probs},
    "binary_logits": {**_LOGITS, "perfect": _perfect_logits, "at_margin": _at_margin},
    "categorical_probs": {"onehot": _onehot_pred_categorical},
    "categorical_logits": _LOGITS,
    "sparse_probs": _SPARSE_PROBS,
    "sparse_logits": _LOGITS,
    "sparse_logits_ignore": _LOGITS,
    "sparse_logits_channels_first": _LOGITS,
    "sparse_log_probs": {"certain": _certain_log_probs(-1)},
    "sparse_log_probs_channels_first": {"certain": _certain_log_probs(1)},
    "sparse_logits_masked": _LOGITS,
    "sparse_log_probs_masked": {"certain": _certain_log_probs(-1)},
    "categorical_logits_masked": _LOGITS,
    "distributions": {"onehot": _onehot_distributions},
    "distributions_3d": {"onehot": _onehot_distributions},
    "masks": {"exact_0_1": _exact_0_1, "perfect": _perfect_probs},
    "signed": {"at_margin": _at_margin, "zero": _zero_prediction},
    "mask_logits": {**_LOGITS, "perfect": _perfect_logits},
    "mask_logits_one_channel": {**_LOGITS, "perfect": _perfect_logits},
    "masks_empty": {"exact_0_1": _exact_0_1, "perfect": _perfect_probs},
    "segmentation_logits": {**_LOGITS, "perfect": _perfect_logits},
    "segmentation_labels": _SEGMENT_LABELS,
    "segmentation_labels_void": _SEGMENT_LABELS,
    "images": {"identical": _identical, "zero_target": _zero_target, "zero_prediction": _zero_prediction},
    "volumes": {"identical": _identical, "zero_target": _zero_target, "zero_prediction": _zero_prediction},
    "vessel_masks": {"exact_0_1": _exact_0_1, "perfect": _perfect_probs},
    "saturated_logits": {"tied": _zero_scores},
    "onehot_logits": {"at_margin": _perfect_probs, "tied": _zero_scores},
    "signed_distances": {"zero": _zero_prediction, "at_margin": lambda a: (np.ones_like(a[0]), *a[1:])},
    "multilabel_indices": {"tied": _zero_scores},
    "sparse_logits_counts": {**_LOGITS, "equal_counts": _equal_counts},
    "teacher_logits": _DISTILLATION,
    "teacher_logits_labels": _DISTILLATION,
    "ctc": {"confident": _confident_ctc, "uniform": _uniform_ctc},
    "ctc_infeasible": (
        "the example is the boundary: the infeasible sample's loss is +inf by definition (0 with "
        "zero_infinity); tests/test_ctc.py checks its gradient"
    ),
    "positive_regression": {"identical": _identical, "zero_target": _zero_target},
    # rates stay positive: a zero rate is outside Tweedie's domain (+inf there)
    "counts": {"rate_at_count": _rate_at_count, "zero_counts": _zero_target},
    "log_counts": {"zero_counts": _zero_target, "zero_log_rate": _zero_prediction},
    "gaussian": {"zero_variance": _zero_variance},
    "gaussian_per_sample": {"zero_variance": _zero_variance},
    "gaussian_per_sample_2d": {"zero_variance": _zero_variance},
    "vectors": {"zero_rows": zero_rows, "identical": _identical_embeddings},
    "log_distributions": {"identical_onehot": _identical_onehot_log_log, "certain_target": _certain_target_log},
    "log_prediction_distributions": {"identical_onehot": _identical_onehot_log_pred},
    "log_target_distributions": {"identical_onehot": _identical_onehot_log_target},
    "embedding_pairs": _EMBEDDINGS,
    "score_pairs": {"equal": _equal_scores},
    "contrastive_pairs": _EMBEDDINGS,
    "triplets": {"coincident": coincident_triplets, "all_zero": _all_zero_embeddings},
    "labeled_embeddings": {"zero_rows": zero_rows, "same_rows": _same_rows},
    "labeled_groups": {"zero_rows": zero_rows, "same_rows": _same_rows},
    "class_embeddings": {
        "zero_rows": zero_rows,
        "all_zero": _all_zero_embeddings,
        "on_class": _on_class_rows(1.0),
        "opposite_class": _on_class_rows(-1.0),
    },
    "views": _EMBEDDINGS,
    "views_negatives": {"zero_rows": zero_rows, "all_zero": _all_zero_embeddings},
    "views_paired_negatives": {"zero_rows": zero_rows, "all_zero": _all_zero_embeddings},
    "ranking": _RANKING,
    "ranking_masked": _RANKING,
    "ranking_masked_weighted": _RANKING,
    "ranking_padded": _PADDED_RANKING,
}


# --- forecasting, survival and point clouds


def _zero_sigma(a: Arrays) -> Arrays:
    """Standard deviations 0 (a point forecast): the observation on the mean in even samples,
    off it in odd ones."""
    mu, sigma, y = a
    odd = (np.arange(mu.shape[0]) % 2 == 1)[:, None]
    return mu, np.zeros_like(sigma), np.where(odd, y, mu)


def _at_mean(a: Arrays) -> Arrays:
    return a[0], a[1], a[0].copy()


def _members(axis: int) -> dict[str, Boundary]:
    """Ensembles (members along ``axis``): every member equal to the first (all pairs tied), or
    every member equal to the observation."""

    def tied(a: Arrays) -> Arrays:
        first = np.take(a[0], [0], axis=axis)
        return np.broadcast_to(first, a[0].shape).copy(), a[1]

    def at_observation(a: Arrays) -> Arrays:
        return np.broadcast_to(np.expand_dims(a[1], axis), a[0].shape).copy(), a[1]

    return {"tied": tied, "at_observation": at_observation}


def _all_tied(a: Arrays) -> Arrays:
    """Every subject's time equal: one risk set, every event tied with every other."""
    return a[0], np.ones_like(a[1]), a[2]


def _no_events(a: Arrays) -> Arrays:
    return a[0], a[1], np.zeros_like(a[2])


def _equal_risks(a: Arrays) -> Arrays:
    """Every log-risk 0 (the largest one tied across all subjects)."""
    return np.zeros_like(a[0]), *a[1:]


def _coincident_points(a: Arrays) -> Arrays:
    """Every point of ``y`` on a point of ``x`` (zero cross distances)."""
    x, y = a[0], a[1].copy()
    y[...] = x[:, : y.shape[1]]
    return x, y, *a[2:]


def _collapsed_points(a: Arrays) -> Arrays:
    """Each cloud's points all at one place, the same for ``x`` and ``y`` (every distance 0)."""
    x, y = a[0], a[1]
    at = x[:, :1]
    return np.broadcast_to(at, x.shape).copy(), np.broadcast_to(at, y.shape).copy(), *a[2:]


def _zero_weights(a: Arrays) -> Arrays:
    """The first point of each cloud without mass (the others renormalized)."""
    out = list(a)
    for i in (2, 3):
        w = a[i].copy()
        w[:, 0] = 0.0
        out[i] = w / w.sum(axis=-1, keepdims=True)
    return tuple(out)


_POINTS = {"coincident": _coincident_points, "collapsed": _collapsed_points}
BOUNDARIES.update(
    {
        "gaussian_forecast": {"zero_sigma": _zero_sigma, "at_mean": _at_mean},
        "ensemble": _members(-1),
        "ensemble_members_first": _members(0),
        "survival": {"all_tied": _all_tied, "no_events": _no_events, "equal_risks": _equal_risks},
        "point_clouds": _POINTS,
        "weighted_point_clouds": {**_POINTS, "zero_weights": _zero_weights},
    }
)
# --- forecasting, survival and point clouds (end)


def boundary_cases(cases: list[Any], table: dict[str, Any] | None = None) -> list[Any]:
    """``pytest.param(case, name, make)`` for one case per loss and input kind (the one with the
    fewest options: the floors and clamps are the loss's code path for that kind) and every
    entry of that kind in ``table`` (``BOUNDARIES`` by default; a kind missing from it has none
    here, and tests/test_boundaries.py fails on it)."""
    import pytest

    table = BOUNDARIES if table is None else table
    one = {(c.loss, c.inputs): c for c in sorted(cases, key=lambda c: -len(c.options))}
    return [
        pytest.param(case, name, make, id=f"{case.id}-{name}")
        for case in one.values()
        if isinstance(table.get(case.inputs), dict)
        for name, make in table[case.inputs].items()
    ]


# --- close inputs ------------------------------------------------------------------------------
# Inputs 1e-3 apart, where the loss is well-conditioned but a distance taken from a Gram matrix
# (``|a|^2 + |b|^2 - 2 <a, b>``) or a sine from ``sqrt(1 - cos^2)`` keeps only ``sqrt(eps)`` of
# the working precision: float32 must still agree with the float64 reference (the table that
# tests/test_boundaries.py's ``test_close_inputs_in_float32`` goes through).

CLOSE_STEP = 1e-3


def _nudged(x: np.ndarray) -> np.ndarray:
    """``x`` moved by ``CLOSE_STEP`` of each row's norm, in a direction that is not along it."""
    step = np.roll(x, 1, axis=-1) - x
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x + CLOSE_STEP * norms * step / np.maximum(np.linalg.norm(step, axis=-1, keepdims=True), 1e-300)


def _close_rows(a: Arrays) -> Arrays:
    """Rows 1 and 3 of the embeddings ``CLOSE_STEP`` from rows 0 and 2."""
    x = a[0].copy()
    x[[1, 3]] = _nudged(x[[0, 2]])
    return x, *a[1:]


def _near_class(a: Arrays) -> Arrays:
    """Each embedding about ``CLOSE_STEP`` radians from its class vector."""
    _, y, w = a
    return _nudged(w[y]), y, w


def _close_triplets(a: Arrays) -> Arrays:
    """Positives ``CLOSE_STEP`` from their anchors, negatives from their positives."""
    pos = _nudged(a[0])
    return a[0], pos, _nudged(pos)


def _close_points(a: Arrays) -> Arrays:
    """The second cloud's first points ``CLOSE_STEP`` from the first cloud's."""
    x, y, *rest = a
    k = min(x.shape[-2], y.shape[-2])
    y = y.copy()
    y[..., :k, :] = _nudged(x[..., :k, :])
    return x, y, *rest


CLOSE: dict[str, dict[str, Boundary]] = {
    "labeled_embeddings": {"close_rows": _close_rows},
    "labeled_groups": {"close_rows": _close_rows},
    "class_embeddings": {"near_class": _near_class},
    "triplets": {"close": _close_triplets},
    "point_clouds": {"close_points": _close_points},
    "weighted_point_clouds": {"close_points": _close_points},
}
