"""`OneShotEvaluator`: search on supernet estimates, through the same `run_search`.

Taught in lesson 09 (weight sharing). A query reads the cell's validation (and test) accuracy off
a trained supernet's shared weights (`shared_accuracies`) instead of training the cell. Its cost is
what weight sharing really costs: the supernet's training seconds, charged once (on the first
query this evaluator answers), then each query's own measured seconds, near zero. Equivalent cells
are estimated by their canonical form, so they share one estimate, as they share one row in a
tabular benchmark; each estimate is computed once and kept.

    >>> from nastutor.spaces import CellSpace
    >>> from nastutor.data import load_dataset
    >>> from nastutor.training import TrainConfig
    >>> from nastutor.oneshot import train_single_path
    >>> data = load_dataset("mnist1d")
    >>> run = train_single_path(CellSpace(), data, TrainConfig(epochs=1), seed=0, progress=False)
    >>> ev = OneShotEvaluator(run, data)
    >>> first, second = ev.evaluate(("conv3",) * 6), ev.evaluate(("skip",) * 6)
    >>> first.cost >= run.seconds > second.cost
    True
"""
from __future__ import annotations

import hashlib
import time
from typing import Any

from ..checks import InputError, check_int, check_number, check_seed
from ..data import Dataset, load_dataset
from ..evaluators import Evaluator
from ..records import Evaluation
from ..spaces import Arch
from .estimate import shared_accuracies
from .single_path import SupernetRun
from .supernet import Supernet

__all__ = ["OneShotEvaluator"]


class OneShotEvaluator(Evaluator):
    """Scores cells with a trained supernet: `run` is a `SupernetRun` (its training seconds are
    charged once) or a bare `Supernet` with `training_seconds` given. `data` is a dataset name or a
    `Dataset`. `recalibrate` and `bn_samples` are those of `shared_accuracy`. One fidelity only
    (`max_epochs` = 1): a supernet's estimate has no epochs to choose. Call `reset()` to charge the
    training again (a new search that should pay for its supernet)."""

    def __init__(self, run: SupernetRun | Supernet, data: str | Dataset = "mnist1d", *,
                 training_seconds: float | None = None, recalibrate: bool = True, bn_samples: int = 256):
        if isinstance(run, SupernetRun):
            supernet = run.supernet
            seconds = run.seconds if training_seconds is None else training_seconds
        elif isinstance(run, Supernet):
            if training_seconds is None:
                raise InputError("a bare Supernet needs training_seconds= (what training it cost, charged once); "
                                 "or pass the SupernetRun that train_single_path returned")
            supernet, seconds = run, training_seconds
        else:
            raise InputError(f"run must be a SupernetRun (from train_single_path) or a Supernet, got {run!r}")
        if isinstance(data, str):
            data = load_dataset(data)
        elif not isinstance(data, Dataset):
            raise InputError(f"data must be a dataset name or a Dataset, got {data!r}")
        self.supernet, self.data, self.space = supernet, data, supernet.space
        self.training_seconds = check_number(seconds, "training_seconds", minimum=0.0)
        self.recalibrate, self.bn_samples = bool(recalibrate), check_int(bn_samples, "bn_samples", minimum=1)
        self.max_epochs = 1
        self._cache: dict[Arch, tuple[float, float, float, int]] = {}
        self._charged = False

    def reset(self) -> None:
        """Charge the supernet's training seconds again, on the next query."""
        self._charged = False

    def describe(self) -> dict[str, Any]:
        """Kind "one-shot", the space, the dataset, a digest of the supernet's weights and statistics,
        its training seconds and the estimate's settings."""
        digest = hashlib.sha256()
        for name, tensor in self.supernet.state_dict().items():
            digest.update(name.encode())
            digest.update(tensor.detach().cpu().numpy().tobytes())
        return {"kind": "one-shot", "space": type(self.space).__name__, "space_config": self.space.config(),
                "dataset": self.data.name, "supernet_sha256": digest.hexdigest()[:16],
                "training_seconds": self.training_seconds, "recalibrate": self.recalibrate,
                "bn_samples": self.bn_samples, "max_epochs": self.max_epochs}

    def evaluate(self, arch: Arch, *, epochs: int | None = None, seed: int = 0) -> Evaluation:
        epochs, seed = self.check_epochs(epochs), check_seed(seed)
        key = self.space.canonical(arch)
        if key not in self._cache:
            start = time.perf_counter()
            acc = shared_accuracies(self.supernet, key, self.data, splits=("val", "test"),
                                    recalibrate=self.recalibrate, bn_samples=self.bn_samples)
            params = sum(p.numel() for m in self.supernet.path_modules(key) for p in m.parameters())
            self._cache[key] = (acc["val"], acc["test"], time.perf_counter() - start, params)
        val, test, seconds, params = self._cache[key]
        cost = seconds + (0.0 if self._charged else self.training_seconds)
        self._charged = True
        return Evaluation(arch=arch, val_accuracy=val, test_accuracy=test, cost=cost, epochs=epochs, seed=seed,
                          params=params)

    def __repr__(self) -> str:
        return f"OneShotEvaluator({self.space!r}, {self.data.name!r}, training_seconds={self.training_seconds:.1f})"
