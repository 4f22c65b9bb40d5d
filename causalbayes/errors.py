"""One exception hierarchy for everything causalbayes refuses.

Every class subclasses :class:`CausalBayesError` *and* the builtin that best
matches the mistake, so ``except ValueError`` in user code keeps working.
Messages name the offending node/column and say how to fix it.
"""

from __future__ import annotations


class CausalBayesError(Exception):
    """Base class of every error raised on purpose by causalbayes.

    Examples
    --------
    >>> import causalbayes as cb
    >>> try:
    ...     cb.SCM({"y": cb.Normal(["x"])})
    ... except cb.CausalBayesError as err:
    ...     print(type(err).__name__, "-", err)
    GraphError - node 'y' has unknown parent(s) ['x']; declared nodes are ['y']
    """


class GraphError(CausalBayesError, ValueError):
    """The DAG is malformed: a cycle, an unknown node, a duplicated name, bad syntax.

    Examples
    --------
    >>> import causalbayes as cb
    >>> cb.DAG.from_edge_string("a -> b; b -> a")
    Traceback (most recent call last):
        ...
    causalbayes.errors.GraphError: the graph has a cycle: a -> b -> a; a DAG must be acyclic, so remove one of these edges: a -> b, b -> a
    """


class SpecError(CausalBayesError, ValueError):
    """A structural equation or prior is invalid (family, link, parent, option).

    Examples
    --------
    >>> import causalbayes as cb
    >>> cb.Normal(link="logit")
    Traceback (most recent call last):
        ...
    causalbayes.errors.SpecError: family Normal does not support link 'logit'; choose one of ['identity', 'log']
    """


class DataError(CausalBayesError, ValueError):
    """A data frame does not fit the SCM: missing column, NaN, value outside support.

    Examples
    --------
    >>> import causalbayes as cb
    >>> scm = cb.SCM({"x": cb.Normal(), "y": cb.Poisson(["x"])})
    >>> df = cb.simulate(scm, 5, random_seed=0)
    >>> df.loc[0, "y"] = -1
    >>> try:
    ...     cb.conditioned_model(scm, df)
    ... except cb.DataError as err:
    ...     print("refused:", type(err).__mro__[1:3])
    refused: (<class 'causalbayes.errors.CausalBayesError'>, <class 'ValueError'>)
    """


class QueryError(CausalBayesError, ValueError):
    """A causal query cannot be answered as asked (unknown node, value outside support).

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> cb.ate(example_fit(), "dilution", "gloss")
    Traceback (most recent call last):
        ...
    causalbayes.errors.QueryError: outcome 'gloss' is not in the graph; nodes are ['humid', 'dilution', 'coating']
    """


class FileFormatError(CausalBayesError, ValueError):
    """A saved artefact is not one causalbayes wrote, or is from an unknown version.

    Examples
    --------
    >>> import tempfile
    >>> import causalbayes as cb
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     try:
    ...         cb.load(folder)  # an empty folder: no fit.json
    ...     except cb.FileFormatError:
    ...         print("not a saved fit")
    not a saved fit
    """


class DiagnosticsError(CausalBayesError, RuntimeError):
    """A result was asked of a fit whose sampler diagnostics failed, with ``diagnostics="raise"``.

    Examples
    --------
    A fit whose chains disagree (R-hat 1.05), made by hand here:

    >>> import dataclasses
    >>> import causalbayes as cb
    >>> from causalbayes.inference.diagnostics import Diagnostics
    >>> from causalbayes.testing import example_fit
    >>> bad = dataclasses.replace(example_fit(), diagnostics=Diagnostics(0, 1.05, 400.0, 2, 100))
    >>> try:
    ...     cb.ate(bad, "dilution", "coating", diagnostics="raise")
    ... except cb.DiagnosticsError as err:
    ...     print(str(err)[:67])
    this result comes from a fit with failed sampler diagnostics; do no
    """


