"""Zero-cost proxies (nastutor.proxies, lesson 10): each proxy on a tiny network against an independent
computation (gradients written out by hand in NumPy, synflow's closed form, a brute-force Hamming kernel,
per-example Jacobians and SciPy's eigenvalues); the benchmarks' own records (#params, MACs); seeded
determinism; the shipped side tables recomputed live on a sample of rows; the evaluator inside a search;
bad input."""
import json
import math
import shutil

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn as nn
from hypothesis import given
from hypothesis import strategies as st
from scipy import linalg, special
from scipy.spatial.distance import cdist

from nastutor import RandomSearch, run_search
from nastutor.benchmark import Benchmark
from nastutor.checks import InputError
from nastutor.data import data_dir
from nastutor.proxies import (PROXIES, VARIANTS, ProxyEvaluator, build_proxy_table, fisher, grad_norm, init_network,
                              jacob_cov, load_proxy_table, measure, minibatch, naswot, proxy_correlations,
                              proxy_scores, snip, synflow, to_unit)
from nastutor.spaces import CellSpace

CELLS = ["cell-mnist1d", "cell-digits"]


@pytest.fixture(scope="module")
def mlp():
    """A tiny MLP with biases, its minibatch, and everything its loss's gradients are made of, by hand."""
    torch.manual_seed(3)
    net = nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 4))
    x, y = torch.randn(6, 5), torch.tensor([0, 1, 2, 3, 1, 0])
    w1, b1, w2, b2 = (p.detach().double().numpy() for p in net.parameters())
    xn = x.double().numpy()
    z1 = xn @ w1.T + b1
    h = np.maximum(z1, 0)
    z2 = h @ w2.T + b2
    dz2 = (special.softmax(z2, axis=1) - np.eye(4)[y.numpy()]) / len(xn)  # mean cross-entropy
    dz1 = (dz2 @ w2) * (z1 > 0)
    return net, x, y, {"w1": w1, "w2": w2, "z1": z1, "z2": z2, "dz1": dz1, "dz2": dz2,
                       "dw1": dz1.T @ xn, "dw2": dz2.T @ h}


def test_grad_norm_is_the_sum_of_each_layers_gradient_norm(mlp):
    net, x, y, m = mlp
    assert grad_norm(net, x, y) == pytest.approx(np.linalg.norm(m["dw1"]) + np.linalg.norm(m["dw2"]), rel=1e-5)


def test_snip_is_the_sum_of_weight_times_gradient(mlp):
    net, x, y, m = mlp
    expected = np.abs(m["w1"] * m["dw1"]).sum() + np.abs(m["w2"] * m["dw2"]).sum()
    assert snip(net, x, y) == pytest.approx(expected, rel=1e-5)


def test_fisher_sums_half_the_mean_squared_activation_times_gradient_per_channel(mlp):
    net, x, y, m = mlp
    expected = sum(0.5 * ((m[z] * m[dz]) ** 2).mean(axis=0).sum() for z, dz in (("z1", "dz1"), ("z2", "dz2")))
    assert fisher(net, x, y) == pytest.approx(expected, rel=1e-5)


def test_fisher_sums_a_convolutions_channels_over_positions():
    torch.manual_seed(0)
    conv, head = nn.Conv1d(1, 3, 3, padding=1), nn.Linear(3 * 8, 2)
    net = nn.Sequential(nn.Unflatten(1, (1, 8)), conv, nn.Flatten(), head)
    x, y = torch.randn(5, 8), torch.tensor([0, 1, 1, 0, 1])
    z = nn.functional.conv1d(x[:, None, :], conv.weight, conv.bias, padding=1)   # the same network, by hand
    out = nn.functional.linear(z.flatten(1), head.weight, head.bias)
    dz, dout = torch.autograd.grad(nn.functional.cross_entropy(out, y), [z, out])
    z, out = z.detach(), out.detach()
    expected = (0.5 * ((z * dz).sum(2) ** 2).mean(0)).sum() + (0.5 * ((out * dout) ** 2).mean(0)).sum()
    assert fisher(net, x, y) == pytest.approx(expected.item(), rel=1e-5)


def test_synflow_of_a_linear_relu_stack_is_layers_times_the_path_sum():
    """Synaptic flow is conserved: each of the L layers carries R = 1'|W_L|...|W_1|1."""
    torch.manual_seed(1)
    net = nn.Sequential(nn.Linear(6, 5, bias=False), nn.ReLU(), nn.Linear(5, 4, bias=False), nn.ReLU(),
                        nn.Linear(4, 3, bias=False))
    w = [np.abs(m.weight.detach().double().numpy()) for m in net if isinstance(m, nn.Linear)]
    path_sum = np.ones(3) @ w[2] @ w[1] @ w[0] @ np.ones(6)
    x = torch.randn(2, 6)
    assert synflow(net, x, torch.zeros(2, dtype=torch.long)) == pytest.approx(3 * path_sum, rel=1e-10)
    assert synflow(net, -x, torch.ones(2, dtype=torch.long)) == synflow(net, x, torch.zeros(2, dtype=torch.long))


