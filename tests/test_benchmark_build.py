"""Building and loading tabular benchmarks loses nothing and never silently goes wrong: a lock
per build, names derived from the space's settings, duplicate and half-written progress lines
handled, every value read back checked. Training is replaced by a fast fake (`fake_train`)."""
import builtins
import io
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nastutor import Benchmark, benchmark
from nastutor.__main__ import main
from nastutor.benchmark import build as builder
from nastutor.benchmark import build_benchmark
from nastutor.checks import InputError
from nastutor.data import data_dir
from nastutor.manifest import sha256_of
from nastutor.spaces import CellSpace, MLPSpace

TINY = {"widths": (8,), "activations": ("relu", "tanh"), "max_depth": 1}


def tiny() -> MLPSpace:
    """Two architectures: one hidden layer of 8 relu or 8 tanh units."""
    return MLPSpace(**TINY)


def _fake_row(protocol, arch, seed, measure):
    n = protocol["training"]["epochs"]
    row = {"arch": arch, "seed": seed, "failed": False, "params": 100, "train_loss": [1.0] * n,
           "val_accuracy": [0.5] * n, "test_accuracy": [0.4] * n, "epoch_seconds": [0.01] * n,
           "cpu_seconds": 0.5}
    if measure:
        row.update(macs=80, latency_ms=0.1)
    return row


@pytest.fixture
def fake_train(monkeypatch):
    """Replace training by a fake that records its calls."""
    calls = []

    def fake(protocol, arch, seed, measure):
        calls.append((arch, seed))
        return _fake_row(protocol, arch, seed, measure)

    monkeypatch.setattr(builder, "_train_job", fake)
    return calls


def build(folder, **kwargs):
    kwargs.setdefault("seeds", (0, 1))
    return build_benchmark(tiny(), "mnist1d", folder=folder, progress=False, **kwargs)


def progress_file(folder: Path) -> Path:
    (path,) = folder.glob("*.progress.jsonl")
    return path


def rows_of(path: Path) -> list:
    return [json.loads(line) for line in path.read_text().splitlines()]


def name_of(table: Path) -> str:
    return table.name[: -len(".csv.gz")]


def update_manifest(folder: Path, *paths: Path) -> None:
    manifest = json.loads((folder / "MANIFEST.json").read_text())
    for path in paths:
        manifest[path.name] = sha256_of(path)
    (folder / "MANIFEST.json").write_text(json.dumps(manifest))


@pytest.fixture(scope="module")
def tiny_build(tmp_path_factory):
    """A complete tiny benchmark, built once with the fake; tests work on copies of it."""
    folder = tmp_path_factory.mktemp("tiny")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(builder, "_train_job", _fake_row)
        table = build(folder)
    return folder, name_of(table)


@pytest.fixture
def built(tiny_build, tmp_path):
    folder, name = tiny_build
    copy = tmp_path / "bench"
    shutil.copytree(folder, copy)
    return copy, name


# -- 1. one build at a time ---------------------------------------------------------------

def test_a_second_build_of_the_same_benchmark_is_refused_while_the_first_runs(tmp_path, monkeypatch):
    outcome = []

    def fake(protocol, arch, seed, measure):
        if not outcome:  # while the first build trains its first run, start a second one
            outcome.append("started")
            try:
                build(tmp_path)
                outcome.append(None)
            except Exception as exc:  # noqa: BLE001 - the test inspects it
                outcome.append(exc)
        return _fake_row(protocol, arch, seed, measure)

    monkeypatch.setattr(builder, "_train_job", fake)
    table = build(tmp_path)
    error = outcome[1]
    assert error is not None, "the second, overlapping build was not refused"
    message = str(error)
    assert re.search(r"\.lock\b", message) and str(tmp_path) in message
    assert "another build" in message and "again" in message
    assert table is not None and Benchmark.load(table)  # the first build was not disturbed
    rows = rows_of(progress_file(tmp_path))
    assert len(rows) == len({(r["arch"], r["seed"]) for r in rows}) == 4


