"""The figures of lesson 09 (nastutor.oneshot.plots): they draw what they say, return a Figure not
attached to pyplot, and refuse bad inputs with a clear message."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from nastutor.checks import InputError
from nastutor.data import load_dataset
from nastutor.oneshot import EDGES, OPS, train_darts
from nastutor.oneshot.plots import alpha_trajectories, estimate_scatter
from nastutor.spaces import CellSpace
from nastutor.training import TrainConfig


@pytest.fixture(scope="module")
def darts():
    return train_darts(CellSpace(), load_dataset("mnist1d"), TrainConfig(epochs=2), seed=0, progress=False)


def test_estimate_scatter_marks_the_best_cells_and_the_pick():
    index = [f"c{i}" for i in range(30)]
    rng = np.random.default_rng(0)
    truth = pd.Series(rng.random(30), index=index)
    estimate = pd.Series(truth.to_numpy() + rng.normal(0, 0.1, 30), index=index)[::-1]   # another order
    before = plt.get_fignums()
    fig = estimate_scatter(estimate, truth, top=5)
    assert isinstance(fig, Figure) and plt.get_fignums() == before
    ax = fig.axes[0]
    everything, best, pick = ax.collections
    assert len(everything.get_offsets()) == 30 and len(best.get_offsets()) == 5
    x, y = pick.get_offsets()[0]
    assert y == pytest.approx(estimate.max()) and x == pytest.approx(truth[estimate.idxmax()])
    assert sorted(best.get_offsets()[:, 0]) == pytest.approx(sorted(truth.nlargest(5)))
    ranks = fig.axes[1].collections[0].get_offsets()                 # the same cells as ranks, 1 = best
    assert sorted(ranks[:, 0]) == list(range(1, 31)) and sorted(ranks[:, 1]) == list(range(1, 31))


def test_estimate_scatter_refuses_misaligned_input():
    with pytest.raises(InputError, match="Series"):
        estimate_scatter([0.1, 0.2], pd.Series([0.1, 0.2]))
    with pytest.raises(InputError, match="no value"):
        estimate_scatter(pd.Series([0.1, 0.2], index=["a", "b"]), pd.Series([0.1, 0.2], index=["a", "c"]))


def test_alpha_trajectories_draws_each_operation_and_frames_the_argmax(darts):
    before = plt.get_fignums()
    fig = alpha_trajectories(darts, edge=3, epoch=1)
    assert isinstance(fig, Figure) and plt.get_fignums() == before
    left, right = fig.axes[:2]
    lines = [line for line in left.get_lines() if line.get_label() in OPS]
    assert [line.get_label() for line in lines] == list(OPS)
    weights = np.stack([darts.weights(t) for t in range(len(darts.alphas))])
    for k, line in enumerate(lines):
        assert np.allclose(line.get_ydata(), weights[:, 3, k])
    framed = [(round(p.get_x() + 0.5), round(p.get_y() + 0.5)) for p in right.patches]
    assert framed == [(int(np.argmax(darts.alphas[1][e])), e) for e in range(len(EDGES))]


def test_alpha_trajectories_checks_its_arguments(darts):
    with pytest.raises(InputError):
        alpha_trajectories("not a run")
    with pytest.raises(InputError):
        alpha_trajectories(darts, edge=6)
    with pytest.raises(InputError):
        alpha_trajectories(darts, epoch=len(darts.alphas))
