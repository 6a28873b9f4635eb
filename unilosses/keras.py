"""``unilosses.keras``: unilosses losses as ``keras.losses.Loss`` objects for ``model.compile``.

``Loss(ul.huber, delta=0.5)`` takes what Keras's own losses take (``(N,)`` targets against a
``Dense(1)`` output, integer labels, ``sample_weight``) and is saved with the model. Importing
this module registers ``Loss`` with Keras, which ``keras.saving.load_model`` needs.
"""

from __future__ import annotations

from unilosses.adapters.keras import Loss

__all__ = ["Loss"]
