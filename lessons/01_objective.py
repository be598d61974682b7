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
# This lesson makes precise **what a search is looking for**, and shows, with real training runs,
# how easily that target is measured wrongly.
#
# **You will:**
# 1. write the NAS objective $a^* = \arg\max_{a \in \mathcal{A}} \mathrm{Acc}(a)$ and read every symbol in it;
# 2. keep three data splits apart: **choose on validation, report on test**, and see what goes wrong otherwise;
# 3. measure how much a network's accuracy moves when only its **training seed** changes;
# 4. replay a toy search and see why scoring **random labels** or the **training data** tells you
#    nothing about architectures.

# %%
# %matplotlib inline
from dataclasses import replace

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

import nastutor as nt
from nastutor import plots
from nastutor.exercises.lesson01 import *

# %% [markdown]
# ## 1. The objective
#
# A [search space](glossary.md#search-space) $\mathcal{A}$ is a set of architectures (lesson 02 is
# about how to build one). NAS looks for the one that performs best:
#
# $$
# a^* \;=\; \underset{a \in \mathcal{A}}{\arg\max}\; \mathrm{Acc}_{\text{val}}\big(a,\, w^*(a)\big)
# \qquad\text{where}\qquad
# w^*(a) \;=\; \underset{w}{\arg\min}\; \mathcal{L}_{\text{train}}(a, w).
# $$
#
# > **Math breakdown**
# > - $\mathcal{A}$: the search space, every architecture the search may return (here, multi-layer
# >   perceptrons such as `64relu-32tanh`); $a$: one architecture, a *design* with no weights yet.
# > - $w^*(a)$: the weights that training finds for $a$ by minimising the training loss
# >   $\mathcal{L}_{\text{train}}$, by gradient descent: **every evaluation of the objective costs a
# >   training run.**
# > - $\mathrm{Acc}_{\text{val}}$: the fraction of *validation* examples the trained network labels
# >   correctly; validation data took no part in fitting $w^*(a)$.
# > - $\arg\max$: returns the *architecture* that reaches the highest value, not the value itself.
# > - After the search: report $\mathrm{Acc}_{\text{test}}(a^*)$, on a third split that neither the
# >   weights nor the choice of $a^*$ ever saw.

# %% [markdown]
# The outer problem, the $\arg\max$ over architectures, is over a discrete set, so it needs a
# *search strategy*: the rest of the course. On a [tabular benchmark](glossary.md#tabular-benchmark)
# every candidate has already been trained, so it can be solved exactly by looking at all of them.
# Here is the MLP benchmark (accuracies averaged over 3 training seeds):

# %%
bench = nt.Benchmark.load("mlp-mnist1d")
space = bench.space
frame = bench.final_frame()
assert len(bench.seeds) == 3, bench       # the text of this lesson says "3 seeds"
frame.sort_values("val_accuracy", ascending=False).head(5).round(4)

# %% [markdown]
# ## 2. Three splits: fit on train, choose on validation, report on test
#
# MNIST-1D comes split three ways: **train** fits the weights $w^*(a)$;
# **[validation](glossary.md#validation-test)** compares architectures, and the search reads it many
# times; **test** is read *once*, to report how the chosen architecture does on data nobody optimised for.

# %%
print(nt.load_dataset("mnist1d"))

# %% [markdown]
# Why not choose on test directly? Because choosing is itself a kind of fitting. A network's accuracy
# on a split is its true accuracy plus luck; pick the maximum of many noisy numbers and you pick the
# lucky ones, so **the number you selected on is biased upwards** (the
# [winner's curse](glossary.md#winners-curse)), the more so the more candidates you compare. A split
# you did not select on does not share that luck.
#
# The cell below simulates searches that train $n$ random architectures once each (one seed), and
# compares three ways of working. A report's *optimism* is how far it lies above what the picked
# architecture scores on test when trained again with the other seeds.
#
# **Predict, then run (p1).** As $n$ grows, what happens to the optimism of the honest rule,
# *choose on val, report test*?
# - (a) it grows as much as reporting validation does
# - (b) it grows a little, and stays well below reporting validation
# - (c) it stays at zero: test took no part in the choice

# %%
p1.check(____)  # your prediction: a, b or c

# %%
val, test = bench.val[:, :, -1], bench.test[:, :, -1]     # (architectures, seeds), final epoch
rules = {"choose on val, report val": (val, val),
         "choose on val, report test": (val, test),
         "choose on test, report test": (test, test)}


