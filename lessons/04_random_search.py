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
# # 04 · Random search
#
# The simplest search strategy draws architectures at random and keeps the best. It learns nothing from
# what it sees, and yet it is the baseline every NAS method must beat, and a hard one to beat. This
# lesson measures how good it is, in theory and in many simulated searches.
#
# **You will:**
# 1. read the **search loop** every strategy plugs into: [ask](glossary.md#ask-tell) → evaluate → tell;
# 2. predict the **expected best of $n$ random draws** with order statistics, and check it
#    against 200 simulated random searches;
# 3. see how the result grows with the **budget** $n$, and measure the **[regret](glossary.md#regret)**;
# 4. compare **grid search** with random search;
# 5. compare a live random search over MLPs with **hand-designed** MLPs.

# %%
import inspect

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

import nastutor as nt
from nastutor import plots
from nastutor.compare import regret_frame
from nastutor.exercises.lesson04 import *

ev = nt.TabularEvaluator("cell-mnist1d")     # lookups in the cell benchmark (lesson 03)
bench, space = ev.benchmark, ev.space
truth = bench.truth().to_numpy()     # ground truth per benchmark row: mean of 3 seeds, full training
assert space.size == 4096 and len(bench) == 941 and len(bench.seeds) == 3, bench    # the text quotes these
print(f"{bench}; the best cell has mean validation accuracy {truth.max():.4f}")


# %% [markdown]
# ## 1. The search loop: ask → evaluate → tell
#
# Every NAS method is a loop: sample a candidate, estimate its performance, update the strategy, repeat.
# A **strategy** only answers two calls: `ask()`, the next architecture
# to evaluate, and `tell(arch, evaluation)`, the result to learn from (random search ignores it);
# `setup(space, seed)` starts a fresh search with a random generator `self.rng`. Since the strategy never
# runs the loop itself, anything can drive it. Here is the whole of random search, and `setup`:

# %%
print(inspect.getsource(nt.RandomSearch))
print(inspect.getsource(nt.Strategy.setup))

# %% [markdown]
# Driving it by hand is a short loop; each evaluation is a lookup: one training seed's validation accuracy
# after full training, charged the recorded seconds.

# %%
strategy = nt.RandomSearch()
strategy.setup(space, seed=0)
for step in range(5):
    arch = strategy.ask()                           # ask
    evaluation = ev.evaluate(arch, seed=step)       # evaluate (a lookup: one training seed)
    strategy.tell(arch, evaluation)                 # tell
    print(f"step {step}: {space.to_string(arch)}  val {evaluation.val_accuracy:.3f}  ({evaluation.cost:.1f} s)")

# %% [markdown]
# In nastutor that loop is `search_loop`. It also gives every evaluation its own
# seed, lets the strategy choose the number of epochs (lesson 03), and records everything in a `History`:

# %%
print(inspect.getsource(nt.search_loop))

# %% [markdown]
# `run_search` runs the same loop and adds a budget in simulated seconds, a log to resume from, parallel
# workers and a progress bar. Its `History` lists where the best architecture so far, the **[incumbent](glossary.md#incumbent)**,
# changed:

# %%
history = nt.run_search(nt.RandomSearch(), ev, budget=50, seed=0)
history.incumbent_trajectory().style.format(precision=4)   # styled: whole cell strings


# %% [markdown]
# ### Try it yourself 1
#
# Write random search yourself: a class `MyRandomSearch(nt.Strategy)` whose `ask()` returns an
# architecture drawn **uniformly at random from the whole space**, using only `self.rng`, so that the
# same seed gives the same search, and without calling `self.space.sample` (the one-line answer above).
# Useful: `self.space.enumerate()` yields every architecture; you may override `setup` (call
# `super().setup(space, seed, max_epochs)` first). (With MLPs, drawing the depth first is *not* uniform.)

# %%
class MyRandomSearch(nt.Strategy):
    def ask(self):
        ____  # your code here


