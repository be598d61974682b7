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
# # 09 · Weight sharing
#
# Every strategy so far paid for each cell it looked at with a full training. The field's answer to
# that cost was **weight sharing** (ENAS, one-shot supernets, DARTS): train *one* network that
# contains every cell, then read any cell's accuracy off its shared weights, at the price of a single
# training. Does that ranking agree with the cells trained on their own? Our benchmark holds the
# exhaustive truth, so we can measure it.
#
# **You will:**
# 1. build the **supernet** and write DARTS' **mixed operation** from its architecture weights $\alpha$;
# 2. train a supernet live by **single-path** sampling and rank every distinct cell with it,
#    measuring **Kendall's τ**, Spearman's ρ and the top-k overlap against the truth (you write τ);
# 3. see why the batch-norm statistics must be **recomputed** for each path, and measure a
#    **remedy** for uneven path sampling;
# 4. run **DARTS**, watch $\alpha$ move, **derive** its cell (you write the argmax), look up its true
#    accuracy and rank, and check whether it **drifts to parameter-free operations**;
# 5. compute what weight sharing **saves**: the cost ratio.

# %%
import ipywidgets as widgets
import numpy as np
import pandas as pd
import torch
from scipy import stats

import nastutor as nt
from nastutor import plots
from nastutor.oneshot import EDGES, OPS, Supernet, rank_agreement
from nastutor.oneshot.plots import alpha_trajectories, estimate_scatter
from nastutor.exercises.lesson09 import *

bench = nt.Benchmark.load("cell-mnist1d")      # the ground truth: every distinct cell trained on its own
space, data = bench.space, dataset()
S = settings()                                 # the lesson's sizes (smaller in fast mode, NASTUTOR_FAST=1)
truth = bench.truth()                          # mean final validation accuracy per distinct cell
# the facts this lesson's text quotes; if a rebuilt benchmark changes one, this cell says which
assert space.size == 4096 and len(bench) == 941 and len(EDGES) == 6 and len(OPS) == 4
print(f"settings: {S['supernet_epochs']} supernet epochs, {S['darts_epochs']} DARTS epochs, "
      f"{len(cells())} distinct cells scored")

# %% [markdown]
# ## 1. One network that holds every cell
#
# A **supernet** puts *all* operations on every edge of the cell, each with its own weights:
# one `conv3`, one `skip`, one `avgpool3` per edge (`none` holds nothing). A cell is a **path**
# through it: one operation per edge. Two cells that use `conv3` on the same edge use the *same*
# `conv3` weights; that is the sharing. The skeleton around the cells (stem, reduction, classifier)
# is the benchmark networks' own.
#
# DARTS (Liu et al., 2019) goes further and mixes the operations of an edge $e$ with continuous
# **architecture weights** $\alpha^{(e)}$, one per operation:
#
# $$
# \bar o^{(e)}(x) = \sum_{o \in \mathcal O} \frac{\exp \alpha^{(e)}_o}{\sum_{o' \in \mathcal O} \exp \alpha^{(e)}_{o'}}\; o(x).
# $$
#
# > **Math breakdown:**
# > - $\mathcal O$ = {none, skip, conv3, avgpool3}; $o(x)$ is operation $o$ applied to the edge's input.
# > - The fraction is the **softmax** of the edge's $\alpha$: positive mixing weights that sum to 1.
# > - `none` outputs zeros, so it adds nothing to the sum, yet it takes its share of the softmax:
# >   a large $\alpha_{\text{none}}$ shrinks the whole edge.
# > - A **one-hot** weight vector picks one operation: the mixed supernet then computes a single path.

# %%
net = Supernet(space, data.num_features, data.num_classes).eval()
x = torch.tensor(data.x_val[:8])
cell = ("conv3", "skip", "conv3", "avgpool3", "conv3", "skip")      # no dead edges: nothing is pruned
one_hot = torch.zeros(6, 4)
one_hot[range(6), [OPS.index(op) for op in cell]] = 1.0
with torch.no_grad():
    assert torch.allclose(net(x, arch=cell), net(x, weights=one_hot), atol=1e-5)   # one path = one-hot mixture
