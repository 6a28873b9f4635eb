"""The TensorFlow shim: complete for the losses, equal to NumPy, graph- and tape-safe."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import unilosses as ul
from unilosses._examples import EXAMPLES, make_inputs

tf = pytest.importorskip("tensorflow", reason="the TensorFlow shim needs TensorFlow installed")
from unilosses.backends import tensorflow as shim  # noqa: E402

ROOT = Path(ul.__file__).parent


def test_every_namespace_function_the_losses_use_exists() -> None:
    used: set[str] = set()
    for path in [*ROOT.glob("losses/**/*.py"), *ROOT.glob("_core/*.py")]:
        used |= set(re.findall(r"\bxp\.([A-Za-z_][A-Za-z0-9_]*)", path.read_text()))
    missing = sorted(n for n in used if not hasattr(shim, n))
    assert not missing


rng = np.random.default_rng(0)
A = rng.normal(size=(3, 4))
B = rng.uniform(0.1, 2.0, size=(3, 4))
CASES = {
    "abs": ((A,), np.abs), "exp": ((A,), np.exp), "log": ((B,), np.log), "log1p": ((B,), np.log1p),
    "expm1": ((A,), np.expm1), "sqrt": ((B,), np.sqrt), "square": ((A,), np.square), "tanh": ((A,), np.tanh),
    "sign": ((A,), np.sign), "cosh": ((A,), np.cosh), "floor": ((A,), np.floor),
    "maximum": ((A, 0.5), np.maximum), "minimum": ((0.5, A), np.minimum), "logaddexp": ((A, B), np.logaddexp),
    "pow": ((B, 1.5), np.power), "where": ((A > 0, A, 0.0), np.where),
    "clip": ((A, -0.5, 0.5), np.clip),
    "sum": ((A,), lambda a: a.sum()), "mean": ((A,), lambda a: a.mean()),
    "max": ((A,), lambda a: a.max()), "min": ((A,), lambda a: a.min()), "prod": ((B,), lambda a: a.prod()),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_function_equals_numpy(name: str) -> None:
    args, ref = CASES[name]
    tf_args = [tf.constant(a) if isinstance(a, np.ndarray) else a for a in args]
    np.testing.assert_allclose(getattr(shim, name)(*tf_args).numpy(), ref(*args), rtol=1e-12)


def test_reductions_with_axes_and_shapes() -> None:
    t = tf.constant(A)
    np.testing.assert_allclose(shim.sum(t, axis=(0, 1)).numpy(), A.sum())
    np.testing.assert_allclose(shim.sum(t, axis=1, keepdims=True).numpy(), A.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(shim.mean(t, axis=0).numpy(), A.mean(axis=0))
    assert shim.all(tf.constant(A) == tf.constant(A)).numpy()
    assert not shim.any(tf.constant(A) > 100).numpy()
    np.testing.assert_array_equal(shim.expand_dims(t, axis=1).shape, (3, 1, 4))
    np.testing.assert_array_equal(shim.squeeze(shim.expand_dims(t, axis=1), axis=1).numpy(), A)
    np.testing.assert_array_equal(shim.reshape(t, (-1,)).numpy(), A.ravel())
    np.testing.assert_array_equal(shim.permute_dims(t, (1, 0)).numpy(), A.T)
    idx = np.array([[1], [0], [3]])
    np.testing.assert_array_equal(shim.take_along_axis(t, tf.constant(idx), axis=1).numpy(), np.take_along_axis(A, idx, 1))
    np.testing.assert_array_equal(shim.take(tf.constant([5.0, 6.0, 7.0]), tf.constant([2, 0]), axis=0).numpy(), [7.0, 5.0])
    np.testing.assert_allclose(shim.linalg.vector_norm(t, axis=-1).numpy(), np.linalg.norm(A, axis=-1))
    np.testing.assert_allclose(shim.cumulative_sum(t, axis=1).numpy(), A.cumsum(axis=1))
    np.testing.assert_allclose(shim.sort(t, axis=1, descending=True).numpy(), -np.sort(-A, axis=1))


def test_dtypes_and_promotion() -> None:
    assert shim.isdtype(tf.float32, "real floating")
    assert not shim.isdtype(tf.int32, "real floating")
    assert shim.isdtype(tf.bfloat16, "real floating")
    assert shim.isdtype(tf.int64, "integral")
    assert shim.result_type(tf.constant([1], tf.int32), tf.constant([1.0], tf.float32)) == tf.float32
    assert shim.result_type(tf.float32, tf.float64) == tf.float64
    assert shim.result_type(tf.bfloat16, tf.int32) == tf.bfloat16
    # Python scalars take the tensor's dtype (weak promotion)
    assert shim.maximum(tf.constant([1.0], tf.float64), 0).dtype == tf.float64
    assert shim.where(tf.constant([True]), tf.constant([1.0], tf.float16), 0).dtype == tf.float16
    assert shim.finfo(tf.bfloat16).bits == 16
    assert shim.astype(tf.constant([1, 2]), tf.float32).dtype == tf.float32


# sizes a loss needs to know while traced (argument -> axes): CTC loops over the time steps and
# the extended label positions
STATIC_AXES = {"ctc": {0: (0,), 1: (1,)}}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_loss_under_tf_function_with_unknown_shapes(name: str) -> None:
    """Inside tf.function the static shapes can be None; every loss still traces and is right."""
    ex = EXAMPLES[name]
    arrays = make_inputs(ex.inputs)
    xs = [tf.constant(a.astype(np.float32) if a.dtype.kind == "f" else a) for a in arrays]
    fn = getattr(ul, name)
    static = STATIC_AXES.get(name, {})
    spec = [
        tf.TensorSpec([d if k in static.get(i, ()) else None for k, d in enumerate(x.shape)], x.dtype)
        for i, x in enumerate(xs)
    ]
    graph = tf.function(lambda *a: fn(*a, **ex.options), input_signature=spec)
    np.testing.assert_allclose(graph(*xs).numpy(), fn(*xs, **ex.options).numpy(), rtol=1e-6)
    if static:  # the documented error when those sizes are unknown too
        unknown = [tf.TensorSpec([None] * x.ndim, x.dtype) for x in xs]
        with pytest.raises(ValueError, match="static"):
            tf.function(lambda *a: fn(*a, **ex.options), input_signature=unknown)(*xs)


def test_gradient_flows_and_no_global_state_changes() -> None:
    x = tf.Variable(tf.constant(A, tf.float32))
    with tf.GradientTape() as tape:
        loss = ul.huber(x, tf.constant(B, tf.float32))
    g = tape.gradient(loss, x)
    assert g is not None
    assert g.shape == x.shape
    assert isinstance(loss, tf.Tensor)
    # numpy behaviour was never switched on: tensors have no NumPy methods
    assert not hasattr(tf.constant([1.0]), "reshape")


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_variables_are_arrays(name: str) -> None:
    """Every loss takes tf.Variable arguments (no ``ndim`` of their own) and differentiates
    through them."""
    ex = EXAMPLES[name]
    arrays = make_inputs(ex.inputs)
    xs = [tf.constant(a.astype(np.float32) if a.dtype.kind == "f" else a) for a in arrays]
    fn = getattr(ul, name)
    variables = [tf.Variable(xs[0]), *xs[1:]]
    with tf.GradientTape() as tape:
        loss = fn(*variables, **ex.options)
    np.testing.assert_allclose(loss.numpy(), fn(*xs, **ex.options).numpy(), rtol=1e-6)
    g = tape.gradient(loss, variables[0])
    assert g is not None
    assert np.all(np.isfinite(tf.convert_to_tensor(g).numpy()))
