"""How hard is each cell benchmark? The properties issue 13 asks of the second one, side by side.

    python benchmarks/benchmark_properties.py            # every shipped benchmark over CellSpace

For each benchmark over the cell space, from its full table:
- the optimum (best mean final validation accuracy) and its mean test accuracy (goal for the
  second benchmark: at most 0.93);
- the share of distinct cells within 0.5 pp of the optimum's mean validation accuracy (goal: at
  most 3%);
- the Spearman correlation of mean final validation accuracy with cell-mnist1d over all cells
  (goal: 0.3 to 0.85);
- the median, over 100 seeds, of the evaluations random search needs until its incumbent's true
  mean validation accuracy is within 0.5 pp of the optimum's (goal: at least 150; inf when more
  than half the runs never get there within 2000 evaluations), with the share of runs that did;
- the latency repeatability (Spearman between the latency pass's two passes, goal >= 0.95);
- the load time (median of 5 loads in a fresh process; goal <= 0.5 s), against the baseline of
  reading the same CSV with pandas, and the ratio.
"""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
from scipy.stats import spearmanr

from nastutor import Benchmark, RandomSearch, TabularEvaluator
from nastutor.benchmark import BENCHMARKS
from nastutor.compare import compare

_LOAD = r"""
import json, statistics, sys, time
import pandas as pd
from nastutor import Benchmark
from nastutor.data import data_dir
name = sys.argv[1]
def median_of(f, n=5):
    times = []
    for _ in range(n):
        t = time.perf_counter(); f(); times.append(time.perf_counter() - t)
    return statistics.median(times)
Benchmark.load(name)  # imports and first-touch costs out of the way
print(json.dumps({"load": median_of(lambda: Benchmark.load(name)),
                  "csv": median_of(lambda: pd.read_csv(data_dir() / f"{name}.csv.gz"))}))
"""


def _load_seconds(name: str) -> dict:
    out = subprocess.run([sys.executable, "-c", _LOAD, name], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def properties(name: str, reference: Benchmark, budget: int = 2000, seeds: int = 100) -> dict:
    bench = Benchmark.load(name)
    val, test = bench.val[:, :, -1].mean(axis=1), bench.test[:, :, -1].mean(axis=1)
    best = int(np.argmax(val))
    ref = reference.val[:, :, -1].mean(axis=1)[[reference.index(a) for a in bench.archs]]
    runs = compare({"random": RandomSearch()}, TabularEvaluator(bench), budget=budget, seeds=range(seeds))
    hit = runs[runs["val_regret"] <= 0.005].groupby("seed")["step"].min().reindex(range(seeds))
    lat = bench.meta.get("latency", {}).get("spearman_between_passes", {})
    load = _load_seconds(name)
    return {
        "benchmark": name, "task": bench.dataset, "cells": len(bench),
        "optimum mean val": val[best], "optimum mean test (<= 0.93)": test[best],
        "share within 0.5 pp (<= 3%)": float(np.mean(val >= val[best] - 0.005)),
        "share within 1 pp": float(np.mean(val >= val[best] - 0.01)),
        "Spearman vs cell-mnist1d (0.3-0.85)": float(spearmanr(val, ref).statistic),
        # a run that never got there within the budget counts as taking longer than the budget (inf)
        f"random search: median evals to 0.5 pp (>= 150; {seeds} seeds)": float(hit.fillna(np.inf).median()),
        f"runs that reach 0.5 pp within {budget}": float(hit.notna().mean()),
        "latency Spearman, two passes (>= 0.95)": lat.get("latency_ms", float("nan")),
        "latency1 Spearman, two passes": lat.get("latency1_ms", float("nan")),
        "load s (<= 0.5)": load["load"], "read_csv s (baseline)": load["csv"],
        "load / read_csv": load["load"] / load["csv"]}


def main() -> int:
    reference = Benchmark.load("cell-mnist1d")
    names = [n for n in BENCHMARKS if Benchmark.load(n).meta["space"] == "cell"]
    table = [properties(n, reference) for n in names]
    width = max(len(k) for k in table[0])
    print(f"{'':{width}s}  " + "  ".join(f"{row['benchmark']:>22s}" for row in table))
    for key in table[0]:
        if key == "benchmark":
            continue
        cells = [row[key] for row in table]
        shown = [f"{v:22.4f}" if isinstance(v, float) else f"{v!s:>22s}" for v in cells]
        print(f"{key:{width}s}  " + "  ".join(shown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
