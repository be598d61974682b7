"""Exercises of lesson 11 (hardware-aware NAS): Pareto dominance between two (accuracy, latency)
points, the hypervolume of a set of points in two objectives, and the cell MnasNet's reward picks
for a target latency; three "predict, then run" questions (does the parameter count rank cells by
latency as well at batch 1 as at batch 256, how many cells the Pareto front keeps, and whether
Pareto evolution beats random search by hypervolume at equal simulated seconds), answered from the
shipped benchmark.

    >>> from nastutor.exercises.lesson11 import *     # doctest: +SKIP
"""
from __future__ import annotations


import numpy as np
import pandas as pd
from scipy import stats
from tqdm.auto import tqdm

from ..hardware import benchmark_latency, benchmark_objectives
from ..pareto import dominates as _dominates, hypervolume as _hypervolume, hypervolume_trace, pareto_front
from ..search import run_search
from ..strategies import RandomSearch
from ..strategies.multi_objective import OptunaNSGA2, ParetoEvolution, mnasnet_reward
from ._checking import ____, Exercise, Incorrect, Question, number, same
from ._checking import must_be_function as _callable, returned as _returned
from ._code import forbid as _forbid
from ._shared import benchmark as _benchmark, evaluator as _evaluator

__all__ = ["____", "q1", "q2", "q3", "p1", "p2", "p3", "objectives", "reference", "hypervolume_runs",
           "hypervolume_table", "SEEDS", "SECONDS", "STRATEGIES"]

#: The lesson's protocol for the searches: seeds, and the budgets in simulated seconds.
SEEDS = range(100)
SECONDS = (200, 600)
#: The simulated seconds at which the hypervolume curves are read.
GRID = tuple(range(20, max(SECONDS) + 1, 20))


def objectives(name: str = "cell-mnist1d") -> np.ndarray:
    """Every distinct cell's (true validation accuracy, latency in ms at batch 256)."""
    return benchmark_objectives(_benchmark(name))


def reference(name: str = "cell-mnist1d") -> tuple[float, float]:
    """The lesson's reference point: the median accuracy and the highest latency of the benchmark
    (only cells more accurate than a typical one add area)."""
    points = objectives(name)
    return float(np.median(points[:, 0])), float(points[:, 1].max())


# -- q1: dominance ------------------------------------------------------------------------------

def dominates(a, b):
    """True when (accuracy, latency) `a` is at least as good as `b` on both objectives (accuracy
    higher or equal, latency lower or equal) and strictly better on at least one."""
    at_least = a[0] >= b[0] and a[1] <= b[1]
    strictly = a[0] > b[0] or a[1] < b[1]
    return bool(at_least and strictly)


def _dominance_cases() -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Pairs of points: hand-picked ties and trade-offs, then pairs drawn from the benchmark."""
    cases = [((0.9, 2.0), (0.8, 3.0)), ((0.8, 3.0), (0.9, 2.0)), ((0.9, 2.0), (0.9, 2.0)),
             ((0.9, 2.0), (0.9, 3.0)), ((0.9, 3.0), (0.9, 2.0)), ((0.9, 2.0), (0.8, 2.0)),
             ((0.8, 2.0), (0.9, 2.0)), ((0.9, 3.0), (0.8, 2.0)), ((0.8, 2.0), (0.9, 3.0))]
    points = objectives()
    rng = np.random.default_rng(11)
    for i, j in rng.integers(len(points), size=(300, 2)):
        cases.append((tuple(points[i].tolist()), tuple(points[j].tolist())))
    return cases


def _check_dominates(learner) -> None:
    _callable(learner, "dominates")
    _forbid(learner, {"dominates": "the package's own dominance test", "pareto_front": "the package's front",
                      "nondominated_rank": "the package's sorting"}, "compare the two points")
    for a, b in _dominance_cases():
        got = _returned(learner(a, b), "`dominates`")
        if not isinstance(got, (bool, np.bool_)):
            raise Incorrect(f"return True or False, got {type(got).__name__}")
        want = _dominates(a, b)
        if bool(got) == want:
            continue
        if a == b:
            raise Incorrect(f"your function says {a} dominates itself: equal points do not dominate each other "
                            "(a must be strictly better on at least one objective)")
        if want:
            raise Incorrect(f"{a} dominates {b} (at least as accurate, at least as fast, better on one), "
                            "but your function says it does not")
        raise Incorrect(f"your function says {a} dominates {b}, but it does not: accuracy is better higher, "
                        "latency better lower, and a must be at least as good on both")


q1 = Exercise(
    "q1", var="dominates", checker=_check_dominates, reference=lambda: dominates,
    hint="""