def test_the_lock_of_a_killed_build_does_not_block_the_next_one(tmp_path, fake_train):
    code = (
        "import time\n"
        "import nastutor.benchmark.build as b\n"
        "from nastutor.spaces import MLPSpace\n"
        "b._train_job = lambda *args: time.sleep(300)\n"
        f"b.build_benchmark(MLPSpace(**{TINY!r}), 'mnist1d', seeds=(0, 1), folder={str(tmp_path)!r}, "
        "progress=False)\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 120
        while not list(tmp_path.glob("*.progress.json")) and time.time() < deadline:
            assert child.poll() is None, child.stderr.read().decode()
            time.sleep(0.1)
        time.sleep(0.5)
        with pytest.raises(Exception, match=r"another build.*\.lock"):
            build(tmp_path)
        assert not fake_train
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    table = build(tmp_path)
    assert table is not None and len(fake_train) == 4


# -- 2. names derived from the space's settings -----------------------------------------

def test_a_custom_space_never_writes_under_a_shipped_name(tmp_path, fake_train):
    assert build_benchmark(CellSpace(channels=8), folder=tmp_path, limit=1, progress=False) is None
    table = build(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert not [n for n in written if n.startswith(("cell-mnist1d.", "mlp-mnist1d."))], written
    name = name_of(table)
    assert name.startswith("mlp-") and name.endswith("-mnist1d")
    bench = Benchmark.load(name, tmp_path)
    assert len(bench) == 2 and bench.seeds == (0, 1) and bench.space.config() == tiny().config()
    assert Benchmark.load(table).name == name  # the path build_benchmark returns loads too
    other = build(tmp_path, seeds=(0, 1, 2))
    assert name_of(other) != name  # other seeds, another benchmark


def test_the_default_space_keeps_its_shipped_name(tmp_path, fake_train):
    assert build_benchmark(CellSpace(), folder=tmp_path, limit=1, progress=False) is None
    assert (tmp_path / "cell-mnist1d.progress.jsonl").exists()
    assert benchmark.benchmark_name("mlp", "mnist1d", (0, 1, 2)) == "mlp-mnist1d"


def test_messages_give_the_right_rebuild_command(built, fake_train):
    folder, name = built
    table = folder / f"{name}.csv.gz"
    table.write_bytes(table.read_bytes()[:-10])
    with pytest.raises(ValueError) as err:
        Benchmark.load(name, folder)
    command = re.search(r"Rebuild it with `([^`]*)`", str(err.value)).group(1)
    assert command.startswith('python -c "') and command.endswith('"')
    assert "MLPSpace(widths=[8], activations=['relu', 'tanh'], max_depth=1)" in command
    assert "seeds=[0, 1]" in command and repr(str(folder)) in command
    exec(command[len('python -c "'):-1], {})  # the command itself rebuilds the table
    assert Benchmark.load(name, folder).seeds == (0, 1)


def test_an_unknown_name_lists_the_benchmarks_of_the_folder(built):
    folder, name = built
    with pytest.raises(ValueError, match=f"cell-mnist1d, mlp-mnist1d.*{name}"):
        Benchmark.load("nope", folder)


# -- 3. duplicate rows ---------------------------------------------------------------------

def test_duplicate_progress_rows_are_dropped_not_fatal(tmp_path, fake_train):
    assert build(tmp_path, limit=2) is None
    progress = progress_file(tmp_path)
    first, second = progress.read_text().splitlines(keepends=True)
    twin = json.loads(first)
    twin["cpu_seconds"] = 99.0  # a second process trained the same run
    progress.write_text(first + second + json.dumps(twin) + "\n" + second)
    with pytest.warns(UserWarning, match=rf"{re.escape(progress.name)}.*2 duplicate"):
        table = build(tmp_path)
    rows = rows_of(progress)
    assert len(rows) == len({(r["arch"], r["seed"]) for r in rows}) == 4
    assert rows[0] == json.loads(first)  # the first of the twins is kept
    assert len(Benchmark.load(table)) == 2


# -- 4. atomic rewrites, and a last line without its newline ------------------------------

def test_a_complete_last_line_without_its_newline_is_kept(tmp_path, fake_train):
    assert build(tmp_path, limit=1) is None
    progress = progress_file(tmp_path)
    progress.write_text(progress.read_text().rstrip("\n"))
    assert build(tmp_path, limit=1) is None
    rows = rows_of(progress)
    assert len(rows) == 2 and len(fake_train) == 2
    assert build(tmp_path) is not None and len(fake_train) == 4


def test_rewriting_the_progress_file_is_atomic(tmp_path, fake_train, monkeypatch):
    assert build(tmp_path, limit=2) is None
    progress = progress_file(tmp_path)
    intact = progress.read_text()
    progress.write_text(intact + intact[:30])  # a kill in the middle of a write
    real_open = builtins.open

    class DiskFull:
        """A file that fills the disk halfway through its first write."""

        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            raise OSError(28, "No space left on device")

        def __getattr__(self, attr):
            return getattr(self.fh, attr)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    def sabotaged(file, mode="r", *args, **kwargs):
        fh = real_open(file, mode, *args, **kwargs)
        if "w" in mode and ".progress.jsonl" in os.fspath(file):
            return DiskFull(fh)
        return fh

    monkeypatch.setattr(builtins, "open", sabotaged)
    monkeypatch.setattr(io, "open", sabotaged)
    with pytest.raises(OSError, match="No space left"):
        build(tmp_path)
    monkeypatch.undo()
    assert progress.read_text() == intact + intact[:30]  # nothing lost
    assert sorted(p.name for p in tmp_path.iterdir() if ".tmp" in p.name) == []


# -- 5. values read back are checked -------------------------------------------------------

def _set(key, value, index=None):
    def edit(row):
        if index is None:
            row[key] = value
        else:
            row[key][index] = value
    return edit


@pytest.mark.parametrize("edit, why", [
    (_set("val_accuracy", math.nan, 3), "val_accuracy"),
    (_set("test_accuracy", 1.5, 0), "test_accuracy"),
    (_set("epoch_seconds", -1.0, 0), "epoch_seconds"),
    (_set("epoch_seconds", math.inf, 0), "epoch_seconds"),
    (_set("cpu_seconds", math.nan), "cpu_seconds"),
    (_set("seed", 7), "seed 7"),
    (_set("arch", "128relu"), "arch"),
    (_set("params", -3), "params"),
    (_set("params", 2.5), "params"),
    (_set("macs", -1), "macs"),
    (_set("latency_ms", math.nan), "latency_ms"),
    (lambda row: row.pop("macs"), "macs"),
    (lambda row: row["val_accuracy"].pop(), "epochs"),
])
def test_bad_progress_rows_are_refused_naming_the_file_and_line(tmp_path, fake_train, edit, why):
    assert build(tmp_path, limit=2) is None
    progress = progress_file(tmp_path)
    lines = progress.read_text().splitlines()
    row = json.loads(lines[0])
    edit(row)
    progress.write_text("\n".join([json.dumps(row)] + lines[1:]) + "\n")
    with pytest.raises(ValueError, match=rf"{re.escape(progress.name)} line 1.*{why}"):
        build(tmp_path)


def _table_edit(column, value, rows=slice(0, 1)):
    def edit(frame):
        if isinstance(value, float):
            frame[column] = frame[column].astype("float64")
        frame.loc[frame.index[rows], column] = value
    return edit


@pytest.mark.parametrize("edit, why", [
    (_table_edit("val_accuracy", math.nan), "val_accuracy"),
    (_table_edit("test_accuracy", 1.5), r"test_accuracy.*\[0, 1\]"),
    (_table_edit("seed", 5, slice(0, None, 2)), r"seeds .*5.*0, 1"),
    (_table_edit("epoch", 1, slice(1, 2)), "epoch"),
    (_table_edit("epoch_seconds", -0.5), "epoch_seconds"),
    (_table_edit("epoch_seconds", math.inf), "epoch_seconds"),
    (_table_edit("params", -5, slice(None)), "params"),
    (_table_edit("macs", 1.5, slice(None)), "macs"),
    (_table_edit("latency_ms", -1.0, slice(None)), "latency_ms"),
    (_table_edit("params", 7), "params"),  # two values for one architecture
])
def test_bad_tables_are_refused_naming_the_file(built, edit, why):
    folder, name = built
    table = folder / f"{name}.csv.gz"
    frame = pd.read_csv(table)
    edit(frame)
    frame.to_csv(table, index=False, compression="gzip")
    update_manifest(folder, table)
    with pytest.raises(ValueError, match=rf"{re.escape(str(table))} is malformed.*{why}"):
        Benchmark.load(name, folder)


@pytest.mark.parametrize("edit, why", [
    (lambda meta: meta.pop("training"), "training"),
    (lambda meta: meta.pop("seeds"), "seeds"),
    (lambda meta: meta.update(seeds=[0, 0]), "seeds"),
    (lambda meta: meta.update(space="resnet"), "space"),
    (lambda meta: meta.update(name="other"), "name"),
    (lambda meta: meta.clear() or meta.update(x=1), "missing"),
])
def test_bad_metadata_is_refused_naming_the_file(built, edit, why):
    folder, name = built
    path = folder / f"{name}.json"
    meta = json.loads(path.read_text())
    edit(meta)
    path.write_text(json.dumps(meta))
    update_manifest(folder, path)
    with pytest.raises(ValueError, match=rf"{re.escape(str(path))} is malformed.*{why}"):
        Benchmark.load(name, folder)


def test_metadata_that_is_not_json_is_refused_naming_the_file(built):
    folder, name = built
    path = folder / f"{name}.json"
    path.write_text('{"space": ')
    update_manifest(folder, path)
    with pytest.raises(ValueError, match=rf"{re.escape(str(path))} is not valid JSON"):
        Benchmark.load(name, folder)


# -- 6. corrupt shipped files --------------------------------------------------------------

def test_a_corrupt_shipped_table_says_git_checkout_first(tmp_path, monkeypatch):
    for file in ("MANIFEST.json", "mlp-mnist1d.csv.gz", "mlp-mnist1d.json"):
        shutil.copy(data_dir() / file, tmp_path / file)
    monkeypatch.setattr("nastutor.manifest.SHIPPED_DIR", tmp_path)  # pretend the copy is data/
    table = tmp_path / "mlp-mnist1d.csv.gz"
    table.write_bytes(table.read_bytes()[:-10])
    with pytest.raises(ValueError, match=r"corrupt.*`git checkout -- data/mlp-mnist1d.csv.gz`.*"
                                         r"`python -m nastutor benchmark build --space mlp"):
        Benchmark.load("mlp-mnist1d", tmp_path)
    table.unlink()
    with pytest.raises(FileNotFoundError, match=r"git checkout -- data/mlp-mnist1d.csv.gz.*benchmark build"):
        Benchmark.load("mlp-mnist1d", tmp_path)


# -- 7. input checks and Ctrl-C -----------------------------------------------------------

@pytest.mark.parametrize("kwargs, match", [
    ({"space": 3}, "space must be"),
    ({"space": "resnet"}, "space.*mlp, cell"),
    ({"dataset": "imagenet"}, "dataset.*mnist1d"),
    ({"dataset": ["mnist1d"]}, "dataset"),
    ({"seeds": [0, 0]}, "distinct"),
    ({"seeds": [-1]}, "seeds"),
    ({"seeds": [1.5]}, "seeds"),
    ({"seeds": 3}, "seeds"),
    ({"workers": 0}, "workers"),
    ({"workers": 1.5}, "workers"),
    ({"workers": True}, "workers"),
    ({"folder": 3}, "folder"),
    ({"limit": -1}, "limit"),
    ({"limit": 2.0}, "limit"),
])
def test_bad_build_arguments_are_refused(tmp_path, kwargs, match):
    args = {"space": tiny(), "dataset": "mnist1d", "seeds": (0, 1), "folder": tmp_path, **kwargs}
    with pytest.raises(InputError, match=match):
        build_benchmark(args.pop("space"), progress=False, **args)


def test_a_file_is_not_a_folder(tmp_path):
    (tmp_path / "f").write_text("")
    with pytest.raises(InputError, match="folder.*is a file"):
        build_benchmark(tiny(), folder=tmp_path / "f", progress=False)


def test_numpy_seeds_and_a_home_folder_work(tmp_path, monkeypatch, fake_train):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    table = build_benchmark(tiny(), seeds=np.arange(2), folder="~/benches", progress=False)
    assert table.parent == tmp_path / "benches" and not list((tmp_path / "cwd").iterdir())
    assert Benchmark.load(table).seeds == (0, 1)


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    folder.mkdir()
    for file in ("MANIFEST.json", "mnist1d.npz"):
        shutil.copy(data_dir() / file, folder / file)
    monkeypatch.setenv("NASTUTOR_DATA_DIR", str(folder))
    return folder


def test_ctrl_c_keeps_the_progress_and_exits_130(data_copy, monkeypatch, capsys):
    calls = []

    def fake(protocol, arch, seed, measure):
        calls.append(arch)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return _fake_row(protocol, arch, seed, measure)

    monkeypatch.setattr(builder, "_train_job", fake)
    try:
        code = main(["benchmark", "build", "--space", "mlp", "--seeds", "0"])
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped the command line as a traceback")
    err = capsys.readouterr().err
    assert code == 130
    assert "2 of 819 runs" in err and "run the same command again to continue" in err
    assert "Traceback" not in err
    rows = rows_of(progress_file(data_copy))
    assert len(rows) == 2


def test_ctrl_c_in_a_real_build(data_copy):
    env = dict(os.environ, NASTUTOR_DATA_DIR=str(data_copy))
    cmd = [sys.executable, "-m", "nastutor", "benchmark", "build", "--space", "mlp", "--seeds", "0"]
    # A shell's background job (CI runners, `cmd &`) starts with SIGINT ignored, and Python keeps
    # ignoring it: give the build the default disposition, as a terminal would.
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 300
    # wait for the first finished run: the build is then training the next one, whatever the
    # machine's load (a fixed sleep could interrupt it before it started, under a busy CI)
    while not any(p.read_text().count("\n") >= 1 for p in data_copy.glob("*.progress.jsonl")) \
            and time.time() < deadline and proc.poll() is None:
        time.sleep(0.1)
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    # 130, or death by SIGINT (a shell shows both as 130): CPython re-raises SIGINT at exit when
    # the interrupt landed inside code run by exec() of a string, e.g. a lazy import's dataclass
    assert proc.returncode in (130, -signal.SIGINT), err
    assert "Traceback" not in err and "run the same command again to continue" in err
    assert all(json.loads(line) for line in progress_file(data_copy).read_text().splitlines())


def test_the_command_line_builds_into_a_folder(tmp_path, fake_train, capsys):
    folder = tmp_path / "out"
    assert main(["benchmark", "build", "--space", "mlp", "--seeds", "0", "--limit", "2",
                 "--folder", str(folder)]) == 0
    assert "run the same command again to continue" in capsys.readouterr().out
    assert len(rows_of(progress_file(folder))) == 2


def test_the_latency_pass_rewrites_the_latencies_and_records_how(built, capsys):
    """`python -m nastutor benchmark latency NAME` (issue 13): two quiet passes at batch 256 and
    batch 1; the table gets both columns, the metadata says how and how repeatable, the manifest
    and the data card follow, and the benchmark still loads."""
    from nastutor.__main__ import main

    folder, name = built
    before = Benchmark.load(name, folder)
    assert before.latency1_ms is None and set(before.latency_ms) == {0.1}        # the fake build's
    assert main(["benchmark", "latency", name, "--folder", str(folder)]) == 0
    record = json.loads(capsys.readouterr().out)
    after = Benchmark.load(name, folder)
    assert after.latency1_ms is not None and (after.latency_ms > after.latency1_ms).all()
    assert not np.isin(after.latency_ms, [0.1]).any()
    assert set(record["spearman_between_passes"]) == {"latency_ms", "latency1_ms"}
    assert after.meta["latency"] == record and record["repeats"] >= 30 and record["threads"] == 1
    assert "latency1_ms" in after.query(after.archs[0]) and "latency1_ms" in after.final_frame()
    assert (after.val == before.val).all() and (after.params == before.params).all()
    assert "batch 1" in (folder / f"{name}.md").read_text()


def test_the_latency_pass_needs_a_name(capsys):
    from nastutor.__main__ import main

    assert main(["benchmark", "latency"]) == 2
    assert "cell-mnist1d" in capsys.readouterr().err
