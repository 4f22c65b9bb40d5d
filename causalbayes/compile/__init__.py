"""Spec -> PyMC.  All naming of PyMC variables and dims comes from spec.naming."""

from causalbayes.compile.means import expected_value
from causalbayes.compile.model import build_model, generative_model, model_for_data

__all__ = ["build_model", "expected_value", "generative_model", "model_for_data"]
