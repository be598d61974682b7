"""Exercises of lesson 09 (weight sharing): the output of DARTS' mixed operation from alpha, the
argmax derivation of a cell from alpha (`none` included), Kendall's tau of two rankings, and the cost
ratio of a supernet against training every cell; two "predict, then run" questions (what recomputing
batch-norm statistics does to the supernet's ranking, and how unevenly uniform path sampling spreads
over the distinct cells), answered from a supernet trained here and from the space itself.

The lesson's supernets and DARTS search are trained once per session by the cached helpers below
(`supernet_run`, `estimates`, `darts_run`), at the lesson's settings (`settings()`: smaller in fast
mode, NASTUTOR_FAST=1), so that the notebook and the questions share them.

    >>> from nastutor.exercises.lesson09 import *     # doctest: +SKIP
"""
from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import replace
from functools import lru_cache

import numpy as np
import pandas as pd
import torch
from scipy import stats

from ..data import Dataset, load_dataset
from ..evaluators import fast_mode
from ..oneshot import DartsRun, MixedEdge, SupernetRun, derive, estimate_all, train_darts, train_single_path
from ..spaces import Arch
from ..spaces.cell import EDGES, OPS
from ._checking import ____, Exercise, Incorrect, Question, number, numbers, same
from ._checking import must_be_function as _callable, returned as _returned
from ._code import forbid as _forbid
from ._shared import benchmark as _benchmark

__all__ = ["____", "q1", "q2", "q3", "q4", "p1", "p2", "settings", "dataset", "cells", "supernet_run",
           "estimates", "darts_run", "draw_shares", "every_cell_seconds"]


def settings() -> dict:
    """The lesson's sizes: supernet epochs, DARTS epochs and how many distinct cells are scored
    (None: all 941). Fast mode (NASTUTOR_FAST=1) trains less and scores a fixed sample of 150."""
    if fast_mode():
        return {"supernet_epochs": 12, "darts_epochs": 6, "cells": 150}
    return {"supernet_epochs": 96, "darts_epochs": 24, "cells": None}


@lru_cache(maxsize=None)
def dataset() -> Dataset:
    """The benchmark's data, MNIST-1D, loaded once."""
    return load_dataset("mnist1d")


def cells() -> list[Arch]:
    """The distinct cells the lesson scores: all of the benchmark's, or (fast mode) 150 drawn with seed 0."""
    archs, n = list(_benchmark().archs), settings()["cells"]
    if n is None or n >= len(archs):
        return archs
    return [archs[i] for i in np.sort(np.random.default_rng(0).choice(len(archs), size=n, replace=False))]


def supernet_run(sampling: str = "uniform", seed: int = 0) -> SupernetRun:
    """`train_single_path` on the benchmark's space and data with its own protocol, for
    `settings()["supernet_epochs"]` epochs, drawing paths as `sampling` says; trained once, kept."""
    return _supernet_run(sampling, seed)


@lru_cache(maxsize=None)
def _supernet_run(sampling: str, seed: int) -> SupernetRun:
    space = _benchmark().space
    config = replace(space.default_config(), epochs=settings()["supernet_epochs"])
    return train_single_path(space, dataset(), config, seed=seed, sampling=sampling)


def estimates(sampling: str = "uniform", recalibrate: bool = True, seed: int = 0) -> pd.Series:
    """`estimate_all` of `cells()` off `supernet_run(sampling, seed)`, with or without recomputing
    each path's batch-norm statistics; computed once, kept."""
    return _estimates(sampling, bool(recalibrate), seed)


@lru_cache(maxsize=None)
def _estimates(sampling: str, recalibrate: bool, seed: int) -> pd.Series:
    return estimate_all(supernet_run(sampling, seed).supernet, cells(), dataset(), recalibrate=recalibrate)


def darts_run(seed: int = 0) -> DartsRun:
    """First-order DARTS (`train_darts`) for `settings()["darts_epochs"]` epochs; trained once, kept."""
    return _darts_run(seed)


