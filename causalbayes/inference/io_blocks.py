"""The blocks and sampler settings of a saved fit: written to and read from ``fit.json``.

``blocks`` lists each block's nodes, sampler, summarised nodes and diagnostics (null for a
block not fitted yet); ``settings`` holds what ``cb.fit_more`` reuses.  Reading validates
both field by field and cross-checks them: the blocks must partition the SCM's modelled
nodes, and the fit's diagnostics must be their combination.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import Any

from causalbayes.inference.blocks import Block
from causalbayes.inference.diagnostics import Diagnostics, combine
from causalbayes.scm.scm import SCM

_SETTINGS = {
    "draws": int,
    "tune": int,
    "chains": int,
    "target_accept": float,
    "sampler": str,
    "seed": int,
    "blocks": bool,
    "sufficient_stats": bool,
}
_BLOCK_FIELDS = {"nodes", "sampler", "summarised", "diagnostics"}


def blocks_out(blocks, diagnostics_out: Callable[[Diagnostics], dict]) -> list[dict[str, Any]]:
    return [
        {
            "nodes": list(b.nodes),
            "sampler": b.sampler,
            "summarised": list(b.summarised),
            "diagnostics": None if b.diagnostics is None else diagnostics_out(b.diagnostics),
        }
        for b in blocks
    ]


def settings_out(settings: Mapping[str, Any]) -> dict[str, Any]:
    return {k: settings[k] for k in _SETTINGS if k in settings}


def parse_blocks(
    d: Any,
    scm: SCM,
    samplers: tuple[str, ...],
    parse_diagnostics: Callable[[Any], Diagnostics],
) -> tuple[Block, ...]:
    """Blocks from ``fit.json``; raises ValueError with what is wrong."""
    if not isinstance(d, list) or not d:
        raise ValueError("blocks must be a non-empty list")
    seen: list[str] = []
    out = []
    for entry in d:
        if not isinstance(entry, dict) or set(entry) != _BLOCK_FIELDS:
            raise ValueError(f"each block must have exactly the fields {sorted(_BLOCK_FIELDS)}")
        nodes, summarised = entry["nodes"], entry["summarised"]
        for name, value in (("nodes", nodes), ("summarised", summarised)):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"block {name} must be a list of node names")
        if not nodes or any(v not in scm.modelled for v in nodes):
            raise ValueError(f"block nodes {nodes} must be modelled nodes of the SCM")
        if not set(summarised) <= set(nodes):
            raise ValueError(f"block summarised nodes {summarised} must be among its nodes")
        fitted = entry["diagnostics"] is not None
        sampler = entry["sampler"]
        if fitted and sampler not in samplers:
            raise ValueError(f"block sampler must be one of {list(samplers)}, got {sampler!r}")
        if not fitted and (sampler is not None or summarised):
            raise ValueError("a block that is not fitted has no sampler and no summarised nodes")
        diagnostics = parse_diagnostics(entry["diagnostics"]) if fitted else None
        out.append(Block(tuple(nodes), diagnostics, sampler, tuple(summarised)))
        seen += nodes
    if sorted(seen) != sorted(scm.modelled) or len(set(seen)) != len(seen):
        raise ValueError(
            f"blocks must hold every modelled node once: found {seen}, modelled {list(scm.modelled)}"
        )
    if not any(b.fitted for b in out):
        raise ValueError("no block is fitted")
    return tuple(out)


def parse_settings(d: Any) -> dict[str, Any]:
    if not isinstance(d, dict) or set(d) != set(_SETTINGS):
        raise ValueError(f"settings must have exactly the fields {sorted(_SETTINGS)}")
    for name, kind in _SETTINGS.items():
        value = d[name]
        if kind is bool:
            ok = isinstance(value, bool)
        elif kind is int:
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        elif kind is float:
            ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and 0 < value < 1
        else:
            ok = isinstance(value, str)
        if not ok:
            raise ValueError(f"settings {name} is {value!r}, expected a {kind.__name__}")
    return dict(d)


def check_combined(
    blocks: tuple[Block, ...], diagnostics: Diagnostics, sampler: str
) -> Diagnostics:
    """The fit's diagnostics rebuilt from its blocks', checked against those saved."""
    fitted = [b for b in blocks if b.fitted]
    combined = combine([(b.name, b.diagnostics) for b in fitted])
    if not _same(combined.to_dict(), diagnostics.to_dict()):
        raise ValueError("diagnostics are not the combination of the blocks' diagnostics")
    expected = "+".join(dict.fromkeys(b.sampler for b in fitted))
    if sampler != expected:
        raise ValueError(f"sampler {sampler!r} is not the blocks' samplers {expected!r}")
    return combined


def _same(a: Any, b: Any) -> bool:
    """Equal, with NaN equal to NaN (JSON has no NaN: it reads back as NaN from null)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return a == b


__all__ = ["blocks_out", "check_combined", "parse_blocks", "parse_settings", "settings_out"]
