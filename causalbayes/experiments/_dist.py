"""Beta, Gamma, Normal and Student-t as scipy.stats computes them, without importing scipy.stats.

Importing scipy.stats costs about 0.7 s (it loads scipy.linalg, optimize and
integrate); the exact A/B/n answer needs only densities, distribution functions,
quantiles, moments and draws of four families, which scipy.stats itself computes
with scipy.special's functions.  Each family here calls the same functions, and
its generic methods follow scipy.stats' own (``loc`` and ``scale``, the support's
ends, invalid parameters give NaN; draws make the same generator calls), so the
values are scipy.stats' (tested to 1e-12 relative).  Any other method
(``logpdf``, ``interval``, ...) and calling a family (a frozen distribution) are
scipy.stats' own, imported on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import special as sc

try:  # the Boost kernels scipy.stats.beta calls (scipy.special holds them in recent scipy)
    from scipy.special._ufuncs import _beta_pdf, _beta_ppf
except ImportError:  # older scipy keeps them with scipy.stats: import it there (slower)
    from scipy.stats import beta as _scipy_beta

    _beta_pdf, _beta_ppf = _scipy_beta._pdf, _scipy_beta._ppf


def _on(cond: np.ndarray, f, *arrays):
    """``f`` of the entries where ``cond`` holds (arrays broadcast to its shape), as scipy does."""
    return f(*(np.broadcast_to(a, cond.shape)[cond] for a in arrays))


def _out(values: np.ndarray):
    return values[()] if values.ndim == 0 else values


@dataclass(frozen=True, eq=False)
class Family:
    """One family in scipy.stats' calling convention: shape parameters, then ``loc``, ``scale``.

    The functions take standardized values and the shape parameters in ``shapes``
    order (``moments`` returns the mean and variance, ``draw`` takes the generator
    and the size first).
    """

    name: str
    shapes: tuple[str, ...]
    support: tuple[float, float]
    density: Callable
    lower: Callable
    upper: Callable
    quantile: Callable
    moments: Callable
    draw: Callable

    def _parse(self, args, kwds):
        names = (*self.shapes, "loc", "scale")
        if len(args) > len(names):
            raise TypeError(f"{self.name} takes at most {len(names)} parameters, got {len(args)}")
        values = {"loc": 0.0, "scale": 1.0, **dict(zip(names, args, strict=False)), **kwds}
        wrong = sorted(set(values) - set(names)) + [n for n in self.shapes if n not in values]
        if wrong:
            raise TypeError(f"{self.name} takes {list(names)}, got {sorted(values)}")
        shapes = [np.asarray(values[n]) for n in self.shapes]
        return shapes, np.asarray(values["loc"]), np.asarray(values["scale"])

    @staticmethod
    def _shapes_ok(shapes) -> np.ndarray:
        ok = np.asarray(True)
        for s in shapes:
            ok = ok & (s > 0)
        return ok

    def _standard(self, x, args, kwds):
        shapes, loc, scale = self._parse(args, kwds)
        x = np.asarray(x)
        z = np.asarray((x - loc) / scale, dtype=np.promote_types(x.dtype, np.float64))
        ok = self._shapes_ok(shapes) & (scale > 0)
        shape = np.broadcast_shapes(z.shape, ok.shape)
        z, ok = np.broadcast_to(z, shape), np.broadcast_to(ok, shape)
        out = np.zeros(shape)
        out[~ok | np.isnan(z)] = np.nan
        return z, shapes, scale, ok, out

    def pdf(self, x, *args, **kwds):
        z, shapes, scale, ok, out = self._standard(x, args, kwds)
        lo, hi = self.support
        with np.errstate(invalid="ignore"):
            inside = ok & (lo <= z) & (z <= hi)
        if inside.any():
            out[inside] = _on(inside, lambda z, s, *p: self.density(z, *p) / s, z, scale, *shapes)
        return _out(out)

    def cdf(self, x, *args, **kwds):
        return self._tail(x, args, kwds, self.lower, at_one=lambda z, lo, hi: z >= hi)

    def sf(self, x, *args, **kwds):
        return self._tail(x, args, kwds, self.upper, at_one=lambda z, lo, hi: z <= lo)

    def _tail(self, x, args, kwds, f, at_one):
        z, shapes, _, ok, out = self._standard(x, args, kwds)
        lo, hi = self.support
        with np.errstate(invalid="ignore"):
            inside = ok & (lo < z) & (z < hi)
            out[ok & at_one(z, lo, hi)] = 1.0
        if inside.any():
            out[inside] = _on(inside, f, z, *shapes)
        return _out(out)

    def ppf(self, q, *args, **kwds):
        shapes, loc, scale = self._parse(args, kwds)
        q = np.asarray(q)
        ok = self._shapes_ok(shapes) & (scale > 0) & (loc == loc)
        shape = np.broadcast_shapes(q.shape, ok.shape)
        q, ok = np.broadcast_to(q, shape), np.broadcast_to(ok, shape)
        out = np.full(shape, np.nan)
        for end, at in zip(self.support, (ok & (q == 0), ok & (q == 1)), strict=True):
            if at.any():
                out[at] = _on(at, lambda s, m, end=end: end * s + m, scale, loc)
        inside = ok & (q > 0) & (q < 1)
        if inside.any():
            value = lambda q, s, m, *p: self.quantile(q, *p) * s + m  # noqa: E731
            out[inside] = _on(inside, value, q, scale, loc, *shapes)
        return _out(out)

    def _moment(self, args, kwds, which: int):
        shapes, loc, scale = self._parse(args, kwds)
        ok = self._shapes_ok(shapes) & (scale > 0) & (loc == loc)
        out = np.full(ok.shape, np.nan)
        if ok.any():
            mean = lambda s, m, *p: self.moments(*p)[0] * s + m  # noqa: E731
            var = lambda s, m, *p: self.moments(*p)[1] * s * s  # noqa: E731
            out[ok] = _on(ok, (mean, var)[which], scale, loc, *shapes)
        return out[()]

    def mean(self, *args, **kwds):
        return self._moment(args, kwds, 0)

    def var(self, *args, **kwds):
        return self._moment(args, kwds, 1)

    def std(self, *args, **kwds):
        return np.sqrt(self.var(*args, **kwds))

    def rvs(self, *args, size=None, random_state=None, **kwds):
        shapes, loc, scale = self._parse(args, kwds)
        if not np.all(self._shapes_ok(shapes) & (scale >= 0)):
            raise ValueError(f"invalid parameters of {self.name}")
        if np.all(scale == 0):
            return loc * np.ones(size, "d")
        return self.draw(_generator(random_state), size, *shapes) * scale + loc

    def _scipy(self):
        from scipy import stats  # only for what this module does not compute

        return getattr(stats, self.name)

    def __call__(self, *args, **kwds):
        """A frozen scipy.stats distribution (for one-off checks)."""
        return self._scipy()(*args, **kwds)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._scipy(), name)


def _generator(random_state):
    if isinstance(random_state, (np.random.Generator, np.random.RandomState)):
        return random_state
    if random_state is None:
        return np.random.mtrand._rand  # numpy's global RandomState, as scipy.stats uses
    return np.random.RandomState(random_state)


def _beta_density(x, a, b):
    with np.errstate(over="ignore"):
        return _beta_pdf(x, a, b)


def _norm_pdf(x):
    return np.exp(-(x**2) / 2.0) / np.sqrt(2 * np.pi)


def _t_pdf(x, df):
    out = np.empty(np.broadcast_shapes(np.shape(x), np.shape(df)))
    x, df = np.broadcast_to(x, out.shape), np.broadcast_to(df, out.shape)
    inf = df == np.inf
    out[inf] = _norm_pdf(x[inf])
    x, df = x[~inf], df[~inf]
    log = np.log(sc.poch(0.5 * df, 0.5)) - 0.5 * (np.log(df) + np.log(np.pi))
    out[~inf] = np.exp(log - (df + 1) / 2 * np.log1p(x * x / df))
    return out


def _t_moments(df):
    with np.errstate(divide="ignore", invalid="ignore"):
        choices = [np.inf, df / (df - 2.0), 1.0]
        finite = (df > 2) & np.isfinite(df)
        var = np.select([(df > 1) & (df <= 2), finite, np.isposinf(df)], choices, np.nan)
    return np.where(df > 1, 0.0, np.inf), var


beta = Family(
    "beta", ("a", "b"), (0.0, 1.0), _beta_density,
    lambda x, a, b: sc.betainc(a, b, x),
    lambda x, a, b: sc.betaincc(a, b, x),
    lambda q, a, b: _beta_ppf(q, a, b),
    lambda a, b: (a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1))),
    lambda rng, size, a, b: rng.beta(a, b, size),
)  # fmt: skip
gamma = Family(
    "gamma", ("a",), (0.0, np.inf),
    lambda x, a: np.exp(sc.xlogy(a - 1.0, x) - x - sc.gammaln(a)),
    lambda x, a: sc.gammainc(a, x),
    lambda x, a: sc.gammaincc(a, x),
    lambda q, a: sc.gammaincinv(a, q),
    lambda a: (a, a),
    lambda rng, size, a: rng.standard_gamma(a, size),
)  # fmt: skip
norm = Family(
    "norm", (), (-np.inf, np.inf), _norm_pdf, sc.ndtr, lambda x: sc.ndtr(-x), sc.ndtri,
    lambda: (0.0, 1.0), lambda rng, size: rng.standard_normal(size),
)  # fmt: skip
t = Family(
    "t", ("df",), (-np.inf, np.inf), _t_pdf,
    lambda x, df: sc.stdtr(df, x),
    lambda x, df: sc.stdtr(df, -x),
    lambda q, df: sc.stdtrit(df, q),
    _t_moments,
    lambda rng, size, df: rng.standard_t(df, size=size),
)  # fmt: skip

#: The families by scipy.stats' names.
FAMILIES = {f.name: f for f in (beta, gamma, norm, t)}
