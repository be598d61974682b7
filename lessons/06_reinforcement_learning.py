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
# # 06 · Reinforcement learning
#
# Evolution (lesson 05) keeps a population. Reinforcement learning (RL) learns a **probability distribution over
# architectures**, the *[policy](glossary.md#policy)*, and shifts it towards those that scored well. This is how NAS began:
# Zoph and Le (2017) trained a recurrent network to *write* architectures, rewarded with their accuracy.
#
# **You will:**
# 1. state RL-based NAS: a controller, a reward, and the update $\theta \leftarrow \theta + \alpha \nabla_\theta \mathbb{E}[R]$;
# 2. derive **[REINFORCE](glossary.md#reinforce)**, and why a **baseline** and an **entropy bonus** help;
# 3. implement it for a **factorised softmax policy**, and measure the noise the baseline removes;
# 4. watch the policy learn, and compare it with random search **over many seeds**;
# 5. explore the **learning rate, baseline and entropy weight** with sliders;
# 6. meet Zoph and Le's **autoregressive LSTM controller**.

# %%
# %matplotlib inline
import inspect

import ipywidgets as widgets
import numpy as np
import pandas as pd
import torch
from IPython.display import display
from tqdm.auto import tqdm

import nastutor as nt
from nastutor import plots
from nastutor.compare import compare
from nastutor.interactive import comparison_dashboard
from nastutor.strategies import Reinforce
from nastutor.strategies.reinforce import LSTMController
from nastutor.tracing import Trace, policy_frame
from nastutor.exercises.lesson06 import *

torch.set_num_threads(1)   # the LSTM controller is tiny: one thread is much faster than several
ev = nt.TabularEvaluator("cell-mnist1d")     # lookups in the cell benchmark (lessons 03 and 04)
bench, space = ev.benchmark, ev.space
assert len(space.decisions) == 6 and all(len(options) == 4 for _, options in space.decisions)   # as the text says


# %% [markdown]
# ## 1. NAS as reinforcement learning
#
# An RL **agent** takes **actions**, receives **rewards**, and adjusts its **policy** to earn more. In NAS:
#
# | RL | NAS |
# |---|---|
# | agent | a **controller**, a small trainable model |
# | action | an **architecture** $a$, generated one decision at a time |
# | reward $R(a)$ | how well $a$ performs once trained: its validation accuracy |
# | policy $\pi_\theta(a)$ | the probability that the controller generates $a$; $\theta$ is what the search learns |
#
# The controller climbs the expected reward by gradient **ascent**:
# $\theta \leftarrow \theta + \alpha \, \nabla_\theta \, \mathbb{E}_{a \sim \pi_\theta}[R(a)]$, where
# $\mathbb{E}_{a \sim \pi_\theta}[R(a)] = \sum_a \pi_\theta(a) R(a)$ is the reward earned *on average*, and
# $\alpha > 0$ is the learning rate.
#
# Each episode is one action and one reward: the simplest RL problem (a *bandit*).
# Zoph and Le trained every proposed network from scratch: many thousands of child networks on hundreds of GPUs.
# Here an architecture is six decisions (one operation per edge of the cell) and a reward is a lookup: the
# validation accuracy of **one training seed**, so, as in real life, noisy.

# %% [markdown]
# ## 2. REINFORCE: a gradient we can sample
#
# The expectation sums over every architecture. REINFORCE (Williams, 1992) rewrites its gradient as an expectation
# we can **sample**:
#
# $$
# \begin{aligned}
# \nabla_\theta \mathbb{E}_{a \sim \pi_\theta}[R(a)]
# &= \sum_a R(a) \, \nabla_\theta \pi_\theta(a) &&R(a) \text{ does not depend on } \theta\\
# &= \sum_a R(a) \, \pi_\theta(a) \, \nabla_\theta \log \pi_\theta(a) &&\nabla \pi = \pi \, \nabla \log \pi\\
# &= \mathbb{E}_{a \sim \pi_\theta}\big[R(a) \, \nabla_\theta \log \pi_\theta(a)\big] .
# \end{aligned}
# $$
#
# The **log-derivative trick** ($\nabla \log \pi = \nabla \pi / \pi$) puts $\pi_\theta(a)$ back in front, and a
# sum weighted by $\pi_\theta(a)$ is an average over draws. So **one** sampled architecture gives an estimate:
# $\hat g = R(a) \, \nabla_\theta \log \pi_\theta(a)$, with $\mathbb{E}[\hat g] = \nabla_\theta \mathbb{E}[R]$.
#
# > **Math breakdown:**
# > - $\nabla_\theta \log \pi_\theta(a)$ points to the change of $\theta$ that makes $a$ more likely; $\hat g$ says:
# >   **make the sampled architecture more likely, in proportion to its reward**.
# > - $\hat g$ is **unbiased** (right on average) but **noisy**: it is built from one architecture.
# > - We never differentiate $R$: it can be anything we measure, even a noisy one-seed accuracy.