def test_synflow_drops_the_batch_norms_and_synflow_bn_keeps_them():
    torch.manual_seed(2)
    conv, bn, head = nn.Conv1d(1, 3, 3, bias=False), nn.BatchNorm1d(3), nn.Linear(12, 2, bias=False)
    with_bn = nn.Sequential(nn.Unflatten(1, (1, 6)), conv, bn, nn.ReLU(), nn.Flatten(), head)
    without = nn.Sequential(nn.Unflatten(1, (1, 6)), conv, nn.ReLU(), nn.Flatten(), head)
    x, y = torch.randn(4, 6), torch.zeros(4, dtype=torch.long)
    assert synflow(with_bn, x, y) == pytest.approx(synflow(without, x, y), rel=1e-12) and synflow(without, x, y) > 0
    # kept in (training mode), batch norm subtracts the mean of the all-ones input's constant response: no flow
    assert abs(PROXIES["synflow_bn"](with_bn, x, y)) < 1e-9 * synflow(without, x, y)


def test_jacob_cov_matches_per_example_jacobians_and_scipys_eigenvalues():
    torch.manual_seed(4)
    net = nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 3))
    x = torch.randn(7, 5)
    rows = np.stack([torch.autograd.functional.jacobian(lambda v: net(v[None]).sum(), xi).double().numpy()
                     for xi in x])
    v = np.clip(linalg.eigvalsh(np.corrcoef(rows)), 0, None)
    expected = -np.sum(np.log(v + 1e-5) + 1 / (v + 1e-5))
    assert jacob_cov(net, x, torch.zeros(7, dtype=torch.long)) == pytest.approx(expected, rel=1e-6)


def test_jacob_cov_of_a_linear_model_is_the_fully_correlated_closed_form():
    """A linear model gives every example the same Jacobian: the correlation matrix is all ones,
    with eigenvalues B (once) and 0 (B - 1 times)."""
    torch.manual_seed(5)
    b, k = 9, 1e-5
    expected = -(np.log(b + k) + 1 / (b + k) + (b - 1) * (np.log(k) + 1 / k))
    score = jacob_cov(nn.Linear(4, 3), torch.randn(b, 4), torch.zeros(b, dtype=torch.long))
    assert score == pytest.approx(expected, rel=1e-6)


def test_a_network_blind_to_its_input_scores_minus_infinity():
    net = nn.Linear(4, 3)
    nn.init.zeros_(net.weight)
    x, y = torch.randn(5, 4), torch.zeros(5, dtype=torch.long)
    assert jacob_cov(net, x, y) == -math.inf

    class Constant(nn.Module):                                    # the input is not even in the graph
        def __init__(self):
            super().__init__()
            self.bias = nn.Parameter(torch.ones(3))

        def forward(self, x):
            return self.bias.expand(len(x), 3)

    assert jacob_cov(Constant(), x, y) == -math.inf
    blind = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
    nn.init.zeros_(blind[0].weight)
    assert naswot(blind, x, y) == -math.inf                       # every example gets the same code
    assert to_unit(-math.inf) == 0.0


def test_naswot_is_the_log_determinant_of_the_hamming_kernel():
    torch.manual_seed(6)
    net = nn.Sequential(nn.Linear(5, 12), nn.ReLU(), nn.Linear(12, 9), nn.ReLU(), nn.Linear(9, 3))
    x = torch.randn(6, 5)
    with torch.no_grad():
        z1 = net[0](x)
        z2 = net[2](torch.relu(z1))
    codes = np.hstack([(z1 > 0).numpy(), (z2 > 0).numpy()]).astype(bool)
    kernel = codes.shape[1] * (1 - cdist(codes, codes, "hamming"))  # units where two examples agree
    sign, logdet = np.linalg.slogdet(kernel)
    assert sign > 0 and naswot(net, x, torch.zeros(6, dtype=torch.long)) == pytest.approx(logdet, rel=1e-9)


def test_a_proxy_leaves_the_network_as_it_was(mlp):
    net, x, y, _ = mlp
    before = [p.detach().clone() for p in net.parameters()]
    for proxy in PROXIES.values():
        proxy(net, x, y)
    assert all(torch.equal(p, q) for p, q in zip(before, net.parameters()))
    assert all(p.grad is None for p in net.parameters()) and next(net.parameters()).dtype == torch.float32


