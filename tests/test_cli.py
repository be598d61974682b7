import json
import subprocess
import sys

import pytest


def nastutor(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "nastutor", *args], capture_output=True, text=True,
                          timeout=timeout)


def test_help_documents_every_flag():
    out = nastutor("search", "--help").stdout
    for flag in ["--space", "--dataset", "--strategy", "--budget", "--seconds", "--seed", "--epochs",
                 "--workers", "--log", "--json", "--progress", "--scheduler", "--async"]:
        assert flag in out
    assert "search" in nastutor("--help").stdout


def test_help_lists_every_strategy_and_parameter_of_the_registry():
    from nastutor.strategies import REGISTRY
    out = nastutor("search", "--help").stdout
    assert "--param NAME=VALUE" in out
    listed = out[out.index("strategies (--strategy)"):]
    for name, entry in REGISTRY.items():
        assert f"  {name} " in listed and entry.label in listed
        for p in entry.params:
            assert f"      {p.name} " in listed and p.label in listed, p.name
    assert "optuna" in listed and "  tpe " not in listed


def test_param_sets_the_strategy_of_the_search(tmp_path):
    log = tmp_path / "run.jsonl"
    run = nastutor("search", "--strategy", "evolution", "--param", "population_size=4", "--param", "aging=false",
                   "--budget", "2", "--epochs", "1", "--json", "--log", str(log))
    assert run.returncode == 0, run.stderr
    header = json.loads(log.read_text().splitlines()[0])
    assert header["strategy"] == "RegularizedEvolution(population_size=4, sample_size=3, aging=False, crossover=0.0)"


def test_search_prints_a_table_and_the_best_architecture():
    run = nastutor("search", "--space", "mlp", "--dataset", "mnist1d", "--strategy", "random",
                   "--budget", "3", "--seed", "0", "--epochs", "5")
    assert run.returncode == 0, run.stderr
    assert "val_accuracy" in run.stdout and "test_accuracy" in run.stdout
    assert "Best architecture (chosen on validation)" in run.stdout
    assert "3 evaluations" in run.stdout


def _without_times(text):
    rows = [json.loads(line) for line in text.splitlines()]
    for row in rows:
        row.pop("seconds", None)
        row.pop("total_seconds", None)
    return rows


def test_json_output_is_reproducible():
    args = ("search", "--space", "cell", "--budget", "2", "--seed", "7", "--epochs", "1", "--json")
    first, second = nastutor(*args), nastutor(*args)
    assert first.returncode == second.returncode == 0, first.stderr
    rows = _without_times(first.stdout)
    assert rows == _without_times(second.stdout)
    assert len(rows) == 3 and rows[-1]["summary"] is True and rows[-1]["evaluations"] == 2
    assert {"arch", "val_accuracy", "test_accuracy"} <= set(rows[0])
    assert rows[-1]["best_val_accuracy"] == max(r["val_accuracy"] for r in rows[:-1])


def test_workers_and_log(tmp_path):
    log = tmp_path / "run.jsonl"
    run = nastutor("search", "--budget", "2", "--epochs", "2", "--workers", "2", "--json", "--log", str(log))
    assert run.returncode == 0, run.stderr
    assert len(log.read_text().splitlines()) == 3
    again = nastutor("search", "--budget", "2", "--epochs", "2", "--workers", "2", "--json", "--log", str(log))
    assert _without_times(again.stdout) == _without_times(run.stdout)


@pytest.mark.parametrize("args, expected", [
    (["search", "--space", "transformer"], "choose from"),
    (["search", "--strategy", "magic"], "choose from"),
    (["search", "--dataset", "cifar"], "choose from"),
    (["search", "--budget", "0"], "positive integer"),
    (["search", "--budget", "ten"], "positive integer"),
    (["search", "--workers", "0"], "positive integer"),
    (["search", "--seconds", "-1"], "positive number"),
    (["search", "--epochs", "99"], "epochs must be an integer from 1 to 50"),
    (["search", "--seed", "x"], "invalid int"),
    (["fly"], "choose from"),
    ([], "required"),
])
def test_bad_input_exits_with_one_line(args, expected):
    run = nastutor(*args)
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], run.stderr


def _one_error_line(run, code, *words):
    assert run.returncode == code, (run.returncode, run.stderr)
    assert "Traceback" not in run.stderr, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nastutor: error: "), run.stderr
    for word in words:
        assert word in lines[0], run.stderr


@pytest.mark.parametrize("log, code, words", [
    ("{tmp}", 2, ["is a folder"]),
    ("/proc/x/y.jsonl", 1, ["cannot write the search log /proc/x/y.jsonl"]),
    ("{tmp}/file.txt/y.jsonl", 1, ["cannot write the search log"]),
])
def test_bad_logs_exit_with_one_line(tmp_path, log, code, words):
    (tmp_path / "file.txt").write_text("x")
    run = nastutor("search", "--budget", "1", "--epochs", "1", "--log", log.format(tmp=tmp_path))
    _one_error_line(run, code, *words)


def test_a_log_from_another_dataset_is_refused_in_one_line(tmp_path):
    log = tmp_path / "run.jsonl"
    first = nastutor("search", "--budget", "1", "--epochs", "1", "--log", str(log))
    assert first.returncode == 0, first.stderr
    run = nastutor("search", "--budget", "1", "--epochs", "1", "--dataset", "digits", "--log", str(log))
    _one_error_line(run, 2, str(log), "dataset", "mnist1d", "digits")
    log.write_text('{"arch": "64relu"}\n')
    _one_error_line(nastutor("search", "--budget", "1", "--epochs", "1", "--log", str(log)), 2,
                    "not a nastutor search log")


@pytest.mark.parametrize("args, words", [
    (["search", "--seed", "-1"], ["seed must be"]),
    (["search", "--workers", "100000"], ["workers", "at most", "cores"]),
    (["search", "--strategy", "evolution", "--param", "population=3"],
     ["evolution has no parameter 'population'", "population_size"]),
    (["search", "--strategy", "evolution", "--param", "population_size"], ["NAME=VALUE"]),
    (["search", "--strategy", "evolution", "--param", "population_size=2.5"], ["population_size must be an integer"]),
    (["search", "--strategy", "evolution", "--param", "population_size=0"], ["population_size P must be"]),
    (["search", "--strategy", "reinforce", "--param", "controller=gru"], ["factorized, lstm"]),
    (["search", "--strategy", "evolution", "--param", "aging=true", "--param", "aging=false"], ["given twice"]),
])
def test_library_errors_exit_with_one_line(args, words):
    _one_error_line(nastutor(*args), 2, *words)


def test_workers_help_names_the_limit():
    from nastutor.search import usable_cores
    out = " ".join(nastutor("search", "--help").stdout.split())
    assert f"at most {usable_cores()}" in out
