"""Exercises of lesson 04 (random search): random search as an ask/tell strategy, the expected
best of n random samples from order statistics, and the regret of a search's incumbent; two
"predict, then run" questions (what weighting the benchmark's rows equally predicts, and the budget
at which random search's mean regret drops below a threshold), answered from the cell benchmark.

    >>> from nastutor.exercises.lesson04 import *     # doctest: +SKIP
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..compare import compare, regret_frame
from ..search import run_search
from ..strategies import GridSearch, RandomSearch, RegularizedEvolution, Strategy
from ._checking import (
    ____, Exercise, Incorrect, Question, answered, numbers, same, returned as _returned, must_be_function as _callable)
from ._code import forbid as _forbid, own_strategy as _own_strategy
from ._shared import chi2_ok as _chi2_ok, evaluator as _evaluator

__all__ = ["____", "q1", "q2", "q3", "p1", "p2"]


# -- q1: random search as an ask/tell strategy -------------------------------------------------

def _draws(strategy: Strategy, space, seed: int, n: int) -> list:
    strategy.setup(space, seed, None)
    out = []
    for _ in range(n):
        arch = answered(strategy.ask())
        if arch is None:
            raise Incorrect("`ask()` returned None: did you forget `return`?")
        if arch not in space:
            raise Incorrect(f"`ask()` returned {str(arch)[:80]!r}, which is not an architecture of "
                            f"{space!r}: return a tuple such as `space.parse(...)` gives")
        out.append(arch)
    return out


#: Draws per architecture in the coverage test: with K architectures and 25 K uniform draws, a
#: correct sampler misses one of them with probability about K e^-25 (below 1e-7).
_DRAWS_PER_ARCH = 25


def _coverage(strategy: Strategy, space, name: str) -> None:
    """Every architecture of `space` is drawn, and equally often (a chi-squared test over all of
    them): the test a sampler that never draws some architecture, or favours some, fails."""
    archs = list(space.enumerate())
    index = {arch: k for k, arch in enumerate(archs)}
    draws = _draws(strategy, space, 123, _DRAWS_PER_ARCH * len(archs))
    counts = np.bincount([index[arch] for arch in draws], minlength=len(archs))
    never = [archs[k] for k in np.flatnonzero(counts == 0)]
    if never:
        last = " (among them the last one `space.enumerate()` yields: an off-by-one?)" if counts[-1] == 0 else ""
        raise Incorrect(f"in {len(draws)} draws from {name}'s space of {len(archs)} architectures, {len(never)} "
                        f"never appeared{last}, e.g. {space.to_string(never[0])!r}: every architecture must be "
                        "possible. Remember that `self.rng.integers(n)` draws from 0 to n - 1, n excluded")
    if not _chi2_ok(counts, np.full(len(archs), 1 / len(archs))):
        raise Incorrect(f"in {len(draws)} draws from {name}'s space, some architectures came up far more often "
                        f"than others (from {counts.min()} to {counts.max()} times, where a uniform draw gives "
                        f"about {_DRAWS_PER_ARCH} each): give every architecture the same chance")


def _check_strategy(cls) -> None:
    answered(cls)
    strategy = cls()  # the learner's constructor; an exception becomes a friendly message
    if not isinstance(strategy, Strategy):
        raise Incorrect("`MyRandomSearch` should be a class that subclasses `nt.Strategy`: "
                        "`class MyRandomSearch(nt.Strategy):`")
    _own_strategy(strategy, "MyRandomSearch")
    _forbid(type(strategy), {"sample": "space.sample", "RandomSearch": "nt.RandomSearch"},
            "draw the architecture")
    for name in ("cell-mnist1d", "mlp-mnist1d"):
        ev = _evaluator(name)
        space = ev.space
        first = _draws(strategy, space, 0, 20)
        a = [e.arch for e in run_search(strategy, ev, budget=40, seed=0, progress=False)]
        b = [e.arch for e in run_search(strategy, ev, budget=40, seed=0, progress=False)]
        c = [e.arch for e in run_search(strategy, ev, budget=40, seed=1, progress=False)]
        if a != b or a[:20] != first:
            raise Incorrect("two searches with the same seed proposed different architectures: draw every "
                            "random number from `self.rng`, which `setup(space, seed)` creates from the seed, "
                            "never from `np.random` or `random`")
        if a == c:
            raise Incorrect("searches with seeds 0 and 1 proposed the same architectures: the draws must "
                            "depend on the seed (use `self.rng`, which `setup` makes from it)")
        if len(set(a)) < 10:
            raise Incorrect(f"40 draws from {name}'s space held only {len(set(a))} distinct architectures: "
                            "random search should spread over the whole space")
    # uniform over every architecture of each space
    mlp = _evaluator("mlp-mnist1d").space
    draws = _draws(strategy, mlp, 123, 4000)
    depth = np.bincount([len(arch) for arch in draws], minlength=mlp.max_depth + 1)[1:]
    per_depth = np.array([len(mlp.layer_choices) ** d for d in range(1, mlp.max_depth + 1)], dtype=float)
    if not _chi2_ok(depth, per_depth / per_depth.sum()):
        shares = ", ".join(f"{d + 1} layer{'s' if d else ''}: {c / len(draws):.1%}" for d, c in enumerate(depth))
        raise Incorrect(f"on MLPSpace your draws have {shares}; but the space holds many more deep MLPs than "
                        "shallow ones, and uniform random search gives each *architecture* the same chance")
    cell = _evaluator("cell-mnist1d").space
    draws = _draws(strategy, cell, 123, 4000)
    for e, (options_name, options) in enumerate(cell.decisions):
        counts = np.array([sum(arch[e] == op for arch in draws) for op in options])
        if not _chi2_ok(counts, np.full(len(options), 1 / len(options))):
            raise Incorrect(f"on CellSpace the operations on {options_name} are not equally frequent "
                            f"({', '.join(f'{op}: {c}' for op, c in zip(options, counts))} in 4000 draws): "
                            "draw from all 4096 cells, not only from a subset such as `space.unique`")
    _coverage(strategy, mlp, "mlp-mnist1d")
    _coverage(strategy, cell, "cell-mnist1d")


class MyRandomSearch(Strategy):
    """Uniform over every architecture of the space, reproducible from the seed."""

    def setup(self, space, seed=0, max_epochs=None):
        super().setup(space, seed, max_epochs)         # sets self.space and self.rng
        self.archs = list(space.enumerate())           # every architecture, once

    def ask(self):
        return self.archs[int(self.rng.integers(len(self.archs)))]


q1 = Exercise(
    "q1", var="MyRandomSearch", checker=_check_strategy, reference=lambda: MyRandomSearch,
    solution='''class MyRandomSearch(nt.Strategy):
    def setup(self, space, seed=0, max_epochs=None):
        super().setup(space, seed, max_epochs)         # sets self.space and self.rng
        self.archs = list(space.enumerate())           # every architecture, once

    def ask(self):
        return self.archs[int(self.rng.integers(len(self.archs)))]''',
    hint="""