@given(st.lists(st.floats(allow_nan=False, min_value=-1e300, max_value=1e300), min_size=2, max_size=20, unique=True))
def test_to_unit_keeps_the_order_within_zero_and_one(scores):
    ordered = sorted(scores)
    units = [to_unit(s) for s in ordered]
    assert all(0 <= u <= 1 for u in units)
    assert all(a <= b for a, b in zip(units, units[1:]))


@pytest.fixture(scope="module", params=CELLS)
def bench(request):
    return Benchmark.load(request.param)


def test_params_and_macs_are_what_the_benchmark_recorded(bench):
    table = load_proxy_table(bench.name)
    for i, m in VARIANTS:
        rows = table[(table["init_seed"] == i) & (table["minibatch"] == m)]
        assert (rows["params"].to_numpy() == bench.params).all()
        assert (rows["macs"].to_numpy() == bench.macs).all()


def test_the_network_and_minibatch_are_the_ones_training_starts_from(bench):
    from nastutor.data import load_dataset
    data, arch = load_dataset(bench.dataset), bench.archs[7]
    a, b = init_network(bench.space, arch, data, 3), init_network(bench.space, arch, data, 4)
    torch.manual_seed(3)
    c = bench.space.build(arch, data.num_features, data.num_classes)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), c.parameters()))
    assert not all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    x, y = minibatch(data, bench.config.batch_size, 5)
    first = torch.randperm(len(data.y_train), generator=torch.Generator().manual_seed(5))[:bench.config.batch_size]
    assert np.array_equal(x.numpy(), data.x_train[first.numpy()]) and np.array_equal(y.numpy(), data.y_train[first])


def test_same_seeds_same_scores_other_seeds_other_scores(bench):
    arch = bench.archs[100]
    first = measure("grad_norm", bench, arch)[0]
    assert measure("grad_norm", bench, arch)[0] == first
    assert measure("grad_norm", bench, arch, init_seed=1)[0] != first
    assert measure("grad_norm", bench, arch, minibatch_seed=1)[0] != first
    raw = ("conv3", "none", "none", "none", "conv3", "conv3")  # node 2 unused: its canonical cell is scored
    assert measure("snip", bench, raw)[0] == measure("snip", bench, bench.space.canonical(raw))[0]


def test_a_sample_of_the_shipped_table_recomputes_live(bench):
    table = load_proxy_table(bench.name)
    rng = np.random.default_rng(0)
    sample = table.iloc[np.sort(rng.choice(len(table), 5, replace=False))]
    for _, row in sample.iterrows():
        arch = bench.space.parse(row["arch"])
        for proxy in PROXIES:
            score, seconds = measure(proxy, bench, arch, init_seed=int(row["init_seed"]),
                                     minibatch_seed=int(row["minibatch"]))
            assert score == pytest.approx(row[proxy], rel=1e-5, abs=1e-12), (row["arch"], proxy)
            assert seconds >= 0 and row[f"{proxy}_seconds"] >= 0


def test_the_tables_seconds_and_scores_are_sane(bench):
    table = load_proxy_table(bench.name)
    assert len(table) == len(VARIANTS) * len(bench)
    seconds = table[[f"{p}_seconds" for p in PROXIES]]
    assert (seconds >= 0).all().all() and (seconds.mean() < 1.0).all()     # zero-cost: well under a second
    finite = table[list(PROXIES)].replace(-np.inf, np.nan)
    assert finite.notna().mean().min() > 0.99                              # -inf only for blind cells


def test_correlations_are_scipys(bench):
    from scipy import stats
    corr = proxy_correlations(bench.name).set_index("proxy")
    truth = bench.truth()
    for proxy in ("params", "synflow"):
        scores = proxy_scores(bench.name, proxy)
        assert list(scores.index) == list(truth.index)
        assert corr.loc[proxy, "spearman"] == pytest.approx(stats.spearmanr(scores, truth).statistic)
        assert corr.loc[proxy, "kendall"] == pytest.approx(stats.kendalltau(scores, truth).statistic)


def test_the_evaluator_looks_up_score_and_seconds(bench):
    ev = ProxyEvaluator(bench, "synflow")
    table = load_proxy_table(bench.name)
    row = table[(table["init_seed"] == 0) & (table["minibatch"] == 0)].iloc[11]
    arch = bench.space.parse(row["arch"])
    e = ev.evaluate(arch)
    assert (e.val_accuracy, e.test_accuracy, e.cost, e.epochs) == (to_unit(row["synflow"]), to_unit(row["synflow"]),
                                                                  row["synflow_seconds"], 1)
    assert ev.describe()["kind"] == "proxy" and ev.describe()["table_sha256"]


