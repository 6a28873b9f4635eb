"""The framework adapters: ``unilosses.torch.Loss`` and ``unilosses.keras.Loss`` in real training
loops, against the frameworks' own loss objects."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import unilosses as ul


def _data(seed: int = 0, n: int = 64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    w = np.array([[1.0, -2.0, 0.5, 0.0], [0.5, 1.0, -1.0, 2.0], [-1.0, 0.0, 1.5, -0.5]])
    logits = x @ w
    y = (logits[:, :1] + 0.1 * rng.normal(size=(n, 1))).astype(np.float32)  # regression target
    labels = np.argmax(logits, axis=1).astype(np.int64)  # 4 classes, linearly separable
    return x, y, labels


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


def test_torch_adapter_equals_torch_losses(torch: Any) -> None:
    import unilosses.torch

    x, _, labels = _data()
    logits = torch.tensor(x @ np.ones((3, 4), np.float32) + x[:, :1])
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


def test_torch_adapter_tensor_options_follow_the_module(torch: Any) -> None:
    import unilosses.torch

    x, _, labels = _data()
    weight = torch.tensor([1.0, 2.0, 0.5, 3.0])
    ours = unilosses.torch.Loss(
        ul.sparse_categorical_crossentropy, from_logits=True, class_weight=weight
    )
    theirs = torch.nn.CrossEntropyLoss(weight=weight)
    logits, target = torch.tensor(x @ np.ones((3, 4), np.float32)), torch.tensor(labels)
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


# --- keras -----------------------------------------------------------------------------------


@pytest.fixture
def keras() -> Any:
    return pytest.importorskip("keras")


def test_keras_adapter_equals_keras_losses(keras: Any) -> None:
    import unilosses.keras

    x, _, labels = _data()
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
    logits = x @ np.ones((3, 4), np.float32) + x[:, :1]
    ours = unilosses.keras.Loss(ul.sparse_categorical_crossentropy, from_logits=True)
    theirs = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    for target in (labels, labels[:, None]):  # Keras's sparse losses take both shapes
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(ours(target, logits, sample_weight=w)),
            keras.ops.convert_to_numpy(theirs(target, logits, sample_weight=w)),
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
    with pytest.raises(ValueError, match=r"unilosses.__all__"):
        unilosses.keras.Loss(lambda y_pred, y_true, **kw: y_pred)
    with pytest.raises(ValueError, match=r"unilosses.__all__"):
        unilosses.keras.Loss("no_such_loss")
    with pytest.raises(TypeError, match="sample_weight"):
        unilosses.keras.Loss(ul.huber, sample_weight=np.ones(3))


def test_keras_adapter_trains_a_linear_model_and_saves(keras: Any, tmp_path: Path) -> None:
    """``model.compile(loss=ul.keras.Loss(ul.huber, delta=...))``, a few epochs of SGD: the loss
    decreases, equals Keras's Huber on the trained model, and the saved model loads back with
    our loss."""
    import unilosses.keras

    x, y, _ = _data()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    loss = unilosses.keras.Loss(ul.huber, delta=0.5)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss)
    fitted = model.fit(x, y, batch_size=16, epochs=5, verbose=0, shuffle=False)
    history = fitted.history["loss"]
    assert all(b < a for a, b in itertools.pairwise(history)), history
    assert history[-1] < 0.7 * history[0], history
    evaluated = model.evaluate(x, y, batch_size=64, verbose=0)
    expected = keras.losses.Huber(delta=0.5)(y, model.predict(x, verbose=0))
    np.testing.assert_allclose(evaluated, keras.ops.convert_to_numpy(expected), rtol=1e-5)

    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded.loss) is unilosses.keras.Loss
    assert loaded.loss.fn is ul.huber
    assert loaded.loss.options == {"delta": 0.5}
    again = loaded.evaluate(x, y, batch_size=64, verbose=0)
    np.testing.assert_allclose(again, evaluated, rtol=1e-6)


def test_keras_adapter_trains_a_classifier_on_integer_labels(keras: Any) -> None:
    import unilosses.keras

    x, _, labels = _data()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
    loss = unilosses.keras.Loss(ul.sparse_categorical_crossentropy, from_logits=True)
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss=loss)
    fitted = model.fit(x, labels[:, None], batch_size=16, epochs=4, verbose=0, shuffle=False)
    history = fitted.history["loss"]
    assert history[-1] < 0.5 * history[0]


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