`nt.Strategy.setup(space, seed, max_epochs)` stores `self.space` and a NumPy generator `self.rng`
made from the seed: take every random number from `self.rng`.

Choosing each decision uniformly (depth, then each layer) is not uniform over architectures:
MLPSpace has 9 one-layer MLPs but 729 three-layer ones.

Override `setup` to call `super().setup(space, seed, max_epochs)` and keep
`list(space.enumerate())`; in `ask`, return the element at `int(self.rng.integers(len(...)))`.
""")


# -- q2: the expected best of n random samples -------------------------------------------------

def expected_best(accuracies, n):
    """E[max of n independent uniform draws from `accuracies`], by order statistics."""
    x = np.sort(np.asarray(accuracies, dtype=float))
    N = len(x)
    i = np.arange(1, N + 1)
    return float(np.sum(x * ((i / N) ** n - ((i - 1) / N) ** n)))


def _best_cases():
    rng = np.random.default_rng(11)
    bench = _evaluator("cell-mnist1d").benchmark
    raw_rows = np.array([bench.index(a) for a in bench.space.enumerate()])
    weighted = bench.val[raw_rows, :, -1].ravel()
    return [(np.array([0.0, 1.0]), 2), (rng.uniform(size=50), 1), (rng.uniform(size=50), 3),
            (rng.permutation(np.linspace(0.2, 0.9, 37)), 10),
            (np.round(rng.uniform(0.5, 1.0, size=200), 2), 5),          # with ties
            (weighted, 10), (weighted, 100), (bench.truth("val_accuracy").to_numpy(), 20)]


def _check_expected_best(learner) -> None:
    _callable(learner, "expected_best")
    for accuracies, n in _best_cases():
        got = _returned(learner(accuracies.copy(), n), "`expected_best`")
        want = expected_best(accuracies, n)
        if n == 1:
            same(got, want, what="with n = 1 (the best of one draw is just one draw: its "
                                           "expected value is the mean), your answer")
        else:
            same(got, want,
                 what=f"for n = {n} draws from {len(accuracies)} accuracies"
                      f"{' (unsorted)' if np.any(np.diff(accuracies) < 0) else ''}, your expected best")


q2 = Exercise(
    "q2", var="expected_best", checker=_check_expected_best, reference=lambda: expected_best,
    hint="""
