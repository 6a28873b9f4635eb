"""Probabilistic forecasting and survival cases: the CRPS of Gaussian and ensemble forecasts, the
Cox partial likelihood.

References are float64 NumPy formulas written from the papers (Gneiting et al. 2005, the energy
form of the CRPS, Cox/Breslow/Efron as torchsurv's documentation writes them); the natives are
scoringrules (NumPy backend) and lifelines (the Efron log-likelihood it maximizes, evaluated at a
fixed coefficient).
"""

from __future__ import annotations

import math

import numpy as np

from tests.natives import lifelines, scoringrules

from . import Case

DASK = {"dask": "cox_ph sorts the subjects by time"}  # cox_ph's documented TypeError
_erf = np.vectorize(math.erf)


def _crps_gaussian(mu: np.ndarray, sigma: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Gneiting et al. (2005): sigma (z (2 Phi(z) - 1) + 2 phi(z) - 1 / sqrt(pi)); |y - mu| for
    sigma = 0."""
    sigma = np.broadcast_to(sigma, mu.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (y - mu) / sigma
        phi = np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
        crps = sigma * (z * _erf(z / math.sqrt(2)) + 2 * phi - 1 / math.sqrt(math.pi))
    return np.where(sigma > 0, crps, np.abs(y - mu))


def _crps_ensemble(x: np.ndarray, y: np.ndarray, estimator: str = "nrg", axis: int = -1) -> np.ndarray:
    """The energy form: mean |x_i - y| - sum |x_i - x_j| / (2 M^2), or / (2 M (M - 1)) (fair)."""
    x = np.moveaxis(x, axis, -1)
    m = x.shape[-1]
    out = np.zeros(y.shape)
    for idx in np.ndindex(*y.shape):
        members = x[idx]
        spread = sum(abs(a - b) for a in members for b in members)
        out[idx] = np.mean(np.abs(members - y[idx])) - spread / (2 * m * (m if estimator == "nrg" else m - 1))
    return out


def _cox(eta: np.ndarray, time: np.ndarray, event: np.ndarray, ties: str = "efron") -> tuple[np.ndarray, np.ndarray]:
    """Per subject: for the k-th event (input order) among the d events at its time,
    log(sum_{t_j >= t} e^eta_j - k / d sum_{tied events} e^eta_j) - eta (Efron; k = 0 for
    Breslow); 0 for censored subjects. "mean" divides by the number of events."""
    out = np.zeros(eta.shape)
    for t in np.unique(time[event > 0]):
        at_risk = np.exp(eta[time >= t]).sum()
        tied = np.flatnonzero((time == t) & (event > 0))
        tied_risk = np.exp(eta[tied]).sum()
        for k, i in enumerate(tied):
            share = k / len(tied) if ties == "efron" else 0.0
            out[i] = np.log(at_risk - share * tied_risk) - eta[i]
    return out, (event > 0).astype(np.float64)


def _lifelines_efron(eta: np.ndarray, time: np.ndarray, event: np.ndarray) -> float:
    """Minus the Efron partial log-likelihood lifelines' CoxPHFitter maximizes, at the log-risks
    ``eta`` (one covariate ``eta`` with coefficient 1), per event. lifelines' own routine of a fit
    step (``_get_efron_values_single``: gradient, Hessian and log-likelihood at given
    coefficients, on data sorted by time)."""
    import pandas as pd

    fitter = lifelines().fitters.coxph_fitter.SemiParametricPHFitter()
    eta, time, event = (np.asarray(a, dtype=np.float64) for a in (eta, time, event))
    order = np.argsort(time, kind="stable")
    _, _, log_lik = fitter._get_efron_values_single(
        pd.DataFrame(eta[order, None]), pd.Series(time[order]), pd.Series(event[order]),
        pd.Series(np.ones(len(eta))), None, np.array([1.0]),
    )
    return -log_lik / max(event.sum(), 1.0)


def _as64(*arrays: np.ndarray) -> list[np.ndarray]:
    return [np.asarray(a, dtype=np.float64) for a in arrays]


ESTIMATOR_OPTIONS = (
    ({"estimator": "pwm"}, ValueError, "estimator"),
    ({"axis": 2}, ValueError, "axis"),
)
CASES = [
    Case(
        "crps_gaussian",
        "gaussian_forecast",
        _crps_gaussian,
        natives={
            "scoringrules": lambda mu, s, y: scoringrules().crps_normal(
                *_as64(y, mu, s), backend="numpy"
            ).mean(),
        },
        names=("mu", "sigma", "y"),
    ),
    Case(
        "crps_ensemble",
        "ensemble",
        _crps_ensemble,
        natives={
            # its default estimator ("qd", the quantile decomposition) is the energy form's value
            "scoringrules": lambda x, y: scoringrules().crps_ensemble(
                *_as64(y, x), backend="numpy"
            ).mean(),
        },
        bad_options=ESTIMATOR_OPTIONS,
        names=("samples", "y"),
        same_shape=False,
    ),
    Case(
        "crps_ensemble",
        "ensemble_members_first",
        _crps_ensemble,
        {"estimator": "fair", "axis": 0},
        natives={
            "scoringrules": lambda x, y: scoringrules().crps_ensemble(
                *_as64(y, x), m_axis=0, estimator="fair", backend="numpy"
            ).mean(),
        },
        names=("samples", "y"),
        same_shape=False,
        nonnegative=False,  # the fair estimate of a small ensemble can be negative
        # (the members come first: the observations' unknown size (Dask after masking) meets the
        # samples' known batch axis, which Dask cannot broadcast)
        known_sizes="the observations' size is matched against the samples' batch axis",
    ),
    Case(
        "cox_ph",
        "survival",
        _cox,
        {"ties": "breslow"},
        names=("log_risk", "time", "event"),
        unsupported=DASK,
        bad_options=(({"ties": "exact"}, ValueError, "ties"),),
    ),
    Case(
        "cox_ph",
        "survival",
        _cox,
        natives={"lifelines": _lifelines_efron},
        names=("log_risk", "time", "event"),
        unsupported=DASK,
        nonnegative=False,  # an Efron term can be negative (the sum over tied events is not)
    ),
]
