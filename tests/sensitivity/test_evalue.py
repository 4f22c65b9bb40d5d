"""E-values (VanderWeele & Ding 2017): published examples, conversions and refusals."""

from __future__ import annotations

import numpy as np
import pytest

from causalbayes.errors import QueryError
from causalbayes.sensitivity.evalue import evalue, evalue_rr


def test_published_example():
    """VanderWeele & Ding (2017): RR 3.9 (95% CI 1.8-8.7) -> E-values 7.26 and 3.0."""
    e = evalue(3.9, 1.8, 8.7)
    assert round(e.point, 2) == 7.26
    assert round(e.limit, 2) == 3.0
    assert "7.26" in e.summary()


def test_protective_ratio_uses_the_upper_limit():
    e = evalue(0.5, 0.3, 0.8)
    assert e.point == pytest.approx(evalue_rr(2.0))
    assert e.limit == pytest.approx(evalue_rr(1 / 0.8))


def test_interval_including_the_null_gives_one():
    assert evalue(1.5, 0.9, 2.5).limit == 1.0
    assert evalue(0.7, 0.4, 1.1).limit == 1.0


@pytest.mark.parametrize("measure", ["OR", "HR"])
def test_rare_outcome_ratios_are_risk_ratios(measure):
    assert evalue(2.0, 1.2, 3.0, measure=measure, rare=True).point == evalue(2.0, 1.2, 3.0).point


def test_common_outcome_conversions():
    # odds ratio: sqrt(OR); hazard ratio: (1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR))
    assert evalue(4.0, measure="OR").rr == pytest.approx(2.0)
    hr = 2.0
    expected = (1 - 0.5 ** np.sqrt(hr)) / (1 - 0.5 ** np.sqrt(1 / hr))
    assert evalue(hr, measure="HR").rr == pytest.approx(expected)
    # EValue (R) evalues.OR(0.86, 0.75, 0.99, rare = FALSE): point 1.37
    assert round(evalue(0.86, 0.75, 0.99, measure="OR").point, 2) == 1.37


def test_standardized_mean_difference():
    e = evalue(0.5, measure="SMD", se=0.1)
    assert e.rr == pytest.approx(np.exp(0.455))
    assert e.rr_lower == pytest.approx(np.exp(0.455 - 0.178))
    assert e.limit == pytest.approx(evalue_rr(np.exp(0.455 - 0.178)))


def test_non_null_true_value():
    # explaining RR 3 down to RR 1.5 is explaining a ratio of 2 away
    assert evalue(3.0, true=1.5).point == pytest.approx(evalue_rr(2.0))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"estimate": -1.0}, "estimate must be a positive ratio"),
        ({"estimate": 2.0, "lower": 2.5, "upper": 3.0}, "lower <= estimate <= upper"),
        ({"estimate": 2.0, "measure": "RD"}, "measure must be one of"),
        ({"estimate": 0.3, "lower": 0.1, "measure": "SMD"}, "give se="),
    ],
)
def test_refusals_name_the_argument(kwargs, match):
    with pytest.raises(QueryError, match=match):
        evalue(**kwargs)
