# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 07 · Comparing strategies fairly
#
# Lessons 04 to 06 built three search strategies: random search, regularized evolution and REINFORCE.
# Which one is best? Answering that question *fairly* is harder than running the searches, and many
# published NAS comparisons got it wrong. This lesson follows the protocol of the NAS-Bench-201
# benchmark, explains why each of its rules is there, and shows on real runs what goes wrong without it.
#
# **You will:**
# 1. apply the NAS-Bench-201 protocol: **search on validation, report test, budgets in simulated seconds,
#    many runs**, and measure a search by its **regret**;
# 2. see with 500 real runs why **one run proves nothing**;
# 3. compare seven strategies side by side, Optuna's TPE (a practitioner's tool) included, and see how
#    the picture changes when budgets count **simulated seconds** instead of evaluations;
# 4. put **Student-t confidence intervals** on mean regrets and test differences with a **one-sided rank
#    test** (Mann-Whitney U), and implement both yourself;
# 5. report **effect sizes** next to p-values, and see how easily **p-hacking** finds a "winner";
# 6. measure **time to target** and **search cost**, and check a claimed result against the **NAS best
#    practices checklist**.

# %%
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from scipy import stats
from tqdm.auto import tqdm

import nastutor as nt
from nastutor import plots
from nastutor.compare import at_budget, compare, regret_frame, summarize, time_to_target
from nastutor.interactive import comparison_dashboard
from nastutor.strategies import (BayesianOptimization, Hyperband, LocalSearch, OptunaSampler, Reinforce,
                                 RegularizedEvolution, SuccessiveHalving)
from nastutor.exercises.lesson07 import *

ev = nt.TabularEvaluator("cell-mnist1d")       # the cell benchmark of lesson 03: lookups, simulated seconds
bench, space = ev.benchmark, ev.space
val_truth = bench.truth().to_numpy()           # ground truth per row: mean over 3 training seeds, 12 epochs
test_truth = bench.truth("test_accuracy").to_numpy()
print(bench)
assert len(bench.seeds) == 3, bench      # the text quotes the benchmark's 3 seeds

# %% [markdown]
# ## 1. The protocol: search on validation, report test, budget in seconds, many runs
#
# NAS-Bench-201 (Dong and Yang, 2020) trained every cell of its search space once and stored the results,
# so that NAS methods could be compared on equal terms. Its protocol for comparing search strategies
# has four rules, and this lesson uses all four on our own benchmark, `cell-mnist1d`:
#
# 1. **Search on validation.** The strategy only ever sees validation accuracy.
# 2. **Report test.** The result of a search is the *test* accuracy of the architecture it chose, a split
#    the search never looked at.
# 3. **Budget in simulated seconds.** Each evaluation is charged the training time recorded in the
#    benchmark, and a search stops when its total passes the budget. Architectures differ in cost, so
#    "100 evaluations" is not the same amount of work for every strategy (section 4).
# 4. **Many runs.** Each strategy runs many times with different seeds (NAS-Bench-201 used 500 runs), and
#    the comparison is about the *distribution* of results.
#
# The score of one search is its **regret** (lesson 04): how far the architecture it chose (its incumbent)
# falls short of the best architecture in the space, measured with the ground truth (the mean over the
# benchmark's training seeds), on either split:
#
# $$
# r_{\text{val}}(t) = \max_a \bar v(a) - \bar v(\hat a_t), \qquad
# r_{\text{test}}(t) = \max_a \bar u(a) - \bar u(\hat a_t).
# $$
#
# > **Math breakdown:**
# > - $\hat a_t$: the incumbent after $t$ evaluations (or $t$ simulated seconds), chosen by the highest
# >   validation accuracy the search *observed* (one noisy training run per evaluation).
# > - $\bar v(a)$, $\bar u(a)$: the mean validation and test accuracy of $a$ over the benchmark's 3 seeds
# >   after full training: the ground truth the search never sees.
# > - Validation regret measures the search (what it optimised); test regret is what you would report.
# >   They differ: even an oracle that picks the best architecture on validation has a positive test regret
# >   when another architecture is best on test.
#
# `nastutor.compare.regret_frame` computes both for every step of a search:

# %%
best_val, best_test = int(np.argmax(val_truth)), int(np.argmax(test_truth))
print(f"best on validation: {space.to_string(bench.archs[best_val])}  val {val_truth[best_val]:.4f}  "
      f"test {test_truth[best_val]:.4f}")
print(f"best on test:       {space.to_string(bench.archs[best_test])}  val {val_truth[best_test]:.4f}  "
      f"test {test_truth[best_test]:.4f}")
print(f"test regret of a perfect search on validation: "
      f"{100 * bench.regret(bench.archs[best_val], 'test_accuracy'):.2f} percentage points")

history = nt.run_search(RegularizedEvolution(), ev, budget=100, seed=0, progress=False)
regret_frame(history, ev).iloc[[0, 9, 29, 59, 99]].round(4)

# %% [markdown]
# Regrets are small numbers: this lesson writes them in **percentage points** (pp) of accuracy, so a
# validation regret of 0.003 is 0.3 pp.
#
# > **Common pitfall:** reporting the validation accuracy of the chosen architecture as the result. The
# > search *chose* it for a high validation score among many noisy ones, so that score is biased upwards
# > (the winner's curse of lesson 04). The number to report is the chosen architecture's **test** accuracy.
#
# ## 2. One run proves nothing
#
# Regularized evolution (lesson 05) learns from the cells it has seen; random search (lesson 04) does
# not. Is evolution better, and does it win every time? Run each strategy 500 times, 100 evaluations each
# (lookups, not training), and look at the single runs:

# %%
pair = compare({"random": nt.RandomSearch(), "evolution": RegularizedEvolution()}, ev, budget=100,
               seeds=range(500))
