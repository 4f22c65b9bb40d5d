"""Recovery and SBC machinery without MCMC: statistics, truths, seeds, cache, results.

The real-MCMC studies (story 1, broken pipelines, workers and Dask) are in
``test_recovery_mcmc.py``.
"""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

import causalbayes as cb
from causalbayes.data.scales import unit_scales
from causalbayes.errors import DataError, QueryError, SpecError
from causalbayes.inference.samplers import (
    AUTO_NUTPIE_MIN_FITS,
    AUTO_ORDER,
    SAMPLERS,
    resolve_sampler,
)
from causalbayes.recovery import calibration, execution
from causalbayes.recovery.checks import _fit_options
from causalbayes.recovery.query import query_elements
from causalbayes.recovery.results import RecoveryResult, SBCResult, _holm
from causalbayes.recovery.study import Study, _compiled, run_simulation

COATING = cb.examples.COATING_TRUTH
FIT_OPTIONS = {"sampler": "auto", "draws": 100, "tune": 100, "chains": 2, "target_accept": 0.8}


def study(scm=None, truth=COATING, queries=(), n=300, kind="recovery", seed=7) -> Study:
    scm = scm or cb.examples.coating_scm()
    return Study(
        kind, scm, scm, n, truth, tuple(queries), (0.5, 0.8, 0.94), unit_scales(),
        FIT_OPTIONS, 99, 50, seed,
    )  # fmt: skip


# -- calibration statistics ---------------------------------------------------------------


def test_uniformity_test_holds_its_size_and_rejects_miscalibrated_ranks():
    rng = np.random.default_rng(0)
    null = [calibration.uniformity_pvalue(rng.integers(0, 100, 100), 99) for _ in range(400)]
    assert 0.02 <= np.mean(np.array(null) < 0.05) <= 0.09
    # overconfident posterior (sd 0.6 of the truth's spread): ranks pile up at both ends
    over = [calibration.rank(rng.normal(), rng.normal(0, 0.6, 99), rng) for _ in range(100)]
    biased = [calibration.rank(rng.normal(), rng.normal(0.5, 1, 99), rng) for _ in range(100)]
    assert calibration.uniformity_pvalue(np.array(over), 99) < 0.01
    assert calibration.uniformity_pvalue(np.array(biased), 99) < 0.01


def test_ecdf_band_is_simultaneous_at_its_level():
    rng = np.random.default_rng(1)
    z, lower, upper = calibration.ecdf_band(50, 19, prob=0.9)
    inside = []
    for _ in range(1000):
        _, f = calibration.ecdf(rng.integers(0, 20, 50), 19)
        inside.append(np.all((f >= lower) & (f <= upper)))
    assert 0.87 <= np.mean(inside) <= 0.95
    assert np.all(lower <= z) and np.all(z <= upper)


def test_ranks_of_a_calibrated_posterior_are_uniform_with_ties_split():
    rng = np.random.default_rng(2)
    ranks = [calibration.rank(t, rng.normal(t - rng.normal(), 1, 9), rng) for t in range(2000)]
    counts = np.bincount(ranks, minlength=10)
    assert counts.min() > 150 and counts.max() < 250
    tied = [calibration.rank(1.0, np.ones(4), rng) for _ in range(500)]
    assert set(tied) == {0, 1, 2, 3, 4}


def test_coverage_band_and_pvalue():
    lo, hi = calibration.coverage_band(100, 0.94)
    assert lo < 0.94 < hi
    assert calibration.coverage_pvalue(94, 100, 0.94) > 0.5
    assert calibration.coverage_pvalue(60, 100, 0.94) < 1e-10


def test_holm_adjustment():
    adjusted = _holm({"a": 0.01, "b": 0.04, "c": 0.03})
    assert adjusted == pytest.approx({"a": 0.03, "b": 0.06, "c": 0.06})


# -- queries ------------------------------------------------------------------------------


