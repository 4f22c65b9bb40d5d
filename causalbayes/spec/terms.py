"""Terms of a node's linear predictor.

Each term names the parents it reads and the local name of its coefficient.
New kinds of terms (group-varying, splines, polynomials) are added here as
further frozen dataclasses; the compile layer dispatches on the type.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Linear:
    """``coef * parent`` (one coefficient per non-reference level for a categorical parent)."""

    parent: str

    @property
    def name(self) -> str:
        return self.parent

    @property
    def variables(self) -> tuple[str, ...]:
        return (self.parent,)


@dataclass(frozen=True)
class Interaction:
    """``coef * a * b`` (a table of coefficients when a or b is categorical)."""

    a: str
    b: str

    @property
    def name(self) -> str:
        return f"{self.a}:{self.b}"

    @property
    def variables(self) -> tuple[str, ...]:
        return (self.a, self.b)


Term = Linear | Interaction