Sort the accuracies: x_(1) <= ... <= x_(N). The best of n draws is at most x_(i) with probability
F(x_(i))^n = (i/N)^n.

The best of n draws is exactly the i-th sorted value with probability (i/N)^n - ((i-1)/N)^n; E[best]
sums x_(i) times that probability.

`x = np.sort(accuracies); N = len(x); i = np.arange(1, N + 1)`, then `np.sum(x * ((i / N) ** n - ((i
- 1) / N) ** n))`. Tied values need no special care.
""")


# -- q3: the regret of an incumbent trajectory -------------------------------------------------

def _histories():
    cell, mlp = _evaluator("cell-mnist1d"), _evaluator("mlp-mnist1d")
    return [(run_search(RandomSearch(), cell, budget=60, seed=0, progress=False), cell),
            (run_search(RandomSearch(), mlp, budget=80, seed=3, progress=False), mlp),
            (run_search(GridSearch(), mlp, budget=40, seed=0, progress=False), mlp),
            (run_search(RegularizedEvolution(), cell, budget=120, seed=5, progress=False), cell),
            (run_search(RandomSearch(), cell, budget=100, seed=3, progress=False), cell)]  # a tie matters


def _check_regret(learner) -> None:
    _callable(learner, "regret_curve")
    for history, ev in _histories():
        got = _returned(learner(history, ev.benchmark), "`regret_curve`")
        got = numbers(got, "`regret_curve`")
        if got.shape != (len(history),):
            raise Incorrect(f"for a history of {len(history)} evaluations, return {len(history)} regrets "
                            f"(one per step), got shape {got.shape}")
        if np.any(got < -1e-12):
            raise Incorrect("some regrets are negative: measure the incumbent by its mean accuracy after full "
                            "training (over the benchmark's seeds), not by the single noisy evaluation "
                            "the search saw")
        want = regret_frame(history, ev)["val_regret"].to_numpy()
        if not np.allclose(got, want) and np.allclose(got, _latest_among_ties(history, ev.benchmark)):
            raise Incorrect("when a later evaluation only *ties* the incumbent's accuracy, your incumbent "
                            "switches to it; the search keeps the first one found, and changes only for a "
                            "strictly better one")
        same(got, want, what=f"on a {len(history)}-step search of {ev.benchmark.name}, "
                                                  "your regret curve")


def _latest_among_ties(history, bench) -> np.ndarray:
    """The regret curve of a learner who lets a tie replace the incumbent (>= for >)."""
    truth = bench.val[:, :, -1].mean(axis=1)
    best, out = None, []
    for e in history:
        if best is None or e.val_accuracy >= best.val_accuracy:
            best = e
        out.append(truth.max() - truth[bench.index(best.arch)])
    return np.array(out)


def regret_curve(history, bench):
    """Per step: the benchmark's best mean final validation accuracy minus that of the incumbent
    (the architecture with the best validation accuracy the search has seen so far)."""
    truth = bench.val[:, :, -1].mean(axis=1)        # mean over seeds, after full training
    regrets, best = [], None
    for e in history:
        if best is None or e.val_accuracy > best.val_accuracy:   # strictly better: History's rule
            best = e
        regrets.append(truth.max() - truth[bench.index(best.arch)])
    return np.array(regrets)


q3 = Exercise(
    "q3", var="regret_curve", checker=_check_regret, reference=lambda: regret_curve,
    hint="""
