"""`run_search`: drive an ask/tell strategy with an evaluator under a budget.

Taught in lesson 04 (the search loop) and lesson 07 (budgets, parallel evaluation).

    >>> from nastutor.spaces import MLPSpace
    >>> from nastutor.strategies import RandomSearch
    >>> from nastutor.evaluators import LiveEvaluator
    >>> history = run_search(RandomSearch(), LiveEvaluator(MLPSpace()), budget=3, seed=0)
    >>> len(history), history.best.val_accuracy > 0.1
    (3, True)
"""
from __future__ import annotations

import json
import os
from collections import deque
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd
from tqdm.auto import tqdm

from .checks import check_int, check_number, check_path, check_seed
from .evaluators import Evaluator
from .executors import make_executor, usable_cores
from .records import Evaluation
from .files import atomic_write, read_jsonl
from .spaces import Arch, SearchSpace
from .strategies import SearchExhausted, Strategy

__all__ = ["History", "run_search", "evaluation_seed", "make_executor", "usable_cores"]

#: Version 2 headers record the evaluator's provenance (`Evaluator.describe()`).
LOG_VERSION = 2


@dataclass
class History:
    """Everything a search evaluated, in the order the strategy was told.

    `interrupted` is True when the search stopped early (Ctrl-C) and holds what it had.
    """

    space: SearchSpace
    evaluations: list[Evaluation] = field(default_factory=list)
    interrupted: bool = False
    _seen: int = field(default=0, init=False, repr=False)
    _total: float = field(default=0.0, init=False, repr=False)
    _best: Evaluation | None = field(default=None, init=False, repr=False)

    def __len__(self) -> int:
        return len(self.evaluations)

    def __iter__(self) -> Iterator[Evaluation]:
        return iter(self.evaluations)

    def _catch_up(self) -> None:
        """Update the running total and best with evaluations added since the last call."""
        for e in self.evaluations[self._seen:]:
            self._total += e.cost
            if self._best is None or e.val_accuracy > self._best.val_accuracy:
                self._best = e
        self._seen = len(self.evaluations)

    @property
    def total_cost(self) -> float:
        """Seconds charged so far (wall time when live, simulated when tabular)."""
        self._catch_up()
        return float(self._total)

    @property
    def best(self) -> Evaluation:
        """The evaluation with the highest validation accuracy (the earliest among ties)."""
        self._catch_up()
        if self._best is None:
            raise ValueError("the history is empty: the search evaluated nothing")
        return self._best

    @property
    def best_arch(self) -> Arch:
        """The architecture the search would choose: best on validation."""
        return self.best.arch

    def to_frame(self) -> pd.DataFrame:
        """One row per evaluation, with the incumbent (best on validation so far) beside it."""
        rows, best = [], None
        total = 0.0
        for step, e in enumerate(self.evaluations):
            total += e.cost
            if best is None or e.val_accuracy > best.val_accuracy:
                best = e
            rows.append({"step": step, "arch": self.space.to_string(e.arch),
                         "val_accuracy": e.val_accuracy, "test_accuracy": e.test_accuracy,
                         "cost": e.cost, "total_cost": total, "epochs": e.epochs, "seed": e.seed,
                         "params": e.params, "failed": e.failed,
                         "incumbent": self.space.to_string(best.arch),
                         "incumbent_val": best.val_accuracy, "incumbent_test": best.test_accuracy})
        columns = ["step", "arch", "val_accuracy", "test_accuracy", "cost", "total_cost", "epochs",
                   "seed", "params", "failed", "incumbent", "incumbent_val", "incumbent_test"]
        return pd.DataFrame(rows, columns=columns)

    def incumbent_trajectory(self) -> pd.DataFrame:
        """The steps at which the incumbent changed: step, total_cost, arch, its val and test accuracy."""
        frame = self.to_frame()
        changed = frame["incumbent"].ne(frame["incumbent"].shift()) | \
            frame["incumbent_val"].ne(frame["incumbent_val"].shift())
        out = frame.loc[changed, ["step", "total_cost", "incumbent", "incumbent_val", "incumbent_test"]]
        return out.rename(columns={"incumbent": "arch", "incumbent_val": "val_accuracy",
                                   "incumbent_test": "test_accuracy"}).reset_index(drop=True)

    def __repr__(self) -> str:
        if not self.evaluations:
            return "History(empty)"
        b = self.best
        return (f"History({len(self)} evaluations{', interrupted' if self.interrupted else ''}; "
                f"best {self.space.to_string(b.arch)}: val {b.val_accuracy:.3f}, test {b.test_accuracy:.3f})")


