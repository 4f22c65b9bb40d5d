"""Workloads timed by ``run.py``; each runs in a fresh process and returns a JSON-able dict.

Kept apart from the driver so that each measurement includes exactly what a
user pays in a new Python session (imports, compiles) when it should.
"""

from __future__ import annotations

import resource
import time
from typing import Any

TRUTH_SEED = 1


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _ess(idata) -> float:
    import arviz as az

    ess = az.ess(idata.posterior, method="bulk")
    return float(min(float(ess[v].min()) for v in ess.data_vars))


def hand_model(df, priors):
    """Story 1 written by hand in PyMC, with the priors causalbayes resolved for ``df``."""
    import numpy as np
    import pymc as pm

    def prior(name):
        p = priors[name]
        return getattr(pm, p.dist)(name, **p.kwargs)

    humid, dilution, coating = (df[c].to_numpy() for c in ("humid", "dilution", "coating"))
    with pm.Model(coords={"unit": np.arange(len(df))}) as model:
        h_mu, h_sd = prior("humid.intercept"), prior("humid.sigma")
        d_a, d_h = prior("dilution.intercept"), prior("dilution.humid")
        c_a, c_d, c_h, c_sd = (
            prior(f"coating.{p}") for p in ("intercept", "dilution", "humid", "sigma")
        )
        pm.Normal("humid", h_mu, h_sd, observed=humid, dims="unit")
        pm.Bernoulli("dilution", logit_p=d_a + d_h * humid, observed=dilution, dims="unit")
        pm.Normal(
            "coating", c_a + c_d * dilution + c_h * humid, c_sd, observed=coating, dims="unit"
        )
    return model


def overhead(n: int, sampler: str, repeats: int, draws: int, tune: int, chains: int) -> dict:
    """causalbayes fit vs the same model hand-written in PyMC, same sampler, same process."""
    import pymc as pm

    import causalbayes as cb
    from causalbayes.data.default_priors import resolved_priors
    from causalbayes.data.encode import encode_data
    from causalbayes.data.scales import scales_from_data

    scm = cb.examples.coating_scm()
    df = cb.simulate(scm, n, params=cb.examples.COATING_TRUTH, random_seed=TRUTH_SEED)
    encoded = encode_data(scm, df)
    priors = resolved_priors(encoded.scm, scales_from_data(encoded.scm, encoded))
    kwargs = {"draws": draws, "tune": tune, "chains": chains}
    cb_times, hand_times = [], []

    def run_cb(i):
        start = time.perf_counter()
        cb.fit(scm, df, sampler=sampler, random_seed=i, warn=False, **kwargs)
        cb_times.append(time.perf_counter() - start)

    def run_hand(i):
        start = time.perf_counter()
        with hand_model(df, priors):
            pm.sample(
                **kwargs,
                cores=min(chains, 2) if sampler == "pymc" else None,
                nuts_sampler=sampler,
                random_seed=i,
                progressbar=False,
                compute_convergence_checks=False,
            )
        hand_times.append(time.perf_counter() - start)

    # one warm-up of each (compile caches), then alternate which goes first, so
    # that whatever the first fit of a round pays is shared alike
    for i in range(repeats + 1):
        first, second = (run_cb, run_hand) if i % 2 == 0 else (run_hand, run_cb)
        first(i)
        second(i)
    return {"causalbayes_s": cb_times[1:], "hand_s": hand_times[1:]}


def e2e_hand(n: int, data_seed: int = 1) -> dict:
    """Story 1 the tutorial way: simulate with pm.do, fit with pm.sample defaults, two do
    models and posterior predictive of each, ATE from the predictive means."""
    start = time.perf_counter()
    import numpy as np
    import pymc as pm

    import causalbayes as cb  # only for the truth values

    truth = cb.examples.COATING_TRUTH
    with pm.Model(coords={"unit": np.arange(n)}) as model:
        h_mu, h_sd = pm.Normal("humid.intercept", 0, 1), pm.HalfNormal("humid.sigma", 1)
        d_a, d_h = pm.Normal("dilution.intercept", 0, 1.5), pm.Normal("dilution.humid", 0, 1.5)
        c_a, c_d = pm.Normal("coating.intercept", 0, 1), pm.Normal("coating.dilution", 0, 1)
        c_h, c_sd = pm.Normal("coating.humid", 0, 1), pm.HalfNormal("coating.sigma", 1)
        humid = pm.Normal("humid", h_mu, h_sd, dims="unit")
        dilution = pm.Bernoulli("dilution", logit_p=d_a + d_h * humid, dims="unit")
        pm.Normal("coating", c_a + c_d * dilution + c_h * humid, c_sd, dims="unit")
    true_model = pm.do(model, truth)
    sim = pm.draw([true_model[v] for v in ("humid", "dilution", "coating")], random_seed=data_seed)
    observed = pm.observe(model, dict(zip(("humid", "dilution", "coating"), sim, strict=True)))
    with observed:
        idata = pm.sample(random_seed=2, progressbar=False)
    means = []
    for value in (1, 0):
        world = pm.do(model, {"dilution": np.full(n, value), "humid": sim[0]})
        with world:
            pp = pm.sample_posterior_predictive(
                idata, var_names=["coating"], random_seed=3, progressbar=False
            )
        means.append(pp.posterior_predictive["coating"].mean("unit"))
    ate = means[0] - means[1]
    return {
        "seconds": time.perf_counter() - start,
        "ate_mean": float(ate.mean()),
        "ess_bulk_min": _ess(idata),
        "draws_total": int(idata.posterior.sizes["chain"] * idata.posterior.sizes["draw"]),
    }


