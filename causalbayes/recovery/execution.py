"""Run the simulations of a study: in this process, on local processes or on Dask.

Results are the same whatever runs them (each simulation's seeds come from the
master seed and its index).  With a cache folder every finished simulation is
written at once as JSON, so an interrupted study resumes where it stopped.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from causalbayes.errors import CausalBayesError, DataError, FileFormatError
from causalbayes.recovery.study import RECORD_VERSION, Study, run_simulation


class SimulationError(CausalBayesError, RuntimeError):
    """A simulation of a study failed; finished ones are kept in the cache."""


def run_study(
    study: Study,
    sims: int,
    *,
    workers: int | None = None,
    executor: Any = None,
    cache: str | os.PathLike | None = None,
    progressbar: bool = True,
) -> list[dict]:
    """Records of simulations ``0..sims-1``, sorted by index.

    ``executor``: any ``concurrent.futures.Executor``, or a Dask
    ``distributed.Client`` (its executor is used).  Without one, ``workers``
    local processes (default: :func:`default_workers`); ``workers=1`` runs in
    this process.
    """
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise DataError(f"workers must be a positive integer (or None: automatic), got {workers!r}")
    store = _Cache(Path(cache), study) if cache is not None else None
    records = store.load() if store else {}
    todo = [i for i in range(sims) if i not in records]
    with _progress(progressbar, sims, len(records)) as advance:
        for record in _execute(study, todo, workers, executor):
            records[record["sim"]] = record
            if store:
                store.save(record)
            advance()
    return [records[i] for i in range(sims)]


def default_workers(sims: int) -> int:
    """One process per core, but at least ``SIMS_PER_WORKER`` simulations each: a worker's
    start-up (import, compiling the simulator and the model: about 15 s) costs about as
    much as ten story-1 simulations.

    Examples
    --------
    >>> default_workers(5)
    1
    """
    return max(1, min(os.cpu_count() or 1, sims // SIMS_PER_WORKER))


SIMS_PER_WORKER = 10


def _execute(study: Study, todo: list[int], workers: int | None, executor: Any) -> Iterable[dict]:
    if not todo:
        return
    workers = workers or default_workers(len(todo))
    if executor is None and workers == 1:
        for index in todo:
            yield _run(study, index)
        return
    own = executor is None
    if own:
        # fork-server workers: forking a process that already runs JAX or numba threads can deadlock
        executor = ProcessPoolExecutor(
            max_workers=min(workers, len(todo)),
            mp_context=multiprocessing.get_context("forkserver"),
        )
    elif hasattr(executor, "get_executor"):  # a dask.distributed Client
        executor = executor.get_executor()
    elif not isinstance(executor, Executor):
        raise DataError(
            f"executor must be a concurrent.futures.Executor or a dask.distributed.Client, "
            f"got {type(executor).__name__}"
        )
    try:
        futures = {executor.submit(run_simulation, study, index): index for index in todo}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as error:
                for other in futures:
                    other.cancel()
                raise SimulationError(f"simulation {futures[future]} failed: {error}") from error
    finally:
        if own:
            executor.shutdown(wait=True, cancel_futures=True)


def _run(study: Study, index: int) -> dict:
    try:
        return run_simulation(study, index)
    except CausalBayesError:
        raise
    except Exception as error:
        raise SimulationError(f"simulation {index} failed: {error}") from error


class _Cache:
    """One JSON file per finished simulation, in a folder owned by one study.

    Nothing in the folder is trusted: a simulation file that does not hold a whole,
    well-formed record of this study (cut short, ``[]``, a field missing or of the
    wrong type, another index) is ignored, so that simulation runs again and its
    file is overwritten.  A damaged ``study.json`` cannot be repaired (it says whose
    folder this is), so it is refused with the way out.
    """

    def __init__(self, folder: Path, study: Study) -> None:
        self.folder = folder
        self.key = study.key()
        self.levels = len(study.levels)
        self.max_rank = study.thin_to
        if folder.exists() and not folder.is_dir():
            raise FileFormatError(
                f"cache {str(folder)!r} is a file, not a folder; pass a folder path as cache="
            )
        folder.mkdir(parents=True, exist_ok=True)
        marker = folder / "study.json"
        if marker.exists():
            if self._saved_key(marker) != self.key:
                raise DataError(
                    f"cache folder {str(folder)!r} belongs to another study (different SCM, truth, "
                    "settings or seed); pass a new folder, or delete this one to start over"
                )
        else:
            _write_atomically(marker, json.dumps({"key": self.key, "kind": study.kind}))

    def _saved_key(self, marker: Path) -> str:
        try:
            saved = json.loads(marker.read_text(encoding="utf-8"))
            problem = None if isinstance(saved, dict) else f"it holds a {type(saved).__name__}"
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as err:
            problem = f"it is not readable JSON: {err}"
        if problem is None and not isinstance(saved.get("key"), str):
            problem = "it has no study key"
        if problem is not None:
            raise FileFormatError(
                f"cache folder {str(self.folder)!r} has a damaged study.json ({problem}), so "
                "whose simulations it holds is unknown; delete the folder to start over, "
                "or pass a new cache folder"
            )
        return saved["key"]

    def load(self) -> dict[int, dict]:
        out = {}
        for path in sorted(self.folder.glob("sim-*.json")):
            index = _index_of(path)
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError, RecursionError):
                continue  # a write cut short, or garbage: run it again
            if index is not None and self._is_record(record, index):
                out[index] = record
        return out

    def _is_record(self, record: Any, index: int) -> bool:
        """A whole record of simulation ``index`` that the results code can read."""
        if not isinstance(record, dict) or record.get("version") != RECORD_VERSION:
            return False
        if not (_is_int(record.get("sim")) and record["sim"] == index):
            return False
        if not (_is_int(record.get("divergences")) and _is_number(record.get("seconds"))):
            return False
        if not all(_is_number(record.get(k), none=True) for k in ("rhat_max", "ess_bulk_min")):
            return False
        quantities = record.get("quantities")
        return (
            isinstance(quantities, list)
            and bool(quantities)
            and all(self._is_quantity(q) for q in quantities)
        )

    def _is_quantity(self, q: Any) -> bool:
        if not isinstance(q, dict) or not isinstance(q.get("quantity"), str):
            return False
        if q.get("kind") not in ("parameter", "query"):
            return False
        if not all(_is_number(q.get(k)) for k in ("truth", "mean", "sd")):
            return False
        if not _is_number(q.get("prior_sd"), none=True):
            return False
        rank = q.get("rank")
        if not (_is_int(rank) and 0 <= rank <= self.max_rank):
            return False
        intervals = q.get("intervals")
        return (
            isinstance(intervals, list)
            and len(intervals) == self.levels
            and all(
                isinstance(i, list) and len(i) == 2 and all(_is_number(v) for v in i)
                for i in intervals
            )
        )

    def save(self, record: dict) -> None:
        _write_atomically(self.folder / f"sim-{record['sim']:06d}.json", json.dumps(record))


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_suffix(".part")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)  # atomic: a file is either whole or absent


def _index_of(path: Path) -> int | None:
    digits = path.stem.removeprefix("sim-")
    return int(digits) if digits.isdigit() else None


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any, *, none: bool = False) -> bool:
    # NaN is a number here: json.dumps writes it for undefined summaries
    return (none and v is None) or (isinstance(v, (int, float)) and not isinstance(v, bool))


def _progress(enabled: bool, total: int, done: int):
    if not enabled:
        return nullcontext(lambda: None)
    return _RichProgress(total, done)


class _RichProgress:
    def __init__(self, total: int, done: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self._progress = Progress(
            "simulations",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=False,
        )
        self._task = self._progress.add_task("sims", total=total, completed=done)

    def __enter__(self):
        self._progress.start()
        return lambda: self._progress.advance(self._task)

    def __exit__(self, *exc) -> None:
        self._progress.stop()
