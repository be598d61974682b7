"""Lesson 08's comparison, printed: local search, Bayesian optimisation, successive halving (first rung
at 1 and at 4 epochs), Hyperband, random search and Optuna's TPE over 100 seeds each, budgets in
simulated seconds (lesson 07's protocol): mean validation regret with its 95% CI and the one-sided
rank-sum p against random search at each budget, the fix against plain successive halving, and each
epoch's rank correlation with the final ranking (`nastutor.fidelity.rank_by_epoch`) on both cell
benchmarks. Also the seconds each strategy's 100 runs took on this machine, as ratios to random search's.

    python benchmarks/model_based.py [--benchmark cell-mnist1d] [--seeds 100] [--workers 2]
"""
from __future__ import annotations

import argparse
import time

import pandas as pd

import nastutor as nt
from nastutor.compare import compare, summarize
from nastutor.exercises.lesson08 import SECONDS
from nastutor.fidelity import rank_by_epoch


def contestants() -> dict[str, nt.Strategy]:
    """The strategies of lesson 08's section 5, with the lesson's settings."""
    return {"random": nt.RandomSearch(), "local": nt.LocalSearch(), "bo": nt.BayesianOptimization(),
            "sh": nt.SuccessiveHalving(), "sh, first rung 4 epochs": nt.SuccessiveHalving(min_epochs=4),
            "hyperband": nt.Hyperband(), "tpe": nt.OptunaSampler("tpe")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--benchmark", default="cell-mnist1d")
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    ev = nt.TabularEvaluator(args.benchmark)
    runs, took = [], {}
    with nt.make_executor(args.workers) as pool:
        for name, strategy in contestants().items():
            start = time.perf_counter()
            runs.append(compare({name: strategy}, ev, budget=None, seconds=max(SECONDS), seeds=range(args.seeds),
                                executor=pool))
            took[name] = time.perf_counter() - start
    runs = pd.concat(runs)
    pd.set_option("display.width", 200)
    print(f"{args.benchmark}: {args.seeds} seeds; validation regret in pp (mean, 95% CI half-width), "
          "one-sided rank-sum p against random search")
    for seconds in SECONDS:
        table = summarize(runs, seconds=seconds, baseline="random")
        vs_sh = summarize(runs[runs["strategy"].isin(["sh", "sh, first rung 4 epochs"])], seconds=seconds,
                          baseline="sh").set_index("strategy")["val_regret_p"]
        print(f"\nafter {seconds} simulated seconds:")
        for row in table.itertuples():
            p = "" if pd.isna(row.val_regret_p) else f"p = {row.val_regret_p:.2g}"
            print(f"  {row.strategy:<24} {100 * row.val_regret:6.3f} ± {100 * row.val_regret_ci:5.3f} pp  {p}")
        print(f"  the fix against plain successive halving: p = {vs_sh['sh, first rung 4 epochs']:.2g}")
    print("\nKendall's tau of epoch e with the final ranking:")
    for name in ("cell-mnist1d", "cell-digits"):
        curve = rank_by_epoch(nt.Benchmark.load(name))
        print(f"  {name:<13}" + " ".join(f"{t:5.2f}" for t in curve["kendall"]))
    print("\nwall seconds for all seeds (ratio to random search):")
    for name, seconds in took.items():
        print(f"  {name:<24} {seconds:6.1f} s ({seconds / took['random']:.1f}x)")


if __name__ == "__main__":
    main()
