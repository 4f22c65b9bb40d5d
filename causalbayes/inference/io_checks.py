"""Cross-checks of a saved fit (``causalbayes.inference.io``): a file that is well formed is not yet trusted.

Four kinds of check, each raising :class:`~causalbayes.errors.FileFormatError`
with the file, the field and what was expected:

* strict JSON: no duplicate keys (the second would silently win), no non-finite
  numbers, no nesting so deep that parsing overflows the stack;
* the SCM's fields have the types ``SCM.to_dict`` writes, *before* they are
  converted (``tuple("tx")`` would silently become the parents ``t`` and ``x``),
  and read back to the same description (nothing was coerced);
* the posterior has every variable the SCM implies, with the right dims and
  sizes, finite values inside each parameter's support, and as many chains and
  draws as the diagnostics say;
* a manifest: SHA-256 and size of ``posterior.nc`` and ``data.nc``, and of
  ``fit.json``'s own content, so any later edit or a file from another save is
  caught even when it is well formed.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from causalbayes.errors import FileFormatError
from causalbayes.families import FAMILIES
from causalbayes.inference.atomic import file_digest
from causalbayes.inference.diagnostics import Diagnostics
from causalbayes.scm.naming import (
    UNIT_DIM,
    basis_dim,
    contrasts_dim,
    cutpoints_dim,
    gaps_dim,
    groups_dim,
    levels_dim,
    r2d2_dim,
)
from causalbayes.scm.priors import Prior
from causalbayes.scm.scm import SCM, Parameter
from causalbayes.scm.terms import Spline

FIT_FILE = "fit.json"
POSTERIOR_FILE = "posterior.nc"
DATA_FILE = "data.nc"
#: Files whose checksums fit.json records, and the key of fit.json's own checksum.
CHECKED_FILES = (POSTERIOR_FILE, DATA_FILE)
CONTENT_KEY = "content_sha256"


# -- strict JSON ---------------------------------------------------------------------
def loads(text: str) -> Any:
    """Parse JSON, refusing duplicate keys, NaN/Infinity and numbers that overflow a float.

    Examples
    --------
    >>> loads('{"a": 1, "b": [2.5]}')
    {'a': 1, 'b': [2.5]}
    >>> loads('{"a": 1, "a": 2}')
    Traceback (most recent call last):
    ...
    ValueError: the key 'a' appears twice in one object
    """
    return json.loads(
        text, object_pairs_hook=_unique_keys, parse_constant=_refuse, parse_float=_finite
    )


def dumps(content: Mapping[str, Any]) -> str:
    """fit.json's text; strict JSON (non-finite floats are encoded before)."""
    return json.dumps(content, indent=2, allow_nan=False, ensure_ascii=False) + "\n"


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} appears twice in one object")
        out[key] = value
    return out


def _refuse(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} does not fit in a float")
    return value


# -- the SCM's fields ----------------------------------------------------------------
def _is_str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _is_label_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, (str, int, float, bool)) for x in v)


def _is_str_list_map(v: Any) -> bool:
    return isinstance(v, dict) and all(_is_str_list(x) for x in v.values())


# field -> (test of the JSON value, what is expected, default when absent)
_FIELDS: dict[str, tuple[Any, str, Any]] = {
    "family": (lambda v: isinstance(v, str), "a family name (string)", None),
    "parents": (_is_str_list, "a list of node names", []),
    "link": (lambda v: isinstance(v, str), "a link name (string)", None),
    "interactions": (
        lambda v: isinstance(v, list) and all(_is_str_list(p) for p in v),
        "a list of lists of parent names",
        [],
    ),
    "priors": (
        lambda v: isinstance(v, dict) and all(isinstance(p, dict) for p in v.values()),
        "an object of parameter name -> prior object",
        {},
    ),
    "latent": (lambda v: isinstance(v, bool), "true or false", False),
    "intercept": (lambda v: isinstance(v, bool), "true or false", True),
    "centered": (lambda v: isinstance(v, bool), "true or false", False),
    "trials": (
        lambda v: (
            v is None or isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool))
        ),
        "a whole number or a column name",
        None,
    ),
    "levels": (lambda v: v is None or _is_label_list(v), "a list of level labels", None),
    "groups": (_is_str_list_map, "an object of grouping column -> list of parents", {}),
    "group_levels": (_is_str_list_map, "an object of grouping column -> list of labels", {}),
    "terms": (
        lambda v: isinstance(v, list) and all(isinstance(t, dict) for t in v),
        "a list of term objects",
        [],
    ),
    "mechanism": (lambda v: v is None or isinstance(v, dict), "a mechanism object", None),
    "measurement_error": (
        lambda v: v is None or isinstance(v, str),
        "the name of a standard-error column",
        None,
    ),
    "r2d2": (lambda v: v is None or isinstance(v, dict), "an R2-D2 object", None),
}


