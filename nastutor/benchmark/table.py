"""A loaded tabular benchmark: every architecture of a space, trained for real, looked up in microseconds.

Taught in lesson 03 (what a tabular benchmark is). NAS-Bench-101 and -201 did this for research;
ours are built by nastutor's own training code (`build_benchmark`) and ship in `data/`.
Everything read back is checked (checksums, then schema and values) before it is used.

    >>> bench = Benchmark.load("cell-mnist1d")
    >>> arch, val, test = bench.optimum()
    >>> bench.query(arch, seed=0)["val_accuracy"] > 0.9
    True
    >>> bench.regret(arch)
    0.0
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

from ..checks import InputError, check_path
from ..data import data_dir
from ..manifest import read_manifest, sha256_of
from ..spaces import Arch, SearchSpace
from ..training import TrainConfig
from .names import BENCHMARKS, hint, rebuild_for
from .protocol import space_of
from .schema import meta_problem, table_problem

__all__ = ["Benchmark", "METRICS"]

#: The final accuracies a benchmark ranks architectures by.
METRICS = ("val_accuracy", "test_accuracy")


class Benchmark:
    """A loaded tabular benchmark: for every canonical architecture and seed, the per-epoch
    training loss, validation and test accuracy and seconds, plus parameters, MACs and latency.

    Query by any architecture of the space (it is mapped to its canonical form). Load with
    `Benchmark.load(name)`; the checksum and schema are checked first. Taught in lesson 03.
    """

    def __init__(self, name: str, meta: dict[str, Any], frame: pd.DataFrame):
        self.name, self.meta = name, meta
        self.folder: Path | None = None  # where `load` found it (worker processes reload it from there)
        self.space: SearchSpace = space_of(meta)
        self.dataset: str = meta["dataset"]
        self.seeds: tuple[int, ...] = tuple(meta["seeds"])
        self.epochs: int = int(meta["training"]["epochs"])
        self.config = TrainConfig(**meta["training"])
        frame = frame.sort_values(["arch", "seed", "epoch"], kind="stable").reset_index(drop=True)
        self._frame = frame
        strings = frame["arch"].to_numpy()[:: len(self.seeds) * self.epochs]
        self.archs: tuple[Arch, ...] = tuple(self.space.parse(s) for s in strings)
        self._row = {arch: i for i, arch in enumerate(self.archs)}
        shape = (len(self.archs), len(self.seeds), self.epochs)
        self.val = frame["val_accuracy"].to_numpy(np.float64).reshape(shape)
        self.test = frame["test_accuracy"].to_numpy(np.float64).reshape(shape)
        self.train_loss = frame["train_loss"].to_numpy(np.float64).reshape(shape)
        self.epoch_seconds = frame["epoch_seconds"].to_numpy(np.float64).reshape(shape)
        self.cumulative_seconds = np.cumsum(self.epoch_seconds, axis=2)
        first = slice(None, None, len(self.seeds) * self.epochs)
        self.params = frame["params"].to_numpy(np.int64)[first]
        self.macs = frame["macs"].to_numpy(np.int64)[first]
        self.latency_ms = frame["latency_ms"].to_numpy(np.float64)[first]
        #: latency at batch 1, once the latency pass (`python -m nastutor benchmark latency`) ran; else None
        self.latency1_ms = (frame["latency1_ms"].to_numpy(np.float64)[first]
                            if "latency1_ms" in frame.columns else None)

    @classmethod
    def load(cls, name: str | os.PathLike, folder: str | os.PathLike | None = None) -> "Benchmark":
        """Load a benchmark by name from `folder`, checking checksums, then schema and values.

        The default folder holds the shipped benchmarks (`BENCHMARKS`); any folder's own builds
        are found by their names in its `MANIFEST.json`. `name` may also be the path of a table,
        as `build_benchmark` returns it. Taught in lesson 03.
        """
        name, folder = _locate(name, folder)
        table, meta_path = folder / f"{name}.csv.gz", folder / f"{name}.json"
        for path in (table, meta_path):
            if not path.exists():
                raise FileNotFoundError(f"{path} is missing. {hint(path, name, folder)}")
        manifest = read_manifest(folder)
        for path in (table, meta_path):
            expected = manifest.get(path.name)
            if expected is None:
                raise ValueError(f"{folder / 'MANIFEST.json'} has no checksum for {path.name}. "
                                 f"{hint(path, name, folder)}")
            if sha256_of(path) != expected:
                raise ValueError(f"{path} is corrupt: its sha256 does not match MANIFEST.json. "
                                 f"{hint(path, name, folder)}")
        meta = _read_meta(meta_path, name, folder)
        try:
            frame = pd.read_csv(table, compression="gzip")
        except (OSError, EOFError, ValueError) as exc:
            raise ValueError(f"{table} is not a readable gzipped CSV table ({exc}). "
                             f"{hint(table, name, folder)}") from None
        problem = table_problem(meta, frame)
        if problem:
            raise ValueError(f"{table} is malformed: {problem}. {hint(table, name, folder)}")
        bench = cls(name, meta, frame)
        bench.folder = folder
        return bench

    # -- queries ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.archs)

    def __iter__(self) -> Iterator[Arch]:
        return iter(self.archs)

    def index(self, arch: Arch) -> int:
        """Row of `arch` (any architecture of the space; equivalent ones share a row)."""
        self.space.validate(arch)
        return self._row[self.space.canonical(arch)]

    def query(self, arch: Arch, seed: int | None = None, epoch: int | None = None) -> dict[str, Any]:
        """What training `arch` gave: for one `seed` (default: the mean over seeds) after
        `epoch` epochs (default: all). `train_seconds` is the time of those epochs."""
        i = self.index(arch)
        if seed is None:
            s = slice(None)
        elif seed in self.seeds:
            s = self.seeds.index(seed)
        else:
            raise ValueError(f"seed {seed!r} is not in this benchmark; choose one of: "
                             f"{', '.join(map(str, self.seeds))} (or None for the mean)")
        e = self._epoch(epoch)
        return {"arch": self.space.to_string(self.archs[i]),
                "val_accuracy": float(np.mean(self.val[i, s, e - 1])),
                "test_accuracy": float(np.mean(self.test[i, s, e - 1])),
                "train_loss": float(np.mean(self.train_loss[i, s, e - 1])),
                "train_seconds": float(np.mean(self.cumulative_seconds[i, s, e - 1])),
                "epoch": e, "params": int(self.params[i]), "macs": int(self.macs[i]),
                "latency_ms": float(self.latency_ms[i]),
                **({} if self.latency1_ms is None else {"latency1_ms": float(self.latency1_ms[i])})}

    def _epoch(self, epoch: int | None) -> int:
        if epoch is None:
            return self.epochs
        if not isinstance(epoch, (int, np.integer)) or not 1 <= epoch <= self.epochs:
            raise ValueError(f"epoch must be an integer from 1 to {self.epochs}, got {epoch!r}")
        return int(epoch)

    def _final(self, metric: str) -> np.ndarray:
        """The mean over seeds of the final-epoch `metric`, one number per benchmark row."""
        if not isinstance(metric, str) or metric not in METRICS:
            raise InputError(f"metric must be one of: {', '.join(METRICS)}, got {metric!r}")
        return (self.val if metric == "val_accuracy" else self.test)[:, :, -1].mean(axis=1)

    def optimum(self, metric: str = "val_accuracy") -> tuple[Arch, float, float]:
        """The architecture with the highest mean (over seeds) final `metric`
        ("val_accuracy" or "test_accuracy"), with its mean validation and test accuracy."""
        i = int(np.argmax(self._final(metric)))
        return self.archs[i], float(self.val[i, :, -1].mean()), float(self.test[i, :, -1].mean())

    def truth(self, metric: str = "val_accuracy") -> pd.Series:
        """The ground truth a search is scored against: for every distinct architecture, the
        mean over the seeds of its final-epoch `metric` ("val_accuracy" or "test_accuracy"),
        indexed by the architecture's string form, in benchmark row order. Taught in lesson 04.

            >>> bench = Benchmark.load("mlp-mnist1d")
            >>> bench.truth().idxmax() == bench.space.to_string(bench.optimum()[0])
            True
        """
        return pd.Series(self._final(metric), index=pd.Index([self.space.to_string(a) for a in self.archs],
                                                              name="arch"), name=metric)

    def regret(self, arch: Arch | str, metric: str = "val_accuracy") -> float:
        """How far `arch` (an architecture of the space or its string form; an equivalent one
        counts as its canonical form, as in `query`) falls short of the best: the highest mean
        final `metric` of the benchmark minus that of `arch`, >= 0, and 0 for an optimum.
        Taught in lesson 04.

            >>> bench = Benchmark.load("mlp-mnist1d")
            >>> bench.regret(bench.optimum()[0]), bench.regret("16tanh") > 0
            (0.0, True)
        """
        final = self._final(metric)
        if isinstance(arch, str):
            arch = self.space.parse(arch)
        return float(final.max() - final[self.index(arch)])

    def to_frame(self) -> pd.DataFrame:
        """The whole table: one row per architecture, seed and epoch."""
        return self._frame.copy()

    def final_frame(self) -> pd.DataFrame:
        """One row per architecture: final accuracies (mean and spread over seeds) and costs."""
        return pd.DataFrame({
            "arch": [self.space.to_string(a) for a in self.archs],
            "val_accuracy": self.val[:, :, -1].mean(axis=1), "val_std": self.val[:, :, -1].std(axis=1),
            "test_accuracy": self.test[:, :, -1].mean(axis=1), "test_std": self.test[:, :, -1].std(axis=1),
            "train_seconds": self.cumulative_seconds[:, :, -1].mean(axis=1),
            "params": self.params, "macs": self.macs, "latency_ms": self.latency_ms,
            **({} if self.latency1_ms is None else {"latency1_ms": self.latency1_ms})})

    def __repr__(self) -> str:
        return (f"Benchmark({self.name!r}: {len(self)} architectures x {len(self.seeds)} seeds x "
                f"{self.epochs} epochs)")


def _built_in(folder: Path) -> list[str]:
    """The benchmarks whose table and metadata both have a checksum in the folder's manifest."""
    manifest = read_manifest(folder)
    return sorted(key[: -len(".json")] for key in manifest
                  if key.endswith(".json") and key[: -len(".json")] + ".csv.gz" in manifest)


