"""Every hint and every solution works where the learner reads it: in the lesson's notebook.

For each lesson with exercises, the notebook runs once (fast mode, as tests/test_notebooks.py runs
it) with one cell added at its end. That cell runs each exercise's solution, the very text
`qN.solution()` shows, in the notebook's namespace, in the learner's place (q1, then q2, ...: a
later solution may use an earlier one, as 05.q3 uses `tournament` and `age`), and `qN.check()`
must say correct. It also reports the namespace's names, and every code span of the hints
(backticked text that parses as Python) may use only those names, the exercise function's
parameters, builtins, and names bound by the span itself or an earlier span of the same hint.

One execution per lesson, shared with tests/test_notebooks.py (conftest.execute_notebook).
"""
from __future__ import annotations

import ast
import builtins
import inspect
import re
from pathlib import Path

import pytest

from conftest import execute_notebook
from nastutor.exercises import exercises_of, lessons

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def notebook_of(lesson: str) -> Path:
    """notebooks/07_comparing_strategies.ipynb for 'lesson07'."""
    (path,) = NOTEBOOKS.glob(f"{lesson.removeprefix('lesson')}_*.ipynb")
    return path


def spans(text: str) -> list[ast.Module]:
    """The backticked code spans of a hint that parse as Python, in order.

        >>> [ast.unparse(s) for s in spans("use `x = np.sort(a)`, then `x[-1]`; not `the end`")]
        ['x = np.sort(a)', 'x[-1]']
    """
    out = []
    for code in re.findall(r"`([^`]+)`", text):
        try:
            out.append(ast.parse(code.strip()))
        except SyntaxError:
            continue
    return out


def used_and_bound(tree: ast.AST) -> tuple[set[str], set[str]]:
    """The names a piece of code reads, and the names it binds (assignments, loop and
    comprehension targets, lambda and function parameters, imports)."""
    used, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (used if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
    return used, bound


def parameters(reference) -> set[str]:
    """The names the learner's function (or every method of their class) receives."""
    if inspect.isclass(reference):
        names = {"self"}
        for value in vars(reference).values():
            if inspect.isfunction(value):
                names |= set(inspect.signature(value).parameters) | {value.__name__}
        return names
    return set(inspect.signature(reference).parameters) if callable(reference) else set()


def unknown_names(hint: str, namespace: set[str], params: set[str]) -> list[str]:
    """Names a hint's code spans use that the learner's notebook does not have."""
    known = set(namespace) | params | set(dir(builtins))
    missing = []
    for tree in spans(hint):
        used, bound = used_and_bound(tree)
        missing += sorted(used - known - bound)
        known |= bound
    return missing


def test_unknown_names_finds_an_undefined_name():
    hint = "`x = np.sort(accuracies); i = np.arange(1, len(x) + 1)`, then `np.sum(x * (i / N) ** n)`"
    assert unknown_names(hint, {"np"}, {"accuracies", "n"}) == ["N"]
    assert unknown_names("`space.parse(text)`", {"cell_space"}, {"cells"}) == ["space", "text"]


@pytest.fixture(scope="module", params=lessons())
def executed(request):
    """(lesson, report) after running the lesson's notebook with the report cell at its end
    (shared with tests/test_notebooks.py: each notebook runs once per session)."""
    lesson = request.param
    _, report = execute_notebook(notebook_of(lesson))
    assert report is not None and "missing" not in report, f"{lesson}: the report cell printed no report: {report}"
    return lesson, report


def test_every_solution_passes_in_its_notebook(executed):
    lesson, report = executed
    failed = {name: message for name, message in report["checks"].items() if not message.startswith("Correct")}
    assert not failed, f"{lesson}: {failed}"


def test_every_hint_uses_names_the_notebook_has(executed):
    lesson, report = executed
    problems = []
    for ex in exercises_of(lesson):
        params = parameters(ex.reference)
        for k, hint in enumerate(ex.hints, start=1):
            missing = unknown_names(hint, set(report["names"]), params)
            if missing:
                problems.append(f"{lesson}.{ex.name} hint {k}: {', '.join(missing)}")
    assert not problems, problems