final100 = pair[pair["step"] == 100].pivot(index="seed", columns="strategy", values="val_regret")
rnd, evo = final100["random"].to_numpy(), final100["evolution"].to_numpy()
print(f"mean validation regret over 500 runs: random {100 * rnd.mean():.3f} pp, "
      f"evolution {100 * evo.mean():.3f} pp")
print("run k of random search against run k of evolution (independent runs), 500 duels:")
print(f"  random search wins {np.mean(rnd < evo):.1%}, tie {np.mean(rnd == evo):.1%}, "
      f"evolution wins {np.mean(evo < rnd):.1%}")
assert evo.mean() < rnd.mean() and np.mean(rnd < evo) > 0.2    # better on average; yet random wins many duels

# %% [markdown]
# On average evolution is better, and yet random search wins a large share of the single duels. A paper
# that ran each method once would have reported the wrong winner that often, and another paper with other
# seeds would have "refuted" it. Each regret is one draw from a wide distribution; the comparison is
# between *distributions*.
#
# How many runs are enough? Move the slider: it repeats an experiment "run each strategy $n$ times and
# compare the mean regrets" 2000 times, each time with $n$ of the 500 runs of each strategy drawn at
# random. The left panel shows how the difference of the two means scatters; the right one, how often
# such an experiment ranks the two strategies the way the 500 runs do, and how often a one-sided rank
# test (section 6) would call the difference significant.

# %%
EXPERIMENTS = 2000


def experiments(n, seed=0):
    # EXPERIMENTS experiments, each with n runs of each strategy drawn without replacement
    rng = np.random.default_rng(seed)

    def pick(x):
        return x[np.argsort(rng.random((EXPERIMENTS, len(x))), axis=1)[:, :n]]

    return pick(evo), pick(rnd)


def outcome(n):
    e, r = experiments(n, seed=n)
    p = stats.mannwhitneyu(e, r, alternative="less", axis=1).pvalue
    return {"evolution ranked first": np.mean(e.mean(1) < r.mean(1)),
            "random ranked first": np.mean(r.mean(1) < e.mean(1)), "rank test p < 0.05": np.mean(p < 0.05)}


N_GRID = [1, 2, 3, 5, 8, 10, 15, 20, 30, 50, 75, 100]
curves = pd.DataFrame([outcome(n) for n in N_GRID], index=N_GRID)


def show_runs(n=1):
    e, r = experiments(n, seed=n)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
    ax1.hist(100 * (r.mean(1) - e.mean(1)), bins=40, color="tab:purple", alpha=0.7)
    ax1.axvline(0, color="k", lw=1)
    ax1.set(title=f"{EXPERIMENTS} experiments with n = {n} runs per strategy",
            xlabel="mean regret of random minus evolution (pp); > 0: evolution looks better",
            ylabel="experiments")
    for column in curves:
        ax2.plot(curves.index, curves[column], marker="o", label=column)
    ax2.axvline(n, color="k", ls="--", lw=1)
    ax2.set(xscale="log", xlabel="runs per strategy n", ylabel="share of experiments", ylim=(0, 1),
            title="How often an experiment of n runs per strategy says...")
    ax2.legend(loc="center right")
    fig.tight_layout()
    plt.show()
    print(f"n = {n}: " + ", ".join(f"{k} in {v:.0%}" for k, v in outcome(n).items()))


widgets.interact(show_runs, n=widgets.IntSlider(value=1, min=1, max=100, description="runs n",
                                                continuous_update=False));

# %% [markdown]
# > **Common pitfall:** comparing strategies on one seed (or a handful). With one run each, the ranking of
# > two strategies is close to a coin toss weighted by their difference. Run many seeds, and report the
# > spread, not only the mean.
#
# ## 3. Seven strategies side by side
#
# The contestants, all with their default (paper) settings, all searching the same space with the same
# evaluator, on the same seeds:
#
# | name | strategy | lesson |
# |---|---|---|
# | `random` | random search | 04 |
# | `evolution` | regularized evolution, population P = 10, sample S = 3 (NAS-Bench-201's setting) | 05 |
# | `reinforce` | REINFORCE with a factorized policy and a moving-average baseline | 06 |
# | `local` | local search: hill climbing over neighbouring cells (one edge changed), with random restarts | advanced lessons |
# | `sh` | successive halving: train many cells for 1 epoch, promote the best third to 4, then 12 epochs | advanced lessons |
# | `hyperband` | Hyperband: successive halving over several trade-offs of many short vs few long trainings | advanced lessons |
# | `tpe` | Optuna's Tree-structured Parzen Estimator, through `OptunaSampler("tpe")` | this lesson |
#
# **Optuna** is the hyperparameter-optimisation library many practitioners reach for first. Its default
# sampler, TPE, models which choices appeared in good trials and which in bad ones, and proposes choices
# that are likely under the first model and unlikely under the second. `OptunaSampler` turns each decision
# of the cell into a `trial.suggest_categorical`, so Optuna searches our space with its own ask/tell loop:

# %%
import inspect

display(Markdown(f"```python\n{inspect.getsource(OptunaSampler.ask)}\n{inspect.getsource(OptunaSampler.tell)}```"))

# %% [markdown]
# Now the comparison. `compare` runs every strategy once per seed and returns a tidy table: one row per
# strategy, seed and evaluation, with the simulated seconds so far and the incumbent's validation and test
# regret. Each search gets **400 simulated seconds** of training (`seconds=400, budget=None`). A search
# asks for the same architectures whatever its budget, so the first 100 evaluations of each run are
# exactly a search with a budget of 100 evaluations: one table serves both kinds of budget.

