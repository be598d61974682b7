"""Multi-objective search: accurate *and* fast. Taught in lesson 11 (hardware-aware NAS).

Three ways to search for architectures that trade validation accuracy against latency:

- `ParetoEvolution`: regularized evolution (lesson 05) whose tournament ranks by Pareto dominance
  instead of accuracy alone, as NSGA-II does (Deb et al., 2002): the winner of S sampled members
  is the one with the lowest non-dominated rank in the population, ties broken by the larger
  crowding distance (a sparser stretch of the front);
- `OptunaNSGA2`: Optuna's NSGA-II sampler on a two-objective study, the practitioner's peer;
- `MnasNet`: any single-objective strategy searching MnasNet's reward (Tan et al., 2019),
  ACC(m) * (LAT(m) / T)^w: a soft constraint with w = -0.07, or a hard one (w = 0 under the
  target T, -1 above it); `mnasnet_reward` computes it.

Where latency comes from. An `Evaluation` holds accuracy, parameters and training cost, not
latency, and strategies never import the benchmark (they see spaces and evaluations only). So
the latency is a function of the architecture given at construction, `latency=`: the benchmark's
measured latency (`nastutor.hardware.benchmark_latency(bench)`), the lesson's lookup-table
predictor (`nastutor.hardware.LatencyTable`), or the learner's own timing function. This is what
hardware-aware NAS does (FBNet's lookup table, MnasNet's measurements on a phone): latency is
known without training. Without one (`latency=None`, so that the registry, the dashboards and the
command line can build the strategy) the cost objective is the evaluation's training seconds
(`evaluation.cost`), which every evaluator reports.

    >>> from nastutor.spaces import CellSpace
    >>> evo = ParetoEvolution(population_size=20, sample_size=3)
    >>> evo.setup(CellSpace(), seed=0)
    >>> mnasnet_reward(0.9, latency=2.0, target=2.0)       # on target: the accuracy itself
    0.9
"""
from __future__ import annotations

import random
from collections import deque
from dataclasses import replace
from typing import Callable

import numpy as np

from ..checks import InputError, check_int, check_number
from ..pareto import crowding_distance, nondominated_rank
from ..records import Evaluation
from ..spaces import Arch, SearchSpace
from .base import Strategy
from .optuna_sampler import OptunaSampler
from .registry import REGISTRY, Param, register

__all__ = ["ParetoEvolution", "OptunaNSGA2", "MnasNet", "mnasnet_reward", "LatencyFunction"]

#: A function from an architecture to its latency (ms), such as `nastutor.hardware.benchmark_latency(bench)`.
LatencyFunction = Callable[[Arch], float]

_LATENCY_LABEL = "latency: a function arch -> ms, set from Python (None: the evaluation's training seconds)"


def _check_latency(latency: object) -> LatencyFunction | None:
    if latency is not None and not callable(latency):
        raise InputError("latency must be a function from an architecture to its latency in ms, such as "
                         f"nastutor.hardware.benchmark_latency(bench), or None, got {latency!r:.80}")
    return latency  # type: ignore[return-value]


def _cost(latency: LatencyFunction | None, arch: Arch, evaluation: Evaluation) -> float:
    """The second objective of `arch`: its latency, or without a latency function its training seconds."""
    value = latency(arch) if latency is not None else evaluation.cost
    return check_number(value, "the latency of an architecture", minimum=0.0)


