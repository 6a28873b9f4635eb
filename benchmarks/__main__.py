"""``python -m benchmarks``: unilosses against native kernels, as ratio tables per backend.

Every (unilosses, native) pair is timed interleaved in one run — ours, native, ours, native ... —
each side as the median time of single calls within a small budget (a call the OS preempts does
not count), and the table shows the median of the per-round ratios (noisy machines shift both
sides alike).
``ratio`` > 1 means unilosses is slower. Where the backend serves a loss with a native delegate
(``unilosses.backends``), "eager" rows time that path and "eager generic" rows the array-API
definition. Sizes: tiny (32 x 10), medium (4096 x 1000), large
(4096 x 1024 = 4.2M elements). Peak extra memory is measured where the library exposes it
(NumPy through tracemalloc, JAX through the compiled executable's memory analysis, torch
through its allocator on CUDA and the profiler's allocation events on the CPU) relative to the inputs' bytes.

Each backend runs in its own process so that Keras can use that framework as its backend.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

SIZES = {"tiny": (32, 10), "medium": (4096, 1000), "large": (4096, 1024)}
BACKENDS = ("numpy", "torch", "jax", "tensorflow")


def _per_call(fn: Callable[[], Any], budget: float) -> float:
    """Median seconds of one call, each call timed on its own, repeating until ``budget``
    seconds have passed (at least 3 calls): a call the OS preempts does not move it."""
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < 3 or time.perf_counter() - start < budget:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def paired(ours: Callable[[], Any], native: Callable[[], Any], rounds: int, budget: float) -> tuple[float, float, float]:
    """Median seconds of each side and the median of per-round ratios ours/native."""
    ours(), native()  # warm-up: tracing, compilation, caches
    a, b = [], []
    for _ in range(rounds):
        a.append(_per_call(ours, budget))
        b.append(_per_call(native, budget))
    ratios = [x / y for x, y in zip(a, b)]
    return statistics.median(a), statistics.median(b), statistics.median(ratios)


class Runner:
    """How to make arrays, wait for results and compile, per backend."""

    def __init__(self, backend: str, device: str | None) -> None:
        from unilosses._frameworks import BACKENDS as FW

        self.name = backend
        self.fw = FW[backend]
        self.device = device
        if backend == "jax" and device is None:  # JAX computes on its default device's platform
            import jax

            self.device = jax.devices()[0].platform

    def arrays(self, arrays: tuple[Any, ...]) -> list[Any]:
        xs = [self.fw.asarray(a, "float32") for a in arrays]
        if self.name == "torch" and self.device:
            xs = [x.to(self.device) for x in xs]
        return xs

    def sync(self, out: Any) -> Any:
        if self.name == "torch" and self.device and self.device.startswith("cuda"):
            import torch

            torch.cuda.synchronize()
        elif self.name == "jax":
            out.block_until_ready()
        elif self.name == "tensorflow":
            out.numpy()
        return out

    def compile(self, fn: Callable[..., Any]) -> Callable[..., Any] | None:
        if self.name == "torch":
            import torch

            torch._dynamo.reset()  # every loss and size compiles afresh (no recompile limit)
            return torch.compile(fn, fullgraph=True)
        if self.name == "jax":
            import jax

            return jax.jit(fn)
        if self.name == "tensorflow":
            import tensorflow as tf

            return tf.function(fn)
        return None

    def extra_memory(self, fn: Callable[..., Any], xs: list[Any]) -> float | None:
        """Peak bytes allocated during one call, over the inputs' bytes."""
        if self.name == "tensorflow":  # no allocation statistics on the CPU
            return None
        inputs = sum(int(x.nbytes) for x in xs)
        if self.name == "numpy":
            import tracemalloc

            fn(*xs)  # caches filled first: only the call's own arrays count
            tracemalloc.start()
            fn(*xs)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            return peak / inputs
        if self.name == "jax":
            import jax

            stats = jax.jit(fn).lower(*xs).compile().memory_analysis()
            return None if stats is None else stats.temp_size_in_bytes / inputs
        if self.name == "torch" and self.device and self.device.startswith("cuda"):
            import torch

            torch.cuda.synchronize()
            base = torch.cuda.memory_allocated()
            torch.cuda.reset_peak_memory_stats()
            fn(*xs)
            torch.cuda.synchronize()
            return (torch.cuda.max_memory_allocated() - base) / inputs
        if self.name == "torch":  # CPU: the profiler's allocation events, replayed in order
            from torch.profiler import ProfilerActivity, profile

            with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
                fn(*xs)
            live = peak = 0
            for event in sorted(prof.events(), key=lambda e: e.time_range.start):
                live += event.self_cpu_memory_usage
                peak = max(peak, live)
            return peak / inputs
        return None


