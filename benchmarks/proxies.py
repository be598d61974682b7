"""Zero-cost proxies against the ground truth of the cell benchmarks (issue 16, lesson 10).

    python benchmarks/proxies.py [--seeds 100] [--boot 1000] [--benchmarks cell-mnist1d cell-digits]

Prints, per cell benchmark, from the shipped side tables (`nastutor.proxies.load_proxy_table`):

1. each proxy's Spearman rho with the mean final validation accuracy over all distinct cells,
   with a 95% bootstrap interval (cells resampled), Kendall's tau, the top-10% hit rate (the
   share of the proxy's top 10% that are in the truth's top 10%), the Spearman of the proxy
   with itself across initialisation seeds (0 vs 1) and minibatches (0 vs 1), and its mean cost
   per cell in milliseconds (and its speed-up over training a cell);
2. proxy-guided search, "proxy order": score every distinct cell with the proxy (paying its
   seconds), then train cells in descending proxy order (ties in random order; each training a
   lookup of one random seed, paying its recorded seconds): the median simulated seconds until
   the incumbent (best validation accuracy seen) is within 0.5 pp of the optimum, over `--seeds`
   runs (a run that never gets there counts as infinitely long; "never" counts them), as a ratio
   to random search and regularized evolution (run by `nastutor.compare` with a budget of the
   time it takes to train every cell once).
   The "params" row is the trivial baseline: training cells in descending #params order.
3. the second way, "proxy evolution" (`nastutor.proxy_search.ProxyEvolution`: regularized
   evolution started from the proxy's top cells, each child the proxy's favourite of five
   mutants), for the proxies given by `--evolution-proxies`, charged the proxy's cost of scoring
   every cell (`proxy_search.charge`), on the same budget and seeds as random search.
"""
from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from scipy import stats

import nastutor as nt
from nastutor.compare import compare, time_to_target
from nastutor.proxies import PROXIES, load_proxy_table, proxy_scores
from nastutor.proxy_search import ProxyEvolution, charge, proxy_cost

BENCHMARKS = ("cell-mnist1d", "cell-digits")
TARGET = 0.005


def variant(table: pd.DataFrame, init_seed: int, minibatch: int) -> pd.DataFrame:
    return table[(table["init_seed"] == init_seed) & (table["minibatch"] == minibatch)].reset_index(drop=True)


def correlations(bench: nt.Benchmark, table: pd.DataFrame, boot: int) -> pd.DataFrame:
    truth = bench.truth().to_numpy()
    first, init1, batch1 = variant(table, 0, 0), variant(table, 1, 0), variant(table, 0, 1)
    rng = np.random.default_rng(0)
    draws = [rng.integers(0, len(truth), len(truth)) for _ in range(boot)]
    top = truth >= np.quantile(truth, 0.9)
    train_ms = 1000 * bench.cumulative_seconds[:, :, -1].mean()
    rows = []
    for p in PROXIES:
        score = first[p].to_numpy(float)
        rho = stats.spearmanr(score, truth).statistic
        boots = [stats.spearmanr(score[d], truth[d]).statistic for d in draws]
        lo, hi = np.nanpercentile(boots, [2.5, 97.5])
        picked = score >= np.quantile(score, 0.9)
        ms = 1000 * first[f"{p}_seconds"].mean()
        rows.append({"proxy": p, "spearman": rho, "ci_low": lo, "ci_high": hi,
                     "kendall": stats.kendalltau(score, truth).statistic,
                     "top10_hit": (picked & top).sum() / picked.sum(),
                     "rho_init": stats.spearmanr(score, init1[p].to_numpy(float)).statistic,
                     "rho_batch": stats.spearmanr(score, batch1[p].to_numpy(float)).statistic,
                     "ms_per_cell": ms, "x_cheaper_than_training": train_ms / ms})
    return pd.DataFrame(rows)


def proxy_order_times(bench: nt.Benchmark, table: pd.DataFrame, proxy: str, seeds: int,
                      target: float = TARGET) -> np.ndarray:
    """Simulated seconds of "score every cell, then train in proxy order" until within `target`."""
    first = variant(table, 0, 0)
    score, cost = first[proxy].to_numpy(float), first[f"{proxy}_seconds"].sum()
    final = bench.val[:, :, -1]
    truth = final.mean(axis=1)
    regret = truth.max() - truth
    times = []
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        order = np.lexsort((rng.random(len(score)), -score))          # descending score, ties at random
        s = rng.integers(0, len(bench.seeds), len(order))
        observed = final[order, s]
        spent = cost + np.cumsum(bench.cumulative_seconds[order, s, -1])
        best, incumbent = 0, np.empty(len(order), dtype=int)
        for k in range(len(order)):                                   # the best validation accuracy seen
            best = k if observed[k] > observed[best] else best
            incumbent[k] = order[best]
        hit = np.nonzero(regret[incumbent] <= target)[0]
        times.append(spent[hit[0]] if len(hit) else np.nan)
    return np.array(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--boot", type=int, default=1000)
    parser.add_argument("--target", type=float, default=TARGET, help="regret target (default 0.005, 0.5 pp)")
    parser.add_argument("--benchmarks", nargs="+", default=list(BENCHMARKS), choices=BENCHMARKS)
    parser.add_argument("--evolution-proxies", nargs="*", default=["params", "synflow", "naswot"], choices=list(PROXIES),
                        help="proxies whose guided evolution also runs (default: params synflow naswot)")
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    for name in args.benchmarks:
        bench, table = nt.Benchmark.load(name), load_proxy_table(name)
        print(f"\n== {name}: {len(bench)} distinct cells; mean training {bench.cumulative_seconds[:, :, -1].mean():.2f} s "
              "per cell ==")
        print(correlations(bench, table, args.boot).round(3).to_string(index=False))
        ev = nt.TabularEvaluator(bench)
        budget = float(bench.cumulative_seconds[:, :, -1].mean(axis=1).sum())
        runs = compare({"random": nt.RandomSearch(), "evolution": nt.RegularizedEvolution()}, ev, budget=None,
                       seconds=budget, seeds=range(args.seeds))
        guided = [charge(compare({f"{p} evolution": ProxyEvolution(proxy_scores(name, p))}, ev, budget=None,
                                 seconds=budget, seeds=range(args.seeds)), proxy_cost(name, p))
                  for p in args.evolution_proxies]
        runs = pd.concat([runs, *guided], ignore_index=True)
        hits = time_to_target(runs, args.target)
        times = {s: hits.loc[hits["strategy"] == s, "seconds"].to_numpy() for s in ("random", "evolution")}
        times.update({f"{p} order": proxy_order_times(bench, table, p, args.seeds, args.target) for p in PROXIES})
        times.update({f"{p} evolution": hits.loc[hits["strategy"] == f"{p} evolution", "seconds"].to_numpy()
                      for p in args.evolution_proxies})
        out = pd.DataFrame([{"search": s, "median_seconds": float(np.median(np.nan_to_num(t, nan=np.inf))),
                             "never": int(np.isnan(t).sum())} for s, t in times.items()])
        out["x_faster_than_random"] = out.loc[0, "median_seconds"] / out["median_seconds"]
        out["x_faster_than_evolution"] = out.loc[1, "median_seconds"] / out["median_seconds"]
        print(f"\nmedian simulated seconds to within {100 * args.target:.1f} pp of the optimum ({args.seeds} seeds, "
              "proxy cost included):")
        print(out.round(2).to_string(index=False))


if __name__ == "__main__":
    main()
