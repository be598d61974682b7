"""Tabular benchmarks: every architecture of a space, trained for real, looked up in microseconds.

Taught in lesson 03 (what a tabular benchmark is and how ours was built). NAS-Bench-101 and
-201 did this for research; ours are built by nastutor's own training code and ship in `data/`.

    >>> bench = Benchmark.load("cell-mnist1d")
    >>> arch, val, test = bench.optimum()
    >>> bench.query(arch, seed=0)["val_accuracy"] > 0.9
    True

Build (resumable: kill it at any moment and run it again; one build of a benchmark at a time):

    python -m nastutor benchmark build --space cell --dataset mnist1d --seeds 0 1 2 --workers 2

A space's default settings with seeds 0, 1, 2 build under the shipped names (`cell-mnist1d`);
any other settings build under a name with a short hash of them (`benchmark_name`), so a custom
build never overwrites a shipped benchmark. Everything read back is checked before it is used.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import shlex
import statistics
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from filelock import FileLock, Timeout
from tqdm.auto import tqdm

from .checks import InputError, _is_int, check_int, check_path, check_seeds
from .files import atomic_write, read_jsonl
from .data import (DATASETS, SHIPPED_BENCHMARKS, _read_manifest, _write_manifest,
                   data_dir, fix_hint, load_dataset, sha256_of)
from .evaluators import default_config
from .spaces import SPACES, Arch, SearchSpace
from .training import TrainConfig, train

__all__ = ["Benchmark", "build_benchmark", "benchmark_name", "rebuild_command", "count_macs", "measure_latency",
           "BENCHMARKS", "BuildLocked", "BuildInterrupted"]

#: The benchmarks nastutor ships, by name.
BENCHMARKS = SHIPPED_BENCHMARKS
#: The seeds of the shipped benchmarks.
DEFAULT_SEEDS = (0, 1, 2)
COLUMNS = ["arch", "seed", "epoch", "train_loss", "val_accuracy", "test_accuracy", "epoch_seconds",
           "params", "macs", "latency_ms"]
#: What a benchmark's metadata (`<name>.json`) must hold.
META_KEYS = ("name", "space", "space_params", "dataset", "seeds", "training", "rows", "architectures",
             "cpu_seconds", "machine", "versions", "failed_runs")
#: What each line of a progress file (`<name>.progress.jsonl`) must hold.
ROW_KEYS = ("arch", "seed", "failed", "params", "train_loss", "val_accuracy", "test_accuracy",
            "epoch_seconds", "cpu_seconds")
CURVES = ("train_loss", "val_accuracy", "test_accuracy", "epoch_seconds")


class BuildLocked(RuntimeError):
    """Another process is building the same benchmark in the same folder."""


class BuildInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a build. Every run that finished is kept in its progress file; running the
    same build again continues from there. `done` of `total` runs are finished."""

    def __init__(self, name: str, done: int, total: int, progress: Path):
        super().__init__(f"{done} of {total} runs of {name} are done (kept in {progress}); "
                         "run the same command again to continue")
        self.name, self.done, self.total, self.progress = name, done, total, progress


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


# -- names and protocols ------------------------------------------------------------------

def _space_arg(space: object) -> SearchSpace:
    """A space from its short name (default settings) or a `SearchSpace` of a known kind."""
    if isinstance(space, str):
        if space not in SPACES:
            raise InputError(f"unknown space {space!r}; choose one of: {', '.join(SPACES)}")
        return SPACES[space]()
    if not isinstance(space, SearchSpace) or type(space) is not SPACES.get(space.name):
        raise InputError(f"space must be one of: {', '.join(SPACES)} or a space such as CellSpace(), "
                         f"got {space!r}")
    return space


def _dataset_arg(dataset: object) -> str:
    if not isinstance(dataset, str) or dataset not in DATASETS:
        raise InputError(f"dataset must be one of: {', '.join(DATASETS)}, got {dataset!r}")
    return dataset


