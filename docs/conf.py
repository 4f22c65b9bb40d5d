"""Sphinx configuration of the causalbayes site.

Build (strict, as CI does):  python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))  # notebook_cache, public_refs

import causalbayes  # noqa: E402  (the package whose public names the reference documents)

project = "causalbayes"
author = "the causalbayes developers"
copyright = "2026, the causalbayes developers"
release = version = causalbayes.__version__

extensions = [
    "myst_nb",  # Markdown pages (MyST) and notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",  # the docstrings are numpydoc
    "sphinx_copybutton",
    "notebook_cache",  # docs/_ext: executed copies of notebooks/ into docs/notebooks/
    "public_refs",  # docs/_ext: the reference covers causalbayes.__all__; links by public name
]

exclude_patterns = ["_build", "_ext", "_templates", "**.ipynb_checkpoints"]
templates_path = ["_templates"]

# -- Strictness: with -W every warning fails the build -------------------------------------
nitpicky = True  # a cross-reference that resolves nowhere is a warning
# Types named in signatures and numpydoc "Parameters" of other libraries: there is no
# network at build time to fetch their inventories (intersphinx), so they stay plain text.
nitpick_ignore_regex = [
    (
        "py:.*",
        r"(numpy|np|pandas|pd|xarray|xr|arviz|az|pymc|pm|pytensor|matplotlib|"
        r"networkx|nx|graphviz|scipy|concurrent|distributed|dask|collections|typing|abc)\b.*",
    ),
]

# -- MyST and notebooks ------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3  # [text](page.md#a-heading) links
# Never execute here: notebook_cache put executed copies (outputs included) in
# docs/notebooks/, executing only what tests/test_notebooks.py had not already run.
nb_execution_mode = "off"
nb_execution_raise_on_error = True
nb_merge_streams = True  # one block per cell for PyMC's messages, not one per line

# -- API reference -------------------------------------------------------------------------
autosummary_generate = True
# Names that differ only in case (cb.ATE the query, cb.ate its function) would share one
# file on a case-insensitive file system (macOS, Windows): the classes get their own.
_lowered = [name.lower() for name in causalbayes.__all__]
autosummary_filename_map = {
    f"causalbayes.{name}": f"causalbayes.{name}-class"
    for name in causalbayes.__all__
    if _lowered.count(name.lower()) > 1 and not name.islower()
}
# A module page (causalbayes.sensitivity) leaves out the names with a top-level page of their
# own, so no object is described twice (_templates/autosummary/module.rst).
autosummary_context = {"top_level": sorted(causalbayes.__all__)}
autodoc_typehints = "none"  # types are in the numpydoc "Parameters" sections
autodoc_member_order = "bysource"
numpydoc_show_class_members = False  # autodoc's :members: lists them (see _templates)
numpydoc_validation_checks: set[str] = set()

# -- HTML ----------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"causalbayes {version}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {  # pages without sub-pages: no empty left column
    page: [] for page in ["index", "getting-started", "concepts", "api"]
}
html_static_path: list[str] = []
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
