"""Numbers read from the data are shared inputs of the compiled model, not code.

Two data sets of one SCM must compile to the same code (so the compile cache
serves the second), and lifting must not change a single value.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pymc as pm
import pytensor
import pytest

import causalbayes as cb
import causalbayes.compile.model as model_module
from causalbayes.compile.constants import PREFIX
from causalbayes.compile.model import build_model
from causalbayes.data.encode import encode_data
from causalbayes.data.scales import scales_from_data

# the tests share compiled functions
pytestmark = pytest.mark.xdist_group("lifted-constants")

SCM = cb.SCM(
    {
        "region": cb.Categorical(levels=["north", "south", "west"]),
        "income": cb.LogNormal(["region"]),
        "treated": cb.Bernoulli(["income"]),
        "spend": cb.Normal(
            ["treated", "income", "region"],
            terms=[*cb.Poly("income", 2)],
            interactions=[("treated", "region")],
        ),
    }
)


def _raw_data(seed: int, n: int = 400) -> pd.DataFrame:
    """Raw units: dollars (skewed), a string category."""
    rng = np.random.default_rng(seed)
    region = rng.choice(["north", "south", "west"], n, p=[0.5, 0.3, 0.2])
    income = np.exp(rng.normal(10.5, 0.6, n))
    treated = (rng.random(n) < 1 / (1 + np.exp(-(income - 40_000) / 20_000))).astype(int)
    spend = 200 + 150 * treated + 0.004 * income + rng.normal(0, 80, n)
    return pd.DataFrame({"region": region, "income": income, "treated": treated, "spend": spend})


@functools.cache
def _conditioned(seed: int, *, rotate: bool = True) -> pm.Model:
    encoded = encode_data(SCM, _raw_data(seed))
    scales = scales_from_data(encoded.scm, encoded, rotate=rotate)
    model = build_model(encoded.scm, n=encoded.n, scales=scales)
    return pm.observe(model, {k: encoded.values[k] for k in SCM.observed})


@functools.cache
def _logp_and_gradient(model: pm.Model):
    logp = model.logp()
    return model.compile_fn(
        [logp, *pytensor.grad(logp, model.value_vars)], inputs=model.value_vars, point_fn=False
    )


def _code(fn) -> list:
    """The compiled function's operations: kernels with their inlined constants, not data."""
    return [node.op for node in fn.maker.fgraph.toposort()]


def test_two_data_sets_compile_to_the_same_code():
    first, second = (_logp_and_gradient(_conditioned(seed, rotate=False)) for seed in (1, 2))
    assert _code(first) == _code(second)
    lifted = [v for v in first.maker.fgraph.inputs if (v.name or "").startswith(PREFIX)]
    assert len(lifted) > 10  # default priors and standardization factors, at least


def test_only_a_rotated_blocks_log_determinant_differs():
    # rotated blocks keep their Cholesky factor constant (see lift_constants): PyTensor folds
    # its log determinant into one number, the only difference in the code
    first, second = (_code(_logp_and_gradient(_conditioned(seed))) for seed in (1, 2))
    differing = [(a, b) for a, b in zip(first, second, strict=True) if a != b]
    assert len(differing) == 1, differing


@pytest.mark.parametrize("rotate", [True, False])
def test_lifting_changes_no_value(rotate, monkeypatch):
    rng = np.random.default_rng(7)
    lifted = _conditioned(1, rotate=rotate)
    monkeypatch.setattr(model_module, "lift_constants", lambda model: None)
    plain = _conditioned.__wrapped__(1, rotate=rotate)
    assert not any(
        (v.name or "").startswith(PREFIX) for v in pytensor.graph.graph_inputs([plain.logp()])
    )
    f_lifted, f_plain = _logp_and_gradient(lifted), _logp_and_gradient(plain)
    point = plain.initial_point()
    for _ in range(5):
        values = [point[v.name] + rng.normal(0, 0.3, point[v.name].shape) for v in plain.value_vars]
        for got, wanted in zip(f_lifted(*values), f_plain(*values), strict=True):
            np.testing.assert_allclose(got, wanted, rtol=1e-12, atol=1e-12)
