"""Latency on the machine in front of you: measured, looked up, and predicted from a table of operations.

Taught in lesson 11 (hardware-aware NAS). Three ways to know how fast an architecture runs:

- `measure_latency(model, num_features)`: time it, as the benchmark's latency pass does (warm-up
  passes first, then the median of `repeats` timed forward passes, on `threads` CPU threads);
- `benchmark_latency(bench)`: look up what the benchmark measured (`latency_ms` at batch 256,
  `latency1_ms` at batch 1), as a function of the architecture that any search can call
  (`benchmark_objectives(bench)`: every cell's true accuracy and latency, for `nastutor.pareto`);
- `LatencyTable`: a **latency predictor** in the manner of FBNet's lookup table. Each operation of
  a `CellSpace` cell (conv3, skip, avgpool3) and each node's sum of its inputs is timed once per
  stage (channel count and signal length), and the skeleton around the cells (stem, downsampling,
  pooling, classifier) once; a cell's latency is predicted by adding up its live operations
  (dead edges are pruned away, `nastutor.spaces.cell.prune`, as `CellSpace.build` does) and the
  skeleton. Milliseconds of measuring, then microseconds per prediction.

`predictor_report(bench)` scores the predictor against the benchmark's measured latencies
(Spearman, mean absolute error) and says how much faster predicting is than measuring.

    >>> import torch.nn as nn
    >>> ms = measure_latency(nn.Sequential(nn.Linear(40, 16), nn.ReLU(), nn.Linear(16, 10)), 40, batch=8)
    >>> 0 < ms < 100
    True
"""
from __future__ import annotations

import statistics
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from scipy.stats import spearmanr
from tqdm.auto import tqdm

from .checks import InputError, check_int
from .data import load_dataset
from .spaces import Arch, CellSpace, SearchSpace
from .spaces.cell import EDGES, OPS, make_op, prune

if TYPE_CHECKING:  # a loaded benchmark is passed in; this module never loads one itself
    from .benchmark import Benchmark

__all__ = ["measure_latency", "LatencyLookup", "benchmark_latency", "benchmark_objectives", "LatencyTable",
           "predictor_report", "BATCH_OF_COLUMN"]

#: The benchmark's latency columns and the batch size each was measured at.
BATCH_OF_COLUMN = {"latency_ms": 256, "latency1_ms": 1}


def measure_latency(model: nn.Module, num_features: int, *, batch: int = 1, warmup: int = 5, repeats: int = 30,
                    threads: int = 1) -> float:
    """Median milliseconds of one forward pass of `model` (in eval mode, without gradients) over a
    batch of `batch` random inputs of `num_features` numbers, after `warmup` untimed passes (they
    warm caches and PyTorch's allocator up), on `threads` CPU threads. PyTorch's thread count is
    put back afterwards. The median, not the mean: a pause of the machine spoils one run, not the
    number. Taught in lesson 11.

        >>> import torch.nn as nn
        >>> 0 < measure_latency(nn.Linear(40, 10), 40, batch=256, repeats=5) < 100
        True
    """
    if not isinstance(model, nn.Module):
        raise InputError(f"model must be a PyTorch nn.Module such as CellSpace().build(arch, 40, 10), got {model!r:.80}")
    num_features = check_int(num_features, "num_features", minimum=1)
    batch = check_int(batch, "batch", minimum=1)
    warmup = check_int(warmup, "warmup", minimum=0)
    repeats = check_int(repeats, "repeats", minimum=1)
    threads = check_int(threads, "threads", minimum=1)
    before, was_training = torch.get_num_threads(), model.training
    x = torch.randn(batch, num_features, generator=torch.Generator().manual_seed(0))
    times = []
    try:
        torch.set_num_threads(threads)
        model.eval()
        with torch.no_grad():
            for i in range(warmup + repeats):
                start = time.perf_counter()
                model(x)
                if i >= warmup:
                    times.append(time.perf_counter() - start)
    finally:
        torch.set_num_threads(before)
        model.train(was_training)
    return 1000 * statistics.median(times)


# -- the benchmark's measured latency, as a function of the architecture -------------------------

