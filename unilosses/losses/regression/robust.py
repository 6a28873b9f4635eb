"""Robust regression losses: bounded or slowly growing penalties of the residual."""

from __future__ import annotations

__all__: list[str] = []