# %%
SEEDS, BUDGET, SECONDS = range(50), 100, 400
strategies = {"random": nt.RandomSearch(), "evolution": RegularizedEvolution(), "reinforce": Reinforce(),
              "local": LocalSearch(), "sh": SuccessiveHalving(), "hyperband": Hyperband(),
              "tpe": OptunaSampler("tpe")}

start = time.perf_counter()
runs = pd.concat([compare({name: s}, ev, budget=None, seconds=SECONDS, seeds=SEEDS)
                  for name, s in tqdm(strategies.items(), desc=f"strategies x {len(SEEDS)} seeds", unit="strategy")],
                 ignore_index=True)
compare_seconds = time.perf_counter() - start
print(f"{runs.groupby(['strategy', 'seed']).ngroups} searches, {len(runs)} evaluations, "
      f"in {compare_seconds:.0f} s of wall-clock time")
# "the first 100 evaluations of each run are exactly a search with a budget of 100 evaluations": seed 0
cols = ["strategy", "seed", "step", "total_cost", "incumbent"]
assert compare(strategies, ev, budget=BUDGET, seeds=[0])[cols].equals(
    runs[(runs["seed"] == 0) & (runs["step"] <= BUDGET)][cols].reset_index(drop=True))
assert len(strategies) == 7                                              # seven contestants
evolution, halving = RegularizedEvolution(), SuccessiveHalving()
halving.setup(space, seed=0, max_epochs=bench.epochs)
assert (evolution.population_size, evolution.sample_size) == (10, 3)      # the table's settings
assert halving.eta == 3 and [epochs for _, epochs in halving.rungs] == [1, 4, 12]
runs.head()

# %% [markdown]
# (`compare(..., workers=2)` spreads the seeds over two processes; here the searches are so fast that
# starting the processes costs about as much as it saves.)
#
# **Why no Bayesian optimisation?** nastutor's `BayesianOptimization` refits a Gaussian process to all
# evaluations so far before every proposal. Next to training a real network that is cheap, but on a
# tabular benchmark, where an evaluation is a lookup, it dominates everything, and it grows with the
# number of evaluations. Time it on this machine, now, and project the cost of adding it to the table:

# %%
timings = {}
for n in (30, 60):
    start = time.perf_counter()
    nt.run_search(BayesianOptimization(), ev, budget=n, seed=0, progress=False)
    timings[n] = time.perf_counter() - start
growth = max(1.0, np.log(timings[60] / timings[30]) / np.log(2))   # time ~ evaluations ** growth
evals = runs[runs["strategy"] == "tpe"].groupby("seed")["step"].max().mean()   # what TPE did in 400 s
projected = len(SEEDS) * timings[60] * (evals / 60) ** growth
print(f"BO: 30 evaluations in {timings[30]:.2f} s, 60 in {timings[60]:.2f} s of wall-clock time "
      f"(time grows like evaluations^{growth:.1f})")
print(f"projected for {len(SEEDS)} seeds x {evals:.0f} evaluations (what TPE managed in {SECONDS} s): "
      f"about {projected:.0f} s, against {compare_seconds:.0f} s for all seven strategies above")

# %% [markdown]
# BO is left out of this lesson's table to keep the notebook quick: it would multiply its run time
# (on a busy machine, far more than the projection). The lesson on Bayesian optimisation compares it
# with fewer seeds, and with real training its overhead would be negligible next to the training itself.
#
# ## 4. Budgets: evaluations or simulated seconds?
#
# Counting evaluations treats every architecture as equally expensive. They are not: a cell full of
# convolutions trains several times longer than one made of skips and pooling, and the good cells tend to
# be the expensive ones. A strategy that homes in on good cells therefore spends more training time per
# evaluation, and successive halving's evaluations are mostly 1-epoch trainings that cost a fraction of
# a full one.

# %%
cost = bench.final_frame()["train_seconds"]
rho = stats.spearmanr(cost, val_truth).statistic
print(f"full training of one cell: {cost.min():.1f} to {cost.max():.1f} simulated seconds "
      f"(median {cost.median():.1f}); Spearman correlation of cost with accuracy: {rho:.2f}")

per_run = runs.groupby(["strategy", "seed"], sort=False)
usage = pd.DataFrame({
    "simulated s for 100 evaluations": runs[runs["step"] == BUDGET].groupby("strategy", sort=False)["total_cost"].mean(),
    f"evaluations in {SECONDS} s": per_run["step"].max().groupby("strategy", sort=False).mean()})
# what the text below says: per evaluation, the good strategies train longer; in equal seconds random
# search evaluates more cells than they do, successive halving many more, and every gap to random shrinks
learners, per_eval, in_time = ["evolution", "reinforce", "local", "tpe"], usage.columns[0], usage.columns[1]
assert (usage.loc[learners, per_eval] > usage.loc["random", per_eval]).all()
assert (usage.loc[learners, in_time] < usage.loc["random", in_time]).all()
assert usage[in_time].idxmax() == "sh"
usage.round(0).astype(int)

# %% [markdown]
# At 100 evaluations each, the strategies have *not* received the same budget: the ones that find good
# cells have trained for much longer. Plot the mean regret over 50 seeds both ways: against evaluations
# (left) and against simulated seconds (right), with 95% confidence bands (section 5):

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 4.8))
plots.regret_curves(runs[runs["step"] <= 150], x="step", ax=ax1, confidence=0.95)
plots.regret_curves(runs, x="total_cost", ax=ax2, confidence=0.95)
ax1.set_title(f"Mean validation regret vs evaluations ({len(SEEDS)} seeds)")
ax2.set_title(f"Mean validation regret vs simulated seconds ({len(SEEDS)} seeds)")
ax2.legend().remove()
fig.tight_layout()
plt.show()


