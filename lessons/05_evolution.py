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
# **population** of good architectures and makes new candidates by changing them a little. The course's
# source text puts it in one sentence: a population of architectures is evolved over generations with
# mutation and crossover, and the best-performing ones are selected for the next generation.
#
# This lesson takes one precise version of that idea, **regularized evolution** (Real et al., 2019, the
# algorithm behind AmoebaNet), reads its code in nastutor, builds it yourself from its parts, and measures
# it on the cell benchmark against random search, over many seeds.
#
# **You will:**
# 1. know the parts of an evolutionary search: a random **initial population**, **tournament selection**
#    (sample $S$ members, keep the best), **mutation** (one edge of the cell changed), **crossover**, and
#    the **aging** step (the oldest member dies) versus non-aging (the worst dies);
# 2. compute the chance that each member wins a tournament, and see how the **population size $P$** and the
#    **sample size $S$** trade exploration for exploitation;
# 3. write tournament selection, the aging step, and then the whole strategy as an ask/tell class;
# 4. watch the population change over a search, and the search's path on the landscape;
# 5. compare evolution with random search over 100 seeds, with confidence intervals;
# 6. measure why non-aging evolution gets stuck on architectures that were **lucky once**: the benchmark's
#    evaluations are noisy.

# %%
import inspect
from collections import deque

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from tqdm.auto import tqdm

import nastutor as nt
from nastutor import plots
from nastutor.compare import compare, summarize
from nastutor.interactive import search_dashboard
from nastutor.strategies import RegularizedEvolution
from nastutor.tracing import Trace, population_frame
from nastutor.exercises.lesson05 import *

ev = nt.TabularEvaluator("cell-mnist1d")     # lookups in the cell benchmark (lesson 03)
bench, space = ev.benchmark, ev.space
truth = bench.truth().to_numpy()     # ground truth per benchmark row: mean of 3 seeds, full training
print(bench)
print(f"{space.size} cells, {len(bench)} distinct functions; the best has mean validation accuracy {truth.max():.4f}")
assert space.size == 4096 and len(bench.seeds) == 3, bench     # the text quotes these


def show_source(obj):
    display(Markdown(f"```python\n{inspect.getsource(obj)}\n```"))


def row_of(arch):
    return bench.index(arch)                 # the benchmark row of a cell (its canonical form)


# %% [markdown]
# ## 1. The idea: a population that improves
#
# An evolutionary search keeps a set of architectures it has already evaluated, the **population**, and
# repeats a **cycle**:
#
# 1. **select** a parent from the population, preferring good ones;
# 2. **vary** it: a **mutation** changes one decision of the parent; a **crossover** mixes the decisions of
#    two parents;
# 3. **evaluate** the child (train it, or look it up);
# 4. **replace**: the child joins the population and some member leaves, so the population keeps its size.
#
# Classic genetic algorithms run in **generations**: a whole new population at a time. Regularized
# evolution is *steady-state*: one child per cycle, which fits the ask/tell loop of lesson 04 exactly
# (`ask` = select and vary, `tell` = replace). Its two specific choices are:
#
# - **tournament selection**: draw $S$ members of the population at random, and the best of those $S$ is
#   the parent;
# - **aging**: the member that leaves is the **oldest** one, whatever its accuracy. The classic choice,
#   removing the **worst**, is what we will call non-aging.
#
# The population starts as $P$ random architectures, and the search's answer is the best architecture it
# ever evaluated (the incumbent of its `History`), not the best member of the final population.
#
# ### How strongly does a tournament select?
#
# Rank the $P$ members by accuracy, $r = 1$ for the worst and $r = P$ for the best (no ties). The member of
# rank $r$ wins a tournament of $S$ distinct members exactly when it is drawn and the $S - 1$ others drawn
# are all worse than it, so
#
# $$
# p_r = \frac{\binom{r-1}{S-1}}{\binom{P}{S}}, \qquad p_P = \frac{S}{P}.
# $$
#
# > **Math breakdown:**
# > - $\binom{P}{S}$: the number of equally likely samples of $S$ distinct members out of $P$.
# > - $\binom{r-1}{S-1}$: the samples that contain member $r$ and $S - 1$ of the $r - 1$ members worse than it.
# > - $S = 1$: $p_r = 1/P$ for everyone: no selection at all. With aging, the parent is a random member,
# >   and the population drifts like a random walk through the space (**exploration**).
# > - $S = P$: $p_P = 1$: the best member is always the parent, a greedy hill climber (**exploitation**).
# > - In between, $p_P = S/P$: the best member is the parent of about a fraction $S/P$ of the children; the
# >   ratio $S/P$, not $S$ alone, sets the selection pressure. $P$ also sets how long a member lives with aging:
# >   exactly $P$ cycles.
#
# NAS-Bench-201's reference runs of regularized evolution use $P = 10$ and $S = 3$; so do nastutor's defaults.

