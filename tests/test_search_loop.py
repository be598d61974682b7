"""The loop the lessons show (`search_loop`), the same loop inside `run_search`, and tickets:
each `tell` is matched to its own `ask`, even with the same architecture in flight twice (issue 12)."""
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import HashEvaluator
from nastutor.checks import InputError
from nastutor.evaluators import Evaluation, Evaluator, TabularEvaluator
from nastutor.search import run_search, search_loop
from nastutor.spaces import MLPSpace
from nastutor.strategies import GridSearch, OptunaSampler, Reinforce, SuccessiveHalving, variants


@pytest.fixture(scope="module")
def mlp_bench():
    return TabularEvaluator("mlp-mnist1d")


class SeedEvaluator(Evaluator):
    """Scores that depend on the evaluation's seed alone: two evaluations of one architecture
    get different scores, so a tell matched to the wrong ask shows."""

    def __init__(self, space):
        self.space, self.max_epochs = space, 10

    def evaluate(self, arch, *, epochs=None, seed=0):
        score = (seed % 9973) / 9973
        return Evaluation(arch, score, score, 1.0, self.check_epochs(epochs), seed)


def two_archs() -> MLPSpace:
    return MLPSpace(widths=(16, 32), activations=("relu",), max_depth=1)


@pytest.mark.parametrize("name", list(variants()))
def test_search_loop_and_run_search_give_the_same_search(name, mlp_bench):
    loop = search_loop(variants([name.split("-")[0]])[name], mlp_bench, budget=25, seed=3)
    full = run_search(variants([name.split("-")[0]])[name], mlp_bench, budget=25, seed=3, progress=False)
    assert len(loop) == 25
    assert loop.evaluations == full.evaluations
    assert [e.step for e in loop] == [e.step for e in full] == list(range(25))


def test_search_loop_stops_when_the_grid_is_done():
    space = two_archs()
    history = search_loop(GridSearch(), HashEvaluator(space), budget=10, seed=0)
    assert [e.arch for e in history] == list(space.unique)
    assert history.evaluations == run_search(GridSearch(), HashEvaluator(space), 10, progress=False).evaluations


def test_search_loop_checks_its_budget(mlp):
    with pytest.raises(InputError, match="budget must be an integer >= 1"):
        search_loop(GridSearch(), HashEvaluator(mlp), budget=0)


def test_a_tell_finds_its_own_ask_when_told_out_of_order():
    """The same architecture asked twice, told last-asked first: each Optuna trial gets the score
    of its own ask. Matched by architecture, the first trial would get the last score."""
    space = two_archs()
    optuna = OptunaSampler("random")
    optuna.setup(space, seed=0)
    asks = [optuna.ask() for _ in range(6)]  # two architectures: some must repeat
    assert len(set(asks)) < len(asks)
    scores = [0.1 * (k + 1) for k in range(len(asks))]
    for step in reversed(range(len(asks))):
        optuna.tell(asks[step], Evaluation(asks[step], scores[step], scores[step], 1.0, 10, 0, step=step))
    assert [t.value for t in optuna.study.trials] == scores


def test_a_hand_written_loop_without_steps_still_works():
    """The lessons' loop tells each result right after its ask, with no step: matched to the
    oldest pending ask of that architecture."""
    space = two_archs()
    optuna = OptunaSampler("random")
    optuna.setup(space, seed=0)
    asks = [optuna.ask() for _ in range(4)]
    for k, arch in enumerate(asks):
        optuna.tell(arch, Evaluation(arch, 0.1 * (k + 1), 0.5, 1.0, 10, 0))
    assert [t.value for t in optuna.study.trials] == pytest.approx([0.1, 0.2, 0.3, 0.4])
    with pytest.raises(InputError, match="was not asked for"):
        optuna.tell(asks[0], Evaluation(asks[0], 0.5, 0.5, 1.0, 10, 0))


