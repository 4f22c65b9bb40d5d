"""Fit one SCM to many data sets, compiling the model once.

Simulation studies, bootstraps and dashboards refit the same SCM again and
again.  Building, observing and compiling the model every time costs seconds
per fit; a :class:`Refitter` does it once, from a template data set, and each
:meth:`Refitter.fit` only swaps the data (see :mod:`.shared_data`).
"""

from __future__ import annotations

import pandas as pd

from causalbayes.data.encode import encode_data
from causalbayes.data.scales import Scales, scales_from_data
from causalbayes.errors import DataError, SpecError
from causalbayes.inference.blocks import Block, block_seed, partition, seed_entropy
from causalbayes.inference.blockwise import assemble, exact_partition, no_draws
from causalbayes.inference.diagnostics import diagnose
from causalbayes.inference.fit import Fit
from causalbayes.inference.merge import merge_blocks, only_posterior
from causalbayes.inference.samplers import AUTO_NUTPIE_MIN_FITS, linear, resolve_sampler
from causalbayes.inference.samplers.linear import LinearPrior, exact_diagnostics, linear_prior
from causalbayes.inference.sampling import AUTO_BLOCK_MIN_ROWS, checked_variables, make_fit
from causalbayes.inference.shared_data import SharedDataModel, shared_data_model
from causalbayes.scm.scm import SCM

#: Backends a Refitter can drive.
REFIT_SAMPLERS = ("auto", "nutpie", "pymc")


