"""Budgets in evaluations or in (simulated) seconds, in one place: `History.incumbent`,
`History.within`, `compare.at_budget` and `summarize(runs, seconds=...)` (issue 12)."""
import numpy as np
import pandas as pd
import pytest

from conftest import HashEvaluator
from nastutor.checks import InputError
from nastutor.compare import at_budget, compare, regret_frame, summarize
from nastutor.evaluators import TabularEvaluator
from nastutor.history import History
from nastutor.search import run_search
from nastutor.strategies import RandomSearch, RegularizedEvolution


@pytest.fixture(scope="module")
def bench():
    return TabularEvaluator("cell-mnist1d")


@pytest.fixture(scope="module")
def runs(bench):
    return compare({"random": RandomSearch(), "evolution": RegularizedEvolution()}, bench,
                   budget=None, seconds=300, seeds=range(6))


def _within(runs, seconds):
    """What lesson 07 did by hand: keep the evaluations finished within `seconds`."""
    return runs[runs["total_cost"] <= seconds]


@pytest.mark.parametrize("seconds", [60, 150.5, 300])
def test_summarize_in_seconds_is_the_lessons_hand_made_table(runs, seconds):
    by_hand = summarize(_within(runs, seconds), 10**9, "random", confidence=0.95)
    table = summarize(runs, seconds=seconds, baseline="random", confidence=0.95)
    assert table.columns[:2].tolist() == ["strategy", "seconds"] and (table["seconds"] == seconds).all()
    pd.testing.assert_frame_equal(table.drop(columns="seconds"), by_hand.drop(columns="budget"))


def test_at_budget_in_seconds_is_the_incumbent_of_each_history(bench, runs):
    final = at_budget(runs, seconds=150).set_index(["strategy", "seed"])
    for seed in range(6):
        history = run_search(RegularizedEvolution(), bench, seconds=300, seed=seed, progress=False)
        incumbent = history.incumbent(seconds=150)
        assert final.loc[("evolution", seed), "incumbent"] == bench.space.to_string(incumbent.arch)
        part = history.within(150)
        assert part.total_cost <= 150 < history.evaluations[len(part)].cost + part.total_cost
        assert part.best is incumbent
        frame = regret_frame(history, bench)
        assert final.loc[("evolution", seed), "step"] == frame[frame["total_cost"] <= 150]["step"].iloc[-1]


def test_at_budget_in_evaluations_is_the_last_row_at_or_before_it(runs):
    final = at_budget(runs, 7)
    assert (final["step"] == 7).all() and len(final) == 12
    assert final["val_regret"].tolist() == runs[runs["step"] == 7]["val_regret"].tolist()


def test_a_run_with_nothing_within_the_seconds_has_no_row(runs):
    first = runs.groupby(["strategy", "seed"])["total_cost"].first()
    seconds = float(np.median(first))
    final = at_budget(runs, seconds=seconds)
    assert len(final) == (first <= seconds).sum() < len(first)
    assert summarize(runs, seconds=seconds)["runs"].sum() == len(final)
    with pytest.raises(InputError, match="no run of the baseline 'random' finished an evaluation within 0.001"):
        summarize(runs, seconds=0.001)


@pytest.mark.parametrize("kwargs, match", [
    ({}, "budget must be an integer >= 1 .*or give seconds="),
    ({"budget": 5, "seconds": 10}, "not both"),
    ({"seconds": 0}, "seconds must be"),
    ({"seconds": float("inf")}, "seconds must be"),
    ({"seconds": "10"}, "seconds must be"),
])
def test_summarize_takes_exactly_one_budget(runs, kwargs, match):
    with pytest.raises(InputError, match=match):
        summarize(runs, **kwargs)
    with pytest.raises(InputError, match=match):
        at_budget(runs, **kwargs)


def test_history_incumbent_by_evaluations_and_seconds(mlp):
    evaluator = HashEvaluator(mlp, cost=2.5)
    history = run_search(RandomSearch(), evaluator, 30, seed=0, progress=False)
    frame = history.to_frame()
    for n in (1, 7, 30):
        assert history.incumbent(n).val_accuracy == frame["incumbent_val"].iloc[n - 1]
        assert history.incumbent(n) is history.head(n).best
        assert history.incumbent(seconds=2.5 * n) is history.incumbent(n)  # n evaluations of 2.5 s
    assert history.incumbent(seconds=2.5 * 7 + 1) is history.incumbent(7)
    assert history.incumbent() is history.best and len(history.head(100)) == 30
    assert len(history.within(0)) == 0 and history.head(5).evaluations == history.evaluations[:5]
    with pytest.raises(ValueError, match="no evaluation is within that budget"):
        history.incumbent(seconds=2.4)
    with pytest.raises(ValueError, match="empty"):
        History(mlp).incumbent()
    with pytest.raises(InputError, match="not both"):
        history.incumbent(3, seconds=10)
    with pytest.raises(InputError, match="n must be an integer >= 0"):
        history.incumbent(-1)