def benchmark_name(space: str | SearchSpace, dataset: str = "mnist1d",
                   seeds: Sequence[int] = DEFAULT_SEEDS) -> str:
    """The name a build is written under: `<space>-<dataset>` for a space's default settings
    and seeds 0, 1, 2 (the shipped benchmarks' names), else `<space>-<hash>-<dataset>` with a
    short hash of the settings and seeds, so a custom build never overwrites a shipped one.

    >>> benchmark_name("cell"), benchmark_name(CellSpace(channels=8))
    ('cell-mnist1d', 'cell-3575764a-mnist1d')
    """
    space, dataset, seeds = _space_arg(space), _dataset_arg(dataset), check_seeds(seeds)
    settings = {"space_params": space.config(), "seeds": seeds}
    if settings == {"space_params": type(space)().config(), "seeds": list(DEFAULT_SEEDS)}:
        return f"{space.name}-{dataset}"
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:8]
    return f"{space.name}-{digest}-{dataset}"


def _protocol(space: SearchSpace, dataset: str, seeds: Sequence[int], config: TrainConfig) -> dict[str, Any]:
    return {"space": space.name, "space_params": space.config(), "dataset": dataset, "seeds": list(seeds),
            "training": asdict(config)}


def _space_from(protocol: dict[str, Any]) -> SearchSpace:
    return SPACES[protocol["space"]](**protocol["space_params"])


def rebuild_command(protocol: dict[str, Any], folder: Path | None = None) -> str:
    """The command that builds the benchmark of `protocol` (a benchmark's metadata) into
    `folder`: the command line for a space's default settings, else a Python one-liner."""
    folder = Path(folder) if folder is not None else data_dir()
    elsewhere = folder.resolve() != data_dir().resolve()
    kind, seeds = SPACES[protocol["space"]], [int(s) for s in protocol["seeds"]]
    if protocol["space_params"] == kind().config():
        return (f"python -m nastutor benchmark build --space {protocol['space']} "
                f"--dataset {protocol['dataset']} --seeds {' '.join(map(str, seeds))} --workers 2"
                + (f" --folder {shlex.quote(str(folder))}" if elsewhere else ""))
    settings = ", ".join(f"{key}={value!r}" for key, value in protocol["space_params"].items())
    return (f'python -c "from nastutor.benchmark import build_benchmark; from nastutor.spaces import '
            f"{kind.__name__}; build_benchmark({kind.__name__}({settings}), {protocol['dataset']!r}, "
            f"seeds={seeds!r}" + (f", folder={str(folder)!r}" if elsewhere else "") + ')"')


def _rebuild_for(name: str, folder: Path) -> str | None:
    """The rebuild command of benchmark `name`, from its metadata or its build's protocol if
    either is readable, else from the name of a space's default build; None if unknown."""
    for path in (folder / f"{name}.json", folder / f"{name}.progress.json"):
        try:
            return rebuild_command(json.loads(path.read_text()), folder)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
    for space in SPACES:
        for dataset in DATASETS:
            if benchmark_name(space, dataset) == name:
                default = _protocol(SPACES[space](), dataset, DEFAULT_SEEDS, TrainConfig())
                return rebuild_command(default, folder)
    return None


def _hint(path: Path, name: str, folder: Path) -> str:
    """What to do about a missing or damaged file of benchmark `name`."""
    return fix_hint(path, _rebuild_for(name, folder))


# -- building ----------------------------------------------------------------------------

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


def _is_count(value: object) -> bool:
    return _is_int(value) and value >= 0  # type: ignore[operator]


def _within(values: Sequence[object], low: float, high: float = math.inf) -> bool:
    """Whether every value is a finite number from `low` to `high`."""
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
               and low <= v <= high for v in values)


def _row_problem(row: object, protocol: dict[str, Any], archs: set[str]) -> str:
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


