"""Real observational data sets, raw columns as shipped, through the README's natural path.

Each ATE is compared with references computed here from scratch (regression
adjustment; normalized IPW and AIPW) on the same design: the posterior mean sits
on the regression-adjustment estimate (same design and likelihood, weak priors),
its sd matches that estimate's standard error, and it agrees with the weighting
estimates within their sampling error.  Not the smoking-cessation or job-training
tables: those are kept for independent checks.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from datasets import DATASETS, load, references
from natural import natural_scm

import causalbayes as cb

pytestmark = pytest.mark.slow

# Continuous outcome with a square term; binary outcome with a 44-level string confounder;
# binary outcome with ten raw-scale confounders and poor overlap.
NAMES = ("close_college", "social_insure", "black_politicians")


# one worker fits each data set once for all its tests (pytest-xdist)
@pytest.fixture(
    scope="module",
    params=[pytest.param(name, marks=pytest.mark.xdist_group(f"real-{name}")) for name in NAMES],
    ids=NAMES,
)
def result(request):
    name = request.param
    df = load(name)
    before = df.copy()
    fit = cb.fit(natural_scm(name, df), df, random_seed=20261126)
    d = DATASETS[name]
    with warnings.catch_warnings():
        # poor overlap is a finding the effect reports (its notes), not a test failure
        warnings.simplefilter("ignore", cb.PositivityWarning)
        effect = cb.ate(fit, d.treatment, d.outcome)
    assert df.equals(before)  # the user's frame is read, never changed
    return name, fit, effect, references(name, df)


def test_the_default_fit_converges_on_raw_data(result):
    _, fit, effect, _ = result
    assert fit.diagnostics.divergences == 0
    assert fit.diagnostics.rhat_max <= 1.01
    assert fit.diagnostics.ess_bulk_min >= 400
    assert effect.warnings == effect.details["positivity"]  # nothing but overlap notes


def test_the_ate_is_the_regression_adjustment_estimate(result):
    name, _, effect, ref = result
    assert abs(effect.mean() - ref["ra"]) <= 0.25 * effect.sd(), (name, effect.mean(), ref["ra"])
    assert effect.sd() == pytest.approx(ref["ra_se"], rel=0.2)


def test_the_ate_agrees_with_weighting(result):
    name, _, effect, ref = result
    for key in ("ipw", "aipw"):
        spread = np.hypot(effect.sd(), ref[f"{key}_se"])
        assert abs(effect.mean() - ref[key]) <= 2.5 * spread, (name, key, effect.mean(), ref[key])
