"""Spec -> PyMC: the only layer that creates PyMC variables."""

from causalbayes.compile.model import (
    build_model,
    design_for,
    dim_lengths,
    expected_value,
    generative_model,
    mean_given,
    model_and_design,
    model_for_data,
)
from causalbayes.compile.predictor import Design

__all__ = [
    "Design",
    "build_model",
    "design_for",
    "dim_lengths",
    "expected_value",
    "generative_model",
    "mean_given",
    "model_and_design",
    "model_for_data",
]
