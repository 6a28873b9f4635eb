"""Classification losses. One module per sub-family; every public name is re-exported here."""

from .crossentropy import *  # noqa: F403
from .crossentropy import __all__ as _crossentropy
from .distillation import *  # noqa: F403
from .distillation import __all__ as _distillation
from .entmax import *  # noqa: F403
from .entmax import __all__ as _entmax
from .focal import *  # noqa: F403
from .focal import __all__ as _focal
from .imbalance import *  # noqa: F403
from .imbalance import __all__ as _imbalance
from .margin import *  # noqa: F403
from .margin import __all__ as _margin
from .multiclass_margin import *  # noqa: F403
from .multiclass_margin import __all__ as _multiclass_margin
from .sparsemax import *  # noqa: F403
from .sparsemax import __all__ as _sparsemax
from .variants import *  # noqa: F403
from .variants import __all__ as _variants

__all__ = [
    *_crossentropy,
    *_focal,
    *_imbalance,
    *_margin,
    *_multiclass_margin,
    *_sparsemax,
    *_entmax,
    *_distillation,
    *_variants,
]
