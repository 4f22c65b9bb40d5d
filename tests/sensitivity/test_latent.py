"""The latent-confounder path: the SCM it builds, the strength scales, refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import causalbayes as cb
from causalbayes.errors import QueryError
from causalbayes.sensitivity.latent import _coefficient, with_latent_confounder

SCM = cb.SCM({"x": cb.Given(), "t": cb.Bernoulli(["x"]), "y": cb.Normal(["t", "x"])})


def test_latent_node_is_a_fixed_strength_common_cause():
    new = with_latent_confounder(SCM, "t", "y", coefficients=(0.5, -0.3))
    assert new.nodes["U"].latent
    assert dict(new.nodes["t"].priors)["U"] == cb.Prior("Fixed", value=0.5)
    assert dict(new.nodes["y"].priors)["U"] == cb.Prior("Fixed", value=-0.3)
    assert not cb.identify(new, "t", "y").identified  # U is a latent confounder
    data = pd.DataFrame({"x": [0.1, 0.2, 0.3], "t": [0, 1, 1], "y": [0.5, 1.0, 2.0]})
    model = cb.conditioned_model(new, data)
    assert "U" in [v.name for v in model.free_RVs]
    assert "t.U" not in [v.name for v in model.free_RVs]  # fixed, not sampled


def test_strength_scales(fake_fit):
    data = pd.DataFrame({"x": [0.1, 0.2, 0.3, 0.4], "t": [0, 1, 1, 0], "y": [0.5, 1.0, 2.0, 0]})
    post = {"y.sigma": np.full((1, 4), 2.0), "t.x": np.zeros((1, 4))}
    fit = fake_fit(SCM, data, post)
    assert _coefficient(fit, "t", 2.0) == pytest.approx(np.log(2.0))  # odds ratio per sd of U
    assert _coefficient(fit, "y", 0.25) == pytest.approx(0.5 * 2.0)  # partial R2 -> sqrt(r2) sigma
    with pytest.raises(QueryError, match="odds ratio"):
        _coefficient(fit, "t", -1.0)
    with pytest.raises(QueryError, match="partial R2"):
        _coefficient(fit, "y", 1.0)


def test_refusals():
    with pytest.raises(QueryError, match="already a node"):
        with_latent_confounder(SCM, "t", "y", coefficients=(1, 1), name="x")
    given = cb.SCM({"x": cb.Given(), "t": cb.Given(), "y": cb.Normal(["t", "x"])})
    with pytest.raises(QueryError, match="declare its mechanism"):
        with_latent_confounder(given, "t", "y", coefficients=(1, 1))