A point is a pair (accuracy, latency): accuracy is better when higher, latency when lower.

`a` dominates `b` when two things hold: `a` is at least as good on both objectives
(`a[0] >= b[0]` and `a[1] <= b[1]`), and strictly better on at least one of them.

`return (a[0] >= b[0] and a[1] <= b[1]) and (a[0] > b[0] or a[1] < b[1])`.
""")


# -- q2: the hypervolume in two objectives ----------------------------------------------------------

def hypervolume_2d(points, reference):
    """The area dominated by `points` (rows of (accuracy, latency)) and bounded by `reference`
    (accuracy, latency): sweep the points from the fastest, adding each step of the staircase."""
    acc_ref, lat_ref = reference
    area, best = 0.0, acc_ref
    inside = sorted((lat, acc) for acc, lat in points if acc > acc_ref and lat < lat_ref)
    for k, (lat, acc) in enumerate(inside):
        if acc > best:                          # raises the staircase from here to the next faster point
            best = acc
        right = inside[k + 1][0] if k + 1 < len(inside) else lat_ref
        area += (right - lat) * (best - acc_ref)
    return area


def _grid_area(points: np.ndarray, ref: tuple[float, float], n: int = 800) -> float:
    """An independent oracle: the share of an n x n grid of cell centres dominated by some point,
    times the box's area."""
    acc = np.linspace(ref[0], points[:, 0].max(), n + 1)
    lat = np.linspace(points[:, 1].min(), ref[1], n + 1)
    a, l_ = (acc[:-1] + acc[1:]) / 2, (lat[:-1] + lat[1:]) / 2
    covered = np.zeros((n, n), dtype=bool)
    for p_acc, p_lat in points:
        covered |= (a[:, None] <= p_acc) & (l_[None, :] >= p_lat)
    return float(covered.mean() * (acc[-1] - acc[0]) * (lat[-1] - lat[0]))


def _hypervolume_cases() -> list[tuple[np.ndarray, tuple[float, float]]]:
    """(points, reference) cases: the module's doctest, a dominated point, points outside the box,
    equal points, and random cells of the benchmark with the lesson's reference point."""
    cases = [(np.array([(0.90, 2.0), (0.95, 3.0), (0.85, 2.5), (0.95, 4.0)]), (0.80, 5.0)),
             (np.array([(0.9, 1.0), (0.7, 1.5)]), (0.5, 3.0)),
             (np.array([(0.9, 1.0), (0.4, 0.5), (0.95, 3.5), (0.9, 1.0)]), (0.5, 3.0)),
             (np.array([(0.6, 2.0)]), (0.5, 3.0))]
    points, rng = objectives(), np.random.default_rng(111)
    for size in (5, 20, 60):
        cases.append((points[rng.choice(len(points), size, replace=False)], reference()))
    return cases


def _check_hypervolume(learner) -> None:
    _callable(learner, "hypervolume_2d")
    _forbid(learner, {"hypervolume": "the package's own hypervolume", "hypervolume_trace": "the package's trace"},
            "add up the area")
    for k, (points, ref) in enumerate(_hypervolume_cases()):
        got = _returned(learner(points.copy(), ref), "`hypervolume_2d`")
        got = number(got, "your hypervolume")
        want = _hypervolume(points, ref)
        what = f"for {len(points)} points and the reference {tuple(round(r, 4) for r in ref)}"
        if got < 0:
            raise Incorrect(f"{what}, your hypervolume is negative: it is an area")
        if k == 1 and abs(got - 0.8) > 1e-9 and abs(got - 1.4) < 1e-6:
            raise Incorrect(f"{what}, you added the dominated point's rectangle too: the rectangles overlap, "
                            "and the area of their union counts once")
        same(got, want, what=f"{what}, your hypervolume")
        if len(points) >= 20:                   # the oracle: count the grid cells the points dominate
            grid = _grid_area(points[(points[:, 0] > ref[0]) & (points[:, 1] < ref[1])], ref)
            if abs(got - grid) > 0.02 * grid + 1e-9:   # pragma: no cover (an independent check)
                raise Incorrect(f"{what}, your hypervolume disagrees with a count of the dominated cells of a grid")


