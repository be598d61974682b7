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
# The simplest search strategy draws architectures at random, evaluates each, and keeps the best.
# It learns nothing from what it has seen, and yet the course's source text calls it "surprisingly
# effective". This lesson measures how effective: in theory, from the distribution of accuracies in
# the search space, and in practice, from many simulated searches.
#
# **You will:**
# 1. read the **search loop** every strategy of the course plugs into: ask → evaluate → tell;
# 2. predict the **expected best of $n$ random draws** with order statistics, and check the prediction
#    against 200 simulated random searches on the tabular benchmark;
# 3. see how the result grows with the **budget** $n$, and measure the **regret**;
# 4. compare **grid search** with random search;
# 5. run a live random search over MLPs on MNIST-1D and compare its choice with **hand-designed** MLPs.

# %%
import inspect

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from tqdm.auto import tqdm

import nastutor as nt
from nastutor.exercises.lesson04 import *

ev = nt.TabularEvaluator("cell-mnist1d")     # lookups in the cell benchmark (lesson 03)
bench, space = ev.benchmark, ev.space
truth = bench.truth().to_numpy()     # ground truth per benchmark row: mean of 3 seeds, full training
print(bench)
print(f"the space: {space.size} cells, {len(bench)} distinct functions; the best has mean validation "
      f"accuracy {truth.max():.4f}")
assert space.size == 4096 and len(bench) == 941 and len(bench.seeds) == 3, bench    # the text quotes these


def show_source(obj):
    display(Markdown(f"```python\n{inspect.getsource(obj)}\n```"))


# %% [markdown]
# ## 1. The search loop: ask → evaluate → tell
#
# The source text describes NAS as a loop: sample a candidate from the search space, estimate its
# performance, update the strategy with the result, repeat. nastutor splits that loop in the same
# places. A **strategy** (`nastutor/strategies/base.py`) only answers two calls:
#
# - `ask()`: the next architecture to evaluate;
# - `tell(arch, evaluation)`: the result, to learn from (random search ignores it);
#
# and `setup(space, seed)` starts a fresh search: it stores the space and a random generator
# `self.rng` made from the seed. Because the strategy never runs the loop itself, anything can drive
# it: `run_search`, a widget, a pool of worker processes. Here is the whole of random search
# (`nastutor/strategies/random_search.py`) and the base class's `setup`:

# %%
show_source(nt.RandomSearch)
show_source(nt.Strategy.setup)

# %% [markdown]
# Driving it by hand is a short loop. Each evaluation here is a lookup in the benchmark:
# one training seed's validation accuracy after full training, charged the recorded seconds.

# %%
strategy = nt.RandomSearch()
strategy.setup(space, seed=0)
for step in range(5):
    arch = strategy.ask()                           # ask
    evaluation = ev.evaluate(arch, seed=step)       # evaluate (a lookup: one training seed)
    strategy.tell(arch, evaluation)                 # tell
    print(f"step {step}: {space.to_string(arch)}  val {evaluation.val_accuracy:.3f}  "
          f"({evaluation.cost:.1f} simulated s)")

# %% [markdown]
# In nastutor that loop is `search_loop` (`nastutor/search.py`), the loop every strategy plugs into.
# Besides ask, evaluate and tell, it only gives every evaluation its own seed, lets the strategy choose
# the number of epochs (lesson 03's low fidelity), and records everything in a `History`:

# %%
show_source(nt.search_loop)

# %% [markdown]
# `run_search` runs the same loop, with the same result for the same seed, and adds on top what a real
# search needs: a budget in simulated seconds as well as in evaluations, a log to resume from, parallel
# workers and a progress bar.

# %%
history = nt.run_search(nt.RandomSearch(), ev, budget=50, seed=0)
print(history)
history.incumbent_trajectory()


