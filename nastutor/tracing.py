"""Watch a strategy's inner state while it searches (REINFORCE's policy, evolution's population).

Taught in lessons 05 and 06: pass a `Trace` as `run_search`'s callback and it records what
`read(strategy)` returns after every evaluation.

    >>> import nastutor as nt
    >>> from nastutor.strategies import Reinforce
    >>> policy = Reinforce()
    >>> trace = Trace(policy, lambda s: s.probabilities())
    >>> history = nt.run_search(policy, nt.TabularEvaluator("cell-mnist1d"), budget=20, callback=trace,
    ...                         progress=False)
    >>> len(trace.records), trace.records[-1][0]
    (20, 20)
"""
from __future__ import annotations

from typing import Any, Callable

import pandas as pd

from .strategies import Strategy

__all__ = ["Trace", "policy_frame", "population_frame"]


class Trace:
    """A `run_search` callback: after evaluation number `step` (1, 2, ...) it stores
    `(step, read(strategy))` in `records`."""

    def __init__(self, strategy: Strategy, read: Callable[[Strategy], Any]):
        if not isinstance(strategy, Strategy):
            raise TypeError(f"Trace watches a Strategy, got {strategy!r}")
        self.strategy, self.read = strategy, read
        self.records: list[tuple[int, Any]] = []

    def __call__(self, history) -> None:
        self.records.append((len(history), self.read(self.strategy)))


def policy_frame(trace: Trace, space=None) -> pd.DataFrame:
    """REINFORCE's choice probabilities over time, tidy: step, decision, option, probability.
    `trace` must read `strategy.probabilities()` (a dict decision -> array over options)."""
    space = space or trace.strategy.space
    options = dict(space.decisions)
    rows = [(step, name, str(options[name][k]), float(p))
            for step, probs in trace.records for name, ps in probs.items() for k, p in enumerate(ps)]
    return pd.DataFrame(rows, columns=["step", "decision", "option", "probability"])


def population_frame(trace: Trace) -> pd.DataFrame:
    """An evolution's population after each step, tidy: step, age rank (0 = oldest), arch,
    val_accuracy. `trace` must read `list(strategy.population)` (pairs of arch and accuracy)."""
    space = trace.strategy.space
    rows = [(step, rank, space.to_string(arch), float(acc))
            for step, population in trace.records for rank, (arch, acc) in enumerate(population)]
    return pd.DataFrame(rows, columns=["step", "age_rank", "arch", "val_accuracy"])
