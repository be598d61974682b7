"""Dashboards: ipywidgets controls driving plotly `FigureWidget`s that update in place.

- `search_dashboard`: pick a strategy, its parameters, a seed and a budget; watch the search
  walk over the benchmark's landscape (lessons 04 to 06);
- `live_training`: train one network for real and watch its curves grow; Stop keeps what
  was trained (lesson 03);
- `comparison_dashboard`: regret curves of `compare()` results and, at the budget on the
  slider, each strategy's regret and ranking (lesson 07).

They return objects that display themselves in a notebook (their `.widget`) and never
display anything on their own. Callback output and errors go to an `Output` widget. Controls
carry stable CSS classes (`nastutor-budget`, `nastutor-strategy`, ...) for browser tests.

    >>> board = search_dashboard("cell-mnist1d", strategy="evolution", budget=50)
    >>> board.budget.value = 100          # the figure now shows the first 100 evaluations
"""
from __future__ import annotations

import html
import threading
from collections import OrderedDict
from typing import Any, Callable

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .benchmark import Benchmark
from .checks import InputError, check_int, check_seed
from .compare import summarize
from .data import Dataset
from .evaluators import TabularEvaluator, default_config
from .plots import as_benchmark, check_runs, landscape_frame, layout, regret_bands
from .search import History, run_search
from .spaces import Arch, SearchSpace
from .strategies import (BayesianOptimization, LocalSearch, OptunaSampler, RandomSearch,
                         RegularizedEvolution, Reinforce, Strategy, SuccessiveHalving)
from .training import EpochRecord, TrainConfig, TrainResult, train

__all__ = ["SearchDashboard", "search_dashboard", "LiveTraining", "live_training",
           "ComparisonDashboard", "comparison_dashboard", "STRATEGY_PARAMETERS"]

_SLOW = dict(continuous_update=False, style={"description_width": "initial"})

#: The strategies a dashboard offers: (label, class, [(parameter, widget factory)]).
STRATEGY_PARAMETERS: dict[str, tuple[str, type[Strategy], list[tuple[str, Callable[[], widgets.Widget]]]]] = {
    "random": ("Random search", RandomSearch, []),
    "evolution": ("Regularized evolution", RegularizedEvolution, [
        ("population_size", lambda: widgets.IntSlider(10, min=2, max=50, description="population P", **_SLOW)),
        ("sample_size", lambda: widgets.IntSlider(3, min=1, max=10, description="sample S", **_SLOW)),
        ("aging", lambda: widgets.Checkbox(True, description="aging (remove the oldest)", indent=False))]),
    "reinforce": ("REINFORCE (factorized)", Reinforce, [
        ("learning_rate", lambda: widgets.FloatLogSlider(0.5, base=10, min=-2, max=1, description="learning rate α",
                                                         **_SLOW)),
        ("entropy_weight", lambda: widgets.FloatSlider(0.0, min=0, max=0.2, step=0.01, description="entropy weight",
                                                       **_SLOW)),
        ("baseline_decay", lambda: widgets.FloatSlider(0.9, min=0, max=0.99, step=0.01, description="baseline decay",
                                                       **_SLOW))]),
    "local": ("Local search", LocalSearch, [
        ("initial", lambda: widgets.IntSlider(10, min=1, max=50, description="random starts", **_SLOW))]),
    "bo": ("Bayesian optimisation (GP + EI)", BayesianOptimization, [
        ("initial", lambda: widgets.IntSlider(10, min=2, max=30, description="random starts", **_SLOW))]),
    "sh": ("Successive halving", SuccessiveHalving, [
        ("n", lambda: widgets.IntSlider(27, min=3, max=81, description="candidates n", **_SLOW)),
        ("eta", lambda: widgets.IntSlider(3, min=2, max=4, description="η (keep 1/η)", **_SLOW))]),
    "tpe": ("Optuna TPE", OptunaSampler, []),
}