# %% [markdown]
# `summarize(runs, budget, baseline)` takes each run's incumbent at `budget` evaluations and reports, per
# strategy, the mean regret, the half-width of its 95% confidence interval and the p-value of a one-sided
# rank test against the baseline (sections 5 and 6), for validation and test. For a budget in simulated
# seconds, `summarize(runs, seconds=...)` keeps each run's evaluations that finished within the budget and
# summarizes at the end of what is left (`at_budget` gives those rows themselves).

# %%
def pp(summary):
    # a summarize() table in percentage points, with readable column names
    t = summary.set_index("strategy")
    out = pd.DataFrame({"runs": t["runs"]})
    for metric, label in (("val_regret", "val"), ("test_regret", "test")):
        out[f"{label} regret (pp)"] = (100 * t[metric]).round(3)
        out["± 95% CI"] = (100 * t[f"{metric}_ci"]).round(3)
        out[f"{label} p vs random"] = t[f"{metric}_p"].round(4)
    out.columns = pd.MultiIndex.from_tuples([("", "runs"), *[(c.split()[0], c) for c in out.columns[1:4]],
                                             *[("test", c) for c in out.columns[4:]]])
    return out


by_evals = summarize(runs, BUDGET, "random", confidence=0.95)
by_seconds = summarize(runs, seconds=SECONDS, baseline="random", confidence=0.95)
gaps = {name: t.set_index("strategy")["val_regret"] - t.set_index("strategy").loc["random", "val_regret"]
        for name, t in (("evaluations", by_evals), ("seconds", by_seconds))}
assert (gaps["seconds"].abs() <= gaps["evaluations"].abs()).all(), gaps     # the gaps shrink (text below)
display(Markdown(f"**At {BUDGET} evaluations**"), pp(by_evals),
        Markdown(f"**At {SECONDS} simulated seconds**"), pp(by_seconds))


# %% [markdown]
# Compare the two tables row by row. Counting evaluations flatters the strategies that spent the most
# training time; at equal simulated seconds random search has evaluated more architectures, and the gaps
# to it shrink, in both directions. Successive halving and Hyperband look poor per evaluation because most
# of their evaluations are cheap, short trainings; in seconds they get many more evaluations, and come
# much closer. (Whether early epochs rank cells well enough for that to pay off is the question of
# lesson 03's rank correlations and of the multi-fidelity lesson.)
#
# > **Common pitfall:** counting evaluations when architectures differ in cost. Equal numbers of
# > evaluations are unequal budgets; give every strategy the same simulated (or real) training time, as
# > NAS-Bench-201 does, or at least report both.
#
# > **Common pitfall:** comparing at different budgets: method A's result after 400 s against method B's
# > number from a paper that ran for 200 s, or one curve's end against another curve's middle. Compare at
# > the same budget, in the same unit, on the same benchmark.
#
# ## 5. Confidence intervals
#
# The mean regret over 50 seeds is itself a random number: another 50 seeds would give another mean. A
# **confidence interval** says how far it could plausibly move. For $n$ independent runs with regrets
# $x_1, \dots, x_n$:
#
# $$
# \bar x \pm t_{1-\alpha/2,\; n-1} \cdot \frac{s}{\sqrt n}, \qquad
# \bar x = \frac1n \sum_i x_i, \qquad s = \sqrt{\frac{1}{n-1} \sum_i (x_i - \bar x)^2}.
# $$
#
# > **Math breakdown:**
# > - $\bar x$: the mean regret; $s$: the sample standard deviation (divided by $n - 1$, because $\bar x$
# >   was estimated from the same values); $s / \sqrt n$: the **standard error** of the mean, which shrinks
# >   as runs are added.
# > - $t_{1-\alpha/2,\, n-1}$: the quantile of **Student's t distribution** with $n - 1$ degrees of freedom
# >   that leaves $\alpha/2$ in each tail ($\alpha = 0.05$ for a 95% interval). It is wider than the normal
# >   quantile 1.96 for small $n$, because $s$ is itself uncertain, and approaches it as $n$ grows.
# > - Interpretation: the procedure covers the true mean regret of the strategy in 95% of repeated
# >   experiments. It is an interval for the *mean*, not a range that 95% of single runs fall into.
# > - It relies on the mean being roughly normal; with 50 runs the central limit theorem makes that
# >   reasonable even for skewed regrets, with 3 runs it does not.
#
# ### Try it yourself 1
#
# Write `confidence_interval(values, confidence=0.95)`: return the pair `(low, high)` of the Student-t
# confidence interval for the mean of `values`. The checker compares it with a reference on several
# samples, among them real regrets of random search, and at 90% and 99% confidence too.

# %%
def confidence_interval(values, confidence=0.95):
    ____  # your code here


q1.check()

# %%
# q1.hint()
# q1.solution()

# %% [markdown]
# ## 6. A rank test: is the difference real?
#
# A confidence interval per strategy does not directly answer "is evolution better than random search?".
# A **test** does. Its logic: *assume* the two strategies are equally good (the null hypothesis); compute
# how surprising the observed difference would be under that assumption; call the difference significant
# if it would be very surprising.
#
# Which test? Look at the distribution of the final regrets first:

# %%
final = runs[runs["step"] == BUDGET]
shown = final[final["strategy"].isin(["random", "evolution", "tpe"])]
fig, ax = plt.subplots(figsize=(9, 3.8))
bins = np.arange(0, 100 * shown["val_regret"].max() + 0.1, 0.05)
for name in ("random", "evolution", "tpe"):
    ax.hist(100 * shown.loc[shown["strategy"] == name, "val_regret"], bins=bins, histtype="step", lw=2,
            label=name)
ax.set(xlabel=f"validation regret after {BUDGET} evaluations (pp)", ylabel=f"runs (of {len(SEEDS)})",
       title=f"Final regrets of {len(SEEDS)} runs: bounded below by 0, few distinct values")
