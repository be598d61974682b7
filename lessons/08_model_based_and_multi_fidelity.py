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
# # 08 · Model-based and multi-fidelity search
#
# The strategies of lessons 04 to 06 learn little from each evaluation. Practitioners spend evaluations
# more wisely: they **climb** from good cells to their neighbours, **model** the landscape, and **stop
# bad trainings early**.
#
# **You will:**
# 1. climb the cell space's **neighbourhood graph**, count its **local optima** and their basins, and
#    see why local search **restarts** (you write the climbing step);
# 2. look at a **Gaussian-process surrogate**'s posterior over the whole landscape, and derive and
#    write **expected improvement**;
# 3. measure how well each epoch ranks the cells, and draw **successive halving**'s brackets and
#    **Hyperband**'s hedge (you compute a bracket's schedule);
# 4. find out why successive halving loses to random search here, and fix it;
# 5. compare them all, with Optuna's TPE, with **budgets in simulated seconds**.

# %%
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats
from tqdm.auto import tqdm

import nastutor as nt
from nastutor import plots
from nastutor.compare import compare, summarize
from nastutor.fidelity import rank_by_epoch
from nastutor.interactive import seconds_dashboard
from nastutor.local_optima import basins
from nastutor.exercises.lesson08 import *

ev = nt.TabularEvaluator("cell-mnist1d")     # lookups in the cell benchmark, charged in simulated seconds
bench, space = ev.benchmark, ev.space
FAST = nt.fast_mode()                         # the test suite runs this notebook with fewer seeds
# the facts this lesson's text quotes; if a rebuilt benchmark changes one, this cell says which
assert space.size == 4096 and len(bench) == 941 and bench.epochs == 12 and bench.config.schedule == "onecycle"
assert len(SEEDS) == 100 and SECONDS == (100, 200, 400) and nt.SuccessiveHalving().min_epochs == 1

# %% [markdown]
# ## 1. Local search: climbing the landscape
#
# Two cells are **neighbours** when they differ in the operation of exactly one edge. Each of the 6
# edges can take 3 other operations, so every cell has 18 neighbours, and the 4096 cells form a
# **neighbourhood graph**. **Hill climbing** moves to the best neighbour as long as it is strictly
# better, and stops on a **local optimum**:
#
# $$
# a \text{ is a local optimum} \iff f(a) \ge f(b) \text{ for every neighbour } b \in N(a).
# $$
#
# > **Math breakdown:**
# > - $f(a)$: the cell's fitness; here the ground truth, its mean validation accuracy over seeds.
# > - $N(a)$: the 18 cells one edge away. The **global** optimum is a local optimum too; most local
# >   optima are not global, and a climb that reaches one is stuck.
# > - The **basin** of a local optimum: the cells whose climb ends on it.

# %%
a = space.sample(np.random.default_rng(0))
assert len(space.neighbors(a)) == 18 == 6 * 3        # 6 edges, 3 other operations each
print(f"a cell: {space.to_string(a)}; it has {len(space.neighbors(a))} neighbours, for example:")
for b in space.neighbors(a)[:3]:
    print("   ", space.to_string(b))

# %% [markdown]
# ### Try it yourself 1
#
# Write `climb_step(fitness, neighbours, i)`, one step of **steepest-ascent** hill climbing: `fitness`
# is an array with every cell's fitness, `neighbours[i]` an array with the indices of cell `i`'s
# neighbours. Return the index of the best neighbour if it is strictly better than cell `i`, else `i`.
# The checker steps from every one of the 4096 cells of both cell benchmarks.

# %%
def climb_step(fitness, neighbours, i):
    ____  # your code here


q1.check()

# %%
# q1.hint()
# q1.solution()

# %% [markdown]
# `landscape()` holds the cell benchmark's landscape: `scape.fitness`, `scape.neighbours` and
# `scape.climb(i)`, which repeats the step until it stops. `basins(scape)` climbs from every cell and
# lists the local optima it ends on, best first, with each one's regret and basin size:

