"""Exercises of lesson 12 (transferability): Kendall's τ among the source task's best cells, the
regret on the target task of the source's winner, and whether a warm start helped, by a rank
test; two "predict, then run" questions (do the two tasks agree as well at the top as overall, and
does a search on one task find good cells for the other), answered from the shipped benchmarks.
The lesson's searches (`transfer_runs`) live here too, computed once per protocol.

    >>> from nastutor.exercises.lesson12 import *     # doctest: +SKIP
"""
from __future__ import annotations

from concurrent.futures import Executor

import numpy as np
import pandas as pd
from scipy import stats
from tqdm.auto import tqdm

from matplotlib.figure import Figure

from ..compare import at_budget, compare, summarize
from ..data import load_dataset
from ..proxy_search import ProxyOrder
from ..strategies import RandomSearch, RegularizedEvolution
from ..warm_start import WarmStart
from ..transfer import aligned, rank_agreement, retarget, time_ratio, top_cells
from ._checking import ____, Exercise, Incorrect, Question, number, same
from ._checking import must_be_function as _callable, returned as _returned
from ._code import forbid as _forbid
from ._shared import benchmark as _benchmark, evaluator as _evaluator

__all__ = ["____", "q1", "q2", "q3", "p1", "p2", "transfer_runs", "SEEDS", "SECONDS", "TOP", "TASKS", "TARGETS",
           "COLD", "WARM", "final_regrets", "task_table", "show_inputs", "agreement_table", "deploy_table",
           "ratio_table", "negative_transfer"]

#: The lesson's protocol: seeds, the simulated seconds each search gets and the two read-outs.
SEEDS = range(100)
SECONDS = (100, 400)
#: How many of the source's best cells a warm start takes.
TOP = 10
#: The two tasks: the same 941 cells trained on MNIST-1D and on scikit-learn's digits.
TASKS = ("cell-mnist1d", "cell-digits")
#: The regret a search must reach on each target task (cell-digits' seed noise makes 0.5 pp a lottery).
TARGETS = {"cell-mnist1d": 0.005, "cell-digits": 0.02}
#: The cold starts and the warm starts that `transfer_runs` compares on the target.
COLD = ("random", "evolution")
WARM = ("warm random", "warm evolution", "source's ranking")


def _searches(source: str) -> dict:
    """Every search of the protocol: the cold ones, and the three ways to use the source's truth."""
    truth, top = _benchmark(source).truth(), top_cells(source, TOP)
    return {"random": RandomSearch(), "evolution": RegularizedEvolution(),
            "warm random": WarmStart(RandomSearch(), top),            # the source's best first, then random
            "warm evolution": WarmStart(RegularizedEvolution(), top),  # the initial population from the source
            "source's ranking": ProxyOrder(truth)}                     # the source's truth as a perfect predictor of it


_RUNS: dict[tuple, pd.DataFrame] = {}


