"""Losses as gradient-boosting objectives: exact gradients and Hessians for XGBoost and LightGBM.

``objective(loss, **options)`` is a custom objective for XGBoost (``xgb.train(..., obj=...)``,
``XGBRegressor(objective=...)``, ``xgboost.dask``) and LightGBM (``params["objective"]``,
``LGBMRegressor(objective=...)``); ``metric(loss, **options)`` is the matching evaluation metric.
The derivatives come from the loss's one array-API definition, run on hyper-dual NumPy arrays
(:mod:`unilosses.backends.hyperdual`): exact first and second derivatives with NumPy alone, in
the scores' dtype (float32 from XGBoost, float64 from LightGBM; both keep gradients in float32),
block by block. Nothing here imports XGBoost or LightGBM.

How a loss reads the booster's raw scores is its :class:`Form`; :data:`FORMS` holds the form of
every loss that has one: a per-sample (or per-sample, per-class) prediction with a target of the
same rows. Regression losses read the score as the prediction; classification losses read
logits (``from_logits=True``); rate losses (``poisson``, ``tweedie``) read the log of the rate.
Multi-class losses take ``(N, C)`` scores (``num_class`` in the booster's parameters) and give
the gradient and the diagonal of the Hessian per sample and class, in the booster's layout.

Hessians: ``"exact"`` is the second derivative, floored at ``floor`` (``1e-16``, the floor
XGBoost's logistic and softmax objectives use), so that a non-convex loss (focal, Cauchy,
Welsch ...) or a flat region (Huber's linear part) never gives a zero or negative Hessian.
Piecewise-linear losses, whose second derivative is zero wherever it exists, use ``"constant"``:
a Hessian of 1 (times the weight), as XGBoost's ``reg:absoluteerror`` and ``reg:quantileerror``
and LightGBM's ``l1`` and ``quantile`` objectives do; each tree then takes a gradient step.

At a kink (``|d|`` at 0, ``max(x, 0)`` at 0, tied scores) the derivatives are the mean of the two
one-sided ones (what central finite differences give): Huber's Hessian at a zero residual is 1,
the hinge's gradient at its corner is half its slope. XGBoost's own objectives differ from the
exact derivatives in two places: ``multi:softprob`` uses ``2 p (1 - p)`` as the Hessian (twice
the exact diagonal ``p (1 - p)``; LightGBM's ``multiclass`` uses ``C / (C - 1)`` times it), and
``count:poisson`` uses ``exp(s + max_delta_step)`` (``max_delta_step`` 0.7 by default, a
safeguard; 0 gives the exact Hessian).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from .backends import hyperdual

__all__ = ["FORMS", "Form", "Metric", "Objective", "form_of", "metric", "objective"]

Array = Any

_TARGETS = ("values", "signed", "labels", "onehot")
_LINKS = ("identity", "exp")
_HESSIANS = ("exact", "constant")
# bytes of a block's arrays: its temporaries stay in the cache, and just below glibc's mmap
# threshold (128 KiB), above which each temporary would be a fresh mapping, page-faulted anew
_BLOCK = (1 << 17) - 4096


@dataclass(frozen=True)
class Form:
    """How a loss reads a booster's raw scores and labels.

    Attributes
    ----------
    target : {"values", "signed", "labels", "onehot"}
        The labels as the loss takes them: as given (``"values"``: regression targets, 0/1
        labels, counts); 0 mapped to -1 (``"signed"``: losses of targets in {-1, 1}, given the
        {0, 1} labels boosters use); integer class labels (``"labels"``); one-hot rows of the
        class labels, or ``(N, C)`` soft labels given as such (``"onehot"``).
    rows : bool
        Whether the loss gives one value per row of ``(N, K)`` scores (classes, outputs); with
        ``False`` it is elementwise. Class targets imply ``True``.
    link : {"identity", "exp"}
        The loss's prediction from the score: the score itself, or its ``exp`` (rates, means).
    options : mapping
        Options the loss needs to read raw scores (``from_logits=True``); the caller's options
        are added to them.
    hessian : {"exact", "constant"}
        The Hessian convention (see the module docstring).
    """

    target: str = "values"
    rows: bool = False
    link: str = "identity"
    options: Mapping[str, Any] = field(default_factory=dict)
    hessian: str = "exact"

    def __post_init__(self) -> None:
        for name, value, allowed in (
            ("target", self.target, _TARGETS),
            ("link", self.link, _LINKS),
            ("hessian", self.hessian, _HESSIANS),
        ):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
        if self.target in ("labels", "onehot") and not self.rows:
            raise ValueError(f"target={self.target!r} needs rows=True (one score per class)")


_LOGITS = {"from_logits": True}
_BINARY = Form(options=_LOGITS)
_SIGNED = Form(target="signed")
_PIECEWISE = Form(hessian="constant")
_SIGNED_PIECEWISE = Form(target="signed", hessian="constant")

# every loss with an objective form, by its name (aliases share their function's form)
FORMS: Mapping[str, Form] = MappingProxyType(
    {
        # regression: the score is the prediction
        **dict.fromkeys(
            (
                "mean_squared_error", "l2_loss", "huber", "smooth_l1", "log_cosh", "charbonnier",
                "pseudo_huber", "cauchy", "welsch", "geman_mcclure", "general_robust", "wing",
                "mean_squared_logarithmic_error", "poisson_nll",
            ),
            Form(),
        ),
        **dict.fromkeys(
            ("mean_absolute_error", "quantile", "mean_absolute_percentage_error"), _PIECEWISE
        ),
        # rates and means: the score is their log
        "poisson": Form(link="exp"),
        "tweedie": Form(link="exp"),
        "generalized_kl_divergence": Form(rows=True, options={"log_input": True}),
        "cosine_similarity_loss": Form(rows=True),
        # binary classification: the score is the logit
        "binary_crossentropy": _BINARY,
        "binary_focal_crossentropy": _BINARY,
        "sparsemax_loss": Form(),
        "soft_margin": _SIGNED,
        "squared_hinge": _SIGNED,
        "hinge": _SIGNED_PIECEWISE,
        "perceptron": _SIGNED_PIECEWISE,
        "hinge_embedding": _SIGNED_PIECEWISE,
        "multilabel_soft_margin": Form(rows=True),
        # multi-class: one score (logit) per class
        "sparse_categorical_crossentropy": Form(target="labels", rows=True, options=_LOGITS),
        "generalized_crossentropy": Form(target="labels", rows=True, options=_LOGITS),
        "multiclass_sparsemax_loss": Form(target="labels", rows=True),
        "categorical_crossentropy": Form(target="onehot", rows=True, options=_LOGITS),
        "categorical_focal_crossentropy": Form(target="onehot", rows=True, options=_LOGITS),
        "poly1_crossentropy": Form(target="onehot", rows=True, options=_LOGITS),
        **dict.fromkeys(
            ("multiclass_hinge", "multiclass_perceptron", "multi_margin"),
            Form(target="labels", rows=True, hessian="constant"),
        ),
        "categorical_hinge": Form(target="onehot", rows=True, hessian="constant"),
    }
)


def _resolve(loss: str | Callable[..., Any]) -> tuple[str | None, Callable[..., Any]]:
    """``(name, function)`` of a public loss given by name or function; ``(None, loss)`` for a
    callable of the caller's own."""
    import unilosses

    if isinstance(loss, str):
        if loss not in unilosses.__all__:
            raise ValueError(f"loss must be a unilosses loss or a callable, got {loss!r}")
        fn: Callable[..., Any] = getattr(unilosses, loss)
        return fn.__name__, fn
    if not callable(loss):
        raise TypeError(f"loss must be a unilosses loss or a callable, got {type(loss).__name__}")
    name = getattr(loss, "__name__", None)
    if name in unilosses.__all__ and getattr(unilosses, name) is loss:
        return name, loss
    return None, loss


