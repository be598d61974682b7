"""Strategies compared on cell-mnist1d, as NAS-Bench-201 did (issue 4).

    python benchmarks/strategies.py [--seeds 100] [--workers 2]

Prints, in one run:
1. mean final regret (validation, the searched objective; test, the reported one) of every
   strategy over `--seeds` runs at budgets of 25, 50, 100 and 200 evaluations, with 95%
   confidence intervals and the one-sided rank-sum p-value against random search;
2. the median simulated seconds each strategy needs to come within 0.5 percentage points of
   the optimum (validation), as ratios to random search and to Optuna's TPE ("optuna");
3. ask+tell overhead per evaluation on the tabular benchmark, as ratios to Optuna's
   RandomSampler ("optuna-random") and TPESampler (the baselines, measured in the same run).

The strategies come from the registry (`nastutor.strategies.REGISTRY`), each with its defaults,
plus its named variants (REINFORCE's LSTM controller): a new strategy shows up here by itself.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import nastutor as nt
from nastutor.compare import compare, summarize, time_to_target
from nastutor.strategies import REGISTRY, variants

BUDGETS = (25, 50, 100, 200)


#: Not compared: grid search walks a fixed order (no seeds to average); Optuna's random sampler
#: is the overhead baseline of part 3 only.
LEFT_OUT = ("grid", "optuna-random",   # lesson 11's searches optimise two objectives, not accuracy alone
            "pareto_evolution", "optuna_nsga2", "mnasnet", "mnasnet-reinforce", "mnasnet-random")


def strategies() -> dict[str, nt.Strategy]:
    """Fresh strategies by name: every registered one with its defaults, and its named variants."""
    return {name: s for name, s in variants(list(REGISTRY)).items() if name not in LEFT_OUT}


def overhead(ev: nt.TabularEvaluator, n: int = 300) -> dict[str, float]:
    """Seconds per ask+tell, the evaluator's lookup excluded."""
    out = {}
    for name, s in {**strategies(), "optuna-random": variants(["optuna"])["optuna-random"]}.items():
        if name in ("bo", "reinforce-lstm"):
            continue
        s.setup(ev.space, 0, ev.max_epochs)
        evaluations = []
        spent = 0.0
        for step in range(n):
            t = time.perf_counter()
            arch = s.ask()
            epochs = s.fidelity() or ev.max_epochs
            spent += time.perf_counter() - t
            e = ev.evaluate(arch, epochs=epochs, seed=step)
            t = time.perf_counter()
            s.tell(arch, e)
            spent += time.perf_counter() - t
            evaluations.append(e)
        out[name] = spent / n
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--long", type=int, default=600, help="evaluations per run for time-to-target")
    parser.add_argument("--parts", type=int, nargs="+", default=[1, 2, 3], choices=[1, 2, 3],
                        help="which of the three measurements to run (default: all)")
    args = parser.parse_args()
    ev = nt.TabularEvaluator("cell-mnist1d")
    seeds = range(args.seeds)
    pd.set_option("display.width", 200)

    if 1 in args.parts:
        regret_table(ev, seeds, args.workers)
    if 2 in args.parts:
        time_table(ev, seeds, args.workers, args.long)
    if 3 in args.parts:
        overhead_table(ev)


def regret_table(ev: nt.TabularEvaluator, seeds: range, workers: int) -> None:
    start = time.perf_counter()
    runs = compare(strategies(), ev, budget=max(BUDGETS), seeds=seeds, workers=workers)
    print(f"1. Final regret over {len(seeds)} seeds ({time.perf_counter() - start:.0f} s)")
    table = pd.concat([summarize(runs, b, baseline="random") for b in BUDGETS])
    formats = {c: (lambda v: f"{v:.1e}") if c.endswith("_p") else (lambda v: f"{v:.4f}")
               for c in table.columns if table[c].dtype.kind == "f"}
    print(table.to_string(index=False, formatters=formats))


def time_table(ev: nt.TabularEvaluator, seeds: range, workers: int, evaluations: int) -> None:
    fast = {k: v for k, v in strategies().items() if k != "bo"}
    long = compare(fast, ev, budget=evaluations, seeds=seeds, workers=workers)
    reach = time_to_target(long, target=0.005).groupby("strategy", sort=False)["seconds"]
    # a run that never got there counts as infinitely slow: the median is NaN if half never did
    median = reach.apply(lambda s: s.fillna(np.inf).median()).replace(np.inf, np.nan)
    print(f"\n2. Median simulated seconds to within 0.5 pp of the optimum (runs of {evaluations} evaluations; "
          "NaN: fewer than half got there)")
    frame = pd.DataFrame({"median_s": median, "reached": reach.count() / len(seeds),
                          "vs_random": median / median["random"], "vs_optuna": median / median["optuna"]})
    print(frame.to_string(float_format=lambda v: f"{v:.2f}"))


def overhead_table(ev: nt.TabularEvaluator) -> None:
    costs = overhead(ev)
    print("\n3. ask+tell overhead per evaluation")
    base = pd.DataFrame({"microseconds": {k: 1e6 * v for k, v in costs.items()}})
    base["vs_optuna_random"] = base["microseconds"] / base.loc["optuna-random", "microseconds"]
    base["vs_optuna_tpe"] = base["microseconds"] / base.loc["optuna", "microseconds"]
    print(base.to_string(float_format=lambda v: f"{v:.2f}"))


if __name__ == "__main__":
    main()
