"""The framework adapters: ``unilosses.torch.Loss`` and ``unilosses.keras.Loss`` in real training
loops, against the frameworks' own loss objects."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import unilosses as ul

ROOT = Path(__file__).resolve().parents[1]


def _data(seed: int = 0, n: int = 64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    w = np.array([[1.0, -2.0, 0.5, 0.0], [0.5, 1.0, -1.0, 2.0], [-1.0, 0.0, 1.5, -0.5]])
    logits = x @ w
    y = (logits[:, :1] + 0.1 * rng.normal(size=(n, 1))).astype(np.float32)  # regression target
    labels = np.argmax(logits, axis=1).astype(np.int64)  # 4 classes, linearly separable
    return x, y, labels


def _logits(x: np.ndarray) -> np.ndarray:
    """Four logits per sample, distinct from one another (float32)."""
    mix = np.array([[0.5, -1.0, 2.0, 0.0], [1.0, 0.3, -0.7, 1.5], [-0.2, 1.2, 0.4, -1.1]])
    return (x @ mix).astype(np.float32)


# --- torch -----------------------------------------------------------------------------------


@pytest.fixture
def torch() -> Any:
    return pytest.importorskip("torch")


def test_torch_adapter_is_a_module_with_fn_and_options_in_its_repr(torch: Any) -> None:
    import unilosses.torch

    criterion = unilosses.torch.Loss(ul.huber, delta=0.5, reduction="sum")
    assert isinstance(criterion, torch.nn.Module)
    assert repr(criterion) == "Loss(fn=huber, delta=0.5, reduction='sum')"
    assert criterion.reduction == "sum"
    assert unilosses.torch.Loss(ul.mse).reduction == "mean"
    with pytest.raises(TypeError, match="fn"):
        unilosses.torch.Loss("huber")


def test_torch_adapter_refuses_bad_options_at_construction(torch: Any) -> None:
    import unilosses.torch

    with pytest.raises(TypeError, match=r"huber\(\) has no option 'delt'; its options are: delta,"):
        unilosses.torch.Loss(ul.huber, delt=0.5)
    with pytest.raises(TypeError, match=r"'weight'.*class_weight"):
        unilosses.torch.Loss(ul.sparse_categorical_crossentropy, weight=torch.ones(3))
    with pytest.raises(ValueError, match="reduction"):
        unilosses.torch.Loss(ul.mse, reduction="batchmean")
    criterion = unilosses.torch.Loss(ul.mse)
    with pytest.raises(ValueError, match="reduction"):
        criterion.reduction = "avg"
    # reduction is an attribute that forward reads, as in torch's losses
    pred, true = torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0])
    criterion.reduction = "sum"
    torch.testing.assert_close(criterion(pred, true), torch.nn.MSELoss(reduction="sum")(pred, true))


def test_torch_adapter_equals_torch_losses(torch: Any) -> None:
    import unilosses.torch

    x, _, labels = _data()
    logits = torch.tensor(_logits(x))
    target = torch.tensor(labels)
    for reduction in ("mean", "sum", "none"):
        ours = unilosses.torch.Loss(
            ul.sparse_categorical_crossentropy, from_logits=True, reduction=reduction
        )
        theirs = torch.nn.CrossEntropyLoss(reduction=reduction)
        torch.testing.assert_close(ours(logits, target), theirs(logits, target))
    pred, true = torch.tensor(x), torch.tensor(x[::-1].copy())
    mse = unilosses.torch.Loss(ul.mse)
    torch.testing.assert_close(mse(pred, true), torch.nn.MSELoss()(pred, true))
    torch.testing.assert_close(
        unilosses.torch.Loss(ul.huber, delta=0.7)(pred, true),
        torch.nn.HuberLoss(delta=0.7)(pred, true),
    )
    # sample_weight per call: a true weighted mean
    w = torch.arange(1.0, 65.0)
    got = unilosses.torch.Loss(ul.sparse_categorical_crossentropy, from_logits=True)(
        logits, target, sample_weight=w
    )
    per_sample = torch.nn.functional.cross_entropy(logits, target, reduction="none")
    torch.testing.assert_close(got, (w * per_sample).sum() / w.sum())


@pytest.mark.parametrize("kind", ["tensor", "numpy", "list"])
def test_torch_adapter_array_options_are_buffers(torch: Any, kind: str) -> None:
    """``class_weight`` given as a tensor, a NumPy array or a list is a buffer, as
    ``nn.CrossEntropyLoss``'s ``weight``: it moves with ``.to`` and is saved in ``state_dict``."""
    import unilosses.torch

    x, _, labels = _data()
    values = [1.0, 2.0, 0.5, 3.0]
    weight = {"tensor": torch.tensor(values), "numpy": np.array(values), "list": values}[kind]
    ours = unilosses.torch.Loss(
        ul.sparse_categorical_crossentropy, from_logits=True, class_weight=weight
    )
    theirs = torch.nn.CrossEntropyLoss(weight=torch.tensor(values))
    logits, target = torch.tensor(_logits(x)), torch.tensor(labels)
    torch.testing.assert_close(ours(logits, target), theirs(logits, target))
    assert repr(ours) == (
        "Loss(fn=sparse_categorical_crossentropy, from_logits=True, "
        "class_weight=tensor(shape=(4,)))"
    )
    model = torch.nn.Sequential(torch.nn.Linear(3, 4))
    model.criterion = ours  # a submodule: its buffer moves and is saved with the model
    assert "criterion.option_class_weight" in model.state_dict()
    model.to("meta")
    assert ours.options["class_weight"].device.type == "meta"
    assert ours(logits.to("meta"), target.to("meta")).device.type == "meta"


