"""Refuse a query that reads a mechanism the fit has not sampled, and say how to sample it.

A fit made for some queries only (``cb.fit(scm, df, queries=[...])``) lacks the draws of
the other mechanisms.  Their variables are still in the model a query builds, as random
variables with their priors, so a query that reached one would silently mix prior draws
into a posterior.  Before a query's graph is compiled, :func:`require_fitted` walks it back
from its outputs to the posterior inputs and refuses it if it meets a variable of an
unfitted mechanism, naming the mechanisms and the call that samples them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pytensor.graph.traversal import ancestors

from causalbayes.errors import QueryError
from causalbayes.inference.fit import Fit


def unfitted_variables(fit: Fit) -> dict[str, str]:
    """Names of the model variables of unfitted mechanisms -> their node."""
    unfitted = set(fit.unfitted)
    out = {p.name: p.node for p in fit.scm.parameters() if p.node in unfitted}
    for node in unfitted:
        out[f"{node}.missing"] = node
        if fit.scm.nodes[node].latent:
            out[node] = node
    return out


def require_fitted(fit: Fit, inputs: Mapping, outputs: Sequence) -> None:
    """Raise :class:`~causalbayes.errors.QueryError` if ``outputs`` read an unfitted mechanism.

    ``inputs`` are the graph variables fed with posterior draws (the walk stops there).
    """
    if not fit.unfitted:
        return
    names = unfitted_variables(fit)
    reached = ancestors(list(outputs), blockers=list(inputs.values()))
    needed = sorted(
        {names[v.name] for v in reached if v.name in names and v not in inputs.values()},
        key=list(fit.scm.order).index,
    )
    if needed:
        raise QueryError(
            f"this query reads the mechanism(s) of {needed}, which this fit has not sampled "
            f"(it sampled those of {list(fit.fitted)} only); sample them, keeping the "
            f"others' draws: fit = cb.fit_more(fit, {needed!r}), or cb.fit_more(fit) for all"
        )


__all__ = ["require_fitted", "unfitted_variables"]
