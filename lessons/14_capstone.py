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
# # 14 · Your own NAS study
#
# Lessons 04 to 07 built search strategies and a fair way to compare them, always on tables that the
# course shipped. Now you run a study of your own, from the question to the conclusion, on a space and a
# task that no lesson has searched: **MLPs on handwritten digits**. Each step is yours to write, and a
# check says when it is right; until it is, the study runs the step's reference (its `solution()`), so
# the notebook always runs from top to bottom.
#
# **You will:**
# 1. **write the plan before any run**: the question, the space and the task, the budget, the test;
# 2. **count** the space and **build its ground truth**, a [tabular benchmark](glossary.md#tabular-benchmark) trained on your machine;
# 3. run the **fair protocol**: two strategies, many seeds, equal budgets in simulated seconds;
# 4. **analyse** the runs: confidence intervals, a two-sided rank test, an **[effect size](glossary.md#effect-size)** and the
#    test's **[power](glossary.md#power)**;
# 5. **report** the test accuracy of the architectures chosen, and **conclude** only what the test allows.

# %%
import getpass
import tempfile
from pathlib import Path

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

import nastutor as nt
from nastutor import plots
from nastutor.benchmark import Benchmark, build_benchmark
from nastutor.compare import at_budget, compare, summarize
from nastutor.study import power
from nastutor.exercises.lesson14 import *

# %% [markdown]
# ## 1. The plan, fixed before any run
#
# Lesson 07's p-hacking experiment showed why a study fixes its budget, its metric and its test *before*
# it sees a result: each choice made afterwards is one more chance for noise to win. So the study starts
# as code, and every cell below uses these names:

# %%
QUESTION = "At equal simulated seconds, does regularized evolution find better MLPs than random search?"
data = nt.load_dataset("digits")       # scikit-learn's small images of handwritten digits, flattened
space = nt.MLPSpace(widths=(16, 32, 64), activations=("relu", "tanh", "elu"), max_depth=2)
if nt.fast_mode():                     # NASTUTOR_FAST=1, for the test suite: a smaller space
    space = nt.MLPSpace(widths=(16, 64), activations=("relu", "tanh"), max_depth=2)
SEEDS = range(100)                     # runs of each strategy, one per seed
TRAININGS = 20                         # the budget: the simulated seconds of 20 average trainings
ALPHA = 0.05                           # two-sided rank-sum test of the final validation regrets
print(data)

# %% [markdown]
# - **Task and space**: a task no lesson used, and lesson 02's MLPs with at most two hidden layers.
# - **Strategies**: random search (lesson 04) and regularized evolution (lesson 05), with their default
#   settings: nothing is tuned on the table that judges them.
# - **Budget** in simulated seconds, stated as a number of *average trainings*, because the seconds
#   themselves depend on your machine (p1 below shows why).
# - **Metric and test**: the [validation regret](glossary.md#regret) decides, as it measures the search;
#   test data stays unseen until the report. The test is **two-sided**: the plan does not know which
#   strategy will lead, and a one-sided test pointed at the leader afterwards would double the false alarms.
#
# ### Try it yourself 1: count the space
#
# Know what you search before you train anything. Set `n_architectures`, the number of architectures of
# `space`, from `space.widths`, `space.activations` and `space.max_depth` (lesson 02's count, not
# `space.size`).

# %%
n_architectures = ____  # your count
q1.check()

# %%
# q1.hint()
# q1.solution()

# %%
full = nt.MLPSpace()                   # lesson 02's MLPs, with up to three hidden layers
deepest = sum(len(arch) == full.max_depth for arch in full.enumerate())
print(f"the study's space: {space.size} MLPs, {len(space.unique)} distinct, {space.size / full.size:.0%} of lesson 02's")
print(f"lesson 02's space: {full.size} MLPs, of which the {deepest} deepest make {deepest / full.size:.0%}")

# %% [markdown]
# Each layer multiplies the count, so the deepest networks make most of a space. A study of the
# shallower ones covers a *documented sub-space*, and its conclusion holds for that sub-space only.
#
# > **Common pitfall:** claiming more than the study covered. A result on these MLPs, this task and this
# > budget says nothing yet about deeper networks, another task or a larger budget.
#
# ## 2. The ground truth
#
# A tabular benchmark of the space lets the protocol run many searches in seconds, and scores
# each search's choice against the truth (lesson 03). You build it: every MLP trained with each of the
# table's training seeds (not the plan's search seeds), under the space's own protocol
# (`space.default_config()`), on your machine.
#
# **Predict, then run (p1).** Train one MLP twice, with the same seed. Which numbers come out the same?
# - (a) both the accuracies and the seconds
# - (b) the accuracies, not the seconds
# - (c) the seconds, not the accuracies
# - (d) neither

