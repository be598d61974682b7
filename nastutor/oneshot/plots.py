"""Figures of lesson 09 (weight sharing). Like `nastutor.plots`, every function returns a matplotlib
`Figure` that is not attached to pyplot: make the call a cell's last expression, or `return` it from
an `interact` function.

- `estimate_scatter`: the supernet's estimate of every cell against the benchmark's truth, the truly
  best cells and the supernet's favourite marked;
- `alpha_trajectories`: DARTS' mixing weights softmax(alpha) of one edge over the epochs, and of
  every edge at one epoch, the derived operation of each edge framed.

    >>> import numpy as np, pandas as pd
    >>> est = pd.Series([0.5, 0.7, 0.6], index=["a", "b", "c"])
    >>> estimate_scatter(est, pd.Series([0.9, 0.95, 0.8], index=["a", "b", "c"]), top=1)   # doctest: +ELLIPSIS
    <Figure size ...>
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from matplotlib.patches import Rectangle

from ..checks import InputError, check_int
from ..plots import OP_COLOURS
from ..spaces.cell import EDGES, OPS
from .darts import DartsRun

__all__ = ["estimate_scatter", "alpha_trajectories"]


def _series(value: object, name: str) -> pd.Series:
    if not isinstance(value, pd.Series) or len(value) < 2:
        raise InputError(f"{name} must be a pandas Series of at least 2 cells' accuracies, indexed by the cells' "
                         f"strings (as estimate_all and Benchmark.truth() give), got {type(value).__name__}")
    return value


def estimate_scatter(estimate: pd.Series, truth: pd.Series, *, top: int = 10, title: str = "") -> Figure:
    """One dot per cell of `estimate`: its true accuracy (x, from `truth`, aligned by index) against
    its estimate (y) on the left, and the same as ranks (1 = best) on the right, where the crowd of
    good cells spreads out. The `top` truly best cells are drawn in red, the cell with the largest
    estimate (the supernet's pick) as a star."""
    estimate, truth = _series(estimate, "estimate"), _series(truth, "truth")
    missing = estimate.index.difference(truth.index)
    if len(missing):
        raise InputError(f"truth has no value for {len(missing)} of the estimated cells, e.g. {missing[0]!r}")
    top = check_int(top, "top", minimum=1, maximum=len(estimate))
    t = truth.loc[estimate.index].to_numpy(dtype=float)
    e = estimate.to_numpy(dtype=float)
    fig = Figure(figsize=(10.5, 4.4), layout="constrained")
    left, right = fig.subplots(1, 2)
    best = np.argsort(-t, kind="stable")[:top]
    pick = int(np.argmax(e))
    rank_t = pd.Series(t).rank(ascending=False, method="min").to_numpy()
    rank_e = pd.Series(e).rank(ascending=False, method="min").to_numpy()
    for ax, (x, y) in ((left, (t, e)), (right, (rank_t, rank_e))):
        ax.scatter(x, y, s=10, alpha=0.45, color="tab:blue", lw=0, label=f"{len(e)} cells")
        ax.scatter(x[best], y[best], s=22, color="tab:red", lw=0, label=f"the {top} truly best")
        ax.scatter([x[pick]], [y[pick]], s=220, marker="*", color="gold", edgecolor="black", lw=0.8, zorder=3,
                   label="the supernet's pick")
        ax.grid(alpha=0.3)
    left.set(xlabel="true accuracy (mean final validation)", ylabel="estimate off the shared weights",
             title="accuracies")
    right.set(xlabel="true rank (1 = best)", ylabel="rank by the estimate", title="ranks (log scales: the best cells spread out)", xscale="log", yscale="log")
    right.invert_xaxis()
    right.invert_yaxis()
    for axis in (right.xaxis, right.yaxis):              # plain numbers on the log axes: 1, 10, 100
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    left.legend(loc="upper left", fontsize=9)
    fig.suptitle(title or "Supernet estimates against the truth")
    return fig


def alpha_trajectories(run: DartsRun, edge: int = 0, epoch: int | None = None) -> Figure:
    """Left: softmax(alpha) of edge `edge` (an index into `EDGES`) after every epoch of a DARTS run,
    one line per operation, a dashed line at `epoch`. Right: the weights of every edge after `epoch`
    (default: the last), as a heatmap, each edge's derived operation framed."""
    if not isinstance(run, DartsRun):
        raise InputError(f"run must be a DartsRun (from train_darts), got {type(run).__name__}")
    edge = check_int(edge, "edge", minimum=0, maximum=len(EDGES) - 1)
    last = len(run.alphas) - 1
    epoch = last if epoch is None else check_int(epoch, "epoch", minimum=0, maximum=last)
    weights = np.stack([run.weights(t) for t in range(last + 1)])          # epochs x edges x ops
    fig = Figure(figsize=(9.4, 3.9), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1.35, 1])
    epochs = np.arange(last + 1)
    for k, op in enumerate(OPS):
        left.plot(epochs, weights[:, edge, k], lw=2.2, color="grey" if op == "none" else OP_COLOURS[op],
                  ls=":" if op == "none" else "-",
                  label=op)
    left.axvline(epoch, color="black", ls="--", lw=1)
    i, j = EDGES[edge]
    left.set(xlabel="epoch", ylabel="softmax(alpha)", ylim=(0, max(0.5, weights[:, edge].max() * 1.08)),
             title=f"edge {i} → {j} over the search")
    left.grid(alpha=0.3)
    left.legend(fontsize=9, loc="upper left")
    now = weights[epoch]
    image = right.imshow(now, cmap="Greys", vmin=0, vmax=max(0.5, float(now.max())), aspect="auto")
    for e in range(len(EDGES)):
        for k in range(len(OPS)):
            right.text(k, e, f"{now[e, k]:.2f}", ha="center", va="center", fontsize=9,
                       color="white" if now[e, k] > 0.6 * max(0.5, now.max()) else "black")
        k = int(np.argmax(run.alphas[epoch][e]))
        right.add_patch(Rectangle((k - 0.5, e - 0.5), 1, 1, fill=False, lw=2.5, edgecolor=OP_COLOURS[OPS[k]]))
    right.set_xticks(range(len(OPS)), OPS, fontsize=9)
    right.set_yticks(range(len(EDGES)), [f"{a} → {b}" for a, b in EDGES], fontsize=9)
    right.set(title=f"every edge after epoch {epoch} (framed: the argmax)", ylabel="edge")
    fig.colorbar(image, ax=right, shrink=0.8)
    return fig
