import shutil

import numpy as np
import pytest

from nastutor import data as data_module
from nastutor.data import DATASETS, build_mnist1d, data_dir, load_dataset


def _rows(x):
    return {row.tobytes() for row in x}


def test_mnist1d_splits_are_fixed_and_disjoint():
    ds = load_dataset("mnist1d")
    assert (ds.x_train.shape, ds.x_val.shape, ds.x_test.shape) == ((3000, 40), (1000, 40), (1000, 40))
    assert ds.num_classes == 10 and set(np.unique(ds.y_train)) == set(range(10))
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    assert not _rows(ds.x_train) & _rows(ds.x_val)
    assert not _rows(ds.x_train) & _rows(ds.x_test)
    assert not _rows(ds.x_val) & _rows(ds.x_test)


def test_shipped_mnist1d_is_what_the_generator_makes(tmp_path):
    state = np.random.get_state()
    path = build_mnist1d(tmp_path)
    after = np.random.get_state()
    assert all(np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b for a, b in zip(state, after)), \
        "make_dataset's reseeding of NumPy's global RNG leaked out"
    shipped = np.load(data_dir() / "mnist1d.npz", allow_pickle=False)
    rebuilt = np.load(path, allow_pickle=False)
    assert sorted(shipped.files) == sorted(rebuilt.files)
    for key in shipped.files:
        np.testing.assert_array_equal(shipped[key], rebuilt[key])


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    for name in ("mnist1d.npz", "MANIFEST.json"):
        shutil.copy(data_dir() / name, tmp_path / name)
    monkeypatch.setenv("NASTUTOR_DATA_DIR", str(tmp_path))
    return tmp_path


def test_corrupt_file_is_reported_not_used(data_copy):
    raw = bytearray((data_copy / "mnist1d.npz").read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (data_copy / "mnist1d.npz").write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="corrupt.*python -m nastutor data build"):
        load_dataset("mnist1d")


def test_missing_file_says_how_to_rebuild(data_copy):
    (data_copy / "mnist1d.npz").unlink()
    with pytest.raises(FileNotFoundError, match="python -m nastutor data build"):
        load_dataset("random-labels")


def test_missing_checksum_is_an_error(data_copy):
    (data_copy / "MANIFEST.json").write_text("{}")
    with pytest.raises(ValueError, match="no checksum"):
        load_dataset("mnist1d")


def test_unknown_dataset_lists_the_valid_names():
    with pytest.raises(ValueError) as err:
        load_dataset("nope")
    for name in DATASETS:
        assert name in str(err.value)


def test_random_labels_keep_the_signals_and_scramble_the_labels():
    real, fake = load_dataset("mnist1d"), load_dataset("random-labels")
    np.testing.assert_array_equal(real.x_train, fake.x_train)
    agreement = (real.y_train == fake.y_train).mean()
    assert 0.05 < agreement < 0.15  # chance agreement for 10 classes
    counts = np.bincount(fake.y_train, minlength=10)
    assert counts.min() > 200


def test_digits_split():
    ds = load_dataset("digits")
    assert len(ds.y_train) + len(ds.y_val) + len(ds.y_test) == 1797
    assert ds.num_features == 64 and 0 <= ds.x_train.min() and ds.x_train.max() <= 1


def test_arrays_are_read_only():
    ds = load_dataset("mnist1d")
    with pytest.raises(ValueError):
        ds.x_train[0, 0] = 1.0
    assert data_module.DATASETS["mnist1d"] in repr(ds) or "mnist1d" in repr(ds)