# %% [markdown]
# ### 2.1 The baseline
#
# Accuracies are positive, so $\hat g$ makes *every* sampled architecture more likely. Subtracting a **baseline** $b$, $\hat g_b = (R(a) - b) \, \nabla_\theta \log \pi_\theta(a)$,
# changes nothing on average, because the expected score function is zero:
# $\mathbb{E}[b \, \nabla_\theta \log \pi_\theta(a)] = b \, \nabla_\theta \sum_a \pi_\theta(a) = b \, \nabla_\theta 1 = 0$.
# With $b$ near the typical reward, the **advantage** $R(a) - b$ is positive for better-than-usual architectures,
# negative for worse ones, and small. Zoph and Le used an **exponential moving
# average** of past rewards, $b \leftarrow \gamma \, b + (1 - \gamma) \, R(a)$, updated *after* computing the advantage.
#
# $b$ must not depend on the architecture being scored; an average of *earlier* rewards qualifies. The decay
# $\gamma \in [0, 1)$: close to 1 = a long memory, 0 = the previous reward alone.

# %% [markdown]
# ### 2.2 The entropy bonus
#
# A policy sure of one architecture stops exploring (a sure action has $\nabla \log \pi = 0$). A common remedy adds the policy's **entropy**
# $H(p) = -\sum_j p_j \log p_j$ (largest when $p$ is uniform, zero when one option is certain) with a weight
# $\beta \ge 0$, which pulls the policy back towards uniform. Written as a loss to *minimise*, one step is
#
# $$
# L(\theta) = -\big(R(a) - b\big) \log \pi_\theta(a) \; - \; \beta \, H(\pi_\theta), \qquad \theta \leftarrow \theta - \alpha \nabla_\theta L .
# $$

# %% [markdown]
# ## 3. A factorised softmax policy
#
# The simplest policy gives each decision $e$ (an edge) its own **logits** $\theta_e$, one per operation, and
# probabilities $p_e = \mathrm{softmax}(\theta_e)$. An architecture then has probability
# $\pi_\theta(a) = \prod_e p_{e, a_e}$, so $\log \pi_\theta(a) = \sum_e \log p_{e, a_e}$ and the gradient splits
# by decision. For one softmax, $\log p_k = \theta_k - \log \sum_j e^{\theta_j}$, hence
#
# $$
# \frac{\partial \log p_k}{\partial \theta_j} = [j = k] - p_j, \qquad \text{i.e.} \qquad
# \nabla_{\theta_e} \log \pi_\theta(a) = \mathrm{onehot}(a_e) - p_e .
# $$
#
# > **Math breakdown:**
# > - $\mathrm{onehot}(a_e) - p_e$: raise the chosen option's logit by $1 - p_{e,a_e}$, lower every other by its
# >   probability. A REINFORCE step is $\theta_e \leftarrow \theta_e + \alpha \big[(R - b)(\mathrm{onehot}(a_e) - p_e) + \beta \, \nabla_{\theta_e} H(p_e)\big]$.
# > - A factorised policy cannot express "conv3 on this edge *only if* skip on that one": it learns which option
# >   is good on each edge **on average** over the others. Section 6 lifts that limit.

# %% [markdown]
# ### Try it yourself 1
#
# Implement the REINFORCE gradient of a factorised softmax policy as a loss gradient:
# `reinforce_gradient(logits, action, reward, baseline)` gets
#
# - `logits`: a list of 1-D NumPy arrays, one per decision (decisions may have different numbers of options);
# - `action`: a list of integers, the index of the option chosen for each decision;
# - `reward` $R$ and `baseline` $b$: two numbers;
#
# and returns a **list of arrays**, one per decision, holding $\nabla_{\theta_e} L$ for the loss
# $L = -(R - b)\log \pi_\theta(a)$ (no entropy term). **Sign convention:** the gradient of the *loss*, the
# vector that a gradient-*descent* step subtracts, so $-\,$(ascent direction). The checker compares your
# answer with PyTorch's automatic differentiation, on random cases.

