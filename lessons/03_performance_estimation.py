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
# and score it on held-out validation data. It is also the expensive answer, and it is paid once per
# candidate: the cost of a search is roughly (number of candidates) × (cost of one estimate).
#
# This lesson measures, on real training data, what a cheaper estimate keeps and what it loses.
#
# **You will:**
# 1. see what one evaluation costs, by training a cell network live, epoch by epoch;
# 2. learn what a **tabular benchmark** is, how the course's benchmarks were built, and check that a
#    row of one is reproduced by retraining;
# 3. measure how well a **low-fidelity** estimate (fewer epochs) ranks architectures, with Kendall's
#    $\tau$ and Spearman's $\rho$, and what it saves;
# 4. measure the **noise** of full training itself: how often two training seeds disagree on which
#    of two architectures is better;
# 5. compare two cheap estimates live: the first epochs of a long schedule, and a complete short schedule.

# %%
import tempfile
import time
from dataclasses import replace

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from IPython.display import Markdown, display
from scipy import stats
from tqdm.auto import tqdm

import nastutor as nt
from nastutor.exercises.lesson03 import *

bench = nt.Benchmark.load("cell-mnist1d")   # the tabular benchmark of the cell space (section 2)
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
# The course's source text names three kinds of performance estimation:
#
# - **Full training**: train the candidate with the complete protocol, score it on validation data.
#   Accurate, and the most expensive.
# - **Proxy tasks**: train on something cheaper than the real problem (a subset of the data, a
#   narrower or shallower version of the network, smaller inputs) and hope the ranking carries over.
#   The cell networks of this course are themselves such a proxy: one cell per stage, 16 channels.
# - **Early stopping / low fidelity**: train for only a few epochs, or stop a candidate as soon as
#   its learning curve looks hopeless. Successive halving and Hyperband (a later lesson) stop the
#   weak candidates early in a systematic way.
#
# A search uses the score only to **compare** candidates: it keeps the one with the highest score.
# So a cheap estimate need not be close to the fully-trained accuracy; it must put architectures
# **in the same order**. That is what a rank correlation measures.
#
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
# and $n_f$ count the pairs *not* tied in $\hat f$ and in $f$. Spearman's $\rho$ is the ordinary (Pearson) correlation of
# the two lists of ranks.
#
# > **Math breakdown:**
# > - $C$, $D$: the numbers of concordant and discordant pairs; a tied pair is neither.
# > - $\operatorname{sgn}(u)$: $+1$ if $u > 0$, $-1$ if $u < 0$, $0$ if $u = 0$. The product of two signs is
# >   $+1$ for a concordant pair, $-1$ for a discordant one, $0$ for a tie.
# > - $\tau = 1$: the cheap estimate orders every pair as full training does; $\tau = 0$: no better than a
# >   random order; $\tau = -1$: exactly reversed.
# > - $\tau$ has a direct reading: if you pick two architectures at random (and there are no ties), the
# >   cheap estimate orders them correctly with probability $(1 + \tau)/2$.
# > - $\rho$ weights large rank displacements more; it is usually larger than $\tau$ for the same data.

# %% [markdown]
# ### Try it yourself 1
#
# Implement Kendall's **tau-b** for two 1-D NumPy arrays of the same length: `kendall_tau(x, y)` returns
# a float. The checker compares your function with `scipy.stats.kendalltau` (whose default is tau-b) on
# several arrays without ties, then on arrays with ties. Loops are fine; NumPy makes it short.

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
# benchmark's own protocol (`bench.config`), seed 0, and records validation accuracy and training
# loss after every epoch. `nt.train` is the one training loop of the course: the live evaluator and
# the benchmark builder both call it. (In fast mode, used by the course's tests, it trains only the
# first 3 epochs.)

# %%
arch, best_val, best_test = bench.optimum()
epochs = 3 if nt.fast_mode() else bench.epochs
print("architecture:", space.to_string(arch))
print("protocol:", bench.config)

bar = tqdm(total=epochs, desc="training one cell network", unit="epoch")


def tick(record):
    bar.update(1)      # returns nothing: returning False would stop training


