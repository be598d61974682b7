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
# # 00 · Welcome to nastutor
#
# Neural Architecture Search (NAS) automates the design of neural networks: instead of choosing the
# layers by hand, an algorithm proposes architectures, trains them, measures them, and keeps the best.
#
# This first notebook checks that your setup works and runs **a first real search in seconds**: every
# number below comes from training real PyTorch networks on a real dataset, on your CPU.
#
# **You will:**
# 1. check that the `nastutor` package and the interactive widgets work;
# 2. look at the dataset the course uses, MNIST-1D;
# 3. run a small random search over multi-layer perceptrons and read its results.

# %% [markdown]
# ## Who this course is for
#
# For anyone who has trained a neural network or two and wants to see how architecture search works
# from the inside: each lesson runs real searches on your laptop's CPU and lets you change them.
#
# **What you need to know already**
# - **Python**: functions, lists and dictionaries, list comprehensions.
# - **NumPy**: arrays, indexing, `mean` and `argmax` along an axis.
# - **A little PyTorch**: what a model, a loss and a training loop are. `nastutor` does the training
#   for you; you will write a few lines of PyTorch in the exercises.
# - **A little probability**: a mean, a standard deviation, a random variable. Every formula comes
#   with a "Math breakdown" that reads it symbol by symbol; lesson 07 explains the statistics it uses.
#
# **How the course works.** Run each notebook from top to bottom (Shift+Enter, cell by cell), read
# the text between the cells, move the sliders, and do the "Try it yourself" exercises: `q1.check()`
# says whether your answer is right, `q1.hint()` helps, `q1.solution()` shows one. Before some cells,
# a question asks you to **predict** what the cell will show: commit to a letter with
# `p1.check("b")`, then run the cell and see.

# %% [markdown]
# ## The NAS loop
#
# Every method in this course fills in the same loop. A **search space** says which architectures
# may be chosen; a **search strategy** picks the next candidate from it; **performance estimation**
# scores that candidate (by training it, or by a cheaper estimate); the score goes back to the
# strategy, which uses it to pick the next one. When the budget is spent, the best candidate found is
# the answer.
#
# ```mermaid
# flowchart LR
#     space["<b>Search space</b><br/>which architectures may be chosen"]
#     strategy["<b>Search strategy</b><br/>which candidate next?"]
#     estimation["<b>Performance estimation</b><br/>how good is this candidate?"]
#     best(["the best architecture found"])
#     space -- "the options" --> strategy
#     strategy -- "a candidate architecture" --> estimation
#     estimation -- "its score (validation accuracy)" --> strategy
#     strategy -. "when the budget is spent" .-> best
# ```

# %% [markdown]
# ## The lessons
#
# | lesson | what it teaches |
# |---|---|
# | [00 · Welcome](00_welcome.ipynb) | this page: the setup check, the data, a first search |
# | [01 · The NAS objective](01_objective.ipynb) | what a search looks for; choose on validation, report on test; seed noise |
# | [02 · Search spaces](02_search_spaces.ipynb) | chains and cells, encodings, counting, duplicates, the landscape |
# | [03 · Performance estimation](03_performance_estimation.ipynb) | full training vs fewer epochs, rank correlation, tabular benchmarks |
# | [04 · Random search](04_random_search.ipynb) | the expected best of $n$ random samples, in theory and in simulation |
# | [05 · Evolution](05_evolution.ipynb) | mutation, tournament selection, and why aging the population helps |
# | [06 · Reinforcement learning](06_reinforcement_learning.ipynb) | a policy that learns which architectures to propose (REINFORCE) |
# | [07 · Comparing strategies fairly](07_comparing_strategies.ipynb) | many seeds, budgets in time, confidence intervals, a rank test |
# | [08 · Model-based and multi-fidelity search](08_model_based_and_multi_fidelity.ipynb) | local optima and restarts, a surrogate and expected improvement, successive halving and Hyperband |
# | [09 · Weight sharing](09_weight_sharing.ipynb) | one supernet for every cell, single-path training and DARTS, and how far to trust them |
# | [10 · Estimating without training](10_zero_cost_and_predictors.ipynb) | zero-cost proxies and learned predictors against the ground truth, and proxy-guided search |
# | [11 · Hardware-aware NAS](11_hardware_aware.ipynb) | latency measured on your own CPU, which speed proxies lie, the Pareto front and hypervolume, MnasNet's reward, multi-objective search |
# | [12 · Transferability](12_transferability.ipynb) | how far a ranking carries between two tasks, overall and at the top; search on one, deploy on the other; warm starts |
# | [13 · Scaling out](13_scaling_out.ipynb) | parallel and asynchronous search, a simulator of N workers, a Dask cluster |
# | [14 · Your own NAS study](14_capstone.ipynb) | the capstone: a study of your own, from the question to the conclusion |

# %% [markdown]
# The [glossary](glossary.md) defines the course's words (regret, incumbent, fidelity, p-value, ...); each
# lesson links a word to it where the word first appears.
#
# How long does each take? The cell below measures every lesson's reading time from the notebooks
# themselves, counting words of text and lines of code at the rates it prints; running the cells and
# doing the exercises take longer.

# %%
import pandas as pd

