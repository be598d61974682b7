"""`CellSpace`: a NAS-Bench-201-style cell for 1-D signals.

Taught in lesson 02 (search spaces). A cell is a small directed acyclic graph with 4 nodes:
node 0 is the cell's input, node 3 its output, and every node j sums one operation applied
to each earlier node i (edge i -> j). The 6 edges each choose one of 4 operations, so the
space holds 4**6 = 4096 cells. The network stacks cells in a fixed macro skeleton:

    stem conv -> `cells` cells -> downsample (stride 2, channels x2) -> `cells` cells
    -> global average pooling -> linear classifier

An architecture is the tuple of the 6 edge operations, in NAS-Bench-201's edge order
(1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2); its string form is NAS-Bench-201's:

    >>> space = CellSpace()
    >>> space.to_string(("conv3", "skip", "conv3", "none", "avgpool3", "skip"))
    '|conv3~0|+|skip~0|conv3~1|+|none~0|avgpool3~1|skip~2|'
"""
from __future__ import annotations

import itertools
import re
from collections import defaultdict
from functools import cached_property
from typing import Any, Callable, Iterator

import numpy as np
import torch
import torch.nn as nn

from ..checks import check_int
from ..training import TrainConfig
from .base import Layout, SearchSpace, check_choice

__all__ = ["CellSpace", "OPS", "EDGES", "Cell", "CellNetwork", "gray_code", "prune"]

#: The operation an edge may choose.
OPS: tuple[str, ...] = ("none", "skip", "conv3", "avgpool3")
#: The edges (source node, target node), in NAS-Bench-201's order.
EDGES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))
_STRING = re.compile(r"^\|([a-z0-9]+)~0\|\+\|([a-z0-9]+)~0\|([a-z0-9]+)~1\|\+"
                     r"\|([a-z0-9]+)~0\|([a-z0-9]+)~1\|([a-z0-9]+)~2\|$")


