"""A plot per loss: its value and gradient as one input element sweeps a range, others fixed.

Used by ``gen_pages.py`` at build time; NumPy only (no torch/JAX needed to build the docs). The
inputs are each loss's default example (``unilosses._examples.EXAMPLES``: input kind and options,
8 samples, 3 classes), and one element of ``y_pred`` sweeps a range with the others fixed:

* elementwise losses (regression, binary, margin): the residual (or a positive prediction
  against its target), the logit, probability or score of one element, one curve per target
  value where the target is binary; the plot shows that element's loss;
* losses over a class axis (cross-entropy, KL, focal): the logit or probability of the true class
  and of another class; probabilities stay on the simplex (the other classes are rescaled); the
  plot shows that sample's loss;
* losses over whole masks, embeddings, batches or sequences: one element, the plot showing its
  sample's loss, or the batch's where the loss has one value per batch.

The range follows the input kind (logits, probabilities, log-probabilities, positive or real
values); a new input kind that needs another range gets a rule in ``_domain``/``plan``. The
gradient is the forward finite difference (step 1e-7) along the sweep. A loss that cannot be
plotted (an exception, a non-finite value, a loss the sweep does not change) raises
:class:`PlotError`: the build fails.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np

N_POINTS = 121


class PlotError(RuntimeError):
    """A loss could not be plotted; the message says which and why."""


@dataclass
class Curve:
    label: str
    index: tuple[int, ...]  # the swept element of y_pred
    offset: float  # x-axis value = element value - offset (the target for residuals)


@dataclass
class Sweep:
    arrays: list[np.ndarray]  # the loss's inputs; arrays[0] is y_pred
    curves: list[Curve]
    lo: float
    hi: float
    xlabel: str
    simplex_axis: int | None  # renormalize y_pred along this axis after each change


def _domain(kind: str, options: dict[str, Any], p: np.ndarray) -> str:
    if options.get("from_logits") or options.get("sigmoid") or options.get("softmax"):
        return "logit"
    if "log_prob" in kind or kind.startswith("ctc"):
        return "logprob"
    if "logit" in kind:
        return "logit"
    if "regression" in kind:
        return "real"
    if any(w in kind for w in ("prob", "mask", "distribution")):
        return "prob"
    if p.size and np.all((p > 0) & (p < 1)):
        return "prob"
    if p.size and np.all(p > 0):
        return "positive"
    return "real"


NOUN = {"logit": "logit", "prob": "probability", "logprob": "log-probability"}
RANGES = {"logit": (-6.0, 6.0), "prob": (0.005, 0.995), "logprob": (-6.0, -0.005)}


def _index(sample: int, flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The ``flat``-th element of sample ``sample`` (batch axis first)."""
    return (sample, *(int(i) for i in np.unravel_index(flat, shape[1:])))


