"""Pictures of a study's table: one small panel per quantity."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from causalbayes.recovery.calibration import coverage_band, ecdf, ecdf_band


def _grid(count: int, width: float = 3.2, height: float = 2.6):
    import matplotlib.pyplot as plt

    cols = min(count, 4)
    rows = math.ceil(count / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:count])


def estimates(table: pd.DataFrame, quantities: Sequence[str], levels: Sequence[float]):
    """Posterior mean and widest central interval against the truth, per simulation."""
    fig, axes = _grid(len(quantities))
    p = f"{round(levels[-1] * 100):d}"
    for ax, q in zip(axes, quantities, strict=True):
        g = table[table["quantity"] == q].sort_values("truth")
        x = g["truth"].to_numpy()
        covered = g[f"covered_{p}"].to_numpy()
        position = x if np.ptp(x) > 0 else np.arange(len(g))
        for mask, color in ((covered, "C0"), (~covered, "C3")):
            if mask.any():  # a skewed posterior's mean can lie outside its central interval
                ax.vlines(
                    position[mask],
                    g[f"lower_{p}"].to_numpy()[mask],
                    g[f"upper_{p}"].to_numpy()[mask],
                    color=color,
                    lw=0.8,
                )
                ax.plot(position[mask], g["mean"].to_numpy()[mask], "o", ms=2.5, color=color)
        if np.ptp(x) > 0:
            lims = [x.min(), x.max()]
            ax.plot(lims, lims, color="grey", lw=0.8, ls="--")
            ax.set_xlabel("truth")
        else:
            ax.axhline(x[0], color="grey", lw=0.8, ls="--")
            ax.set_xlabel("simulation")
        ax.set_title(q, fontsize=9)
    axes[0].set_ylabel(f"posterior mean, {p}% interval")
    fig.suptitle("Estimates against the truth (red: interval misses)", fontsize=10)
    fig.tight_layout()
    return fig


def coverage(table: pd.DataFrame, quantities: Sequence[str], levels: Sequence[float]):
    """Observed coverage at each level, with the 95% band of a calibrated pipeline."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 0.35 * len(quantities) * len(levels) + 1.2))
    y = 0
    ticks, names = [], []
    for q in quantities:
        g = table[table["quantity"] == q]
        for i, level in enumerate(levels):
            p = f"{round(level * 100):d}"
            lo, hi = coverage_band(len(g), level)
            ax.plot([lo, hi], [y, y], color=f"C{i}", lw=5, alpha=0.3, solid_capstyle="butt")
            ax.plot([level], [y], "|", color=f"C{i}", ms=10)
            ax.plot([g[f"covered_{p}"].mean()], [y], "o", color=f"C{i}", ms=5)
            ticks.append(y)
            names.append(f"{q} {p}%")
            y += 1
        y += 0.5
    ax.set_yticks(ticks, names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("coverage (dot) vs nominal (tick), band: 95% range if calibrated")
    ax.set_xlim(0, 1.02)
    fig.tight_layout()
    return fig


def rank_ecdf(table: pd.DataFrame, quantities: Sequence[str], max_rank: int):
    """ECDF of the fractional ranks minus the uniform CDF, with a 95% simultaneous band."""
    fig, axes = _grid(len(quantities))
    for ax, q in zip(axes, quantities, strict=True):
        ranks = table.loc[table["quantity"] == q, "rank"].to_numpy()
        z, lower, upper = ecdf_band(len(ranks), max_rank)
        ax.fill_between(z, lower - z, upper - z, step="post", color="grey", alpha=0.25)
        z, f = ecdf(ranks, max_rank)
        ax.step(z, f - z, where="post", color="C0")
        ax.axhline(0, color="grey", lw=0.6)
        ax.set_title(q, fontsize=9)
        ax.set_xlabel("fractional rank")
    axes[0].set_ylabel("ECDF difference")
    fig.suptitle("SBC: rank ECDF minus uniform (band: 95% simultaneous)", fontsize=10)
    fig.tight_layout()
    return fig


def rank_histograms(table: pd.DataFrame, quantities: Sequence[str], max_rank: int):
    """Histograms of the ranks with the 95% range of a bin's count under uniformity."""
    from scipy import stats

    fig, axes = _grid(len(quantities))
    for ax, q in zip(axes, quantities, strict=True):
        ranks = table.loc[table["quantity"] == q, "rank"].to_numpy()
        bins = max(2, min(20, len(ranks) // 5, max_rank + 1))
        edges = np.linspace(0, max_rank + 1, bins + 1)
        ax.hist(ranks, bins=edges, color="C0", alpha=0.8)
        lo, hi = stats.binom.ppf([0.025, 0.975], len(ranks), 1 / bins)
        ax.axhspan(lo, hi, color="grey", alpha=0.25)
        ax.set_title(q, fontsize=9)
        ax.set_xlabel("rank")
    fig.suptitle("SBC rank histograms (band: 95% range per bin if uniform)", fontsize=10)
    fig.tight_layout()
    return fig


def contraction(table: pd.DataFrame, quantities: Sequence[str]):
    """Posterior z-score against contraction, per simulation (Betancourt's picture):
    top right is a well-identified, accurate posterior; near 0 contraction the
    data say little; large |z| with high contraction is overconfident or biased."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for i, q in enumerate(quantities):
        g = table[table["quantity"] == q]
        ax.scatter(g["contraction"], g["z"], s=8, alpha=0.6, color=f"C{i % 10}", label=q)
    ax.axhline(0, color="grey", lw=0.6)
    lowest = float(np.nanmin(table["contraction"], initial=0.0))
    ax.set_xlim(min(-0.05, lowest - 0.05), 1.05)
    ax.set_xlabel("posterior contraction (1 - var posterior / var prior)")
    ax.set_ylabel("z = (mean - truth) / sd")
    ax.legend(fontsize=7, loc="best", markerscale=1.5)
    fig.tight_layout()
    return fig
