"""Benchmark names and the commands that rebuild them.

Taught in lesson 03. A space's default settings with seeds 0, 1, 2 build under the shipped
names (`cell-mnist1d`); any other settings build under a name with a short hash of them, so a
custom build never overwrites a shipped benchmark. A name is only ever made, never taken apart:
what a benchmark is comes from its metadata.

    >>> from nastutor.spaces import CellSpace
    >>> benchmark_name("cell"), benchmark_name(CellSpace(channels=8))
    ('cell-mnist1d', 'cell-3575764a-mnist1d')
"""
from __future__ import annotations

import hashlib
import json
import shlex
from pathlib import Path
from typing import Any, Sequence

from ..checks import check_seeds
from ..data import DATASETS, data_dir
from ..manifest import SHIPPED_BENCHMARKS, fix_hint
from ..spaces import SPACES, SearchSpace
from .protocol import DEFAULT_SEEDS, dataset_arg, default_settings, space_arg

__all__ = ["BENCHMARKS", "benchmark_name", "rebuild_command", "rebuild_for", "hint"]

#: The benchmarks nastutor ships, by name: found from their files in `data/`.
BENCHMARKS = SHIPPED_BENCHMARKS


def benchmark_name(space: str | SearchSpace, dataset: str = "mnist1d",
                   seeds: Sequence[int] = DEFAULT_SEEDS) -> str:
    """The name a build is written under: `<space>-<dataset>` for a space's default settings
    and seeds 0, 1, 2 (the shipped benchmarks' names), else `<space>-<hash>-<dataset>` with a
    short hash of the settings and seeds, so a custom build never overwrites a shipped one.
    Taught in lesson 03."""
    space, dataset, seeds = space_arg(space), dataset_arg(dataset), check_seeds(seeds)
    settings = {"space_params": space.config(), "seeds": seeds}
    if settings == {"space_params": default_settings(type(space)), "seeds": list(DEFAULT_SEEDS)}:
        return f"{space.name}-{dataset}"
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:8]
    return f"{space.name}-{digest}-{dataset}"


def rebuild_command(protocol: dict[str, Any], folder: Path | None = None) -> str:
    """The command that builds the benchmark of `protocol` (a benchmark's metadata) into
    `folder`: the command line for the default settings of one of nastutor's spaces, else a
    Python one-liner that imports the space's class from its module. Taught in lesson 03."""
    folder = Path(folder) if folder is not None else data_dir()
    elsewhere = folder.resolve() != data_dir().resolve()
    kind, seeds = SPACES[protocol["space"]], [int(s) for s in protocol["seeds"]]
    if kind.__module__.startswith("nastutor.") and protocol["space_params"] == default_settings(kind):
        return (f"python -m nastutor benchmark build --space {protocol['space']} "
                f"--dataset {protocol['dataset']} --seeds {' '.join(map(str, seeds))} --workers 2"
                + (f" --folder {shlex.quote(str(folder))}" if elsewhere else ""))
    settings = ", ".join(f"{key}={value!r}" for key, value in protocol["space_params"].items())
    module = "nastutor.spaces" if kind.__module__.startswith("nastutor.spaces.") else kind.__module__
    return (f'python -c "from nastutor.benchmark import build_benchmark; from {module} import '
            f"{kind.__qualname__}; build_benchmark({kind.__qualname__}({settings}), {protocol['dataset']!r}, "
            f"seeds={seeds!r}" + (f", folder={str(folder)!r}" if elsewhere else "") + ')"')


def rebuild_for(name: str, folder: Path) -> str | None:
    """The rebuild command of benchmark `name`, from its metadata or its build's protocol if
    either is readable, else the command of the space's default build that has this name;
    None if unknown."""
    for path in (folder / f"{name}.json", folder / f"{name}.progress.json"):
        try:
            return rebuild_command(json.loads(path.read_text()), folder)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
    for space, kind in SPACES.items():
        if default_settings(kind) is None:
            continue
        for dataset in DATASETS:
            if benchmark_name(space, dataset) == name:
                default = {"space": space, "space_params": default_settings(kind), "dataset": dataset,
                           "seeds": list(DEFAULT_SEEDS)}
                return rebuild_command(default, folder)
    return None


def hint(path: Path, name: str, folder: Path) -> str:
    """What to do about a missing or damaged file of benchmark `name`."""
    return fix_hint(path, rebuild_for(name, folder))
