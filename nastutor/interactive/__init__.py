"""Dashboards: ipywidgets controls driving plotly `FigureWidget`s that update in place, one per
module:

- `search_dashboard` (search_dashboard.py): pick a strategy, its parameters, a seed and a budget;
  watch the search walk over the benchmark's landscape (lessons 04 to 06). Its strategy controls
  are generated from the strategy registry (controls.py);
- `live_training` (live_training.py): train one network for real and watch its curves grow; Stop
  keeps what was trained (lesson 03);
- `seconds_dashboard` (seconds_dashboard.py): the same with a budget in simulated seconds, cells
  coloured by the epochs they reached and the incumbent's regret over time (lesson 08);
- `comparison_dashboard` (comparison_dashboard.py): regret curves of `compare()` results and, at
  the budget on the slider, each strategy's regret and ranking (lesson 07).

They return objects that display themselves in a notebook (their `.widget`) and never
display anything on their own (the shared base view: _view.py). Callback output and errors go to
an `Output` widget. Controls carry stable CSS classes (`nastutor-budget`, `nastutor-strategy`, ...)
for browser tests.

    >>> board = search_dashboard("cell-mnist1d", strategy="evolution", budget=50)
    >>> board.budget.value = 100          # the figure now shows the first 100 evaluations
"""
from __future__ import annotations

from ._view import MAX_WIDGET_SEED
from .comparison_dashboard import ComparisonDashboard, comparison_dashboard
from .controls import DEFAULT_STRATEGIES
from .live_training import LiveTraining, live_training
from .search_dashboard import SearchDashboard, search_dashboard
from .seconds_dashboard import SecondsDashboard, seconds_dashboard

__all__ = ["SearchDashboard", "search_dashboard", "SecondsDashboard", "seconds_dashboard", "LiveTraining", "live_training",
           "ComparisonDashboard", "comparison_dashboard", "DEFAULT_STRATEGIES", "MAX_WIDGET_SEED"]