result = nt.train(lambda: space.build(arch, data.num_features, data.num_classes), data, bench.config,
                  seed=0, epochs=epochs, on_epoch=tick)
bar.close()
print(f"{result.params:,} parameters, {epochs} epochs in {result.seconds:.1f} s on this machine")

# %%
row = bench.index(arch)
live = pd.DataFrame([vars(r) for r in result.epochs])
all_epochs = np.arange(1, bench.epochs + 1)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.8))
ax1.plot(all_epochs, bench.val[row, 0], "o-", label="stored in the benchmark (seed 0)")
ax1.plot(live["epoch"], live["val_accuracy"], "x", ms=11, mew=2, label="trained just now (seed 0)")
ax1.set(title="Validation accuracy per epoch", xlabel="epoch", ylabel="validation accuracy")
ax1.legend()
ax2.plot(all_epochs, bench.train_loss[row, 0], "o-", label="stored in the benchmark (seed 0)")
ax2.plot(live["epoch"], live["train_loss"], "x", ms=11, mew=2, label="trained just now (seed 0)")
ax2.set(title="Training loss per epoch", xlabel="epoch", ylabel="cross-entropy loss (nats)")
ax2.legend()
fig.tight_layout()
plt.show()

gap = np.abs(live["val_accuracy"].to_numpy() - bench.val[row, 0, :epochs]).max()
identical = gap == 0
print(f"same validation accuracies as the benchmark's row, epoch for epoch: {identical} "
      f"(largest difference {gap:.3f})")
print(f"seconds per epoch: {live['seconds'].mean():.2f} now, "
      f"{bench.epoch_seconds[row, 0].mean():.2f} when the benchmark was built")
# Bit for bit on a CPU like the one that built the benchmark (tests/test_benchmark.py checks that on
# every change); another CPU may round the last bits of a sum differently: a few examples at most.
assert gap <= 0.02, f"retraining should reproduce the benchmark's row, got a gap of {gap}"

# %% [markdown]
# Training on CPU with a fixed seed is deterministic, so on a machine like the one that built the
# benchmark the row is reproduced exactly (the cell prints whether it was on yours). Another CPU or
# PyTorch version may round the last bits of a sum differently, which can move an accuracy slightly.
# The seconds differ anyway: they depend on the machine and on what else
# it was doing.
#
# Now scale that up. The source text lists **search cost** as NAS's first challenge: every candidate
# costs one training like the one above.

# %%
full_seconds = bench.cumulative_seconds[:, :, -1]          # one full training per architecture and seed
print(f"one full training: {full_seconds.min():.1f} to {full_seconds.max():.1f} s "
      f"(median {np.median(full_seconds):.1f} s), recorded on a {bench.meta['machine']['cpu_count']}-core CPU")
print(f"a search that trains 100 random cells: about {100 * full_seconds.mean() / 60:.0f} minutes")
print(f"the whole benchmark: {len(bench)} architectures x {len(bench.seeds)} seeds = "
      f"{full_seconds.size} trainings, {full_seconds.sum() / 3600:.1f} hours of training")
assert np.median(full_seconds) < 60 < 3600 < full_seconds.sum()    # seconds each, hours in all (the recap)

# %% [markdown]
# ## 3. What a tabular benchmark is, and how ours was built
#
# A **tabular benchmark** trains *every* architecture of a search space once, under one fixed
# protocol, and stores the results in a table: for each architecture and training seed, the
# accuracies and seconds after every epoch. NAS-Bench-101 and NAS-Bench-201 did this for research;
# the course ships two small ones that nastutor's own code built:
#
# - `nastutor/benchmark/build.py`, `build_benchmark`: for every **canonical** architecture of a space (cells
#   that compute the same function share one row, lesson 02) and every seed 0, 1, 2, it calls
#   `nastutor.training.train`, the function you just used, and appends one line to a progress file,
#   so a killed build resumes where it stopped. When every row is in, it writes the table
#   (`.csv.gz`), its metadata (`.json`), a data card (`.md`) and their checksums.
# - the command line runs it: `python -m nastutor benchmark build --space cell --dataset mnist1d --seeds 0 1 2 --workers 2`.
# - `Benchmark.load` checks the checksum and the schema; `TabularEvaluator` answers a search's
#   question with a **lookup** instead of a training, and charges the **recorded** training seconds:
#   a search's budget then runs in *simulated* seconds.
#
# Its data card says what is inside and how it was made:

# %%
display(Markdown((nt.data.data_dir() / "cell-mnist1d.md").read_text()))

# %%
print(bench.to_frame().shape[0], "rows: one per architecture, seed and epoch")
display(bench.to_frame().head(4))
bench.query(arch, seed=0, epoch=4)      # what training `arch` with seed 0 gave after 4 epochs

# %% [markdown]
# To see the builder work, build a miniature benchmark live: the MLP space cut down to two
# architectures (one hidden layer of 16 or 64 ReLU units), with the seeds and the protocol of the
# shipped `mlp-mnist1d` table (3 seeds, 50 epochs), written to a temporary folder. Then compare its
# rows with the shipped table.

# %%
from nastutor.benchmark import build_benchmark

mlp_bench = nt.Benchmark.load("mlp-mnist1d")
assert len(mlp_bench.seeds) == 3 and mlp_bench.epochs == 50, mlp_bench    # as the text says
tiny_space = nt.MLPSpace(widths=(16, 64), activations=("relu",), max_depth=1)
folder = tempfile.mkdtemp()
table = build_benchmark(tiny_space, "mnist1d", seeds=mlp_bench.seeds, folder=folder)
tiny = nt.Benchmark.load(table)              # named after its own space, never after a shipped one
print(tiny)
for a in tiny.archs:
    gap = np.abs(tiny.val[tiny.index(a)] - mlp_bench.val[mlp_bench.index(a)]).max()
    print(f"{tiny_space.to_string(a):>7}: validation accuracy of {len(tiny.seeds)} seeds x {tiny.epochs} epochs "
          f"identical to the shipped table: {gap == 0}")
    assert gap <= 0.02, f"a rebuilt row should reproduce the shipped one (up to rounding), got a gap of {gap}"

# %%
evaluator = nt.TabularEvaluator(bench)
start = time.perf_counter()
looked_up = evaluator.evaluate(arch, epochs=4, seed=0)
elapsed = time.perf_counter() - start
print(f"a lookup took {1000 * elapsed:.2f} ms of real time and was charged {looked_up.cost:.2f} "
      f"simulated seconds: the recorded time of {looked_up.epochs} epochs of training")


# %% [markdown]
# > **Common pitfall:** treating a tabular benchmark as the truth about architectures. It is exact
# > for its own protocol only: one dataset, one training recipe, one machine's seconds. A strategy
# > that wins on it has won under that protocol; and a strategy tuned on a benchmark has to be
# > tested on another one before its result says anything general.
#
# ## 4. Low fidelity: fewer epochs
#
# The table holds every epoch, so we can ask how well the accuracy after $e$ epochs ranks
# architectures, for every $e$, over all 941 cells, without training anything. Two details matter:
#
# - **What a search sees** is one training run: one seed, $e$ epochs. The **ground truth** we compare
#   with is the mean over the 3 seeds after all 12 epochs: `bench.truth()`, one number per row.
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

# %%
final = bench.truth().to_numpy()                # ground truth: mean over 3 seeds, full training
top = final >= np.quantile(final, 1 - 1 / 10)   # the best tenth of the space
spent_at = bench.cumulative_seconds.sum(axis=(0, 1))
rows = []
for e in range(1, bench.epochs + 1):
    seen = bench.val[:, 0, e - 1]               # what a search sees: seed 0 after e epochs
    rows.append({"epochs": e,
                 "kendall_tau": stats.kendalltau(seen, final).statistic,
                 "spearman_rho": stats.spearmanr(seen, final).statistic,
                 "kendall_tau_top_tenth": stats.kendalltau(seen[top], final[top]).statistic,
                 "time_saved": 1 - spent_at[e - 1] / spent_at[-1]})
