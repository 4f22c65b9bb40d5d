"""Time and peak memory of effect queries on large data (story-1 shape), draws given.

Sampling is not measured here (see the sampler benchmarks): a posterior of
``--draws`` draws is made around the true values, and each query runs in a
fresh process so that its peak resident memory is its own.

    python benchmarks/bench_effects.py --rows 1000000 --draws 4000 [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

QUERIES = ("ate", "cate", "att", "dose_response")
DEFAULT_QUERIES = ("ate", "cate", "att")  # a 5-point dose-response costs 5 ATE-sized passes


def _fit(rows: int, draws: int):
    import arviz as az
    import numpy as np

    import causalbayes as cb
    from causalbayes.data.encode import encode_data
    from causalbayes.data.scales import scales_from_data
    from causalbayes.examples import COATING_TRUTH, coating_scm
    from causalbayes.inference.diagnostics import Diagnostics
    from causalbayes.inference.fit import Fit

    scm = coating_scm()
    data = cb.simulate(scm, rows, params=COATING_TRUTH, random_seed=1)
    rng = np.random.default_rng(2)
    chains = 4
    posterior = {
        name: value + rng.normal(scale=0.01, size=(chains, draws // chains))
        for name, value in COATING_TRUTH.items()
    }
    encoded = encode_data(scm, data)
    diagnostics = Diagnostics(0, 1.0, float(draws), chains, draws // chains)
    return Fit(
        scm=encoded.scm,
        data=data,
        idata=az.from_dict(posterior=posterior),
        scales=scales_from_data(encoded.scm, encoded),
        diagnostics=diagnostics,
    )


def run_one(query: str, rows: int, draws: int) -> dict:
    """One query in this process: seconds (including compilation) and peak RSS."""
    import numpy as np

    import causalbayes as cb

    fit = _fit(rows, draws)
    start = time.perf_counter()
    if query == "ate":
        cb.ate(fit, "dilution", "coating", identification="ignore")
    elif query == "cate":
        cb.cate(fit, "dilution", "coating", by="humid", bins=4, identification="ignore")
    elif query == "att":
        cb.att(fit, "dilution", "coating", identification="ignore")
    elif query == "dose_response":
        cb.dose_response(fit, "humid", "coating", np.linspace(-2, 2, 5), identification="ignore")
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"query": query, "rows": rows, "draws": draws, "seconds": seconds, "peak_mb": peak_mb}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=float, default=1e6)
    parser.add_argument("--draws", type=int, default=4000)
    parser.add_argument("--queries", default=",".join(DEFAULT_QUERIES), help=f"from {QUERIES}")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    rows = int(args.rows)
    if args.one:
        print(json.dumps(run_one(args.one, rows, args.draws)))
        return 0
    results = []
    for query in args.queries.split(","):
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                query,
                "--rows",
                str(rows),
                "--draws",
                str(args.draws),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{'query':<15}{'rows':>10}{'draws':>7}{'seconds':>10}{'peak MB':>10}")
        for r in results:
            print(
                f"{r['query']:<15}{r['rows']:>10}{r['draws']:>7}{r['seconds']:>10.1f}{r['peak_mb']:>10.0f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