ax.legend()
plt.show()
for name in ("random", "evolution", "tpe"):
    x = final.loc[final["strategy"] == name, "val_regret"]
    print(f"{name:9s}: skewness {stats.skew(x):+.2f}, runs that found an optimum (regret 0): {np.mean(x == 0):.0%}, "
          f"distinct values among {len(x)}: {x.nunique()}")


# %% [markdown]
# The regrets are not normal: a regret cannot be negative, so the better a strategy, the more its runs
# pile up against zero and the more skewed its distribution; and they take few distinct values (the same
# good cells are found again and again, so many runs tie). A t-test compares means and relies on them
# being roughly normal: safe for large samples, doubtful for small ones, and one disastrous run can drag a
# mean a long way. A **rank test** uses only the *order* of the values, so it needs no normality and no
# single run can dominate it.
#
# The **Wilcoxon rank-sum test** (also called the **Mann-Whitney U test**) compares two samples $a$
# (say evolution's regrets) and $b$ (random search's) through all pairs of runs:
#
# $$
# U_a = \sum_{i=1}^{n_a} \sum_{j=1}^{n_b} \Big( [a_i > b_j] + \tfrac12 [a_i = b_j] \Big),
# \qquad 0 \le U_a \le n_a n_b .
# $$
#
# > **Math breakdown:**
# > - $[a_i > b_j]$ is 1 when run $i$ of $a$ has a larger regret than run $j$ of $b$ (it *loses* that
# >   duel), else 0; a tie counts half. So $U_a$ counts the duels $a$ loses.
# > - If $a$ and $b$ come from the same distribution, $a$ loses about half of the $n_a n_b$ duels. A small
# >   $U_a$ says $a$'s regrets tend to be lower.
# > - $U_a / (n_a n_b)$ is the share of duels $a$ loses; $1 - U_a/(n_a n_b)$, the **probability of
# >   superiority**, is an effect size (section 7).
# > - Equivalently, rank all $n_a + n_b$ values together (ties get the average rank); with $R_a$ the sum of
# >   $a$'s ranks, $U_a = R_a - n_a(n_a + 1)/2$. Hence "rank-sum".
# > - **One-sided p-value** of "a is better": $p = P(U_a \le U_a^{\text{observed}})$ when the labels are
# >   assigned at random. It is the chance of a result at least this favourable to $a$ *if the strategies
# >   were equally good*, not the chance that they are equally good. $p < 0.05$ is the usual, arbitrary,
# >   threshold for "significant".
#
# ### Try it yourself 2
#
# Write `mann_whitney_u(a, b)`: the $U$ statistic of sample `a` against sample `b` (arrays of numbers,
# possibly of different lengths, possibly with ties), as defined above. The checker compares it with
# `scipy.stats.mannwhitneyu(a, b).statistic`.

# %%
def mann_whitney_u(a, b):
    ____  # your code here


q2.check()


# %%
# q2.hint()
# q2.solution()

# %% [markdown]
# ### Try it yourself 3
#
# Turn $U$ into a p-value by a **permutation test**. If the two strategies were equally good, the labels
# "a" and "b" would carry no information: any way of splitting the pooled $n_a + n_b$ regrets into groups
# of $n_a$ and $n_b$ would be as likely as the real split. So shuffle the pooled values many times, split
# them, compute $U$ of the first group each time, and count how often it is **at most** the observed $U$.
#
# Write `permutation_p(a, b, permutations=10_000, seed=0)`, the one-sided p-value of "the values of `a`
# tend to be smaller than those of `b`", with all randomness from `np.random.default_rng(seed)`. You may
# use your `mann_whitney_u` (or the reference: `mann_whitney_u = q2.reference`). The checker compares
# your p-values with exact ones (every split enumerated, for small samples) and with scipy's, within a
# tolerance that allows for the randomness of the shuffles.

# %%
def permutation_p(a, b, permutations=10_000, seed=0):
    ____  # your code here


q3.check()

# %%
# q3.hint()
# q3.solution()

# %% [markdown]
# Here is that test, with the reference solutions, next to scipy's rank test and a one-sided Welch
# t-test, for each strategy against random search at 100 evaluations. With 50 runs each, the tests agree
# on these data; the rank test is chosen *in advance* because its answer does not depend on that luck.
# (A permutation test with 2000 shuffles cannot give a p-value below 1/2001.)

# %%
perm_p, base = q3.reference, final.loc[final["strategy"] == "random", "val_regret"].to_numpy()
rows = []
for name in tqdm([s for s in strategies if s != "random"], desc="permutation tests", unit="test"):
    x = final.loc[final["strategy"] == name, "val_regret"].to_numpy()
    rows.append({"strategy": name, "permutation p (2000 shuffles)": perm_p(x, base, 2000, 0),
                 "scipy rank-sum p": stats.mannwhitneyu(x, base, alternative="less").pvalue,
                 "Welch t-test p": stats.ttest_ind(x, base, equal_var=False, alternative="less").pvalue})
tests = pd.DataFrame(rows).set_index("strategy")
assert ((tests < 0.05).nunique(axis=1) == 1).all(), tests      # the three tests agree on these data
tests.round(4)

# %% [markdown]
# ## 7. Effect sizes: significant is not the same as large
#
# A p-value says whether a difference is distinguishable from noise *with this many runs*; with enough
# runs, any difference becomes significant, however tiny. So report the **size** of the effect next to the
# p-value: here, the difference in mean regret with its 95% confidence interval (Welch), and the
# probability of superiority (the chance that one run of the strategy beats one run of random search,
# ties counting half). And put the sizes in context: how different are the top cells of this benchmark
# in the first place?