# %%
scape = landscape("cell-mnist1d")
table = basins(scape)
distinct = table["canonical"].nunique()
print(f"{len(table)} of the {len(scape)} cells are local optima ({distinct} distinct functions); "
      f"their regret: median {100 * table['regret'].median():.2f} pp, worst {100 * table['regret'].max():.1f} pp")
table.drop(columns="arch").head(8).assign(regret=lambda t: (100 * t["regret"]).round(2)).rename(
    columns={"regret": "regret (pp)"})

# %% [markdown]
# **Predict, then run (p1).** Start hill climbing from a cell chosen at random. How often does the climb
# end on the best cell of the space: **(a)** most of the time, **(b)** about half of the time, or **(c)**
# less than one climb in five?

# %%
p1.check(____)   # your prediction: a, b or c
# p1.hint()

# %%
share = climbs_to_optimum("cell-mnist1d")
close = table.loc[table["regret"] <= 0.005, "basin"].sum() / len(scape)
print(f"climbs that end on the best cell: {share:.1%}; within 0.5 pp of it: {close:.1%}")
print("at least one of k climbs reaches it:", ", ".join(f"k = {k}: {1 - (1 - share) ** k:.0%}" for k in (1, 10, 30)))
plots.local_optima(bench, table)

# %% [markdown]
# Most climbs stop close to the best cell, but few reach it. **Random restarts** fix that: $k$
# climbs all miss the optimum with probability $(1 - p)^k$. `nt.LocalSearch` (read it with
# `nt.LocalSearch??`) evaluates all 18 neighbours of the current cell, moves to the best, and restarts
# at a local optimum; White et al. (2021) found it hard to beat on NAS-Bench-201.
#
# > **Common pitfall:** with noisy evaluations, a climb stops at *apparent* optima: one lucky training
# > run makes a cell look better than all its neighbours. A real search sees one seed per evaluation.

# %% [markdown]
# ## 2. Bayesian optimisation: a model of the landscape
#
# **Bayesian optimisation** (BO) learns from *every* evaluation: it fits a **surrogate**, a cheap model
# of $f$, and evaluates next where the surrogate expects the most. `nt.BayesianOptimization` uses a
# **Gaussian process** (GP) over the cells' one-hot encodings, whose posterior gives every cell a
# normal distribution $f(a) \sim \mathcal N(\mu(a), \sigma(a)^2)$: $\mu$ is its best guess, $\sigma$
# how unsure it is. Which cell next? The one with the largest **expected improvement** (EI) over the
# best value seen so far, $f^*$:
#
# $$
# \mathrm{EI}(a) = \mathbb E\big[\max(f(a) - f^*, 0)\big] = (\mu - f^*)\,\Phi(z) + \sigma\,\varphi(z),
# \qquad z = \frac{\mu - f^*}{\sigma}.
# $$
#
# > **Math breakdown:**
# > - $\max(f - f^*, 0)$: the improvement, zero unless $a$ beats the incumbent.
# > - With $f = \mu + \sigma\varepsilon$, $\varepsilon \sim \mathcal N(0, 1)$, it improves when
# >   $\varepsilon > -z$: $\mathrm{EI} = \int_{-z}^{\infty} (\mu - f^* + \sigma\varepsilon)\,\varphi(\varepsilon)\,d\varepsilon$.
# > - The first part gives $(\mu - f^*)\,\Phi(z)$, as $\int_{-z}^\infty \varphi = \Phi(z)$; the second gives
# >   $\sigma\,\varphi(z)$, as $\int_{-z}^\infty \varepsilon\varphi(\varepsilon)\,d\varepsilon = \varphi(z)$
# >   ($\Phi$, $\varphi$: the standard normal's CDF and density).
# > - EI is large where $\mu$ is high (**exploitation**) *or* $\sigma$ is large (**exploration**). At
# >   $\sigma = 0$ the model is certain and EI is $\max(\mu - f^*, 0)$.

