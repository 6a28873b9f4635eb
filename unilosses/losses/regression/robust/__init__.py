"""Robust regression losses: bounded or slowly growing penalties of the residual.

Every loss here is elementwise in ``d = y_pred - y_true``; ``reduction="none"`` returns the
elementwise loss. Arguments not described are as in :func:`unilosses.mean_squared_error`.

Squared-error conventions differ between the anchors: torch ``F.mse_loss``, Keras
``MeanSquaredError`` and Optax ``squared_error`` are ``d**2`` (our :func:`mean_squared_error`);
Optax ``l2_loss`` is ``0.5 * d**2`` (our :func:`l2_loss`).

``smooth``: smooth L1, log-cosh, quantile/pinball, Charbonnier, pseudo-Huber, wing, l2_loss.
``kernels``: Cauchy, Welsch, Geman-McClure and Barron's general loss.
"""

from .kernels import *  # noqa: F403
from .kernels import __all__ as _kernels
from .smooth import *  # noqa: F403
from .smooth import __all__ as _smooth

__all__ = [*_smooth, *_kernels]
