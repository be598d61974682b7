"""Proxy-guided search (nastutor/proxy_search.py, lesson 10): the strategies ask what they promise,
the proxy's cost is charged, the rank report and the predictor curve agree with independent
computations."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import nastutor as nt
from nastutor.checks import InputError
from nastutor.compare import compare
from nastutor.proxies import PROXIES, load_proxy_table, proxy_correlations, proxy_scores
from nastutor.proxy_search import ProxyEvolution, ProxyOrder, charge, predictor_tau, proxy_cost, rank_report
from nastutor.spaces import CellSpace
from nastutor.strategies import SearchExhausted


@pytest.fixture(scope="module")
def naswot():
    return proxy_scores("cell-mnist1d", "naswot")


def test_proxy_order_asks_every_cell_once_best_first(naswot):
    s = ProxyOrder(naswot)
    s.setup(CellSpace(), seed=3)
    asked = [s.ask() for _ in range(len(naswot))]
    assert len(set(asked)) == len(naswot)
    scores = [s.score_of(a) for a in asked]
    assert all(a >= b for a, b in zip(scores, scores[1:]))
    with pytest.raises(SearchExhausted):
        s.ask()


def test_proxy_order_breaks_ties_at_random_by_seed():
    params = proxy_scores("cell-mnist1d", "params")
    firsts = set()
    for seed in range(6):
        s = ProxyOrder(params)
        s.setup(CellSpace(), seed=seed)
        firsts.add(tuple(s.ask() for _ in range(30)))
    assert len(firsts) > 1                                   # ties of #params are broken by the seed
    again = ProxyOrder(params)
    again.setup(CellSpace(), seed=0)
    first = ProxyOrder(params)
    first.setup(CellSpace(), seed=0)
    assert [again.ask() for _ in range(30)] == [first.ask() for _ in range(30)]


def test_proxy_evolution_starts_from_the_top_and_screens_mutants(naswot):
    s = ProxyEvolution(naswot, population_size=10, top_share=0.05, candidates=5)
    s.setup(CellSpace(), seed=0)
    threshold = np.sort(naswot.to_numpy())[::-1][int(np.ceil(0.05 * len(naswot))) - 1]
    starts = [s.ask() for _ in range(10)]
    assert all(s.score_of(a) >= threshold for a in starts)
    ev = nt.TabularEvaluator("cell-mnist1d")
    for a in starts:
        s.tell(a, ev.evaluate(a, seed=0))
    child = s.ask()
    assert child not in starts or s.score_of(child) >= threshold


def test_proxy_evolution_with_no_guidance_is_plain_evolution_in_spirit(naswot):
    s = ProxyEvolution(naswot, top_share=1.0, candidates=1)
    s.setup(CellSpace(), seed=0)
    assert len({s.ask() for _ in range(10)}) == 10


def test_inputs_are_checked(naswot):
    with pytest.raises(InputError, match="Series"):
        ProxyOrder([1, 2, 3])
    with pytest.raises(InputError, match="NaN"):
        ProxyOrder(pd.Series([np.nan], index=["|conv3~0|+|conv3~0|conv3~1|+|conv3~0|conv3~1|conv3~2|"]))
    with pytest.raises(InputError, match="top_share"):
        ProxyEvolution(naswot, top_share=0)
    with pytest.raises(InputError, match="candidates"):
        ProxyEvolution(naswot, candidates=0)
    with pytest.raises(InputError, match="total_cost"):
        charge(pd.DataFrame({"x": [1]}), 1.0)
    with pytest.raises(InputError):
        proxy_cost("cell-mnist1d", "nope")


def test_cost_is_the_tables_seconds_and_is_charged(naswot):
    table = load_proxy_table("cell-mnist1d")
    first = table[(table["init_seed"] == 0) & (table["minibatch"] == 0)]
    assert proxy_cost("cell-mnist1d", "naswot") == pytest.approx(first["naswot_seconds"].sum())
    runs = compare({"naswot order": ProxyOrder(naswot)}, nt.TabularEvaluator("cell-mnist1d"), budget=5, seeds=range(2))
    charged = charge(runs, 7.5)
    assert np.allclose(charged["total_cost"] - runs["total_cost"], 7.5)
    assert charged.drop(columns="total_cost").equals(runs.drop(columns="total_cost"))


def test_rank_report_agrees_with_scipy_and_the_package():
    report = rank_report("cell-digits", boot=100).set_index("proxy")
    corr = proxy_correlations("cell-digits").set_index("proxy")
    assert list(report.index) == list(PROXIES)
    assert np.allclose(report["spearman"], corr["spearman"]) and np.allclose(report["kendall"], corr["kendall"])
    assert (report["ci_low"] <= report["spearman"] + 1e-9).all() and (report["spearman"] <= report["ci_high"] + 1e-9).all()
    # the vectorised bootstrap against scipy on one resample
    from nastutor.proxy_search import _rowwise_spearman
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, 5, (2, 50)).astype(float), rng.normal(size=(2, 50))
    assert np.allclose(_rowwise_spearman(a, b), [stats.spearmanr(a[i], b[i]).statistic for i in range(2)])


def test_predictor_improves_with_data_and_is_checked():
    tau = predictor_tau("cell-digits", sizes=(10, 300), repeats=2, progress=False)
    assert tau.shape == (2, 2) and tau[:, 1].mean() > tau[:, 0].mean()
    with pytest.raises(InputError):
        predictor_tau("cell-digits", sizes=(941,), repeats=1, progress=False)
    with pytest.raises(InputError):
        predictor_tau("cell-digits", sizes=(10,), repeats=1, proxies=("nope",), progress=False)
