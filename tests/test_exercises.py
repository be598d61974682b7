"""The exercise machinery, and every lesson's exercises: the reference answer passes, each wrong
answer listed in tests/exercise_cases/ fails, the placeholder is "not attempted", and code that
raises gets a kind message."""
from __future__ import annotations

import numpy as np
import pytest

from exercise_cases import listed, wrong_answers
from nastutor.compare import summarize
from nastutor.exercises import ____, Exercise, Incorrect, exercises_of, lessons, lesson07, same

@pytest.fixture(autouse=True)
def _progress_elsewhere(tmp_path, monkeypatch):
    """A correct check records the pass (progress()): here, in a temporary file, not the learner's."""
    monkeypatch.setenv("NASTUTOR_PROGRESS", str(tmp_path / "progress.json"))


ALL = [(lesson, ex) for lesson in lessons() for ex in exercises_of(lesson)]
IDS = [f"{lesson}.{ex.name}" for lesson, ex in ALL]


def square_count() -> Exercise:
    return Exercise("q1", var="count", expected=lambda: 4 ** 6, hint=["one", "two"],
                    solution="count = 4 ** 6  # 4 operations on each of 6 edges")


def test_value_exercise_statuses():
    ex = square_count()
    assert ex.check(4096).status == "correct"
    assert ex.check(4096.0000001).status == "correct"  # tolerance
    assert ex.check(24).status == "incorrect"
    assert ex.check(____).status == "not attempted"
    assert ex.check("4096").status == "incorrect"


def test_check_reads_the_notebook_variable():
    ex = square_count()
    count = ____
    assert ex.check().status == "not attempted"  # not a global here, so "define it first"
    globals()["count"] = 4096
    try:
        assert ex.check().status == "correct"
    finally:
        del globals()["count"]
    assert count is ____


def test_incorrect_never_reveals_the_expected_value():
    for answer in (1, 5000, 4095, "x", [1, 2]):
        assert "4096" not in square_count().check(answer).message


def test_learner_exceptions_become_messages():
    def checker(f):
        if f(3) != 9:
            raise Incorrect("f(3) should be 9")

    ex = Exercise("q2", var="f", checker=checker, reference=lambda: (lambda x: x * x), hint="square")

    def broken(x):
        return x / 0

    result = ex.check(broken)
    assert result.status == "incorrect"
    assert "ZeroDivisionError" in result.message and "broken" in result.message
    assert ex.check(lambda x: ____).status == "not attempted"
    assert ex.check(lambda x: x + x).message.startswith("f(3) should be 9")
    assert "x * x" in ex.solution().text


def test_hints_advance_and_render():
    ex = square_count()
    assert ex.hint().text == "one" and ex.hint().text == "two" and ex.hint().text == "two"
    assert "Correct" in ex.check(4096)._repr_html_()
    assert "4 ** 6" in ex.solution().text


def test_same_compares_arrays_and_sequences():
    same(np.array([1.0, 2.0]), [1.0, 2.0])
    with pytest.raises(Incorrect, match="1 of 2"):
        same([1.0, 3.0], [1.0, 2.0])
    with pytest.raises(Incorrect, match="shape"):
        same([1.0], [1.0, 2.0])
    with pytest.raises(Incorrect):
        same(True, False)


def test_an_exercise_needs_exactly_one_way_to_judge():
    with pytest.raises(ValueError, match="exactly one"):
        Exercise("q", var="x", hint="h")
    with pytest.raises(ValueError, match="reference"):
        Exercise("q", var="x", hint="h", checker=lambda a: None)
    with pytest.raises(ValueError, match="solution"):
        Exercise("q", var="x", hint="h", expected=lambda: 1)


def _boom(*args, **kwargs):
    raise RuntimeError("boom")


@pytest.mark.parametrize("lesson, ex", ALL, ids=IDS)
def test_lesson_exercise(lesson, ex):
    assert ex.check(ex.reference).status == "correct", ex.check(ex.reference).message
    assert ex.check(____).status == "not attempted"
    wrong = wrong_answers(lesson, ex.name)
    assert wrong, f"{lesson}.{ex.name} has no wrong answer in tests/exercise_cases/{lesson}.py"
    for bad in wrong:
        result = ex.check(bad)
        assert result.status == "incorrect", (bad, result)
    if callable(ex.reference):
        result = ex.check(_boom)
        assert result.status == "incorrect" and "RuntimeError" in result.message
    assert ex.hint().text and ex.solution().text