by_epoch = pd.DataFrame(rows)
# the recap: the ranking suffers most among the best cells
assert (by_epoch["kendall_tau_top_tenth"] < by_epoch["kendall_tau"]).all()
by_epoch.round(3)

# %%
steps_per_epoch = int(np.ceil(len(data.y_train) / bench.config.batch_size))
weight = torch.zeros(1, requires_grad=True)
optimizer = torch.optim.Adam([weight], lr=bench.config.lr)
schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=bench.config.lr,
                                               total_steps=bench.epochs * steps_per_epoch)
rates = []
for _ in range(bench.epochs * steps_per_epoch):
    rates.append(schedule.get_last_lr()[0])
    optimizer.step()
    schedule.step()
peak = np.argmax(rates) / len(rates)           # when the learning rate is highest, as a share of training
assert abs(peak - 1 / 3) < 0.05, peak          # "about a third of training", below

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.8))
ax1.plot(by_epoch["epochs"], by_epoch["kendall_tau"], "o-", label="Kendall's tau, all cells")
ax1.plot(by_epoch["epochs"], by_epoch["spearman_rho"], "s-", label="Spearman's rho, all cells")
ax1.plot(by_epoch["epochs"], by_epoch["kendall_tau_top_tenth"], "^-", label="Kendall's tau, best tenth")
ax1.axhline(0, color="grey", lw=0.8)
ax1.set(title="Rank correlation with full training (seed 0 vs mean of 3)", xlabel="epochs trained",
        ylabel="rank correlation")
ax1.legend()
ax2.plot(np.arange(len(rates)) / steps_per_epoch, rates)
ax2.set(title="The protocol's one-cycle learning-rate schedule", xlabel="epoch",
        ylabel="learning rate")
fig.tight_layout()
plt.show()


# %% [markdown]
# Read the left panel from left to right: the cheaper the estimate, the weaker the ranking, but not
# smoothly. The benchmark's low fidelities are the **first $e$ epochs of the 12-epoch schedule**, as
# in NAS-Bench-201. The learning rate climbs until about a third of training and then decays (right
# panel), so an early epoch scores a network in the middle of its high-learning-rate phase: one
# plausible reason why some early epochs rank worse than the epoch before them.
#
# Move the slider: each dot is one cell; the title gives $\tau$ and the share of the benchmark's
# training time that stopping after $e$ epochs saves. Tick the box to average the three seeds
# (three times the cost).

# %%
def show_fidelity(epochs=4, average_seeds=False):
    seen = bench.val[:, :, epochs - 1].mean(axis=1) if average_seeds else bench.val[:, 0, epochs - 1]
    tau = stats.kendalltau(seen, final).statistic
    saved = 1 - spent_at[epochs - 1] / spent_at[-1]
    fig, ax = plt.subplots(figsize=(6.5, 4.6))
    ax.scatter(seen, final, s=8, alpha=0.5, label=f"{len(final)} cells")
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, label="equal accuracy")
    ax.set(xlim=(0, 1), ylim=(0, 1),
           xlabel=f"validation accuracy after {epochs} epochs ({'mean of 3 seeds' if average_seeds else 'seed 0'})",
           ylabel=f"validation accuracy after {bench.epochs} epochs (mean of 3 seeds)",
           title=f"tau = {tau:.3f}; time saved vs full training: {saved:.0%}")
    ax.legend(loc="lower right")
    plt.show()


widgets.interact(show_fidelity,
                 epochs=widgets.IntSlider(value=4, min=1, max=bench.epochs, description="epochs",
                                          continuous_update=False),
                 average_seeds=widgets.Checkbox(value=False, description="average 3 seeds"));

