"""Search logs (issue 11): they record what produced them, are rewritten atomically, are checked
when read back, and give one clear message for every path problem."""
import json
import os
import re

import numpy as np
import pytest

from conftest import HashEvaluator
from nastutor import GridSearch, LiveEvaluator, RandomSearch, TabularEvaluator, run_search
from nastutor.evaluators import Evaluation
from nastutor.spaces import MLPSpace
from nastutor.training import TrainConfig


def _search(evaluator, log, budget=3, **kwargs):
    return run_search(RandomSearch(), evaluator, budget, seed=0, log=log, progress=False, **kwargs)


def _refused(log, *words):
    """A regex for an error that names the log file, then each of `words`."""
    return re.escape(str(log)) + "".join(".*" + re.escape(w) for w in words)


# -- 1. a log records what produced it, and refuses anything else -----------------------------

def test_a_live_log_refuses_another_dataset(mlp, tmp_path):
    log = tmp_path / "search.jsonl"
    config = TrainConfig(epochs=1)
    _search(LiveEvaluator(mlp, "mnist1d", config), log, budget=1)
    with pytest.raises(ValueError, match=_refused(log, "dataset", "mnist1d", "digits")):
        _search(LiveEvaluator(mlp, "digits", config), log, budget=1)


def test_a_live_log_refuses_another_training_protocol(mlp, tmp_path):
    log = tmp_path / "search.jsonl"
    _search(LiveEvaluator(mlp, "mnist1d", TrainConfig(epochs=1, lr=0.02)), log, budget=1)
    with pytest.raises(ValueError, match=_refused(log, "lr", "0.02", "0.05")):
        _search(LiveEvaluator(mlp, "mnist1d", TrainConfig(epochs=1, lr=0.05)), log, budget=1)


def test_a_tabular_log_does_not_resume_as_live(tmp_path):
    log = tmp_path / "search.jsonl"
    tabular = TabularEvaluator("mlp-mnist1d")
    _search(tabular, log, budget=2)
    live = LiveEvaluator(tabular.space, "mnist1d", tabular.benchmark.config)
    assert live.max_epochs == tabular.max_epochs  # same space, same fidelity: only the kind differs
    with pytest.raises(ValueError, match=_refused(log, "kind", "tabular", "live")):
        _search(live, log, budget=2)


def test_a_log_refuses_another_space_configuration(tmp_path):
    log = tmp_path / "search.jsonl"
    _search(HashEvaluator(MLPSpace(widths=(16, 32))), log)
    with pytest.raises(ValueError, match=_refused(log, "widths")):
        _search(HashEvaluator(MLPSpace(widths=(16, 64))), log)


def test_a_log_refuses_another_strategy_seed_or_fidelity(mlp, tmp_path):
    log = tmp_path / "search.jsonl"
    _search(HashEvaluator(mlp), log)
    with pytest.raises(ValueError, match=_refused(log, "epochs", "10", "5")):
        _search(HashEvaluator(mlp), log, epochs=5)
    with pytest.raises(ValueError, match=_refused(log, "strategy", "RandomSearch()", "GridSearch")):
        run_search(GridSearch(), HashEvaluator(mlp), 3, seed=0, log=log, progress=False)
    with pytest.raises(ValueError, match=_refused(log, "seed", "0", "1")):
        run_search(RandomSearch(), HashEvaluator(mlp), 3, seed=1, log=log, progress=False)


def test_evaluators_describe_themselves(mlp):
    live = LiveEvaluator(mlp, "digits", TrainConfig(epochs=2, lr=0.03)).describe()
    assert live["kind"] == "live" and live["dataset"] == "digits"
    assert live["space"] == "MLPSpace" and live["space_config"] == mlp.config()
    assert live["training"]["lr"] == 0.03 and live["training"]["epochs"] == 2
    tabular = TabularEvaluator("cell-mnist1d").describe()
    assert tabular["kind"] == "tabular" and tabular["benchmark"] == "cell-mnist1d"
    assert tabular["space"] == "CellSpace" and tabular["epochs"] == 12
    assert json.loads(json.dumps(live)) == live and json.loads(json.dumps(tabular)) == tabular


