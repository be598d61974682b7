"""Transfer between tasks (nastutor/transfer.py and strategies/warm_start.py, lesson 12): the two
benchmarks line up cell by cell, the rank agreement is scipy's on the right cells, a retargeted run
scores its own incumbents on the other task, the operation effects are a least-squares fit, and a
warm start asks the given cells first and hands them to the strategy as its own."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.linear_model import LinearRegression

import nastutor as nt
from nastutor.checks import InputError
from nastutor.compare import compare
from nastutor.records import Evaluation
from nastutor.spaces import CellSpace
from nastutor.strategies import (BayesianOptimization, LocalSearch, OptunaSampler, RandomSearch, RegularizedEvolution,
                                 Reinforce, SuccessiveHalving)
from nastutor.strategies.registry import observing
from nastutor.strategies.multi_objective import MnasNet, ParetoEvolution
from nastutor.warm_start import WarmStart
from nastutor.transfer import (aligned, effects_plot, landscapes, op_counts, op_effects, rank_agreement, retarget,
                               task_scatter, time_ratio, top_cells)

A, B = "cell-mnist1d", "cell-digits"


@pytest.fixture(scope="module")
def benches():
    return nt.Benchmark.load(A), nt.Benchmark.load(B)


def test_aligned_puts_each_cell_beside_itself(benches):
    a, b = benches
    table = aligned(a, b)
    assert list(table.columns) == [A, B] and len(table) == len(a)
    for cell in table.index[::97]:
        arch = a.space.parse(cell)
        assert table.loc[cell, A] == pytest.approx(a.query(arch)["val_accuracy"])
        assert table.loc[cell, B] == pytest.approx(b.query(arch)["val_accuracy"])


def test_aligned_refuses_one_task_twice_and_other_spaces():
    with pytest.raises(InputError, match="two different tasks"):
        aligned(A, A)
    with pytest.raises(InputError, match="same cells of one space"):
        aligned("mlp-mnist1d", B)


def test_rank_agreement_is_scipys_on_the_sources_top_cells(benches):
    table = aligned(*benches)
    got = rank_agreement(A, B, tops=[None, 0.1, 50, 7])
    assert got["cells"].tolist() == [941, 94, 50, 7]
    order = np.argsort(-table[A].to_numpy(), kind="stable")
    for (label, row), k in zip(got.iterrows(), got["cells"]):
        keep = table.iloc[order[:k]]
        assert row["spearman"] == pytest.approx(stats.spearmanr(keep[A], keep[B]).statistic), label
        assert row["kendall"] == pytest.approx(stats.kendalltau(keep[A], keep[B]).statistic), label
    # the top of the *source*: swapping the tasks changes the subsets, not the overall numbers
    back = rank_agreement(B, A, tops=[None, 50])
    assert back.iloc[0]["spearman"] == pytest.approx(got.iloc[0]["spearman"])
    assert back.iloc[1]["spearman"] != pytest.approx(got.iloc[2]["spearman"])


def test_rank_agreement_of_series_uses_the_common_cells():
    s = pd.Series([1.0, 2.0, 3.0, 4.0], index=list("abcd"))
    t = pd.Series([40.0, 30.0, 20.0, 10.0, 0.0], index=list("dcbae"))
    assert rank_agreement(s, t, tops=[None]).loc["all", "spearman"] == pytest.approx(1.0)
    assert rank_agreement(s, -t, tops=[None, 2]).loc["top 2 of source", "kendall"] == pytest.approx(-1.0)
    by = pd.Series([4.0, 3.0, 2.0, 1.0], index=list("abcd"))     # the top 2 by `by` are a and b
    assert rank_agreement(s, t, tops=[2], by=by).loc["top 2 of by", "cells"] == 2
    assert rank_agreement(s, -t, tops=[2], by=by).loc["top 2 of by", "spearman"] == pytest.approx(-1.0)
    with pytest.raises(InputError, match="tops"):
        rank_agreement(s, t, tops="all")
    with pytest.raises(InputError, match="top"):
        rank_agreement(s, t, tops=[1])
    with pytest.raises(InputError, match="Series of scores"):
        rank_agreement([1, 2, 3], t)


def test_top_cells_are_the_best_first(benches):
    a, _ = benches
    truth = a.truth()
    top = top_cells(a, 10)
    assert top[0] == truth.idxmax() and len(set(top)) == 10
    assert list(truth.loc[top]) == sorted(truth.loc[top], reverse=True)
    assert truth.loc[top].min() >= truth.drop(top).max()
    with pytest.raises(InputError, match="k"):
        top_cells(a, 0)


def test_retarget_scores_the_sources_incumbents_on_the_target(benches):
    a, b = benches
    runs = compare({"random": RandomSearch()}, nt.TabularEvaluator(A), budget=15, seeds=range(3))
    moved = retarget(runs, b)
    assert moved[["strategy", "seed", "step", "incumbent", "total_cost"]].equals(
        runs[["strategy", "seed", "step", "incumbent", "total_cost"]])
    for _, row in moved.iloc[::7].iterrows():
        assert row["val_regret"] == pytest.approx(b.regret(row["incumbent"]))
        assert row["test_regret"] == pytest.approx(b.regret(row["incumbent"], "test_accuracy"))
    same = retarget(runs, a)
    assert np.allclose(same["val_regret"], runs["val_regret"]) and np.allclose(same["test_regret"], runs["test_regret"])
    with pytest.raises(InputError, match="compare"):
        retarget(runs.drop(columns="incumbent"), b)


def test_op_effects_are_the_least_squares_fit(benches):
    a, _ = benches
    counts = op_counts(a)
    assert (counts.sum(axis=1) == 6).all() and list(counts.columns) == ["avgpool3", "conv3", "none", "skip"]
    effects = op_effects(a)
    ops = ["avgpool3", "conv3", "skip"]
    fit = LinearRegression().fit(counts[ops], a.truth())
    assert effects["effect"].to_numpy() == pytest.approx(fit.coef_)
    assert (effects["low"] < effects["effect"]).all() and (effects["effect"] < effects["high"]).all()
    other = op_effects(a, reference="conv3")    # another reference: the same differences between operations
    assert other.loc["none", "effect"] == pytest.approx(-effects.loc["conv3", "effect"])
    with pytest.raises(InputError, match="avgpool3, conv3, none, skip"):
        op_effects(a, reference="conv5")


def _evaluation(arch, accuracy):
    return Evaluation(arch, accuracy, accuracy, cost=1.0, epochs=12, seed=0)


def test_a_warm_start_asks_the_given_cells_first_then_the_strategys(benches):
    a, _ = benches
    space, top = a.space, top_cells(a, 4)
    warm = WarmStart(RandomSearch(), top)
    warm.setup(space, seed=5)
    cold = RandomSearch()
    cold.setup(space, seed=5)
    assert [space.to_string(warm.ask()) for _ in range(4)] == top
    assert [warm.ask() for _ in range(5)] == [cold.ask() for _ in range(5)]


def test_evolution_takes_the_warm_cells_as_its_population(benches):
    a, _ = benches
    space, top = a.space, top_cells(a, 5)
    evo = WarmStart(RegularizedEvolution(population_size=5, sample_size=2), top)
    evo.setup(space, seed=0)
    for _ in range(5):
        arch = evo.ask()
        evo.tell(arch, _evaluation(arch, a.query(arch)["val_accuracy"]))
    assert [space.to_string(m[0]) for m in evo.strategy.population] == top
    child = evo.ask()        # no random members: a mutant of a warm cell
    assert any(child in space.neighbors(space.parse(t)) for t in top)


def test_local_search_climbs_from_the_best_of_its_first_round(benches):
    a, _ = benches
    space, top = a.space, top_cells(a, 3)
    local = WarmStart(LocalSearch(initial=1), top[::-1])          # worst of the three first
    history = list(nt.run_search(local, nt.TabularEvaluator(A), budget=3 + 1 + 5, seed=0, progress=False))
    assert [space.to_string(e.arch) for e in history[:3]] == top[::-1]
    first_round = history[:4]                                     # the warm cells and one random start
    best = max(first_round, key=lambda e: e.val_accuracy)
    assert local.strategy.current[0] == best.arch
    neighbours = {space.canonical(n) for n in space.neighbors(best.arch)}
    assert all(space.canonical(e.arch) in neighbours for e in history[4:])


def test_bo_and_pareto_evolution_learn_the_warm_cells(benches):
    a, _ = benches
    top = top_cells(a, 10)
    bo = WarmStart(BayesianOptimization(initial=5), top)
    nt.run_search(bo, nt.TabularEvaluator(A), budget=12, seed=0, progress=False)
    assert [a.space.to_string(x) for x in bo.strategy.archs[:10]] == top
    pe = WarmStart(ParetoEvolution(population_size=4, sample_size=2), top[:4])
    nt.run_search(pe, nt.TabularEvaluator(A), budget=4, seed=0, progress=False)
    assert [a.space.to_string(m[0]) for m in pe.strategy.population] == top[:4]


def test_a_warm_search_repeats_with_its_seed_and_runs_asynchronously(benches):
    a, _ = benches
    top = top_cells(a, 10)

    def run(**kw):
        h = nt.run_search(WarmStart(RegularizedEvolution(), top), nt.TabularEvaluator(A), budget=40, progress=False, **kw)
        return [a.space.to_string(e.arch) for e in h]

    assert run(seed=1) == run(seed=1) and run(seed=1) != run(seed=2)
    assert run(seed=1)[:10] == top
    assert len(run(seed=1, asynchronous=True)) == 40


def test_strategies_that_learn_from_their_own_samples_refuse_a_warm_start():
    allowed = observing()
    assert {"random", "evolution", "local", "bo"} <= set(allowed)
    assert not {"reinforce", "sh", "hyperband", "optuna"} & set(allowed)
    for strategy in (Reinforce(), SuccessiveHalving(), OptunaSampler(), MnasNet(OptunaSampler())):
        with pytest.raises(InputError, match="random"):
            WarmStart(strategy, ["x"])
    assert MnasNet("evolution").observes
    s = Reinforce()
    s.setup(CellSpace(), seed=0)
    arch = CellSpace().sample(np.random.default_rng(0))
    with pytest.raises(InputError, match="did not ask for: warm-start one of: .*RegularizedEvolution"):
        s.observe(arch, _evaluation(arch, 0.5))


def test_warm_start_refuses_bad_input():
    with pytest.raises(InputError, match="non-empty list"):
        WarmStart(RandomSearch(), [])
    with pytest.raises(InputError, match="non-empty list"):
        WarmStart(RandomSearch(), "conv3")
    with pytest.raises(InputError, match="Strategy"):
        WarmStart("random", ["x"])
    warm = WarmStart(RandomSearch(), ["not a cell"])
    with pytest.raises(InputError, match="not a cell"):
        warm.setup(CellSpace(), seed=0)


def _runs(times: dict[str, list[float | None]]) -> pd.DataFrame:
    """compare-like runs in which each seed's regret drops to 0 at the given second (None: never)."""
    rows = []
    for name, when in times.items():
        for seed, t in enumerate(when):
            rows += [{"strategy": name, "seed": seed, "step": 1, "total_cost": 1.0, "val_regret": 0.05},
                     {"strategy": name, "seed": seed, "step": 2, "total_cost": t if t is not None else 999.0,
                      "val_regret": 0.0 if t is not None else 0.05}]
    return pd.DataFrame(rows)


