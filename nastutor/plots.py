"""Static figures (matplotlib). Every function returns a `Figure` and never displays it, so a
notebook shows it once and a script can `fig.savefig("x.png")` headless.

- `landscape`: the whole search space in 2-D, coloured by accuracy, a search's path on top
  (lessons 02, 04, 05);
- `mlp_heatmap`: the chain space as width x activation, one panel per depth (lesson 02);
- `regret_curves`: anytime regret with confidence bands for `compare()` results (lesson 07);
- `learning_curves`: accuracy per epoch of chosen architectures (lesson 03);
- `policy_curves`, `population_plot`: REINFORCE's probabilities, evolution's population
  over time (lessons 06, 05);
- general helpers that keep a lesson's code about its idea (as d2l's `d2l.plot`): `curves`
  (lines, or many runs as a mean and a band), `histogram`, `heatmaps` (annotated panels),
  `interval_bars` (means with intervals and p-values from `compare.summarize`).

    >>> import nastutor as nt
    >>> fig = landscape(nt.Benchmark.load("cell-mnist1d"))
    >>> fig.savefig("/tmp/landscape.png")
"""
from __future__ import annotations

import reprlib
from collections.abc import Iterable, Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import Formatter, LogFormatterSciNotation, MaxNLocator
from scipy import stats

from .benchmark import BENCHMARKS, Benchmark
from .checks import InputError, check_confidence, check_frame, check_int
from .search import History
from .spaces import Arch, Layout, SearchSpace

__all__ = ["cell_diagram", "layout", "landscape_frame", "landscape", "mlp_heatmap", "regret_curves", "regret_bands",
           "learning_curves", "policy_curves", "population_plot", "as_benchmark",
           "curves", "histogram", "heatmaps", "interval_bars"]

def _figures_show_in_notebooks() -> None:
    """In a Jupyter kernel, let a `Figure` returned as a cell's value show as a picture.

    The helpers make figures without pyplot (so nothing is drawn twice), and IPython shows a
    `Figure` as a picture only once matplotlib's inline support has registered its PNG formatter,
    which happens when pyplot first draws. Register it here; outside a kernel, do nothing."""
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import select_figure_formats
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and getattr(shell, "kernel", None) is not None:
        select_figure_formats(shell, {"png"})


_figures_show_in_notebooks()

#: The columns of `compare()` results that the regret plots and the comparison dashboard read.
RUNS_COLUMNS = ("strategy", "seed", "step", "total_cost", "val_regret", "test_regret")


# -- checks of the public parameters -------------------------------------------------------------

def _short(value: object) -> str:
    """A value's repr, cut short enough for an error message."""
    return reprlib.repr(value)


def as_benchmark(benchmark: object, name: str = "benchmark") -> Benchmark:
    """A `Benchmark` as it is, or loaded by its name ("cell-mnist1d"); anything else is refused
    with a message naming `name` and what is allowed."""
    if isinstance(benchmark, Benchmark):
        return benchmark
    names = ", ".join(BENCHMARKS)
    if isinstance(benchmark, str):
        if benchmark not in BENCHMARKS:
            raise InputError(f"{name} must be one of: {names} (or a Benchmark), got {benchmark!r}")
        return Benchmark.load(benchmark)
    hint = (f" (a {type(benchmark).__name__}: pass its .benchmark)"
            if isinstance(getattr(benchmark, "benchmark", None), Benchmark) else "")
    raise InputError(f"{name} must be a Benchmark or one of the names: {names}, got {_short(benchmark)}{hint}")


def check_option(value: object, name: str, allowed: Sequence[str]) -> str:
    """`value` if it is one of `allowed` (strings), else one message naming them."""
    if not isinstance(value, str) or value not in allowed:
        options = (" or ".join(map(repr, allowed)) if len(allowed) == 2
                   else "one of: " + ", ".join(map(repr, allowed)))
        raise InputError(f"{name} must be {options}, got {_short(value)}")
    return value


def check_runs(runs: object, name: str = "runs") -> pd.DataFrame:
    """`compare()` results, or a clear error."""
    return check_frame(runs, name, RUNS_COLUMNS, "compare()")


def _check_ax(ax: object) -> None:
    if ax is not None and not isinstance(ax, Axes):
        raise InputError(f"ax must be a matplotlib Axes (such as one from plt.subplots()) or None, got {_short(ax)}")


def _check_history(history: object, benchmark: Benchmark) -> History | None:
    """`history` if it is None or a `History` whose architectures all lie in the benchmark's space."""
    if history is None:
        return None
    if not isinstance(history, History):
        raise InputError(f"history must be a History from run_search (or None), got "
                         f"{type(history).__name__} {_short(history)}")
    space = benchmark.space
    if type(history.space) is not type(space):
        raise InputError(f"history searched {history.space!r}, not the benchmark's space {space!r}: "
                         f"plot it on a benchmark of its own space")
    for e in history:
        if e.arch not in space:
            raise InputError(f"history holds {history.space.to_string(e.arch)}, which is not in the benchmark's "
                             f"space {space!r} (the history searched {history.space!r})")
    return history


def _check_archs(archs: object, benchmark: Benchmark) -> list[Arch]:
    """One architecture or a list of them (strings or tuples), parsed and validated."""
    space = benchmark.space
    if isinstance(archs, str) or archs in space:
        archs = [archs]
    if not isinstance(archs, Iterable):
        raise InputError(f"archs must be a list of architectures (strings such as "
                         f"{space.to_string(benchmark.archs[0])!r}, or tuples), got {_short(archs)}")
    out = [space.parse(a) if isinstance(a, str) else a for a in archs]
    if not out:
        raise InputError("archs must name at least one architecture")
    for arch in out:
        space.validate(arch)
    return out


# -- layouts -------------------------------------------------------------------------------------


_LAYOUTS: dict[tuple, Layout] = {}


