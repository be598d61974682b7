"""Exercises of lesson 06 (reinforcement learning): the REINFORCE gradient of a factorised
softmax policy, the entropy of a categorical distribution and its gradient, and REINFORCE written
as an ask/tell strategy (with its moving-average baseline and entropy bonus); two "predict, then
run" questions (how much variance the baseline removes, and REINFORCE's margin over random search),
answered from the cell benchmark as the lesson's cells do.

    >>> from nastutor.exercises.lesson06 import *     # doctest: +SKIP
"""
from __future__ import annotations

import inspect
from functools import lru_cache

import numpy as np
import pandas as pd
import torch

from ..compare import compare, summarize
from ..records import Evaluation
from ..strategies import RandomSearch, Reinforce, Strategy
from ._checking import (
    ATOL, RTOL, ____, Exercise, Incorrect, Question, answered, number, numbers, refuse_rounded, returned as _returned,
    must_be_function as _callable)
from ._code import forbid as _forbid, own_strategy as _own_strategy
from ._shared import evaluator as _evaluator, softmax as _softmax

__all__ = ["____", "q1", "q2", "q3", "p1", "p2"]


# -- helpers the checkers share ---------------------------------------------------------------

#: What computes a gradient for you: q1 and q2 ask for it worked out by hand.
_AUTODIFF = {"backward": "PyTorch's `.backward()`", "autograd": "`torch.autograd`", "grad": "`torch.autograd.grad`",
             "jacobian": "`torch.autograd.functional.jacobian`", "func": "`torch.func`", "vjp": "`torch.func.vjp`"}


def _close(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))


def _as_vectors(got, sizes: list[int], what: str) -> list[np.ndarray]:
    """The learner's list of per-decision arrays, checked for length and shapes."""
    if isinstance(got, np.ndarray) and got.ndim <= 1 and len(sizes) > 1:
        raise Incorrect(f"{what} returned one array; return a list with one array per decision "
                        f"({len(sizes)} decisions here)")
    if not isinstance(got, (list, tuple, np.ndarray)):
        raise Incorrect(f"{what} should return a list of NumPy arrays (one per decision), "
                        f"got {type(got).__name__}")
    out = [numbers(g, f"{what}'s array for decision {k}") for k, g in enumerate(got)]
    if len(out) != len(sizes):
        raise Incorrect(f"{what} returned {len(out)} arrays for {len(sizes)} decisions: one array per decision")
    for k, (g, n) in enumerate(zip(out, sizes)):
        if g.shape != (n,):
            raise Incorrect(f"decision {k} has {n} options, so its gradient needs shape ({n},); "
                            f"{what} gave shape {g.shape}")
    return out


# -- q1: the REINFORCE gradient of a factorised softmax policy ----------------------------------

def reinforce_gradient(logits, action, reward, baseline):
    """The gradient, with respect to every decision's logits, of the REINFORCE loss
    L = -(reward - baseline) * log π(action), for a factorised softmax policy
    π(a) = Π_e softmax(logits[e])[a[e]]."""
    advantage = reward - baseline
    grads = []
    for theta, k in zip(logits, action):
        p = np.exp(theta - np.max(theta))
        p = p / p.sum()                      # softmax of this decision's logits
        onehot = np.zeros_like(p)
        onehot[k] = 1.0
        grads.append(-advantage * (onehot - p))   # ∇ log softmax(θ)[k] = onehot(k) - p; the loss has a minus
    return grads


def _gradient_cases():
    rng = np.random.default_rng(6)
    cases = []
    for sizes, scale in [([4] * 6, 0.0), ([4] * 6, 1.0), ([3, 5, 2], 2.0), ([7], 3.0), ([2, 2, 6, 3], 0.5),
                         ([4] * 6, 8.0)]:
        logits = [rng.normal(0, scale, n) for n in sizes]
        action = [int(rng.integers(n)) for n in sizes]
        reward, baseline = float(rng.uniform(0.1, 1.0)), float(rng.uniform(0.1, 1.0))
        cases.append((logits, action, reward, baseline))
    logits = [rng.normal(0, 1, 4) for _ in range(3)]
    cases.append((logits, [0, 3, 1], 0.9, 0.9))                          # no advantage, no gradient
    cases.append(([rng.normal(0, 1, 4) for _ in range(6)], [2] * 6, 0.3, 0.95))   # a bad sample
    return cases


