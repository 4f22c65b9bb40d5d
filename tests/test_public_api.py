"""Every exported name is documented with an example that runs (issue 13, item 5; issue 18).

The examples themselves run as doctests (``--doctest-modules`` in pyproject's addopts);
these tests check that each name in ``causalbayes.__all__`` has a numpydoc docstring with
an ``Examples`` section holding at least one example that is not skipped, and that an
example is skipped only on an MCMC call, for a name listed below with the tests that run
the same code path.  ``tests/test_site.py`` checks that the API reference page lists
exactly ``causalbayes.__all__``.
"""

from __future__ import annotations

import doctest
import inspect
import re

import pytest

import causalbayes as cb

#: Names whose examples skip a call because it runs MCMC (more than a few seconds), and
#: where the same call runs for real.
SKIPPED_MCMC = {
    "fit": "tests/inference (cb.fit with every sampler, ADVI)",
    "recover": "tests/recovery (MCMC recovery); its fitter= example runs",
    "sbc": "tests/recovery (MCMC SBC); its fitter= example runs",
}

EXAMPLES = re.compile(r"^Examples\n-{8,}\n", re.M)


def _examples(name: str) -> list[doctest.Example]:
    doc = inspect.getdoc(getattr(cb, name)) or ""
    match = EXAMPLES.search(doc)
    if match is None:
        return []
    return doctest.DocTestParser().get_examples(doc[match.end() :])


def _skipped(example: doctest.Example) -> bool:
    return bool(example.options.get(doctest.SKIP))


@pytest.mark.parametrize("name", cb.__all__)
def test_exported_name_has_a_docstring_with_a_running_example(name):
    obj = getattr(cb, name)
    assert inspect.getdoc(obj), f"cb.{name} has no docstring"
    examples = _examples(name)
    assert examples, f"cb.{name}: no Examples section with a >>> example"
    assert any(not _skipped(e) for e in examples), f"cb.{name}: every example is skipped"


@pytest.mark.parametrize("name", cb.__all__)
def test_examples_are_skipped_only_on_mcmc(name):
    skipped = [e.source.strip() for e in _examples(name) if _skipped(e)]
    if name in SKIPPED_MCMC:
        assert skipped, f"cb.{name} no longer skips an example: drop it from SKIPPED_MCMC"
    else:
        assert not skipped, f"cb.{name} skips examples that should run: {skipped}"


def test_every_exported_name_exists():
    missing = [name for name in cb.__all__ if not hasattr(cb, name)]
    assert not missing
    assert len(set(cb.__all__)) == len(cb.__all__)
