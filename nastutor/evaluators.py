"""Evaluators: turn an architecture into an `Evaluation`, all behind one call.

Taught in lesson 03 (performance estimation). `LiveEvaluator` trains for real; the tabular
benchmark and zero-cost proxies implement the same `Evaluator` interface.

Example:
    >>> from nastutor.spaces import MLPSpace
    >>> ev = LiveEvaluator(MLPSpace(), "mnist1d")
    >>> e = ev.evaluate(((64, "relu"),), epochs=5, seed=0)
    >>> e.epochs, 0.0 <= e.val_accuracy <= 1.0
    (5, True)
"""
from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, replace
from typing import Any

from .data import Dataset, load_dataset
from .spaces import Arch, SearchSpace
from .training import TrainConfig, train

__all__ = ["Evaluation", "Evaluator", "LiveEvaluator", "TabularEvaluator", "default_config", "fast_mode"]


@dataclass(frozen=True)
class Evaluation:
    """One scored architecture.

    `val_accuracy` is what a search optimises; `test_accuracy` is only reported.
    `cost` is the seconds this evaluation is charged: measured wall time when training live,
    recorded (simulated) time when looking up a benchmark.
    """

    arch: Arch
    val_accuracy: float
    test_accuracy: float
    cost: float
    epochs: int
    seed: int
    params: int | None = None
    curve: tuple[float, ...] = ()
    failed: bool = False
    error: str = ""

    def to_dict(self, space: SearchSpace) -> dict[str, Any]:
        """A JSON-ready dict, with the architecture as its string form."""
        return {"arch": space.to_string(self.arch), "val_accuracy": self.val_accuracy,
                "test_accuracy": self.test_accuracy, "cost": self.cost, "epochs": self.epochs,
                "seed": self.seed, "params": self.params, "curve": list(self.curve),
                "failed": self.failed, "error": self.error}

    @classmethod
    def from_dict(cls, record: dict[str, Any], space: SearchSpace) -> "Evaluation":
        """Read back what `to_dict` wrote."""
        return cls(arch=space.parse(record["arch"]), val_accuracy=float(record["val_accuracy"]),
                   test_accuracy=float(record["test_accuracy"]), cost=float(record["cost"]),
                   epochs=int(record["epochs"]), seed=int(record["seed"]), params=record.get("params"),
                   curve=tuple(record.get("curve", ())), failed=bool(record.get("failed", False)),
                   error=str(record.get("error", "")))


class Evaluator(ABC):
    """Scores architectures of `space`. `max_epochs` is the highest fidelity it offers."""

    space: SearchSpace
    max_epochs: int

    @abstractmethod
    def evaluate(self, arch: Arch, *, epochs: int | None = None, seed: int = 0) -> Evaluation:
        """Score `arch` at fidelity `epochs` (default: `max_epochs`) under `seed`."""

    def check_epochs(self, epochs: int | None) -> int:
        """`epochs`, or `max_epochs` if None; a clear error if out of range."""
        if epochs is None:
            return self.max_epochs
        if not isinstance(epochs, int) or isinstance(epochs, bool) or not 1 <= epochs <= self.max_epochs:
            raise ValueError(f"epochs must be an integer from 1 to {self.max_epochs}, got {epochs!r}")
        return epochs


def fast_mode() -> bool:
    """True when the environment variable NASTUTOR_FAST is set to 1 (CI's quick runs)."""
    return os.environ.get("NASTUTOR_FAST", "") not in ("", "0")


