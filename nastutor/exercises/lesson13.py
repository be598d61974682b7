"""Exercises of lesson 13 (scaling out): the utilisation of a synchronous batch from its evaluation
times, the speedup of a parallel search from the simulator's runs, and which results an
asynchronous evolution had been told when it asked for candidate k; two "predict, then run"
questions (how busy 8 synchronous workers are, and how much faster 256 asynchronous workers bring
evolution within 0.5 pp of the optimum), answered by the simulator on the shipped benchmark.

    >>> from nastutor.exercises.lesson13 import *     # doctest: +SKIP
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd

from tqdm.auto import tqdm

from ..executors import make_executor, usable_cores
from ..parallel import scaling, simulate, speedup
from ..strategies import RandomSearch, RegularizedEvolution
from ._checking import ____, Exercise, Incorrect, Question, number, same
from ._checking import must_be_function as _callable, returned as _returned
from ._code import forbid as _forbid
from ._shared import evaluator as _evaluator

__all__ = ["____", "q1", "q2", "q3", "p1", "p2", "strategies", "scaling_runs", "scaling_grid", "SEEDS", "WORKERS",
           "TARGET"]

#: The lesson's protocol: seeds, numbers of workers, and the target regret (within 0.5 pp).
SEEDS = range(100)
WORKERS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
TARGET = 0.005


def strategies() -> dict:
    """The two strategies the lesson scales out, fresh."""
    return {"random": RandomSearch(), "evolution": RegularizedEvolution()}


@lru_cache(maxsize=None)
def scaling_runs(seeds: range = SEEDS, workers: tuple = WORKERS, modes: tuple = ("sync", "async"),
                 names: tuple = ("random", "evolution"), progress: bool = True) -> pd.DataFrame:
    """`scaling` of the lesson's strategies on cell-mnist1d, every run stopping within TARGET of
    the optimum (computed once per argument set)."""
    chosen = {name: s for name, s in strategies().items() if name in names}
    return scaling(chosen, _evaluator("cell-mnist1d"), workers=workers, modes=modes, seeds=seeds, target=TARGET,
                   progress=progress)


def scaling_grid(seeds: range = SEEDS, processes: int = 2) -> pd.DataFrame:
    """`scaling_runs` of both strategies in both modes on every number of WORKERS, the four
    (strategy, mode) parts simulated on `processes` worker processes, in `scaling`'s row order
    (`processes=1`: in this process, where starting processes would cost more than it saves)."""
    parts = [(seeds, WORKERS, (mode,), (name,), False) for name in ("random", "evolution") for mode in ("sync", "async")]
    if processes == 1:
        return scaling_runs(seeds)
    with make_executor(max(1, min(processes, usable_cores()))) as pool:
        futures = [pool.submit(scaling_runs, *part) for part in parts]
        frames = [f.result() for f in tqdm(futures, desc="simulating 1 to 256 workers", unit="part")]
    return pd.concat(frames, ignore_index=True)


# -- q1: the utilisation of one synchronous batch -------------------------------------------------

def batch_utilisation(times):
    """The share of N workers' time spent evaluating during one synchronous batch whose N
    evaluations take `times` seconds: sum(times) / (N * max(times))."""
    t = np.asarray(times, dtype=float)
    return float(t.sum() / (len(t) * t.max()))


def _batches():
    """Batches of evaluation times: hand-made ones, and first batches of simulated synchronous
    random searches, with the simulator's own utilisation as an independent oracle."""
    cases = [([2.0, 2.0, 2.0], None), ([1.0, 3.0], None), ([5.0], None), ([1.0, 1.0, 1.0, 9.0], None)]
    for workers, seed in ((2, 0), (8, 1), (32, 2), (100, 3)):
        run = simulate(RandomSearch(), _evaluator("cell-mnist1d"), workers, "sync", budget=workers, seed=seed)
        cases.append((run.history.to_frame()["cost"].tolist(), run.utilisation))
    return cases


def _check_utilisation(learner) -> None:
    _callable(learner, "batch_utilisation")
    _forbid(learner, {"simulate": "nt.simulate", "utilisation": "the simulator's `run.utilisation`"},
            "compute it from the times")
    for times, oracle in _batches():
        got = number(_returned(learner(list(times)), "`batch_utilisation`"), "your utilisation")
        if not 0 < got <= 1 + 1e-9:
            raise Incorrect(f"for times {times[:4]}{' …' if len(times) > 4 else ''} your utilisation is {got:.3g}: a "
                            "share of the workers' time is between 0 and 1 (busy seconds over N × the batch's length)")
        what = f"for a batch of {len(times)} evaluation{'s' * (len(times) > 1)}, your utilisation"
        same(got, batch_utilisation(times), what=what)
        if oracle is not None:
            same(got, oracle, what=f"{what} (against the simulator's)")


