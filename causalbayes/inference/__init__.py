"""Fitting: pm.observe + sampler, diagnostics and the Fit result."""

from causalbayes.inference.diagnostics import Diagnostics
from causalbayes.inference.fit import Fit
from causalbayes.inference.sampling import conditioned_model, fit

__all__ = ["Diagnostics", "Fit", "conditioned_model", "fit"]
