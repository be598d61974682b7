"""Local search (White, Nolen, Savani, "Exploring the Loss Landscape in Neural Architecture
Search", 2021). Taught in lesson 08."""
from __future__ import annotations

from ..checks import check_int
from ..records import Evaluation
from ..spaces import Arch, SearchSpace
from .base import Strategy
from .registry import Param, register

__all__ = ["LocalSearch"]


@register("local", "Local search", [
    Param("initial", 10, 1, 50, label="random starts")], lesson="08")
class LocalSearch(Strategy):
    """Hill climbing over `space.neighbors`, with random restarts.

    Start from the best of `initial` random architectures. Evaluate every neighbour of the
    current architecture (skipping functions already seen); move to the best neighbour if it
    beats the current one, otherwise the current one is a local optimum: restart from a new
    random architecture.

    >>> from nastutor.spaces import CellSpace
    >>> ls = LocalSearch(); ls.setup(CellSpace(), seed=0)
    """

    def __init__(self, initial: int = 10):
        self.initial = check_int(initial, "initial", minimum=1)

    def setup(self, space: SearchSpace, seed: int = 0, max_epochs: int | None = None) -> None:
        super().setup(space, seed, max_epochs)
        self.seen: dict[Arch, float] = {}  # canonical architecture -> validation accuracy
        self.current: tuple[Arch, float] | None = None
        self._waiting = 0  # asked, not yet told
        self._round: list[tuple[Arch, float]] = []
        # starting points (later: neighbours) still to ask
        self._queue: list[Arch] = [space.sample(self.rng) for _ in range(self.initial)]

    def _drop_seen(self) -> None:
        while self._queue and self.space.canonical(self._queue[-1]) in self.seen:
            self._queue.pop()

    def ask(self) -> Arch:
        self._check_setup()
        self._drop_seen()
        self._waiting += 1
        if self._queue:
            return self._queue.pop()
        return self.space.sample(self.rng)  # nothing to ask until results come back

    def observe(self, arch: Arch, evaluation: Evaluation) -> None:
        """A starting point the strategy did not draw (lesson 12's warm start): it joins the first round."""
        self._waiting += 1
        self.tell(arch, evaluation)

    def tell(self, arch: Arch, evaluation: Evaluation) -> None:
        self._waiting -= 1
        self.seen[self.space.canonical(arch)] = evaluation.val_accuracy
        self._round.append((arch, evaluation.val_accuracy))
        self._drop_seen()
        if self._queue or self._waiting:
            return  # the round goes on
        best = max(self._round, key=lambda r: r[1])
        self._round = []
        if self.current is None or best[1] > self.current[1]:
            self.current = best  # climb
            neighbors = self.space.neighbors(best[0])
            self._queue = [neighbors[i] for i in self.rng.permutation(len(neighbors))]
        else:
            self.current = None  # a local optimum: restart from a random architecture
            self._queue = [self.space.sample(self.rng)]
