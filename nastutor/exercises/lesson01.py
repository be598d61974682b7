"""Exercises of lesson 01 (the NAS objective): choose on validation, measure the noise of a
training seed, and score a network on held-out data; and two questions to predict, then run: how
optimistic an honest report stays, and whether seeds agree on the winner.

    >>> from nastutor.exercises.lesson01 import *     # doctest: +SKIP
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..data import load_dataset
from ..spaces import MLPSpace
from ..training import TrainConfig, accuracy, train
from ._checking import (
    ATOL, RTOL, ____, Exercise, Incorrect, Question, number as _number, returned as _returned,
    must_be_function as _callable, refuse_rounded as _refuse_rounded)
from ._shared import benchmark as _benchmark

__all__ = ["____", "q1", "q2", "q3", "p1", "p2"]


# -- q1: choose on validation ---------------------------------------------------------------

def _frames():
    """Benchmark frames to choose from: the whole of each benchmark, then random subsets (as a
    search that trained only some architectures would hold), rows shuffled."""
    rng = np.random.default_rng(2024)
    out = []
    for name in ("mlp-mnist1d", "cell-mnist1d"):
        full = _benchmark(name).final_frame()
        out.append(full)
        for size in (5, 20, 60, 200):
            rows = rng.choice(len(full), size=size, replace=False)
            out.append(full.iloc[rows])
    return out


def _check_choose(choose) -> None:
    _callable(choose, "choose")
    for frame in _frames():
        try:
            got = _returned(choose(frame.copy()), "`choose`")
        except (KeyError, IndexError) as e:
            raise Incorrect(f"`choose` raised {type(e).__name__}: {e} on a subset of the benchmark, whose row "
                            "labels are not 0, 1, 2, ... in order: look a row up by its label (`idxmax()` "
                            "gives one, `.loc` uses it), or by its position with `.iloc`") from None
        if not isinstance(got, str):
            raise Incorrect(f"`choose` should return the architecture's string (a value of the `arch` column, "
                            f"such as '64relu-32tanh'), got {type(got).__name__}")
        if got not in set(frame["arch"]):
            raise Incorrect(f"`choose` returned {got!r}, which is not in the `arch` column of the frame it was given")
        by_arch = frame.set_index("arch")
        if by_arch.loc[got, "val_accuracy"] < frame["val_accuracy"].max():
            if by_arch.loc[got, "test_accuracy"] == frame["test_accuracy"].max():
                raise Incorrect("`choose` picked the architecture with the best *test* accuracy: the search "
                                "must choose on validation accuracy and never look at the test split")
            raise Incorrect(f"on a frame of {len(frame)} architectures, another architecture has a higher "
                            f"`val_accuracy` than the one `choose` returned")


def choose(frame):
    """The architecture with the highest mean validation accuracy."""
    best_row = frame["val_accuracy"].idxmax()
    return frame.loc[best_row, "arch"]


q1 = Exercise(
    "q1", var="choose", checker=_check_choose, reference=lambda: choose,
    hint="""
The frame has one row per architecture; the search may only look at the `val_accuracy` column.

`frame['val_accuracy'].idxmax()` gives the *index label* of the best row; look that row up with
`frame.loc[...]` and return its `arch`.

