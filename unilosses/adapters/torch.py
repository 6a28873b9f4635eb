"""A unilosses loss as a ``torch.nn.Module``, usable wherever ``nn.CrossEntropyLoss`` is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from .._core import check_reduction
from ._options import check_options

__all__ = ["Loss"]

_PREFIX = "option_"  # buffers holding array options: they follow .to(device) like torch's weight


def _to_float32(value: Any) -> Any:
    """A float16/bfloat16 tensor as float32 (what autocast does to its float32 ops' inputs)."""
    if isinstance(value, torch.Tensor) and value.is_floating_point() and value.itemsize < 4:
        return value.float()
    return value


class Loss(torch.nn.Module):  # type: ignore[misc]  # torch is typed as Any here (pyproject [tool.mypy])
    """A unilosses loss as a ``torch.nn.Module``, used like ``torch.nn``'s loss modules.

    ``Loss(fn, **options)(input, target, *args, **kwargs)`` is
    ``fn(input, target, *args, **options, **kwargs)``: options (``reduction`` among them) are
    fixed at construction and inputs are given to ``forward``, prediction first, as for
    ``nn.CrossEntropyLoss(weight=..., reduction=...)(input, target)``. ``sample_weight`` may be
    given per call.

    Parameters
    ----------
    fn : callable
        A loss with the unilosses signature, e.g. ``unilosses.huber``.
    **options
        Keyword options of ``fn``, checked against its signature here: an unknown name is a
        TypeError listing the valid ones, and an unknown ``reduction`` a ValueError.
        ``reduction`` is ``"mean"`` by default, as ``fn``'s, and is also the attribute
        ``reduction``. Array options (tensors, NumPy arrays, lists: ``class_weight``) are held
        as tensors in buffers, as ``nn.CrossEntropyLoss`` holds ``weight``: ``.to(device)`` and
        ``.to(dtype)`` move them with the model, and ``state_dict`` saves them.

    Notes
    -----
    Under ``torch.autocast``, ``forward`` computes as torch's own losses do, which autocast runs
    in float32: autocast is disabled inside the loss, float16/bfloat16 tensor arguments are
    converted to float32 and the result is float32. float32 and float64 inputs are left as
    they are. A plain ``unilosses`` call (``ul.huber(input, target)``) is not an autocast op: it
    returns ``input``'s dtype (computing float16/bfloat16 internally in float32), and any
    matrix product inside it follows autocast; use this module under autocast to get torch's
    behaviour.

    Examples
    --------
    >>> import torch
    >>> import unilosses as ul
    >>> from unilosses.adapters.torch import Loss
    >>> criterion = Loss(ul.sparse_categorical_crossentropy, from_logits=True)
    >>> logits, labels = torch.tensor([[2.0, 0.0], [0.0, 2.0]]), torch.tensor([0, 0])
    >>> bool(torch.isclose(criterion(logits, labels), torch.nn.CrossEntropyLoss()(logits, labels)))
    True
    >>> Loss(ul.huber, delt=0.5)
    Traceback (most recent call last):
    TypeError: huber() has no option 'delt'; its options are: delta, reduction, sample_weight
    """

    def __init__(self, fn: Callable[..., Any], **options: Any) -> None:
        super().__init__()
        if not callable(fn):
            raise TypeError(f"fn must be a loss function, got {type(fn).__name__}")
        check_options(fn, options)
        if "reduction" in options:
            check_reduction(options["reduction"])
        self.fn = fn
        self._options: dict[str, Any] = {}
        self._tensor_options: list[str] = []
        for key, value in options.items():
            if isinstance(value, (torch.Tensor, np.ndarray, list, tuple)):
                self.register_buffer(_PREFIX + key, torch.as_tensor(value))
                self._tensor_options.append(key)
            else:
                self._options[key] = value
        self._order = list(options)

    @property
    def options(self) -> dict[str, Any]:
        """The keyword arguments passed to ``fn`` (tensor options as currently placed)."""
        tensors = {k: getattr(self, _PREFIX + k) for k in self._tensor_options}
        merged = {**self._options, **tensors}
        return {k: merged[k] for k in self._order}

    @property
    def reduction(self) -> str:
        """The reduction ``fn`` applies; settable, as torch's losses' attribute."""
        return str(self._options.get("reduction", "mean"))

    @reduction.setter
    def reduction(self, value: str) -> None:
        check_reduction(value)
        if "reduction" not in self._order:
            self._order.append("reduction")
        self._options["reduction"] = value

    def forward(self, input: Any, target: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs = {**self.options, **kwargs}
        device = input.device.type if isinstance(input, torch.Tensor) else "cpu"
        if not (torch.amp.is_autocast_available(device) and torch.is_autocast_enabled(device)):
            return self.fn(input, target, *args, **kwargs)
        with torch.autocast(device, enabled=False):
            return self.fn(
                _to_float32(input),
                _to_float32(target),
                *map(_to_float32, args),
                **{k: _to_float32(v) for k, v in kwargs.items()},
            )

    def extra_repr(self) -> str:
        name = getattr(self.fn, "__name__", repr(self.fn))
        options = self.options
        shown = [
            f"{k}=tensor(shape={tuple(v.shape)})" if isinstance(v, torch.Tensor) else f"{k}={v!r}"
            for k, v in options.items()
        ]
        return ", ".join([f"fn={name}", *shown])