class Refitter:
    """Compile an SCM once, then fit it to any number of data sets.

    Parameters
    ----------
    scm : SCM
    template : DataFrame
        A data set of the kind to come.  It fixes the categorical levels and
        the **data scales of the default priors**: every later fit uses the same
        priors (what a simulation study needs; ``cb.fit`` would rescale them to
        each data set).
    sampler : {"auto", "nutpie", "pymc"}
        ``"nutpie"`` compiles the log density once (numba) and reuses it for
        every data set.  ``"pymc"`` builds PyMC's NUTS step (log density and
        gradient) once and reuses it, untuned again, from jittered starts
        (:class:`~causalbayes.inference.samplers.pymc_nuts.CompiledNUTS`);
        ``pm.sample`` still compiles its small per-call functions (start points,
        trace) and starts its worker processes (models with discrete free
        variables: ``pm.sample`` builds its steps per call).  ``"auto"``: the rule of ``cb.fit``
        (:func:`~causalbayes.inference.samplers.resolve_sampler`) for the template's rows
        and ``fits`` refits: nutpie, if installed, once its compile pays back.
    draws, tune, chains, cores, target_accept, progressbar, warn
        As in :func:`causalbayes.fit`, for every fit (``cores=1``: chains one
        after another, for refits that already run in parallel processes).
    scales : Scales, optional
        Data scales of the default priors, instead of the template's (a
        simulation-based calibration study needs the priors it drew from).
    fits : int, optional
        How many data sets you expect to fit (default: many), for ``sampler="auto"``.
    blocks : {"auto", True, False}
        Sample the posterior in its independent blocks (``cb.fit(..., blocks=True)``),
        each block compiled once: each block's model has the log density of the one
        ``cb.fit(..., blocks=True, sufficient_stats=False)`` samples (tested) and gets
        the same seed; each block's diagnostics are in ``fit.blocks``.  ``"auto"``
        (default): ``cb.fit``'s rule for the template's rows — blocks from
        ``AUTO_BLOCK_MIN_ROWS`` rows; below, each mechanism drawn exactly is a block
        and the others one joint block.
    exact : bool, optional
        Draw each block of one Normal linear mechanism exactly, without MCMC, as
        ``cb.fit`` does (:mod:`~causalbayes.inference.samplers.linear`).  Default: when
        ``sampler="auto"``.

    Notes
    -----
    New data may have a different number of rows, except for SCMs with latent
    nodes, whose fits need the template's length (a
    :class:`~causalbayes.errors.DataError` says so).  SCMs that read exogenous
    columns (Binomial trials, standard errors, groups) are refused for now:
    their values would stay those of the template.

    Examples
    --------
    >>> import causalbayes as cb
    >>> scm = cb.examples.coating_scm()
    >>> sims = [cb.simulate(scm, 500, params=cb.examples.COATING_TRUTH, random_seed=s) for s in range(3)]
    >>> refitter = cb.Refitter(scm, sims[0], draws=100, tune=100, chains=1, warn=False)
    >>> fits = [refitter.fit(df, random_seed=i) for i, df in enumerate(sims)]  # one compile
    >>> [fit.posterior.sizes["draw"] for fit in fits]
    [100, 100, 100]
    """

    def __init__(
        self,
        scm: SCM,
        template: pd.DataFrame,
        *,
        sampler: str = "auto",
        draws: int = 1000,
        tune: int = 1000,
        chains: int = 4,
        cores: int | None = None,
        target_accept: float = 0.8,
        progressbar: bool = False,
        warn: bool = True,
        scales: Scales | None = None,
        fits: int | None = None,
        blocks: bool | str = "auto",
        exact: bool | None = None,
    ) -> None:
        if sampler not in REFIT_SAMPLERS:
            raise SpecError(
                f"Refitter runs the samplers {list(REFIT_SAMPLERS)}, not {sampler!r}; "
                f"for other samplers call cb.fit(scm, df, sampler={sampler!r}) per data set"
            )
        encoded = encode_data(scm, template)
        expected = AUTO_NUTPIE_MIN_FITS if fits is None else fits  # a Refitter exists to refit
        self.sampler = resolve_sampler(sampler, n_rows=encoded.n, fits=expected).name
        if encoded.exog_columns:
            # their values are baked into the compiled graph: a refit would reuse the template's
            raise SpecError(
                f"Refitter cannot swap exogenous columns yet ({sorted(encoded.exog_columns)}: "
                "trials, standard errors or groups); fit each data set with cb.fit"
            )
        self.scm = encoded.scm
        self.scales = scales if scales is not None else scales_from_data(encoded.scm, encoded)
        self.template_rows = encoded.n
        self.options = {
            "draws": draws,
            "tune": tune,
            "chains": chains,
            "target_accept": target_accept,
            "progressbar": progressbar,
        }
        self.warn = warn
        self.cores = cores
        if blocks not in (True, False, "auto"):
            raise SpecError(f"blocks must be True, False or 'auto', got {blocks!r}")
        if blocks != "auto":
            blocks = bool(blocks)  # 1 and 0 as True and False
        elif encoded.n >= AUTO_BLOCK_MIN_ROWS:
            blocks = True
        exact_ok = sampler == "auto" if exact is None else bool(exact)
        parts = partition(self.scm, factorize=blocks is True)
        priors: dict[int, LinearPrior] = {}
        if blocks == "auto" and exact_ok:  # cb.fit's blocks on small data
            parts, priors = exact_partition(encoded, self.scales, "auto")
        elif blocks is True and exact_ok:  # a Normal linear block is drawn exactly, as in cb.fit
            found = (linear_prior(encoded, self.scales, nodes, "auto") for nodes in parts)
            priors = {i: prior for i, prior in enumerate(found) if prior is not None}
        self.blocks = len(parts) > 1 or blocks is True or bool(priors)
        # one joint block keeps the model of cb.fit(blocks=False) exactly (nodes=None)
        self._blocks = [
            _CompiledBlock(
                encoded,
                self.scales,
                nodes if self.blocks else None,
                self.sampler,
                target_accept,
                priors.get(i),
            )
            for i, nodes in enumerate(parts)
        ]
        self._nodes = parts

    @property
    def model(self):
        """The conditioned ``pm.Model`` (data in shared variables) every fit samples; when
        it fits in blocks (``blocks=True``, or ``"auto"`` with a block drawn exactly) a
        list of them, one per block."""
        models = [b.shared.model for b in self._blocks]
        return models if self.blocks else models[0]

    def fit(self, data: pd.DataFrame, *, random_seed: int | None = None) -> Fit:
        """Condition the compiled model on ``data`` and sample; same ``Fit`` as ``cb.fit``."""
        encoded = encode_data(self.scm, data)
        if encoded.n != self.template_rows and not all(
            b.shared.variable_length for b in self._blocks
        ):
            raise DataError(
                f"this SCM (latent or given nodes) refits only data with the template's "
                f"{self.template_rows} rows, got {encoded.n}; make a Refitter per length"
            )
        if not self.blocks:
            (block,) = self._blocks
            idata = block.sample(encoded, random_seed, self.options, self.cores)
            return make_fit(
                data,
                encoded,
                self.scales,
                idata,
                sampler=self.sampler,
                params=block.params,
                warn=self.warn,
            )
        # the seeds and assembly of cb.fit(blocks=True): block i samples with
        # block_seed(entropy, i), whichever blocks are fitted
        entropy = seed_entropy(random_seed)
        fitted = []
        for i, block in enumerate(self._blocks):
            seed = random_seed if len(self._blocks) == 1 else block_seed(entropy, i)
            idata = block.sample(encoded, seed, self.options, self.cores)
            if block.sampler == "exact":
                diagnostics = exact_diagnostics(self.options["chains"], self.options["draws"])
            else:
                diagnostics = diagnose(idata, block.params)
            fitted.append(
                (Block(self._nodes[i], diagnostics, block.sampler), only_posterior(idata))
            )
        idata = merge_blocks(
            [(b.name, draws) for b, draws in fitted],
            stacked=len(fitted) > 1,
            order=[b.name for b, _ in fitted],
        )
        settings = {
            **{k: v for k, v in self.options.items() if k != "progressbar"},
            "sampler": self.sampler,
            "seed": entropy,
            "blocks": True,
            "sufficient_stats": False,
        }
        return assemble(
            data,
            encoded,
            self.scales,
            [b for b, _ in fitted],
            idata,
            settings,
            warn=self.warn,
            missing="raise",
        )

    def __repr__(self) -> str:
        return (
            f"Refitter({self.scm!r}, sampler={self.sampler!r}, template_rows={self.template_rows})"
        )


