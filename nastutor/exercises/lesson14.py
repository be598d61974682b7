"""Exercises of lesson 14 (the capstone: your own NAS study): count the study's space, build its
ground truth, run the fair protocol, measure an effect size and conclude; and two questions to
predict, then run: which numbers of a table you build are the same when built again, and how often
a study of the lesson's size detects a small real difference.

Steps 2 to 4 are functions that the study then runs through `use`: yours once its check says
correct, else the reference, so that the notebook always runs from top to bottom. What they return
is kept, so that q5 judges your conclusion against your own study's runs.

    >>> from nastutor.exercises.lesson14 import *     # doctest: +SKIP
"""
from __future__ import annotations

import functools
import getpass
import inspect
import os
import shutil
import tempfile
import weakref
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
from scipy import stats

from ..benchmark import Benchmark, build_benchmark
from ..checks import InputError
from ..compare import compare
from ..data import data_dir, load_dataset
from ..evaluators import TabularEvaluator, fast_mode
from ..spaces import MLPSpace
from ..strategies import RandomSearch, RegularizedEvolution
from ..study import power, verdict
from ..training import train
from ._checking import (____, Exercise, Incorrect, Question, answered, number, same,
                        must_be_function as _callable, returned as _returned)
from ._code import forbid as _forbid
from ._shared import evaluator as _evaluator

__all__ = ["____", "q1", "q2", "q3", "q4", "q5", "p1", "p2", "use"]

#: The study's plan (the notebook states the same; tests/test_study.py checks that it does).
DATASET = "digits"
TABLE_SEEDS = (0, 1, 2)   # training seeds of the ground truth
RUNS = 100                # runs of each strategy (seeds 0 to RUNS - 1)
TRAININGS = 20            # the budget: the simulated seconds of this many average trainings
ALPHA = 0.05              # level of the two-sided rank-sum test
NAMES = ("random", "evolution")


def study_space() -> MLPSpace:
    """The study's space: lesson 02's MLPs with at most two hidden layers; in fast mode
    (NASTUTOR_FAST=1) fewer widths and activations."""
    if fast_mode():
        return MLPSpace(widths=(16, 64), activations=("relu", "tanh"), max_depth=2)
    return MLPSpace(widths=(16, 32, 64), activations=("relu", "tanh", "elu"), max_depth=2)


# -- running the study's steps: yours, or the reference --------------------------------------

#: Answers (functions) that passed their exercise's check in this session.
_PASSED: "weakref.WeakSet[Callable]" = weakref.WeakSet()
#: What each step run through `use` was given and returned, by exercise name: the learner's study.
_KEPT: dict[str, tuple[dict[str, Any], Any]] = {}


def _passes(exercise: Exercise, answer: Any) -> bool:
    try:
        if answer in _PASSED:
            return True
    except TypeError:                      # not weak-referenceable: check it
        pass
    return exercise.check(answer).correct


def use(exercise: Exercise, answer: Any) -> Callable:
    """The function a step of the study runs: your `answer` once `exercise.check(answer)` says
    correct, else the exercise's reference (its `solution()`), so that the study goes on either
    way. Each call's arguments and result are kept: q5 judges your conclusion on your own runs.

        >>> run = use(q3, ____)          # doctest: +SKIP
    """
    if not isinstance(exercise, Exercise) or not callable(exercise.reference):
        raise InputError(f"use() takes a step's exercise (q2, q3 or q4) and your function, got {exercise!r}")
    chosen = answer if _passes(exercise, answer) else exercise.reference
    signature = inspect.signature(exercise.reference)

    @functools.wraps(chosen)
    def step(*args, **kwargs):
        result = chosen(*args, **kwargs)
        _KEPT[exercise.name] = (dict(signature.bind(*args, **kwargs).arguments), result)
        return result

    return step


# -- q1: count the study's space -------------------------------------------------------------

def _count() -> int:
    """The number of architectures of the study's space, by listing them."""
    return len(list(study_space().enumerate()))


