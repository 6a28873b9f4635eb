"""Embedding, metric-learning and ranking losses."""

from __future__ import annotations

__all__: list[str] = []
