"""`MLPSpace`: the source text's random-search example, generalised.

Taught in lesson 02 (search spaces). The source text searched three configurations of a
one-hidden-layer network (16 units + ReLU, 32 + Tanh, 64 + ELU). Here every hidden layer
chooses its own width and activation, and there are 1 to `max_depth` hidden layers:
with widths (16, 32, 64), activations (relu, tanh, elu) and up to 3 layers, the space holds
9 + 9**2 + 9**3 = 819 architectures.

An architecture is a tuple of (width, activation) pairs, one per hidden layer:

    >>> space = MLPSpace()
    >>> arch = space.parse("64relu-32tanh")
    >>> arch
    ((64, 'relu'), (32, 'tanh'))
    >>> space.size
    819
"""
from __future__ import annotations

import itertools
import re
from typing import Any, Callable, Iterator

import numpy as np
import torch.nn as nn

from ..checks import InputError, check_int
from ..training import TrainConfig
from .base import SearchSpace, check_choice, check_choices

__all__ = ["MLPSpace", "ACTIVATIONS"]

#: The activation functions a layer may choose, by name.
ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU, "tanh": nn.Tanh, "elu": nn.ELU, "gelu": nn.GELU,
    "sigmoid": nn.Sigmoid, "identity": nn.Identity,
}

_LAYER = re.compile(r"^(\d+)([a-z]+)$")


def _activation(name: object) -> str:
    """`name` as a plain `str` if it names one of `ACTIVATIONS`, else a clear error."""
    check_choice(name, tuple(ACTIVATIONS), "activation")
    return str(name)


