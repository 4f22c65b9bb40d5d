"""Benchmarks of causalbayes' samplers and fixed costs, measured in one run.

Usage (from the repository root)::

    python benchmarks/run.py --quick            # a few minutes: small sizes, 1 repeat
    python benchmarks/run.py                    # the figures in docs/benchmarks.md
    python benchmarks/run.py --sizes 1e3,1e4,1e5,1e6 --json > bench.json
    python benchmarks/run.py --sections refits,overhead

Every workload runs in a fresh Python process (``workloads.py``), so times
include what a user pays in a new session where that matters, and peak
memory is the process's own high-water mark (``ru_maxrss``).  Timings on a
shared machine are noisy: medians of repeats are printed, and ratios are
taken between measurements from the same run.  Speed goals are checked here,
never in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MARK = "@@RESULT@@"
SECTIONS = ("overhead", "e2e", "scaling", "check", "refits", "identification")
GOALS = {
    "overhead": "causalbayes vs hand-written PyMC, same sampler: < 5% overhead",
    "e2e": "default end to end on story 1 >= 2x faster than the hand-written pm.sample workflow",
    "refits": "compile-once >= 5x faster per fit than rebuilding",
    "scaling": "1e6 rows: fit + ATE with peak memory < 4 GB",
}


def run_worker(
    function: str, timeout: float | None = None, env: dict | None = None, **kwargs: Any
) -> dict[str, Any]:
    """Run ``workloads.<function>(**kwargs)`` in a fresh interpreter and return its result."""
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import workloads; "
        f"r = workloads.{function}(**json.loads(sys.argv[2])); print({MARK!r} + json.dumps(r))"
    )
    env = dict(
        os.environ,
        **(env or {}),
        PYTHONPATH=f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code, str(HERE), json.dumps(kwargs)],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:]}


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def section_overhead(args) -> dict:
    out = {}
    env = {"CAUSALBAYES_JAX_CACHE": tempfile.mkdtemp(prefix="causalbayes-bench-jax-")}
    for sampler in args.overhead_samplers:
        r = run_worker(
            "overhead",
            env=env,
            n=1000,
            sampler=sampler,
            repeats=args.repeats,
            draws=1000,
            tune=1000,
            chains=4,
        )
        if "error" not in r:
            r["ratio"] = median(r["causalbayes_s"]) / median(r["hand_s"])
        out[sampler] = r
    return out


def section_e2e(args) -> dict:
    """Fresh processes, repeats interleaved (hand, then each sampler and story) so that a
    change of machine load hits every variant alike.  JAX samplers get a persistent
    compilation cache of their own: first a run with it empty ("cold", a user's first fit
    of the model), then the repeats with it filled ("warm", every later session).
    A sampler written ``auto@2000`` draws 2000 a chain.  With ``--e2e-new-data`` repeat
    ``r`` simulates its data with seed ``100 + r`` for every way (a user's next data
    set: compiled code comes from the cache only where it does not depend on the data)."""
    out: dict[str, Any] = {"hand_pm_sample": [], "causalbayes": {}, "cold": {}}
    keys = [(s, story) for s in args.e2e_samplers for story in (1, 2)]
    cache = tempfile.mkdtemp(prefix="causalbayes-bench-jax-")
    env = {"CAUSALBAYES_JAX_CACHE": cache}

    def ours(key: str, story: int, data_seed: int) -> dict:
        sampler, _, draws = key.partition("@")
        options = {"draws": int(draws)} if draws else {}
        return run_worker(
            "e2e_causalbayes",
            env=env,
            n=1000,
            sampler=sampler,
            story=story,
            data_seed=data_seed,
            **options,
        )

    for key, story in keys:
        if key.partition("@")[0] in ("numpyro", "blackjax"):
            out["cold"][f"{key}/story{story}"] = ours(key, story, 1)
    for r in range(args.repeats):
        data_seed = 100 + r if args.e2e_new_data else 1
        out["hand_pm_sample"].append(run_worker("e2e_hand", n=1000, data_seed=data_seed))
        for key, story in keys:
            out["causalbayes"].setdefault(f"{key}/story{story}", []).append(
                ours(key, story, data_seed)
            )
    return out


def section_scaling(args) -> dict:
    rows = []
    for n in args.sizes:
        samplers = ["auto"] if n <= args.nuts_max else []
        samplers.append("advi")
        for sampler in samplers:
            rows.append(run_worker("scaling", n=n, sampler=sampler))
    return {"rows": rows}


def section_check(args) -> dict:
    return run_worker(
        "advi_vs_nuts", n_full=args.check_full, n_subset=args.check_n, nuts_sampler="auto"
    )


def section_refits(args) -> dict:
    out = {}
    for sampler in ("nutpie", "pymc"):
        out[sampler] = run_worker(
            "refits",
            n=500,
            count=args.refits,
            rebuilds=min(args.rebuilds, args.refits),
            sampler=sampler,
            draws=1000,
            tune=1000,
            chains=4,
        )
    return out


def section_identification(args) -> dict:
    path = HERE / "bench_identification.py"
    if not path.exists():
        return {"skipped": "benchmarks/bench_identification.py is not in this branch yet"}
    sys.path.insert(0, str(HERE))
    try:
        import bench_identification  # written by the identification work

        runner = getattr(bench_identification, "run", None) or bench_identification.main
        return {"result": runner(quick=args.quick)}
    except Exception as exc:  # a missing piece must not hide the other figures
        return {"skipped": f"bench_identification failed: {type(exc).__name__}: {exc}"}


def machine() -> dict:
    mem_gib = None
    try:
        with open("/proc/meminfo") as f:
            mem_gib = round(int(f.readline().split()[1]) / 1024**2, 1)
    except OSError:
        pass
    versions = {}
    for pkg in ("pymc", "pytensor", "nutpie", "numpyro", "jax", "blackjax"):
        try:
            from importlib.metadata import version

            versions[pkg] = version(pkg)
        except Exception:
            versions[pkg] = None
    return {
        "cpus": os.cpu_count(),
        "memory_gib": mem_gib,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
    }


def render(results: dict) -> str:
    lines = [f"machine: {json.dumps(results['machine'])}", ""]
    s = results["sections"]
    if "overhead" in s:
        lines += ["overhead: causalbayes vs hand-written PyMC, same sampler (story 1, N=1000)"]
        for sampler, r in s["overhead"].items():
            if "error" in r:
                lines.append(f"  {sampler:8s} error: {r['error']}")
                continue
            lines.append(
                f"  {sampler:8s} causalbayes {median(r['causalbayes_s']):6.2f} s   hand {median(r['hand_s']):6.2f} s"
                f"   ratio {r['ratio']:.3f} ({(r['ratio'] - 1) * 100:+.1f}%)"
            )
    if "e2e" in s:
        e = s["e2e"]
        hand_ok = [r for r in e["hand_pm_sample"] if "seconds" in r]
        hand = median([r["seconds"] for r in hand_ok])
        hand_rate = median([r["ess_bulk_min"] / r["seconds"] for r in hand_ok])
        lines += [
            "",
            "end to end, fresh process (story 1 N=1000; story 2 N=1000); speed-up vs the hand-written",
            "workflow on story 1: in wall time, and per effective draw (ESS/s end to end)",
        ]
        lines.append(
            f"  hand-written pm.sample workflow, story 1: {hand:6.2f} s"
            f"  (ESS {median([r['ess_bulk_min'] for r in hand_ok]):.0f}, ESS/s {hand_rate:4.0f})"
        )
        runs_by_key = dict(e["causalbayes"])
        runs_by_key.update({f"{k} cold": [r] for k, r in e.get("cold", {}).items()})
        for key, runs in runs_by_key.items():
            ok = [r for r in runs if "seconds" in r]
            if not ok:
                lines.append(f"  causalbayes {key:19s} error: {runs[0].get('error')}")
                continue
            t = median([r["seconds"] for r in ok])
            rate = median([r["ess_bulk_min"] / r["seconds"] for r in ok])
            speed = (
                f"  speed-up {hand / t:4.2f}x, per ESS {rate / hand_rate:4.2f}x"
                if "story1" in key
                else ""
            )
            lines.append(
                f"  causalbayes {key:19s} {t:6.2f} s  (fit {median([r['fit_s'] for r in ok]):5.2f} s, "
                f"ESS {median([r['ess_bulk_min'] for r in ok]):5.0f}, ESS/fit-s "
                f"{median([r['ess_per_fit_s'] for r in ok]):4.0f}, ESS/s {rate:4.0f}, "
                f"ran {ok[0]['sampler']}, n={len(ok)}){speed}"
            )
    if "scaling" in s:
        lines += ["", "fit + ATE by size (story 1)"]
        lines.append(
            f"  {'N':>9s} {'sampler':8s} {'fit s':>8s} {'ATE s':>7s} {'peak MB':>8s} {'ATE':>8s} {'sd':>7s}"
        )
        for r in s["scaling"]["rows"]:
            if "error" in r:
                lines.append(f"  error: {r['error']}")
                continue
            lines.append(
                f"  {r['n']:9d} {r['sampler']:8s} {r['fit_s']:8.1f} {r['ate_s']:7.2f} {r['peak_mb']:8.0f}"
                f" {r['ate_mean']:8.4f} {r['ate_sd']:7.4f}"
            )
    if "check" in s:
        c = s["check"]
        lines += ["", "ADVI vs NUTS, ATE on the same rows"]
        if "error" in c:
            lines.append(f"  error: {c['error']}")
        else:
            for k in ("advi", "nuts"):
                lines.append(
                    f"  {k}: {c[k]['sampler']:8s} {c[k]['seconds']:7.1f} s  ATE {c[k]['ate_mean']:.4f} (sd {c[k]['ate_sd']:.4f})"
                )
            lines.append(
                f"  N={c['n_subset']}: difference = {c['difference_in_nuts_sd']:+.2f} NUTS posterior sds"
            )
    if "refits" in s:
        lines += ["", "repeated fits of new data (N=500, 4x1000 draws): per-fit seconds (median)"]
        for sampler, r in s["refits"].items():
            if "error" in r:
                lines.append(f"  {sampler}: error {r['error']}")
                continue
            once, rebuild = median(r["once_s"]), median(r["rebuild_s"])
            lines.append(
                f"  {r['sampler']:7s} compile-once {once:6.2f} s (+{r['setup_s']:.1f} s once)   "
                f"rebuild {rebuild:6.2f} s   speed-up {rebuild / once:4.1f}x  ({len(r['once_s'])} / {len(r['rebuild_s'])} fits)"
            )
    if "identification" in s:
        lines += ["", f"adjustment-set search: {json.dumps(s['identification'])[:500]}"]
    lines += ["", "goals (benchmarks, not tests):"] + [f"  {k}: {v}" for k, v in GOALS.items()]
    return "\n".join(lines)


def _sizes(text: str) -> list[int]:
    return [int(float(x)) for x in text.split(",") if x]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="small sizes, 1 repeat, 3 refits")
    p.add_argument("--sections", default=",".join(SECTIONS), help=f"comma list of {SECTIONS}")
    p.add_argument("--sizes", type=_sizes, default=None, help="rows, e.g. 1e3,1e4,1e5,1e6")
    p.add_argument("--nuts-max", type=float, default=1e4, help="largest N fitted with NUTS")
    p.add_argument("--repeats", type=int, default=None)
    p.add_argument("--refits", type=int, default=None, help="data sets in the refit section")
    p.add_argument("--rebuilds", type=int, default=5, help="of those, refitted by rebuilding")
    p.add_argument("--check-n", type=int, default=100_000, help="rows for ADVI vs NUTS")
    p.add_argument("--check-full", type=int, default=1_000_000, help="data set the rows come from")
    p.add_argument("--overhead-samplers", default="pymc,nutpie,numpyro")
    p.add_argument(
        "--e2e-samplers", default="auto,numpyro,nutpie", help="auto@2000: 2000 draws a chain"
    )
    p.add_argument("--e2e-new-data", action="store_true", help="a new data set for each e2e repeat")
    p.add_argument("--json", action="store_true", help="print one JSON object instead")
    args = p.parse_args(argv)
    args.sections = [x for x in args.sections.split(",") if x]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        p.error(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    args.sizes = args.sizes or (
        [1000, 10_000] if args.quick else [1000, 10_000, 100_000, 1_000_000]
    )
    args.repeats = args.repeats or (1 if args.quick else 3)
    args.refits = args.refits or (3 if args.quick else 20)
    if args.quick:
        args.check_n, args.check_full = min(args.check_n, 10_000), min(args.check_full, 100_000)
    args.overhead_samplers = [x for x in args.overhead_samplers.split(",") if x]
    args.e2e_samplers = [x for x in args.e2e_samplers.split(",") if x]
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    results: dict[str, Any] = {"machine": machine(), "args": vars(args), "sections": {}}
    for name in args.sections:
        start = time.perf_counter()
        results["sections"][name] = globals()[f"section_{name}"](args)
        results["sections"][name + "_wall_s"] = time.perf_counter() - start
        if not args.json:
            print(f"[{name} done in {time.perf_counter() - start:.0f} s]", file=sys.stderr)
    results["sections"] = {k: v for k, v in results["sections"].items()}
    print(json.dumps(results, indent=1) if args.json else render(_only_sections(results)))
    return 0


def _only_sections(results: dict) -> dict:
    s = {k: v for k, v in results["sections"].items() if not k.endswith("_wall_s")}
    return {**results, "sections": s}


if __name__ == "__main__":
    sys.exit(main())