def one_search(n, rng):
    # Train n random architectures with one seed; each rule's optimism.
    candidates, seed = rng.choice(len(val), size=n, replace=False), rng.integers(val.shape[1])
    result = {}
    for rule, (choose_on, report) in rules.items():
        picked = candidates[np.argmax(choose_on[candidates, seed])]
        result[rule] = report[picked, seed] - np.delete(test[picked], seed).mean()
    return result


rng, sizes = np.random.default_rng(0), [1, 3, 10, 30, 100]
optimism = pd.DataFrame([pd.DataFrame([one_search(n, rng) for _ in range(1000)]).mean() for n in sizes])
plots.curves(sizes, optimism.to_dict("list"), hlines={"no optimism": 0}, xscale="log",
             xlabel="architectures compared by the search, n", ylabel="optimism (reported − retrained test)",
             title="Selecting on a split inflates it (MLP benchmark, 1000 searches per n)")

# %% [markdown]
# With $n = 1$ there is no choice and no bias (the curves start a hair off zero: the simulation is
# noisy). Choosing on validation and reporting test stays much closer to zero; what is left is the
# luck of the *training run*, which both splits share.
#
# > **Common pitfall:** tuning anything on the test split (the architecture, the epochs, the
# > learning rate), then reporting test accuracy. A test split that helped to choose is a second
# > validation split, and optimistic.
#
# ### Try it yourself 1
#
# Write `choose(frame)`: given a frame like `bench.final_frame()` (one row per architecture, with
# columns `arch`, `val_accuracy`, `test_accuracy`, ...), return the `arch` string the search should
# pick. The checker also calls it on random subsets of the benchmarks, whose rows are not numbered
# 0, 1, 2, ...

# %%
def choose(frame):
    ____  # your code here: return the chosen architecture's string

q1.check()

# %%
# q1.hint()
# q1.solution()

# %% [markdown]
# The benchmark's `optimum()` makes the same choice (highest mean validation accuracy) and reports it
# the honest way:

# %%
a_star, a_star_val, a_star_test = bench.optimum()
print(f"a* = {space.to_string(a_star)}: validation {a_star_val:.4f} (used to choose), "
      f"test {a_star_test:.4f} (reported)")

# %% [markdown]
# ## 3. Accuracy is noisy across training seeds
#
# Train the *same* architecture twice with different random seeds (initial weights, batch order) and
# you get two different accuracies, the [seed noise](glossary.md#seed-noise). So $\mathrm{Acc}(a)$ is
# really a random variable:
#
# $$
# \mathrm{Acc}(a, s) \;=\; \mu(a) + \varepsilon_s, \qquad
# \mathbb{E}[\varepsilon_s] = 0,\quad \mathrm{sd}(\varepsilon_s) = \sigma(a),
# $$
#
# > **Math breakdown**
# > - $s$: the training seed; $\mathrm{Acc}(a, s)$ is what one training run reports.
# > - $\mu(a)$: the accuracy the architecture gives *on average* over seeds: what we want to rank.
# > - $\varepsilon_s$: the luck of that run; $\sigma(a)$ measures how large it typically is.
# > - Averaging $k$ seeds shrinks the luck to $\sigma(a)/\sqrt{k}$, at $k$ times the cost.
#
# Let's measure $\sigma$ for one MLP, for real. `LiveEvaluator` trains with the benchmark's protocol
# (in fast mode, a quarter of the epochs).

