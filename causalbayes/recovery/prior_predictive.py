"""Prior predictive checks: what the priors alone say about every node.

Before fitting, draw all parameters and nodes jointly from the generative
model (no data conditioned on) and look at the values it produces: a prior
that puts sales in the millions, or half of its probability on negative
weights, shows up here.  Given data, the default priors are scaled to it (as
in a fit) and each node's observed mean is placed within the distribution of
simulated means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from causalbayes.compile import generative_model
from causalbayes.data.encode import encode_data
from causalbayes.errors import DataError, QueryError, SpecError
from causalbayes.recovery.simulate import needed_columns
from causalbayes.scm.scm import SCM

QUANTILES = (0.01, 0.05, 0.5, 0.95, 0.99)
# flag a node when P(simulated mean <= observed mean) is below this or above 1 - this
SURPRISE = 0.01


@dataclass(frozen=True)
class PriorPredictive:
    """Joint draws from the prior predictive distribution of an SCM.

    Attributes
    ----------
    draws : xarray.Dataset
        One variable per node, dims ``(draw, unit)`` (level codes ``0..K-1``
        for categorical and ordered nodes), and one per parameter, dims
        ``(draw, *parameter dims)``.
    scm : SCM
        The SCM drawn from (categorical and group levels resolved from the data).
    observed : mapping of str -> ndarray or None
        The observed values of each observed node (encoded as in ``draws``),
        when data was given.

    Examples
    --------
    >>> import causalbayes as cb
    >>> scm = cb.examples.coating_scm()
    >>> df = cb.simulate(scm, 50, params=cb.examples.COATING_TRUTH, random_seed=1)
    >>> pp = cb.prior_predictive(scm, df, draws=40, random_seed=2)
    >>> dict(pp.draws["coating"].sizes), sorted(pp.observed)
    ({'draw': 40, 'unit': 50}, ['coating', 'dilution', 'humid'])
    >>> pp.summary().columns.tolist()
    ['q1%', 'q5%', 'q50%', 'q95%', 'q99%', 'nonfinite', 'observed_mean', 'p_mean_le_observed', 'surprising']
    """

    draws: xr.Dataset
    scm: SCM
    observed: Mapping[str, np.ndarray] | None = None

    def summary(self) -> pd.DataFrame:
        """One row per node: prior-predictive quantiles and, given data, where the data fall.

        Columns: ``q1%, q5%, q50%, q95%, q99%`` (over all finite simulated
        values, all draws and units), ``nonfinite`` (share of NaN/inf values),
        ``observed_mean``, ``p_mean_le_observed`` (the share of draws whose
        mean over units is <= the observed mean) and ``surprising`` (that
        share is < 0.01 or > 0.99).  Without data the last three are NaN, NaN, False.
        """
        rows = {}
        for name in self.scm.order:
            values = np.asarray(self.draws[name].values, dtype="float64")
            finite = np.isfinite(values)
            row = {
                f"q{round(q * 100)}%": np.quantile(values[finite], q) if finite.any() else np.nan
                for q in QUANTILES
            }
            row["nonfinite"] = float(1.0 - finite.mean())
            row["observed_mean"] = np.nan
            row["p_mean_le_observed"] = np.nan
            row["surprising"] = False
            if self.observed is not None and name in self.observed:
                observed_mean = float(np.mean(self.observed[name]))
                with np.errstate(invalid="ignore", over="ignore"):
                    means = values.mean(axis=1)
                means = means[~np.isnan(means)]
                p = float(np.mean(means <= observed_mean)) if means.size else np.nan
                row["observed_mean"] = observed_mean
                row["p_mean_le_observed"] = p
                row["surprising"] = bool(p < SURPRISE or p > 1 - SURPRISE)
            rows[name] = row
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("node")

    def plot(self, nodes: Sequence[str] | None = None, *, bins: int = 50):
        """One panel per node (default: every node): prior-predictive values, observed values overlaid.

        Continuous and count nodes: histograms (densities) of the finite
        values between their 0.5% and 99.5% prior-predictive quantiles (widened
        to the observed range), so a few extreme draws do not squash the picture.  Categorical, ordered and
        binary nodes: the frequency of each level.

        Returns
        -------
        matplotlib.figure.Figure
        """
        import matplotlib.pyplot as plt

        names = list(self.scm.order) if nodes is None else self._checked_nodes(nodes)
        cols = min(3, len(names))
        rows = -(-len(names) // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 2.8 * rows), squeeze=False)
        for ax, name in zip(axes.ravel(), names, strict=False):
            values = np.asarray(self.draws[name].values, dtype="float64").ravel()
            seen = None if self.observed is None else self.observed.get(name)
            labels = self._level_labels(name)
            if labels is not None:
                _plot_levels(ax, values, seen, labels)
            else:
                _plot_histogram(ax, values[np.isfinite(values)], seen, bins)
            ax.set_title(name)
        for ax in axes.ravel()[len(names) :]:
            ax.set_visible(False)
        axes.ravel()[0].legend(fontsize=7)
        fig.tight_layout()
        return fig

    def _checked_nodes(self, nodes: Sequence[str]) -> list[str]:
        names = [nodes] if isinstance(nodes, str) else list(nodes)
        if not names:
            raise QueryError("nodes= is empty; name at least one node to plot")
        for name in names:
            self.scm.check_node(name, "node to plot")
        return names

    def _level_labels(self, name: str) -> list[str] | None:
        node = self.scm[name]
        if node.has_levels:
            return list(node.levels)
        if node.family_info.support == "binary":
            return ["0", "1"]
        return None


def prior_predictive(
    scm: SCM,
    data: pd.DataFrame | None = None,
    *,
    n: int | None = None,
    draws: int = 500,
    random_seed: int | np.random.Generator | None = None,
) -> PriorPredictive:
    """Draw every node and parameter of ``scm`` jointly from the prior.

    Parameters
    ----------
    scm : SCM
    data : DataFrame, optional
        Default priors are scaled to it (as when fitting), the model has
        ``len(data)`` units, exogenous columns (groups, trials, standard
        errors) come from it, and the summary compares each observed node with it.
    n : int, optional
        Without data: the number of units; default priors at unit scale.
        Give ``data`` or ``n``, not both.
    draws : int
        Number of joint prior draws.
    random_seed : int or numpy Generator, optional

    Returns
    -------
    PriorPredictive
        ``.draws`` (xarray Dataset), ``.summary()``, ``.plot()``.

    Raises
    ------
    SpecError
        Neither or both of ``data`` and ``n``; ``n`` or ``draws`` not a positive integer.
    DataError
        Without data, an SCM that reads exogenous columns; data that do not fit the SCM.

    Examples
    --------
    >>> import causalbayes as cb
    >>> scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"])})
    >>> pp = cb.prior_predictive(scm, n=10, draws=20, random_seed=1)
    >>> dict(pp.draws["y"].sizes)
    {'draw': 20, 'unit': 10}
    >>> list(pp.summary().index)
    ['x', 'y']
    """
    if not isinstance(scm, SCM):
        raise SpecError(f"scm must be a causalbayes SCM, got {type(scm).__name__}")
    draws = _positive_int(draws, "draws")
    if (data is None) == (n is None):
        raise SpecError(
            "give data= (priors scaled to it) or n= (unit scales, no data), exactly one of them"
        )
    observed = None
    if data is None:
        n = _positive_int(n, "n")
        needed = sorted(set(needed_columns(scm)))
        if needed:
            raise DataError(
                f"the SCM reads exogenous column(s) {needed} (groups, trials or standard errors); "
                "pass data= with them"
            )
        resolved = scm
        model = generative_model(scm, n=n)
    else:
        encoded = encode_data(scm, data)
        resolved = encoded.scm
        observed = {k: np.asarray(v) for k, v in encoded.values.items()}
        model = generative_model(scm, data=data)
    reported = {p.name for p in resolved.parameters() if p.kind != "auxiliary"}
    params = [
        v.name
        for v in [*model.free_RVs, *model.deterministics]
        if v.name in reported and v.name not in resolved.nodes
    ]
    names = [*resolved.order, *params]
    values = pm.draw([model[v] for v in names], draws=draws, random_seed=random_seed)
    if draws == 1:  # pm.draw drops the draw dimension for a single draw
        values = [np.expand_dims(v, 0) for v in values]
    dataset = xr.Dataset(
        {
            name: (("draw", *model.named_vars_to_dims.get(name, ())), value)
            for name, value in zip(names, values, strict=True)
        },
        coords={"draw": np.arange(draws), **{k: list(v) for k, v in model.coords.items()}},
    )
    return PriorPredictive(dataset, resolved, observed)


def _positive_int(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise SpecError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


def _plot_histogram(ax, values: np.ndarray, seen, bins: int) -> None:
    if values.size == 0:
        ax.text(0.5, 0.5, "no finite values", ha="center", transform=ax.transAxes)
        return
    low, high = np.quantile(values, [0.005, 0.995])
    if seen is not None:
        low, high = min(low, float(np.min(seen))), max(high, float(np.max(seen)))
    if not low < high:
        low, high = low - 0.5, high + 0.5
    ax.hist(
        values,
        bins=bins,
        range=(low, high),
        density=True,
        color="C0",
        alpha=0.6,
        label="prior predictive",
    )
    if seen is not None:
        seen = np.asarray(seen, dtype="float64")
        edges = np.histogram_bin_edges(seen, bins=int(np.clip(np.sqrt(seen.size), 5, bins)))
        ax.hist(
            seen, bins=edges, density=True, histtype="step", color="black", lw=1.2, label="observed"
        )


def _plot_levels(ax, values: np.ndarray, seen, labels: list[str]) -> None:
    k = len(labels)
    position = np.arange(k)
    codes = values[np.isfinite(values)].astype(int)
    prior = np.bincount(codes, minlength=k)[:k] / max(codes.size, 1)
    width = 0.4 if seen is not None else 0.8
    ax.bar(
        position - (width / 2 if seen is not None else 0),
        prior,
        width,
        color="C0",
        alpha=0.6,
        label="prior predictive",
    )
    if seen is not None:
        counts = np.bincount(np.asarray(seen).astype(int), minlength=k)[:k] / len(seen)
        ax.bar(position + width / 2, counts, width, color="black", alpha=0.7, label="observed")
    ax.set_xticks(position, labels)
    ax.set_ylabel("frequency")
