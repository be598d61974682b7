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
# # 01 · The NAS objective
#
# Lesson 00 ran a first search. This lesson makes precise **what a search is looking for**, and shows,
# with real training runs, how easily that target is measured wrongly.
#
# **You will:**
# 1. write the NAS objective $a^* = \arg\max_{a \in \mathcal{A}} \mathrm{Acc}(a)$ and read every symbol in it;
# 2. keep three data splits apart: **choose on validation, report on test**, and see what goes wrong otherwise;
# 3. measure how much a network's accuracy moves when only its **training seed** changes, live and on a
#    benchmark of every architecture;
# 4. replay the course's source-text example for real and see why scoring **random labels** or the
#    **training data** tells you nothing about architectures.
#
# Every number below comes from training real networks on your CPU, or from nastutor's tabular
# benchmarks (every architecture of a space, trained by the same code with several seeds).

# %%
from dataclasses import replace

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

import nastutor as nt
from nastutor.exercises.lesson01 import *

print("fast mode:", nt.fast_mode())

# %% [markdown]
# ## 1. The objective
#
# A search space $\mathcal{A}$ is a set of architectures (lesson 02 is about how to build one). NAS
# looks for the one that performs best:
#
# $$
# a^* \;=\; \underset{a \in \mathcal{A}}{\arg\max}\; \mathrm{Acc}_{\text{val}}\big(a,\, w^*(a)\big)
# \qquad\text{where}\qquad
# w^*(a) \;=\; \underset{w}{\arg\min}\; \mathcal{L}_{\text{train}}(a, w).
# $$
#
# > **Math breakdown**
# > - $\mathcal{A}$: the search space, every architecture the search may return (here, multi-layer
# >   perceptrons such as `64relu-32tanh`).
# > - $a$: one architecture, a *design*, with no weights yet.
# > - $w^*(a)$: the weights that training finds for $a$ by minimising the training loss
# >   $\mathcal{L}_{\text{train}}$. This inner problem is solved by gradient descent, once per candidate:
# >   **every evaluation of the objective costs a training run.**
# > - $\mathrm{Acc}_{\text{val}}$: the fraction of *validation* examples the trained network labels
# >   correctly. Validation data took no part in fitting $w^*(a)$.
# > - $\arg\max$: returns the *architecture* that reaches the highest value, not the value itself.
# > - After the search: report $\mathrm{Acc}_{\text{test}}(a^*)$, on a third split that neither the
# >   weights nor the choice of $a^*$ ever saw.
#
# There are two optimisations, one inside the other. The inner one (weights) has gradients; the outer
# one (architectures) is over a discrete set, so it needs a *search strategy*: random search, evolution,
# reinforcement learning... the rest of the course.
#
# On a tabular benchmark every candidate has already been trained, so the outer problem can be solved
# exactly by looking at all of them. Here is the MLP benchmark, one row per architecture (accuracies
# averaged over 3 training seeds):

# %%
bench = nt.Benchmark.load("mlp-mnist1d")
space = bench.space
frame = bench.final_frame()
print(f"{len(frame)} architectures, each trained for {len(bench.seeds)} seeds x {bench.epochs} epochs")
assert len(bench.seeds) == 3, bench       # the text of this lesson says "3 seeds"
frame.sort_values("val_accuracy", ascending=False).head(8).round(4)

# %% [markdown]
# ## 2. Three splits: fit on train, choose on validation, report on test
#
# MNIST-1D comes split three ways. Each split has one job:

# %%
data = nt.load_dataset("mnist1d")
for split in ("train", "val", "test"):
    print(f"{split:>5}: {len(getattr(data, 'y_' + split)):5d} examples")