def e2e_causalbayes(
    n: int, sampler: str = "auto", story: int = 1, data_seed: int = 1, draws: int = 1000
) -> dict:
    """causalbayes defaults end to end: simulate, fit, ATE (story 1) or effect (story 2).

    ``draws``: per chain (the default 1000, the hand-written workflow's)."""
    start = time.perf_counter()
    import causalbayes as cb

    if story == 1:
        scm = cb.examples.coating_scm()
        df = cb.simulate(scm, n, params=cb.examples.COATING_TRUTH, random_seed=data_seed)
        treatment, outcome = "dilution", "coating"
    else:
        scm = cb.examples.ab_test_scm()
        df = cb.examples.ab_test_data({"A": n // 20, "B": n // 16}, {"A": n // 2, "B": n // 2})
        treatment, outcome = "page", "purchase"
    t_fit = time.perf_counter()
    fit = cb.fit(scm, df, sampler=sampler, random_seed=2, warn=False, draws=draws)
    t_ate = time.perf_counter()
    effect = cb.ate(fit, treatment, outcome, random_seed=3)
    end = time.perf_counter()
    return {
        "seconds": end - start,
        "fit_s": t_ate - t_fit,
        "ate_s": end - t_ate,
        "sampler": fit.sampler,
        "ate_mean": effect.mean(),
        "ess_bulk_min": fit.diagnostics.ess_bulk_min,
        "ess_per_fit_s": fit.diagnostics.ess_bulk_min / (t_ate - t_fit),
    }


def scaling(n: int, sampler: str, data_seed: int = 1, **options: Any) -> dict:
    """Fit + ATE at ``n`` rows with ``sampler``; peak resident memory of the process."""
    import causalbayes as cb

    scm = cb.examples.coating_scm()
    df = cb.simulate(scm, n, params=cb.examples.COATING_TRUTH, random_seed=data_seed)
    start = time.perf_counter()
    fit = cb.fit(scm, df, sampler=sampler, random_seed=2, warn=False, **options)
    t_ate = time.perf_counter()
    effect = cb.ate(fit, "dilution", "coating", random_seed=3)
    end = time.perf_counter()
    return {
        "n": n,
        "sampler": fit.sampler,
        "fit_s": t_ate - start,
        "ate_s": end - t_ate,
        "peak_mb": _peak_mb(),
        "ate_mean": effect.mean(),
        "ate_sd": effect.sd(),
        "ess_bulk_min": fit.diagnostics.ess_bulk_min,
    }


def advi_vs_nuts(n_full: int, n_subset: int, nuts_sampler: str) -> dict:
    """ATE by minibatch ADVI and by NUTS on the same ``n_subset`` rows of an ``n_full`` data set."""
    import causalbayes as cb

    scm = cb.examples.coating_scm()
    df = cb.simulate(scm, n_full, params=cb.examples.COATING_TRUTH, random_seed=1)
    subset = df.iloc[:n_subset]
    out = {"n_subset": n_subset}
    for label, sampler in (("advi", "advi"), ("nuts", nuts_sampler)):
        start = time.perf_counter()
        fit = cb.fit(scm, subset, sampler=sampler, random_seed=2, warn=False)
        effect = cb.ate(fit, "dilution", "coating", random_seed=3)
        out[label] = {
            "sampler": fit.sampler,
            "seconds": time.perf_counter() - start,
            "ate_mean": effect.mean(),
            "ate_sd": effect.sd(),
        }
    out["difference_in_nuts_sd"] = (out["advi"]["ate_mean"] - out["nuts"]["ate_mean"]) / out[
        "nuts"
    ]["ate_sd"]
    out["peak_mb"] = _peak_mb()
    return out


def refits(
    n: int, count: int, rebuilds: int, sampler: str, draws: int, tune: int, chains: int
) -> dict:
    """Per-fit time for ``count`` new data sets with a Refitter (compile once), and for the
    first ``rebuilds`` of them with ``cb.fit`` (build, observe, compile, sample each time)."""
    import causalbayes as cb

    scm = cb.examples.coating_scm()
    sims = [
        cb.simulate(scm, n, params=cb.examples.COATING_TRUTH, random_seed=100 + i)
        for i in range(count)
    ]
    kwargs = {"draws": draws, "tune": tune, "chains": chains}
    start = time.perf_counter()
    refitter = cb.Refitter(scm, sims[0], sampler=sampler, warn=False, **kwargs)
    setup = time.perf_counter() - start
    once = []
    for i, df in enumerate(sims):
        start = time.perf_counter()
        refitter.fit(df, random_seed=i)
        once.append(time.perf_counter() - start)
    rebuild = []
    for i, df in enumerate(sims[:rebuilds]):
        start = time.perf_counter()
        cb.fit(scm, df, sampler=sampler, random_seed=i, warn=False, **kwargs)
        rebuild.append(time.perf_counter() - start)
    return {"sampler": refitter.sampler, "setup_s": setup, "once_s": once, "rebuild_s": rebuild}