q2 = Exercise(
    "q2", var="hypervolume_2d", checker=_check_hypervolume, reference=lambda: hypervolume_2d,
    hint="""
Keep only the points inside the box (more accurate than the reference, faster than it), and sort
them by latency, fastest first. The dominated region is a staircase: the union of the rectangles
from each point to the reference point; they overlap, so do not add them up.

Sweep from the fastest point: between a point's latency and the next point's (or the reference
latency, after the last point), the staircase's height is the best accuracy seen so far minus the
reference accuracy. Add height × width for each step.

`acc_ref, lat_ref = reference`; `area, best = 0.0, acc_ref`;
`inside = sorted((lat, acc) for acc, lat in points if acc > acc_ref and lat < lat_ref)`; then
`for k, (lat, acc) in enumerate(inside): best = max(best, acc); right = inside[k + 1][0] if k + 1 < len(inside) else lat_ref; area += (right - lat) * (best - acc_ref)`,
and `return area`.
""")


# -- q3: which cell MnasNet's reward picks ----------------------------------------------------------

def mnasnet_pick(accuracy, latency, target, w=-0.07, hard=False):
    """The index of the cell with the largest MnasNet reward ACC * (LAT / T)^w; with `hard`, the
    exponent is 0 at or under the target and -1 above it."""
    accuracy, latency = np.asarray(accuracy, dtype=float), np.asarray(latency, dtype=float)
    exponent = np.where(latency <= target, 0.0, -1.0) if hard else w
    return int(np.argmax(accuracy * (latency / target) ** exponent))


def _pick_cases() -> list[tuple[float, float, bool]]:
    """(target, w, hard) across the benchmark's latencies: soft with several exponents, and hard."""
    lat = objectives()[:, 1]
    targets = np.quantile(lat, [0.02, 0.1, 0.25, 0.5, 0.75, 0.95])
    # just under a front cell's latency, the hard penalty may still let that cell win from above T
    front = np.sort(lat[pareto_front(objectives())])
    edges = 0.98 * front[np.linspace(1, len(front) - 1, 6).astype(int)]
    return ([(float(t), w, False) for w in (-0.07, -0.3, -1.0, -0.02) for t in targets]
            + [(float(t), -0.07, True) for t in (*targets, *edges)])


def _check_pick(learner) -> None:
    _callable(learner, "mnasnet_pick")
    _forbid(learner, {"mnasnet_reward": "the package's own reward", "MnasNet": "the package's strategy"},
            "compute the reward")
    points = objectives()
    acc, lat = points[:, 0], points[:, 1]
    for target, w, hard in _pick_cases():
        got = _returned(learner(acc.copy(), lat.copy(), target, w, hard), "`mnasnet_pick`")
        if isinstance(got, (float, np.floating)) and not float(got).is_integer():
            raise Incorrect("return the index of the winning cell (an int), not its reward")
        rewards = mnasnet_reward(acc, lat, target, w, hard)
        i = int(number(got, "the index your function returned"))
        if not 0 <= i < len(acc):
            raise Incorrect(f"your function returned {i}, not an index of the {len(acc)} cells")
        what = f"for T = {target:.3f} ms, " + ("the hard constraint" if hard else f"w = {w}")
        if rewards[i] < rewards.max() - 1e-12:
            if i == int(np.argmax(acc)):
                raise Incorrect(f"{what}, you picked the most accurate cell: the reward discounts a slow cell, "
                                "ACC · (LAT / T)^w")
            if hard and lat[i] <= target and lat[int(np.argmax(rewards))] > target:
                raise Incorrect(f"{what}, a cell just above T has a larger reward than your pick: the hard "
                                "constraint is not a filter, above T the accuracy is multiplied by T / LAT")
            if hard:
                raise Incorrect(f"{what}, your pick is wrong: with hard=True the exponent is 0 for cells at or "
                                "under T and -1 for cells above it (one exponent per cell)")
            raise Incorrect(f"{what}, the cell you picked does not have the largest reward ACC · (LAT / T)^w")


