"""The statistics of lesson 07 against independent oracles: scipy's own t interval, a
brute-force exact permutation test, and small inputs whose answers are worked out by hand.
Plus the input checks of `compare`, `summarize`, `time_to_target` and `regret_frame`.
Everything here runs on hand-made frames or a hand-made 3-architecture benchmark: milliseconds."""
from __future__ import annotations

import itertools
import math
import warnings
from concurrent.futures import Executor, Future, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nastutor.benchmark import Benchmark
from nastutor.checks import InputError
import nastutor.compare
from nastutor.compare import _chunks, compare, regret_frame, summarize, time_to_target
from nastutor.evaluators import TabularEvaluator
from nastutor.exercises.lesson03 import kendall_tau
from nastutor.search import History, run_search
from nastutor.strategies import RandomSearch, Strategy

# -- hand-made runs -----------------------------------------------------------------------------

RANDOM_FINAL = [0.040, 0.055, 0.062, 0.071]   # regret at step 2, one value per seed
EVO_FINAL = [0.010, 0.021, 0.033, 0.035]      # all below random's: rank-sum statistic U = 0


def runs_frame(random_final=RANDOM_FINAL, evo_final=EVO_FINAL) -> pd.DataFrame:
    """Two steps per run; step 1 has regret 0.5 everywhere, step 2 the given values.
    Test regret is the validation regret for random, 0.6 minus it for evo."""
    rows = []
    for name, finals in (("random", random_final), ("evo", evo_final)):
        for seed, final in enumerate(finals):
            for step, regret in ((1, 0.5), (2, final)):
                test = regret if name == "random" else 0.6 - regret
                rows.append({"strategy": name, "seed": seed, "step": step, "total_cost": 10.0 * step,
                             "incumbent": "x", "val_regret": regret, "test_regret": test})
    return pd.DataFrame(rows)


def exact_rank_sum_p_less(x, y) -> float:
    """P(U_x <= observed U_x) over every way to split the pooled values into groups of len(x)
    and len(y): the exact one-sided Mann-Whitney test, by brute force (no ties)."""
    def u(a, b):
        return sum((ai > bj) + 0.5 * (ai == bj) for ai in a for bj in b)

    pooled, observed = list(x) + list(y), u(x, y)
    splits = list(itertools.combinations(range(len(pooled)), len(x)))
    hits = 0
    for chosen in splits:
        a = [pooled[i] for i in chosen]
        b = [pooled[i] for i in range(len(pooled)) if i not in chosen]
        hits += u(a, b) <= observed + 1e-12
    return hits / len(splits)


# -- summarize: the interval -------------------------------------------------------------------

@pytest.mark.parametrize("confidence", [0.95, 0.9, 0.5])
def test_interval_is_scipys_student_t_interval(confidence):
    table = summarize(runs_frame(), budget=2, baseline="random", confidence=confidence).set_index("strategy")
    for name, finals in (("random", RANDOM_FINAL), ("evo", EVO_FINAL)):
        values = np.array(finals)
        low, high = stats.t.interval(confidence, df=len(values) - 1, loc=values.mean(), scale=stats.sem(values))
        assert table.loc[name, "val_regret"] == pytest.approx(values.mean())
        assert table.loc[name, "val_regret"] - table.loc[name, "val_regret_ci"] == pytest.approx(low)
        assert table.loc[name, "val_regret"] + table.loc[name, "val_regret_ci"] == pytest.approx(high)


def test_interval_uses_student_t_not_the_normal_quantile():
    """With 3 runs, t(0.975, 2) = 4.303 against the normal 1.960: the interval is 2.2 times wider."""
    values = [0.01, 0.02, 0.04]
    frame = runs_frame(random_final=values, evo_final=[0.0, 0.01, 0.02])
    half = summarize(frame, budget=2, baseline="random").set_index("strategy").loc["random", "val_regret_ci"]
    sem = np.std(values, ddof=1) / math.sqrt(3)
    assert half == pytest.approx(4.302652729911275 * sem)
    assert half > 2 * stats.norm.ppf(0.975) * sem


