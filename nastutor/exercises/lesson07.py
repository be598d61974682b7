"""Exercises of lesson 07 (comparing strategies fairly): a Student-t confidence interval, the
Mann-Whitney U statistic, a one-sided permutation test, and judging strategy claims from real
`compare()` results; two "predict, then run" questions (what a budget in simulated seconds does to
the strategies' leads, and what reporting the best of many budgets does to false positives),
answered from the same runs as the lesson's cells.

    >>> from nastutor.exercises.lesson07 import *     # doctest: +SKIP
"""
from __future__ import annotations

from functools import lru_cache
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from ..compare import compare, summarize
from ..strategies import OptunaSampler, RandomSearch, RegularizedEvolution, Reinforce
from ._checking import ____, Exercise, Incorrect, NotAttempted, Question, answered, number, same
from ._code import forbid as _forbid
from ._checking import must_be_function as _callable, returned as _returned
from ._shared import evaluator as _evaluator

__all__ = ["____", "q1", "q2", "q3", "q4", "p1", "p2"]

#: The lesson's protocol (the notebook uses the same values): seeds, budgets, the test's level.
SEEDS = range(50)
BUDGET = 100          # evaluations
SECONDS = 400         # simulated seconds of training per search
ALPHA = 0.05


# -- helpers the checkers share ---------------------------------------------------------------

@lru_cache(maxsize=None)
def _random_regrets(seeds: int = 20, budget: int = 30) -> np.ndarray:
    """Final validation regrets of real random searches (a skewed sample with ties)."""
    runs = compare({"random": RandomSearch()}, _evaluator(), budget=budget, seeds=range(seeds))
    return runs.groupby("seed")["val_regret"].last().to_numpy()


# -- q1: a Student-t confidence interval -------------------------------------------------------

def confidence_interval(values, confidence=0.95):
    """The Student-t confidence interval (low, high) for the mean of `values`."""
    from scipy import stats

    x = np.asarray(values, dtype=float)
    n = len(x)
    half = stats.t.ppf(0.5 + confidence / 2, df=n - 1) * x.std(ddof=1) / np.sqrt(n)
    return x.mean() - half, x.mean() + half


def _ci_cases():
    rng = np.random.default_rng(7)
    return [(np.array([1.0, 2.0, 3.0, 4.0]), 0.95), (rng.normal(0.5, 2.0, size=5), 0.95),
            (rng.exponential(0.004, size=12), 0.9), (_random_regrets(), 0.95), (_random_regrets(), 0.99),
            (rng.normal(size=200), 0.95)]


def _check_ci(learner) -> None:
    _callable(learner, "confidence_interval")
    _forbid(learner, {"interval": "`scipy.stats.t.interval`", "_tconfint_generic": "statsmodels",
                      "DescrStatsW": "statsmodels", "bootstrap": "`scipy.stats.bootstrap`"},
            "compute the interval")
    for values, confidence in _ci_cases():
        got = _returned(learner(values.copy(), confidence), "`confidence_interval`")
        if isinstance(got, (str, bytes, dict)) or np.ndim(got) != 1 or len(got) != 2:
            raise Incorrect("return two numbers, the interval's (low, high), e.g. `return low, high`")
        low, high = (number(v, f"the interval's {end} end") for v, end in zip(got, ("low", "high")))
        want_low, want_high = confidence_interval(values, confidence)
        if high < values.mean() < low:
            raise Incorrect("your interval is reversed: its first number is larger than its second. Return "
                            "(low, high) = (mean - half-width, mean + half-width)")
        if not low < values.mean() < high:
            raise Incorrect("your interval should contain the sample mean: return (low, high) = mean minus and "
                            "plus the half-width, not the half-width alone")
        what = f"for {len(values)} values at {confidence:.0%} confidence, your interval's width"
        same(high - low, want_high - want_low, what=what)
        same(low, want_low, what=f"for {len(values)} values, your interval's lower end")