q1 = Exercise(
    "q1", var="n_architectures", expected=_count,
    solution="n_architectures = sum((len(space.widths) * len(space.activations)) ** d "
             "for d in range(1, space.max_depth + 1))",
    hint="""
Lesson 02's count: a network of depth d chooses a width and an activation for each of its d layers.

Add up the counts of every depth from 1 to `space.max_depth`; one layer has `len(space.widths) *
len(space.activations)` choices.
""")


# -- p1: what is the same when a table is built again ----------------------------------------

def _same_twice_letter() -> str:
    """Train one MLP twice on the study's task with the same seed and the space's own protocol,
    and see which numbers come out the same: the accuracies, the seconds, both or neither."""
    space, data = MLPSpace(), load_dataset(DATASET)
    arch = space.parse("64relu")
    first, second = (train(lambda: space.build(arch, data.num_features, data.num_classes), data,
                           space.default_config(), seed=0) for _ in range(2))
    accuracies = [(e.val_accuracy, e.test_accuracy) for e in first.epochs] == \
                 [(e.val_accuracy, e.test_accuracy) for e in second.epochs]
    seconds = [e.seconds for e in first.epochs] == [e.seconds for e in second.epochs]
    return {(True, True): "a", (True, False): "b", (False, True): "c", (False, False): "d"}[accuracies, seconds]


p1 = Question(
    "p1", expected=_same_twice_letter,
    choices={"a": "both the accuracies and the seconds", "b": "the accuracies, not the seconds",
             "c": "the seconds, not the accuracies", "d": "neither"},
    why="""Training on a CPU is deterministic: the same seed gives the same network and the same
accuracies every time (another kind of CPU may round a few operations differently, no more). The
seconds are measured: they depend on the machine and on what else it is doing. So the accuracies of
your table are (nearly) anyone's, its simulated seconds are your machine's: state a budget as a
number of average trainings, not in seconds.""",
    hint="""
Where does each number come from? An accuracy is computed from the trained weights; a duration is
read from a clock while the computer also does other things.
""")


# -- q2: build the ground truth --------------------------------------------------------------

def ground_truth(space, folder):
    """Train every architecture of `space` on the study's task with its three seeds, into
    `folder` (never the shipped data/ folder), and load the table."""
    table = build_benchmark(space, "digits", seeds=(0, 1, 2), folder=folder, workers=2)
    return Benchmark.load(table)


#: The space the q2 checker builds: two MLPs, trained in a second or two.
_TINY = MLPSpace(widths=(8,), activations=("relu", "tanh"), max_depth=1)


def _check_ground_truth(ground_truth) -> None:
    _callable(ground_truth, "ground_truth")
    with tempfile.TemporaryDirectory(prefix="nastutor-q2-") as tmp:
        folder, stand_in = Path(tmp) / "yours", Path(tmp) / "data"
        folder.mkdir()
        stand_in.mkdir()
        for name in ("MANIFEST.json", "mnist1d.npz"):        # the datasets a learner's build may read
            if (data_dir() / name).exists():
                shutil.copy(data_dir() / name, stand_in / name)
        # nastutor's data folder is replaced by a stand-in while your function runs: a build that
        # forgets `folder=` lands there, never in the course's shipped data/ folder
        before = os.environ.get("NASTUTOR_DATA_DIR")
        os.environ["NASTUTOR_DATA_DIR"] = str(stand_in)
        try:
            bench = _returned(ground_truth(_TINY, folder), "`ground_truth`")
        finally:
            if before is None:
                os.environ.pop("NASTUTOR_DATA_DIR", None)
            else:
                os.environ["NASTUTOR_DATA_DIR"] = before
        if isinstance(bench, (str, Path)):
            raise Incorrect("`ground_truth` returned a path: load the table it names and return that, "
                            "`Benchmark.load(table)`")
        if not isinstance(bench, Benchmark):
            raise Incorrect(f"`ground_truth` should return the loaded table, a Benchmark, got {type(bench).__name__}")
        if bench.dataset != DATASET:
            raise Incorrect(f"your table was trained on {bench.dataset!r}: the study's task is {DATASET!r}")
        if type(bench.space) is not MLPSpace or bench.space.config() != _TINY.config():
            raise Incorrect("your table holds another space than the one `ground_truth` was given: build `space`")
        if tuple(bench.seeds) != TABLE_SEEDS:
            raise Incorrect(f"your table was trained with the seeds {tuple(bench.seeds)}: the study averages each "
                            f"architecture over the seeds {TABLE_SEEDS}")
        where = Path(bench.folder).resolve() if bench.folder is not None else None
        if where in (stand_in.resolve(), data_dir().resolve()):
            raise Incorrect("your table went into nastutor's data folder, where the shipped benchmarks live "
                            "(the check gave it a stand-in, so nothing was written there): pass "
                            "`folder=folder` to `build_benchmark`")
        if where != folder.resolve():
            raise Incorrect("your table is not in `folder`: pass `folder=folder` to `build_benchmark`")
    _PASSED.add(ground_truth)


