"""Wrong answers to lesson 03's exercises (see tests/exercise_cases/__init__.py)."""
from __future__ import annotations

import numpy as np
from scipy import stats


def _tau_a(x, y):
    i, j = np.triu_indices(len(x), k=1)
    return float(np.sum(np.sign(x[i] - x[j]) * np.sign(y[i] - y[j])) / len(i))


def _pearson(x, y):
    return float(np.corrcoef(x, y)[0, 1])


def _spearman(x, y):
    return float(stats.spearmanr(x, y).statistic)


def _unnormalised(x, y):
    i, j = np.triu_indices(len(x), k=1)
    return float(np.sum(np.sign(x[i] - x[j]) * np.sign(y[i] - y[j])))


def _scipy(x, y):
    return float(stats.kendalltau(x, y).statistic)


def _through_a_helper(x, y):
    return _scipy(x, y)


def _pandas(x, y):
    import pandas as pd

    return float(pd.Series(x).corr(pd.Series(y), method="kendall"))


def _proportional(bench, e):
    return 1 - e / bench.epochs


def _fraction_spent(bench, e):
    return float(bench.cumulative_seconds[:, :, e - 1].sum() / bench.cumulative_seconds[:, :, -1].sum())


def _one_epoch(bench, e):
    return float(1 - bench.epoch_seconds[:, :, e - 1].sum() / bench.epoch_seconds.sum())


WRONG = {
    "q1": [_tau_a, _pearson, _spearman, _unnormalised, _scipy, _through_a_helper, _pandas,
           lambda x, y: str(_scipy(x, y))],
    "q2": [_proportional, _fraction_spent, _one_epoch, lambda bench, e: str(1 - e / bench.epochs),
           lambda bench, e: e < bench.epochs],
    "q3": [12, 1, 10, "4", True],          # full training, one epoch, a guess near the end, not numbers
    "p1": ["a", "b", -0.04, "tau"],           # the other options; a number or a word, not a letter
    "p2": ["a", "b", 0.42, "d"],
}
