"""``python -m unilosses``: every array library found here x every loss.

For each library: its version and device. For each pair: the loss value on the library's float32
arrays (under ``jax.jit`` for JAX), its deviation from the NumPy float64 value (the largest
difference over the unreduced losses and their mean, relative to the largest reference value),
whether the library's autodiff gives a finite gradient equal to the float64 finite-difference one,
and the time per call (median, to a materialized value). A loss that a library documents as
unsupported (it raises ``TypeError``, e.g. the Lovasz losses on Dask) is shown as such, not as a
failure. Progress goes to stderr. Exits with status 1 if any library disagrees or fails.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import unilosses as ul
from unilosses._examples import EXAMPLES, make_inputs
from unilosses._frameworks import BACKENDS, Backend

VALUE_RTOL = 1e-4  # float32 against float64, relative to the largest reference value
GRAD_RTOL = 1e-3
GRAD_ATOL = 1e-5
GRADIENT_OK = ("ok", "n/a")  # "n/a": the library has no autodiff (NumPy, Dask, ...)


def _version(backend: Backend) -> str:
    module = sys.modules.get(backend.module) or __import__(backend.module)
    return str(getattr(module, "__version__", "?"))


def _device(backend: Backend) -> str:
    from unilosses._namespace import device

    try:
        return str(device(backend.asarray(np.zeros(1), "float32")))
    except Exception as e:  # reported, not raised: the report is a diagnosis
        return f"? ({type(e).__name__})"


def _numeric_grad(fn: Callable[..., Any], arrays: Sequence[np.ndarray], h: float = 1e-6) -> Any:
    p, rest = arrays[0], arrays[1:]
    g = np.zeros_like(p)
    for idx in np.ndindex(*p.shape):
        e = np.zeros_like(p)
        e[idx] = h
        g[idx] = (float(fn(p + e, *rest)) - float(fn(p - e, *rest))) / (2 * h)
    return g


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


def _time(call: Callable[[], Any], repeat: int) -> float:
    call()  # warm-up (tracing, caches)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}"


def _gradient(backend: Backend, fn: Callable[..., Any], kind: str) -> str:
    """"ok", "n/a" (no autodiff), "non-finite", "mismatch" or "error: ..."."""
    small = make_inputs(kind, n=4, c=5)
    sx = [backend.asarray(a, "float32") for a in small]
    try:
        g = backend.grad(lambda x: fn(x, *sx[1:]), sx[0])
    except Exception as e:  # reported, not raised
        return f"error: {_first_line(e)}"
    if g is None:
        return "n/a"
    if not np.all(np.isfinite(g)):
        return "non-finite"
    expected = _numeric_grad(fn, small)
    return "ok" if np.allclose(g, expected, rtol=GRAD_RTOL, atol=GRAD_ATOL) else "mismatch"


def check(backend: Backend, name: str, repeat: int = 20) -> dict[str, Any]:
    """One library x one loss: a JSON-ready record (see the module docstring)."""
    example = EXAMPLES[name]
    fn = getattr(ul, name)
    options = dict(example.options)

    def mean(*a: Any) -> Any:
        return fn(*a, **options)

    def unreduced(*a: Any) -> Any:
        return fn(*a, **options, reduction="none")

    arrays = make_inputs(example.inputs)
    reference = [np.asarray(mean(*arrays)), np.asarray(unreduced(*arrays))]
    row: dict[str, Any] = {
        "backend": backend.name,
        "loss": name,
        "status": "ok",
        "value": None,
        "reference": float(reference[0]),
        "deviation": None,
        "agrees": None,
        "gradient": None,
        "us_per_call": None,
        "detail": None,
    }
    run_mean, run_unreduced = backend.fast(mean), backend.fast(unreduced)
    try:
        xs = [backend.asarray(a, "float32") for a in arrays]
        got = [backend.to_numpy(run_mean(*xs)), backend.to_numpy(run_unreduced(*xs))]
    except TypeError as e:  # a loss's documented refusal of this library's arrays
        return {**row, "status": "unsupported", "detail": _first_line(e)}
    except Exception as e:  # reported, not raised
        return {**row, "status": "fail", "detail": _first_line(e)}
    row["value"] = float(got[0])
    row["deviation"] = _deviation(got, reference)
    row["agrees"] = row["deviation"] <= VALUE_RTOL
    row["gradient"] = _gradient(backend, mean, example.inputs)
    row["us_per_call"] = _time(lambda: backend.to_numpy(run_mean(*xs)), repeat) * 1e6
    if not row["agrees"] or row["gradient"] not in GRADIENT_OK:
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


def _table(
    info: dict[str, dict[str, str]], missing: dict[str, str], rows: list[dict[str, Any]]
) -> None:
    for name, d in info.items():
        print(f"{name:<17} {d['version']:<14} device {d['device']}")
    for name, reason in missing.items():
        print(f"{name:<17} not checked: {reason}")
    print()
    head = f"{'backend':<17}{'loss':<33}{'value':>13}{'max dev.':>10}  "
    head += f"{'gradient':<11}{'us/call':>9}"
    print(head)
    print("-" * len(head))
    for r in rows:
        if r["value"] is None:
            text = "unsupported" if r["status"] == "unsupported" else "FAILED"
            print(f"{r['backend']:<17}{r['loss']:<33}{text:>13}  {r['detail'][:60]}")
            continue
        mark = "" if r["status"] == "ok" else "  <-- " + (
            "value" if not r["agrees"] else "gradient"
        )
        print(
            f"{r['backend']:<17}{r['loss']:<33}{r['value']:>13.6g}{r['deviation']:>10.1e}  "
            f"{r['gradient'][:10]:<11}{r['us_per_call']:>9.1f}{mark}"
        )
    print()
    failed = [r for r in rows if r["status"] == "fail"]
    unsupported = sum(r["status"] == "unsupported" for r in rows)
    summary = f"{len(rows) - len(failed) - unsupported}/{len(rows)} agree with the NumPy float64 "
    summary += f"reference, {unsupported} unsupported"
    if failed:
        summary += "; failing: " + ", ".join(f"{r['backend']}/{r['loss']}" for r in failed)
    print(summary)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m unilosses", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument(
        "--backend",
        action="append",
        choices=sorted(BACKENDS),
        help="only this library (repeatable)",
    )
    parser.add_argument(
        "--loss", action="append", choices=sorted(EXAMPLES), help="only this loss (repeatable)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--repeat", type=int, default=20, help="timed calls per pair (median)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    backends, missing = [], {}
    for name in dict.fromkeys(args.backend or list(BACKENDS)):
        reason = BACKENDS[name].unavailable()
        if reason is None:
            backends.append(BACKENDS[name])
        else:
            missing[name] = reason
    losses = list(dict.fromkeys(args.loss or sorted(EXAMPLES)))

    info = {b.name: {"version": _version(b), "device": _device(b)} for b in backends}
    progress = _Progress(len(backends) * len(losses))
    rows = []
    for b in backends:
        for name in losses:
            progress.step(b.name, name)
            rows.append(check(b, name, args.repeat))
    progress.close()
    ok = all(r["status"] != "fail" for r in rows)

    if args.json:
        report = {
            "ok": ok,
            "tolerance": {
                "value": VALUE_RTOL, "gradient_rtol": GRAD_RTOL, "gradient_atol": GRAD_ATOL
            },
            "backends": info,
            "unavailable": missing,
            "results": rows,
        }
        print(json.dumps(_json_safe(report), indent=2, allow_nan=False))
    else:
        _table(info, missing, rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