# %% [markdown]
# ## 2. Regularized evolution in nastutor
#
# Here is the whole strategy (`nastutor/strategies/evolution.py`). Read it with the cycle above in mind:
#
# - `setup`: a fresh search; the population is a `deque` (a double-ended queue) of `(arch, val_accuracy)`
#   pairs, **oldest first**;
# - `ask`: the first $P$ asks return random cells (the initial population); after that, `tournament()`
#   draws $S$ distinct members and returns the best one's architecture, which `space.mutate` changes;
#   with `crossover` > 0, that share of children first mixes two tournament winners with `space.crossover`;
# - `tell`: the child joins at the right end; when there are more than $P$ members, `popleft()` removes the
#   oldest (aging), or, with `aging=False`, the member with the lowest accuracy is removed.

# %%
show_source(RegularizedEvolution)
assert (RegularizedEvolution().population_size, RegularizedEvolution().sample_size) == (10, 3)   # the defaults

# %% [markdown]
# ## 3. Variation: mutation and crossover
#
# In the cell space a **mutation** changes the operation on **one edge** to one of the 3 other operations:
# every cell has $6 \times 3 = 18$ neighbours (lesson 02), and `space.mutate` picks one of them uniformly:

# %%
show_source(nt.SearchSpace.mutate)
show_source(nt.CellSpace.neighbors)

# %%
rng = np.random.default_rng(1)
parent = space.sample(rng)
edge_names = [name for name, _ in space.decisions]
assert len(edge_names) == 6 and all(len(options) - 1 == 3 for _, options in space.decisions)   # 3 other operations
print(f"parent: {space.to_string(parent)}   mean val accuracy {truth[row_of(parent)]:.4f}")
for _ in range(5):
    child = space.mutate(parent, rng)
    (e,) = [k for k in range(6) if child[k] != parent[k]]
    same_function = space.canonical(child) == space.canonical(parent)
    print(f"child:  {space.to_string(child)}   {edge_names[e]}: {parent[e]} -> {child[e]}"
          f"{'   (computes the same function)' if same_function else ''}   "
          f"mean val accuracy {truth[row_of(child)]:.4f}")

# %% [markdown]
# Some mutations change nothing that matters: an edge whose output is never used, or a change that
# leaves a cell equivalent to its parent (lesson 02's isomorphic duplicates). The child then computes the same
# function as its parent, and evaluating it is just **another noisy evaluation** of the parent. How common
# is that? Count it over every cell and every one of its 18 neighbours:

# %%
assert {len(space.neighbors(a)) for a in space.enumerate()} == {18}     # every cell, 18 neighbours
neutral = np.mean([space.canonical(m) == space.canonical(a) for a in space.enumerate() for m in space.neighbors(a)])
print(f"{neutral:.1%} of all one-edge mutations give a cell that computes the same function as its parent")

# %% [markdown]
# **Crossover** makes a child from two parents. `CellSpace.crossover` is *uniform*: each edge takes its
# operation from one parent or the other with equal chance. In `RegularizedEvolution(crossover=0.5)`, half
# of the children are a crossover of two tournament winners, then mutated. Real et al. used mutation only;
# section 8 includes crossover in the comparison, so you can see whether it helps here.

# %%
rng = np.random.default_rng(3)
mother, father = space.sample(rng), space.sample(rng)
kid = space.crossover(mother, father, rng)
pd.DataFrame({"mother": mother, "father": father, "child": kid,
              "child's edge from": ["both" if m == f else "mother" if k == m else "father"
                                    for m, f, k in zip(mother, father, kid)]}, index=edge_names)


# %% [markdown]
# ## 4. Tournament selection
#
# ### Try it yourself 1
#
# Write `tournament(population, sample_size, rng)`: `population` is a sequence (a list or a `deque`) of
# `(arch, accuracy)` pairs, `sample_size` is $S$, and `rng` a `numpy.random.Generator`. Draw $S$
# **distinct** members uniformly at random using `rng`, and return the **architecture** of the one with the
# highest accuracy. Leave the population unchanged: the winner stays in it.
#
# The checker calls your function thousands of times: with $S = P$ it must always return the best, with
# $S = 1$ every member must win equally often, in between the winners' ranks must follow $p_r$ above, and
# two generators made from the same seed must give the same winners.

# %%
def tournament(population, sample_size, rng):
    ____  # your code here


q1.check()

# %%
# q1.hint()
# q1.solution()