def _mds_layout(space: SearchSpace) -> Layout:
    """Every architecture placed by classical multidimensional scaling of its encoding, with a
    little jitter so that equal positions stay visible."""
    archs = tuple(space.enumerate())
    codes = np.stack([space.encode(a) for a in archs]).astype(float)
    codes -= codes.mean(axis=0)
    _, _, vt = np.linalg.svd(codes, full_matrices=False)  # classical MDS = PCA of the encodings
    xy = codes @ vt[:2].T
    if xy.shape[1] < 2:  # an encoding of one number: a line
        xy = np.hstack([xy, np.zeros((len(archs), 2 - xy.shape[1]))])
    jitter = np.random.default_rng(0).uniform(-0.06, 0.06, xy.shape) * np.ptp(xy, axis=0)
    return Layout(archs, xy + jitter, False, "first MDS axis of the encodings", "second MDS axis")


def _layout(space: SearchSpace) -> Layout:
    """The space's own `plot_layout()`, else the MDS one; computed once per space and settings."""
    if not isinstance(space, SearchSpace):
        raise InputError(f"space must be a SearchSpace such as nt.CellSpace(), got {_short(space)}")
    key = (type(space), repr(space), repr(space.config()))
    if key not in _LAYOUTS:
        _LAYOUTS[key] = space.plot_layout() or _mds_layout(space)
    return _LAYOUTS[key]


def layout(space) -> tuple[tuple[Arch, ...], np.ndarray, bool]:
    """2-D positions of every architecture of `space`: (archs, xy, is_grid).

    A space may place its architectures itself (`SearchSpace.plot_layout`): a cell space
    becomes a 64 x 64 grid of all 4096 cells, in Gray-code order, so cells that differ in one
    edge are in the same row or column. Other spaces are placed by classical multidimensional
    scaling of their encodings (with a little jitter so that equal positions stay visible).
    Taught in lesson 02.
    """
    archs, xy, grid, _, _ = _layout(space)
    return archs, xy, grid


def landscape_frame(benchmark: Benchmark) -> pd.DataFrame:
    """One row per architecture of the layout: x, y, arch (string), row (the benchmark row of
    its canonical form), mean final val and test accuracy, params, latency_ms."""
    benchmark = as_benchmark(benchmark)
    archs, xy, _ = layout(benchmark.space)
    rows = np.array([benchmark.index(a) for a in archs])
    return pd.DataFrame({
        "x": xy[:, 0], "y": xy[:, 1], "arch": [benchmark.space.to_string(a) for a in archs], "row": rows,
        "val_accuracy": benchmark.val[rows, :, -1].mean(axis=1), "test_accuracy": benchmark.test[rows, :, -1].mean(axis=1),
        "params": np.asarray(benchmark.params)[rows], "latency_ms": np.asarray(benchmark.latency_ms)[rows]})


class _PlainLogFormatter(Formatter):
    """Tick labels of a log axis as plain numbers (0.3, 1, 20), not 3x10^-1: a learner reads regret in
    pp, p-values and budgets as they are printed elsewhere. Which ticks get a label depends on how
    many decades the axis shows: all of them within half a decade, 1-2-3-4-6 within one, 1-2-5
    within two and a half, else the decades only. An axis reaching below 1e-4 or above 1e5 keeps
    matplotlib's powers of ten, where plain numbers would be too long to read."""

    PLAIN = (1e-4, 1e5)

    def __init__(self) -> None:
        self._powers = LogFormatterSciNotation()

    def set_axis(self, axis) -> None:
        super().set_axis(axis)
        self._powers.set_axis(axis)

    def set_locs(self, locs) -> None:
        super().set_locs(locs)
        self._powers.set_locs(locs)

    def __call__(self, x: float, pos: int | None = None) -> str:
        low, high = sorted(self.axis.get_view_interval())
        if x <= 0 or low <= 0:
            return ""
        if low < self.PLAIN[0] or high > self.PLAIN[1]:
            return self._powers(x, pos)
        decades = np.log10(high / low)
        exponent = np.floor(np.log10(x) + 1e-9)
        coefficient = int(round(x / 10**exponent))
        if not np.isclose(x, coefficient * 10**exponent, rtol=1e-6):
            return ""
        shown = ({1} if decades > 2.5 else {1, 2, 5} if decades > 1.0 else {1, 2, 3, 4, 6} if decades > 0.5
                 else set(range(1, 10)))
        return np.format_float_positional(float(f"{x:.6g}"), trim="-") if coefficient in shown else ""


def _plain_log_ticks(ax: Axes) -> None:
    """Plain-number labels (`_PlainLogFormatter`) on each log axis of `ax`; call after setting the scale,
    which resets the formatters."""
    for axis, scale in ((ax.xaxis, ax.get_xscale()), (ax.yaxis, ax.get_yscale())):
        if scale == "log":
            axis.set_major_formatter(_PlainLogFormatter())
            axis.set_minor_formatter(_PlainLogFormatter())


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


#: The colour of each cell operation in `cell_diagram`.
OP_COLOURS = {"none": "lightgrey", "skip": "tab:green", "conv3": "tab:red", "avgpool3": "tab:blue"}


#: `cell_diagram`: cells per row, and the size of one cell's panel (inches). Two 4.7-inch panels make a
#: figure as wide as a notebook's output area, so it is shown at full size, never scaled down.
CELLS_PER_ROW, CELL_SIZE = 2, (4.7, 2.7)


