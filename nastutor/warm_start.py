"""Warm starting a search with cells known to be good elsewhere. Taught in lesson 12 (transfer).

A search on a new task need not start from nothing: the best cells of a task already searched
are a guess at good cells here. `WarmStart` asks them first, then hands over to any strategy,
which learns from their evaluations as if it had drawn them itself (`Strategy.observe`): an
evolution's initial population, a local search's first round, a Gaussian process's first data.

    >>> import numpy as np
    >>> from nastutor.spaces import CellSpace
    >>> from nastutor.strategies import RegularizedEvolution
    >>> space, rng = CellSpace(), np.random.default_rng(1)
    >>> prior = [space.sample(rng) for _ in range(3)]     # in lesson 12: the best cells of another task
    >>> warm = WarmStart(RegularizedEvolution(), prior); warm.setup(space, seed=0)
    >>> warm.ask() == prior[0]
    True
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from .checks import InputError
from .records import Evaluation
from .spaces import Arch, SearchSpace
from .strategies import Strategy
from .strategies.registry import observing

__all__ = ["WarmStart"]


class WarmStart(Strategy):
    """Ask `archs` first, in the order given (another task's best cells, best first), then ask
    what `strategy` asks. Each evaluation of a warm cell goes to `strategy.observe`, the others
    to `strategy.tell`, so the strategy builds on the warm cells: regularized evolution takes them
    as its initial population, local search climbs from the best of them, BO fits them first.
    `archs` may be architectures or their string forms. Taught in lesson 12.
    """

    observes = False  # one warm start at a time

    def __init__(self, strategy: Strategy, archs: Sequence[Arch | str]):
        if not isinstance(strategy, Strategy) or isinstance(strategy, WarmStart):
            raise InputError(f"strategy must be a Strategy such as RegularizedEvolution(), got {strategy!r:.80}")
        if not strategy.observes:
            raise InputError(f"{type(strategy).__name__} cannot learn from cells it did not ask for, so it cannot be "
                             f"warm-started: use one of: {', '.join(observing())}")
        if isinstance(archs, (str, bytes)) or not isinstance(archs, Sequence) or not archs:
            raise InputError("archs must be a non-empty list of architectures (or their strings) to ask first, "
                             "such as the source task's best cells")
        self.strategy, self.archs = strategy, list(archs)

    def setup(self, space: SearchSpace, seed: int = 0, max_epochs: int | None = None) -> None:
        super().setup(space, seed, max_epochs)
        self.strategy.setup(space, seed, max_epochs)
        self._warm: list[Arch] = []
        for a in self.archs:
            try:
                arch = space.parse(a) if isinstance(a, str) else a
                space.validate(arch)
            except (ValueError, TypeError) as exc:
                raise InputError(f"warm-start cell {a!r:.80} is not an architecture of {space!r}: {exc}") from None
            self._warm.append(arch)
        self._last_warm = False

    def ask(self) -> Arch:
        self._check_setup()
        self._last_warm = self._tickets < len(self._warm)
        arch = self._warm[self._tickets] if self._last_warm else self.strategy.ask()
        self.remember(arch, self._last_warm)
        return arch

    def fidelity(self) -> int | None:
        return None if self._last_warm else self.strategy.fidelity()

    def tell(self, arch: Arch, evaluation: Evaluation) -> None:
        if self.recall(arch, evaluation):
            self.strategy.observe(arch, replace(evaluation, step=None))
        else:  # the strategy's own asks are numbered from 0: after the warm ones
            step = None if evaluation.step is None else evaluation.step - len(self._warm)
            self.strategy.tell(arch, replace(evaluation, step=step))

    def __repr__(self) -> str:
        return f"WarmStart({self.strategy!r}, {len(self.archs)} cells)"
