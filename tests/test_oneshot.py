"""Weight sharing (nastutor.oneshot, lesson 09), checked against independent oracles: the mixed edge
against its sum computed by hand, a supernet path against the stand-alone network of `CellSpace.build`
with the same weights copied in by hand, alpha's gradient against finite differences, batch-norm
recalibration against the statistics computed by hand, the argmax derivation and the top-k overlap by
brute force. Training runs on a small slice of MNIST-1D, so the whole file takes seconds."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import stats

from nastutor.checks import InputError
from nastutor.data import Dataset, load_dataset
from nastutor.oneshot import (EDGES, OPS, MixedEdge, Supernet, derive, estimate_all, rank_agreement, recalibrate_bn,
                              sample_cell, shared_accuracy, train_darts, train_single_path)
from nastutor.oneshot.evaluator import OneShotEvaluator
from nastutor.oneshot.few_shot import train_few_shot
from nastutor.search import run_search
from nastutor.spaces import CellSpace, MLPSpace
from nastutor.strategies import RandomSearch
from nastutor.training import TrainConfig

SMALL = CellSpace(channels=4, cells=1)
TWO = CellSpace(channels=4, cells=2)
CELLS = [("conv3",) * 6, ("skip", "none", "conv3", "avgpool3", "none", "conv3"),
         ("conv3", "none", "none", "none", "conv3", "conv3"),            # node 2 is dead: pruned
         ("none", "avgpool3", "skip", "conv3", "none", "skip"), ("none",) * 6]


@pytest.fixture(scope="module")
def data() -> Dataset:
    d = load_dataset("mnist1d")
    return Dataset("mnist1d-slice", d.x_train[:512], d.y_train[:512], d.x_val[:200], d.y_val[:200],
                   d.x_test[:200], d.y_test[:200], d.num_classes)


def randomise_statistics(net: torch.nn.Module, seed: int = 0) -> None:
    """Give every batch norm running statistics far from (0, 1), so a copy that missed one shows."""
    g = torch.Generator().manual_seed(seed)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm1d):
            m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g))
            m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)


# -- the mixed edge --------------------------------------------------------------------------------
def conv3_by_hand(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """ReLU, conv (kernel 3, padding 1), batch norm in training mode without affine: by hand."""
    h = F.conv1d(torch.relu(x), weight, padding=1)
    mean = h.mean(dim=(0, 2), keepdim=True)
    var = h.var(dim=(0, 2), unbiased=False, keepdim=True)
    return (h - mean) / torch.sqrt(var + 1e-5)


def test_the_mixed_edge_is_the_softmax_weighted_sum_of_its_operations_by_hand():
    torch.manual_seed(0)
    edge, x, alpha = MixedEdge(5), torch.randn(3, 5, 12), torch.randn(4)
    w = torch.softmax(alpha, dim=0)
    pool = torch.nn.AvgPool1d(3, stride=1, padding=1, count_include_pad=False)(x)
    terms = {"none": torch.zeros_like(x), "skip": x, "conv3": conv3_by_hand(x, edge.ops["conv3"][1].weight),
             "avgpool3": pool}
    expected = sum(w[k] * terms[op] for k, op in enumerate(OPS))
    torch.testing.assert_close(edge.train()(x, w), expected)


@pytest.mark.parametrize("op", OPS)
def test_a_one_hot_mixture_is_the_chosen_operation(op):
    torch.manual_seed(1)
    edge, x = MixedEdge(4).eval(), torch.randn(2, 4, 9)
    randomise_statistics(edge)
    one_hot = torch.zeros(len(OPS))
    one_hot[OPS.index(op)] = 1.0
    torch.testing.assert_close(edge(x, one_hot), edge.path(x, op), rtol=0, atol=0)


# -- one path against the stand-alone network -------------------------------------------------------
def copy_into_standalone(supernet: Supernet, standalone: torch.nn.Module) -> None:
    """Copy the shared weights and statistics a stand-alone `CellNetwork` has, by their names there:
    stem, reduce and head keep their names; `stageS.K.ops.E.*` (a conv3 edge) is the supernet's
    `stageS.K.edges.E.ops.conv3.*`."""
    shared = supernet.state_dict()
    own = standalone.state_dict()
    for name in own:
        parts = name.split(".")
        if parts[0].startswith("stage"):
            source = ".".join([*parts[:2], "edges", parts[3], "ops", "conv3", *parts[4:]])
        else:
            source = name
        own[name] = shared[source].clone()
    standalone.load_state_dict(own)


@pytest.mark.parametrize("space", [SMALL, TWO], ids=["1 cell per stage", "2 cells per stage"])
@pytest.mark.parametrize("cell", CELLS, ids=lambda c: "-".join(c))
def test_a_path_computes_what_the_standalone_network_of_its_cell_computes(space, cell):
    torch.manual_seed(2)
    net = Supernet(space, 40, 10)
    randomise_statistics(net)
    alone = space.build(cell, 40, 10)
    copy_into_standalone(net, alone)
    x = torch.randn(16, 40)
    net.eval(), alone.eval()
    torch.testing.assert_close(net(x, arch=cell), alone(x), rtol=1e-6, atol=1e-6)
    net.train(), alone.train()   # batch statistics, and the same running statistics updated
    torch.testing.assert_close(net(x, arch=cell), alone(x), rtol=1e-6, atol=1e-6)
    for name, value in alone.state_dict().items():
        if name.endswith("running_mean") and name.startswith("stem"):
            torch.testing.assert_close(net.state_dict()[name], value)


def test_a_path_trains_only_its_own_operations():
    net = Supernet(SMALL, 40, 10)
    cell = ("conv3", "skip", "none", "none", "avgpool3", "conv3")
    net(torch.randn(8, 40), arch=cell).sum().backward()
    with_grad = {n for n, p in net.named_parameters() if p.grad is not None}
    convs = {f"stage{s}.0.edges.{e}.ops.conv3.1.weight" for s in (1, 2) for e in (0, 5)}
    assert with_grad == {"stem.0.weight", "stem.1.weight", "stem.1.bias", "reduce.1.weight", "reduce.2.weight",
                         "reduce.2.bias", "head.3.weight", "head.3.bias"} | convs


def test_one_hot_weights_on_a_cell_without_dead_edges_equal_its_path():
    torch.manual_seed(3)
    net = Supernet(SMALL, 40, 10).eval()
    randomise_statistics(net)
    cell = ("conv3", "avgpool3", "skip", "conv3", "conv3", "skip")
    weights = torch.zeros(len(EDGES), len(OPS))
    weights[range(len(EDGES)), [OPS.index(op) for op in cell]] = 1.0
    x = torch.randn(8, 40)
    torch.testing.assert_close(net(x, weights=weights), net(x, arch=cell))


def test_alpha_gradients_match_finite_differences():
    torch.manual_seed(4)
    net = Supernet(SMALL, 40, 10).double().eval()
    randomise_statistics(net)
    x, y = torch.randn(6, 40, dtype=torch.float64), torch.arange(6) % 10
    alpha = torch.randn(len(EDGES), len(OPS), dtype=torch.float64, requires_grad=True)

    def loss(a):
        return F.cross_entropy(net(x, weights=torch.softmax(a, dim=1)), y)

    grad, = torch.autograd.grad(loss(alpha), alpha)
    h, numeric = 1e-6, torch.zeros_like(alpha)
    with torch.no_grad():
        for e in range(len(EDGES)):
            for k in range(len(OPS)):
                step = torch.zeros_like(alpha)
                step[e, k] = h
                numeric[e, k] = (loss(alpha + step) - loss(alpha - step)) / (2 * h)
    torch.testing.assert_close(grad, numeric, rtol=1e-5, atol=1e-8)


# -- reading accuracies off the shared weights ------------------------------------------------------
def test_recalibration_gives_the_paths_statistics_computed_by_hand(data):
    torch.manual_seed(5)
    net = Supernet(SMALL, 40, 10)
    randomise_statistics(net)
    cell = ("conv3", "none", "none", "none", "skip", "none")   # node 1 = conv3(x), output = node 1
    x = torch.tensor(data.x_train[:300])
    recalibrate_bn(net, cell, x, batch_size=100)
    stem_means, stem_vars, edge_means = [], [], []
    with torch.no_grad():
        for b in range(3):
            s = net.stem[0](x[b * 100:(b + 1) * 100].reshape(100, 1, -1))
            stem_means.append(s.mean(dim=(0, 2)))
            stem_vars.append(s.var(dim=(0, 2), unbiased=True))
            h = (s - s.mean(dim=(0, 2), keepdim=True)) / torch.sqrt(s.var(dim=(0, 2), unbiased=False,
                                                                             keepdim=True) + 1e-5)
            h = h * net.stem[1].weight[:, None] + net.stem[1].bias[:, None]
            c = F.conv1d(torch.relu(h), net.stage1[0].edges[0].ops["conv3"][1].weight, padding=1)
            edge_means.append(c.mean(dim=(0, 2)))
    # equal batches: the running statistics are the plain averages of the batches' statistics
    torch.testing.assert_close(net.stem[1].running_mean, torch.stack(stem_means).mean(0))
    torch.testing.assert_close(net.stem[1].running_var, torch.stack(stem_vars).mean(0))
    edge_bn = net.stage1[0].edges[0].ops["conv3"][2]
    torch.testing.assert_close(edge_bn.running_mean, torch.stack(edge_means).mean(0))
    assert edge_bn.momentum == 0.1 and not net.training                 # put back, ready to score
    off_path = net.stage1[0].edges[1].ops["conv3"][2]                    # an edge not on the path: untouched
    assert int(off_path.num_batches_tracked) == 0


def test_estimates_leave_the_supernet_as_it_was_and_do_not_depend_on_order(data):
    torch.manual_seed(6)
    net = Supernet(SMALL, 40, 10)
    randomise_statistics(net)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    forward = estimate_all(net, CELLS, data, progress=False)
    backward = estimate_all(net, CELLS[::-1], data, progress=False)
    after = net.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert forward.to_dict() == backward.to_dict()
    assert list(forward.index) == [SMALL.to_string(c) for c in CELLS]


def test_without_recalibration_an_estimate_uses_the_trained_statistics(data):
    torch.manual_seed(7)
    net = Supernet(SMALL, 40, 10)
    cell = CELLS[1]
    randomise_statistics(net)
    x, y = torch.tensor(data.x_val), torch.tensor(data.y_val)
    with torch.no_grad():
        expected = float((net.eval()(x, arch=cell).argmax(1) == y).float().mean())
    assert shared_accuracy(net, cell, data, recalibrate=False) == pytest.approx(expected)


def test_rank_agreement_against_scipy_and_brute_force():
    rng = np.random.default_rng(0)
    truth, estimate = rng.random(40), rng.random(40)
    got = rank_agreement(estimate, truth, top=(5, 40))
    assert got["kendall"] == pytest.approx(stats.kendalltau(estimate, truth).statistic)
    assert got["spearman"] == pytest.approx(np.corrcoef(stats.rankdata(estimate), stats.rankdata(truth))[0, 1])
    best_t = set(sorted(range(40), key=lambda i: -truth[i])[:5])
    best_e = set(sorted(range(40), key=lambda i: -estimate[i])[:5])
    assert got["top5"] == len(best_t & best_e) / 5 and got["top40"] == 1.0
    assert rank_agreement(np.exp(truth), truth, top=())["kendall"] == pytest.approx(1.0)
    assert rank_agreement(-truth, truth, top=())["kendall"] == pytest.approx(-1.0)


# -- DARTS ------------------------------------------------------------------------------------------
def test_derive_takes_the_argmax_of_each_edge_by_brute_force():
    rng = np.random.default_rng(1)
    for _ in range(20):
        alpha = rng.normal(size=(len(EDGES), len(OPS)))
        expected = tuple(max(OPS, key=lambda op: alpha[e, OPS.index(op)]) for e in range(len(EDGES)))
        assert derive(alpha) == expected
        assert derive(torch.tensor(alpha)) == expected
    assert derive(np.zeros((6, 4))) == ("none",) * 6   # ties: the first operation


def test_a_darts_run_records_alpha_and_its_cell_every_epoch_and_is_seeded(data):
    config = TrainConfig(epochs=2, batch_size=128)
    run = train_darts(SMALL, data, config, seed=3, progress=False)
    again = train_darts(SMALL, data, config, seed=3, progress=False)
    other = train_darts(SMALL, data, config, seed=4, progress=False)
    assert run.alphas.shape == (3, len(EDGES), len(OPS)) and len(run.train_loss) == 2
    assert [derive(a) for a in run.alphas] == list(run.cells) and run.cell == derive(run.alpha)
    assert not np.array_equal(run.alphas[0], run.alphas[-1])          # alpha moved
    np.testing.assert_allclose(run.weights().sum(axis=1), 1.0)
    assert np.array_equal(run.alphas, again.alphas) and run.train_loss == again.train_loss
    assert not np.array_equal(run.alphas, other.alphas)


def test_early_stopping_stops_darts_where_on_epoch_says(data):
    run = train_darts(SMALL, data, TrainConfig(epochs=4, batch_size=128), seed=0, progress=False,
                      on_epoch=lambda epoch, alpha: epoch < 2)
    assert len(run.cells) == 3 and len(run.train_loss) == 2


# -- single-path training ---------------------------------------------------------------------------
def test_single_path_training_is_seeded(data):
    config = TrainConfig(epochs=2, batch_size=128)
    a = train_single_path(SMALL, data, config, seed=1, progress=False).supernet.state_dict()
    b = train_single_path(SMALL, data, config, seed=1, progress=False).supernet.state_dict()
    c = train_single_path(SMALL, data, config, seed=2, progress=False).supernet.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)


def test_sampling_draws_edges_uniformly_or_distinct_cells_uniformly():
    rng = np.random.default_rng(0)
    draws = [sample_cell(SMALL, rng) for _ in range(4000)]
    counts = np.array([[sum(d[e] == op for d in draws) for op in OPS] for e in range(len(EDGES))])
    assert stats.chisquare(counts.ravel()).pvalue > 1e-3
    distinct = {sample_cell(SMALL, rng, "distinct") for _ in range(300)}
    assert distinct <= set(SMALL.unique)
    assert all(sample_cell(SMALL, rng, fixed={2: "skip"})[2] == "skip" for _ in range(50))


def test_few_shot_children_inherit_the_parent_and_hold_their_edge(data):
    run = train_few_shot(SMALL, data, TrainConfig(epochs=6, batch_size=128), warmup=2, edge=3, seed=0,
                         progress=False)
    assert set(run.children) == set(OPS) and all(c.config.epochs == 1 for c in run.children.values())
    assert run.children["conv3"].fixed == {3: "conv3"}
    # the `none` child never ran edge 3's convolution: it kept the parent's weights there
    name = "stage1.0.edges.3.ops.conv3.1.weight"
    parent = run.parent.supernet.state_dict()[name]
    assert torch.equal(run.children["none"].supernet.state_dict()[name], parent)
    assert not torch.equal(run.children["conv3"].supernet.state_dict()[name], parent)
    assert run.supernet_for(("conv3",) * 6) is run.children["conv3"].supernet
    est = run.estimate_all(CELLS, data, progress=False)
    assert list(est.index) == [SMALL.to_string(c) for c in CELLS]
    assert est.iloc[0] == shared_accuracy(run.children["conv3"].supernet, CELLS[0], data)


# -- the evaluator ----------------------------------------------------------------------------------
def test_the_evaluator_charges_training_once_and_searches_through_run_search(data):
    run = train_single_path(SMALL, data, TrainConfig(epochs=1, batch_size=128), seed=0, progress=False)
    assert OneShotEvaluator(run, data).training_seconds == run.seconds
    ev = OneShotEvaluator(run.supernet, data, training_seconds=1000.0)
    history = run_search(RandomSearch(), ev, budget=6, seed=0, progress=False)
    costs = [e.cost for e in history]
    assert costs[0] >= 1000.0 and all(0 < c < 1000.0 for c in costs[1:])
    first = history.evaluations[0]
    assert first.val_accuracy == shared_accuracy(run.supernet, SMALL.canonical(first.arch), data)
    assert first.test_accuracy == shared_accuracy(run.supernet, SMALL.canonical(first.arch), data, split="test")
    ev.reset()
    assert ev.evaluate(first.arch).cost >= 1000.0


# -- bad input --------------------------------------------------------------------------------------
def test_bad_input_gets_a_message_naming_what_is_allowed(data):
    net = Supernet(SMALL, 40, 10)
    x = torch.randn(2, 40)
    with pytest.raises(InputError, match="CellSpace"):
        Supernet(MLPSpace(), 40, 10)
    with pytest.raises(InputError, match="exactly one of arch="):
        net(x)
    with pytest.raises(InputError, match="exactly one of arch="):
        net(x, arch=CELLS[0], weights=torch.zeros(6, 4))
    with pytest.raises(InputError, match=r"shape \(6, 4\)"):
        net(x, weights=torch.zeros(5, 4))
    with pytest.raises(ValueError, match="choose one of: none, skip, conv3, avgpool3"):
        net(x, arch=("conv5",) * 6)
    with pytest.raises(InputError, match=r"shape \(6, 4\)"):
        derive(np.zeros((4, 6)))
    with pytest.raises(InputError, match="uniform, distinct"):
        sample_cell(SMALL, np.random.default_rng(0), "fair")
    with pytest.raises(InputError, match="index from 0 to 5"):
        sample_cell(SMALL, np.random.default_rng(0), fixed={6: "skip"})
    with pytest.raises(InputError, match="val, test, train"):
        shared_accuracy(net, CELLS[0], data, split="validation")
    with pytest.raises(InputError, match="alpha_lr"):
        train_darts(SMALL, data, TrainConfig(epochs=1), alpha_lr=-1.0, progress=False)
    with pytest.raises(InputError, match="TrainConfig"):
        train_single_path(SMALL, data, {"epochs": 3}, progress=False)
    with pytest.raises(InputError, match="at least 9 epochs"):
        train_few_shot(SMALL, data, TrainConfig(epochs=8), warmup=5, progress=False)
    with pytest.raises(InputError, match="training_seconds"):
        OneShotEvaluator(net, data)
    with pytest.raises(InputError, match="same cells"):
        rank_agreement(estimate_all(net, CELLS[:2], data, progress=False),
                       estimate_all(net, CELLS[1:3], data, progress=False))
