"""``python -m benchmarks.profile``: where the time of one benchmark row goes, ours next to native.

Builds the inputs and the native call of ``python -m benchmarks`` (the case table of
``benchmarks/cases.py``) for one loss and size, times both sides as the benchmark does (median of
per-round ratios), then shows what each side runs:

* torch: ``torch.profiler`` operator tables of ``--calls`` calls, top operators by self CPU time,
  with their calls and total time. ``--compiled`` profiles ``torch.compile(fullgraph=True)`` of
  ours against the native eager call (the target); ``--generic`` turns the delegates off.
* JAX: both sides jitted; the optimized HLO's instruction counts by opcode, its fusions (kind and
  root), ``cost_analysis()`` (flops, bytes accessed), and the native eager call's time as well.
  ``--hlo DIR`` writes the optimized HLO text of both sides there.

Examples::

    python -m benchmarks.profile --backend torch --loss npairs --compiled
    python -m benchmarks.profile --backend torch --loss sparse_categorical_crossentropy \\
        --inputs sparse_logits
    python -m benchmarks.profile --backend jax --loss multiclass_hinge

Where a loss has several benchmark cases, ``--inputs`` picks one by its input kind (the first
otherwise); ``--native`` picks the native by its column label (the first otherwise).
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import sys
from typing import Any

from benchmarks.__main__ import SIZES, Runner, _bound, generic, paired


def _case(loss: str, backend: str, inputs: str | None, native: str | None) -> tuple[Any, str]:
    from benchmarks.cases import BENCHES

    for bench in BENCHES:
        natives = bench.natives.get(backend, {})
        if bench.loss == loss and natives and inputs in (None, bench.inputs):
            name = native or next(iter(natives))
            if name in natives:
                return bench, name
    sys.exit(f"no benchmark case of {loss} on {backend} (inputs={inputs}, native={native})")


def _time(runner: Runner, ours: Any, native: Any, xs: list[Any], rounds: int) -> None:
    t_ours, t_native, ratio = paired(
        lambda: runner.sync(ours(*xs)), lambda: runner.sync(native(*xs)), rounds, 0.05
    )
    print(f"  ours {t_ours * 1e3:.3f} ms, native {t_native * 1e3:.3f} ms, ratio {ratio:.2f}")


def _torch(runner: Runner, ours: Any, native: Any, xs: list[Any], args: Any) -> None:
    from torch.profiler import ProfilerActivity, profile

    for side, fn in (("ours", ours), ("native", native)):
        fn(*xs), fn(*xs)  # warm-up: compilation, caches
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(args.calls):
                fn(*xs)
        table = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=args.rows)
        print(f"\n--- {side}: {args.calls} calls, top operators by self CPU time ---\n{table}")


def _hlo_summary(text: str) -> tuple[collections.Counter[str], list[str]]:
    """Opcode counts of the entry and fused computations, and one line per fusion."""
    ops: collections.Counter[str] = collections.Counter()
    fusions = []
    for line in text.splitlines():
        m = re.match(r"\s*(?:ROOT )?%?[\w.-]+ = [^=]*?\s([a-z][\w-]*)\(", line)
        if not m:
            continue
        ops[m.group(1)] += 1
        if m.group(1) == "fusion":
            kind = re.search(r"kind=(\w+)", line)
            shape = line.split("=", 1)[1].split(" fusion(")[0].strip()
            calls = re.search(r"calls=%?([\w.-]+)", line)
            name = calls.group(1) if calls else ""
            fusions.append(f"{kind.group(1) if kind else '?'} -> {shape} ({name})")
    return ops, fusions


def _jax(runner: Runner, ours: Any, native: Any, xs: list[Any], args: Any) -> None:
    import jax

    for side, fn in (("ours", ours), ("native", native)):
        compiled = jax.jit(fn).lower(*xs).compile()
        text = compiled.as_text()
        ops, fusions = _hlo_summary(text)
        cost = compiled.cost_analysis()
        cost = cost[0] if isinstance(cost, list) else cost
        print(f"\n--- {side}: optimized HLO ---")
        print("  instructions: " + ", ".join(f"{k} {v}" for k, v in ops.most_common()))
        print(f"  fusions ({len(fusions)}):")
        for f in fusions:
            print(f"    {f}")
        keys = ("flops", "transcendentals", "bytes accessed")
        print("  cost_analysis: " + ", ".join(f"{k} {cost.get(k, 0):.4g}" for k in keys))
        mem = compiled.memory_analysis()
        if mem is not None:
            print(f"  temporaries: {mem.temp_size_in_bytes / 2**20:.1f} MiB")
        if args.hlo:
            os.makedirs(args.hlo, exist_ok=True)
            with open(os.path.join(args.hlo, f"{args.loss}-{side}.hlo.txt"), "w") as f:
                f.write(text)
    print("\njitted ours vs native eager:")
    _time(runner, jax.jit(ours), native, xs, args.rounds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.profile", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--backend", choices=("torch", "jax"), required=True)
    parser.add_argument("--loss", required=True)
    parser.add_argument("--size", choices=list(SIZES), default="large")
    parser.add_argument("--inputs", default=None, help="the benchmark case's input kind")
    parser.add_argument("--native", default=None, help="the native's column label, e.g. F, optax")
    parser.add_argument("--compiled", action="store_true", help="torch: torch.compile ours")
    parser.add_argument("--generic", action="store_true", help="torch: delegates off")
    parser.add_argument("--calls", type=int, default=20, help="torch: calls per profile")
    parser.add_argument("--rows", type=int, default=15, help="torch: operators per table")
    parser.add_argument("--rounds", type=int, default=7, help="timing rounds")
    parser.add_argument("--hlo", default=None, help="JAX: write the optimized HLO text here")
    args = parser.parse_args(argv)
    os.environ.setdefault("KERAS_BACKEND", args.backend)

    import unilosses as ul
    from unilosses._examples import make_inputs

    bench, name = _case(args.loss, args.backend, args.inputs, args.native)
    runner = Runner(args.backend, None)
    n, c = (bench.shapes or SIZES)[args.size]
    xs = runner.arrays(make_inputs(bench.inputs, n=n, c=c))
    ours = _bound(getattr(ul, bench.loss), bench.options)
    if args.generic:
        ours = lambda *a, f=ours: generic(f, list(a))  # noqa: E731
    native = bench.natives[args.backend][name]
    shape = "x".join(str(d) for d in xs[0].shape)
    mode = "compiled" if args.compiled or args.backend == "jax" else "eager"
    print(f"{args.backend} {bench.loss} {dict(bench.options)} ({bench.inputs}, {shape}): "
          f"ours {mode}{' generic' if args.generic else ''} vs {name}")
    if args.backend == "torch":
        if args.compiled:
            ours(*xs)  # eager first: the backend lookup (an import) is not traced
            ours = runner.compile(ours)
        print(f"{mode} ours vs native eager:")
        _time(runner, ours, native, xs, args.rounds)
        _torch(runner, ours, native, xs, args)
    else:
        import jax

        print("jitted ours vs native jitted:")
        _time(runner, jax.jit(ours), jax.jit(native), xs, args.rounds)
        _jax(runner, ours, native, xs, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
