"""Wrong answers to lesson 13's exercises (see tests/exercise_cases/__init__.py)."""
from __future__ import annotations

import numpy as np

from nastutor.exercises.lesson13 import batch_utilisation, seen_when_asked, speedup_at


# -- q1: the utilisation of a synchronous batch ------------------------------------------------------

def _mean_over_max_of_sum(times):
    t = np.asarray(times, dtype=float)
    return float(t.sum() / t.max())


def _min_over_max(times):
    t = np.asarray(times, dtype=float)
    return float(t.min() / t.max())


def _max_over_sum(times):
    t = np.asarray(times, dtype=float)
    return float(t.max() / t.sum())


def _waiting_share(times):
    return 1 - batch_utilisation(times)


def _mean_over_median(times):
    t = np.asarray(times, dtype=float)
    return float(min(1.0, t.mean() / np.median(t)))


# -- q2: the speedup -----------------------------------------------------------------------------------

def _means(runs, strategy, mode, workers):
    pick = runs[(runs["strategy"] == strategy) & (runs["mode"] == mode)]
    return float(pick.loc[pick["workers"] == 1, "seconds"].mean() / pick.loc[pick["workers"] == workers, "seconds"].mean())


def _misses_dropped(runs, strategy, mode, workers):
    pick = runs[(runs["strategy"] == strategy) & (runs["mode"] == mode)]
    return float(pick.loc[pick["workers"] == 1, "seconds"].median() / pick.loc[pick["workers"] == workers, "seconds"].median())


def _upside_down(runs, strategy, mode, workers):
    return 1 / speedup_at(runs, strategy, mode, workers)


def _ideal(runs, strategy, mode, workers):
    return float(workers)


def _per_worker(runs, strategy, mode, workers):
    return speedup_at(runs, strategy, mode, workers) / workers


# -- q3: what an asynchronous evolution had seen -------------------------------------------------------

def _in_ask_order(told, workers, k):
    return set(range(max(0, k - workers + 1)))


def _one_short(told, workers, k):
    return set(list(told)[:max(0, k - workers)])


def _serial(told, workers, k):
    return set(list(told)[:k])


def _everything_finished_before(told, workers, k):
    return set(list(told)[:max(0, k - workers + 2)])


WRONG = {
    "q1": [_mean_over_max_of_sum, _min_over_max, _max_over_sum, _waiting_share, _mean_over_median,
           lambda times: str(batch_utilisation(times)), lambda times: 100 * batch_utilisation(times)],
    "q2": [_means, _misses_dropped, _upside_down, _ideal, _per_worker,
           lambda runs, strategy, mode, workers: str(speedup_at(runs, strategy, mode, workers))],
    "q3": [_in_ask_order, _one_short, _serial, _everything_finished_before,
           lambda told, workers, k: len(seen_when_asked(told, workers, k)),
           lambda told, workers, k: sorted(seen_when_asked(told, workers, k))[:-1]],
    # "predict, then run": the other letters, and answers that are not one of the letters
    "p1": ["a", "c", 0.6],
    "p2": ["a", "b", 15],
}
