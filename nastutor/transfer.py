"""Transferability: how much of one task's ranking of the cells carries to another. Taught in lesson 12.

Two benchmarks of one space (`cell-mnist1d`, `cell-digits`) score the same 941 cells on two
tasks. These helpers line the two up, measure how well their rankings agree (overall and among
the source's best cells, where a search looks), move a search's result from one task to the other,
and fit which operations help on each task.

    >>> table = aligned("cell-mnist1d", "cell-digits")
    >>> list(table.columns), len(table)
    (['cell-mnist1d', 'cell-digits'], 941)
    >>> agreement = rank_agreement("cell-mnist1d", "cell-digits")
    >>> list(agreement.columns)
    ['cells', 'spearman', 'kendall']
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .benchmark import Benchmark
from .checks import InputError, check_confidence, check_frame, check_int, check_number
from .compare import time_to_target
from matplotlib.figure import Figure

from . import plots
from .plots import as_benchmark

__all__ = ["aligned", "rank_agreement", "top_cells", "retarget", "op_counts", "op_effects", "time_ratio", "landscapes",
           "task_scatter", "effects_plot"]


def aligned(source: Benchmark | str, target: Benchmark | str, metric: str = "val_accuracy") -> pd.DataFrame:
    """One row per cell, in `source`'s order: its mean final `metric` on each task (one column per
    benchmark, named after it). Both benchmarks must hold the same cells of one space."""
    source, target = as_benchmark(source, "source"), as_benchmark(target, "target")
    if type(source.space) is not type(target.space) or set(source.archs) != set(target.archs):
        raise InputError(f"{source.name} and {target.name} do not hold the same cells of one space: "
                         "transfer is measured between two benchmarks of one space, such as cell-mnist1d and "
                         "cell-digits")
    if source.name == target.name:
        raise InputError(f"source and target are both {source.name}: choose two different tasks")
    a, b = source.truth(metric), target.truth(metric)
    return pd.DataFrame({source.name: a, target.name: b.reindex(a.index)})


def _scores(values: object, name: str) -> pd.Series:
    if isinstance(values, (Benchmark, str)):
        return as_benchmark(values, name).truth()
    if not isinstance(values, pd.Series) or values.empty or not values.index.is_unique:
        raise InputError(f"{name} must be a benchmark (or its name) or a pandas Series of scores indexed by cell, "
                         f"such as Benchmark.load('cell-digits').truth(), got {type(values).__name__}")
    return values.astype(float)


def _subset_size(top: int | float | None, n: int) -> int:
    if top is None:
        return n
    if isinstance(top, float) and 0 < top <= 1:
        return max(2, int(round(top * n)))
    return check_int(top, "top", minimum=2, maximum=n)


def rank_agreement(source, target, tops: Sequence[int | float | None] = (None, 0.1, 50), *, by=None) -> pd.DataFrame:
    """Spearman's ρ and Kendall's τ between the source's and the target's scores: over all cells
    (`None`), and among the source's best `top` cells (an int: that many; a float in (0, 1]: that
    share), one row per entry of `tops`. `source` and `target` are benchmarks (their truths are
    used) or Series of scores indexed by cell; only the cells both score count. `by` (scores of
    the same kinds) picks the top cells instead of `source`: to compare two pairs of scores on the
    same cells, e.g. one training seed of a task against its other seeds, among another task's best.

        >>> int(rank_agreement("cell-mnist1d", "cell-digits", tops=[None]).loc["all", "cells"])
        941
    """
    a, b = _scores(source, "source"), _scores(target, "target")
    c = a if by is None else _scores(by, "by")
    common = a.index.intersection(b.index).intersection(c.index)
    if len(common) < 3:
        raise InputError(f"the scores have {len(common)} cells in common: rank agreement needs at least 3")
    a, b, c = a.loc[common].to_numpy(), b.loc[common].to_numpy(), c.loc[common].to_numpy()
    if isinstance(tops, (str, bytes)) or not isinstance(tops, Sequence) or not tops:
        raise InputError("tops must be a list such as [None, 0.1, 50]: None for all cells, a share or a count of the "
                         "source's best")
    order = np.argsort(-c, kind="stable")
    rows = {}
    for top in tops:
        k = _subset_size(top, len(a))
        whose = "source" if by is None else "by"
        share = isinstance(top, float)
        label = "all" if top is None else f"top {top:.0%} of {whose}" if share else f"top {k} of {whose}"
        keep = order[:k]
        rows[label] = {"cells": k, "spearman": stats.spearmanr(a[keep], b[keep]).statistic,
                       "kendall": stats.kendalltau(a[keep], b[keep]).statistic}
    return pd.DataFrame.from_dict(rows, orient="index")


def top_cells(scores, k: int) -> list[str]:
    """The `k` best cells by `scores` (a benchmark: its truth; or a Series indexed by cell), best
    first: the cells a warm start asks first (`WarmStart`).

        >>> top_cells("cell-mnist1d", 1) == [Benchmark.load("cell-mnist1d").truth().idxmax()]
        True
    """
    scores = _scores(scores, "scores")
    k = check_int(k, "k", minimum=1, maximum=len(scores))
    return scores.sort_values(ascending=False, kind="stable").index[:k].tolist()


def retarget(runs: pd.DataFrame, target: Benchmark | str) -> pd.DataFrame:
    """A copy of `compare`'s runs with each incumbent's regrets measured on `target` instead:
    "search on the source, deploy on the target". The incumbents stay those the source's
    validation accuracy chose; the seconds stay the source's."""
    check_frame(runs, "runs", ("strategy", "seed", "incumbent", "val_regret", "test_regret"), "compare()")
    target = as_benchmark(target, "target")
    val, test = target.truth("val_accuracy"), target.truth("test_accuracy")
    space = target.space
    canonical = {s: space.to_string(space.canonical(space.parse(s))) for s in runs["incumbent"].unique()}
    cells = runs["incumbent"].map(canonical)
    if cells.isin(val.index).all():
        out = runs.copy()
        out["val_regret"] = val.max() - val.loc[cells].to_numpy()
        out["test_regret"] = test.max() - test.loc[cells].to_numpy()
        return out
    raise InputError(f"some incumbents are not cells of {target.name}: retarget runs of a benchmark of the same space")


