"""Each strategy's defining behaviour, asserted directly: ask/tell driven by hand-made scores,
answers worked out by hand (Li et al.'s Hyperband brackets, the REINFORCE step). Plus the input
checks of every strategy. No training and no benchmark: the whole file runs in about a second."""
from __future__ import annotations

import math
import re
import zlib

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from nastutor.checks import InputError
from nastutor.evaluators import Evaluation
from nastutor.spaces import CellSpace, MLPSpace
from nastutor.strategies import (BayesianOptimization, GridSearch, Hyperband, LocalSearch, OptunaSampler,
                                 RandomSearch, RegularizedEvolution, Reinforce, SearchExhausted,
                                 SuccessiveHalving, get_strategy)
from nastutor.strategies.bayesian_optimization import expected_improvement
from nastutor.strategies.reinforce import softmax


def tell(strategy, arch, score, epochs=1):
    strategy.tell(arch, Evaluation(arch, score, score, 1.0, epochs, 0))


def crc_score(space, arch) -> float:
    """A fixed, deterministic score per architecture."""
    return zlib.crc32(space.to_string(arch).encode()) % 1000 / 1000


def drive(strategy, space, steps, score=crc_score):
    """Ask, evaluate at the strategy's fidelity, tell; return the (arch, epochs) asked."""
    out = []
    for _ in range(steps):
        arch = strategy.ask()
        epochs = strategy.fidelity() or strategy.max_epochs or 1
        tell(strategy, arch, score(space, arch), epochs)
        out.append((arch, epochs))
    return out


# -- local search --------------------------------------------------------------------------------

def test_local_search_starts_from_the_best_initial_architecture():
    space, ls = MLPSpace(), LocalSearch(initial=3)
    ls.setup(space, seed=0)
    starts = [ls.ask() for _ in range(3)]
    assert len(set(starts)) == 3
    for arch, score in zip(starts, (0.2, 0.6, 0.4)):
        assert ls.current is None  # the round is not over until every start is told
        tell(ls, arch, score)
    assert ls.current == (starts[1], 0.6)
    assert ls.seen == {space.canonical(a): v for a, v in zip(starts, (0.2, 0.6, 0.4))}


def test_local_search_starts_from_all_its_initial_architectures_even_one_at_a_time():
    space, ls = MLPSpace(), LocalSearch(initial=3)
    ls.setup(space, seed=0)
    starts = []
    for score in (0.2, 0.6, 0.4):
        starts.append(ls.ask())
        assert ls.current is None
        tell(ls, starts[-1], score)
    assert ls.current == (starts[1], 0.6) and not set(starts[1:]) & set(space.neighbors(starts[0]))


def test_local_search_climbs_only_uphill_to_the_best_neighbour_and_restarts_at_a_local_optimum():
    space, ls = MLPSpace(), LocalSearch(initial=2)
    ls.setup(space, seed=0)
    a, b = ls.ask(), ls.ask()
    tell(ls, a, 0.3)
    tell(ls, b, 0.5)
    assert ls.current == (b, 0.5)
    seen = {a, b}

    # round 1: every unseen neighbour of b is asked; two beat b, the best of them wins
    expected = [n for n in space.neighbors(b) if n not in seen]
    asked = [ls.ask() for _ in expected]
    assert set(asked) == set(expected) and len(asked) == len(set(asked))
    scores = {arch: 0.1 for arch in asked}
    scores[asked[0]], scores[asked[-1]] = 0.6, 0.7
    for arch in asked:
        tell(ls, arch, scores[arch])
        if arch != asked[-1]:
            assert ls.current == (b, 0.5)  # no move before the round is complete
    c = asked[-1]
    assert ls.current == (c, 0.7)  # uphill, to the best neighbour (not the first better one)
    seen |= set(asked)

    # round 2: no neighbour of c beats it (one ties): c is a local optimum, so restart
    expected = [n for n in space.neighbors(c) if n not in seen]
    asked = [ls.ask() for _ in expected]
    assert set(asked) == set(expected)
    for k, arch in enumerate(asked):
        tell(ls, arch, 0.7 if k == 0 else 0.2)
    seen |= set(asked)
    assert all(n in seen for n in space.neighbors(c))
    assert ls.current is None

    # the restart is a fresh random architecture, accepted whatever its score
    r = ls.ask()
    assert r not in seen
    tell(ls, r, 0.05)
    assert ls.current == (r, 0.05)
    assert {ls.ask() for _ in range(3)} <= set(space.neighbors(r))


