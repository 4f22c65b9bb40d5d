"""Fitting: pm.observe + sampler registry, compile-once refits, diagnostics and the Fit result.

The names load on first use (``causalbayes._lazy``): most modules here import PyMC,
and the exact path of ``ab_test`` reads only the light ones (``options``,
``prepare``, ``samplers.exact``).
"""

from typing import TYPE_CHECKING, Any

from causalbayes._lazy import exported_names, keep_exports, load_export

if TYPE_CHECKING:  # the same names for type checkers (tests/test_lazy_exports.py)
    from causalbayes.inference.blocks import Block
    from causalbayes.inference.blockwise import fit_more
    from causalbayes.inference.diagnostics import Diagnostics
    from causalbayes.inference.fit import Fit
    from causalbayes.inference.refit import Refitter
    from causalbayes.inference.samplers import available_samplers
    from causalbayes.inference.sampling import conditioned_model, fit

keep_exports(
    __name__,
    {
        "Block": f"{__name__}.blocks",
        "Diagnostics": f"{__name__}.diagnostics",
        "Fit": f"{__name__}.fit",
        "Refitter": f"{__name__}.refit",
        "available_samplers": f"{__name__}.samplers",
        "conditioned_model": f"{__name__}.sampling",
        "fit": f"{__name__}.sampling",
        "fit_more": f"{__name__}.blockwise",
    },
)


def __getattr__(name: str) -> Any:
    return load_export(__name__, name)


def __dir__() -> list[str]:
    return exported_names(__name__)


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
