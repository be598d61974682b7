"""Wrong answers to lesson 08's exercises (see tests/exercise_cases/__init__.py)."""
from __future__ import annotations

import numpy as np
from scipy import stats

from nastutor.exercises.lesson08 import bracket_schedule, climb_step, expected_improvement


# -- q1: the climbing step -----------------------------------------------------------------------

def _first_improvement(fitness, neighbours, i):
    for j in neighbours[i]:
        if fitness[j] > fitness[i]:
            return int(j)
    return i


def _always_move(fitness, neighbours, i):
    n = neighbours[i]
    return int(n[np.argmax(fitness[n])])


def _move_on_ties(fitness, neighbours, i):
    n = neighbours[i]
    best = n[np.argmax(fitness[n])]
    return int(best) if fitness[best] >= fitness[i] else i


def _position(fitness, neighbours, i):
    n = neighbours[i]
    k = int(np.argmax(fitness[n]))
    return k if fitness[n[k]] > fitness[i] else i


def _fitness_value(fitness, neighbours, i):
    return float(fitness[climb_step(fitness, neighbours, i)])


def _worst_neighbour(fitness, neighbours, i):
    n = neighbours[i]
    worst = n[np.argmin(fitness[n])]
    return int(worst) if fitness[worst] > fitness[i] else i


# -- q2: expected improvement ----------------------------------------------------------------------

def _no_exploration(mu, sigma, best):
    z = (mu - best) / np.maximum(sigma, 1e-12)
    return (mu - best) * stats.norm.cdf(z)


def _probability_of_improvement(mu, sigma, best):
    return stats.norm.cdf((mu - best) / np.maximum(sigma, 1e-12))


def _variance(mu, sigma, best):
    s = np.maximum(np.asarray(sigma) ** 2, 1e-12)
    z = (mu - best) / s
    return (mu - best) * stats.norm.cdf(z) + s * stats.norm.pdf(z)


def _swapped(mu, sigma, best):
    s = np.maximum(sigma, 1e-12)
    z = (mu - best) / s
    return (mu - best) * stats.norm.pdf(z) + s * stats.norm.cdf(z)


def _unguarded(mu, sigma, best):
    z = (mu - best) / sigma
    return (mu - best) * stats.norm.cdf(z) + sigma * stats.norm.pdf(z)


def _mean_gap(mu, sigma, best):
    return np.maximum(mu - best, 0.0)


def _wrong_sign(mu, sigma, best):
    s = np.maximum(sigma, 1e-12)
    z = (best - mu) / s
    return (mu - best) * stats.norm.cdf(z) + s * stats.norm.pdf(z)


# -- q3: a bracket's schedule -----------------------------------------------------------------------

def _growing_from_min(n, eta, min_epochs, max_epochs):
    K = 0
    while eta ** (K + 1) <= n and min_epochs * eta ** (K + 1) <= max_epochs:
        K += 1
    return [(n // eta ** k, min(max_epochs, min_epochs * eta ** k)) for k in range(K + 1)]


def _ignores_epochs(n, eta, min_epochs, max_epochs):
    K = 0
    while eta ** (K + 1) <= n:
        K += 1
    return [(n // eta ** k, max(min_epochs, round(max_epochs / eta ** (K - k)))) for k in range(K + 1)]


def _float_cells(n, eta, min_epochs, max_epochs):
    return [(n / eta ** k, e) for k, (_, e) in enumerate(bracket_schedule(n, eta, min_epochs, max_epochs))]


def _one_rung_short(n, eta, min_epochs, max_epochs):
    return bracket_schedule(n, eta, min_epochs, max_epochs)[:-1] or [(n, max_epochs - 1)]


def _cells_grow(n, eta, min_epochs, max_epochs):
    rungs = bracket_schedule(n, eta, min_epochs, max_epochs)
    return [(n // eta ** (len(rungs) - 1 - k), e) for k, (_, e) in enumerate(rungs)]


WRONG = {
    "q1": [_first_improvement, _always_move, _move_on_ties, _position, _fitness_value, _worst_neighbour,
           lambda fitness, neighbours, i: str(climb_step(fitness, neighbours, i))],
    "q2": [_no_exploration, _probability_of_improvement, _variance, _swapped, _unguarded, _mean_gap, _wrong_sign,
           lambda mu, sigma, best: float(np.sum(expected_improvement(mu, sigma, best))),
           lambda mu, sigma, best: -expected_improvement(mu, sigma, best)],
    "q3": [_growing_from_min, _ignores_epochs, _float_cells, _one_rung_short, _cells_grow,
           lambda n, eta, min_epochs, max_epochs: bracket_schedule(n, eta, min_epochs, max_epochs)[::-1],
           lambda n, eta, min_epochs, max_epochs: str(bracket_schedule(n, eta, min_epochs, max_epochs))],
    # "predict, then run": the other letters, and answers that are not one of the letters
    "p1": ["a", "b", 0.08],
    "p2": ["a", "b", "sh"],
}