# %%
def reinforce_gradient(logits, action, reward, baseline):
    ____  # your code here


q1.check()


# %%
# q1.hint()
# q1.solution()

# %% [markdown]
# ### Try it yourself 2
#
# Implement `entropy_and_gradient(logits)`: for one 1-D array of logits, return the pair
# `(H, grad)`, the entropy $H = -\sum_j p_j \log p_j$ of $p = \mathrm{softmax}(\text{logits})$ in nats (natural
# logarithm), and its gradient with respect to the **logits**, $\partial H / \partial \theta_j$ (through the softmax).
# Work it out on paper first; the checker compares with automatic differentiation.

# %%
def entropy_and_gradient(logits):
    ____  # your code here


q2.check()

# %%
# q2.hint()
# q2.solution()

# %% [markdown]
# nastutor's `Reinforce.tell` computes the advantage with the old baseline, updates the baseline, and moves each
# decision's logits along $(R - b)(\mathrm{onehot} - p) + \beta \nabla H$: your two gradients combined.

# %%
print(inspect.getsource(Reinforce.tell))

# %% [markdown]
# ### 3.1 How much noise does the baseline remove?
#
# At the **uniform** policy (all logits zero, where every search starts) the *exact* gradient is computable,
# because every cell's rewards are in the table. Below, one decision's gradient is estimated from single draws
# with three baselines: none, the true mean reward, and REINFORCE's moving average.
#
# **Predict, then run (p1).** Next to the moving average, is a one-sample estimate's variance without a
# baseline **(a)** about the same (the expectation is unchanged), **(b)** a few times larger, or **(c)** more
# than ten times larger?

# %%
p1.check(____)   # your prediction: a, b or c
# p1.hint()

# %%
raw = list(space.enumerate())                               # every cell, each equally likely under uniform
rewards = bench.val[[bench.index(a) for a in raw], :, -1]   # cells x 3 seeds: every reward a draw could return
edge, ops = 3, space.decisions[3][1]                        # the decision "edge 3<-0"
score = np.array([[a[edge] == op for op in ops] for a in raw]) - 1 / len(ops)   # onehot(a_e) - p, per cell
exact = (rewards.mean(axis=1)[:, None] * score).mean(axis=0)   # E[R (onehot - p)] over the whole table

rng, N = np.random.default_rng(0), 2000
cells, seeds = rng.integers(len(raw), size=N), rng.integers(3, size=N)
r = rewards[cells, seeds]                                   # the noisy rewards of N draws
ema = np.r_[r[0], pd.Series(r).ewm(alpha=0.1, adjust=False).mean()[:-1]]   # b before each reward, decay 0.9
estimates = {"no baseline (b = 0)": r[:, None] * score[cells],
             "b = true mean reward": (r - rewards.mean())[:, None] * score[cells],
             "b = moving average (decay 0.9)": (r - ema)[:, None] * score[cells]}
variance = {label: g.var(axis=0, ddof=1).sum() for label, g in estimates.items()}
ratio = variance["no baseline (b = 0)"] / variance["b = moving average (decay 0.9)"]
assert ratio > 10, ratio        # the recap says: by more than ten
print(f"the moving-average baseline divides the variance of a one-sample estimate by about {ratio:.0f}")
n, k = np.arange(1, N + 1), ops.index("conv3")
plots.curves(n, {label: np.cumsum(g[:, k]) / n for label, g in estimates.items()},
             hlines={"exact gradient (whole table)": exact[k]}, xscale="log",
             xlabel="number of sampled cells averaged", ylabel="estimate of dE[R]/dθ (conv3 on edge 3<-0)",
             title="Gradient estimates converge to the exact gradient; with a baseline, sooner")

# %% [markdown]
# ## 4. Watching the policy learn, and comparing with random search
#
# 300 evaluations of REINFORCE with nastutor's defaults (learning rate 0.5, baseline decay 0.9, no entropy
# bonus). A `Trace` records `policy.probabilities()` after every evaluation; `policy_curves` draws one
# panel per decision. Edges are named `j<-i`: from node $i$ to node $j$ (node 0 is the input, node 3 the output).

