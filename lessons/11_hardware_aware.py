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
# # 11 · Hardware-aware NAS
#
# The most accurate cell is rarely the one you deploy: it has to run fast enough on the device that
# will run it, a phone, a microcontroller, or the laptop in front of you. **Hardware-aware NAS**
# (MnasNet, FBNet, Once-for-All) searches for cells that are accurate *and* fast.
#
# **You will:**
# 1. find out which cheap **proxies of speed** (parameters, MACs) lie, and by how much, and time a
#    cell on **your own CPU** against the benchmark and a **latency predictor**;
# 2. draw the **Pareto front** of accuracy and latency over the whole benchmark (you write the
#    dominance test and the **hypervolume**);
# 3. turn two objectives into one with **MnasNet's reward**, and watch which cell wins as the target
#    latency moves (you write the pick);
# 4. compare **multi-objective search**, Optuna's NSGA-II and random search by hypervolume, over
#    100 seeds with budgets in simulated seconds.

# %%
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

import nastutor as nt
from nastutor import plots
from nastutor.hardware import LatencyTable, benchmark_objectives, measure_latency
from nastutor.pareto import hypervolume, pareto_front, plot_front
from nastutor.strategies.multi_objective import mnasnet_reward
from nastutor.exercises.lesson11 import *

ev = nt.TabularEvaluator("cell-mnist1d")     # lookups in the cell benchmark, charged in simulated seconds
bench, space = ev.benchmark, ev.space
data = nt.load_dataset(bench.dataset)
FAST = nt.fast_mode()                         # the test suite runs this notebook with fewer seeds
# the facts this lesson's text quotes; if a rebuilt benchmark changes one, this cell says which
assert len(bench) == 941 and nt.hardware.BATCH_OF_COLUMN == {"latency_ms": 256, "latency1_ms": 1}
assert len(SEEDS) == 100 and SECONDS == (200, 600)

# %% [markdown]
# ## 1. Latency is measured, not counted
#
# The benchmark timed every one of its 941 distinct cells on one CPU thread: the median of many
# forward passes after a warm-up, at **batch 256** (`bench.latency_ms`, serving many inputs at once)
# and at **batch 1** (`bench.latency1_ms`, one input as it arrives). Papers often report a cheaper
# stand-in instead: the number of **parameters** or of multiply-accumulate operations (**MACs**).
# How well does each rank the cells by their measured latency? Spearman's $\rho$ (lesson 03's rank
# correlation) answers it: $1$ means the same order.
#
# **Predict, then run (p1).** At batch 1, the parameter count ranks the cells by latency **(a)** about
# as well as at batch 256, **(b)** clearly worse, or **(c)** clearly better?

# %%
p1.check(____)   # your prediction: a, b or c
# p1.hint()

# %%
proxies = pd.DataFrame({proxy: {f"batch {b}": stats.spearmanr(getattr(bench, proxy), getattr(bench, column)).statistic
                                for column, b in nt.hardware.BATCH_OF_COLUMN.items()}
                        for proxy in ("params", "macs")}).T.round(3)
print("Spearman of each proxy with the measured latency:")
print(proxies.to_string())
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
for ax, (column, b) in zip(axes, nt.hardware.BATCH_OF_COLUMN.items()):
    ax.scatter(bench.params, getattr(bench, column), s=8, alpha=0.5)
    ax.set(xlabel="parameters", ylabel="measured latency (ms)", title=f"batch {b}: Spearman {proxies.loc['params', f'batch {b}']:.2f}")
    ax.grid(alpha=0.3)
plt.show()
assert np.array_equal(stats.rankdata(bench.params), stats.rankdata(bench.macs))   # the same order

