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
# # 07 · Comparing strategies fairly
#
# Lessons 04 to 06 built random search, regularized evolution and REINFORCE. Which is best? Answering
# *fairly* is harder than running the searches; many published NAS comparisons got it wrong.
#
# **You will:**
# 1. apply the NAS-Bench-201 protocol: **search on validation, report test, [budget](glossary.md#budget)s in simulated seconds,
#    many runs**, and score a search by its **regret**;
# 2. see with 500 real runs why **one run proves nothing**;
# 3. implement **Student-t [confidence interval](glossary.md#confidence-interval)s** and a **one-sided [rank test](glossary.md#rank-sum)** (Mann-Whitney U);
# 4. compare the strategies with **Optuna's TPE**, a practitioner's tool, in evaluations and in
#    **simulated seconds**;
# 5. see how easily **p-hacking** finds a "winner", and judge a claim with the **NAS best-practices
#    checklist**.

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
from nastutor.interactive import comparison_dashboard
from nastutor.exercises.lesson07 import *

ev = nt.TabularEvaluator("cell-mnist1d")       # the cell benchmark of lesson 03: lookups, simulated seconds
bench = ev.benchmark
assert len(bench.seeds) == 3, bench            # the text quotes the benchmark's 3 seeds

# %% [markdown]
# ## 1. The protocol: search on validation, report test, budget in seconds, many runs
#
# NAS-Bench-201 (Dong and Yang, 2020) stored the training results of every cell of its space, so that NAS
# methods could be compared on equal terms. Its protocol has four rules, and this lesson uses all four on
# our benchmark, `cell-mnist1d`:
#
# 1. **Search on validation**: the strategy only ever sees validation accuracy.
# 2. **Report test**: the result is the *test* accuracy of the architecture chosen.
# 3. **Budget in simulated seconds**: each evaluation is charged the training time recorded in the
#    benchmark. Cells differ in cost, so "100 evaluations" is not the same amount of work for every strategy.
# 4. **Many runs** with different seeds (NAS-Bench-201 used 500 runs): compare *distributions* of results.
#
# A search is scored by its **regret** (lesson 04), on either split:
# $r_{\text{val}}(t) = \max_a \bar v(a) - \bar v(\hat a_t)$ and $r_{\text{test}}(t) = \max_a \bar u(a) - \bar u(\hat a_t)$.
#
# > **Math breakdown:**
# > - $\hat a_t$: the incumbent after $t$ evaluations (or seconds), the best on the validation runs *observed*.
# > - $\bar v(a)$, $\bar u(a)$: the mean validation and test accuracy of $a$ over the benchmark's 3 seeds,
# >   the ground truth the search never sees.
# > - Validation regret measures the search; test regret is reported. Regrets are in **percentage
# >   points** (pp): a validation regret of 0.003 is 0.3 pp.

# %% [markdown]
# > **Common pitfall:** reporting the chosen architecture's *validation* accuracy. The search picked it for
# > a high score among many noisy ones, so that score is biased upwards (the winner's curse of lesson 04).
#
# ## 2. One run proves nothing
#
# Is regularized evolution (lesson 05) better than random search (lesson 04), and does it always win? Run
# each strategy 500 times, 100 evaluations each, and let run $k$ of one duel run $k$ of the other:

# %%
pair = compare({"random": nt.RandomSearch(), "evolution": nt.RegularizedEvolution()}, ev, budget=100,
               seeds=range(500))
final100 = pair[pair["step"] == 100].pivot(index="seed", columns="strategy", values="val_regret")
rnd, evo = final100["random"].to_numpy(), final100["evolution"].to_numpy()
print(f"mean validation regret: random {100 * rnd.mean():.3f} pp, evolution {100 * evo.mean():.3f} pp")
print(f"500 duels: random wins {np.mean(rnd < evo):.0%}, ties {np.mean(rnd == evo):.0%}, evolution {np.mean(evo < rnd):.0%}")
assert evo.mean() < rnd.mean() and np.mean(rnd < evo) > 0.2    # better on average; yet random wins many duels