# %%
at_t = at_budget(runs, seconds=SECONDS)                   # each run's incumbent at the budget in seconds
base = at_t.loc[at_t["strategy"] == "random", "val_regret"].to_numpy()
rows = []
for name in [s for s in strategies if s != "random"]:
    x = at_t.loc[at_t["strategy"] == name, "val_regret"].to_numpy()
    diff = stats.ttest_ind(base, x, equal_var=False).confidence_interval(0.95)
    rows.append({"strategy": name, "regret reduction vs random (pp)": 100 * (base.mean() - x.mean()),
                 "95% CI low": 100 * diff.low, "95% CI high": 100 * diff.high,
                 "P(beats a random-search run)": 1 - stats.mannwhitneyu(x, base).statistic / (len(x) * len(base)),
                 "rank-sum p": stats.mannwhitneyu(x, base, alternative="less").pvalue})
effects = pd.DataFrame(rows).set_index("strategy")
display(Markdown(f"**Effect sizes at {SECONDS} simulated seconds (validation regret, {len(SEEDS)} seeds each)**"))
display(effects.round(3))

seed_std = bench.val[:, :, -1].std(axis=1, ddof=1).mean()
near = {pp: int(np.sum(val_truth >= val_truth.max() - pp / 100)) for pp in (0.5, 0.2)}
print(f"context: two training runs of the same cell differ by a standard deviation of {100 * seed_std:.2f} pp "
      f"(mean over cells); {near[0.5]} distinct cells lie within 0.5 pp of the best, {near[0.2]} within 0.2 pp")
# what the text below says: many cells within a fraction of a pp of the best, closer than the seed noise;
# differences between strategies a fraction of that noise, significant for some
assert near[0.5] > 10 and 100 * seed_std > 0.5
assert effects["regret reduction vs random (pp)"].abs().max() < 100 * seed_std / 2 and (effects["rank-sum p"] < 0.05).any()

# %% [markdown]
# Read the table honestly. On this benchmark the top cells are packed together: many of them lie within
# a fraction of a percentage point of the best, less than the seed-to-seed noise of training a single
# cell. So every reasonable strategy ends close to the optimum, and the differences between strategies
# are a fraction of that noise: real (significant) for some pairs, but small. And a validation advantage
# need not carry over to test (compare the test columns of section 4): part of what a search gains on
# validation is fitting the validation split's noise.
#
# ## 8. The comparison at every budget
#
# The dashboard below holds the first 100 evaluations of every run. Move its budget slider: the bars show
# each strategy's mean regret at that budget with its confidence interval, and the table ranks them with
# the rank-sum p-value against random search. Switch between validation regret (what was searched) and
# test regret (what is reported).

# %%
comparison_dashboard(runs[runs["step"] <= BUDGET], baseline="random", budget=BUDGET)


# %% [markdown]
# The dashboard counts evaluations. The same view in **simulated seconds**, the fair unit, is below: pick
# a budget in seconds and a metric.

# %%
def show_seconds(seconds=200, metric="val_regret"):
    s = summarize(runs, seconds=seconds, baseline="random", confidence=0.95).sort_values(metric)
    fig, ax = plt.subplots(figsize=(9, 3.8))
    ax.barh(s["strategy"], 100 * s[metric], xerr=100 * s[f"{metric}_ci"], color="tab:blue", alpha=0.7,
            capsize=3)
    for y, (value, half, p) in enumerate(zip(s[metric], s[f"{metric}_ci"], s[f"{metric}_p"])):
        ax.text(100 * (value + half), y, "  baseline" if np.isnan(p) else f"  p = {p:.3f}", va="center", fontsize=9)
    ax.set_xlim(0, 100 * (s[metric] + s[f"{metric}_ci"]).max() * 1.25)
    label = "validation" if metric == "val_regret" else "test"
    ax.set(xlabel=f"mean {label} regret (pp) ± 95% CI, {len(SEEDS)} seeds", ylabel="strategy",
           title=f"Incumbents after {seconds} simulated seconds of training (p: one-sided rank-sum vs random)")
    ax.invert_yaxis()
    fig.tight_layout()
    plt.show()


widgets.interact(show_seconds,
                 seconds=widgets.IntSlider(value=200, min=20, max=SECONDS, step=20, continuous_update=False,
                                           description="budget (s)"),
                 metric=widgets.ToggleButtons(options=[("validation regret", "val_regret"),
                                                       ("test regret", "test_regret")]));

# %% [markdown]
# ## 9. p-hacking: trying many budgets
#
# With a slider in hand it is tempting to move it until the p-value drops below 0.05, and report that
# budget. How dangerous is that? Test it where the truth is known: compare random search **with itself**.
# Split the 500 random-search runs of section 2 into two groups of 10 runs, call one group "method A" and
# the other "random search", and test "A is better" at every budget from 5 to 100 evaluations. Both groups
# are the same strategy, so every "significant" result is a false positive. Repeat with 300 random splits:

# %%
regret_by_step = pair[pair["strategy"] == "random"].pivot(index="seed", columns="step", values="val_regret")
matrix = regret_by_step.loc[:, 5:].to_numpy()          # 500 runs x budgets 5..100
rng = np.random.default_rng(0)
fixed, best_budget, example = [], [], None
for k in range(300):
    order = rng.permutation(len(matrix))
    a, b = matrix[order[:10]], matrix[order[10:20]]
    p = stats.mannwhitneyu(a, b, alternative="less", axis=0).pvalue   # one p-value per budget
    fixed.append(p[-1] < 0.05)
    best_budget.append(np.nanmin(p) < 0.05)
    if example is None and np.nanmin(p) < 0.05:
        example = p
print(f"false positives at the one budget fixed in advance (100 evaluations): {np.mean(fixed):.0%}")
print(f"false positives when the best of {matrix.shape[1]} budgets is reported:            {np.mean(best_budget):.0%}")

