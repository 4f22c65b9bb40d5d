"""Story 5 (a target measured with known error) with real MCMC: honest intervals for new rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import causalbayes as cb

# one worker runs the module: its fits (module fixtures) are made once
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("story-measurement")]


def _accounts(n: int, seed: int) -> pd.DataFrame:
    """Share of messages on a topic, computed from n_i messages per account."""
    rng = np.random.default_rng(seed)
    degree = rng.normal(size=n)
    activity = rng.normal(size=n)
    share = np.clip(0.3 + 0.08 * degree - 0.05 * activity + rng.normal(0, 0.04, n), 0.02, 0.98)
    messages = rng.integers(5, 200, size=n)
    observed = rng.binomial(messages, share) / messages
    se = np.sqrt(np.clip(observed * (1 - observed), 0.01, None) / messages)
    return pd.DataFrame({"degree": degree, "activity": activity, "share": observed, "se": se})


@pytest.fixture(scope="module")
def story():
    scm = cb.SCM(
        {
            "degree": cb.Normal(),
            "activity": cb.Normal(),
            "share": cb.Normal(["degree", "activity"], measurement_error="se"),
        }
    )
    fit = cb.fit(scm, _accounts(400, seed=5), draws=1000, tune=1000, chains=4, random_seed=6)
    return fit


def test_new_rows_are_covered_at_the_nominal_rate(story):
    new = _accounts(1000, seed=99)
    pred = cb.predict(story, new.drop(columns="share"), "share", kind="observed", random_seed=7)
    for prob in (0.5, 0.9):
        band = pred.interval(prob)
        coverage = np.mean(
            (band.low.values <= new.share.values) & (new.share.values <= band.high.values)
        )
        # binomial sd of a coverage rate on 1000 rows is at most 0.016
        assert abs(coverage - prob) < 0.05, (prob, coverage)


def test_per_row_error_is_separated_from_the_residual_spread(story):
    sigma = float(story.posterior["share.sigma"].median())
    # the true shares scatter with sd 0.04 around the mechanism; the known errors are
    # approximations (they use the observed share), so allow a little slack
    assert 0.03 < sigma < 0.05
    # ignoring the known errors would put them all into the residual sd
    naive = np.sqrt(0.04**2 + np.mean(story.data.se**2))
    assert sigma < naive - 0.01