`return frame.loc[frame['val_accuracy'].idxmax(), 'arch']`
""")


# -- q2: the noise of a training seed -------------------------------------------------------

_Q2_ARCHS = {"mlp-mnist1d": ["64relu-32tanh", "16tanh-16tanh", "64relu-64relu-64elu", "32elu"],
             "cell-mnist1d": ["|conv3~0|+|skip~0|conv3~1|+|avgpool3~0|conv3~1|conv3~2|",
                              "|none~0|+|none~0|none~1|+|conv3~0|none~1|none~2|",
                              "|avgpool3~0|+|none~0|skip~1|+|none~0|none~1|avgpool3~2|"]}


def _true_seed_std(bench, arch: str) -> float:
    i = bench.index(bench.space.parse(arch))
    return float(np.std(bench.val[i, :, -1], ddof=1))


def _check_seed_std(seed_std) -> None:
    _callable(seed_std, "seed_std")
    for name, archs in _Q2_ARCHS.items():
        bench = _benchmark(name)
        for arch in archs:
            value = _number(_returned(seed_std(bench, arch), "`seed_std`"), "`seed_std`")
            i = bench.index(bench.space.parse(arch))
            want = _true_seed_std(bench, arch)
            if np.isclose(value, want, rtol=RTOL, atol=ATOL):
                continue
            final = bench.val[i, :, -1]
            if np.isclose(value, np.std(final, ddof=0), rtol=RTOL, atol=ATOL):
                raise Incorrect("that is the population standard deviation (ddof=0); with only a few seeds, "
                                "use the sample standard deviation, ddof=1")
            if np.isclose(value, np.std(bench.test[i, :, -1], ddof=1), rtol=RTOL, atol=ATOL):
                raise Incorrect("that is the spread of the *test* accuracy; use the validation accuracy")
            if np.isclose(value, 100 * want, rtol=RTOL, atol=ATOL):
                raise Incorrect("that is in percentage points; give the standard deviation of the accuracies "
                                "as they are stored, fractions from 0 to 1")
            _refuse_rounded(value, want, f"for {arch!r} in {name!r} your standard deviation")
            raise Incorrect(f"for {arch!r} in {name!r} your standard deviation is "
                            f"{'too large' if value > want else 'too small'}: take the final epoch "
                            f"of each seed, then the standard deviation across the seeds")


def seed_std(bench, arch):
    """Sample standard deviation, across the benchmark's training seeds, of the final-epoch
    validation accuracy of `arch` (a string)."""
    i = bench.index(bench.space.parse(arch))
    final = bench.val[i, :, -1]          # one number per seed
    return float(np.std(final, ddof=1))


q2 = Exercise(
    "q2", var="seed_std", checker=_check_seed_std, reference=lambda: seed_std,
    hint="""
`bench.space.parse(arch)` turns the string into an architecture; `bench.index(...)` gives its row in
the arrays. `bench.val` has shape (architectures, seeds, epochs).

With `i = bench.index(bench.space.parse(arch))`, `bench.val[i, :, -1]` is the final-epoch validation
accuracy of that row, one number per seed.

`final = bench.val[bench.index(bench.space.parse(arch)), :, -1]`, then `np.std(final, ddof=1)` is
the sample standard deviation of those numbers.
""")


# -- q3: score on held-out data ---------------------------------------------------------------

@lru_cache(maxsize=None)
def _trained(dataset: str):
    """A small MLP trained briefly on `dataset` (real training, fixed seed), and the data."""
    space, data = MLPSpace(), load_dataset(dataset)
    arch = space.parse("64relu-32tanh")
    result = train(lambda: space.build(arch, data.num_features, data.num_classes), data,
                   TrainConfig(epochs=6, lr=0.02), seed=0, keep_model=True)
    return result.model, data


def _check_val_accuracy(val_accuracy) -> None:
    _callable(val_accuracy, "val_accuracy")
    for dataset in ("mnist1d", "random-labels"):
        model, data = _trained(dataset)
        value = _number(_returned(val_accuracy(model, data), "`val_accuracy`"), "`val_accuracy`")
        want = accuracy(model, data.x_val, data.y_val)
        if np.isclose(value, want, rtol=RTOL, atol=ATOL):      # float32 arithmetic is fine
            continue
        _refuse_rounded(value, want, f"on the {dataset!r} data your accuracy")
        if np.isclose(value, 100 * want):
            raise Incorrect("give accuracy as a fraction from 0 to 1, not a percentage")
        if np.isclose(value, accuracy(model, data.x_train, data.y_train)):
            raise Incorrect("that is the accuracy on the *training* data, which rewards memorising; "
                            "score on `data.x_val` and `data.y_val`")
        if np.isclose(value, accuracy(model, data.x_test, data.y_test)):
            raise Incorrect("that is the *test* accuracy: keep the test split for the final report, "
                            "and score the search on `data.x_val`")
        raise Incorrect(f"on the {dataset!r} data your accuracy is {'too large' if value > want else 'too small'}: "
                        f"count the validation examples whose predicted class (the largest output) "
                        f"equals the label, and divide by how many there are")


def val_accuracy(model, data):
    """Fraction of the validation split that `model` labels correctly."""
    import torch

    model.eval()                                   # no training-time behaviour while scoring
    with torch.no_grad():                          # no gradients needed
        scores = model(torch.tensor(data.x_val))   # (examples, classes)
    predicted = scores.argmax(dim=1).numpy()       # the class with the largest score
    return float((predicted == data.y_val).mean())


q3 = Exercise(
    "q3", var="val_accuracy", checker=_check_val_accuracy, reference=lambda: val_accuracy,
    hint="""
Turn `data.x_val` into a tensor with `torch.tensor`, run the model on it inside `with
torch.no_grad():`, and compare the predicted classes with `data.y_val`.

