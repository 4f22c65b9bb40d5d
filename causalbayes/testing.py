"""Testing helpers: fits without MCMC, and log-density equality with a model written by hand.

Queries are exact functions of posterior draws, so they can be checked (and
their docstring examples run) on a :class:`~causalbayes.Fit` whose draws are
given or drawn from the prior: :func:`fake_fit`, :func:`example_fit`; studies
run without MCMC with ``fitter=``:func:`prior_fitter`.  Compiled models are
checked against hand-written PyMC models at random points:
:func:`assert_same_logp`, :func:`assert_standardized_matches`.

Examples
--------
>>> import causalbayes as cb
>>> fit = cb.testing.example_fit()  # story 1, draws near the truth, no MCMC
>>> round(cb.ate(fit, "dilution", "coating").mean(), 2)
-0.42
"""

from __future__ import annotations

from collections.abc import Mapping

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm

from causalbayes.compile import build_model
from causalbayes.data.encode import encode_data
from causalbayes.data.scales import scales_from_data
from causalbayes.examples import COATING_TRUTH, coating_scm
from causalbayes.inference.diagnostics import Diagnostics
from causalbayes.inference.fit import Fit
from causalbayes.inference.sampling import conditioned_model
from causalbayes.recovery.simulate import simulate
from causalbayes.scm.naming import contrasts_dim, groups_dim, levels_dim
from causalbayes.scm.scm import SCM


def fake_fit(
    scm: SCM,
    data: pd.DataFrame,
    posterior: Mapping[str, np.ndarray] | None = None,
    dims: Mapping[str, list[str]] | None = None,
    *,
    draws: int = 100,
    random_seed: int | None = None,
    missing: str = "raise",
) -> Fit:
    """A :class:`Fit` of ``scm`` on ``data`` whose draws are ``posterior`` (no MCMC).

    ``posterior`` maps parameter names to arrays shaped ``(chain, draw, ...)``
    (``dims`` names their extra dims); without it, one chain of ``draws`` prior
    draws of every parameter (scaled to ``data`` as a fit would).  Its
    diagnostics say nothing is wrong: the draws are exact, not a Markov chain.

    Examples
    --------
    >>> import numpy as np, causalbayes as cb
    >>> scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"])})
    >>> df = cb.simulate(scm, 20, random_seed=0)
    >>> post = {"x.intercept": np.zeros((1, 5)), "x.sigma": np.ones((1, 5)),
    ...         "y.intercept": np.zeros((1, 5)), "y.x": np.full((1, 5), 2.0),
    ...         "y.sigma": np.ones((1, 5))}
    >>> round(cb.ate(fake_fit(scm, df, post), "x", "y", values=(-1.0, -2.0)).mean(), 12)
    2.0
    """
    encoded = encode_data(scm, data, missing=missing)
    scales = scales_from_data(encoded.scm, encoded)
    if posterior is None:
        idata = _prior_draws(encoded, scales, draws, random_seed)
    else:
        idata = az.from_dict(
            posterior=dict(posterior), dims=dict(dims or {}), coords=_coords(encoded.scm)
        )
    chains, n_draws = idata.posterior.sizes["chain"], idata.posterior.sizes["draw"]
    return Fit(
        scm=encoded.scm,
        data=data.copy(),
        idata=idata,
        scales=scales,
        diagnostics=Diagnostics(0, 1.0, float("inf"), chains, n_draws),
        missing=missing,
    )


def example_fit() -> Fit:
    """Story 1 (paint coating), 200 simulated units, draws close to the true values (no MCMC).

    Examples
    --------
    >>> import causalbayes as cb
    >>> round(cb.ate(example_fit(), "dilution", "coating").mean(), 2)
    -0.42
    """
    scm = coating_scm()
    data = simulate(scm, 200, params=COATING_TRUTH, random_seed=1)
    rng = np.random.default_rng(2)
    posterior = {
        name: value + 0.01 * rng.normal(size=(2, 100)) for name, value in COATING_TRUTH.items()
    }
    return fake_fit(scm, data, posterior)