#: The strategies a search dashboard offers unless told otherwise.
DEFAULT_STRATEGIES = ("random", "evolution", "reinforce", "local", "sh", "tpe")
#: The largest seed the seed box holds: a browser keeps integers exactly up to 2**53 - 1.
MAX_WIDGET_SEED = 2**53 - 1


def _check_strategy(name: object, what: str = "strategy") -> str:
    """`name` if it names a strategy of `STRATEGY_PARAMETERS`, else one message listing them."""
    if not isinstance(name, str) or name not in STRATEGY_PARAMETERS:
        raise InputError(f"{what} must be one of: {', '.join(STRATEGY_PARAMETERS)} (a name, not a Strategy), "
                         f"got {name!r}")
    return name


def _check_strategy_names(strategy: object, strategies: object) -> list[str]:
    """The dropdown's strategy names: `strategies` (default `DEFAULT_STRATEGIES`), checked,
    with `strategy` put first if it is missing."""
    strategy = _check_strategy(strategy)
    if strategies is None:
        strategies = DEFAULT_STRATEGIES
    if isinstance(strategies, str) or not isinstance(strategies, (list, tuple)):
        raise InputError(f"strategies must be a list of strategy names such as ['random', 'evolution'], "
                         f"got {strategies!r}")
    names = [_check_strategy(n, "each of strategies") for n in strategies]
    if not names:
        raise InputError(f"strategies must name at least one of: {', '.join(STRATEGY_PARAMETERS)}")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(f"strategies must be distinct; repeated: {', '.join(repeated)}")
    return names if strategy in names else [strategy, *names]


def _check_widget_seed(seed: object) -> int:
    """A seed the seed box can hold, as a plain int: refused, never clamped to another."""
    seed = check_seed(seed)
    if seed > MAX_WIDGET_SEED:
        raise InputError(f"seed must be at most 2**53 - 1 in a dashboard (its seed box holds only numbers "
                         f"a browser keeps exactly), got {seed}")
    return seed


class _View:
    """What every dashboard shares: it shows its `widget` when it is a cell's last expression,
    and control callbacks redraw inside its `output`, where errors stay visible."""

    widget: widgets.Widget
    output: widgets.Output

    def update(self) -> None:
        raise NotImplementedError

    def _changed(self, change: dict[str, Any]) -> None:
        with self.output:
            self.update()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _slice(history: History, n: int) -> History:
    return History(history.space, history.evaluations[:n], history.interrupted)


