"""Wrong answers to lesson 00's questions (see tests/exercise_cases/__init__.py): the other options,
and answers that are not one of the letters."""
from __future__ import annotations

WRONG = {
    "p1": ["a", "b", "819", 819, "d"],          # the other counts; the number itself is not a letter
    "p2": ["a", "c", "", None],
    "p3": ["b", "c", "a or b", ["a"]],
}
