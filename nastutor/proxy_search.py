"""Proxy-guided search: two ways to spend a zero-cost proxy inside a search. Taught in lesson 10.

A proxy scores every distinct cell in milliseconds (`nastutor.proxies.proxy_scores`); a search
still has to *train* cells to know how good they are. Two ways to let the proxy decide which:

- `ProxyOrder`: train the cells in descending proxy order (ties in random order), the simplest
  use (Abdelfattah et al. 2021 call it "warmup" by ranking);
- `ProxyEvolution`: regularized evolution whose initial population is drawn from the proxy's top
  cells, and whose mutations are screened by the proxy (of `candidates` mutants of the tournament
  winner, the one the proxy likes best is trained), as Abdelfattah et al. (2021) and White et al.
  (2021, BANANAS) use a cheap score inside evolution.

Both score every distinct cell once, so a fair comparison charges the proxy's seconds for the
whole table up front: `proxy_cost` gives them and `charge` adds them to a `compare` frame.

    >>> from nastutor import TabularEvaluator
    >>> from nastutor.compare import compare
    >>> from nastutor.proxies import proxy_scores
    >>> runs = compare({"naswot order": ProxyOrder(proxy_scores("cell-mnist1d", "naswot"))},
    ...                TabularEvaluator("cell-mnist1d"), budget=5, seeds=range(2))
    >>> charged = charge(runs, proxy_cost("cell-mnist1d", "naswot"))
    >>> bool((charged["total_cost"] > runs["total_cost"]).all())
    True
"""
from __future__ import annotations

import os

import numpy as np
import pandas as pd
from scipy import stats
from tqdm.auto import tqdm

from .checks import InputError, check_int, check_number
from .benchmark import Benchmark
from .proxies import PROXIES, get_proxy, load_proxy_table
from .spaces import Arch, SearchSpace
from .strategies import RegularizedEvolution, SearchExhausted, Strategy

__all__ = ["ProxyOrder", "ProxyEvolution", "proxy_cost", "charge", "rank_report", "predictor_tau"]


def _check_scores(scores: object) -> pd.Series:
    if not isinstance(scores, pd.Series) or scores.empty or not all(isinstance(i, str) for i in scores.index):
        raise InputError("scores must be a pandas Series of proxy scores indexed by cell strings, "
                         "such as proxy_scores('cell-mnist1d', 'synflow')")
    values = scores.to_numpy(float)
    if np.isnan(values).any():
        raise InputError("scores hold NaN: a proxy score of NaN cannot be ranked")
    return scores


class _Scored:
    """The proxy score of any cell of the space, looked up by its canonical form."""

    def _look_up(self, space: SearchSpace) -> None:
        self._cells = [space.parse(s) for s in self.scores.index]
        self._value = dict(zip(self._cells, self.scores.to_numpy(float)))
        missing = next((a for a in self._cells if space.canonical(a) != a), None)
        if missing is not None:
            raise InputError(f"the scores must be indexed by canonical cells (a benchmark's cells); "
                             f"{space.to_string(missing)} is not one")

    def score_of(self, arch: Arch) -> float:
        """The proxy's score of `arch` (of the cell it computes the same function as)."""
        return float(self._value[self.space.canonical(arch)])

    def _ranked(self) -> list[Arch]:
        """The scored cells, best first, ties in random order (from the search's seed)."""
        values = self.scores.to_numpy(float)
        order = np.lexsort((self.rng.random(len(values)), -values))
        return [self._cells[i] for i in order]


class ProxyOrder(_Scored, Strategy):
    """Ask the scored cells in descending proxy order, each once (ties in random order); raises
    `SearchExhausted` when all are asked. With `#params` as the proxy, it is the trivial
    baseline "train the biggest cells first". Taught in lesson 10.

    >>> from nastutor.spaces import CellSpace
    >>> from nastutor.proxies import proxy_scores
    >>> s = ProxyOrder(proxy_scores("cell-mnist1d", "params"))
    >>> s.setup(CellSpace(), seed=0)
    >>> a, b = s.ask(), s.ask()
    >>> s.score_of(a) >= s.score_of(b)
    True
    """

    def __init__(self, scores: pd.Series):
        self.scores = _check_scores(scores)

    def setup(self, space: SearchSpace, seed: int = 0, max_epochs: int | None = None) -> None:
        super().setup(space, seed, max_epochs)
        self._look_up(space)
        self._queue = iter(self._ranked())

    def ask(self) -> Arch:
        self._check_setup()
        try:
            return next(self._queue)
        except StopIteration:
            raise SearchExhausted("every scored cell was asked") from None

    def __repr__(self) -> str:
        return f"ProxyOrder({self.scores.name!r})"


