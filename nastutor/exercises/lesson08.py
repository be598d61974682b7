"""Exercises of lesson 08 (model-based and multi-fidelity search): the steepest-ascent step of hill
climbing, expected improvement from a posterior's mean and standard deviation, and the schedule of a
successive-halving bracket; two "predict, then run" questions (how often a climb from a random cell
ends on the best one, and whether successive halving with a one-epoch first rung beats random search
at equal simulated seconds), answered from the shipped benchmark.

    >>> from nastutor.exercises.lesson08 import *     # doctest: +SKIP
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

from ..compare import compare, summarize
from ..local_optima import Landscape
from ..strategies import RandomSearch, SuccessiveHalving
from ..strategies.successive_halving import bracket_schedule as _schedule
from ._checking import ____, Exercise, Incorrect, Question, number, numbers, same
from ._checking import must_be_function as _callable, returned as _returned
from ._code import forbid as _forbid
from ._shared import benchmark as _benchmark, evaluator as _evaluator

__all__ = ["____", "q1", "q2", "q3", "p1", "p2", "landscape", "climbs_to_optimum", "sh_against_random", "SEEDS", "SECONDS"]

#: The lesson's protocol for its comparisons: seeds and the budgets in simulated seconds.
SEEDS = range(100)
SECONDS = (100, 200, 400)


@lru_cache(maxsize=None)
def landscape(name: str = "cell-mnist1d") -> Landscape:
    """The landscape of a shipped benchmark by mean validation accuracy, built once."""
    return Landscape.of(_benchmark(name))


# -- q1: one step of steepest-ascent hill climbing ---------------------------------------------

def climb_step(fitness, neighbours, i):
    """Steepest ascent from architecture `i`: the index of its best neighbour if that one is
    strictly better than `i`, else `i` itself."""
    n = np.asarray(neighbours[i])
    best = n[int(np.argmax(fitness[n]))]
    return int(best) if fitness[best] > fitness[i] else int(i)


def _check_step(learner) -> None:
    _callable(learner, "climb_step")
    _forbid(learner, {".step(": "`Landscape.step`", ".climb(": "`Landscape.climb`"}, "take the step yourself")
    for name in ("cell-mnist1d", "cell-digits"):
        scape = landscape(name)
        fitness, neighbours = scape.fitness, scape.neighbours
        for i in range(len(scape)):
            got = _returned(learner(fitness, neighbours, i), "`climb_step`")
            if isinstance(got, (float, np.floating)) and not float(got).is_integer():
                raise Incorrect("return the index of the architecture to move to (an int), not its fitness")
            j = int(number(got, "the index your function returned"))
            options = neighbours[i]
            best = fitness[options].max()
            if j == i:
                if best > fitness[i]:
                    raise Incorrect(f"from architecture {i} of {name} your step stays put, but a neighbour is "
                                    "strictly better: move to the best neighbour")
                continue
            if j not in set(options.tolist()):
                if 0 <= j < len(options):
                    raise Incorrect(f"from architecture {i} your step returned {j}, a position in its neighbour "
                                    "list: return the neighbour's own index, `neighbours[i][position]`")
                raise Incorrect(f"from architecture {i} of {name} your step moved to {j}, which is not one of its "
                                "neighbours")
            if fitness[j] <= fitness[i]:
                raise Incorrect(f"from architecture {i} of {name} your step moved to a neighbour that is not "
                                "strictly better: at a local optimum (or on a plateau) the climb must stop, "
                                "i.e. return i")
            if fitness[j] < best:
                raise Incorrect(f"from architecture {i} of {name} your step moved to a better neighbour, but not "
                                "to the best one: steepest ascent looks at all neighbours and takes the best")


q1 = Exercise(
    "q1", var="climb_step", checker=_check_step, reference=lambda: climb_step,
    hint="""
`neighbours[i]` is an array of indices; `fitness[neighbours[i]]` gives their fitness all at once.

Find the neighbour with the largest fitness (`np.argmax` gives a position in `neighbours[i]`, so
turn it back into an index). Move there only if it is strictly better than `fitness[i]`.

