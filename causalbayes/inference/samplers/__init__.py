"""Sampler backends behind one interface (see ``_registry.py``)."""

from causalbayes.inference.samplers._registry import (
    AUTO_NUTPIE_MIN_FITS,
    AUTO_NUTPIE_MIN_ROWS,
    AUTO_ORDER,
    SAMPLERS,
    SamplerInfo,
    available_samplers,
    resolve_sampler,
)

__all__ = [
    "AUTO_NUTPIE_MIN_FITS",
    "AUTO_NUTPIE_MIN_ROWS",
    "AUTO_ORDER",
    "SAMPLERS",
    "SamplerInfo",
    "available_samplers",
    "resolve_sampler",
]
