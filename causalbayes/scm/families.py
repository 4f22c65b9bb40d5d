"""What each distribution family is, independent of PyMC.

The compile layer maps family names to PyMC distributions; this table says
which links a family accepts, which auxiliary parameters it has and what
values its data may take (used to validate data and treatment values).
"""

from __future__ import annotations

from dataclasses import dataclass

from causalbayes.errors import SpecError

LINKS = ("identity", "logit", "probit", "log", "softmax")


@dataclass(frozen=True)
class Family:
    name: str
    support: str  # real | positive | nonnegative | unit | binary | count | bounded_count | categorical | ordinal | given
    links: tuple[str, ...]  # first is the default
    aux: tuple[str, ...] = ()  # auxiliary parameters besides the linear predictor
    hurdle: bool = False  # a second (logit) predictor for P(value > 0)

    @property
    def default_link(self) -> str:
        return self.links[0]

    @property
    def is_discrete(self) -> bool:
        return self.support in {"binary", "count", "bounded_count", "categorical", "ordinal"}

    @property
    def has_levels(self) -> bool:
        """Values are labels coded 0..K-1 (categorical or ordered)."""
        return self.support in {"categorical", "ordinal"}


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("Normal", "real", ("identity", "log"), ("sigma",)),
        Family("StudentT", "real", ("identity",), ("sigma", "nu")),
        Family("LogNormal", "positive", ("identity",), ("sigma",)),
        Family("Gamma", "positive", ("log", "identity"), ("alpha",)),
        Family("Bernoulli", "binary", ("logit", "probit", "identity")),
        Family("Binomial", "bounded_count", ("logit", "probit", "identity")),
        Family("Poisson", "count", ("log", "identity")),
        Family("NegativeBinomial", "count", ("log",), ("alpha",)),
        Family("Categorical", "categorical", ("softmax",)),
        Family("Beta", "unit", ("logit", "probit"), ("phi",)),
        Family("OrderedLogistic", "ordinal", ("logit",)),  # cutpoints: see Node
        Family("HurdleLogNormal", "nonnegative", ("identity",), ("sigma",), hurdle=True),
        Family("HurdleGamma", "nonnegative", ("log",), ("alpha",), hurdle=True),
        Family("ZeroInflatedPoisson", "count", ("log",), ("psi",)),
        Family("ZeroInflatedNegativeBinomial", "count", ("log",), ("alpha", "psi")),
        Family("Given", "given", ("identity",)),  # data, not modelled: see Node.is_given
    )
}
# A given column of labels (strings, categories): encoded as level codes like a Categorical.
GIVEN_CATEGORICAL = Family("Given", "categorical", ("identity",))


def get_family(name: str) -> Family:
    try:
        return FAMILIES[name]
    except KeyError:
        raise SpecError(f"unknown family {name!r}; choose one of {sorted(FAMILIES)}") from None


def check_link(family: Family, link: str | None) -> str:
    """Return the link to use, refusing one the family does not support."""
    if link is None:
        return family.default_link
    if link not in family.links:
        raise SpecError(
            f"family {family.name} does not support link {link!r}; choose one of {list(family.links)}"
        )
    return link
