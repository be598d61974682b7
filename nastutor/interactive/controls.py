"""The controls of a strategy, generated from the strategy registry: one widget per parameter
that the registry marks as a control (int -> IntSlider, float -> FloatSlider or FloatLogSlider,
bool -> Checkbox, named options -> Dropdown), labelled and ranged as the registry says.
Taught in lessons 04 to 06 (the search dashboard).

    >>> controls = strategy_controls("evolution")
    >>> list(controls), controls["population_size"].value
    (['population_size', 'sample_size', 'aging'], 10)
    >>> make_strategy("evolution", controls)
    RegularizedEvolution(population_size=10, sample_size=3, aging=True, crossover=0.0)
"""
from __future__ import annotations

import math

import ipywidgets as widgets

from ..checks import InputError
from ..strategies import REGISTRY, Param, Strategy
from ._view import SLOW

__all__ = ["DEFAULT_STRATEGIES", "offered", "check_strategy", "check_strategy_names", "param_widget",
           "strategy_controls", "link_controls", "make_strategy"]

#: The strategies a search dashboard offers unless told otherwise, in the dropdown's order.
DEFAULT_STRATEGIES = ("random", "evolution", "reinforce", "local", "sh", "optuna")

#: Parameters bounded by another of the same strategy: (strategy, parameter, its upper bound).
AT_MOST = (("evolution", "sample_size", "population_size"),)  # a tournament samples S <= P members


def offered() -> list[str]:
    """Every strategy a dashboard can run: the default ones first, then the rest of the registry."""
    return [*DEFAULT_STRATEGIES, *(name for name in REGISTRY if name not in DEFAULT_STRATEGIES)]


def check_strategy(name: object, what: str = "strategy") -> str:
    """`name` if it names a registered strategy, else one message listing them."""
    if not isinstance(name, str) or name not in REGISTRY:
        raise InputError(f"{what} must be one of: {', '.join(offered())} (a name, not a Strategy), got {name!r}")
    return name


def check_strategy_names(strategy: object, strategies: object) -> list[str]:
    """The dropdown's strategy names: `strategies` (default `DEFAULT_STRATEGIES`), checked,
    with `strategy` put first if it is missing."""
    strategy = check_strategy(strategy)
    if strategies is None:
        strategies = DEFAULT_STRATEGIES
    if isinstance(strategies, str) or not isinstance(strategies, (list, tuple)):
        raise InputError(f"strategies must be a list of strategy names such as ['random', 'evolution'], "
                         f"got {strategies!r}")
    names = [check_strategy(n, "each of strategies") for n in strategies]
    if not names:
        raise InputError(f"strategies must name at least one of: {', '.join(offered())}")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(f"strategies must be distinct; repeated: {', '.join(repeated)}")
    return names if strategy in names else [strategy, *names]


def param_widget(param: Param) -> widgets.ValueWidget:
    """The widget for one parameter, starting at its default; a slider spans the registry's range.

        >>> param_widget(Param("eta", 3, 2, 4, label="η (keep 1/η)")).max
        4
    """
    label = param.label or param.name
    if param.choices is not None:
        return widgets.Dropdown(options=list(param.choices), value=param.default, description=label)
    if param.kind is bool:
        return widgets.Checkbox(param.default, description=label, indent=False)
    if param.low is None or param.high is None:
        raise InputError(f"parameter {param.name!r} needs a range (low and high) to be a slider")
    step = {} if param.step is None else {"step": param.step}
    if param.kind is int:
        return widgets.IntSlider(param.default, min=int(param.low), max=int(param.high), description=label,
                                 **{k: int(v) for k, v in step.items()}, **SLOW)
    if param.kind is float and param.log:
        return widgets.FloatLogSlider(param.default, base=10, min=math.log10(param.low), max=math.log10(param.high),
                                      description=label, **step, **SLOW)
    if param.kind is float:
        return widgets.FloatSlider(param.default, min=param.low, max=param.high, description=label, **step, **SLOW)
    raise InputError(f"parameter {param.name!r} takes {param.kind.__name__} values, which have no control")


def strategy_controls(name: str) -> dict[str, widgets.ValueWidget]:
    """One widget per parameter of strategy `name` that the registry marks as a control, each with
    the CSS class `nastutor-param-<name>` (for browser tests), and bounds between them linked."""
    controls = {p.name: param_widget(p).add_class(f"nastutor-param-{p.name.replace('_', '-')}")
                for p in REGISTRY[check_strategy(name)].params if p.control}
    link_controls(name, controls)
    return controls


def link_controls(name: str, controls: dict[str, widgets.ValueWidget]) -> None:
    """Keep each bounded parameter of `AT_MOST` at most its bound: the bound's value is its slider's max."""
    for strategy, small, large in AT_MOST:
        if strategy == name and small in controls and large in controls:
            widgets.dlink((controls[large], "value"), (controls[small], "max"))


def make_strategy(name: str, controls: dict[str, widgets.ValueWidget]) -> Strategy:
    """Strategy `name` with the parameter values its controls show."""
    return REGISTRY[name].make(**{p: w.value for p, w in controls.items()})
