"""Example inputs for every loss: one table shared by the report, the benchmarks and the tests.

``INPUTS`` maps an input kind to a generator ``(rng, n, c) -> tuple of NumPy arrays`` (float64
floats, int64 labels) in the loss's argument order. ``EXAMPLES`` maps every public loss to its
input kind and the options of its default example. A new loss adds one line to ``EXAMPLES``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Arrays = tuple[np.ndarray, ...]


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return np.asarray(e / e.sum(axis=axis, keepdims=True))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-x)))


def _labels(rng: np.random.Generator, n: int, c: int) -> np.ndarray:
    return rng.integers(0, c, size=n).astype(np.int64)


def _masks_empty(r: np.random.Generator, n: int, c: int) -> Arrays:
    """Probability masks (N, c, c), edge cases first: sample 0 has an empty target and an empty
    prediction, sample 1 an empty target, sample 2 an empty prediction."""
    p = _sigmoid(2 * r.normal(size=(n, c, c)))
    t = r.integers(0, 2, size=(n, c, c)).astype(np.float64)
    p[:1], t[:1], t[1:2], p[2:3] = 0.0, 0.0, 0.0, 0.0  # slices: n may be 0 or 1
    return p, t


def _mask_logits(r: np.random.Generator, n: int, c: int) -> Arrays:
    """Logits and binary masks (N, c, c); sample 0 has an empty target, sample 1 a full one."""
    t = r.integers(0, 2, size=(n, c, c)).astype(np.float64)
    t[:1], t[1:2] = 0.0, 1.0  # slices: n may be 0
    return 2 * r.normal(size=(n, c, c)), t


def _void_labels(r: np.random.Generator, n: int, c: int) -> Arrays:
    """Channel-first logits (N, c, 3, 4) and labels (N, 3, 4) where about one pixel in four, and
    every pixel of sample 0, is the void label 255."""
    y = r.integers(0, c, size=(n, 3, 4))
    y = np.where(r.uniform(size=y.shape) < 0.25, 255, y)
    y[:1] = 255  # a slice: n may be 0
    return 2 * r.normal(size=(n, c, 3, 4)), y.astype(np.int64)


def _spread(score: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Values evenly spaced over ``[lo, hi]`` in the order of ``score`` within each image
    ``score[i]`` (the soft skeleton compares pixels of one image only): 144 pixels over [0.01,
    0.99] are 0.0068 apart, so minima and maxima have no near ties, in bfloat16 either (its
    spacing is 0.0039 below 1), and finite differences see the gradient autodiff gives."""
    flat = score.reshape(len(score), -1 if len(score) else 0)
    ranks = np.argsort(np.argsort(flat, axis=1), axis=1)
    return (lo + (hi - lo) * ranks / max(flat.shape[1] - 1, 1)).reshape(score.shape)


def _vessel_masks(r: np.random.Generator, n: int, c: int) -> Arrays:
    """Probabilities and binary masks (n, 1, 12, 12) of tubular structures: a horizontal band 2
    pixels high and a vertical one 3 pixels wide at random places; sample 0 has an empty target.
    The probabilities rise with a noisy score of the target, spread by ``_spread`` over
    [0.01, 0.99]."""
    t = np.zeros((n, 1, 12, 12))
    for i in range(1, n):
        row, col = r.integers(1, 9, size=2)
        t[i, 0, row : row + 2, :] = t[i, 0, :, col : col + 3] = 1.0
    return _spread(3 * t + r.normal(size=t.shape), 0.01, 0.99), t


def _images(r: np.random.Generator, n: int, shape: tuple[int, ...]) -> Arrays:
    """Channel-first images of shape ``(n, *shape)``: a target of uniform noise and a prediction
    0.6 parts the target and 0.4 parts other noise, both spread by ``_spread`` over [0.01, 0.99]
    (no near ties for the soft skeleton)."""
    t = _spread(r.uniform(size=(n, *shape)), 0.01, 0.99)
    return _spread(0.6 * t + 0.4 * r.uniform(size=t.shape), 0.01, 0.99), t


