"""Wrong answers to lesson 05's exercises (see tests/exercise_cases/__init__.py)."""
from __future__ import annotations

from collections import deque

import numpy as np

from nastutor.exercises.lesson05 import MyEvolution, age, tournament
from nastutor.strategies import RegularizedEvolution


def _always_best(population, sample_size, rng):
    return max(population, key=lambda m: m[1])[0]


def _any_member(population, sample_size, rng):
    return population[int(rng.integers(len(population)))][0]


def _with_replacement(population, sample_size, rng):
    picks = rng.integers(len(population), size=sample_size)
    return max((population[int(i)] for i in picks), key=lambda m: m[1])[0]


def _first_s(population, sample_size, rng):
    return max(list(population)[:sample_size], key=lambda m: m[1])[0]


def _worst_of_sample(population, sample_size, rng):
    picks = rng.choice(len(population), size=sample_size, replace=False)
    return min((population[int(i)] for i in picks), key=lambda m: m[1])[0]


def _returns_pair(population, sample_size, rng):
    picks = rng.choice(len(population), size=sample_size, replace=False)
    return max((population[int(i)] for i in picks), key=lambda m: m[1])


def _one_too_few(population, sample_size, rng):
    picks = rng.choice(len(population), size=max(1, sample_size - 1), replace=False)
    return max((population[int(i)] for i in picks), key=lambda m: m[1])[0]


def _global_random(population, sample_size, rng):
    picks = np.random.default_rng().choice(len(population), size=sample_size, replace=False)
    return max((population[int(i)] for i in picks), key=lambda m: m[1])[0]


def _pop_newest(population, child, population_size, aging=True):
    population.append(child)
    if len(population) > population_size:
        if aging:
            population.pop()
        else:
            population.remove(min(population, key=lambda m: m[1]))


def _always_aging(population, child, population_size, aging=True):
    population.append(child)
    if len(population) > population_size:
        population.popleft()


def _remove_before_adding(population, child, population_size, aging=True):
    if len(population) >= population_size:
        if aging:
            population.popleft()
        else:
            population.remove(min(population, key=lambda m: m[1]))
    population.append(child)


def _newest_of_worst(population, child, population_size, aging=True):
    population.append(child)
    if len(population) > population_size:
        if aging:
            population.popleft()
        else:
            worst = min(m[1] for m in population)
            del population[max(i for i, m in enumerate(population) if m[1] == worst)]


def _sorted_population(population, child, population_size, aging=True):
    population.append(child)
    if len(population) > population_size:
        if aging:
            population.popleft()
        else:
            members = sorted(population, key=lambda m: m[1])[1:]
            population.clear()
            population.extend(members)


def _new_deque(population, child, population_size, aging=True):
    members = list(population) + [child]
    if len(members) > population_size:
        members = members[1:] if aging else sorted(members, key=lambda m: m[1])[1:]
    return deque(members)


def _off_by_one(population, child, population_size, aging=True):
    population.append(child)
    if len(population) > population_size + 1:
        if aging:
            population.popleft()
        else:
            population.remove(min(population, key=lambda m: m[1]))


class _AlwaysBestParent(MyEvolution):
    def ask(self):
        self.asked += 1
        if self.asked <= self.population_size:
            return self.space.sample(self.rng)
        return self.space.mutate(max(self.population, key=lambda m: m[1])[0], self.rng)


class _NeverAges(MyEvolution):
    def tell(self, arch, evaluation):
        age(self.population, (arch, evaluation.val_accuracy), self.population_size, False)


class _NoRandomStart(MyEvolution):
    def ask(self):
        self.asked += 1
        if not self.population:
            return self.space.sample(self.rng)
        return self.space.mutate(tournament(self.population, min(self.sample_size, len(self.population)),
                                            self.rng), self.rng)


class _OnlyRandom(MyEvolution):
    def ask(self):
        return self.space.sample(self.rng)


class _Unbounded(MyEvolution):
    def tell(self, arch, evaluation):
        self.population.append((arch, evaluation.val_accuracy))


class _KeepsOldMembers(MyEvolution):
    def tell(self, arch, evaluation):
        if len(self.population) < self.population_size:
            self.population.append((arch, evaluation.val_accuracy))


class _StoresEvaluations(MyEvolution):
    def tell(self, arch, evaluation):
        age(self.population, (arch, evaluation), self.population_size, self.aging)


class _GlobalRng(MyEvolution):
    def ask(self):
        self.asked += 1
        rng = np.random.default_rng()
        if self.asked <= self.population_size:
            return self.space.sample(rng)
        return self.space.mutate(tournament(self.population, self.sample_size, rng), rng)


WRONG = {
    "q1": [_always_best, _any_member, _with_replacement, _first_s, _worst_of_sample, _returns_pair,
           _one_too_few, _global_random],
    "q2": [_pop_newest, _always_aging, _remove_before_adding, _newest_of_worst, _sorted_population,
           _new_deque, _off_by_one],
    "q3": [_AlwaysBestParent, _NeverAges, _NoRandomStart, _OnlyRandom, _Unbounded, _KeepsOldMembers,
           _StoresEvaluations, _GlobalRng, RegularizedEvolution,
           type("MyEvolution", (RegularizedEvolution,), {})],                # nastutor's own, renamed
    # "predict, then run": the other letters (the lesson's prose after each question assumes its answer),
    # and answers that are not one of the letters
    "p1": ["a", "b", "not at all"],
    "p2": ["a", "c", None],
}
