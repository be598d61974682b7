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
# # 05 · Evolution
#
# Random search (lesson 04) forgets everything it has seen. Evolution remembers: it keeps a
# **population** of good architectures and makes new candidates by changing them a little. This lesson
# builds **regularized evolution** (Real et al., 2019, the algorithm behind AmoebaNet) and measures it.
#
# **You will:**
# 1. know the parts of an evolutionary search: a random initial population, **[tournament](glossary.md#tournament) selection**,
#    **[mutation](glossary.md#mutation)**, **crossover**, and **aging** (the oldest member dies) versus non-aging (the worst dies);
# 2. compute each member's chance to win a tournament, and how the **population size $P$** and the
#    **sample size $S$** trade exploration for exploitation;
# 3. write tournament selection, the aging step, and then the whole strategy as an ask/tell class;
# 4. watch the population change over a search, and the search's path on the landscape;
# 5. compare evolution with random search over 100 seeds, with confidence intervals;
# 6. measure why non-aging evolution gets stuck on architectures that were **lucky once**.

# %%
import inspect
from collections import deque
from math import comb

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import nastutor as nt
from nastutor import plots
from nastutor.compare import compare
from nastutor.interactive import comparison_dashboard, search_dashboard
from nastutor.strategies import RegularizedEvolution
from nastutor.tracing import Trace, population_frame
from nastutor.exercises.lesson05 import *

ev = nt.TabularEvaluator("cell-mnist1d")     # lookups in the cell benchmark (lesson 03)
bench, space = ev.benchmark, ev.space
truth = bench.truth().to_numpy()     # ground truth per benchmark row: mean of 3 seeds, full training
assert space.size == 4096 and len(bench.seeds) == 3, bench     # the text quotes these

# %% [markdown]
# ## 1. The idea: a population that improves
#
# An evolutionary search keeps a **population** of evaluated architectures and repeats a **cycle**: **select**
# a parent, preferring good ones; **vary** it (a **mutation** changes one decision; a **crossover** mixes two
# parents); **evaluate** the child; **replace**: the child joins and some member leaves.
#
# Regularized evolution makes one child per cycle, which fits the ask/tell loop of lesson 04 exactly
# (`ask` = select and vary, `tell` = replace). Its two specific choices are:
#
# - **tournament selection**: draw $S$ members at random; the best of those $S$ is the parent;
# - **aging**: the member that leaves is the **oldest** one, whatever its accuracy. The classic choice,
#   removing the **worst**, is what we call non-aging.
#
# The population starts as $P$ random architectures, and the search's answer is the best architecture it
# ever evaluated.

# %% [markdown]
# ### How strongly does a tournament select?
#
# Rank the $P$ members by accuracy, $r = 1$ for the worst and $r = P$ for the best. The member of rank $r$
# wins a tournament of $S$ distinct members exactly when it is drawn and the $S - 1$ others are all worse:
#
# $$
# p_r = \frac{\binom{r-1}{S-1}}{\binom{P}{S}}, \qquad p_P = \frac{S}{P}.
# $$
#
# > **Math breakdown:**
# > - $\binom{P}{S}$: the equally likely samples of $S$ members; $\binom{r-1}{S-1}$: those that contain
# >   member $r$ and $S - 1$ of the $r - 1$ members worse than it.
# > - $S = 1$: $p_r = 1/P$ for everyone, no selection: the population drifts like a random walk
# >   (**exploration**). $S = P$: the best member is always the parent, a greedy hill climber (**exploitation**).
# > - In between, the best member is the parent of a fraction $S/P$ of the children: the ratio $S/P$ sets the
# >   selection pressure. With aging, $P$ is also each member's lifetime, in cycles.
#
# NAS-Bench-201's reference runs of regularized evolution use $P = 10$ and $S = 3$; so do nastutor's defaults.

# %% [markdown]
# ## 2. Regularized evolution in nastutor
#
# Here is the whole strategy. The population is a `deque` (a double-ended queue) of `(arch, val_accuracy)`
# pairs, **oldest first**. `ask` returns random cells for the first $P$ asks; after that `tournament()` picks
# a parent and `space.mutate` changes it (with `crossover` > 0, that share of children first mixes two
# tournament winners). `tell` adds the child at the right end and, above $P$ members, `popleft()` removes the
# oldest, or, with `aging=False`, the member with the lowest accuracy leaves.

# %%
print(inspect.getsource(RegularizedEvolution))

# %% [markdown]
# ## 3. Variation: mutation and crossover
#
# A **mutation** changes the operation on **one edge**: `space.mutate` picks one of the cell's $6 \times 3 = 18$
# neighbours (lesson 02) uniformly. Some mutations change nothing that matters (an unused edge, an isomorphic
# duplicate): the child is then just **another noisy evaluation** of its parent. How common is that?

