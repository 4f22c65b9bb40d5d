"""Implication tests the data cannot support are "untestable", with the reason: never
rejected, left out of the Holm correction, counted in the summary."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

import causalbayes as cb
from causalbayes.errors import DataError
from causalbayes.identification import implications
from causalbayes.identification.implications import MIN_RESIDUAL_DF, _holm

CHAIN = "a -> b -> c -> d"


def _chain(seed: int, n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = 0.8 * a + rng.normal(size=n)
    c = 0.8 * b + rng.normal(size=n)
    d = 0.8 * c + rng.normal(size=n)
    return pd.DataFrame({"a": a, "b": b, "c": c, "d": d})


def test_three_rows_test_nothing_and_reject_nothing():
    report = cb.check_implications(CHAIN, _chain(0).head(3))
    table = report.table
    assert len(table) == 3 and (table["status"] == "untestable").all()
    assert not table["rejected"].any() and report.rejected == [] and report.consistent
    assert table["p_holm"].isna().all() and table["statistic"].isna().all()
    assert (table["n"] == 3).all()
    # a _||_ c | b regresses on intercept, b and a: 3 coefficients
    note = table.set_index("statement").loc["a _||_ c | b", "note"]
    assert (
        note
        == f"too few rows: 3 for 3 regression coefficients (needs at least {3 + MIN_RESIDUAL_DF})"
    )
    summary = report.summary()
    assert summary.startswith("None of the 3 implied independences could be tested")
    assert "contradict" not in summary and "too few rows" in summary


def test_the_smallest_testable_sample_is_tested():
    df = _chain(1, n=3 + MIN_RESIDUAL_DF)  # a _||_ c | b: exactly enough rows
    table = cb.check_implications("a -> b -> c", df).table
    assert table.loc[0, "status"] == "tested" and np.isfinite(table.loc[0, "p_value"])
    table = cb.check_implications("a -> b -> c", df.head(2 + MIN_RESIDUAL_DF)).table
    assert table.loc[0, "status"] == "untestable"


def test_small_samples_that_are_tested_stay_calibrated():
    # n = 12 under the null: the family-wise rejection rate stays near alpha
    rejected = [cb.check_implications(CHAIN, _chain(s, n=12)).rejected for s in range(300)]
    assert np.mean([bool(r) for r in rejected]) < 0.08


def test_a_constant_column_is_untestable_and_left_out_of_holm():
    df = _chain(2).assign(e=1.0)
    report = cb.check_implications("a -> b -> c; e", df)
    table = report.table.set_index("statement")
    untestable = [s for s in table.index if "e" in table.loc[s, ["x", "y"]].tolist()]
    assert sorted(report.untestable) == sorted(untestable) and len(untestable) == 3
    assert (table.loc[untestable, "note"] == "'e' is constant in the 200 rows used").all()
    tested = table[table["status"] == "tested"]
    assert list(tested.index) == ["a _||_ c | b"]
    # Holm over the one tested statement: its p is not multiplied by 4
    assert tested["p_holm"].iloc[0] == pytest.approx(tested["p_value"].iloc[0])
    assert report.summary().endswith(
        "3 of 4 could not be tested: 'e' is constant in the 200 rows used "
        "(a _||_ e, b _||_ e, c _||_ e)."
    )


def test_holm_counts_only_tested_statements():
    df = _chain(3)
    df["d"] = df["d"] + 0.5 * df["a"]  # tested statements get real p-values
    df["e"] = 0.0
    report = cb.check_implications(CHAIN + "; e", df)
    tested = report.table[report.table["status"] == "tested"]
    np.testing.assert_allclose(tested["p_holm"], _holm(tested["p_value"].to_numpy()))


def test_a_tested_variable_that_is_a_function_of_the_conditioning_set_is_untestable():
    rng = np.random.default_rng(4)
    z = rng.normal(size=100)
    df = pd.DataFrame({"z": z, "x": 2 * z + 1, "y": z + rng.normal(size=100)})
    report = cb.check_implications("z -> x; z -> y", df)
    assert report.untestable == ["x _||_ y | z"]
    assert report.table.loc[0, "note"] == "'x' is a linear function of the conditioning set"
    assert not report.rejected


def test_an_indicator_identical_to_the_conditioning_set_is_untestable():
    rng = np.random.default_rng(5)
    g = rng.choice(["p", "q", "r"], size=120)
    y = (g == "q") + rng.normal(size=120)
    df = pd.DataFrame({"g": g, "h": g.copy(), "y": y})
    report = cb.check_implications("g -> h; g -> y", df)
    row = report.table.set_index("statement").loc["h _||_ y | g"]
    assert row["status"] == "untestable" and not row["rejected"]
    assert row["note"] == "'h' is a linear function of the conditioning set"


def test_a_non_finite_statistic_is_untestable(monkeypatch):
    monkeypatch.setattr(implications, "_fisher_z", lambda *a: ("Fisher z", np.nan, 1, np.nan))
    report = cb.check_implications("a -> b -> c", _chain(6))
    assert report.table.loc[0, "note"] == "the Fisher z statistic is not finite (nan)"
    assert report.untestable == ["a _||_ c | b"] and report.consistent


def test_missing_values_are_refused_by_default_naming_the_columns():
    df = _chain(7)
    df.loc[[3, 9], "b"] = np.nan
    with pytest.raises(
        DataError, match=r"column\(s\) \['b'\] have missing values \(\{'b': 2\}"
    ) as info:
        cb.check_implications(CHAIN, df)
    assert 'missing="drop"' in str(info.value)


def test_missing_values_can_be_dropped_per_statement_with_a_note():
    df = _chain(8)
    df.loc[[3, 9], "b"] = np.nan
    before = df.copy()
    table = cb.check_implications(CHAIN, df, missing="drop").table.set_index("statement")
    pd.testing.assert_frame_equal(df, before)  # not modified
    # b is in two statements: those drop the rows; a _||_ d | c keeps all 200
    assert table.loc["a _||_ c | b", "n"] == 198
    assert table.loc["a _||_ c | b", "note"] == "2 row(s) with missing values dropped"
    assert table.loc["a _||_ d | c", "n"] == 200 and table.loc["a _||_ d | c", "note"] == ""
    complete = cb.check_implications(CHAIN, df.dropna()).table.set_index("statement")
    assert table.loc["a _||_ c | b", "statistic"] == complete.loc["a _||_ c | b", "statistic"]


def test_infinite_values_and_bad_options_are_refused():
    df = _chain(9)
    df.loc[0, "c"] = np.inf
    with pytest.raises(DataError, match=r"column\(s\) \['c'\] hold infinite values"):
        cb.check_implications(CHAIN, df, missing="drop")
    with pytest.raises(DataError, match="missing must be one of"):
        cb.check_implications(CHAIN, _chain(9), missing="impute")
    with pytest.raises(DataError, match="alpha must lie in"):
        cb.check_implications(CHAIN, _chain(9), alpha="0.05")
    with pytest.raises(DataError, match="DataFrame"):
        cb.check_implications(CHAIN, _chain(9).to_dict())


def test_the_plot_marks_untestable_statements():
    df = _chain(10).assign(e=1.0)
    ax = cb.check_implications("a -> b -> c; e", df).plot()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sum(label.endswith("(untestable)") for label in labels) == 3
    matplotlib.pyplot.close("all")
