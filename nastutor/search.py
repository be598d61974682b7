"""The search loop: ask a strategy for an architecture, evaluate it, tell the strategy the result.

Taught in lesson 04 (the search loop), lesson 07 (budgets, parallel evaluation) and lesson 13
(asynchronous search, a Dask cluster). `search_loop` is that loop and nothing else, on one
screen; `run_search` is the same loop with what a real search needs around it: budgets in
seconds, a log to resume from, several evaluations at once (told in the order asked, or
asynchronously as they finish), a progress bar, a callback, and Ctrl-C.

    >>> from nastutor.spaces import MLPSpace
    >>> from nastutor.strategies import RandomSearch
    >>> from nastutor.evaluators import LiveEvaluator
    >>> history = run_search(RandomSearch(), LiveEvaluator(MLPSpace()), budget=3, seed=0)
    >>> len(history), history.best.val_accuracy > 0.1
    (3, True)
"""
from __future__ import annotations

import os
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, replace
from typing import Callable

from tqdm.auto import tqdm

from .checks import InputError, check_int, check_number, check_path, check_seed
from .evaluators import Evaluator
from .executors import executor_slots, make_executor, usable_cores
from .history import History
from .records import Evaluation
from .searchlog import SearchLog, log_header
from .spaces import Arch
from .strategies import SearchExhausted, Strategy

__all__ = ["History", "search_loop", "run_search", "evaluation_seed", "make_executor", "usable_cores", "InFlight"]

_MASK = (1 << 64) - 1