def mnasnet_reward(accuracy, latency, target: float, w: float = -0.07, hard: bool = False):
    """MnasNet's reward ACC * (LAT / T)^w (Tan et al., 2019, eq. 2): above the target T the
    accuracy is discounted, below it rewarded a little (w < 0). `hard=True` is the paper's hard
    constraint: w = 0 at or under T (accuracy alone), w = -1 above it (sharply penalised).
    Works on numbers or NumPy arrays (the reward of every cell of a benchmark at once).
    Taught in lesson 11.

        >>> mnasnet_reward(0.9, latency=4.0, target=2.0) == 0.9 * 2 ** -0.07     # twice too slow
        True
        >>> mnasnet_reward(0.9, latency=1.0, target=2.0, hard=True), mnasnet_reward(0.9, 4.0, 2.0, hard=True)
        (0.9, 0.45)
    """
    target = check_number(target, "target T", positive=True)
    w = check_number(w, "w")
    if not isinstance(hard, (bool, np.bool_)):
        raise InputError(f"hard must be True (w = 0 under the target, -1 above) or False (soft, w everywhere), "
                         f"got {hard!r}")
    acc, lat = np.asarray(accuracy, dtype=float), np.asarray(latency, dtype=float)
    if not (np.isfinite(acc).all() and np.isfinite(lat).all() and (lat > 0).all()):
        raise InputError(f"accuracy must be finite and latency finite and > 0, got {accuracy!r:.60} and {latency!r:.60}")
    ratio = lat / target
    exponent = np.where(ratio <= 1, 0.0, -1.0) if hard else w
    reward = acc * ratio ** exponent
    return float(reward) if reward.ndim == 0 else reward


@register("pareto_evolution", "Pareto evolution (accuracy and latency)", [
    Param("population_size", 10, 4, 100, label="population P"),
    Param("sample_size", 3, 2, 10, label="sample S"),
    Param("aging", True, label="aging (remove the oldest)"),
    Param("unique", True, label="no repeats (mutate a child seen before again)"),
    Param("latency", None, label=_LATENCY_LABEL, control=False)], lesson="11")
class ParetoEvolution(Strategy):
    """Regularized evolution over two objectives, validation accuracy (up) and latency (down).

    Keep the last P evaluated architectures. Each cycle: sample S of them, rank the population by
    non-dominated sorting, take the sampled member with the lowest rank (the larger crowding
    distance among equals), mutate it, evaluate the child and add it. With `aging` the oldest
    member dies, as in regularized evolution; without, the worst by (rank, crowding) dies, as in a
    steady-state NSGA-II. The first P architectures are random. With `unique`, a child equal or
    equivalent (`space.canonical`) to an architecture asked before is mutated afresh from the same
    parent, up to `RETRIES` times: on a benchmark where many cells compute the same function, a
    repeat costs a whole evaluation and teaches nothing. `latency` is a function from an
    architecture to its latency (see the module's docstring).

        >>> from nastutor.spaces import CellSpace
        >>> from nastutor.benchmark import Benchmark
        >>> from nastutor.hardware import benchmark_latency
        >>> evo = ParetoEvolution(latency=benchmark_latency(Benchmark.load("cell-mnist1d")))
        >>> evo.setup(CellSpace(), seed=0); evo.ask() in CellSpace()
        True
    """

    #: How many times `unique` mutates afresh before it accepts a repeat.
    RETRIES = 10

    def __init__(self, population_size: int = 10, sample_size: int = 3, aging: bool = True, unique: bool = True,
                 latency: LatencyFunction | None = None):
        population_size = check_int(population_size, "population_size P", minimum=2)
        sample_size = check_int(sample_size, "sample_size S", minimum=1, maximum=population_size)
        for name, value, meaning in (("aging", aging, "True (remove the oldest) or False (remove the worst)"),
                                     ("unique", unique, "True (no repeats) or False")):
            if not isinstance(value, bool):
                raise InputError(f"{name} must be {meaning}, got {value!r}")
        self.population_size, self.sample_size, self.aging, self.unique = population_size, sample_size, aging, unique
        self.latency = _check_latency(latency)

    def setup(self, space: SearchSpace, seed: int = 0, max_epochs: int | None = None) -> None:
        super().setup(space, seed, max_epochs)
        self.population: deque[tuple[Arch, float, float]] = deque()  # (arch, accuracy, latency), oldest first
        self._random = random.Random(int(self.rng.integers(2**63)))
        self._asked = 0
        self._seen: set[Arch] = set()  # the canonical forms asked so far

    def _order(self) -> np.ndarray:
        """Each member's place in NSGA-II's order (0 = best): by rank, then by larger crowding
        distance within the rank."""
        points = np.array([(acc, lat) for _, acc, lat in self.population])
        rank = nondominated_rank(points)
        crowding = np.zeros(len(points))
        for level in np.unique(rank):
            members = np.flatnonzero(rank == level)
            crowding[members] = crowding_distance(points[members])
        order = np.lexsort((-crowding, rank))
        place = np.empty(len(points), dtype=int)
        place[order] = np.arange(len(points))
        return place

    def tournament(self) -> Arch:
        """Sample S members of the population; return the architecture of the one NSGA-II's order
        puts first."""
        self._check_setup()
        if not self.population:
            raise InputError("the population is empty: tell the strategy some evaluations before a tournament")
        place = self._order()
        contenders = self._random.sample(range(len(self.population)), min(self.sample_size, len(self.population)))
        return self.population[min(contenders, key=lambda i: place[i])][0]

    def ask(self) -> Arch:
        self._check_setup()
        self._asked += 1
        if self._asked <= self.population_size or not self.population:
            child = self.space.sample(self.rng)  # the initial population is random
        else:
            parent = self.tournament()
            for _ in range(1 + (self.RETRIES if self.unique else 0)):  # a repeat is mutated afresh
                child = self.space.mutate(parent, self.rng)
                if self.space.canonical(child) not in self._seen:
                    break
        self._seen.add(self.space.canonical(child))
        return child

    def observe(self, arch: Arch, evaluation: Evaluation) -> None:
        """A member of the initial population that the strategy did not draw (lesson 12's warm start)."""
        self._asked += 1
        self._seen.add(self.space.canonical(arch))
        self.tell(arch, evaluation)

    def tell(self, arch: Arch, evaluation: Evaluation) -> None:
        self.population.append((arch, evaluation.val_accuracy, _cost(self.latency, arch, evaluation)))
        if len(self.population) > self.population_size:
            if self.aging:
                self.population.popleft()  # regularized: the oldest dies
            else:
                del self.population[int(np.argmax(self._order()))]  # steady-state NSGA-II: the last in order dies


