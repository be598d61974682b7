"""The README's examples run as written, and every `nt.X` a lesson calls is exported by `nastutor`
(issue 20: the README's first example crashed with AttributeError). The docstrings' examples run
as doctests (`--doctest-modules` over nastutor/, pyproject.toml)."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import types
from pathlib import Path

import pytest

import nastutor as nt
from nastutor.__main__ import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def blocks(language: str) -> list[str]:
    """The README's fenced code blocks of `language`, in order."""
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_the_readme_has_examples():
    assert len(blocks("python")) >= 3 and blocks("bash")


def test_the_readmes_python_examples_run_in_order(tmp_path):
    """All Python blocks in one fresh interpreter, in the order a reader meets them (each builds
    on the one before), with short training (NASTUTOR_FAST=1) and no display."""
    script = tmp_path / "readme.py"
    script.write_text("import matplotlib\nmatplotlib.use('Agg')\n" + "\n".join(blocks("python")))
    env = {**os.environ, "NASTUTOR_FAST": "1", "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]


def cli_lines() -> list[list[str]]:
    """Every `python -m nastutor ...` command of the README, as arguments after `nastutor`."""
    out = []
    for block in blocks("bash"):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if "-m nastutor " in line:
                out.append(shlex.split(line.split("-m nastutor ", 1)[1]))
    return out


@pytest.mark.parametrize("args", cli_lines(), ids=" ".join)
def test_every_readme_command_line_is_one_the_cli_accepts(args):
    """Each command parses (flags, choices and values exist); `--help` prints and exits 0."""
    if "--help" in args:
        with pytest.raises(SystemExit) as stop:
            build_parser().parse_args(args)
        assert stop.value.code == 0
    else:
        build_parser().parse_args(args)


def test_the_readmes_cheap_search_command_runs():
    """The README's search with a strategy parameter, run for real (short training)."""
    args = next(a for a in cli_lines() if "--param" in a)
    env = {**os.environ, "NASTUTOR_FAST": "1"}
    done = subprocess.run([sys.executable, "-m", "nastutor", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "best" in done.stdout.lower()


def test_everything_a_lesson_or_the_readme_calls_nt_x_is_exported():
    texts = [p.read_text() for p in sorted((ROOT / "lessons").glob("*.py"))] + [README]
    used = sorted({name for text in texts for name in re.findall(r"\bnt\.([A-Za-z_]\w*)", text)})
    assert used, "no nt.X found: the pattern is wrong"
    missing = [name for name in used if not hasattr(nt, name)]
    assert not missing, f"used as nt.X but not exported by nastutor: {missing}"
    unlisted = [n for n in used if n not in [*nt.__all__, "__version__"] and not isinstance(getattr(nt, n), types.ModuleType)]
    assert not unlisted, f"exported but not in nastutor.__all__: {unlisted}"
