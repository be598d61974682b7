"""The one training loop: deterministic, scored on held-out data.

Taught in lesson 01 (validation vs test) and lesson 03 (performance estimation).

Example:
    >>> from nastutor.spaces import MLPSpace
    >>> from nastutor.data import load_dataset
    >>> space, data = MLPSpace(), load_dataset("mnist1d")
    >>> result = train(space.build(((64, "relu"),), 40, 10), data, TrainConfig(epochs=2), seed=0)
    >>> len(result.val_curve)
    2
"""
from __future__ import annotations

import math
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np
import torch
import torch.nn as nn

from .checks import InputError, check_int, check_number, check_seed
from .data import Dataset

__all__ = ["TrainConfig", "EpochRecord", "TrainResult", "train", "accuracy", "count_parameters"]

OPTIMIZERS = ("adam", "sgd")
SCHEDULES = ("onecycle", "constant")


@dataclass(frozen=True)
class TrainConfig:
    """How a candidate is trained: the protocol every architecture of a search shares.

    `epochs` defines the learning-rate schedule; a lower fidelity trains the first
    epochs of that same schedule (as NAS-Bench-201's curves do).
    """

    epochs: int = 12
    batch_size: int = 256
    lr: float = 0.01
    weight_decay: float = 1e-4
    optimizer: str = "adam"
    schedule: str = "onecycle"
    threads: int = 1

    def __post_init__(self):
        """Check every field, and store NumPy numbers as plain ones (a config goes into logs)."""
        checked = {name: check_int(getattr(self, name), name, minimum=1)
                   for name in ("epochs", "batch_size", "threads")}
        checked["lr"] = check_number(self.lr, "lr", positive=True)
        checked["weight_decay"] = check_number(self.weight_decay, "weight_decay", minimum=0.0)
        for name, value in checked.items():
            object.__setattr__(self, name, value)  # frozen: set once, here
        if not isinstance(self.optimizer, str) or self.optimizer not in OPTIMIZERS:
            raise InputError(f"unknown optimizer {self.optimizer!r}; choose one of: {', '.join(OPTIMIZERS)}")
        if not isinstance(self.schedule, str) or self.schedule not in SCHEDULES:
            raise InputError(f"unknown schedule {self.schedule!r}; choose one of: {', '.join(SCHEDULES)}")


@dataclass(frozen=True)
class EpochRecord:
    """What one epoch produced."""

    epoch: int
    train_loss: float
    val_accuracy: float
    test_accuracy: float
    seconds: float


@dataclass(frozen=True)
class TrainResult:
    """The outcome of training one network. `val_accuracy` is what a search may use;
    `test_accuracy` is for reporting only; `train_accuracy` shows what memorising scores."""

    epochs: tuple[EpochRecord, ...]
    val_accuracy: float
    test_accuracy: float
    train_accuracy: float
    params: int
    seconds: float
    failed: bool = False
    error: str = ""
    model: nn.Module | None = field(default=None, repr=False, compare=False)

    @property
    def val_curve(self) -> tuple[float, ...]:
        return tuple(r.val_accuracy for r in self.epochs)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


@torch.no_grad()
def accuracy(model: nn.Module, x: np.ndarray | torch.Tensor, y: np.ndarray | torch.Tensor) -> float:
    """Fraction of `x` that `model` (in eval mode) labels as `y`."""
    was_training = model.training
    model.eval()
    x = x if isinstance(x, torch.Tensor) else torch.tensor(x)
    y = y if isinstance(y, torch.Tensor) else torch.tensor(y)
    correct = (model(x).argmax(dim=1) == y).sum().item()
    model.train(was_training)
    return correct / len(y)


@contextmanager
def _torch_threads(n: int) -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _optimizer(model: nn.Module, config: TrainConfig, steps: int):
    if config.optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=0.9,
                              weight_decay=config.weight_decay)
    if config.schedule == "onecycle":
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=config.lr, total_steps=steps)
    else:
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1.0)
    return opt, sched


