"""Search spaces: what a search may choose from. Taught in lesson 02.

>>> from nastutor.spaces import get_space
>>> get_space("cell").size
4096
"""
from __future__ import annotations

from .base import Arch, SearchSpace
from .cell import OPS, CellSpace
from .mlp import ACTIVATIONS, MLPSpace

__all__ = ["Arch", "SearchSpace", "MLPSpace", "CellSpace", "OPS", "ACTIVATIONS", "SPACES", "get_space"]

#: Every space by its short name.
SPACES: dict[str, type[SearchSpace]] = {"mlp": MLPSpace, "cell": CellSpace}


def get_space(name: str) -> SearchSpace:
    """The space with this short name, with its default settings."""
    if name not in SPACES:
        raise ValueError(f"unknown space {name!r}; choose one of: {', '.join(SPACES)}")
    return SPACES[name]()
