"""Tabular benchmarks: every architecture of a space, trained for real, looked up in microseconds.

Taught in lesson 03 (what a tabular benchmark is and how ours was built). NAS-Bench-101 and
-201 did this for research; ours are built by nastutor's own training code and ship in `data/`.

    >>> bench = Benchmark.load("cell-mnist1d")
    >>> arch, val, test = bench.optimum()
    >>> bench.query(arch, seed=0)["val_accuracy"] > 0.9
    True

Build (resumable: kill it at any moment and run it again):

    python -m nastutor benchmark build --space cell --dataset mnist1d --seeds 0 1 2 --workers 2
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from tqdm.auto import tqdm

from .data import _read_manifest, _write_manifest, data_dir, load_dataset, sha256_of
from .evaluators import default_config
from .spaces import SPACES, Arch, SearchSpace
from .training import TrainConfig, count_parameters, train

__all__ = ["Benchmark", "build_benchmark", "count_macs", "measure_latency", "BENCHMARKS"]

#: The benchmarks nastutor ships, by name.
BENCHMARKS = ("cell-mnist1d", "mlp-mnist1d")
COLUMNS = ["arch", "seed", "epoch", "train_loss", "val_accuracy", "test_accuracy", "epoch_seconds",
           "params", "macs", "latency_ms"]


# -- measurements ------------------------------------------------------------------------

def count_macs(model: nn.Module, num_features: int) -> int:
    """Multiply-accumulates of one forward pass of one input, counted over the convolutions
    and linear layers (the rest is negligible). Taught in the lesson on hardware-aware NAS."""
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        if isinstance(module, nn.Conv1d):
            total += output.numel() * module.in_channels // module.groups * module.kernel_size[0]
        elif isinstance(module, nn.Linear):
            total += output.numel() * module.in_features

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv1d, nn.Linear))]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, num_features))
    model.train(was_training)
    for h in handles:
        h.remove()
    return int(total)


def measure_latency(model: nn.Module, num_features: int, batch: int = 256, repeats: int = 15) -> float:
    """Median milliseconds of one forward pass of a batch of `batch` inputs, on one CPU thread."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    model.eval()
    x = torch.randn(batch, num_features, generator=torch.Generator().manual_seed(0))
    times = []
    try:
        with torch.no_grad():
            for i in range(repeats + 3):
                start = time.perf_counter()
                model(x)
                if i >= 3:  # the first passes warm caches up
                    times.append(time.perf_counter() - start)
    finally:
        torch.set_num_threads(before)
    return 1000 * statistics.median(times)


# -- building ----------------------------------------------------------------------------

def _protocol(space: SearchSpace, dataset: str, seeds: Sequence[int], config: TrainConfig) -> dict[str, Any]:
    params = {"mlp": lambda s: {"widths": list(s.widths), "activations": list(s.activations),
                                "max_depth": s.max_depth},
              "cell": lambda s: {"channels": s.channels, "cells": s.cells}}[space.name](space)
    return {"space": space.name, "space_params": params, "dataset": dataset, "seeds": list(seeds),
            "training": asdict(config)}


def _space_from(protocol: dict[str, Any]) -> SearchSpace:
    params = dict(protocol["space_params"])
    for key in ("widths", "activations"):
        if key in params:
            params[key] = tuple(params[key])
    return SPACES[protocol["space"]](**params)


def _train_job(protocol: dict[str, Any], arch_string: str, seed: int, measure: bool) -> dict[str, Any]:
    """Train one (architecture, seed) under the protocol; runs in a worker process."""
    space, data = _space_from(protocol), load_dataset(protocol["dataset"])
    config = TrainConfig(**protocol["training"])
    arch = space.parse(arch_string)
    cpu = time.process_time()
    result = train(lambda: space.build(arch, data.num_features, data.num_classes), data, config,
                   seed=seed, keep_model=measure)
    row: dict[str, Any] = {
        "arch": arch_string, "seed": seed, "failed": result.failed, "params": result.params,
        "train_loss": [r.train_loss for r in result.epochs],
        "val_accuracy": [r.val_accuracy for r in result.epochs],
        "test_accuracy": [r.test_accuracy for r in result.epochs],
        "epoch_seconds": [r.seconds for r in result.epochs]}
    if measure:
        row["macs"] = count_macs(result.model, data.num_features)
        row["latency_ms"] = measure_latency(result.model, data.num_features)
    row["cpu_seconds"] = time.process_time() - cpu
    return row


def _read_progress(path: Path) -> list[dict[str, Any]]:
    """Rows already trained; a last line cut short by a kill is dropped."""
    if not path.exists():
        return []
    rows, lines = [], path.read_text().splitlines(keepends=True)
    for number, line in enumerate(lines, start=1):
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            if number != len(lines):
                raise ValueError(f"{path} line {number} is corrupt; delete the file to rebuild from scratch")
            path.write_text("".join(lines[:-1]))
    return rows


