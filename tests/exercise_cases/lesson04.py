"""Wrong answers to lesson 04's exercises (see tests/exercise_cases/__init__.py)."""
from __future__ import annotations

import numpy as np

from nastutor.strategies import RandomSearch, RegularizedEvolution, Strategy


class _Enumerating(Strategy):
    """Draws from `space.enumerate()`, as the exercise asks; the wrong answers below bend it."""

    def setup(self, space, seed=0, max_epochs=None):
        super().setup(space, seed, max_epochs)
        self.archs = list(space.enumerate())

    def ask(self):
        return self.archs[int(self.rng.integers(len(self.archs)))]


class _PerDecision(Strategy):
    """Uniform per decision: too many shallow MLPs."""

    def ask(self):
        return self.space.decide(lambda name, options: options[int(self.rng.integers(len(options)))])


class _GlobalRandom(_Enumerating):
    """Ignores the seed."""

    def ask(self):
        return self.archs[int(np.random.default_rng().integers(len(self.archs)))]


class _FixedSeed(_Enumerating):
    """Same draws whatever the seed."""

    def setup(self, space, seed=0, max_epochs=None):
        super().setup(space, 0, max_epochs)


class _NeverTheLast(_Enumerating):
    """An off-by-one: the last architecture is never drawn (issue 20)."""

    def ask(self):
        return self.archs[int(self.rng.integers(len(self.archs) - 1))]


class _NeverTheFirst(_Enumerating):
    def ask(self):
        return self.archs[int(self.rng.integers(1, len(self.archs)))]


class _FavoursTheFirst(_Enumerating):
    """Every architecture possible, but the first one twenty times as likely as the others."""

    def ask(self):
        k = int(self.rng.integers(len(self.archs) + 19))
        return self.archs[max(0, k - 19)]


class _Subclass(RandomSearch):
    """nastutor's own random search, under another name."""


class _CallsSample(Strategy):
    """The one-line answer the exercise asks not to use."""

    def ask(self):
        return self.space.sample(self.rng)


class _Canonical(Strategy):
    """Uniform over the canonical cells only."""

    def ask(self):
        unique = self.space.unique
        return unique[int(self.rng.integers(len(unique)))]


class _NoReturn(_Enumerating):
    def ask(self):
        self.archs[int(self.rng.integers(len(self.archs)))]


def _top_n_mean(accuracies, n):
    return float(np.mean(np.sort(accuracies)[-n:]))


def _maximum(accuracies, n):
    return float(np.max(accuracies))


def _no_difference(accuracies, n):
    x = np.sort(accuracies)
    i = np.arange(1, len(x) + 1)
    return float(np.sum(x * (i / len(x)) ** n))


def _monte_carlo(accuracies, n):
    rng = np.random.default_rng(0)
    return float(rng.choice(accuracies, size=(2000, n)).max(axis=1).mean())


def _unsorted(accuracies, n):
    x = np.asarray(accuracies, dtype=float)
    i = np.arange(1, len(x) + 1)
    return float(np.sum(x * ((i / len(x)) ** n - ((i - 1) / len(x)) ** n)))


def _seen_value(history, bench):
    truth = bench.val[:, :, -1].mean(axis=1)
    return truth.max() - history.to_frame()["incumbent_val"].to_numpy()


def _oracle(history, bench):
    truth = bench.val[:, :, -1].mean(axis=1)
    seen = np.array([truth[bench.index(e.arch)] for e in history])
    return truth.max() - np.maximum.accumulate(seen)


def _max_over_seeds(history, bench):
    truth = bench.val[:, :, -1].mean(axis=1)
    inc = history.to_frame()["incumbent"]
    return np.array([bench.val[:, :, -1].max() - truth[bench.index(bench.space.parse(a))] for a in inc])


def _ties_move(history, bench):
    truth = bench.val[:, :, -1].mean(axis=1)
    regrets, best = [], None
    for e in history:
        if best is None or e.val_accuracy >= best.val_accuracy:
            best = e
        regrets.append(truth.max() - truth[bench.index(best.arch)])
    return np.array(regrets)


WRONG = {
    "q1": [_PerDecision, _GlobalRandom, _FixedSeed, _Canonical, _NoReturn, _NeverTheLast, _NeverTheFirst,
           _FavoursTheFirst, _Subclass, _CallsSample, lambda: RandomSearch(), lambda: RegularizedEvolution()],
    "q2": [_top_n_mean, _maximum, _no_difference, _monte_carlo, _unsorted,
           lambda accuracies, n: str(_unsorted(np.sort(accuracies), n))],
    "q3": [_seen_value, _oracle, _max_over_seeds, _ties_move,
           lambda history, bench: [str(r) for r in _ties_move(history, bench)]],
    # "predict, then run": the other letters (the lesson's prose after each question assumes its answer),
    # and answers that are not one of the letters
    "p1": ["b", "c", "d", "higher"],
    "p2": ["a", "c", 50, "b or c"],
}