def _locate(name: object, folder: object) -> tuple[str, Path]:
    """(name, folder) of a benchmark given by name (and folder), or by the path of its table."""
    if isinstance(name, os.PathLike):
        path = Path(name).expanduser()
        if folder is not None or not path.name.endswith(".csv.gz"):
            raise InputError(f"give a benchmark's name (and folder), or the path of its table "
                             f"<name>.csv.gz alone, got {name!r} and folder {folder!r}")
        return path.name[: -len(".csv.gz")], path.parent
    if not isinstance(name, str):
        raise InputError(f"name must be a benchmark's name such as 'cell-mnist1d', got {name!r}")
    folder = data_dir() if folder is None else check_path(folder, "folder", directory=True)
    if name in BENCHMARKS:
        return name, folder
    built = _built_in(folder) if folder.is_dir() else []
    if name in built:
        return name, folder
    rebuild = rebuild_for(name, folder)
    if (folder / f"{name}.progress.json").exists() and rebuild:
        raise FileNotFoundError(f"{name} is not finished in {folder}; continue its build with `{rebuild}`")
    others = [n for n in built if n not in BENCHMARKS]
    raise ValueError(f"unknown benchmark {name!r}; choose one of: {', '.join([*BENCHMARKS, *others])}"
                     + (f" (the last {len(others)} built in {folder})" if others else ""))


def _read_meta(path: Path, name: str, folder: Path) -> dict[str, Any]:
    """A benchmark's metadata, checked."""
    try:
        meta = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not valid JSON ({exc}). {hint(path, name, folder)}") from None
    problem = meta_problem(meta, name)
    if problem:
        raise ValueError(f"{path} is malformed: {problem}. {hint(path, name, folder)}")
    return meta