# %%
live = nt.LiveEvaluator(space, "mnist1d")
assert live.config == (replace(bench.config, epochs=bench.epochs // 4) if nt.fast_mode() else bench.config)
arch = space.parse("64relu-32tanh")
accs = np.array([live.evaluate(arch, seed=s).val_accuracy for s in tqdm(range(8), desc="training 64relu-32tanh")])
print(f"validation accuracy per seed, sorted: {np.sort(accs)}\nmean {accs.mean():.4f}, standard deviation "
      f"across seeds {accs.std(ddof=1):.4f}, range {accs.max() - accs.min():.4f}")

# %% [markdown]
# ### Try it yourself 2
#
# Measure it from the benchmark's arrays: `bench.val` has shape (architectures, seeds, epochs). Write
# `seed_std(bench, arch)`, which takes a benchmark and an architecture **string** and returns the
# sample standard deviation (`ddof=1`), across the benchmark's seeds, of that architecture's validation
# accuracy **after the final epoch**. It must work for both benchmarks (`"mlp-mnist1d"` and
# `"cell-mnist1d"`).

# %%
def seed_std(bench, arch):
    ____  # your code here

q2.check()

# %%
# q2.hint()
# q2.solution()

# %% [markdown]
# How large is this noise next to the differences a search must detect? Left: the seed spread of every
# MLP in the benchmark. Right: the 15 best MLPs by mean validation accuracy, each with its 3 seeds.

# %%
spread, mean_val = val.std(axis=1, ddof=1), val.mean(axis=1)     # over seeds; bench.truth() is mean_val
top = np.argsort(-mean_val)[:15]
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
plots.histogram(spread, bins=30, marks={f"median {np.median(spread):.4f}": np.median(spread)}, ylabel="architectures",
                xlabel="standard deviation across seeds", title=f"Seed noise of all {len(spread)} MLPs", ax=left)
right.scatter(val[top].ravel(), np.repeat(range(len(top)), val.shape[1]), color="tab:orange", s=18, label="one seed")
right.scatter(mean_val[top], range(len(top)), color="black", marker="|", s=200, label="mean")
right.set_yticks(range(len(top)), [space.to_string(bench.archs[i]) for i in top], fontsize=8)
right.invert_yaxis()
right.set(xlabel="validation accuracy", title="The 15 best MLPs: their seeds overlap")
right.legend(loc="lower left")
plt.show()
print(f"best mean minus 10th best mean: {mean_val[top[0]] - mean_val[top[9]]:.4f}; "
      f"median seed spread: {np.median(spread):.4f}")

# %% [markdown]
# **Predict, then run (p2).** If each seed had run its own search over *every* architecture, would
# they agree on the winner? (The cell ranks each winner by the mean of the *other* seeds.)
# - (a) yes: searching every architecture leaves no room for luck
# - (b) no, but each winner ranks near the top (rank $\le 10$)
# - (c) no, and a winner can rank far down (rank $> 10$)

# %%
p2.check(____)  # your prediction: a, b or c

# %%
for k, s in enumerate(bench.seeds):
    i = int(np.argmax(val[:, k]))
    others = np.delete(val, k, axis=1).mean(axis=1)    # the seeds that did not choose it
    print(f"seed {s}: winner {space.to_string(bench.archs[i]):22s} val {val[i, k]:.3f}; "
          f"its rank by the other seeds' mean: {1 + np.sum(others > others[i])}")

# %% [markdown]
# So even an exhaustive search returns a "best" architecture that depends on one seed: a property of
# the objective, not a flaw of the search strategy.
#
# > **Common pitfall:** declaring architecture A better than B from one training run each. A gap
# > smaller than the seed spread can flip on the next run. Compare means over several seeds, and
# > say how many.
#
# ## 4. A toy search that measures nothing
#
# NAS is often first shown with a tiny random search: three one-hidden-layer networks (16 units with
# ReLU, 32 with tanh, 64 with ELU), trained on **random inputs with random labels**, and scored on
# **the very examples they were trained on**. Both choices break the objective above. Our `MLPSpace`
# contains those three networks, so we replay the idea for real, next to a larger `64relu-64relu-64elu`.
#
# ### 4a. Random labels: held-out accuracy is chance
#
# `nt.load_dataset("random-labels")` keeps MNIST-1D's signals but draws every label at random: on
# held-out data no architecture can beat guessing.

# %%
noise = nt.load_dataset("random-labels")
chance = 1 / noise.num_classes
luck = np.sqrt(chance * (1 - chance) / len(noise.y_val))
print(noise)
print(f"chance 1/K = {chance:.3f}; a guesser's validation accuracy varies by about ±{luck:.4f} (one sd)")

# %% [markdown]
# > **Math breakdown:** a guesser is right on each of $n$ held-out examples with probability
# > $p = 1/K$, independently, so its accuracy has standard deviation $\sqrt{p(1-p)/n}$. Any "winner"
# > whose lead is of that size won by luck.
#
# Now train each network on random labels and on the real labels, with 3 seeds, and record its
# accuracy on the **training** data and on the **validation** data after every epoch.

# %%
from nastutor.training import accuracy

config = nt.default_config(space)          # the benchmark's protocol (shorter in fast mode)


def train_and_score(arch_string, dataset, seed=0, epochs=None):
    # Train for real; return the accuracies on the training and on the validation data, per epoch.
    data, nets, train_curve = nt.load_dataset(dataset), [], []

    def build():                                 # train() builds the network under `seed`
        nets.append(space.build(space.parse(arch_string), data.num_features, data.num_classes))
        return nets[0]

    result = nt.train(build, data, replace(config, epochs=epochs or config.epochs), seed=seed,
                      on_epoch=lambda record: train_curve.append(accuracy(nets[0], data.x_train, data.y_train)))
    return train_curve, list(result.val_curve)


candidates = ["16relu", "32tanh", "64elu", "64relu-64relu-64elu"]
jobs = [(a, d, s) for d in ("random-labels", "mnist1d") for a in candidates for s in range(3)]
rows = []
for arch_string, dataset, seed in tqdm(jobs, desc="training"):
    train_curve, val_curve = train_and_score(arch_string, dataset, seed)
    rows.append({"labels": "random" if dataset == "random-labels" else "real", "arch": arch_string,
                 "seed": seed, "scored on training data": train_curve[-1], "scored on validation data": val_curve[-1]})
runs = pd.DataFrame(rows)

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4), sharey=True, layout="constrained")
for ax, (labels, part) in zip(axes, runs.groupby("labels", sort=False)):
    part.groupby("arch", sort=False)[["scored on training data", "scored on validation data"]].mean().plot.bar(
        ax=ax, rot=15, xlabel="architecture", ylabel="accuracy, mean of the seeds", title=f"{labels} labels")
    ax.axhline(chance, color="black", ls="--", lw=1, label="chance")
    ax.legend(loc="upper left")
