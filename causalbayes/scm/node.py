"""One structural equation: a node's family, link, parents, priors.

Users build nodes with the family constructors (``Normal``, ``Bernoulli``,
...); each returns a frozen :class:`Node`.  Validation that needs the whole
graph (unknown parents, cycles) happens in :class:`~causalbayes.scm.scm.SCM`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from causalbayes.errors import SpecError
from causalbayes.families import GIVEN_CATEGORICAL, check_link, get_family
from causalbayes.scm.mechanism import R2D2, Mechanism
from causalbayes.scm.priors import Prior, as_prior
from causalbayes.scm.terms import Group, Interaction, Linear, Power, Spline, Term


@dataclass(frozen=True)
class Node:
    """A structural equation ``node ~ family(link^-1(predictor), aux)``.

    The predictor is ``intercept + sum of terms``, or a user :class:`Mechanism`.

    Attributes
    ----------
    family : str
        Distribution family name (see :data:`causalbayes.families.FAMILIES`).
    parents : tuple of str
        Direct causes; each enters linearly with its own coefficient unless
        it is used in a spline term.
    link : str
        Link function (resolved to the family's default when not given).
    interactions : tuple of (str, str)
        Products of two parents, each with its own coefficient.
    priors : tuple of (str, Prior)
        Priors overriding the defaults, keyed by local parameter name
        (``"intercept"``, a parent name, ``"a:b"``, ``"sigma"``, ``"1|store.sd"``, ...).
    latent : bool
        Unobserved: never conditioned on data.
    intercept : bool
        Whether the predictor has an intercept.  Without one, the first
        categorical parent gets one coefficient per level (cell means).
    trials : int or str or None
        Binomial only: a fixed number of trials, or the name of a data column.
    levels : tuple of str or None
        Categorical / ordered only: the category labels, first one is the
        reference (lowest for ordered).  Read from the data when not given.
    groups : tuple of (str, tuple of str)
        Group-varying effects: grouping column (``"a:b"`` for b nested in a)
        and the parents whose slopes also vary; the intercept always varies.
    group_levels : tuple of (str, tuple of str)
        Group labels per grouping column, resolved from the data.
    nonlinear : tuple of Power or Spline
        Extra terms (``terms=`` in the constructors).
    centered : bool
        Centred parameterisation of group effects (default: non-centred).
    mechanism : Mechanism or None
        A user function replacing intercept and terms.
    measurement_error : str or None
        Normal only: a column of known per-row standard errors of the
        observations (``y ~ Normal(mu, sqrt(sigma^2 + se^2))``).
    r2d2 : R2D2 or None
        Joint R2-D2 prior on the numeric coefficients.
    categorical : bool or None
        Given nodes only: whether the column holds labels (``None``: decided
        from the data's type when fitting).

    Nodes are made by the family constructors (:func:`~causalbayes.Normal`,
    :func:`~causalbayes.Bernoulli`, ...), which validate their options.

    Examples
    --------
    >>> import causalbayes as cb
    >>> node = cb.Normal(["a", "b"], interactions=["a:b"])
    >>> node.family, node.link, node.interactions
    ('Normal', 'identity', (('a', 'b'),))
    >>> node.local_parameters()
    ('intercept', 'a', 'b', 'a:b', 'sigma')
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
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    group_levels: tuple[tuple[str, tuple[str, ...]], ...] = ()
    nonlinear: tuple[Power | Spline, ...] = ()
    centered: bool = False
    mechanism: Mechanism | None = None
    measurement_error: str | None = None
    r2d2: R2D2 | None = None
    categorical: bool | None = None
    terms: tuple[Term, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fam = get_family(self.family)
        object.__setattr__(self, "link", check_link(fam, self.link or None))
        if self.family == "Given":
            self._check_given()
        elif self.categorical is not None:
            raise SpecError(f"categorical= applies to Given nodes only, not {self.family}")
        parents = _name_tuple(self.parents, "parents")
        if len(set(parents)) != len(parents):
            dup = sorted({p for p in parents if parents.count(p) > 1})
            raise SpecError(f"parent(s) {dup} listed twice; list each parent once")
        object.__setattr__(self, "parents", parents)
        pairs = tuple(_pair(i) for i in self.interactions)
        for a, b in pairs:
            self._check_parents_used(f"interaction {a}:{b}", (a, b))
        object.__setattr__(self, "interactions", pairs)
        object.__setattr__(self, "groups", _groups(self.groups))
        object.__setattr__(self, "nonlinear", self._checked_nonlinear())
        if self.mechanism is not None:
            if not isinstance(self.mechanism, Mechanism):
                raise SpecError("mechanism= takes a causalbayes.Mechanism(function, params={...})")
            if pairs or self.groups or self.nonlinear or self.r2d2 is not None:
                raise SpecError(
                    "a custom mechanism replaces the whole predictor: drop interactions, groups, "
                    "terms and r2d2 from this node (write them into the function instead)"
                )
            object.__setattr__(self, "intercept", False)
            object.__setattr__(self, "terms", ())
        else:
            object.__setattr__(self, "terms", self._build_terms(pairs))
        self._check_family_options()
        object.__setattr__(self, "priors", self._checked_priors())

    def _check_given(self) -> None:
        """A given node is data: no mechanism, so nothing that would shape one."""
        options = {
            "interactions": self.interactions,
            "priors": self.priors,
            "latent": self.latent,
            "trials": self.trials is not None,
            "groups": self.groups,
            "terms": self.nonlinear,
            "centered": self.centered,
            "mechanism": self.mechanism is not None,
            "measurement_error": self.measurement_error is not None,
            "r2d2": self.r2d2 is not None,
        }
        used = sorted(k for k, v in options.items() if v)
        if used:
            raise SpecError(
                f"a Given node is a data column that is not modelled; it takes no {used}. "
                "Declare a family (e.g. cb.Normal(...)) to model it instead"
            )
        if self.categorical not in (None, True, False):
            raise SpecError(f"categorical= takes True, False or None, got {self.categorical!r}")
        if self.levels is not None:
            object.__setattr__(self, "categorical", True)
        object.__setattr__(self, "intercept", False)

    @property
    def is_given(self) -> bool:
        """Conditioned on as data, never modelled (no parameters, no distribution)."""
        return self.family == "Given"

    def _check_parents_used(self, what: str, names: Iterable[str]) -> None:
        missing = [p for p in names if p not in self.parents]
        if missing:
            raise SpecError(
                f"{what} uses {missing}, which are not parents of this node; "
                f"add them to parents={list(self.parents)}"
            )

    def _checked_nonlinear(self) -> tuple[Power | Spline, ...]:
        flat: list[Power | Spline] = []
        for item in self.nonlinear:
            items = item if isinstance(item, tuple) else (item,)
            for term in items:
                if not isinstance(term, (Power, Spline)):
                    raise SpecError(
                        f"terms= takes cb.Poly(parent, degree) or cb.Spline(parent, df=...), got {term!r}"
                    )
                self._check_parents_used(f"term {term.name}", term.variables)
                flat.append(term)
        names = [t.name for t in flat]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise SpecError(f"term(s) {dup} given twice")
        return tuple(flat)

    def _build_terms(self, pairs) -> tuple[Term, ...]:
        splined = {t.parent for t in self.nonlinear if isinstance(t, Spline)}
        terms: list[Term] = [Linear(p) for p in self.parents if p not in splined]
        terms += [Interaction(a, b) for a, b in pairs]
        terms += list(self.nonlinear)
        for key, slopes in self.groups:
            self._check_parents_used(f"group-varying slope(s) by {key!r}", slopes)
            bad = [s for s in slopes if s in splined]
            if bad:
                raise SpecError(
                    f"group-varying slopes of splined parent(s) {bad} are not supported"
                )
            terms.append(Group(key))
            terms += [Group(key, s) for s in slopes]
        return tuple(terms)

    # -- derived facts -------------------------------------------------------
    @property
    def family_info(self):
        if self.family == "Given" and self.categorical:
            return GIVEN_CATEGORICAL
        return get_family(self.family)

    @property
    def has_levels(self) -> bool:
        return self.family_info.has_levels

    @property
    def r2d2_terms(self) -> tuple[Term, ...]:
        """Terms whose coefficients the R2-D2 prior governs (scalar, non-group, non-spline)."""
        if self.r2d2 is None:
            return ()
        return tuple(t for t in self.terms if isinstance(t, (Linear, Interaction, Power)))

    @property
    def hurdle_terms(self) -> tuple[Term, ...]:
        """Terms of the hurdle (P(value > 0)) predictor of a hurdle family."""
        if not self.family_info.hurdle:
            return ()
        return tuple(t for t in self.terms if isinstance(t, (Linear, Interaction, Power)))

    def parameter_locals(self) -> tuple[tuple[str, str], ...]:
        """(local name, kind) of every model variable of this node, in a stable order.

        Kinds: ``prior`` (has a prior; estimated unless fixed), ``hierarchical``
        (a free variable whose prior is set by other parameters: centred group
        effects), ``derived`` (a deterministic function of others, e.g.
        non-centred group effects) and ``auxiliary`` (an internal variable with a
        built-in prior, hidden from summaries).
        """
        out: list[tuple[str, str]] = []
        if self.intercept:
            out.append(("intercept", "prior"))
        covered = set(self.r2d2_terms)
        for term in self.terms:
            if isinstance(term, Group):
                out.append((f"{term.name}.sd", "prior"))
                if self.centered:
                    out.append((term.name, "hierarchical"))
                else:
                    out += [(term.name, "derived"), (f"{term.name}.z", "auxiliary")]
            else:
                out.append((term.name, "derived" if term in covered else "prior"))
        if self.r2d2 is not None:
            out += [("r2", "prior"), ("r2.phi", "auxiliary"), ("r2.z", "auxiliary")]
        if self.mechanism is not None:
            out += [(k, "prior") for k, _ in self.mechanism.params]
        if self.family_info.hurdle:
            out.append(("hurdle.intercept", "prior"))
            out += [(f"hurdle.{t.name}", "prior") for t in self.hurdle_terms]
        if self.family == "OrderedLogistic":
            out += [("cutpoints.first", "prior")]
            if self.levels is None or len(self.levels) > 2:
                out.append(("cutpoints.gaps", "prior"))
            out.append(("cutpoints", "derived"))
        out += [(a, "prior") for a in self.family_info.aux]
        return tuple(out)

    def local_parameters(self) -> tuple[str, ...]:
        """Local names of the parameters that take a prior (keys of ``priors=``)."""
        return tuple(k for k, kind in self.parameter_locals() if kind == "prior")

    def prior_for(self, local_name: str) -> Prior | None:
        if self.mechanism is not None:
            given = dict(self.mechanism.params).get(local_name)
            if given is not None and local_name not in dict(self.priors):
                return given
        if local_name == "r2" and self.r2d2 is not None and local_name not in dict(self.priors):
            return self.r2d2.r2_prior
        return dict(self.priors).get(local_name)

    def with_levels(self, levels: Sequence[str]) -> Node:
        return replace(self, levels=tuple(str(v) for v in levels))

    def with_group_levels(self, levels: Mapping[str, Sequence[str]]) -> Node:
        return replace(
            self, group_levels=tuple((k, tuple(str(v) for v in levels[k])) for k, _ in self.groups)
        )

    def levels_of_group(self, key: str) -> tuple[str, ...] | None:
        return dict(self.group_levels).get(key)

    @property
    def group_columns(self) -> tuple[str, ...]:
        """Exogenous columns the grouping keys read (``a:b`` reads a and b)."""
        seen: dict[str, None] = {}
        for key, _ in self.groups:
            for col in key.split(":"):
                seen.setdefault(col)
        return tuple(seen)

    # -- validation ----------------------------------------------------------
    def _checked_priors(self) -> tuple[tuple[str, Prior], ...]:
        given = self.priors.items() if isinstance(self.priors, Mapping) else self.priors
        kinds = dict(self.parameter_locals())
        valid = self.local_parameters()
        out = []
        for key, value in given:
            if kinds.get(key) == "derived" and key in {t.name for t in self.r2d2_terms}:
                raise SpecError(
                    f"coefficient {key!r} is governed by the R2D2 prior; drop its prior or the r2d2 option"
                )
            if key not in valid:
                raise SpecError(
                    f"prior given for unknown parameter {key!r}; this node's parameters are {list(valid)}"
                )
            prior = as_prior(value)
            positive = key in self.family_info.aux or key.endswith(".sd") or key == "cutpoints.gaps"
            if positive and prior.allows_negative():
                raise SpecError(
                    f"parameter {key!r} must be positive; give it a positive prior such as Prior('HalfNormal', sigma=1)"
                )
            if key in {"psi", "r2"} and not _in_unit_interval(prior):
                raise SpecError(
                    f"parameter {key!r} is a probability; give it a prior on [0, 1] such as Prior('Beta', alpha=1, beta=1)"
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
        if self.has_levels:
            if self.levels is not None:
                levels = tuple(str(v) for v in self.levels)
                if len(levels) < 2 or len(set(levels)) != len(levels):
                    raise SpecError(
                        f"{self.family} levels must be at least two distinct labels, got {list(self.levels)}"
                    )
                object.__setattr__(self, "levels", levels)
        elif self.levels is not None:
            raise SpecError(
                f"levels only apply to Categorical, OrderedLogistic and categorical Given nodes, not {self.family}"
            )
        if self.family == "OrderedLogistic" and self.intercept and self.mechanism is None:
            raise SpecError(
                "OrderedLogistic has cutpoints instead of an intercept: use intercept=False"
            )
        if self.measurement_error is not None:
            if self.family != "Normal":
                raise SpecError(
                    f"measurement_error applies to Normal nodes, not {self.family}; for another family "
                    "declare a latent true node and observe it with cb.Measurement"
                )
            if not isinstance(self.measurement_error, str) or not self.measurement_error:
                raise SpecError(
                    "measurement_error names a data column of standard errors, e.g. 'se'"
                )
        if self.r2d2 is not None:
            if not isinstance(self.r2d2, R2D2):
                raise SpecError("r2d2= takes a causalbayes.R2D2(...)")
            if self.family not in {"Normal", "StudentT"} or self.link != "identity":
                raise SpecError(
                    "the R2D2 prior is defined through the residual sd: use it on a Normal or StudentT "
                    "node with the identity link"
                )
            if not self.r2d2_terms:
                raise SpecError("the R2D2 prior needs at least one parent")

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
        if not self.intercept and self.mechanism is None and not self.is_given:
            d["intercept"] = False
        if self.categorical is not None:
            d["categorical"] = self.categorical
        if self.trials is not None:
            d["trials"] = self.trials
        if self.levels is not None:
            d["levels"] = list(self.levels)
        if self.groups:
            d["groups"] = {k: list(v) for k, v in self.groups}
        if self.group_levels:
            d["group_levels"] = {k: list(v) for k, v in self.group_levels}
        if self.nonlinear:
            d["terms"] = [
                t.to_dict()
                if isinstance(t, Spline)
                else {"kind": "power", "parent": t.parent, "exponent": t.exponent}
                for t in self.nonlinear
            ]
        if self.centered:
            d["centered"] = True
        if self.mechanism is not None:
            d["mechanism"] = self.mechanism.to_dict()
        if self.measurement_error is not None:
            d["measurement_error"] = self.measurement_error
        if self.r2d2 is not None:
            d["r2d2"] = self.r2d2.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], mechanisms: Mapping[str, Any] | None = None) -> Node:
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
            "groups",
            "group_levels",
            "terms",
            "centered",
            "mechanism",
            "measurement_error",
            "r2d2",
            "categorical",
        }
        unknown = set(d) - known
        if unknown:
            raise SpecError(
                f"unknown node field(s) {sorted(unknown)}; known fields are {sorted(known)}"
            )
        priors = {k: Prior.from_dict(v) for k, v in dict(d.get("priors", {})).items()}
        levels = d.get("levels")
        mechanism = d.get("mechanism")
        r2d2 = d.get("r2d2")
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
            groups=tuple((k, tuple(v)) for k, v in dict(d.get("groups", {})).items()),
            group_levels=tuple((k, tuple(v)) for k, v in dict(d.get("group_levels", {})).items()),
            nonlinear=tuple(_term_from_dict(t) for t in d.get("terms", ())),
            centered=bool(d.get("centered", False)),
            mechanism=Mechanism.from_dict(mechanism, mechanisms) if mechanism else None,
            measurement_error=d.get("measurement_error"),
            r2d2=R2D2(**r2d2) if r2d2 else None,
            categorical=d.get("categorical"),
        )


