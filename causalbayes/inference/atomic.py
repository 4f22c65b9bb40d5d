"""All-or-nothing replacement of a folder, safe against a kill at any instant.

A save never writes into the folder a reader may be reading.  It writes every file
into a fresh hidden sibling and swaps it in by renames:

1. write ``.NAME.cb-new-TOKEN`` completely (files and folder fsynced);
2. rename the old ``NAME`` (if any) to ``.NAME.cb-old-TOKEN``;
3. rename ``.NAME.cb-new-TOKEN`` to ``NAME``;
4. remove ``.NAME.cb-old-TOKEN``.

Renames within one folder are atomic on POSIX, so at every instant ``NAME`` is
the complete old folder, the complete new one, or (between 2 and 3) absent with
the complete old folder under its backup name.  :func:`recover` settles what a
killed save left behind, always the same way: when ``NAME`` is absent the newest
backup is put back; every other leftover is removed.  Saves run it first; loads
run it when they see leftovers.

Saves and loads of folders with the same parent hold a lock on that parent
(``flock`` of the parent folder: nothing is written for it, and the kernel drops
it when a process dies), exclusive for saves and recoveries, shared for loads.
So a load never reads a folder halfway through a swap, and a recovery never
removes the folder a running save is writing.  Where ``flock`` is missing
(Windows) or refused (some network file systems) there is no lock: concurrent
saves of one folder are then unsupported.

This module imports only the standard library (a killed-save test runs it in a
bare subprocess).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks on folders
    fcntl = None

NEW, OLD = "new", "old"


def _checkpoint(step: str) -> None:
    """Called before every step that changes the disk; tests replace it to kill a save there."""


# -- names of temporary folders ------------------------------------------------
def _stem(folder: Path) -> str:
    # a long name would overflow NAME_MAX once prefixed and suffixed: use its digest
    name = folder.name
    if len(name.encode()) > 150:
        name = hashlib.sha256(name.encode()).hexdigest()[:24]
    return f".{name}.cb-"


def _temporary_name(folder: Path, kind: str) -> Path:
    # the time first: names sort by creation, so "the newest backup" is well defined
    token = f"{time.time_ns():020d}-{os.getpid()}"
    return folder.parent / f"{_stem(folder)}{kind}-{token}"


def leftovers(folder: Path, kind: str | None = None) -> list[Path]:
    """Temporary siblings of ``folder`` left by saves (``kind``: ``"new"``, ``"old"`` or both), sorted.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     leftovers(Path(d) / "fit")
    []
    """
    kinds = (kind,) if kind else (NEW, OLD)
    prefixes = tuple(f"{_stem(folder)}{k}-" for k in kinds)
    try:
        names = os.listdir(folder.parent)
    except OSError:  # no parent, or one we may not list: nothing of ours can be there
        return []
    return sorted(folder.parent / n for n in names if n.startswith(prefixes))


# -- locking -------------------------------------------------------------------
@contextmanager
def locked(parent: Path, *, exclusive: bool) -> Iterator[None]:
    """Hold a lock on the folder ``parent`` (exclusive, or shared with other readers)."""
    fd = None
    if fcntl is not None:
        try:
            fd = os.open(parent, os.O_RDONLY)
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        except OSError:  # unreadable parent, or a file system without flock: go on unlocked
            if fd is not None:
                os.close(fd)
            fd = None
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)  # closing releases the lock


# -- recovery --------------------------------------------------------------------
def recover(folder: Path) -> None:
    """Settle what a killed save left beside ``folder`` (call it holding the exclusive lock).

    ``folder`` absent and a backup present: the save died between its two renames,
    so the newest backup (the last complete folder) is put back.  Every other
    leftover (half-written new folders, backups of completed swaps) is removed.
    """
    backups = leftovers(folder, OLD)
    if backups and not os.path.lexists(folder):
        _checkpoint("restore backup")
        os.rename(backups.pop(), folder)
    for path in [*leftovers(folder, NEW), *backups]:
        _checkpoint("remove leftover")
        _remove(path)


def locate(folder: Path) -> Path:
    """Where the complete folder is: ``folder``, or its newest backup when a save died mid-swap."""
    if os.path.lexists(folder):
        return folder
    backups = leftovers(folder, OLD)
    return backups[-1] if backups else folder


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


# -- replacing -------------------------------------------------------------------
def replace_folder(
    folder: Path,
    files: Mapping[str, Callable[[Path], None]],
    *,
    check: Callable[[], None] = lambda: None,
) -> None:
    """Make ``folder`` hold exactly the new ``files`` (plus any other entries it had), all at once.

    Parameters
    ----------
    folder : Path
        The folder to create or replace; its parent must exist.  A symbolic
        link is not followed (resolve it first).
    files : dict of str -> callable
        File name -> ``write(path)``, called in order inside the new folder.
    check : callable
        Called once the lock is held and leftovers are settled, before anything
        is written (e.g. to refuse a non-empty folder); its exceptions propagate.

    Entries of the old folder that are not in ``files`` are carried into the new
    one (hard links where possible, else copies), so they survive the swap.
    If anything fails the old folder stays as it was and the new one is removed;
    if the process is killed, the next :func:`recover` settles it.
    """
    with locked(folder.parent, exclusive=True):
        recover(folder)
        check()
        _checkpoint("create new folder")
        new = _temporary_name(folder, NEW)
        os.mkdir(new)  # not mkdtemp: the folder gets the usual permissions (umask)
        try:
            for name, write in files.items():
                _checkpoint(f"write {name}")
                write(new / name)
            if os.path.isdir(folder):
                _carry_over(folder, new, skip=files)
            _checkpoint("sync new folder")
            _sync_tree(new)
            _swap(folder, new)
        except BaseException:
            with suppress(Exception):
                _checkpoint("discard new folder")
                _remove(new)  # best effort: recover() removes it otherwise
            raise


def _carry_over(old: Path, new: Path, *, skip: Collection[str]) -> None:
    """Entries of the old folder that the save does not write, linked (or copied) into the new one."""
    for entry in sorted(os.listdir(old)):
        if entry in skip:
            continue
        _checkpoint(f"carry over {entry}")
        source, target = old / entry, new / entry
        if source.is_dir() and not source.is_symlink():
            shutil.copytree(source, target, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(source, target)
    os.chmod(new, stat.S_IMODE(os.stat(old).st_mode))  # last: the old mode may forbid writing


def _link_or_copy(source: os.PathLike, target: os.PathLike) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:  # a file system without hard links, or a cross-device mount point
        shutil.copy2(source, target, follow_symlinks=False)


def _swap(folder: Path, new: Path) -> None:
    if not os.path.lexists(folder):
        _checkpoint("rename new to folder")
        os.rename(new, folder)
        _sync_dir(folder.parent)
        return
    backup = _temporary_name(folder, OLD)
    _checkpoint("rename folder to backup")
    os.rename(folder, backup)
    try:
        _checkpoint("rename new to folder")
        os.rename(new, folder)
    except BaseException:
        with suppress(Exception):
            _checkpoint("put old folder back")
            os.rename(backup, folder)  # else recover() will
        raise
    _checkpoint("sync parent")
    _sync_dir(folder.parent)
    _checkpoint("remove backup")
    with suppress(OSError):  # the new folder is in place; recover() removes a stuck backup
        shutil.rmtree(backup)


def _sync_tree(root: Path) -> None:
    """fsync every file and folder under ``root``: the swap must not reach the disk before them."""
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            if not os.path.islink(path):
                _sync_file(path)
        _sync_dir(Path(directory))


def _sync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # Windows cannot open folders; NTFS renames are journalled anyway
        return
    try:
        with suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def file_digest(path: Path) -> dict[str, int | str]:
    """``{"sha256": hex digest, "bytes": size}`` of a file, read in blocks.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (Path(d) / "a").write_bytes(b"abc")
    ...     file_digest(Path(d) / "a")["sha256"][:12]
    'ba7816bf8f01'
    """
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return {"sha256": digest.hexdigest(), "bytes": size}


__all__ = ["file_digest", "leftovers", "locate", "locked", "recover", "replace_folder"]
