"""Bad input gets a typed error that names the problem and the fix; never a crash from deep inside.

Hand-written cases (the kinds users hit: reserved names, wrong types, odd columns, query
arguments out of range) and generated ones (hypothesis, derandomized): whatever is thrown at
the public boundary either works or raises a :class:`causalbayes.CausalBayesError`.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import causalbayes as cb
from causalbayes.data.encode import encode_data
from causalbayes.testing import example_fit


@pytest.fixture(scope="module")
def fit():
    return example_fit()


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (
            lambda: cb.SCM({"sigma": cb.Normal(), "y": cb.Normal(["sigma"])}),
            cb.SpecError,
            "reserved",
        ),
        (lambda: cb.SCM({"intercept": cb.Normal()}), cb.SpecError, "reserved"),
        (lambda: cb.SCM({"unit": cb.Normal()}), cb.SpecError, "reserved"),
        (lambda: cb.SCM({"chain": cb.Normal(latent=True)}), cb.SpecError, "reserved"),
        (lambda: cb.SCM({"x_levels": cb.Normal()}), cb.SpecError, "_levels"),
        (lambda: cb.SCM(None), cb.SpecError, "mapping of node name"),
        (lambda: cb.SCM("x"), cb.SpecError, "mapping of node name"),
        (lambda: cb.Normal(parents=5), cb.SpecError, "list of node names"),
        (lambda: cb.Normal(foo=1), TypeError, r"unexpected keyword\(s\) \['foo'\]"),
        (lambda: cb.Normal(prior={"x": 1}), TypeError, "did you mean 'priors'"),
        (lambda: cb.Normal(priors=3), cb.SpecError, "priors= takes a dict"),
        (lambda: cb.SCM.from_json("{nope"), cb.SpecError, "not JSON text"),
    ],
)
def test_bad_declarations(make, error, match):
    with pytest.raises(error, match=match) as info:
        make()
    assert isinstance(info.value, cb.CausalBayesError)


def test_no_parents_may_be_written_none():
    assert cb.Normal(parents=None).parents == ()


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        (pd.DataFrame({"x": pd.date_range("2020", periods=3)}), "dates or durations"),
        (pd.DataFrame({"x": [1 + 1j, 2.0, 3.0]}), "complex numbers"),
        (pd.DataFrame([[1.0, 2.0]], columns=["x", "x"]), "duplicate column names"),
        (pd.DataFrame({("x", "a"): [1.0, 2.0]}), "MultiIndex"),
        (pd.DataFrame({"x": [1e19, 2.0]}), "beyond"),
        (pd.DataFrame({"x": [1.0, np.inf]}), "infinite"),
        (pd.DataFrame({"x": ["a", "b"]}), "non-numeric"),
    ],
)
def test_bad_columns(frame, match):
    with pytest.raises(cb.DataError, match=match):
        encode_data(cb.SCM({"x": cb.Normal()}), frame)


def test_huge_counts_do_not_wrap():
    with pytest.raises(cb.DataError, match="beyond"):
        encode_data(cb.SCM({"k": cb.Poisson()}), pd.DataFrame({"k": [1e19, 2.0]}))


@pytest.mark.parametrize(
    ("query", "match"),
    [
        (lambda f: cb.ate(f, ["dilution"], "coating"), "treatment"),
        (lambda f: cb.ate(f, "dilution", "dilution"), "different nodes"),
        (lambda f: cb.ate(f, "dilution", "coating", values=1), "two treatment values"),
        (lambda f: cb.ate(f, "dilution", "coating", values=(0, 2)), "0 or 1"),
        (lambda f: cb.ate(f, "dilution", "coating", population="model", n=0), "positive whole"),
        (lambda f: cb.ate(f, "dilution", "coating", population="model", n=-5), "positive whole"),
        (lambda f: cb.ate(f, "dilution", "coating", population="everyone"), "population must"),
        (lambda f: cb.ate(f, "dilution", "coating", identification="loud"), "identification"),
        (lambda f: cb.cate(f, "dilution", "coating", by="humid", bins=0), "bins must"),
        (lambda f: cb.cate(f, "dilution", "coating", by="nope"), "not in the fitted data"),
        (lambda f: cb.dose_response(f, "humid", "coating", grid=[]), "at least one"),
        (lambda f: cb.shift_effect(f, "humid", "coating", delta="a"), "delta must be a number"),
        (lambda f: cb.contrasts(f, "dilution", "coating", values=[0]), "at least two"),
    ],
)
def test_bad_queries(fit, query, match):
    with pytest.raises(cb.QueryError, match=match):
        query(fit)


def test_bad_summaries(fit):
    effect = cb.ate(fit, "dilution", "coating")
    with pytest.raises(cb.CausalBayesError, match="between 0 and 1"):
        effect.hdi(1.5)
    with pytest.raises(cb.CausalBayesError, match="function of the draws"):
        effect.prob(3)
    with pytest.raises(cb.CausalBayesError, match="rope"):
        effect.summary(rope=(1.0, 0.0))


# -- generated inputs: work or raise a CausalBayesError, nothing else ---------------------------
_NAMES = st.one_of(
    st.sampled_from(["x", "y", "t", "sigma", "unit", "a b", "", "1x", "x_levels"]), st.integers()
)
_VALUES = st.one_of(
    st.none(), st.integers(-3, 3), st.floats(allow_nan=True), st.text(max_size=3),
    st.lists(st.sampled_from(["x", "y", 1, None]), max_size=3),
    st.dictionaries(st.sampled_from(["intercept", "sigma", "x", "bogus"]), st.floats(-1, 1), max_size=2),
)  # fmt: skip
_OPTIONS = st.dictionaries(
    st.sampled_from(
        ["parents", "link", "priors", "latent", "intercept", "levels", "interactions", "groups",
         "terms", "measurement_error", "trials", "centered", "bogus"]
    ),
    _VALUES,
    max_size=3,
)  # fmt: skip
_FAMILIES = st.sampled_from(
    ["Normal", "Bernoulli", "Poisson", "Categorical", "Binomial", "StudentT", "Given", "Beta"]
)


@settings(
    max_examples=600, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(family=_FAMILIES, options=_OPTIONS, name=_NAMES)
def test_generated_declarations_work_or_raise_typed_errors(family, options, name):
    try:
        node = (
            getattr(cb, family)(**options)
            if family != "Binomial"
            else cb.Binomial(trials=options.pop("trials", 3), **options)
        )
        cb.SCM({name: node})
    except cb.CausalBayesError:
        pass


_COLUMNS = st.one_of(
    st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=6),
    st.lists(st.integers(-(2**62), 2**62), min_size=1, max_size=6),
    st.lists(st.text(max_size=2), min_size=1, max_size=6),
    st.lists(st.booleans(), min_size=1, max_size=6),
    st.lists(st.one_of(st.none(), st.floats(0, 1), st.text(max_size=1)), min_size=1, max_size=6),
)
_SCMS = {
    "normal": cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"])}),
    "counts": cb.SCM({"x": cb.Given(), "y": cb.Poisson(["x"])}),
    "binary": cb.SCM({"x": cb.Categorical(), "y": cb.Bernoulli(["x"])}),
    "beta": cb.SCM({"x": cb.Normal(), "y": cb.Beta(["x"])}),
}


@settings(
    max_examples=500, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    kind=st.sampled_from(sorted(_SCMS)),
    x=_COLUMNS,
    y=_COLUMNS,
    missing=st.sampled_from(["raise", "impute"]),
)
def test_generated_data_encode_or_raise_typed_errors(kind, x, y, missing):
    n = min(len(x), len(y))
    frame = pd.DataFrame({"x": pd.Series(x[:n], dtype=object), "y": pd.Series(y[:n], dtype=object)})
    frame = frame.infer_objects()
    before = frame.copy()
    with contextlib.suppress(cb.CausalBayesError):
        encode_data(_SCMS[kind], frame, missing=missing)
    pd.testing.assert_frame_equal(frame, before)  # never mutated
