"""``python -m benchmarks.boosting``: boosting objectives against hand-written NumPy ones.

For each loss, the time of one objective evaluation (gradient and Hessian of 1M raw scores,
float32 as XGBoost passes them) by :func:`unilosses.boosting.objective` and by the NumPy
objective a user writes by hand for that loss (its closed-form derivatives), and their ratio
(the median of interleaved runs). Both results are checked to agree before timing. The column
"value" is the loss alone on the same scores (:func:`unilosses.boosting.metric`, the mean loss,
NumPy arrays): what the hyper-dual evaluation costs beyond the definition's own arithmetic.

``--train ROUNDS`` times whole XGBoost training rounds instead (``hist`` trees of depth 6 on
``--features`` random features, every core): with XGBoost's built-in objective for the loss where
it has one, with the hand-written objective and with the unilosses one; the last column is the
share of a round the unilosses objective adds over the hand-written one.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

Objective = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


def squared_error(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return x - y, np.ones_like(x)


def pseudo_huber(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = x - y
    scale = 1.0 + z * z
    root = np.sqrt(scale)
    return z / root, 1.0 / (scale * root)


def logistic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = _sigmoid(x)
    return p - y, p * (1.0 - p)


def poisson(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mu = np.exp(x)
    return mu - y, mu


def focal(x: np.ndarray, y: np.ndarray, gamma: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Binary focal loss ``-(1 - p_t)**gamma log p_t`` of logits, labels in {0, 1}, derived by
    hand in ``z = x (2y - 1)``, ``p_t = sigmoid(z)``, ``q = 1 - p_t``."""
    s = 2.0 * y - 1.0
    pt = _sigmoid(x * s)
    q = 1.0 - pt
    log_pt = np.log(pt)
    qg = q**gamma
    inner = gamma * pt * log_pt - q
    grad = qg * inner * s
    hess = -gamma * pt * qg * inner + qg * pt * q * (gamma * (log_pt + 1.0) + 1.0)
    return grad, hess