def op_counts(benchmark: Benchmark | str) -> pd.DataFrame:
    """One row per cell of `benchmark`: how many of its edges carry each operation."""
    bench = as_benchmark(benchmark)
    ops = sorted({op for arch in bench.archs for op in arch})
    return pd.DataFrame([[arch.count(op) for op in ops] for arch in bench.archs], columns=ops,
                        index=bench.truth().index)


def op_effects(benchmark: Benchmark | str, metric: str = "val_accuracy", reference: str = "none",
               confidence: float = 0.95) -> pd.DataFrame:
    """A linear regression of every cell's mean final `metric` on its operation counts: the
    effect of putting each operation on one more edge in place of `reference` (whose count the
    others determine), in accuracy, with its standard error and `confidence` interval.

        >>> effects = op_effects("cell-mnist1d")
        >>> bool(effects.loc["conv3", "effect"] > 0)
        True
    """
    bench = as_benchmark(benchmark)
    counts = op_counts(bench)
    if reference not in counts.columns:
        raise InputError(f"reference must be one of the operations: {', '.join(counts.columns)}, got {reference!r}")
    ops = [op for op in counts.columns if op != reference]
    X = np.column_stack([np.ones(len(counts)), counts[ops].to_numpy(float)])
    y = bench.truth(metric).to_numpy()
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    dof = len(y) - X.shape[1]
    sigma2 = float(np.sum((y - X @ coef) ** 2) / dof)
    se = np.sqrt(np.diag(sigma2 * np.linalg.inv(X.T @ X)))
    half = stats.t.ppf(0.5 + confidence / 2, dof) * se
    return pd.DataFrame({"effect": coef[1:], "se": se[1:], "low": coef[1:] - half[1:], "high": coef[1:] + half[1:]},
                        index=pd.Index(ops, name=f"instead of {reference}"))