def cell_diagram(cells, ax: Axes | None = None) -> Figure:
    """Draw one cell, or several: nodes 0 to 3 on a line, each edge i -> j an arc coloured and
    labelled by its operation (`none` dotted), the cell's string as the title (a long one on two
    lines, broken before node 3's `+`). `cells` is a cell (tuple or string) or a list of them;
    several are drawn two to a row (a last lone one centred), so that the figure fits a notebook's
    width and is shown at full size, its labels readable. Taught in lesson 02.

    >>> cell_diagram(["|conv3~0|+|skip~0|conv3~1|+|none~0|avgpool3~1|skip~2|"])   # doctest: +ELLIPSIS
    <Figure size ...>
    """
    from .spaces.cell import EDGES, CellSpace

    space = CellSpace()
    many = isinstance(cells, list)
    archs = [a if isinstance(a, tuple) else space.parse(a) for a in (cells if many else [cells])]
    for arch in archs:
        space.validate(arch)
    _check_ax(ax)
    if ax is not None and len(archs) > 1:
        raise InputError("cell_diagram draws several cells on a figure of its own: leave out `ax`")
    if ax is not None:
        fig, axes = ax.figure, [ax]
    else:
        cols = min(len(archs), CELLS_PER_ROW)
        rows = -(-len(archs) // cols)
        fig = Figure(figsize=(CELL_SIZE[0] * cols, CELL_SIZE[1] * rows), layout="constrained")
        grid = fig.add_gridspec(rows, 2 * cols)        # half-columns, so a lone last cell can sit centred
        axes = []
        for k in range(len(archs)):
            row, col = divmod(k, cols)
            start = 2 * col + (cols - (len(archs) - row * cols) if row == rows - 1 else 0)
            axes.append(fig.add_subplot(grid[row, start:start + 2]))
    for ax_, arch in zip(axes, archs):
        for (i, j), op in zip(EDGES, arch):
            rad = {1: 0.0, 2: -0.5 if i == 0 else 0.5, 3: -0.6}[j - i]   # arcs above or below the line
            ax_.annotate("", xy=(j, 0), xytext=(i, 0), arrowprops=dict(
                arrowstyle="-|>", color=OP_COLOURS[op], lw=1 if op == "none" else 2.5,
                linestyle=":" if op == "none" else "-", shrinkA=13, shrinkB=13, connectionstyle=f"arc3,rad={rad}"))
            ax_.text((i + j) / 2, -rad * (j - i) / 2, op, ha="center", va="center", fontsize=9,
                     color="grey" if op == "none" else OP_COLOURS[op], backgroundcolor="white")
        for k in range(4):
            ax_.text(k, 0, k, color="white", ha="center", va="center", fontweight="bold", fontsize=10,
                     bbox=dict(boxstyle="circle", fc="black"))
        ax_.set(xlim=(-0.4, 3.4), ylim=(-0.8, 1.1), aspect="equal")
        title = space.to_string(arch)
        if len(title) > 52:                                # wider than a panel: node 3's group on a line of its own
            cut = title.rindex("+")
            title = title[:cut] + "\n" + title[cut:]
        ax_.set_title(title, fontsize=10)
        ax_.axis("off")
    return fig


#: How a figure names each accuracy; test accuracy says that it is only reported, never searched on.
METRIC_LABELS = {"val_accuracy": "mean validation accuracy",
                 "test_accuracy": "mean test accuracy (reported, not searched)"}


def landscape(benchmark: Benchmark, history=None, metric: str = "val_accuracy", ax: Axes | None = None,
              title: str | None = None) -> Figure:
    """Every architecture placed in 2-D (`layout`), coloured by its mean final `metric`
    (validation accuracy, the number a search sees; "test_accuracy" only to report a final
    choice); with a `history`, the architectures the search visited (dots) and the incumbent's
    path (the line). Taught in lessons 02 and 05.

        >>> fig = landscape("cell-mnist1d")        # coloured by mean validation accuracy
    """
    benchmark = as_benchmark(benchmark)
    history = _check_history(history, benchmark)
    check_option(metric, "metric", ("val_accuracy", "test_accuracy"))
    _check_ax(ax)
    if title is not None and not isinstance(title, str):
        raise InputError(f"title must be a string or None, got {_short(title)}")
    frame = landscape_frame(benchmark)
    _, _, grid, xlabel, ylabel = _layout(benchmark.space)
    fig, ax = _new_axes(ax, (7.4, 6.2))
    values = frame[metric].to_numpy()
    low = float(np.quantile(values, 0.05))
    if grid:
        n = int(np.sqrt(len(frame)))
        image = ax.imshow(values.reshape(n, n), cmap="viridis", vmin=low, origin="lower",
                          interpolation="nearest")
        ax.set_xticks([]), ax.set_yticks([])
    else:
        image = ax.scatter(frame["x"], frame["y"], c=values, cmap="viridis", vmin=low, s=14)
    ax.set_xlabel(xlabel), ax.set_ylabel(ylabel)
    fig.colorbar(image, ax=ax, extend="min", label=f"{METRIC_LABELS[metric]}, final epoch")
    if history is not None and len(history):
        where = {a: i for i, a in enumerate(layout(benchmark.space)[0])}
        points = frame.iloc[[where[e.arch] for e in history]]
        ax.scatter(points["x"], points["y"], s=26, facecolors="none", edgecolors="white", linewidths=1.2,
                   label=f"visited ({len(history)})")
        incumbents = history.to_frame()["incumbent"].map(lambda s: where[history.space.parse(s)])
        path = frame.iloc[incumbents.drop_duplicates().to_numpy()]
        ax.plot(path["x"], path["y"], "-o", color="#e4572e", lw=2, ms=5, label="incumbent path")
        ax.plot(path["x"].iloc[-1:], path["y"].iloc[-1:], "*", color="#e4572e", ms=18, mec="white", label="chosen")
        ax.legend(loc="upper left", bbox_to_anchor=(0, -0.08), ncols=3, facecolor="#555", labelcolor="white",
                  framealpha=1)
    ax.set_title(title or f"{benchmark.name}: {len(frame)} architectures")
    return fig


#: The decisions of a chain (MLP) space that `mlp_heatmap` groups by.
_CHAIN = ("depth", "width 1", "activation 1")


def mlp_heatmap(benchmark: Benchmark, metric: str = "val_accuracy", reduce: str = "max") -> Figure:
    """The chain (MLP) space as heatmaps: rows are the first hidden layer's activation, columns
    its width, one panel per depth; each square shows the `reduce` ("max" or "mean") of the
    mean final `metric` ("val_accuracy" or "test_accuracy") over the architectures of that depth
    starting with that layer."""
    benchmark = as_benchmark(benchmark)
    check_option(metric, "metric", ("val_accuracy", "test_accuracy"))
    check_option(reduce, "reduce", ("max", "mean"))
    space = benchmark.space
    options = dict(space.decisions)
    if not all(name in options for name in _CHAIN):
        raise InputError(f"mlp_heatmap needs an MLP benchmark such as 'mlp-mnist1d' (a space that decides "
                         f"{', '.join(_CHAIN)}), got {benchmark.name!r}")
    widths, activations = options["width 1"], options["activation 1"]
    final = benchmark.truth(metric).to_numpy()
    chosen = [space.choices(a) for a in benchmark.archs]
    table = pd.DataFrame({"depth": [c["depth"] for c in chosen], "width": [c["width 1"] for c in chosen],
                          "activation": [c["activation 1"] for c in chosen], "value": final})
    depths = sorted(table["depth"].unique())
    fig = Figure(figsize=(3.6 * len(depths) + 1, 3.4), layout="constrained")
    axes = fig.subplots(1, len(depths), sharey=True, squeeze=False)[0]
    low, high = table.groupby(["depth", "width", "activation"])["value"].agg(reduce).agg(["min", "max"])
    for ax, depth in zip(axes, depths):
        grid = (table[table["depth"] == depth].groupby(["activation", "width"])["value"].agg(reduce)
                .unstack().reindex(index=list(activations), columns=list(widths)))
        image = ax.imshow(grid.to_numpy(), cmap="viridis", vmin=low, vmax=high)
        for (i, j), v in np.ndenumerate(grid.to_numpy()):
            ax.text(j, i, f"{v:.3f}", ha="center", va="center", fontsize=9,
                    color="white" if v < (low + high) / 2 else "black")
        ax.set_xticks(range(len(widths)), [str(w) for w in widths])
        ax.set_yticks(range(len(activations)), list(activations))
        ax.set_xlabel("width of the first hidden layer (units)")
        ax.set_title(f"depth {depth} ({int((table['depth'] == depth).sum())} archs)")
    axes[0].set_ylabel("activation of the first layer")
    label = metric.replace("_", " ")
    fig.colorbar(image, ax=list(axes), label=f"{reduce} of mean {label}")
    fig.suptitle(f"{benchmark.name}: {reduce} {label} by depth, first-layer width and activation")
    return fig


def regret_bands(runs: pd.DataFrame, x: str = "step", metric: str = "val_regret", confidence: float = 0.95,
                 points: int = 200) -> pd.DataFrame:
    """Mean incumbent regret of each strategy over seeds at each x, with a Student-t band:
    columns strategy, x, mean, low, high. `x` is "step" (evaluations) or "total_cost"
    (simulated seconds, on a common grid up to the shortest run's end); `metric` is "val_regret"
    or "test_regret"; `confidence` lies strictly between 0 and 1."""
    runs = check_runs(runs)
    check_option(x, "x", ("step", "total_cost"))
    check_option(metric, "metric", ("val_regret", "test_regret"))
    confidence = check_confidence(confidence)
    points = check_int(points, "points", minimum=2)
    out = []
    for name, group in runs.groupby("strategy", sort=False):
        runs_of = [g for _, g in group.groupby("seed", sort=False)]
        if x == "step":
            grid = np.arange(1, min(len(g) for g in runs_of) + 1)
        else:
            grid = np.linspace(min(g["total_cost"].iloc[0] for g in runs_of),
                               min(g["total_cost"].iloc[-1] for g in runs_of), points)
        matrix = np.stack([g[metric].to_numpy()[np.clip(np.searchsorted(g[x].to_numpy(), grid, side="right") - 1,
                                                        0, None)] for g in runs_of])
        mean = matrix.mean(axis=0)
        half = (stats.t.ppf(0.5 + confidence / 2, len(runs_of) - 1) * matrix.std(axis=0, ddof=1)
                / np.sqrt(len(runs_of))) if len(runs_of) > 1 else np.zeros_like(mean)
        out.append(pd.DataFrame({"strategy": name, "x": grid, "mean": mean, "low": mean - half, "high": mean + half}))
    return pd.concat(out, ignore_index=True)


def regret_curves(runs: pd.DataFrame, x: str = "step", metric: str = "val_regret", confidence: float = 0.95,
                  ax: Axes | None = None, log: bool = True) -> Figure:
    """Anytime regret (in percentage points, log scale unless `log=False`) of each strategy in
    `compare()` results: the mean over seeds with a `confidence` band. The log axis is labelled in
    plain numbers (0.2, 0.5, 1, 2), as regret is printed elsewhere. Taught in lesson 07."""
    _check_ax(ax)
    if not isinstance(log, (bool, np.bool_)):
        raise InputError(f"log must be True or False, got {_short(log)}")
    bands = regret_bands(runs, x, metric, confidence)
    fig, ax = _new_axes(ax, (7.5, 4.4))
    for name, band in bands.groupby("strategy", sort=False):
        line, = ax.plot(band["x"], 100 * band["mean"], label=name, lw=1.8)
        low = np.maximum(100 * band["low"], 1e-3) if log else 100 * band["low"]
        ax.fill_between(band["x"], low, 100 * band["high"], color=line.get_color(), alpha=0.15, lw=0)
    ax.set_xlabel("evaluations" if x == "step" else "simulated seconds of training")
    ax.set_ylabel(f"{'validation' if metric == 'val_regret' else 'test'} regret (percentage points)")
    if log:
        ax.set_yscale("log")
        _plain_log_ticks(ax)           # 0.3, 1, 3 pp rather than 3x10^-1
    seeds = runs.groupby("strategy")["seed"].nunique().min()
    ax.set_title(f"Mean regret of the incumbent over {seeds} seeds ({int(confidence * 100)}% confidence band)")
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return fig


def learning_curves(benchmark: Benchmark, archs: Iterable[Arch | str], split: str = "val",
                    ax: Axes | None = None) -> Figure:
    """Accuracy after each epoch of the given architectures: the mean over the benchmark's
    seeds, with the range of the seeds shaded. `archs` is one architecture or a list (strings or
    tuples). Taught in lesson 03."""
    benchmark = as_benchmark(benchmark)
    check_option(split, "split", ("val", "test"))
    _check_ax(ax)
    archs = _check_archs(archs, benchmark)
    data = benchmark.val if split == "val" else benchmark.test
    fig, ax = _new_axes(ax, (7.0, 4.2))
    epochs = np.arange(1, data.shape[2] + 1)
    for arch in archs:
        curves = data[benchmark.index(arch)]
        line, = ax.plot(epochs, curves.mean(axis=0), marker="o", ms=3, label=benchmark.space.to_string(arch))
        ax.fill_between(epochs, curves.min(axis=0), curves.max(axis=0), color=line.get_color(), alpha=0.15, lw=0)
    ax.set_xlabel("epochs of training")
    ax.set_ylabel(f"{'validation' if split == 'val' else 'test'} accuracy")
    ax.set_title(f"Learning curves on {benchmark.name} (mean and range over {data.shape[1]} seeds)")
    ax.legend(fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    return fig


def policy_curves(policy: pd.DataFrame, decisions: Sequence[str] | None = None) -> Figure:
    """REINFORCE's probability of each option over the search, one panel per decision, from
    `tracing.policy_frame`; `decisions` picks some (default: all). Each option keeps its colour
    in every panel, named once in a legend beside the panels. Taught in lesson 06.

        >>> import nastutor as nt
        >>> from nastutor.tracing import Trace, policy_frame
        >>> policy = nt.strategies.Reinforce()
        >>> trace = Trace(policy, lambda s: s.probabilities())
        >>> _ = nt.run_search(policy, nt.TabularEvaluator("cell-mnist1d"), 30, progress=False, callback=trace)
        >>> fig = policy_curves(policy_frame(trace))
    """
    policy = check_frame(policy, "policy", ("step", "decision", "option", "probability"), "tracing.policy_frame")
    names = _check_decisions(decisions, list(policy["decision"].unique()))
    cols = min(3, len(names))
    rows = -(-len(names) // cols)
    fig = Figure(figsize=(4.2 * cols, 2.6 * rows + 0.8), layout="constrained")
    axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False).ravel()
    options = list(dict.fromkeys(policy.loc[policy["decision"].isin(names), "option"]))
    colors = {option: f"C{k % 10}" for k, option in enumerate(options)}
    for ax, name in zip(axes, names):
        part = policy[policy["decision"] == name].pivot(index="step", columns="option", values="probability")
        for option in [o for o in options if o in part.columns]:
            ax.plot(part.index, part[option], color=colors[option], label=str(option), lw=1.6)
        ax.set_title(f"decision {name}")
        ax.set_ylim(-0.03, 1.03)    # a little margin: a probability of 0 or 1 stays visible off the frame
        ax.grid(alpha=0.3)
    for ax in axes[len(names):]:
        ax.set_visible(False)
    handles = [Line2D([], [], color=colors[o], lw=2.5, label=str(o)) for o in options]
    fig.legend(handles=handles, loc="outside right upper", frameon=False, title="option")
    fig.supxlabel("evaluations")
    fig.supylabel("probability of choosing the option")
    return fig


def _check_decisions(decisions: object, known: list[str]) -> list[str]:
    """The decisions to draw: all `known` ones for None, else a list of some of them."""
    if decisions is None:
        return known
    if isinstance(decisions, str) or not isinstance(decisions, Iterable):
        raise InputError(f"decisions must be a list of decision names such as {known[:2]}, or None, "
                         f"got {_short(decisions)}")
    names = list(decisions)
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise InputError(f"decisions must be among the policy's decisions: {', '.join(map(str, known))}; "
                         f"got {_short(names)}")
    return names


def population_plot(population: pd.DataFrame, ax: Axes | None = None, benchmark: Benchmark | str | None = None) -> Figure:
    """An evolution's population over the search, from `tracing.population_frame`: every
    member's recorded validation accuracy at each step (dots) and the population's median and
    best. With the `benchmark` it searched, a dashed line adds the median of the members' mean
    accuracy over the benchmark's seeds: where the recorded median runs above it, the survivors
    were selected for lucky evaluations. The legend sits below the axes, full size. Taught in
    lesson 05.

        >>> import nastutor as nt
        >>> from nastutor.tracing import Trace, population_frame
        >>> evo = nt.strategies.RegularizedEvolution()
        >>> trace = Trace(evo, lambda s: list(s.population))
        >>> _ = nt.run_search(evo, nt.TabularEvaluator("cell-mnist1d"), 30, progress=False, callback=trace)
        >>> fig = population_plot(population_frame(trace), benchmark="cell-mnist1d")
    """
    check_frame(population, "population", ("step", "age_rank", "arch", "val_accuracy"), "tracing.population_frame")
    _check_ax(ax)
    fig, ax = _new_axes(ax, (7.5, 4.6))
    ax.scatter(population["step"], population["val_accuracy"], s=5, color="tab:blue", alpha=0.25, lw=0,
               label="members (recorded)")
    summary = population.groupby("step")["val_accuracy"].agg(["median", "max"])
    ax.plot(summary.index, summary["median"], color="tab:orange", lw=2, label="median (recorded)")
    ax.plot(summary.index, summary["max"], color="tab:green", lw=2, label="best (recorded)")
    if benchmark is not None:
        mean = _member_means(population, as_benchmark(benchmark))
        real = mean.groupby(population["step"]).median()
        ax.plot(real.index, real.to_numpy(), "k--", lw=1.5, label="median of the members' mean accuracy")
    ax.set_ylim(max(0.0, float(summary["median"].min()) - 0.1), min(1.0, float(population["val_accuracy"].max()) + 0.01))
    ax.set_xlabel("evaluations")
    ax.set_ylabel("validation accuracy of members")
    ax.set_title("The population over the search")
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, markerscale=3)
    ax.grid(alpha=0.3)
    return fig


def _member_means(population: pd.DataFrame, benchmark: Benchmark) -> pd.Series:
    """Each member's mean final validation accuracy over the benchmark's seeds (its ground truth)."""
    space, truth = benchmark.space, benchmark.truth().to_numpy()
    try:
        rows = {a: benchmark.index(space.parse(a)) for a in population["arch"].unique()}
    except (ValueError, KeyError) as e:
        raise InputError(f"population holds architectures that are not in {benchmark.name!r}: pass the "
                         f"benchmark the evolution searched ({e})") from None
    return pd.Series(truth[population["arch"].map(rows).to_numpy()], index=population.index)


# -- general helpers for the lessons' figures (as d2l's `d2l.plot`): the code on screen stays about the idea --

def _check_text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"{name} must be a string, got {_short(value)}")
    return value


