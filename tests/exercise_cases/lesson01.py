"""Wrong answers to lesson 01's exercises (see tests/exercise_cases/__init__.py)."""
from __future__ import annotations

import numpy as np
import torch

from nastutor.exercises.lesson01 import seed_std, val_accuracy


def _on_train(model, data):
    with torch.no_grad():
        predicted = model(torch.tensor(data.x_train)).argmax(dim=1).numpy()
    return float((predicted == data.y_train).mean())


def _on_test(model, data):
    with torch.no_grad():
        predicted = model(torch.tensor(data.x_test)).argmax(dim=1).numpy()
    return float((predicted == data.y_test).mean())


WRONG = {
    "q1": [lambda f: f.loc[f["test_accuracy"].idxmax(), "arch"],         # chose on test
           lambda f: f.loc[f["val_accuracy"].idxmin(), "arch"],          # the worst
           lambda f: f["arch"][int(np.argmax(f["val_accuracy"].to_numpy()))],  # position used as a label
           lambda f: int(f["val_accuracy"].idxmax()),                    # the row label, not the string
           lambda f: f["arch"].iloc[0]],
    "q2": [lambda b, a: float(np.std(b.val[b.index(b.space.parse(a)), :, -1])),        # ddof=0
           lambda b, a: float(np.std(b.test[b.index(b.space.parse(a)), :, -1], ddof=1)),  # test
           lambda b, a: float(np.std(b.val[b.index(b.space.parse(a)), 0, :], ddof=1)),  # over epochs
           lambda b, a: None,                                              # forgot return
           lambda b, a: str(seed_std(b, a)),                               # a string (issue 20)
           lambda b, a: f"{seed_std(b, a):.4f}",
           lambda b, a: round(seed_std(b, a), 3),                          # rounded
           lambda b, a: float(np.std(b.val[b.index(b.space.parse(a)), :0, -1], ddof=1)),   # NaN
           lambda b, a: True],
    "q3": [_on_train, _on_test, lambda m, d: 100 * val_accuracy(m, d), lambda m, d: None,
           lambda m, d: str(val_accuracy(m, d)), lambda m, d: round(val_accuracy(m, d), 2),
           lambda m, d: [val_accuracy(m, d)]],
    "p1": ["a", "c", "d", 0],                 # the other options; answers that are not a letter
    "p2": ["a", "b", "yes"],
}