def prior_fitter(scm: SCM, data: pd.DataFrame, random_seed: int | None = None) -> Fit:
    """A ``fitter=`` for :func:`~causalbayes.recover` and :func:`~causalbayes.sbc` without MCMC.

    Its "posterior" is 100 prior draws that ignore the data: a study runs in
    seconds and shows what a pipeline that learns nothing looks like
    (calibrated, contraction near 0).  A module-level function, so worker
    processes can use it.

    Examples
    --------
    >>> import causalbayes as cb
    >>> scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"])})
    >>> fit = prior_fitter(scm, cb.simulate(scm, 20, random_seed=0), random_seed=1)
    >>> dict(fit.posterior["y.x"].sizes)
    {'chain': 1, 'draw': 100}
    """
    return fake_fit(scm, data, draws=100, random_seed=random_seed)


def assert_same_logp(ours: pm.Model, theirs: pm.Model, seed: int = 0, points: int = 5) -> None:
    """Same value variables and equal log densities at random points (exact tests).

    Examples
    --------
    >>> import pymc as pm
    >>> with pm.Model() as a:
    ...     _ = pm.Normal("x", 0, 1)
    >>> with pm.Model() as b:
    ...     _ = pm.Normal("x", 0.0, 1.0)
    >>> assert_same_logp(a, b)
    """
    rng = np.random.default_rng(seed)
    assert sorted(v.name for v in ours.value_vars) == sorted(v.name for v in theirs.value_vars)
    logp_ours, logp_theirs = ours.compile_logp(), theirs.compile_logp()
    template = ours.initial_point()
    for _ in range(points):
        point = {k: rng.normal(size=np.shape(v)) * 0.5 for k, v in template.items()}
        np.testing.assert_allclose(logp_ours(point), logp_theirs(point), rtol=1e-10)


def assert_standardized_matches(scm: SCM, data: pd.DataFrame, seed: int = 0, **options) -> None:
    """The model a fit samples (standardized) has the posterior of the user's parameterisation.

    At random standardized points, map the free variables to the user's
    parameters (the model's deterministics) and evaluate the unstandardized
    model there: the log densities differ by one constant (the Jacobian of a
    linear map), whatever the point.

    Examples
    --------
    >>> import causalbayes as cb
    >>> scm = cb.examples.coating_scm()
    >>> assert_standardized_matches(scm, cb.simulate(scm, 50, random_seed=0))
    """
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
    differences, lp = [], 0.0
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
    assert np.ptp(differences) <= 1e-9 * max(1.0, abs(lp)), differences


def random_posterior(scm: SCM, rng: np.random.Generator, chains: int, draws: int) -> dict:
    """Standard-normal draws of every scalar parameter with a prior (positive for sigmas).

    Examples
    --------
    >>> import numpy as np, causalbayes as cb
    >>> post = random_posterior(cb.examples.coating_scm(), np.random.default_rng(0), 2, 10)
    >>> post["coating.dilution"].shape
    (2, 10)
    """
    post = {}
    for p in scm.parameters():
        if p.kind == "prior":
            post[p.name] = rng.normal(size=(chains, draws))
            if p.local == "sigma":
                post[p.name] = np.abs(post[p.name]) + 0.1
    return post


def _prior_draws(encoded, scales, draws: int, random_seed) -> az.InferenceData:
    model = build_model(
        encoded.scm, n=encoded.n, scales=scales, exog=encoded.exog, groups=encoded.groups
    )
    names = [
        p.name
        for p in encoded.scm.parameters()
        if p.kind != "auxiliary" and p.name in model.named_vars
    ]
    values = pm.draw([model[n] for n in names], draws=draws, random_seed=random_seed)
    posterior = {n: np.asarray(v)[None] for n, v in zip(names, values, strict=True)}
    dims = {n: list(model.named_vars_to_dims.get(n, ())) for n in names}
    return az.from_dict(posterior=posterior, dims=dims, coords=_coords(encoded.scm))


def _coords(scm: SCM) -> dict[str, list]:
    coords: dict[str, list] = {}
    for name, node in scm.nodes.items():
        if node.levels is not None:
            coords[levels_dim(name)] = list(node.levels)
            coords[contrasts_dim(name)] = list(node.levels[1:])
        for key, levels in node.group_levels:
            coords[groups_dim(key)] = list(levels)
    return coords


__all__ = [
    "assert_same_logp",
    "assert_standardized_matches",
    "example_fit",
    "fake_fit",
    "prior_fitter",
    "random_posterior",
]
