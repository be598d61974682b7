"""Looking at the learner's code, not only at its answers: an exercise that says "implement X"
refuses code that calls the library function doing X, and a "write your own strategy" exercise
refuses nastutor's own strategy classes.

The code is read from its bytecode (`dis`), so it works for a function typed in a notebook cell,
for a lambda sharing a line with others, and for code made by `exec`; a learner's own helper
functions that the code calls are read too. Attribute names (`space.neighbors`, `stats.kendalltau`)
and global names (`from scipy.stats import kendalltau`) both count; a name the learner binds
locally does not.

    >>> from scipy import stats
    >>> called(lambda x, y: stats.kendalltau(x, y).statistic, {"kendalltau"})
    ['kendalltau']
    >>> called(lambda x, y: x + y, {"kendalltau"})
    []
"""
from __future__ import annotations

import dis
import inspect
import types
from pathlib import Path
from typing import Any, Iterable

from ._checking import Incorrect

__all__ = ["called", "forbid", "own_strategy"]

_PACKAGE = Path(__file__).resolve().parent.parent
_ATTRIBUTE = {"LOAD_ATTR", "LOAD_METHOD", "IMPORT_FROM", "IMPORT_NAME", "LOAD_SUPER_ATTR"}
_GLOBAL = {"LOAD_GLOBAL", "LOAD_NAME"}


def _is_learners(obj: Any) -> bool:
    """True for a function or class the learner wrote (a notebook cell, a script, a test), false
    for nastutor's and installed libraries' own code."""
    func = getattr(obj, "__func__", obj)
    code = getattr(func, "__code__", None)
    if code is None:
        return inspect.isclass(obj) and obj.__module__ not in ("builtins",) and not str(obj.__module__).startswith(
            ("nastutor.", "numpy", "scipy", "torch", "pandas"))
    path = Path(code.co_filename)
    if not path.is_absolute():          # "<string>" (exec), "<stdin>": the learner's
        return True
    return _PACKAGE not in path.resolve().parents and "-packages" not in str(path)


def _codes(code: types.CodeType) -> Iterable[types.CodeType]:
    """A code object and every code object nested in it (lambdas, comprehensions, inner functions)."""
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _functions(obj: Any) -> Iterable[Any]:
    """The functions to read in `obj`: itself, or every method of a class the learner wrote
    (and of the learner's own base classes)."""
    if inspect.isclass(obj):
        for klass in obj.__mro__:
            if klass is object or not _is_learners(klass):
                continue
            for value in vars(klass).values():
                value = getattr(value, "fget", value)            # properties
                value = getattr(value, "__func__", value)        # static and class methods
                if getattr(value, "__code__", None) is not None:
                    yield value
    elif getattr(getattr(obj, "__func__", obj), "__code__", None) is not None:
        yield getattr(obj, "__func__", obj)


def called(obj: Any, banned: set[str], *, _seen: set[int] | None = None) -> list[str]:
    """The names in `banned` that the learner's function or class `obj` uses (as an attribute,
    an imported name or a global that is not the learner's own), following the learner's own
    helper functions; sorted."""
    seen = set() if _seen is None else _seen
    hits: set[str] = set()
    for func in _functions(obj):
        if id(func) in seen or not _is_learners(func):
            continue
        seen.add(id(func))
        scope = getattr(func, "__globals__", {})
        for code in _codes(func.__code__):
            for ins in dis.get_instructions(code):
                name = ins.argval
                if not isinstance(name, str):
                    continue
                if ins.opname in _ATTRIBUTE and (name in banned or name.rsplit(".", 1)[-1] in banned):
                    hits.add(name.rsplit(".", 1)[-1])
                elif ins.opname in _GLOBAL:
                    target = scope.get(name)
                    if target is not None and _is_learners(target):
                        hits.update(called(target, banned, _seen=seen))     # the learner's helper
                    elif name in banned:
                        hits.add(name)
    return sorted(hits)


def forbid(obj: Any, banned: dict[str, str], exercise: str) -> None:
    """Raise `Incorrect`, kindly, when the learner's `obj` calls a function the exercise asks them
    to write themselves. `banned` maps a name to how the learner would know it, e.g.
    `{"kendalltau": "scipy.stats.kendalltau"}`; `exercise` says what to write."""
    hits = called(obj, set(banned))
    if hits:
        names = " and ".join(f"`{banned[h]}`" for h in hits)
        raise Incorrect(f"your code calls {names}. This exercise asks you to {exercise} yourself; "
                        f"{names} {'is' if len(hits) == 1 else 'are'} what you can check yours against afterwards")


def own_strategy(instance: Any, name: str) -> None:
    """Raise `Incorrect` unless `instance` comes from a class the learner wrote: not one of
    nastutor's own strategies, nor a subclass that inherits their search (only `nt.Strategy`, the
    interface, may be a base)."""
    for klass in type(instance).__mro__:
        module = str(getattr(klass, "__module__", ""))
        if module.startswith("nastutor.strategies") and klass.__name__ != "Strategy":
            what = (f"an instance of nastutor's own `nt.{klass.__name__}`" if klass is type(instance)
                    else f"a subclass of nastutor's own `nt.{klass.__name__}`")
            raise Incorrect(f"`{name}` gives {what}: this exercise asks you to write the strategy yourself, as "
                            f"`class {name}(nt.Strategy):` with your own `ask` (and `tell`); "
                            f"`nt.{klass.__name__}` is what you can compare it with afterwards")