def test_the_header_records_the_provenance(mlp, tmp_path):
    log = tmp_path / "search.jsonl"
    _search(TabularEvaluator("cell-mnist1d"), log, budget=2)
    header = json.loads(log.read_text().splitlines()[0])
    assert header["evaluator"]["kind"] == "tabular" and header["evaluator"]["benchmark"] == "cell-mnist1d"
    assert header["seed"] == 0 and header["epochs"] == 12 and header["strategy"] == "RandomSearch()"


# -- 2. atomic rewrites; a complete last record without its newline is kept -----------------

def test_dropping_a_half_written_line_is_atomic(mlp, tmp_path, monkeypatch):
    log = tmp_path / "search.jsonl"
    _search(HashEvaluator(mlp), log, budget=4)
    text = log.read_text()
    log.write_text(text[: len(text) - 20])
    replaced = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: replaced.append((src, dst)) or real_replace(src, dst))
    evaluator = HashEvaluator(mlp)
    history = _search(evaluator, log, budget=4)
    assert len(history) == 4 and evaluator.calls == 1
    assert [os.path.abspath(dst) for _, dst in replaced] == [str(log)]
    assert os.path.dirname(os.path.abspath(replaced[0][0])) == str(tmp_path)  # same folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["search.jsonl"]  # no temporary file left
    assert len([json.loads(line) for line in log.read_text().splitlines()]) == 5


def test_a_complete_last_record_without_newline_is_kept(mlp, tmp_path):
    log = tmp_path / "search.jsonl"
    _search(HashEvaluator(mlp), log, budget=4)
    log.write_text(log.read_text().rstrip("\n"))  # killed between the record and its newline
    evaluator = HashEvaluator(mlp)
    history = _search(evaluator, log, budget=6)
    assert len(history) == 6 and evaluator.calls == 2  # the 4th record was kept
    lines = log.read_text().splitlines()
    assert len(lines) == 1 + 6 and all(json.loads(line) for line in lines)
    assert log.read_text().endswith("\n")


def test_a_new_log_is_written_atomically(mlp, tmp_path, monkeypatch):
    replaced = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: replaced.append(dst) or real_replace(src, dst))
    log = tmp_path / "new.jsonl"
    _search(HashEvaluator(mlp), log, budget=2)
    assert [os.path.abspath(d) for d in replaced] == [str(log)]  # the header: all or nothing


# -- 3. values read back are checked ---------------------------------------------------------

BAD_RECORDS = [
    ("val_accuracy", float("nan")), ("val_accuracy", 1.5), ("test_accuracy", -0.1),
    ("cost", -1.0), ("cost", float("inf")), ("cost", float("nan")), ("epochs", 0), ("epochs", 11),
    ("epochs", 2.5), ("seed", 1.5), ("seed", -1), ("seed", "3"), ("val_accuracy", "0.5"),
    ("params", -5), ("curve", [0.5, float("nan")]), ("failed", "no"),
]


@pytest.mark.parametrize("field, value", BAD_RECORDS)
@pytest.mark.parametrize("last", [False, True])
def test_bad_values_in_a_log_are_refused(mlp, tmp_path, field, value, last):
    log = tmp_path / "search.jsonl"
    _search(HashEvaluator(mlp), log, budget=4)
    lines = log.read_text().splitlines()
    number = len(lines) if last else 3
    record = json.loads(lines[number - 1])
    record[field] = value
    lines[number - 1] = json.dumps(record)
    log.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=_refused(log, f"line {number}", field)):
        _search(HashEvaluator(mlp), log, budget=4)


@pytest.mark.parametrize("first_line", [
    None,  # the first evaluation record, header missing
    "{}", "[]", '"nastutor"', "17", '{"nastutor_log": "one"}', "\x00\x01binary",
])
def test_a_file_without_a_nastutor_header_is_refused(mlp, tmp_path, first_line):
    log = tmp_path / "search.jsonl"
    _search(HashEvaluator(mlp), log, budget=3)
    lines = log.read_text().splitlines()
    lines = lines[1:] if first_line is None else [first_line, *lines[1:]]
    log.write_text("\n".join(lines) + "\n")
    before = log.read_bytes()
    with pytest.raises(ValueError, match=_refused(log, "line 1", "not a nastutor search log")):
        _search(HashEvaluator(mlp), log, budget=3)
    assert log.read_bytes() == before  # left untouched


