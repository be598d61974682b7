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
# # 02 · Search spaces
#
# The objective of lesson 01 is only as good as the set $\mathcal{A}$ it searches: the
# **[search space](glossary.md#search-space)**, the menu of [architectures](glossary.md#architecture)
# a search may choose from.
#
# **You will:**
# 1. meet a **chain** of layers (`MLPSpace`) and a **cell** repeated inside a fixed network (`CellSpace`);
# 2. encode an architecture three ways: a tuple, a string, and a one-hot vector (`space.encode`);
# 3. count a space, and see how fast the count grows;
# 4. fold **isomorphic duplicates**, different strings that compute the same function (`space.canonical`);
# 5. see what a space that is **too small** misses and what one that is **too large** costs;
# 6. look at the **landscape**: how accuracy is spread over a whole space.

# %%
# %matplotlib inline
import itertools
from collections import Counter

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

import nastutor as nt
from nastutor import plots
from nastutor.exercises.lesson02 import *
from nastutor.spaces.cell import EDGES, OPS

mlp_bench = nt.Benchmark.load("mlp-mnist1d")     # every MLP of the space, 3 seeds
cell_bench = nt.Benchmark.load("cell-mnist1d")   # every distinct cell, 3 seeds

# %% [markdown]
# ## 1. A chain space: one decision per layer
#
# In a **chain** space the search picks how many layers there are and what each one is. `MLPSpace`
# grows lesson 01's toy search into a real space: 1 to 3 hidden layers, each with its own width
# (16, 32 or 64 units) and activation (ReLU, tanh or ELU), then a linear classifier.

# %%
mlp = nt.MLPSpace()
assert mlp.decisions[0] == ("depth", (1, 2, 3)) and mlp.widths == (16, 32, 64)   # as the text says
pd.DataFrame(mlp.decisions, columns=["decision", "one of"]).set_index("decision")

# %% [markdown]
# The *depth* decides how many of the other decisions are used at all (a 1-layer network ignores
# widths 2 and 3). An architecture is written layer by layer, and `build` turns it into an untrained
# PyTorch network:

# %%
arch = mlp.parse("64relu-32tanh")
print("as a tuple:", arch)
mlp.build(arch, num_features=40, num_classes=10)

# %% [markdown]
# ## 2. A cell space: search a small graph, repeat it
#
# Modern NAS often searches a small **[cell](glossary.md#cell)** and stacks copies of it inside a
# fixed skeleton (here: a convolution, the cell, a downsampling convolution, the cell again, pooling,
# a classifier). `CellSpace` is a 1-D version of NAS-Bench-201's.
#
# A cell is a directed acyclic graph with 4 nodes. Node 0 is the cell's input, node 3 its output, and
# every other node adds up one operation applied to each earlier node:
#
# $$
# x_j \;=\; \sum_{i < j} o_{i \to j}(x_i), \qquad j = 1, 2, 3, \qquad o_{i \to j} \in \{\texttt{none}, \texttt{skip}, \texttt{conv3}, \texttt{avgpool3}\}.
# $$
#
# > **Math breakdown**
# > - $o_{i \to j}$ is the operation on the edge from node $i$ to node $j$; there are $\binom{4}{2} = 6$
# >   edges, and the architecture is the choice of one operation per edge.
# > - `none` is no edge, `skip` passes $x_i$ unchanged, `conv3` is ReLU, a convolution of width 3 and
# >   batch normalisation, `avgpool3` averages each position with its neighbours.
#
# In the string form, the groups between the `+` signs are nodes 1, 2 and 3; each `|op~i|` in a group
# is the operation applied to node `i`. Here is one cell, drawn:

# %%
cell_space = nt.CellSpace()
example = cell_space.parse("|conv3~0|+|skip~0|conv3~1|+|none~0|avgpool3~1|skip~2|")
# what the text says about the cell: 4 nodes, 6 edges, 4 operations, convolutions of width 3
assert len({node for edge in EDGES for node in edge}) == 4 and len(EDGES) == 6 and len(OPS) == 4
assert {m.kernel_size for m in cell_space.build(example, 40, 10).modules() if isinstance(m, torch.nn.Conv1d)} == {(3,)}
plots.cell_diagram(example)   # nodes on a line; each edge an arc, coloured by its operation

