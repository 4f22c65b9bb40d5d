"""Save a :class:`~causalbayes.inference.fit.Fit` to a folder and load it back.

A saved fit is a folder with three files:

``fit.json``
    Plain JSON: ``format`` (``"causalbayes.fit"``), ``version``, the
    ``causalbayes_version`` that wrote it, the ``scm`` (``SCM.to_dict()``),
    the data ``scales`` behind the default priors, the sampler
    ``diagnostics``, the ``sampler`` name, a description of the ``data``
    columns (name and kind: ``float``, ``int``, ``bool`` or ``categorical``
    with its categories), and a manifest: ``files`` (SHA-256 and size of
    ``posterior.nc`` and ``data.nc``) and ``content_sha256`` (of fit.json's
    own content).
``posterior.nc``
    The ``InferenceData`` (posterior and sample stats), netCDF via h5netcdf.
``data.nc``
    The data frame as an xarray Dataset with one variable per column over the
    dim ``unit``; categorical columns are stored as their labels (strings).

A save is all or nothing (:mod:`causalbayes.inference.atomic`): the files are written
into a hidden sibling folder that replaces the old one by renames, so a save
killed at any instant leaves the old fit or the new one, never a mix; the
next save or load settles any leftover.

Loading runs nothing from the files: no pickle, no ``eval``; JSON is parsed
strictly and every part is validated and cross-checked (``_io_checks.py``)
before a :class:`Fit` is built; a save refuses what a load would refuse.
Floats come back as float64, ints as int64 and categorical columns as a pandas
Categorical with the saved categories; the row index becomes a
``RangeIndex`` (the model never uses it).  Data column names containing
``/`` (not allowed in HDF5 names; possible for a Binomial trials column) or
``%`` are percent-escaped inside ``data.nc`` only; ``fit.json`` and the
loaded fit keep the real names.  Parameter names (``coating.dilution``,
``y.a:b``) are stored as they are.
"""

from __future__ import annotations

import contextlib
import math
import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr

from causalbayes._version import __version__
from causalbayes.data.default_priors import resolved_priors
from causalbayes.data.encode import MISSING_OPTIONS, EncodedData, encode_data
from causalbayes.data.scales import Scales
from causalbayes.errors import (
    ArgumentError,
    CausalBayesError,
    DataError,
    FileFormatError,
    SpecError,
)
from causalbayes.inference import atomic
from causalbayes.inference import io_checks as checks
from causalbayes.inference.diagnostics import Diagnostics
from causalbayes.inference.fit import Fit
from causalbayes.inference.io_blocks import (
    blocks_out,
    check_combined,
    parse_blocks,
    parse_settings,
    settings_out,
)
from causalbayes.inference.io_checks import DATA_FILE, FIT_FILE, POSTERIOR_FILE
from causalbayes.inference.samplers import SAMPLERS
from causalbayes.scm.naming import UNIT_DIM
from causalbayes.scm.scm import SCM

FIT_FORMAT = "causalbayes.fit"
# Version 2: standardized sampling (the scales hold centres, rotations and the switch).
# Version 3: the posterior's blocks (fitted or not) and the sampler settings; reads 2 too.
FIT_VERSION = 3
READ_VERSIONS = (2, 3)
FILES = (FIT_FILE, POSTERIOR_FILE, DATA_FILE)
ENGINE = "h5netcdf"
#: ``sampler`` values a saved fit may carry: the backends, and "truth" (the one-draw
#: fit of the true parameters that recovery studies build).
KNOWN_SAMPLERS = (*SAMPLERS, "truth")
_DIAGNOSTICS_FIELDS = {
    "divergences": int,
    "rhat_max": float,
    "ess_bulk_min": float,
    "chains": int,
    "draws": int,
}
_KINDS = ("float", "int", "bool", "categorical")


