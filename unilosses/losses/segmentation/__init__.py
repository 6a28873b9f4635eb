"""Segmentation losses over masks. One module per sub-family; every public name is re-exported here.

``overlap``: Dice, Jaccard, generalized Dice. ``confusion``: Tversky, focal Tversky, Matthews
correlation. ``compound``: Dice plus cross-entropy or focal. ``lovasz``: Lovász hinge and softmax.
``structure``: SSIM, soft clDice and Dice plus clDice.
"""

from .compound import *  # noqa: F403
from .compound import __all__ as _compound
from .confusion import *  # noqa: F403
from .confusion import __all__ as _confusion
from .lovasz import *  # noqa: F403
from .lovasz import __all__ as _lovasz
from .overlap import *  # noqa: F403
from .overlap import __all__ as _overlap
from .structure import *  # noqa: F403
from .structure import __all__ as _structure

__all__ = [*_overlap, *_confusion, *_compound, *_lovasz, *_structure]