# %% [markdown]
# The formula $p_r$ against nastutor's own tournament: below, a population of 10 members with distinct
# accuracies, and 20,000 tournaments per sample size drawn by `RegularizedEvolution.tournament`.

# %%
from math import comb

P_DEMO, DRAWS = 10, 20_000
demo_pop = [(space.sample(np.random.default_rng(k)), 0.90 + 0.01 * k) for k in range(P_DEMO)]  # rank k+1
fig, ax = plt.subplots(figsize=(9, 4))
width = 0.16
for j, S in enumerate([1, 2, 3, 5, 10]):
    evo = RegularizedEvolution(population_size=P_DEMO, sample_size=S)
    evo.setup(space, seed=S)
    evo.population = deque(demo_pop)
    winners = [evo.tournament() for _ in range(DRAWS)]
    rank = {arch: k for k, (arch, _) in enumerate(demo_pop)}
    share = np.bincount([rank[w] for w in winners], minlength=P_DEMO) / DRAWS
    formula = [comb(r - 1, S - 1) / comb(P_DEMO, S) for r in range(1, P_DEMO + 1)]
    x = np.arange(1, P_DEMO + 1) + (j - 2) * width
    bars = ax.bar(x, share, width, label=f"S = {S}: nastutor, {DRAWS:,} tournaments")
    ax.plot(x, formula, "_", color="k", ms=9, mew=2)
ax.plot([], [], "_", color="k", ms=9, mew=2, label="formula $p_r$")
ax.set(xticks=range(1, P_DEMO + 1), xlabel="rank of the member (1 = worst, 10 = best)",
       ylabel="probability of being the parent", title=f"Who wins a tournament? P = {P_DEMO}")
ax.legend(fontsize=8)
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
#
# The checker does not expect the very same architectures as nastutor's class (that would depend on the
# exact order of every random draw); it checks the behaviour, step by step, on the benchmark: the population
# keeps its size and holds the right members oldest first (aging removes the oldest; `aging=False` the worst),
# the first $P$ proposals are random, every later child is one mutation away from a member of the population,
# with $S = P$ from the best member, with $S = 1$ not always from the best, and the same seed gives the same search.

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
# Once your class passes, this cell runs it against nastutor's `RegularizedEvolution` on 50 seeds: the
# two should be indistinguishable up to chance: similar mean regret (in percentage points), and a large
# p-value for "yours has lower regret than nastutor's".

# %%
if q3.check().correct:
    mine = compare({"nastutor": RegularizedEvolution(), "yours": MyEvolution()}, ev, budget=150, seeds=range(50))
    table = summarize(mine, budget=150, baseline="nastutor").set_index("strategy")
    table[["val_regret", "val_regret_ci"]] *= 100                       # percentage points
    display(table[["val_regret", "val_regret_ci", "val_regret_p", "runs"]].round(3))
else:
    print("Finish Try it yourself 3 first; then run this cell again.")

# %% [markdown]
# ## 7. Watching one search
#
# A `Trace` (`nastutor/tracing.py`) is a `run_search` callback: after every evaluation it records what
# `read(strategy)` returns, here a copy of the population. `population_frame` turns the records into a
# table: one row per member and step, with its age rank (0 = oldest).

# %%
evo = RegularizedEvolution(population_size=10, sample_size=3)
trace = Trace(evo, lambda s: list(s.population))
history = nt.run_search(evo, ev, budget=200, seed=0, callback=trace)
population = population_frame(trace)
print(history)
at = population[population["step"] == 15].copy()
at["mean val accuracy (3 seeds)"] = [truth[row_of(space.parse(a))] for a in at["arch"]]
print("the population after 15 evaluations, oldest first:")
at.round(4)

# %% [markdown]
# The first few cycles after the random start, reconstructed from the trace: each child, the members of the
# population it is one mutation away from (its possible parents: usually one), the edge that changed, and
# the member that died to make room.

# %%
rows = []
for i in range(10, 18):                                   # evaluations 11 to 18 (0-based index i)
    child, before, after = history.evaluations[i], trace.records[i - 1][1], trace.records[i][1]
    parents = [(a, acc) for a, acc in before if sum(x != y for x, y in zip(a, child.arch)) == 1]
    changed = sorted({edge_names[k] + f": {a[k]} -> {child.arch[k]}" for a, _ in parents
                      for k in range(6) if a[k] != child.arch[k]})
    died = [m for m in before if all(m is not n for n in after)]
    rows.append({"evaluation": i + 1, "child": space.to_string(child.arch), "child val": child.val_accuracy,
                 "possible parents' val": ", ".join(f"{acc:.3f}" for _, acc in parents),
                 "edge changed": "; ".join(changed),
                 "died (its val)": ", ".join(f"{acc:.3f}" for _, acc in died)})
