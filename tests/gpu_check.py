"""The GPU check: ``python -m tests.gpu_check [--wheels DIR] [--out DIR]``, from the repository root.

For a machine with CUDA builds of torch, JAX and CuPy installed and no network: installs the
wheels in ``--wheels`` (pure-Python dependencies such as array-api-compat, pytest-xdist) with
``pip install --no-index --find-links DIR``, then, for each of torch, JAX and CuPy that sees a CUDA
device, runs the generic tests on its CUDA devices (``UNILOSSES_DEVICE=cuda``: values, gradients,
compilation, float16/bfloat16 and the native delegates) and the benchmarks (torch on ``cuda``,
JAX on its default device; the benchmarks have no CuPy path). Results go to ``--out``
(``build/gpu-check``): ``summary.md``, ``tests-<library>.xml`` (JUnit) and ``.log``,
``bench-<library>.md`` and ``.json``, and each benchmark process's output in
``bench-<library>-<group>.log``. Each step has a time limit, so the whole check ends within 8
minutes (a step that reaches its limit is stopped, reported as such, and its partial results kept).
Without a CUDA device it prints "no CUDA device: nothing to check" per library and exits 0.
Exit status 1 when a step fails or reaches its limit.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARIES = ("torch", "jax", "cupy")
# the value, gradient, compiled, low-precision and delegate tests: about 6,600 tests per library
TESTS = [
    "tests/test_losses.py", "tests/test_delegates.py",
    "-k", "reference or gradient or compiled or low_precision or delegate",
]
# the torch delegates' losses and the cross-entropies, KL and InfoNCE at two sizes (ours and the
# native each compile per size), run a few losses per process so that a step stopped at its time
# limit keeps the rows of the groups it finished
BENCH_LOSSES = (
    ("mean_squared_error", "huber", "binary_crossentropy"),
    ("categorical_crossentropy", "sparse_categorical_crossentropy"),
    ("kl_divergence", "info_nce"),
)
BENCH_ARGS = {"torch": ["--device", "cuda"], "jax": []}
# seconds per step; with the wheels and the device probes (about 30 s) the sum stays under 8 min
TEST_LIMIT = {"torch": 100, "jax": 110, "cupy": 70}
BENCH_LIMIT = {"torch": 120, "jax": 40}

PROBE = """
import importlib, json, sys
from unilosses._frameworks import BACKENDS
b = BACKENDS[sys.argv[1]]
reason = b.unavailable()
if reason:
    print(json.dumps({"reason": reason}))
else:
    version = importlib.import_module(b.module).__version__
    print(json.dumps({"cuda": b.select(["cuda"]), "sees": b.devices(), "version": version}))
"""


def _env(library: str, tests: bool = True) -> dict[str, str]:
    env = {**os.environ, "UNILOSSES_BACKEND": library, "UNILOSSES_DEVICE": "cuda"}
    if tests:  # one GPU and one process per core; JAX with its 64-bit types, as in its session
        env.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
        env.setdefault("TORCHINDUCTOR_COMPILE_THREADS", "1")
        if library == "jax":
            env.setdefault("JAX_ENABLE_X64", "1")
    return env


def cuda_devices(library: str) -> tuple[list[str], str]:
    """The CUDA devices ``library`` sees (in a process of its own), and its version and those
    devices in words, or why there are none."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, library], cwd=ROOT, env=_env(library),
        capture_output=True, text=True, check=False, timeout=120,
    )
    if done.returncode:
        return [], f"{library} failed to start: {done.stderr.strip().splitlines()[-1:]}"
    found = json.loads(done.stdout.strip().splitlines()[-1])
    if "reason" in found:
        return [], found["reason"]
    if not found["cuda"]:
        return [], f"{library} sees {', '.join(found['sees'])}"
    return found["cuda"], f"{library} {found['version']} on {', '.join(found['cuda'])}"


