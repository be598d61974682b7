"""Exercises of lesson 03 (performance estimation): Kendall's rank correlation, the training
time a lower fidelity saves, and the cheapest fidelity that still ranks well.

    >>> from nastutor.exercises.lesson03 import *     # doctest: +SKIP
"""
from __future__ import annotations

import numpy as np
from scipy import stats

from ._checking import ____, Exercise, Incorrect, number, same, returned as _returned, must_be_function as _callable
from ._code import forbid as _forbid
from ._shared import benchmark as _benchmark

__all__ = ["____", "q1", "q2", "q3"]


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
