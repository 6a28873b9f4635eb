"""Likelihood-based and relative-error regression losses (Poisson, Gaussian, Tweedie, logarithmic and percentage errors, cosine similarity)."""

from __future__ import annotations

__all__: list[str] = []
