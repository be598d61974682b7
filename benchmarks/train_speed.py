"""Seconds per trained candidate, one worker vs two, for both spaces (issue 2).

    python benchmarks/train_speed.py [--candidates 8]

Runs the same random search (same seed, same candidates) serially and with two worker
processes, under each space's default protocol, and prints seconds per candidate and the
speed-up ratio. The serial run is the baseline, measured in the same process.
"""
from __future__ import annotations

import argparse
import time

import nastutor as nt


def _warm_up(_: int) -> None:
    """Import torch and load the data in a worker, so start-up is timed apart."""
    nt.load_dataset("mnist1d")
    time.sleep(0.5)


def seconds_per_candidate(space, n: int, pool=None) -> tuple[float, float]:
    evaluator = nt.LiveEvaluator(space, "mnist1d")
    start = time.perf_counter()
    history = nt.run_search(nt.RandomSearch(), evaluator, budget=n, seed=0, executor=pool, progress=False)
    return (time.perf_counter() - start) / n, history.best.val_accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=12)
    args = parser.parse_args()
    start = time.perf_counter()
    pool = nt.make_executor(2)
    list(pool.map(_warm_up, range(2)))
    print(f"starting 2 worker processes took {time.perf_counter() - start:.1f} s (paid once per pool)")
    print(f"{'space':6} {'protocol':22} {'1 worker s/cand':>16} {'2 workers s/cand':>17} {'speed-up':>9}")
    with pool:
        for space in (nt.MLPSpace(), nt.CellSpace()):
            config = nt.default_config(space)
            one, best1 = seconds_per_candidate(space, args.candidates)
            two, best2 = seconds_per_candidate(space, args.candidates, pool)
            assert best1 == best2, "the parallel search must find the same results"
            protocol = f"{config.epochs} epochs, batch {config.batch_size}"
            print(f"{space.name:6} {protocol:22} {one:16.2f} {two:17.2f} {one / two:8.2f}x")


if __name__ == "__main__":
    main()