def _malformed(where: str, expected: str, got: Any) -> FileFormatError:
    shown = repr(got)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return FileFormatError(f"{FIT_FILE} is malformed: {where} must be {expected}, got {shown}")


def check_scm_fields(d: Any) -> None:
    """Every node field has the JSON type ``SCM.to_dict`` writes, and its link suits its family."""
    if not isinstance(d, dict) or not isinstance(d.get("nodes"), dict):
        raise _malformed("scm", "an object with 'nodes': {name: node}", d)
    for name, node in d["nodes"].items():
        where = f"scm.nodes.{name}"
        if not isinstance(node, dict):
            raise _malformed(where, "a node object", node)
        for field, value in node.items():
            if field in _FIELDS and not _FIELDS[field][0](value):
                raise _malformed(f"{where}.{field}", _FIELDS[field][1], value)
        family = FAMILIES.get(node.get("family"))
        if family is not None and "link" in node and node["link"] not in family.links:
            raise _malformed(
                f"{where}.link", f"a link of family {family.name}: one of {list(family.links)}",
                node["link"],
            )  # fmt: skip


def check_scm_reads_back(d: Mapping[str, Any], scm: SCM) -> None:
    """The SCM built from ``d`` describes itself as ``d`` does: no field was coerced or dropped."""
    canonical = json.loads(json.dumps(scm.to_dict()))["nodes"]
    if set(canonical) != set(d["nodes"]):
        raise _malformed("scm.nodes", f"the nodes {sorted(canonical)}", sorted(d["nodes"]))
    for name, node in d["nodes"].items():
        for field, value in node.items():
            expected = canonical[name].get(field, _FIELDS.get(field, (0, 0, value))[2])
            if field == "intercept" and "mechanism" in node:
                continue  # a custom mechanism replaces the intercept whatever this says
            if value != expected:
                raise FileFormatError(
                    f"{FIT_FILE} is malformed: scm.nodes.{name}.{field} is {value!r}, but the "
                    f"SCM built from it reads {expected!r}; expected the form causalbayes writes"
                )


# -- the posterior -------------------------------------------------------------------
def dim_sizes(scm: SCM) -> dict[str, int]:
    """The length of every dim the SCM's parameters use, except ``unit``."""
    sizes = {}
    for name in scm.order:
        node = scm[name]
        if node.levels is not None:
            k = len(node.levels)
            sizes[levels_dim(name)], sizes[contrasts_dim(name)] = k, k - 1
            if node.family == "OrderedLogistic":
                sizes[cutpoints_dim(name)], sizes[gaps_dim(name)] = k - 1, k - 2
        for key, levels in node.group_levels:
            sizes[groups_dim(key)] = len(levels)
        for term in node.terms:
            if isinstance(term, Spline):
                sizes[basis_dim(name, term.name)] = term.df
        if node.r2d2 is not None:
            sizes[r2d2_dim(name)] = len(node.r2d2_terms)
    return sizes


def dim_labels(scm: SCM) -> dict[str, list[str]]:
    """Coordinate labels of the level, contrast and group dims."""
    labels = {}
    for name in scm.order:
        levels = scm[name].levels
        if levels is not None:
            labels[levels_dim(name)] = [str(v) for v in levels]
            labels[contrasts_dim(name)] = [str(v) for v in levels[1:]]
        for key, group_levels in scm[name].group_levels:
            labels[groups_dim(key)] = [str(v) for v in group_levels]
    return labels


