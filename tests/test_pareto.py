"""Pareto fronts, non-dominated sorting, crowding and hypervolume (issue 17, lesson 11), each
checked against a brute-force oracle written here from the definitions."""
import itertools

import numpy as np
import pytest
from matplotlib.figure import Figure

from nastutor.checks import InputError
from nastutor.pareto import (as_points, crowding_distance, dominates, hypervolume, hypervolume_trace,
                             nondominated_rank, pareto_front, plot_front)

DIRECTIONS = list(itertools.product((True, False), repeat=2))


def brute_dominates(a, b, maximize) -> bool:
    """The definition, one objective at a time."""
    better_or_equal = all((x >= y) if m else (x <= y) for x, y, m in zip(a, b, maximize))
    strictly = any((x > y) if m else (x < y) for x, y, m in zip(a, b, maximize))
    return better_or_equal and strictly


def brute_front(points, maximize) -> list[int]:
    """O(n^2): every point that no other point dominates."""
    return [i for i, p in enumerate(points) if not any(brute_dominates(q, p, maximize) for q in points)]


def random_points(seed: int, n: int, dims: int = 2, ties: bool = True) -> np.ndarray:
    rng = np.random.default_rng(seed)
    # small integers force ties and duplicates, the cases a sweep gets wrong
    return rng.integers(0, 6, size=(n, dims)).astype(float) if ties else rng.random((n, dims))


def brute_hypervolume(points, reference, maximize) -> float:
    """Exact, by coordinate compression: the grid of every coordinate (and the reference) splits
    the plane into cells; a cell counts when some point dominates its far corner."""
    pts = np.asarray(points, float)
    sign = np.where(maximize, -1.0, 1.0)  # minimise everything
    pts, ref = pts * sign, np.asarray(reference, float) * sign
    xs = np.unique(np.append(pts[:, 0], ref[0]))
    ys = np.unique(np.append(pts[:, 1], ref[1]))
    area = 0.0
    for x0, x1 in zip(xs[:-1], xs[1:]):
        for y0, y1 in zip(ys[:-1], ys[1:]):
            if x1 <= ref[0] and y1 <= ref[1] and ((pts[:, 0] <= x0) & (pts[:, 1] <= y0)).any():
                area += (x1 - x0) * (y1 - y0)
    return area


# -- dominance and the front --------------------------------------------------------------------

def test_dominates_follows_the_definition():
    assert dominates((0.9, 1.0), (0.8, 1.0)) and dominates((0.9, 1.0), (0.9, 2.0))
    assert not dominates((0.9, 1.0), (0.9, 1.0))  # equal: neither dominates
    assert not dominates((0.9, 2.0), (0.8, 1.0)) and not dominates((0.8, 1.0), (0.9, 2.0))  # a trade-off
    assert dominates((0.8, 2.0), (0.9, 1.0), maximize=(False, True))
    for seed in range(20):
        a, b = random_points(seed, 2, dims=3)
        for maximize in itertools.product((True, False), repeat=3):
            assert dominates(a, b, maximize) == brute_dominates(a, b, maximize)


@pytest.mark.parametrize("maximize", DIRECTIONS)
@pytest.mark.parametrize("seed", range(15))
def test_the_front_matches_the_brute_force_front(seed, maximize):
    for points in (random_points(seed, 40), random_points(seed, 60, ties=False), random_points(seed, 1)):
        assert pareto_front(points, maximize).tolist() == brute_front(points.tolist(), maximize)


@pytest.mark.parametrize("seed", range(5))
def test_the_front_of_three_objectives_matches_the_brute_force_front(seed):
    points = random_points(seed, 50, dims=3)
    maximize = (True, False, True)
    assert pareto_front(points, maximize).tolist() == brute_front(points.tolist(), maximize)


def test_duplicates_stay_on_the_front_and_an_empty_set_has_none():
    assert pareto_front([(0.9, 1.0), (0.9, 1.0), (0.8, 2.0)]).tolist() == [0, 1]
    assert pareto_front(np.zeros((0, 2))).tolist() == []


@pytest.mark.parametrize("seed", range(10))
def test_nondominated_sorting_peels_fronts(seed):
    points = random_points(seed, 50)
    rank = nondominated_rank(points)
    left = list(range(len(points)))
    level = 0
    while left:  # the definition: front 0, then the front of what is left, ...
        front = [left[i] for i in brute_front(points[left].tolist(), (True, False))]
        assert sorted(np.flatnonzero(rank == level).tolist()) == sorted(front)
        left = [i for i in left if i not in front]
        level += 1


def brute_crowding(points) -> list[float]:
    """Deb et al. (2002), written out: per objective, sort, the ends get infinity, the others the
    gap between their neighbours over the objective's range."""
    n, dims = len(points), len(points[0])
    distance = [0.0] * n
    for k in range(dims):
        order = sorted(range(n), key=lambda i: (points[i][k], i))
        low, high = points[order[0]][k], points[order[-1]][k]
        distance[order[0]] = distance[order[-1]] = float("inf")
        for position in range(1, n - 1):
            i = order[position]
            if high > low:
                distance[i] += (points[order[position + 1]][k] - points[order[position - 1]][k]) / (high - low)
    return distance