q3 = Exercise(
    "q3", var="mnasnet_pick", checker=_check_pick, reference=lambda: mnasnet_pick,
    hint="""
Compute every cell's reward at once with NumPy arrays: `accuracy * (latency / target) ** w`, and
return the position of the largest reward (`np.argmax`), not the reward.

With `hard=True` each cell has its own exponent: 0 when its latency is at or under the target,
-1 above it. `np.where(latency <= target, 0.0, -1.0)` gives them all at once.

`exponent = np.where(latency <= target, 0.0, -1.0) if hard else w`, then
`return int(np.argmax(accuracy * (latency / target) ** exponent))`.
""")


# -- p1: do parameters rank latency at batch 1? ------------------------------------------------------

def proxy_spearman(name: str = "cell-mnist1d") -> pd.DataFrame:
    """Spearman of the parameter count and of the MACs with the measured latency at batch 256 and 1."""
    bench = _benchmark(name)
    rows = {proxy: {column: float(stats.spearmanr(getattr(bench, proxy), getattr(bench, column)).statistic)
                    for column in ("latency_ms", "latency1_ms")} for proxy in ("params", "macs")}
    return pd.DataFrame(rows).T


def _proxy_answer() -> str:
    """a: as well (within 0.1), b: clearly worse at batch 1, c: clearly better."""
    row = proxy_spearman().loc["params"]
    gap = row["latency1_ms"] - row["latency_ms"]
    return "b" if gap < -0.1 else "c" if gap > 0.1 else "a"


p1 = Question(
    "p1", expected=_proxy_answer,
    choices={"a": "about as well as at batch 256", "b": "clearly worse", "c": "clearly better"},
    hint="""
At batch 1 each operation has almost no arithmetic to do. What does a parameter-free operation
(a skip or a pooling) cost then, compared with a convolution?
""",
    why="""
At batch 1 the arithmetic is tiny and every operation costs a roughly fixed overhead (dispatching
it, allocating its output), parameters or not: skips, poolings and the nodes' sums cost time that
no parameter count sees.
""")


# -- p2: how many cells are on the Pareto front? -----------------------------------------------------

def _front_answer() -> str:
    share = len(pareto_front(objectives())) / len(objectives())
    return "a" if share > 0.3 else "b" if share > 0.05 else "c"


p2 = Question(
    "p2", expected=_front_answer,
    choices={"a": "about half of them", "b": "about a tenth", "c": "fewer than one in twenty"},
    hint="""
A cell is on the front only if no other cell is both at least as accurate and at least as fast.
How many cells can be the fastest among all that reach a given accuracy?
""",
    why="""
The front is a thin staircase: only a few cells are the fastest for their accuracy. Every other
cell has a cell that beats it on both counts, and a multi-objective search can ignore it.
""")


# -- p3: multi-objective search against random search -------------------------------------------------

def _searches(latency) -> dict:
    return {"pareto_evolution": ParetoEvolution(latency=latency), "optuna_nsga2": OptunaNSGA2(latency=latency),
            "random": RandomSearch()}


def _run_chunk(strategy: str, seeds: list[int], name: str) -> list[dict]:
    """One strategy's searches for some seeds: one row per seed and point of GRID."""
    evaluator = _evaluator(name)
    bench = evaluator.benchmark
    ref, full = reference(name), _hypervolume(objectives(name), reference(name))
    search, rows = _searches(benchmark_latency(bench))[strategy], []
    for seed in seeds:
        history = run_search(search, evaluator, seconds=max(SECONDS),
                             seed=seed, progress=False)
        trace = hypervolume_trace(benchmark_objectives(bench, [e.arch for e in history]), ref) / full
        spent = np.cumsum([e.cost for e in history])
        for s in GRID:
            n = int(np.searchsorted(spent, s, side="right"))
            rows.append({"strategy": strategy, "seed": seed, "seconds": s, "evaluations": n,
                         "hypervolume": float(trace[n - 1]) if n else 0.0})
    return rows


