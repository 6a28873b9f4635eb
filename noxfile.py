"""nox sessions: ``tests(<backend>)`` per array library (``nox -s tests`` runs them all),
``lint``."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint"]
nox.options.reuse_existing_virtualenvs = True

# what each backend's session installs besides the package and its test extra; the native
# references (Keras 3 and keras-rs on that session's framework, Optax, the torch-based MONAI,
# kornia, info-nce-pytorch, pytorch-metric-learning, entmax and geomloss; scoringrules, lifelines
# and POT on NumPy; XGBoost, LightGBM and scikit-learn (their estimators) for the boosting
# objectives) ride along where cheap;
# constraints.txt keeps torch on its CPU build for all of them
BACKENDS = {
    "numpy": ["scoringrules", "lifelines", "POT", "xgboost-cpu", "lightgbm", "scikit-learn"],
    "array_api_strict": [],
    "torch": [
        "torch", "keras", "monai", "kornia", "info-nce-pytorch", "pytorch-metric-learning",
        "entmax", "geomloss",
    ],
    "jax": ["jax", "optax", "keras", "keras-rs"],
    "tensorflow": ["tensorflow-cpu", "keras"],
    # XGBoost (and dask.dataframe, which xgboost.dask imports) for the xgboost.dask example
    "dask": ["dask[array,dataframe]", "distributed", "xgboost-cpu"],
    "cupy": ["cupy-cuda12x"],
}
NAMES = list(BACKENDS)


@nox.session
@nox.parametrize("backend", NAMES, ids=NAMES)
def tests(session: nox.Session, backend: str) -> None:
    """The test suite on one array library (UNILOSSES_BACKEND selects it)."""
    session.install("-c", "constraints.txt", "-e", ".[test]", *BACKENDS[backend])
    env = {"UNILOSSES_BACKEND": backend}
    # one pytest worker per core (pytest-xdist); ``nox -s tests -- -n 0`` runs in one process;
    # the property tests on the same examples every run (conftest.py)
    workers = ["-n", "auto", "--hypothesis-profile=derandomized"]
    if backend == "jax":  # JAX with 64-bit types, then the dtype-sensitive tests without them:
        # the modules marked x32 run their float64 tests in the first run, the rest in the second
        workers.append("--jax-split")
        session.run("pytest", *workers, *session.posargs, env={**env, "JAX_ENABLE_X64": "1"})
        x32 = session.posargs or ["tests"]
        session.run("pytest", *workers, "-m", "x32", *x32, env={**env, "JAX_ENABLE_X64": "0"})
        return
    session.run("pytest", *workers, *session.posargs, env=env)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff on everything; mypy --strict on the package (configured in pyproject.toml: the array
    libraries are typed as Any there, so none of them is installed here)."""
    session.install("ruff>=0.6", "mypy>=1.11", "-e", ".")
    session.run("ruff", "check", "unilosses", "tests", "docs", "noxfile.py", "conftest.py")
    session.run("mypy")


@nox.session
def bench(session: nox.Session) -> None:
    """Ratio tables against native kernels (``python -m benchmarks``); arguments pass through."""
    session.install(
        "-c", "constraints.txt", "-e", ".", "torch", "jax", "optax", "keras", "tensorflow-cpu"
    )
    session.run("python", "-m", "benchmarks", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site: ``mkdocs build --strict`` into ``site/``. The loss pages, their
    plots and the migration table are generated from the package (NumPy only)."""
    session.install("-c", "constraints.txt", "-e", ".[docs]")
    quiet = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    session.run("mkdocs", "build", "--strict", *session.posargs, env=quiet)
