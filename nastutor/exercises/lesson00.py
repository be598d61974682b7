"""Questions of lesson 00 (welcome): predict, then run. How large the first search space is, how
accurate its networks get on MNIST-1D, and how the test split compares with the validation split.

    >>> from nastutor.exercises.lesson00 import *     # doctest: +SKIP
"""
from __future__ import annotations

import numpy as np

from ..data import load_dataset
from ..spaces import MLPSpace
from ._checking import ____, Question
from ._shared import benchmark as _benchmark

__all__ = ["____", "p1", "p2", "p3"]


# -- p1: how many MLPs --------------------------------------------------------------------------

#: The options of p1, as the notebook lists them.
_P1_OPTIONS = {"a": 27, "b": 729, "c": 819}


def _space_size_letter() -> str:
    """The option that is the size of the lesson's `MLPSpace`, counted by enumerating it."""
    size = MLPSpace().size
    letters = [letter for letter, n in _P1_OPTIONS.items() if n == size]
    if len(letters) != 1:
        raise ValueError(f"MLPSpace() holds {size} architectures, which is not one of p1's options: rewrite them")
    return letters[0]


_SPACE = MLPSpace()
_PER_LAYER = len(_SPACE.widths) * len(_SPACE.activations)
_BY_DEPTH = [_PER_LAYER ** depth for depth in range(1, _SPACE.max_depth + 1)]

p1 = Question(
    "p1", choices={letter: str(n) for letter, n in _P1_OPTIONS.items()}, expected=_space_size_letter,
    why=f"""A layer picks one of {len(_SPACE.widths)} widths and one of {len(_SPACE.activations)} activations:
{_PER_LAYER} options. The choices of the layers multiply, so depths 1 to {_SPACE.max_depth} give
{", ".join(map(str, _BY_DEPTH))} networks, {" + ".join(map(str, _BY_DEPTH))} = {sum(_BY_DEPTH)} in all.
Every extra layer multiplies the count: lesson 02 shows how fast that grows.""",
    hint="""
Count the networks of each depth separately: how many choices does one layer have, and do the
choices of two layers add up or multiply?

Do not forget the shallower networks: depth 1 and depth 2 are in the space too.
""")


# -- p2: how accurate an MLP gets on MNIST-1D --------------------------------------------------

def _accuracy_letter() -> str:
    """Where the best MLP of the whole space lands: near-perfect (a), in between (b), or near chance
    (c). The best MLP of the benchmark (mean over its seeds) bounds what the lesson's few random
    ones reach."""
    bench = _benchmark("mlp-mnist1d")
    best = float(bench.val[:, :, -1].mean(axis=1).max())
    chance = 1 / load_dataset(bench.dataset).num_classes
    if best >= 0.9:
        return "a"
    if best <= 2 * chance:
        return "c"
    return "b"


p2 = Question(
    "p2", expected=_accuracy_letter,
    choices={"a": "near-perfect, as simple networks score on the original MNIST",
             "b": "clearly better than guessing, but far from perfect",
             "c": "close to chance: one short signal holds too little to tell the digits apart"},
    why="""MNIST-1D was made to be hard for simple networks: each digit's pattern is shifted, scaled and
noised, and an MLP has no built-in way to recognise a pattern wherever it sits. Even the best MLP of
the whole space stays far from perfect, which leaves room for architectures to differ, and for a
search to matter.""",
    hint="""
The dataset was designed so that "architectures differ clearly": what would that need if every
network scored almost 1, or almost chance?
""")


# -- p3: test against validation ---------------------------------------------------------------

def _test_letter() -> str:
    """How test accuracy compares with validation accuracy over every MLP and seed of the benchmark:
    exactly equal (c), systematically lower by more than 0.05 (b), or about the same: a typical
    difference of a few points either way, no systematic gap (a)."""
    bench = _benchmark("mlp-mnist1d")
    difference = bench.test[:, :, -1] - bench.val[:, :, -1]      # every MLP and seed, after full training
    typical, systematic = float(np.median(np.abs(difference))), float(difference.mean())
    if typical == 0:
        return "c"
    if systematic < -0.05:
        return "b"
    if typical <= 0.03 and abs(systematic) <= 0.01:
        return "a"
    raise ValueError(f"test - validation: median gap {typical:.3f}, mean {systematic:.3f}: no option of p3 fits")


p3 = Question(
    "p3", expected=_test_letter,
    choices={"a": "about the same: a little above or below",
             "b": "clearly lower: data the search never saw is harder",
             "c": "exactly the same: both splits come from the same dataset"},
    why="""Validation and test are two samples of the same kind of data, so a trained network scores
about the same on both; they differ by the luck of which examples each split holds. What makes the
test number trustworthy is not that it is harder, but that nothing was chosen on it.""",
    hint="""
Both splits are held out: the network learned its weights from neither. Are their examples
harder, or just different ones?
""")
