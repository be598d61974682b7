"""Live training: train one network for real and watch its curves grow, epoch by epoch; Stop
keeps what was trained. Taught in lesson 03.

    >>> from nastutor import MLPSpace, TrainConfig
    >>> view = live_training(MLPSpace(), "32relu", config=TrainConfig(epochs=4))
    >>> view.start(block=True); len(view.records)
    4
"""
from __future__ import annotations

import html
import threading

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..checks import InputError, check_seed
from ..data import Dataset, load_dataset
from ..evaluators import default_config
from ..spaces import Arch, SearchSpace
from ..training import EpochRecord, TrainConfig, TrainResult, train
from ._view import View

__all__ = ["LiveTraining", "live_training"]


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


class LiveTraining(View):
    """Train one architecture for real (in a background thread, so the notebook stays
    responsive) and watch the training loss and the validation accuracy grow epoch by epoch.
    Test accuracy stays out of sight unless `show_test=True`, for reporting a final choice (its
    curve and number are then labelled "reported"). Stop ends training after the current epoch
    and keeps what was trained: `records` and, once finished, `result`."""

    def __init__(self, space: SearchSpace, arch: Arch | str, dataset: str = "mnist1d",
                 config: TrainConfig | None = None, seed: int = 0, show_test: bool = False):
        self.space = _check_space(space)
        self.arch = _check_arch(space, arch)
        self.seed = check_seed(seed)
        if not isinstance(show_test, (bool, np.bool_)):
            raise InputError(f"show_test must be True or False, got {show_test!r}")
        self.show_test = bool(show_test)
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
        accuracy = "validation and test accuracy" if self.show_test else "validation accuracy"
        fig = make_subplots(1, 2, subplot_titles=("training loss", accuracy))
        fig.add_trace(go.Scatter(x=[], y=[], mode="lines+markers", name="training loss"), 1, 1)
        fig.add_trace(go.Scatter(x=[], y=[], mode="lines+markers", name="validation accuracy"), 1, 2)
        if self.show_test:
            fig.add_trace(go.Scatter(x=[], y=[], mode="lines+markers", name="test accuracy (reported, not searched)",
                                     line_dash="dot"), 1, 2)
        for col in (1, 2):
            fig.update_xaxes(title_text="epoch", range=[0.5, self.config.epochs + 0.5], row=1, col=col)
        fig.update_yaxes(title_text="cross-entropy", row=1, col=1)
        fig.update_yaxes(title_text="accuracy", range=[0, 1], row=1, col=2)
        fig.update_layout(height=380, width=880, template="plotly_white", margin=dict(t=40, b=70),
                          legend=dict(orientation="h", y=-0.22, x=0.5, xanchor="center"),
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
            if self.show_test:
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
            reported = f", test {self.result.test_accuracy:.3f} (reported)" if self.show_test else ""
            self.status.value = (f"{done} after {len(self.records)} epochs in {self.result.seconds:.1f} s: "
                                 f"validation {self.result.val_accuracy:.3f}{reported}")
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
                  seed: int = 0, show_test: bool = False) -> LiveTraining:
    """A `LiveTraining` view; press Train (or call `.start()`). It plots validation accuracy;
    `show_test=True` adds test accuracy, labelled as reported, for a final choice only."""
    return LiveTraining(space, arch, dataset, config, seed, show_test)
