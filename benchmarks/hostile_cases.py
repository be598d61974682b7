"""Rerun the cases that issue 11 quoted ("tried as a hostile user would") and print what each does
now: the message a learner sees, or the value returned. One line per case; "UNEXPECTED" marks a
case that does not behave as the issue asks. Takes about a minute on 2 cores.

    .venv/bin/python benchmarks/hostile_cases.py
"""
from __future__ import annotations

import math
import pickle
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np

import nastutor as nt
from nastutor import interactive, plots
from nastutor.benchmark import BuildLocked, benchmark_name, build_benchmark
from nastutor.compare import compare
from nastutor.data import data_dir, fix_hint
from nastutor.strategies import Reinforce, RegularizedEvolution
from filelock import FileLock

TMP = Path(tempfile.mkdtemp())
TINY = nt.TrainConfig(epochs=1, lr=0.02)
results: list[bool] = []


def refused(label: str, call) -> None:
    """The case must raise one clear error (TypeError, ValueError, OSError, or BuildLocked)."""
    try:
        value = call()
    except (TypeError, ValueError, OSError, RuntimeError) as exc:
        print(f"refused   {label}\n          -> {type(exc).__name__}: {textwrap.shorten(str(exc), 180)}")
        results.append(True)
    else:
        print(f"UNEXPECTED {label}: no error, returned {value!r}")
        results.append(False)


def works(label: str, call, check=lambda value: True) -> None:
    """The case must run and return a value that passes `check`."""
    try:
        value = call()
        ok = bool(check(value))
    except Exception as exc:  # noqa: BLE001 - the point is to show it
        print(f"UNEXPECTED {label}: {type(exc).__name__}: {exc}")
        results.append(False)
        return
    print(f"{'works' if ok else 'UNEXPECTED'}     {label}\n          -> {textwrap.shorten(repr(value), 180)}")
    results.append(ok)


def live(dataset: str) -> nt.LiveEvaluator:
    return nt.LiveEvaluator(nt.MLPSpace(), dataset, TINY)


# -- data loss and silent wrong results ------------------------------------------------------
log = TMP / "mnist1d.jsonl"
nt.run_search(nt.RandomSearch(), live("mnist1d"), 1, seed=0, log=log, progress=False)
refused("a log written on mnist1d resumed under digits",
        lambda: nt.run_search(nt.RandomSearch(), live("digits"), 2, seed=0, log=log, progress=False))
tab_log = TMP / "tabular.jsonl"
nt.run_search(nt.RandomSearch(), nt.TabularEvaluator("mlp-mnist1d"), 2, seed=0, log=tab_log, progress=False)
refused("a tabular log resumed as live",
        lambda: nt.run_search(nt.RandomSearch(), live("mnist1d"), 3, seed=0, log=tab_log, progress=False))
glued = TMP / "no-newline.jsonl"
nt.run_search(nt.RandomSearch(), nt.TabularEvaluator("mlp-mnist1d"), 3, seed=0, log=glued, progress=False)
glued.write_text(glued.read_text().rstrip("\n"))
works("a log whose last record lacks only its newline keeps it, and the next append starts a new line",
      lambda: (len(nt.run_search(nt.RandomSearch(), nt.TabularEvaluator("mlp-mnist1d"), 5, seed=0, log=glued,
                                 progress=False)), len(glued.read_text().splitlines())),
      lambda v: v == (5, 6))
nan_log = TMP / "nan.jsonl"
nt.run_search(nt.RandomSearch(), nt.TabularEvaluator("mlp-mnist1d"), 2, seed=0, log=nan_log, progress=False)
lines = nan_log.read_text().splitlines()
nan_log.write_text("\n".join([lines[0], lines[1].replace('"val_accuracy": 0.', '"val_accuracy": NaN, "x": 0.'),
                              lines[2]]) + "\n")
refused("a log with a NaN accuracy",
        lambda: nt.run_search(nt.RandomSearch(), nt.TabularEvaluator("mlp-mnist1d"), 3, seed=0, log=nan_log,
                              progress=False))
lock_space = nt.MLPSpace(widths=(8,), activations=("relu",), max_depth=1)
with FileLock(TMP / f"{benchmark_name(lock_space, 'mnist1d', (0,))}.lock"):
    refused("a second build of the same benchmark while one runs",
            lambda: build_benchmark(lock_space, "mnist1d", seeds=(0,), folder=TMP, progress=False))
