"""Comparing strategies fairly: many seeds, regret against the benchmark's ground truth,
confidence intervals and a rank test. Taught in lesson 07 (the NAS-Bench-201 protocol:
search on validation, report test, budgets in simulated seconds, many runs).

    >>> from nastutor import TabularEvaluator, RandomSearch, RegularizedEvolution
    >>> runs = compare({"random": RandomSearch(), "evolution": RegularizedEvolution()},
    ...                TabularEvaluator("cell-mnist1d"), budget=50, seeds=range(10))
    >>> summarize(runs, budget=50, baseline="random").columns[:3].tolist()
    ['strategy', 'budget', 'val_regret']
    >>> summarize(runs, seconds=400).columns[:3].tolist()   # a budget in simulated seconds
    ['strategy', 'seconds', 'val_regret']
"""
from __future__ import annotations

import copy
from concurrent.futures import Executor
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy import stats

from .checks import InputError, check_confidence, check_frame, check_int, check_number, check_seeds
from .evaluators import TabularEvaluator
from .search import make_executor, run_search
from .strategies import Strategy

__all__ = ["compare", "summarize", "at_budget", "regret_frame", "time_to_target"]


def regret_frame(history, evaluator: TabularEvaluator) -> pd.DataFrame:
    """Per step: the incumbent (best validation accuracy seen so far) and its regret, the gap
    between the benchmark's best mean accuracy and the incumbent's mean accuracy (over seeds,
    full training), on validation (what the search optimises) and test (what is reported)."""
    if not isinstance(evaluator, TabularEvaluator):
        raise InputError(f"regret_frame needs the TabularEvaluator that ran the search, got {evaluator!r}")
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
    return pd.concat(frames)


def _chunks(seeds: list[int], workers: int) -> list[list[int]]:
    """The seeds in order, in two chunks per worker (none empty): few tasks to send to the
    workers, yet no worker idles long behind one slow chunk."""
    return [part.tolist() for part in np.array_split(np.array(seeds), 2 * workers) if len(part)]


def compare(strategies: Mapping[str, Strategy], evaluator: TabularEvaluator, budget: int | None = 100,
            seeds: Iterable[int] = range(10), *, seconds: float | None = None, workers: int = 1,
            executor: Executor | None = None) -> pd.DataFrame:
    """Run every strategy once per seed on a tabular benchmark; return a tidy DataFrame with
    one row per strategy, seed and step: total simulated seconds, incumbent, validation and
    test regret. `workers` > 1 (or an `executor`) spreads the seeds over processes."""
    if not isinstance(evaluator, TabularEvaluator):
        raise InputError("compare needs a TabularEvaluator: regret is measured against the benchmark's ground truth")
    if (not isinstance(strategies, Mapping) or not strategies
            or not all(isinstance(n, str) and isinstance(s, Strategy) for n, s in strategies.items())):
        raise InputError("strategies must map names to Strategy objects, e.g. {'random': RandomSearch()}")
    if budget is None and seconds is None:
        raise InputError("give a budget: a number of evaluations (budget=...) and/or seconds=...")
    budget = None if budget is None else check_int(budget, "budget", minimum=1)
    seconds = None if seconds is None else check_number(seconds, "seconds", positive=True)
    seeds = check_seeds(seeds)  # plain, distinct ints: a repeated seed would fake agreement
    workers = check_int(workers, "workers", minimum=1)
    own = executor is None and workers > 1
    pool = make_executor(workers) if own else executor
    try:
        if pool is None:
            parts = [_run(n, s, evaluator, budget, seconds, seeds) for n, s in strategies.items()]
        else:
            chunks = _chunks(seeds, getattr(pool, "_max_workers", workers))   # a pool of unknown size: `workers`
            # each task gets its own copy of the strategy: tasks that share one object in a
            # thread pool would set it up over each other's searches
            futures = [pool.submit(_run, n, copy.deepcopy(s), evaluator, budget, seconds, chunk)
                       for n, s in strategies.items() for chunk in chunks]
            parts = [f.result() for f in futures]
    finally:
        if own:
            pool.shutdown()
    return pd.concat(parts, ignore_index=True)


REGRETS = ("val_regret", "test_regret")


def _check_one_budget(budget: object, seconds: object) -> tuple[int | None, float | None]:
    """Exactly one of a budget in evaluations and one in seconds, checked."""
    if budget is None and seconds is None:
        raise InputError("budget must be an integer >= 1 (evaluations), or give seconds=... (simulated "
                         "seconds of training) instead")
    if budget is not None and seconds is not None:
        raise InputError(f"give one budget, in evaluations (budget={budget!r}) or in seconds "
                         f"(seconds={seconds!r}), not both")
    return (None if budget is None else check_int(budget, "budget", minimum=1),
            None if seconds is None else check_number(seconds, "seconds", positive=True))


