"""Scaling out (issue 19): what a Dask cluster costs against a process pool, and what the simulator
says about many workers.

    python benchmarks/scale_out.py [--budget 12] [--epochs 400] [--repeats 3] [--seeds 100]

1. A live random search over MLPs on MNIST-1D (`budget` trainings of `epochs` epochs), timed
   serially, on `make_executor(2)` and on a Dask `LocalCluster` of two worker processes with one
   thread each; both pools warmed up first (their workers import PyTorch and load the data once),
   each timing the median of `repeats` runs, the three interleaved. On a machine shared with other
   work the times move with its load: compare them on an otherwise idle machine. Random search asks
   the same candidates whatever the timing, so all three train the same networks. Goal: Dask at most
   10% slower than the pool. The default 400 epochs make each training last seconds, as the
   benchmark's do; with 50 (a fraction of a second each) Dask's fixed cost per task dominates.
2. The simulator (`nastutor.parallel.scaling`): regularized evolution on cell-mnist1d, sync against
   async, the median simulated seconds to come within 0.5 pp of the optimum over `seeds` seeds, and
   the speedup against one worker at N = 8, 64 and 256.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import statistics
import time

import nastutor as nt
from nastutor.parallel import scaling, speedup
from nastutor.spaces import MLPSpace
from nastutor.training import TrainConfig


def search(evaluator, budget: int, executor=None) -> tuple[float, nt.History]:
    """Wall-clock seconds of one live random search, and its history."""
    start = time.perf_counter()
    history = nt.run_search(nt.RandomSearch(), evaluator, budget, seed=0, executor=executor, progress=False)
    return time.perf_counter() - start, history


def live(args) -> None:
    from distributed import Client, LocalCluster

    evaluator = nt.LiveEvaluator(MLPSpace(), "mnist1d", TrainConfig(epochs=args.epochs))
    times = {"serial": [], "pool": [], "dask": []}
    with nt.make_executor(2) as pool, LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                                   host="127.0.0.1", dashboard_address=None,
                                                   silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        client.wait_for_workers(2)
        client.run(importlib.import_module, "nastutor.training")
        executors = {"serial": None, "pool": pool, "dask": client.get_executor()}
        for executor in executors.values():
            search(evaluator, 2, executor)  # warm-up: every worker imports PyTorch and loads the data once
        histories = {}
        for _ in range(args.repeats):  # interleaved, so that a change in the machine's load hits all three
            for name, executor in executors.items():
                seconds, histories[name] = search(evaluator, args.budget, executor)
                times[name].append(seconds)
    serial, pooled, dask = (statistics.median(times[name]) for name in ("serial", "pool", "dask"))
    same = len({tuple(e.arch for e in h) for h in histories.values()}) == 1
    print(f"live search: {args.budget} MLPs x {args.epochs} epochs on MNIST-1D, median of {args.repeats} runs "
          f"(same architectures in all three: {same})")
    print(f"  serial:            {serial:7.2f} s   (runs: {', '.join(f'{t:.1f}' for t in times['serial'])})")
    print(f"  make_executor(2):  {pooled:7.2f} s   speedup {serial / pooled:.2f}x against serial "
          f"(runs: {', '.join(f'{t:.1f}' for t in times['pool'])})")
    print(f"  Dask, 2 workers:   {dask:7.2f} s   speedup {serial / dask:.2f}x against serial "
          f"(runs: {', '.join(f'{t:.1f}' for t in times['dask'])})")
    print(f"  Dask against the pool: {dask / pooled:.3f}x its time, overhead {100 * (dask / pooled - 1):+.1f}% "
          f"(goal: at most +10%)")


def simulated(args) -> None:
    workers = (1, 8, 64, 256)
    runs = scaling({"evolution": nt.RegularizedEvolution()}, nt.TabularEvaluator("cell-mnist1d"), workers=workers,
                   modes=("sync", "async"), seeds=range(args.seeds), target=0.005, progress=False)
    table = speedup(runs).set_index(["mode", "workers"])
    print(f"simulator: regularized evolution on cell-mnist1d, to within 0.5 pp of the optimum, "
          f"median of {args.seeds} seeds")
    print(f"  {'workers':>7}  {'sync s':>8}  {'sync x':>7}  {'sync util':>9}  {'async s':>8}  {'async x':>7}  "
          f"{'async util':>10}")
    for n in workers:
        s, a = table.loc[("sync", n)], table.loc[("async", n)]
        print(f"  {n:>7}  {s['seconds']:8.1f}  {s['speedup']:7.1f}  {s['utilisation']:9.0%}  {a['seconds']:8.1f}  "
              f"{a['speedup']:7.1f}  {a['utilisation']:10.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=12)
    parser.add_argument("--epochs", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=100)
    args = parser.parse_args()
    live(args)
    simulated(args)


if __name__ == "__main__":
    main()