assert issubclass(BuildLocked, Exception)
works("a space that is not the shipped one builds under its own name",
      lambda: benchmark_name(nt.CellSpace(channels=8), "mnist1d"), lambda name: name != "cell-mnist1d")
works("the shipped space keeps the shipped name", lambda: benchmark_name("cell", "mnist1d"),
      lambda name: name == "cell-mnist1d")
works("plots.mlp_heatmap(metric='val_accuracy') plots validation accuracy (its title says so)",
      lambda: plots.mlp_heatmap(nt.Benchmark.load("mlp-mnist1d"), metric="val_accuracy")._suptitle.get_text(),
      lambda title: "val accuracy" in title)
refused("MLPSpace(widths=(16, 16)) (was 258 architectures, 39 distinct)", lambda: nt.MLPSpace(widths=(16, 16)).size)
refused("MLPSpace(widths=(64.0,)) (a float width)", lambda: nt.MLPSpace(widths=(64.0,)))
refused("MLPSpace(max_depth=True) (a boolean is not a number)", lambda: nt.MLPSpace(max_depth=True))
bench = nt.TabularEvaluator("cell-mnist1d")
refused("compare(seeds=[0, 0]) (a duplicate seed)",
        lambda: compare({"random": nt.RandomSearch()}, bench, budget=5, seeds=[0, 0]))
refused("search_dashboard(seed=-1) (a seed it would not run)",
        lambda: interactive.search_dashboard("cell-mnist1d", seed=-1))

# -- crashes and hangs ------------------------------------------------------------------------
works("compare(seeds=np.arange(3))",
      lambda: compare({"random": nt.RandomSearch()}, bench, budget=5, seeds=np.arange(3))["seed"].unique().tolist(),
      lambda seeds: seeds == [0, 1, 2])
works("run_search(seed=np.int64(3), log=...) writes a log",
      lambda: len(nt.run_search(nt.RandomSearch(), bench, 3, seed=np.int64(3), log=TMP / "np.jsonl",
                                progress=False)), lambda n: n == 3)
refused("run_search(seconds=inf)", lambda: nt.run_search(nt.RandomSearch(), bench, seconds=math.inf, progress=False))
refused("Reinforce(learning_rate=inf)", lambda: Reinforce(learning_rate=math.inf))
refused("run_search(seed=None)", lambda: nt.run_search(nt.RandomSearch(), bench, 3, seed=None, progress=False))
refused("Strategy.setup(space, seed=None)", lambda: nt.RandomSearch().setup(nt.CellSpace(), seed=None))
refused("make_executor(10_000) (more workers than cores)", lambda: nt.make_executor(10_000))
single = nt.MLPSpace(widths=(16,), activations=("relu",), max_depth=1)
refused("evolution on a space with a single architecture",
        lambda: nt.run_search(RegularizedEvolution(), nt.LiveEvaluator(single, "mnist1d", TINY), 3, progress=False))

# -- clear errors instead of tracebacks -------------------------------------------------------
for args in (["search", "--log", "/"], ["search", "--log", "/proc/nope/x.jsonl", "--budget", "1"],
             ["search", "--workers", "10000"], ["benchmark", "build", "--seeds", "0", "0"]):
    run = subprocess.run([sys.executable, "-m", "nastutor", *args], capture_output=True, text=True, timeout=300)
    one_line = "Traceback" not in run.stderr and run.returncode != 0 and len(run.stderr.strip().splitlines()) == 1
    print(f"{'refused' if one_line else 'UNEXPECTED'}   nastutor {' '.join(args)}\n          -> exit "
          f"{run.returncode}: {textwrap.shorten(run.stderr.strip(), 180)}")
    results.append(one_line)
works("a corrupt shipped file's message says git checkout first",
      lambda: fix_hint(data_dir() / "cell-mnist1d.csv.gz", "python -m nastutor benchmark build ..."),
      lambda text: text.index("git checkout -- data/cell-mnist1d.csv.gz") < text.index("rebuild"))

# -- performance found on the way -------------------------------------------------------------
works("pickled TabularEvaluator (bytes; was 4.1 MB)", lambda: len(pickle.dumps(bench)), lambda n: n < 10_000)

print(f"\n{sum(results)} of {len(results)} cases behave as issue 11 asks")
sys.exit(0 if all(results) else 1)