def time_ratio(runs: pd.DataFrame, strategy: str, baseline: str, target: float = 0.005, *, boot: int = 2000,
               confidence: float = 0.95, seed: int = 0) -> pd.Series:
    """How much sooner `strategy` reaches a validation regret of `target` than `baseline` in
    `compare`'s runs: each one's median simulated seconds to the target over its seeds (a run
    that never gets there counts as infinitely slow, so a median is infinite when fewer than half
    arrive), how many runs arrived, the ratio of the medians with a bootstrap `confidence`
    interval (seeds resampled within each strategy), and the one-sided rank-sum p-value of
    "`strategy` is faster". A ratio of 0.5 means half the time. Taught in lesson 12.

        >>> from nastutor import TabularEvaluator, RandomSearch, RegularizedEvolution
        >>> from nastutor.compare import compare
        >>> runs = compare({"random": RandomSearch(), "evolution": RegularizedEvolution()},
        ...                TabularEvaluator("cell-mnist1d"), None, range(20), seconds=400)
        >>> r = time_ratio(runs, "evolution", "random")
        >>> r.index.tolist()[:4]
        ['median', 'baseline_median', 'ratio', 'low']
    """
    check_frame(runs, "runs", ("strategy", "seed", "total_cost", "val_regret"), "compare()")
    for name in (strategy, baseline):
        if name not in set(runs["strategy"]):
            raise InputError(f"{name!r} is not among the strategies: {', '.join(map(str, runs['strategy'].unique()))}")
    target = check_number(target, "target regret", minimum=0, maximum=1)
    boot = check_int(boot, "boot", minimum=1)
    confidence = check_confidence(confidence)
    times = time_to_target(runs[runs["strategy"].isin([strategy, baseline])], target)
    mine, base = (times.loc[times["strategy"] == n, "seconds"].fillna(np.inf).to_numpy() for n in (strategy, baseline))

    def ratio(a: np.ndarray, b: np.ndarray) -> float:
        top, bottom = np.median(a, axis=-1), np.median(b, axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(np.isinf(top) & np.isinf(bottom), np.nan, top / bottom)

    rng = np.random.default_rng(seed)
    resampled = ratio(rng.choice(mine, (boot, len(mine))), rng.choice(base, (boot, len(base))))
    kept = resampled[~np.isnan(resampled)]      # a resample in which both medians are infinite has no ratio
    point = float(ratio(mine, base))
    low, high = (np.quantile(kept, [(1 - confidence) / 2, (1 + confidence) / 2], method="inverted_cdf")
                 if len(kept) and not np.isnan(point) else (np.nan, np.nan))
    return pd.Series({"median": float(np.median(mine)), "baseline_median": float(np.median(base)),
                      "ratio": point, "low": float(low), "high": float(high),
                      "reached": int(np.isfinite(mine).sum()), "baseline_reached": int(np.isfinite(base).sum()),
                      "runs": len(mine), "p": float(stats.mannwhitneyu(mine, base, alternative="less").pvalue)},
                     name=f"{strategy} vs {baseline}")


def landscapes(source: Benchmark | str, target: Benchmark | str, history=None) -> Figure:
    """The two tasks' landscapes side by side, each cell in the same place (lesson 02's layout)
    and coloured by its accuracy on that task; with a `history` (a search on either task), its
    visited cells and incumbent path drawn on both, so one path is seen through both tasks' eyes.

        >>> fig = landscapes("cell-mnist1d", "cell-digits")
        >>> len(fig.axes)        # two maps and their colour bars
        4
    """
    source, target = as_benchmark(source, "source"), as_benchmark(target, "target")
    aligned(source, target)     # checks that the two hold the same cells
    fig = Figure(figsize=(12, 5.4), layout="constrained")
    for ax, (bench, role) in zip(fig.subplots(1, 2), ((source, "source"), (target, "target"))):
        plots.landscape(bench, history, ax=ax, title=f"{role}: {bench.name}")
    return fig


def task_scatter(source: Benchmark | str, target: Benchmark | str, top: float = 0.1, zoom: float | None = None,
                 ax=None) -> Figure:
    """Every cell's mean final validation accuracy on `source` (x) against `target` (y), with the
    source's best `top` share of the cells in red: where the two rankings agree, and where not.
    With `zoom` (a share), a second panel shows only the source's best `zoom` share of the cells.

        >>> fig = task_scatter("cell-mnist1d", "cell-digits", zoom=0.2)
        >>> [len(c.get_offsets()) for c in fig.axes[0].collections], len(fig.axes)
        ([847, 94], 2)
    """
    table = aligned(source, target)
    s, t = table.columns
    k = _subset_size(top, len(table))
    ranked = table[s].sort_values(ascending=False, kind="stable").index
    best = table.index.isin(ranked[:k])
    if zoom is not None and ax is not None:
        raise InputError("give zoom or ax, not both: a zoomed figure has two panels of its own")
    if zoom is None:
        fig, ax = plots._new_axes(ax, (6.4, 4.6))
        axes = [ax]
    else:
        fig = Figure(figsize=(11, 4.2), layout="constrained")
        axes = fig.subplots(1, 2)
    for ax in axes:
        ax.scatter(table.loc[~best, s], table.loc[~best, t], s=8, alpha=0.4, label="the other cells")
        ax.scatter(table.loc[best, s], table.loc[best, t], s=12, color="tab:red", label=f"{s}'s best {k}")
        ax.set(xlabel=f"mean validation accuracy on {s}", ylabel=f"mean validation accuracy on {t}",
               title="Every cell on both tasks")
    axes[0].legend(loc="upper left")
    if zoom is not None:
        near = table.loc[ranked[:_subset_size(zoom, len(table))]]
        pad = 0.02 * (near.max() - near.min())
        axes[1].set(xlim=(near[s].min() - pad[s], near[s].max() + pad[s]),
                    ylim=(near[t].min() - pad[t], near[t].max() + pad[t]), title=f"zoomed in: {s}'s best {len(near)}")
    return fig


def effects_plot(effects: pd.DataFrame, ax=None) -> Figure:
    """`op_effects` of several tasks side by side (`effects` indexed by task, then operation, as
    `pd.concat({name: op_effects(name) for name in names})` makes it): each operation's effect in
    percentage points with its confidence interval, one colour per task.

        >>> fig = effects_plot(pd.concat({n: op_effects(n) for n in ("cell-mnist1d", "cell-digits")}))
        >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
        ['avgpool3 instead of none', 'conv3 instead of none', 'skip instead of none']
    """
    check_frame(effects, "effects", ("effect", "low", "high"), "op_effects()")
    if effects.index.nlevels != 2:
        raise InputError("effects must be indexed by task, then operation: pd.concat({name: op_effects(name) ...})")
    tasks = list(dict.fromkeys(effects.index.get_level_values(0)))
    ops = list(dict.fromkeys(effects.index.get_level_values(1)))
    reference = effects.index.levels[1].name or ""
    fig, ax = plots._new_axes(ax, (7.5, 3.4))
    width = 0.5 / len(tasks)
    for k, task in enumerate(tasks):
        e = effects.loc[task].reindex(ops)
        ax.errorbar(np.arange(len(ops)) + (k - (len(tasks) - 1) / 2) * width, 100 * e["effect"],
                    yerr=[100 * (e["effect"] - e["low"]), 100 * (e["high"] - e["effect"])], fmt="o", capsize=4,
                    label=task)
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xticks(range(len(ops)), [f"{op} {reference}".strip() for op in ops])
    ax.set(ylabel="effect on accuracy (pp per edge)", title="What one more edge of each operation is worth")
    ax.legend()
    return fig