def _torch_gradient(logits, action, reward, baseline) -> list[np.ndarray]:
    """The same gradient by automatic differentiation (the ground truth of the checker)."""
    thetas = [torch.tensor(t, dtype=torch.float64, requires_grad=True) for t in logits]
    log_pi = sum(torch.log_softmax(t, dim=0)[k] for t, k in zip(thetas, action))
    loss = -(reward - baseline) * log_pi
    loss.backward()
    return [t.grad.numpy() for t in thetas]


def _check_gradient(learner) -> None:
    _callable(learner, "reinforce_gradient")
    _forbid(learner, _AUTODIFF, "work out the gradient")
    for logits, action, reward, baseline in _gradient_cases():
        sizes = [len(t) for t in logits]
        got = _returned(learner([t.copy() for t in logits], list(action), reward, baseline),
                        "`reinforce_gradient`")
        got = _as_vectors(got, sizes, "`reinforce_gradient`")
        want = _torch_gradient(logits, action, reward, baseline)
        if all(_close(g, w) for g, w in zip(got, want)):
            continue
        where = (f"with {len(sizes)} decision{'s' if len(sizes) > 1 else ''} of {'/'.join(map(str, sizes))} "
                 f"options, reward {reward:.3f} and baseline {baseline:.3f}")
        if reward != baseline and all(_close(g, -w) for g, w in zip(got, want)):
            raise Incorrect(f"{where}, your gradient has the wrong sign: return the gradient of the *loss* "
                            "-(R - b) log π(a), the direction a gradient-descent step subtracts")
        no_baseline = _torch_gradient(logits, action, reward, 0.0)
        if all(_close(g, w) for g, w in zip(got, no_baseline)):
            raise Incorrect(f"{where}, your gradient ignores the baseline: the weight is the advantage R - b")
        if reward == baseline:
            raise Incorrect(f"{where}, the gradient should be zero: a reward equal to the baseline teaches nothing")
        raise Incorrect(f"{where}, your gradient differs from automatic differentiation of "
                        "-(R - b) log π(a): for a softmax, ∇_θ log softmax(θ)[k] = onehot(k) - softmax(θ)")


q1 = Exercise(
    "q1", var="reinforce_gradient", checker=_check_gradient, reference=lambda: reinforce_gradient,
    hint="""
The policy is a product over decisions, so log π(a) = Σ_e log softmax(θ_e)[a_e]: decision e's logits
only appear in its own term. Work out one decision, then loop.

For one softmax, ∂ log softmax(θ)[k] / ∂θ_j = [j == k] - p_j, i.e. the vector onehot(k) - p.

The loss is L = -(R - b) · log π(a), so each decision's gradient is -(R - b) · (onehot(a_e) - p_e).
Compute p_e with a numerically stable softmax: for `theta = logits[0]`, `np.exp(theta -
theta.max())`, normalised.
""")


# -- q2: the entropy of a categorical distribution and its gradient ----------------------------

def entropy_and_gradient(logits):
    """The entropy H = -Σ p log p (in nats) of p = softmax(logits), and its gradient dH/dlogits."""
    logits = np.asarray(logits, dtype=float)
    log_p = logits - logits.max()
    log_p = log_p - np.log(np.exp(log_p).sum())   # a stable log-softmax
    p = np.exp(log_p)
    entropy = -np.sum(p * log_p)
    gradient = -p * (log_p + entropy)             # ∂H/∂θ_j = -p_j (log p_j + H)
    return float(entropy), gradient


def _entropy_cases():
    rng = np.random.default_rng(16)
    return [np.zeros(4), np.array([2.0, 0.0, 0.0, 0.0]), rng.normal(0, 1, 4), rng.normal(0, 2, 7),
            np.array([0.0, 1.0]), np.array([12.0, -3.0, 0.5, 4.0]), rng.normal(0, 0.3, 10)]


def _torch_entropy(logits) -> tuple[float, np.ndarray]:
    theta = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    log_p = torch.log_softmax(theta, dim=0)
    entropy = -(log_p.exp() * log_p).sum()
    entropy.backward()
    return float(entropy.detach()), theta.grad.numpy()


