"""Real data: causalbayes' natural path against a hand-written PyMC outcome model, one run.

For each data set (tests/real/datasets.py): the hand-written PyMC outcome model an
expert would write (build + pm.sample, 4 chains x 1000 tune + 1000 draws, 2 cores),
then causalbayes through the README path: one joint model of every mechanism
(``blocks=False, sufficient_stats=False``, the path before issue 14), the default
(independent blocks, Normal likelihoods through sufficient statistics), only the
blocks the ATE reads (``queries=[cb.ATE(t, y)]``), and with the treatment given (the
outcome model's design alone).  ``ate_only`` lets ``sampler="auto"`` draw a Normal
linear outcome mechanism exactly (no MCMC); ``ate_only_nuts`` is the same fit with
PyMC's NUTS, the hand-written model's sampler.  Printed: wall seconds of each fit (model building,
compiling and sampling), the ratio to the hand-written model, the ATE (mean, sd)
and its distance from the hand-written one in posterior sds, divergences, max
R-hat and min bulk ESS.  All in one process, one after another, on this machine.

    python benchmarks/bench_real_data.py [--datasets close_college social_insure]
        [--ways hand,joint,default,ate_only,ate_only_nuts,given_treatment] [--json]
        [--resample SEED]

``--resample SEED``: every way fits the same bootstrap resample of each data set (rows
drawn with replacement, seed SEED) instead of the data set itself: a new data set of
the same design, as a user's next one.  Code compiled for the data (PyTensor's cache)
then serves only where it does not depend on the data's values.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "real"))

import datasets  # noqa: E402  (tests/real/datasets.py)
from natural import natural_scm  # noqa: E402

import causalbayes as cb  # noqa: E402

DEFAULT = ("close_college", "social_insure", "black_politicians")


def causalbayes_fit(name: str, given_treatment: bool, **options) -> dict:
    """``options``: ``queries=True`` samples only the ATE's mechanisms; else passed to fit."""
    d = datasets.DATASETS[name]
    df = datasets.load(name)
    start = time.perf_counter()
    scm = natural_scm(name, df, given_treatment=given_treatment)
    if options.pop("queries", False):
        options["queries"] = [cb.ATE(d.treatment, d.outcome)]
    fit = cb.fit(scm, df, random_seed=20261126, **options)
    seconds = time.perf_counter() - start
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # diagnostics are printed below
        effect = cb.ate(fit, d.treatment, d.outcome)
    g = fit.diagnostics
    return {
        "seconds": seconds,
        "fit_and_ate_s": time.perf_counter() - start,
        "ate_mean": effect.mean(),
        "ate_sd": effect.sd(),
        "divergences": g.divergences,
        "max_rhat": g.rhat_max,
        "min_ess_bulk": g.ess_bulk_min,
    }


WAYS = {
    "joint": dict(given_treatment=False, blocks=False, sufficient_stats=False),
    "default": dict(given_treatment=False),
    "ate_only": dict(given_treatment=False, queries=True),
    "ate_only_nuts": dict(given_treatment=False, queries=True, sampler="pymc"),
    "given_treatment": dict(given_treatment=True),
}


def run(name: str, ways: list[str]) -> dict:
    hand = datasets.hand_fit(name)
    hand["seconds"] = hand["build_s"] + hand["sample_total_s"]
    row = {"name": name, "rows": len(datasets.load(name)), "hand": hand}
    for way in ways:
        row[way] = causalbayes_fit(name, **WAYS[way])
    return row


def show(row: dict) -> None:
    hand = row["hand"]
    print(f"== {row['name']} ({row['rows']} rows)")
    for label in ("hand", *WAYS):
        if label not in row:
            continue
        r = row[label]
        distance = abs(r["ate_mean"] - hand["ate_mean"]) / hand["ate_sd"]
        print(
            f"   {label:16s} {r['seconds']:7.1f} s ({r['seconds'] / hand['seconds']:4.2f}x)  "
            f"ATE {r['ate_mean']:+.4f} (sd {r['ate_sd']:.4f}, {distance:.3f} sd from hand)  "
            f"div {r['divergences']}, R-hat {r['max_rhat']:.4f}, ESS {r['min_ess_bulk']:.0f}"
        )


def resample(seed: int) -> None:
    """Make ``datasets.load`` return a bootstrap resample of each data set (seed ``seed``)."""
    load = datasets.load

    def resampled(name: str):
        df = load(name)
        return df.sample(len(df), replace=True, random_state=seed).reset_index(drop=True)

    datasets.load = resampled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DEFAULT))
    parser.add_argument("--ways", default=",".join(WAYS), help="of " + ",".join(WAYS))
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--resample", type=int, help="fit a bootstrap resample (this seed)")
    args = parser.parse_args()
    if args.resample is not None:
        resample(args.resample)
    logging.getLogger("pymc").setLevel(logging.ERROR)
    rows = []
    for name in args.datasets:
        rows.append(run(name, [w for w in args.ways.split(",") if w != "hand"]))
        if not args.json:
            show(rows[-1])
    if args.json:
        print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