def delegated(loss: Callable[..., Any], xs: list[Any]) -> bool:
    """Whether the backend of ``xs`` has a native delegate for ``loss``."""
    from unilosses import backends

    name = getattr(loss, "__wrapped__", loss).__name__
    return name in backends.backend_for(xs[0]).delegates


def generic(fn: Callable[..., Any], xs: list[Any]) -> Any:
    """``fn(*xs)`` on the generic array-API definition (delegates off for the call)."""
    from unilosses import backends

    on, backends.DELEGATES = backends.DELEGATES, False
    try:
        return fn(*xs)
    finally:
        backends.DELEGATES = on  # (UNILOSSES_GENERIC=1 keeps them off for the other rows)


def _bound(loss: Callable[..., Any], options: Any) -> Callable[..., Any]:
    """``loss`` with its options, a plain function of the arrays (as tf.function wants)."""
    return lambda *arrays: loss(*arrays, **options)


def run_backend(backend: str, sizes: list[str], losses: list[str] | None, rounds: int, budget: float, device: str | None) -> list[dict[str, Any]]:
    if backend in ("torch", "jax", "tensorflow"):
        os.environ.setdefault("KERAS_BACKEND", backend)
    import unilosses as ul
    from benchmarks.cases import BENCHES
    from unilosses._examples import make_inputs

    runner = Runner(backend, device)
    rows = []
    for bench in BENCHES:
        if losses and bench.loss not in losses:
            continue
        natives = dict(bench.natives.get(backend, {}))
        if not natives:
            continue
        loss = getattr(ul, bench.loss)
        ours_fn = _bound(loss, bench.options)
        for size in sizes:
            n, c = (bench.shapes or SIZES)[size]
            if bench.max_classes is not None and c > bench.max_classes:
                continue
            xs = runner.arrays(make_inputs(bench.inputs, n=n, c=c))
            shape = "x".join(str(d) for d in xs[0].shape)
            variants: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = []
            for nname, nfn in natives.items():
                variants.append((f"eager vs {nname}", lambda f=ours_fn: runner.sync(f(*xs)), lambda f=nfn: runner.sync(f(*xs))))
                if delegated(loss, xs):  # the generic definition too, side by side
                    variants.append((f"eager generic vs {nname}", lambda f=ours_fn: runner.sync(generic(f, xs)), lambda f=nfn: runner.sync(f(*xs))))
            compiled = runner.compile(ours_fn)
            if compiled is not None:
                for nname, nfn in natives.items():
                    if nname == "keras" and backend != "tensorflow":  # (TF: Keras is the native)
                        continue
                    ncomp = runner.compile(nfn)
                    variants.append((f"compiled vs {nname} eager", lambda: runner.sync(compiled(*xs)), lambda f=nfn: runner.sync(f(*xs))))
                    if ncomp is not None:
                        variants.append((f"compiled vs {nname} compiled", lambda: runner.sync(compiled(*xs)), lambda f=ncomp: runner.sync(f(*xs))))
            memory = runner.extra_memory(ours_fn, xs)
            for label, ours, native in variants:
                print(f"  {backend:<10} {bench.loss:<34} {size:<6} {label}", file=sys.stderr, flush=True)
                try:
                    native()
                    t_ours, t_native, ratio = paired(ours, native, rounds, budget)
                except Exception as e:  # a native with a data-dependent check in fullgraph, or
                    # one that recompiles on every call (a module built per call)
                    print(f"    native skipped: {type(e).__name__}", file=sys.stderr, flush=True)
                    continue
                rows.append({
                    "backend": backend, "device": runner.device or "cpu", "loss": bench.loss,
                    "options": dict(bench.options), "size": size, "shape": shape, "comparison": label,
                    "ours_us": t_ours * 1e6, "native_us": t_native * 1e6, "ratio": ratio,
                    "extra_memory": memory,
                })
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown tables, one per backend/device."""
    out = []
    for key in dict.fromkeys((r["backend"], r["device"]) for r in rows):
        out.append(f"\n### {key[0]} ({key[1]})\n")
        out.append("| loss | options | size (first input) | comparison | unilosses (us) | native (us) | ratio | peak extra memory / inputs |")
        out.append("|---|---|---|---|---:|---:|---:|---:|")
        for r in rows:
            if (r["backend"], r["device"]) != key:
                continue
            opts = ", ".join(f"{k}={v}" for k, v in r["options"].items())
            mem = "n/a" if r["extra_memory"] is None else f"{r['extra_memory']:.2f}x"
            out.append(
                f"| {r['loss']} | {opts} | {r['size']} ({r.get('shape', '')}) | {r['comparison']} | {r['ours_us']:.1f} | "
                f"{r['native_us']:.1f} | {r['ratio']:.2f} | {mem} |"
            )
    return "\n".join(out)


def targets(rows: list[dict[str, Any]]) -> str:
    """Which rows miss the speed targets of the project: eager on the large size <= 1.2x the
    native, compiled <= 1.0x the native eager call, tiny inputs <= 5 us over the native call,
    peak extra memory <= 2x the inputs."""
    misses: dict[str, list[str]] = {}
    seen: set[tuple[str, str, str, str]] = set()
    for r in rows:
        opts = ",".join(f"{k}={v}" for k, v in r["options"].items())
        name = f"{r['backend']}/{r['device']} {r['loss']}" + (f"({opts})" if opts else "")
        cmp, size = r["comparison"], r["size"]
        if cmp.startswith("eager") and size == "large" and r["ratio"] > 1.2:
            misses.setdefault("eager, large: ratio > 1.2", []).append(f"{name} {cmp} {r['ratio']:.2f}")
        if cmp.startswith("compiled") and cmp.endswith(" eager") and size == "large" and r["ratio"] > 1.0:
            misses.setdefault("compiled, large: ratio to native eager > 1.0", []).append(f"{name} {r['ratio']:.2f}")
        over = r["ours_us"] - r["native_us"]
        if cmp.startswith("eager") and size == "tiny" and over > 5.0:
            misses.setdefault("eager, tiny: > 5 us over the native call", []).append(f"{name} {cmp} +{over:.1f} us")
        key = (r["backend"], r["device"], name, size)
        if r["extra_memory"] is not None and round(r["extra_memory"], 2) > 2.0 and key not in seen:
            seen.add(key)
            misses.setdefault("peak extra memory > 2x the inputs", []).append(f"{name} {size} {r['extra_memory']:.2f}x")
    if not misses:
        return "Every row meets the targets."
    out = []
    for target, items in misses.items():
        out.append(f"\n{target} ({len(items)}):")
        out += [f"  {item}" for item in items]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", action="append", choices=BACKENDS)
    parser.add_argument("--size", action="append", choices=list(SIZES))
    parser.add_argument("--loss", action="append")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--budget", type=float, default=0.02, help="seconds per timed measurement")
    parser.add_argument("--device", default=None, help="torch device, e.g. cuda")
    parser.add_argument("--json", default=None, help="also write the rows to this JSON file")
    parser.add_argument("--targets", default=None, help="print the targets missed by the rows of this JSON file and exit")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = args.size or list(SIZES)
    if args.targets:
        with open(args.targets) as f:
            print(targets(json.load(f)))
        return 0

    if args.worker:  # one backend, in this process; rows as JSON on stdout
        rows = run_backend(args.backend[0], sizes, args.loss, args.rounds, args.budget, args.device)
        print(json.dumps(rows))
        return 0

    import importlib.util

    rows = []
    for backend in args.backend or BACKENDS:
        if importlib.util.find_spec(backend) is None:
            print(f"{backend}: not installed, skipped", file=sys.stderr)
            continue
        cmd = [sys.executable, "-m", "benchmarks", "--worker", "--backend", backend, "--rounds", str(args.rounds), "--budget", str(args.budget)]
        cmd += [a for s in sizes for a in ("--size", s)] + [a for lo in args.loss or [] for a in ("--loss", lo)]
        if args.device and backend == "torch":
            cmd += ["--device", args.device]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        sys.stderr.write(done.stderr[-2000:] if done.returncode else "")
        if done.returncode:
            print(f"{backend}: benchmark failed (exit {done.returncode})", file=sys.stderr)
            continue
        rows += json.loads(done.stdout.strip().splitlines()[-1])
    print(table(rows))
    print("\n## Targets missed\n" + targets(rows))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
