"""The `SearchSpace` interface every space implements, and the registry of spaces.

Taught in lesson 02 (search spaces). A space owns everything particular to it: its choices,
its canonical form, its network builder, its default training protocol (`default_config`), its
settings as JSON and back (`config` / `from_config`) and, optionally, how a plot lays it out
(`plot_layout`). A subclass that sets `name` is registered in `SPACES` as it is defined, so a
space written in a notebook or a test file can be benchmarked and searched like a shipped one
(tests/test_new_space.py defines one):

    >>> from nastutor.spaces import SPACES
    >>> sorted(SPACES)[:2], SPACES["mlp"].from_config({"widths": [8]}).widths
    (['cell', 'mlp'], (8,))
"""
from __future__ import annotations

import inspect
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any, Callable, Hashable, Iterator, NamedTuple, Sequence, TypeVar

import numpy as np
import torch.nn as nn

from ..checks import InputError
from ..training import TrainConfig

Arch = Hashable  # an architecture: an immutable tuple of choices
T = TypeVar("T")

__all__ = ["Arch", "SearchSpace", "SPACES", "Layout", "check_choice", "check_choices"]

#: Every space by its short name, filled as subclasses that set `name` are defined.
SPACES: dict[str, type["SearchSpace"]] = {}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class Layout(NamedTuple):
    """Where a plot puts every architecture of a space (`SearchSpace.plot_layout`): `archs`,
    every architecture once; `xy`, their 2-D positions (one row each); `grid`, whether they fill
    a square grid row by row (drawn as an image); the axis labels. Taught in lesson 02."""

    archs: tuple
    xy: np.ndarray
    grid: bool
    xlabel: str = ""
    ylabel: str = ""


