"""Experiments core (issue 16): story 2's exact figures, timings and simulation studies.

Prints ``cb.ab_test``'s exact path in fresh processes (import causalbayes, then the
first call, the warm call, and reading ``result.fit`` afterwards), the numpy core's
exact path after import (goal: under 0.1 s), story 2's numbers against scipy's quad
and Monte Carlo, the looks simulator's error rates,
the bandit simulator's regret, and the uplift recovery study (Qini band coverage,
rank correlation against a random-forest T-learner, cross-check with
scikit-uplift when installed).

    python benchmarks/bench_experiments.py [--quick] [--fresh-only]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 20)
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "experiments"))

# one fresh process: import causalbayes, story 2 from counts (exact path), then warm calls
# and the Fit built on first use; prints seconds as JSON
FRESH = """
import json, sys, time
start = time.perf_counter()
import causalbayes as cb
imported = time.perf_counter()
import pandas as pd
counts = pd.DataFrame({"page": ["A", "B"], "buys": [120, 150], "visitors": [1000, 1000]})
before = time.perf_counter()
result = cb.ab_test(counts, "page", "buys", trials="visitors", random_seed=1)
first = time.perf_counter() - before
loaded = [m for m in ("scipy.special", "scipy.stats", "xarray", "arviz", "pytensor", "pymc")
          if m in sys.modules]
warm = []
for _ in range(20):
    before = time.perf_counter()
    cb.ab_test(counts, "page", "buys", trials="visitors", random_seed=1)
    warm.append(time.perf_counter() - before)
before = time.perf_counter()
assert result.fit.sampler == "exact"
fit = time.perf_counter() - before
print(json.dumps({"import": imported - start, "first": first, "warm": sorted(warm)[10],
                  "fit": fit, "loaded": loaded,
                  "p": float(result.pairs.loc["B - A", "p_better"])}))