def _saturated_logits(r: np.random.Generator, n: int, c: int) -> Arrays:
    """Logits (n, c) and one-hot targets. Even samples are saturated on the right side (the target
    logit 1e4, the others -1e4: 1 - p_t underflows to 0); odd ones are moderate but for one wrong
    class at 50, where sigmoid/softmax round to 1 in float32 and float64."""
    labels = _labels(r, n, c)
    t = np.eye(c)[labels]
    even = (np.arange(n) % 2 == 0)[:, None]
    x = np.where(even, np.where(t == 1, 1e4, -1e4), 2 * r.normal(size=(n, c)))
    wrong = np.eye(c)[(labels + 1) % c] == 1
    return np.where(~even & wrong, 50.0, x), t


def _log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    z = x - (x.max(axis=axis, keepdims=True) if x.size else 0.0)
    return np.asarray(z - np.log(np.exp(z).sum(axis=axis, keepdims=True)))


def _sparse_logits_masked(r: np.random.Generator, n: int, c: int) -> Arrays:
    """Logits (n, c) and labels; even samples have a masked class (logit -inf) that is not the
    label."""
    y = _labels(r, n, c)
    even = (np.arange(n) % 2 == 0)[:, None]
    return np.where(even & (np.eye(c)[(y + 1) % c] == 1), -np.inf, 2 * r.normal(size=(n, c))), y


def _sparse_log_probs_masked(r: np.random.Generator, n: int, c: int) -> Arrays:
    """Log-probabilities (n, c) with -inf on a class other than the label in even samples, and
    labels where every third sample is -100 (torch's ignore_index) with class 0 at -inf."""
    x, y = _sparse_logits_masked(r, n, c)
    ignored = np.arange(n) % 3 == 1
    x = np.where(ignored[:, None] & (np.arange(c) == 0), -np.inf, x)
    return _log_softmax(x), np.where(ignored, -100, y)


def _categorical_logits_masked(r: np.random.Generator, n: int, c: int) -> Arrays:
    """Logits (n, c) and soft targets; in even samples one class is masked: logit -inf, target 0."""
    x, t = 2 * r.normal(size=(n, c)), _softmax(r.normal(size=(n, c)))
    masked = ((np.arange(n) % 2 == 0)[:, None]) & (np.eye(c)[r.integers(0, c, size=n)] == 1)
    t = np.where(masked, 0.0, t)
    return np.where(masked, -np.inf, x), t / t.sum(axis=-1, keepdims=True)


def _ctc(r: np.random.Generator, n: int, c: int, infeasible: bool = False) -> Arrays:
    """CTC inputs as torch takes them: log-probabilities (T, n, c) = log_softmax of random logits
    (T = 12; class 0 is the blank), labels (n, S) in [1, c) padded with the blank (S = 5), input
    lengths (n,) and label lengths (n,), both varied. Sample 0 has the full length S and repeats
    a label ("a a": a blank must separate them); sample 2 has no labels; every input is long
    enough, except with ``infeasible``: sample 1 then has S labels and only S - 1 time steps."""
    steps, s = 12, 5
    x = 2 * r.normal(size=(steps, n, c))
    log_probs = x - np.log(np.exp(x).sum(axis=-1, keepdims=True))
    labels = r.integers(1, max(c, 2), size=(n, s))
    labels[:1, 1] = labels[:1, 0]
    label_lengths = r.integers(1, s + 1, size=n)
    label_lengths[:1], label_lengths[2:3] = s, 0  # slices: n may be 0
    labels = np.where(np.arange(s) < label_lengths[:, None], labels, 0)
    inside = np.arange(1, s) < label_lengths[:, None]
    repeats = ((labels[:, 1:] == labels[:, :-1]) & inside).sum(axis=1)
    needed = label_lengths + repeats  # every repeat needs a blank in between
    input_lengths = r.integers(needed, steps + 1)
    if infeasible:
        label_lengths[1:2] = s
        labels[1:2] = r.integers(1, max(c, 2), size=(min(n, 2) - min(n, 1), s))
        input_lengths[1:2] = s - 1
    lengths = input_lengths.astype(np.int64), label_lengths.astype(np.int64)
    return log_probs, labels.astype(np.int64), *lengths