# %% [markdown]
# ## 3. Encodings: tuple, string, vector
#
# Each architecture has three forms, each for a different reader:
# - the **tuple** is what the code passes around: hashable, so it can be a dictionary key;
# - the **string** is for people and log files, and `parse` reads it back: `parse(to_string(a)) == a`;
# - the **vector** from `space.encode` (an [encoding](glossary.md#encoding)) is for algorithms that
#   need numbers: one-hot, one block per decision. Below, the cell's vector with one row per edge:

# %%
print(mlp.to_string(arch), "->", mlp.encode(arch).astype(int))
pd.DataFrame(cell_space.encode(example).reshape(len(EDGES), len(OPS)), columns=OPS,
             index=[f"edge {i}->{j}" for i, j in EDGES]).astype(int)

# %% [markdown]
# ## 4. Counting a space
#
# A chain of depth $d$ makes $d$ independent layer choices; in a cell every edge chooses independently.
#
# $$
# |\mathcal{A}_{\text{MLP}}| = \sum_{d=1}^{D} \big(|W| \cdot |\Sigma|\big)^{d},
# \qquad
# |\mathcal{A}_{\text{cell}}| = |O|^{|E|}.
# $$
#
# > **Math breakdown**
# > - $W$: the widths a layer may have; $\Sigma$: the activations; $D$: the maximum depth, the sum
# >   runs over every depth from 1 to $D$.
# > - $O$: the operations an edge may carry; $E$: the edges of the cell, $|E| = \binom{n}{2}$ for $n$ nodes.
# > - Both counts grow **exponentially**: in the depth for chains, in the number of edges for cells.

# %%
print(f"MLPSpace: {mlp.size} architectures; CellSpace: {cell_space.size} = {len(OPS)}**{len(EDGES)}")
assert cell_space.size == 4096      # the number of strings the text quotes


# %% [markdown]
# ### Try it yourself 1
#
# Write `space_size(n_widths, n_activations, max_depth)`: the number of MLPs with 1 to `max_depth`
# hidden layers, where each layer picks one of `n_widths` widths and one of `n_activations`
# activations. The checker compares it with real `MLPSpace`s of several shapes, which it enumerates.

# %%
def space_size(n_widths, n_activations, max_depth):
    ____  # your code here

q1.check()

# %%
# q1.hint()
# q1.solution()

# %% [markdown]
# How fast is "exponentially"? Below, chains grow deeper (still 9 choices per layer) and cells gain
# nodes (still 4 operations per edge). Each title gives the largest count's CPU time, at the seconds
# per architecture the benchmarks measured.

