"""A simulator of N parallel workers: the same search, run on N workers in simulated time.

Each evaluation occupies a worker for its recorded seconds (`Evaluation.cost`, the benchmark's
training time), and a heap of events says who finishes next. Three ways to drive the strategy:

- **sync**: ask N candidates, wait for all N, tell all N in the order asked (generations;
  every worker waits for the slowest of its batch);
- **ordered**: what `run_search(executor=...)` does: N asks in flight, told in the order
  asked; when the oldest is told, the next candidate is asked at once (a worker whose
  candidate finished early still waits for the older ones to be told);
- **async**: `run_search(asynchronous=True)`: tell each result as it finishes and ask the
  next candidate at once, so no worker waits (Real et al. 2019 evolved this way).

It reports the simulated wall-clock time, the workers' utilisation (busy seconds over
N x wall clock) and the incumbent's regret against wall-clock time. With one worker all three
are the serial search, `run_search` itself. Same seed, same result. Taught in lesson 13.

    >>> from nastutor import RegularizedEvolution, TabularEvaluator
    >>> evaluator = TabularEvaluator("cell-mnist1d")
    >>> run = simulate(RegularizedEvolution(), evaluator, workers=8, mode="async", budget=100, seed=0)
    >>> len(run.history), 0 < run.utilisation <= 1, run.wall_clock < run.history.total_cost
    (100, True, True)
"""
from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass, replace
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .checks import InputError, check_frame, check_int, check_number, check_seed, check_seeds
from .evaluators import Evaluator, TabularEvaluator
from .history import History
from .records import Evaluation
from .search import evaluation_seed
from .strategies import SearchExhausted, Strategy

__all__ = ["MODES", "ParallelRun", "simulate", "scaling", "speedup"]

#: How the simulated workers drive the strategy (see the module's docstring).
MODES = ("sync", "ordered", "async")


@dataclass(frozen=True)
class ParallelRun:
    """A search simulated on `workers` workers in `mode`.

    `history` holds the evaluations in the order the strategy was told (each with its ask
    number, `step`). `frame` is `history.to_frame()` with, per evaluation, its ask number
    (`ask`), the worker that ran it, when it started and finished, when it was told (`time`,
    the simulated wall clock) and the incumbent's regret then (`val_regret`, `test_regret`:
    NaN unless the evaluator is a tabular benchmark). `wall_clock` is when the last result was
    told; `utilisation` the share of the workers' time spent evaluating until then.
    """

    workers: int
    mode: str
    history: History
    frame: pd.DataFrame
    wall_clock: float
    utilisation: float

    def seconds_to(self, target: float = 0.005, metric: str = "val_regret") -> float:
        """Simulated wall-clock seconds until the incumbent's regret first fell to `target` or
        below (0.005: within 0.5 pp of the optimum); NaN if it never did."""
        target = check_number(target, "target regret", minimum=0, maximum=1)
        if metric not in ("val_regret", "test_regret"):
            raise InputError(f"metric must be val_regret or test_regret, got {metric!r}")
        hit = self.frame.loc[self.frame[metric] <= target, "time"]
        return float(hit.iloc[0]) if len(hit) else math.nan


@dataclass(frozen=True)
class _Job:
    """One evaluation on a simulated worker."""

    finish: float
    step: int
    worker: int
    start: float
    evaluation: Evaluation


