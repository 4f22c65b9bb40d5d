"""Money: derived quantities carry every input's uncertainty; exact checks where possible."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from causalbayes.errors import DataError, QueryError
from causalbayes.experiments import exact
from causalbayes.experiments.conjugate import beta_binomial
from causalbayes.experiments.money import as_draws, choose_option, roi, valuation


def test_certain_inputs_give_the_formula():
    v = roi(clv=100.0, opex=30.0, delta_n=500.0, capex=20_000.0, draws=10, random_seed=0)
    assert np.all(v.draws["npv"] == 70 * 500)
    assert np.all(v.draws["roi"] == (35_000 - 20_000) / 20_000)
    assert v.prob_loss() == 0.0


def test_probability_of_a_loss_equals_the_exact_beta_integral():
    post = beta_binomial([120, 150], [1000, 1000])
    p = post.draws(400_000, random_seed=1)
    visitors, margin, capex = 50_000, 40.0, 50_000.0
    v = roi(clv=60.0, opex=20.0, delta_n=(p[:, 1] - p[:, 0]) * visitors, capex=capex, random_seed=2)
    # a loss <=> p_B - p_A < capex / (margin * visitors)
    exact_loss = 1 - float(
        exact.prob_difference_above(post.marginal(), 1, 0, capex / (margin * visitors))
    )
    assert v.prob_loss() == pytest.approx(exact_loss, abs=3e-3)  # MC sd ~7e-4
    assert v.worst_case(0.05) == pytest.approx(np.quantile(v.draws["roi"], 0.05))
    assert v.draws["delta_n"] is not None and v.draws["delta_n"].size == 400_000


def test_uncertain_value_per_customer_widens_the_roi():
    p = beta_binomial([120, 150], [1000, 1000]).draws(100_000, random_seed=3)
    dn = (p[:, 1] - p[:, 0]) * 50_000
    fixed = roi(clv=60.0, opex=20.0, delta_n=dn, capex=40_000.0, random_seed=4)
    vague = roi(
        clv=stats.norm(60, 15), opex=stats.norm(20, 5), delta_n=dn, capex=40_000.0, random_seed=4
    )
    assert vague.draws["roi"].std() > fixed.draws["roi"].std()
    # independence: E[ROI] = (E[CLV] - E[OpEx]) E[dN] / CapEx - 1
    assert vague.draws["roi"].mean() == pytest.approx(40 * dn.mean() / 40_000 - 1, abs=0.02)
    table = vague.summary()
    assert list(table.index) == ["clv", "opex", "delta_n", "capex", "npv", "roi"]
    assert table.loc["roi", "p_below_zero"] == pytest.approx(vague.prob_loss())
    text = vague.decision()
    assert text.startswith("Go ahead: the expected roi is") and "probability of a loss" in text


def test_aligned_draws_stay_aligned_and_other_lengths_are_resampled():
    rng = np.random.default_rng(0)
    x = np.arange(5.0)
    np.testing.assert_array_equal(as_draws("x", x, 5, rng), x)
    out = as_draws("x", x, 1000, rng)
    assert set(np.unique(out)) == set(x)
    v = valuation(lambda a, b: {"d": a - b}, target="d", draws=5, random_seed=1, a=x, b=x)
    np.testing.assert_array_equal(v.draws["d"], 0.0)


def test_choose_option_includes_doing_nothing():
    rng = np.random.default_rng(1)
    table = choose_option({"risky": rng.normal(-1, 5, 5000), "safe": rng.normal(-0.5, 0.1, 5000)})
    assert table.index[0] == "do nothing"  # both options lose money on average
    assert table.loc["do nothing", "expected_loss"] < table.loc["safe", "expected_loss"]


def test_errors():
    with pytest.raises(DataError, match="capex must be > 0"):
        roi(clv=1.0, opex=0.0, delta_n=1.0, capex=0.0, draws=5, random_seed=0)
    with pytest.raises(DataError, match="non-finite"):
        roi(clv=[1.0, np.nan], opex=0.0, delta_n=1.0, capex=1.0, draws=2, random_seed=0)
    with pytest.raises(QueryError, match="must return a dict holding the target"):
        valuation(lambda a: a, target="x", draws=3, random_seed=0, a=1.0)
    with pytest.raises(DataError, match="aligned"):
        choose_option({"a": np.zeros(3), "b": np.zeros(4)})
    v = roi(clv=1.0, opex=0.0, delta_n=1.0, capex=1.0, draws=3, random_seed=0)
    with pytest.raises(QueryError, match="'irr' is not a quantity"):
        v.prob_loss("irr")
