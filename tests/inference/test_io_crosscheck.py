"""Loads that cross-check (causalbayes.inference.io, causalbayes.inference.io_checks): a well-formed but edited or
inconsistent saved fit is refused with a FileFormatError naming the file, the field and what
was expected; a save refuses what a load would refuse.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import causalbayes as cb
from causalbayes.errors import ArgumentError, CausalBayesError, FileFormatError
from causalbayes.inference.io import load_fit, save_fit

POSITIVE = {"sigma", "nu", "phi", "alpha", "r2.phi"}
UNIT = {"psi", "r2"}


def _scm() -> cb.SCM:
    """One node for each kind of constrained parameter: psi, r2, nu, phi, alpha, a group sd."""
    return cb.SCM(
        {
            "x": cb.Normal(),
            "z": cb.Normal(),
            "k": cb.ZeroInflatedPoisson(["x"]),
            "c": cb.NegativeBinomial(["x"]),
            "y": cb.Normal(["x", "z"], r2d2=cb.R2D2(r2_mean=0.3, r2_precision=3)),
            "w": cb.StudentT(["x"], priors={"nu": cb.Prior("Gamma", alpha=2, beta=0.1)}),
            "b": cb.Beta(["x"]),
            "g": cb.Normal(["x"], groups=["store"]),
        }
    )


def _data(rng: np.random.Generator, n: int = 30) -> pd.DataFrame:
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "x": x,
            "z": rng.normal(size=n),
            "k": rng.poisson(2.0, n) * (rng.random(n) < 0.7),
            "c": rng.poisson(3.0, n),
            "y": x + rng.normal(size=n),
            "w": rng.standard_t(5, n),
            "b": rng.uniform(0.05, 0.95, n),
            "g": rng.normal(size=n),
            "store": rng.choice(["s1", "s2", "s3"], n),
        }
    )


def _posterior(scm: cb.SCM, rng: np.random.Generator, chains: int = 2, draws: int = 15):
    """Draws inside every parameter's support (derived parameters are left out)."""
    sizes = {"y.r2_terms": 2, "store_groups": 3}
    post, dims = {}, {}
    for p in scm.parameters():
        if p.kind == "derived":
            continue
        shape = (chains, draws, *(sizes[d] for d in p.dims))
        if p.local in UNIT:
            post[p.name] = rng.uniform(0.1, 0.9, shape)
        elif p.local in POSITIVE or p.local.endswith(".sd"):
            post[p.name] = np.abs(rng.normal(size=shape)) + 0.1
        else:
            post[p.name] = rng.normal(size=shape)
        dims[p.name] = list(p.dims)
    return post, dims


@pytest.fixture
def fit(fake_fit, rng):
    data = _data(rng)
    post, dims = _posterior(_scm(), rng)
    return fake_fit(_scm(), data, post, dims)


@pytest.fixture
def saved(fit, tmp_path) -> Path:
    return save_fit(fit, tmp_path / "fit")


def _edit_json(folder: Path, edit) -> None:
    path = folder / "fit.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    edit(meta)
    path.write_text(json.dumps(meta), encoding="utf-8")


def _node(name, field, value):
    return lambda m: m["scm"]["nodes"][name].__setitem__(field, value)


def _rewrite_posterior(fit, folder: Path, edit) -> None:
    idata = fit.idata.copy()
    idata.posterior = edit(idata.posterior.copy(deep=True))
    idata.to_netcdf(str(folder / "posterior.nc"), engine="h5netcdf")


def test_the_rich_fit_round_trips(fit, saved):
    back = load_fit(saved)
    assert back.scm == fit.scm and set(back.posterior.data_vars) == set(fit.posterior.data_vars)


