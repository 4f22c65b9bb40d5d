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


def test_stuck_chains_are_one_problem_whose_advice_is_not_target_accept():
    rng = np.random.default_rng(1)
    shifted = rng.normal(size=(4, 200)) + np.array([0.0, 0.0, 0.0, 5.0])[:, None]
    diverging = np.zeros((4, 200), dtype=bool)
    diverging[0, :3] = True
    idata = az.from_dict(posterior={"a": shifted}, sample_stats={"diverging": diverging})
    d = diagnose(idata, ["a"])
    assert d.divergences == 3 and d.rhat_max > 1.2 and d.stuck
    (problem,) = d.problems()
    assert "stuck" in problem and "will not help" in problem and "'a'" not in problem
    assert d.worst[0][0] == "a" and "a (R-hat" in problem
    with pytest.warns(cb.DiagnosticsWarning) as record:
        warn_if_bad(d)
    assert len(record) == 1


def test_a_few_divergences_and_disagreeing_chains_get_their_own_advice():
    rng = np.random.default_rng(2)
    # chains offset by a fraction of the sd: R-hat a little above 1.01, not stuck
    draws = rng.normal(size=(4, 1000)) + np.array([0.0, 0.0, 0.0, 0.25])[:, None]
    diverging = np.zeros((4, 1000), dtype=bool)
    diverging[0, :3] = True
    idata = az.from_dict(posterior={"a": draws}, sample_stats={"diverging": diverging})
    d = diagnose(idata, ["a"])
    assert 1.01 < d.rhat_max < 1.2 and not d.stuck
    problems = d.problems()
    assert "target_accept=0.95" in problems[0] and "3 divergent" in problems[0]
    assert "chains disagree" in problems[1] and "a (R-hat" in problems[1]


def test_many_divergences_advise_reparameterizing():
    rng = np.random.default_rng(3)
    diverging = np.zeros((4, 500), dtype=bool)
    diverging[:, :100] = True  # 20%
    idata = az.from_dict(
        posterior={"a": rng.normal(size=(4, 500))}, sample_stats={"diverging": diverging}
    )
    (problem,) = diagnose(idata, ["a"]).problems()
    assert "20%" in problem and "reparameterize" in problem


def test_a_variable_whose_chains_sit_still_is_stuck():
    idata = az.from_dict(posterior={"a": np.repeat([[1.0], [2.0]], 100, axis=1)})
    d = diagnose(idata, ["a"])
    assert d.stuck and d.rhat_max > 1e6


def test_constants_are_not_diagnosed():
    idata = az.from_dict(posterior={"a": np.ones((2, 100))})
    d = diagnose(idata, ["a"])
    assert d.ok


def test_single_chain_has_no_rhat_complaint():
    d = Diagnostics(divergences=0, rhat_max=float("nan"), ess_bulk_min=5000.0, chains=1, draws=5000)
    assert d.problems() == []