# %% [markdown]
# - **train** fits the weights $w^*(a)$;
# - **validation** compares architectures: the search reads it, many times;
# - **test** is read *once*, to report how the chosen architecture does on data nobody optimised for.
#
# Why not choose on test directly? Because choosing is itself a kind of fitting. Each trained
# network's accuracy on a split is its true accuracy plus luck (which examples happen to be in the
# split, which seed trained it). When you pick the maximum of many noisy numbers, you preferentially
# pick the ones whose luck was good, so **the number you selected on is biased upwards**, and more so
# the more candidates you compare. A split you did not select on has no reason to share that luck.
#
# The cell below measures this bias on the benchmark. It simulates searches that train $n$ random
# architectures once each (one seed), and compares three ways of working: choose on validation and
# report validation; choose on validation and report test; choose on test and report test. The
# *optimism* of a report is how far it lies above what the same architecture scores when trained
# again with the other seeds and measured on test.

# %%
val, test = bench.val[:, :, -1], bench.test[:, :, -1]     # (architectures, seeds), final epoch
n_archs, n_seeds = val.shape
rng = np.random.default_rng(0)
sizes, repeats = [1, 3, 10, 30, 100, 300], 1000
rules = {"choose on val, report val": (val, val),
         "choose on val, report test": (val, test),
         "choose on test, report test": (test, test)}
optimism = {rule: [] for rule in rules}
for n in sizes:
    candidates = rng.random((repeats, n_archs)).argsort(axis=1)[:, :n]   # n distinct archs per search
    seed = rng.integers(n_seeds, size=repeats)                            # one training run each
    for rule, (choose_on, report) in rules.items():
        picked = candidates[np.arange(repeats), choose_on[candidates, seed[:, None]].argmax(axis=1)]
        fresh = (test[picked].sum(axis=1) - test[picked, seed]) / (n_seeds - 1)  # the other seeds
        optimism[rule].append(np.mean(report[picked, seed] - fresh))

fig, ax = plt.subplots(figsize=(7, 4))
for rule, values in optimism.items():
    ax.plot(sizes, values, marker="o", label=rule)
ax.axhline(0, color="grey", lw=0.8)
ax.set_xscale("log")
ax.set_xlabel("architectures compared by the search, n (log scale)")
ax.set_ylabel("optimism of the reported accuracy\n(reported − retrained test accuracy)")
ax.set_title(f"Selecting on a split inflates it (MLP benchmark, {repeats} searches per n)")
ax.legend()
plt.show()
for rule, values in optimism.items():
    print(f"{rule:28s} optimism at n={sizes[-2]}: {values[-2]:+.4f}")
# what the text below reads from the plot
honest, biased = optimism["choose on val, report test"], [optimism[r] for r in rules if r != "choose on val, report test"]
assert all(b[-1] > b[0] and honest[-1] < b[-1] / 2 for b in biased), optimism


# %% [markdown]
# Read the plot: with $n = 1$ there is no choice and no bias. As $n$ grows, the number you selected on
# drifts upwards away from reality. Reporting test after choosing on validation stays much closer to
# what the architecture really does; what is left comes from the lucky *training run* (the same
# weights are scored on both splits), which is why the next section averages over seeds.
#
# > **Common pitfall:** tuning anything on the test split (the architecture, the number of epochs,
# > the learning rate) and then reporting test accuracy. Once the test split has helped to choose,
# > it is a second validation split, and its number is optimistic.
#
# ### Try it yourself 1
#
# Write `choose(frame)`: given a frame like `bench.final_frame()` (one row per architecture, with
# columns `arch`, `val_accuracy`, `test_accuracy`, ...), return the `arch` string the search should
# pick. The checker calls it on the whole MLP and cell benchmarks and on random subsets of them
# (as a search that trained only some architectures would hold; their rows are not numbered 0, 1, 2, ...).

# %%
def choose(frame):
    ____  # your code here: return the chosen architecture's string

q1.check()

# %%
# q1.hint()
# q1.solution()

# %% [markdown]
# Once `choose` passes, you can report the chosen architecture the honest way:
# `frame.set_index("arch").loc[choose(frame), "test_accuracy"]`. The benchmark's `optimum()` does the
# same search (highest mean validation accuracy) and hands back both numbers:

# %%
a_star, a_star_val, a_star_test = bench.optimum()
print(f"a* = {space.to_string(a_star)}: validation {a_star_val:.4f} (used to choose), "
      f"test {a_star_test:.4f} (reported)")

# %% [markdown]
# ## 3. Accuracy is noisy across training seeds
#
# Train the *same* architecture twice with different random seeds (a different weight initialisation
# and a different order of the training batches) and you get two different accuracies. So
# $\mathrm{Acc}(a)$ is really a random variable:
#
# $$
# \mathrm{Acc}(a, s) \;=\; \mu(a) + \varepsilon_s, \qquad
# \mathbb{E}[\varepsilon_s] = 0,\quad \mathrm{sd}(\varepsilon_s) = \sigma(a),
# $$
#
# > **Math breakdown**
# > - $s$: the training seed; $\mathrm{Acc}(a, s)$ is what one training run reports.
# > - $\mu(a)$: the accuracy the architecture gives *on average* over seeds: what we actually want to rank.
# > - $\varepsilon_s$: the luck of that run; $\sigma(a)$ measures how large it typically is.
# > - Averaging $k$ seeds shrinks the luck to $\sigma(a)/\sqrt{k}$, at $k$ times the cost.
#
# Let's measure $\sigma$ for one MLP with real training runs. `LiveEvaluator` trains with the same
# protocol as the benchmark (in fast mode, a quarter of the epochs).