def test_one_run_has_no_interval_two_runs_have_one():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no warning about zero degrees of freedom
        table = summarize(runs_frame(random_final=[0.1], evo_final=[0.05]), budget=2, baseline="random")
    assert table["val_regret_ci"].isna().all() and table["runs"].tolist() == [1, 1]
    table = summarize(runs_frame(random_final=[0.1, 0.2], evo_final=[0.05, 0.06]), budget=2)
    low, high = stats.t.interval(0.95, df=1, loc=0.15, scale=0.05)  # sem of (0.1, 0.2) = 0.05
    assert table["val_regret_ci"].iloc[0] == pytest.approx((high - low) / 2)


def test_defaults_as_documented():
    frame = runs_frame()
    pd.testing.assert_frame_equal(summarize(frame, 2), summarize(frame, 2, baseline="random", confidence=0.95))
    pd.testing.assert_frame_equal(time_to_target(frame), time_to_target(frame, target=0.005, metric="val_regret"))
    runs = compare({"scripted": Scripted()}, tiny_evaluator())
    assert len(runs) == 100 * 10 and sorted(set(runs["seed"])) == list(range(10))


def test_summarize_takes_each_runs_last_step_within_the_budget():
    frame = runs_frame()
    at1 = summarize(frame, budget=1, baseline="random").set_index("strategy")
    assert at1["val_regret"].tolist() == [0.5, 0.5] and at1["budget"].tolist() == [1, 1]
    for budget in (2, 3, 10**9):  # a budget beyond the last step takes the last step
        table = summarize(frame, budget=budget, baseline="random").set_index("strategy")
        assert table.loc["evo", "val_regret"] == pytest.approx(np.mean(EVO_FINAL))
        assert table.loc["evo", "runs"] == 4
    assert list(summarize(frame, budget=np.int64(2), baseline="random").columns) == [
        "strategy", "budget", "val_regret", "val_regret_ci", "val_regret_p",
        "test_regret", "test_regret_ci", "test_regret_p", "runs"]


# -- summarize: the p-value --------------------------------------------------------------------

def test_p_value_of_a_clean_win_is_one_over_the_number_of_splits():
    """Evo's 4 regrets are all below random's 4: of the C(8, 4) = 70 equally likely splits
    under the null hypothesis, only this one is as extreme, so p = 1/70 ("less"). The
    opposite alternative ("greater") would give p = 1."""
    table = summarize(runs_frame(), budget=2, baseline="random").set_index("strategy")
    assert table.loc["evo", "val_regret_p"] == pytest.approx(1 / 70)
    assert np.isnan(table.loc["random", "val_regret_p"])


def test_p_value_direction_a_clean_loss_is_not_significant():
    """On test regret evo is worse than random everywhere: p("lower than the baseline") = 1."""
    table = summarize(runs_frame(), budget=2, baseline="random").set_index("strategy")
    assert (np.array(0.6) - EVO_FINAL > np.array(RANDOM_FINAL).max()).all()
    assert table.loc["evo", "test_regret_p"] == pytest.approx(1.0)
    swapped = summarize(runs_frame(random_final=EVO_FINAL, evo_final=RANDOM_FINAL), budget=2,
                        baseline="random").set_index("strategy")
    assert swapped.loc["evo", "val_regret_p"] == pytest.approx(1.0)


@pytest.mark.parametrize("evo_final", [[0.045, 0.021, 0.066, 0.035], [0.05, 0.06, 0.065, 0.08],
                                       [0.001, 0.058, 0.07, 0.09], [0.041, 0.056, 0.063, 0.072]])
def test_p_value_is_the_exact_permutation_test(evo_final):
    table = summarize(runs_frame(evo_final=evo_final), budget=2, baseline="random").set_index("strategy")
    assert table.loc["evo", "val_regret_p"] == pytest.approx(exact_rank_sum_p_less(evo_final, RANDOM_FINAL))


