"""Which parameters of a node are sampled on a standardized scale (data side, no PyMC).

Raw inputs (years, kg, dollars) give coefficients whose scales differ by many
orders of magnitude and intercepts that correlate with every slope; NUTS then
starts far off and crawls.  So a fit samples standardized free variables and
reports the user's parameters as exact linear functions of them:

- every numeric design column ``f`` (a numeric parent, a numeric product or a
  power, and each indicator column of a categorical parent) is centred at its
  data mean ``c`` and scaled by its data sd ``d``;
- the outcome's location ``m`` and scale ``s`` (on the link scale) are taken out;
- the *location* parameter of each predictor (the intercept, the cell means of a
  node without intercept, the first cutpoint of an ordered node, the hurdle
  intercept) absorbs the centring: ``intercept = m + s * free - sum_j beta_j c_j``;
- coefficients of these columns with Normal priors form one block, rotated by
  the QR factor of their standardized columns (decorrelates ``x`` and ``x^2``,
  and the contrasts of a categorical parent whose reference level is rare).

This module says *which* parameters take part; :mod:`causalbayes.compile.standardize`
builds the PyMC variables.
"""

from __future__ import annotations

from causalbayes.scm.scm import SCM
from causalbayes.scm.terms import Interaction, Linear, Power, Term

# Priors whose variable can be shifted by a tensor and stay in the same family.
LOCATION_FAMILIES = frozenset({"Normal", "StudentT", "Cauchy", "Laplace", "Uniform"})


def standardizable(scm: SCM, name: str) -> bool:
    """Whether the node's parameters are sampled on a standardized scale.

    Not for custom mechanisms (their parameters are the user's) nor for a
    probability on the identity link (its Beta priors live on [0, 1]).
    """
    node = scm.nodes[name]
    if node.mechanism is not None:
        return False
    return not (node.link == "identity" and node.family in {"Bernoulli", "Binomial"})


def numeric_terms(scm: SCM, name: str, *, hurdle: bool = False) -> tuple[Term, ...]:
    """Terms whose design column is one number per unit."""
    node = scm.nodes[name]
    terms = node.hurdle_terms if hurdle else node.terms
    return tuple(
        t
        for t in terms
        if isinstance(t, (Linear, Interaction, Power)) and not scm.term_is_categorical(t)
    )


def centred_terms(scm: SCM, name: str, *, hurdle: bool = False) -> tuple[Term, ...]:
    """Terms whose design columns are centred and scaled: numeric ones, and categorical
    main effects (one indicator column per non-reference level)."""
    node = scm.nodes[name]
    terms = node.hurdle_terms if hurdle else node.terms
    cell = None if hurdle else scm.cell_means_parent(name)
    numeric = set(numeric_terms(scm, name, hurdle=hurdle))
    return tuple(
        t
        for t in terms
        if t in numeric
        or (t is not cell and isinstance(t, Linear) and scm.is_categorical(t.parent))
    )


def coefficient_local(term: Term, *, hurdle: bool = False) -> str:
    return f"hurdle.{term.name}" if hurdle else term.name


def location_local(scm: SCM, name: str, *, hurdle: bool = False) -> str | None:
    """The parameter that absorbs the centring of the numeric columns, if any."""
    node = scm.nodes[name]
    if hurdle:
        return "hurdle.intercept"
    if node.intercept:
        return "intercept"
    if node.family == "OrderedLogistic":
        return "cutpoints.first"
    cell = scm.cell_means_parent(name)
    return cell.name if cell is not None else None


def predictor_key(name: str, *, hurdle: bool = False) -> str:
    """Key of one linear predictor of a node (its rotation is stored under it)."""
    return f"{name}.hurdle" if hurdle else name


def rotated_terms(scm: SCM, name: str, *, hurdle: bool = False) -> tuple[str, ...]:
    """Names of the centred terms sampled as one rotated block (two or more columns, or none).

    Those with a Normal prior (the default, or one the user gave) and free
    coefficients: a Normal prior stays (multivariate) Normal under the
    rotation, other families would not.
    """
    node = scm.nodes[name]
    if not standardizable(scm, name) or node.family == "Categorical":
        return ()  # categorical outcomes have vector coefficients: scaled one by one
    kinds = dict(node.parameter_locals())
    block = []
    width = 0
    for term in centred_terms(scm, name, hurdle=hurdle):
        local = coefficient_local(term, hurdle=hurdle)
        if kinds.get(local) != "prior":
            continue  # R2-D2 coefficients are derived
        given = node.prior_for(local)
        if given is None or given.dist == "Normal":
            block.append(term.name)
            width += column_count(scm, term)
    return tuple(block) if width >= 2 else ()


def column_count(scm: SCM, term: Term) -> int:
    """Design columns of a centred term: one, or one per non-reference level."""
    if isinstance(term, Linear) and scm.is_categorical(term.parent):
        levels = scm.nodes[term.parent].levels
        return len(levels) - 1 if levels is not None else 0
    return 1


def predictors(scm: SCM, name: str) -> tuple[bool, ...]:
    """The node's linear predictors: ``(False,)`` or ``(False, True)`` with a hurdle."""
    return (False, True) if scm.nodes[name].family_info.hurdle else (False,)


__all__ = [
    "LOCATION_FAMILIES",
    "centred_terms",
    "coefficient_local",
    "column_count",
    "location_local",
    "numeric_terms",
    "predictor_key",
    "predictors",
    "rotated_terms",
    "standardizable",
]