def plan(name: str, kind: str, options: dict[str, Any]) -> Sweep:
    """Which elements to sweep, over which range, for one loss's example.

    The whole example batch (8 samples, 3 classes) is kept, so losses over the batch (contrastive,
    Barlow Twins) keep their meaning; the plot shows the swept sample's own loss where the loss has
    one value per element or per sample, and the total otherwise.
    """
    from unilosses._examples import make_inputs

    arrays = [np.array(a) for a in make_inputs(kind, n=8, c=3, seed=0)]
    p = arrays[0]
    if not np.issubdtype(p.dtype, np.floating) or p.ndim == 0:
        raise PlotError(f"{name}: the first input of kind {kind!r} is not a floating array")
    domain = _domain(kind, options, p)
    t = arrays[1] if len(arrays) > 1 else None
    axis = options.get("axis", -1)
    axis = (-1 if axis is None else axis) % p.ndim
    noun = NOUN.get(domain, "value")
    # sample 1: sample 0 of some kinds is an edge case (an empty mask, an ignored label)
    sample = 1 if p.shape[0] > 1 else 0
    curves: list[Curve] = []
    xlabel = f"{noun} of one element"
    bounds: tuple[float, float] | None = None
    class_labels = any(w in kind for w in ("sparse", "segmentation", "void"))

    labels = t is not None and np.issubdtype(t.dtype, np.integer) and t.ndim == p.ndim - 1
    if class_labels and labels:
        # integer class labels: the true class's and another class's entry at one position
        c = p.shape[axis]
        valid = np.argwhere((t >= 0) & (t < c))
        if len(valid) == 0:
            raise PlotError(f"{name}: no valid label in the example of kind {kind!r}")
        pos = tuple(int(i) for i in valid[0])
        label = int(t[pos])
        for cls, text in ((label, "true class"), ((label + 1) % c, "another class")):
            curves.append(Curve(text, (*pos[:axis], cls, *pos[axis:]), 0.0))
        xlabel = f"{noun} of one class"
    elif (
        t is not None and t.shape == p.shape and np.issubdtype(t.dtype, np.integer) and p.ndim == 2
    ):
        # multilabel class indices (torch's multilabel format: the targets, then -1): a sample with
        # targets and non-targets, one class of each
        c = p.shape[1]
        for s_ in range(p.shape[0]):
            row = t[s_]
            stop = int(np.argmax(row < 0)) if np.any(row < 0) else c
            targets = {int(k) for k in row[:stop]}
            if targets and len(targets) < c:
                other = min(set(range(c)) - targets)
                curves += [Curve("a target class", (s_, int(row[0])), 0.0),
                           Curve("a non-target class", (s_, other), 0.0)]
                break
        if not curves:
            raise PlotError(f"{name}: no sample with target and non-target classes ({kind!r})")
        noun = NOUN.get(domain, "score")
        xlabel = f"{noun} of one class"
    elif t is not None and t.shape == p.shape and np.issubdtype(t.dtype, np.floating):
        flat_t = t.reshape(-1)
        values = set(np.unique(flat_t).tolist())
        binary = values in ({0.0, 1.0}, {-1.0, 1.0})
        simplex_t = p.ndim >= 2 and np.all(t >= 0) and np.allclose(t.sum(axis=axis), 1)
        if "regression" in kind:
            positive = bool(np.all(p > 0) and np.all(t > 0))
            arrays[0] = p = t.copy()  # every other residual is 0
            idx = _index(sample, 0, p.shape)
            t0 = float(t[idx])
            if positive:  # positive quantities (logarithmic errors, divergences): y_pred > 0
                curves.append(Curve("", idx, 0.0))
                xlabel = f"y_pred of one element (its target {t0:.3g})"
                bounds = (0.02, max(3.0 * t0, 3.0))
            else:
                curves.append(Curve("", idx, t0))
                xlabel = "residual y_pred - y_true"
        elif simplex_t:
            # distributions or one-hot targets over the class axis: the likeliest class, another
            pos = list(_index(sample, 0, p.shape))
            k = int(np.argmax(np.moveaxis(t, axis, -1)[tuple(pos[:axis] + pos[axis + 1 :])]))
            other = (k + 1) % p.shape[axis]
            for cls, text in ((k, "likeliest target class"), (other, "another class")):
                pos[axis] = cls
                curves.append(Curve(text, tuple(pos), 0.0))
            xlabel = f"{noun} of one class"
        elif binary and p[sample].size >= 2:
            # binary targets (0/1 or -1/+1): one element of each
            hi_val, lo_val = max(values), min(values)
            for k, val in enumerate((hi_val, lo_val)):
                idx = _index(sample, k, p.shape)
                t[idx] = val
                curves.append(Curve(f"target {val:g}", idx, 0.0))
            if domain == "real":
                noun = "score"
            xlabel = f"{noun} of one element"
        else:
            curves.append(Curve("", _index(sample, 0, p.shape), 0.0))
    else:
        curves.append(Curve("", _index(sample, 0, p.shape), 0.0))

    simplex = None
    if domain == "prob" and p.shape[axis] > 1 and np.allclose(p.sum(axis=axis), 1):
        simplex = axis
        xlabel = f"{xlabel} (others rescaled)"
    if bounds is not None:
        lo, hi = bounds
    elif domain in RANGES:
        lo, hi = RANGES[domain]
    elif domain == "positive":
        scale = float(np.max(p))
        lo, hi = 0.02 * scale, 3.0 * scale
    else:
        lo, hi = -3.0, 3.0
        if not curves[0].offset and noun == "value":
            center = float(p[curves[0].index])
            curves = [Curve(cv.label, cv.index, center) for cv in curves]
            xlabel = "change of one y_pred element"
    return Sweep(arrays, curves, lo, hi, xlabel, simplex)


