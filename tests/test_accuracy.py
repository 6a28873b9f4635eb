"""Accuracy against the native torch kernels (torch.nn.functional, MONAI) on the same inputs.

For every case with a torch-based native and for float32, bfloat16 and float16 inputs: the error
of unilosses' mean loss and gradient w.r.t. a float64 reference is at most the native kernel's, or
within 16 units of the dtype's rounding (``benchmarks/accuracy.py`` prints the whole table).
"""

from __future__ import annotations

import pytest

from benchmarks.accuracy import DTYPES, measure, native_library
from tests.cases import Case, all_cases

CASES = [pytest.param(c, id=c.id) for c in all_cases() if native_library(c) is not None]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CASES)
def test_error_at_most_the_native_kernels(case: Case, dtype: str, torch_backend: object) -> None:
    row = measure(case, dtype)
    assert row is not None
    assert row.verdict != "worse", row