class MLPSpace(SearchSpace):
    """Multi-layer perceptrons: 1 to `max_depth` hidden layers, each with its own width and
    activation, then a linear classifier."""

    name = "mlp"

    def __init__(self, widths: tuple[int, ...] = (16, 32, 64),
                 activations: tuple[str, ...] = ("relu", "tanh", "elu"), max_depth: int = 3):
        self.widths: tuple[int, ...] = check_choices(
            widths, "widths", lambda w: check_int(w, "each of widths", minimum=1), "(16, 32, 64)")
        self.activations: tuple[str, ...] = check_choices(activations, "activations", _activation,
                                                          "('relu', 'tanh')")
        self.max_depth: int = check_int(max_depth, "max_depth", minimum=1)

    def default_config(self) -> TrainConfig:
        """50 epochs of Adam at peak learning rate 0.02, one-cycle schedule, batch 256: the
        protocol of the shipped benchmark `mlp-mnist1d`. Taught in lesson 03."""
        return TrainConfig(epochs=50, lr=0.02)

    def config(self) -> dict[str, Any]:
        return {"widths": list(self.widths), "activations": list(self.activations), "max_depth": self.max_depth}

    def choices(self, arch) -> dict[str, Any]:
        """The depth, then each layer's width and activation, by decision name.

        >>> MLPSpace().choices(((64, "relu"),))
        {'depth': 1, 'width 1': 64, 'activation 1': 'relu'}
        """
        self.validate(arch)
        out: dict[str, Any] = {"depth": len(arch)}
        for i, (width, act) in enumerate(arch, start=1):
            out.update({f"width {i}": width, f"activation {i}": act})
        return out

    @property
    def layer_choices(self) -> list[tuple[int, str]]:
        """The (width, activation) choices of one hidden layer."""
        return list(itertools.product(self.widths, self.activations))

    def enumerate(self) -> Iterator[tuple]:
        for depth in range(1, self.max_depth + 1):
            yield from itertools.product(self.layer_choices, repeat=depth)

    def validate(self, arch) -> None:
        if not isinstance(arch, tuple) or not 1 <= len(arch) <= self.max_depth:
            raise ValueError(f"an MLP architecture is a tuple of 1 to {self.max_depth} "
                             f"(width, activation) pairs, got {arch!r}")
        for layer in arch:
            if not isinstance(layer, tuple) or len(layer) != 2:
                raise ValueError(f"each layer is a (width, activation) pair, got {layer!r}")
            if isinstance(layer[0], (bool, np.bool_)) or not isinstance(layer[0], (int, np.integer)):
                raise InputError(f"width {layer[0]!r} is not allowed: a width is a whole number, one of: "
                                 + ", ".join(map(str, self.widths)))
            check_choice(layer[0], self.widths, "width")
            check_choice(layer[1], self.activations, "activation")

    def neighbors(self, arch) -> list[tuple]:
        """Change one layer's width or activation, add a layer at the end, or remove one."""
        self.validate(arch)
        out = []
        for i, (width, act) in enumerate(arch):
            out += [arch[:i] + ((w, act),) + arch[i + 1:] for w in self.widths if w != width]
            out += [arch[:i] + ((width, a),) + arch[i + 1:] for a in self.activations if a != act]
        if len(arch) < self.max_depth:
            out += [arch + (layer,) for layer in self.layer_choices]
        if len(arch) > 1:
            out += list(dict.fromkeys(arch[:i] + arch[i + 1:] for i in range(len(arch))))
        return out

    @property
    def decisions(self) -> list[tuple[str, tuple]]:
        out: list[tuple[str, tuple]] = [("depth", tuple(range(1, self.max_depth + 1)))]
        for i in range(1, self.max_depth + 1):
            out += [(f"width {i}", self.widths), (f"activation {i}", self.activations)]
        return out

    def decide(self, choose: Callable[[str, tuple], Any]) -> tuple:
        """Choose the depth, then a width and an activation for each layer."""
        depth = choose("depth", tuple(range(1, self.max_depth + 1)))
        arch = tuple((choose(f"width {i}", self.widths), choose(f"activation {i}", self.activations))
                     for i in range(1, depth + 1))
        self.validate(arch)
        return arch

    def crossover(self, a, b, rng: np.random.Generator) -> tuple:
        """One-point crossover of two layer lists: the first layers of `a`, the last of `b`."""
        self.validate(a)
        self.validate(b)
        i, j = int(rng.integers(1, len(a) + 1)), int(rng.integers(0, len(b)))
        child = (a[:i] + b[j:])[: self.max_depth]
        return child

    def encode(self, arch) -> np.ndarray:
        """One-hot depth, then for each layer slot one-hot width and activation (zeros if unused)."""
        self.validate(arch)
        nw, na = len(self.widths), len(self.activations)
        vec = np.zeros(self.max_depth + self.max_depth * (nw + na), dtype=np.float32)
        vec[len(arch) - 1] = 1
        for i, (width, act) in enumerate(arch):
            base = self.max_depth + i * (nw + na)
            vec[base + self.widths.index(width)] = 1
            vec[base + nw + self.activations.index(act)] = 1
        return vec

    def to_string(self, arch) -> str:
        self.validate(arch)
        return "-".join(f"{w}{a}" for w, a in arch)

    def parse(self, text: str) -> tuple:
        if not isinstance(text, str) or not text:
            raise ValueError(f"an MLP architecture string looks like '64relu-32tanh', got {text!r}")
        layers = []
        for part in text.split("-"):
            match = _LAYER.match(part)
            if not match:
                raise ValueError(f"cannot read layer {part!r} of {text!r}: each layer is a width "
                                 f"then an activation, such as '64relu'")
            layers.append((int(match.group(1)), match.group(2)))
        arch = tuple(layers)
        self.validate(arch)
        return arch

    def build(self, arch, num_features: int, num_classes: int) -> nn.Module:
        self.validate(arch)
        layers: list[nn.Module] = []
        fan_in = num_features
        for width, act in arch:
            layers += [nn.Linear(fan_in, width), ACTIVATIONS[act]()]
            fan_in = width
        layers.append(nn.Linear(fan_in, num_classes))
        return nn.Sequential(nn.Flatten(), *layers)

    def __repr__(self) -> str:
        return (f"MLPSpace(widths={self.widths}, activations={self.activations}, "
                f"max_depth={self.max_depth})")
