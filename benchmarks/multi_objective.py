"""Hardware-aware NAS measured (issue 17, lesson 11): the latency predictor, and multi-objective
search against random search by hypervolume.

    python benchmarks/multi_objective.py [--seeds 100] [--benchmarks cell-mnist1d cell-digits]
                                         [--out /tmp/nastutor-multi-objective] [--part all|predictor|search]

Prints:
1. (`predictor`) the lookup-table latency predictor (`nastutor.hardware.LatencyTable`) against the
   benchmark's measured latencies over all its distinct cells, at batch 256 (`latency_ms`) and 1
   (`latency1_ms`): Spearman, mean absolute error, the seconds per cell of predicting and of
   measuring and their ratio; beside it, the Spearman of the best *additive* model fitted to the
   benchmark's own latencies by least squares (what any table that adds up operations could reach
   at most; the predictor is measured, not fitted). Timings depend on this machine and its load.
2. (`search`) the hypervolume of the (true validation accuracy, measured latency at batch 256) points
   that each search evaluated, as a share of the hypervolume of the whole benchmark, at budgets of
   100 and 300 evaluations over `--seeds` seeds: mean, 95% confidence interval (Student's t) and the
   one-sided rank-sum p-value of "larger than random search's" (and than random search without
   repeats'). Two reference points: the worst
   corner of the benchmark (lowest accuracy, highest latency: every cell counts) and the median
   accuracy with the highest latency (only cells better than a typical one count).
   Strategies: `pareto_evolution` and `optuna_nsga2` (registry defaults, given the benchmark's
   latency), random search, and two ablations: random search without repeats, and Pareto
   evolution with repeats (`unique=False`), which say how much of the gain is avoiding repeats.

Each run's result is appended to `--out`/runs.jsonl as it finishes: run the command again to resume.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from tqdm.auto import tqdm

import nastutor as nt
from nastutor.hardware import benchmark_latency, benchmark_objectives, predictor_report
from nastutor.pareto import hypervolume, hypervolume_trace
from nastutor.spaces.cell import EDGES, prune
from nastutor.strategies import RandomSearch, Strategy
from nastutor.strategies.multi_objective import OptunaNSGA2, ParetoEvolution

BUDGETS = (100, 300)
#: The reference points: name -> the quantile of the benchmark's accuracies it sits at (latency: the highest).
REFERENCES = {"worst corner": 0.0, "median accuracy": 0.5}


class RandomWithoutRepeats(RandomSearch):
    """Random search that never asks an architecture equivalent to one it asked before (an ablation:
    Pareto evolution avoids repeats too)."""

    def setup(self, space, seed=0, max_epochs=None):
        super().setup(space, seed, max_epochs)
        self._seen: set = set()

    def ask(self):
        for _ in range(1000):
            arch = self.space.sample(self.rng)
            if self.space.canonical(arch) not in self._seen:
                break
        self._seen.add(self.space.canonical(arch))
        return arch


def searches(latency) -> dict[str, Strategy]:
    return {"pareto_evolution": ParetoEvolution(latency=latency), "optuna_nsga2": OptunaNSGA2(latency=latency),
            "random": RandomSearch(), "random (no repeats)": RandomWithoutRepeats(),
            "pareto_evolution (repeats)": ParetoEvolution(unique=False, latency=latency)}


# -- part 1: the latency predictor ----------------------------------------------------------------

def additive_ceiling(bench: nt.Benchmark, column: str) -> float:
    """Spearman of the least-squares fit of the benchmark's latencies by counts of live operations
    and node sums (the same features the table adds up): the best an additive table could do."""
    rows = []
    for arch in bench.archs:
        live = prune(arch)
        row = [sum(op == name for op in live) for name in ("skip", "conv3", "avgpool3")]
        for node in (1, 2, 3):
            terms = sum(live[e] != "none" for e, (_, j) in enumerate(EDGES) if j == node)
            row += [terms == k for k in range(4)]
        rows.append(row + [1])
    x, y = np.array(rows, dtype=float), getattr(bench, column)
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    return float(stats.spearmanr(x @ coef, y).statistic)


def predictor_part(names: list[str]) -> None:
    print("1. The lookup-table latency predictor against the benchmark's measured latencies (all distinct cells)")
    frames = []
    for name in names:
        bench = nt.Benchmark.load(name)
        report = predictor_report(bench, progress=False)
        report.insert(0, "benchmark", name)
        report["additive_ceiling"] = [additive_ceiling(bench, column) for column in report.index]
        frames.append(report.reset_index())
    table = pd.concat(frames, ignore_index=True)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print()


# -- part 2: multi-objective search by hypervolume ----------------------------------------------------

def run_one(evaluator: nt.TabularEvaluator, strategy: Strategy, seed: int,
            references: dict[str, tuple[float, float]], full: dict[str, float]) -> dict[str, float]:
    history = nt.run_search(strategy, evaluator, max(BUDGETS), seed=seed, progress=False)
    points = benchmark_objectives(evaluator.benchmark, [e.arch for e in history])
    out = {}
    for ref_name, ref in references.items():
        trace = hypervolume_trace(points, ref) / full[ref_name]
        for budget in BUDGETS:
            out[f"{ref_name}@{budget}"] = float(trace[min(budget, len(trace)) - 1])
    return out


def search_part(names: list[str], seeds: list[int], out: Path) -> pd.DataFrame:
    log = out / "runs.jsonl"
    done = {}
    if log.exists():
        for line in log.read_text().splitlines():
            record = json.loads(line)
            done[(record["benchmark"], record["strategy"], record["seed"])] = record
    for name in names:
        evaluator = nt.TabularEvaluator(name)
        bench = evaluator.benchmark
        everything = benchmark_objectives(bench)
        references = {r: (float(np.quantile(everything[:, 0], q)), float(everything[:, 1].max()))
                      for r, q in REFERENCES.items()}
        full = {r: hypervolume(everything, ref) for r, ref in references.items()}
        todo = [(s, seed) for s in searches(None) for seed in seeds if (name, s, seed) not in done]
        strategies = searches(benchmark_latency(bench))
        with tqdm(total=len(todo), desc=f"{name} searches", unit="run") as bar, log.open("a") as sink:
            for strategy_name, seed in todo:
                start = time.perf_counter()
                result = run_one(evaluator, strategies[strategy_name], seed, references, full)
                record = {"benchmark": name, "strategy": strategy_name, "seed": seed, **result,
                          "seconds": round(time.perf_counter() - start, 3)}
                sink.write(json.dumps(record) + "\n")
                sink.flush()
                done[(name, strategy_name, seed)] = record
                bar.update(1)
    return pd.DataFrame([r for r in done.values() if r["benchmark"] in names and r["seed"] in seeds])


def summary(runs: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (name, strategy), group in runs.groupby(["benchmark", "strategy"], sort=False):
        base = runs[(runs["benchmark"] == name) & (runs["strategy"] == "random")]
        unique = runs[(runs["benchmark"] == name) & (runs["strategy"] == "random (no repeats)")]
        for ref_name in REFERENCES:
            for budget in BUDGETS:
                key = f"{ref_name}@{budget}"
                values = group.sort_values("seed")[key].to_numpy()
                half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
                p = (np.nan if strategy == "random"
                     else stats.mannwhitneyu(values, base[key], alternative="greater").pvalue)
                p_unique = (np.nan if strategy.startswith("random")
                            else stats.mannwhitneyu(values, unique[key], alternative="greater").pvalue)
                rows.append({"benchmark": name, "reference": ref_name, "budget": budget, "strategy": strategy,
                             "hypervolume": values.mean(), "ci95": half, "p_vs_random": p,
                             "p_vs_no_repeats": p_unique, "runs": len(values),
                             "seconds_per_run": group["seconds"].mean()})
    return pd.DataFrame(rows).sort_values(["benchmark", "reference", "budget"], kind="stable")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--benchmarks", nargs="+", default=["cell-mnist1d", "cell-digits"])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "nastutor-multi-objective")
    parser.add_argument("--part", choices=("all", "predictor", "search"), default="all")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.part in ("all", "predictor"):
        predictor_part(args.benchmarks)
    if args.part in ("all", "search"):
        runs = search_part(args.benchmarks, list(range(args.seeds)), args.out)
        print(f"2. Hypervolume (share of the whole benchmark's) of the evaluated (true validation accuracy, "
              f"latency at batch 256) points, {args.seeds} seeds; p: one-sided rank-sum against random search "
              "(and against random search without repeats)")
        with pd.option_context("display.width", 200, "display.max_rows", 200):
            print(summary(runs).to_string(index=False, float_format=lambda v: f"{v:.4g}"))


if __name__ == "__main__":
    main()