# %% [markdown]
# ### Try it yourself 2
#
# Write `expected_improvement(mu, sigma, best)` for arrays `mu` and `sigma` (one entry per candidate)
# and the incumbent's value `best`, with `stats.norm.cdf` and `stats.norm.pdf`. Mind $\sigma = 0$. The
# checker compares with the closed form, and with a Monte Carlo average of $\max(f - f^*, 0)$.

# %%
def expected_improvement(mu, sigma, best):
    ____  # your code here


q2.check()

# %%
# q2.hint()
# q2.solution()

# %% [markdown]
# Inside a real search (`plots.posterior_maps`, on lesson 02's map of all cells): the truth, and after
# $n$ evaluations the posterior mean, its uncertainty and EI. Where does EI send the search next (the
# red star)?

# %%
def show_posterior(evaluations=20):
    bo = nt.BayesianOptimization()
    nt.run_search(bo, ev, evaluations, seed=0, progress=False)
    return plots.posterior_maps(bench, bo)


widgets.interact(show_posterior, evaluations=widgets.SelectionSlider(
    options=[12, 20, 40, 80, 160], value=20, description="evaluations n", continuous_update=False));

# %% [markdown]
# How well does the posterior mean **rank** all 941 distinct cells, after $n$ evaluations of a search
# (Kendall's $\tau$ with the truth)?

# %%
truth = bench.truth().to_numpy()
sizes, searches = [12, 20, 40, 80, 160], 3 if FAST else 5
tau = np.zeros((searches, len(sizes)))
for seed in tqdm(range(searches), desc="BO searches"):
    bo = nt.BayesianOptimization()

    def measure(history):            # called after every evaluation: at the sizes, rank the cells
        if len(history) in sizes:
            tau[seed, sizes.index(len(history))] = stats.kendalltau(bo.posterior(bench.archs)[0], truth).statistic

    nt.run_search(bo, ev, max(sizes), seed=seed, progress=False, callback=measure)
print("Kendall tau of the posterior mean with the truth, mean over searches:",
      ", ".join(f"n = {n}: {t:.2f}" for n, t in zip(sizes, tau.mean(0))))
plots.curves(sizes, {"GP posterior mean vs truth": tau}, xscale="log", xlabel="evaluations n",
             ylabel="Kendall's tau over all cells", title=f"How well the surrogate ranks all cells ({searches} BO searches)")

# %% [markdown]
# The surrogate's ranking of the whole space improves slowly, yet BO searches well (section 5): it
# only needs the model to be right about where the *best* cells are. (It encodes each cell's canonical
# form, lesson 02, so that cells computing the same function look the same to the GP.)
#
# > **Common pitfall:** trusting the surrogate's $\sigma$ as if it were calibrated: it comes from a
# > kernel whose hyperparameters were fitted to a few noisy evaluations. EI is only as good as its model.

# %% [markdown]
# ## 3. Multi-fidelity: judging a cell before its training ends
#
# **Multi-fidelity** methods train many cells briefly and only the promising ones fully. That works
# only if a short training already *ranks* the cells. Lesson 03 measured it on this benchmark; here
# are both cell benchmarks (`rank_by_epoch`: one seed after $e$ epochs against the mean of the other
# seeds after all 12):

# %%
digits = nt.Benchmark.load("cell-digits")
by_epoch = {name: rank_by_epoch(b) for name, b in (("cell-mnist1d", bench), ("cell-digits", digits))}
for name, t in by_epoch.items():
    print(f"{name}: tau after 1, 2, 4 and 12 epochs: " + ", ".join(f"{t['kendall'][e - 1]:.2f}" for e in (1, 2, 4, 12)))
plots.curves(np.arange(1, bench.epochs + 1), {f"{name}: Kendall's tau": t["kendall"].to_numpy()
                                               for name, t in by_epoch.items()},
             hlines={"no correlation": 0}, xlabel="epochs trained", ylabel="rank correlation with full training",
             title="How well does epoch e rank the cells?")

