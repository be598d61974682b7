"""Search spaces: what a search may choose from. Taught in lesson 02.

Every module of this package is imported here, and each space registers itself in `SPACES` by
subclassing `SearchSpace` with a `name`: a new space is one new file.

>>> from nastutor.spaces import get_space
>>> get_space("cell").size
4096
"""
from __future__ import annotations

import importlib
import pkgutil

from .base import SPACES, Arch, Layout, SearchSpace
from .mlp import ACTIVATIONS, MLPSpace  # registered in SPACES in this order: mlp, cell
from .cell import OPS, CellSpace

for _module in pkgutil.iter_modules(__path__):  # the spaces added since, one file each
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["Arch", "SearchSpace", "Layout", "MLPSpace", "CellSpace", "OPS", "ACTIVATIONS", "SPACES",
           "get_space"]


def get_space(name: str) -> SearchSpace:
    """The space with this short name (any registered in `SPACES`), with its default settings."""
    if name not in SPACES:
        raise ValueError(f"unknown space {name!r}; choose one of: {', '.join(SPACES)}")
    return SPACES[name]()
