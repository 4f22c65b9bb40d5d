"""The package type-checks: ``mypy causalbayes`` under the configuration in pyproject.toml.

Third-party libraries without type information are ``Any``; modules listed in the
``[[tool.mypy.overrides]]`` ratchet are not checked yet (see the comment there).  mypy
runs in a subprocess started right after collection (``tests/conftest.py``), beside the
rest of the suite, and under pytest-xdist when this test starts; this test waits for it.
"""

from __future__ import annotations

import subprocess

import pytest

TIMEOUT_S = 900


def test_package_type_checks(mypy_run):
    if mypy_run is None:
        pytest.skip("mypy is not installed (pip install -e '.[test]')")
    try:
        output, _ = mypy_run.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        mypy_run.kill()
        raise
    assert mypy_run.returncode == 0, output
