"""Checksums of data files (`MANIFEST.json`), and which files the repository ships.

Taught in lesson 03 (a benchmark is only as good as the bytes it is read from). Every data file
nastutor reads (MNIST-1D's arrays, each benchmark's table and metadata) has its sha256 in the
`MANIFEST.json` of its folder, and is checked against it before it is used.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_text("hello")
    >>> write_manifest(folder, "a.txt", sha256_of(folder / "a.txt"))
    >>> read_manifest(folder)["a.txt"][:12]
    '2cf24dba5fb0'
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

# filelock (tox's, and a dependency of torch): an OS-level lock (flock / msvcrt) that the system
# releases when its holder dies, even by SIGKILL; better kept than a lock written by hand.
from filelock import FileLock

from .files import atomic_write

__all__ = ["MANIFEST_FILE", "SHIPPED_DIR", "SHIPPED_BENCHMARKS", "SHIPPED_FILES", "benchmarks_in",
           "sha256_of", "read_manifest", "write_manifest", "fix_hint"]

MANIFEST_FILE = "MANIFEST.json"
#: The repository's `data/` folder: `git checkout -- data/NAME` restores a shipped file there.
SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data"
#: What a benchmark named NAME writes: its table, its metadata and its data card.
BENCHMARK_FILES = (".csv.gz", ".json", ".md")
#: Side tables beside a benchmark NAME (NAME + suffix), not benchmarks themselves: the zero-cost
#: proxy scores of lesson 10 (`nastutor.proxies`).
SIDE_TABLES = (".proxies.csv.gz",)


def benchmarks_in(folder: Path) -> tuple[str, ...]:
    """The benchmarks whose table (`NAME.csv.gz`) or metadata (`NAME.json`) lies in `folder`,
    sorted by name; a build's progress files do not count. Nothing is read, so a damaged file
    still names its benchmark (and loading it then says what is wrong).

    >>> benchmarks_in(SHIPPED_DIR)
    ('cell-digits', 'cell-mnist1d', 'mlp-mnist1d')
    """
    folder = Path(folder)
    if not folder.is_dir():
        return ()
    names = {path.name[: -len(ext)] for ext in (".csv.gz", ".json") for path in folder.glob(f"*{ext}")
             if path.name != MANIFEST_FILE and not path.name.endswith((".progress.json", *SIDE_TABLES))}
    return tuple(sorted(names))


#: The tabular benchmarks shipped in `data/`, found from their files there (see `nastutor.benchmark`).
SHIPPED_BENCHMARKS: tuple[str, ...] = benchmarks_in(SHIPPED_DIR)
#: The files of `data/` that git restores (`fix_hint` suggests `git checkout` for them).
SHIPPED_FILES = frozenset({MANIFEST_FILE, "mnist1d.npz"} | {
    f"{name}{ext}" for name in SHIPPED_BENCHMARKS for ext in (*BENCHMARK_FILES, *SIDE_TABLES)})


def fix_hint(path: Path, rebuild: str | None) -> str:
    """What to do about a missing or damaged data file: a shipped one is restored from git
    first; any one can be rebuilt with the command `rebuild`.

    >>> fix_hint(Path("/tmp/x.json"), "python -m nastutor data build")
    'Rebuild it with `python -m nastutor data build`.'
    """
    shipped = path.name in SHIPPED_FILES and path.parent.resolve() == Path(SHIPPED_DIR).resolve()
    restore = (f"Restore the shipped file with `git checkout -- data/{path.name}` (in the "
               "repository's folder)" if shipped else "")
    if rebuild is None:
        return (restore or f"Fix or delete {path.name}") + "."
    return f"{restore}, or rebuild it with `{rebuild}`." if restore else f"Rebuild it with `{rebuild}`."


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(folder: Path) -> dict[str, str]:
    """The folder's checksums, file name to sha256 (empty if it has none), or a clear error."""
    path = Path(folder) / MANIFEST_FILE
    if not path.exists():
        return {}
    hint = fix_hint(path, None)
    try:
        manifest = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not valid JSON ({exc}). {hint}") from None
    if not isinstance(manifest, dict) or not all(isinstance(v, str) for v in manifest.values()):
        raise ValueError(f"{path} must be a JSON object mapping file names to sha256 digests. {hint}")
    return manifest


def write_manifest(folder: Path, name: str, digest: str) -> None:
    """Record `name`'s checksum; a lock keeps two builds finishing at once from losing one."""
    folder = Path(folder)
    with FileLock(folder / (MANIFEST_FILE + ".lock")):
        manifest = read_manifest(folder)
        manifest[name] = digest
        atomic_write(folder / MANIFEST_FILE, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
