"""Local optima of a benchmark's landscape, and the basins hill climbing drains into them.

Local search moves by one change at a time (`space.neighbors`): a cell's 18 neighbours each change
one edge's operation. An architecture is a **local optimum** when no neighbour has a strictly higher
ground truth (the benchmark's mean final validation accuracy); steepest-ascent **hill climbing**
moves to the best strictly better neighbour until it stands on one, and the architectures whose
climb ends on an optimum are its **basin**. The landscape is over the space's raw architectures
(what a search moves through); equivalent ones share their canonical row's truth. Taught in lesson 08
(local search).

    >>> from nastutor.benchmark import Benchmark
    >>> scape = Landscape.of(Benchmark.load("cell-mnist1d"))
    >>> len(scape), scape.climb(0) in set(scape.optima())
    (4096, True)
    >>> int(basins(scape)["basin"].sum()) == len(scape)        # every start drains somewhere
    True
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .benchmark.table import METRICS, Benchmark
from .checks import InputError
from .spaces import Arch, SearchSpace

__all__ = ["Landscape", "basins"]


@dataclass(frozen=True)
class Landscape:
    """Every raw architecture of a benchmark's space (`archs`, in `space.enumerate()` order), its
    ground truth (`fitness`) and its neighbours (`neighbours[i]`: indices into `archs`)."""

    space: SearchSpace
    archs: tuple[Arch, ...]
    fitness: np.ndarray
    neighbours: tuple[np.ndarray, ...]

    @classmethod
    def of(cls, bench: Benchmark, metric: str = "val_accuracy") -> "Landscape":
        """The landscape of `bench` by `metric` ("val_accuracy", what a search climbs, or
        "test_accuracy")."""
        if not isinstance(bench, Benchmark):
            raise InputError(f"Landscape.of needs a loaded Benchmark, got {type(bench).__name__}")
        if metric not in METRICS:
            raise InputError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")
        space = bench.space
        archs = tuple(space.enumerate())
        where = {a: i for i, a in enumerate(archs)}
        truth = bench.truth(metric).to_numpy()
        fitness = truth[[bench.index(a) for a in archs]]
        neighbours = tuple(np.array([where[n] for n in space.neighbors(a)], dtype=int) for a in archs)
        return cls(space, archs, fitness, neighbours)

    def __len__(self) -> int:
        return len(self.archs)

    def step(self, i: int) -> int:
        """Steepest ascent from architecture `i`: its best neighbour if that one is strictly better
        (the first in `neighbors` order among equals), else `i` itself."""
        n = self.neighbours[i]
        best = n[int(np.argmax(self.fitness[n]))]
        return int(best) if self.fitness[best] > self.fitness[i] else i

    def climb(self, i: int) -> int:
        """Hill climbing from `i` to the local optimum it ends on (it always ends: each step is
        strictly uphill)."""
        while (j := self.step(i)) != i:
            i = j
        return i

    def optima(self) -> list[int]:
        """The local optima: architectures with no strictly better neighbour."""
        return [i for i in range(len(self)) if self.step(i) == i]


def basins(scape: Landscape) -> pd.DataFrame:
    """One row per local optimum, best first: the architecture, its canonical form, its truth,
    its regret against the best architecture, and its basin (how many raw architectures'
    climbs end on it). Taught in lesson 08.

        >>> from nastutor.benchmark import Benchmark
        >>> table = basins(Landscape.of(Benchmark.load("cell-mnist1d")))
        >>> float(table["regret"].iloc[0]), list(table.columns)
        (0.0, ['arch', 'canonical', 'fitness', 'regret', 'basin'])
    """
    ends = np.array([scape.climb(i) for i in range(len(scape))])
    optima = scape.optima()
    size = np.bincount(ends, minlength=len(scape))
    space = scape.space
    table = pd.DataFrame({
        "arch": [space.to_string(scape.archs[i]) for i in optima],
        "canonical": [space.to_string(space.canonical(scape.archs[i])) for i in optima],
        "fitness": scape.fitness[optima], "regret": scape.fitness.max() - scape.fitness[optima],
        "basin": size[optima]})
    return table.sort_values(["fitness", "basin"], ascending=False, kind="stable").reset_index(drop=True)
