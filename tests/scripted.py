"""A strategy for tests of the search loop's order of asks and tells (test_parallel.py,
test_async_search.py): it asks for the architectures of a list, in order, and notes the ask
numbers (`evaluation.step`) it is told of, whatever their results."""
from __future__ import annotations

from nastutor.strategies import Strategy


class Scripted(Strategy):
    """Asks for the architectures of a list, in order, and notes the asks it is told of."""

    def __init__(self, archs):
        self.archs = list(archs)

    def setup(self, space, seed=0, max_epochs=None):
        super().setup(space, seed, max_epochs)
        self.told, self._next = [], 0

    def ask(self):
        self._next += 1
        return self.archs[self._next - 1]

    def tell(self, arch, evaluation):
        self.told.append(evaluation.step)
