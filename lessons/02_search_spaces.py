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
# The objective of lesson 01, $a^* = \arg\max_{a \in \mathcal{A}} \mathrm{Acc}_{\text{val}}(a)$, is only as good
# as the set $\mathcal{A}$ it searches. This lesson is about that set, the **search space**: the menu of
# architectures a search may choose from.
#
# **You will:**
# 1. meet the two kinds of space the course uses: a **chain** of layers (`MLPSpace`) and a **cell**
#    repeated inside a fixed network (`CellSpace`, in the style of NAS-Bench-201);
# 2. encode an architecture three ways: a tuple, a string, and a one-hot vector (`space.encode`);
# 3. count a space, and see how fast the count grows;
# 4. find **isomorphic duplicates**, different strings that compute the same function, and fold them
#    with `space.canonical`;
# 5. see, on a benchmark, what a space that is **too small** misses and what one that is **too large** costs;
# 6. look at the **landscape**: how accuracy is spread over a whole space.

# %%
import itertools
from collections import Counter

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

import torch

import nastutor as nt
from nastutor.exercises.lesson02 import *
from nastutor.spaces.cell import EDGES, OPS

mlp_bench = nt.Benchmark.load("mlp-mnist1d")     # every MLP of the space, 3 seeds
cell_bench = nt.Benchmark.load("cell-mnist1d")   # every distinct cell, 3 seeds
print(mlp_bench)
print(cell_bench)

# %% [markdown]
# ## 1. A chain space: one decision per layer
#
# The simplest search space is a **chain**: a sequence of layers, where the search picks how many
# layers there are and what each one is. `MLPSpace` is the source text's example grown into a real
# space: 1 to 3 hidden layers, each with its own width (16, 32 or 64 units) and activation (ReLU, tanh
# or ELU), followed by a linear classifier.

# %%
mlp = nt.MLPSpace()
print(mlp)
for name, options in mlp.decisions:
    print(f"  {name:13s} one of {options}")
assert mlp.decisions[0] == ("depth", (1, 2, 3)) and mlp.widths == (16, 32, 64)   # as the text says

# %% [markdown]
# The list of decisions shows a feature of chain spaces: the *depth* decides how many of the other
# decisions are used at all (a 1-layer network ignores widths 2 and 3). An architecture is written
# layer by layer, and `build` turns it into an untrained PyTorch network:

# %%
arch = mlp.parse("64relu-32tanh")
print("as a tuple:", arch)
print("as a string:", mlp.to_string(arch))
mlp.build(arch, num_features=40, num_classes=10)

# %% [markdown]
# ## 2. A cell space: search a small graph, repeat it
#
# Modern NAS rarely searches a whole network layer by layer. It searches a small **cell** and stacks
# copies of it inside a fixed skeleton: here a stem convolution, one cell, a downsampling
# convolution, another copy of the cell, global average pooling and a linear classifier.
# NAS-Bench-201 made one such cell space a standard, and `CellSpace` is its 1-D version.
#
# A cell is a directed acyclic graph with 4 nodes. Node 0 is the cell's input, node 3 its output, and
# every other node adds up one operation applied to each earlier node:
#
# $$
# x_j \;=\; \sum_{i < j} o_{i \to j}(x_i), \qquad j = 1, 2, 3, \qquad o_{i \to j} \in \{\texttt{none}, \texttt{skip}, \texttt{conv3}, \texttt{avgpool3}\}.
# $$
#
# > **Math breakdown**
# > - $x_0$ is the cell's input, $x_3$ its output; $x_1$ and $x_2$ are intermediate nodes.
# > - $o_{i \to j}$ is the operation on the edge from node $i$ to node $j$. There are
# >   $\binom{4}{2} = 6$ edges, and the architecture is the choice of one operation per edge.
# > - `none` contributes nothing (the edge is absent), `skip` passes $x_i$ unchanged, `conv3` is
# >   ReLU, a convolution of width 3 and batch normalisation, `avgpool3` averages each position with
# >   its neighbours.
#
# The string form is NAS-Bench-201's. Between the `+` signs are nodes 1, 2 and 3; each `|op~i|` inside
# a group is the operation applied to node `i`. Here is one cell, drawn:

# %%
cell_space = nt.CellSpace()
COLOURS = {"none": "lightgrey", "skip": "tab:green", "conv3": "tab:red", "avgpool3": "tab:blue"}


def draw_cell(arch, ax, title=None):
    # Nodes 0..3 left to right; each edge i -> j drawn as an arc labelled with its operation.
    for (i, j), op in zip(EDGES, arch):
        rad = {1: 0.0, 2: -0.5 if i == 0 else 0.5, 3: -0.6}[j - i]   # arcs above or below the line
        dx = j - i
        ax.annotate("", xy=(j, 0), xytext=(i, 0),
                    arrowprops=dict(arrowstyle="-|>", color=COLOURS[op], lw=2.5 if op != "none" else 1,
                                    linestyle=":" if op == "none" else "-", shrinkA=13, shrinkB=13,
                                    connectionstyle=f"arc3,rad={rad}"))
        ax.text((i + j) / 2, -rad * dx / 2, op, ha="center", va="center", fontsize=8, color=COLOURS[op],
                bbox=dict(facecolor="white", edgecolor="none", pad=0.5))
    for k in range(4):
        ax.add_patch(plt.Circle((k, 0), 0.17, color="black", zorder=3))
        ax.text(k, 0, str(k), color="white", ha="center", va="center", zorder=4, fontweight="bold")
    ax.set_xlim(-0.4, 3.4)
    ax.set_ylim(-0.8, 1.1)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title if title is not None else cell_space.to_string(arch), fontsize=9)


example = cell_space.parse("|conv3~0|+|skip~0|conv3~1|+|none~0|avgpool3~1|skip~2|")
# what the text says about the cell: 4 nodes, 6 edges, 4 operations, convolutions of width 3
assert len({node for edge in EDGES for node in edge}) == 4 and len(EDGES) == 6 and len(OPS) == 4
assert {m.kernel_size for m in cell_space.build(example, 40, 10).modules() if isinstance(m, torch.nn.Conv1d)} == {(3,)}
fig, ax = plt.subplots(figsize=(6, 3))
draw_cell(example, ax)
plt.show()
print("as a tuple (edges 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2):", example)

# %% [markdown]
# ## 3. Encodings: tuple, string, vector
#
# Each architecture has three forms, each for a different reader:
# - the **tuple** is what the code passes around: immutable and hashable, so it can be a dictionary key;
# - the **string** is for people and log files, and `parse` reads it back: `parse(to_string(a)) == a`;
# - the **vector** from `space.encode` is for algorithms that need numbers (a predictor, Bayesian
#   optimisation, a policy): one-hot, one block per decision.

# %%
print("MLP", mlp.to_string(arch), "->", mlp.encode(arch).astype(int))
labels = [f"depth={d}" for d in range(1, mlp.max_depth + 1)]
for slot in range(1, mlp.max_depth + 1):
    labels += [f"L{slot} width={w}" for w in mlp.widths] + [f"L{slot} {a}" for a in mlp.activations]
print("   ones at:", [label for label, bit in zip(labels, mlp.encode(arch)) if bit])

grid = cell_space.encode(example).reshape(len(EDGES), len(OPS))
fig, ax = plt.subplots(figsize=(6, 3.2))
ax.imshow(grid, cmap="Greys", vmin=0, vmax=1.4, aspect="auto")
for r, c in itertools.product(range(len(EDGES)), range(len(OPS))):
    ax.text(c, r, int(grid[r, c]), ha="center", va="center", color="white" if grid[r, c] else "grey")