def _check_train_input(model: object, data: object, config: object, on_epoch: object) -> None:
    """A clear `InputError` (a TypeError) for an argument of `train` of the wrong kind."""
    if not callable(model):  # a network is callable too
        raise InputError(f"model must be a torch.nn.Module or a function that builds one, got {model!r}")
    if not isinstance(data, Dataset):
        raise InputError(f"data must be a Dataset such as load_dataset('mnist1d'), got {data!r}")
    if not isinstance(config, TrainConfig):
        raise InputError(f"config must be a TrainConfig such as TrainConfig(epochs=12), got {config!r}")
    if on_epoch is not None and not callable(on_epoch):
        raise InputError(f"on_epoch must be a function of an EpochRecord, or None, got {on_epoch!r}")


def train(model: nn.Module | Callable[[], nn.Module], data: Dataset, config: TrainConfig = TrainConfig(),
          seed: int = 0, epochs: int | None = None,
          on_epoch: Callable[[EpochRecord], bool | None] | None = None,
          keep_model: bool = False) -> TrainResult:
    """Train on `data.x_train`, score on `data.x_val` (and `data.x_test`, for reporting) after every epoch.

    `model` is a network or, better, a function that builds one: it is then built under
    `seed`, so the same seed gives the same numbers. `epochs` (at most `config.epochs`)
    stops early on the same schedule. `on_epoch` sees each epoch's record; returning False
    stops training, keeping what was trained. A loss that turns NaN or infinite ends
    training as a failure scored at chance.

    Taught in lessons 01 and 03.
    """
    _check_train_input(model, data, config, on_epoch)
    seed = check_seed(seed)
    stop_after = config.epochs if epochs is None else check_int(epochs, "epochs", minimum=1, maximum=config.epochs)
    chance = 1.0 / data.num_classes
    x_train, y_train = torch.tensor(data.x_train), torch.tensor(data.y_train)
    n_batches = math.ceil(len(y_train) / config.batch_size)
    records: list[EpochRecord] = []
    failure = ""
    start = time.perf_counter()
    with _torch_threads(config.threads), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = model() if callable(model) and not isinstance(model, nn.Module) else model
        if not isinstance(net, nn.Module):
            raise InputError(f"model() must return a torch.nn.Module, got {net!r}")
        order_rng = torch.Generator().manual_seed(seed)
        opt, sched = _optimizer(net, config, config.epochs * n_batches)
        loss_fn = nn.CrossEntropyLoss()
        for epoch in range(1, stop_after + 1):
            t0 = time.perf_counter()
            net.train()
            perm = torch.randperm(len(y_train), generator=order_rng)
            total = 0.0
            for b in range(n_batches):
                idx = perm[b * config.batch_size:(b + 1) * config.batch_size]
                loss = loss_fn(net(x_train[idx]), y_train[idx])
                if not torch.isfinite(loss):
                    failure = f"diverged: the training loss became {loss.item()} in epoch {epoch}"
                    break
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
                total += loss.item() * len(idx)
            if failure:
                break
            record = EpochRecord(epoch, total / len(y_train), accuracy(net, data.x_val, data.y_val),
                                 accuracy(net, data.x_test, data.y_test), time.perf_counter() - t0)
            records.append(record)
            if on_epoch is not None and on_epoch(record) is False:
                break
        train_acc = chance if failure else accuracy(net, data.x_train, data.y_train)
    seconds = time.perf_counter() - start
    last = records[-1] if records and not failure else None
    return TrainResult(
        epochs=tuple(records), val_accuracy=last.val_accuracy if last else chance,
        test_accuracy=last.test_accuracy if last else chance, train_accuracy=train_acc,
        params=count_parameters(net), seconds=seconds, failed=bool(failure) or not records,
        error=failure or ("" if records else "stopped before the first epoch finished"),
        model=net if keep_model else None)
