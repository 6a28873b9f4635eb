"""``python -m benchmarks.accuracy``: worst relative error of unilosses and of the native kernel.

For every test case with a torch-based native (torch.nn.functional or MONAI, ``tests/cases``),
on float32, bfloat16 and float16 inputs, the mean loss and its gradient w.r.t. ``y_pred`` are
computed by unilosses (torch arrays) and by the native torch function on the same rounded inputs,
and both are compared with a float64 reference evaluated on those rounded inputs (so input
rounding is not counted, only the
computation). Errors are normwise: ``max|x - ref| / max|ref|``; the gradient reference is the
central difference of the float64 reference.

The goal: unilosses' error <= the native kernel's (``ok``), or within a few units of the dtype's
rounding (``ok (eps)``). Low-precision inputs are computed in float32 by unilosses and cast back,
so its error there is the output rounding alone.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

DTYPES = ("float32", "bfloat16", "float16")
# within this many units of rounding an error counts as rounding noise, whatever the native
# kernel achieves (a softmax over a Gram matrix, as in info_nce, orders its sums differently)
SLACK_ULP = 16
EPS = {"float32": 2.0**-24, "bfloat16": 2.0**-8, "float16": 2.0**-11}


@dataclass
class Row:
    case: str
    dtype: str
    ours: float
    native: float | None
    ours_grad: float
    native_grad: float | None

    @property
    def verdict(self) -> str:
        slack = SLACK_ULP * EPS[self.dtype]
        pairs = [(self.ours, self.native), (self.ours_grad, self.native_grad)]
        if all(n is not None and o <= n for o, n in pairs):
            return "ok"
        if all(o <= max(slack, n or 0.0) for o, n in pairs):
            return "ok (eps)"
        return "worse"


def _err(x: Any, ref: np.ndarray) -> float:
    x = np.asarray(x, dtype=np.float64)
    scale = float(np.max(np.abs(ref))) or 1.0
    return float(np.max(np.abs(x - ref))) / scale if x.size else 0.0


def measure(case: Any, dtype: str, n: int = 8, c: int = 5) -> Row | None:
    """One row; None where the native kernel does not run on ``dtype`` (CPU half kernels)."""
    import torch

    import unilosses as ul
    from tests.test_losses import numeric_grad, reduce_np, reference
    from unilosses._examples import make_inputs

    arrays = list(make_inputs(case.inputs, n=n, c=c))
    tdtype = getattr(torch, dtype)

    def tensors() -> list[Any]:
        out = []
        for a in arrays:
            t = torch.asarray(np.ascontiguousarray(a).reshape(a.shape))
            out.append(t if t.dtype == torch.int64 else t.to(tdtype))
        out[0].requires_grad_(True)
        return out

    rounded = [
        a if np.issubdtype(a.dtype, np.integer) else t.detach().double().numpy()
        for a, t in zip(arrays, tensors(), strict=True)
    ]
    loss, weight = reference(case, rounded, "mean")
    ref = reduce_np(loss, weight, "mean", None)
    ref_grad = numeric_grad(case, rounded)

    opts = {
        k: torch.asarray(v).to(tdtype) if isinstance(v, np.ndarray) else v
        for k, v in case.options.items()
    }
    xs = tensors()
    ours = getattr(ul, case.loss)(*xs, **opts)
    ours.backward()
    row = Row(case.id, dtype, _err(ours.detach().double(), ref), None,
              _err(xs[0].grad.double(), ref_grad), None)
    xs = tensors()
    try:
        native = case.natives[native_library(case)](*xs)
        native.backward()
    except (RuntimeError, NotImplementedError):  # no half kernel for this op on the CPU
        return row
    row.native = _err(native.detach().double(), ref)
    row.native_grad = _err(xs[0].grad.double(), ref_grad)
    return row


def native_library(case: Any) -> str | None:
    """The torch-based native of a case: torch.nn.functional first, else MONAI."""
    return next((lib for lib in ("torch", "monai") if lib in case.natives), None)


def rows(dtypes: tuple[str, ...] = DTYPES, losses: list[str] | None = None) -> list[Row]:
    from tests.cases import all_cases

    out = []
    for case in all_cases():
        if native_library(case) is None or (losses and case.loss not in losses):
            continue
        for dtype in dtypes:
            print(f"  {case.id} {dtype}", file=sys.stderr, flush=True)
            row = measure(case, dtype)
            if row is not None:
                out.append(row)
    return out


def table(rs: list[Row]) -> str:
    def f(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.1e}"

    lines = [
        "| case | dtype | unilosses | native | unilosses grad | native grad | verdict |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    lines += [
        f"| {r.case} | {r.dtype} | {f(r.ours)} | {f(r.native)} | {f(r.ours_grad)} | "
        f"{f(r.native_grad)} | {r.verdict} |"
        for r in rs
    ]
    worse = sum(r.verdict == "worse" for r in rs)
    lines.append(f"\n{len(rs)} rows; unilosses error above the native kernel's and above "
                 f"{SLACK_ULP} ulp: {worse}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.accuracy", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--dtype", action="append", choices=DTYPES)
    parser.add_argument("--loss", action="append")
    args = parser.parse_args(argv)
    print(table(rows(tuple(args.dtype or DTYPES), args.loss)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
