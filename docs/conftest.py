"""Doctests of the documentation pages (``--doctest-glob="*.md"``).

Pages with NumPy examples run in every test session. The per-library snippets of the getting
started page need their library: each runs where that library is installed, and only in its own
session when ``UNILOSSES_BACKEND`` names one (the numpy session skips the torch page, ...).
The Python files here build the site and are not collected.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

collect_ignore_glob = ["*.py"]

HERE = Path(__file__).parent
# snippet page -> (module it imports, the UNILOSSES_BACKEND session it runs in)
NEEDS = {
    "snippets/torch.md": ("torch", "torch"),
    "snippets/jax.md": ("jax", "jax"),
    "snippets/tensorflow.md": ("tensorflow", "tensorflow"),
    "snippets/dask.md": ("dask", "dask"),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    session = os.environ.get("UNILOSSES_BACKEND")
    for item in items:
        path = Path(str(item.path))
        if HERE not in path.parents:
            continue
        need = NEEDS.get(path.relative_to(HERE).as_posix())
        if need is None:
            continue
        module, backend = need
        if importlib.util.find_spec(module) is None:
            item.add_marker(pytest.mark.skip(reason=f"{module} is not installed"))
        elif session and backend not in session.split(","):
            item.add_marker(pytest.mark.skip(reason=f"runs in the {backend} session"))
