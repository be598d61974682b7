import itertools
from collections import defaultdict

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from scipy.stats import chisquare
from hypothesis import strategies as st

from nastutor.checks import InputError
from nastutor.spaces import SPACES as REGISTRY
from nastutor.spaces import CellSpace, MLPSpace, SearchSpace, get_space
from nastutor.spaces.cell import EDGES, Cell, function_signature, live_edges

SPACES = [MLPSpace(), CellSpace()]
seeds = st.integers(min_value=0, max_value=2**32 - 1)


@pytest.mark.parametrize("space", SPACES, ids=lambda s: s.name)
def test_enumerate_matches_size_and_has_no_duplicates(space):
    archs = list(space.enumerate())
    assert len(archs) == space.size == len(set(archs))


def test_sizes_follow_from_the_choices():
    m = MLPSpace()
    per_layer = len(m.widths) * len(m.activations)
    assert m.size == sum(per_layer ** d for d in range(1, m.max_depth + 1))
    assert CellSpace().size == 4 ** 6
    assert MLPSpace(widths=(8,), activations=("relu",), max_depth=2).size == 2


@pytest.mark.parametrize("space", SPACES, ids=lambda s: s.name)
@settings(max_examples=200, deadline=None)
@given(seed=seeds)
def test_invariants(space, seed):
    rng = np.random.default_rng(seed)
    arch = space.sample(rng)
    assert arch in space
    space.validate(arch)
    assert space.parse(space.to_string(arch)) == arch
    canon = space.canonical(arch)
    assert canon in space and space.canonical(canon) == canon
    neighbors = space.neighbors(arch)
    assert arch not in neighbors and len(neighbors) == len(set(neighbors))
    child = space.mutate(arch, rng)
    assert child in space and child != arch and child in neighbors
    vec = space.encode(arch)
    assert vec.shape == space.encode(space.sample(rng)).shape and set(np.unique(vec)) <= {0.0, 1.0}
    assert not np.array_equal(vec, space.encode(child))


@settings(max_examples=100, deadline=None)
@given(seed=seeds)
def test_cell_mutation_changes_exactly_one_edge(seed):
    space, rng = CellSpace(), np.random.default_rng(seed)
    arch = space.sample(rng)
    child = space.mutate(arch, rng)
    assert sum(a != b for a, b in zip(arch, child)) == 1
    assert len(space.neighbors(arch)) == 18


@settings(max_examples=100, deadline=None)
@given(seed=seeds)
def test_mlp_mutation_changes_one_decision(seed):
    space, rng = MLPSpace(), np.random.default_rng(seed)
    arch = space.sample(rng)
    child = space.mutate(arch, rng)
    if len(child) == len(arch):
        changed = sum(w1 != w2 for (w1, _), (w2, _) in zip(arch, child)) + \
            sum(a1 != a2 for (_, a1), (_, a2) in zip(arch, child))
        assert changed == 1
    else:
        assert abs(len(child) - len(arch)) == 1


@pytest.mark.parametrize("space", SPACES, ids=lambda s: s.name)
def test_sampling_is_seeded_and_uniform(space):
    a = [space.sample(np.random.default_rng(3)) for _ in range(5)]
    assert len(set(a)) == 1
    rng = np.random.default_rng(0)
    draws = [space.index(space.sample(rng)) for _ in range(20000)]
    counts = np.bincount(draws, minlength=space.size)
    assert chisquare(counts).pvalue > 1e-3  # consistent with uniform over the whole space


@pytest.mark.parametrize("space", SPACES, ids=lambda s: s.name)
def test_build_gives_a_classifier(space):
    rng = np.random.default_rng(0)
    for _ in range(5):
        net = space.build(space.sample(rng), 40, 10)
        assert net(torch.randn(7, 40)).shape == (7, 10)


def test_mlp_strings_read_like_the_architecture():
    space = MLPSpace()
    assert space.to_string(((64, "relu"), (32, "tanh"))) == "64relu-32tanh"
    net = space.build(space.parse("64relu-32tanh"), 40, 10)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(40, 64), (64, 32), (32, 10)]


def test_cell_string_is_nas_bench_201s():
    space = CellSpace()
    text = "|conv3~0|+|skip~0|conv3~1|+|none~0|avgpool3~1|skip~2|"
    assert space.parse(text) == ("conv3", "skip", "conv3", "none", "avgpool3", "skip")
    assert space.to_string(space.parse(text)) == text


# -- canonical forms of cells ------------------------------------------------------------

def _conv_names(arch):
    """Each live conv edge's term name, computed as in function_signature."""
    live, value, names = live_edges(arch), {0: ("x",)}, {}
    for j in (1, 2, 3):
        terms = []
        for e, (i, t) in enumerate(EDGES):
            if t == j and live[e]:
                if arch[e] == "skip":
                    terms += value[i]
                else:
                    terms.append(f"{arch[e]}({'+'.join(value[i])})")
                    if arch[e] == "conv3":
                        names[e] = terms[-1]
        value[j] = tuple(sorted(terms))
    return names


