"""Few-shot supernets: split the supernet on one edge, one sub-supernet per operation of that edge.

Taught in lesson 09 (weight sharing), as a remedy for single-path training. In one supernet, the
cells that differ on an edge share everything else and pull the shared weights their own ways
(co-adaptation). Few-shot NAS (Zhao et al. 2021) trains the one-shot supernet for a while, then
copies it into one sub-supernet per operation of a chosen edge, each trained further with that
edge held to its operation; a cell is estimated by the sub-supernet that holds its operation.
`train_few_shot` splits the epochs of a plain run: `warmup` of them for the shared parent, the
rest divided among the children, so both spend the same number of training steps.

    >>> from nastutor.spaces import CellSpace
    >>> from nastutor.data import load_dataset
    >>> from nastutor.training import TrainConfig
    >>> run = train_few_shot(CellSpace(), load_dataset("mnist1d"), TrainConfig(epochs=5), warmup=1, seed=0,
    ...                      progress=False)
    >>> sorted(run.children), run.children["conv3"].config.epochs
    (['avgpool3', 'conv3', 'none', 'skip'], 1)
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable

import pandas as pd

from ..checks import MAX_SEED, InputError, check_int, check_seed
from ..data import Dataset
from ..spaces import Arch, CellSpace
from ..spaces.cell import EDGES, OPS, prune
from ..training import TrainConfig
from .estimate import estimate_all
from .single_path import SupernetRun, _check_inputs, train_single_path
from .supernet import Supernet

__all__ = ["FewShotRun", "train_few_shot"]


@dataclass(frozen=True)
class FewShotRun:
    """The shared parent run and one child run per operation of edge `edge` (an index into `EDGES`)."""

    parent: SupernetRun = field(repr=False)
    children: dict[str, SupernetRun] = field(repr=False)
    edge: int

    @property
    def seconds(self) -> float:
        """Wall seconds of the parent and all children."""
        return self.parent.seconds + sum(c.seconds for c in self.children.values())

    def supernet_for(self, arch: Arch) -> Supernet:
        """The sub-supernet that holds `arch`'s operation on the split edge (a dead edge counts as `none`)."""
        return self.children[prune(arch)[self.edge]].supernet

    def estimate_all(self, archs: Iterable[Arch], data: Dataset, **options) -> pd.Series:
        """`estimate_all` with each cell read off its own sub-supernet, in the order of `archs`."""
        archs = list(archs)
        parts = [estimate_all(self.children[op].supernet, [a for a in archs if prune(a)[self.edge] == op], data,
                              **options) for op in OPS]
        joined = pd.concat([p for p in parts if len(p)])
        return joined.loc[[self.parent.supernet.space.to_string(a) for a in archs]]


def train_few_shot(space: CellSpace, data: Dataset, config: TrainConfig | None = None, *, edge: int = 3,
                   warmup: int | None = None, seed: int = 0, sampling: str = "uniform",
                   progress: bool = True) -> FewShotRun:
    """Train a parent supernet for `warmup` epochs (default: half of `config.epochs`), then one copy per
    operation of edge `edge` (default 3, the edge from the cell's input to its output) for an equal
    share of the remaining epochs, that edge held to the copy's operation. Taught in lesson 09."""
    config = _check_inputs(space, data, config)
    edge = check_int(edge, "edge", minimum=0, maximum=len(EDGES) - 1)
    seed = check_seed(seed)
    warmup = config.epochs // 2 if warmup is None else check_int(warmup, "warmup", minimum=1)
    each = (config.epochs - warmup) // len(OPS)
    if each < 1:
        raise InputError(f"config.epochs ({config.epochs}) leaves no epoch for the {len(OPS)} children after "
                         f"a warmup of {warmup}: give at least {warmup + len(OPS)} epochs")
    parent = train_single_path(space, data, replace(config, epochs=warmup), seed=seed, sampling=sampling,
                               progress=progress)
    children = {op: train_single_path(space, data, replace(config, epochs=each), seed=(seed + 1 + k) % (MAX_SEED + 1),
                                      sampling=sampling, fixed={edge: op}, supernet=parent.supernet,
                                      progress=progress)
                for k, op in enumerate(OPS)}
    return FewShotRun(parent, children, edge)