The model outputs one score per class: with `scores = model(torch.tensor(data.x_val))`, the
prediction is `scores.argmax(dim=1)`; `.numpy()` turns it back into a NumPy array.

`predicted = model(torch.tensor(data.x_val)).argmax(dim=1).numpy()`, then `return float((predicted
== data.y_val).mean())`
""")


# -- p1: how optimistic is "choose on validation, report test"? --------------------------------

@lru_cache(maxsize=None)
def _optimism(n: int = 100, searches: int = 2000) -> tuple[float, float, float]:
    """Simulated searches on the MLP benchmark, as the lesson's cell runs them: train `n` random
    architectures with one seed, pick the best on validation, and compare the reported number with
    the picked architecture's test accuracy retrained with the other seeds. Returns the mean
    optimism of reporting validation, of reporting test, and the standard error of the latter."""
    bench = _benchmark("mlp-mnist1d")
    val, test = bench.val[:, :, -1], bench.test[:, :, -1]
    rng = np.random.default_rng(0)
    report_val, report_test = [], []
    for _ in range(searches):
        candidates, seed = rng.choice(len(val), size=n, replace=False), rng.integers(val.shape[1])
        picked = candidates[np.argmax(val[candidates, seed])]
        retrained = np.delete(test[picked], seed).mean()
        report_val.append(val[picked, seed] - retrained)
        report_test.append(test[picked, seed] - retrained)
    return (float(np.mean(report_val)), float(np.mean(report_test)),
            float(np.std(report_test, ddof=1) / np.sqrt(searches)))


def _optimism_letter() -> str:
    """At the largest n of the lesson's figure: reporting test after choosing on validation is as
    optimistic as reporting validation (a), clearly optimistic but less than half as much (b), or
    not distinguishable from zero (c, within 3 standard errors)."""
    report_val, report_test, error = _optimism()
    if abs(report_test) < 3 * error:
        return "c"
    if report_test >= 0.75 * report_val:
        return "a"
    if 0 < report_test <= 0.5 * report_val:
        return "b"
    raise ValueError(f"optimism: report val {report_val:.4f}, report test {report_test:.4f}: no option of p1 fits")


p1 = Question(
    "p1", expected=_optimism_letter,
    choices={"a": "it grows as much as reporting validation does",
             "b": "it grows a little, and stays well below reporting validation",
             "c": "it stays at zero: test took no part in the choice"},
    why="""Test does not share the luck that made the winner's validation score stand out, so most of the
optimism goes. What is left is the luck of the winner's training run: a lucky seed helps on every
split. Only retraining with other seeds removes that, which is why section 3 averages over seeds.""",
    hint="""
A network's score on a split is its true accuracy plus two kinds of luck: which examples the split
holds, and which seed trained it. Which of the two does the test split share with validation?
""")


# -- p2: do the seeds agree on the winner? -----------------------------------------------------

def _winner_ranks(bench) -> list[int]:
    """For each seed: the rank, by the mean of the other seeds, of the architecture that seed ranks
    first (1 = the other seeds' best too)."""
    val = bench.val[:, :, -1]
    ranks = []
    for k in range(val.shape[1]):
        winner = int(np.argmax(val[:, k]))
        others = np.delete(val, k, axis=1).mean(axis=1)
        ranks.append(1 + int(np.sum(others > others[winner])))
    return ranks


def _winners_letter() -> str:
    """The same winner for every seed (a), different winners all ranked in the other seeds' top 10
    (b), or a winner ranked below the other seeds' top 10 (c)."""
    bench = _benchmark("mlp-mnist1d")
    winners = {int(np.argmax(bench.val[:, k, -1])) for k in range(len(bench.seeds))}
    if len(winners) == 1:
        return "a"
    return "b" if max(_winner_ranks(bench)) <= 10 else "c"


p2 = Question(
    "p2", expected=_winners_letter,
    choices={"a": "yes: searching every architecture leaves no room for luck",
             "b": "no, but each winner ranks near the top (rank $\\le 10$)",
             "c": "no, and a winner can rank far down (rank $> 10$)"},
    why="""The best MLPs are about as close together as one run's seed noise, so each seed crowns the MLP
its own luck favoured, and by the other seeds' mean that MLP can sit far down the list. Even an
exhaustive search inherits this noise: rank architectures by their mean over several seeds.""",
    hint="""
Compare two numbers the figure above prints: how far apart the best MLPs are, and how much one MLP's
accuracy moves from seed to seed.
""")
