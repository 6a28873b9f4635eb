"""Sequence losses: connectionist temporal classification."""

from __future__ import annotations

__all__: list[str] = []
