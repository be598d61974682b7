"""A new space in one file: a space defined here, outside the package, is benchmarked, loaded,
searched by every strategy and drawn, without editing nastutor. Training is real (2 epochs of
tiny networks), so the benchmark's numbers are real too."""
from __future__ import annotations

import itertools
import json
from typing import Any, Callable, Iterator

import numpy as np
import pytest
import torch.nn as nn

import nastutor as nt
from nastutor import plots
from nastutor.benchmark import Benchmark, benchmark_name, build_benchmark, rebuild_command
from nastutor.spaces import SPACES, SearchSpace, get_space
from nastutor.strategies import STRATEGIES
from nastutor.training import TrainConfig

ACTS = {"relu": nn.ReLU, "tanh": nn.Tanh}


class TinyMLP(SearchSpace):
    """Three decisions over a tiny MLP: depth (1 or 2 hidden layers), one width for all of them,
    one activation: 2 x len(widths) x 2 architectures, each a tuple (depth, width, activation)."""

    name = "tiny_mlp"

    def __init__(self, widths: tuple[int, ...] = (4, 8)):
        self.widths = tuple(int(w) for w in widths)

    def config(self) -> dict[str, Any]:
        return {"widths": list(self.widths)}

    def default_config(self) -> TrainConfig:
        return TrainConfig(epochs=2, lr=0.02)

    @property
    def decisions(self) -> list[tuple[str, tuple]]:
        return [("depth", (1, 2)), ("width", self.widths), ("activation", tuple(ACTS))]

    def enumerate(self) -> Iterator[tuple]:
        yield from itertools.product(*(options for _, options in self.decisions))

    def validate(self, arch) -> None:
        if not isinstance(arch, tuple) or len(arch) != 3:
            raise ValueError(f"a tiny MLP is a tuple (depth, width, activation), got {arch!r}")
        for value, (name, options) in zip(arch, self.decisions):
            if value not in options or isinstance(value, bool):
                raise ValueError(f"{name} {value!r} is not allowed; choose one of: {', '.join(map(str, options))}")

    def neighbors(self, arch) -> list[tuple]:
        self.validate(arch)
        return [arch[:i] + (o,) + arch[i + 1:] for i, (_, options) in enumerate(self.decisions)
                for o in options if o != arch[i]]

    def decide(self, choose: Callable[[str, tuple], Any]) -> tuple:
        arch = tuple(choose(name, options) for name, options in self.decisions)
        self.validate(arch)
        return arch

    def crossover(self, a, b, rng: np.random.Generator) -> tuple:
        return tuple(x if pick else y for x, y, pick in zip(a, b, rng.random(3) < 0.5))

    def choices(self, arch) -> dict[str, Any]:
        self.validate(arch)
        return {name: value for (name, _), value in zip(self.decisions, arch)}

    def encode(self, arch) -> np.ndarray:
        self.validate(arch)
        return np.concatenate([np.eye(len(options), dtype=np.float32)[options.index(value)]
                               for value, (_, options) in zip(arch, self.decisions)])

    def to_string(self, arch) -> str:
        self.validate(arch)
        return f"{arch[0]}x{arch[1]}{arch[2]}"

    def parse(self, text: str) -> tuple:
        try:
            depth, rest = text.split("x")
            width = int(rest.rstrip("abcdefghijklmnopqrstuvwxyz"))
            arch = (int(depth), width, rest[len(str(width)):])
        except (AttributeError, ValueError):
            raise ValueError(f"a tiny MLP string looks like '2x8tanh', got {text!r}") from None
        self.validate(arch)
        return arch

    def build(self, arch, num_features: int, num_classes: int) -> nn.Module:
        depth, width, act = arch
        layers: list[nn.Module] = []
        for i in range(depth):
            layers += [nn.Linear(num_features if i == 0 else width, width), ACTS[act]()]
        return nn.Sequential(*layers, nn.Linear(width, num_classes))


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> Benchmark:
    folder = tmp_path_factory.mktemp("tiny")
    table = build_benchmark(TinyMLP(), "mnist1d", seeds=(0, 1), workers=1, folder=folder, progress=False)
    return Benchmark.load(table)


def test_the_space_is_registered_by_defining_it():
    assert SPACES["tiny_mlp"] is TinyMLP  # defining it registered it
    assert get_space("tiny_mlp").size == 8
    assert TinyMLP.from_config({"widths": [2, 3]}).widths == (2, 3)


def test_its_benchmark_is_built_loaded_and_rebuilds_its_space(bench):
    assert bench.name == benchmark_name(TinyMLP(), "mnist1d", (0, 1)) and bench.name.startswith("tiny_mlp-")
    assert type(bench.space) is TinyMLP and bench.space.config() == TinyMLP().config()
    assert bench.meta["space"] == "tiny_mlp" and bench.meta["space_params"] == {"widths": [4, 8]}
    assert bench.config == TinyMLP().default_config() and bench.epochs == 2
    assert len(bench) == 8 and bench.seeds == (0, 1)
    assert 0 < bench.val.min() and bench.val.max() <= 1 and len(set(bench.val[:, :, -1].ravel())) > 1
    command = rebuild_command(bench.meta, bench.folder)
    assert f"from {__name__} import TinyMLP" in command and "TinyMLP(widths=[4, 8])" in command
    assert (bench.folder / f"{bench.name}.md").exists()  # the data card


def test_worker_processes_build_it_too(bench, tmp_path):
    """Each worker imports this file to unpickle TinyMLP, which registers it there; the numbers
    are the ones one process trained."""
    table = build_benchmark(TinyMLP(), "mnist1d", seeds=(0,), workers=2, folder=tmp_path, progress=False)
    two = Benchmark.load(table)
    assert two.archs == bench.archs
    np.testing.assert_array_equal(two.val[:, 0], bench.val[:, 0])
    np.testing.assert_array_equal(two.test[:, 0], bench.test[:, 0])


def test_truth_and_regret_of_the_new_space(bench):
    truth = bench.truth()
    assert list(truth.index) == [bench.space.to_string(a) for a in bench.archs]
    best = bench.optimum()[0]
    assert bench.regret(best) == 0.0 and truth.idxmax() == bench.space.to_string(best)
    for arch in bench.archs:
        assert bench.regret(bench.space.to_string(arch)) == pytest.approx(truth.max() - truth[bench.space.to_string(arch)])


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_every_strategy_searches_it(bench, name):
    history = nt.run_search(STRATEGIES[name](), nt.TabularEvaluator(bench), budget=6, seed=0, progress=False)
    assert len(history) >= 1
    assert all(e.arch in bench.space for e in history)
    assert history.best.val_accuracy == max(e.val_accuracy for e in history)


def test_its_landscape_is_drawn(bench):
    history = nt.run_search(STRATEGIES["random"](), nt.TabularEvaluator(bench), budget=5, seed=0, progress=False)
    fig = plots.landscape(bench, history)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "first MDS axis of the encodings"
    visited = [c for c in ax.collections if c.get_label().startswith("visited")][0]
    assert len(visited.get_offsets()) == len(history)
    frame = plots.landscape_frame(bench)
    assert len(frame) == 8 and np.allclose(frame.set_index("arch")["val_accuracy"], bench.truth())


def test_the_metadata_on_disk_names_the_space_not_the_file_name(bench):
    meta = json.loads((bench.folder / f"{bench.name}.json").read_text())
    assert (meta["space"], meta["space_params"]) == ("tiny_mlp", {"widths": [4, 8]})
