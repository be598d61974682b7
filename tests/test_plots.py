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


# -- issue 20: test data stays out of sight while searching; figures that read in full ----------

def test_landscape_colours_by_validation_accuracy_unless_told(cell_bench):
    """The landscape coloured every cell by its mean test accuracy by default: test data in sight
    while searching. Now validation by default; test only when asked, labelled as reported."""
    n = 64
    frame = plots.landscape_frame(cell_bench)
    fig = plots.landscape(cell_bench)
    assert np.allclose(fig.axes[0].images[0].get_array(), frame["val_accuracy"].to_numpy().reshape(n, n))
    assert "validation" in fig.axes[1].get_ylabel() and "test" not in fig.axes[1].get_ylabel()
    reported = plots.landscape(cell_bench, metric="test_accuracy")
    assert np.allclose(reported.axes[0].images[0].get_array(), frame["test_accuracy"].to_numpy().reshape(n, n))
    assert "reported" in reported.axes[1].get_ylabel()


def test_policy_curves_name_each_option_once_beside_the_panels(cell_bench):
    """Six tiny legends repeated over the curves; now one figure legend, outside the axes, each
    option in the same colour in every panel."""
    policy = Reinforce()
    trace = Trace(policy, lambda s: s.probabilities())
    nt.run_search(policy, nt.TabularEvaluator(cell_bench), budget=20, progress=False, callback=trace)
    fig = plots.policy_curves(policy_frame(trace))
    assert all(ax.get_legend() is None for ax in fig.axes)
    assert len(fig.legends) == 1
    assert [t.get_text() for t in fig.legends[0].get_texts()] == list(cell_bench.space.decisions[0][1])
    colours = {ax.get_title(): [line.get_color() for line in ax.lines] for ax in fig.axes}
    assert len({tuple(c) for c in colours.values()}) == 1       # the same colour for an option everywhere
    fig.canvas.draw()
    legend_box = fig.legends[0].get_window_extent()
    assert all(legend_box.x0 >= ax.get_window_extent().x1 for ax in fig.axes)   # beside, never over, the curves


def test_population_plot_shows_the_members_mean_accuracy_below_a_full_size_legend(cell_bench):
    evo = RegularizedEvolution(population_size=8, sample_size=3)
    trace = Trace(evo, lambda s: list(s.population))
    nt.run_search(evo, nt.TabularEvaluator(cell_bench), budget=30, progress=False, callback=trace)
    pop = population_frame(trace)
    fig = plots.population_plot(pop, benchmark=cell_bench)
    ax = fig.axes[0]
    dashed = [line for line in ax.lines if line.get_label().startswith("median of the members' mean")][0]
    truth = cell_bench.truth()
    expected = [np.median([truth.iloc[cell_bench.index(cell_bench.space.parse(a))] for a in part["arch"]])
                for _, part in pop.groupby("step")]
    assert np.allclose(dashed.get_ydata(), expected)
    legend = ax.get_legend()
    assert legend.get_texts()[0].get_fontsize() >= 9
    fig.canvas.draw()
    assert legend.get_window_extent().y1 <= ax.get_window_extent().y0       # below the axes, not over the data
    with pytest.raises(ValueError, match="not in 'mlp-mnist1d'"):
        plots.population_plot(pop, benchmark="mlp-mnist1d")


# -- the general helpers behind the lessons' figures --------------------------------------------

def test_curves_draw_many_runs_as_a_mean_and_a_percentile_band():
    x = np.arange(1, 21)
    runs = np.random.default_rng(0).random((50, 20))
    fig = plots.curves(x, {"random": runs, "formula": np.linspace(0, 1, 20)}, band=(10, 90),
                       hlines={"optimum": 1.0}, xscale="log")
    ax = fig.axes[0]
    mean, formula, optimum = ax.lines
    assert np.allclose(mean.get_ydata(), runs.mean(axis=0)) and mean.get_label() == "random: mean of 50"
    assert np.allclose(formula.get_ydata(), np.linspace(0, 1, 20)) and optimum.get_ydata()[0] == 1.0
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert np.isclose(band.min(), np.percentile(runs, 10, axis=0).min())
    assert ax.get_xscale() == "log" and _png(fig).startswith(b"\x89PNG")
    with pytest.raises(ValueError, match=r"series\['random'\] must have 20 values"):
        plots.curves(x, {"random": runs[:, :5]})
    with pytest.raises(ValueError, match="band must be two percentiles"):
        plots.curves(x, {"random": runs}, band=(90, 10))
    with pytest.raises(ValueError, match="xscale must be 'linear' or 'log'"):
        plots.curves(x, {"random": runs}, xscale="symlog")


