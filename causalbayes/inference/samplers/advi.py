"""Approximate posterior by mean-field ADVI, minibatched on large data.

What it trades: speed (seconds on a million rows, where NUTS needs hours on
CPU) for exactness.  The approximation is a product of independent normals on
the unconstrained parameters, so posterior correlations are dropped and
posterior sds are typically too small; point estimates of simple effects are
usually close to NUTS (checked against NUTS in ``benchmarks/``).  Draws are
independent, from one "chain": R-hat does not apply (reported as NaN) and there
are no divergences; the convergence check is on the ELBO trace instead.
"""

from __future__ import annotations

import warnings
from typing import Any

import arviz as az
import numpy as np
import pymc as pm

from causalbayes.compile import build_model
from causalbayes.data.encode import EncodedData
from causalbayes.data.scales import Scales
from causalbayes.errors import DiagnosticsWarning, SpecError
from causalbayes.scm.naming import UNIT_DIM

#: Rows per minibatch; data with at most this many rows use every row each step.
BATCH_SIZE = 2000
ITERATIONS = 20_000


def minibatch_model(encoded: EncodedData, scales: Scales, batch_size: int) -> pm.Model:
    """The conditioned model with each step seeing ``batch_size`` random rows.

    The likelihood of the batch is scaled up by ``n / batch_size`` (an unbiased
    estimate of the full-data log density); the priors are not.
    """
    scm, n = encoded.scm, encoded.n
    if any(scm[v].latent for v in scm.nodes):
        raise SpecError(
            "minibatch ADVI needs every node observed (a latent node has one value per unit); "
            'fit with NUTS, or with method="advi" and batch_size=None (full data)'
        )
    if any(c not in scm.nodes for c in encoded.exog):
        raise SpecError(
            "minibatch ADVI does not handle Binomial trials columns yet; use batch_size=None"
        )
    names = list(scm.observed)  # given nodes too: each batch sees the same rows of every column
    batches = pm.Minibatch(*[encoded.values[v] for v in names], batch_size=batch_size)
    batches = dict(
        zip(names, batches if isinstance(batches, list | tuple) else [batches], strict=True)
    )
    given = {v: batches.pop(v) for v in scm.given}
    model = build_model(scm, n=batch_size, scales=scales, exog=given)
    observed = pm.observe(model, batches)
    with observed:
        likelihood = observed.logp(vars=observed.observed_RVs, sum=True)
        pm.Potential("minibatch_scale", (n / batch_size - 1.0) * likelihood)
    return observed


def sample(
    model: pm.Model,
    *,
    draws: int,
    random_seed: int | None,
    progressbar: bool,
    iterations: int = ITERATIONS,
    learning_rate: float = 0.01,
    **_: Any,
) -> az.InferenceData:
    """Fit ADVI to ``model`` and draw ``draws`` independent posterior draws (one chain).

    There is no ``sample_stats`` group (no per-draw statistics); the posterior's
    attributes record ``method``, ``iterations`` and ``final_loss`` (mean
    negative ELBO over the last 100 steps).
    """
    rng = np.random.default_rng(random_seed)
    fit_seed, draw_seed = (int(s) for s in rng.integers(2**31, size=2))
    with model:
        advi = pm.ADVI(random_seed=fit_seed)
        # a fast phase, then a slow one that lets the minibatch noise settle
        fast = int(iterations * 0.6)
        advi.fit(fast, obj_optimizer=pm.adam(learning_rate=learning_rate), progressbar=progressbar)
        approx = advi.fit(
            iterations - fast,
            obj_optimizer=pm.adam(learning_rate=learning_rate / 10),
            progressbar=progressbar,
        )
        trace = approx.sample(draws, random_seed=draw_seed, return_inferencedata=False)
    loss = np.asarray(approx.hist, dtype=float)
    check_elbo(loss[fast:])
    # the user's parameters are deterministics of the standardized free variables;
    # per-unit deterministics (nodes of a minibatch) are left out
    names = [v.name for v in model.free_RVs] + [
        v.name
        for v in model.deterministics
        if UNIT_DIM not in (model.named_vars_to_dims.get(v.name) or ())
    ]
    dims = {name: list(model.named_vars_to_dims.get(name, ())) for name in names}
    used = {d for ds in dims.values() for d in ds}
    coords = {d: list(model.coords[d]) for d in used}
    idata = az.from_dict(
        posterior={name: trace.get_values(name)[None] for name in names},
        dims=dims,
        coords=coords,
    )
    idata.posterior.attrs.update(
        method="advi", iterations=len(loss), final_loss=float(np.mean(loss[-100:]))
    )
    return idata


def check_elbo(loss: np.ndarray) -> bool:
    """Warn when the last tenth of the loss trace still trends; True when it looks converged.

    Compares the mean of the last 10% of iterations with the 10% before, in
    units of their spread (the minibatch loss is noisy).

    Examples
    --------
    >>> check_elbo(10 + np.random.default_rng(0).normal(size=1000))  # noise, no trend
    True
    """
    k = max(10, len(loss) // 10)
    if len(loss) < 2 * k:
        return True
    last, before = loss[-k:], loss[-2 * k : -k]
    spread = np.std(np.r_[last, before]) + 1e-12
    drift = abs(np.mean(last) - np.mean(before)) / spread
    if not np.isfinite(drift) or drift > 1.0:
        warnings.warn(
            "ADVI's loss is still changing over its last iterations: the approximation may "
            "not have converged; raise iterations= (or lower learning_rate=)",
            DiagnosticsWarning,
            stacklevel=3,
        )
        return False
    return True