def test_torch_adapter_under_autocast_computes_in_float32_as_torch_losses(torch: Any) -> None:
    """Under ``torch.autocast`` torch's losses run in float32 (autocast's float32 list): so does
    the adapter, on a bfloat16 layer output and on bfloat16 inputs; a plain unilosses call keeps
    the input's dtype."""
    import unilosses.torch

    x, y, labels = _data()
    torch.manual_seed(0)
    layer = torch.nn.Linear(3, 4)
    xs, target, true = torch.tensor(x), torch.tensor(labels), torch.tensor(y[:, 0])
    ours = unilosses.torch.Loss(ul.sparse_categorical_crossentropy, from_logits=True)
    theirs = torch.nn.CrossEntropyLoss()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits = layer(xs)
        assert logits.dtype == torch.bfloat16
        got, expected = ours(logits, target), theirs(logits, target)
        pred = logits[:, 0]
        got_mse, expected_mse = unilosses.torch.Loss(ul.mse)(pred, true), torch.nn.MSELoss()(pred, true)
        plain = ul.mse(pred, true.to(torch.bfloat16))
    assert got.dtype == expected.dtype == torch.float32
    torch.testing.assert_close(got, expected)
    assert got_mse.dtype == expected_mse.dtype == torch.float32
    torch.testing.assert_close(got_mse, expected_mse)
    assert plain.dtype == torch.bfloat16
    got.backward()
    assert layer.weight.grad is not None
    assert bool(torch.isfinite(layer.weight.grad).all())


@pytest.mark.parametrize("which", ["ours", "torch"])
def test_torch_adapter_trains_a_linear_model(torch: Any, which: str) -> None:
    """A few SGD steps of a linear classifier: the loss decreases and, step for step, our
    adapter gives the parameters nn.CrossEntropyLoss gives."""
    import unilosses.torch

    x, _, labels = _data()
    xs, target = torch.tensor(x), torch.tensor(labels)

    def train(criterion: Any) -> tuple[list[float], Any]:
        torch.manual_seed(0)
        model = torch.nn.Linear(3, 4)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
        history = []
        for _ in range(15):
            optimizer.zero_grad()
            loss = criterion(model(xs), target)
            loss.backward()
            optimizer.step()
            history.append(loss.item())
        return history, model.weight.detach()

    ours, w_ours = train(unilosses.torch.Loss(ul.sparse_categorical_crossentropy, from_logits=True))
    theirs, w_theirs = train(torch.nn.CrossEntropyLoss())
    assert ours[-1] < 0.5 * ours[0]
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    torch.testing.assert_close(w_ours, w_theirs)