fig, ax = plt.subplots(figsize=(9, 3.5))
ax.plot(regret_by_step.columns[4:], example, marker=".")
ax.axhline(0.05, color="tab:red", ls="--", label="p = 0.05")
ax.set(yscale="log", xlabel="budget (evaluations)", ylabel="one-sided rank-sum p",
       title="One split of random search vs random search: some budgets look 'significant'")
ax.legend()
plt.show()


# %% [markdown]
# > **Common pitfall:** p-hacking by trying many budgets (or many seeds sets, metrics, baselines or
# > hyperparameters) and reporting the one that "works". Each extra look is another chance for noise to
# > pass the 0.05 bar. Fix the budget, the metric and the test **before** running the comparison, report
# > whole anytime curves with their bands, and if several comparisons are reported, say how many.
#
# ## 10. Time to target
#
# Practitioners often ask a different question: *how long until the search finds a cell within, say,
# 0.2 pp of the best?* `time_to_target(runs, target)` gives, per run, the simulated seconds until the
# incumbent's regret first reaches `target` (NaN if it never did within the budget). Runs that never
# reach the target are not slow, they are **censored**: a mean over the runs that made it would flatter
# a strategy that often fails. So plot, for every time $t$, the share of runs that reached the target by
# $t$ (an empirical cumulative distribution), which keeps the failures in the picture.

# %%
def show_target(target_pp=0.2):
    hits = time_to_target(runs, target=target_pp / 100 + 1e-12)
    fig, ax = plt.subplots(figsize=(9, 4))
    t = np.linspace(0, SECONDS, 401)
    rows = []
    for name, group in hits.groupby("strategy", sort=False):
        seconds = group["seconds"].to_numpy()
        ax.step(t, [np.mean(seconds <= x) for x in t], where="post", label=name)
        median = np.median(np.where(np.isnan(seconds), np.inf, seconds))
        rows.append({"strategy": name, "runs that reached it": f"{np.mean(~np.isnan(seconds)):.0%}",
                     "median simulated seconds": f"{median:.0f}" if np.isfinite(median) else "not reached by half"})
    ax.set(xlabel="simulated seconds of training", ylabel=f"share of the {len(SEEDS)} runs",
           title=f"Runs whose incumbent is within {target_pp:.2f} pp of the best (validation)", ylim=(0, 1.02))
    ax.legend(loc="upper left", fontsize=8)
    plt.show()
    display(pd.DataFrame(rows).set_index("strategy"))


widgets.interact(show_target, target_pp=widgets.FloatSlider(value=0.2, min=0.0, max=1.0, step=0.05,
                                                            description="target (pp)", continuous_update=False));

# %% [markdown]
# Move the target. A target of 0 asks for the exact optimum; a loose one, such as 1 pp, for any of the
# many good cells. Which strategies get to a loose target first, and why could cheap 1-epoch evaluations
# help there but not for a tight target? The median time is only defined when at least half the runs got
# there.
#
# ## 11. Search cost
#
# The source text lists **search cost** among NAS's main challenges: every candidate has to be trained. A
# tabular benchmark moves that cost up front. Training every distinct cell of our space with 3 seeds was
# paid once; after that, each search above is a sequence of lookups (section 3 printed how long all of
# them took). Count what this lesson would have cost with real training:

# %%
table_seconds = bench.cumulative_seconds[:, :, -1].sum()        # every distinct cell x 3 seeds, 12 epochs
search_seconds = per_run["total_cost"].max()                      # simulated training of each search above
lesson_seconds = (search_seconds.sum() + pair.groupby(["strategy", "seed"])["total_cost"].max().sum())
print(f"building the benchmark: {table_seconds / 3600:.1f} h of training ({len(bench)} cells x "
      f"{len(bench.seeds)} seeds)")
print(f"one search of this lesson: {search_seconds.mean():.0f} s on average, "
      f"{search_seconds.mean() / table_seconds:.1%} of the benchmark's cost")
print(f"all searches of this lesson ({len(search_seconds) + pair.groupby(['strategy', 'seed']).ngroups} runs): "
      f"{lesson_seconds / 3600:.1f} h, {lesson_seconds / table_seconds:.0f}x the benchmark's cost, "
      f"done here in seconds of lookups")
# the text below: one search is cheap next to the benchmark, a fair comparison costs many times more
assert search_seconds.mean() < 0.1 * table_seconds < table_seconds < lesson_seconds / 10

# %% [markdown]
# Two lessons follow. First, a single search is cheap next to the benchmark, but a *fair comparison*
# (many strategies, many seeds) costs many times more than the benchmark: that is why tabular
# benchmarks exist, and why a comparison run with real training can rarely afford many seeds.
# Second, when you report a NAS method's cost, report all of it: the search, the final training of the
# chosen architecture, and the tuning of the search method's own hyperparameters, which is easy to
# leave out.
#
# ## 12. Which claims do the results support?
#
# ### Try it yourself 4
#
# Here are five claims someone might write after running this notebook. For each, decide whether **these
# results** (the 50 seeds in `runs`) support it: *supported* means that the one-sided rank-sum test of the
# claim, at the claim's budget and on the claim's metric, gives $p < 0.05$. Some p-values are in the
# tables above; for a claim against another baseline than random search, run the test yourself (with
# `scipy.stats.mannwhitneyu(x, y, alternative="less")` or your `permutation_p`).
#
# | key | claim |
# |---|---|
# | `evolution_100_evals` | At 100 evaluations, regularized evolution reaches a lower **validation** regret than random search. |
# | `evolution_test_400s` | At 400 simulated seconds, regularized evolution's chosen cells have a lower **test** regret than random search's. |
# | `sh_400s` | At 400 simulated seconds, successive halving reaches a lower validation regret than random search. |
# | `local_400s` | At 400 simulated seconds, local search reaches a lower validation regret than random search. |
# | `tpe_beats_evolution_100_evals` | At 100 evaluations, Optuna's TPE reaches a lower validation regret than regularized evolution. |
#
# Set each value to `True` or `False`. (The checker recomputes the answers with the lesson's settings:
# 50 seeds, 100 evaluations, 400 simulated seconds.)