def test_local_search_never_moves_downhill_on_a_whole_run():
    space, ls = CellSpace(), LocalSearch(initial=4)
    ls.setup(space, seed=1)
    moves = restarts = 0
    for _ in range(300):
        before = ls.current
        arch = ls.ask()
        tell(ls, arch, crc_score(space, arch))
        after = ls.current
        if before is not None and after is not None and after != before:
            assert after[1] > before[1]
            assert space.canonical(after[0]) in {space.canonical(n) for n in space.neighbors(before[0])}
            moves += 1
        if before is not None and after is None:
            restarts += 1
            assert all(space.canonical(n) in ls.seen for n in space.neighbors(before[0]))
    assert moves > 0 and restarts > 0


# -- regularized evolution --------------------------------------------------------------------------

def test_aging_removes_the_oldest_and_non_aging_the_worst_at_every_step():
    space = MLPSpace()
    archs = list(space.enumerate())[:8]
    scores = [0.5, 0.9, 0.2, 0.7, 0.1, 0.8, 0.3, 0.6]
    aging, worst = RegularizedEvolution(3, 2), RegularizedEvolution(3, 2, aging=False)
    for evo in (aging, worst):
        evo.setup(space, 0)
    for i, (arch, score) in enumerate(zip(archs, scores)):
        for evo in (aging, worst):
            tell(evo, arch, score)
        assert list(aging.population) == list(zip(archs, scores))[max(0, i - 2):i + 1]
        best3 = sorted(range(i + 1), key=scores.__getitem__)[-3:]
        assert list(worst.population) == [(archs[k], scores[k]) for k in sorted(best3)]


def test_tournament_returns_the_best_of_its_sample():
    space, evo = MLPSpace(), RegularizedEvolution(population_size=5, sample_size=2)
    evo.setup(space, 0)
    archs, scores = list(space.enumerate())[:5], [0.3, 0.9, 0.1, 0.5, 0.7]
    for arch, score in zip(archs, scores):
        tell(evo, arch, score)
    for sample in ([0, 2], [1, 3], [2, 4], [3, 0], [4, 2]):
        def fixed(population, k, sample=sample):
            assert k == 2 and list(population) == list(range(5))
            return sample
        evo._random.sample = fixed
        assert evo.tournament() == archs[max(sample, key=scores.__getitem__)]


def test_evolution_mutates_the_tournament_winner_after_a_random_start():
    space, evo = MLPSpace(), RegularizedEvolution(population_size=5, sample_size=5)
    evo.setup(space, 0)
    start = [evo.ask() for _ in range(5)]  # the first P are random draws
    assert len(set(start)) == 5
    for arch, score in zip(start, (0.3, 0.9, 0.1, 0.5, 0.7)):
        tell(evo, arch, score)
    best = start[1]
    for _ in range(20):  # S = P: the tournament always picks the best member
        assert evo.ask() in space.neighbors(best)


def test_evolution_first_population_is_random_even_when_told_early():
    space, evo = CellSpace(), RegularizedEvolution(population_size=6, sample_size=2)
    evo.setup(space, 0)
    members = []
    for _ in range(6):  # asked and told one at a time: still random draws, not mutations
        arch = evo.ask()
        assert not any(arch in space.neighbors(m) for m in members)
        tell(evo, arch, 0.5)
        members.append(arch)
    child = evo.ask()  # the 7th is a child: one mutation from a member
    assert any(child in space.neighbors(m) for m in members)


# -- REINFORCE ---------------------------------------------------------------------------------------

def test_reinforce_step_by_hand():
    """Uniform policy over a cell edge's 4 ops, learning rate 0.5. The first reward sets the
    baseline (no step); then reward 0.9 against baseline 0.5: advantage 0.4, each chosen logit
    += 0.5 * 0.4 * (1 - 0.25) = 0.15 and every other logit -= 0.5 * 0.4 * 0.25 = 0.05."""
    space, rl = CellSpace(), Reinforce(learning_rate=0.5, baseline_decay=0.9)
    rl.setup(space, 0)
    first = rl.ask()
    tell(rl, first, 0.5)
    assert rl.baseline == 0.5 and all((v == 0).all() for v in rl.logits.values())
    arch = rl.ask()
    choices = dict([*rl._pending.values()][-1][1])
    tell(rl, arch, 0.9)
    assert rl.baseline == pytest.approx(0.9 * 0.5 + 0.1 * 0.9)
    for name, logits in rl.logits.items():
        want = np.full(4, -0.05)
        want[choices[name]] = 0.15
        np.testing.assert_allclose(logits, want, atol=1e-12)