q1 = Exercise(
    "q1", var="confidence_interval", checker=_check_ci, reference=lambda: confidence_interval,
    hint="""
The interval is mean ± t · s / √n: s is the sample standard deviation (with n − 1 in its
denominator), s / √n the standard error of the mean.

t is the Student-t quantile with n − 1 degrees of freedom that leaves (1 − confidence) / 2 in each
tail: `stats.t.ppf(0.5 + confidence / 2, df=len(values) - 1)`.

`x = np.asarray(values, float); half = stats.t.ppf(0.5 + confidence / 2, len(x) - 1) * x.std(ddof=1)
/ np.sqrt(len(x))`; return `x.mean() - half, x.mean() + half`.
""")


# -- q2: the Mann-Whitney U statistic ----------------------------------------------------------

def mann_whitney_u(a, b):
    """U of sample `a`: over all pairs (one value from a, one from b), how many have the a value
    larger, counting a tie as half."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.sum(a[:, None] > b[None, :]) + 0.5 * np.sum(a[:, None] == b[None, :]))


def _u_cases():
    rng = np.random.default_rng(3)
    regrets = _random_regrets()
    return [(np.array([1.0, 2.0, 3.0]), np.array([2.5, 4.0])),
            (np.array([0.0, 0.0, 1.0, 2.0]), np.array([0.0, 1.0, 1.0])),           # ties
            (rng.normal(size=9), rng.normal(0.5, 1.0, size=14)),
            (regrets[:10], regrets[10:]),                                              # real, with ties
            (np.round(rng.exponential(0.004, size=40), 3), np.round(rng.exponential(0.005, size=35), 3))]


def _check_u(learner) -> None:
    _callable(learner, "mann_whitney_u")
    _forbid(learner, {"mannwhitneyu": "`scipy.stats.mannwhitneyu`"}, "count the duels")
    for a, b in _u_cases():
        got = _returned(learner(a.copy(), b.copy()), "`mann_whitney_u`")
        want = stats.mannwhitneyu(a, b).statistic
        ties = np.any(a[:, None] == b[None, :])
        same(got, want, what=f"for samples of {len(a)} and {len(b)} values"
                                       f"{' (with ties between them)' if ties else ''}, your U")


q2 = Exercise(
    "q2", var="mann_whitney_u", checker=_check_u, reference=lambda: mann_whitney_u,
    hint="""
U of `a` counts pairs: for every value x of a and every value y of b, add 1 if x > y, ½ if x == y, 0
if x < y.

With NumPy, compare every pair at once by broadcasting: `a[:, None] > b[None, :]` is an len(a) ×
len(b) table of booleans.

`np.sum(a[:, None] > b[None, :]) + 0.5 * np.sum(a[:, None] == b[None, :])` (or, with ranks of the
pooled sample, R_a − n_a(n_a + 1)/2).
""")


# -- q3: a one-sided permutation test ----------------------------------------------------------

def permutation_p(a, b, permutations=10_000, seed=0):
    """One-sided p-value of "values of `a` tend to be smaller than those of `b`": the share of
    random relabellings of the pooled values whose U is at most the observed U."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    rng = np.random.default_rng(seed)
    pooled, n = np.concatenate([a, b]), len(a)
    observed = mann_whitney_u(a, b)
    hits = 0
    for _ in range(permutations):
        shuffled = rng.permutation(pooled)
        hits += mann_whitney_u(shuffled[:n], shuffled[n:]) <= observed
    return (hits + 1) / (permutations + 1)


def _exact_p(a, b, statistic=None, side: str = "le") -> float:
    """The exact permutation p-value, by enumerating every relabelling (small samples only)."""
    statistic = statistic or mann_whitney_u
    pooled, n = np.concatenate([a, b]), len(a)
    observed = statistic(a, b)
    values = []
    for chosen in combinations(range(len(pooled)), n):
        mask = np.zeros(len(pooled), dtype=bool)
        mask[list(chosen)] = True
        values.append(statistic(pooled[mask], pooled[~mask]))
    values = np.array(values)
    return float(np.mean(values <= observed + 1e-12 if side == "le" else values < observed - 1e-12))


