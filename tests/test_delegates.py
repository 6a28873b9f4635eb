"""Native delegates (``unilosses.backends``): on every case row whose loss the session's library
serves with a native kernel, and on every boundary input of its kind, that kernel and the generic
array-API definition give the same values for every reduction and the same gradients (with respect
to each floating-point argument); every delegate serves at least one case row. (Every
other test runs with delegates on, as users do: the compiled, ``torch.func``, boundary and error
tests cover the delegated calls too.)

Delegates that go block by block (NumPy's) split even the small case rows into several blocks here,
and hold their peak extra memory within the inputs' bytes."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pytest

import unilosses as ul
from tests.boundaries import Boundary, C, N, boundary_cases
from tests.cases import Case, all_cases
from tests.test_losses import check_close, options_for, rounded
from unilosses import backends
from unilosses._examples import make_inputs
from unilosses._frameworks import Backend

CASES = all_cases()
CASE_PARAMS = [pytest.param(c, id=c.id) for c in CASES]
AUTODIFF = ("torch", "jax", "tensorflow")


@pytest.fixture(autouse=True)
def small_blocks(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 7 elements: the case rows span several, the last one shorter."""
    library = backends.backend_for(backend.asarray(np.zeros(1), "float32"))
    if hasattr(library, "block_size"):
        monkeypatch.setattr(library, "block_size", 7)


def _own_name(loss: str) -> str:
    fn = getattr(ul, loss)
    return str(getattr(fn, "__wrapped__", fn).__name__)


def _call(case: Case, backend: Backend, dtype: str) -> tuple[list[Any], dict[str, Any], Any]:
    xs = [backend.asarray(a, dtype) for a in make_inputs(case.inputs)]
    delegate = backends.backend_for(xs[0]).delegates.get(_own_name(case.loss))
    return xs, options_for(case, backend, dtype), delegate


def _grad(backend: Backend, fn: Any, x: Any) -> np.ndarray:
    """``backend.grad``, 0 where the loss does not depend on ``x`` (a target used only in
    comparisons)."""
    if backend.name == "torch":
        import torch

        x = x.detach().clone().requires_grad_(True)
        out = fn(x)
        if not out.requires_grad:
            return np.zeros(tuple(x.shape))
        (g,) = torch.autograd.grad(out, [x], allow_unused=True)
        return np.zeros(tuple(x.shape)) if g is None else backend.to_numpy(g)
    if backend.name == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(x)
            out = fn(x)
        g = tape.gradient(out, x)
        return np.zeros(tuple(x.shape)) if g is None else backend.to_numpy(g)
    return np.asarray(backend.grad(fn, x))


def _close(served: np.ndarray, generic: np.ndarray, dtype: str, exact: Callable[[], np.ndarray] | None) -> None:
    """Equal within the parity tolerance, or (``exact``: the float64 definition on the same
    float32 inputs) no farther from the float64 definition than the float32 definition is: a
    delegate that computes in float64 where the definition's float32 rounding loses digits."""
    try:
        check_close(served, generic.astype(np.float64), dtype)
    except AssertionError:
        if exact is None:
            raise
        ref = exact()
        assert np.max(np.abs(served - ref)) <= np.max(np.abs(generic - ref)), (served, generic, ref)