# -- fit.json -----------------------------------------------------------------------------
def test_duplicate_keys_are_refused(saved):
    path = saved / "fit.json"
    text = path.read_text(encoding="utf-8")
    assert text.count('"sampler": "pymc"') == 1
    path.write_text(text.replace('"sampler": "pymc"', '"sampler": "pymc", "sampler": "nutpie"'))
    with pytest.raises(FileFormatError, match="fit.json .*the key 'sampler' appears twice"):
        load_fit(saved)


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            _node("k", "link", "logit"),
            r"scm\.nodes\.k\.link must be a link of family ZeroInflatedPoisson: one of \['log'\]",
        ),
        (_node("k", "link", 3), r"scm\.nodes\.k\.link must be a link name"),
        # tuple("xz") would silently be the parents x and z, both nodes of this SCM
        (_node("y", "parents", "xz"), r"scm\.nodes\.y\.parents must be a list of node names, got 'xz'"),
        (_node("x", "latent", "false"), r"scm\.nodes\.x\.latent must be true or false, got 'false'"),
        (_node("c", "trials", 2.5), r"scm\.nodes\.c\.trials must be a whole number"),
        (_node("g", "groups", {"store": "x"}), r"scm\.nodes\.g\.groups must be an object"),
        # a number written as text is converted by Prior: the read-back check sees the change
        (
            lambda m: m["scm"]["nodes"]["w"]["priors"]["nu"].update(alpha="2"),
            r"scm\.nodes\.w\.priors is .*'2'.*, but the SCM built from it reads .*2\.0",
        ),
        (lambda m: m.update(sampler="stan"), r"sampler must be one of \['pymc', .*got 'stan'"),
        (lambda m: m["diagnostics"].update(chains=3), "2 chains x 15 draws, but fit.json diagnostics say 3 x 15"),
    ],
    ids=["link-family", "link-type", "parents-string", "latent-text", "trials-float", "groups",
         "prior-text", "sampler", "chains"],
)  # fmt: skip
def test_edited_fields_are_refused_naming_file_and_field(saved, edit, match):
    _edit_json(saved, edit)
    with pytest.raises(FileFormatError, match=match) as info:
        load_fit(saved)
    assert "fit.json" in str(info.value)


@pytest.mark.parametrize("where", ["whole file", "inside a prior"])
def test_deep_nesting_is_a_file_format_error(saved, where):
    deep = "[" * 200_000 + "]" * 200_000
    path = saved / "fit.json"
    if where == "whole file":
        path.write_text(deep, encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('"sampler": "pymc"', f'"sampler": {deep}'), encoding="utf-8")
    with pytest.raises(FileFormatError, match="fit.json .*nested too deeply"):
        load_fit(saved)


def test_a_number_too_large_for_a_float_is_refused(saved):
    path = saved / "fit.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"rhat_max": 1.0', '"rhat_max": 1e999'), encoding="utf-8")
    with pytest.raises(FileFormatError, match="the number 1e999 does not fit in a float"):
        load_fit(saved)


# -- posterior.nc ----------------------------------------------------------------------------
def test_a_missing_parameter_is_refused(fit, saved):
    _rewrite_posterior(fit, saved, lambda p: p.drop_vars("k.psi"))
    with pytest.raises(FileFormatError, match="posterior.nc: the posterior lacks 'k.psi'"):
        load_fit(saved)


def test_a_wrong_shape_is_refused(fit, saved):
    # three R2-D2 weights for two terms (well-formed netCDF, consistent dims)
    _rewrite_posterior(fit, saved, lambda p: p.isel({"y.r2_terms": [0, 1, 1]}))
    with pytest.raises(
        FileFormatError, match="'y.r2.phi' has 3 entries along 'y.r2_terms', expected 2"
    ):
        load_fit(saved)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_draws_are_refused(fit, saved, value):
    def poison(p):
        p["w.x"][1, 3] = value
        return p

    _rewrite_posterior(fit, saved, poison)
    with pytest.raises(FileFormatError, match=r"posterior.nc: 'w.x' has 1 non-finite value"):
        load_fit(saved)


