"""The checks of what a benchmark build reads back: progress rows, metadata and tables.

Taught in lesson 03 (a benchmark is only as good as its numbers). Each check returns what is
wrong, in words, or "" if nothing is; the callers add the file, the line and the fix.

    >>> meta_problem({"name": "x"}, "x")[:22]
    'it is missing the keys'
"""
from __future__ import annotations

import math
from numbers import Integral
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..checks import InputError, check_seeds
from ..data import DATASETS
from ..spaces import SPACES
from ..training import TrainConfig
from .protocol import space_of

__all__ = ["COLUMNS", "OPTIONAL_COLUMNS", "META_KEYS", "ROW_KEYS", "CURVES", "row_problem", "meta_problem", "table_problem",
           "values_problem"]

#: The columns of a benchmark's table (`<name>.csv.gz`): one row per architecture, seed and epoch.
COLUMNS = ["arch", "seed", "epoch", "train_loss", "val_accuracy", "test_accuracy", "epoch_seconds",
           "params", "macs", "latency_ms"]
#: A column that the latency pass (`nastutor.benchmark.latency`) adds: latency at batch 1.
OPTIONAL_COLUMNS = ["latency1_ms"]
#: What a benchmark's metadata (`<name>.json`) must hold.
META_KEYS = ("name", "space", "space_params", "dataset", "seeds", "training", "rows", "architectures",
             "cpu_seconds", "machine", "versions", "failed_runs")
#: What each line of a progress file (`<name>.progress.jsonl`) must hold.
ROW_KEYS = ("arch", "seed", "failed", "params", "train_loss", "val_accuracy", "test_accuracy",
            "epoch_seconds", "cpu_seconds")
#: The per-epoch lists of a progress row.
CURVES = ("train_loss", "val_accuracy", "test_accuracy", "epoch_seconds")