# %% [markdown]
# In these cells only the convolutions hold parameters, so parameters and MACs rank the cells
# identically (the table prints the same Spearman for both). At batch 256 the arithmetic dominates
# and the proxies rank well; at batch 1 each operation costs a roughly fixed overhead whatever its
# size, and the skips, poolings and sums that no parameter count sees make up the difference:
# cells with the same number of parameters spread over a wide range of latencies.
#
# > **Common pitfall:** reporting "efficient" cells by parameters or MACs. Whether a proxy lies
# > depends on the device *and* the batch size: measure on the target, at the batch you will serve.

# %% [markdown]
# ### Time a cell yourself
#
# `measure_latency(model, num_features, batch=...)` times a network as the benchmark did: warm-up
# passes, then the median of timed passes, on one thread. A **latency predictor** avoids timing every
# candidate: FBNet's **lookup table** times each operation once per stage (`LatencyTable.measure`;
# the cell prints how long it took), then predicts a cell by adding up its live operations and the skeleton around
# them, in microseconds. Pick a cell and compare the numbers (your CPU is not the benchmark's,
# so expect a different scale, not a different order):

# %%
table = LatencyTable.measure(space, data.num_features, data.num_classes, batch=256,
                             repeats=5 if FAST else 30, rounds=1 if FAST else 3, progress=True)
predicted = np.array([table(a) for a in bench.archs])
rho = stats.spearmanr(predicted, bench.latency_ms).statistic
print(f"lookup table measured in {table.seconds:.1f} s on this machine; its Spearman with the benchmark's "
      f"latencies over all {len(bench)} cells: {rho:.2f}")


def time_it(cell):
    arch = space.parse(cell)
    model = space.build(arch, data.num_features, data.num_classes)
    mine = measure_latency(model, data.num_features, batch=256, repeats=5 if FAST else 30)
    print(f"{cell}\n  measured here:  {mine:6.3f} ms\n  the benchmark:  {bench.query(arch)['latency_ms']:6.3f} ms"
          f"\n  the predictor:  {table(arch):6.3f} ms  (from this machine's table)")


by_speed = np.argsort(bench.latency_ms)           # the benchmark's cells, fastest first
cells = [(f"{label}: {space.to_string(bench.archs[by_speed[k]])}", space.to_string(bench.archs[by_speed[k]]))
         for label, k in (("fastest", 0), ("fast", 300), ("slow", 600), ("slowest", 940))]
widgets.interact(time_it, cell=widgets.Dropdown(options=cells, value=cells[-1][1], description="cell",
                                                layout=widgets.Layout(width="640px")));

# %% [markdown]
# > **Common pitfall:** timing once. The first passes warm caches and the allocator up, and a busy
# > machine spoils single runs: warm up, repeat, take the median, and keep the thread count fixed.

# %% [markdown]
# ## 2. The Pareto front
#
# With two objectives there is no single best cell, only cells that nothing beats on both. Write each
# cell as a point $(\mathrm{acc}, \mathrm{lat})$. Cell $a$ **dominates** cell $b$ when
#
# $$
# a \succ b \iff \mathrm{acc}_a \ge \mathrm{acc}_b \;\wedge\; \mathrm{lat}_a \le \mathrm{lat}_b
# \;\wedge\; (\mathrm{acc}_a > \mathrm{acc}_b \;\vee\; \mathrm{lat}_a < \mathrm{lat}_b),
# $$
#
# and the **Pareto front** is the set of cells that no cell dominates.
#
# > **Math breakdown:**
# > - $\ge$ on accuracy, $\le$ on latency: at least as good on both objectives (higher accuracy,
# >   lower latency).
# > - The last bracket: strictly better on at least one, so a cell never dominates an equal one.
# > - Off the front, a cell has a rival that is as accurate *and* as fast: no target latency makes it
# >   the right choice.

# %% [markdown]
# ### Try it yourself 1
#
# Write `dominates(a, b)` for two points `(accuracy, latency)`: `True` when `a` dominates `b`. The
# checker tries hand-picked ties and pairs of the benchmark's cells.

# %%
def dominates(a, b):
    ____  # your code here


q1.check()

