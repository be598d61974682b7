"""Search strategies, all ask/tell. Taught in lessons 04 to 07.

>>> get_strategy("random")
RandomSearch()
"""
from __future__ import annotations

from .base import SearchExhausted, Strategy
from .grid_search import GridSearch
from .random_search import RandomSearch

__all__ = ["Strategy", "SearchExhausted", "RandomSearch", "GridSearch", "STRATEGIES", "get_strategy"]

#: Every strategy by its short name.
STRATEGIES: dict[str, type[Strategy]] = {"random": RandomSearch, "grid": GridSearch}


def get_strategy(name: str, **params) -> Strategy:
    """A strategy by short name, built with `params`."""
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy {name!r}; choose one of: {', '.join(STRATEGIES)}")
    return STRATEGIES[name](**params)
