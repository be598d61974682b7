"""The course itself as data: its lessons and how long each takes to read. Taught in lesson 00 (the
course map); `python tools/reading_time.py` prints the table and checks the limits.

Reading time, as issue 20 measures it: words of prose / 200 per minute plus lines of code / 10 per
minute. A lesson should take at most `LIMIT_MINUTES` to read (its code run, not studied line by line),
and no markdown cell should run over `LIMIT_WORDS` words.

    >>> [r.lesson for r in readings()][:2]
    ['00_welcome', '01_objective']
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent  # the repository (an editable install)
NOTEBOOKS = ROOT / "notebooks"
WORDS_PER_MINUTE, CODE_LINES_PER_MINUTE = 200, 10
LIMIT_MINUTES, LIMIT_WORDS = 20, 250


@dataclass(frozen=True)
class Reading:
    """How long one lesson takes to read."""

    lesson: str
    words: int
    code_lines: int
    longest_cell_words: int

    @property
    def minutes(self) -> float:
        return self.words / WORDS_PER_MINUTE + self.code_lines / CODE_LINES_PER_MINUTE


def words(markdown: str) -> int:
    """Words a reader reads: code blocks, HTML tags and link targets left out, math counted as words.

    >>> words("Regret is the gap: $r = f(a^*) - f(a)$. See [lesson 04](04_random_search.ipynb).")
    14
    """
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\]\([^)]*\)", "] ", text)
    return len(re.findall(r"[\w$\\^*'’-]+", text))


def code_lines(source: str) -> int:
    """Non-blank lines of a code cell that are not only a comment."""
    return sum(1 for line in source.splitlines() if line.strip() and not line.strip().startswith("#"))


def reading(notebook: Path) -> Reading:
    nb = nbformat.read(notebook, as_version=4)
    prose = [words(c.source) for c in nb.cells if c.cell_type == "markdown"]
    code = sum(code_lines(c.source) for c in nb.cells if c.cell_type == "code")
    return Reading(notebook.stem, sum(prose), code, max(prose, default=0))


def readings(folder: Path = NOTEBOOKS) -> list[Reading]:
    """One `Reading` per lesson notebook, in lesson order."""
    return [reading(path) for path in sorted(folder.glob("[0-9][0-9]_*.ipynb"))]
