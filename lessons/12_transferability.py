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
# # 12 · Transferability
#
# A cell found on one task is often reused on another: NASNet was searched on CIFAR-10 and deployed
# on ImageNet, and NAS-Bench-201 trains every cell on three datasets to ask how far such rankings
# carry. Our two cell benchmarks do the same on a small scale: the **same 941 cells**, trained by the
# same code on two different tasks. So we can measure what carries over, and what does not.
#
# **You will:**
# 1. put the two tasks side by side: what differs in the data, the accuracies and the noise;
# 2. measure how well the two tasks **rank** the cells, overall and **among the best**, and compare
#    it with a task's agreement with itself (you compute Kendall's $\tau$ among the top $k$);
# 3. **search on A, deploy on B**: score on the target the cell a search on the source picks, over
#    100 seeds, against searching the target directly (you compute the source winner's regret);
# 4. use the source as a **prior** instead: [warm starts](glossary.md#warm-start) against cold
#    starts over 100 seeds, the time to reach a target regret, and where the prior **hurts** (you
#    write the rank test);
# 5. find which **operations** help on each task, and explore both landscapes with a search's path.

# %%
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

import nastutor as nt
from nastutor import plots
from nastutor.compare import summarize
from nastutor.spaces.cell import EDGES, OPS
from nastutor.transfer import aligned, effects_plot, landscapes, op_effects, task_scatter, top_cells
from nastutor.exercises.lesson12 import *

A, B = TASKS                                  # source and target: cell-mnist1d, then cell-digits
benches = {name: nt.Benchmark.load(name) for name in TASKS}
table = aligned(A, B)                         # one row per cell: its mean final validation accuracy on each task
FAST = nt.fast_mode()                         # the test suite runs this notebook with fewer seeds
seeds = range(20) if FAST else SEEDS
# the facts and the protocol this lesson's text quotes
assert len(table) == 941 and all(b.epochs == 12 and len(b.seeds) == 3 for b in benches.values())
assert [(d.num_features, d.num_classes) for d in map(nt.load_dataset, ("mnist1d", "digits"))] == [(40, 10), (64, 10)]
assert len(EDGES) == 6 and len(OPS) == 4
assert len(SEEDS) == 100 and SECONDS == (100, 400) and TOP == 10 == nt.RegularizedEvolution().population_size
assert 100 * TARGETS[A] == 0.5 and 100 * TARGETS[B] == 2

# %% [markdown]
# ## 1. Two tasks, one space
#
# **MNIST-1D** turns each digit into a one-dimensional signal of 40 numbers, shifted, scaled and
# noised; **digits** (scikit-learn's) are small handwritten images, their pixels flattened into 64
# numbers. Both have ten classes. Every cell was trained on each with the same protocol: 12 epochs,
# three seeds. The table puts them side by side; "seed noise" is how much one cell's validation
# accuracy varies between the three trainings, averaged over the cells.

# %%
display(task_table())
show_inputs()

# %% [markdown]
# The tasks differ in kind (a signal against an image) and in size: digits has fewer examples for
# training and far fewer for validation. A validation accuracy measured on few examples is
# **noisy**: compare the two "seed noise" columns. That will explain much of what follows.

# %% [markdown]
# ## 2. Do the rankings agree?
#
# Lesson 10 measured how well a proxy ranks the cells with Spearman's $\rho$ and Kendall's $\tau$.
# Here the "proxy" for task B is task A itself. A search cares less about the whole ranking than
# about its **top**: the cells it will end up choosing between.
#
# **Predict, then run (p1).** Among the 50 best cells of cell-mnist1d, do the two tasks agree on the
# order **(a)** about as well as over all the cells, **(b)** clearly worse, or **(c)** clearly better?

# %%
p1.check(____)   # your prediction: a, b or c
# p1.hint()

# %%
tops = [None, 0.1, 50]
agreement = agreement_table(tops)
display(agreement.round(3))
rho = agreement["spearman"]
assert (rho["top 50 of source"] < rho["all"] - 0.3).all() and (rho["top 50 of source"].iloc[2:] < 0.2).all()
task_scatter(A, B, top=0.1, zoom=0.2)

# %% [markdown]
# The first rows answer p1: overall the two tasks agree well, but among the source's best cells the
# agreement drops sharply, to almost nothing from cell-mnist1d's side. "Top" always means the top of the **source**, because that is all a
# search on the source can see.
#
# The last two blocks are a [noise ceiling](glossary.md#noise-ceiling). They compare a task with **itself**: one training seed
# against the mean of the other seeds, on the same cells. Among the best cells, even a task disagrees
# with itself. The best cells differ by less than a training's noise, so no other task, and no second
# run of this one, can order them reliably. What does transfer is the coarse structure: which cells
# are good at all.
#
# > **Common pitfall:** reporting one correlation over the whole space. It is dominated by the many
# > clearly bad cells; quote the agreement among the top too, and the noise ceiling beside it.