@lru_cache(maxsize=None)
def _darts_run(seed: int) -> DartsRun:
    space = _benchmark().space
    return train_darts(space, dataset(), replace(space.default_config(), epochs=settings()["darts_epochs"]), seed=seed)


def every_cell_seconds() -> float:
    """The benchmark's recorded seconds for training every distinct cell once: each cell's full
    training time, averaged over the benchmark's seeds, summed over the cells."""
    return float(_benchmark().cumulative_seconds[:, :, -1].mean(axis=1).sum())


@lru_cache(maxsize=None)
def draw_shares() -> np.ndarray:
    """The share of uniform single-path draws (each edge's operation uniform: every raw cell equally
    likely) that fall on each distinct cell (function), largest first."""
    space = _benchmark().space
    counts = Counter(space.canonical(a) for a in itertools.product(OPS, repeat=len(EDGES)))
    return np.sort(np.array(list(counts.values()), dtype=float))[::-1] / len(OPS) ** len(EDGES)


# -- q1: the mixed operation ------------------------------------------------------------------------

def mixed_operation(alpha, outputs):
    """DARTS' mixed operation: sum over k of softmax(alpha)[k] * outputs[k], with `alpha` one edge's
    4 architecture weights and `outputs` the 4 operations' outputs, both in `OPS` order."""
    alpha = np.asarray(alpha, dtype=float)
    w = np.exp(alpha - alpha.max())
    w = w / w.sum()
    return sum(w[k] * np.asarray(outputs[k]) for k in range(len(w)))


def _mixed_cases():
    """(alpha, outputs, the package's MixedEdge output) for a few edges, inputs and alphas."""
    cases = []
    alphas = [np.zeros(4), np.array([0.3, -1.2, 2.0, 0.5]), np.array([2.5, 0.1, -0.4, 0.2]),
              np.array([-3.0, 4.0, 1.0, 1.5]), np.random.default_rng(9).normal(0, 1.5, size=4)]
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        for k, alpha in enumerate(alphas):
            torch.manual_seed(k)
            channels = (4, 8)[k % 2]
            edge = MixedEdge(channels).eval()
            x = torch.randn(3, channels, 10)
            outputs = [edge.path(x, op).double().numpy() for op in OPS]
            want = edge(x, torch.softmax(torch.tensor(alpha, dtype=torch.float32), 0))
            cases.append((alpha, outputs, want.double().numpy()))
    return cases


def _check_mixed(learner) -> None:
    _callable(learner, "mixed_operation")
    _forbid(learner, {"MixedEdge": "the package's MixedEdge"}, "mix the outputs yourself")
    for alpha, outputs, want in _mixed_cases():
        got = _returned(learner(alpha.copy(), [o.copy() for o in outputs]), "`mixed_operation`")
        got = numbers(got, "your mixed output")
        if got.shape != want.shape:
            raise Incorrect(f"return one output the shape of each operation's output, {want.shape}, got {got.shape}: "
                            "a weighted sum of the 4 outputs, not a list of them or one number")
        if np.allclose(alpha, 0):
            same(got, want, rel=1e-4, abs=1e-5, what="with alpha all zero (every operation weighted 1/4), your output")
        else:
            same(got, want, rel=1e-4, abs=1e-5, what=f"with alpha = {np.round(alpha, 2).tolist()}, your output")


q1 = Exercise(
    "q1", var="mixed_operation", checker=_check_mixed, reference=lambda: mixed_operation,
    hint="""
First turn the 4 numbers of `alpha` into mixing weights that are positive and sum to 1: the softmax,
exp(alpha_k) / sum_j exp(alpha_j), over all 4 operations, "none" included.

The output of "none" is all zeros, so it adds nothing to the sum, but it still takes its share of the
softmax: leaving it out of the normalisation gives the other operations too much weight.

`w = np.exp(alpha - alpha.max()); w = w / w.sum()`, then `return sum(w[k] * outputs[k] for k in
range(4))`.
""")


# -- q3: deriving the cell ------------------------------------------------------------------------------

def derive_cell(alpha):
    """The cell of architecture weights `alpha` (6 edges x 4 operations in `OPS` order): on each edge
    the operation with the largest alpha, `none` included."""
    return tuple(OPS[k] for k in np.argmax(np.asarray(alpha), axis=1))