The ground truth of an architecture is its mean validation accuracy over the benchmark's seeds after
full training: `bench.val[:, :, -1].mean(axis=1)`, indexed by `bench.index(arch)`.

The incumbent after step t is the evaluation with the highest observed accuracy (`[e.val_accuracy
for e in history]`) among the first t + 1 (the one the search would choose); it changes only when a
later one is strictly better.

Walk through `history` keeping the incumbent; regret = truth.max() -
truth[bench.index(incumbent.arch)]. It can go *up*: the search chooses on one noisy seed.
""")


# -- p1, p2: predict, then run --------------------------------------------------------------------

def _expected_best_curve(values, budgets) -> np.ndarray:
    """The expected best of n uniform draws from `values` (ties allowed), for each n in `budgets`."""
    return np.array([expected_best(np.ravel(values), n) for n in budgets])


def rows_vs_raw(budgets=range(1, 201)) -> np.ndarray:
    """For each budget n, the expected best of n draws predicted over the cell benchmark's rows,
    each counted once, minus the one over what random search samples: each raw cell x each seed."""
    bench = _evaluator("cell-mnist1d").benchmark
    raw_rows = np.array([bench.index(a) for a in bench.space.enumerate()])
    return (_expected_best_curve(bench.val[:, :, -1], budgets)
            - _expected_best_curve(bench.val[raw_rows, :, -1], budgets))


def _rows_answer() -> str:
    """p1: counting every row once predicts a higher (a), lower (b) or the same (c) expected best,
    over the simulation's budgets (the same: within 0.0005 at every budget)."""
    gap = rows_vs_raw()
    return "c" if np.all(np.abs(gap) < 5e-4) else "a" if gap.mean() > 0 else "b"


p1 = Question(
    "p1", expected=_rows_answer,
    choices={"a": "a higher expected best", "b": "a lower one", "c": "the same"},
    hint="""
Which rows of the benchmark do many raw cells share? Think of the cells with dead edges (lesson 02):
how good are they, and how much weight do they get when every row counts once?
""",
    why="""
Many raw cells, those with dead or redundant edges, map onto a few rows, and those rows are weaker
than the rest. Counting every row once gives them too little weight, so the prediction is too
optimistic: the search draws those weak cells as often as raw cells map onto them.
""")


#: Section 2's simulation: this many random searches (seeds 0, 1, ...) of MAX_N evaluations each.
N_RUNS, MAX_N = 200, 200
#: p2's threshold on the mean regret (accuracy, not percent) and the edges of its options.
THRESHOLD, FEW, MANY = 0.005, 25, 100


@lru_cache(maxsize=None)
def mean_regret_curve() -> np.ndarray:
    """The mean validation regret of random search's choice after n = 1 .. MAX_N evaluations, over
    N_RUNS searches on the cell benchmark: the simulation of the lesson (same seeds, same numbers)."""
    runs = compare({"random": RandomSearch()}, _evaluator("cell-mnist1d"), budget=MAX_N, seeds=range(N_RUNS))
    return runs.groupby("step")["val_regret"].mean().to_numpy()


def _budget_answer() -> str:
    """p2: the first budget with a mean regret below THRESHOLD is under FEW (a), FEW to MANY (b), or
    over MANY or never within MAX_N (c)."""
    below = np.flatnonzero(mean_regret_curve() < THRESHOLD) + 1
    if not len(below) or below[0] > MANY:
        return "c"
    return "a" if below[0] < FEW else "b"


p2 = Question(
    "p2", expected=_budget_answer,
    choices={"a": "fewer than 25", "b": "25 to 100", "c": "more than 100"},
    hint="""
The expected best climbs quickly at first, then ever more slowly. And the search chooses on one noisy
seed: how close can noise let it get to the best cell, and how much of the space is that close?
""",
    why="""
The first few draws remove most of the regret, but the last fraction of a point is slow: only a
small share of the cells is that close to the optimum, and the search chooses on one noisy seed, so
a slightly worse cell with a lucky seed often wins.
""")