@dataclass(frozen=True)
class LatencyLookup:
    """The latency (ms) a benchmark measured for each architecture, callable as `lookup(arch)`:
    an architecture counts as its canonical form (equivalent cells run the same network).
    Small and picklable, so a strategy that holds it can be copied to worker processes.
    Make one with `benchmark_latency`. Taught in lesson 11."""

    space: SearchSpace
    ms: Mapping[Arch, float] = field(repr=False)
    column: str = "latency_ms"

    def __call__(self, arch: Arch) -> float:
        try:
            return self.ms[self.space.canonical(arch)]
        except KeyError:
            raise InputError(f"{self.space.to_string(arch)} is not in the benchmark this latency was "
                             "looked up in") from None


def benchmark_latency(bench: "Benchmark", column: str = "latency_ms") -> LatencyLookup:
    """The benchmark's measured latency as a function of the architecture: `column` is
    "latency_ms" (batch 256) or "latency1_ms" (batch 1). Taught in lesson 11.

        >>> from nastutor.benchmark import Benchmark
        >>> bench = Benchmark.load("cell-mnist1d")
        >>> latency = benchmark_latency(bench)
        >>> latency(("conv3",) * 6) == bench.query(("conv3",) * 6)["latency_ms"]
        True
    """
    values = _column(bench, column)
    return LatencyLookup(bench.space, dict(zip(bench.archs, values.tolist())), column)


def benchmark_objectives(bench: "Benchmark", archs: Iterable[Arch] | None = None, column: str = "latency_ms",
                         metric: str = "val_accuracy") -> np.ndarray:
    """The two objectives of hardware-aware NAS as an (n, 2) array, ready for `nastutor.pareto`:
    each architecture's ground truth (`metric`, the mean over the benchmark's seeds of the final
    validation or test accuracy) and its measured latency (`column`). `archs` defaults to every
    distinct architecture of the benchmark (its rows); give a search's, `[e.arch for e in history]`,
    to score what the search found by the truth rather than by its noisy evaluations.
    Taught in lesson 11.

        >>> from nastutor.benchmark import Benchmark
        >>> from nastutor.pareto import pareto_front
        >>> bench = Benchmark.load("cell-mnist1d")
        >>> points = benchmark_objectives(bench)
        >>> points.shape, bool(points[:, 0].argmax() in pareto_front(points))   # the most accurate is on the front
        ((941, 2), True)
    """
    latency = _column(bench, column)
    truth = bench.truth(metric).to_numpy()
    rows = np.arange(len(bench)) if archs is None else np.array([bench.index(a) for a in archs], dtype=int)
    return np.c_[truth[rows], latency[rows]]


def _column(bench: "Benchmark", column: str) -> np.ndarray:
    if column not in BATCH_OF_COLUMN:
        raise InputError(f"column must be one of: {', '.join(BATCH_OF_COLUMN)}, got {column!r}")
    values = getattr(bench, column, None)
    if values is None:
        raise InputError(f"{bench.name} has no {column}: run its latency pass first "
                         f"(python -m nastutor benchmark latency {bench.name})")
    return np.asarray(values, dtype=float)


# -- the latency predictor: a lookup table of operations ------------------------------------------

class _Shaped(nn.Module):
    """Runs `inner` on the input viewed as (batch, channels, length): times one operation at the
    shape it meets inside the network. Without `inner` it only reshapes (the overhead to subtract)."""

    def __init__(self, inner: nn.Module | None, channels: int, length: int):
        super().__init__()
        self.inner, self.shape = inner, (channels, length)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.view(x.shape[0], *self.shape)
        return x if self.inner is None else self.inner(x)


class _NodeSum(nn.Module):
    """What a cell's node does with its `terms` inputs (`Cell.forward`): stack and sum them, or
    zeros when no edge into it is live."""

    def __init__(self, terms: int):
        super().__init__()
        self.terms = terms

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack([x] * self.terms).sum(0) if self.terms else torch.zeros_like(x)


#: The entries of a table, per stage: the edge operations (`none` costs nothing), then a node's sum of
#: 0 (zeros), 1, 2 or 3 inputs.
ENTRIES = (*(op for op in OPS if op != "none"), "sum0", "sum1", "sum2", "sum3")