q2 = Exercise(
    "q2", var="ground_truth", checker=_check_ground_truth, reference=lambda: ground_truth,
    hint="""
`build_benchmark` (lesson 03) trains every architecture of a space with each seed and returns the
path of the finished table; `Benchmark.load` reads a table back from that path.

The study's task is "digits", its seeds (0, 1, 2); build into the `folder` you were given (never the
default, the shipped data/ folder), with two workers to train two networks at a time.

`return Benchmark.load(build_benchmark(space, "digits", seeds=(0, 1, 2), folder=folder, workers=2))`
""")


# -- q3: the protocol --------------------------------------------------------------------------

def run_study(ev, seconds, seeds):
    """One run of random search and one of regularized evolution (default settings) per seed of
    `seeds`, each until `seconds` of simulated training are spent, on the table of `ev`."""
    strategies = {"random": RandomSearch(), "evolution": RegularizedEvolution()}
    return compare(strategies, ev, budget=None, seconds=seconds, seeds=seeds)


#: The q3 checker's protocol: on the shipped MLP table, a budget of about 120 average trainings (so
#: that a forgotten budget in evaluations, 100 by default, stops the runs first) and three seeds.
_Q3_SECONDS, _Q3_SEEDS = 70.0, [3, 7, 11]


def _check_run_study(run_study) -> None:
    _callable(run_study, "run_study")
    ev = _evaluator("mlp-mnist1d")
    runs = _returned(run_study(ev, _Q3_SECONDS, list(_Q3_SEEDS)), "`run_study`")
    if not isinstance(runs, pd.DataFrame) or not {"strategy", "seed", "step", "total_cost"} <= set(runs.columns):
        raise Incorrect("`run_study` should return what `compare` returns: a DataFrame with one row per "
                        "strategy, seed and evaluation")
    names = sorted(map(str, runs["strategy"].unique()))
    if names != sorted(NAMES):
        raise Incorrect(f"your runs hold the strategies {names}: the study compares {NAMES[0]!r} "
                        f"(random search) and {NAMES[1]!r} (regularized evolution), named so")
    if sorted(runs["seed"].unique().tolist()) != sorted(_Q3_SEEDS):
        raise Incorrect("your runs do not use the seeds `run_study` was given: one run of each strategy per "
                        "seed of `seeds`")
    spent = runs.groupby(["strategy", "seed"])["total_cost"].max()
    if (spent < _Q3_SECONDS).any():
        raise Incorrect("some of your runs stop before their `seconds` are spent: a budget in evaluations stops "
                        "them first (`compare` counts 100 evaluations unless told `budget=None`)")
    want = run_study_reference(ev, _Q3_SECONDS, list(_Q3_SEEDS))
    key = ["strategy", "seed", "step"]
    got, want = (f.sort_values(key).reset_index(drop=True)[list(want.columns)] for f in (runs, want))
    if not got.equals(want):
        raise Incorrect("your runs differ from the protocol's: random search and regularized evolution with "
                        "their default settings, each until `seconds` of simulated training are spent")
    _PASSED.add(run_study)


run_study_reference = run_study