# %%
live = nt.LiveEvaluator(space, "mnist1d")
assert live.config == (replace(bench.config, epochs=bench.epochs // 4) if nt.fast_mode() else bench.config)
arch = space.parse("64relu-32tanh")
seeds = range(8)
runs = [live.evaluate(arch, seed=s) for s in tqdm(seeds, desc="training 64relu-32tanh")]
accs = np.array([r.val_accuracy for r in runs])
print("validation accuracy per seed:", accs)
print(f"mean {accs.mean():.4f}, standard deviation across seeds {accs.std(ddof=1):.4f}, "
      f"range {accs.max() - accs.min():.4f}")
if not nt.fast_mode():
    row = bench.val[bench.index(arch), :, -1]
    print("seeds 0-2 reproduce the benchmark's rows exactly:", np.array_equal(accs[:3], row))

fig, ax = plt.subplots(figsize=(7, 2))
ax.scatter(accs, np.zeros_like(accs), s=60, alpha=0.7)
for rank, s in enumerate(np.argsort(accs)):            # neighbours on the axis alternate sides
    ax.annotate(f"seed {s}", (accs[s], 0), textcoords="offset points", xytext=(0, 9 if rank % 2 else -15),
                ha="center", fontsize=8)
ax.set_yticks([])
ax.set_ylim(-1, 1)
ax.set_xlabel("validation accuracy (fraction correct)")
ax.set_title("One architecture (64relu-32tanh), eight training seeds")
plt.show()


# %% [markdown]
# ### Try it yourself 2
#
# Measure the same thing from the benchmark's arrays. `bench.val` has shape
# (architectures, seeds, epochs). Write `seed_std(bench, arch)`, which takes a benchmark and an
# architecture **string** and returns the sample standard deviation (`ddof=1`), across the
# benchmark's seeds, of that architecture's validation accuracy **after the final epoch**. It must
# work for both benchmarks (`"mlp-mnist1d"` and `"cell-mnist1d"`).

# %%
def seed_std(bench, arch):
    ____  # your code here

q2.check()

# %%
# q2.hint()
# q2.solution()

# %% [markdown]
# How large is this noise compared with the differences the search is trying to detect? Below, left:
# the seed spread of every MLP in the benchmark. Right: the 15 best MLPs by mean validation accuracy,
# each with its 3 seeds.

# %%
spread = bench.val[:, :, -1].std(axis=1, ddof=1)
mean_val = bench.val[:, :, -1].mean(axis=1)     # the mean over seeds; bench.truth() gives the same
top = np.argsort(-mean_val)[:15]

fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
left.hist(spread, bins=30, color="tab:blue")
left.axvline(np.median(spread), color="black", ls="--", label=f"median {np.median(spread):.4f}")
left.set_xlabel("standard deviation of validation accuracy across 3 seeds")
left.set_ylabel("architectures")
left.set_title(f"Seed noise of all {len(spread)} MLPs")
left.legend()
for rank, i in enumerate(top):
    right.scatter(bench.val[i, :, -1], [rank] * n_seeds, color="tab:orange", s=18)
    right.plot(mean_val[i], rank, "k|", ms=12)
right.set_yticks(range(len(top)), [space.to_string(bench.archs[i]) for i in top], fontsize=8)
right.invert_yaxis()
right.set_xlabel("validation accuracy (dots: seeds, bar: mean)")
right.set_title("The 15 best MLPs: their seeds overlap")
fig.tight_layout()
plt.show()
gap = mean_val[top[0]] - mean_val[top[9]]
print(f"gap between the best and the 10th best mean: {gap:.4f}; median seed spread: {np.median(spread):.4f}")

# %% [markdown]
# If each seed had run its own search over *every* architecture, would they agree on the winner?

# %%
rank_of = (-mean_val).argsort().argsort() + 1          # 1 = best mean validation accuracy
winners = set()
for k, s in enumerate(bench.seeds):
    i = int(np.argmax(bench.val[:, k, -1]))
    winners.add(i)
    print(f"seed {s}: winner {space.to_string(bench.archs[i]):22s} "
          f"val {bench.val[i, k, -1]:.3f}; its rank by the 3-seed mean: {rank_of[i]}")
print(f"{len(winners)} different winner(s) from {n_seeds} exhaustive searches that differ only in the seed")

# %% [markdown]
# When the winners differ, even an exhaustive search, which tries every architecture, returns a
# "best" architecture that depends on one random seed: the top architectures are closer together
# than one run's luck. That is not a flaw of the search strategy; it is a property of the objective. The benchmark's cell space behaves the same way
# (try it: load `nt.Benchmark.load("cell-mnist1d")` and rerun the cell).
#
# > **Common pitfall:** declaring architecture A better than B from one training run each. A gap
# > smaller than the seed spread can flip on the next run. Compare means over several seeds, and
# > say how many.
#
# ## 4. The source text's example, replayed for real
#
# The course's source text illustrates NAS with a tiny random search: three one-hidden-layer networks
# (16 units with ReLU, 32 with tanh, 64 with ELU), trained for a few steps on **random inputs with
# random labels**, and scored on **the very examples they were trained on**; the highest score wins.
# It looks like NAS, but both choices break the objective above. Our `MLPSpace` contains those three
# networks (`16relu`, `32tanh`, `64elu`), so we can replay the idea with real training, next to a
# larger network, `64relu-64relu-64elu`.
#
# ### 4a. Random labels: held-out accuracy is chance
#
# `nt.load_dataset("random-labels")` keeps MNIST-1D's signals but draws every label at random. There is
# nothing to learn, so on held-out data no architecture can beat guessing. What does guessing score?

# %%
noise = nt.load_dataset("random-labels")
n_val, k = len(noise.y_val), noise.num_classes
chance = 1 / k
majority = np.bincount(noise.y_val, minlength=k).max() / n_val
luck = np.sqrt(chance * (1 - chance) / n_val)
print(noise)
print(f"chance level 1/K = {chance:.3f}; always answering the most common validation label scores {majority:.3f}")
print(f"a guesser's accuracy on {n_val} examples varies by about ±{luck:.4f} (one standard deviation)")

# %% [markdown]
# > **Math breakdown:** a guesser is right on each of $n$ held-out examples with probability
# > $p = 1/K$, independently, so its number of hits is Binomial$(n, p)$ and its accuracy has standard
# > deviation $\sqrt{p(1-p)/n}$. Any "winner" whose lead is of that size won by luck.
#
# Now train each network on random labels and on the real labels, with 3 seeds, and record both the
# accuracy on the **training** data and on the **validation** data. The helper records the training
# accuracy after every epoch too (through `train`'s `on_epoch` hook); the widget further down uses that.

# %%
from nastutor.training import accuracy

config = nt.default_config(space)          # the benchmark's protocol (shorter in fast mode)


def train_and_score(arch_string, dataset, seed=0, epochs=None):
    # Train for real; return (training accuracy per epoch, validation accuracy per epoch).
    arch, data = space.parse(arch_string), nt.load_dataset(dataset)
    net = {}

    def build():
        net["model"] = space.build(arch, data.num_features, data.num_classes)
        return net["model"]

    train_curve = []
    result = nt.train(build, data, replace(config, epochs=epochs or config.epochs), seed=seed,
                      on_epoch=lambda record: train_curve.append(accuracy(net["model"], data.x_train, data.y_train)))
    return train_curve, list(result.val_curve)


candidates = ["16relu", "32tanh", "64elu", "64relu-64relu-64elu"]
rows = []
jobs = [(a, d, s) for d in ("random-labels", "mnist1d") for a in candidates for s in range(3)]
for arch_string, dataset, seed in tqdm(jobs, desc="training"):
    train_curve, val_curve = train_and_score(arch_string, dataset, seed)
    rows.append({"labels": "random" if dataset == "random-labels" else "real", "arch": arch_string,
                 "seed": seed, "train accuracy": train_curve[-1], "val accuracy": val_curve[-1]})
runs = pd.DataFrame(rows)
summary = runs.groupby(["labels", "arch"], sort=False)[["train accuracy", "val accuracy"]].mean()
summary.round(3)

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4), sharey=True)
x = np.arange(len(candidates))
for ax, labels in zip(axes, ("random", "real")):
    part = summary.loc[labels].reindex(candidates)
    ax.bar(x - 0.2, part["train accuracy"], 0.4, label="scored on training data")
    ax.bar(x + 0.2, part["val accuracy"], 0.4, label="scored on validation data")
    ax.axhline(chance, color="black", ls="--", lw=1, label=f"chance (1/{k})")
    ax.set_xticks(x, candidates, rotation=15)
    ax.set_title(f"{labels} labels (mean of 3 seeds)")
    ax.set_xlabel("architecture")
