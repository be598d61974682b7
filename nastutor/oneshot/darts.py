"""DARTS: a continuous relaxation of the cell, searched by gradient descent (first order).

Taught in lesson 09 (weight sharing). Each edge e mixes all operations with weights
softmax(alpha[e]) (Liu et al. 2019). The bilevel problem

    min_alpha  L_val(w*(alpha), alpha)   s.t.  w*(alpha) = argmin_w L_train(w, alpha)

is approximated to first order: each step takes one gradient step on the weights w with a training
batch (alpha held), then one on alpha with a validation batch (w held). The cell found is the
argmax of alpha on each edge (`derive`; `none` included, as in NAS-Bench-201's DARTS). alpha is
recorded after every epoch, so its trajectory (and the cell it would give at each epoch: early
stopping) can be read back. The weights follow the benchmark's protocol (`space.default_config()`:
Adam, one-cycle); alpha follows DARTS (Adam, betas (0.5, 0.999), weight decay 1e-3), with a
learning rate scaled up for a run of a few hundred steps rather than DARTS' tens of thousands.

    >>> from nastutor.spaces import CellSpace
    >>> from nastutor.data import load_dataset
    >>> from nastutor.training import TrainConfig
    >>> run = train_darts(CellSpace(), load_dataset("mnist1d"), TrainConfig(epochs=1), seed=0, progress=False)
    >>> run.alphas.shape, len(run.cells)
    ((2, 6, 4), 2)
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
import torch.nn as nn
from tqdm.auto import tqdm

from ..checks import InputError, check_number, check_seed
from ..data import Dataset
from ..spaces import Arch, CellSpace
from ..spaces.cell import EDGES, OPS
from ..training import TrainConfig, _optimizer, _torch_threads
from .single_path import _check_inputs
from .supernet import Supernet

__all__ = ["DartsRun", "derive", "train_darts", "ALPHA_LR"]

#: The learning rate of alpha (DARTS used 3e-4 over about 20,000 steps; here runs are ~100x shorter).
ALPHA_LR = 0.03


def derive(alpha: np.ndarray | torch.Tensor) -> Arch:
    """The cell of architecture weights `alpha` (6 edges x 4 operations, columns in `OPS` order):
    on each edge the operation of largest alpha (the first one among equals). Taught in lesson 09.

        >>> import numpy as np
        >>> alpha = np.zeros((6, 4)); alpha[:, 2] = 1.0; alpha[3] = [0, 5, 1, 0]
        >>> derive(alpha)
        ('conv3', 'conv3', 'conv3', 'skip', 'conv3', 'conv3')
    """
    a = alpha.detach().cpu().numpy() if isinstance(alpha, torch.Tensor) else np.asarray(alpha, dtype=float)
    if a.shape != (len(EDGES), len(OPS)) or not np.all(np.isfinite(a)):
        raise InputError(f"alpha must be a finite array of shape ({len(EDGES)}, {len(OPS)}) (one row per edge, "
                         f"columns {', '.join(OPS)}), got shape {a.shape}")
    return tuple(OPS[k] for k in a.argmax(axis=1))


@dataclass(frozen=True)
class DartsRun:
    """A DARTS search: `alphas[t]` is alpha after epoch t (t = 0: at the start), `cells[t]` the cell
    derived from it; per epoch, the mean training loss (weights' steps) and validation loss
    (alpha's steps); wall seconds, seed, protocol and alpha's learning rate."""

    supernet: Supernet = field(repr=False)
    alphas: np.ndarray = field(repr=False, compare=False)
    cells: tuple[Arch, ...]
    train_loss: tuple[float, ...]
    val_loss: tuple[float, ...]
    seconds: float
    seed: int
    config: TrainConfig
    alpha_lr: float

    @property
    def alpha(self) -> np.ndarray:
        """alpha at the end."""
        return self.alphas[-1]

    @property
    def cell(self) -> Arch:
        """The cell DARTS returns: derived from the final alpha."""
        return self.cells[-1]

    def weights(self, epoch: int | None = None) -> np.ndarray:
        """softmax(alpha) per edge after `epoch` epochs (default: the end): the mixing weights."""
        a = self.alphas[-1 if epoch is None else epoch]
        e = np.exp(a - a.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


def train_darts(space: CellSpace, data: Dataset, config: TrainConfig | None = None, *, seed: int = 0,
                alpha_lr: float = ALPHA_LR, alpha_weight_decay: float = 1e-3, progress: bool = True,
                on_epoch: Callable[[int, np.ndarray], bool | None] | None = None) -> DartsRun:
    """First-order DARTS on `space`: weights on `data.x_train`, alpha on `data.x_val` (see the module
    docstring). `config` is the weights' protocol (default `space.default_config()`); its `epochs`
    are the search's. `on_epoch(epoch, alpha)` sees alpha after each epoch; returning False stops
    (early stopping). Same seed, same search. Taught in lesson 09.
    """
    config = _check_inputs(space, data, config)
    seed = check_seed(seed)
    alpha_lr = check_number(alpha_lr, "alpha_lr", positive=True)
    alpha_weight_decay = check_number(alpha_weight_decay, "alpha_weight_decay", minimum=0.0)
    x, y = torch.tensor(data.x_train), torch.tensor(data.y_train)
    xv, yv = torch.tensor(data.x_val), torch.tensor(data.y_val)
    n_batches, n_val = math.ceil(len(y) / config.batch_size), math.ceil(len(yv) / config.batch_size)
    start = time.perf_counter()
    with _torch_threads(config.threads), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = Supernet(space, data.num_features, data.num_classes)
        alpha = nn.Parameter(1e-3 * torch.randn(len(EDGES), len(OPS)))
        opt, sched = _optimizer(net, config, config.epochs * n_batches)
        alpha_opt = torch.optim.Adam([alpha], lr=alpha_lr, betas=(0.5, 0.999), weight_decay=alpha_weight_decay)
        order = torch.Generator().manual_seed(seed)
        loss_fn = nn.CrossEntropyLoss()
        alphas = [alpha.detach().clone().numpy()]
        train_loss: list[float] = []
        val_loss: list[float] = []
        for epoch in tqdm(range(1, config.epochs + 1), disable=not progress, unit="epoch", desc="DARTS"):
            net.train()
            perm, val_perm = torch.randperm(len(y), generator=order), torch.randperm(len(yv), generator=order)
            total, total_val, seen_val = 0.0, 0.0, 0
            for b in range(n_batches):
                # alpha: one step on a validation batch, the weights held
                v = val_perm[(b % n_val) * config.batch_size:(b % n_val + 1) * config.batch_size]
                loss_v = loss_fn(net(xv[v], weights=torch.softmax(alpha, dim=1)), yv[v])
                alpha_opt.zero_grad(set_to_none=True)
                alpha.grad, = torch.autograd.grad(loss_v, [alpha])
                alpha_opt.step()
                # weights: one step on a training batch, alpha held
                idx = perm[b * config.batch_size:(b + 1) * config.batch_size]
                loss = loss_fn(net(x[idx], weights=torch.softmax(alpha, dim=1).detach()), y[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
                total += loss.item() * len(idx)
                total_val += loss_v.item() * len(v)
                seen_val += len(v)
            train_loss.append(total / len(y))
            val_loss.append(total_val / seen_val)
            alphas.append(alpha.detach().clone().numpy())
            if on_epoch is not None and on_epoch(epoch, alphas[-1]) is False:
                break
    net.eval()
    stacked = np.stack(alphas)
    return DartsRun(net, stacked, tuple(derive(a) for a in stacked), tuple(train_loss), tuple(val_loss),
                    time.perf_counter() - start, seed, config, alpha_lr)
