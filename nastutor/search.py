"""The search loop: ask a strategy for an architecture, evaluate it, tell the strategy the result.

Taught in lesson 04 (the search loop) and lesson 07 (budgets, parallel evaluation).
`search_loop` is that loop and nothing else, on one screen; `run_search` is the same loop with
what a real search needs around it: budgets in seconds, a log to resume from, several
evaluations at once, a progress bar, a callback, and Ctrl-C.

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
from concurrent.futures import Executor, Future
from dataclasses import replace
from typing import Callable

from tqdm.auto import tqdm

from .checks import check_int, check_number, check_path, check_seed
from .evaluators import Evaluator
from .executors import make_executor, usable_cores
from .history import History
from .records import Evaluation
from .searchlog import SearchLog, log_header
from .spaces import Arch
from .strategies import SearchExhausted, Strategy

__all__ = ["History", "search_loop", "run_search", "evaluation_seed", "make_executor", "usable_cores"]

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
               executor: Executor | None = None, log: str | os.PathLike | None = None,
               progress: bool = True,
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
    - `executor` (e.g. `make_executor(2)`) evaluates several candidates at once; results are
      told in the order they were asked, so a parallel search is reproducible too. Each
      evaluation carries the number of its ask (`evaluation.step`), the ticket its `tell` is
      matched by, even when the same architecture is in flight twice.
    - `log` is a JSON-lines file that receives every evaluation; run the same call again with
      the same log to resume an interrupted search and reach the same end state. Its first
      line records what produced it (`evaluator.describe()`, strategy, seed, fidelity): a log
      of another search, or one whose values do not check out, is refused with a message.
    - `callback(history)` runs after every evaluation (a live plot, say).

    Taught in lesson 04.
    """
    budget, seconds = _check_budget(budget, seconds)
    seed = check_seed(seed)
    if not isinstance(strategy, Strategy):
        raise TypeError(f"strategy must be a Strategy such as RandomSearch(), got {strategy!r}")
    if not isinstance(evaluator, Evaluator):
        raise TypeError(f"evaluator must be an Evaluator such as LiveEvaluator(space), got {evaluator!r}")
    epochs = evaluator.check_epochs(epochs)
    space = evaluator.space
    strategy.setup(space, seed, evaluator.max_epochs)
    history = History(space)
    in_flight = getattr(executor, "_max_workers", os.cpu_count() or 1) if executor else 1
    journal = None
    if log is not None:
        journal = SearchLog(check_path(log, "log"), log_header(strategy, evaluator, seed, epochs, in_flight),
                            space, evaluator.max_epochs)
    replay = journal.records if journal else []
    # asked, not yet told: (arch, its evaluation: a Future, a logged record, or None to run here, step, epochs)
    pending: deque[tuple[Arch, Future | Evaluation | None, int, int]] = deque()
    asked, exhausted = 0, False

    def may_ask() -> bool:
        return (not exhausted and (budget is None or asked < budget)
                and (seconds is None or history.total_cost < seconds))

    def start(arch: Arch, step: int, fidelity: int) -> Future | Evaluation | None:
        """What will give the evaluation of the `step`-th ask: its logged record when resuming,
        a job in the executor, or None (evaluate it here, when its turn comes)."""
        if step < len(replay):
            if (replay[step].arch, replay[step].epochs) != (arch, fidelity):
                raise ValueError(f"the log {journal.path} does not match this search at step {step}: "
                                 "use a new log file to start afresh")
            return replay[step]
        if executor is not None:
            return executor.submit(evaluator.evaluate, arch, epochs=fidelity, seed=evaluation_seed(seed, step))
        return None

    def finish(arch: Arch, job: Future | Evaluation | None, step: int, fidelity: int) -> Evaluation:
        """The evaluation of the `step`-th ask, written to the log unless it came from there."""
        if isinstance(job, Evaluation):
            return replace(job, step=step)
        evaluation = (job.result() if job is not None else
                      evaluator.evaluate(arch, epochs=fidelity, seed=evaluation_seed(seed, step)))
        evaluation = replace(evaluation, step=step)
        if journal:
            journal.write(evaluation)
        return evaluation

    bar = tqdm(total=budget, disable=not progress, unit="eval", desc=type(strategy).__name__)
    try:
        while True:
            while len(pending) < in_flight and may_ask():  # ask, up to `in_flight` ahead
                try:
                    arch = strategy.ask()
                except SearchExhausted:
                    exhausted = True
                    break
                fidelity = evaluator.check_epochs(strategy.fidelity() or epochs)
                pending.append((arch, start(arch, asked, fidelity), asked, fidelity))
                asked += 1
            if not pending:
                break
            arch, job, step, fidelity = pending.popleft()
            evaluation = finish(arch, job, step, fidelity)  # evaluate (or wait for it)
            history.evaluations.append(evaluation)
            strategy.tell(arch, evaluation)  # tell, in the order asked
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
        for _, job, _, _ in pending:
            if isinstance(job, Future):
                job.cancel()
        bar.close()
    return history
