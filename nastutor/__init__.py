"""nastutor: the helper package of an interactive course on Neural Architecture Search.

Every number it shows comes from real training (or from a tabular benchmark that this
package's own training code produced).

    >>> import nastutor as nt
    >>> space = nt.MLPSpace()
    >>> history = nt.run_search(nt.RandomSearch(), nt.LiveEvaluator(space, "mnist1d"), budget=2)
"""
from __future__ import annotations

from .data import DATASETS, Dataset, load_dataset
from .benchmark import BENCHMARKS, Benchmark
from .evaluators import Evaluation, Evaluator, LiveEvaluator, TabularEvaluator, default_config, fast_mode
from .search import History, make_executor, run_search, search_loop
from .executors import dask_executor
from .parallel import simulate
from .spaces import SPACES, CellSpace, MLPSpace, SearchSpace, get_space
from .strategies import (REGISTRY, STRATEGIES, BayesianOptimization, GridSearch, Hyperband, LocalSearch, OptunaSampler,
                         RandomSearch, RegularizedEvolution, Reinforce, SearchExhausted, Strategy, SuccessiveHalving,
                         get_strategy)
from .warm_start import WarmStart
from .training import TrainConfig, TrainResult, train
from . import hardware, pareto, proxies, transfer
from .strategies.multi_objective import MnasNet, OptunaNSGA2, ParetoEvolution

__version__ = "0.1.0"

__all__ = [
    "DATASETS", "Dataset", "load_dataset",
    "SPACES", "SearchSpace", "MLPSpace", "CellSpace", "get_space",
    "TrainConfig", "TrainResult", "train",
    "BENCHMARKS", "Benchmark",
    "Evaluation", "Evaluator", "LiveEvaluator", "TabularEvaluator", "default_config", "fast_mode",
    "REGISTRY", "STRATEGIES", "Strategy", "SearchExhausted", "get_strategy",
    "RandomSearch", "GridSearch", "RegularizedEvolution", "Reinforce", "LocalSearch", "BayesianOptimization",
    "SuccessiveHalving", "Hyperband", "OptunaSampler", "WarmStart",
    "History", "search_loop", "run_search", "make_executor", "dask_executor", "simulate", "hardware", "pareto", "proxies", "transfer",
    "ParetoEvolution", "OptunaNSGA2", "MnasNet",
]
