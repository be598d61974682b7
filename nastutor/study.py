"""The verdict of a study of two strategies: an effect size and a two-sided rank test at one
budget fixed in advance. Taught in lesson 14 (the capstone: your own NAS study), with the tools
of lesson 07 (`compare`, `summarize`, the rank-sum test).

`superiority(a, b)` is the effect size: the chance that a run of `a` ends with a lower regret
than a run of `b` (a tie counts half), 0.5 when neither is ahead. `verdict` takes each run's
incumbent at the budget and tests "the two strategies are equally good" with a two-sided
Wilcoxon rank-sum (Mann-Whitney U) test: below `alpha`, the strategy ahead is called better.

    >>> from nastutor import RandomSearch, RegularizedEvolution, TabularEvaluator
    >>> from nastutor.compare import compare
    >>> runs = compare({"random": RandomSearch(), "evolution": RegularizedEvolution()},
    ...                TabularEvaluator("mlp-mnist1d"), budget=None, seconds=300, seeds=range(20))
    >>> v = verdict(runs, "evolution", "random", seconds=300)
    >>> v.runs, 0 <= v.effect <= 1, v.better in ("evolution", "random", None)
    (20, True, True)
    >>> superiority([0.0, 0.1], [0.1, 0.2])      # 3 of 4 pairs won, 1 tie: (3 + 0.5) / 4
    0.875
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .checks import InputError, check_frame, check_int, check_number
from .compare import REGRETS, at_budget

__all__ = ["superiority", "Verdict", "verdict", "power"]


def _sample(values: object, name: str) -> np.ndarray:
    """`values` as a 1-D float array of at least one finite number, or a clear error."""
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a sequence of numbers, got {values!r:.80}") from None
    if x.ndim != 1 or not len(x) or not np.isfinite(x).all():
        raise InputError(f"{name} must be a non-empty 1-D sequence of finite numbers, got shape {x.shape}")
    return x


def superiority(a, b) -> float:
    """The probability of superiority of `a` over `b` for a smaller-is-better measure (a regret):
    over all pairs of one value of `a` and one of `b`, the share in which `a`'s is smaller, a tie
    counting half. 0.5: neither is ahead; 1: every value of `a` is below every value of `b`.
    It is 1 - U / (n_a n_b), with U the Mann-Whitney statistic of lesson 07 (the duels `a`
    loses), and Vargha and Delaney's A for a measure where smaller is better. Taught in lesson 14.

        >>> superiority([1, 2], [3, 4]), superiority([3, 4], [1, 2]), superiority([1, 2], [1, 2])
        (1.0, 0.0, 0.5)
    """
    a, b = _sample(a, "a"), _sample(b, "b")
    return float(np.mean(a[:, None] < b[None, :]) + 0.5 * np.mean(a[:, None] == b[None, :]))


@dataclass(frozen=True)
class Verdict:
    """What a two-strategy study concludes at its budget: `better` is the strategy the test
    calls better, or None for "no detectable difference"."""

    first: str
    second: str
    metric: str
    runs: int          # runs of each strategy at the budget
    p: float           # two-sided rank-sum p-value
    effect: float      # superiority(first's regrets, second's regrets)
    alpha: float
    better: str | None

    def __str__(self) -> str:
        found = (f"{self.better} is better" if self.better else "no detectable difference")
        return (f"{found} (two-sided rank-sum p = {self.p:.3g}, alpha = {self.alpha}; a run of {self.first} beats "
                f"one of {self.second} with probability {self.effect:.2f}; {self.runs} runs each)")


def verdict(runs: pd.DataFrame, first: str, second: str, *, budget: int | None = None,
            seconds: float | None = None, metric: str = "val_regret", alpha: float = 0.05) -> Verdict:
    """Compare strategies `first` and `second` of `compare()` results at one budget, in
    evaluations (`budget`) or simulated seconds (`seconds`, as `at_budget` takes it): each run's
    incumbent `metric` ("val_regret" or "test_regret"), a two-sided rank-sum test and the
    effect size `superiority(first, second)`. If p < `alpha`, the strategy whose runs tend to
    end lower is `better`; else `better` is None. Taught in lesson 14."""
    if not isinstance(metric, str) or metric not in REGRETS:
        raise InputError(f"metric must be one of {', '.join(REGRETS)}, got {metric!r}")
    check_frame(runs, "runs", ("strategy", "seed", metric), "compare()")
    alpha = check_number(alpha, "alpha", minimum=0, maximum=1)
    if first == second:
        raise InputError(f"compare two different strategies, got {first!r} twice")
    final = at_budget(runs, budget, seconds=seconds)
    names = list(runs["strategy"].unique())
    regrets = []
    for name in (first, second):
        if not isinstance(name, str) or name not in names:
            raise InputError(f"{name!r} is not among the strategies of runs: {', '.join(map(str, names))}")
        values = final.loc[final["strategy"] == name, metric].to_numpy()
        if not len(values):
            raise InputError(f"no run of {name!r} finished an evaluation within the budget: give a larger one")
        regrets.append(values)
    a, b = regrets
    p = float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)
    effect = superiority(a, b)
    better = None if not p < alpha or effect == 0.5 else first if effect > 0.5 else second
    return Verdict(first, second, metric, int(min(len(a), len(b))), p, effect, alpha, better)


def power(effect: float, runs: int, alpha: float = 0.05, simulations: int = 2000, seed: int = 0) -> float:
    """How often a study with `runs` runs of each strategy detects a real difference: the share of
    `simulations` simulated studies in which the two-sided rank-sum test gives p < `alpha` when a
    run of the first strategy beats a run of the second with probability `effect` (regrets drawn
    from two normal distributions shifted to give that effect). Taught in lesson 14.

        >>> power(0.5, 50) < 0.1 < 0.9 < power(0.8, 50)   # no effect: alpha; a large one: nearly always
        True
    """
    effect = check_number(effect, "effect", minimum=0, maximum=1)
    if not 0 < effect < 1:
        raise InputError(f"effect must lie strictly between 0 and 1, got {effect}")
    runs = check_int(runs, "runs", minimum=2)
    alpha = check_number(alpha, "alpha", minimum=0, maximum=1)
    simulations = check_int(simulations, "simulations", minimum=1)
    shift = np.sqrt(2) * stats.norm.ppf(effect)          # P(a < b) = Phi(shift / sqrt 2) = effect
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    a, b = rng.normal(0, 1, (simulations, runs)), rng.normal(shift, 1, (simulations, runs))
    return float(np.mean(stats.mannwhitneyu(a, b, alternative="two-sided", axis=1).pvalue < alpha))
