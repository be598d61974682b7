"""Worker pools for evaluating several candidates at once. Taught in lesson 07 (parallel evaluation)
and lesson 13 (scaling out: the same search on a Dask cluster, `dask_executor`).

    >>> from nastutor import RandomSearch, TabularEvaluator, run_search
    >>> with make_executor(min(2, usable_cores())) as pool:
    ...     history = run_search(RandomSearch(), TabularEvaluator("mlp-mnist1d"), budget=4, executor=pool,
    ...                          progress=False)
    >>> len(history)
    4

On a Dask cluster (`dask scheduler`, then `dask worker ADDRESS` on each machine), the same call
takes `executor=dask_executor("tcp://HOST:8786")`, or a client's own `client.get_executor()`.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, Callable

from .checks import InputError, check_int, check_number

__all__ = ["make_executor", "usable_cores", "executor_slots", "dask_executor", "DaskExecutor"]


def usable_cores() -> int:
    """The CPU cores this process may run on (its affinity mask, where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def make_executor(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes for `run_search(executor=...)`. Processes are started
    fresh ("spawn"), which is safe with PyTorch; each trains with one thread.

    `workers` may be at most `usable_cores()`: more processes than cores would share them, so
    every evaluation would run slower and a live search would be charged the inflated seconds.
    More is refused with a message, not silently capped.

    Each worker exits as soon as its parent dies, even by SIGKILL (a Jupyter kernel restart),
    instead of training on for nobody (`_exit_with_parent`).
    """
    workers = check_int(workers, "workers", minimum=1)
    cores = usable_cores()
    if workers > cores:
        raise InputError(f"workers must be at most {cores}, the CPU cores of this machine (more "
                         f"processes than cores slow every evaluation down), got {workers}")
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_exit_with_parent, initargs=(os.getpid(),))


def _exit_with_parent(parent: int, interval: float = 0.25) -> None:
    """Worker initializer: a daemon thread ends this process once `parent` is no longer its
    parent (it died and the worker was handed to another). Unlike PR_SET_PDEATHSIG, which
    fires when the parent *thread* that started the worker exits, this follows the process."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="nastutor-exit-with-parent", daemon=True).start()


def executor_slots(executor: Executor | None) -> int:
    """How many evaluations `run_search` keeps in flight on `executor`: 1 without one, a pool's
    workers, a Dask cluster's worker threads (counted when asked; `client.get_executor()` and
    `dask_executor` both work), else `os.cpu_count()`. Taught in lesson 13.

    A search's result depends on this number (the strategy asks that far ahead of its results),
    so a search log records it and a resumed search must have the same.

    >>> from concurrent.futures import ThreadPoolExecutor
    >>> executor_slots(None), executor_slots(ThreadPoolExecutor(3))
    (1, 3)
    """
    if executor is None:
        return 1
    if isinstance(executor, DaskExecutor):
        executor = executor.executor
    client = getattr(executor, "_client", None)
    if type(executor).__module__.startswith("distributed") and client is not None:
        threads = sum(client.nthreads().values())
        if threads < 1:
            raise InputError("the Dask cluster has no workers yet: start some (`dask worker ADDRESS`), "
                             "or wait for them first with client.wait_for_workers(1)")
        return threads
    return int(getattr(executor, "_max_workers", os.cpu_count() or 1))


class DaskExecutor(Executor):
    """A Dask cluster as a `concurrent.futures` executor that owns its client: `shutdown` (or the
    end of a `with` block) closes the connection. Made by `dask_executor`. Taught in lesson 13.

    Every task is a new one (`pure=False`): the same architecture asked twice is trained twice,
    as in a process pool. A worker that dies has its tasks run again on another worker.
    """

    def __init__(self, client: Any):
        self.client = client
        self.executor = client.get_executor(pure=False)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        return self.executor.submit(fn, *args, **kwargs)

    @property
    def _max_workers(self) -> int:
        """The cluster's worker threads now (the name process pools use, read by `executor_slots`)."""
        return executor_slots(self.executor)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.executor.shutdown(wait=wait and not cancel_futures)
        self.client.close()

    def __repr__(self) -> str:
        return f"DaskExecutor({self.client.scheduler.address!r})"


def dask_executor(address: str, *, timeout: float = 30.0) -> DaskExecutor:
    """An executor on the Dask cluster whose scheduler listens at `address` ("tcp://HOST:PORT",
    what `dask scheduler` prints), once at least one worker has joined (within `timeout`
    seconds). Use it as `run_search(..., executor=dask_executor(address))` or `with`. Each
    worker needs nastutor and the data (the shipped benchmarks, data/mnist1d.npz) installed.
    Taught in lesson 13.

        >>> with dask_executor("tcp://127.0.0.1:8786") as pool:   # doctest: +SKIP
        ...     history = run_search(RegularizedEvolution(), evaluator, budget=100, executor=pool)
    """
    if not isinstance(address, str) or "://" not in address:
        raise InputError(f"address must be a Dask scheduler's address such as 'tcp://127.0.0.1:8786' "
                         f"(what `dask scheduler` prints), got {address!r}")
    timeout = check_number(timeout, "timeout", positive=True)
    try:
        from distributed import Client  # optional and slow to import: only when a cluster is used
    except ImportError:
        raise ModuleNotFoundError("running on a Dask cluster needs dask's distributed scheduler: "
                                  "pip install 'dask[distributed]'") from None
    client = Client(address, timeout=timeout)
    try:
        client.wait_for_workers(1, timeout=timeout)
    except BaseException:
        client.close()
        raise
    return DaskExecutor(client)
