"""Story 4 (stores of very unequal sizes) with real MCMC: recovery, shrinkage, an unseen store."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import causalbayes as cb

# one worker runs the module: its fits (module fixtures) are made once
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("story-hierarchy")]

SIZES = np.repeat([2, 5, 20, 80], [8, 8, 7, 7])  # 30 stores, 2 to 80 rows each
TRUTH = {
    "price.intercept": 0.0,
    "price.sigma": 1.0,
    "sales.intercept": 2.0,
    "sales.price": -0.6,
    "sales.1|store.sd": 0.7,
    "sales.sigma": 1.0,
}


@pytest.fixture(scope="module")
def story():
    stores = [f"s{i:02d}" for i in range(len(SIZES))]
    exog = pd.DataFrame({"store": np.repeat(stores, SIZES)})
    scm = cb.SCM({"price": cb.Normal(), "sales": cb.Normal(["price"], groups=["store"])})
    df = cb.simulate(scm, len(exog), params=TRUTH, exog=exog, random_seed=11)
    fit = cb.fit(scm, df, draws=1000, tune=1000, chains=4, random_seed=12)
    return scm, df, fit


def test_truths_inside_their_94_percent_hdis(story):
    _, df, fit = story
    table = fit.summary(hdi_prob=0.94)
    for name, truth in TRUTH.items():
        row = table.loc[name]
        assert row.hdi_low <= truth <= row.hdi_high, (name, truth, row.hdi_low, row.hdi_high)
    effects = np.asarray(df.attrs["params"]["sales.1|store"])
    rows = [f"sales.1|store[{s}]" for s in fit.scm["sales"].levels_of_group("store")]
    covered = (table.loc[rows, "hdi_low"].values <= effects) & (
        effects <= table.loc[rows, "hdi_high"].values
    )
    assert covered.sum() >= 27, f"{covered.sum()} of 30 store effects inside their 94% HDIs"
    assert fit.diagnostics.divergences == 0 and fit.diagnostics.rhat_max < 1.01


def test_small_stores_are_shrunk_towards_the_population(story):
    _, df, fit = story
    post = fit.posterior["sales.1|store"].mean(("chain", "draw")).values
    a = fit.posterior["sales.intercept"].mean().item()
    b = fit.posterior["sales.price"].mean().item()
    residual = df.sales - a - b * df.price
    raw = (
        residual.groupby(df.store).mean().reindex(fit.scm["sales"].levels_of_group("store")).values
    )
    shrink = np.abs(post) / np.abs(raw)
    small, large = SIZES == 2, SIZES == 80
    # partial pooling: estimates of 2-row stores keep well under the raw deviation, large ones almost all of it
    assert np.median(shrink[small]) < 0.6
    assert np.median(shrink[large]) > 0.9
    sd = fit.posterior["sales.1|store"].std(("chain", "draw")).values
    assert sd[small].mean() > 2 * sd[large].mean()


def test_an_unseen_store_is_predicted_with_the_population_spread(story):
    _, _, fit = story
    new = pd.DataFrame({"price": [0.0, 0.0], "store": ["s29", "brand-new"]})
    pred = cb.predict(fit, new, "sales", random_seed=3)
    assert pred.new_groups == {"store": ["brand-new"]}
    sd_known, sd_new = pred.draws.std(("chain", "draw")).values
    tau = fit.posterior["sales.1|store.sd"]
    expected = float(np.sqrt((tau**2).mean() + fit.posterior["sales.intercept"].var()))
    assert sd_new == pytest.approx(expected, rel=0.1)
    assert sd_new > 3 * sd_known
