"""Losses as gradient-boosting objectives (unilosses.boosting).

Every loss with an objective form (``FORMS``) against float64 finite differences of its own
definition; XGBoost's built-in objectives against the formulas of XGBoost's source, and models
trained with them and with LightGBM's against models trained with unilosses' objectives; the
hyper-dual namespace against NumPy and finite differences; errors; the documentation's examples.
NumPy only: these run in the numpy session (the Dask example in the dask session).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pickle
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import unilosses as ul
from unilosses._core.primitives import GENERIC
from unilosses._examples import EXAMPLES, make_inputs
from unilosses.backends import hyperdual as hd
from unilosses.boosting import FORMS, Form, form_of, metric, objective

ROOT = Path(__file__).resolve().parents[1]
SESSIONS = [s for s in os.environ.get("UNILOSSES_BACKEND", "").split(",") if s]


def _session(name: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        bool(SESSIONS) and name not in SESSIONS, reason=f"runs in the {name} session"
    )


numpy_session = _session("numpy")


# --- every form against finite differences of the loss's definition ----------------------------


def _row_totals(name: str, options: dict[str, Any], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each row's loss (summed over the row's elements), from the loss itself in float64."""
    form = FORMS[name]
    prediction = np.exp(x) if form.link == "exp" else x
    loss = getattr(ul, name)(prediction, y, reduction="none", **{**form.options, **options})
    return np.asarray(loss, dtype=np.float64).reshape(x.shape[0], -1).sum(axis=1)


