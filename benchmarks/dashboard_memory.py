"""Memory the search dashboard keeps as a learner changes the seed (issue 11).

    python benchmarks/dashboard_memory.py [--changes 200] [--budget 200]

The dashboard caches each search it runs, so that going back to a seed redraws at once. It
used to keep every one (unbounded); it now keeps the `max_cached_runs` most recently shown.
Both are measured in the same run, on two dashboards over cell-mnist1d (regularized
evolution, `--budget` evaluations): the Python memory still allocated after `--changes` seed
changes (tracemalloc, after garbage collection), minus what was allocated before them. The
old behaviour is the same dashboard with a cache limit above the number of changes.
"""
from __future__ import annotations

import argparse
import gc
import tracemalloc

from nastutor.interactive import SearchDashboard, search_dashboard


def growth(board: SearchDashboard, seeds: range) -> int:
    """Bytes still allocated after showing each seed in turn, over those allocated before."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for seed in seeds:
        board.seed.value = seed
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--budget", type=int, default=200)
    args = parser.parse_args()
    seeds = range(1, args.changes + 1)
    results = {}
    for label, limit in (("unbounded cache (before)", args.changes + 1),
                         (f"bounded cache (now, {SearchDashboard.max_cached_runs} runs)", None)):
        board = search_dashboard("cell-mnist1d", strategy="evolution", budget=args.budget, max_budget=args.budget)
        if limit is not None:
            board.max_cached_runs = limit
        results[label] = growth(board, seeds), len(board._runs)
        del board
    print(f"{args.changes} seed changes, {args.budget}-evaluation searches of regularized evolution on cell-mnist1d")
    print(f"{'':42s} {'growth MB':>10s} {'runs kept':>10s}")
    for label, (grown, kept) in results.items():
        print(f"{label:42s} {grown / 2**20:10.1f} {kept:10d}")
    (old, _), (new, _) = results.values()
    print(f"\nbounded / unbounded growth: {new / old:.3f} ({old / max(new, 1):.1f}x less memory kept)")


if __name__ == "__main__":
    main()
