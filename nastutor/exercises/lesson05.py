"""Exercises of lesson 05 (evolution): tournament selection, the aging step, and regularized
evolution written as an ask/tell strategy from those two parts; two "predict, then run" questions
(aging against non-aging, and evolution without selection against random search), answered by
running the strategies on the cell benchmark as the lesson does.

    >>> from nastutor.exercises.lesson05 import *     # doctest: +SKIP
"""
from __future__ import annotations

import inspect
from collections import deque
from functools import lru_cache
from math import comb

import numpy as np

from ..compare import compare, summarize
from ..search import evaluation_seed, run_search
from ..strategies import RandomSearch, RegularizedEvolution, Strategy
from ._checking import ____, Exercise, Incorrect, Question, answered, must_be_function as _callable
from ._code import own_strategy as _own_strategy
from ._shared import chi2_ok as _chi2_ok, evaluator as _evaluator

__all__ = ["____", "q1", "q2", "q3", "p1", "p2"]


# -- helpers the checkers share ---------------------------------------------------------------

def _distance(a, b) -> int:
    """How many edges of two cells differ."""
    return sum(x != y for x, y in zip(a, b))


def _cells(n: int, seed: int) -> list:
    """n distinct random cells."""
    space, rng, out = _evaluator().space, np.random.default_rng(seed), []
    while len(out) < n:
        arch = space.sample(rng)
        if arch not in out:
            out.append(arch)
    return out


# -- q1: tournament selection -------------------------------------------------------------------

def tournament(population, sample_size, rng):
    """The architecture of the best of `sample_size` distinct members drawn at random from
    `population`, a sequence of (arch, accuracy) pairs."""
    picks = rng.choice(len(population), size=sample_size, replace=False)   # S distinct members
    arch, accuracy = max((population[int(i)] for i in picks), key=lambda member: member[1])
    return arch


def _win_probabilities(size: int, sample_size: int) -> np.ndarray:
    """P(the member of rank r wins), r = 1 (worst) .. size (best), distinct accuracies:
    it must be drawn, and the other S - 1 drawn members must all be worse."""
    return np.array([comb(r - 1, sample_size - 1) / comb(size, sample_size) for r in range(1, size + 1)])


def _winner(f, population, sample_size, rng):
    before = list(population)
    got = f(population, sample_size, rng)
    if list(population) != before:
        raise Incorrect("your function changed the population: a tournament only *looks* at the members; "
                        "the winner stays in the population (pick indices, don't pop)")
    if got is None:
        raise Incorrect("`tournament` returned None: did you forget `return`?")
    got = answered(got)
    archs = [arch for arch, _ in population]
    if got not in archs:
        if any(got == member for member in population) or (isinstance(got, tuple) and len(got) == 2
                                                            and got[0] in archs):
            raise Incorrect("return the winner's architecture (`arch`), not its (arch, accuracy) pair")
        raise Incorrect(f"`tournament` returned {str(got)[:80]!r}, which is not the architecture of any member "
                        "of the population")
    return got