q1.check()

# %%
# q1.hint()
# q1.solution()

# %% [markdown]
# ## 2. How good is the best of $n$ random draws?
#
# Random search draws $n$ architectures independently from the same distribution and keeps the one with
# the highest validation accuracy. Call $V$ the validation accuracy of one draw and $F(x) = P(V \le x)$
# its cumulative distribution function. The best of $n$ draws is at most $x$ exactly when **all** are:
#
# $$
# P\big(\max(V_1, \dots, V_n) \le x\big) = F(x)^n .
# $$

# %% [markdown]
# When $V$ takes the values $x_{(1)} \le x_{(2)} \le \dots \le x_{(N)}$, each with probability $1/N$
# (an empirical distribution, such as a benchmark's table), then $F(x_{(i)}) = i/N$, and the best of
# $n$ draws equals $x_{(i)}$ with probability $(i/N)^n - ((i-1)/N)^n$. So
#
# $$
# \mathbb{E}[\text{best of } n] = \sum_{i=1}^{N} x_{(i)} \left[\left(\frac{i}{N}\right)^{n} - \left(\frac{i-1}{N}\right)^{n}\right].
# $$
#
# > **Math breakdown:**
# > - $x_{(i)}$: the $i$-th smallest value (an **order statistic**).
# > - $(i/N)^n$: the chance that all $n$ draws land among the $i$ smallest values. Subtracting the same
# >   for $i - 1$ leaves the chance that the best is exactly $x_{(i)}$.
# > - $n = 1$ gives the plain mean; as $n$ grows, the weight moves onto the top values: the expected best
# >   climbs quickly at first, then ever more slowly.
# > - Only the distribution of accuracies matters: random search's result is set by **how much of the
# >   space is good**.

# %% [markdown]
# **Which distribution?** Random search samples *raw* cells: `CellSpace.sample` picks one of the 4096
# cells uniformly. The benchmark stores only the 941 canonical ones (lesson 02): `TabularEvaluator` maps
# each raw cell to its canonical row and returns one of the 3 training seeds. So one draw is uniform over
# 4096 raw cells × 3 seeds: a canonical cell counts as often as raw cells map onto it.

# %%
raw_rows = np.array([bench.index(a) for a in space.enumerate()])   # benchmark row of each raw cell
draws = bench.val[raw_rows, :, -1].ravel()                        # 4096 x 3 equally likely values
copies = np.bincount(raw_rows, minlength=len(bench))
print(f"{space.size} raw cells map onto {len(bench)} rows; {np.sum(copies == 1)} rows have a single raw cell, "
      f"the most shared one has {copies.max()}")


# %% [markdown]
# ### Try it yourself 2
#
# Implement the formula: `expected_best(accuracies, n)` returns the expected maximum of `n` independent
# draws (with replacement) from the 1-D array `accuracies`, every entry equally likely. The array may be
# unsorted and may hold ties. The checker compares with a reference on several arrays, including `draws`.

# %%
def expected_best(accuracies, n):
    ____  # your code here


q2.check()


# %%
# q2.hint()
# q2.solution()

# %% [markdown]
# Now test the theory: the cell below runs 200 random searches of 200 evaluations each on the benchmark
# (lookups), keeping after every step $n$ the best validation accuracy seen and the regret of the search's
# choice (section 3).
#
# **Predict, then run (p1).** The plot also draws the formula over the benchmark's rows, each counted once.
# Compared with what random search gets, does that predict **(a)** a higher expected best, **(b)** a lower
# one, or **(c)** the same?

# %%
p1.check(____)   # your prediction: a, b or c
# p1.hint()

# %%
def best_of_n_formula(values, n):                          # the sum above, grouped by distinct value
    distinct, counts = np.unique(values, return_counts=True)
    F = np.cumsum(counts) / counts.sum()                  # P(V <= x) at each distinct value
    F_below = F - counts / counts.sum()                   # P(V < x)
    return float(np.sum(distinct * (F ** n - F_below ** n)))


