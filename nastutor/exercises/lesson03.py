"""Exercises of lesson 03 (performance estimation): Kendall's rank correlation, the training
time a lower fidelity saves, and the cheapest fidelity that still ranks well; and two questions to
predict, then run: how well one epoch ranks the cells, and how often one seed misorders a close pair.

    >>> from nastutor.exercises.lesson03 import *     # doctest: +SKIP
"""
from __future__ import annotations

import numpy as np
from scipy import stats

from ._checking import (
    ____, Exercise, Incorrect, Question, number, same, returned as _returned, must_be_function as _callable)
from ._code import forbid as _forbid
from ._shared import benchmark as _benchmark

__all__ = ["____", "q1", "q2", "q3", "p1", "p2"]


# -- q1: Kendall's tau (tau-b) -----------------------------------------------------------------

def _tau_cases():
    """(x, y, has_ties) pairs: first arrays without ties, then arrays with ties."""
    rng = np.random.default_rng(3)
    cases = []
    for n in (2, 5, 12, 40):
        x = rng.normal(size=n)
        cases.append((x, x + rng.normal(scale=0.7, size=n), False))
    x = rng.permutation(20).astype(float)
    cases.append((x, -x, False))           # perfectly reversed
    cases.append((x, rng.permutation(20).astype(float), False))
    cases.append((np.round(rng.uniform(size=30), 1), np.round(rng.uniform(size=30), 1), True))
    a = rng.integers(0, 4, size=25).astype(float)
    cases.append((a, a + rng.integers(0, 2, size=25), True))
    cases.append((rng.integers(0, 3, size=15).astype(float), rng.normal(size=15), True))
    return cases


def _check_kendall(learner) -> None:
    _callable(learner, "kendall_tau")
    _forbid(learner, {"kendalltau": "scipy.stats.kendalltau", "weightedtau": "scipy.stats.weightedtau",
                      "corr": "pandas' `.corr(method='kendall')`"}, "compute Kendall's tau")
    wrong_ties = 0
    for x, y, ties in _tau_cases():
        got = _returned(learner(x.copy(), y.copy()), "`kendall_tau`")
        want = float(stats.kendalltau(x, y).statistic)
        if not ties:
            same(got, want, what=f"on {len(x)} values without ties, your tau")
        else:
            try:
                same(got, want, what="with ties")
            except Incorrect:
                wrong_ties += 1
    if wrong_ties:
        raise Incorrect(f"without ties your tau is right, but on {wrong_ties} arrays with tied values it "
                        "differs from tau-b: a tied pair counts neither as concordant nor as discordant, "
                        "and the denominator is sqrt((pairs not tied in x) * (pairs not tied in y))")


def kendall_tau(x, y):
    """Kendall's tau-b: the sign agreement of all pairs, normalised for ties."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    i, j = np.triu_indices(len(x), k=1)          # every pair i < j once
    sx, sy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
    return float(np.sum(sx * sy) / np.sqrt(np.sum(sx ** 2) * np.sum(sy ** 2)))


q1 = Exercise(
    "q1", var="kendall_tau", checker=_check_kendall, reference=lambda: kendall_tau,
    hint="""
Look at every pair i < j once: `i, j = np.triu_indices(len(x), k=1)` gives their indices. A pair is
concordant when x and y order it the same way, discordant when opposite.

With `i, j = np.triu_indices(len(x), k=1)`, `np.sign(x[i] - x[j]) * np.sign(y[i] - y[j])` is +1 for
a concordant pair, -1 for a discordant one and 0 when either is tied; its sum is C - D.

tau-b divides C - D by sqrt(n_x * n_y), where n_x = pairs not tied in x = np.sum(np.sign(x[i] -
x[j]) ** 2), and n_y likewise. Without ties both are n(n-1)/2.
""")


# -- q2: the fraction of training time a lower fidelity saves -----------------------------------

def _check_saved(learner) -> None:
    _callable(learner, "fraction_saved")
    for name in ("cell-mnist1d", "mlp-mnist1d"):
        bench = _benchmark(name)
        for e in sorted({1, 2, bench.epochs // 3, bench.epochs // 2, bench.epochs - 1, bench.epochs}):
            got = number(_returned(learner(bench, e), "`fraction_saved`"), "`fraction_saved`")
            if not -1e-6 <= got <= 1 + 1e-6:
                raise Incorrect(f"`fraction_saved(bench, {e})` on {name} is {got:.3f}: a fraction "
                                "of time saved lies between 0 and 1")
            if e == bench.epochs and abs(got) > 1e-6:
                raise Incorrect("training every epoch saves nothing: at e = bench.epochs the answer is 0")
            want = fraction_saved(bench, e)
            if e < bench.epochs and np.isclose(got, 1 - want):
                raise Incorrect(f"`fraction_saved(bench, {e})` on {name} is the fraction of the time *spent* "
                                "(e epochs over all of them); the fraction *saved* is 1 minus that")
            if e < bench.epochs and np.isclose(got, 1 - e / bench.epochs) and not np.isclose(got, want):
                raise Incorrect(f"`fraction_saved(bench, {e})` on {name} counts epochs, not seconds: epochs do "
                                "not all take the same time, so add up the seconds the benchmark recorded")
            same(got, want, what=f"`fraction_saved(bench, {e})` on {name}")


def fraction_saved(bench, e):
    """1 - (seconds of the first e epochs) / (seconds of all epochs), over every architecture and seed."""
    spent = bench.cumulative_seconds[:, :, e - 1].sum()
    full = bench.cumulative_seconds[:, :, -1].sum()
    return float(1 - spent / full)


q2 = Exercise(
    "q2", var="fraction_saved", checker=_check_saved, reference=lambda: fraction_saved,
    hint="""
