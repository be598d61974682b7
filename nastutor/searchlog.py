"""The JSON-lines log of a search: what produced it, then one line per evaluation, in the order
the strategy was told; a search run again with the same log resumes where it stopped. Taught in
lesson 04 (an interrupted search loses nothing) and lesson 13 (an asynchronous search's log).

    >>> import tempfile; from pathlib import Path
    >>> from nastutor import RandomSearch, TabularEvaluator, run_search
    >>> path = Path(tempfile.mkdtemp()) / "search.jsonl"
    >>> evaluator = TabularEvaluator("mlp-mnist1d")
    >>> first = run_search(RandomSearch(), evaluator, budget=5, seed=0, log=path, progress=False)
    >>> log = SearchLog(path, log_header(RandomSearch(), evaluator, seed=0, epochs=evaluator.max_epochs,
    ...                                  in_flight=1), evaluator.space, evaluator.max_epochs)
    >>> [e.arch for e in log.records] == [e.arch for e in first]   # what the earlier run wrote, checked
    True
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .evaluators import Evaluator
from .files import atomic_write, read_jsonl
from .records import Evaluation
from .spaces import SearchSpace
from .strategies import Strategy

__all__ = ["SearchLog", "log_header", "LOG_VERSION"]

#: Version 2 headers record the evaluator's provenance (`Evaluator.describe()`).
LOG_VERSION = 2


class SearchLog:
    """The JSON-lines log of a search: a header line (what produced it: `log_header`), then one
    line per evaluation. Reading it back checks every line; rewriting it is atomic."""

    def __init__(self, path: Path, header: dict[str, Any], space: SearchSpace, max_epochs: int):
        try:  # compare what a JSON round trip gives on both sides (lists, not tuples)
            header = json.loads(json.dumps(header))
        except (TypeError, ValueError) as exc:
            raise TypeError(f"the log header must be JSON-ready (check Evaluator.describe()): {exc}") from None
        self.path, self.header, self.space, self.max_epochs = path, header, space, max_epochs
        self.records: list[Evaluation] = []
        try:
            if self.path.exists() and self.path.stat().st_size > 0:
                with open(self.path, "a"):  # a read-only log: refuse now, not after an evaluation
                    pass
                self._read()
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(self.path, json.dumps(header) + "\n")
        except OSError as exc:
            raise _cannot(self.path, exc) from None

    def _fail(self, number: int, why: str) -> ValueError:
        return ValueError(f"{self.path} line {number} {why}; use a new log file to start afresh")

    def _read(self) -> None:
        lines = read_jsonl(self.path, check_header=self._check_header, fix="Use a new log file to start afresh.")
        for number, _, record in lines[1:]:
            try:
                self.records.append(Evaluation.from_dict(record, self.space, max_epochs=self.max_epochs))
            except (ValueError, TypeError) as exc:
                raise self._fail(number, f"is corrupt: {exc}") from None

    def _check_header(self, found: Any) -> None:
        """Refuse a first line that is not a nastutor header, or one from a different search."""
        if not isinstance(found, dict) or not isinstance(found.get("nastutor_log"), int):
            raise self._fail(1, "is not a nastutor search log header (pass another log path)")
        if found["nastutor_log"] != LOG_VERSION:
            raise self._fail(1, f"is a version {found['nastutor_log']} log header; this nastutor "
                                f"resumes version {LOG_VERSION} logs only")
        difference = _first_difference(found, self.header)
        if difference:
            key, was, now = difference
            raise ValueError(f"{self.path} was written by a different search ({key} was {was}, now "
                             f"{now}); resume with the same settings, or use a new log file to start afresh")

    def write(self, evaluation: Evaluation) -> None:
        """Append one evaluation (checked first: a record that could not be read back is refused)."""
        try:
            checked = evaluation.validate(self.max_epochs)
        except ValueError as exc:
            raise ValueError(f"the evaluation of {self.space.to_string(evaluation.arch)} cannot be "
                             f"logged: {exc}") from None
        try:
            with open(self.path, "a") as fh:
                fh.write(json.dumps(checked.to_dict(self.space)) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise _cannot(self.path, exc) from None


def log_header(strategy: Strategy, evaluator: Evaluator, seed: int, epochs: int, in_flight: int,
               asynchronous: bool = False) -> dict[str, Any]:
    """What a log records about the search that writes it; a resumed search must match it all.
    An asynchronous search (lesson 13) adds `"asynchronous": true`; a search that tells in the
    order asked adds nothing, so the logs written before that mode existed still resume."""
    header = {"nastutor_log": LOG_VERSION, "evaluator": evaluator.describe(), "strategy": repr(strategy),
              "seed": seed, "epochs": epochs, "in_flight": in_flight}
    return {**header, "asynchronous": True} if asynchronous else header


_ABSENT = object()


def _first_difference(found: Any, expected: Any, key: str = "") -> tuple[str, str, str] | None:
    """The first (dotted key, found, expected) at which two JSON values differ, or None."""
    if isinstance(found, dict) and isinstance(expected, dict):
        for name in [*expected, *(k for k in found if k not in expected)]:
            inner = _first_difference(found.get(name, _ABSENT), expected.get(name, _ABSENT),
                                      f"{key}.{name}" if key else str(name))
            if inner:
                return inner
        return None
    if found == expected and type(found) is type(expected):
        return None
    shown = ["absent" if v is _ABSENT else repr(v) for v in (found, expected)]
    return (key, shown[0], shown[1])


def _cannot(path: Path, exc: OSError) -> OSError:
    """The same kind of OSError, with one message a learner can act on."""
    where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(path) else ""
    why = (exc.strerror or str(exc)).lower()
    return type(exc)(f"cannot write the search log {path}: {why}{where}; choose a file in a folder "
                     "you can write to")