def test_queries_are_plain_data():
    q = cb.CATE("dilution", "coating", by="humid", bins=3)
    assert q.label == "cate(dilution, coating, by=humid, bins=3)"
    assert pickle.loads(pickle.dumps(q)) == q
    assert q.treatment_outcome == ("dilution", "coating")
    assert cb.Mediation("t", "m", "y").treatment_outcome == ("t", "y")
    with pytest.raises(AttributeError):
        q.label = "x"
    unit = cb.Counterfactual("coating", rows=(0, 1), action={"dilution": 1})
    assert unit.label == "coating | do(dilution=1)" and unit.treatment_outcome is None
    with pytest.raises(QueryError, match="distinct labels"):
        cb.recover(
            cb.examples.coating_scm(), COATING, n=10, sims=1,
            queries=[cb.ATE("dilution", "coating")] * 2,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"truth": {**COATING, "coating.bogus": 1.0}}, "unknown parameters"),
        ({"truth": {k: v for k, v in COATING.items() if k != "coating.sigma"}}, "no value for"),
        ({"truth": COATING, "sims": 0}, "sims must be"),
        ({"truth": COATING, "n": 1}, "n must be"),
        ({"truth": COATING, "workers": 0}, "workers must be"),
        ({"truth": COATING, "levels": (0.9, 0.5)}, "levels must be"),
        ({"truth": COATING, "sampler": "numpyro"}, "refits one compiled model"),
        ({"truth": COATING, "blocks": "yes"}, "blocks must be"),
        ({"truth": COATING, "random_seed": 1.5}, "master seed"),
        ({"truth": COATING, "queries": ["ate"]}, "query objects"),
    ],
)
def test_recover_refuses_bad_settings_before_simulating(kwargs, match):
    with pytest.raises((SpecError, QueryError, DataError), match=match):
        cb.recover(cb.examples.coating_scm(), progressbar=False, **{"n": 50, **kwargs})


def test_auto_sampler_follows_fits_rule_for_a_model_compiled_to_refit():
    def chosen(n, sims):
        return _fit_options("auto", 10, 10, 1, 0.8, "auto", None, n, sims)["sampler"]

    # a study refits one compiled model: the first of AUTO_ORDER installed, whatever the
    # number of sims, so that a study resumed with more sims keeps its sampler
    first = next(s for s in AUTO_ORDER if SAMPLERS[s].installed())
    assert chosen(200, sims=2) == chosen(200, sims=100) == chosen(20_000, sims=2) == first
    assert resolve_sampler("auto", n_rows=200, fits=AUTO_NUTPIE_MIN_FITS).name == first
    assert _fit_options("auto", 10, 10, 1, 0.8, "auto", len, 200, 2)["sampler"] == "auto"


def test_studies_refuse_exogenous_columns_and_derived_truths():
    trials = cb.SCM({"x": cb.Normal(), "k": cb.Binomial(["x"], trials="n_trials")})
    with pytest.raises(SpecError, match="exogenous columns"):
        cb.sbc(trials, n=20, sims=1)
    grouped = cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"], groups=["store"])})
    with pytest.raises(SpecError, match="exogenous columns"):
        cb.recover(grouped, {}, n=20, sims=1)
    with pytest.raises(SpecError, match="thin_to"):
        cb.sbc(cb.examples.coating_scm(), n=20, sims=1, thin_to=5000)


# -- truths under do -----------------------------------------------------------------------