def _check_tournament(f) -> None:
    _callable(f, "tournament")
    rng = np.random.default_rng(5)
    # S = P: always the best (ties: any of the best), lists and deques, duplicate architectures
    for trial in range(40):
        size = 1 + trial % 12
        archs = _cells(size, trial)
        if trial % 5 == 4:                                       # the same architecture twice
            archs[-1] = archs[0]
        accs = np.round(rng.uniform(0.9, 1.0, size), 2 if trial % 3 == 0 else 4)   # some ties
        population = [(a, float(x)) for a, x in zip(archs, accs)]
        if trial % 2:
            population = deque(population)
        got = _winner(f, population, size, np.random.default_rng(trial))
        best = accs.max()
        if got not in [a for a, x in population if x == best]:
            raise Incorrect(f"with sample_size S equal to the population's size ({size}), the tournament holds "
                            "every member and must return the best one; draw S *distinct* members "
                            "(without replacement) and take the one with the highest accuracy")
    archs = _cells(10, 99)
    population = [(a, float(x)) for a, x in zip(archs, np.linspace(0.90, 0.99, 10)[rng.permutation(10)])]
    rank = {a: r for r, (a, _) in enumerate(sorted(population, key=lambda m: m[1]))}   # 0 = worst
    # reproducible from rng, and random
    one = [_winner(f, population, 3, g) for g in [np.random.default_rng(7)] for _ in range(30)]
    two = [_winner(f, population, 3, g) for g in [np.random.default_rng(7)] for _ in range(30)]
    if one != two:
        raise Incorrect("two generators made from the same seed gave different winners: take every random "
                        "number from `rng` (not from `random` or `np.random`)")
    if set(one) == {max(population, key=lambda m: m[1])[0]}:
        raise Incorrect("30 tournaments with S = 3 out of 10 members all returned the population's best member: "
                        "the best should win only when it is among the S members drawn")
    if len(set(one)) == 1:
        raise Incorrect("30 tournaments with S = 3 out of 10 members all returned the same architecture: "
                        "the contenders must be drawn at random (with `rng`) each time")
    # the distribution of the winner's rank, S = 1 (uniform) and S = 3 (C(r-1, 2) / C(10, 3))
    for sample_size, draws in ((1, 6000), (3, 8000), (6, 6000)):
        g = np.random.default_rng(100 + sample_size)
        counts = np.bincount([rank[_winner(f, population, sample_size, g)] for _ in range(draws)], minlength=10)
        want = _win_probabilities(10, sample_size)
        if not _chi2_ok(counts, want):
            best_share = counts[-1] / draws
            if sample_size == 1:
                raise Incorrect(f"with S = 1 the winner should be a uniformly random member, but the best of 10 "
                                f"won {best_share:.0%} of {draws} tournaments: with one contender there is "
                                "no competition")
            raise Incorrect(f"with S = {sample_size} of 10 members, the best member won {best_share:.1%} of "
                            f"{draws} tournaments, and the other ranks' shares are off too: draw S distinct "
                            "members uniformly at random, then return the one with the highest accuracy")


q1 = Exercise(
    "q1", var="tournament", checker=_check_tournament, reference=lambda: tournament,
    hint="""
Draw `sample_size` *distinct* positions in the population with `rng`, look at those members, and
return the architecture of the one with the highest accuracy.

`picks = rng.choice(len(population), size=sample_size, replace=False)` gives S distinct indices;
`population[int(picks[0])]` is an (arch, accuracy) pair.

`picks = rng.choice(len(population), size=sample_size, replace=False)`, then `arch, accuracy =
max((population[int(i)] for i in picks), key=lambda m: m[1])` and `return arch`.
""")


# -- q2: the aging step ---------------------------------------------------------------------------

def age(population, child, population_size, aging=True):
    """Add `child`, an (arch, accuracy) pair, to `population` (a deque, oldest first); if it now
    holds more than `population_size` members, remove the oldest (aging) or the worst (not
    aging; the oldest of the worst on a tie). Changes `population` in place."""
    population.append(child)                       # the newest member joins at the right
    if len(population) > population_size:
        if aging:
            population.popleft()                   # regularized: the oldest dies
        else:
            population.remove(min(population, key=lambda member: member[1]))   # the worst dies


def _age_cases():
    """(population_size, aging, children) sequences: accuracies with ties, repeated architectures."""
    rng = np.random.default_rng(21)
    archs = _cells(12, 21)
    cases = []
    for size, aging, decimals in ((1, True, 3), (4, True, 2), (10, True, 3), (1, False, 3), (4, False, 2),
                                  (10, False, 2), (3, False, 1)):
        accs = np.round(rng.uniform(0.8, 1.0, 40), decimals)
        picks = rng.integers(len(archs), size=40)
        cases.append((size, aging, [(archs[int(k)], float(x)) for k, x in zip(picks, accs)]))
    return cases


