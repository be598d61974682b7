"""Bayesian optimisation with a Gaussian-process surrogate and expected improvement
(as in BANANAS' and NASBOT's framing, White et al. 2021; Kandasamy et al. 2018).
Taught in lesson 08."""
from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import norm
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
from threadpoolctl import ThreadpoolController

from ..checks import InputError, check_int, check_number
from ..records import Evaluation
from ..spaces import Arch, SearchSpace
from .base import Strategy
from .registry import Param, register

__all__ = ["BayesianOptimization", "expected_improvement"]


_BLAS: list[ThreadpoolController] = []


def _one_blas_thread():
    """A context with one BLAS thread: a GP's matrices are small, and more threads only fight
    over the cores (five times slower on a busy 2-core machine)."""
    if not _BLAS:
        _BLAS.append(ThreadpoolController())
    return _BLAS[0].limit(limits=1)


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
    Param("xi", 0.0, 0.0, 0.1, 0.005, label="exploration ξ", control=False),
    Param("refit_every", 10, 1, 50, label="refit the kernel every", control=False),
    Param("canonical", True, label="encode canonical forms", control=False)], lesson="08")
class BayesianOptimization(Strategy):
    """After `initial` random architectures, fit a Gaussian process to (encoding, validation
    accuracy) of everything evaluated, and ask for the candidate with the highest expected
    improvement. Candidates are the mutations (all neighbours) of the `top` best architectures
    so far plus `random_candidates` random ones, never a function already evaluated.

    The kernel's hyperparameters (scale, length scale, noise) are fitted by maximum marginal
    likelihood every `refit_every` evaluations and held in between, where only the (cheap) posterior
    is updated: refitting at every step costs most of BO's time and barely changes its choices.
    With `canonical`, each cell is encoded by its canonical form, so that cells computing the same
    function (lesson 02) look the same to the GP.

    >>> from nastutor.spaces import CellSpace
    >>> bo = BayesianOptimization(); bo.setup(CellSpace(), seed=0)
    """

    def __init__(self, initial: int = 10, top: int = 5, random_candidates: int = 50, xi: float = 0.0,
                 refit_every: int = 10, canonical: bool = True):
        self.initial = check_int(initial, "initial", minimum=2)
        self.top = check_int(top, "top", minimum=1)
        self.random_candidates = check_int(random_candidates, "random_candidates", minimum=0)
        self.xi = check_number(xi, "xi", minimum=0)
        self.refit_every = check_int(refit_every, "refit_every", minimum=1)
        if not isinstance(canonical, (bool, np.bool_)):
            raise InputError(f"canonical must be True or False, got {canonical!r}")
        self.canonical = bool(canonical)

    def setup(self, space: SearchSpace, seed: int = 0, max_epochs: int | None = None) -> None:
        super().setup(space, seed, max_epochs)
        self.archs: list[Arch] = []
        self.scores: list[float] = []
        self._seen: set[Arch] = set()  # canonical forms evaluated or asked
        self._kernel, self._fitted_at = None, 0  # the last fitted kernel, and at how many evaluations
        self._codes: dict[Arch, np.ndarray] = {}  # encodings, computed once per architecture

    def _encode(self, archs: list[Arch]) -> np.ndarray:
        for a in archs:
            if a not in self._codes:
                self._codes[a] = self.space.encode(self.space.canonical(a) if self.canonical else a)
        return np.stack([self._codes[a] for a in archs])

    def surrogate(self) -> GaussianProcessRegressor:
        """The Gaussian process fitted to (encoding, validation accuracy) of everything told so
        far (at least two evaluations); `posterior(archs)` asks it about architectures.
        """
        if len(self.archs) < 2:
            raise InputError(f"the surrogate needs at least 2 evaluations to fit, this search has {len(self.archs)}")
        refit = self._kernel is None or len(self.archs) >= self._fitted_at + self.refit_every
        kernel = self._kernel or ConstantKernel(1.0) * Matern(length_scale=2.0, nu=2.5) + WhiteKernel(1e-3)
        gp = GaussianProcessRegressor(kernel, normalize_y=True, optimizer="fmin_l_bfgs_b" if refit else None)
        with warnings.catch_warnings(), _one_blas_thread():
            warnings.simplefilter("ignore", ConvergenceWarning)
            gp.fit(self._encode(self.archs), np.array(self.scores))
        if refit:  # the kernel's hyperparameters, by maximum marginal likelihood: held until the next refit
            self._kernel, self._fitted_at = gp.kernel_, len(self.archs)
        return gp

    def posterior(self, archs: list[Arch]) -> tuple[np.ndarray, np.ndarray]:
        """The surrogate's posterior mean and standard deviation at `archs`, fitted to everything
        told so far (lesson 08 draws it over the whole landscape)."""
        gp = self.surrogate()
        with _one_blas_thread():
            return gp.predict(self._encode(list(archs)), return_std=True)

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
            mu, sigma = self.posterior(pool)
            arch = pool[int(np.argmax(expected_improvement(mu, sigma, max(self.scores), self.xi)))]
        self._seen.add(self.space.canonical(arch))
        return arch

    def tell(self, arch: Arch, evaluation: Evaluation) -> None:
        self.archs.append(arch)
        self.scores.append(evaluation.val_accuracy)
        self._seen.add(self.space.canonical(arch))