Epochs do not all take the same time, so 1 - e / bench.epochs is only an approximation: use the
recorded seconds.

`bench.cumulative_seconds[:, :, e - 1]` holds, for every architecture and seed, the seconds of its
first e epochs; `[:, :, -1]` the seconds of full training.

Sum each over all architectures and seeds; the fraction saved is 1 - spent / full.
""")


# -- q3: the cheapest fidelity that ranks well ------------------------------------------------

def _smallest_epochs(threshold: float = 0.8) -> int:
    bench = _benchmark("cell-mnist1d")
    final = bench.truth("val_accuracy").to_numpy()     # mean over seeds after full training, row order
    for e in range(1, bench.epochs + 1):
        if stats.kendalltau(bench.val[:, :, e - 1].mean(axis=1), final).statistic >= threshold:
            return e
    raise AssertionError("unreachable: at full training tau is 1")


q3 = Exercise(
    "q3", var="smallest_epochs", expected=_smallest_epochs,
    solution="""from scipy import stats

final = bench.val[:, :, -1].mean(axis=1)          # mean over the 3 seeds, after 12 epochs
for e in range(1, bench.epochs + 1):
    tau = stats.kendalltau(bench.val[:, :, e - 1].mean(axis=1), final).statistic
    if tau >= 0.8:
        smallest_epochs = e
        break""",
    hint="""
For each e from 1 to bench.epochs, rank the architectures by their validation accuracy after e
epochs (mean over the 3 seeds) and compare with the ranking after all epochs.

For `e = 1`, `bench.val[:, :, e - 1].mean(axis=1)` is one number per architecture;
`stats.kendalltau(bench.val[:, :, e - 1].mean(axis=1), final).statistic` (or your `kendall_tau`)
compares it with the ground truth.

Stop at the first e whose tau is at least 0.8; the curve is not monotone, so do not search it by
bisection.
""")


# -- p1: does one epoch rank the cells? -------------------------------------------------------

def _one_epoch_tau() -> float:
    """Kendall's tau, over all cells, between seed 0 after one epoch (what a search sees) and the
    mean of the other seeds after full training (the lesson's ground truth)."""
    bench = _benchmark("cell-mnist1d")
    final = bench.val[:, 1:, -1].mean(axis=1)
    return float(stats.kendalltau(bench.val[:, 0, 0], final).statistic)


def _one_epoch_letter() -> str:
    tau = _one_epoch_tau()
    if tau > 0.5:
        return "a"
    if 0.2 <= tau <= 0.5:
        return "b"
    if abs(tau) < 0.2:
        return "c"
    raise ValueError(f"after one epoch tau = {tau:.3f}: no option of p1 fits")


p1 = Question(
    "p1", expected=_one_epoch_letter,
    choices={"a": "strongly ($\\tau > 0.5$): one epoch already tells good cells from bad ones",
             "b": "weakly ($0.2 \\le \\tau \\le 0.5$)",
             "c": "hardly at all ($|\\tau| < 0.2$)"},
    why="""After one epoch the ranking is nearly unrelated to the final one. The one-cycle learning rate is
still climbing then, one plausible reason why where a cell stands says little about where it ends. A
search that judged cells after one epoch (a first rung of successive halving, say) would choose
almost at random.""",
    hint="""
The protocol's learning rate follows a one-cycle schedule: it starts small and climbs during the
first epochs. How far has any network got after one epoch of it?
""")


# -- p2: how often one seed misorders a close pair -------------------------------------------

def _reversed_share(max_gap: float = 0.002) -> float:
    """Among the pairs of cells whose reference accuracies (the mean of the other seeds) differ by
    more than 0 and at most `max_gap`: the share that one seed orders the other way round, over
    every seed, as the lesson's cell counts them."""
    bench = _benchmark("cell-mnist1d")
    by_seed = bench.val[:, :, -1]
    i, j = np.triu_indices(len(by_seed), k=1)
    reversed_, pairs = 0, 0
    for s in range(by_seed.shape[1]):
        reference = np.delete(by_seed, s, axis=1).mean(axis=1)
        gap, one_seed = reference[i] - reference[j], np.sign(by_seed[i, s] - by_seed[j, s])
        close = (gap != 0) & (np.abs(gap) <= max_gap)
        reversed_ += int(np.sum(one_seed[close] == -np.sign(gap[close])))
        pairs += int(np.sum(close))
    return reversed_ / pairs


def _reversed_letter() -> str:
    share = _reversed_share()
    return "a" if share < 0.02 else "b" if share <= 0.2 else "c"


p2 = Question(
    "p2", expected=_reversed_letter,
    choices={"a": "almost never ($< 2\\%$): full training is the ground truth",
             "b": "sometimes ($2\\%$ to $20\\%$)",
             "c": "often ($> 20\\%$), not much less than a coin flip would"},
    why="""Two cells this close differ by less than the seed-to-seed noise, so one training run orders them
nearly at random. Only clear gaps are ordered reliably: a ceiling that no cheaper estimate can beat,
since it can rank two architectures no better than full training does.""",
    hint="""
Lesson 01 measured how much one network's accuracy moves from seed to seed. Compare that with a gap
of two validation examples.
""")
