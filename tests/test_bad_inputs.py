"""Bad input gets a typed error that names the problem and the fix; never a crash from deep inside.

Hand-written cases (the kinds users hit: reserved names, wrong types, odd columns, query
arguments out of range) and generated ones (hypothesis, derandomized): whatever is thrown at
the public boundary either works or raises a :class:`causalbayes.CausalBayesError`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import causalbayes as cb
from causalbayes.data.encode import encode_data
from causalbayes.testing import example_fit

_example_fit = functools.cache(example_fit)  # one fit for every generated example


@pytest.fixture(scope="module")
def fit():
    return _example_fit()


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


# -- generated query arguments -------------------------------------------------------------------
_ARGUMENTS = st.one_of(
    st.none(), st.integers(-2, 3), st.floats(allow_nan=True), st.text(max_size=3),
    st.lists(st.one_of(st.integers(-1, 2), st.floats(-1, 2), st.text(max_size=1)), max_size=3),
    st.sampled_from(["model", "bootstrap", "raise", True, False]),
)  # fmt: skip
_QUERIES = {
    "ate": lambda f, o: cb.ate(f, "dilution", "coating", **o),
    "cate": lambda f, o: cb.cate(f, "dilution", "coating", **{"by": "humid", **o}),
    "dose_response": lambda f, o: cb.dose_response(f, "humid", "coating", **{"grid": [0.0], **o}),
    "shift_effect": lambda f, o: cb.shift_effect(f, "humid", "coating", **{"delta": 1.0, **o}),
}
_QUERY_OPTIONS = st.dictionaries(
    st.sampled_from(["values", "population", "n", "bins", "grid", "delta", "diagnostics"]),
    _ARGUMENTS,
    max_size=2,
)


@settings(
    max_examples=60, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(query=st.sampled_from(sorted(_QUERIES)), options=_QUERY_OPTIONS)
def test_generated_query_arguments_work_or_raise_typed_errors(query, options):
    try:
        effect = _QUERIES[query](_example_fit(), options)
    except TypeError as error:  # an option the query does not take is Python's own TypeError
        assert isinstance(error, cb.CausalBayesError) or "unexpected keyword" in str(error)
    except cb.CausalBayesError:
        pass
    else:
        assert np.isfinite(effect.draws.values).all()


# -- generated edits of a saved fit ----------------------------------------------------------------
@pytest.fixture(scope="module")
def saved_fit(tmp_path_factory):
    return cb.save(_example_fit(), tmp_path_factory.mktemp("saved") / "fit")


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    yield path


_JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=True),
    st.text(max_size=4), st.lists(st.text(max_size=2), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)  # fmt: skip


@settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
# h5netcdf's half-opened File fails in its destructor after a damaged file was refused
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_any_change_to_a_saved_fit_is_refused(saved_fit, tmp_path_factory, data):
    """Edited fields, truncated or flipped bytes in any file: a FileFormatError, never a load."""
    folder = tmp_path_factory.mktemp("edited") / "fit"
    shutil.copytree(saved_fit, folder)
    name = data.draw(st.sampled_from(sorted(p.name for p in folder.iterdir())))
    path = folder / name
    raw = path.read_bytes()
    how = data.draw(
        st.sampled_from(["truncate", "flip"] + (["edit"] if name == "fit.json" else []))
    )
    if how == "truncate":
        changed = raw[: data.draw(st.integers(0, len(raw) - 1))]
    elif how == "flip":
        at = data.draw(st.integers(0, len(raw) - 1))
        changed = raw[:at] + bytes([raw[at] ^ data.draw(st.integers(1, 255))]) + raw[at + 1 :]
    else:
        meta = json.loads(raw)
        where = data.draw(st.sampled_from([p for p in _leaves(meta) if p]))
        parent = meta
        for key in where[:-1]:
            parent = parent[key]
        parent[where[-1]] = data.draw(_JSON_VALUES)
        changed = json.dumps(meta).encode()
    path.write_bytes(changed)
    if name == "fit.json" and _same_json(changed, raw):  # e.g. a trailing newline cut: same fit
        assert cb.load(folder).scm == _example_fit().scm
        return
    with pytest.raises(cb.FileFormatError):
        cb.load(folder)


def _same_json(a: bytes, b: bytes) -> bool:
    try:
        return json.loads(a) == json.loads(b)
    except ValueError:
        return False
