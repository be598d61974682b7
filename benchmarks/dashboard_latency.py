"""Time from a control change to the updated figure in the search dashboard (issue 5).

    python benchmarks/dashboard_latency.py [--repeats 30]

In-process (no browser): the time from setting a control's value until its observer has
pushed the new trace data into the `FigureWidget`. Measured for a 200-evaluation tabular
search of regularized evolution on cell-mnist1d:

- budget slider moves (the search is cached and only sliced: the common case);
- seed changes (a new 200-evaluation search is run, then drawn);

against two baselines measured in the same run: running the 200-evaluation search alone,
and building the dashboard's figure from scratch (what a naive redraw would cost).
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import nastutor as nt
from nastutor.interactive import search_dashboard
from nastutor.strategies import RegularizedEvolution


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    board = search_dashboard("cell-mnist1d", strategy="evolution", budget=200, max_budget=500)
    budgets = rng.integers(150, 201, args.repeats)

    def move(b):
        board.budget.value = int(b) if board.budget.value != b else int(b) - 1

    slider = [timed(lambda b=b: move(b)) for b in budgets]
    board.budget.value = 200
    seeds = [timed(lambda s=s: setattr(board.seed, "value", int(s))) for s in range(1, args.repeats + 1)]
    ev = nt.TabularEvaluator("cell-mnist1d")
    search = [timed(lambda s=s: nt.run_search(RegularizedEvolution(), ev, 200, seed=s, progress=False))
              for s in range(args.repeats)]
    rebuild = [timed(board._make_figure) for _ in range(max(3, args.repeats // 5))]

    rows = {"budget slider -> figure": slider, "seed change -> new search + figure": seeds,
            "baseline: 200-evaluation search alone": search, "baseline: build the figure from scratch": rebuild}
    base = statistics.median(search)
    print(f"{'':42s} {'median ms':>10s} {'p90 ms':>8s} {'vs search':>10s}")
    for name, values in rows.items():
        med = statistics.median(values)
        print(f"{name:42s} {1000 * med:10.1f} {1000 * float(np.quantile(values, 0.9)):8.1f} {med / base:10.2f}x")
    print(f"\ntarget: budget slider -> figure at most 150 ms: "
          f"{'met' if statistics.median(slider) <= 0.150 else 'NOT met'}")


if __name__ == "__main__":
    main()
