"""Static figures: layouts, data behind the plots, and headless saving."""
from __future__ import annotations

import io
import itertools

import numpy as np
import pytest

import nastutor as nt
from nastutor import plots
from nastutor.compare import compare
from nastutor.strategies import RegularizedEvolution, Reinforce
from nastutor.tracing import Trace, policy_frame, population_frame


@pytest.fixture(scope="module")
def cell_bench():
    return nt.Benchmark.load("cell-mnist1d")


@pytest.fixture(scope="module")
def mlp_bench():
    return nt.Benchmark.load("mlp-mnist1d")


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=40)
    return buffer.getvalue()


def test_cell_layout_is_a_gray_grid(cell_bench):
    archs, xy, grid = plots.layout(cell_bench.space)
    assert grid and len(set(archs)) == 4096 == len({tuple(p) for p in xy})
    at = {tuple(p): a for a, p in zip(archs, xy)}
    for (x, y), a in list(at.items())[::37]:
        for nx, ny in ((x + 1, y), (x, y + 1)):
            if (nx, ny) in at:  # grid neighbours differ in exactly one edge
                assert sum(u != v for u, v in zip(a, at[(nx, ny)])) == 1


def test_landscape_frame_matches_the_benchmark(cell_bench):
    frame = plots.landscape_frame(cell_bench)
    arch = cell_bench.space.parse(frame["arch"].iloc[100])
    assert frame["test_accuracy"].iloc[100] == pytest.approx(cell_bench.query(arch)["test_accuracy"])


def test_landscape_draws_the_search_path(cell_bench, mlp_bench):
    ev = nt.TabularEvaluator(cell_bench)
    history = nt.run_search(RegularizedEvolution(), ev, budget=40, seed=1, progress=False)
    fig = plots.landscape(cell_bench, history)
    ax = fig.axes[0]
    visited = [c for c in ax.collections if c.get_label().startswith("visited")][0]
    assert len(visited.get_offsets()) == 40
    path = [line for line in ax.lines if line.get_label() == "incumbent path"][0]
    assert len(path.get_xdata()) == len(history.incumbent_trajectory()["arch"].drop_duplicates())
    assert _png(fig).startswith(b"\x89PNG")
    assert _png(plots.landscape(mlp_bench)).startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="val_accuracy"):
        plots.landscape(cell_bench, metric="accuracy")


def test_mlp_heatmap_shows_the_benchmark_values(mlp_bench, cell_bench):
    fig = plots.mlp_heatmap(mlp_bench)
    texts = {t.get_text() for t in fig.axes[0].texts}
    one_layer = mlp_bench.space.parse("64relu")
    assert f"{mlp_bench.query(one_layer)['val_accuracy']:.3f}" in texts
    assert len(fig.axes[0].texts) == 9
    with pytest.raises(ValueError, match="MLP benchmark"):
        plots.mlp_heatmap(cell_bench)


@pytest.mark.parametrize("metric, split", [("val_accuracy", "val"), ("test_accuracy", "test")])
@pytest.mark.parametrize("reduce", ["max", "mean"])
def test_mlp_heatmap_plots_the_metric_it_names(mlp_bench, metric, split, reduce):
    """Each square is the `reduce` over the archs of its depth and first layer of the benchmark's
    mean final `metric`; the colour bar and the title name that metric."""
    fig = plots.mlp_heatmap(mlp_bench, metric=metric, reduce=reduce)
    final = getattr(mlp_bench, split)[:, :, -1].mean(axis=1)
    space = mlp_bench.space
    for depth, ax in enumerate(fig.axes[:space.max_depth], start=1):
        expected = np.full((len(space.activations), len(space.widths)), np.nan)
        for (i, act), (j, width) in itertools.product(enumerate(space.activations), enumerate(space.widths)):
            rows = [r for r, a in enumerate(mlp_bench.archs) if len(a) == depth and a[0] == (width, act)]
            expected[i, j] = getattr(np, reduce)(final[rows])
        assert np.allclose(ax.images[0].get_array(), expected)
    label = metric.replace("_", " ")
    assert label in fig.axes[-1].get_ylabel() and label in fig.get_suptitle()


@pytest.mark.parametrize("metric", ["val", "accuracy", "params", "test", None])
def test_mlp_heatmap_refuses_a_metric_it_cannot_plot(mlp_bench, metric):
    """Any metric but "val_accuracy" silently plotted test accuracy (metric="val" included)."""
    with pytest.raises(ValueError, match="metric must be 'val_accuracy' or 'test_accuracy'"):
        plots.mlp_heatmap(mlp_bench, metric=metric)


def test_regret_bands_are_means_over_seeds(cell_bench):
    runs = compare({"random": nt.RandomSearch()}, nt.TabularEvaluator(cell_bench), budget=20, seeds=range(5))
    bands = plots.regret_bands(runs)
    at10 = runs[runs["step"] == 10]["val_regret"]
    row = bands[bands["x"] == 10].iloc[0]
    assert row["mean"] == pytest.approx(at10.mean()) and row["low"] <= row["mean"] <= row["high"]
    seconds = plots.regret_bands(runs, x="total_cost")
    assert seconds["x"].is_monotonic_increasing and len(seconds) == 200
    assert _png(plots.regret_curves(runs, x="total_cost")).startswith(b"\x89PNG")


def test_traces_of_policy_and_population(cell_bench):
    ev = nt.TabularEvaluator(cell_bench)
    policy = Reinforce()
    trace = Trace(policy, lambda s: s.probabilities())
    nt.run_search(policy, ev, budget=30, progress=False, callback=trace)
    frame = policy_frame(trace)
    sums = frame.groupby(["step", "decision"])["probability"].sum()
    assert np.allclose(sums, 1) and frame["step"].max() == 30
    assert _png(plots.policy_curves(frame)).startswith(b"\x89PNG")

    evo = RegularizedEvolution(population_size=8, sample_size=3)
    trace = Trace(evo, lambda s: list(s.population))
    history = nt.run_search(evo, ev, budget=30, progress=False, callback=trace)
    pop = population_frame(trace)
    assert pop.groupby("step").size().max() == 8
    last = pop[pop["step"] == 30]  # aging: the population is the last 8 children
    assert list(last["arch"]) == [history.space.to_string(e.arch) for e in history.evaluations[-8:]]
    assert _png(plots.population_plot(pop)).startswith(b"\x89PNG")


def test_learning_curves_use_the_benchmark(cell_bench):
    best = cell_bench.optimum()[0]
    fig = plots.learning_curves(cell_bench, [best, cell_bench.space.to_string(cell_bench.archs[0])])
    line = fig.axes[0].lines[0]
    assert np.allclose(line.get_ydata(), cell_bench.val[cell_bench.index(best)].mean(axis=0))
