"""The comparison dashboard: regret curves of `compare()` results and, at the budget on the
slider, each strategy's mean regret with its interval and a ranking with the rank-sum test.
Taught in lesson 07.

    >>> from nastutor import RandomSearch, TabularEvaluator
    >>> from nastutor.compare import compare
    >>> from nastutor.strategies import RegularizedEvolution
    >>> runs = compare({"random": RandomSearch(), "evolution": RegularizedEvolution()},
    ...                TabularEvaluator("cell-mnist1d"), budget=60, seeds=range(8))
    >>> board = comparison_dashboard(runs, baseline="random")
    >>> board.budget.value = 30           # bars and ranking now at 30 evaluations
"""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..checks import InputError, check_int
from ..compare import summarize
from ..plots import check_runs, regret_bands
from ._view import SLOW, View

__all__ = ["ComparisonDashboard", "comparison_dashboard", "wrap_label", "panel_spacing"]

#: Toggle buttons as wide as their labels, so "test regret (reported)" is never cut short.
TOGGLE_STYLE = {"button_width": "auto"}

#: How each metric is named on axes and in the table: test regret is reported, never searched on.
REGRET_LABELS = {"val_regret": "validation regret", "test_regret": "test regret, reported"}

#: The figure's width in pixels, plotly's default left and right margins, and about how wide one character
#: of a 12-pixel tick label is: the gap between the panels is sized from them to hold the bars' labels.
WIDTH, MARGINS, CHAR_PX = 960, 160, 7.5

#: A strategy label longer than this many characters is wrapped onto lines at its spaces.
LABEL_CHARS = 14


def wrap_label(label: str, width: int = LABEL_CHARS) -> str:
    """`label` broken at spaces into lines of at most `width` characters (a longer word keeps its own
    line), joined by `<br>`: "P=10, S=10, non-aging" becomes "P=10, S=10,<br>non-aging".

        >>> wrap_label("P=10, S=10, non-aging")
        'P=10, S=10,<br>non-aging'
    """
    lines: list[str] = []
    for word in str(label).split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(html.escape(line) for line in lines)


def panel_spacing(labels: list[str]) -> float:
    """The gap between the two panels, as a fraction of the plotting width: room for the longest line
    of the bars' (wrapped) labels, which sit in that gap, and never less than 0.16."""
    longest = max((len(html.unescape(line)) for label in labels for line in wrap_label(label).split("<br>")),
                  default=0)
    return min(0.35, max(0.16, (CHAR_PX * longest + 24) / (WIDTH - MARGINS)))