def _differences(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    """Central first and second differences of the row totals ``f`` along each column of ``x``
    (every row at once: a row's total depends on its row only)."""
    g, hess, f0 = np.empty_like(x), np.empty_like(x), f(x)
    for j in range(x.shape[1]):
        step = np.zeros_like(x)
        step[:, j] = h
        fp, fm = f(x + step), f(x - step)
        g[:, j], hess[:, j] = (fp - fm) / (2 * h), (fp - 2 * f0 + fm) / h**2
    return g, hess


def _assert_close_to_differences(got: np.ndarray, f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float, order: int) -> None:
    """``got`` equals the finite differences at steps ``h`` and ``2h``, extrapolated (Richardson),
    within 1e-6 relative plus twice their own disagreement (their truncation error)."""
    fine, coarse = _differences(f, x, h)[order], _differences(f, x, 2 * h)[order]
    reference = (4 * fine - coarse) / 3
    bound = 1e-6 * (1 + np.abs(reference)) + 2 * np.abs(fine - coarse)
    assert np.all(np.abs(got - reference) <= bound), np.max(np.abs(got - reference) - bound)


@numpy_session
@pytest.mark.parametrize("name", sorted(FORMS))
def test_every_form_equals_finite_differences(name: str) -> None:
    """Gradient and Hessian (raw, unfloored) at the loss's example inputs: the prediction through
    the inverse of the form's link as scores, the example's targets as labels."""
    form, example = FORMS[name], EXAMPLES[name]
    prediction, y = make_inputs(example.inputs, n=24, c=4, seed=3)[:2]
    x = np.log(prediction) if form.link == "exp" else prediction
    grad, hess = objective(name, floor=None, **example.options)(y, x)
    assert grad.shape == hess.shape == x.shape
    totals = lambda z: _row_totals(name, dict(example.options), z, y)  # noqa: E731
    _assert_close_to_differences(grad, totals, x, 1e-6, 0)
    if form.hessian == "exact":
        _assert_close_to_differences(hess, totals, x, 1e-4, 1)
    else:
        np.testing.assert_array_equal(hess, 1.0)


@numpy_session
@pytest.mark.parametrize("name", sorted(FORMS))
def test_every_form_replays_values_exactly(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The passes of one block (a column each, and the other side at a kink) replay the first
    pass's values: the derivatives are bit for bit those of passes that compute everything, at
    the example inputs and at inputs with kinks (ties: zeros and equal scores)."""
    form, example = FORMS[name], EXAMPLES[name]
    prediction, y = make_inputs(example.inputs, n=24, c=4, seed=3)[:2]
    x = np.log(prediction) if form.link == "exp" else prediction
    tied = x.copy()
    tied[::3] = 0.0
    tied[1::3] = y[1::3] if y.shape == x.shape else 0.0
    obj = objective(name, floor=None, **example.options)
    replayed = [obj(y, s) for s in (x, tied)]
    monkeypatch.setattr(hd, "taping", contextlib.nullcontext)
    for got, s in zip(replayed, (x, tied), strict=True):
        for a, b in zip(got, obj(y, s), strict=True):
            np.testing.assert_array_equal(a, b)


@numpy_session
@pytest.mark.parametrize("name", sorted(FORMS))
def test_every_form_weights_rows_and_floors_the_hessian(name: str) -> None:
    """Sample weights multiply each row's derivatives; the default Hessian is floored at 1e-16
    before (XGBoost's order); the metric is the weighted mean loss."""
    form, example = FORMS[name], EXAMPLES[name]
    prediction, y = make_inputs(example.inputs, n=24, c=4, seed=4)[:2]
    x = np.log(prediction) if form.link == "exp" else prediction
    w = np.random.default_rng(0).uniform(0.0, 2.0, size=x.shape[0])
    raw = objective(name, floor=None, **example.options).derivatives(x, y)
    grad, hess = objective(name, **example.options).derivatives(x, y, sample_weight=w)
    floored = raw[1] if form.hessian == "constant" else np.maximum(raw[1], 1e-16)
    np.testing.assert_allclose(grad, raw[0] * w[:, None], rtol=1e-15, atol=0)
    np.testing.assert_allclose(hess, floored * w[:, None], rtol=1e-15, atol=0)
    expected = np.sum(_row_totals(name, dict(example.options), x, y) * w) / (np.sum(w) * (x.size // x.shape[0] if not form.rows else 1))
    assert metric(name, **example.options).value(x, y, w) == pytest.approx(expected, rel=1e-12)


@numpy_session
@pytest.mark.parametrize(
    ("name", "scores", "labels"),
    [
        ("huber", [0.0, 1.0], [0.0, 1.0]),  # zero residuals: Hessian 1
        ("smooth_l1", [0.5, -2.0], [0.5, -2.0]),
        ("log_cosh", [3.0], [3.0]),
        ("mean_absolute_error", [0.0, 2.0], [0.0, 2.0]),  # gradient 0
        ("perceptron", [0.0, 0.0], [1.0, 0.0]),  # half the slope
        ("hinge", [1.0, -1.0], [1.0, 0.0]),
        ("multiclass_hinge", [[0.0, 0.0, 0.0], [1.0, 1.0, 0.0]], [2, 0]),  # tied scores
        ("categorical_hinge", [[0.0, 0.0, 0.0]], [1]),
        ("multiclass_perceptron", [[2.0, 2.0, 2.0]], [0]),
    ],
)
def test_kinks_give_the_central_derivatives(name: str, scores: list[Any], labels: list[Any]) -> None:
    """At a kink the derivatives are the mean of the one-sided ones: what central differences
    of the loss converge to (a small step suffices: the losses are piecewise quadratic)."""
    x, y = np.asarray(scores, dtype=np.float64), np.asarray(labels, dtype=np.float64)
    obj = objective(name, floor=None)
    grad, hess = obj(y, x)
    x2 = x.reshape(x.shape[0], -1)
    f = lambda z: obj._call(z if x.ndim == 2 else z[:, 0], obj._inputs(x, y)[1]).reshape(x.shape[0], -1).sum(axis=1)  # noqa: E731
    g_ref, h_ref = _differences(f, x2, 1e-3)
    np.testing.assert_allclose(grad.reshape(x2.shape), g_ref, atol=1e-9)
    if FORMS[name].hessian == "exact":
        np.testing.assert_allclose(hess.reshape(x2.shape), h_ref, atol=1e-6)


@numpy_session
def test_focal_loss_equals_its_derivation_by_hand() -> None:
    """The binary focal loss of logits (gamma 2, no class balancing) against its gradient and
    Hessian derived by hand in ``z = s (2y - 1)``, ``p_t = sigmoid(z)``, ``q = 1 - p_t``:
    ``L' = q**g (g p_t log p_t - q)``, ``L'' = -g p_t q**g (g p_t log p_t - q) +
    q**g p_t q (g (log p_t + 1) + 1)`` (the request of LightGBM#3706)."""
    rng = np.random.default_rng(5)
    s, y, g = 3 * rng.normal(size=500), (rng.uniform(size=500) < 0.3) * 1.0, 2.0
    sign = 2 * y - 1
    pt = 1 / (1 + np.exp(-s * sign))
    q, log_pt = 1 - pt, np.log(pt)
    inner = g * pt * log_pt - q
    grad_ref = q**g * inner * sign
    hess_ref = -g * pt * q**g * inner + q**g * pt * q * (g * (log_pt + 1) + 1)
    grad, hess = objective("binary_focal_crossentropy", gamma=g, floor=None)(y, s)
    np.testing.assert_allclose(grad, grad_ref, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(hess, hess_ref, rtol=1e-8, atol=1e-15)


# --- XGBoost's and LightGBM's built-in objectives ----------------------------------------------


def gamma_deviance(y_pred: Any, y_true: Any, *, reduction: str = "none", xp: Any = None) -> Any:
    """The gamma negative log-likelihood of means, up to terms free of them: a loss of the
    caller's own (unilosses has no gamma loss), for XGBoost's ``reg:gamma``."""
    return y_true / y_pred + xp.log(y_pred)


def _sigmoid(s: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-s)))


def _softmax(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return np.asarray(e / e.sum(axis=1, keepdims=True))


RNG = np.random.default_rng(0)
N, CLASSES = 300, 3
X = RNG.normal(size=(N, 4))
F = X[:, 0] - 0.5 * X[:, 1] + 0.3 * X[:, 2] * X[:, 3]
WEIGHTS = RNG.uniform(0.5, 2.0, size=N)


@dataclass(frozen=True)
class Builtin:
    """A built-in objective: the unilosses objective that computes it, labels, the booster
    parameters only the built-in takes, XGBoost's gradient and Hessian (float64 transcriptions
    of its source, ``src/objective``), and how many times the exact Hessian each booster's is."""

    xgboost: str
    objective: Any
    labels: np.ndarray
    reference: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    params: dict[str, Any] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)
    lightgbm: str | None = None
    lightgbm_params: dict[str, Any] = field(default_factory=dict)
    xgboost_hessian: float = 1.0
    lightgbm_hessian: float = 1.0


def _pseudo_huber(s: np.ndarray, y: np.ndarray, slope: float = 1.5) -> tuple[np.ndarray, np.ndarray]:
    z = s - y
    scale = slope**2 + z * z
    root = np.sqrt(1 + z * z / slope**2)
    return z / root, slope**2 / (scale * root)


def _onehot(y: np.ndarray) -> np.ndarray:
    return np.asarray(np.eye(CLASSES)[y.astype(int)])


BUILTINS = [
    Builtin("reg:squarederror", objective("l2_loss"), F + RNG.normal(size=N),
            lambda s, y: (s - y, np.ones_like(s)), lightgbm="regression"),
    Builtin("reg:pseudohubererror", objective("pseudo_huber", delta=1.5),
            F + RNG.standard_t(2.0, size=N), _pseudo_huber, params={"huber_slope": 1.5}),
    Builtin("binary:logistic", objective("binary_crossentropy"),
            (RNG.uniform(size=N) < _sigmoid(F)) * 1.0,
            lambda s, y: (_sigmoid(s) - y, np.maximum(_sigmoid(s) * (1 - _sigmoid(s)), 1e-16)),
            lightgbm="binary"),
    # XGBoost's Hessian is exp(s + max_delta_step), max_delta_step 0.7 by default; LightGBM's
    # poisson_max_delta_step must be > 0
    Builtin("count:poisson", objective("poisson_nll"), RNG.poisson(np.exp(0.5 * F)) * 1.0,
            lambda s, y: (np.exp(s) - y, np.exp(s)), params={"max_delta_step": 0.0},
            lightgbm="poisson", lightgbm_params={"poisson_max_delta_step": 1e-12}),
    Builtin("reg:tweedie", objective("tweedie", power=1.3),
            RNG.poisson(np.exp(0.5 * F)) * RNG.gamma(2.0, 0.5, size=N),
            lambda s, y: (-y * np.exp(-0.3 * s) + np.exp(0.7 * s),
                          0.3 * y * np.exp(-0.3 * s) + 0.7 * np.exp(0.7 * s)),
            params={"tweedie_variance_power": 1.3}, lightgbm="tweedie",
            lightgbm_params={"tweedie_variance_power": 1.3}),
    Builtin("reg:gamma", objective(gamma_deviance, form=Form(link="exp")),
            RNG.gamma(2.0, np.exp(0.3 * F) / 2.0),
            lambda s, y: (1 - y * np.exp(-s), y * np.exp(-s)), lightgbm="gamma"),
    # the softmax's Hessian is an approximation in both: 2 p (1 - p) in XGBoost,
    # C / (C - 1) p (1 - p) in LightGBM; the exact diagonal is p (1 - p)
    Builtin("multi:softprob", objective("sparse_categorical_crossentropy"),
            np.argmax(np.stack([F, -F, X[:, 2]], 1) + RNG.gumbel(size=(N, CLASSES)), 1) * 1.0,
            lambda s, y: (_softmax(s) - _onehot(y),
                          np.maximum(2 * _softmax(s) * (1 - _softmax(s)), 1e-16)),
            shared={"num_class": CLASSES}, lightgbm="multiclass", xgboost_hessian=2.0,
            lightgbm_hessian=CLASSES / (CLASSES - 1)),
]
WITH_LIGHTGBM = [b for b in BUILTINS if b.lightgbm is not None]


def _scores(b: Builtin) -> np.ndarray:
    shape = (N, CLASSES) if "num_class" in b.shared else (N,)
    return np.asarray(RNG.normal(size=shape).astype(np.float32))


def _scaled(obj: Any, factor: float) -> Any:
    """``obj`` with its Hessian times ``factor``: a booster's approximate Hessian."""
    def scaled(predt: np.ndarray, data: Any) -> tuple[np.ndarray, np.ndarray]:
        grad, hess = obj(predt, data)
        return grad, factor * hess

    return obj if factor == 1.0 else scaled


@numpy_session
@pytest.mark.parametrize("b", BUILTINS, ids=[b.xgboost for b in BUILTINS])
def test_xgboost_builtin_formulas(b: Builtin) -> None:
    """(grad, hess) of float32 scores, as XGBoost passes them, with sample weights: XGBoost's
    formulas in float64, to float32 rounding (the multi-class Hessian is XGBoost's over 2)."""
    s = _scores(b)
    grad, hess = b.objective.derivatives(s, b.labels, WEIGHTS)
    assert grad.dtype == hess.dtype == np.float32
    assert grad.shape == s.shape
    g_ref, h_ref = b.reference(s.astype(np.float64), b.labels)
    w = WEIGHTS.reshape((-1,) + (1,) * (s.ndim - 1))
    np.testing.assert_allclose(grad, g_ref * w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(hess * b.xgboost_hessian, h_ref * w, rtol=1e-5, atol=1e-6)


@numpy_session
@pytest.mark.parametrize("b", BUILTINS, ids=[b.xgboost for b in BUILTINS])
def test_xgboost_trains_as_its_builtin_objective(b: Builtin) -> None:
    """Five rounds with the built-in and with the unilosses objective (its Hessian times the
    built-in's factor where that is an approximation): the same margins to float32 rounding."""
    xgb = pytest.importorskip("xgboost", reason="XGBoost is installed in the numpy session")
    margin = np.full((N, CLASSES) if "num_class" in b.shared else N, 0.1)
    data = xgb.DMatrix(X, label=b.labels, weight=WEIGHTS, base_margin=margin)
    params = {"tree_method": "hist", "max_depth": 3, "eta": 0.3, "nthread": 1, **b.shared}
    builtin = xgb.train({**params, "objective": b.xgboost, **b.params}, data, num_boost_round=5)
    ours = xgb.train(params, data, num_boost_round=5, obj=_scaled(b.objective, b.xgboost_hessian))
    want = builtin.predict(data, output_margin=True)
    np.testing.assert_allclose(ours.predict(data, output_margin=True), want, rtol=1e-5, atol=1e-5)


@numpy_session
@pytest.mark.parametrize("b", WITH_LIGHTGBM, ids=[b.lightgbm for b in WITH_LIGHTGBM])
def test_lightgbm_trains_as_its_builtin_objective(b: Builtin) -> None:
    lgb = pytest.importorskip("lightgbm", reason="LightGBM is installed in the numpy session")
    params = {"verbosity": -1, "num_leaves": 7, "learning_rate": 0.3, "min_data_in_leaf": 10,
              "num_threads": 1, "deterministic": True, "seed": 0, **b.shared}
    builtin = lgb.train(
        {**params, "objective": b.lightgbm, "boost_from_average": False, **b.lightgbm_params},
        lgb.Dataset(X, b.labels, weight=WEIGHTS), num_boost_round=5,
    )
    ours = lgb.train(
        {**params, "objective": _scaled(b.objective, b.lightgbm_hessian)},
        lgb.Dataset(X, b.labels, weight=WEIGHTS), num_boost_round=5,
    )
    want = builtin.predict(X, raw_score=True)
    np.testing.assert_allclose(ours.predict(X, raw_score=True), want, rtol=1e-5, atol=1e-5)


@numpy_session
def test_metrics_equal_xgboosts_logloss_and_mlogloss() -> None:
    """The cross-entropy metrics of a built-in model's margins equal XGBoost's own ``logloss``
    and ``mlogloss`` evaluations (weighted)."""
    xgb = pytest.importorskip("xgboost", reason="XGBoost is installed in the numpy session")
    for b, loss, name in ((BUILTINS[2], "binary_crossentropy", "logloss"),
                          (BUILTINS[6], "sparse_categorical_crossentropy", "mlogloss")):
        data = xgb.DMatrix(X, label=b.labels, weight=WEIGHTS)
        params = {"objective": b.xgboost, "eval_metric": name, "nthread": 1, **b.shared}
        booster = xgb.train(params, data, num_boost_round=3)
        theirs = float(booster.eval(data).rsplit(":", 1)[1])
        m = metric(loss)
        got_name, ours = m(booster.predict(data, output_margin=True), data)
        assert got_name == loss
        assert ours == pytest.approx(theirs, abs=1e-5)


@numpy_session
def test_scikit_learn_estimators_and_eval_metrics() -> None:
    """The (y_true, y_pred[, sample_weight]) forms: XGBRegressor and LGBMRegressor train as with
    their built-in objectives; the metric forms each estimator calls report the mean loss."""
    xgb = pytest.importorskip("xgboost", reason="XGBoost is installed in the numpy session")
    lgb = pytest.importorskip("lightgbm", reason="LightGBM is installed in the numpy session")
    pytest.importorskip("sklearn", reason="their estimators need scikit-learn")
    b = BUILTINS[1]  # pseudo-Huber
    common = {"n_estimators": 5, "max_depth": 3, "base_score": 0.0, "n_jobs": 1}
    m = metric("pseudo_huber", delta=1.5)
    ours = xgb.XGBRegressor(objective=b.objective, eval_metric=m, **common)
    ours.fit(X, b.labels, sample_weight=WEIGHTS, eval_set=[(X, b.labels)], verbose=False)
    theirs = xgb.XGBRegressor(objective="reg:pseudohubererror", huber_slope=1.5, **common)
    theirs.fit(X, b.labels, sample_weight=WEIGHTS)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-5, atol=1e-5)
    logged = ours.evals_result()["validation_0"]["pseudo_huber"][-1]
    assert logged == pytest.approx(m.value(ours.predict(X), b.labels), rel=1e-6)

    b = BUILTINS[0]  # squared error
    common = {"n_estimators": 5, "num_leaves": 7, "verbosity": -1, "n_jobs": 1}
    ours_lgb = lgb.LGBMRegressor(objective=b.objective, **common)
    ours_lgb.fit(X, b.labels, sample_weight=WEIGHTS, eval_X=(X,), eval_y=(b.labels,),
                 eval_metric=metric("l2_loss").lightgbm)
    theirs_lgb = lgb.LGBMRegressor(objective="regression", boost_from_average=False, **common)
    theirs_lgb.fit(X, b.labels, sample_weight=WEIGHTS)
    np.testing.assert_allclose(ours_lgb.predict(X), theirs_lgb.predict(X), rtol=1e-5, atol=1e-5)
    (logs,) = ours_lgb.evals_result_.values()  # (the training set, with its weights)
    expected = metric("l2_loss").value(ours_lgb.predict(X), b.labels, WEIGHTS)
    assert logs["l2_loss"][-1] == pytest.approx(expected, rel=1e-6)


@numpy_session
def test_lightgbm_feval_form() -> None:
    lgb = pytest.importorskip("lightgbm", reason="LightGBM is installed in the numpy session")
    b = BUILTINS[2]
    data = lgb.Dataset(X, b.labels, weight=WEIGHTS).construct()
    scores = RNG.normal(size=N)
    name, value, higher_is_better = metric("binary_crossentropy")(scores, data)
    assert (name, higher_is_better) == ("binary_crossentropy", False)
    expected = np.average(ul.binary_crossentropy(scores, b.labels, from_logits=True, reduction="none"), weights=WEIGHTS)
    assert value == pytest.approx(expected, rel=1e-6)  # (LightGBM keeps weights in float32)


# --- the API: forms, errors, pickling, imports -------------------------------------------------


@numpy_session
def test_forms_cover_public_losses_only_and_aliases() -> None:
    assert set(FORMS) <= set(ul.__all__)
    assert form_of("mse") is FORMS["mean_squared_error"]
    assert form_of(ul.pinball) is FORMS["quantile"]
    assert form_of("dice") is None
    assert form_of(gamma_deviance) is None
    for name in FORMS:  # keyed by the functions' own names (aliases resolve to them)
        assert getattr(ul, name).__name__ == name


@numpy_session
@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: objective("not_a_loss"), ValueError, "unilosses loss or a callable"),
        (lambda: objective(3), TypeError, "unilosses loss or a callable"),
        (lambda: objective("dice"), ValueError, "no objective form"),
        (lambda: objective(gamma_deviance), ValueError, "form=Form"),
        (lambda: objective("huber", form="exp"), TypeError, "form must be"),
        (lambda: objective("huber", reduction="sum"), TypeError, "reduction is set"),
        (lambda: metric("huber", sample_weight=np.ones(3)), TypeError, "sample_weight is set"),
        (lambda: objective("huber", hessian="diagonal"), ValueError, "hessian must be"),
        (lambda: objective("huber", floor=-1.0), ValueError, "floor must be"),
        (lambda: Form(link="log"), ValueError, "link must be"),
        (lambda: Form(target="labels"), ValueError, "rows=True"),
        (lambda: objective("huber", delta=-1.0)(np.zeros(3), np.zeros(3)), ValueError, "delta"),
        (lambda: objective("huber")(np.zeros(3), np.zeros(4)), ValueError, "expected 4 labels"),
        (lambda: objective("huber")(np.zeros(3), np.zeros(3), np.ones(2)), ValueError, "sample weights"),
        (lambda: objective("sparse_categorical_crossentropy")(np.zeros(3), np.zeros(3)), ValueError, "num_class"),
        (lambda: objective("sparse_categorical_crossentropy")(np.array([0.0, 1.5]), np.zeros((2, 3))), ValueError, "class indices"),
        (lambda: objective("sparse_categorical_crossentropy")(np.array([0.0, 3.0]), np.zeros((2, 3))), ValueError, "y_true holds label 3"),
        (lambda: objective("categorical_crossentropy")(np.array([0.0, 3.0]), np.zeros((2, 3))), ValueError, "class indices"),
        (lambda: objective("huber")(np.zeros(2), np.zeros((2, 2, 2))), ValueError, "shape"),
    ],
)
def test_bad_input_is_refused_clearly(call: Callable[[], Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()


def _uses_prod(y_pred: Any, y_true: Any, *, reduction: str = "none", xp: Any = None) -> Any:
    return xp.prod(y_pred - y_true, axis=-1)


@numpy_session
def test_an_operation_without_derivatives_names_the_loss() -> None:
    obj = objective(_uses_prod, form=Form(rows=True))
    with pytest.raises(TypeError, match=r"_uses_prod cannot be differentiated.*xp\.prod"):
        obj(np.zeros((2, 3)), np.ones((2, 3)))


@numpy_session
def test_inputs_are_not_modified_and_types_are_kept() -> None:
    s, y, w = RNG.normal(size=(5, 3)), np.array([0.0, 2.0, 1.0, 1.0, 0.0]), np.ones(5)
    copies = [a.copy() for a in (s, y, w)]
    grad, hess = objective("categorical_focal_crossentropy")(y, s, w)
    for a, c in zip((s, y, w), copies, strict=True):
        np.testing.assert_array_equal(a, c)
    assert grad.dtype == hess.dtype == np.float64
    assert grad.shape == s.shape
    assert np.all(hess > 0)


@numpy_session
def test_objectives_and_metrics_pickle() -> None:
    """By the loss's name (the public functions are wrappers) or by reference (a module-level
    loss of the caller's): what Dask sends to its workers."""
    s, y = RNG.normal(size=6), RNG.uniform(0.5, 2.0, size=6)
    for obj in (objective("huber", delta=0.5), objective(gamma_deviance, form=Form(link="exp"))):
        again = pickle.loads(pickle.dumps(obj))
        for a, b in zip(again(y, s), obj(y, s), strict=True):
            np.testing.assert_array_equal(a, b)
    m = pickle.loads(pickle.dumps(metric("huber", name="h", delta=0.5)))
    assert m.__name__ == "h"
    assert m(y, s) == metric("huber", delta=0.5)(y, s)


@numpy_session
def test_importing_boosting_imports_no_booster() -> None:
    code = (
        "import sys, numpy as np\n"
        "from unilosses.boosting import objective, metric\n"
        "objective('huber')(np.zeros(3), np.ones(3)); metric('huber')(np.zeros(3), np.ones(3))\n"
        "print(sorted(m for m in ('xgboost', 'lightgbm', 'torch', 'jax', 'tensorflow', 'dask') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


# --- the hyper-dual namespace ------------------------------------------------------------------

A = np.random.default_rng(7).normal(size=(3, 4))
DIRECTION = np.random.default_rng(8).normal(size=(3, 4))
FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "exp": hd.exp, "expm1": hd.expm1, "log": lambda x: hd.log(x + 3), "log1p": lambda x: hd.log1p(x + 2),
    "sqrt": lambda x: hd.sqrt(x + 3), "tanh": hd.tanh, "square": hd.square, "negative": hd.negative,
    "abs": hd.abs, "operators": lambda x: (2.0 - x) * x / (x + 4.0) + 1.0 / (x + 5.0) - -x,
    "pow": lambda x: (x + 3) ** 1.5 + x**2 + 2.0 ** x + (x + 3) ** (x / 2),
    "maximum": lambda x: hd.maximum(x, 0.1) + hd.maximum(0.2, -x) + hd.maximum(x, x * x),
    "minimum": lambda x: hd.minimum(x, 0.1) + hd.minimum(x * x, -x), "clip": lambda x: hd.clip(x, -0.5, 0.5),
    "where": lambda x: hd.where(x > 0.1, x * x, -x) + hd.where(x < 0, 1.0, x),
    "sum": lambda x: hd.sum(x * x, axis=1) + hd.sum(x), "mean": lambda x: hd.mean(hd.exp(x), axis=0, keepdims=True),
    "max": lambda x: hd.max(x * x, axis=1) + hd.max(x), "min": lambda x: hd.min(x, axis=0),
    "cumulative_sum": lambda x: hd.cumulative_sum(x * x, axis=1), "sort": lambda x: hd.sort(x * x, axis=1, descending=True),
    "take_along_axis": lambda x: hd.take_along_axis(x * x, np.array([[0, 2], [1, 1], [3, 0]]), axis=1),
    "shapes": lambda x: hd.squeeze(hd.expand_dims(hd.moveaxis(hd.reshape(x, (4, 3)), 0, 1), axis=0), axis=0),
    "permute_and_broadcast": lambda x: hd.broadcast_to(hd.permute_dims(x * x, (1, 0)), (2, 4, 3)),
    "indexing": lambda x: x[1:, ::2] * x[1:, None, 0],
    "join": lambda x: hd.concat([x, x * x, A], axis=1) + hd.stack([x, A], axis=0)[1, :, :1],
    "matmul": lambda x: hd.matmul(x, hd.permute_dims(x * x, (1, 0))) + hd.matmul(A, hd.permute_dims(x, (1, 0))),
    "astype": lambda x: hd.astype(x * x, np.float64) + hd.asarray(x),
    "logsumexp": lambda x: hd.BACKEND.kernels["logsumexp"](x * x, 1, False),
    "log_softmax": lambda x: hd.BACKEND.kernels["log_softmax"](x, 0),
    "log_sigmoid": lambda x: hd.BACKEND.kernels["log_sigmoid"](3 * x),
}


@numpy_session
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_namespace_values_are_numpys_and_derivatives_are_finite_differences(name: str) -> None:
    """Each function of a ``Dual`` along a random direction: the value equals the same function
    of NumPy arrays (NumPy's own), the derivatives its central differences along the direction."""
    f = FUNCTIONS[name]
    out = f(hd.Dual(A, DIRECTION, 0.0))
    np.testing.assert_allclose(out.v, f(A), rtol=1e-14, atol=1e-14)
    h = 1e-4
    plus, minus, center = f(A + h * DIRECTION), f(A - h * DIRECTION), f(A)
    shape = np.shape(center)
    np.testing.assert_allclose(np.broadcast_to(out.d, shape), (plus - minus) / (2 * h), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(np.broadcast_to(out.h, shape), (plus - 2 * center + minus) / h**2, rtol=1e-4, atol=1e-5)


@numpy_session
@pytest.mark.parametrize(("kernel", "args"), [("logsumexp", (1, True)), ("log_softmax", (1,)), ("log_sigmoid", ())])
def test_kernels_equal_the_generic_formulas(kernel: str, args: tuple[Any, ...]) -> None:
    """The closed-form kernels against ``_core``'s generic formulas run on hyper-dual arrays
    (away from ties, where both are exact), on a large input (bit-mask selections, reductions
    along a short last axis) with infinite entries."""
    x = np.random.default_rng(9).normal(size=(5000, 3)) * 4
    x[::7, 1] = -np.inf if kernel != "log_sigmoid" else 30.0
    dual = hd.Dual(x, np.random.default_rng(10).normal(size=(5000, 3)), 0.5)
    got, want = hd.BACKEND.kernels[kernel](dual, *args), GENERIC[kernel](hd, dual, *args)
    for part in ("v", "d", "h"):
        a, b = (np.broadcast_to(getattr(out, part), want.shape) for out in (got, want))
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@numpy_session
def test_every_namespace_function_the_losses_use_exists() -> None:
    used: set[str] = set()
    for path in [*(ROOT / "unilosses").glob("losses/**/*.py"), *(ROOT / "unilosses").glob("_core/*.py")]:
        used |= set(re.findall(r"\bxp\.([A-Za-z_][A-Za-z0-9_]*)", path.read_text()))
    assert not sorted(n for n in used if not hasattr(hd, n))


# --- the documentation -------------------------------------------------------------------------

DOCS = ROOT / "docs"


def _run_example(name: str) -> list[str]:
    """Runs ``docs/snippets/<name>`` as a reader does, in an interpreter of its own (no state
    left by other tests, such as a default Dask client; one OpenMP thread, so that the boosters
    do not compete with the test workers), and returns the lines the page shows after it that
    it did not print."""
    done = subprocess.run(
        [sys.executable, str(DOCS / "snippets" / name)], capture_output=True, text=True,
        timeout=600, env={**os.environ, "OMP_NUM_THREADS": "1"}, check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    page = (DOCS / "boosting.md").read_text()
    shown = page.split(f'--8<-- "{name}"', 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    printed = done.stdout.splitlines()
    return [line for line in shown.splitlines() if line not in printed]


def _needs(*modules: str) -> pytest.MarkDecorator:
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    return pytest.mark.skipif(bool(missing), reason=f"the example needs {', '.join(missing)}")


@numpy_session
@_needs("lightgbm")
def test_docs_lightgbm_focal_loss_example() -> None:
    assert not _run_example("boosting_lightgbm.py")


@numpy_session
@_needs("xgboost", "sklearn")
def test_docs_xgboost_example() -> None:
    assert not _run_example("boosting_xgboost.py")


@_session("dask")
@_needs("xgboost", "distributed", "pandas", "pyarrow")
def test_docs_xgboost_dask_example() -> None:
    """Two in-process workers, five rounds: the objective runs on each worker's partitions."""
    assert not _run_example("boosting_dask.py")


@numpy_session
def test_docs_page_lists_every_form() -> None:
    page = (DOCS / "boosting.md").read_text()
    table = page.split("| Scores | Labels | Losses |\n|---|---|---|\n", 1)[1].split("\n\n", 1)[0]
    listed = {name for row in table.splitlines() for name in re.findall(r"`([a-z0-9_]+)`", row.split("|")[3])}
    assert listed == set(FORMS)
