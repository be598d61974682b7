"""Lessons stand alone (issue 20): no pointer to a text the learner lacks, forward references only to
lessons that exist, and Previous / Next links that open real notebooks."""
import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
MISSING_TEXTS = re.compile(r"source[ -]text|later lesson|advanced lesson", re.IGNORECASE)


def sources(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_no_reference_to_a_text_the_learner_does_not_have(path):
    found = [m.group() for source in sources(path) for m in MISSING_TEXTS.finditer(source)]
    assert not found, f"{path.name} points to texts the learner cannot open: {found}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lessons_referred_to_exist(path):
    numbers = {p.name[:2] for p in LESSONS}
    cited = {n for source in sources(path) for n in re.findall(r"\b[Ll]essons? (\d\d)\b", source)}
    assert cited <= numbers, f"{path.name} refers to lessons that do not exist: {sorted(cited - numbers)}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_ends_with_previous_and_next_links_that_open(path):
    last = [s for s in sources(path) if s.strip()][-1]
    links = dict(re.findall(r"\[(← Previous|Next)[^\]]*\]\(([^)]+\.ipynb)\)", last))
    index = LESSONS.index(path)
    wanted = {"← Previous": LESSONS[index - 1].name if index else None,
              "Next": LESSONS[index + 1].name if index + 1 < len(LESSONS) else None}
    assert links == {k: v for k, v in wanted.items() if v}, f"{path.name} ends with {links}"
