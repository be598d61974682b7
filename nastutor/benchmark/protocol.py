"""What a benchmark build is: a space with its settings, a dataset, seeds and a training protocol.

Taught in lesson 03. The protocol is written to a build's `<name>.progress.json` and to the
finished benchmark's metadata `<name>.json`; everything else (the space itself, the rebuild
command, the checks of the rows) is read back from it.

    >>> from nastutor.spaces import MLPSpace
    >>> p = protocol_of(MLPSpace(widths=(8,), max_depth=1), "mnist1d", [0, 1])
    >>> p["space"], p["space_params"]["widths"], p["training"]["epochs"]
    ('mlp', [8], 50)
    >>> space_of(p)
    MLPSpace(widths=(8,), activations=('relu', 'tanh', 'elu'), max_depth=1)
"""
from __future__ import annotations

from dataclasses import asdict
from typing import Any, Sequence

from ..checks import InputError
from ..data import DATASETS
from ..spaces import SPACES, SearchSpace
from ..training import TrainConfig

__all__ = ["DEFAULT_SEEDS", "space_arg", "dataset_arg", "protocol_of", "space_of", "default_settings"]

#: The seeds of the shipped benchmarks.
DEFAULT_SEEDS = (0, 1, 2)


def space_arg(space: object) -> SearchSpace:
    """A space from its short name (default settings) or a `SearchSpace` of a registered kind."""
    if isinstance(space, str):
        if space not in SPACES:
            raise InputError(f"unknown space {space!r}; choose one of: {', '.join(SPACES)}")
        return SPACES[space]()
    if not isinstance(space, SearchSpace) or type(space) is not SPACES.get(space.name):
        raise InputError(f"space must be one of: {', '.join(SPACES)} or a space such as CellSpace(), "
                         f"got {space!r}")
    return space


def dataset_arg(dataset: object) -> str:
    """`dataset` if it names one of `DATASETS`, else a clear error."""
    if not isinstance(dataset, str) or dataset not in DATASETS:
        raise InputError(f"dataset must be one of: {', '.join(DATASETS)}, got {dataset!r}")
    return dataset


def default_settings(kind: type[SearchSpace]) -> dict[str, Any] | None:
    """The `config()` of a space class's default settings, or None if it has none (its
    constructor needs arguments)."""
    try:
        return kind().config()
    except TypeError:
        return None


def protocol_of(space: SearchSpace, dataset: str, seeds: Sequence[int],
                config: TrainConfig | None = None) -> dict[str, Any]:
    """The protocol of a build, JSON-ready: the space's name and settings, the dataset, the
    seeds and the training (`config`, default: the space's own `default_config()`, never
    shortened by fast mode)."""
    config = space.default_config() if config is None else config
    return {"space": space.name, "space_params": space.config(), "dataset": dataset, "seeds": list(seeds),
            "training": asdict(config)}


def space_of(protocol: dict[str, Any]) -> SearchSpace:
    """The space a protocol (or a benchmark's metadata) names, with its recorded settings."""
    kind = SPACES.get(protocol["space"])
    if kind is None:
        raise InputError(f"unknown space {protocol['space']!r}; choose one of: {', '.join(SPACES)} (a space "
                         "of your own is known once the module that defines it is imported)")
    return kind.from_config(protocol["space_params"])