def test_a_search_by_proxy_picks_the_proxys_favourite_and_pays_its_seconds(bench):
    ev = ProxyEvaluator(bench, "naswot")
    history = run_search(RandomSearch(), ev, budget=40, seed=1, progress=False)
    scores = [ev.score(e.arch) for e in history]
    assert ev.score(history.best.arch) == max(scores)
    table = load_proxy_table(bench.name)
    first = table[(table["init_seed"] == 0) & (table["minibatch"] == 0)]
    seconds = dict(zip(first["arch"], first["naswot_seconds"]))
    paid = sum(seconds[bench.space.to_string(bench.space.canonical(e.arch))] for e in history)
    assert history.total_cost == pytest.approx(paid)


def test_live_evaluation_computes_the_same_score_and_charges_measured_seconds():
    live, looked_up = ProxyEvaluator("cell-digits", "fisher", live=True), ProxyEvaluator("cell-digits", "fisher")
    arch = ("conv3", "skip", "avgpool3", "none", "conv3", "skip")
    assert live.score(arch) == pytest.approx(looked_up.score(arch), rel=1e-5)
    assert live.evaluate(arch).cost > 0
    space_live = ProxyEvaluator(CellSpace(), "fisher", dataset="digits", live=True)
    assert space_live.score(arch) == pytest.approx(looked_up.score(arch), rel=1e-5)


def test_a_killed_build_finishes_from_its_progress_file(tmp_path):
    """Every row but two is already in the progress file (copied from the shipped table): the build
    scores the two, writes the table and its checksum, and the scores are the shipped ones."""
    name = "cell-digits"
    for f in (f"{name}.csv.gz", f"{name}.json"):
        shutil.copy(data_dir() / f, tmp_path / f)
    shipped = json.loads((data_dir() / "MANIFEST.json").read_text())
    (tmp_path / "MANIFEST.json").write_text(json.dumps({k: shipped[k] for k in (f"{name}.csv.gz", f"{name}.json")}))
    table = load_proxy_table(name)
    progress = tmp_path / "p.jsonl"
    with open(progress, "w") as log:
        for _, row in table.iloc[:-2].iterrows():
            log.write(json.dumps({"benchmark": name, "arch": row["arch"], "init_seed": int(row["init_seed"]),
                                  "minibatch": int(row["minibatch"]), "scores": {p: float(row[p]) for p in PROXIES},
                                  "seconds": {p: float(row[f"{p}_seconds"]) for p in PROXIES}}) + "\n")
        log.write('{"benchmark": "cell-di')                                  # a line cut short by a kill
    path = build_proxy_table(name, tmp_path, progress, progress=False)
    assert path == tmp_path / f"{name}.proxies.csv.gz"
    rebuilt = load_proxy_table(name, tmp_path)
    pd.testing.assert_frame_equal(rebuilt[list(PROXIES)], table[list(PROXIES)], rtol=1e-5)
    assert build_proxy_table(name, tmp_path, progress, limit=0, progress=False) == path  # nothing left to do
    path.write_bytes(path.read_bytes()[:-1] + b"x")
    with pytest.raises(ValueError, match="corrupt.*python -m nastutor.proxies build cell-digits"):
        load_proxy_table(name, tmp_path)


def test_a_partial_build_returns_none_and_keeps_its_rows(tmp_path):
    name = "cell-mnist1d"
    progress = tmp_path / "p.jsonl"
    assert build_proxy_table(name, progress_file=progress, limit=2, progress=False) is None
    assert build_proxy_table(name, progress_file=progress, limit=1, progress=False) is None
    rows = [json.loads(line) for line in progress.read_text().splitlines()]
    assert len({(r["arch"], r["init_seed"], r["minibatch"]) for r in rows}) == len(rows) == 3


def test_bad_input_says_what_is_allowed(mlp, tmp_path):
    net, x, y, _ = mlp
    with pytest.raises(InputError, match="choose one of: params, macs, grad_norm"):
        measure("zen", "cell-digits", ("conv3",) * 6)
    with pytest.raises(InputError, match="torch.nn.Module"):
        snip("not a model", x, y)
    with pytest.raises(InputError, match="at least 2 inputs"):
        snip(net, x[0], y)
    with pytest.raises(InputError, match="integer labels"):
        snip(net, x, y.float())
    with pytest.raises(InputError, match="live=True"):
        ProxyEvaluator(CellSpace(), "synflow")
    with pytest.raises(InputError, match=r"\(init_seed, minibatch\)"):
        ProxyEvaluator("cell-digits", "synflow", init_seed=7)
    with pytest.raises(InputError, match="benchmark .* or a SearchSpace"):
        ProxyEvaluator(3, "synflow", live=True)
    with pytest.raises(InputError, match="dataset must be one of"):
        ProxyEvaluator(CellSpace(), "synflow", dataset="cifar", live=True)
    with pytest.raises(InputError, match="seed"):
        measure("snip", "cell-digits", ("conv3",) * 6, init_seed=-1)
    with pytest.raises(FileNotFoundError, match="python -m nastutor.proxies build cell-digits"):
        load_proxy_table("cell-digits", tmp_path)