N_RUNS, MAX_N = 200, 200
seen_best = np.empty((N_RUNS, MAX_N))                     # best validation accuracy seen after n draws
regret = np.empty((N_RUNS, MAX_N))                        # regret of the architecture it would choose
for s in tqdm(range(N_RUNS), desc="random searches", unit="search"):
    h = nt.run_search(nt.RandomSearch(), ev, budget=MAX_N, seed=s, progress=False)
    seen_best[s] = h.to_frame()["incumbent_val"]
    regret[s] = regret_frame(h, ev)["val_regret"]

ns = np.arange(1, MAX_N + 1)
formula = np.array([best_of_n_formula(draws, n) for n in ns])
std_error = seen_best.std(axis=0, ddof=1) / np.sqrt(N_RUNS)
# the recap says the formula matched the simulation: within 3 standard errors at every budget
assert (abs(formula - seen_best.mean(axis=0)) < 3 * std_error).all()
plots.curves(ns, {"simulated best seen": seen_best, "formula: 4096 raw cells x 3 seeds": formula,
                  "formula: 941 rows, unweighted (wrong)": [best_of_n_formula(bench.val[:, :, -1], n) for n in ns]},
             xscale="log", ylim=(0.8, 1.0), xlabel="budget n (architectures evaluated)",
             ylabel="best validation accuracy", title="Expected best of n random cells: order statistics vs simulation")

# %% [markdown]
# > **Common pitfall:** computing the theory over the benchmark's rows instead of what the search really
# > samples (p1). Sampling canonical cells directly would be a *different* strategy.

# %% [markdown]
# ## 3. Budgets and regret
#
# The best accuracy *seen* is what the search reports, not what you get: the search chooses on **one**
# noisy training run, so the architecture it picks is usually a little worse than the score that made
# it win (the **winner's curse**; with $n = 1$ nothing is selected and the gap is pure noise). What you
# get is measured by the **regret**:
#
# $$
# r(n) = f(a^\star) - f(\hat a_n), \qquad \hat a_n = \text{the incumbent after } n \text{ evaluations}.
# $$
#
# > **Math breakdown:**
# > - $f(a)$: the ground truth, the mean validation accuracy over the benchmark's seeds after full
# >   training (`bench.truth()`); $a^\star$: the best architecture (`bench.optimum()`).
# > - $\hat a_n$: the architecture with the best *observed* validation accuracy among the first $n$ draws.
# > - $r(n) \ge 0$; it can grow when a lucky seed makes a worse architecture the incumbent.
#
# Move the slider to change the budget $n$: the left panel shows the best accuracy seen in each of the
# 200 searches, the right panel the regret of the architecture each would choose.
#
# **Predict, then run (p2).** After how many evaluations does the mean regret first drop below 0.005:
# **(a)** fewer than 25, **(b)** 25 to 100, or **(c)** more than 100?

# %%
p2.check(____)   # your prediction: a, b or c
# p2.hint()

# %%
def show_budget(n=20):
    best, r = seen_best[:, n - 1], regret[:, n - 1]
    step = max(0.001, round(np.ptp(best) / 30, 3))         # accuracies are multiples of 0.001
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
    plots.histogram(best, bins=np.arange(best.min() - 0.0005, best.max() + step, step), ylabel="searches",
                    marks={"formula: expected best": best_of_n_formula(draws, n), "simulated mean": best.mean()},
                    xlabel="validation accuracy (one seed)", title=f"Best validation accuracy seen after n = {n}", ax=ax1)
    plots.histogram(r, bins=np.linspace(0, max(0.02, r.max()), 41), xlabel="regret (mean validation accuracy below "
                    "the optimum)", ylabel="searches", ax=ax2,
                    title=f"Regret of the chosen cell: mean {r.mean():.4f}, optimum chosen in {np.mean(r == 0):.0%}")
    plt.show()
    curse = best - (truth.max() - r)                   # best score seen minus the chosen cell's ground truth
    print(f"winner's curse at n = {n}: the best score seen overstates the chosen cell by {curse.mean():+.4f} on average")