class _Simulation:
    """The state of one simulated search: the strategy, the workers (a heap of (free from,
    worker)), every job started, and what was told when."""

    def __init__(self, strategy: Strategy, evaluator: Evaluator, workers: int, seed: int, epochs: int,
                 budget: int, target: float | None):
        self.strategy, self.evaluator, self.workers = strategy, evaluator, workers
        self.seed, self.epochs, self.budget, self.target = seed, epochs, budget, target
        self.free = [(0.0, w) for w in range(workers)]
        self.asked, self.exhausted, self.reached = 0, False, False
        self.started: list[_Job] = []
        self.told: list[tuple[_Job, float, float, float]] = []  # job, time, val regret, test regret
        self.best: Evaluation | None = None
        self.truth = _truth(evaluator)

    def may_ask(self) -> bool:
        return not self.exhausted and not self.reached and self.asked < self.budget

    def start(self, clock: float) -> _Job | None:
        """Ask for the next candidate at `clock` and run it on the first free worker."""
        try:
            arch = self.strategy.ask()
        except SearchExhausted:
            self.exhausted = True
            return None
        epochs = self.evaluator.check_epochs(self.strategy.fidelity() or self.epochs)
        step, self.asked = self.asked, self.asked + 1
        evaluation = self.evaluator.evaluate(arch, epochs=epochs, seed=evaluation_seed(self.seed, step))
        evaluation = replace(evaluation, step=step)
        free_from, worker = heapq.heappop(self.free)
        begin = max(clock, free_from)
        job = _Job(begin + evaluation.cost, step, worker, begin, evaluation)
        heapq.heappush(self.free, (job.finish, worker))
        self.started.append(job)
        return job

    def tell(self, job: _Job, clock: float) -> None:
        """Tell the strategy `job`'s result at `clock`; note the incumbent's regret."""
        self.strategy.tell(job.evaluation.arch, job.evaluation)
        if self.best is None or job.evaluation.val_accuracy > self.best.val_accuracy:
            self.best = job.evaluation
        val, test = self.truth(self.best)
        self.told.append((job, clock, val, test))
        if self.target is not None and val <= self.target:
            self.reached = True

    def run_sync(self) -> None:
        clock = 0.0
        while self.may_ask():
            batch = []
            while len(batch) < self.workers and self.may_ask() and (job := self.start(clock)):
                batch.append(job)
            if not batch:
                break
            clock = max(job.finish for job in batch)  # the slowest of the batch
            for job in batch:  # in the order asked
                if not self.reached:
                    self.tell(job, clock)

    def run_ordered(self) -> None:
        clock, pending = 0.0, deque()
        while True:
            while len(pending) < self.workers and self.may_ask() and (job := self.start(clock)):
                pending.append(job)
            if not pending or self.reached:
                break
            job = pending.popleft()  # the oldest ask
            clock = max(clock, job.finish)
            self.tell(job, clock)

    def run_async(self) -> None:
        clock, running = 0.0, []
        while True:
            while len(running) < self.workers and self.may_ask() and (job := self.start(clock)):
                heapq.heappush(running, (job.finish, job.step, job))
            if not running or self.reached:
                break
            clock, _, job = heapq.heappop(running)  # the first to finish (the oldest ask among ties)
            self.tell(job, clock)

    def result(self, mode: str) -> ParallelRun:
        history = History(self.evaluator.space, [job.evaluation for job, *_ in self.told])
        wall = self.told[-1][1] if self.told else 0.0
        busy = sum(max(0.0, min(job.finish, wall) - job.start) for job in self.started)
        frame = history.to_frame()
        frame["ask"] = [job.step for job, *_ in self.told]
        frame["worker"] = [job.worker for job, *_ in self.told]
        frame["start"] = [job.start for job, *_ in self.told]
        frame["finish"] = [job.finish for job, *_ in self.told]
        frame["time"] = [time for _, time, _, _ in self.told]
        frame["val_regret"] = [val for *_, val, _ in self.told]
        frame["test_regret"] = [test for *_, test in self.told]
        return ParallelRun(self.workers, mode, history, frame, wall,
                           busy / (self.workers * wall) if wall > 0 else math.nan)


def _truth(evaluator: Evaluator):
    """The incumbent's regret (validation, test) against the benchmark's ground truth (the mean
    final accuracy over seeds, as `compare.regret_frame`); NaN without a tabular benchmark."""
    if not isinstance(evaluator, TabularEvaluator):
        return lambda evaluation: (math.nan, math.nan)
    bench = evaluator.benchmark
    val, test = bench.val[:, :, -1].mean(axis=1), bench.test[:, :, -1].mean(axis=1)

    def regret(evaluation: Evaluation) -> tuple[float, float]:
        row = bench.index(evaluation.arch)
        return float(val.max() - val[row]), float(test.max() - test[row])
    return regret


def simulate(strategy: Strategy, evaluator: Evaluator, workers: int, mode: str = "async", budget: int = 100, *,
             seed: int = 0, epochs: int | None = None, target: float | None = None) -> ParallelRun:
    """Simulate `strategy` searching with `workers` parallel workers in `mode` ("sync",
    "ordered" or "async": see the module), until `budget` evaluations are told (or the strategy
    is exhausted, or, with `target`, the incumbent's validation regret is at most `target`).

    `evaluator` is normally a `TabularEvaluator`: its recorded training seconds are the
    evaluations' durations, and regret is measured against its ground truth (`target` needs
    one). Evaluation seeds are those of `run_search`, so one worker gives `run_search`'s own
    history in every mode. Taught in lesson 13.

        >>> from nastutor import RandomSearch, TabularEvaluator
        >>> run = simulate(RandomSearch(), TabularEvaluator("cell-mnist1d"), workers=4, mode="sync", budget=8)
        >>> run.frame["time"].nunique()   # two batches of four, each told when its slowest finishes
        2
    """
    if not isinstance(strategy, Strategy):
        raise InputError(f"strategy must be a Strategy such as RegularizedEvolution(), got {strategy!r}")
    if not isinstance(evaluator, Evaluator):
        raise InputError(f"evaluator must be an Evaluator such as TabularEvaluator('cell-mnist1d'), got {evaluator!r}")
    workers = check_int(workers, "workers", minimum=1)
    if mode not in MODES:
        raise InputError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    budget, seed = check_int(budget, "budget", minimum=1), check_seed(seed)
    epochs = evaluator.check_epochs(epochs)
    if target is not None:
        if not isinstance(evaluator, TabularEvaluator):
            raise InputError("target needs a TabularEvaluator: regret is measured against its ground truth")
        target = check_number(target, "target regret", minimum=0, maximum=1)
    strategy.setup(evaluator.space, seed, evaluator.max_epochs)
    sim = _Simulation(strategy, evaluator, workers, seed, epochs, budget, target)
    {"sync": sim.run_sync, "ordered": sim.run_ordered, "async": sim.run_async}[mode]()
    return sim.result(mode)


