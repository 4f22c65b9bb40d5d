"""Exact posterior draws of a Normal linear mechanism: no MCMC, one block of a fit.

A node ``y ~ Normal(X b, sigma)`` on the identity link, whose coefficients ``b`` all have
Normal priors (the intercept's default prior, stated at the inputs' means, is Normal in
``b`` too) and whose ``sigma`` has any one-dimensional prior, has a posterior that needs
no Markov chain:

- given ``sigma``, ``b`` is Gaussian, with precision ``P + X'X / sigma^2`` (``P`` the
  prior precision);
- integrating ``b`` out leaves a one-dimensional density of ``log sigma``, evaluated on a
  grid that is refined until at least ``MIN_GRID_MASS`` points cover its mass, and drawn
  from by its inverse CDF.

With ``P = L L'`` and ``L^-1 X'X L^-T = V diag(lam) V'`` (both once per data set), every
grid point and every draw costs ``O(p)`` and ``O(p^2)``, whatever the rows.  The draws
are independent: nothing to tune, nothing to diagnose.  The only approximation is the
grid of ``sigma`` (thousands of points across its mass; a known sd needs none).

The prior is read from the block's own PyMC model (its parameters as free variables,
``standardize=False``): the gradient of the coefficients' log prior at 0 and at unit
vectors gives ``P`` and ``P m0`` exactly, and a check at a random point refuses the
path if the log prior is not that quadratic.  The design comes from
:class:`causalbayes.compile.sufficient.LinearSummariser` (the predictor at unit
coefficient vectors), so the rows' log-likelihood is the model's.  Tested against the
model's log density (``tests/inference/test_linear_exact.py``).
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Collection

import numpy as np

from causalbayes.data.default_priors import resolved_priors
from causalbayes.data.encode import EncodedData
from causalbayes.data.scales import Scales
from causalbayes.errors import CausalBayesWarning
from causalbayes.scm.naming import param_name
from causalbayes.scm.scm import SCM

#: Grid points with log density within this of the maximum are kept (exp(-40) ~ 4e-18).
LOG_DENSITY_RANGE = 40.0
#: The grid is refined until this many of its points carry the mass of log sigma.
MIN_GRID_MASS = 1000
GRID_POINTS = 4001
#: Residual sum of squares below this fraction of the outcome's own (about the square of
#: float64's rounding): the parents give the outcome exactly, and sigma's posterior sits at 0.
EXACT_FIT = 1e-24


def why_not_linear(
    scm: SCM, name: str, scales: Scales, imputed: Collection[str] = ()
) -> str | None:
    """None when the node's posterior can be drawn exactly here, otherwise why not."""
    node = scm.nodes[name]
    if node.family != "Normal" or node.link != "identity":
        return "not a Normal node on the identity link"
    extras = {
        "latent": node.latent,
        "given": node.is_given,
        "mechanism": node.mechanism is not None,
        "groups": bool(node.groups),
        "measurement_error": node.measurement_error is not None,
        "r2d2": node.r2d2 is not None,
        "imputed": name in imputed,
        "latent or imputed parents": any(scm.nodes[p].latent or p in imputed for p in node.parents),
    }
    used = sorted(k for k, v in extras.items() if v)
    if used:
        return f"{used} take it off the exact path"
    if not node.intercept and not node.terms:
        return "it has no coefficients"
    priors = resolved_priors(scm, scales)
    for p in scm.parameters(name):
        if p.kind != "prior":
            return f"parameter {p.name!r} is {p.kind}"
        prior = priors[p.name]
        if p.local == "sigma":
            continue
        if prior.is_fixed:
            return f"coefficient {p.name!r} is fixed"
        if prior.dist != "Normal":
            return f"the prior of {p.name!r} is {prior.dist}, not Normal"
    return None