# %%
neutral = np.mean([space.canonical(m) == space.canonical(a) for a in space.enumerate() for m in space.neighbors(a)])
print(f"{neutral:.1%} of all one-edge mutations give a cell that computes the same function as its parent")

# %% [markdown]
# **Crossover** makes a child from two parents. `CellSpace.crossover` is *uniform*: each edge takes its
# operation from one parent or the other with equal chance. `RegularizedEvolution(crossover=0.5)` makes half
# of its children that way, then mutates them; Real et al. used mutation only, and section 8 measures both.
#
# ## 4. Tournament selection
#
# ### Try it yourself 1
#
# Write `tournament(population, sample_size, rng)`: `population` is a sequence (a list or a `deque`) of
# `(arch, accuracy)` pairs, `sample_size` is $S$, and `rng` a `numpy.random.Generator`. Draw $S$
# **distinct** members uniformly at random using `rng`, and return the **architecture** of the one with the
# highest accuracy. Leave the population unchanged: the winner stays in it.
#
# The checker calls your function thousands of times, compares the winners' ranks with $p_r$ above, and
# checks that the same seed gives the same winners.

# %%
def tournament(population, sample_size, rng):
    ____  # your code here


q1.check()

# %%
# q1.hint()
# q1.solution()

# %% [markdown]
# The formula $p_r$ against nastutor's own tournament: a population of 10 members with distinct accuracies,
# and 20,000 tournaments per sample size $S$ (dots), beside $p_r$ (lines).

# %%
P_DEMO, DRAWS = 10, 20_000
ranks = np.arange(1, P_DEMO + 1)
evo = RegularizedEvolution(P_DEMO)
evo.setup(space, seed=0)
evo.population = deque((space.sample(np.random.default_rng(r)), 0.9 + 0.01 * r) for r in ranks)   # rank r
rank_of = {arch: r for r, (arch, _) in zip(ranks, evo.population)}
fig, ax = plt.subplots(figsize=(8, 4))
for S in (1, 3, 10):
    evo.sample_size = S
    wins = np.bincount([rank_of[evo.tournament()] for _ in range(DRAWS)], minlength=P_DEMO + 1)[1:] / DRAWS
    line, = ax.plot(ranks, [comb(r - 1, S - 1) / comb(P_DEMO, S) for r in ranks])     # the formula p_r
    ax.plot(ranks, wins, "o", color=line.get_color(), label=f"S = {S}")
ax.set(xlabel="rank of the member (10 = best)", ylabel="probability of being the parent", xticks=ranks)
ax.legend(title="dots: nastutor; lines: $p_r$")
plt.show()


# %% [markdown]
# ## 5. The aging step
#
# ### Try it yourself 2
#
# Write `age(population, child, population_size, aging=True)`, the replacement step of the cycle (what
# `tell` does). `population` is a `collections.deque` of `(arch, accuracy)` pairs, **oldest first**, and
# `child` is the new pair. Add the child at the right end; then, if the population holds more than
# `population_size` members, remove **one**:
#
# - with `aging=True`, the **oldest** member (the left end);
# - with `aging=False`, the member with the **lowest accuracy**; on a tie, the oldest of them. The child
#   may be the one removed: it joins first, then the worst of all $P + 1$ leaves.
#
# Change the deque **in place** (the strategy keeps using the same object) and keep it in age order.

# %%
def age(population, child, population_size, aging=True):
    ____  # your code here


q2.check()


# %%
# q2.hint()
# q2.solution()

# %% [markdown]
# ## 6. Put it together: your own regularized evolution
#
# ### Try it yourself 3
#
# Complete `MyEvolution`, an ask/tell strategy (lesson 04) built from your two functions. The constructor
# and `setup` are written; you write:
#
# - `ask()`: the first `population_size` calls return random cells, `self.space.sample(self.rng)`; after
#   that, choose a parent with your `tournament` (pass `self.rng`) and return `self.space.mutate(parent, self.rng)`;
# - `tell(arch, evaluation)`: the aging step, with your `age`, on the pair `(arch, evaluation.val_accuracy)`.


# %%
class MyEvolution(nt.Strategy):
    def __init__(self, population_size=10, sample_size=3, aging=True):
        self.population_size, self.sample_size, self.aging = population_size, sample_size, aging

    def setup(self, space, seed=0, max_epochs=None):
        super().setup(space, seed, max_epochs)     # self.space, self.rng
        self.population = deque()                  # (arch, val_accuracy) pairs, oldest first
        self.asked = 0                             # how many architectures ask() has proposed

    def ask(self):
        ____  # your code here

    def tell(self, arch, evaluation):
        ____  # your code here


q3.check()

# %%
# q3.hint()
# q3.solution()