@lru_cache(maxsize=None)
def _p_cases():
    """(a, b, exact-or-accurate p) cases; the p-values are far enough apart to tell a right test
    from a two-sided one, the opposite direction, a strict inequality or a mean difference."""
    regrets = _random_regrets(40, 30)
    cases = [(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 10.0]), np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0])),
             (np.array([1.0, 2.0, 3.0, 5.0, 8.0, 9.0]), np.array([2.0, 4.0, 6.0, 7.0, 10.0, 11.0])),
             (np.array([0.0, 1.0, 1.0, 2.0, 3.0, 3.0]), np.array([1.0, 2.0, 2.0, 3.0, 3.0, 4.0])),
             (np.array([4.0, 1.0, 7.0, 3.0, 9.0]), np.array([5.0, 2.0, 8.0, 6.0, 10.0, 0.5]))]
    out = [(a, b, _exact_p(a, b)) for a, b in cases]
    a, b = regrets[:20], regrets[20:]
    # larger samples with ties: scipy's normal approximation is close to the permutation p-value
    out.append((a, b, stats.mannwhitneyu(a, b, alternative="less", method="asymptotic").pvalue))
    return out


def _check_permutation(learner) -> None:
    _callable(learner, "permutation_p")
    _forbid(learner, {"mannwhitneyu": "`scipy.stats.mannwhitneyu`", "permutation_test": "`scipy.stats.permutation_test`",
                      "ranksums": "`scipy.stats.ranksums`"}, "compute the p-value by shuffling")
    for k, (a, b, want) in enumerate(_p_cases()):
        got = number(_returned(learner(a.copy(), b.copy(), 10_000, k), "`permutation_p`"), "`permutation_p`")
        if not 0 <= got <= 1:
            raise Incorrect(f"a p-value is a probability between 0 and 1; your function returned {got:g}"
                            + (" (a percentage? return the share itself, not 100 times it)" if 1 < got <= 100 else ""))
        if abs(float(got) - want) > 0.03:
            hint = ("" if k else " (here most of a's values lie below all of b's, but one of a's values is a huge "
                    "outlier: a rank test gives a small p-value, a test on the mean difference does not; check the "
                    "direction of your test and that it uses U)")
            raise Incorrect(f"for samples of {len(a)} and {len(b)} values your p-value is "
                            f"{'too large' if got > want else 'too small'}{hint}")


q3 = Exercise(
    "q3", var="permutation_p", checker=_check_permutation, reference=lambda: permutation_p,
    hint="""
If the two strategies were the same, the labels 'a' and 'b' would be arbitrary: any way of splitting
the pooled values into len(a) and len(b) would be as likely as the real one.

Repeat `permutations` times: shuffle the pooled values with `rng.permutation`, split them into the
first len(a) and the rest, compute U of the first part. The p-value is the share of shuffles whose U
is at most the observed U (small U = a's values are smaller).

`rng = np.random.default_rng(seed); n = len(a); observed = mann_whitney_u(a, b)`; then `count =
sum(mann_whitney_u(s[:n], s[n:]) <= observed for s in (rng.permutation(np.concatenate([a, b])) for _
in range(permutations)))`; return `(count + 1) / (permutations + 1)` (the +1 counts the observed
split itself).
""")


# -- q4: which claims do the lesson's results support? -----------------------------------------

#: The claims of the notebook's exercise, by key. Each is judged by a one-sided rank-sum test of
#: `strategy` against `other` on `metric`, at `budget` evaluations or `seconds` of simulated training.
CLAIMS = {
    "evolution_100_evals": dict(strategy="evolution", other="random", budget=BUDGET, metric="val_regret"),
    "evolution_test_400s": dict(strategy="evolution", other="random", seconds=SECONDS, metric="test_regret"),
    "reinforce_400s": dict(strategy="reinforce", other="random", seconds=SECONDS, metric="val_regret"),
    "reinforce_beats_evolution_400s": dict(strategy="reinforce", other="evolution", seconds=SECONDS,
                                           metric="val_regret"),
    "tpe_beats_evolution_100_evals": dict(strategy="tpe", other="evolution", budget=BUDGET, metric="val_regret"),
}


#: The contestants of the lesson's comparison (section 5), with default settings.
STRATEGIES = {"random": RandomSearch, "evolution": RegularizedEvolution, "reinforce": Reinforce,
              "tpe": lambda: OptunaSampler("tpe")}


