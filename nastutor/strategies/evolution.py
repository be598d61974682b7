"""Regularized evolution (Real et al., 2019, "Regularized Evolution for Image Classifier
Architecture Search"). Taught in lesson 05."""
from __future__ import annotations

import random
from collections import deque

from ..checks import InputError, check_int, check_number
from ..records import Evaluation
from ..spaces import Arch, SearchSpace
from .base import Strategy
from .registry import Param, register

__all__ = ["RegularizedEvolution"]


@register("evolution", "Regularized evolution", [
    Param("population_size", 10, 2, 50, label="population P"),
    Param("sample_size", 3, 1, 10, label="sample S"),
    Param("aging", True, label="aging (remove the oldest)"),
    Param("crossover", 0.0, 0.0, 1.0, 0.05, label="crossover probability", control=False)], lesson="05")
class RegularizedEvolution(Strategy):
    """Keep a population of the last P evaluated architectures. Each cycle: sample S of them
    at random (a tournament), mutate the best one, evaluate the child, add it, and remove the
    *oldest* member (aging). With `aging=False` the *worst* member goes instead: classic,
    non-aging evolution, which can get stuck on an architecture that was lucky once.

    The first P architectures are random. With `crossover` > 0, that share of children mixes
    two tournament winners (`space.crossover`) before the mutation.

    >>> from nastutor.spaces import CellSpace
    >>> evo = RegularizedEvolution(population_size=10, sample_size=3)
    >>> evo.setup(CellSpace(), seed=0)
    """

    def __init__(self, population_size: int = 10, sample_size: int = 3, aging: bool = True,
                 crossover: float = 0.0):
        population_size = check_int(population_size, "population_size P", minimum=1)
        sample_size = check_int(sample_size, "sample_size S", minimum=1, maximum=population_size)
        if not isinstance(aging, bool):
            raise InputError(f"aging must be True (remove the oldest) or False (remove the worst), got {aging!r}")
        crossover = check_number(crossover, "crossover probability", minimum=0, maximum=1)
        self.population_size, self.sample_size = population_size, sample_size
        self.aging, self.crossover = aging, crossover

    def setup(self, space: SearchSpace, seed: int = 0, max_epochs: int | None = None) -> None:
        super().setup(space, seed, max_epochs)
        self.population: deque[tuple[Arch, float]] = deque()  # oldest first
        self._random = random.Random(int(self.rng.integers(2**63)))
        self._asked = 0

    def tournament(self) -> Arch:
        """Sample S members of the population at random and return the best one's architecture."""
        self._check_setup()
        if not self.population:
            raise InputError("the population is empty: tell the strategy some evaluations before a tournament")
        contenders = self._random.sample(range(len(self.population)), min(self.sample_size, len(self.population)))
        return max((self.population[i] for i in contenders), key=lambda member: member[1])[0]


    def ask(self) -> Arch:
        self._check_setup()
        self._asked += 1
        if self._asked <= self.population_size or not self.population:
            return self.space.sample(self.rng)  # the initial population is random
        parent = self.tournament()
        if self.crossover and self._random.random() < self.crossover:
            parent = self.space.crossover(parent, self.tournament(), self.rng)
        return self.space.mutate(parent, self.rng)

    def observe(self, arch: Arch, evaluation: Evaluation) -> None:
        """A member of the initial population that the strategy did not draw (lesson 12's warm start)."""
        self._asked += 1
        self.tell(arch, evaluation)

    def tell(self, arch: Arch, evaluation: Evaluation) -> None:
        self.population.append((arch, evaluation.val_accuracy))
        if len(self.population) > self.population_size:
            if self.aging:
                self.population.popleft()  # regularized: the oldest dies
            else:
                self.population.remove(min(self.population, key=lambda member: member[1]))
