"""The family constructors users declare nodes with: ``cb.Normal([...], ...)`` and friends.

Each returns a frozen, validated :class:`~causalbayes.scm.node.Node`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from typing import Any

from causalbayes.errors import ArgumentError, SpecError
from causalbayes.families import get_family
from causalbayes.scm.mechanism import R2D2, Mechanism
from causalbayes.scm.node import Node, _name_tuple


def _node(
    family: str,
    parents,
    *,
    priors=None,
    interactions=(),
    levels=None,
    terms=(),
    groups=(),
    link=None,
    **options,
) -> Node:
    _refuse_unknown(family, options, {f.name for f in fields(Node) if f.init})
    if priors is not None and not isinstance(priors, Mapping):
        raise SpecError(f"priors= takes a dict of parameter -> cb.Prior, got {priors!r}")
    return Node(
        family=family,
        parents=_name_tuple(parents, "parents"),
        link=link or "",
        interactions=_options(interactions, "interactions"),
        priors=tuple(dict(priors or {}).items()),
        levels=_options(levels, "levels") if levels is not None else None,
        nonlinear=_options(terms, "terms"),
        groups=groups,
        **options,
    )


def _refuse_unknown(family: str, options: Mapping, known: set[str]) -> None:
    unknown = sorted(set(options) - known)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ArgumentError(
            f"{family}() got unexpected keyword(s) {unknown}{hint}; see help(cb.{family})"
        )


def _options(values: Any, what: str) -> tuple:
    """A tuple of ``values`` (None for none), refusing a single non-sequence value."""
    if values is None:
        return ()
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise SpecError(f"{what}= takes a list, got {values!r}")
    return tuple(values)


_DOC = """{family} structural equation.

    Parameters
    ----------
    parents : sequence of str
        Direct causes, each entering the linear predictor with a coefficient.
    link : str, optional
        One of {links}; default ``{default}``.
    interactions : sequence of (str, str) or "a:b"
        Products of two parents with their own coefficient.
    terms : sequence
        Nonlinear terms: ``cb.Poly(parent, degree)``, ``cb.Spline(parent, df=5)``.
    groups : list of str or dict of str -> list of str
        Group-varying (partially pooled) effects by exogenous grouping columns:
        ``["store"]`` (varying intercept), ``{{"region": ["dose"]}}`` (varying
        intercept and dose slope), ``["region/field"]`` (field nested in region).
    centered : bool
        Centred parameterisation of group effects (default non-centred).
    priors : dict
        Overrides of the default priors by local parameter name
        (``intercept``, a parent name, ``a:b``, ``1|store.sd``{aux}); a number fixes the parameter.
    r2d2 : R2D2, optional
        Joint prior on the coefficients through R^2 (Normal/StudentT, identity link).
    mechanism : Mechanism, optional
        A user function of the parents replacing intercept and terms.
    latent : bool
        The node is unobserved.
    intercept : bool
        Include an intercept (default True).{extra}

    Returns
    -------
    Node
        A frozen, validated node; its parameters are named ``<node>.<local>``.

    Examples
    --------
    >>> import causalbayes as cb
    >>> scm = cb.SCM({{"x": cb.Normal(), "y": cb.{family}(["x"])}})
    >>> [p.name for p in scm.parameters("y")]
    {example_parameters}
    """


def _make(family: str, extra: str = "", *, example_parameters: str):
    fam = get_family(family)

    def constructor(
        parents: Sequence[str] | str = (),
        *,
        link: str | None = None,
        interactions=(),
        terms=(),
        groups=(),
        centered: bool = False,
        priors=None,
        r2d2: R2D2 | None = None,
        mechanism: Mechanism | None = None,
        latent: bool = False,
        intercept: bool = True,
        **family_options,
    ) -> Node:
        return _node(
            family,
            parents,
            link=link,
            interactions=interactions,
            terms=terms,
            groups=groups,
            centered=centered,
            priors=priors,
            r2d2=r2d2,
            mechanism=mechanism,
            latent=latent,
            intercept=intercept,
            **family_options,
        )

    constructor.__name__ = constructor.__qualname__ = family
    constructor.__doc__ = _DOC.format(
        family=family,
        links=", ".join(fam.links),
        default=fam.default_link,
        aux="".join(f", ``{a}``" for a in fam.aux),
        extra=extra,
        example_parameters=example_parameters,
    )
    return constructor


_ME_DOC = """
    measurement_error : str, optional
        Column of known per-row standard errors: the node is observed with that
        error around its true value, ``y ~ Normal(mu, sqrt(sigma^2 + se^2))``."""

Normal = _make("Normal", _ME_DOC, example_parameters="['y.intercept', 'y.x', 'y.sigma']")
StudentT = _make("StudentT", example_parameters="['y.intercept', 'y.x', 'y.sigma', 'y.nu']")
LogNormal = _make("LogNormal", example_parameters="['y.intercept', 'y.x', 'y.sigma']")
Gamma = _make("Gamma", example_parameters="['y.intercept', 'y.x', 'y.alpha']")
Bernoulli = _make("Bernoulli", example_parameters="['y.intercept', 'y.x']")
Poisson = _make("Poisson", example_parameters="['y.intercept', 'y.x']")
NegativeBinomial = _make("NegativeBinomial", example_parameters="['y.intercept', 'y.x', 'y.alpha']")
Beta = _make("Beta", example_parameters="['y.intercept', 'y.x', 'y.phi']")
HurdleLogNormal = _make(
    "HurdleLogNormal",
    """
    Two parts: ``P(y > 0)`` has its own logit predictor (``hurdle.intercept``,
    ``hurdle.<term>``), and positive values are LogNormal.""",
    example_parameters="['y.intercept', 'y.x', 'y.hurdle.intercept', 'y.hurdle.x', 'y.sigma']",
)
HurdleGamma = _make(
    "HurdleGamma",
    """
    Two parts: ``P(y > 0)`` has its own logit predictor (``hurdle.intercept``,
    ``hurdle.<term>``), and positive values are Gamma (log link).""",
    example_parameters="['y.intercept', 'y.x', 'y.hurdle.intercept', 'y.hurdle.x', 'y.alpha']",
)
ZeroInflatedPoisson = _make(
    "ZeroInflatedPoisson",
    "\n    ``psi`` is the probability that a value comes from the Poisson part.",
    example_parameters="['y.intercept', 'y.x', 'y.psi']",
)
ZeroInflatedNegativeBinomial = _make(
    "ZeroInflatedNegativeBinomial",
    "\n    ``psi`` is the probability that a value comes from the negative-binomial part.",
    example_parameters="['y.intercept', 'y.x', 'y.alpha', 'y.psi']",
)


def Binomial(parents: Sequence[str] | str = (), *, trials: int | str, **options) -> Node:  # noqa: N802
    """Binomial structural equation with ``trials`` fixed or read from a data column.

    Other options as for :func:`Normal`.

    Examples
    --------
    >>> Binomial(["page"], trials="visitors").trials
    'visitors'
    """
    return _node("Binomial", parents, trials=trials, **options)


def Categorical(
    parents: Sequence[str] | str = (), *, levels: Sequence[str] | None = None, **options
) -> Node:  # noqa: N802
    """Categorical (multinomial-logit) structural equation.

    The first level is the reference; each other level gets its own
    intercept and coefficients on the log-odds scale against it.

    Examples
    --------
    >>> Categorical(levels=["A", "B", "C"]).levels
    ('A', 'B', 'C')
    """
    return _node("Categorical", parents, levels=levels, **options)


def OrderedLogistic(
    parents: Sequence[str] | str = (), *, levels: Sequence[str] | None = None, **options
) -> Node:  # noqa: N802
    """Ordered-categorical (cumulative logit) structural equation.

    ``P(y <= k) = invlogit(cutpoint_k - eta)``: cutpoints replace the
    intercept; ``levels`` are ordered lowest first (default: the order of a
    pandas ordered Categorical column, or sorted labels, numbers numerically).

    Examples
    --------
    >>> OrderedLogistic(["dose"], levels=["none", "mild", "severe"]).local_parameters()
    ('dose', 'cutpoints.first', 'cutpoints.gaps')
    """
    return _node("OrderedLogistic", parents, levels=levels, intercept=False, **options)


def Given(  # noqa: N802
    parents: Sequence[str] | str = (),
    *,
    categorical: bool | None = None,
    levels: Sequence[str] | None = None,
    **unknown: Any,
) -> Node:
    """A data column the model conditions on without modelling it.

    A given node has no distribution and no parameters: its observed values
    enter its children's mechanisms as they are.  Use it for covariates no
    query needs a model of (the usual confounders): effects average over the
    observed rows (sample effects) or over a Bayesian bootstrap of them
    (population effects).  ``parents`` only record causes for identification.
    A query that must regenerate it (it is a descendant of the treatment) is
    refused: declare a family for it instead.

    Parameters
    ----------
    parents : sequence of str
        Its causes in the graph (not used by the model).
    categorical : bool, optional
        Whether its values are labels; default: decided from the data's type
        (strings and categories are labels; numbers and booleans are numbers).
    levels : sequence of str, optional
        The labels, first one the reference (implies ``categorical=True``).

    Examples
    --------
    >>> import causalbayes as cb
    >>> scm = cb.SCM({"age": cb.Given(), "t": cb.Bernoulli(["age"]), "y": cb.Normal(["t", "age"])})
    >>> scm["age"].local_parameters()
    ()
    """
    _refuse_unknown("Given", unknown, set())
    return Node(
        "Given",
        parents=_name_tuple(parents, "parents"),
        categorical=categorical,
        levels=_options(levels, "levels") if levels is not None else None,
    )


def Measurement(true_node: str, *, se: str, latent: bool = False) -> Node:  # noqa: N802
    """An observation of ``true_node`` with known per-row standard errors in column ``se``.

    ``node ~ Normal(true_node, se)``: declare the true value as a latent node
    and its children read the true value, not the noisy one.

    Examples
    --------
    >>> import causalbayes as cb
    >>> scm = cb.SCM({
    ...     "x_true": cb.Normal(latent=True),
    ...     "x": cb.Measurement("x_true", se="x_se"),
    ...     "y": cb.Normal(["x_true"]),
    ... })
    >>> scm["x"].local_parameters()
    ('intercept', 'x_true', 'sigma')
    """
    fixed = {"intercept": 0.0, true_node: 1.0, "sigma": 0.0}
    return _node("Normal", [true_node], priors=fixed, measurement_error=se, latent=latent)