def form_of(loss: str | Callable[..., Any]) -> Form | None:
    """The objective form of a unilosses loss (by name or function); ``None`` if it has none."""
    name, _ = _resolve(loss)
    return None if name is None else FORMS.get(name)


def _weights(data: Any) -> Array | None:
    """The sample weights of an XGBoost ``DMatrix`` (empty without) or a LightGBM ``Dataset``
    (``None`` without)."""
    w = data.get_weight()
    return None if w is None or np.size(w) == 0 else w


class _Bound:
    """A loss bound to its form and options: what :class:`Objective` and :class:`Metric` share.
    Pickles by the loss's name (for Dask workers)."""

    def __init__(
        self, loss: str | Callable[..., Any], form: Form | None, options: Mapping[str, Any]
    ) -> None:
        for reserved in ("reduction", "sample_weight", "xp"):
            if reserved in options:
                raise TypeError(
                    f"{reserved} is set by the objective (sample weights come from the training "
                    "data's weights); pass loss options only"
                )
        name, self._fn = _resolve(loss)
        if form is None:
            form = None if name is None else FORMS.get(name)
            if form is None:
                raise ValueError(
                    f"{name or loss!r} has no objective form: see unilosses.boosting.FORMS for "
                    "the losses that have one, or pass form=Form(...) for a loss of your own"
                )
        elif not isinstance(form, Form):
            raise TypeError(f"form must be a unilosses.boosting.Form, got {type(form).__name__}")
        self.form = form
        self.options = {**form.options, **options}
        self.name: str = name or str(getattr(loss, "__name__", "loss"))
        self._spec = name if name is not None else loss

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_fn"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._fn = _resolve(state["_spec"])[1]

    def __repr__(self) -> str:
        options = "".join(f", {k}={v!r}" for k, v in self.options.items())
        return f"{type(self).__name__.lower()}({self.name!r}{options})"

    def _inputs(self, scores: Array, labels: Array) -> tuple[Array, Array]:
        """Scores as float32 or float64 arrays (``(N, K)`` for row losses) and the targets the
        loss takes."""
        s = np.asarray(scores)
        if s.dtype not in (np.float32, np.float64):
            s = s.astype(np.float64)
        y = np.asarray(labels)
        if s.ndim not in (1, 2):
            raise ValueError(f"scores must have shape (N,) or (N, K), got {s.shape}")
        form = self.form
        if form.rows and s.ndim == 1:
            s = s[:, None]
        n = s.shape[0]
        classes = form.target == "labels" or (form.target == "onehot" and y.size == n)
        if classes:
            if s.shape[1] < 2:
                raise ValueError(
                    f"{self.name} needs one score per class, scores of shape (N, C); got "
                    f"{np.shape(scores)} (set num_class in the booster's parameters)"
                )
            if y.size != n or np.any(y != np.round(y)):
                raise ValueError(f"labels must be {n} class indices in [0, {s.shape[1]})")
            t = y.reshape(n).astype(np.int64)
            if form.target == "labels":
                return s, t
            if t.size and (t.min() < 0 or t.max() >= s.shape[1]):
                raise ValueError(f"labels must be class indices in [0, {s.shape[1]})")
            return s, np.eye(s.shape[1], dtype=s.dtype)[t]
        if y.size != s.size:
            raise ValueError(
                f"expected {s.size} labels for scores of shape {s.shape}, got {y.size}"
            )
        t = y.reshape(s.shape).astype(s.dtype, copy=False)
        return s, np.where(t == 0, -1.0, t) if form.target == "signed" else t

    def _call(self, x: Any, t: Array, **reduction: Any) -> Any:
        """The loss of scores ``x`` (NumPy or hyper-dual; unreduced unless told)."""
        y_pred = hyperdual.exp(x) if self.form.link == "exp" else x
        xp = hyperdual if isinstance(x, hyperdual.Dual) else None
        return self._fn(y_pred, t, **{"reduction": "none", **reduction}, xp=xp, **self.options)


