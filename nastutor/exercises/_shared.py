"""What several lessons' checkers share: the shipped benchmarks (loaded once) and a
goodness-of-fit test for "is this draw uniform enough"; `softmax` is REINFORCE's own
(`nastutor.strategies.reinforce`), re-exported. One copy of each.

    >>> benchmark("cell-mnist1d") is evaluator("cell-mnist1d").benchmark
    True
    >>> softmax(np.zeros(4)).tolist()
    [0.25, 0.25, 0.25, 0.25]
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import stats

from ..benchmark import Benchmark
from ..evaluators import TabularEvaluator
from ..strategies.reinforce import softmax

__all__ = ["evaluator", "benchmark", "softmax", "chi2_ok"]


@lru_cache(maxsize=None)
def evaluator(name: str = "cell-mnist1d") -> TabularEvaluator:
    """The tabular evaluator of a shipped benchmark, loaded once per name (checkers call it often)."""
    return TabularEvaluator(name)


def benchmark(name: str = "cell-mnist1d") -> Benchmark:
    """A shipped benchmark, loaded once per name: the one `evaluator(name)` looks up."""
    return evaluator(name).benchmark


def chi2_ok(counts: np.ndarray, probs: np.ndarray) -> bool:
    """A chi-squared goodness-of-fit test of `counts` against `probs` that only rejects clear
    departures (p < 1e-4); a count where the probability is zero always rejects."""
    keep = probs > 0
    if np.any(counts[~keep]):
        return False
    expected = probs[keep] * counts.sum()
    return stats.chisquare(counts[keep], expected).pvalue > 1e-4