ax.set_xticks(range(len(OPS)), OPS)
ax.set_yticks(range(len(EDGES)), [f"edge {j}<-{i}" for i, j in EDGES])
ax.set_xlabel("operation")
ax.set_title(f"cell_space.encode(example): {grid.size} numbers, one 1 per edge", fontsize=9)
plt.show()

# %% [markdown]
# > **Common pitfall:** comparing architectures through their *strings*, or hashing encodings of
# > different lengths. Two MLP vectors always have the same length here because unused layer slots are
# > zeros; that padding is a design choice of the encoding, and an algorithm that reads the vector
# > sees it.
#
# ## 4. Counting a space
#
# How many architectures does each space hold? For the chain, count each depth separately: a network
# of depth $d$ makes $d$ independent layer choices. For the cell, every edge chooses independently.
#
# $$
# |\mathcal{A}_{\text{MLP}}| = \sum_{d=1}^{D} \big(|W| \cdot |\Sigma|\big)^{d},
# \qquad
# |\mathcal{A}_{\text{cell}}| = |O|^{|E|}.
# $$
#
# > **Math breakdown**
# > - $W$: the widths a layer may have; $\Sigma$: the activations; $|W| \cdot |\Sigma|$ choices per layer.
# > - $D$: the maximum depth; the sum runs over every depth from 1 to $D$.
# > - $O$: the operations an edge may carry; $E$: the edges of the cell, $|E| = \binom{n}{2}$ for $n$ nodes.
# > - Both counts grow **exponentially**: in the depth for chains, in the number of edges for cells.

# %%
print(f"MLPSpace:  {mlp.size} architectures (enumerated)")
print(f"CellSpace: {cell_space.size} architectures (enumerated) = {len(OPS)}**{len(EDGES)} = {len(OPS) ** len(EDGES)}")
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
# How fast is "exponentially"? The plot below grows each space one step at a time: deeper chains
# (still 9 choices per layer) and cells with more nodes (still 4 operations per edge). The right axis
# turns a count into the CPU time it would take to train every architecture once, at the average
# training time per architecture measured when the benchmarks were built.