_RUNS: dict[tuple[str, tuple[int, ...], str], pd.DataFrame] = {}
#: The strategies `hypervolume_runs` compares.
STRATEGIES = ("pareto_evolution", "optuna_nsga2", "random")


def hypervolume_runs(seeds=SEEDS, strategies=STRATEGIES, name: str = "cell-mnist1d",
                     progress: bool = True) -> pd.DataFrame:
    """Each of `strategies` (of STRATEGIES: Pareto evolution, Optuna's NSGA-II, random search) run
    once per seed for the largest of SECONDS simulated seconds on `name`, given the benchmark's
    latency at batch 256: one row per strategy, seed and point of the grid of seconds, with the
    evaluations made by then and the hypervolume of the (true accuracy, latency) points evaluated
    so far, as a share of the whole benchmark's, against `reference(name)`. Each strategy's runs
    are computed once per seeds."""
    if isinstance(strategies, str) or not set(strategies) <= set(STRATEGIES):
        raise ValueError(f"strategies must be a tuple of: {', '.join(STRATEGIES)}, got {strategies!r}")
    seeds = tuple(int(s) for s in seeds)
    todo = [s for s in strategies if (s, seeds, name) not in _RUNS]
    chunks = [[int(s) for s in c] for c in np.array_split(np.array(seeds), max(1, len(seeds) // 10)) if len(c)]
    with tqdm(total=len(todo) * len(seeds), desc="searches", unit="run", disable=not progress or not todo) as bar:
        for strategy in todo:
            rows: list[dict] = []
            for chunk in chunks:
                rows += _run_chunk(strategy, chunk, name)
                bar.update(len(chunk))
            _RUNS[(strategy, seeds, name)] = pd.DataFrame(rows)
    return pd.concat([_RUNS[(s, seeds, name)] for s in strategies], ignore_index=True)


def hypervolume_table(runs: pd.DataFrame, seconds: int, baseline: str = "random",
                      confidence: float = 0.95) -> pd.DataFrame:
    """At `seconds`: per strategy the mean hypervolume share, the half-width of its `confidence`
    interval (Student's t), the mean number of evaluations, and the one-sided rank-sum p-value of
    "larger than `baseline`'s"."""
    at = runs[runs["seconds"] == seconds]
    base = at.loc[at["strategy"] == baseline, "hypervolume"].to_numpy()
    rows = []
    for strategy, group in at.groupby("strategy", sort=False):
        values = group["hypervolume"].to_numpy()
        half = stats.t.ppf((1 + confidence) / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
        p = np.nan if strategy == baseline else stats.mannwhitneyu(values, base, alternative="greater").pvalue
        rows.append({"seconds": seconds, "strategy": strategy, "hypervolume": values.mean(), f"ci{100 * confidence:g}": half,
                     "evaluations": group["evaluations"].mean(), "p_vs_" + baseline: p, "runs": len(values)})
    return pd.DataFrame(rows)


def _search_answer() -> str:
    """p3 at the smaller budget: Pareto evolution larger than random (a, p < 0.01), smaller (c, p <
    0.01 the other way) or neither (b)."""
    runs = hypervolume_runs(strategies=("pareto_evolution", "random"))    # as the next cell, computed once
    if hypervolume_table(runs, SECONDS[0]).set_index("strategy").loc["pareto_evolution", "p_vs_random"] < 0.01:
        return "a"
    other = hypervolume_table(runs, SECONDS[0], baseline="pareto_evolution").set_index("strategy")
    return "c" if other.loc["random", "p_vs_pareto_evolution"] < 0.01 else "b"


p3 = Question(
    "p3", expected=_search_answer,
    choices={"a": "Pareto evolution covers more", "b": "no clear difference", "c": "random search covers more"},
    hint="""
Random search spends most of its evaluations on cells that are neither accurate nor fast. Where
does mutating the members of the current front lead?
""",
    why="""
Pareto evolution mutates cells that are on (or near) the current front, so its children land
near the front too; random search samples the whole space, most of which the front leaves behind.
""")
