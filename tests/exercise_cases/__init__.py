"""The wrong answers each lesson's exercises must refuse, one module per lesson (`lesson01.py`, ...),
each with `WRONG = {"q1": [...], ...}`: plausible mistakes a learner makes, each judged "incorrect"
by tests/test_exercises.py. A value may be a function returning the list, for answers that take a
while to build (they are built only when their test runs).
"""
from __future__ import annotations

import importlib
from typing import Any


def wrong_answers(lesson: str, exercise: str) -> list[Any]:
    """The wrong answers listed for `exercise` (e.g. "q1") of `lesson` (e.g. "lesson04")."""
    cases = importlib.import_module(f"{__name__}.{lesson}").WRONG
    answers = cases.get(exercise, [])
    return list(answers() if callable(answers) else answers)


def listed(lesson: str) -> list[str]:
    """The exercises of `lesson` that have wrong answers listed."""
    return list(importlib.import_module(f"{__name__}.{lesson}").WRONG)
