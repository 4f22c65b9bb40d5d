"""The effect a latent confounder of given strength would leave, as a query.

:class:`ConfoundedATE` follows the estimand contract of
:mod:`causalbayes.estimands.query`: plain, frozen data whose ``plan(fit)`` computes the
ATE from one compiled interventional mean and removes, draw by draw, the bias of a
latent confounder U with partial R2 ``r2dz_x`` (with the treatment) and ``r2yz_dx``
(with the outcome), in closed form (:mod:`causalbayes.sensitivity.bayes`). So
``cb.evaluate`` answers it with the usual gates and the result is an ordinary
:class:`~causalbayes.Effect`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from causalbayes.errors import QueryError
from causalbayes.estimands.averages import ATE
from causalbayes.estimands.query import Plan
from causalbayes.sensitivity import ovb
from causalbayes.sensitivity._linear import bias_scale, check_linear_gaussian


@dataclass(frozen=True)
class ConfoundedATE(ATE):
    """ATE adjusted for a latent confounder U of the given strength (linear-Gaussian outcome).

    ``r2dz_x``: partial R2 of U with the treatment given the outcome's other parents;
    ``r2yz_dx``: of U with the outcome given the treatment and those parents; ``reduce``:
    U inflated the effect's magnitude (True, as sensemakr) or shrank it. At zero strength
    it is the ATE. The outcome must be Normal with identity link and the treatment enter
    it linearly; otherwise see :func:`~causalbayes.sensitivity.latent_sensitivity`.

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> fit = example_fit()
    >>> q = cb.ConfoundedATE("dilution", "coating", r2dz_x=0.1, r2yz_dx=0.1)
    >>> effect = cb.evaluate(q, fit)
    >>> round(cb.ate(fit, "dilution", "coating").mean(), 2), round(effect.mean(), 2)
    (-0.42, -0.38)
    >>> effect.details["r2dz_x"], effect.details["identified"]
    (0.1, True)
    """

    r2dz_x: float = 0.0
    r2yz_dx: float = 0.0
    reduce: bool = True
    estimand = "ATE"

    def plan(self, fit) -> Plan:
        check_linear_gaussian(fit.scm, self.treatment, self.outcome)
        if self.population == "model":
            raise QueryError(
                "the closed-form adjustment holds for the sample's units: population='model' "
                "is not supported; use population=False or True"
            )
        factor = float(ovb.bias_factor(self.r2dz_x, self.r2yz_dx))
        base = super().plan(fit)

        def contrast(mean):
            tau = base.contrast(mean)
            scale, _ = bias_scale(
                mean.fit, self.treatment, self.outcome, base.details["values"], tau, self.reduce
            )
            return tau - factor * scale.transpose(*[d for d in tau.dims if d in scale.dims])

        description = (
            f"{base.description} | U with r2dz_x={self.r2dz_x:g}, r2yz_dx={self.r2yz_dx:g}"
        )
        details = dict(base.details, r2dz_x=self.r2dz_x, r2yz_dx=self.r2yz_dx, reduce=self.reduce)
        return Plan(description, details, contrast=contrast, worlds=base.worlds)


def confounded_ate(
    fit,
    treatment: str,
    outcome: str,
    *,
    r2dz_x: float,
    r2yz_dx: float,
    reduce: bool = True,
    values: Sequence[Any] | None = None,
    population: bool = False,
    identification: str = "warn",
    diagnostics: str = "warn",
    random_seed: int | None = None,
):
    """:class:`ConfoundedATE` of ``fit`` as an :class:`~causalbayes.Effect` (see ``cb.ate``).

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> e = confounded_ate(example_fit(), "dilution", "coating", r2dz_x=0.1, r2yz_dx=0.1)
    >>> round(e.mean(), 2)
    -0.38
    """
    from causalbayes.estimands.query import evaluate

    query = ConfoundedATE(
        treatment,
        outcome,
        values=values,
        population=population,
        r2dz_x=r2dz_x,
        r2yz_dx=r2yz_dx,
        reduce=reduce,
    )
    return evaluate(
        query,
        fit,
        identification=identification,
        diagnostics=diagnostics,
        random_seed=random_seed,
    )