class Objective(_Bound):
    """A custom objective: call it as XGBoost and LightGBM do.

    ``objective(predt, dtrain)`` (XGBoost's ``DMatrix``, LightGBM's ``Dataset``: native
    training) and ``objective(y_true, y_pred, sample_weight=None)`` (their scikit-learn
    estimators) return ``(grad, hess)`` in the scores' shape. :meth:`derivatives` is the same
    without a booster.
    """

    def __init__(
        self,
        loss: str | Callable[..., Any],
        form: Form | None = None,
        hessian: str | None = None,
        floor: float | None = 1e-16,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(loss, form, options or {})
        self.hessian = self.form.hessian if hessian is None else hessian
        if self.hessian not in _HESSIANS:
            raise ValueError(f"hessian must be one of {_HESSIANS} or None, got {hessian!r}")
        if floor is not None and not (isinstance(floor, (int, float)) and floor >= 0):
            raise ValueError(f"floor must be a number >= 0 or None, got {floor!r}")
        self.floor = floor
        self.__name__ = self.name

    def __call__(self, a: Array, b: Any, sample_weight: Array | None = None) -> tuple[Array, Array]:
        if hasattr(b, "get_label"):  # (scores, DMatrix or Dataset)
            return self.derivatives(a, b.get_label(), _weights(b))
        return self.derivatives(b, a, sample_weight)  # (y_true, y_pred)

    def derivatives(
        self, scores: Array, labels: Array, sample_weight: Array | None = None
    ) -> tuple[Array, Array]:
        """``(grad, hess)`` of the loss with respect to the raw ``scores``, in their shape:
        per element, or per row and class (the diagonal of each row's Hessian), times the
        ``sample_weight`` of each row."""
        shape = np.shape(scores)
        x, t = self._inputs(scores, labels)
        n = x.shape[0]
        w = None
        if sample_weight is not None:
            w = np.asarray(sample_weight, dtype=x.dtype)
            if w.size != n:
                raise ValueError(f"expected {n} sample weights, got {w.size}")
            w = w.reshape((-1,) + (1,) * (x.ndim - 1))
        grad, hess = np.empty_like(x), np.empty_like(x)
        step = max(1, _BLOCK // max(1, x[:1].nbytes))  # rows per block
        for i in range(0, n, step):
            rows = slice(i, i + step)
            g, h = grad[rows], hess[rows]
            self._block(x[rows], t[rows], g, h)
            if self.hessian == "constant":
                h[...] = 1.0
            elif self.floor is not None:
                np.maximum(h, self.floor, out=h)
            if w is not None:
                g *= w[rows]
                h *= w[rows]
        return grad.reshape(shape), hess.reshape(shape)

    def _block(self, x: Array, t: Array, grad: Array, hess: Array) -> None:
        # the passes below evaluate the loss at the same scores: the first keeps the values, the
        # others compute only the derivatives
        with hyperdual.taping():
            if not self.form.rows:  # elementwise: one pass gives every element's derivatives
                grad[...], hess[...] = self._directional(x, t, 1.0)
                return
            for j in range(x.shape[1]):  # one pass per column: that column's derivatives
                seed = np.zeros(x.shape[1], x.dtype)
                seed[j] = 1.0
                grad[:, j], hess[:, j] = self._directional(x, t, seed)

    def _directional(self, x: Array, t: Array, seed: Any) -> tuple[Any, Any]:
        """The derivatives along ``seed``: one-sided where the loss has a kink at ``x`` (a tie
        decided by the seed), and then the mean with the other side's."""
        d, h = self._seeded(x, t, seed)
        if hyperdual.ties_broken():
            d_minus, h_minus = self._seeded(x, t, -seed)
            d, h = 0.5 * (d - d_minus), 0.5 * (h + h_minus)
        return d, h

    def _seeded(self, x: Array, t: Array, seed: Any) -> tuple[Any, Any]:
        hyperdual.clear_ties()
        hyperdual.new_pass()
        try:
            out = self._call(hyperdual.Dual(x, seed, 0.0), t)
        except hyperdual.UnsupportedOperation as e:
            raise TypeError(
                f"{self.name} cannot be differentiated with NumPy here: {e}"
            ) from None
        want = x.shape[:1] if self.form.rows else x.shape
        if tuple(np.shape(out)) != want:
            raise ValueError(
                f"{self.name} with reduction='none' gave shape {np.shape(out)} for scores of "
                f"shape {x.shape}; its form expects {want}"
            )
        if not isinstance(out, hyperdual.Dual):  # the loss does not depend on the scores
            return 0.0, 0.0
        return out.d, out.h  # (broadcastable to the block: a float for a constant)


class Metric(_Bound):
    """An evaluation metric: the (weighted) mean loss of raw scores.

    ``metric(predt, dtrain)`` returns ``(name, value)`` for XGBoost's ``DMatrix`` and
    ``(name, value, False)`` (lower is better) for LightGBM's ``Dataset``;
    ``metric(y_true, y_pred, sample_weight=None)`` returns the value (XGBoost's scikit-learn
    estimators, scikit-learn scorers); :meth:`lightgbm` is the form LightGBM's scikit-learn
    estimators call.
    """

    def __init__(
        self,
        loss: str | Callable[..., Any],
        form: Form | None = None,
        name: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(loss, form, options or {})
        if name is not None:
            self.name = name
        self.__name__ = self.name

    def __call__(self, a: Array, b: Any, sample_weight: Array | None = None) -> Any:
        if hasattr(b, "get_label"):
            value = self.value(a, b.get_label(), _weights(b))
            if type(b).__module__.split(".", 1)[0] == "lightgbm":
                return self.name, value, False
            return self.name, value
        return self.value(b, a, sample_weight)

    def lightgbm(
        self, y_true: Array, y_pred: Array, weight: Array | None = None
    ) -> tuple[str, float, bool]:
        """LightGBM's scikit-learn form: ``(name, value, is_higher_better)``."""
        return self.name, self.value(y_pred, y_true, weight), False

    def value(self, scores: Array, labels: Array, sample_weight: Array | None = None) -> float:
        """The mean loss of the raw ``scores``, weighted by ``sample_weight`` per row."""
        x, t = self._inputs(scores, labels)
        loss = self._call(x, t, reduction="mean", sample_weight=sample_weight)
        return float(loss)


def objective(
    loss: str | Callable[..., Any],
    *,
    form: Form | None = None,
    hessian: str | None = None,
    floor: float | None = 1e-16,
    **options: Any,
) -> Objective:
    """A gradient-boosting objective from a loss: exact gradients and Hessians of raw scores.

    Parameters
    ----------
    loss : str or callable
        A unilosses loss (name or function) with an objective form (:data:`FORMS`), or a loss
        of the caller's own, ``loss(y_pred, y_true, *, reduction, xp, **options)`` written
        against the array API (``xp``) and given its ``form``.
    form : Form, optional
        How the loss reads scores and labels; the loss's entry in :data:`FORMS` by default.
    hessian : {"exact", "constant"}, optional
        The Hessian convention; the form's by default.
    floor : float or None
        The smallest exact Hessian (``1e-16``); ``None`` keeps the second derivative as it is
        (zero or negative where the loss is not strictly convex).
    **options
        The loss's options (``gamma=2.0``, ``delta=1.0`` ...).

    Returns
    -------
    Objective
        Callable as ``(predt, dtrain)`` and ``(y_true, y_pred[, sample_weight])``, returning
        ``(grad, hess)``.

    Examples
    --------
    >>> import numpy as np
    >>> from unilosses.boosting import objective
    >>> obj = objective("binary_crossentropy")  # logits s: grad p - y, hess p (1 - p)
    >>> y_true, y_pred = np.array([1.0, 0.0]), np.array([0.0, np.log(3.0)])
    >>> grad, hess = obj(y_true, y_pred)
    >>> grad.round(6).tolist(), hess.round(6).tolist()
    ([-0.5, 0.75], [0.25, 0.1875])
    """
    return Objective(loss, form, hessian, floor, options)


def metric(
    loss: str | Callable[..., Any],
    *,
    form: Form | None = None,
    name: str | None = None,
    **options: Any,
) -> Metric:
    """The mean of a loss over raw scores, as an evaluation metric (see :class:`Metric`).

    Arguments as in :func:`objective`; ``name`` names it in the booster's logs (the loss's name
    by default).

    Examples
    --------
    >>> import numpy as np
    >>> from unilosses.boosting import metric
    >>> m = metric("poisson_nll")  # log-rates s: exp(s) - y s
    >>> round(m(np.array([1.0, 2.0]), np.array([0.0, np.log(2.0)])), 6)
    0.806853
    """
    return Metric(loss, form, name, options)