def _compare(
    case: Case, backend: Backend, arrays: list[np.ndarray], monkeypatch: pytest.MonkeyPatch, public: bool = False
) -> None:
    """The delegate against the generic definition on ``arrays``, in float64 and float32 (where
    the backend has them): values for every reduction, and the gradient of the mean with respect
    to each floating-point argument (the others held fixed, so a delegate that declines a
    gradient with respect to one argument still serves the others). Skips where the delegate
    serves neither dtype; ``public``: the loss as users call it (delegates on) against the
    generic definition, whether the delegate serves or not."""
    fn = getattr(ul, case.loss)

    def generic(f: Callable[..., Any], *args: Any) -> Any:
        monkeypatch.setattr(backends, "DELEGATES", False)
        try:
            return f(*args)
        finally:
            monkeypatch.setattr(backends, "DELEGATES", True)

    def value(xs: list[Any], opts: dict[str, Any], reduction: str) -> np.ndarray:
        return backend.to_numpy(fn(*xs, **opts, reduction=reduction))

    def grad(xs: list[Any], opts: dict[str, Any], i: int) -> np.ndarray:
        return _grad(backend, lambda x: fn(*xs[:i], x, *xs[i + 1 :], **opts), xs[i])

    served_any = False
    for dtype in ("float64", "float32") if backend.has_float64 else ("float32",):
        xs = [backend.asarray(a, dtype) for a in arrays]
        opts = options_for(case, backend, dtype)
        delegate = backends.backend_for(xs[0]).delegates[_own_name(case.loss)]
        if public:
            delegate = fn
        elif delegate(*xs, **opts) is NotImplemented:
            continue
        served_any = True
        # float32: the float64 definition on the same inputs, computed where the paths differ
        exact_xs = []
        if dtype == "float32" and backend.has_float64:
            exact_xs = [backend.asarray(a, "float64") for a in rounded(arrays, dtype, backend)]
        exact_opts = options_for(case, backend, "float64")
        for reduction in ("mean", "sum", "none"):
            served = delegate(*xs, **opts, reduction=reduction)
            assert served is not NotImplemented, f"served the mean but not {reduction!r}"
            served, plain = backend.to_numpy(served), generic(value, xs, opts, reduction)
            assert (served.dtype, served.shape) == (plain.dtype, plain.shape)
            exact = partial(generic, value, exact_xs, exact_opts, reduction) if exact_xs else None
            _close(served, plain, dtype, exact)
        if backend.name not in AUTODIFF:
            continue
        for i in (i for i, a in enumerate(arrays) if a.dtype.kind == "f"):
            exact = partial(generic, grad, exact_xs, exact_opts, i) if exact_xs else None
            _close(grad(xs, opts, i), generic(grad, xs, opts, i), dtype, exact)
    if not (served_any or public):
        pytest.skip(f"the {backend.name} delegate leaves these inputs to the generic definition")


