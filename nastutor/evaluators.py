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

import hashlib
import json
import os
from abc import ABC, abstractmethod
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from .benchmark import Benchmark
from .checks import InputError, check_int, check_seed
from .data import Dataset, data_dir, load_dataset
from .records import Evaluation
from .spaces import Arch, SearchSpace
from .training import TrainConfig, train

__all__ = ["Evaluation", "Evaluator", "LiveEvaluator", "TabularEvaluator", "default_config", "fast_mode"]


class Evaluator(ABC):
    """Scores architectures of `space`. `max_epochs` is the highest fidelity it offers."""

    space: SearchSpace
    max_epochs: int

    @abstractmethod
    def evaluate(self, arch: Arch, *, epochs: int | None = None, seed: int = 0) -> Evaluation:
        """Score `arch` at fidelity `epochs` (default: `max_epochs`) under `seed`."""

    def check_epochs(self, epochs: int | None) -> int:
        """`epochs` as a plain int (a NumPy integer works too), or `max_epochs` if None; a clear
        error if out of range, a float (even 3.0) or a bool."""
        if epochs is None:
            return self.max_epochs
        return check_int(epochs, "epochs", minimum=1, maximum=self.max_epochs)

    def describe(self) -> dict[str, Any]:
        """What produces this evaluator's numbers, JSON-ready: its kind, the space's type and
        settings, its highest fidelity. A search log records it and refuses to resume under
        anything else; subclasses add what sets their numbers apart (dataset and training
        protocol, or benchmark)."""
        return {"kind": type(self).__qualname__, "space": type(self.space).__name__,
                "space_config": self.space.config(), "max_epochs": self.max_epochs}


def fast_mode() -> bool:
    """True when the environment variable NASTUTOR_FAST is set to 1 (CI's quick runs)."""
    return os.environ.get("NASTUTOR_FAST", "") not in ("", "0")