axes[0].set_ylabel("accuracy (fraction correct)")
axes[0].legend(loc="upper left")
plt.show()

random_runs = runs[runs["labels"] == "random"]
print("On random labels, the winner by validation accuracy, seed by seed:")
for seed, group in random_runs.groupby("seed"):
    best = group.loc[group["val accuracy"].idxmax()]
    print(f"  seed {seed}: {best['arch']:20s} val {best['val accuracy']:.3f}")
print(f"validation accuracies on random labels span {random_runs['val accuracy'].min():.3f} "
      f"to {random_runs['val accuracy'].max():.3f}")

# what the text below says about these runs
assert (abs(random_runs["val accuracy"] - chance) < 4 * luck).all(), "held-out accuracy on random labels is chance"
if not nt.fast_mode():   # a quarter of the epochs memorises less: these hold for the full protocol
    assert summary.loc["random", "train accuracy"].idxmax() == candidates[-1], "the biggest network memorises most"
    assert (summary.loc["random", "train accuracy"] > chance + 4 * luck).all(), "training accuracy rises above chance"
    assert (summary.loc["real", "train accuracy"] > summary.loc["real", "val accuracy"]).all()

# %% [markdown]
# On random labels, validation accuracy stays within a few guessers' standard deviations of chance
# for *every* architecture, and which one "wins" is down to the seed: the search is choosing by luck. On real labels the validation bars differ
# for a reason, and the ranking is worth something.
#
# ### 4b. Scoring on the training data rewards memorising
#
# Now look at the *training* bars on random labels. They rise above chance, highest for the biggest
# network, although there is no pattern to learn: the networks have memorised which random label
# goes with which training signal. A search that scores on training data therefore prefers the
# networks with the most capacity to memorise, whether or not they generalise. On real labels the
# training score also sits above the validation score: part of every training score is memory.
#
# Move the sliders: they retrain one network (for real) on both datasets and plot its accuracy on the
# training and validation data after every epoch. Watch how the gap on random labels grows with more
# epochs and with a bigger network.

