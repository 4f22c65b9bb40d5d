"""One exception hierarchy for everything causalbayes refuses.

Every class subclasses :class:`CausalBayesError` *and* the builtin that best
matches the mistake, so ``except ValueError`` in user code keeps working.
Messages name the offending node/column and say how to fix it.
"""

from __future__ import annotations


class CausalBayesError(Exception):
    """Base class of every error raised on purpose by causalbayes."""


class GraphError(CausalBayesError, ValueError):
    """The DAG is malformed: a cycle, an unknown node, a duplicated name, bad syntax."""


class SpecError(CausalBayesError, ValueError):
    """A structural equation or prior is invalid (family, link, parent, option)."""


class DataError(CausalBayesError, ValueError):
    """A data frame does not fit the SCM: missing column, NaN, value outside support."""


class QueryError(CausalBayesError, ValueError):
    """A causal query cannot be answered as asked (unknown node, value outside support)."""


class FileFormatError(CausalBayesError, ValueError):
    """A saved artefact is not one causalbayes wrote, or is from an unknown version."""


class DiagnosticsError(CausalBayesError, RuntimeError):
    """A result was asked of a fit whose sampler diagnostics failed, with ``diagnostics="raise"``."""


class ArgumentError(CausalBayesError, TypeError, ValueError):
    """A function argument is invalid: an unknown keyword, a wrong type or a value out of range.

    It subclasses both ``TypeError`` (what Python raises for an unknown keyword or
    a wrong type) and ``ValueError`` (a value out of range), so either ``except``
    clause catches it, whichever way the mistake is classified.
    """


class MissingDependencyError(CausalBayesError, ImportError):
    """An optional dependency is needed; the message names the extra to install."""


class CausalBayesWarning(UserWarning):
    """Base class of warnings about results that may not be trustworthy."""


class DiagnosticsWarning(CausalBayesWarning):
    """The sampler reported divergences, high R-hat or low effective sample size."""


class AssumptionWarning(CausalBayesWarning):
    """A result is fixed by the model's form (an assumption), not learned from the data."""


class PositivityWarning(AssumptionWarning):
    """Few or no units at a treatment value an effect sets: the model extrapolates there.

    Examples
    --------
    >>> import warnings, causalbayes as cb
    >>> warnings.simplefilter("ignore", cb.PositivityWarning)  # to silence it in a notebook
    """


class IdentificationWarning(CausalBayesWarning):
    """The graph does not identify the causal query: the answer leans on priors."""