def _check_age(f) -> None:
    _callable(f, "age")
    for size, aging, children in _age_cases():
        mine, want = deque(), deque()
        for k, child in enumerate(children):
            before = list(mine)
            returned = f(mine, child, size, aging)
            age(want, child, size, aging)
            got = list(mine)
            if got == before and returned is not None and returned is not mine:
                raise Incorrect("your function left the population it was given unchanged and returned a new "
                                "one: change `population` itself (`append`, `popleft`, `remove`), because the "
                                "strategy keeps using that same deque")
            if got == list(want):
                continue
            mode = "aging=True" if aging else "aging=False"
            where = f"adding child {k + 1} with population_size={size}, {mode}"
            if len(got) != len(want):
                raise Incorrect(f"after {where}, the population holds {len(got)} members; it should grow by one "
                                "per child until it holds population_size members, then stay at that size "
                                "(add the child first, then remove one member if there are too many)")
            everyone = before + [child]
            gone = [i for i in range(len(everyone)) if everyone[:i] + everyone[i + 1:] == got]
            if not gone:
                raise Incorrect(f"after {where}, the members are not in age order, or not the ones that were "
                                "there: keep the oldest at the left, append the child at the right, remove one "
                                "member, and never sort or rebuild the population")
            if aging:
                raise Incorrect(f"after {where}, the wrong member was removed: with aging the *oldest* member "
                                "dies (the left end of the deque), whatever its accuracy")
            worst = min(x for _, x in everyone)
            removed = everyone[gone[0]]
            if child[1] < min(x for _, x in before):
                raise Incorrect(f"after {where}: the child was worse than every member, so it should die at once; "
                                "add the child first, then remove the worst of all P + 1")
            if gone[0] == 0 and removed[1] != worst:
                raise Incorrect(f"after {where}, you removed the oldest member; without aging the member with "
                                "the *lowest accuracy* dies instead")
            if removed[1] == worst:
                raise Incorrect(f"after {where}, you removed a member with the lowest accuracy, but on a tie "
                                "the *oldest* of the worst should go (the first one from the left)")
            raise Incorrect(f"after {where}, the wrong member was removed: without aging the member with the "
                            "*lowest accuracy* dies")


q2 = Exercise(
    "q2", var="age", checker=_check_age, reference=lambda: age,
    hint="""
First `population.append(child)`: the newest member goes to the right end. Only then, if
`len(population) > population_size`, remove one member.

With aging, `population.popleft()` removes the oldest. Without aging, find the member with the
lowest accuracy, `min(population, key=lambda m: m[1])` (on ties `min` returns the first, i.e. the
oldest), and remove it with `population.remove(...)`.

Do not build a new deque or sort: the order of the deque *is* the members' age.
""")


# -- q3: regularized evolution as an ask/tell strategy ------------------------------------------

class MyEvolution(Strategy):
    """Regularized evolution from the two parts above: the first P architectures are random;
    then each child is a mutation of a tournament winner; `tell` runs the aging step."""

    def __init__(self, population_size=10, sample_size=3, aging=True):
        self.population_size, self.sample_size, self.aging = population_size, sample_size, aging

    def setup(self, space, seed=0, max_epochs=None):
        super().setup(space, seed, max_epochs)     # self.space, self.rng
        self.population = deque()                  # (arch, val_accuracy) pairs, oldest first
        self.asked = 0                             # how many architectures ask() has proposed

    def ask(self):
        self.asked += 1
        if self.asked <= self.population_size:     # the initial population is random
            return self.space.sample(self.rng)
        parent = tournament(self.population, self.sample_size, self.rng)
        return self.space.mutate(parent, self.rng)  # one edge changed

    def tell(self, arch, evaluation):
        age(self.population, (arch, evaluation.val_accuracy), self.population_size, self.aging)


# what q3.solution() shows: the reference itself, written as the notebook writes it
_Q3_SOLUTION = inspect.getsource(MyEvolution).replace("class MyEvolution(Strategy):",
                                                      "class MyEvolution(nt.Strategy):")

#: (population_size P, sample_size S, aging) the checker runs, each for two seeds of 100 steps.
_Q3_CONFIGS = [(10, 3, True), (6, 6, True), (8, 1, True), (10, 3, False), (5, 5, False)]
_Q3_STEPS = 100


def _members(strategy) -> list:
    if not hasattr(strategy, "population"):
        raise Incorrect("keep the population in `self.population` (the template's `setup` creates it)")
    try:
        members = list(strategy.population)
        return [(arch, float(acc)) for arch, acc in members]
    except (TypeError, ValueError):
        raise Incorrect("`self.population` should hold (arch, val_accuracy) pairs, oldest first") from None


