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
# # 10 · Estimating without training
#
# Every search so far paid for each cell it judged with a training run. Two shortcuts score a cell
# **before** training it: a **zero-cost proxy** looks at the untrained network and one minibatch, and a
# **learned predictor** fits a regressor on the cells trained so far. Both are only worth their cost if
# they rank cells as training does, and better than the trivial score: the **number of parameters**.
#
# **You will:**
# 1. read the proxies' code and compute one yourself (SNIP);
# 2. measure each proxy's rank correlation with the truth on both cell benchmarks, with bootstrap
#    intervals, its stability across seeds and minibatches, and its top-10% hit rate (you write Spearman);
# 3. find where proxies fail, and whether they know more than #params (you write the partial correlation);
# 4. train a random-forest predictor and draw its Kendall τ against the number of training cells;
# 5. use a proxy inside a search, with its real cost charged, against random search and evolution.

# %%
import inspect

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from IPython.display import display
from scipy import stats
from tqdm.auto import tqdm

import nastutor as nt
from nastutor import plots
from nastutor.compare import summarize
from nastutor.proxies import PROXIES, measure, proxy_scores
from nastutor.proxy_search import predictor_tau, proxy_cost, rank_report
from nastutor.exercises.lesson10 import *

NAMES = ("cell-mnist1d", "cell-digits")
benches = {name: nt.Benchmark.load(name) for name in NAMES}
truths = {name: b.truth().to_numpy() for name, b in benches.items()}
FAST = nt.fast_mode()                         # the test suite runs this notebook with fewer repeats
# the facts this lesson's text quotes; if a rebuilt benchmark changes one, this cell says which
assert all(len(b) == 941 for b in benches.values()) and len(PROXIES) == 9
assert len(SEEDS) == 100 and 100 * TARGET == 0.5 and RACE_SECONDS == 400

# %% [markdown]
# ## 1. The proxies
#
# Each proxy is a short function `proxy(model, x, y) -> float` over a network at initialisation and one
# minibatch (`nt.proxies`; Abdelfattah et al., 2021, compared them on NAS benchmarks):
#
# | proxy | the idea |
# |---|---|
# | `params`, `macs` | the size and compute of the network: the baselines |
# | `grad_norm` | how strongly the loss responds to the weights: $\sum_\ell \lVert \partial L / \partial W_\ell \rVert$ |
# | `snip` | how much the loss would change if each weight were removed (Lee et al., 2019) |
# | `synflow` | the "flow" of a data-free all-ones input through $\lvert W \rvert$, batch norms removed (Tanaka et al., 2020) |
# | `fisher` | how much the loss would grow if each channel were removed (Turner et al., 2020) |
# | `jacob_cov` | whether the inputs' Jacobians are uncorrelated |
# | `naswot` | whether the inputs switch on different sets of ReLUs (Mellor et al., 2021) |
#
# SNIP's **connection sensitivity** is the first-order change of the loss when a weight is set to zero:
#
# $$
# \mathrm{snip}(a) = \sum_{w} \left| w \,\frac{\partial L}{\partial w} \right|.
# $$
#
# > **Math breakdown:**
# > - $L$: the mean cross-entropy of the untrained network on one minibatch.
# > - $w\,\partial L / \partial w$: a Taylor expansion says removing $w$ changes $L$ by about $-w\,\partial L/\partial w$.
# > - The sum runs over every weight of the convolutions and linear layers; a bigger network has more
# >   terms, which is one reason proxies track size.
#
# Here is the package's code for two of them (print any other the same way):

# %%
print(inspect.getsource(nt.proxies.snip))
print(inspect.getsource(nt.proxies.naswot))

# %% [markdown]
# `measure(proxy, benchmark, cell)` builds the cell's network as training would start it, draws the first
# minibatch, and returns the score and the CPU seconds it took. The shipped side tables hold the same
# numbers for every distinct cell (`proxy_scores`), so the rest of the lesson looks them up:

# %%
bench = benches["cell-mnist1d"]
cells = [("conv3",) * 6, ("skip",) * 6, bench.archs[int(np.argmax(truths["cell-mnist1d"]))]]
rows = []
for cell in cells:
    key = bench.space.to_string(bench.space.canonical(cell))
    for proxy in ("params", "synflow", "naswot"):
        score, seconds = measure(proxy, bench, cell)
        assert np.isclose(score, proxy_scores("cell-mnist1d", proxy)[key])   # live = shipped
        rows.append({"cell": key, "proxy": proxy, "score": score, "ms": 1000 * seconds})