class SearchDashboard(_View):
    """A search on a tabular benchmark, redrawn whenever a control changes. The landscape
    (left) shows every architecture, the ones visited and the incumbent's path; the right
    panel shows each evaluation's validation accuracy against simulated seconds and the
    incumbent's. The budget slider shows the first `budget` evaluations of the same search
    (a search does not know its budget, so a shorter one is a prefix of a longer one).

    The last `max_cached_runs` searches stay in memory, so that going back to a seed or a
    setting redraws at once; older ones are run again when asked for."""

    max_cached_runs: int = 32

    def __init__(self, benchmark: str | Benchmark = "cell-mnist1d", strategy: str = "evolution", budget: int = 100,
                 max_budget: int = 500, seed: int = 0, strategies: list[str] | None = None):
        names = _check_strategy_names(strategy, strategies)
        max_budget = check_int(max_budget, "max_budget", minimum=1)
        budget = check_int(budget, "budget", minimum=1, maximum=max_budget)
        seed = _check_widget_seed(seed)
        self.bench = as_benchmark(benchmark)
        self.evaluator = TabularEvaluator(self.bench)
        self._runs: OrderedDict[tuple[str, int], tuple[History, dict[str, np.ndarray]]] = OrderedDict()
        self.output = widgets.Output().add_class("nastutor-output")
        self.strategy = widgets.Dropdown(options=[(STRATEGY_PARAMETERS[n][0], n) for n in names], value=strategy,
                                         description="strategy").add_class("nastutor-strategy")
        self.budget = widgets.IntSlider(budget, min=1, max=max_budget, description="budget (evaluations)",
                                        **_SLOW).add_class("nastutor-budget")
        self.seed = widgets.BoundedIntText(seed, min=0, max=MAX_WIDGET_SEED, description="seed",
                                           layout=widgets.Layout(width="150px")).add_class("nastutor-seed")
        self.params: dict[str, dict[str, widgets.Widget]] = {}
        self._param_boxes: dict[str, widgets.Box] = {}
        for name in names:
            controls = {p: make().add_class(f"nastutor-param-{p.replace('_', '-')}")
                        for p, make in STRATEGY_PARAMETERS[name][2]}
            self.params[name] = controls
            self._param_boxes[name] = widgets.HBox(list(controls.values()))
        if "evolution" in self.params:  # S may not exceed P
            evo = self.params["evolution"]
            widgets.dlink((evo["population_size"], "value"), (evo["sample_size"], "max"))
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
        name = self.strategy.value
        cls = STRATEGY_PARAMETERS[name][1]
        kwargs = {p: w.value for p, w in self.params[name].items()}
        return OptunaSampler("tpe") if name == "tpe" else cls(**kwargs)

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
        if known is None or len(known[0]) < self.budget.value:
            known = self._search(strategy)
        self._runs[key] = known
        self._runs.move_to_end(key)
        while len(self._runs) > self.max_cached_runs:
            self._runs.popitem(last=False)
        return known

    def _search(self, strategy: Strategy) -> tuple[History, dict[str, np.ndarray]]:
        """Run `strategy` for the budget and seed of the controls; return its history and arrays."""
        history = run_search(strategy, self.evaluator, self.budget.value, seed=self.seed.value, progress=False)
        val = np.array([e.val_accuracy for e in history])
        best = np.maximum.accumulate(val)
        first_best = np.array([int(np.argmax(val[: i + 1])) for i in range(len(val))]) if len(val) else val
        names = [self.bench.space.to_string(e.arch) for e in history]
        return history, {
            "where": np.array([self._positions[e.arch] for e in history]),
            "seconds": np.cumsum([e.cost for e in history]), "val": val, "incumbent_val": best,
            "incumbent_step": first_best,
            "labels": np.array([f"#{i + 1} {a}<br>val {e.val_accuracy:.4f} ({e.epochs} epochs)"
                                for i, (a, e) in enumerate(zip(names, history))], dtype=object)}

    # -- drawing ----------------------------------------------------------------------------
    def _make_figure(self) -> go.FigureWidget:
        frame = landscape_frame(self.bench)
        self._positions = {a: i for i, a in enumerate(layout(self.bench.space)[0])}
        self._xy = frame[["x", "y"]].to_numpy()
        self._final = {"val": self.bench.val[:, :, -1].mean(axis=1), "test": self.bench.test[:, :, -1].mean(axis=1)}
        fig = make_subplots(1, 2, column_widths=[0.52, 0.48], horizontal_spacing=0.1,
                            subplot_titles=("The landscape: every architecture, mean test accuracy",
                                            "The search: validation accuracy over simulated time"))
        low = float(frame["test_accuracy"].quantile(0.05))
        custom = frame[["arch", "val_accuracy", "test_accuracy", "params", "latency_ms"]].to_numpy()
        hover = ("%{customdata[0]}<br>val %{customdata[1]:.4f} · test %{customdata[2]:.4f}<br>"
                 "%{customdata[3]:,} parameters · %{customdata[4]:.2f} ms<extra></extra>")
        bar = dict(title=dict(text="test<br>accuracy", side="top"), x=0.47, len=0.9, thickness=12)
        if layout(self.bench.space)[2]:
            n = int(np.sqrt(len(frame)))
            fig.add_trace(go.Heatmap(z=frame["test_accuracy"].to_numpy().reshape(n, n), zmin=low,
                                     colorscale="Viridis", customdata=custom.reshape(n, n, -1), hovertemplate=hover,
                                     colorbar=bar, name="landscape"), 1, 1)
            fig.update_xaxes(showticklabels=False, title_text="edges into the output node (Gray order)", row=1, col=1)
            fig.update_yaxes(showticklabels=False, title_text="edges into nodes 1, 2", row=1, col=1)
        else:
            fig.add_trace(go.Scatter(x=frame["x"], y=frame["y"], mode="markers", customdata=custom,
                                     hovertemplate=hover, name="landscape", showlegend=False,
                                     marker=dict(color=frame["test_accuracy"], cmin=low, colorscale="Viridis",
                                                 size=6, colorbar=bar)), 1, 1)
            fig.update_xaxes(title_text="first MDS axis", row=1, col=1)
            fig.update_yaxes(title_text="second MDS axis", row=1, col=1)
        fig.add_trace(go.Scatter(x=[], y=[], mode="markers", name="visited", hoverinfo="text",
                                 marker=dict(size=8, color="rgba(255,255,255,0.55)", line=dict(color="black", width=1))),
                      1, 1)
        fig.add_trace(go.Scatter(x=[], y=[], mode="lines+markers", name="incumbent path", hoverinfo="skip",
                                 line=dict(color="#e4572e", width=2.5), marker=dict(size=6)), 1, 1)
        fig.add_trace(go.Scatter(x=[], y=[], mode="markers", name="evaluations", hoverinfo="text",
                                 marker=dict(size=5, color="rgba(80,80,80,0.45)")), 1, 2)
        fig.add_trace(go.Scatter(x=[], y=[], mode="lines", name="incumbent (best so far)", line_shape="hv",
                                 line=dict(color="#1f77b4", width=2.5), hoverinfo="skip"), 1, 2)
        best = float(self.bench.val[:, :, -1].mean(axis=1).max())
        fig.add_hline(best, line_dash="dash", line_color="#2a9d8f", row=1, col=2,
                      annotation_text="optimum (mean val)", annotation_position="top left")
        floor = float(np.quantile(self.bench.val[:, :, -1], 0.1))
        fig.update_yaxes(range=[floor, min(1.0, best + 0.015)], title_text="validation accuracy", side="right",
                         row=1, col=2)
        fig.update_xaxes(title_text="simulated seconds of training", row=1, col=2)
        fig.update_layout(height=470, width=960, margin=dict(l=40, r=60, t=50, b=40), template="plotly_white",
                          legend=dict(orientation="h", y=-0.12, x=0.55))
        return go.FigureWidget(fig)

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
        row = self.bench.index(best.arch)
        regret = {k: float(m.max() - m[row]) for k, m in self._final.items()}
        self.status.value = (
            f"<b>{html.escape(STRATEGY_PARAMETERS[self.strategy.value][0])}</b>, seed {self.seed.value}: "
            f"{n} evaluations, {run['seconds'][-1]:,.0f} simulated seconds of training. "
            f"Chosen on validation: <code>{html.escape(self.bench.space.to_string(best.arch))}</code>, "
            f"regret {100 * regret['val']:.2f} pp on validation, {100 * regret['test']:.2f} pp on test "
            f"(mean over the benchmark's seeds).")


