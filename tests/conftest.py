"""Shared helpers: build a Fit from hand-made posterior draws, without MCMC.

Sampling is not the point of most tests; exact tests feed known draws
through the same code path a real fit uses.
"""

from __future__ import annotations

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import pytest
from hypothesis import settings

from causalbayes.inference.diagnostics import Diagnostics
from causalbayes.inference.fit import Fit
from causalbayes.data.encode import encode_data
from causalbayes.data.scales import scales_from_data
from causalbayes.scm.scm import SCM

# Property tests draw the same examples on every run (seed everything): a failure in CI
# is then a failure on every machine, not a one-off draw.
settings.register_profile("causalbayes", derandomize=True)
settings.load_profile("causalbayes")


def fake_fit(
    scm: SCM,
    data: pd.DataFrame,
    posterior: dict[str, np.ndarray],
    dims: dict | None = None,
    missing: str = "raise",
) -> Fit:
    """A Fit whose posterior is ``posterior`` (arrays shaped (chain, draw, ...))."""
    encoded = encode_data(scm, data, missing=missing)
    coords = {}
    for name, node in encoded.scm.nodes.items():
        if node.family == "Categorical":
            coords[f"{name}_levels"] = list(node.levels)
            coords[f"{name}_contrasts"] = list(node.levels[1:])
        for key, levels in node.group_levels:
            coords[f"{key}_groups"] = list(levels)
    idata = az.from_dict(posterior=posterior, dims=dims or {}, coords=coords)
    chains, draws = next(iter(posterior.values())).shape[:2]
    diagnostics = Diagnostics(0, 1.0, float("inf"), chains, draws)  # exact draws: nothing to check
    return Fit(
        scm=encoded.scm,
        data=data.copy(),
        idata=idata,
        scales=scales_from_data(encoded.scm, encoded),
        diagnostics=diagnostics,
        missing=missing,
    )


def assert_same_logp(ours: pm.Model, theirs: pm.Model, seed: int = 0, points: int = 5) -> None:
    """Same value variables and equal log-densities at random points (exact tests)."""
    rng = np.random.default_rng(seed)
    assert sorted(v.name for v in ours.value_vars) == sorted(v.name for v in theirs.value_vars)
    logp_ours, logp_theirs = ours.compile_logp(), theirs.compile_logp()
    template = ours.initial_point()
    for _ in range(points):
        point = {k: rng.normal(size=np.shape(v)) * 0.5 for k, v in template.items()}
        np.testing.assert_allclose(logp_ours(point), logp_theirs(point), rtol=1e-10)


def assert_standardized_matches(scm: SCM, data: pd.DataFrame, seed: int = 0, **options) -> None:
    """The model ``fit`` samples (standardized) has the posterior of the user's parameterisation.

    At random standardized points, map the free variables to the user's
    parameters (the model's deterministics) and evaluate the unstandardized
    model there: the log densities differ by one constant (the Jacobian of a
    linear map), whatever the point.
    """
    from causalbayes.inference import conditioned_model

    std = conditioned_model(scm, data, **options)
    raw = conditioned_model(scm, data, standardize=False, **options)
    as_values = {v.name: v for v in std.unobserved_value_vars}
    names = [v.name for v in raw.free_RVs]
    to_raw = std.compile_fn(
        [as_values[n] for n in names], inputs=std.value_vars, on_unused_input="ignore"
    )
    logp_std, logp_raw = std.compile_logp(), raw.compile_logp()
    rng = np.random.default_rng(seed)
    template = std.initial_point()
    differences = []
    for _ in range(5):
        point = {k: rng.normal(size=np.shape(v)) * 0.5 for k, v in template.items()}
        raw_point = {}
        for rv, value in zip(raw.free_RVs, to_raw(point), strict=True):
            transform = raw.rvs_to_transforms[rv]
            if transform is not None:
                value = transform.forward(value, *rv.owner.inputs).eval()
            raw_point[raw.rvs_to_values[rv].name] = value
        lp = logp_std(point)
        differences.append(lp - logp_raw(raw_point))
    scale = 1e-9 * max(1.0, abs(lp))
    assert np.ptp(differences) <= scale, differences


def random_posterior(scm: SCM, rng: np.random.Generator, chains: int, draws: int) -> dict:
    """Standard-normal draws for every scalar parameter with a prior (positive for sigmas)."""
    post = {}
    for p in scm.parameters():
        if p.kind == "prior":
            post[p.name] = rng.normal(size=(chains, draws))
            if p.local == "sigma":
                post[p.name] = np.abs(post[p.name]) + 0.1
    return post


@pytest.fixture(name="fake_fit")
def fake_fit_fixture():
    return fake_fit


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261122)
