"""Search strategies, all ask/tell. Taught in lessons 04 to 07.

Every module of this package is imported here, and each registers its strategy in `REGISTRY`
(`registry.py`): a new strategy is one new file.

>>> get_strategy("evolution", population_size=20)
RegularizedEvolution(population_size=20, sample_size=3, aging=True, crossover=0.0)
"""
from __future__ import annotations

import importlib
import pkgutil

from ..checks import InputError
from .base import SearchExhausted, Strategy
from .bayesian_optimization import BayesianOptimization
from .evolution import RegularizedEvolution
from .grid_search import GridSearch
from .local_search import LocalSearch
from .optuna_sampler import OptunaSampler
from .random_search import RandomSearch
from .registry import REGISTRY, Param, StrategyEntry, register, variants
from .reinforce import Reinforce
from .successive_halving import Hyperband, SuccessiveHalving

for _module in pkgutil.iter_modules(__path__):  # the strategies added since, one file each
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["Strategy", "SearchExhausted", "RandomSearch", "GridSearch", "RegularizedEvolution",
           "Reinforce", "LocalSearch", "BayesianOptimization", "SuccessiveHalving", "Hyperband",
           "OptunaSampler", "REGISTRY", "Param", "StrategyEntry", "register", "variants", "STRATEGIES",
           "get_strategy"]

#: Every strategy class by its short name (from `REGISTRY`).
STRATEGIES: dict[str, type[Strategy]] = {name: entry.cls for name, entry in REGISTRY.items()}


def get_strategy(name: str, **params) -> Strategy:
    """A strategy by short name, built with `params` (`REGISTRY[name].make(**params)`)."""
    if not isinstance(name, str) or name not in REGISTRY:
        raise InputError(f"unknown strategy {name!r}; choose one of: {', '.join(REGISTRY)}")
    return REGISTRY[name].make(**params)