def run(cmd: list[str], env: dict[str, str], limit: float, log: Path) -> tuple[str, float]:
    """Runs ``cmd`` with its output in ``log``: ("passed" | "failed (exit N)" | "stopped at the
    time limit", seconds). At the limit it gets SIGINT first, so pytest still writes its report."""
    start = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            return "stopped at the time limit", time.perf_counter() - start
    return ("passed" if rc == 0 else f"failed (exit {rc})"), time.perf_counter() - start


def bench(library: str, out: Path) -> tuple[str, float, str]:
    """The benchmarks of ``library`` into ``bench-<library>.md`` and ``.json``, a group of losses
    per process while its time limit lasts: (status, seconds, result)."""
    from benchmarks.__main__ import table, targets

    rows: list[dict[str, object]] = []
    status, start = "passed", time.perf_counter()
    for i, losses in enumerate(BENCH_LOSSES):
        left = BENCH_LIMIT[library] - (time.perf_counter() - start)
        if left <= 0:
            status = "stopped at the time limit"
            break
        part = out / f"bench-{library}-{i}.json"
        cmd = [sys.executable, "-m", "benchmarks", "--backend", library, *BENCH_ARGS[library], "--size", "tiny", "--size", "large", "--rounds", "3", "--json", str(part)]
        cmd += [a for loss in losses for a in ("--loss", loss)]
        done, _ = run(cmd, _env(library, tests=False), left, out / f"bench-{library}-{i}.log")
        if part.exists():
            rows += json.loads(part.read_text())
            part.unlink()
        if done != "passed":
            status = done
        if done == "stopped at the time limit":
            break
    (out / f"bench-{library}.json").write_text(json.dumps(rows, indent=1))
    (out / f"bench-{library}.md").write_text(table(rows) + "\n\n## Targets missed\n" + targets(rows) + "\n")
    return status, time.perf_counter() - start, f"bench-{library}.md: {len(rows)} rows"


def last_line(log: Path) -> str:
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1].strip("= ") if lines else ""


def _row(step: str, status: str, seconds: float, result: str) -> str:
    return f"| {step} | {status} | {seconds:.0f} | {result} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.gpu_check", description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, help="install the wheels in this directory first (no network)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "gpu-check", help="where the results go")
    args = parser.parse_args(argv)

    if args.wheels:
        wheels = sorted(str(w) for w in args.wheels.glob("*.whl"))
        cmd = [sys.executable, "-m", "pip", "install", "--no-index", "--find-links", str(args.wheels), *wheels]
        if wheels and subprocess.run(cmd, check=False).returncode:
            print(f"installing the wheels in {args.wheels} failed", file=sys.stderr)
            return 1

    cuda, checked = {}, []
    for library in LIBRARIES:
        devices, seen = cuda_devices(library)
        if devices:
            cuda[library] = devices
            checked.append(seen)
            print(f"{library}: checking {', '.join(devices)}", flush=True)
        else:
            print(f"{library}: no CUDA device: nothing to check ({seen})", flush=True)
    if not cuda:
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out.resolve()

    xdist = ["-n", "auto"] if importlib.util.find_spec("xdist") else []
    rows = []
    for library in cuda:
        log = out / f"tests-{library}.log"
        cmd = [sys.executable, "-m", "pytest", *TESTS, *xdist, "-q", "-p", "no:cacheprovider", f"--junitxml={out / f'tests-{library}.xml'}"]
        status, seconds = run(cmd, _env(library), TEST_LIMIT[library], log)
        rows.append((f"tests, {library} on {', '.join(cuda[library])}", status, seconds, last_line(log)))
        print(_row(*rows[-1]), flush=True)
    for library in cuda:
        if library not in BENCH_ARGS:
            rows.append((f"benchmarks, {library}", "not run", 0.0, "the benchmarks have no CuPy path"))
            continue
        rows.append((f"benchmarks, {library}", *bench(library, out)))
        print(_row(*rows[-1]), flush=True)

    lines = ["; ".join(checked), ""]
    lines += ["| step | status | seconds | result |", "|---|---|---:|---|", *(_row(*r) for r in rows)]
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if all(status in ("passed", "not run") for _, status, _, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
