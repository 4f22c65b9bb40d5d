"""Argument checks shared by the experiments core.

Each helper names the argument, shows the bad value and says how to fix it,
raising the package's typed errors (all subclass ``ValueError``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from causalbayes.errors import ArgumentError, DataError, QueryError


def rng_from(random_seed) -> np.random.Generator:
    """A numpy Generator from a whole number >= 0, a Generator or a SeedSequence.

    ``None`` is refused: every result here must be reproducible.

    Examples
    --------
    >>> rng_from(3).integers(10)
    np.int64(8)
    """
    if isinstance(random_seed, np.random.Generator):
        return random_seed
    if isinstance(random_seed, np.random.SeedSequence):
        return np.random.default_rng(random_seed)
    if isinstance(random_seed, bool) or not isinstance(random_seed, int | np.integer):
        raise ArgumentError(
            f"random_seed must be a whole number >= 0 or a numpy Generator, got {random_seed!r}; "
            "pass e.g. random_seed=1 so the result can be reproduced"
        )
    if random_seed < 0:
        raise ArgumentError(f"random_seed must be >= 0, got {random_seed}")
    return np.random.default_rng(int(random_seed))


def counts(name: str, values, *, allow_zero: bool = True) -> np.ndarray:
    """A 1-d array of whole numbers >= 0 (> 0 when ``allow_zero`` is False).

    Examples
    --------
    >>> counts("visitors", [1000, 1000.0]).tolist()
    [1000, 1000]
    """
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise DataError(f"{name} must be a non-empty 1-d list of counts, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)) or np.any(arr < 0):
        raise DataError(f"{name} must hold whole numbers >= 0, got {arr.tolist()}")
    if not allow_zero and np.any(arr == 0):
        raise DataError(f"{name} must be > 0 in every arm, got {arr.tolist()}")
    return arr.astype(np.int64)


def positive(name: str, value, *, strict: bool = True) -> float:
    """A finite float > 0 (>= 0 when ``strict`` is False).

    Examples
    --------
    >>> positive("weight", 100)
    100.0
    """
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ArgumentError(f"{name} must be a number, got {value!r}") from None
    if not np.isfinite(x) or x < 0 or (strict and x == 0):
        bound = "> 0" if strict else ">= 0"
        raise ArgumentError(f"{name} must be a finite number {bound}, got {value!r}")
    return x


def probability(name: str, value, *, open_interval: bool = True) -> float:
    """A float in (0, 1) (or [0, 1] when ``open_interval`` is False).

    Examples
    --------
    >>> probability("hdi_prob", 0.94)
    0.94
    """
    x = positive(name, value, strict=False)
    if (open_interval and not 0 < x < 1) or x > 1:
        where = "strictly between 0 and 1" if open_interval else "between 0 and 1"
        raise ArgumentError(f"{name} must be {where}, got {value!r}")
    return x


def whole(name: str, value, *, minimum: int = 1) -> int:
    """A whole number >= ``minimum``.

    Examples
    --------
    >>> whole("sims", 200.0)
    200
    """
    if isinstance(value, bool):
        raise ArgumentError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ArgumentError(f"{name} must be a whole number >= {minimum}, got {value!r}") from None
    if not np.isfinite(x) or x != round(x) or x < minimum:
        raise ArgumentError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(x)


def arm_labels(arms: Sequence | None, k: int) -> tuple[str, ...]:
    """Arm names as strings: ``arms`` if given (unique, ``k`` of them), else A, B, C, ...

    Examples
    --------
    >>> arm_labels(None, 3)
    ('A', 'B', 'C')
    """
    if arms is None:
        letters = [chr(ord("A") + i) for i in range(min(k, 26))]
        return tuple(letters if k <= 26 else [f"arm{i}" for i in range(k)])
    labels = tuple(str(a) for a in arms)
    if len(labels) != k:
        raise DataError(f"arms has {len(labels)} names for {k} arms: {list(labels)}; give {k}")
    if len(set(labels)) != k:
        raise DataError(f"arms must be unique, got {list(labels)}")
    return labels


def draws_matrix(name: str, draws, *, min_columns: int = 1) -> np.ndarray:
    """A finite float array shaped (draws, columns) with at least 2 draws.

    Examples
    --------
    >>> draws_matrix("draws", np.zeros((4, 2))).shape
    (4, 2)
    """
    arr = np.asarray(draws, dtype=float)
    if arr.ndim != 2 or arr.shape[0] < 2 or arr.shape[1] < min_columns:
        raise DataError(
            f"{name} must be a 2-d array shaped (draws, columns) with >= 2 draws and "
            f">= {min_columns} columns, got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise DataError(f"{name} holds {int(np.sum(~np.isfinite(arr)))} non-finite values")
    return arr


def arm_index(arms: tuple[str, ...], arm, argument: str) -> int:
    """Position of ``arm`` (a name or an integer position) among ``arms``.

    Examples
    --------
    >>> arm_index(("A", "B"), "B", "reference")
    1
    """
    if isinstance(arm, int | np.integer) and not isinstance(arm, bool):
        if not 0 <= arm < len(arms):
            raise QueryError(f"{argument}={arm} is out of range for {len(arms)} arms")
        return int(arm)
    if str(arm) not in arms:
        raise QueryError(f"{argument}={arm!r} is not an arm; the arms are {list(arms)}")
    return arms.index(str(arm))
