"""Wrong answers to lesson 06's exercises (see tests/exercise_cases/__init__.py)."""
from __future__ import annotations

import numpy as np
import torch

from nastutor.strategies import Reinforce
from nastutor.strategies.reinforce import softmax as _softmax
from nastutor.exercises.lesson06 import MyReinforce, entropy_and_gradient, reinforce_gradient


def _ascent(logits, action, reward, baseline):
    return [-g for g in reinforce_gradient(logits, action, reward, baseline)]


def _without_baseline(logits, action, reward, baseline):
    return reinforce_gradient(logits, action, reward, 0.0)


def _onehot_only(logits, action, reward, baseline):
    out = []
    for theta, k in zip(logits, action):
        g = np.zeros(len(theta))
        g[k] = -(reward - baseline)
        out.append(g)
    return out


def _logits_not_probabilities(logits, action, reward, baseline):
    out = []
    for theta, k in zip(logits, action):
        onehot = np.zeros(len(theta))
        onehot[k] = 1.0
        out.append(-(reward - baseline) * (onehot - theta))
    return out


def _one_array(logits, action, reward, baseline):
    return np.concatenate(reinforce_gradient(logits, action, reward, baseline))


def _autograd(logits, action, reward, baseline):
    thetas = [torch.tensor(t, dtype=torch.float64, requires_grad=True) for t in logits]
    loss = -(reward - baseline) * sum(torch.log_softmax(t, dim=0)[k] for t, k in zip(thetas, action))
    loss.backward()
    return [t.grad.numpy() for t in thetas]


def _strings(logits, action, reward, baseline):
    return [g.astype(str) for g in reinforce_gradient(logits, action, reward, baseline)]


def _entropy_autograd(logits):
    theta = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    log_p = torch.log_softmax(theta, dim=0)
    h = -(log_p.exp() * log_p).sum()
    (grad,) = torch.autograd.grad(h, theta)
    return float(h), grad.numpy()


def _entropy_rounded(logits):
    h, g = entropy_and_gradient(logits)
    return round(h, 3), g


def _bits(logits):
    h, g = entropy_and_gradient(logits)
    return h / np.log(2), g / np.log(2)


def _gradient_wrt_p(logits):
    h, _ = entropy_and_gradient(logits)
    p = _softmax(np.asarray(logits, dtype=float))
    return h, -(np.log(p) + 1)


def _flipped(logits):
    h, g = entropy_and_gradient(logits)
    return h, -g


def _missing_h(logits):
    h, _ = entropy_and_gradient(logits)
    p = _softmax(np.asarray(logits, dtype=float))
    return h, -p * np.log(p)


class _Descent(MyReinforce):
    """Steps the wrong way."""

    def tell(self, arch, evaluation):
        before = {k: v.copy() for k, v in self.logits.items()}
        super().tell(arch, evaluation)
        for k in self.logits:
            self.logits[k] = 2 * before[k] - self.logits[k]


class _NoBaseline(MyReinforce):
    def tell(self, arch, evaluation):
        self.baseline = 0.0
        super().tell(arch, evaluation)


class _BaselineFirst(MyReinforce):
    """Updates the baseline with the current reward before computing the advantage."""

    def tell(self, arch, evaluation):
        reward = evaluation.val_accuracy
        self.baseline = reward if self.baseline is None else (
            self.baseline_decay * self.baseline + (1 - self.baseline_decay) * reward)
        saved, self.baseline_decay = self.baseline_decay, 1.0 - 1e-12
        super().tell(arch, evaluation)
        self.baseline_decay = saved


class _Logits(MyReinforce):
    def probabilities(self):
        return {name: theta.copy() for name, theta in self.logits.items()} if hasattr(self, "_ready") else \
            super().probabilities()

    def tell(self, arch, evaluation):
        super().tell(arch, evaluation)
        self._ready = True


class _EntropySign(MyReinforce):
    def tell(self, arch, evaluation):
        self.entropy_weight = -self.entropy_weight
        try:
            super().tell(arch, evaluation)
        finally:
            self.entropy_weight = -self.entropy_weight


class _GlobalRandom(MyReinforce):
    def ask(self):
        self.rng = np.random.default_rng()
        return super().ask()


WRONG = {
    "q1": [_ascent, _without_baseline, _onehot_only, _logits_not_probabilities, _one_array, _autograd, _strings],
    "q2": [_bits, _gradient_wrt_p, _flipped, _missing_h, _entropy_autograd, _entropy_rounded,
           lambda logits: (str(entropy_and_gradient(logits)[0]), entropy_and_gradient(logits)[1])],
    "q3": [_Descent, _NoBaseline, _BaselineFirst, _Logits, _EntropySign, _GlobalRandom, Reinforce,
           type("MyReinforce", (Reinforce,), {})],                           # nastutor's own, renamed
    # "predict, then run": the other letters (the lesson's prose after each question assumes its answer),
    # and answers that are not one of the letters
    "p1": ["a", "b", 19],
    "p2": ["a", "c", "d"],
}