q3 = Exercise(
    "q3", var="run_study", checker=_check_run_study, reference=lambda: run_study,
    solution='''def run_study(ev, seconds, seeds):
    """One run of random search and one of regularized evolution (default settings) per seed of
    `seeds`, each until `seconds` of simulated training are spent, on the table of `ev`."""
    strategies = {"random": nt.RandomSearch(), "evolution": nt.RegularizedEvolution()}
    return compare(strategies, ev, budget=None, seconds=seconds, seeds=seeds)''',
    hint="""
`compare` (lesson 07) runs each strategy of a dict {name: strategy} once per seed, on the table of
an evaluator, and returns one row per strategy, seed and evaluation.

The two strategies, with their default settings, under the names the study uses:
`{"random": nt.RandomSearch(), "evolution": nt.RegularizedEvolution()}`.

The budget is in simulated seconds only: `compare` also counts evaluations (100 unless told
otherwise), so pass `budget=None, seconds=seconds`.
""")


# -- q4: an effect size ------------------------------------------------------------------------

def superiority(a, b):
    """The chance that a value of `a` is smaller than a value of `b`, over all pairs, a tie
    counting half: for regrets, how often a run of `a` ends better than a run of `b`."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.mean(a[:, None] < b[None, :]) + 0.5 * np.mean(a[:, None] == b[None, :]))


@lru_cache(maxsize=None)
def _real_regrets() -> tuple[np.ndarray, np.ndarray]:
    """Final validation regrets of real searches on the shipped MLP table: skewed, with ties."""
    runs = run_study(_evaluator("mlp-mnist1d"), 30.0, range(24))
    last = runs.groupby(["strategy", "seed"]).tail(1)
    return tuple(last.loc[last["strategy"] == name, "val_regret"].to_numpy() for name in ("evolution", "random"))


def _effect_cases():
    rng = np.random.default_rng(14)
    evolution, random = _real_regrets()
    return [(np.array([0.0, 0.1]), np.array([0.1, 0.2])),                       # one tie
            (np.array([3.0, 1.0, 2.0]), np.array([0.5, 2.0, 4.0, 2.0])),          # unequal sizes, ties
            (rng.normal(size=9), rng.normal(0.5, 1.0, size=14)),
            (np.round(rng.exponential(0.004, 40), 3), np.round(rng.exponential(0.006, 35), 3)),
            (evolution, random)]


def _check_superiority(superiority) -> None:
    _callable(superiority, "superiority")
    _forbid(superiority, {"superiority": "nastutor.study.superiority"}, "measure the effect")
    for a, b in _effect_cases():
        got = number(_returned(superiority(a.copy(), b.copy()), "`superiority`"), "`superiority`")
        want = 1 - stats.mannwhitneyu(a, b).statistic / (len(a) * len(b))      # lesson 07's U, the oracle
        ties = bool(np.any(a[:, None] == b[None, :]))
        if not 0 <= got <= 1:
            raise Incorrect(f"a probability lies between 0 and 1, your `superiority` returned {got:g}: divide the "
                            "count of pairs won by the number of pairs")
        if abs(got - (1 - want)) < 1e-9 and abs(want - 0.5) > 1e-9:
            raise Incorrect("your `superiority` counts the pairs in which `a`'s value is larger: for a regret, "
                            "smaller is better, so count those in which it is smaller")
        if ties and any(abs(got - wrong) < 1e-9 for wrong in (np.mean(a[:, None] < b[None, :]),
                                                              np.mean(a[:, None] <= b[None, :]))):
            raise Incorrect(f"for samples of {len(a)} and {len(b)} values with ties between them, your `superiority` "
                            "counts a tie as a loss or as a win: count it as half a win")
        same(got, want, what=f"for samples of {len(a)} and {len(b)} values, your `superiority`")


q4 = Exercise(
    "q4", var="superiority", checker=_check_superiority, reference=lambda: superiority,
    hint="""
Look at every pair: one value from `a`, one from `b`. Count the pairs in which `a`'s value is
smaller, add half the ties, and divide by the number of pairs.

With NumPy, compare all pairs at once: `a[:, None] < b[None, :]` is a table of len(a) × len(b)
booleans; its mean is the share of pairs won.