def test_time_ratio_is_the_ratio_of_medians_with_never_as_infinitely_slow():
    runs = _runs({"warm": [2, 4, 6, 8, None], "cold": [10, 20, 30, None, None]})
    r = time_ratio(runs, "warm", "cold", target=0.01, boot=500)
    assert r["median"] == 6 and r["baseline_median"] == 30 and r["ratio"] == pytest.approx(0.2)
    assert (r["reached"], r["baseline_reached"], r["runs"]) == (4, 3, 5)
    assert r["low"] <= r["ratio"] <= r["high"] and 0 < r["p"] < 0.1
    slow = time_ratio(runs, "cold", "warm", target=0.01, boot=500)
    assert slow["ratio"] == pytest.approx(5.0) and slow["p"] > 0.9
    never = _runs({"a": [None, None, 3], "b": [None, 5, None]})
    nothing = time_ratio(never, "a", "b", target=0.01, boot=50)          # both medians infinite: no ratio
    assert np.isnan(nothing["ratio"]) and np.isnan(nothing["low"]) and np.isnan(nothing["high"])
    with pytest.raises(InputError, match="among the strategies: warm, cold"):
        time_ratio(runs, "hot", "cold")


def test_landscapes_draw_one_path_on_both_tasks(benches):
    a, b = benches
    history = nt.run_search(WarmStart(RegularizedEvolution(), top_cells(a, 3)), nt.TabularEvaluator(B), budget=20,
                            seed=0, progress=False)
    fig = landscapes(a, b, history)
    maps = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in maps] == [f"source: {A}", f"target: {B}"]
    for ax in maps:     # the same visited cells, in the same places, on both maps
        assert len(ax.collections[-1].get_offsets()) == 20
    assert np.array_equal(maps[0].collections[-1].get_offsets(), maps[1].collections[-1].get_offsets())
    with pytest.raises(InputError, match="two different tasks"):
        landscapes(a, a)


def test_task_scatter_marks_the_sources_best_and_zooms_on_them(benches):
    a, b = benches
    fig = task_scatter(a, b, top=0.1, zoom=0.2)
    whole, zoom = fig.axes[:2]
    others, best = (c.get_offsets() for c in whole.collections)
    assert len(best) == 94 and len(others) + len(best) == 941
    truth = a.truth()
    assert np.asarray(best)[:, 0].min() >= truth.nlargest(94).min() - 1e-12
    near = truth.nlargest(round(0.2 * 941))
    assert zoom.get_xlim()[0] <= near.min() and zoom.get_xlim()[1] >= near.max()
    assert zoom.get_xlim()[0] > truth.min()
    with pytest.raises(InputError, match="zoom or ax"):
        task_scatter(a, b, zoom=0.2, ax=whole)


def test_effects_plot_draws_each_tasks_intervals(benches):
    effects = pd.concat({name: op_effects(name) for name in (A, B)})
    fig = effects_plot(effects)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [A, B]
    for container, name in zip(ax.containers, (A, B)):
        assert np.allclose(container.lines[0].get_ydata(), 100 * effects.loc[name, "effect"])
    with pytest.raises(InputError, match="indexed by task"):
        effects_plot(op_effects(A))
