"""A user's next data set: ``cb.fit`` in a fresh process on data it has not seen.

PyTensor keeps compiled C code on disk, keyed by the code.  Numbers read from
the data (default priors, standardization factors, sufficient statistics) are
graph constants, which PyTensor writes into the C code of its fused kernels, so
every new data set compiles afresh (see "Known slow spots" in docs/benchmarks.md).

Each line is one fresh Python process: ``cb.fit(story 1, N rows, sampler)`` on
a data set of its own seed, then the same data set once more.  The compile
cache is this machine's (a user's second session); ``--fresh-cache`` starts
from an empty one.

    python benchmarks/bench_new_data.py [--n 1000] [--sets 3] [--sampler pymc] [--fresh-cache]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

WORKER = """
import json, logging, sys, time, warnings
import causalbayes as cb
logging.getLogger("pymc").setLevel(logging.ERROR)
warnings.simplefilter("ignore")
n, seed, sampler = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
scm = cb.examples.coating_scm()
df = cb.simulate(scm, n, params=cb.examples.COATING_TRUTH, random_seed=seed)
start = time.perf_counter()
fit = cb.fit(scm, df, sampler=sampler, random_seed=1, progressbar=False, warn=False)
seconds = time.perf_counter() - start
print(json.dumps({"fit_s": seconds, "ess": fit.diagnostics.ess_bulk_min}))
"""


def fit_in_fresh_process(n: int, seed: int, sampler: str, env: dict) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", WORKER, str(n), str(seed), sampler],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--sets", type=int, default=3)
    parser.add_argument("--sampler", default="pymc")
    parser.add_argument("--fresh-cache", action="store_true")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.fresh_cache:
        env["PYTENSOR_FLAGS"] = f"base_compiledir={tempfile.mkdtemp(prefix='bench-pytensor-')}"
    print(f"story 1, N = {args.n}, cb.fit(sampler={args.sampler!r}), one fresh process per line")
    seeds = [1000 + i for i in range(args.sets)]
    for label, seed in [*((f"new data set {i + 1}", s) for i, s in enumerate(seeds)),
                        ("the last data set again", seeds[-1])]:  # fmt: skip
        r = fit_in_fresh_process(args.n, seed, args.sampler, env)
        print(f"  {label:<24} fit {r['fit_s']:6.1f} s   min bulk ESS {r['ess']:7.0f}", flush=True)


if __name__ == "__main__":
    main()