below = np.flatnonzero(regret.mean(axis=0) < 0.005) + 1          # the budgets n with a mean regret below 0.005
print(f"mean regret first below 0.005 at n = {below[0]}" if len(below) else f"mean regret >= 0.005 up to n = {MAX_N}")
widgets.interact(show_budget, n=widgets.IntSlider(value=20, min=1, max=MAX_N, description="budget n",
                                                  continuous_update=False));

# %% [markdown]
# ### Try it yourself 3
#
# Write `regret_curve(history, bench)`: for a `History` from `run_search` on a tabular benchmark, return
# a NumPy array of one regret per step: the benchmark's best ground truth minus that of the incumbent,
# the evaluation with the highest **observed** `val_accuracy` so far (the earliest among ties, as
# `History.best` does). The checker compares with `regret_frame`, which the simulation above used.

# %%
def regret_curve(history, bench):
    ____  # your code here


q3.check()

# %%
# q3.hint()
# q3.solution()

# %% [markdown]
# ## 4. Grid search vs random search
#
# Grid search evaluates the architectures in the space's `enumerate()` order (below); stopped early, it
# has seen only one corner of the space. Bergstra and Bengio (2012) gave the
# classic argument for random search: when only **a few decisions matter**, a grid spends its budget
# repeating the same few values of each important decision, whereas $n$ random draws try many more of
# them. Let us test it on the MLP benchmark (819 MLPs), after looking up which decisions matter.

# %%
print(inspect.getsource(nt.GridSearch))

# %%
mlp_ev = nt.TabularEvaluator("mlp-mnist1d")
mlp_bench, mlp_space = mlp_ev.benchmark, mlp_ev.space
assert len(mlp_bench) == 819 and mlp_bench.epochs == 50, mlp_bench        # the text quotes these
mlp_truth = mlp_bench.truth().to_numpy()
decisions = {"depth": len, "first width": lambda a: a[0][0], "first activation": lambda a: a[0][1],
             "last width": lambda a: a[-1][0], "last activation": lambda a: a[-1][1]}
by_option = {d: pd.Series(mlp_truth).groupby([of(a) for a in mlp_bench.archs]).mean() for d, of in decisions.items()}
pd.DataFrame({"mean accuracy per option": {d: ", ".join(f"{k}: {v:.3f}" for k, v in s.items()) for d, s in by_option.items()},
              "spread (max - min)": {d: round(s.max() - s.min(), 3) for d, s in by_option.items()}})

# %%
GRID_N, MLP_RUNS = 300, 100
grid = nt.run_search(nt.GridSearch(), mlp_ev, budget=GRID_N, seed=0, progress=False)
random_runs = [nt.run_search(nt.RandomSearch(), mlp_ev, budget=GRID_N, seed=s, progress=False)
               for s in tqdm(range(MLP_RUNS), desc="random searches", unit="search")]
fig, ax = plt.subplots(figsize=(9, 4.2))
plots.curves(np.arange(1, GRID_N + 1), {"random search": [regret_frame(h, mlp_ev)["val_regret"] for h in random_runs],
                                        "grid search (enumerate order)": regret_frame(grid, mlp_ev)["val_regret"]},
             xscale="log", xlabel="budget n (MLPs evaluated)", ylabel="regret (mean validation accuracy)",
             title="Grid vs random search on mlp-mnist1d", ax=ax)
plt.show()
pd.DataFrame({"grid": pd.Series([e.arch[0][0] for e in grid]).value_counts(),
              f"random (mean of {MLP_RUNS} searches)": pd.Series([e.arch[0][0] for h in random_runs for e in h]).value_counts() / MLP_RUNS}
             ).rename_axis(f"first-layer width (first {GRID_N} MLPs evaluated)")