total = sum(p.numel() for p in net.parameters())
path = sum(p.numel() for m in net.path_modules(cell) for p in m.parameters())
print(f"supernet: {total:,} weights; the path of {space.to_string(cell)} uses {path:,} of them")

# %% [markdown]
# ### Try it yourself 1
#
# Write `mixed_operation(alpha, outputs)`: `alpha` holds one edge's four architecture weights and
# `outputs` the four operations' outputs on the same input (arrays of one shape), both in the order
# of `OPS`. Return the mixed output $\bar o(x)$. The checker compares it with the package's
# `MixedEdge` on several edges and inputs.

# %%
print("OPS =", OPS)


def mixed_operation(alpha, outputs):
    ____  # your code here


q1.check()

# %%
# q1.hint()
# q1.solution()

# %% [markdown]
# ## 2. Single-path training
#
# How do the shared weights get trained? **Single-path one-shot** (SPOS; Guo et al., 2020; Li and
# Talwalkar's random search with weight sharing, 2019) draws one cell per batch and trains only its
# path:
#
# $$
# \min_W \; \mathbb E_{a \sim p}\big[\mathcal L_{\text{train}}(W_a)\big], \qquad
# \widehat{\mathrm{Acc}}(a) = \mathrm{Acc}_{\text{val}}(W_a).
# $$
#
# > **Math breakdown:**
# > - $W$: all the supernet's weights; $W_a$: the part on cell $a$'s path.
# > - $p$: how cells are drawn; "uniform" draws each edge's operation uniformly.
# > - Each batch is one stochastic gradient step on one sampled path: over many batches every
# >   operation of every edge gets trained, in the company of many different cells.
# > - $\widehat{\mathrm{Acc}}(a)$: the **estimate**, cell $a$'s validation accuracy with the shared
# >   weights, no training of its own.
#
# `supernet_run()` calls `train_single_path` with the benchmark's own protocol (data, Adam, one-cycle
# schedule) and the lesson's number of epochs; read it with `supernet_run??`.

# %%
run = supernet_run("uniform")
print(f"{len(run.train_loss)} epochs in {run.seconds:.1f} s; training loss {run.train_loss[0]:.3f} -> "
      f"{run.train_loss[-1]:.3f}")
plots.curves(np.arange(1, len(run.train_loss) + 1), {"supernet, one uniform path per batch": np.array(run.train_loss)},
             xlabel="epoch", ylabel="mean training loss", title="Single-path training of the supernet")

# %% [markdown]
# The loss is noisy from batch to batch by design: each batch trains a different cell.
#
# ## 3. How far can we trust the shared weights?
#
# Now read every distinct cell's accuracy off the shared weights (`estimates()` calls `estimate_all`)
# and compare the ranking with the benchmark's truth. **Kendall's τ** counts pairs of cells:
#
# $$
# \tau = \frac{C - D}{n(n-1)/2},
# $$
#
# > **Math breakdown:**
# > - $C$: **concordant** pairs, ordered the same way by estimate and truth; $D$: **discordant** pairs.
# > - $n(n-1)/2$: all pairs of $n$ cells. $\tau = 1$: same order; $\tau = 0$: unrelated; $\tau = -1$: reversed.
# > - Spearman's ρ is the correlation of the ranks; the **top-k overlap** is the share of the $k$
# >   truly best cells among the $k$ best estimates: what a search needs.

# %%
est = estimates("uniform")
scored = truth.loc[est.index]                  # the truth of the same cells (all of them, unless in fast mode)
agree = rank_agreement(est, scored, top=(10, 50, 100))
print(", ".join(f"{k}: {v:.2f}" for k, v in agree.items()))
pick = est.idxmax()
rank = 1 + int((truth > truth[pick]).sum())
print(f"the supernet's pick {pick}: true accuracy {truth[pick]:.4f}, rank {rank} of {len(truth)}")
estimate_scatter(est, truth, title=f"Uniform single-path supernet, {len(est)} cells: "
                 f"Kendall's tau {agree['kendall']:.2f}")