@pytest.mark.parametrize("controller, lr", [("factorized", 0.5), ("lstm", 0.05)])
def test_reinforce_update_direction(controller, lr):
    """A reward above the baseline makes the sampled architecture likelier; below, less likely."""
    space, rl = CellSpace(), Reinforce(learning_rate=lr, controller=controller)
    rl.setup(space, 0)

    def log_prob(choices):
        if controller == "factorized":
            return sum(np.log(softmax(rl.logits[name])[i]) for name, i in choices)
        replay = iter(choices)
        with torch.no_grad():
            return float(rl.lstm.run(space, lambda name, probs: next(replay)[1])[2])

    tell(rl, rl.ask(), 0.5)  # sets the baseline
    for reward, sign in ((0.9, +1), (0.1, -1), (0.95, +1)):
        arch = rl.ask()
        choices = [*rl._pending.values()][-1][1]
        before = log_prob(choices)
        tell(rl, arch, reward)
        assert sign * (log_prob(choices) - before) > 1e-4


def lstm_path(rl, space, choices):
    """The LSTM's distributions along a path of choices (option indices, one per decision)."""
    seen, replay = [], iter(choices)

    def pick(name, probs):
        seen.append(probs)
        return next(replay)

    with torch.no_grad():
        rl.lstm.run(space, pick)
    return seen


def test_lstm_controller_remembers_earlier_choices():
    """The third decision's distribution depends on the first choice, not only on the second."""
    space, rl = CellSpace(), Reinforce(controller="lstm")
    rl.setup(space, 0)
    a, b = lstm_path(rl, space, [0, 2, 0, 0, 0, 0]), lstm_path(rl, space, [1, 2, 0, 0, 0, 0])
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.allclose(a[2], b[2])
    assert rl.optimizer.param_groups[0]["lr"] == rl.learning_rate == 0.01


def test_reinforce_entropy_bonus_spreads_the_lstm_policy():
    """With zero advantage (the first reward is the baseline) the step only follows + beta H."""
    space, rl = CellSpace(), Reinforce(controller="lstm", learning_rate=1e-4, entropy_weight=1.0)
    rl.setup(space, 0)
    arch = rl.ask()
    choices = [i for _, i in [*rl._pending.values()][-1][1]]

    def entropy():  # of the distributions along the path, computed here
        return sum(float(-(p * np.log(p)).sum()) for p in lstm_path(rl, space, choices))

    before = entropy()
    tell(rl, arch, 0.5)
    assert entropy() > before


def test_lstm_probabilities_follow_the_most_likely_choices():
    space, rl = CellSpace(), Reinforce(controller="lstm", learning_rate=0.05)
    rl.setup(space, 0)
    for _ in range(40):
        arch = rl.ask()
        reward = sum(op == "avgpool3" for op in arch) / 6
        tell(rl, arch, reward)
    probs = rl.probabilities()
    greedy = [(name, int(np.argmax(p))) for name, p in probs.items()]
    assert [name for name, _ in space.decisions] == list(probs) and any(i != 0 for _, i in greedy)
    replay = iter(greedy)
    with torch.no_grad():
        logp = float(rl.lstm.run(space, lambda name, p: next(replay)[1])[2])
    assert logp == pytest.approx(sum(np.log(p.max()) for p in probs.values()), rel=1e-5)


# -- grid search ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("canonical", [True, False])
def test_grid_visits_each_architecture_once_in_order(canonical):
    space, grid = CellSpace(), GridSearch(canonical=canonical)
    grid.setup(space, 0)
    want = list(space.unique) if canonical else list(space.enumerate())
    asked = [grid.ask() for _ in want]
    assert asked == want and len(set(asked)) == len(asked) == (941 if canonical else 4096)
    for _ in range(2):
        with pytest.raises(SearchExhausted, match=rf"^the grid of {re.escape(repr(space))} is done$"):
            grid.ask()


# -- Bayesian optimisation ------------------------------------------------------------------------------

class FakeGP:
    """Stands in for the fitted Gaussian process: a fixed (mean, std) per architecture."""

    def __init__(self, space, table, default=(0.3, 0.01)):
        self.space, self.table, self.default, self.pools = space, table, default, []
        self.by_code = {space.encode(a).tobytes(): a for a in space.enumerate()}

    def predict(self, X, return_std=False):
        pool = [self.by_code[row.tobytes()] for row in np.asarray(X, dtype=np.float32)]
        self.pools.append(pool)
        mu, sigma = np.array([self.table.get(a, self.default) for a in pool]).T
        return mu, sigma


