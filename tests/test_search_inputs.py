"""Issue 11: inputs of `run_search`, the evaluators and `make_executor`; worker processes that
die with their parent; tabular evaluators that travel to workers cheaply."""
import os
import pickle
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest

from conftest import HashEvaluator
from nastutor import Benchmark, LiveEvaluator, RandomSearch, TabularEvaluator, make_executor, run_search
from nastutor.checks import InputError
from nastutor.data import data_dir
from nastutor import search
from nastutor.search import evaluation_seed
from nastutor.training import TrainConfig

CELL = ("conv3", "skip", "conv3", "none", "avgpool3", "skip")


# -- 5. seeds, budgets, epochs ------------------------------------------------------------------

def test_numpy_integers_work_everywhere(mlp):
    a = run_search(RandomSearch(), HashEvaluator(mlp), np.int64(5), seed=np.int32(2), epochs=np.int64(4),
                   progress=False)
    b = run_search(RandomSearch(), HashEvaluator(mlp), 5, seed=2, epochs=4, progress=False)
    assert [(e.arch, e.seed, e.epochs) for e in a] == [(e.arch, e.seed, e.epochs) for e in b]
    assert evaluation_seed(np.int64(3), np.int64(1)) == evaluation_seed(3, 1)
    assert type(HashEvaluator(mlp).check_epochs(np.int64(3))) is int


def test_evaluators_turn_numpy_seeds_into_ints(mlp):
    e = LiveEvaluator(mlp, "mnist1d", TrainConfig(epochs=1)).evaluate(((16, "relu"),), seed=np.int64(4))
    assert type(e.seed) is int and e.seed == 4 and type(e.epochs) is int
    t = TabularEvaluator("cell-mnist1d").evaluate(CELL, epochs=np.int64(2), seed=np.uint8(4))
    assert type(t.seed) is int and type(t.epochs) is int and t.epochs == 2
    with pytest.raises(InputError, match="explicit seed"):
        TabularEvaluator("cell-mnist1d").evaluate(CELL, seed=None)


@pytest.mark.parametrize("kwargs, match", [
    ({"budget": 3, "seed": None}, "explicit seed"),
    ({"budget": 3, "seed": -1}, "seed must be"),
    ({"budget": 3, "seed": 1.0}, "seed must be"),
    ({"budget": 3, "seed": True}, "seed must be"),
    ({"seconds": float("inf")}, "seconds must be a finite number"),
    ({"seconds": float("nan")}, "seconds must be a finite number"),
    ({"seconds": True}, "seconds must be a finite number"),
    ({"seconds": "10"}, "seconds must be a finite number"),
    ({"budget": True}, "budget must be an integer"),
    ({"budget": np.float64(3)}, "budget must be an integer"),
    ({"budget": 3, "epochs": 3.0}, "epochs must be an integer from 1 to 10"),
    ({"budget": 3, "epochs": True}, "epochs must be an integer from 1 to 10"),
])
def test_bad_search_inputs(mlp, kwargs, match):
    with pytest.raises(InputError, match=match):
        run_search(RandomSearch(), HashEvaluator(mlp), progress=False, **kwargs)


def test_check_epochs(mlp):
    ev = HashEvaluator(mlp)
    assert ev.check_epochs(None) == 10 and ev.check_epochs(np.int16(7)) == 7
    for bad in (3.0, True, np.bool_(True), "3", 0, 11):
        with pytest.raises(InputError, match="from 1 to 10"):
            ev.check_epochs(bad)


# -- 6. make_executor --------------------------------------------------------------------------

def test_workers_are_bounded_by_the_machine():
    cores = search.usable_cores()
    assert 1 <= cores <= (os.cpu_count() or 1)
    with pytest.raises(ValueError, match=f"at most {cores}.*cores"):
        make_executor(cores + 1)
    for bad in (0, -1, 1.0, True, "2"):
        with pytest.raises(InputError, match="workers"):
            make_executor(bad)
    with make_executor(np.int64(1)) as pool:
        assert pool.submit(os.getpid).result() != os.getpid()


ORPHAN = textwrap.dedent("""
    import os, sys, time
    from nastutor import make_executor
    if __name__ == "__main__":
        pool = make_executor(1)
        pid = pool.submit(os.getpid).result()
        pool.submit(time.sleep, 120)
        print(pid, flush=True)
        time.sleep(120)
""")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_killed_parent(tmp_path):
    script = tmp_path / "orphan.py"
    script.write_text(ORPHAN)
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    worker = None
    try:
        worker = int(parent.stdout.readline())
        assert _alive(worker)
        parent.send_signal(signal.SIGKILL)  # a Jupyter kernel restart does this
        parent.wait(timeout=30)
        deadline = time.monotonic() + 5
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(worker), "the worker outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if worker is not None and _alive(worker):
            os.kill(worker, signal.SIGKILL)


# -- 7. tabular evaluators travel light --------------------------------------------------------

def test_a_tabular_evaluator_pickles_small_and_loads_once_per_process():
    ev = TabularEvaluator("cell-mnist1d")
    blob = pickle.dumps(ev)
    assert len(blob) < 2000
    a, b = pickle.loads(blob), pickle.loads(blob)
    assert a.benchmark is b.benchmark  # one load per process
    assert a.evaluate(CELL, seed=5) == ev.evaluate(CELL, seed=5)
    assert pickle.loads(pickle.dumps(a)).benchmark is a.benchmark


def test_a_loaded_benchmark_pickles_small_too():
    ev = TabularEvaluator(Benchmark.load("mlp-mnist1d"))
    assert len(pickle.dumps(ev)) < 2000
    arch = ((64, "relu"), (32, "tanh"))
    assert pickle.loads(pickle.dumps(ev)).evaluate(arch, seed=1) == ev.evaluate(arch, seed=1)


def test_a_benchmark_from_another_folder_survives_pickling(tmp_path):
    for name in ["MANIFEST.json", "mlp-mnist1d.csv.gz", "mlp-mnist1d.json"]:
        shutil.copy(data_dir() / name, tmp_path / name)
    bench = Benchmark.load("mlp-mnist1d", tmp_path)
    ev = TabularEvaluator(bench)
    arch = ((64, "relu"), (32, "tanh"))
    assert pickle.loads(pickle.dumps(ev)).evaluate(arch, seed=2) == ev.evaluate(arch, seed=2)


def test_a_changed_benchmark_is_shipped_whole():
    bench = Benchmark.load("mlp-mnist1d")
    bench.val = bench.val * 0.5  # not what the file says: the workers must see these numbers
    ev = TabularEvaluator(bench)
    arch = ((64, "relu"), (32, "tanh"))
    copy = pickle.loads(pickle.dumps(ev))
    assert copy.evaluate(arch, seed=0) == ev.evaluate(arch, seed=0)
    assert copy.benchmark is not ev.benchmark


def test_a_tabular_search_in_worker_processes_matches_serial():
    ev = TabularEvaluator("cell-mnist1d")
    serial = run_search(RandomSearch(), ev, 30, seed=1, progress=False)
    with make_executor(min(2, search.usable_cores())) as pool:
        parallel = run_search(RandomSearch(), ev, 30, seed=1, executor=pool, progress=False)
    pd.testing.assert_frame_equal(serial.to_frame(), parallel.to_frame())