def _weight_mappings(raw, canon):
    """Every way to pair the raw cell's live convolutions with the canonical cell's."""
    groups = defaultdict(lambda: ([], []))
    for e, name in _conv_names(raw).items():
        groups[name][0].append(e)
    for e, name in _conv_names(canon).items():
        groups[name][1].append(e)
    options = [[list(zip(a, p)) for p in itertools.permutations(c)] for a, c in groups.values()]
    for combo in itertools.product(*options):
        yield [pair for group in combo for pair in group]


def test_folded_cells_compute_the_same_function_with_equal_weights():
    """For every one of the 4096 cells: copying the canonical cell's convolution weights
    into the cell's live convolutions (dead ones keep random weights) gives equal outputs."""
    space = CellSpace()
    x = torch.randn(8, 4, 12)
    failures = []
    for raw in space.enumerate():
        canon = space.canonical(raw)
        torch.manual_seed(0)
        raw_cell, canon_cell = Cell(raw, 4), Cell(canon, 4)
        expected = canon_cell(x)
        ok = False
        for mapping in _weight_mappings(raw, canon):
            for e_raw, e_canon in mapping:
                raw_cell.ops[e_raw][1].weight.data.copy_(canon_cell.ops[e_canon][1].weight.data)
            if torch.allclose(raw_cell(x), expected, atol=1e-5):
                ok = True
                break
        if not ok:
            failures.append(space.to_string(raw))
    assert not failures, f"{len(failures)} cells differ from their canonical form, e.g. {failures[:3]}"


def test_canonical_folds_dead_edges_isomorphisms_and_skips():
    space = CellSpace()
    c = space.canonical
    # an edge out of a node the input never reaches is dead
    assert c(("none", "none", "conv3", "conv3", "none", "none")) == c(("none",) * 3 + ("conv3",) + ("none",) * 2)
    # an edge into a node that never reaches the output is dead
    assert c(("conv3", "none", "none", "skip", "none", "none")) == ("none", "none", "none", "skip", "none", "none")
    # the two middle nodes may swap places when no edge joins them
    assert c(("conv3", "avgpool3", "none", "none", "skip", "conv3")) == \
        c(("avgpool3", "conv3", "none", "none", "conv3", "skip"))
    # a skip connection passes its input through
    assert c(("skip", "none", "none", "none", "conv3", "none")) == c(("none",) * 3 + ("conv3",) + ("none",) * 2)
    # every cell that disconnects input from output is the same (it outputs zeros)
    assert c(("conv3", "conv3", "conv3", "none", "none", "none")) == ("none",) * 6
    # but different functions stay apart
    assert len({c(a) for a in [("conv3",) * 6, ("skip",) * 6, ("avgpool3",) * 6, ("none",) * 6]}) == 4
    # one shared convolution is not two separate ones
    shared = ("conv3", "none", "skip", "none", "skip", "avgpool3")     # n1 = conv(x); n2 = n1
    separate = ("conv3", "conv3", "none", "none", "skip", "avgpool3")  # n1, n2: two convs
    assert function_signature(shared) != function_signature(separate)


def test_unique_cells_are_canonical_and_fewer_than_a_thousand():
    space = CellSpace()
    unique = space.unique
    assert all(space.canonical(a) == a for a in unique)
    assert len({space.canonical(a) for a in space.enumerate()}) == len(unique)
    assert len(unique) < 1000  # DESIGN.md measured "under a thousand" too


# -- bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, match", [
    ("", "looks like"), ("64relu-", "cannot read layer"), ("64swish", "activation 'swish'"),
    ("100relu", "width 100"), ("16relu-16relu-16relu-16relu", "1 to 3"), ("relu64", "cannot read"),
])
def test_mlp_bad_strings(text, match):
    with pytest.raises(ValueError, match=match):
        MLPSpace().parse(text)


@pytest.mark.parametrize("text, match", [
    ("|conv3~0|", "looks like"), ("|conv5~0|+|skip~0|conv3~1|+|none~0|skip~1|skip~2|", "conv5"),
    (42, "looks like"),
])
def test_cell_bad_strings(text, match):
    with pytest.raises(ValueError, match=match):
        CellSpace().parse(text)


