"""What every dashboard shares: the base view (shows its widget, redraws inside its `Output`),
the style of its sliders, and the seed box's limit. Taught in lessons 03 to 07, wherever a
dashboard appears.

    >>> check_widget_seed(7)
    7
"""
from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..checks import InputError, check_seed

__all__ = ["View", "SLOW", "MAX_WIDGET_SEED", "check_widget_seed"]

#: Slider settings: redraw when the slider is let go (not on every pixel), labels in full.
SLOW = dict(continuous_update=False, style={"description_width": "initial"})

#: The largest seed the seed box holds: a browser keeps integers exactly up to 2**53 - 1.
MAX_WIDGET_SEED = 2**53 - 1


def check_widget_seed(seed: object) -> int:
    """A seed the seed box can hold, as a plain int: refused, never clamped to another."""
    seed = check_seed(seed)
    if seed > MAX_WIDGET_SEED:
        raise InputError(f"seed must be at most 2**53 - 1 in a dashboard (its seed box holds only numbers "
                         f"a browser keeps exactly), got {seed}")
    return seed


class View:
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
