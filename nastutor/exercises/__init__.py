""""Try it yourself" exercises, one module per lesson (in the style of Kaggle Learn's learntools).

In a lesson notebook:

    >>> from nastutor.exercises.lesson04 import *     # doctest: +SKIP
    >>> best_of_n = ____                               # doctest: +SKIP
    >>> q1.check()                                     # doctest: +SKIP
    >>> q1.hint(); q1.solution()                       # doctest: +SKIP

`check()` says correct / incorrect / not attempted, never shows the expected value, compares
numbers with a tolerance and turns an exception raised by your code into a friendly message.
`progress()` shows which exercises of which lessons you have passed.
"""
from __future__ import annotations

import importlib
import pkgutil

from ._checking import ____, Exercise, Hint, Question, Incorrect, NotAttempted, Result, answered, same
from ._progress import progress

__all__ = ["____", "Exercise", "Hint", "Question", "Incorrect", "NotAttempted", "Result", "answered", "same",
           "lessons", "exercises_of", "progress"]


def lessons() -> list[str]:
    """Names of the lesson modules that hold exercises, e.g. ['lesson00', 'lesson01', ...]."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("lesson"))


def exercises_of(lesson: str) -> list[Exercise]:
    """The exercises of one lesson module, in order (q1, q2, ..., and its "predict, then run"
    questions p1, p2, ..., which are `Question`s, a kind of `Exercise`)."""
    module = importlib.import_module(f"{__name__}.{lesson}")
    return [getattr(module, n) for n in module.__all__ if isinstance(getattr(module, n), Exercise)]
