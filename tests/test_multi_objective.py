"""Multi-objective search in the ask/tell API (issue 17, lesson 11): Pareto evolution, Optuna's
NSGA-II, and MnasNet's reward around any single-objective strategy."""
import numpy as np
import pytest

from nastutor import TabularEvaluator, run_search
from nastutor.checks import InputError
from nastutor.hardware import benchmark_latency, benchmark_objectives
from nastutor.pareto import hypervolume, nondominated_rank, pareto_front
from nastutor.records import Evaluation
from nastutor.spaces import CellSpace
from nastutor.strategies import REGISTRY, RandomSearch, RegularizedEvolution
from nastutor.strategies.multi_objective import MnasNet, OptunaNSGA2, ParetoEvolution, mnasnet_reward


@pytest.fixture(scope="module")
def cells():
    return TabularEvaluator("cell-mnist1d")


@pytest.fixture(scope="module")
def latency(cells):
    return benchmark_latency(cells.benchmark)


# -- MnasNet's reward ----------------------------------------------------------------------------------

def test_mnasnet_reward_is_the_papers_formula():
    acc, lat = np.array([0.9, 0.8, 0.95]), np.array([1.0, 2.0, 4.0])
    assert mnasnet_reward(acc, lat, target=2.0) == pytest.approx(acc * np.power(lat / 2.0, -0.07))
    assert mnasnet_reward(acc, lat, 2.0, w=-0.5) == pytest.approx(acc * (lat / 2.0) ** -0.5)
    # hard constraint: w = 0 at or under the target, w = -1 above it
    assert mnasnet_reward(acc, lat, 2.0, hard=True) == pytest.approx([0.9, 0.8, 0.95 * 2.0 / 4.0])
    assert mnasnet_reward(0.9, 2.0, 2.0) == pytest.approx(0.9)
    assert isinstance(mnasnet_reward(0.9, 2.0, 2.0), float)


def test_the_reward_moves_the_winner_to_faster_cells_as_the_target_drops(cells):
    bench = cells.benchmark
    acc, lat = bench.truth().to_numpy(), bench.latency_ms
    winners = [lat[np.argmax(mnasnet_reward(acc, lat, target, hard=True))] for target in (0.5, 1.0, 2.0, 4.0)]
    assert winners == sorted(winners) and winners[0] < winners[-1]
    for target in (0.5, 1.0, 2.0, 4.0):  # the winner by the definition, one cell at a time
        rewards = [a if t <= target else a * target / t for a, t in zip(acc, lat)]
        assert np.argmax(mnasnet_reward(acc, lat, target, hard=True)) == int(np.argmax(rewards))


@pytest.mark.parametrize("kwargs, message", [
    (dict(target=0), "target T must be a finite number > 0"),
    (dict(w="low"), "w must be a finite number"),
    (dict(hard="yes"), "hard must be True"),
    (dict(latency=0.0), "latency finite and > 0"),
])
def test_mnasnet_reward_refuses_bad_input(kwargs, message):
    args = {"accuracy": 0.9, "latency": 1.0, "target": 2.0, **kwargs}
    with pytest.raises(InputError, match=message):
        mnasnet_reward(**args)


class Recorder(RandomSearch):
    """Random search that remembers the scores it was told."""

    def setup(self, space, seed=0, max_epochs=None):
        super().setup(space, seed, max_epochs)
        self.told = []

    def tell(self, arch, evaluation):
        self.told.append((arch, evaluation.val_accuracy))


@pytest.mark.parametrize("hard", [False, True])
def test_mnasnet_hands_the_inner_strategy_the_reward_and_keeps_the_accuracy(cells, latency, hard):
    inner = Recorder()
    history = run_search(MnasNet(inner, target=1.5, hard=hard, latency=latency), cells, 30, seed=2, progress=False)
    assert [a for a, _ in inner.told] == [e.arch for e in history]
    for (arch, told), e in zip(inner.told, history):
        assert told == pytest.approx(mnasnet_reward(e.val_accuracy, latency(arch), 1.5, hard=hard))
    plain = run_search(RandomSearch(), cells, 30, seed=2, progress=False)
    assert history.evaluations == plain.evaluations  # the searcher's asks, the evaluator's true accuracies


