"""Hyper-dual arrays over NumPy: values that carry exact first and second derivatives.

A :class:`Dual` holds a value ``v`` and its first and second derivatives ``d`` and ``h`` along
one direction of the input. Every operation applies the chain rule, ``f(u)' = f'(u) u'`` and
``f(u)'' = f''(u) u'**2 + f'(u) u''`` (products: ``(ab)'' = a''b + 2a'b' + ab''``), so a loss
written against the array API and run on a ``Dual`` seeded with ``d = 1, h = 0`` at its
prediction returns the loss with its exact derivatives, in the value's dtype.
:mod:`unilosses.boosting` uses them for gradient-boosting objectives.

This module is the namespace of those arrays (the functions the losses and ``_core`` call) and
their backend object. NumPy arrays and numbers are constants: a function given no ``Dual``
returns what NumPy's (array-api-compat) namespace returns. A derivative part is an array
broadcastable to the value's shape, or a float (``0.0`` for constants, ``1.0`` for the seed:
no pass over memory).

Kinks: derivatives are one-sided, along the seed. Comparisons of hyper-dual arrays order their
Taylor polynomials ``v + d e + h e**2 / 2`` for a small ``e > 0``: equal values are decided by
``d``, then ``h``. So ``maximum``, ``minimum``, ``clip``, ``abs``, ``sign``, ``max`` along an
axis and every ``where`` on a comparison take the branch the perturbed input takes. Where a tie
was decided that way (:func:`ties_broken`), the opposite seed gives the other side; the mean of
the two sides is the central derivative (the limit of central finite differences): ``1/2`` for
``maximum(x, 0)`` at 0, 0 for ``|x|`` at 0, and the exact second derivative of a smooth function
written with ``|x|`` (Huber's 1 at 0). Functions of values only (``floor``, ``isfinite`` ...)
are constants. Any other function of ``Dual`` arguments raises :class:`UnsupportedOperation`.
"""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from . import numpy as _numpy
from .generic import Backend as _Backend
from .numpy import along_last, selector, short_last

Part = Any  # a derivative: an array broadcastable to the value's shape, or a float
_xp: Any = _numpy  # NumPy's namespace: what functions of constants return


class UnsupportedOperation(TypeError):
    """A function of hyper-dual arrays that this namespace does not differentiate."""


class _Ties(threading.local):
    broken = False


_TIES = _Ties()  # per thread: objectives may run in several threads at once (Dask workers)


def clear_ties() -> None:
    """Forget earlier ties (see :func:`ties_broken`)."""
    _TIES.broken = False


def ties_broken() -> bool:
    """Whether a comparison since :func:`clear_ties`, in this thread, met equal values and
    decided by the derivatives: results since then are one-sided (the seed's side)."""
    return _TIES.broken


class _Tape(threading.local):
    entries: list[tuple[Any, tuple[Any, ...], Any]] | None = None  # (key, arguments, value)
    at = 0  # the next entry to replay
    replay = False


_TAPE = _Tape()


@contextmanager
def taping() -> Iterator[None]:
    """Evaluations of one loss at the same inputs along several seeds (:func:`new_pass` before
    each): the first computes and keeps the values it computes from values (and the derivative
    factors ``f'`` and ``f''`` of each operation); the others replay each one whose arguments
    are the very ones it was computed from (the same input arrays, replayed values, equal
    numbers), and compute the rest: a selection decided by the seed (a tie) gives new arrays,
    and what follows from them is computed anew."""
    _TAPE.entries, _TAPE.at, _TAPE.replay = [], 0, False
    try:
        yield
    finally:
        _TAPE.entries = None


def new_pass() -> None:
    """Start an evaluation under :func:`taping`: the first records, the next ones replay."""
    if _TAPE.entries is not None:
        _TAPE.replay, _TAPE.at = bool(_TAPE.entries), 0


