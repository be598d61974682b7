"""ruff over the package, the lesson sources, the tests, the benchmarks and the tools, with the rules of
pyproject.toml's [tool.ruff] (pyflakes and pycodestyle's errors: undefined names, unused imports and
variables, syntax errors, ...). The lessons are linted as text sources (lessons/*.py), not as notebooks."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINTED = ["nastutor", "lessons", "tests", "benchmarks", "tools"]


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise",
                             *LINTED], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "No module named ruff" not in result.stderr, "ruff is missing: pip install -e '.[test]'"
    assert result.returncode == 0, f"ruff check {' '.join(LINTED)}:\n{result.stdout}{result.stderr}"


def test_ruff_reads_the_projects_rules():
    """The configuration is the project's: a lesson may star-import its exercises; the package may not."""
    source = "from nastutor.exercises.lesson04 import *\nprint(q1)\n"

    def check(path: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise",
                               "--stdin-filename", path, "-"], cwd=ROOT, input=source, capture_output=True,
                              text=True, timeout=60)
    in_a_lesson, in_the_package = check("lessons/99_example.py"), check("nastutor/example.py")
    assert in_a_lesson.returncode == 0, in_a_lesson.stdout
    assert in_the_package.returncode == 1 and "F403" in in_the_package.stdout, in_the_package.stdout
