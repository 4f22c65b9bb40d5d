"""The command line: ``causalbayes demo`` (causalbayes.cli, python -m causalbayes)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from causalbayes.cli import build_parser, format_report, main
from causalbayes.examples import COATING_TRUTH

SMALL = ["--draws", "150", "--tune", "150", "--chains", "2", "--n", "300"]
KEYS = {
    "true_ate",
    "ate_mean",
    "ate_sd",
    "ate_hdi_low",
    "ate_hdi_high",
    "params",
    "divergences",
    "rhat_max",
    "ess_bulk_min",
    "seconds",
    "n",
    "seed",
}
STAGES = {"import", "simulate", "fit", "ate", "total"}


# -- fast: arguments and formatting -------------------------------------------
def test_help_lists_the_demo(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "demo" in out and "paint coating" in out


def test_demo_help_says_what_it_does(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for text in (
        "paint coating",
        "COATING_TRUTH",
        "-0.421",
        "94% HDI",
        "--draws",
        "--tune",
        "--chains",
        "--n",
        "--seed",
        "--sampler",
        "--json",
    ):
        assert text in out


@pytest.mark.parametrize(
    "argv",
    [
        ["frobnicate"],
        [],
        ["demo", "--draws", "0"],
        ["demo", "--n", "many"],
        ["demo", "--tune", "-1"],
        ["demo", "--sampler", "stan"],
    ],
)
def test_bad_arguments_exit_non_zero(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code != 0
    assert "usage: causalbayes" in capsys.readouterr().err


def test_demo_defaults():
    args = build_parser().parse_args(["demo"])
    assert (args.n, args.draws, args.tune, args.chains, args.json) == (1000, 1000, 1000, 4, False)
    assert args.sampler == "auto"
    assert build_parser().parse_args(["demo", "--sampler", "numpyro"]).sampler == "numpyro"
    from causalbayes.cli import SAMPLER_CHOICES
    from causalbayes.inference.sampling import SAMPLER_NAMES

    assert SAMPLER_CHOICES == SAMPLER_NAMES


def _fake_result() -> dict:
    params = {}
    for name, true in COATING_TRUTH.items():
        params[name] = {
            "true": true,
            "mean": true + 0.01,
            "sd": 0.02,
            "hdi_low": true - 0.03,
            "hdi_high": true + 0.05,
            "covered": True,
            "r_hat": 1.0,
            "ess_bulk": 900.0,
        }
    params["coating.sigma"].update(hdi_low=0.3, hdi_high=0.4, covered=False)
    return {
        "story": "paint coating (story 1)",
        "dag": "humid -> dilution; humid -> coating; dilution -> coating",
        "n": 1000,
        "seed": 1,
        "draws": 1000,
        "tune": 1000,
        "chains": 4,
        "hdi_prob": 0.94,
        "estimand": "E[coating | do(dilution=1)] - E[coating | do(dilution=0)]",
        "true_ate": -0.421,
        "ate_mean": -0.43,
        "ate_sd": 0.012,
        "ate_hdi_low": -0.45,
        "ate_hdi_high": -0.41,
        "p_ate_negative": 1.0,
        "params": params,
        "divergences": 0,
        "rhat_max": math.nan,
        "ess_bulk_min": 850.0,
        "problems": ["3 divergent transition(s): the posterior may be biased."],
        "seconds": {"import": 1.5, "simulate": 0.5, "fit": 9.0, "ate": 0.4, "total": 11.6},
    }


def test_report_layout():
    report = format_report(_fake_result())
    assert report.startswith("causalbayes demo: paint coating (story 1)")
    assert "humid -> dilution; humid -> coating; dilution -> coating" in report
    for name in COATING_TRUTH:
        assert name in report
    assert "ATE: E[coating | do(dilution=1)] - E[coating | do(dilution=0)]" in report
    assert "-0.421" in report and "P(ATE < 0)" in report
    assert "7 of 8 true values inside their 94% HDI" in report
    assert "max R-hat      -" in report  # NaN shown as a dash
    assert "warning: 3 divergent transition(s)" in report
    for stage in STAGES:
        assert stage in report
    sigma_line = next(line for line in report.splitlines() if line.startswith("coating.sigma"))
    assert sigma_line.endswith("NO")


# -- slow: real MCMC ------------------------------------------------------------
def _check_result(result: dict, *, seed: int) -> None:
    assert set(result) >= KEYS
    assert result["n"] == 300 and result["seed"] == seed
    assert result["true_ate"] == -0.421
    assert abs(result["ate_mean"] - -0.421) < 0.15
    assert result["ate_hdi_low"] < result["ate_mean"] < result["ate_hdi_high"]
    assert 0 < result["ate_sd"] < 0.1
    assert set(result["params"]) == set(COATING_TRUTH)
    for name, p in result["params"].items():
        assert p["true"] == COATING_TRUTH[name]
        assert p["hdi_low"] < p["mean"] < p["hdi_high"]
        assert p["covered"] is (p["hdi_low"] <= p["true"] <= p["hdi_high"])
    assert isinstance(result["divergences"], int) and result["divergences"] >= 0
    assert 0.9 < result["rhat_max"] < 1.5
    assert result["ess_bulk_min"] > 10
    assert set(result["seconds"]) == STAGES
    assert all(s >= 0 for s in result["seconds"].values())
    assert result["seconds"]["total"] >= result["seconds"]["fit"] + result["seconds"]["simulate"]


@pytest.mark.slow
def test_demo_json(capsys):
    assert main(["demo", "--json", *SMALL]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # one JSON object, nothing else
    _check_result(json.loads(out), seed=2)


@pytest.mark.slow
def test_demo_text_report(capsys):
    assert main(["demo", *SMALL, "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "(seed 2)" in out
    for name in COATING_TRUTH:
        assert name in out
    for text in (
        "ATE",
        "P(ATE < 0)",
        "Diagnostics",
        "divergences",
        "max R-hat",
        "min bulk ESS",
        "Timings",
    ):
        assert text in out


@pytest.mark.slow
def test_python_m_prints_pure_json():
    completed = subprocess.run(
        [sys.executable, "-m", "causalbayes", "demo", "--json", *SMALL, "--seed", "3"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.count("\n") == 1
    _check_result(json.loads(completed.stdout), seed=3)
