"""The lessons' source of truth is text (lessons/NN_name.py, jupytext percent format): every committed
notebook is exactly what its source gives (`python tools/lessons.py sync` writes them), and the tool that
writes them keeps ids stable, never loses an edit made in a notebook, and reports what differs."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupytext.config import load_jupytext_config
from jupytext.formats import long_form_multiple_formats
from jupytext.paired_paths import paired_paths

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("lessons_tool", ROOT / "tools" / "lessons.py")
lessons = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = lessons
_spec.loader.exec_module(lessons)

SOURCES = lessons.sources()
FIX = "Fix: python tools/lessons.py sync  (or `make notebooks`); an edit made in a .ipynb: python tools/lessons.py pull"


def test_every_notebook_has_a_source_and_every_source_a_notebook():
    notebooks = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    sources = {p.stem for p in (ROOT / "lessons").glob("*.py")}
    assert len(SOURCES) >= 8 and {p.stem for p in SOURCES} == sources, "lessons/ holds only NN_name.py sources"
    assert notebooks == sources, (f"notebooks without a source: {sorted(notebooks - sources)}; "
                                  f"sources without a notebook: {sorted(sources - notebooks)}. {FIX}")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_the_committed_notebook_is_what_its_source_gives(source):
    notebook = lessons.notebook_of(source)
    expected, text = lessons.notebook_from_source(source), lessons.notebook_text(source)
    committed = notebook.read_text(encoding="utf-8")
    found = nbformat.reads(committed, as_version=nbformat.NO_CONVERT)
    details = lessons.differences(expected, found)
    assert not details, (f"{notebook.relative_to(ROOT)} is not what {source.relative_to(ROOT)} gives:\n  "
                         + "\n  ".join(details[:20]) + f"\n{FIX}")
    assert committed == text, (f"{notebook.relative_to(ROOT)} has the cells of {source.relative_to(ROOT)} but is "
                               f"written differently (indentation, key order, final newline). {FIX}")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_cell_ids_are_numbered_in_order_and_the_kernelspec_is_python3(source):
    nb = lessons.notebook_from_source(source)
    assert [c.id for c in nb.cells] == [f"lesson{source.name[:2]}-{k:02d}" for k in range(len(nb.cells))]
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")


def test_jupytext_pairs_each_notebook_with_its_source():
    """jupytext.toml pairs notebooks/X.ipynb with lessons/X.py in the percent format, the pairing the tool uses."""
    config = load_jupytext_config(str(ROOT / "notebooks" / "x.ipynb"))
    assert config is not None, "jupytext.toml is missing at the repository root"
    for source in SOURCES:
        notebook = lessons.notebook_of(source)
        formats = long_form_multiple_formats(config.default_formats(str(notebook)))
        ipynb = next(fmt for fmt in formats if fmt["extension"] == ".ipynb")
        paths = {Path(path): fmt for path, fmt in paired_paths(str(notebook), ipynb, formats)}
        assert paths.get(source, {}).get("format_name") == "percent", (notebook, paths)


def copy_of_the_lessons(tmp_path: Path) -> Path:
    for name in ("lessons", "notebooks"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "jupytext.toml", tmp_path)
    return tmp_path


def test_check_names_the_lesson_the_cell_and_the_fix(tmp_path):
    root = copy_of_the_lessons(tmp_path)
    notebook = root / "notebooks" / "04_random_search.ipynb"
    nb = json.loads(notebook.read_text())
    nb["cells"][2]["source"] = ["changed in the notebook only\n"] + nb["cells"][2]["source"][1:]
    notebook.write_text(json.dumps(nb, indent=1) + "\n")
    [problem] = lessons.check(root)
    assert "04_random_search.ipynb differs from" in problem and "cell 2 (id lesson04-02): source, line 1" in problem
    assert "'changed in the notebook only'" in problem


def test_sync_writes_a_new_lesson_and_changes_nothing_the_second_time(tmp_path):
    root = copy_of_the_lessons(tmp_path)
    (root / "lessons" / "08_new_lesson.py").write_text(
        (root / "lessons" / "00_welcome.py").read_text().split("# %%")[0]
        + "# %% [markdown]\n# # 08 · A new lesson\n\n# %%\nx = 1\n")
    assert lessons.sync(root) == [root / "notebooks" / "08_new_lesson.ipynb"]
    nb = nbformat.read(root / "notebooks" / "08_new_lesson.ipynb", as_version=4)
    assert [(c.id, c.cell_type, c.source) for c in nb.cells] == [
        ("lesson08-00", "markdown", "# 08 · A new lesson"), ("lesson08-01", "code", "x = 1")]
    before = {p: p.read_bytes() for p in (root / "notebooks").iterdir()}
    assert lessons.sync(root) == [] and lessons.check(root) == []
    assert before == {p: p.read_bytes() for p in (root / "notebooks").iterdir()}


def test_sync_never_overwrites_an_edit_made_in_a_notebook_and_pull_keeps_it(tmp_path):
    root = copy_of_the_lessons(tmp_path)
    source, notebook = root / "lessons" / "05_evolution.py", root / "notebooks" / "05_evolution.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell("edited_in_jupyterlab = True"))   # a new cell gets a random id
    nbformat.write(nb, notebook)
    os.utime(source, (1_000_000_000, 1_000_000_000))        # the notebook is the newer file
    with pytest.raises(SystemExit, match="pull"):
        lessons.sync(root)
    assert "edited_in_jupyterlab" in notebook.read_text()
    lessons.pull(notebook)
    assert "edited_in_jupyterlab = True" in source.read_text()
    assert lessons.sync(root) == [notebook]                 # renumbers the ids
    nb = nbformat.read(notebook, as_version=4)
    assert (nb.cells[2].id, nb.cells[2].source, nb.cells[3].id) == ("lesson05-02", "edited_in_jupyterlab = True",
                                                                    "lesson05-03")
    assert lessons.check(root) == []


def test_a_source_is_what_jupytext_writes_for_its_notebook():
    """Saving a paired notebook in JupyterLab rewrites the source as jupytext writes it: committed sources are
    already in that form, so an unchanged save changes no file (the header's jupytext version aside)."""
    def without_version(text: str) -> str:
        return "\n".join(line for line in text.splitlines() if "jupytext_version:" not in line)

    for source in SOURCES:
        text = jupytext.writes(lessons.notebook_from_source(source), fmt="py:percent",
                               config=load_jupytext_config(str(lessons.notebook_of(source))))
        assert without_version(text) == without_version(source.read_text(encoding="utf-8")), (
            f"{source.relative_to(ROOT)} is not in jupytext's layout: python tools/lessons.py pull "
            f"{lessons.notebook_of(source).relative_to(ROOT)} rewrites it")
