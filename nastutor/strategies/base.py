"""The ask/tell `Strategy` interface. Taught in lesson 04.

A strategy proposes architectures (`ask`) and learns from their scores (`tell`). Because it
never runs the loop itself, any loop can drive it: `run_search`, a widget, a process pool.

    >>> from nastutor.spaces import CellSpace
    >>> from nastutor.strategies import RandomSearch
    >>> s = RandomSearch()
    >>> s.setup(CellSpace(), seed=0)
    >>> arch = s.ask()   # then train it, and: s.tell(arch, evaluation)

Tickets. A strategy that must remember something between `ask` and `tell` (REINFORCE the choices
it sampled, Optuna its trial) keeps it under a ticket: `ask` calls `self.remember(arch, memo)`, which
files `memo` under the number of this ask since `setup` (0, 1, 2, ...), and `tell` calls
`self.recall(arch, evaluation)` to get it back. `run_search` stamps each evaluation with the number
of the ask it answers (`evaluation.step`), so a tell finds its own ask even when the same
architecture is in flight twice and results come back in any order. An evaluation without a step
(a hand-written loop: `s.tell(arch, evaluator.evaluate(arch))`) is matched to the oldest pending
ask of that architecture, which is right whenever results are told in the order they were asked.
Strategies that learn only from (arch, score), as the lessons' own do, need none of this.
"""
from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from ..checks import InputError, check_int, check_seed
from ..records import Evaluation
from ..spaces import Arch, SearchSpace

__all__ = ["Strategy", "SearchExhausted"]


class SearchExhausted(Exception):
    """Raised by `ask` when a strategy has nothing left to propose (a finished grid)."""


class Strategy(ABC):
    """Base class of every search strategy.

    The constructor takes the strategy's parameters only. `setup(space, seed)` starts a fresh
    search: it sets `self.space` and `self.rng` and forgets everything learned before, so one
    strategy object can run many seeds.
    """

    space: SearchSpace
    rng: np.random.Generator
    max_epochs: int | None

    def setup(self, space: SearchSpace, seed: int = 0, max_epochs: int | None = None) -> None:
        """Start a fresh search over `space`, with randomness from `seed` (same seed, same
        search: None is refused). `max_epochs` is the evaluator's full fidelity (multi-fidelity
        strategies need it)."""
        if not isinstance(space, SearchSpace):
            raise InputError(f"space must be a SearchSpace such as CellSpace(), got {space!r}")
        seed = check_seed(seed)
        if max_epochs is not None:
            max_epochs = check_int(max_epochs, "max_epochs", minimum=1)
        if space.size < 2:
            raise InputError(f"{space!r} holds a single architecture, so there is nothing to search: "
                             "give a space with at least two (more widths, activations or layers)")
        self.space = space
        self.rng = np.random.default_rng(seed)
        self.max_epochs = max_epochs
        self._pending: dict[int, tuple[Arch, Any]] = {}  # ticket -> (arch, memo), in ask order
        self._tickets = 0  # tickets issued since setup

    def _check_setup(self) -> None:
        if not hasattr(self, "space"):
            raise RuntimeError(f"call {type(self).__name__}.setup(space, seed) before ask(); "
                               "run_search does this for you")

    @abstractmethod
    def ask(self) -> Arch:
        """The next architecture to evaluate."""

    def tell(self, arch: Arch, evaluation: Evaluation) -> None:
        """Learn from `arch`'s evaluation. Strategies that do not learn ignore it."""

    #: Whether `observe` can teach this strategy an evaluation it did not ask for. Strategies that
    #: learn from what they sampled (REINFORCE's choices, Optuna's trials, a bracket's rungs) cannot.
    observes: bool = True

    def observe(self, arch: Arch, evaluation: Evaluation) -> None:
        """Learn from an evaluation this strategy did not ask for, as if it had: a warm start from
        another task's best cells (`WarmStart`, lesson 12). By default it is `tell`, right for the
        strategies that learn only from (architecture, score); others override it, or set
        `observes = False` to refuse.

            >>> from nastutor.spaces import CellSpace
            >>> from nastutor.strategies import RegularizedEvolution
            >>> from nastutor.records import Evaluation
            >>> evo = RegularizedEvolution(population_size=2, sample_size=2); evo.setup(CellSpace(), seed=0)
            >>> arch = CellSpace().sample(evo.rng)
            >>> evo.observe(arch, Evaluation(arch, 0.9, 0.9, cost=1.0, epochs=12, seed=0))
            >>> len(evo.population)
            1
        """
        if not self.observes:
            able = sorted({c.__name__ for c in _subclasses(Strategy) if c.observes and not inspect.isabstract(c)})
            raise InputError(f"{type(self).__name__} learns from what it sampled itself, so it cannot learn from "
                             f"evaluations it did not ask for: warm-start one of: {', '.join(able)}")
        self.tell(arch, evaluation)

    def remember(self, arch: Arch, memo: Any = None) -> int:
        """In `ask`: keep `memo` (what `tell` will need about `arch`) under the next ticket, the
        number of this ask since `setup`, and return it. Call it on every ask, or on none."""
        ticket = self._tickets
        self._pending[ticket] = (arch, memo)
        self._tickets += 1
        return ticket

    def recall(self, arch: Arch, evaluation: Evaluation) -> Any:
        """In `tell`: the memo that the ask `evaluation` answers kept, no longer pending. The ask
        is `evaluation.step` when the loop stamped it (`run_search` does), else the oldest pending
        ask of `arch`."""
        step = getattr(evaluation, "step", None)
        if step is not None:  # stamped by the loop: that ask and no other
            if step in self._pending and self._pending[step][0] == arch:
                return self._pending.pop(step)[1]
            raise InputError(f"tell got {arch!r} for ask {step}, but {type(self).__name__}'s ask {step} "
                             + ("was told already" if step not in self._pending else
                                f"was {self._pending[step][0]!r}") + ": tell each asked architecture once")
        for ticket, (asked, _) in self._pending.items():  # oldest first: dicts keep insertion order
            if asked == arch:
                return self._pending.pop(ticket)[1]
        raise InputError(f"tell got {arch!r}, which {type(self).__name__} was not "
                         "asked for (or was told already): tell each asked architecture once")

    def fidelity(self) -> int | None:
        """Epochs at which to evaluate the architecture `ask` just returned; None means the
        evaluator's full fidelity. Multi-fidelity strategies (lesson: successive halving) override it."""
        return None

    def __repr__(self) -> str:
        params = list(inspect.signature(type(self).__init__).parameters)[1:]  # all but self
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in params if hasattr(self, name))
        return f"{type(self).__name__}({args})"


def _subclasses(cls: type) -> list[type]:
    """Every subclass of `cls`, at any depth."""
    return [c for sub in cls.__subclasses__() for c in (sub, *_subclasses(sub))]
