"""Wrong answers to lesson 07's exercises (see tests/exercise_cases/__init__.py)."""
from __future__ import annotations

import numpy as np

from nastutor.exercises.lesson07 import CLAIMS, mann_whitney_u, permutation_p, supported_claims


def _ci_normal(values, confidence=0.95):
    from scipy import stats

    x = np.asarray(values, dtype=float)
    half = stats.norm.ppf(0.5 + confidence / 2) * x.std(ddof=1) / np.sqrt(len(x))
    return x.mean() - half, x.mean() + half


def _ci_ddof0(values, confidence=0.95):
    from scipy import stats

    x = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.5 + confidence / 2, len(x) - 1) * x.std() / np.sqrt(len(x))
    return x.mean() - half, x.mean() + half


def _ci_std(values, confidence=0.95):
    from scipy import stats

    x = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.5 + confidence / 2, len(x) - 1) * x.std(ddof=1)
    return x.mean() - half, x.mean() + half


def _ci_one_sided(values, confidence=0.95):
    from scipy import stats

    x = np.asarray(values, dtype=float)
    half = stats.t.ppf(confidence, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return x.mean() - half, x.mean() + half


def _ci_half_only(values, confidence=0.95):
    from scipy import stats

    x = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.5 + confidence / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return -half, half


def _ci_library(values, confidence=0.95):
    from scipy import stats

    x = np.asarray(values, dtype=float)
    return stats.t.interval(confidence, len(x) - 1, loc=x.mean(), scale=stats.sem(x))


def _ci_reversed(values, confidence=0.95):
    from nastutor.exercises.lesson07 import confidence_interval

    low, high = confidence_interval(values, confidence)
    return high, low


def _ci_strings(values, confidence=0.95):
    from nastutor.exercises.lesson07 import confidence_interval

    return tuple(str(v) for v in confidence_interval(values, confidence))


def _u_scipy(a, b):
    from scipy.stats import mannwhitneyu

    return float(mannwhitneyu(a, b).statistic)


def _p_scipy(a, b, permutations=10_000, seed=0):
    from scipy import stats

    return float(stats.mannwhitneyu(a, b, alternative="less").pvalue)


def _p_permutation_test(a, b, permutations=10_000, seed=0):
    from scipy import stats

    return float(stats.permutation_test((a, b), lambda x, y: mann_whitney_u(x, y), alternative="less",
                                        n_resamples=permutations, random_state=seed).pvalue)


def _p_percent(a, b, permutations=10_000, seed=0):
    return 100 * permutation_p(a, b, permutations, seed)


def _u_smaller(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.sum(a[:, None] < b[None, :]) + 0.5 * np.sum(a[:, None] == b[None, :]))


def _u_no_ties(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.sum(a[:, None] > b[None, :]))


def _u_rank_sum(a, b):
    from scipy import stats

    ranks = stats.rankdata(np.concatenate([a, b]))
    return float(ranks[:len(a)].sum())


def _u_min(a, b):
    u = mann_whitney_u(a, b)
    return min(u, len(a) * len(b) - u)


def _p_two_sided(a, b, permutations=10_000, seed=0):
    p = permutation_p(a, b, permutations, seed)
    return min(1.0, 2 * min(p, 1 - p))


def _p_greater(a, b, permutations=10_000, seed=0):
    return permutation_p(b, a, permutations, seed)


def _p_strict(a, b, permutations=10_000, seed=0):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    rng = np.random.default_rng(seed)
    pooled, n = np.concatenate([a, b]), len(a)
    observed = mann_whitney_u(a, b)
    hits = sum(mann_whitney_u(s[:n], s[n:]) < observed for s in (rng.permutation(pooled) for _ in range(permutations)))
    return hits / permutations


def _p_mean(a, b, permutations=10_000, seed=0):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    rng = np.random.default_rng(seed)
    pooled, n = np.concatenate([a, b]), len(a)
    observed = a.mean() - b.mean()
    hits = sum(s[:n].mean() - s[n:].mean() <= observed for s in (rng.permutation(pooled) for _ in range(permutations)))
    return (hits + 1) / (permutations + 1)


def _flip(key):
    truth = supported_claims()
    return {k: (not v if k == key else v) for k, v in truth.items()}


def _wrong_claims():
    """Plausible wrong judgement sets: everything supported, nothing supported, one claim flipped."""
    return [{k: True for k in CLAIMS}, {k: False for k in CLAIMS}, *[_flip(k) for k in CLAIMS]]


WRONG = {
    "q1": [_ci_normal, _ci_ddof0, _ci_std, _ci_one_sided, _ci_half_only, _ci_library, _ci_reversed, _ci_strings],
    "q2": [_u_smaller, _u_no_ties, _u_rank_sum, _u_min, _u_scipy, lambda a, b: str(mann_whitney_u(a, b))],
    "q3": [_p_two_sided, _p_greater, _p_strict, _p_mean, _p_scipy, _p_permutation_test, _p_percent,
           lambda a, b, permutations=10_000, seed=0: permutation_p(a, b, permutations, seed) < 0.05],
    "q4": _wrong_claims,     # built when its test runs: it needs the comparison's results
    # "predict, then run": the other letters (the lesson's prose after each question assumes its answer),
    # and answers that are not one of the letters
    "p1": ["a", "c", "shrink"],
    "p2": ["a", "b", 0.3],
}
