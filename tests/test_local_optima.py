"""Local optima and basins (nastutor.local_optima, lesson 08): checked on a landscape small enough to
read by eye, and on the shipped benchmarks against a brute-force look at every neighbour."""
import numpy as np
import pytest

from nastutor.benchmark import Benchmark
from nastutor.checks import InputError
from nastutor.local_optima import Landscape, basins
from nastutor.spaces import MLPSpace


def line(fitness):
    """Architectures on a line, each the neighbour of the next."""
    n = len(fitness)
    neighbours = tuple(np.array([j for j in (i - 1, i + 1) if 0 <= j < n]) for i in range(n))
    return Landscape(MLPSpace(), tuple(range(n)), np.asarray(fitness, dtype=float), neighbours)


def test_a_line_climbs_uphill_to_the_nearest_peak():
    scape = line([1, 3, 2, 4, 4, 0])
    assert scape.optima() == [1, 3, 4]                      # 3 and 4 tie: neither is strictly better
    assert [scape.climb(i) for i in range(6)] == [1, 1, 3, 3, 4, 4]
    assert scape.step(2) == 3                               # the steeper of the two uphill moves


@pytest.fixture(scope="module", params=["cell-mnist1d", "cell-digits", "mlp-mnist1d"])
def scape(request):
    return Landscape.of(Benchmark.load(request.param))


def test_an_optimum_has_no_strictly_better_neighbour_by_brute_force(scape):
    space, fitness = scape.space, scape.fitness
    index = {a: i for i, a in enumerate(scape.archs)}
    optima = set(scape.optima())
    for i in range(0, len(scape), 7):
        better = [n for n in space.neighbors(scape.archs[i]) if fitness[index[n]] > fitness[i]]
        assert (i in optima) == (not better)


def test_every_climb_ends_on_an_optimum_and_the_basins_cover_the_space(scape):
    table = basins(scape)
    optima = set(scape.optima())
    assert all(scape.climb(i) in optima for i in range(0, len(scape), 11))
    assert table["basin"].sum() == len(scape) and (table["basin"] >= 1).all()
    assert table["regret"].iloc[0] == 0 and (np.diff(table["fitness"]) <= 0).all()
    assert np.isclose(table["fitness"].iloc[0], scape.fitness.max())


def test_bad_input_names_what_is_allowed():
    with pytest.raises(InputError, match="Benchmark"):
        Landscape.of("cell-mnist1d")
    with pytest.raises(InputError, match="val_accuracy, test_accuracy"):
        Landscape.of(Benchmark.load("mlp-mnist1d"), metric="loss")
