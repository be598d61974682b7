"""Files that lose nothing: atomic rewrites and JSON-lines files that survive a kill.

A search log (lesson 04, `run_search(log=...)`) and a benchmark build's progress file (lesson 03)
are both JSON-lines files that grow one line per result and are read back to resume. A kill can
cut the last line short; a rewrite can be interrupted too. The rules, in one place:

- a last line cut short (no newline, not valid JSON) is dropped: its result is computed again;
- a last line that is complete JSON and lacks only its newline is kept, and gets its newline, so
  the next append starts on a line of its own;
- any other line that is not valid JSON is an error naming the file and line;
- every repair rewrites the file atomically (a temporary file beside it, then a rename).

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "log.jsonl"
    >>> _ = path.write_text('{"a": 1}\\n{"a": 2}\\n{"a": 3')     # killed while writing line 3
    >>> [value for _, _, value in read_jsonl(path)]
    [{'a': 1}, {'a': 2}]
    >>> path.read_text()
    '{"a": 1}\\n{"a": 2}\\n'
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable

__all__ = ["atomic_write", "read_jsonl"]


def atomic_write(path: Path, data: str | bytes) -> None:
    """Replace `path` by `data` all at once: written to a temporary file beside it, flushed to
    disk, then renamed over it, so a kill or a full disk leaves the old file or the new one,
    never a mix. The temporary file is removed if writing fails."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data.encode() if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_jsonl(path: Path, *, check_header: Callable[[Any], None] | None = None,
               fix: str = "") -> list[tuple[int, str, Any]]:
    """Every line of a JSON-lines file as (line number, line with its newline, parsed value),
    repaired by the rules above. `check_header(value)`, if given, sees the first line before
    anything is repaired and raises if the file is not the kind expected; that line is never
    dropped (a file whose only line is not JSON is someone else's file: refused, untouched).
    `fix` ends the message of a corrupt line (what to do about it)."""
    path = Path(path)
    text = path.read_bytes().decode("utf-8", errors="replace")  # a damaged byte fails its line
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    out: list[tuple[int, str, Any]] = []
    for number, line in enumerate(lines, start=1):
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == 1 and check_header is not None:
                check_header(None)  # raises: not a header
            if number == len(lines) and not line.endswith("\n"):
                break  # cut short by a kill: drop it
            raise ValueError(f"{path} line {number} is corrupt: not valid JSON ({exc}). {fix}".rstrip()) from None
        if number == 1 and check_header is not None:
            check_header(value)
        out.append((number, line if line.endswith("\n") else line + "\n", value))
    repaired = "".join(line for _, line, _ in out)
    if repaired != text:
        atomic_write(path, repaired)
    return out