def test_a_tight_hard_target_steers_evolution_to_fast_cells(cells, latency):
    def median_latency(target):
        return np.median([latency(e.arch) for seed in range(4) for e in
                          run_search(MnasNet("evolution", target=target, hard=True, latency=latency), cells, 80,
                                     seed=seed, progress=False)])
    assert median_latency(1.0) < median_latency(4.0)


def test_mnasnet_without_latency_uses_the_training_seconds(cells):
    inner = Recorder()
    history = run_search(MnasNet(inner, target=20.0), cells, 10, seed=0, progress=False)
    for (_, told), e in zip(inner.told, history):
        assert told == pytest.approx(mnasnet_reward(e.val_accuracy, e.cost, 20.0))


@pytest.mark.parametrize("call, message", [
    (lambda: MnasNet("annealing"), "strategy must be a single-objective strategy's name"),
    (lambda: MnasNet("mnasnet"), "strategy must be a single-objective strategy's name"),
    (lambda: MnasNet(42), "strategy must be a strategy's name"),
    (lambda: MnasNet(target=-1.0), "target T must be a finite number > 0"),
    (lambda: MnasNet(latency="fast"), "latency must be a function"),
    (lambda: ParetoEvolution(latency=3.0), "latency must be a function"),
    (lambda: ParetoEvolution(population_size=5, sample_size=6), "sample_size S must be an integer from 1 to 5"),
    (lambda: ParetoEvolution(unique="yes"), "unique must be True"),
    (lambda: ParetoEvolution(aging=1), "aging must be True"),
    (lambda: OptunaNSGA2(population_size=1), "population_size must be an integer >= 2"),
])
def test_bad_parameters_name_what_is_allowed(call, message):
    with pytest.raises(InputError, match=message):
        call()


# -- Pareto evolution ----------------------------------------------------------------------------------

def told(strategy, scored):
    """Tell `strategy` each (arch, accuracy) of `scored`."""
    for arch, acc in scored:
        strategy.tell(arch, Evaluation(arch, acc, acc, 1.0, 12, 0))


def test_the_tournament_of_the_whole_population_picks_the_front(latency):
    space = CellSpace()
    rng = np.random.default_rng(0)
    archs = list(dict.fromkeys(space.canonical(space.sample(rng)) for _ in range(60)))[:20]
    accs = rng.uniform(0.5, 1.0, len(archs))
    points = np.c_[accs, [latency(a) for a in archs]]
    rank = dict(zip(archs, nondominated_rank(points)))
    evo = ParetoEvolution(population_size=20, sample_size=20, latency=latency)
    evo.setup(space, seed=0)
    told(evo, zip(archs, accs))
    assert evo.tournament() in {archs[i] for i in pareto_front(points)}
    # NSGA-II's order: by rank, then by crowding distance, largest first
    order = np.argsort(evo._order())
    assert (np.diff(nondominated_rank(points)[order]) >= 0).all()
    # a tournament of S = 3 favours low ranks: its winners' mean rank is below the population's
    evo = ParetoEvolution(population_size=20, sample_size=3, latency=latency)
    evo.setup(space, seed=0)
    told(evo, zip(archs, accs))
    winners = [rank[evo.tournament()] for _ in range(300)]
    assert np.mean(winners) < np.mean(list(rank.values()))


def test_aging_removes_the_oldest_and_nonaging_the_last_in_nsga2_order():
    space = CellSpace()
    a, b, c, d = (space.unique[i] for i in (10, 20, 30, 40))
    latency = {a: 4.0, b: 1.0, c: 2.0, d: 3.0}.__getitem__
    accuracy = {a: 0.5, b: 0.9, c: 0.95, d: 0.6}  # b, c: the front; d: dominated by b; a: dominated by d
    for aging, kept in ((True, [a, c, d]), (False, [b, c, d])):
        evo = ParetoEvolution(population_size=3, sample_size=1, aging=aging, latency=latency)
        evo.setup(space, seed=0)
        told(evo, [(arch, accuracy[arch]) for arch in (b, a, c, d)])  # b is the oldest, a the worst
        assert sorted(m[0] for m in evo.population) == sorted(kept)


