"""unilosses: loss functions written once against the Python array API standard.

Every loss takes its arrays (``y_pred, y_true`` for most; ``anchor, positive, negative``,
``embeddings, labels`` ... for others), then keyword options, ``reduction="mean"``,
``sample_weight=None`` and ``xp=None``, and returns an array of the caller's library, dtype and
device.
"""

from __future__ import annotations

import importlib as _importlib
from types import ModuleType as _ModuleType

from . import backends as _backends
from ._dispatch import delegating as _delegating
from .losses import classification, divergence, embedding, regression, segmentation, sequence
from .losses.classification import *  # noqa: F403
from .losses.classification.imbalance import class_balanced_weights as class_balanced_weights
from .losses.divergence import *  # noqa: F403
from .losses.embedding import *  # noqa: F403
from .losses.regression import *  # noqa: F403
from .losses.segmentation import *  # noqa: F403
from .losses.sequence import *  # noqa: F403

__version__ = "0.1.0"

# the public losses: every family module's __all__
__all__ = sorted(
    {
        *classification.__all__,
        *divergence.__all__,
        *embedding.__all__,
        *regression.__all__,
        *segmentation.__all__,
        *sequence.__all__,
    }
)
del classification, divergence, embedding, regression, segmentation, sequence
# public functions that are not losses (class weights ...): outside __all__, which is the catalog
_HELPERS = ("class_balanced_weights",)

# each loss offered to its backend's native delegate first; an alias is the same function
_served: dict[int, object] = {}
for _name in __all__:
    globals()[_name] = _served.setdefault(id(globals()[_name]), _delegating(globals()[_name]))
del _name, _served

_backends.load_imported()


def __getattr__(name: str) -> _ModuleType:
    """``ul.torch`` and ``ul.keras`` (the framework adapters) load on first use, so that
    ``import unilosses`` imports no framework."""
    if name in ("torch", "keras"):
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
