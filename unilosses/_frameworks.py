"""Each array library as the report, the benchmarks and the tests drive it: making arrays from
NumPy, reading them back, autodiff and compilation, one small class per library.

Not used by the losses. Frameworks are imported inside methods, only when that library is asked for.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

# what ``Backend.evaluate`` returns: (*args) -> (outputs as NumPy, gradient or None)
Evaluate = Callable[..., tuple[list[np.ndarray], "np.ndarray | None"]]

NAMES = ("numpy", "array_api_strict", "torch", "jax", "tensorflow", "dask", "cupy")


class Backend:
    name = ""
    module = ""
    low_precision: tuple[str, ...] = ("float16",)
    has_float64 = True
    compiles = False  # whether ``evaluate``'s function compiles (``compile_ahead`` pays off)

    def unavailable(self) -> str | None:
        """Why this backend cannot run here, or None."""
        if importlib.util.find_spec(self.module) is None:
            return f"{self.module} is not installed"
        return None

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
        return self.name


def _dtype_name(a: np.ndarray, dtype: str | None) -> str:
    if dtype is None or not np.issubdtype(a.dtype, np.floating):
        return str(a.dtype)
    return dtype


class NumPy(Backend):
    name = module = "numpy"

    def asarray(self, a: np.ndarray, dtype: str | None = None) -> Any:
        return np.array(a, dtype=_dtype_name(a, dtype))


class Strict(Backend):
    """array-api-strict on a non-default device: proves the device follows the input."""

    name = module = "array_api_strict"
    low_precision = ()

    def asarray(self, a: np.ndarray, dtype: str | None = None) -> Any:
        import array_api_strict as xs

        xs.set_array_api_strict_flags(api_version="2024.12")
        return xs.asarray(
            a, dtype=getattr(xs, _dtype_name(a, dtype)), device=xs.Device("device1")
        )

    def to_numpy(self, x: Any) -> np.ndarray:
        return np.asarray(x._array)


class Torch(Backend):
    name = module = "torch"
    low_precision = ("float16", "bfloat16")

    def asarray(self, a: np.ndarray, dtype: str | None = None) -> Any:
        import torch

        a = np.ascontiguousarray(a).reshape(np.shape(a))  # ascontiguousarray makes 0-d arrays 1-d
        return torch.asarray(a).to(getattr(torch, _dtype_name(a, dtype)))

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

    def asarray(self, a: np.ndarray, dtype: str | None = None) -> Any:
        import jax.numpy as jnp

        name = _dtype_name(a, dtype)
        if not self.has_float64:  # JAX without x64 holds 32-bit integers
            name = name.replace("64", "32")
        return jnp.asarray(a, dtype=getattr(jnp, name))

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

    def asarray(self, a: np.ndarray, dtype: str | None = None) -> Any:
        import tensorflow as tf

        return tf.constant(a, dtype=getattr(tf, _dtype_name(a, dtype)))

    def to_numpy(self, x: Any) -> np.ndarray:
        import tensorflow as tf

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

    def asarray(self, a: np.ndarray, dtype: str | None = None) -> Any:
        import cupy

        return cupy.asarray(a, dtype=_dtype_name(a, dtype))

    def to_numpy(self, x: Any) -> np.ndarray:
        import cupy

        return np.asarray(cupy.asnumpy(x))


BACKENDS: dict[str, Backend] = {
    b.name: b for b in (NumPy(), Strict(), Torch(), Jax(), TensorFlow(), Dask(), CuPy())
}
