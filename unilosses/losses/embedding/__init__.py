"""Embedding, metric-learning and ranking losses. One module per sub-family; every public name is
re-exported here.

``pair``: losses on pairs and triplets of embeddings or scores (cosine embedding, margin ranking,
triplet margin, contrastive). ``contrastive``: batch-level self-supervised and metric-learning
losses (NT-Xent, InfoNCE, Circle, Barlow Twins). ``ranking``: listwise ranking losses
(softmax, ListNet, ListMLE, ApproxNDCG); ``pairwise_ranking``: pairwise ones (hinge, logistic,
soft zero-one, squared, LambdaLoss).
``margin_softmax``: margin softmax losses on learnable class centers (ArcFace, CosFace,
SphereFace). ``proxy``: losses on learnable class proxies (Proxy-Anchor, ProxyNCA).
``metric``: pair-based metric-learning losses over labelled batches (SupCon, multi-similarity,
generalized lifted structure, N-pairs).

Arguments follow the anchors' names and order (``triplet_margin(anchor, positive, negative)``,
torch); the first argument is the prediction, gradients flow to it, and error messages name each
argument. Batch-level losses (``ntxent``, ``barlow_twins``) have one value per batch and return a
0-d array for every ``reduction``.
"""

from .contrastive import *  # noqa: F403
from .contrastive import __all__ as _contrastive
from .margin_softmax import *  # noqa: F403
from .margin_softmax import __all__ as _margin_softmax
from .metric import *  # noqa: F403
from .metric import __all__ as _metric
from .pair import *  # noqa: F403
from .pair import __all__ as _pair
from .pairwise_ranking import *  # noqa: F403
from .pairwise_ranking import __all__ as _pairwise_ranking
from .proxy import *  # noqa: F403
from .proxy import __all__ as _proxy
from .ranking import *  # noqa: F403
from .ranking import __all__ as _ranking

__all__ = [*_pair, *_contrastive, *_metric, *_ranking, *_pairwise_ranking]
__all__ += [*_margin_softmax, *_proxy]