class LinearPrior:
    """One node's prior, read once from its model: coefficients' ``P``, ``P m0``; sigma's log density."""

    def __init__(self, encoded: EncodedData, scales: Scales, name: str) -> None:
        import pytensor
        import pytensor.tensor as pt

        from causalbayes.compile import dim_lengths
        from causalbayes.compile.sufficient import LinearSummariser
        from causalbayes.inference.blocks import block_model

        scm = encoded.scm
        self.name = name
        raw = dataclasses.replace(scales, standardize=False)
        model = block_model(encoded, raw, (name,), sufficient=False).model
        self.summariser = LinearSummariser(scm, name, scales, dim_lengths(scm, encoded.n))
        self.names = [param_name(name, local) for local, _ in self.summariser.fixed]
        self.shapes = [shape for _, shape in self.summariser.fixed]
        self.dims = {v: list(model.named_vars_to_dims.get(v, ())) for v in self.names}
        self.sigma_name = param_name(name, "sigma")
        self.dims[self.sigma_name] = []  # unused when sigma is fixed
        self.coords = {d: list(model.coords[d]) for dims in self.dims.values() for d in dims}
        rvs = [model[v] for v in self.names]
        values = [model.rvs_to_values[rv] for rv in rvs]
        logp = model.logp(vars=rvs, jacobian=False)
        grads: list = [pytensor.grad(logp, v) for v in values]
        f = pytensor.function(values, [logp, *grads], mode="FAST_COMPILE")
        sizes = [math.prod(s) for s in self.shapes]
        self.width = sum(sizes)

        def at(flat: np.ndarray):
            parts = np.split(flat, np.cumsum(sizes)[:-1])
            out = f(*[x.reshape(s) for x, s in zip(parts, self.shapes, strict=True)])
            return float(out[0]), np.concatenate([np.ravel(g) for g in out[1:]])

        l0, h = at(np.zeros(self.width))
        eye = np.eye(self.width)
        precision = np.column_stack([h - at(eye[j])[1] for j in range(self.width)])
        self.precision = 0.5 * (precision + precision.T)
        self.h = h
        # the log prior is this quadratic exactly, or the path does not apply
        x = np.random.default_rng(0).normal(size=self.width) / np.sqrt(np.diag(self.precision))
        found = at(x)[0] - l0
        expected = h @ x - 0.5 * x @ self.precision @ x
        if not np.isclose(found, expected, rtol=1e-8, atol=1e-8):
            raise ValueError(f"the log prior of {name!r}'s coefficients is not Gaussian")
        prior = resolved_priors(scm, scales)[self.sigma_name]
        self.sigma_fixed = prior.kwargs["value"] if prior.is_fixed else None
        if self.sigma_fixed is None:
            grid = pt.vector("sigma", dtype="float64")
            self._sigma_logp = pytensor.function(
                [grid],
                pt.broadcast_to(_logp(model[self.sigma_name], grid), grid.shape),
                mode="FAST_COMPILE",
            )

    def sigma_logp(self, sigma: np.ndarray) -> np.ndarray:
        return np.asarray(self._sigma_logp(np.asarray(sigma, dtype="float64")))

    def posterior(self, encoded: EncodedData) -> LinearPosterior:
        """The posterior given ``encoded``'s rows of this node and its parents."""
        x = self.summariser.columns(encoded)
        if x is None:
            raise ValueError(f"{self.name!r}'s predictor is not linear in its coefficients")
        y = np.asarray(encoded.values[self.name], dtype="float64")
        return LinearPosterior(self, x, y)


def _logp(rv, value):
    import pymc as pm

    return pm.logp(rv, value)