# %% [markdown]
# On average evolution is better, yet random search wins many duels: a paper that ran each method once
# would have named the wrong winner that often. How many runs are enough? The slider draws $n$ of the
# 500 runs of each strategy, 2000 times: how often does evolution come first, and a rank test
# (section 4) call the difference significant?

# %%
EXPERIMENTS = 2000


def show_runs(n=1):
    rng = np.random.default_rng(n)      # EXPERIMENTS draws of n runs of each strategy, without replacement
    e, r = [x[np.argsort(rng.random((EXPERIMENTS, len(x))), axis=1)[:, :n]] for x in (evo, rnd)]
    p = stats.mannwhitneyu(e, r, alternative="less", axis=1).pvalue
    first = np.mean(e.mean(1) < r.mean(1))
    shown = f"{first:.0%}" if first in (0, 1) or 0.005 <= first < 0.995 else f"{first:.1%}"   # never a rounded 100%
    return plots.histogram(100 * (r.mean(1) - e.mean(1)), marks={"no difference": 0}, ylabel="experiments",
                           xlabel="mean regret of random minus evolution (pp); > 0: evolution ahead",
                           title=f"n = {n}: evolution ranked first in {shown}, "
                                 f"rank test p < 0.05 in {np.mean(p < 0.05):.0%}")


widgets.interact(show_runs, n=widgets.IntSlider(value=1, min=1, max=100, description="runs n",
                                                continuous_update=False));

# %% [markdown]
# > **Common pitfall:** comparing on one seed, or a handful: a weighted coin toss. Run many seeds;
# > report the spread.

# %% [markdown]
# ## 3. Confidence intervals
#
# A mean regret over $n$ runs is itself random: other seeds give another mean. A **confidence
# interval** says how far it could move. For $n$ independent runs with regrets $x_1, \dots, x_n$:
#
# $$
# \bar x \pm t_{1-\alpha/2,\; n-1} \cdot \frac{s}{\sqrt n}.
# $$
#
# > **Math breakdown:**
# > - $\bar x$: the mean; $s$: the sample standard deviation (divided by $n - 1$, as $\bar x$ came from the
# >   same values); $s / \sqrt n$: the **standard error** of the mean, which shrinks as runs are added.
# > - $t_{1-\alpha/2,\, n-1}$: the quantile of **Student's t distribution** with $n - 1$ degrees of freedom
# >   that leaves $\alpha/2$ in each tail ($\alpha = 0.05$ for a 95% interval). It is wider than the normal
# >   quantile 1.96 for small $n$, because $s$ is itself uncertain.
# > - The procedure covers the true mean in 95% of repeated experiments: an interval for the *mean*, not a
# >   range that 95% of single runs fall into. It needs the mean to be roughly normal: fine for many runs
# >   even of skewed regrets, not for a handful.

# %% [markdown]
# ### Try it yourself 1
#
# Write `confidence_interval(values, confidence=0.95)`: return the pair `(low, high)` of the Student-t
# confidence interval for the mean of `values`. The checker compares it with a reference on several
# samples, among them real regrets of random search, and at 90% and 99% confidence too.

# %%
def confidence_interval(values, confidence=0.95):
    ____  # your code here


q1.check()

# %%
# q1.hint()
# q1.solution()

# %% [markdown]
# ## 4. A rank test: is the difference real?
#
# "Is evolution better than random search?" A **test** answers: *assume* the two are equally good (the
# null hypothesis), compute how surprising the observed difference would be then, and call it significant
# if it would be very surprising. Which test? Look at the regrets first:

# %%
plots.histogram({"random": 100 * rnd, "evolution": 100 * evo}, bins=40, ylabel="runs (of 500)",
                xlabel="validation regret after 100 evaluations (pp)", title="Final regrets: bounded by 0, tied")