def build_benchmark(space: str | SearchSpace, dataset: str = "mnist1d", seeds: Sequence[int] = (0, 1, 2),
                    workers: int = 1, folder: Path | None = None, limit: int | None = None,
                    progress: bool = True) -> Path | None:
    """Train every canonical architecture of a space for every seed, under its default
    protocol, with `workers` processes. Progress goes to `<name>.progress.jsonl`, one line per
    finished (architecture, seed), so a rerun continues where a killed one stopped. When every
    row is in, the table `<name>.csv.gz`, its metadata `<name>.json` and its data card
    `<name>.md` are written (atomically) and their checksums added to `MANIFEST.json`.

    `space` is a space's short name (its default settings) or a `SearchSpace`. `limit` stops
    after that many new rows. Returns the table's path once every row is in, else None.
    """
    from .search import make_executor  # here to avoid an import cycle

    if isinstance(space, str):
        if space not in SPACES:
            raise ValueError(f"unknown space {space!r}; choose one of: {', '.join(SPACES)}")
        space = SPACES[space]()
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct integers, got {list(seeds)!r}")
    load_dataset(dataset)
    folder = Path(folder) if folder is not None else data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{space.name}-{dataset}"
    protocol = _protocol(space, dataset, seeds, _full_protocol(space))
    meta_path = folder / f"{name}.progress.json"
    if meta_path.exists() and json.loads(meta_path.read_text()) != protocol:
        raise ValueError(f"{meta_path} holds a build under another protocol; delete "
                         f"{name}.progress.* to start afresh")
    _atomic_write(meta_path, json.dumps(protocol, indent=2))
    progress_path = folder / f"{name}.progress.jsonl"
    done = {(r["arch"], r["seed"]) for r in _read_progress(progress_path)}
    archs = [space.to_string(a) for a in space.unique]
    jobs = [(a, s) for s in seeds for a in archs if (a, s) not in done]  # seed by seed
    if limit is not None:
        jobs = jobs[:limit]
    bar = tqdm(total=len(archs) * len(seeds), initial=len(done), disable=not progress, unit="run",
               desc=f"building {name}")
    pool = make_executor(workers) if workers > 1 else None
    try:
        with open(progress_path, "a") as log:
            def record(row: dict[str, Any]) -> None:
                log.write(json.dumps(row) + "\n")
                log.flush()
                os.fsync(log.fileno())
                bar.update(1)

            if pool is None:
                for arch, seed in jobs:
                    record(_train_job(protocol, arch, seed, seed == seeds[0]))
            else:
                queue, running = iter(jobs), set()
                while True:
                    for arch, seed in queue:
                        running.add(pool.submit(_train_job, protocol, arch, seed, seed == seeds[0]))
                        if len(running) >= 2 * workers:
                            break
                    if not running:
                        break
                    finished, running = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        record(future.result())
    finally:
        bar.close()
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    rows = _read_progress(progress_path)
    if {(r["arch"], r["seed"]) for r in rows} != {(a, s) for a in archs for s in seeds}:
        return None
    return _finalize(name, protocol, rows, folder)


def _full_protocol(space: SearchSpace) -> TrainConfig:
    """The benchmark's protocol: the space's default training, never shortened by fast mode."""
    fast = os.environ.pop("NASTUTOR_FAST", None)
    try:
        return default_config(space)
    finally:
        if fast is not None:
            os.environ["NASTUTOR_FAST"] = fast


def _atomic_write(path: Path, text: str | bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(text.encode() if isinstance(text, str) else text)
    tmp.replace(path)


def _finalize(name: str, protocol: dict[str, Any], rows: list[dict[str, Any]], folder: Path) -> Path:
    measures = {r["arch"]: (r["macs"], r["latency_ms"]) for r in rows if "macs" in r}
    records = []
    for r in sorted(rows, key=lambda r: (r["arch"], r["seed"])):
        macs, latency = measures[r["arch"]]
        for e, (loss, val, test, sec) in enumerate(zip(r["train_loss"], r["val_accuracy"],
                                                       r["test_accuracy"], r["epoch_seconds"]), start=1):
            records.append((r["arch"], r["seed"], e, loss, val, test, sec, r["params"], macs, latency))
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    table = folder / f"{name}.csv.gz"
    tmp = folder / f"{name}.csv.gz.tmp"
    frame.to_csv(tmp, index=False, float_format="%.9g",
                 compression={"method": "gzip", "compresslevel": 9, "mtime": 0})
    tmp.replace(table)
    meta = dict(protocol)
    meta.update({
        "name": name, "rows": len(rows), "architectures": len(measures),
        "cpu_seconds": round(sum(r["cpu_seconds"] for r in rows), 1),
        "machine": {"platform": platform.platform(), "processor": _cpu_name(),
                    "cpu_count": os.cpu_count()},
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "numpy": np.__version__, "pandas": pd.__version__},
        "failed_runs": sum(bool(r["failed"]) for r in rows)})
    _atomic_write(folder / f"{name}.json", json.dumps(meta, indent=2) + "\n")
    _write_manifest(folder, table.name, sha256_of(table))
    _write_manifest(folder, f"{name}.json", sha256_of(folder / f"{name}.json"))
    from .datacard import write_card
    write_card(name, folder)
    return table


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# -- loading -----------------------------------------------------------------------------

