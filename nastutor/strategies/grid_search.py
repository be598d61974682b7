"""Grid search. Taught in lesson 04 (grid vs random)."""
from __future__ import annotations

from ..checks import InputError
from ..spaces import Arch, SearchSpace
from .base import SearchExhausted, Strategy
from .registry import Param, register

__all__ = ["GridSearch"]


@register("grid", "Grid search", [
    Param("canonical", True, label="one architecture per function (canonical)")], lesson="04")
class GridSearch(Strategy):
    """Evaluate the architectures one by one in the space's fixed `enumerate()` order.

    With `canonical=True` (the default) each class of architectures that compute the same
    function is visited once, through its representative. When the grid is done, `ask`
    raises `SearchExhausted` and `run_search` stops.

    >>> from nastutor.spaces import MLPSpace
    >>> g = GridSearch(); g.setup(MLPSpace(), seed=0)
    >>> g.ask(), g.ask()
    (((16, 'relu'),), ((16, 'tanh'),))
    """

    def __init__(self, canonical: bool = True):
        if not isinstance(canonical, bool):
            raise InputError(f"canonical must be True or False, got {canonical!r}")
        self.canonical = canonical

    def setup(self, space: SearchSpace, seed: int = 0, max_epochs: int | None = None) -> None:
        super().setup(space, seed, max_epochs)
        self._grid = iter(space.unique if self.canonical else space.enumerate())

    def ask(self) -> Arch:
        self._check_setup()
        try:
            return next(self._grid)
        except StopIteration:
            raise SearchExhausted(f"the grid of {self.space!r} is done") from None
