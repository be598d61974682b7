"""The strategy registry (issue 12): every strategy once, with a parameter spec that controls,
scripts and the command line are generated from."""
import importlib
import inspect
import pkgutil

import pytest

import nastutor.strategies as strategies
from nastutor.checks import InputError
from nastutor.evaluators import TabularEvaluator
from nastutor.search import run_search
from nastutor.strategies import REGISTRY, STRATEGIES, Param, Strategy, get_strategy, register, variants
from nastutor.strategies.registry import parse_value


@pytest.fixture(scope="module")
def mlp_bench():
    return TabularEvaluator("mlp-mnist1d")


def _arguments(cls) -> dict[str, inspect.Parameter]:
    return {name: a for name, a in list(inspect.signature(cls.__init__).parameters.items())[1:]
            if a.kind not in (a.VAR_POSITIONAL, a.VAR_KEYWORD)}


def test_every_strategy_module_registers_a_strategy():
    """A new strategy is one new file: every module of the package but the shared ones
    registers at least one class, and every Strategy subclass there is registered."""
    registered = {entry.cls for entry in REGISTRY.values()}
    for module in pkgutil.iter_modules(strategies.__path__):
        if module.name in ("base", "registry"):
            continue
        found = [obj for obj in vars(importlib.import_module(f"nastutor.strategies.{module.name}")).values()
                 if inspect.isclass(obj) and issubclass(obj, Strategy) and obj.__module__.endswith(module.name)]
        assert found and set(found) <= registered, module.name


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_param_is_a_constructor_argument_with_the_same_default(name):
    entry = REGISTRY[name]
    arguments = _arguments(entry.cls)
    assert len({p.name for p in entry.params}) == len(entry.params)  # (in the order controls show them)
    assert {p.name for p in entry.params} == set(arguments), "every argument has a spec, so make() can set it"
    built = entry.cls()
    for p in entry.params:
        # the spec's default is what the constructor starts at (Reinforce's None means 0.5 for its
        # default controller), so a control starts where Strategy() starts
        assert getattr(built, p.name) == p.default, p.name
        assert p.label, f"{name}.{p.name} needs a label for its control"
        if p.choices is not None:
            assert p.default in p.choices
        elif p.kind in (int, float):
            assert p.low is not None and p.high is not None and p.low <= p.default <= p.high, p.name
            assert not p.log or p.low > 0


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_entry_makes_a_working_strategy(name, mlp_bench):
    entry = REGISTRY[name]
    strategy = entry.make()
    assert type(strategy) is entry.cls and STRATEGIES[name] is entry.cls
    assert entry.label and entry.lesson.isdigit()
    history = run_search(strategy, mlp_bench, budget=12, seed=0, progress=False)
    assert len(history) == 12
    # a control moved to either end of its range still makes a strategy that searches
    for p in entry.params:
        if p.kind in (int, float) and p.choices is None:
            for value in (p.low, p.high):
                overrides = {p.name: p.kind(value)}
                if name == "evolution":  # S may not exceed P
                    overrides = {"population_size": 50, "sample_size": 3, **overrides}
                    overrides["sample_size"] = min(overrides["sample_size"], overrides["population_size"])
                run_search(entry.make(**overrides), mlp_bench, budget=5, seed=0, progress=False)


def test_make_starts_from_the_defaults_and_checks_overrides():
    evo = get_strategy("evolution", population_size=20)
    assert (evo.population_size, evo.sample_size, evo.aging) == (20, 3, True)
    with pytest.raises(InputError, match="evolution has no parameter 'population'.*population_size, sample_size"):
        REGISTRY["evolution"].make(population=20)
    with pytest.raises(ValueError, match="population_size P"):
        REGISTRY["evolution"].make(population_size=0)
    # only overrides reach the constructor: the LSTM keeps its own learning rate
    assert REGISTRY["reinforce"].make(controller="lstm").learning_rate == 0.01
    assert REGISTRY["optuna"].make(sampler="random").sampler == "random"


def test_the_optuna_entry_is_called_optuna():
    assert "optuna" in REGISTRY and "tpe" not in REGISTRY
    assert REGISTRY["optuna"].param("sampler").choices == ("tpe", "random")


def test_variants_name_every_option_of_a_parameter_with_named_options():
    built = variants()
    assert set(REGISTRY) < set(built)
    assert built["reinforce-lstm"].controller == "lstm" and built["optuna-random"].sampler == "random"
    assert all(isinstance(s, Strategy) for s in built.values())
    assert built["evolution"] is not variants()["evolution"]  # fresh objects each time
    with pytest.raises(InputError, match="unknown strategy 'tpe'"):
        variants(["tpe"])


def test_register_refuses_a_param_the_constructor_does_not_take():
    with pytest.raises(TypeError, match="no constructor argument 'size'"):
        @register("broken", "Broken", [Param("size", 3, 1, 5, label="size")])
        class Broken(Strategy):
            def __init__(self, population: int = 3):
                self.population = population

            def ask(self):
                return self.space.sample(self.rng)
    assert "broken" not in REGISTRY


def test_a_new_strategy_file_is_all_it_takes():
    """Registering a class puts it in the registry; a name taken by another class is refused."""
    @register("test-first", "First architecture", lesson="99")
    class First(Strategy):
        def ask(self):
            return self.space.unique[0]
    try:
        assert list(REGISTRY)[-1] == "test-first" and REGISTRY["test-first"].make().__class__ is First
        with pytest.raises(ValueError, match="taken"):
            register("test-first", "Other")(type("Other", (First,), {}))
    finally:
        del REGISTRY["test-first"]


def test_parse_value_reads_command_line_text():
    assert parse_value(REGISTRY["evolution"].param("population_size"), "20") == 20
    assert parse_value(REGISTRY["evolution"].param("aging"), "False") is False
    assert parse_value(REGISTRY["reinforce"].param("learning_rate"), "0.1") == 0.1
    assert parse_value(REGISTRY["reinforce"].param("controller"), "lstm") == "lstm"
    with pytest.raises(InputError, match="factorized, lstm"):
        parse_value(REGISTRY["reinforce"].param("controller"), "gru")
    with pytest.raises(InputError, match="an integer"):
        parse_value(REGISTRY["evolution"].param("population_size"), "2.5")
    with pytest.raises(InputError, match="true or false"):
        parse_value(REGISTRY["evolution"].param("aging"), "yes")
