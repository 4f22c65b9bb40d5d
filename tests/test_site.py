"""The documentation site: a strict build, and pages whose code runs as written.

- ``test_docs_build_is_strict`` runs the README's docs command into a temporary folder:
  any Sphinx warning fails (a broken internal link or anchor, a cross-reference to
  nothing, a public name without a reference entry, a notebook cell that fails).
  Notebook outputs come from ``docs/_ext/notebook_cache.py``: this module sorts after
  ``test_notebooks.py``, which has executed and stored them in the same run, so the
  notebooks are not executed twice (run alone, the build executes them itself).
- ``scripts/check_getting_started.py`` follows the getting-started page word for word;
  the other pages' Python blocks run the same way (the ``text`` block after a block is
  its printed output).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("myst_nb")
pytest.importorskip("pydata_sphinx_theme")

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CHECKER = ROOT / "scripts" / "check_getting_started.py"
#: Pages besides getting-started whose ``python`` blocks are run (``{code-block} python``
#: blocks are shown, not run: they need data or a cluster the check does not have).
RUNNABLE_PAGES = sorted(
    page.relative_to(DOCS).as_posix()
    for page in [DOCS / "concepts.md", *(DOCS / "how-to").glob("*.md")]
    if "```python" in page.read_text(encoding="utf-8")
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_docs_build_is_strict(tmp_path):
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html"]
    command += ["-d", str(tmp_path / "doctrees"), "docs", str(tmp_path / "html")]
    result = subprocess.run(
        command, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=3600
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-20000:]
    html = tmp_path / "html"
    for page in ["index", "getting-started", "concepts", "api", "how-to/index"]:
        assert (html / f"{page}.html").is_file(), page
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        rendered = (html / "notebooks" / f"{notebook.stem}.html").read_text(encoding="utf-8")
        assert "<img" in rendered or "<svg" in rendered, f"{notebook.name}: no figure shown"


@pytest.mark.slow
def test_getting_started_word_for_word():
    result = subprocess.run(
        [sys.executable, str(CHECKER)],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]


@pytest.mark.slow
@pytest.mark.parametrize("page", RUNNABLE_PAGES)
def test_page_code_runs_as_written(page):
    result = subprocess.run(
        [sys.executable, str(CHECKER), "--page", str(DOCS / page)],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]


# -- fast: what the slow checks rely on ------------------------------------------------
def test_api_page_lists_exactly_the_public_names():
    public_refs = _load("public_refs", DOCS / "_ext" / "public_refs.py")
    listed = public_refs.documented_names(DOCS / "api.md")
    assert sorted(listed) == sorted(public_refs.public_names() | public_refs.errors_only())


def test_checker_compares_words_exactly_and_numbers_loosely():
    checker = _load("check_getting_started", CHECKER)
    shown = "Effect(ATE = -0.431, 94% HDI [-0.4552, -0.4054])"
    assert checker.same_output("Effect(ATE = -0.432, 94% HDI [-0.4550, -0.4060])", shown) is None
    assert checker.same_output("Effect(ATE = -0.531, 94% HDI [-0.4552, -0.4054])", shown)
    assert checker.same_output("Effect(ATT = -0.431, 94% HDI [-0.4552, -0.4054])", shown)
    assert checker.same_output(shown + " extra", shown)


def test_checker_reads_blocks_and_their_outputs(tmp_path):
    checker = _load("check_getting_started", CHECKER)
    page = tmp_path / "page.md"
    page.write_text(
        "```bash\necho hi\n```\n\n```python\nprint(1)\n```\n\n```text\n1\n```\n\n"
        "```{code-block} python\nnot run\n```\n\n```python\nx = 2\n```\n"
    )
    blocks = checker.blocks(page)
    assert [(b.lang, b.code, b.expected) for b in blocks] == [
        ("bash", "echo hi\n", None),
        ("python", "print(1)\n", "1\n"),
        ("python", "x = 2\n", None),
    ]
