"""Load speed and memory of the shipped benchmarks, and the speed of a tabular search (issue 3).

    python benchmarks/benchmark_load.py

For each benchmark, in a fresh process: seconds to `Benchmark.load` (checksum, schema check,
arrays) against the baseline of only reading the same CSV with pandas, and the resident
memory the load adds. Then a 1000-evaluation random search on `cell-mnist1d` through
`run_search`, against the baseline of a bare loop of samples and lookups.
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

_PROBE = r"""
import json, resource, statistics, sys, time
import pandas as pd
import nastutor as nt
from nastutor.data import data_dir
name = sys.argv[1]
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
bench = nt.Benchmark.load(name)
rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
def best_of(f, n=5):
    times = []
    for _ in range(n):
        t = time.perf_counter(); f(); times.append(time.perf_counter() - t)
    return statistics.median(times)
load = best_of(lambda: nt.Benchmark.load(name))
read = best_of(lambda: pd.read_csv(data_dir() / f"{name}.csv.gz"))
print(json.dumps({"load_s": load, "read_csv_s": read, "rss_mb": (rss1 - rss0) / 1024}))
"""


def search_speed() -> tuple[float, float]:
    import numpy as np

    import nastutor as nt

    ev = nt.TabularEvaluator("cell-mnist1d")
    space = ev.space
    timings, bare = [], []
    for _ in range(5):
        start = time.perf_counter()
        nt.run_search(nt.RandomSearch(), ev, budget=1000, seed=0, progress=False)
        timings.append(time.perf_counter() - start)
        rng = np.random.default_rng(0)
        start = time.perf_counter()
        for step in range(1000):
            ev.evaluate(space.sample(rng), seed=step)
        bare.append(time.perf_counter() - start)
    return statistics.median(timings), statistics.median(bare)


def main() -> None:
    from nastutor.benchmark import BENCHMARKS  # found from data/'s files

    print(f"{'benchmark':14} {'load s':>8} {'read_csv s':>11} {'ratio':>6} {'memory MB':>10}")
    for name in BENCHMARKS:
        out = subprocess.run([sys.executable, "-c", _PROBE, name], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout)
        print(f"{name:14} {r['load_s']:8.3f} {r['read_csv_s']:11.3f} {r['load_s'] / r['read_csv_s']:6.2f} "
              f"{r['rss_mb']:10.1f}")
    search, bare = search_speed()
    print(f"\n1000-evaluation random search on cell-mnist1d via run_search: {search:.3f} s "
          f"(bare sample+lookup loop {bare:.3f} s, ratio {search / bare:.2f})")
    print("targets: load <= 0.5 s and <= 100 MB; the search well under 1 s")


if __name__ == "__main__":
    main()
