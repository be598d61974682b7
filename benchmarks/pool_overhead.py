"""What a process pool costs per evaluation of a tabular search (issue 11).

    python benchmarks/pool_overhead.py [--budget 300] [--workers 2]

A random search on `cell-mnist1d` through `make_executor(workers)`: seconds per evaluation when
the evaluator travels to the workers whole (the baseline: the benchmark's tables, about 4 MB,
pickled for every job, as before issue 11) against the `TabularEvaluator` as it is now (its
name, folder and digest; each worker loads the benchmark once). Both run in this process, on
the same pool; the serial search is printed for scale.
"""
from __future__ import annotations

import argparse
import pickle
import statistics
import time

import nastutor as nt


class WholeTabular(nt.TabularEvaluator):
    """The baseline: pickles its benchmark whole, as every TabularEvaluator did before."""

    def __reduce__(self):
        return (WholeTabular, (self.benchmark,))


def per_evaluation(evaluator, budget: int, pool=None, repeats: int = 3) -> float:
    """Median seconds per evaluation of a `budget`-evaluation random search."""
    times = []
    for seed in range(repeats):
        start = time.perf_counter()
        nt.run_search(nt.RandomSearch(), evaluator, budget, seed=seed, executor=pool, progress=False)
        times.append((time.perf_counter() - start) / budget)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    bench = nt.Benchmark.load("cell-mnist1d")
    whole, light = WholeTabular(bench), nt.TabularEvaluator("cell-mnist1d")
    print(f"pickled size: whole {len(pickle.dumps(whole)) / 1e6:.1f} MB, now {len(pickle.dumps(light))} bytes")
    serial = per_evaluation(light, args.budget)
    with nt.make_executor(args.workers) as pool:
        per_evaluation(light, 2 * args.workers, pool, repeats=1)  # start the workers, load once
        per_evaluation(whole, 2 * args.workers, pool, repeats=1)
        before = per_evaluation(whole, args.budget, pool)
        after = per_evaluation(light, args.budget, pool)
    print(f"serial:                       {serial * 1e6:8.1f} us per evaluation")
    print(f"{args.workers} workers, evaluator whole: {before * 1e3:8.3f} ms per evaluation (before)")
    print(f"{args.workers} workers, evaluator light: {after * 1e3:8.3f} ms per evaluation (now)")
    print(f"ratio before / now: {before / after:.1f}x")


if __name__ == "__main__":
    main()