class _CompiledBlock:
    """One block's conditioned model with its data in shared variables, compiled once."""

    def __init__(
        self,
        encoded,
        scales: Scales,
        nodes,
        sampler: str,
        target_accept: float,
        exact: LinearPrior | None = None,
    ) -> None:
        self.exact = exact
        self._nutpie = None
        self._nuts = None
        self.shared: SharedDataModel = shared_data_model(encoded, scales, nodes)
        self.params = checked_variables(encoded.scm, self.shared.model)
        self.fixed = not self.shared.model.free_RVs  # every parameter fixed: nothing to draw
        self.sampler = "exact" if exact is not None or self.fixed else sampler
        if self.sampler == "exact":  # nothing to compile: each fit is linear algebra
            return
        if sampler == "nutpie":
            import nutpie

            from causalbayes.inference.samplers.nutpie_nuts import numba_quiet

            with numba_quiet():
                self._nutpie = nutpie.compile_pymc_model(self.shared.model, freeze_model=False)
        elif not self.shared.model.discrete_value_vars:  # else pm.sample picks a compound step
            from causalbayes.inference.samplers.pymc_nuts import CompiledNUTS

            self._nuts = CompiledNUTS(self.shared.model, target_accept=target_accept)

    def sample(self, encoded, random_seed, options: dict, cores: int | None):
        if self.fixed:
            return no_draws()
        if self.exact is not None:
            chains, draws = options["chains"], options["draws"]
            return linear.sample(
                self.exact, encoded, draws=draws, chains=chains, random_seed=random_seed
            )
        if self._nutpie is not None:
            import nutpie

            from causalbayes.inference.samplers.nutpie_nuts import numba_quiet

            compiled = self._nutpie.with_data(**self.shared.data_updates(encoded))
            with numba_quiet():
                return nutpie.sample(
                    compiled,
                    draws=options["draws"],
                    tune=options["tune"],
                    chains=options["chains"],
                    target_accept=options["target_accept"],
                    cores=cores,
                    seed=random_seed,
                    progress_bar=options["progressbar"],
                    save_warmup=False,
                )
        self.shared.set_data(encoded)  # compiled functions read the new data
        if self._nuts is None:
            from causalbayes.inference.samplers import pymc_nuts

            return pymc_nuts.sample(
                self.shared.model, cores=cores, random_seed=random_seed, **options
            )
        return self._nuts.sample(
            draws=options["draws"],
            tune=options["tune"],
            chains=options["chains"],
            cores=cores,
            random_seed=random_seed,
            progressbar=options["progressbar"],
        )  # target_accept is built into the step


__all__ = ["REFIT_SAMPLERS", "Refitter"]
