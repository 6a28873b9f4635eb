"""A loss on a JAX array sharded across several host devices (a subprocess sets the device count)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

JAX_SHARDED = textwrap.dedent(
    """
    import jax, jax.numpy as jnp, numpy as np
    from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
    import unilosses as ul
    from unilosses._examples import make_inputs
    assert len(jax.devices()) == 4, jax.devices()
    mesh = Mesh(np.array(jax.devices()), ("batch",))
    logits, labels = make_inputs("sparse_logits", n=64, c=10)
    logits, labels = logits.astype(np.float32), labels.astype(np.int32)
    x = jax.device_put(logits, NamedSharding(mesh, P("batch", None)))
    y = jax.device_put(labels, NamedSharding(mesh, P("batch")))
    assert len(x.sharding.device_set) == 4
    loss = jax.jit(lambda x, y: ul.sparse_categorical_crossentropy(x, y, from_logits=True, reduction="none"))
    out = loss(x, y)
    assert len(out.sharding.device_set) == 4, out.sharding
    ref = ul.sparse_categorical_crossentropy(logits, labels, from_logits=True, reduction="none")
    np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-5)
    g = jax.jit(jax.grad(lambda x: ul.sparse_categorical_crossentropy(x, y, from_logits=True)))(x)
    assert g.sharding.is_equivalent_to(x.sharding, 2) and bool(jnp.all(jnp.isfinite(g)))
    print("ok")
    """
)


def test_jax_sharded_across_host_devices() -> None:
    pytest.importorskip("jax", reason="the sharding test needs JAX installed")
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=4", "JAX_PLATFORMS": "cpu"}
    done = subprocess.run([sys.executable, "-c", JAX_SHARDED], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok"), done.stderr[-3000:]