# -- saving ------------------------------------------------------------------
def save_fit(fit: Fit, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Save ``fit`` to the folder ``path``: ``fit.json``, ``posterior.nc``, ``data.nc``.

    The save is all or nothing: everything is written into a hidden sibling
    folder (``.NAME.cb-new-...``) that then replaces ``path`` by renames.  If
    it fails or the process is killed, ``path`` still holds the old fit (or,
    for a kill between the two renames, the old folder waits under
    ``.NAME.cb-old-...`` and the next save or load puts it back).

    Parameters
    ----------
    fit : Fit
    path : str or path-like
        The folder to write; its parents are created when missing.  Saving
        needs write access to the folder's parent (the new folder is made
        beside the old one).  A symbolic link is followed: its target is replaced.
    overwrite : bool
        Replace a fit already saved there.  Without it, an existing non-empty
        folder is refused.  Files other than the three above are kept (linked
        into the new folder).

    Returns
    -------
    Path
        The folder, as given.

    Raises
    ------
    FileFormatError
        ``path`` is a file, the current folder (or one above it), or a
        non-empty folder and ``overwrite`` is False; or the fit holds
        something a load would refuse (a posterior with non-finite values or
        values outside a parameter's support, an unknown sampler).
    DataError
        A data column has a type that cannot be saved (e.g. datetimes).

    Examples
    --------
    >>> import tempfile
    >>> import causalbayes as cb
    >>> fit = cb.testing.example_fit()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = cb.save(fit, f"{tmp}/coating-fit")
    ...     sorted(p.name for p in folder.iterdir())
    ['data.nc', 'fit.json', 'posterior.nc']
    """
    if not isinstance(fit, Fit):
        raise TypeError(f"save_fit expects a causalbayes Fit, got {type(fit).__name__}")
    given, folder = _paths(path, "save a fit to")
    columns, data = _data_to_dataset(fit.data)
    _check_savable(fit)  # a save never writes what a load would refuse
    meta = _fit_json(fit, columns)
    writers = {
        POSTERIOR_FILE: lambda target: fit.idata.to_netcdf(str(target), engine=ENGINE),
        DATA_FILE: lambda target: data.to_netcdf(target, engine=ENGINE),
        # last: it records the checksums of the two files above
        FIT_FILE: lambda target: target.write_text(_sealed(meta, target.parent), encoding="utf-8"),
    }
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        atomic.replace_folder(
            folder, writers, check=lambda: _check_target(folder, str(given), overwrite)
        )
    except OSError as err:
        err.add_note(
            f"causalbayes: saving {str(given)!r} writes a new folder beside it in "
            f"{str(folder.parent)!r} and swaps it in; the old fit, if any, is unchanged"
        )
        raise
    return given


def _paths(path: Any, doing: str) -> tuple[Path, Path]:
    """The path as given, and the real folder it names (symbolic links resolved)."""
    if not isinstance(path, (str, os.PathLike)):
        raise ArgumentError(
            f"cannot {doing} {path!r}: path must be a str or path-like naming a folder, "
            f"got {type(path).__name__}"
        )
    given = Path(path)
    folder = Path(os.path.realpath(given))
    if folder.parent == folder:
        raise FileFormatError(f"cannot {doing} {str(given)!r}: it is the root folder")
    return given, folder


def _check_target(folder: Path, shown: str, overwrite: bool) -> None:
    if os.path.lexists(folder) and not folder.is_dir():
        raise FileFormatError(f"cannot save a fit to {shown!r}: it exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not overwrite:
        raise FileFormatError(
            f"folder {shown!r} exists and is not empty; pass overwrite=True to replace the fit saved there"
        )
    cwd = Path(os.path.realpath(os.getcwd()))
    if folder.is_dir() and (cwd == folder or folder in cwd.parents):
        # the swap renames the folder away: this process would be left in a deleted folder
        raise FileFormatError(
            f"cannot save a fit to {shown!r}: it is the current folder or contains it; "
            "save to a subfolder, or change folder first"
        )


def _sealed(meta: dict[str, Any], folder: Path) -> str:
    """fit.json's text with the manifest: checksums of the files written, then of itself."""
    content = {**meta, "files": checks.manifest(folder)}
    content[checks.CONTENT_KEY] = checks.content_digest(content)
    return checks.dumps(content)


def _check_savable(fit: Fit) -> None:
    if not _known_sampler(fit.sampler):
        raise FileFormatError(
            f"cannot save a fit whose sampler is {fit.sampler!r}: a load accepts one of {list(KNOWN_SAMPLERS)}"
        )
    try:
        encoded = encode_data(fit.scm, fit.data, missing=fit.missing)
    except CausalBayesError as err:
        raise FileFormatError(f"cannot save this fit: its data do not fit its SCM: {err}") from err
    try:
        _check_posterior(fit.scm, fit.scales, fit.posterior, encoded, fit.diagnostics, fit.unfitted)
    except FileFormatError as err:
        raise FileFormatError(f"cannot save this fit, a load would refuse it: {err}") from err


def _fit_json(fit: Fit, columns: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "format": FIT_FORMAT,
        "version": FIT_VERSION,
        "causalbayes_version": __version__,
        "sampler": fit.sampler,
        "missing": fit.missing,
        "scm": fit.scm.to_dict(),
        "scales": _scales_out(fit.scales),
        "diagnostics": _diagnostics_out(fit.diagnostics),
        "blocks": blocks_out(fit.blocks, _diagnostics_out) if fit.blocks else None,
        "settings": settings_out(fit.settings) if fit.blocks and fit.settings else None,
        "data": {"n_rows": len(fit.data), "columns": columns},
    }


def _known_sampler(name: Any) -> bool:
    """A backend, "truth", or backends joined by "+" (blocks sampled by different ones)."""
    return isinstance(name, str) and all(part in KNOWN_SAMPLERS for part in name.split("+"))


def _scales_out(scales: Scales) -> dict[str, Any]:
    d = scales.to_dict()
    d["columns"] = {
        name: {k: _float_out(v) for k, v in scale.items()} for name, scale in d["columns"].items()
    }
    return d


def _diagnostics_out(diagnostics: Diagnostics) -> dict[str, Any]:
    d = diagnostics.to_dict()
    out = {
        k: _float_out(d[k]) if kind is float else int(d[k])
        for k, kind in _DIAGNOSTICS_FIELDS.items()
    }
    out["worst"] = [[name, _float_out(r), _float_out(e)] for name, r, e in diagnostics.worst]
    return out


def _float_out(value: float) -> float | str | None:
    """JSON has no NaN/inf: NaN becomes null, infinities the strings "inf"/"-inf"."""
    value = float(value)
    if math.isnan(value):
        return None
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _escape(name: str) -> str:
    """A variable name HDF5 accepts; ``_unescape`` inverts it exactly."""
    out = name.replace("%", "%25").replace("/", "%2F")
    return out.replace(".", "%2E") if out in {".", ".."} else out


def _unescape(name: Any) -> str:
    return unquote(str(name))


def _data_to_dataset(data: pd.DataFrame) -> tuple[list[dict[str, Any]], xr.Dataset]:
    """Column descriptions for fit.json and the Dataset written to data.nc."""
    columns, variables = [], {}
    for name in data.columns:
        if not isinstance(name, str):
            raise DataError(f"data column names must be strings to be saved, got {name!r}")
        description, values = _column_out(name, data[name])
        columns.append(description)
        variables[_escape(name)] = (UNIT_DIM, values)
    return columns, xr.Dataset(variables)


def _column_out(name: str, column: pd.Series) -> tuple[dict[str, Any], np.ndarray]:
    dtype = column.dtype
    if column.isna().any() and not pd.api.types.is_float_dtype(dtype):
        # float NaNs are entries a fit imputed; missing labels or integers never reach a fit
        raise DataError(
            f"column {name!r} has missing values; only float columns of imputed fits may, so this frame cannot be saved"
        )
    if isinstance(dtype, pd.CategoricalDtype):
        return _categorical_out(
            name, column.cat.categories, bool(dtype.ordered), column.astype(str).to_numpy()
        )
    if pd.api.types.is_bool_dtype(dtype):
        return {"name": name, "kind": "bool"}, column.to_numpy(dtype=bool)
    if pd.api.types.is_integer_dtype(dtype):
        return {"name": name, "kind": "int"}, column.to_numpy(dtype="int64")
    if pd.api.types.is_float_dtype(dtype):
        return {"name": name, "kind": "float"}, column.to_numpy(dtype="float64")
    if pd.api.types.is_string_dtype(dtype) and all(isinstance(v, str) for v in column):
        labels = column.to_numpy(dtype=object)
        return _categorical_out(name, pd.Index(sorted(set(labels))), False, labels)
    raise DataError(
        f"column {name!r} has dtype {dtype}, which cannot be saved; use float, int, bool or categorical"
    )


def _categorical_out(name: str, categories: pd.Index, ordered: bool, labels: np.ndarray):
    plain = [c.item() if isinstance(c, np.generic) else c for c in categories]
    if not all(isinstance(c, (str, int, float, bool)) for c in plain):
        raise DataError(
            f"categories of column {name!r} must be strings or numbers to be saved, got {plain[:5]}"
        )
    if len({str(c) for c in plain}) != len(plain):
        raise DataError(f"categories of column {name!r} are not distinct as text: {plain}")
    description = {"name": name, "kind": "categorical", "categories": plain, "ordered": ordered}
    return description, np.asarray(labels, dtype=str)


# -- loading -----------------------------------------------------------------
def load_fit(path: str | os.PathLike, *, mechanisms: Mapping[str, Any] | None = None) -> Fit:
    """Load a fit saved by :func:`save_fit`.

    Nothing in the folder is executed: ``fit.json`` is parsed as strict JSON,
    the netCDF files are read eagerly (and closed), and everything is checked
    against the SCM before the :class:`Fit` is built.

    Parameters
    ----------
    path : str or path-like
        The folder written by :func:`save_fit` (or ``Fit.save``).
    mechanisms : dict of str -> callable, optional
        The functions of custom mechanisms, by the name they were saved under
        (functions are code and are never saved).

    Returns
    -------
    Fit
        The data come back with a ``RangeIndex``.

    Raises
    ------
    FileFormatError
        The folder or a file is missing, ``fit.json`` is not a causalbayes fit
        of a version this code reads, or any content is malformed or
        inconsistent (the message names the file).

    Examples
    --------
    >>> import tempfile
    >>> import causalbayes as cb
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = cb.save(cb.testing.example_fit(), f"{tmp}/coating-fit")
    ...     fit = cb.load(f"{tmp}/coating-fit")
    >>> round(cb.ate(fit, "dilution", "coating").mean(), 2)
    -0.42
    """
    given, folder = _paths(path, "load a fit from")
    # shared lock: no save swaps the folder while it is read (exclusive when leftovers
    # of a killed save must be settled first)
    dirty = bool(atomic.leftovers(folder))
    with atomic.locked(folder.parent, exclusive=dirty):
        if dirty:
            with contextlib.suppress(OSError):  # read-only place: read the backup instead
                atomic.recover(folder)
        return _load(given, atomic.locate(folder), mechanisms)


def _load(given: Path, folder: Path, mechanisms: Mapping[str, Any] | None) -> Fit:
    if not folder.is_dir():
        what = "is not a folder" if os.path.lexists(folder) else "does not exist"
        raise FileFormatError(
            f"cannot load a fit from {str(given)!r}: it {what}; a saved fit is a folder written by save_fit"
        )
    meta = _read_fit_json(folder / FIT_FILE)
    _check_mechanisms(meta, mechanisms)
    scm, scales, diagnostics, sampler, missing, columns, n_rows = _parse_meta(meta, mechanisms)
    blocks, settings, diagnostics = _parse_blocks(meta, scm, diagnostics, sampler)
    data = _read_data(folder / DATA_FILE, columns, n_rows)
    idata = _read_posterior(folder / POSTERIOR_FILE)
    encoded = _check_data(scm, data, missing)
    unfitted = [v for b in blocks if not b.fitted for v in b.nodes]
    _check_posterior(scm, scales, idata.posterior, encoded, diagnostics, unfitted)
    checks.check_manifest(meta, folder)  # last: the checks above say what is wrong
    return Fit(
        scm=scm,
        data=data,
        idata=idata,
        scales=scales,
        diagnostics=diagnostics,
        sampler=sampler,
        missing=missing,
        blocks=blocks,
        settings=settings,
    )


def _parse_blocks(meta: dict[str, Any], scm: SCM, diagnostics: Diagnostics, sampler: str):
    """Blocks and settings (version 3; none in version 2), and the fit's diagnostics
    rebuilt from the blocks' (checked against those saved)."""
    if meta["version"] < 3 or meta.get("blocks") is None:
        if meta["version"] >= 3 and meta.get("settings") is not None:
            raise FileFormatError(f"{FIT_FILE} is malformed: settings without blocks")
        return (), {}, diagnostics
    try:
        blocks = parse_blocks(meta["blocks"], scm, KNOWN_SAMPLERS, _parse_diagnostics)
        settings = parse_settings(meta["settings"])
        combined = check_combined(blocks, diagnostics, sampler)
    except KeyError as err:
        raise FileFormatError(f"{FIT_FILE} lacks the entry {err.args[0]!r}") from err
    except (TypeError, ValueError) as err:
        raise FileFormatError(f"{FIT_FILE} is malformed: {err}") from err
    return blocks, settings, combined


def _check_mechanisms(meta: dict[str, Any], functions: Mapping[str, Any] | None) -> None:
    """Custom mechanisms are code, so they are not in the file: the caller must supply them."""
    nodes = meta.get("scm", {}).get("nodes", {}) if isinstance(meta.get("scm"), dict) else {}
    if not isinstance(nodes, dict):
        return  # malformed: _parse_meta says so
    needed = sorted(
        {
            nd["mechanism"].get("name")
            for nd in nodes.values()
            if isinstance(nd, dict) and isinstance(nd.get("mechanism"), dict)
        }
    )
    absent = [name for name in needed if not functions or name not in functions]
    if absent:
        raise SpecError(
            f"this fit uses custom mechanism(s) {absent}, Python functions that are not saved; "
            f"load it with mechanisms={{name: function}} for each"
        )


def _read_fit_json(file: Path) -> dict[str, Any]:
    if not file.is_file():
        raise FileFormatError(
            f"{str(file)!r} is missing: {str(file.parent)!r} is not a saved causalbayes fit"
        )
    try:
        meta = checks.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise FileFormatError(
            f"{FIT_FILE} in {str(file.parent)!r} is not valid JSON: {err}"
        ) from err
    except RecursionError as err:  # nesting deeper than Python's stack
        raise FileFormatError(
            f"{FIT_FILE} in {str(file.parent)!r} is nested too deeply to be a saved fit"
        ) from err
    if not isinstance(meta, dict) or meta.get("format") != FIT_FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else type(meta).__name__
        raise FileFormatError(
            f"{FIT_FILE} has format {found!r}, expected {FIT_FORMAT!r}: not a saved causalbayes fit"
        )
    version = meta.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise FileFormatError(
            f"{FIT_FILE} has version {version!r}, expected a positive integer (this causalbayes reads version {FIT_VERSION})"
        )
    if version > FIT_VERSION:
        written_by = meta.get("causalbayes_version", "a newer causalbayes")
        raise FileFormatError(
            f"{FIT_FILE} has version {version} (written by causalbayes {written_by}); this causalbayes reads version {FIT_VERSION}: upgrade causalbayes"
        )
    if version not in READ_VERSIONS:
        raise FileFormatError(
            f"{FIT_FILE} has version {version}; this causalbayes reads versions {list(READ_VERSIONS)}"
        )
    return meta


def _parse_meta(meta: dict[str, Any], mechanisms: Mapping[str, Any] | None = None):
    try:
        checks.check_scm_fields(meta["scm"])
        scm = SCM.from_dict(meta["scm"], mechanisms=mechanisms)
        checks.check_scm_reads_back(meta["scm"], scm)
        scales = _parse_scales(meta["scales"])
        diagnostics = _parse_diagnostics(meta["diagnostics"])
        sampler = meta["sampler"]
        if not _known_sampler(sampler):
            raise ValueError(
                f"sampler must be one of {list(KNOWN_SAMPLERS)} (or several joined by '+'), "
                f"got {sampler!r}"
            )
        missing = meta.get("missing", "raise")
        if missing not in MISSING_OPTIONS:
            raise ValueError(f"missing must be one of {list(MISSING_OPTIONS)}, got {missing!r}")
        columns, n_rows = _parse_columns(meta["data"])
    except KeyError as err:
        raise FileFormatError(f"{FIT_FILE} lacks the entry {err.args[0]!r}") from err
    except FileFormatError:
        raise
    except (CausalBayesError, TypeError, ValueError, AttributeError) as err:
        raise FileFormatError(f"{FIT_FILE} is malformed: {err}") from err
    except RecursionError as err:
        raise FileFormatError(f"{FIT_FILE} is malformed: nested too deeply") from err
    return scm, scales, diagnostics, sampler, missing, columns, n_rows


def _float_in(value: Any) -> float:
    if value is None:
        return math.nan
    if value in ("inf", "-inf"):
        return float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


def _parse_scales(d: Any) -> Scales:
    fields = {"columns", "standardize", "rotations", "shares"}
    if not isinstance(d, dict) or set(d) != fields:
        raise ValueError(f"scales must have exactly the fields {sorted(fields)}")
    if not isinstance(d["standardize"], bool):
        raise ValueError(f"scales standardize must be true or false, got {d['standardize']!r}")
    rotations, shares = d["rotations"], d["shares"]
    if not isinstance(rotations, dict) or not all(
        isinstance(r, dict) and set(r) == {"terms", "widths", "r"} for r in rotations.values()
    ):
        raise ValueError("scales rotations must map predictors to {terms, widths, r}")
    for key, r in rotations.items():
        terms, widths, matrix = r["terms"], r["widths"], r["r"]
        if not (
            isinstance(terms, list)
            and isinstance(widths, list)
            and len(widths) == len(terms)
            and all(isinstance(w, int) and not isinstance(w, bool) and w >= 1 for w in widths)
        ):
            raise ValueError(f"scales rotation {key!r} needs one positive width per term")
        size = sum(widths)
        square = isinstance(matrix, list) and all(
            isinstance(row, list) and len(row) == size for row in matrix
        )
        if not square or len(matrix) != size:
            raise ValueError(f"scales rotation {key!r} must be a {size} x {size} matrix")
    if not isinstance(shares, dict) or not all(isinstance(v, list) for v in shares.values()):
        raise ValueError("scales shares must map categorical columns to lists of level shares")
    return Scales.from_dict(
        {
            "columns": _parse_columns_scales(d["columns"]),
            "standardize": d["standardize"],
            "rotations": {
                k: {
                    "terms": r["terms"],
                    "widths": r["widths"],
                    "r": [[_float_in(x) for x in row] for row in r["r"]],
                }
                for k, r in rotations.items()
            },
            "shares": {k: [_float_in(x) for x in v] for k, v in shares.items()},
        }
    )


def _parse_columns_scales(d: Any) -> dict[str, dict[str, float]]:
    if not isinstance(d, dict) or not all(isinstance(v, dict) for v in d.values()):
        raise ValueError(
            "scales must map column names to {mean, sd, log_mean, log_sd, lower, upper}"
        )
    return {name: {k: _float_in(v) for k, v in scale.items()} for name, scale in d.items()}


def _parse_diagnostics(d: Any) -> Diagnostics:
    if not isinstance(d, dict) or set(d) - {"worst"} != set(_DIAGNOSTICS_FIELDS):
        raise ValueError(f"diagnostics must have exactly the fields {sorted(_DIAGNOSTICS_FIELDS)}")
    values: dict[str, Any] = {"worst": _parse_worst(d.get("worst", []))}
    for name, kind in _DIAGNOSTICS_FIELDS.items():
        value = d[name]
        if kind is int and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ValueError(f"diagnostics {name} must be a whole number >= 0, got {value!r}")
        values[name] = value if kind is int else _float_in(value)
    return Diagnostics(**values)


def _parse_worst(d: Any) -> tuple[tuple[str, float, float], ...]:
    """The parameters with the worst diagnostics: [[name, rhat, ess], ...]."""
    if not isinstance(d, list) or not all(
        isinstance(w, list) and len(w) == 3 and isinstance(w[0], str) for w in d
    ):
        raise ValueError("diagnostics worst must be a list of [parameter, rhat, ess]")
    return tuple((w[0], _float_in(w[1]), _float_in(w[2])) for w in d)


def _parse_columns(d: Any) -> tuple[list[dict[str, Any]], int]:
    if not isinstance(d, dict) or not isinstance(d.get("columns"), list):
        raise ValueError("data must be {'n_rows': ..., 'columns': [...]}")
    n_rows = d["n_rows"]
    if isinstance(n_rows, bool) or not isinstance(n_rows, int) or n_rows < 1:
        raise ValueError(f"data n_rows must be a positive integer, got {n_rows!r}")
    columns = [_parse_column(c) for c in d["columns"]]
    names = [c["name"] for c in columns]
    if len(set(names)) != len(names):
        raise ValueError(f"data columns are listed more than once: {names}")
    return columns, n_rows


def _parse_column(c: Any) -> dict[str, Any]:
    if not isinstance(c, dict) or not isinstance(c.get("name"), str) or c.get("kind") not in _KINDS:
        raise ValueError(
            f"a data column is {{'name': str, 'kind': one of {list(_KINDS)}}}, got {c!r}"
        )
    if c["kind"] == "categorical":
        categories = c.get("categories")
        ok = isinstance(categories, list) and all(
            isinstance(v, (str, int, float, bool)) for v in categories
        )
        if (
            not ok
            or len({str(v) for v in categories}) != len(categories)
            or not isinstance(c.get("ordered", False), bool)
        ):
            raise ValueError(
                f"categorical column {c['name']!r} needs a list of distinct categories, got {categories!r}"
            )
    return c


def _open_dataset(file: Path, **kwargs: Any) -> xr.Dataset:
    """Read a netCDF group into memory and close the file."""
    with xr.open_dataset(file, engine=ENGINE, **kwargs) as ds:
        return ds.load()


def _read_data(file: Path, columns: list[dict[str, Any]], n_rows: int) -> pd.DataFrame:
    if not file.is_file():
        raise FileFormatError(f"{DATA_FILE} is missing from {str(file.parent)!r}")
    try:
        ds = _open_dataset(file, decode_cf=False, phony_dims="sort")
    except Exception as err:  # a damaged HDF5 file fails anywhere in h5py (even RuntimeError)
        raise FileFormatError(f"{DATA_FILE} could not be read as netCDF: {err}") from err
    stored = {_unescape(v): v for v in ds.variables}
    found, expected = sorted(stored), sorted(c["name"] for c in columns)
    if found != expected or len(stored) != len(ds.variables):
        raise FileFormatError(
            f"{DATA_FILE} holds columns {found}, but {FIT_FILE} describes {expected}"
        )
    frame = {}
    for c in columns:
        var = ds.variables[stored[c["name"]]]
        if var.dims != (UNIT_DIM,) or var.size != n_rows:
            raise FileFormatError(
                f"{DATA_FILE}: column {c['name']!r} has dims {dict(var.sizes)}, expected {{'{UNIT_DIM}': {n_rows}}}"
            )
        frame[c["name"]] = _column_in(c, var.values)
    return pd.DataFrame(frame, index=pd.RangeIndex(n_rows))


def _column_in(c: dict[str, Any], values: np.ndarray):
    kind, name = c["kind"], c["name"]
    checks = {"float": "f", "int": "iu", "bool": "b"}
    if kind in checks:
        if values.dtype.kind not in checks[kind]:
            raise FileFormatError(
                f"{DATA_FILE}: column {name!r} has dtype {values.dtype}, but {FIT_FILE} says {kind}"
            )
        return values.astype({"float": "float64", "int": "int64", "bool": bool}[kind])
    if values.dtype.kind not in "UO" or not all(isinstance(v, str) for v in values):
        raise FileFormatError(
            f"{DATA_FILE}: categorical column {name!r} must hold text labels, found dtype {values.dtype}"
        )
    categories = c["categories"]
    lookup = {str(v): i for i, v in enumerate(categories)}
    unknown = sorted(set(values) - set(lookup))
    if unknown:
        raise FileFormatError(
            f"{DATA_FILE}: column {name!r} has label(s) {unknown[:5]} that are not among its categories {categories}"
        )
    codes = np.fromiter((lookup[v] for v in values), dtype=np.int64, count=len(values))
    return pd.Categorical.from_codes(
        codes, categories=categories, ordered=bool(c.get("ordered", False))
    )


def _read_posterior(file: Path) -> az.InferenceData:
    if not file.is_file():
        raise FileFormatError(f"{POSTERIOR_FILE} is missing from {str(file.parent)!r}")
    try:
        with az.rc_context(rc={"data.load": "eager"}), warnings.catch_warnings():
            # plain HDF5 (not netCDF) makes xarray warn about dims it invents; the checks below refuse it
            warnings.filterwarnings(
                "ignore", message="The 'phony_dims' kwarg", category=UserWarning
            )
            idata = az.from_netcdf(str(file), engine=ENGINE)
    except Exception as err:  # as in _read_data: any failure of the reader is a damaged file
        raise FileFormatError(f"{POSTERIOR_FILE} could not be read as netCDF: {err}") from err
    if "posterior" not in idata.groups():
        raise FileFormatError(
            f"{POSTERIOR_FILE} has no posterior group (groups: {list(idata.groups())})"
        )
    return idata


def _check_data(scm: SCM, data: pd.DataFrame, missing: str) -> EncodedData:
    try:
        return encode_data(scm, data, missing=missing)
    except CausalBayesError as err:
        raise FileFormatError(f"{DATA_FILE} does not fit the saved SCM: {err}") from err


def _check_posterior(
    scm: SCM,
    scales: Scales,
    posterior: xr.Dataset,
    encoded: EncodedData,
    diagnostics: Diagnostics,
    unfitted=(),
) -> None:
    imputed = {node: int(mask.sum()) for node, mask in encoded.missing.items() if mask.any()}
    try:
        priors = resolved_priors(scm, scales)
    except CausalBayesError as err:  # e.g. an edited scale that gives no valid default prior
        raise FileFormatError(
            f"{FIT_FILE}: the saved scales do not give valid priors: {err}"
        ) from err
    checks.check_posterior(
        scm,
        priors,
        posterior,
        n_rows=encoded.n,
        imputed=imputed,
        diagnostics=diagnostics,
        unfitted=unfitted,
    )


__all__ = ["load_fit", "save_fit"]
