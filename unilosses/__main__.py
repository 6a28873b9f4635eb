"""``python -m unilosses``: every array library found here x every loss.

For each pair: the loss value on the library's float32 arrays, its relative deviation from the
NumPy float64 value, whether the library's autodiff gives the float64 finite-difference gradient,
and the time per call (to a materialized value). Exits with status 1 if any library disagrees.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import unilosses as ul
from unilosses._examples import EXAMPLES, make_inputs
from unilosses._frameworks import BACKENDS, Backend

VALUE_RTOL = 1e-4  # float32 against float64
GRAD_RTOL = 1e-3


def _version(backend: Backend) -> str:
    module = sys.modules.get(backend.module) or __import__(backend.module)
    return str(getattr(module, "__version__", "?"))


def _device(backend: Backend) -> str:
    from unilosses._namespace import device

    return str(device(backend.asarray(np.zeros(1), "float32")))


def _numeric_grad(fn: Callable[..., Any], arrays: list[np.ndarray], h: float = 1e-6) -> np.ndarray:
    p, rest = arrays[0], arrays[1:]
    g = np.zeros_like(p)
    for idx in np.ndindex(*p.shape):
        e = np.zeros_like(p)
        e[idx] = h
        g[idx] = (float(fn(p + e, *rest)) - float(fn(p - e, *rest))) / (2 * h)
    return g


def _time(call: Callable[[], Any], repeat: int) -> float:
    call()  # warm-up (tracing, caches)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def check(backend: Backend, name: str, repeat: int = 20) -> dict[str, Any]:
    example = EXAMPLES[name]
    fn = getattr(ul, name)
    loss = lambda *a: fn(*a, **example.options)  # noqa: E731
    arrays = list(make_inputs(example.inputs))
    reference = float(loss(*arrays))
    xs = [backend.asarray(a, "float32") for a in arrays]
    value = float(backend.to_numpy(loss(*xs)))
    deviation = abs(value - reference) / max(abs(reference), 1e-12)

    grad = "n/a"
    small = list(make_inputs(example.inputs, n=4, c=5))
    sx = [backend.asarray(a, "float32") for a in small]
    try:
        g = backend.grad(lambda x: loss(x, *sx[1:]), sx[0])
    except Exception as e:  # reported, not raised: the report is a diagnosis
        grad = f"error: {type(e).__name__}"
    else:
        if g is not None:
            expected = _numeric_grad(loss, small)
            good = np.allclose(g, expected, rtol=GRAD_RTOL, atol=1e-5)
            grad = "ok" if good else "MISMATCH"
    seconds = _time(lambda: backend.to_numpy(loss(*xs)), repeat)
    return {
        "backend": backend.name,
        "loss": name,
        "value": value,
        "reference": reference,
        "deviation": deviation,
        "agrees": deviation <= VALUE_RTOL,
        "gradient": grad,
        "us_per_call": seconds * 1e6,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m unilosses", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", action="append", choices=sorted(BACKENDS), help="only this library (repeatable)")
    parser.add_argument("--loss", action="append", choices=sorted(EXAMPLES), help="only this loss (repeatable)")
    parser.add_argument("--json", action="store_true", help="print JSON records instead of a table")
    parser.add_argument("--repeat", type=int, default=20, help="timed calls per pair (median)")
    args = parser.parse_args(argv)

    backends, missing = [], {}
    for name in args.backend or list(BACKENDS):
        reason = BACKENDS[name].unavailable()
        if reason is None:
            backends.append(BACKENDS[name])
        else:
            missing[name] = reason
    losses = args.loss or sorted(EXAMPLES)

    info = {b.name: {"version": _version(b), "device": _device(b)} for b in backends}
    rows = []
    total = len(backends) * len(losses)
    for i, (b, name) in enumerate(((b, n) for b in backends for n in losses), 1):
        print(f"\r[{i}/{total}] {b.name:<16} {name:<36}", end="", file=sys.stderr, flush=True)
        rows.append(check(b, name, args.repeat))
    print("\r" + " " * 60 + "\r", end="", file=sys.stderr)
    failed = [r for r in rows if not r["agrees"] or r["gradient"] not in ("ok", "n/a")]

    if args.json:
        print(json.dumps({"backends": info, "unavailable": missing, "results": rows}, indent=2))
    else:
        for name, d in info.items():
            print(f"{name:<17} {d['version']:<14} device {d['device']}")
        for name, reason in missing.items():
            print(f"{name:<17} not checked: {reason}")
        print()
        head = f"{'backend':<17}{'loss':<36}{'value':>14}{'rel. dev.':>11}  {'gradient':<10}{'us/call':>10}"
        print(head)
        print("-" * len(head))
        for r in rows:
            print(
                f"{r['backend']:<17}{r['loss']:<36}{r['value']:>14.7g}{r['deviation']:>11.1e}  "
                f"{r['gradient']:<10}{r['us_per_call']:>10.1f}" + ("" if r in failed else "")
            )
        print()
        print(f"{len(rows) - len(failed)}/{len(rows)} agree with the NumPy float64 reference" + (
            "; disagreeing: " + ", ".join(f"{r['backend']}/{r['loss']}" for r in failed) if failed else ""
        ))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