class LinearPosterior:
    """The posterior of ``(b, sigma)`` for one data set (see the module's note)."""

    def __init__(self, prior: LinearPrior, x: np.ndarray, y: np.ndarray) -> None:
        self.prior = prior
        self.n, width = len(y), x.shape[1]
        # the triangular factor of [X y], columns scaled to unit norm: ||y - X b||^2 is
        # rr + ||R (b - b0)||^2 with nothing that cancels, whatever the columns' units
        norms = np.linalg.norm(x, axis=0)
        norms[norms == 0.0] = 1.0
        full = np.zeros((width + 1, width + 1))
        factor = np.asarray(np.linalg.qr(np.column_stack([x / norms, y]), mode="r"))
        full[: factor.shape[0]] = factor
        r, z = full[:width, :width], full[:width, width]
        c0 = np.linalg.lstsq(r, z, rcond=None)[0] if width else np.zeros(0)
        self.rr = float(full[width, width] ** 2 + np.sum((r @ c0 - z) ** 2))
        b0 = c0 / norms
        r = r * norms[None, :]
        gram = r.T @ r
        self.b0 = b0
        # scale to unit prior precisions first: the Cholesky and the eigenvalues then see
        # the correlations, not the columns' units
        self.scale = 1.0 / np.sqrt(np.diag(prior.precision))
        p_scaled = prior.precision * np.outer(self.scale, self.scale)
        self.chol = np.linalg.cholesky(p_scaled)
        g = self.scale * (prior.h - prior.precision @ b0)
        a = np.linalg.solve(
            self.chol, np.linalg.solve(self.chol, gram * np.outer(self.scale, self.scale)).T
        )
        self.lam, self.vecs = np.linalg.eigh(0.5 * (a + a.T))
        self.lam = np.clip(self.lam, 0.0, None)
        self.w = self.vecs.T @ np.linalg.solve(self.chol, g)
        self.log_sd0 = math.log(float(np.std(y)) or 1.0)
        self.exact_fit = self.rr <= EXACT_FIT * float(np.sum((y - np.mean(y)) ** 2))

    def log_density(self, t: np.ndarray) -> np.ndarray:
        """Unnormalised log density of ``t = log sigma`` (``b`` integrated out)."""
        t = np.asarray(t, dtype="float64")
        ratio = self.lam[None, :] * np.exp(-2.0 * t)[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            lp = self.prior.sigma_logp(np.exp(t))
        out = (
            lp
            + (1.0 - self.n) * t
            - 0.5 * self.rr * np.exp(-2.0 * t)
            + 0.5 * np.sum(self.w**2 / (1.0 + ratio), axis=1)
            - 0.5 * np.sum(np.log1p(ratio), axis=1)
        )
        return np.where(np.isnan(out), -np.inf, out)

    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        """Points of ``log sigma`` covering its mass, and their log densities."""
        lo, hi = self.log_sd0 - 30.0, self.log_sd0 + 30.0
        for _ in range(60):
            t = np.linspace(lo, hi, GRID_POINTS)
            ld = self.log_density(t)
            if not np.any(np.isfinite(ld)):
                raise ValueError(f"sigma of {self.prior.name!r} has no posterior mass on the grid")
            kept = np.flatnonzero(ld >= np.max(ld) - LOG_DENSITY_RANGE)
            step = t[1] - t[0]
            if kept[0] == 0:  # mass at the edge: widen that way
                lo -= 30.0
                continue
            if kept[-1] == len(t) - 1:
                hi += 30.0
                continue
            if len(kept) >= MIN_GRID_MASS:
                return t, ld
            lo, hi = t[kept[0]] - step, t[kept[-1]] + step
        raise ValueError(f"the posterior of sigma of {self.prior.name!r} could not be gridded")

    def draws(self, count: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """``count`` independent draws of every parameter, by name, flat over draws."""
        p = self.prior
        if p.sigma_fixed is not None:
            sigma = np.full(count, float(p.sigma_fixed))
        else:
            t, ld = self.grid()
            weight = np.exp(ld - np.max(ld))
            cell = 0.5 * (weight[1:] + weight[:-1])
            k = rng.choice(len(cell), size=count, p=cell / cell.sum())
            sigma = np.exp(t[k] + (t[1] - t[0]) * rng.uniform(size=count))
        shrink = 1.0 / (1.0 + self.lam[None, :] / sigma[:, None] ** 2)  # (draws, p)
        z = shrink * self.w[None, :] + np.sqrt(shrink) * rng.normal(size=shrink.shape)
        # d~ = L^-T V z, b = b0 + scale * d~
        d = np.linalg.solve(self.chol.T, self.vecs @ z.T).T
        b = self.b0[None, :] + self.scale[None, :] * d
        out, start = {}, 0
        for v, shape in zip(p.names, p.shapes, strict=True):
            size = math.prod(shape)
            out[v] = b[:, start : start + size].reshape((count, *shape))
            start += size
        if p.sigma_fixed is None:  # a fixed sd is a constant of the model, not a draw
            out[p.sigma_name] = sigma
        return out


def sample(prior: LinearPrior, encoded: EncodedData, *, draws: int, chains: int, random_seed=None):
    """``chains`` x ``draws`` independent posterior draws as a sampler's ``InferenceData``."""
    import arviz as az

    rng = np.random.default_rng(random_seed)
    exact = prior.posterior(encoded)
    if exact.exact_fit and prior.sigma_fixed is None:
        warnings.warn(
            f"{prior.name!r} is an exact linear function of its parents in these data "
            "(residuals 0 to rounding), so the posterior of its sigma sits at 0 and its "
            "effects have no uncertainty; check whether the column is derived from the "
            "others (a total, a difference, a copy)",
            CausalBayesWarning,  # about the data: shown whatever fit(warn=) says
            stacklevel=2,
        )
    flat = exact.draws(chains * draws, rng)
    posterior = {k: v.reshape((chains, draws, *v.shape[1:])) for k, v in flat.items()}
    idata = az.from_dict(posterior=posterior, dims=prior.dims, coords=prior.coords)
    idata.posterior.attrs["inference_library"] = "causalbayes.exact"
    return idata


def linear_prior(
    encoded: EncodedData, scales: Scales, nodes: Collection[str], sampler: str
) -> LinearPrior | None:
    """The exact path of a block, where ``sampler="auto"`` takes it: one node that
    :func:`why_not_linear` accepts and whose prior and predictor check out; else None."""
    if sampler != "auto" or len(nodes) != 1:
        return None
    (name,) = nodes
    if why_not_linear(encoded.scm, name, scales, set(encoded.missing)) is not None:
        return None
    try:
        prior = LinearPrior(encoded, scales, name)
        prior.posterior(encoded)  # the predictor is linear in the coefficients on these data
    except ValueError:  # not the quadratic or linear form it must be: NUTS samples it
        return None
    return prior


def exact_diagnostics(chains, draws):
    """Independent draws: no divergences, nothing to mix, every draw effective."""
    from causalbayes.inference.diagnostics import Diagnostics

    return Diagnostics(0, 1.0, float(chains * draws), chains, draws)


__all__ = [
    "LinearPosterior",
    "LinearPrior",
    "exact_diagnostics",
    "linear_prior",
    "sample",
    "why_not_linear",
]
