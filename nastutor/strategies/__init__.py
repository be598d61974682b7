"""Search strategies, all ask/tell. Taught in lessons 04 to 07.

>>> get_strategy("evolution", population_size=20)
RegularizedEvolution(population_size=20, sample_size=3, aging=True, crossover=0.0)
"""
from __future__ import annotations

from ..checks import InputError
from .base import SearchExhausted, Strategy
from .bayesian_optimization import BayesianOptimization
from .evolution import RegularizedEvolution
from .grid_search import GridSearch
from .local_search import LocalSearch
from .optuna_sampler import OptunaSampler
from .random_search import RandomSearch
from .reinforce import Reinforce
from .successive_halving import Hyperband, SuccessiveHalving

__all__ = ["Strategy", "SearchExhausted", "RandomSearch", "GridSearch", "RegularizedEvolution",
           "Reinforce", "LocalSearch", "BayesianOptimization", "SuccessiveHalving", "Hyperband",
           "OptunaSampler", "STRATEGIES", "get_strategy"]

#: Every strategy by its short name.
STRATEGIES: dict[str, type[Strategy]] = {
    "random": RandomSearch, "grid": GridSearch, "evolution": RegularizedEvolution,
    "reinforce": Reinforce, "local": LocalSearch, "bo": BayesianOptimization,
    "sh": SuccessiveHalving, "hyperband": Hyperband, "optuna": OptunaSampler,
}


def get_strategy(name: str, **params) -> Strategy:
    """A strategy by short name, built with `params`."""
    if not isinstance(name, str) or name not in STRATEGIES:
        raise InputError(f"unknown strategy {name!r}; choose one of: {', '.join(STRATEGIES)}")
    return STRATEGIES[name](**params)
