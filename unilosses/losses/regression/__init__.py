"""Regression losses. One module per sub-family; every public name is re-exported here.

``basic``: squared, absolute and Huber errors. ``robust``: smooth L1, log-cosh, quantile and the
robust kernels (Charbonnier, Cauchy, Welsch, Geman-McClure, Barron's general loss, wing).
``likelihood``: Poisson/Gaussian NLL, Tweedie, logarithmic and percentage errors, cosine similarity.
``scoring``: the CRPS of Gaussian and ensemble forecasts. ``survival``: the Cox partial likelihood.
"""

from .basic import *  # noqa: F403
from .basic import __all__ as _basic
from .likelihood import *  # noqa: F403
from .likelihood import __all__ as _likelihood
from .robust import *  # noqa: F403
from .robust import __all__ as _robust
from .scoring import *  # noqa: F403
from .scoring import __all__ as _scoring
from .survival import *  # noqa: F403
from .survival import __all__ as _survival

__all__ = [*_basic, *_robust, *_likelihood, *_scoring, *_survival]
