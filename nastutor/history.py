"""`History`: everything a search evaluated, in order, and its incumbent.

Taught in lesson 04 (the incumbent: the best architecture on validation so far) and lesson 07
(budgets in evaluations or in simulated seconds).

    >>> from nastutor import TabularEvaluator, RandomSearch, run_search
    >>> history = run_search(RandomSearch(), TabularEvaluator("mlp-mnist1d"), budget=20, progress=False)
    >>> history.incumbent(10).val_accuracy <= history.incumbent().val_accuracy == history.best.val_accuracy
    True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import pandas as pd

from .checks import InputError, check_int, check_number
from .records import Evaluation
from .spaces import Arch, SearchSpace

__all__ = ["History"]


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

    def head(self, n: int) -> "History":
        """The first `n` evaluations, as the same search with a budget of `n` would have them."""
        n = check_int(n, "n", minimum=0)
        return History(self.space, self.evaluations[:n], self.interrupted)

    def within(self, seconds: float) -> "History":
        """The evaluations that finished within `seconds` of total cost (the charged seconds
        summed in order, as `to_frame()["total_cost"]`): the search under a budget in seconds."""
        seconds = check_number(seconds, "seconds", minimum=0)
        total, n = 0.0, 0
        for e in self.evaluations:
            total += e.cost
            if total > seconds:
                break
            n += 1
        return History(self.space, self.evaluations[:n], self.interrupted)

    def incumbent(self, n: int | None = None, *, seconds: float | None = None) -> Evaluation:
        """The incumbent: the best evaluation on validation (the earliest among ties) among the
        first `n` evaluations, or among those finished within `seconds` of total cost; of all of
        them if neither is given. Taught in lesson 04.

        A `ValueError` if there is none (an empty history, or a first evaluation over `seconds`)."""
        if n is not None and seconds is not None:
            raise InputError("give n (evaluations) or seconds, not both")
        part = self.head(n) if n is not None else self.within(seconds) if seconds is not None else self
        if not part.evaluations:
            raise ValueError("no evaluation is within that budget" if self.evaluations
                             else "the history is empty: the search evaluated nothing")
        return part.best

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