def _check_series(series: object, n: int, what: str = "series") -> dict[str, np.ndarray]:
    """A mapping of label -> 1-D array of length n, or 2-D (runs x n), as float arrays."""
    if not isinstance(series, dict) or not series:
        raise InputError(f"{what} must be a non-empty dict of label -> values (a list, or runs x points "
                         f"array), got {_short(series)}")
    out = {}
    for label, values in series.items():
        array = np.asarray(values, dtype=float)
        if array.ndim not in (1, 2) or array.shape[-1] != n:
            raise InputError(f"{what}[{label!r}] must have {n} values (one per x), or be runs x {n}; "
                             f"got shape {array.shape}")
        out[str(label)] = array
    return out


def _finish(ax: Axes, xlabel: str, ylabel: str, title: str, xscale: str, yscale: str,
            ylim: tuple[float | None, float | None] | None, legend: bool) -> None:
    check_option(xscale, "xscale", ("linear", "log"))
    check_option(yscale, "yscale", ("linear", "log"))
    ax.set(xlabel=_check_text(xlabel, "xlabel"), ylabel=_check_text(ylabel, "ylabel"), title=_check_text(title, "title"),
           xscale=xscale, yscale=yscale)
    if ylim is not None:
        ax.set_ylim(*ylim)
    _plain_log_ticks(ax)
    if legend:
        ax.legend(frameon=False)
    ax.grid(alpha=0.3)