def check_posterior(
    scm: SCM,
    priors: Mapping[str, Prior],
    posterior: xr.Dataset,
    *,
    n_rows: int,
    imputed: Mapping[str, int],
    diagnostics: Diagnostics,
    unfitted: Collection[str] = (),
) -> None:
    """Every variable the SCM implies is there, shaped right, finite and inside its support.

    ``imputed``: node -> number of missing entries (each a ``<node>.missing`` variable).
    ``unfitted``: nodes whose mechanisms are not sampled yet: their variables must be absent.
    """
    unfitted = set(unfitted)
    stray = [
        v
        for v in posterior.data_vars
        if v in unfitted or str(v).split(".", 1)[0] in unfitted and str(v) not in scm.nodes
    ]
    if stray:
        raise FileFormatError(
            f"{POSTERIOR_FILE}: {stray} belong to mechanisms that {FIT_FILE} says are not fitted"
        )
    if "chain" not in posterior.dims or "draw" not in posterior.dims:
        raise FileFormatError(
            f"{POSTERIOR_FILE}: the posterior needs dims chain and draw, found {list(posterior.dims)}"
        )
    found = (posterior.sizes["chain"], posterior.sizes["draw"])
    if found != (diagnostics.chains, diagnostics.draws):
        raise FileFormatError(
            f"{POSTERIOR_FILE}: the posterior has {found[0]} chains x {found[1]} draws, but "
            f"{FIT_FILE} diagnostics say {diagnostics.chains} x {diagnostics.draws}"
        )
    sizes, labels = {**dim_sizes(scm), UNIT_DIM: n_rows}, dim_labels(scm)
    for p in scm.parameters():
        if p.node in unfitted:
            continue
        if p.kind == "derived" and p.name not in posterior.data_vars:
            continue  # recomputable from the free variables; effects never read it
        if p.kind == "prior" and priors[p.name].is_fixed:
            continue  # a known constant, not in the posterior
        _check_variable(posterior, p.name, p.dims, sizes, labels)
        _check_values(posterior[p.name], p.name, _support(scm, p, priors.get(p.name)))
    for name in [v for v in scm.latent if v not in unfitted]:
        _check_variable(posterior, name, (UNIT_DIM,), sizes, {})
        _check_values(posterior[name], name, [])
    for node, count in imputed.items():
        if node in unfitted:
            continue
        name = f"{node}.missing"
        if name not in posterior.data_vars:
            raise FileFormatError(
                f"{POSTERIOR_FILE}: the posterior lacks {name!r}, the {count} imputed entries of {node!r}"
            )
        if posterior[name].shape[2:] != (count,):
            raise FileFormatError(
                f"{POSTERIOR_FILE}: {name!r} has shape {posterior[name].shape[2:]} per draw, "
                f"expected ({count},): one value per missing entry of {node!r} in {DATA_FILE}"
            )
        _check_values(posterior[name], name, [])


def _check_variable(posterior, name, dims, sizes, labels) -> None:
    if name not in posterior.data_vars:
        raise FileFormatError(
            f"{POSTERIOR_FILE}: the posterior lacks {name!r}, a parameter of the saved SCM"
        )
    var = posterior[name]
    if var.dims != ("chain", "draw", *dims):
        raise FileFormatError(
            f"{POSTERIOR_FILE}: {name!r} has dims {var.dims}, expected {('chain', 'draw', *dims)}"
        )
    for dim in dims:
        if dim in sizes and var.sizes[dim] != sizes[dim]:
            raise FileFormatError(
                f"{POSTERIOR_FILE}: {name!r} has {var.sizes[dim]} entries along {dim!r}, expected {sizes[dim]}"
            )
        expected = labels.get(dim)
        if expected and dim in var.coords and [str(v) for v in var.coords[dim].values] != expected:
            raise FileFormatError(
                f"{POSTERIOR_FILE}: {name!r} is labelled {list(var.coords[dim].values)} along {dim!r}, expected {expected}"
            )


# auxiliary parameters of families that must be positive whatever their prior
_POSITIVE_AUX = {"sigma", "alpha", "phi", "nu"}


