"""Each array library as the report, the benchmarks and the tests drive it: making arrays from
NumPy, reading them back, autodiff and compilation, one small class per library, and the devices
it sees here (``devices()``; ``on(device)`` is the driver that puts every array it makes there).

Not used by the losses. Frameworks are imported inside methods, only when that library is asked for.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

# what ``Backend.evaluate`` returns: (*args) -> (outputs as NumPy, gradient or None)
Evaluate = Callable[..., tuple[list[np.ndarray], "np.ndarray | None"]]

NAMES = ("numpy", "array_api_strict", "torch", "jax", "tensorflow", "dask", "cupy")

# device kinds named differently by the libraries (a device's kind is its name before ":")
_KINDS = {"gpu": "cuda", "cpu_device": "cpu"}


def device_kind(name: str) -> str:
    """``"cuda"`` for torch's ``cuda:1``, JAX's ``gpu:0``, TensorFlow's ``GPU:0``, CuPy's
    ``cuda:0``; ``"cpu"`` for ``cpu``, ``cpu:0``, ``CPU:0``, array-api-strict's ``CPU_DEVICE``."""
    kind = name.split(":")[0].lower()
    return _KINDS.get(kind, kind)


def _normal(name: str) -> str:
    """A device name with its kind spelled one way: ``GPU:0`` -> ``cuda:0``."""
    index = name.partition(":")[2]
    return device_kind(name) + (f":{index}" if index else "")


class Backend:
    name = ""
    module = ""
    low_precision: tuple[str, ...] = ("float16",)
    has_float64 = True
    compiles = False  # whether ``evaluate``'s function compiles (``compile_ahead`` pays off)
    device: str | None = None  # where ``asarray`` puts arrays (a name from ``devices()``)

    def unavailable(self) -> str | None:
        """Why this backend cannot run here, or None."""
        if importlib.util.find_spec(self.module) is None:
            return f"{self.module} is not installed"
        return None

    def devices(self) -> list[str]:
        """The devices this library sees here, by name (imports the library)."""
        return ["cpu"]

    def default_devices(self) -> list[str]:
        """The devices the tests run on unless told otherwise: every device it sees."""
        return self.devices()

    def select(self, requested: Sequence[str]) -> list[str]:
        """The devices among ``devices()`` that ``requested`` names: exactly (``cuda:1``) or by
        kind (``cuda`` is every CUDA device, whatever the library calls it)."""
        wanted = {_normal(r) for r in requested}
        return [d for d in self.devices() if _normal(d) in wanted or device_kind(d) in wanted]

    def on(self, device: str) -> Backend:
        """This driver with every array it makes on ``device``."""
        placed = copy.copy(self)
        placed.device = device
        return placed

    @property
    def xp(self) -> Any:
        """The namespace unilosses uses for this library's arrays."""
        from unilosses._namespace import namespace_of

        return namespace_of(self.asarray(np.zeros(1)))

    def asarray(self, a: np.ndarray, dtype: str | None = None) -> Any:
        raise NotImplementedError

    def to_numpy(self, x: Any) -> np.ndarray:
        return np.asarray(x)

    def grad(self, fn: Callable[[Any], Any], x: Any) -> np.ndarray | None:
        """Gradient of the scalar ``fn`` at ``x``; None where the library has no autodiff."""
        return None

    def compile(self, fn: Callable[..., Any]) -> Callable[..., Any] | None:
        """``fn`` under the library's compiler/tracer; None where it has none."""
        return None

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        return fn(*args)

    def evaluate(self, fn: Callable[..., Sequence[Any]]) -> Evaluate:
        """A call of ``fn(*args)`` (a scalar loss first, then other outputs) as this library's
        users run a training step, for the report (which times it): every output materialized as
        NumPy, and the gradient of the first with respect to ``args[0]`` (None where the library
        has no autodiff). JAX's runs under one ``jax.jit``; Dask's outputs in one ``compute``."""
        return lambda *args: ([self.to_numpy(y) for y in fn(*args)], None)

    def compile_ahead(self, fn: Callable[..., Sequence[Any]], *args: Any) -> Evaluate:
        """``evaluate(fn)``, compiled for ``args`` before its first call where the library
        compiles (the report compiles in a background thread while it checks other libraries)."""
        return self.evaluate(fn)

    def __repr__(self) -> str:
        return self.name if self.device is None else f"{self.name}-{self.device}"


def _dtype_name(a: np.ndarray, dtype: str | None) -> str:
    if dtype is None or not np.issubdtype(a.dtype, np.floating):
        return str(a.dtype)
    return dtype


class NumPy(Backend):
    name = module = "numpy"

    def asarray(self, a: np.ndarray, dtype: str | None = None) -> Any:
        return np.array(a, dtype=_dtype_name(a, dtype))


