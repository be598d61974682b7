"""Dashboards in-process: moving a control changes the figure to the matching search result."""
from __future__ import annotations

import time

import numpy as np
import plotly.io as pio
import pytest

import nastutor as nt
from nastutor import interactive
from nastutor.checks import InputError
from nastutor.compare import compare, regret_frame, summarize
from nastutor.interactive.controls import offered, strategy_controls
from nastutor.strategies import REGISTRY, RegularizedEvolution, Reinforce


@pytest.fixture(scope="module")
def board():
    return interactive.search_dashboard("cell-mnist1d", strategy="evolution", budget=50, max_budget=300, seed=3)


def _expected(board, strategy, budget, seed):
    history = nt.run_search(strategy, nt.TabularEvaluator("cell-mnist1d"), budget, seed=seed, progress=False)
    where = [board._positions[e.arch] for e in history]
    return history, board._xy[where]


def test_budget_slider_shows_the_matching_search(board):
    for budget in (120, 30, 200):
        board.budget.value = budget
        history, xy = _expected(board, RegularizedEvolution(10, 3), budget, seed=3)
        visited, _, points, incumbent = board.figure.data[1:5]
        assert np.allclose(np.c_[visited.x, visited.y], xy)
        assert np.allclose(points.y, [e.val_accuracy for e in history])
        assert np.allclose(incumbent.y, np.maximum.accumulate([e.val_accuracy for e in history]))
        assert np.isclose(points.x[-1], history.total_cost)
        assert f"{budget} evaluations" in board.status.value
        assert board.bench.space.to_string(history.best.arch) in board.status.value


def test_strategy_seed_and_parameters_rerun_the_search(board):
    board.budget.value = 60
    board.strategy.value = "reinforce"
    board.params["reinforce"]["learning_rate"].value = 0.1
    history, xy = _expected(board, Reinforce(learning_rate=0.1), 60, seed=3)
    assert np.allclose(np.c_[board.figure.data[1].x, board.figure.data[1].y], xy)
    assert board._params_area.children[0] is board._param_boxes["reinforce"]
    board.strategy.value = "evolution"
    board.seed.value = 4
    board.params["evolution"]["aging"].value = False
    history, xy = _expected(board, RegularizedEvolution(10, 3, aging=False), 60, seed=4)
    assert np.allclose(np.c_[board.figure.data[1].x, board.figure.data[1].y], xy)
    assert not board.output.outputs  # no error was printed


def test_sample_size_never_exceeds_population(board):
    evo = board.params["evolution"]
    evo["sample_size"].value = 5
    evo["population_size"].value = 3
    assert evo["sample_size"].value <= 3
    assert "Regularized evolution" in board.status.value


def test_controls_carry_css_classes_and_the_figure_saves_to_html(board, tmp_path):
    assert "nastutor-budget" in board.budget._dom_classes
    assert "nastutor-strategy" in board.strategy._dom_classes
    assert "nastutor-figure" in board.figure._dom_classes
    path = tmp_path / "board.html"
    pio.write_html(board.figure, str(path), include_plotlyjs=False)
    assert "incumbent path" in path.read_text()


def test_search_dashboard_keeps_a_bounded_cache_of_runs():
    """Each seed change ran and kept a new search forever (+108 MB after 200 seeds); now only the
    most recently shown runs stay, and a cached one comes back without running again."""
    board = interactive.search_dashboard("cell-mnist1d", strategy="random", budget=20, seed=0)
    limit = board.max_cached_runs
    assert 8 <= limit <= 64
    for seed in range(1, 3 * limit):
        board.seed.value = seed
    assert len(board._runs) == limit
    board.seed.value = 3 * limit - 5                 # still cached: the same objects come back
    cached = board._runs[next(reversed(board._runs))]
    assert board._run() is cached
    board.seed.value = 0                             # evicted long ago: run again, same search
    expected = nt.run_search(nt.RandomSearch(), nt.TabularEvaluator("cell-mnist1d"), 20, seed=0, progress=False)
    assert [e.arch for e in board.history()] == [e.arch for e in expected]
    assert len(board._runs) == limit


def test_status_reports_the_regret_of_the_incumbent(board):
    board.strategy.value, board.seed.value, board.budget.value = "evolution", 3, 80
    frame = regret_frame(board.history(), board.evaluator).iloc[-1]
    assert (f"regret {100 * frame['val_regret']:.2f} pp on validation, "
            f"{100 * frame['test_regret']:.2f} pp on test") in board.status.value


