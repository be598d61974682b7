"""The analysis of a two-strategy study (nastutor.study, lesson 14): the probability of superiority
against lesson 07's U, the verdict of the two-sided rank test, the power of a study; and the
capstone's machinery: the plan its checkers use is the plan the lesson states, `use` runs the
learner's step or the reference, and q5 judges the conclusion on the runs the study kept."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import nastutor as nt
from nastutor.checks import InputError
from nastutor.compare import at_budget
from nastutor.exercises import ____, lesson14
from nastutor.study import Verdict, power, superiority, verdict

LESSON = Path(__file__).resolve().parent.parent / "lessons" / "14_capstone.py"


def test_superiority_is_one_minus_the_normalised_u_of_lesson_07():
    rng = np.random.default_rng(0)
    for a, b in [(rng.normal(size=7), rng.normal(0.3, 1, size=11)),
                 (np.round(rng.exponential(0.01, 30), 2), np.round(rng.exponential(0.01, 25), 2))]:   # ties
        u = stats.mannwhitneyu(a, b).statistic
        assert superiority(a, b) == pytest.approx(1 - u / (len(a) * len(b)))
        assert superiority(a, b) + superiority(b, a) == pytest.approx(1)
    assert superiority([1, 2], [3, 4]) == 1.0 and superiority([0, 0], [0, 0]) == 0.5


@pytest.mark.parametrize("bad", [[], [[1, 2]], ["x"], [np.nan], None])
def test_superiority_refuses_what_is_not_a_sample(bad):
    with pytest.raises(InputError):
        superiority(bad, [1.0])


def _runs(regrets: dict[str, list[float]]) -> pd.DataFrame:
    """compare()-like results: one evaluation per run, of cost 1, with the given final regrets."""
    rows = [{"strategy": name, "seed": seed, "step": 1, "total_cost": 1.0, "incumbent": "16relu",
             "val_regret": r, "test_regret": r} for name, values in regrets.items() for seed, r in enumerate(values)]
    return pd.DataFrame(rows)


def test_verdict_names_the_better_strategy_only_when_the_test_detects_it():
    clear = _runs({"a": [0.0] * 20, "b": [0.01] * 20})
    v = verdict(clear, "a", "b", budget=1)
    assert isinstance(v, Verdict) and v.better == "a" and v.effect == 1.0 and v.p < 0.05 and v.runs == 20
    assert verdict(clear, "b", "a", budget=1).better == "a"
    assert "a is better" in str(v)
    rng = np.random.default_rng(1)
    same = _runs({"a": list(rng.random(30)), "b": list(rng.random(30))})
    found = verdict(same, "a", "b", budget=1)
    assert found.p == pytest.approx(stats.mannwhitneyu(same.val_regret[:30], same.val_regret[30:]).pvalue)
    assert (found.better is None) == (found.p >= 0.05)


def test_verdict_reads_the_incumbents_at_a_budget_in_seconds():
    runs = nt.compare.compare({"random": nt.RandomSearch(), "evolution": nt.RegularizedEvolution()},
                              nt.TabularEvaluator("mlp-mnist1d"), budget=None, seconds=40, seeds=range(12))
    v = verdict(runs, "evolution", "random", seconds=20)
    final = at_budget(runs, seconds=20)
    e, r = (final.loc[final.strategy == s, "val_regret"] for s in ("evolution", "random"))
    assert v.p == pytest.approx(stats.mannwhitneyu(e, r).pvalue) and v.effect == pytest.approx(superiority(e, r))


@pytest.mark.parametrize("kwargs, message", [
    (dict(first="a", second="c", budget=1), "not among"), (dict(first="a", second="a", budget=1), "two different"),
    (dict(first="a", second="b"), "budget"), (dict(first="a", second="b", budget=1, metric="x"), "metric"),
    (dict(first="a", second="b", budget=1, alpha=2), "alpha")])
def test_verdict_refuses_bad_input_with_a_message(kwargs, message):
    with pytest.raises(InputError, match=message):
        verdict(_runs({"a": [0.0, 0.1], "b": [0.1, 0.2]}), **kwargs)


def test_power_is_alpha_without_an_effect_and_grows_with_it():
    assert power(0.5, 100, simulations=4000) == pytest.approx(0.05, abs=0.015)
    small, medium, large = (power(e, 100) for e in (0.55, 0.6, 0.7))
    assert small < medium < large and large > 0.95
    assert power(0.6, 30) < power(0.6, 100)
    assert power(0.55, 100, seed=3) == power(0.55, 100, seed=3)           # same seed, same result
    with pytest.raises(InputError):
        power(1.0, 100)


# -- the capstone's machinery ----------------------------------------------------------------

def test_the_lesson_states_the_plan_its_checkers_use(monkeypatch):
    source = LESSON.read_text()
    for line in (f"SEEDS = range({lesson14.RUNS})", f"TRAININGS = {lesson14.TRAININGS}", f"ALPHA = {lesson14.ALPHA}",
                 f'data = nt.load_dataset("{lesson14.DATASET}")',
                 'folder = Path(tempfile.gettempdir()) / f"nastutor-study-{getpass.getuser()}"'):
        assert line in source, line
    default, fast = (eval(text, {"nt": nt}) for text in re.findall(r"space = (nt\.MLPSpace\(.*\))", source))
    monkeypatch.delenv("NASTUTOR_FAST", raising=False)
    assert default.config() == lesson14.study_space().config()
    monkeypatch.setenv("NASTUTOR_FAST", "1")
    assert fast.config() == lesson14.study_space().config()
    monkeypatch.delenv("NASTUTOR_STUDY_DIR", raising=False)       # the tests' own folder (conftest)
    assert lesson14.study_folder().name.startswith("nastutor-study-")
    assert "seeds=(0, 1, 2)" in lesson14.q2.solution().text and lesson14.TABLE_SEEDS == (0, 1, 2)


def test_use_runs_the_reference_until_the_learners_step_passes(monkeypatch):
    monkeypatch.setattr(lesson14, "_KEPT", {})

    def unfinished(a, b):
        ____

    assert lesson14.use(lesson14.q4, unfinished).__wrapped__ is lesson14.superiority

    def mine(a, b):
        a, b = np.asarray(a, float), np.asarray(b, float)
        return float(np.mean(a[:, None] < b[None, :]) + 0.5 * np.mean(a[:, None] == b[None, :]))

    step = lesson14.use(lesson14.q4, mine)
    assert step.__wrapped__ is mine and step([0.0], [1.0]) == 1.0
    assert lesson14._KEPT["q4"] == ({"a": [0.0], "b": [1.0]}, 1.0)
    with pytest.raises(InputError):
        lesson14.use(lesson14.p1, mine)


def test_q5_judges_the_conclusion_on_the_runs_the_study_kept(monkeypatch):
    monkeypatch.setattr(lesson14, "_KEPT", {})
    ev = nt.TabularEvaluator("mlp-mnist1d")
    runs = lesson14.use(lesson14.q3, lesson14.run_study)(ev, 25.0, range(40))
    want = verdict(runs, "evolution", "random", seconds=25.0, alpha=lesson14.ALPHA)
    letter = {"evolution": "a", None: "b", "random": "c"}[want.better]
    assert lesson14.supported_conclusion() == letter
    assert lesson14.q5.check(letter).correct and not lesson14.q5.check("d").correct
    # the solution shown to the learner, run on the notebook's variables, reaches the same letter
    final = at_budget(runs, seconds=25.0)
    evo, rnd = (final.loc[final["strategy"] == s, "val_regret"].to_numpy() for s in ("evolution", "random"))
    scope = {"p": stats.mannwhitneyu(evo, rnd, alternative="two-sided").pvalue, "effect": superiority(evo, rnd),
             "ALPHA": lesson14.ALPHA}
    exec(lesson14.q5.solution().text.split("```python")[1].split("```")[0], scope)
    assert scope["conclusion"] == letter
    # a study whose evolution runs all end at the optimum: "a", whatever the shipped table says
    clear = _runs({"evolution": [0.0] * 30, "random": [0.01] * 30})
    lesson14._KEPT["q3"] = ({"ev": ev, "seconds": 1.0, "seeds": range(30)}, clear)
    assert lesson14.supported_conclusion() == "a" and lesson14.q5.check("(A)").correct