def _tuples(value: Any) -> Any:
    """JSON's lists as tuples again, all the way down."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


class SearchSpace(ABC):
    """A finite set of architectures with the moves a search strategy needs.

    An architecture is an immutable, hashable tuple. Each has one string form
    (`to_string`) that `parse` reads back. Subclasses implement `enumerate`,
    `neighbors`, `decisions`, `decide`, `encode`, `to_string`, `parse`, `validate` and
    `build`, and define `default_config`; the rest follows from those. A subclass that sets
    `name` (lower case letters, digits, `_`) is registered in `SPACES` under it.
    """

    name: str = "space"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Register a subclass that sets its own `name`. Two different classes may not share
        a name; defining the same class again (a notebook cell run twice) replaces it."""
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            return
        name = cls.name
        if not isinstance(name, str) or not _NAME.match(name):
            raise InputError(f"{cls.__qualname__}.name must be a short lower-case name such as 'mlp' "
                             f"(letters, digits and _), got {name!r}")
        known = SPACES.get(name)
        if known is not None and (known.__module__, known.__qualname__) != (cls.__module__, cls.__qualname__):
            raise InputError(f"two spaces are named {name!r}: {known.__module__}.{known.__qualname__} and "
                             f"{cls.__module__}.{cls.__qualname__}; give {cls.__qualname__} another name "
                             f"(taken: {', '.join(SPACES)})")
        SPACES[name] = cls

    # -- the set ---------------------------------------------------------------------
    @abstractmethod
    def enumerate(self) -> Iterator[Arch]:
        """Every architecture of the space, in a fixed order."""

    @cached_property
    def _all(self) -> tuple:
        return tuple(self.enumerate())

    @cached_property
    def _index(self) -> dict:
        return {arch: i for i, arch in enumerate(self._all)}

    @property
    def size(self) -> int:
        """How many architectures the space holds (`len(list(space.enumerate()))`)."""
        return len(self._all)

    def __len__(self) -> int:
        return self.size

    def __contains__(self, arch: object) -> bool:
        try:
            self.validate(arch)  # refuses what merely compares equal, such as a width of 64.0
            return arch in self._index
        except (TypeError, ValueError):  # unhashable, or not an architecture of this space
            return False

    def index(self, arch: Arch) -> int:
        """Position of `arch` in `enumerate()` order."""
        self.validate(arch)
        return self._index[arch]

    # -- moves -----------------------------------------------------------------------
    def sample(self, rng: np.random.Generator) -> Arch:
        """One architecture drawn uniformly at random from the whole space."""
        return self._all[int(rng.integers(self.size))]

    @abstractmethod
    def neighbors(self, arch: Arch) -> list[Arch]:
        """Every architecture that differs from `arch` in exactly one decision."""

    def mutate(self, arch: Arch, rng: np.random.Generator) -> Arch:
        """A random neighbour: `arch` with one decision changed. Taught in lesson 05."""
        options = self.neighbors(arch)
        if not options:
            why = ("it holds a single architecture, so there is nothing to change to; give it more "
                   "choices" if self.size == 1 else "no single decision of it can change")
            raise ValueError(f"cannot mutate {self.to_string(arch)}: it has no neighbour in {self!r}: {why}")
        return options[int(rng.integers(len(options)))]

    @property
    @abstractmethod
    def decisions(self) -> list[tuple[str, tuple]]:
        """Every decision an architecture may make, as (name, options), in the order `decide`
        asks them. Taught in lesson 06 (a policy has one distribution per decision)."""

    @abstractmethod
    def decide(self, choose: Callable[[str, tuple], Any]) -> Arch:
        """Build an architecture by calling `choose(name, options)` for each decision in turn;
        later decisions may depend on earlier ones (an MLP asks for as many layers as its
        depth). A policy, an Optuna trial or a person can be `choose`. Taught in lesson 06."""

    def crossover(self, a: Arch, b: Arch, rng: np.random.Generator) -> Arch:
        """A child mixing the decisions of parents `a` and `b`. Taught in lesson 05."""
        raise NotImplementedError(f"{type(self).__name__} has no crossover")

    def canonical(self, arch: Arch) -> Arch:
        """One representative for all architectures that compute the same function.

        The default treats every architecture as distinct.
        """
        self.validate(arch)
        return arch

    @cached_property
    def unique(self) -> tuple:
        """The canonical architectures, one per class of equivalent ones, in `enumerate()` order."""
        seen = dict.fromkeys(self.canonical(a) for a in self._all)
        return tuple(sorted(seen, key=self._index.__getitem__))

    # -- representations -------------------------------------------------------------
    @abstractmethod
    def encode(self, arch: Arch) -> np.ndarray:
        """A fixed-length one-hot vector of the architecture's decisions (float32)."""

    @abstractmethod
    def to_string(self, arch: Arch) -> str:
        """The architecture's one string form; `parse(to_string(a)) == a`."""

    @abstractmethod
    def parse(self, text: str) -> Arch:
        """Read back a string made by `to_string`; raise `ValueError` if it is not one."""

    @abstractmethod
    def validate(self, arch: Arch) -> None:
        """Raise `ValueError` saying what is wrong if `arch` is not in this space."""

    @abstractmethod
    def build(self, arch: Arch, num_features: int, num_classes: int) -> nn.Module:
        """A fresh, untrained PyTorch network for `arch` (inputs of shape (batch, num_features))."""

    # -- what is particular to the space ---------------------------------------------
    def default_config(self) -> TrainConfig:
        """The training protocol the space's architectures are trained under by default: a
        benchmark of the space is built with it, `LiveEvaluator` uses it (shortened in fast
        mode, see `nastutor.evaluators.default_config`). Every space states its own; there is no
        protocol that suits all. Taught in lesson 03.

        >>> from nastutor.spaces import CellSpace
        >>> CellSpace().default_config().epochs
        12
        """
        raise NotImplementedError(
            f"{type(self).__name__} has no default training protocol: define its default_config() "
            "returning a TrainConfig such as TrainConfig(epochs=10, lr=0.01), or pass config= to the "
            "evaluator")

    def config(self) -> dict[str, Any]:
        """The space's settings as JSON-ready constructor arguments: `from_config(config)`
        rebuilds it (lists stand for tuples). Logs and benchmarks record it, so a search log
        written on one space refuses to resume on another."""
        return {}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "SearchSpace":
        """The space whose `config()` is `config` (as read back from JSON: its lists become
        tuples). A benchmark rebuilds its space with `SPACES[meta["space"]].from_config(...)`.

        >>> from nastutor.spaces import MLPSpace
        >>> MLPSpace.from_config({"widths": [8, 16], "activations": ["relu"], "max_depth": 2})
        MLPSpace(widths=(8, 16), activations=('relu',), max_depth=2)
        """
        if inspect.isabstract(cls):
            raise InputError(f"from_config needs a space class such as CellSpace or SPACES['cell'], "
                             f"not the abstract {cls.__name__}")
        if not isinstance(config, Mapping) or not all(isinstance(key, str) for key in config):
            raise InputError(f"config must be a dict of {cls.__name__}'s settings such as "
                             f"{cls.__name__}().config(), got {config!r}")
        parameters = inspect.signature(cls).parameters
        if not any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
            unknown = [key for key in config if key not in parameters]
            if unknown:
                raise InputError(f"{cls.__name__} has no setting {', '.join(map(repr, unknown))}; its "
                                 f"settings are: {', '.join(parameters) or 'none'}")
        return cls(**{key: _tuples(value) for key, value in config.items()})

    def plot_layout(self) -> Layout | None:
        """Where plots place the architectures (`nastutor.plots.layout`), or None: then they are
        placed by multidimensional scaling of their encodings. Taught in lesson 02."""
        return None

    def choices(self, arch: Arch) -> dict[str, Any]:
        """The option each decision took in `arch`, by the names of `decisions` (the inverse
        of `decide`); plots group architectures by them. Taught in lesson 06."""
        raise NotImplementedError(f"{type(self).__name__} does not list an architecture's choices")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size})"


def check_choice(value: object, allowed: Sequence, what: str) -> None:
    """Raise `ValueError` naming the allowed values if `value` is not one of them."""
    if value not in allowed:
        raise InputError(f"{what} {value!r} is not allowed; choose one of: "
                         + ", ".join(map(str, allowed)))


def check_choices(values: object, name: str, check_one: Callable[[object], T], example: str) -> tuple[T, ...]:
    """The options of one decision as a tuple: an iterable (not a string) of at least one value,
    each passed through `check_one`, none repeated (a repeated option would count the same
    architectures twice). `example` shows what is allowed, such as "(16, 32, 64)"."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InputError(f"{name} must be a tuple of distinct {name} such as {example}, got {values!r}")
    options = tuple(check_one(v) for v in values)
    if not options:
        raise InputError(f"{name} must name at least one option, such as {example}")
    repeated = sorted({str(v) for v in options if options.count(v) > 1})
    if repeated:
        raise InputError(f"{name} must be distinct (a repeated option counts the same architectures "
                         f"twice); repeated: {', '.join(repeated)}")
    return options
