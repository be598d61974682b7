"""Datasets by name, with deterministic splits and checksummed caches.

Taught in lesson 01 (the NAS objective: validation vs test, and the random-labels
counter-example) and lesson 03 (performance estimation).

Example:
    >>> from nastutor.data import load_dataset
    >>> ds = load_dataset("mnist1d")
    >>> ds.x_train.shape, ds.x_val.shape, ds.x_test.shape
    ((3000, 40), (1000, 40), (1000, 40))
"""
from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .manifest import (MANIFEST_FILE, SHIPPED_BENCHMARKS, SHIPPED_DIR, fix_hint, read_manifest, sha256_of,
                       write_manifest)

# the checksum helpers live in `nastutor.manifest`; `sha256_of`, `fix_hint`, `SHIPPED_DIR` and
# `SHIPPED_BENCHMARKS` are also importable from here, where they used to be
__all__ = ["Dataset", "DATASETS", "PROCEDURES", "load_dataset", "data_dir", "build_mnist1d", "sha256_of", "fix_hint",
           "SHIPPED_DIR", "SHIPPED_BENCHMARKS"]

#: Every dataset `load_dataset` knows, with a one-line description.
DATASETS: dict[str, str] = {
    "mnist1d": "MNIST-1D (Greydanus 2020): 10 classes of 1-D signals of length 40; "
    "3000 train / 1000 validation / 1000 test.",
    "digits": "scikit-learn's 8x8 handwritten digits, flattened to length 64; "
    "1078 train / 359 validation / 360 test.",
    "random-labels": "MNIST-1D's signals with labels drawn at random: nothing to learn, "
    "so held-out accuracy is chance (the counter-example of lesson 01).",
}

#: How each dataset is made, step by step, with its seeds (the data cards print it).
PROCEDURES: dict[str, str] = {
    "mnist1d": "`mnist1d.data.make_dataset(get_dataset_args())` (the package's default arguments, its seed 42; "
    "nothing downloaded): 5000 signals of length 40, 10 classes; its last 1000 are the test split; the other "
    "4000 are shuffled by `numpy.random.default_rng(0).permutation`, the first 1000 becoming validation and "
    "the rest training. Stored as data/mnist1d.npz (`python -m nastutor data build`).",
    "digits": "`sklearn.datasets.load_digits()` (1797 handwritten 8x8 images, bundled with scikit-learn; "
    "nothing downloaded), pixel values divided by 16, each image flattened row by row into a signal of "
    "length 64; shuffled by `numpy.random.default_rng(0).permutation`, the first 60% training, the next "
    "20% validation, the last 20% test.",
    "random-labels": "MNIST-1D's signals with every label replaced by `numpy.random.default_rng(0).integers(0, 10)`.",
}

MNIST1D_FILE = "mnist1d.npz"
_ARRAYS = ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")
_SPLIT_SEED = 0
_N_VAL = 1000


@dataclass(frozen=True, eq=False)
class Dataset:
    """A classification dataset with fixed train / validation / test splits.

    Search scores architectures on `val`; `test` is only for reporting the chosen one.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    num_classes: int
    description: str = ""

    @property
    def num_features(self) -> int:
        """Length of one input signal (the spaces treat it as a 1-D signal)."""
        return int(self.x_train.shape[1])

    def __repr__(self) -> str:
        return (f"Dataset({self.name!r}, train={len(self.y_train)}, val={len(self.y_val)}, "
                f"test={len(self.y_test)}, features={self.num_features}, classes={self.num_classes})")


def data_dir() -> Path:
    """The folder holding shipped data: `$NASTUTOR_DATA_DIR`, else the repository's `data/`."""
    env = os.environ.get("NASTUTOR_DATA_DIR")
    return Path(env) if env else SHIPPED_DIR


def build_mnist1d(folder: Path | None = None) -> Path:
    """Generate MNIST-1D with `mnist1d.make_dataset` (default arguments, no download) and
    store it, split, as `mnist1d.npz` with its sha256 in `MANIFEST.json`.

    The rebuild command is ``python -m nastutor data build``.
    """
    from mnist1d.data import get_dataset_args, make_dataset

    folder = Path(folder) if folder is not None else data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    state = np.random.get_state()  # make_dataset reseeds NumPy's global RNG
    try:
        raw = make_dataset(get_dataset_args())
    finally:
        np.random.set_state(state)
    x, y = raw["x"].astype(np.float32), raw["y"].astype(np.int64)
    order = np.random.default_rng(_SPLIT_SEED).permutation(len(y))
    val, train = order[:_N_VAL], order[_N_VAL:]
    path = folder / MNIST1D_FILE
    tmp = folder / (MNIST1D_FILE + ".tmp.npz")
    np.savez_compressed(
        tmp, x_train=x[train], y_train=y[train], x_val=x[val], y_val=y[val],
        x_test=raw["x_test"].astype(np.float32), y_test=raw["y_test"].astype(np.int64))
    tmp.replace(path)
    write_manifest(folder, MNIST1D_FILE, sha256_of(path))
    return path


