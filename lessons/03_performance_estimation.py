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
# # 03 · Performance estimation
#
# A search strategy proposes architectures; **performance estimation** answers the question every
# strategy keeps asking: *how good is this one?* The honest answer is to train the candidate fully
# and score it on held-out validation data. It is also the expensive answer, paid once per
# candidate: the cost of a search is roughly (number of candidates) × (cost of one estimate).
# This lesson measures, on real training data, what a cheaper estimate keeps and what it loses.
#
# **You will:**
# 1. see what one evaluation costs, by training a cell network live, epoch by epoch;
# 2. learn what a **tabular benchmark** is, how the course's benchmarks were built, and check that a
#    row of one is reproduced by retraining;
# 3. measure how well a **low-[fidelity](glossary.md#fidelity)** estimate (fewer epochs) ranks architectures, with [Kendall](glossary.md#kendall-tau)'s
#    $\tau$ and Spearman's $\rho$, and what it saves;
# 4. measure the **noise** of full training itself: how often two training seeds disagree on which
#    of two architectures is better.

# %%
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from scipy import stats
from tqdm.auto import tqdm

import nastutor as nt
from nastutor import plots
from nastutor.exercises.lesson03 import *

bench = nt.Benchmark.load("cell-mnist1d")   # the tabular benchmark of the cell space (section 3)
data = nt.load_dataset(bench.dataset)
space = bench.space
# the facts this lesson's text quotes; if a rebuilt benchmark changes one, this cell says which
assert len(bench) == 941 and len(bench.seeds) == 3 and bench.epochs == 12, bench
assert bench.seeds == (0, 1, 2) and space.config() == {"channels": 16, "cells": 1}
assert len(data.y_val) == 1000 and np.allclose(bench.val * 1000, np.round(bench.val * 1000))
bench


# %% [markdown]
# ## 1. Three ways to score a candidate
#
# Performance estimation comes in three kinds:
#
# - **Full training**: train the candidate with the complete protocol, score it on validation data.
#   Accurate, and the most expensive.
# - **Proxy tasks**: train on something cheaper than the real problem (a subset of the data, a
#   narrower or shallower network, smaller inputs) and hope the ranking carries over. The cell
#   networks of this course are themselves such a proxy: one cell per stage, 16 channels.
# - **Early stopping / low fidelity**: train for only a few epochs, or stop a candidate as soon as
#   its learning curve looks hopeless. Successive halving and Hyperband stop the weak candidates
#   early in a systematic way (`nastutor.strategies` has both).
#
# A search uses the score only to **compare** candidates. So a cheap estimate need not be close to
# the fully-trained accuracy; it must put architectures **in the same order**. That is what a rank
# correlation measures.

# %% [markdown]
# Write $f(a)$ for the validation accuracy of architecture $a$ after full training ($T$ epochs) and
# $\hat f(a)$ for a cheap estimate of it, say the accuracy after $e < T$ epochs. Over $n$ architectures
# there are $\binom{n}{2}$ pairs; a pair is **concordant** when $f$ and $\hat f$ order it the same
# way and **discordant** when they order it oppositely. Kendall's rank correlation is
#
# $$
# \tau = \frac{C - D}{\binom{n}{2}}
#      = \frac{1}{\binom{n}{2}} \sum_{i<j} \operatorname{sgn}\!\big(\hat f(a_i) - \hat f(a_j)\big)\,
#        \operatorname{sgn}\!\big(f(a_i) - f(a_j)\big).
# $$
#
# With tied values (frequent here: accuracies are multiples of 1/1000, one validation example),
# **tau-b** keeps the same numerator and divides by $\sqrt{n_{\hat f}\, n_f}$ instead, where $n_{\hat f}$
# and $n_f$ count the pairs *not* tied in $\hat f$ and in $f$. Spearman's $\rho$ is the ordinary
# (Pearson) correlation of the two lists of ranks.
#
# > **Math breakdown:**
# > - $C$, $D$: the numbers of concordant and discordant pairs; a tied pair is neither.
# > - $\operatorname{sgn}(u)$: $+1$ if $u > 0$, $-1$ if $u < 0$, $0$ if $u = 0$. The product of two signs is
# >   $+1$ for a concordant pair, $-1$ for a discordant one, $0$ for a tie.
# > - $\tau = 1$: the cheap estimate orders every pair as full training does; $\tau = 0$: no better than a
# >   random order; $\tau = -1$: exactly reversed.
# > - Without ties, the cheap estimate orders two architectures picked at random correctly with
# >   probability $(1 + \tau)/2$.
# > - $\rho$ weights large rank displacements more; it is usually larger than $\tau$ for the same data.