def default_config(space: SearchSpace) -> TrainConfig:
    """The training protocol a `LiveEvaluator` uses for `space`: the space's own
    `space.default_config()` (MLPs 50 epochs at peak learning rate 0.02, cells 12 epochs at
    0.01; Adam, one-cycle schedule, batch 256). Fast mode trains a quarter of the epochs.
    Taught in lesson 03.

        >>> from nastutor.spaces import MLPSpace
        >>> default_config(MLPSpace()).epochs in (50, 12)   # 12 in fast mode
        True
    """
    if not isinstance(space, SearchSpace):
        raise InputError(f"space must be a SearchSpace such as MLPSpace(), got {space!r}")
    config = space.default_config()
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
        if config is not None and not isinstance(config, TrainConfig):
            raise TypeError(f"config must be a TrainConfig such as TrainConfig(epochs=12), got {config!r}")
        self.space, self.dataset = space, dataset
        self.config = config if config is not None else default_config(space)
        self.max_epochs = self.config.epochs

    @property
    def data(self) -> Dataset:
        return load_dataset(self.dataset) if isinstance(self.dataset, str) else self.dataset

    def describe(self) -> dict[str, Any]:
        """Kind "live", the space, the dataset (its name; for a `Dataset` object also a digest
        of its arrays) and the training protocol."""
        described = {"kind": "live", "space": type(self.space).__name__, "space_config": self.space.config(),
                     "dataset": self.dataset if isinstance(self.dataset, str) else self.dataset.name,
                     "training": asdict(self.config)}
        if isinstance(self.dataset, Dataset):
            described["dataset_sha256"] = _digest(
                self.dataset.x_train, self.dataset.y_train, self.dataset.x_val, self.dataset.y_val,
                self.dataset.x_test, self.dataset.y_test)
        return described

    def evaluate(self, arch: Arch, *, epochs: int | None = None, seed: int = 0) -> Evaluation:
        epochs, seed = self.check_epochs(epochs), check_seed(seed)
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

    Sent to a worker process (`run_search(executor=...)`), it travels as the benchmark's name,
    folder and digest, not as its tables: each worker loads the benchmark once and checks the
    digest. A benchmark whose tables differ from its files travels whole.
    """

    def __init__(self, benchmark):
        folder: Path | None = None
        if isinstance(benchmark, str):
            folder = data_dir()
            benchmark = Benchmark.load(benchmark, folder)
        elif not isinstance(benchmark, Benchmark):
            raise TypeError(f"benchmark must be a Benchmark or a benchmark name, got {benchmark!r}")
        self.benchmark, self.space, self.max_epochs = benchmark, benchmark.space, benchmark.epochs
        self._n_seeds = len(benchmark.seeds)
        # where the tables came from, if known (loaded here, or a Benchmark that remembers it)
        self._folder = folder if folder is not None else getattr(benchmark, "folder", None)
        self._digest: str | None = None
        self._shipping: tuple[str, str, str] | None | bool = False  # False: not decided yet

    @property
    def digest(self) -> str:
        """A sha256 (hex, 16 digits) of the benchmark's tables: which numbers this evaluator gives."""
        if self._digest is None:
            b = self.benchmark
            self._digest = _digest(b.val, b.test, b.epoch_seconds, b.params, json.dumps(
                [b.name, list(b.seeds), b.epochs, [b.space.to_string(a) for a in b.archs]]))
        return self._digest

    def describe(self) -> dict[str, Any]:
        """Kind "tabular", the benchmark's name, space, dataset, seeds, fidelity, training
        protocol and the digest of its tables."""
        b = self.benchmark
        return {"kind": "tabular", "benchmark": b.name, "space": type(self.space).__name__,
                "space_config": self.space.config(), "dataset": b.dataset, "seeds": list(b.seeds),
                "epochs": b.epochs, "training": asdict(b.config), "digest": self.digest}

    def evaluate(self, arch: Arch, *, epochs: int | None = None, seed: int = 0) -> Evaluation:
        epochs, seed = self.check_epochs(epochs), check_seed(seed)
        b = self.benchmark
        i, s, e = b.index(arch), seed % self._n_seeds, epochs - 1
        return Evaluation(arch=arch, val_accuracy=float(b.val[i, s, e]), test_accuracy=float(b.test[i, s, e]),
                          cost=float(b.cumulative_seconds[i, s, e]), epochs=epochs, seed=int(b.seeds[s]),
                          params=int(b.params[i]), curve=tuple(b.val[i, s, :epochs].tolist()))

    def __reduce__(self):
        """Pickle as (name, folder, digest) when the files hold these very tables (a few hundred
        bytes instead of megabytes for every job sent to a worker), else whole."""
        if self._shipping is False:
            self._shipping = self._source()
        if self._shipping is None:
            return (TabularEvaluator, (self.benchmark,))
        return (_shipped_evaluator, self._shipping)

    def _source(self) -> tuple[str, str, str] | None:
        """(name, folder, digest) of files that hold this benchmark's tables, or None."""
        name, folder = self.benchmark.name, self._folder if self._folder is not None else data_dir()
        try:  # do the files hold these very tables? (they may have been changed in memory)
            on_disk = TabularEvaluator(Benchmark.load(name, folder))
        except (OSError, ValueError):
            return None
        return (name, str(folder), self.digest) if on_disk.digest == self.digest else None

    def __repr__(self) -> str:
        return f"TabularEvaluator({self.benchmark.name!r})"


#: The tabular evaluators this process unpickled, by (name, folder, digest): one load each.
_SHIPPED: dict[tuple[str, str, str], Evaluator] = {}


def _shipped_evaluator(name: str, folder: str, digest: str) -> Evaluator:
    """Unpickle a `TabularEvaluator`: load its benchmark once per process and check its digest.
    A failure comes back as an evaluator that raises it, so the search reports it (an error
    while unpickling would only break the worker pool)."""
    key = (name, folder, digest)
    if key not in _SHIPPED:
        try:
            evaluator = TabularEvaluator(Benchmark.load(name, folder))
            evaluator._folder, evaluator._shipping = Path(folder), key
            if evaluator.digest != digest:
                raise ValueError(f"the benchmark {name!r} in {folder} changed since the search "
                                 "started (its tables differ); run the search again")
        except (OSError, ValueError) as exc:
            return _Unavailable(exc)
        _SHIPPED[key] = evaluator
    return _SHIPPED[key]


class _Unavailable(Evaluator):
    """Stands in, in a worker, for an evaluator that could not be rebuilt: raises why."""

    def __init__(self, error: Exception):
        self.error, self.max_epochs = error, 1

    def evaluate(self, arch: Arch, *, epochs: int | None = None, seed: int = 0) -> Evaluation:
        raise self.error


def _digest(*parts: Any) -> str:
    """A short sha256 (16 hex digits) of arrays and strings."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, str):
            digest.update(part.encode())
        else:
            array = np.ascontiguousarray(part)
            digest.update(f"{array.dtype.str}{array.shape}".encode())
            digest.update(array.tobytes())
    return digest.hexdigest()[:16]
