"""Property tests: random valid specs compile, simulate and have finite log-densities;
random invalid specs raise a causalbayes error, never a raw PyMC/PyTensor one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import causalbayes as cb
from causalbayes.inference import conditioned_model

# Nodes with children keep bounded values, so random coefficients cannot overflow a log link.
PARENT_FAMILIES = ["Normal", "Bernoulli", "Beta", "Categorical", "OrderedLogistic"]
LEAF_FAMILIES = PARENT_FAMILIES + [
    "StudentT",
    "LogNormal",
    "Gamma",
    "Poisson",
    "NegativeBinomial",
    "Binomial",
    "HurdleLogNormal",
    "HurdleGamma",
    "ZeroInflatedPoisson",
    "ZeroInflatedNegativeBinomial",
]
N_ROWS = 25
SMALL = cb.Prior("Normal", mu=0, sigma=0.3)


def _constructor(family: str):
    return getattr(cb, family)


@st.composite
def specs(draw) -> cb.SCM:
    n_nodes = draw(st.integers(2, 3))
    nodes: dict[str, cb.Node] = {}
    for i in range(n_nodes):
        name = f"v{i}"
        leaf = i == n_nodes - 1
        family = draw(st.sampled_from(LEAF_FAMILIES if leaf else PARENT_FAMILIES))
        earlier = list(nodes)
        parents = (
            draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2)) if earlier else []
        )
        numeric = [p for p in parents if not nodes[p].has_levels]
        options: dict = {}
        if family in {"Categorical", "OrderedLogistic"}:
            options["levels"] = ["a", "b", "c"][: draw(st.integers(2, 3))]
        if family == "Binomial":
            options["trials"] = 5
        terms, splined = [], []
        if numeric and draw(st.booleans()):
            p = draw(st.sampled_from(numeric))
            if draw(st.booleans()):
                terms.append(cb.Spline(p, df=3))
                splined.append(p)
            else:
                terms += cb.Poly(p, 2)
        if terms:
            options["terms"] = terms
        if draw(st.booleans()):
            options["groups"] = {"g": [p for p in numeric if p not in splined][:1]}
        if family == "Normal" and leaf and draw(st.booleans()):
            options["measurement_error"] = "se"
        # R2-D2 governs every parent's coefficient, so all parents must be numeric
        if (
            family == "Normal"
            and numeric == parents
            and parents
            and not terms
            and draw(st.booleans())
        ):
            options["r2d2"] = cb.R2D2()
        if len(parents) == 2 and not options.get("r2d2") and draw(st.booleans()):
            options["interactions"] = [tuple(parents)]
        # small coefficients keep simulated values in a sane range whatever the draw
        priors = {
            local: SMALL
            for local in ("intercept", *parents)
            if local in _locals(family, parents, options)
        }
        options["priors"] = {
            k: v for k, v in priors.items() if not options.get("r2d2") or k == "intercept"
        }
        nodes[name] = _constructor(family)(parents, **options)
    return cb.SCM(nodes)


def _locals(family, parents, options) -> tuple[str, ...]:
    probe = {k: v for k, v in options.items() if k != "priors"}
    return _constructor(family)(parents, **probe).local_parameters()


def _exog() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {"g": rng.choice(["p", "q", "r"], N_ROWS), "se": rng.uniform(0.1, 0.3, N_ROWS)}
    )


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scm=specs(), seed=st.integers(0, 2**16))
def test_random_valid_specs_compile_simulate_and_have_finite_log_density(scm, seed):
    df = cb.simulate(scm, N_ROWS, exog=_exog(), random_seed=seed)
    assert len(df) == N_ROWS and set(scm.nodes) <= set(df.columns)
    assert cb.SCM.from_json(scm.to_json()) == scm
    model = conditioned_model(scm, df)
    logp = model.compile_logp()(model.initial_point())
    assert np.isfinite(logp)


def _mutations(scm: cb.SCM):
    """Ways to break a valid spec, each a function that must raise a CausalBayesError."""
    last = scm.order[-1]
    node = scm[last]
    return [
        lambda: cb.SCM({**scm.nodes, last: cb.Normal([*node.parents, "ghost"])}),
        lambda: cb.SCM(  # a cycle
            {**scm.nodes, scm.order[0]: cb.Normal([last]), last: cb.Normal([scm.order[0]])}
        ),
        lambda: cb.Normal(["a"], interactions=[("a", "b")]),
        lambda: cb.Normal(["a"], link="softmax"),
        lambda: cb.Normal(["a"], terms=[cb.Spline("b")]),
        lambda: cb.SCM(
            {"c": cb.Categorical(levels=["x", "y"]), "y": cb.Normal(["c"], terms=[cb.Poly("c", 2)])}
        ),
        lambda: cb.SCM({"g": cb.Normal(), "y": cb.Normal(groups=["g"])}),
        lambda: cb.Normal(["a"], priors={"nope": 1.0}),
        lambda: cb.Normal(["a"], priors={"sigma": cb.Prior("Normal", mu=0, sigma=1)}),
        lambda: cb.Poisson(["a"], measurement_error="se"),
        lambda: cb.Bernoulli(["a"], r2d2=cb.R2D2()),
        lambda: cb.R2D2(r2_mean=1.5),
        lambda: cb.Spline("a", df=0),
        lambda: cb.Poly("a", 1),
        lambda: cb.Node("OrderedLogistic", parents=("a",)),
        lambda: cb.Normal(["a"], groups={"g/": []}),
        lambda: cb.ZeroInflatedPoisson(priors={"psi": cb.Prior("Normal", mu=0, sigma=1)}),
        lambda: cb.SCM(
            {"x": cb.Normal(), "y": cb.Normal(["x"], measurement_error="se"), "z": cb.Normal(["y"])}
        ),
        lambda: cb.Mechanism("not callable", params={}),
    ]


@settings(max_examples=25, deadline=None)
@given(scm=specs(), which=st.integers(0, 18))
def test_random_invalid_specs_raise_causalbayes_errors(scm, which):
    mutation = _mutations(scm)[which]
    with pytest.raises(cb.CausalBayesError):
        mutation()