@dataclass(frozen=True)
class LatencyTable:
    """A per-operation latency table of a `CellSpace` network, and the predictor it makes.

    `ms[(entry, stage)]` is the milliseconds of one `entry` (an operation of `ENTRIES`) in stage 1
    or 2 of the network, at batch `batch`; `skeleton_ms` is the rest of the network (stem,
    downsampling, pooling and classifier, and the cells' own bookkeeping), measured as the network
    of the empty cell minus the empty cells' nodes. `predict(arch)` (or `table(arch)`) adds up the
    pruned cell's operations and node sums in each stage, times the cells per stage, plus the
    skeleton. Build one with `LatencyTable.measure`. Taught in lesson 11."""

    space: CellSpace
    num_features: int
    batch: int
    ms: Mapping[tuple[str, int], float] = field(repr=False)
    skeleton_ms: float
    shapes: Mapping[int, tuple[int, int]] = field(repr=False)
    seconds: float = field(default=0.0, compare=False)

    @classmethod
    def measure(cls, space: CellSpace, num_features: int, num_classes: int, *, batch: int = 256, warmup: int = 5,
                repeats: int = 30, threads: int = 1, rounds: int = 3, progress: bool = False) -> "LatencyTable":
        """Time every entry of the table with `measure_latency` (same warm-up, repeats and threads),
        at the shapes the network of `space` gives inputs of `num_features` numbers. The entries are
        timed in `rounds` interleaved rounds and each keeps its median round, so a burst of load on
        the machine spoils one round of every entry rather than every round of a few.

            >>> table = LatencyTable.measure(CellSpace(), 40, 10, batch=4, repeats=3, rounds=1)
            >>> sorted(table.shapes.items())       # stage: (channels, length)
            [(1, (16, 40)), (2, (32, 20))]
            >>> table(("conv3",) * 6) > table(("skip",) + ("none",) * 5) > 0
            True
        """
        if not isinstance(space, CellSpace):
            raise InputError(f"space must be a CellSpace (the table times its operations), got {space!r}")
        num_features = check_int(num_features, "num_features", minimum=1)
        num_classes = check_int(num_classes, "num_classes", minimum=1)
        batch = check_int(batch, "batch", minimum=1)
        rounds = check_int(rounds, "rounds", minimum=1)
        start = time.perf_counter()
        torch.manual_seed(0)
        empty = space.build(("none",) * len(EDGES), num_features, num_classes)
        shapes = _stage_shapes(empty, num_features)
        # what is timed: the wrapper alone (its overhead, subtracted from the stage's entries), each
        # entry of each stage, and the network of the empty cell (the skeleton)
        jobs: dict[tuple[str, int], tuple[nn.Module, int]] = {}
        for stage, (channels, length) in shapes.items():
            jobs[("overhead", stage)] = (_Shaped(None, channels, length), channels * length)
            for entry in ENTRIES:
                module = _NodeSum(int(entry[3:])) if entry.startswith("sum") else make_op(entry, channels)
                jobs[(entry, stage)] = (_Shaped(module, channels, length), channels * length)
        jobs[("skeleton", 0)] = (empty, num_features)
        settings = dict(batch=batch, warmup=warmup, repeats=repeats, threads=threads)
        times: dict[tuple[str, int], list[float]] = {key: [] for key in jobs}
        with tqdm(total=rounds * len(jobs), disable=not progress, desc="latency table", unit="op") as bar:
            for _ in range(rounds):
                for key, (module, features) in jobs.items():
                    times[key].append(measure_latency(module, features, **settings))
                    bar.update(1)
        raw = {key: statistics.median(values) for key, values in times.items()}
        ms = {key: max(0.0, value - raw[("overhead", key[1])]) for key, value in raw.items()
              if key[0] not in ("overhead", "skeleton")}
        nodes = space.cells * sum(3 * ms[("sum0", stage)] for stage in shapes)
        return cls(space, num_features, batch, ms, max(0.0, raw[("skeleton", 0)] - nodes), shapes,
                   time.perf_counter() - start)

    def predict(self, arch: Arch) -> float:
        """The predicted milliseconds of `arch`'s network: its live operations, its nodes' sums
        and the skeleton. A dead edge costs nothing (it is pruned, as `CellSpace.build` does)."""
        self.space.validate(arch)
        live = prune(arch)
        per_stage = {stage: 0.0 for stage in self.shapes}
        for stage in self.shapes:
            for e, op in enumerate(live):
                if op != "none":
                    per_stage[stage] += self.ms[(op, stage)]
            for node in (1, 2, 3):
                terms = sum(live[e] != "none" for e, (_, j) in enumerate(EDGES) if j == node)
                per_stage[stage] += self.ms[(f"sum{terms}", stage)]
        return self.skeleton_ms + self.space.cells * sum(per_stage.values())

    __call__ = predict

    def to_frame(self) -> pd.DataFrame:
        """The table: one row per entry and stage (channels, length, milliseconds), then the skeleton."""
        rows = [{"entry": entry, "stage": stage, "channels": self.shapes[stage][0], "length": self.shapes[stage][1],
                 "ms": ms} for (entry, stage), ms in self.ms.items()]
        rows.append({"entry": "skeleton", "stage": 0, "channels": 0, "length": self.num_features,
                     "ms": self.skeleton_ms})
        return pd.DataFrame(rows)