def test_bo_proposes_the_expected_improvement_maximiser_not_the_best_mean():
    space = MLPSpace()
    bo = BayesianOptimization(initial=4, top=2, random_candidates=0)
    bo.setup(space, 0)
    start = [bo.ask() for _ in range(4)]
    assert len(set(start)) == 4
    for arch, score in zip(start, (0.2, 0.8, 0.5, 0.6)):
        tell(bo, arch, score)
    # the candidates: every neighbour of the 2 best (0.8 then 0.6), never one already seen
    pool = list(dict.fromkeys(n for a in (start[1], start[3]) for n in space.neighbors(a) if n not in start))
    greedy, hopeful = pool[0], pool[-1]
    # greedy: mean above the best but certain, EI = 0.01; hopeful: EI = 0.1534 (see below)
    fake = FakeGP(space, {greedy: (0.81, 0.0), hopeful: (0.7, 0.5)})
    bo.surrogate = lambda: fake
    assert bo.ask() == hopeful
    assert fake.pools[0] == pool
    assert expected_improvement(np.array([0.7]), np.array([0.5]), 0.8)[0] == pytest.approx(
        -0.1 * stats.norm.cdf(-0.2) + 0.5 * stats.norm.pdf(-0.2))
    tell(bo, hopeful, 0.4)
    assert bo.ask() == greedy and hopeful not in fake.pools[1]  # asked once, never again


def test_bo_starts_with_random_architectures():
    space, bo = MLPSpace(), BayesianOptimization(initial=3)
    bo.setup(space, 5)
    rng = np.random.default_rng(5)
    assert [bo.ask() for _ in range(3)] == [space.sample(rng) for _ in range(3)]


@pytest.mark.parametrize("xi, pick", [(0.0, "sure"), (0.04, "unsure")])
def test_bo_exploration_bonus_xi(xi, pick):
    """Best 0.8. "sure": mean 0.85, no doubt: EI = 0.05 - xi. "unsure": mean 0.8, std 0.1:
    EI = 0.0399 at xi = 0, 0.0230 at xi = 0.04. A larger xi asks more for the unsure."""
    space = MLPSpace()
    bo = BayesianOptimization(initial=2, top=1, random_candidates=0, xi=xi)
    bo.setup(space, 0)
    start = [bo.ask(), bo.ask()]
    for arch, score in zip(start, (0.8, 0.3)):
        tell(bo, arch, score)
    pool = [n for n in space.neighbors(start[0]) if n not in start]
    candidates = {"sure": pool[0], "unsure": pool[1]}
    bo.surrogate = lambda: FakeGP(space, {pool[0]: (0.85, 0.0), pool[1]: (0.8, 0.1)}, default=(0.0, 0.0))
    assert bo.ask() == candidates[pick]


def test_bo_never_proposes_a_function_in_flight_or_already_told():
    space = MLPSpace()
    bo = BayesianOptimization(initial=2, top=1, random_candidates=0)
    bo.setup(space, 0)
    start = [bo.ask(), bo.ask()]
    for arch, score in zip(start, (0.2, 0.8)):
        tell(bo, arch, score)
    pool = [n for n in space.neighbors(start[1]) if n not in start]
    outsider = pool[1]
    tell(bo, outsider, 0.1)  # told without being asked (a resumed search): never proposed again
    pool.remove(outsider)
    fake = FakeGP(space, {pool[0]: (0.9, 0.1), pool[1]: (0.85, 0.1)})
    bo.surrogate = lambda: fake
    first, second = bo.ask(), bo.ask()  # two in flight at once (parallel workers)
    assert (first, second) == (pool[0], pool[1])
    assert outsider not in fake.pools[0] and first not in fake.pools[1]


def test_bo_keeps_proposing_when_every_candidate_was_seen():
    two = MLPSpace(widths=(16,), activations=("relu",), max_depth=2)
    bo = BayesianOptimization(initial=2, random_candidates=0)
    bo.setup(two, 0)
    for arch in two.enumerate():
        tell(bo, arch, 0.5)
    assert {bo.ask() for _ in range(4)} <= set(two.enumerate())


def test_bo_surrogate_is_a_matern_gaussian_process_that_fits_what_it_was_told():
    space, bo = MLPSpace(), BayesianOptimization(initial=2)
    bo.setup(space, 0)
    archs = list(space.enumerate())[::97][:6]
    scores = [0.31, 0.52, 0.47, 0.66, 0.58, 0.4]
    for arch, score in zip(archs, scores):
        tell(bo, arch, score)
    gp = bo.surrogate()
    params = gp.kernel.get_params()
    assert gp.normalize_y and params["k1__k1__constant_value"] == 1.0
    assert params["k1__k2__nu"] == 2.5 and params["k1__k2__length_scale"] == 2.0
    assert params["k2__noise_level"] == 1e-3
    mu, sigma = gp.predict(np.stack([space.encode(a) for a in archs]), return_std=True)
    assert mu == pytest.approx(scores, abs=0.02) and (sigma < 0.05).all()


