"""Latency, measured properly: a separate, quiet pass over a built benchmark.

A build measures each network's latency once, while other workers train beside it, so a few
cells read several times their true latency. This pass measures every distinct architecture again
in one process, on one thread, at batch 256 and at batch 1: warm-up runs first, then the median of
`repeats` timed runs; the whole pass is done twice (the second in reverse order, so that a slow
drift of the machine does not line up with the table's order), and the Spearman correlation of the
two passes says how repeatable the numbers are. The table's `latency_ms` (batch 256) and
`latency1_ms` (batch 1) become the mean of the two passes' medians; the metadata records how,
where (CPU, PyTorch, threads) and how repeatable. Taught in the lesson on hardware-aware NAS.

    python -m nastutor benchmark latency cell-mnist1d

or from Python:

    >>> measure_benchmark_latency("cell-mnist1d")          # doctest: +SKIP
"""
from __future__ import annotations

import json
import os
import platform
import time
from typing import Any

import numpy as np
import torch
from scipy.stats import spearmanr
from tqdm.auto import tqdm

from ..checks import check_int
from ..data import data_dir, load_dataset
from ..files import atomic_write
from ..manifest import sha256_of, write_manifest
from .build import _cpu_name, _write_table      # the builder's CPU name and byte-stable table writer
from .measure import measure_latency
from .schema import COLUMNS
from .table import Benchmark

__all__ = ["measure_benchmark_latency", "LATENCY_BATCHES"]

#: The batch sizes measured: a throughput setting (the table's `latency_ms`) and one input at a
#: time (`latency1_ms`), as a phone answering one request would run it.
LATENCY_BATCHES = {"latency_ms": 256, "latency1_ms": 1}


def _one_pass(bench: Benchmark, order: list[int], repeats: int, warmup: int, bar: Any) -> np.ndarray:
    """Median milliseconds of every architecture (rows in table order) for each batch size."""
    data = load_dataset(bench.dataset)
    out = np.zeros((len(bench), len(LATENCY_BATCHES)))
    for i in order:
        torch.manual_seed(0)
        model = bench.space.build(bench.archs[i], data.num_features, data.num_classes)
        for j, batch in enumerate(LATENCY_BATCHES.values()):
            out[i, j] = measure_latency(model, data.num_features, batch=batch, repeats=repeats, warmup=warmup)
        bar.update(1)
    return out


def measure_benchmark_latency(name: str, folder: str | os.PathLike | None = None, repeats: int = 30,
                              warmup: int = 5, progress: bool = True) -> dict[str, Any]:
    """Measure the latency of every architecture of benchmark `name` in two passes, write it into
    the table (`latency_ms`, `latency1_ms`) and the metadata (`latency`), update the checksums and
    the data card, and return the metadata's `latency` record (with each batch size's Spearman
    correlation between the passes). Run it on a quiet machine: nothing else should be running.
    Taught in the lesson on hardware-aware NAS."""
    from .datacard import write_card

    repeats = check_int(repeats, "repeats", minimum=30)
    warmup = check_int(warmup, "warmup", minimum=1)
    bench = Benchmark.load(name, folder)
    folder = bench.folder if bench.folder is not None else data_dir()
    start = time.perf_counter()
    rows = list(range(len(bench)))
    with tqdm(total=2 * len(bench), disable=not progress, unit="net", desc=f"latency of {bench.name}") as bar:
        first = _one_pass(bench, rows, repeats, warmup, bar)
        second = _one_pass(bench, rows[::-1], repeats, warmup, bar)
    mean = (first + second) / 2
    # the loaded table is sorted by arch, seed, epoch: each architecture's rows are consecutive
    frame = bench.to_frame()[[c for c in COLUMNS if c not in LATENCY_BATCHES]]
    for j, col in enumerate(LATENCY_BATCHES):
        frame[col] = np.round(np.repeat(mean[:, j], len(bench.seeds) * bench.epochs), 4)
    table = folder / f"{bench.name}.csv.gz"
    _write_table(frame, table)
    record = {
        "batch_sizes": dict(LATENCY_BATCHES), "threads": 1, "warmup": warmup, "repeats": repeats,
        "passes": 2, "statistic": "mean over the two passes of each pass's median",
        "spearman_between_passes": {col: round(float(spearmanr(first[:, j], second[:, j]).statistic), 4)
                                    for j, col in enumerate(LATENCY_BATCHES)},
        "median_relative_difference_between_passes": {
            col: round(float(np.median(np.abs(first[:, j] - second[:, j]) / mean[:, j])), 4)
            for j, col in enumerate(LATENCY_BATCHES)},
        "cpu": _cpu_name(), "platform": platform.platform(), "torch": torch.__version__,
        "seconds": round(time.perf_counter() - start, 1)}
    meta = dict(bench.meta)
    meta["latency"] = record
    meta_path = folder / f"{bench.name}.json"
    atomic_write(meta_path, json.dumps(meta, indent=2) + "\n")
    write_manifest(folder, table.name, sha256_of(table))
    write_manifest(folder, meta_path.name, sha256_of(meta_path))
    write_card(bench.name, folder)
    return record

