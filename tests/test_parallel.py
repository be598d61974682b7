"""The simulator of N parallel workers (nastutor.parallel, lesson 13): hand-checked timelines,
closed forms for utilisation, and `run_search` itself as the oracle for one worker (every mode)
and for the ordered mode on several workers."""
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from conftest import HashEvaluator

from nastutor import RandomSearch, RegularizedEvolution, TabularEvaluator, run_search
from nastutor.checks import InputError
from nastutor.compare import regret_frame
from nastutor.evaluators import Evaluation, Evaluator
from nastutor.parallel import MODES, scaling, simulate, speedup
from nastutor.spaces import MLPSpace
from scripted import Scripted


@pytest.fixture(scope="module")
def cells():
    return TabularEvaluator("cell-mnist1d")


class CostEvaluator(Evaluator):
    """Each architecture's evaluation takes the seconds a table gives it."""

    def __init__(self, space, seconds):
        self.space, self.seconds, self.max_epochs = space, seconds, 1

    def evaluate(self, arch, *, epochs=None, seed=0):
        return Evaluation(arch=arch, val_accuracy=0.5, test_accuracy=0.5, cost=self.seconds[arch],
                          epochs=self.check_epochs(epochs), seed=seed)


@pytest.fixture
def scripted():
    """Six asks costing 3, 1, 2, 2, 1, 4 seconds, on the MLP space."""
    space = MLPSpace()
    archs = list(space.enumerate())[:6]
    return Scripted(archs), CostEvaluator(space, dict(zip(archs, [3.0, 1.0, 2.0, 2.0, 1.0, 4.0])))


# -- timelines worked out by hand (two workers, costs 3 1 2 2 1 4) -----------------------------

def test_sync_waits_for_the_slowest_of_each_batch(scripted):
    strategy, evaluator = scripted
    run = simulate(strategy, evaluator, workers=2, mode="sync", budget=6)
    assert run.frame["time"].tolist() == [3, 3, 5, 5, 9, 9]      # batches (3,1) (2,2) (1,4)
    assert run.frame["start"].tolist() == [0, 0, 3, 3, 5, 5]
    assert strategy.told == [0, 1, 2, 3, 4, 5]
    assert run.wall_clock == 9 and run.utilisation == pytest.approx(13 / (2 * 9))


def test_async_tells_each_result_as_it_finishes(scripted):
    strategy, evaluator = scripted
    run = simulate(strategy, evaluator, workers=2, mode="async", budget=6)
    # t=1: 1 done, 2 starts (ends 3); t=3: 0 and 2 done (0 told first), 3 starts (ends 5), 4 starts
    # (ends 4); t=4: 4 done, 5 starts (ends 8); t=5: 3 done; t=8: 5 done
    assert strategy.told == [1, 0, 2, 4, 3, 5]
    assert run.frame["ask"].tolist() == [1, 0, 2, 4, 3, 5]
    assert run.frame["time"].tolist() == [1, 3, 3, 4, 5, 8]
    assert run.wall_clock == 8 and run.utilisation == pytest.approx(13 / 16)


def test_ordered_tells_in_the_order_asked_and_asks_when_the_oldest_is_told(scripted):
    strategy, evaluator = scripted
    run = simulate(strategy, evaluator, workers=2, mode="ordered", budget=6)
    # 0 told at 3 (2 starts, ends 5), 1 told at 3 (3 starts, ends 5), 2 and 3 at 5 (4 ends 6,
    # 5 ends 9)
    assert strategy.told == [0, 1, 2, 3, 4, 5]
    assert run.frame["time"].tolist() == [3, 3, 5, 5, 6, 9]
    assert run.frame["start"].tolist() == [0, 0, 3, 3, 5, 5]
    assert run.wall_clock == 9 and run.utilisation == pytest.approx(13 / 18)