def test_bad_architectures_name_what_is_allowed():
    with pytest.raises(ValueError, match="none, skip, conv3, avgpool3"):
        CellSpace().validate(("conv3",) * 5 + ("conv1",))
    with pytest.raises(ValueError, match="tuple of 6"):
        CellSpace().validate(("conv3",) * 5)
    with pytest.raises(ValueError, match="16, 32, 64"):
        MLPSpace().validate(((48, "relu"),))
    with pytest.raises(ValueError, match="pair"):
        MLPSpace().validate((64, "relu"))
    with pytest.raises(ValueError, match="relu, tanh, elu, gelu"):
        MLPSpace(activations=("relu", "swish"))
    with pytest.raises(ValueError, match="channels must be an integer >= 1, got 0"):
        CellSpace(channels=0)
    with pytest.raises(ValueError, match="mlp, cell"):
        get_space("transformer")
    assert ("conv3",) * 5 not in CellSpace() and [1] not in CellSpace()


def test_avgpool3_matches_torchs_average_pooling():
    from nastutor.spaces.cell import AvgPool3

    x = torch.randn(5, 3, 11)
    expected = torch.nn.AvgPool1d(3, stride=1, padding=1, count_include_pad=False)(x)
    assert torch.allclose(AvgPool3()(x), expected, atol=1e-6)


# -- what each space owns: protocol, settings, layout, registry ----------------------------------

def test_each_space_states_its_own_training_protocol(monkeypatch):
    from nastutor.evaluators import default_config

    monkeypatch.delenv("NASTUTOR_FAST", raising=False)
    assert (MLPSpace().default_config().epochs, MLPSpace().default_config().lr) == (50, 0.02)
    assert (CellSpace().default_config().epochs, CellSpace().default_config().lr) == (12, 0.01)
    assert default_config(MLPSpace()) == MLPSpace().default_config()
    monkeypatch.setenv("NASTUTOR_FAST", "1")  # fast mode: a quarter of the epochs, the space's own lr
    assert (default_config(MLPSpace()).epochs, default_config(MLPSpace()).lr) == (12, 0.02)
    assert default_config(CellSpace()).epochs == 3 and CellSpace().default_config().epochs == 12


@pytest.mark.parametrize("space", [MLPSpace(), CellSpace(), MLPSpace(widths=(8, 4), activations=("gelu",), max_depth=2),
                                   CellSpace(channels=4, cells=2)], ids=repr)
def test_config_round_trips_through_json(space):
    import json

    again = type(space).from_config(json.loads(json.dumps(space.config())))
    assert type(again) is type(space) and repr(again) == repr(space) and again.config() == space.config()
    assert list(again.enumerate()) == list(space.enumerate())


def test_from_config_refuses_unknown_settings():
    with pytest.raises(InputError, match="MLPSpace has no setting 'depth'; its settings are: widths, activations"):
        MLPSpace.from_config({"depth": 3})
    with pytest.raises(InputError, match="config must be a dict"):
        CellSpace.from_config([16, 1])
    with pytest.raises(InputError, match="abstract SearchSpace"):
        SearchSpace.from_config({})


def _space_class(name, qualname="Copy"):
    """A subclass of CellSpace named `name`, defined with the given qualified name."""
    return type(qualname, (CellSpace,), {"name": name, "__qualname__": qualname, "__module__": __name__})


def test_defining_a_space_registers_it_and_a_clash_is_refused():
    try:
        first = _space_class("cell_copy")
        assert REGISTRY["cell_copy"] is first and get_space("cell_copy").size == 4096
        again = _space_class("cell_copy")  # the same class defined again (a cell run twice): replaces it
        assert REGISTRY["cell_copy"] is again
        with pytest.raises(InputError, match=r"two spaces are named 'cell_copy'.*Copy and .*Other"):
            _space_class("cell_copy", "Other")
        assert REGISTRY["cell_copy"] is again
        with pytest.raises(InputError, match="two spaces are named 'mlp'"):
            _space_class("mlp")
        with pytest.raises(InputError, match="short lower-case name"):
            _space_class("My Space")
    finally:
        REGISTRY.pop("cell_copy", None)
    assert list(REGISTRY)[:2] == ["mlp", "cell"] and REGISTRY["mlp"] is MLPSpace


def test_a_space_without_a_protocol_says_so():
    from nastutor.evaluators import LiveEvaluator

    bare = type("Bare", (CellSpace,), {"default_config": SearchSpace.default_config})()
    with pytest.raises(NotImplementedError, match="Bare has no default training protocol.*config="):
        LiveEvaluator(bare)


@pytest.mark.parametrize("space", SPACES, ids=lambda s: s.name)
def test_choices_invert_decide(space):
    rng = np.random.default_rng(0)
    for _ in range(20):
        arch = space.sample(rng)
        chosen = space.choices(arch)
        assert space.decide(lambda name, options: chosen[name]) == arch


def test_only_the_cell_space_lays_itself_out():
    assert MLPSpace().plot_layout() is None
    layout = CellSpace().plot_layout()
    assert layout.grid and len(layout.archs) == 4096 == len(set(layout.archs)) and layout.xy.shape == (4096, 2)