# %% [markdown]
# > **Common pitfall:** trusting one rank correlation over the whole space. Most of the pairs in
# > 941 cells are easy (a broken cell against a good one), so $\tau$ over all cells can look
# > reassuring while the estimate cannot tell the **best** cells apart. The column
# > `kendall_tau_top_tenth` above measures the ranking among the best tenth only, where a search's
# > final decision is made.
#
# ### Try it yourself 3
#
# Averaging the three seeds costs three trainings but removes noise. With the **mean of the 3 seeds**
# after $e$ epochs as the estimate, and the same ground truth `final`, what is the **smallest** number
# of epochs whose Kendall's $\tau$ (tau-b, as `stats.kendalltau` or your `kendall_tau` computes it)
# is at least 0.8? Set `smallest_epochs` to it.

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
# order of the batches change). So the "ground truth" of a single training run is itself noisy.
# How often do two runs disagree about which of two architectures is better?
#
# For every pair of cells, the cell below compares the order given by **one seed** with the order
# given by the **mean of the other two seeds** (not the mean of all three: a seed compared with a
# mean that contains it would agree with it partly by construction). Pairs are grouped by how far
# apart the two cells are in that reference.

# %%
by_seed = bench.val[:, :, -1]                   # final validation accuracy, (941 cells, 3 seeds)
i, j = np.triu_indices(len(bench), k=1)         # every pair of cells once
edges = [0, 0.002, 0.005, 0.01, 0.02, 0.05, 1.0]
counts = np.zeros((len(edges) - 1, 3))           # pairs, reversed, tied
for s in range(len(bench.seeds)):
    reference = np.delete(by_seed, s, axis=1).mean(axis=1)
    gap = reference[i] - reference[j]
    one_seed = np.sign(by_seed[i, s] - by_seed[j, s])
    keep = gap != 0
    which = np.digitize(np.abs(gap[keep]), edges[1:-1])
    reversed_ = one_seed[keep] == -np.sign(gap[keep])
    tied = one_seed[keep] == 0
    for b in range(len(edges) - 1):
        inside = which == b
        counts[b] += [inside.sum(), reversed_[inside].sum(), tied[inside].sum()]

noise = pd.DataFrame({"gap in mean accuracy": [f"{lo:g} to {hi:g}" for lo, hi in zip(edges[:-1], edges[1:])],
                      "pairs (x3 seeds)": counts[:, 0].astype(int),
                      "one seed reverses the order": counts[:, 1] / counts[:, 0],
                      "one seed ties": counts[:, 2] / counts[:, 0]})
print(f"standard deviation of final validation accuracy across seeds: "
      f"median {np.median(by_seed.std(axis=1)):.4f}, largest {by_seed.std(axis=1).max():.4f}")
print(f"over all pairs, one seed reverses the order in {counts[:, 1].sum() / counts[:, 0].sum():.1%} of them")
reversed_share = counts[:, 1] / counts[:, 0]
assert reversed_share[0] > 0.3 and reversed_share[-1] < 0.01   # close pairs near a coin flip, clear gaps reliable
noise.round(3)

# %%
fig, ax = plt.subplots(figsize=(9.5, 3.8))
ax.bar(noise["gap in mean accuracy"], noise["one seed reverses the order"], label="order reversed")
ax.bar(noise["gap in mean accuracy"], noise["one seed ties"], bottom=noise["one seed reverses the order"],
       label="tied")
ax.axhline(0.5, color="grey", lw=0.8, ls="--", label="coin flip")
ax.set(title="How often one training seed misorders two cells", xlabel="gap between the two cells "
       "(mean validation accuracy of the other seeds)", ylabel="share of pairs")
ax.legend()
plt.show()

# %% [markdown]
# Pairs of cells whose accuracies are close are ordered almost at random by a single run; only
# clear gaps are ordered reliably. That sets a ceiling on every estimate: no cheap proxy can rank
# two architectures more reliably than full training itself does, and comparisons of cells that
# differ by less than the seed-to-seed noise are mostly luck.
#
# > **Common pitfall:** reporting that architecture A beats architecture B from one training run
# > each. Whenever the gap is of the order of the seed-to-seed standard deviation, train more seeds
# > (the benchmark has 3) and compare the means.
#
# ## 6. Two cheap estimates, trained live
#
# The benchmark's low fidelity is a **truncated** schedule: the first 5 epochs of a 50-epoch
# schedule, say, scored while the learning rate is still high. Another cheap estimate is a
# **complete short schedule**: the same protocol squeezed into 5 epochs, so that its learning rate
# decays to the end. Both cost 5 epochs. Which ranks better? The cell below trains random MLPs
# with a complete 5-epoch schedule (the progress bar shows how long each takes) and reads the
# truncated scores of the same MLPs from the `mlp-mnist1d` benchmark.

