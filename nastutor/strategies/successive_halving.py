"""Successive halving (Jamieson & Talwalkar, 2016) and Hyperband (Li et al., 2018):
multi-fidelity search over training epochs. Taught in the lesson on multi-fidelity."""
from __future__ import annotations

import math

from ..evaluators import Evaluation
from ..spaces import Arch, SearchSpace
from .base import Strategy

__all__ = ["SuccessiveHalving", "Hyperband"]


class SuccessiveHalving(Strategy):
    """Train `n` random architectures for `min_epochs` epochs, keep the best 1/`eta`, train
    those `eta` times longer, and so on until the survivors get the full `max_epochs`; then
    start a new bracket. Cheap low-fidelity runs weed out the bad architectures early.

    Each evaluation is charged as a training from scratch to its fidelity. If asked for more
    work while a rung still waits for results (parallel workers), it hands out extra random
    architectures at the lowest fidelity, which join the next bracket.

    >>> from nastutor.spaces import CellSpace
    >>> sh = SuccessiveHalving(n=27, eta=3); sh.setup(CellSpace(), seed=0, max_epochs=12)
    >>> sh.rungs
    [(27, 1), (9, 4), (3, 12)]
    """

    def __init__(self, n: int = 27, eta: int = 3, min_epochs: int = 1):
        for name, value, low in (("n", n, 1), ("eta", eta, 2), ("min_epochs", min_epochs, 1)):
            if not isinstance(value, int) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
        self.n, self.eta, self.min_epochs = n, eta, min_epochs

    def _rungs(self, n: int, min_epochs: int) -> list[tuple[int, int]]:
        """(architectures, epochs) of each rung of a bracket: K + 1 rungs, where eta**K fits
        both into n and into max_epochs / min_epochs; epochs grow by eta up to max_epochs."""
        top = self.max_epochs or min_epochs
        if min_epochs > top:
            raise ValueError(f"min_epochs ({min_epochs}) is above the evaluator's {top} epochs")
        K = 0
        while n // self.eta ** (K + 1) >= 1 and min_epochs * self.eta ** (K + 1) <= top:
            K += 1
        return [(n // self.eta ** k, max(min_epochs, round(top / self.eta ** (K - k)))) for k in range(K + 1)]

    def _next_bracket(self) -> tuple[int, int]:
        """(n, min_epochs) of the next bracket: always the same for successive halving."""
        return self.n, self.min_epochs

    def setup(self, space: SearchSpace, seed: int | None = 0, max_epochs: int | None = None) -> None:
        super().setup(space, seed, max_epochs)
        self._spare: list[Arch] = []
        self._start_bracket()

    def _start_bracket(self) -> None:
        self.rungs = self._rungs(*self._next_bracket())
        self.rung = 0
        count = self.rungs[0][0]
        self._queue = self._spare[:count] + [self.space.sample(self.rng) for _ in range(count - len(self._spare[:count]))]
        self._spare = self._spare[count:]
        self._results: list[tuple[Arch, float]] = []
        self._waiting: list[Arch] = []
        self._epochs = self.rungs[0][1]

    def ask(self) -> Arch:
        self._check_setup()
        if self._queue:
            arch = self._queue.pop(0)
            self._waiting.append(arch)
            self._epochs = self.rungs[self.rung][1]
        else:  # the rung waits for results: start an architecture for the next bracket
            arch = self.space.sample(self.rng)
            self._epochs = self.rungs[0][1]
        return arch

    def fidelity(self) -> int | None:
        return self._epochs

    def tell(self, arch: Arch, evaluation: Evaluation) -> None:
        if arch not in self._waiting or evaluation.epochs != self.rungs[self.rung][1]:
            self._spare.append(arch)  # an extra architecture: it joins the next bracket
            return
        self._waiting.remove(arch)
        self._results.append((arch, evaluation.val_accuracy))
        if self._queue or self._waiting:
            return
        if self.rung + 1 == len(self.rungs):
            self._start_bracket()
            return
        self.rung += 1
        keep = self.rungs[self.rung][0]
        self._results.sort(key=lambda r: r[1], reverse=True)
        self._queue = [a for a, _ in self._results[:keep]]  # promote the best 1/eta
        self._results = []


class Hyperband(SuccessiveHalving):
    """Successive halving with a hedge: cycle through brackets that trade many short runs for
    few long ones (s = s_max ... 0), since no one knows in advance how early low-fidelity
    results can be trusted.

    >>> from nastutor.spaces import CellSpace
    >>> hb = Hyperband(eta=3); hb.setup(CellSpace(), seed=0, max_epochs=12)
    >>> hb.rungs
    [(9, 1), (3, 4), (1, 12)]
    """

    def __init__(self, eta: int = 3):
        super().__init__(n=1, eta=eta, min_epochs=1)
        del self.n, self.min_epochs  # set per bracket

    def setup(self, space: SearchSpace, seed: int | None = 0, max_epochs: int | None = None) -> None:
        top = max_epochs or 1
        self._s_max = int(math.floor(math.log(top) / math.log(self.eta) + 1e-9))
        self._bracket = 0
        super().setup(space, seed, max_epochs)

    def _next_bracket(self) -> tuple[int, int]:
        s = self._s_max - self._bracket % (self._s_max + 1)
        self._bracket += 1
        n = math.ceil((self._s_max + 1) / (s + 1) * self.eta ** s)
        return n, max(1, round((self.max_epochs or 1) / self.eta ** s))
