"""Successive halving (Jamieson & Talwalkar, 2016) and Hyperband (Li et al., 2018):
multi-fidelity search over training epochs. Taught in lesson 08."""
from __future__ import annotations

import math

from ..checks import InputError, check_int
from ..records import Evaluation
from ..spaces import Arch, SearchSpace
from .base import Strategy
from .registry import Param, register

__all__ = ["SuccessiveHalving", "Hyperband", "bracket_schedule"]


def bracket_schedule(n: int, eta: int, min_epochs: int, max_epochs: int) -> list[tuple[int, int]]:
    """The rungs (architectures, epochs) of one successive-halving bracket. It has K + 1 rungs,
    K the largest number of divisions by `eta` that both the `n` architectures and the epochs
    allow (eta**K <= n and min_epochs * eta**K <= max_epochs). Rung k keeps n // eta**k
    architectures; the last rung trains to `max_epochs`, and each rung before it gets `eta` times
    fewer epochs (rounded), never fewer than `min_epochs`. Taught in lesson 08.

        >>> bracket_schedule(27, 3, 1, 12)
        [(27, 1), (9, 4), (3, 12)]
    """
    n, eta = check_int(n, "n", minimum=1), check_int(eta, "eta", minimum=2)
    min_epochs = check_int(min_epochs, "min_epochs", minimum=1)
    max_epochs = check_int(max_epochs, "max_epochs", minimum=1)
    if min_epochs > max_epochs:
        raise InputError(f"min_epochs ({min_epochs}) is above the evaluator's {max_epochs} epochs")
    K = 0
    while eta ** (K + 1) <= n and min_epochs * eta ** (K + 1) <= max_epochs:
        K += 1
    return [(n // eta ** k, max(min_epochs, round(max_epochs / eta ** (K - k)))) for k in range(K + 1)]


@register("sh", "Successive halving", [
    Param("n", 27, 3, 81, label="candidates n"),
    Param("eta", 3, 2, 4, label="η (keep 1/η)"),
    Param("min_epochs", 1, 1, 12, label="epochs of the first rung")], lesson="08")
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

    observes = False  # its brackets promote only what they asked for: no warm start (lesson 12)

    def __init__(self, n: int = 27, eta: int = 3, min_epochs: int = 1):
        self.n = check_int(n, "n", minimum=1)
        self.eta = check_int(eta, "eta", minimum=2)
        self.min_epochs = check_int(min_epochs, "min_epochs", minimum=1)

    def _rungs(self, n: int, min_epochs: int) -> list[tuple[int, int]]:
        return bracket_schedule(n, self.eta, min_epochs, self.max_epochs or min_epochs)

    def _next_bracket(self) -> tuple[int, int]:
        """(n, min_epochs) of the next bracket: always the same for successive halving."""
        return self.n, self.min_epochs

    def setup(self, space: SearchSpace, seed: int = 0, max_epochs: int | None = None) -> None:
        super().setup(space, seed, max_epochs)
        self._spare: list[Arch] = []
        #: (bracket, rung) of each ask in order, brackets and rungs counted from 1 and 0; (0, 0) for
        #: an extra architecture handed out while a rung waited (lesson 08 draws the brackets from it)
        self.asked: list[tuple[int, int]] = []
        #: the rungs (architectures, epochs) of each bracket started, in order
        self.schedules: list[list[tuple[int, int]]] = []
        self._bracket = 0  # brackets started so far
        self._start_bracket()

    def _start_bracket(self) -> None:
        self.rungs = self._rungs(*self._next_bracket())
        self.schedules.append(self.rungs)
        self._bracket += 1
        self.rung = 0
        count = self.rungs[0][0]
        self._queue = self._spare[:count] + [self.space.sample(self.rng) for _ in range(count - len(self._spare[:count]))]
        self._spare = self._spare[count:]
        self._results: list[tuple[Arch, float]] = []
        self._waiting = 0  # asks of this rung not yet told
        self._epochs = self.rungs[0][1]

    def ask(self) -> Arch:
        self._check_setup()
        if self._queue:
            arch = self._queue.pop(0)
            self._waiting += 1
            self._epochs = self.rungs[self.rung][1]
            self.remember(arch, (self._bracket, self.rung))
            self.asked.append((self._bracket, self.rung))
        else:  # the rung waits for results: start an architecture for the next bracket
            arch = self.space.sample(self.rng)
            self._epochs = self.rungs[0][1]
            self.remember(arch, None)
            self.asked.append((0, 0))
        return arch

    def fidelity(self) -> int | None:
        return self._epochs

    def tell(self, arch: Arch, evaluation: Evaluation) -> None:
        asked_for = self.recall(arch, evaluation)  # (bracket, rung) of its ask; None for an extra
        if asked_for != (self._bracket, self.rung) or evaluation.epochs != self.rungs[self.rung][1]:
            self._spare.append(arch)  # an extra architecture (or a wrong fidelity): it joins the next bracket
            return
        self._waiting -= 1
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


@register("hyperband", "Hyperband", [Param("eta", 3, 2, 4, label="η (keep 1/η)")], lesson="08")
class Hyperband(SuccessiveHalving):
    """Successive halving with a hedge: cycle through brackets that trade many short runs for
    few long ones (s = s_max ... 0), since no one knows in advance how early low-fidelity
    results can be trusted.

    >>> from nastutor.spaces import CellSpace
    >>> hb = Hyperband(eta=3); hb.setup(CellSpace(), seed=0, max_epochs=12)
    >>> hb.rungs
    [(9, 1), (3, 4), (1, 12)]
    """

    def __init__(self, eta: int = 3):  # n and min_epochs are set per bracket
        self.eta = check_int(eta, "eta", minimum=2)

    def _next_bracket(self) -> tuple[int, int]:
        """Li et al.'s bracket s (s_max, s_max - 1, ..., 0, then again): n = ceil((s_max + 1) /
        (s + 1) * eta**s) architectures at R / eta**s epochs, with s_max = floor(log_eta R)."""
        R = self.max_epochs or 1
        s_max = int(math.floor(math.log(R) / math.log(self.eta) + 1e-9))
        s = s_max - self._bracket % (s_max + 1)
        n = math.ceil((s_max + 1) / (s + 1) * self.eta ** s)
        return n, max(1, round(R / self.eta ** s))
