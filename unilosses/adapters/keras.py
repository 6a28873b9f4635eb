"""A unilosses loss as a ``keras.losses.Loss``, for ``model.compile(loss=...)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from ._options import check_options

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


def _stored(value: Any) -> Any:
    """An option as kept (and serialized): arrays, tensors and lists as NumPy arrays."""
    if isinstance(value, (list, tuple, np.ndarray)) or keras.ops.is_tensor(value):
        return np.asarray(keras.ops.convert_to_numpy(value))
    if isinstance(value, np.generic):
        return value.item()
    return value


def _same_rank(y_true: Any, y_pred: Any) -> tuple[Any, Any]:
    """Keras's rank rule: where one rank exceeds the other by one and that array's last axis is
    1, a 1-D other array gains a trailing axis, else the longer one loses its trailing axis."""
    ops = keras.ops
    true_rank, pred_rank = len(y_true.shape), len(y_pred.shape)
    if true_rank == pred_rank + 1 and y_true.shape[-1] == 1:
        if pred_rank == 1:
            return y_true, ops.expand_dims(y_pred, -1)
        return ops.squeeze(y_true, axis=-1), y_pred
    if pred_rank == true_rank + 1 and y_pred.shape[-1] == 1:
        if true_rank == 1:
            return ops.expand_dims(y_true, -1), y_pred
        return y_true, ops.squeeze(y_pred, axis=-1)
    return y_true, y_pred


@keras.saving.register_keras_serializable(package="unilosses", name="Loss")
class Loss(keras.losses.Loss):  # type: ignore[misc]
    """A unilosses loss as a ``keras.losses.Loss``.

    Keras calls ``call(y_true, y_pred)``; this calls ``fn(y_pred, y_true, reduction="none",
    **options)`` (prediction first) and returns per-sample losses, which Keras then weights by
    its ``sample_weight`` and reduces with this object's ``reduction``, as for its own losses.

    Shapes are aligned as ``keras.losses`` aligns them before ``fn`` sees them:

    * Ranks that differ by one, where the longer array's last axis is 1: a 1-D other array gains
      a trailing axis (``(N,)`` targets against a ``Dense(1)`` output of shape ``(N, 1)``), else
      the longer array loses its trailing axis (``(N, H, 1)`` against ``(N, H)``).
    * Class-index targets, one rank below the prediction (``(N,)`` against ``(N, C)`` logits)
      or with a trailing axis of 1 where the prediction's last axis is longer (``(N, 1)``), as
      Keras's sparse losses take them, are squeezed and converted back to integers (Keras
      converts every target to the loss dtype).
    * Elementwise losses (one loss per prediction element) are averaged over the last axis, as
      Keras's elementwise losses (``MeanSquaredError``, ``Huber``) are, so that ``Loss(ul.huber)``
      gives Keras's value under every Keras reduction and ``sample_weight`` of shape ``(N,)`` or
      ``(N, 1)``. Like Keras, this reads 1-D inputs as one sample of ``N`` values.

    The core functions (``ul.mse(...)`` called directly) do none of this: they refuse
    predictions and targets of different shapes.

    Parameters
    ----------
    fn : callable or str
        A public unilosses loss (``fn.__name__`` in ``unilosses.__all__``), or its name.
    name, reduction, dtype
        As ``keras.losses.Loss``: ``reduction`` is Keras's (``"sum_over_batch_size"`` by
        default, ``"sum"``, ``"mean_with_sample_weight"``, ``"none"`` ...).
    **options
        Keyword options of ``fn``, checked against its signature here: an unknown name is a
        TypeError listing the valid ones. Arrays (lists, NumPy arrays, tensors), e.g.
        ``class_weight=[1.0, 2.0, 3.0]``, are kept as NumPy arrays and given to ``fn`` as
        tensors of the Keras backend. ``reduction`` and ``sample_weight`` belong to Keras
        (``sample_weight`` is given to ``fit`` or to the call) and are refused here.

    Notes
    -----
    ``get_config`` holds the loss by its public name and the options (NumPy arrays included),
    so ``from_config``, ``keras.losses.serialize``/``deserialize`` and ``model.save`` followed by
    ``keras.saving.load_model`` rebuild it. The class is registered with Keras (as
    ``"unilosses>Loss"``) when this module is imported, so a process that loads a saved model
    must ``import unilosses.keras`` first; ``import unilosses`` alone does not import Keras.

    Examples
    --------
    A ``Dense(1)`` regression model on 1-D targets::

        import keras
        import unilosses as ul
        import unilosses.keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=ul.keras.Loss(ul.huber, delta=0.5))
        model.fit(x, y, epochs=2)  # x: (N, 3), y: (N,)
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
        check_options(fn, options, excluded=("reduction", "sample_weight"), require=True)
        super().__init__(name=name or fn.__name__, reduction=reduction, dtype=dtype)
        self.fn = fn
        self.options = {key: _stored(value) for key, value in options.items()}

    def call(self, y_true: Any, y_pred: Any) -> Any:
        ops = keras.ops
        y_true, y_pred = _same_rank(y_true, y_pred)
        rank = len(y_pred.shape)
        if len(y_true.shape) == rank >= 1 and y_true.shape[-1] == 1 != y_pred.shape[-1]:
            y_true = ops.squeeze(y_true, axis=-1)  # (N, ..., 1) class indices
        if len(y_true.shape) == rank - 1:  # class indices, made floats by Keras
            y_true = ops.cast(y_true, "int32")
        options = {
            key: ops.convert_to_tensor(v, dtype=self.dtype if v.dtype.kind == "f" else None)
            if isinstance(v, np.ndarray)
            else v
            for key, v in self.options.items()
        }
        losses = self.fn(y_pred, y_true, reduction="none", **options)
        if rank >= 1 and tuple(losses.shape) == tuple(y_pred.shape):  # elementwise
            losses = ops.mean(losses, axis=-1)
        return losses

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"dtype": self.dtype, **super().get_config()}
        options = keras.saving.serialize_keras_object(dict(self.options))
        return {**config, "fn": self.fn.__name__, "options": options}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        config = dict(config)
        options = keras.saving.deserialize_keras_object(config.pop("options", None) or {})
        return cls(**config, **options)

    def __repr__(self) -> str:
        shown = "".join(f", {k}={v!r}" for k, v in self.options.items())
        return f"Loss(fn={self.fn.__name__}{shown}, reduction={self.reduction!r})"
