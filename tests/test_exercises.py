"""The exercise machinery, and every lesson's exercises: the reference answer passes, each wrong
answer listed in tests/exercise_cases/ fails, the placeholder is "not attempted", and code that
raises gets a kind message."""
from __future__ import annotations

import numpy as np
import pytest

from exercise_cases import listed, wrong_answers
from nastutor.compare import summarize
from nastutor.exercises import ____, Exercise, Incorrect, exercises_of, lessons, lesson07, same

ALL = [(lesson, ex) for lesson in lessons() for ex in exercises_of(lesson)]
IDS = [f"{lesson}.{ex.name}" for lesson, ex in ALL]


def square_count() -> Exercise:
    return Exercise("q1", var="count", expected=lambda: 4 ** 6, hint=["one", "two"],
                    solution="count = 4 ** 6  # 4 operations on each of 6 edges")


def test_value_exercise_statuses():
    ex = square_count()
    assert ex.check(4096).status == "correct"
    assert ex.check(4096.0000001).status == "correct"  # tolerance
    assert ex.check(24).status == "incorrect"
    assert ex.check(____).status == "not attempted"
    assert ex.check("4096").status == "incorrect"


def test_check_reads_the_notebook_variable():
    ex = square_count()
    count = ____
    assert ex.check().status == "not attempted"  # not a global here, so "define it first"
    globals()["count"] = 4096
    try:
        assert ex.check().status == "correct"
    finally:
        del globals()["count"]
    assert count is ____


def test_incorrect_never_reveals_the_expected_value():
    for answer in (1, 5000, 4095, "x", [1, 2]):
        assert "4096" not in square_count().check(answer).message


def test_learner_exceptions_become_messages():
    def checker(f):
        if f(3) != 9:
            raise Incorrect("f(3) should be 9")

    ex = Exercise("q2", var="f", checker=checker, reference=lambda: (lambda x: x * x), hint="square")

    def broken(x):
        return x / 0

    result = ex.check(broken)
    assert result.status == "incorrect"
    assert "ZeroDivisionError" in result.message and "broken" in result.message
    assert ex.check(lambda x: ____).status == "not attempted"
    assert ex.check(lambda x: x + x).message.startswith("f(3) should be 9")
    assert "x * x" in ex.solution().text


def test_hints_advance_and_render():
    ex = square_count()
    assert ex.hint().text == "one" and ex.hint().text == "two" and ex.hint().text == "two"
    assert "Correct" in ex.check(4096)._repr_html_()
    assert "4 ** 6" in ex.solution().text


def test_same_compares_arrays_and_sequences():
    same(np.array([1.0, 2.0]), [1.0, 2.0])
    with pytest.raises(Incorrect, match="1 of 2"):
        same([1.0, 3.0], [1.0, 2.0])
    with pytest.raises(Incorrect, match="shape"):
        same([1.0], [1.0, 2.0])
    with pytest.raises(Incorrect):
        same(True, False)


def test_an_exercise_needs_exactly_one_way_to_judge():
    with pytest.raises(ValueError, match="exactly one"):
        Exercise("q", var="x", hint="h")
    with pytest.raises(ValueError, match="reference"):
        Exercise("q", var="x", hint="h", checker=lambda a: None)
    with pytest.raises(ValueError, match="solution"):
        Exercise("q", var="x", hint="h", expected=lambda: 1)


def _boom(*args, **kwargs):
    raise RuntimeError("boom")


@pytest.mark.parametrize("lesson, ex", ALL, ids=IDS)
def test_lesson_exercise(lesson, ex):
    assert ex.check(ex.reference).status == "correct", ex.check(ex.reference).message
    assert ex.check(____).status == "not attempted"
    wrong = wrong_answers(lesson, ex.name)
    assert wrong, f"{lesson}.{ex.name} has no wrong answer in tests/exercise_cases/{lesson}.py"
    for bad in wrong:
        result = ex.check(bad)
        assert result.status == "incorrect", (bad, result)
    if callable(ex.reference):
        result = ex.check(_boom)
        assert result.status == "incorrect" and "RuntimeError" in result.message
    assert ex.hint().text and ex.solution().text


@pytest.mark.parametrize("lesson", lessons())
def test_wrong_answers_are_listed_for_exercises_that_exist(lesson):
    """A wrong-answer list under a name no exercise has would never be checked."""
    names = [ex.name for ex in exercises_of(lesson)]
    assert [name for name in listed(lesson) if name not in names] == []


def test_exercises_carry_no_wrong_answers():
    """The wrong answers live in the tests, not in the package the learner imports."""
    for lesson, ex in ALL:
        assert not hasattr(ex, "wrong"), f"{lesson}.{ex.name}"
    with pytest.raises(TypeError):
        Exercise("q", var="x", hint="h", expected=lambda: 1, solution="x = 1", wrong=[2])


def test_lesson07_q4_solution_reaches_the_reference_judgements():
    """The solution shown to the learner, run on the comparison the checker uses, judges every
    claim as the checker does."""
    code = lesson07.q4.solution().text.strip().removeprefix("```python").removesuffix("```")
    scope = {"runs": lesson07._claim_runs(), "summarize": summarize}
    exec(code, scope)
    assert scope["claims"] == lesson07.supported_claims()
    assert lesson07.q4.check(scope["claims"]).status == "correct"


def test_code_that_still_holds_the_placeholder_is_not_attempted():
    def checker(f):
        raise Incorrect("never reached")

    ex = Exercise("q3", var="f", checker=checker, reference=lambda: (lambda x: x), hint="h")

    def untouched(x):
        ____  # your code here

    class Untouched:
        def ask(self):
            ____

    assert ex.check(untouched).status == "not attempted"
    assert ex.check(Untouched).status == "not attempted"
    assert ex.check(lambda x: x).status == "incorrect"
