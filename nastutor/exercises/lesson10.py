"""Exercises of lesson 10 (estimating without training): the SNIP proxy on a real network and
minibatch, Spearman's rank correlation by hand, and the partial rank correlation given #params;
two "predict, then run" questions (which proxy ranks the cells best, and which proxy-guided
search reaches a good cell first), answered from the shipped benchmarks and proxy tables.

    >>> from nastutor.exercises.lesson10 import *     # doctest: +SKIP
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import torch
from scipy import stats

from matplotlib.figure import Figure

from .. import plots
from ..compare import compare, time_to_target
from ..data import load_dataset
from ..proxies import PROXIES, init_network, minibatch, proxy_correlations, proxy_scores, snip
from ..proxy_search import ProxyEvolution, ProxyOrder, charge, proxy_cost
from ..strategies import RandomSearch, RegularizedEvolution
from ._checking import ____, Exercise, Incorrect, Question, number, same
from ._checking import must_be_function as _callable, returned as _returned
from ._code import forbid as _forbid
from ._shared import benchmark as _benchmark, evaluator as _evaluator

__all__ = ["____", "q1", "q2", "q3", "p1", "p2", "search_race", "median_seconds", "SEEDS", "TARGET", "RACE_SECONDS",
           "RACE_PROXIES", "show_proxy"]

#: The lesson's protocol for its search comparisons: seeds, the regret target, the budget.
SEEDS = range(100)
TARGET = 0.005
RACE_SECONDS = 400


# -- q1: SNIP ----------------------------------------------------------------------------------

def snip_score(model, x, y):
    """SNIP summed over the weights of the convolutions and linear layers: sum |w * dL/dw|."""
    layers = [m for m in model.modules() if isinstance(m, (torch.nn.Conv1d, torch.nn.Linear))]
    weights = [m.weight for m in layers]
    loss = torch.nn.functional.cross_entropy(model(x), y)
    grads = torch.autograd.grad(loss, weights)
    return float(sum((w.detach() * g).abs().sum() for w, g in zip(weights, grads)))


def _snip_cases():
    """(model, x, y): cells of both benchmarks at two initialisations, on their own minibatches."""
    cases = []
    for name, cells in (("cell-mnist1d", (("conv3",) * 6, ("conv3", "skip", "conv3", "none", "conv3", "avgpool3"))),
                        ("cell-digits", (("conv3", "avgpool3", "skip", "conv3", "none", "conv3"),))):
        bench = _benchmark(name)
        data = load_dataset(bench.dataset)
        x, y = minibatch(data, 64, seed=0)
        for k, cell in enumerate(cells):
            cases.append((init_network(bench.space, bench.space.canonical(cell), data, seed=k), x, y))
    return cases


def _check_snip(learner) -> None:
    _callable(learner, "snip_score")
    _forbid(learner, {"snip": "nt.proxies.snip", "measure": "nt.proxies.measure",
                      "grad_norm": "nt.proxies.grad_norm"}, "write SNIP")
    for model, x, y in _snip_cases():
        model.train()
        want = snip(model, x, y)
        with torch.random.fork_rng(devices=[]):
            got = number(_returned(learner(model, x, y), "`snip_score`"), "your SNIP score")
        model.zero_grad(set_to_none=True)
        if np.isclose(got, want * len(x), rtol=1e-3):
            raise Incorrect("your score is the batch size times too large: the loss is the mean cross-entropy "
                            "over the minibatch (cross_entropy's default), not the sum")
        same(got, want, rel=1e-4, what="your SNIP score")


q1 = Exercise(
    "q1", var="snip_score", checker=_check_snip, reference=lambda: snip_score, hint=[
        """
