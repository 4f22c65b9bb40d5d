"""Story-1 recovery study run three ways: in process, on local processes, on Dask.

The same study (same SCM, truth, settings and master seed) runs

1. sequentially in this process (``workers=1``),
2. on local worker processes (``workers=2``, fork-server processes),
3. on a Dask ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)``,

and the script prints, per way: wall time, wall time per simulation, the median of the
per-simulation times the study records (``result.sims["seconds"]``: simulate + fit +
queries, measured inside the worker), and the peak resident memory of this process
and of its finished child processes (``resource.getrusage``).  It then checks that
the three result tables are identical: a simulation's seeds depend only on the master
seed and its index, never on where it ran.

Usage::

    python benchmarks/bench_recovery.py --sims 40 --n 1000 [--json out.json]

Worker start-up (import, compiling the simulator and the model) is included in the
wall times, as a user pays it.  The ``__main__`` guard is required: worker processes
are started with the "forkserver" method.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time

import pandas as pd

import causalbayes as cb

SEED = 20240607


def _peak_rss_mib(who: int) -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(who).ru_maxrss / scale


def run(way: str, args, executor=None) -> tuple[cb.RecoveryResult, float]:
    options = dict(
        n=args.n,
        sims=args.sims,
        queries=[cb.ATE("dilution", "coating")],
        draws=args.draws,
        tune=args.tune,
        chains=args.chains,
        random_seed=SEED,
        progressbar=False,
    )
    if way == "sequential":
        options["workers"] = 1
    elif way == "processes":
        options["workers"] = args.workers
    else:
        options["executor"] = executor
    start = time.perf_counter()
    result = cb.recover(cb.examples.coating_scm(), cb.examples.COATING_TRUTH, **options)
    return result, time.perf_counter() - start


def _differences(table: pd.DataFrame, reference: pd.DataFrame) -> str:
    """Where two result tables differ: simulations and the largest numeric difference."""
    if table.shape != reference.shape or list(table.columns) != list(reference.columns):
        return f"  shapes {table.shape} vs {reference.shape}"
    numeric = reference.select_dtypes("number").columns
    delta = (table[numeric] - reference[numeric]).abs()
    rows = delta.max(axis=1) > 0
    sims = sorted(set(reference.loc[rows, "sim"]))
    largest = delta.max().max()
    return (
        f"  {len(sims)} simulations differ {sims[:10]}; largest difference {largest:.3g} "
        f"(equal within 1e-12: {largest <= 1e-12})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sims", type=int, default=40)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="local processes / Dask workers")
    parser.add_argument("--ways", default="sequential,processes,dask")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    ways = args.ways.split(",")

    rows, tables = [], {}
    for way in ways:
        if way == "dask":
            from distributed import Client, LocalCluster

            start = time.perf_counter()
            with (
                LocalCluster(
                    n_workers=args.workers, threads_per_worker=1, processes=True,
                    dashboard_address=":0",
                ) as cluster,
                Client(cluster) as client,
            ):  # fmt: skip
                cluster_start = time.perf_counter() - start
                result, wall = run(way, args, client)
                worker_rss = client.run(lambda: _peak_rss_mib(resource.RUSAGE_SELF))
            extra = {
                "cluster start s": round(cluster_start, 1),
                "peak worker RSS MiB": round(max(worker_rss.values()), 0),
            }
        else:
            result, wall = run(way, args)
            extra = {}
        tables[way] = result.table
        seconds = result.sims["seconds"]
        rows.append(
            {
                "way": way,
                "workers": 1 if way == "sequential" else args.workers,
                "wall s": round(wall, 1),
                "wall / sim s": round(wall / args.sims, 2),
                "median sim s": round(float(seconds.median()), 2),
                "max sim s": round(float(seconds.max()), 2),
                "peak RSS self MiB": round(_peak_rss_mib(resource.RUSAGE_SELF), 0),
                "peak RSS children MiB": round(_peak_rss_mib(resource.RUSAGE_CHILDREN), 0),
                "verdict": result.verdict().split(":")[0],
                **extra,
            }
        )
        print(f"{way}: {wall:.1f} s", flush=True)

    figures = pd.DataFrame(rows).set_index("way")
    reference = tables[ways[0]]
    identical = {
        way: bool(table.equals(reference)) for way, table in tables.items() if way != ways[0]
    }
    print()
    print(
        f"story 1 recovery: {args.sims} simulations, n={args.n}, "
        f"{args.chains} chains x {args.draws} draws (+{args.tune} tune), seed {SEED}; "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(figures.to_string())
    print()
    for way, same in identical.items():
        print(f"table of {way} identical to {ways[0]}: {same}")
        if not same:
            print(_differences(tables[way], reference))
    print(
        "(peak RSS is a high-water mark: 'self' includes earlier ways; 'children' is the "
        "largest finished child process of this script so far)"
    )
    if args.json:
        payload = {
            "settings": {k: getattr(args, k) for k in ("sims", "n", "draws", "tune", "chains")},
            "cpus": os.cpu_count(),
            "figures": figures.reset_index().to_dict(orient="records"),
            "identical": identical,
        }
        with open(args.json, "w") as handle:
            json.dump(payload, handle, indent=2)


if __name__ == "__main__":
    main()