# %%
epochs_slider = widgets.IntSlider(value=config.epochs, min=1, max=2 * config.epochs, step=1,
                                  description="epochs", continuous_update=False)
seed_slider = widgets.IntSlider(value=0, min=0, max=4, description="seed", continuous_update=False)
arch_menu = widgets.Dropdown(options=candidates, value="64relu-64relu-64elu", description="network")
out = widgets.Output()


def show(epochs, seed, arch_string):
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
    for ax, dataset in zip(axes, ("random-labels", "mnist1d")):
        train_curve, val_curve = train_and_score(arch_string, dataset, seed, epochs)
        epoch = np.arange(1, epochs + 1)
        ax.plot(epoch, train_curve, marker=".", label="training data")
        ax.plot(epoch, val_curve, marker=".", label="validation data")
        ax.axhline(chance, color="black", ls="--", lw=1, label="chance")
        ax.set_title(f"{arch_string} on {dataset}")
        ax.set_xlabel("epoch")
    axes[0].set_ylabel("accuracy (fraction correct)")
    axes[0].set_ylim(0, 1.02)
    axes[0].legend()
    plt.show()


def update(change=None):
    with out:
        out.clear_output(wait=True)
        show(epochs_slider.value, seed_slider.value, arch_menu.value)


for control in (epochs_slider, seed_slider, arch_menu):
    control.observe(update, names="value")
update()
widgets.VBox([widgets.HBox([arch_menu, epochs_slider, seed_slider]), out])

# %% [markdown]
# > **Common pitfall:** scoring candidates on the data they were trained on, or on data with nothing
# > to learn. Both produce numbers that look like accuracies, and a search will happily maximise
# > them, but they measure memory and luck, not how well an architecture generalises.
#
# ### Try it yourself 3
#
# Write the evaluation a search should use. `val_accuracy(model, data)` takes a trained PyTorch
# network and a `nt.Dataset` and returns the fraction of the **validation** examples
# (`data.x_val`, `data.y_val`) the network labels correctly, as a number from 0 to 1. The network
# outputs one score per class; its prediction is the class with the largest score. The checker
# compares your function with nastutor's own scoring on networks it trains for real, on real and on
# random labels.

# %%
import torch


def val_accuracy(model, data):
    ____  # your code here

q3.check()

# %%
# q3.hint()
# q3.solution()

# %% [markdown]
# ## Recap
#
# - The NAS objective is $a^* = \arg\max_{a \in \mathcal{A}} \mathrm{Acc}_{\text{val}}(a, w^*(a))$: an outer
#   search over architectures around an inner training of weights; each evaluation costs a training run.
# - **Fit on train, choose on validation, report on test.** The split you choose on is biased upwards,
#   the more so the more candidates you compare; the test split stays honest only if it never helped
#   to choose.
# - Accuracy is a random variable over training seeds. The best architectures are often closer
#   together than one run's luck, so compare means over seeds.
# - Random labels make every architecture score chance on held-out data; training accuracy rewards
#   memorising. The source text's example measured both, so its "best" configuration is noise.
#
# **Next, lesson 02 · Search spaces:** what $\mathcal{A}$ looks like (chains and cells), how big it is,
# why many architectures are the same function in disguise, and how accuracy is spread over a space.