def _check_entropy(learner) -> None:
    _callable(learner, "entropy_and_gradient")
    _forbid(learner, _AUTODIFF | {"entropy": "`scipy.stats.entropy`"}, "work out the entropy and its gradient")
    for logits in _entropy_cases():
        got = _returned(learner(logits.copy()), "`entropy_and_gradient`")
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Incorrect("return two things, `entropy, gradient` (a number and an array)")
        h, grad = got
        want_h, want_grad = _torch_entropy(logits)
        where = f"for logits {np.round(logits, 2).tolist()}"
        h = number(h, f"{where}, the entropy")
        if not np.isclose(h, want_h, rtol=RTOL, atol=ATOL):
            refuse_rounded(h, want_h, f"{where}, the entropy")
            if np.isclose(h, want_h / np.log(2), rtol=RTOL, atol=ATOL):
                raise Incorrect(f"{where}, your entropy is in bits: use the natural logarithm (nats), as "
                                "the policy's log-probabilities do")
            if np.isclose(h, -want_h, rtol=RTOL, atol=ATOL) and want_h > 0:
                raise Incorrect(f"{where}, your entropy is negative: H = -Σ p log p is never below zero")
            raise Incorrect(f"{where}, your entropy is {'too large' if h > want_h else 'too small'}: "
                            "H = -Σ_j p_j log p_j with p = softmax(logits)")
        grad = numbers(grad, f"{where}, the gradient")
        if grad.shape != want_grad.shape:
            raise Incorrect(f"{where}, the gradient needs one value per logit, shape {want_grad.shape}; "
                            f"got shape {grad.shape}")
        if not _close(grad, want_grad):
            if _close(grad, -want_grad):
                raise Incorrect(f"{where}, your gradient has the wrong sign (it points to *lower* entropy)")
            if not np.isclose(np.sum(grad), 0, atol=1e-8):
                raise Incorrect(f"{where}, your gradient's entries do not sum to zero; but adding a constant to "
                                "every logit leaves softmax, hence H, unchanged: differentiate with respect to "
                                "the logits, through the softmax, not with respect to p")
            raise Incorrect(f"{where}, your gradient differs from automatic differentiation: "
                            "∂H/∂θ_j = -p_j (log p_j + H)")


q2 = Exercise(
    "q2", var="entropy_and_gradient", checker=_check_entropy, reference=lambda: entropy_and_gradient,
    hint="""
H(p) = -Σ_j p_j log p_j with p = softmax(θ), natural logarithm. The gradient is with respect to the
logits θ, so it goes through the softmax: ∂p_i/∂θ_j = p_i([i == j] - p_j).

Chain rule: ∂H/∂p_i = -(log p_i + 1); multiply by ∂p_i/∂θ_j and sum over i. The +1 terms cancel (Σ_i
∂p_i/∂θ_j = 0), leaving ∂H/∂θ_j = -p_j (log p_j + H).

`theta = np.asarray(logits, dtype=float); log_p = theta - theta.max(); log_p -=
np.log(np.exp(log_p).sum()); p = np.exp(log_p)`, `H = -np.sum(p * log_p)`, `grad = -p * (log_p +
H)`; `return H, grad`.
""")


# -- q3: REINFORCE as an ask/tell strategy -----------------------------------------------------

class MyReinforce(Strategy):
    """A factorised softmax policy over the space's decisions, trained by REINFORCE with a
    moving-average baseline and an entropy bonus."""

    def __init__(self, learning_rate=0.5, baseline_decay=0.9, entropy_weight=0.0):
        self.learning_rate, self.baseline_decay, self.entropy_weight = learning_rate, baseline_decay, entropy_weight

    def setup(self, space, seed=0, max_epochs=None):
        super().setup(space, seed, max_epochs)                       # self.space, self.rng
        self.logits = {name: np.zeros(len(options)) for name, options in space.decisions}
        self.baseline = None                                         # set by the first reward

    def probabilities(self):
        out = {}
        for name, theta in self.logits.items():
            e = np.exp(theta - theta.max())
            out[name] = e / e.sum()
        return out

    def ask(self):
        probs, self.choices = self.probabilities(), []

        def choose(name, options):
            k = int(self.rng.choice(len(options), p=probs[name]))
            self.choices.append((name, k))
            return options[k]

        return self.space.decide(choose)

    def tell(self, arch, evaluation):
        reward = evaluation.val_accuracy
        if self.baseline is None:
            self.baseline = reward
        advantage = reward - self.baseline                           # with the baseline *before* this reward
        self.baseline = self.baseline_decay * self.baseline + (1 - self.baseline_decay) * reward
        probs = self.probabilities()
        for name, k in self.choices:                                 # gradient *ascent* on (R - b) log π + β H
            p = probs[name]
            onehot = np.zeros_like(p)
            onehot[k] = 1.0
            entropy = -np.sum(p * np.log(p))
            grad_entropy = -p * (np.log(p) + entropy)
            self.logits[name] += self.learning_rate * (advantage * (onehot - p) + self.entropy_weight * grad_entropy)


