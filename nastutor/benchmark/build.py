"""Building a tabular benchmark: every architecture of a space, trained for real, resumably.

Taught in lesson 03 (how a tabular benchmark is built). Build (resumable: kill it at any moment
and run it again; one build of a benchmark at a time):

    python -m nastutor benchmark build --space cell --dataset mnist1d --seeds 0 1 2 --workers 2
    python -m nastutor benchmark build --space cell --scheduler tcp://HOST:8786   # on a Dask cluster

or, for any space (one of your own too), from Python:

    >>> from nastutor.spaces import MLPSpace
    >>> table = build_benchmark(MLPSpace(widths=(8,), max_depth=1), seeds=[0], folder="/tmp/b")  # doctest: +SKIP

Each finished (architecture, seed) run is one line of `<name>.progress.jsonl`; when all are in,
the table, the metadata and the data card are written and their checksums go to `MANIFEST.json`.
"""
from __future__ import annotations

import json
import os
import platform
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, Executor, wait
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd
import torch
from filelock import FileLock, Timeout
from tqdm.auto import tqdm

from ..checks import InputError, check_int, check_path, check_seeds
from ..data import data_dir, load_dataset
from ..executors import executor_slots, make_executor
from ..files import atomic_write, read_jsonl
from ..manifest import sha256_of, write_manifest
from ..spaces import SPACES, SearchSpace
from ..training import TrainConfig, train
from .datacard import write_card
from .measure import count_macs, measure_latency
from .names import benchmark_name
from .protocol import DEFAULT_SEEDS, dataset_arg, protocol_of, space_arg, space_of
from .schema import COLUMNS, row_problem

__all__ = ["build_benchmark", "BuildLocked", "BuildInterrupted"]


class BuildLocked(RuntimeError):
    """Another process is building the same benchmark in the same folder."""


class BuildInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a build. Every run that finished is kept in its progress file; running the
    same build again continues from there. `done` of `total` runs are finished."""

    def __init__(self, name: str, done: int, total: int, progress: Path):
        super().__init__(f"{done} of {total} runs of {name} are done (kept in {progress}); "
                         "run the same command again to continue")
        self.name, self.done, self.total, self.progress = name, done, total, progress


def build_benchmark(space: str | SearchSpace, dataset: str = "mnist1d", seeds: Sequence[int] = DEFAULT_SEEDS,
                    workers: int = 1, folder: str | os.PathLike | None = None, limit: int | None = None,
                    progress: bool = True, executor: Executor | None = None) -> Path | None:
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

    A space of your own (any registered `SearchSpace`) builds too; with `workers` > 1 the worker
    processes import the module that defines it, so define it in a module (a file), not in a
    notebook.

    `executor` trains on workers of your own instead of `workers` local processes: a Dask
    cluster's `client.get_executor()` or `dask_executor(address)` (lesson 13). It stays open;
    every worker needs nastutor and the dataset. The rows are the same as a local build's.
    Taught in lesson 03.
    """
    space, dataset, seeds = space_arg(space), dataset_arg(dataset), check_seeds(seeds)
    workers = check_int(workers, "workers", minimum=1)
    if executor is not None and workers > 1:
        raise InputError(f"give workers (local processes) or an executor (a Dask cluster, say), not both; "
                         f"got workers={workers} and {executor!r}")
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
        protocol = protocol_of(space, dataset, seeds)  # the space's own protocol, never shortened by fast mode
        return _build(name, space, protocol, folder, workers, limit, progress, executor)
    finally:
        lock.release()


def _build(name: str, space: SearchSpace, protocol: dict[str, Any], folder: Path, workers: int,
           limit: int | None, progress: bool, executor: Executor | None = None) -> Path | None:
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
        _train_all(protocol, jobs, path, workers, lambda: (finished.append(None), bar.update(1)), executor)
    except KeyboardInterrupt:
        raise BuildInterrupted(name, len(done) + len(finished), total, path) from None
    finally:
        bar.close()
    rows = _read_progress(path, protocol, set(archs))
    return _finalize(name, protocol, rows, folder) if len(rows) == total else None


def _train_job(protocol: dict[str, Any], arch_string: str, seed: int, measure: bool) -> dict[str, Any]:
    """Train one (architecture, seed) under the protocol; runs in a worker process."""
    space, data = space_of(protocol), load_dataset(protocol["dataset"])
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


def _train_in_worker(kind: type[SearchSpace], protocol: dict[str, Any], arch_string: str, seed: int,
                     measure: bool) -> dict[str, Any]:
    """`_train_job` in a worker process. `kind`, the space's class, travels by reference: the
    worker imports the module that defines it, which registers the space there too."""
    return _train_job(protocol, arch_string, seed, measure)


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
        problem = row_problem(row, protocol, archs)
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


def _train_all(protocol: dict[str, Any], jobs: list[tuple[str, int]], path: Path, workers: int,
               on_row: Callable[[], object], executor: Executor | None = None) -> None:
    """Train `jobs` with `workers` processes (or on `executor`'s workers), appending each
    finished run to the progress file at once (flushed to disk), so a kill loses at most the
    runs in flight."""
    measured, kind = protocol["seeds"][0], SPACES[protocol["space"]]
    own = executor is None and workers > 1
    pool = make_executor(workers) if own else executor
    workers, running = executor_slots(pool), set()
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
            queue = iter(jobs)
            while True:
                for arch, seed in queue:
                    running.add(pool.submit(_train_in_worker, kind, protocol, arch, seed, seed == measured))
                    if len(running) >= 2 * workers:
                        break
                if not running:
                    break
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    record(future.result())
    finally:
        if own:
            pool.shutdown(cancel_futures=True)
        elif pool is not None:  # not ours to shut down: cancel what is left of this build
            for future in running:
                future.cancel()


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
    write_manifest(folder, table.name, sha256_of(table))
    write_manifest(folder, f"{name}.json", sha256_of(folder / f"{name}.json"))
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