# --- keras, in this process (on the Keras backend tests/conftest.py picks) --------------------


@pytest.fixture
def keras() -> Any:
    return pytest.importorskip("keras")


@dataclass(frozen=True)
class ShapeCase:
    """A unilosses loss, the Keras loss class that computes the same thing, and the shapes of
    the target and the prediction Keras is given."""

    loss: str
    keras_loss: str
    target: str  # "values", "binary" or "labels"
    true_shape: tuple[int, ...]
    pred_shape: tuple[int, ...]
    options: dict[str, Any] = field(default_factory=dict)


N, C = 6, 3
SHAPE_CASES = [
    ShapeCase("mse", "MeanSquaredError", "values", (N,), (N, 1)),  # Dense(1) on 1-D targets
    ShapeCase("mse", "MeanSquaredError", "values", (N, 1), (N,)),
    ShapeCase("mse", "MeanSquaredError", "values", (N,), (N,)),  # Keras: one sample of N values
    ShapeCase("mse", "MeanSquaredError", "values", (N, 4, 1), (N, 4)),
    ShapeCase("huber", "Huber", "values", (N, 4), (N, 4, 1), {"delta": 0.5}),
    ShapeCase("binary_crossentropy", "BinaryCrossentropy", "binary", (N,), (N, 1)),
    ShapeCase("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", "labels", (N,), (N, C), {"from_logits": True}),
    ShapeCase("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", "labels", (N, 1), (N, C), {"from_logits": True}),
]


@pytest.mark.parametrize("case", SHAPE_CASES, ids=lambda c: f"{c.loss}-{c.true_shape}-{c.pred_shape}")
def test_keras_adapter_aligns_shapes_as_keras_losses(keras: Any, case: ShapeCase) -> None:
    """What ``keras.losses`` accepts, the adapter accepts with the same value, under every Keras
    reduction and with each ``sample_weight`` shape Keras takes."""
    import unilosses.keras

    rng = np.random.default_rng(1)
    size = int(np.prod(case.true_shape))
    true = {
        "values": rng.normal(size=size),
        "binary": rng.integers(0, 2, size=size),
        "labels": rng.integers(0, C, size=size),
    }[case.target].reshape(case.true_shape)
    pred = rng.normal(size=case.pred_shape)
    if case.target == "binary":
        pred = 1 / (1 + np.exp(-pred))
    true, pred = true.astype(np.float32), pred.astype(np.float32)
    w = rng.uniform(0.5, 2.0, size=N).astype(np.float32)
    for reduction in ("sum_over_batch_size", "sum", "mean_with_sample_weight", "none"):
        ours = unilosses.keras.Loss(getattr(ul, case.loss), reduction=reduction, **case.options)
        theirs = getattr(keras.losses, case.keras_loss)(reduction=reduction, **case.options)
        for weight in (None, w, w[:, None]):
            got = keras.ops.convert_to_numpy(ours(true, pred, sample_weight=weight))
            expected = keras.ops.convert_to_numpy(theirs(true, pred, sample_weight=weight))
            assert got.shape == expected.shape
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_keras_adapter_core_functions_stay_strict() -> None:
    """The alignment belongs to the adapter: the core function refuses the same shapes."""
    with pytest.raises(ValueError, match="y_true"):
        ul.mse(np.zeros((4, 1)), np.zeros(4))