def _delegate(case: Case, backend: Backend) -> Any:
    library = backends.backend_for(backend.asarray(np.zeros(1), "float32"))
    delegate = library.delegates.get(_own_name(case.loss))
    if delegate is None:
        pytest.skip(f"{backend.name} has no native delegate for {case.loss}")
    return delegate


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_delegate_equals_generic(case: Case, backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    _delegate(case, backend)
    _compare(case, backend, list(make_inputs(case.inputs)), monkeypatch)


@pytest.mark.parametrize(("case", "name", "make"), boundary_cases(CASES))
def test_delegate_at_boundaries(case: Case, name: str, make: Boundary, backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    """At the boundary inputs of tests/boundaries.py (probabilities of exactly 0 and 1, masked
    and saturated logits, zero vectors, zero counts and variances, hinges on their kink ...) a
    delegate serves only what it computes as the definition does, values and gradients."""
    _delegate(case, backend)
    _compare(case, backend, list(make(make_inputs(case.inputs, n=N, c=C))), monkeypatch)


# --- inputs where a native kernel and the definition part ways --------------------------------


def _label_logit_masked(a: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """Sample 0's label logit -inf (its loss is the definition's clamp, 1e30, not inf)."""
    x = a[0].copy()
    x[0, a[1][0]] = -np.inf
    return x, a[1]


def _other_logit_masked(a: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """A -inf logit on a class other than sample 0's label (read by label smoothing)."""
    x = a[0].copy()
    x[0, (a[1][0] + 1) % x.shape[1]] = -np.inf
    return x, a[1]


def _zero_targets(a: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """Class 0 without target mass: 0 log 0 = 0, with a target gradient of 0 there."""
    t = a[1].copy()
    t[:, 0] = 0.0
    return a[0], t / t.sum(axis=-1, keepdims=True)


def _masked_log_prediction(a: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """Log-probability -inf where the target is 0."""
    lp, t = a[0].copy(), a[1].copy()
    lp[:, 0], t[:, 0] = -np.inf, 0.0
    return lp, t / t.sum(axis=-1, keepdims=True)


def _prediction_below_floor(a: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """Probabilities of 1e-300 (0 in float32): below the floor where the log is clamped."""
    p = a[0].copy()
    p[:, 0] = 1e-300
    return p, a[1]


def _scores_on_the_kink(a: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """Scores 1 on each label and 0 elsewhere: every hinge ``1 - s_y + s_j`` exactly 0."""
    x = np.zeros_like(a[0])
    x[np.arange(len(a[1])), a[1]] = 1.0
    return x, a[1]


def _integer_scores(a: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """Whole-number scores: target and other classes 1 apart put hinges on their kink."""
    return np.floor(a[0] * 2), *a[1:]


def _same(a: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    return a


# (loss, input kind, options, the inputs): values and gradients where a kernel differs from the
# definition (a delegate must leave them to the definition)
EDGES = [
    ("sparse_categorical_crossentropy", "sparse_logits", {"from_logits": True}, _label_logit_masked),
    ("sparse_categorical_crossentropy", "sparse_logits", {"from_logits": True, "label_smoothing": 0.2}, _other_logit_masked),
    ("kl_divergence", "distributions", {}, _zero_targets),
    ("kl_divergence", "distributions", {}, _prediction_below_floor),
    ("kl_divergence", "log_prediction_distributions", {"log_input": True}, _masked_log_prediction),
    ("multi_margin", "sparse_logits", {"p": 1}, _scores_on_the_kink),
    ("multilabel_margin", "multilabel_indices", {}, _integer_scores),
    ("ctc", "ctc_infeasible", {}, _same),  # infeasible samples: +inf, gradient 0
]


@pytest.mark.parametrize(
    ("loss", "inputs", "options", "make"), [pytest.param(*e, id=f"{e[0]}-{e[3].__name__}") for e in EDGES]
)
def test_delegated_call_at_edges(
    loss: str, inputs: str, options: dict[str, Any], make: Boundary, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where a native kernel computes something else (inf or NaN for the definition's clamps and
    0 log 0, another gradient on a hinge's kink or at zero targets), the call equals the
    definition: its delegate declines, for that input or that gradient."""
    case = next(c for c in CASES if c.loss == loss and c.inputs == inputs)
    _delegate(case, backend)
    case = Case(loss, inputs, case.reference, options)
    _compare(case, backend, list(make(make_inputs(inputs, n=4, c=5))), monkeypatch, public=True)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES if "label_smoothing" in c.options])
def test_delegated_call_refuses_smoothing_of_one(case: Case, backend: Backend) -> None:
    """``label_smoothing=1`` is outside the definition's [0, 1): its ValueError, also where a
    delegate would serve the other options."""
    _delegate(case, backend)
    xs = [backend.asarray(a, "float32") for a in make_inputs(case.inputs)]
    opts = {**options_for(case, backend, "float32"), "label_smoothing": 1.0}
    with pytest.raises(ValueError, match="label_smoothing"):
        getattr(ul, case.loss)(*xs, **opts)


def test_every_delegate_serves_a_case(backend: Backend) -> None:
    """A delegate that declines every case row would be dead code, untested against the
    generic definition."""
    library = backends.backend_for(backend.asarray(np.zeros(1), "float32"))
    if not library.delegates:
        pytest.skip(f"{backend.name} has no native delegates")
    for name, delegate in library.delegates.items():
        rows = [c for c in CASES if _own_name(c.loss) == name]
        assert rows, f"no case row for the delegated {name}"
        served = []
        for case in rows:
            xs, opts, _ = _call(case, backend, "float32")
            served.append(delegate(*xs, **opts) is not NotImplemented)
        assert any(served), f"the {name} delegate serves none of its {len(rows)} case rows"


def test_blockwise_memory(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    """A delegate that goes block by block holds the temporaries of a block and, with
    ``reduction="none"``, the returned array (half the two inputs' bytes): with 32 blocks of 1024
    elements a call's peak extra memory stays within the inputs' bytes (NumPy's allocations, which
    tracemalloc sees)."""
    library = backends.backend_for(backend.asarray(np.zeros(1), "float32"))
    if not hasattr(library, "block_size"):
        pytest.skip(f"{backend.name} has no delegates that go block by block")
    monkeypatch.setattr(library, "block_size", 1024)
    peaks = {}
    for case in CASES:
        delegate = library.delegates.get(_own_name(case.loss))
        if delegate is None:
            continue
        xs = [backend.asarray(a, "float32") for a in make_inputs(case.inputs, n=128, c=256)]
        opts = options_for(case, backend, "float32")
        tracemalloc.start()
        served = delegate(*xs, **opts, reduction="none")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        if served is not NotImplemented:
            peaks[case.id] = peak / sum(x.nbytes for x in xs)
    assert peaks, "no delegate went block by block"
    assert max(peaks.values()) <= 1.0, {k: round(v, 2) for k, v in peaks.items() if v > 1.0}