def _read_progress(path: Path, protocol: dict[str, Any], archs: set[str]) -> list[dict[str, Any]]:
    """The runs already trained, each checked. A last line cut short by a kill is dropped; a
    later duplicate of an (architecture, seed) is dropped with a warning (the first is kept); a
    last line that lacks only its newline gets one. Each repair rewrites the file atomically."""
    if not path.exists():
        return []
    fix = ("Delete that line (its run is trained again when you rerun the build), or delete the "
           "file to start afresh.")
    rows, keep, seen, duplicates = [], [], set(), 0
    lines = read_jsonl(path, fix=fix)
    for number, line, row in lines:
        problem = _row_problem(row, protocol, archs)
        if problem:
            raise ValueError(f"{path} line {number}: {problem}. {fix}")
        if (row["arch"], row["seed"]) in seen:
            duplicates += 1
            continue
        seen.add((row["arch"], row["seed"]))
        rows.append(row)
        keep.append(line)
    if duplicates:
        atomic_write(path, "".join(keep))
    if duplicates:
        warnings.warn(f"{path}: dropped {duplicates} duplicate rows (an architecture and seed trained "
                      "twice, as when two builds ran at once); the first of each is kept", stacklevel=4)
    return rows


def _claim_protocol(path: Path, protocol: dict[str, Any], name: str) -> None:
    """Record the build's protocol in `<name>.progress.json`, or check that it is the same."""
    if not path.exists():
        atomic_write(path, json.dumps(protocol, indent=2))
        return
    try:
        found = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValueError(f"{path} is not valid JSON; delete it and rerun the build (the runs in "
                         f"{name}.progress.jsonl are kept and checked again)") from None
    if found != protocol:
        raise ValueError(f"{path} holds a build under another protocol; delete {name}.progress.* "
                         "to start afresh")


