"""SBC of story 1: ``cb.sbc`` against simuk 0.2 (``pm.sample`` per simulation), same machine.

Issue 14's setting: 100 simulations, N = 200 rows, 2 chains x 500 tuning + 500 draws,
the ATE query (story 1's ATE is the coefficient ``coating.dilution``, so simuk's ranks of
the free parameters cover it). Each way runs in its own fresh process, one after another,
and is timed end to end from its first import, as a user pays it:

- ``simuk``: ``simuk.SBC(model, num_simulations=..., sample_kwargs=...)`` on story 1
  written by hand in PyMC, with the priors ``cb.sbc`` uses (unit scales); PyMC runs the
  two chains of every simulation in parallel on 2 cores;
- ``cb-pymc``: ``cb.sbc(..., sampler="pymc", workers=2)`` (the base install);
- ``cb-auto``: ``cb.sbc(..., workers=2)``, i.e. nutpie when it is installed;
- ``cb-blocks-base``: ``cb.sbc(..., blocks=True, workers=2)`` as the base install runs it
  (nutpie, numpyro, blackjax and jax hidden from the process and its workers): the Normal
  mechanisms (``humid``, ``coating``) drawn exactly, the treatment's by PyMC's NUTS;
- ``cb-default-base``: ``cb.sbc(..., workers=2)`` with every default (``blocks="auto"``,
  ``sampler="auto"``), base install: the rule ``cb.fit`` follows.

simuk is not a dependency of causalbayes; install it to run this (``pip install
simuk==0.2.0``; it needs ``arviz_base``, which a virtual environment with
``--system-site-packages`` keeps apart from ArviZ 0.23)::

    python benchmarks/bench_sbc.py [--sims 100] [--n 200] [--ways simuk,cb-pymc,cb-auto]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

SEED = 20261127
CHAINS, TUNE, DRAWS = 2, 500, 500


def simuk_way(sims: int, n: int) -> dict:
    import logging

    import numpy as np
    import pymc as pm
    import simuk

    import causalbayes as cb
    from causalbayes.data.default_priors import resolved_priors
    from causalbayes.data.scales import unit_scales

    logging.getLogger("pymc").setLevel(logging.ERROR)
    scm = cb.examples.coating_scm()
    priors = resolved_priors(scm, unit_scales())

    def prior(name):
        p = priors[name]
        return getattr(pm, p.dist)(name, **p.kwargs)

    placeholder = cb.simulate(scm, n, params=cb.examples.COATING_TRUTH, random_seed=0)
    with pm.Model(coords={"unit": np.arange(n)}) as model:
        h_mu, h_sd = prior("humid.intercept"), prior("humid.sigma")
        d_a, d_h = prior("dilution.intercept"), prior("dilution.humid")
        c_a, c_d, c_h, c_sd = (
            prior(f"coating.{p}") for p in ("intercept", "dilution", "humid", "sigma")
        )
        # parents enter as the random variables, so prior predictive draws are generative
        humid = pm.Normal("humid", h_mu, h_sd, observed=placeholder["humid"], dims="unit")
        dilution = pm.Bernoulli(
            "dilution", logit_p=d_a + d_h * humid, observed=placeholder["dilution"], dims="unit"
        )
        pm.Normal(
            "coating",
            c_a + c_d * dilution + c_h * humid,
            c_sd,
            observed=placeholder["coating"],
            dims="unit",
        )
    sbc = simuk.SBC(
        model,
        num_simulations=sims,
        sample_kwargs={"draws": DRAWS, "tune": TUNE, "chains": CHAINS, "cores": 2},
        seed=SEED,
    )
    sbc.run_simulations()
    ranks = sbc.simulations["prior_sbc"]["coating.dilution"].values.ravel()
    return {"ate_ranks_mean": float(np.mean(ranks)), "max_rank": DRAWS * CHAINS}


#: The optional samplers; ``-base`` ways run without them (a sitecustomize on PYTHONPATH
#: makes them unimportable in the child and in its worker processes).
OPTIONAL = ("nutpie", "numpyro", "blackjax", "jax")
HIDE = "import sys\nfor m in {names!r}:\n    sys.modules[m] = None\n"


def cb_way(sims: int, n: int, sampler: str) -> dict:
    import causalbayes as cb

    blocks: bool | str = sampler.startswith("blocks")
    if sampler == "default":
        blocks = "auto"
    if blocks:
        sampler = "auto"
    result = cb.sbc(
        cb.examples.coating_scm(),
        n=n,
        sims=sims,
        queries=[cb.ATE("dilution", "coating")],
        draws=DRAWS,
        tune=TUNE,
        chains=CHAINS,
        sampler=sampler,
        workers=2,
        random_seed=SEED,
        progressbar=False,
        blocks=blocks,
    )
    return {
        "sampler": result.settings.get("sampler"),
        "miscalibrated": result.miscalibrated,
        "fits_failing_diagnostics": int((result.sims["rhat_max"] > 1.01).sum()),
    }


def child(way: str, sims: int, n: int) -> None:
    start = time.perf_counter()
    way = way.removesuffix("-base")
    out = simuk_way(sims, n) if way == "simuk" else cb_way(sims, n, way.removeprefix("cb-"))
    out["seconds"] = time.perf_counter() - start
    print(json.dumps(out, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=100)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--ways", default="simuk,cb-pymc,cb-auto,cb-blocks-base")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.sims, args.n)
    print(f"story 1 SBC: {args.sims} sims, N = {args.n}, {CHAINS} chains x {TUNE} + {DRAWS}")
    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()}")
    rows = {}
    hidden = tempfile.mkdtemp()
    with open(os.path.join(hidden, "sitecustomize.py"), "w") as f:
        f.write(HIDE.format(names=OPTIONAL))
    for way in args.ways.split(","):
        env = dict(os.environ)
        if way.endswith("-base"):
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [hidden, env.get("PYTHONPATH")]))
        start = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                way,
                "--sims",
                str(args.sims),
                "--n",
                str(args.n),
            ],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        wall = time.perf_counter() - start  # the fresh process's imports included
        rows[way] = {**json.loads(done.stdout.strip().splitlines()[-1]), "wall": wall}
        print(f"  {way:14s} {wall:7.1f} s  {rows[way]}", flush=True)
    if "simuk" in rows:
        for way, row in rows.items():
            print(f"  {way:14s} {rows['simuk']['wall'] / row['wall']:5.2f}x simuk's speed")


if __name__ == "__main__":
    main()
