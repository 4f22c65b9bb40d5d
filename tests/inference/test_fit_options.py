"""fit() refuses bad arguments before building anything (causalbayes.inference.options),
and the demo's command line refuses numbers it cannot run with a message, not a traceback."""

from __future__ import annotations

import inspect
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import causalbayes as cb
from causalbayes.cli import main
from causalbayes.errors import ArgumentError, CausalBayesError
from causalbayes.inference import options, prepare, sampling
from causalbayes.inference.blocks import block_seed
from causalbayes.inference.samplers import SamplerInfo


@pytest.fixture
def scm_df():
    rng = np.random.default_rng(3)
    x = rng.normal(size=30)
    return cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"])}), pd.DataFrame(
        {"x": x, "y": x + rng.normal(size=30)}
    )


@pytest.fixture
def nothing_built(monkeypatch):
    """Fails the test if fit gets as far as building a model."""
    monkeypatch.setattr(
        sampling, "model_for_data", lambda *a, **k: pytest.fail("built a model before checking")
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"draws": 0}, r"draws must be a whole number >= 1, got 0"),
        ({"draws": -5}, r"draws must be a whole number >= 1, got -5$"),
        ({"draws": 100.0}, r"draws must be a whole number >= 1, got 100.0; pass int\(100.0\)"),
        ({"draws": True}, r"draws must be a whole number >= 1, got True"),
        ({"chains": 0}, r"chains must be a whole number >= 1, got 0"),
        ({"chains": 2.5}, r"chains must be a whole number >= 1, got 2.5"),
        ({"tune": -1}, r"tune must be a whole number >= 0, got -1"),
        ({"tune": 10.5}, r"tune must be a whole number >= 0, got 10.5"),
        ({"tune": "100"}, r"tune must be a whole number >= 0, got '100'"),
        ({"cores": 0}, r"cores must be a whole number >= 1 \(or None\), got 0"),
        ({"target_accept": 1.0}, r"target_accept must be a number strictly between 0 and 1, got 1.0"),
        ({"target_accept": 0}, r"target_accept must be .* got 0;"),
        ({"target_accept": float("nan")}, r"target_accept must be .* got nan"),
        ({"target_accept": "0.9"}, r"target_accept must be .* got '0.9'"),
        ({"random_seed": "abc"}, r"random_seed must be a whole number >= 0, a numpy Generator or None, got 'abc'"),
        ({"random_seed": -1}, r"random_seed must be .* got -1"),
        ({"random_seed": 1.5}, r"random_seed must be .* got 1.5"),
        ({"foo": 1}, r"unexpected keyword argument 'foo'; sampler='auto' chose 'pymc' for 30 rows; with it the extra keywords are \['blas_cores'"),
        ({"draw": 100}, r"unexpected keyword argument 'draw' \(did you mean 'draws'\?\)"),
        ({"max_tree_depth": 5}, r"'max_tree_depth' \(did you mean 'max_treedepth'\?\)"),
        ({"sampler": "pymc", "batch_size": 10}, r"'batch_size'; with sampler 'pymc' .*'batch_size' is an option of sampler \['advi'\]"),
        ({"sampler": "advi", "batchsize": 10}, r"'batchsize' \(did you mean 'batch_size'\?\); with sampler 'advi'"),
        ({"sampler": "advi", "iterations": 0}, r"iterations must be a whole number >= 1, got 0"),
        ({"sampler": "advi", "learning_rate": -0.1}, r"learning_rate must be a positive number, got -0.1"),
        ({"sampler": "nutpie", "init": "adapt_diag"}, r"'init'; with sampler 'nutpie' .*'init' is an option of sampler \['pymc'\]"),
        ({"sampler": "numpyro", "nuts_sampler_kwargs": [1]}, r"nuts_sampler_kwargs must be a dict"),
    ],
)  # fmt: skip
def test_bad_arguments_are_refused_before_anything_is_built(scm_df, nothing_built, kwargs, match):
    scm, df = scm_df
    with pytest.raises(ArgumentError, match=match) as info:
        cb.fit(scm, df, **kwargs)
    error = info.value
    assert isinstance(error, TypeError) and isinstance(error, ValueError)
    assert isinstance(error, CausalBayesError)


def test_prepare_fit_takes_exactly_fits_arguments_and_defaults():
    # ab_test's exact path calls prepare_fit(**fit_options) without importing fit
    ours = inspect.signature(prepare.prepare_fit).parameters
    theirs = inspect.signature(sampling.fit).parameters
    assert [(p.name, p.kind, p.default) for p in ours.values()] == [
        (p.name, p.kind, p.default) for p in theirs.values()
    ]