# %% [markdown]
# ## 7. Watching one search
#
# A `Trace` callback records a copy of the population after every evaluation (`population_frame` makes it a
# table). In the plot every dot is a member's **recorded** validation accuracy (one noisy training seed); the dashed
# line is the median of the same members' **mean** accuracy over the benchmark's seeds. With aging, every member
# dies after $P$ cycles, so the cloud is always the ten most recent children.

# %%
evo = RegularizedEvolution(population_size=10, sample_size=3)
trace = Trace(evo, lambda s: list(s.population))
history = nt.run_search(evo, ev, budget=200, seed=0, callback=trace)
plots.population_plot(population_frame(trace), benchmark=bench)

# %% [markdown]
# ### The path on the landscape
#
# `plots.landscape` draws every cell on a $64 \times 64$ grid (lesson 02). A mutation changes one edge, so it moves the child along **one row or one column** of its parent. Random search
# scatters its points; evolution's points cluster along the rows and columns of good regions. (The red line joins
# the successive incumbents.)

# %%
fig, axes = plt.subplots(1, 2, figsize=(14, 6), layout="constrained")
random_history = nt.run_search(nt.RandomSearch(), ev, budget=200, seed=0, progress=False)
for ax, h, name in zip(axes, (history, random_history), ("Regularized evolution (P = 10, S = 3)", "Random search")):
    plots.landscape(bench, h, ax=ax, title=f"{name}, 200 evaluations, seed 0")

# %% [markdown]
# ### Explore: the search dashboard
#
# Every control reruns the search. Try $S = 1$ against $S = P$, switch aging off, and compare with random search
# on the same seed.

# %%
search_dashboard("cell-mnist1d", strategy="evolution", budget=100, max_budget=500, strategies=["evolution", "random"])

# %% [markdown]
# ## 8. Evolution vs random search, over 100 seeds
#
# One search is one draw of a random process. `compare` runs every strategy on 100 seeds, on the benchmark,
# and records the incumbent's **regret** (lesson 04), in [pp](glossary.md#pp), after every evaluation.
#
# **Reading the dashboard:** the true mean regret plausibly lies within each confidence interval; a p-value
# below $0.05$ says that luck alone would rarely make a strategy look this much better than random search
# (lesson 07).
#
# **Predict, then run (p1).** After 100 evaluations, does aging beat non-aging **(a)** by a wide margin,
# **(b)** by a small but clear one, or **(c)** not at all?

# %%
p1.check(____)   # your prediction: a, b or c
# p1.hint()

# %%
strategies = {"random": nt.RandomSearch(),
              "evolution (P=10, S=3)": RegularizedEvolution(10, 3),
              "evolution, non-aging": RegularizedEvolution(10, 3, aging=False),
              "evolution + crossover 0.5": RegularizedEvolution(10, 3, crossover=0.5)}
runs = compare(strategies, ev, budget=200, seeds=range(100))
comparison_dashboard(runs, baseline="random", budget=100)

# %%
final = runs[runs["step"] == 100].pivot(index="seed", columns="strategy", values="val_regret")
wins = int((final["random"] < final["evolution (P=10, S=3)"]).sum())
print(f"at 100 evaluations, random search chose a better cell than evolution on {wins} of {len(final)} seeds")

# %% [markdown]
# > **Common pitfall:** comparing strategies on one seed. As the count shows, the strategy with the higher mean
# > regret wins some single draws. Compare means over many seeds, with confidence intervals.
#
# ## 9. Aging vs non-aging: the architecture that was lucky once
#
# Every evaluation on the benchmark draws **one** of 3 training seeds, as a real search trains each child once.
# Near the top of the benchmark the seed-to-seed noise is as large as the gaps between the best cells:

# %%
top = np.argsort(-truth)[:20]
noise = np.median(bench.val[top, :, -1].std(axis=1, ddof=1))
gaps = truth[top].max() - truth[top].min()
print(f"the 20 best cells: median seed-to-seed std {noise:.4f}; their mean accuracies span {gaps:.4f}")
assert noise >= gaps / 2   # noise as large as the gaps

# %% [markdown]
# Non-aging evolution removes the **worst** member. A cell that got one lucky evaluation keeps that score, so it
# never leaves and wins tournament after tournament; its children, scored honestly, mostly fall below the inflated
# members and die at once. With aging every member leaves after $P$ cycles: a region survives only if its
# **children** keep scoring well. Real et al. call this a regularization: the population cannot overfit the noise.
#
# Below, seed 0 of each: where the recorded median runs above the dashed line, the population believes it is
# better than it is. Then 100 runs of each: the share of the last 100 children that entered the population, and
# the **luck** of the final members: recorded accuracy minus mean accuracy over the 3 seeds.

# %%
BUDGET, SEEDS = 200, 100


