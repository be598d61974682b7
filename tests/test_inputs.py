"""Wrong inputs at the public entry points of spaces, plots, dashboards and traces: each gets one
clear message naming the parameter and what is allowed (issue 11), never a silent substitute."""
from __future__ import annotations

import json

import matplotlib
import numpy as np
import pandas as pd
import pytest

import nastutor as nt
from nastutor import interactive, plots
from nastutor.checks import InputError
from nastutor.compare import compare
from nastutor.evaluators import Evaluation
from nastutor.search import History
from nastutor.spaces import CellSpace, MLPSpace
from nastutor.strategies import RandomSearch, RegularizedEvolution, Reinforce
from nastutor.tracing import Trace, policy_frame, population_frame


@pytest.fixture(scope="module")
def cell_bench():
    return nt.Benchmark.load("cell-mnist1d")


@pytest.fixture(scope="module")
def mlp_bench():
    return nt.Benchmark.load("mlp-mnist1d")


@pytest.fixture(scope="module")
def runs(cell_bench):
    return compare({"random": RandomSearch(), "evolution": RegularizedEvolution()},
                   nt.TabularEvaluator(cell_bench), budget=20, seeds=range(3))


# -- spaces: the choices ------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, match", [
    ({"widths": (16, 16)}, "widths must be distinct.*16"),
    ({"widths": (16, 32, 16)}, "widths must be distinct.*16"),
    ({"activations": ("relu", "relu")}, "activations must be distinct.*relu"),
])
def test_spaces_refuse_duplicate_choices(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MLPSpace(**kwargs)


@pytest.mark.parametrize("make, match", [
    (lambda: MLPSpace(widths=(64.0,)), "widths.*integer.*64.0"),
    (lambda: MLPSpace(widths=(True, 16)), "widths.*integer.*True"),
    (lambda: MLPSpace(max_depth=True), "max_depth must be an integer >= 1, got True"),
    (lambda: MLPSpace(max_depth=2.0), "max_depth must be an integer >= 1, got 2.0"),
    (lambda: CellSpace(channels=16.0), "channels must be an integer >= 1, got 16.0"),
    (lambda: CellSpace(cells=True), "cells must be an integer >= 1, got True"),
    (lambda: MLPSpace(widths="16,32"), "widths must be a tuple of distinct widths"),
    (lambda: MLPSpace(widths=16), "widths must be a tuple of distinct widths"),
    (lambda: MLPSpace(widths=()), "widths must name at least one"),
    (lambda: MLPSpace(activations="relu"), "activations must be a tuple of distinct activations"),
    (lambda: MLPSpace(activations=(3,)), "activation 3 is not allowed"),
])
def test_spaces_refuse_floats_booleans_and_strings(make, match):
    with pytest.raises(InputError, match=match):
        make()


def test_spaces_store_numpy_integers_as_plain_ints():
    space = MLPSpace(widths=np.array([16, 32]), activations=np.array(["relu", "tanh"]), max_depth=np.int64(2))
    assert space.size == 4 + 16
    assert all(type(w) is int for w in space.widths) and type(space.max_depth) is int
    assert all(type(a) is str for a in space.activations)
    assert json.loads(json.dumps(space.config())) == {"widths": [16, 32], "activations": ["relu", "tanh"],
                                                      "max_depth": 2}
    cell = CellSpace(channels=np.int64(8), cells=np.int32(2))
    assert json.dumps(cell.config()) == '{"channels": 8, "cells": 2}'
    assert type(MLPSpace(**space.config())).__name__ == "MLPSpace"


def test_a_float_width_is_not_an_architecture():
    space = MLPSpace()
    with pytest.raises(ValueError, match="width 64.0"):
        space.validate(((64.0, "relu"),))
    with pytest.raises(ValueError, match="width True"):
        MLPSpace(widths=(1, 16)).validate(((True, "relu"),))
    assert ((64.0, "relu"),) not in space
    assert ((np.int64(64), "relu"),) in space  # equal to the plain-int architecture


def test_mutate_without_neighbours_says_why():
    space = MLPSpace(widths=(16,), activations=("relu",), max_depth=1)
    assert space.size == 1 and space.neighbors(((16, "relu"),)) == []
    with pytest.raises(ValueError, match="no neighbour") as error:
        space.mutate(((16, "relu"),), np.random.default_rng(0))
    assert "MLPSpace(widths=(16,)" in str(error.value) and "single architecture" in str(error.value)


# -- dashboards -----------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [np.int64(3), np.uint8(3), 3])
def test_search_dashboard_runs_numpy_seeds(seed):
    board = interactive.search_dashboard(strategy="random", budget=5, seed=seed)
    assert board.seed.value == 3 and type(board.seed.value) is int
    assert "seed 3:" in board.status.value


def test_search_dashboard_runs_the_seed_it_is_given():
    """The seed box once held at most 10**6 and silently ran that seed instead of a larger one."""
    board = interactive.search_dashboard(strategy="random", budget=5, seed=10**7)
    assert board.seed.value == 10**7 and "seed 10000000:" in board.status.value
    expected = nt.run_search(RandomSearch(), board.evaluator, 5, seed=10**7, progress=False)
    assert [e.arch for e in board.history()] == [e.arch for e in expected]


@pytest.mark.parametrize("seed, match", [
    (None, "seed must be a non-negative integer, got None"), (-1, "seed must be an integer from 0"),
    (2.5, "seed must be a non-negative integer.*2.5"), (3.0, "seed must be a non-negative integer.*3.0"),
    (True, "seed must be a non-negative integer.*True"), ("0", "seed must be a non-negative integer"),
    (2**60, "seed must be at most 2\\*\\*53 - 1"),
])
def test_search_dashboard_refuses_seeds_it_would_not_run(seed, match):
    with pytest.raises(InputError, match=match):
        interactive.search_dashboard(budget=5, seed=seed)


@pytest.mark.parametrize("kwargs, match", [
    ({"strategy": 3}, "strategy must be one of: random, evolution"),
    ({"strategy": ["random"]}, "strategy must be one of"),
    ({"strategy": RandomSearch()}, "strategy must be one of"),
    ({"strategy": "annealing"}, "strategy must be one of"),
    ({"strategies": "random"}, "strategies must be a list of strategy names"),
    ({"strategies": ["random", "random"]}, "strategies must be distinct.*random"),
    ({"strategies": ["random", 3]}, "each of strategies must be one of"),
    ({"strategies": []}, "strategies must name at least one"),
    ({"budget": 2.5}, "budget must be an integer from 1 to 500, got 2.5"),
    ({"budget": True}, "budget must be an integer from 1 to 500, got True"),
    ({"budget": 600}, "budget must be an integer from 1 to 500, got 600"),
    ({"max_budget": "500"}, "max_budget must be an integer >= 1"),
    ({"benchmark": "cell"}, "benchmark must be one of: cell-digits, cell-mnist1d, mlp-mnist1d"),
    ({"benchmark": ["cell-mnist1d"]}, "benchmark must be a Benchmark or one of"),
    ({"benchmark": 3}, "benchmark must be a Benchmark or one of"),
    ({"metric": "test"}, "metric must be 'val_accuracy' or 'test_accuracy', got 'test'"),
    ({"metric": None}, "metric must be 'val_accuracy' or 'test_accuracy'"),
])
def test_search_dashboard_names_the_bad_parameter(kwargs, match):
    with pytest.raises(InputError, match=match):
        interactive.search_dashboard(**{"budget": 5, **kwargs})


def test_search_dashboard_takes_a_tabular_evaluators_benchmark_by_name_or_object(cell_bench):
    with pytest.raises(InputError, match="benchmark must be a Benchmark.*TabularEvaluator"):
        interactive.search_dashboard(nt.TabularEvaluator(cell_bench), budget=5)
    assert interactive.search_dashboard(cell_bench, budget=5).bench is cell_bench


@pytest.mark.parametrize("kwargs, match", [
    ({"seed": -1}, "seed must be an integer from 0"), ({"seed": None}, "seed must be a non-negative"),
    ({"seed": 1.5}, "seed must be a non-negative integer"),
    ({"space": "mlp"}, "space must be a SearchSpace"), ({"arch": 64}, "arch must be"),
    ({"arch": "48relu"}, "width 48"), ({"dataset": 3}, "dataset must be"),
    ({"config": {"epochs": 2}}, "config must be a TrainConfig"),
    ({"show_test": "yes"}, "show_test must be True or False, got 'yes'"),
])
def test_live_training_names_the_bad_parameter(kwargs, match):
    args = {"space": nt.MLPSpace(), "arch": "32relu", **kwargs}
    with pytest.raises((InputError, ValueError), match=match):
        interactive.live_training(**args)


def test_live_training_takes_numpy_seeds():
    view = interactive.live_training(nt.MLPSpace(), "32relu", seed=np.int64(2))
    assert view.seed == 2 and type(view.seed) is int


@pytest.mark.parametrize("kwargs, match", [
    ({"budget": 0}, "budget must be an integer from 1 to 20, got 0"),
    ({"budget": 21}, "budget must be an integer from 1 to 20, got 21"),
    ({"budget": 5.0}, "budget must be an integer from 1 to 20"),
    ({"baseline": 3}, "baseline must be one of the strategies: random, evolution"),
    ({"baseline": "grid"}, "baseline must be one of the strategies"),
])
def test_comparison_dashboard_names_the_bad_parameter(runs, kwargs, match):
    with pytest.raises(InputError, match=match):
        interactive.comparison_dashboard(runs, **kwargs)


@pytest.mark.parametrize("bad, match", [
    ("runs", "runs must be a DataFrame from compare()"),
    (pd.DataFrame({"strategy": ["random"]}), "runs lacks the columns of compare\\(\\).*seed"),
    (pd.DataFrame(columns=["strategy", "seed", "step", "total_cost", "val_regret", "test_regret"]), "runs is empty"),
])
def test_comparison_dashboard_and_regret_plots_need_compare_results(bad, match):
    with pytest.raises(InputError, match=match):
        interactive.comparison_dashboard(bad)
    with pytest.raises(InputError, match=match):
        plots.regret_curves(bad)


# -- plots ----------------------------------------------------------------------------------------

def test_landscape_refuses_a_history_from_another_space(cell_bench, mlp_bench):
    history = nt.run_search(RandomSearch(), nt.TabularEvaluator(mlp_bench), 5, progress=False)
    with pytest.raises(InputError, match="history searched MLPSpace.*not the benchmark's space CellSpace"):
        plots.landscape(cell_bench, history)
    other = MLPSpace(widths=(16, 128))
    foreign = History(other, [Evaluation(((128, "relu"),), 0.5, 0.5, 1.0, 1, 0)])
    with pytest.raises(InputError, match="history.*128relu.*not in the benchmark's space"):
        plots.landscape(mlp_bench, foreign)
    with pytest.raises(InputError, match="history must be a History from run_search"):
        plots.landscape(cell_bench, history.to_frame())


@pytest.mark.parametrize("call, match", [
    (lambda b, m: plots.landscape("cell"), "benchmark must be one of"),
    (lambda b, m: plots.landscape(3), "benchmark must be a Benchmark or one of"),
    (lambda b, m: plots.landscape(b, metric="params"), "metric must be 'val_accuracy' or 'test_accuracy'"),
    (lambda b, m: plots.landscape(b, ax="left"), "ax must be a matplotlib Axes"),
    (lambda b, m: plots.landscape(b, title=3), "title must be a string"),
    (lambda b, m: plots.mlp_heatmap(m, reduce="min"), "reduce must be 'max' or 'mean'"),
    (lambda b, m: plots.mlp_heatmap(b), "mlp_heatmap needs an MLP benchmark"),
    (lambda b, m: plots.learning_curves(b, []), "archs must name at least one"),
    (lambda b, m: plots.learning_curves(b, 3), "archs must be a list of architectures"),
    (lambda b, m: plots.learning_curves(b, ["|nope~0|"]), "cannot read"),
    (lambda b, m: plots.learning_curves(b, [b.archs[0]], split="train"), "split must be 'val' or 'test'"),
])
def test_plots_name_the_bad_parameter(cell_bench, mlp_bench, call, match):
    with pytest.raises((InputError, ValueError), match=match):
        call(cell_bench, mlp_bench)


def test_learning_curves_take_one_architecture_as_well_as_a_list(mlp_bench, cell_bench):
    """A single string was read letter by letter ('6', '4', ...)."""
    fig = plots.learning_curves(mlp_bench, "64relu")
    assert [line.get_label() for line in fig.axes[0].lines] == ["64relu"]
    fig = plots.learning_curves(cell_bench, cell_bench.archs[5])
    assert [line.get_label() for line in fig.axes[0].lines] == [cell_bench.space.to_string(cell_bench.archs[5])]


@pytest.mark.parametrize("kwargs, match", [
    ({"x": "seconds"}, "x must be 'step' or 'total_cost'"),
    ({"metric": "regret"}, "metric must be 'val_regret' or 'test_regret'"),
    ({"confidence": 95}, "confidence must be a number between 0 and 1 \\(exclusive\\), such as 0.95, got 95"),
    ({"confidence": 1.0}, "confidence must be a number between 0 and 1"),
    ({"confidence": float("nan")}, "confidence must be a number between 0 and 1"),
    ({"log": "yes"}, "log must be True or False"),
])
def test_regret_curves_name_the_bad_parameter(runs, kwargs, match):
    with pytest.raises(InputError, match=match):
        plots.regret_curves(runs, **kwargs)


def test_regret_bands_points_are_a_count(runs):
    with pytest.raises(InputError, match="points must be an integer >= 2"):
        plots.regret_bands(runs, x="total_cost", points=1.5)


# -- traces ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def traces(cell_bench):
    ev = nt.TabularEvaluator(cell_bench)
    policy, evo = Reinforce(), RegularizedEvolution(population_size=4, sample_size=2)
    policy_trace = Trace(policy, lambda s: s.probabilities())
    population_trace = Trace(evo, lambda s: list(s.population))
    nt.run_search(policy, ev, 6, progress=False, callback=policy_trace)
    nt.run_search(evo, ev, 6, progress=False, callback=population_trace)
    return policy_trace, population_trace


@pytest.mark.parametrize("make, match", [
    (lambda: Trace(Reinforce, lambda s: s.probabilities()), "strategy must be a Strategy such as Reinforce\\(\\)"),
    (lambda: Trace("reinforce", lambda s: s), "strategy must be a Strategy"),
    (lambda: Trace(Reinforce(), "probabilities"), "read must be a function of the strategy"),
    (lambda: policy_frame("trace"), "trace must be a Trace"),
    (lambda: population_frame(None), "trace must be a Trace"),
    (lambda: policy_frame(Trace(Reinforce(), lambda s: s.probabilities())), "has not run yet"),
])
def test_trace_names_the_bad_parameter(make, match):
    with pytest.raises(InputError, match=match):
        make()


def test_frames_say_which_trace_they_need(traces):
    policy_trace, population_trace = traces
    with pytest.raises(InputError, match="policy_frame needs a Trace that reads strategy.probabilities"):
        policy_frame(population_trace)
    with pytest.raises(InputError, match="population_frame needs a Trace that reads list\\(strategy.population\\)"):
        population_frame(policy_trace)
    with pytest.raises(InputError, match="space must be a SearchSpace"):
        policy_frame(policy_trace, space="cell")
    assert len(policy_frame(policy_trace)) and len(population_frame(population_trace))


def test_policy_and_population_plots_name_the_bad_parameter(traces):
    policy = policy_frame(traces[0])
    with pytest.raises(InputError, match="decisions must be among the policy's decisions.*edge 1<-0"):
        plots.policy_curves(policy, decisions=["edge 9<-9"])
    with pytest.raises(InputError, match="decisions must be a list of decision names"):
        plots.policy_curves(policy, decisions="edge 1<-0")
    with pytest.raises(InputError, match="policy must be a DataFrame from tracing.policy_frame"):
        plots.policy_curves(traces[0])
    with pytest.raises(InputError, match="population lacks the columns of tracing.population_frame: age_rank"):
        plots.population_plot(policy)
    with pytest.raises(InputError, match="population must be a DataFrame from tracing.population_frame"):
        plots.population_plot(traces[1])
    with pytest.raises(InputError, match="ax must be a matplotlib Axes"):
        plots.population_plot(population_frame(traces[1]), ax=0)
    assert isinstance(plots.policy_curves(policy, decisions=("edge 1<-0",)), matplotlib.figure.Figure)