# %% [markdown]
# ### Try it yourself 1
#
# Implement Kendall's **tau-b** for two 1-D NumPy arrays of the same length: `kendall_tau(x, y)` returns
# a float, without calling `scipy.stats.kendalltau`: the checker compares your function with it (its
# default is tau-b) on several arrays without ties, then on arrays with ties. Loops are fine; NumPy
# makes it short.

# %%
def kendall_tau(x, y):
    ____  # your code here: Kendall's tau-b of the arrays x and y


q1.check()

# %%
# q1.hint()
# q1.solution()

# %% [markdown]
# ## 2. What one evaluation costs
#
# Let us pay for one estimate in full. The cell below trains the benchmark's best cell with the
# benchmark's own protocol (`bench.config`), seed 0, and records validation accuracy after every
# epoch. `nt.train` is the one training loop of the course: the live evaluator and the benchmark
# builder both call it. (In fast mode, used by the course's tests, it trains only the first 3 epochs.)

# %%
arch, best_val, best_test = bench.optimum()
epochs = 3 if nt.fast_mode() else bench.epochs
print("architecture:", space.to_string(arch))
print("protocol:", ", ".join(f"{key}={value}" for key, value in vars(bench.config).items() if key != "threads"))


def tick(record):
    bar.update(1)      # returns nothing: returning False would stop training


with tqdm(total=epochs, desc="training one cell network", unit="epoch") as bar:
    result = nt.train(lambda: space.build(arch, data.num_features, data.num_classes), data, bench.config,
                      seed=0, epochs=epochs, on_epoch=tick)
print(f"{result.params:,} parameters, {epochs} epochs in {result.seconds:.1f} s on this machine")

# %%
row = bench.index(arch)
live = np.array([r.val_accuracy for r in result.epochs])
fig, ax = plt.subplots(figsize=(8, 3.8))
plots.curves(np.arange(1, bench.epochs + 1), {"stored in the benchmark (seed 0)": bench.val[row, 0]}, ax=ax,
             xlabel="epoch", ylabel="validation accuracy", title="The benchmark's row, and the same training redone")
ax.plot(np.arange(1, epochs + 1), live, "x", ms=11, mew=2, label="trained just now (seed 0)")
ax.legend(frameon=False)
plt.show()
gap = np.abs(live - bench.val[row, 0, :epochs]).max()
print(f"same validation accuracies as the benchmark's row, epoch for epoch: {gap == 0} (largest difference {gap:.3f})")
assert gap <= 0.02, f"retraining should reproduce the benchmark's row, got a gap of {gap}"

# %% [markdown]
# Training on CPU with a fixed seed is deterministic, so on a machine like the one that built the
# benchmark the row is reproduced exactly (the cell prints whether it was on yours); another CPU or
# PyTorch version may round the last bits of a sum differently, which can move an accuracy slightly.
#
# Now scale that up. **Search cost** is NAS's first challenge: every candidate costs one training
# like the one above.

# %%
full_seconds = bench.cumulative_seconds[:, :, -1]          # one full training per architecture and seed
print(f"one full training: {full_seconds.min():.1f} to {full_seconds.max():.1f} s "
      f"(median {np.median(full_seconds):.1f} s), recorded on a {bench.meta['machine']['cpu_count']}-core CPU")