def populations(aging, seed):
    """The population (a list of (arch, recorded accuracy)) after each evaluation of one search."""
    evo = RegularizedEvolution(10, 3, aging=aging)
    trace = Trace(evo, lambda s: list(s.population))
    nt.run_search(evo, ev, budget=BUDGET, seed=seed, progress=False, callback=trace)
    return trace


fig, axes = plt.subplots(1, 2, figsize=(13, 5), sharey=True, layout="constrained")
for ax, aging in zip(axes, (True, False)):
    plots.population_plot(population_frame(populations(aging, seed=0)), ax=ax, benchmark=bench)
    ax.set(title=f"{'aging' if aging else 'non-aging'}, seed 0, zoomed on the top", ylim=(truth.max() - 0.02, 1))

# %%
def study(aging, seed):
    pops = [members for _, members in populations(aging, seed).records]
    recorded = np.array([acc for _, acc in pops[-1]])
    luck = recorded - truth[[bench.index(a) for a, _ in pops[-1]]]     # recorded minus mean over the seeds
    return {"children that entered (last 100)": np.mean([a != b for a, b in zip(pops[-101:], pops[-100:])]),
            "members' luck (pp)": 100 * luck.mean(), "best member's luck (pp)": 100 * luck[recorded.argmax()]}


means = pd.DataFrame({name: pd.DataFrame([study(aging, s) for s in range(SEEDS)]).mean()
                      for name, aging in (("aging", True), ("non-aging", False))})
assert means.loc["children that entered (last 100)", "aging"] == 1      # what the text below says
assert means.loc["members' luck (pp)", "non-aging"] > means.loc["members' luck (pp)", "aging"]
means.round(3)

# %% [markdown]
# Read the table (means over the 100 runs, final population after 200 evaluations): with aging every child joins;
# without aging, what share of the last 100 children displaced someone, and how far do the members' recorded
# scores overstate their real accuracy? The search keeps its answer in its history, so a stuck population loses
# not what it found but the ability to keep **looking**: hence p1's answer at this budget.

# %% [markdown]
# > **Common pitfall:** forgetting that evaluations are noisy. One training run's score is a sample, not the
# > architecture's accuracy: report the chosen architecture's mean over seeds, not its best *recorded* score.
#
# ## 10. Population size $P$ and sample size $S$
#
# $S/P$ is the selection pressure; $P$ also sets how long a member lives and how varied the population can be.
# Each setting below runs on 100 seeds with a budget of 200:
#
# - **$S = P$** is greedy. Without aging the greedy parent is the *luckiest* member, forever.
# - **A small population** ($P = 2$) is nearly a single lineage that explores one neighbourhood at a time. A large
#   one is diverse, but spends its first $P$ evaluations on a random start. Which balance wins is for the runs to say.
#
# **Predict, then run (p2).** $S = 1$ has no selection: the parent is any of the last $P$ children. Against
# random search, is it **(a)** significantly better, **(b)** not significantly different, or **(c)**
# significantly worse?

# %%
p2.check(____)   # your prediction: a, b or c
# p2.hint()

# %%
SWEEP_SEEDS, SWEEP_BUDGET = 100, 200
settings = {"random": nt.RandomSearch(), "P=10, S=3": RegularizedEvolution(10, 3),
            "P=10, S=1": RegularizedEvolution(10, 1), "P=10, S=10": RegularizedEvolution(10, 10),
            "P=10, S=10, non-aging": RegularizedEvolution(10, 10, aging=False),
            "P=2, S=2": RegularizedEvolution(2, 2), "P=50, S=3": RegularizedEvolution(50, 3)}
comparison_dashboard(compare(settings, ev, budget=SWEEP_BUDGET, seeds=range(SWEEP_SEEDS)), budget=SWEEP_BUDGET)

# %% [markdown]
# > **Common pitfall:** a population too small. The search keeps mutating a few related cells (premature
# > convergence): wherever an early lineage happens to be decides where it goes.
#
# ## Recap
#
# - **Regularized evolution**: $P$ random cells to start; **tournament selection** ($p_P = S/P$); a **mutation**
#   (one edge) or a **crossover**; the child joins and the **oldest** member dies. Its answer is the best
#   architecture ever evaluated.
# - $S/P$ sets the selection pressure: $S = 1$ is a random walk, $S = P$ a greedy hill climber; too small a
#   population converges prematurely.
# - Compare strategies over many seeds, with confidence intervals, never on one seed.
# - Evaluations are **noisy**: without aging, members that were lucky once survive and freeze the population;
#   aging makes every region prove itself again.
#
# **Next:** lesson 06 replaces the population by a **policy**, a probability distribution over architectures
# that REINFORCE learns from the rewards: $\theta \leftarrow \theta + \alpha \nabla_\theta \mathbb{E}[R]$.
#
# [← Previous: 04 · Random search](04_random_search.ipynb) ·
# [Next: 06 · Reinforcement learning →](06_reinforcement_learning.ipynb)