class Benchmark:
    """A loaded tabular benchmark: for every canonical architecture and seed, the per-epoch
    training loss, validation and test accuracy and seconds, plus parameters, MACs and latency.

    Query by any architecture of the space (it is mapped to its canonical form). Load with
    `Benchmark.load(name)`; the checksum and schema are checked first. Taught in lesson 03.
    """

    def __init__(self, name: str, meta: dict[str, Any], frame: pd.DataFrame):
        self.name, self.meta = name, meta
        self.space: SearchSpace = _space_from(meta)
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

    @classmethod
    def load(cls, name: str, folder: str | os.PathLike | None = None) -> "Benchmark":
        """Load a shipped benchmark (see `BENCHMARKS`), checking checksum and schema."""
        if name not in BENCHMARKS:
            raise ValueError(f"unknown benchmark {name!r}; choose one of: {', '.join(BENCHMARKS)}")
        folder = Path(folder) if folder is not None else data_dir()
        table, meta_path = folder / f"{name}.csv.gz", folder / f"{name}.json"
        rebuild = _rebuild_command(name)
        for path in (table, meta_path):
            if not path.exists():
                raise FileNotFoundError(f"{path} is missing. Rebuild it with `{rebuild}`.")
        manifest = _read_manifest(folder)
        for path in (table, meta_path):
            expected = manifest.get(path.name)
            if expected is None:
                raise ValueError(f"{folder / 'MANIFEST.json'} has no checksum for {path.name}. "
                                 f"Rebuild it with `{rebuild}`.")
            if sha256_of(path) != expected:
                raise ValueError(f"{path} is corrupt: its sha256 does not match MANIFEST.json. "
                                 f"Rebuild it with `{rebuild}`.")
        meta = json.loads(meta_path.read_text())
        frame = pd.read_csv(table, compression="gzip")
        _check_schema(name, meta, frame)
        return cls(name, meta, frame)

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
                "latency_ms": float(self.latency_ms[i])}

    def _epoch(self, epoch: int | None) -> int:
        if epoch is None:
            return self.epochs
        if not isinstance(epoch, (int, np.integer)) or not 1 <= epoch <= self.epochs:
            raise ValueError(f"epoch must be an integer from 1 to {self.epochs}, got {epoch!r}")
        return int(epoch)

    def optimum(self, metric: str = "val_accuracy") -> tuple[Arch, float, float]:
        """The architecture with the highest mean (over seeds) final `metric`
        ("val_accuracy" or "test_accuracy"), with its mean validation and test accuracy."""
        table = {"val_accuracy": self.val, "test_accuracy": self.test}
        if metric not in table:
            raise ValueError(f"metric must be one of: {', '.join(table)}, got {metric!r}")
        i = int(np.argmax(table[metric][:, :, -1].mean(axis=1)))
        return self.archs[i], float(self.val[i, :, -1].mean()), float(self.test[i, :, -1].mean())

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
            "params": self.params, "macs": self.macs, "latency_ms": self.latency_ms})

    def __repr__(self) -> str:
        return (f"Benchmark({self.name!r}: {len(self)} architectures x {len(self.seeds)} seeds x "
                f"{self.epochs} epochs)")


def _rebuild_command(name: str) -> str:
    space, dataset = name.split("-", 1)
    return f"python -m nastutor benchmark build --space {space} --dataset {dataset} --seeds 0 1 2 --workers 2"


def _check_schema(name: str, meta: dict[str, Any], frame: pd.DataFrame) -> None:
    def fail(why: str) -> None:
        raise ValueError(f"benchmark {name!r} is malformed: {why}. Rebuild it with `{_rebuild_command(name)}`.")

    if list(frame.columns) != COLUMNS:
        fail(f"its columns are {list(frame.columns)}, expected {COLUMNS}")
    numeric = frame[COLUMNS[1:]]
    if not all(pd.api.types.is_numeric_dtype(t) for t in numeric.dtypes) or numeric.isna().any().any():
        fail("it has missing or non-numeric values")
    space = _space_from(meta)
    n_seeds, n_epochs = len(meta["seeds"]), int(meta["training"]["epochs"])
    counts = frame.groupby("arch").size()
    if (counts != n_seeds * n_epochs).any():
        fail(f"some architectures lack rows (each needs {n_seeds} seeds x {n_epochs} epochs)")
    try:
        archs = {space.parse(s) for s in counts.index}
    except ValueError as exc:
        fail(str(exc))
    if archs != set(space.unique):
        fail(f"it covers {len(archs)} architectures, the space has {len(space.unique)} distinct ones")
    if not frame["val_accuracy"].between(0, 1).all() or not frame["test_accuracy"].between(0, 1).all():
        fail("accuracies outside [0, 1]")
