"""The namespace layer: detection, mixed libraries, no stray imports, native kernels."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import unilosses as ul
from unilosses import _core
from unilosses._frameworks import Backend
from unilosses._namespace import array_namespace, kernels, namespace_of


def test_namespace_of_each_backend_is_cached_and_stable(backend: Backend) -> None:
    a, b = backend.asarray(np.ones(3)), backend.asarray(np.zeros(3))
    xp = array_namespace(a, b)
    assert xp is namespace_of(a) is array_namespace(y_pred=a, y_true=b, w=None, s=2.0)
    assert hasattr(xp, "sum")


def test_mixed_libraries_name_both(backend: Backend) -> None:
    other = pytest.importorskip("array_api_strict") if backend.name == "numpy" else np
    with pytest.raises(TypeError, match=r"y_pred is a \w+ array but y_true is a \w+ array"):
        array_namespace(y_pred=backend.asarray(np.ones(2)), y_true=other.asarray([1.0, 2.0]))


@pytest.mark.parametrize("bad", [[1.0, 2.0], 3.0, None, "abc"])
def test_non_array_prediction(bad: object) -> None:
    with pytest.raises(TypeError, match="y_pred"):
        ul.mse(bad, np.ones(2))


def test_unknown_array_type() -> None:
    with pytest.raises(TypeError, match="y_true"):
        array_namespace(y_pred=np.ones(2), y_true=object())


def test_no_framework_is_imported() -> None:
    """``import unilosses`` and a NumPy call import no other array library."""
    code = (
        "import sys, numpy as np, unilosses as ul\n"
        "ul.huber(np.ones(3), np.zeros(3)); ul.sparse_categorical_crossentropy(np.full((2, 3), 1/3), np.array([0, 2]))\n"
        "bad = [m for m in ('torch', 'jax', 'tensorflow', 'dask', 'cupy', 'array_api_strict', 'keras') if m in sys.modules]\n"
        "assert not bad, bad\n"
        "import unilosses.adapters\n"  # the adapters package imports no framework either
        "bad = {'torch', 'keras', 'unilosses.torch', 'unilosses.keras'} & set(sys.modules)\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _inputs(backend: Backend) -> tuple[object, object, object]:
    rng = np.random.default_rng(0)
    x = 30 * rng.normal(size=(6, 7))
    x[0, 3] = -np.inf  # a masked logit
    labels = rng.integers(0, 7, size=(6, 1))
    return backend.asarray(x, "float32"), backend.asarray(x[1:], "float32"), backend.asarray(labels)


@pytest.mark.parametrize("name", sorted(_core.GENERIC))
def test_native_kernel_matches_generic_formula(backend: Backend, name: str) -> None:
    """Each library kernel that replaces a primitive equals the array-API formula."""
    xp = backend.xp
    fast = kernels(xp).get(name)
    if fast is None:
        pytest.skip(f"{backend.name} has no native {name}; the generic formula is what runs")
    x, finite, labels = _inputs(backend)
    generic = _core.GENERIC[name]
    if name == "take_along_axis":
        got, want = fast(x, labels, 1), generic(xp, x, labels, 1)
    elif name in ("log_sigmoid", "magnitude", "stop_gradient", "erf"):
        got, want = fast(finite), generic(xp, finite)
    elif name == "repeat":
        def body(s):  # type: ignore[no-untyped-def]
            return s[0] * 0.5 + s[1], s[1]

        got, want = fast(5, body, (finite, finite))[0], generic(xp, 5, body, (finite, finite))[0]
    elif name == "logsumexp":
        got, want = fast(x, 1, True), generic(xp, x, 1, True)
    else:
        got, want = fast(x, 1), generic(xp, x, 1)
    np.testing.assert_allclose(backend.to_numpy(got), backend.to_numpy(want), rtol=1e-6, atol=1e-5)


def test_generic_primitives_against_float64(backend: Backend) -> None:
    """The generic formulas themselves, on every backend, against NumPy float64."""
    xp = backend.xp
    rng = np.random.default_rng(3)
    x = 40 * rng.normal(size=(5, 4))
    xs = backend.asarray(x, "float32")
    m = x.max(axis=1, keepdims=True)
    lse = np.log(np.exp(x - m).sum(axis=1, keepdims=True)) + m
    np.testing.assert_allclose(backend.to_numpy(_core.GENERIC["logsumexp"](xp, xs, 1, True)), lse, rtol=1e-5)
    np.testing.assert_allclose(backend.to_numpy(_core.GENERIC["log_softmax"](xp, xs, 1)), x - lse, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(backend.to_numpy(_core.GENERIC["log_sigmoid"](xp, xs)), -np.logaddexp(0, -x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(backend.to_numpy(_core.GENERIC["magnitude"](xp, xs)), np.abs(x), rtol=1e-6)
    labels = rng.integers(0, 4, size=(5, 1))
    got = _core.GENERIC["take_along_axis"](xp, xs, backend.asarray(labels), 1)
    np.testing.assert_allclose(backend.to_numpy(got), np.take_along_axis(x, labels, 1), rtol=1e-6)


@pytest.mark.skipif(
    os.environ.get("UNILOSSES_BACKEND", "numpy") != "numpy", reason="runs in the numpy session"
)
def test_numpy_where_by_bit_masks_is_numpys_where() -> None:
    """The NumPy namespace's ``where`` (bit masks for large float selections) equals
    ``np.where`` bit for bit: signed zeros, infinities, NaN, broadcasting, one selector reused
    for both float dtypes."""
    from unilosses.backends import numpy as backend

    rng = np.random.default_rng(11)
    n = 4096  # conditions of this many elements are selected by masks
    for shape in ((n, 2), (n, 1), (1, 2)):
        c = rng.uniform(size=shape) < 0.5
        select = backend.selector(c)
        for dtype in (np.float32, np.float64):
            a = rng.normal(size=(n, 2)).astype(dtype)
            b = rng.normal(size=(1, 2)).astype(dtype)
            a[::3] = np.inf
            b[0, ::2] = np.nan
            for x, y in ((a, b), (b, a), (a, 2.0), (-0.0, b), (b, b[0, :1])):
                want = np.where(c, x, y)
                for got in (backend.where(c, x, y), select(x, y)):
                    assert got.dtype == want.dtype
                    assert got.shape == want.shape
                    np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8))


@pytest.mark.skipif(
    os.environ.get("UNILOSSES_BACKEND", "numpy") != "numpy", reason="runs in the numpy session"
)
@pytest.mark.parametrize("classes", [2, 5, 7, 8, 16, 17])
def test_numpy_reductions_along_a_short_last_axis(classes: int) -> None:
    """The NumPy namespace's ``sum``/``max``/``min`` along a short last axis (chains of
    elementwise operations) equal NumPy's: bit for bit for max, min and sums of up to 7 entries
    (NaN and infinities included), within the rounding of a sum for longer ones (NumPy's are
    pairwise there); longer axes are NumPy's own reductions."""
    from unilosses.backends import numpy as backend

    rng = np.random.default_rng(classes)
    for dtype in (np.float32, np.float64):
        x = rng.normal(size=(3, 50, classes)).astype(dtype)
        x[0, :3, 0] = [np.nan, np.inf, -np.inf]
        for axis, keepdims in ((-1, False), (2, True)):
            for ours, theirs in ((backend.max, np.max), (backend.min, np.min)):
                want = theirs(x, axis=axis, keepdims=keepdims)
                np.testing.assert_array_equal(ours(x, axis=axis, keepdims=keepdims), want)
            got, want = backend.sum(x, axis=axis, keepdims=keepdims), np.sum(x, axis=axis,
                                                                              keepdims=keepdims)
            assert got.dtype == want.dtype
            assert got.shape == want.shape
            if classes <= 7:
                np.testing.assert_array_equal(got, want)
            else:  # the summation error bound: entries times eps times the sum of magnitudes
                bound = classes * np.finfo(dtype).eps * np.sum(abs(x), axis=axis, keepdims=keepdims)
                np.testing.assert_array_equal(np.isfinite(got), np.isfinite(want))
                finite = np.isfinite(want)
                assert np.all(abs(got[finite] - want[finite]) <= bound[finite])