# %% [markdown]
# ### Try it yourself 1
#
# Write random search yourself, as an ask/tell strategy: a class `MyRandomSearch(nt.Strategy)` whose
# `ask()` returns an architecture drawn **uniformly at random from the whole space** (every architecture
# equally likely), using only `self.rng` for randomness, so that the same seed gives the same search.
# Do it without calling `self.space.sample`: that would be the one-line answer above. Useful:
# `self.space.enumerate()` yields every architecture, and you may override `setup` (call
# `super().setup(space, seed, max_epochs)` first).
#
# The checker runs your class with `run_search` on both benchmarks: are its answers architectures of the
# space, does the same seed give the same search and another seed a different one, and are its draws
# spread uniformly? (Careful with MLPs: drawing the depth first, uniformly, is *not* uniform over
# architectures.)

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
# Random search draws $n$ architectures independently, each time from the same distribution, and
# keeps the one with the highest validation accuracy. Call $V$ the validation accuracy of one draw
# and $F(x) = P(V \le x)$ its cumulative distribution function. The best of $n$ independent draws is
# at most $x$ exactly when **all** $n$ draws are:
#
# $$
# P\big(\max(V_1, \dots, V_n) \le x\big) = F(x)^n .
# $$
#
# When $V$ takes the values $x_{(1)} \le x_{(2)} \le \dots \le x_{(N)}$, each with probability $1/N$
# (an empirical distribution, such as a benchmark's table), then $F(x_{(i)}) = i/N$, and the best of
# $n$ draws equals $x_{(i)}$ with probability $(i/N)^n - ((i-1)/N)^n$. So
#
# $$
# \mathbb{E}[\text{best of } n] = \sum_{i=1}^{N} x_{(i)} \left[\left(\frac{i}{N}\right)^{n} - \left(\frac{i-1}{N}\right)^{n}\right].
# $$
#
# > **Math breakdown:**
# > - $x_{(i)}$: the $i$-th smallest value (an **order statistic**); $N$: how many equally likely values.
# > - $(i/N)^n$: the chance that all $n$ draws land among the $i$ smallest values, i.e. that the best is at
# >   most $x_{(i)}$. Subtracting the same for $i - 1$ leaves the chance that the best is exactly $x_{(i)}$.
# > - $n = 1$ gives the plain mean; as $n$ grows, the weight moves onto the top values: the expected best
# >   climbs quickly at first, then ever more slowly towards the maximum.
# > - The formula needs only the distribution of accuracies, not the architectures: random search's
# >   performance is set by **how much of the space is good**.
#
# **Which distribution?** Random search samples *raw* cells: `CellSpace.sample` picks one of the 4096
# cells uniformly. The benchmark stores only the 941 canonical ones (lesson 02); `TabularEvaluator`
# maps each raw cell to its canonical row (`bench.index`) and returns one of the 3 training seeds.
# So the distribution of one draw is the benchmark's final validation accuracy, over 4096 raw cells
# × 3 seeds, each equally likely: a canonical cell counts as often as raw cells map onto it.

# %%
raw_rows = np.array([bench.index(a) for a in space.enumerate()])   # benchmark row of each raw cell
copies = np.bincount(raw_rows, minlength=len(bench))
draws = bench.val[raw_rows, :, -1].ravel()                        # 4096 x 3 equally likely values
print(f"{space.size} raw cells map onto {len(bench)} rows; {np.sum(copies == 1)} rows have a single raw cell, "
      f"the most shared one has {copies.max()}")
most = pd.DataFrame({"arch": [space.to_string(bench.archs[k]) for k in np.argsort(-copies)[:5]],
                     "raw cells": np.sort(copies)[::-1][:5],
                     "mean val accuracy": truth[np.argsort(-copies)[:5]]})
most.round(4)


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
# Now test the theory against practice. The cell below runs 200 random searches of 200 evaluations
# each on the benchmark (lookups, not training: the progress bar shows how long they take). From each
# search we keep, after every step $n$, the best validation accuracy seen so far and the ground truth
# (mean accuracy over seeds) of the architecture it would choose. The formula is computed with `np.unique` and cumulative sums: the same
# sum as above, grouped by distinct value.

# %%
def best_of_n_formula(values, n):
    distinct, counts = np.unique(values, return_counts=True)
    F = np.cumsum(counts) / counts.sum()                  # P(V <= x) at each distinct value
    F_below = F - counts / counts.sum()                   # P(V < x)
    return float(np.sum(distinct * (F ** n - F_below ** n)))


