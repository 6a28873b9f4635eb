"""Embedding cases."""

from __future__ import annotations

from . import Case

CASES: list[Case] = []