# %%
# q1.hint()
# q1.solution()

# %% [markdown]
# **Predict, then run (p2).** Of the benchmark's 941 cells, how many are on the Pareto front of (true
# validation accuracy, latency at batch 256): **(a)** about half of them, **(b)** about a tenth, or
# **(c)** fewer than one in twenty?

# %%
p2.check(____)   # your prediction: a, b or c
# p2.hint()

# %%
points = benchmark_objectives(bench)          # each cell's (mean validation accuracy, latency at batch 256)
front = pareto_front(points)
ref = reference()
print(f"{len(front)} of {len(points)} cells are on the front; fastest {points[front, 1].min():.2f} ms "
      f"(accuracy {points[front, 0].min():.3f}), most accurate {points[front, 0].max():.3f} "
      f"({points[front, 1].max():.2f} ms); reference point ({ref[0]:.3f}, {ref[1]:.2f} ms)")
fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
for ax, title in zip(axes, ("all cells", "zoomed in: above the reference accuracy")):
    plot_front(points, reference=ref, ax=ax)
    ax.set_title(title)
axes[1].set_ylim(ref[0] - 0.005, points[:, 0].max() + 0.003)
plt.show()

# %% [markdown]
# The shaded area is the **hypervolume**: the region of (accuracy, latency) that the front
# dominates, bounded by a **reference point** $r$. Here $r$ has the benchmark's median accuracy and
# its largest latency, so only cells better than a typical one count. For points $p_1, \dots, p_n$,
#
# $$
# \mathrm{HV} = \operatorname{area}\Big(\bigcup_{i}\,[\mathrm{acc}_r, \mathrm{acc}_i] \times [\mathrm{lat}_i, \mathrm{lat}_r]\Big).
# $$
#
# > **Math breakdown:**
# > - Each point spans a rectangle with the reference point; the rectangles **overlap**, and the union
# >   counts each piece once.
# > - Sort the points by latency: the union is a staircase whose height between two consecutive
# >   latencies is the best accuracy reached so far, minus $\mathrm{acc}_r$.
# > - A dominated point adds nothing; a new point on the front adds its own corner. One number that
# >   grows when a front moves out or fills in: how multi-objective searches are compared.

# %% [markdown]
# ### Try it yourself 2
#
# Write `hypervolume_2d(points, reference)` for rows `(accuracy, latency)` and a reference point
# `(accuracy, latency)`; points outside the box add nothing. The checker compares with
# `nastutor.pareto.hypervolume`, and with a count of the cells of a fine grid that your points dominate.

# %%
def hypervolume_2d(points, reference):
    ____  # your code here


q2.check()

# %%
# q2.hint()
# q2.solution()

# %% [markdown]
# > **Common pitfall:** comparing hypervolumes computed with different reference points, or
# > different units. The reference point decides which part of the front counts: report it.

# %% [markdown]
# ## 3. One number: MnasNet's reward
#
# A single-objective search needs one number per cell. MnasNet (Tan et al., 2019) multiplies the
# accuracy by a latency penalty around a **target** $T$:
#
# $$
# R(m) = \mathrm{ACC}(m) \cdot \left(\frac{\mathrm{LAT}(m)}{T}\right)^{w}, \qquad w < 0.
# $$
#
# > **Math breakdown:**
# > - $\mathrm{LAT}/T > 1$ (too slow): the factor is below $1$; $\mathrm{LAT}/T < 1$ (faster than
# >   needed): slightly above $1$. On target the reward is the accuracy.
# > - $w$ sets the exchange rate: with $w = -0.07$, doubling the latency multiplies the reward by
# >   $2^{-0.07} \approx 0.953$. A **hard** constraint uses $w = 0$ under $T$ and $w = -1$ above it.
# > - Every cell off the front loses to a front cell that is as accurate and as fast, so the winner is
# >   always on the front: the reward only chooses *where* on it.

