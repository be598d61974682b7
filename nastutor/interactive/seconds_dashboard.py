"""The seconds dashboard: the search dashboard with its budget in simulated seconds, every visited
architecture coloured by the fidelity it reached (the epochs of its longest training), and the
incumbent's regret against seconds. Taught in lesson 08 (local search, Bayesian optimisation,
successive halving and Hyperband side by side).

    >>> board = seconds_dashboard("cell-mnist1d", strategy="sh", seconds=200)
    >>> board.budget.value = 400          # the figure now shows the first 400 simulated seconds
"""
from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..checks import check_int
from ..compare import regret_frame
from ..plots import METRIC_LABELS, landscape_frame, layout
from ..search import History
from ..strategies import REGISTRY, Strategy
from .search_dashboard import SearchDashboard, _slice

__all__ = ["SecondsDashboard", "seconds_dashboard", "LESSON08_STRATEGIES"]

#: The strategies lesson 08 teaches, and random search to compare them with.
LESSON08_STRATEGIES = ("random", "local", "bo", "sh", "hyperband")


class SecondsDashboard(SearchDashboard):
    """A search on a tabular benchmark with a budget in simulated seconds of training (lesson 07's
    protocol). Left: the landscape, with each visited architecture coloured by the most epochs it
    was trained for (successive halving and Hyperband train most cells briefly; the others train
    every cell fully). Right: the incumbent's validation regret (the truth of the cell it would
    choose, in percentage points) against simulated seconds, on a log scale."""

    def __init__(self, benchmark="cell-mnist1d", strategy: str = "sh", seconds: int = 200,
                 max_seconds: int = 800, seed: int = 0, strategies=LESSON08_STRATEGIES):
        max_seconds = check_int(max_seconds, "max_seconds", minimum=1)
        super().__init__(benchmark, strategy, budget=seconds, max_budget=max_seconds, seed=seed,
                         strategies=list(strategies))
        self.budget.description = "budget (simulated s)"

    def _covers(self, known: tuple[History, dict[str, np.ndarray]]) -> bool:
        history, arrays = known
        return history.interrupted is False and len(arrays["seconds"]) > 0 and (
            arrays["seconds"][-1] >= self.budget.value or arrays.get("exhausted", False))

    def _budget(self) -> dict:
        return {"budget": None, "seconds": self.budget.value}

    def _search(self, strategy: Strategy) -> tuple[History, dict[str, np.ndarray]]:
        history, arrays = super()._search(strategy)
        frame = regret_frame(history, self.evaluator)
        epochs = np.array([e.epochs for e in history])
        reached: dict = {}
        for e in history:
            reached[e.arch] = max(reached.get(e.arch, 0), e.epochs)
        arrays.update(regret=100 * frame["val_regret"].to_numpy(), epochs=epochs,
                      reached=np.array([reached[e.arch] for e in history]),
                      exhausted=np.array(arrays["seconds"][-1] < self.budget.value if len(history) else True))
        return history, arrays

    def history(self) -> History:
        """The search the controls describe, cut at the budget in seconds."""
        history, arrays = self._run()
        return _slice(history, int(np.searchsorted(arrays["seconds"], self.budget.value, side="right")))

    # -- drawing ----------------------------------------------------------------------------
    def _make_figure(self) -> go.FigureWidget:
        frame = landscape_frame(self.bench)
        self._positions = {a: i for i, a in enumerate(layout(self.bench.space)[0])}
        self._xy = frame[["x", "y"]].to_numpy()
        label = METRIC_LABELS[self.metric]
        fig = make_subplots(1, 2, column_widths=[0.52, 0.48], horizontal_spacing=0.12,
                            subplot_titles=(f"The landscape: every architecture, {label}",
                                            "The incumbent's regret over simulated time"))
        self._add_landscape(fig, frame, self.metric)
        top = self.bench.epochs
        fig.add_trace(go.Scatter(
            x=[], y=[], mode="markers", name="visited (colour: epochs reached)", hoverinfo="text",
            marker=dict(size=9, color=[], cmin=1, cmax=top, colorscale="Reds", line=dict(color="black", width=1),
                        colorbar=dict(title=dict(text="epochs reached", side="top"), orientation="h", x=0.24,
                                      xanchor="center", y=-0.2, yanchor="top", len=0.36, thickness=10,
                                      tickvals=sorted({1, top // 3, top // 2, top}))),
            showlegend=False), 1, 1)
        fig.add_trace(go.Scatter(x=[], y=[], mode="lines+markers", name="incumbent path", hoverinfo="skip",
                                 line=dict(color="#1f77b4", width=2.5), marker=dict(size=5)), 1, 1)
        fig.add_trace(go.Scatter(x=[], y=[], mode="lines", name="incumbent's validation regret", line_shape="hv",
                                 line=dict(color="#e4572e", width=2.5),
                                 hovertemplate="%{x:.0f} s: regret %{y:.2f} pp<extra></extra>"), 1, 2)
        ticks = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100]
        fig.update_yaxes(type="log", title_text="validation regret (pp, log scale)", side="right", row=1, col=2,
                         tickvals=ticks, ticktext=[f"{t:g}" for t in ticks])
        fig.update_xaxes(title_text="simulated seconds of training", row=1, col=2)
        fig.update_layout(height=580, width=980, margin=dict(l=50, r=60, t=50, b=120), template="plotly_white",
                          legend=dict(orientation="h", y=-0.2, x=0.78, xanchor="center", yanchor="top"))
        return go.FigureWidget(fig)

    def update(self) -> None:
        """Redraw from the controls (the controls call this; so can you)."""
        self._params_area.children = [self._param_boxes[self.strategy.value]]
        history, arrays = self._run()
        n = int(np.searchsorted(arrays["seconds"], self.budget.value, side="right"))
        run = {k: v[:n] for k, v in arrays.items() if np.ndim(v)}
        path = run["where"][np.unique(run["incumbent_step"])] if n else run["where"]
        # a regret of 0 cannot sit on a log axis: draw it at the axis floor, and say so in the status
        regret = np.maximum(run["regret"], 0.01)
        with self.figure.batch_update():
            visited, incumbent_path, curve = self.figure.data[1:4]
            visited.x, visited.y, visited.hovertext = self._xy[run["where"], 0], self._xy[run["where"], 1], run["labels"]
            visited.marker.color = run["reached"]
            incumbent_path.x, incumbent_path.y = self._xy[path, 0], self._xy[path, 1]
            curve.x, curve.y = run["seconds"], regret
        name = html.escape(REGISTRY[self.strategy.value].label)
        if not n:
            self.status.value = f"<b>{name}</b>: no evaluation fits into {self.budget.value} simulated seconds."
            return
        best = history.evaluations[int(run["incumbent_step"][-1])]
        full = int(np.sum(run["epochs"] == self.bench.epochs))
        self.status.value = (
            f"<b>{name}</b>, seed {self.seed.value}: {n} evaluation{'' if n == 1 else 's'} ({full} trained to the full "
            f"{self.bench.epochs} epochs) in {run['seconds'][-1]:,.0f} of {self.budget.value} simulated seconds. "
            f"Chosen: <code>{html.escape(self.bench.space.to_string(best.arch))}</code>, validation regret "
            f"{run['regret'][-1]:.2f} pp" + (" (the optimum; drawn at 0.01 on the log axis)" if run["regret"][-1] == 0
                                             else "") + ".")


def seconds_dashboard(benchmark="cell-mnist1d", strategy: str = "sh", seconds: int = 200, max_seconds: int = 800,
                      seed: int = 0, strategies=LESSON08_STRATEGIES) -> SecondsDashboard:
    """A `SecondsDashboard`; show it by making it a cell's last expression."""
    return SecondsDashboard(benchmark, strategy, seconds, max_seconds, seed, strategies)