N_RUNS, MAX_N = 200, 200
seen_best = np.empty((N_RUNS, MAX_N))                     # best validation accuracy seen after n draws
chosen_truth = np.empty((N_RUNS, MAX_N))                  # ground truth of the architecture it would choose
for s in tqdm(range(N_RUNS), desc="random searches", unit="search"):
    h = nt.run_search(nt.RandomSearch(), ev, budget=MAX_N, seed=s, progress=False)
    frame = h.to_frame()
    seen_best[s] = frame["incumbent_val"]
    chosen_truth[s] = truth[[bench.index(space.parse(a)) for a in frame["incumbent"]]]

budgets = [1, 2, 5, 10, 20, 50, 100, 200]
theory = pd.DataFrame({"n": budgets,
                       "formula": [best_of_n_formula(draws, n) for n in budgets],
                       "simulated mean": [seen_best[:, n - 1].mean() for n in budgets],
                       "simulated std. error": [seen_best[:, n - 1].std(ddof=1) / np.sqrt(N_RUNS) for n in budgets],
                       "formula, 941 rows unweighted (wrong)": [best_of_n_formula(bench.val[:, :, -1].ravel(), n)
                                                                for n in budgets]})
# the recap says the formula matched the simulation: within 3 standard errors at every budget
assert (abs(theory["formula"] - theory["simulated mean"]) < 3 * theory["simulated std. error"]).all()
theory.round(4)

# %%
ns = np.arange(1, MAX_N + 1)
fig, ax = plt.subplots(figsize=(9, 4.5))
ax.fill_between(ns, np.percentile(seen_best, 5, axis=0), np.percentile(seen_best, 95, axis=0),
                alpha=0.25, label="simulated: 5% to 95% of 200 searches")
ax.plot(ns, seen_best.mean(axis=0), lw=2, label="simulated: mean best seen")
ax.plot(ns, [best_of_n_formula(draws, n) for n in ns], "k--", label="formula: 4096 raw cells x 3 seeds")
ax.plot(ns, [best_of_n_formula(bench.val[:, :, -1].ravel(), n) for n in ns], ":", color="tab:red",
        label="formula: 941 rows, unweighted (wrong)")
ax.set(xscale="log", xlabel="budget n (architectures evaluated)", ylabel="best validation accuracy",
       title="Expected best of n random cells: order statistics vs simulation", ylim=(0.8, 1.0))
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# > **Common pitfall:** computing the theory over the benchmark's rows instead of what the search really
# > samples. Random search draws raw cells, and many raw cells (those with dead edges) collapse
# > onto a few canonical rows; weighting every row equally predicts a different curve, as the dotted line
# > shows. Sampling canonical cells directly would be a *different* strategy, with a different result.
#
# ## 3. Budgets and regret
#
# The best accuracy *seen* is what the search reports, but it is not what you get. The search chooses
# on **one** noisy training run, so the architecture it picks is usually a little worse than the score
# that made it win (the **winner's curse**; with $n = 1$ nothing is selected and the gap is pure noise). What you get is measured by the **regret**: the gap
# between the space's best ground truth and the ground truth of the chosen architecture,
#
# $$
# r(n) = f(a^\star) - f(\hat a_n), \qquad \hat a_n = \text{the incumbent after } n \text{ evaluations}.
# $$
#
# > **Math breakdown:**
# > - $f(a)$: the ground truth, the mean validation accuracy over the benchmark's seeds after full training.
# > - $a^\star = \arg\max_a f(a)$: the best architecture of the space (`bench.optimum()`).
# >   `bench.truth()` holds $f$ for every architecture of the benchmark, and `bench.regret(a)` is
# >   $f(a^\star) - f(a)$.
# > - $\hat a_n$: the architecture with the best *observed* validation accuracy among the first $n$ draws.
# > - $r(n) \ge 0$, and $r(n) = 0$ when the search chose an optimum. $r(n)$ need not shrink at every step:
# >   a lucky seed can make a worse architecture the incumbent.
#
# Move the slider to change the budget $n$: the left panel shows the best accuracy seen in each of the
# 200 searches, the right panel the regret of the architecture each would choose.

# %%
optimum = truth.max()
regret = optimum - chosen_truth