# %% [markdown]
# After one epoch the ranking is almost random on both tasks: the low fidelities are the first epochs
# of the 12-epoch **one-cycle** schedule, whose learning rate is still warming up, and the networks
# have learned little yet. On `cell-digits` the early epochs rank worse, for longer.
#
# **Successive halving** (SH; Jamieson and Talwalkar, 2016) turns this into a search. A **bracket**
# starts $n$ random cells at a small number of epochs, keeps the best $1/\eta$, trains those $\eta$
# times longer, and so on, until a few survivors are trained fully. With $n = 27$, $\eta = 3$ and 12
# epochs: 27 cells at 1 epoch, 9 at 4, 3 at 12.
#
# > **Math breakdown:**
# > - Rung $k = 0, \dots, K$ keeps $n_k = \lfloor n / \eta^k \rfloor$ cells; $K$ is the largest number of
# >   divisions that both the cells ($\eta^K \le n$) and the epochs ($r_{\min}\,\eta^K \le R$) allow.
# > - The last rung trains to the full $R$ epochs, and each rung before it gets $\eta$ times fewer:
# >   $r_k = \max\!\big(r_{\min}, \operatorname{round}(R / \eta^{K-k})\big)$.
# > - Cost of a bracket: $\sum_k n_k r_k$ epochs (each rung trains its cells from scratch here, as a
# >   tabular benchmark charges), instead of $n R$ for training all $n$ fully.

# %% [markdown]
# ### Try it yourself 3
#
# Write `bracket_schedule(n, eta, min_epochs, max_epochs)`: the list of rungs of one bracket, each a
# pair `(cells, epochs)`, as in the Math breakdown; `bracket_schedule(27, 3, 1, 12)` is
# `[(27, 1), (9, 4), (3, 12)]`. The checker tries a dozen brackets.

# %%
def bracket_schedule(n, eta, min_epochs, max_epochs):
    ____  # your code here


q3.check()

# %%
# q3.hint()
# q3.solution()

# %% [markdown]
# The first bracket of a real SH search (`plots.bracket`): each cell's accuracy at every rung it
# reached, and on the right its true final accuracy. Did the first rung keep the right cells?

# %%
sh = nt.SuccessiveHalving(n=27, eta=3)
history = nt.run_search(sh, ev, 39, seed=0, progress=False)
rungs = sh.schedules[0]
print(f"bracket 1: rungs {rungs}, {sum(n * e for n, e in rungs)} epochs of training instead of "
      f"{rungs[0][0] * bench.epochs} for all {rungs[0][0]} cells")
plots.bracket(history, sh, bench, number=1)

# %% [markdown]
# **Hyperband** (Li et al., 2018) hedges, as no one knows in advance how early the ranking can be
# trusted: it cycles through brackets from the most aggressive to plain full training of a few cells:

# %%
hb = nt.Hyperband(eta=3)
nt.run_search(hb, ev, 40, seed=0, progress=False)
pd.DataFrame({"bracket": range(1, 4), "rungs (cells, epochs)": [str(r) for r in hb.schedules[:3]],
              "epochs of training": [sum(n * e for n, e in r) for r in hb.schedules[:3]]})

# %% [markdown]
# **Predict, then run (p2).** Give successive halving (first rung at 1 epoch) and random search the same
# simulated seconds, over 100 seeds. At 200 seconds, **(a)** successive halving is better, **(b)** there
# is no clear difference, or **(c)** random search is better?

# %%
p2.check(____)   # your prediction: a, b or c
# p2.hint()

# %%
first = sh_against_random()                     # 100 seeds of each, up to 400 simulated seconds
summarize(first, seconds=200, baseline="random")

# %% [markdown]
# The first rung ranks almost at random, so SH throws away good cells as readily as bad ones. The
# **fix** follows from the curve above: start where the ranking is informative. With `min_epochs=4` the bracket becomes 27 cells at 4
# epochs, then 9 at 12 (check it with your `bracket_schedule(27, 3, 4, 12)`). Same seeds, same seconds:

# %%
fixed = compare({"sh, first rung 4 epochs": nt.SuccessiveHalving(min_epochs=4)}, ev, budget=None,
                seconds=max(SECONDS), seeds=SEEDS)
