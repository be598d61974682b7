"""The search strategies: valid, seeded, faithful to their papers, and usable in parallel."""
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
import torch

from conftest import HashEvaluator
from nastutor import TabularEvaluator, run_search
from nastutor.compare import compare, regret_frame, summarize, time_to_target
from nastutor.evaluators import Evaluation
from nastutor.spaces import CellSpace, MLPSpace
from nastutor.strategies import (BayesianOptimization, Hyperband, LocalSearch, OptunaSampler, RandomSearch,
                                 RegularizedEvolution, Reinforce, SuccessiveHalving, REGISTRY, get_strategy,
                                 variants)
from nastutor.strategies.bayesian_optimization import expected_improvement
from nastutor.strategies.reinforce import softmax


def all_strategies():
    """Every registered strategy and its named variants (from the registry), and the switches
    worth a run of their own."""
    out = variants()
    out["bo"] = REGISTRY["bo"].make(random_candidates=20)  # quicker
    out["evolution-nonaging"] = REGISTRY["evolution"].make(aging=False)
    out["evolution-crossover"] = REGISTRY["evolution"].make(crossover=0.5)
    out["grid-every-arch"] = REGISTRY["grid"].make(canonical=False)
    return out


@pytest.fixture(scope="module")
def mlp_bench():
    return TabularEvaluator("mlp-mnist1d")


@pytest.mark.parametrize("name", list(all_strategies()))
def test_every_strategy_searches_both_spaces_reproducibly(name, mlp_bench):
    strategy = all_strategies()[name]
    a = run_search(strategy, mlp_bench, budget=40, seed=1, progress=False)
    b = run_search(strategy, mlp_bench, budget=40, seed=1, progress=False)
    assert len(a) == 40 and all(e.arch in mlp_bench.space for e in a)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    cells = run_search(strategy, HashEvaluator(CellSpace()), budget=30, seed=0, progress=False)
    assert len(cells) == 30 and all(e.arch in CellSpace() for e in cells)


@pytest.mark.parametrize("name", list(all_strategies()))
def test_every_strategy_survives_parallel_asks(name, mlp_bench):
    with ThreadPoolExecutor(3) as pool:
        history = run_search(all_strategies()[name], mlp_bench, budget=30, seed=0, executor=pool, progress=False)
    assert len(history) == 30


def test_strategies_beat_random_on_average(mlp_bench):
    """A smoke check of learning: averaged over seeds, evolution and local search find better
    MLPs than random search at the same budget."""
    def mean_best(strategy):
        return np.mean([run_search(strategy, mlp_bench, budget=60, seed=s, progress=False).best.val_accuracy
                        for s in range(12)])
    rand = mean_best(RandomSearch())
    assert mean_best(RegularizedEvolution()) > rand
    assert mean_best(LocalSearch()) > rand


# -- evolution ---------------------------------------------------------------------------

def _told(strategy, space, archs_scores):
    for arch, score in archs_scores:
        strategy.tell(arch, Evaluation(arch, score, score, 1.0, 1, 0))


def test_aging_removes_the_oldest_and_non_aging_the_worst():
    space = CellSpace()
    rng = np.random.default_rng(0)
    archs = [space.sample(rng) for _ in range(6)]
    scores = [0.9, 0.1, 0.5, 0.3, 0.2, 0.4]
    aging, elitist = RegularizedEvolution(3, 2), RegularizedEvolution(3, 2, aging=False)
    for s in (aging, elitist):
        s.setup(space, 0)
        _told(s, space, zip(archs, scores))
    assert [a for a, _ in aging.population] == archs[-3:]
    assert sorted(v for _, v in elitist.population) == [0.4, 0.5, 0.9]


def test_evolution_children_are_one_mutation_from_a_member():
    space, evo = CellSpace(), RegularizedEvolution(5, 2)
    evo.setup(space, 3)
    rng = np.random.default_rng(1)
    _told(evo, space, [(space.sample(rng), rng.random()) for _ in range(5)])
    evo._asked = 5
    members = [a for a, _ in evo.population]
    for _ in range(20):
        child = evo.ask()
        assert any(sum(x != y for x, y in zip(child, m)) == 1 for m in members)


# -- REINFORCE ---------------------------------------------------------------------------

