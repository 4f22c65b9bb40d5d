"""Pictures of a :class:`~causalbayes.sensitivity.bayes.BayesSensitivity` (matplotlib, return Axes)."""

from __future__ import annotations

import numpy as np


def plot_contour(sens, *, threshold: float = 0.0, ax=None, limit: float | None = None, n=41):
    """Posterior mean of the effect over (r2dz_x, r2yz_dx), the frontier where the
    interval reaches ``threshold`` (dashed red) and the benchmark bounds (red diamonds)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4.5))
    bench = sens.benchmarks
    if limit is None:  # show the frontier (3x the robustness value) and every benchmark
        top = max([0.05, 3 * sens.robustness_value(threshold), *(bench["r2dz_x"] * 1.25)])
        limit = min(0.99, max([top, *(bench["r2yz_dx"] * 1.25)]))
    grid = np.linspace(0.0, limit, n)
    tau, k = sens._flat()
    rd, ry = np.meshgrid(grid, grid, indexing="ij")
    factor = np.sqrt(ry * rd / (1 - rd))
    mean = tau.mean() - factor * k.mean()  # the mean is linear in the draws
    cs = ax.contour(rd, ry, mean, levels=12, colors="0.35", linewidths=0.8)
    ax.clabel(cs, fontsize=7, fmt="%.3g")
    front = sens.frontier(threshold, r2dz_x=grid[1:])
    label = f"{sens.prob:.0%} interval reaches {threshold:g}"
    ax.plot(front["r2dz_x"], front["r2yz_dx"], color="tab:red", ls="--", lw=1.5, label=label)
    for row in bench.itertuples():
        ax.plot(row.r2dz_x, row.r2yz_dx, marker="D", color="tab:red", ms=5)
        ax.annotate(row.bound_label, (row.r2dz_x, row.r2yz_dx), fontsize=7, xytext=(4, 4),
                    textcoords="offset points")  # fmt: skip
    ax.set_xlim(0, limit)
    ax.set_ylim(0, limit)
    ax.set_xlabel("partial R2 of U with the treatment (r2dz_x)")
    ax.set_ylabel("partial R2 of U with the outcome (r2yz_dx)")
    ax.set_title("Posterior mean of the effect, adjusted for U")
    ax.legend(fontsize=7, loc="upper right")
    return ax


def plot_curve(sens, *, threshold: float = 0.0, ax=None, limit: float = 0.5, n=51):
    """Posterior mean and interval along equal strengths ``r2dz_x = r2yz_dx = r``, with
    the Bayesian robustness value marked."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.2))
    r = np.linspace(0.0, limit, n)
    table = _diagonal(sens, r)
    ax.fill_between(r, table[:, 1], table[:, 2], alpha=0.25, label=f"{sens.prob:.0%} interval")
    ax.plot(r, table[:, 0], label="posterior mean")
    ax.axhline(threshold, color="grey", lw=0.8, ls="--")
    rv = sens.robustness_value(threshold)
    if rv <= limit:
        ax.axvline(rv, color="tab:red", lw=1, label=f"robustness value {rv:.3f}")
    ax.set_xlabel("partial R2 of U with treatment and outcome (r)")
    ax.set_ylabel("effect adjusted for U")
    ax.legend(fontsize=7)
    return ax


def _diagonal(sens, r: np.ndarray) -> np.ndarray:
    tau, k = sens._flat()
    tail = (1 - sens.prob) / 2
    out = []
    for value in r:
        x = tau - np.sqrt(value * value / (1 - value)) * k
        out.append((x.mean(), *np.quantile(x, [tail, 1 - tail])))
    return np.asarray(out)
