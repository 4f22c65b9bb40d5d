"""Exact posterior draws for conjugate models: no MCMC, the same ``Fit``.

A model is conjugate here when every modelled node (given nodes are data and
need nothing) is a *cell-rate* node: one parameter per level of one
categorical parent (``intercept=False``, cell means) or a single intercept,
on the identity link, with nothing else in its predictor (no other parents,
interactions, terms, groups, mechanism, measurement error; not latent) and

- Bernoulli or Binomial with a Beta prior on the rates: Beta posteriors;
- Poisson with a Gamma prior on the rates: Gamma posteriors;
- Normal with a fixed ``sigma`` (``priors={"sigma": known}``) and a Normal
  prior on the means: Normal posteriors.

Each cell's posterior follows from the cell's sufficient statistics (sums
and counts), and the draws are independent draws from it, seeded, shaped
``(chain, draw, levels)`` and named as the model names the parameters, so
every query reads them exactly as it reads MCMC draws.  Anything else is not
conjugate: :func:`why_not_conjugate` says which node and why, and
``sampler="auto"`` then runs NUTS.

Everything but :func:`sample`'s labelling (ArviZ) is numpy and scipy.special, so
``cb.ab_test`` draws the same posterior without importing PyMC or ArviZ
(:func:`exact_draws`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from causalbayes.data.default_priors import resolved_priors
from causalbayes.data.encode import EncodedData
from causalbayes.data.scales import Scales
from causalbayes.errors import SpecError
from causalbayes.experiments import _dist
from causalbayes.scm.naming import levels_dim, param_name
from causalbayes.scm.priors import Prior
from causalbayes.scm.scm import SCM
from causalbayes.scm.terms import Linear

if TYPE_CHECKING:
    import arviz as az

#: Family -> (the prior its rates need, the posterior family). Nothing else is conjugate here.
CONJUGATE = {
    "Bernoulli": ("Beta", "beta"),
    "Binomial": ("Beta", "beta"),
    "Poisson": ("Gamma", "gamma"),
    "Normal": ("Normal", "norm"),
}


@dataclass(frozen=True)
class Cells:
    """One conjugate node: its rate parameter, the categorical parent it is split by, its prior."""

    node: str
    param: str
    parent: str | None  # None: one cell (an intercept)
    prior: Prior
    sigma: float | None = None  # the known sd of a Normal node


@dataclass(frozen=True)
class CellPosterior:
    """The exact posterior of one node's cells, as a scipy.stats family with per-cell parameters.

    ``params`` holds arrays shaped ``(cells,)`` in scipy's names (``a``, ``b``
    for Beta; ``a``, ``scale`` for Gamma; ``loc``, ``scale`` for Normal).
    """

    param: str
    family: str
    params: dict
    dims: tuple[str, ...]
    levels: tuple[str, ...] | None

    @property
    def distribution(self):
        """The scipy.stats family (imported here: :attr:`light` computes the same values)."""
        from scipy import stats

        return getattr(stats, self.family)

    @property
    def light(self) -> _dist.Family:
        """The family as ``causalbayes.experiments._dist`` computes it (no scipy.stats import)."""
        return _dist.FAMILIES[self.family]

    def draws(self, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
        cells = len(next(iter(self.params.values())))
        values = self.light.rvs(**self.params, size=(*shape, cells), random_state=rng)
        return values if self.dims else values[..., 0]


def conjugate_cells(scm: SCM, scales: Scales) -> tuple[list[Cells], str | None]:
    """The conjugate nodes of ``scm``, or why the model is not conjugate (which node, what).

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.data.scales import unit_scales
    >>> scm = cb.SCM({"page": cb.Given(categorical=True),
    ...               "buy": cb.Bernoulli(["page"], link="identity", intercept=False)})
    >>> cells, reason = conjugate_cells(scm, unit_scales())
    >>> [(c.param, c.prior.dist) for c in cells], reason
    ([('buy.page', 'Beta')], None)
    >>> _, reason = conjugate_cells(cb.SCM({"x": cb.Normal()}), unit_scales())
    >>> reason
    "node 'x': sigma is estimated; conjugate Normal means need a known sd (priors={'sigma': <known sd>})"
    """
    priors = resolved_priors(scm, scales)
    cells = []
    for name in scm.order:
        node = scm.nodes[name]
        if node.is_given:
            continue
        reason, cell = _cells(scm, name, priors)
        if reason is not None:
            return [], f"node {name!r}: {reason}"
        cells.append(cell)
    if not cells:
        return [], "no node is modelled"
    return cells, None


def _cells(scm: SCM, name: str, priors: dict) -> tuple[str | None, Cells | None]:
    node = scm.nodes[name]
    if node.family not in CONJUGATE:
        return f"family {node.family} has no conjugate path (only {sorted(CONJUGATE)})", None
    if node.link != "identity":
        return f"link {node.link!r}; conjugate rates need link='identity'", None
    extras = {
        "latent": node.latent,
        "mechanism": node.mechanism is not None,
        "groups": bool(node.groups),
        "measurement_error": node.measurement_error is not None,
        "r2d2": node.r2d2 is not None,
    }
    used = sorted(k for k, v in extras.items() if v)
    if used:
        return f"{used} take it off the conjugate path", None
    terms = node.terms
    if node.intercept and not terms:
        parent, local = None, "intercept"
    elif (
        not node.intercept
        and len(terms) == 1
        and isinstance(terms[0], Linear)
        and scm.is_categorical(terms[0].parent)
    ):
        parent, local = terms[0].parent, terms[0].parent
    else:
        return (
            "its predictor is not one rate per level of one categorical parent "
            "(intercept=False, no other terms) or a single intercept",
            None,
        )
    prior = priors[param_name(name, local)]
    needed = CONJUGATE[node.family][0]
    if prior.dist != needed:
        return f"the prior of {param_name(name, local)!r} is {prior.dist}, not {needed}", None
    sigma = None
    if node.family == "Normal":
        sd = priors[param_name(name, "sigma")]
        if not sd.is_fixed:
            return (
                "sigma is estimated; conjugate Normal means need a known sd "
                "(priors={'sigma': <known sd>})",
                None,
            )
        sigma = sd.kwargs["value"]
    return None, Cells(name, param_name(name, local), parent, prior, sigma)


def why_not_conjugate(encoded: EncodedData, scales: Scales) -> str | None:
    """None when ``sampler="exact"`` applies to these data, otherwise the reason."""
    if encoded.missing:
        return f"missing values are imputed in {sorted(encoded.missing)}"
    return conjugate_cells(encoded.scm, scales)[1]


def cell_posteriors(encoded: EncodedData, scales: Scales) -> list[CellPosterior]:
    """The exact posterior of every conjugate node's cells, from its sufficient statistics.

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.data.encode import encode_data
    >>> from causalbayes.data.scales import scales_from_data
    >>> from causalbayes.examples import ab_test_data
    >>> scm = cb.SCM({"page": cb.Given(categorical=True),
    ...               "purchase": cb.Bernoulli(["page"], link="identity", intercept=False)})
    >>> enc = encode_data(scm, ab_test_data({"A": 120, "B": 150}, {"A": 1000, "B": 1000}))
    >>> (post,) = cell_posteriors(enc, scales_from_data(enc.scm, enc))
    >>> post.params["a"].tolist(), post.params["b"].tolist()
    ([121.0, 151.0], [881.0, 851.0])
    """
    reason = why_not_conjugate(encoded, scales)
    if reason is not None:
        raise SpecError(f"the model is not conjugate: {reason}")
    cells, _ = conjugate_cells(encoded.scm, scales)
    return [_posterior(encoded, c) for c in cells]


def _posterior(encoded: EncodedData, cells: Cells) -> CellPosterior:
    scm = encoded.scm
    node = scm.nodes[cells.node]
    y = np.asarray(encoded.values[cells.node], dtype=float)
    if cells.parent is None:
        codes, levels, dims = np.zeros(len(y), dtype=np.int64), None, ()
    else:
        codes = np.asarray(encoded.values[cells.parent], dtype=np.int64)
        levels = scm.nodes[cells.parent].levels
        dims = (levels_dim(cells.parent),)
    k = 1 if levels is None else len(levels)
    total = np.bincount(codes, weights=y, minlength=k)
    count = np.bincount(codes, minlength=k).astype(float)
    prior = cells.prior.kwargs
    if node.family in ("Bernoulli", "Binomial"):
        trials = np.ones_like(y) if node.family == "Bernoulli" else _trials(encoded, node, y)
        n = np.bincount(codes, weights=trials, minlength=k)
        family, params = "beta", {"a": prior["alpha"] + total, "b": prior["beta"] + n - total}
    elif node.family == "Poisson":
        rate = prior["beta"] + count
        family, params = "gamma", {"a": prior["alpha"] + total, "scale": 1.0 / rate}
    else:  # Normal with a known sd
        precision = 1.0 / prior["sigma"] ** 2 + count / cells.sigma**2
        mean = (prior["mu"] / prior["sigma"] ** 2 + total / cells.sigma**2) / precision
        family, params = "norm", {"loc": mean, "scale": 1.0 / np.sqrt(precision)}
    return CellPosterior(cells.param, family, params, dims, levels)


def _trials(encoded: EncodedData, node, y: np.ndarray) -> np.ndarray:
    if isinstance(node.trials, str):
        return np.asarray(encoded.exog[node.trials], dtype=float)
    return np.full_like(y, float(node.trials))


@dataclass(frozen=True)
class ExactDraws:
    """Independent posterior draws of every conjugate parameter, labelled as a model labels them.

    ``posterior`` maps each parameter to an array ``(chains, draws, *cells)``; ``dims``
    names the cell dimension and ``coords`` its levels.
    """

    posterior: dict[str, np.ndarray]
    dims: dict[str, list[str]]
    coords: dict[str, list]

    def inference_data(self) -> az.InferenceData:
        """The draws as a sampler's ``InferenceData`` (``inference_library = "causalbayes.exact"``)."""
        import arviz as az  # only here: the draws themselves need numpy only

        idata = az.from_dict(posterior=self.posterior, dims=self.dims, coords=self.coords)
        idata.posterior.attrs["inference_library"] = "causalbayes.exact"
        return idata