print(f"a search that trains 100 random cells: about {100 * full_seconds.mean() / 60:.0f} minutes")
print(f"the whole benchmark: {full_seconds.size} trainings, {full_seconds.sum() / 3600:.1f} hours of training")

# %% [markdown]
# ## 3. What a tabular benchmark is, and how ours was built
#
# A **tabular benchmark** trains *every* architecture of a search space once, under one fixed
# protocol, and stores the results in a table: for each architecture and training seed, the
# accuracies and seconds after every epoch. NAS-Bench-101 and NAS-Bench-201 did this for research;
# the course ships two small ones that nastutor's own code built:
#
# - `build_benchmark` (`nastutor/benchmark/build.py`) calls `nt.train`, the function you just used,
#   for every **canonical** architecture of a space (cells that compute the same function share one
#   row, lesson 02) and every seed 0, 1, 2. It appends each result to a progress file, so a killed
#   build resumes where it stopped, then writes the table, its metadata, a data card and their
#   checksums. The command line runs it:
#   `python -m nastutor benchmark build --space cell --dataset mnist1d --seeds 0 1 2 --workers 2`.
# - `Benchmark.load` checks the checksum and the schema; `TabularEvaluator` answers a search's
#   question with a **lookup** instead of a training, and charges the **recorded** training seconds:
#   a search's budget then runs in *simulated* seconds.
#
# Its data card says what is inside and how it was made:

# %%
display(Markdown((nt.data.data_dir() / "cell-mnist1d.md").read_text()))

# %%
display(bench.to_frame().head(4))       # one row per architecture, seed and epoch
looked_up = nt.TabularEvaluator(bench).evaluate(arch, epochs=4, seed=0)
print(f"a lookup trains nothing, and is charged {looked_up.cost:.2f} simulated seconds: "
      f"the recorded time of {looked_up.epochs} epochs of training")

# %% [markdown]
# *Going further:* build a miniature benchmark yourself in a new cell, with
# `table = build_benchmark(nt.MLPSpace(widths=(16, 64), activations=("relu",), max_depth=1), "mnist1d", folder=tempfile.mkdtemp())`
# (`from nastutor.benchmark import build_benchmark`; `import tempfile`), load it with
# `nt.Benchmark.load(table)`, and compare its rows with those of the shipped `mlp-mnist1d` table.
#
# > **Common pitfall:** treating a tabular benchmark as the truth about architectures. It is exact
# > for its own protocol only: one dataset, one training recipe, one machine's seconds. A strategy
# > that wins on it has won under that protocol; and a strategy tuned on a benchmark has to be
# > tested on another one before its result says anything general.

# %% [markdown]
# ## 4. Low fidelity: fewer epochs
#
# The table holds every epoch, so we can ask how well the accuracy after $e$ epochs ranks
# architectures, for every $e$, over all 941 cells, without training anything. Two details matter:
#
# - **What a search sees** is one training run: one seed, $e$ epochs. The **ground truth** we compare
#   with is the mean of the *other* seeds after all 12 epochs, not `bench.truth()`: a mean that
#   contains the seed the search saw would agree with it partly by construction. So even full
#   training stops short of a perfect ranking: that is the ceiling for every cheaper estimate.
# - **What it saves**: epochs do not all take the same time, so measure it with the recorded seconds.
#
# ### Try it yourself 2
#
# Write `fraction_saved(bench, e)`: the fraction of the benchmark's total training time that is
# saved by training every architecture (all seeds) for only the first `e` epochs instead of all
# `bench.epochs`. Use the recorded seconds (`bench.cumulative_seconds` has shape
# (architectures, seeds, epochs)). The checker tries both benchmarks and several `e`.

# %%
def fraction_saved(bench, e):
    ____  # your code here


q2.check()

# %%
# q2.hint()
# q2.solution()

# %% [markdown]
# **Predict, then run (p1).** The cell below ranks the cells after each number of epochs $e$ and
# compares with the ground truth. After **one** epoch, how well do the two rankings agree?
# - (a) strongly ($\tau > 0.5$): one epoch already tells good cells from bad ones
# - (b) weakly ($0.2 \le \tau \le 0.5$)
# - (c) hardly at all ($|\tau| < 0.2$)

