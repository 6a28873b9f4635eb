"""JAX: ``jax.numpy`` (an array-API namespace), with ``jax.nn``'s fused log-space kernels.

Values are read only from concrete arrays on CPU devices: never from tracers (``jax.jit``,
``jax.grad``, ``vmap``), never from accelerators (a device synchronization per check). JAX
differentiates ``abs`` to 1 at 0, so ``magnitude`` keeps the generic ``x * sign(x)``. Its
``take_along_axis`` clips indices (``mode="clip"``): invalid labels are made NaN by the loss.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from .generic import Backend


def owns(x: Any) -> bool:
    return isinstance(x, jax.Array)


def _repeat(n: int, body: Any, state: Any) -> Any:
    """``fori_loop`` where the loop is traced (``jax.jit``: XLA compiles the body once, not ``n``
    copies); eager values take a Python loop, since an eager ``fori_loop`` compiles its body on
    every call."""
    if any(isinstance(s, jax.core.Tracer) for s in state):
        return jax.lax.fori_loop(0, n, lambda _, s: body(s), state)
    for _ in range(n):
        state = body(state)
    return state


class Jax(Backend):
    name = "jax"

    def __init__(self) -> None:
        super().__init__(jnp)
        self.kernels.update({
            "log_softmax": lambda x, axis: jax.nn.log_softmax(x, axis=axis),
            "logsumexp": lambda x, axis, keepdims=False: jax.nn.logsumexp(
                x, axis=axis, keepdims=keepdims
            ),
            "log_sigmoid": jax.nn.log_sigmoid,
            "erf": jax.lax.erf,
            "stop_gradient": jax.lax.stop_gradient,
            "repeat": _repeat,
            "take_along_axis": lambda x, idx, axis: jnp.take_along_axis(
                x, idx, axis=axis, mode="clip"
            ),
        })

    def can_inspect(self, x: Any) -> bool:
        if isinstance(x, jax.core.Tracer):
            return False
        return all(d.platform == "cpu" for d in x.devices())


BACKEND = Jax()
