"""Zero-cost proxies: score an untrained network from one minibatch, in milliseconds.

Taught in lesson 10 (estimating without training). A proxy looks at a network at initialisation
(built under an `init_seed`, as training would start it) and at one minibatch of the training
split (the first minibatch training under `minibatch` would draw), and returns one number that
should rank architectures as training would. Each proxy is a function `proxy(model, x, y) ->
float`, listed in `PROXIES`:

- `params`, `macs`: the size and the compute of the network (the baselines to beat);
- `grad_norm`, `snip`, `synflow`, `fisher`, `jacob_cov`: as Abdelfattah et al. (2021) computed
  them ("Zero-cost proxies for lightweight NAS", ICLR), each following its own paper;
- `synflow_bn`: synflow with the batch norms left in (the way it fails);
- `naswot`: the activation-pattern kernel of Mellor et al. (2021), "NAS without training".

Every distinct cell of the cell benchmarks is scored once and shipped as a side table
(`<benchmark>.proxies.csv.gz`, rebuilt by ``python -m nastutor.proxies build cell-mnist1d``),
so the lesson looks the scores up; `ProxyEvaluator` lets `run_search` rank candidates by a
proxy, charging the seconds the proxy took.

    >>> from nastutor.benchmark import Benchmark
    >>> bench = Benchmark.load("cell-mnist1d")
    >>> score, seconds = measure("synflow", bench, ("conv3",) * 6)
    >>> score > measure("synflow", bench, ("skip",) * 6)[0]       # convolutions carry more flow
    True
    >>> table = proxy_scores("cell-mnist1d", "synflow")          # every distinct cell, looked up
    >>> len(table) == len(bench), bool(np.isclose(table[bench.space.to_string(("conv3",) * 6)], score))
    (True, True)
"""
from __future__ import annotations

import copy
import json
import math
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from scipy import stats
from tqdm.auto import tqdm

from .benchmark import Benchmark, count_macs
from .benchmark.build import _write_table
from .checks import InputError, check_int, check_path, check_seed
from .data import DATASETS, Dataset, data_dir, load_dataset
from .evaluators import Evaluator
from .files import atomic_write
from .manifest import fix_hint, read_manifest, sha256_of, write_manifest
from .records import Evaluation
from .spaces import Arch, SearchSpace
from .training import count_parameters

__all__ = ["PROXIES", "params", "macs", "grad_norm", "snip", "synflow", "synflow_bn", "fisher", "jacob_cov",
           "naswot", "get_proxy", "init_network", "minibatch", "measure", "to_unit", "ProxyEvaluator",
           "VARIANTS", "build_proxy_table", "load_proxy_table", "proxy_scores", "proxy_correlations",
           "rebuild_proxies_command"]

Tensor = torch.Tensor
#: The layers whose weights the proxies score (Abdelfattah et al.'s "prunable" layers).
WEIGHTED = (nn.Conv1d, nn.Conv2d, nn.Linear)


# -- the proxies: each a function of a network and one minibatch --------------------------------

def params(model: nn.Module, x: Tensor, y: Tensor) -> float:
    """The number of trainable parameters: the baseline every proxy must beat (White et al.
    2022; ZiCo, Li et al. 2023). The minibatch is not used. Taught in lesson 10.

    >>> params(nn.Linear(4, 3), torch.zeros(2, 4), torch.zeros(2, dtype=torch.long))
    15.0
    """
    _check(model, x, y)
    return float(count_parameters(model))


def macs(model: nn.Module, x: Tensor, y: Tensor) -> float:
    """Multiply-accumulates of one forward pass of one input (`count_macs`, as the benchmarks
    record them): the compute, a second size baseline. Taught in lesson 10.

    >>> macs(nn.Linear(4, 3), torch.zeros(2, 4), torch.zeros(2, dtype=torch.long))
    12.0
    """
    x, y = _check(model, x, y)
    return float(count_macs(model, x.shape[1]))


def grad_norm(model: nn.Module, x: Tensor, y: Tensor) -> float:
    """Sum over the weighted layers of the Euclidean norm of the loss's gradient with respect to
    the layer's weights, at initialisation (Abdelfattah et al. 2021): a network whose loss
    responds strongly to its weights should learn fast. Taught in lesson 10.

    >>> _ = torch.manual_seed(0)
    >>> grad_norm(nn.Linear(4, 3), torch.ones(2, 4), torch.tensor([0, 1])) > 0
    True
    """
    model, x, y = _prepare(model, x, y)
    weights = _weights(model)
    grads = torch.autograd.grad(nn.functional.cross_entropy(model(x), y), weights, allow_unused=True)
    return float(sum(g.norm() for g in grads if g is not None))