def show_budget(n=20):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
    low = max(0.0, round(seen_best[:, n - 1].min() - 0.005, 3))
    step = max(0.001, round((1.0 - low) / 50, 3))        # accuracies are multiples of 0.001
    ax1.hist(seen_best[:, n - 1], bins=np.arange(low - step / 2, 1.0 + step, step), alpha=0.7,
             label="200 searches")
    ax1.axvline(best_of_n_formula(draws, n), color="k", ls="--", label="formula: expected best")
    ax1.axvline(seen_best[:, n - 1].mean(), color="tab:orange", label="simulated mean")
    ax1.set(title=f"Best validation accuracy seen after n = {n}", xlabel="validation accuracy (one seed)",
            ylabel="searches")
    ax1.legend(loc="best")
    ax2.hist(regret[:, n - 1], bins=np.linspace(0, max(0.02, regret[:, n - 1].max()), 41), color="tab:red",
             alpha=0.7)
    ax2.set(title=f"Regret of the chosen cell: mean {regret[:, n - 1].mean():.4f}; "
                  f"optimum chosen in {np.mean(regret[:, n - 1] == 0):.0%}",
            xlabel="regret (mean validation accuracy below the optimum)", ylabel="searches")
    fig.tight_layout()
    plt.show()
    curse = seen_best[:, n - 1] - chosen_truth[:, n - 1]
    print(f"winner's curse at n = {n}: best score seen minus the chosen cell's ground truth = "
          f"{curse.mean():+.4f} on average")


widgets.interact(show_budget, n=widgets.IntSlider(value=20, min=1, max=MAX_N, description="budget n",
                                                  continuous_update=False));

# %%
fig, ax = plt.subplots(figsize=(9, 4))
ax.fill_between(ns, np.percentile(regret, 5, axis=0), np.percentile(regret, 95, axis=0), alpha=0.25,
                label="5% to 95% of 200 searches")
ax.plot(ns, regret.mean(axis=0), lw=2, label="mean regret")
ax.set(xscale="log", xlabel="budget n (architectures evaluated)",
       ylabel="regret (validation accuracy)", title="Regret of random search on cell-mnist1d")
ax.set_yscale("symlog", linthresh=1e-3)
ax.set_ylim(0, None)
ax.legend()
plt.show()


# %% [markdown]
# ### Try it yourself 3
#
# Write `regret_curve(history, bench)`: given a `History` from `run_search` on a tabular benchmark and
# that benchmark, return a NumPy array with one regret per step: after step $t$, the benchmark's best
# ground truth minus the ground truth of the incumbent. The ground truth of an architecture is its mean
# validation accuracy over the benchmark's seeds after full training; the incumbent is the evaluation
# with the highest **observed** `val_accuracy` so far (the earliest one among ties, as
# `History.best` does). The checker compares with `nastutor.compare.regret_frame` on several searches.

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
# Grid search evaluates the architectures in a fixed order (`nastutor/strategies/grid_search.py`,
# below: the space's `enumerate()` order, one per class of equivalent architectures). Once it has
# covered the whole grid it has seen everything, but a search rarely has that budget, and a grid
# stopped early has seen only one corner of the space.
#
# Bergstra and Bengio (2012) gave the classic argument for random search: when only **a few decisions
# matter**, a grid spends its budget repeating the same few values of each important decision while
# varying unimportant ones, whereas $n$ random draws try many more distinct combinations of the
# decisions that matter. Let us test it on the MLP benchmark (819 MLPs), where we can first look up
# which decisions matter.

# %%
show_source(nt.GridSearch)

# %%
mlp_ev = nt.TabularEvaluator("mlp-mnist1d")
mlp_bench, mlp_space = mlp_ev.benchmark, mlp_ev.space
assert len(mlp_bench) == 819 and mlp_bench.epochs == 50, mlp_bench        # the text quotes these
mlp_truth = mlp_bench.truth().to_numpy()
decisions = pd.DataFrame({"depth": [len(a) for a in mlp_bench.archs],
                          "first width": [a[0][0] for a in mlp_bench.archs],
                          "first activation": [a[0][1] for a in mlp_bench.archs],
                          "last width": [a[-1][0] for a in mlp_bench.archs],
                          "last activation": [a[-1][1] for a in mlp_bench.archs],
                          "accuracy": mlp_truth})
