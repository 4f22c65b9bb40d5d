"""A causal quantity as a posterior: labelled draws plus summaries and a plot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr


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
    """

    draws: xr.DataArray
    estimand: str
    description: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def _extra_dims(self) -> list[str]:
        return [d for d in self.draws.dims if d not in ("chain", "draw")]

    def _elements(self) -> list[tuple[str, np.ndarray]]:
        """(label, all draws) for each element of the effect (one for a scalar effect)."""
        stacked = self.draws.stack(sample=("chain", "draw")).transpose(..., "sample")
        flat = stacked.values.reshape(-1, stacked.sizes["sample"])
        return list(zip(_labels(self.estimand, stacked, self._extra_dims), flat, strict=True))

    def mean(self) -> float | xr.DataArray:
        m = self.draws.mean(("chain", "draw"))
        return float(m) if m.ndim == 0 else m

    def sd(self) -> float | xr.DataArray:
        s = self.draws.std(("chain", "draw"))
        return float(s) if s.ndim == 0 else s

    def hdi(self, hdi_prob: float = 0.94) -> tuple[float, float]:
        """Highest-density interval of a scalar effect."""
        bounds = az.hdi(self.draws, hdi_prob=hdi_prob)
        values = next(iter(bounds.data_vars.values())) if isinstance(bounds, xr.Dataset) else bounds
        if values.ndim != 1:
            raise ValueError(
                "hdi() is for scalar effects; use summary() for effects with extra dims"
            )
        return float(values.sel(hdi="lower")), float(values.sel(hdi="higher"))

    def prob(self, event: Callable[[xr.DataArray], Any]) -> float | xr.DataArray:
        """Posterior probability of ``event(draws)``, e.g. ``effect.prob(lambda d: d < 0)``."""
        p = xr.DataArray(event(self.draws)).astype(float).mean(("chain", "draw"))
        return float(p) if p.ndim == 0 else p

    def summary(self, *, hdi_prob: float = 0.94) -> pd.DataFrame:
        """Mean, sd, HDI bounds and the probability of each sign (one row per element)."""
        rows = []
        for label, x in self._elements():
            low, high = az.hdi(x, hdi_prob=hdi_prob)
            rows.append(
                {
                    "effect": label,
                    "mean": x.mean(),
                    "sd": x.std(),
                    f"hdi_{hdi_prob:.0%}_low": low,
                    f"hdi_{hdi_prob:.0%}_high": high,
                    "p_positive": float(np.mean(x > 0)),
                    "p_negative": float(np.mean(x < 0)),
                }
            )
        return pd.DataFrame(rows).set_index("effect")

    def plot(self, *, ax=None, hdi_prob: float = 0.94):
        """Posterior density with its HDI and zero marked; returns the matplotlib Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.2))
        elements = self._elements()
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

    def __repr__(self) -> str:
        if self._extra_dims:
            return f"Effect({self.estimand}: {self.description})"
        low, high = self.hdi()
        return f"Effect({self.estimand} = {self.mean():.4g}, 94% HDI [{low:.4g}, {high:.4g}]: {self.description})"

    def _repr_html_(self) -> str:
        return f"<p><b>{self.estimand}</b>: {self.description}</p>" + self.summary().to_html(
            float_format="%.4g"
        )


def _labels(estimand: str, stacked: xr.DataArray, extra: list[str]) -> list[str]:
    if not extra:
        return [estimand]
    coords = [stacked.coords[d].values for d in extra]
    return [
        f"{estimand}[{','.join(str(c[i]) for c, i in zip(coords, idx, strict=True))}]"
        for idx in np.ndindex(*[len(c) for c in coords])
    ]