def snip(model: nn.Module, x: Tensor, y: Tensor) -> float:
    """Connection sensitivity (SNIP, Lee et al. 2019), summed over every weight as Abdelfattah
    et al. (2021) do: |w * dL/dw|, how much the loss would change if the weight were removed.
    Taught in lesson 10.

    >>> _ = torch.manual_seed(0)
    >>> snip(nn.Linear(4, 3), torch.ones(2, 4), torch.tensor([0, 1])) > 0
    True
    """
    model, x, y = _prepare(model, x, y)
    weights = _weights(model)
    grads = torch.autograd.grad(nn.functional.cross_entropy(model(x), y), weights, allow_unused=True)
    return float(sum((w.detach() * g).abs().sum() for w, g in zip(weights, grads) if g is not None))


def synflow(model: nn.Module, x: Tensor, y: Tensor, *, bn: bool = False) -> float:
    """Synaptic flow (Tanaka et al. 2020), as Abdelfattah et al. (2021) compute it: take the
    absolute value of every parameter, feed one all-ones input (in double precision), and sum
    |w * dR/dw| over the weights, where R is the sum of the outputs. No data and no labels are
    used. The batch norms are removed first (`bn=False`, the paper's setting): left in, they
    normalise the all-ones input away (`synflow_bn`). Taught in lesson 10.

    On a bias-free stack of linear layers and ReLUs, every layer carries the same flow R =
    1' |W_L| ... |W_1| 1, so synflow = L * R (the flow is conserved from layer to layer):

    >>> net = nn.Sequential(nn.Linear(2, 2, bias=False), nn.ReLU(), nn.Linear(2, 1, bias=False))
    >>> with torch.no_grad():
    ...     _ = net[0].weight.copy_(torch.tensor([[1., -2.], [3., 4.]]))
    ...     _ = net[2].weight.copy_(torch.tensor([[-1., 1.]]))
    >>> synflow(net, torch.zeros(2, 2), torch.zeros(2, dtype=torch.long))     # R = 3 + 7 = 10
    20.0
    """
    model, x, y = _prepare(model, x, y)
    if not bn:
        _remove_batch_norm(model)
    model = model.double()
    with torch.no_grad():
        for tensor in model.state_dict().values():  # parameters and buffers, as in the paper's code
            if tensor.is_floating_point():
                tensor.abs_()
    weights = _weights(model)
    flow = model(torch.ones(1, x.shape[1], dtype=torch.float64)).sum()
    grads = torch.autograd.grad(flow, weights, allow_unused=True)
    return float(sum((w.detach() * g).abs().sum() for w, g in zip(weights, grads) if g is not None))


def synflow_bn(model: nn.Module, x: Tensor, y: Tensor) -> float:
    """`synflow` with the batch norms left in (Abdelfattah et al.'s "synflow_bn"): they normalise
    the all-ones input to (nearly) zero, so the flow no longer measures the weights. Taught in
    lesson 10 (where a proxy fails)."""
    return synflow(model, x, y, bn=True)


def fisher(model: nn.Module, x: Tensor, y: Tensor) -> float:
    """Fisher information of the channels (Turner et al. 2020, after Theis et al. 2018), as
    Abdelfattah et al. (2021) compute it: for every output channel c of every weighted layer,
    g_c = sum over positions of activation * dL/dactivation for each example, and the score is
    the sum over channels of 0.5 * mean over the minibatch of g_c**2: how much the loss would
    grow if the channel were removed. Taught in lesson 10.

    >>> _ = torch.manual_seed(0)
    >>> fisher(nn.Linear(4, 3), torch.ones(2, 4), torch.tensor([0, 1])) > 0
    True
    """
    model, x, y = _prepare(model, x, y)
    activations: list[Tensor] = []
    hooks = [m.register_forward_hook(lambda m, i, out: activations.append(out))
             for m in model.modules() if isinstance(m, WEIGHTED)]
    try:
        loss = nn.functional.cross_entropy(model(x), y)
    finally:
        for h in hooks:
            h.remove()
    grads = torch.autograd.grad(loss, activations, allow_unused=True)
    total = 0.0
    for a, g in zip(activations, grads):
        if g is None:
            continue
        per_channel = (a.detach() * g).sum(dim=tuple(range(2, a.dim()))) if a.dim() > 2 else a.detach() * g  # [batch, channels]
        total += float((0.5 * per_channel.pow(2).mean(dim=0)).sum())
    return total


