"""``python -m unilosses``: its JSON, its filters, aliases, natives, exit codes and help."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

import unilosses as ul
from unilosses import __main__ as report
from unilosses._examples import EXAMPLES, make_inputs
from unilosses._frameworks import BACKENDS, Backend
from unilosses._natives import NATIVES, Native

ROW_KEYS = {
    "backend", "loss", "aliases", "status", "value", "reference", "deviation", "agrees",
    "native_deviation", "gradient", "us_per_call", "detail",
}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any], str]:
    code = report.main([*argv, "--json", "--repeat", "1"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def test_json_structure_and_loss_filter(capsys: pytest.CaptureFixture[str]) -> None:
    code, data, err = _run(
        capsys, "--backend", "numpy", "--loss", "huber", "--loss", "dice", "--no-natives"
    )
    assert code == 0
    assert set(data) == {"ok", "tolerance", "backends", "unavailable", "natives", "results"}
    assert data["ok"] is True
    assert data["natives"] == {}
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


class _Unavailable(Backend):
    name = module = "cupy"

    def unavailable(self) -> str:
        return "CuPy has no CUDA device here"


def test_requested_unavailable_backend_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """``--backend cupy`` where CuPy cannot run exits 1 saying why; without ``--backend`` the
    library is listed as not checked."""
    real = BACKENDS["cupy"].unavailable()
    if real is not None:  # the real library where it cannot run here
        assert report.main(["--backend", "cupy", "--loss", "mse", "--json"]) == 1
        out, err = capsys.readouterr()
        assert out == ""
        assert f"cannot check cupy: {real}" in err
    monkeypatch.setattr(report, "BACKENDS", {"numpy": BACKENDS["numpy"], "cupy": _Unavailable()})
    assert report.main(["--backend", "numpy", "--backend", "cupy", "--loss", "mse"]) == 1
    assert "cannot check cupy: CuPy has no CUDA device here" in capsys.readouterr().err
    code, data, _ = _run(capsys, "--loss", "mse", "--no-natives")
    assert code == 0
    assert data["unavailable"] == {"cupy": "CuPy has no CUDA device here"}
    assert [r["backend"] for r in data["results"]] == ["numpy"]


def test_aliases_are_checked_once(capsys: pytest.CaptureFixture[str]) -> None:
    groups = report.losses_and_aliases()
    names = [n for main, aliases in groups.items() for n in [main, *aliases]]
    assert sorted(names) == sorted(EXAMPLES)  # every loss, once
    functions = [getattr(ul, main) for main in groups]
    assert len({id(f) for f in functions}) == len(functions)  # no function twice
    for main, aliases in groups.items():
        assert all(getattr(ul, a) is getattr(ul, main) for a in aliases)
    assert groups["mean_squared_error"] == ["mse"]

    code, data, _ = _run(
        capsys, "--backend", "numpy", "--loss", "mse", "--loss", "mean_squared_error",
        "--loss", "pinball", "--no-natives",
    )
    assert code == 0
    assert [(r["loss"], r["aliases"]) for r in data["results"]] == [
        ("mean_squared_error", ["mse"]), ("quantile", ["pinball"])
    ]
    assert report.main(["--backend", "numpy", "--loss", "mse", "--no-natives"]) == 0
    assert "mean_squared_error (mse)" in capsys.readouterr().out


def test_help_lists_each_name_once(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        report.main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for name in [*EXAMPLES, *BACKENDS]:
        assert len(re.findall(rf"(?<![\w.]){name}(?![\w])", out)) == 1, name


def test_disagreement_exits_1(capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    monkeypatch.setattr(report, "VALUE_RTOL", -1.0)  # nothing can agree
    code, data, _ = _run(capsys, "--backend", "numpy", "--loss", "mse", "--no-natives")
    assert code == 1
    assert data["ok"] is False
    assert data["results"][0]["status"] == "fail"
    assert data["results"][0]["agrees"] is False


class _Refusing(Backend):
    """A library whose arrays make the loss raise ``error``."""

    name = module = "numpy"

    def __init__(self, error: Exception) -> None:
        self.error = error

    def asarray(self, a: np.ndarray, dtype: str | None = None) -> Any:
        raise self.error


def test_only_documented_typeerrors_are_unsupported(
    capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.setattr(report, "_device", lambda b: "cpu")
    documented = TypeError("lovasz_hinge sorts the pixels of each image and gathers them")
    monkeypatch.setitem(report.BACKENDS, "numpy", _Refusing(documented))
    argv = ("--backend", "numpy", "--loss", "lovasz_hinge", "--no-natives")
    code, data, _ = _run(capsys, *argv)  # a TypeError no loss documents for this library
    assert code == 1
    assert data["results"][0]["status"] == "fail"

    monkeypatch.setitem(report.UNSUPPORTED, ("lovasz_hinge", "numpy"), "sorts the pixels")
    code, data, _ = _run(capsys, *argv)
    assert code == 0
    row = data["results"][0]
    assert row["status"] == "unsupported"
    assert row["detail"].startswith("TypeError: lovasz_hinge sorts the pixels")
    assert row["value"] is None
    assert report.main([*argv, "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "unsupported  TypeError: lovasz_hinge sorts" in out
    assert "0/1 agree with the NumPy float64 reference and the natives, 1 unsupported" in out

    for error in (TypeError("unhashable type: 'list'"), RuntimeError("broken")):
        monkeypatch.setitem(report.BACKENDS, "numpy", _Refusing(error))
        code, data, _ = _run(capsys, *argv)  # another message, or another exception
        assert code == 1
        assert data["results"][0]["status"] == "fail"
        assert data["results"][0]["detail"] == f"{type(error).__name__}: {error}"
    assert report.main([*argv, "--repeat", "1"]) == 1
    out = capsys.readouterr().out
    assert "FAILED  RuntimeError: broken" in out
    assert "failing: numpy/lovasz_hinge" in out


class _FakeNative:
    """A native counterpart on NumPy arrays: the float64 loss times ``factor``, or an error."""

    library = "fake"
    call = "fake.huber()"

    def __init__(self, factor: float, error: Exception | None = None) -> None:
        self.factor, self.error = factor, error

    def available(self) -> None:
        return None

    def __call__(self, arrays: tuple[np.ndarray, ...]) -> float:
        if self.error:
            raise self.error
        return self.factor * float(ul.huber(*arrays, delta=1.0))


@pytest.mark.parametrize(
    ("factor", "error", "code"),
    [(1.0, None, 0), (1.01, None, 1), (1.0, ValueError("no such option"), 1)],
    ids=["agrees", "differs", "raises"],
)
def test_native_deviation(
    capsys: pytest.CaptureFixture[str], monkeypatch: Any, factor: float, error: Any, code: int
) -> None:
    monkeypatch.setitem(report.NATIVES, "huber", (_FakeNative(factor, error),))
    got, data, _ = _run(capsys, "--backend", "numpy", "--loss", "huber")
    assert got == code
    row, native = data["results"][0], data["natives"]["huber"]["fake"]
    assert native["call"] == "fake.huber()"
    if error:
        assert native["error"] == "ValueError: no such option"
        assert row["native_deviation"] == {"fake": None}
    else:
        assert native["value"] == pytest.approx(factor * row["reference"], rel=1e-12)
        expected = abs(row["value"] - native["value"]) / native["value"]
        assert row["native_deviation"]["fake"] == pytest.approx(expected, rel=1e-6)
        assert (row["native_deviation"]["fake"] <= report.VALUE_RTOL) == (factor == 1.0)
    assert row["status"] == ("ok" if code == 0 else "fail")
    assert row["agrees"] is True  # the reference agrees either way

    assert report.main(["--backend", "numpy", "--loss", "huber", "--repeat", "1"]) == code
    out = capsys.readouterr().out
    assert "fake.huber()" in out
    if factor != 1.0:
        assert "<-- native" in out


NATIVE_PARAMS = [
    pytest.param(name, native, id=f"{name}-{native.library}")
    for name, natives in NATIVES.items()
    for native in natives
]


@pytest.mark.parametrize(("name", "native"), NATIVE_PARAMS)
def test_native_table_matches_the_examples(name: str, native: Native) -> None:
    """Every shipped native computes the loss's default example: the same value as unilosses
    on the float64 NumPy arrays of that example, with its options."""
    assert name in report.losses_and_aliases()  # a loss's own name, never an alias
    reason = native.available()
    if reason:
        pytest.skip(reason)
    example = EXAMPLES[name]
    arrays = make_inputs(example.inputs)
    expected = float(getattr(ul, name)(*arrays, **example.options))
    assert native(arrays) == pytest.approx(expected, rel=report.VALUE_RTOL)


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
    argv = ("--backend", name, "--loss", "huber", "--no-natives")
    code, data, _ = _run(capsys, *argv, "--loss", "ctc")
    assert code == 0
    assert [r["gradient"] for r in data["results"]] == ["ok", "ok"]

    monkeypatch.setattr(report, "_numeric_grad", lambda fn, arrays: np.zeros(40))
    code, data, _ = _run(capsys, *argv)
    assert code == 1
    assert data["results"][0]["gradient"] == "mismatch"
    assert data["results"][0]["status"] == "fail"


def test_dask_lovasz_is_unsupported(capsys: pytest.CaptureFixture[str]) -> None:
    """A loss documented as unsupported on a library is shown so, with exit status 0."""
    reason = BACKENDS["dask"].unavailable()
    if reason:
        pytest.skip(reason)
    code, data, _ = _run(capsys, "--backend", "dask", "--loss", "lovasz_hinge", "--no-natives")
    assert code == 0
    assert data["results"][0]["status"] == "unsupported"
    assert "TypeError: lovasz_hinge" in data["results"][0]["detail"]


def test_module_runs_with_json_on_stdout_only_and_imports_no_framework() -> None:
    cmd = [sys.executable, "-m", "unilosses", "--backend", "numpy", "--loss", "mse", "--json"]
    done = subprocess.run(
        [*cmd, "--repeat", "1", "--no-natives"], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout)["results"][0]["aliases"] == ["mse"]
    assert "checking numpy" in done.stderr

    code = (
        "import sys, unilosses, unilosses._natives, unilosses.__main__; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'torch', 'jax', 'tensorflow', 'keras', 'optax', 'monai', 'kornia', 'dask', 'cupy'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
