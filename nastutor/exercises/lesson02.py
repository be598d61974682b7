"""Exercises of lesson 02 (search spaces): count a chain space, mutate an architecture, and
count the distinct functions among cells; and two questions to predict, then run: how many of the
cell space's strings are distinct functions, and which operations its best cells need.

    >>> from nastutor.exercises.lesson02 import *     # doctest: +SKIP
"""
from __future__ import annotations

import itertools
from numbers import Integral, Number

import numpy as np

from ..spaces import ACTIVATIONS, CellSpace, MLPSpace
from ..spaces.cell import EDGES, OPS
from ._checking import ____, Exercise, Incorrect, Question, returned as _returned, must_be_function as _callable
from ._code import forbid as _forbid
from ._shared import benchmark as _benchmark

__all__ = ["____", "q1", "q2", "q3", "p1", "p2"]


# -- q1: how big is a chain space ------------------------------------------------------------

#: (number of widths, number of activations, maximum depth) the checker tries.
_Q1_CASES = [(3, 3, 3), (1, 1, 1), (2, 1, 1), (1, 3, 4), (2, 2, 4), (3, 2, 2), (4, 3, 3), (2, 6, 3)]


def _mlp_space_size(n_widths: int, n_activations: int, max_depth: int) -> int:
    """The size of a real `MLPSpace` with that many choices, by enumerating it."""
    widths = tuple(16 * (k + 1) for k in range(n_widths))
    activations = tuple(ACTIVATIONS)[:n_activations]
    return MLPSpace(widths=widths, activations=activations, max_depth=max_depth).size


def _check_space_size(space_size) -> None:
    _callable(space_size, "space_size")
    _forbid(space_size, {"MLPSpace": "nt.MLPSpace"}, "count the architectures")
    for case in _Q1_CASES:
        got = _returned(space_size(*case), "`space_size`")
        if not isinstance(got, Number) or isinstance(got, bool):
            raise Incorrect(f"`space_size` should return a whole number, got {type(got).__name__}")
        want = _mlp_space_size(*case)
        if got != want:
            n_widths, n_activations, max_depth = case
            raise Incorrect(f"space_size({n_widths}, {n_activations}, {max_depth}) is "
                            f"{'too large' if got > want else 'too small'}: a network may have any depth "
                            f"from 1 to max_depth, and each of its layers chooses a width and an activation")


def space_size(n_widths, n_activations, max_depth):
    """How many MLPs have 1 to `max_depth` hidden layers, each with one of `n_widths` widths
    and one of `n_activations` activations."""
    per_layer = n_widths * n_activations          # choices for one layer
    return sum(per_layer ** depth for depth in range(1, max_depth + 1))


q1 = Exercise(
    "q1", var="space_size", checker=_check_space_size, reference=lambda: space_size,
    hint="""
Count the networks of each depth separately, then add the counts up.

A network of depth d makes d independent layer choices, and each layer has n_widths * n_activations
options.

`sum((n_widths * n_activations) ** d for d in range(1, max_depth + 1))`
""")


# -- q2: mutate an MLP --------------------------------------------------------------------------

def _q2_spaces():
    return [MLPSpace(),
            MLPSpace(widths=(8, 128), activations=("relu", "gelu", "sigmoid", "identity"), max_depth=4)]


def _q2_archs(space):
    rng = np.random.default_rng(7)
    deepest = tuple(space.layer_choices[0] for _ in range(space.max_depth))
    archs = [((space.widths[0], space.activations[0]),), deepest,
             (space.layer_choices[-1], space.layer_choices[0])]       # two different layers
    archs += [space.sample(rng) for _ in range(4)]
    return list(dict.fromkeys(archs))