def jacob_cov(model: nn.Module, x: Tensor, y: Tensor) -> float:
    """The Jacobian covariance score (Mellor et al. 2020, the first version of "NAS without
    training"), as Abdelfattah et al. (2021) compute it: J holds, for each example, the gradient
    of the sum of the outputs with respect to the input; with the eigenvalues v of the
    correlation matrix of J's rows, the score is -sum(log(v + k) + 1 / (v + k)), k = 1e-5. It is
    highest when the examples' Jacobians are uncorrelated: the network tells the inputs apart.
    A network whose output does not depend on its input (a constant Jacobian row) scores -inf,
    the worst. Labels are not used. Taught in lesson 10.

    >>> _ = torch.manual_seed(0)
    >>> jacob_cov(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)), torch.randn(5, 4), torch.zeros(5, dtype=torch.long)) < 0
    True
    """
    model, x, y = _prepare(model, x, y)
    x = x.clone().requires_grad_(True)
    (jacobian,) = torch.autograd.grad(model(x).sum(), x, allow_unused=True)
    if jacobian is None:  # the output does not depend on the input at all
        return -math.inf
    rows = jacobian.reshape(len(x), -1).double()
    if bool((rows.std(dim=1) == 0).any()):
        return -math.inf
    v = torch.linalg.eigvalsh(torch.corrcoef(rows)).clamp(min=0.0)  # symmetric: real eigenvalues
    k = 1e-5
    return float(-torch.sum(torch.log(v + k) + 1.0 / (v + k)))


def naswot(model: nn.Module, x: Tensor, y: Tensor) -> float:
    """NAS without training (Mellor et al. 2021, ICML): each example's binary code says which
    ReLUs it switches on; K[i, j] counts the units where examples i and j agree (the number of
    units minus the Hamming distance of their codes), and the score is log |det K|. Distinct
    codes (inputs the network separates) give a large determinant. A network that gives two
    inputs the same code has a singular K and scores -inf. Labels are not used. Taught in
    lesson 10.

    >>> _ = torch.manual_seed(0)
    >>> naswot(nn.Sequential(nn.Linear(4, 64), nn.ReLU()), torch.randn(5, 4), torch.zeros(5, dtype=torch.long)) > 0
    True
    """
    model, x, y = _prepare(model, x, y)
    kernel = torch.zeros(len(x), len(x), dtype=torch.float64)

    def count_agreements(module, inputs, output):
        code = (inputs[0] > 0).reshape(len(x), -1).double()
        kernel.add_(code @ code.T + (1 - code) @ (1 - code).T)

    hooks = [m.register_forward_hook(count_agreements) for m in model.modules() if isinstance(m, nn.ReLU)]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
    sign, logdet = torch.linalg.slogdet(kernel)
    return float(logdet) if sign > 0 else -math.inf


#: Every proxy by name, in the order the lesson and the side tables list them.
PROXIES: dict[str, Callable[[nn.Module, Tensor, Tensor], float]] = {
    "params": params, "macs": macs, "grad_norm": grad_norm, "snip": snip, "synflow": synflow,
    "synflow_bn": synflow_bn, "fisher": fisher, "jacob_cov": jacob_cov, "naswot": naswot}


def get_proxy(name: str) -> Callable[[nn.Module, Tensor, Tensor], float]:
    """The proxy function called `name`, or a clear error listing the names.

    >>> get_proxy("snip") is snip
    True
    """
    if not isinstance(name, str) or name not in PROXIES:
        raise InputError(f"unknown proxy {name!r}; choose one of: {', '.join(PROXIES)}")
    return PROXIES[name]


def _check(model: object, x: object, y: object) -> tuple[Tensor, Tensor]:
    """(x, y) as tensors (float inputs, integer labels), or an `InputError` that says what is allowed."""
    if not isinstance(model, nn.Module):
        raise InputError(f"model must be a torch.nn.Module (such as space.build(...)), got {type(model).__name__}")
    x = torch.as_tensor(x) if isinstance(x, np.ndarray) else x
    y = torch.as_tensor(y) if isinstance(y, np.ndarray) else y
    if not isinstance(x, Tensor) or x.dim() != 2 or len(x) < 2 or not x.is_floating_point():
        raise InputError("x must be a minibatch of at least 2 inputs: a 2-D float tensor or array "
                         f"(examples x features), got {_shape(x)}")
    if not isinstance(y, Tensor) or y.dim() != 1 or len(y) != len(x) or y.is_floating_point():
        raise InputError(f"y must be the {len(x)} integer labels of x (a 1-D tensor or array), got {_shape(y)}")
    return x.float(), y.long()