spread = {d: decisions.groupby(d)["accuracy"].mean() for d in decisions.columns[:-1]}
pd.DataFrame({"mean accuracy per option": {d: ", ".join(f"{k}: {v:.3f}" for k, v in s.items())
                                           for d, s in spread.items()},
              "spread (max - min)": {d: round(s.max() - s.min(), 3) for d, s in spread.items()}})

# %%
GRID_N, MLP_RUNS = 300, 100
grid = nt.run_search(nt.GridSearch(), mlp_ev, budget=GRID_N, seed=0, progress=False)
grid_archs = [e.arch for e in grid]
depth_order = [len(a) for a in grid_archs]
assert depth_order == sorted(depth_order) and max(depth_order) == 3   # one-layer MLPs first, ..., three-layer last
random_runs = [nt.run_search(nt.RandomSearch(), mlp_ev, budget=GRID_N, seed=s, progress=False)
               for s in tqdm(range(MLP_RUNS), desc="random searches", unit="search")]


def regret_of(h):
    # the regret of the incumbent after every step: f(a*) - f(incumbent)
    return np.array([mlp_bench.regret(a) for a in h.to_frame()["incumbent"]])


grid_regret = regret_of(grid)
random_regret = np.array([regret_of(h) for h in random_runs])

n_look = GRID_N
first_widths = pd.DataFrame({
    "grid": pd.Series([a[0][0] for a in grid_archs[:n_look]]).value_counts().sort_index(),
    f"random (mean of {MLP_RUNS} searches)": pd.Series([a[0][0] for h in random_runs for a in
                                                [e.arch for e in h][:n_look]]).value_counts().sort_index() / MLP_RUNS})
print(f"first-layer width of the first {n_look} MLPs each search evaluated:")
first_widths.rename_axis("first-layer width")

# %%
steps = np.arange(1, GRID_N + 1)
fig, ax = plt.subplots(figsize=(9, 4.2))
ax.fill_between(steps, np.percentile(random_regret, 5, axis=0), np.percentile(random_regret, 95, axis=0),
                alpha=0.25, label="random: 5% to 95% of 100 searches")
ax.plot(steps, random_regret.mean(axis=0), lw=2, label="random: mean")
ax.plot(steps, grid_regret, lw=2, color="k", label="grid (enumerate order)")
ax.set(xscale="log", xlabel="budget n (MLPs evaluated)", ylabel="regret (mean validation accuracy)",
       title="Grid vs random search on mlp-mnist1d")
ax.legend()
plt.show()
for n in (10, 30, 100, 300):
    print(f"n = {n:3d}: grid regret {grid_regret[n - 1]:.4f}, random mean regret {random_regret[:, n - 1].mean():.4f}")

# %% [markdown]
# Look at the order the grid walks in: all one-layer MLPs first, then all two-layer ones, then the
# three-layer ones, always varying the **last** layer fastest and the **first** layer slowest. Compare
# with the table of which decisions matter: the grid holds the first-layer width fixed for long
# stretches, so a grid stopped at a fraction of the space has tried few first layers in its deep
# networks. Random search, with the same budget, spreads over every value of every decision. (Where a
# regret curve goes *up*, a new incumbent won on one lucky training seed but is worse on average: the
# winner's curse again.)
#
# > **Common pitfall:** judging grid search by a grid that was stopped early. A grid's quality at a given
# > budget depends entirely on the order in which it was written down; random search has no such
# > hidden choice, and its result at any budget is predictable from the formula above.
#
# ## 5. Try it yourself: random search vs hand-designed networks
#
# The source text ends its random-search section with an exercise: *implement a random search NAS for a
# small dataset; how does it compare to hand-designed models?* Let us do it properly, with real training:
#
# - the search space is `MLPSpace` (1 to 3 hidden layers, each 16/32/64 units, ReLU/tanh/ELU);
# - the dataset is MNIST-1D: the search chooses on the **validation** split, and the chosen network is
#   reported on the **test** split, which the search never sees;
# - every network, searched or hand-designed, is trained by the same protocol (`nt.LiveEvaluator`:
#   Adam, one-cycle schedule, the same epochs);
# - the comparison retrains each final candidate with 3 seeds, so that one lucky run cannot decide it.
#
# The hand-designed baselines: a one-hidden-layer network of 32 ReLU units (the shape of the source
# text's example), and "two wide ReLU layers", a common default.