def test_factorized_update_is_the_reinforce_gradient():
    """The closed-form update equals autograd's gradient of advantage * log pi + beta * H."""
    space = CellSpace()
    rl = Reinforce(learning_rate=0.3, entropy_weight=0.05, baseline_decay=0.5)
    rl.setup(space, 0)
    rl.logits = {name: np.random.default_rng(i).normal(size=4) for i, (name, _) in enumerate(space.decisions)}
    before = {k: v.copy() for k, v in rl.logits.items()}
    rl.baseline = 0.5
    arch = rl.ask()
    choices = [*rl._pending.values()][-1][1]
    rl.tell(arch, Evaluation(arch, 0.8, 0.8, 1.0, 1, 0))
    advantage = 0.8 - 0.5
    for name, i in choices:
        z = torch.tensor(before[name], requires_grad=True)
        logp = torch.log_softmax(z, 0)
        objective = advantage * logp[i] + 0.05 * -(logp.exp() * logp).sum()
        objective.backward()
        np.testing.assert_allclose(rl.logits[name], before[name] + 0.3 * z.grad.numpy(), rtol=1e-6)
    assert rl.baseline == pytest.approx(0.5 * 0.5 + 0.5 * 0.8)


@pytest.mark.parametrize("controller, lr", [("factorized", 0.5), ("lstm", 0.01)])
def test_rewarding_an_architecture_makes_it_likelier(controller, lr):
    space = CellSpace()
    rl = Reinforce(learning_rate=lr, controller=controller)
    rl.setup(space, 0)
    target = ("conv3",) * 6
    start = np.prod([p[space.decisions[k][1].index("conv3")] for k, p in enumerate(rl.probabilities().values())])
    for _ in range(120):
        arch = rl.ask()
        reward = sum(op == "conv3" for op in arch) / 6
        rl.tell(arch, Evaluation(arch, reward, reward, 1.0, 1, 0))
    probs = rl.probabilities()
    assert set(probs) == {name for name, _ in space.decisions}
    assert all(abs(p.sum() - 1) < 1e-6 for p in probs.values())
    end = np.prod([p[space.decisions[k][1].index("conv3")] for k, p in enumerate(probs.values())])
    assert end > 5 * start
    assert target in space


def test_softmax_is_stable():
    p = softmax(np.array([1000.0, 0.0]))
    assert np.isfinite(p).all() and p[0] == pytest.approx(1.0)


# -- local search, BO, multi-fidelity --------------------------------------------------------

def test_local_search_climbs_to_local_optima(mlp_bench):
    space = mlp_bench.space
    ls = LocalSearch(initial=3)
    history = run_search(ls, mlp_bench, budget=150, seed=0, progress=False)
    canon = [space.canonical(e.arch) for e in history]
    assert len(set(canon)) > 0.9 * len(canon)  # functions already seen are skipped
    assert ls.current is None or all(space.canonical(n) in ls.seen for n in space.neighbors(ls.current[0])) \
        or ls._queue


def test_expected_improvement():
    mu, sigma = np.array([0.5, 0.6, 0.5, 0.5]), np.array([0.1, 0.1, 0.2, 0.0])
    ei = expected_improvement(mu, sigma, best=0.55)
    assert (ei >= 0).all() and ei[1] > ei[0] and ei[2] > ei[0] and ei[3] == pytest.approx(0, abs=1e-9)


def test_bayesian_optimization_never_repeats_a_function(mlp_bench):
    history = run_search(BayesianOptimization(initial=5, random_candidates=10), mlp_bench, budget=40, seed=0,
                         progress=False)
    canon = [mlp_bench.space.canonical(e.arch) for e in history]
    assert len(set(canon[5:])) == len(canon[5:])


def test_successive_halving_promotes_the_best_of_each_rung(mlp_bench):
    sh = SuccessiveHalving(n=9, eta=3)
    history = run_search(sh, mlp_bench, budget=13, seed=0, progress=False)
    epochs = [e.epochs for e in history]
    assert [n for n, _ in sh.rungs] == [9, 3, 1] and sh.rungs[-1][1] == 50
    assert epochs == [sh.rungs[0][1]] * 9 + [sh.rungs[1][1]] * 3 + [50]
    first = sorted(history.evaluations[:9], key=lambda e: e.val_accuracy, reverse=True)
    assert {e.arch for e in history.evaluations[9:12]} == {e.arch for e in first[:3]}
    assert history.evaluations[12].arch == max(history.evaluations[9:12], key=lambda e: e.val_accuracy).arch