def _load_mnist1d(folder: Path) -> dict[str, np.ndarray]:
    """MNIST-1D's arrays, after checking the file's checksum and its schema."""
    path = folder / MNIST1D_FILE
    hint = fix_hint(path, "python -m nastutor data build")
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing. {hint}")
    expected = read_manifest(folder).get(MNIST1D_FILE)
    if expected is None:
        raise ValueError(f"{folder / MANIFEST_FILE} has no checksum for {MNIST1D_FILE}. {hint}")
    actual = sha256_of(path)
    if actual != expected:
        raise ValueError(f"{path} is corrupt: its sha256 is {actual[:12]}..., "
                         f"the manifest expects {expected[:12]}.... {hint}")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path} is not a readable .npz file ({exc}). {hint}") from None
    problem = _mnist1d_problem(arrays)
    if problem:
        raise ValueError(f"{path} is malformed: {problem}. {hint}")
    return arrays


def _mnist1d_problem(arrays: dict[str, np.ndarray]) -> str:
    """What is wrong with MNIST-1D's arrays, or "": six arrays, finite float signals of one
    length, one integer label from 0 to 9 per signal."""
    missing = [key for key in _ARRAYS if key not in arrays]
    if missing:
        return f"it lacks the arrays {', '.join(missing)} (it needs {', '.join(_ARRAYS)})"
    for part in ("train", "val", "test"):
        x, y = arrays[f"x_{part}"], arrays[f"y_{part}"]
        if x.ndim != 2 or x.shape[0] == 0 or not np.issubdtype(x.dtype, np.floating):
            return f"x_{part} must be a 2-D float array of signals, got shape {x.shape} ({x.dtype})"
        if x.shape[1] != arrays["x_train"].shape[1]:
            return f"x_{part} has signals of length {x.shape[1]}, x_train of {arrays['x_train'].shape[1]}"
        if not np.isfinite(x).all():
            return f"x_{part} holds NaN or infinite values"
        if y.shape != (len(x),) or not np.issubdtype(y.dtype, np.integer):
            return (f"y_{part} must hold one integer label per signal ({len(x)}), "
                    f"got shape {y.shape} ({y.dtype})")
        if y.min() < 0 or y.max() > 9:
            return f"y_{part} holds labels outside 0-9 (from {y.min()} to {y.max()})"
    return ""


def _split(x: np.ndarray, y: np.ndarray, seed: int, fractions=(0.6, 0.2)) -> dict[str, np.ndarray]:
    order = np.random.default_rng(seed).permutation(len(y))
    n_train, n_val = int(fractions[0] * len(y)), int(fractions[1] * len(y))
    parts = {"train": order[:n_train], "val": order[n_train:n_train + n_val],
             "test": order[n_train + n_val:]}
    out = {}
    for part, idx in parts.items():
        out[f"x_{part}"], out[f"y_{part}"] = x[idx], y[idx]
    return out


@lru_cache(maxsize=8)
def _load_cached(name: str, folder: str) -> Dataset:
    if name == "mnist1d":
        arrays = _load_mnist1d(Path(folder))
    elif name == "digits":
        from sklearn.datasets import load_digits

        digits = load_digits()
        arrays = _split((digits.data / 16.0).astype(np.float32), digits.target.astype(np.int64),
                        seed=_SPLIT_SEED)
    else:  # random-labels
        arrays = dict(_load_mnist1d(Path(folder)))
        rng = np.random.default_rng(_SPLIT_SEED)
        for part in ("train", "val", "test"):
            arrays[f"y_{part}"] = rng.integers(0, 10, size=len(arrays[f"y_{part}"]), dtype=np.int64)
    for arr in arrays.values():
        arr.setflags(write=False)
    return Dataset(name=name, num_classes=10, description=DATASETS[name], **arrays)


def load_dataset(name: str = "mnist1d") -> Dataset:
    """Load a dataset by name; see `DATASETS` for the names.

    Taught in lesson 01.

    >>> load_dataset("digits").num_features
    64
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    return _load_cached(name, str(data_dir()))