# %% [markdown]
# Read the scatter: on the left, does the supernet separate bad cells from good ones? On the right,
# among the good ones: where do the truly best cells (red) land in the supernet's ranking, and where
# does its pick (the star) land in the truth?
#
# > **Common pitfall:** judging a supernet by τ over all cells. A search only needs the *top* to be
# > right; a good τ earned by telling broken cells from working ones says little about that.

# %% [markdown]
# ### Try it yourself 2
#
# Write `kendall_tau(x, y)` for two lists of scores without ties, from the formula above (no
# `stats.kendalltau`). The checker compares with scipy on rankings of up to 200 cells.

# %%
def kendall_tau(x, y):
    ____  # your code here


q2.check()

# %%
# q2.hint()
# q2.solution()

# %% [markdown]
# **Predict, then run (p1).** A batch norm in the supernet keeps running statistics (a mean and a
# variance) that it updated for whichever path ran through it during training. Score every cell with
# those statistics, instead of recomputing them on a few batches through the cell's own path. Kendall's
# τ with the truth will be: **(a)** about the same, **(b)** clearly lower, or **(c)** clearly higher?

# %%
p1.check(____)   # your prediction: a, b or c
# p1.hint()

# %%
stale = estimates("uniform", recalibrate=False)
print(f"Kendall's tau, statistics recomputed per path: {agree['kendall']:.2f}; kept from training: "
      f"{rank_agreement(stale, scored)['kendall']:.2f}")

# %% [markdown]
# > **Common pitfall:** forgetting the batch-norm statistics when you evaluate a path. They belong to
# > the mixture of paths that was trained, not to the cell you score; `shared_accuracy` recomputes them
# > from a few training batches (`recalibrate_bn`) before it scores, and puts them back afterwards.

# %% [markdown]
# ## 4. A remedy: draw functions, not raw cells
#
# Lesson 02 showed that many raw cells compute the same function: an edge that leads nowhere is
# dead, whatever it holds. Uniform sampling draws each raw cell equally often, so it trains the
# functions with many raw cells far more than the rest.
#
# **Predict, then run (p2).** Of all uniformly drawn paths, what share falls on the 10% most
# frequent of the 941 distinct functions: **(a)** about 10%, **(b)** about a quarter, or **(c)**
# over half?

# %%
p2.check(____)   # your prediction: a, b or c
# p2.hint()

# %%
shares = draw_shares()
print(f"{len(shares)} functions; the most frequent {round(0.10 * len(shares))} get "
      f"{shares[:round(0.10 * len(shares))].sum():.0%} of the draws; the most frequent one alone {shares[0]:.1%}")
plots.curves(np.arange(1, len(shares) + 1), {"uniform over raw cells": np.cumsum(shares),
                                             "uniform over functions": np.arange(1, len(shares) + 1) / len(shares)},
             xscale="log", xlabel="the k most frequent functions", ylabel="share of the draws",
             title="Where single-path training spends its batches")

# %% [markdown]
# The remedy: draw uniformly among the distinct cells (`sampling="distinct"`), so every function gets
# its fair share of training. Same seed, same epochs, same estimate:

# %%
fair = estimates("distinct")
table = pd.DataFrame({"uniform": rank_agreement(est, scored, top=(10, 50, 100)),
                      "uniform, statistics kept": rank_agreement(stale, scored, top=(10, 50, 100)),
                      "distinct": rank_agreement(fair, scored, top=(10, 50, 100))}).T
table["training s"] = [run.seconds, run.seconds, supernet_run("distinct").seconds]
table.round(3)

