"""Regression losses. One module per sub-family; every public name is re-exported here.

``basic``: squared, absolute and Huber errors. ``robust``: smooth L1, log-cosh, quantile and the
robust kernels (Charbonnier, Cauchy, Welsch, Geman-McClure, Barron's general loss, wing).
``likelihood``: Poisson/Gaussian NLL, Tweedie, logarithmic and percentage errors, cosine similarity.
"""

from .basic import *  # noqa: F403
from .basic import __all__ as _basic
from .likelihood import *  # noqa: F403
from .likelihood import __all__ as _likelihood
from .robust import *  # noqa: F403
from .robust import __all__ as _robust

__all__ = [*_basic, *_robust, *_likelihood]
