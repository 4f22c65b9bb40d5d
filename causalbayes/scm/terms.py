"""Terms of a node's linear predictor.

Each term names the parents (or exogenous group columns) it reads and the
local name of its coefficient.  The compile layer dispatches on the type.
Users write ``parents=[...]`` (one :class:`Linear` term each),
``interactions=[...]``, ``groups={...}`` (:class:`Group`) and
``terms=[Poly(...), Spline(...)]``; a parent used in a spline enters only
through its spline.
"""

from __future__ import annotations

from dataclasses import dataclass

from causalbayes.errors import SpecError


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


@dataclass(frozen=True)
class Power:
    """``coef * parent ** exponent`` (raw powers, so coefficients read as in the equation)."""

    parent: str
    exponent: int

    @property
    def name(self) -> str:
        return f"{self.parent}^{self.exponent}"

    @property
    def variables(self) -> tuple[str, ...]:
        return (self.parent,)


@dataclass(frozen=True)
class Spline:
    """A cubic (``degree``) B-spline of a numeric parent with ``df`` coefficients.

    Knots are equally spaced between ``bounds`` (default: the data's range,
    or mean +/- 3 sd without data).  Values outside the bounds are clamped:
    the curve is extended flat.  The basis omits its first function, which
    the intercept absorbs, so the curve is 0 at the lower bound.

    Parameters
    ----------
    parent : str
        A numeric parent of the node (listed in its ``parents`` too).
    df : int
        Number of basis functions, hence coefficients (at least ``degree``).
    degree : int
        Degree of the pieces, 1 to 5 (3: cubic).
    bounds : (float, float), optional
        Where the knots lie.

    Examples
    --------
    >>> import causalbayes as cb
    >>> scm = cb.SCM({"temp": cb.Normal(), "y": cb.Normal(["temp"], terms=[cb.Spline("temp", df=4)])})
    >>> [(p.name, p.dims) for p in scm.parameters("y")]
    [('y.intercept', ()), ('y.spline(temp)', ('y.spline(temp)_basis',)), ('y.sigma', ())]
    """

    parent: str
    df: int = 5
    degree: int = 3
    bounds: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.df, int) or isinstance(self.df, bool) or self.df < 1:
            raise SpecError(f"Spline({self.parent!r}): df must be an integer >= 1, got {self.df!r}")
        if not isinstance(self.degree, int) or not 1 <= self.degree <= 5:
            raise SpecError(f"Spline({self.parent!r}): degree must be 1..5, got {self.degree!r}")
        if self.df < self.degree:
            raise SpecError(
                f"Spline({self.parent!r}): df={self.df} must be at least the degree ({self.degree})"
            )
        if self.bounds is not None:
            lo, hi = (float(b) for b in self.bounds)
            if not lo < hi:
                raise SpecError(
                    f"Spline({self.parent!r}): bounds need lower < upper, got {self.bounds}"
                )
            object.__setattr__(self, "bounds", (lo, hi))

    @property
    def name(self) -> str:
        return f"spline({self.parent})"

    @property
    def variables(self) -> tuple[str, ...]:
        return (self.parent,)

    def to_dict(self) -> dict:
        d = {"kind": "spline", "parent": self.parent, "df": self.df, "degree": self.degree}
        if self.bounds is not None:
            d["bounds"] = list(self.bounds)
        return d


@dataclass(frozen=True)
class Group:
    """Group-varying intercept (``variable=None``) or slope of ``variable`` by a grouping column.

    ``key`` names an exogenous data column (``"store"``) or a nesting of
    columns joined by ``:`` (``"region:field"``: one group per field within
    its region).  Effects are drawn from ``Normal(0, sd)`` (partial pooling);
    a group never seen in the data gets a fresh draw from that population.
    """

    key: str
    variable: str | None = None

    @property
    def name(self) -> str:
        return f"{self.variable or 1}|{self.key}"

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.key.split(":"))

    @property
    def variables(self) -> tuple[str, ...]:
        return (self.variable,) if self.variable else ()


def Poly(parent: str, degree: int) -> tuple[Power, ...]:  # noqa: N802 - reads like a term
    """Powers 2..``degree`` of ``parent`` (its linear term comes from ``parents``).

    Examples
    --------
    >>> [t.name for t in Poly("dose", 3)]
    ['dose^2', 'dose^3']
    """
    if not isinstance(degree, int) or isinstance(degree, bool) or degree < 2:
        raise SpecError(f"Poly({parent!r}, degree): degree must be an integer >= 2, got {degree!r}")
    return tuple(Power(parent, k) for k in range(2, degree + 1))


Term = Linear | Interaction | Power | Spline | Group