@lru_cache(maxsize=None)
def _strategy_runs(name: str) -> pd.DataFrame:
    """One contestant's runs in the lesson's comparison: SECONDS of simulated training (which
    covers BUDGET evaluations), over SEEDS. Cached apart, so that a question about some strategies
    does not wait for the others (TPE is the slow one)."""
    return compare({name: STRATEGIES[name]()}, _evaluator(), budget=None, seconds=SECONDS, seeds=SEEDS)


def _claim_runs() -> pd.DataFrame:
    """The lesson's comparison: the strategies of lessons 04-07, each for SECONDS of simulated
    training (which covers BUDGET evaluations), over SEEDS."""
    return pd.concat([_strategy_runs(name) for name in STRATEGIES], ignore_index=True)


def supported_claims() -> dict:
    """Each claim of `CLAIMS`: is its one-sided rank-sum p-value (`summarize` against the claim's
    other strategy, at its budget in evaluations or seconds) below ALPHA?"""
    runs = _claim_runs()
    out = {}
    for key, c in CLAIMS.items():
        when = {k: c[k] for k in ("budget", "seconds") if k in c}
        table = summarize(runs, baseline=c["other"], **when).set_index("strategy")
        out[key] = bool(table.loc[c["strategy"], f"{c['metric']}_p"] < ALPHA)
    return out


def _check_claims(answer) -> None:
    answered(answer)
    if not isinstance(answer, dict):
        raise Incorrect("`claims` should be a dict mapping each claim's key to True or False")
    missing = [k for k in CLAIMS if k not in answer]
    extra = [k for k in answer if k not in CLAIMS]
    if missing or extra:
        raise Incorrect(f"`claims` should have exactly the keys {', '.join(CLAIMS)}"
                        + (f"; missing: {', '.join(missing)}" if missing else "")
                        + (f"; unexpected: {', '.join(map(str, extra))}" if extra else ""))
    open_ = [k for k, v in answer.items() if v is ____]
    if open_:
        raise NotAttempted(f"replace the ____ of {', '.join(open_)} with True or False")
    bad_type = [k for k, v in answer.items() if not isinstance(v, (bool, np.bool_))]
    if bad_type:
        raise Incorrect(f"judge each claim with True (supported) or False (not supported); "
                        f"{', '.join(bad_type)} is not a bool")
    truth = supported_claims()
    wrong = sum(bool(answer[k]) != truth[k] for k in CLAIMS)
    if wrong:
        raise Incorrect(f"{wrong} of your {len(CLAIMS)} judgements {'is' if wrong == 1 else 'are'} not right. "
                        "For each claim, find the one-sided rank-sum p-value at the claim's budget "
                        "(evaluations or simulated seconds) and on the claim's metric (validation or test)")


q4 = Exercise(
    "q4", var="claims", checker=_check_claims, reference=supported_claims,
    solution='''def supported(name, other, metric, **when):
    """Is `name`'s one-sided rank-sum p-value against `other` below 0.05, at `budget=` evaluations
    or `seconds=` of simulated training?"""
    table = summarize(runs, baseline=other, **when).set_index("strategy")
    return bool(table.loc[name, f"{metric}_p"] < 0.05)


claims = {
    "evolution_100_evals": supported("evolution", "random", "val_regret", budget=100),
    "evolution_test_400s": supported("evolution", "random", "test_regret", seconds=400),
    "reinforce_400s": supported("reinforce", "random", "val_regret", seconds=400),
    "reinforce_beats_evolution_400s": supported("reinforce", "evolution", "val_regret", seconds=400),
    "tpe_beats_evolution_100_evals": supported("tpe", "evolution", "val_regret", budget=100),
}''',
    hint="""
Each claim names two strategies, a metric (validation regret: what the search optimised; test
regret: what a paper reports) and a budget (evaluations or simulated seconds). Find the matching
table (or compute it) and read its one-sided p-value; supported means p < 0.05.

The tables by evaluations come from `summarize(runs, budget=100, baseline='random')`; those by
simulated seconds from `summarize(runs, seconds=400, baseline='random')`. A claim against another
baseline than random search needs its own table: `summarize(..., baseline='evolution')` (or
`stats.mannwhitneyu(..., alternative='less')` on the two strategies' final regrets, or your
`permutation_p`).

A small validation p-value says nothing about the test column, and a result at 100 evaluations says
nothing about a result at equal simulated seconds: read each claim's own cell.
""")


