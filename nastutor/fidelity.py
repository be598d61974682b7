"""How well a lower fidelity ranks architectures: the rank correlation of the validation accuracy
after e epochs with the final ranking, for every e. Taught in lesson 08 (multi-fidelity search);
lesson 03 measures one epoch of it.

The accuracy after e epochs of one seed is compared with the final accuracy averaged over the
*other* seeds, so that the same training run never sits on both sides (at e = final it would
otherwise agree with itself); the correlations of all seeds are averaged.

    >>> from nastutor.benchmark import Benchmark
    >>> curve = rank_by_epoch(Benchmark.load("cell-mnist1d"))
    >>> list(curve.columns), len(curve)
    (['epoch', 'kendall', 'spearman'], 12)
    >>> bool(curve["kendall"].iloc[-1] > curve["kendall"].iloc[0])
    True
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .benchmark.table import Benchmark
from .checks import InputError

__all__ = ["rank_by_epoch"]


def rank_by_epoch(bench: Benchmark) -> pd.DataFrame:
    """One row per epoch e: Kendall's τ and Spearman's ρ between every architecture's validation
    accuracy after e epochs (one seed) and its final validation accuracy (the mean of the other
    seeds), averaged over the seeds. Needs a benchmark with at least two seeds. Taught in lesson 08."""
    if not isinstance(bench, Benchmark):
        raise InputError(f"rank_by_epoch needs a loaded Benchmark, got {type(bench).__name__}")
    seeds = len(bench.seeds)
    if seeds < 2:
        raise InputError(f"rank_by_epoch needs a benchmark with at least 2 seeds (it compares one seed "
                         f"with the others), {bench.name} has {seeds}")
    final = bench.val[:, :, -1]
    rows = []
    for e in range(bench.epochs):
        tau, rho = [], []
        for s in range(seeds):
            others = np.delete(final, s, axis=1).mean(axis=1)
            tau.append(stats.kendalltau(bench.val[:, s, e], others).statistic)
            rho.append(stats.spearmanr(bench.val[:, s, e], others).statistic)
        rows.append({"epoch": e + 1, "kendall": float(np.mean(tau)), "spearman": float(np.mean(rho))})
    return pd.DataFrame(rows)
