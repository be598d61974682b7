"""The lessons' source of truth is text: `lessons/NN_name.py`, a jupytext percent-format script, paired
with `notebooks/NN_name.ipynb` (see jupytext.toml). This script writes each notebook from its source,
the same way every time: no outputs, the kernelspec, and stable cell ids (`lesson04-07` is cell 7 of
lesson 04), so that regenerating an unchanged lesson gives a byte-identical file.

    python tools/lessons.py sync              # write every notebook from its source (`make notebooks`)
    python tools/lessons.py check             # say which notebooks differ from their sources; exit 1 if any
    python tools/lessons.py pull notebooks/04_random_search.ipynb   # an edit made in the .ipynb -> its source

In JupyterLab started at the repository root with jupytext installed, saving a notebook saves its source
too; `sync` then only renumbers the ids of cells added there. `sync` never overwrites a notebook whose
cells were edited after its source was last changed: `pull` those edits first (or pass --force to drop them).
tests/test_lesson_sources.py fails when a notebook and its source disagree.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat
from jupytext.config import load_jupytext_config
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
NOTEBOOKS = ROOT / "notebooks"
FORMAT = "py:percent"
NEW_CELL = {"code": new_code_cell, "markdown": new_markdown_cell, "raw": new_raw_cell}


def sources(root: Path = ROOT) -> list[Path]:
    """Every lesson source, in lesson order: [lessons/00_welcome.py, lessons/01_objective.py, ...]."""
    return sorted((root / LESSONS.name).glob("[0-9][0-9]_*.py"))


def shown(path: Path) -> str:
    """A path as messages print it: relative to the repository when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def notebook_of(source: Path) -> Path:
    """lessons/04_random_search.py -> notebooks/04_random_search.ipynb"""
    return source.parent.parent / NOTEBOOKS.name / f"{source.stem}.ipynb"


def source_of(notebook: Path) -> Path:
    """notebooks/04_random_search.ipynb -> lessons/04_random_search.py"""
    return notebook.parent.parent / LESSONS.name / f"{notebook.stem}.py"


def cell_id(source: Path, number: int) -> str:
    """The stable id of cell `number` of a lesson: cell_id(Path("lessons/04_random_search.py"), 7) == "lesson04-07"."""
    return f"lesson{source.name[:2]}-{number:02d}"


def notebook_from_source(source: Path) -> nbformat.NotebookNode:
    """The notebook that `source` describes: its cells (type, text, metadata), ids numbered in order,
    no outputs, and the kernelspec of the source's header (plus the language name, as Jupyter writes it)."""
    text = jupytext.read(source, fmt=FORMAT)
    cells = [NEW_CELL[cell.cell_type](cell.source, metadata=cell.metadata, id=cell_id(source, number))
             for number, cell in enumerate(text.cells)]
    kernelspec = text.metadata.get("kernelspec")
    if not kernelspec:
        raise SystemExit(f"{shown(source)} has no kernelspec in its header: a notebook without one "
                         "opens a kernel-picker dialog (DESIGN.md). Copy the header of another lesson.")
    nb = new_notebook(cells=cells, metadata={"kernelspec": dict(kernelspec),
                                             "language_info": {"name": kernelspec["language"]}})
    nbformat.validate(nb)
    return nb


def notebook_text(source: Path) -> str:
    """The exact text of the notebook that `source` gives, as Jupyter saves it (with a final newline)."""
    return nbformat.writes(notebook_from_source(source)) + "\n"


def source_text(notebook: Path) -> str:
    """The percent-format text of a notebook's cells, as jupytext writes it when JupyterLab saves the pair."""
    nb = nbformat.read(notebook, as_version=4)
    return jupytext.writes(nb, fmt=FORMAT, config=load_jupytext_config(str(notebook)))


def differences(expected: nbformat.NotebookNode, found: nbformat.NotebookNode) -> list[str]:
    """What differs between the notebook a source gives and a notebook on disk, one line per difference,
    naming the cell: ["cell 7 (id lesson04-07): source, line 3: 'x = 1' in the source, 'x = 2' in the notebook"]."""
    lines = []
    for key in ("nbformat", "nbformat_minor", "metadata"):
        if expected.get(key) != found.get(key):
            lines.append(f"notebook {key}: {expected.get(key)!r} from the source, {found.get(key)!r} in the notebook")
    if len(expected.cells) != len(found.cells):
        lines.append(f"{len(expected.cells)} cells in the source, {len(found.cells)} in the notebook")
    for number, (want, got) in enumerate(zip(expected.cells, found.cells)):
        where = f"cell {number} (id {want.get('id')})"
        for key in ("cell_type", "id", "metadata"):
            if want.get(key) != got.get(key):
                lines.append(f"{where}: {key} {want.get(key)!r} from the source, {got.get(key)!r} in the notebook")
        if want.source != got.source:
            a, b = want.source.splitlines(), got.source.splitlines()
            line = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            x, y = (a[line] if line < len(a) else "<end>"), (b[line] if line < len(b) else "<end>")
            lines.append(f"{where}: source, line {line + 1}: {x!r} in the source, {y!r} in the notebook")
        if got.cell_type == "code" and (got.get("outputs") or got.get("execution_count") is not None):
            lines.append(f"{where}: the notebook has outputs or an execution count (committed notebooks have none)")
    return lines