def scaling(strategies: Mapping[str, Strategy], evaluator: TabularEvaluator, workers: Iterable[int] = (1, 8, 64, 256),
            modes: Iterable[str] = ("sync", "async"), seeds: Iterable[int] = range(10), budget: int = 1000,
            target: float = 0.005, progress: bool = True) -> pd.DataFrame:
    """Simulate every strategy on every number of `workers`, in every mode, once per seed, each
    run stopping once its incumbent is within `target` of the optimum (or after `budget`
    evaluations). One row per run: strategy, mode, workers, seed, `seconds` to the target (NaN
    if not reached), `evaluations` told by then, `wall_clock` and `utilisation` (both up to the
    target, or to the end). Taught in lesson 13.

        >>> from nastutor import RandomSearch, TabularEvaluator
        >>> runs = scaling({"random": RandomSearch()}, TabularEvaluator("cell-mnist1d"), workers=[1, 8],
        ...                seeds=range(3), progress=False)
        >>> runs.shape, list(runs.columns[:4])
        ((12, 8), ['strategy', 'mode', 'workers', 'seed'])
    """
    if not isinstance(evaluator, TabularEvaluator):
        raise InputError("scaling needs a TabularEvaluator: regret is measured against its ground truth")
    if (not isinstance(strategies, Mapping) or not strategies
            or not all(isinstance(n, str) and isinstance(s, Strategy) for n, s in strategies.items())):
        raise InputError("strategies must map names to Strategy objects, e.g. {'evolution': RegularizedEvolution()}")
    counts = _distinct([check_int(n, "each number of workers", minimum=1) for n in workers], "workers")
    modes = _distinct(list(modes), "modes")
    for mode in modes:
        if mode not in MODES:
            raise InputError(f"each mode must be one of {', '.join(MODES)}, got {mode!r}")
    seeds = check_seeds(seeds)
    cases = [(name, mode, n, seed) for name in strategies for mode in modes for n in counts for seed in seeds]
    rows = []
    for name, mode, n, seed in tqdm(cases, disable=not progress, desc="simulating", unit="run"):
        run = simulate(strategies[name], evaluator, n, mode, budget, seed=seed, target=target)
        seconds = run.seconds_to(target)
        rows.append({"strategy": name, "mode": mode, "workers": n, "seed": seed, "seconds": seconds,
                     "evaluations": len(run.history) if not math.isnan(seconds) else math.nan,
                     "wall_clock": run.wall_clock, "utilisation": run.utilisation})
    return pd.DataFrame(rows)


def speedup(runs: pd.DataFrame) -> pd.DataFrame:
    """From `scaling`'s runs: per strategy, mode and number of workers, the median seconds to the
    target (a run that never reached it counts as slower than any that did), the speedup (the
    median with one worker, in the same mode, over the median with N: N workers would be N times
    faster if parallel search were free), the mean utilisation and the share of runs that reached
    the target. The seconds and the speedup are NaN when half the runs or more missed it.

    A median, not a mean: on a noisy benchmark a few runs never get within the target (their
    incumbent is an architecture that was lucky once), and a mean over the others would flatter.
    Taught in lesson 13.

        >>> from nastutor import RandomSearch, TabularEvaluator
        >>> runs = scaling({"random": RandomSearch()}, TabularEvaluator("cell-mnist1d"), workers=[1, 8],
        ...                modes=["async"], seeds=range(5), progress=False)
        >>> table = speedup(runs)
        >>> float(table["speedup"].iloc[0]), bool(table["speedup"].iloc[1] > 1)
        (1.0, True)
    """
    check_frame(runs, "runs", ("strategy", "mode", "workers", "seed", "seconds", "utilisation"), "scaling()")
    keys = ["strategy", "mode", "workers"]
    table = runs.groupby(keys, sort=False).agg(
        seconds=("seconds", _median_time), utilisation=("utilisation", "mean"),
        reached=("seconds", lambda s: float(s.notna().mean()))).reset_index()
    serial = table[table["workers"] == 1].set_index(["strategy", "mode"])["seconds"]
    if serial.empty:
        raise InputError("runs has no run with 1 worker: include 1 in scaling(workers=...) to measure a speedup")
    one = [serial.get((s, m), np.nan) for s, m in zip(table["strategy"], table["mode"])]
    table["speedup"] = np.asarray(one, dtype=float) / table["seconds"]
    return table[["strategy", "mode", "workers", "seconds", "speedup", "utilisation", "reached"]]


def _median_time(seconds: pd.Series) -> float:
    """The median of times to a target, a miss (NaN) counting as forever; NaN if that is forever."""
    median = float(np.median(seconds.fillna(np.inf).to_numpy()))
    return median if math.isfinite(median) else math.nan


def _distinct(values: list, name: str) -> list:
    if not values or len(set(values)) < len(values):
        raise InputError(f"{name} must list distinct values, at least one, got {values!r}")
    return values
