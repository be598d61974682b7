import json
import re
import shutil

import numpy as np
import pytest

from nastutor import data as data_module
from nastutor.manifest import write_manifest
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


def _store(folder, arrays):
    """Write `arrays` as the folder's mnist1d.npz, with a matching checksum."""
    np.savez_compressed(folder / "mnist1d.npz", **arrays)
    manifest = json.loads((folder / "MANIFEST.json").read_text())
    manifest["mnist1d.npz"] = data_module.sha256_of(folder / "mnist1d.npz")
    (folder / "MANIFEST.json").write_text(json.dumps(manifest))


def _shipped_arrays():
    with np.load(data_dir() / "mnist1d.npz", allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


@pytest.mark.parametrize("edit, why", [
    (lambda a: a.pop("y_val"), "y_val"),
    (lambda a: a.update(x_val=a["x_val"][:, :39]), "x_val"),
    (lambda a: a.update(y_test=a["y_test"][:-1]), "y_test"),
    (lambda a: a.update(y_train=a["y_train"] + 10), "y_train"),
    (lambda a: a.update(x_train=a["x_train"].ravel()), "x_train"),
    (lambda a: a.update(x_test=np.where(a["x_test"] > 0, np.nan, a["x_test"])), "x_test"),
])
def test_a_file_with_a_wrong_schema_is_refused_naming_it(data_copy, edit, why):
    arrays = _shipped_arrays()
    edit(arrays)
    _store(data_copy, arrays)
    path = data_copy / "mnist1d.npz"
    pattern = rf"{re.escape(str(path))} is malformed.*{why}.*python -m nastutor data build"
    with pytest.raises(ValueError, match=pattern):
        load_dataset("mnist1d")


def test_a_file_that_is_not_an_npz_is_refused_naming_it(data_copy):
    (data_copy / "mnist1d.npz").write_text("not a zip file")
    manifest = json.loads((data_copy / "MANIFEST.json").read_text())
    manifest["mnist1d.npz"] = data_module.sha256_of(data_copy / "mnist1d.npz")
    (data_copy / "MANIFEST.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match=re.escape(str(data_copy / "mnist1d.npz")) + " is not a readable"):
        load_dataset("mnist1d")


@pytest.mark.parametrize("text, why", [
    ('{"mnist1d.npz": ', "is not valid JSON"),
    ('["mnist1d.npz"]', "must be a JSON object"),
    ('{"mnist1d.npz": 3}', "must be a JSON object"),
])
def test_a_malformed_manifest_is_refused_naming_it(data_copy, text, why):
    (data_copy / "MANIFEST.json").write_text(text)
    pattern = re.escape(str(data_copy / "MANIFEST.json")) + " " + why
    with pytest.raises(ValueError, match=pattern):
        load_dataset("mnist1d")
    with pytest.raises(ValueError, match=pattern):
        write_manifest(data_copy, "x.json", "0" * 64)


def test_a_corrupt_shipped_file_says_git_checkout_first(data_copy, monkeypatch):
    monkeypatch.setattr("nastutor.manifest.SHIPPED_DIR", data_copy)  # pretend the copy is data/
    raw = bytearray((data_copy / "mnist1d.npz").read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (data_copy / "mnist1d.npz").write_bytes(bytes(raw))
    with pytest.raises(ValueError, match=r"corrupt.*`git checkout -- data/mnist1d.npz`.*"
                                         r"`python -m nastutor data build`"):
        load_dataset("mnist1d")
    (data_copy / "MANIFEST.json").write_text("[]")
    with pytest.raises(ValueError, match=r"git checkout -- data/MANIFEST.json"):
        load_dataset("mnist1d")
