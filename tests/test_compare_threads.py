"""`compare` in a thread pool gives what it gives serially: each task runs its own copy of a
strategy. (Tasks that shared one object set it up over each other's searches; CI caught it once
under load. Switching threads every microsecond makes the race show nearly every time.)"""
import sys
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from nastutor import RandomSearch, TabularEvaluator
from nastutor.compare import compare
from nastutor.strategies import RegularizedEvolution


@pytest.fixture
def fast_thread_switches():
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def test_compare_in_threads_matches_serial(fast_thread_switches):
    ev = TabularEvaluator("mlp-mnist1d")
    strategies = {"random": RandomSearch(), "evolution": RegularizedEvolution()}
    order = ["strategy", "seed", "step"]
    serial = compare(strategies, ev, budget=30, seeds=range(6)).sort_values(order).reset_index(drop=True)
    for _ in range(5):
        with ThreadPoolExecutor(2) as pool:
            threaded = compare(strategies, ev, budget=30, seeds=range(6), executor=pool)
        pd.testing.assert_frame_equal(threaded.sort_values(order).reset_index(drop=True), serial)