class ProxyEvolution(_Scored, RegularizedEvolution):
    """Regularized evolution guided by a proxy: the initial population is drawn at random from
    the proxy's best `top_share` of the cells (instead of the whole space), and each child is
    the best, by the proxy, of `candidates` mutants of the tournament winner. With
    `top_share=1` and `candidates=1` it is plain regularized evolution. Taught in lesson 10.

    >>> from nastutor.spaces import CellSpace
    >>> from nastutor.proxies import proxy_scores
    >>> scores = proxy_scores("cell-mnist1d", "naswot")
    >>> s = ProxyEvolution(scores, top_share=0.05)
    >>> s.setup(CellSpace(), seed=0)
    >>> bool(s.score_of(s.ask()) >= scores.quantile(0.95) - 1e-9)
    True
    """

    def __init__(self, scores: pd.Series, population_size: int = 10, sample_size: int = 3,
                 top_share: float = 0.1, candidates: int = 5):
        super().__init__(population_size, sample_size)
        self.scores = _check_scores(scores)
        self.top_share = check_number(top_share, "top_share", minimum=0, maximum=1)
        if self.top_share == 0:
            raise InputError("top_share must be above 0: the share of the best cells to start from")
        self.candidates = check_int(candidates, "candidates", minimum=1)

    def setup(self, space: SearchSpace, seed: int = 0, max_epochs: int | None = None) -> None:
        super().setup(space, seed, max_epochs)
        self._look_up(space)
        ranked = self._ranked()
        top = ranked[:max(self.population_size, int(np.ceil(self.top_share * len(ranked))))]
        picks = self.rng.permutation(len(top))
        self._starts = [top[i] for i in picks]

    def ask(self) -> Arch:
        self._check_setup()
        if self._asked < self.population_size or not self.population:
            self._asked += 1
            return self._starts[(self._asked - 1) % len(self._starts)]
        self._asked += 1
        parent = self.tournament()
        mutants = [self.space.mutate(parent, self.rng) for _ in range(self.candidates)]
        return max(mutants, key=self.score_of)

    def __repr__(self) -> str:
        return (f"ProxyEvolution({self.scores.name!r}, population_size={self.population_size}, "
                f"sample_size={self.sample_size}, top_share={self.top_share}, candidates={self.candidates})")


def proxy_cost(name: str, proxy: str, init_seed: int = 0, minibatch: int = 0,
               folder: str | os.PathLike | None = None) -> float:
    """The seconds the proxy `proxy` took to score every distinct cell of benchmark `name` (at
    `init_seed`, `minibatch`), from the shipped side table: what a search that ranks all the
    cells first must pay. Taught in lesson 10.

    >>> proxy_cost("cell-mnist1d", "naswot") > proxy_cost("cell-mnist1d", "params") > 0
    True
    """
    get_proxy(proxy)
    table = load_proxy_table(name, folder)
    rows = table[(table["init_seed"] == init_seed) & (table["minibatch"] == minibatch)]
    if rows.empty:
        raise InputError(f"the proxy table of {name} has no scores at init_seed={init_seed}, minibatch={minibatch}")
    return float(rows[f"{proxy}_seconds"].sum())


def charge(runs: pd.DataFrame, seconds: float) -> pd.DataFrame:
    """A copy of a `compare` frame whose simulated clock starts `seconds` later: the time spent
    scoring the cells before the first training. Taught in lesson 10."""
    if not isinstance(runs, pd.DataFrame) or "total_cost" not in runs.columns:
        raise InputError("runs must be a DataFrame from compare(), with a total_cost column")
    seconds = check_number(seconds, "seconds", minimum=0)
    return runs.assign(total_cost=runs["total_cost"] + seconds)


