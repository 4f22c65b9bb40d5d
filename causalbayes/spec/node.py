"""One structural equation: a node's family, link, parents, priors.

Users build nodes with the family constructors (``Normal``, ``Bernoulli``,
...); each returns a frozen :class:`Node`.  Validation that needs the whole
graph (unknown parents, cycles) happens in :class:`~causalbayes.spec.scm.SCM`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from causalbayes.errors import SpecError
from causalbayes.spec.families import check_link, get_family
from causalbayes.spec.priors import Prior, as_prior
from causalbayes.spec.terms import Interaction, Linear, Term


@dataclass(frozen=True)
class Node:
    """A structural equation ``node ~ family(link^-1(intercept + sum of terms), aux)``.

    Attributes
    ----------
    family : str
        Distribution family name (see :data:`causalbayes.spec.families.FAMILIES`).
    parents : tuple of str
        Direct causes; each enters linearly with its own coefficient.
    link : str
        Link function (resolved to the family's default when not given).
    interactions : tuple of (str, str)
        Products of two parents, each with its own coefficient.
    priors : tuple of (str, Prior)
        Priors overriding the defaults, keyed by local parameter name
        (``"intercept"``, a parent name, ``"a:b"``, ``"sigma"``, ...).
    latent : bool
        Unobserved: never conditioned on data.
    intercept : bool
        Whether the predictor has an intercept.  Without one, the first
        categorical parent gets one coefficient per level (cell means).
    trials : int or str or None
        Binomial only: a fixed number of trials, or the name of a data column.
    levels : tuple of str or None
        Categorical only: the category labels, first one is the reference.
        Inferred (sorted) from the data at fit time when not given.
    """

    family: str
    parents: tuple[str, ...] = ()
    link: str = ""
    interactions: tuple[tuple[str, str], ...] = ()
    priors: tuple[tuple[str, Prior], ...] = ()
    latent: bool = False
    intercept: bool = True
    trials: int | str | None = None
    levels: tuple[str, ...] | None = None
    terms: tuple[Term, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fam = get_family(self.family)
        object.__setattr__(self, "link", check_link(fam, self.link or None))
        parents = _name_tuple(self.parents, "parents")
        if len(set(parents)) != len(parents):
            dup = sorted({p for p in parents if parents.count(p) > 1})
            raise SpecError(f"parent(s) {dup} listed twice; list each parent once")
        object.__setattr__(self, "parents", parents)
        pairs = tuple(_pair(i) for i in self.interactions)
        for a, b in pairs:
            missing = [p for p in (a, b) if p not in parents]
            if missing:
                raise SpecError(
                    f"interaction {a}:{b} uses {missing}, which are not parents of this node; "
                    f"add them to parents={list(parents)}"
                )
        object.__setattr__(self, "interactions", pairs)
        terms = tuple(Linear(p) for p in parents) + tuple(Interaction(a, b) for a, b in pairs)
        object.__setattr__(self, "terms", terms)
        object.__setattr__(self, "priors", self._checked_priors())
        self._check_family_options()

    # -- derived facts -------------------------------------------------------
    @property
    def family_info(self):
        return get_family(self.family)

    def local_parameters(self) -> tuple[str, ...]:
        """Local parameter names in a stable order: intercept, terms, auxiliaries."""
        names = ("intercept",) if self.intercept else ()
        names += tuple(t.name for t in self.terms)
        return names + self.family_info.aux

    def prior_for(self, local_name: str) -> Prior | None:
        return dict(self.priors).get(local_name)

    def with_levels(self, levels: Sequence[str]) -> Node:
        return replace(self, levels=tuple(str(v) for v in levels))

    # -- validation ----------------------------------------------------------
    def _checked_priors(self) -> tuple[tuple[str, Prior], ...]:
        given = self.priors.items() if isinstance(self.priors, Mapping) else self.priors
        valid = self.local_parameters()
        out = []
        for key, value in given:
            if key not in valid:
                raise SpecError(
                    f"prior given for unknown parameter {key!r}; this node's parameters are {list(valid)}"
                )
            prior = as_prior(value)
            if key in self.family_info.aux and prior.allows_negative():
                raise SpecError(
                    f"parameter {key!r} must be positive; give it a positive prior such as Prior('HalfNormal', sigma=1)"
                )
            out.append((key, prior))
        return tuple(sorted(out, key=lambda kv: valid.index(kv[0])))

    def _check_family_options(self) -> None:
        if self.family == "Binomial":
            t = self.trials
            ok = (
                isinstance(t, str)
                and t
                or (isinstance(t, int) and not isinstance(t, bool) and t >= 1)
            )
            if not ok:
                raise SpecError(
                    "Binomial needs trials: a positive integer or the name of a data column, e.g. Binomial(trials=10)"
                )
        elif self.trials is not None:
            raise SpecError(f"trials only applies to Binomial nodes, not {self.family}")
        if self.family == "Categorical":
            if self.levels is not None:
                levels = tuple(str(v) for v in self.levels)
                if len(levels) < 2 or len(set(levels)) != len(levels):
                    raise SpecError(
                        f"Categorical levels must be at least two distinct labels, got {list(self.levels)}"
                    )
                object.__setattr__(self, "levels", levels)
        elif self.levels is not None:
            raise SpecError(f"levels only apply to Categorical nodes, not {self.family}")

    # -- serialisation -------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "family": self.family,
            "parents": list(self.parents),
            "link": self.link,
        }
        if self.interactions:
            d["interactions"] = [list(p) for p in self.interactions]
        if self.priors:
            d["priors"] = {k: p.to_dict() for k, p in self.priors}
        if self.latent:
            d["latent"] = True
        if not self.intercept:
            d["intercept"] = False
        if self.trials is not None:
            d["trials"] = self.trials
        if self.levels is not None:
            d["levels"] = list(self.levels)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Node:
        known = {
            "family",
            "parents",
            "link",
            "interactions",
            "priors",
            "latent",
            "intercept",
            "trials",
            "levels",
        }
        unknown = set(d) - known
        if unknown:
            raise SpecError(
                f"unknown node field(s) {sorted(unknown)}; known fields are {sorted(known)}"
            )
        priors = {k: Prior.from_dict(v) for k, v in dict(d.get("priors", {})).items()}
        levels = d.get("levels")
        return cls(
            family=d["family"],
            parents=tuple(d.get("parents", ())),
            link=d.get("link", ""),
            interactions=tuple(tuple(p) for p in d.get("interactions", ())),
            priors=tuple(priors.items()),
            latent=bool(d.get("latent", False)),
            intercept=bool(d.get("intercept", True)),
            trials=d.get("trials"),
            levels=tuple(levels) if levels is not None else None,
        )


def _name_tuple(values: Iterable[str] | str, what: str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = (values,)
    out = tuple(values)
    bad = [v for v in out if not isinstance(v, str) or not v]
    if bad:
        raise SpecError(f"{what} must be node names (strings), got {bad}")
    return out


def _pair(value: Any) -> tuple[str, str]:
    if isinstance(value, str) and ":" in value:
        value = value.split(":")
    pair = tuple(value) if not isinstance(value, str) else (value,)
    if len(pair) != 2 or not all(isinstance(v, str) for v in pair) or pair[0] == pair[1]:
        raise SpecError(
            f"an interaction is two different parent names, e.g. ('dose', 'age') or 'dose:age'; got {value!r}"
        )
    return pair  # type: ignore[return-value]


def _node(
    family: str, parents, *, link, interactions, priors, latent, intercept, trials=None, levels=None
) -> Node:
    prior_items = tuple(dict(priors or {}).items())
    return Node(
        family=family,
        parents=_name_tuple(parents, "parents"),
        link=link or "",
        interactions=tuple(interactions),
        priors=prior_items,
        latent=latent,
        intercept=intercept,
        trials=trials,
        levels=tuple(levels) if levels is not None else None,
    )


_DOC = """{family} structural equation.

    Parameters
    ----------
    parents : sequence of str
        Direct causes, each entering the linear predictor with a coefficient.
    link : str, optional
        One of {links}; default ``{default}``.
    interactions : sequence of (str, str) or "a:b"
        Products of two parents with their own coefficient.
    priors : dict
        Overrides of the default priors by local parameter name
        (``intercept``, a parent name, ``a:b``{aux}); a number fixes the parameter.
    latent : bool
        The node is unobserved.
    intercept : bool
        Include an intercept (default True).
    """


def _make(family: str):
    fam = get_family(family)

    def constructor(
        parents: Sequence[str] | str = (),
        *,
        link: str | None = None,
        interactions=(),
        priors=None,
        latent: bool = False,
        intercept: bool = True,
    ) -> Node:
        return _node(
            family,
            parents,
            link=link,
            interactions=interactions,
            priors=priors,
            latent=latent,
            intercept=intercept,
        )

    constructor.__name__ = constructor.__qualname__ = family
    constructor.__doc__ = _DOC.format(
        family=family,
        links=", ".join(fam.links),
        default=fam.default_link,
        aux="".join(f", ``{a}``" for a in fam.aux),
    )
    return constructor


Normal = _make("Normal")
StudentT = _make("StudentT")
LogNormal = _make("LogNormal")
Gamma = _make("Gamma")
Bernoulli = _make("Bernoulli")
Poisson = _make("Poisson")
NegativeBinomial = _make("NegativeBinomial")


def Binomial(
    parents: Sequence[str] | str = (),
    *,
    trials: int | str,
    link: str | None = None,
    interactions=(),
    priors=None,
    latent: bool = False,
    intercept: bool = True,
) -> Node:  # noqa: N802
    """Binomial structural equation with ``trials`` fixed or read from a data column.

    Examples
    --------
    >>> Binomial(["page"], trials="visitors").trials
    'visitors'
    """
    return _node(
        "Binomial",
        parents,
        link=link,
        interactions=interactions,
        priors=priors,
        latent=latent,
        intercept=intercept,
        trials=trials,
    )


def Categorical(
    parents: Sequence[str] | str = (),
    *,
    levels: Sequence[str] | None = None,
    interactions=(),
    priors=None,
    latent: bool = False,
    intercept: bool = True,
) -> Node:  # noqa: N802
    """Categorical (multinomial-logit) structural equation.

    The first level is the reference; each other level gets its own
    intercept and coefficients on the log-odds scale against it.

    Examples
    --------
    >>> Categorical(levels=["A", "B", "C"]).levels
    ('A', 'B', 'C')
    """
    return _node(
        "Categorical",
        parents,
        link=None,
        interactions=interactions,
        priors=priors,
        latent=latent,
        intercept=intercept,
        levels=levels,
    )
