"""`Evaluation`: the record of one scored architecture, shared by evaluators, strategies and logs.

Taught in lesson 03 (performance estimation). It lives in its own module so that strategies can
read evaluations without importing the evaluators that produce them.

    >>> e = Evaluation(arch=((64, "relu"),), val_accuracy=0.8, test_accuracy=0.79, cost=1.5, epochs=5, seed=0)
    >>> e.validate().val_accuracy
    0.8
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .checks import InputError, check_int, check_number, check_seed
from .spaces import Arch, SearchSpace

__all__ = ["Evaluation"]


@dataclass(frozen=True)
class Evaluation:
    """One scored architecture.

    `val_accuracy` is what a search optimises; `test_accuracy` is only reported.
    `cost` is the seconds this evaluation is charged: measured wall time when training live,
    recorded (simulated) time when looking up a benchmark. `step` is the number of the search's
    ask it answers (0, 1, ...), stamped by `run_search`: the ticket a strategy's `tell` finds its
    `ask` by (None outside a search). It is bookkeeping, not a result: equality ignores it.
    """

    arch: Arch
    val_accuracy: float
    test_accuracy: float
    cost: float
    epochs: int
    seed: int
    params: int | None = None
    curve: tuple[float, ...] = ()
    failed: bool = False
    error: str = ""
    step: int | None = field(default=None, compare=False)

    def to_dict(self, space: SearchSpace) -> dict[str, Any]:
        """A JSON-ready dict, with the architecture as its string form."""
        return {"arch": space.to_string(self.arch), "val_accuracy": self.val_accuracy,
                "test_accuracy": self.test_accuracy, "cost": self.cost, "epochs": self.epochs,
                "seed": self.seed, "params": self.params, "curve": list(self.curve),
                "failed": self.failed, "error": self.error,
                **({} if self.step is None else {"step": self.step})}

    @classmethod
    def from_dict(cls, record: dict[str, Any], space: SearchSpace, *,
                  max_epochs: int | None = None) -> "Evaluation":
        """Read back what `to_dict` wrote, checked by `validate` (a `ValueError` names the
        first wrong field): a log edited by hand or cut short is refused, never half-believed."""
        if not isinstance(record, dict):
            raise InputError(f"an evaluation record must be a JSON object, got {record!r}")
        missing = [key for key in _REQUIRED if key not in record]
        if missing:
            raise InputError(f"the evaluation record has no {missing[0]}")
        if not isinstance(record["arch"], str):
            raise InputError(f"arch must be an architecture's string form, got {record['arch']!r}")
        curve = record.get("curve", [])
        if not isinstance(curve, list):
            raise InputError(f"curve must be a list of accuracies, got {curve!r}")
        evaluation = cls(arch=space.parse(record["arch"]), val_accuracy=record["val_accuracy"],
                         test_accuracy=record["test_accuracy"], cost=record["cost"], epochs=record["epochs"],
                         seed=record["seed"], params=record.get("params"), curve=tuple(curve),
                         failed=record.get("failed", False), error=record.get("error", ""),
                         step=record.get("step"))
        return evaluation.validate(max_epochs)

    def validate(self, max_epochs: int | None = None) -> "Evaluation":
        """This evaluation with plain Python numbers, or a `ValueError` naming the first wrong
        field: accuracies (and the curve's) from 0 to 1, a finite cost >= 0, epochs from 1 to
        `max_epochs`, a seed from 0 to 2**63 - 1, params >= 0 or None, `failed` a bool, a step
        >= 0 or None."""
        epochs = check_int(self.epochs, "epochs", minimum=1, maximum=max_epochs)
        curve = tuple(_accuracy(value, "each value of curve") for value in self.curve)
        if len(curve) > epochs:
            raise InputError(f"curve has {len(curve)} values, more than its {epochs} epochs")
        if not isinstance(self.failed, (bool, np.bool_)):
            raise InputError(f"failed must be true or false, got {self.failed!r}")
        if not isinstance(self.error, str):
            raise InputError(f"error must be a string, got {self.error!r}")
        return replace(self, val_accuracy=_accuracy(self.val_accuracy, "val_accuracy"),
                       test_accuracy=_accuracy(self.test_accuracy, "test_accuracy"),
                       cost=check_number(self.cost, "cost", minimum=0.0), epochs=epochs,
                       seed=check_seed(self.seed),
                       params=None if self.params is None else check_int(self.params, "params", minimum=0),
                       curve=curve, failed=bool(self.failed),
                       step=None if self.step is None else check_int(self.step, "step", minimum=0))


_REQUIRED = ("arch", "val_accuracy", "test_accuracy", "cost", "epochs", "seed")


def _accuracy(value: object, name: str) -> float:
    """`value` as a float from 0 to 1, or an `InputError` naming `name`."""
    try:
        return check_number(value, name, minimum=0.0, maximum=1.0)
    except InputError:
        raise InputError(f"{name} must be an accuracy from 0 to 1, got {value!r}") from None