class ArgumentError(CausalBayesError, TypeError, ValueError):
    """A function argument is invalid: an unknown keyword, a wrong type or a value out of range.

    It subclasses both ``TypeError`` (what Python raises for an unknown keyword or
    a wrong type) and ``ValueError`` (a value out of range), so either ``except``
    clause catches it, whichever way the mistake is classified.

    Examples
    --------
    >>> from causalbayes.errors import ArgumentError
    >>> issubclass(ArgumentError, TypeError) and issubclass(ArgumentError, ValueError)
    True
    """


class MissingDependencyError(CausalBayesError, ImportError):
    """An optional dependency is needed; the message names the extra to install.

    Raised, for instance, by ``cb.fit(scm, df, sampler="nutpie")`` without the
    ``causalbayes[nutpie]`` extra; :func:`~causalbayes.available_samplers` says
    which samplers are installed.

    Examples
    --------
    >>> import causalbayes as cb
    >>> issubclass(cb.MissingDependencyError, ImportError)  # `except ImportError` catches it
    True
    >>> sorted(cb.available_samplers())
    ['advi', 'blackjax', 'exact', 'numpyro', 'nutpie', 'pymc']
    """


class CausalBayesWarning(UserWarning):
    """Base class of warnings about results that may not be trustworthy.

    Examples
    --------
    Turn every such warning into an error, e.g. in a pipeline that must not
    report a doubtful number:

    >>> import warnings
    >>> import causalbayes as cb
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", cb.CausalBayesWarning)
    ...     issubclass(cb.DiagnosticsWarning, cb.CausalBayesWarning)
    True
    """


class DiagnosticsWarning(CausalBayesWarning):
    """The sampler reported divergences, high R-hat or low effective sample size.

    Examples
    --------
    A fit whose chains disagree (R-hat 1.05), made by hand here; its effects warn:

    >>> import dataclasses, warnings
    >>> import causalbayes as cb
    >>> from causalbayes.inference.diagnostics import Diagnostics
    >>> from causalbayes.testing import example_fit
    >>> bad = dataclasses.replace(example_fit(), diagnostics=Diagnostics(0, 1.05, 400.0, 2, 100))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     effect = cb.ate(bad, "dilution", "coating")
    >>> caught[0].category.__name__, effect.warnings != []
    ('DiagnosticsWarning', True)
    """


class AssumptionWarning(CausalBayesWarning):
    """A result is fixed by the model's form (an assumption), not learned from the data.

    Examples
    --------
    Story 1 has no interaction of dilution with humidity, so its effect is the
    same in every humidity bin by construction:

    >>> import warnings
    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = cb.cate(example_fit(), "dilution", "coating", by="humid", bins=2)
    >>> caught[0].category.__name__
    'AssumptionWarning'
    """


class PositivityWarning(AssumptionWarning):
    """Few or no units at a treatment value an effect sets: the model extrapolates there.

    Examples
    --------
    >>> import warnings, causalbayes as cb
    >>> warnings.simplefilter("ignore", cb.PositivityWarning)  # to silence it in a notebook
    """


class IdentificationWarning(CausalBayesWarning):
    """The graph does not identify the causal query: the answer leans on priors.

    Examples
    --------
    An unobserved common cause ``u`` of treatment and outcome (the fit's draws
    come from the prior here, no MCMC):

    >>> import warnings
    >>> import causalbayes as cb
    >>> from causalbayes.testing import fake_fit
    >>> scm = cb.SCM({"u": cb.Normal(latent=True), "t": cb.Normal(["u"]), "y": cb.Normal(["t", "u"])})
    >>> fit = fake_fit(scm, cb.simulate(scm, 30, random_seed=0), random_seed=1)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     effect = cb.ate(fit, "t", "y", values=(1.0, 0.0), prior_draws=50)
    >>> caught[0].category.__name__, effect.details["identified"]
    ('IdentificationWarning', False)
    """
