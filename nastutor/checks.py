"""Checks for values that cross a public entry point: one message that names the parameter and
what is allowed, so a learner never meets a traceback from deep inside NumPy or PyTorch.

Used by every layer (the search loop of lesson 04, the strategies of lessons 04-08, `compare`
of lesson 07, the dashboards and plots).

    >>> check_int(np.int64(3), "budget", minimum=1)
    3
    >>> check_seed(True)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ...
    nastutor.checks.InputError: seed must be a non-negative integer (a NumPy integer works too), got True
"""
from __future__ import annotations

import math
import os
import reprlib
from numbers import Integral, Real
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

__all__ = ["InputError", "check_confidence", "check_frame", "check_int", "check_number", "check_seed", "check_seeds", "check_path", "MAX_SEED"]

class InputError(TypeError, ValueError):
    """A bad value at a public entry point. Both a `TypeError` and a `ValueError`, so code that
    catches either (the command line catches `ValueError`) catches it."""


#: Seeds go to NumPy's and PyTorch's generators; both take any integer below 2**63.
MAX_SEED = 2**63 - 1


def _is_int(value: object) -> bool:
    return isinstance(value, (Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_int(value: object, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """`value` as a plain `int`, or a clear error. Booleans and floats (even 64.0) are refused:
    an integer parameter that silently accepted 64.0 could not be read back from its log."""
    bounds = (f" from {minimum} to {maximum}" if minimum is not None and maximum is not None
              else f" >= {minimum}" if minimum is not None else f" <= {maximum}" if maximum is not None else "")
    if not _is_int(value):
        raise InputError(f"{name} must be an integer{bounds}, got {value!r}")
    value = int(value)  # type: ignore[arg-type]
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise InputError(f"{name} must be an integer{bounds}, got {value!r}")
    return value


def check_number(value: object, name: str, *, minimum: float | None = None, positive: bool = False,
                 maximum: float | None = None) -> float:
    """`value` as a finite `float`, or a clear error. Booleans, NaN and infinities are refused
    (a budget of `inf` seconds never ends; a NaN compares False with everything)."""
    allowed = ("a finite number" + (" > 0" if positive else "")
               + (f" >= {minimum}" if minimum is not None else "") + (f" <= {maximum}" if maximum is not None else ""))
    if not isinstance(value, (Real, np.integer, np.floating)) or isinstance(value, (bool, np.bool_)):
        raise InputError(f"{name} must be {allowed}, got {value!r}")
    number = float(value)  # type: ignore[arg-type]
    if (not math.isfinite(number) or (positive and not number > 0)
            or (minimum is not None and number < minimum) or (maximum is not None and number > maximum)):
        raise InputError(f"{name} must be {allowed}, got {value!r}")
    return number


def check_confidence(value: object, name: str = "confidence") -> float:
    """A confidence level strictly between 0 and 1 (lesson 07's intervals), such as 0.95."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.floating)) or not 0 < value < 1:
        raise InputError(f"{name} must be a number between 0 and 1 (exclusive), such as 0.95, got {value!r}")
    return float(value)


def check_seed(value: object, name: str = "seed") -> int:
    """A seed as a plain `int` from 0 to 2**63 - 1. `None` is refused everywhere: same seed,
    same result, so every random choice needs an explicit seed."""
    if value is None:
        raise InputError(f"{name} must be a non-negative integer, got None: nastutor runs are "
                        "reproducible, so give an explicit seed such as 0")
    if not _is_int(value):
        raise InputError(f"{name} must be a non-negative integer (a NumPy integer works too), got {value!r}")
    if not 0 <= int(value) <= MAX_SEED:  # type: ignore[arg-type]
        raise InputError(f"{name} must be an integer from 0 to 2**63 - 1, got {value!r}")
    return int(value)  # type: ignore[arg-type]


def check_seeds(values: object, name: str = "seeds") -> list[int]:
    """Distinct seeds, as plain ints, at least one (`range(10)`, `np.arange(10)`, a list)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise InputError(f"{name} must be an iterable of distinct non-negative integers such as "
                        f"range(10), got {values!r}")
    seeds = [check_seed(v, f"each of {name}") for v in values]  # type: ignore[union-attr]
    if not seeds:
        raise InputError(f"{name} must name at least one seed, e.g. range(10)")
    repeated = sorted({s for s in seeds if seeds.count(s) > 1})
    if repeated:
        raise InputError(f"{name} must be distinct (a repeated seed repeats the same run and "
                         f"shrinks the confidence interval falsely); repeated: {repeated}")
    return seeds


def check_path(value: object, name: str, *, directory: bool = False) -> Path:
    """A file (or, with `directory=True`, folder) path with `~` expanded; a clear error if it is
    not a path, or if a file path names a folder."""
    if not isinstance(value, (str, os.PathLike)) or (isinstance(value, str) and not value.strip()):
        raise InputError(f"{name} must be a path (a string or pathlib.Path), got {value!r}")
    path = Path(value).expanduser()
    if not directory and path.is_dir():
        raise InputError(f"{name} {str(path)!r} is a folder; give a file path such as "
                         f"{str(path / 'search.jsonl')!r}")
    if directory and path.exists() and not path.is_dir():
        raise InputError(f"{name} {str(path)!r} is a file; give a folder")
    return path


def check_frame(frame: object, name: str, columns: Sequence[str], source: str) -> pd.DataFrame:
    """`frame` if it is a non-empty DataFrame with `columns` (made by `source`), else a clear error."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{name} must be a DataFrame from {source}, got {type(frame).__name__} {reprlib.repr(frame)}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{name} lacks the columns of {source}: {', '.join(missing)} "
                         f"(it has: {', '.join(map(str, frame.columns)) or 'none'})")
    if frame.empty:
        raise InputError(f"{name} is empty: {source} gives one row per step")
    return frame