@pytest.mark.parametrize("name", list(REGISTRY))
def test_strategy_controls_are_generated_from_the_registry(name):
    entry = REGISTRY[name]
    controls = strategy_controls(name)
    assert list(controls) == [p.name for p in entry.params if p.control]
    for p in entry.params:
        if not p.control:
            continue
        widget = controls[p.name]
        assert widget.value == p.default and widget.description == (p.label or p.name)
        if p.low is not None and p.kind is not bool:
            low, high = (10 ** widget.min, 10 ** widget.max) if p.log else (widget.min, widget.max)
            assert (low, high) == pytest.approx((p.low, p.high))
            assert widget.continuous_update is False
    board_strategy = interactive.controls.make_strategy(name, controls)
    assert repr(board_strategy) == repr(entry.make())


def test_the_dashboard_offers_the_registry_with_its_defaults_first():
    assert set(interactive.DEFAULT_STRATEGIES) <= set(REGISTRY)
    assert offered()[:len(interactive.DEFAULT_STRATEGIES)] == list(interactive.DEFAULT_STRATEGIES)
    assert sorted(offered()) == sorted(REGISTRY)
    board = interactive.search_dashboard(strategy="random", budget=5)
    assert [value for _, value in board.strategy.options] == list(interactive.DEFAULT_STRATEGIES)
    assert dict(board.strategy.options)["Optuna TPE"] == "optuna"
    with pytest.raises(InputError, match="strategy must be one of: .*optuna.*got 'tpe'"):
        interactive.search_dashboard(strategy="tpe", budget=5)


def test_every_registered_strategy_runs_in_the_dashboard():
    names = offered()
    board = interactive.search_dashboard("cell-mnist1d", strategy=names[0], budget=12, max_budget=12,
                                         strategies=names)
    for name in names:
        board.strategy.value = name
        assert board._params_area.children[0] is board._param_boxes[name]
        assert f"<b>{REGISTRY[name].label}</b>" in board.status.value
        assert repr(board.make_strategy()) == repr(REGISTRY[name].make())
    assert not board.output.outputs  # no error was printed


def test_search_dashboard_rejects_bad_arguments():
    with pytest.raises(ValueError, match="strategy must be one of"):
        interactive.search_dashboard(strategy="annealing")
    with pytest.raises(ValueError, match="budget"):
        interactive.search_dashboard(budget=0)


def test_comparison_dashboard_follows_its_budget_slider():
    runs = compare({"random": nt.RandomSearch(), "evolution": RegularizedEvolution()},
                   nt.TabularEvaluator("cell-mnist1d"), budget=60, seeds=range(8))
    board = interactive.comparison_dashboard(runs)
    for budget in (10, 45):
        board.budget.value = budget
        summary = summarize(runs, budget).set_index("strategy")
        bars = board.figure.data[-1]
        got = dict(zip(bars.y, bars.x))
        assert got["evolution"] == pytest.approx(100 * summary.loc["evolution", "val_regret"])
        assert board.figure.layout.shapes[0].x0 == budget
        assert f"Ranking at {budget} evaluations" in board.table.value
    board.metric.value = "test_regret"
    got = dict(zip(board.figure.data[-1].y, board.figure.data[-1].x))
    assert got["random"] == pytest.approx(100 * summarize(runs, 45).set_index("strategy").loc["random", "test_regret"])
    with pytest.raises(ValueError, match="baseline"):
        interactive.comparison_dashboard(runs, baseline="grid")


def test_live_training_grows_and_stop_keeps_what_was_trained():
    view = interactive.live_training(nt.MLPSpace(), "32relu", config=nt.TrainConfig(epochs=4, lr=0.02))
    view.start(block=True)
    assert view.error is None and view.result is not None and not view.result.failed
    assert list(view.figure.data[1].y) == [r.val_accuracy for r in view.records] and len(view.records) == 4
    assert "finished" in view.status.value

    slow = interactive.live_training(nt.MLPSpace(), "64relu-64relu-64relu", config=nt.TrainConfig(epochs=50))
    slow.start()
    deadline = time.time() + 60
    while not slow.records and time.time() < deadline:
        time.sleep(0.01)
    slow.stop()
    slow.join(60)
    assert 1 <= len(slow.records) < 50 and slow.result.epochs == tuple(slow.records)
    assert "stopped" in slow.status.value and slow.stop_button.disabled


# -- issue 20: test data stays out of sight while searching; the winner's curse said -------------

def test_search_dashboard_colours_the_landscape_by_validation_accuracy(board):
    """The landscape was coloured by mean test accuracy and its hover showed every cell's test
    accuracy while the learner searched. Now validation, said in the title and the colour bar."""
    frame = nt.plots.landscape_frame(board.bench)
    heatmap = board.figure.data[0]
    assert np.allclose(np.asarray(heatmap.z).ravel(), frame["val_accuracy"])
    assert "validation" in board.figure.layout.annotations[0].text
    assert "val" in heatmap.colorbar.title.text and "test" not in heatmap.colorbar.title.text
    assert "test" not in heatmap.hovertemplate
    assert ":,d} parameters" in heatmap.hovertemplate                # a count reads 78, never 78.0000
    reported = interactive.search_dashboard(strategy="random", budget=5, metric="test_accuracy")
    assert np.allclose(np.asarray(reported.figure.data[0].z).ravel(), frame["test_accuracy"])
    assert "reported" in reported.figure.layout.annotations[0].text