def _check_mutate(mutate) -> None:
    _callable(mutate, "mutate")
    _forbid(mutate, {"neighbors": "space.neighbors", "mutate": "space.mutate"},
            "list the neighbours and pick one")
    tries = 600
    for space in _q2_spaces():
        for arch in _q2_archs(space):
            neighbours = set(space.neighbors(arch))
            seen = set()
            rng = np.random.default_rng(0)
            for _ in range(tries):
                child = _returned(mutate(arch, rng, space), "`mutate`")
                try:
                    space.validate(child)
                except ValueError as e:
                    raise Incorrect(f"mutating {space.to_string(arch)!r} returned {child!r}, which is not an "
                                    f"architecture of {space!r}: {e}") from None
                if child == arch:
                    raise Incorrect(f"mutating {space.to_string(arch)!r} returned it unchanged: a mutation "
                                    f"must change exactly one decision")
                if child not in neighbours:
                    raise Incorrect(f"mutating {space.to_string(arch)!r} gave {space.to_string(child)!r}, "
                                    f"which differs in more than one decision (or adds a layer somewhere "
                                    f"other than at the end)")
                seen.add(child)
            missing = neighbours - seen
            if missing:
                example = space.to_string(sorted(missing, key=space.to_string)[0])
                raise Incorrect(f"in {tries} mutations of {space.to_string(arch)!r} in {space!r}, "
                                f"{len(missing)} of its {len(neighbours)} neighbours never appeared, "
                                f"e.g. {example!r}: every single change must be possible")


def mutate(arch, rng, space):
    """`arch` with exactly one decision changed, chosen at random among all such changes."""
    options = []
    for i, (width, activation) in enumerate(arch):
        before, after = arch[:i], arch[i + 1:]
        options += [before + ((w, activation),) + after for w in space.widths if w != width]
        options += [before + ((width, a),) + after for a in space.activations if a != activation]
    if len(arch) < space.max_depth:                      # add a layer at the end
        options += [arch + ((w, a),) for w in space.widths for a in space.activations]
    if len(arch) > 1:                                    # remove one layer
        options += [arch[:i] + arch[i + 1:] for i in range(len(arch))]
    return options[rng.integers(len(options))]           # an index: rng.choice would make an array


q2 = Exercise(
    "q2", var="mutate", checker=_check_mutate, reference=lambda: mutate,
    hint="""
List every architecture one change away from `arch`, then pick one of them at random. An
architecture is a tuple of (width, activation) tuples; build new tuples with slicing, e.g.
`[arch[:i] + ((w, activation),) + arch[i + 1:] for i, (width, activation) in enumerate(arch) for w
in space.widths if w != width]` lists every change of one layer's width.

The changes: for each layer, every other width and every other activation; if `len(arch) <
space.max_depth`, every (width, activation) layer appended at the end; if `len(arch) > 1`, removing
any one layer.

Collect the changes in a list, `options = []`, then pick one with
`options[rng.integers(len(options))]`: `rng.choice(options)` would turn the tuples into a NumPy
array.
""")


# -- q3: distinct functions among cells --------------------------------------------------------

def _q3_lists():
    space = CellSpace()
    everything = [space.to_string(a) for a in space.enumerate()]
    rng = np.random.default_rng(11)
    lists = [everything,
             [s for s in everything if "avgpool3" not in s],
             [space.to_string(a) for a in itertools.product(("none", "skip"), repeat=6)],
             list(rng.choice(everything, size=300, replace=False)),
             ["|conv3~0|+|none~0|none~1|+|none~0|skip~1|none~2|",
              "|none~0|+|conv3~0|none~1|+|none~0|none~1|skip~2|",
              "|none~0|+|none~0|none~1|+|conv3~0|none~1|none~2|",
              "|none~0|+|none~0|none~1|+|conv3~0|none~1|none~2|"]]
    return space, [[str(s) for s in cells] for cells in lists]


def _check_distinct(distinct_functions) -> None:
    _callable(distinct_functions, "distinct_functions")
    space, lists = _q3_lists()
    for cells in lists:
        got = _returned(distinct_functions(list(cells)), "`distinct_functions`")
        if not isinstance(got, Integral) or isinstance(got, bool):
            raise Incorrect(f"`distinct_functions` should return a whole number, got {type(got).__name__}")
        want = len({space.canonical(space.parse(s)) for s in cells})
        if got != want:
            if got == len(set(cells)):
                raise Incorrect("that counts different *strings*; cells with different strings can compute "
                                "the same function: compare their canonical forms")
            raise Incorrect(f"for a list of {len(cells)} cell strings your count is "
                            f"{'too large' if got > want else 'too small'}")


