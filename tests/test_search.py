import json
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from conftest import HashEvaluator
from nastutor import GridSearch, LiveEvaluator, RandomSearch, make_executor, run_search
from nastutor.spaces import MLPSpace
from nastutor.strategies import REGISTRY, get_strategy
from nastutor.training import TrainConfig


def _frame(history):
    return history.to_frame().drop(columns=["cost", "total_cost"])


def test_budget_in_evaluations(mlp):
    history = run_search(RandomSearch(), HashEvaluator(mlp), budget=25, seed=0, progress=False)
    frame = history.to_frame()
    assert len(history) == 25 and list(frame["step"]) == list(range(25))
    assert frame["incumbent_val"].is_monotonic_increasing
    assert history.best.val_accuracy == frame["val_accuracy"].max()
    traj = history.incumbent_trajectory()
    assert traj["val_accuracy"].is_monotonic_increasing and traj["step"].iloc[0] == 0
    assert traj["arch"].iloc[-1] == mlp.to_string(history.best_arch)


def test_budget_in_seconds(mlp):
    history = run_search(RandomSearch(), HashEvaluator(mlp, cost=2.0), seconds=9, seed=0, progress=False)
    assert len(history) == 5 and history.total_cost == 10.0
    both = run_search(RandomSearch(), HashEvaluator(mlp, cost=2.0), budget=3, seconds=100, progress=False)
    assert len(both) == 3


def test_same_seed_same_search(mlp):
    a = run_search(RandomSearch(), HashEvaluator(mlp), budget=30, seed=4, progress=False)
    b = run_search(RandomSearch(), HashEvaluator(mlp), budget=30, seed=4, progress=False)
    c = run_search(RandomSearch(), HashEvaluator(mlp), budget=30, seed=5, progress=False)
    pd.testing.assert_frame_equal(_frame(a), _frame(b))
    assert list(a.to_frame()["arch"]) != list(c.to_frame()["arch"])


def test_live_search_is_reproducible(mlp):
    ev = LiveEvaluator(mlp, "mnist1d", TrainConfig(epochs=2))
    a = run_search(RandomSearch(), ev, budget=3, seed=0, progress=False)
    b = run_search(RandomSearch(), ev, budget=3, seed=0, progress=False)
    pd.testing.assert_frame_equal(_frame(a), _frame(b))


def test_grid_search_stops_when_the_grid_is_done():
    space = MLPSpace(widths=(16, 32), activations=("relu",), max_depth=2)
    history = run_search(GridSearch(), HashEvaluator(space), budget=100, progress=False)
    assert [e.arch for e in history] == list(space.enumerate())
    assert [space.to_string(e.arch) for e in history][:3] == ["16relu", "32relu", "16relu-16relu"]


def test_grid_search_visits_each_function_once(cell):
    history = run_search(GridSearch(), HashEvaluator(cell), budget=5000, progress=False)
    assert len(history) == len(cell.unique)
    everything = run_search(GridSearch(canonical=False), HashEvaluator(cell), budget=5000, progress=False)
    assert len(everything) == cell.size


def test_interrupt_returns_what_it_has(mlp):
    history = run_search(RandomSearch(), HashEvaluator(mlp, interrupt_at=4), budget=10, progress=False)
    assert history.interrupted and len(history) == 3
    assert "interrupted" in repr(history)


def test_resume_from_the_log_reaches_the_same_end_state(mlp, tmp_path):
    log = tmp_path / "search.jsonl"
    whole = run_search(RandomSearch(), HashEvaluator(mlp), budget=12, seed=3, progress=False)
    first = run_search(RandomSearch(), HashEvaluator(mlp, interrupt_at=6), budget=12, seed=3, log=log,
                       progress=False)
    assert first.interrupted and len(first) == 5
    assert len(log.read_text().splitlines()) == 1 + 5  # header + one line per evaluation
    evaluator = HashEvaluator(mlp)
    resumed = run_search(RandomSearch(), evaluator, budget=12, seed=3, log=log, progress=False)
    assert evaluator.calls == 7  # only what was missing was evaluated
    pd.testing.assert_frame_equal(resumed.to_frame(), whole.to_frame())
    again = HashEvaluator(mlp)
    run_search(RandomSearch(), again, budget=12, seed=3, log=log, progress=False)
    assert again.calls == 0


