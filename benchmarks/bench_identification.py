"""Adjustment-set search and identification on random DAGs of 50 and 200 nodes.

``adjustment_search_figures()`` returns a dict of timings (seconds); run this
file to print them.  Each figure is the worst case over ``queries`` random
queries (treatment and outcome chosen so that the outcome descends from the
treatment and the two share an ancestor: a confounded effect), one graph per
query, each forward pair of nodes an edge with probability ``degree / n``
(about ``degree / 2`` parents per node).

    python benchmarks/bench_identification.py
"""

from __future__ import annotations

import time

import numpy as np

from causalbayes.graph import DAG
from causalbayes.identification import adjustment_sets, identify, minimal_adjustment_set


def random_dag(n: int, degree: float, rng: np.random.Generator) -> DAG:
    """Random DAG: each forward pair ``(i, j)`` is an edge with probability ``degree / n``."""
    names = [f"v{i}" for i in range(n)]
    upper = np.triu(rng.random((n, n)) < degree / n, k=1)
    edges = [(names[i], names[j]) for i, j in zip(*np.nonzero(upper), strict=True)]
    return DAG(names, edges)


def confounded_query(dag: DAG, rng: np.random.Generator) -> tuple[str, str] | None:
    """A (treatment, outcome) pair: outcome descends from treatment, common ancestor exists."""
    nodes = list(dag.nodes)
    for _ in range(200):
        t = nodes[rng.integers(len(nodes))]
        below = sorted(dag.descendants(t))
        if not below:
            continue
        y = below[rng.integers(len(below))]
        if dag.ancestors(t) & (dag.ancestors(y) - dag.descendants(t) - {t}):
            return t, y
    return None


def _timed(function, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def adjustment_search_figures(
    sizes: tuple[int, ...] = (50, 200),
    *,
    queries: int = 20,
    degrees: tuple[float, ...] = (3.0, 6.0),
    seed: int = 0,
) -> dict[str, float]:
    """Seconds per query (worst and median) for each size and mean degree.

    Keys look like ``"n200_d3_identify_max_s"``: ``minimal_set`` (one minimal
    adjustment set), ``minimal_sets10`` / ``all_sets10`` (list up to 10 minimal /
    any sets), ``identify`` (the full verdict: sets, frontdoor, instruments,
    ID when needed).  Also ``"n200_d3_edges_mean"`` and ``"..._sets_listed_mean"``.
    """
    rng = np.random.default_rng(seed)
    figures: dict[str, float] = {}
    for n, degree in [(n, d) for n in sizes for d in degrees]:
        times: dict[str, list[float]] = {
            "minimal_set": [],
            "minimal_sets10": [],
            "all_sets10": [],
            "identify": [],
        }
        edges, listed = [], []
        done = 0
        while done < queries:
            dag = random_dag(n, degree, rng)
            query = confounded_query(dag, rng)
            if query is None:
                continue
            t, y = query
            seconds, _ = _timed(minimal_adjustment_set, dag, t, y)
            times["minimal_set"].append(seconds)
            seconds, sets = _timed(adjustment_sets, dag, t, y, max_sets=10)
            times["minimal_sets10"].append(seconds)
            seconds, _ = _timed(adjustment_sets, dag, t, y, minimal=False, max_sets=10)
            times["all_sets10"].append(seconds)
            seconds, _ = _timed(identify, dag, t, y)
            times["identify"].append(seconds)
            edges.append(len(dag.edges))
            listed.append(len(sets))
            done += 1
        key = f"n{n}_d{degree:g}"
        for name, values in times.items():
            figures[f"{key}_{name}_max_s"] = float(np.max(values))
            figures[f"{key}_{name}_median_s"] = float(np.median(values))
        figures[f"{key}_edges_mean"] = float(np.mean(edges))
        figures[f"{key}_sets_listed_mean"] = float(np.mean(listed))
    return figures


if __name__ == "__main__":
    for key, value in adjustment_search_figures().items():
        print(f"{key:36s} {value:.4f}")
