"""Steps 1-4 of issue 17 on a real observational data set: Card (1995) via causaldata.

Does growing up near a four-year college (nearc4) raise the log wage (lwage)? Adjusted for
black, south, smsa and experience (exper and its square, standardized), as in
tests/real. Run by hand (``python tests/sensitivity/real_data_demo.py``): it fits with
MCMC and refits for the refutations (minutes).
"""

from __future__ import annotations

import time

import numpy as np

import causalbayes as cb
from causalbayes.sensitivity import (
    assumptions_report,
    bayesian_sensitivity,
    evalue,
    ols_sensitivity,
    refute,
)

COVARIATES = ["black", "south", "smsa", "exper", "exper2"]
BENCHMARKS = ["black", "south", "smsa"]


def load():
    import causaldata

    raw = causaldata.close_college.load_pandas().data
    df = raw[["nearc4", "lwage", "black", "south", "smsa", "exper"]].copy()
    z = (df["exper"] - df["exper"].mean()) / df["exper"].std()
    return df.assign(exper=z, exper2=z**2 - (z**2).mean())


def main() -> None:
    df = load()
    start = time.perf_counter()
    freq = ols_sensitivity(df, "nearc4", "lwage", COVARIATES, benchmarks=BENCHMARKS, kd=[1, 2, 3])
    print(freq.summary(4))
    sd_y = df["lwage"].std()
    print(evalue(freq.estimate / sd_y, measure="SMD", se=freq.se / sd_y).summary())
    edges = "; ".join(f"{c} -> nearc4; {c} -> lwage" for c in COVARIATES) + "; nearc4 -> lwage"
    scm = cb.SCM.from_graph(edges, df)
    fit = scm.fit(df, draws=500, tune=500, chains=2, random_seed=1)
    print(f"fit {time.perf_counter() - start:.0f} s; diagnostics {fit.diagnostics}")
    sens = bayesian_sensitivity(fit, "nearc4", "lwage", benchmarks=BENCHMARKS, kd=[1, 2, 3])
    print(sens.summary())
    print(
        "Bayesian RV (interval):",
        round(sens.robustness_value(), 4),
        "OLS RV_qa:",
        round(freq.rv_qa, 4),
    )
    print(
        "Bayesian RV (mean):",
        round(sens.robustness_value(kind="mean"), 4),
        "OLS RV_q:",
        round(freq.rv_q, 4),
    )
    from scipy import stats

    avg = sens.average(stats.beta(1, 30), stats.beta(1, 30), random_seed=2)
    print(
        "averaged over Beta(1, 30) priors on both partial R2:", round(avg.mean(), 4), avg.hdi(0.95)
    )
    t0 = time.perf_counter()
    ref = refute(fit, "nearc4", "lwage", workers=2, random_seed=3)
    print(f"refutations {time.perf_counter() - t0:.0f} s")
    print(ref.table()[["mean", "sd", "lower", "upper", "verdict"]].round(4).to_string())
    report = assumptions_report(fit, "nearc4", "lwage", benchmarks=BENCHMARKS, refutations=ref)
    print(report.summary())
    report.plot().savefig("/tmp/close_college_report.png", dpi=80)
    print(
        "ols estimate",
        round(freq.estimate, 4),
        "posterior mean",
        round(float(np.mean(sens.effect.draws)), 4),
    )


if __name__ == "__main__":
    main()
