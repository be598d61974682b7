"""The same search on a real Dask cluster (lesson 13): a LocalCluster of two worker processes on
loopback. A search through it equals the local run (same seed, same result, in the default mode
that tells in the order asked), a worker killed mid-search loses and duplicates nothing, and the
benchmark builder trains the same rows there."""
import json
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

distributed = pytest.importorskip(
    "distributed", reason="dask's distributed scheduler is not installed (pip install 'dask[distributed]')")

from nastutor import LiveEvaluator, RandomSearch, RegularizedEvolution, TabularEvaluator, run_search  # noqa: E402
from nastutor.benchmark import build_benchmark  # noqa: E402
from nastutor.checks import InputError  # noqa: E402
from nastutor.executors import DaskExecutor, dask_executor, executor_slots  # noqa: E402
from nastutor.spaces import MLPSpace  # noqa: E402
from nastutor.training import TrainConfig  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster) as client:
        client.wait_for_workers(2, timeout=60)
        yield client


def without_cost(history):
    return history.to_frame().drop(columns=["cost", "total_cost"])


def test_nastutor_does_not_import_dask_on_load():
    code = "import sys, nastutor, nastutor.search, nastutor.__main__; print(sorted(m for m in sys.modules " \
           "if m.split('.')[0] in ('dask', 'distributed')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_a_tabular_search_on_the_cluster_equals_the_local_one(client):
    evaluator = TabularEvaluator("cell-mnist1d")
    executor = client.get_executor()
    assert executor_slots(executor) == 2
    on_dask = run_search(RegularizedEvolution(population_size=5), evaluator, 30, seed=3, executor=executor,
                         progress=False)
    with ThreadPoolExecutor(2) as pool:  # the same two evaluations in flight, here
        local = run_search(RegularizedEvolution(population_size=5), evaluator, 30, seed=3, executor=pool,
                           progress=False)
    pd.testing.assert_frame_equal(on_dask.to_frame(), local.to_frame())
    serial = run_search(RandomSearch(), evaluator, 30, seed=3, progress=False)
    pd.testing.assert_frame_equal(run_search(RandomSearch(), evaluator, 30, seed=3, executor=executor,
                                             progress=False).to_frame(), serial.to_frame())


def test_a_live_search_survives_a_killed_worker(client, tmp_path):
    """A worker process killed by SIGKILL while it trains: Dask runs its task again elsewhere, the
    search finishes with the serial run's result, every ask logged once."""
    evaluator = LiveEvaluator(MLPSpace(), "mnist1d", TrainConfig(epochs=3))
    serial = run_search(RandomSearch(), evaluator, 6, seed=1, progress=False)
    pids = client.run(os.getpid)
    killed = []

    def kill_one(history):
        if len(history) == 2 and not killed:
            pid = sorted(pids.values())[0]
            os.kill(pid, signal.SIGKILL)  # mid-training: both workers hold an evaluation
            killed.append(pid)

    log = tmp_path / "live.jsonl"
    history = run_search(RandomSearch(), evaluator, 6, seed=1, executor=client.get_executor(), log=log,
                         progress=False, callback=kill_one)
    assert killed and not history.interrupted
    pd.testing.assert_frame_equal(without_cost(history), without_cost(serial))
    steps = [json.loads(line)["step"] for line in log.read_text().splitlines()[1:]]
    assert steps == list(range(6))
    client.wait_for_workers(2, timeout=60)  # the nanny restarts the killed worker


def test_dask_executor_takes_an_address_and_an_async_search_runs(cluster, tmp_path):
    evaluator = TabularEvaluator("cell-mnist1d")
    log = tmp_path / "async.jsonl"
    with dask_executor(cluster.scheduler_address) as pool:
        assert isinstance(pool, DaskExecutor) and executor_slots(pool) == 2
        history = run_search(RegularizedEvolution(), evaluator, 16, seed=0, executor=pool, asynchronous=True,
                             log=log, progress=False)
        assert sorted(e.step for e in history) == list(range(16))
        again = run_search(RegularizedEvolution(), evaluator, 16, seed=0, executor=pool, asynchronous=True,
                           log=log, progress=False)
    assert again.evaluations == history.evaluations and [e.step for e in again] == [e.step for e in history]
    assert json.loads(log.read_text().splitlines()[0])["in_flight"] == 2


def test_the_builder_trains_the_same_rows_on_the_cluster(client, tmp_path):
    space = MLPSpace(widths=(8,), activations=("relu", "tanh"), max_depth=1)
    local = build_benchmark(space, "mnist1d", seeds=[0], folder=tmp_path / "local", progress=False)
    on_dask = build_benchmark(space, "mnist1d", seeds=[0], folder=tmp_path / "dask", progress=False,
                              executor=client.get_executor())
    columns = ["arch", "seed", "epoch", "val_accuracy", "test_accuracy", "params"]
    pd.testing.assert_frame_equal(pd.read_csv(on_dask)[columns], pd.read_csv(local)[columns])
    with pytest.raises(InputError, match="not both"):
        build_benchmark(space, "mnist1d", seeds=[0], folder=tmp_path / "x", workers=2, executor=client.get_executor())


def test_the_command_line_searches_on_the_cluster(cluster, tmp_path):
    log = tmp_path / "cli.jsonl"
    run = subprocess.run([sys.executable, "-m", "nastutor", "search", "--space", "mlp", "--budget", "3",
                          "--epochs", "1", "--seed", "0", "--json", "--log", str(log),
                          "--scheduler", cluster.scheduler_address], capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout.splitlines()[-1])
    assert summary["evaluations"] == 3 and json.loads(log.read_text().splitlines()[0])["in_flight"] == 2
    both = subprocess.run([sys.executable, "-m", "nastutor", "search", "--workers", "2", "--scheduler",
                           cluster.scheduler_address], capture_output=True, text=True, timeout=120)
    assert both.returncode == 2 and "not both" in both.stderr


def test_a_bad_address_is_refused_with_a_message():
    with pytest.raises(InputError, match="scheduler's address"):
        dask_executor("localhost:8786")
    with pytest.raises(OSError):  # nothing listens there: the connection times out
        dask_executor("tcp://127.0.0.1:9", timeout=1)