def _shape(value: object) -> str:
    if isinstance(value, Tensor):
        return f"a {value.dtype} tensor of shape {tuple(value.shape)}"
    return f"{type(value).__name__} {value!r}"[:80]


def _prepare(model: nn.Module, x: object, y: object) -> tuple[nn.Module, Tensor, Tensor]:
    """A copy of `model` in training mode (so the proxy leaves the original untouched), and the
    checked minibatch."""
    x, y = _check(model, x, y)
    return copy.deepcopy(model).train(), x, y


def _weights(model: nn.Module) -> list[Tensor]:
    """The weights of the weighted layers (convolutions and linear layers), in module order."""
    return [m.weight for m in model.modules() if isinstance(m, WEIGHTED)]


def _remove_batch_norm(model: nn.Module) -> None:
    """Replace every batch norm of `model` by the identity, in place."""
    for name, child in model.named_children():
        if isinstance(child, nn.modules.batchnorm._BatchNorm):
            setattr(model, name, nn.Identity())
        else:
            _remove_batch_norm(child)


# -- scoring an architecture of a benchmark: network, minibatch, seconds ------------------------

def init_network(space: SearchSpace, arch: Arch, data: Dataset, seed: int = 0) -> nn.Module:
    """The network of `arch` as training under `seed` starts it: built by `space.build` right
    after `torch.manual_seed(seed)` (the global generator is restored afterwards). Taught in
    lesson 10.

    >>> from nastutor.spaces import CellSpace
    >>> a, b = (init_network(CellSpace(), ("conv3",) * 6, load_dataset("digits"), seed=0) for _ in "ab")
    >>> all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    True
    """
    if not isinstance(space, SearchSpace):
        raise InputError(f"space must be a SearchSpace such as CellSpace(), got {space!r}")
    space.validate(arch)
    seed = check_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return space.build(arch, data.num_features, data.num_classes)


def minibatch(data: Dataset, batch_size: int = 256, seed: int = 0) -> tuple[Tensor, Tensor]:
    """The first minibatch that training under `seed` draws from the training split: the first
    `batch_size` examples of `torch.randperm` under a generator seeded with `seed`. Taught in
    lesson 10.

    >>> x, y = minibatch(load_dataset("mnist1d"), 256, seed=0)
    >>> tuple(x.shape), tuple(y.shape)
    ((256, 40), (256,))
    """
    if not isinstance(data, Dataset):
        raise InputError(f"data must be a Dataset such as load_dataset('mnist1d'), got {data!r}")
    batch_size, seed = check_int(batch_size, "batch_size", minimum=2), check_seed(seed)
    order = torch.randperm(len(data.y_train), generator=torch.Generator().manual_seed(seed))[:batch_size]
    return torch.tensor(data.x_train)[order], torch.tensor(data.y_train)[order]