def default_config(space: SearchSpace) -> TrainConfig:
    """The training protocol for a space: MLPs 50 epochs at peak learning rate 0.02, cells
    12 epochs at 0.01; Adam, one-cycle schedule, batch 256. Fast mode trains a quarter of the
    epochs."""
    config = TrainConfig(epochs=50, lr=0.02) if space.name == "mlp" else TrainConfig(epochs=12, lr=0.01)
    return replace(config, epochs=max(1, config.epochs // 4)) if fast_mode() else config


class LiveEvaluator(Evaluator):
    """Trains each architecture for real with `nastutor.training.train`.

    `dataset` is a name from `nastutor.data.DATASETS` (loaded lazily, so the evaluator is
    cheap to send to worker processes) or a `Dataset`. Taught in lesson 03.
    """

    def __init__(self, space: SearchSpace, dataset: str | Dataset = "mnist1d",
                 config: TrainConfig | None = None):
        if not isinstance(space, SearchSpace):
            raise TypeError(f"space must be a SearchSpace such as MLPSpace(), got {space!r}")
        if isinstance(dataset, str):
            load_dataset(dataset)  # fail now, with the list of names, if unknown
        elif not isinstance(dataset, Dataset):
            raise TypeError(f"dataset must be a dataset name or a Dataset, got {dataset!r}")
        self.space, self.dataset = space, dataset
        self.config = config if config is not None else default_config(space)
        self.max_epochs = self.config.epochs

    @property
    def data(self) -> Dataset:
        return load_dataset(self.dataset) if isinstance(self.dataset, str) else self.dataset

    def evaluate(self, arch: Arch, *, epochs: int | None = None, seed: int = 0) -> Evaluation:
        epochs = self.check_epochs(epochs)
        self.space.validate(arch)
        data = self.data
        result = train(lambda: self.space.build(arch, data.num_features, data.num_classes),
                       data, self.config, seed=seed, epochs=epochs)
        return Evaluation(arch=arch, val_accuracy=result.val_accuracy,
                          test_accuracy=result.test_accuracy, cost=result.seconds, epochs=epochs,
                          seed=seed, params=result.params, curve=result.val_curve,
                          failed=result.failed, error=result.error)

    def __repr__(self) -> str:
        name = self.dataset if isinstance(self.dataset, str) else self.dataset.name
        return f"LiveEvaluator({self.space!r}, {name!r}, {self.config!r})"


class TabularEvaluator(Evaluator):
    """Looks architectures up in a tabular benchmark instead of training them.

    Each query draws one of the benchmark's training seeds (`seed` modulo their number; the
    seeds `run_search` passes are hashed, so the draw is effectively random), so repeated
    queries are noisy, as real training is. At fidelity `epochs` it reports that seed's
    accuracies after that many epochs, and charges as `cost` the recorded training seconds of
    those epochs: a search's budget runs in simulated time. Taught in lesson 03.

        >>> ev = TabularEvaluator("cell-mnist1d")
        >>> e = ev.evaluate(("conv3",) * 6, epochs=4, seed=0)
        >>> e.epochs, e.cost > 0
        (4, True)
    """

    def __init__(self, benchmark):
        from .benchmark import Benchmark

        if isinstance(benchmark, str):
            benchmark = Benchmark.load(benchmark)
        elif not isinstance(benchmark, Benchmark):
            raise TypeError(f"benchmark must be a Benchmark or a benchmark name, got {benchmark!r}")
        self.benchmark, self.space, self.max_epochs = benchmark, benchmark.space, benchmark.epochs
        self._n_seeds = len(benchmark.seeds)

    def evaluate(self, arch: Arch, *, epochs: int | None = None, seed: int = 0) -> Evaluation:
        epochs = self.check_epochs(epochs)
        b = self.benchmark
        i, s, e = b.index(arch), seed % self._n_seeds, epochs - 1
        return Evaluation(arch=arch, val_accuracy=float(b.val[i, s, e]), test_accuracy=float(b.test[i, s, e]),
                          cost=float(b.cumulative_seconds[i, s, e]), epochs=epochs, seed=b.seeds[s],
                          params=int(b.params[i]), curve=tuple(b.val[i, s, :epochs].tolist()))

    def __repr__(self) -> str:
        return f"TabularEvaluator({self.benchmark.name!r})"