def test_keras_adapter_equals_keras_huber_under_every_reduction(keras: Any) -> None:
    import unilosses.keras

    x, _, _ = _data()
    pred = x[:, :2] + 0.3
    true = x[::-1, :2].copy()
    w = np.linspace(0.5, 2.0, len(x)).astype(np.float32)
    for reduction in ("sum_over_batch_size", "sum", "mean_with_sample_weight", "none"):
        ours = unilosses.keras.Loss(ul.huber, delta=0.7, reduction=reduction)
        theirs = keras.losses.Huber(delta=0.7, reduction=reduction)
        for weight in (None, w):
            np.testing.assert_allclose(
                keras.ops.convert_to_numpy(ours(true, pred, sample_weight=weight)),
                keras.ops.convert_to_numpy(theirs(true, pred, sample_weight=weight)),
                rtol=1e-5,
            )


def test_keras_adapter_config_round_trip(keras: Any) -> None:
    import unilosses.keras

    loss = unilosses.keras.Loss(ul.huber, delta=0.25, reduction="sum", name="h")
    config = loss.get_config()
    assert config["fn"] == "huber"
    assert config["options"] == {"delta": 0.25}
    for again in (
        unilosses.keras.Loss.from_config(config),
        keras.losses.deserialize(keras.losses.serialize(loss)),
    ):
        assert type(again) is unilosses.keras.Loss
        assert again.fn is ul.huber
        assert again.options == {"delta": 0.25}
        assert (again.name, again.reduction) == ("h", "sum")
        assert again.get_config() == config
    assert unilosses.keras.Loss("huber").fn is ul.huber
    # registered on import of unilosses.keras: what keras.saving.load_model looks up
    assert keras.saving.get_registered_object("unilosses>Loss") is unilosses.keras.Loss


@pytest.mark.parametrize("kind", ["list", "numpy"])
def test_keras_adapter_array_options_pass_through_and_serialize(keras: Any, kind: str) -> None:
    """``class_weight`` as a list or a NumPy array: each sample's loss is its class's weight
    times its cross-entropy (computed here), which Keras then reduces; the option survives
    ``get_config``/``from_config`` and ``serialize``."""
    import unilosses.keras

    values = [1.0, 2.0, 0.5, 3.0]
    weight = values if kind == "list" else np.array(values)
    x, _, labels = _data()
    logits = _logits(x)
    z = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    nll = np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(labels)), labels]
    weighted = np.asarray(values)[labels] * nll
    losses = {
        reduction: unilosses.keras.Loss(
            ul.sparse_categorical_crossentropy, from_logits=True, class_weight=weight,
            reduction=reduction,
        )
        for reduction in ("none", "sum", "sum_over_batch_size")
    }
    expected = {"none": weighted, "sum": weighted.sum(), "sum_over_batch_size": weighted.mean()}
    for reduction, loss in losses.items():
        got = keras.ops.convert_to_numpy(loss(labels, logits))
        np.testing.assert_allclose(got, expected[reduction], rtol=1e-5)
    loss = losses["sum"]
    config = loss.get_config()
    for again in (
        unilosses.keras.Loss.from_config(config),
        keras.losses.deserialize(keras.losses.serialize(loss)),
    ):
        np.testing.assert_array_equal(again.options["class_weight"], values)
        assert again.get_config() == config
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(again(labels, logits)), expected["sum"], rtol=1e-5
        )


def test_keras_adapter_refuses_bad_options_at_construction(keras: Any) -> None:
    import unilosses.keras

    with pytest.raises(TypeError, match=r"huber\(\) has no option 'delt'; its options are: delta$"):
        unilosses.keras.Loss(ul.huber, delt=0.5)
    with pytest.raises(TypeError, match=r"'weight'.*class_weight"):
        unilosses.keras.Loss(ul.sparse_categorical_crossentropy, weight=[1.0, 2.0])
    with pytest.raises(TypeError, match=r"needs the option 'alpha'"):
        unilosses.keras.Loss(ul.general_robust)
    with pytest.raises(TypeError, match="sample_weight"):
        unilosses.keras.Loss(ul.huber, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match=r"unilosses.__all__"):
        unilosses.keras.Loss(lambda y_pred, y_true, **kw: y_pred)
    with pytest.raises(ValueError, match=r"unilosses.__all__"):
        unilosses.keras.Loss("no_such_loss")


