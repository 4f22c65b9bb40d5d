"""A known binary SCM with real MCMC: the posteriors of PN and PS contain the true values."""

from __future__ import annotations

import arviz as az
import pytest
from scipy.special import expit

import causalbayes as cb

pytestmark = pytest.mark.slow

TRUTH = {"t.intercept": 0.0, "y.intercept": -1.0, "y.t": 1.5}


def test_pn_and_ps_posteriors_contain_the_truth():
    scm = cb.SCM({"t": cb.Bernoulli(), "y": cb.Bernoulli(["t"])})
    df = cb.simulate(scm, 3000, params=TRUTH, random_seed=21)
    fit = cb.fit(scm, df, draws=1000, tune=1000, chains=4, random_seed=22)
    p0, p1 = expit(-1.0), expit(0.5)
    true = {"PN": (p1 - p0) / p1, "PS": (p1 - p0) / (1 - p0)}  # monotone coupling
    out = cb.probabilities_of_causation(fit, "t", "y", random_seed=23)
    for label in ("PN", "PS"):
        low, high = az.hdi(out.draws.sel(probability=label).values.ravel(), hdi_prob=0.94)
        assert low < true[label] < high, (label, true[label], low, high)
        assert high - low < 0.15  # and the data pin it down