`n = neighbours[i]; best = n[np.argmax(fitness[n])]`; return `best if fitness[best] > fitness[i]
else i`.
""")


# -- q2: expected improvement ------------------------------------------------------------------

def expected_improvement(mu, sigma, best):
    """E[max(f - best, 0)] for f ~ N(mu, sigma^2), element-wise; max(mu - best, 0) where sigma is 0."""
    mu, sigma = np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float)
    safe = np.maximum(sigma, 1e-12)
    z = (mu - best) / safe
    ei = (mu - best) * stats.norm.cdf(z) + safe * stats.norm.pdf(z)
    return np.where(sigma > 0, ei, np.maximum(mu - best, 0.0))


def _ei_cases():
    """(mu, sigma, best) cases: hand-sized, a GP-like spread, and points where the model is certain."""
    rng = np.random.default_rng(8)
    return [(np.array([0.9, 0.8, 0.95]), np.array([0.02, 0.1, 0.01]), 0.9),
            (rng.normal(0.85, 0.05, size=200), rng.uniform(0.001, 0.08, size=200), 0.93),
            (np.array([0.5, 0.6, 0.7]), np.array([1.0, 2.0, 0.5]), -0.3),
            # where the model is certain; the last point is the incumbent itself (mu = best, sigma = 0)
            (np.array([0.91, 0.88, 0.95, 0.9]), np.array([0.0, 0.0, 0.03, 0.0]), 0.9)]


def _monte_carlo_agrees(got: np.ndarray, mu, sigma, best, draws: int = 200_000) -> bool:
    """An independent check of the closed form: the average of max(f - best, 0) over draws of f."""
    f = np.random.default_rng(0).normal(mu[:, None], sigma[:, None], size=(len(mu), draws))
    mc = np.maximum(f - best, 0).mean(axis=1)
    return bool(np.all(np.abs(got - mc) <= 5 * sigma / np.sqrt(draws) + 1e-6))


def _check_ei(learner) -> None:
    _callable(learner, "expected_improvement")
    _forbid(learner, {"bayesian_optimization": "the package's own EI"}, "write EI from μ and σ")
    for k, (mu, sigma, best) in enumerate(_ei_cases()):
        certain = np.any(sigma == 0)
        with np.errstate(all="ignore"):
            got = _returned(learner(mu.copy(), sigma.copy(), best), "`expected_improvement`")
        got = numbers(got, "your expected improvement")
        if got.shape != mu.shape:
            raise Incorrect(f"return one number per candidate: {len(mu)} here, got shape {got.shape}")
        want = expected_improvement(mu, sigma, best)
        if certain and not np.all(np.isfinite(got)):
            raise Incorrect("where σ = 0 the model is certain and your EI is not a number (a division by zero?): "
                            "there EI is simply max(μ − best, 0); guard σ, e.g. `np.maximum(sigma, 1e-12)`")
        if np.any(got < -1e-12):
            raise Incorrect("an expected improvement is never negative: it averages max(f − best, 0)")
        where = "where the model is certain (σ = 0)" if certain else f"for {len(mu)} candidates"
        same(got, want, what=f"{where}, your EI")
        if not certain and not _monte_carlo_agrees(got, mu, sigma, best):   # pragma: no cover (an oracle)
            raise Incorrect("your EI disagrees with a Monte Carlo average of max(f − best, 0)")


q2 = Exercise(
    "q2", var="expected_improvement", checker=_check_ei, reference=lambda: expected_improvement,
    hint="""
Standardise the improvement: z = (μ − best) / σ. Then EI = (μ − best) Φ(z) + σ φ(z), with Φ and φ
the standard normal's CDF and density (`stats.norm.cdf`, `stats.norm.pdf`). It works on whole
arrays at once.

Where σ = 0 the model is certain, f = μ, and EI = max(μ − best, 0): divide by
`np.maximum(sigma, 1e-12)` so that z does not blow up, or handle it with `np.where`.