def _evaluation(arch, reward: float) -> Evaluation:
    return Evaluation(arch=arch, val_accuracy=float(reward), test_accuracy=float(reward), cost=1.0, epochs=1, seed=0)


def _probabilities(strategy, space, when: str) -> dict[str, np.ndarray]:
    probs = _returned(strategy.probabilities(), "`probabilities()`")
    if not isinstance(probs, dict):
        raise Incorrect(f"`probabilities()` should return a dict {{decision name: array}}, got {type(probs).__name__}")
    names = [name for name, _ in space.decisions]
    if sorted(probs) != sorted(names):
        raise Incorrect(f"`probabilities()` should have one key per decision, {names}; got {list(probs)[:8]}")
    out = {}
    for name, options in space.decisions:
        p = np.asarray(probs[name], dtype=float)
        if p.shape != (len(options),):
            raise Incorrect(f"{when}, `probabilities()['{name}']` has shape {p.shape}; it needs one probability "
                            f"per option ({len(options)})")
        if np.any(~np.isfinite(p)) or np.any(p < 0) or not np.isclose(p.sum(), 1.0, atol=1e-6):
            raise Incorrect(f"{when}, the probabilities of '{name}' are not a distribution (they sum to "
                            f"{p.sum():.4g}): return softmax(logits), not the logits")
        out[name] = p
    return out


def _ask(strategy, space):
    arch = _returned(strategy.ask(), "`ask()`")
    if arch not in space:
        raise Incorrect(f"`ask()` returned {str(arch)[:80]!r}, which is not a cell of the space: build it with "
                        "`self.space.decide(choose)`, where `choose(name, options)` returns one of `options`")
    return arch


def _drive(cls, kwargs, seed: int, steps: int, reward) -> tuple[list, list[dict]]:
    """Run the learner's strategy by hand for `steps` ask/tell rounds; return the asked cells and
    the probabilities after each tell."""
    space = _evaluator().space
    strategy = cls(**kwargs)
    strategy.setup(space, seed, None)
    archs, probs = [], []
    for t in range(steps):
        arch = _ask(strategy, space)
        strategy.tell(arch, _evaluation(arch, reward(arch, t)))
        archs.append(arch)
        probs.append(_probabilities(strategy, space, f"after {t + 1} tell{'s' if t else ''}"))
    return archs, probs


def _benchmark_reward(arch, t):
    return _evaluator().evaluate(arch, seed=t).val_accuracy


def _conv3_reward(arch, t):
    return 0.5 + 0.5 * np.mean([op == "conv3" for op in arch])


def _replay(archs, rewards, kwargs) -> list[dict]:
    """The reference REINFORCE update applied to the learner's own sampled cells."""
    space = _evaluator().space
    lr, decay, beta = kwargs["learning_rate"], kwargs["baseline_decay"], kwargs["entropy_weight"]
    logits = {name: np.zeros(len(options)) for name, options in space.decisions}
    baseline, out = None, []
    for arch, reward in zip(archs, rewards):
        if baseline is None:
            baseline = reward
        advantage = reward - baseline
        baseline = decay * baseline + (1 - decay) * reward
        for (name, options), op in zip(space.decisions, arch):
            p = _softmax(logits[name])
            onehot = np.zeros(len(options))
            onehot[options.index(op)] = 1.0
            entropy = -np.sum(p * np.log(p))
            logits[name] = logits[name] + lr * (advantage * (onehot - p) - beta * p * (np.log(p) + entropy))
        out.append({name: _softmax(theta) for name, theta in logits.items()})
    return out


