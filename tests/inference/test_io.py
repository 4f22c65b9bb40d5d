"""Saving a Fit to a folder and loading it back (causalbayes.inference.io)."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
from pathlib import Path

import arviz as az
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import causalbayes as cb
from causalbayes.data.default_priors import resolved_priors
from causalbayes.data.encode import encode_data
from causalbayes.data.scales import scales_from_data
from causalbayes.errors import DataError, FileFormatError
from causalbayes.examples import COATING_TRUTH, coating_scm
from causalbayes.inference.diagnostics import Diagnostics
from causalbayes.inference.fit import Fit
from causalbayes.inference.io import load_fit, save_fit

FILES = ("fit.json", "posterior.nc", "data.nc")


def make_fit(
    scm: cb.SCM, data: pd.DataFrame, *, chains: int = 2, draws: int = 7, seed: int = 0
) -> Fit:
    """A Fit built directly (no MCMC) with random draws for every estimated parameter."""
    rng = np.random.default_rng(seed)
    encoded = encode_data(scm, data)
    resolved, scales = encoded.scm, scales_from_data(encoded.scm, encoded)
    priors = resolved_priors(resolved, scales)
    coords = {}
    for name, node in resolved.nodes.items():
        if node.levels is not None:
            coords[f"{name}_levels"], coords[f"{name}_contrasts"] = (
                list(node.levels),
                list(node.levels[1:]),
            )
    posterior, dims = {}, {}
    for p in resolved.parameters():
        if not priors[p.name].is_fixed:
            draws_ = rng.normal(size=(chains, draws, *(len(coords[d]) for d in p.dims)))
            # scales must be positive: a load refuses draws outside a parameter's support
            positive = p.local in {"sigma", "alpha", "phi", "nu"} or p.local.endswith(".sd")
            posterior[p.name] = np.abs(draws_) + 0.1 if positive else draws_
            dims[p.name] = list(p.dims)
    for name in resolved.latent:
        posterior[name] = rng.normal(size=(chains, draws, len(data)))
        dims[name] = ["unit"]
    idata = az.from_dict(posterior=posterior, dims=dims, coords=coords)
    diagnostics = Diagnostics(0, 1.0, float("inf"), chains, draws)  # exact draws: nothing to check
    return Fit(scm=resolved, data=data.copy(), idata=idata, scales=scales, diagnostics=diagnostics)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261122)


@pytest.fixture
def mixed_fit(rng) -> Fit:
    """Categorical, float, int (Poisson) and bool (Bernoulli) columns; an ``a:b`` interaction."""
    n = 40
    scm = cb.SCM(
        {
            "g": cb.Categorical(),
            "a": cb.Normal(),
            "b": cb.Poisson(),
            "t": cb.Bernoulli(["g"]),
            "y": cb.Normal(["g", "a", "b", "t"], interactions=["a:b"]),
        }
    )
    data = pd.DataFrame(
        {
            "g": pd.Categorical(rng.choice(["lo", "mid", "hi"], n), categories=["lo", "mid", "hi"]),
            "a": rng.normal(size=n),
            "b": rng.poisson(3.0, n).astype(np.int64),
            "t": rng.random(n) < 0.5,
            "y": rng.normal(size=n),
        },
        index=pd.Index(np.arange(100, 100 + n), name="unit_id"),
    )
    return make_fit(scm, data)


@pytest.fixture
def coating_fit(rng) -> Fit:
    n = 60
    humid = rng.normal(size=n)
    dilution = (rng.random(n) < 0.5).astype(np.int64)
    coating = 0.5 - 0.42 * dilution - 0.54 * humid + rng.normal(0, 0.2, n)
    data = pd.DataFrame({"humid": humid, "dilution": dilution, "coating": coating})
    return make_fit(coating_scm(), data)


def _round_trip(fit: Fit, folder: Path) -> Fit:
    assert save_fit(fit, folder) == folder
    return load_fit(folder)


def _edit_json(folder: Path, edit) -> None:
    path = folder / "fit.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    edit(meta)
    path.write_text(json.dumps(meta), encoding="utf-8")


# -- round trips ---------------------------------------------------------------
def test_round_trip_keeps_spec_scales_diagnostics_and_sampler(mixed_fit, tmp_path):
    loaded = _round_trip(mixed_fit, tmp_path / "fit")
    assert loaded.scm == mixed_fit.scm
    assert loaded.scm["g"].levels == ("lo", "mid", "hi")
    assert loaded.scales == mixed_fit.scales
    assert loaded.diagnostics == mixed_fit.diagnostics
    assert loaded.sampler == mixed_fit.sampler


def test_round_trip_keeps_posterior_values_and_names(mixed_fit, tmp_path):
    loaded = _round_trip(mixed_fit, tmp_path / "fit")
    assert "y.a:b" in loaded.posterior and "g.intercept" in loaded.posterior
    assert list(loaded.posterior.data_vars) == list(mixed_fit.posterior.data_vars)
    xr.testing.assert_identical(loaded.posterior, mixed_fit.posterior)
    assert loaded.posterior["y.g"].coords["g_contrasts"].values.tolist() == ["mid", "hi"]
    assert loaded.parameter_names == mixed_fit.parameter_names


def test_round_trip_keeps_dotted_names_of_story_one(coating_fit, tmp_path):
    loaded = _round_trip(coating_fit, tmp_path / "fit")
    for name in COATING_TRUTH:
        np.testing.assert_array_equal(
            loaded.posterior[name].values, coating_fit.posterior[name].values
        )


def test_round_trip_keeps_data_columns_and_dtypes(mixed_fit, tmp_path):
    loaded = _round_trip(mixed_fit, tmp_path / "fit")
    # documented: the row index comes back as a RangeIndex
    assert isinstance(loaded.data.index, pd.RangeIndex)
    pd.testing.assert_frame_equal(loaded.data, mixed_fit.data.reset_index(drop=True))
    assert list(loaded.data["g"].cat.categories) == ["lo", "mid", "hi"]
    assert loaded.data["b"].dtype == np.int64
    assert loaded.data["a"].dtype == np.float64
    assert loaded.data["t"].dtype == bool


def test_round_trip_keeps_non_string_and_ordered_categories(rng, tmp_path):
    n = 30
    scm = cb.SCM({"dose": cb.Categorical(), "y": cb.Normal(["dose"])})
    dose = pd.Categorical(rng.choice([10, 20, 40], n), categories=[40, 20, 10], ordered=True)
    fit = make_fit(scm, pd.DataFrame({"dose": dose, "y": rng.normal(size=n)}))
    loaded = _round_trip(fit, tmp_path / "fit")
    pd.testing.assert_frame_equal(loaded.data, fit.data)
    assert loaded.scm == fit.scm


def test_round_trip_keeps_summary(mixed_fit, tmp_path):
    loaded = _round_trip(mixed_fit, tmp_path / "fit")
    pd.testing.assert_frame_equal(loaded.summary(), mixed_fit.summary())


def test_latent_nodes_and_fixed_parameters(rng, tmp_path):
    # the latent root's intercept and sigma are Fixed by default, y.sigma by the user
    n = 25
    scm = cb.SCM(
        {
            "u": cb.Normal(latent=True),
            "x": cb.Normal(["u"]),
            "y": cb.Normal(["u", "x"], priors={"sigma": 0.5}),
        }
    )
    fit = make_fit(scm, pd.DataFrame({"x": rng.normal(size=n), "y": rng.normal(size=n)}))
    assert "y.sigma" not in fit.posterior and "u.intercept" not in fit.posterior
    loaded = _round_trip(fit, tmp_path / "fit")
    xr.testing.assert_identical(loaded.posterior, fit.posterior)
    assert loaded.posterior["u"].sizes["unit"] == n


def test_odd_data_column_names_survive(rng, tmp_path):
    n = 20
    scm = cb.SCM({"k": cb.Binomial(trials="visits/day %"), "m": cb.Binomial(trials="unit")})
    trials = rng.integers(5, 10, n)
    data = pd.DataFrame(
        {
            "k": rng.binomial(trials, 0.3),
            "m": rng.binomial(3, 0.5, n),
            "visits/day %": trials,
            "unit": np.full(n, 3),
        }
    )
    fit = make_fit(scm, data)
    loaded = _round_trip(fit, tmp_path / "fit")
    pd.testing.assert_frame_equal(loaded.data, fit.data)


def test_non_finite_diagnostics_round_trip(mixed_fit, tmp_path):
    diagnostics = dataclasses.replace(
        mixed_fit.diagnostics, rhat_max=math.nan, ess_bulk_min=math.inf
    )
    fit = dataclasses.replace(mixed_fit, diagnostics=diagnostics)
    loaded = _round_trip(fit, tmp_path / "fit")
    assert math.isnan(loaded.diagnostics.rhat_max)
    assert loaded.diagnostics.ess_bulk_min == math.inf


def test_entry_points(mixed_fit, tmp_path):
    folder = cb.save(mixed_fit, tmp_path / "a" / "b")
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    assert cb.load(str(folder)).scm == mixed_fit.scm


def test_fit_json_is_plain_json(mixed_fit, tmp_path):
    folder = save_fit(mixed_fit, tmp_path / "fit")
    text = (folder / "fit.json").read_text(encoding="utf-8")

    def refuse(constant):
        raise AssertionError(f"non-standard JSON constant {constant}")

    meta = json.loads(text, parse_constant=refuse)

    def plain(value) -> bool:
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return value is None or isinstance(value, (str, int, float, bool))

    assert plain(meta)
    assert meta["format"] == "causalbayes.fit" and meta["version"] == 3
    assert meta["causalbayes_version"] == cb.__version__
    assert set(meta) >= {"scm", "scales", "diagnostics", "sampler", "data"}
    assert meta["scm"] == mixed_fit.scm.to_dict()
    assert meta["data"]["columns"][0] == {
        "name": "g",
        "kind": "categorical",
        "categories": ["lo", "mid", "hi"],
        "ordered": False,
    }
    for marker in ("pickle", "py/object", "__reduce__", "lambda", "import "):
        assert marker not in text


def test_folder_can_be_deleted_after_loading(mixed_fit, tmp_path):
    folder = save_fit(mixed_fit, tmp_path / "fit")
    loaded = load_fit(folder)
    if os.path.isdir("/proc/self/fd"):
        open_files = [os.path.realpath(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")]
        assert not [f for f in open_files if f.startswith(str(folder.resolve()))]
    shutil.rmtree(folder)
    assert float(loaded.posterior["y.a:b"].sum()) == float(mixed_fit.posterior["y.a:b"].sum())
    assert len(loaded.data) == len(mixed_fit.data)


# -- saving: refusals and overwrite -------------------------------------------
def test_refuses_non_empty_folder_without_overwrite(mixed_fit, coating_fit, tmp_path):
    folder = save_fit(mixed_fit, tmp_path / "fit")
    with pytest.raises(FileFormatError, match="overwrite=True"):
        save_fit(coating_fit, folder)
    assert load_fit(folder).scm == mixed_fit.scm


def test_overwrite_replaces_the_fit_and_leaves_other_files(mixed_fit, coating_fit, tmp_path):
    folder = save_fit(mixed_fit, tmp_path / "fit")
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    save_fit(coating_fit, folder, overwrite=True)
    assert load_fit(folder).scm == coating_fit.scm
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in folder.iterdir()) == sorted([*FILES, "notes.txt"])


def test_refuses_other_non_empty_folder(mixed_fit, tmp_path):
    (tmp_path / "other.txt").write_text("x", encoding="utf-8")
    with pytest.raises(FileFormatError, match="not empty"):
        save_fit(mixed_fit, tmp_path)


def test_saves_into_empty_existing_folder(mixed_fit, tmp_path):
    assert load_fit(save_fit(mixed_fit, tmp_path)).scm == mixed_fit.scm


def test_refuses_a_file_as_target(mixed_fit, tmp_path):
    target = tmp_path / "fit"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(FileFormatError, match="not a folder"):
        save_fit(mixed_fit, target, overwrite=True)


def test_refuses_unsaveable_column(mixed_fit, tmp_path):
    data = mixed_fit.data.assign(when=pd.Timestamp("2024-01-01"))
    with pytest.raises(DataError, match="'when'"):
        save_fit(dataclasses.replace(mixed_fit, data=data), tmp_path / "fit")
    assert not (tmp_path / "fit").exists()


def test_refuses_non_fit(tmp_path):
    with pytest.raises(TypeError, match="Fit"):
        save_fit({"not": "a fit"}, tmp_path / "fit")


# -- loading: refusals --------------------------------------------------------
@pytest.fixture
def saved(mixed_fit, tmp_path) -> Path:
    return save_fit(mixed_fit, tmp_path / "fit")


def test_refuses_missing_folder(tmp_path):
    with pytest.raises(FileFormatError, match="does not exist"):
        load_fit(tmp_path / "nowhere")


def test_refuses_a_file(tmp_path):
    (tmp_path / "fit.json").write_text("{}", encoding="utf-8")
    with pytest.raises(FileFormatError, match="not a folder"):
        load_fit(tmp_path / "fit.json")


@pytest.mark.parametrize("name", FILES)
def test_refuses_missing_file(saved, name):
    (saved / name).unlink()
    with pytest.raises(FileFormatError, match=name.replace(".", r"\.")):
        load_fit(saved)


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        b'{"format": "causalbayes.fit", "version": NaN}',
        b"[1, 2]",
        b"",
    ],
    ids=["syntax", "binary", "nan-constant", "array", "empty"],
)
def test_refuses_garbage_json(saved, content):
    (saved / "fit.json").write_bytes(content)
    with pytest.raises(FileFormatError, match="fit.json"):
        load_fit(saved)


def test_refuses_wrong_format(saved):
    _edit_json(saved, lambda m: m.update(format="causalbayes.scm"))
    with pytest.raises(
        FileFormatError, match="format 'causalbayes.scm', expected 'causalbayes.fit'"
    ):
        load_fit(saved)


def test_refuses_future_version(saved):
    _edit_json(saved, lambda m: m.update(version=4, causalbayes_version="9.0"))
    with pytest.raises(
        FileFormatError,
        match=r"version 4 \(written by causalbayes 9.0\); this causalbayes reads version 3: upgrade",
    ):
        load_fit(saved)


@pytest.mark.parametrize("version", ["1", True, 0, None, 1.0])
def test_refuses_malformed_version(saved, version):
    _edit_json(saved, lambda m: m.update(version=version))
    with pytest.raises(FileFormatError, match="version"):
        load_fit(saved)


def _drop(key):
    return lambda m: m.pop(key)


def _set(path, value):
    def edit(meta):
        target = meta
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (_drop("scm"), "lacks the entry 'scm'"),
        (_drop("diagnostics"), "lacks the entry 'diagnostics'"),
        (_set(("scm", "nodes", "a", "family"), "Wobbly"), "malformed"),
        (_set(("scm", "nodes"), ["a", "b"]), "malformed"),
        (_set(("scales", "columns", "a", "sd"), "big"), "malformed"),
        (_set(("scales", "columns", "a", "spread"), 1.0), "malformed"),
        (_set(("diagnostics", "divergences"), -1), "malformed"),
        (_set(("diagnostics",), {"divergences": 0}), "malformed"),
        (_set(("sampler",), 3), "malformed"),
        (_set(("data", "n_rows"), 0), "malformed"),
        (_set(("data", "columns", 1, "kind"), "complex"), "malformed"),
        (_set(("data", "columns", 0, "categories"), ["lo", "lo", "hi"]), "malformed"),
    ],
)
def test_refuses_malformed_content(saved, edit, match):
    _edit_json(saved, edit)
    with pytest.raises(FileFormatError, match=match):
        load_fit(saved)


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            lambda m: m["data"]["columns"].append({"name": "extra", "kind": "float"}),
            "holds columns",
        ),
        (
            _set(("data", "columns", 1, "kind"), "int"),
            "column 'a' has dtype float64, but fit.json says int",
        ),
        (_set(("data", "columns", 0, "categories"), ["lo", "mid"]), "not among its categories"),
        (_set(("data", "n_rows"), 41), "expected"),
        (
            _set(("scm", "nodes", "b"), {"family": "Bernoulli", "link": "logit"}),
            "does not fit the saved SCM",
        ),
        (
            _set(("scm", "nodes", "g", "levels"), ["lo", "mid", "hi", "top"]),
            "does not fit the saved SCM|g_contrasts",
        ),
    ],
)
def test_refuses_data_that_does_not_match(saved, edit, match):
    _edit_json(saved, edit)
    with pytest.raises(FileFormatError, match=match):
        load_fit(saved)


def test_refuses_posterior_without_a_parameter(mixed_fit, saved):
    idata = mixed_fit.idata.copy()
    idata.posterior = idata.posterior.drop_vars("y.a:b")
    idata.to_netcdf(str(saved / "posterior.nc"), engine="h5netcdf")
    with pytest.raises(FileFormatError, match="lacks 'y.a:b'"):
        load_fit(saved)


def test_refuses_posterior_with_wrong_dims(mixed_fit, saved):
    idata = mixed_fit.idata.copy()
    idata.posterior["a.sigma"] = idata.posterior["a.sigma"].expand_dims(extra=2, axis=-1)
    idata.to_netcdf(str(saved / "posterior.nc"), engine="h5netcdf")
    with pytest.raises(FileFormatError, match="'a.sigma' has dims"):
        load_fit(saved)


@pytest.mark.parametrize("name", ["posterior.nc", "data.nc"])
def test_refuses_garbage_netcdf(saved, name):
    (saved / name).write_bytes(b"this is not netCDF")
    with pytest.raises(FileFormatError, match=name.replace(".", r"\.")):
        load_fit(saved)


@pytest.mark.parametrize("name", ["posterior.nc", "data.nc"])
def test_refuses_plain_hdf5(saved, name):
    h5py = pytest.importorskip("h5py")
    with h5py.File(saved / name, "w") as h5:
        h5["posterior/x"] = np.arange(3.0)
    with pytest.raises(FileFormatError, match=name.replace(".", r"\.")):
        load_fit(saved)


def test_refuses_swapped_files(saved):
    (saved / "posterior.nc").rename(saved / "tmp.nc")
    (saved / "data.nc").rename(saved / "posterior.nc")
    (saved / "tmp.nc").rename(saved / "data.nc")
    with pytest.raises(FileFormatError, match="data.nc holds columns"):
        load_fit(saved)


def test_errors_are_value_errors(tmp_path):
    with pytest.raises(ValueError):
        load_fit(tmp_path / "nowhere")


# -- a real fit ---------------------------------------------------------------
@pytest.mark.slow
def test_real_fit_round_trip_gives_the_same_ate(tmp_path):
    scm = coating_scm()
    data = cb.simulate(scm, 200, params=COATING_TRUTH, random_seed=11)
    fit = cb.fit(scm, data, draws=200, tune=200, chains=2, random_seed=12, warn=False)
    loaded = load_fit(save_fit(fit, tmp_path / "fit"))
    xr.testing.assert_identical(loaded.idata.sample_stats, fit.idata.sample_stats)
    original = cb.ate(fit, "dilution", "coating", random_seed=13, diagnostics="ignore")
    again = cb.ate(loaded, "dilution", "coating", random_seed=13, diagnostics="ignore")
    np.testing.assert_array_equal(again.draws.values, original.draws.values)
    assert again.mean() == original.mean()
    assert again.hdi() == original.hdi()


def test_round_trip_of_richer_equations(fake_fit, rng, tmp_path):
    """Groups, known errors, a custom mechanism and imputed entries survive save/load."""
    import pytensor.tensor as pt

    tanh = cb.Mechanism(
        lambda x, k: k * pt.tanh(x), params={"k": cb.Prior("Normal", mu=0, sigma=1)}, name="tanh"
    )
    scm = cb.SCM(
        {
            "x": cb.Normal(),
            "y": cb.Normal(["x"], groups={"store": ["x"]}, measurement_error="se"),
            "c": cb.Normal(["x"], mechanism=tanh),
        }
    )
    n = 12
    data = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "y": rng.normal(size=n),
            "c": rng.normal(size=n),
            "se": rng.uniform(0.1, 0.2, n),
            "store": rng.choice(["a", "b", "c"], n),
        }
    )
    data.loc[[1, 4], "x"] = np.nan
    shape = (2, 10)
    post = {
        name: np.abs(rng.normal(size=shape)) + 0.1
        for name in ["x.intercept", "x.sigma", "y.intercept", "y.x", "y.sigma", "c.k", "c.sigma"]
    }
    post.update({f"y.{g}|store.sd": np.abs(rng.normal(size=shape)) for g in ("1", "x")})
    post.update({f"y.{g}|store.z": rng.normal(size=(*shape, 3)) for g in ("1", "x")})
    post["x.missing"] = rng.normal(size=(*shape, 2))
    dims = {f"y.{g}|store.z": ["store_groups"] for g in ("1", "x")}
    fit = fake_fit(scm, data, post, dims, missing="impute")
    cb.save(fit, tmp_path / "rich")
    with pytest.raises(cb.SpecError, match="mechanisms="):
        cb.load(tmp_path / "rich")
    back = cb.load(tmp_path / "rich", mechanisms={"tanh": tanh.function})
    assert back.scm == fit.scm and back.missing == "impute"
    assert back.scm["y"].levels_of_group("store") == ("a", "b", "c")
    for outcome in ("y", "c"):
        before = cb.ate(fit, "x", outcome, values=(1.0, 0.0), random_seed=1).draws.values
        after = cb.ate(back, "x", outcome, values=(1.0, 0.0), random_seed=1).draws.values
        np.testing.assert_allclose(after, before)