@pytest.mark.parametrize("lesson", lessons())
def test_wrong_answers_are_listed_for_exercises_that_exist(lesson):
    """A wrong-answer list under a name no exercise has would never be checked."""
    names = [ex.name for ex in exercises_of(lesson)]
    assert [name for name in listed(lesson) if name not in names] == []


def test_exercises_carry_no_wrong_answers():
    """The wrong answers live in the tests, not in the package the learner imports."""
    for lesson, ex in ALL:
        assert not hasattr(ex, "wrong"), f"{lesson}.{ex.name}"
    with pytest.raises(TypeError):
        Exercise("q", var="x", hint="h", expected=lambda: 1, solution="x = 1", wrong=[2])


def test_lesson07_q4_solution_reaches_the_reference_judgements():
    """The solution shown to the learner, run on the comparison the checker uses, judges every
    claim as the checker does."""
    code = lesson07.q4.solution().text.strip().removeprefix("```python").removesuffix("```")
    scope = {"runs": lesson07._claim_runs(), "summarize": summarize}
    exec(code, scope)
    assert scope["claims"] == lesson07.supported_claims()
    assert lesson07.q4.check(scope["claims"]).status == "correct"


def test_code_that_still_holds_the_placeholder_is_not_attempted():
    def checker(f):
        raise Incorrect("never reached")

    ex = Exercise("q3", var="f", checker=checker, reference=lambda: (lambda x: x), hint="h")

    def untouched(x):
        ____  # your code here

    class Untouched:
        def ask(self):
            ____

    assert ex.check(untouched).status == "not attempted"
    assert ex.check(Untouched).status == "not attempted"
    assert ex.check(lambda x: x).status == "incorrect"


# -- issue 20: numbers, float32, library calls, nearly-right answers ----------------------------

def _float32(value):
    """`value` as a float32 computation would give it: numbers, arrays, and sequences of them."""
    if isinstance(value, (float, np.floating)):
        return float(np.float32(value))
    if isinstance(value, np.ndarray):
        return value.astype(np.float32)
    if isinstance(value, (list, tuple)):
        return type(value)(_float32(v) for v in value)
    return value


#: Exercises whose answer is a function returning numbers: float32 results must be accepted.
FLOAT32 = ["lesson01.q2", "lesson01.q3", "lesson03.q1", "lesson03.q2", "lesson04.q2", "lesson04.q3",
           "lesson06.q1", "lesson06.q2", "lesson07.q1", "lesson07.q2", "lesson07.q3"]


@pytest.mark.parametrize("name", FLOAT32)
def test_float32_arithmetic_is_accepted(name):
    lesson, q = name.split(".")
    ex = next(e for e in exercises_of(lesson) if e.name == q)
    reference = ex.reference

    def in_float32(*args):
        return _float32(reference(*args))

    assert ex.check(in_float32).status == "correct", ex.check(in_float32).message


def test_lesson01_q3_accepts_the_torch_float32_mean():
    """The walkthrough's rejected answer: a float32 mean computed by PyTorch."""
    import torch

    from nastutor.exercises import lesson01

    def val_accuracy(model, data):
        with torch.no_grad():
            pred = model(torch.tensor(data.x_val)).argmax(dim=1)
        return (pred == torch.tensor(data.y_val)).float().mean().item()

    def as_tensor(model, data):                      # the 0-d tensor itself, without .item()
        with torch.no_grad():
            pred = model(torch.tensor(data.x_val)).argmax(dim=1)
        return (pred == torch.tensor(data.y_val)).float().mean()

    assert lesson01.q3.check(val_accuracy).correct, lesson01.q3.check(val_accuracy).message
    assert lesson01.q3.check(as_tensor).correct, lesson01.q3.check(as_tensor).message


def _message(lesson: str, q: str, answer) -> str:
    ex = next(e for e in exercises_of(lesson) if e.name == q)
    result = ex.check(answer)
    assert result.status == "incorrect", result
    return result.message