# %% [markdown]
# ### Try it yourself 1
#
# Write `top_k_tau(source, target, k)`: given two arrays with the same cells' accuracies on the two
# tasks (in the same order), return Kendall's $\tau$ between them over the source's `k` best cells
# (use `stats.kendalltau`). The checker tries both directions of the two benchmarks, several `k`, and
# synthetic arrays.

# %%
def top_k_tau(source, target, k):
    ____  # your code here


q1.check()

# %%
# q1.hint()
# q1.solution()

# %% [markdown]
# ## 3. Search on A, deploy on B
#
# The cheapest use of a source task: search there, then deploy its winner on the target. Start with
# the source's very best cell.
#
# ### Try it yourself 2
#
# `table` holds every cell's mean validation accuracy on both tasks (one column per task). Set
# `regret_on_target` to the **regret on cell-digits** of **cell-mnist1d's best cell**: cell-digits'
# best accuracy minus that cell's accuracy on cell-digits.

# %%
regret_on_target = ____
q2.check()

# %%
# q2.hint()
# q2.solution()

# %% [markdown]
# A real search does not know the source's best cell either: it finds a good one within its budget.
#
# **Predict, then run (p2).** Random search with 400 simulated seconds, 100 seeds. Which cell does
# better on cell-digits: **(a)** the cell found on cell-mnist1d, **(b)** no clear difference, or
# **(c)** the cell found on cell-digits?

# %%
p2.check(____)   # your prediction: a, b or c
# p2.hint()

# %% [markdown]
# The next cell runs lesson 07's protocol in both directions (and the warm starts of section 4):
# every search for 400 simulated seconds of its own task's training, 100 seeds each, mean regret on
# the **target** with a 95% confidence interval, and a one-sided rank-sum test against random search.

# %%
with nt.make_executor(2) as pool:             # two worker processes share the seeds
    runs = {(s, t): transfer_runs(s, t, seeds, executor=pool) for s, t in ((A, B), (B, A))}
deploy = deploy_table(runs)
at_end = deploy.xs(max(SECONDS), level="seconds")["val_regret"]
gap = {d: at_end[(d, "random on the source")] - at_end[(d, "random")] for d in (f"{A} → {B}", f"{B} → {A}")}
assert gap[f"{A} → {B}"] > 0 and gap[f"{A} → {B}"] > 5 * abs(gap[f"{B} → {A}"])   # what the text below says
deploy[["val_regret", "val_regret_ci", "val_regret_p", "test_regret", "runs"]].round(4)

# %% [markdown]
# Read the first direction: the cells found on cell-mnist1d do worse on cell-digits than what a
# search on cell-digits finds with the same seconds. The search on the source converges on the
# source's best cells, just where section 2 found the tasks disagreeing. In the other direction the
# gap is far smaller: cell-digits' best cells happen to be good on cell-mnist1d too. Transfer is not
# symmetric, and only a measurement on the target says which case you are in.
#
# > **Common pitfall:** deploying a searched cell on a new task without measuring it there. The
# > search optimised the source's noise as well as its signal.

# %% [markdown]
# ## 4. Transfer as a prior
#
# Instead of deploying the source's answer, let it **start** the search on the target. We compare
# these ways, all from the source's mean validation accuracies (a search on the source would have paid for them):
#
# - **warm random**: train the source's 10 best cells first, then random search;
# - **warm evolution**: regularized evolution whose initial population is the source's 10 best
#   cells, instead of 10 random ones;
# - **source's ranking**: train the cells in the source's order, best first. The source is a
#   predictor of the target that costs nothing more to run.
#
# In code, `WarmStart(strategy, cells)` asks `cells` first and hands their results to `strategy` as if
# it had drawn them (its `observe` method); the source's ranking is lesson 10's `ProxyOrder`, with the
# source's accuracies as the proxy:

# %%
warm = nt.WarmStart(nt.RegularizedEvolution(), top_cells(A, TOP))
history = nt.run_search(warm, nt.TabularEvaluator(B), seconds=100, seed=0, progress=False)
print(f"{len(history)} evaluations; the first {TOP} are the source's best: "
      f"{[nt.CellSpace().to_string(e.arch) for e in history][:TOP] == top_cells(A, TOP)}")

# %%
summaries = {}
for (s, t), (on_target, moved) in runs.items():
    for x in SECONDS:
        summaries[(f"{s} → {t}", x)] = summarize(on_target, seconds=x, baseline="random", confidence=0.95)