# %%
mlp_live = nt.LiveEvaluator(nt.MLPSpace(), "mnist1d")
assert mlp_live.space.decisions[0] == ("depth", (1, 2, 3)) and mlp_live.space.widths == (16, 32, 64)
print("protocol:", mlp_live.config)
search = nt.run_search(nt.RandomSearch(), mlp_live, budget=20, seed=0)
print(search)
print(f"the search trained {len(search)} MLPs in {search.total_cost:.1f} s")

# %%
candidates = {"random search's choice": search.best_arch,
              "hand-designed: 32relu": mlp_space.parse("32relu"),
              "hand-designed: 64relu-64relu": mlp_space.parse("64relu-64relu")}
rows = []
for label, arch in tqdm(list(candidates.items()), desc="retraining with 3 seeds", unit="network"):
    runs = [mlp_live.evaluate(arch, seed=seed) for seed in range(3)]
    val = np.array([r.val_accuracy for r in runs])
    test = np.array([r.test_accuracy for r in runs])
    rank = np.mean(mlp_truth < mlp_truth[mlp_bench.index(arch)])
    rows.append({"network": label, "arch": mlp_space.to_string(arch), "params": runs[0].params,
                 "val (mean of 3)": val.mean(), "test (mean of 3)": test.mean(), "test std": test.std(),
                 "benchmark: share of MLPs it beats": rank})
comparison = pd.DataFrame(rows).set_index("network")
comparison.round(3)

# %%
chosen, hand = comparison.iloc[0], comparison.iloc[1:]
for label, row in hand.iterrows():
    gap = chosen["test (mean of 3)"] - row["test (mean of 3)"]
    print(f"random search's choice vs {label}: {gap:+.3f} test accuracy "
          f"({'better' if gap > 0 else 'not better'}; seed-to-seed std about {row['test std']:.3f})")
mlp_best_arch, _, mlp_best_test = mlp_bench.optimum()
cell_best_arch, _, cell_best_test = bench.optimum()
print(f"\nfor scale, the benchmarks' best (chosen on validation): MLP {mlp_space.to_string(mlp_best_arch)} "
      f"test {mlp_best_test:.3f}; cell network test {cell_best_test:.3f}")
assert mlp_best_test < cell_best_test - 0.2      # "far below", as the text says

# %% [markdown]
# Read the table with the lesson's tools: the search chose on one noisy validation run among 20
# (winner's curse), so judge it by the retrained means on **test**; and compare the gaps with the
# seed-to-seed spread before calling one network better. The benchmark column places each network in
# the whole space of 819 MLPs (under the benchmark's 50-epoch protocol).
#
# The last line puts the whole exercise in scale: the best MLP anywhere in this space stays far below
# the cell networks of this course. **The search space bounds what any search strategy can find**; a
# better space (convolutions, in this case) matters more than a better strategy.
#
# > **Common pitfall:** comparing a searched network with a hand-designed one that was trained by a
# > different recipe, or reporting the searched network's validation score, on which it was selected.
# > Same protocol, fresh seeds, test split.
#
# ## Recap
#
# - Every strategy plugs into one loop: **ask → evaluate → tell**; `run_search` drives it under a budget
#   and records a `History`. Random search is `ask` = a uniform draw, `tell` = nothing.
# - The **expected best of $n$** random draws follows from order statistics,
#   $\mathbb{E}[\max] = \sum_i x_{(i)}[(i/N)^n - ((i-1)/N)^n]$, over the distribution the search really
#   samples (raw cells × seeds), and it matched 200 simulated searches.
# - More budget helps quickly at first, then slowly; the **regret** of the chosen architecture is what
#   counts, and the best score seen overstates it (the winner's curse).
# - **Grid search** stopped early covers only a corner of the space; random search spreads its budget
#   over every decision.
# - Against hand-designed MLPs trained with the same protocol, judge a searched network on test, with
#   several seeds; and remember that the search space limits them all.
#
# **Next:** lesson 05 makes the search learn from what it sees: evolution mutates the best architectures
# found so far instead of drawing blindly.