def curves(x, series: dict, *, band: tuple[float, float] = (5, 95), hlines: dict | None = None,
           xlabel: str = "", ylabel: str = "", title: str = "", xscale: str = "linear", yscale: str = "linear",
           ylim: tuple[float | None, float | None] | None = None, ax: Axes | None = None) -> Figure:
    """Lines over a common `x`, one per entry of `series` (label -> values). A 1-D entry is drawn
    as it is; a 2-D entry (runs x points) as its mean over runs with the `band` percentiles
    shaded, the way the lessons show many searches at once. `hlines` (label -> y) adds dashed
    reference lines (an optimum, chance, zero). A log axis is labelled in plain numbers (0.3, 1, 20),
    and integer `x` (budgets, counts) gets integer ticks only. Used in lessons 01, 03, 04, 05 and 07.

        >>> regret = np.random.default_rng(0).random((200, 100)).cumsum(axis=1)[:, ::-1] / 100
        >>> fig = curves(range(1, 101), {"random search": regret}, hlines={"optimum": 0}, xscale="log",
        ...              xlabel="budget n", ylabel="regret")   # 200 runs: their mean and 5% to 95%
    """
    _check_ax(ax)
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or not len(x):
        raise InputError(f"x must be a non-empty list of numbers, got {_short(x)}")
    series = _check_series(series, len(x))
    low, high = band if isinstance(band, tuple) and len(band) == 2 else (None, None)
    if not (isinstance(low, (int, float)) and isinstance(high, (int, float)) and 0 <= low < high <= 100):
        raise InputError(f"band must be two percentiles (low, high) with 0 <= low < high <= 100, got {_short(band)}")
    fig, ax = _new_axes(ax, (8.0, 4.2))
    for label, values in series.items():
        if values.ndim == 1:
            ax.plot(x, values, lw=1.8, label=label)
            continue
        line, = ax.plot(x, values.mean(axis=0), lw=2, label=f"{label}: mean of {len(values)}")
        ax.fill_between(x, np.percentile(values, low, axis=0), np.percentile(values, high, axis=0),
                        color=line.get_color(), alpha=0.2, lw=0, label=f"{label}: {low:g}% to {high:g}%")
    for k, (label, y) in enumerate((hlines or {}).items()):
        ax.axhline(float(y), color=("black", "tab:red", "grey")[k % 3], ls="--", lw=1.2, label=str(label))
    _finish(ax, xlabel, ylabel, title, xscale, yscale, ylim, legend=True)
    if xscale == "linear" and np.array_equal(x, np.round(x)):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))   # budgets 2, 4, 6, never 2.5
    return fig