def test_histogram_counts_the_values_and_marks_lines(mlp_bench):
    truth = mlp_bench.truth().to_numpy()
    fig = plots.histogram(truth, bins=30, marks={"median": np.median(truth), "best": truth.max()})
    ax = fig.axes[0]
    assert sum(p.get_height() for p in ax.patches) == len(truth)
    assert [line.get_xdata()[0] for line in ax.lines] == [np.median(truth), truth.max()]
    overlaid = plots.histogram({"a": truth[:100], "b": truth[100:]}, log=True)
    assert [t.get_text() for t in overlaid.axes[0].get_legend().get_texts()] == ["a", "b"]
    assert overlaid.axes[0].get_yscale() == "log"
    with pytest.raises(ValueError, match="values must be numbers"):
        plots.histogram({"a": []})


def test_heatmaps_print_each_value_on_one_colour_scale(mlp_bench):
    space = mlp_bench.space
    truth = mlp_bench.truth()
    grids = {f"depth {d}": [[truth.iloc[mlp_bench.index(((w, a),) * d)] for a in space.activations]
                            for w in space.widths] for d in (1, 2)}
    fig = plots.heatmaps(grids, rows=space.widths, cols=space.activations, label="mean validation accuracy")
    first = fig.axes[0]
    assert f"{grids['depth 1'][0][0]:.3f}" in {t.get_text() for t in first.texts} and len(first.texts) == 9
    assert first.images[0].get_clim() == fig.axes[1].images[0].get_clim()
    assert fig.axes[-1].get_ylabel() == "mean validation accuracy"
    with pytest.raises(ValueError, match=r"grids\['x'\] must be 3 x 3"):
        plots.heatmaps({"x": [[1, 2]]}, rows=space.widths, cols=space.activations)


def test_interval_bars_show_summarize_best_first(cell_bench):
    runs = compare({"random": nt.RandomSearch(), "evolution": RegularizedEvolution()},
                   nt.TabularEvaluator(cell_bench), budget=30, seeds=range(6))
    summary = nt.compare.summarize(runs, 30)
    ax = plots.interval_bars(summary, "val_regret").axes[0]
    best_first = summary.sort_values("val_regret")
    assert [t.get_text() for t in ax.get_yticklabels()] == list(best_first["strategy"])
    assert np.allclose([p.get_width() for p in ax.patches], 100 * best_first["val_regret"])
    assert any(t.get_text().strip() == "baseline" for t in ax.texts)
    with pytest.raises(ValueError, match="summary lacks the columns of summarize"):
        plots.interval_bars(runs)


def test_interval_bars_write_tiny_p_values_as_below_a_thousandth(cell_bench):
    """A p-value below 0.001 reads "p < 0.001", not "p = 0.000" (issue 20's walkthrough)."""
    runs = compare({"random": nt.RandomSearch(), "evolution": RegularizedEvolution()},
                   nt.TabularEvaluator(cell_bench), budget=100, seeds=range(60))
    summary = nt.compare.summarize(runs, 100)
    p = summary.set_index("strategy").loc["evolution", "val_regret_p"]
    texts = [t.get_text().strip() for t in plots.interval_bars(summary, "val_regret").axes[0].texts]
    assert "p = 0.000" not in texts
    assert ("p < 0.001" in texts) == (p < 0.001), (p, texts)
    assert p < 0.001  # 60 seeds at 100 evaluations: evolution's lead is clear (lesson 05 measures it)


def test_cell_diagram_draws_each_cell_with_its_string_as_title():
    from nastutor import plots

    twins = ["|conv3~0|+|none~0|none~1|+|none~0|skip~1|none~2|", "|none~0|+|none~0|none~1|+|conv3~0|none~1|none~2|"]
    fig = plots.cell_diagram(twins)
    assert [ax.get_title() for ax in fig.axes] == twins
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels.count("conv3") == 1 and labels.count("none") == 4 and {"0", "1", "2", "3"} <= set(labels)
    with pytest.raises(ValueError, match="none, skip, conv3, avgpool3"):
        plots.cell_diagram("|conv9~0|+|none~0|none~1|+|none~0|skip~1|none~2|")


# -- the figure walkthrough: what a learner saw in JupyterLab ------------------------------------

def _tick_texts(axis) -> list[str]:
    """The non-empty tick labels (major and minor) an axis shows once drawn."""
    axis.figure.draw_without_rendering()
    return [t.get_text() for t in axis.get_ticklabels(which="both") if t.get_text()]


def test_policy_curves_leave_a_margin_so_a_collapsed_policy_stays_visible(cell_bench):
    """A probability of exactly 0 or 1 sat on the frame of a (0, 1) axis and seemed to vanish."""
    policy = Reinforce(learning_rate=50.0)
    trace = Trace(policy, lambda s: s.probabilities())
    nt.run_search(policy, nt.TabularEvaluator(cell_bench), budget=40, progress=False, callback=trace)
    fig = plots.policy_curves(policy_frame(trace))
    for ax in fig.axes:
        low, high = ax.get_ylim()
        assert low < 0 <= 1 < high and high - 1 <= 0.05 and -low <= 0.05