def evaluation_seed(seed: int, step: int) -> int:
    """The seed of the `step`-th evaluation of a search run under `seed`: a pure function
    (a SplitMix64 hash of both), so a resumed search draws the same seeds."""
    seed, step = check_seed(seed), check_int(step, "step", minimum=0)
    z = (seed * 0x9E3779B97F4A7C15 + (step + 1) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return (z ^ (z >> 31)) % (2**31)


def search_loop(strategy: Strategy, evaluator: Evaluator, budget: int, seed: int = 0) -> History:
    """Ask → evaluate → tell, `budget` times: the loop every search runs. Taught in lesson 04.

    Each evaluation is stamped with its `step`, the number of the ask it answers, so that the
    strategy's `tell` can find its `ask` (see `Strategy.recall`). `run_search` runs this same
    loop and gives the same History for the same seed.

    >>> from nastutor import RandomSearch, TabularEvaluator
    >>> history = search_loop(RandomSearch(), TabularEvaluator("mlp-mnist1d"), budget=10, seed=0)
    >>> [e.step for e in history][:3], len(history)
    ([0, 1, 2], 10)
    """
    budget = check_int(budget, "budget", minimum=1)
    strategy.setup(evaluator.space, seed, evaluator.max_epochs)  # a fresh search
    history = History(evaluator.space)
    for step in range(budget):
        try:
            arch = strategy.ask()                                  # ask
        except SearchExhausted:                                    # (a finished grid)
            break
        epochs = evaluator.check_epochs(strategy.fidelity())       # None: full training
        evaluation = evaluator.evaluate(arch, epochs=epochs, seed=evaluation_seed(seed, step))  # evaluate
        evaluation = replace(evaluation, step=step)
        history.evaluations.append(evaluation)
        strategy.tell(arch, evaluation)                            # tell
    return history


def _check_budget(budget: object, seconds: object) -> tuple[int | None, float | None]:
    """The budget as (evaluations, seconds), checked; at least one must be given."""
    if budget is None and seconds is None:
        raise ValueError("give a budget: a number of evaluations (budget=...) and/or seconds=...")
    return (None if budget is None else check_int(budget, "budget", minimum=1),
            None if seconds is None else check_number(seconds, "seconds", positive=True))


def run_search(strategy: Strategy, evaluator: Evaluator, budget: int | None = None, *,
               seconds: float | None = None, seed: int = 0, epochs: int | None = None,
               executor: Executor | None = None, asynchronous: bool = False,
               log: str | os.PathLike | None = None, progress: bool = True,
               callback: Callable[[History], None] | None = None) -> History:
    """`search_loop`, with budgets in seconds, logs, parallel evaluation, progress and Ctrl-C:
    ask `strategy` for architectures, score them with `evaluator`, tell it the results.

    Stops after `budget` evaluations and/or once the evaluations' total cost reaches
    `seconds` (wall seconds when training live, simulated seconds on a tabular benchmark),
    or when the strategy is exhausted. Ctrl-C stops it too: it returns what it has, with
    `history.interrupted = True`.

    - `seed` seeds the strategy and each evaluation (`evaluation_seed`): same seed, same search.
      It, `budget` and `epochs` may be NumPy integers; `seconds` must be finite.
    - `epochs` is the fidelity of every evaluation (default: the evaluator's full fidelity),
      unless the strategy asks for its own (`strategy.fidelity()`, successive halving).
    - `executor` (e.g. `make_executor(2)`, or a Dask cluster's `dask_executor(address)` or
      `client.get_executor()`) evaluates several candidates at once: as many as it has workers
      (`executor_slots`) are in flight. Results are told in the order they were asked, so a
      parallel search is reproducible too. Each evaluation carries the number of its ask
      (`evaluation.step`), the ticket its `tell` is matched by, even when the same architecture
      is in flight twice.
    - `asynchronous=True` tells each result as soon as it finishes and asks for the next
      candidate at once, so no worker waits for a slower one asked before it; the order, and so
      the search, then depends on the evaluations' timing. The history and the log hold the
      order in which the strategy was told.
    - `log` is a JSON-lines file that receives every evaluation; run the same call again with
      the same log to resume an interrupted search: the logged results are told again in the
      logged order, what was in flight is evaluated again, and the same end state is reached.
      Its first line records what produced it (`evaluator.describe()`, strategy, seed, fidelity,
      evaluations in flight, asynchronous): a log of another search, or one whose values do not
      check out, is refused with a message.
    - `callback(history)` runs after every evaluation (a live plot, say).

    Taught in lesson 04 (lesson 13: `asynchronous`, Dask).
    """
    budget, seconds = _check_budget(budget, seconds)
    seed = check_seed(seed)
    if not isinstance(strategy, Strategy):
        raise TypeError(f"strategy must be a Strategy such as RandomSearch(), got {strategy!r}")
    if not isinstance(evaluator, Evaluator):
        raise TypeError(f"evaluator must be an Evaluator such as LiveEvaluator(space), got {evaluator!r}")
    if not isinstance(asynchronous, bool):
        raise InputError(f"asynchronous must be True or False, got {asynchronous!r}")
    epochs = evaluator.check_epochs(epochs)
    strategy.setup(evaluator.space, seed, evaluator.max_epochs)
    history = History(evaluator.space)
    in_flight = executor_slots(executor)
    journal = None
    if log is not None:
        header = log_header(strategy, evaluator, seed, epochs, in_flight, asynchronous=asynchronous)
        journal = SearchLog(check_path(log, "log"), header, evaluator.space, evaluator.max_epochs)
    flight = InFlight(evaluator, seed, executor, journal, asynchronous)  # asked, not yet told
    exhausted = False

    def may_ask() -> bool:
        return (not exhausted and (budget is None or flight.asked < budget)
                and (seconds is None or history.total_cost < seconds))

    bar = tqdm(total=budget, disable=not progress, unit="eval", desc=type(strategy).__name__)
    try:
        while True:
            while len(flight) < in_flight and may_ask():  # ask, up to `in_flight` ahead
                try:
                    arch = strategy.ask()
                except SearchExhausted:
                    exhausted = True
                    break
                flight.start(arch, evaluator.check_epochs(strategy.fidelity() or epochs))
            if not len(flight):
                break
            evaluation = flight.finish(flight.next())  # evaluate (or wait for it)
            history.evaluations.append(evaluation)
            strategy.tell(evaluation.arch, evaluation)  # tell: in the order asked, or as they finish
            if progress:
                bar.update(1)
                if history.best is evaluation:
                    bar.set_postfix(best_val=f"{evaluation.val_accuracy:.3f}", refresh=False)
            if callback is not None:
                callback(history)
            if seconds is not None and history.total_cost >= seconds:
                break
    except KeyboardInterrupt:
        history.interrupted = True
    finally:
        flight.cancel()
        bar.close()
    return history


@dataclass
class _Ask:
    """One ask in flight: its architecture, its fidelity, and what will give its evaluation: the
    logged record (resuming), a job in the executor, or None (evaluate it here when its turn comes)."""

    arch: Arch
    epochs: int
    job: Future | Evaluation | None


class InFlight:
    """The asks of `run_search` not yet told, by ask number (`step`), and the choice of which to
    tell next: the next one the log recorded (when resuming), else the oldest (told in the order
    asked) or the first to finish (`asynchronous`). Taught in lesson 13.

    >>> from concurrent.futures import ThreadPoolExecutor
    >>> import numpy as np
    >>> from nastutor import TabularEvaluator
    >>> evaluator = TabularEvaluator("mlp-mnist1d")
    >>> flight = InFlight(evaluator, seed=0, executor=ThreadPoolExecutor(2), journal=None, asynchronous=True)
    >>> flight.start(evaluator.space.sample(np.random.default_rng(0)), epochs=evaluator.max_epochs)
    >>> len(flight), flight.finish(flight.next()).step
    (1, 0)
    """

    def __init__(self, evaluator: Evaluator, seed: int, executor: Executor | None,
                 journal: SearchLog | None, asynchronous: bool):
        self.evaluator, self.seed, self.executor, self.journal = evaluator, seed, executor, journal
        self.asynchronous = asynchronous
        self.asks: dict[int, _Ask] = {}  # in ask order (dicts keep insertion order)
        self.asked = 0
        records = journal.records if journal else []
        steps = [i if r.step is None else r.step for i, r in enumerate(records)]
        if len(set(steps)) < len(steps):
            raise ValueError(f"the log {journal.path} records an ask twice; use a new log file to start afresh")
        if not asynchronous and steps != list(range(len(steps))):
            raise ValueError(f"the log {journal.path} is not in the order asked (an asynchronous search "
                             "wrote it?); resume it with asynchronous=True, or use a new log file")
        self.logged = dict(zip(steps, records))
        self.replay = deque(steps)  # the logged asks, in the order they were told

    def __len__(self) -> int:
        return len(self.asks)

    def start(self, arch: Arch, epochs: int) -> None:
        """The next ask is `arch` at `epochs`: take its logged record (checked), or start its job."""
        step, self.asked = self.asked, self.asked + 1
        job: Future | Evaluation | None = self.logged.get(step)
        if job is not None and (job.arch, job.epochs) != (arch, epochs):
            raise ValueError(f"the log {self.journal.path} does not match this search at step {step}: "
                             "use a new log file to start afresh")
        if job is None and self.executor is not None:
            job = self.executor.submit(self.evaluator.evaluate, arch, epochs=epochs,
                                       seed=evaluation_seed(self.seed, step))
        self.asks[step] = _Ask(arch, epochs, job)

    def next(self) -> int:
        """The ask to tell next: the log's next one while resuming; else the oldest, or with
        `asynchronous` the first finished (the lowest ask among those finished together)."""
        if self.replay and self.replay[0] not in self.asks:  # the log went further than this search
            self.replay.clear()                              # will go (a smaller budget): stop replaying
        if self.replay:
            return self.replay.popleft()
        if not self.asynchronous:
            return next(iter(self.asks))
        finished = [s for s, a in self.asks.items() if not isinstance(a.job, Future) or a.job.done()]
        if not finished:
            wait([a.job for a in self.asks.values()], return_when=FIRST_COMPLETED)
            finished = [s for s, a in self.asks.items() if a.job.done()]
        return min(finished)

    def finish(self, step: int) -> Evaluation:
        """The evaluation of ask `step`, no longer in flight, written to the log unless it came from there."""
        ask = self.asks.pop(step)
        if isinstance(ask.job, Evaluation):
            return replace(ask.job, step=step)
        evaluation = (ask.job.result() if ask.job is not None else
                      self.evaluator.evaluate(ask.arch, epochs=ask.epochs, seed=evaluation_seed(self.seed, step)))
        evaluation = replace(evaluation, step=step)
        if self.journal:
            self.journal.write(evaluation)
        return evaluation

    def cancel(self) -> None:
        """Cancel the jobs still in flight (a search that stopped early)."""
        for ask in self.asks.values():
            if isinstance(ask.job, Future):
                ask.job.cancel()
