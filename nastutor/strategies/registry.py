"""The strategy registry: every strategy once, with its parameters' defaults and ranges.
Taught in lesson 07 (comparing strategies); each entry names the lesson that teaches it.

Each strategy file registers its own class with `@register(...)`; the command line's `--help`,
the dashboards' controls, the benchmark scripts and the tests are all generated from `REGISTRY`,
so adding a strategy is one new file in `nastutor/strategies/` (plus its test).

    >>> REGISTRY["evolution"].make(population_size=20)
    RegularizedEvolution(population_size=20, sample_size=3, aging=True, crossover=0.0)
    >>> [p.label for p in REGISTRY["evolution"].params][:2]
    ['population P', 'sample S']
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ..checks import InputError
from .base import Strategy

__all__ = ["Param", "StrategyEntry", "REGISTRY", "register", "variants", "parse_value", "observing"]


@dataclass(frozen=True)
class Param:
    """One constructor argument of a strategy, as a control shows it.

    `default` is the constructor's own default (a test checks it), so a control starts where
    `Strategy()` starts. `low`/`high` (inclusive), `step` and `log` describe a slider's range,
    not what the constructor accepts (a script may go beyond it). `choices` lists the options
    of a parameter with named options. `control=False` keeps a parameter out of the dashboards
    (scripts and the command line still set it).
    """

    name: str
    default: Any
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    choices: tuple | None = None
    label: str = ""
    control: bool = True

    @property
    def kind(self) -> type:
        """The type of value it takes: bool, int, float or str."""
        if self.choices is not None:
            return type(self.choices[0])
        return type(self.default)


@dataclass(frozen=True)
class StrategyEntry:
    """A registered strategy: its short `name`, class, `label`, parameter spec and the lesson
    that teaches it."""

    name: str
    cls: type[Strategy]
    label: str
    params: tuple[Param, ...] = ()
    lesson: str = ""

    def param(self, name: str) -> Param:
        """The spec of parameter `name`, or an `InputError` listing the ones there are."""
        for p in self.params:
            if p.name == name:
                return p
        raise InputError(f"{self.name} has no parameter {name!r}; "
                         f"its parameters: {', '.join(p.name for p in self.params) or 'none'}")

    def make(self, **overrides: Any) -> Strategy:
        """A new strategy: the spec's defaults, with `overrides` in their place. A name that is not
        a parameter of the spec is refused with the list of those there are; the values are
        checked by the constructor.

        Only the overrides are passed on: the defaults are the constructor's own, and an argument
        left out may depend on another (Reinforce's learning rate follows its controller)."""
        for name in overrides:
            self.param(name)
        return self.cls(**overrides)


#: Every strategy by its short name, ordered by the lesson that teaches it, then by name.
REGISTRY: dict[str, StrategyEntry] = {}


def register(name: str, label: str, params: Sequence[Param] = (), lesson: str = "") -> Callable[[type], type]:
    """A class decorator that adds a strategy to `REGISTRY` under `name`.

        @register("evolution", "Regularized evolution", [Param("population_size", 10, 2, 50,
                  label="population P")], lesson="05")
        class RegularizedEvolution(Strategy): ...

    Every `Param` must name an argument of the constructor.
    """
    def add(cls: type) -> type:
        if not (isinstance(cls, type) and issubclass(cls, Strategy)):
            raise TypeError(f"register() decorates Strategy subclasses, got {cls!r}")
        arguments = [n for n, a in list(inspect.signature(cls.__init__).parameters.items())[1:]
                     if a.kind not in (a.VAR_POSITIONAL, a.VAR_KEYWORD)]
        for p in params:
            if p.name not in arguments:
                raise TypeError(f"{cls.__name__} has no constructor argument {p.name!r} "
                                f"(it takes: {', '.join(arguments) or 'none'})")
        old = REGISTRY.get(name)
        if old is not None and (old.cls.__module__, old.cls.__qualname__) != (cls.__module__, cls.__qualname__):
            raise ValueError(f"the strategy name {name!r} is taken by {old.cls.__qualname__}")
        REGISTRY[name] = StrategyEntry(name, cls, label, tuple(params), lesson)
        ordered = sorted(REGISTRY.values(), key=lambda e: (e.lesson, e.name))
        REGISTRY.clear()
        REGISTRY.update((e.name, e) for e in ordered)
        return cls
    return add


def variants(names: Sequence[str] | None = None) -> dict[str, Strategy]:
    """Fresh strategies worth comparing, by name: each registered strategy with its defaults
    under its own name, and with each other option of a parameter with named options under
    "name-option" (REINFORCE's LSTM controller, Optuna's random sampler).

    >>> list(variants(["reinforce", "optuna"]))
    ['reinforce', 'reinforce-lstm', 'optuna', 'optuna-random']
    """
    out: dict[str, Strategy] = {}
    for name in REGISTRY if names is None else names:
        if name not in REGISTRY:
            raise InputError(f"unknown strategy {name!r}; choose one of: {', '.join(REGISTRY)}")
        entry = REGISTRY[name]
        out[name] = entry.make()
        for p in entry.params:
            for option in p.choices or ():
                if option != p.default:
                    out[f"{name}-{option}"] = entry.make(**{p.name: option})
    return out


def parse_value(param: Param, text: str) -> Any:
    """`text` (from a command line) as a value of `param`, or an `InputError` saying what it takes.

    >>> parse_value(Param("aging", True), "false")
    False
    """
    if param.default is None and param.choices is None:
        raise InputError(f"{param.name} is set from Python only (such as a function), not on the command line")
    kind = param.kind
    if param.choices is not None and text not in [str(c) for c in param.choices]:
        raise InputError(f"{param.name} must be one of: {', '.join(map(str, param.choices))}, got {text!r}")
    if kind is bool:
        if text.lower() not in ("true", "false"):
            raise InputError(f"{param.name} must be true or false, got {text!r}")
        return text.lower() == "true"
    try:
        return kind(text)
    except ValueError:
        raise InputError(f"{param.name} must be {'an integer' if kind is int else 'a number'}, "
                         f"got {text!r}") from None


def observing() -> list[str]:
    """The registered strategies that can learn from evaluations they did not ask for
    (`Strategy.observe`), so a `WarmStart` can start them (lesson 12)."""
    return [name for name, entry in REGISTRY.items() if entry.cls.observes]