plt.show()
random_runs = runs[runs["labels"] == "random"]      # below: the winner on random labels, seed by seed
winners = random_runs.groupby("seed")["scored on validation data"].idxmax()
random_runs.loc[winners, ["seed", "arch", "scored on validation data"]]

# %% [markdown]
# On random labels, validation accuracy stays near chance for *every* architecture, and which one
# "wins" is down to the seed: the search is choosing by luck. On real labels the validation bars
# differ for a reason.
#
# ### 4b. Scoring on the training data rewards memorising
#
# The *training* bars on random labels rise above chance, highest for the biggest network, although
# there is nothing to learn: the networks have memorised the random labels, and a search that scores
# on training data prefers the best memoriser.
#
# Move the controls: they retrain one network (for real) on both datasets. Watch the gap on random
# labels grow with more epochs and with a bigger network.

# %%
controls = {"arch_string": widgets.Dropdown(options=candidates, value="64relu-64relu-64elu", description="network"),
            "epochs": widgets.IntSlider(value=config.epochs, min=1, max=2 * config.epochs, description="epochs",
                                        continuous_update=False),
            "seed": widgets.IntSlider(value=0, min=0, max=4, description="seed", continuous_update=False)}


def show(arch_string, epochs, seed):
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True, layout="constrained")
    for ax, dataset in zip(axes, ("random-labels", "mnist1d")):
        train_curve, val_curve = train_and_score(arch_string, dataset, seed, epochs)
        plots.curves(range(1, epochs + 1), {"training data": train_curve, "validation data": val_curve},
                     hlines={"chance": chance}, xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02),
                     title=f"{arch_string} on {dataset}", ax=ax)
    plt.show()


widgets.VBox([widgets.HBox(list(controls.values())), widgets.interactive_output(show, controls)])

# %% [markdown]
# > **Common pitfall:** scoring candidates on the data they were trained on, or on data with nothing
# > to learn. A search will happily maximise such numbers, but they measure memory and luck, not how
# > well an architecture generalises.
#
# ### Try it yourself 3
#
# Write the evaluation a search should use. `val_accuracy(model, data)` takes a trained PyTorch
# network and a `nt.Dataset` and returns the fraction of the **validation** examples
# (`data.x_val`, `data.y_val`) the network labels correctly, as a number from 0 to 1. The network
# outputs one score per class; its prediction is the class with the largest score. (Make the input
# with `torch.tensor`, which copies: the dataset's arrays are read-only, and `torch.as_tensor` warns.)

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
# - The NAS objective is an outer search over architectures around an inner training of weights:
#   each evaluation costs a training run.
# - **Fit on train, choose on validation, report on test.** The split you choose on is biased upwards.
# - Accuracy is a random variable over training seeds; the best architectures are often closer
#   together than one run's luck, so compare means over seeds.
# - Random labels score chance on held-out data; training accuracy rewards memorising.
#
# **Next, lesson 02 · Search spaces:** what $\mathcal{A}$ looks like, how big it is, and how accuracy
# is spread over it.
#
# ---
# [← Previous: 00 · Welcome](00_welcome.ipynb) · [Next: 02 · Search spaces →](02_search_spaces.ipynb)