def test_a_string_or_a_bool_is_not_a_number():
    from nastutor.exercises.lesson01 import seed_std

    assert "string" in _message("lesson01", "q2", lambda b, a: str(seed_std(b, a)))
    assert "bool" in _message("lesson01", "q2", lambda b, a: True)
    assert "string" in _message("lesson03", "q2", lambda bench, e: "0.5")
    assert "string" in _message("lesson07", "q2", lambda a, b: str(lesson07.mann_whitney_u(a, b)))
    assert "string" in _message("lesson04", "q3", lambda h, b: ["0.0"] * len(h))
    assert "bool" in _message("lesson03", "q3", True)
    with pytest.raises(Incorrect, match="string"):
        same("4096", 4096)
    with pytest.raises(Incorrect, match="True or False"):
        same(1, True)


def test_nearly_right_answers_name_their_cause():
    from nastutor.exercises.lesson01 import seed_std

    assert "rounded to 3 decimals" in _message("lesson01", "q2", lambda b, a: round(seed_std(b, a), 3))
    nan = _message("lesson01", "q2", lambda b, a: float("nan"))
    assert "NaN" in nan and "too large" not in nan and "too small" not in nan
    reversed_ = _message("lesson07", "q1", lambda v, c=0.95: lesson07.confidence_interval(v, c)[::-1])
    assert "reversed" in reversed_
    assert "percentage" in _message("lesson07", "q3", lambda a, b, permutations=10_000, seed=0: 42.0)
    from nastutor.exercises.lesson03 import fraction_saved
    assert "spent" in _message("lesson03", "q2", lambda bench, e: 1 - fraction_saved(bench, e))
    # the walkthrough's three (issue 20): a position used as a label, epochs for seconds, a tie that switches
    assert ".iloc" in _message("lesson01", "q1", lambda f: f["arch"][int(np.argmax(f["val_accuracy"].to_numpy()))])
    assert "not seconds" in _message("lesson03", "q2", lambda bench, e: 1 - e / bench.epochs)
    from nastutor.exercises.lesson04 import _latest_among_ties
    assert "strictly better" in _message("lesson04", "q3", _latest_among_ties)


LIBRARY = [  # (lesson, exercise, the learner's answer calling the library, the name the message gives)
    ("lesson02", "q2", lambda arch, rng, space: space.mutate(arch, rng), "space.mutate"),
    ("lesson03", "q1", lambda x, y: __import__("scipy.stats").stats.kendalltau(x, y).statistic,
     "scipy.stats.kendalltau"),
    ("lesson07", "q2", lambda a, b: __import__("scipy.stats").stats.mannwhitneyu(a, b).statistic,
     "scipy.stats.mannwhitneyu"),
    ("lesson07", "q3", lambda a, b, permutations=10_000, seed=0:
        __import__("scipy.stats").stats.mannwhitneyu(a, b, alternative="less").pvalue, "scipy.stats.mannwhitneyu"),
]


@pytest.mark.parametrize("lesson, q, answer, name", LIBRARY, ids=[f"{x[0]}.{x[1]}" for x in LIBRARY])
def test_implement_exercises_refuse_the_library_call_kindly(lesson, q, answer, name):
    message = _message(lesson, q, answer)
    assert name in message and "yourself" in message


def test_the_library_check_reads_code_without_source_and_follows_helpers():
    """Code made by `exec` has no source file: its bytecode is read all the same, a correct answer
    passes, one that calls the library is refused, also through a helper of the learner's."""
    from nastutor.exercises import lesson03

    scope: dict = {}
    exec("import numpy as np\nfrom scipy import stats\n"
         "def right(x, y):\n"
         "    i, j = np.triu_indices(len(x), k=1)\n"
         "    sx, sy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])\n"
         "    return float(np.sum(sx * sy) / np.sqrt(np.sum(sx ** 2) * np.sum(sy ** 2)))\n"
         "def helper(x, y):\n    return stats.kendalltau(x, y).statistic\n"
         "def wrong(x, y):\n    return helper(x, y)\n", scope)
    assert lesson03.q1.check(scope["right"]).correct
    assert "kendalltau" in lesson03.q1.check(scope["wrong"]).message


def test_a_local_name_like_a_library_function_is_not_a_call():
    """A variable called `entropy` in 06.q2 is the learner's own, not scipy's function."""
    from nastutor.exercises import lesson06

    def entropy_and_gradient(logits):
        h, grad = lesson06.entropy_and_gradient(logits)
        entropy = h
        return entropy, grad

    assert lesson06.q2.check(entropy_and_gradient).correct


