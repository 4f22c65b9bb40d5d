"""Fitting: pm.observe + sampler registry, compile-once refits, diagnostics and the Fit result."""

from causalbayes.inference.blocks import Block
from causalbayes.inference.blockwise import fit_more
from causalbayes.inference.diagnostics import Diagnostics
from causalbayes.inference.fit import Fit
from causalbayes.inference.refit import Refitter
from causalbayes.inference.samplers import available_samplers
from causalbayes.inference.sampling import conditioned_model, fit

__all__ = [
    "Block",
    "Diagnostics",
    "Fit",
    "Refitter",
    "available_samplers",
    "conditioned_model",
    "fit",
    "fit_more",
]
