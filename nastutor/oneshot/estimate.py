"""Reading a cell's accuracy off the shared weights, and how far that ranking agrees with the truth.

Taught in lesson 09 (weight sharing). A path's batch-norm statistics in the supernet are averages
over all the paths trained, not those of the chosen cell, so `shared_accuracy` first recomputes
them for that cell alone (`recalibrate_bn`: a few training batches through the path, no weight
changes), scores the cell, then puts the supernet's statistics back: an estimate depends on the
supernet and the cell only, never on what was estimated before.

    >>> from nastutor.spaces import CellSpace
    >>> from nastutor.data import load_dataset
    >>> from nastutor.oneshot import Supernet
    >>> net, data = Supernet(CellSpace(), 40, 10), load_dataset("mnist1d")
    >>> 0.0 <= shared_accuracy(net, ("conv3",) * 6, data) <= 1.0
    True
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterable, Iterator, Sequence

import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from scipy import stats
from tqdm.auto import tqdm

from ..checks import InputError, check_int
from ..data import Dataset
from ..spaces import Arch
from ..training import _torch_threads
from .supernet import Supernet

__all__ = ["recalibrate_bn", "shared_accuracy", "shared_accuracies", "estimate_all", "rank_agreement", "SPLITS"]

#: The splits an estimate may be read on.
SPLITS = ("val", "test", "train")


def _check(supernet: object, data: object) -> None:
    if not isinstance(supernet, Supernet):
        raise InputError(f"supernet must be a Supernet (from train_single_path(...).supernet or "
                         f"Supernet(space, 40, 10)), got {type(supernet).__name__}")
    if not isinstance(data, Dataset):
        raise InputError(f"data must be a Dataset such as load_dataset('mnist1d'), got {data!r}")


@contextmanager
def _statistics_kept(supernet: Supernet) -> Iterator[None]:
    """Put every batch-norm buffer (running mean, variance, count) back as it was on exit."""
    saved = {name: buf.clone() for name, buf in supernet.named_buffers()}
    was_training = supernet.training
    try:
        yield
    finally:
        with torch.no_grad():
            for name, buf in supernet.named_buffers():
                buf.copy_(saved[name])
        supernet.train(was_training)


@torch.no_grad()
def recalibrate_bn(supernet: Supernet, arch: Arch, x: np.ndarray | torch.Tensor, batch_size: int = 256) -> None:
    """Recompute the running statistics of every batch norm on the path of `arch` from the inputs `x`,
    in batches of `batch_size`: each statistic becomes the plain average of the batches' statistics
    (not a moving average), and no weight changes. Taught in lesson 09."""
    bns = [m for module in supernet.path_modules(arch) for m in module.modules() if isinstance(m, nn.BatchNorm1d)]
    momenta = [bn.momentum for bn in bns]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average over the batches below
    x = x if isinstance(x, torch.Tensor) else torch.tensor(x)
    supernet.train()
    try:
        for start in range(0, len(x), batch_size):
            supernet(x[start:start + batch_size], arch=arch)
    finally:
        for bn, momentum in zip(bns, momenta):
            bn.momentum = momentum
        supernet.eval()


def _split(data: Dataset, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(split, str) or split not in SPLITS:
        raise InputError(f"split must be one of: {', '.join(SPLITS)}, got {split!r}")
    return torch.tensor(getattr(data, f"x_{split}")), torch.tensor(getattr(data, f"y_{split}"))


def shared_accuracy(supernet: Supernet, arch: Arch, data: Dataset, *, split: str = "val",
                    recalibrate: bool = True, bn_samples: int = 256) -> float:
    """The accuracy of cell `arch` on `data`'s `split` ("val", "test" or "train") with the supernet's
    shared weights. With `recalibrate` (the default) the path's batch-norm statistics are first
    recomputed from the first `bn_samples` training signals; the supernet is left as it was.
    Taught in lesson 09."""
    return shared_accuracies(supernet, arch, data, splits=(split,), recalibrate=recalibrate,
                             bn_samples=bn_samples)[split]


def shared_accuracies(supernet: Supernet, arch: Arch, data: Dataset, *, splits: Sequence[str] = ("val", "test"),
                      recalibrate: bool = True, bn_samples: int = 256) -> dict[str, float]:
    """`shared_accuracy` on several splits at once, with one recalibration: {split: accuracy}."""
    _check(supernet, data)
    bn_samples = check_int(bn_samples, "bn_samples", minimum=1)
    if isinstance(splits, str):
        splits = (splits,)
    tensors = {split: _split(data, split) for split in splits}
    with _statistics_kept(supernet), torch.no_grad():
        if recalibrate:
            recalibrate_bn(supernet, arch, data.x_train[:bn_samples])
        supernet.eval()
        return {split: (supernet(x, arch=arch).argmax(dim=1) == y).sum().item() / len(y)
                for split, (x, y) in tensors.items()}


def estimate_all(supernet: Supernet, archs: Iterable[Arch], data: Dataset, *, split: str = "val",
                 recalibrate: bool = True, bn_samples: int = 256, threads: int = 1,
                 progress: bool = True) -> pd.Series:
    """`shared_accuracy` of every cell of `archs`, as a Series indexed by the cells' string forms
    (as `Benchmark.truth()` is, so the two line up), computed on `threads` threads (one is fastest
    for these small networks, as in training). Taught in lesson 09.

        >>> from nastutor.spaces import CellSpace
        >>> from nastutor.data import load_dataset
        >>> from nastutor.oneshot import Supernet
        >>> net = Supernet(CellSpace(), 40, 10)
        >>> estimate_all(net, [("conv3",) * 6, ("skip",) * 6], load_dataset("mnist1d"), progress=False).size
        2
    """
    _check(supernet, data)
    archs = list(archs)
    space = supernet.space
    with _torch_threads(check_int(threads, "threads", minimum=1)):
        values = [shared_accuracy(supernet, arch, data, split=split, recalibrate=recalibrate, bn_samples=bn_samples)
                  for arch in tqdm(archs, disable=not progress, unit="cell", desc="supernet estimates")]
    return pd.Series(values, index=pd.Index([space.to_string(a) for a in archs], name="arch"), name="estimate")


def rank_agreement(estimate: pd.Series | Sequence[float], truth: pd.Series | Sequence[float],
                   top: Sequence[int] = (10, 50)) -> dict[str, float]:
    """How far a ranking by `estimate` agrees with the ranking by `truth` (same cells, same order;
    two Series are aligned by their index): Kendall's tau-b, Spearman's rho, and for each k in
    `top` the share of the truly best k cells that are among the k best estimates. Taught in lesson 09.

        >>> rank_agreement([0.1, 0.2, 0.3, 0.4], [1, 2, 3, 4], top=(2,))
        {'kendall': 1.0, 'spearman': 1.0, 'top2': 1.0}
    """
    if isinstance(estimate, pd.Series) and isinstance(truth, pd.Series):
        if set(estimate.index) != set(truth.index):
            raise InputError("estimate and truth must score the same cells (their indexes differ)")
        truth = truth.loc[estimate.index]
    e, t = np.asarray(estimate, dtype=float), np.asarray(truth, dtype=float)
    if e.ndim != 1 or e.shape != t.shape or len(e) < 2:
        raise InputError(f"estimate and truth must be two equally long 1-D sequences of at least 2 numbers, "
                         f"got shapes {e.shape} and {t.shape}")
    ks = [check_int(k, "each of top", minimum=1, maximum=len(e)) for k in top]
    out = {"kendall": float(stats.kendalltau(e, t).statistic), "spearman": float(stats.spearmanr(e, t).statistic)}
    by_e, by_t = np.argsort(-e, kind="stable"), np.argsort(-t, kind="stable")
    for k in ks:
        out[f"top{k}"] = len(set(by_e[:k]) & set(by_t[:k])) / k
    return out