# %% [markdown]
# The regrets are not normal: they pile up against zero, and many runs tie (the same good cells are found
# again and again). A t-test assumes normality, and one disastrous run can drag a mean far. A **rank
# test** uses only the *order* of the values: the **Wilcoxon rank-sum** (or **Mann-Whitney U**) test
# compares samples $a$ (say evolution's regrets) and $b$ (random search's) through all pairs of runs:
#
# $$
# U_a = \sum_{i=1}^{n_a} \sum_{j=1}^{n_b} \Big( [a_i > b_j] + \tfrac12 [a_i = b_j] \Big),
# \qquad 0 \le U_a \le n_a n_b .
# $$
#
# > **Math breakdown:**
# > - $[a_i > b_j]$ is 1 when run $i$ of $a$ has a larger regret than run $j$ of $b$ (it *loses* that
# >   duel), else 0; a tie counts half. So $U_a$ counts the duels $a$ loses.
# > - If $a$ and $b$ come from the same distribution, $a$ loses about half of the $n_a n_b$ duels.
# > - **One-sided [p-value](glossary.md#p-value)** of "a is better": $p = P(U_a \le U_a^{\text{observed}})$ if the labels were
# >   assigned at random: the chance of a result this favourable to $a$ *if the strategies were equally
# >   good*, not the chance that they are. $p < 0.05$ is the usual, arbitrary, threshold.

# %% [markdown]
# ### Try it yourself 2
#
# Write `mann_whitney_u(a, b)`: the $U$ statistic of sample `a` against sample `b` (arrays of numbers,
# possibly of different lengths, possibly with ties), as defined above. The checker compares it with
# `scipy.stats.mannwhitneyu(a, b).statistic` (which your code may not call).

# %%
def mann_whitney_u(a, b):
    ____  # your code here


q2.check()


# %%
# q2.hint()
# q2.solution()

# %% [markdown]
# ### Try it yourself 3
#
# Turn $U$ into a p-value by a **permutation test**. If the strategies were equally good, the labels "a"
# and "b" would carry no information: any split of the pooled regrets into groups of $n_a$ and $n_b$
# would be as likely as the real one. So shuffle the pooled values many times, split them, compute $U$
# of the first group each time, and count how often it is **at most** the observed $U$.
#
# Write `permutation_p(a, b, permutations=10_000, seed=0)`, the one-sided p-value of "the values of `a`
# tend to be smaller than those of `b`", with all randomness from `np.random.default_rng(seed)`. You may
# use your `mann_whitney_u` (or `mann_whitney_u = q2.reference`). The checker compares with exact
# p-values, allowing for the shuffles' randomness.

# %%
def permutation_p(a, b, permutations=10_000, seed=0):
    ____  # your code here


q3.check()

# %%
# q3.hint()
# q3.solution()

# %% [markdown]
# ## 5. Side by side, with Optuna
#
# **Optuna** is the hyperparameter-optimisation library many practitioners reach for first. Its default
# sampler, TPE (Tree-structured Parzen Estimator), models which choices appeared in good trials and which
# in bad ones, and proposes choices likely under the first and unlikely under the second.
# `nt.OptunaSampler` turns each decision of a cell into a `trial.suggest_categorical` (read it with
# `nt.OptunaSampler??`).
#
# The contestants: random search, regularized evolution, REINFORCE and TPE, with default settings, on
# the same space and seeds. `compare` returns one row per strategy, seed and evaluation. Each search gets **400 simulated seconds** of
# training; its first evaluations also make a search with a budget in evaluations.

# %%
SEEDS, BUDGET, SECONDS = range(50), 100, 400
strategies = {"random": nt.RandomSearch(), "evolution": nt.RegularizedEvolution(), "reinforce": nt.Reinforce(),
              "tpe": nt.OptunaSampler("tpe")}
runs = pd.concat([compare({name: s}, ev, budget=None, seconds=SECONDS, seeds=SEEDS)
                  for name, s in tqdm(strategies.items(), desc=f"x {len(SEEDS)} seeds", unit="strategy")])

# %% [markdown]
# ## 6. Budgets: evaluations or simulated seconds?
#
# Counting evaluations treats every cell as equally expensive. They are not, and the good cells tend to be
# the expensive ones, so a strategy that homes in on good cells spends more training per evaluation:

# %%
cost = bench.final_frame()["train_seconds"]
print(f"one cell trains for {cost.min():.1f} to {cost.max():.1f} simulated s; Spearman correlation of cost "
      f"with accuracy: {stats.spearmanr(cost, bench.truth()).statistic:.2f}")
runs[runs["step"] == BUDGET].groupby("strategy")["total_cost"].mean().round().to_frame("simulated s for 100 evaluations")