fig, axes = plt.subplots(2, 2, figsize=(11, 6.4), layout="constrained")
for ax, ((direction, x), summary) in zip(axes.flat, summaries.items()):
    plots.interval_bars(summary, ax=ax, title=f"{direction}, after {x} simulated seconds")
plt.show()

# %% [markdown]
# Every warm start begins where the source's best cells lie, and in both directions it is ahead of
# its cold counterpart at the smaller budget (the cell below checks it). The regret curves show how the
# lead develops with the budget. Some curves **rise**: a search picks its incumbent by one training's
# validation accuracy, so a lucky training can displace a cell that is better on average, most often
# on noisy cell-digits.

# %%
for (s, t), (on_target, _) in runs.items():
    early = final_regrets(on_target, SECONDS[0])
    for warm_name, cold_name in (("warm random", "random"), ("warm evolution", "evolution"),
                                 ("source's ranking", "random")):
        assert early[warm_name].mean() < early[cold_name].mean(), (s, warm_name)
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
for ax, ((s, t), (on_target, _)) in zip(axes, runs.items()):
    plots.regret_curves(on_target, x="total_cost", confidence=0.95, ax=ax)
    ax.set(title=f"{s} → {t}: regret on {t}", xscale="log")
plt.show()

# %% [markdown]
# ### Time to a target
#
# A fair headline for a prior: how much sooner does a warm search reach a good cell? For each seed,
# take the simulated seconds until the incumbent's regret first reaches the target $\epsilon$, and
# compare medians over the seeds:
#
# $$
# \text{ratio} = \frac{\operatorname{median}_{s}\, T_\text{warm}(s)}{\operatorname{median}_{s}\, T_\text{cold}(s)},
# \qquad T(s) = \min\{\, t : \text{regret}_s(t) \le \epsilon \,\}.
# $$
#
# > **Math breakdown:**
# > - $T(s)$ is one run's time to the target; a run that never gets there within the budget has
# >   $T(s) = \infty$. The median stays finite while more than half of the runs arrive.
# > - A ratio of $0.5$ means the warm start needs half the time. The interval comes from resampling
# >   the seeds (a bootstrap); the p-value from a one-sided rank-sum test on the times.
# > - $\epsilon$ is 0.5 pp on cell-mnist1d, and 2 pp on cell-digits, whose seed noise makes a
# >   smaller target a lottery for any search that picks by one training.

# %%
ratio_table(runs).round(3)

# %% [markdown]
# `reached` counts the seeds that got there at all; a ratio of $0$ means the cold start's median is
# infinite (fewer than half of its runs arrived within the budget).
#
# ### Does the prior ever hurt?
#
# [Negative transfer](glossary.md#negative-transfer) is a prior that makes the search worse than no prior. Two places to look:
# regret at every budget, and the time to targets other than the headline one. The next cell tests, at
# each, whether warm evolution is significantly **worse** than cold evolution (one-sided, $p < 0.05$).

# %%
checks = negative_transfer(runs)
hurt = checks[checks["p (warm worse)"] < 0.05]
print(f"warm evolution is significantly worse than cold evolution at {len(hurt)} of {len(checks)} read-outs")
display((hurt if len(hurt) else checks).dropna(axis=1, how="all").round(4))
for s, t in ((A, B), (B, A)):
    seconds = pd.Series(benches[t].cumulative_seconds[:, :, -1].mean(axis=1), index=table.index)
    print(f"the {TOP} best cells of {s} take {seconds.loc[top_cells(s, TOP)].mean():.2f} s each to train on {t}; "
          f"the median cell takes {seconds.median():.2f} s")

# %% [markdown]
# The cell prints where the prior hurts, if anywhere, and what the source's best cells cost to train.
# Look at the time to a **loose** target on cell-mnist1d: the source's best cells are big cells with
# many convolutions, and a big cell takes longer to train. A cold search that tries a small, decent
# cell first can beat the prior to an easy target. A prior buys quality, and it may cost seconds.
#
# ### Try it yourself 3
#
# Write `warm_helped(warm, cold, alpha=0.05)`: given the final regrets of a warm start and of a cold
# start (one per seed), return `True` when the warm start's regrets are significantly **lower** by
# lesson 07's one-sided Wilcoxon rank-sum test at level `alpha`. The checker tries this lesson's
# regrets in both directions, at both read-outs, and synthetic samples.

# %%
def warm_helped(warm, cold, alpha=0.05):
    ____  # your code here


q3.check()

# %%
# q3.hint()
# q3.solution()