def test_p_value_by_hand_for_a_mixed_case():
    """x = evo = (1, 4), y = random = (2, 3): U_x = #(x > y) = 2. Of the C(4, 2) = 6 splits,
    U = 0, 1, 2, 2, 3, 4 for {1,2}, {1,3}, {1,4}, {2,3}, {2,4}, {3,4}: P(U <= 2) = 4/6."""
    frame = runs_frame(random_final=[0.2, 0.3], evo_final=[0.1, 0.4])
    table = summarize(frame, budget=2, baseline="random").set_index("strategy")
    assert table.loc["evo", "val_regret_p"] == pytest.approx(4 / 6)


# -- time to target ----------------------------------------------------------------------------

def test_time_to_target_by_hand():
    frame = pd.DataFrame({
        "strategy": ["b"] * 4 + ["b"] * 3 + ["a"] * 2,  # not in sorted order: the output keeps it
        "seed": [1] * 4 + [0] * 3 + [0] * 2,
        "step": [1, 2, 3, 4, 1, 2, 3, 1, 2],
        "total_cost": [10.0, 25.0, 30.0, 42.0, 5.0, 6.0, 7.0, 100.0, 200.0],
        "val_regret": [0.5, 0.25, 0.125, 0.0, 0.5, 0.5, 0.5, 0.125, 0.0],
        "test_regret": [0.5, 0.5, 0.5, 0.5, 0.0, 0.0, 0.0, 0.5, 0.5],
    })
    reach = time_to_target(frame, target=0.25)
    assert list(reach.columns) == ["strategy", "seed", "seconds"]
    assert reach["strategy"].tolist() == ["b", "b", "a"] and reach["seed"].tolist() == [1, 0, 0]
    # b/1 reaches 0.25 exactly at 25 s (the target itself counts); b/0 never; a/0 at once
    assert reach["seconds"].tolist()[0] == 25.0 and np.isnan(reach["seconds"].iloc[1])
    assert reach["seconds"].iloc[2] == 100.0
    assert time_to_target(frame, target=0.0)["seconds"].tolist()[::2] == [42.0, 200.0]
    on_test = time_to_target(frame, target=0.25, metric="test_regret")["seconds"]
    assert np.isnan(on_test.iloc[0]) and on_test.iloc[1] == 5.0 and np.isnan(on_test.iloc[2])


# -- regret on a hand-made benchmark -----------------------------------------------------------

#: (architecture, seed) -> (val, test) accuracy after epochs 1, 2 and 3 (final)
TINY = {"8relu": [((0.9, 0.9), (0.9, 0.9), (0.4, 0.6)), ((0.9, 0.9), (0.9, 0.9), (0.5, 0.6))],
        "8tanh": [((0.1, 0.1), (0.1, 0.1), (0.8, 0.7)), ((0.1, 0.1), (0.1, 0.1), (0.9, 0.8))],
        "8elu": [((0.5, 0.5), (0.5, 0.5), (0.6, 0.9)), ((0.5, 0.5), (0.5, 0.5), (0.7, 0.9))]}
SECONDS = {"8relu": 1.5, "8tanh": 2.0, "8elu": 0.5}  # per epoch


def tiny_evaluator() -> TabularEvaluator:
    """3 one-layer MLPs x 2 seeds x 3 epochs. Final mean val: relu .45, elu .65, tanh .85 (best);
    final mean test: relu .60, tanh .75, elu .90 (best). Earlier epochs rank them the other way."""
    meta = {"space": "mlp", "space_params": {"widths": [8], "activations": ["relu", "tanh", "elu"], "max_depth": 1},
            "dataset": "mnist1d", "seeds": [0, 1],
            "training": {"epochs": 3, "batch_size": 256, "lr": 0.02, "weight_decay": 0.0001,
                         "optimizer": "adam", "schedule": "onecycle", "threads": 1}}
    rows = [{"arch": arch, "seed": seed, "epoch": epoch + 1, "train_loss": 1.0, "val_accuracy": val,
             "test_accuracy": test, "epoch_seconds": SECONDS[arch], "params": 10, "macs": 10, "latency_ms": 0.1}
            for arch, per_seed in TINY.items() for seed, epochs in enumerate(per_seed)
            for epoch, (val, test) in enumerate(epochs)]
    return TabularEvaluator(Benchmark("tiny", meta, pd.DataFrame(rows)))