# %%
p1.check(____)  # your prediction: a, b or c

# %%
final = bench.val[:, 1:, -1].mean(axis=1)       # ground truth: the OTHER seeds (not seed 0), full training
top = final >= np.quantile(final, 1 - 1 / 10)   # the best tenth of the space
by_epoch = {"Kendall's tau, all cells": [], "Spearman's rho, all cells": [], "Kendall's tau, best tenth": []}
for e in range(bench.epochs):
    seen = bench.val[:, 0, e]                   # what a search sees: seed 0 after e + 1 epochs
    by_epoch["Kendall's tau, all cells"].append(stats.kendalltau(seen, final).statistic)
    by_epoch["Spearman's rho, all cells"].append(stats.spearmanr(seen, final).statistic)
    by_epoch["Kendall's tau, best tenth"].append(stats.kendalltau(seen[top], final[top]).statistic)

fig, ax = plt.subplots(figsize=(8, 4))
plots.curves(np.arange(1, bench.epochs + 1), by_epoch, hlines={"no correlation": 0}, xlabel="epochs trained",
             ylabel="rank correlation", title="Rank correlation with full training\n(seed 0 vs the mean of the other seeds)",
             ax=ax)
plt.show()


# %% [markdown]
# The cheaper the estimate, the weaker the ranking, but not smoothly. The benchmark's low fidelities
# are the **first $e$ epochs of the 12-epoch schedule**, as in NAS-Bench-201. The protocol's one-cycle
# learning rate (`bench.config.schedule`) climbs during the first part of training and then decays,
# so an early epoch scores a network in the middle of its high-learning-rate phase: one plausible
# reason why some early epochs rank worse than the epoch before them.
#
# Move the slider: each dot is one cell; the title gives $\tau$ and the share of the benchmark's
# training time that stopping after $e$ epochs saves.

# %%
spent_at = bench.cumulative_seconds.sum(axis=(0, 1))   # seconds of the first e epochs, all cells and seeds


def show_fidelity(epochs=4):
    seen = bench.val[:, 0, epochs - 1]
    fig, ax = plt.subplots(figsize=(6.5, 4.6))
    ax.scatter(seen, final, s=8, alpha=0.5)
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, label="equal accuracy")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel=f"validation accuracy after {epochs} epochs (seed 0)",
           ylabel=f"after {bench.epochs} epochs (mean of the other seeds)",
           title=f"tau = {stats.kendalltau(seen, final).statistic:.3f}; "
                 f"time saved vs full training: {1 - spent_at[epochs - 1] / spent_at[-1]:.0%}")
    ax.legend(loc="lower right")
    plt.show()


widgets.interact(show_fidelity, epochs=widgets.IntSlider(value=4, min=1, max=bench.epochs, description="epochs",
                                                        continuous_update=False));

# %% [markdown]
# > **Common pitfall:** trusting one rank correlation over the whole space. Most of the pairs in
# > 941 cells are easy (a broken cell against a good one), so $\tau$ over all cells can look
# > reassuring while the estimate cannot tell the **best** cells apart. The lowest curve above
# > measures the ranking among the best tenth only, where a search's final decision is made.
#
# ### Try it yourself 3
#
# Averaging the three seeds costs three trainings but removes noise. Take the **mean of the 3 seeds**
# after $e$ epochs as the estimate and `bench.truth()`, the mean of the same seeds after full
# training, as the reference. What is the **smallest** number of epochs whose Kendall's $\tau$
# (tau-b, as `stats.kendalltau` or your `kendall_tau` computes it) is at least 0.8? Set
# `smallest_epochs` to it. (Estimate and reference share their seeds here, so this measures how soon
# the averaged ranking settles on its final order, not how well it predicts new training runs.)

# %%
smallest_epochs = ____

q3.check()

# %%
# q3.hint()
# q3.solution()