# --- keras, fit on each Keras backend (one subprocess per backend) ----------------------------


@dataclass(frozen=True)
class FitCase:
    """A loss fitted by ``model.fit`` with ``(N,)`` targets. ``target`` picks the targets and the
    model's head: "values" (``Dense(1)``), "binary" (``Dense(1)`` with a sigmoid), "labels"
    (``Dense(4)`` logits). ``keras_loss`` is the Keras loss class giving the same history, or
    None where Keras has none; the fitted model's loss is checked against a NumPy formula.
    ``save``: the model is also saved and loaded back with its loss."""

    loss: str
    target: str
    options: dict[str, Any] = field(default_factory=dict)
    keras_loss: str | None = None
    save: bool = False


FIT_CASES = [
    FitCase("mse", "values", keras_loss="MeanSquaredError"),
    FitCase("binary_crossentropy", "binary", keras_loss="BinaryCrossentropy"),
    FitCase("sparse_categorical_crossentropy", "labels", {"from_logits": True}, "SparseCategoricalCrossentropy"),
    FitCase("sparse_categorical_crossentropy", "labels", {"from_logits": True, "class_weight": np.array([1.0, 2.0, 0.5, 3.0])}, save=True),
]


def _fit_reference(case: FitCase, pred: np.ndarray, true: np.ndarray) -> float:
    """The mean loss of a fitted model on all samples, in float64 from the formulas."""
    pred, true = pred.astype(np.float64), true.astype(np.float64)
    if case.target == "values":
        return float(np.mean((pred[:, 0] - true) ** 2))
    if case.target == "binary":
        p = pred[:, 0]
        return float(-np.mean(true * np.log(p) + (1 - true) * np.log1p(-p)))
    labels = true.astype(np.int64)
    z = pred - pred.max(axis=1, keepdims=True)
    nll = np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(labels)), labels]
    w = np.asarray(case.options.get("class_weight", np.ones(pred.shape[1])))[labels]
    return float(np.mean(w * nll))  # Keras's default reduction divides by the sample count


def _fit(
    keras: Any, model: Any, start: list[Any], x: Any, y: Any, w: Any, loss: Any
) -> list[float]:
    """Two epochs of SGD from the weights ``start``; the loss history."""
    model.set_weights(start)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss)
    fitted = model.fit(x, y, sample_weight=w, batch_size=8, epochs=2, verbose=0, shuffle=False)
    return [float(v) for v in fitted.history["loss"]]


def _keras_fit_worker(out: str) -> None:
    """Run in a subprocess with ``KERAS_BACKEND`` set: for every ``FIT_CASES`` row, fit a tiny
    model from the same weights with Keras's loss (where there is one) and with ours, evaluate
    it, save and load it where the row says so; write the numbers to ``out`` as JSON."""
    import tempfile

    import keras

    import unilosses.keras

    x, y, labels = _data(n=32)
    targets = {
        "values": y[:, 0],
        "binary": (y[:, 0] > 0).astype(np.float32),
        "labels": labels,
    }
    sample_weight = np.linspace(0.5, 1.5, len(x)).astype(np.float32)
    results = []
    with warnings.catch_warnings(record=True) as caught, tempfile.TemporaryDirectory() as tmp:
        warnings.simplefilter("always")
        for i, case in enumerate(FIT_CASES):
            true = targets[case.target]
            keras.utils.set_random_seed(0)
            head = {
                "values": keras.layers.Dense(1),
                "binary": keras.layers.Dense(1, activation="sigmoid"),
                "labels": keras.layers.Dense(4),
            }[case.target]
            model = keras.Sequential([keras.Input((3,)), head])
            start = model.get_weights()
            fit = (keras, model, start, x, true, sample_weight)
            theirs = None
            if case.keras_loss is not None:
                theirs = _fit(*fit, getattr(keras.losses, case.keras_loss)(**case.options))
            loss = unilosses.keras.Loss(getattr(ul, case.loss), **case.options)
            ours = _fit(*fit, loss)
            evaluated = float(model.evaluate(x, true, batch_size=len(x), verbose=0))
            reference = _fit_reference(case, model.predict(x, verbose=0), true)
            result = {"ours": ours, "theirs": theirs, "evaluated": evaluated, "reference": reference}
            if case.save:
                path = Path(tmp) / f"model{i}.keras"
                model.save(path)
                loaded = keras.saving.load_model(path)
                result["loaded"] = float(loaded.evaluate(x, true, batch_size=len(x), verbose=0))
                result["loaded_type"] = type(loaded.loss).__qualname__
                result["loaded_config"] = loaded.loss.get_config() == loss.get_config()
            results.append(result)
    ours_warnings = [str(w.message) for w in caught if "unilosses" in str(w.filename)]
    Path(out).write_text(json.dumps({"cases": results, "warnings": ours_warnings}))