class Strict(Backend):
    """array-api-strict, on a non-default device unless told otherwise: proves the device follows
    the input. Its devices ``no_float64`` (like MPS) and ``no_x64`` (like JAX without x64) hold
    32-bit types where 64-bit ones are asked for."""

    name = module = "array_api_strict"
    low_precision = ()

    @property
    def has_float64(self) -> bool:  # type: ignore[override]
        return self.device not in ("no_float64", "no_x64")

    def devices(self) -> list[str]:
        import array_api_strict as xs

        return [d._device for d in xs.__array_namespace_info__().devices()]

    def default_devices(self) -> list[str]:
        """Its devices are labels on one host memory: the tests run on ``device1``."""
        return ["device1"]

    def asarray(self, a: np.ndarray, dtype: str | None = None) -> Any:
        import array_api_strict as xs

        xs.set_array_api_strict_flags(api_version="2024.12")
        name = _dtype_name(a, dtype)
        if self.device == "no_x64":
            name = name.replace("64", "32")
        elif self.device == "no_float64":
            name = name.replace("float64", "float32")
        return xs.asarray(a, dtype=getattr(xs, name), device=xs.Device(self.device or "device1"))

    def to_numpy(self, x: Any) -> np.ndarray:
        return np.asarray(x._array)


class Torch(Backend):
    name = module = "torch"
    low_precision = ("float16", "bfloat16")

    def devices(self) -> list[str]:
        import torch

        return ["cpu"] + [f"cuda:{i}" for i in range(torch.cuda.device_count())]

    def asarray(self, a: np.ndarray, dtype: str | None = None) -> Any:
        import torch

        a = np.ascontiguousarray(a).reshape(np.shape(a))  # ascontiguousarray makes 0-d arrays 1-d
        return torch.asarray(a, device=self.device).to(getattr(torch, _dtype_name(a, dtype)))

    def to_numpy(self, x: Any) -> np.ndarray:
        import torch

        x = x.detach().cpu()
        return np.asarray((x.to(torch.float32) if x.dtype == torch.bfloat16 else x).numpy())

    def grad(self, fn: Callable[[Any], Any], x: Any) -> np.ndarray:
        x = x.detach().clone().requires_grad_(True)
        fn(x).backward()
        return self.to_numpy(x.grad)

    def evaluate(self, fn: Callable[..., Sequence[Any]]) -> Evaluate:
        def call(x: Any, *rest: Any) -> tuple[list[np.ndarray], np.ndarray]:
            x = x.detach().clone().requires_grad_(True)
            ys = fn(x, *rest)
            ys[0].backward()
            return [self.to_numpy(y) for y in ys], self.to_numpy(x.grad)

        return call

    def compile(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        import torch

        torch._dynamo.reset()
        backend = os.environ.get("UNILOSSES_TORCH_COMPILE_BACKEND", "inductor")
        compiled: Callable[..., Any] = torch.compile(fn, fullgraph=True, backend=backend)
        return compiled


class Jax(Backend):
    name = module = "jax"
    low_precision = ("float16", "bfloat16")
    compiles = True

    @property
    def has_float64(self) -> bool:  # type: ignore[override]
        import jax

        return bool(jax.config.jax_enable_x64)

    def devices(self) -> list[str]:
        """``platform:id``: ``cpu:0``, and ``gpu:0`` ... where JAX has a GPU backend."""
        import jax

        found = list(jax.devices())
        if found[0].platform != "cpu":
            with contextlib.suppress(RuntimeError):  # (JAX_PLATFORMS without cpu)
                found = jax.devices("cpu") + found
        return [f"{d.platform}:{d.id}" for d in found]

    def asarray(self, a: np.ndarray, dtype: str | None = None) -> Any:
        import jax
        import jax.numpy as jnp

        name = _dtype_name(a, dtype)
        if not self.has_float64:  # JAX without x64 holds 32-bit integers
            name = name.replace("64", "32")
        device = None
        if self.device is not None:
            platform, index = self.device.split(":")
            device = next(d for d in jax.devices(platform) if d.id == int(index))
        return jnp.asarray(a, dtype=getattr(jnp, name), device=device)

    def to_numpy(self, x: Any) -> np.ndarray:
        import jax.numpy as jnp

        return np.asarray(x.astype(jnp.float32) if x.dtype == jnp.bfloat16 else x)

    def grad(self, fn: Callable[[Any], Any], x: Any) -> np.ndarray:
        import jax

        return np.asarray(jax.grad(fn)(x))

    def compile(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        import jax

        jitted: Callable[..., Any] = jax.jit(fn)
        return jitted

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Every JAX value test runs under ``jax.jit``."""
        return self.compile(fn)(*args)

    def evaluate(self, fn: Callable[..., Sequence[Any]]) -> Evaluate:
        return self._outputs(self._step(fn))

    def compile_ahead(self, fn: Callable[..., Sequence[Any]], *args: Any) -> Evaluate:
        return self._outputs(self._step(fn).lower(*args).compile())

    @staticmethod
    def _step(fn: Callable[..., Sequence[Any]]) -> Any:
        """``jax.jit`` of the first output's value and gradient, with the other outputs."""
        import jax

        def split(x: Any, *rest: Any) -> tuple[Any, Sequence[Any]]:
            ys = fn(x, *rest)
            return ys[0], ys[1:]

        return jax.jit(jax.value_and_grad(split, has_aux=True))

    def _outputs(self, run: Callable[..., Any]) -> Evaluate:
        def call(*args: Any) -> tuple[list[np.ndarray], np.ndarray]:
            (y, rest), g = run(*args)
            return [self.to_numpy(v) for v in (y, *rest)], self.to_numpy(g)

        return call


class TensorFlow(Backend):
    name = module = "tensorflow"
    low_precision = ("float16", "bfloat16")

    def devices(self) -> list[str]:
        """``CPU:0``, ``GPU:0`` ... (the physical devices: listing them leaves the runtime
        unstarted, so a test may still configure logical devices)."""
        import tensorflow as tf

        found = tf.config.list_physical_devices()
        return [d.name.split("device:")[-1] for d in found if d.device_type in ("CPU", "GPU")]

    def asarray(self, a: np.ndarray, dtype: str | None = None) -> Any:
        import tensorflow as tf

        x = tf.constant(a, dtype=getattr(tf, _dtype_name(a, dtype)))
        if self.device is None:
            return x
        with tf.device(self.device):
            return tf.identity(x)

    def to_numpy(self, x: Any) -> np.ndarray:
        import tensorflow as tf

        if isinstance(x, tf.IndexedSlices):  # the gradient of a gather's input
            x = tf.convert_to_tensor(x)
        return np.asarray((tf.cast(x, tf.float32) if x.dtype == tf.bfloat16 else x).numpy())

    def grad(self, fn: Callable[[Any], Any], x: Any) -> np.ndarray:
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(x)
            y = fn(x)
        return self.to_numpy(tape.gradient(y, x))

    def evaluate(self, fn: Callable[..., Sequence[Any]]) -> Evaluate:
        import tensorflow as tf

        def call(x: Any, *rest: Any) -> tuple[list[np.ndarray], np.ndarray]:
            with tf.GradientTape() as tape:
                tape.watch(x)
                ys = fn(x, *rest)
            return [self.to_numpy(y) for y in ys], self.to_numpy(tape.gradient(ys[0], x))

        return call

    def compile(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        import tensorflow as tf

        traced: Callable[..., Any] = tf.function(fn, reduce_retracing=True)
        return traced


class Dask(Backend):
    name = module = "dask"

    def asarray(self, a: np.ndarray, dtype: str | None = None) -> Any:
        import dask.array as da

        chunks = tuple(max(1, s // 2) for s in a.shape)  # several chunks along every axis
        return da.from_array(a.astype(_dtype_name(a, dtype)), chunks=chunks)

    def to_numpy(self, x: Any) -> np.ndarray:
        return np.asarray(x.compute())

    def evaluate(self, fn: Callable[..., Sequence[Any]]) -> Evaluate:
        import dask

        return lambda *args: ([np.asarray(y) for y in dask.compute(*fn(*args))], None)


class CuPy(Backend):
    name = module = "cupy"

    def unavailable(self) -> str | None:
        reason = super().unavailable()
        if reason:
            return reason
        try:
            import cupy

            if cupy.cuda.runtime.getDeviceCount() > 0:
                return None
        except Exception as e:  # no driver, no device
            return f"CuPy has no CUDA device here ({type(e).__name__}: {e})"
        return "CuPy has no CUDA device here"

    def devices(self) -> list[str]:
        import cupy

        return [f"cuda:{i}" for i in range(cupy.cuda.runtime.getDeviceCount())]

    def asarray(self, a: np.ndarray, dtype: str | None = None) -> Any:
        import cupy

        if self.device is None:
            return cupy.asarray(a, dtype=_dtype_name(a, dtype))
        with cupy.cuda.Device(int(self.device.split(":")[1])):
            return cupy.asarray(a, dtype=_dtype_name(a, dtype))

    def to_numpy(self, x: Any) -> np.ndarray:
        import cupy

        return np.asarray(cupy.asnumpy(x))


BACKENDS: dict[str, Backend] = {
    b.name: b for b in (NumPy(), Strict(), Torch(), Jax(), TensorFlow(), Dask(), CuPy())
}