# %% [markdown]
# ## 5. Noise: full training is an estimate too
#
# Even full training gives a different accuracy for each training seed (the initial weights and the
# order of the batches change). How often do two runs disagree about which of two architectures is
# better? For every pair of cells, the cell below compares the order given by **one seed** with the
# order given by the **mean of the other two seeds** (not the mean of all three: a seed compared with
# a mean that contains it would agree with it partly by construction), grouping the pairs by how far
# apart the two cells are in that reference.
#
# **Predict, then run (p2).** For the closest pairs (a gap $\le 0.002$, two validation examples: the
# first bar), how often does one seed put the two cells in the wrong order?
# - (a) almost never ($< 2\%$): full training is the ground truth
# - (b) sometimes ($2\%$ to $20\%$)
# - (c) often ($> 20\%$), not much less than a coin flip would

# %%
p2.check(____)  # your prediction: a, b or c

# %%
by_seed = bench.val[:, :, -1]                   # final validation accuracy, (941 cells, 3 seeds)
i, j = np.triu_indices(len(bench), k=1)         # every pair of cells once
pairs = []
for s in range(len(bench.seeds)):
    reference = np.delete(by_seed, s, axis=1).mean(axis=1)    # the mean of the other seeds
    gap, one_seed = reference[i] - reference[j], np.sign(by_seed[i, s] - by_seed[j, s])
    order = np.select([one_seed == 0, one_seed == -np.sign(gap)], ["tied", "reversed"], "kept")
    pairs.append(pd.DataFrame({"gap": np.abs(gap), "one seed": order})[gap != 0])
pairs = pd.concat(pairs)
gap_bins = pd.cut(pairs["gap"], [0, 0.002, 0.005, 0.01, 0.02, 0.05, 1.0])
shares = pd.crosstab(gap_bins, pairs["one seed"], normalize="index")[["reversed", "tied"]]
print(f"seed-to-seed standard deviation of a cell's accuracy: median {np.median(by_seed.std(axis=1, ddof=1)):.4f}")
shares.plot.bar(stacked=True, rot=0, figsize=(9.5, 3.8), ylim=(0, 0.6), ylabel="share of pairs",
                xlabel="gap between the two cells (mean validation accuracy of the other seeds)",
                title="How often one training seed misorders two cells")
plt.axhline(0.5, color="grey", lw=1, ls="--")
plt.show()

# %% [markdown]
# Only clear gaps are ordered reliably (the dashed line is a coin flip). That sets a ceiling on every
# estimate: no cheap proxy ranks two architectures more reliably than full training itself does
# (lesson 01's pitfall again: compare means over seeds).
#
# *Going further:* the benchmark's low fidelity is a **truncated** schedule. Another cheap estimate of
# the same cost is a **complete short schedule** (`dataclasses.replace(bench.config, epochs=...)` passed
# to `nt.train`), whose learning rate decays to the end: a different proxy, which may rank differently.
# Whatever the proxy, compare costs in seconds, not in evaluations, as lesson 07 does.

# %% [markdown]
# ## Recap
#
# - **Performance estimation** scores candidates: full training, proxy tasks, or low fidelity. A search
#   only compares scores, so what matters is the **ranking**: Kendall's $\tau$ or Spearman's $\rho$.
# - **Cost**: a search pays one training per candidate. Fewer epochs save time roughly in proportion,
#   at a loss of ranking quality that is largest among the best architectures.
# - **Noise**: a single full training is itself a noisy estimate; close pairs are ordered almost at
#   random by one seed.
# - A **tabular benchmark** stores every architecture × seed × epoch of one protocol, built by the same
#   training code: a search on it is a sequence of lookups, charged in simulated seconds, and its rows
#   reproduce exactly when retrained.
#
# **Next:** lesson 04 uses the benchmark to study the simplest search strategy, random search: how good
# is the best of $n$ random architectures, in theory and in many simulated searches?
#
# ---
# [← Previous: 02 · Search spaces](02_search_spaces.ipynb) · [Next: 04 · Random search →](04_random_search.ipynb)