def test_a_stamped_step_names_its_ask_and_no_other():
    """A tell stamped with a step must answer that very ask: another architecture, or an ask told
    already, is refused rather than matched to some other pending ask of the same architecture."""
    space = two_archs()
    optuna = OptunaSampler("random")
    optuna.setup(space, seed=0)
    asks = [optuna.ask() for _ in range(6)]
    other = next(a for a in space.unique if a != asks[0])
    with pytest.raises(InputError, match="for ask 0, but OptunaSampler's ask 0 was"):
        optuna.tell(other, Evaluation(other, 0.5, 0.5, 1.0, 10, 0, step=0))
    optuna.tell(asks[0], Evaluation(asks[0], 0.5, 0.5, 1.0, 10, 0, step=0))
    with pytest.raises(InputError, match="ask 0 was told already"):
        optuna.tell(asks[0], Evaluation(asks[0], 0.5, 0.5, 1.0, 10, 0, step=0))


@pytest.mark.parametrize("workers", [1, 4])
def test_a_parallel_search_with_the_same_architecture_in_flight_twice(workers):
    """Four evaluations in flight over a space of two architectures: the same one is always in
    flight more than once. Every Optuna trial holds the score of the evaluation of its own ask,
    and REINFORCE learns the same policy as a serial search."""
    space, budget = two_archs(), 16
    evaluator = SeedEvaluator(space)
    optuna = OptunaSampler("random")
    with ThreadPoolExecutor(workers) as pool:
        history = run_search(optuna, evaluator, budget, seed=2, executor=pool, progress=False)
    archs = [e.arch for e in history]
    assert any(archs[k] in archs[k + 1:k + workers] for k in range(budget)) == (workers > 1)
    trials = optuna.study.trials
    assert [t.number for t in trials] == [e.step for e in history] == list(range(budget))
    assert [t.value for t in trials] == [e.val_accuracy for e in history]
    assert [space.decide(lambda name, options: t.params[name]) for t in trials] == archs

    serial = run_search(Reinforce(), evaluator, budget, seed=2, progress=False)
    with ThreadPoolExecutor(workers) as pool:
        rl = Reinforce()
        parallel = run_search(rl, evaluator, budget, seed=2, executor=pool, progress=False)
    assert parallel.evaluations == serial.evaluations and not rl._pending


def test_successive_halving_keeps_rung_and_extra_asks_apart():
    """An extra architecture asked while a rung waits is told as an extra even when it is the
    same architecture as a rung member still waiting, and its result arrives first."""
    space = two_archs()
    for seed in range(100):  # a rung of 4 with the extra's architecture once or twice, the other twice or more
        sh = SuccessiveHalving(n=4, eta=2)
        sh.setup(space, seed=seed, max_epochs=4)
        rung = [sh.ask() for _ in range(4)]
        extra = sh.ask()  # the rung waits for results: an extra for the next bracket
        if 1 <= rung.count(extra) <= 2:
            break
    assert sh.fidelity() == sh.rungs[0][1] == 1
    # the extra scores best, its architecture scores worst in the rung: were the extra's result
    # taken for the rung's, that architecture would be promoted
    told = [(4, extra, 0.9)] + [(k, a, 0.1 if a == extra else 0.5) for k, a in enumerate(rung)]
    for step, arch, score in told:
        sh.tell(arch, Evaluation(arch, score, score, 1.0, 1, 0, step=step))
    assert sh.rung == 1 and sh._spare == [extra]
    assert sh._queue == [a for a in rung if a != extra][:2]


def test_logs_keep_the_step_and_old_logs_without_it_still_resume(tmp_path):
    space, log = two_archs(), tmp_path / "search.jsonl"
    first = run_search(Reinforce(), SeedEvaluator(space), 6, seed=1, log=log, progress=False)
    lines = log.read_text().splitlines()
    assert [json.loads(line)["step"] for line in lines[1:]] == list(range(6))
    old = [lines[0]] + [json.dumps({k: v for k, v in json.loads(line).items() if k != "step"}) for line in lines[1:]]
    log.write_text("\n".join(old) + "\n")
    resumed = run_search(Reinforce(), SeedEvaluator(space), 10, seed=1, log=log, progress=False)
    assert resumed.evaluations[:6] == first.evaluations and [e.step for e in resumed] == list(range(10))
    assert resumed.evaluations == run_search(Reinforce(), SeedEvaluator(space), 10, seed=1, progress=False).evaluations