# %%
claims = {
    "evolution_100_evals": ____,
    "evolution_test_400s": ____,
    "sh_400s": ____,
    "local_400s": ____,
    "tpe_beats_evolution_100_evals": ____,
}
q4.check()

# %%
# q4.hint()
# q4.solution()

# %% [markdown]
# Even a supported claim needs its effect size (section 7) and its context: a win on validation regret
# is not a win on test, a win at 100 evaluations is not a win at equal training time, and "not supported"
# means "these 50 runs cannot tell", not "the strategies are equal".
#
# ## 13. The NAS best-practices checklist
#
# Lindauer and Hutter (2020) collected the mistakes they kept finding in NAS papers into a checklist.
# In our own words, grouped as they group it:
#
# **Releasing code**
# - the code of the training pipeline (how every architecture is trained and evaluated) is released;
# - the code of the NAS method, with its settings and seeds, is released;
# - it is released as it was used, without waiting for a clean-up that may never come.
#
# **Comparing methods**
# - all methods use exactly the same search space, data and splits, and training code with the same
#   hyperparameters (a better training recipe can outweigh a better search);
# - all methods get the same budget in the same unit, ideally time, and the same evaluation protocol;
# - confounders are controlled: hardware, library versions, run times;
# - **random search** is among the baselines (and other simple ones such as local search);
# - there are **many runs** with different seeds, reported with their spread or confidence intervals;
# - performance is shown **over time** (anytime curves), not at one cherry-picked budget;
# - **ablations** show which part of a new method makes the difference;
# - **tabular or surrogate benchmarks** are used for in-depth comparisons with many runs.
#
# **Reporting**
# - how each method's hyperparameters were tuned, and at what cost: never on the test set;
# - the **end-to-end cost** of the method (search, final training, tuning), not only the search phase;
# - all details of the set-up, and the result on **test** for an architecture chosen on validation.
#
# Use it on a claim. A (made-up) paper says: *"Our new strategy beats regularized evolution on a
# cell benchmark: in our run, the cell it found has a higher validation accuracy after the same number of
# evaluations. We tuned our strategy's learning rate on the same benchmark and report the best setting."*
# Tick every item the claim satisfies:

# %%
CHECKLIST = [
    ("code", "training pipeline released"), ("code", "NAS method released with settings and seeds"),
    ("compare", "same space, data, splits and training code for all methods"),
    ("compare", "same budget, in time, and same evaluation protocol"), ("compare", "confounders controlled"),
    ("compare", "random search among the baselines"), ("compare", "many seeds, with spread / CIs"),
    ("compare", "anytime curves, not one budget"), ("compare", "ablations"),
    ("compare", "tabular / surrogate benchmark for in-depth study"),
    ("report", "hyperparameter tuning reported, not on test"), ("report", "end-to-end cost reported"),
    ("report", "result on test for an architecture chosen on validation"),
]
boxes = [widgets.Checkbox(value=False, description=f"[{group}] {item}", indent=False,
                          layout=widgets.Layout(width="520px")) for group, item in CHECKLIST]
verdict = widgets.HTML()


def update_verdict(change=None):
    missing = [item for (_, item), box in zip(CHECKLIST, boxes) if not box.value]
    verdict.value = (f"<b>{len(CHECKLIST) - len(missing)} of {len(CHECKLIST)} satisfied.</b>"
                     + ("<br>Not shown by this claim: " + "; ".join(missing) if missing else ""))


for box in boxes:
    box.observe(update_verdict, names="value")
update_verdict()
widgets.VBox([*boxes, verdict])

# %% [markdown]
# The claim fails most of the list: one run, the validation number, a budget in evaluations, no random
# search baseline, and its own hyperparameters tuned on the benchmark it is evaluated on. Now untick
# everything and tick what this lesson's comparison does satisfy: same space, data and training for all
# (one benchmark), budgets in simulated time, random search included, 50 seeds with confidence intervals,
# anytime curves, a tabular benchmark, test reported for a choice made on validation, and every search's
# cost counted. It has no ablations and no tuning of the strategies (each ran with its defaults), which
# is itself a choice worth reporting.
#
# ## Recap
#
# - **The NAS-Bench-201 protocol**: search on validation, report test, budgets in simulated seconds, many
#   runs; score a search by its **regret** against the benchmark's ground truth.
# - **One run proves nothing**: single runs of two strategies rank them wrongly a large share of the time;
#   compare distributions over many seeds.
# - **Budgets in seconds, not evaluations**: architectures differ in cost, and strategies that find good
#   cells spend more per evaluation; counting evaluations flatters them, and the gaps shrink at equal time.
# - **Confidence intervals** ($\bar x \pm t \cdot s/\sqrt n$) for each mean; a **one-sided rank-sum
#   (Mann-Whitney U) test** for each difference, because regrets are skewed, bounded and tied; a
#   **permutation test** gives its p-value from first principles.
# - **Effect sizes** next to p-values: on this benchmark the top cells are close together, and the
#   differences between strategies are small even where they are significant.
# - **p-hacking** across budgets turns noise into "wins"; fix the protocol first.
# - **Time to target** needs the censored runs; **search cost** is why tabular benchmarks exist and why
#   the whole cost of a method should be reported.
# - The **best-practices checklist** turns all of this into questions to ask of any claimed result.
#
# **Next:** the advanced lessons open the boxes this lesson treated as contestants: local search,
# Bayesian optimisation and multi-fidelity methods (successive halving, Hyperband), then weight sharing,
# zero-cost proxies and hardware-aware NAS, each measured with the protocol you now know.