def test_truth_of_a_query_is_computed_under_do_from_the_true_parameters():
    scm = cb.SCM({"x": cb.Normal(), "t": cb.Bernoulli(["x"]), "y": cb.Bernoulli(["t", "x"])})
    truth = {
        "x.intercept": 0.3, "x.sigma": 1.2, "t.intercept": -0.2, "t.x": 0.8,
        "y.intercept": -1.0, "y.t": 1.5, "y.x": -0.7,
    }  # fmt: skip
    s = study(scm, truth, queries=[cb.ATE("t", "y"), cb.ATT("t", "y")])
    compiled = _compiled(s)
    values = compiled.simulate(s.seeds(0)["simulate"])
    data = compiled.observed_frame(values)
    truth_fit = compiled.truth_fit(values, data)
    x, t = data["x"].to_numpy(), data["t"].to_numpy()
    effect = expit(-1.0 + 1.5 - 0.7 * x) - expit(-1.0 - 0.7 * x)
    ate = query_elements(s.queries[0], truth_fit)
    att = query_elements(s.queries[1], truth_fit)
    assert ate["ate(t, y)"].shape == (1, 1)
    assert ate["ate(t, y)"][0, 0] == pytest.approx(effect.mean(), rel=1e-10)
    assert att["att(t, y)"][0, 0] == pytest.approx(effect[t == 1].mean(), rel=1e-10)
    # the data follow the fixed truth
    assert data["x"].mean() == pytest.approx(0.3, abs=4 * 1.2 / np.sqrt(300))


def test_latent_values_enter_the_truth_and_stay_out_of_the_data():
    scm = cb.SCM({"u": cb.Normal(latent=True), "t": cb.Normal(["u"]), "y": cb.Normal(["t", "u"])})
    truth = {
        "t.intercept": 0.0, "t.u": 1.0, "t.sigma": 0.5,
        "y.intercept": 1.0, "y.t": 2.0, "y.u": 3.0, "y.sigma": 0.5,
    }  # fmt: skip
    s = study(scm, truth, queries=[cb.Counterfactual("y", rows=(0, 1), action={"t": 0.0})])
    compiled = _compiled(s)
    values = compiled.simulate(123)
    data = compiled.observed_frame(values)
    assert list(data.columns) == ["t", "y"]
    cf = query_elements(s.queries[0], compiled.truth_fit(values, data))
    # additive noise: y' = y + y.t * (t' - t), exactly, for every unit
    expected = data["y"].to_numpy()[:2] + 2.0 * (0.0 - data["t"].to_numpy()[:2])
    got = [cf["y | do(t=0.0)[row 0]"][0, 0], cf["y | do(t=0.0)[row 1]"][0, 0]]
    assert got == pytest.approx(expected, rel=1e-9)


def test_simulations_depend_only_on_the_master_seed_and_their_index():
    s = study()
    assert s.seeds(3) == study().seeds(3)
    assert s.seeds(3) != s.seeds(4)
    assert study(seed=8).seeds(3) != s.seeds(3)
    compiled = _compiled(s)
    first = compiled.simulate(s.seeds(1)["simulate"])
    compiled.simulate(s.seeds(2)["simulate"])
    again = compiled.simulate(s.seeds(1)["simulate"])
    assert all(np.array_equal(first[k], again[k]) for k in first)
    assert s.key() == study().key() != study(n=301).key()


# -- running and caching ---------------------------------------------------------------------


def fake_record(index: int) -> dict:
    rng = np.random.default_rng(index)
    mean = float(rng.normal())
    return {
        "version": 1, "sim": index, "seconds": 0.1, "divergences": 0, "rhat_max": 1.0,
        "ess_bulk_min": 500.0,
        "quantities": [{
            "quantity": "a", "kind": "parameter", "truth": 0.0, "mean": mean, "sd": 1.0,
            "intervals": [[mean - 0.67, mean + 0.67], [mean - 1.28, mean + 1.28],
                          [mean - 1.88, mean + 1.88]],
            "rank": int(rng.integers(100)), "prior_sd": 2.0,
        }],
    }  # fmt: skip


