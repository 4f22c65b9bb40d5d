"""Declaring SCMs: nodes, priors, names, validation, serialisation, graphs + data."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import causalbayes as cb
from causalbayes.data.default_priors import resolved_priors
from causalbayes.data.scales import unit_scales


def test_story1_parameter_names_are_readable_and_stable():
    scm = cb.examples.coating_scm()
    assert [p.name for p in scm.parameters()] == [
        "humid.intercept",
        "humid.sigma",
        "dilution.intercept",
        "dilution.humid",
        "coating.intercept",
        "coating.dilution",
        "coating.humid",
        "coating.sigma",
    ]


def test_categorical_and_interaction_parameters_have_named_dims():
    scm = cb.SCM(
        {
            "region": cb.Categorical(levels=["n", "s", "w"]),
            "dose": cb.Normal(),
            "y": cb.Normal(["dose", "region"], interactions=["dose:region"]),
            "grade": cb.Categorical(["dose"], levels=["lo", "mid", "hi"]),
        }
    )
    dims = {p.name: p.dims for p in scm.parameters()}
    assert dims["y.region"] == ("region_contrasts",)
    assert dims["y.dose:region"] == ("region_contrasts",)
    assert dims["grade.intercept"] == ("grade_contrasts",)
    assert dims["grade.dose"] == ("grade_contrasts",)
    assert dims["region.intercept"] == ("region_contrasts",)


def test_cell_means_give_one_coefficient_per_level():
    scm = cb.examples.ab_test_scm()
    (param,) = scm.parameters("purchase")
    assert param.name == "purchase.page" and param.dims == ("page_levels",)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: cb.Normal(link="logit"), "does not support link"),
        (lambda: cb.Normal(["a", "a"]), "listed twice"),
        (lambda: cb.Normal(["a"], interactions=[("a", "b")]), "not parents"),
        (
            lambda: cb.Normal(["a"], priors={"b": cb.Prior("Normal", mu=0, sigma=1)}),
            "unknown parameter 'b'",
        ),
        (
            lambda: cb.Normal(priors={"sigma": cb.Prior("Normal", mu=0, sigma=1)}),
            "must be positive",
        ),
        (lambda: cb.Binomial(trials=0), "trials"),
        (lambda: cb.Categorical(levels=["a"]), "at least two"),
        (lambda: cb.Prior("Normal", mu=0), "takes parameters"),
        (lambda: cb.Prior("Normal", mu=0, sigma=-1), "must be > 0"),
        (lambda: cb.Prior("Wishart", nu=1), "unknown prior distribution"),
        (lambda: cb.Node("Weibull"), "unknown family"),
    ],
)
def test_invalid_nodes_raise_spec_error(make, message):
    with pytest.raises(cb.SpecError, match=message):
        make()


def test_graph_errors_name_the_problem():
    with pytest.raises(cb.GraphError, match=r"a -> b -> a|b -> a -> b"):
        cb.SCM({"a": cb.Normal(["b"]), "b": cb.Normal(["a"])})
    with pytest.raises(cb.GraphError, match="unknown parent.*'humidity'"):
        cb.SCM({"humid": cb.Normal(), "y": cb.Normal(["humidity"])})
    with pytest.raises(cb.GraphError, match=r"\['x'\] declared more than once"):
        cb.SCM([("x", cb.Normal()), ("x", cb.Normal())])
    assert issubclass(cb.GraphError, ValueError) and issubclass(cb.GraphError, cb.CausalBayesError)


def test_spec_round_trips_through_json():
    scm = cb.SCM(
        {
            "page": cb.Categorical(levels=["A", "B"]),
            "u": cb.Normal(latent=True),
            "x": cb.Normal(["u"], priors={"sigma": cb.Prior("HalfNormal", sigma=2)}),
            "buys": cb.Binomial(
                ["page", "x"], trials="visits", interactions=[("page", "x")], link="probit"
            ),
            "y": cb.Poisson(["x"], intercept=False, priors={"x": 0.5}),
        }
    )
    again = cb.SCM.from_json(scm.to_json())
    assert again == scm
    assert again["y"].prior_for("x") == cb.Prior("Fixed", value=0.5)
    with pytest.raises(cb.SpecError, match="version"):
        cb.SCM.from_dict({**scm.to_dict(), "version": 99})


def test_from_graph_chooses_families_from_column_types():
    df = pd.DataFrame(
        {
            "humid": [0.1, -0.3, 1.2],
            "dilution": [0, 1, 1],
            "coating": [0.5, 0.2, 0.1],
            "defects": [3, 0, 7],
            "line": ["a", "b", "a"],
        }
    )
    text = "humid -> dilution -> coating; humid -> coating; line -> defects; coating -> defects"
    for graph in (
        text,
        nx.DiGraph(cb.DAG.from_edge_string(text).edges),
        "digraph { " + text + " }",
    ):
        scm = cb.SCM.from_graph(graph, df)
        fams = {n: scm[n].family for n in scm.nodes}
        assert fams == {
            "humid": "Given",  # roots are data, not modelled
            "dilution": "Bernoulli",
            "coating": "Normal",
            "defects": "NegativeBinomial",
            "line": "Given",
        }
        assert set(scm["coating"].parents) == {"dilution", "humid"}
    scm = cb.SCM.from_graph(
        "u -> x; u -> y; x -> y", df.rename(columns={"humid": "x", "coating": "y"}), latent=["u"]
    )
    assert scm.latent == ("u",)
    with pytest.raises(cb.DataError, match="no data column"):
        cb.SCM.from_graph("a -> b", df)


def test_default_priors_at_unit_scale():
    priors = resolved_priors(cb.examples.coating_scm(), unit_scales())
    assert priors["coating.dilution"] == cb.Prior("Normal", mu=0, sigma=2.5)
    assert priors["coating.sigma"] == cb.Prior("Exponential", lam=1.0)
    assert priors["dilution.intercept"] == cb.Prior("Normal", mu=0, sigma=2.5)


def test_graph_renders_with_latent_nodes_dashed():
    scm = cb.SCM({"u": cb.Normal(latent=True), "y": cb.Normal(["u"])})
    source = scm.graph().source
    assert "dashed" in source
    assert b"<svg" in scm.graph().pipe(format="svg")


def test_nothing_imports_pymc_when_declaring():
    import subprocess
    import sys

    code = "import sys, causalbayes as cb; cb.examples.coating_scm().to_json(); print('pymc' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_arrays_in_priors_are_refused_cleanly():
    with pytest.raises(cb.SpecError, match="not a number"):
        cb.Prior("Normal", mu=np.zeros(2), sigma=1)


def test_nested_grouping_merges_with_its_outer_level():
    node = cb.Normal(["f"], groups={"region": ["f"], "region/field": []})
    assert node.groups == (("region", ("f",)), ("region:field", ()))
    assert [t.name for t in node.terms if "|" in t.name] == [
        "1|region",
        "f|region",
        "1|region:field",
    ]
    with pytest.raises(cb.SpecError, match="declared twice"):
        cb.Normal(["f"], groups=[("region", ["f"]), ("region", [])])
