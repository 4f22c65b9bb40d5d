"""Effects never hide what makes them untrustworthy: failed diagnostics, answers fixed by form."""

from __future__ import annotations

import arviz as az
import numpy as np
import pandas as pd
import pytest

import causalbayes as cb
from causalbayes.data.encode import encode_data
from causalbayes.data.scales import scales_from_data
from causalbayes.inference.sampling import checked_variables, make_fit


@pytest.fixture
def stuck_fit():
    """A fit whose four chains sat at four different places (as a run on raw scales did)."""
    rng = np.random.default_rng(0)
    n = 200
    x = rng.normal(size=n)
    t = rng.binomial(1, 0.5, size=n)
    df = pd.DataFrame({"x": x, "t": t, "y": 1.0 + 2.0 * t + x + rng.normal(size=n)})
    scm = cb.SCM({"x": cb.Given(), "t": cb.Given(), "y": cb.Normal(["t", "x"])})
    encoded = encode_data(scm, df)
    starts = np.array([-3.0, 0.0, 2.0, 5.0])[:, None]
    posterior = {
        "y.intercept": starts + 1e-3 * rng.normal(size=(4, 100)),
        "y.t": starts + 1e-3 * rng.normal(size=(4, 100)),
        "y.x": starts + 1e-3 * rng.normal(size=(4, 100)),
        "y.sigma": np.exp(starts) + 1e-3 * rng.random(size=(4, 100)),
    }
    diverging = np.ones((4, 100), dtype=bool)
    idata = az.from_dict(posterior=posterior, sample_stats={"diverging": diverging})
    with pytest.warns(cb.DiagnosticsWarning, match="stuck"):
        fit = make_fit(
            df,
            encoded,
            scales_from_data(encoded.scm, encoded),
            idata,
            sampler="pymc",
            params=checked_variables(encoded.scm, cb.conditioned_model(scm, df)),
            warn=True,
        )
    return fit


def test_an_effect_of_a_stuck_fit_warns_and_its_summary_says_so(stuck_fit):
    with pytest.warns(cb.DiagnosticsWarning, match="stuck chains") as record:
        effect = cb.ate(stuck_fit, "t", "y")
    message = str(record[0].message)
    assert "will not help" in message and "y." in message  # names the parameters at fault
    table = effect.summary()
    assert table["warning"].str.contains("fit diagnostics failed").all()
    assert table.attrs["warnings"] == effect.warnings and effect.warnings
    assert repr(effect).startswith("UNRELIABLE")
    assert "Warning" in effect._repr_html_()


@pytest.mark.parametrize(
    "query",
    [
        lambda fit, **kw: cb.ate(fit, "t", "y", **kw),
        lambda fit, **kw: cb.att(fit, "t", "y", **kw),
        lambda fit, **kw: cb.cate(fit, "t", "y", by="t", **kw),
        lambda fit, **kw: cb.ate(fit, "t", "y", population=True, **kw),
    ],
)
def test_diagnostics_raise_refuses_every_effect_of_a_stuck_fit(stuck_fit, query):
    with pytest.raises(cb.DiagnosticsError, match="stuck chains"):
        query(stuck_fit, diagnostics="raise")


def test_diagnostics_ignore_keeps_the_record_in_the_details(stuck_fit):
    effect = cb.ate(stuck_fit, "t", "y", diagnostics="ignore")
    assert effect.details["diagnostics"]  # not warned, but not forgotten either
    with pytest.raises(cb.QueryError, match="diagnostics must be one of"):
        cb.ate(stuck_fit, "t", "y", diagnostics="loud")


def _additive_and_interacting(fake_fit, rng, interactions):
    n = 120
    df = pd.DataFrame(
        {
            "g": rng.choice(["a", "b", "c"], size=n),
            "x": rng.normal(size=n),
            "t": rng.binomial(1, 0.5, size=n),
            "y": rng.normal(size=n),
        }
    )
    scm = cb.SCM(
        {
            "g": cb.Given(),
            "x": cb.Given(),
            "t": cb.Given(),
            "y": cb.Normal(["t", "x", "g"], interactions=interactions),
        }
    )
    post = {
        "y.intercept": rng.normal(size=(2, 30)),
        "y.t": rng.normal(size=(2, 30)),
        "y.x": rng.normal(size=(2, 30)),
        "y.g": rng.normal(size=(2, 30, 2)),
        "y.sigma": np.ones((2, 30)),
    }
    dims = {"y.g": ["g_contrasts"]}
    if interactions:
        post["y.t:x"] = rng.normal(size=(2, 30))
    return fake_fit(scm, df, post, dims=dims)


def test_a_cate_constant_by_the_models_form_says_so(fake_fit, rng):
    fit = _additive_and_interacting(fake_fit, rng, ())
    with pytest.warns(cb.AssumptionWarning, match="assumption of the model's form"):
        effect = cb.cate(fit, "t", "y", by="g")
    assert effect.warnings and "interactions" in effect.warnings[0]
    assert "warning" in effect.summary()


def test_a_cate_that_varies_gives_no_such_note(fake_fit, rng):
    fit = _additive_and_interacting(fake_fit, rng, ("t:x",))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", cb.AssumptionWarning)
        effect = cb.cate(fit, "t", "y", by="x", bins=3)
    assert effect.warnings == []
    assert "warning" not in effect.summary()