def test_cache_resumes_an_interrupted_study(tmp_path, monkeypatch):
    ran = []

    def run(study, index):
        ran.append(index)
        if index == 3 and len(ran) < 5:
            raise RuntimeError("killed")
        return fake_record(index)

    monkeypatch.setattr(execution, "run_simulation", run)
    s = study()
    with pytest.raises(execution.SimulationError, match="simulation 3 failed: killed"):
        execution.run_study(s, 5, workers=1, cache=tmp_path, progressbar=False)
    assert ran == [0, 1, 2, 3]
    (tmp_path / "sim-000001.json").write_text('{"cut sho')  # a write the crash cut short
    records = execution.run_study(s, 5, workers=1, cache=tmp_path, progressbar=False)
    assert ran == [0, 1, 2, 3, 1, 3, 4]
    assert [r["sim"] for r in records] == [0, 1, 2, 3, 4]
    assert json.loads((tmp_path / "sim-000004.json").read_text()) == fake_record(4)
    with pytest.raises(DataError, match="another study"):
        execution.run_study(study(seed=99), 5, workers=1, cache=tmp_path, progressbar=False)


def test_executor_must_be_an_executor():
    with pytest.raises(DataError, match="concurrent.futures.Executor"):
        list(execution._execute(study(), [0], None, executor=object()))


def test_results_summarise_records_exactly():
    records = [fake_record(i) for i in range(40)]
    result = RecoveryResult.from_records(records, (0.5, 0.8, 0.94), 99, {}, {"seed": 1})
    means = np.array([r["quantities"][0]["mean"] for r in records])
    row = result.summary().loc["a"]
    assert row["bias"] == pytest.approx(means.mean())
    assert row["rmse"] == pytest.approx(np.sqrt(np.mean(means**2)))
    assert row["coverage_94"] == pytest.approx(np.mean(np.abs(means) <= 1.88))
    assert row["contraction"] == pytest.approx(0.75)
    assert row["z_mean"] == pytest.approx(means.mean())
    assert not row["flagged"] and result.flagged == []
    assert "Recovered" in result.verdict()
    sbc = SBCResult.from_records(records, (0.5, 0.8, 0.94), 99, {}, {"seed": 1})
    assert sbc.summary().loc["a", "p_uniform"] > 0.01 and sbc.miscalibrated == []
    assert sbc.table.shape[0] == 40 and result.sims.shape == (40, 4)


def test_overconfident_records_are_flagged():
    records = [fake_record(i) for i in range(40)]
    for r in records:  # intervals a third as wide: they miss the truth far too often
        q = r["quantities"][0]
        q["intervals"] = [[q["mean"] - w / 3, q["mean"] + w / 3] for w in (0.67, 1.28, 1.88)]
    result = RecoveryResult.from_records(records, (0.5, 0.8, 0.94), 99, {}, {})
    assert result.flagged == ["a"]
    assert "Not recovered" in result.verdict()


def test_plots_draw_every_kind():
    import matplotlib

    matplotlib.use("Agg")
    records = [fake_record(i) for i in range(20)]
    result = SBCResult.from_records(records, (0.5, 0.8, 0.94), 99, {}, {})
    for kind in ("estimates", "coverage", "ecdf", "ranks", "contraction"):
        assert result.plot(kind).axes
    with pytest.raises(ValueError, match="kind must be"):
        result.plot("violin")
    with pytest.raises(ValueError, match="unknown quantities"):
        result.plot("ecdf", quantities=["b"])
    matplotlib.pyplot.close("all")


def test_a_simulation_record_is_json(monkeypatch):
    s = study(queries=[cb.ATE("dilution", "coating")])

    def fitter(scm, data, seed):  # the truth as a "posterior": every interval covers
        compiled = _compiled(s)
        return compiled.truth_fit(compiled.simulate(s.seeds(0)["simulate"]), data)

    s = Study(**{**s.__dict__, "fitter": fitter, "thin_to": 1})
    record = run_simulation(s, 0)
    assert json.loads(json.dumps(record)) == record
    by_name = {q["quantity"]: q for q in record["quantities"]}
    assert by_name["ate(dilution, coating)"]["truth"] == pytest.approx(-0.421)
    assert by_name["coating.dilution"]["mean"] == pytest.approx(-0.421)
    assert pd.Series([q["kind"] for q in record["quantities"]]).value_counts()["query"] == 1


