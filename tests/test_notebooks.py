"""Every notebook: committed clean, and runs top to bottom (fast mode) without an error."""
from pathlib import Path

import nbformat
import pytest

from conftest import execute_notebook

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_and_with_a_kernelspec(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    assert not [c for c in nb.cells if c.cell_type == "code" and (c.outputs or c.execution_count)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_runs_top_to_bottom_without_errors(path):
    nb, _ = execute_notebook(path)  # once per session (fast mode), shared with tests/test_exercise_hints.py
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, [f"{e.ename}: {e.evalue}" for e in errors]
    as_text = [c.id for c in nb.cells if c.cell_type == "code" for o in c.outputs
               if "<Figure size" in str(o.get("data", {}).get("text/plain", "")) and "image/png" not in o.get("data", {})]
    assert not as_text, f"figures shown as text, not as pictures, in cells {as_text}"
