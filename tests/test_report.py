"""``python -m unilosses``: its JSON, its filters, its exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from unilosses import __main__ as report
from unilosses._frameworks import BACKENDS, Backend

ROW_KEYS = {
    "backend", "loss", "status", "value", "reference", "deviation", "agrees", "gradient",
    "us_per_call", "detail",
}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any], str]:
    code = report.main([*argv, "--json", "--repeat", "1"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def test_json_structure_and_loss_filter(capsys: pytest.CaptureFixture[str]) -> None:
    code, data, err = _run(capsys, "--backend", "numpy", "--loss", "huber", "--loss", "dice")
    assert code == 0
    assert set(data) == {"ok", "tolerance", "backends", "unavailable", "results"}
    assert data["ok"] is True
    assert data["backends"] == {"numpy": {"version": np.__version__, "device": "cpu"}}
    assert [(r["backend"], r["loss"]) for r in data["results"]] == [
        ("numpy", "huber"), ("numpy", "dice")
    ]
    for row in data["results"]:
        assert set(row) == ROW_KEYS
        assert row["status"] == "ok"
        assert row["agrees"] is True
        assert row["gradient"] == "n/a"  # NumPy has no autodiff
        assert 0 <= row["deviation"] <= report.VALUE_RTOL
        assert row["value"] == pytest.approx(row["reference"], rel=1e-5)
        assert row["us_per_call"] > 0
    assert "checking numpy" in err  # progress on stderr, stdout is only the JSON


def test_unavailable_backend_is_listed_not_checked(capsys: pytest.CaptureFixture[str]) -> None:
    if BACKENDS["cupy"].unavailable() is None:
        pytest.skip("CuPy runs here")
    code, data, _ = _run(capsys, "--backend", "cupy", "--loss", "mse")
    assert code == 0
    assert data["results"] == []
    assert "cupy" in data["unavailable"]


def test_disagreement_exits_1(capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    monkeypatch.setattr(report, "VALUE_RTOL", -1.0)  # nothing can agree
    code, data, _ = _run(capsys, "--backend", "numpy", "--loss", "mse")
    assert code == 1
    assert data["ok"] is False
    assert data["results"][0]["status"] == "fail"
    assert data["results"][0]["agrees"] is False


class _Refusing(Backend):
    """NumPy arrays through a loss that raises ``error`` for this library's arrays."""

    name = module = "numpy"

    def __init__(self, error: Exception) -> None:
        self.error = error

    def asarray(self, a: np.ndarray, dtype: str | None = None) -> Any:
        raise self.error


def test_typeerror_is_unsupported_other_errors_fail(
    capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.setitem(report.BACKENDS, "numpy", _Refusing(TypeError("no sort on these arrays")))
    monkeypatch.setattr(report, "_device", lambda b: "cpu")
    code, data, _ = _run(capsys, "--backend", "numpy", "--loss", "lovasz_hinge")
    assert code == 0
    row = data["results"][0]
    assert row["status"] == "unsupported"
    assert row["detail"] == "TypeError: no sort on these arrays"
    assert row["value"] is None

    monkeypatch.setitem(report.BACKENDS, "numpy", _Refusing(RuntimeError("broken")))
    code, data, _ = _run(capsys, "--backend", "numpy", "--loss", "mse")
    assert code == 1
    assert data["results"][0]["status"] == "fail"
    assert data["results"][0]["detail"] == "RuntimeError: broken"


def test_table_shows_versions_unsupported_and_summary(
    capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    code = report.main(["--backend", "numpy", "--loss", "mse", "--repeat", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert f"numpy             {np.__version__}" in out
    assert "1/1 agree with the NumPy float64 reference, 0 unsupported" in out

    monkeypatch.setitem(report.BACKENDS, "numpy", _Refusing(TypeError("not on these arrays")))
    monkeypatch.setattr(report, "_device", lambda b: "cpu")
    assert report.main(["--backend", "numpy", "--loss", "mse", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "unsupported  TypeError: not on these arrays" in out
    assert "0/1 agree with the NumPy float64 reference, 1 unsupported" in out


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--loss", "no_such_loss"], ["--backend", "no_such_library"], ["--repeat", "0"]):
        with pytest.raises(SystemExit) as e:
            report.main(argv)
        assert e.value.code == 2
    capsys.readouterr()


def test_gradient_is_checked(
    capsys: pytest.CaptureFixture[str], monkeypatch: Any, autodiff_backend: Backend
) -> None:
    name = autodiff_backend.name
    code, data, _ = _run(capsys, "--backend", name, "--loss", "huber", "--loss", "dice")
    assert code == 0
    assert [r["gradient"] for r in data["results"]] == ["ok", "ok"]

    monkeypatch.setattr(report, "_numeric_grad", lambda fn, arrays: np.zeros_like(arrays[0]))
    code, data, _ = _run(capsys, "--backend", name, "--loss", "huber")
    assert code == 1
    assert data["results"][0]["gradient"] == "mismatch"
    assert data["results"][0]["status"] == "fail"


def test_dask_lovasz_is_unsupported(capsys: pytest.CaptureFixture[str]) -> None:
    """A loss documented as unsupported on a library is shown so, with exit status 0."""
    reason = BACKENDS["dask"].unavailable()
    if reason:
        pytest.skip(reason)
    code, data, _ = _run(capsys, "--backend", "dask", "--loss", "lovasz_hinge")
    assert code == 0
    assert data["results"][0]["status"] == "unsupported"
    assert "TypeError: lovasz_hinge" in data["results"][0]["detail"]


def test_module_runs_with_json_on_stdout_only() -> None:
    cmd = [sys.executable, "-m", "unilosses", "--backend", "numpy", "--loss", "mse", "--json"]
    done = subprocess.run([*cmd, "--repeat", "1"], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout)["results"][0]["loss"] == "mse"
    assert "checking numpy" in done.stderr