# %%
per_layer = len(mlp.widths) * len(mlp.activations)
assert per_layer == 9 and len(OPS) == 4      # the choices the text quotes
depths = np.arange(1, 9)
chain_sizes = np.array([sum(per_layer ** d for d in range(1, D + 1)) for D in depths], dtype=float)
nodes = np.arange(3, 8)
cell_sizes = np.array([float(len(OPS)) ** (n * (n - 1) // 2) for n in nodes])
mlp_seconds = mlp_bench.cumulative_seconds[:, :, -1].mean()
cell_seconds = cell_bench.cumulative_seconds[:, :, -1].mean()
day = 24 * 3600

fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for ax, x, sizes, seconds, xlabel, ours in [
        (axes[0], depths, chain_sizes, mlp_seconds, f"maximum depth D ({per_layer} choices per layer)", mlp.max_depth),
        (axes[1], nodes, cell_sizes, cell_seconds, f"nodes in the cell ({len(OPS)} operations per edge)", 4)]:
    ax.semilogy(x, sizes, marker="o")
    ax.set_xticks(x)
    ax.axvline(ours, color="grey", ls="--", label="the course's space")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("architectures (log scale)")
    cost = ax.secondary_yaxis("right", functions=(lambda n, s=seconds: n * s / day,
                                                  lambda d, s=seconds: d * day / s))
    cost.set_ylabel(f"CPU days to train all once\n(at {seconds:.2f} s per architecture)")
    ax.legend(loc="upper left")
axes[0].set_title("Chain (MLP) space")
axes[1].set_title("Cell space")
fig.tight_layout()
plt.show()
print(f"a chain of depth up to {depths[-1]}: {chain_sizes[-1]:.3g} architectures, "
      f"{chain_sizes[-1] * mlp_seconds / day / 365:.3g} CPU years at {mlp_seconds:.2f} s each")
print(f"a cell of {nodes[-1]} nodes: {cell_sizes[-1]:.3g} architectures, "
      f"{cell_sizes[-1] * cell_seconds / day / 365:.3g} CPU years at {cell_seconds:.2f} s each")

# %% [markdown]
# ## 5. Neighbours: one decision at a time
#
# Many strategies (local search, evolution) move through a space by changing **one decision** of an
# architecture. Those architectures are its *neighbours*. For an MLP a single change is: one layer's
# width, one layer's activation, one layer appended at the end (if the network is not at the maximum
# depth), or one layer removed (if it has more than one). For a cell: the operation on one edge.

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
# the neighbours yourself: do not call `space.neighbors` or `space.mutate`, which are what you are
# rewriting. The checker draws hundreds of mutations from several architectures in two different
# spaces, checks that each is valid and one change away, and that none of the neighbours is missed.

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
# The cell count above has a catch: many of those strings describe **the same network**. Look at these
# three cells:

# %%
twins = ["|conv3~0|+|none~0|none~1|+|none~0|skip~1|none~2|",    # x -> conv3 -> node 1 -> skip -> out
         "|none~0|+|conv3~0|none~1|+|none~0|none~1|skip~2|",    # the same path through node 2
         "|none~0|+|none~0|none~1|+|conv3~0|none~1|none~2|"]    # conv3 straight from input to output
fig, axes = plt.subplots(1, 3, figsize=(15, 3.2))
for ax, text in zip(axes, twins):
    draw_cell(cell_space.parse(text), ax)
plt.show()
for text in twins:
    twin = cell_space.parse(text)
    print(f"{text}  canonical: {cell_space.to_string(cell_space.canonical(twin))}  benchmark row: {cell_bench.index(twin)}")

# %% [markdown]
# All three compute $x_3 = \mathrm{conv3}(x_0)$: the middle nodes only relay the value, and which of the two
# middle nodes relays it makes no difference, because nodes 1 and 2 play symmetric roles. Such
# architectures are **isomorphic**. `space.canonical` maps each one to a single representative (here
# the one with fewest operations), and the benchmark, which trained only representatives, looks all
# three up in the same row.
#
# Is that justified? Train all three for real with the same seed. Their networks draw the same initial
# weights in the same order, so if they compute the same function they must train identically:

# %%
live = nt.LiveEvaluator(cell_space, "mnist1d")
results = []
for text in tqdm(twins, desc="training the three cells"):
    result = live.evaluate(cell_space.parse(text), seed=0)
    results.append((result.val_accuracy, result.test_accuracy, result.params))
    print(f"{text}: validation {result.val_accuracy:.3f}, test {result.test_accuracy:.3f}, {result.params} parameters")
assert len(set(results)) == 1, "the three cells trained identically"

# %% [markdown]
# Duplicates come in several kinds:
# - **relabelled middle nodes**, as above;
# - **dead edges**: an edge whose input is cut off from node 0, or whose output never reaches node 3,
#   cannot change the output. In `|conv3~0|+|conv3~0|none~1|+|none~0|skip~1|none~2|` the convolution
#   into node 2 is wasted, because nothing leaves node 2;
# - **skip chains**: `skip` followed by `skip` is still the identity.
#
# How much does folding them shrink the space?

# %%
classes = Counter(cell_space.canonical(a) for a in cell_space.enumerate())
print(f"{cell_space.size} strings, {len(classes)} distinct functions (len(cell_space.unique) = {len(cell_space.unique)})")
print(f"{sum(n == 1 for n in classes.values())} functions have a single string; the largest classes:")
for rep, n in classes.most_common(4):
    print(f"  {n:4d} strings compute the same function as {cell_space.to_string(rep)}")


# %% [markdown]
# > **Common pitfall:** counting a search's progress in raw strings. A search that samples uniformly
# > from the 4096 strings spends much of its budget re-training functions it has already seen, and a
# > benchmark that does not fold duplicates reports the same architecture several times. (The MLP
# > space has no such duplicates here: `mlp.canonical` returns its argument unchanged.)
#
# ### Try it yourself 3
#
# Write `distinct_functions(cells)`: given a list of cell **strings**, return how many different
# functions they compute (the `CellSpace` is in the variable `cell_space`). Then use it to answer: how many different functions are there among the
# cells that never use `avgpool3`?

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
# The source text warns that a space that is too large makes search intractable, while one that is
# too small may not contain the best architectures. The previous plot showed the first half: the
# cost of an exhaustive search grows exponentially. The benchmark shows the second half. Every way of
# restricting the MLP space (a subset of the widths, a subset of the activations, a lower maximum
# depth) is a smaller space whose best architecture we can look up:

# %%
mlp_val = mlp_bench.truth().to_numpy()      # per row: mean over seeds of the final-epoch accuracy
mlp_test = mlp_bench.truth("test_accuracy").to_numpy()
depth = np.array([len(a) for a in mlp_bench.archs])


def subsets(options):
    return [c for k in range(1, len(options) + 1) for c in itertools.combinations(options, k)]


def in_subspace(widths, activations, max_depth):
    # Which benchmark rows belong to the smaller space.
    return np.array([len(a) <= max_depth and all(w in widths and f in activations for w, f in a)
                     for a in mlp_bench.archs])


rows = []
for widths in subsets(mlp.widths):
    for activations in subsets(mlp.activations):
        for max_depth in range(1, mlp.max_depth + 1):
            mask = in_subspace(widths, activations, max_depth)
            rows.append({"widths": widths, "activations": activations, "max_depth": max_depth,
                         "size": int(mask.sum()), "best_val": mlp_val[mask].max()})
sub = pd.DataFrame(rows)

source_space = [mlp.parse(s) for s in ("16relu", "32tanh", "64elu")]   # the source text's 3 choices
source_best = max(mlp_val[mlp_bench.index(a)] for a in source_space)

fig, ax = plt.subplots(figsize=(8, 4.5))
for D, part in sub.groupby("max_depth"):
    ax.scatter(part["size"], part["best_val"], s=25, alpha=0.8, label=f"sub-spaces with max depth {D}")
ax.scatter([len(source_space)], [source_best], marker="*", s=250, color="tab:red",
           label="the source text's 3 configurations")
ax.axhline(mlp_val.max(), color="black", ls="--", lw=1, label="best of the full space")
ax.set_xscale("log")
ax.set_xlabel("architectures in the sub-space (log scale)")
ax.set_ylabel("best mean validation accuracy in it")
ax.set_title(f"{len(sub)} sub-spaces of the MLP space, looked up in the benchmark")
ax.legend(loc="lower right", fontsize=8)
plt.show()
print(f"best in the full space: {mlp_val.max():.4f}; best of the source text's three: {source_best:.4f}")

# %% [markdown]
# The same question for the cell space: what if the menu of operations were shorter?

# %%
cell_val = cell_bench.truth().to_numpy()
cell_test = cell_bench.truth("test_accuracy").to_numpy()
rows = []
for ops in subsets(OPS):
    members = list(itertools.product(ops, repeat=len(EDGES)))
    index = [cell_bench.index(a) for a in members]
    best = max(index, key=lambda i: cell_val[i])
    rows.append({"operations": " ".join(ops), "strings": len(members), "functions": len(set(index)),
                 "best val": round(cell_val[best], 4), "its test": round(cell_test[best], 4),
                 "best cell": cell_space.to_string(cell_bench.archs[best])})
with pd.option_context("display.max_colwidth", None):
    display(pd.DataFrame(rows))

# %% [markdown]
# Read the table from top to bottom: which operations can a space drop without losing its best cells,
# and which one can it not? A space is "right" when it contains the good architectures and not
# much else, and you can only know that by measuring.
#
# Use the controls to build a sub-space of the MLP space yourself. Its size follows the formula of
# section 4; the plot places the sub-space's architectures (orange) inside the full space's (grey).

# %%
width_boxes = [widgets.Checkbox(value=True, description=f"width {w}", indent=False) for w in mlp.widths]
act_boxes = [widgets.Checkbox(value=True, description=a, indent=False) for a in mlp.activations]
depth_slider = widgets.IntSlider(value=mlp.max_depth, min=1, max=mlp.max_depth, description="max depth")
out = widgets.Output()


def show(change=None):
    widths = tuple(w for w, box in zip(mlp.widths, width_boxes) if box.value)
    activations = tuple(a for a, box in zip(mlp.activations, act_boxes) if box.value)
    with out:
        out.clear_output(wait=True)
        if not widths or not activations:
            print("tick at least one width and one activation")
            return
        D = depth_slider.value
        mask = in_subspace(widths, activations, D)
        size = nt.MLPSpace(widths=widths, activations=activations, max_depth=D).size
        best = np.flatnonzero(mask)[np.argmax(mlp_val[mask])]
        terms = " + ".join(f"{len(widths) * len(activations)}^{d}" for d in range(1, D + 1))
        print(f"size = {terms} = {size} architectures ({size / mlp.size:.1%} of the full space)")
        print(f"best: {mlp.to_string(mlp_bench.archs[best])}, validation {mlp_val[best]:.4f}, "
              f"test {mlp_test[best]:.4f}  (full space: {mlp_val.max():.4f})")
        fig, ax = plt.subplots(figsize=(8, 3.2))
        bins = np.linspace(mlp_val.min(), mlp_val.max(), 40)
        ax.hist(mlp_val, bins=bins, color="lightgrey", label="full space")
        ax.hist(mlp_val[mask], bins=bins, color="tab:orange", label="your sub-space")
        ax.axvline(mlp_val[best], color="tab:orange", ls="--", label="best in your sub-space")
        ax.axvline(mlp_val.max(), color="black", ls=":", label="best overall")
        ax.set_xlabel("mean validation accuracy (fraction correct)")
        ax.set_ylabel("architectures")
        ax.legend(fontsize=8, loc="upper left")
        ax.set_title(f"Your sub-space: {size} of the {mlp.size} MLPs (benchmark, mean of 3 seeds)")
        plt.show()


for control in width_boxes + act_boxes + [depth_slider]:
    control.observe(show, names="value")
show()
widgets.VBox([widgets.HBox(width_boxes), widgets.HBox(act_boxes), depth_slider, out])

# %% [markdown]
# > **Common pitfall:** growing a space "just in case". Every extra choice multiplies the size, and
# > most of what it adds is ordinary or bad architectures that the search must wade through. Every
# > choice you remove may remove the best architecture. Decide with measurements, like the ones above.
#
# ## 8. The landscape: how accuracy is spread over a space
#
# A search strategy is a way of exploring a landscape: each architecture is a point, its accuracy the
# height. Before choosing a strategy it helps to see the landscape. First, the whole distribution,
# for both benchmarks:

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for ax, values, name in [(axes[0], mlp_val, "MLP space"), (axes[1], cell_val, "cell space (distinct cells)")]:
    ax.hist(values, bins=40, color="tab:blue")
    ax.axvline(np.median(values), color="black", ls="--", label=f"median {np.median(values):.3f}")
    ax.axvline(values.max(), color="tab:red", ls=":", label=f"best {values.max():.3f}")
    ax.set_xlabel("final validation accuracy, mean of 3 seeds")
    ax.set_ylabel("architectures")
    ax.set_title(f"{name}: {len(values)} architectures")
    ax.legend(loc="upper left")
axes[1].set_yscale("log")
axes[1].set_ylabel("architectures (log scale)")
fig.tight_layout()
plt.show()
for name, values in [("MLP", mlp_val), ("cell", cell_val)]:
    top = np.quantile(values, 0.9)
    print(f"{name}: the top 10% start at {top:.3f}; the best is {values.max() - top:.3f} above that")

# %% [markdown]
# The two landscapes differ in shape: look at where most architectures sit relative to the best, and
# at the long low tail of the cell space (the last plot of this lesson shows which cells sit there). The shape tells you
# how hard search is: if most architectures are close to the best, even random search does well
# (lesson 04); if good ones are rare, a strategy must find the region where they live.
#
# Where do the good MLPs live? The heatmaps below look at the simplest slice of the chain space:
# networks whose layers all share one width and one activation, one panel per depth.

# %%
fig, axes = plt.subplots(1, mlp.max_depth, figsize=(13, 3.8), sharey=True)
vmin, vmax = mlp_val.min(), mlp_val.max()
for d, ax in zip(range(1, mlp.max_depth + 1), axes):
    grid = np.array([[mlp_val[mlp_bench.index(((w, a),) * d)] for a in mlp.activations] for w in mlp.widths])
    image = ax.imshow(grid, cmap="viridis", vmin=vmin, vmax=vmax, origin="lower")
    for r, c in itertools.product(range(len(mlp.widths)), range(len(mlp.activations))):
        ax.text(c, r, f"{grid[r, c]:.3f}", ha="center", va="center",
                color="white" if grid[r, c] < (vmin + vmax) / 2 else "black")
    ax.set_xticks(range(len(mlp.activations)), mlp.activations)
    ax.set_xlabel("activation (every layer)")
    ax.set_title(f"depth {d}")
axes[0].set_yticks(range(len(mlp.widths)), mlp.widths)
axes[0].set_ylabel("width (units, every layer)")
fig.colorbar(image, ax=axes, label="mean validation accuracy")
plt.show()
for d in range(1, mlp.max_depth + 1):
    print(f"depth {d}: {np.sum(depth == d):3d} architectures, mean validation {mlp_val[depth == d].mean():.3f}, "
          f"best {mlp_val[depth == d].max():.3f}")

# %% [markdown]
# In the cell space, the operation that matters most is the convolution, the only one with weights.
# Canonical cells have no dead edges, so counting their `conv3` edges counts the convolutions that
# actually act:

# %%
n_conv = np.array([a.count("conv3") for a in cell_bench.archs])
groups = [cell_val[n_conv == k] for k in range(len(EDGES) + 1)]
fig, ax = plt.subplots(figsize=(8, 4))
ax.boxplot([g for g in groups if len(g)], positions=[k for k, g in enumerate(groups) if len(g)])
ax.set_xlabel("conv3 edges in the (canonical) cell")
ax.set_ylabel("final validation accuracy, mean of 3 seeds")
ax.set_title("Cell space: accuracy against the number of convolutions")
plt.show()
print(pd.DataFrame({"cells": [len(g) for g in groups],
                    "median accuracy": [np.median(g) if len(g) else np.nan for g in groups]}).round(4).T)

# %% [markdown]
# ## Recap
#
# - A **chain space** chooses each layer in turn (`MLPSpace`: depth, then width and activation per
#   layer); a **cell space** chooses the operations of a small graph that a fixed skeleton repeats
#   (`CellSpace`: 6 edges, 4 operations, NAS-Bench-201 style).
# - An architecture has three forms: a hashable **tuple**, a **string** that `parse` reads back, and a
#   one-hot **vector** from `encode` for algorithms that need numbers.
# - Sizes multiply: $\sum_{d=1}^{D}(|W||\Sigma|)^d$ for chains, $|O|^{|E|}$ for cells; exhaustive search
#   soon becomes impossible.
# - Different strings can compute the **same function** (relabelled nodes, dead edges, skip chains);
#   `canonical` folds the cell space's 4096 strings to the number of distinct functions counted above.
# - A space too small misses the best architectures; a space too large costs exponentially more to
#   search. The **landscape** (how accuracy is spread) decides how hard the search is.
#
# **Next, lesson 03 · Performance estimation:** every point in these landscapes cost a full training
# run. How much can we save by training less, and what does it do to the ranking?
