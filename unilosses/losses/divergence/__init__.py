"""Divergences and distances. One module per sub-family; every public name is re-exported here.

``probability``: KL, generalized KL and Jensen-Shannon divergences between distributions along an
axis. ``transport``: the debiased Sinkhorn divergence between point clouds (entropic optimal
transport). ``kernel``: the maximum mean discrepancy between point clouds.
"""

from .kernel import *  # noqa: F403
from .kernel import __all__ as _kernel
from .probability import *  # noqa: F403
from .probability import __all__ as _probability
from .transport import *  # noqa: F403
from .transport import __all__ as _transport

__all__ = [*_probability, *_transport, *_kernel]