def build_benchmark(space: str | SearchSpace, dataset: str = "mnist1d", seeds: Sequence[int] = DEFAULT_SEEDS,
                    workers: int = 1, folder: str | os.PathLike | None = None, limit: int | None = None,
                    progress: bool = True) -> Path | None:
    """Train every canonical architecture of a space for every seed, under its default
    protocol, with `workers` processes. Progress goes to `<name>.progress.jsonl`, one line per
    finished (architecture, seed), so a rerun continues where a killed or interrupted one
    stopped. When every row is in, the table `<name>.csv.gz`, its metadata `<name>.json` and its
    data card `<name>.md` are written (atomically) and their checksums added to `MANIFEST.json`.

    `space` is a space's short name (its default settings) or a `SearchSpace`; the name is
    `benchmark_name(space, dataset, seeds)`. `folder` defaults to the shipped data folder.
    `limit` stops after that many new rows. Only one build of a benchmark runs in a folder at a
    time (`BuildLocked` otherwise); Ctrl-C raises `BuildInterrupted`, keeping every finished run.
    Returns the table's path once every row is in (`Benchmark.load` takes it), else None.
    """
    space, dataset, seeds = _space_arg(space), _dataset_arg(dataset), check_seeds(seeds)
    workers = check_int(workers, "workers", minimum=1)
    limit = None if limit is None else check_int(limit, "limit", minimum=0)
    folder = data_dir() if folder is None else check_path(folder, "folder", directory=True)
    load_dataset(dataset)
    folder.mkdir(parents=True, exist_ok=True)
    name = benchmark_name(space, dataset, seeds)
    lock = FileLock(folder / f"{name}.lock", timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise BuildLocked(f"another build of {name} is running in {folder} (it holds the lock file "
                          f"{lock.lock_file}). Wait for it to finish, or stop it, then run this build "
                          "again: it continues from the runs already done. The lock goes away by itself "
                          "when that process ends, even if it is killed.") from None
    try:
        protocol = _protocol(space, dataset, seeds, _full_protocol(space))
        return _build(name, space, protocol, folder, workers, limit, progress)
    finally:
        lock.release()


def _build(name: str, space: SearchSpace, protocol: dict[str, Any], folder: Path, workers: int,
           limit: int | None, progress: bool) -> Path | None:
    """The build itself, under its lock: train the missing runs, then write the table."""
    _claim_protocol(folder / f"{name}.progress.json", protocol, name)
    path = folder / f"{name}.progress.jsonl"
    archs = [space.to_string(a) for a in space.unique]
    seeds = protocol["seeds"]
    done = {(r["arch"], r["seed"]) for r in _read_progress(path, protocol, set(archs))}
    jobs = [(a, s) for s in seeds for a in archs if (a, s) not in done]  # seed by seed
    if limit is not None:
        jobs = jobs[:limit]
    total = len(archs) * len(seeds)
    bar = tqdm(total=total, initial=len(done), disable=not progress, unit="run", desc=f"building {name}")
    finished: list[None] = []
    try:
        _train_all(protocol, jobs, path, workers, lambda: (finished.append(None), bar.update(1)))
    except KeyboardInterrupt:
        raise BuildInterrupted(name, len(done) + len(finished), total, path) from None
    finally:
        bar.close()
    rows = _read_progress(path, protocol, set(archs))
    return _finalize(name, protocol, rows, folder) if len(rows) == total else None


def _train_all(protocol: dict[str, Any], jobs: list[tuple[str, int]], path: Path, workers: int,
               on_row: Callable[[], object]) -> None:
    """Train `jobs` with `workers` processes, appending each finished run to the progress file
    at once (flushed to disk), so a kill loses at most the runs in flight."""
    from .executors import make_executor

    measured = protocol["seeds"][0]
    pool = make_executor(workers) if workers > 1 else None
    try:
        with open(path, "a") as log:
            def record(row: dict[str, Any]) -> None:
                log.write(json.dumps(row) + "\n")
                log.flush()
                os.fsync(log.fileno())
                on_row()

            if pool is None:
                for arch, seed in jobs:
                    record(_train_job(protocol, arch, seed, seed == measured))
                return
            queue, running = iter(jobs), set()
            while True:
                for arch, seed in queue:
                    running.add(pool.submit(_train_job, protocol, arch, seed, seed == measured))
                    if len(running) >= 2 * workers:
                        break
                if not running:
                    break
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    record(future.result())
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _full_protocol(space: SearchSpace) -> TrainConfig:
    """The benchmark's protocol: the space's default training, never shortened by fast mode."""
    fast = os.environ.pop("NASTUTOR_FAST", None)
    try:
        return default_config(space)
    finally:
        if fast is not None:
            os.environ["NASTUTOR_FAST"] = fast


def _write_table(frame: pd.DataFrame, table: Path) -> None:
    """Write the table atomically. The temporary file's name is fixed (gzip records it in its
    header), so the same rows always give the same bytes and the same checksum."""
    tmp = table.with_name(table.name + ".tmp")
    try:
        frame.to_csv(tmp, index=False, float_format="%.9g",
                     compression={"method": "gzip", "compresslevel": 9, "mtime": 0})
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, table)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _finalize(name: str, protocol: dict[str, Any], rows: list[dict[str, Any]], folder: Path) -> Path:
    measures = {r["arch"]: (r["macs"], r["latency_ms"]) for r in rows if "macs" in r}
    records = []
    for r in sorted(rows, key=lambda r: (r["arch"], r["seed"])):
        macs, latency = measures[r["arch"]]
        for e, (loss, val, test, sec) in enumerate(zip(r["train_loss"], r["val_accuracy"],
                                                       r["test_accuracy"], r["epoch_seconds"]), start=1):
            records.append((r["arch"], r["seed"], e, loss, val, test, sec, r["params"], macs, latency))
    table = folder / f"{name}.csv.gz"
    _write_table(pd.DataFrame.from_records(records, columns=COLUMNS), table)
    meta = dict(protocol)
    meta.update({
        "name": name, "rows": len(rows), "architectures": len(measures),
        "cpu_seconds": round(sum(r["cpu_seconds"] for r in rows), 1),
        "machine": {"platform": platform.platform(), "processor": _cpu_name(),
                    "cpu_count": os.cpu_count()},
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "numpy": np.__version__, "pandas": pd.__version__},
        "failed_runs": sum(bool(r["failed"]) for r in rows)})
    atomic_write(folder / f"{name}.json", json.dumps(meta, indent=2) + "\n")
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
        self.folder: Path | None = None  # where `load` found it (worker processes reload it from there)
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
                raise FileNotFoundError(f"{path} is missing. {_hint(path, name, folder)}")
        manifest = _read_manifest(folder)
        for path in (table, meta_path):
            expected = manifest.get(path.name)
            if expected is None:
                raise ValueError(f"{folder / 'MANIFEST.json'} has no checksum for {path.name}. "
                                 f"{_hint(path, name, folder)}")
            if sha256_of(path) != expected:
                raise ValueError(f"{path} is corrupt: its sha256 does not match MANIFEST.json. "
                                 f"{_hint(path, name, folder)}")
        meta = _read_meta(meta_path, name, folder)
        try:
            frame = pd.read_csv(table, compression="gzip")
        except (OSError, EOFError, ValueError) as exc:
            raise ValueError(f"{table} is not a readable gzipped CSV table ({exc}). "
                             f"{_hint(table, name, folder)}") from None
        problem = _table_problem(meta, frame)
        if problem:
            raise ValueError(f"{table} is malformed: {problem}. {_hint(table, name, folder)}")
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


