"""A unilosses loss as a ``torch.nn.Module``, usable wherever ``nn.CrossEntropyLoss`` is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

__all__ = ["Loss"]

_PREFIX = "option_"  # buffers holding tensor options: they follow .to(device) like torch's weight


class Loss(torch.nn.Module):  # type: ignore[misc]  # torch is typed as Any here (pyproject [tool.mypy])
    """A unilosses loss as a ``torch.nn.Module``.

    ``Loss(fn, **options)(input, target, *args, **kwargs)`` is
    ``fn(input, target, *args, **options, **kwargs)``: prediction first, as torch's losses.
    ``reduction`` is an option like any other (``"mean"`` by default, as ``fn``'s);
    ``sample_weight`` may be given per call. Tensor options (``class_weight``) are registered as
    buffers, so ``criterion.to(device)`` moves them with the model, as ``nn.CrossEntropyLoss``'s
    ``weight``.

    Parameters
    ----------
    fn : callable
        A loss with the unilosses signature, e.g. ``unilosses.huber``.
    **options
        Keyword arguments of ``fn`` applied at every call.

    Examples
    --------
    >>> import torch
    >>> import unilosses as ul
    >>> from unilosses.adapters.torch import Loss
    >>> criterion = Loss(ul.sparse_categorical_crossentropy, from_logits=True)
    >>> logits, labels = torch.tensor([[2.0, 0.0], [0.0, 2.0]]), torch.tensor([0, 0])
    >>> bool(torch.isclose(criterion(logits, labels), torch.nn.CrossEntropyLoss()(logits, labels)))
    True
    """

    def __init__(self, fn: Callable[..., Any], **options: Any) -> None:
        super().__init__()
        if not callable(fn):
            raise TypeError(f"fn must be a loss function, got {type(fn).__name__}")
        self.fn = fn
        self._options: dict[str, Any] = {}
        for key, value in options.items():
            if isinstance(value, torch.Tensor):
                self.register_buffer(_PREFIX + key, value)
            else:
                self._options[key] = value
        self._tensor_options = [k for k, v in options.items() if isinstance(v, torch.Tensor)]
        self._order = list(options)

    @property
    def options(self) -> dict[str, Any]:
        """The keyword arguments passed to ``fn`` (tensor options as currently placed)."""
        tensors = {k: getattr(self, _PREFIX + k) for k in self._tensor_options}
        merged = {**self._options, **tensors}
        return {k: merged[k] for k in self._order}

    @property
    def reduction(self) -> str:
        """The reduction ``fn`` applies (torch's losses expose it as an attribute too)."""
        return str(self._options.get("reduction", "mean"))

    def forward(self, input: Any, target: Any, *args: Any, **kwargs: Any) -> Any:
        return self.fn(input, target, *args, **{**self.options, **kwargs})

    def extra_repr(self) -> str:
        name = getattr(self.fn, "__name__", repr(self.fn))
        options = self.options
        shown = [
            f"{k}=tensor(shape={tuple(v.shape)})" if isinstance(v, torch.Tensor) else f"{k}={v!r}"
            for k, v in options.items()
        ]
        return ", ".join([f"fn={name}", *shown])
