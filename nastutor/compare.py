"""Comparing strategies fairly: many seeds, regret against the benchmark's ground truth,
confidence intervals and a rank test. Taught in lesson 07 (the NAS-Bench-201 protocol:
search on validation, report test, budgets in simulated seconds, many runs).

    >>> from nastutor import TabularEvaluator, RandomSearch, RegularizedEvolution
    >>> runs = compare({"random": RandomSearch(), "evolution": RegularizedEvolution()},
    ...                TabularEvaluator("cell-mnist1d"), budget=50, seeds=range(10))
    >>> summarize(runs, budget=50, baseline="random").columns[:3].tolist()
    ['strategy', 'budget', 'val_regret']
"""
from __future__ import annotations

from concurrent.futures import Executor
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy import stats

from .evaluators import TabularEvaluator
from .search import make_executor, run_search
from .strategies import Strategy

__all__ = ["compare", "summarize", "regret_frame", "time_to_target"]


def regret_frame(history, evaluator: TabularEvaluator) -> pd.DataFrame:
    """Per step: the incumbent (best validation accuracy seen so far) and its regret, the gap
    between the benchmark's best mean accuracy and the incumbent's mean accuracy (over seeds,
    full training), on validation (what the search optimises) and test (what is reported)."""
    bench = evaluator.benchmark
    final_val, final_test = bench.val[:, :, -1].mean(axis=1), bench.test[:, :, -1].mean(axis=1)
    frame = history.to_frame()
    rows = np.array([bench.index(history.space.parse(a)) for a in frame["incumbent"]], dtype=int)
    return pd.DataFrame({"step": frame["step"] + 1, "total_cost": frame["total_cost"],
                         "incumbent": frame["incumbent"],
                         "val_regret": final_val.max() - final_val[rows],
                         "test_regret": final_test.max() - final_test[rows]})


def _run(name: str, strategy: Strategy, evaluator: TabularEvaluator, budget: int | None,
         seconds: float | None, seeds: list[int]) -> pd.DataFrame:
    frames = []
    for seed in seeds:
        history = run_search(strategy, evaluator, budget, seconds=seconds, seed=seed, progress=False)
        frame = regret_frame(history, evaluator)
        frame.insert(0, "seed", seed)
        frame.insert(0, "strategy", name)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def compare(strategies: Mapping[str, Strategy], evaluator: TabularEvaluator, budget: int | None = 100,
            seeds: Iterable[int] = range(10), *, seconds: float | None = None, workers: int = 1,
            executor: Executor | None = None) -> pd.DataFrame:
    """Run every strategy once per seed on a tabular benchmark; return a tidy DataFrame with
    one row per strategy, seed and step: total simulated seconds, incumbent, validation and
    test regret. `workers` > 1 (or an `executor`) spreads the seeds over processes."""
    if not isinstance(evaluator, TabularEvaluator):
        raise TypeError("compare needs a TabularEvaluator: regret is measured against the benchmark's ground truth")
    if not strategies or not all(isinstance(s, Strategy) for s in strategies.values()):
        raise ValueError("strategies must map names to Strategy objects, e.g. {'random': RandomSearch()}")
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    own = executor is None and workers > 1
    pool = make_executor(workers) if own else executor
    try:
        if pool is None:
            parts = [_run(n, s, evaluator, budget, seconds, seeds) for n, s in strategies.items()]
        else:
            chunks = np.array_split(np.array(seeds), max(1, 2 * getattr(pool, "_max_workers", 2)))
            futures = [pool.submit(_run, n, s, evaluator, budget, seconds, [int(x) for x in chunk])
                       for n, s in strategies.items() for chunk in chunks if len(chunk)]
            parts = [f.result() for f in futures]
    finally:
        if own:
            pool.shutdown()
    return pd.concat(parts, ignore_index=True)


def _at_budget(runs: pd.DataFrame, budget: int) -> pd.DataFrame:
    """Each run's last row at or before `budget` evaluations."""
    upto = runs[runs["step"] <= budget]
    return upto.groupby(["strategy", "seed"], sort=False).tail(1)


def summarize(runs: pd.DataFrame, budget: int, baseline: str = "random", confidence: float = 0.95) -> pd.DataFrame:
    """Mean final regret of each strategy at `budget` evaluations, with a `confidence`
    interval (Student's t) and the one-sided Wilcoxon rank-sum (Mann-Whitney U) p-value of
    "this strategy's regret is lower than the baseline's", for validation and test regret."""
    if baseline not in set(runs["strategy"]):
        raise ValueError(f"baseline {baseline!r} is not among the strategies: {', '.join(runs['strategy'].unique())}")
    final = _at_budget(runs, budget)
    base = final[final["strategy"] == baseline]
    rows = []
    for name, group in final.groupby("strategy", sort=False):
        row = {"strategy": name, "budget": budget, "runs": len(group)}
        for metric in ("val_regret", "test_regret"):
            values = group[metric].to_numpy()
            half = stats.t.ppf(0.5 + confidence / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values)) \
                if len(values) > 1 else np.nan
            p = np.nan if name == baseline else stats.mannwhitneyu(values, base[metric], alternative="less").pvalue
            row.update({metric: values.mean(), f"{metric}_ci": half, f"{metric}_p": p})
        rows.append(row)
    cols = ["strategy", "budget", "val_regret", "val_regret_ci", "val_regret_p",
            "test_regret", "test_regret_ci", "test_regret_p", "runs"]
    return pd.DataFrame(rows)[cols]


def time_to_target(runs: pd.DataFrame, target: float = 0.005, metric: str = "val_regret") -> pd.DataFrame:
    """For each strategy and seed, the simulated seconds until the incumbent's regret first
    drops to `target` or below (NaN if it never does within the run)."""
    hit = runs[runs[metric] <= target].groupby(["strategy", "seed"], sort=False)["total_cost"].first()
    all_runs = runs.groupby(["strategy", "seed"], sort=False).size().index
    return hit.reindex(all_runs).rename("seconds").reset_index()