pd.DataFrame(rows).pivot(index="cell", columns="proxy", values="score").round(2)

# %% [markdown]
# ### Try it yourself 1
#
# Write `snip_score(model, x, y)`: SNIP summed over the weights of every `torch.nn.Conv1d` and
# `torch.nn.Linear` of `model`, on the minibatch `x` with labels `y` (mean cross-entropy). Use
# `torch.autograd.grad`. The checker scores three cells of both benchmarks on real minibatches and
# compares with `nt.proxies.snip`.

# %%
def snip_score(model, x, y):
    ____  # your code here


q1.check()

# %%
# q1.hint()
# q1.solution()

# %% [markdown]
# **Predict, then run (p1).** On `cell-mnist1d`, which of these ranks the 941 cells closest to the
# truth (Spearman's $\rho$ with the mean final validation accuracy): **(a)** #params, **(b)** synflow,
# or **(c)** naswot?

# %%
p1.check(____)   # your prediction: a, b or c
# p1.hint()

# %% [markdown]
# ## 2. How well do they rank?
#
# For each proxy and benchmark, `rank_report` gives Spearman's $\rho$ with a 95% bootstrap interval (the
# cells resampled), Kendall's $\tau$, the **top-10% hit rate** (the share of the proxy's top 10% that is
# in the truth's top 10%; a random score gets about 10%), the proxy's agreement with itself at
# another initialisation seed (`rho_init`) and on another minibatch (`rho_batch`), and its cost:

# %%
boot = 200 if FAST else 1000
reports = {name: rank_report(name, boot=boot, confidence=0.95) for name in tqdm(NAMES, desc="bootstrap")}
score, truth = proxy_scores("cell-mnist1d", "naswot").to_numpy(), truths["cell-mnist1d"]
top_hit = np.mean(truth[score >= np.quantile(score, 1 - 0.1)] >= np.quantile(truth, 1 - 0.1))   # by hand
assert np.isclose(top_hit, reports["cell-mnist1d"].set_index("proxy").loc["naswot", "top10_hit"])
report = pd.concat(reports, names=["benchmark"]).droplevel(1).set_index("proxy", append=True)
report.round(3)

# %% [markdown]
# Read the table with #params as the line to beat. On both tasks a few proxies reach it, most do not,
# and some are close to zero or negative. `rho_init` shows which proxies depend on the random
# initialisation: those built on gradients of a random network at one point are the least stable.
#
# > **Common pitfall:** quoting one Spearman number without an interval or a baseline. A proxy with
# > $\rho$ well above zero can still be useless if #params, which costs nothing, does as well.

# %% [markdown]
# ### Try it yourself 2
#
# Write `spearman(a, b)`: rank both arrays (ties get their average rank, as `stats.rankdata` gives), and
# return Pearson's correlation of the ranks. The checker compares with `scipy.stats.spearmanr` on
# proxies with many ties (#params) and without.

# %%
def spearman(a, b):
    ____  # your code here


q2.check()

# %%
# q2.hint()
# q2.solution()

# %% [markdown]
# ## 3. Look at them
#
# Pick a proxy and a benchmark: on the left each cell's proxy score against its true accuracy, in the
# middle #params, the reference; on the right a search that trains cells in the proxy's order (its cost
# of scoring all cells charged) against #params order and random search.

# %%
widgets.interact(show_proxy, proxy=widgets.Dropdown(options=list(PROXIES), value="synflow"),
                 name=widgets.Dropdown(options=NAMES, value="cell-mnist1d", description="benchmark"),
                 seeds=widgets.fixed(20));

# %% [markdown]
# ## 4. Where proxies fail, and why
#
# **Synflow with batch norm.** Synflow feeds the same all-ones input to every example. A batch norm
# subtracts the batch mean, so it turns that input into zeros, and the "flow" no longer measures the
# weights. The paper's code removes the batch norms first; `synflow_bn` keeps them:

# %%
print(report.xs("synflow", level="proxy")[["spearman", "ci_low", "ci_high"]].round(3))
print(report.xs("synflow_bn", level="proxy")[["spearman", "ci_low", "ci_high"]].round(3))