class ComparisonDashboard(View):
    """`compare()` results at a glance: regret curves with confidence bands (left, a dashed line
    at the budget), each strategy's mean regret at that budget with its interval (right), and a
    ranking table with the rank-sum test against `baseline`."""

    def __init__(self, runs: pd.DataFrame, baseline: str = "random", budget: int | None = None):
        runs = check_runs(runs)
        strategies = list(runs["strategy"].unique())
        if not isinstance(baseline, str) or baseline not in strategies:
            raise InputError(f"baseline must be one of the strategies: {', '.join(map(str, strategies))}, "
                             f"got {baseline!r}")
        self.runs, self.baseline = runs, baseline
        steps = int(runs.groupby(["strategy", "seed"]).size().min())
        budget = steps if budget is None else check_int(budget, "budget", minimum=1, maximum=steps)
        self.output = widgets.Output().add_class("nastutor-output")
        self.budget = widgets.IntSlider(budget, min=1, max=steps, description="budget (evaluations)",
                                        **SLOW).add_class("nastutor-budget")
        self.metric = widgets.ToggleButtons(options=[("validation regret (searched)", "val_regret"),
                                                     ("test regret (reported)", "test_regret")],
                                            value="val_regret", style=TOGGLE_STYLE).add_class("nastutor-metric")
        self.table = widgets.HTML().add_class("nastutor-ranking")
        spacing = panel_spacing([str(s) for s in strategies])   # long strategy labels fit between the panels
        self.figure = go.FigureWidget(make_subplots(1, 2, column_widths=[0.58, 0.42], horizontal_spacing=spacing,
                                                    subplot_titles=("mean regret over evaluations",
                                                                    "mean regret at the budget")))
        self._draw_curves()
        self.budget.observe(self._changed, names="value")
        self.metric.observe(self._redraw, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.budget, self.metric]), self.figure, self.table,
                                    self.output]).add_class("nastutor-comparison-dashboard")
        self.update()

    def _draw_curves(self) -> None:
        metric = self.metric.value
        bands = regret_bands(self.runs, "step", metric)
        palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                   "#bcbd22", "#17becf"]
        self.colors = {}
        with self.figure.batch_update():
            self.figure.data = []
            for k, (name, band) in enumerate(bands.groupby("strategy", sort=False)):
                color = self.colors[name] = palette[k % len(palette)]
                x = np.concatenate([band["x"], band["x"][::-1]])
                y = 100 * np.concatenate([np.maximum(band["high"], 1e-3), np.maximum(band["low"], 1e-3)[::-1]])
                self.figure.add_scatter(x=x, y=y, fill="toself", line_width=0, fillcolor=color, opacity=0.15,
                                        hoverinfo="skip", showlegend=False, row=1, col=1)
                self.figure.add_scatter(x=band["x"], y=100 * band["mean"], name=name, line_color=color, row=1, col=1,
                                        hovertemplate=f"{name}<br>%{{x:,d}} evaluations: %{{y:.2f}} pp<extra></extra>")
            self.figure.add_bar(x=[], y=[], orientation="h", showlegend=False, row=1, col=2, name="at budget",
                                error_x=dict(type="data", array=[]),
                                hovertemplate="%{y}: mean %{x:.3f} pp<extra></extra>")
            label = REGRET_LABELS[metric]
            ticks = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50]
            self.figure.update_yaxes(type="log", title_text=f"{label} (pp)", tickvals=ticks,
                                     ticktext=[f"{t:g}" for t in ticks], row=1, col=1)
            self.figure.update_xaxes(title_text="evaluations", row=1, col=1)
            self.figure.update_xaxes(title_text=f"{label} (pp), 95% interval", row=1, col=2)
            names = list(bands["strategy"].unique())
            self.figure.update_yaxes(tickmode="array", tickvals=names, ticktext=[wrap_label(n) for n in names],
                                     row=1, col=2)
            self.figure.update_layout(height=430, width=WIDTH, template="plotly_white", margin=dict(t=40, b=40),
                                      legend=dict(x=0.45, y=1.0, xanchor="right"), shapes=[])

    def _redraw(self, change: dict[str, Any]) -> None:
        with self.output:
            self._draw_curves()
            self.update()

    def update(self) -> None:
        """Redraw the budget line, the bars and the ranking for the slider's budget."""
        metric, budget = self.metric.value, self.budget.value
        summary = summarize(self.runs, budget, self.baseline).sort_values(metric, ascending=False)
        with self.figure.batch_update():
            bars = self.figure.data[-1]
            bars.x, bars.y = 100 * summary[metric], summary["strategy"]
            bars.error_x.array = 100 * summary[f"{metric}_ci"]
            bars.marker.color = [self.colors[s] for s in summary["strategy"]]
            self.figure.layout.shapes = [dict(type="line", xref="x", yref="paper", x0=budget, x1=budget, y0=0, y1=1,
                                              line=dict(color="#444", dash="dash"))]
        ranked = summary.sort_values(metric).reset_index(drop=True)
        rows = "".join(
            f"<tr><td>{i + 1}</td><td>{html.escape(r['strategy'])}</td>"
            f"<td>{100 * r[metric]:.3f} ± {100 * r[metric + '_ci']:.3f}</td>"
            f"<td>{'baseline' if r['strategy'] == self.baseline else format(r[metric + '_p'], '.3g')}</td></tr>"
            for i, r in ranked.iterrows())
        label = REGRET_LABELS[metric]
        self.table.value = (
            f"<b>Ranking at {budget} evaluations</b> ({int(ranked['runs'].iloc[0])} seeds each)"
            f"<table class='nastutor-table' cellpadding='4' style='border-collapse:collapse'>"
            f"<tr><th>rank</th><th>strategy</th>"
            f"<th>mean {label} (pp) ± 95% CI</th><th>one-sided rank-sum p vs {html.escape(self.baseline)}</th>"
            f"</tr>{rows}</table>")


def comparison_dashboard(runs: pd.DataFrame, baseline: str = "random", budget: int | None = None) -> ComparisonDashboard:
    """A `ComparisonDashboard` over `compare()` results."""
    return ComparisonDashboard(runs, baseline, budget)
