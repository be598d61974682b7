"""Shared test helpers."""
from __future__ import annotations

import zlib

import pytest

from nastutor.evaluators import Evaluation, Evaluator
from nastutor.spaces import CellSpace, MLPSpace
from nastutor.training import TrainConfig


class HashEvaluator(Evaluator):
    """A cheap evaluator for testing the search loop itself: each architecture gets a fixed
    score derived from its string (plus a little seed noise) and costs `cost` seconds.
    It can raise KeyboardInterrupt on a chosen call, as Ctrl-C would."""

    def __init__(self, space, cost: float = 1.0, interrupt_at: int | None = None):
        self.space, self.cost, self.max_epochs = space, cost, 10
        self.interrupt_at, self.calls = interrupt_at, 0

    def evaluate(self, arch, *, epochs=None, seed=0):
        epochs = self.check_epochs(epochs)
        self.calls += 1
        if self.interrupt_at is not None and self.calls == self.interrupt_at:
            raise KeyboardInterrupt
        base = zlib.crc32(self.space.to_string(arch).encode()) % 1000 / 1000 * 0.99  # + noise stays <= 1
        noise = (seed % 7) / 1000
        return Evaluation(arch=arch, val_accuracy=base + noise, test_accuracy=base, cost=self.cost,
                          epochs=epochs, seed=seed)


@pytest.fixture
def mlp() -> MLPSpace:
    return MLPSpace()


@pytest.fixture
def cell() -> CellSpace:
    return CellSpace()


@pytest.fixture
def tiny() -> TrainConfig:
    """A short protocol that keeps live-training tests to a fraction of a second each."""
    return TrainConfig(epochs=3, lr=0.02)