def test_evaluation_from_dict_checks_every_field(mlp):
    good = Evaluation(((64, "relu"),), 0.5, 0.4, 1.0, 5, 3, params=100, curve=(0.3, 0.5)).to_dict(mlp)
    assert Evaluation.from_dict(good, mlp).seed == 3
    for field, value in BAD_RECORDS:
        if field == "epochs" and value == 11:
            continue  # only out of range for an evaluator with 10 epochs
        with pytest.raises(ValueError, match=field):
            Evaluation.from_dict({**good, field: value}, mlp)
    with pytest.raises(ValueError, match="epochs.*from 1 to 4"):
        Evaluation.from_dict(good, mlp, max_epochs=4)
    with pytest.raises(ValueError, match="val_accuracy"):
        Evaluation.from_dict({k: v for k, v in good.items() if k != "val_accuracy"}, mlp)
    with pytest.raises(ValueError, match="JSON object"):
        Evaluation.from_dict([1, 2], mlp)


# -- 4. path problems: one clear message -----------------------------------------------------

def test_a_folder_is_not_a_log(mlp, tmp_path):
    with pytest.raises(ValueError, match="is a folder.*search.jsonl"):
        _search(HashEvaluator(mlp), tmp_path)


@pytest.mark.parametrize("bad", [3, 2.5, ["a.jsonl"], b"x.jsonl", "", "  "])
def test_a_log_must_be_a_path(mlp, bad):
    with pytest.raises(TypeError, match="log must be a path"):
        _search(HashEvaluator(mlp), bad)


def test_a_tilde_is_the_home_folder(mlp, tmp_path, monkeypatch):
    home, elsewhere = tmp_path / "home", tmp_path / "cwd"
    home.mkdir(), elsewhere.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(elsewhere)
    _search(HashEvaluator(mlp), "~/x.jsonl")
    assert (home / "x.jsonl").exists() and not any(elsewhere.iterdir())
    again = HashEvaluator(mlp)
    _search(again, "~/x.jsonl")
    assert again.calls == 0  # resumed from the same file


@pytest.mark.parametrize("path", ["/proc/x/y.jsonl", "/sys/y.jsonl"])
def test_a_log_that_cannot_be_written_says_so(mlp, path):
    with pytest.raises(OSError, match="cannot write the search log " + re.escape(path)) as info:
        _search(HashEvaluator(mlp), path)
    assert "Traceback" not in str(info.value)


def test_a_log_under_a_file_says_so(mlp, tmp_path):
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(OSError, match="cannot write the search log"):
        _search(HashEvaluator(mlp), tmp_path / "file.txt" / "y.jsonl")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_folder_says_so(mlp, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OSError, match="cannot write the search log"):
            _search(HashEvaluator(mlp), folder / "x.jsonl")
    finally:
        folder.chmod(0o700)


def test_a_read_only_log_is_refused_before_searching(mlp, tmp_path, monkeypatch):
    log = tmp_path / "search.jsonl"
    _search(HashEvaluator(mlp), log, budget=2)
    real_open = open

    def read_only(file, mode="r", *args, **kwargs):
        if os.fspath(file) == str(log) and any(c in mode for c in "aw+"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", read_only)
    evaluator = HashEvaluator(mlp)
    with pytest.raises(OSError, match="cannot write the search log"):
        _search(evaluator, log, budget=5)
    assert evaluator.calls == 0  # nothing was trained for nothing


# -- 5. NumPy seeds reach the log as plain integers -------------------------------------------

def test_a_numpy_seed_is_logged(mlp, tmp_path):
    log = tmp_path / "search.jsonl"
    history = run_search(RandomSearch(), HashEvaluator(mlp), 4, seed=np.int64(3), log=log, progress=False)
    plain = run_search(RandomSearch(), HashEvaluator(mlp), 4, seed=3, progress=False)
    assert [e.arch for e in history] == [e.arch for e in plain]
    assert json.loads(log.read_text().splitlines()[0])["seed"] == 3
    again = HashEvaluator(mlp)
    run_search(RandomSearch(), again, 4, seed=3, log=log, progress=False)  # the same search
    assert again.calls == 0
