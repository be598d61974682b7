"""Wrong answers to lesson 14's exercises and questions (see tests/exercise_cases/__init__.py)."""
from __future__ import annotations

import numpy as np

from nastutor import RandomSearch, RegularizedEvolution
from nastutor.benchmark import Benchmark, build_benchmark
from nastutor.compare import compare
from nastutor.exercises import lesson14


def _counts() -> list:
    """Counts a learner gets with a slip in lesson 02's formula, for the study's space."""
    space = lesson14.study_space()
    per_layer, depth = len(space.widths) * len(space.activations), space.max_depth
    slips = [per_layer ** depth,                                        # only the deepest networks
             sum(per_layer ** d for d in range(depth + 1)),              # depth 0 counted too
             per_layer * depth,                                          # layers added, not multiplied
             sum((len(space.widths) + len(space.activations)) ** d for d in range(1, depth + 1)),
             lesson14.MLPSpace().size]                                   # lesson 02's whole space
    right = space.size                  # (with 2 widths and 2 activations, W + A = W x A: not a slip there)
    return [n for n in slips if n != right] + [str(right)]              # a string is not a number


def _mnist1d(space, folder):
    return Benchmark.load(build_benchmark(space, "mnist1d", seeds=(0, 1, 2), folder=folder, progress=False))


def _one_seed(space, folder):
    return Benchmark.load(build_benchmark(space, "digits", seeds=(0,), folder=folder, progress=False))


def _path_only(space, folder):
    return build_benchmark(space, "digits", seeds=(0, 1, 2), folder=folder, progress=False)


def _shipped(space, folder):
    return Benchmark.load("mlp-mnist1d")


def _no_return(space, folder):
    build_benchmark(space, "digits", seeds=(0, 1, 2), folder=folder, progress=False)


def _two():
    return {"random": RandomSearch(), "evolution": RegularizedEvolution()}


def _default_budget(ev, seconds, seeds):
    return compare(_two(), ev, seconds=seconds, seeds=seeds)            # budget=100 evaluations still applies


def _in_evaluations(ev, seconds, seeds):
    return compare(_two(), ev, budget=40, seeds=seeds)


def _evolution_only(ev, seconds, seeds):
    return compare({"evolution": RegularizedEvolution()}, ev, budget=None, seconds=seconds, seeds=seeds)


def _other_names(ev, seconds, seeds):
    return compare({"RS": RandomSearch(), "RE": RegularizedEvolution()}, ev, budget=None, seconds=seconds, seeds=seeds)


def _tuned(ev, seconds, seeds):
    strategies = {"random": RandomSearch(), "evolution": RegularizedEvolution(population_size=20, sample_size=5)}
    return compare(strategies, ev, budget=None, seconds=seconds, seeds=seeds)


def _first_seeds(ev, seconds, seeds):
    return compare(_two(), ev, budget=None, seconds=seconds, seeds=range(len(seeds)))


def _larger(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.mean(a[:, None] > b[None, :]) + 0.5 * np.mean(a[:, None] == b[None, :]))


def _ties_ignored(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.mean(a[:, None] < b[None, :]))


def _ties_won(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.mean(a[:, None] <= b[None, :]))


def _count_not_share(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.sum(a[:, None] < b[None, :]) + 0.5 * np.sum(a[:, None] == b[None, :]))


def _mean_difference(a, b):
    return float(np.mean(b) - np.mean(a))


def _library(a, b):
    from nastutor.study import superiority

    return superiority(a, b)


def _other_letters(exercise: str) -> list[str]:
    right = {"q5": lesson14.supported_conclusion, "p1": lesson14.p1.reference,
             "p2": lesson14.p2.reference}[exercise]
    right = right() if callable(right) else right
    return [letter for letter in "abcd" if letter != right] + ["the evolution one"]


WRONG = {
    "q1": _counts,
    "q2": [_mnist1d, _one_seed, _path_only, _shipped, _no_return, "ground_truth"],
    "q3": [_default_budget, _in_evaluations, _evolution_only, _other_names, _tuned, _first_seeds],
    "q4": [_larger, _ties_ignored, _ties_won, _count_not_share, _mean_difference, _library],
    "q5": lambda: _other_letters("q5"),
    "p1": lambda: _other_letters("p1"),
    "p2": lambda: _other_letters("p2"),
}
