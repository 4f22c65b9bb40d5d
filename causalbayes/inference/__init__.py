"""Fitting: pm.observe + sampler, diagnostics and the Fit result."""

from causalbayes.inference.diagnostics import Diagnostics
from causalbayes.inference.fit import Fit
from causalbayes.inference.sampling import fit

__all__ = ["Diagnostics", "Fit", "fit"]