from nastutor.course import CODE_LINES_PER_MINUTE, WORDS_PER_MINUTE, readings

print(f"reading time = words / {WORDS_PER_MINUTE} + lines of code / {CODE_LINES_PER_MINUTE}, in minutes")
pd.DataFrame([{"lesson": r.lesson, "words": r.words, "lines of code": r.code_lines,
               "minutes": round(r.minutes, 1)} for r in readings()]).set_index("lesson")

# %% [markdown]
# ## 1. Setup check
#
# Run the cell below (Shift+Enter). It prints the versions of the main libraries and shows a slider.
# If the slider appears, widgets work in your JupyterLab.

# %%
import ipywidgets as widgets
import torch

import nastutor as nt
from nastutor.exercises.lesson00 import *

print(f"nastutor {nt.__version__}, PyTorch {torch.__version__}, ipywidgets {widgets.__version__}")
print("fast mode (shorter training, used by the course's tests):", nt.fast_mode())
widgets.IntSlider(value=5, min=1, max=10, description="It works:")

# %% [markdown]
# ## 2. The data: MNIST-1D
#
# MNIST-1D (Greydanus, 2020) is a small stand-in for MNIST: each example is a 1-D signal of length 40
# that encodes one of 10 digits, shifted, scaled and noised. It is hard enough that architectures
# differ clearly, yet small enough to train a network on a laptop CPU in the time the search below
# prints (its `seconds` column).
#
# The course splits it three ways, and the split matters for the whole course:
# - **train**: the network learns its weights from these;
# - **validation**: the search compares architectures on these;
# - **test**: touched only to report how the architecture the search chose does on unseen data.

# %%
data = nt.load_dataset("mnist1d")
assert (data.num_features, data.num_classes) == (40, 10)   # signals of length 40, 10 digits: as the text says
data

# %%
import matplotlib.pyplot as plt

fig, axes = plt.subplots(2, 5, figsize=(11, 3.6), sharex=True, sharey=True)
for digit, ax in enumerate(axes.flat):
    ax.plot(data.x_train[data.y_train == digit][0], color="tab:blue")
    ax.set_title(f"digit {digit}")
fig.suptitle("One training signal of each class (MNIST-1D)")
fig.supxlabel("position in the signal")
fig.tight_layout()

# %% [markdown]
# ## 3. A first search
#
# The search space here is small on purpose: a multi-layer perceptron (MLP) with 1 to 3 hidden
# layers, each with its own width (16, 32 or 64 units) and activation (ReLU, tanh or ELU). An
# architecture is written layer by layer, e.g. `64relu-32tanh`.
#
# **Predict, then run (p1).** How many architectures does this space hold?
# - (a) 27
# - (b) 729
# - (c) 819

# %%
p1.check(____)  # your prediction: a, b or c

# %%
import numpy as np

space = nt.MLPSpace()
assert space.decisions[0] == ("depth", (1, 2, 3)) and space.widths == (16, 32, 64)   # as the text says
example = space.sample(np.random.default_rng(0))
print(f"MLPSpace holds {space.size} architectures; for example {space.to_string(example)}")

# %% [markdown]
# Random search asks for a random architecture, trains it, scores it on the validation split, and
# repeats. `run_search` runs that loop; the budget is the number of architectures to train.
#
# **Predict, then run (p2).** How accurate will these MLPs be on the validation split?
# - (a) near-perfect, as simple networks score on the original MNIST
# - (b) clearly better than guessing, but far from perfect
# - (c) close to chance: one short signal holds too little to tell the digits apart

# %%
p2.check(____)  # your prediction: a, b or c

# %%
evaluator = nt.LiveEvaluator(space, "mnist1d")
history = nt.run_search(nt.RandomSearch(), evaluator, budget=5, seed=0)
history.to_frame()[["arch", "val_accuracy", "params", "cost"]].round(3).rename(columns={"cost": "seconds"})

# %% [markdown]
# The table leaves out the test split on purpose: the search never looks at it.
#
# **Predict, then run (p3).** The search picks the MLP with the best validation accuracy. On the
# test split, that MLP will score:
# - (a) about the same: a little above or below
# - (b) clearly lower: data the search never saw is harder
# - (c) exactly the same: both splits come from the same dataset

# %%
p3.check(____)  # your prediction: a, b or c

# %%
best = history.best
print(f"Chosen on validation: {space.to_string(best.arch)}")
print(f"  validation accuracy {best.val_accuracy:.3f}")
print(f"  test accuracy {best.test_accuracy:.3f} (reported, never used to choose)")

# %% [markdown]
# > **Common pitfall:** choosing the architecture by its *test* accuracy, then reporting that same
# > test accuracy. The test split is only trustworthy if the search never looked at it.
#
# ## Recap
#
# - NAS = a **search space** (what may be chosen), a **search strategy** (how to choose the next
#   candidate) and **performance estimation** (how a candidate is scored).
# - Every candidate here was trained for real; its score is its accuracy on held-out validation data.
# - Next: lesson 01 makes the objective precise, $a^* = \arg\max_{a \in \mathcal{A}} \mathrm{Acc}_{val}(a)$,
#   and shows how easily it is measured wrongly.
#
# ---
# [Next: 01 · The NAS objective →](01_objective.ipynb)
