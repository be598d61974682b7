"""Shared test helpers."""
from __future__ import annotations

import zlib

import pytest

from nastutor.evaluators import Evaluation, Evaluator
from nastutor.spaces import CellSpace, MLPSpace
from nastutor.training import TrainConfig


class HashEvaluator(Evaluator):
    """A cheap evaluator for testing the search loop itself: each architecture gets a fixed
    score derived from its string (plus a little seed noise) and costs `cost` seconds.
    It can raise KeyboardInterrupt on a chosen call, as Ctrl-C would."""

    def __init__(self, space, cost: float = 1.0, interrupt_at: int | None = None):
        self.space, self.cost, self.max_epochs = space, cost, 10
        self.interrupt_at, self.calls = interrupt_at, 0

    def evaluate(self, arch, *, epochs=None, seed=0):
        epochs = self.check_epochs(epochs)
        self.calls += 1
        if self.interrupt_at is not None and self.calls == self.interrupt_at:
            raise KeyboardInterrupt
        base = zlib.crc32(self.space.to_string(arch).encode()) % 1000 / 1000 * 0.99  # + noise stays <= 1
        noise = (seed % 7) / 1000
        return Evaluation(arch=arch, val_accuracy=base + noise, test_accuracy=base, cost=self.cost,
                          epochs=epochs, seed=seed)


@pytest.fixture
def mlp() -> MLPSpace:
    return MLPSpace()


@pytest.fixture
def cell() -> CellSpace:
    return CellSpace()


@pytest.fixture
def tiny() -> TrainConfig:
    """A short protocol that keeps live-training tests to a fraction of a second each."""
    return TrainConfig(epochs=3, lr=0.02)


@pytest.fixture(autouse=True)
def _progress_file(tmp_path_factory, monkeypatch):
    """No test writes the learner's progress file (~/.nastutor/progress.json): a correct `check()`
    records a pass, so every test gets a file of its own."""
    monkeypatch.setenv("NASTUTOR_PROGRESS", str(tmp_path_factory.mktemp("progress") / "progress.json"))
    # lesson 14 builds its study's table here, not in the learner's folder (one build per test session)
    monkeypatch.setenv("NASTUTOR_STUDY_DIR", str(tmp_path_factory.getbasetemp() / "study"))


# -- each notebook runs once per test session --------------------------------------------------

#: The line the exercise report cell prints, before its JSON.
REPORT_MARK = "NASTUTOR-HINTS-REPORT "
#: Executed notebooks by path: (the lesson's own cells, executed; the exercise report or None).
_EXECUTED: dict = {}


def report_cell(lesson: str) -> str:
    """A cell to run after a lesson's notebook: it runs each exercise's solution, the very text
    `qN.solution()` shows, in the notebook's namespace (q1, then q2, ...: a later solution may use
    an earlier one), calls `qN.check()`, and prints the verdicts and the namespace's names."""
    import nastutor.exercises as ex

    lines = ["import json as _json", "_hints_report = {}"]
    for exercise in ex.exercises_of(lesson):
        code = exercise.solution().text.split("```python", 1)[1].split("```", 1)[0]   # a Question adds its why after the code
        lines += ["try:",
                  f"    exec({code!r}, globals())",
                  f"    _hints_report[{exercise.name!r}] = str({exercise.name}.check())",
                  "except Exception as _e:",
                  f"    _hints_report[{exercise.name!r}] = f'the solution raised {{type(_e).__name__}}: {{_e}}'"]
    lines.append(f"print({REPORT_MARK!r} + _json.dumps({{'checks': _hints_report, 'names': sorted(globals())}}))")
    return "\n".join(lines)


def execute_notebook(path):
    """Run the notebook at `path` top to bottom in fast mode (NASTUTOR_FAST=1), once per test
    session, with the exercise report cell (`report_cell`) appended when its lesson has exercises.
    Returns (the notebook's own cells, executed; the report as a dict, or None).
    tests/test_notebooks.py checks the cells' outputs, tests/test_exercise_hints.py the report."""
    import json
    import os

    import nbformat
    from nbclient import NotebookClient

    import nastutor.exercises as ex

    key = str(path)
    if key not in _EXECUTED:
        nb = nbformat.read(path, as_version=4)
        lesson = f"lesson{path.name[:2]}"
        own = len(nb.cells)
        if lesson in ex.lessons():
            nb.cells.append(nbformat.v4.new_code_cell(report_cell(lesson)))
        saved = os.environ.get("NASTUTOR_FAST")
        os.environ["NASTUTOR_FAST"] = "1"
        try:
            NotebookClient(nb, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
        finally:
            if saved is None:
                os.environ.pop("NASTUTOR_FAST", None)
            else:
                os.environ["NASTUTOR_FAST"] = saved
        report = None
        if len(nb.cells) > own:
            text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
            lines = [x for x in text.splitlines() if x.startswith(REPORT_MARK)]
            report = json.loads(lines[0][len(REPORT_MARK):]) if lines else {"checks": {}, "names": [],
                                                                           "missing": text[-2000:]}
            nb.cells = nb.cells[:own]
        _EXECUTED[key] = (nb, report)
    return _EXECUTED[key]