# %% [markdown]
# The grid walks through all one-layer MLPs first, then the deeper ones, varying the **first** layer
# slowest: it holds the first-layer width, a decision that matters, fixed for long stretches (last
# table), while random search spreads over every value of every decision.
#
# > **Common pitfall:** judging grid search by a grid that was stopped early. Its quality at a given
# > budget depends on the order in which it was written down; random search has no such hidden choice.

# %% [markdown]
# ## 5. Random search vs hand-designed networks
#
# A classic first exercise in NAS: *implement random search for a small dataset; how does it compare with
# hand-designed models?* Random search over `MLPSpace` (1 to 3 hidden layers, each 16/32/64 units,
# ReLU/tanh/ELU) on MNIST-1D chooses on the **validation** split; then its choice and two hand-designed
# baselines (a network of 32 ReLU units, the textbook first MLP, and two wide ReLU layers) are retrained
# by the same protocol, each final candidate with 3 seeds, and reported on the **test** split.

# %%
mlp_live = nt.LiveEvaluator(nt.MLPSpace(), "mnist1d")
assert mlp_live.space.decisions[0] == ("depth", (1, 2, 3)) and mlp_live.space.widths == (16, 32, 64)
search = nt.run_search(nt.RandomSearch(), mlp_live, budget=20, seed=0)
print(f"{len(search)} MLPs trained in {search.total_cost:.1f} s; protocol: {mlp_live.config}")

# %%
candidates = {"random search's choice": search.best_arch, "hand-designed": mlp_space.parse("32relu"),
              "hand-designed, wide": mlp_space.parse("64relu-64relu")}
print(f"for scale, the test accuracy of each benchmark's best (chosen on validation): "
      f"MLP {mlp_bench.optimum()[2]:.3f}, cell network {bench.optimum()[2]:.3f}")
rows = {}
for label, arch in tqdm(list(candidates.items()), desc="retraining with 3 seeds", unit="network"):
    test = [mlp_live.evaluate(arch, seed=seed).test_accuracy for seed in range(3)]
    rows[label] = {"arch": mlp_space.to_string(arch), "test (mean of 3)": np.mean(test), "test std": np.std(test, ddof=1),
                   "benchmark: share of MLPs it beats": np.mean(mlp_truth < mlp_truth[mlp_bench.index(arch)])}
pd.DataFrame.from_dict(rows, orient="index").round(3)

# %% [markdown]
# The search chose on one noisy validation run among 20, so judge it by the retrained means on **test**,
# against the seed-to-seed spread. The last column places each network in the whole space of 819 MLPs
# (under the benchmark's 50-epoch protocol); the first line puts it in scale: the best MLP stays far below
# the cell networks. **The search space bounds what any strategy can find.**
#
# > **Common pitfall:** comparing a searched network with a hand-designed one trained by a different
# > recipe, or reporting its validation score, on which it was selected.

# %% [markdown]
# ## Recap
#
# - Every strategy plugs into one loop, **ask → evaluate → tell**; `run_search` drives it under a budget.
# - The **expected best of $n$** random draws follows from order statistics over what the search really
#   samples (raw cells × seeds), and it matched 200 simulated searches.
# - More budget helps quickly, then slowly; the **regret** of the chosen architecture is what counts, and
#   the best score seen overstates it (the winner's curse).
# - **Grid search** stopped early covers only a corner of the space.
# - Judge a searched network against hand-designed ones trained alike, on test, with several seeds; the
#   search space limits them all.
#
# **Next:** lesson 05 makes the search learn from what it sees: evolution mutates the best architectures
# found so far instead of drawing blindly.
#
# [← Previous: 03 · Performance estimation](03_performance_estimation.ipynb) ·
# [Next: 05 · Evolution →](05_evolution.ipynb)