@pytest.mark.parametrize("keras_backend", ["jax", "tensorflow", "torch"])
def test_keras_adapter_fits_on_each_keras_backend(keras_backend: str, tmp_path: Path) -> None:
    """``model.fit`` with ``(N,)`` targets and an ``(N, 1)`` (or ``(N, 4)``) output on one Keras
    backend: a finite history equal to Keras's own loss, the evaluated loss equal to the
    formula, and a model with an array option saved and loaded with its loss. Keras takes one
    backend per process, so each backend runs in a subprocess, in the test session of its
    framework only (all three under plain ``pytest``)."""
    session = os.environ.get("UNILOSSES_BACKEND")
    if session is not None and keras_backend not in session.split(","):
        pytest.skip(f"Keras on {keras_backend} is fitted in the {keras_backend} session")
    for module in ("keras", keras_backend):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed")
    out = tmp_path / "fit.json"
    env = {**os.environ, "KERAS_BACKEND": keras_backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("JAX_ENABLE_X64", None)  # Keras's float32 training, as users run it
    code = f"from tests.test_adapters import _keras_fit_worker; _keras_fit_worker({str(out)!r})"
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-4000:]
    result = json.loads(out.read_text())
    assert result["warnings"] == []
    for case, got in zip(FIT_CASES, result["cases"], strict=True):
        assert len(got["ours"]) == 2
        assert np.isfinite(got["ours"]).all(), (case, got)
        if case.keras_loss is not None:
            np.testing.assert_allclose(got["ours"], got["theirs"], rtol=1e-5, err_msg=str(case))
        np.testing.assert_allclose(got["evaluated"], got["reference"], rtol=1e-5, err_msg=str(case))
        if case.save:
            assert got["loaded_type"] == "Loss"
            assert got["loaded_config"], case
            np.testing.assert_allclose(got["loaded"], got["evaluated"], rtol=1e-6, err_msg=str(case))


# --- imports ---------------------------------------------------------------------------------


def test_adapter_modules_import_the_real_frameworks() -> None:
    """``unilosses/torch.py`` and ``unilosses/keras.py`` import the top-level frameworks, not
    themselves; importing the adapters package imports neither."""
    code = (
        "import importlib, importlib.util, sys\n"
        "import unilosses.adapters\n"
        "assert not {'torch', 'keras'} & set(sys.modules), sorted(sys.modules)\n"
        "for name in ('torch', 'keras'):\n"
        "    if importlib.util.find_spec(name) is None:\n"
        "        continue\n"
        "    adapter = importlib.import_module('unilosses.' + name)\n"
        "    real = sys.modules[name]\n"
        "    assert real is not adapter and 'unilosses' not in real.__file__, real\n"
        "    assert adapter.Loss.__module__ == 'unilosses.adapters.' + name\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_adapters_load_on_attribute_access() -> None:
    """``ul.torch.Loss`` works after a bare ``import unilosses``, without importing Keras."""
    pytest.importorskip("torch")
    code = (
        "import sys, unilosses as ul; assert 'torch' not in sys.modules; "
        "m = ul.torch.Loss(ul.mse); assert 'keras' not in sys.modules; print(type(m).__mro__[1])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "torch.nn" in out.stdout
