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

from causalbayes.errors import CausalBayesError, DataError
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
    """One JSON file per finished simulation, in a folder owned by one study."""

    def __init__(self, folder: Path, study: Study) -> None:
        self.folder = folder
        self.key = study.key()
        folder.mkdir(parents=True, exist_ok=True)
        marker = folder / "study.json"
        if marker.exists():
            saved = json.loads(marker.read_text())
            if saved.get("key") != self.key:
                raise DataError(
                    f"cache folder {str(folder)!r} belongs to another study (different SCM, truth, "
                    "settings or seed); pass a new folder, or delete this one to start over"
                )
        else:
            marker.write_text(json.dumps({"key": self.key, "kind": study.kind}))

    def load(self) -> dict[int, dict]:
        out = {}
        for path in sorted(self.folder.glob("sim-*.json")):
            try:
                record = json.loads(path.read_text())
            except json.JSONDecodeError:
                continue  # a write cut short by the interruption: run it again
            if record.get("version") == RECORD_VERSION:
                out[int(record["sim"])] = record
        return out

    def save(self, record: dict) -> None:
        path = self.folder / f"sim-{record['sim']:06d}.json"
        partial = path.with_suffix(".part")
        partial.write_text(json.dumps(record))
        partial.replace(path)  # atomic: a file is either whole or absent


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
