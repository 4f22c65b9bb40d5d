"""All-or-nothing saves (causalbayes.inference.atomic via causalbayes.inference.io): a save killed at any step
leaves the old fit or the new one, never a mix, and the next save leaves no litter.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import causalbayes as cb
from causalbayes.errors import FileFormatError
from causalbayes.inference import atomic
from causalbayes.inference.io import load_fit, save_fit


class Killed(BaseException):
    """Stands for SIGKILL: no ``except Exception`` clean-up runs."""


def _fit(fake_fit, seed: int, n: int = 40):
    """A story-1 fit with hand-made draws; each seed gives other data and draws, same structure."""
    rng = np.random.default_rng(seed)
    scm = cb.examples.coating_scm()
    data = cb.simulate(scm, n, params=cb.examples.COATING_TRUTH, random_seed=seed)
    post = {p.name: rng.normal(size=(2, 15)) for p in scm.parameters()}
    for name in post:
        if name.endswith(".sigma"):
            post[name] = np.abs(post[name]) + 0.1
    return fake_fit(scm, data, post)


@pytest.fixture
def fits(fake_fit):
    return _fit(fake_fit, 1), _fit(fake_fit, 2), _fit(fake_fit, 3)


def _same(loaded, fit) -> bool:
    if loaded.scm != fit.scm or loaded.sampler != fit.sampler:
        return False
    try:
        xr.testing.assert_identical(loaded.posterior, fit.posterior)
    except AssertionError:
        return False
    return loaded.data.reset_index(drop=True).equals(fit.data.reset_index(drop=True))


def _which(folder: Path, candidates: dict[str, object]) -> str:
    loaded = load_fit(folder)
    matches = [name for name, fit in candidates.items() if _same(loaded, fit)]
    assert len(matches) == 1, f"the loaded fit is none of {list(candidates)}: a mix"
    return matches[0]


def _entries(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir())


def _steps(monkeypatch, folder, fit) -> list[str]:
    """The steps (checkpoints) of one overwriting save, in order."""
    seen: list[str] = []
    monkeypatch.setattr(atomic, "_checkpoint", seen.append)
    save_fit(fit, folder, overwrite=True)
    monkeypatch.setattr(atomic, "_checkpoint", lambda step: None)
    return seen


def test_a_save_has_the_steps_the_design_says(fits, tmp_path, monkeypatch):
    old, new, _ = fits
    folder = save_fit(old, tmp_path / "fit")
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    steps = _steps(monkeypatch, folder, new)
    assert steps == [
        "create new folder",
        "write posterior.nc",
        "write data.nc",
        "write fit.json",
        "carry over notes.txt",
        "sync new folder",
        "rename folder to backup",
        "rename new to folder",
        "sync parent",
        "remove backup",
    ]
    assert _entries(tmp_path) == ["fit"]
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("mode", ["error", "kill"])
def test_a_save_stopped_at_any_step_leaves_the_old_or_the_new_fit(
    fits, tmp_path, monkeypatch, mode
):
    """``error``: step k raises OSError and clean-up runs; ``kill``: from step k on every
    step dies (nothing is cleaned up, as after SIGKILL)."""
    old, new, third = fits
    folder = tmp_path / "fit"
    save_fit(old, folder)
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    steps = _steps(monkeypatch, folder, new)
    outcomes = []
    for k in range(len(steps)):
        save_fit(old, folder, overwrite=True)  # start from the old fit, no leftovers
        assert _entries(tmp_path) == ["fit"]
        calls = []

        def checkpoint(step, k=k, calls=calls):
            calls.append(step)
            if len(calls) - 1 == k or (mode == "kill" and len(calls) - 1 > k):
                raise Killed(step) if mode == "kill" else OSError(f"disk full at {step}")

        monkeypatch.setattr(atomic, "_checkpoint", checkpoint)
        with pytest.raises(Killed if mode == "kill" else OSError):
            save_fit(new, folder, overwrite=True)
        monkeypatch.setattr(atomic, "_checkpoint", lambda step: None)
        assert calls[k] == steps[k]
        outcome = _which(folder, {"old": old, "new": new})  # a load settles leftovers
        committed = steps.index("rename new to folder")
        assert outcome == ("new" if k > committed else "old"), (k, steps[k])
        outcomes.append(outcome)
        assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
        assert atomic.leftovers(folder) == []  # the load recovered
        save_fit(third, folder, overwrite=True)
        assert _which(folder, {"third": third}) == "third"
        assert _entries(tmp_path) == ["fit"]
    assert outcomes.count("old") == 8 and outcomes.count("new") == 2


@pytest.mark.parametrize("settled_by", ["load", "save"])
def test_a_kill_between_the_renames_is_undone_by_the_next_load_or_save(
    fits, tmp_path, monkeypatch, settled_by
):
    old, new, third = fits
    folder = save_fit(old, tmp_path / "fit")

    def checkpoint(step):  # dies between the renames, before any clean-up
        if step in {"rename new to folder", "put old folder back", "discard new folder"}:
            raise Killed(step)

    monkeypatch.setattr(atomic, "_checkpoint", checkpoint)
    with pytest.raises(Killed):
        save_fit(new, folder, overwrite=True)
    monkeypatch.setattr(atomic, "_checkpoint", lambda step: None)
    assert not folder.exists()
    kinds = sorted(p.name.split(".cb-")[1][:3] for p in atomic.leftovers(folder))
    assert kinds == ["new", "old"]
    if settled_by == "load":
        assert _which(folder, {"old": old, "new": new}) == "old"
    else:  # the old fit is put back first, so overwrite=False refuses to replace it
        with pytest.raises(FileFormatError, match="overwrite=True"):
            save_fit(third, folder)
        assert _entries(tmp_path) == ["fit"] and _which(folder, {"old": old}) == "old"
        save_fit(third, folder, overwrite=True)
        assert _which(folder, {"third": third}) == "third"
    assert _entries(tmp_path) == ["fit"]


def test_stray_leftovers_are_removed_by_the_next_save(fits, tmp_path):
    old, new, _ = fits
    folder = save_fit(old, tmp_path / "fit")
    half = tmp_path / ".fit.cb-new-00000000000000000001-1"
    half.mkdir()
    (half / "posterior.nc").write_bytes(b"half written")
    stale = tmp_path / ".fit.cb-old-00000000000000000002-1"
    stale.mkdir()
    (tmp_path / "other").mkdir()  # not ours: left alone
    save_fit(new, folder, overwrite=True)
    assert _entries(tmp_path) == ["fit", "other"]
    assert _which(folder, {"old": old, "new": new}) == "new"


def test_a_failed_first_save_leaves_nothing(fits, tmp_path, monkeypatch):
    def checkpoint(step):
        if step == "write fit.json":
            raise OSError("disk full")

    monkeypatch.setattr(atomic, "_checkpoint", checkpoint)
    with pytest.raises(OSError, match="disk full") as info:
        save_fit(fits[0], tmp_path / "fit")
    assert any("the old fit, if any, is unchanged" in n for n in info.value.__notes__)
    assert _entries(tmp_path) == []


def test_a_file_from_another_save_is_caught_by_the_manifest(fits, tmp_path):
    """Same structure, other draws or data: only the checksums can tell."""
    first, second, _ = fits
    a, b = save_fit(first, tmp_path / "a"), save_fit(second, tmp_path / "b")
    for name in ("posterior.nc", "data.nc"):
        (a / name).write_bytes((b / name).read_bytes())
        with pytest.raises(FileFormatError, match=rf"{name} in .* is not the file this fit saved"):
            load_fit(a)
        save_fit(first, a, overwrite=True)


def test_an_edit_of_fit_json_is_caught_by_its_checksum(fits, tmp_path):
    folder = save_fit(fits[0], tmp_path / "fit")
    meta = json.loads((folder / "fit.json").read_text(encoding="utf-8"))
    meta["scm"]["nodes"]["dilution"]["link"] = "probit"  # a valid model, but not the one fitted
    (folder / "fit.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(FileFormatError, match="fit.json in .* was edited after it was saved"):
        load_fit(folder)
    # reformatting alone (indentation, spacing) is not an edit
    meta["scm"]["nodes"]["dilution"]["link"] = "logit"
    (folder / "fit.json").write_text(json.dumps(meta, indent=7), encoding="utf-8")
    assert _same(load_fit(folder), fits[0])


def test_a_fit_json_without_manifest_is_refused(fits, tmp_path):
    folder = save_fit(fits[0], tmp_path / "fit")
    meta = json.loads((folder / "fit.json").read_text(encoding="utf-8"))
    del meta["files"]
    (folder / "fit.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(FileFormatError, match="'files' must record the sha256"):
        load_fit(folder)


def test_saving_into_the_current_folder_is_refused(fits, tmp_path, monkeypatch):
    folder = save_fit(fits[0], tmp_path / "fit")
    monkeypatch.chdir(folder)
    with pytest.raises(FileFormatError, match="current folder"):
        save_fit(fits[1], ".", overwrite=True)
    assert _same(load_fit(folder), fits[0])


def test_a_symlinked_folder_is_replaced_at_its_target(fits, tmp_path):
    target = save_fit(fits[0], tmp_path / "real")
    link = tmp_path / "link"
    link.symlink_to(target, target_is_directory=True)
    save_fit(fits[1], link, overwrite=True)
    assert link.is_symlink() and _same(load_fit(target), fits[1])
    assert _entries(tmp_path) == ["link", "real"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL (POSIX)")
def test_saves_killed_by_sigkill_at_random_instants(fits, tmp_path):
    """A forked child overwrites the fit again and again (old, new, old, ...) and is killed
    at a random instant (seeded); each time the folder loads as exactly one of the two."""
    old, new, third = fits
    folder = save_fit(old, tmp_path / "fit")
    start = time.perf_counter()
    save_fit(new, folder, overwrite=True)
    one_save = time.perf_counter() - start
    rng = np.random.default_rng(20261122)
    outcomes, interrupted = [], 0
    for _ in range(20):
        ready_r, ready_w = os.pipe()
        # Python >= 3.12 warns about forking with threads, and so does JAX once an earlier
        # test on this worker imported it; the child only saves, then dies
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.filterwarnings("ignore", r"os\.fork\(\) was called", RuntimeWarning)
            pid = os.fork()
        if pid == 0:  # child: never returns into pytest
            try:
                os.close(ready_r)
                os.write(ready_w, b"1")
                while True:
                    save_fit(old, folder, overwrite=True)
                    save_fit(new, folder, overwrite=True)
            finally:
                os._exit(0)
        os.close(ready_w)
        os.read(ready_r, 1)
        os.close(ready_r)
        time.sleep(rng.uniform(0, 3 * one_save))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status), "the child stopped by itself: the kill tested nothing"
        interrupted += bool(atomic.leftovers(folder))
        outcomes.append(_which(folder, {"old": old, "new": new}))
        assert atomic.leftovers(folder) == []
    save_fit(third, folder, overwrite=True)
    assert _which(folder, {"third": third}) == "third"
    assert _entries(tmp_path) == ["fit"]
    assert interrupted >= 5, f"only {interrupted} of 20 kills landed inside a save"
    print(
        f"SIGKILL: {interrupted}/20 kills inside a save; loads gave old {outcomes.count('old')},"
        f" new {outcomes.count('new')}",
        file=sys.stderr,
    )
