"""Story 1 (paint coating) with real MCMC: recovery of every true value and the ATE."""

from __future__ import annotations

import pytest

import causalbayes as cb
from causalbayes.examples import COATING_TRUTH, coating_scm

# one worker runs the module: its fits (module fixtures) are made once
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("story-coating")]

TRUE_ATE = COATING_TRUTH["coating.dilution"]


@pytest.fixture(scope="module")
def coating_fit():
    scm = coating_scm()
    df = cb.simulate(scm, 1000, params=COATING_TRUTH, random_seed=2)
    return cb.fit(scm, df, draws=1000, tune=1000, chains=4, random_seed=7)


def test_every_true_value_sits_inside_its_94_percent_hdi(coating_fit):
    table = coating_fit.summary(hdi_prob=0.94)
    outside = {
        name: (truth, row.hdi_low, row.hdi_high)
        for name, truth in COATING_TRUTH.items()
        for row in [table.loc[name]]
        if not row.hdi_low <= truth <= row.hdi_high
    }
    assert not outside, f"true values outside their 94% HDI: {outside}"


def test_diagnostics_are_clean(coating_fit):
    d = coating_fit.diagnostics
    assert d.divergences == 0
    assert d.rhat_max < 1.01
    assert d.ess_bulk_min > 400


def test_ate_recovers_the_truth_with_honest_uncertainty(coating_fit):
    effect = cb.ate(coating_fit, "dilution", "coating")
    low, high = effect.hdi(0.94)
    assert abs(effect.mean() - TRUE_ATE) < 0.05
    assert low < TRUE_ATE < high
    # the posterior sd of the ATE is that of the coefficient (sample ATE, linear outcome)
    assert effect.sd() == pytest.approx(
        float(coating_fit.posterior["coating.dilution"].std()), rel=1e-6
    )
    assert effect.prob(lambda d: d < 0) == 1.0


def test_population_ate_agrees(coating_fit):
    effect = cb.ate(coating_fit, "dilution", "coating", population=True, random_seed=1)
    assert abs(effect.mean() - TRUE_ATE) < 0.05
