"""rank_by_epoch (nastutor.fidelity, lesson 08): the rank correlation of each epoch with the final ranking,
one seed against the mean of the others, checked against a direct computation with scipy."""
import numpy as np
import pytest
from scipy import stats

from nastutor.benchmark import Benchmark
from nastutor.checks import InputError
from nastutor.fidelity import rank_by_epoch


@pytest.mark.parametrize("name", ["cell-mnist1d", "cell-digits"])
def test_each_epoch_is_compared_with_the_other_seeds_final_mean(name):
    bench = Benchmark.load(name)
    curve = rank_by_epoch(bench)
    assert curve["epoch"].tolist() == list(range(1, bench.epochs + 1))
    e = 3                                                      # epoch 4, seed by seed, by hand
    taus = [stats.kendalltau(bench.val[:, s, e], np.delete(bench.val[:, :, -1], s, axis=1).mean(1)).statistic
            for s in range(len(bench.seeds))]
    assert curve["kendall"].iloc[e] == pytest.approx(np.mean(taus))
    assert curve["kendall"].iloc[-1] < 1                        # one seed never agrees perfectly with others
    assert ((curve[["kendall", "spearman"]] >= -1) & (curve[["kendall", "spearman"]] <= 1)).all().all()


def test_bad_input_says_what_is_needed():
    with pytest.raises(InputError, match="Benchmark"):
        rank_by_epoch("cell-mnist1d")
