"""Estimand formulas: probability terms, products, sums and ratios, with exact simplification.

Every rewrite is an identity of probability (a summed variable that occurs
in one factor only, as that factor's head, is summed out; equal factors
cancel in a ratio), so a simplified formula means the same as the original.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class Expr:
    """A formula over observational probabilities."""

    def variables(self) -> frozenset[str]:
        raise NotImplementedError

    def text(self, order: Sequence[str]) -> str:
        raise NotImplementedError

    def rename(self, mapping: dict[str, str]) -> Expr:
        raise NotImplementedError


@dataclass(frozen=True)
class P(Expr):
    """``P(heads | given)``.

    Examples
    --------
    >>> P(frozenset({"y"}), frozenset({"t", "z"})).text(["z", "t", "y"])
    'P(y | z, t)'
    """

    heads: frozenset[str]
    given: frozenset[str] = frozenset()

    def variables(self) -> frozenset[str]:
        return self.heads | self.given

    def text(self, order: Sequence[str]) -> str:
        heads = ", ".join(_sorted(self.heads, order))
        if not self.given:
            return f"P({heads})"
        return f"P({heads} | {', '.join(_sorted(self.given, order))})"

    def rename(self, mapping: dict[str, str]) -> Expr:
        return P(_renamed(self.heads, mapping), _renamed(self.given, mapping))


@dataclass(frozen=True)
class Product(Expr):
    factors: tuple[Expr, ...]

    def variables(self) -> frozenset[str]:
        return frozenset().union(*(f.variables() for f in self.factors))

    def text(self, order: Sequence[str]) -> str:
        if not self.factors:
            return "1"
        return " ".join(_wrap(f, order) for f in self.factors)

    def rename(self, mapping: dict[str, str]) -> Expr:
        return Product(tuple(f.rename(mapping) for f in self.factors))


@dataclass(frozen=True)
class Sum(Expr):
    over: frozenset[str]
    body: Expr

    def variables(self) -> frozenset[str]:
        return self.body.variables()

    def text(self, order: Sequence[str]) -> str:
        return f"sum_{{{', '.join(_sorted(self.over, order))}}} {self.body.text(order)}"

    def rename(self, mapping: dict[str, str]) -> Expr:
        return Sum(_renamed(self.over, mapping), self.body.rename(mapping))


@dataclass(frozen=True)
class Ratio(Expr):
    numerator: Expr
    denominator: Expr

    def variables(self) -> frozenset[str]:
        return self.numerator.variables() | self.denominator.variables()

    def text(self, order: Sequence[str]) -> str:
        return f"[{self.numerator.text(order)}] / [{self.denominator.text(order)}]"

    def rename(self, mapping: dict[str, str]) -> Expr:
        return Ratio(self.numerator.rename(mapping), self.denominator.rename(mapping))


def _renamed(names: frozenset[str], mapping: dict[str, str]) -> frozenset[str]:
    return frozenset(mapping.get(n, n) for n in names)


def prime_bound(expr: Expr, free: frozenset[str]) -> Expr:
    """Rename summation variables that shadow a free variable (``t`` -> ``t'``).

    Examples
    --------
    >>> e = Sum(frozenset({"t"}), Product((P(frozenset({"t"})), P(frozenset({"y"}), frozenset({"t"})))))
    >>> prime_bound(e, frozenset({"t"})).text(["t", "y"])
    "sum_{t'} P(t') P(y | t')"
    """
    if isinstance(expr, Sum):
        clash = {n: n + "'" for n in expr.over & free}
        inner = expr.body.rename(clash) if clash else expr.body
        return Sum(_renamed(expr.over, clash), prime_bound(inner, free))
    if isinstance(expr, Product):
        return Product(tuple(prime_bound(f, free) for f in expr.factors))
    if isinstance(expr, Ratio):
        return Ratio(prime_bound(expr.numerator, free), prime_bound(expr.denominator, free))
    return expr


def _sorted(names: Iterable[str], order: Sequence[str]) -> list[str]:
    rank = {n: i for i, n in enumerate(order)}
    return sorted(names, key=lambda n: (rank.get(n.rstrip("'"), len(rank)), n))


def _wrap(expr: Expr, order: Sequence[str]) -> str:
    text = expr.text(order)
    return f"({text})" if isinstance(expr, Sum) else text


def product(factors: Iterable[Expr]) -> Expr:
    """A flattened product; a single factor is returned as is."""
    flat: list[Expr] = []
    for f in factors:
        if isinstance(f, Product):
            flat.extend(f.factors)
        else:
            flat.append(f)
    return flat[0] if len(flat) == 1 else Product(tuple(flat))


def summed(over: Iterable[str], body: Expr) -> Expr:
    """``sum_{over} body``, with every variable that can be summed out analytically removed."""
    over = set(over) & body.variables()
    if isinstance(body, Sum):
        return summed(over | body.over, body.body)
    if isinstance(body, P):
        return _marginal_term(body, over)
    factors = list(body.factors) if isinstance(body, Product) else [body]
    changed = True
    while changed and over:
        changed = False
        for v in sorted(over):
            holders = [i for i, f in enumerate(factors) if v in f.variables()]
            if len(holders) != 1:
                if not holders:
                    over.discard(v)
                    changed = True
                continue
            f = factors[holders[0]]
            if isinstance(f, P) and v in f.heads:
                reduced = _marginal_term(f, {v})
                if isinstance(reduced, P) and not reduced.heads:
                    factors.pop(holders[0])
                else:
                    factors[holders[0]] = reduced
                over.discard(v)
                changed = True
    inner = product(factors) if factors else Product(())
    return Sum(frozenset(over), inner) if over else inner


def _marginal_term(term: P, over: set[str]) -> Expr:
    heads_out = over & term.heads
    rest = over - term.heads  # summing over a conditioning variable has no closed form
    reduced = P(term.heads - heads_out, term.given)
    if rest:
        return Sum(frozenset(rest), reduced)
    return reduced


def ratio(numerator: Expr, denominator: Expr) -> Expr:
    """``numerator / denominator`` with common factors cancelled."""
    if isinstance(denominator, P) and not denominator.heads:
        return numerator
    num = list(numerator.factors) if isinstance(numerator, Product) else [numerator]
    den = list(denominator.factors) if isinstance(denominator, Product) else [denominator]
    for f in list(den):
        if f in num:
            num.remove(f)
            den.remove(f)
    if not den:
        return product(num) if num else Product(())
    if len(num) == 1 and len(den) == 1 and isinstance(num[0], P) and isinstance(den[0], P):
        a, b = num[0], den[0]
        # P(A, B | C) / P(B | C) = P(A | B, C)
        if a.given == b.given and b.heads <= a.heads:
            return P(a.heads - b.heads, a.given | b.heads)
    return Ratio(product(num) if num else Product(()), product(den))