def distinct_functions(cells):
    """How many different functions the cell strings in `cells` compute."""
    from nastutor import CellSpace

    space = CellSpace()
    return len({space.canonical(space.parse(text)) for text in cells})


q3 = Exercise(
    "q3", var="distinct_functions", checker=_check_distinct, reference=lambda: distinct_functions,
    hint="""
`cell_space.parse(cells[0])` reads the first cell string; `cell_space.canonical(...)` of that gives
the one representative of all cells that compute the same function.

Put the canonical forms in a `set` and count it.

`return len({cell_space.canonical(cell_space.parse(text)) for text in cells})`
""")


# -- p1: how many distinct functions ----------------------------------------------------------

#: The options of p1: about how many distinct functions the cell space's strings compute.
_P1_OPTIONS = {"a": 4000, "b": 1000, "c": 100}


def _distinct_letter() -> str:
    """The option nearest (on a log scale) to the number of canonical cells, which must lie within a
    factor of 2 of it."""
    space = CellSpace()
    count = len({space.canonical(a) for a in space.enumerate()})
    letter = min(_P1_OPTIONS, key=lambda k: abs(np.log(count / _P1_OPTIONS[k])))
    if not 0.5 <= count / _P1_OPTIONS[letter] <= 2:
        raise ValueError(f"{count} distinct cells is near none of p1's options: rewrite them")
    return letter


p1 = Question(
    "p1", expected=_distinct_letter, choices={k: f"about {n}" for k, n in _P1_OPTIONS.items()},
    why="""Relabelled middle nodes, dead edges and skip chains fold many strings onto one representative:
most strings are copies of a function another string already computes. The benchmark trains each
distinct function once, and a search that counts raw strings pays again for what it has seen.""",
    hint="""
The three cells above are one function written three ways. Think of every cell whose edges into the
output node are all none: how many different functions can they compute?
""")


# -- p2: which operations the best cells need --------------------------------------------------

def _losses() -> dict[str, float]:
    """For each operation: how much the best mean validation accuracy of the cell space drops when
    that operation is taken off the menu."""
    bench = _benchmark("cell-mnist1d")
    val = bench.truth().to_numpy()
    best = val.max()
    out = {}
    for op in OPS:
        rest = [o for o in OPS if o != op]
        rows = {bench.index(a) for a in itertools.product(rest, repeat=len(EDGES))}
        out[op] = float(best - val[list(rows)].max())
    return out


def _needed_letter() -> str:
    """Which operations matter: those whose removal costs more than the benchmark's seed noise (the
    mean standard deviation of a cell's accuracy across seeds); the rest can go."""
    bench = _benchmark("cell-mnist1d")
    noise = float(bench.val[:, :, -1].std(axis=1, ddof=1).mean())
    needed = {op for op, loss in _losses().items() if loss > noise}
    letters = {frozenset(OPS): "a", frozenset({"conv3"}): "b", frozenset({"skip"}): "c", frozenset(): "d"}
    if frozenset(needed) not in letters:
        raise ValueError(f"the best cells need {sorted(needed)}: no option of p2 says so")
    return letters[frozenset(needed)]


p2 = Question(
    "p2", expected=_needed_letter,
    choices={"a": "none of them", "b": "all but conv3", "c": "all but skip", "d": "any of them"},
    why="""Without conv3 the best cell falls far: the other operations only pass on, average or cut the
signal, and nothing in the cell learns. Dropping any other operation costs less than the seed noise,
because cells made of the remaining operations do as well. Only measuring tells which choices a
space can lose.""",
    hint="""
Which of the four operations has weights to learn? The others pass the signal on, smooth it, or
cut it.
""")