def _derive_cases() -> list[np.ndarray]:
    rng = np.random.default_rng(2)
    none_wins = np.array([[2.0, 0.1, 0.5, -1.0], [0.0, 1.0, 0.2, 0.3], [-0.5, 0.1, 0.9, 0.4],
                          [1.5, 1.4, 0.0, 0.2], [0.0, 0.0, 0.1, 3.0], [0.2, 0.7, 0.1, 0.0]])
    skip_heavy = np.tile([0.1, 0.9, 0.3, 0.2], (6, 1)) + rng.normal(0, 0.05, size=(6, 4))
    return [none_wins, skip_heavy, *[rng.normal(0, 1, size=(6, 4)) for _ in range(20)]]


def _check_derive(learner) -> None:
    _callable(learner, "derive_cell")
    _forbid(learner, {"derive": "the package's `derive`"}, "take the argmax yourself")
    for alpha in _derive_cases():
        got = _returned(learner(alpha.copy()), "`derive_cell`")
        if isinstance(got, str):
            raise Incorrect("return the cell as a tuple of 6 operation names, e.g. ('conv3', 'skip', ...), not a string")
        got = list(got)
        if len(got) != len(EDGES):
            raise Incorrect(f"a cell has one operation per edge, {len(EDGES)} of them; yours has {len(got)} "
                            "(take the argmax along each row, `axis=1`)")
        if not all(isinstance(op, str) for op in got):
            raise Incorrect(f"return the operations' names, one of {', '.join(OPS)} per edge, not their positions: "
                            "`OPS[k]` names position k")
        want = derive(alpha)
        if tuple(got) != want:
            wrong = [e for e in range(len(EDGES)) if got[e] != want[e]]
            e = wrong[0]
            extra = (" (none is an operation too: when its alpha is the largest, the edge is dropped)"
                     if want[e] == "none" else "")
            raise Incorrect(f"for alpha row {np.round(alpha[e], 2).tolist()} (edge {EDGES[e][0]} -> {EDGES[e][1]}) "
                            f"your cell says {got[e]!r}: pick the operation with the largest alpha{extra}")


q3 = Exercise(
    "q3", var="derive_cell", checker=_check_derive, reference=lambda: derive_cell,
    hint="""
`alpha` has one row per edge and one column per operation, in the order of `OPS`. On each row,
find the column with the largest value.

`np.argmax(alpha, axis=1)` gives 6 column positions at once; `OPS[2]` is the name at position 2.
Keep "none": if its alpha is the largest, the edge is absent from the cell.

`return tuple(OPS[k] for k in np.argmax(alpha, axis=1))`
""")


# -- q2: Kendall's tau ------------------------------------------------------------------------------------

def kendall_tau(x, y):
    """Kendall's tau of two rankings without ties: (concordant - discordant pairs) / all pairs."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n, s = len(x), 0.0
    for i in range(n):
        s += np.sum(np.sign(x[i] - x[i + 1:]) * np.sign(y[i] - y[i + 1:]))
    return s / (n * (n - 1) / 2)


def _tau_cases():
    rng = np.random.default_rng(3)
    truth = np.array([0.91, 0.95, 0.88, 0.97, 0.90])
    cases = [(np.array([0.5, 0.7, 0.2, 0.9, 0.4]), truth), (-truth, truth), (truth, truth),
             (np.array([1.0, 3.0, 2.0]), np.array([1.0, 2.0, 3.0]))]
    for n in (10, 40, 200):
        a = rng.normal(size=n)
        cases.append((a + rng.normal(0, 1.0, size=n), a))
    return cases


def _check_tau(learner) -> None:
    _callable(learner, "kendall_tau")
    _forbid(learner, {"kendalltau": "scipy's kendalltau", "rank_agreement": "the package's rank_agreement",
                      "spearmanr": "Spearman's rho", "weightedtau": "scipy's weighted tau"},
            "count the pairs yourself")
    for x, y in _tau_cases():
        got = number(_returned(learner(x.copy(), y.copy()), "`kendall_tau`"), "your tau")
        want = stats.kendalltau(x, y).statistic           # the independent oracle (no ties here: tau-a = tau-b)
        if not -1 - 1e-9 <= got <= 1 + 1e-9:
            raise Incorrect(f"a rank correlation lies between -1 and 1, yours is {got:.3g}: divide by the number of "
                            "pairs, n (n - 1) / 2")
        same(got, want, what=f"for {len(x)} cells, your tau")


q2 = Exercise(
    "q2", var="kendall_tau", checker=_check_tau, reference=lambda: kendall_tau,
    hint="""