The weights are those of the convolutions and linear layers: `[m.weight for m in model.modules()
if isinstance(m, (torch.nn.Conv1d, torch.nn.Linear))]`. The loss is
`torch.nn.functional.cross_entropy(model(x), y)`.
""", """
With `weights = [m.weight for m in model.modules() if isinstance(m, (torch.nn.Conv1d, torch.nn.Linear))]`
and `loss = torch.nn.functional.cross_entropy(model(x), y)`, `torch.autograd.grad(loss, weights)` gives
one gradient per weight tensor. SNIP adds up the absolute values of weight times gradient, element by
element, over all of them.
""", """
`weights = [m.weight for m in model.modules() if isinstance(m, (torch.nn.Conv1d, torch.nn.Linear))]`,
`grads = torch.autograd.grad(torch.nn.functional.cross_entropy(model(x), y), weights)`, then return
`float(sum((w.detach() * g).abs().sum() for w, g in zip(weights, grads)))`.
"""])


# -- q2: Spearman's rho by hand ------------------------------------------------------------------

def spearman(a, b):
    """Spearman's rho: Pearson's correlation of the ranks (ties get their average rank)."""
    ra, rb = stats.rankdata(a), stats.rankdata(b)
    return float(np.corrcoef(ra, rb)[0, 1])


def _spearman_cases():
    """(a, b): a proxy and the truth of a benchmark (with ties: #params), and small hand cases."""
    bench = _benchmark("cell-digits")
    truth = bench.truth().to_numpy()
    rng = np.random.default_rng(10)
    return [(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([5.0, 6.0, 7.0, 8.0, 7.5])),
            (proxy_scores("cell-digits", "params").to_numpy(), truth),
            (proxy_scores("cell-mnist1d", "synflow").to_numpy(), _benchmark("cell-mnist1d").truth().to_numpy()),
            (rng.integers(0, 4, 50).astype(float), rng.normal(size=50))]


def _check_spearman(learner) -> None:
    _callable(learner, "spearman")
    _forbid(learner, {"spearmanr": "scipy.stats.spearmanr", "kendalltau": "scipy.stats.kendalltau",
                      "corr": "pandas' .corr"}, "compute Spearman's rho")
    for k, (a, b) in enumerate(_spearman_cases()):
        got = number(_returned(learner(a.copy(), b.copy()), "`spearman`"), "your Spearman correlation")
        want = stats.spearmanr(a, b).statistic                         # the independent oracle
        if k == 0 and np.isclose(got, np.corrcoef(a, b)[0, 1]):
            raise Incorrect("that is Pearson's correlation of the values: Spearman's is Pearson's of their ranks")
        ties = len(np.unique(a)) < len(a)
        if ties and not np.isclose(got, want, rtol=1e-6, atol=1e-9):
            raise Incorrect("your correlation is off where the scores have ties (many cells share one #params): "
                            "give tied values their average rank (`scipy.stats.rankdata` does)")
        same(got, want, what="your Spearman correlation")


q2 = Exercise(
    "q2", var="spearman", checker=_check_spearman, reference=lambda: spearman, hint=[
        """
Replace each value by its rank (1 for the smallest), in both arrays, then take Pearson's
correlation of the two rank arrays.
""", """
`ra, rb = stats.rankdata(a), stats.rankdata(b)` ranks both and gives tied values their average
rank; `np.corrcoef(ra, rb)[0, 1]` is Pearson's correlation.
""", """
`return float(np.corrcoef(stats.rankdata(a), stats.rankdata(b))[0, 1])`.
"""])


# -- q3: the partial rank correlation given #params -----------------------------------------------

def partial_spearman(score, truth, size):
    """Spearman's rho of `score` and `truth` with `size` held fixed: Pearson's correlation of the
    residuals of their ranks after a straight-line fit on the ranks of `size`."""
    r = [stats.rankdata(v) for v in (score, truth, size)]
    design = np.column_stack([np.ones(len(r[2])), r[2]])
    res = [v - design @ np.linalg.lstsq(design, v, rcond=None)[0] for v in r[:2]]
    return float(np.corrcoef(res[0], res[1])[0, 1])


def _partial_by_formula(score, truth, size) -> float:
    """The same from the three pairwise Spearman correlations (an independent oracle)."""
    xy, xz, yz = (stats.spearmanr(u, v).statistic for u, v in ((score, truth), (score, size), (truth, size)))
    return float((xy - xz * yz) / np.sqrt((1 - xz ** 2) * (1 - yz ** 2)))


def _partial_cases():
    cases = []
    for name in ("cell-mnist1d", "cell-digits"):
        truth, size = _benchmark(name).truth().to_numpy(), proxy_scores(name, "params").to_numpy()
        for proxy in ("synflow", "naswot", "snip"):
            cases.append((proxy_scores(name, proxy).to_numpy(), truth, size))
    return cases


def _check_partial(learner) -> None:
    _callable(learner, "partial_spearman")
    _forbid(learner, {"partial_corr": "pingouin.partial_corr"}, "compute the partial correlation")
    for score, truth, size in _partial_cases():
        got = number(_returned(learner(score.copy(), truth.copy(), size.copy()), "`partial_spearman`"),
                     "your partial correlation")
        want = _partial_by_formula(score, truth, size)
        if np.isclose(got, stats.spearmanr(score, truth).statistic, rtol=1e-6):
            raise Incorrect("that is the plain Spearman correlation: take out what #params explains first (regress "
                            "the ranks of score and truth on the ranks of size, and correlate the residuals)")
        same(got, want, rel=1e-6, what="your partial correlation")
        same(got, partial_spearman(score, truth, size), rel=1e-6, what="your partial correlation")


q3 = Exercise(
    "q3", var="partial_spearman", checker=_check_partial, reference=lambda: partial_spearman, hint=[
        """
Work with ranks throughout (`stats.rankdata`). Fit a straight line from the ranks of `size` to the
ranks of `score`, and another to the ranks of `truth`; keep what the lines do not explain, the
residuals.
""", """
With `r = [stats.rankdata(v) for v in (score, truth, size)]` and
`X = np.column_stack([np.ones(len(size)), r[2]])`, the line for the score's ranks is
`coef = np.linalg.lstsq(X, r[0], rcond=None)[0]` and its residuals are `r[0] - X @ coef`; the same
for `r[1]`. The answer is Pearson's correlation (`np.corrcoef`) of the two residual arrays.
""", """
`r = [stats.rankdata(v) for v in (score, truth, size)]`, `X = np.column_stack([np.ones(len(r[2])), r[2]])`,
`res = [v - X @ np.linalg.lstsq(X, v, rcond=None)[0] for v in r[:2]]`, return
`float(np.corrcoef(res[0], res[1])[0, 1])`.
"""])


# -- p1, p2: predict, then run ----------------------------------------------------------------------

P1_CHOICES = {"a": "#params", "b": "synflow", "c": "naswot"}


def _best_ranker() -> str:
    corr = proxy_correlations("cell-mnist1d").set_index("proxy")["spearman"]
    names = {"a": "params", "b": "synflow", "c": "naswot"}
    return max(names, key=lambda letter: corr[names[letter]])


p1 = Question(
    "p1", expected=_best_ranker, choices=P1_CHOICES,
    hint="""
#params is free and, on cell-mnist1d, bigger cells are better. synflow multiplies the absolute
weights along every path; naswot asks whether the untrained network tells the inputs apart.
""",
    why="""
naswot's Spearman correlation is the highest of the three on cell-mnist1d: whether the untrained
network gives different inputs different activation patterns says more than size alone.
""")


#: The proxies whose guided searches the lesson races (with #params, the trivial baseline).
RACE_PROXIES = ("params", "synflow", "naswot")


@lru_cache(maxsize=None)
def search_race(name: str = "cell-mnist1d", seeds: int = len(SEEDS)) -> pd.DataFrame:
    """Random search, regularized evolution, and for each of RACE_PROXIES training in proxy order
    and proxy-guided evolution (`ProxyEvolution`), each proxy's cost of scoring all cells charged,
    over the first `seeds` of SEEDS, for RACE_SECONDS simulated seconds each."""
    ev, seeds = _evaluator(name), SEEDS[:seeds]
    runs = [compare({"random": RandomSearch(), "evolution": RegularizedEvolution()}, ev, budget=None,
                    seconds=RACE_SECONDS, seeds=seeds)]
    for proxy in RACE_PROXIES:
        scores = proxy_scores(name, proxy)
        guided = compare({f"{proxy} order": ProxyOrder(scores), f"{proxy} evolution": ProxyEvolution(scores)}, ev,
                         budget=None, seconds=RACE_SECONDS, seeds=seeds)
        runs.append(charge(guided, proxy_cost(name, proxy)))
    return pd.concat(runs, ignore_index=True)


def median_seconds(runs: pd.DataFrame, target: float = TARGET) -> pd.DataFrame:
    """Per strategy: the median simulated seconds until the incumbent is within `target` of the
    optimum (a run that never gets there counts as infinitely long), how many runs never do, and
    the ratio of random search's median to it (how many times faster than random search)."""
    hits = time_to_target(runs, target)
    out = hits.groupby("strategy", sort=False)["seconds"].agg(
        median_seconds=lambda s: float(np.median(s.fillna(np.inf))), never=lambda s: int(s.isna().sum()))
    out["x_faster_than_random"] = out.loc["random", "median_seconds"] / out["median_seconds"]
    return out.reset_index()


def _race_winner() -> str:
    median = median_seconds(search_race()).set_index("strategy")["median_seconds"]
    names = {"a": "naswot order", "b": "params order", "c": "evolution"}
    return min(names, key=lambda letter: median[names[letter]])


p2 = Question(
    "p2", expected=_race_winner,
    choices={"a": "naswot order", "b": "#params order", "c": "regularized evolution"},
    hint="""
naswot ranks better than #params, but what does it cost to score all the cells, compared with
training a few of them? And how good are the biggest cells of cell-mnist1d?
""",
    why="""
On cell-mnist1d the biggest cells are among the best, and #params costs almost nothing; naswot
ranks a little better, but scoring every cell with it takes as long as training several cells,
and that is charged before the first training.
""")


@lru_cache(maxsize=None)
def _small_race(name: str, proxy: str, seeds: int) -> pd.DataFrame:
    """Random search, #params order and `proxy` order (cost charged) on `seeds` seeds."""
    ev = _evaluator(name)
    runs = [compare({"random": RandomSearch()}, ev, budget=None, seconds=RACE_SECONDS, seeds=range(seeds))]
    for p in dict.fromkeys(("params", proxy)):
        order = compare({f"{p} order": ProxyOrder(proxy_scores(name, p))}, ev, budget=None,
                        seconds=RACE_SECONDS, seeds=range(seeds))
        runs.append(charge(order, proxy_cost(name, p)))
    return pd.concat(runs, ignore_index=True)


def show_proxy(proxy: str = "synflow", name: str = "cell-mnist1d", seeds: int = 20) -> Figure:
    """The lesson's interactive figure: the rank of `proxy`'s score of every cell of `name` against
    its true accuracy (ranks, as Spearman's rho compares them), the same for #params (the reference), and a search in proxy order against #params
    order and random search over `seeds` seeds (regret against simulated seconds)."""
    if proxy not in PROXIES:
        raise ValueError(f"unknown proxy {proxy!r}; choose one of: {', '.join(PROXIES)}")
    fig = Figure(figsize=(13, 4.2), layout="constrained")
    axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1, 1.4]})
    truth = 100 * _benchmark(name).truth().to_numpy()
    for ax, p in zip(axes, (proxy, "params")):
        score = proxy_scores(name, p).to_numpy()
        rank = 100 * (stats.rankdata(score) - 0.5) / len(score)      # percentile; -inf ranks lowest
        ax.scatter(rank, truth, s=6, alpha=0.5, color="tab:blue" if p == proxy else "grey")
        rho = stats.spearmanr(score, truth).statistic
        ax.set(xlabel=f"rank of the {p} score (percentile)", ylabel="mean final validation accuracy (%)",
               title=f"{p} on {name}: Spearman {rho:.2f}", xlim=(0, 100))
        ax.grid(alpha=0.3)
    plots.regret_curves(_small_race(name, proxy, seeds), x="total_cost", ax=axes[2])
    axes[2].set_title(f"searches, proxy cost charged ({seeds} seeds)", fontsize=10)
    axes[2].legend(fontsize=8, frameon=False)
    return fig
