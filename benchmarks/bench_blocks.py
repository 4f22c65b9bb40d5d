"""Story 1 fitted by blocks, by query, and jointly, against story 1 written by hand in PyMC.

For each N, in one process, one after another (a warm-up fit of each kind first, so
every timed run finds PyMC imported and the PyTensor cache warm), 4 chains x 1000
tune + 1000 draws on 2 cores, PyMC's NUTS throughout:

- ``hand``: the three mechanisms written by hand in PyMC (``workloads.hand_model``) and
  the ATE as the tutorial computes it for a linear outcome (the posterior of
  ``coating.dilution``);
- ``joint``: ``cb.fit(..., blocks=False, sufficient_stats=False)`` (the path before
  issue 14: one model of every mechanism, row-wise likelihoods) + ``cb.ate``;
- ``blocks``: the default ``cb.fit`` (one block per mechanism, Normal likelihoods
  through sufficient statistics) + ``cb.ate``;
- ``ate_only``: ``cb.fit(..., queries=[cb.ATE("dilution", "coating")])`` + ``cb.ate``.

Printed: wall seconds of fit + ATE (median of ``--repeats``) and of the ATE alone, the
minimum bulk ESS of the parameters each run samples, the ATE, and the process's peak RSS.
Above ``--rowwise-max`` rows (default 1e5) only the block rows run: row-wise NUTS takes
many minutes per fit there.

    python benchmarks/bench_blocks.py [--sizes 1e3,1e5,1e6] [--repeats 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workloads import _ess, _peak_mb, hand_model  # noqa: E402

SETTINGS = {"draws": 1000, "tune": 1000, "chains": 4}


def _hand(df, priors, seed: int) -> dict:
    import pymc as pm

    start = time.perf_counter()
    with hand_model(df, priors), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        idata = pm.sample(**SETTINGS, cores=2, random_seed=seed, progressbar=False)
    ate = idata.posterior["coating.dilution"]
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "ate_seconds": 0.0, "ess": _ess(idata), "ate": float(ate.mean())}


def _cb(scm, df, seed: int, **options) -> dict:
    import causalbayes as cb

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = cb.fit(scm, df, random_seed=seed, cores=2, **SETTINGS, **options)
        fitted = time.perf_counter()
        ate = cb.ate(fit, "dilution", "coating")
    return {
        "seconds": time.perf_counter() - start,
        "ate_seconds": time.perf_counter() - fitted,
        "ess": fit.diagnostics.ess_bulk_min,
        "ate": float(ate.mean()),
    }


def run(n: int, repeats: int, rowwise_max: int, warm_up: bool, only=None) -> dict:
    import causalbayes as cb
    from causalbayes.data.default_priors import resolved_priors
    from causalbayes.data.encode import encode_data
    from causalbayes.data.scales import scales_from_data

    scm = cb.examples.coating_scm()
    df = cb.simulate(scm, n, params=cb.examples.COATING_TRUTH, random_seed=1)
    encoded = encode_data(scm, df)
    priors = resolved_priors(encoded.scm, scales_from_data(encoded.scm, encoded))
    kinds = {
        "hand": lambda seed: _hand(df, priors, seed),
        "joint": lambda seed: _cb(scm, df, seed, blocks=False, sufficient_stats=False),
        "blocks": lambda seed: _cb(scm, df, seed),
        "ate_only": lambda seed: _cb(scm, df, seed, queries=[cb.ATE("dilution", "coating")]),
    }
    if n > rowwise_max:  # row-wise NUTS on this many rows takes many minutes per fit
        del kinds["hand"], kinds["joint"]
    if only:
        kinds = {k: go for k, go in kinds.items() if k in only}
    runs: dict[str, list[dict]] = {k: [] for k in kinds}
    for go in kinds.values() if warm_up else ():
        go(0)  # warm-up: compiles cached, worker start-up paid once
    for rep in range(repeats):
        for kind, go in kinds.items():  # interleaved, so a load spike hits every kind
            runs[kind].append(go(rep + 1))
    out = {"n": n}
    for kind, rs in runs.items():
        out[kind] = {
            "seconds": statistics.median(r["seconds"] for r in rs),
            "ate_seconds": statistics.median(r["ate_seconds"] for r in rs),
            "all_seconds": [round(r["seconds"], 2) for r in rs],
            "ess": statistics.median(r["ess"] for r in rs),
            "ate": statistics.median(r["ate"] for r in rs),
        }
    out["peak_mb"] = _peak_mb()
    return out


def show(row: dict) -> None:
    hand = row["hand"]["seconds"] if "hand" in row else None
    print(f"== story 1, N = {row['n']}  (peak RSS {row['peak_mb']:.0f} MB)")
    for kind in ("hand", "joint", "blocks", "ate_only"):
        if kind not in row:
            continue
        r = row[kind]
        ratio = f"({r['seconds'] / hand:4.2f}x hand)" if hand else ""
        print(
            f"   {kind:9s} {r['seconds']:7.2f} s {ratio} of which ATE {r['ate_seconds']:6.2f} s  "
            f"runs {r['all_seconds']}  min ESS {r['ess']:.0f}  ATE {r['ate']:+.4f}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e3,1e5")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--rowwise-max", type=float, default=1e5, help="largest N for the hand and joint rows"
    )
    parser.add_argument("--kinds", default="", help="comma-separated subset of the rows")
    parser.add_argument("--no-warm-up", action="store_true", help="skip the warm-up fits")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    only = set(filter(None, args.kinds.split(",")))
    logging.getLogger("pymc").setLevel(logging.ERROR)
    rows = []
    for i, n in enumerate(int(float(s)) for s in args.sizes.split(",")):
        # one warm-up, at the first size: later sizes reuse its compiled C code
        rows.append(
            run(
                n,
                args.repeats,
                int(args.rowwise_max),
                warm_up=i == 0 and not args.no_warm_up,
                only=only,
            )
        )
        if not args.json:
            show(rows[-1])
    if args.json:
        print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