def test_hyperband_cycles_its_brackets(mlp_bench):
    hb = Hyperband(eta=3)
    history = run_search(hb, mlp_bench, budget=200, seed=0, progress=False)
    assert len({e.epochs for e in history}) >= 3 and max(e.epochs for e in history) == 50
    assert len({tuple(r) for r in hb._rungs(27, 2)}) == 3


# -- comparing --------------------------------------------------------------------------------

def test_compare_and_summarize(mlp_bench):
    runs = compare({"random": RandomSearch(), "evolution": RegularizedEvolution()}, mlp_bench,
                   budget=30, seeds=range(6))
    assert set(runs.columns) >= {"strategy", "seed", "step", "total_cost", "val_regret", "test_regret"}
    assert len(runs) == 2 * 6 * 30 and (runs["val_regret"] >= 0).all()
    # (regret may rise: the incumbent is the best *observed* accuracy, a noisy draw of one seed)
    table = summarize(runs, budget=20, baseline="random")
    assert list(table["strategy"]) == ["random", "evolution"] and table["runs"].tolist() == [6, 6]
    assert np.isnan(table["val_regret_p"].iloc[0]) and 0 <= table["val_regret_p"].iloc[1] <= 1
    at20 = runs[runs["step"] == 20].groupby("strategy")["val_regret"].mean()
    assert table.set_index("strategy")["val_regret"].to_dict() == pytest.approx(at20.to_dict())
    reach = time_to_target(runs, target=0.05)
    assert len(reach) == 12 and (reach["seconds"].dropna() > 0).all()
    parallel = compare({"random": RandomSearch(), "evolution": RegularizedEvolution()}, mlp_bench,
                       budget=30, seeds=range(6), executor=ThreadPoolExecutor(2))
    pd.testing.assert_frame_equal(parallel.sort_values(["strategy", "seed", "step"]).reset_index(drop=True),
                                  runs.sort_values(["strategy", "seed", "step"]).reset_index(drop=True))


def test_regret_is_zero_at_the_optimum(mlp_bench):
    best, _, _ = mlp_bench.benchmark.optimum()

    class Oracle(RandomSearch):
        def ask(self):
            return best

    frame = regret_frame(run_search(Oracle(), mlp_bench, budget=2, progress=False), mlp_bench)
    assert frame["val_regret"].tolist() == [0.0, 0.0]


# -- bad parameters ---------------------------------------------------------------------------

@pytest.mark.parametrize("make, match", [
    (lambda: RegularizedEvolution(population_size=0), "population_size P"),
    (lambda: RegularizedEvolution(10, 11), "sample_size S"),
    (lambda: RegularizedEvolution(crossover=1.5), "probability"),
    (lambda: RegularizedEvolution(aging="yes"), "aging"),
    (lambda: Reinforce(learning_rate=0), "learning_rate"),
    (lambda: Reinforce(baseline_decay=1.0), "baseline_decay"),
    (lambda: Reinforce(entropy_weight=-1), "entropy_weight"),
    (lambda: Reinforce(controller="gru"), "factorized, lstm"),
    (lambda: LocalSearch(initial=0), "initial"),
    (lambda: BayesianOptimization(initial=1), "initial"),
    (lambda: BayesianOptimization(xi=-0.1), "xi"),
    (lambda: SuccessiveHalving(eta=1), "eta"),
    (lambda: OptunaSampler("cmaes"), "tpe, random"),
    (lambda: get_strategy("annealing"), ", ".join(REGISTRY)),
])
def test_bad_parameters(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_compare_needs_a_benchmark(mlp_bench):
    with pytest.raises(TypeError, match="TabularEvaluator"):
        compare({"random": RandomSearch()}, HashEvaluator(MLPSpace()), budget=5)
    with pytest.raises(ValueError, match="Strategy objects"):
        compare({"random": "random"}, mlp_bench, budget=5)
    runs = compare({"random": RandomSearch()}, mlp_bench, budget=5, seeds=[0, 1])
    with pytest.raises(ValueError, match="baseline 'tpe'"):
        summarize(runs, budget=5, baseline="tpe")