def at_budget(runs: pd.DataFrame, budget: int | None = None, *, seconds: float | None = None) -> pd.DataFrame:
    """Each run's last row (its incumbent) at or before `budget` evaluations, or among the
    evaluations finished within `seconds` of (simulated) training: exactly one of the two.
    A run whose first evaluation alone took longer than `seconds` has no row. Taught in lesson 07.

    >>> from nastutor import TabularEvaluator, RandomSearch
    >>> runs = compare({"random": RandomSearch()}, TabularEvaluator("cell-mnist1d"), budget=40, seeds=range(4))
    >>> last = at_budget(runs, seconds=400)
    >>> len(last), bool((last["total_cost"] <= 400).all())
    (4, True)
    """
    budget, seconds = _check_one_budget(budget, seconds)
    check_frame(runs, "runs", ("strategy", "seed", "step" if budget is not None else "total_cost"), "compare()")
    upto = runs[runs["step"] <= budget] if budget is not None else runs[runs["total_cost"] <= seconds]
    return upto.groupby(["strategy", "seed"]).tail(1)


def summarize(runs: pd.DataFrame, budget: int | None = None, baseline: str = "random", confidence: float = 0.95,
              *, seconds: float | None = None) -> pd.DataFrame:
    """Mean final regret of each strategy at `budget` evaluations or at `seconds` of simulated
    training (exactly one of the two: `at_budget`), with a `confidence` interval (Student's t:
    mean ± the `_ci` column) and the one-sided Wilcoxon rank-sum (Mann-Whitney U) p-value of
    "this strategy's regret is lower than the baseline's", for validation and test regret.
    The second column says the budget: `budget` (evaluations) or `seconds`. Taught in lesson 07."""
    budget, seconds = _check_one_budget(budget, seconds)
    check_frame(runs, "runs", ("strategy", "seed", "step" if budget is not None else "total_cost") + REGRETS,
                "compare()")
    confidence = check_confidence(confidence)
    if not isinstance(baseline, str) or baseline not in set(runs["strategy"]):
        names = ", ".join(map(str, runs["strategy"].unique()))
        raise InputError(f"baseline {baseline!r} is not among the strategies: {names}")
    final = at_budget(runs, budget, seconds=seconds)
    base = final[final["strategy"] == baseline]
    if base.empty:  # only with seconds: no evaluation of the baseline was that short
        raise InputError(f"no run of the baseline {baseline!r} finished an evaluation within {seconds} "
                         "seconds: give more seconds")
    unit, amount = ("budget", budget) if budget is not None else ("seconds", seconds)
    rows = []
    for name, group in final.groupby("strategy", sort=False):
        row = {"strategy": name, unit: amount, "runs": len(group)}
        for metric in REGRETS:
            values = group[metric].to_numpy()
            half = stats.t.ppf(0.5 + confidence / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values)) \
                if len(values) > 1 else np.nan
            p = np.nan if name == baseline else stats.mannwhitneyu(values, base[metric], alternative="less").pvalue
            row.update({metric: values.mean(), f"{metric}_ci": half, f"{metric}_p": p})
        rows.append(row)
    cols = ["strategy", unit, "val_regret", "val_regret_ci", "val_regret_p",
            "test_regret", "test_regret_ci", "test_regret_p", "runs"]
    return pd.DataFrame(rows)[cols]


def time_to_target(runs: pd.DataFrame, target: float = 0.005, metric: str = "val_regret") -> pd.DataFrame:
    """For each strategy and seed, the simulated seconds until the incumbent's regret first
    drops to `target` or below (NaN if it never does within the run). `target` is a regret,
    from 0 (the optimum itself) to 1; `metric` is "val_regret" or "test_regret"."""
    if not isinstance(metric, str) or metric not in REGRETS:
        raise InputError(f"metric must be one of {', '.join(REGRETS)}, got {metric!r}")
    check_frame(runs, "runs", ("strategy", "seed", "total_cost", metric), "compare()")
    target = check_number(target, "target regret", minimum=0, maximum=1)
    hit = runs[runs[metric] <= target].groupby(["strategy", "seed"])["total_cost"].first()
    all_runs = runs.groupby(["strategy", "seed"], sort=False).size().index
    return hit.reindex(all_runs).rename("seconds").reset_index()