def _is_int(value: object) -> bool:
    return isinstance(value, (Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_count(value: object) -> bool:
    return _is_int(value) and value >= 0  # type: ignore[operator]


def _within(values: Sequence[object], low: float, high: float = math.inf) -> bool:
    """Whether every value is a finite number from `low` to `high`."""
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
               and low <= v <= high for v in values)


def row_problem(row: object, protocol: dict[str, Any], archs: set[str]) -> str:
    """What is wrong with one progress row, or "" if nothing is."""
    if not isinstance(row, dict):
        return "it is not a JSON object"
    missing = [key for key in ROW_KEYS if key not in row]
    if missing:
        return f"it lacks {', '.join(missing)}"
    if row["arch"] not in archs:
        return f"arch {row['arch']!r} is not a distinct architecture of this space"
    if not _is_int(row["seed"]) or row["seed"] not in protocol["seeds"]:
        return f"seed {row['seed']!r} is not one of the build's seeds {protocol['seeds']}"
    if not isinstance(row["failed"], bool):
        return f"failed must be true or false, got {row['failed']!r}"
    lengths = {len(row[key]) if isinstance(row[key], list) else -1 for key in CURVES}
    epochs, length = protocol["training"]["epochs"], max(lengths)
    if len(lengths) != 1 or length < 0:
        return f"its per-epoch lists ({', '.join(CURVES)}) hold different numbers of epochs"
    if length != epochs and not (row["failed"] and length < epochs):
        return f"it has {length} epochs, the protocol trains {epochs}"
    bounds = {"train_loss": (-math.inf, math.inf), "val_accuracy": (0, 1), "test_accuracy": (0, 1),
              "epoch_seconds": (0, math.inf)}
    for key, (low, high) in bounds.items():
        if not _within(row[key], low, high):
            return f"{key} holds values that are not finite numbers from {low} to {high}"
    if not _within([row["cpu_seconds"]], 0):
        return f"cpu_seconds must be a finite number >= 0, got {row['cpu_seconds']!r}"
    measured = row["seed"] == protocol["seeds"][0]  # the first seed's runs measure the costs
    for key in ("params", "macs"):
        if (key == "params" or measured or key in row) and not _is_count(row.get(key)):
            return f"{key} must be a non-negative integer, got {row.get(key)!r}"
    if (measured or "latency_ms" in row) and not _within([row.get("latency_ms")], 0):
        return f"latency_ms must be a finite number >= 0, got {row.get('latency_ms')!r}"
    return ""


def meta_problem(meta: object, name: str) -> str:
    """What is wrong with a benchmark's metadata, or "" if nothing is."""
    if not isinstance(meta, dict):
        return "it is not a JSON object"
    missing = [key for key in META_KEYS if key not in meta]
    if missing:
        return f"it is missing the keys {', '.join(missing)}"
    if meta["name"] != name:
        return f"its name is {meta['name']!r}, not {name!r}"
    if not isinstance(meta["space"], str) or meta["space"] not in SPACES:
        return (f"its space {meta['space']!r} is unknown; the spaces known are: {', '.join(SPACES)} (a space "
                "of your own is known once the module that defines it is imported)")
    if not isinstance(meta["dataset"], str) or meta["dataset"] not in DATASETS:
        return f"its dataset {meta['dataset']!r} is unknown; choose one of: {', '.join(DATASETS)}"
    try:
        check_seeds(meta["seeds"])
    except InputError as exc:
        return f"its {exc}"
    try:
        space_of(meta)
        TrainConfig(**meta["training"])
    except (TypeError, ValueError) as exc:
        return f"its space_params or training are not valid ({exc})"
    return ""


def table_problem(meta: dict[str, Any], frame: pd.DataFrame) -> str:
    """What is wrong with a benchmark's table, or "" if nothing is: the columns, then every
    value, then that the rows are exactly every architecture x seed x epoch once."""
    if list(frame.columns) not in (COLUMNS, COLUMNS + OPTIONAL_COLUMNS):
        return f"its columns are {list(frame.columns)}, expected {COLUMNS} (and optionally {OPTIONAL_COLUMNS})"
    problem = values_problem(frame)
    if problem:
        return problem
    seeds, epochs = list(meta["seeds"]), int(meta["training"]["epochs"])
    found = sorted(frame["seed"].unique().tolist())
    if found != sorted(seeds):
        return f"its seeds are {found}, the metadata's are {seeds}"
    if frame["epoch"].min() < 1 or frame["epoch"].max() > epochs:
        return f"its epochs must run from 1 to {epochs}"
    twice = frame.duplicated(["arch", "seed", "epoch"])
    if twice.any():
        arch, seed, epoch = frame.loc[twice.idxmax(), ["arch", "seed", "epoch"]]
        return f"epoch {epoch} of {arch!r} with seed {seed} appears more than once"
    counts = frame.groupby("arch").size()
    if (counts != len(seeds) * epochs).any():
        return f"some architectures lack rows (each needs {len(seeds)} seeds x {epochs} epochs)"
    space = space_of(meta)
    try:
        archs = {space.parse(s) for s in counts.index}
    except (ValueError, TypeError, AttributeError) as exc:
        return str(exc)
    if archs != set(space.unique):
        return f"it covers {len(archs)} architectures, the space has {len(space.unique)} distinct ones"
    costs = ["params", "macs", "latency_ms"] + [c for c in OPTIONAL_COLUMNS if c in frame.columns]
    varying = frame.groupby("arch")[costs].nunique().max()
    if (varying > 1).any():
        return f"{varying.idxmax()} differs between the rows of one architecture"
    return ""


def values_problem(frame: pd.DataFrame) -> str:
    """What is wrong with the table's numbers, or "": finite numbers, integers where counts
    are, accuracies in [0, 1], no negative seconds, sizes or latencies."""
    latencies = ["latency_ms"] + [c for c in OPTIONAL_COLUMNS if c in frame.columns]
    for column in COLUMNS[1:] + latencies[1:]:
        values = frame[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            return f"{column} holds non-numeric values"
        if values.isna().any():
            return f"{column} holds NaN or missing values"
        if not np.isfinite(values.to_numpy(np.float64)).all():
            return f"{column} holds infinite values"
    for column in ("seed", "epoch", "params", "macs"):
        if not pd.api.types.is_integer_dtype(frame[column]):
            return f"{column} must hold integers"
    for column in ("val_accuracy", "test_accuracy"):
        if not frame[column].between(0, 1).all():
            return f"{column} holds values outside [0, 1]"
    for column in ("seed", "epoch_seconds", "params", "macs", *latencies):
        if (frame[column] < 0).any():
            return f"{column} holds negative values"
    return ""
