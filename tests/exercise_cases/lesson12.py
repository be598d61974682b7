"""Wrong answers to lesson 12's exercises (see tests/exercise_cases/__init__.py)."""
from __future__ import annotations

import numpy as np
from scipy import stats

from nastutor.exercises.lesson12 import TASKS, top_k_tau
from nastutor.transfer import aligned


# -- q1: Kendall's tau among the source's top k ----------------------------------------------------

def _worst_k(source, target, k):                      # the k worst cells instead of the best
    best = np.argsort(source)[:k]
    return stats.kendalltau(np.asarray(source)[best], np.asarray(target)[best]).statistic


def _targets_top(source, target, k):                  # the top of the target, which a search cannot see
    best = np.argsort(-np.asarray(target))[:k]
    return stats.kendalltau(np.asarray(source)[best], np.asarray(target)[best]).statistic


def _all_cells(source, target, k):                    # forgets to keep the top k
    return stats.kendalltau(source, target).statistic


def _spearman(source, target, k):                     # the other rank correlation
    best = np.argsort(-np.asarray(source))[:k]
    return stats.spearmanr(np.asarray(source)[best], np.asarray(target)[best]).statistic


def _off_by_one(source, target, k):                   # one cell too many
    best = np.argsort(-np.asarray(source))[:k + 1]
    return stats.kendalltau(np.asarray(source)[best], np.asarray(target)[best]).statistic


def _pearson(source, target, k):                      # not a rank correlation
    best = np.argsort(-np.asarray(source))[:k]
    return stats.pearsonr(np.asarray(source)[best], np.asarray(target)[best]).statistic


def _as_text(source, target, k):
    return str(top_k_tau(source, target, k))


# -- q2: the regret on the target of the source's winner --------------------------------------------

def _q2_wrong() -> list:
    table = aligned(*TASKS)
    winner, other = table[TASKS[0]].idxmax(), table[TASKS[1]].idxmax()
    right = table[TASKS[1]].max() - table.loc[winner, TASKS[1]]
    return [0.0,                                                     # "the winner is the winner"
            100 * right,                                             # in percentage points
            table[TASKS[0]].max() - table.loc[other, TASKS[0]],       # the other way round
            -right,                                                  # the sign flipped
            table.loc[winner, TASKS[0]] - table.loc[winner, TASKS[1]],   # the winner's accuracy gap between the tasks
            table[TASKS[1]].max() - table[TASKS[1]].median(),        # the median cell's regret
            str(right)]


# -- q3: did the warm start help? -------------------------------------------------------------------

def _two_sided(warm, cold, alpha=0.05):               # a difference either way counts as help
    return bool(stats.mannwhitneyu(warm, cold).pvalue < alpha)


def _wrong_way(warm, cold, alpha=0.05):               # tests "warm is worse"
    return bool(stats.mannwhitneyu(warm, cold, alternative="greater").pvalue < alpha)


def _means_only(warm, cold, alpha=0.05):              # any lower mean, significant or not
    return bool(np.mean(warm) < np.mean(cold))


def _p_value(warm, cold, alpha=0.05):                 # returns the p-value, not the verdict
    return float(stats.mannwhitneyu(warm, cold, alternative="less").pvalue)


def _ignores_alpha(warm, cold, alpha=0.05):           # always at 5%
    return bool(stats.mannwhitneyu(warm, cold, alternative="less").pvalue < 0.05)


def _p_above(warm, cold, alpha=0.05):                 # the comparison turned round
    return bool(stats.mannwhitneyu(warm, cold, alternative="less").pvalue > alpha)


WRONG = {
    "q1": [_worst_k, _targets_top, _all_cells, _spearman, _off_by_one, _pearson, _as_text,
           lambda source, target, k: None],
    "q2": _q2_wrong,
    "q3": [_two_sided, _wrong_way, _means_only, _p_value, _ignores_alpha, _p_above,
           lambda warm, cold, alpha=0.05: None],
    # "predict, then run": the other letters, and answers that are not one of the letters
    "p1": ["a", "c", 0.1],
    "p2": ["a", "b", "digits"],
}
