"""REINFORCE (Williams 1992) as a NAS controller (Zoph & Le, 2017, "Neural Architecture
Search with Reinforcement Learning"). Taught in lesson 06."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn

from ..checks import InputError, check_int, check_number
from ..records import Evaluation
from ..spaces import Arch, SearchSpace
from .base import Strategy
from .registry import Param, register

__all__ = ["Reinforce", "LSTMController", "softmax"]

CONTROLLERS = ("factorized", "lstm")


def softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max())
    return e / e.sum()


class LSTMController(nn.Module):
    """Zoph & Le's controller: an LSTM that emits one decision per step, each step fed the
    embedding of the previous choice, with one softmax head per decision."""

    def __init__(self, decisions: list[tuple[str, tuple]], hidden: int):
        super().__init__()
        self.index = {name: k for k, (name, _) in enumerate(decisions)}
        self.cell = nn.LSTMCell(hidden, hidden)
        self.start = nn.Parameter(torch.zeros(1, hidden))
        self.embed = nn.ModuleList(nn.Embedding(len(options), hidden) for _, options in decisions)
        self.heads = nn.ModuleList(nn.Linear(hidden, len(options)) for _, options in decisions)
        self.hidden = hidden

    def run(self, space: SearchSpace, pick) -> tuple[Arch, list[tuple[str, int]], torch.Tensor, torch.Tensor]:
        """Walk `space.decide`; `pick(name, probs)` chooses an option index at each step.
        Returns the architecture, the choices, and the summed log-probability and entropy."""
        state = (torch.zeros(1, self.hidden), torch.zeros(1, self.hidden))
        x, logp, entropy, choices = self.start, torch.zeros(()), torch.zeros(()), []

        def choose(name: str, options: tuple):
            nonlocal x, state, logp, entropy
            k = self.index[name]
            state = self.cell(x, state)
            log_probs = torch.log_softmax(self.heads[k](state[0])[0], dim=0)
            i = pick(name, log_probs.exp().detach().numpy())
            logp = logp + log_probs[i]
            entropy = entropy - (log_probs.exp() * log_probs).sum()
            choices.append((name, i))
            x = self.embed[k](torch.tensor([i]))
            return options[i]

        return space.decide(choose), choices, logp, entropy


@register("reinforce", "REINFORCE (factorized)", [
    Param("learning_rate", 0.5, 0.01, 10.0, log=True, label="learning rate α"),
    Param("entropy_weight", 0.0, 0.0, 0.2, 0.01, label="entropy weight"),
    Param("baseline_decay", 0.9, 0.0, 0.99, 0.01, label="baseline decay"),
    Param("controller", "factorized", choices=CONTROLLERS, label="controller", control=False),
    Param("hidden_size", 32, 8, 128, label="LSTM hidden size", control=False)], lesson="06")
class Reinforce(Strategy):
    """A policy π_θ over the space's decisions, trained by REINFORCE:

        loss = -log π_θ(a) · (R(a) - b) - β · H(π_θ)

    where R(a) is the validation accuracy, b an exponential moving average of past rewards
    (decay `baseline_decay`), β the `entropy_weight` and H the entropy of the choices made.
    Each `tell` takes one gradient step with `learning_rate` (default 0.5 for the factorized
    policy, 0.01 for the LSTM's Adam; larger LSTM rates collapse the policy too early).

    `controller="factorized"`: one independent categorical distribution per decision, its
    logits θ updated in closed form (∇ log softmax = one-hot − probabilities).
    `controller="lstm"`: Zoph & Le's autoregressive LSTM, trained with Adam.

    >>> from nastutor.spaces import CellSpace
    >>> rl = Reinforce(); rl.setup(CellSpace(), seed=0)
    >>> sorted(rl.probabilities())[0]
    'edge 1<-0'
    """

    observes = False  # its policy learns from the choices it sampled: no warm start (lesson 12)

    def __init__(self, learning_rate: float | None = None, baseline_decay: float = 0.9, entropy_weight: float = 0.0,
                 controller: str = "factorized", hidden_size: int = 32):
        if learning_rate is None:  # plain gradient steps on logits vs Adam on an LSTM
            learning_rate = 0.5 if controller == "factorized" else 0.01
        learning_rate = check_number(learning_rate, "learning_rate", positive=True)
        baseline_decay = check_number(baseline_decay, "baseline_decay", minimum=0, maximum=1)
        if baseline_decay == 1:
            raise InputError("baseline_decay must be below 1 (at 1 the baseline never leaves the first reward)")
        entropy_weight = check_number(entropy_weight, "entropy_weight", minimum=0)
        if controller not in CONTROLLERS:
            raise InputError(f"unknown controller {controller!r}; choose one of: {', '.join(CONTROLLERS)}")
        hidden_size = check_int(hidden_size, "hidden_size", minimum=1)
        self.learning_rate, self.baseline_decay, self.entropy_weight = learning_rate, baseline_decay, entropy_weight
        self.controller, self.hidden_size = controller, hidden_size

    def setup(self, space: SearchSpace, seed: int = 0, max_epochs: int | None = None) -> None:
        super().setup(space, seed, max_epochs)
        self.baseline: float | None = None
        if self.controller == "factorized":
            self.logits = {name: np.zeros(len(options)) for name, options in space.decisions}
        else:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(int(self.rng.integers(2**31)))
                self.lstm = LSTMController(space.decisions, self.hidden_size)
            self.optimizer = torch.optim.Adam(self.lstm.parameters(), lr=self.learning_rate)

    def _pick(self, name: str, probs: np.ndarray) -> int:
        return int(self.rng.choice(len(probs), p=probs / probs.sum()))

    def ask(self) -> Arch:
        self._check_setup()
        choices: list[tuple[str, int]] = []
        if self.controller == "factorized":
            def choose(name: str, options: tuple):
                i = self._pick(name, softmax(self.logits[name]))
                choices.append((name, i))
                return options[i]
            arch = self.space.decide(choose)
        else:
            with torch.no_grad():
                arch, choices, _, _ = self.lstm.run(self.space, self._pick)
        self.remember(arch, choices)  # tell finds the choices by this ask's ticket
        return arch

    def tell(self, arch: Arch, evaluation: Evaluation) -> None:
        choices: list[tuple[str, int]] = self.recall(arch, evaluation)
        reward = evaluation.val_accuracy
        if self.baseline is None:
            self.baseline = reward
        advantage = reward - self.baseline
        self.baseline = self.baseline_decay * self.baseline + (1 - self.baseline_decay) * reward
        if self.controller == "factorized":
            for name, i in choices:  # gradient ascent on advantage * log π + β H
                p = softmax(self.logits[name])
                grad_logp = -p
                grad_logp[i] += 1.0
                grad_entropy = -p * (np.log(p) + (-(p * np.log(p)).sum()))
                self.logits[name] += self.learning_rate * (advantage * grad_logp + self.entropy_weight * grad_entropy)
        else:
            replay = iter(choices)
            _, _, logp, entropy = self.lstm.run(self.space, lambda name, probs: next(replay)[1])
            loss = -logp * advantage - self.entropy_weight * entropy
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()

    def probabilities(self) -> dict[str, np.ndarray]:
        """The policy's current probability of each option, per decision (for the first
        decisions of the LSTM: given the most likely earlier choices)."""
        self._check_setup()
        if self.controller == "factorized":
            return {name: softmax(logits) for name, logits in self.logits.items()}
        probs: dict[str, np.ndarray] = {}

        def greedy(name: str, p: np.ndarray) -> int:
            probs[name] = p
            return int(np.argmax(p))

        with torch.no_grad():
            self.lstm.run(self.space, greedy)
        return probs