q1 = Exercise(
    "q1", var="batch_utilisation", checker=_check_utilisation, reference=lambda: batch_utilisation,
    hint="""
The batch lasts as long as its slowest evaluation, `max(times)`, and each of the N workers is
held for all of it: N × max(times) worker-seconds are paid for.

Of those, the workers are busy for the evaluations' own seconds, `sum(times)`. The utilisation
is busy over paid.

`t = np.asarray(times, dtype=float)`; return `t.sum() / (len(t) * t.max())`.
""")


# -- q2: the speedup from the simulator's runs ----------------------------------------------------

def speedup_at(runs, strategy, mode, workers):
    """From `scaling`'s runs: the median seconds to the target with 1 worker over the median with
    `workers`, in `mode`, a run that missed the target counting as forever (infinity)."""
    pick = runs[(runs["strategy"] == strategy) & (runs["mode"] == mode)]
    one = np.median(pick.loc[pick["workers"] == 1, "seconds"].fillna(np.inf))
    many = np.median(pick.loc[pick["workers"] == workers, "seconds"].fillna(np.inf))
    return float(one / many)


def _crafted_runs() -> pd.DataFrame:
    """A small `scaling`-shaped frame where the misses matter: two of five runs with 4 workers
    never reached the target (a mean, or a median of the others, gives another number)."""
    seconds = {1: [40.0, 60.0, 100.0, 50.0, 400.0], 4: [20.0, np.nan, 12.0, np.nan, 14.0]}
    rows = [{"strategy": "evolution", "mode": "async", "workers": n, "seed": s, "seconds": t,
             "utilisation": 1.0} for n, ts in seconds.items() for s, t in enumerate(ts)]
    return pd.DataFrame(rows)


def _check_speedup(learner) -> None:
    _callable(learner, "speedup_at")
    _forbid(learner, {"speedup": "nastutor.parallel.speedup"}, "compute it from the runs' seconds")
    cases = [(_crafted_runs(), "evolution", "async", 4)]
    lesson = scaling_runs(range(20), progress=False)
    cases += [(lesson, s, m, n) for s, m, n in (("evolution", "async", 8), ("evolution", "sync", 8),
                                                ("random", "async", 64), ("evolution", "async", 256),
                                                ("random", "sync", 2))]
    for runs, strategy, mode, n in cases:
        table = speedup(runs).set_index(["strategy", "mode", "workers"])
        want = float(table.loc[(strategy, mode, n), "speedup"])
        assert math.isfinite(want), (strategy, mode, n)      # the cases all have a speedup
        got = number(_returned(learner(runs.copy(), strategy, mode, n), "`speedup_at`"), "your speedup")
        what = f"for {strategy}, {mode}, {n} workers ({runs['seed'].nunique()} seeds), your speedup"
        if abs(got * want - 1) < 1e-6 and abs(want - 1) > 1e-6:
            raise Incorrect(f"{what} is upside down: the speedup is the time with 1 worker over the time with N")
        same(got, want, what=what)


q2 = Exercise(
    "q2", var="speedup_at", checker=_check_speedup, reference=lambda: speedup_at,
    hint="""
Select the runs of `strategy` in `mode`, then two groups of them: those with 1 worker and those
with `workers`. Each run's `seconds` is its time to the target, NaN if it never got there.

A run that missed is slower than any that arrived: `.fillna(np.inf)` before taking each group's
`np.median`. The speedup is the median with 1 worker over the median with N.

`pick = runs[(runs["strategy"] == strategy) & (runs["mode"] == mode)]`; `med = lambda n:
np.median(pick.loc[pick["workers"] == n, "seconds"].fillna(np.inf))`; return `med(1) / med(workers)`.
""")


# -- q3: what an asynchronous evolution had seen ------------------------------------------------

def seen_when_asked(told, workers, k):
    """The ask numbers of the results an asynchronous search on `workers` workers had been told
    when it asked for candidate `k`, from `told`, the ask numbers in the order they were told."""
    return set(list(told)[:max(0, k - workers + 1)])


