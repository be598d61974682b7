"""The search dashboard: pick a strategy, its parameters, a seed and a budget, and watch the
search walk over the benchmark's landscape. Taught in lessons 04 to 06.

    >>> board = search_dashboard("cell-mnist1d", strategy="evolution", budget=50)
    >>> board.budget.value = 100          # the figure now shows the first 100 evaluations
"""
from __future__ import annotations

import html
from collections import OrderedDict

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..benchmark import Benchmark
from ..checks import check_int
from ..evaluators import TabularEvaluator
from ..plots import METRIC_LABELS, as_benchmark, check_option, landscape_frame, layout
from ..search import History, run_search
from ..strategies import REGISTRY, Strategy
from ._view import MAX_WIDGET_SEED, SLOW, View, check_widget_seed
from .controls import check_strategy_names, make_strategy, strategy_controls

__all__ = ["SearchDashboard", "search_dashboard", "WINNERS_CURSE"]

#: The right panel's title: short enough to stay over its panel, clear of the y tick labels on its right.
SEARCH_TITLE = "The search: validation accuracy over time"

#: The figure's caption: why the incumbent may lie above the optimum (taught in lesson 04).
WINNERS_CURSE = ("Each grey dot is one training run (one seed). The incumbent is the best of many noisy runs, so it "
                 "can rise<br>above the optimum, a mean over seeds: the winner's curse (lesson 04).")


def _slice(history: History, n: int) -> History:
    return History(history.space, history.evaluations[:n], history.interrupted)