# %%
p1.check(____)  # your prediction: a, b, c or d

# %%
arch = space.parse("64relu")
first, second = (nt.train(lambda: space.build(arch, data.num_features, data.num_classes), data,
                          space.default_config(), seed=0) for _ in range(2))
print("the same validation accuracy after every epoch:", first.val_curve == second.val_curve)
print(f"training took {sum(e.seconds for e in first.epochs):.4f} s, then {sum(e.seconds for e in second.epochs):.4f} s")

# %% [markdown]
# ### Try it yourself 2: build the table
#
# Write `ground_truth(space, folder)`: train every architecture of `space` on `"digits"` with the seeds
# `(0, 1, 2)` into `folder`, training two networks at a time (`workers=2`), and return the loaded table
# (`build_benchmark` and `Benchmark.load`, lesson 03). The checker builds a two-MLP space with it.

# %%
def ground_truth(space, folder):
    ____  # your code here


q2.check()

# %%
# q2.hint()
# q2.solution()

# %% [markdown]
# > **Common pitfall:** building into the default folder, the shipped `data/`. Its tables are checked
# > against `data/MANIFEST.json`, and a study's tables do not belong there: give each study a folder.
#
# The cell below runs your `ground_truth` once q2 says correct, else the reference, into a folder of
# your system's temporary directory. A build resumes where it stopped, so a rerun finds the table there
# and trains nothing (delete the folder to build afresh). Its first run is the lesson's longest cell.

# %%
folder = Path(tempfile.gettempdir()) / f"nastutor-study-{getpass.getuser()}"   # or a folder of your own
bench = use(q2, ground_truth)(space, folder)
bench

# %%
truth = bench.final_frame().sort_values("val_accuracy", ascending=False).reset_index(drop=True)
assert len(bench.seeds) == 3 and len(bench) == space.size
fig, ax = plt.subplots(figsize=(10, 3.6), layout="constrained")
ax.errorbar(truth.index + 1, 100 * truth["val_accuracy"], yerr=100 * truth["val_std"], fmt="o", ms=3, capsize=2)
ax.set(xlabel="rank of the architecture (1: the best)", ylabel="validation accuracy (%)",
       title=f"The {len(bench)} MLPs on digits: mean over {len(bench.seeds)} seeds, bars: ± one standard deviation")
plt.show()
top10 = truth["val_accuracy"].head(10)
gap = top10.max() - top10.min()
print(f"best {truth['arch'][0]}: {truth['val_accuracy'][0]:.2%}, worst {truth['val_accuracy'].iloc[-1]:.2%}")
print(f"best minus 10th best: {100 * gap:.2f} pp; mean seed standard deviation: {100 * truth['val_std'].mean():.2f} pp")

# %% [markdown]
# Compare the gap between the best and the tenth best with the [seed noise](glossary.md#seed-noise): when they are alike,
# a search that sees one seed per evaluation can hardly tell the top architectures apart. Keep that in
# mind when you conclude.
#
# ## 3. The protocol
#
# Each run of each strategy gets the same budget: the plan's number of average trainings, in simulated
# seconds measured on your table. A search sees one seed's validation accuracy per evaluation and keeps
# the best so far, its [incumbent](glossary.md#incumbent); the regret scores the incumbent against the mean over the seeds.

# %%
ev = nt.TabularEvaluator(bench)
SECONDS = TRAININGS * truth["train_seconds"].mean()
print(f"budget: {SECONDS:.2f} simulated seconds, the time of {TRAININGS} average trainings on this machine")

# %% [markdown]
# ### Try it yourself 3: run the protocol
#
# Write `run_study(ev, seconds, seeds)`: one run of random search and one of regularized evolution, named
# `"random"` and `"evolution"`, with their default settings, per seed of `seeds`, each until `seconds`
# of simulated training are spent on the table of `ev`. Return what `compare` (lesson 07) returns. The
# checker runs it on the shipped `mlp-mnist1d` table.

# %%
def run_study(ev, seconds, seeds):
    ____  # your code here


q3.check()

# %%
# q3.hint()
# q3.solution()

# %% [markdown]
# The study runs your `run_study` (or the reference) once, with every seed of the plan. At equal
# seconds, the two strategies need not make the same number of evaluations:

# %%
runs = use(q3, run_study)(ev, SECONDS, SEEDS)
final = at_budget(runs, seconds=SECONDS)          # each run's incumbent within the budget
final.groupby("strategy")["step"].describe()[["mean", "min", "max"]].rename_axis("evaluations per run")

# %% [markdown]
# ## 4. The analysis
#
# First the mean regrets in [pp](glossary.md#pp), with their
# [confidence intervals](glossary.md#confidence-interval) (lesson 07's `summarize`; its p-values are
# one-sided, against random search, and not the plan's test):

# %%
summary = summarize(runs, seconds=SECONDS, baseline="random", confidence=0.95)
in_pp = {c: 100 * summary[c] for c in summary if c.endswith(("_regret", "_regret_ci"))}   # regrets in pp
summary.assign(**in_pp).round(3)

# %% [markdown]
# Then the plan's test: the two-sided [rank-sum test](glossary.md#rank-sum) of the final validation regrets. A p-value says
# whether a difference is *detectable*, not how *large* it is; an **effect size** says that. The rank
# test's own is the **probability of superiority**, the chance that a run of evolution ends with a lower
# regret than a run of random search:
#
# $$
# A = \frac{1}{n_e n_r} \sum_{i=1}^{n_e} \sum_{j=1}^{n_r} \Big( [e_i < r_j] + \tfrac12 [e_i = r_j] \Big)
#   = 1 - \frac{U_e}{n_e n_r}.
# $$
#
# > **Math breakdown:**
# > - $e_i$, $r_j$: the final validation regrets of run $i$ of evolution and run $j$ of random search;
# >   $n_e$, $n_r$: the numbers of runs.
# > - The double sum counts the duels that evolution wins, a tie counting half; $U_e$, lesson 07's
# >   statistic, counts those it loses.
# > - $A = 0.5$: neither strategy is ahead; $A = 0.6$: a run of evolution beats a run of random search
# >   six times in ten. The p-value shrinks as runs are added whenever there is any difference at all;
# >   $A$ measures the same thing however many runs there are.
#
# ### Try it yourself 4: the effect size
#
# Write `superiority(a, b)`, the probability of superiority of sample `a` over sample `b` defined above
# (arrays of regrets, possibly of different lengths, possibly with ties). The checker compares it with
# lesson 07's $U$ on several samples, real regrets among them.

# %%
def superiority(a, b):
    ____  # your code here


q4.check()

# %%
# q4.hint()
# q4.solution()

# %%
evo, rnd = (final.loc[final["strategy"] == name, "val_regret"].to_numpy() for name in ("evolution", "random"))
p = stats.mannwhitneyu(evo, rnd, alternative="two-sided").pvalue
effect = use(q4, superiority)(evo, rnd)
print(f"two-sided rank-sum test: p = {p:.3f} (the plan's level: {ALPHA})")
print(f"effect size A = {effect:.2f}: a run of evolution beats one of random search in {effect:.0%} of the duels")

# %% [markdown]
# The plan fixed one budget. The slider shows the p-value at other budgets, with the regret curves
# (in simulated seconds; the dotted line marks the budget). The p-value moves, and at some budget it may
# dip below the level: choosing that budget now would be p-hacking.

# %%
cost = truth["train_seconds"].mean()
budgets = np.arange(2, TRAININGS + 1)
at = [at_budget(runs, seconds=k * cost) for k in budgets]
pvalues = [stats.mannwhitneyu(*(f.loc[f["strategy"] == s, "val_regret"] for s in ("evolution", "random"))).pvalue
           for f in at]


def show_budget(k=TRAININGS):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 4.4), layout="constrained")
    plots.regret_curves(runs, x="total_cost", ax=ax1)
    ax1.axvline(k * cost, color="black", ls=":")
    plots.curves(budgets, {"two-sided p-value": np.array(pvalues)}, hlines={f"level {ALPHA}": ALPHA}, ax=ax2,
                 yscale="log", xlabel="budget (average trainings)", ylabel="p-value",
                 title=f"budget {k} average trainings: p = {pvalues[k - budgets[0]]:.3f} (planned: {TRAININGS})")
    ax2.plot(k, pvalues[k - budgets[0]], "o", ms=12, mfc="none", color="black")
    plt.show()


widgets.interact(show_budget, k=widgets.IntSlider(TRAININGS, min=budgets[0], max=TRAININGS,
                                                  description="budget", continuous_update=False));