# %%
per_layer = len(mlp.widths) * len(mlp.activations)
assert per_layer == 9 and len(OPS) == 4      # the choices the text quotes
growth = {"chain (MLP): maximum depth": (range(1, 9), [sum(per_layer ** d for d in range(1, D + 1))
                                                       for D in range(1, 9)]),
          "cell: nodes": (range(3, 8), [len(OPS) ** (n * (n - 1) // 2) for n in range(3, 8)])}
fig, axes = plt.subplots(1, 2, figsize=(12, 3.6), layout="constrained")
for ax, (name, (x, sizes)), bench in zip(axes, growth.items(), (mlp_bench, cell_bench)):
    years = sizes[-1] * bench.cumulative_seconds[:, :, -1].mean() / (3600 * 24 * 365)   # at the measured s/arch
    plots.curves(x, {"architectures": sizes}, hlines={"the space used here": bench.space.size}, yscale="log", ax=ax,
                 xlabel=name, ylabel="architectures (log scale)", title=f"at the right: {years:.3g} CPU years")
    ax.set_xticks(x)
plt.show()

# %% [markdown]
# ## 5. Neighbours: one decision at a time
#
# Many strategies (local search, evolution) move through a space by changing **one decision**: to a
# *[neighbour](glossary.md#mutation)*. For an MLP that is one layer's width or activation, one layer
# appended at the end (below the maximum depth), or one layer removed (if there is more than one).
# For a cell: the operation on one edge.

# %%
near = mlp.neighbors(arch)
print(f"{mlp.to_string(arch)} has {len(near)} neighbours:")
print(", ".join(mlp.to_string(a) for a in near))
print(f"every cell has {len(cell_space.neighbors(example))} neighbours (6 edges x 3 other operations)")


# %% [markdown]
# ### Try it yourself 2
#
# Write `mutate(arch, rng, space)` for a chain space: return a copy of `arch` with **exactly one**
# decision changed, chosen at random, so that every neighbour (as listed above) can come out.
# `arch` is a tuple of `(width, activation)` tuples, `rng` a `numpy.random.Generator`, and `space` an
# `MLPSpace`, whose `space.widths`, `space.activations` and `space.max_depth` give the choices. Build
# the neighbours yourself: do not call `space.neighbors` or `space.mutate`. The checker draws hundreds
# of mutations: each must be valid and one change away, and no neighbour may be missed.

# %%
def mutate(arch, rng, space):
    ____  # your code here

q2.check()

# %%
# q2.hint()
# q2.solution()

# %% [markdown]
# ## 6. Isomorphic duplicates: different strings, the same function
#
# Many of the counted strings describe **the same network**. Look at these three cells:

# %%
twins = ["|conv3~0|+|none~0|none~1|+|none~0|skip~1|none~2|",    # x -> conv3 -> node 1 -> skip -> out
         "|none~0|+|conv3~0|none~1|+|none~0|none~1|skip~2|",    # the same path through node 2
         "|none~0|+|none~0|none~1|+|conv3~0|none~1|none~2|"]    # conv3 straight from input to output
display(plots.cell_diagram(twins))
print("canonical forms:", {cell_space.to_string(cell_space.canonical(cell_space.parse(t))) for t in twins})
print("benchmark rows: ", {cell_bench.index(cell_space.parse(t)) for t in twins})

# %% [markdown]
# All three compute $x_3 = \mathrm{conv3}(x_0)$: the middle nodes only relay the value. Such
# architectures are **isomorphic**. `space.canonical` maps each to one representative (the
# [canonical cell](glossary.md#canonical)), and the benchmark, which trained only representatives,
# looks all three up in the same row.
#
# Is that justified? Train all three for real with the same seed. Their networks draw the same
# initial weights in the same order, so if they compute the same function they must train identically:

# %%
live = nt.LiveEvaluator(cell_space, "mnist1d")
runs = [live.evaluate(cell_space.parse(text), seed=0) for text in tqdm(twins, desc="training the three cells")]
results = [(r.val_accuracy, r.test_accuracy, r.params) for r in runs]
print("(validation, test, parameters) of each:", results)
assert len(set(results)) == 1, "the three cells trained identically"

# %% [markdown]
# Duplicates come from **relabelled middle nodes**, as above; **dead edges**, cut off from node 0 or
# from node 3; and **skip chains** (`skip` after `skip` is still the identity). `build` leaves dead
# edges out (`prune`): they cost nothing, live or in the table.
#
# **Predict, then run (p1).** How many distinct functions do the cell space's 4096 strings compute?
# - (a) about 4000
# - (b) about 1000
# - (c) about 100

# %%
p1.check(____)  # your prediction: a, b or c

# %%
classes = Counter(cell_space.canonical(a) for a in cell_space.enumerate())
print(f"{cell_space.size} strings, {len(classes)} distinct functions; the largest classes:")
for rep, n in classes.most_common(3):
    print(f"  {n:4d} strings compute the same function as {cell_space.to_string(rep)}")
dead = cell_space.parse("|conv3~0|+|none~0|none~1|+|none~0|conv3~1|conv3~2|")  # node 2 gets no input
assert sum(p.numel() for p in cell_space.build(dead, 40, 10).parameters()) == cell_bench.query(dead)["params"]


# %% [markdown]
# > **Common pitfall:** counting a search's progress in raw strings. A search that samples uniformly
# > from the 4096 strings spends much of its budget re-training functions it has already seen.
#
# ### Try it yourself 3
#
# Write `distinct_functions(cells)`: given a list of cell **strings**, return how many different
# functions they compute (the `CellSpace` is in the variable `cell_space`). Then count the functions
# among the cells that never use `avgpool3`.

# %%
def distinct_functions(cells):
    ____  # your code here

q3.check()

# %%
# q3.hint()
# q3.solution()

# Once q3 passes:
# no_pool = [cell_space.to_string(a) for a in cell_space.enumerate() if "avgpool3" not in a]
# print(len(no_pool), "strings,", distinct_functions(no_pool), "functions")

# %% [markdown]
# ## 7. Too small or too large?
#
# A search space can fail in two opposite ways: too large, and search becomes intractable (section 4);
# too small, and it may miss the best architectures. The benchmark measures the second: what if the
# cell space's menu of operations were shorter?
#
# **Predict, then run (p2).** Which operations could it lose, one at a time, and keep its best cells
# (within the seed noise)?
# - (a) none of them
# - (b) all but conv3
# - (c) all but skip
# - (d) any of them

# %%
p2.check(____)  # your prediction: a, b, c or d

# %%
cell_val = cell_bench.truth().to_numpy()      # per row: mean over seeds of the final validation accuracy
rows = []
for ops in [c for k in range(1, len(OPS) + 1) for c in itertools.combinations(OPS, k)]:
    index = [cell_bench.index(a) for a in itertools.product(ops, repeat=len(EDGES))]
    best = max(index, key=lambda i: cell_val[i])
    rows.append({"operations": " ".join(ops), "functions": len(set(index)),
                 "best validation accuracy": cell_val[best], "best cell": cell_space.to_string(cell_bench.archs[best])})
pd.DataFrame(rows).set_index("operations").style.format(precision=4)   # a styled table shows whole cell strings

# %% [markdown]
# A space is "right" when it contains the good architectures and not much else; only measuring tells.
#
# Build a sub-space of the MLP space yourself, and see where its architectures sit in the full space's:

# %%
mlp_val = mlp_bench.truth().to_numpy()
ticks = {name: widgets.Checkbox(value=True, description=name, indent=False)
         for name in [f"width {w}" for w in mlp.widths] + list(mlp.activations)}
depth = widgets.IntSlider(value=mlp.max_depth, min=1, max=mlp.max_depth, description="max depth")


def show(max_depth, **ticked):
    inside = np.array([len(a) <= max_depth and all(ticked[f"width {w}"] and ticked[f] for w, f in a)
                       for a in mlp_bench.archs])
    if not inside.any():
        print("tick at least one width and one activation")
    else:
        display(plots.histogram({"full space": mlp_val, "your sub-space": mlp_val[inside]},
                                marks={"best in your sub-space": mlp_val[inside].max(), "best overall": mlp_val.max()},
                                xlabel="mean validation accuracy", ylabel="architectures",
                                title=f"{inside.sum()} of the {mlp.size} MLPs"))


plot = widgets.interactive_output(show, {"max_depth": depth, **ticks})      # redrawn on every change
widgets.VBox([widgets.HBox(list(ticks.values())), depth, plot])

# %% [markdown]
# > **Common pitfall:** growing a space "just in case". Every extra choice multiplies the size, mostly
# > with ordinary or bad architectures; every choice you remove may remove the best one. Measure.
#
# ## 8. The landscape: how accuracy is spread over a space
#
# A search strategy explores a landscape: each architecture is a point, its accuracy the height.
# First, the whole distribution, for both benchmarks:

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
for ax, values, name in [(axes[0], mlp_val, "MLP space"), (axes[1], cell_val, "cell space (distinct cells)")]:
    marks = {f"median {np.median(values):.3f}": np.median(values), f"best {values.max():.3f}": values.max()}
    plots.histogram(values, marks=marks, xlabel="mean validation accuracy", ylabel="architectures", title=name,
                    log=name != "MLP space", ax=ax)
plt.show()

# %% [markdown]
# Look at where most architectures sit relative to the best, and at the cell space's long low tail
# (a log scale). If most are close to the best, even random search does well (lesson 04); if good
# ones are rare, a strategy must find where they live.
#
# Where do the good cells live? `plots.landscape` places every cell string on a $64 \times 64$ grid:
# the column is set by the edges into the output node, the row by the edges into nodes 1 and 2, in an
# order where cells that differ in one edge share a row or a column. Good cells form regions, not
# scattered points: a strategy that changes one edge at a time can climb them (lesson 05).

# %%
plots.landscape(cell_bench)

# %% [markdown]
# ## Recap
#
# - A **chain space** chooses each layer in turn; a **cell space** chooses the operations of a small
#   graph that a fixed skeleton repeats (`CellSpace`: 6 edges, 4 operations).
# - An architecture is a hashable **tuple**, a **string** that `parse` reads back, and a one-hot
#   **vector** from `encode`.
# - Sizes grow exponentially; many strings compute the **same function**, and `canonical` folds
#   the cell space's 4096 strings to far fewer.
# - A space too small misses the best architectures; one too large costs exponentially more. The
#   **landscape** decides how hard the search is.
#
# **Next, lesson 03 · Performance estimation:** every point in these landscapes cost a full training
# run. How much can we save by training less, and what does it do to the ranking?
#
# ---
# [← Previous: 01 · The NAS objective](01_objective.ipynb) · [Next: 03 · Performance estimation →](03_performance_estimation.ipynb)
