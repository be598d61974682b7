"""Latency measured, looked up and predicted (issue 17, lesson 11). The machine running the tests is
shared and noisy: these tests check structure, arithmetic and orders of magnitude, never timings."""
import pickle

import pytest
import torch
import torch.nn as nn

from nastutor.benchmark import Benchmark
from nastutor.checks import InputError
from nastutor.hardware import (ENTRIES, LatencyLookup, LatencyTable, benchmark_latency, benchmark_objectives,
                               measure_latency, predictor_report)
from nastutor.spaces import CellSpace, MLPSpace
from nastutor.spaces.cell import EDGES, prune


@pytest.fixture(scope="module")
def bench():
    return Benchmark.load("cell-mnist1d")


@pytest.fixture(scope="module")
def table():
    return LatencyTable.measure(CellSpace(), 40, 10, batch=8, repeats=3, warmup=1, rounds=2)


class ThreadSpy(nn.Module):
    """Records the thread count and the mode it runs under."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def forward(self, x):
        self.seen.append((torch.get_num_threads(), self.training, torch.is_grad_enabled(), tuple(x.shape)))
        return x


# -- measure_latency ------------------------------------------------------------------------------

def test_measure_latency_times_the_given_batch_on_the_given_threads_and_restores_everything():
    spy = ThreadSpy()
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        ms = measure_latency(spy, 40, batch=7, warmup=2, repeats=3, threads=1)
        assert torch.get_num_threads() == 2  # put back
        assert spy.training  # put back into training mode
        assert spy.seen == [(1, False, False, (7, 40))] * 5  # warm-up + repeats, one thread, eval, no grad
        measure_latency(spy, 40, repeats=1, warmup=0, threads=2)
        assert spy.seen[-1][0] == 2
    finally:
        torch.set_num_threads(before)
    assert 0 < ms < 1000  # an identity: far below a second on any machine


def test_measure_latency_restores_threads_when_the_model_fails():
    class Broken(nn.Module):
        def forward(self, x):
            raise RuntimeError("boom")

    before = torch.get_num_threads()
    with pytest.raises(RuntimeError, match="boom"):
        measure_latency(Broken(), 40, threads=1)
    assert torch.get_num_threads() == before


def test_a_network_measures_in_milliseconds_not_seconds():
    model = CellSpace().build(("conv3",) * 6, 40, 10)
    ms = measure_latency(model, 40, batch=1, repeats=3)
    assert 1e-3 < ms < 1000


@pytest.mark.parametrize("kwargs, message", [
    (dict(model="net"), "model must be a PyTorch nn.Module"),
    (dict(num_features=0), "num_features must be an integer >= 1"),
    (dict(batch=2.0), "batch must be an integer >= 1"),
    (dict(repeats=0), "repeats must be an integer >= 1"),
    (dict(warmup=-1), "warmup must be an integer >= 0"),
    (dict(threads=0), "threads must be an integer >= 1"),
])
def test_measure_latency_refuses_bad_input(kwargs, message):
    args = {"model": nn.Identity(), "num_features": 40, **kwargs}
    with pytest.raises(InputError, match=message):
        measure_latency(args.pop("model"), args.pop("num_features"), **args)


# -- the benchmark's latency as a function -------------------------------------------------------------

def test_benchmark_latency_looks_up_every_architecture_by_its_canonical_form(bench):
    for column in ("latency_ms", "latency1_ms"):
        latency = benchmark_latency(bench, column)
        assert isinstance(latency, LatencyLookup)
        for arch in list(bench.space.enumerate())[::97]:
            assert latency(arch) == bench.query(arch)[column]
    copy = pickle.loads(pickle.dumps(benchmark_latency(bench)))  # a strategy holding it goes to workers
    assert copy(("conv3",) * 6) == bench.query(("conv3",) * 6)["latency_ms"]


def test_benchmark_objectives_are_the_truth_and_the_latency(bench):
    frame = bench.final_frame()
    points = benchmark_objectives(bench)
    assert points.tolist() == frame[["val_accuracy", "latency_ms"]].to_numpy().tolist()
    archs = [("conv3",) * 6, ("skip",) * 6, ("none",) * 6]
    picked = benchmark_objectives(bench, archs, column="latency1_ms", metric="test_accuracy")
    assert picked.tolist() == [[bench.query(a)["test_accuracy"], bench.query(a)["latency1_ms"]] for a in archs]


def test_benchmark_latency_refuses_a_missing_column():
    with pytest.raises(InputError, match="column must be one of: latency_ms, latency1_ms"):
        benchmark_latency(Benchmark.load("cell-mnist1d"), "latency")
    with pytest.raises(InputError, match="has no latency1_ms: run its latency pass"):
        benchmark_latency(Benchmark.load("mlp-mnist1d"), "latency1_ms")


# -- the lookup table -------------------------------------------------------------------------------

def test_the_table_times_each_entry_at_the_shapes_of_each_stage(table):
    # the stem keeps the length; the downsampling conv (kernel 3, stride 2, padding 1) halves it, rounding up
    assert dict(table.shapes) == {1: (16, 40), 2: (32, (40 + 2 - 3) // 2 + 1)}
    assert set(table.ms) == {(entry, stage) for entry in ENTRIES for stage in (1, 2)}
    assert all(ms >= 0 for ms in table.ms.values()) and table.skeleton_ms >= 0
    frame = table.to_frame()
    assert len(frame) == 2 * len(ENTRIES) + 1 and frame["ms"].iloc[-1] == table.skeleton_ms


def expected(table: LatencyTable, arch) -> float:
    """The prediction written out: the pruned cell's operations and its nodes' sums, per stage."""
    live = prune(arch)
    total = table.skeleton_ms
    for stage in (1, 2):
        for op in live:
            total += table.space.cells * (table.ms[(op, stage)] if op != "none" else 0.0)
        for node in (1, 2, 3):
            inputs = [e for e, (_, j) in enumerate(EDGES) if j == node and live[e] != "none"]
            total += table.space.cells * table.ms[(f"sum{len(inputs)}", stage)]
    return total


def test_a_prediction_adds_up_the_live_operations(table):
    space = CellSpace()
    for arch in list(space.enumerate())[::41]:
        assert table(arch) == pytest.approx(expected(table, arch))
        assert table(arch) == pytest.approx(table(prune(arch)))  # dead edges cost nothing
    empty = ("none",) * 6
    assert table(empty) == pytest.approx(table.skeleton_ms + 3 * (table.ms[("sum0", 1)] + table.ms[("sum0", 2)]))
    one_conv = ("none", "none", "none", "conv3", "none", "none")  # 3 <- 0 only
    assert table(one_conv) - table(empty) == pytest.approx(sum(
        table.ms[("conv3", s)] + table.ms[("sum1", s)] - table.ms[("sum0", s)] for s in (1, 2)))


def test_more_cells_per_stage_multiply_the_cells_cost():
    ms = {(entry, stage): float(i + 1) for i, (entry, stage) in enumerate(
        (e, s) for s in (1, 2) for e in ENTRIES)}
    one, two = (LatencyTable(CellSpace(cells=c), 40, 8, ms, 5.0, {1: (16, 40), 2: (32, 20)}) for c in (1, 2))
    for arch in list(CellSpace().enumerate())[::101]:
        assert two(arch) - 5.0 == pytest.approx(2 * (one(arch) - 5.0))


def test_the_table_is_for_cell_spaces():
    with pytest.raises(InputError, match="space must be a CellSpace"):
        LatencyTable.measure(MLPSpace(), 40, 10)
    with pytest.raises(InputError, match="rounds must be an integer >= 1"):
        LatencyTable.measure(CellSpace(), 40, 10, rounds=0)
    with pytest.raises(InputError, match="predicts CellSpace networks"):
        predictor_report(Benchmark.load("mlp-mnist1d"))


def test_the_predictor_ranks_cells_and_is_far_cheaper_than_measuring(bench):
    report = predictor_report(bench, columns=("latency1_ms",), repeats=10, timed_cells=2)
    row = report.loc["latency1_ms"]
    assert row["batch"] == 1 and row["cells"] == len(bench)
    assert row["spearman"] > 0.5  # a loaded machine shifts the timings, not the ranking of 941 cells
    assert 0 < row["mae_ms"] and 0 < row["relative_mae"]
    assert row["ratio"] < 0.1  # microseconds of arithmetic against dozens of forward passes
