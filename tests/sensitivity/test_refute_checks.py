"""Refutation checks without MCMC: what each one refits, and how verdicts are read."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from pipelines import BROKEN, CORRECT, simulate

from causalbayes.errors import DataError, QueryError
from causalbayes.sensitivity import _checks
from causalbayes.sensitivity.refute import _verdict

VALUES = (1, 0)


@pytest.fixture(scope="module")
def data():
    return simulate(n=2000, seed=1)


def _build(name, data, seed=0, covariates=()):
    rng = np.random.default_rng(seed)
    return _checks.BUILDERS[name](CORRECT, data, "t", "y", VALUES, rng, covariates)


def test_jobs_are_reproducible_from_their_seed(data):
    for name in _checks.BUILDERS:
        a, b = _build(name, data, seed=5), _build(name, data, seed=5)
        assert a.data.equals(b.data), name
    assert not _build("placebo", data, 5).data.equals(_build("placebo", data, 6).data)


def test_placebo_permutes_only_the_treatment(data):
    job = _build("placebo", data)
    assert sorted(job.data["t"]) == sorted(data["t"])
    assert job.data.drop(columns="t").equals(data.drop(columns="t"))
    assert abs(np.corrcoef(job.data["t"], data["u"])[0, 1]) < 0.1
    assert job.expected == "zero"


def test_propensity_placebo_keeps_the_confounding_and_drops_the_effect(data):
    job = _build("placebo_propensity", data)
    X = sm.add_constant(data[["x", "u"]])
    original = sm.Logit(data["t"], X).fit(disp=0).params
    redrawn = sm.Logit(job.data["t"], X).fit(disp=0).params
    np.testing.assert_allclose(redrawn, original, atol=0.25)
    # the real outcome, given the confounders, does not depend on the redrawn treatment
    y_fit = sm.OLS(data["y"], sm.add_constant(job.data[["t", "x", "u"]])).fit()
    assert abs(y_fit.tvalues["t"]) < 3


def test_dummy_outcome_has_no_treatment_term_but_keeps_the_confounders(data):
    job = _build("dummy_outcome", data)
    fit = sm.OLS(job.data["y"], sm.add_constant(data[["t", "x", "u"]])).fit()
    assert abs(fit.tvalues["t"]) < 3
    assert fit.params["u"] == pytest.approx(1.0, abs=0.15)
    # leaving u out of the adjustment shows an effect of t on the dummy outcome
    short = sm.OLS(job.data["y"], sm.add_constant(data[["t", "x"]])).fit()
    assert short.tvalues["t"] > 5


def test_dummy_outcome_for_a_binary_outcome_is_binary(data):
    binary = data.assign(y=(data["y"] > 0.5).astype(int))
    job = _build("dummy_outcome", binary)
    assert set(job.data["y"].unique()) <= {0, 1}


def test_random_common_cause_and_subset(data):
    job = _build("random_common_cause", data)
    assert job.scm.nodes["t"].parents == ("x", "u", "random_common_cause")
    assert job.scm.nodes["y"].parents == ("t", "x", "u", "random_common_cause")
    assert job.expected == "unchanged"
    sub = _checks.subset(CORRECT, data, "t", "y", VALUES, np.random.default_rng(0), (), 0.5)
    assert len(sub.data) == len(data) // 2 and sub.fraction == 0.5


def test_negative_controls_adjust_like_the_outcome(data):
    nco = _checks.negative_control_outcome(BROKEN, data, "t", "y", VALUES, "nco")
    assert "y" not in nco.scm.nodes
    assert nco.scm.nodes["nco"].parents == BROKEN.nodes["y"].parents
    assert (nco.treatment, nco.outcome) == ("t", "nco")
    nce = _checks.negative_control_exposure(CORRECT, data, "t", "y", "nce")
    assert nce.scm.nodes["y"].parents == ("t", "x", "u", "nce")
    assert nce.treatment == "nce"
    sd = data["nce"].std()
    assert nce.values[0] - nce.values[1] == pytest.approx(sd)
    with pytest.raises(QueryError, match="already a node"):
        _checks.negative_control_outcome(CORRECT, data, "t", "y", VALUES, "u")
    with pytest.raises(DataError, match="not a column"):
        _checks.negative_control_exposure(CORRECT, data, "t", "y", "missing")


def test_covariates_outside_the_scm_enter_placebos_and_dummies(data):
    scm_without_u = _checks.descendants(CORRECT, "t")
    assert scm_without_u == {"y"}
    cols = _checks.pre_treatment(BROKEN, data, "t", ["nce"])
    assert cols == ["x", "u", "nce"]
    with pytest.raises(DataError, match="covariate 'w'"):
        _checks.pre_treatment(BROKEN, data, "t", ["w"])


def _job(check, expected, fraction=1.0):
    return _checks.Job(check, None, None, "t", "y", VALUES, expected, "note", fraction)


@pytest.mark.parametrize(
    ("centre", "verdict"),
    [(0.0, "pass"), (0.5, "fail"), (-0.5, "fail")],
)
def test_zero_verdicts(centre, verdict):
    draws = np.random.default_rng(0).normal(centre, 0.1, size=4000)
    out = {"draws": draws, "ok": True, "seconds": 1.0}
    assert _verdict(_job("placebo", "zero"), out, 1.0, 0.1, 0.95).verdict == verdict


def test_unchanged_verdicts_scale_with_the_subset():
    rng = np.random.default_rng(0)
    moved = {"draws": rng.normal(1.1, 0.1, size=4000), "ok": True, "seconds": 1.0}
    # a shift of one sd: too much for added noise, expected for a 50% subset
    assert _verdict(_job("random_common_cause", "unchanged"), moved, 1.0, 0.1, 0.95).verdict == (
        "fail"
    )
    assert _verdict(_job("subset", "unchanged", 0.5), moved, 1.0, 0.1, 0.95).verdict == "pass"
    assert _verdict(_job("subset", "unchanged", 0.95), moved, 1.0, 0.1, 0.95).verdict == "fail"
    bad = dict(moved, ok=False)
    result = _verdict(_job("subset", "unchanged", 0.5), bad, 1.0, 0.1, 0.95)
    assert result.verdict == "inconclusive" and "diagnostics" in result.reason


def test_checks_run_on_an_executor_in_order(monkeypatch):
    """``executor=`` takes any concurrent.futures.Executor (or a Dask Client through its
    get_executor); outputs come back in the order of the checks."""
    import importlib
    from concurrent.futures import ThreadPoolExecutor

    # the module, not the function of the same name that the package exports
    refute_module = importlib.import_module("causalbayes.sensitivity.refute")

    monkeypatch.setattr(refute_module, "run_job", lambda job, options, seed: (job, seed))
    tasks = [(f"job{i}", {}, i) for i in range(5)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        assert refute_module._execute(tasks, 1, pool) == [(f"job{i}", i) for i in range(5)]

        class Client:  # what refute needs of a dask.distributed Client
            def get_executor(self):
                return pool

        assert refute_module._execute(tasks, 1, Client())[0] == ("job0", 0)
    with pytest.raises(QueryError, match="executor must be"):
        refute_module._execute(tasks, 1, object())
