"""Optuna's samplers as a nastutor strategy: the tool practitioners use, side by side.
Taught in lesson 07 (comparing strategies fairly)."""
from __future__ import annotations

from ..checks import InputError
from ..records import Evaluation
from ..spaces import Arch, SearchSpace
from .base import Strategy
from .registry import Param, register

__all__ = ["OptunaSampler"]

SAMPLERS = ("tpe", "random")


@register("optuna", "Optuna TPE", [
    Param("sampler", "tpe", choices=SAMPLERS, label="Optuna sampler", control=False)], lesson="07")
class OptunaSampler(Strategy):
    """Ask an Optuna study for each architecture: every decision of the space becomes a
    `trial.suggest_categorical` (define-by-run, so an MLP only suggests the layers it has),
    and `tell` reports the validation accuracy back. `sampler` is "tpe" (the Tree-structured
    Parzen Estimator, Optuna's default) or "random".

    >>> from nastutor.spaces import CellSpace
    >>> tpe = OptunaSampler("tpe"); tpe.setup(CellSpace(), seed=0)
    """

    observes = False  # its study learns from its own trials: no warm start (lesson 12)

    def __init__(self, sampler: str = "tpe"):
        if sampler not in SAMPLERS:
            raise InputError(f"unknown sampler {sampler!r}; choose one of: {', '.join(SAMPLERS)}")
        self.sampler = sampler

    def setup(self, space: SearchSpace, seed: int = 0, max_epochs: int | None = None) -> None:
        import optuna

        super().setup(space, seed, max_epochs)
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        seed = int(self.rng.integers(2**31))
        sampler = (optuna.samplers.TPESampler(seed=seed) if self.sampler == "tpe"
                   else optuna.samplers.RandomSampler(seed=seed))
        self.study = optuna.create_study(direction="maximize", sampler=sampler)

    def ask(self) -> Arch:
        self._check_setup()
        trial = self.study.ask()
        arch = self.space.decide(lambda name, options: trial.suggest_categorical(name, options))
        self.remember(arch, trial)  # tell finds the trial by this ask's ticket
        return arch

    def tell(self, arch: Arch, evaluation: Evaluation) -> None:
        self.study.tell(self.recall(arch, evaluation), evaluation.val_accuracy)