def _stage_shapes(network: nn.Module, num_features: int) -> dict[int, tuple[int, int]]:
    """(channels, length) of the input of each stage of a `CellNetwork`, seen on one forward pass."""
    shapes: dict[int, tuple[int, int]] = {}
    hooks = [getattr(network, f"stage{stage}").register_forward_pre_hook(
        lambda module, args, stage=stage: shapes.__setitem__(stage, tuple(args[0].shape[1:])))
        for stage in (1, 2)]
    network.eval()
    with torch.no_grad():
        network(torch.zeros(1, num_features))
    for hook in hooks:
        hook.remove()
    return shapes


# -- how good is the predictor? --------------------------------------------------------------------

def predictor_report(bench: "Benchmark", *, columns: tuple[str, ...] = tuple(BATCH_OF_COLUMN), warmup: int = 5,
                     repeats: int = 30, timed_cells: int = 5, progress: bool = False) -> pd.DataFrame:
    """Build a `LatencyTable` for `bench`'s network at each column's batch size, predict every
    distinct architecture of the benchmark and compare with the latencies it measured: one row
    per column with the Spearman correlation, the mean absolute error (ms and relative to the
    mean latency), the seconds of building the table, and the seconds per cell of predicting and
    of measuring (`timed_cells` cells measured here with the same warm-up and repeats) and their
    ratio. Run it on a quiet machine: the table is timed here, the benchmark elsewhere.
    Taught in lesson 11.

        >>> from nastutor.benchmark import Benchmark
        >>> report = predictor_report(Benchmark.load("cell-mnist1d"), columns=("latency1_ms",), repeats=3,
        ...                           timed_cells=1)                    # doctest: +SKIP
        >>> report.loc["latency1_ms", "spearman"] > 0.5                  # doctest: +SKIP
        True
    """
    if not isinstance(bench.space, CellSpace):
        raise InputError(f"the latency table predicts CellSpace networks; {bench.name} is a {bench.space!r} benchmark")
    if isinstance(columns, str) or not columns:
        raise InputError(f"columns must be a tuple of: {', '.join(BATCH_OF_COLUMN)}, got {columns!r}")
    timed_cells = check_int(timed_cells, "timed_cells", minimum=1, maximum=len(bench))
    data = load_dataset(bench.dataset)
    rows: list[dict[str, Any]] = []
    for column in columns:
        measured = _column(bench, column)
        batch = BATCH_OF_COLUMN[column]
        table = LatencyTable.measure(bench.space, data.num_features, data.num_classes, batch=batch, warmup=warmup,
                                     repeats=repeats, progress=progress)
        start = time.perf_counter()
        predicted = np.array([table(arch) for arch in bench.archs])
        predict_seconds = (time.perf_counter() - start) / len(bench)
        picks = np.random.default_rng(0).choice(len(bench), timed_cells, replace=False)
        start = time.perf_counter()
        for i in picks:
            model = bench.space.build(bench.archs[i], data.num_features, data.num_classes)
            measure_latency(model, data.num_features, batch=batch, warmup=warmup, repeats=repeats)
        measure_seconds = (time.perf_counter() - start) / timed_cells
        error = np.abs(predicted - measured)
        rows.append({"column": column, "batch": batch, "cells": len(bench),
                     "spearman": float(spearmanr(predicted, measured).statistic),
                     "mae_ms": float(error.mean()), "relative_mae": float(error.mean() / measured.mean()),
                     "table_seconds": table.seconds, "predict_seconds": predict_seconds,
                     "measure_seconds": measure_seconds, "ratio": predict_seconds / measure_seconds})
    return pd.DataFrame(rows).set_index("column")
