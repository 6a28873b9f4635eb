import importlib.util

import pytest
from hypothesis import settings

# The nox sessions (CI) draw the same property-test examples on every run
# (``--hypothesis-profile=derandomized``), so a failure there reproduces with the same command;
# a plain ``pytest`` run draws new ones.
settings.register_profile("derandomized", derandomize=True)

# Doctests run over unilosses/ and the docs/ pages (docs/conftest.py says which run where); the
# framework shims import their framework, so they are not collected (they hold no examples) and
# sessions without that framework still collect.
collect_ignore = ["unilosses/backends", "unilosses/_frameworks.py", "noxfile.py", "benchmarks"]

# The framework adapters import their framework: their doctests run where it is installed. Keras's
# adapter holds no doctest (Keras needs a backend configured before import); tests/test_adapters.py
# covers it.
collect_ignore += ["unilosses/keras.py", "unilosses/adapters/keras.py"]
if importlib.util.find_spec("torch") is None:
    collect_ignore += ["unilosses/torch.py", "unilosses/adapters/torch.py"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--jax-split", action="store_true",
        help="on JAX, run each test of the modules marked x32 in one of two runs: with 64-bit "
        "types where it checks float64, without them otherwise (tests/conftest.py; nox does)",
    )