_MASK = (1 << 64) - 1


def evaluation_seed(seed: int, step: int) -> int:
    """The seed of the `step`-th evaluation of a search run under `seed`: a pure function
    (a SplitMix64 hash of both), so a resumed search draws the same seeds."""
    seed, step = check_seed(seed), check_int(step, "step", minimum=0)
    z = (seed * 0x9E3779B97F4A7C15 + (step + 1) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return (z ^ (z >> 31)) % (2**31)


# -- the log -----------------------------------------------------------------------------

class _Log:
    """The JSON-lines log of a search: a header line (what produced it: `_header`), then one
    line per evaluation. Reading it back checks every line; rewriting it is atomic."""

    def __init__(self, path: Path, header: dict[str, Any], space: SearchSpace, max_epochs: int):
        try:  # compare what a JSON round trip gives on both sides (lists, not tuples)
            header = json.loads(json.dumps(header))
        except (TypeError, ValueError) as exc:
            raise TypeError(f"the log header must be JSON-ready (check Evaluator.describe()): {exc}") from None
        self.path, self.header, self.space, self.max_epochs = path, header, space, max_epochs
        self.records: list[Evaluation] = []
        try:
            if self.path.exists() and self.path.stat().st_size > 0:
                with open(self.path, "a"):  # a read-only log: refuse now, not after an evaluation
                    pass
                self._read()
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(self.path, json.dumps(header) + "\n")
        except OSError as exc:
            raise _cannot(self.path, exc) from None

    def _fail(self, number: int, why: str) -> ValueError:
        return ValueError(f"{self.path} line {number} {why}; use a new log file to start afresh")

    def _read(self) -> None:
        lines = read_jsonl(self.path, check_header=self._check_header, fix="Use a new log file to start afresh.")
        for number, _, record in lines[1:]:
            try:
                self.records.append(Evaluation.from_dict(record, self.space, max_epochs=self.max_epochs))
            except (ValueError, TypeError) as exc:
                raise self._fail(number, f"is corrupt: {exc}") from None

    def _check_header(self, found: Any) -> None:
        """Refuse a first line that is not a nastutor header, or one from a different search."""
        if not isinstance(found, dict) or not isinstance(found.get("nastutor_log"), int):
            raise self._fail(1, "is not a nastutor search log header (pass another log path)")
        if found["nastutor_log"] != LOG_VERSION:
            raise self._fail(1, f"is a version {found['nastutor_log']} log header; this nastutor "
                                f"resumes version {LOG_VERSION} logs only")
        difference = _first_difference(found, self.header)
        if difference:
            key, was, now = difference
            raise ValueError(f"{self.path} was written by a different search ({key} was {was}, now "
                             f"{now}); resume with the same settings, or use a new log file to start afresh")

    def write(self, evaluation: Evaluation) -> None:
        """Append one evaluation (checked first: a record that could not be read back is refused)."""
        try:
            checked = evaluation.validate(self.max_epochs)
        except ValueError as exc:
            raise ValueError(f"the evaluation of {self.space.to_string(evaluation.arch)} cannot be "
                             f"logged: {exc}") from None
        try:
            with open(self.path, "a") as fh:
                fh.write(json.dumps(checked.to_dict(self.space)) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise _cannot(self.path, exc) from None


def _header(strategy: Strategy, evaluator: Evaluator, seed: int, epochs: int, in_flight: int) -> dict[str, Any]:
    """What a log records about the search that writes it; a resumed search must match it all."""
    return {"nastutor_log": LOG_VERSION, "evaluator": evaluator.describe(), "strategy": repr(strategy),
            "seed": seed, "epochs": epochs, "in_flight": in_flight}


_ABSENT = object()


def _first_difference(found: Any, expected: Any, key: str = "") -> tuple[str, str, str] | None:
    """The first (dotted key, found, expected) at which two JSON values differ, or None."""
    if isinstance(found, dict) and isinstance(expected, dict):
        for name in [*expected, *(k for k in found if k not in expected)]:
            inner = _first_difference(found.get(name, _ABSENT), expected.get(name, _ABSENT),
                                      f"{key}.{name}" if key else str(name))
            if inner:
                return inner
        return None
    if found == expected and type(found) is type(expected):
        return None
    shown = ["absent" if v is _ABSENT else repr(v) for v in (found, expected)]
    return (key, shown[0], shown[1])


def _cannot(path: Path, exc: OSError) -> OSError:
    """The same kind of OSError, with one message a learner can act on."""
    where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(path) else ""
    why = (exc.strerror or str(exc)).lower()
    return type(exc)(f"cannot write the search log {path}: {why}{where}; choose a file in a folder "
                     "you can write to")


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
    """Ask `strategy` for architectures, score them with `evaluator`, tell it the results.

    Stops after `budget` evaluations and/or once the evaluations' total cost reaches
    `seconds` (wall seconds when training live, simulated seconds on a tabular benchmark),
    or when the strategy is exhausted. Ctrl-C stops it too: it returns what it has, with
    `history.interrupted = True`.

    - `seed` seeds the strategy and each evaluation (`evaluation_seed`): same seed, same search.
      It, `budget` and `epochs` may be NumPy integers; `seconds` must be finite.
    - `epochs` is the fidelity of every evaluation (default: the evaluator's full fidelity),
      unless the strategy asks for its own (`strategy.fidelity()`, successive halving).
    - `executor` (e.g. `make_executor(2)`) evaluates several candidates at once; results are
      told in the order they were asked, so a parallel search is reproducible too.
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
        journal = _Log(check_path(log, "log"), _header(strategy, evaluator, seed, epochs, in_flight),
                       space, evaluator.max_epochs)
    replay = journal.records if journal else []
    pending: deque[tuple[Arch, Future | Evaluation | None, int, int]] = deque()
    asked, exhausted = 0, False

    def may_ask() -> bool:
        return (not exhausted and (budget is None or asked < budget)
                and (seconds is None or history.total_cost < seconds))

    bar = tqdm(total=budget, disable=not progress, unit="eval", desc=type(strategy).__name__)
    try:
        while True:
            while len(pending) < in_flight and may_ask():
                try:
                    arch = strategy.ask()
                except SearchExhausted:
                    exhausted = True
                    break
                fidelity = evaluator.check_epochs(strategy.fidelity() or epochs)
                job: Future | Evaluation | None = None
                if asked < len(replay):
                    if (replay[asked].arch, replay[asked].epochs) != (arch, fidelity):
                        raise ValueError(f"the log {journal.path} does not match this search at step {asked}: "
                                         "use a new log file to start afresh")
                    job = replay[asked]
                elif executor is not None:
                    job = executor.submit(evaluator.evaluate, arch, epochs=fidelity,
                                          seed=evaluation_seed(seed, asked))
                pending.append((arch, job, asked, fidelity))
                asked += 1
            if not pending:
                break
            arch, job, step, fidelity = pending.popleft()
            if isinstance(job, Evaluation):
                evaluation = job
            else:
                evaluation = (job.result() if job is not None else
                              evaluator.evaluate(arch, epochs=fidelity, seed=evaluation_seed(seed, step)))
                if journal:
                    journal.write(evaluation)
            history.evaluations.append(evaluation)
            strategy.tell(arch, evaluation)
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
