"""run_search(asynchronous=True) (lesson 13): each result is told as it finishes and the next
candidate asked at once; the log keeps the order told and a run resumes from it, losing and
duplicating nothing. The simulator's async mode (nastutor.parallel) is the oracle of the order."""
import heapq
import json
import threading
import time
from concurrent.futures import Executor, Future, ThreadPoolExecutor

import pandas as pd
import pytest
from conftest import HashEvaluator

from nastutor import RandomSearch, RegularizedEvolution, TabularEvaluator, run_search
from nastutor.checks import InputError
from nastutor.evaluators import Evaluation, Evaluator
from nastutor.parallel import simulate
from scripted import Scripted


class Sleepy(Evaluator):
    """Sleeps the seconds a table gives each architecture (real time, in a thread pool)."""

    def __init__(self, space, seconds):
        self.space, self.seconds, self.max_epochs = space, seconds, 1
        self.calls, self._lock = 0, threading.Lock()

    def evaluate(self, arch, *, epochs=None, seed=0):
        with self._lock:
            self.calls += 1
        time.sleep(self.seconds[arch])
        return Evaluation(arch=arch, val_accuracy=0.5, test_accuracy=0.5, cost=self.seconds[arch],
                          epochs=self.check_epochs(epochs), seed=seed)


class VirtualTime(Executor):
    """Runs each job at submit and lets it finish in simulated time: `evaluation.cost` seconds
    after it started, on the first free of `workers` workers. When the search looks for a
    finished job (`Future.done()`) and none has finished since it last took one, the clock jumps
    to the next finish. So a search's order depends on the recorded costs only, as in the
    simulator, and never on the machine's load."""

    def __init__(self, workers):
        self._max_workers, self.clock = workers, 0.0
        self.free = [(0.0, w) for w in range(workers)]
        self.running = []  # (finish, order submitted, future, evaluation)
        self.submitted = 0
        self.unread = 0    # finished futures whose result was not yet taken

    def submit(self, fn, /, *args, **kwargs):
        evaluation = fn(*args, **kwargs)
        free_from, worker = heapq.heappop(self.free)
        finish = max(self.clock, free_from) + evaluation.cost
        heapq.heappush(self.free, (finish, worker))
        future = _VirtualFuture(self)
        heapq.heappush(self.running, (finish, self.submitted, future, evaluation))
        self.submitted += 1
        return future

    def advance(self):
        if self.unread or not self.running:
            return
        finish = self.running[0][0]
        self.clock = finish
        while self.running and self.running[0][0] == finish:
            *_, future, evaluation = heapq.heappop(self.running)
            future.set_result(evaluation)
            self.unread += 1


class _VirtualFuture(Future):
    def __init__(self, executor):
        super().__init__()
        self.executor = executor

    def done(self):
        if not super().done():
            self.executor.advance()
        return super().done()

    def result(self, timeout=None):
        self.executor.unread -= 1
        return super().result(timeout)


@pytest.fixture(scope="module")
def cells():
    return TabularEvaluator("cell-mnist1d")


def test_async_tells_in_the_order_finished_and_sync_in_the_order_asked(mlp):
    archs = list(mlp.enumerate())[:4]
    seconds = dict(zip(archs, [1.0, 0.1, 0.1, 0.1]))  # the first ask is slow
    with ThreadPoolExecutor(2) as pool:
        strategy = Scripted(archs)
        history = run_search(strategy, Sleepy(mlp, seconds), 4, executor=pool, asynchronous=True, progress=False)
        assert strategy.told == [1, 2, 3, 0] == [e.step for e in history]  # 1, 2, 3 ran while 0 trained
        strategy = Scripted(archs)
        history = run_search(strategy, Sleepy(mlp, seconds), 4, executor=pool, progress=False)
        assert strategy.told == [0, 1, 2, 3] == [e.step for e in history]


@pytest.mark.parametrize("workers", [2, 5])
def test_async_is_the_simulators_async_mode_in_simulated_time(cells, workers):
    run = simulate(RegularizedEvolution(population_size=6), cells, workers, "async", budget=60, seed=4)
    history = run_search(RegularizedEvolution(population_size=6), cells, 60, seed=4, executor=VirtualTime(workers),
                         asynchronous=True, progress=False)
    assert [e.step for e in history] == run.frame["ask"].tolist()
    assert [e.step for e in history] != sorted(e.step for e in history)  # the order really changed
    pd.testing.assert_frame_equal(history.to_frame(), run.history.to_frame())


def test_without_an_executor_async_is_the_serial_search(cells):
    serial = run_search(RegularizedEvolution(), cells, 30, seed=1, progress=False)
    asyn = run_search(RegularizedEvolution(), cells, 30, seed=1, asynchronous=True, progress=False)
    pd.testing.assert_frame_equal(asyn.to_frame(), serial.to_frame())


