"""Tabular benchmarks: every architecture of a space, trained for real, looked up in microseconds.

Taught in lesson 03 (what a tabular benchmark is and how ours was built). One idea per module:

- `table`: `Benchmark`, a loaded benchmark (load, query, optimum, truth, regret);
- `build`: `build_benchmark`, the resumable, locked, parallel builder;
- `protocol`: what a build is (space and settings, dataset, seeds, training);
- `names`: `benchmark_name`, `rebuild_command` and `BENCHMARKS`, the shipped ones;
- `schema`: the checks of progress rows, metadata and tables;
- `measure`: `count_macs`, `measure_latency`;
- `datacard`: `write_card`, the Markdown page beside each benchmark.

    >>> bench = Benchmark.load("cell-mnist1d")
    >>> arch, val, test = bench.optimum()
    >>> bench.query(arch, seed=0)["val_accuracy"] > 0.9
    True

Build (resumable: kill it at any moment and run it again; one build of a benchmark at a time):

    python -m nastutor benchmark build --space cell --dataset mnist1d --seeds 0 1 2 --workers 2
"""
from __future__ import annotations

from .build import BuildInterrupted, BuildLocked, build_benchmark
from .datacard import card_text, write_card
from .measure import count_macs, measure_latency
from .names import BENCHMARKS, benchmark_name, rebuild_command
from .protocol import DEFAULT_SEEDS
from .schema import COLUMNS, META_KEYS, ROW_KEYS
from .table import METRICS, Benchmark

__all__ = ["Benchmark", "build_benchmark", "benchmark_name", "rebuild_command", "count_macs", "measure_latency",
           "BENCHMARKS", "BuildLocked", "BuildInterrupted", "write_card", "card_text", "DEFAULT_SEEDS",
           "COLUMNS", "META_KEYS", "ROW_KEYS", "METRICS"]
