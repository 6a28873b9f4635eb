"""``python -m unilosses``: every array library found here x every loss.

For each library: its version and device. For each loss (aliases checked once, with their
function) on each library, one call on the loss's default example in float32, as the library's
users run a training step (JAX: one ``jax.jit`` of the value and its gradient), gives:

- the value (the mean) and its deviation from the NumPy float64 value: the largest difference over
  the unreduced losses and their mean, relative to the largest reference value;
- its deviation from each installed native counterpart (torch.nn.functional, Keras 3, Optax, MONAI,
  kornia ...: ``unilosses._natives``), each computed once per loss on the same float32 inputs;
- whether the library's autodiff gives a finite gradient equal to float64 central differences
  (at up to 48 entries of the prediction);
- the time of that call: the median of up to ``--repeat`` calls within 20 ms, the checked one
  among them unless it was the first call of a compiled function (JAX).

Libraries that compile (JAX) compile every loss in a background thread from the start, while the
others are checked, and are checked last; a compile is never timed.

A loss that documents a ``TypeError`` for a library (the Lovasz losses sort pixels, which Dask
arrays cannot) is shown as unsupported when it raises that error; any other error is a failure.
Progress goes to stderr. Exits with status 1 if any value, native or gradient disagrees or fails,
or if a library asked for with ``--backend`` cannot run here.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import unilosses as ul
from unilosses._examples import EXAMPLES, make_inputs
from unilosses._frameworks import BACKENDS, Backend, Evaluate
from unilosses._natives import NATIVES

VALUE_RTOL = 1e-4  # float32 against float64 (or another float32), relative to the largest value
GRAD_RTOL = 1e-3
GRAD_ATOL = 1e-5
GRADIENT_OK = ("ok", "n/a")  # "n/a": the library has no autodiff (NumPy, Dask, ...)
GRAD_ENTRIES = 48  # prediction entries compared with central differences
TIME_BUDGET = 0.02  # seconds of timed calls per pair, at least one call

# TypeErrors the losses document, as (loss, library) -> text of the message: the Lovasz losses
# sort the pixels of each image and gather them in that order, cox_ph sorts the subjects by time,
# which Dask arrays cannot
UNSUPPORTED: dict[tuple[str, str], str] = {
    ("lovasz_hinge", "dask"): "sorts the pixels of each image",
    ("lovasz_softmax", "dask"): "sorts the pixels of each image",
    ("cox_ph", "dask"): "cox_ph sorts the subjects by time",
}


def losses_and_aliases() -> dict[str, list[str]]:
    """Every loss with an example, once: its name (the function's own) -> its aliases."""
    groups: dict[int, list[str]] = {}
    for name in sorted(EXAMPLES):
        groups.setdefault(id(getattr(ul, name)), []).append(name)
    out = {}
    for names in groups.values():
        own = getattr(ul, names[0]).__name__
        main = own if own in names else names[0]
        out[main] = [n for n in names if n != main]
    return dict(sorted(out.items()))


@dataclass
class Loss:
    """One loss's example, its float64 NumPy values and (on first use) its expected gradient and
    its natives' values, shared by every library's check."""

    name: str
    aliases: list[str] = field(default_factory=list)
    natives: bool = True

    def __post_init__(self) -> None:
        example = EXAMPLES[self.name]
        self.fn = getattr(ul, self.name)
        self.options = dict(example.options)
        self.arrays = make_inputs(example.inputs)
        self.reference = [np.asarray(y) for y in self.both(*self.arrays)]
        self._grad: np.ndarray | None = None
        self._natives: dict[str, dict[str, Any]] | None = None

    def both(self, *a: Any) -> tuple[Any, Any]:
        """The mean and the unreduced loss."""
        return self.fn(*a, **self.options), self.fn(*a, **self.options, reduction="none")

    def mean(self, *a: Any) -> Any:
        return self.fn(*a, **self.options)

    @property
    def label(self) -> str:
        return f"{self.name} ({', '.join(self.aliases)})" if self.aliases else self.name

    def expected_grad(self) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
        """The checked entries of the prediction and the float64 central differences there."""
        if self._grad is None:
            self._grad = _numeric_grad(self.mean, self.arrays)
        return _grad_entries(self.arrays[0].shape), self._grad

    def native_values(self) -> dict[str, dict[str, Any]]:
        """Each installed native: what it calls, its value, its deviation from the reference
        (or the error it raised)."""
        if self._natives is None:
            self._natives = {}
            for native in NATIVES.get(self.name, ()) if self.natives else ():
                if native.available() is not None:
                    continue
                entry: dict[str, Any] = {"call": native.call, "value": None, "error": None}
                try:
                    entry["value"] = native(self.arrays)
                    entry["deviation"] = _deviation([entry["value"]], [self.reference[0]])
                except Exception as e:  # reported, not raised: the report is a diagnosis
                    entry["error"] = _first_line(e)
                self._natives[native.library] = entry
        return self._natives


def _version(backend: Backend) -> str:
    module = sys.modules.get(backend.module) or __import__(backend.module)
    return str(getattr(module, "__version__", "?"))


def _device(backend: Backend) -> str:
    from unilosses._namespace import device

    try:
        return str(device(backend.asarray(np.zeros(1), "float32")))
    except Exception as e:  # reported, not raised: the report is a diagnosis
        return f"? ({type(e).__name__})"


def _grad_entries(shape: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """Up to ``GRAD_ENTRIES`` indices into an array of ``shape`` (all of them when fewer)."""
    size = math.prod(shape)
    flat = np.arange(size)
    if size > GRAD_ENTRIES:
        flat = np.sort(np.random.default_rng(0).choice(size, GRAD_ENTRIES, replace=False))
    return np.unravel_index(flat, shape)


def _numeric_grad(fn: Callable[..., Any], arrays: Sequence[np.ndarray], h: float = 1e-6) -> Any:
    """Central differences of the scalar ``fn`` with respect to ``arrays[0]``, at the entries
    ``_grad_entries`` picks, in that order."""
    p, rest = arrays[0], arrays[1:]
    out = []
    for idx in zip(*_grad_entries(p.shape), strict=True):
        e = np.zeros_like(p)
        e[idx] = h
        out.append((float(fn(p + e, *rest)) - float(fn(p - e, *rest))) / (2 * h))
    return np.array(out)


def _deviation(got: Sequence[Any], reference: Sequence[Any]) -> float:
    """Largest ``|got - reference|`` over all values, relative to the largest reference value."""
    g = np.concatenate([np.ravel(np.asarray(a, dtype=np.float64)) for a in got])
    r = np.concatenate([np.ravel(np.asarray(a, dtype=np.float64)) for a in reference])
    if g.shape != r.shape:
        return math.inf
    if r.size == 0:
        return 0.0
    same = (g == r) | (np.isnan(g) & np.isnan(r))  # equal infinities and NaNs agree
    if not np.all(same | (np.isfinite(g) & np.isfinite(r))):
        return math.inf
    diff = np.where(same, 0.0, np.abs(g - r))
    scale = max(float(np.max(np.abs(np.where(np.isfinite(r), r, 0.0)))), 1e-12)
    return float(np.max(diff)) / scale


def _time(
    call: Callable[[], Any], repeat: int, first: float | None = None, budget: float = TIME_BUDGET
) -> float:
    """Median time of up to ``repeat`` calls, stopping once ``budget`` seconds are spent (at least
    one call). ``first``: the time of the call the caller made already, counted as one of them
    (None where that call was a warm-up: the first of a compiled function)."""
    times: list[float] = [] if first is None else [first]
    while len(times) < repeat and sum(times) < budget:
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}"


def _gradient(loss: Loss, g: np.ndarray | None) -> str:
    """"ok", "n/a" (no autodiff), "non-finite" or "mismatch"."""
    if g is None:
        return "n/a"
    if g.shape != loss.arrays[0].shape:
        return "mismatch"
    if not np.all(np.isfinite(g)):
        return "non-finite"
    entries, expected = loss.expected_grad()
    return "ok" if np.allclose(g[entries], expected, rtol=GRAD_RTOL, atol=GRAD_ATOL) else "mismatch"


def _prepare(backend: Backend, loss: Loss) -> tuple[Evaluate, list[Any]]:
    """The loss's checked call on ``backend`` (compiled where the library compiles) and its
    float32 inputs."""
    xs = [backend.asarray(a, "float32") for a in loss.arrays]
    return backend.compile_ahead(loss.both, *xs), xs


def check(
    backend: Backend,
    loss: Loss,
    repeat: int = 5,
    prepared: Future[tuple[Evaluate, list[Any]]] | None = None,
) -> dict[str, Any]:
    """One library x one loss: a JSON-ready record (see the module docstring). ``prepared``:
    ``_prepare``'s result, computed ahead (in another thread)."""
    row: dict[str, Any] = {
        "backend": backend.name,
        "loss": loss.name,
        "aliases": loss.aliases,
        "status": "ok",
        "value": None,
        "reference": float(loss.reference[0]),
        "deviation": None,
        "agrees": None,
        "native_deviation": {},
        "gradient": None,
        "us_per_call": None,
        "detail": None,
    }
    try:
        run, xs = prepared.result() if prepared else _prepare(backend, loss)
        t0 = time.perf_counter()
        got, g = run(*xs)
        first = None if backend.compiles else time.perf_counter() - t0
    except TypeError as e:  # unsupported only where the loss documents this refusal
        documented = UNSUPPORTED.get((loss.name, backend.name))
        status = "unsupported" if documented and documented in str(e) else "fail"
        return {**row, "status": status, "detail": _first_line(e)}
    except Exception as e:  # reported, not raised
        return {**row, "status": "fail", "detail": _first_line(e)}
    row["value"] = float(got[0])
    row["deviation"] = _deviation(got, loss.reference)
    row["agrees"] = row["deviation"] <= VALUE_RTOL
    natives = loss.native_values()
    row["native_deviation"] = {
        lib: _deviation(got[:1], [n["value"]]) if n["error"] is None else None
        for lib, n in natives.items()
    }
    native_ok = all(d is not None and d <= VALUE_RTOL for d in row["native_deviation"].values())
    row["gradient"] = _gradient(loss, g)
    row["us_per_call"] = _time(lambda: run(*xs), repeat, first) * 1e6
    if not (row["agrees"] and native_ok) or row["gradient"] not in GRADIENT_OK:
        row["status"] = "fail"
    return row


class _Progress:
    """``[i/total] backend loss`` on stderr: rewritten in place on a terminal, else one line
    per library."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.last = total, 0, ""
        self.tty = sys.stderr.isatty()

    def step(self, backend: str, loss: str) -> None:
        self.done += 1
        if self.tty:
            print(f"\r\033[K[{self.done}/{self.total}] {backend} {loss}", end="", file=sys.stderr)
        elif backend != self.last:
            print(f"[{self.done}/{self.total}] checking {backend} ...", file=sys.stderr)
        self.last = backend
        sys.stderr.flush()

    def close(self) -> None:
        if self.tty:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


def _json_safe(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None if math.isnan(x) else str(x)
    if isinstance(x, dict):
        return {k: _json_safe(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_json_safe(v) for v in x]
    return x


def _failing(rows: list[dict[str, Any]], natives: dict[str, dict[str, Any]]) -> list[str]:
    out = [f"{r['backend']}/{r['loss']}" for r in rows if r["status"] == "fail"]
    return out + [
        f"native {lib}/{loss}"
        for loss, entries in natives.items()
        for lib, n in entries.items()
        if n["error"] is not None
    ]


def _table(
    info: dict[str, dict[str, str]],
    missing: dict[str, str],
    natives: dict[str, dict[str, Any]],
    rows: list[dict[str, Any]],
) -> None:
    for name, d in info.items():
        print(f"{name:<17} {d['version']:<14} device {d['device']}")
    for name, reason in missing.items():
        print(f"{name:<17} not checked: {reason}")
    if any(natives.values()):
        print("\nnative counterparts (float32), deviation from the NumPy float64 value:")
        for loss, entries in natives.items():
            for n in entries.values():
                result = n["error"] if n["error"] else f"{n['deviation']:.1e}"
                print(f"  {loss:<32}{n['call'][:70]:<72}{result}")
    print()
    head = f"{'backend':<17}{'loss':<40}{'value':>13}{'max dev.':>10}{'native dev.':>12}  "
    head += f"{'gradient':<11}{'us/call':>9}"
    print(head)
    print("-" * len(head))
    for r in rows:
        label = f"{r['loss']} ({', '.join(r['aliases'])})" if r["aliases"] else r["loss"]
        if r["value"] is None:
            text = "unsupported" if r["status"] == "unsupported" else "FAILED"
            print(f"{r['backend']:<17}{label:<40}{text:>13}  {r['detail'][:60]}")
            continue
        devs = list(r["native_deviation"].values())
        native = "-" if not devs else "error" if None in devs else f"{max(devs):.1e}"
        mark = ""
        if r["status"] != "ok":
            what = "value" if not r["agrees"] else "native" if native != "-" and (
                native == "error" or max(devs) > VALUE_RTOL
            ) else "gradient"
            mark = f"  <-- {what}"
        print(
            f"{r['backend']:<17}{label:<40}{r['value']:>13.6g}{r['deviation']:>10.1e}"
            f"{native:>12}  {r['gradient'][:10]:<11}{r['us_per_call']:>9.1f}{mark}"
        )
    print()
    failed = _failing(rows, natives)
    unsupported = sum(r["status"] == "unsupported" for r in rows)
    ok = sum(r["status"] == "ok" for r in rows)
    summary = f"{ok}/{len(rows)} agree with the NumPy float64 reference and the natives, "
    summary += f"{unsupported} unsupported"
    if failed:
        summary += "; failing: " + ", ".join(failed)
    print(summary)


def _names_help() -> str:
    groups = losses_and_aliases()
    losses = ", ".join(f"{n} ({', '.join(a)})" if a else n for n, a in groups.items())
    return f"libraries: {', '.join(sorted(BACKENDS))}\n\nlosses (aliases): {losses}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m unilosses",
        description=(__doc__ or "").splitlines()[0],
        epilog=_names_help(),
    )
    parser.add_argument(
        "--backend",
        action="append",
        choices=sorted(BACKENDS),
        metavar="LIBRARY",
        help="only this library (repeatable); it must be able to run here",
    )
    parser.add_argument(
        "--loss",
        action="append",
        choices=sorted(EXAMPLES),
        metavar="LOSS",
        help="only this loss, or its alias (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed calls per pair at most (median; default 5)"
    )
    parser.add_argument(
        "--no-natives", action="store_true", help="skip the native counterparts"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    backends, missing = [], {}
    for name in dict.fromkeys(args.backend or list(BACKENDS)):
        reason = BACKENDS[name].unavailable()
        if reason is None:
            backends.append(BACKENDS[name])
        elif args.backend:
            print(f"python -m unilosses: cannot check {name}: {reason}", file=sys.stderr)
            return 1
        else:
            missing[name] = reason
    groups = losses_and_aliases()
    alias_of = {a: n for n, aliases in groups.items() for a in [n, *aliases]}
    names = list(dict.fromkeys(alias_of[n] for n in args.loss or groups))
    losses = [Loss(n, groups[n], natives=not args.no_natives) for n in names]

    info = {b.name: {"version": _version(b), "device": _device(b)} for b in backends}
    progress = _Progress(len(backends) * len(losses))
    rows = []
    with ThreadPoolExecutor(1) as pool:
        ahead = {
            (b.name, loss.name): pool.submit(_prepare, b, loss)
            for b in backends if b.compiles
            for loss in losses
        }
        for b in sorted(backends, key=lambda b: b.compiles):
            for loss in losses:
                progress.step(b.name, loss.name)
                rows.append(check(b, loss, args.repeat, ahead.get((b.name, loss.name))))
    progress.close()
    natives = {loss.name: loss.native_values() for loss in losses}
    natives = {k: v for k, v in natives.items() if v}
    ok = not _failing(rows, natives)

    if args.json:
        report = {
            "ok": ok,
            "tolerance": {
                "value": VALUE_RTOL, "gradient_rtol": GRAD_RTOL, "gradient_atol": GRAD_ATOL
            },
            "backends": info,
            "unavailable": missing,
            "natives": natives,
            "results": rows,
        }
        print(json.dumps(_json_safe(report), indent=2, allow_nan=False))
    else:
        _table(info, missing, natives, rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
