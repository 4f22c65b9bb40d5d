"""PyMC's NUTS samples the model with its data-derived numbers as inputs, not compiled code.

Default priors, standardization factors and centring means come from the data; as
constants PyTensor writes them into the C code of the log density, so every new
data set compiled new modules.  ``constants_as_inputs`` keeps the same log density
(exact tier) with code that is the same for every data set of one design.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest

import causalbayes as cb
from causalbayes.compile import build_model
from causalbayes.data.encode import encode_data
from causalbayes.data.scales import scales_from_data
from causalbayes.examples import COATING_TRUTH, coating_scm
from causalbayes.inference.samplers.pymc_nuts import constants_as_inputs


def _conditioned(seed: int) -> pm.Model:
    scm = coating_scm()
    df = cb.simulate(scm, 200, params=COATING_TRUTH, random_seed=seed)
    df["humid"] = 1000.0 * df["humid"] + 5000.0  # raw units: the default priors follow them
    encoded = encode_data(scm, df)
    scales = scales_from_data(encoded.scm, encoded)
    model = build_model(encoded.scm, n=encoded.n, scales=scales, exog=encoded.exog)
    return pm.observe(model, {v: encoded.values[v] for v in encoded.scm.observed})


def _compiled_ops(model: pm.Model) -> list[str]:
    # an Elemwise's name spells out its fused scalar code, literals included
    fn = model.logp_dlogp_function(ravel_inputs=True)._pytensor_function
    return sorted(str(node.op) for node in fn.maker.fgraph.toposort())


def test_log_density_and_gradient_are_unchanged():
    model = _conditioned(1)
    lifted = constants_as_inputs(model)
    assert {v.name for v in lifted.free_RVs} == {v.name for v in model.free_RVs}
    logp, lifted_logp = model.compile_logp(), lifted.compile_logp()
    names = [v.name for v in model.free_RVs]  # the gradient in one order for both
    dlogp = model.compile_dlogp(vars=model.free_RVs)
    lifted_dlogp = lifted.compile_dlogp(vars=[lifted[n] for n in names])
    rng = np.random.default_rng(2)
    for _ in range(3):
        point = {
            k: v + rng.normal(scale=0.5, size=np.shape(v)) for k, v in model.initial_point().items()
        }
        assert lifted_logp(point) == pytest.approx(logp(point), rel=1e-12)
        np.testing.assert_allclose(lifted_dlogp(point), dlogp(point), rtol=1e-10)


def test_two_data_sets_compile_the_same_code():
    first, second = _conditioned(1), _conditioned(2)
    assert _compiled_ops(first) != _compiled_ops(second)  # the problem this solves
    lifted = _compiled_ops(constants_as_inputs(first))
    assert lifted == _compiled_ops(constants_as_inputs(second))
    # the rotated block's prior factor is still known triangular: no Cholesky per gradient
    assert not any("Cholesky" in op for op in lifted)