def inputs(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source) for cell in nb.cells]


def edited_after_source(source: Path) -> bool:
    """True when the notebook's cells differ from its source's and the notebook is the newer file:
    an edit made in the .ipynb (without jupytext) that `sync` would otherwise lose."""
    notebook = notebook_of(source)
    if not notebook.exists() or notebook.stat().st_mtime <= source.stat().st_mtime:
        return False
    return inputs(nbformat.read(notebook, as_version=4)) != inputs(notebook_from_source(source))


def sync(root: Path = ROOT, force: bool = False) -> list[Path]:
    """Write every notebook whose text differs from what its source gives; return the notebooks written."""
    blocked = [s for s in sources(root) if not force and edited_after_source(s)]
    if blocked:
        names = " ".join(shown(notebook_of(s)) for s in blocked)
        raise SystemExit(f"{names}: edited after the source, so writing it from its source would lose the edit.\n"
                         f"Keep the edit: python tools/lessons.py pull {names}\n"
                         "Drop it:       python tools/lessons.py sync --force")
    written = []
    for source in sources(root):
        notebook, text = notebook_of(source), notebook_text(source)
        if not notebook.exists() or notebook.read_text(encoding="utf-8") != text:
            notebook.write_text(text, encoding="utf-8")
            written.append(notebook)
    return written


def orphans(root: Path = ROOT) -> list[Path]:
    """Notebooks without a source."""
    return [nb for nb in sorted((root / NOTEBOOKS.name).glob("*.ipynb")) if not source_of(nb).exists()]


def check(root: Path = ROOT) -> list[str]:
    """One entry per notebook that is missing, has no source, or differs from what its source gives (with what differs)."""
    problems = [f"{shown(nb)} has no source {shown(source_of(nb))}" for nb in orphans(root)]
    for source in sources(root):
        notebook = notebook_of(source)
        if not notebook.exists():
            problems.append(f"{shown(notebook)} is missing")
        elif notebook.read_text(encoding="utf-8") != notebook_text(source):
            found = nbformat.reads(notebook.read_text(encoding="utf-8"), as_version=nbformat.NO_CONVERT)
            details = differences(notebook_from_source(source), found) or [
                "same cells, written differently (not as `python tools/lessons.py sync` writes it)"]
            problems.append(f"{shown(notebook)} differs from {shown(source)}:\n" + "\n".join(f"  {d}" for d in details))
    return problems


def pull(notebook: Path) -> Path:
    """Write a notebook's cells into its source (for an edit made in the .ipynb without jupytext)."""
    source = source_of(notebook)
    source.parent.mkdir(exist_ok=True)
    source.write_text(source_text(notebook), encoding="utf-8")
    return source


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    sync_parser = commands.add_parser("sync", help="write every notebook from its source")
    sync_parser.add_argument("--force", action="store_true", help="also overwrite notebooks edited after their source")
    commands.add_parser("check", help="list the notebooks that differ from their sources; exit 1 if any")
    pull_parser = commands.add_parser("pull", help="write notebooks' cells into their sources")
    pull_parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if args.command == "sync":
        written = sync(force=args.force)
        for notebook in written:
            print(f"wrote {shown(notebook)}")
        print(f"{len(sources())} lessons; notebooks written: {len(written)}")
        return 0
    if args.command == "check":
        problems = check()
        print("\n".join(problems) if problems else f"{len(sources())} notebooks in sync with their sources")
        if problems:
            print("fix: python tools/lessons.py sync")
        return 1 if problems else 0
    for notebook in args.notebooks:
        if notebook.suffix != ".ipynb" or not notebook.exists():
            raise SystemExit(f"pull takes notebooks/NN_name.ipynb files; {notebook} is not one")
        print(f"wrote {shown(pull(notebook.resolve()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