# %% [markdown]
# ### Try it yourself 3
#
# Write `mnasnet_pick(accuracy, latency, target, w=-0.07, hard=False)`: given arrays with every cell's
# accuracy and latency, return the index of the cell with the largest reward; with `hard=True`, use
# the hard constraint's exponents. The checker tries targets across the benchmark's latencies, several
# exponents, and the hard constraint.

# %%
def mnasnet_pick(accuracy, latency, target, w=-0.07, hard=False):
    ____  # your code here


q3.check()

# %%
# q3.hint()
# q3.solution()

# %% [markdown]
# The star is the cell the reward picks, the dashed line the target $T$. Move $T$ with the soft reward:
# does the star move? Then change $w$, and tick the hard constraint.

# %%
acc, lat = points[:, 0], points[:, 1]


def show_reward(target=1.5, w=-0.07, hard=False):
    i = int(np.argmax(mnasnet_reward(acc, lat, target, w, hard)))
    fig = plot_front(points)
    ax = fig.axes[0]
    ax.axvline(target, color="black", ls="--", lw=1, label="target T")
    ax.scatter([lat[i]], [acc[i]], marker="*", s=250, color="gold", edgecolor="black", zorder=5, label="reward's pick")
    ax.set_ylim(min(acc[i], 0.9) - 0.01, 1.0)       # the accurate end of the front
    ax.legend(loc="lower right", fontsize="small")
    ax.set_title(f"picks {space.to_string(bench.archs[i])}\naccuracy {acc[i]:.3f}, {lat[i]:.2f} ms", fontsize=10)
    return fig


widgets.interact(show_reward,
                 target=widgets.FloatLogSlider(value=1.5, base=10, min=np.log10(lat.min()), max=np.log10(lat.max()),
                                               step=0.02, description="target T (ms)", continuous_update=False,
                                               style={"description_width": "initial"}),
                 w=widgets.FloatSlider(value=-0.07, min=-1.0, max=0.0, step=0.01, description="exponent w",
                                       continuous_update=False, style={"description_width": "initial"}),
                 hard=widgets.Checkbox(value=False, description="hard constraint"));

# %% [markdown]
# The winner as $T$ sweeps the benchmark's latencies, with the soft reward and the hard one:

# %%
targets = np.quantile(lat, [0.02, 0.1, 0.3, 0.5, 0.7, 1.0]).round(2)
rows = []
for t in targets:
    soft, hard = (int(np.argmax(mnasnet_reward(acc, lat, t, -0.07, h))) for h in (False, True))
    rows.append({"T (ms)": t, "soft pick": soft, "soft: accuracy": acc[soft], "soft: ms": lat[soft],
                 "hard pick": hard, "hard: accuracy": acc[hard], "hard: ms": lat[hard]})
picks = pd.DataFrame(rows).set_index("T (ms)")
assert picks["soft pick"].nunique() == 1                  # the soft reward picks the same cell for every T
picks.round(3)

# %% [markdown]
# The soft column never moves. With one exponent, $(\mathrm{LAT}/T)^w = \mathrm{LAT}^w \cdot T^{-w}$, and
# $T^{-w}$ multiplies every cell's reward by the same factor: the order of the cells, and the pick,
# depend on $w$ alone. $T$ matters for the hard constraint, which takes the most accurate cell under
# $T$ unless one just above it is accurate enough to pay the penalty, and in MnasNet's paper, whose
# exponent may differ under $T$ ($\alpha$) and above it ($\beta$).
#
# > **Common pitfall:** believing the soft reward meets the target. It trades accuracy for speed at
# > the rate $w$ sets, wherever $T$ is: to meet a latency budget, use the hard constraint or
# > filter the front, and sweep $w$ (or search the whole front) to see the trade-offs.