def test_degenerate_and_skewed_posteriors_are_summarised_and_drawn():
    import matplotlib

    matplotlib.use("Agg")
    records = [fake_record(i) for i in range(10)]
    for r in records:
        point = {  # a counterfactual that sets a unit's own value: no uncertainty at all
            "quantity": "cf", "kind": "query", "truth": 0.3, "mean": 0.3 + 1e-17,
            "sd": 1e-16, "intervals": [[0.3, 0.3]] * 3, "rank": 50, "prior_sd": 1e-16,
        }  # fmt: skip
        skewed = {**r["quantities"][0], "quantity": "skewed", "intervals": [[0.5, 2.0]] * 3}
        r["quantities"] += [point, skewed]
    r["rhat_max"] = 1.8  # one fit that did not converge
    result = RecoveryResult.from_records(records, (0.5, 0.8, 0.94), 99, {}, {})
    cf = result.table[result.table["quantity"] == "cf"]
    assert cf["covered_94"].all() and cf["z"].isna().all() and cf["contraction"].isna().all()
    assert "cf" not in result.flagged
    assert result.verdict().startswith("Unreliable: 1 of 10 fits did not converge")
    assert result.plot("estimates", quantities=["skewed", "cf"]).axes  # mean outside its interval
    assert result.plot("contraction").axes
    matplotlib.pyplot.close("all")


# -- a damaged cache -------------------------------------------------------------------------


def test_damaged_simulation_files_are_run_again_and_overwritten(tmp_path, monkeypatch):
    ran = []

    def run(study, index):
        ran.append(index)
        return fake_record(index)

    monkeypatch.setattr(execution, "run_simulation", run)
    s = study()
    execution.run_study(s, 7, workers=1, cache=tmp_path, progressbar=False)
    assert ran == list(range(7))
    wrong_index = fake_record(4)
    bad_rank = fake_record(5)
    bad_rank["quantities"][0]["rank"] = "7"
    damaged = {
        0: "[]",
        1: json.dumps({"version": 1, "sim": 1}),  # no quantities
        2: json.dumps({**fake_record(2), "quantities": "a"}),
        3: json.dumps(wrong_index),  # the record of another simulation
        4: "\x00\xff garbage",
        5: json.dumps(bad_rank),
    }
    for index, text in damaged.items():
        (tmp_path / f"sim-{index:06d}.json").write_text(text, encoding="utf-8", errors="ignore")
    (tmp_path / "sim-000002.json").with_suffix(".part").write_text("{")  # a cut-short write
    ran.clear()
    records = execution.run_study(s, 7, workers=1, cache=tmp_path, progressbar=False)
    assert sorted(ran) == [0, 1, 2, 3, 4, 5]  # 6 was whole: not run again
    assert records == [fake_record(i) for i in range(7)]
    for index in range(7):
        saved = json.loads((tmp_path / f"sim-{index:06d}.json").read_text(encoding="utf-8"))
        assert saved == fake_record(index)
    assert execution._Cache(tmp_path, s).load() == {i: fake_record(i) for i in range(7)}


@pytest.mark.parametrize(
    "text",
    ['{"key": "0123', "[]", '{"kind": "recovery"}', "", '{"key": 5}'],
    ids=["truncated", "list", "no-key", "empty", "key-type"],
)
def test_a_damaged_study_file_is_refused_with_the_way_out(tmp_path, text):
    (tmp_path / "study.json").write_text(text, encoding="utf-8")
    with pytest.raises(cb.FileFormatError, match="damaged study.json") as info:
        execution.run_study(study(), 2, workers=1, cache=tmp_path, progressbar=False)
    assert "delete the folder to start over, or pass a new cache folder" in str(info.value)