# -- p1, p2: predict, then run --------------------------------------------------------------------

def leads(names=("evolution", "reinforce")) -> pd.DataFrame:
    """Each strategy's lead over random search, the difference of the mean validation regrets
    (`summarize`), at BUDGET evaluations and at SECONDS of simulated training."""
    runs = pd.concat([_strategy_runs(name) for name in ("random", *names)], ignore_index=True)
    out = {}
    for label, when in ((f"{BUDGET} evaluations", dict(budget=BUDGET)), (f"{SECONDS} s", dict(seconds=SECONDS))):
        regret = summarize(runs, baseline="random", **when).set_index("strategy")["val_regret"]
        out[label] = regret["random"] - regret[list(names)]
    return pd.DataFrame(out)


def _leads_answer() -> str:
    """p1's answer: at equal simulated seconds, do evolution's and REINFORCE's leads over random
    search all grow (a), all shrink (b), or neither (c: each changes by under a tenth, or they move
    in different directions)?"""
    table = leads()
    change = (table.iloc[:, 1] - table.iloc[:, 0]) / table.iloc[:, 0].abs()
    if (change > 0.1).all():
        return "a"
    if (change < -0.1).all():
        return "b"
    return "c"


p1 = Question(
    "p1", expected=_leads_answer,
    choices={"a": "grow", "b": "shrink", "c": "barely change"},
    hint="""
Look at the table above: which strategies spent more simulated seconds on their first evaluations
than random search did? With the same seconds for all, who gets to evaluate more cells?
""",
    why="""
Evolution and REINFORCE home in on good cells, which are the costly ones, so each of their
evaluations spends more training time; at equal seconds random search has evaluated more cells and
catches up part of the way. Counting evaluations flattered them.
""")


#: Section 7's experiment: two groups of this many random-search runs (of the 500 of section 2, at
#: BUDGET evaluations), tested at every budget from FIRST_BUDGET on, over this many random splits.
GROUP, FIRST_BUDGET, SPLITS, DUEL_SEEDS = 10, 5, 300, range(500)


@lru_cache(maxsize=None)
def false_positives() -> tuple[float, float]:
    """Section 7's p-hacking experiment on the same runs: the share of splits of one strategy's
    runs into two groups that the one-sided rank-sum test calls significant at the one budget fixed
    in advance, and when the best of all the budgets is reported."""
    runs = compare({"random": RandomSearch()}, _evaluator(), budget=BUDGET, seeds=DUEL_SEEDS)
    matrix = runs.pivot(index="seed", columns="step", values="val_regret").loc[:, FIRST_BUDGET:]
    rng = np.random.default_rng(0)
    splits = [rng.permutation(len(matrix))[:2 * GROUP] for _ in range(SPLITS)]
    p = np.array([stats.mannwhitneyu(matrix.iloc[s[:GROUP]], matrix.iloc[s[GROUP:]], alternative="less").pvalue
                  for s in splits])
    return float(np.mean(p[:, -1] < ALPHA)), float(np.mean(np.nanmin(p, axis=1) < ALPHA))


def _false_positive_answer() -> str:
    """p2's answer: is the false-positive rate of "the best of all budgets" about ALPHA (a: under
    1.5 ALPHA), about double (b: under 3 ALPHA) or several times ALPHA (c)?"""
    ratio = false_positives()[1] / ALPHA
    return "a" if ratio < 1.5 else "b" if ratio < 3 else "c"


p2 = Question(
    "p2", expected=_false_positive_answer,
    choices={"a": "still about 5%", "b": "about double", "c": "several times as often"},
    hint="""
At each budget alone, a false positive has the promised small chance. Reporting the best budget
means a split counts as soon as any one of the budgets passes: how many looks does it get?
""",
    why="""
Each budget is one more look, and a split needs only one lucky look to count. The looks are
correlated (neighbouring budgets share most of their incumbents), so the rate does not reach
certainty, but it is far above what the test promises.
""")