def search_dashboard(benchmark: str | Benchmark = "cell-mnist1d", strategy: str = "evolution", budget: int = 100,
                     max_budget: int = 500, seed: int = 0, strategies: list[str] | None = None) -> SearchDashboard:
    """A `SearchDashboard`; show it by making it a cell's last expression."""
    return SearchDashboard(benchmark, strategy, budget, max_budget, seed, strategies)


def _check_space(space: object) -> SearchSpace:
    if not isinstance(space, SearchSpace):
        raise InputError(f"space must be a SearchSpace such as nt.MLPSpace(), got {space!r}")
    return space


def _check_arch(space: SearchSpace, arch: object) -> Arch:
    """`arch` (a string or a tuple) as an architecture of `space`, or a clear error."""
    if isinstance(arch, str):
        return space.parse(arch)
    if not isinstance(arch, tuple):
        raise InputError(f"arch must be an architecture of {space!r}: a string such as "
                         f"{space.to_string(space.sample(np.random.default_rng(0)))!r} or a tuple, got {arch!r}")
    space.validate(arch)
    return arch


class LiveTraining(_View):
    """Train one architecture for real (in a background thread, so the notebook stays
    responsive) and watch the training loss and the validation and test accuracy grow epoch by
    epoch. Stop ends training after the current epoch and keeps what was trained: `records`
    and, once finished, `result`."""

    def __init__(self, space: SearchSpace, arch: Arch | str, dataset: str = "mnist1d",
                 config: TrainConfig | None = None, seed: int = 0):
        from .data import load_dataset
        self.space = _check_space(space)
        self.arch = _check_arch(space, arch)
        self.seed = check_seed(seed)
        if config is not None and not isinstance(config, TrainConfig):
            raise InputError(f"config must be a TrainConfig such as nt.TrainConfig(epochs=4), or None, got {config!r}")
        if not isinstance(dataset, (str, Dataset)):
            raise InputError(f"dataset must be a dataset name such as 'mnist1d' or a Dataset, got {dataset!r}")
        self.data = load_dataset(dataset) if isinstance(dataset, str) else dataset
        self.config = config or default_config(space)
        self.records: list[EpochRecord] = []
        self.result: TrainResult | None = None
        self.error: Exception | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        fig = make_subplots(1, 2, subplot_titles=("training loss", "accuracy on held-out data"))
        fig.add_trace(go.Scatter(x=[], y=[], mode="lines+markers", name="training loss"), 1, 1)
        fig.add_trace(go.Scatter(x=[], y=[], mode="lines+markers", name="validation accuracy"), 1, 2)
        fig.add_trace(go.Scatter(x=[], y=[], mode="lines+markers", name="test accuracy", line_dash="dot"), 1, 2)
        for col in (1, 2):
            fig.update_xaxes(title_text="epoch", range=[0.5, self.config.epochs + 0.5], row=1, col=col)
        fig.update_yaxes(title_text="cross-entropy", row=1, col=1)
        fig.update_yaxes(title_text="accuracy", range=[0, 1], row=1, col=2)
        fig.update_layout(height=360, width=880, template="plotly_white", margin=dict(t=40, b=40),
                          title_text=f"{space.to_string(self.arch)} on {self.data.name}", title_font_size=13)
        self.figure = go.FigureWidget(fig)
        self.start_button = widgets.Button(description="Train", icon="play", button_style="success").add_class("nastutor-start")
        self.stop_button = widgets.Button(description="Stop", icon="stop", disabled=True).add_class("nastutor-stop")
        self.status = widgets.HTML("Press Train.").add_class("nastutor-status")
        self.output = widgets.Output().add_class("nastutor-output")
        self.start_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        self.widget = widgets.VBox([widgets.HBox([self.start_button, self.stop_button, self.status]), self.figure,
                                    self.output]).add_class("nastutor-live-training")

    def _on_epoch(self, record: EpochRecord) -> bool:
        self.records.append(record)
        epochs = [r.epoch for r in self.records]
        with self.figure.batch_update():
            self.figure.data[0].x, self.figure.data[0].y = epochs, [r.train_loss for r in self.records]
            self.figure.data[1].x, self.figure.data[1].y = epochs, [r.val_accuracy for r in self.records]
            self.figure.data[2].x, self.figure.data[2].y = epochs, [r.test_accuracy for r in self.records]
        self.status.value = (f"epoch {record.epoch}/{self.config.epochs}: validation accuracy "
                             f"{record.val_accuracy:.3f} ({record.seconds:.2f} s)")
        return not self._stop.is_set()

    def _run(self) -> None:
        # No `with self.output:` here: entered from a thread, an Output widget captures whatever
        # the notebook's current cell displays (this view included). Errors go to the status line.
        try:
            data = self.data
            self.result = train(lambda: self.space.build(self.arch, data.num_features, data.num_classes), data,
                                self.config, seed=self.seed, on_epoch=self._on_epoch)
            done = "stopped" if self._stop.is_set() else "finished"
            self.status.value = (f"{done} after {len(self.records)} epochs in {self.result.seconds:.1f} s: "
                                 f"validation {self.result.val_accuracy:.3f}, test {self.result.test_accuracy:.3f}")
        except Exception as e:  # a thread's exception would vanish: say it where the learner looks
            self.error = e
            self.status.value = f"<b>training failed</b>: {html.escape(f'{type(e).__name__}: {e}')}"
        finally:
            self.start_button.disabled, self.stop_button.disabled = False, True

    def start(self, block: bool = False) -> None:
        """Train from scratch (`block=True` waits until training ends)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self.records, self.result, self.error = [], None, None
        self._stop.clear()
        self.start_button.disabled, self.stop_button.disabled = True, False
        self.status.value = "training..."
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if block:
            self.join()

    def stop(self) -> None:
        """Stop after the current epoch; what was trained stays."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


