"""Instrumental variables, unconditional and conditional (Brito & Pearl; van der Zander et al. 2015).

``z`` is an instrument for ``t -> y`` given ``W`` when ``W`` holds no
descendant of ``t`` or ``y``, ``W`` d-separates ``z`` from ``y`` once the
first edges of the causal paths from ``t`` are removed, and ``W`` does not
d-separate ``z`` from ``t``.  An instrument identifies the effect only under
extra assumptions (a linear model: the Wald ratio; or monotonicity: a local
effect), so instruments are reported beside the verdict, never as it.
"""

from __future__ import annotations

from dataclasses import dataclass

from causalbayes.identification._graph import Net
from causalbayes.identification.adjustment import AdjustmentProblem, _min_separator


@dataclass(frozen=True)
class Instrument:
    """An instrument ``z`` for ``treatment -> outcome``, valid given ``given``.

    Examples
    --------
    >>> Instrument("z", ()).estimand("t", "y")
    'Cov(y, z) / Cov(t, z)  (linear models)'
    """

    z: str
    given: tuple[str, ...]

    def estimand(self, treatment: str, outcome: str) -> str:
        """The Wald / two-stage least squares estimand (linear structural equations)."""
        if not self.given:
            return f"Cov({outcome}, {self.z}) / Cov({treatment}, {self.z})  (linear models)"
        w = ", ".join(self.given)
        return f"Cov({outcome}, {self.z} | {w}) / Cov({treatment}, {self.z} | {w})  (linear models)"


def instruments(net: Net, t: str, y: str, *, max_instruments: int = 10) -> list[Instrument]:
    """Instruments for ``t -> y``, unconditional ones first."""
    problem = AdjustmentProblem.build(net, {t}, {y})
    cut = problem.pbd  # the first edges of the causal paths removed
    banned = net.descendants({t}) | net.descendants({y}) | net.latent
    found: list[Instrument] = []
    for z in net.order:
        if z in banned:
            continue
        allowed = net.observed - banned - {z}
        for given in _candidate_sets(cut, z, y, allowed):
            if cut.separated({z}, {y}, given) and not net.separated({z}, {t}, given):
                found.append(Instrument(z, net.sort(given)))
                break
        if len(found) >= max_instruments:
            break
    found.sort(key=lambda i: len(i.given))
    return found


def _candidate_sets(cut: Net, z: str, y: str, allowed: frozenset[str]):
    yield frozenset()
    widest = (cut.ancestors({z, y}) & allowed) if allowed else frozenset()
    if widest and cut.separated({z}, {y}, widest):
        yield _min_separator(cut, frozenset({z}), frozenset({y}), frozenset(), frozenset(widest))
        yield frozenset(widest)
