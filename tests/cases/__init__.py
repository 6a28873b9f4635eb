"""The test table: every loss x option set, with its float64 NumPy reference and its natives.

A case names the public loss, an input kind from ``unilosses._examples.INPUTS``, the options, a
float64 NumPy ``reference(*arrays, **options)`` returning the unreduced loss (``reduction="none"``
shape) or ``(loss, weight)`` when ``"mean"`` divides by a weight sum (class weights, ignored
labels), and ``natives``: the same loss in torch / Keras / Optax, each ``fn(*arrays) -> mean``
over that library's arrays (converted by ``tests.natives``). Adding a loss = adding rows here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Case:
    loss: str
    inputs: str
    reference: Callable[..., Any]
    options: Mapping[str, Any] = field(default_factory=dict)
    natives: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    # option sets that must be refused: (options, exception type, text the message contains)
    bad_options: tuple[tuple[Mapping[str, Any], type[Exception], str], ...] = ()
    # positions of arguments that are integer labels (checked against [0, C) on eager backends)
    labels: tuple[int, ...] = ()
    # the loss's argument names, as its error messages use them
    names: tuple[str, ...] = ("y_pred", "y_true")
    # False where the second argument legitimately has another shape than the first
    same_shape: bool = True
    # backends the loss documents as unsupported: backend name -> text of the TypeError it raises
    unsupported: Mapping[str, str] = field(default_factory=dict)
    # where "mean" averages other per-sample values than "none" returns (torch's CTC divides each
    # loss by its label length first): those values, with ``reference``'s signature
    mean_reference: Callable[..., Any] | None = None
    # the second argument with a shape the loss must refuse (default: one entry fewer along its
    # last axis)
    wrong_shape: Callable[[Any], Any] | None = None
    # why the loss needs every size known (a pairwise matrix over the batch, a loop over time
    # steps): Dask arrays of unknown chunk sizes are refused with an error, not computed
    known_sizes: str = ""
    # properties the math guarantees for every input of the row's kind (tests/test_properties.py):
    # loss >= 0 (False where it can be negative: log-likelihoods with their constants dropped, a
    # divergence along an axis the example inputs are not normalized over) ...
    nonnegative: bool = True
    # ... loss == 0 when y_pred equals y_true (regression losses) ...
    zero_at_target: bool = False
    # ... the prediction is read through a softmax along ``axis``: a constant added to each row of
    # logits leaves the loss unchanged
    shift_invariant: bool = False

    @property
    def id(self) -> str:
        opts = ",".join(f"{k}={v}" for k, v in self.options.items() if k != "class_weight")
        if "class_weight" in self.options:
            opts += ",class_weight"
        return f"{self.loss}[{opts}]" if opts else self.loss


def regression_case(*args: Any, **kwargs: Any) -> Case:
    """A row of a loss that vanishes at ``y_pred == y_true``."""
    return Case(*args, zero_at_target=True, **kwargs)


def all_cases() -> list[Case]:
    """Every ``CASES`` list of the modules in this package (one module per family)."""
    import importlib
    import pkgutil

    cases: list[Case] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        cases += importlib.import_module(f"{__name__}.{info.name}").CASES
    return cases
