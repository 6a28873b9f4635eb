"""``unilosses.torch``: unilosses losses as ``torch.nn.Module`` objects, used like ``torch.nn``'s
losses (options at construction, ``forward(input, target)``, float32 under ``torch.autocast``).

>>> import torch
>>> import unilosses as ul
>>> import unilosses.torch
>>> criterion = ul.torch.Loss(ul.huber, delta=0.5)
>>> criterion
Loss(fn=huber, delta=0.5)
>>> criterion(torch.tensor([0.0, 2.0]), torch.tensor([0.0, 0.0]))
tensor(0.4375)
"""

from __future__ import annotations

from unilosses.adapters.torch import Loss

__all__ = ["Loss"]