`np.mean(a[:, None] < b[None, :]) + 0.5 * np.mean(a[:, None] == b[None, :])`, after `a, b =
np.asarray(a, float), np.asarray(b, float)`; or, with lesson 07's U, `1 - stats.mannwhitneyu(a,
b).statistic / (len(a) * len(b))`.
""")


# -- p2: the power of a study of this size ---------------------------------------------------

#: A small real effect (a run of one strategy beats one of the other this often) and p2's options.
SMALL_EFFECT = 0.55
_P2_OPTIONS = {"a": 0.9, "b": 0.5, "c": 0.25}


def _power_letter() -> str:
    """The option nearest to the power of the study's test against SMALL_EFFECT, within 0.1."""
    found = power(SMALL_EFFECT, RUNS, ALPHA)
    letter = min(_P2_OPTIONS, key=lambda k: abs(found - _P2_OPTIONS[k]))
    if abs(found - _P2_OPTIONS[letter]) > 0.1:
        raise ValueError(f"a power of {found:.2f} is near none of p2's options: rewrite them")
    return letter


p2 = Question(
    "p2", expected=_power_letter,
    choices={"a": "almost always", "b": "about one study in two", "c": "about one study in four"},
    why="""A small effect hides in the spread of the regrets: most studies of this size miss it. So
"no detectable difference" means "these runs cannot tell", never "the strategies are equal"; to
detect small effects, a study needs many more runs (the power grows with them).""",
    hint="""
Think of lesson 07's slider: with few runs, a real difference passed the test only some of the time.
Here the difference is small: a run of the better strategy wins only a little more than half of the
duels.
""")


# -- q5: the conclusion ------------------------------------------------------------------------

#: The conclusions the learner chooses from (the notebook lists them), by the strategy the test calls better.
CONCLUSIONS = {"a": "evolution", "b": None, "c": "random"}


def study_folder() -> Path:
    """Where the notebook builds the study's table: $NASTUTOR_STUDY_DIR, else a folder of the
    system's temporary directory, one per user (a rerun finds the table there)."""
    custom = os.environ.get("NASTUTOR_STUDY_DIR")
    return Path(custom) if custom else Path(tempfile.gettempdir()) / f"nastutor-study-{getpass.getuser()}"


@lru_cache(maxsize=None)
def _fresh_study() -> tuple[pd.DataFrame, float]:
    """The study run afresh (when this session ran none): its table, built in the notebook's
    folder (or found there), then the protocol at the plan's budget."""
    bench = ground_truth(study_space(), study_folder())
    seconds = TRAININGS * float(bench.final_frame()["train_seconds"].mean())
    return run_study(TabularEvaluator(bench), seconds, range(RUNS)), seconds


def _study() -> tuple[pd.DataFrame, float]:
    """The runs of the study run in this session (`use(q3, ...)`) and their budget in seconds;
    else those of a fresh run of the study."""
    if "q3" in _KEPT:
        arguments, runs = _KEPT["q3"]
        return runs, float(arguments["seconds"])
    return _fresh_study()


def supported_conclusion() -> str:
    """The letter of the conclusion that the study's pre-registered test supports."""
    runs, seconds = _study()
    found = verdict(runs, "evolution", "random", seconds=seconds, alpha=ALPHA)
    return {better: letter for letter, better in CONCLUSIONS.items()}[found.better]


def _check_conclusion(answer) -> None:
    answered(answer)
    letter = answer.strip().strip("()").strip().lower() if isinstance(answer, str) else None
    if letter not in CONCLUSIONS:
        raise Incorrect(f"{answer!r} is not one of the conclusions: answer with one of the letters "
                        f"{', '.join(CONCLUSIONS)}")
    if letter != supported_conclusion():
        raise Incorrect("that is not what your study's test allows: first read the two-sided p-value against "
                        "the level fixed in the plan, and only then the side of the effect size")


q5 = Exercise(
    "q5", var="conclusion", checker=_check_conclusion, reference=supported_conclusion,
    solution='conclusion = "b" if p >= ALPHA else "a" if effect > 0.5 else "c"',
    hint="""
The plan fixed the rule before any run: a difference is detected only if the two-sided p-value is
below ALPHA.

If it is, the effect size says which side is ahead: above 0.5, a run of evolution tends to end with
the lower regret. If it is not, the runs cannot tell the strategies apart, whatever the means say.
""")