class _Recorder(RegularizedEvolution):
    """Regularized evolution that notes, at every ask, the ask numbers it has been told: the
    oracle of q3, independent of any formula."""

    def setup(self, space, seed=0, max_epochs=None):
        super().setup(space, seed, max_epochs)
        self.told_steps, self.seen = [], []

    def ask(self):
        self.seen.append(set(self.told_steps))
        return super().ask()

    def tell(self, arch, evaluation):
        self.told_steps.append(evaluation.step)
        super().tell(arch, evaluation)


@lru_cache(maxsize=None)
def _recorded(workers: int, seed: int, budget: int = 80):
    """An asynchronous evolution on `workers` simulated workers: the order told, and what it had
    seen at each ask."""
    strategy = _Recorder(population_size=10, sample_size=3)
    run = simulate(strategy, _evaluator("cell-mnist1d"), workers, "async", budget, seed=seed)
    return tuple(run.frame["ask"].tolist()), tuple(frozenset(s) for s in strategy.seen)


def _check_seen(learner) -> None:
    _callable(learner, "seen_when_asked")
    for workers, seed in ((1, 0), (4, 1), (16, 2), (7, 3)):
        told, seen = _recorded(workers, seed)
        for k, want in enumerate(seen):
            got = _returned(learner(list(told), workers, k), "`seen_when_asked`")
            try:
                got = {int(number(v, "an ask number")) for v in got}
            except (TypeError, Incorrect):
                raise Incorrect("return the ask numbers it had been told, e.g. {0, 2, 1} (a set or a list of ints)") from None
            if got == want:
                continue
            where = f"with {workers} worker{'s' * (workers > 1)}, at ask {k}"
            if len(got) != len(want):
                raise Incorrect(f"{where} the strategy had been told {len(want)} result{'s' * (len(want) != 1)}, "
                                f"your answer has {len(got)}: how many asks are still in flight then?")
            raise Incorrect(f"{where} you have the right number of results, but not the right ones: the strategy "
                            "is told results in the order they finish (`told`), not the order they were asked")


q3 = Exercise(
    "q3", var="seen_when_asked", checker=_check_seen, reference=lambda: seen_when_asked,
    hint="""
The first `workers` asks (k = 0 … N−1) are made at once, before any result: they have seen
nothing. After that, each result told is followed by exactly one new ask.

So when it asks for candidate k ≥ N, the strategy has been told k − N + 1 results, and they are
the first ones in `told`, the order of finishing, not the asks 0, 1, 2, …

`return set(list(told)[:max(0, k - workers + 1)])`.
""")


# -- p1, p2: predict, then run ----------------------------------------------------------------------

@lru_cache(maxsize=None)
def sync_utilisation(workers: int = 8) -> float:
    """The mean utilisation of `workers` synchronous workers running random search, over SEEDS."""
    runs = scaling_runs(SEEDS, (workers,), ("sync",), ("random",), progress=False)
    return float(runs["utilisation"].mean())


p1 = Question(
    "p1", expected=lambda: "a" if sync_utilisation() > 0.9 else "b" if sync_utilisation() >= 0.5 else "c",
    choices={"a": "above 90%", "b": "between 50% and 90%", "c": "below 50%"},
    hint="""
How different are the cells' training times in the histogram above? Each batch lasts as long as
its slowest member.
""",
    why="""
Training times differ several-fold between cells, so in every batch of 8 most workers finish early
and wait for the slowest one: a good part of the machines' time is paid for and not used.
""")


@lru_cache(maxsize=None)
def async_evolution_speedup(workers: int = 256) -> float:
    """Regularized evolution's speedup on `workers` asynchronous workers to come within TARGET,
    over SEEDS."""
    runs = scaling_runs(SEEDS, (1, workers), ("async",), ("evolution",), progress=False)
    return float(speedup(runs).set_index("workers").loc[workers, "speedup"])


p2 = Question(
    "p2", expected=lambda: ("a" if async_evolution_speedup() > 150 else
                            "b" if async_evolution_speedup() >= 30 else "c"),
    choices={"a": "more than 150 times faster", "b": "between 30 and 150 times faster",
             "c": "less than 30 times faster"},
    hint="""
How many evaluations does one worker need to come within 0.5 pp? With 256 workers, how many
rounds of results can there be before the first 256 random cells are even finished?
""",
    why="""
One worker needs only a few dozen evaluations to come within 0.5 pp. 256 workers cannot do a few
dozen evaluations faster than one evaluation's time: the search is over after a round or two, and
most workers' results come too late to help.
""")
