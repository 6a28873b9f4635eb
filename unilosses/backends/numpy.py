"""NumPy: array-api-compat's namespace; values may always be read; no autodiff."""

from __future__ import annotations

from typing import Any

import array_api_compat.numpy as xp
import numpy as np

from .generic import Backend


def owns(x: Any) -> bool:
    return isinstance(x, (np.ndarray, np.generic))


class NumPy(Backend):
    name = "numpy"

    def __init__(self) -> None:
        super().__init__(xp)
        self.kernels["magnitude"] = np.abs  # no autodiff: abs is the magnitude

    def can_inspect(self, x: Any) -> bool:
        return True


BACKEND = NumPy()