@pytest.mark.parametrize("seed", range(10))
def test_crowding_distance_matches_its_definition(seed):
    points = random_points(seed, 12, ties=False)
    assert crowding_distance(points) == pytest.approx(brute_crowding(points.tolist()))
    assert np.isinf(crowding_distance(points[:2])).all()


# -- hypervolume ------------------------------------------------------------------------------------

@pytest.mark.parametrize("maximize", DIRECTIONS)
@pytest.mark.parametrize("seed", range(15))
def test_hypervolume_matches_the_exact_grid_oracle(seed, maximize):
    points = random_points(seed, 25) if seed % 2 else random_points(seed, 25, ties=False)
    # a reference worse than most points on both objectives, some points beyond it
    low, high = points.min(axis=0), points.max(axis=0)
    reference = [lo + 0.1 * (hi - lo) if m else hi - 0.1 * (hi - lo) for lo, hi, m in zip(low, high, maximize)]
    assert hypervolume(points, reference, maximize) == pytest.approx(brute_hypervolume(points, reference, maximize))


def test_hypervolume_agrees_with_monte_carlo():
    rng = np.random.default_rng(0)
    points = rng.random((30, 2)) * (1, 5)  # accuracy in [0, 1], latency in [0, 5] ms
    reference = (0.0, 5.0)
    samples = rng.random((200_000, 2)) * (1, 5)
    covered = ((points[None, :, 0] >= samples[:, None, 0]) & (points[None, :, 1] <= samples[:, None, 1])).any(axis=1)
    estimate = covered.mean() * 5.0
    assert hypervolume(points, reference) == pytest.approx(estimate, abs=4 * np.sqrt(estimate * (5 - estimate) / 200_000))


def test_hypervolume_closed_forms_and_invariances():
    assert hypervolume([(0.9, 1.0)], (0.5, 3.0)) == pytest.approx(0.4 * 2.0)
    assert hypervolume([(0.4, 1.0), (0.9, 4.0)], (0.5, 3.0)) == 0.0  # each beyond the reference on one objective
    assert hypervolume(np.zeros((0, 2)), (0.5, 3.0)) == 0.0
    points = random_points(3, 30, ties=False)
    reference = (0.0, 1.0)
    base = hypervolume(points, reference)
    assert hypervolume(points[::-1], reference) == pytest.approx(base)  # order does not matter
    dominated = points[pareto_front(points)][0] * (0.5, 1)  # lower accuracy, same latency
    assert hypervolume(np.vstack([points, dominated]), reference) == pytest.approx(base)
    assert hypervolume(points[pareto_front(points)], reference) == pytest.approx(base)  # only the front counts


def test_the_trace_is_the_hypervolume_of_each_prefix():
    points = random_points(4, 40, ties=True)
    reference = (-1.0, 7.0)
    trace = hypervolume_trace(points, reference)
    assert trace == pytest.approx([brute_hypervolume(points[: i + 1], reference, (True, False))
                                   for i in range(len(points))])
    assert (np.diff(trace) >= 0).all()


# -- inputs and the plot ------------------------------------------------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: pareto_front([(0.9, np.nan)]), "finite"),
    (lambda: pareto_front([(0.9, 1.0, 2.0)]), r"shape \(n, 2\)"),
    (lambda: pareto_front("points"), "list of"),
    (lambda: pareto_front([(0.9, 1.0)], maximize=(True,)), r"shape \(n, 1\)"),
    (lambda: pareto_front([(0.9, 1.0)], maximize="max"), "tuple of booleans"),
    (lambda: hypervolume([(0.9, 1.0)], reference=(0.5,)), "reference must be 2 finite numbers"),
    (lambda: hypervolume([(0.9, 1.0, 1.0)], (0, 0, 0), maximize=(True, False, False)), "two objectives"),
    (lambda: dominates((0.9, 1.0), (0.9,)), "list of"),
    (lambda: plot_front([(0.9, 1.0)], ax="left"), "ax must be a matplotlib Axes"),
    (lambda: plot_front([(0.9, 1.0)], searches=[(0.9, 1.0)]), "searches must map"),
])
def test_bad_input_names_what_is_allowed(call, message):
    with pytest.raises(InputError, match=message):
        call()


def test_as_points_reads_lists_and_arrays():
    assert as_points([(1, 2), (3, 4)]).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert as_points([]).shape == (0, 2)


def test_plot_front_draws_points_front_area_and_searches():
    points = random_points(5, 30, ties=False) * (1, 3)
    fig = plot_front(points, reference=(0.0, 3.0), searches={"random": points[:5], "evolution": points[5:9]})
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["all points", "Pareto front", "hypervolume", "random", "evolution"]
    front = points[pareto_front(points)]
    step = ax.get_lines()[0]
    assert sorted(step.get_xdata()) == sorted(front[:, 1])  # latency on x, the front's points
    assert ax.get_xlabel() == "latency (ms)" and ax.get_ylabel() == "validation accuracy"