pd.DataFrame(rows).set_index("evaluation")

# %%
one_step = np.mean([any(sum(x != y for x, y in zip(a, history.evaluations[i].arch)) == 1
                        for a, _ in trace.records[i - 1][1]) for i in range(10, len(history))])
print(f"children after the first P = 10 that are one mutation from a member of the population: {one_step:.0%}")
plots.population_plot(population)

# %% [markdown]
# In the plot every dot is a member's **recorded** validation accuracy (one noisy training seed) at each step.
# With aging, every member dies after $P = 10$ cycles, so the cloud is always the ten most recent children;
# the population stays good only if the children keep being good.
#
# ### The path on the landscape
#
# `plots.landscape` draws all 4096 cells on a 64 × 64 grid (lesson 02): the **column** is set by the three
# edges into the output node, the **row** by the three edges into nodes 1 and 2, each in Gray-code order. A
# mutation changes one edge, so it moves the child along **one row or one column** of its parent (not always to
# an adjacent square: changing one edge can jump along the row). Random search scatters its points; evolution's
# points cluster along the rows and columns of good regions. (The red line joins the successive
# incumbents, which need not be parent and child.)

# %%
xy = {a: p for a, p in zip(plots.layout(space)[0], plots.layout(space)[1])}
assert len(xy) == space.size == 4096 and (np.array(list(xy.values())).max(axis=0) + 1 == 64).all()   # a 64 x 64 grid
same_line = np.mean([any((xy[a] == xy[history.evaluations[i].arch]).any() for a, _ in trace.records[i - 1][1])
                     for i in range(10, len(history))])
print(f"children after the first 10 in the same row or column as a member of the population: {same_line:.0%}")
plots.landscape(bench, history, title="Regularized evolution (P = 10, S = 3), 200 evaluations, seed 0")

# %%
plots.landscape(bench, nt.run_search(nt.RandomSearch(), ev, budget=200, seed=0, progress=False),
                title="Random search, 200 evaluations, seed 0")

# %% [markdown]
# ### Explore: the search dashboard
#
# The dashboard runs the search on the benchmark whenever you move a control: the strategy, its
# population size $P$ and sample size $S$ (at most $P$), aging on or off, the seed, and the budget (a shorter
# budget shows the first evaluations of the same search). Left: the landscape with the visited cells and the
# incumbent's path; right: each evaluation's validation accuracy against simulated training time. Try
# $S = 1$ against $S = P$, switch aging off, and compare with random search on the same seed.

# %%
search_dashboard("cell-mnist1d", strategy="evolution", budget=100, max_budget=500,
                 strategies=["evolution", "random"])

# %% [markdown]
# ## 8. Evolution vs random search, over 100 seeds
#
# One search is one draw of a random process. To compare strategies, run each on many seeds and compare the
# distributions (lesson 07 turns this into a protocol). `compare` runs every strategy on 100 seeds, on
# the benchmark (lookups, not training), and records after every evaluation the **regret** of the
# incumbent (lesson 04): the gap between the best mean validation accuracy in the benchmark and the mean
# validation accuracy of the architecture the search would choose.

# %%
strategies = {"random": nt.RandomSearch(),
              "evolution (P=10, S=3)": RegularizedEvolution(10, 3),
              "evolution, non-aging": RegularizedEvolution(10, 3, aging=False),
              "evolution + crossover 0.5": RegularizedEvolution(10, 3, crossover=0.5)}
runs = compare(strategies, ev, budget=200, seeds=range(100))
plots.regret_curves(runs, confidence=0.95)

# %% [markdown]
# The bands are 95% confidence intervals of the **mean** regret over the 100 seeds, not the spread of single
# searches. The table gives the mean validation regret at budgets 50, 100 and 200, the half-width of its
# 95% confidence interval, and the one-sided rank-sum p-value of "lower regret than random search"; the test
# regret (reported on data the search never saw) is beside it. Regrets are in percentage points.

# %%
table = pd.concat([summarize(runs, budget=b, baseline="random", confidence=0.95) for b in (50, 100, 200)])
table = table.set_index(["budget", "strategy"])
for col in ("val_regret", "val_regret_ci", "test_regret", "test_regret_ci"):
    table[col] = 100 * table[col]
table[["val_regret", "val_regret_ci", "val_regret_p", "test_regret", "test_regret_ci", "runs"]].round(3)