# %% [markdown]
# **Proxies that count parameters.** A proxy that sums over every weight grows with the network. Is
# its correlation with the truth more than size? The **partial rank correlation** given #params answers
# that: rank everything, remove from the proxy's ranks and from the truth's ranks what a straight line in
# the #params ranks explains, and correlate what is left:
#
# $$
# \rho_{xy\cdot z} = \operatorname{corr}(e_x, e_y), \qquad e_x = r_x - (\alpha_x + \beta_x r_z),
# \quad e_y = r_y - (\alpha_y + \beta_y r_z).
# $$
#
# > **Math breakdown:**
# > - $r_x, r_y, r_z$: the ranks of the proxy, of the truth, and of #params over all cells.
# > - $\alpha + \beta r_z$: the least-squares line from the #params ranks; $e$ is what it leaves.
# > - The same number follows from the pairwise correlations:
# >   $(\rho_{xy} - \rho_{xz}\rho_{yz}) / \sqrt{(1 - \rho_{xz}^2)(1 - \rho_{yz}^2)}$. Near zero: the proxy
# >   knows nothing that size does not.

# %% [markdown]
# ### Try it yourself 3
#
# Write `partial_spearman(score, truth, size)` as in the Math breakdown, with `np.linalg.lstsq` for the
# two lines. The checker compares it with the closed form on three proxies of both benchmarks.

# %%
def partial_spearman(score, truth, size):
    ____  # your code here


q3.check()

# %%
# q3.hint()
# q3.solution()

# %%
def partial_table(f):
    return pd.DataFrame({name: {p: f(proxy_scores(name, p).to_numpy(), truths[name],
                                     proxy_scores(name, "params").to_numpy())
                                for p in PROXIES if p not in ("params", "macs")} for name in NAMES})


reference = q3.reference                           # the package's answer, whatever yours says
partial = partial_table(reference)
pd.concat({"Spearman": pd.DataFrame({n: reports[n].set_index("proxy")["spearman"] for n in NAMES}).loc[partial.index],
           "given #params": partial}, axis=1).round(3)

# %% [markdown]
# The gradient-based scores (`grad_norm`, `snip`) lose their correlation, or turn negative, once size is
# held fixed: what they had was mostly size. `naswot` and `synflow` keep a clear partial correlation:
# they see something about the cell's structure beyond its size.
#
# > **Common pitfall:** reading a proxy's good correlation as insight. On a benchmark where bigger is
# > better, any score that grows with the weights looks good; always check it against #params.

# %% [markdown]
# ## 5. A learned predictor
#
# A **predictor** learns from the cells trained so far: here a random forest from a cell's one-hot
# encoding (of its canonical form, lesson 02) to one seed's final validation accuracy. How well does it
# rank the cells it has not seen (Kendall's $\tau$), as it gets more training cells? With the proxies'
# scores as extra features, does it learn faster?

# %%
SIZES, repeats = (10, 20, 50, 100, 200, 300), 3 if FAST else 8
curves = {f"{name}: {label}": predictor_tau(name, SIZES, repeats, proxies)
          for name in NAMES for label, proxies in (("one-hot", ()), ("one-hot + proxies", ("params", "synflow", "naswot")))}
free = {n: round(float(reports[n].set_index("proxy").loc["naswot", "kendall"]), 3) for n in NAMES}
print("naswot's Kendall tau over all cells, for free:", free)
pd.DataFrame({k: v.mean(0) for k, v in curves.items()}, index=pd.Index(SIZES, name="training cells")).T.round(3)

# %%
fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
plots.curves(SIZES, curves, xscale="log", xlabel="training cells (one seed each)", ylim=(0, 1),
             ylabel="Kendall's tau on held-out cells", title=f"A random-forest predictor ({repeats} repeats)", ax=ax)
ax.legend(fontsize=8, ncols=2, loc="lower center", frameon=False)
plt.show()

# %% [markdown]
# Even with the most training cells on the curve, the one-hot predictor does not rank better than
# naswot does for free, and the proxies as features give it a head start. A predictor also costs training time: each
# of its training cells is a full training run.
#
# > **Common pitfall:** scoring a predictor on the cells it was trained on, or on a random split that
# > puts isomorphic duplicates of a training cell in the test set. Here every cell is canonical, and
# > the test cells were never trained.

