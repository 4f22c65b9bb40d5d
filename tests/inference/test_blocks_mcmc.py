"""Sampling by blocks: the same posterior as the joint model, fitting only what queries read,
fitting the rest later, and saving what was fitted.  Real MCMC, kept small."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import causalbayes as cb
from causalbayes.errors import QueryError

# one worker runs the module: its fits (module fixtures) are made once
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("blocks-mcmc")]

SMALL = {"draws": 400, "tune": 400, "chains": 2, "warn": False}  # diagnostics: test_blocks.py
BLOCKED = {"blocks": True, "sufficient_stats": True}  # "auto" would sample 500 rows jointly
JOINT = {"blocks": False, "sufficient_stats": False}
ATE = cb.ATE("dilution", "coating")


@pytest.fixture(scope="module")
def coating():
    scm = cb.examples.coating_scm()
    return scm, cb.simulate(scm, 500, params=cb.examples.COATING_TRUTH, random_seed=1)


@pytest.fixture(scope="module")
def partial(coating):
    scm, df = coating
    return cb.fit(scm, df, queries=[ATE], random_seed=2, sufficient_stats=True, **SMALL)


@pytest.fixture(scope="module")
def full(coating):
    scm, df = coating
    return cb.fit(scm, df, random_seed=2, **BLOCKED, **SMALL)


def _agree(a: xr.Dataset, b: xr.Dataset, names, *, z: float = 5.0) -> None:
    """Posterior means equal within ``z`` Monte Carlo standard errors of the difference."""
    for name in names:
        x, y = a[name], b[name]
        se = np.hypot(
            float(x.std()) / np.sqrt(x.sizes["chain"] * x.sizes["draw"] / 4),
            float(y.std()) / np.sqrt(y.sizes["chain"] * y.sizes["draw"] / 4),
        )  # a conservative ESS of a quarter of the draws
        assert abs(float(x.mean()) - float(y.mean())) <= z * se, name


def test_fit_for_a_query_samples_only_its_mechanisms_and_says_so(partial, coating):
    assert partial.fitted == ("coating",) and partial.unfitted == ("humid", "dilution")
    assert "humid.sigma" not in partial.posterior
    table = partial.summary()
    assert (table.loc[["humid.sigma", "dilution.humid"], "block"] == "not fitted").all()
    assert table.loc["coating.dilution", "block"] == "coating"
    assert "not fitted=['humid', 'dilution']" in repr(partial)
    ate = cb.ate(partial, "dilution", "coating", diagnostics="ignore")
    assert abs(ate.mean() - cb.examples.COATING_TRUTH["coating.dilution"]) < 0.1
    with pytest.raises(QueryError, match=r"cb.fit_more\(fit, \['dilution'\]\)"):
        cb.ate(
            partial, "humid", "coating", values=(1.0, 0.0), diagnostics="ignore"
        )  # reads dilution's mechanism


def test_fit_more_samples_the_rest_and_equals_one_full_fit(partial, full):
    more = cb.fit_more(partial, warn=False)
    assert more.unfitted == ()
    xr.testing.assert_identical(more.posterior, full.posterior)
    # the blocks sampled first keep their draws
    xr.testing.assert_identical(
        more.posterior["coating.dilution"], partial.posterior["coating.dilution"]
    )
    assert [b.name for b in more.blocks] == ["humid", "dilution", "coating"]
    assert more.diagnostics == full.diagnostics
    assert set(full.idata.sample_stats["diverging"].dims) == {"block", "chain", "draw"}


def test_blocked_and_joint_fits_agree_story_1(coating, full):
    scm, df = coating
    joint = cb.fit(scm, df, random_seed=3, **JOINT, **SMALL)
    assert joint.blocks[0].nodes == scm.modelled and joint.blocks[0].summarised == ()
    _agree(full.posterior, joint.posterior, full.parameter_names)
    a = cb.ate(full, "dilution", "coating", diagnostics="ignore")
    b = cb.ate(joint, "dilution", "coating", diagnostics="ignore")
    assert abs(a.mean() - b.mean()) < 5 * np.hypot(a.draws.std(), b.draws.std()) / np.sqrt(200)


def test_blocked_fit_reproduces_the_exact_ab_posterior():
    """Story 2: cells of the Bernoulli rows, the conjugate Beta(121, 881), Beta(151, 851)."""
    scm = cb.examples.ab_test_scm()
    df = cb.examples.ab_test_data({"A": 120, "B": 150}, {"A": 1000, "B": 1000})
    fit = cb.fit(scm, df, random_seed=4, **BLOCKED, **SMALL)
    assert fit.block_of("purchase").summarised == ("purchase",)
    rates = fit.posterior["purchase.page"]
    for level, (a, b) in {"A": (121, 881), "B": (151, 851)}.items():
        draws = rates.sel(page_levels=level)
        mean, sd = a / (a + b), np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
        assert abs(float(draws.mean()) - mean) < 5 * sd / np.sqrt(200)
        assert abs(float(draws.std()) - sd) < 0.15 * sd


def test_blocked_fits_save_and_load_and_fit_more_after_loading(partial, full, tmp_path):
    cb.save(partial, tmp_path / "partial")
    loaded = cb.load(tmp_path / "partial")
    assert loaded.blocks == partial.blocks and loaded.unfitted == partial.unfitted
    xr.testing.assert_identical(loaded.posterior, partial.posterior)
    xr.testing.assert_identical(cb.fit_more(loaded, warn=False).posterior, full.posterior)
    cb.save(full, tmp_path / "full")
    again = cb.load(tmp_path / "full")
    assert again.diagnostics == full.diagnostics and again.sampler == full.sampler
    xr.testing.assert_identical(again.idata.sample_stats, full.idata.sample_stats)