def test_a_log_cut_mid_line_resumes(mlp, tmp_path):
    log = tmp_path / "search.jsonl"
    run_search(RandomSearch(), HashEvaluator(mlp), budget=4, seed=0, log=log, progress=False)
    text = log.read_text()
    log.write_text(text[: len(text) - 20])  # the last record was being written when killed
    evaluator = HashEvaluator(mlp)
    history = run_search(RandomSearch(), evaluator, budget=4, seed=0, log=log, progress=False)
    assert len(history) == 4 and evaluator.calls == 1
    assert all(json.loads(line) for line in log.read_text().splitlines())


def test_a_log_from_another_search_is_refused(mlp, tmp_path):
    log = tmp_path / "search.jsonl"
    run_search(RandomSearch(), HashEvaluator(mlp), budget=3, seed=0, log=log, progress=False)
    with pytest.raises(ValueError, match="different search.*seed"):
        run_search(RandomSearch(), HashEvaluator(mlp), budget=3, seed=1, log=log, progress=False)
    lines = log.read_text().splitlines()
    log.write_text("\n".join([lines[0], "{not json", lines[2]]) + "\n")
    with pytest.raises(ValueError, match="line 2 is corrupt"):
        run_search(RandomSearch(), HashEvaluator(mlp), budget=3, seed=0, log=log, progress=False)
    (tmp_path / "other.txt").write_text("hello\n")
    with pytest.raises(ValueError, match="not a nastutor search log"):
        run_search(RandomSearch(), HashEvaluator(mlp), budget=3, log=tmp_path / "other.txt", progress=False)


def test_parallel_search_matches_serial(mlp):
    serial = run_search(RandomSearch(), HashEvaluator(mlp), budget=20, seed=2, progress=False)
    with ThreadPoolExecutor(3) as pool:
        parallel = run_search(RandomSearch(), HashEvaluator(mlp), budget=20, seed=2, executor=pool,
                              progress=False)
    pd.testing.assert_frame_equal(_frame(serial), _frame(parallel))


def test_live_training_in_worker_processes_gives_the_same_numbers(mlp):
    ev = LiveEvaluator(mlp, "mnist1d", TrainConfig(epochs=2))
    serial = run_search(RandomSearch(), ev, budget=4, seed=0, progress=False)
    with make_executor(2) as pool:
        parallel = run_search(RandomSearch(), ev, budget=4, seed=0, executor=pool, progress=False)
    pd.testing.assert_frame_equal(_frame(serial), _frame(parallel))


def test_callback_sees_every_step(mlp):
    seen = []
    run_search(RandomSearch(), HashEvaluator(mlp), budget=5, progress=False, callback=lambda h: seen.append(len(h)))
    assert seen == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("kwargs, error, match", [
    ({"budget": 0}, ValueError, "budget must be an integer >= 1"),
    ({"budget": -3}, ValueError, "budget must be an integer >= 1"),
    ({"budget": 2.5}, ValueError, "budget must be an integer >= 1"),
    ({}, ValueError, "give a budget"),
    ({"seconds": 0}, ValueError, "seconds must be a finite number > 0"),
    ({"budget": 3, "epochs": 11}, ValueError, "from 1 to 10"),
])
def test_bad_budgets(mlp, kwargs, error, match):
    with pytest.raises(error, match=match):
        run_search(RandomSearch(), HashEvaluator(mlp), progress=False, **kwargs)


def test_bad_strategies(mlp):
    with pytest.raises(ValueError, match=", ".join(REGISTRY)):
        get_strategy("bayesian-magic")
    with pytest.raises(TypeError, match="Strategy"):
        run_search("random", HashEvaluator(mlp), budget=3)
    with pytest.raises(TypeError, match="Evaluator"):
        run_search(RandomSearch(), mlp, budget=3)
    with pytest.raises(RuntimeError, match="setup"):
        RandomSearch().ask()
    with pytest.raises(ValueError, match="True or False"):
        GridSearch(canonical="yes")
    with pytest.raises(ValueError, match="workers"):
        make_executor(0)
    with pytest.raises(ValueError, match="empty"):
        run_search(RandomSearch(), HashEvaluator(mlp, interrupt_at=1), budget=3, progress=False).best