def test_strategy_exercises_refuse_nastutors_own_strategies():
    import nastutor as nt

    assert "nt.RandomSearch" in _message("lesson04", "q1", lambda: nt.RandomSearch())
    assert "subclass" in _message("lesson04", "q1", type("MyRandomSearch", (nt.RandomSearch,), {}))
    assert "space.sample" in _message("lesson04", "q1", type("MyRandomSearch", (nt.Strategy,),
                                                            {"ask": lambda self: self.space.sample(self.rng)}))
    assert "nt.RegularizedEvolution" in _message("lesson05", "q3", nt.RegularizedEvolution)
    assert "nt.Reinforce" in _message("lesson06", "q3", nt.Reinforce)


def test_random_search_must_reach_every_architecture():
    """Issue 20: a sampler that never draws the last architecture was accepted."""
    from exercise_cases.lesson04 import _NeverTheLast

    message = _message("lesson04", "q1", _NeverTheLast)
    assert "never appeared" in message and "off-by-one" in message


def _question(**kwargs):
    from nastutor.exercises import Question

    return Question("p1", expected=lambda: "b", why="Because the data say so.", hint="Look at the table.",
                    choices={"a": "fewer", "b": "more", "c": "the same"}, **kwargs)


def test_a_question_accepts_its_letter_in_any_usual_spelling():
    p = _question()
    for answer in ("b", "B", " b ", "(b)", "(B) "):
        result = p.check(answer)
        assert result.correct, answer
        assert "Because the data say so." in result.message     # the why comes with the verdict


def test_a_question_refuses_other_letters_and_non_letters_naming_the_choices():
    p = _question()
    assert p.check("a").status == "incorrect" and "(a)" in p.check("a").message
    for bad in ("d", "", 2, None, ["b"], "b or c"):
        result = p.check(bad)
        assert result.status == "incorrect" and "a, b, c" in result.message, bad
    assert "Because" not in p.check("a").message                 # no explanation before the answer is right


def test_a_question_without_an_answer_is_not_attempted():
    p = _question()
    assert p.check(____).status == "not attempted"
    assert p.check().status == "not attempted" and "p1.check(" in p.check().message


def test_a_question_reads_its_answer_variable_and_its_solution_sets_it():
    p = _question()
    scope: dict = {"p": p}
    exec(p.solution().text.split("```python")[1].split("```")[0], scope)
    assert scope["p1_answer"] == "b"
    exec("result = p.check()", scope)
    assert scope["result"].correct


def test_a_numeric_question_compares_with_a_tolerance():
    from nastutor.exercises import Question

    p = Question("p2", expected=lambda: 941, why="Many raw cells compute the same function.",
                 hint="Count canonical forms.", rel=0.05)
    assert p.check(941).correct and p.check(960).correct
    assert p.check(4096).status == "incorrect" and p.check("941").status == "incorrect"


def test_a_lesson_question_records_progress(tmp_path):
    from nastutor.exercises import Question, progress
    from nastutor.exercises._progress import _load, progress_path

    lesson_module = type(__import__("sys"))("nastutor.exercises.lesson99")
    exec("from nastutor.exercises import Question\n"
         "p1 = Question('p1', expected=lambda: 'a', why='w', hint='h', choices={'a': 'x', 'b': 'y'})",
         lesson_module.__dict__)
    p1 = lesson_module.p1
    assert isinstance(p1, Question) and p1.lesson == "lesson99"
    assert p1.check("a").correct
    assert "lesson99.p1" in _load(progress_path())
    assert set(progress().exercise) >= {"q1"}                      # the real lessons are still listed


def test_lesson14_q2_never_lets_a_learners_build_into_the_shipped_data_folder():
    """Walkthrough finding: a `ground_truth` that forgets `folder=` used to build into data/ and
    add checksums to the tracked MANIFEST.json. The check now gives it a stand-in folder."""
    from nastutor.benchmark import Benchmark, build_benchmark
    from nastutor.data import data_dir
    from nastutor.exercises import lesson14

    def forgets_the_folder(space, folder):
        return Benchmark.load(build_benchmark(space, "digits", seeds=(0, 1, 2), progress=False))

    def files():
        return sorted(p.name for p in data_dir().iterdir()), (data_dir() / "MANIFEST.json").read_bytes()

    before = files()
    result = lesson14.q2.check(forgets_the_folder)
    assert result.status == "incorrect" and "folder=folder" in result.message, result
    assert files() == before