both = pd.concat([first, fixed])
for s in SECONDS:
    p = summarize(both, seconds=s, baseline="sh").set_index("strategy").loc["sh, first rung 4 epochs", "val_regret_p"]
    print(f"after {s} s, the fix against the 1-epoch first rung: one-sided rank-sum p = {p:.3f}")
pd.concat([summarize(both, seconds=s, baseline="random") for s in SECONDS]).set_index(["seconds", "strategy"])

# %% [markdown]
# > **Common pitfall:** using a low fidelity without measuring how well it ranks. A rung that ranks no
# > better than chance turns successive halving into a random search that wastes time.

# %% [markdown]
# ## 4. Watch them search
#
# One search, with a budget in simulated seconds: on the left every cell it trained, coloured by the
# epochs it reached; on the right the regret of the cell it would choose. Compare the strategies on a
# few seeds, and change SH's first rung.

# %%
seconds_dashboard("cell-mnist1d", strategy="sh", seconds=200, max_seconds=max(SECONDS))

# %% [markdown]
# ## 5. All of them, fairly
#
# Lesson 07's protocol: 100 seeds each, budgets in simulated seconds, mean validation regret with a
# 95% confidence interval, and a one-sided rank-sum test against random search. Optuna's TPE joins as
# the practitioner's model-based peer.

# %%
seeds = range(20) if FAST else SEEDS
contestants = {"random": nt.RandomSearch(), "local": nt.LocalSearch(), "bo": nt.BayesianOptimization(),
               "sh": nt.SuccessiveHalving(), "sh, first rung 4 epochs": nt.SuccessiveHalving(min_epochs=4),
               "hyperband": nt.Hyperband(), "tpe": nt.OptunaSampler("tpe")}
with nt.make_executor(2) as pool:               # two worker processes share the seeds
    runs = pd.concat([compare({name: s}, ev, budget=None, seconds=max(SECONDS), seeds=seeds, executor=pool)
                      for name, s in tqdm(contestants.items(), desc=f"x {len(seeds)} seeds", unit="strategy")])
tables = {s: summarize(runs, seconds=s, baseline="random") for s in SECONDS}
fig, axes = plt.subplots(len(SECONDS), 1, figsize=(9, 9), layout="constrained", sharex=True)
for ax, (s, t) in zip(axes, tables.items()):
    plots.interval_bars(t, ax=ax, title=f"after {s} simulated seconds")
plt.show()

# %%
fig, ax = plt.subplots(figsize=(9, 4.6))
plots.regret_curves(runs, x="total_cost", confidence=0.95, ax=ax)
ax.set_ylim(bottom=0.1)
plt.show()
pd.concat(tables.values()).set_index(["seconds", "strategy"]).round(4)

# %% [markdown]
# Read the table by budget: which strategies beat random search significantly, and by how much? A
# multi-fidelity method is only as good as its first rung's ranking, a model-based one only as good as
# its model, and both depend on the benchmark: try `ev = nt.TabularEvaluator("cell-digits")`, whose
# early epochs rank worse.
#
# ## Recap
#
# - **Local search** climbs the neighbourhood graph to a **local optimum**; restarts make reaching the
#   best one likely.
# - **Bayesian optimisation** fits a surrogate (a GP) and evaluates where **expected improvement**,
#   $(\mu - f^*)\Phi(z) + \sigma\varphi(z)$, is largest: high mean or high uncertainty.
# - **Successive halving** trains many cells briefly and promotes the best $1/\eta$; **Hyperband** hedges
#   over how early to trust. Both need a low fidelity that **ranks**: measure it, and start there.
# - Judge all of them in **simulated seconds** over many seeds: evaluations of different lengths are
#   not equal work.

# %% [markdown]
# [← Previous: 07 · Comparing strategies fairly](07_comparing_strategies.ipynb) ·
# [Back to the course map: 00 · Welcome to nastutor](00_welcome.ipynb) ·
# [Next: 09 · Weight sharing →](09_weight_sharing.ipynb)
