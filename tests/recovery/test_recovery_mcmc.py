"""Recovery and SBC studies with real MCMC: story 1, broken pipelines, workers and Dask.

Every study has a fixed master seed, so each verdict below is reproducible;
the broken pipelines must be flagged and the correct ones must not.
"""

from __future__ import annotations

import dataclasses

import arviz as az
import numpy as np
import pandas as pd
import pytest

import causalbayes as cb
from causalbayes.data.scales import unit_scales
from causalbayes.inference.refit import Refitter

pytestmark = pytest.mark.slow

COATING = cb.examples.COATING_TRUTH
ATE = cb.ATE("dilution", "coating")
QUICK = {"draws": 500, "tune": 500, "progressbar": False}


# -- story 1: the pipeline is right, and the checks say so -----------------------------------


def test_story1_recovery_covers_every_parameter_and_the_ate():
    result = cb.recover(
        cb.examples.coating_scm(), COATING, n=1000, sims=100, queries=[ATE], draws=500,
        tune=500, workers=2, progressbar=False, random_seed=2026,
    )  # fmt: skip
    summary = result.summary()
    assert len(summary) == 9  # 8 parameters and the ATE
    assert summary["coverage_94"].between(0.88, 0.99).all(), summary["coverage_94"]
    assert result.flagged == []
    assert abs(summary.loc["ate(dilution, coating)", "bias"]) < 0.005
    assert summary.loc["ate(dilution, coating)", "identified"] is True
    assert (summary["contraction"] > 0.95).all()


def test_story1_sbc_does_not_reject_uniformity_through_blocks():
    # fitted as cb.fit(..., blocks=True) fits: each mechanism's block on its own, the
    # draws assembled into one posterior (the joint path is checked by the recoveries)
    result = cb.sbc(
        cb.examples.coating_scm(), n=200, sims=100, queries=[ATE], draws=500, tune=500,
        blocks=True, workers=2, progressbar=False, random_seed=2027,
    )  # fmt: skip
    assert result.settings["blocks"] is True
    summary = result.summary()
    assert result.miscalibrated == [], summary[["p_uniform", "p_adjusted"]]
    assert (summary["p_uniform"] > 0.001).all()
    assert "Calibrated" in result.verdict()


# -- broken pipelines are flagged --------------------------------------------------------------


def test_an_omitted_confounder_is_flagged():
    analysis = cb.SCM({"dilution": cb.Bernoulli(), "coating": cb.Normal(["dilution"])})
    result = cb.recover(
        cb.examples.coating_scm(), COATING, n=500, sims=20, queries=[ATE], analysis=analysis,
        workers=1, random_seed=11, **QUICK,
    )  # fmt: skip
    assert "ate(dilution, coating)" in result.flagged
    assert result.summary().loc["ate(dilution, coating)", "coverage_94"] == 0.0


def test_a_misspecified_likelihood_is_flagged():
    def scm(outcome):
        return cb.SCM({"x": cb.Normal(), "t": cb.Bernoulli(["x"]), "y": outcome(["t", "x"])})

    truth = {
        "x.intercept": 0.0, "x.sigma": 1.0, "t.intercept": 0.0, "t.x": 0.5,
        "y.intercept": 1.5, "y.t": 0.3, "y.x": 0.4, "y.alpha": 0.7,
    }  # fmt: skip
    kwargs = dict(n=500, sims=20, queries=[cb.ATE("t", "y")], workers=1, **QUICK)
    poisson = cb.recover(
        scm(cb.NegativeBinomial), truth, analysis=scm(cb.Poisson), random_seed=12, **kwargs
    )
    assert {"y.t", "ate(t, y)"} <= set(poisson.flagged)  # far too narrow for overdispersed counts
    right = cb.recover(scm(cb.NegativeBinomial), truth, random_seed=12, **kwargs)
    assert right.flagged == []


@dataclasses.dataclass(frozen=True)
class Distorted:
    """The built-in refit, with its draws squeezed towards (scale < 1) or moved off
    (shift, in posterior sds) their mean: an overconfident or a biased pipeline."""

    scale: float = 1.0
    shift: float = 0.0

    def __call__(self, scm, data, random_seed):
        refitter = _refitters.get(id(scm))
        if refitter is None:
            refitter = _refitters[id(scm)] = Refitter(
                scm, data, draws=500, tune=500, chains=2, cores=1, warn=False,
                scales=unit_scales(),
            )  # fmt: skip
        fit = refitter.fit(data, random_seed=random_seed)
        post = fit.posterior
        mean, sd = post.mean(("chain", "draw")), post.std(("chain", "draw"))
        distorted = mean + self.scale * (post - mean) + self.shift * sd
        return dataclasses.replace(fit, idata=az.InferenceData(posterior=distorted))


_refitters: dict = {}


@pytest.mark.parametrize(
    "pipeline", [Distorted(scale=0.3), Distorted(shift=1.5)], ids=["overconfident", "biased"]
)
def test_overconfident_and_biased_posteriors_are_flagged_by_both_checks(pipeline):
    scm = cb.examples.coating_scm()
    common = dict(n=300, sims=30, queries=[ATE], fitter=pipeline, workers=1, **QUICK)
    recovery = cb.recover(scm, COATING, random_seed=13, **common)
    assert "ate(dilution, coating)" in recovery.flagged
    assert len(recovery.flagged) >= 6
    sbc = cb.sbc(scm, random_seed=14, **common)
    assert "ate(dilution, coating)" in sbc.miscalibrated
    assert len(sbc.miscalibrated) >= 6
    assert "Miscalibrated" in sbc.verdict()


# -- the same answer whoever runs it -----------------------------------------------------------


def test_results_do_not_depend_on_workers_or_dask(tmp_path):
    from distributed import Client, LocalCluster

    scm = cb.examples.coating_scm()
    queries = [ATE, cb.Counterfactual("coating", rows=(0,), action={"humid": 1.0})]
    # PyMC's NUTS: six worker processes would each pay nutpie's ~20 s compile for 4 fits
    kwargs = dict(
        n=200, sims=4, queries=queries, draws=200, tune=200, sampler="pymc", progressbar=False
    )
    tables = [cb.recover(scm, COATING, workers=w, random_seed=5, **kwargs).table for w in (1, 2)]
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        tables.append(cb.recover(scm, COATING, executor=client, random_seed=5, **kwargs).table)
    for other in tables[1:]:
        pd.testing.assert_frame_equal(tables[0], other)
    assert len(tables[0]) == 4 * 10
    # a resumed study gives the same table as an uninterrupted one
    cb.recover(scm, COATING, workers=1, random_seed=5, cache=tmp_path, **{**kwargs, "sims": 2})
    resumed = cb.recover(scm, COATING, workers=1, random_seed=5, cache=tmp_path, **kwargs)
    pd.testing.assert_frame_equal(tables[0], resumed.table)
    assert np.isfinite(resumed.table["contraction"]).all()
