"""The supernet: one network that holds every cell of `CellSpace`, with shared weights.

Taught in lesson 09 (weight sharing). Every edge of every cell holds all operations at once
(a `MixedEdge`: one `conv3` with its own weights, `skip`, `avgpool3`; `none` is the absence of a
term). The macro skeleton around the cells is that of the benchmark's networks
(`nastutor.spaces.cell.CellNetwork`): stem conv, `cells` cells, a stride-2 reduction that doubles
the channels, `cells` cells, global average pooling, a linear classifier. The supernet runs in
two ways:

- **one path** (`supernet(x, arch=cell)`): only the chosen operation of each edge runs, with dead
  edges pruned as `CellSpace.build` prunes them: the same function as the stand-alone network of
  that cell, given the same weights (single-path training, SPOS);
- **mixed** (`supernet(x, weights=w)`): every edge outputs sum_k w[e, k] * op_k(x), with `w` a
  (6 edges x 4 operations) tensor such as softmax(alpha) (DARTS' continuous relaxation).

    >>> import torch
    >>> from nastutor.spaces import CellSpace
    >>> net = Supernet(CellSpace(), num_features=40, num_classes=10)
    >>> x = torch.randn(8, 40)
    >>> net(x, arch=("conv3",) * 6).shape, net(x, weights=torch.full((6, 4), 0.25)).shape
    (torch.Size([8, 10]), torch.Size([8, 10]))
"""
from __future__ import annotations

import torch
import torch.nn as nn

from ..checks import InputError, check_int
from ..spaces import Arch, CellSpace
from ..spaces.cell import EDGES, OPS, make_op, prune

__all__ = ["MixedEdge", "SuperCell", "Supernet", "OPS", "EDGES"]


class MixedEdge(nn.Module):
    """One edge holding every operation (`ops`, by name; `none` holds nothing and gives zero).

        >>> import torch
        >>> edge = MixedEdge(4)
        >>> x = torch.randn(2, 4, 10)
        >>> bool(torch.equal(edge(x, torch.tensor([0.0, 1.0, 0.0, 0.0])), x))   # one-hot on skip
        True
    """

    def __init__(self, channels: int):
        super().__init__()
        self.ops = nn.ModuleDict({op: make_op(op, channels) for op in OPS if op != "none"})

    def path(self, x: torch.Tensor, op: str) -> torch.Tensor:
        """The output of operation `op` alone (`none`: zeros)."""
        return torch.zeros_like(x) if op == "none" else self.ops[op](x)

    def forward(self, x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """sum over the operations k of weights[k] * op_k(x), in `OPS` order (`none` adds zero)."""
        out = torch.zeros_like(x)
        for k, op in enumerate(OPS):
            if op != "none":
                out = out + weights[k] * self.ops[op](x)
        return out


class SuperCell(nn.Module):
    """A cell whose 6 edges are `MixedEdge`s: node j sums its incoming edges, as in `Cell`."""

    def __init__(self, channels: int):
        super().__init__()
        self.edges = nn.ModuleList(MixedEdge(channels) for _ in EDGES)

    def forward(self, x: torch.Tensor, arch: Arch | None = None, weights: torch.Tensor | None = None) -> torch.Tensor:
        nodes = [x]
        for j in (1, 2, 3):
            if arch is not None:   # one path: the same sum, in the same order, as `Cell.forward`
                terms = [self.edges[e].path(nodes[i], arch[e]) for e, (i, t) in enumerate(EDGES)
                         if t == j and arch[e] != "none"]
                nodes.append(torch.stack(terms).sum(0) if terms else torch.zeros_like(x))
            else:
                nodes.append(sum(self.edges[e](nodes[i], weights[e]) for e, (i, t) in enumerate(EDGES) if t == j))
        return nodes[3]


class Supernet(nn.Module):
    """Every cell of `space` (a `CellSpace`) in one network, in the benchmark networks' skeleton.

    Call it with `arch=` (one cell: a single path, dead edges pruned) or `weights=` (a 6 x 4 tensor
    of mixing weights, one row per edge, columns in `OPS` order), never both. The same cell (or
    the same weights) is used in every cell position, as in the benchmark's networks.
    """

    def __init__(self, space: CellSpace, num_features: int, num_classes: int):
        super().__init__()
        if not isinstance(space, CellSpace):
            raise InputError(f"a supernet is built for a CellSpace such as CellSpace(), got {space!r}")
        self.space = space
        self.num_features = check_int(num_features, "num_features", minimum=1)
        self.num_classes = check_int(num_classes, "num_classes", minimum=2)
        c = space.channels
        self.stem = nn.Sequential(nn.Conv1d(1, c, 3, padding=1, bias=False), nn.BatchNorm1d(c))
        self.stage1 = nn.ModuleList(SuperCell(c) for _ in range(space.cells))
        self.reduce = nn.Sequential(nn.ReLU(), nn.Conv1d(c, 2 * c, 3, stride=2, padding=1, bias=False),
                                    nn.BatchNorm1d(2 * c))
        self.stage2 = nn.ModuleList(SuperCell(2 * c) for _ in range(space.cells))
        self.head = nn.Sequential(nn.ReLU(), nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(2 * c, num_classes))

    def check_weights(self, weights: object) -> torch.Tensor:
        """`weights` if it is a float tensor of shape (6 edges, 4 operations), else a clear error."""
        shape = (len(EDGES), len(OPS))
        if not isinstance(weights, torch.Tensor) or tuple(weights.shape) != shape or not weights.is_floating_point():
            raise InputError(f"weights must be a float tensor of shape {shape} (one row per edge, columns "
                             f"{', '.join(OPS)}), such as torch.softmax(alpha, dim=1); got {weights!r}")
        return weights

    def forward(self, x: torch.Tensor, arch: Arch | None = None, weights: torch.Tensor | None = None) -> torch.Tensor:
        if (arch is None) == (weights is None):
            raise InputError("give exactly one of arch= (a cell: one path) or weights= (a 6 x 4 tensor: "
                             "the mixture of DARTS)")
        if arch is not None:
            self.space.validate(arch)
            arch = prune(arch)   # dead edges do not run, as in CellSpace.build
        else:
            weights = self.check_weights(weights)
        x = self.stem(x.reshape(x.shape[0], 1, -1))
        for cell in self.stage1:
            x = cell(x, arch, weights)
        x = self.reduce(x)
        for cell in self.stage2:
            x = cell(x, arch, weights)
        return self.head(x)

    def path_modules(self, arch: Arch) -> list[nn.Module]:
        """The modules that one path runs: the stem, the reduction, the head, and the operations of
        the live edges of `arch` in every cell (the weights a stand-alone network of `arch` has)."""
        self.space.validate(arch)
        arch = prune(arch)
        ops = [cell.edges[e].ops[op] for cell in (*self.stage1, *self.stage2)
               for e, op in enumerate(arch) if op != "none"]
        return [self.stem, self.reduce, self.head, *ops]