def histogram(values, *, bins: int | Sequence[float] = 40, marks: dict | None = None, xlabel: str = "",
              ylabel: str = "count", title: str = "", log: bool = False, ax: Axes | None = None) -> Figure:
    """A histogram of `values`; a dict (label -> values) overlays one outlined histogram per entry
    on common bins. `marks` (label -> x) adds labelled vertical lines (a median, the best, a
    formula's prediction); `log=True` puts the counts on a log scale, for long tails. Used in
    lessons 01, 02, 04 and 07.

        >>> import nastutor as nt
        >>> truth = nt.Benchmark.load("mlp-mnist1d").truth()
        >>> fig = histogram(truth, marks={"median": truth.median()}, xlabel="mean validation accuracy")
    """
    _check_ax(ax)
    groups = values if isinstance(values, dict) else {"": values}
    groups = {str(k): np.asarray(v, dtype=float).ravel() for k, v in groups.items()}
    if not groups or any(not len(v) for v in groups.values()):
        raise InputError(f"values must be numbers, or a dict of label -> numbers, none empty; got {_short(values)}")
    if not isinstance(log, (bool, np.bool_)):
        raise InputError(f"log must be True or False, got {_short(log)}")
    fig, ax = _new_axes(ax, (7.5, 4.0))
    edges = np.histogram_bin_edges(np.concatenate(list(groups.values())), bins=bins)
    for label, v in groups.items():
        if len(groups) == 1:
            ax.hist(v, bins=edges, color="tab:blue", alpha=0.75)
        else:
            ax.hist(v, bins=edges, histtype="step", lw=2, label=label)
    for k, (label, x) in enumerate((marks or {}).items()):
        ax.axvline(float(x), color=("black", "tab:red", "tab:orange", "grey")[k % 4], ls=("--", ":", "-", "-.")[k % 4],
                   lw=1.5, label=str(label))
    _finish(ax, xlabel, ylabel, title, "linear", "log" if log else "linear", None,
            legend=bool(marks) or len(groups) > 1)
    return fig


