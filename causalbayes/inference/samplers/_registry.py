"""The sampler registry: one name per backend, optional ones imported lazily.

Every backend turns a conditioned ``pm.Model`` into an ``InferenceData`` with
``posterior`` and ``sample_stats`` groups labelled with the model's dims, so
the ``Fit`` built from it is the same whatever the sampler.  Backends that
need an optional package check for it only when used and raise
:class:`~causalbayes.errors.MissingDependencyError` naming the extra.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

from causalbayes.errors import MissingDependencyError, SpecError

#: ``sampler="auto"`` takes the first of these that is installed, for data with at
#: least ``AUTO_NUTPIE_MIN_ROWS`` rows; below that PyMC's NUTS (see docs/benchmarks.md:
#: nutpie's numba compile, several seconds per process, outweighs its faster sampling on
#: small data; from about 10,000 rows its sampling speed wins).  numpyro with a warm
#: persistent JAX cache is faster in wall time at 1,000 rows but draws fewer effective
#: samples per draw: per effective draw end to end it ties PyMC under load and loses idle,
#: and a first (cold) run is slower, so it is not picked automatically.
AUTO_ORDER = ("nutpie", "pymc")
AUTO_NUTPIE_MIN_ROWS = 5_000
#: ... or when one compiled model serves at least this many fits (a Refitter, a study's
#: worker): measured on story 1 at N = 200, 2 chains x 500 + 500, nutpie's one-off
#: compile took 21.5 s in a fresh process and then 0.4 s per fit, against PyMC's 6 s per
#: fit, so it pays back after about four fits.
AUTO_NUTPIE_MIN_FITS = 4


@dataclass(frozen=True)
class SamplerInfo:
    """A registered backend.

    Attributes
    ----------
    name : str
        What users pass as ``sampler=``.
    requires : tuple of str
        Importable modules the backend needs.
    extra : str or None
        The ``pip install "causalbayes[extra]"`` that provides them.
    target : str
        ``"module:function"`` of the backend's ``sample(model, **options)``.
    exact : bool
        True for MCMC (asymptotically exact) and closed-form posteriors; False for
        approximations (no R-hat, no divergences).
    description : str
    reads_data : bool
        The backend takes the encoded data and scales (``sample(encoded, scales,
        **options)``) instead of a ``pm.Model``: closed-form posteriors, no model built.
    """

    name: str
    requires: tuple[str, ...]
    extra: str | None
    target: str
    exact: bool
    description: str
    reads_data: bool = False

    def installed(self) -> bool:
        return all(importlib.util.find_spec(m) is not None for m in self.requires)

    def load(self) -> Callable:
        """The backend's ``sample`` function; raises if its extra is missing."""
        missing = [m for m in self.requires if importlib.util.find_spec(m) is None]
        if missing:
            raise MissingDependencyError(
                f"sampler {self.name!r} needs {', '.join(missing)}; "
                f'install it with: pip install "causalbayes[{self.extra}]"'
            )
        module, function = self.target.split(":")
        return getattr(importlib.import_module(module), function)


_PKG = "causalbayes.inference.samplers"
SAMPLERS: dict[str, SamplerInfo] = {
    s.name: s
    for s in (
        SamplerInfo(
            "pymc", (), None, f"{_PKG}.pymc_nuts:sample", True, "PyMC's NUTS, chains in processes"
        ),
        SamplerInfo(
            "nutpie",
            ("nutpie",),
            "nutpie",
            f"{_PKG}.nutpie_nuts:sample",
            True,
            "nutpie NUTS (numba), threads",
        ),
        SamplerInfo(
            "numpyro",
            ("numpyro", "jax"),
            "jax",
            f"{_PKG}.jax_nuts:sample_numpyro",
            True,
            "NumPyro NUTS (JAX), chains in parallel over CPU devices",
        ),
        SamplerInfo(
            "blackjax",
            ("blackjax", "jax"),
            "jax",
            f"{_PKG}.jax_nuts:sample_blackjax",
            True,
            "BlackJAX NUTS (JAX), chains vectorised",
        ),
        SamplerInfo(
            "advi",
            (),
            None,
            f"{_PKG}.advi:sample",
            False,
            "mean-field ADVI, minibatched on large data; draws from the approximation",
        ),
        SamplerInfo(
            "exact",
            (),
            None,
            f"{_PKG}.exact:sample",
            True,
            "independent draws from the closed-form posterior of a conjugate model, no MCMC",
            reads_data=True,
        ),
    )
}


def available_samplers() -> dict[str, bool]:
    """Every registered sampler name and whether it can run here.

    Examples
    --------
    >>> available = available_samplers()
    >>> available["pymc"], "nutpie" in available
    (True, True)
    """
    return {name: info.installed() for name, info in SAMPLERS.items()}


def resolve_sampler(
    name: str, *, n_rows: int | None = None, conjugate: bool = False, fits: int = 1
) -> SamplerInfo:
    """The backend behind ``name``; ``"auto"`` picks the fastest one installed.

    ``"auto"`` is ``"exact"`` when the model is ``conjugate`` (closed-form posterior
    draws, see :mod:`causalbayes.inference.samplers.exact`), else nutpie when it is
    installed and its one-off compile pays back: the data have at least
    ``AUTO_NUTPIE_MIN_ROWS`` rows (or ``n_rows`` is not given), or the compiled model
    serves at least ``AUTO_NUTPIE_MIN_FITS`` ``fits`` (refits in a study); otherwise
    PyMC's NUTS.  ``cb.fit``, ``cb.Refitter``, ``cb.recover`` and ``cb.sbc`` all follow
    this rule, measured fastest end to end in a fresh process; the chosen name is
    recorded in ``Fit.sampler``.  A missing nutpie is not an
    error for ``"auto"`` (PyMC's NUTS is always there); naming an uninstalled
    backend explicitly raises :class:`~causalbayes.errors.MissingDependencyError`.

    Examples
    --------
    >>> resolve_sampler("pymc").name
    'pymc'
    >>> resolve_sampler("auto", n_rows=100).name
    'pymc'
    >>> resolve_sampler("auto", n_rows=100, conjugate=True).name
    'exact'
    >>> resolve_sampler("auto", n_rows=100_000).name in AUTO_ORDER
    True
    >>> resolve_sampler("auto", n_rows=100, fits=50).name in AUTO_ORDER
    True
    >>> resolve_sampler("stan")
    Traceback (most recent call last):
    ...
    causalbayes.errors.SpecError: unknown sampler 'stan'; choose one of ['auto', 'pymc', 'nutpie', 'numpyro', 'blackjax', 'advi', 'exact']
    """
    if name == "auto":
        if conjugate:
            return SAMPLERS["exact"]
        if n_rows is not None and n_rows < AUTO_NUTPIE_MIN_ROWS and fits < AUTO_NUTPIE_MIN_FITS:
            return SAMPLERS["pymc"]
        return next(SAMPLERS[s] for s in AUTO_ORDER if SAMPLERS[s].installed())
    if name not in SAMPLERS:
        raise SpecError(f"unknown sampler {name!r}; choose one of {['auto', *SAMPLERS]}")
    return SAMPLERS[name]
