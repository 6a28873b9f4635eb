"""The public API: names, docs, test coverage and the house rule."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import unilosses as ul
from tests.cases import all_cases
from unilosses._examples import EXAMPLES, INPUTS

LOSSES = sorted(ul.__all__)


def test_all_is_exactly_the_public_losses() -> None:
    public = {n for n, v in vars(ul).items() if callable(v) and not n.startswith("_") and not inspect.ismodule(v)}
    assert set(ul.__all__) == public - set(ul._HELPERS)
    assert set(ul._HELPERS) <= public


def test_every_loss_has_an_example_and_test_cases() -> None:
    tested = {c.loss for c in all_cases()}
    assert set(LOSSES) == set(EXAMPLES) == tested
    assert {e.inputs for e in EXAMPLES.values()} <= set(INPUTS)


def test_every_loss_has_the_contract_signature() -> None:
    # (y_pred, y_true) unless the loss's cases name other arguments (CTC: log_probs, labels)
    names = {c.loss: list(c.names[:2]) for c in all_cases()}
    for name in LOSSES:
        params = inspect.signature(getattr(ul, name)).parameters
        assert list(params)[:2] == names.get(name, ["y_pred", "y_true"]), name
        for kw in ("reduction", "sample_weight", "xp"):
            assert params[kw].kind is inspect.Parameter.KEYWORD_ONLY, (name, kw)
        assert params["reduction"].default == "mean"


def test_every_loss_is_documented_with_counterpart_and_example() -> None:
    for name in LOSSES:
        doc = inspect.getdoc(getattr(ul, name)) or ""
        assert "Examples" in doc, name
        assert ">>>" in doc, name
        assert re.search(r"torch|keras|optax|MONAI", doc), name


def test_loss_modules_hold_math_only() -> None:
    pattern = re.compile(
        r"\b(import (torch|tensorflow|jax|cupy|dask)|from (torch|tensorflow|jax|cupy|dask)"
        r"|is_(torch|jax|cupy|dask|numpy|tensorflow)_(array|namespace)|tf\.|torch\.|jnp\.|cupy\.)"
    )
    for path in (Path(ul.__file__).parent / "losses").rglob("*.py"):
        hit = pattern.search(path.read_text())
        assert hit is None, (path.name, hit)


def test_readme_lists_the_whole_catalog() -> None:
    """The README's catalog table names exactly the public losses."""
    readme = (Path(ul.__file__).parent.parent / "README.md").read_text()
    table = readme[readme.index("## The catalog") : readme.index("Framework adapters")]
    assert set(re.findall(r"`([a-z0-9_]+)`", table)) == set(ul.__all__)
    # its heading counts them: distinct functions, and the other names bound to one of them
    functions = {id(getattr(ul, name)) for name in ul.__all__}
    count = re.search(r"## The catalog \((\d+) losses, (\d+) aliases\)", table)
    assert count is not None
    assert (int(count[1]), int(count[2])) == (len(functions), len(ul.__all__) - len(functions))
