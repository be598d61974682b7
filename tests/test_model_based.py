"""Lesson 08's tools: the bracket schedule, successive halving's records of its brackets, the
Gaussian-process surrogate's posterior, and the figures and dashboard built on them."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import nastutor as nt
from nastutor import plots
from nastutor.checks import InputError
from nastutor.compare import regret_frame
from nastutor.interactive import seconds_dashboard
from nastutor.local_optima import Landscape, basins
from nastutor.strategies.bayesian_optimization import expected_improvement
from nastutor.strategies.successive_halving import bracket_schedule


@pytest.fixture(scope="module")
def ev():
    return nt.TabularEvaluator("cell-mnist1d")


@pytest.mark.parametrize("n, eta, low, high", [(27, 3, 1, 12), (81, 3, 1, 12), (5, 3, 4, 12), (100, 2, 1, 16),
                                               (64, 4, 1, 100), (3, 3, 12, 12), (2, 3, 1, 12), (200, 3, 2, 81)])
def test_bracket_schedule_obeys_its_definition(n, eta, low, high):
    rungs = bracket_schedule(n, eta, low, high)
    K = len(rungs) - 1
    # K is the largest number of divisions both the cells and the epochs allow (a brute-force search)
    assert K == max(k for k in range(20) if eta ** k <= n and low * eta ** k <= high)
    assert [c for c, _ in rungs] == [n // eta ** k for k in range(K + 1)]
    assert rungs[-1][1] == high and all(e >= low for _, e in rungs)
    assert all(abs(e - high / eta ** (K - k)) <= 0.5 for k, (_, e) in enumerate(rungs))


def test_bracket_schedule_refuses_bad_input():
    with pytest.raises(InputError, match="min_epochs"):
        bracket_schedule(27, 3, 13, 12)
    with pytest.raises(InputError, match="eta"):
        bracket_schedule(27, 1, 1, 12)


def test_hyperband_brackets_follow_li_et_al(ev):
    hb = nt.Hyperband(eta=3)
    nt.run_search(hb, ev, 80, progress=False)
    R, s_max = ev.max_epochs, int(math.floor(math.log(ev.max_epochs, 3) + 1e-9))
    for b, rungs in enumerate(hb.schedules):
        s = s_max - b % (s_max + 1)
        n = math.ceil((s_max + 1) / (s + 1) * 3 ** s)
        assert rungs == bracket_schedule(n, 3, max(1, round(R / 3 ** s)), R)


def test_successive_halving_records_the_bracket_and_rung_of_every_ask(ev):
    sh = nt.SuccessiveHalving(n=27, eta=3)
    history = nt.run_search(sh, ev, 80, progress=False)
    assert len(sh.asked) == len(history)
    for (bracket, rung), e in zip(sh.asked, history):
        assert e.epochs == sh.schedules[bracket - 1][rung][1]
    first = [e for (b, _), e in zip(sh.asked, history) if b == 1]
    assert [len([1 for (b, r) in sh.asked if b == 1 and r == k]) for k in range(3)] == [27, 9, 3]
    promoted = {e.arch for (b, r), e in zip(sh.asked, history) if b == 1 and r == 1}
    rung0 = sorted(((e.val_accuracy, e.arch) for (b, r), e in zip(sh.asked, history) if b == 1 and r == 0),
                   reverse=True)
    assert promoted == {a for _, a in rung0[:9]} and len(first) == 39      # the best third goes on


def test_bo_posterior_is_the_gp_fitted_to_what_it_was_told(ev):
    bo = nt.BayesianOptimization()
    nt.run_search(bo, ev, 30, progress=False)
    space = ev.space
    mu, sigma = bo.posterior(bo.archs)
    assert mu.shape == sigma.shape == (30,) and np.all(sigma >= 0)
    # the posterior mean passes close to what it was told (a little noise is fitted)
    assert stats.spearmanr(mu, bo.scores).statistic > 0.9
    # cells that compute the same function get the same posterior (canonical encodings)
    a = next(x for x in space.enumerate() if space.canonical(x) != x)
    m, s = bo.posterior([a, space.canonical(a)])
    assert m[0] == pytest.approx(m[1]) and s[0] == pytest.approx(s[1])


def test_bo_refits_its_kernel_every_refit_every_evaluations(ev):
    fits = []
    bo = nt.BayesianOptimization(refit_every=7)
    nt.run_search(bo, ev, 40, progress=False, callback=lambda h: fits.append(bo._fitted_at))
    changes = sorted(set(fits) - {0})
    assert changes and all(b - a >= 7 for a, b in zip(changes, changes[1:]))
    with pytest.raises(InputError, match="refit_every"):
        nt.BayesianOptimization(refit_every=0)
    with pytest.raises(InputError, match="canonical"):
        nt.BayesianOptimization(canonical="yes")


def test_expected_improvement_matches_monte_carlo():
    rng = np.random.default_rng(1)
    mu, sigma, best = rng.normal(0.8, 0.05, 6), rng.uniform(0.01, 0.1, 6), 0.82
    draws = rng.normal(mu[:, None], sigma[:, None], size=(6, 400_000))
    mc = np.maximum(draws - best, 0).mean(axis=1)
    assert np.allclose(expected_improvement(mu, sigma, best), mc, atol=5e-4)


def test_bracket_figure_marks_the_survivors(ev):
    sh = nt.SuccessiveHalving()
    history = nt.run_search(sh, ev, 39, progress=False)
    fig = plots.bracket(history, sh, ev.benchmark, number=1)
    coloured = [line for line in fig.axes[0].lines if line.get_marker() == "D"]
    assert len(coloured) == 3                                       # the 3 cells of the last rung
    with pytest.raises(InputError, match=f"bracket from 1 to {len(sh.schedules)}"):
        plots.bracket(history, sh, ev.benchmark, number=len(sh.schedules) + 1)
    with pytest.raises(InputError, match="no evaluations in this history"):
        plots.bracket(history, sh, ev.benchmark, number=2)      # started, nothing evaluated yet
    with pytest.raises(InputError, match="SuccessiveHalving or Hyperband"):
        plots.bracket(history, nt.RandomSearch(), ev.benchmark)


def test_posterior_maps_put_the_star_on_the_largest_ei(ev):
    bo = nt.BayesianOptimization()
    nt.run_search(bo, ev, 15, progress=False)
    fig = plots.posterior_maps(ev.benchmark, bo)
    archs, xy, _ = plots.layout(ev.space)
    mu, sigma = bo.posterior(archs)
    star = xy[int(np.argmax(expected_improvement(mu, sigma, max(bo.scores))))]
    drawn = [line.get_xydata()[0] for ax in fig.axes for line in ax.lines if line.get_marker() == "*"]
    assert len(drawn) == 4 and all(np.allclose(p, star) for p in drawn)
    with pytest.raises(InputError, match="has run a search"):
        plots.posterior_maps(ev.benchmark, nt.BayesianOptimization())


def test_local_optima_figure_circles_every_optimum(ev):
    table = basins(Landscape.of(ev.benchmark))
    fig = plots.local_optima(ev.benchmark, table)
    circles = fig.axes[0].collections[-1]
    assert len(circles.get_offsets()) == len(table)
    assert np.allclose(circles.get_sizes(), 4 * table["basin"])


def test_seconds_dashboard_cuts_the_search_at_its_budget_in_seconds(ev):
    board = seconds_dashboard("cell-mnist1d", strategy="sh", seconds=100, max_seconds=300)
    history = board.history()
    spent = np.cumsum([e.cost for e in history])
    assert spent[-1] <= 100 < spent[-1] + 5                  # the next evaluation would pass the budget
    visited, _, curve = board.figure.data[1:4]
    assert len(visited.x) == len(history)
    assert list(visited.marker.color) == [max(f.epochs for f in history if f.arch == e.arch) for e in history]
    frame = regret_frame(history, board.evaluator)
    assert np.allclose(curve.y, np.maximum(100 * frame["val_regret"], 0.01))
    assert np.allclose(curve.x, spent)
    board.budget.value = 250                                 # a longer search: run again, a prefix of it kept
    longer = board.history()
    assert len(longer) > len(history) and longer.evaluations[:len(history)] == history.evaluations
    board.strategy.value = "bo"
    assert all(e.epochs == ev.max_epochs for e in board.history())
    assert "evaluations" in board.status.value and "simulated seconds" in board.status.value
