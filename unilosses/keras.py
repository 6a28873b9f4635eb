"""``unilosses.keras``: unilosses losses as ``keras.losses.Loss`` objects for ``model.compile``."""

from __future__ import annotations

from unilosses.adapters.keras import Loss

__all__ = ["Loss"]