@contextmanager
def _one_thread() -> Iterator[None]:
    """Run PyTorch on one thread, as the benchmarks trained: same numbers, comparable seconds."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _setting(source: object, dataset: str | None) -> tuple[SearchSpace, str, int]:
    """(space, dataset name, batch size) of a benchmark (name or `Benchmark`) or of a space."""
    if isinstance(source, str):
        source = Benchmark.load(source)
    if isinstance(source, Benchmark):
        if dataset is not None and dataset != source.dataset:
            raise InputError(f"the benchmark {source.name} was trained on {source.dataset}; leave dataset out")
        return source.space, source.dataset, source.config.batch_size
    if isinstance(source, SearchSpace):
        dataset = "mnist1d" if dataset is None else dataset
        if not isinstance(dataset, str) or dataset not in DATASETS:
            raise InputError(f"dataset must be one of: {', '.join(DATASETS)}, got {dataset!r}")
        return source, dataset, source.default_config().batch_size
    raise InputError(f"give a benchmark (its name, such as 'cell-mnist1d', or a Benchmark) or a SearchSpace, "
                     f"got {source!r}")


def measure(proxy: str, source: str | Benchmark | SearchSpace, arch: Arch, *, init_seed: int = 0,
            minibatch_seed: int = 0, dataset: str | None = None) -> tuple[float, float]:
    """(score, seconds): the proxy `proxy` of `arch` at initialisation `init_seed` on minibatch
    `minibatch_seed`, and the CPU seconds it took on one thread (building the network and
    drawing the minibatch not counted, as a benchmark's training time does not count them).

    `source` is a benchmark (its name or a `Benchmark`: its space, dataset and batch size) or a
    space (with `dataset`, default "mnist1d", and the space's batch size). `arch` is scored in
    its canonical form, the cell a benchmark trained. Taught in lesson 10.

    >>> score, seconds = measure("params", "cell-digits", ("conv3",) * 6)
    >>> int(score) == Benchmark.load("cell-digits").query(("conv3",) * 6)["params"]
    True
    """
    function = get_proxy(proxy)
    space, name, batch_size = _setting(source, dataset)
    return _measure(function, space, arch, load_dataset(name), batch_size, init_seed, minibatch_seed)


def _measure(function: Callable[[nn.Module, Tensor, Tensor], float], space: SearchSpace, arch: Arch, data: Dataset,
             batch_size: int, init_seed: int, minibatch_seed: int) -> tuple[float, float]:
    """`measure`, once the space, the data and the batch size are known."""
    space.validate(arch)
    model = init_network(space, space.canonical(arch), data, init_seed)
    x, y = minibatch(data, batch_size, minibatch_seed)
    return _timed(function, model, x, y)


def _timed(function: Callable[[nn.Module, Tensor, Tensor], float], model: nn.Module, x: Tensor,
           y: Tensor) -> tuple[float, float]:
    """(score, CPU seconds) of one proxy, on one thread, PyTorch's global generator left as it was."""
    with _one_thread(), torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        start = time.process_time()
        score = function(model, x, y)
        return score, time.process_time() - start


def to_unit(score: float) -> float:
    """A proxy score squashed into [0, 1] by a strictly increasing map, 0.5 + atan(symlog(s)) / pi
    with symlog(s) = sign(s) log(1 + |s|) (-inf gives 0): what a `ProxyEvaluator` reports as
    accuracy, so that a search that maximises accuracy maximises the proxy. Taught in lesson 10.

    >>> to_unit(0.0), to_unit(-math.inf), to_unit(1e30) < 1.0, to_unit(2.0) < to_unit(3.0)
    (0.5, 0.0, True, True)
    """
    if math.isnan(score):
        raise InputError("a proxy score of NaN cannot be ranked")
    if math.isinf(score):
        return 1.0 if score > 0 else 0.0
    return 0.5 + math.atan(math.copysign(math.log1p(abs(score)), score)) / math.pi


# -- the evaluator: a search ranks candidates by a proxy, charged its seconds -------------------

class ProxyEvaluator(Evaluator):
    """Scores architectures by a zero-cost proxy instead of training them.

    `source` is a benchmark (its name or a `Benchmark`) or a `SearchSpace` (with `dataset`).
    With a benchmark and `live=False` (the default) the score and the seconds it took are looked
    up in the benchmark's shipped side table (`load_proxy_table`), as `TabularEvaluator` looks up
    training: a search costs the simulated seconds the proxy really took when the table was
    built. With `live=True` (always, for a space) the proxy is computed now and the measured
    CPU seconds are charged.

    Every evaluation uses the same initialisation `init_seed` and minibatch `minibatch` (a proxy
    is computed once per architecture; the search's evaluation seeds do not change it). Its
    `val_accuracy` and `test_accuracy` both hold `to_unit(score)`: nothing was trained, but the
    order is the proxy's, so `history.best` is the proxy's favourite; `score(arch)` gives the raw
    score. Score a search against the ground truth with `compare.regret_frame(history,
    TabularEvaluator(name))`. Taught in lesson 10.

        >>> from nastutor import RandomSearch, run_search
        >>> ev = ProxyEvaluator("cell-mnist1d", "synflow")
        >>> history = run_search(RandomSearch(), ev, seconds=1.0, seed=0, progress=False)
        >>> history.best.val_accuracy == to_unit(ev.score(history.best.arch)), history.total_cost >= 1.0
        (True, True)
    """

    def __init__(self, source: str | Benchmark | SearchSpace, proxy: str, *, dataset: str | None = None,
                 live: bool = False, init_seed: int = 0, minibatch: int = 0,
                 folder: str | os.PathLike | None = None):
        get_proxy(proxy)
        if not isinstance(live, bool):
            raise InputError(f"live must be True or False, got {live!r}")
        self.proxy, self.live = proxy, live
        self.init_seed, self.minibatch = check_seed(init_seed, "init_seed"), check_seed(minibatch, "minibatch")
        if isinstance(source, str):
            source = Benchmark.load(source, folder)
        self.benchmark = source.name if isinstance(source, Benchmark) else None
        self.space, self.dataset, self.batch_size = _setting(source, dataset)
        self.max_epochs = 1
        self._table: dict[str, tuple[float, float]] = {}
        self._digest = None
        if not live:
            if self.benchmark is None:
                raise InputError("a space has no shipped proxy table: give a benchmark such as 'cell-mnist1d', "
                                 "or live=True to compute the proxy")
            self._look_up_table(source, folder)

    def _look_up_table(self, bench: Benchmark, folder: str | os.PathLike | None) -> None:
        table = load_proxy_table(bench.name, folder if folder is not None else bench.folder)
        rows = table[(table["init_seed"] == self.init_seed) & (table["minibatch"] == self.minibatch)]
        if rows.empty:
            have = sorted(set(zip(table["init_seed"], table["minibatch"])))
            raise InputError(f"the proxy table of {bench.name} has no scores at init_seed={self.init_seed}, "
                             f"minibatch={self.minibatch}; it has (init_seed, minibatch): {have}, or use live=True")
        self._table = dict(zip(rows["arch"], zip(rows[self.proxy].astype(float), rows[f"{self.proxy}_seconds"])))
        self._digest = _table_digest(bench.name, folder if folder is not None else bench.folder)

    def score(self, arch: Arch) -> float:
        """The raw proxy score of `arch` (looked up, or computed when `live`)."""
        return self._score(arch)[0]

    def _score(self, arch: Arch) -> tuple[float, float]:
        self.space.validate(arch)
        if self.live:
            return _measure(PROXIES[self.proxy], self.space, arch, load_dataset(self.dataset), self.batch_size,
                            self.init_seed, self.minibatch)
        return self._table[self.space.to_string(self.space.canonical(arch))]

    def evaluate(self, arch: Arch, *, epochs: int | None = None, seed: int = 0) -> Evaluation:
        epochs, seed = self.check_epochs(epochs), check_seed(seed)
        score, seconds = self._score(arch)
        unit = to_unit(score)
        return Evaluation(arch=arch, val_accuracy=unit, test_accuracy=unit, cost=float(seconds), epochs=epochs,
                          seed=self.init_seed)

    def describe(self) -> dict[str, Any]:
        """Kind "proxy", the proxy, its source (benchmark or dataset), seeds and, for a lookup,
        the side table's checksum."""
        return {"kind": "proxy", "proxy": self.proxy, "benchmark": self.benchmark, "dataset": self.dataset,
                "space": type(self.space).__name__, "space_config": self.space.config(),
                "batch_size": self.batch_size, "init_seed": self.init_seed, "minibatch": self.minibatch,
                "live": self.live, "table_sha256": self._digest, "max_epochs": self.max_epochs}

    def __repr__(self) -> str:
        source = self.benchmark if self.benchmark else f"{self.space!r}, {self.dataset!r}"
        return f"ProxyEvaluator({source!r}, {self.proxy!r}, live={self.live})"


# -- the side tables: every distinct cell of a benchmark, scored once ---------------------------

#: (init_seed, minibatch) pairs the side tables hold: the scores, then a second initialisation
#: and a second minibatch (how stable is a proxy?).
VARIANTS: tuple[tuple[int, int], ...] = ((0, 0), (1, 0), (0, 1))
SUFFIX = ".proxies.csv.gz"
KEYS = ("arch", "init_seed", "minibatch")


def table_columns(proxies: Sequence[str] = tuple(PROXIES)) -> list[str]:
    """The side table's columns: the keys, each proxy's score, each proxy's seconds."""
    return [*KEYS, *proxies, *(f"{p}_seconds" for p in proxies)]


def rebuild_proxies_command(name: str) -> str:
    """The command that (re)builds the proxy side table of benchmark `name`.

    >>> rebuild_proxies_command("cell-digits")
    'python -m nastutor.proxies build cell-digits'
    """
    return f"python -m nastutor.proxies build {name}"


def _score_all(bench: Benchmark, arch: Arch, data: Dataset, init_seed: int, batch: int) -> dict[str, Any]:
    """One progress row: every proxy of `arch` at (init_seed, minibatch) and its seconds."""
    model = init_network(bench.space, arch, data, init_seed)
    x, y = minibatch(data, bench.config.batch_size, batch)
    scores, seconds = {}, {}
    for name, function in PROXIES.items():
        scores[name], seconds[name] = _timed(function, model, x, y)
    return {"benchmark": bench.name, "arch": bench.space.to_string(arch), "init_seed": init_seed,
            "minibatch": batch, "scores": scores, "seconds": seconds}


def build_proxy_table(name: str, folder: str | os.PathLike | None = None,
                      progress_file: str | os.PathLike | None = None,
                      variants: Sequence[tuple[int, int]] = VARIANTS, limit: int | None = None,
                      progress: bool = True) -> Path | None:
    """Score every distinct cell of benchmark `name` (from `folder`, default the shipped data)
    with every proxy, at each (init_seed, minibatch) of `variants`, and write the side table
    `<name>.proxies.csv.gz` into `folder` with its checksum in the folder's MANIFEST.json.

    Resumable: each scored (cell, variant) is one line of `progress_file` (default
    `<folder>/<name>.proxies.progress.jsonl`), so a rerun continues where a killed one stopped.
    `limit` stops after that many new rows. Returns the table's path once every row is in, else
    None. The rebuild command is ``python -m nastutor.proxies build NAME``. Taught in lesson 10.
    """
    bench = Benchmark.load(name, folder)
    folder = bench.folder
    variants = [(check_seed(i, "init_seed"), check_seed(m, "minibatch")) for i, m in variants]
    limit = None if limit is None else check_int(limit, "limit", minimum=0)
    path = folder / f"{bench.name}.proxies.progress.jsonl" if progress_file is None else check_path(
        progress_file, "progress_file")
    done = {(r["arch"], r["init_seed"], r["minibatch"]): r for r in _read_progress(path, bench.name)}
    data = load_dataset(bench.dataset)
    jobs = [(a, i, m) for i, m in variants for a in bench.archs
            if (bench.space.to_string(a), i, m) not in done]
    if limit is not None:
        jobs = jobs[:limit]
    total = len(variants) * len(bench)
    with open(path, "a") as log, tqdm(total=total, initial=total - len(jobs) if limit is None else len(done),
                                      disable=not progress, unit="cell", desc=f"proxies of {bench.name}") as bar:
        if jobs:
            _score_all(bench, jobs[0][0], data, 0, 0)  # warm up (the first call pays PyTorch's set-up)
        for arch, init_seed, batch in jobs:
            row = _score_all(bench, arch, data, init_seed, batch)
            log.write(json.dumps(row) + "\n")
            log.flush()
            os.fsync(log.fileno())
            done[(row["arch"], init_seed, batch)] = row
            bar.update(1)
    wanted = [(bench.space.to_string(a), i, m) for i, m in variants for a in bench.archs]
    if not all(key in done for key in wanted):
        return None
    records = [(*key, *(done[key]["scores"][p] for p in PROXIES), *(done[key]["seconds"][p] for p in PROXIES))
               for key in wanted]
    table = folder / f"{bench.name}{SUFFIX}"
    _write_table(pd.DataFrame.from_records(records, columns=table_columns()), table)
    write_manifest(folder, table.name, sha256_of(table))
    return table


def _read_progress(path: Path, name: str) -> list[dict[str, Any]]:
    """The rows already scored. A last line cut short by a kill is dropped (the file is rewritten
    without it, so the next row starts on a line of its own); a row of another set of proxies is
    scored again."""
    if not path.exists():
        return []
    text = path.read_text()
    lines = text.splitlines()
    if text and not text.endswith("\n"):
        lines = lines[:-1]
        atomic_write(path, "".join(line + "\n" for line in lines))
    rows = []
    for number, line in enumerate(lines, start=1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            raise ValueError(f"{path} line {number} is not JSON; delete that line (its cell is scored again) "
                             "or the file, and rerun") from None
        if row.get("benchmark") != name:
            raise ValueError(f"{path} line {number} holds scores of {row.get('benchmark')!r}, not {name!r}; "
                             "give another progress_file")
        if set(row["scores"]) == set(PROXIES):
            rows.append(row)
    return rows


def _table_digest(name: str, folder: str | os.PathLike | None) -> str:
    folder = data_dir() if folder is None else Path(folder)
    return sha256_of(folder / f"{name}{SUFFIX}")


def load_proxy_table(name: str, folder: str | os.PathLike | None = None) -> pd.DataFrame:
    """The proxy side table of benchmark `name`, checked (checksum in the folder's
    MANIFEST.json, columns, and one row per distinct cell of the benchmark for each
    (init_seed, minibatch) it holds), in benchmark row order within each pair. Taught in
    lesson 10.

    >>> table = load_proxy_table("cell-digits")
    >>> sorted(set(zip(table["init_seed"], table["minibatch"]))) == sorted(VARIANTS)
    True
    """
    if not isinstance(name, str):
        raise InputError(f"name must be a benchmark's name such as 'cell-mnist1d', got {name!r}")
    folder = data_dir() if folder is None else check_path(folder, "folder", directory=True)
    path = folder / f"{name}{SUFFIX}"
    fix = fix_hint(path, rebuild_proxies_command(name))
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing (the zero-cost proxy scores of {name}). {fix}")
    expected = read_manifest(folder).get(path.name)
    if expected is None:
        raise ValueError(f"{folder / 'MANIFEST.json'} has no checksum for {path.name}. {fix}")
    if sha256_of(path) != expected:
        raise ValueError(f"{path} is corrupt: its sha256 does not match MANIFEST.json. {fix}")
    key = (str(path.resolve()), expected)
    if key not in _TABLES:
        _TABLES[key] = _read_table(path, name, folder, fix)
    return _TABLES[key].copy()


#: The side tables read and checked so far, by (path, sha256): each file is parsed once.
_TABLES: dict[tuple[str, str], pd.DataFrame] = {}


def _read_table(path: Path, name: str, folder: Path, fix: str) -> pd.DataFrame:
    """The side table at `path`, checked against the columns and the cells of benchmark `name`."""
    table = pd.read_csv(path, compression="gzip")
    missing = [c for c in table_columns() if c not in table.columns]
    if missing:
        raise ValueError(f"{path} lacks the columns {', '.join(missing)}. {fix}")
    bench = Benchmark.load(name, folder)
    strings = [bench.space.to_string(a) for a in bench.archs]
    for (i, m), rows in table.groupby(["init_seed", "minibatch"], sort=False):
        if rows["arch"].tolist() != strings:
            raise ValueError(f"{path} does not hold every cell of {name} once, in order, at init_seed={i}, "
                             f"minibatch={m}. {fix}")
    return table


def proxy_scores(name: str, proxy: str, init_seed: int = 0, minibatch: int = 0,
                 folder: str | os.PathLike | None = None) -> pd.Series:
    """One proxy's score of every distinct cell of benchmark `name`, indexed by the cell's string
    in benchmark row order (as `Benchmark.truth()` is, so the two line up). Taught in lesson 10.

    >>> from scipy import stats
    >>> scores, truth = proxy_scores("cell-mnist1d", "params"), Benchmark.load("cell-mnist1d").truth()
    >>> bool(stats.spearmanr(scores, truth).statistic > 0.3)            # bigger cells are better here
    True
    """
    get_proxy(proxy)
    table = load_proxy_table(name, folder)
    rows = table[(table["init_seed"] == init_seed) & (table["minibatch"] == minibatch)]
    if rows.empty:
        raise InputError(f"the proxy table of {name} has no scores at init_seed={init_seed}, minibatch={minibatch}; "
                         f"it has (init_seed, minibatch): {sorted(set(zip(table['init_seed'], table['minibatch'])))}")
    return pd.Series(rows[proxy].to_numpy(float), index=pd.Index(rows["arch"], name="arch"), name=proxy)


def proxy_correlations(name: str, metric: str = "val_accuracy",
                       folder: str | os.PathLike | None = None) -> pd.DataFrame:
    """One row per proxy: Spearman's rho and Kendall's tau of its score (init seed 0, minibatch
    0) with the benchmark's mean final `metric` over all distinct cells, and the mean
    milliseconds it took per cell. Taught in lesson 10.

    >>> corr = proxy_correlations("cell-digits")
    >>> list(corr.columns), len(corr) == len(PROXIES)
    (['proxy', 'spearman', 'kendall', 'ms_per_cell'], True)
    """
    truth = Benchmark.load(name, folder).truth(metric).to_numpy()
    table = load_proxy_table(name, folder)
    first = table[(table["init_seed"] == 0) & (table["minibatch"] == 0)]
    rows = []
    for p in PROXIES:
        score = first[p].to_numpy(float)
        rows.append({"proxy": p, "spearman": float(stats.spearmanr(score, truth).statistic),
                     "kendall": float(stats.kendalltau(score, truth).statistic),
                     "ms_per_cell": 1000 * float(first[f"{p}_seconds"].mean())})
    return pd.DataFrame(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m nastutor.proxies build NAME [--progress-file PATH] [--folder DIR]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m nastutor.proxies",
                                     description="Score every distinct cell of a benchmark with every proxy.")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build (or continue building) a benchmark's proxy side table")
    build.add_argument("name", help="a benchmark such as cell-mnist1d")
    build.add_argument("--folder", default=None, help="the benchmark's folder (default: the shipped data)")
    build.add_argument("--progress-file", default=None, help="where the resumable progress goes")
    build.add_argument("--limit", type=int, default=None, help="stop after this many new rows")
    args = parser.parse_args(argv)
    path = build_proxy_table(args.name, args.folder, args.progress_file, limit=args.limit)
    print(path if path is not None else "not finished: run the same command again to continue")
    return 0


if __name__ == "__main__":
    sys.exit(main())