def _check_reinforce(cls) -> None:
    answered(cls)
    space = _evaluator().space
    base = dict(learning_rate=0.5, baseline_decay=0.9, entropy_weight=0.0)
    strategy = cls(**base)  # the learner's constructor; an exception becomes a friendly message
    if not isinstance(strategy, Strategy):
        raise Incorrect("`MyReinforce` should be a class that subclasses `nt.Strategy`: "
                        "`class MyReinforce(nt.Strategy):`")
    _own_strategy(strategy, "MyReinforce")
    strategy.setup(space, 0, None)
    start = _probabilities(strategy, space, "right after setup")
    if not all(np.allclose(p, 1 / len(p)) for p in start.values()):
        raise Incorrect("right after `setup` the policy should be uniform (all logits zero): every option of "
                        "every decision equally likely")
    # reproducible, and driven by the seed
    a, _ = _drive(cls, base, 0, 40, _benchmark_reward)
    b, _ = _drive(cls, base, 0, 40, _benchmark_reward)
    c, _ = _drive(cls, base, 1, 40, _benchmark_reward)
    if a != b:
        raise Incorrect("two runs with the same seed sampled different cells: draw every random number from "
                        "`self.rng` (made from the seed by `setup`), and start each search afresh in `setup`")
    if a == c:
        raise Incorrect("seeds 0 and 1 sampled the same cells: sample with `self.rng`")
    # learns in the right direction on a toy reward: the share of conv3 edges
    _, probs = _drive(cls, base, 3, 300, _conv3_reward)
    conv3 = np.mean([probs[-1][name][list(options).index("conv3")] for name, options in space.decisions])
    if conv3 < 0.25:
        raise Incorrect(f"on a toy reward that pays for every conv3 edge, 300 steps left conv3 with an average "
                        f"probability of {conv3:.2f}, below uniform (0.25): the policy should move *towards* "
                        "rewarded choices; check the sign of your update (gradient ascent on (R - b) log π)")
    if conv3 < 0.6:
        raise Incorrect(f"on a toy reward that pays for every conv3 edge, 300 steps with learning_rate=0.5 raised "
                        f"conv3's average probability only to {conv3:.2f} (uniform is 0.25): check the advantage "
                        "R - b (without a baseline every sampled choice is reinforced, good or bad) and the step size")
    # the exact update: step size, advantage with the old baseline, the moving average, the entropy bonus
    for kwargs in (base, dict(learning_rate=2.0, baseline_decay=0.7, entropy_weight=0.0),
                   dict(learning_rate=0.8, baseline_decay=0.9, entropy_weight=0.1)):
        archs, probs = _drive(cls, kwargs, 5, 30, _benchmark_reward)
        rewards = [_benchmark_reward(arch, t) for t, arch in enumerate(archs)]
        want = _replay(archs, rewards, kwargs)
        for t, (got, ref) in enumerate(zip(probs, want)):
            if all(np.allclose(got[name], ref[name], rtol=1e-5, atol=1e-7) for name in ref):
                continue
            setting = ", ".join(f"{k}={v}" for k, v in kwargs.items())
            if t == 0:
                raise Incorrect(f"with {setting}, the first tell changed the policy; but the baseline starts at "
                                "the first reward, so the first advantage R - b is zero and nothing should move")
            if kwargs["entropy_weight"] > 0:
                raise Incorrect(f"with {setting}, the policy after {t + 1} tells differs from REINFORCE's; it "
                                "matched without the entropy bonus, so check that term: add "
                                "learning_rate * entropy_weight * ∂H/∂θ for each decision, with ∂H/∂θ_j = "
                                "-p_j (log p_j + H) at the probabilities before the step")
            raise Incorrect(f"with {setting}, the policy after {t + 1} tells differs from REINFORCE's. Check: the "
                            "advantage uses the baseline *before* this reward; then b ← decay·b + (1 - decay)·R; each "
                            "decision's logits move by learning_rate · (R - b) · (onehot - p), with p the "
                            "probabilities before the step")


# what q3.solution() shows: the reference itself, written as the notebook writes it
_Q3_SOLUTION = inspect.getsource(MyReinforce).replace("class MyReinforce(Strategy):", "class MyReinforce(nt.Strategy):")

