"""Wrong answers to lesson 10's exercises (see tests/exercise_cases/__init__.py)."""
from __future__ import annotations

import numpy as np
import torch
from scipy import stats

from nastutor.exercises.lesson10 import partial_spearman, snip_score, spearman


# -- q1: SNIP ----------------------------------------------------------------------------------------

def _weights(model):
    return [m.weight for m in model.modules() if isinstance(m, (torch.nn.Conv1d, torch.nn.Linear))]


def _grads(model, x, y, reduction="mean"):
    weights = _weights(model)
    loss = torch.nn.functional.cross_entropy(model(x), y, reduction=reduction)
    return weights, torch.autograd.grad(loss, weights)


def _no_abs(model, x, y):
    weights, grads = _grads(model, x, y)
    return float(sum((w.detach() * g).sum() for w, g in zip(weights, grads)))


def _grad_norm(model, x, y):
    weights, grads = _grads(model, x, y)
    return float(sum(g.norm() for g in grads))


def _summed_loss(model, x, y):
    weights, grads = _grads(model, x, y, reduction="sum")
    return float(sum((w.detach() * g).abs().sum() for w, g in zip(weights, grads)))


def _gradients_only(model, x, y):
    weights, grads = _grads(model, x, y)
    return float(sum(g.abs().sum() for g in grads))


def _linear_only(model, x, y):
    weights = [m.weight for m in model.modules() if isinstance(m, torch.nn.Linear)]
    loss = torch.nn.functional.cross_entropy(model(x), y)
    grads = torch.autograd.grad(loss, weights)
    return float(sum((w.detach() * g).abs().sum() for w, g in zip(weights, grads)))


def _all_parameters(model, x, y):
    params = [p for p in model.parameters() if p.requires_grad]
    loss = torch.nn.functional.cross_entropy(model(x), y)
    grads = torch.autograd.grad(loss, params, allow_unused=True)
    return float(sum((p.detach() * g).abs().sum() for p, g in zip(params, grads) if g is not None))


# -- q2: Spearman ---------------------------------------------------------------------------------------

def _pearson(a, b):
    return float(np.corrcoef(a, b)[0, 1])


def _ordinal_ranks(a, b):
    ra, rb = np.argsort(np.argsort(a, kind="stable")), np.argsort(np.argsort(b, kind="stable"))
    return float(np.corrcoef(ra, rb)[0, 1])


def _argsort_once(a, b):
    return float(np.corrcoef(np.argsort(a), np.argsort(b))[0, 1])


def _kendall(a, b):
    n = len(a)
    s = sum(np.sign(a[i] - a[j]) * np.sign(b[i] - b[j]) for i in range(n) for j in range(i + 1, min(n, i + 30)))
    return float(s) / max(1, n)


# -- q3: partial correlation ---------------------------------------------------------------------------

def _plain(score, truth, size):
    return spearman(score, truth)


def _values_not_ranks(score, truth, size):
    design = np.column_stack([np.ones(len(size)), size])
    res = [v - design @ np.linalg.lstsq(design, v, rcond=None)[0] for v in (score, truth)]
    return float(np.corrcoef(res[0], res[1])[0, 1])


def _no_intercept(score, truth, size):
    r = [stats.rankdata(v) for v in (score, truth, size)]
    design = r[2][:, None]
    res = [v - design @ np.linalg.lstsq(design, v, rcond=None)[0] for v in r[:2]]
    return float(np.corrcoef(res[0], res[1])[0, 1])


def _only_score_residual(score, truth, size):
    r = [stats.rankdata(v) for v in (score, truth, size)]
    design = np.column_stack([np.ones(len(r[2])), r[2]])
    res = r[0] - design @ np.linalg.lstsq(design, r[0], rcond=None)[0]
    return float(np.corrcoef(res, r[1])[0, 1])


def _difference(score, truth, size):
    return spearman(score, truth) - spearman(size, truth)


WRONG = {
    "q1": [_no_abs, _grad_norm, _summed_loss, _gradients_only, _linear_only, _all_parameters,
           lambda model, x, y: str(snip_score(model, x, y)), lambda model, x, y: None],
    "q2": [_pearson, _ordinal_ranks, _argsort_once, _kendall, lambda a, b: -spearman(a, b),
           lambda a, b: round(spearman(a, b), 2)],
    "q3": [_plain, _values_not_ranks, _no_intercept, _only_score_residual, _difference,
           lambda score, truth, size: partial_spearman(truth, size, score)],
    # "predict, then run": the other letters, and answers that are not one of the letters
    "p1": ["a", "b", "naswot"],
    "p2": ["a", "c", "params"],
}
