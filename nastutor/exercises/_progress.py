"""Which exercises the learner has passed, kept in a small file of their own: `progress()` shows it.

Every `qN.check()` that says correct records the pass in `~/.nastutor/progress.json` (or the file
named by the environment variable `NASTUTOR_PROGRESS`), never inside the course's folder, so it
survives a fresh copy of the notebooks. A file that cannot be read is set aside (renamed
`*.corrupt-<time>`) with a warning, never a crash; writes are atomic.

    >>> import os, tempfile
    >>> os.environ["NASTUTOR_PROGRESS"] = os.path.join(tempfile.mkdtemp(), "progress.json")
    >>> record("lesson04", "q1")
    >>> table = progress()
    >>> table.loc[(table.lesson == "lesson04") & (table.exercise == "q1"), "passed"].item()
    True
"""
from __future__ import annotations

import html
import json
import os
import warnings
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from ..files import atomic_write

__all__ = ["progress", "record", "progress_path", "Progress"]

_VERSION = 1


def progress_path() -> Path:
    """Where passes are kept: $NASTUTOR_PROGRESS, else ~/.nastutor/progress.json."""
    custom = os.environ.get("NASTUTOR_PROGRESS")
    return Path(custom).expanduser() if custom else Path.home() / ".nastutor" / "progress.json"


def _set_aside(path: Path, why: str) -> None:
    """Rename an unreadable progress file out of the way, and say so."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        path.replace(aside)
        where = f"it is kept as {aside}"
    except OSError:
        where = "it could not be moved"
    warnings.warn(f"your progress file {path} could not be read ({why}); starting a fresh one ({where})",
                  stacklevel=3)


def _load(path: Path) -> dict[str, str]:
    """{"lesson04.q1": when, ...} from the file; {} if there is none or it is unreadable."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        passed = data["passed"]
        if data.get("version") != _VERSION or not isinstance(passed, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in passed.items()):
            raise ValueError("not a nastutor progress file")
        return passed
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as e:
        _set_aside(path, f"{type(e).__name__}: {e}")
        return {}


def record(lesson: str, exercise: str) -> None:
    """Note that `exercise` (e.g. "q1") of `lesson` (e.g. "lesson04") was passed, keeping the time
    of the first pass. A file that cannot be written only warns: a check never fails for it."""
    path = progress_path()
    passed = _load(path)
    key = f"{lesson}.{exercise}"
    if key in passed:
        return
    passed[key] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps({"version": _VERSION, "passed": passed}, indent=1, sort_keys=True) + "\n")
    except OSError as e:
        warnings.warn(f"your progress could not be saved to {path}: {e}", stacklevel=3)


class Progress(pd.DataFrame):
    """progress()'s table: one row per exercise (lesson, exercise, passed, when); in a notebook,
    an HTML table with a ✓ per passed exercise."""

    @property
    def _constructor(self):
        return Progress

    def _repr_html_(self) -> str:
        if not {"lesson", "exercise", "passed"} <= set(self.columns):
            return super()._repr_html_()
        rows = []
        for lesson, group in self.groupby("lesson", sort=True):
            cells = "".join(
                f'<td style="text-align:center" title="{html.escape(str(r.when or "not yet"))}">'
                f'{html.escape(r.exercise)} {"✓" if r.passed else "·"}</td>' for r in group.itertuples())
            rows.append(f"<tr><th>{html.escape(lesson)}</th>{cells}<td>{int(group.passed.sum())} of {len(group)}</td></tr>")
        total = f"{int(self.passed.sum())} of {len(self)} exercises passed"
        return (f'<div class="nastutor-progress"><b>Your progress:</b> {total}'
                f'<table>{"".join(rows)}</table></div>')


def progress() -> Progress:
    """Every exercise of every lesson, and whether (and when, UTC) you passed it.

        >>> progress().columns.tolist()       # doctest: +SKIP
        ['lesson', 'exercise', 'passed', 'when']
    """
    from . import exercises_of, lessons          # the package imports this module

    passed = _load(progress_path())
    rows = [{"lesson": lesson, "exercise": ex.name, "passed": f"{lesson}.{ex.name}" in passed,
             "when": passed.get(f"{lesson}.{ex.name}")}
            for lesson in lessons() for ex in exercises_of(lesson)]
    return Progress(rows, columns=["lesson", "exercise", "passed", "when"])