def test_async_random_search_evaluates_the_serial_asks(mlp):
    """Random search asks the same whatever it is told: an asynchronous run holds the serial
    run's evaluations, each once, in another order."""
    serial = run_search(RandomSearch(), HashEvaluator(mlp), 40, seed=6, progress=False)
    with ThreadPoolExecutor(4) as pool:
        asyn = run_search(RandomSearch(), HashEvaluator(mlp), 40, seed=6, executor=pool, asynchronous=True,
                          progress=False)
    assert sorted(asyn, key=lambda e: e.step) == list(serial)
    assert [e.step for e in serial] == list(range(40))


def interrupt_after(n):
    def callback(history):
        if len(history) == n:
            raise KeyboardInterrupt
    return callback


def test_an_async_log_resumes_losing_and_duplicating_nothing(cells, tmp_path):
    log = tmp_path / "async.jsonl"
    evolution = RegularizedEvolution(population_size=5)
    first = run_search(evolution, cells, 40, seed=2, executor=VirtualTime(4), asynchronous=True, log=log,
                       progress=False, callback=interrupt_after(13))
    assert first.interrupted and len(first) == 13
    lines = log.read_text().splitlines()
    assert json.loads(lines[0])["asynchronous"] is True and json.loads(lines[0])["in_flight"] == 4
    assert [json.loads(line)["step"] for line in lines[1:]] == [e.step for e in first]

    class Counting(TabularEvaluator):
        calls = 0

        def evaluate(self, arch, **kwargs):
            Counting.calls += 1
            return super().evaluate(arch, **kwargs)

    counting = Counting(cells.benchmark)
    resumed = run_search(evolution, counting, 40, seed=2, executor=VirtualTime(4), asynchronous=True, log=log,
                         progress=False)
    assert Counting.calls == 40 - 13                            # what was in flight is evaluated again, once
    assert sorted(e.step for e in resumed) == list(range(40))  # nothing lost, nothing twice
    assert [e.step for e in resumed][:13] == [e.step for e in first] and resumed.evaluations[:13] == first.evaluations
    state = list(evolution.population)

    Counting.calls = 0
    again = run_search(evolution, counting, 40, seed=2, executor=VirtualTime(4), asynchronous=True, log=log,
                       progress=False)
    assert Counting.calls == 0                                 # the whole search is in the log
    assert [e.step for e in again] == [e.step for e in resumed] and again.evaluations == resumed.evaluations
    assert list(evolution.population) == state                 # the strategy ends where it ended
    shorter = run_search(evolution, counting, 20, seed=2, executor=VirtualTime(4), asynchronous=True, log=log,
                         progress=False)
    assert len(shorter) == 20 and Counting.calls == 0 and sorted(e.step for e in shorter) == list(range(20))


def test_an_interrupted_real_async_run_resumes(mlp, tmp_path):
    """With real threads (the order is the machine's), a resumed run still has every ask once."""
    log = tmp_path / "async.jsonl"
    with ThreadPoolExecutor(3) as pool:
        first = run_search(RegularizedEvolution(population_size=4), HashEvaluator(mlp), 30, seed=0, executor=pool,
                           asynchronous=True, log=log, progress=False, callback=interrupt_after(9))
        evaluator = HashEvaluator(mlp)
        resumed = run_search(RegularizedEvolution(population_size=4), evaluator, 30, seed=0, executor=pool,
                             asynchronous=True, log=log, progress=False)
    assert len(first) == 9 and evaluator.calls == 21
    assert sorted(e.step for e in resumed) == list(range(30))
    assert resumed.evaluations[:9] == first.evaluations


def test_a_log_resumes_only_in_its_own_mode(mlp, tmp_path):
    log = tmp_path / "sync.jsonl"
    with ThreadPoolExecutor(2) as pool:
        run_search(RandomSearch(), HashEvaluator(mlp), 6, executor=pool, log=log, progress=False)
        with pytest.raises(ValueError, match="different search.*asynchronous"):
            run_search(RandomSearch(), HashEvaluator(mlp), 6, executor=pool, asynchronous=True, log=log,
                       progress=False)
        alog = tmp_path / "async.jsonl"
        run_search(RandomSearch(), HashEvaluator(mlp), 6, executor=pool, asynchronous=True, log=alog, progress=False)
        with pytest.raises(ValueError, match="different search.*asynchronous"):
            run_search(RandomSearch(), HashEvaluator(mlp), 6, executor=pool, log=alog, progress=False)
    assert "asynchronous" not in json.loads(log.read_text().splitlines()[0])  # older logs still resume


def test_a_log_with_an_ask_twice_is_refused(mlp, tmp_path):
    log = tmp_path / "async.jsonl"
    with ThreadPoolExecutor(2) as pool:
        run_search(RandomSearch(), HashEvaluator(mlp), 4, executor=pool, asynchronous=True, log=log, progress=False)
        lines = log.read_text().splitlines()
        log.write_text("\n".join(lines + [lines[2]]) + "\n")
        with pytest.raises(ValueError, match="records an ask twice"):
            run_search(RandomSearch(), HashEvaluator(mlp), 5, executor=pool, asynchronous=True, log=log,
                       progress=False)


def test_asynchronous_must_be_a_bool(mlp):
    with pytest.raises(InputError, match="asynchronous must be True or False"):
        run_search(RandomSearch(), HashEvaluator(mlp), 3, asynchronous="yes", progress=False)