def _drive(cls, size: int, sample_size: int, aging: bool, seed: int, stats: dict) -> list:
    """Run the learner's strategy by hand, checking every step; return the proposed architectures."""
    ev = _evaluator()
    space = ev.space
    strategy = cls(population_size=size, sample_size=sample_size, aging=aging)
    if not isinstance(strategy, Strategy):
        raise Incorrect("`MyEvolution` should be a class that subclasses `nt.Strategy`: "
                        "`class MyEvolution(nt.Strategy):`")
    _own_strategy(strategy, "MyEvolution")
    strategy.setup(space, seed, ev.max_epochs)
    shadow: deque = deque()
    asked = []
    what = f"(population_size={size}, sample_size={sample_size}, aging={aging}, seed {seed})"
    for step in range(_Q3_STEPS):
        before = _members(strategy)
        if before != list(shadow):
            raise Incorrect(f"at step {step} {what}, `self.population` changed between `tell` and `ask`: "
                            "only `tell` should change it")
        arch = answered(strategy.ask())
        if arch is None:
            raise Incorrect("`ask()` returned None: did you forget `return`?")
        if arch not in space:
            raise Incorrect(f"`ask()` returned {str(arch)[:80]!r}, which is not a cell of the space: return what "
                            "`self.space.sample(self.rng)` or `self.space.mutate(parent, self.rng)` gives")
        asked.append(arch)
        if step < size:
            stats["initial"].append(arch)
        else:
            near = [(a, acc) for a, acc in before if _distance(arch, a) == 1]
            if not near:
                raise Incorrect(f"at step {step} {what}, the population was full, yet `ask()` proposed a cell "
                                "that is not one mutation (one edge changed) away from any member: after the first "
                                "P random architectures, mutate a tournament winner")
            best = max(acc for _, acc in before)
            near_best = any(acc == best for _, acc in near)
            if sample_size == size and not near_best:
                raise Incorrect(f"with sample_size = population_size {what}, every tournament holds the whole "
                                "population, so the parent is always the best member; a child at step "
                                f"{step} was not one mutation from it")
            stats.setdefault((size, sample_size), []).append(near_best)
        evaluation = ev.evaluate(arch, seed=evaluation_seed(seed, step))
        strategy.tell(arch, evaluation)
        age(shadow, (arch, evaluation.val_accuracy), size, aging)
        after = _members(strategy)
        if after == list(shadow):
            continue
        if len(after) != len(shadow):
            raise Incorrect(f"after {step + 1} evaluations {what}, the population holds {len(after)} members; it "
                            "should hold every evaluated (arch, val_accuracy) pair until it reaches "
                            "population_size, and then keep that size")
        raise Incorrect(f"after {step + 1} evaluations {what}, the population holds the wrong members: add "
                        "(arch, evaluation.val_accuracy) at the right end, then remove the "
                        f"{'oldest' if aging else 'worst'} member when there are more than population_size "
                        "(your `age` from Try it yourself 2 does that)")
    return asked


def _check_evolution(cls) -> None:
    answered(cls)
    stats: dict = {"initial": []}
    for size, sample_size, aging in _Q3_CONFIGS:
        for seed in (0, 1):
            _drive(cls, size, sample_size, aging, seed, stats)
    initial = stats["initial"]
    related = np.mean([any(_distance(a, b) <= 1 for b in initial[max(0, k - 9):k]) for k, a in
                       enumerate(initial) if k % 10])
    if related > 0.5:
        raise Incorrect("the first population_size architectures look like mutations of each other: the "
                        "initial population should be drawn at random (`self.space.sample(self.rng)`), "
                        "and mutation starts only once it is full")
    if np.mean(stats[(8, 1)]) > 0.6:
        raise Incorrect("with sample_size S = 1 nearly every child was a mutation of the population's best "
                        "member, but a tournament of one is a uniformly random member: pick the parent with a "
                        "tournament of S members, not as the best of the whole population")
    ev = _evaluator()
    a = [e.arch for e in run_search(cls(population_size=10, sample_size=3, aging=True), ev, 40, seed=3,
                                    progress=False)]
    b = [e.arch for e in run_search(cls(population_size=10, sample_size=3, aging=True), ev, 40, seed=3,
                                    progress=False)]
    c = [e.arch for e in run_search(cls(population_size=10, sample_size=3, aging=True), ev, 40, seed=4,
                                    progress=False)]
    if a != b:
        raise Incorrect("two searches with the same seed proposed different architectures: take every random "
                        "number from `self.rng` (which `setup` makes from the seed), never from `random` "
                        "or `np.random`")
    if a == c:
        raise Incorrect("searches with seeds 3 and 4 proposed the same architectures: the draws must come from "
                        "`self.rng`, made from the seed")


