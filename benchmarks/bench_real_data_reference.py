"""Real-data yardstick: reference ATEs and a hand-written PyMC fit per data set (no causalbayes).

For each data set in tests/real/datasets.py: rows, confounders, regression adjustment, Hajek
IPW and AIPW (with SEs, propensity range, effective sizes of the weights), then the
hand-written PyMC outcome model (4 chains x 1000 tune + 1000 draws on 2 cores): its ATE,
divergences (after and during warm-up), max R-hat, min bulk ESS and wall times
(time.perf_counter). Sampling times depend on the machine's load: the draws are seeded.

    python benchmarks/bench_real_data_reference.py [--datasets a b] [--no-mcmc] [--json]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "real"))

import datasets  # noqa: E402  (tests/real/datasets.py, found through the path above)


def run(name: str, mcmc: bool) -> dict:
    t0 = time.perf_counter()
    ref = datasets.references(name)
    row = {"name": name, "references": ref, "references_s": time.perf_counter() - t0}
    if mcmc:
        row["hand"] = datasets.hand_fit(name)
    return row


def show(row: dict) -> None:
    r = row["references"]
    ds = datasets.DATASETS[row["name"]]
    kind = "binary" if ds.binary_outcome else "continuous"
    print(f"== {row['name']}: {ds.treatment} -> {ds.outcome} ({kind} outcome)")
    print(
        f"   n = {r['n']}, confounders = {r['n_confounders']}, design columns = "
        f"{r['n_columns']}, treated = {r['treated_share']:.4f}, naive = {r['naive']:.4f}"
    )
    ra_label = "logistic g-comp" if ds.binary_outcome else "OLS"
    hc1 = f" (HC1 {r['ra_se_hc1']:.4f})" if "ra_se_hc1" in r else ""
    print(f"   regression adjustment ({ra_label}): {r['ra']:.4f} (se {r['ra_se']:.4f}){hc1}")
    print(f"   IPW (Hajek):  {r['ipw']:.4f} (se {r['ipw_se']:.4f})")
    print(f"   AIPW:         {r['aipw']:.4f} (se {r['aipw_se']:.4f})")
    print(
        f"   propensity in [{r['propensity_min']:.2e}, {r['propensity_max']:.4f}], "
        f"weight ESS treated {r['ess_treated']:.1f} / control {r['ess_control']:.1f}; "
        f"references took {row['references_s']:.2f} s"
    )
    h = row.get("hand")
    if h:
        lo, hi = h["ate_hdi94"]
        print(
            f"   hand PyMC: {h['ate_mean']:.4f} (sd {h['ate_sd']:.4f}, 94% HDI "
            f"[{lo:.4f}, {hi:.4f}]); divergences {h['divergences']} (warm-up "
            f"{h['divergences_tuning']}), max R-hat "
            f"{h['max_rhat']:.4f}, min bulk ESS {h['min_ess_bulk']:.0f}"
        )
        print(
            f"   time: build {h['build_s']:.2f} s, pm.sample {h['sample_total_s']:.1f} s = "
            f"setup (compile, init, workers) {h['setup_s']:.1f} s + sampling "
            f"{h['sampling_s']:.1f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="*", default=list(datasets.DATASETS))
    parser.add_argument("--no-mcmc", action="store_true", help="references only")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    logging.getLogger("pymc").setLevel(logging.WARNING)  # no per-fit progress lines
    rows = [run(name, mcmc=not args.no_mcmc) for name in args.datasets]
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    for row in rows:
        show(row)


if __name__ == "__main__":
    main()
