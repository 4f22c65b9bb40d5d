"""Sampler registry: one Fit type whatever the backend; optional backends skip when absent.

Exact tier: a conjugate Normal model whose posterior is known in closed form;
every installed backend must put the posterior mean within Monte Carlo error
of it and return the same Fit structure.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest

import causalbayes as cb
from causalbayes.errors import MissingDependencyError, SpecError
from causalbayes.inference.samplers import (
    AUTO_NUTPIE_MIN_ROWS,
    SAMPLERS,
    available_samplers,
    resolve_sampler,
)
from causalbayes.inference.samplers.advi import check_elbo

MCMC = ["pymc", "nutpie", "numpyro", "blackjax"]
PRIOR_SD = 2.0


def conjugate_scm() -> cb.SCM:
    """y ~ Normal(mu, 1), mu ~ Normal(0, 2): the posterior of mu is Normal in closed form."""
    return cb.SCM(
        {
            "y": cb.Normal(
                priors={
                    "intercept": cb.Prior("Normal", mu=0.0, sigma=PRIOR_SD),
                    "sigma": cb.Prior("Fixed", value=1.0),
                }
            )
        }
    )


def exact_posterior(y: np.ndarray) -> tuple[float, float]:
    precision = 1 / PRIOR_SD**2 + len(y)
    return float(y.sum() / precision), float(precision**-0.5)


@pytest.fixture(scope="module")
def conjugate_data() -> pd.DataFrame:
    return pd.DataFrame({"y": np.random.default_rng(7).normal(0.8, 1.0, size=50)})


def _installed_or_skip(name: str) -> None:
    info = SAMPLERS[name]
    if not info.installed():
        pytest.skip(f'{name} not installed (pip install "causalbayes[{info.extra}]")')


def test_registry_lists_every_backend_and_pymc_is_always_there():
    available = available_samplers()
    assert set(available) == {"pymc", "nutpie", "numpyro", "blackjax", "advi", "exact"}
    assert available["pymc"] and available["advi"] and available["exact"]


def test_unknown_sampler_is_refused_with_the_choices(conjugate_data):
    with pytest.raises(SpecError, match="choose one of .*'nutpie'"):
        cb.fit(conjugate_scm(), conjugate_data, sampler="stan")


def test_missing_backend_names_the_extra(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "nutpie" else real(name, *a)
    )
    with pytest.raises(MissingDependencyError, match=r'pip install "causalbayes\[nutpie\]"'):
        resolve_sampler("nutpie").load()
    assert isinstance(MissingDependencyError("x"), ImportError)


def test_auto_falls_back_to_pymc_without_nutpie(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "nutpie" else real(name, *a)
    )
    assert resolve_sampler("auto", n_rows=10**6).name == "pymc"


def test_auto_picks_the_measured_fastest_backend_for_the_data_size():
    large = "nutpie" if SAMPLERS["nutpie"].installed() else "pymc"
    assert resolve_sampler("auto", n_rows=AUTO_NUTPIE_MIN_ROWS).name == large
    assert resolve_sampler("auto", n_rows=AUTO_NUTPIE_MIN_ROWS - 1).name == "pymc"
    assert resolve_sampler("auto").name == large  # size unknown (Refitter): compile once pays


def test_elbo_check_flags_a_loss_that_still_falls():
    with pytest.warns(cb.DiagnosticsWarning, match="not have converged"):
        assert not check_elbo(np.linspace(1000.0, 10.0, 1000))
    flat = 10 + np.random.default_rng(0).normal(size=1000)
    assert check_elbo(flat)


@pytest.mark.slow
@pytest.mark.parametrize("sampler", MCMC)
def test_backend_matches_the_conjugate_posterior(sampler, conjugate_data):
    _installed_or_skip(sampler)
    fit = cb.fit(
        conjugate_scm(),
        conjugate_data,
        sampler=sampler,
        draws=500,
        tune=500,
        chains=2,
        random_seed=3,
        warn=False,
    )
    assert fit.diagnostics.rhat_max < 1.05
    mean, sd = exact_posterior(conjugate_data["y"].to_numpy())
    draws = fit.posterior["y.intercept"]
    mc_error = sd / np.sqrt(fit.diagnostics.ess_bulk_min)
    assert abs(float(draws.mean()) - mean) < 4 * mc_error
    assert float(draws.std()) == pytest.approx(sd, rel=0.15)
    # the same Fit structure whatever the sampler
    assert isinstance(fit, cb.Fit) and fit.sampler == sampler
    assert set(fit.idata.groups()) == {"posterior", "sample_stats"}
    assert draws.dims == ("chain", "draw") and draws.shape == (2, 500)
    assert "diverging" in fit.idata.sample_stats
    assert fit.diagnostics.chains == 2 and fit.diagnostics.draws == 500


@pytest.mark.slow
@pytest.mark.parametrize("sampler", MCMC)
def test_backends_label_vector_parameters_alike(sampler):
    _installed_or_skip(sampler)
    scm = cb.examples.ab_test_scm()
    df = cb.examples.ab_test_data({"A": 30, "B": 45}, {"A": 300, "B": 300})
    fit = cb.fit(scm, df, sampler=sampler, draws=300, tune=300, chains=2, random_seed=4, warn=False)
    page = fit.posterior["purchase.page"]
    assert page.dims == ("chain", "draw", "page_levels")
    assert list(page.coords["page_levels"].values) == ["A", "B"]
    # conjugate Beta(1 + k, 1 + n - k) means
    assert float(page.sel(page_levels="B").mean()) == pytest.approx(46 / 302, abs=0.01)


@pytest.mark.slow
def test_advi_minibatch_is_close_to_the_exact_posterior():
    y = np.random.default_rng(8).normal(0.8, 1.0, size=20_000)
    df = pd.DataFrame({"y": y})
    fit = cb.fit(
        conjugate_scm(),
        df,
        sampler="advi",
        batch_size=500,
        iterations=6000,
        draws=400,
        random_seed=5,
    )
    mean, sd = exact_posterior(y)
    assert fit.sampler == "advi" and fit.diagnostics.chains == 1
    assert np.isnan(fit.diagnostics.rhat_max)  # R-hat does not apply, and says so
    assert abs(float(fit.posterior["y.intercept"].mean()) - mean) < 5 * sd
    assert "sample_stats" not in fit.idata.groups()
