"""Bayesian sensitivity to a latent confounder U, integrated out in closed form.

For an outcome node that is Normal with identity link and linear in the treatment,
add a confounder U of treatment and outcome. Whatever U's distribution, least-squares
algebra (Cinelli & Hazlett 2020) gives the effect that adjusting for U would give::

    tau(U) = tau_obs - s * sqrt(r2y * r2d / (1 - r2d)) * sigma_y / sd(D resid) * (a - b)

with ``r2d`` the partial R2 of U with the treatment given the outcome's other parents,
``r2y`` that of U with the outcome given the treatment and those parents, ``sigma_y``
the outcome's residual sd, ``sd(D resid)`` the treatment's residual sd, ``(a, b)`` the
treated/control values and ``s`` the direction of the bias. In a model with U, the data
say nothing about (r2d, r2y, s) and everything else is the fit's posterior ("transparent
parameterisation", Franks, D'Amour & Feller 2019), so applying the formula to each
posterior draw of ``tau_obs`` and ``sigma_y`` gives U's posterior exactly, for every
strength at once: no latent values per unit, no sign to sample, no refit. Non-Gaussian
outcomes need the latent node (:mod:`causalbayes.sensitivity.latent`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from causalbayes.errors import QueryError
from causalbayes.estimands.averages import ATE
from causalbayes.estimands.effect import Effect
from causalbayes.estimands.query import evaluate
from causalbayes.sensitivity import ovb
from causalbayes.sensitivity._linear import benchmark_table, bias_scale, check_linear_gaussian

DEFAULT_GRID = np.round(np.linspace(0.0, 0.5, 26), 4)


@dataclass(frozen=True)
class BayesSensitivity:
    """The effect's posterior as a function of a latent confounder's strength.

    Attributes
    ----------
    effect : Effect
        The fitted (no-confounder) effect; its draws are ``tau_obs``.
    scale : xarray.DataArray
        Per draw, the bias of a confounder with bias factor 1: ``sigma_y / sd(D resid) * (a - b)``
        times the direction (dims ``chain, draw``).
    sd_treatment_resid : float
        The treatment's residual sd given the outcome's other parents (from the data).
    reduce : bool
        True: the confounder pushed the estimate away from zero (the posterior mean's
        sign), so adjusting for it moves the effect towards zero.
    benchmarks : pandas.DataFrame
        ``bound_label, r2dz_x, r2yz_dx`` of confounders as strong as observed covariates.
    prob : float
        Mass of the equal-tailed intervals reported.

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> s = bayesian_sensitivity(example_fit(), "dilution", "coating", benchmarks=["humid"])
    >>> round(s.robustness_value(), 2), round(s.at(0.1, 0.1).mean(), 2)
    (0.59, -0.38)
    >>> s.at_benchmarks()[["bound_label", "mean"]].round(2).to_dict("records")
    [{'bound_label': '1x humid', 'mean': -0.39}]
    """

    effect: Any
    scale: xr.DataArray
    sd_treatment_resid: float
    reduce: bool
    benchmarks: pd.DataFrame
    prob: float = 0.95

    def draws_at(self, r2dz_x: float, r2yz_dx: float) -> xr.DataArray:
        """Posterior draws of the effect with a confounder of this strength adjusted for."""
        return self.effect.draws - float(ovb.bias_factor(r2dz_x, r2yz_dx)) * self.scale

    def at(self, r2dz_x: float, r2yz_dx: float):
        """The adjusted effect as an :class:`~causalbayes.Effect`."""
        details = dict(self.effect.details, r2dz_x=r2dz_x, r2yz_dx=r2yz_dx, reduce=self.reduce)
        desc = f"{self.effect.description} | U with r2dz_x={r2dz_x:g}, r2yz_dx={r2yz_dx:g}"
        return Effect(self.draws_at(r2dz_x, r2yz_dx), self.effect.estimand, desc, details)

    def _interval(self, x: np.ndarray) -> tuple[float, float]:
        tail = (1 - self.prob) / 2
        lo, hi = np.quantile(x, [tail, 1 - tail])
        return float(lo), float(hi)

    def table(self, r2dz_x: Sequence[float] = DEFAULT_GRID, r2yz_dx=DEFAULT_GRID) -> pd.DataFrame:
        """Posterior mean, sd and interval over a grid of strengths (long format)."""
        tau, k = self._flat()
        rows = []
        for rd in r2dz_x:
            for ry in r2yz_dx:
                x = tau - float(ovb.bias_factor(rd, ry)) * k
                lo, hi = self._interval(x)
                rows.append((rd, ry, x.mean(), x.std(), lo, hi))
        cols = ["r2dz_x", "r2yz_dx", "mean", "sd", "lower", "upper"]
        return pd.DataFrame(rows, columns=cols)

    def _flat(self) -> tuple[np.ndarray, np.ndarray]:
        return self.effect.draws.values.ravel(), self.scale.values.ravel()

    def critical_bias_factor(self, threshold: float = 0.0, *, kind: str = "interval") -> float:
        """The smallest bias factor ``sqrt(r2y r2d / (1 - r2d))`` that reaches ``threshold``.

        ``kind="interval"``: the posterior interval first includes the threshold;
        ``"mean"``: the posterior mean reaches it. ``inf`` when no confounder can do it
        (the threshold lies on the far side of the estimate for this direction).
        """
        if kind not in ("interval", "mean"):
            raise QueryError(f"kind must be 'interval' or 'mean', got {kind!r}")
        tau, k = self._flat()

        def reached(c: float) -> bool:
            x = tau - c * k
            if kind == "mean":
                return _crossed(x.mean(), tau.mean(), threshold)
            lo, hi = self._interval(x)
            return lo <= threshold <= hi or _crossed(x.mean(), tau.mean(), threshold)

        if reached(0.0):
            return 0.0
        high = 1.0
        while not reached(high):
            high *= 2
            if high > 1e6:
                return float("inf")
        low = 0.0
        for _ in range(60):  # bisection: the interval moves monotonically with c
            mid = 0.5 * (low + high)
            low, high = (low, mid) if reached(mid) else (mid, high)
        return high

    def robustness_value(self, threshold: float = 0.0, *, kind: str = "interval") -> float:
        """Bayesian robustness value: the equal partial R2 ``r2d = r2y`` that reaches ``threshold``.

        The analogue of RV_{q,alpha} (``kind="interval"``) and RV_q (``"mean"``).
        """
        c2 = self.critical_bias_factor(threshold, kind=kind) ** 2
        return 1.0 if not np.isfinite(c2) else float(0.5 * (np.sqrt(c2**2 + 4 * c2) - c2))

    def frontier(self, threshold: float = 0.0, *, kind: str = "interval", r2dz_x=DEFAULT_GRID):
        """For each ``r2dz_x``, the ``r2yz_dx`` at which the threshold is reached (NaN: never)."""
        c2 = self.critical_bias_factor(threshold, kind=kind) ** 2
        rd = np.asarray(r2dz_x, dtype=float)
        with np.errstate(divide="ignore"):
            ry = c2 * (1 - rd) / rd
        ry = np.where((ry <= 1) & (rd > 0), ry, np.nan)
        return pd.DataFrame({"r2dz_x": rd, "r2yz_dx": ry})

    def average(
        self,
        r2dz_x: Callable[[np.random.Generator, int], np.ndarray] | Any,
        r2yz_dx: Callable[[np.random.Generator, int], np.ndarray] | Any,
        *,
        p_reduce: float = 1.0,
        random_seed: int | None = None,
    ):
        """The effect averaged over a prior on the strength (one strength per posterior draw).

        ``r2dz_x`` / ``r2yz_dx``: a scipy.stats frozen distribution on [0, 1) (``rvs``) or a
        function ``(rng, size) -> array``. ``p_reduce``: prior probability that the
        confounder biased the estimate away from zero (the other direction otherwise).
        """
        rng = np.random.default_rng(random_seed)
        shape = self.scale.shape
        rd = _draw(r2dz_x, rng, shape, "r2dz_x")
        ry = _draw(r2yz_dx, rng, shape, "r2yz_dx")
        sign = np.where(rng.random(shape) < p_reduce, 1.0, -1.0)
        adjusted = self.effect.draws - sign * ovb.bias_factor(rd, ry) * self.scale
        details = dict(self.effect.details, strength="averaged over a prior", p_reduce=p_reduce)
        desc = f"{self.effect.description} | U averaged over a prior on its strength"
        return Effect(adjusted, self.effect.estimand, desc, details)

    def at_benchmarks(self) -> pd.DataFrame:
        """The adjusted posterior at each benchmark bound (mean, sd, interval)."""
        rows = []
        for row in self.benchmarks.itertuples():
            x = self.draws_at(row.r2dz_x, row.r2yz_dx).values.ravel()
            lo, hi = self._interval(x)
            rows.append((row.bound_label, row.r2dz_x, row.r2yz_dx, x.mean(), x.std(), lo, hi))
        cols = ["bound_label", "r2dz_x", "r2yz_dx", "mean", "sd", "lower", "upper"]
        return pd.DataFrame(rows, columns=cols)

    def summary(self, threshold: float = 0.0) -> str:
        """Plain-language statement: robustness values and the benchmarks."""
        rv = self.robustness_value(threshold)
        rv_mean = self.robustness_value(threshold, kind="mean")
        lines = [
            f"Posterior of {self.effect.description}: mean {self.effect.mean():.4g}, "
            f"{self.prob:.0%} interval {self._interval(self.effect.draws.values.ravel())}.",
            f"A latent confounder explaining {rv:.1%} of the residual variance of both "
            f"treatment and outcome brings the {self.prob:.0%} interval to {threshold:g}; "
            f"{rv_mean:.1%} brings the posterior mean there.",
        ]
        for row in self.at_benchmarks().itertuples():
            lines.append(
                f"  as strong as {row.bound_label} (r2dz_x {row.r2dz_x:.3f}, r2yz_dx "
                f"{row.r2yz_dx:.3f}): mean {row.mean:.4g}, interval [{row.lower:.4g}, "
                f"{row.upper:.4g}]"
            )
        return "\n".join(lines)

    def plot(self, kind: str = "contour", *, threshold: float = 0.0, ax=None, **kwargs):
        """Contour of the posterior mean over the strengths, or the curve along r2d = r2y."""
        from causalbayes.sensitivity.plots import plot_contour, plot_curve

        if kind == "contour":
            return plot_contour(self, threshold=threshold, ax=ax, **kwargs)
        if kind == "curve":
            return plot_curve(self, threshold=threshold, ax=ax, **kwargs)
        raise QueryError(f"kind must be 'contour' or 'curve', got {kind!r}")


def _crossed(value: float, start: float, threshold: float) -> bool:
    return (start - threshold) * (value - threshold) <= 0


def _draw(prior, rng: np.random.Generator, shape, name: str) -> np.ndarray:
    if hasattr(prior, "rvs"):
        values = prior.rvs(size=shape, random_state=rng)
    elif callable(prior):
        values = np.asarray(prior(rng, shape), dtype=float).reshape(shape)
    else:
        values = np.full(shape, float(prior))
    if not np.all((values >= 0) & (values < 1)):
        raise QueryError(f"the prior on {name} must put all its mass in [0, 1); got values outside")
    return values


def bayesian_sensitivity(
    fit,
    treatment: str,
    outcome: str,
    *,
    values: Sequence[Any] | None = None,
    reduce: bool = True,
    benchmarks: Sequence[str] = (),
    kd: float | Sequence[float] = 1.0,
    ky: float | Sequence[float] | None = None,
    prob: float = 0.95,
    diagnostics: str = "warn",
) -> BayesSensitivity:
    """Sensitivity of a fitted effect to a latent confounder, on the partial-R2 scale.

    Parameters
    ----------
    fit : Fit
        A fit whose outcome node is Normal with identity link, with the treatment a
        numeric parent entering linearly (no interaction, polynomial, spline or group
        slope of the treatment).
    treatment, outcome : str
    values : (a, b), optional
        Treated and control values, as in :func:`causalbayes.ate`.
    reduce : bool
        Direction of the confounding: True (default) means it inflated the effect's
        magnitude, as in sensemakr.
    benchmarks : sequence of str
        Parents of the outcome to bound the confounder's strength by ("as strong as
        age"); the bounds use the partial R2 of these columns in the data, as sensemakr.
    kd, ky : float or sequence of float
        Multipliers of a benchmark's strength with the treatment and the outcome.
    prob : float
        Mass of the equal-tailed intervals.
    diagnostics : {"warn", "raise", "ignore"}
        Passed to :func:`causalbayes.ate`.

    Returns
    -------
    BayesSensitivity

    Examples
    --------
    Story 1 (paint coating; draws near the truth, no MCMC): how strong would a confounder
    of dilution and coating, beyond humidity, have to be?

    >>> from causalbayes.testing import example_fit
    >>> s = bayesian_sensitivity(example_fit(), "dilution", "coating", benchmarks=["humid"])
    >>> round(s.robustness_value(), 2), round(s.robustness_value(kind="mean"), 2)
    (0.59, 0.63)
    >>> print(s.summary().splitlines()[1][:48])
    A latent confounder explaining 59.5% of the resi
    """
    covariates = check_linear_gaussian(fit.scm, treatment, outcome)
    if not 0 < prob < 1:
        raise QueryError(f"prob must lie in (0, 1), got {prob!r}")
    effect = evaluate(ATE(treatment, outcome, values=values), fit, diagnostics=diagnostics)
    scale, sd_d = bias_scale(
        fit, treatment, outcome, effect.details["values"], effect.draws, reduce
    )
    bench = benchmark_table(fit.data, treatment, outcome, covariates, benchmarks, kd, ky)
    return BayesSensitivity(effect, scale, sd_d, reduce, bench, prob)
