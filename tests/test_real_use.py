"""What users do with a loss on their first day, for every case of the table.

``torch.func`` transforms (per-sample gradients) and fake tensors; ``torch.compile`` with dynamic
shapes; invalid labels where no eager check can read them (traced, lazy: the loss is NaN, never a
neighbouring class's number); options given as NumPy scalars, 0-d arrays and lists; Keras-style
``(N, 1)`` sample weights; Dask arrays whose chunk sizes are unknown; a first call that is
compiled.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

import unilosses as ul
from tests.cases import Case, all_cases
from tests.conftest import BACKEND_PARAMS, _available
from tests.test_losses import check_close, loss_fn, options_for, reduce_np, reference, rounded
from unilosses._examples import make_inputs
from unilosses._frameworks import Backend

CASES = all_cases()
CASE_PARAMS = [pytest.param(c, id=c.id) for c in CASES]
# one option set per loss (the one with the fewest options: the defaults where a row has them),
# for the tests that trace: each distinct code path is compiled once
ONE_PER_LOSS = {c.loss: c for c in sorted(CASES, key=lambda c: -len(c.options))}
ONE_PER_LOSS_PARAMS = [pytest.param(c, id=c.id) for c in ONE_PER_LOSS.values()]
LABEL_ONE_PER_LOSS = [
    pytest.param(c, id=c.id)
    for c in {c.loss: c for c in sorted(CASES, key=lambda c: -len(c.options)) if c.labels}.values()
]


def test_first_call_compiled(compile_backend: Backend) -> None:
    """In a fresh process (the library imported, then unilosses), the very first call of a loss
    runs under the compiler: finding the arrays' backend needs no import a tracer cannot follow."""
    code = (
        f"import {compile_backend.module}, numpy as np, unilosses as ul\n"
        "from unilosses._frameworks import BACKENDS\n"
        f"b = BACKENDS[{compile_backend.name!r}]\n"
        "x, y = b.asarray(np.ones((3, 2)), 'float32'), b.asarray(np.zeros((3, 2)), 'float32')\n"
        "print(float(b.to_numpy(b.compile(lambda p, t: ul.mean_squared_error(p, t))(x, y))))\n"
    )
    env = {**os.environ, "UNILOSSES_TORCH_COMPILE_BACKEND": "aot_eager"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert float(run.stdout.split()[-1]) == 1.0


def _stack2(torch: Any, x: Any) -> Any:
    return torch.stack([x, x])


# --- torch.func and fake tensors --------------------------------------------------------------


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_torch_func_grad_and_vmap(case: Case, torch_backend: Backend) -> None:
    """``torch.func.grad`` equals autograd, and ``vmap(grad)`` over a batch of copies of every
    argument (labels included, as per-sample-gradient code does) gives it per copy."""
    import torch

    backend = torch_backend
    xs = [backend.asarray(a, "float64") for a in make_inputs(case.inputs, n=4, c=5)]
    fn = loss_fn(case, backend, "float64")
    expected = backend.grad(lambda x: fn(x, *xs[1:]), xs[0])
    got = torch.func.grad(lambda x: fn(x, *xs[1:]))(xs[0])
    np.testing.assert_allclose(backend.to_numpy(got), expected, rtol=1e-10, atol=1e-12)
    per_copy = torch.func.vmap(torch.func.grad(fn))(*(_stack2(torch, x) for x in xs))
    for g in per_copy:
        np.testing.assert_allclose(backend.to_numpy(g), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_torch_fake_tensors(case: Case, torch_backend: Backend) -> None:
    """Under ``FakeTensorMode`` (shape propagation, no data) the loss runs and has its shape."""
    from torch._subclasses.fake_tensor import FakeTensorMode

    backend = torch_backend
    arrays = make_inputs(case.inputs)
    xs = [backend.asarray(a, "float32") for a in arrays]
    opts = options_for(case, backend, "float32")
    with FakeTensorMode() as mode:
        fake = [mode.from_tensor(x) for x in xs]
        fake_opts = {k: mode.from_tensor(v) if hasattr(v, "dtype") else v for k, v in opts.items()}
        out = getattr(ul, case.loss)(*fake, **fake_opts, reduction="none")
    assert tuple(out.shape) == reference(case, arrays)[0].shape


# --- torch.compile with dynamic shapes --------------------------------------------------------


@pytest.mark.parametrize("case", ONE_PER_LOSS_PARAMS)
def test_torch_compile_dynamic(case: Case, torch_backend: Backend) -> None:
    """``torch.compile(dynamic=True, fullgraph=True)`` traces the loss with its default float
    options (no check touches a symbolic number) and serves two batch sizes, without warnings."""
    import torch

    backend = torch_backend
    torch._dynamo.reset()
    fn = loss_fn(case, backend, "float32", reduction="none")
    # Dynamo alone ("eager" backend): what breaks with symbolic sizes and numbers is its tracing
    compiled = torch.compile(fn, dynamic=True, fullgraph=True, backend="eager")
    for n in (4, 6):
        xs = [backend.asarray(a, "float32") for a in make_inputs(case.inputs, n=n)]
        check_close(backend.to_numpy(compiled(*xs)), backend.to_numpy(fn(*xs)), "float32")


# --- invalid labels that no eager check reads -------------------------------------------------


def _with_bad_label(case: Case) -> list[np.ndarray]:
    arrays = [a.copy() for a in make_inputs(case.inputs)]
    i = case.labels[0]
    arrays[i].flat[0] = arrays[0].shape[-1] + 3  # the first sample's first label, out of range
    return arrays


@pytest.mark.parametrize("case", LABEL_ONE_PER_LOSS)
def test_invalid_labels_unchecked_give_nan(case: Case, backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    """Compiled (jax.jit, tf.function, torch.compile) or lazy (Dask), an out-of-range label makes
    its sample's loss NaN, never another class's value; a library whose own gather checks the
    index (torch, TensorFlow) may raise instead. Eager host arrays raise ValueError
    (test_losses.test_labels_out_of_range)."""
    if backend.name in case.unsupported:
        pytest.skip(f"{case.loss} on {backend.name}: {case.unsupported[backend.name]}")
    monkeypatch.setenv("UNILOSSES_TORCH_COMPILE_BACKEND", "aot_eager")  # (the graph, not codegen)
    arrays = _with_bad_label(case)
    xs = [backend.asarray(a, "float32") for a in arrays]
    fn = loss_fn(case, backend, "float32", reduction="none")
    compiled = backend.compile(fn)
    if compiled is None and backend.name != "dask":
        pytest.skip(f"{backend.name} is eager and on the host: its labels are checked (ValueError)")
    try:
        out = backend.to_numpy((compiled or fn)(*xs))
    except Exception as e:  # the library's own bounds check
        assert backend.name in ("torch", "tensorflow"), e  # noqa: PT017
        assert any(w in str(e).lower() for w in ("index", "indices", "bound")), e  # noqa: PT017
        return
    assert np.isnan(out.flat[0])
    mean = loss_fn(case, backend, "float32")
    assert np.isnan(backend.to_numpy((backend.compile(mean) or mean)(*xs)))


# --- options as users pass them ---------------------------------------------------------------


def _as_numpy_scalars(options: dict[str, Any]) -> list[dict[str, Any]]:
    """The options with every number as a NumPy scalar, then as a 0-d array, and every vector as
    a list."""
    scalars, zero_d = dict(options), dict(options)
    for k, v in options.items():
        if not _numeric(v):
            continue
        if isinstance(v, np.ndarray):
            scalars[k] = zero_d[k] = v.tolist()
        else:
            scalars[k] = np.int64(v) if isinstance(v, int) else np.float32(v)
            zero_d[k] = np.asarray(v)
    return [scalars, zero_d]


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float, np.ndarray)) and not isinstance(value, bool)


NUMERIC_OPTION_CASES = [p for p in CASE_PARAMS if any(_numeric(v) for v in p.values[0].options.values())]


@pytest.mark.parametrize("case", NUMERIC_OPTION_CASES)
def test_options_as_numpy_scalars_0d_arrays_and_lists(case: Case, backend: Backend) -> None:
    if backend.name in case.unsupported:
        pytest.skip(f"{case.loss} on {backend.name}: {case.unsupported[backend.name]}")
    arrays = make_inputs(case.inputs)
    xs = [backend.asarray(a, "float32") for a in arrays]
    expected = backend.to_numpy(loss_fn(case, backend, "float32")(*xs))
    for options in _as_numpy_scalars(dict(case.options)):
        got = getattr(ul, case.loss)(*xs, **options)
        check_close(backend.to_numpy(got), expected, "float32")


def test_numpy_scalar_results_go_back_in() -> None:
    """A reduced NumPy loss is a NumPy scalar; it is an array argument like any other."""
    first = ul.mean_squared_error(np.array([1.0, 2.0]), np.array([0.0, 0.0]))
    assert isinstance(first, np.floating)
    assert ul.mean_squared_error(first, np.float64(0.5)) == (float(first) - 0.5) ** 2


PER_SAMPLE_CASES = [p for p in CASE_PARAMS if reference(p.values[0], make_inputs(p.values[0].inputs))[0].ndim == 1]


@pytest.mark.parametrize("case", PER_SAMPLE_CASES)
def test_sample_weight_of_shape_n_1(case: Case, backend: Backend) -> None:
    """A per-sample loss takes ``(N, 1)`` weights as ``(N,)`` ones (Keras passes them so)."""
    if backend.name in case.unsupported:
        pytest.skip(f"{case.loss} on {backend.name}: {case.unsupported[backend.name]}")
    arrays = make_inputs(case.inputs)
    xs = [backend.asarray(a, "float32") for a in arrays]
    loss, weight = reference(case, rounded(arrays, "float32", backend), "mean")
    sw = np.random.default_rng(0).uniform(0.5, 2.0, size=loss.shape)
    got = loss_fn(case, backend, "float32", sample_weight=backend.asarray(sw[:, None], "float32"))(*xs)
    check_close(backend.to_numpy(got), reduce_np(loss, weight, "mean", sw), "float32")


# --- Dask arrays of unknown chunk sizes -------------------------------------------------------


DASK = [pytest.param(b, id=b.name) for b in _available(BACKEND_PARAMS) if b.name == "dask"]


@pytest.mark.parametrize("dask_backend", DASK or [pytest.param(None, marks=pytest.mark.skip(reason="Dask is not among this session's backends"))])
@pytest.mark.parametrize("case", CASE_PARAMS)
def test_dask_unknown_chunk_sizes(case: Case, dask_backend: Backend) -> None:
    """Arrays after boolean masking (``x[mask]``: unknown chunk sizes, ``nan`` in the shape) give
    the values of known ones; a loss that needs the sizes (``Case.known_sizes``) raises."""
    import dask.array as da

    backend = dask_backend
    if backend.name in case.unsupported:  # its documented TypeError is asserted in test_losses
        pytest.skip(f"{case.loss} on {backend.name}: {case.unsupported[backend.name]}")
    arrays = make_inputs(case.inputs)
    n = arrays[case.labels[0] if case.labels else 1].shape[0]  # the batch: the targets' first axis

    def masked(a: np.ndarray) -> Any:
        x = backend.asarray(a, "float32")
        if a.ndim == 0 or a.shape[0] != n:
            return x
        return x[da.from_array(np.ones(n, dtype=bool), chunks=max(1, n // 2))]

    xs = [masked(a) for a in arrays]
    assert any(np.isnan(x.shape[0]) for x in xs if x.ndim)
    if case.known_sizes:  # an error (Dask's or ours), never a number
        with pytest.raises((ValueError, TypeError)):
            backend.to_numpy(loss_fn(case, backend, "float32", reduction="none")(*xs))
        return
    got = backend.to_numpy(loss_fn(case, backend, "float32", reduction="none")(*xs))
    loss, _ = reference(case, rounded(arrays, "float32", backend))
    check_close(got, loss, "float32")
