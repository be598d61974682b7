"""Transfer between the two cell benchmarks (lesson 12): rank agreement, search on the source and
deploy on the target, and warm starts against cold starts, with time-to-target ratios at several
targets and a negative-transfer check. Every warm start is compared with its cold start in the
same run (the ratio of their median simulated seconds to the target), 100 seeds by default.

    python benchmarks/transfer.py                  # both directions, 100 seeds, 400 simulated seconds
    python benchmarks/transfer.py --seeds 20       # quicker
"""
from __future__ import annotations

import argparse
import time

import pandas as pd

import nastutor as nt
from nastutor.exercises.lesson12 import (SECONDS, TASKS, TARGETS, agreement_table, deploy_table, negative_transfer,
                                         ratio_table, transfer_runs)
from nastutor.transfer import time_ratio

TARGET_GRID = (0.005, 0.01, 0.02, 0.03)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=100, help="seeds per search (default 100)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    started = time.perf_counter()
    print("Rank agreement (Spearman, Kendall), overall and among the source's best; the noise ceiling below:")
    print(agreement_table().round(3).to_string(), "\n")
    with nt.make_executor(args.workers) as pool:
        runs = {(s, t): transfer_runs(s, t, range(args.seeds), executor=pool) for s, t in (TASKS, TASKS[::-1])}
    print(f"Search on the source, deploy on the target ({args.seeds} seeds, regret on the target):")
    cols = ["val_regret", "val_regret_ci", "val_regret_p", "test_regret", "test_regret_ci", "runs"]
    print(deploy_table(runs)[cols].round(4).to_string(), "\n")
    print(f"Warm against cold, time to the lesson's targets {({k: 100 * v for k, v in TARGETS.items()})} pp:")
    print(ratio_table(runs).round(3).to_string(), "\n")
    rows = []
    for (s, t), (on_target, _) in runs.items():
        for eps in TARGET_GRID:
            for warm, cold in (("warm evolution", "evolution"), ("warm random", "random"),
                               ("source's ranking", "evolution")):
                r = time_ratio(on_target, warm, cold, eps)
                rows.append({"direction": f"{s} → {t}", "target (pp)": 100 * eps, "warm": warm, "cold": cold,
                             "ratio": r["ratio"], "low": r["low"], "high": r["high"], "reached": int(r["reached"]),
                             "cold reached": int(r["baseline_reached"]), "p": r["p"]})
    print("Time-to-target ratio (warm / cold median simulated seconds) at every target:")
    print(pd.DataFrame(rows).set_index(["direction", "target (pp)", "warm"]).round(3).to_string(), "\n")
    checks = negative_transfer(runs)
    print(f"Negative transfer: warm evolution against cold evolution (one-sided p of 'warm is worse'); "
          f"read-outs {', '.join(map(str, SECONDS))} s and more:")
    print(checks.round(4).to_string())
    print(f"\n{time.perf_counter() - started:.0f} s wall")


if __name__ == "__main__":
    main()