# %% [markdown]
# At 100 evaluations each, the strategies have *not* received the same budget. The mean regret over
# 50 seeds both ways, against evaluations and against simulated seconds, with 95% confidence bands.
#
# **Predict, then run (p1).** At equal simulated seconds rather than equal evaluations, do the leads of
# evolution and REINFORCE over random search **(a)** grow, **(b)** shrink, or **(c)** barely change?

# %%
p1.check(____)   # your prediction: a, b or c
# p1.hint()

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 4.8), layout="constrained")
# every run stops at 400 simulated s, so a strategy that picks costly cells stops after fewer evaluations
plots.regret_curves(runs[runs["step"] <= 150], x="step", ax=ax1, confidence=0.95)
plots.regret_curves(runs, x="total_cost", ax=ax2, confidence=0.95)
plt.show()

# %% [markdown]
# `summarize(runs, budget=..., baseline="random")` takes each run's incumbent at a budget in evaluations
# (or `seconds=...`) and reports, per strategy, the mean regret with its 95% confidence interval and the
# one-sided rank-sum p-value against the baseline; `plots.interval_bars` draws it:

# %%
by_evals = summarize(runs, budget=BUDGET, baseline="random", confidence=0.95)
by_seconds = summarize(runs, seconds=SECONDS, baseline="random", confidence=0.95)
fig, axes = plt.subplots(1, 2, figsize=(14, 3.4), layout="constrained", sharex=True)
plots.interval_bars(by_evals, ax=axes[0], title=f"after {BUDGET} evaluations")
plots.interval_bars(by_seconds, ax=axes[1], title=f"after {SECONDS} simulated seconds")
plt.show()

# %% [markdown]
# Read the sizes of the differences, not only their p-values: with enough runs any difference becomes
# significant, however tiny.
#
# > **Common pitfall:** counting evaluations when cells differ in cost, or comparing at different budgets
# > (your result after 400 s against a paper's after 200 s). Give every strategy the same training time.
#
# The dashboard holds the first 100 evaluations of every run: move its budget, and switch to test regret.
# A validation advantage need not carry over to test: part of it is fitting the validation split's noise.

# %%
comparison_dashboard(runs[runs["step"] <= BUDGET], baseline="random", budget=BUDGET)

# %% [markdown]
# ## 7. p-hacking: trying many budgets
#
# With a slider in hand it is tempting to move it until the p-value drops below 0.05. Try it where the
# truth is known: split the 500 random-search runs into two groups of 10 runs and test "the first is
# better" at every budget from 5 to 100 evaluations. Both groups are the same strategy, so every
# "significant" result is a false positive. Repeat with 300 random splits.
#
# **Predict, then run (p2).** Reporting the best of all these budgets, how often is a false positive found:
# **(a)** still about 5%, **(b)** about double, or **(c)** several times as often?

# %%
p2.check(____)   # your prediction: a, b or c
# p2.hint()

# %%
matrix = pair[pair["strategy"] == "random"].pivot(index="seed", columns="step", values="val_regret").loc[:, 5:]
rng = np.random.default_rng(0)
splits = [rng.permutation(len(matrix))[:20] for _ in range(300)]
p = np.array([stats.mannwhitneyu(matrix.iloc[s[:10]], matrix.iloc[s[10:]], alternative="less").pvalue for s in splits])
print(f"false positives at the one budget fixed in advance (100 evaluations): {np.mean(p[:, -1] < 0.05):.0%}")
print(f"false positives when the best of {p.shape[1]} budgets is reported: {np.mean(np.nanmin(p, 1) < 0.05):.0%}")

# %% [markdown]
# > **Common pitfall:** p-hacking by trying many budgets (or seed sets, metrics, baselines) and reporting
# > the one that "works". Fix the budget, the metric and the test **before** running the comparison, and
# > show whole anytime curves.