def test_log_axes_read_in_plain_numbers(cell_bench):
    """Regret in pp on a log axis read 10^0, 3x10^-1, 6x10^-1; now 0.3, 0.6, 1."""
    runs = compare({"random": nt.RandomSearch(), "evolution": RegularizedEvolution()},
                   nt.TabularEvaluator(cell_bench), budget=40, seeds=range(8))
    for x in ("step", "total_cost"):
        labels = _tick_texts(plots.regret_curves(runs, x=x).axes[0].yaxis)
        assert labels and all(float(t) > 0 for t in labels), labels       # plain numbers, no mathtext
    narrow = plots.curves(range(1, 21), {"regret": np.linspace(1.05, 0.28, 20)}, yscale="log")
    labels = _tick_texts(narrow.axes[0].yaxis)
    assert {"0.3", "0.4", "0.6", "1"} <= set(labels), labels
    wide = plots.curves(range(1, 101), {"regret": np.geomspace(15, 0.2, 100)}, xscale="log", yscale="log")
    assert {"0.2", "0.5", "1", "2", "5", "10"} <= set(_tick_texts(wide.axes[0].yaxis))
    assert {"1", "10", "100"} <= set(_tick_texts(wide.axes[0].xaxis))
    huge = plots.curves(range(1, 9), {"architectures": [9.0 ** d for d in range(1, 9)]}, yscale="log")
    assert all("10^" in t for t in _tick_texts(huge.axes[0].yaxis))     # beyond 1e5: powers of ten stay


def test_curves_over_integer_budgets_tick_integers_only():
    """A p-value panel over budgets 2..20 ticked 2.5, 7.5, 12.5."""
    fig = plots.curves(np.arange(2, 21), {"p-value": np.linspace(0.9, 0.1, 19)}, yscale="log")
    ticks = [t for t in fig.axes[0].get_xticks() if 2 <= t <= 20]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks
    floats = plots.curves(np.linspace(0, 1, 11), {"y": np.arange(11.0)})
    assert any(not float(t).is_integer() for t in floats.axes[0].get_xticks())   # real x keeps its ticks


def test_several_cell_diagrams_fit_a_notebook_at_a_readable_size():
    """Three cells side by side made a 15-inch figure, scaled down to tiny labels in a notebook."""
    twins = ["|conv3~0|+|none~0|none~1|+|none~0|skip~1|none~2|", "|none~0|+|conv3~0|none~1|+|none~0|none~1|skip~2|",
             "|none~0|+|none~0|none~1|+|conv3~0|none~1|none~2|"]
    fig = plots.cell_diagram(twins)
    assert fig.get_figwidth() <= 9.6                               # a notebook's output width: no scaling
    assert [ax.get_title() for ax in fig.axes] == twins
    fig.draw_without_rendering()
    boxes = [ax.title.get_window_extent() for ax in fig.axes]
    for ax, box in zip(fig.axes, boxes):
        assert ax.title.get_fontsize() >= 10 and min(t.get_fontsize() for t in ax.texts) >= 9
        assert 0 <= box.x0 and box.x1 <= fig.bbox.width and box.y1 <= fig.bbox.height
    assert not boxes[0].overlaps(boxes[1])
    long = "|avgpool3~0|+|avgpool3~0|avgpool3~1|+|avgpool3~0|avgpool3~1|avgpool3~2|"
    fig = plots.cell_diagram([long, long])
    assert fig.axes[0].get_title().replace("\n", "") == long and "\n+|avgpool3~0|" in fig.axes[0].get_title()
    fig.draw_without_rendering()
    first, second = (ax.title.get_window_extent() for ax in fig.axes)
    assert 0 <= first.x0 and not first.overlaps(second) and second.x1 <= fig.bbox.width


def test_interval_bars_keep_long_strategy_labels_inside_the_figure(cell_bench):
    """"P=10, S=10, non-aging" was cut at the figure's left edge."""
    runs = compare({"random": nt.RandomSearch(), "P=10, S=10, non-aging": RegularizedEvolution(10, 10, aging=False)},
                   nt.TabularEvaluator(cell_bench), budget=20, seeds=range(4))
    fig = plots.interval_bars(nt.compare.summarize(runs, 20))
    fig.draw_without_rendering()
    labels = fig.axes[0].get_yticklabels()
    assert "P=10, S=10, non-aging" in [t.get_text() for t in labels]
    for t in labels:
        box = t.get_window_extent()
        assert box.x0 >= 0 and box.x1 <= fig.bbox.width