def test_the_latency_function_is_the_second_objective(latency):
    calls = []

    def spy(arch):
        calls.append(arch)
        return latency(arch)

    evo = ParetoEvolution(latency=spy)
    history = run_search(evo, TabularEvaluator("cell-mnist1d"), 25, seed=0, progress=False)
    assert calls == [e.arch for e in history]
    assert [m[2] for m in evo.population] == [latency(e.arch) for e in list(history)[-10:]]


def test_without_a_latency_function_the_training_seconds_are_the_cost(cells):
    evo = ParetoEvolution()
    history = run_search(evo, cells, 15, seed=0, progress=False)
    assert [m[2] for m in evo.population] == [e.cost for e in list(history)[-10:]]


def canonical_repeats(history, space) -> int:
    forms = [space.canonical(e.arch) for e in history]
    return len(forms) - len(set(forms))


def test_unique_avoids_repeats(cells, latency):
    space = cells.space
    with_unique = sum(canonical_repeats(run_search(ParetoEvolution(latency=latency), cells, 100, seed=s,
                                                   progress=False), space) for s in range(3))
    without = sum(canonical_repeats(run_search(ParetoEvolution(unique=False, latency=latency), cells, 100, seed=s,
                                               progress=False), space) for s in range(3))
    assert with_unique < without / 3


def test_pareto_evolution_is_reproducible(cells, latency):
    a = run_search(ParetoEvolution(latency=latency), cells, 60, seed=5, progress=False)
    b = run_search(ParetoEvolution(latency=latency), cells, 60, seed=5, progress=False)
    assert a.evaluations == b.evaluations


def test_pareto_evolution_reaches_a_larger_hypervolume_than_random_search(cells, latency):
    """A smoke check of the benchmark's claim (benchmarks/multi_objective.py runs 100 seeds)."""
    bench = cells.benchmark
    truth = bench.truth().to_numpy()
    reference = (float(np.median(truth)), float(bench.latency_ms.max()))

    def mean_hypervolume(strategy):
        return np.mean([hypervolume(benchmark_objectives(bench, [e.arch for e in run_search(
            strategy, cells, 100, seed=s, progress=False)]), reference) for s in range(10)])

    assert mean_hypervolume(ParetoEvolution(latency=latency)) > mean_hypervolume(RandomSearch())


# -- Optuna's NSGA-II ---------------------------------------------------------------------------------

def test_optuna_nsga2_tells_both_objectives(cells, latency):
    nsga = OptunaNSGA2(population_size=8, latency=latency)
    history = run_search(nsga, cells, 30, seed=1, progress=False)
    trials = nsga.study.trials
    assert len(trials) == 30 and len(nsga.study.directions) == 2
    for trial, e in zip(trials, history):
        assert trial.values == [e.val_accuracy, latency(e.arch)]
    best = {tuple(t.values) for t in nsga.study.best_trials}  # Optuna's own front agrees with ours
    points = np.array([t.values for t in trials])
    assert best == {tuple(points[i]) for i in pareto_front(points)}
    again = run_search(OptunaNSGA2(population_size=8, latency=latency), cells, 30, seed=1, progress=False)
    assert again.evaluations == history.evaluations


# -- the registry ------------------------------------------------------------------------------------

def test_the_strategies_are_registered_for_lesson_11():
    for name, cls in (("pareto_evolution", ParetoEvolution), ("optuna_nsga2", OptunaNSGA2), ("mnasnet", MnasNet)):
        assert REGISTRY[name].cls is cls and REGISTRY[name].lesson == "11"
    assert isinstance(REGISTRY["mnasnet"].make(strategy="reinforce").inner, type(REGISTRY["reinforce"].make()))
    assert isinstance(MnasNet().inner, RegularizedEvolution)
