"""A causal quantity as a posterior: labelled draws plus summaries and a plot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr

from causalbayes._defaults import HDI_PROB
from causalbayes.errors import ArgumentError, QueryError


@dataclass(frozen=True)
class Effect:
    """Posterior draws of an effect, dims ``(chain, draw, ...)``.

    Attributes
    ----------
    draws : xarray.DataArray
        One value per posterior draw (extra dims for categorical outcomes).
    estimand : str
        ``"ATE"``, ...
    description : str
        Human-readable statement of the query, e.g.
        ``"E[coating | do(dilution=1)] - E[coating | do(dilution=0)]"``.
    details : dict
        Query settings (treatment, outcome, values, population, ...).

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> effect = cb.ate(example_fit(), "dilution", "coating")
    >>> effect.estimand, dict(effect.draws.sizes)
    ('ATE', {'chain': 2, 'draw': 100})
    >>> round(effect.mean(), 2), [round(bound, 2) for bound in effect.hdi()]
    (-0.42, [-0.44, -0.41])
    >>> effect.prob(lambda d: d < 0)  # posterior probability that dilution lowers coating
    1.0
    >>> effect.warnings
    []
    """

    draws: xr.DataArray
    estimand: str
    description: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        """What makes this result less than trustworthy (empty when nothing does).

        Failed sampler diagnostics of the fit, a query the graph does not
        identify, and notes such as an effect constant by the model's form.
        """
        out = []
        if self.details.get("diagnostics"):
            out.append("fit diagnostics failed: " + "; ".join(self.details["diagnostics"]))
        if self.details.get("identified") is False:
            out.append("not identified by the graph: the answer leans on priors")
        out += list(self.details.get("notes", ()))
        return out

    @property
    def _extra_dims(self) -> list[str]:
        return [d for d in self.draws.dims if d not in ("chain", "draw")]

    def _elements(self) -> list[tuple[str, np.ndarray]]:
        """(label, all draws) for each element of the effect (one for a scalar effect)."""
        stacked = self.draws.stack(sample=("chain", "draw")).transpose(..., "sample")
        flat = stacked.values.reshape(-1, stacked.sizes["sample"])
        return list(zip(_labels(self.estimand, stacked, self._extra_dims), flat, strict=True))

    # scalar effects give plain numbers; effects with extra dims give arrays labelled by them
    def mean(self) -> float | xr.DataArray:
        """Posterior mean (a float for a scalar effect, else a DataArray over the extra dims)."""
        m = self.draws.mean(("chain", "draw"))
        return float(m) if m.ndim == 0 else m

    def sd(self) -> float | xr.DataArray:
        """Posterior sd (a float for a scalar effect, else a DataArray over the extra dims)."""
        s = self.draws.std(("chain", "draw"))
        return float(s) if s.ndim == 0 else s

    def hdi(self, hdi_prob: float = HDI_PROB) -> tuple[float, float] | xr.DataArray:
        """Highest-density interval: ``(low, high)`` for a scalar effect, else a DataArray
        with a last dim ``hdi`` (``lower``, ``higher``)."""
        if not 0 < hdi_prob < 1:
            raise ArgumentError(f"hdi_prob must be between 0 and 1, got {hdi_prob!r}")
        bounds = az.hdi(self.draws, hdi_prob=hdi_prob)
        values = next(iter(bounds.data_vars.values())) if isinstance(bounds, xr.Dataset) else bounds
        if values.ndim == 1:
            return float(values.sel(hdi="lower")), float(values.sel(hdi="higher"))
        return values

    def prob(self, event: Callable[[xr.DataArray], Any]) -> float | xr.DataArray:
        """Posterior probability of ``event(draws)``, e.g. ``effect.prob(lambda d: d < 0)``
        (a float for a scalar effect, else a DataArray over the extra dims)."""
        if not callable(event):
            raise ArgumentError(
                f"prob() takes a function of the draws, e.g. lambda d: d > 0; got {event!r}"
            )
        p = xr.DataArray(event(self.draws)).astype(float).mean(("chain", "draw"))
        return float(p) if p.ndim == 0 else p

    def summary(
        self, *, hdi_prob: float = HDI_PROB, rope: float | tuple[float, float] | None = None
    ) -> pd.DataFrame:
        """Mean, sd, HDI, the probability of each sign and the expected loss of acting or not.

        ``rope`` (a half-width, or ``(low, high)``) adds the posterior probability
        that the effect lies in that region of practical equivalence.  The
        expected losses, in the outcome's units, are those of acting as if the
        effect were positive (``E[max(-effect, 0)]``) and of not acting
        (``E[max(effect, 0)]``): choose the smaller.
        """
        if rope is not None:
            rope = (-abs(float(rope)), abs(float(rope))) if np.isscalar(rope) else tuple(rope)
            if len(rope) != 2 or not rope[0] < rope[1]:
                raise ArgumentError(
                    f"rope must be a half-width or (low, high) with low < high, got {rope!r}"
                )
        rows = []
        for label, x in self._elements():
            low, high = az.hdi(x, hdi_prob=hdi_prob)
            row = {
                "effect": label,
                "mean": x.mean(),
                "sd": x.std(),
                f"hdi_{hdi_prob:.0%}_low": low,
                f"hdi_{hdi_prob:.0%}_high": high,
                "p_positive": float(np.mean(x > 0)),
                "p_negative": float(np.mean(x < 0)),
                "loss_if_acting": float(np.mean(np.maximum(-x, 0))),
                "loss_if_not_acting": float(np.mean(np.maximum(x, 0))),
            }
            if rope is not None:
                row["p_in_rope"] = float(np.mean((x >= rope[0]) & (x <= rope[1])))
            if self.warnings:  # in the table itself, so it travels with the numbers
                row["warning"] = " | ".join(self.warnings)
            rows.append(row)
        table = pd.DataFrame(rows).set_index("effect")
        table.attrs["warnings"] = self.warnings
        return table

    def best(self, *, higher_is_better: bool = True) -> pd.DataFrame:
        """Decision table over the effect's extra dim (arms, grid values, contrasts).

        For each element: the probability that it is the best, and the expected
        loss of choosing it (``E[best - it]`` per draw, in the outcome's units).
        """
        extra = self._extra_dims
        if len(extra) != 1:
            raise QueryError(f"best() needs exactly one extra dim to choose along, found {extra}")
        values = self.draws.stack(sample=("chain", "draw")).transpose(extra[0], "sample").values
        signed = values if higher_is_better else -values
        winner = signed.argmax(axis=0)
        loss = signed.max(axis=0) - signed
        return pd.DataFrame(
            {
                "p_best": [float(np.mean(winner == i)) for i in range(len(values))],
                "expected_loss": loss.mean(axis=1),
            },
            index=pd.Index([str(v) for v in self.draws.coords[extra[0]].values], name=extra[0]),
        )

    def plot(self, *, ax=None, hdi_prob: float = HDI_PROB):
        """A picture that fits the query; returns the matplotlib Axes.

        A curve with its HDI band over a numeric dim (dose-response), a forest
        of means and HDIs for many elements (subgroups, contrasts, arms), or
        posterior densities for one or two elements.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.2))
        extra = self._extra_dims
        coords = self.draws.coords[extra[0]].values if len(extra) == 1 else None
        if coords is not None and len(coords) > 2 and np.issubdtype(coords.dtype, np.number):
            return self._plot_curve(ax, extra[0], coords, hdi_prob)
        elements = self._elements()
        if len(elements) > 2:
            return self._plot_forest(ax, elements, hdi_prob)
        for label, x in elements:
            low, high = az.hdi(x, hdi_prob=hdi_prob)
            counts, edges = np.histogram(x, bins=60, density=True)
            centres = 0.5 * (edges[1:] + edges[:-1])
            line = ax.plot(centres, counts, label=label)[0]
            ax.axvspan(low, high, color=line.get_color(), alpha=0.12)
        ax.axvline(0.0, color="grey", lw=0.8, ls="--")
        ax.set_xlabel(self.description)
        ax.set_ylabel("posterior density")
        ax.set_title(f"{self.estimand}: mean and {hdi_prob:.0%} HDI")
        if len(elements) > 1:
            ax.legend()
        return ax

    def _plot_curve(self, ax, dim, coords, hdi_prob):
        draws = self.draws.transpose("chain", "draw", dim)
        hdi = az.hdi(draws, hdi_prob=hdi_prob)
        band = next(iter(hdi.data_vars.values())) if isinstance(hdi, xr.Dataset) else hdi
        ax.fill_between(
            coords,
            band.sel(hdi="lower"),
            band.sel(hdi="higher"),
            alpha=0.25,
            label=f"{hdi_prob:.0%} HDI",
        )
        ax.plot(coords, draws.mean(("chain", "draw")), label="posterior mean")
        ax.set_xlabel(dim)
        ax.set_ylabel(self.description)
        ax.set_title(self.estimand)
        ax.legend()
        return ax

    def _plot_forest(self, ax, elements, hdi_prob):
        for i, (_, x) in enumerate(elements):
            low, high = az.hdi(x, hdi_prob=hdi_prob)
            ax.plot([low, high], [i, i], color="C0", lw=2)
            ax.plot([x.mean()], [i], "o", color="C0")
        ax.set_yticks(range(len(elements)), [label for label, _ in elements])
        ax.axvline(0.0, color="grey", lw=0.8, ls="--")
        ax.invert_yaxis()
        ax.set_xlabel(self.description)
        ax.set_title(f"{self.estimand}: mean and {hdi_prob:.0%} HDI")
        return ax

    def __repr__(self) -> str:
        flag = "UNRELIABLE " if self.details.get("diagnostics") else ""
        if self._extra_dims:
            return f"{flag}Effect({self.estimand}: {self.description})"
        low, high = self.hdi()
        return f"{flag}Effect({self.estimand} = {self.mean():.4g}, 94% HDI [{low:.4g}, {high:.4g}]: {self.description})"

    def _repr_html_(self) -> str:
        import html

        notes = "".join(
            f"<p style='color:#b00'><b>Warning:</b> {html.escape(w)}</p>" for w in self.warnings
        )
        table = self.summary().drop(columns="warning", errors="ignore")
        return (
            f"<p><b>{self.estimand}</b>: {html.escape(self.description)}</p>"
            + notes
            + table.to_html(float_format="%.4g")
        )


def _labels(estimand: str, stacked: xr.DataArray, extra: list[str]) -> list[str]:
    if not extra:
        return [estimand]
    coords = [stacked.coords[d].values for d in extra]
    return [
        f"{estimand}[{','.join(str(c[i]) for c, i in zip(coords, idx, strict=True))}]"
        for idx in np.ndindex(*[len(c) for c in coords])
    ]
