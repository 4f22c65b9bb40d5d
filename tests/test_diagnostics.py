"""Diagnostics: computed from sample stats and draws; bad ones warn with advice."""

from __future__ import annotations

import arviz as az
import numpy as np
import pytest

import causalbayes as cb
from causalbayes.inference.diagnostics import Diagnostics, diagnose, warn_if_bad


def test_good_chains_report_no_problems():
    rng = np.random.default_rng(0)
    idata = az.from_dict(
        posterior={"a": rng.normal(size=(4, 500))},
        sample_stats={"diverging": np.zeros((4, 500), dtype=bool)},
    )
    d = diagnose(idata, ["a"])
    assert d.divergences == 0 and d.rhat_max < 1.01 and d.ess_bulk_min > 1000
    assert d.problems() == []


def test_stuck_chains_and_divergences_are_reported_with_advice():
    rng = np.random.default_rng(1)
    shifted = rng.normal(size=(4, 200)) + np.array([0.0, 0.0, 0.0, 5.0])[:, None]
    diverging = np.zeros((4, 200), dtype=bool)
    diverging[0, :3] = True
    idata = az.from_dict(posterior={"a": shifted}, sample_stats={"diverging": diverging})
    d = diagnose(idata, ["a"])
    assert d.divergences == 3 and d.rhat_max > 1.1
    problems = " ".join(d.problems())
    assert "target_accept" in problems and "R-hat" in problems and "ESS" in problems
    with pytest.warns(cb.DiagnosticsWarning) as record:
        warn_if_bad(d)
    assert len(record) == 3 and "divergent" in str(record[0].message)


def test_single_chain_has_no_rhat_complaint():
    d = Diagnostics(divergences=0, rhat_max=float("nan"), ess_bulk_min=5000.0, chains=1, draws=5000)
    assert d.problems() == []
