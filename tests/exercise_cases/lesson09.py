"""Wrong answers to lesson 09's exercises (see tests/exercise_cases/__init__.py)."""
from __future__ import annotations

import numpy as np
from scipy import stats

from nastutor.exercises.lesson09 import derive_cell, every_cell_seconds, kendall_tau, mixed_operation, supernet_run
from nastutor.exercises._shared import benchmark
from nastutor.oneshot import OPS


# -- q1: the mixed operation ---------------------------------------------------------------------

def _raw_alpha(alpha, outputs):
    return sum(alpha[k] * outputs[k] for k in range(4))


def _softmax_without_none(alpha, outputs):
    w = np.exp(alpha[1:]) / np.exp(alpha[1:]).sum()
    return sum(w[k - 1] * outputs[k] for k in range(1, 4))


def _argmax_only(alpha, outputs):
    return np.asarray(outputs[int(np.argmax(alpha))])


def _plain_mean(alpha, outputs):
    return sum(outputs) / 4


def _normalised_not_softmax(alpha, outputs):
    w = np.abs(alpha) / max(np.abs(alpha).sum(), 1e-12)
    return sum(w[k] * outputs[k] for k in range(4))


def _list_of_terms(alpha, outputs):
    w = np.exp(alpha) / np.exp(alpha).sum()
    return [w[k] * outputs[k] for k in range(4)]


# -- q2: Kendall's tau -----------------------------------------------------------------------------

def _spearman(x, y):
    return float(np.corrcoef(stats.rankdata(x), stats.rankdata(y))[0, 1])


def _pearson(x, y):
    return float(np.corrcoef(x, y)[0, 1])


def _concordant_share(x, y):
    n = len(x)
    c = sum(np.sign(x[i] - x[j]) * np.sign(y[i] - y[j]) > 0 for i in range(n) for j in range(i + 1, n))
    return c / (n * (n - 1) / 2)


def _all_ordered_pairs(x, y):
    n = len(x)
    s = sum(np.sign(x[i] - x[j]) * np.sign(y[i] - y[j]) for i in range(n) for j in range(n))
    return s / (n * n)


def _unnormalised(x, y):
    return kendall_tau(x, y) * len(x) * (len(x) - 1) / 2


# -- q3: the derived cell ----------------------------------------------------------------------------

def _without_none(alpha):
    return tuple(OPS[1 + k] for k in np.argmax(np.asarray(alpha)[:, 1:], axis=1))


def _argmin(alpha):
    return tuple(OPS[k] for k in np.argmin(alpha, axis=1))


def _positions(alpha):
    return tuple(int(k) for k in np.argmax(alpha, axis=1))


def _wrong_axis(alpha):
    return tuple(OPS[k % 4] for k in np.argmax(alpha, axis=0))


def _as_string(alpha):
    return "|".join(derive_cell(alpha))


def _shifted(alpha):
    return tuple(OPS[(k + 1) % 4] for k in np.argmax(alpha, axis=1))


def _every_seed():
    return float(benchmark().cumulative_seconds[:, :, -1].sum())


WRONG = {
    "q1": [_raw_alpha, _softmax_without_none, _argmax_only, _plain_mean, _normalised_not_softmax, _list_of_terms,
           lambda alpha, outputs: float(np.sum(mixed_operation(alpha, outputs)))],
    "q2": [_spearman, _pearson, _concordant_share, _all_ordered_pairs, _unnormalised,
           lambda x, y: -kendall_tau(x, y), lambda x, y: str(kendall_tau(x, y))],
    "q3": [_without_none, _argmin, _positions, _wrong_axis, _as_string, _shifted,
           lambda alpha: derive_cell(alpha)[::-1]],
    # the ratio inverted, every seed's training counted, one epoch instead of a whole training
    "q4": lambda: [supernet_run().seconds / every_cell_seconds(), _every_seed() / supernet_run().seconds,
                   every_cell_seconds() / supernet_run().seconds / 12],
    # "predict, then run": the other letters, and answers that are not one of the letters
    "p1": ["a", "c", 0.3],
    "p2": ["a", "b", "half"],
}