def test_a_cache_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "cache").write_text("x")
    with pytest.raises(cb.FileFormatError, match="is a file, not a folder"):
        execution.run_study(study(), 2, workers=1, cache=tmp_path / "cache", progressbar=False)


def test_real_records_are_read_back_from_the_cache(tmp_path, monkeypatch):
    """What run_simulation writes passes the cache's checks (else every resume would rerun)."""
    s = study(queries=[cb.ATE("dilution", "coating")])

    def fitter(scm, data, seed):  # the truth as a "posterior": no MCMC
        compiled = _compiled(s)
        return compiled.truth_fit(compiled.simulate(s.seeds(0)["simulate"]), data)

    s = Study(**{**s.__dict__, "fitter": fitter, "thin_to": 1})
    first = execution.run_study(s, 2, workers=1, cache=tmp_path, progressbar=False)
    monkeypatch.setattr(execution, "run_simulation", lambda *a: pytest.fail("ran again"))
    again = execution.run_study(s, 2, workers=1, cache=tmp_path, progressbar=False)
    assert json.loads(json.dumps(again)) == json.loads(json.dumps(first))


# -- a study at the user's own scale --------------------------------------------------------


def test_a_study_on_a_fit_keeps_the_users_rows_and_takes_its_posterior_means(fake_fit, rng):
    n = 60
    income = np.exp(rng.normal(10.3, 0.8, size=n))  # dollars, skewed
    region = rng.choice(["north", "south"], size=n)
    df = pd.DataFrame({"income": income, "region": region, "t": rng.binomial(1, 0.5, n)})
    df["y"] = 2000 + 500 * df.t + 0.02 * income + rng.normal(0, 100, n)
    scm = cb.SCM.from_graph("income -> t; income -> y; region -> y; t -> y", df)
    post = {
        "t.intercept": rng.normal(0, 0.1, (2, 30)),
        "t.income": rng.normal(1e-5, 1e-6, (2, 30)),
        "y.intercept": rng.normal(2000, 10, (2, 30)),
        "y.income": rng.normal(0.02, 0.001, (2, 30)),
        "y.region": rng.normal(0, 10, (2, 30, 1)),
        "y.t": rng.normal(500, 10, (2, 30)),
        "y.sigma": np.abs(rng.normal(100, 5, (2, 30))),
    }
    dims = {"y.region": ["region_contrasts"]}
    fit = fake_fit(scm, df, post, dims=dims)
    means = {k: v.mean(axis=(0, 1)) for k, v in post.items()}
    seen = []

    def fitter(scm_, data, seed):  # no MCMC: record the data, answer with the truth
        seen.append(data)
        exact = {k: np.broadcast_to(v, (1, 100, *np.shape(v))).copy() for k, v in means.items()}
        return fake_fit(scm_, data, exact, dims=dims)

    with pytest.raises(SpecError, match=r"are given .* cb.recover\(fit"):
        cb.recover(scm, {}, n=n)
    with pytest.raises(SpecError, match="uses its 60 rows"):
        cb.recover(fit, n=10)
    result = cb.recover(
        fit, sims=2, fitter=fitter, workers=1, random_seed=4, progressbar=False,
        queries=[cb.ATE("t", "y")],
    )  # fmt: skip
    assert len(seen) == 2
    for data in seen:  # every simulated data set keeps the user's given rows as they are
        np.testing.assert_array_equal(data["income"], df["income"])
        assert list(data["region"]) == list(df["region"])
        assert not data["y"].equals(df["y"])  # the modelled nodes are simulated afresh
    table = result.summary()
    assert table.loc["ate(t, y)", "truth"] == pytest.approx(means["y.t"])
    assert table.loc["y.income", "truth"] == pytest.approx(means["y.income"])
    assert table.loc["ate(t, y)", "bias"] == pytest.approx(0.0, abs=1e-9)