def _support(scm: SCM, p: Parameter, prior: Prior | None) -> list[tuple[str, float, float]]:
    """Bounds ``(description, lower, upper)`` that every draw of ``p`` must satisfy (open bounds)."""
    node, local, bounds = scm[p.node], p.local, []
    # by name only where the name is the family's or causalbayes' own (a mechanism's
    # parameter may be called "alpha" and be negative)
    if (local == "psi" and "psi" in node.family_info.aux) or (
        local == "r2" and node.r2d2 is not None
    ):
        bounds.append(("inside (0, 1)", 0.0, 1.0))
    elif (
        (local in _POSITIVE_AUX and local in node.family_info.aux)
        or local.endswith(".sd")
        or local in {"r2.phi", "cutpoints.gaps"}
    ):
        bounds.append(("positive", 0.0, math.inf))
    if prior is not None and prior.support == "positive":
        bounds.append(("positive (its prior's support)", 0.0, math.inf))
    elif prior is not None and prior.support == "unit":
        bounds.append(("inside (0, 1) (its prior's support)", 0.0, 1.0))
    elif prior is not None and prior.support == "interval":
        lo, hi = prior.kwargs["lower"], prior.kwargs["upper"]
        # Uniform's bounds are closed: widen the open check by a hair
        bounds.append(
            (
                f"inside [{lo}, {hi}] (its prior)",
                np.nextafter(lo, -np.inf),
                np.nextafter(hi, np.inf),
            )
        )
    return bounds


def _check_values(var: xr.DataArray, name: str, bounds) -> None:
    values = np.asarray(var.values)
    if values.dtype.kind not in "fiu":
        raise FileFormatError(
            f"{POSTERIOR_FILE}: {name!r} has dtype {values.dtype}, expected numbers"
        )
    bad = ~np.isfinite(values)
    if bad.any():
        raise FileFormatError(
            f"{POSTERIOR_FILE}: {name!r} has {int(bad.sum())} non-finite value(s) (NaN or inf) "
            "among its draws; a posterior must be finite"
        )
    for what, lower, upper in bounds:
        outside = (values <= lower) | (values >= upper)
        if outside.any():
            example = float(values[outside].flat[0])
            raise FileFormatError(
                f"{POSTERIOR_FILE}: {name!r} has {int(outside.sum())} draw(s) outside its support "
                f"(e.g. {example!r}); every draw must be {what}"
            )


# -- the manifest ----------------------------------------------------------------------
def content_digest(meta: Mapping[str, Any]) -> str:
    """SHA-256 of fit.json's content without its own checksum, in the form ``dumps`` writes."""
    rest = {k: v for k, v in meta.items() if k != CONTENT_KEY}
    return hashlib.sha256(dumps(rest).encode("utf-8")).hexdigest()


def manifest(folder: Path) -> dict[str, dict[str, int | str]]:
    """``{file: {"sha256": ..., "bytes": ...}}`` of the netCDF files written in ``folder``."""
    return {name: file_digest(folder / name) for name in CHECKED_FILES}


def check_manifest(meta: Mapping[str, Any], folder: Path) -> None:
    """The files and fit.json's content are those the save recorded (run after the other checks)."""
    files = meta.get("files")
    well_formed = isinstance(files, dict) and set(files) == set(CHECKED_FILES)
    if well_formed:
        well_formed = all(
            isinstance(e, dict) and set(e) == {"sha256", "bytes"} and isinstance(e["sha256"], str)
            and isinstance(e["bytes"], int) and not isinstance(e["bytes"], bool)
            for e in files.values()
        )  # fmt: skip
    if not well_formed:
        raise FileFormatError(
            f"{FIT_FILE} is malformed: 'files' must record the sha256 and bytes of "
            f"{list(CHECKED_FILES)} (a fit saved by this causalbayes has it); save the fit again"
        )
    for name in CHECKED_FILES:
        found, expected = file_digest(folder / name), files[name]
        if found != expected:
            raise FileFormatError(
                f"{name} in {str(folder)!r} is not the file this fit saved: {FIT_FILE} records "
                f"{expected['bytes']} bytes with SHA-256 {expected['sha256'][:16]}..., found "
                f"{found['bytes']} bytes with {found['sha256'][:16]}...; it was changed or comes "
                "from another save. Save the fit again, or restore the folder"
            )
    recorded = meta.get(CONTENT_KEY)
    if recorded != content_digest(meta):
        raise FileFormatError(
            f"{FIT_FILE} in {str(folder)!r} was edited after it was saved: its content does not "
            f"match its {CONTENT_KEY!r}. Save the fit again, or restore the folder"
        )