# %% [markdown]
# This is **one seed** of each supernet. For the spread over seeds, run
# `python benchmarks/weight_sharing.py` (several seeds, some minutes), which also measures
# a few-shot supernet (Zhao et al., 2021), another remedy.

# %% [markdown]
# ## 5. DARTS: searching by gradient descent
#
# DARTS makes the architecture itself trainable: the supernet runs the **mixture** of section 1 on every
# edge, and $\alpha$ is learned by gradient descent. It is a **bilevel** problem:
#
# $$
# \min_\alpha \; \mathcal L_{\text{val}}\big(w^*(\alpha), \alpha\big)
# \quad \text{s.t.} \quad w^*(\alpha) = \arg\min_w \mathcal L_{\text{train}}(w, \alpha).
# $$
#
# > **Math breakdown:**
# > - Inner level: the weights $w$ fit the training data for the current mixture $\alpha$.
# > - Outer level: $\alpha$ is chosen so that those weights do well on **validation** data.
# > - **First order:** instead of solving the inner problem, alternate one step on $\alpha$ with
# >   $\nabla_\alpha \mathcal L_{\text{val}}(w, \alpha)$ ($w$ held) and one on $w$ with
# >   $\nabla_w \mathcal L_{\text{train}}(w, \alpha)$ ($\alpha$ held).
# > - At the end, each edge keeps its operation of largest $\alpha$: the **derived** cell.
#
# `darts_run()` calls `train_darts` and records $\alpha$ after every epoch:

# %%
darts = darts_run()
print(f"{len(darts.train_loss)} epochs in {darts.seconds:.1f} s; the derived cell: {space.to_string(darts.cell)}")


def show_alpha(edge=0, epoch=len(darts.alphas) - 1):
    return alpha_trajectories(darts, edge=edge, epoch=epoch)


widgets.interact(show_alpha,
                 edge=widgets.Dropdown(options=[(f"{i} → {j}", e) for e, (i, j) in enumerate(EDGES)], description="edge"),
                 epoch=widgets.IntSlider(min=0, max=len(darts.alphas) - 1, value=len(darts.alphas) - 1,
                                         description="epoch", continuous_update=False));

# %% [markdown]
# ### Try it yourself 3
#
# Write `derive_cell(alpha)`: from a $6 \times 4$ array (one row per edge, columns in the order of
# `OPS`), the cell as a tuple of operation names, the largest $\alpha$ on each edge, `none` included.
# Then try it on the run's final `darts.alpha`.

# %%
def derive_cell(alpha):
    ____  # your code here


q3.check()

# %%
# q3.hint()
# q3.solution()

# %% [markdown]
# Where does the derived cell land in the benchmark? And how did it change during the search
# (stopping early would have returned the cell of that epoch)?

# %%
test_truth = bench.truth("test_accuracy")


def true_rank(c):
    return 1 + int((truth > truth[space.to_string(space.canonical(c))]).sum())


found = space.to_string(space.canonical(darts.cell))
print(f"DARTS' cell {found}: true validation {truth[found]:.4f}, test {test_truth[found]:.4f}")
print(f"its rank: {true_rank(darts.cell)} of {len(truth)} (the best cell: validation {truth.max():.4f})")
print("its true rank after each epoch:", [true_rank(c) for c in darts.cells])
plots.cell_diagram(darts.cell)

# %% [markdown]
# **Does DARTS drift to parameter-free cells?** On NAS-Bench-201, DARTS famously collapses to cells
# of `skip` connections and pooling (Dong and Yang, 2020). Early in the search a `conv3` is still
# untrained and noisy, while `skip` passes a useful signal at once, so $\alpha$ first rewards the
# operations that need no training; with long searches the mixture then keeps favouring them, and
# the weight of the parameter-free ones grows. Measure it here:

# %%
free = [OPS.index(op) for op in ("none", "skip", "avgpool3")]
start, end = darts.weights(0), darts.weights()
before, after = start[:, free].sum(1).mean(), end[:, free].sum(1).mean()
print(f"mean weight of none + skip + avgpool3 per edge: {before:.2f} at the start, {after:.2f} at the end")
print("mean weight per operation at the end:", {op: round(float(end[:, k].mean()), 3) for k, op in enumerate(OPS)})
kept = space.canonical(darts.cell)
print(f"in the derived cell: {sum(op in ('skip', 'avgpool3') for op in kept)} parameter-free operations, "
      f"{kept.count('conv3')} conv3")
drift = after - before
print("so alpha moved", "TOWARD" if drift > 0 else "AWAY FROM", "the parameter-free operations in this run")

# %% [markdown]
# Read the numbers honestly. At the start $\alpha$ is near zero: the mixture is uniform, and the
# parameter-free operations hold most of the weight only because they are most of the operations.
# The last line says which way this run moved from there. On NAS-Bench-201 the collapsed cells were
# almost all `skip`, after far longer searches; this search is short (its
# $\alpha$ learning rate scaled up to match) and its cells small, so compare its derived cell and true
# rank above with that collapse before calling it one. Drag the epoch slider to see when each edge's
# choice settled: DARTS+ (Liang et al., 2019) stops the search once the derived cell stops changing.
#
# > **Common pitfall:** trusting the derived cell because $\alpha$ converged. $\alpha$ ranks operations
# > *inside the mixture*, with weights trained for the mixture; the cell trained alone is another
# > network. Always check the derived cell against stand-alone training, as the benchmark lets us here.

# %% [markdown]
# ## 6. What weight sharing saves
#
# ### Try it yourself 4
#
# The benchmark recorded how long each cell's training took, for each of its seeds
# (`bench.cumulative_seconds`, cells × seeds × epochs, running totals). Set `cost_ratio` to the seconds
# of training every distinct cell once (each cell's full training, averaged over the seeds, summed
# over the cells) divided by the supernet's training seconds, `run.seconds`.

# %%
cost_ratio = ____

q4.check()

# %%
# q4.hint()
# q4.solution()

# %%
every = every_cell_seconds()
print(f"training every distinct cell once: {every:,.0f} s; the supernet: {run.seconds:.1f} s "
      f"(+ {len(est)} estimates); ratio {every / run.seconds:,.0f}")

# %% [markdown]
# The supernet's training costs a small fraction of training every cell; reading an estimate off it
# costs a fraction of a second per cell. `OneShotEvaluator(run)` (from `nastutor.oneshot`) turns a
# trained supernet into an evaluator, so that any strategy of the earlier lessons searches on its
# estimates through the same `nt.run_search`, charged the supernet's seconds once. The price is the
# ranking you measured above.

# %% [markdown]
# ## Recap
#
# - A **supernet** holds every cell; cells share the weights of the operations they have in common.
# - **Single-path** training draws one cell per batch; a cell's estimate is its accuracy with the
#   shared weights, after **recomputing its batch-norm statistics**.
# - Measure the estimates against the truth with **Kendall's τ**, Spearman's ρ, and above all the
#   **top-k overlap**: the shared-weight ranking is informative, far from exact.
# - Uniform sampling over raw cells trains a few functions most; **drawing distinct cells** spreads the
#   training fairly. Judge such a remedy over several seeds (`benchmarks/weight_sharing.py`).
# - **DARTS** relaxes the choice to a softmax over $\alpha$, solves the bilevel problem to first order,
#   and derives the cell by argmax; check the derived cell's true accuracy, and watch for drift to
#   parameter-free operations.
# - The whole search costs about one training: the **cost ratio**.

# %% [markdown]
# [← Previous: 08 · Model-based and multi-fidelity search](08_model_based_and_multi_fidelity.ipynb) ·
# [Back to the course map: 00 · Welcome to nastutor](00_welcome.ipynb) ·
# [Next: 10 · Estimating without training →](10_zero_cost_and_predictors.ipynb)
