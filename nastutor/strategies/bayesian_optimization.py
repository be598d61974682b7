"""Bayesian optimisation with a Gaussian-process surrogate and expected improvement
(as in BANANAS' and NASBOT's framing, White et al. 2021; Kandasamy et al. 2018).
Taught in the lesson on Bayesian optimisation."""
from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import norm
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

from ..checks import check_int, check_number
from ..records import Evaluation
from ..spaces import Arch, SearchSpace
from .base import Strategy
from .registry import Param, register

__all__ = ["BayesianOptimization", "expected_improvement"]


def expected_improvement(mu: np.ndarray, sigma: np.ndarray, best: float, xi: float = 0.0) -> np.ndarray:
    """E[max(f - best - xi, 0)] for f ~ N(mu, sigma^2): how much a candidate is expected to
    beat the incumbent. Large where the mean is high or the model is unsure."""
    sigma = np.maximum(sigma, 1e-9)
    z = (mu - best - xi) / sigma
    return (mu - best - xi) * norm.cdf(z) + sigma * norm.pdf(z)


@register("bo", "Bayesian optimisation (GP + EI)", [
    Param("initial", 10, 2, 30, label="random starts"),
    Param("top", 5, 1, 20, label="best architectures whose neighbours are candidates", control=False),
    Param("random_candidates", 50, 0, 200, label="random candidates", control=False),
    Param("xi", 0.0, 0.0, 0.1, 0.005, label="exploration ξ", control=False)], lesson="07")
class BayesianOptimization(Strategy):
    """After `initial` random architectures, fit a Gaussian process to (encoding, validation
    accuracy) of everything evaluated, and ask for the candidate with the highest expected
    improvement. Candidates are the mutations (all neighbours) of the `top` best architectures
    so far plus `random_candidates` random ones, never a function already evaluated.

    >>> from nastutor.spaces import CellSpace
    >>> bo = BayesianOptimization(); bo.setup(CellSpace(), seed=0)
    """

    def __init__(self, initial: int = 10, top: int = 5, random_candidates: int = 50, xi: float = 0.0):
        self.initial = check_int(initial, "initial", minimum=2)
        self.top = check_int(top, "top", minimum=1)
        self.random_candidates = check_int(random_candidates, "random_candidates", minimum=0)
        self.xi = check_number(xi, "xi", minimum=0)

    def setup(self, space: SearchSpace, seed: int = 0, max_epochs: int | None = None) -> None:
        super().setup(space, seed, max_epochs)
        self.archs: list[Arch] = []
        self.scores: list[float] = []
        self._seen: set[Arch] = set()  # canonical forms evaluated or asked

    def _surrogate(self) -> GaussianProcessRegressor:
        kernel = ConstantKernel(1.0) * Matern(length_scale=2.0, nu=2.5) + WhiteKernel(1e-3)
        gp = GaussianProcessRegressor(kernel, normalize_y=True, random_state=int(self.rng.integers(2**31)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            gp.fit(np.stack([self.space.encode(a) for a in self.archs]), np.array(self.scores))
        return gp

    def ask(self) -> Arch:
        self._check_setup()
        if len(self.archs) < self.initial:
            arch = self.space.sample(self.rng)
        else:
            order = np.argsort(self.scores)[::-1][: self.top]
            pool = [n for i in order for n in self.space.neighbors(self.archs[i])]
            pool += [self.space.sample(self.rng) for _ in range(self.random_candidates)]
            pool = list(dict.fromkeys(a for a in pool if self.space.canonical(a) not in self._seen))
            if not pool:
                return self.space.sample(self.rng)
            mu, sigma = self._surrogate().predict(np.stack([self.space.encode(a) for a in pool]), return_std=True)
            arch = pool[int(np.argmax(expected_improvement(mu, sigma, max(self.scores), self.xi)))]
        self._seen.add(self.space.canonical(arch))
        return arch

    def tell(self, arch: Arch, evaluation: Evaluation) -> None:
        self.archs.append(arch)
        self.scores.append(evaluation.val_accuracy)
        self._seen.add(self.space.canonical(arch))