# %% [markdown]
# ## 8. Which claims do the results support?
#
# ### Try it yourself 4
#
# Here are five claims someone might write after running this notebook. For each, decide whether **these
# results** (the 50 seeds in `runs`) support it: *supported* means that the one-sided rank-sum test of the
# claim, at the claim's budget and on the claim's metric, gives $p < 0.05$. Some p-values are beside the
# bars above; for the others, use `summarize` with another `baseline=` (it has test-regret columns too), or
# your `permutation_p`.
#
# | key | claim |
# |---|---|
# | `evolution_100_evals` | At 100 evaluations, regularized evolution reaches a lower **validation** regret than random search. |
# | `evolution_test_400s` | At 400 simulated seconds, regularized evolution's chosen cells have a lower **test** regret than random search's. |
# | `reinforce_400s` | At 400 simulated seconds, REINFORCE reaches a lower validation regret than random search. |
# | `reinforce_beats_evolution_400s` | At 400 simulated seconds, REINFORCE reaches a lower validation regret than regularized evolution. |
# | `tpe_beats_evolution_100_evals` | At 100 evaluations, Optuna's TPE reaches a lower validation regret than regularized evolution. |
#
# Set each value to `True` or `False`.

# %%
claims = {
    "evolution_100_evals": ____,
    "evolution_test_400s": ____,
    "reinforce_400s": ____,
    "reinforce_beats_evolution_400s": ____,
    "tpe_beats_evolution_100_evals": ____,
}
q4.check()

# %%
# q4.hint()
# q4.solution()

# %% [markdown]
# Even a supported claim needs its context: a win on validation is not a win on test, a win at 100
# evaluations is not a win at equal training time, and "not supported" means "these 50 runs cannot
# tell", not "the strategies are equal".
#
# ## 9. The NAS best-practices checklist
#
# Lindauer and Hutter (2020) turned the mistakes they kept finding in NAS papers into a checklist, here
# in our words:
#
# - **Code:** the training pipeline and the NAS method (settings, seeds) are released, as used.
# - **Same conditions:** the same space, data, splits and training code for all methods (a better training
#   recipe can outweigh a better search), the same budget in the same unit (ideally time); confounders
#   such as hardware controlled.
# - **Baselines and runs:** random search among the baselines; many seeds, with confidence intervals;
#   anytime curves, not one cherry-picked budget; ablations; tabular benchmarks for in-depth comparisons.
# - **Reporting:** how hyperparameters were tuned (never on test); the end-to-end cost (search, final
#   training, tuning); the **test** result of an architecture chosen on validation.
#
# A (made-up) paper says: *"Our strategy beats regularized evolution on a cell benchmark: in our run, the
# cell it found has a higher validation accuracy after the same number of evaluations. We tuned our
# strategy's learning rate on the same benchmark and report the best setting."* Tick what it satisfies:

# %%
CHECKLIST = ["code released", "same space, data, splits and training code", "same budget, in time",
             "random search among the baselines", "many seeds, with confidence intervals", "anytime curves",
             "ablations", "tuning reported, not on test", "end-to-end cost reported",
             "test result for a choice made on validation"]
widgets.VBox([widgets.Checkbox(description=item, indent=False, layout={"width": "auto"}) for item in CHECKLIST])

# %% [markdown]
# The claim ticks almost nothing: one run, a validation number, a budget in evaluations, no random
# search, tuning on the benchmark it is judged on. Now tick what this lesson's comparison satisfies. It
# has no ablations and no tuning (defaults throughout), worth reporting too; and it was affordable only
# because every search is a sequence of lookups in a table trained once: why tabular benchmarks exist.
#
# ## Recap
#
# - **Protocol**: search on validation, report test, budgets in simulated seconds, many runs; score a
#   search by its **regret**. One run proves nothing.
# - **Confidence intervals** ($\bar x \pm t \cdot s/\sqrt n$) for means; a **one-sided rank-sum test** for
#   differences, as regrets are skewed and tied; a **permutation test** gives its p-value.
# - **Budgets in seconds**: counting evaluations flatters strategies that find costly good cells.
# - **p-hacking** across budgets turns noise into "wins": fix the protocol first, then use the checklist.

# %% [markdown]
# [← Previous: 06 · Reinforcement learning](06_reinforcement_learning.ipynb) ·
# [Back to the course map: 00 · Welcome to nastutor](00_welcome.ipynb) ·
# [Next: 08 · Model-based and multi-fidelity search →](08_model_based_and_multi_fidelity.ipynb)