def heatmaps(grids: dict, rows: Sequence, cols: Sequence, *, xlabel: str = "", ylabel: str = "",
             label: str = "", fmt: str = ".3f") -> Figure:
    """One annotated heatmap per entry of `grids` (panel title -> rows x cols array), side by side
    on one colour scale with one colour bar; each square prints its value (`fmt`). Used in
    lesson 02 (and by `mlp_heatmap`).

        >>> grids = {"depth 1": [[0.47, 0.46], [0.56, 0.53]], "depth 2": [[0.50, 0.42], [0.58, 0.55]]}
        >>> fig = heatmaps(grids, rows=[16, 64], cols=["relu", "tanh"], label="mean validation accuracy")
    """
    if not isinstance(grids, dict) or not grids:
        raise InputError(f"grids must be a non-empty dict of panel title -> rows x cols array, got {_short(grids)}")
    arrays = {str(t): np.asarray(g, dtype=float) for t, g in grids.items()}
    for title, g in arrays.items():
        if g.shape != (len(rows), len(cols)):
            raise InputError(f"grids[{title!r}] must be {len(rows)} x {len(cols)} (rows x cols), got {g.shape}")
    low = min(np.nanmin(g) for g in arrays.values())
    high = max(np.nanmax(g) for g in arrays.values())
    fig = Figure(figsize=(3.6 * len(arrays) + 1.2, 3.6), layout="constrained")
    axes = fig.subplots(1, len(arrays), sharey=True, squeeze=False)[0]
    for ax, (title, g) in zip(axes, arrays.items()):
        image = ax.imshow(g, cmap="viridis", vmin=low, vmax=high, origin="lower")
        for (i, j), v in np.ndenumerate(g):
            ax.text(j, i, format(v, fmt), ha="center", va="center", fontsize=9,
                    color="white" if v < (low + high) / 2 else "black")
        ax.set_xticks(range(len(cols)), [str(c) for c in cols])
        ax.set(title=title, xlabel=_check_text(xlabel, "xlabel"))
    axes[0].set_yticks(range(len(rows)), [str(r) for r in rows])
    axes[0].set_ylabel(_check_text(ylabel, "ylabel"))
    fig.colorbar(image, ax=list(axes), label=_check_text(label, "label"))
    return fig


def interval_bars(summary: pd.DataFrame, metric: str = "val_regret", *, title: str = "",
                  ax: Axes | None = None) -> Figure:
    """Each strategy's mean regret (in percentage points) with its confidence interval, best at the
    top, from `compare.summarize`; the p-value of the rank test against the baseline is printed
    beside each bar. Used in lesson 07.

        >>> import nastutor as nt
        >>> from nastutor.compare import compare, summarize
        >>> runs = compare({"random": nt.RandomSearch(), "evolution": nt.strategies.RegularizedEvolution()},
        ...                nt.TabularEvaluator("cell-mnist1d"), budget=30, seeds=range(5))
        >>> fig = interval_bars(summarize(runs, seconds=60), "test_regret")
    """
    check_option(metric, "metric", ("val_regret", "test_regret"))
    summary = check_frame(summary, "summary", ("strategy", metric, f"{metric}_ci", f"{metric}_p"), "summarize()")
    _check_ax(ax)
    s = summary.sort_values(metric).reset_index(drop=True)
    fig, ax = _new_axes(ax, (8.5, 0.5 * len(s) + 1.6))
    mean, half = 100 * s[metric].to_numpy(), 100 * s[f"{metric}_ci"].to_numpy()
    ax.barh(s["strategy"], mean, xerr=half, color="tab:blue", alpha=0.7, capsize=3)
    for y, (right, p) in enumerate(zip(mean + half, s[f"{metric}_p"])):
        label = "  baseline" if np.isnan(p) else "  p < 0.001" if p < 0.001 else f"  p = {p:.3f}"
        ax.text(right, y, label, va="center", fontsize=9)
    ax.set_xlim(0, max(float((mean + half).max()) * 1.3, 1e-3))
    ax.invert_yaxis()
    name = "validation regret" if metric == "val_regret" else "test regret, reported"
    ax.set(xlabel=f"mean {name} (pp); bars: confidence interval", title=_check_text(title, "title"))
    ax.grid(alpha=0.3, axis="x")
    return fig