def _with(sweep: Sweep, curve: Curve, value: float) -> np.ndarray:
    p = sweep.arrays[0].copy()
    if sweep.simplex_axis is None:
        p[curve.index] = value
        return p
    ax = sweep.simplex_axis % p.ndim
    rest = tuple(slice(None) if i == ax else j for i, j in enumerate(curve.index))
    row = p[rest]
    k = curve.index[ax]
    others = row.sum() - row[k]
    row = row * ((1 - value) / others)
    row[k] = value
    p[rest] = row
    return p


def curves(name: str, loss: Any, sweep: Sweep, options: dict[str, Any]):
    """x values, and per curve the loss values and finite-difference gradients."""
    xs = np.linspace(sweep.lo, sweep.hi, N_POINTS)
    out = []

    def value(curve: Curve, v: float) -> float:
        # elementwise losses: the swept element's own loss; others: the sum over the batch of one
        p = _with(sweep, curve, v)
        r = np.asarray(loss(p, *sweep.arrays[1:], **options, reduction="none"))
        if r.ndim and r.shape == p.shape[: r.ndim]:  # per element or per sample: the swept one's
            return float(r[curve.index[: r.ndim]])
        return float(np.sum(r))

    for curve in sweep.curves:
        vals, grads = [], []
        for v in xs:
            x = v + curve.offset
            h = 1e-7 * max(1.0, abs(x))
            vals.append(value(curve, x))
            grads.append((value(curve, x + h) - vals[-1]) / h)
        vals_a, grads_a = np.array(vals), np.array(grads)
        bad = ~np.isfinite(vals_a) | ~np.isfinite(grads_a)
        if bad.any():
            raise PlotError(
                f"{name}: non-finite loss or gradient at {sweep.xlabel} = {xs[bad][0]:g} "
                f"({curve.label or 'the swept element'}); fix the loss or its sweep (docs/plots.py)"
            )
        out.append((curve.label, vals_a, grads_a))
    if all(np.ptp(v) <= 1e-12 * (1 + np.max(np.abs(v))) for _, v, _ in out):
        raise PlotError(
            f"{name}: the loss does not change along the sweep ({sweep.xlabel}); "
            "the swept element has no effect: choose another in docs/plots.py"
        )
    return xs, out


def render(name: str, xs: np.ndarray, data, xlabel: str) -> bytes:
    """The two-panel figure (loss, gradient) as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(7.6, 2.7), constrained_layout=True)
    for label, vals, grads in data:
        left.plot(xs, vals, label=label or None)
        right.plot(xs, grads, label=label or None)
    left.set_title(f"{name}", fontsize=10)
    right.set_title("gradient (finite difference)", fontsize=10)
    for ax in (left, right):
        ax.set_xlabel(xlabel, fontsize=9)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
        ax.axhline(0, color="0.6", lw=0.6)
    if any(label for label, _, _ in data):
        left.legend(fontsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def plot(name: str, loss: Any, kind: str, options: dict[str, Any]) -> tuple[bytes, str]:
    """PNG bytes and an alt text for one loss; raises PlotError (with the cause) on failure."""
    try:
        sweep = plan(name, kind, dict(options))
        xs, data = curves(name, loss, sweep, dict(options))
        alt = f"{name}: loss and gradient against the {sweep.xlabel}"
        return render(name, xs, data, sweep.xlabel), alt
    except PlotError:
        raise
    except Exception as exc:
        where = f"{name} (inputs {kind!r}, options {dict(options)})"
        raise PlotError(f"{where}: {type(exc).__name__}: {exc}") from exc