def _multilabel_indices(r: np.random.Generator, n: int, c: int) -> Arrays:
    """Scores (n, c) and torch's multilabel targets (n, c): each sample's distinct target classes
    first, then -1, then labels that must be ignored. Sample 0 has no target (a -1 first),
    sample 1 has every class (no -1)."""
    y = np.full((n, c), -1, dtype=np.int64)
    for i in range(n):
        k = 0 if i == 0 else c if i == 1 else int(r.integers(1, c))
        y[i, :k] = r.permutation(c)[:k]
        y[i, k + 1 :] = r.integers(0, c, size=max(c - k - 1, 0))
    return 2 * r.normal(size=(n, c)), y


INPUTS: dict[str, Callable[[np.random.Generator, int, int], Arrays]] = {
    "regression": lambda r, n, c: (r.normal(size=(n, c)), r.normal(size=(n, c))),
    "binary_probs": lambda r, n, c: (
        r.uniform(0.02, 0.98, size=(n, c)),
        r.integers(0, 2, size=(n, c)).astype(np.float64),
    ),
    "binary_logits": lambda r, n, c: (
        2 * r.normal(size=(n, c)),
        r.integers(0, 2, size=(n, c)).astype(np.float64),
    ),
    "categorical_probs": lambda r, n, c: (
        _softmax(r.normal(size=(n, c))),
        np.eye(c)[_labels(r, n, c)],
    ),
    "categorical_logits": lambda r, n, c: (
        2 * r.normal(size=(n, c)),
        _softmax(r.normal(size=(n, c))),
    ),
    "sparse_probs": lambda r, n, c: (_softmax(r.normal(size=(n, c))), _labels(r, n, c)),
    "sparse_logits": lambda r, n, c: (2 * r.normal(size=(n, c)), _labels(r, n, c)),
    # a third of the labels are torch's default ignore_index, -100
    "sparse_logits_ignore": lambda r, n, c: (
        2 * r.normal(size=(n, c)),
        np.where(np.arange(n) % 3 == 1, -100, _labels(r, n, c)),
    ),
    # channels-first (N, C, L) logits with (N, L) labels, as torch's cross_entropy takes them
    "sparse_logits_channels_first": lambda r, n, c: (
        2 * r.normal(size=(n, c, 3)),
        r.integers(0, c, size=(n, 3)).astype(np.int64),
    ),
    # log-probabilities (n, c) with integer labels, every third torch's ignore_index -100
    "sparse_log_probs": lambda r, n, c: (
        _log_softmax(2 * r.normal(size=(n, c))),
        np.where(np.arange(n) % 3 == 1, -100, _labels(r, n, c)),
    ),
    # channels-first log-probabilities (N, C, 3) with (N, 3) labels, a few of them -100
    "sparse_log_probs_channels_first": lambda r, n, c: (
        _log_softmax(2 * r.normal(size=(n, c, 3)), axis=1),
        np.where(r.uniform(size=(n, 3)) < 0.25, -100, r.integers(0, c, size=(n, 3))),
    ),
    # masked classes (-inf logits or log-probabilities, zero targets), never the target
    "sparse_logits_masked": _sparse_logits_masked,
    "sparse_log_probs_masked": _sparse_log_probs_masked,
    "categorical_logits_masked": _categorical_logits_masked,
    "distributions": lambda r, n, c: (
        _softmax(r.normal(size=(n, c))),
        _softmax(r.normal(size=(n, c))),
    ),
    # distributions along the last axis of (n, 3, c) arrays: a leading axis besides the batch
    "distributions_3d": lambda r, n, c: (
        _softmax(r.normal(size=(n, 3, c))),
        _softmax(r.normal(size=(n, 3, c))),
    ),
    "masks": lambda r, n, c: (
        _sigmoid(2 * r.normal(size=(n, c, c))),
        r.integers(0, 2, size=(n, c, c)).astype(np.float64),
    ),
    "signed": lambda r, n, c: (
        r.normal(size=(n, c)),
        2 * r.integers(0, 2, size=(n, c)).astype(np.float64) - 1,
    ),
    # segmentation: logits and binary masks (N, c, c), an empty and a full target first
    "mask_logits": _mask_logits,
    # the same with one channel, channel-first: (N, 1, c, c)
    "mask_logits_one_channel": lambda r, n, c: tuple(a[:, None] for a in _mask_logits(r, n, c)),
    # segmentation edge cases: empty targets and/or predictions (probabilities, (N, c, c))
    "masks_empty": _masks_empty,
    # segmentation, channel-first (N, C, 3, 4) logits with one-hot targets; the last class never
    # occurs (an empty class in every sample)
    "segmentation_logits": lambda r, n, c: (
        2 * r.normal(size=(n, c, 3, 4)),
        np.moveaxis(np.eye(c)[r.integers(0, c - 1, size=(n, 3, 4))], -1, 1),
    ),
    # segmentation, channel-first (N, C, 3, 4) logits with integer labels (N, 3, 4)
    "segmentation_labels": lambda r, n, c: (
        2 * r.normal(size=(n, c, 3, 4)),
        r.integers(0, c, size=(n, 3, 4)).astype(np.int64),
    ),
    # the same with the void label 255 on some pixels and on all of sample 0
    "segmentation_labels_void": _void_labels,
    # structure: channel-first images (N, 2, 12, 14) and volumes (N, 1, 5, 6, 7) in [0, 1]
    "images": lambda r, n, c: _images(r, n, (2, 12, 14)),
    "volumes": lambda r, n, c: _images(r, n, (1, 5, 6, 7)),
    # structure: probabilities and binary masks (N, 1, 12, 12) of tubular structures
    "vessel_masks": _vessel_masks,
    # focal losses: saturated logits (|x| = 1e4 on the right side, 50 on a wrong one), one-hot
    # targets; finite values and gradients where (1 - p_t)**gamma has none for gamma < 1
    "saturated_logits": _saturated_logits,
    # margin losses: scores with one-hot targets (Keras' categorical hinge)
    "onehot_logits": lambda r, n, c: (2 * r.normal(size=(n, c)), np.eye(c)[_labels(r, n, c)]),
    # margin losses: non-negative distances with targets in {-1, 1} (torch's hinge embedding)
    "signed_distances": lambda r, n, c: (
        r.uniform(0.0, 2.0, size=(n, c)),
        2 * r.integers(0, 2, size=(n, c)).astype(np.float64) - 1,
    ),
    # torch's multilabel margin: target classes first, then -1 (and ignored labels after it)
    "multilabel_indices": _multilabel_indices,
    # LDAM: logits (n, c), labels and the training samples per class (c,), long-tailed
    "sparse_logits_counts": lambda r, n, c: (
        2 * r.normal(size=(n, c)),
        _labels(r, n, c),
        np.sort(r.integers(1, 1000, size=c))[::-1].copy(),
    ),
    # distillation: student and teacher logits (n, c) / and labels (n,)
    "teacher_logits": lambda r, n, c: (2 * r.normal(size=(n, c)), 2 * r.normal(size=(n, c))),
    "teacher_logits_labels": lambda r, n, c: (
        2 * r.normal(size=(n, c)),
        2 * r.normal(size=(n, c)),
        _labels(r, n, c),
    ),
    # CTC: log-probabilities (12, N, c), padded labels (N, 5), input and label lengths
    "ctc": _ctc,
    # the same with sample 1 infeasible (5 labels, 4 time steps): +inf, or 0 with zero_infinity
    "ctc_infeasible": lambda r, n, c: _ctc(r, n, c, infeasible=True),
    # likelihood regression: positive predictions and targets
    "positive_regression": lambda r, n, c: (
        r.uniform(0.1, 3.0, size=(n, c)),
        r.uniform(0.1, 3.0, size=(n, c)),
    ),
    # Poisson: positive rates and counts (0, 1 and above: Stirling's term applies to counts > 1)
    "counts": lambda r, n, c: (r.uniform(0.2, 4.0, size=(n, c)), r.poisson(2.0, size=(n, c)) * 1.0),
    # Poisson with log-rates
    "log_counts": lambda r, n, c: (0.5 * r.normal(size=(n, c)), r.poisson(2.0, size=(n, c)) * 1.0),
    # Gaussian NLL: means, samples and variances of the same shape
    "gaussian": lambda r, n, c: (
        r.normal(size=(n, c)),
        r.normal(size=(n, c)),
        r.uniform(0.2, 2.0, size=(n, c)),
    ),
    # Gaussian NLL, one variance per sample: shape (n,) (torch unsqueezes it) and (n, 1)
    "gaussian_per_sample": lambda r, n, c: (
        r.normal(size=(n, c)),
        r.normal(size=(n, c)),
        r.uniform(0.2, 2.0, size=(n,)),
    ),
    "gaussian_per_sample_2d": lambda r, n, c: (
        r.normal(size=(n, c)),
        r.normal(size=(n, c)),
        r.uniform(0.2, 2.0, size=(n, 1)),
    ),
    # cosine similarity: vectors along the last axis
    "vectors": lambda r, n, c: (r.normal(size=(n, c)), r.normal(size=(n, c))),
    # divergences in log space: log-probabilities for the prediction, the target or both
    "log_distributions": lambda r, n, c: tuple(
        np.log(_softmax(r.normal(size=(n, c)))) for _ in range(2)
    ),
    "log_prediction_distributions": lambda r, n, c: (
        np.log(_softmax(r.normal(size=(n, c)))),
        _softmax(r.normal(size=(n, c))),
    ),
    "log_target_distributions": lambda r, n, c: (
        _softmax(r.normal(size=(n, c))),
        np.log(_softmax(r.normal(size=(n, c)))),
    ),
}