# %%
policy = Reinforce()
assert (policy.learning_rate, policy.baseline_decay, policy.entropy_weight) == (0.5, 0.9, 0.0)   # the defaults
trace = Trace(policy, lambda s: s.probabilities())
nt.run_search(policy, ev, budget=300, seed=0, callback=trace)
plots.policy_curves(policy_frame(trace))

# %% [markdown]
# As in lesson 05, we run **100 searches per strategy** and compare the **regret** of each search's choice, in
# [pp](glossary.md#pp), with confidence intervals and p-values (lesson 07).
#
# **Predict, then run (p2).** After 100 evaluations, does REINFORCE beat random search **(a)** by a wide margin,
# **(b)** reliably but by a small margin, or **(c)** not detectably?

# %%
p2.check(____)   # your prediction: a, b or c
# p2.hint()

# %%
BUDGET, SEEDS = 200, 100
runs = pd.concat([compare({"random": nt.RandomSearch(), "REINFORCE": Reinforce()}, ev, budget=BUDGET,
                          seeds=range(s, s + 10)) for s in tqdm(range(0, SEEDS, 10), desc="10 seeds per tick")])
comparison_dashboard(runs, budget=100)

# %% [markdown]
# > **Common pitfall: forgetting that the reward is noisy.** The policy reinforces lucky draws as readily as good
# > cells, and the incumbent wins on one noisy score (lesson 04's winner's curse): judge it by its ground truth.
#
# ## 5. Learning rate, baseline and entropy weight
#
# To switch the baseline off, a subclass resets $b$ to zero before every update:

# %%
class NoBaseline(Reinforce):
    # REINFORCE with b = 0: the raw reward weighs the update (for comparison only)
    def tell(self, arch, evaluation):
        self.baseline = 0.0
        super().tell(arch, evaluation)


# %% [markdown]
# The sliders run a search, redraw its policy and print the **entropy of the final policy** (in nats, beside the
# uniform policy's; a policy that always proposes the same cell has entropy 0) and how many distinct cells it still proposed. Try a learning
# rate of 50 with and without the entropy bonus; switch the baseline off at a learning rate of 3. A large rate
# **collapses** the policy onto a cell it met early; without a baseline, every update is scaled by the full reward
# and collapse comes sooner. Does the entropy bonus hold it back? Compare seeds.

# %%
slider = {"continuous_update": False, "style": {"description_width": "initial"}}


@widgets.interact(lr=widgets.FloatLogSlider(0.5, min=-2, max=2, step=0.1, description="learning rate α", **slider),
                  beta=widgets.FloatSlider(0.0, max=0.3, step=0.01, description="entropy weight β", **slider),
                  gamma=widgets.FloatSlider(0.9, max=0.99, step=0.01, description="baseline decay γ", **slider),
                  baseline=widgets.Checkbox(True, description="use a baseline"),
                  seed=widgets.IntSlider(0, max=19, description="seed", **slider))
def explore(lr, beta, gamma, baseline, seed):
    strategy = (Reinforce if baseline else NoBaseline)(lr, baseline_decay=gamma, entropy_weight=beta)
    trace = Trace(strategy, lambda s: s.probabilities())
    h = nt.run_search(strategy, ev, budget=200, seed=seed, callback=trace, progress=False)
    display(plots.policy_curves(policy_frame(trace)))
    entropy = sum(-(p * np.log(p)).sum() for p in strategy.probabilities().values())
    print(f"regret {100 * bench.regret(h.best_arch):.2f} pp; final entropy {entropy:.2f} nats (uniform "
          f"{6 * np.log(4):.2f}); distinct cells among the last 50: {len({e.arch for e in h.evaluations[-50:]})}")


# %% [markdown]
# > **Common pitfall: too high a learning rate.** A large $\alpha$ looks great at first, then stops exploring: it
# > has bet the search on first impressions. Watch the policy's entropy, not only the incumbent.
#
# ## 6. The LSTM controller of Zoph and Le
#
# Zoph and Le's controller is **autoregressive**: each decision is conditioned on the earlier ones,
# $\pi_\theta(a) = \prod_t \pi_\theta(a_t \mid a_{<t})$ (the chain rule of probability). An LSTM carries the earlier
# choices in its state; a linear "head" per decision turns it into logits. The loss $L$ is the same, its gradient comes
# from automatic differentiation, and **Adam** minimises it.