class AvgPool3(nn.Module):
    """Average over a window of 3 (stride 1, edges averaged over the values that exist): the
    same numbers as `nn.AvgPool1d(3, 1, 1, count_include_pad=False)`, about 4x faster on CPU."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        padded = nn.functional.pad(x, (1, 1))
        total = padded[..., :-2] + padded[..., 1:-1] + padded[..., 2:]
        count = torch.full((x.shape[-1],), 3.0, dtype=x.dtype, device=x.device)
        count[0] = count[-1] = 2.0
        return total / count


def make_op(name: str, channels: int) -> nn.Module | None:
    """The module of one edge. `conv3` is ReLU -> conv (kernel 3) -> batch norm without affine
    parameters, so that an operation applied to an all-zero node gives exactly zero."""
    if name == "none":
        return None
    if name == "skip":
        return nn.Identity()
    if name == "conv3":
        return nn.Sequential(nn.ReLU(), nn.Conv1d(channels, channels, 3, padding=1, bias=False),
                             nn.BatchNorm1d(channels, affine=False))
    return AvgPool3()


class Cell(nn.Module):
    """One cell: node j = sum over earlier nodes i of op(i -> j)(node i); returns node 3."""

    def __init__(self, arch: tuple[str, ...], channels: int):
        super().__init__()
        self.arch = tuple(arch)
        self.ops = nn.ModuleList(make_op(op, channels) or nn.Identity() for op in arch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes = [x]
        for j in (1, 2, 3):
            terms = [self.ops[e](nodes[i]) for e, (i, t) in enumerate(EDGES)
                     if t == j and self.arch[e] != "none"]
            nodes.append(torch.stack(terms).sum(0) if terms else torch.zeros_like(x))
        return nodes[3]


class CellNetwork(nn.Module):
    """The macro skeleton around the cells (see the module docstring)."""

    def __init__(self, arch: tuple[str, ...], channels: int, cells: int, num_classes: int):
        super().__init__()
        c = channels
        self.stem = nn.Sequential(nn.Conv1d(1, c, 3, padding=1, bias=False), nn.BatchNorm1d(c))
        self.stage1 = nn.Sequential(*(Cell(arch, c) for _ in range(cells)))
        self.reduce = nn.Sequential(nn.ReLU(), nn.Conv1d(c, 2 * c, 3, stride=2, padding=1, bias=False),
                                    nn.BatchNorm1d(2 * c))
        self.stage2 = nn.Sequential(*(Cell(arch, 2 * c) for _ in range(cells)))
        self.head = nn.Sequential(nn.ReLU(), nn.AdaptiveAvgPool1d(1), nn.Flatten(),
                                  nn.Linear(2 * c, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x.reshape(x.shape[0], 1, -1))
        return self.head(self.stage2(self.reduce(self.stage1(x))))


def live_edges(arch: tuple[str, ...]) -> list[bool]:
    """Which edges can change the cell's output: not `none`, fed from the input through
    non-`none` edges, and leading on to the output. Taught in lesson 02."""
    from_input, to_output = {0}, {3}
    for e, (i, j) in enumerate(EDGES):  # EDGES is in topological order
        if arch[e] != "none" and i in from_input:
            from_input.add(j)
    for e, (i, j) in reversed(list(enumerate(EDGES))):
        if arch[e] != "none" and j in to_output:
            to_output.add(i)
    return [arch[e] != "none" and i in from_input and j in to_output
            for e, (i, j) in enumerate(EDGES)]


def prune(arch: tuple[str, ...]) -> tuple[str, ...]:
    """`arch` with its dead edges (see `live_edges`) set to `none`: the same function, without
    the operations that cannot reach the output. `CellSpace.build` builds this, so a dead
    convolution costs no parameters and no time, live or in a benchmark's table (whose rows are
    canonical cells, which have no dead edges). Taught in lesson 02.

    >>> prune(("conv3", "none", "none", "none", "conv3", "conv3"))   # node 2 gets no input
    ('conv3', 'none', 'none', 'none', 'conv3', 'none')
    """
    return tuple(op if live else "none" for op, live in zip(arch, live_edges(arch)))


def gray_code(base: int, digits: int) -> list[tuple[int, ...]]:
    """Every `digits`-long number in `base`, ordered so that neighbours differ in one digit
    (a reflected Gray code). Taught in lesson 02 (the landscape's grid).

    >>> gray_code(2, 2)
    [(0, 0), (0, 1), (1, 1), (1, 0)]
    """
    if digits == 0:
        return [()]
    inner = gray_code(base, digits - 1)
    return [(d, *rest) for d in range(base) for rest in (inner if d % 2 == 0 else inner[::-1])]


def function_signature(arch: tuple[str, ...]) -> tuple:
    """A value equal for two cells exactly when they compute the same function, given
    matching weights. Taught in lesson 02.

    Each node's value is written as a sorted list of terms, such as ``conv3(x)``: dead edges
    are dropped, `skip` passes its input's terms through unchanged, and sorting makes the
    order of a sum (and so the numbering of the two middle nodes) irrelevant. Because the
    same term may come from one shared convolution or from two separate ones, the signature
    also lists the convolutions the cell holds.

    >>> function_signature(("conv3", "none", "none", "none", "skip", "none"))
    (('conv3(x)',), ('conv3(x)',))
    """
    live = live_edges(arch)
    value: dict[int, tuple[str, ...]] = {0: ("x",)}
    convs: list[str] = []
    for j in (1, 2, 3):
        terms: list[str] = []
        for e, (i, t) in enumerate(EDGES):
            if t != j or not live[e]:
                continue
            if arch[e] == "skip":
                terms += value[i]
            else:
                terms.append(f"{arch[e]}({'+'.join(value[i])})")
                if arch[e] == "conv3":
                    convs.append(terms[-1])
        value[j] = tuple(sorted(terms))
    return value[3], tuple(sorted(convs))


class CellSpace(SearchSpace):
    """NAS-Bench-201-style cells (4 nodes, 6 edges, ops none / skip / conv3 / avgpool3) in a
    small 1-D network with `channels` channels and `cells` cells per stage."""

    name = "cell"

    def __init__(self, channels: int = 16, cells: int = 1):
        self.channels = check_int(channels, "channels", minimum=1)
        self.cells = check_int(cells, "cells", minimum=1)

    def default_config(self) -> TrainConfig:
        """12 epochs of Adam at peak learning rate 0.01, one-cycle schedule, batch 256: the
        protocol of the shipped benchmark `cell-mnist1d`. Taught in lesson 03."""
        return TrainConfig(epochs=12, lr=0.01)

    def config(self) -> dict[str, Any]:
        return {"channels": self.channels, "cells": self.cells}

    def plot_layout(self) -> Layout:
        """A 64 x 64 grid of all 4096 cells: the column is chosen by the three edges into the
        output node, the row by the three edges into nodes 1 and 2, both in Gray-code order, so
        cells that differ in one edge are in the same row or column. Taught in lesson 02."""
        order = gray_code(len(OPS), 3)
        archs = tuple(tuple(OPS[k] for k in (*low, *high)) for low in order for high in order)
        n = len(order)
        xy = np.array([(i % n, i // n) for i in range(len(archs))], dtype=float)
        return Layout(archs, xy, True, "edges into the output node (3<-0, 3<-1, 3<-2), Gray-code order",
                      "edges into nodes 1 and 2, Gray-code order")

    def choices(self, arch) -> dict[str, str]:
        """The operation of each edge, by decision name ("edge 1<-0": "conv3", ...)."""
        self.validate(arch)
        return {name: op for (name, _), op in zip(self.decisions, arch)}

    def enumerate(self) -> Iterator[tuple[str, ...]]:
        yield from itertools.product(OPS, repeat=len(EDGES))

    def validate(self, arch) -> None:
        if not isinstance(arch, tuple) or len(arch) != len(EDGES):
            raise ValueError(f"a cell is a tuple of {len(EDGES)} edge operations "
                             f"(edges {', '.join(f'{j}<-{i}' for i, j in EDGES)}), got {arch!r}")
        for e, op in enumerate(arch):
            check_choice(op, OPS, f"operation on edge {EDGES[e][1]}<-{EDGES[e][0]}")

    def neighbors(self, arch) -> list[tuple[str, ...]]:
        """Change the operation on one edge (6 edges x 3 other operations = 18 neighbours)."""
        self.validate(arch)
        return [arch[:e] + (op,) + arch[e + 1:] for e in range(len(EDGES)) for op in OPS
                if op != arch[e]]

    @property
    def decisions(self) -> list[tuple[str, tuple]]:
        return [(f"edge {j}<-{i}", OPS) for i, j in EDGES]

    def decide(self, choose: Callable[[str, tuple], Any]) -> tuple[str, ...]:
        """Choose the operation of each edge in turn."""
        arch = tuple(choose(name, options) for name, options in self.decisions)
        self.validate(arch)
        return arch

    def crossover(self, a, b, rng: np.random.Generator) -> tuple[str, ...]:
        """Uniform crossover: each edge takes its operation from `a` or `b` with equal chance."""
        self.validate(a)
        self.validate(b)
        return tuple(x if pick else y for x, y, pick in zip(a, b, rng.random(len(EDGES)) < 0.5))

    @cached_property
    def _canonical(self) -> dict[tuple, tuple]:
        classes: dict[tuple, list[tuple]] = defaultdict(list)
        for arch in self._all:
            classes[function_signature(arch)].append(arch)
        rep = {}
        for members in classes.values():
            # the representative: fewest operations, then first in enumerate() order
            best = min(members, key=lambda a: (sum(op != "none" for op in a), self._index[a]))
            rep.update(dict.fromkeys(members, best))
        return rep

    def canonical(self, arch) -> tuple[str, ...]:
        """The representative of the cells that compute the same function as `arch`
        (see `function_signature`): dead edges removed, middle nodes put in order,
        skip connections folded. Taught in lesson 02."""
        self.validate(arch)
        return self._canonical[arch]

    def encode(self, arch) -> np.ndarray:
        """6 edges x 4 operations, one-hot (24 numbers)."""
        self.validate(arch)
        vec = np.zeros((len(EDGES), len(OPS)), dtype=np.float32)
        vec[np.arange(len(EDGES)), [OPS.index(op) for op in arch]] = 1
        return vec.ravel()

    def to_string(self, arch) -> str:
        self.validate(arch)
        a = arch
        return f"|{a[0]}~0|+|{a[1]}~0|{a[2]}~1|+|{a[3]}~0|{a[4]}~1|{a[5]}~2|"

    def parse(self, text: str) -> tuple[str, ...]:
        match = _STRING.match(text) if isinstance(text, str) else None
        if not match:
            raise ValueError(f"cannot read {text!r} as a cell; a cell string looks like "
                             f"'|conv3~0|+|skip~0|conv3~1|+|none~0|avgpool3~1|skip~2|' "
                             f"with operations from: {', '.join(OPS)}")
        arch = match.groups()
        self.validate(arch)
        return arch

    def build(self, arch, num_features: int, num_classes: int) -> nn.Module:
        """The network of `arch` without its dead edges (`prune`): a raw cell costs what its
        canonical form costs, live as in a benchmark's table. Taught in lesson 02."""
        self.validate(arch)
        return CellNetwork(prune(arch), self.channels, self.cells, num_classes)

    def __repr__(self) -> str:
        return f"CellSpace(channels={self.channels}, cells={self.cells})"
