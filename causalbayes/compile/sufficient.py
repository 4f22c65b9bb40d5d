"""Likelihoods written through sufficient statistics: the same log density, a fraction of the work.

A fit-time rewrite of one observed node's likelihood, used only where it is exact:

- **Normal, identity link** (terms, interactions, powers, splines, categorical parents and
  group effects; no custom mechanism, no known measurement error): the linear predictor is
  ``eta_i = x_i' b_c`` with ``x_i`` the row's design columns and ``b_c`` the coefficients of
  the row's *cell* (one combination of the node's group labels; one cell without groups).
  ``sum_i (y_i - eta_i)^2`` over a cell depends on the data only through ``X_c'X_c``,
  ``X_c'y_c``, ``y_c'y_c`` and ``n_c``.  They are stored about the cell's least-squares fit
  ``b0_c`` (residuals ``r0``) and through the QR factor ``R_c`` of ``X_c``:
  ``||y - X b||^2 = r0'r0 - 2 d'X'r0 + ||R d||^2`` with ``d = b - b0``, so no large
  numbers cancel (``X'X`` itself would square the columns' condition number).  A gradient
  costs ``O(cells p^2)`` instead of ``O(n p)``.
- **Bernoulli, Binomial, Poisson whose rows fall into few cells** (rows with the same parent
  values and group labels share their predictor, e.g. when every parent is discrete): the
  rows of a cell are summed into one Binomial (successes of ``n_c`` trials) or Poisson
  (``n_c`` times the rate) term, plus the constant that makes the log density equal to the
  row-wise one.

The design columns are read from :func:`causalbayes.compile.predictor.linear_predictor`
itself (its value at unit coefficient vectors), so the rewrite follows any term the
predictor knows, and a check at a random point refuses it when the predictor is not linear
in the coefficients.  The generative model that ``pm.do`` worlds use stays row-wise; only the
model a fit samples holds the statistics, as ``pm.Data`` (``<node>.stats.<name>``, so a
``Refitter`` swaps them with the data) and one ``pm.Potential`` (``<node>.loglik``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pymc as pm
import pytensor
import pytensor.tensor as pt
from scipy.special import gammaln

from causalbayes.compile.predictor import Design, linear_predictor
from causalbayes.data.encode import EncodedData
from causalbayes.data.scales import Scales
from causalbayes.families import Extra
from causalbayes.scm.naming import groups_dim
from causalbayes.scm.scm import SCM
from causalbayes.scm.terms import Group

#: Families whose rows are summed into cells (Bernoulli rows become one Binomial per cell).
COUNT_FAMILIES = ("Bernoulli", "Binomial", "Poisson")
#: A summary is used only when it is cheaper than the rows by at least this factor.
MIN_SAVING = 2.0
LOG_2PI = math.log(2 * math.pi)


def summarisable(scm: SCM, name: str, imputed=()) -> bool:
    """Whether the spec lets the node's likelihood be written through statistics of its data.

    An observed node with a built-in predictor whose parents are observed too (nothing of
    it or its parents imputed); Normal on the identity link without known measurement
    error, or Bernoulli / Binomial / Poisson.  Whether it pays is decided on the data.
    """
    node = scm.nodes[name]
    if node.is_given or node.latent or node.mechanism is not None or name in imputed:
        return False
    if any(scm.nodes[p].latent or p in imputed for p in node.parents):
        return False
    if node.family == "Normal":
        return node.link == "identity" and not node.measurement_error
    return node.family in COUNT_FAMILIES


def summariser(scm: SCM, name: str, scales: Scales, dims: Mapping[str, int]) -> Summariser:
    """The summariser of a node that :func:`summarisable` accepts (``dims``: dim -> length)."""
    if scm.nodes[name].family == "Normal":
        return LinearSummariser(scm, name, scales, dims)
    return CountSummariser(scm, name, scales)


class Summariser:
    """Statistics of one node's data (numpy) and its log-likelihood from them (symbolic)."""

    scm: SCM
    name: str

    def statistics(self, encoded: EncodedData, *, force: bool = False) -> dict | None:
        """Named arrays; None when they would not save work (unless ``force``) or the
        predictor is not linear in its coefficients."""
        raise NotImplementedError

    def loglik(self, params: dict, stats: Mapping[str, np.ndarray], scales: Scales):
        """The node's log-likelihood (inside a model's context), from ``pm.Data`` statistics."""
        raise NotImplementedError

    def data(self, stats: Mapping[str, np.ndarray]) -> dict:
        """The statistics as ``pm.Data`` (inside a model's context), by short name."""
        return {k: pm.Data(stat_name(self.name, k), v) for k, v in stats.items()}


