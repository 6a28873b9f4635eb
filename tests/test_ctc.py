"""CTC specifics the case table cannot express: +inf for infeasible samples, the layout switch, the
blank index, logits, and the data-dependent checks of lengths and labels (NumPy; torch where
installed)."""

from __future__ import annotations

import numpy as np
import pytest

import unilosses as ul
from tests.cases.sequence import _ctc_np
from unilosses._examples import make_inputs


def test_infeasible_sample_is_inf_as_torch_and_its_gradient_finite() -> None:
    lp, y, il, tl = make_inputs("ctc_infeasible")
    out = ul.ctc(lp, y, il, tl, reduction="none")
    assert np.isinf(out[1])
    assert np.all(np.isfinite(np.delete(out, 1)))
    np.testing.assert_allclose(out, _ctc_np(lp, y, il, tl), rtol=1e-10)
    assert np.isinf(ul.ctc(lp, y, il, tl))
    assert np.isinf(ul.ctc(lp, y, il, tl, reduction="sum"))
    torch = pytest.importorskip("torch")
    x = torch.asarray(lp).requires_grad_(True)
    args = [torch.asarray(a) for a in (y, il, tl)]
    native = torch.nn.functional.ctc_loss(x, *args, reduction="none")
    np.testing.assert_allclose(ul.ctc(x, *args, reduction="none").detach(), native.detach())
    mean = ul.ctc(x, *args)
    mean.backward()
    assert torch.isinf(mean)
    assert torch.all(torch.isfinite(x.grad))
    assert torch.all(x.grad[:, 1] == 0)  # the infeasible sample: no gradient
    assert torch.any(x.grad[:, 0] != 0)


def test_batch_first_blank_and_logits() -> None:
    lp, y, il, tl = make_inputs("ctc")
    base = ul.ctc(lp, y, il, tl, reduction="none")
    swapped = np.swapaxes(lp, 0, 1).copy()
    batch_first = ul.ctc(swapped, y, il, tl, batch_first=True, reduction="none")
    np.testing.assert_allclose(batch_first, base, rtol=1e-12)
    # the blank as the last class: classes rotated by one, labels shifted down
    rotated = np.roll(lp, -1, axis=-1)
    last = ul.ctc(rotated, y - 1, il, tl, blank=lp.shape[-1] - 1, reduction="none")
    np.testing.assert_allclose(last, base, rtol=1e-12)
    # logits: normalized first (log_softmax), as Optax and Keras
    shifted = lp * 1.0 + np.random.default_rng(0).normal(size=lp.shape[:2])[..., None]
    np.testing.assert_allclose(ul.ctc(shifted, y, il, tl, reduction="none"), base, rtol=1e-10)


def test_no_time_steps_and_no_labels() -> None:
    lp, y, il, tl = make_inputs("ctc", n=3)
    il, tl = np.array([0, 0, 3]), np.array([0, 2, 0])
    out = ul.ctc(lp, y, il, tl, reduction="none")
    assert out[0] == 0.0
    assert np.isinf(out[1])
    np.testing.assert_allclose(out[2], -lp[:3, 2, 0].sum(), rtol=1e-12)


@pytest.mark.parametrize(
    ("change", "text"),
    [
        ({"input_lengths": np.array([13, 1, 1])}, "input_lengths holds 13"),
        ({"input_lengths": np.array([-1, 1, 1])}, "input_lengths holds -1"),
        ({"label_lengths": np.array([6, 1, 1])}, "label_lengths holds 6"),
        ({"label_lengths": np.array([1, 1])}, "label_lengths has 2 samples"),
        ({"labels": np.zeros((3, 5), dtype=np.int64)}, "blank label 0"),
        ({"labels": np.full((3, 5), 9)}, "labels holds label 9"),
        ({"labels": np.ones((3, 5))}, "labels must hold integer"),
        ({"log_probs": np.zeros((12, 3))}, "log_probs must have 3 dimensions"),
    ],
)
def test_bad_lengths_and_labels(change: dict[str, np.ndarray], text: str) -> None:
    lp, y, il, tl = make_inputs("ctc", n=3)
    args = {"log_probs": lp, "labels": y, "input_lengths": il, "label_lengths": tl, **change}
    with pytest.raises((ValueError, TypeError), match=text):
        ul.ctc(*args.values())


def test_padding_values_are_ignored() -> None:
    lp, y, il, tl = make_inputs("ctc")
    padded = np.where(np.arange(y.shape[1]) < tl[:, None], y, -1)
    got = ul.ctc(lp, padded, il, tl, reduction="none")
    np.testing.assert_array_equal(got, ul.ctc(lp, y, il, tl, reduction="none"))
