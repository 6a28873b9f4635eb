"""A unilosses loss as a ``keras.losses.Loss``, for ``model.compile(loss=...)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras

__all__ = ["Loss"]


def _public(fn: Callable[..., Any] | str) -> Callable[..., Any]:
    """``fn`` (or the loss of that name) if it is a public unilosses loss, else ValueError."""
    import unilosses

    name = fn if isinstance(fn, str) else getattr(fn, "__name__", None)
    found = getattr(unilosses, name, None) if name in unilosses.__all__ else None
    if found is None or (not isinstance(fn, str) and found is not fn):
        raise ValueError(
            f"fn must be a public unilosses loss (a name in unilosses.__all__), got {fn!r}"
        )
    return found  # type: ignore[no-any-return]


@keras.saving.register_keras_serializable(package="unilosses", name="Loss")
class Loss(keras.losses.Loss):  # type: ignore[misc]
    """A unilosses loss as a ``keras.losses.Loss``.

    Keras calls ``call(y_true, y_pred)``; this calls ``fn(y_pred, y_true, reduction="none",
    **options)`` (prediction first) and returns per-sample losses, which Keras then weights by
    its ``sample_weight`` and reduces with this object's ``reduction``, as for its own losses.
    Elementwise losses are averaged over the last axis, as Keras's elementwise losses
    (``keras.losses.Huber``, ``MeanSquaredError``) are, so ``Loss(ul.huber)`` gives Keras's
    value under every Keras reduction. Keras converts targets to the loss dtype; class-index
    targets (one rank below the prediction, or with a trailing axis of 1 where the prediction's
    last axis is longer, as Keras's sparse losses take them) are converted back to integers.

    Parameters
    ----------
    fn : callable or str
        A public unilosses loss (``fn.__name__`` in ``unilosses.__all__``), or its name.
    name, reduction, dtype
        As ``keras.losses.Loss``: ``reduction`` is Keras's (``"sum_over_batch_size"`` by
        default, ``"sum"``, ``"mean_with_sample_weight"``, ``"none"`` ...).
    **options
        Keyword arguments of ``fn`` (plain Python values, so that ``get_config`` serializes
        them); ``reduction`` and ``sample_weight`` belong to Keras and are refused here.
    """

    def __init__(
        self,
        fn: Callable[..., Any] | str,
        *,
        name: str | None = None,
        reduction: str | None = "sum_over_batch_size",
        dtype: Any = None,
        **options: Any,
    ) -> None:
        fn = _public(fn)
        if "sample_weight" in options:
            raise TypeError("sample_weight is applied by Keras: pass it to fit() or __call__")
        super().__init__(name=name or fn.__name__, reduction=reduction, dtype=dtype)
        self.fn = fn
        self.options = dict(options)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        ops = keras.ops
        rank = len(y_pred.shape)
        if len(y_true.shape) == rank and rank >= 2 and y_true.shape[-1] == 1 != y_pred.shape[-1]:
            y_true = ops.squeeze(y_true, axis=-1)  # (N, ..., 1) class indices, as Keras takes them
        if len(y_true.shape) == rank - 1:  # class indices, made floats by Keras
            y_true = ops.cast(y_true, "int32")
        losses = self.fn(y_pred, y_true, reduction="none", **self.options)
        if len(losses.shape) == len(y_pred.shape) >= 2:  # elementwise: mean over the last axis
            losses = ops.mean(losses, axis=-1)
        return losses

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"dtype": self.dtype, **super().get_config()}
        return {**config, "fn": self.fn.__name__, "options": dict(self.options)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        config = dict(config)
        options = config.pop("options", {})
        return cls(**config, **options)

    def __repr__(self) -> str:
        shown = "".join(f", {k}={v!r}" for k, v in self.options.items())
        return f"Loss(fn={self.fn.__name__}{shown}, reduction={self.reduction!r})"