@pytest.mark.parametrize(
    ("name", "value", "support"),
    [
        ("x.sigma", -1.0, "positive"),
        ("x.sigma", 0.0, "positive"),
        ("w.nu", -2.0, "positive"),
        ("b.phi", 0.0, "positive"),
        ("c.alpha", -0.5, "positive"),
        ("g.1|store.sd", -0.1, "positive"),
        ("y.r2.phi", -0.1, "positive"),
        ("k.psi", 1.5, r"inside \(0, 1\)"),
        ("k.psi", 0.0, r"inside \(0, 1\)"),
        ("y.r2", 1.0, r"inside \(0, 1\)"),
    ],
)
def test_draws_outside_the_support_are_refused(fit, saved, name, value, support):
    def poison(p):
        p[name].values[0, 2, ...] = value
        return p

    _rewrite_posterior(fit, saved, poison)
    with pytest.raises(
        FileFormatError,
        match=rf"'{name}' has \d+ draw\(s\) outside its support .*must be {support}",
    ):
        load_fit(saved)


def test_a_negative_mechanism_parameter_called_alpha_is_fine(fake_fit, rng, tmp_path):
    # only the family's own alpha must be positive; a mechanism's may be anything
    mech = cb.Mechanism(
        lambda x, alpha: alpha * x, params={"alpha": cb.Prior("Normal", mu=0, sigma=1)}, name="lin"
    )
    scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"], mechanism=mech)})
    data = pd.DataFrame({"x": rng.normal(size=10), "y": rng.normal(size=10)})
    post = {n: np.abs(rng.normal(size=(2, 5))) + 0.1 for n in ["x.intercept", "x.sigma", "y.sigma"]}
    post["y.alpha"] = -np.abs(rng.normal(size=(2, 5)))
    fit = fake_fit(scm, data, post)
    back = load_fit(save_fit(fit, tmp_path / "m"), mechanisms={"lin": mech.function})
    np.testing.assert_array_equal(back.posterior["y.alpha"].values, post["y.alpha"])


# -- saving refuses what loading would ---------------------------------------------------------
def test_a_save_refuses_non_finite_draws_and_writes_nothing(fit, tmp_path):
    idata = fit.idata.copy()
    idata.posterior["x.sigma"][0, 0] = np.nan
    bad = dataclasses.replace(fit, idata=idata)
    with pytest.raises(
        FileFormatError, match="cannot save this fit, a load would refuse it: .*'x.sigma'"
    ):
        save_fit(bad, tmp_path / "fit")
    assert not (tmp_path / "fit").exists()


def test_a_save_refuses_an_unknown_sampler(fit, tmp_path):
    with pytest.raises(FileFormatError, match="sampler is 'mystery'"):
        save_fit(dataclasses.replace(fit, sampler="mystery"), tmp_path / "fit")


def test_imputed_entries_must_match_the_missing_data(fake_fit, rng, tmp_path):
    scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"])})
    data = pd.DataFrame({"x": rng.normal(size=12), "y": rng.normal(size=12)})
    data.loc[[2, 5], "x"] = np.nan
    post = {
        n: np.abs(rng.normal(size=(2, 5))) + 0.1
        for n in ["x.intercept", "x.sigma", "y.intercept", "y.x", "y.sigma"]
    }
    post["x.missing"] = rng.normal(size=(2, 5, 3))  # three values for two missing entries
    fit = fake_fit(scm, data, post, missing="impute")
    with pytest.raises(
        FileFormatError, match=r"'x.missing' has shape \(3,\) per draw, expected \(2,\)"
    ):
        save_fit(fit, tmp_path / "fit")
    post["x.missing"] = post["x.missing"][..., :2]
    good = fake_fit(scm, data, post, missing="impute")
    back = load_fit(save_fit(good, tmp_path / "fit"))
    np.testing.assert_array_equal(back.posterior["x.missing"].values, post["x.missing"])


# -- the path ---------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [None, 3, ["fit"]])
def test_a_path_that_is_not_a_path_is_a_typed_error(path):
    with pytest.raises(ArgumentError, match="path must be a str or path-like") as info:
        cb.load(path)
    assert isinstance(info.value, TypeError) and isinstance(info.value, CausalBayesError)


def test_a_missing_folder_is_a_file_format_error(tmp_path):
    with pytest.raises(FileFormatError, match="does not exist"):
        cb.load(tmp_path / "nowhere")


def test_saving_to_a_path_that_is_not_a_path_is_a_typed_error(fit):
    with pytest.raises(ArgumentError, match="cannot save a fit to None: path must be"):
        save_fit(fit, None)
