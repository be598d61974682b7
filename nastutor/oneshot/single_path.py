"""Single-path training of a supernet: one cell drawn at random per batch (SPOS).

Taught in lesson 09 (weight sharing). Each training step samples one cell, runs and updates only
its path (Guo et al. 2020, "Single Path One-Shot"; Li & Talwalkar 2019, random-sampling one-shot),
with the benchmark's own protocol otherwise: the data, batch size, Adam, weight decay and one-cycle
schedule of `space.default_config()`, for as many epochs as you give. `sampling` is how the cell
is drawn: "uniform" draws each edge's operation uniformly (SPOS, uniform over the 4096 raw
cells), "distinct" draws uniformly among the distinct cells (`space.unique`), so that the many
raw cells that compute one function do not crowd the rest out.

    >>> from nastutor.spaces import CellSpace
    >>> from nastutor.data import load_dataset
    >>> from nastutor.training import TrainConfig
    >>> run = train_single_path(CellSpace(), load_dataset("mnist1d"), TrainConfig(epochs=1), seed=0,
    ...                         progress=False)
    >>> len(run.train_loss), run.seconds > 0
    (1, True)
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np
import torch
import torch.nn as nn
from tqdm.auto import tqdm

from ..checks import InputError, check_seed
from ..data import Dataset
from ..spaces import Arch, CellSpace
from ..spaces.cell import EDGES, OPS
from ..training import TrainConfig, _optimizer, _torch_threads
from .supernet import Supernet

__all__ = ["SAMPLINGS", "SupernetRun", "sample_cell", "train_single_path"]

#: How single-path training draws a cell.
SAMPLINGS = ("uniform", "distinct")


@dataclass(frozen=True)
class SupernetRun:
    """A trained supernet and how it was trained: the mean training loss of each epoch, the wall
    seconds it took, the seed, the protocol and the sampling. `fixed` maps edges (indices into
    `EDGES`) to the operation they were held to (a few-shot sub-supernet), empty if none."""

    supernet: Supernet = field(repr=False)
    train_loss: tuple[float, ...]
    seconds: float
    seed: int
    config: TrainConfig
    sampling: str
    fixed: Mapping[int, str] = field(default_factory=dict)


def _check_fixed(fixed: object) -> dict[int, str]:
    if fixed is None:
        return {}
    if not isinstance(fixed, Mapping):
        raise InputError(f"fixed must map edge indices (0 to {len(EDGES) - 1}) to operations, such as "
                         f"{{3: 'conv3'}}, got {fixed!r}")
    out = {}
    for edge, op in fixed.items():
        if isinstance(edge, bool) or not isinstance(edge, (int, np.integer)) or not 0 <= edge < len(EDGES):
            raise InputError(f"an edge of fixed must be an index from 0 to {len(EDGES) - 1} (edges "
                             f"{', '.join(f'{j}<-{i}' for i, j in EDGES)}), got {edge!r}")
        if op not in OPS:
            raise InputError(f"the operation of edge {edge} in fixed must be one of: {', '.join(OPS)}, got {op!r}")
        out[int(edge)] = op
    return out


def sample_cell(space: CellSpace, rng: np.random.Generator, sampling: str = "uniform",
                fixed: Mapping[int, str] | None = None) -> Arch:
    """One cell drawn as `sampling` says ("uniform": each edge uniformly; "distinct": uniformly among
    the distinct cells), with the edges of `fixed` held to their operation. Taught in lesson 09.

        >>> import numpy as np
        >>> cell = sample_cell(CellSpace(), np.random.default_rng(0), fixed={3: "conv3"})
        >>> cell[3]
        'conv3'
    """
    if not isinstance(sampling, str) or sampling not in SAMPLINGS:
        raise InputError(f"sampling must be one of: {', '.join(SAMPLINGS)}, got {sampling!r}")
    fixed = _check_fixed(fixed)
    if sampling == "uniform":
        cell = tuple(OPS[k] for k in rng.integers(len(OPS), size=len(EDGES)))
        return tuple(fixed.get(e, op) for e, op in enumerate(cell))
    pool = [a for a in space.unique if all(a[e] == op for e, op in fixed.items())] if fixed else space.unique
    if not pool:
        raise InputError(f"no distinct cell has the fixed operations {fixed}; use sampling='uniform'")
    return pool[int(rng.integers(len(pool)))]


def _check_inputs(space: object, data: object, config: object) -> TrainConfig:
    if not isinstance(space, CellSpace):
        raise InputError(f"space must be a CellSpace such as CellSpace(), got {space!r}")
    if not isinstance(data, Dataset):
        raise InputError(f"data must be a Dataset such as load_dataset('mnist1d'), got {data!r}")
    if config is None:
        return space.default_config()
    if not isinstance(config, TrainConfig):
        raise InputError(f"config must be a TrainConfig such as TrainConfig(epochs=40), got {config!r}")
    return config


def train_single_path(space: CellSpace, data: Dataset, config: TrainConfig | None = None, *, seed: int = 0,
                      sampling: str = "uniform", fixed: Mapping[int, str] | None = None,
                      supernet: Supernet | None = None, progress: bool = True,
                      on_epoch: Callable[[int, float], bool | None] | None = None) -> SupernetRun:
    """Train a supernet of `space` on `data.x_train`, one random cell (`sample_cell`) per batch.

    `config` is the protocol (default: the space's own, `space.default_config()`); its `epochs` are
    the supernet's. `supernet` starts from a copy of those weights instead of fresh ones (a few-shot
    sub-supernet inherits them); `fixed` holds edges to one operation. `on_epoch(epoch, loss)` sees
    each epoch's mean loss; returning False stops. Same seed, same supernet. Taught in lesson 09.
    """
    config = _check_inputs(space, data, config)
    seed = check_seed(seed)
    fixed = _check_fixed(fixed)
    sample_cell(space, np.random.default_rng(0), sampling, fixed)  # a bad sampling fails here, not mid-run
    if supernet is not None and (not isinstance(supernet, Supernet) or supernet.space.config() != space.config()):
        raise InputError(f"supernet must be a Supernet of {space!r} to start from, or None, got {supernet!r}")
    x, y = torch.tensor(data.x_train), torch.tensor(data.y_train)
    n_batches = math.ceil(len(y) / config.batch_size)
    losses: list[float] = []
    start = time.perf_counter()
    with _torch_threads(config.threads), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = copy.deepcopy(supernet) if supernet is not None else Supernet(space, data.num_features,
                                                                             data.num_classes)
        rng, order = np.random.default_rng(seed), torch.Generator().manual_seed(seed)
        opt, sched = _optimizer(net, config, config.epochs * n_batches)
        loss_fn = nn.CrossEntropyLoss()
        for epoch in tqdm(range(1, config.epochs + 1), disable=not progress, unit="epoch", desc="supernet"):
            net.train()
            perm, total = torch.randperm(len(y), generator=order), 0.0
            for b in range(n_batches):
                idx = perm[b * config.batch_size:(b + 1) * config.batch_size]
                loss = loss_fn(net(x[idx], arch=sample_cell(space, rng, sampling, fixed)), y[idx])
                opt.zero_grad(set_to_none=True)   # the paths not taken keep no gradient: Adam skips them
                loss.backward()
                opt.step()
                sched.step()
                total += loss.item() * len(idx)
            losses.append(total / len(y))
            if on_epoch is not None and on_epoch(epoch, losses[-1]) is False:
                break
    net.eval()
    return SupernetRun(net, tuple(losses), time.perf_counter() - start, seed, config, sampling, fixed)
