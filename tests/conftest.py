"""The ``backend`` fixture: the namespace named by ``UNILOSSES_BACKEND`` (the nox session), or
every installed one under plain ``pytest``, on every device that library sees here, or on those
``UNILOSSES_DEVICE`` names (a comma list of names such as ``cuda:1`` or kinds such as ``cuda``;
a library without such a device skips, saying what it sees)."""

from __future__ import annotations

import importlib.util
import os

# Keras is only a numeric reference here: run it on an installed backend of its own (its NumPy
# backend needs JAX anyway)
for _keras_backend in ("jax", "tensorflow", "torch"):
    if importlib.util.find_spec(_keras_backend) is not None:
        os.environ.setdefault("KERAS_BACKEND", _keras_backend)
        break
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# every test process (one per pytest-xdist worker) shares the GPUs: JAX and TensorFlow allocate as
# they go instead of taking most of a GPU's memory at start
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")

from typing import Any  # noqa: E402

import pytest  # noqa: E402

from unilosses._frameworks import BACKENDS, NAMES, Backend  # noqa: E402


def _params() -> list[Any]:
    requested = os.environ.get("UNILOSSES_BACKEND")
    devices = [d.strip() for d in os.environ.get("UNILOSSES_DEVICE", "").split(",") if d.strip()]
    names = requested.split(",") if requested else [n for n in NAMES if n != "cupy"] + ["cupy"]
    params = []
    for name in names:
        if name not in BACKENDS:
            raise pytest.UsageError(f"UNILOSSES_BACKEND: unknown backend {name!r}; one of {NAMES}")
        reason = BACKENDS[name].unavailable()
        if reason is None:
            params += _on_devices(BACKENDS[name], devices)
        elif requested and name != "cupy":
            raise pytest.UsageError(f"UNILOSSES_BACKEND={name} but {reason}")
        elif requested or importlib_available(name):
            params.append(pytest.param(BACKENDS[name], id=name, marks=pytest.mark.skip(reason=reason)))
    return params


def _on_devices(backend: Backend, requested: list[str]) -> list[Any]:
    """One param per device, id ``<library>-<device>``; a skip where none is as requested."""
    found = backend.select(requested) if requested else backend.default_devices()
    if found:
        return [pytest.param(backend.on(d), id=repr(backend.on(d))) for d in found]
    wanted = ",".join(requested)
    reason = f"no {wanted!r} device visible to {backend.name} (it sees {', '.join(backend.devices())})"
    return [pytest.param(backend, id=f"{backend.name}-{wanted}", marks=pytest.mark.skip(reason=reason))]


def importlib_available(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


BACKEND_PARAMS = _params()


@pytest.fixture(params=BACKEND_PARAMS)
def backend(request: pytest.FixtureRequest) -> Any:
    # Dask computes with its default threaded scheduler here (a distributed client costs
    # milliseconds per task); tests/test_scale_dask.py runs losses on a LocalCluster
    return request.param


def _available(params: list[Any]) -> list[Backend]:
    return [p.values[0] for p in params if not p.marks]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``autodiff_backend``/``compile_backend``: the session's backends that have autodiff or a
    compiler; ``low_precision``: (backend, dtype) for the float16/bfloat16 each backend has."""
    backends = _available(BACKEND_PARAMS)
    skipped = [m.kwargs["reason"] for p in BACKEND_PARAMS for m in p.marks]
    session = ", ".join(map(repr, backends)) or "; ".join(skipped) or "none"
    if "autodiff_backend" in metafunc.fixturenames:
        ok = [pytest.param(b, id=repr(b)) for b in backends if b.name in ("torch", "jax", "tensorflow")]
        metafunc.parametrize("autodiff_backend", ok or [pytest.param(None, marks=pytest.mark.skip(reason=f"no autodiff library among this session's backends ({session})"))])
    if "compile_backend" in metafunc.fixturenames:
        ok = [pytest.param(b, id=repr(b)) for b in backends if b.name in ("torch", "jax", "tensorflow")]
        metafunc.parametrize("compile_backend", ok or [pytest.param(None, marks=pytest.mark.skip(reason=f"no compiler among this session's backends ({session})"))])
    if "torch_backend" in metafunc.fixturenames:
        ok = [pytest.param(b, id=repr(b)) for b in backends if b.name == "torch"]
        metafunc.parametrize("torch_backend", ok or [pytest.param(None, marks=pytest.mark.skip(reason=f"torch is not among this session's backends ({session})"))])
    if "low_precision" in metafunc.fixturenames:
        ok = [pytest.param((b, d), id=f"{b!r}-{d}") for b in backends for d in b.low_precision]
        metafunc.parametrize("low_precision", ok or [pytest.param(None, marks=pytest.mark.skip(reason=f"no float16/bfloat16 among this session's backends ({session})"))])


def _jax(item: pytest.Item) -> Backend | None:
    """The JAX backend ``item`` runs on (any backend parameter), or None."""
    callspec = getattr(item, "callspec", None)
    for value in callspec.params.values() if callspec else ():
        backend = value[0] if isinstance(value, tuple) and value else value
        if isinstance(backend, Backend) and backend.name == "jax":
            return backend
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``--jax-split``: JAX runs twice in its nox session, with 64-bit types, then the modules
    marked ``x32`` without them (JAX's default). Each test of those modules runs once on JAX:
    with 64-bit types where float64 is what it checks (a ``dtype`` parameter of ``"float64"``, or
    the ``x64`` mark: its dtype is float64 where the backend has it), without them otherwise."""
    if not config.getoption("jax_split"):
        return
    for item in items:
        jax = _jax(item) if item.get_closest_marker("x32") is not None else None
        if jax is None:
            continue
        callspec = getattr(item, "callspec", None)
        x64 = item.get_closest_marker("x64") is not None or (
            callspec is not None and callspec.params.get("dtype") == "float64"
        )
        if x64 != jax.has_float64:
            run = "with" if x64 else "without"
            item.add_marker(pytest.mark.skip(
                reason=f"on JAX this runs {run} 64-bit types (one of the nox session's two runs)"
            ))
