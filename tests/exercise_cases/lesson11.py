"""Wrong answers to lesson 11's exercises (see tests/exercise_cases/__init__.py)."""
from __future__ import annotations

import numpy as np

from nastutor.exercises.lesson11 import hypervolume_2d, mnasnet_pick


# -- q1: dominance ----------------------------------------------------------------------------------

def _weak(a, b):                      # forgets "strictly better on one": equal points dominate
    return bool(a[0] >= b[0] and a[1] <= b[1])


def _strict_both(a, b):               # strictly better on both: misses ties on one objective
    return bool(a[0] > b[0] and a[1] < b[1])


def _latency_up(a, b):                # treats latency as better when higher
    return bool(a[0] >= b[0] and a[1] >= b[1] and (a[0] > b[0] or a[1] > b[1]))


def _either(a, b):                    # better on either objective
    return bool(a[0] > b[0] or a[1] < b[1])


def _accuracy_only(a, b):
    return bool(a[0] > b[0])


def _swapped(a, b):                   # b dominates a
    return bool(b[0] >= a[0] and b[1] <= a[1] and (b[0] > a[0] or b[1] < a[1]))


def _as_int(a, b):
    return int(a[0] >= b[0] and a[1] <= b[1] and (a[0] > b[0] or a[1] < b[1]))


def _as_text(a, b):
    return str(a[0] >= b[0] and a[1] <= b[1] and (a[0] > b[0] or a[1] < b[1]))


# -- q2: hypervolume --------------------------------------------------------------------------------

def _sum_of_rectangles(points, reference):      # overlapping rectangles counted more than once
    return float(sum((acc - reference[0]) * (reference[1] - lat)
                     for acc, lat in points if acc > reference[0] and lat < reference[1]))


def _largest_rectangle(points, reference):
    return float(max([(acc - reference[0]) * (reference[1] - lat)
                      for acc, lat in points if acc > reference[0] and lat < reference[1]] or [0.0]))


def _no_clipping(points, reference):            # points outside the box add (or subtract) area
    acc_ref, lat_ref = reference
    inside = sorted((lat, acc) for acc, lat in points)
    area, best = 0.0, acc_ref
    for k, (lat, acc) in enumerate(inside):
        best = max(best, acc)
        right = inside[k + 1][0] if k + 1 < len(inside) else lat_ref
        area += (right - lat) * (best - acc_ref)
    return area


def _staircase_wrong_way(points, reference):    # heights from the next point instead of the best so far
    acc_ref, lat_ref = reference
    inside = sorted((lat, acc) for acc, lat in points if acc > acc_ref and lat < lat_ref)
    area = 0.0
    for k, (lat, acc) in enumerate(inside):
        right = inside[k + 1][0] if k + 1 < len(inside) else lat_ref
        area += (right - lat) * (acc - acc_ref)
    return area


def _box(points, reference):                    # the bounding box of the front, not the staircase
    p = np.asarray(points, dtype=float)
    keep = p[(p[:, 0] > reference[0]) & (p[:, 1] < reference[1])]
    if not len(keep):
        return 0.0
    return float((keep[:, 0].max() - reference[0]) * (reference[1] - keep[:, 1].min()))


# -- q3: MnasNet's pick -----------------------------------------------------------------------------

def _most_accurate(accuracy, latency, target, w=-0.07, hard=False):
    return int(np.argmax(accuracy))


def _positive_w(accuracy, latency, target, w=-0.07, hard=False):     # rewards slowness
    return mnasnet_pick(accuracy, latency, target, -w, hard)


def _inverted_ratio(accuracy, latency, target, w=-0.07, hard=False):
    exponent = np.where(latency <= target, 0.0, -1.0) if hard else w
    return int(np.argmax(accuracy * (target / latency) ** exponent))


def _argmin(accuracy, latency, target, w=-0.07, hard=False):
    exponent = np.where(latency <= target, 0.0, -1.0) if hard else w
    return int(np.argmin(accuracy * (latency / target) ** exponent))


def _reward_value(accuracy, latency, target, w=-0.07, hard=False):
    exponent = np.where(latency <= target, 0.0, -1.0) if hard else w
    return float(np.max(accuracy * (latency / target) ** exponent))


def _ignores_hard(accuracy, latency, target, w=-0.07, hard=False):
    return mnasnet_pick(accuracy, latency, target, w)


def _filter_only(accuracy, latency, target, w=-0.07, hard=False):     # hard as a filter: drops every cell above T
    if not hard:
        return mnasnet_pick(accuracy, latency, target, w)
    masked = np.where(latency <= target, accuracy, -np.inf)
    return int(np.argmax(masked))


WRONG = {
    "q1": [_weak, _strict_both, _latency_up, _either, _accuracy_only, _swapped,
           _as_int, _as_text],
    "q2": [_sum_of_rectangles, _largest_rectangle, _no_clipping, _staircase_wrong_way, _box,
           lambda points, reference: -hypervolume_2d(points, reference),
           lambda points, reference: str(hypervolume_2d(points, reference))],
    "q3": [_most_accurate, _positive_w, _inverted_ratio, _argmin, _reward_value, _ignores_hard, _filter_only,
           lambda accuracy, latency, target, w=-0.07, hard=False: None],
    # "predict, then run": the other letters, and answers that are not one of the letters
    "p1": ["a", "c", 0.6],
    "p2": ["a", "b", 19],
    "p3": ["b", "c", "pareto"],
}