# %%
final = runs[runs["step"] == 100].pivot(index="seed", columns="strategy", values="val_regret")
evo_col = "evolution (P=10, S=3)"
wins = int((final["random"] < final[evo_col]).sum())
ties = int((final["random"] == final[evo_col]).sum())
print(f"at 100 evaluations: random search has the lower regret on {wins} of {len(final)} seeds, the same on {ties}, "
      f"evolution on {len(final) - wins - ties}")
print(f"mean regret: random {100 * final['random'].mean():.3f} pp, evolution {100 * final[evo_col].mean():.3f} pp")
print(f"a comparison on one seed would have crowned random search with probability {wins / len(final):.0%}")

# %% [markdown]
# > **Common pitfall:** comparing strategies on one seed. Look at the count above: a single seed is one draw
# > from these distributions, and the strategy with the higher mean regret wins some of those draws. A single
# > run, or a handful, says little about which strategy is better; compare means over many seeds with
# > confidence intervals, and a rank test.
#
# ## 9. Aging vs non-aging: the architecture that was lucky once
#
# Every evaluation on the benchmark draws **one** of 3 training seeds, as a real search trains each child
# once. The same cell scores differently from seed to seed, and near the top of the benchmark that noise is
# as large as the gaps between the best cells:

# %%
final_val = bench.val[:, :, -1]                          # rows x 3 seeds
seed_std = final_val.std(axis=1, ddof=1)
top = np.argsort(-truth)[:20]
print(f"standard deviation of one cell's final validation accuracy across the 3 seeds: median {np.median(seed_std):.4f}, "
      f"over the 20 best cells {np.median(seed_std[top]):.4f}")
print(f"the 20 best cells' mean accuracies span {truth[top].min():.4f} to {truth[top].max():.4f} "
      f"(a range of {truth[top].max() - truth[top].min():.4f})")
assert np.median(seed_std[top]) >= (truth[top].max() - truth[top].min()) / 2   # noise as large as the gaps
lucky = top[np.argmax(final_val[top].max(axis=1) - truth[top])]
print(f"e.g. {space.to_string(bench.archs[lucky])}: seeds give {', '.join(f'{v:.3f}' for v in final_val[lucky])} "
      f"(mean {truth[lucky]:.4f})")

# %% [markdown]
# Non-aging evolution removes the **worst** member. A cell that got one lucky evaluation carries that
# score for as long as it stays in the population, and nothing ever re-evaluates it, so it is never the
# worst and never leaves. It wins tournament after tournament; its children, scored honestly, mostly fall
# below the inflated members and die at once. The population fills with lucky survivors and stops changing.
#
# With aging every member leaves after $P$ cycles, however good its score was. A good region survives only if
# its **children** keep scoring well, i.e. if it is good on many evaluations, not on one. Real et al. call
# this a regularization: the population cannot overfit the noise of single evaluations.
#
# We measure it. The cell below runs 100 seeds of each, with a `Trace`, and records for every run: how old
# the members are (in evaluations), how many children enter the population in the last 100 evaluations, and
# the **luck** of the members: their recorded accuracy minus their mean accuracy over the 3 seeds.

# %%
BUDGET, SEEDS = 200, 100


def population_study(aging):
    oldest_age = np.zeros((SEEDS, BUDGET))
    stats, examples = [], []
    for seed in tqdm(range(SEEDS), desc="aging" if aging else "non-aging", unit="search"):
        evo = RegularizedEvolution(10, 3, aging=aging)
        trace = Trace(evo, lambda s: list(s.population))
        history = nt.run_search(evo, ev, budget=BUDGET, seed=seed, progress=False, callback=trace)
        born, entered = {}, []
        for step, members in trace.records:             # members are the very pair objects, so id() tracks them
            entered.append(any(id(m) not in born for m in members))
            for m in members:
                born.setdefault(id(m), step)
            oldest_age[seed, step - 1] = step - min(born[id(m)] for m in members)
        members = trace.records[-1][1]
        luck = np.array([acc - truth[row_of(a)] for a, acc in members])
        best = max(members, key=lambda m: m[1])
        chosen = history.best
        stats.append({
            "mean age of members": np.mean([BUDGET - born[id(m)] for m in members]),
            "age of the oldest member": oldest_age[seed, -1],
            "children that entered (last 100)": np.mean(entered[-100:]),
            "members' luck (pp)": 100 * luck.mean(),
            "best member's luck (pp)": 100 * (best[1] - truth[row_of(best[0])]),
            "best member's age": BUDGET - born[id(best)],
            "best member recorded above its mean": best[1] > truth[row_of(best[0])],
            "distinct functions in the population": len({space.canonical(a) for a, _ in members}),
            "chosen cell recorded above its mean": chosen.val_accuracy > truth[row_of(chosen.arch)],
            "val regret of the chosen cell (pp)": 100 * bench.regret(chosen.arch)})
        examples.append((trace, history))
    return pd.DataFrame(stats), oldest_age, examples


