"""Each refutation on a correct pipeline and on one that leaves a confounder out of the
outcome's equation (real MCMC, small data; about 16 refits)."""

from __future__ import annotations

import pytest
from pipelines import BROKEN, CORRECT, simulate

from causalbayes.sensitivity.refute import refute

pytestmark = pytest.mark.slow

# Checks that keep the observed confounding (or share the hidden one) and remove the effect:
# they must flag the broken pipeline. The permuted placebo, the random common cause and the
# subset test the estimator's mechanics; confounding cannot show in them (docs/sensitivity.md).
SEES_CONFOUNDING = (
    "placebo_propensity",
    "dummy_outcome",
    "negative_control_outcome",
    "negative_control_exposure",
)
BLIND = ("placebo", "random_common_cause", "subset")


def _refute(scm, workers):
    df = simulate(n=300, seed=7)
    # the fit under test gets 1000 draws: its diagnostics must pass (the effect warns otherwise)
    fit = scm.fit(df[["x", "u", "t", "y"]], draws=1000, tune=1000, chains=2, random_seed=1)
    options = {"negative_control_outcome": "nco", "negative_control_exposure": "nce"}
    small = {"draws": 500, "tune": 500, "chains": 2}
    return refute(
        fit, "t", "y", data=df, workers=workers, random_seed=3, fit_options=small, **options
    )


def test_every_check_passes_on_the_correct_pipeline():
    result = _refute(CORRECT, workers=2)
    assert result.passed, result.summary()
    assert len(result.results) == 7


def test_checks_that_see_confounding_flag_the_broken_pipeline():
    table = _refute(BROKEN, workers=1).table()
    for check in SEES_CONFOUNDING:
        assert table.loc[check, "verdict"] == "fail", (check, table.loc[check, "reason"])
    for check in BLIND:
        assert table.loc[check, "verdict"] != "fail", (check, table.loc[check, "reason"])