# %% [markdown]
# ## 5. Which operations transfer?
#
# Why do the tasks agree on the coarse structure? Fit each cell's accuracy as a sum of what its six
# edges carry:
#
# $$
# \mathrm{acc}(c) \approx \beta_0 + \sum_{o} \beta_o\, n_o(c),
# $$
#
# > **Math breakdown:**
# > - $n_o(c)$ counts the edges of cell $c$ that carry operation $o$. The counts of all four operations
# >   add up to the six edges, so `none` is left out as the **reference**.
# > - $\beta_o$ is then the change in accuracy from putting $o$ on one more edge **instead of** `none`,
# >   averaged over all the cells: a main effect, blind to where in the cell the edge is.
# > - The interval is the least-squares fit's 95% confidence interval. An operation whose effect has
# >   the same sign and size on both tasks is one that transfers.

# %%
effects = pd.concat({name: op_effects(name, confidence=0.95) for name in TASKS}, names=["task"])
display(effects_plot(effects))
conv_best = all(effects.loc[t, "effect"].idxmax() == "conv3" for t in TASKS)
around_zero = lambda task, op: effects.loc[(task, op), "low"] < 0 < effects.loc[(task, op), "high"]  # noqa: E731
skip_differs = effects.loc[(A, "skip"), "low"] > 0 and around_zero(B, "skip")
pool_nothing = around_zero(A, "avgpool3") and around_zero(B, "avgpool3")
assert conv_best and skip_differs and pool_nothing        # what the text below says
(100 * effects[["effect", "low", "high"]]).round(2)

# %% [markdown]
# Read the chart by operation: where the two intervals overlap and sit on the same side of zero, the
# operation's effect transfers. A convolution is worth most on both tasks: it is the only operation
# that learns. A skip connection helps on cell-mnist1d and does nothing measurable on cell-digits;
# average pooling does nothing measurable on either. Effects that differ between the tasks reorder
# the cells that are already good, which is where the two rankings part.

# %% [markdown]
# ## 6. Explore: one search, two landscapes
#
# Choose the source and the strategy; the search runs on the **other** task. Both maps show every cell
# in the same place (lesson 02's layout), each coloured by its own task's accuracy, with the search's
# visited cells and incumbent path. The cell prints the incumbent's regret on both tasks.

# %%
strategies = {name: maker for name, maker in (
    ("random", lambda src: nt.RandomSearch()), ("evolution", lambda src: nt.RegularizedEvolution()),
    ("warm random", lambda src: nt.WarmStart(nt.RandomSearch(), top_cells(src, TOP))),
    ("warm evolution", lambda src: nt.WarmStart(nt.RegularizedEvolution(), top_cells(src, TOP))))}


def explore(source=A, strategy="warm evolution", seconds=100, seed=0):
    target = B if source == A else A
    history = nt.run_search(strategies[strategy](source), nt.TabularEvaluator(target), seconds=seconds, seed=seed,
                            progress=False)
    best = nt.CellSpace().to_string(history.incumbent().arch)
    regrets = {task: f"{100 * benches[task].regret(best):.2f} pp on {task}" for task in (target, source)}
    print(f"{strategy} on {target}: {len(history)} evaluations in {seconds} simulated seconds; its pick's regret is\n"
          + " and ".join(regrets.values()))
    return landscapes(source, target, history)


widgets.interact(explore, source=widgets.ToggleButtons(options=TASKS, description="source"),
                 strategy=widgets.Dropdown(options=list(strategies), value="warm evolution", description="strategy"),
                 seconds=widgets.IntSlider(value=100, min=20, max=400, step=20, description="seconds"),
                 seed=widgets.IntSlider(value=0, min=0, max=20, description="seed"));

# %% [markdown]
# Try a cold and a warm strategy with the same seed: the warm path starts among the source's bright
# cells; the cold one wanders first. Switch the source: whose warm cells land on the target's
# brightest region?

# %% [markdown]
# ## Recap
#
# - Two tasks can agree on a ranking overall and disagree **at the top**; a task's agreement with
#   **itself** across seeds (the noise ceiling) shows how much of that is noise.
# - **Search on A, deploy on B** inherits the source's taste just where the tasks disagree: measure
#   on the target before you deploy.
# - **Transfer as a prior** (a warm start, an initial population, the source's ranking) reaches a good
#   cell on the target far sooner than a cold start, but the source's best cells are costly, so
#   check for **negative transfer** at easy targets and small budgets.
# - Main effects of the operations show what transfers: the coarse structure, not the fine order.

# %% [markdown]
# [← Previous: 11 · Hardware-aware NAS](11_hardware_aware.ipynb) ·
# [Back to the course map: 00 · Welcome to nastutor](00_welcome.ipynb) ·
# [Next: 13 · Scaling out →](13_scaling_out.ipynb)