class Scripted(Strategy):
    """Asks the architectures of `order` in turn, then again."""

    def __init__(self, order=("8relu", "8elu", "8tanh", "8relu")):
        self.order = order

    def setup(self, space, seed=0, max_epochs=None):
        super().setup(space, seed, max_epochs)
        self._next = 0

    def ask(self):
        arch = self.space.parse(self.order[self._next % len(self.order)])
        self._next += 1
        return arch


def test_regret_frame_by_hand():
    ev = tiny_evaluator()
    history = run_search(Scripted(), ev, budget=4, seed=0, progress=False)
    frame = regret_frame(history, ev)
    # every seed of relu is below every seed of elu, below every seed of tanh: the incumbent
    # is relu, elu, tanh, tanh whatever seeds the evaluations drew
    assert frame["incumbent"].tolist() == ["8relu", "8elu", "8tanh", "8tanh"]
    assert frame["step"].tolist() == [1, 2, 3, 4]
    assert frame["total_cost"].tolist() == pytest.approx([4.5, 6.0, 12.0, 16.5])  # 3 epochs each
    assert frame["val_regret"].tolist() == pytest.approx([0.85 - 0.45, 0.85 - 0.65, 0.0, 0.0])
    assert frame["test_regret"].tolist() == pytest.approx([0.90 - 0.60, 0.90 - 0.90, 0.90 - 0.75, 0.90 - 0.75])


def test_compare_on_the_tiny_benchmark():
    ev = tiny_evaluator()
    runs = compare({"scripted": Scripted(), "random": RandomSearch()}, ev, budget=4, seeds=[3, 5])
    assert runs.columns.tolist() == ["strategy", "seed", "step", "total_cost", "incumbent", "val_regret",
                                     "test_regret"]
    assert runs.index.equals(pd.RangeIndex(len(runs)))
    for seed in (3, 5):  # each run is run_search under that seed
        alone = regret_frame(run_search(RandomSearch(), ev, budget=4, seed=seed, progress=False), ev)
        mine = runs[(runs["strategy"] == "random") & (runs["seed"] == seed)].drop(columns=["strategy", "seed"])
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), alone)
    per_seed = runs[runs["strategy"] == "random"].groupby("seed")["total_cost"].apply(list)
    assert per_seed[3] != per_seed[5]  # the seed matters: different architectures, different costs
    scripted = runs[runs["strategy"] == "scripted"]
    assert scripted["seed"].tolist() == [3] * 4 + [5] * 4
    assert scripted["val_regret"].tolist() == pytest.approx([0.4, 0.2, 0.0, 0.0] * 2)
    assert (runs["strategy"] == "random").sum() == 8
    by_seconds = compare({"scripted": Scripted()}, ev, budget=None, seconds=5.0, seeds=[0])
    assert by_seconds["total_cost"].tolist() == pytest.approx([4.5, 6.0])  # stops once 5 s are spent


def test_regret_frame_of_an_empty_history():
    ev = tiny_evaluator()
    frame = regret_frame(History(ev.space), ev)
    assert frame.empty and frame.columns.tolist() == ["step", "total_cost", "incumbent", "val_regret", "test_regret"]


def test_chunks_of_seeds():
    assert _chunks(list(range(10)), 2) == [[0, 1, 2], [3, 4, 5], [6, 7], [8, 9]]
    assert _chunks([5, 7], 3) == [[5], [7]]  # no empty chunk
    assert _chunks([2**63 - 1], 1) == [[2**63 - 1]] and type(_chunks([4], 1)[0][0]) is int


