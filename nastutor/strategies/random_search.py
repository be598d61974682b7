"""Random search. Taught in lesson 04; Bergstra & Bengio (2012), Li & Talwalkar (2019)."""
from __future__ import annotations

from ..spaces import Arch
from .base import Strategy
from .registry import register

__all__ = ["RandomSearch"]


@register("random", "Random search", lesson="04")
class RandomSearch(Strategy):
    """Draw every architecture uniformly at random from the whole space, independently of
    what came before (so a long search may draw one twice, as real random search does).

    >>> from nastutor.spaces import MLPSpace
    >>> s = RandomSearch(); s.setup(MLPSpace(), seed=0)
    >>> s.ask() in MLPSpace()
    True
    """

    def ask(self) -> Arch:
        self._check_setup()
        return self.space.sample(self.rng)
