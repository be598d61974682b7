"""nastutor.exercises.progress(): a correct check records the pass in a small file outside the
repository; progress() shows every exercise of every lesson; a corrupt file is set aside."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from nastutor.exercises import exercises_of, lessons, progress
from nastutor.exercises import lesson02, lesson03
from nastutor.exercises._progress import progress_path

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "sub" / "progress.json"
    monkeypatch.setenv("NASTUTOR_PROGRESS", str(path))
    return path


def test_the_default_file_is_outside_the_repository(monkeypatch):
    monkeypatch.delenv("NASTUTOR_PROGRESS", raising=False)
    path = progress_path().resolve()
    assert REPO not in path.parents and path.name == "progress.json"


def test_a_correct_check_is_recorded_and_shown(store):
    table = progress()
    assert list(table.columns) == ["lesson", "exercise", "passed", "when"]
    assert len(table) == sum(len(exercises_of(lesson)) for lesson in lessons())
    assert not table["passed"].any() and not store.exists()

    assert lesson02.q1.check(lesson02.q1.reference).correct
    assert not lesson03.q1.check(lambda x, y: 0.0).correct          # a wrong answer is not recorded
    table = progress().set_index(["lesson", "exercise"])
    assert table.loc[("lesson02", "q1"), "passed"] and table.loc[("lesson02", "q1"), "when"]
    assert not table.loc[("lesson03", "q1"), "passed"]
    assert table["passed"].sum() == 1
    assert json.loads(store.read_text())["passed"].keys() == {"lesson02.q1"}


def test_the_first_pass_time_is_kept(store):
    lesson02.q1.check(lesson02.q1.reference)
    first = json.loads(store.read_text())["passed"]["lesson02.q1"]
    lesson02.q1.check(lesson02.q1.reference)
    assert json.loads(store.read_text())["passed"]["lesson02.q1"] == first


def test_a_corrupt_file_is_set_aside_not_a_crash(store):
    store.parent.mkdir(parents=True)
    store.write_text("{not json")
    with pytest.warns(UserWarning, match="could not be read"):
        assert not progress()["passed"].any()
    assert not store.exists()
    assert [p.name.startswith("progress.json.corrupt-") for p in store.parent.iterdir()] == [True]
    assert lesson02.q1.check(lesson02.q1.reference).correct          # and recording starts afresh
    assert progress()["passed"].sum() == 1


def test_someone_elses_json_is_set_aside_too(store):
    store.parent.mkdir(parents=True)
    store.write_text(json.dumps({"passed": ["lesson01.q1"]}))
    with pytest.warns(UserWarning, match="not a nastutor progress file"):
        assert not progress()["passed"].any()


def test_an_unwritable_place_warns_and_the_check_still_answers(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("NASTUTOR_PROGRESS", str(blocker / "progress.json"))   # its folder is a file
    with pytest.warns(UserWarning, match="could not be saved"):
        assert lesson02.q1.check(lesson02.q1.reference).correct


def test_it_renders_as_a_table_with_ticks(store):
    lesson02.q1.check(lesson02.q1.reference)
    page = progress()._repr_html_()
    assert "<table>" in page and "q1 ✓" in page and f"1 of {len(progress())} exercises passed" in page
    assert "lesson02" in page and "lesson07" in page


def test_exercises_outside_a_lesson_are_not_recorded(store):
    from nastutor.exercises import Exercise

    ex = Exercise("q1", var="n", expected=lambda: 36, hint="h", solution="n = 36")
    assert ex.lesson is None and ex.check(36).correct and not store.exists()
