"""Story 1 in a warm process: fit + ATE when imports and the compile are already paid.

Issue 14's goal: at N = 1000 (4 chains x 1000 tuning + 1000 draws), with the model
compiled before, fit + ATE in under 2 s.  ``cb.Refitter`` is how a warm process keeps a
compiled model; this times ``refitter.fit(df)`` + ``cb.ate`` on new data sets, after one
untimed refit, for each sampler a Refitter drives (joint model, and ``blocks=True``), and
for the Refitter's defaults (``sampler="auto"``, ``blocks="auto"``: the Normal mechanisms
drawn exactly, the treatment's by nutpie when installed).

    python benchmarks/bench_warm_refit.py [--n 1000] [--repeats 5] [--samplers auto,nutpie,pymc]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
import warnings

import causalbayes as cb
from causalbayes.inference.samplers import SAMPLERS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--samplers", default="auto,nutpie,pymc")
    args = parser.parse_args()
    logging.getLogger("pymc").setLevel(logging.ERROR)
    scm = cb.examples.coating_scm()
    data = [
        cb.simulate(scm, args.n, params=cb.examples.COATING_TRUTH, random_seed=s)
        for s in range(args.repeats + 1)
    ]
    print(f"story 1, N = {args.n}, 4 chains x 1000 + 1000, warm process (compiled once)")
    for sampler in args.samplers.split(","):
        if sampler != "auto" and not SAMPLERS[sampler].installed():
            print(f"  {sampler}: not installed")
            continue
        for blocks in ("auto",) if sampler == "auto" else (False, True):
            start = time.perf_counter()
            refitter = cb.Refitter(scm, data[0], sampler=sampler, blocks=blocks, warn=False)
            compiled = time.perf_counter() - start
            seconds, ess = [], []
            for i, df in enumerate(data):
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fit = refitter.fit(df, random_seed=i)
                    cb.ate(fit, "dilution", "coating")
                if i:  # the first refit warms the sampler's own caches
                    seconds.append(time.perf_counter() - start)
                    ess.append(fit.diagnostics.ess_bulk_min)
            print(
                f"  {sampler:6s} blocks={blocks!s:5s} ({refitter.sampler}) compile {compiled:5.1f} s, fit + ATE "
                f"median {statistics.median(seconds):5.2f} s (runs {[round(s, 2) for s in seconds]}),"
                f" min bulk ESS {statistics.median(ess):.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