def _built_in(folder: Path) -> list[str]:
    """The benchmarks whose table and metadata both have a checksum in the folder's manifest."""
    manifest = _read_manifest(folder)
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
    rebuild = _rebuild_for(name, folder)
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
        raise ValueError(f"{path} is not valid JSON ({exc}). {_hint(path, name, folder)}") from None
    problem = _meta_problem(meta, name)
    if problem:
        raise ValueError(f"{path} is malformed: {problem}. {_hint(path, name, folder)}")
    return meta


def _meta_problem(meta: object, name: str) -> str:
    """What is wrong with a benchmark's metadata, or "" if nothing is."""
    if not isinstance(meta, dict):
        return "it is not a JSON object"
    missing = [key for key in META_KEYS if key not in meta]
    if missing:
        return f"it is missing the keys {', '.join(missing)}"
    if meta["name"] != name:
        return f"its name is {meta['name']!r}, not {name!r}"
    if meta["space"] not in SPACES or meta["dataset"] not in DATASETS:
        return f"its space {meta['space']!r} or dataset {meta['dataset']!r} is unknown"
    try:
        check_seeds(meta["seeds"])
    except InputError as exc:
        return f"its {exc}"
    try:
        _space_from(meta)
        TrainConfig(**meta["training"])
    except (TypeError, ValueError) as exc:
        return f"its space_params or training are not valid ({exc})"
    return ""


def _table_problem(meta: dict[str, Any], frame: pd.DataFrame) -> str:
    """What is wrong with a benchmark's table, or "" if nothing is: the columns, then every
    value, then that the rows are exactly every architecture x seed x epoch once."""
    if list(frame.columns) != COLUMNS:
        return f"its columns are {list(frame.columns)}, expected {COLUMNS}"
    problem = _values_problem(frame)
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
    space = _space_from(meta)
    try:
        archs = {space.parse(s) for s in counts.index}
    except (ValueError, TypeError, AttributeError) as exc:
        return str(exc)
    if archs != set(space.unique):
        return f"it covers {len(archs)} architectures, the space has {len(space.unique)} distinct ones"
    varying = frame.groupby("arch")[["params", "macs", "latency_ms"]].nunique().max()
    if (varying > 1).any():
        return f"{varying.idxmax()} differs between the rows of one architecture"
    return ""


def _values_problem(frame: pd.DataFrame) -> str:
    """What is wrong with the table's numbers, or "": finite numbers, integers where counts
    are, accuracies in [0, 1], no negative seconds, sizes or latencies."""
    for column in COLUMNS[1:]:
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
    for column in ("seed", "epoch_seconds", "params", "macs", "latency_ms"):
        if (frame[column] < 0).any():
            return f"{column} holds negative values"
    return ""