# %%
mlp_final = mlp_bench.truth().to_numpy()            # ground truth: mean of 3 seeds after 50 epochs
n_archs = 16 if nt.fast_mode() else 40
picks = np.random.default_rng(0).choice(len(mlp_bench), size=n_archs, replace=False)
short = replace(mlp_bench.config, epochs=5)         # the MLP protocol, squeezed into 5 epochs
complete = []
for k in tqdm(picks, desc="complete 5-epoch schedules", unit="MLP"):
    a = mlp_bench.archs[k]
    trained = nt.train(lambda: mlp_bench.space.build(a, data.num_features, data.num_classes),
                       data, short, seed=0)
    complete.append(trained.val_accuracy)
complete = np.array(complete)
truncated = mlp_bench.val[picks, 0, 4]              # seed 0 after the first 5 of 50 epochs (recorded)


# %%
def tau_with_interval(estimate, truth, seed=1, repeats=1000):
    # tau and a 90% bootstrap interval (resampling the architectures)
    rng = np.random.default_rng(seed)
    tau = stats.kendalltau(estimate, truth).statistic
    boot = []
    for _ in range(repeats):
        k = rng.integers(len(truth), size=len(truth))
        boot.append(stats.kendalltau(estimate[k], truth[k]).statistic)
    return tau, np.nanpercentile(boot, [5, 95])


fig, axes = plt.subplots(1, 2, figsize=(12, 4), sharey=True)
for ax, (name, estimate) in zip(axes, [("first 5 of 50 epochs (truncated)", truncated),
                                       ("complete 5-epoch schedule", complete)]):
    tau, (lo, hi) = tau_with_interval(estimate, mlp_final[picks])
    ax.scatter(estimate, mlp_final[picks])
    ax.set(title=f"{name}\ntau = {tau:.2f} (90% interval {lo:.2f} to {hi:.2f})",
           xlabel="validation accuracy of the cheap estimate (seed 0)")
    print(f"{name:35s} tau = {tau:.3f}, 90% bootstrap interval {lo:.3f} to {hi:.3f}")
axes[0].set_ylabel("validation accuracy after 50 epochs (mean of 3 seeds)")
fig.suptitle(f"Two 5-epoch estimates of {n_archs} random MLPs")
fig.tight_layout()
plt.show()

# %% [markdown]
# With so few architectures, $\tau$ itself is uncertain: look at the width of the intervals
# before concluding that one estimate beats the other. The question is worth asking whenever you
# design a low-fidelity estimate: *the first epochs of the real schedule* and *a short real
# schedule* are different proxies.
#
# > **Common pitfall:** comparing the cost of strategies in evaluations when the evaluations have
# > different fidelities. One 5-epoch evaluation is not one 50-epoch evaluation; compare budgets in
# > seconds (the benchmark's simulated seconds), as the later lessons do.
#
# ## Recap
#
# - **Performance estimation** scores candidates: full training, proxy tasks, or early stopping /
#   low fidelity. A search only compares scores, so what matters is the **ranking**: measure it with
#   Kendall's $\tau$ (the share of pairs ordered correctly, rescaled) or Spearman's $\rho$.
# - **Cost**: one cell network takes seconds to train here; a search pays that once per candidate, and
#   the whole benchmark took hours. Fewer epochs save time roughly in proportion, at a loss of ranking
#   quality that you measured epoch by epoch, and that is largest among the best architectures.
# - **Noise**: a single full training is itself a noisy estimate; close pairs are ordered almost at
#   random by one seed.
# - A **tabular benchmark** stores every architecture × seed × epoch of one protocol, built by the same
#   training code (`python -m nastutor benchmark build ...`): a search on it is a sequence of lookups,
#   charged in simulated seconds, and its rows reproduce exactly when retrained.
#
# **Next:** lesson 04 uses the benchmark to study the simplest search strategy, random search: how good
# is the best of $n$ random architectures, in theory and in many simulated searches?