@register("optuna_nsga2", "Optuna NSGA-II (accuracy and latency)", [
    Param("population_size", 20, 4, 100, label="population (generation size)"),
    Param("latency", None, label=_LATENCY_LABEL, control=False)], lesson="11")
class OptunaNSGA2(OptunaSampler):
    """Optuna's NSGA-II sampler on a study with two objectives, validation accuracy (maximised)
    and latency (minimised): every decision of the space is a `suggest_categorical`, as in
    `OptunaSampler` (lesson 07). Each generation of `population_size` trials is bred from the
    best of the previous ones by non-dominated rank and crowding distance, with uniform crossover
    and mutation. `latency` as in `ParetoEvolution`; it asks as `OptunaSampler` does.

        >>> from nastutor.spaces import CellSpace
        >>> nsga = OptunaNSGA2(population_size=10); nsga.setup(CellSpace(), seed=0)
        >>> nsga.ask() in CellSpace()
        True
    """

    def __init__(self, population_size: int = 20, latency: LatencyFunction | None = None):
        self.population_size = check_int(population_size, "population_size", minimum=2)
        self.latency = _check_latency(latency)

    def setup(self, space: SearchSpace, seed: int = 0, max_epochs: int | None = None) -> None:
        import optuna  # as in OptunaSampler: Optuna is loaded by the strategies that use it

        Strategy.setup(self, space, seed, max_epochs)        # not OptunaSampler's one-objective study
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        sampler = optuna.samplers.NSGAIISampler(population_size=self.population_size,
                                                seed=int(self.rng.integers(2**31)))
        self.study = optuna.create_study(directions=["maximize", "minimize"], sampler=sampler)

    def tell(self, arch: Arch, evaluation: Evaluation) -> None:
        trial = self.recall(arch, evaluation)
        self.study.tell(trial, [evaluation.val_accuracy, _cost(self.latency, arch, evaluation)])