@pytest.mark.parametrize("workers, budget", [(1, 7), (3, 7), (4, 8), (5, 12)])
def test_equal_costs_make_every_mode_the_same(mlp, workers, budget):
    """With equal costs c every mode runs whole rounds of `workers`: the wall clock is
    ceil(budget / N) * c and the utilisation budget / (N * ceil(budget / N))."""
    rounds = -(-budget // workers)
    frames = []
    for mode in MODES:
        run = simulate(RandomSearch(), HashEvaluator(mlp, cost=2.0), workers, mode, budget, seed=4)
        assert run.wall_clock == 2.0 * rounds
        assert run.utilisation == pytest.approx(budget / (workers * rounds))
        frames.append(run.frame)
    for frame in frames[1:]:
        pd.testing.assert_frame_equal(frame, frames[0])


# -- run_search as the oracle -----------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("make", [RandomSearch, RegularizedEvolution], ids=["random", "evolution"])
def test_one_worker_is_run_search(cells, mode, make):
    for seed in (0, 5):
        run = simulate(make(), cells, 1, mode, budget=40, seed=seed)
        serial = run_search(make(), cells, 40, seed=seed, progress=False)
        pd.testing.assert_frame_equal(run.history.to_frame(), serial.to_frame())
        assert run.frame["time"].to_numpy() == pytest.approx(serial.to_frame()["total_cost"].to_numpy())
        assert run.wall_clock == pytest.approx(serial.total_cost) and run.utilisation == pytest.approx(1.0)


def test_ordered_mode_is_run_search_with_an_executor(cells):
    """Same asks, same tells, same order: the simulator's ordered mode is what run_search does
    with N workers, whatever the real timing."""
    with ThreadPoolExecutor(3) as pool:
        real = run_search(RegularizedEvolution(population_size=5), cells, 40, seed=2, executor=pool, progress=False)
    run = simulate(RegularizedEvolution(population_size=5), cells, 3, "ordered", budget=40, seed=2)
    pd.testing.assert_frame_equal(run.history.to_frame(), real.to_frame())
    serial = run_search(RegularizedEvolution(population_size=5), cells, 40, seed=2, progress=False)
    assert [e.arch for e in serial] != [e.arch for e in real]  # asking ahead changes the search


def test_regret_is_the_incumbents_against_the_ground_truth(cells):
    run = simulate(RegularizedEvolution(), cells, 8, "async", budget=80, seed=1)
    expected = regret_frame(run.history, cells)
    np.testing.assert_allclose(run.frame["val_regret"], expected["val_regret"])
    np.testing.assert_allclose(run.frame["test_regret"], expected["test_regret"])


# -- the benchmark's own costs: invariants and closed forms -----------------------------------

def test_sync_utilisation_is_the_closed_form_over_batches(cells):
    n = 8
    run = simulate(RegularizedEvolution(), cells, n, "sync", budget=100, seed=3)
    batches = run.frame.groupby(run.frame["ask"] // n)["cost"]
    assert run.wall_clock == pytest.approx(batches.max().sum())
    assert run.utilisation == pytest.approx(run.frame["cost"].sum() / (n * batches.max().sum()))
    assert (run.frame.groupby(run.frame["ask"] // n)["time"].nunique() == 1).all()


@pytest.mark.parametrize("mode", MODES)
def test_workers_never_overlap_and_never_exceed_n(cells, mode):
    n = 6
    run = simulate(RegularizedEvolution(), cells, n, mode, budget=90, seed=7)
    f = run.frame
    assert np.allclose(f["finish"] - f["start"], f["cost"])
    assert (f["time"] >= f["finish"] - 1e-9).all() and f["time"].is_monotonic_increasing
    for _, jobs in f.sort_values("start").groupby("worker"):
        assert (jobs["start"].to_numpy()[1:] >= jobs["finish"].to_numpy()[:-1] - 1e-9).all()
    for t in f["start"]:
        assert ((f["start"] <= t) & (f["finish"] > t)).sum() <= n
    starts_at_a_tell = f["start"].isin(set(f["time"]) | {0.0})  # a candidate is asked when a result is told
    assert starts_at_a_tell.all()
    if mode == "async":
        assert np.allclose(f["time"], f["finish"])  # nobody waits
    assert f["ask"].sort_values().tolist() == list(range(90))
    busy = f["cost"].sum()
    assert run.utilisation == pytest.approx(busy / (n * run.wall_clock))


def test_async_keeps_the_workers_busier_than_sync(cells):
    for seed in range(3):
        sync = simulate(RegularizedEvolution(), cells, 16, "sync", budget=160, seed=seed)
        asyn = simulate(RegularizedEvolution(), cells, 16, "async", budget=160, seed=seed)
        assert asyn.utilisation > sync.utilisation and asyn.wall_clock < sync.wall_clock


def test_same_seed_same_result(cells):
    a = simulate(RegularizedEvolution(), cells, 32, "async", budget=200, seed=9)
    b = simulate(RegularizedEvolution(), cells, 32, "async", budget=200, seed=9)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    c = simulate(RegularizedEvolution(), cells, 32, "async", budget=200, seed=10)
    assert not a.frame["arch"].equals(c.frame["arch"])


def test_a_target_stops_the_run_at_its_first_hit(cells):
    full = simulate(RegularizedEvolution(), cells, 4, "async", budget=300, seed=0)
    hit = full.seconds_to(0.005)
    assert not np.isnan(hit)
    stopped = simulate(RegularizedEvolution(), cells, 4, "async", budget=300, seed=0, target=0.005)
    assert stopped.wall_clock == hit and stopped.seconds_to(0.005) == hit
    assert stopped.frame["val_regret"].iloc[-1] <= 0.005 < stopped.frame["val_regret"].iloc[:-1].min()
    pd.testing.assert_frame_equal(stopped.frame, full.frame.iloc[:len(stopped.frame)])
    assert np.isnan(simulate(RandomSearch(), cells, 4, "async", budget=3, seed=0).seconds_to(0.0))


def test_up_to_256_workers(cells):
    run = simulate(RegularizedEvolution(), cells, 256, "async", budget=600, seed=0)
    assert len(run.history) == 600 and run.frame["worker"].nunique() == 256
    assert 0 < run.utilisation <= 1


# -- scaling and speedup ----------------------------------------------------------------------

def test_scaling_runs_every_case_and_speedup_summarises_them(cells):
    runs = scaling({"random": RandomSearch(), "evolution": RegularizedEvolution()}, cells,
                   workers=[1, 4, 16], modes=["sync", "async"], seeds=range(4), budget=400, progress=False)
    assert len(runs) == 2 * 3 * 2 * 4
    one = simulate(RegularizedEvolution(), cells, 16, "sync", budget=400, seed=2, target=0.005)
    row = runs[(runs.strategy == "evolution") & (runs["mode"] == "sync") & (runs.workers == 16) & (runs.seed == 2)]
    assert row["seconds"].item() == pytest.approx(one.seconds_to(0.005), nan_ok=True)
    assert row["utilisation"].item() == pytest.approx(one.utilisation)
    table = speedup(runs)
    assert (table.loc[table.workers == 1, "speedup"] == 1).all()


def test_speedup_takes_medians_and_counts_misses_as_forever():
    nan = np.nan
    runs = pd.DataFrame({"strategy": "s", "mode": "async", "workers": [1] * 3 + [2] * 3 + [4] * 3,
                         "seed": [0, 1, 2] * 3, "seconds": [10, 20, 30, 5, nan, nan, 2, 4, nan],
                         "utilisation": [1.0] * 3 + [0.5] * 3 + [0.25] * 3})
    table = speedup(runs).set_index("workers")
    assert table.loc[1, "seconds"] == 20 and table.loc[1, "speedup"] == 1
    assert np.isnan(table.loc[2, "seconds"]) and np.isnan(table.loc[2, "speedup"])  # 2 of 3 missed
    assert table.loc[4, "seconds"] == 4 and table.loc[4, "speedup"] == 5
    assert table.loc[4, "reached"] == pytest.approx(2 / 3) and table.loc[2, "utilisation"] == 0.5


@pytest.mark.parametrize("kwargs, match", [
    ({"workers": 0}, "workers must be an integer >= 1"),
    ({"mode": "batch"}, "mode must be one of sync, ordered, async"),
    ({"budget": 0}, "budget must be an integer >= 1"),
    ({"target": 2.0}, "target regret"),
])
def test_bad_input_names_what_is_allowed(cells, kwargs, match):
    args = {"workers": 2, "mode": "async", "budget": 5, **kwargs}
    with pytest.raises(InputError, match=match):
        simulate(RandomSearch(), cells, args.pop("workers"), args.pop("mode"), args.pop("budget"), **args)


def test_bad_input_to_scaling_and_speedup(cells, mlp):
    with pytest.raises(InputError, match="TabularEvaluator"):
        simulate(RandomSearch(), HashEvaluator(mlp), 2, target=0.01)
    with pytest.raises(InputError, match="strategies must map"):
        scaling({"random": "random"}, cells)
    with pytest.raises(InputError, match="each mode must be one of"):
        scaling({"random": RandomSearch()}, cells, modes=["fast"])
    with pytest.raises(InputError, match="distinct"):
        scaling({"random": RandomSearch()}, cells, workers=[1, 1])
    with pytest.raises(InputError, match="1 worker"):
        speedup(pd.DataFrame({"strategy": ["s"], "mode": ["sync"], "workers": [2], "seed": [0],
                              "seconds": [1.0], "utilisation": [1.0]}))
