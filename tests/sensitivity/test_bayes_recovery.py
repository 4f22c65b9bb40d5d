"""Recovery study: data with a hidden confounder of known strength, fitted without it; the
Bayesian sensitivity curve read at the true strength covers the true effect at its
nominal rate over 100 seeded simulations (real MCMC, compiled once; a few minutes)."""

from __future__ import annotations

import hidden_confounder as study
import pytest
from scipy import stats

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def table():
    return study.run(sims=100, n=1000, seed=2026)


@pytest.mark.parametrize("level", study.LEVELS)
def test_curve_at_the_true_strength_covers_at_the_nominal_rate(table, level):
    hits = int(table[f"true_covers_{level}"].sum())
    # two-sided binomial test at 0.01: fails when coverage is off by more than chance
    p = stats.binomtest(hits, len(table), level).pvalue
    assert p > 0.01, (level, hits)


def test_the_unadjusted_posterior_misses_the_truth(table):
    """The same check fails the fit that ignores the confounder: the test can fail."""
    assert table["naive_covers_0.95"].mean() < 0.2


def test_fits_passed_their_diagnostics(table):
    assert table["ok"].mean() >= 0.9