def test_compare_spreads_seeds_over_its_own_pool_and_shuts_it_down(monkeypatch):
    events = []

    class Pool(ThreadPoolExecutor):
        def submit(self, *args, **kwargs):
            events.append("task")
            return super().submit(*args, **kwargs)

        def shutdown(self, *args, **kwargs):
            events.append("shutdown")
            super().shutdown(*args, **kwargs)

    def make_executor(workers):
        events.append(workers)
        return Pool(workers)

    monkeypatch.setattr(nastutor.compare, "make_executor", make_executor)
    ev, strategies = tiny_evaluator(), {"scripted": Scripted(), "random": RandomSearch()}
    serial = compare(strategies, ev, budget=3, seeds=range(12))
    assert events == []  # one worker: no pool at all
    parallel = compare(strategies, ev, budget=3, seeds=range(12), workers=2)
    assert events == [2] + ["task"] * 8 + ["shutdown"]  # 2 strategies x 4 chunks of seeds
    pd.testing.assert_frame_equal(parallel, serial)  # the same rows in the same order
    events.clear()
    with Pool(3) as mine:  # a given executor is used as it is (6 chunks for its 3 workers), and left open
        given = compare(strategies, ev, budget=3, seeds=range(12), workers=4, executor=mine)
        assert events == ["task"] * 12 and mine.submit(int, 1).result() == 1
    pd.testing.assert_frame_equal(given, serial)
    events.clear()
    timed = compare(strategies, ev, budget=None, seconds=5.0, seeds=range(12), workers=2)
    pd.testing.assert_frame_equal(timed, compare(strategies, ev, budget=None, seconds=5.0, seeds=range(12)))


class Inline(Executor):
    """An executor that runs each task at once, and says nothing of its workers."""

    def __init__(self):
        self.tasks = 0

    def submit(self, fn, /, *args, **kwargs):
        self.tasks += 1
        future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def test_compare_with_an_executor_of_unknown_size_uses_two_chunks_per_worker():
    ev, inline = tiny_evaluator(), Inline()
    runs = compare({"scripted": Scripted()}, ev, budget=2, seeds=range(12), workers=3, executor=inline)
    assert inline.tasks == 6 and runs["seed"].tolist() == [s for s in range(12) for _ in range(2)]


# -- Kendall's tau (lesson 03's reference solution) ---------------------------------------------

