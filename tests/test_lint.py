"""The code base stays ruff-clean (lint and format), as CI runs only pytest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("args", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff(args):
    paths = ["causalbayes", "tests", "scripts", "docs/conf.py", "docs/_ext"]
    command = [sys.executable, "-m", "ruff", *args, *paths]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
