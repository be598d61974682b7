"""What every build_lessonNN.py script shares: collect cells, write the notebook without outputs,
with the kernelspec and with stable cell ids (regenerating gives the same file)."""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
METADATA = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"}}


class Lesson:
    """`md(text)` and `code(text)` append cells; `write()` saves notebooks/<filename>."""

    def __init__(self, filename: str):
        self.path = NOTEBOOKS / filename
        self.cells: list = []

    def md(self, text: str) -> None:
        self.cells.append(new_markdown_cell(text.strip("\n")))

    def code(self, text: str) -> None:
        self.cells.append(new_code_cell(text.strip("\n")))

    def write(self) -> Path:
        prefix = f"lesson{self.path.name[:2]}"
        for number, cell in enumerate(self.cells):
            cell["id"] = f"{prefix}-{number:02d}"
        nb = new_notebook(cells=self.cells, metadata=METADATA)
        nbformat.validate(nb)
        self.path.write_text(nbformat.writes(nb))
        print(f"wrote {self.path}")
        return self.path