def _rowwise_spearman(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Spearman's rho of each row of `a` with the same row of `b` (average ranks for ties)."""
    ra, rb = stats.rankdata(a, axis=1), stats.rankdata(b, axis=1)
    ra, rb = ra - ra.mean(axis=1, keepdims=True), rb - rb.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (ra * rb).sum(axis=1) / np.sqrt((ra ** 2).sum(axis=1) * (rb ** 2).sum(axis=1))


def rank_report(name: str, boot: int = 1000, confidence: float = 0.95, seed: int = 0,
                folder: str | os.PathLike | None = None) -> pd.DataFrame:
    """One row per proxy of benchmark `name`: Spearman's rho with the mean final validation
    accuracy over all distinct cells, with a bootstrap `confidence` interval (`boot` resamples of
    the cells), Kendall's tau, the top-10% hit rate (the share of the proxy's top 10% that is in
    the truth's top 10%), the proxy's Spearman with itself across initialisation seeds (0 vs 1)
    and minibatches (0 vs 1), and its mean milliseconds per cell. Taught in lesson 10.

    >>> report = rank_report("cell-digits", boot=50)
    >>> bool(report.set_index("proxy").loc["params", "rho_init"] == 1.0)      # #params needs no seed
    True
    """
    boot = check_int(boot, "boot", minimum=10)
    confidence = check_number(confidence, "confidence", minimum=0.5, maximum=0.999)
    truth = Benchmark.load(name, folder).truth().to_numpy()
    table = load_proxy_table(name, folder)

    def variant(init_seed: int, minibatch: int) -> pd.DataFrame:
        return table[(table["init_seed"] == init_seed) & (table["minibatch"] == minibatch)]

    first, init1, batch1 = variant(0, 0), variant(1, 0), variant(0, 1)
    draws = np.random.default_rng(seed).integers(0, len(truth), (boot, len(truth)))
    top = truth >= np.quantile(truth, 0.9)
    tail = 100 * (1 - confidence) / 2
    rows = []
    for p in PROXIES:
        score = first[p].to_numpy(float)
        low, high = np.nanpercentile(_rowwise_spearman(score[draws], truth[draws]), [tail, 100 - tail])
        picked = score >= np.quantile(score, 0.9)
        rows.append({"proxy": p, "spearman": stats.spearmanr(score, truth).statistic, "ci_low": low, "ci_high": high,
                     "kendall": stats.kendalltau(score, truth).statistic,
                     "top10_hit": (picked & top).sum() / picked.sum(),
                     "rho_init": stats.spearmanr(score, init1[p].to_numpy(float)).statistic,
                     "rho_batch": stats.spearmanr(score, batch1[p].to_numpy(float)).statistic,
                     "ms_per_cell": 1000 * first[f"{p}_seconds"].mean()})
    return pd.DataFrame(rows)


def predictor_tau(name: str, sizes=(10, 20, 50, 100, 200, 300), repeats: int = 8, proxies=(),
                  progress: bool = True, folder: str | os.PathLike | None = None) -> np.ndarray:
    """Kendall's tau between a learned predictor's predictions and the truth on the held-out
    cells of benchmark `name`, for each number of training cells in `sizes` (columns) and each
    of `repeats` random splits (rows). The predictor is a random forest (scikit-learn) from a
    cell's one-hot encoding, plus the rank (scaled to [0, 1]) of each proxy in `proxies`, to one
    seed's final validation accuracy (one training run per training cell, its seed drawn at
    random). Taught in lesson 10.

    >>> tau = predictor_tau("cell-mnist1d", sizes=(20, 200), repeats=2, progress=False)
    >>> tau.shape, bool(tau[:, 1].mean() > tau[:, 0].mean())
    ((2, 2), True)
    """
    from sklearn.ensemble import RandomForestRegressor

    sizes = [check_int(n, "a training size", minimum=2) for n in sizes]
    repeats = check_int(repeats, "repeats", minimum=1)
    bench = Benchmark.load(name, folder)
    if max(sizes) >= len(bench):
        raise InputError(f"training sizes must leave cells to test on: below {len(bench)}, got {max(sizes)}")
    truth = bench.truth().to_numpy()
    X = np.array([bench.space.encode(a) for a in bench.archs])
    for p in proxies:
        get_proxy(p)
    if proxies:
        table = load_proxy_table(name, folder)
        first = table[(table["init_seed"] == 0) & (table["minibatch"] == 0)]
        X = np.hstack([X, np.column_stack([stats.rankdata(first[p]) / len(bench) for p in proxies])])
    tau = np.zeros((repeats, len(sizes)))
    with tqdm(total=repeats * len(sizes), disable=not progress, desc=f"random forests on {name}") as bar:
        for r in range(repeats):
            rng = np.random.default_rng(r)
            order = rng.permutation(len(bench))
            observed = bench.val[np.arange(len(bench)), rng.integers(0, len(bench.seeds), len(bench)), -1]
            for k, n in enumerate(sizes):
                train, test = order[:n], order[n:]
                forest = RandomForestRegressor(n_estimators=100, min_samples_leaf=2, random_state=r)
                forest.fit(X[train], observed[train])
                tau[r, k] = stats.kendalltau(forest.predict(X[test]), truth[test]).statistic
                bar.update()
    return tau
