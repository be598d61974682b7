"""The `SearchSpace` interface every space implements.

Taught in lesson 02 (search spaces).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from functools import cached_property
from typing import Any, Callable, Hashable, Iterator, Sequence, TypeVar

import numpy as np
import torch.nn as nn

from ..checks import InputError

Arch = Hashable  # an architecture: an immutable tuple of choices
T = TypeVar("T")

__all__ = ["Arch", "SearchSpace", "check_choice", "check_choices"]


class SearchSpace(ABC):
    """A finite set of architectures with the moves a search strategy needs.

    An architecture is an immutable, hashable tuple. Each has one string form
    (`to_string`) that `parse` reads back. Subclasses implement `enumerate`,
    `neighbors`, `encode`, `to_string`, `parse`, `validate` and `build`; the rest
    follows from those.
    """

    name: str = "space"

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

    def config(self) -> dict[str, Any]:
        """The space's settings as JSON-ready constructor arguments: `type(space)(**config)`
        rebuilds it (lists stand for tuples). Logs and benchmarks record it, so a search log
        written on one space refuses to resume on another."""
        return {}

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
