"""Testing a graph's implied independences on data: calibration, power, mixed types."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

import causalbayes as cb
from causalbayes.errors import DataError
from causalbayes.identification.implications import _holm

CHAIN = "a -> b -> c -> d"


def _chain_data(seed: int, n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = 0.8 * a + rng.normal(size=n)
    c = 0.8 * b + rng.normal(size=n)
    d = 0.8 * c + rng.normal(size=n)
    return pd.DataFrame({"a": a, "b": b, "c": c, "d": d})


def test_chain_implications_are_rejected_at_no_more_than_the_nominal_rate():
    tables = [cb.check_implications(CHAIN, _chain_data(seed)).table for seed in range(200)]
    assert len(tables[0]) == 3  # a_||_c|b, a_||_d|c, b_||_d|c
    p = np.concatenate([t["p_value"].to_numpy() for t in tables])
    assert np.mean(p < 0.05) < 0.08
    assert np.mean([t["rejected"].any() for t in tables]) < 0.08  # Holm: family-wise


def test_the_violated_independence_is_found_every_time():
    # data from the chain plus a direct a -> d edge; the claimed graph is the chain
    violated = {"a _||_ d | c", "b _||_ d | c"}  # b <- a -> d opens the second
    false_alarms = 0
    for seed in range(50):
        df = _chain_data(seed)
        df["d"] = df["d"] + 0.6 * df["a"]
        report = cb.check_implications(CHAIN, df)
        assert "a _||_ d | c" in report.rejected, seed
        assert not report.consistent and "a _||_ d | c" in report.summary()
        false_alarms += bool(set(report.rejected) - violated)
    assert false_alarms <= 4  # family-wise 5% of 50


def test_mixed_types_use_likelihood_ratio_tests_and_stay_calibrated():
    rejected = []
    for seed in range(100):
        rng = np.random.default_rng(seed)
        n = 300
        z = rng.normal(size=n)
        t = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
        region = rng.choice(["n", "s", "w"], size=n)
        y = t + 0.5 * z + rng.normal(size=n)
        df = pd.DataFrame({"z": z, "t": t, "region": region, "y": y})
        report = cb.check_implications("z -> t -> y; z -> y; region", df)
        rejected.append(report.table["p_value"].to_numpy() < 0.05)
    table = report.table.set_index("statement")
    assert set(table["test"]) == {"OLS LR", "logistic LR"}
    assert table.loc["t _||_ region", "df"] == 2  # two indicator columns
    assert np.mean(np.concatenate(rejected)) < 0.08


def test_binary_response_dependence_is_detected():
    rng = np.random.default_rng(1)
    z = rng.normal(size=500)
    t = (rng.random(500) < 1 / (1 + np.exp(-2 * z))).astype(int)
    df = pd.DataFrame({"z": z, "t": t})
    assert cb.check_implications("z; t", df).rejected == ["z _||_ t"]


def test_holm_adjustment_matches_the_textbook_definition():
    p = np.array([0.01, 0.04, 0.03, 0.005])
    np.testing.assert_allclose(_holm(p), [0.03, 0.06, 0.06, 0.02])


def test_latent_statements_are_skipped_and_the_plot_has_one_row_per_statement():
    scm = cb.SCM({"u": cb.Normal(latent=True), "a": cb.Normal(["u"]), "b": cb.Normal(["a"])})
    report = cb.check_implications(scm, _chain_data(0)[["a", "b"]])
    assert report.table.empty and report.consistent
    ax = cb.check_implications(CHAIN, _chain_data(0)).plot()
    assert len(ax.get_yticks()) == 3


def test_missing_columns_and_bad_alpha_are_refused():
    with pytest.raises(DataError, match=r"lack column\(s\) \['d'\]"):
        cb.check_implications(CHAIN, _chain_data(0).drop(columns="d"))
    with pytest.raises(DataError, match="alpha"):
        cb.check_implications(CHAIN, _chain_data(0), alpha=2)
