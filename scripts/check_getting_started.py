"""Follow docs/getting-started.md word for word, as a newcomer would; fail on any hitch.

Usage:  python scripts/check_getting_started.py [--page PAGE | --all] [--install]

The test suite follows the getting-started page in every run (``tests/test_site.py``,
about a minute).  ``--all`` checks it and then every other page with ``python`` blocks
(concepts, how-to guides) the same way: about 4 minutes on 2 cores, which is why the
suite runs those only with ``CAUSALBAYES_CHECK_PAGES=1``.

What it does with the page's fenced code blocks, in order:

- ``bash`` blocks are the README's set-up commands: each must appear verbatim in
  README.md (CI runs the README's test command word for word, so page, README and CI
  cannot drift apart).  Their steps (split at ``&&``) run from the repository root, each
  once: ``bash scripts/install-system-deps.sh`` and ``causalbayes demo`` run as written;
  ``pip install ...`` only with ``--install`` (on a fresh machine; in CI the README's own
  command has just installed the package); ``python -m pytest`` never (CI runs it, and
  this script runs inside it).
- ``python`` blocks run in order, as one script, in a fresh interpreter in a new
  temporary folder (files the page writes land there).
- a ``text`` block right after a ``python`` block is what that block prints: words must
  match exactly (spacing aside) and numbers to within 2% or 0.01, whichever is larger
  (MCMC on another machine may differ in the last digits).

Any step that exits non-zero, any warning on stderr, a ``warning`` in the demo's report,
or printed output unlike the page fails the check (exit status 1).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "docs" / "getting-started.md"
FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```\s*$", re.M | re.S)
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
WARNING = re.compile(r"warning", re.I)
MARKER = "=== causalbayes-check: end of block {} ==="
TIMEOUT_S = 1800


@dataclass
class Block:
    lang: str
    code: str
    expected: str | None = None  # the text block that follows a python block


def blocks(page: Path) -> list[Block]:
    """The page's fenced blocks; a text block is attached to the python block before it."""
    found: list[Block] = []
    for match in FENCE.finditer(page.read_text(encoding="utf-8")):
        lang, code = match.group(1), match.group(2)
        if lang == "text" and found and found[-1].lang == "python":
            found[-1].expected = code
        else:
            found.append(Block(lang, code))
    return found


def same_output(actual: str, expected: str) -> str | None:
    """None when ``actual`` matches ``expected`` (words exactly, numbers within tolerance)."""
    a_tokens, e_tokens = actual.split(), expected.split()
    if [NUMBER.sub("#", t) for t in a_tokens] != [NUMBER.sub("#", t) for t in e_tokens]:
        return "the words differ"
    for a_tok, e_tok in zip(a_tokens, e_tokens, strict=True):
        for a, e in zip(NUMBER.findall(a_tok), NUMBER.findall(e_tok), strict=True):
            if abs(float(a) - float(e)) > max(0.02 * abs(float(e)), 0.01):
                return f"{a_tok!r} printed where the page shows {e_tok!r}"
    return None


def run(command: list[str], *, cwd: Path, what: str) -> subprocess.CompletedProcess:
    print(f"--- {what}", flush=True)
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S)
    sys.stdout.write(done.stdout)
    sys.stdout.write(done.stderr)
    return done


def check_shell(block: Block, *, install: bool, done_steps: set[str]) -> list[str]:
    problems = []
    command = block.code.strip()
    if command not in (REPO / "README.md").read_text(encoding="utf-8"):
        problems.append(f"not in README.md word for word: {command}")
    for step in (s.strip() for s in command.split("&&")):
        if step in done_steps:
            continue
        done_steps.add(step)
        if step.startswith("pip install") and not install:
            print(f"--- skipped (no --install): {step}")
            continue
        if step.startswith("python -m pytest"):
            print(f"--- not run here (CI runs it word for word): {step}")
            continue
        result = run(["bash", "-c", step], cwd=REPO, what=step)
        if result.returncode != 0:
            problems.append(f"{step!r} exited with status {result.returncode}")
        if WARNING.search(result.stderr) or WARNING.search(result.stdout):
            problems.append(f"{step!r} printed a warning")
    return problems


def check_python(python_blocks: list[Block], workdir: Path, name: str) -> list[str]:
    # The markers print only in the main process: worker processes started by "spawn"
    # or "forkserver" import the script again under another name.
    script = "\n".join(
        f"{block.code}\nif __name__ == '__main__':\n    print({MARKER.format(i)!r}, flush=True)\n"
        for i, block in enumerate(python_blocks)
    )
    filename = re.sub(r"\W", "_", name) + ".py"
    (workdir / filename).write_text(script, encoding="utf-8")
    result = run([sys.executable, filename], cwd=workdir, what=f"python blocks, as {filename}")
    problems = []
    if result.returncode != 0:
        problems.append(f"the page's Python exited with status {result.returncode}")
    if WARNING.search(result.stderr):
        lines = [line for line in result.stderr.splitlines() if WARNING.search(line)]
        problems.append("the page's Python printed warnings:\n  " + "\n  ".join(lines))
    outputs = result.stdout
    for i, block in enumerate(python_blocks):
        printed, _, outputs = outputs.partition(MARKER.format(i) + "\n")
        if block.expected is not None and (diff := same_output(printed, block.expected)):
            problems.append(
                f"python block {i + 1} printed something else than the page shows ({diff}):\n"
                f"{printed}"
            )
    return problems


def runnable_pages() -> list[Path]:
    """Pages besides getting-started whose ``python`` blocks run (``{code-block} python``
    blocks are shown, not run: they need data or a cluster the check does not have)."""
    docs = REPO / "docs"
    pages = [docs / "concepts.md", *sorted((docs / "how-to").glob("*.md"))]
    return [p for p in pages if "```python" in p.read_text(encoding="utf-8")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", type=Path, default=PAGE)
    parser.add_argument("--all", action="store_true", help="getting started, then every page")
    parser.add_argument("--install", action="store_true", help="also run the pip install steps")
    args = parser.parse_args(argv)
    if args.all:
        failed = [page.name for page in [PAGE, *runnable_pages()] if check_page(page, args)]
        print(f"\nFAILED pages: {failed}" if failed else "\nevery page ran as written.")
        return 1 if failed else 0
    return check_page(args.page, args)


def check_page(page: Path, args: argparse.Namespace) -> int:
    """Check one page; 0 when every step ran as written."""
    args = argparse.Namespace(**{**vars(args), "page": page})
    page_blocks = blocks(args.page)
    problems: list[str] = []
    done_steps: set[str] = set()
    for block in page_blocks:
        if block.lang in ("bash", "console", "sh"):
            problems += check_shell(block, install=args.install, done_steps=done_steps)
    python_blocks = [b for b in page_blocks if b.lang == "python"]
    if not python_blocks:
        problems.append(f"no python blocks in {args.page}")
    with tempfile.TemporaryDirectory(prefix=f"{args.page.stem}-") as tmp:
        env_note = {k: os.environ[k] for k in ("PYTHONPATH",) if k in os.environ}
        print(f"--- fresh interpreter {sys.executable} in {tmp} {env_note or ''}")
        problems += check_python(python_blocks, Path(tmp), args.page.stem)
    if problems:
        print("\nFAILED: " + "\n\nFAILED: ".join(problems))
        return 1
    print(f"\n{args.page.name}: every step ran as written, no warnings.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