class SearchDashboard(View):
    """A search on a tabular benchmark, redrawn whenever a control changes. The landscape
    (left) shows every architecture, the ones visited and the incumbent's path; the right
    panel shows each evaluation's validation accuracy against simulated seconds and the
    incumbent's. The budget slider shows the first `budget` evaluations of the same search
    (a search does not know its budget, so a shorter one is a prefix of a longer one).

    The landscape is coloured by each architecture's mean validation accuracy, the number a
    search may look at; `metric="test_accuracy"` colours it by test accuracy, for reporting a
    final choice only (the title says so). Each point on the right is one training run (one
    seed), so the incumbent, the best of many noisy runs, can rise above the optimum's mean
    over seeds: the winner's curse of lesson 04. The figure's caption says so.

    The last `max_cached_runs` searches stay in memory, so that going back to a seed or a
    setting redraws at once; older ones are run again when asked for."""

    max_cached_runs: int = 32

    def __init__(self, benchmark: str | Benchmark = "cell-mnist1d", strategy: str = "evolution", budget: int = 100,
                 max_budget: int = 500, seed: int = 0, strategies: list[str] | None = None,
                 metric: str = "val_accuracy"):
        names = check_strategy_names(strategy, strategies)
        self.metric = check_option(metric, "metric", tuple(METRIC_LABELS))
        max_budget = check_int(max_budget, "max_budget", minimum=1)
        budget = check_int(budget, "budget", minimum=1, maximum=max_budget)
        seed = check_widget_seed(seed)
        self.bench = as_benchmark(benchmark)
        self.evaluator = TabularEvaluator(self.bench)
        self._runs: OrderedDict[tuple[str, int], tuple[History, dict[str, np.ndarray]]] = OrderedDict()
        self.output = widgets.Output().add_class("nastutor-output")
        self.strategy = widgets.Dropdown(options=[(REGISTRY[n].label, n) for n in names], value=strategy,
                                         description="strategy").add_class("nastutor-strategy")
        self.budget = widgets.IntSlider(budget, min=1, max=max_budget, description="budget (evaluations)",
                                        **SLOW).add_class("nastutor-budget")
        self.seed = widgets.BoundedIntText(seed, min=0, max=MAX_WIDGET_SEED, description="seed",
                                           layout=widgets.Layout(width="150px")).add_class("nastutor-seed")
        self.params: dict[str, dict[str, widgets.Widget]] = {}
        self._param_boxes: dict[str, widgets.Box] = {}
        for name in names:  # generated from the strategy registry (S may not exceed P: linked there)
            controls = self.params[name] = strategy_controls(name)
            self._param_boxes[name] = widgets.HBox(list(controls.values()))
        self.status = widgets.HTML().add_class("nastutor-status")
        self.figure = self._make_figure()
        self.figure.add_class("nastutor-figure")
        self._params_area = widgets.Box()
        for control in [self.strategy, self.budget, self.seed,
                        *[c for cs in self.params.values() for c in cs.values()]]:
            control.observe(self._changed, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.strategy, self.seed, self.budget]), self._params_area,
                                    self.figure, self.status, self.output]).add_class("nastutor-search-dashboard")
        self.update()

    # -- the search -------------------------------------------------------------------------
    def make_strategy(self) -> Strategy:
        """The strategy the controls describe."""
        return make_strategy(self.strategy.value, self.params[self.strategy.value])

    def history(self) -> History:
        """The search the controls describe, cut at the budget."""
        return _slice(self._run()[0], self.budget.value)

    def _run(self) -> tuple[History, dict[str, np.ndarray]]:
        """The search for the controls and its per-step arrays for drawing, so that moving the
        budget only slices arrays: from the cache (least recently shown runs leave it first),
        run again when the budget exceeds what was run."""
        strategy = self.make_strategy()
        key = (repr(strategy), self.seed.value)
        known = self._runs.get(key)
        if known is None or not self._covers(known):
            known = self._search(strategy)
        self._runs[key] = known
        self._runs.move_to_end(key)
        while len(self._runs) > self.max_cached_runs:
            self._runs.popitem(last=False)
        return known

    def _covers(self, known: tuple[History, dict[str, np.ndarray]]) -> bool:
        """Whether a cached search reaches the budget on the slider (evaluations here)."""
        return len(known[0]) >= self.budget.value

    def _budget(self) -> dict:
        """The budget on the slider, as `run_search`'s arguments."""
        return {"budget": self.budget.value}

    def _search(self, strategy: Strategy) -> tuple[History, dict[str, np.ndarray]]:
        """Run `strategy` for the budget and seed of the controls; return its history and arrays."""
        history = run_search(strategy, self.evaluator, **self._budget(), seed=self.seed.value, progress=False)
        val = np.array([e.val_accuracy for e in history])
        best = np.maximum.accumulate(val)
        first_best = np.array([int(np.argmax(val[: i + 1])) for i in range(len(val))]) if len(val) else val
        names = [self.bench.space.to_string(e.arch) for e in history]
        return history, {
            "where": np.array([self._positions[e.arch] for e in history]),
            "seconds": np.cumsum([e.cost for e in history]), "val": val, "incumbent_val": best,
            "incumbent_step": first_best,
            "labels": np.array([f"#{i + 1} {a}<br>val {e.val_accuracy:.4f} (one seed, {e.epochs} epochs)"
                                for i, (a, e) in enumerate(zip(names, history))], dtype=object)}

    # -- drawing ----------------------------------------------------------------------------
    def _make_figure(self) -> go.FigureWidget:
        frame = landscape_frame(self.bench)
        self._positions = {a: i for i, a in enumerate(layout(self.bench.space)[0])}
        self._xy = frame[["x", "y"]].to_numpy()
        metric, label = self.metric, METRIC_LABELS[self.metric]
        fig = make_subplots(1, 2, column_widths=[0.52, 0.48], horizontal_spacing=0.1,
                            subplot_titles=(f"The landscape: every architecture, {label}", SEARCH_TITLE))
        self._add_landscape(fig, frame, metric)
        fig.add_trace(go.Scatter(x=[], y=[], mode="markers", name="visited", hoverinfo="text",
                                 marker=dict(size=8, color="rgba(255,255,255,0.55)", line=dict(color="black", width=1))),
                      1, 1)
        fig.add_trace(go.Scatter(x=[], y=[], mode="lines+markers", name="incumbent path", hoverinfo="skip",
                                 line=dict(color="#e4572e", width=2.5), marker=dict(size=6)), 1, 1)
        fig.add_trace(go.Scatter(x=[], y=[], mode="markers", name="runs (one seed each)", hoverinfo="text",
                                 marker=dict(size=5, color="rgba(80,80,80,0.45)")), 1, 2)
        fig.add_trace(go.Scatter(x=[], y=[], mode="lines", name="incumbent (best run)", line_shape="hv",
                                 line=dict(color="#1f77b4", width=2.5),
                                 hovertemplate="incumbent: val %{y:.4f} (one seed)<extra></extra>"), 1, 2)
        best = float(self.bench.truth("val_accuracy").max())
        seeds = self.bench.val.shape[1]
        fig.add_hline(best, line_dash="dash", line_color="#2a9d8f", row=1, col=2,
                      annotation_text=f"optimum: best mean val over {seeds} seeds", annotation_position="top left")
        floor = float(np.quantile(self.bench.val[:, :, -1], 0.1))
        fig.update_yaxes(range=[floor, min(1.0, best + 0.015)], title_text="validation accuracy", side="right",
                         tickformat=".2f", row=1, col=2)
        fig.update_xaxes(title_text="simulated seconds of training", row=1, col=2)
        fig.add_annotation(text=WINNERS_CURSE, xref="paper", yref="paper", x=0.5, y=-0.17, xanchor="center",
                           yanchor="top", showarrow=False, font=dict(size=12, color="#444"))
        fig.update_layout(height=540, width=960, margin=dict(l=40, r=60, t=50, b=110), template="plotly_white",
                          legend=dict(orientation="h", y=-0.1, x=0.5, xanchor="center"))
        return go.FigureWidget(fig)

    def _add_landscape(self, fig: go.Figure, frame, metric: str) -> None:
        """The landscape (left): a heatmap for a grid layout, else a scatter, coloured by `metric`;
        its hover shows test accuracy only when the colour does."""
        low = float(frame[metric].quantile(0.05))
        columns = ["arch", "val_accuracy", "params", "latency_ms"] + (["test_accuracy"] if metric == "test_accuracy" else [])
        custom = frame[columns].to_numpy(dtype=object)
        hover = ("%{customdata[0]}<br>mean val %{customdata[1]:.4f}"
                 + (" · mean test %{customdata[4]:.4f}" if metric == "test_accuracy" else "")
                 + "<br>%{customdata[2]:,d} parameters · %{customdata[3]:.2f} ms<extra></extra>")
        short = "mean val accuracy" if metric == "val_accuracy" else "mean test accuracy"
        bar = dict(title=dict(text=short, side="right"), x=0.47, len=0.9, thickness=12)   # along the bar: no wrap
        if layout(self.bench.space)[2]:
            n = int(np.sqrt(len(frame)))
            fig.add_trace(go.Heatmap(z=frame[metric].to_numpy().reshape(n, n), zmin=low,
                                     colorscale="Viridis", customdata=custom.reshape(n, n, -1), hovertemplate=hover,
                                     colorbar=bar, name="landscape"), 1, 1)
            fig.update_xaxes(showticklabels=False, title_text="edges into the output node (Gray order)", row=1, col=1)
            fig.update_yaxes(showticklabels=False, title_text="edges into nodes 1, 2", row=1, col=1)
        else:
            fig.add_trace(go.Scatter(x=frame["x"], y=frame["y"], mode="markers", customdata=custom,
                                     hovertemplate=hover, name="landscape", showlegend=False,
                                     marker=dict(color=frame[metric], cmin=low, colorscale="Viridis",
                                                 size=6, colorbar=bar)), 1, 1)
            fig.update_xaxes(title_text="first MDS axis", row=1, col=1)
            fig.update_yaxes(title_text="second MDS axis", row=1, col=1)

    def update(self) -> None:
        """Redraw from the controls (the controls call this; so can you)."""
        self._params_area.children = [self._param_boxes[self.strategy.value]]
        history, arrays = self._run()
        n = min(self.budget.value, len(history))
        run = {k: v[:n] for k, v in arrays.items()}
        path = run["where"][np.unique(run["incumbent_step"])]
        with self.figure.batch_update():
            visited, incumbent_path, points, incumbent = self.figure.data[1:5]
            visited.x, visited.y, visited.hovertext = self._xy[run["where"], 0], self._xy[run["where"], 1], run["labels"]
            incumbent_path.x, incumbent_path.y = self._xy[path, 0], self._xy[path, 1]
            points.x, points.y, points.hovertext = run["seconds"], run["val"], run["labels"]
            incumbent.x, incumbent.y = run["seconds"], run["incumbent_val"]
        best = history.evaluations[int(run["incumbent_step"][-1])]
        regret = {k: self.bench.regret(best.arch, f"{k}_accuracy") for k in ("val", "test")}
        self.status.value = (
            f"<b>{html.escape(REGISTRY[self.strategy.value].label)}</b>, seed {self.seed.value}: "
            f"{n} evaluations, {run['seconds'][-1]:,.0f} simulated seconds of training. "
            f"Chosen on validation: <code>{html.escape(self.bench.space.to_string(best.arch))}</code>, "
            f"regret {100 * regret['val']:.2f} pp on validation, {100 * regret['test']:.2f} pp on test "
            f"(mean over the benchmark's seeds).{self._curse_note(best.val_accuracy)}")

    def _curse_note(self, recorded: float) -> str:
        """A sentence for the status when the incumbent's one-seed score beats the optimum's mean."""
        optimum = float(self.bench.truth("val_accuracy").max())
        if recorded <= optimum:
            return ""
        return (f" Its recorded {recorded:.4f} (one seed) lies above the optimum's mean {optimum:.4f}: "
                f"a lucky run, the winner's curse of lesson 04.")


def search_dashboard(benchmark: str | Benchmark = "cell-mnist1d", strategy: str = "evolution", budget: int = 100,
                     max_budget: int = 500, seed: int = 0, strategies: list[str] | None = None,
                     metric: str = "val_accuracy") -> SearchDashboard:
    """A `SearchDashboard`; show it by making it a cell's last expression. The landscape is coloured
    by mean validation accuracy; `metric="test_accuracy"` only to report a final choice."""
    return SearchDashboard(benchmark, strategy, budget, max_budget, seed, strategies, metric)