# --- embedding inputs


def _unit_rows(x: np.ndarray) -> np.ndarray:
    return np.asarray(x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12))


def _group_labels(r: np.random.Generator, n: int) -> np.ndarray:
    """Labels of n rows in groups of two (shuffled): every row but an odd last one has a
    positive."""
    return r.permutation(np.arange(n) // 2).astype(np.int64)


def _labeled_embeddings(r: np.random.Generator, n: int, c: int) -> Arrays:
    """Embeddings (n, c) of norms in [0.8, 0.95] (near-unit, away from the cosine-distance kink
    at 0) and integer labels in pairs."""
    x = _unit_rows(r.normal(size=(n, c))) * r.uniform(0.8, 0.95, size=(n, 1))
    return x, _group_labels(r, n)


def _labeled_groups(r: np.random.Generator, n: int, c: int) -> Arrays:
    """Embeddings as ``_labeled_embeddings`` and labels in groups of 3, 2 and 1 rows (shuffled):
    anchors with several positives, with one, and without any."""
    x = _unit_rows(r.normal(size=(n, c))) * r.uniform(0.8, 0.95, size=(n, 1))
    rows = np.arange(n)
    groups = 3 * (rows // 6) + np.array([0, 0, 0, 1, 1, 2])[rows % 6]
    return x, r.permutation(groups).astype(np.int64)


def _class_embeddings(r: np.random.Generator, n: int, c: int) -> Arrays:
    """Embeddings (n, c), labels in [0, c) and one vector per class, (c + 1, c): class centers
    or proxies of c + 1 classes, the last one without samples in the batch."""
    return r.normal(size=(n, c)), _labels(r, n, c), r.normal(size=(c + 1, c))


def _ranking_masked(r: np.random.Generator, n: int, c: int) -> Arrays:
    """Scores (n, c), graded labels and a validity mask; invalid items have score -inf and list
    0 has no valid item."""
    s, y = r.normal(size=(n, c)), r.integers(0, 4, size=(n, c)).astype(np.float64)
    where = r.uniform(size=(n, c)) < 0.7
    where[:1] = False  # a slice: n may be 0
    return np.where(where, s, -np.inf), y, where


def _ranking_padded(r: np.random.Generator, n: int, c: int) -> Arrays:
    """Scores (n, c), graded labels 0..3 and a validity mask, with both kinds of padding: about
    one label in six is -1, and all of list 0's; about one item in six is False in the mask
    (score -inf), and all of list 2's."""
    y, s = r.integers(0, 4, size=(n, c)).astype(np.float64), r.normal(size=(n, c))
    y = np.where(r.uniform(size=(n, c)) < 1 / 6, -1.0, y)
    valid = r.uniform(size=(n, c)) >= 1 / 6
    y[:1], valid[2:3] = -1.0, False  # slices: n may be 0
    return np.where(valid, s, -np.inf), y, valid


INPUTS.update(
    {
        # cosine embedding: embeddings (n, c) and +-1 targets (n,)
        "embedding_pairs": lambda r, n, c: (
            r.normal(size=(n, c)),
            r.normal(size=(n, c)),
            2 * r.integers(0, 2, size=n).astype(np.float64) - 1,
        ),
        # margin ranking: scores (n,) and +-1 targets
        "score_pairs": lambda r, n, c: (
            r.normal(size=n),
            r.normal(size=n),
            2 * r.integers(0, 2, size=n).astype(np.float64) - 1,
        ),
        # contrastive: embeddings (n, c) at distances near the margin 1, targets 1 (similar) / 0
        "contrastive_pairs": lambda r, n, c: (
            0.3 * r.normal(size=(n, c)),
            0.3 * r.normal(size=(n, c)),
            r.integers(0, 2, size=n).astype(np.float64),
        ),
        # triplets (anchor, positive, negative) (n, c); most violate the margin 1, some do not
        "triplets": lambda r, n, c: (
            lambda a: (a, a + 0.8 * r.normal(size=(n, c)), a + r.normal(size=(n, c)))
        )(r.normal(size=(n, c))),
        # metric learning: near-unit embeddings (n, c) with integer labels in pairs
        "labeled_embeddings": _labeled_embeddings,
        # metric learning: near-unit embeddings (n, c) with labels in groups of 3, 2 and 1 rows
        "labeled_groups": _labeled_groups,
        # margin softmax and proxy losses: embeddings (n, c), labels, class vectors (c + 1, c)
        "class_embeddings": _class_embeddings,
        # two correlated views (n, c) of one batch
        "views": lambda r, n, c: (lambda z: (z, z + 0.5 * r.normal(size=(n, c))))(
            r.normal(size=(n, c))
        ),
        # views with 6 shared negative keys (6, c) / 3 negatives per query (n, 3, c)
        "views_negatives": lambda r, n, c: (
            r.normal(size=(n, c)),
            r.normal(size=(n, c)),
            r.normal(size=(6, c)),
        ),
        "views_paired_negatives": lambda r, n, c: (
            r.normal(size=(n, c)),
            r.normal(size=(n, c)),
            r.normal(size=(n, 3, c)),
        ),
        # ranking: scores (n lists, c items) and graded relevance labels 0..3
        "ranking": lambda r, n, c: (
            r.normal(size=(n, c)),
            r.integers(0, 4, size=(n, c)).astype(np.float64),
        ),
        # ranking with a validity mask (scores -inf where invalid, list 0 all invalid) / and
        # item weights
        "ranking_masked": _ranking_masked,
        "ranking_masked_weighted": lambda r, n, c: (
            *_ranking_masked(r, n, c),
            r.uniform(0.2, 2.0, size=(n, c)),
        ),
        # ranking with padding by negative labels (list 0 all -1) and by a validity mask (list 2
        # all False, scores -inf where False)
        "ranking_padded": _ranking_padded,
    }
)
# --- embedding inputs (end)

# --- forecasting, survival and distance inputs


def _survival(r: np.random.Generator, n: int, c: int) -> Arrays:
    """Log-risks (n,), integer times in [1, n // 2 + 1] (so that some are tied: events with
    events, events with censorings) and event indicators (about half 1)."""
    time = r.integers(1, n // 2 + 2, size=n).astype(np.float64)
    return r.normal(size=n), time, r.integers(0, 2, size=n).astype(np.float64)


def _point_clouds(r: np.random.Generator, n: int, c: int) -> Arrays:
    """n pairs of 2-D point clouds: x (n, c + 1, 2) around 0 and y (n, c, 2) around (0.5, 0.5),
    both of scale 0.5."""
    return 0.5 * r.normal(size=(n, c + 1, 2)), 0.5 * r.normal(size=(n, c, 2)) + 0.5


def _weights(r: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    w = r.uniform(0.2, 1.0, size=shape)
    return np.asarray(w / w.sum(axis=-1, keepdims=True))


INPUTS.update(
    {
        # Gaussian forecasts: means (n, c), standard deviations (n, c) and observations (n, c)
        "gaussian_forecast": lambda r, n, c: (
            r.normal(size=(n, c)),
            r.uniform(0.3, 2.0, size=(n, c)),
            r.normal(size=(n, c)),
        ),
        # ensemble forecasts: c members (n, c) around a per-sample centre, observations (n,)
        "ensemble": lambda r, n, c: (
            r.normal(size=(n, c)) + r.normal(size=(n, 1)),
            r.normal(size=n),
        ),
        # the same with the members first: (c, n) and (n,)
        "ensemble_members_first": lambda r, n, c: (
            r.normal(size=(c, n)) + r.normal(size=(1, n)),
            r.normal(size=n),
        ),
        # Cox model: log-risks, times (with ties) and event indicators, (n,) each
        "survival": _survival,
        # point clouds (n, c + 1, 2) and (n, c, 2) / and their weights (n, c + 1), (n, c),
        # positive, summing to 1 per cloud
        "point_clouds": _point_clouds,
        "weighted_point_clouds": lambda r, n, c: (
            *_point_clouds(r, n, c),
            _weights(r, (n, c + 1)),
            _weights(r, (n, c)),
        ),
    }
)
# --- forecasting, survival and distance inputs (end)


@dataclass(frozen=True)
class Example:
    """A loss's default example: its input kind and options."""

    inputs: str
    options: Mapping[str, Any] = field(default_factory=dict)


EXAMPLES: dict[str, Example] = {
    # --- regression
    "mean_squared_error": Example("regression"),
    "mse": Example("regression"),
    "mean_absolute_error": Example("regression"),
    "mae": Example("regression"),
    "huber": Example("regression", {"delta": 1.0}),
    "smooth_l1": Example("regression", {"beta": 1.0}),
    "log_cosh": Example("regression"),
    "quantile": Example("regression", {"q": 0.5}),
    "pinball": Example("regression", {"q": 0.5}),
    "charbonnier": Example("regression", {"epsilon": 1e-3}),
    "pseudo_huber": Example("regression", {"delta": 1.0}),
    "cauchy": Example("regression", {"c": 1.0}),
    "welsch": Example("regression", {"c": 1.0}),
    "geman_mcclure": Example("regression", {"c": 1.0}),
    "general_robust": Example("regression", {"alpha": 1.0, "scale": 1.0}),
    "wing": Example("regression", {"width": 5.0, "curvature": 0.5}),
    "l2_loss": Example("regression"),
    "mean_squared_logarithmic_error": Example("positive_regression"),
    "msle": Example("positive_regression"),
    "mean_absolute_percentage_error": Example("regression"),
    "mape": Example("regression"),
    "poisson_nll": Example("log_counts"),
    "poisson": Example("counts"),
    "gaussian_nll": Example("gaussian"),
    "tweedie": Example("counts", {"power": 1.5}),
    "cosine_similarity_loss": Example("vectors"),
    # --- regression (end)
    # --- regression: forecasting and survival
    "crps_gaussian": Example("gaussian_forecast"),
    "crps_ensemble": Example("ensemble"),
    "cox_ph": Example("survival"),
    # --- regression: forecasting and survival (end)
    # --- classification: cross-entropy family
    "binary_crossentropy": Example("binary_probs"),
    "categorical_crossentropy": Example("categorical_probs"),
    "sparse_categorical_crossentropy": Example("sparse_probs"),
    "nll": Example("sparse_log_probs"),
    "poly1_crossentropy": Example("categorical_logits", {"from_logits": True}),
    "generalized_crossentropy": Example("sparse_probs"),
    # --- classification: cross-entropy family (end)
    # --- classification: margin family
    "hinge": Example("signed"),
    "squared_hinge": Example("signed"),
    "categorical_hinge": Example("onehot_logits"),
    "multiclass_hinge": Example("sparse_logits"),
    "multi_margin": Example("sparse_logits"),
    "multilabel_margin": Example("multilabel_indices"),
    "soft_margin": Example("signed"),
    "multilabel_soft_margin": Example("binary_logits"),
    "hinge_embedding": Example("signed_distances"),
    "perceptron": Example("signed"),
    "multiclass_perceptron": Example("sparse_logits"),
    "sparsemax_loss": Example("binary_logits"),
    "multiclass_sparsemax_loss": Example("sparse_logits"),
    # --- classification: margin family (end)
    # --- classification: focal family
    "binary_focal_crossentropy": Example("binary_probs"),
    "categorical_focal_crossentropy": Example("categorical_probs"),
    # --- classification: focal family (end)
    # --- classification: imbalance, distillation, entmax
    "asymmetric_loss": Example("binary_logits"),
    "ldam": Example("sparse_logits_counts"),
    "distillation": Example("teacher_logits"),
    "entmax15_loss": Example("sparse_logits"),
    "entmax_bisect_loss": Example("sparse_logits"),
    # --- classification: imbalance, distillation, entmax (end)
    # --- divergence
    "kl_divergence": Example("distributions"),
    "generalized_kl_divergence": Example("positive_regression"),
    "jensen_shannon_divergence": Example("distributions"),
    # --- divergence (end)
    # --- divergence: distances between point clouds
    "sinkhorn_divergence": Example("point_clouds", {"epsilon": 1.0, "n_iter": 3}),
    "mmd": Example("point_clouds"),
    # --- divergence: distances between point clouds (end)
    # --- segmentation
    "dice": Example("masks"),
    "jaccard": Example("masks"),
    "tversky": Example("masks", {"alpha": 0.3, "beta": 0.7}),
    "focal_tversky": Example("masks", {"alpha": 0.3, "beta": 0.7, "gamma": 0.75}),
    "generalized_dice": Example("segmentation_logits", {"axis": 1, "softmax": True}),
    "mcc": Example("masks"),
    "dice_crossentropy": Example("segmentation_logits", {"axis": 1}),
    "dice_focal": Example("segmentation_logits", {"axis": 1}),
    "lovasz_hinge": Example("mask_logits"),
    "lovasz_softmax": Example("segmentation_labels", {"axis": 1, "from_logits": True}),
    "ssim_loss": Example("images"),
    "soft_cldice": Example("vessel_masks"),
    "dice_cldice": Example("vessel_masks"),
    # --- segmentation (end)
    # --- embedding
    "cosine_embedding": Example("embedding_pairs"),
    "margin_ranking": Example("score_pairs", {"margin": 0.5}),
    "triplet_margin": Example("triplets"),
    "triplet_margin_with_distance": Example("triplets"),
    "contrastive": Example("contrastive_pairs"),
    "ntxent": Example("labeled_embeddings"),
    "info_nce": Example("views"),
    "circle": Example("labeled_embeddings"),
    "barlow_twins": Example("views"),
    "supcon": Example("labeled_groups"),
    "multi_similarity": Example("labeled_groups"),
    "lifted_structure": Example("labeled_groups"),
    "npairs": Example("labeled_groups"),
    "arcface": Example("class_embeddings"),
    "cosface": Example("class_embeddings"),
    "sphereface": Example("class_embeddings"),
    "proxy_anchor": Example("class_embeddings"),
    "proxy_nca": Example("class_embeddings"),
    "ranking_softmax": Example("ranking_masked"),
    "pairwise_hinge": Example("ranking_padded"),
    "pairwise_logistic": Example("ranking_padded"),
    "pairwise_soft_zero_one": Example("ranking_padded"),
    "pairwise_squared": Example("ranking_padded"),
    "listnet": Example("ranking_padded"),
    "listmle": Example("ranking_padded"),
    "approx_ndcg": Example("ranking_padded"),
    "lambda_loss": Example("ranking_padded"),
    # --- embedding (end)
    # --- sequence
    "ctc": Example("ctc"),
    # --- sequence (end)
}


def make_inputs(kind: str, n: int = 8, c: int = 5, seed: int = 0) -> Arrays:
    """Inputs of one kind as float64/int64 NumPy arrays, reproducible from ``seed``."""
    return INPUTS[kind](np.random.default_rng(seed), n, c)
