"""The documentation site: a strict build, and pages whose code runs as written.

- ``test_docs_build_is_strict`` runs the README's docs command into a temporary folder:
  any Sphinx warning fails (a broken internal link or anchor, a cross-reference to
  nothing, a public name without a reference entry).  It never executes a notebook
  (``-D notebook_cache_execute=0``): ``tests/test_notebooks.py``, handed out first
  (``tests/conftest.py`` orders the run), has executed each one (short chains) and stored
  the executed copy in ``docs/_ext/notebook_cache.py``'s cache; the build shows those
  outputs, and a notebook without a stored copy (its test failed, or this module runs
  alone) is shown without outputs.  A failing notebook cell fails ``test_notebooks.py``,
  not this build.
  ``test_rendered_notebooks_show_figures`` checks the stored copies made it to the site.
- ``scripts/check_getting_started.py`` follows the getting-started page word for word
  (the ``text`` block after a block is its printed output): the demo and one full MCMC
  fit, about a minute, in every run.  ``--all`` also runs the other pages' Python blocks
  (about 3 more minutes on 2 cores, beyond the suite's time budget): those tests run
  only with ``CAUSALBAYES_CHECK_PAGES=1`` (or run the script itself).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

# one worker builds the site once for all its tests; it is handed out last, after the
# notebooks (tests/conftest.py orders the run)
pytestmark = pytest.mark.xdist_group("site")

pytest.importorskip("sphinx")
pytest.importorskip("myst_nb")
pytest.importorskip("pydata_sphinx_theme")

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CHECKER = ROOT / "scripts" / "check_getting_started.py"


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


def _runnable_pages() -> list[str]:
    checker = _load("check_getting_started", CHECKER)
    return [page.relative_to(DOCS).as_posix() for page in checker.runnable_pages()]


CHECK_PAGES = pytest.mark.skipif(
    os.environ.get("CAUSALBAYES_CHECK_PAGES") != "1",
    reason="full MCMC fits and the demo, beyond the suite's budget: "
    "CAUSALBAYES_CHECK_PAGES=1, or python scripts/check_getting_started.py --all",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The strict build, once per run: (result, html folder, notebooks shown with outputs)."""
    notebook_cache = _load("notebook_cache", DOCS / "_ext" / "notebook_cache.py")
    with_outputs = [p.stem for p in notebook_cache.notebooks() if notebook_cache.stored_copy(p)]
    tmp = tmp_path_factory.mktemp("site")
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html"]
    command += ["-D", "notebook_cache_execute=0", "-d", str(tmp / "doctrees")]
    command += ["docs", str(tmp / "html")]
    result = subprocess.run(
        command, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=1800
    )
    return result, tmp / "html", with_outputs


@pytest.mark.slow
def test_docs_build_is_strict(site):
    result, html, _ = site
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-20000:]
    for page in ["index", "getting-started", "concepts", "api", "how-to/index"]:
        assert (html / f"{page}.html").is_file(), page
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert (html / "notebooks" / f"{notebook.stem}.html").is_file(), notebook.name


@pytest.mark.slow
def test_rendered_notebooks_show_figures(site):
    result, html, with_outputs = site
    if not with_outputs:
        pytest.skip("no executed notebooks stored: run tests/test_notebooks.py first")
    assert result.returncode == 0, result.stderr[-5000:]
    for stem in with_outputs:
        rendered = (html / "notebooks" / f"{stem}.html").read_text(encoding="utf-8")
        assert "<img" in rendered or "<svg" in rendered, f"{stem}: no figure shown"


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
@CHECK_PAGES
@pytest.mark.parametrize("page", _runnable_pages())
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
    assert sorted(listed) == sorted(public_refs.public_names())


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
