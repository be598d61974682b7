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

from collections.abc import Iterable, Mapping
from typing import Any, Callable

import pandas as pd

from .checks import InputError
from .spaces import SearchSpace
from .strategies import Strategy

__all__ = ["Trace", "policy_frame", "population_frame"]


class Trace:
    """A `run_search` callback: after evaluation number `step` (1, 2, ...) it stores
    `(step, read(strategy))` in `records`."""

    def __init__(self, strategy: Strategy, read: Callable[[Strategy], Any]):
        if not isinstance(strategy, Strategy):
            brackets = " (an instance: add the brackets)" if isinstance(strategy, type) else ""
            raise InputError(f"strategy must be a Strategy such as Reinforce(){brackets}, got {strategy!r}")
        if not callable(read):
            raise InputError(f"read must be a function of the strategy, such as lambda s: s.probabilities(), "
                             f"got {read!r}")
        self.strategy, self.read = strategy, read
        self.records: list[tuple[int, Any]] = []

    def __call__(self, history) -> None:
        self.records.append((len(history), self.read(self.strategy)))

    def __repr__(self) -> str:
        return f"Trace({type(self.strategy).__name__}, {len(self.records)} records)"


def _ran(trace: object) -> Trace:
    """`trace` if it is a `Trace` that has recorded something, else a clear error."""
    if not isinstance(trace, Trace):
        raise InputError(f"trace must be a Trace, got {trace!r}")
    if not trace.records or not hasattr(trace.strategy, "space"):
        raise InputError("trace has not run yet (no records): pass it to run_search(..., callback=trace) first")
    return trace


def _wrong_reading(function: str, reads: str, value: object, step: int) -> InputError:
    return InputError(f"{function} needs a Trace that reads {reads}; this trace read "
                      f"{type(value).__name__} {value!r:.80} at step {step}")


def policy_frame(trace: Trace, space: SearchSpace | None = None) -> pd.DataFrame:
    """REINFORCE's choice probabilities over time, tidy: step, decision, option, probability.
    `trace` must read `strategy.probabilities()` (a dict decision -> array over options)."""
    trace = _ran(trace)
    if space is not None and not isinstance(space, SearchSpace):
        raise InputError(f"space must be a SearchSpace or None (the traced strategy's space), got {space!r}")
    options = dict((space or trace.strategy.space).decisions)
    reads = "strategy.probabilities() (a dict: decision -> probabilities)"
    rows = []
    for step, probs in trace.records:
        if not isinstance(probs, Mapping) or not set(probs) <= set(options):
            raise _wrong_reading("policy_frame", reads, probs, step)
        rows += [(step, name, str(options[name][k]), float(p)) for name, ps in probs.items() for k, p in enumerate(ps)]
    return pd.DataFrame(rows, columns=["step", "decision", "option", "probability"])


def _is_member(pair: object) -> bool:
    return isinstance(pair, tuple) and len(pair) == 2


def population_frame(trace: Trace) -> pd.DataFrame:
    """An evolution's population after each step, tidy: step, age rank (0 = oldest), arch,
    val_accuracy. `trace` must read `list(strategy.population)` (pairs of arch and accuracy)."""
    trace = _ran(trace)
    space = trace.strategy.space
    reads = "list(strategy.population) (pairs of architecture and accuracy)"
    rows = []
    for step, population in trace.records:
        if isinstance(population, (Mapping, str)) or not isinstance(population, Iterable):
            raise _wrong_reading("population_frame", reads, population, step)
        members = list(population)
        if not all(_is_member(m) and m[0] in space for m in members):
            raise _wrong_reading("population_frame", reads, population, step)
        rows += [(step, rank, space.to_string(arch), float(acc)) for rank, (arch, acc) in enumerate(members)]
    return pd.DataFrame(rows, columns=["step", "age_rank", "arch", "val_accuracy"])
