"""Classification losses. One module per sub-family; every public name is re-exported here."""

from .crossentropy import *  # noqa: F403
from .crossentropy import __all__ as _crossentropy
from .focal import *  # noqa: F403
from .focal import __all__ as _focal
from .margin import *  # noqa: F403
from .margin import __all__ as _margin
from .multiclass_margin import *  # noqa: F403
from .multiclass_margin import __all__ as _multiclass_margin
from .sparsemax import *  # noqa: F403
from .sparsemax import __all__ as _sparsemax
from .variants import *  # noqa: F403
from .variants import __all__ as _variants

__all__ = [*_crossentropy, *_focal, *_margin, *_multiclass_margin, *_sparsemax, *_variants]
