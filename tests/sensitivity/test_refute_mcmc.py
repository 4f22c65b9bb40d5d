"""Each refutation on a correct pipeline and on one that leaves a confounder out of the
outcome's equation (real MCMC, N = 300; 2 fits and 11 refits, in-process)."""

from __future__ import annotations

import pytest
from pipelines import BROKEN, CORRECT, simulate

import causalbayes as cb

# one worker runs the module: its fits (module fixtures) are made once
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("refute-mcmc")]

# Checks that keep the observed confounding (or share the hidden one) and remove the effect:
# they must flag the broken pipeline. The permuted placebo, the random common cause and the
# subset test the estimator's mechanics; confounding cannot show in them (docs/sensitivity.md),
# so they run on the correct pipeline only.
SEES_CONFOUNDING = ("placebo_propensity", "dummy_outcome")
BLIND = ("placebo", "random_common_cause", "subset")
CONTROLS = {"negative_control_outcome": "nco", "negative_control_exposure": "nce"}
REFIT = {"draws": 500, "tune": 500, "chains": 2, "cores": 1}  # no process pool per refit


def _refute(scm, checks):
    df = simulate(n=300, seed=7)
    # the fit under test gets 1000 draws: its diagnostics must pass (the effect warns otherwise)
    fit = cb.fit(scm, df[["x", "u", "t", "y"]], draws=1000, tune=500, chains=2, random_seed=1)
    return cb.refute(
        fit, "t", "y", data=df, checks=checks, random_seed=3, fit_options=REFIT, **CONTROLS
    )


@pytest.fixture(scope="module")
def correct():
    return _refute(CORRECT, (*SEES_CONFOUNDING, *BLIND))


@pytest.fixture(scope="module")
def broken():
    return _refute(BROKEN, SEES_CONFOUNDING)


def test_every_check_passes_on_the_correct_pipeline(correct):
    assert correct.passed, correct.summary()
    assert len(correct.results) == 7
    table = correct.table()
    # the checks that expect the effect unchanged compare with the original posterior
    assert (table.loc[["random_common_cause", "subset"], "expected_value"] > 0.5).all()


def test_checks_that_see_confounding_flag_the_broken_pipeline(broken):
    table = broken.table()
    for check in (*SEES_CONFOUNDING, *CONTROLS):
        assert table.loc[check, "verdict"] == "fail", (check, table.loc[check, "reason"])
    assert not broken.passed