Look at every pair of cells i < j once. The pair is concordant when both rankings order it the same
way, (x_i - x_j)(y_i - y_j) > 0, and discordant when they disagree (< 0).

tau = (concordant - discordant) / (number of pairs), and there are n (n - 1) / 2 pairs. The product
of the signs, sign(x_i - x_j) * sign(y_i - y_j), is +1 or -1 for each pair (`np.sign`).

`n = len(x)`, `s = sum(np.sign(x[i] - x[j]) * np.sign(y[i] - y[j]) for i in range(n) for j in
range(i + 1, n))`, `return s / (n * (n - 1) / 2)`.
""")


# -- q4: the cost ratio --------------------------------------------------------------------------------------

q4 = Exercise(
    "q4", var="cost_ratio", expected=lambda: every_cell_seconds() / supernet_run().seconds,
    solution="cost_ratio = bench.cumulative_seconds[:, :, -1].mean(axis=1).sum() / run.seconds",
    rel=1e-6,
    hint="""
`bench.cumulative_seconds` holds, for each cell, seed and epoch, the recorded seconds up to the end
of that epoch: the last epoch, `bench.cumulative_seconds[:, :, -1]`, is a whole training.

Average each cell's full training over the benchmark's seeds (one training per cell, as a search
would pay), add them up over all cells, and divide by the supernet's training seconds, `run.seconds`.

`bench.cumulative_seconds[:, :, -1].mean(axis=1).sum() / run.seconds`
""")


# -- p1, p2: predict, then run ----------------------------------------------------------------------------------

def _tau(estimate: pd.Series) -> float:
    truth = _benchmark().truth().loc[estimate.index]
    return float(stats.kendalltau(estimate, truth).statistic)


def _bn_answer() -> str:
    """p1: Kendall's tau without recomputed statistics against with them: clearly lower (b), clearly
    higher (c, by more than 0.05), or about the same (a)."""
    gap = _tau(estimates("uniform", recalibrate=False)) - _tau(estimates("uniform"))
    return "b" if gap < -0.05 else "c" if gap > 0.05 else "a"


p1 = Question(
    "p1", expected=_bn_answer,
    choices={"a": "about the same", "b": "clearly lower", "c": "clearly higher"},
    hint="""
During training, every batch norm on a path averaged its statistics over all the paths that ran
through it. Are those the statistics of the one cell you now evaluate?
""",
    why="""
The running statistics of each batch norm are a moving average over all the paths that were trained,
not those of the cell being scored: its activations are normalised by the wrong mean and variance,
which hurts some cells far more than others and scrambles the ranking. A few batches through the
chosen path alone fix that.
""")


def _sampling_answer() -> str:
    """p2: the share of uniform draws that land on the 10% most frequent distinct cells."""
    shares = draw_shares()
    top = shares[:round(0.10 * len(shares))].sum()
    return "a" if top < 0.18 else "b" if top < 0.5 else "c"


p2 = Question(
    "p2", expected=_sampling_answer,
    choices={"a": "about 10%", "b": "about a quarter", "c": "over half"},
    hint="""
Lesson 02: how many raw cells compute the same function as a cell with a single conv3 edge from
node 0 to node 3, whatever the other edges hold, as long as they lead nowhere?
""",
    why="""
Many raw cells compute the same function: every edge that leads nowhere (or starts nowhere) is
dead, whatever its operation, so small cells with dead edges stand for hundreds of raw cells each.
Uniform sampling over raw cells therefore trains those few small functions most of the time.
""")