#: The single-objective strategies `MnasNet` offers by name (any Strategy object works from Python).
MNASNET_SEARCHES = ("evolution", "reinforce", "random")


@register("mnasnet", "MnasNet reward (any strategy)", [
    Param("strategy", "evolution", choices=MNASNET_SEARCHES, label="strategy searching the reward"),
    Param("target", 2.0, 0.1, 20.0, log=True, label="target latency T"),
    Param("w", -0.07, -1.0, 0.0, 0.01, label="exponent w"),
    Param("hard", False, label="hard constraint (w = 0 under T, -1 above)"),
    Param("latency", None, label=_LATENCY_LABEL, control=False)], lesson="11")
class MnasNet(Strategy):
    """A single-objective strategy that searches MnasNet's reward instead of the accuracy:
    `ask` is the inner strategy's; `tell` hands it the evaluation with its validation accuracy
    replaced by `mnasnet_reward(accuracy, latency, target, w, hard)`. `strategy` is a registered
    strategy's name or any `Strategy` object; `target` T is in the latency's units (ms, or
    seconds of training without a latency function). The history keeps the true accuracies: only
    the inner strategy sees the reward.

        >>> from nastutor.spaces import CellSpace
        >>> from nastutor.benchmark import Benchmark
        >>> from nastutor.hardware import benchmark_latency
        >>> mnas = MnasNet("evolution", target=1.5, latency=benchmark_latency(Benchmark.load("cell-mnist1d")))
        >>> mnas.setup(CellSpace(), seed=0); mnas.ask() in CellSpace()
        True
    """

    def __init__(self, strategy: str | Strategy = "evolution", target: float = 2.0, w: float = -0.07,
                 hard: bool = False, latency: LatencyFunction | None = None):
        if isinstance(strategy, str):
            if strategy not in REGISTRY or strategy == "mnasnet":
                raise InputError(f"strategy must be a single-objective strategy's name (such as "
                                 f"{', '.join(MNASNET_SEARCHES)}) or a Strategy, got {strategy!r}")
            self.inner = REGISTRY[strategy].make()
        elif isinstance(strategy, Strategy):
            self.inner = strategy
        else:
            raise InputError(f"strategy must be a strategy's name (such as {', '.join(MNASNET_SEARCHES)}) or a "
                             f"Strategy such as RegularizedEvolution(), got {strategy!r:.80}")
        self.strategy = strategy
        mnasnet_reward(1.0, 1.0, target, w, hard)  # checks target, w and hard with their messages
        self.target, self.w, self.hard = float(target), float(w), bool(hard)
        self.latency = _check_latency(latency)

    def setup(self, space: SearchSpace, seed: int = 0, max_epochs: int | None = None) -> None:
        super().setup(space, seed, max_epochs)
        self.inner.setup(space, seed, max_epochs)

    def ask(self) -> Arch:
        self._check_setup()
        return self.inner.ask()

    def fidelity(self) -> int | None:
        return self.inner.fidelity()

    def reward(self, arch: Arch, evaluation: Evaluation) -> float:
        """MnasNet's reward of an evaluated architecture."""
        latency = _cost(self.latency, arch, evaluation)
        if latency <= 0:
            raise InputError(f"the latency of {self.space.to_string(arch)} is {latency}: MnasNet's reward needs "
                             "a latency > 0")
        return mnasnet_reward(evaluation.val_accuracy, latency, self.target, self.w, self.hard)

    def tell(self, arch: Arch, evaluation: Evaluation) -> None:
        self.inner.tell(arch, replace(evaluation, val_accuracy=self.reward(arch, evaluation)))

    @property
    def observes(self) -> bool:  # type: ignore[override]
        """As the inner strategy: MnasNet only changes the score it is told."""
        return self.inner.observes

    def observe(self, arch: Arch, evaluation: Evaluation) -> None:
        self.inner.observe(arch, replace(evaluation, val_accuracy=self.reward(arch, evaluation)))