study = {}
for aging in (True, False):
    study["aging" if aging else "non-aging"] = population_study(aging)
means = pd.DataFrame({name: frame.mean() for name, (frame, _, _) in study.items()})
# what the text says about this table: aging members die young and every child joins; without aging
# few children get in, and the members' recorded accuracies overstate their mean accuracy
assert means.loc["age of the oldest member", "aging"] == 9 and means.loc["children that entered (last 100)", "aging"] == 1
assert means.loc["children that entered (last 100)", "non-aging"] < 0.5
assert means.loc["members' luck (pp)", "non-aging"] > means.loc["members' luck (pp)", "aging"]
means.round(3)

# %% [markdown]
# Read the table row by row (means over the 100 runs, final population after 200 evaluations):
#
# - **age**: with aging no member is older than $P - 1$ cycles; without aging, compare how old the
#   members and the oldest member are;
# - **children that entered**: with aging every child joins; without aging, what share of the last 100
#   children was good enough to displace someone?
# - **luck**: a positive number means the population's recorded accuracies overstate its members' real
#   (mean over seeds) accuracy: the survivors were selected *for* their lucky evaluation;
# - **best member**: the tournament's favourite parent; how lucky, and how old is it?
# - **distinct functions**: how varied is the final population?
# - the last two rows concern the **search's answer** (the best evaluation ever seen, kept in the history,
#   not in the population). How often is its recorded score above its mean, with and without aging? That is
#   the winner's curse of lesson 04, and it hits every strategy that chooses on single evaluations: judge the
#   answer by its mean accuracy, i.e. its regret.

# %%
fig, axes = plt.subplots(1, 3, figsize=(16, 4.2))
steps = np.arange(1, BUDGET + 1)
for name, (_, oldest_age, _) in study.items():
    axes[0].plot(steps, oldest_age.mean(axis=0), lw=2, label=f"{name}: mean over {SEEDS} runs")
    axes[0].fill_between(steps, np.percentile(oldest_age, 10, axis=0), np.percentile(oldest_age, 90, axis=0),
                         alpha=0.2, label=f"{name}: 10% to 90% of runs")
axes[0].set(xlabel="evaluations", ylabel="age of the oldest member (evaluations)",
            title="Turnover: how long members survive")
axes[0].legend(fontsize=8)
frames = {name: population_frame(study[name][2][0][0]) for name in study}      # seed 0 of each
low = min(f[f["step"] > 30].groupby("step")["val_accuracy"].median().min() for f in frames.values()) - 0.01
for ax, name in zip(axes[1:], study):
    frame = frames[name]
    plots.population_plot(frame, ax=ax)
    frame["mean"] = [truth[row_of(space.parse(a))] for a in frame["arch"]]
    real = frame.groupby("step")["mean"].median()
    ax.plot(real.index, real.values, "k--", lw=1.5, label="median of the members' mean accuracy")
    ax.legend(frameon=False, loc="lower right", fontsize=8)
    ax.set_ylim(low, min(1.0, frame["val_accuracy"].max() + 0.003))        # zoom on the top
    ax.set_title(f"{name}, seed 0: recorded vs mean accuracy (zoomed)")
fig.tight_layout()
plt.show()

# %% [markdown]
# The middle and right panels show one run each: the coloured lines use the members' **recorded** scores, the
# dashed line the same members' **mean** accuracy over the 3 seeds. Where the orange median runs above the
# dashed line, the population believes it is better than it is.
#
# Here is the oldest survivor of the non-aging runs:

# %%
frame_na, _, examples_na = study["non-aging"]
seed = int(frame_na["age of the oldest member"].idxmax())
trace, _ = examples_na[seed]
born = {}
for step, members in trace.records:
    for m in members:
        born.setdefault(id(m), step)
member = min(trace.records[-1][1], key=lambda m: born[id(m)])      # the oldest member of the final population
arch, recorded = member
print(f"seed {seed}: {space.to_string(arch)} entered the population at evaluation {born[id(member)]} "
      f"and is still there after {BUDGET}")
print(f"  its one evaluation: {recorded:.3f}; its 3 training seeds: "
      f"{', '.join(f'{v:.3f}' for v in final_val[row_of(arch)])} (mean {truth[row_of(arch)]:.4f})")

# %% [markdown]
# Does it matter for the search's answer? The search keeps its best evaluation in the history, so a stuck
# population does not lose what was already found; what it loses is the ability to keep **looking**. Whether
# that costs regret depends on the benchmark and the budget; here are the 100 runs of section 8, with a
# two-sided rank test:

# %%
from scipy import stats

at200 = runs[runs["step"] == 200]
a = at200[at200["strategy"] == "evolution (P=10, S=3)"]["val_regret"]
n = at200[at200["strategy"] == "evolution, non-aging"]["val_regret"]
p = stats.mannwhitneyu(a, n, alternative="two-sided").pvalue
print(f"after 200 evaluations: aging {100 * a.mean():.3f} pp, non-aging {100 * n.mean():.3f} pp mean validation regret; "
      f"two-sided rank-sum p = {p:.2f}")
print("a clear difference at the 5% level" if p < 0.05 else
      "no clear difference at this budget: the answer is kept in the history, so the stuck population costs "
      "little here; the next section also looks at greedy selection, S = P, with and without aging")

# %% [markdown]
# > **Common pitfall:** forgetting that evaluations are noisy. A score from one training run is a sample, not
# > the architecture's accuracy. A strategy that keeps a lucky score forever (non-aging evolution, a cache of
# > first results) is fooled by it, and so is anyone who reports the search's best *recorded* score. Report the
# > chosen architecture's mean over seeds, and prefer strategies that re-test good regions.

# %% [markdown]
# ## 10. Population size $P$ and sample size $S$
#
# $S/P$ is the selection pressure; $P$ also sets the memory (how long a member lives with aging) and how
# varied the population can be. The cell below runs each setting on 100 seeds with a budget of 200
# evaluations and reports, as means over the runs:
#
# - the validation **regret** of the chosen cell (percentage points, with a 95% confidence interval);
# - the population's **diversity**: on how many of the 6 edges two members differ, averaged over all pairs and
#   over the second half of the search (two random cells differ on 4.5 edges on average);
# - the **distinct functions** among the last 100 evaluations: is the search still trying new cells, or
#   re-evaluating the same ones?

# %%
import itertools

SWEEP_SEEDS, SWEEP_BUDGET = 100, 200
settings = [("random", None, None, None)] + \
    [(f"P=10, S={S}, {'aging' if aging else 'non-aging'}", 10, S, aging) for S in (1, 3, 10) for aging in (True, False)] + \
    [(f"P={P}, S={min(3, P)}, aging", P, min(3, P), True) for P in (2, 5, 20, 50)]


def diversity(archs):
    return np.mean([sum(x != y for x, y in zip(a, b)) for a, b in itertools.combinations(archs, 2)])