`s = np.maximum(sigma, 1e-12); z = (mu - best) / s`; return `(mu - best) * stats.norm.cdf(z) + s *
stats.norm.pdf(z)`.
""")


# -- q3: a successive-halving bracket -----------------------------------------------------------

def bracket_schedule(n, eta, min_epochs, max_epochs):
    """The rungs (architectures, epochs) of one successive-halving bracket (see the lesson)."""
    K = 0
    while eta ** (K + 1) <= n and min_epochs * eta ** (K + 1) <= max_epochs:
        K += 1
    return [(n // eta ** k, max(min_epochs, round(max_epochs / eta ** (K - k)))) for k in range(K + 1)]


def _schedule_cases():
    """(n, eta, min_epochs, max_epochs) whose schedules never round an exact half (where
    rounding conventions differ), including brackets that epochs, not architectures, cut short."""
    cases = [(27, 3, 1, 12), (9, 3, 1, 12), (81, 3, 1, 12), (5, 3, 4, 12), (3, 3, 12, 12), (100, 2, 1, 16),
             (30, 3, 2, 12), (64, 4, 1, 100), (10, 2, 1, 200), (2, 3, 1, 12), (50, 5, 1, 25), (200, 3, 1, 81)]
    for n, eta, lo, hi in cases:
        assert all(abs(hi / eta ** j % 1 - 0.5) > 1e-9 for j in range(len(_schedule(n, eta, lo, hi)))), (n, eta, lo, hi)
    return cases


def _check_schedule(learner) -> None:
    _callable(learner, "bracket_schedule")
    _forbid(learner, {"bracket_schedule": "the package's own schedule", "_rungs": "the strategy's own schedule"},
            "compute the rungs yourself")
    for n, eta, lo, hi in _schedule_cases():
        got = _returned(learner(n, eta, lo, hi), "`bracket_schedule`")
        want = _schedule(n, eta, lo, hi)
        what = f"for n={n}, η={eta}, epochs from {lo} to {hi}"
        try:
            rungs = [tuple(int(number(v, "a rung's numbers")) for v in rung) for rung in got]
        except (TypeError, Incorrect):
            raise Incorrect("return a list of (architectures, epochs) pairs, one per rung, e.g. "
                            "[(27, 1), (9, 4), (3, 12)]") from None
        if any(len(r) != 2 for r in rungs):
            raise Incorrect("each rung is a pair (architectures, epochs)")
        if len(rungs) != len(want):
            raise Incorrect(f"{what}, your bracket has {len(rungs)} rungs, not the right number: keep dividing while "
                            "both the architectures (η^K ≤ n) and the epochs (min_epochs · η^K ≤ max_epochs) allow it")
        if [r[0] for r in rungs] != [w[0] for w in want]:
            raise Incorrect(f"{what}, your numbers of architectures per rung are not right: rung k keeps "
                            "n // η^k (whole architectures)")
        if rungs[-1][1] != hi:
            raise Incorrect(f"{what}, your last rung does not train to the full {hi} epochs")
        same([r[1] for r in rungs], [w[1] for w in want], what=f"{what}, your epochs per rung")


q3 = Exercise(
    "q3", var="bracket_schedule", checker=_check_schedule, reference=lambda: bracket_schedule,
    hint="""
First find K, the number of times you can divide by η: increase K while η^(K+1) ≤ n and
min_epochs · η^(K+1) ≤ max_epochs.

Then rung k (k = 0 … K) keeps n // η^k architectures and trains them for max_epochs / η^(K−k)
epochs, rounded, and never fewer than min_epochs: so the last rung (k = K) trains to max_epochs.

`K = 0`, then `while eta ** (K + 1) <= n and min_epochs * eta ** (K + 1) <= max_epochs: K += 1`, then
`return [(n // eta**k, max(min_epochs, round(max_epochs / eta**(K - k)))) for k in range(K + 1)]`.
""")


# -- p1, p2: predict, then run --------------------------------------------------------------------

def climbs_to_optimum(name: str = "cell-mnist1d") -> float:
    """The share of all raw architectures of `name` from which hill climbing ends on a best cell
    (a local optimum with the largest truth)."""
    scape = landscape(name)
    ends = np.array([scape.climb(i) for i in range(len(scape))])
    return float(np.mean(scape.fitness[ends] == scape.fitness.max()))


p1 = Question(
    "p1", expected=lambda: "a" if climbs_to_optimum() > 0.6 else "b" if climbs_to_optimum() > 0.2 else "c",
    choices={"a": "most of the time", "b": "about half of the time", "c": "less than one climb in five"},
    hint="""
How many local optima does the table above list, and how large are their basins compared with
the whole space?
""",
    why="""
The landscape has many local optima, and the global optimum's basin is only a small part of the
space: most climbs end on a good cell that is not the best. That is why local search restarts.
""")


@lru_cache(maxsize=None)
def sh_against_random() -> pd.DataFrame:
    """Successive halving (first rung at 1 epoch) and random search over SEEDS, for the largest of
    SECONDS simulated seconds each."""
    return compare({"random": RandomSearch(), "sh": SuccessiveHalving()}, _evaluator(), budget=None,
                   seconds=max(SECONDS), seeds=SEEDS)


def _sh_answer() -> str:
    """p2's answer at the middle budget: successive halving better than random search (a: one-sided
    rank-sum p < 0.05), worse (c: p < 0.05 the other way) or neither (b)."""
    runs = sh_against_random()
    at = summarize(runs, seconds=SECONDS[1], baseline="random").set_index("strategy")
    if at.loc["sh", "val_regret_p"] < 0.05:
        return "a"
    reverse = summarize(runs, seconds=SECONDS[1], baseline="sh").set_index("strategy")
    return "c" if reverse.loc["random", "val_regret_p"] < 0.05 else "b"


p2 = Question(
    "p2", expected=_sh_answer,
    choices={"a": "successive halving is better", "b": "no clear difference", "c": "random search is better"},
    hint="""
Look at the rank correlation after one epoch in the curve above: how well does the first rung tell
good cells from bad ones?
""",
    why="""
After one epoch the ranking is close to random (the learning rate is still warming up), so the
first rung throws away good cells about as often as bad ones; the seconds it saves do not make up
for it.
""")