# %%
print(inspect.getsource(LSTMController))
lstm = Reinforce(controller="lstm")
assert lstm.learning_rate == 0.01                 # nastutor's default for the LSTM
lstm_trace = Trace(lstm, lambda s: s.probabilities())
nt.run_search(lstm, ev, budget=200, seed=0, callback=lstm_trace)
plots.policy_curves(policy_frame(lstm_trace))

# %% [markdown]
# Each panel shows a decision's probabilities *given* the most likely earlier choices, so a curve can jump when an
# earlier choice changes; a factorised policy's curves never depend on the other decisions.
#
# > **Common pitfall: a too-large learning rate for the LSTM's Adam.** Adam normalises the gradient's scale, so at
# > the factorised policy's rates the LSTM collapses within a few updates onto one cell. nastutor's
# > default for the LSTM is 0.01.

# %% [markdown]
# ## 7. Try it yourself 3: REINFORCE as an ask/tell strategy
#
# Write the factorised REINFORCE yourself, as a strategy `MyReinforce(nt.Strategy)` with the constructor
# `MyReinforce(learning_rate=0.5, baseline_decay=0.9, entropy_weight=0.0)`:
#
# - `setup(space, seed, max_epochs)`: call `super().setup(space, seed, max_epochs)`, then start a fresh policy: **all logits zero**, one array per `(name, options)` in
#   `space.decisions`, and no baseline yet;
# - `probabilities()`: a dict `{decision name: array of probabilities}` (the softmax of its logits);
# - `ask()`: draw each decision from its softmax **with `self.rng`** (e.g. `self.rng.choice(len(options), p=...)`),
#   using `self.space.decide(choose)`; remember the chosen indices for `tell`; return the architecture;
# - `tell(arch, evaluation)`: with $R$ = `evaluation.val_accuracy`: if there is no baseline yet, set $b = R$;
#   compute the advantage $R - b$ with the **old** $b$; **then** update $b \leftarrow \gamma b + (1 - \gamma) R$;
#   then, for each decision, with $p$ its probabilities **before** the step,
#   $\theta_e \leftarrow \theta_e + \alpha\big[(R - b)(\mathrm{onehot}(a_e) - p) + \beta \, \nabla_{\theta_e} H(p)\big]$.
#
# Your q1 and q2 functions do most of the work (mind the sign of q1).

# %%
class MyReinforce(nt.Strategy):
    def __init__(self, learning_rate=0.5, baseline_decay=0.9, entropy_weight=0.0):
        self.learning_rate, self.baseline_decay, self.entropy_weight = learning_rate, baseline_decay, entropy_weight

    def setup(self, space, seed=0, max_epochs=None):
        super().setup(space, seed, max_epochs)   # sets self.space and self.rng
        ____  # your code here: zero logits per decision, no baseline yet

    def probabilities(self):
        ____  # your code here

    def ask(self):
        ____  # your code here

    def tell(self, arch, evaluation):
        ____  # your code here


q3.check()

# %%
# q3.hint()
# q3.solution()

# %% [markdown]
# ## Recap
#
# - **RL-based NAS**: a controller's policy $\pi_\theta$ climbs $\nabla_\theta \mathbb{E}_{a \sim \pi_\theta}[R(a)]$
#   (Zoph and Le, 2017).
# - **REINFORCE**: $\nabla \mathbb{E}[R] = \mathbb{E}[R \, \nabla \log \pi(a)]$, so one sample gives an unbiased estimate.
#   A **baseline** keeps it unbiased and here divided the variance by more than ten; an **entropy bonus** keeps
#   the policy exploring.
# - **Factorised softmax**: $\nabla_{\theta_e} \log \pi(a) = \mathrm{onehot}(a_e) - p_e$. The **LSTM controller**
#   conditions each decision on the earlier ones.
# - On the cell benchmark REINFORCE beats random search reliably but by a **small margin**, over many seeds.
#
# **Next:** lesson 07 compares random search, evolution and REINFORCE under one fair protocol, with Optuna beside them.
#
# [← Previous: 05 · Evolution](05_evolution.ipynb) ·
# [Next: 07 · Comparing strategies fairly →](07_comparing_strategies.ipynb)