rows, sweep_regrets = [], {}
for label, P, S, aging in tqdm(settings, desc="settings", unit="setting"):
    regrets, spread, late = [], [], []
    for seed in range(SWEEP_SEEDS):
        strategy = nt.RandomSearch() if P is None else RegularizedEvolution(P, S, aging=aging)
        trace = Trace(strategy, lambda s: [a for a, _ in s.population]) if P else None
        h = nt.run_search(strategy, ev, budget=SWEEP_BUDGET, seed=seed, progress=False, callback=trace)
        regrets.append(bench.regret(h.best_arch))
        late.append(len({row_of(e.arch) for e in h.evaluations[-100:]}))
        if trace:
            spread.append(np.mean([diversity(m) for _, m in trace.records[SWEEP_BUDGET // 2::10]]))
    regrets = 100 * np.array(regrets)
    sweep_regrets[label] = regrets
    rows.append({"setting": label, "val regret (pp)": regrets.mean(),
                 "± 95% CI": 1.96 * regrets.std(ddof=1) / np.sqrt(SWEEP_SEEDS),
                 "population diversity (edges)": np.mean(spread) if spread else np.nan,
                 "distinct functions in the last 100": np.mean(late)})
sweep = pd.DataFrame(rows).set_index("setting")
assert len(space.decisions) == 6 and sum(1 - 1 / len(options) for _, options in space.decisions) == 4.5  # random pairs
diversity_by_P = sweep.loc[[f"P={P}, S={min(3, P)}, aging" for P in (2, 5, 10, 20, 50)], "population diversity (edges)"]
assert diversity_by_P.is_monotonic_increasing, diversity_by_P      # small populations are narrow, large ones diverse
sweep.round(3)


# %%
def compare_rows(first, second):
    x, y = sweep.loc[first], sweep.loc[second]
    p = stats.mannwhitneyu(sweep_regrets[first], sweep_regrets[second], alternative="two-sided").pvalue
    print(f"{first:>22} vs {second:<22}: regret {x['val regret (pp)']:.3f} vs {y['val regret (pp)']:.3f} pp "
          f"(rank-sum p = {p:.3f}); "
          f"diversity {x['population diversity (edges)']:.2f} vs "
          f"{'-' if np.isnan(y['population diversity (edges)']) else format(y['population diversity (edges)'], '.2f')}; "
          f"new functions late {x['distinct functions in the last 100']:.0f} vs {y['distinct functions in the last 100']:.0f}")


compare_rows("P=10, S=1, aging", "random")
compare_rows("P=10, S=1, aging", "P=10, S=3, aging")
compare_rows("P=10, S=10, non-aging", "P=10, S=10, aging")
compare_rows("P=2, S=2, aging", "P=10, S=3, aging")
compare_rows("P=50, S=3, aging", "P=10, S=3, aging")

# %% [markdown]
# What to look for:
#
# - **$S = 1$ with aging** has no selection at all: the parent is any of the last $P$ children. Does it do
#   any better than random search?
# - **$S = P$** is greedy. Without aging the greedy parent is the *luckiest* member, forever: look at how few
#   new functions it still tries in the second half, and at its regret next to the aging version.
# - **A small population** ($P = 2$) is nearly a single lineage: its members differ on few edges, the search
#   explores one neighbourhood at a time. A large one ($P = 50$) is diverse, but spends its first 50
#   evaluations on a random start and selects weakly for the same $S$.
#
# > **Common pitfall:** a population too small. With few members, the search keeps mutating one or two closely
# > related cells (premature convergence): it explores one neighbourhood at a time, and wherever an early
# > lineage happens to be decides where it goes. Check the population's diversity and whether the search still
# > tries new architectures, not only its final score.
#
# ### Try settings yourself
#
# Move the sliders: each change runs evolution with your $P$, $S$ and aging on 50 seeds and draws its
# regret curve beside random search's, with 95% confidence bands, up to the budget you choose.

# %%
P_slider = widgets.IntSlider(10, min=2, max=50, description="population P", continuous_update=False)
S_slider = widgets.IntSlider(3, min=1, max=10, description="sample S", continuous_update=False)
widgets.dlink((P_slider, "value"), (S_slider, "max"))        # S may not exceed P
aging_box = widgets.Checkbox(True, description="aging (remove the oldest)")
budget_slider = widgets.IntSlider(150, min=20, max=300, step=10, description="budget", continuous_update=False)
baseline_runs = compare({"random": nt.RandomSearch()}, ev, budget=300, seeds=range(50))


def compare_settings(P, S, aging, budget):
    name = f"evolution P={P}, S={S}, {'aging' if aging else 'non-aging'}"
    mine = compare({name: RegularizedEvolution(P, S, aging=aging)}, ev, budget=budget, seeds=range(50))
    both = pd.concat([baseline_runs[baseline_runs["step"] <= budget], mine], ignore_index=True)
    fig, ax = plt.subplots(figsize=(8.5, 4.2))
    plots.regret_curves(both, ax=ax, confidence=0.95)
    ax.set_title(f"Mean regret over 50 seeds (95% band), budget {budget}")
    plt.show()
    s = summarize(both, budget=budget, baseline="random").set_index("strategy")
    print(f"at {budget} evaluations: random {100 * s.loc['random', 'val_regret']:.3f} pp, "
          f"{name} {100 * s.loc[name, 'val_regret']:.3f} ± {100 * s.loc[name, 'val_regret_ci']:.3f} pp "
          f"(one-sided p = {s.loc[name, 'val_regret_p']:.3g})")


widgets.interact(compare_settings, P=P_slider, S=S_slider, aging=aging_box, budget=budget_slider);

# %% [markdown]
# ## Recap
#
# - Evolutionary NAS keeps a **population** and repeats a cycle: select a parent, vary it (**mutation**:
#   one edge of the cell; **crossover**: edges mixed from two parents), evaluate the child, replace a member.
# - **Regularized evolution** (Real et al., 2019): $P$ random cells to start; **tournament selection** (draw
#   $S$ distinct members, the best is the parent, $p_P = S/P$); one mutation; the child joins and the
#   **oldest** member dies. Its answer is the best architecture ever evaluated.
# - $S/P$ sets the selection pressure: $S = 1$ is a random walk, $S = P$ a greedy hill climber; $P$ also sets
#   how long a member lives, and a population too small converges prematurely.
# - On the cell benchmark, over 100 seeds, evolution was compared with random search by mean regret with
#   confidence intervals, never on one seed.
# - Evaluations are **noisy**: without aging, members that were lucky once survive, dominate the tournaments
#   and freeze the population; aging makes every region prove itself again through its children.
#
# **Next:** lesson 06 replaces the population by a **policy**, a probability distribution over architectures
# that REINFORCE learns from the rewards: $\theta \leftarrow \theta + \alpha \nabla_\theta \mathbb{E}[R]$.