def test_auto_names_the_backend_it_chose(nothing_built):
    if not SamplerInfo.installed(cb.inference.samplers.SAMPLERS["nutpie"]):
        pytest.skip("nutpie not installed: auto picks pymc at every size")
    big = pd.DataFrame({"x": np.zeros(6000), "y": np.zeros(6000)})
    scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"])})
    with pytest.raises(ArgumentError, match="sampler='auto' chose 'nutpie' for 6000 rows; with it"):
        cb.fit(scm, big, init="adapt_diag")


@pytest.mark.parametrize("backend", sorted(options.BACKEND_OPTIONS))
def test_every_listed_keyword_passes_the_check(backend):
    values = {
        "batch_size": 100, "iterations": 10, "learning_rate": 0.01, "nuts_sampler_kwargs": {},
        "idata_kwargs": {}, "compile_kwargs": {}, "init": "adapt_diag", "initvals": {},
        "n_init": 10, "jitter_max_retries": 1, "max_treedepth": 8, "blas_cores": 1,
        "mp_ctx": None, "callback": None, "quiet": True,
    }  # fmt: skip
    extra = {k: values[k] for k in options.BACKEND_OPTIONS[backend]}
    info = options._check_fit_options(
        sampler=backend, n_rows=30, draws=10, tune=np.int64(0), chains=1, cores=None,
        target_accept=0.9, random_seed=np.random.default_rng(0), extra=extra,
    )  # fmt: skip
    assert info.name == backend


def test_accepted_keywords_reach_the_backend_unchanged(scm_df, monkeypatch):
    scm, df = scm_df
    seen = {}

    class Reached(Exception):
        pass

    def backend(model, **kwargs):
        seen.update(kwargs)
        raise Reached

    monkeypatch.setattr(SamplerInfo, "load", lambda self: backend)
    nuts = {"chain_method": "parallel"}
    with pytest.raises(Reached):
        cb.fit(scm, df, sampler="numpyro", nuts_sampler_kwargs=nuts, random_seed=4, draws=50)
    assert nuts == {"chain_method": "parallel"}  # not modified
    assert seen["nuts_sampler_kwargs"] == nuts and seen["draws"] == 50
    assert seen["random_seed"] == 4  # one joint model (few rows): the seed as given
    with pytest.raises(Reached):  # each block its own seed, from the fit's and its index
        cb.fit(scm, df, sampler="numpyro", blocks=True, random_seed=4, draws=50)
    assert seen["random_seed"] == block_seed(4, 0)


# -- the demo's command line ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--n", "1e23"], "argument --n: must be at most 10,000,000, got '1e23'"),
        (["--n", "1" + "0" * 23], "argument --n: must be at most 10,000,000"),
        (["--n", "0"], "argument --n: must be a whole number >= 1, got '0'"),
        (["--n", "inf"], "argument --n: not a whole number: 'inf'"),
        (["--draws", "2.5"], "argument --draws: not a whole number: '2.5'"),
        (["--chains", "1e3"], "argument --chains: must be at most 64, got '1e3'"),
        (["--tune", "-1"], "argument --tune: must be a whole number >= 0, got '-1'"),
    ],
)
def test_demo_refuses_numbers_it_cannot_run(capsys, args, message):
    with pytest.raises(SystemExit) as info:
        main(["demo", *args])
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_demo_reads_scientific_notation_of_whole_numbers():
    from causalbayes.cli import build_parser

    assert build_parser().parse_args(["demo", "--n", "1e3"]).n == 1000


def test_demo_reports_a_causalbayes_refusal_without_a_traceback(capsys, monkeypatch):
    import causalbayes.cli as cli

    def refuse(**settings):
        raise cb.MissingDependencyError(
            "sampler 'nutpie' needs nutpie; pip install \"causalbayes[nutpie]\""
        )

    monkeypatch.setattr(cli, "run_demo", refuse)
    assert main(["demo", "--n", "10"]) == 1
    err = capsys.readouterr().err
    assert "causalbayes demo: error: sampler 'nutpie' needs nutpie" in err
    assert "Traceback" not in err


def test_demo_n_1e23_in_a_real_process_gives_no_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "causalbayes", "demo", "--n", "1e23"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "must be at most 10,000,000" in result.stderr and "Traceback" not in result.stderr