def _term_from_dict(d: Mapping[str, Any]) -> Power | Spline:
    kind = d.get("kind") if isinstance(d, Mapping) else None
    if kind == "power":
        return Power(str(d["parent"]), int(d["exponent"]))
    if kind == "spline":
        bounds = d.get("bounds")
        return Spline(
            str(d["parent"]),
            df=int(d["df"]),
            degree=int(d["degree"]),
            bounds=tuple(bounds) if bounds is not None else None,
        )
    raise SpecError(f"unknown term description {d!r}; expected kind 'power' or 'spline'")


def _in_unit_interval(prior: Prior) -> bool:
    if prior.is_fixed:
        return 0.0 <= prior.kwargs["value"] <= 1.0
    if prior.dist == "Uniform":
        return prior.kwargs["lower"] >= 0 and prior.kwargs["upper"] <= 1
    return prior.support == "unit"


def _groups(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Normalise ``groups=``: a list of columns or a dict column -> varying slopes.

    ``"region/field"`` (field nested in region) expands, as in lme4, to the
    groups ``region`` and ``region:field``.
    """
    if not value:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        raise SpecError(
            f"groups= takes a list of columns or a dict column -> slopes, got {value!r}"
        )
    items = value.items() if isinstance(value, Mapping) else value
    out: dict[str, tuple[str, ...]] = {}
    explicit: set[str] = set()
    for item in items:
        key, slopes = (item, ()) if isinstance(item, str) else _key_and_slopes(item)
        slopes = _name_tuple(slopes, "group-varying slopes")
        if (
            not isinstance(key, str)
            or not key
            or any(not c for c in key.replace("/", ":").split(":"))
        ):
            raise SpecError(
                f"a grouping key is a column name, 'a/b' for b nested in a, or 'a:b'; got {key!r}"
            )
        parts = key.split("/")
        keys = [":".join(parts[: i + 1]) for i in range(len(parts))]
        if keys[-1] in explicit:
            raise SpecError(f"grouping {keys[-1]!r} is declared twice; list each grouping once")
        explicit.add(keys[-1])
        for k in keys:  # an outer level implied by nesting merges with its own declaration
            merged = out.get(k, ())
            out[k] = merged + tuple(s for s in slopes if s not in merged)
    return tuple(out.items())


def _key_and_slopes(item: Any) -> tuple[Any, Any]:
    if isinstance(item, tuple | list) and len(item) == 2:
        return item[0], item[1]
    raise SpecError(f"a grouping is a column name or (column, slopes); got {item!r}")


def _name_tuple(values: Iterable[str] | str | None, what: str) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = (values,)
    if not isinstance(values, Iterable):
        raise SpecError(f"{what} must be a list of node names, got {values!r}")
    out = tuple(values)
    bad = [v for v in out if not isinstance(v, str) or not v]
    if bad:
        raise SpecError(f"{what} must be node names (strings), got {bad}")
    return out


def _pair(value: Any) -> tuple[str, str]:
    if isinstance(value, str) and ":" in value:
        value = value.split(":")
    pair = (value,) if isinstance(value, str) or not isinstance(value, Iterable) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, str) for v in pair) or pair[0] == pair[1]:
        raise SpecError(
            f"an interaction is two different parent names, e.g. ('dose', 'age') or 'dose:age'; got {value!r}"
        )
    return pair  # type: ignore[return-value]
