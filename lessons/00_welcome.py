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
# ## 1. Setup check
#
# Run the cell below (Shift+Enter). It prints the versions of the main libraries and shows a slider.
# If the slider appears, widgets work in your JupyterLab.

# %%
import ipywidgets as widgets
import torch

import nastutor as nt

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
# The search space here is the one from the course's source text, generalised: a multi-layer
# perceptron with 1 to 3 hidden layers, each with its own width (16, 32 or 64 units) and activation
# (ReLU, tanh or ELU). An architecture is written layer by layer, e.g. `64relu-32tanh`.

# %%
import numpy as np

space = nt.MLPSpace()
assert space.decisions[0] == ("depth", (1, 2, 3)) and space.widths == (16, 32, 64)   # as the text says
example = space.sample(np.random.default_rng(0))
print(f"MLPSpace holds {space.size} architectures; for example {space.to_string(example)}")

# %% [markdown]
# Random search asks for a random architecture, trains it, scores it on the validation split, and
# repeats. `run_search` runs that loop; the budget is the number of architectures to train.

# %%
evaluator = nt.LiveEvaluator(space, "mnist1d")
history = nt.run_search(nt.RandomSearch(), evaluator, budget=5, seed=0)
history.to_frame()[["arch", "val_accuracy", "test_accuracy", "params", "cost"]].round(3).rename(columns={"cost": "seconds"})

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