def test_kendall_tau_by_hand():
    # (1,2,3) vs (1,3,2): pairs 01 and 02 concordant, 12 discordant: (2 - 1) / 3
    assert kendall_tau([1, 2, 3], [1, 3, 2]) == pytest.approx(1 / 3)
    assert kendall_tau([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # tau-b with a tie in x: pairs 02 and 12 concordant, 01 tied in x only:
    # 2 / sqrt((3 - 1) * 3) = 2 / sqrt(6)
    assert kendall_tau([1, 1, 2], [1, 2, 3]) == pytest.approx(2 / math.sqrt(6))
    assert kendall_tau([1, 1, 2], [1, 2, 3]) != pytest.approx(2 / 3)  # not tau-a


# -- bad inputs ---------------------------------------------------------------------------------

def test_compare_takes_numpy_seeds():
    ev = tiny_evaluator()
    runs = compare({"scripted": Scripted()}, ev, budget=2, seeds=np.arange(3))
    assert runs["seed"].tolist() == [0, 0, 1, 1, 2, 2]
    runs = compare({"scripted": Scripted()}, ev, budget=np.int64(2), seeds=[np.int32(4)])
    assert runs["seed"].tolist() == [4, 4]


@pytest.mark.parametrize("seeds, match", [
    ([0, 1, 1], "distinct"), ([], "at least one"), ([-1], "from 0 to 2"), ([0.5], "integer"),
    ([True], "integer"), ("012", "iterable"), (None, "iterable"), (5, "iterable")])
def test_compare_refuses_bad_seeds(seeds, match):
    with pytest.raises(InputError, match=match):
        compare({"scripted": Scripted()}, tiny_evaluator(), budget=2, seeds=seeds)


@pytest.mark.parametrize("kwargs, match", [
    ({"budget": 0}, "budget must be an integer >= 1"), ({"budget": 2.0}, "budget must be an integer"),
    ({"budget": True}, "budget"), ({"budget": None}, r"^give a budget: a number of evaluations \(budget=\.\.\.\) and/or seconds=\.\.\.$"),
    ({"seconds": float("nan")}, "seconds must be a finite number > 0"), ({"seconds": -1.0}, "seconds"),
    ({"workers": 0}, "workers must be an integer >= 1"), ({"workers": 1.5}, "workers"),
])
def test_compare_refuses_bad_budgets(kwargs, match):
    args = {"budget": 2, **kwargs}
    with pytest.raises(InputError, match=match):
        compare({"scripted": Scripted()}, tiny_evaluator(), seeds=[0], **args)


def test_compare_refuses_bad_strategies():
    ev = tiny_evaluator()
    for strategies in ({}, {"r": "random"}, [RandomSearch()], {1: RandomSearch()}):
        with pytest.raises(InputError, match=r"^strategies must map names to Strategy objects, e\.g\. "
                                             r"\{'random': RandomSearch\(\)\}$"):
            compare(strategies, ev, budget=2, seeds=[0])
    with pytest.raises(InputError, match="^compare needs a TabularEvaluator: regret is measured against the "
                                         "benchmark's ground truth$"):
        compare({"r": RandomSearch()}, ev.benchmark, budget=2, seeds=[0])


@pytest.mark.parametrize("budget", [0, -3, 2.5, float("nan"), True, "2", None])
def test_summarize_refuses_bad_budgets(budget):
    with pytest.raises(InputError, match="budget must be an integer >= 1"):
        summarize(runs_frame(), budget=budget)


@pytest.mark.parametrize("confidence", [0, 1, 1.0, -0.5, 1.5, 95, float("nan"), float("inf"), True, "0.95", None])
def test_summarize_refuses_bad_confidence(confidence):
    with pytest.raises(InputError, match=r"confidence must be a number between 0 and 1 \(exclusive\)"):
        summarize(runs_frame(), budget=2, confidence=confidence)


def test_summarize_refuses_bad_runs():
    frame = runs_frame()
    with pytest.raises(InputError, match="^runs is empty: compare\\(\\) gives one row per step"):
        summarize(frame.iloc[:0], budget=2)
    with pytest.raises(InputError, match="runs lacks the columns of compare\\(\\): test_regret"):
        summarize(frame.drop(columns="test_regret"), budget=2)
    with pytest.raises(InputError, match="^runs lacks the columns of compare\\(\\): val_regret, test_regret"):
        summarize(frame.drop(columns=["val_regret", "test_regret"]), budget=2)
    with pytest.raises(InputError, match="^runs must be a DataFrame from compare\\(\\), got dict"):
        summarize(frame.to_dict(), budget=2)
    with pytest.raises(InputError, match="baseline 'tpe' is not among the strategies: random, evo"):
        summarize(frame, budget=2, baseline="tpe")
    with pytest.raises(InputError, match="baseline"):
        summarize(frame, budget=2, baseline=["random"])


@pytest.mark.parametrize("target", [-0.01, 1.5, float("nan"), float("inf"), True, "0.1", None])
def test_time_to_target_refuses_bad_targets(target):
    with pytest.raises(InputError, match="target regret must be a finite number >= 0 <= 1"):
        time_to_target(runs_frame(), target=target)


@pytest.mark.parametrize("metric", ["val_accuracy", "regret", "", None, ["val_regret"]])
def test_time_to_target_refuses_bad_metrics(metric):
    with pytest.raises(InputError, match="metric must be one of val_regret, test_regret"):
        time_to_target(runs_frame(), metric=metric)


def test_time_to_target_refuses_bad_runs():
    with pytest.raises(InputError, match="runs is empty"):
        time_to_target(runs_frame().iloc[:0])
    with pytest.raises(InputError, match="runs lacks the columns of compare\\(\\): total_cost"):
        time_to_target(runs_frame().drop(columns="total_cost"))
    with pytest.raises(InputError, match="runs must be a DataFrame from compare"):
        time_to_target(None)


def test_regret_frame_needs_the_tabular_evaluator():
    history = run_search(Scripted(), tiny_evaluator(), budget=2, seed=0, progress=False)
    with pytest.raises(InputError, match="regret_frame needs the TabularEvaluator"):
        regret_frame(history, "tiny")