def transfer_runs(source: str, target: str, seeds=SEEDS, strategies=COLD + WARM, *, executor: Executor | None = None,
                  progress: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The lesson's searches for one direction, each once per seed for max(SECONDS) simulated
    seconds, as `compare` frames: (on the target: the cold and warm starts of `strategies`;
    on the source: the cold ones, with their incumbents scored on the target by `retarget`,
    named "random on the source" and "evolution on the source"). Each is computed once per seeds."""
    if {source, target} != set(TASKS):
        raise ValueError(f"source and target must be the two tasks {TASKS}, in either order; "
                         f"got {source!r}, {target!r}")
    unknown = set(strategies) - set(COLD + WARM)
    if isinstance(strategies, str) or unknown:
        raise ValueError(f"strategies must be a tuple of: {', '.join(COLD + WARM)}, got {strategies!r}")
    seeds = tuple(int(s) for s in seeds)
    searches = _searches(source)
    jobs = [(task, name) for task in (target, source) for name in (strategies if task == target else COLD)]
    todo = [job for job in jobs if (source, *job, seeds) not in _RUNS]
    for task, name in tqdm(todo, desc=f"{len(seeds)} seeds each", unit="search", disable=not progress or not todo):
        _RUNS[(source, task, name, seeds)] = compare({name: searches[name]}, _evaluator(task), None, seeds,
                                                     seconds=max(SECONDS), executor=executor)
    on_target = pd.concat([_RUNS[(source, target, n, seeds)] for n in strategies], ignore_index=True)
    moved = retarget(pd.concat([_RUNS[(source, source, n, seeds)] for n in COLD], ignore_index=True), target)
    moved["strategy"] = moved["strategy"] + " on the source"
    return on_target, moved


# -- what the lesson shows -------------------------------------------------------------------------

def task_table() -> pd.DataFrame:
    """The two tasks side by side: data sizes, training seconds, accuracies and seed noise (the
    standard deviation of one cell's final validation accuracy over its training seeds, averaged
    over the cells, in percentage points)."""
    rows = {}
    for name in TASKS:
        bench = _benchmark(name)
        data, final = load_dataset(bench.dataset), bench.val[:, :, -1]
        rows[name] = {"features": data.num_features, "classes": data.num_classes,
                      "training examples": len(data.y_train), "validation examples": len(data.y_val),
                      "seconds per training": f"{bench.cumulative_seconds[:, :, -1].mean():.2f}",
                      "best cell (mean val. accuracy)": f"{final.mean(axis=1).max():.3f}",
                      "median cell": f"{np.median(final.mean(axis=1)):.3f}",
                      "seed noise (std, pp)": f"{100 * final.std(axis=1, ddof=1).mean():.2f}"}
    return pd.DataFrame(rows)


def show_inputs() -> Figure:
    """One training input of each task: MNIST-1D's signal and an 8 x 8 digit."""
    signal, image = (load_dataset(_benchmark(name).dataset) for name in TASKS)
    fig = Figure(figsize=(9, 2.8), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=(2.2, 1))
    left.plot(signal.x_train[0], color="tab:blue")
    left.set(title=f"{TASKS[0]}: one input (class {signal.y_train[0]})", xlabel="position", ylabel="value")
    right.imshow(np.asarray(image.x_train[0]).reshape(8, 8), cmap="gray_r")
    right.set(title=f"{TASKS[1]}: one input (class {image.y_train[0]})", xticks=[], yticks=[])
    return fig


def _one_seed_against_the_rest(name: str) -> tuple[pd.Series, pd.Series]:
    """A task against itself: its first training seed, and the mean of its other seeds."""
    bench = _benchmark(name)
    index = bench.truth().index
    return (pd.Series(bench.val[:, 0, -1], index=index), pd.Series(bench.val[:, 1:, -1].mean(axis=1), index=index))


def agreement_table(tops=(None, 0.1, 50)) -> pd.DataFrame:
    """Spearman and Kendall between the tasks both ways, and the noise ceiling: each task against
    itself (one seed against the others' mean) among the first task's best cells; one row per
    comparison, one column per measure and subset."""
    a, b = TASKS
    table = aligned(a, b)
    parts = {f"{a} vs {b}": rank_agreement(table[a], table[b], tops),
             f"{b} vs {a}": rank_agreement(table[b], table[a], tops)}
    for name in (b, a):
        parts[f"{name} vs itself, among {a}'s best"] = rank_agreement(*_one_seed_against_the_rest(name), tops,
                                                                       by=table[a])
    frame = pd.concat(parts).rename(index=lambda label: label.replace(" of by", " of source"))
    return frame[["spearman", "kendall"]].unstack(sort=False)


def deploy_table(runs: dict) -> pd.DataFrame:
    """Search on the source, deploy on the target: per direction and read-out, the cold searches
    on the target against the same searches on the source (`summarize`, baseline random search on
    the target, 95% intervals)."""
    parts = {}
    for (s, t), (on_target, moved) in runs.items():
        both = pd.concat([on_target[on_target["strategy"].isin(COLD)], moved])
        parts[f"{s} → {t}"] = pd.concat([summarize(both, seconds=x, baseline="random", confidence=0.95)
                                          for x in SECONDS])
    frame = pd.concat(parts, names=["direction", "row"]).droplevel("row")
    return frame.set_index(["seconds", "strategy"], append=True)


_PAIRS = (("warm evolution", "evolution"), ("warm random", "random"), ("source's ranking", "evolution"))


def ratio_table(runs: dict) -> pd.DataFrame:
    """Per direction, each warm start's `time_ratio` against its cold start, at the target task's
    regret target (TARGETS), with 95% intervals."""
    rows = []
    for (s, t), (on_target, _) in runs.items():
        for warm, cold in _PAIRS:
            r = time_ratio(on_target, warm, cold, TARGETS[t], confidence=0.95)
            rows.append({"direction": f"{s} → {t}", "warm": warm, "cold": cold, "target (pp)": 100 * TARGETS[t],
                         **r.drop("runs"), "p": f"{r['p']:.1e}"})
    frame = pd.DataFrame(rows).astype({"reached": int, "baseline_reached": int})
    return frame.set_index(["direction", "warm"])


def negative_transfer(runs: dict, seconds=(25, 50, *SECONDS), targets=(0.005, 0.01, 0.02, 0.03)) -> pd.DataFrame:
    """Where warm evolution could be worse than cold evolution, per direction: the regret at each
    of `seconds` (warm minus cold, pp) and the time to each of `targets` (the ratio of medians),
    each with the one-sided rank-sum p-value of "warm is worse"."""
    rows = []
    for (s, t), (on_target, _) in runs.items():
        direction = f"{s} → {t}"
        for x in seconds:
            final = final_regrets(on_target, x)
            warm, cold = final["warm evolution"], final["evolution"]
            rows.append({"direction": direction, "read at": f"{x} s",
                         "warm minus cold (pp)": 100 * (warm.mean() - cold.mean()),
                         "p (warm worse)": stats.mannwhitneyu(warm, cold, alternative="greater").pvalue})
        for eps in targets:   # "warm is worse" is "cold is faster": time_ratio's test, the other way round
            rows.append({"direction": direction, "read at": f"time to {100 * eps:g} pp",
                         "time ratio": time_ratio(on_target, "warm evolution", "evolution", eps)["ratio"],
                         "p (warm worse)": time_ratio(on_target, "evolution", "warm evolution", eps)["p"]})
    return pd.DataFrame(rows).set_index(["direction", "read at"])


# -- q1: Kendall's tau among the source's top k -----------------------------------------------------

def top_k_tau(source, target, k):
    """Kendall's τ between the source's and the target's accuracies of the source's `k` best cells
    (`source` and `target`: arrays of the same cells' accuracies, in the same order)."""
    source, target = np.asarray(source, dtype=float), np.asarray(target, dtype=float)
    best = np.argsort(-source)[:k]
    return float(stats.kendalltau(source[best], target[best]).statistic)


def _tau_cases() -> list[tuple[np.ndarray, np.ndarray, int]]:
    """Both directions of the two benchmarks at several k, and shuffled and synthetic arrays; only
    k with no tie at the cut (else the top k is not one set)."""
    table = aligned(*TASKS)
    pairs = [(table[TASKS[0]].to_numpy(), table[TASKS[1]].to_numpy()),
             (table[TASKS[1]].to_numpy(), table[TASKS[0]].to_numpy())]
    rng = np.random.default_rng(12)
    perm = rng.permutation(len(table))
    pairs.append((pairs[0][0][perm], pairs[0][1][perm]))
    x = rng.normal(size=60)
    pairs += [(x, x + rng.normal(scale=0.5, size=60)), (x, -x)]
    cases = []
    for a, b in pairs:
        ordered = np.sort(a)[::-1]
        for k in (5, 10, 20, 50, 94, len(a)):
            if k <= len(a) and (k == len(a) or ordered[k - 1] != ordered[k]):
                cases.append((a, b, k))
    return cases


def _check_top_k_tau(learner) -> None:
    _callable(learner, "top_k_tau")
    _forbid(learner, {"rank_agreement": "the package's own rank agreement"}, "pick the cells and call kendalltau")
    for a, b, k in _tau_cases():
        got = number(_returned(learner(a.copy(), b.copy(), k), "`top_k_tau`"), "your τ")
        want = top_k_tau(a, b, k)
        best = np.argsort(-a)[:k]
        what = f"for k = {k} of {len(a)} cells"
        if abs(got - want) > 1e-9:
            worst = np.argsort(a)[:k]
            if k < len(a) and abs(got - stats.kendalltau(a[worst], b[worst]).statistic) < 1e-9:
                raise Incorrect(f"{what}, you took the source's k *worst* cells: sort by the source's accuracy, "
                                "best first")
            theirs = np.argsort(-b)[:k]
            if k < len(a) and abs(got - stats.kendalltau(a[theirs], b[theirs]).statistic) < 1e-9:
                raise Incorrect(f"{what}, you took the *target's* k best cells: a search only knows the source, so "
                                "pick the top k by the source's accuracy")
            if k < len(a) and abs(got - stats.kendalltau(a, b).statistic) < 1e-9:
                raise Incorrect(f"{what}, you computed τ over all the cells: keep only the source's k best")
            if abs(got - stats.spearmanr(a[best], b[best]).statistic) < 1e-9:
                raise Incorrect(f"{what}, you computed Spearman's ρ: the exercise asks for Kendall's τ")
            same(got, want, what=f"{what}, your τ")


q1 = Exercise(
    "q1", var="top_k_tau", checker=_check_top_k_tau, reference=lambda: top_k_tau,
    hint="""
A search only sees the source task, so "the top" means the source's best cells. Find the positions
of the k largest source accuracies, keep those entries of both arrays, and rank-correlate them.

`np.argsort(-source)[:k]` gives the positions of the k largest values, best first.

`best = np.argsort(-np.asarray(source))[:k]`, then
`return stats.kendalltau(np.asarray(source)[best], np.asarray(target)[best]).statistic`.
""")


# -- q2: the regret on the target of the source's winner ------------------------------------------

def _winner_regret() -> float:
    table = aligned(*TASKS)
    winner = table[TASKS[0]].idxmax()
    return float(table[TASKS[1]].max() - table.loc[winner, TASKS[1]])


def _check_winner_regret(answer) -> None:
    got = number(answer, "regret_on_target")
    want = _winner_regret()
    table = aligned(*TASKS)
    if abs(got - 100 * want) < 1e-6:
        raise Incorrect("that is the regret in percentage points: give it as a fraction of accuracy, as the table does")
    if abs(got) < 1e-12:
        raise Incorrect("a regret of 0 would mean the source's winner is also the target's best cell: look it up in "
                        "the target's column")
    if abs(got - (table[TASKS[0]].max() - table.loc[table[TASKS[1]].idxmax(), TASKS[0]])) < 1e-9:
        raise Incorrect("that is the regret on the *source* of the target's winner: the other way round")
    if got < 0:
        raise Incorrect("a regret is never negative: the target's best accuracy minus the winner's accuracy there")
    same(got, want, what="regret_on_target")


q2 = Exercise(
    "q2", var="regret_on_target", checker=_check_winner_regret, reference=_winner_regret,
    solution='winner = table["cell-mnist1d"].idxmax()\n'
             'regret_on_target = table["cell-digits"].max() - table.loc[winner, "cell-digits"]',
    hint="""
The source's winner is the cell with the highest accuracy in the source's column of `table`
(`.idxmax()` gives its name). Its regret on the target is the target's best accuracy minus the
target's accuracy of that cell.

`winner = table["cell-mnist1d"].idxmax()`, then
`regret_on_target = table["cell-digits"].max() - table.loc[winner, "cell-digits"]`.
""")


# -- q3: did the warm start help? -------------------------------------------------------------------

def warm_helped(warm, cold, alpha=0.05):
    """True when the warm start's final regrets `warm` are significantly lower than the cold
    start's `cold`: the one-sided Wilcoxon rank-sum (Mann-Whitney U) test at level `alpha`."""
    return bool(stats.mannwhitneyu(warm, cold, alternative="less").pvalue < alpha)


def _helped_cases() -> list[tuple[np.ndarray, np.ndarray, float]]:
    """(warm, cold, alpha): the lesson's regrets at both read-outs in both directions, the same
    arrays swapped (warm worse), equal ones, and synthetic shifts; only cases whose p-value is far
    from alpha under every method scipy offers (exact or asymptotic), so any correct test agrees."""
    rng = np.random.default_rng(120)
    x = rng.exponential(0.02, 80)
    cases = [(x, x + 0.01, 0.05), (x + 0.01, x, 0.05), (x, x.copy(), 0.05),
             (x[:20], x[20:40] + 0.03, 0.01), (x[:20] + 0.03, x[20:40], 0.01), (x[:30], x[30:60] + 0.002, 0.05)]
    for low, high, alpha in ((0.06, 0.09, 0.2), (0.025, 0.04, 0.01)):    # p between two usual levels: alpha matters
        shift = next(d for d in np.linspace(0, 0.02, 401)
                     if low < stats.mannwhitneyu(x[:30], x[30:60] + d, alternative="less").pvalue < high)
        cases.append((x[:30], x[30:60] + shift, alpha))
    for source, target in (TASKS, TASKS[::-1]):
        on_target, _ = transfer_runs(source, target, strategies=("evolution", "warm evolution"), progress=False)
        for seconds in SECONDS:
            final = final_regrets(on_target, seconds)
            warm, cold = final["warm evolution"], final["evolution"]
            cases += [(warm, cold, 0.05), (cold, warm, 0.05), (warm[:15], cold[:15], 0.05)]
    robust = []
    for warm, cold, alpha in cases:
        ps = [stats.mannwhitneyu(warm, cold, alternative="less", method=m).pvalue for m in ("asymptotic", "exact")
              if m == "asymptotic" or len(warm) + len(cold) <= 60]
        if all(p < alpha / 2 for p in ps) or all(p > 2 * alpha for p in ps):
            robust.append((warm, cold, alpha))
    return robust


def final_regrets(runs: pd.DataFrame, seconds: float) -> dict[str, np.ndarray]:
    """Each strategy's validation regrets at `seconds` (`at_budget`), one per seed."""
    final = at_budget(runs, seconds=seconds)
    return {name: group["val_regret"].to_numpy() for name, group in final.groupby("strategy")}


def _check_helped(learner) -> None:
    _callable(learner, "warm_helped")
    for warm, cold, alpha in _helped_cases():
        got = _returned(learner(warm.copy(), cold.copy(), alpha), "`warm_helped`")
        if not isinstance(got, (bool, np.bool_)):
            raise Incorrect(f"return True or False, got {type(got).__name__}")
        want = warm_helped(warm, cold, alpha)
        if bool(got) == want:
            continue
        what = f"for {len(warm)} warm and {len(cold)} cold regrets at level {alpha}"
        if not want and np.median(warm) > np.median(cold):
            raise Incorrect(f"{what}, you say the warm start helped, but its regrets are *higher*: the test is "
                            "one-sided (is the warm start's regret lower?), not two-sided")
        if not want and np.allclose(np.sort(warm), np.sort(cold)):
            raise Incorrect(f"{what}, the two samples are equal, yet you say the warm start helped")
        if want:
            raise Incorrect(f"{what}, the warm start's regrets are significantly lower (a rank-sum test), "
                            "but your function says it did not help")
        raise Incorrect(f"{what}, your function says the warm start helped, but a one-sided rank-sum test "
                        "does not find its regrets significantly lower")


q3 = Exercise(
    "q3", var="warm_helped", checker=_check_helped, reference=lambda: warm_helped,
    hint="""
Lesson 07's test: the Wilcoxon rank-sum (Mann-Whitney U) test compares two samples by ranks, with no
assumption about their shape. The question is one-sided: are the warm start's regrets *lower*?

`stats.mannwhitneyu(warm, cold, alternative="less").pvalue` is the p-value of "warm is lower";
the answer is whether it is below `alpha`.

`return bool(stats.mannwhitneyu(warm, cold, alternative="less").pvalue < alpha)`.
""")


# -- p1: do the tasks agree at the top? -----------------------------------------------------------------

def _top_answer() -> str:
    """a: the source's top 50 agree about as well as all cells (within 0.1 of Spearman), b: clearly
    worse at the top, c: clearly better."""
    agreement = rank_agreement(*TASKS, tops=[None, 50])
    gap = agreement["spearman"].iloc[1] - agreement["spearman"].iloc[0]
    return "b" if gap < -0.1 else "c" if gap > 0.1 else "a"


p1 = Question(
    "p1", expected=_top_answer,
    choices={"a": "about as well as over all the cells", "b": "clearly worse", "c": "clearly better"},
    hint="""
Over all 941 cells the spread is huge: a cell with no convolution is bad on any task. Among the 50
best cells of one task, how large are the differences left, and what else could decide their order?
""",
    why="""
Over all cells the big differences (a convolution or not, a path from the input or not) hold on both
tasks, so the rankings agree. Among the best cells those are settled, and what is left are small
differences that each task decides its own way, plus each task's training noise.
""")


# -- p2: search on the source, deploy on the target ----------------------------------------------------

def _deploy_answer() -> str:
    """At max(SECONDS), random search on cell-mnist1d deployed on cell-digits against random search
    on cell-digits: a: the source's pick is better (p < 0.01), c: worse (p < 0.01 the other way), b: neither."""
    on_target, moved = transfer_runs(*TASKS, strategies=("random",), progress=False)
    runs = pd.concat([on_target, moved])
    table = summarize(runs, seconds=max(SECONDS), baseline="random").set_index("strategy")
    if table.loc["random on the source", "val_regret_p"] < 0.01:
        return "a"
    other = summarize(runs, seconds=max(SECONDS), baseline="random on the source").set_index("strategy")
    return "c" if other.loc["random", "val_regret_p"] < 0.01 else "b"


p2 = Question(
    "p2", expected=_deploy_answer,
    choices={"a": "the cell found on cell-mnist1d", "b": "no clear difference", "c": "the cell found on cell-digits"},
    hint="""
A search on cell-mnist1d ends near cell-mnist1d's best cells. Where do those cells rank on
cell-digits? And what does a search on cell-digits itself see, noise and all?
""",
    why="""
A search on the source homes in on the source's best cells, and that is exactly where the two
tasks disagree: they are good on cell-digits, but rarely its best. A search on the target, even with
its noisy validation accuracies, looks where it will be deployed.
""")