def exact_draws(
    encoded: EncodedData, scales: Scales, *, draws: int, chains: int, random_seed=None
) -> ExactDraws:
    """Independent exact posterior draws of every parameter, ``chains`` x ``draws``, seeded.

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.data.encode import encode_data
    >>> from causalbayes.data.scales import scales_from_data
    >>> scm = cb.SCM({"page": cb.Given(categorical=True),
    ...               "buy": cb.Bernoulli(["page"], link="identity", intercept=False)})
    >>> enc = encode_data(scm, cb.examples.ab_test_data({"A": 1, "B": 2}, {"A": 10, "B": 10}
    ...                                                 ).rename(columns={"purchase": "buy"}))
    >>> out = exact_draws(enc, scales_from_data(enc.scm, enc), draws=5, chains=2, random_seed=1)
    >>> out.posterior["buy.page"].shape, out.dims, out.coords
    ((2, 5, 2), {'buy.page': ['page_levels']}, {'page_levels': ['A', 'B']})
    """
    rng = np.random.default_rng(random_seed)
    posterior, dims, coords = {}, {}, {}
    for post in cell_posteriors(encoded, scales):
        posterior[post.param] = post.draws((chains, draws), rng)
        dims[post.param] = list(post.dims)
        if post.dims:
            coords[post.dims[0]] = list(post.levels)
    return ExactDraws(posterior, dims, coords)


def sample(
    encoded: EncodedData,
    scales: Scales,
    *,
    draws: int,
    chains: int,
    random_seed=None,
    **ignored,
) -> az.InferenceData:
    """Independent exact posterior draws of every parameter, ``chains`` x ``draws``, seeded.

    ``ignored`` takes NUTS's settings (``tune``, ``target_accept``, ...), which do
    not apply.  The posterior group is labelled like a sampler's, with
    ``inference_library = "causalbayes.exact"``.
    """
    out = exact_draws(encoded, scales, draws=draws, chains=chains, random_seed=random_seed)
    return out.inference_data()


__all__ = [
    "CONJUGATE",
    "CellPosterior",
    "Cells",
    "ExactDraws",
    "cell_posteriors",
    "conjugate_cells",
    "exact_draws",
    "sample",
    "why_not_conjugate",
]
