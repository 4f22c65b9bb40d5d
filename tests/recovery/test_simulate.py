"""Simulation: pm.do-fixed parameters, priors for the rest, reproducible by seed."""

from __future__ import annotations

import numpy as np
import pandas as pd

import causalbayes as cb
from causalbayes.examples import COATING_TRUTH, coating_scm


def test_simulate_is_reproducible_and_reports_every_parameter():
    scm = coating_scm()
    a = cb.simulate(scm, 200, params={"coating.dilution": -0.421}, random_seed=7)
    b = cb.simulate(scm, 200, params={"coating.dilution": -0.421}, random_seed=7)
    c = cb.simulate(scm, 200, params={"coating.dilution": -0.421}, random_seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert a.attrs["params"] == b.attrs["params"]
    assert set(a.attrs["params"]) == {p.name for p in scm.parameters()}
    assert a.attrs["params"]["coating.dilution"] == -0.421
    assert list(a.columns) == ["humid", "dilution", "coating"]
    assert a.dilution.dtype == np.int64 and set(a.dilution.unique()) <= {0, 1}


def test_fixed_parameters_are_the_ones_generating_the_data():
    """With all parameters fixed, least squares on a large sample recovers them."""
    df = cb.simulate(coating_scm(), 20000, params=COATING_TRUTH, random_seed=3)
    X = np.column_stack([np.ones(len(df)), df.dilution, df.humid])
    coef, *_ = np.linalg.lstsq(X, df.coating.to_numpy(), rcond=None)
    np.testing.assert_allclose(coef, [0.5128, -0.421, -0.54], atol=0.01)
    resid_sd = np.std(df.coating - X @ coef)
    assert abs(resid_sd - 0.2) < 0.005
    assert abs(df.humid.mean()) < 0.03 and abs(df.humid.std() - 1) < 0.03


def test_categorical_and_exogenous_trials_columns():
    scm = cb.SCM(
        {
            "page": cb.Categorical(levels=["A", "B", "C"]),
            "buys": cb.Binomial(["page"], trials="visits"),
        }
    )
    exog = pd.DataFrame({"visits": np.full(300, 20)})
    df = cb.simulate(
        scm,
        300,
        params={"page.intercept": [0.0, 0.0], "buys.page": [1.0, -1.0]},
        exog=exog,
        random_seed=1,
    )
    assert isinstance(df.page.dtype, pd.CategoricalDtype) and list(df.page.cat.categories) == [
        "A",
        "B",
        "C",
    ]
    assert df.buys.max() <= 20
    rates = df.groupby("page", observed=True).buys.mean() / 20
    assert rates["B"] > rates["A"] > rates["C"]


def test_latent_nodes_are_simulated_and_reported():
    scm = cb.SCM({"u": cb.Normal(latent=True), "y": cb.Normal(["u"])})
    df = cb.simulate(scm, 50, random_seed=2)
    assert list(df.columns) == ["u", "y"]
    assert df.attrs["params"]["u.sigma"] == 1.0  # latent root: standardised, fixed
    assert df.attrs["params"]["u.intercept"] == 0.0