q3 = Exercise(
    "q3", var="MyReinforce", checker=_check_reinforce, reference=lambda: MyReinforce, solution=_Q3_SOLUTION,
    hint="""
`setup`: `super().setup(space, seed, max_epochs)`, then one zero array of logits `for name, options
in space.decisions`, and `self.baseline = None`. `probabilities()`: a dict of softmaxes. `ask`:
inside it, `def choose(name, options): ...` draws an index with `self.rng.choice(len(options),
p=...)`, remembers (name, index) and returns the option at that index; then `return
self.space.decide(choose)`.

`tell`: R = evaluation.val_accuracy; if the baseline is None set it to R; advantage = R - baseline;
only then baseline = decay * baseline + (1 - decay) * R.

For each remembered (name, k): p = current softmax; logits[name] += learning_rate * (advantage *
(onehot(k) - p) + entropy_weight * (-p * (log p + H))). That is minus your q1 gradient, plus β times
your q2 gradient.
""")


# -- p1, p2: predict, then run --------------------------------------------------------------------

@lru_cache(maxsize=None)
def baseline_variance_ratio(edge: int = 3, draws: int = 2000, decay: float = 0.9, seed: int = 0) -> float:
    """At the uniform policy, the variance of the one-sample REINFORCE estimate of one decision's
    gradient without a baseline, divided by that with the moving-average baseline: section 3.1's
    experiment on the cell benchmark (every raw cell, every seed's reward), with its settings."""
    bench = _evaluator().benchmark
    raw = list(bench.space.enumerate())                        # uniform policy: every raw cell equally likely
    rewards = bench.val[[bench.index(a) for a in raw], :, -1]
    ops = bench.space.decisions[edge][1]
    score = np.array([[a[edge] == op for op in ops] for a in raw]) - 1 / len(ops)    # onehot(a_e) - p
    rng = np.random.default_rng(seed)
    cells, seeds = rng.integers(len(raw), size=draws), rng.integers(rewards.shape[1], size=draws)
    r = rewards[cells, seeds]
    ema = np.r_[r[0], pd.Series(r).ewm(alpha=1 - decay, adjust=False).mean()[:-1]]   # b before each reward
    without, with_ = r[:, None] * score[cells], (r - ema)[:, None] * score[cells]
    return float(without.var(axis=0, ddof=1).sum() / with_.var(axis=0, ddof=1).sum())


def _variance_answer() -> str:
    ratio = baseline_variance_ratio()
    return "a" if ratio < 1.5 else "b" if ratio <= 10 else "c"


p1 = Question(
    "p1", expected=_variance_answer,
    choices={"a": "about the same (the expectation is unchanged)",
             "b": "a few times larger", "c": "more than ten times larger"},
    hint="""
Without a baseline the estimate is R (onehot - p), and every reward is an accuracy near the typical
one: what size is R compared with R - b, the reward's gap to the usual reward?
""",
    why="""
The expectation is the same with or without a baseline, but the spread is not: without one, every
draw is weighted by the whole reward, a large number, so the estimates swing widely; with one, only
by the reward's small gap to the usual reward.
""")


#: Section 4's comparison: 100 searches per strategy; its dashboard opens at 100 evaluations.
SEEDS, BUDGET, ALPHA = range(100), 100, 0.05


@lru_cache(maxsize=None)
def _reinforce_runs():
    return compare({"random": RandomSearch(), "REINFORCE": Reinforce()}, _evaluator(), budget=BUDGET, seeds=SEEDS)


def reinforce_margin() -> str:
    """p2's answer: at BUDGET evaluations, does REINFORCE (defaults) beat random search by a wide
    margin (a: significantly, with at most half its mean validation regret), by a small margin (b:
    significantly, more than half) or not detectably (c: one-sided rank-sum p >= ALPHA)?"""
    table = summarize(_reinforce_runs(), budget=BUDGET, baseline="random").set_index("strategy")
    if table.loc["REINFORCE", "val_regret_p"] >= ALPHA:
        return "c"
    return "a" if table.loc["REINFORCE", "val_regret"] <= table.loc["random", "val_regret"] / 2 else "b"


p2 = Question(
    "p2", expected=reinforce_margin,
    choices={"a": "by a wide margin", "b": "reliably but by a small margin", "c": "not detectably"},
    hint="""
The policy does learn, but random search is a strong baseline here: how much of the cell benchmark
is nearly optimal, and how quickly does random search find one such cell (lesson 04)?
""",
    why="""
The policy learns (the p-value is small), but where many cells are nearly optimal, random search
finds one quickly too, so there is little regret left to remove: a reliable but small win, as on
NAS-Bench-201.
""")
