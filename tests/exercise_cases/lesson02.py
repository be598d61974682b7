"""Wrong answers to lesson 02's exercises (see tests/exercise_cases/__init__.py)."""
from __future__ import annotations

from nastutor.exercises.lesson02 import mutate
from nastutor.spaces import ACTIVATIONS, MLPSpace


def _only_widths(arch, rng, space):
    i = int(rng.integers(len(arch)))
    width, activation = arch[i]
    others = [w for w in space.widths if w != width]
    return arch[:i] + ((others[rng.integers(len(others))], activation),) + arch[i + 1:]


def _maybe_unchanged(arch, rng, space):
    i = int(rng.integers(len(arch)))
    layer = (space.widths[rng.integers(len(space.widths))], space.activations[rng.integers(len(space.activations))])
    return arch[:i] + (layer,) + arch[i + 1:]


def _two_changes(arch, rng, space):
    child = mutate(arch, rng, space)
    return mutate(child, rng, space)


def _library_neighbours(arch, rng, space):
    options = space.neighbors(arch)
    return options[rng.integers(len(options))]


def _library_mutate(arch, rng, space):
    return space.mutate(arch, rng)


def _list_not_tuple(arch, rng, space):
    return list(mutate(arch, rng, space))


WRONG = {
    "q1": [lambda w, a, d: (w * a) ** d,                                  # only the deepest networks
           lambda w, a, d: w * a * d,                                     # added instead of multiplied
           lambda w, a, d: sum((w + a) ** k for k in range(1, d + 1)),   # widths + activations
           lambda w, a, d: sum((w * a) ** k for k in range(d)),           # depth 0 to d - 1
           lambda w, a, d: MLPSpace(widths=tuple(range(1, w + 1)), activations=tuple(ACTIVATIONS)[:a],
                                    max_depth=d).size,                     # the library counts
           lambda w, a, d: str(sum((w * a) ** k for k in range(1, d + 1)))],
    "q2": [_only_widths, _maybe_unchanged, _two_changes, _list_not_tuple, _library_neighbours, _library_mutate],
    "q3": [lambda cells: len(set(cells)), lambda cells: len(cells), lambda cells: 941],
    "p1": ["a", "c", 941, "about 1000"],      # the other options; the count or the text, not a letter
    "p2": ["a", "c", "d", "conv3"],
}