# %% [markdown]
# ## 4. Searching the front
#
# A **multi-objective** search keeps the whole front instead of one trade-off. `nt.ParetoEvolution`
# is lesson 05's regularized evolution with NSGA-II's ranking (Deb et al., 2002) in the tournament:
# the sampled member on the best front wins, ties going to the one in the sparsest stretch of it.
# `nt.OptunaNSGA2` is Optuna's NSGA-II, the practitioner's peer. Both look latency up without
# training (`nt.hardware.benchmark_latency(bench)`), as a lookup table or a phone would.
#
# Lesson 07's protocol: 100 seeds each, budgets in simulated seconds of training, the hypervolume of
# the cells a search evaluated (scored by their true accuracy) as a share of the whole benchmark's,
# with a 95% confidence interval and a one-sided rank-sum test against random search.
#
# **Predict, then run (p3).** After 200 simulated seconds, by hypervolume: **(a)** Pareto evolution
# covers more, **(b)** no clear difference, or **(c)** random search covers more?

# %%
p3.check(____)   # your prediction: a, b or c
# p3.hint()

# %%
seeds = range(20) if FAST else SEEDS
runs = hypervolume_runs(seeds, strategies=("pareto_evolution", "random"))   # 100 seeds each, up to 600 simulated s
first = pd.concat([hypervolume_table(runs, s, confidence=0.95) for s in SECONDS]).set_index(["seconds", "strategy"])
assert first.loc[(SECONDS[0], "pareto_evolution"), "evaluations"] < first.loc[(SECONDS[0], "random"), "evaluations"]
first.round(4).assign(p_vs_random=first["p_vs_random"].map("{:.1e}".format))

# %% [markdown]
# Optuna's NSGA-II joins the same table (its sampler is slower, so it runs in a cell of its own):

# %%
runs = pd.concat([runs, hypervolume_runs(seeds, strategies=("optuna_nsga2",))], ignore_index=True)
tables = pd.concat([hypervolume_table(runs, s, confidence=0.95) for s in SECONDS]).set_index(["seconds", "strategy"])
tables.round(4).assign(p_vs_random=tables["p_vs_random"].map("{:.1e}".format))

# %%
grid = np.sort(runs["seconds"].unique())
by_strategy = {name: group.pivot(index="seed", columns="seconds", values="hypervolume").to_numpy()
               for name, group in runs.groupby("strategy", sort=False)}
plots.curves(grid, by_strategy, xlabel="simulated seconds of training", ylabel="share of the benchmark's hypervolume",
             title=f"Hypervolume of the evaluated cells ({runs['seed'].nunique()} seeds each)")

# %% [markdown]
# Read the table: how much of the front does each search cover at each budget, and how sure is the
# rank-sum test? Look at the evaluations too: in the same simulated seconds Pareto evolution makes
# *fewer* than random search, as the accurate cells it breeds take longer to train. Optuna's NSGA-II
# runs with its default generations. Try `hypervolume_runs(name="cell-digits")` (it takes a while), or
# draw a search's points over the front with `plot_front(points, searches={...})`.
#
# ## Recap
#
# - Latency is **measured**, on the target device, at the batch you will serve: parameters and MACs
#   rank well at large batches and poorly at batch 1. A **lookup table** of operations predicts it cheaply.
# - Cell $a$ **dominates** $b$ when it is as good on both objectives and better on one; the **Pareto
#   front** is what nothing dominates, and its **hypervolume** scores a set of points in one number.
# - **MnasNet's reward** $\mathrm{ACC}\cdot(\mathrm{LAT}/T)^w$ picks one point of the front; $T$ and $w$
#   decide which.
# - **Multi-objective search** (Pareto evolution, NSGA-II) finds the whole front; judge it by
#   hypervolume over many seeds, in simulated seconds.

# %% [markdown]
# [← Previous: 10 · Estimating without training](10_zero_cost_and_predictors.ipynb) ·
# [Back to the course map: 00 · Welcome to nastutor](00_welcome.ipynb) ·
# [Next: 12 · Transferability →](12_transferability.ipynb)
