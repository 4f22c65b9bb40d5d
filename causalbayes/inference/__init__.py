"""Fitting: pm.observe + sampler registry, compile-once refits, diagnostics and the Fit result."""

from causalbayes.inference.diagnostics import Diagnostics
from causalbayes.inference.fit import Fit
from causalbayes.inference.refit import Refitter
from causalbayes.inference.samplers import available_samplers
from causalbayes.inference.sampling import conditioned_model, fit

__all__ = ["Diagnostics", "Fit", "Refitter", "available_samplers", "conditioned_model", "fit"]