def bracket(history, strategy, benchmark: Benchmark, number: int = 1, ax: Axes | None = None) -> Figure:
    """One bracket of a successive-halving (or Hyperband) search: each architecture's validation
    accuracy (one seed) at every rung it reached, joined by a line, the ones that reached the last
    rung in colour; on the right, the same architectures' true final accuracy (the mean over the
    benchmark's seeds), so you can see whether the early rungs kept the right ones. `strategy` is
    the `SuccessiveHalving` or `Hyperband` object after the search (it records the bracket and
    rung of each ask); `number` counts brackets from 1. Taught in lesson 08.

        >>> sh = SuccessiveHalving(); h = run_search(sh, ev, 60, progress=False)   # doctest: +SKIP
        >>> fig = bracket(h, sh, ev.benchmark)                                     # doctest: +SKIP
    """
    benchmark = as_benchmark(benchmark)
    history = _check_history(history, benchmark)
    _check_ax(ax)
    asked = getattr(strategy, "asked", None)
    if asked is None or history is None:
        raise InputError("bracket needs the history of a search and the SuccessiveHalving or Hyperband object "
                         "that ran it (it records each ask's bracket and rung)")
    if not isinstance(number, (int, np.integer)) or not 1 <= number <= len(strategy.schedules):
        raise InputError(f"number must be a bracket from 1 to {len(strategy.schedules)}, got {_short(number)}")
    rungs = strategy.schedules[number - 1]
    mine = [(rung, e) for (b, rung), e in zip(asked, history) if b == number]
    if not mine:
        raise InputError(f"bracket {number} has no evaluations in this history (it has {len(history)})")
    reached: dict[Arch, list[tuple[int, float]]] = {}
    for rung, e in mine:
        reached.setdefault(e.arch, []).append((e.epochs, e.val_accuracy))
    top = max(r for r, _ in mine)
    truth = benchmark.truth("val_accuracy")
    fig, ax = _new_axes(ax, (8.0, 4.6))
    right = rungs[-1][1] * 1.6
    colours = iter(matplotlib.colormaps["tab10"].colors * 3)
    for arch, points in reached.items():
        x, y = zip(*points)
        final = float(truth.iloc[benchmark.index(arch)])
        if len(points) == top + 1 and top == len(rungs) - 1:
            colour = next(colours)
            ax.plot(x, y, "-o", color=colour, lw=2, ms=5, zorder=3)
            ax.plot([x[-1], right], [y[-1], final], ":", color=colour, lw=1.2)
            ax.plot(right, final, "D", color=colour, ms=7, zorder=3)
        else:
            ax.plot(x, y, "-o", color="0.6", lw=0.8, ms=3, alpha=0.7)
            ax.plot(right, final, "_", color="0.6", ms=10)
    best = float(truth.max())
    ax.axhline(best, color="black", ls="--", lw=1, label=f"optimum's true accuracy ({best:.3f})")
    ax.set_xscale("log")
    ticks = [e for _, e in rungs] + [right]
    ax.set_xticks(ticks, [f"{e}" for _, e in rungs] + ["true\nfinal"])
    ax.minorticks_off()
    ax.set_xlabel("epochs of training at each rung (log scale)")
    ax.set_ylabel("validation accuracy (one seed)")
    sizes = " → ".join(f"{n}" for n, _ in rungs)
    ax.set_title(f"Bracket {number}: {sizes} architectures; grey ones were dropped, coloured ones reached the last rung",
                 fontsize=10)
    ax.legend(frameon=False, loc="lower right")
    ax.grid(alpha=0.3)
    return fig


def posterior_maps(benchmark: Benchmark, bo, xi: float = 0.0) -> Figure:
    """What Bayesian optimisation believes after the evaluations it was told: four maps of the
    landscape (`layout`): the truth (mean validation accuracy), the surrogate's posterior mean μ,
    its uncertainty σ and the expected improvement over the best seen; white circles are the
    architectures evaluated, the red star is where EI wants to go next (the maximum over the whole
    space). `bo` is a `BayesianOptimization` after a search. Taught in lesson 08.

        >>> bo = BayesianOptimization(); h = run_search(bo, ev, 30, progress=False)   # doctest: +SKIP
        >>> fig = posterior_maps(ev.benchmark, bo)                                    # doctest: +SKIP
    """
    from .strategies.bayesian_optimization import expected_improvement

    benchmark = as_benchmark(benchmark)
    if not hasattr(bo, "surrogate") or not getattr(bo, "archs", None):
        raise InputError("posterior_maps needs a BayesianOptimization that has run a search "
                         "(run_search(bo, evaluator, budget) first)")
    archs, xy, grid, _, _ = _layout(benchmark.space)
    mu, sigma = bo.posterior(archs)
    ei = expected_improvement(mu, sigma, max(bo.scores), xi)
    truth = landscape_frame(benchmark)["val_accuracy"].to_numpy()
    where = {a: i for i, a in enumerate(archs)}
    seen = np.array([where[a] for a in bo.archs])
    low = float(np.quantile(truth, 0.05))
    maps = {"truth: mean validation accuracy": (truth, "viridis", low, float(truth.max())),
            f"posterior mean μ after {len(seen)} evaluations": (mu, "viridis", low, float(truth.max())),
            "posterior uncertainty σ": (sigma, "magma", None, None),
            "expected improvement over the best seen": (ei, "magma", None, None)}
    fig = Figure(figsize=(11.5, 9.6), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    n = int(np.sqrt(len(archs)))
    for ax, (title, (values, cmap, vmin, vmax)) in zip(axes, maps.items()):
        if grid:
            image = ax.imshow(values.reshape(n, n), cmap=cmap, vmin=vmin, vmax=vmax, origin="lower",
                              interpolation="nearest")
        else:
            image = ax.scatter(xy[:, 0], xy[:, 1], c=values, cmap=cmap, vmin=vmin, vmax=vmax, s=12)
        fig.colorbar(image, ax=ax, shrink=0.85, extend="min" if vmin is not None else "neither")
        ax.scatter(xy[seen, 0], xy[seen, 1], s=22, facecolors="none", edgecolors="white", linewidths=1.1)
        nxt = int(np.argmax(ei))
        ax.plot(xy[nxt, 0], xy[nxt, 1], "*", color="#e4572e", ms=16, mec="white")
        ax.set_title(title, fontsize=11)
        ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle(f"{benchmark.name}: white circles = evaluated, red star = the maximum of EI (next to evaluate)",
                 fontsize=11)
    return fig


def local_optima(benchmark: Benchmark, table: pd.DataFrame) -> Figure:
    """The landscape (`landscape`) with every local optimum of `table` (from
    `local_optima.basins`) circled, the circle's area in proportion to its basin. Taught in lesson 08.

        >>> from nastutor.local_optima import Landscape, basins
        >>> bench = Benchmark.load("cell-mnist1d")
        >>> fig = local_optima(bench, basins(Landscape.of(bench)))
    """
    benchmark = as_benchmark(benchmark)
    table = check_frame(table, "table", ("arch", "basin"), "nastutor.local_optima.basins")
    archs, xy, _ = layout(benchmark.space)
    where = {benchmark.space.to_string(a): i for i, a in enumerate(archs)}
    fig = landscape(benchmark, title=f"{len(table)} local optima under one-edge moves (circle area: basin size)")
    at = np.array([where[a] for a in table["arch"]])
    fig.axes[0].scatter(xy[at, 0], xy[at, 1], s=4 * table["basin"].to_numpy(), facecolors="none",
                        edgecolors="white", lw=1.4)
    return fig