def _same(a: Any, b: Any) -> bool:
    """The same array object, or equal numbers (axes, exponents, constants of the code)."""
    if a is b:
        return True
    if type(a) is not type(b) or isinstance(a, np.ndarray):
        return False
    if isinstance(a, tuple):  # keyword items, shapes, index tuples (of arrays too)
        return len(a) == len(b) and all(map(_same, a, b))
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _kept(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` of values: computed, or replayed from the tape (see
    :func:`taping`). Every argument that decides the value is passed here, none captured."""
    tape = _TAPE
    if tape.entries is None:
        return fn(*args, **kwargs)
    key = getattr(fn, "__code__", fn)
    arguments = (*args, *kwargs.items())
    if not tape.replay:
        out = fn(*args, **kwargs)
        tape.entries.append((key, arguments, out))
        return out
    if tape.at >= len(tape.entries) or tape.entries[tape.at][0] is not key:
        tape.entries = None  # this evaluation took other operations: compute from here on
        return fn(*args, **kwargs)
    _, recorded, out = tape.entries[tape.at]
    tape.at += 1
    if len(recorded) == len(arguments) and all(map(_same, recorded, arguments)):
        return out
    return fn(*args, **kwargs)


# --- derivative parts: floats cost no pass over memory -----------------------------------------


def _zero(a: Part) -> bool:
    return type(a) is float and a == 0.0


def _add(a: Part, b: Part) -> Part:
    return b if _zero(a) else a if _zero(b) else a + b


def _neg(a: Part) -> Part:
    return 0.0 if _zero(a) else -a


def _sub(a: Part, b: Part) -> Part:
    return _add(a, _neg(b))


def _mul(a: Part, b: Part) -> Part:
    if _zero(a) or _zero(b):
        return 0.0
    return b if type(a) is float and a == 1.0 else a if type(b) is float and b == 1.0 else a * b


def _div(a: Part, b: Any) -> Part:
    return 0.0 if _zero(a) else a / b


def _where(select: Callable[[Any, Any], Any], a: Part, b: Part) -> Part:
    """``select(a, b)`` of two derivative parts; equal floats stay a float."""
    return a if type(a) is float and type(b) is float and a == b else select(a, b)


def _along(ufunc: Any, a: Any, axis: Any, keepdims: bool = False) -> Any:
    """``ufunc.reduce(a, axis)``; along a short last axis as NumPy's namespace does it."""
    a = np.asarray(a)
    if short_last(a, axis):
        return along_last(ufunc, a, keepdims)
    return ufunc.reduce(a, axis=axis, keepdims=keepdims)


def _full(a: Part, shape: tuple[int, ...]) -> Part:
    """``a`` as an array of ``shape`` (a broadcast view); the constant 0.0 stays a float."""
    if _zero(a):
        return 0.0
    return a if getattr(a, "shape", None) == shape else np.broadcast_to(a, shape)


# --- the array ---------------------------------------------------------------------------------


class Dual:
    """An array value ``v`` with its first and second derivatives ``d`` and ``h``; operators
    are the namespace's functions below."""

    __slots__ = ("d", "h", "v")
    __array_ufunc__ = None  # NumPy operators defer to the reflected methods here
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, v: Any, d: Part = 0.0, h: Part = 0.0) -> None:
        self.v, self.d, self.h = v, d, h

    shape = property(lambda self: self.v.shape)
    ndim = property(lambda self: self.v.ndim)
    size = property(lambda self: self.v.size)
    dtype = property(lambda self: self.v.dtype)
    device = property(lambda self: "cpu")

    def __array_namespace__(self, *, api_version: str | None = None) -> Any:
        return sys.modules[__name__]

    def __repr__(self) -> str:
        return f"Dual(v={self.v!r}, d={self.d!r}, h={self.h!r})"

    def __bool__(self) -> bool:
        raise TypeError("the truth value of a hyper-dual array is not defined; compare values")

    def __neg__(self) -> Dual:
        return Dual(-self.v, _neg(self.d), _neg(self.h))

    def __pos__(self) -> Dual:
        return self

    def __abs__(self) -> Dual:
        return abs(self)  # type: ignore[no-any-return]

    def __getitem__(self, key: Any) -> Dual:
        return _structural(self, _index, key)


def _index(a: Any, key: Any) -> Any:
    return a[key]


def _value(x: Any) -> Any:
    return x.v if isinstance(x, Dual) else x


def _lift(x: Any) -> Dual:
    return x if isinstance(x, Dual) else Dual(x)


def _duals(*args: Any) -> bool:
    return any(isinstance(a, Dual) for a in args)


def _sign_and_zero(v: Any) -> tuple[Any, Any]:
    s = np.sign(v)
    return s, s == 0


def _taylor_sign(v: Any, d: Part, h: Part) -> Any:
    """The sign of ``v + d e + h e**2 / 2`` for a small ``e > 0``: of ``v``; where ``v`` is 0,
    of ``d``; where that is 0 too, of ``h``. Records a tie decided by ``d`` or ``h``."""
    s, zero = _kept(_sign_and_zero, v)
    if not np.any(zero) or (_zero(d) and _zero(h)):
        return s
    later = np.sign(np.where(np.not_equal(d, 0), d, h))
    if np.any(zero & (later != 0)):
        _TIES.broken = True
    return np.where(zero, later, s)


def _and_tie(op: Callable[[Any, Any], Any], a: Any, b: Any) -> tuple[Any, Any]:
    return op(a, b), a == b


def _compare(op: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
    """``op(a, b)`` of the Taylor polynomials: ``op(sign(a - b), 0)``."""
    a, b = _lift(a), _lift(b)
    out, tie = _kept(_and_tie, op, a.v, b.v)
    if not np.any(tie):
        return out
    return np.where(tie, op(_taylor_sign(0.0, _sub(a.d, b.d), _sub(a.h, b.h)), 0), out)


def _chain(x: Dual, f0: Any, f1: Any, f2: Any) -> Dual:
    """``f(x)`` from ``f(u) = f0``, ``f'(u) = f1``, ``f''(u) = f2``."""
    return Dual(f0, _mul(f1, x.d), _add(_mul(f2, _mul(x.d, x.d)), _mul(f1, x.h)))


def _structural(x: Dual, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Dual:
    """A linear map ``fn(a, *args, **kwargs)`` applied to the value and each derivative
    (reshapes, indexing, sums)."""
    d, h = _full(x.d, x.shape), _full(x.h, x.shape)
    return Dual(
        _kept(fn, x.v, *args, **kwargs),
        0.0 if _zero(d) else fn(d, *args, **kwargs),
        0.0 if _zero(h) else fn(h, *args, **kwargs),
    )


# --- arithmetic --------------------------------------------------------------------------------


def add(a: Any, b: Any, /) -> Any:
    if type(a) is not Dual:
        if type(b) is not Dual:
            return _kept(_xp.add, a, b)
        return Dual(_kept(np.add, a, b.v), b.d, b.h)
    if type(b) is not Dual:  # a constant: the derivatives are a's
        return Dual(_kept(np.add, a.v, b), a.d, a.h)
    return Dual(_kept(np.add, a.v, b.v), _add(a.d, b.d), _add(a.h, b.h))


def subtract(a: Any, b: Any, /) -> Any:
    if type(a) is not Dual:
        if type(b) is not Dual:
            return _kept(_xp.subtract, a, b)
        return Dual(_kept(np.subtract, a, b.v), _neg(b.d), _neg(b.h))
    if type(b) is not Dual:
        return Dual(_kept(np.subtract, a.v, b), a.d, a.h)
    return Dual(_kept(np.subtract, a.v, b.v), _sub(a.d, b.d), _sub(a.h, b.h))


def multiply(a: Any, b: Any, /) -> Any:
    if type(b) is not Dual:
        if type(a) is not Dual:
            return _kept(_xp.multiply, a, b)
        return Dual(_kept(np.multiply, a.v, b), _mul(a.d, b), _mul(a.h, b))  # times a constant
    if type(a) is not Dual:
        return Dual(_kept(np.multiply, a, b.v), _mul(a, b.d), _mul(a, b.h))
    d = _add(_mul(a.d, b.v), _mul(a.v, b.d))
    h = _add(_add(_mul(a.h, b.v), _mul(a.v, b.h)), _mul(2.0, _mul(a.d, b.d)))
    return Dual(_kept(np.multiply, a.v, b.v), d, h)


def divide(a: Any, b: Any, /) -> Any:
    if not _duals(a, b):
        return _kept(_xp.divide, a, b)
    a, b = _lift(a), _lift(b)
    q = _kept(np.divide, a.v, b.v)
    if _zero(b.d) and _zero(b.h):
        return Dual(q, _div(a.d, b.v), _div(a.h, b.v))
    d = _div(_sub(a.d, _mul(q, b.d)), b.v)
    return Dual(q, d, _div(_sub(_sub(a.h, _mul(2.0, _mul(d, b.d))), _mul(q, b.h)), b.v))


def _power(v: Any, b: Any) -> tuple[Any, Any, Any]:
    return v**b, b * v ** (b - 1), b * (b - 1) * v ** (b - 2)


def _exponential(a: Any, v: Any) -> tuple[Any, Any, Any]:
    f0, log_a = a**v, np.log(a)
    f1 = f0 * log_a
    return f0, f1, f1 * log_a


def pow(a: Any, b: Any, /) -> Any:
    if not _duals(a, b):
        return _xp.pow(a, b)
    if not isinstance(b, Dual):  # a constant exponent
        if isinstance(b, (int, float)) and b == 2:
            return multiply(a, a)
        return _chain(a, *_kept(_power, a.v, b))
    if not isinstance(a, Dual):  # c**x = exp(x log c)
        return _chain(b, *_kept(_exponential, a, b.v))
    return exp(multiply(b, log(a)))


def _elementwise(name: str, rule: Callable[[Any], tuple[Any, Any, Any]]) -> Callable[..., Any]:
    """The namespace function ``name`` of one argument from ``rule(v) -> (f, f', f'')``."""
    plain = getattr(_xp, name)

    def fn(x: Any, /) -> Any:
        return _chain(x, *_kept(rule, x.v)) if isinstance(x, Dual) else _kept(plain, x)

    fn.__name__ = fn.__qualname__ = name
    return fn


def _exp(v: Any) -> tuple[Any, Any, Any]:
    e = np.exp(v)
    return e, e, e


def _expm1(v: Any) -> tuple[Any, Any, Any]:
    e = np.exp(v)
    return np.expm1(v), e, e


def _log(v: Any) -> tuple[Any, Any, Any]:
    r = 1.0 / v
    return np.log(v), r, -(r * r)


def _log1p(v: Any) -> tuple[Any, Any, Any]:
    r = 1.0 / (1.0 + v)
    return np.log1p(v), r, -(r * r)


def _sqrt(v: Any) -> tuple[Any, Any, Any]:
    s = np.sqrt(v)
    f1 = 0.5 / s
    return s, f1, -0.5 * f1 / v


def _tanh(v: Any) -> tuple[Any, Any, Any]:
    t = np.tanh(v)
    f1 = 1.0 - t * t
    return t, f1, -2.0 * t * f1


exp = _elementwise("exp", _exp)
expm1 = _elementwise("expm1", _expm1)
log = _elementwise("log", _log)
log1p = _elementwise("log1p", _log1p)
sqrt = _elementwise("sqrt", _sqrt)
tanh = _elementwise("tanh", _tanh)


def square(x: Any, /) -> Any:
    return multiply(x, x) if isinstance(x, Dual) else _xp.square(x)


def negative(x: Any, /) -> Any:
    return -x if isinstance(x, Dual) else _xp.negative(x)


def abs(x: Any, /) -> Any:
    """``|x|``, derivative ``sign(x)`` (one-sided at 0)."""
    if not isinstance(x, Dual):
        return _xp.abs(x)
    s = _taylor_sign(x.v, x.d, x.h)
    return Dual(_kept(np.abs, x.v), _mul(s, x.d), _mul(s, x.h))


def sign(x: Any, /) -> Any:
    """The sign (a constant); at 0 the side the input moves to."""
    return _taylor_sign(x.v, x.d, x.h) if isinstance(x, Dual) else _xp.sign(x)


# --- selections: the branch the perturbed input takes ------------------------------------------


def where(condition: Any, a: Any, b: Any, /) -> Any:
    if not _duals(a, b):
        return _xp.where(condition, a, b)
    a, b = _lift(a), _lift(b)
    select = selector(condition)  # one mask for the value and both derivatives
    return Dual(select(a.v, b.v), _where(select, a.d, b.d), _where(select, a.h, b.h))


def maximum(a: Any, b: Any, /) -> Any:
    return where(_compare(np.greater_equal, a, b), a, b) if _duals(a, b) else _xp.maximum(a, b)


def minimum(a: Any, b: Any, /) -> Any:
    return where(_compare(np.less_equal, a, b), a, b) if _duals(a, b) else _xp.minimum(a, b)


def clip(x: Any, /, min: Any = None, max: Any = None) -> Any:
    if not _duals(x, min, max):
        return _xp.clip(x, min, max)
    x = x if min is None else maximum(x, min)
    return x if max is None else minimum(x, max)


def _extreme(x: Dual, top: Any, axis: Any, keepdims: bool, sign: float) -> Dual:
    """The entry whose value is the extreme ``top`` (kept dims) along ``axis``; among equal
    values the extreme ``sign * d``, then ``sign * h``."""
    if axis is None:
        out = _extreme(reshape(x, (-1,)), top.reshape((1,)), 0, False, sign)
        return reshape(out, (1,) * x.ndim) if keepdims else out
    candidates = x.v == top
    if np.any(np.sum(candidates, axis=axis) > 1):
        for part in (x.d, x.h):
            if type(part) is float:
                continue
            key = np.where(candidates, sign * part, -np.inf)
            decided = candidates & (key == np.max(key, axis=axis, keepdims=True))
            if np.any(decided != candidates):
                _TIES.broken = True
            candidates = decided
    index = np.expand_dims(np.argmax(candidates, axis=axis), axis)
    picked: Dual = take_along_axis(x, index, axis=axis)
    return picked if keepdims else squeeze(picked, axis=axis)


def max(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Any:
    if not isinstance(x, Dual):
        return _xp.max(x, axis=axis, keepdims=keepdims)
    return _extreme(x, _kept(_along, np.maximum, x.v, axis, True), axis, keepdims, 1.0)


def min(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Any:
    if not isinstance(x, Dual):
        return _xp.min(x, axis=axis, keepdims=keepdims)
    return _extreme(x, _kept(_along, np.minimum, x.v, axis, True), axis, keepdims, -1.0)


# --- reductions, shapes, gathers ---------------------------------------------------------------


def _sum(a: Any, axis: Any, keepdims: bool) -> Any:
    return _along(np.add, a, axis, keepdims)


def _mean(a: Any, axis: Any, keepdims: bool, n: int) -> Any:
    return _along(np.add, a, axis, keepdims) / n


def sum(x: Any, /, *, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Any:
    if not isinstance(x, Dual) or dtype is not None:
        return _xp.sum(_value(x), axis=axis, dtype=dtype, keepdims=keepdims)
    return _structural(x, _sum, axis, keepdims)


def mean(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Any:
    if not isinstance(x, Dual):
        return _xp.mean(x, axis=axis, keepdims=keepdims)
    axes = range(x.ndim) if axis is None else (axis,) if isinstance(axis, int) else axis
    n = math.prod(x.shape[a] for a in axes)
    return _structural(x, _mean, axis, keepdims, n)


def _linear(name: str) -> Callable[..., Any]:
    """The namespace function ``name`` applied to the value and each derivative."""
    plain = getattr(_xp, name)

    def fn(x: Any, /, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(x, Dual):
            return plain(x, *args, **kwargs)
        return _structural(x, plain, *args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    return fn


reshape = _linear("reshape")
expand_dims = _linear("expand_dims")
squeeze = _linear("squeeze")
permute_dims = _linear("permute_dims")
moveaxis = _linear("moveaxis")
broadcast_to = _linear("broadcast_to")
cumulative_sum = _linear("cumulative_sum")
take_along_axis = _linear("take_along_axis")


def astype(x: Any, dtype: Any, /, *, copy: bool = True, device: Any = None) -> Any:
    """A cast; to a non-floating dtype it reads the value only."""
    if not isinstance(x, Dual) or not _xp.isdtype(dtype, "real floating"):
        return _xp.astype(_value(x), dtype, copy=copy)
    return _structural(x, _xp.astype, dtype, copy=copy)


def asarray(obj: Any, /, *, dtype: Any = None, device: Any = None, copy: Any = None) -> Any:
    if isinstance(obj, Dual):
        return obj if dtype is None else astype(obj, dtype)
    return _xp.asarray(obj, dtype=dtype, copy=copy)


def _join(plain: Callable[..., Any], arrays: Sequence[Any], axis: int) -> Any:
    if not _duals(*arrays):
        return plain(arrays, axis=axis)
    duals = [_lift(a) for a in arrays]

    def joined(name: str) -> Part:
        parts = [_full(getattr(a, name), a.shape) for a in duals]
        if all(_zero(p) for p in parts):
            return 0.0
        filled = [np.zeros(a.shape) if _zero(p) else p for a, p in zip(duals, parts, strict=True)]
        return plain(filled, axis=axis)

    return Dual(plain([a.v for a in duals], axis=axis), joined("d"), joined("h"))


def concat(arrays: Sequence[Any], /, *, axis: int = 0) -> Any:
    return _join(_xp.concat, arrays, axis)


def stack(arrays: Sequence[Any], /, *, axis: int = 0) -> Any:
    return _join(_xp.stack, arrays, axis)


def sort(x: Any, /, *, axis: int = -1, descending: bool = False, stable: bool = True) -> Any:
    if not isinstance(x, Dual):
        return _xp.sort(x, axis=axis, descending=descending, stable=stable)
    order = _xp.argsort(x.v, axis=axis, descending=descending, stable=stable)
    return take_along_axis(x, order, axis=axis)


def matmul(a: Any, b: Any, /) -> Any:
    if not _duals(a, b):
        return _xp.matmul(a, b)
    a, b = _lift(a), _lift(b)

    def mm(p: Part, p_shape: tuple[int, ...], q: Part, q_shape: tuple[int, ...]) -> Part:
        p, q = _full(p, p_shape), _full(q, q_shape)
        return 0.0 if _zero(p) or _zero(q) else np.matmul(p, q)

    sa, sb = a.shape, b.shape
    d = _add(mm(a.d, sa, b.v, sb), mm(a.v, sa, b.d, sb))
    h = _add(_add(mm(a.h, sa, b.v, sb), mm(a.v, sa, b.h, sb)), _mul(2.0, mm(a.d, sa, b.d, sb)))
    return Dual(np.matmul(a.v, b.v), d, h)


# operators: the functions above; comparisons of Taylor polynomials
for _op, _fn in (
    ("add", add), ("sub", subtract), ("mul", multiply), ("truediv", divide), ("pow", pow),
    ("matmul", matmul),
):
    setattr(Dual, f"__{_op}__", lambda self, o, f=_fn: f(self, o))
    setattr(Dual, f"__r{_op}__", lambda self, o, f=_fn: f(o, self))
for _op, _fn in (
    ("lt", np.less), ("le", np.less_equal), ("gt", np.greater), ("ge", np.greater_equal),
    ("eq", np.equal), ("ne", np.not_equal),
):
    setattr(Dual, f"__{_op}__", lambda self, o, f=_fn: _compare(f, self, o))


# --- functions of values only, and everything else ---------------------------------------------


def _on_values(name: str) -> Callable[..., Any]:
    plain = getattr(_xp, name)

    def fn(*args: Any, **kwargs: Any) -> Any:
        return plain(*map(_value, args), **{k: _value(v) for k, v in kwargs.items()})

    fn.__name__ = fn.__qualname__ = name
    return fn


# piecewise constant, not numbers, or new arrays of a given shape: they read the value
for _name in (
    "floor", "ceil", "round", "trunc", "isfinite", "isnan", "isinf", "signbit", "argmax",
    "argmin", "argsort", "nonzero", "count_nonzero", "zeros_like", "ones_like", "full_like",
    "empty_like",
):
    globals()[_name] = _on_values(_name)


def __getattr__(name: str) -> Any:
    """NumPy's (array-api-compat) dtypes, constants and functions; a function given a ``Dual``
    raises :class:`UnsupportedOperation`."""
    attr = getattr(_xp, name)
    if isinstance(attr, type) or not callable(attr):
        return attr

    def fn(*args: Any, **kwargs: Any) -> Any:
        if _duals(*args, *kwargs.values()):
            raise UnsupportedOperation(f"xp.{name} of hyper-dual arrays is not implemented")
        return attr(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    return fn


# --- kernels: primitives with their derivatives in closed form ---------------------------------


def _finite_max(v: Any, axis: int) -> Any:
    m = _along(np.maximum, v, axis, True)
    return np.where(np.isfinite(m), m, 0.0)


def _softmax(z: Any, axis: int) -> tuple[Any, Any]:
    """``softmax(z)`` and ``log(sum(exp(z)))`` (kept dims) along ``axis``."""
    e = np.exp(z)
    s = _along(np.add, e, axis, True)
    return e / s, np.log(s)


def _softmax_moments(x: Dual, z: Any, axis: int) -> tuple[Any, Part, Part]:
    """``log(sum(exp(z)))`` (kept dims) for ``z = x - c``, and the derivatives of
    ``logsumexp(x)``: ``sum(p x')`` and ``sum(p (x'' + x'**2)) - sum(p x')**2``."""
    p, log_s = _kept(_softmax, z, axis)
    d = _mul(p, x.d)
    d = d if type(d) is float else _along(np.add, d, axis, True)
    second = _mul(p, _add(x.h, _mul(x.d, x.d)))
    second = second if type(second) is float else _along(np.add, second, axis, True)
    return log_s, d, _sub(second, _mul(d, d))


def _kernel(fn: Callable[..., Dual]) -> Callable[..., Any]:
    """``fn`` of a ``Dual``; of a NumPy array, its value."""

    def kernel(x: Any, *args: Any) -> Any:
        return fn(x, *args) if isinstance(x, Dual) else fn(Dual(x), *args).v

    return kernel


@_kernel
def _logsumexp(x: Dual, axis: int, keepdims: bool = False) -> Dual:
    m = _kept(_finite_max, x.v, axis)
    z = _kept(np.subtract, x.v, m)
    lse, d, h = _softmax_moments(x, z, axis)
    out = Dual(_kept(np.add, lse, m), d, h)
    return out if keepdims else squeeze(out, axis=axis)


@_kernel
def _log_softmax(x: Dual, axis: int) -> Dual:
    z = _kept(np.subtract, x.v, _kept(_finite_max, x.v, axis))
    lse, d, h = _softmax_moments(x, z, axis)
    return Dual(_kept(np.subtract, z, lse), _sub(x.d, d), _sub(x.h, h))


@_kernel
def _log_sigmoid(x: Dual) -> Dual:
    """``log(sigmoid(x))``: derivatives ``sigmoid(-x)`` and ``-sigmoid(x) sigmoid(-x)``."""
    return _chain(x, *_kept(_log_sigmoid_rule, x.v))


def _log_sigmoid_rule(v: Any) -> tuple[Any, Any, Any]:
    e = np.exp(-np.abs(v))
    r = 1.0 / (1.0 + e)  # sigmoid(|v|)
    er = e * r  # sigmoid(-|v|)
    return np.minimum(v, 0.0) - np.log1p(e), _xp.where(v >= 0, er, r), -(er * r)


# --- the backend -------------------------------------------------------------------------------


def owns(x: Any) -> bool:
    return isinstance(x, Dual)


class HyperDual(_Backend):
    """Host arrays whose values may always be read; derivatives carried, not traced."""

    name = "hyperdual"

    def __init__(self) -> None:
        super().__init__(sys.modules[__name__])
        self.kernels.update(
            magnitude=abs, logsumexp=_logsumexp, log_softmax=_log_softmax, log_sigmoid=_log_sigmoid
        )

    def can_inspect(self, x: Any) -> bool:
        return True

    def to_host(self, x: Any) -> Any:
        return np.asarray(_value(x))

    def device(self, x: Any) -> Any:
        return "cpu"


BACKEND = HyperDual()