def test_search_dashboard_explains_an_incumbent_above_the_optimum():
    """The incumbent line rose above "optimum (mean val)" with no word on why."""
    board = interactive.search_dashboard(strategy="evolution", budget=200, seed=0)
    optimum = board.bench.truth().max()
    texts = [a.text for a in board.figure.layout.annotations]
    assert any(t.startswith("optimum: best mean val over 3 seeds") for t in texts)
    assert any("winner's curse" in t for t in texts)
    assert max(board.figure.data[4].y) > optimum                         # this search shows the curse...
    assert "winner's curse" in board.status.value and f"{optimum:.4f}" in board.status.value   # ...and says so
    board.budget.value = 5
    if max(board.figure.data[4].y) <= optimum:
        assert "winner's curse" not in board.status.value


def test_live_training_keeps_test_accuracy_out_of_sight_unless_asked():
    config = nt.TrainConfig(epochs=2, lr=0.02)
    view = interactive.live_training(nt.MLPSpace(), "32relu", config=config)
    assert [t.name for t in view.figure.data] == ["training loss", "validation accuracy"]
    view.start(block=True)
    assert "test" not in view.status.value
    shown = interactive.live_training(nt.MLPSpace(), "32relu", config=config, show_test=True)
    shown.start(block=True)
    assert shown.figure.data[2].name == "test accuracy (reported, not searched)"
    assert list(shown.figure.data[2].y) == [r.test_accuracy for r in shown.records]
    assert "(reported)" in shown.status.value


def test_comparison_dashboard_labels_read_in_full():
    """The metric toggle cut its label to "test regret (repor..."; counts in hovers were floats."""
    runs = compare({"random": nt.RandomSearch()}, nt.TabularEvaluator("cell-mnist1d"), budget=10, seeds=range(3))
    board = interactive.comparison_dashboard(runs)
    assert board.metric.style.button_width == "auto"
    assert "%{x:,d} evaluations" in board.figure.data[1].hovertemplate
    board.metric.value = "test_regret"
    assert "reported" in board.figure.layout.yaxis.title.text and "reported" in board.table.value


# -- the figure walkthrough: titles, colour bar and bar labels that collided or were cut ----------

def test_search_dashboard_titles_and_colour_bar_stay_clear(board):
    """The right panel's title ran into its top y tick; the colour bar's title wrapped."""
    layout = board.figure.layout
    title = layout.annotations[1].text
    width = layout.width - layout.margin.l - layout.margin.r
    panel = (layout.xaxis2.domain[1] - layout.xaxis2.domain[0]) * width
    assert 8.5 * len(title) <= panel, (title, panel)    # a 16-pixel title within its panel, clear of the ticks
    assert layout.yaxis2.side == "right" and layout.yaxis2.tickformat == ".2f"
    bar = board.figure.data[0].colorbar
    assert bar.title.side == "right" and "<br>" not in bar.title.text and bar.title.text == "mean val accuracy"


def test_comparison_dashboard_wraps_long_strategy_labels_to_fit_between_the_panels():
    """"P=10, S=10, non-aging" was clipped at the left of the bar panel."""
    from nastutor.interactive.comparison_dashboard import CHAR_PX, MARGINS, WIDTH, panel_spacing, wrap_label

    assert wrap_label("P=10, S=10, non-aging") == "P=10, S=10,<br>non-aging"
    assert wrap_label("random") == "random" and wrap_label("a<b") == "a&lt;b"
    runs = compare({"random": nt.RandomSearch(), "P=10, S=10, non-aging": RegularizedEvolution(10, 10, aging=False),
                    "an-unbreakable-strategy-name": RegularizedEvolution()},
                   nt.TabularEvaluator("cell-mnist1d"), budget=10, seeds=range(3))
    board = interactive.comparison_dashboard(runs)
    axis = board.figure.layout.yaxis2
    assert dict(zip(axis.tickvals, axis.ticktext))["P=10, S=10, non-aging"] == "P=10, S=10,<br>non-aging"
    gap = (board.figure.layout.xaxis2.domain[0] - board.figure.layout.xaxis.domain[1]) * (WIDTH - MARGINS)
    assert gap >= CHAR_PX * len("an-unbreakable-strategy-name")          # the longest line fits in the gap
    assert set(board.figure.data[-1].y) == set(runs["strategy"])          # bars keep the strategies' names
    assert panel_spacing(["random"]) == 0.16
    board.metric.value = "test_regret"
    assert list(board.figure.layout.yaxis2.ticktext) == list(axis.ticktext)