def softmax(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    onehot = np.arange(x.shape[1]) == y[:, None]
    return p - onehot, p * (1.0 - p)


# XGBoost's built-in objective for each case (None: it has none)
BUILTIN = {
    "l2_loss": "reg:squarederror",
    "pseudo_huber": "reg:pseudohubererror",
    "binary_crossentropy": "binary:logistic",
    "poisson_nll": "count:poisson",
    "binary_focal_crossentropy": None,
    "sparse_categorical_crossentropy": "multi:softprob",
}


def cases(rows: int, classes: int) -> list[tuple[str, Any, Objective, np.ndarray, np.ndarray]]:
    """(label, unilosses objective, hand-written objective, scores, labels) per loss."""
    from unilosses.boosting import objective

    rng = np.random.default_rng(0)
    x = rng.normal(size=rows).astype(np.float32)
    binary = (rng.uniform(size=rows) < 0.3).astype(np.float32)
    return [
        ("l2_loss", objective("l2_loss", floor=None), squared_error, x,
         rng.normal(size=rows).astype(np.float32)),
        ("pseudo_huber", objective("pseudo_huber", floor=None), pseudo_huber, x,
         rng.standard_t(2, size=rows).astype(np.float32)),
        ("binary_crossentropy", objective("binary_crossentropy", floor=None), logistic, x, binary),
        ("poisson_nll", objective("poisson_nll", floor=None), poisson, x,
         rng.poisson(1.0, size=rows).astype(np.float32)),
        ("binary_focal_crossentropy", objective("binary_focal_crossentropy", gamma=2.0, floor=None),
         focal, x, binary),
        (f"sparse_categorical_crossentropy, {classes} classes",
         objective("sparse_categorical_crossentropy", floor=None), softmax,
         rng.normal(size=(rows, classes)).astype(np.float32),
         rng.integers(0, classes, size=rows).astype(np.float32)),
    ]


def _seconds(fn: Callable[[], Any], clock: Callable[[], float]) -> float:
    start = clock()
    fn()
    return clock() - start


def _per_round(xgb: Any, params: dict[str, Any], dtrain: Any, obj: Any, args: Any) -> float:
    """Milliseconds per round of ``--repeat`` trainings of ``--train`` rounds (the median)."""
    runs = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        xgb.train(params, dtrain, num_boost_round=args.train, obj=obj)
        runs.append((time.perf_counter() - start) / args.train)
    return 1e3 * float(np.median(runs))


def training(args: argparse.Namespace) -> None:
    """Milliseconds per XGBoost training round with the built-in, hand-written and unilosses
    objectives (median of ``--repeat`` trainings of ``--train`` rounds each)."""
    import xgboost as xgb

    features = np.random.default_rng(1).normal(size=(args.rows, args.features)).astype(np.float32)
    print(f"{args.rows:,} rows x {args.features} features, XGBoost {xgb.__version__} hist trees "
          f"of depth 6 on {os.cpu_count()} cores; ms per round, median of {args.repeat} trainings "
          f"of {args.train} rounds (wall clock)\n")
    print("| loss | built-in objective | built-in ms | hand-written ms | unilosses ms "
          "| unilosses - hand-written, % of a round |")
    print("|---|---|---:|---:|---:|---:|")
    for label, ours, theirs, x, y in cases(args.rows, args.classes):
        classes = x.shape[1] if x.ndim == 2 else None
        dtrain = xgb.DMatrix(features, label=y, nthread=-1)
        params: dict[str, Any] = {"tree_method": "hist", "max_depth": 6, "eta": 0.1}
        if classes:
            params["num_class"] = classes
        labels = y.astype(np.int64) if classes else y

        def hand(predt: np.ndarray, _: Any, fn: Objective = theirs, labels: Any = labels) -> Any:
            return fn(predt, labels)

        builtin = BUILTIN[label.split(",")[0]]
        native = "-"
        if builtin:
            native = f"{_per_round(xgb, {**params, 'objective': builtin}, dtrain, None, args):.0f}"
        h, u = (_per_round(xgb, params, dtrain, obj, args) for obj in (hand, ours))
        print(f"| {label} | {builtin or '-'} | {native} | {h:.0f} | {u:.0f} | "
              f"{100 * (u - h) / h:+.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.boosting")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--classes", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--cpu-time", action="store_true",
        help="time the process's CPU time instead of the wall clock (steadier on a busy machine)",
    )
    parser.add_argument(
        "--train", type=int, metavar="ROUNDS",
        help="time XGBoost training rounds with each objective instead (needs XGBoost)",
    )
    parser.add_argument("--features", type=int, default=16, help="features for --train")
    args = parser.parse_args()
    if args.train:
        training(args)
        return
    from unilosses.boosting import metric

    clock = time.process_time if args.cpu_time else time.perf_counter

    malloc = os.environ.get("MALLOC_TRIM_THRESHOLD_", "default")
    print(f"{args.rows:,} rows, float32 scores; median of {args.repeat} interleaved runs "
          f"({'CPU' if args.cpu_time else 'wall-clock'} time); MALLOC_TRIM_THRESHOLD_={malloc}\n")
    print("| loss | unilosses ms | value ms | hand-written NumPy ms | ratio |")
    print("|---|---:|---:|---:|---:|")
    for label, ours, theirs, x, y in cases(args.rows, args.classes):
        x64, y64 = x.astype(np.float64), y.astype(np.float64)
        reference = theirs(x64, y64.astype(np.int64) if x.ndim == 2 else y64)
        for got, want in zip(ours(y, x), reference, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
        value = metric(ours.name, form=ours.form, **ours.options)
        times: dict[str, list[float]] = {"ours": [], "value": [], "theirs": []}
        labels_for_theirs = y.astype(np.int64) if x.ndim == 2 else y
        for _ in range(args.repeat):
            times["ours"].append(_seconds(lambda: ours(y, x), clock))  # noqa: B023
            times["value"].append(_seconds(lambda: value(y, x), clock))  # noqa: B023
            times["theirs"].append(_seconds(lambda: theirs(x, labels_for_theirs), clock))  # noqa: B023
        a, v, b = (1e3 * float(np.median(times[k])) for k in ("ours", "value", "theirs"))
        print(f"| {label} | {a:.1f} | {v:.1f} | {b:.1f} | {a / b:.2f} |")


if __name__ == "__main__":
    main()
