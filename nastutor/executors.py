"""Worker pools for evaluating several candidates at once. Taught in lesson 07 (parallel evaluation).

    >>> from nastutor import RandomSearch, TabularEvaluator, run_search
    >>> with make_executor(min(2, usable_cores())) as pool:
    ...     history = run_search(RandomSearch(), TabularEvaluator("mlp-mnist1d"), budget=4, executor=pool,
    ...                          progress=False)
    >>> len(history)
    4
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

from .checks import InputError, check_int

__all__ = ["make_executor", "usable_cores"]


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