"""


def timed(fn, repeat: int = 1):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return out, times


def story2(ex):
    from scipy import integrate

    print("\n== Story 2: exact posteriors and P(B beats A)")
    cases = [
        ("1000/1000, Beta(1,1)", [120, 150], [1000, 1000], (1, 1)),
        ("1000/1000, Beta(10,90)", [120, 150], [1000, 1000], ex.beta_prior(0.1, 100)),
        ("10/10, Beta(1,1)", [1, 2], [10, 10], (1, 1)),
        ("10/10, Beta(10,90)", [1, 2], [10, 10], ex.beta_prior(0.1, 100)),
    ]
    for label, s, n, prior in cases:
        post = ex.beta_binomial(s, n, prior=prior)
        m = post.marginal()
        ours = float(ex.prob_difference_above(m, 1, 0))
        a, b = m.frozen(0), m.frozen(1)
        quad = integrate.quad(lambda x, a=a, b=b: a.pdf(x) * b.sf(x), 0, 1, epsabs=1e-13)[0]
        d = post.draws(4_000_000, random_seed=7)
        mc = float(np.mean(d[:, 1] > d[:, 0]))
        print(
            f"{label:24s} A~Beta({post.alpha[0]:g},{post.beta[0]:g}) B~Beta({post.alpha[1]:g},"
            f"{post.beta[1]:g})  E[pB-pA]={post.mean().iloc[1] - post.mean().iloc[0]:.5f}  "
            f"P(B>A) ours={ours:.6f} quad={quad:.6f} MC(4e6)={mc:.6f} |ours-MC|={abs(ours - mc):.1e}"
        )


def fresh_ab_test(runs: int = 5):
    print(f"\n== cb.ab_test in a fresh process: story 2 from counts, exact path ({runs} processes)")
    rows = []
    for _ in range(runs):  # cwd=ROOT: `python -c` imports this checkout's package
        out = subprocess.run(
            [sys.executable, "-c", FRESH], cwd=ROOT, capture_output=True, text=True, check=True
        )
        rows.append(json.loads(out.stdout))
    for key, label, unit in (
        ("import", "import causalbayes", "s"),
        ("first", "first ab_test after it", "s"),
        ("warm", "warm ab_test (median of 20)", "ms"),
        ("fit", "then reading result.fit (builds the Fit)", "s"),
    ):
        values = np.array([r[key] for r in rows]) * (1e3 if unit == "ms" else 1)
        each = ", ".join(f"{v:.3g}" for v in values)
        print(f"{label:42s} median {np.median(values):.3g} {unit} ({each})")
    print(
        f"heavy modules loaded after the first call: {rows[0]['loaded']}; P(B > A) = {rows[0]['p']:.6f}"
    )


def exact_path(ex):
    print("\n== Exact A/B/n path after import (20,000 draws, exact P(best) and losses)")
    for arms in (2, 3):
        s, n = [120, 150, 140][:arms], [1000, 1000, 800][:arms]

        def run(s=s, n=n):
            return ex.compare_posterior(ex.beta_binomial(s, n), random_seed=1, rope=0.005)

        _, first = timed(run)
        _, times = timed(run, repeat=20)
        print(
            f"{arms} arms: first call {first[0] * 1e3:.1f} ms, median {np.median(times) * 1e3:.1f} ms"
        )
    print(run().verdict)


def looks(ex, sims: int):
    print(f"\n== Looking while the test runs ({sims} simulated tests, 20 looks of 500 visitors)")
    rules = {
        "peek P(best)>0.95": ex.PeekRule(0.95),
        "fixed horizon": ex.FixedHorizon(0.95),
        "expected loss<0.001": ex.LossRule(0.001),
        "ROPE +-0.01 (95%)": ex.RopeRule(0.01),
    }
    for rates in ([0.10, 0.10], [0.10, 0.12]):
        sim, t = timed(
            lambda r=rates: ex.simulate_looks(
                r, rules, visitors_per_look=500, looks=20, sims=sims, random_seed=1
            )
        )
        table = sim.summary()[
            ["stopped_early", "claimed_winner", "wrong_claim", "wrong_claim_se", "shipped_best"]
            + ["mean_visitors", "mean_regret"]
        ]
        print(f"rates {rates}: {t[0]:.1f} s\n{table.round(4)}")


def bandits(ex, runs: int, horizon: int):
    print(f"\n== Bernoulli bandits ({runs} runs, {horizon} visitors)")
    for rates in ([0.1, 0.2, 0.3, 0.4, 0.5], [0.04, 0.05, 0.06]):
        sim, t = timed(
            lambda r=rates: ex.simulate_bandits(r, horizon=horizon, runs=runs, random_seed=1)
        )
        print(f"rates {rates}: {t[0]:.1f} s\n{sim.summary().round(4)}")
    out, t = timed(
        lambda: ex.simulate_contextual(
            [[0.3, 0.2], [0.3, -0.2]], horizon=horizon // 2, runs=100, random_seed=2
        )
    )
    print(
        f"contextual ({t[0]:.1f} s): "
        + ", ".join(f"{k} {m:.1f} +- {s:.1f}" for k, (m, s) in out.items())
    )


def uplift(ex, sims: int):
    from scipy import stats
    from uplift_data import simulate_uplift, true_curve

    print(f"\n== Uplift: Qini band coverage over {sims} simulations (n=2000, 90% bands)")
    fr = np.array([0.1, 0.25, 0.5, 0.75, 1.0])
    hits = {"true ranking": [], "posterior-mean ranking": []}
    rho = []
    start = time.perf_counter()
    for seed in range(sims):
        x, t, y, tau = simulate_uplift(seed, n=2000)
        d = ex.linear_cate(x, t, y, draws=1000, random_seed=10_000 + seed)
        rho.append(stats.spearmanr(d.mean(0), tau).statistic)
        for name, order in (
            ("true ranking", np.argsort(-tau)),
            ("posterior-mean ranking", ex.ranking(d)),
        ):
            band = ex.curve_band(d, order=order, kind="qini", treatment=t, fractions=fr)
            top = np.array([t[order[: int(f * tau.size)]].mean() for f in fr])
            truth = true_curve(tau, order, fr) * top
            lo, hi = np.quantile(band.auuc(), [0.05, 0.95])
            hits[name].append(np.r_[band.covers(truth, 0.9), lo <= np.trapezoid(truth, fr) <= hi])
    cols = [f"top {f:.0%}" for f in fr] + ["AUUC"]
    table = pd.DataFrame({k: np.mean(v, 0) for k, v in hits.items()}, index=cols).T
    print(
        f"{time.perf_counter() - start:.1f} s; binomial SE at 0.9: {np.sqrt(0.09 / sims):.3f}\n{table.round(3)}"
    )
    print(
        f"Spearman(posterior-mean CATE, true CATE): mean {np.mean(rho):.3f} (sd {np.std(rho):.3f})"
    )
    try:
        from sklearn.ensemble import RandomForestClassifier
        from sklift.metrics import qini_auc_score
        from sklift.models import TwoModels
    except ImportError:
        print("scikit-uplift not installed: baseline skipped")
        return
    import sklearn
    import sklift

    print(
        f"\n== Baseline on held-out users: sklift {sklift.__version__} TwoModels(RandomForest), "
        f"sklearn {sklearn.__version__}; train on 2000 users, evaluate on 2000 others"
    )
    rows = []
    for data_seed in range(5):
        x, t, y, tau = simulate_uplift(data_seed, n=4000)
        tr, te = slice(0, 2000), slice(2000, 4000)
        d = ex.linear_cate(x[tr], t[tr], y[tr], draws=1000, new_x=x[te], random_seed=data_seed)
        ours = d.mean(0)
        q_draws = [ex.qini_auc_score(y[te], t[te], row) for row in d[::5]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # sklift 0.5.1 on sklearn >= 1.8
            q_ours = qini_auc_score(y[te], ours, t[te])
            assert abs(q_ours - ex.qini_auc_score(y[te], t[te], ours)) < 1e-12
            base = []
            for seed in range(5):
                forest = dict(n_estimators=100, min_samples_leaf=20, random_state=seed)
                model = TwoModels(
                    estimator_trmnt=RandomForestClassifier(**forest),
                    estimator_ctrl=RandomForestClassifier(**forest),
                    method="vanilla",
                ).fit(x[tr], y[tr], t[tr])
                score = model.predict(x[te])
                base.append(
                    (qini_auc_score(y[te], score, t[te]), stats.spearmanr(score, tau[te])[0])
                )
        base = np.array(base)
        lo, hi = np.quantile(q_draws, [0.05, 0.95])
        rows.append(
            {
                "data seed": data_seed,
                "ours: Spearman with true CATE": stats.spearmanr(ours, tau[te]).statistic,
                "baseline: Spearman (mean of 5 seeds)": base[:, 1].mean(),
                "ours: Qini coef (posterior-mean ranking)": q_ours,
                "ours: Qini coef 5% (draws' rankings)": lo,
                "ours: Qini coef 95% (draws' rankings)": hi,
                "baseline: Qini coef min over seeds": base[:, 0].min(),
                "baseline: Qini coef max over seeds": base[:, 0].max(),
                "baseline: (max - min) / |mean|": np.ptp(base[:, 0]) / abs(base[:, 0].mean()),
            }
        )
    print(pd.DataFrame(rows).set_index("data seed").round(3).T)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer simulations")
    parser.add_argument("--fresh-only", action="store_true", help="only the fresh-process figure")
    args = parser.parse_args(argv)
    fresh_ab_test()
    if args.fresh_only:
        return
    start = time.perf_counter()
    import causalbayes.experiments as ex

    print(f"import causalbayes.experiments: {time.perf_counter() - start:.2f} s (no PyMC)")
    exact_path(ex)
    story2(ex)
    looks(ex, 500 if args.quick else 2000)
    bandits(ex, 200, 500 if args.quick else 2000)
    uplift(ex, 30 if args.quick else 200)


if __name__ == "__main__":
    main()