def stat_name(node: str, what: str) -> str:
    return f"{node}.stats.{what}"


def loglik_name(node: str) -> str:
    return f"{node}.loglik"


# -- Normal, identity link ---------------------------------------------------------------------
class LinearSummariser(Summariser):
    """``y ~ Normal(X_c b_c, sigma)`` per cell of group labels, from ``R_c``, ``b0_c``, ``X_c'r0``."""

    def __init__(self, scm: SCM, name: str, scales: Scales, dims: Mapping[str, int]) -> None:
        self.scm, self.name = scm, name
        node = scm.nodes[name]
        by_local = {p.local: p for p in scm.parameters(name)}
        fixed = (["intercept"] if node.intercept else []) + [
            t.name for t in node.terms if not isinstance(t, Group)
        ]
        self.fixed = tuple((local, tuple(dims[d] for d in by_local[local].dims)) for local in fixed)
        self.groups = tuple(t for t in node.terms if isinstance(t, Group))
        self.keys = tuple(dict.fromkeys(t.key for t in self.groups))
        self.width = sum(math.prod(shape) for _, shape in self.fixed)
        self._group_sizes = [dims[groups_dim(t.key)] for t in self.groups]
        self._scales = scales
        self._eta = None  # compiled on first use, for the data's dtypes

    def _compile(self, encoded: EncodedData):
        theta = pt.vector("theta", dtype="float64")
        params, start = {}, 0
        for local, shape in self.fixed:
            size = math.prod(shape)
            params[local] = theta[start : start + size].reshape(shape)
            start += size
        effects = [pt.vector(f"effects{k}", dtype="float64") for k in range(len(self.groups))]
        params.update({t.name: e for t, e in zip(self.groups, effects, strict=True)})
        node = self.scm.nodes[self.name]
        parents = {p: pt.vector(p, dtype=encoded.values[p].dtype) for p in node.parents}
        codes = {key: pt.vector(f"codes{i}", dtype="int64") for i, key in enumerate(self.keys)}
        n = pt.lscalar("n")
        design = Design(n, self._scales, {}, codes)
        eta = linear_predictor(self.scm, self.name, params, parents, design)
        return pytensor.function(
            [theta, *effects, *parents.values(), *codes.values(), n],
            pt.broadcast_to(eta, (n,)),
            mode="FAST_COMPILE",
            on_unused_input="ignore",
        )

    def columns(self, encoded: EncodedData) -> np.ndarray | None:
        """The design ``(n, p + groups)``: fixed columns, then one column per group term
        (ones or the slope's variable); None if the predictor is not linear in them."""
        n, node = encoded.n, self.scm.nodes[self.name]
        data = [encoded.values[p] for p in node.parents] + [encoded.groups[k] for k in self.keys]
        if self._eta is None:
            self._eta = self._compile(encoded)

        def eta(theta, effects):
            return np.asarray(self._eta(theta, *effects, *data, n), dtype="float64")

        zero_theta = np.zeros(self.width)
        zero_effects = [np.zeros(g) for g in self._group_sizes]
        if np.any(eta(zero_theta, zero_effects) != 0.0):
            return None  # an offset: not a linear function of the coefficients
        columns = [eta(np.eye(self.width)[j], zero_effects) for j in range(self.width)]
        for k, size in enumerate(self._group_sizes):
            ones = [np.ones(size) if i == k else np.zeros(size) for i in range(len(zero_effects))]
            columns.append(eta(zero_theta, ones))
        x = np.column_stack(columns) if columns else np.zeros((n, 0))
        # linear in the coefficients: the predictor at a random point is X b (per row's groups)
        rng = np.random.default_rng(0)
        theta = rng.normal(size=self.width)
        effects = [rng.normal(size=g) for g in self._group_sizes]
        expected = x[:, : self.width] @ theta
        for k, term in enumerate(self.groups):
            expected = expected + effects[k][encoded.groups[term.key]] * x[:, self.width + k]
        found = eta(theta, effects)
        scale = max(1.0, float(np.max(np.abs(found))) if n else 1.0)
        if not np.allclose(found, expected, rtol=1e-9, atol=1e-9 * scale):
            return None
        return x

    def cells(self, encoded: EncodedData) -> tuple[np.ndarray, np.ndarray]:
        """Cell of each row and the group codes of each cell ``(cells, keys)``."""
        if not self.keys:
            return np.zeros(encoded.n, dtype=np.int64), np.zeros((1, 0), dtype=np.int64)
        labels = np.column_stack([encoded.groups[k] for k in self.keys])
        codes, cell = np.unique(labels, axis=0, return_inverse=True)
        return cell.reshape(-1), codes

    def statistics(self, encoded: EncodedData, *, force: bool = False) -> dict | None:
        cell, codes = self.cells(encoded)
        width = self.width + len(self.groups)
        if not force and len(codes) * width * MIN_SAVING > encoded.n:
            return None
        x = self.columns(encoded)
        if x is None:
            return None
        y = np.asarray(encoded.values[self.name], dtype="float64")
        count = len(codes)
        out = {
            "n": np.zeros(count),
            "rr": np.zeros(count),
            "xr": np.zeros((count, width)),
            "b0": np.zeros((count, width)),
            "r": np.zeros((count, width, width)),
        }
        order = np.argsort(cell, kind="stable")
        bounds = np.searchsorted(cell[order], np.arange(count + 1))
        for c in range(count):
            rows = order[bounds[c] : bounds[c + 1]]
            xc, yc = x[rows], y[rows]
            b0 = np.linalg.lstsq(xc, yc, rcond=None)[0]
            r0 = yc - xc @ b0
            r = np.linalg.qr(xc, mode="r")
            out["n"][c] = len(rows)
            out["rr"][c] = r0 @ r0
            out["xr"][c] = xc.T @ r0
            out["b0"][c] = b0
            out["r"][c, : r.shape[0]] = r
        for k, term in enumerate(self.groups):
            out[f"codes{k}"] = codes[:, self.keys.index(term.key)]
        return out

    def loglik(self, params: dict, stats: Mapping[str, np.ndarray], scales: Scales):
        data = self.data(stats)
        parts = [pt.flatten(pt.as_tensor(params[local])) for local, _ in self.fixed]
        b = pt.concatenate(parts) if parts else pt.zeros((0,))
        count = data["n"].shape[0]
        coefs = pt.broadcast_to(b[None, :], (count, self.width))
        if self.groups:
            effects = [params[t.name][data[f"codes{k}"]] for k, t in enumerate(self.groups)]
            coefs = pt.concatenate([coefs, pt.stack(effects, axis=1)], axis=1)
        d = coefs - data["b0"]
        rd = (data["r"] * d[:, None, :]).sum(axis=2)
        rss = data["rr"] - 2.0 * (d * data["xr"]).sum(axis=1) + (rd**2).sum(axis=1)
        sigma = params["sigma"]
        return pt.sum(-data["n"] * (0.5 * LOG_2PI + pt.log(sigma)) - rss / (2.0 * pt.square(sigma)))