@pytest.mark.parametrize("mu, sigma, best, xi", [(0.5, 0.1, 0.55, 0.0), (0.7, 0.3, 0.6, 0.0),
                                                 (0.6, 0.05, 0.6, 0.02), (0.2, 1.0, 0.9, 0.1)])
def test_expected_improvement_is_the_integral(mu, sigma, best, xi):
    """E[max(f - best - xi, 0)] for f ~ N(mu, sigma^2), by numerical integration."""
    want, _ = integrate.quad(lambda f: (f - best - xi) * stats.norm.pdf(f, mu, sigma), best + xi, mu + 12 * sigma)
    got = expected_improvement(np.array([mu]), np.array([sigma]), best, xi)[0]
    assert got == pytest.approx(want, rel=1e-6, abs=1e-12)


def test_expected_improvement_without_uncertainty_is_the_plain_improvement():
    ei = expected_improvement(np.array([0.7, 0.5]), np.array([0.0, 0.0]), best=0.6)
    assert ei == pytest.approx([0.1, 0.0], abs=1e-9)


# -- Optuna -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, sampler", [("tpe", "TPESampler"), ("random", "RandomSampler")])
def test_optuna_maximises_the_validation_accuracy(name, sampler):
    import optuna

    space, s = MLPSpace(), OptunaSampler(name)
    s.setup(space, 0)
    assert type(s.study.sampler).__name__ == sampler
    assert s.study.direction == optuna.study.StudyDirection.MAXIMIZE
    asked = [s.ask() for _ in range(4)]
    for arch, score in zip(asked[::-1], (0.2, 0.9, 0.4, 0.6)):  # told out of order
        tell(s, arch, score)
    assert {t.number: t.value for t in s.study.trials} == {3: 0.2, 2: 0.9, 1: 0.4, 0: 0.6}  # each to its trial
    assert s.study.best_value == 0.9 and s.study.best_trial.number == 2


# -- successive halving and Hyperband ---------------------------------------------------------------------

@pytest.mark.parametrize("n, eta, min_epochs, max_epochs, rungs", [
    (27, 3, 1, 12, [(27, 1), (9, 4), (3, 12)]),
    (10, 2, 2, 8, [(10, 2), (5, 4), (2, 8)]),
    (9, 3, 1, 9, [(9, 1), (3, 3), (1, 9)]),
    (2, 3, 1, 9, [(2, 9)]),  # fewer than eta architectures: one rung at full fidelity
    (9, 3, 3, 9, [(9, 3), (3, 9)]),
    (9, 3, 4, 9, [(9, 9)]),  # 4 * eta > 9: no room for a second rung, so one at full fidelity
])
def test_successive_halving_rungs_by_hand(n, eta, min_epochs, max_epochs, rungs):
    sh = SuccessiveHalving(n=n, eta=eta, min_epochs=min_epochs)
    sh.setup(MLPSpace(), 0, max_epochs=max_epochs)
    assert sh.rungs == rungs