# %% [markdown]
# **Predict, then run (p2).** Suppose evolution really were a little better: a run of it beats a run of
# random search 55% of the time ($A = 0.55$). How often would a study like yours, with 100 runs of each,
# detect it ($p < \alpha$)?
# - (a) almost always
# - (b) about one study in two
# - (c) about one study in four

# %%
p2.check(____)  # your prediction: a, b or c

# %%
for a in (0.55, 0.6, 0.7):
    print(f"A = {a}: detected by {power(a, len(SEEDS), ALPHA):.0%} of simulated studies with {len(SEEDS)} runs each")

# %% [markdown]
# That share is the test's **power**: the chance to detect a difference that is really there. It grows
# with the effect and with the number of runs.
#
# > **Common pitfall:** reading "no detectable difference" as "no difference". It means that these runs
# > cannot tell; a small real effect goes unseen by most studies of this size.
#
# ## 5. The report and the conclusion
#
# Only now does the test split come in: the test accuracy (the mean over the table's seeds) of the
# architecture that each run chose on validation, beside the best architecture by validation.

# %%
chosen = bench.truth("test_accuracy")[final["incumbent"]].to_numpy()
for name in ("random", "evolution"):
    x = 100 * chosen[(final["strategy"] == name).to_numpy()]
    half = stats.t.ppf(0.5 + 0.95 / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    print(f"{name:>9}: test accuracy {x.mean():.2f}% ± {half:.2f} pp (95% CI, {len(x)} runs); "
          f"most chosen: {final.loc[final['strategy'] == name, 'incumbent'].mode()[0]}")
best = bench.optimum()[0]
print(f"best by validation, {space.to_string(best)}: test accuracy {bench.query(best)['test_accuracy']:.2%}")

# %% [markdown]
# > **Common pitfall:** reporting the validation accuracy that the search saw for its choice. The search
# > picked it for being high among noisy scores, so it is biased upwards ([winner's curse](glossary.md#winners-curse)).
#
# ### Try it yourself 5: conclude
#
# Which conclusion does your study support? Judge by the plan: the two-sided p-value against `ALPHA`
# first, then the side of the effect size.
#
# - (a) At this budget, regularized evolution finds MLPs with a lower validation regret than random search.
# - (b) At this budget, these runs cannot tell the two strategies apart: no detectable difference.
# - (c) At this budget, random search finds MLPs with a lower validation regret than regularized evolution.

# %%
conclusion = ____  # "a", "b" or "c"
q5.check()

# %%
# q5.hint()
# q5.solution()

# %% [markdown]
# A report states the plan, the numbers and the conclusion, and nothing the study did not test. The
# cell below gathers the facts; write your conclusion after them in a cell of your own.

# %%
print(QUESTION)
print(f"Task: digits, {len(data.y_train)} / {len(data.y_val)} / {len(data.y_test)} train / validation / test images")
print(f"Space: {space.size} MLPs, widths {space.widths}, activations {space.activations}, depth 1 to {space.max_depth}")
print(f"Ground truth: {bench.name}, {len(bench.seeds)} seeds; budget: {TRAININGS} average trainings, {SECONDS:.2f} s")
print(f"Runs: {len(SEEDS)} each of random search and regularized evolution, default settings")
print(f"Test: two-sided rank-sum of the validation regrets, p = {p:.3f} (level {ALPHA}); effect A = {effect:.2f}")

# %% [markdown]
# ## Recap
#
# - **Plan first**: the question, the space and task, the strategies, the budget (in average
#   trainings), the metric, the test and its level, all fixed before the first run.
# - **Ground truth**: a table built with nastutor's own builder, in a folder of its own; its accuracies
#   are (nearly) anyone's, its seconds are your machine's.
# - **Protocol**: many seeds, equal simulated seconds, choices made on validation.
# - **Analysis**: confidence intervals for the means, a two-sided rank test for "is there a difference",
#   an effect size for "how large", and the power for "could this study have seen it".
# - **Report**: the test accuracy of what was chosen, and a conclusion no wider than the study.
#
# **Going further:** change one thing, write the new plan, and rerun: the task `"mnist1d"` (does the
# verdict carry over?), deeper MLPs (`max_depth=3`: a longer build), or another strategy of
# `nastutor.strategies`.
#
# [← Previous: 13 · Scaling out](13_scaling_out.ipynb) ·
# [Back to the course map: 00 · Welcome to nastutor](00_welcome.ipynb)
