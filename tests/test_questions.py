"""Every "predict, then run" question is asked where its module says: once, in a markdown cell of its
lesson's notebook that lists each option as the module's `choices` word for word (the options are
written twice, in the lesson and in `choices=`, and must not drift apart), followed by the cell
`pN.check(____)` in which the learner commits to a prediction."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from nastutor.exercises import Question, exercises_of, lessons

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
QUESTIONS = [(lesson, q) for lesson in lessons() for q in exercises_of(lesson) if isinstance(q, Question)]


def _plain(text: str) -> str:
    """Markdown as words: emphasis and line breaks dropped, spaces collapsed."""
    return " ".join(text.replace("*", "").replace("`", "").split())


def test_every_lesson_asks_at_least_two_questions():
    counts = {lesson: sum(1 for ls, _ in QUESTIONS if ls == lesson) for lesson in lessons()}
    assert all(n >= 2 for n in counts.values()), counts


@pytest.mark.parametrize("lesson, q", QUESTIONS, ids=[f"{ls}.{q.name}" for ls, q in QUESTIONS])
def test_a_question_is_asked_with_its_options_before_its_check(lesson, q):
    (path,) = NOTEBOOKS.glob(f"{lesson.removeprefix('lesson')}_*.ipynb")
    cells = nbformat.read(path, as_version=4).cells
    mark = f"Predict, then run ({q.name})."
    where = [i for i, c in enumerate(cells) if c.cell_type == "markdown" and mark in _plain(c.source)]
    assert len(where) == 1, f"{path.name} should ask {q.name} once, in a cell with '{mark}'"
    asked = _plain(cells[where[0]].source)
    if q.choices:
        for letter, option in q.choices.items():
            assert f"({letter})" in asked, f"{path.name}: {q.name} does not show option ({letter})"
            assert _plain(option) in asked, f"{path.name}: {q.name}'s option ({letter}) reads differently: {option!r}"
    following = cells[where[0] + 1]
    assert following.cell_type == "code" and following.source.startswith(f"{q.name}.check(____)")