q3 = Exercise(
    "q3", var="MyEvolution", checker=_check_evolution, reference=lambda: MyEvolution, solution=_Q3_SOLUTION,
    hint="""
`ask`: count the calls in `self.asked`; for the first `self.population_size` calls return
`self.space.sample(self.rng)`. After that, choose a parent with your `tournament`, `parent =
tournament(self.population, self.sample_size, self.rng)`, and return `self.space.mutate(parent,
self.rng)`.

`tell`: call your `age(self.population, (arch, evaluation.val_accuracy), self.population_size,
self.aging)`.

Pass `self.rng` to `tournament` and `self.space.mutate`: then the same seed gives the same search.
""")


# -- p1, p2: predict, then run --------------------------------------------------------------------

#: The lesson's comparisons: 100 seeds; the dashboard of section 8 opens at 100 evaluations, the
#: sweep of section 10 runs 200. ALPHA: the significance level the lesson's dashboards use.
SEEDS, DASHBOARD_BUDGET, SWEEP_BUDGET, ALPHA = range(100), 100, 200, 0.05

_SETTINGS = {"random": RandomSearch, "aging": lambda: RegularizedEvolution(10, 3),
             "non-aging": lambda: RegularizedEvolution(10, 3, aging=False),
             "S=1": lambda: RegularizedEvolution(10, 1)}


@lru_cache(maxsize=None)
def _runs(names: tuple[str, ...], budget: int):
    """`compare` of the named settings on the cell benchmark, over the lesson's seeds (what the
    lesson's own cells run, so the same numbers)."""
    return compare({name: _SETTINGS[name]() for name in names}, _evaluator(), budget=budget, seeds=SEEDS)


def _p(runs, budget: int, name: str, baseline: str) -> float:
    """The one-sided rank-sum p-value of "`name` has a lower validation regret than `baseline`"."""
    table = summarize(runs, budget=budget, baseline=baseline).set_index("strategy")
    return float(table.loc[name, "val_regret_p"])


def aging_margin() -> str:
    """p1's answer: does aging beat non-aging at the dashboard's budget by a wide margin (a: a
    significant win with at most half the mean regret), a small one (b: significant, more than half)
    or not at all (c: no significant win)?"""
    runs = _runs(("aging", "non-aging"), DASHBOARD_BUDGET)
    if _p(runs, DASHBOARD_BUDGET, "aging", "non-aging") >= ALPHA:
        return "c"
    mean = runs[runs["step"] == DASHBOARD_BUDGET].groupby("strategy")["val_regret"].mean()
    return "a" if mean["aging"] <= mean["non-aging"] / 2 else "b"


p1 = Question(
    "p1", expected=aging_margin,
    choices={"a": "by a wide margin", "b": "by a small but clear one", "c": "not at all"},
    hint="""
Aging protects against lucky members, but the search's answer is the best cell it ever evaluated,
whatever the population later holds. How much can a frozen population cost on a benchmark where
many cells are nearly optimal?
""",
    why="""
The two rows are within each other's confidence intervals: with this many good cells, both find
one early, and a search keeps its best find even when a non-aging population freezes. What aging
buys is an honest population (section 9); Real et al. measured its gain on a far larger space, where
good cells are rare.
""")


def no_selection_verdict() -> str:
    """p2's answer: with S = 1 (no selection), is evolution significantly better than random search
    (a), not significantly different (b), or significantly worse (c), at the sweep's budget?"""
    runs = _runs(("random", "S=1"), SWEEP_BUDGET)
    if _p(runs, SWEEP_BUDGET, "S=1", "random") < ALPHA:
        return "a"
    return "c" if _p(runs, SWEEP_BUDGET, "random", "S=1") < ALPHA else "b"


p2 = Question(
    "p2", expected=no_selection_verdict,
    choices={"a": "significantly better", "b": "not significantly different",
             "c": "significantly worse"},
    hint="""
With S = 1 the parent is any member, good or bad: what then steers the population towards good
cells? Compare a random walk of one-edge steps with independent draws from the whole space.
""",
    why="""
Without selection nothing steers the search: the parent is any recent child, good or bad, so the
population drifts like a random walk of one-edge steps, which finds good cells no faster than
drawing them at random. Selection (S > 1) is what turns mutation into a search.
""")