# -- Bernoulli, Binomial, Poisson ----------------------------------------------------------------
class CountSummariser(Summariser):
    """Rows with equal parent values and group labels summed into one term per cell."""

    def __init__(self, scm: SCM, name: str, scales: Scales) -> None:
        self.scm, self.name, self.scales = scm, name, scales
        node = scm.nodes[name]
        self.parents = node.parents
        self.keys = tuple(dict.fromkeys(key for key, _ in node.groups))

    def statistics(self, encoded: EncodedData, *, force: bool = False) -> dict | None:
        node = self.scm.nodes[self.name]
        columns = [np.asarray(encoded.values[p], dtype="float64") for p in self.parents]
        columns += [encoded.groups[k].astype("float64") for k in self.keys]
        if columns:
            cells, cell = np.unique(np.column_stack(columns), axis=0, return_inverse=True)
            cell = cell.reshape(-1)
        else:
            cells, cell = np.zeros((1, 0)), np.zeros(encoded.n, dtype=np.int64)
        count = len(cells)
        if not force and count * MIN_SAVING > encoded.n:
            return None
        y = np.asarray(encoded.values[self.name], dtype="float64")
        rows = np.bincount(cell, minlength=count).astype("float64")
        successes = np.bincount(cell, weights=y, minlength=count)
        out: dict[str, np.ndarray] = {"rows": rows, "successes": successes}
        if node.family == "Bernoulli":
            constant = -np.sum(_log_choose(rows, successes))
        elif node.family == "Binomial":
            trials = _trials(node, encoded)
            out["trials"] = np.bincount(cell, weights=trials, minlength=count)
            constant = np.sum(_log_choose(trials, y)) - np.sum(
                _log_choose(out["trials"], successes)
            )
        else:  # Poisson: sum_i log k_i! replaces log K!, and K log n_c is taken back out
            constant = np.sum(gammaln(successes + 1) - successes * np.log(rows)) - np.sum(
                gammaln(y + 1)
            )
        out["constant"] = np.asarray(float(constant))
        for i, p in enumerate(self.parents):
            dtype = encoded.values[p].dtype
            out[f"parent{i}"] = cells[:, i].astype(dtype)
        for j, _ in enumerate(self.keys):
            out[f"codes{j}"] = cells[:, len(self.parents) + j].astype("int64")
        return out

    def loglik(self, params: dict, stats: Mapping[str, np.ndarray], scales: Scales):
        node = self.scm.nodes[self.name]
        data = self.data(stats)
        count = data["rows"].shape[0]
        values = {p: data[f"parent{i}"] for i, p in enumerate(self.parents)}
        groups = {k: data[f"codes{j}"] for j, k in enumerate(self.keys)}
        eta = linear_predictor(
            self.scm, self.name, params, values, Design(count, scales, {}, groups)
        )
        trials = data.get("trials")
        _, kwargs = node.family_info.distribution(node, eta, params, Extra(trials=trials))
        if node.family == "Poisson":
            dist = pm.Poisson.dist(mu=data["rows"] * kwargs["mu"])
        else:
            kwargs = {k: v for k, v in kwargs.items() if k != "n"}
            total = data["rows"] if trials is None else trials
            dist = pm.Binomial.dist(n=total, **kwargs)
        return pt.sum(pm.logp(dist, data["successes"])) + data["constant"]


def _log_choose(n: np.ndarray, k: np.ndarray) -> np.ndarray:
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


def _trials(node, encoded: EncodedData) -> np.ndarray:
    if isinstance(node.trials, int):
        return np.full(encoded.n, float(node.trials))
    return np.asarray(encoded.exog[node.trials], dtype="float64")


__all__ = [
    "COUNT_FAMILIES",
    "CountSummariser",
    "LinearSummariser",
    "Summariser",
    "loglik_name",
    "stat_name",
    "summarisable",
    "summariser",
]