def live_training(space: SearchSpace, arch: Arch | str, dataset: str = "mnist1d", config: TrainConfig | None = None,
                  seed: int = 0) -> LiveTraining:
    """A `LiveTraining` view; press Train (or call `.start()`)."""
    return LiveTraining(space, arch, dataset, config, seed)


class ComparisonDashboard(_View):
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
                                        **_SLOW).add_class("nastutor-budget")
        self.metric = widgets.ToggleButtons(options=[("validation regret (searched)", "val_regret"),
                                                     ("test regret (reported)", "test_regret")],
                                            value="val_regret").add_class("nastutor-metric")
        self.table = widgets.HTML().add_class("nastutor-ranking")
        self.figure = go.FigureWidget(make_subplots(1, 2, column_widths=[0.58, 0.42], horizontal_spacing=0.16,
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
                                        hovertemplate=f"{name}<br>%{{x}} evaluations: %{{y:.2f}} pp<extra></extra>")
            self.figure.add_bar(x=[], y=[], orientation="h", showlegend=False, row=1, col=2, name="at budget",
                                error_x=dict(type="data", array=[]))
            label = "validation" if metric == "val_regret" else "test"
            ticks = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50]
            self.figure.update_yaxes(type="log", title_text=f"{label} regret (pp)", tickvals=ticks,
                                     ticktext=[f"{t:g}" for t in ticks], row=1, col=1)
            self.figure.update_xaxes(title_text="evaluations", row=1, col=1)
            self.figure.update_xaxes(title_text=f"{label} regret (pp), 95% interval", row=1, col=2)
            self.figure.update_layout(height=430, width=960, template="plotly_white", margin=dict(t=40, b=40),
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
        label = "validation" if metric == "val_regret" else "test"
        self.table.value = (
            f"<b>Ranking at {budget} evaluations</b> ({int(ranked['runs'].iloc[0])} seeds each)"
            f"<table class='nastutor-table' cellpadding='4' style='border-collapse:collapse'>"
            f"<tr><th>rank</th><th>strategy</th>"
            f"<th>mean {label} regret (pp) ± 95% CI</th><th>one-sided rank-sum p vs {html.escape(self.baseline)}</th>"
            f"</tr>{rows}</table>")


def comparison_dashboard(runs: pd.DataFrame, baseline: str = "random", budget: int | None = None) -> ComparisonDashboard:
    """A `ComparisonDashboard` over `compare()` results."""
    return ComparisonDashboard(runs, baseline, budget)