# %% [markdown]
# ## 6. Proxy-guided search, with its cost
#
# Two ways to use a proxy (`nastutor.proxy_search`):
#
# - **proxy order** (`ProxyOrder`): score every cell, then train them best-first;
# - **proxy-guided evolution** (`ProxyEvolution`): regularized evolution whose first population comes from
#   the proxy's top cells, and whose child is the best, by the proxy, of several mutants.
#
# Both score every cell first, so each run's clock starts at the proxy's total cost (`charge`). Lesson
# 07's protocol: 100 seeds, budgets in simulated seconds, confidence intervals and a rank test.
# #params order is the trivial baseline.
#
# **Predict, then run (p2).** On `cell-mnist1d`, which search gets within 0.5 pp of the best cell first
# (the median over 100 seeds): **(a)** naswot order, **(b)** #params order, or **(c)** regularized evolution?

# %%
p2.check(____)   # your prediction: a, b or c
# p2.hint()

# %%
print("seconds to score all 941 cells:", {p: round(proxy_cost("cell-mnist1d", p), 1) for p in RACE_PROXIES},
      f"; one training takes {benches['cell-mnist1d'].cumulative_seconds[:, :, -1].mean():.1f} s on average")
runs = {name: search_race(name, len(SEEDS) if name == "cell-mnist1d" or not FAST else 20)
        for name in tqdm(NAMES, desc="searches")}
pd.concat({name: median_seconds(r, TARGET).set_index("strategy") for name, r in runs.items()}, axis=1).round(2)

# %% [markdown]
# The table gives each search's median simulated seconds to come within 0.5 pp of the optimum (its
# proxy's cost included), how many runs never got there within the budget, and the speed-up over random
# search. On `cell-digits` single training runs are noisier, so the incumbent, chosen by one seed's
# validation accuracy, often is not within 0.5 pp of the optimum at all: where random search's median
# is beyond the budget, its ratio is not defined (inf or NaN). Look at the regret instead.

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 4.6), layout="constrained")
shown = ["random", "evolution", "params order", "synflow order", "naswot order", "naswot evolution"]
for ax, (name, r) in zip(axes, runs.items()):
    plots.regret_curves(r[r["strategy"].isin(shown)], x="total_cost", ax=ax)
    ax.set_title(name)
    ax.legend(fontsize=8, frameon=False)
plt.show()

# %%
tables = {name: summarize(r, seconds=RACE_SECONDS / 4, baseline="random") for name, r in runs.items()}
fig, axes = plt.subplots(1, 2, figsize=(13, 4.6), layout="constrained")
for ax, (name, t) in zip(axes, tables.items()):
    plots.interval_bars(t, ax=ax, title=f"{name}, after {RACE_SECONDS / 4:.0f} simulated seconds")
plt.show()
pd.concat(tables, names=["benchmark"]).droplevel(1).set_index("strategy", append=True)[
    ["val_regret", "val_regret_ci", "val_regret_p", "test_regret"]].round(4)

# %% [markdown]
# On `cell-mnist1d` bigger cells are better, so training in #params order is hard to beat, and it costs
# nothing to compute; naswot ranks a little better but its cost of scoring every cell is charged before
# the first training. On `cell-digits`, where size says less, compare naswot order with #params order in
# the bars, and read the p-values.
#
# > **Common pitfall:** leaving the proxy's cost out. A proxy of tens of milliseconds per cell looks free,
# > but scoring a whole space with it is worth several training runs on a small benchmark.

# %% [markdown]
# ## Recap
#
# - A **zero-cost proxy** scores an untrained network from one minibatch; measure it against the truth
#   with a rank correlation, a bootstrap interval and a top-10% hit rate, and check it is stable.
# - **#params** is the baseline to beat; the **partial correlation given #params** shows what a proxy knows
#   beyond size. Synflow fails with batch norm left in.
# - A **learned predictor** improves with every trained cell; proxies as features give it a head start.
# - In a **search**, charge the proxy's cost: the best ranking is not always the fastest search.
#
# The closing note, both benchmarks side by side: Spearman with its interval, and each search's speed-up
# over random search.

# %%
closing = pd.concat({name: reports[name].set_index("proxy")[["spearman", "ci_low", "ci_high", "ms_per_cell"]]
                     for name in NAMES}, axis=1).round(3)
speed = pd.concat({name: median_seconds(r, TARGET).set_index("strategy")["x_faster_than_random"]
                   for name, r in runs.items()}, axis=1).round(2)
display(closing, speed)

# %% [markdown]
# [← Previous: 09 · Weight sharing](09_weight_sharing.ipynb) ·
# [Back to the course map: 00 · Welcome to nastutor](00_welcome.ipynb) ·
# [Next: 11 · Hardware-aware NAS →](11_hardware_aware.ipynb)
