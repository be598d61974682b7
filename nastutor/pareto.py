"""Pareto fronts: which architectures are worth keeping when two objectives pull apart.

Taught in lesson 11 (hardware-aware NAS). With accuracy (up) and latency (down), architecture `a`
**dominates** `b` when it is at least as good on both and strictly better on one; the **Pareto
front** is the set that nothing dominates. The **hypervolume** of a set of points is the area that
its front dominates, bounded by a reference point that is worse than every point of interest: one
number that grows when the front moves out or fills in, which is how multi-objective searches are
compared. NSGA-II (Deb et al., 2002) ranks a population by **non-dominated sorting** (front 0, then
the front of what remains, ...) and breaks ties by the **crowding distance** (prefer points in
sparse stretches of their front).

    >>> points = [(0.90, 2.0), (0.95, 3.0), (0.85, 2.5), (0.95, 4.0)]    # (accuracy, latency ms)
    >>> pareto_front(points).tolist()                                     # the default: accuracy up, latency down
    [0, 1]
    >>> dominates((0.95, 3.0), (0.95, 4.0)), dominates((0.90, 2.0), (0.95, 3.0))
    (True, False)
    >>> round(hypervolume(points, reference=(0.80, 5.0)), 4)              # 0.1 * 3 + 0.05 * 2
    0.4
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .checks import InputError

if TYPE_CHECKING:  # only for the type hints: the math above never loads matplotlib
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["ACCURACY_UP_LATENCY_DOWN", "as_points", "dominates", "pareto_front", "nondominated_rank",
           "crowding_distance", "hypervolume", "hypervolume_trace", "plot_front"]

#: The default directions: the first objective (accuracy) is maximised, the second (latency) minimised.
ACCURACY_UP_LATENCY_DOWN = (True, False)


def _check_maximize(maximize: object, dims: int | None = None) -> tuple[bool, ...]:
    if (isinstance(maximize, (str, bytes)) or not isinstance(maximize, Sequence) or not maximize
            or not all(isinstance(m, (bool, np.bool_)) for m in maximize)):
        raise InputError(f"maximize must be a tuple of booleans, one per objective, such as (True, False) for "
                         f"accuracy up and latency down, got {maximize!r}")
    if dims is not None and len(maximize) != dims:
        raise InputError(f"maximize has {len(maximize)} directions but the points have {dims} objectives; "
                         "give one True (maximise) or False (minimise) per objective")
    return tuple(bool(m) for m in maximize)


def as_points(points: object, maximize: Sequence[bool] = ACCURACY_UP_LATENCY_DOWN, name: str = "points") -> np.ndarray:
    """`points` as a float array of shape (n, objectives), checked: finite numbers, one column per
    entry of `maximize`. A list of pairs, an (n, 2) array or a DataFrame's two columns all work.

        >>> as_points([(0.9, 2), (0.8, 1)]).shape
        (2, 2)
    """
    maximize = _check_maximize(maximize)
    try:
        array = np.asarray(points, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a list of (objective, ...) tuples or an (n, {len(maximize)}) array of "
                         f"numbers, got {points!r:.80}") from None
    if array.ndim == 1 and array.size == 0:
        array = array.reshape(0, len(maximize))
    if array.ndim != 2 or array.shape[1] != len(maximize):
        raise InputError(f"{name} must have shape (n, {len(maximize)}): one row per point, one column per "
                         f"objective ({len(maximize)} directions in maximize), got shape {array.shape}")
    if not np.isfinite(array).all():
        raise InputError(f"{name} must be finite numbers (no NaN or infinity): a failed evaluation has no place "
                         "on a front")
    return array


def _minimised(points: object, maximize: Sequence[bool], name: str = "points") -> np.ndarray:
    """The points with every maximised objective negated, so that smaller is better everywhere."""
    maximize = _check_maximize(maximize)
    array = as_points(points, maximize, name)
    return np.where(np.array(maximize), -array, array)


def dominates(a: Sequence[float], b: Sequence[float], maximize: Sequence[bool] = ACCURACY_UP_LATENCY_DOWN) -> bool:
    """True when `a` is at least as good as `b` on every objective and strictly better on one.

        >>> dominates((0.97, 2.0), (0.95, 2.0)), dominates((0.97, 2.0), (0.97, 2.0))
        (True, False)
    """
    pair = _minimised([a, b], maximize, "a and b")
    return bool((pair[0] <= pair[1]).all() and (pair[0] < pair[1]).any())


def pareto_front(points: object, maximize: Sequence[bool] = ACCURACY_UP_LATENCY_DOWN) -> np.ndarray:
    """The indices (ascending) of the points that no other point dominates. Equal points do not
    dominate each other: both stay. Two objectives are swept in O(n log n): sorted by the first
    objective, a point is on the front when it beats the best second objective seen so far; more
    objectives are compared pairwise.

        >>> pareto_front([(0.9, 1.0), (0.9, 1.0), (0.8, 2.0)]).tolist()
        [0, 1]
    """
    cost = _minimised(points, maximize)
    if len(cost) == 0:
        return np.zeros(0, dtype=int)
    unique, inverse = np.unique(cost, axis=0, return_inverse=True)  # sorted lexicographically
    inverse = inverse.ravel()
    if cost.shape[1] == 2:
        # among distinct points sorted by (first, second), an earlier point is at least as good on the
        # first objective: it dominates a later one exactly when it is also at least as good on the second
        best_before = np.minimum.accumulate(np.concatenate([[np.inf], unique[:-1, 1]]))
        on_front = unique[:, 1] < best_before
    else:
        on_front = np.array([not ((unique <= u).all(axis=1) & (unique < u).any(axis=1)).any() for u in unique])
    return np.flatnonzero(on_front[inverse])


def nondominated_rank(points: object, maximize: Sequence[bool] = ACCURACY_UP_LATENCY_DOWN) -> np.ndarray:
    """NSGA-II's non-dominated sorting: 0 for the Pareto front, 1 for the front of what is left
    once it is removed, and so on. Lower is better.

        >>> nondominated_rank([(0.9, 1.0), (0.8, 2.0), (0.95, 2.0)]).tolist()
        [0, 1, 0]
    """
    array = as_points(points, maximize)
    rank = np.full(len(array), -1)
    left = np.arange(len(array))
    level = 0
    while len(left):
        front = left[pareto_front(array[left], maximize)]
        rank[front] = level
        left = np.setdiff1d(left, front)
        level += 1
    return rank


def crowding_distance(points: object, maximize: Sequence[bool] = ACCURACY_UP_LATENCY_DOWN) -> np.ndarray:
    """NSGA-II's crowding distance of each point among `points` (usually one front): per objective,
    the gap between its two neighbours in that objective's order, divided by the objective's range,
    summed over objectives; the two ends of each objective get infinity (always kept). Larger means
    a sparser stretch of the front. The directions do not change it (`maximize` only sets the
    number of objectives).

        >>> crowding_distance([(0.80, 1.0), (0.90, 2.0), (0.95, 4.0)]).tolist()   # 0.15/0.15 + 3/3
        [inf, 2.0, inf]
    """
    array = as_points(points, maximize)
    n = len(array)
    distance = np.zeros(n)
    if n <= 2:
        return np.full(n, np.inf)
    for column in array.T:
        order = np.argsort(column, kind="stable")
        span = column[order[-1]] - column[order[0]]
        distance[order[0]] = distance[order[-1]] = np.inf
        if span > 0:
            distance[order[1:-1]] += (column[order[2:]] - column[order[:-2]]) / span
    return distance


def _check_reference(reference: object, maximize: Sequence[bool]) -> np.ndarray:
    try:
        ref = np.asarray(reference, dtype=float)
    except (TypeError, ValueError):
        ref = np.zeros(0)
    if ref.shape != (len(maximize),) or not np.isfinite(ref).all():
        raise InputError(f"reference must be {len(maximize)} finite numbers, a point worse than every point of "
                         f"interest (such as (0.0, the largest latency)), got {reference!r}")
    return ref


def hypervolume(points: object, reference: Sequence[float],
                maximize: Sequence[bool] = ACCURACY_UP_LATENCY_DOWN) -> float:
    """The area (two objectives) dominated by the points and bounded by `reference`: the union
    of the rectangles spanned by each point and the reference point. Points that are not
    strictly better than the reference on both objectives add nothing. Exact, by a sweep along
    the front.

        >>> hypervolume([(0.9, 1.0)], reference=(0.5, 3.0))       # one rectangle: 0.4 x 2
        0.8
        >>> hypervolume([(0.9, 1.0), (0.7, 1.5)], reference=(0.5, 3.0)) == 0.8   # dominated: no area
        True
    """
    maximize = _check_maximize(maximize)
    if len(maximize) != 2:
        raise InputError(f"hypervolume is computed for two objectives (accuracy and latency); maximize has "
                         f"{len(maximize)}")
    ref = _check_reference(reference, maximize)
    cost = _minimised(points, maximize)
    ref = np.where(np.array(maximize), -ref, ref)
    inside = cost[(cost < ref).all(axis=1)]
    if len(inside) == 0:
        return 0.0
    front = np.unique(inside[pareto_front(inside, (False, False))], axis=0)  # first ascending, second descending
    widths = np.diff(np.append(front[:, 0], ref[0]))
    return float(np.sum(widths * (ref[1] - front[:, 1])))


def hypervolume_trace(points: object, reference: Sequence[float],
                      maximize: Sequence[bool] = ACCURACY_UP_LATENCY_DOWN) -> np.ndarray:
    """The hypervolume of the first 1, 2, ..., n points (a search's points in the order it
    evaluated them): how the dominated area grows with the budget. It never decreases.

        >>> hypervolume_trace([(0.7, 1.0), (0.9, 1.0), (0.6, 2.0)], reference=(0.5, 3.0)).round(3).tolist()
        [0.4, 0.8, 0.8]
    """
    maximize = _check_maximize(maximize)
    ref = _check_reference(reference, maximize)
    cost = _minimised(points, maximize)
    front = np.zeros((0, len(maximize)))  # the front so far, minimised
    trace = np.zeros(len(cost))
    volume = 0.0
    for i, point in enumerate(cost):
        if not (front <= point).all(axis=1).any():  # neither dominated by nor equal to a front point
            front = np.vstack([front[~((point <= front).all(axis=1))], point])
            volume = hypervolume(front, ref * np.where(maximize, -1, 1), (False,) * len(maximize))
        trace[i] = volume
    return trace


def plot_front(points: object, maximize: Sequence[bool] = ACCURACY_UP_LATENCY_DOWN, *,
               searches: Mapping[str, object] | None = None, reference: Sequence[float] | None = None,
               labels: tuple[str, str] = ("validation accuracy", "latency (ms)"), ax: "Axes | None" = None,
               **scatter: Any) -> "Figure":
    """Every point in grey, the Pareto front as a red staircase (the boundary of the area it
    dominates), and each search's points (`searches`: name -> points) on top; with `reference`,
    the dominated area shaded. Latency is drawn on the x axis, accuracy on the y axis, as
    hardware-aware NAS papers draw it. Returns the figure (never shows it). Taught in lesson 11.

        >>> fig = plot_front([(0.9, 2.0), (0.95, 3.0), (0.85, 2.5)], reference=(0.8, 4.0))
        >>> fig.axes[0].get_xlabel()
        'latency (ms)'
    """
    from matplotlib.axes import Axes  # drawing is loaded by the one function that draws
    from matplotlib.figure import Figure

    maximize = _check_maximize(maximize)
    if len(maximize) != 2:
        raise InputError(f"plot_front draws two objectives; maximize has {len(maximize)}")
    array = as_points(points, maximize)
    if ax is not None and not isinstance(ax, Axes):
        raise InputError(f"ax must be a matplotlib Axes (such as one from plt.subplots()) or None, got {ax!r:.60}")
    if searches is not None and not isinstance(searches, Mapping):
        raise InputError(f"searches must map a search's name to its points, such as {{'random': points}}, "
                         f"got {type(searches).__name__}")
    if ax is None:
        fig = Figure(figsize=(6.0, 4.2), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    ax.scatter(array[:, 1], array[:, 0], s=10, color="lightgrey", label="all points", **scatter)
    front = array[pareto_front(array, maximize)]
    if len(front):
        # the staircase along the x axis (objective 2): between two front points, the best objective 1
        # reachable is the one of the point on the side that objective 2 prefers
        front = front[np.argsort(front[:, 1], kind="stable")]
        where = "pre" if maximize[1] else "post"
        ax.step(front[:, 1], front[:, 0], where=where, color="tab:red", lw=1.5, label="Pareto front")
        ax.scatter(front[:, 1], front[:, 0], s=22, color="tab:red", zorder=3)
        if reference is not None:
            ref = _check_reference(reference, maximize)
            inside = front[np.where(maximize, front > ref, front < ref).all(axis=1)]
            if len(inside):
                if maximize[1]:
                    xs, ys = np.insert(inside[:, 1], 0, ref[1]), np.insert(inside[:, 0], 0, inside[0, 0])
                else:
                    xs, ys = np.append(inside[:, 1], ref[1]), np.append(inside[:, 0], inside[-1, 0])
                ax.fill_between(xs, ys, ref[0], step=where, color="tab:red", alpha=0.12, label="hypervolume")
    for k, (name, found) in enumerate((searches or {}).items()):
        found = as_points(found, maximize, f"the points of search {name!r}")
        ax.scatter(found[:, 1], found[:, 0], s=18, marker="x", color=f"C{k % 10}", label=str(name), zorder=4)
    ax.set_xlabel(labels[1])
    ax.set_ylabel(labels[0])
    ax.legend(loc="best", fontsize="small")
    return fig