@pytest.mark.parametrize("n, eta, max_epochs", [(9, 3, 9), (8, 2, 4)])
def test_successive_halving_promotes_the_top_one_over_eta(n, eta, max_epochs):
    space, sh = CellSpace(), SuccessiveHalving(n=n, eta=eta)
    sh.setup(space, 0, max_epochs=max_epochs)
    rng = np.random.default_rng(7)
    current = [sh.ask() for _ in range(n)]
    assert len(set(current)) == n and sh.fidelity() == 1
    promoted: list = []  # the architectures the previous rung promoted
    for rung, (count, epochs) in enumerate(sh.rungs):
        if rung:
            current = [sh.ask() for _ in range(count)]
            assert set(current) == set(promoted) and sh.fidelity() == epochs
        scores = rng.permutation(len(current)) / len(current)
        for arch, score in zip(current, scores):
            tell(sh, arch, score, epochs)
        order = np.argsort(scores)[::-1]
        promoted = [current[i] for i in order[: len(current) // eta]]
    sh.ask()  # a new bracket starts at the lowest fidelity
    assert sh.fidelity() == 1 and sh.rung == 0


def test_successive_halving_hands_out_extras_while_a_rung_waits():
    space, sh = CellSpace(), SuccessiveHalving(n=3, eta=3)
    sh.setup(space, 0, max_epochs=3)
    assert sh.fidelity() == 1  # what the first ask will get
    first = [sh.ask() for _ in range(3)]
    extra = sh.ask()  # the rung still waits for its 3 results
    assert sh.fidelity() == 1 and extra not in first
    tell(sh, extra, 0.99)  # not part of this rung: kept for the next bracket
    for arch, score in zip(first, (0.1, 0.5, 0.3)):
        tell(sh, arch, score)
    assert sh.ask() == first[1] and sh.fidelity() == 3
    tell(sh, first[1], 0.5, 3)
    second = [sh.ask() for _ in range(3)]
    assert second[0] == extra and sh.fidelity() == 1  # the next bracket starts with the extra
    for arch, score in zip(second, (0.4, 0.2, 0.3)):
        tell(sh, arch, score)
    assert sh.ask() == extra and sh.fidelity() == 3  # 3 asked, 3 told: the rung is done


def test_without_max_epochs_every_evaluation_is_at_min_epochs():
    sh, hb = SuccessiveHalving(n=9, eta=3, min_epochs=2), Hyperband()
    sh.setup(CellSpace(), 0)
    hb.setup(CellSpace(), 0)
    assert sh.rungs == [(9, 2)] and hb.rungs == [(1, 1)] and hb.fidelity() == 1


def test_min_epochs_above_max_epochs_is_refused():
    with pytest.raises(InputError, match=r"^min_epochs \(20\) is above the evaluator's 12 epochs$"):
        SuccessiveHalving(min_epochs=20).setup(CellSpace(), 0, max_epochs=12)


def li_brackets(R, eta):
    """Li et al. (2018), Algorithm 1, written out: bracket s = s_max .. 0 has
    n = ceil(B / R * eta**s / (s + 1)) with B = (s_max + 1) R, at r = R eta**-s epochs;
    rung i keeps floor(n eta**-i) at r eta**i epochs."""
    s_max = round(math.log(R, eta))
    out = []
    for s in range(s_max, -1, -1):
        n = math.ceil((s_max + 1) * R / R * eta ** s / (s + 1))
        out.append([(n // eta ** i, R // eta ** (s - i)) for i in range(s + 1)])
    return out


#: Li et al.'s Table 1 (R = 81, eta = 3), as (n_i, r_i) per rung, by hand
TABLE_1 = [[(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
           [(34, 3), (11, 9), (3, 27), (1, 81)],
           [(15, 9), (5, 27), (1, 81)],
           [(8, 27), (2, 81)],
           [(5, 81)]]
#: R = 8, eta = 2 by hand: s_max = 3, n = ceil(4 / (s + 1) * 2**s) = 8, 6, 4, 4
EIGHT_BY_TWO = [[(8, 1), (4, 2), (2, 4), (1, 8)], [(6, 2), (3, 4), (1, 8)], [(4, 4), (2, 8)], [(4, 8)]]


@pytest.mark.parametrize("R, eta, table", [(81, 3, TABLE_1), (8, 2, EIGHT_BY_TWO)])
def test_hyperband_brackets_follow_li_et_al(R, eta, table):
    assert li_brackets(R, eta) == table
    space, hb = CellSpace(), Hyperband(eta=eta)
    hb.setup(space, 0, max_epochs=R)
    per_cycle = sum(n for bracket in table for n, _ in bracket)
    asked = drive(hb, space, per_cycle + sum(n for n, _ in table[0]))
    want = [r for bracket in table + table[:1] for n, r in bracket for _ in range(n)]
    assert [epochs for _, epochs in asked] == want  # every bracket in turn, then again
    assert hb.rungs == table[1]  # the next bracket has begun


def test_hyperband_brackets_when_log_eta_of_R_is_inexact():
    """log(243) / log(3) = 4.999999999999999 in floating point; s_max is still 5."""
    assert math.log(243) / math.log(3) < 5
    hb = Hyperband(eta=3)
    hb.setup(CellSpace(), 0, max_epochs=243)
    assert hb.rungs == [(243, 1), (81, 3), (27, 9), (9, 27), (3, 81), (1, 243)]


def test_hyperband_promotes_the_best_of_each_rung():
    space, hb = CellSpace(), Hyperband(eta=3)
    hb.setup(space, 0, max_epochs=9)  # first bracket: 9 at 1 epoch, 3 at 3, 1 at 9
    asked = drive(hb, space, 13)
    first, second, third = asked[:9], asked[9:12], asked[12]
    best3 = sorted((a for a, _ in first), key=lambda a: crc_score(space, a))[-3:]
    assert {a for a, _ in second} == set(best3)
    assert third[0] == max((a for a, _ in second), key=lambda a: crc_score(space, a))


# -- bad parameters -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("make, match", [
    (lambda: RegularizedEvolution(population_size=20.0), "population_size P must be an integer"),
    (lambda: RegularizedEvolution(population_size=True), "population_size P must be an integer"),
    (lambda: RegularizedEvolution(sample_size=2.0), "sample_size S must be an integer from 1 to 10"),
    (lambda: RegularizedEvolution(sample_size=False), "sample_size S"),
    (lambda: RegularizedEvolution(crossover=float("nan")), "crossover probability must be a finite number"),
    (lambda: RegularizedEvolution(crossover=True), "crossover probability"),
    (lambda: Reinforce(learning_rate=float("inf")), "learning_rate must be a finite number > 0"),
    (lambda: Reinforce(learning_rate=float("nan")), "learning_rate"),
    (lambda: Reinforce(learning_rate=True), "learning_rate"),
    (lambda: Reinforce(learning_rate="0.1"), "learning_rate"),
    (lambda: Reinforce(baseline_decay=float("nan")), "baseline_decay must be a finite number"),
    (lambda: Reinforce(baseline_decay=1), r"^baseline_decay must be below 1 \(at 1 the baseline never leaves "
                                          r"the first reward\)$"),
    (lambda: Reinforce(baseline_decay=-0.1), "baseline_decay must be a finite number >= 0 <= 1"),
    (lambda: Reinforce(baseline_decay=1.5), "baseline_decay must be a finite number >= 0 <= 1"),
    (lambda: Reinforce(entropy_weight=float("inf")), "entropy_weight must be a finite number >= 0"),
    (lambda: Reinforce(hidden_size=32.0), "hidden_size must be an integer >= 1"),
    (lambda: Reinforce(hidden_size=True), "hidden_size"),
    (lambda: Reinforce(controller=None), "unknown controller"),
    (lambda: LocalSearch(initial=10.0), "initial must be an integer >= 1"),
    (lambda: LocalSearch(initial=True), "initial must be an integer"),
    (lambda: BayesianOptimization(initial=10.0), "initial must be an integer >= 2"),
    (lambda: BayesianOptimization(top=True), "top must be an integer >= 1"),
    (lambda: BayesianOptimization(random_candidates=50.0), "random_candidates must be an integer >= 0"),
    (lambda: BayesianOptimization(xi=float("nan")), "xi must be a finite number >= 0"),
    (lambda: BayesianOptimization(xi=float("inf")), "xi"),
    (lambda: SuccessiveHalving(n=27.0), "n must be an integer >= 1"),
    (lambda: SuccessiveHalving(min_epochs=True), "min_epochs must be an integer >= 1"),
    (lambda: SuccessiveHalving(eta=3.0), "eta must be an integer >= 2"),
    (lambda: Hyperband(eta=3.0), "eta must be an integer >= 2"),
    (lambda: GridSearch(canonical=1), "canonical must be True or False"),
    (lambda: OptunaSampler(["tpe"]), "unknown sampler"),
    (lambda: get_strategy(["random"]), "unknown strategy"),
    (lambda: get_strategy("evolution", population_size=2.5), "population_size P"),
])
def test_bad_parameters_are_refused_clearly(make, match):
    with pytest.raises(InputError, match=match):
        make()


def test_the_smallest_allowed_values_are_accepted():
    evo = RegularizedEvolution(population_size=1, sample_size=1, crossover=1)
    assert (evo.population_size, evo.sample_size, evo.crossover) == (1, 1, 1.0)
    assert RegularizedEvolution(population_size=4, sample_size=4, crossover=0).sample_size == 4
    rl = Reinforce(learning_rate=1e-9, baseline_decay=0, entropy_weight=0, hidden_size=1)
    assert (rl.learning_rate, rl.baseline_decay, rl.entropy_weight, rl.hidden_size) == (1e-9, 0.0, 0.0, 1)
    assert Reinforce(baseline_decay=0.999).baseline_decay == 0.999
    assert LocalSearch(initial=1).initial == 1
    bo = BayesianOptimization(initial=2, top=1, random_candidates=0, xi=0)
    assert (bo.initial, bo.top, bo.random_candidates, bo.xi) == (2, 1, 0, 0.0)
    sh = SuccessiveHalving(n=1, eta=2, min_epochs=1)
    assert (sh.n, sh.eta, sh.min_epochs) == (1, 2, 1) and Hyperband(eta=2).eta == 2
    for lower in (lambda: BayesianOptimization(initial=1), lambda: BayesianOptimization(top=0),
                  lambda: BayesianOptimization(random_candidates=-1), lambda: LocalSearch(initial=0),
                  lambda: SuccessiveHalving(n=0), lambda: SuccessiveHalving(min_epochs=0),
                  lambda: Hyperband(eta=1), lambda: Reinforce(hidden_size=0),
                  lambda: RegularizedEvolution(4, 0), lambda: RegularizedEvolution(crossover=-0.01)):
        with pytest.raises(InputError):
            lower()


def test_numpy_integers_are_plain_parameters():
    evo = RegularizedEvolution(population_size=np.int64(20), sample_size=np.int32(3))
    assert type(evo.population_size) is int and repr(evo) == repr(RegularizedEvolution(20, 3))
    sh = SuccessiveHalving(n=np.int64(9), eta=np.int64(3))
    sh.setup(CellSpace(), 0, max_epochs=np.int64(9))
    assert sh.rungs == [(9, 1), (3, 3), (1, 9)]
    rl = Reinforce(learning_rate=np.float32(0.25))
    assert rl.learning_rate == 0.25 and type(rl.learning_rate) is float


def test_ask_before_setup_says_what_to_do():
    for strategy in every_strategy():
        with pytest.raises(RuntimeError, match=rf"call {type(strategy).__name__}\.setup\(space, seed\) before "
                                               r"ask\(\); run_search does this for you"):
            strategy.ask()


def test_defaults_as_documented():
    assert [repr(s) for s in (RandomSearch(), GridSearch(), RegularizedEvolution(), LocalSearch(),
                              BayesianOptimization(), Reinforce(), Reinforce(controller="lstm"),
                              SuccessiveHalving(), Hyperband(), OptunaSampler())] == [
        "RandomSearch()", "GridSearch(canonical=True)",
        "RegularizedEvolution(population_size=10, sample_size=3, aging=True, crossover=0.0)",
        "LocalSearch(initial=10)",
        "BayesianOptimization(initial=10, top=5, random_candidates=50, xi=0.0, refit_every=10, canonical=True)",
        "Reinforce(learning_rate=0.5, baseline_decay=0.9, entropy_weight=0.0, controller='factorized', "
        "hidden_size=32)",
        "Reinforce(learning_rate=0.01, baseline_decay=0.9, entropy_weight=0.0, controller='lstm', hidden_size=32)",
        "SuccessiveHalving(n=27, eta=3, min_epochs=1)", "Hyperband(eta=3)", "OptunaSampler(sampler='tpe')"]


def every_strategy():
    return [RandomSearch(), GridSearch(), RegularizedEvolution(), LocalSearch(), BayesianOptimization(),
            Reinforce(), Reinforce(controller="lstm"), SuccessiveHalving(), Hyperband(), OptunaSampler("random")]


@pytest.mark.parametrize("strategy", every_strategy(), ids=repr)
def test_setup_needs_an_explicit_seed(strategy):
    space = MLPSpace()
    for seed, match in ((None, "seed must be a non-negative integer, got None"), (-1, "seed"), (1.5, "seed"),
                        (True, "seed"), ("0", "seed")):
        with pytest.raises(InputError, match=match):
            strategy.setup(space, seed)
    with pytest.raises(InputError, match="max_epochs must be an integer >= 1"):
        strategy.setup(space, 0, max_epochs=0)
    with pytest.raises(InputError, match="space must be a SearchSpace"):
        strategy.setup("mlp", 0)
    # same seed, same result, whichever integer type carries it; the default seed is 0
    strategy.setup(space, 3, max_epochs=9)
    assert strategy.space is space and strategy.max_epochs == 9
    a = [strategy.ask() for _ in range(3)]
    strategy.setup(space, np.int64(3), max_epochs=9)
    assert [strategy.ask() for _ in range(3)] == a
    strategy.setup(space, max_epochs=9)
    b = [strategy.ask() for _ in range(3)]
    strategy.setup(space, 0, max_epochs=9)
    assert [strategy.ask() for _ in range(3)] == b


@pytest.mark.parametrize("strategy", every_strategy(), ids=repr)
def test_a_space_with_one_architecture_is_refused_at_setup(strategy):
    single = MLPSpace(widths=(16,), activations=("relu",), max_depth=1)
    with pytest.raises(InputError, match=rf"^{re.escape(repr(single))} holds a single architecture, so there is "
                                         r"nothing to search: give a space with at least two \(more widths, "
                                         r"activations or layers\)$"):
        strategy.setup(single, 0, max_epochs=4)
    two = MLPSpace(widths=(16,), activations=("relu",), max_depth=2)  # the smallest searchable space
    strategy.setup(two, 0, max_epochs=4)
    assert {arch for arch, _ in drive(strategy, two, 2)} <= set(two.enumerate())
