"""Prose that can't drift: every number a lesson's markdown states is printed or asserted by code.

The lessons' numbers must come from real training or from the shipped benchmarks, and must not
silently become false when a benchmark is rebuilt or a protocol changes. So a number may appear in
a lesson's prose only inside a phrase registered in `PHRASES` below, and every phrase says where
its numbers come from:

- `code(snippet, ...)`: each snippet occurs verbatim in one of the lesson's code cells, and every
  number of the phrase is a literal of one of the snippets. A snippet that starts with `assert`
  must start an assert statement, so the claim is checked each time the notebook runs
  (test_notebooks.py runs them all); a snippet such as `SEEDS = range(50)` ties "50 seeds" to the
  protocol the code really runs. A phrase that claims an equality ("reproduced exactly") needs
  an assert among its snippets.
- `fixed(reason)`: a number that no rebuild or protocol change can make false (a citation year,
  a mathematical fact, a description of an exercise's checker), with the reason.

Numbers that a cell prints are not typed into the prose at all: the prose says "the cell above
prints ...". What counts as a number: numerals (12, 0.8, 95%, 20,000, 19×), spelled-out
quantities (three, a third, half, dozens, an order of magnitude) and equality words (exactly,
identical, reproduce). What does not: math ($...$), code (`...`), link targets, names that
contain digits (NAS-Bench-201, MNIST-1D), references to lessons, sections, exercises, nodes, and
the numbers of headings and list items. The test is static: it reads the notebooks, runs nothing.
"""
from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@dataclass(frozen=True)
class Backing:
    kind: str                      # "code" or "fixed"
    snippets: tuple[str, ...] = ()
    reason: str = ""


def code(*snippets: str) -> Backing:
    """The phrase's numbers are literals of these snippets of the lesson's code cells."""
    return Backing("code", snippets=snippets)


def fixed(reason: str) -> Backing:
    """The phrase's numbers cannot drift, for this reason."""
    return Backing("fixed", reason=reason)


# ---------------------------------------------------------------------------------------------
# What is not prose. Each pattern is blanked out (same length, newlines kept) before the scan.
NAMES = ["NAS-Bench-201", "NAS-Bench-101", "MNIST-1D", "1-D", "half-width", "CIFAR-10"]   # names and terms, not quantities
NOT_PROSE = [
    r"<!--.*?-->",                                             # HTML comments
    r"```.*?```",                                              # fenced code
    r"\$\$.*?\$\$",                                            # display math
    r"(?<!\\)\$[^$\n]*(?:\n[^$\n]*)?\$",                       # inline math (may wrap once)
    r"`[^`]*`",                                                # inline code
    r"\]\([^)]*\)",                                            # link targets
    r"https?://\S+",
    *[re.escape(name) for name in NAMES],
    r"(?m)^[ \t>]*#+[ \t]*\d+[a-z]?(?:\.\d+)*\.?",             # heading numbers: "## 3.", "### 4a."
    r"(?m)^[ \t>]*\d+\.(?=\s)",                                # numbered list items
    r"\b[Ll]essons? \d\d(?:(?:,| and| to| or) \d\d)*",        # references: lesson 04, lessons 04 to 14
    r"(?<![\w.,])0\d(?![\w.,%])",                              # lesson numbers elsewhere (tables: | 04 |)
    r"(?<![\w.,])\d\d(?= · )",                                  # a lesson's number before its title: 14 · Your own
    r"\b[Ss]ections? \d+(?:\.\d+)?(?:(?:,| and| to) \d+(?:\.\d+)?)*",
    r"Try it yourself \d+",
    r"\b[Nn]odes? \d(?:(?:,| and) \d)*",                       # node names of a cell: node 0 ... node 3
]
NUMBER = r"(?<![\w.])(?:1/\d+|\d+(?:,\d{3})*(?:\.\d+)?(?:[ \t]?%|×)?)(?!\w)"   # 12, 0.8, 95%, 20,000, 19×, 1/1000
WORD_VALUES = {
    "three": {3}, "four": {4}, "five": {5}, "six": {6}, "seven": {7}, "eight": {8}, "nine": {9},
    "ten": {10}, "eleven": {11}, "twelve": {12}, "fifteen": {15}, "twenty": {20}, "thirty": {30},
    "fifty": {50}, "hundred": {100}, "thousand": {1000}, "twice": {2}, "half": {2, 0.5},
    "halves": {2, 0.5}, "third": {3, 1 / 3}, "thirds": {3, 1 / 3}, "quarter": {4, 0.25},
    "tenth": {10, 0.1}, "tenths": {10, 0.1}, "hundredths": {100, 0.01}, "order of magnitude": {10},
    # vague quantities: no code literal can back them, only a reason (or better prose)
    "dozen": set(), "dozens": set(), "hundreds": set(), "thousands": set(),
}
EQUALITY = r"exactly|identical(?:ly)?|reproduc(?:e|es|ed|ing|tion)"
WORDS = "|".join(word.replace(" ", r"\s+") for word in sorted(WORD_VALUES, key=len, reverse=True))
CLAIM = re.compile(rf"{NUMBER}|\b(?:{WORDS}|{EQUALITY})\b", re.IGNORECASE)


def prose(markdown: str) -> str:
    """The markdown with everything that is not prose blanked out; positions are kept."""
    text = markdown
    for pattern in NOT_PROSE:
        text = re.sub(pattern, lambda m: re.sub(r"[^\n]", " ", m.group()), text, flags=re.S)
    return text


def claims(markdown: str) -> list[re.Match]:
    return list(CLAIM.finditer(prose(markdown)))


def values(token: str) -> set[float]:
    """The values a number or a spelled quantity may take in code."""
    word = re.sub(r"\s+", " ", token.lower())
    if word in WORD_VALUES:
        return {float(v) for v in WORD_VALUES[word]}
    if re.fullmatch(EQUALITY, word):
        return set()
    if "/" in token:                                   # 1/1000: the fraction or its denominator
        denominator = float(token.split("/")[1])
        return {1 / denominator, denominator}
    number = float(re.sub(r"[^\d.]", "", token.replace(",", "")))
    return {number, number / 100} if token.endswith("%") else {number}


def literals(snippet: str) -> set[float]:
    return {float(m.group().replace("_", "")) for m in re.finditer(r"(?<![\w.])\d[\d_]*(?:\.\d+)?", snippet)}


def phrase_pattern(phrase: str) -> re.Pattern:
    return re.compile(r"\s+".join(re.escape(word) for word in phrase.split()))


@functools.lru_cache(maxsize=None)
def cells_of(path: Path) -> tuple[tuple[str, str], ...]:
    return tuple((c.cell_type, c.source) for c in nbformat.read(path, as_version=4).cells)


def markdown_of(path: Path) -> list[str]:
    return [source for kind, source in cells_of(path) if kind == "markdown"]


def code_of(path: Path) -> list[str]:
    return [source for kind, source in cells_of(path) if kind == "code"]


def assert_lines(sources: list[str]) -> list[str]:
    """The source text of every assert statement of the code cells (IPython magics aside)."""
    found = []
    for source in sources:
        clean = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
        for node in ast.walk(ast.parse(clean)):
            if isinstance(node, ast.Assert):
                found.append(ast.get_source_segment(clean, node))
    return found


# ---------------------------------------------------------------------------------------------
# The registry: for each lesson, every phrase of its prose that states a number, and its backing.
# Phrases match the markdown source with any whitespace between words. Snippets used more than once
# are named after the lesson.
CITATION = "the year of a cited publication"
OPTION = "an answer option of a prediction question; the checker computes which option is right"
WORKED = "a worked example of the bracket formula (bracket_schedule's doctest and q3's checker compute it)"
L08_FACTS = "assert space.size == 4096 and len(bench) == 941 and bench.epochs == 12"
L08_PROTOCOL = "assert len(SEEDS) == 100 and SECONDS == (100, 200, 400) and nt.SuccessiveHalving().min_epochs == 1"
L12_FACTS = "assert len(table) == 941 and all(b.epochs == 12 and len(b.seeds) == 3 for b in benches.values())"
L12_DATA = ('assert [(d.num_features, d.num_classes) for d in map(nt.load_dataset, ("mnist1d", "digits"))] '
            '== [(40, 10), (64, 10)]')
L12_PROTOCOL = ("assert len(SEEDS) == 100 and SECONDS == (100, 400) and TOP == 10 == "
                "nt.RegularizedEvolution().population_size")
MEDIAN = "the definition of the median: it is finite while more than half of the values are"
L13_PROTOCOL = "assert len(SEEDS) == 100 and WORKERS == (1, 2, 4, 8, 16, 32, 64, 128, 256) and TARGET == 0.5 / 100"
MATH = "a mathematical statement, true whatever the data"
SPLITS = "the course's three splits: train, validation, test"
SEEDS_3 = "assert len(bench.seeds) == 3"


def option(lesson: str) -> str:
    """Why the numbers of a "predict, then run" question's options cannot drift."""
    return (f"an option of a predict-then-run question, not a claim: nastutor/exercises/lesson{lesson}.py computes "
            "from the real space or benchmark which option is right (tests/test_exercises.py fails if that changes)")


L02_CELL = "assert len({node for edge in EDGES for node in edge}) == 4 and len(EDGES) == 6 and len(OPS) == 4"
L02_CHOICES = "assert per_layer == 9 and len(OPS) == 4"
L02_THE_THREE = "the three cells of the cell above"
L03_BENCH = "assert len(bench) == 941 and len(bench.seeds) == 3 and bench.epochs == 12"
L03_EXACT = ("bit for bit on a CPU like the one that built the benchmark: asserted by tests/test_benchmark.py::"
             "test_rows_reproduce_with_the_live_code on every change; the lesson asserts a gap <= 0.02 so that "
             "it runs on any CPU")
L04_CELLS = "assert space.size == 4096 and len(bench) == 941 and len(bench.seeds) == 3"
L04_MLP = "assert len(mlp_bench) == 819 and mlp_bench.epochs == 50"
L04_RUNS = "N_RUNS, MAX_N = 200, 200"
L05_CELLS = "assert space.size == 4096 and len(bench.seeds) == 3"
L05_RUNS = "runs = compare(strategies, ev, budget=200, seeds=range(100))"
L05_STUDY = "BUDGET, SEEDS = 200, 100"
L06_DECISIONS = "assert len(space.decisions) == 6 and all(len(options) == 4 for _, options in space.decisions)"
L06_RUNS = "BUDGET, SEEDS = 200, 100"
L06_DECAY = "the meaning of the decay's range, a definition"
L06_SLIDER = "a setting to try with the slider (its range is 0.01 to 100)"
L07_PROTOCOL = "SEEDS, BUDGET, SECONDS = range(50), 100, 400"
L07_PAIR = "seeds=range(500))"
L07_CI = "the textbook definition of a confidence interval"
L07_P = "p[:, -1] < 0.05"

PHRASES: dict[str, dict[str, Backing]] = {
    "00_welcome": {
        "(Greydanus, 2020)": fixed(CITATION),
        "a 1-D signal of length 40": code("assert (data.num_features, data.num_classes) == (40, 10)"),
        "one of 10 digits": code("assert (data.num_features, data.num_classes) == (40, 10)"),
        "splits it three ways": fixed(SPLITS),
        "with 1 to 3 hidden layers": code('assert space.decisions[0] == ("depth", (1, 2, 3))'),
        "(16, 32 or 64 units)": code('assert space.decisions[0] == ("depth", (1, 2, 3)) and space.widths == (16, 32, 64)'),
        "(a) 27": fixed(option("00")),
        "(b) 729": fixed(option("00")),
        "(c) 819": fixed(option("00")),
        "(c) exactly the same": fixed(option("00")),
    },
    "01_objective": {
        "keep three data splits apart": fixed(SPLITS),
        "on a third split": fixed(SPLITS),
        "solved exactly by looking at all of them": fixed("exhaustive search solves an argmax over a table exactly: "
                                                         "a statement about the method"),
        "averaged over 3 training seeds": code(SEEDS_3),
        "Three splits": fixed(SPLITS),
        "split three ways": fixed(SPLITS),
        "compares three ways of working": fixed("the three rules the sentence lists (the cell's `rules`)"),
        "not numbered 0, 1, 2, ...": fixed("what default row labels look like"),
        "architecture twice with different random seeds": fixed("a thought experiment"),
        "a quarter of the epochs": code("assert live.config == (replace(bench.config, epochs=bench.epochs // 4)"),
        "the 15 best MLPs": code("top = np.argsort(-mean_val)[:15]"),
        "each with its 3 seeds": code(SEEDS_3),
        "three one-hidden-layer networks": fixed("describes the toy search of section 4"),
        "(16 units with ReLU, 32 with tanh, 64 with ELU)": code('candidates = ["16relu", "32tanh", "64elu"'),
        "contains those three networks": fixed("the toy search's three networks, named in the sentence"),
        "with 3 seeds, and record": code("for s in range(3)]"),
        "as a number from 0 to 1": fixed("an accuracy is a fraction"),
    },
    "02_search_spaces": {
        "encode an architecture three ways": fixed("the three forms the sentence lists"),
        "space: 1 to 3 hidden layers": code('assert mlp.decisions[0] == ("depth", (1, 2, 3))'),
        "(16, 32 or 64 units)": code('assert mlp.decisions[0] == ("depth", (1, 2, 3)) and mlp.widths == (16, 32, 64)'),
        "(a 1-layer network ignores widths 2 and 3)": fixed("names the decisions 'width 2' and 'width 3' that the cell "
                                                           "above prints"),
        "a directed acyclic graph with 4 nodes": code(L02_CELL),
        "a convolution of width 3": code("assert {m.kernel_size for m in cell_space.build(example, 40, 10).modules() "
                                         "if isinstance(m, torch.nn.Conv1d)} == {(3,)}"),
        "has three forms": fixed("the three forms listed right after"),
        "every depth from 1 to": fixed("the formula's sum starts at depth 1, a definition"),
        "the number of MLPs with 1 to": fixed("the exercise's definition"),
        "(still 9 choices per layer)": code(L02_CHOICES),
        "(still 4 operations per edge)": code(L02_CHOICES),
        "with **exactly one**": fixed("the exercise's specification"),
        "draws hundreds of mutations": fixed("describes the q2 checker (nastutor/exercises/lesson02.py)"),
        "these three cells": fixed("the three cells of the cell below"),
        "All three compute": fixed(L02_THE_THREE),
        "looks all three up": fixed(L02_THE_THREE),
        "Train all three": fixed(L02_THE_THREE),
        "they must train identically": code("assert len(set(results)) == 1"),
        "from the 4096 strings": code("assert cell_space.size == 4096"),
        "6 edges, 4 operations": code(L02_CELL),
        "the cell space's 4096 strings": code("assert cell_space.size == 4096"),
        "(a) about 4000": fixed(option("02")),
        "(b) about 1000": fixed(option("02")),
        "(c) about 100": fixed(option("02")),
    },
    "03_performance_estimation": {
        "row of one is reproduced by retraining": fixed(L03_EXACT),
        "Three ways to score a candidate": fixed("the three kinds listed below"),
        "comes in three kinds": fixed("the three kinds listed right below"),
        "one cell per stage, 16 channels": code('assert bench.seeds == (0, 1, 2) and space.config() == '
                                                '{"channels": 16, "cells": 1}'),
        "multiples of 1/1000": code("assert len(data.y_val) == 1000"),
        "exactly reversed": fixed("the meaning of tau = -1: " + MATH),
        "seed 0, and records": code("seed=0, epochs=epochs, on_epoch=tick)"),
        "first 3 epochs": code("epochs = 3 if nt.fast_mode() else bench.epochs"),
        "the row is reproduced exactly": fixed(L03_EXACT),
        "every seed 0, 1, 2": code("assert bench.seeds == (0, 1, 2)"),
        "over all 941 cells": code(L03_BENCH),
        "the *other* seeds after all 12 epochs": code(L03_BENCH),
        "of the 12-epoch schedule": code(L03_BENCH),
        "941 cells are easy": code(L03_BENCH),
        "among the best tenth only": code("top = final >= np.quantile(final, 1 - 1 / 10)"),
        "Averaging the three seeds costs three trainings": code(L03_BENCH),
        "the **mean of the 3 seeds**": code(L03_BENCH),
        "is at least 0.8": fixed("the exercise's question: q3's checker (nastutor/exercises/lesson03.py) answers it "
                                 "for this threshold"),
        "(not the mean of all three:": code(L03_BENCH),
        "its rows reproduce exactly when retrained": fixed(L03_EXACT),
    },
    "04_random_search": {
        "against 200 simulated random searches": code(L04_RUNS),
        "at most $x$ exactly when": fixed(MATH),
        "the best is exactly $x_{(i)}$": fixed(MATH),
        "picks one of the 4096 cells uniformly": code(L04_CELLS),
        "the 941 canonical ones": code(L04_CELLS),
        "one of the 3 training seeds": code(L04_CELLS),
        "over 4096 raw cells × 3 seeds": code(L04_CELLS),
        "runs 200 random searches of 200 evaluations": code(L04_RUNS),
        "in each of the 200 searches": code(L04_RUNS),
        "Bergstra and Bengio (2012)": fixed(CITATION),
        "(819 MLPs)": code(L04_MLP),
        "(1 to 3 hidden layers, each 16/32/64 units": code('assert mlp_live.space.decisions[0] == ("depth", (1, 2, 3)) '
                                                           'and mlp_live.space.widths == (16, 32, 64)'),
        "each final candidate with 3 seeds": code("for seed in range(3)]"),
        "network of 32 ReLU units": code('mlp_space.parse("32relu")'),
        "validation run among 20": code("budget=20, seed=0)"),
        "whole space of 819 MLPs (under the benchmark's 50-epoch protocol)": code(L04_MLP),
        "it matched 200 simulated searches": code(L04_RUNS, "assert (abs(formula - seen_best.mean(axis=0)) < 3 * std_error).all()"),
        "mean regret first drop below 0.005": code("regret.mean(axis=0) < 0.005"),
        "**(a)** fewer than 25, **(b)** 25 to 100, or **(c)** more than 100?": fixed(
            "the options of question p2, not claims: nastutor/exercises/lesson04.py computes which one holds"),
    },
    "05_evolution": {
        "Real et al., 2019": fixed(CITATION),
        "over 100 seeds": code(L05_RUNS),
        "loop of lesson 04 exactly": fixed("a design statement: one ask and one tell per cycle"),
        "distinct members exactly when it is drawn": fixed(MATH),
        "with `crossover` > 0": fixed("a condition on the parameter"),
        "`RegularizedEvolution(crossover=0.5)` makes half": code("RegularizedEvolution(10, 3, crossover=0.5)"),
        "calls your function thousands of times": fixed("describes the q1 checker (nastutor/exercises/lesson05.py)"),
        "a population of 10 members": code("P_DEMO, DRAWS = 10, 20_000"),
        "20,000 tournaments": code("P_DEMO, DRAWS = 10, 20_000"),
        "the ten most recent children": code("evo = RegularizedEvolution(population_size=10, sample_size=3)"),
        "on 100 seeds, on": code(L05_RUNS),
        "draws **one** of 3 training seeds": code(L05_CELLS),
        "Below, seed 0 of each": code("populations(aging, seed=0)"),
        "Then 100 runs of each": code(L05_STUDY),
        "share of the last 100 children": code("zip(pops[-101:], pops[-100:])"),
        "accuracy over the 3 seeds": code(L05_CELLS),
        "(means over the 100 runs, final population after 200 evaluations)": code(L05_STUDY),
        "on 100 seeds with a budget of 200": code("SWEEP_SEEDS, SWEEP_BUDGET = 100, 200"),
        "After 100 evaluations, does aging beat non-aging": code('comparison_dashboard(runs, baseline="random", budget=100)'),
    },
    "06_reinforcement_learning": {
        "Zoph and Le (2017)": fixed(CITATION),
        "Zoph and Le, 2017": fixed(CITATION),
        "many thousands of child networks on hundreds of GPUs": fixed("the cost Zoph and Le (2017) reported"),
        "is six decisions": code(L06_DECISIONS),
        "(Williams, 1992)": fixed(CITATION),
        "close to 1 = a long memory": fixed(L06_DECAY),
        "0 = the previous reward alone": fixed(L06_DECAY),
        "with three baselines": fixed("the three baselines the sentence lists"),
        "300 evaluations of REINFORCE": code("nt.run_search(policy, ev, budget=300"),
        "(learning rate 0.5, baseline decay 0.9, no entropy bonus)": code(
            "assert (policy.learning_rate, policy.baseline_decay, policy.entropy_weight) == (0.5, 0.9, 0.0)"),
        "**100 searches per strategy**": code(L06_RUNS),
        "the same cell has entropy 0": fixed("the entropy of a certain outcome is 0: " + MATH),
        "Try a learning rate of 50": fixed(L06_SLIDER),
        "at a learning rate of 3": fixed(L06_SLIDER),
        "default for the LSTM is 0.01": code("assert lstm.learning_rate == 0.01"),
        "divided the variance by more than ten": code("assert ratio > 10"),
        "more than ten times larger?": code("assert ratio > 10"),
        "After 100 evaluations, does REINFORCE beat random search": code("comparison_dashboard(runs, budget=100)"),
    },
    "07_comparing_strategies": {
        "with 500 real runs": code(L07_PAIR),
        "(Dong and Yang, 2020)": fixed(CITATION),
        "has four rules, and this lesson uses all four": fixed("the four rules listed below"),
        '"100 evaluations" is not the same amount': fixed("an example of a budget"),
        "NAS-Bench-201 used 500 runs": fixed("what the NAS-Bench-201 paper did"),
        "over the benchmark's 3 seeds": code(SEEDS_3),
        "validation regret of 0.003 is 0.3 pp": fixed("a unit conversion"),
        "Run each strategy 500 times, 100 evaluations each": code(L07_PAIR, 'RegularizedEvolution()}, ev, budget=100,'),
        "draws $n$ of the 500 runs of each strategy, 2000 times": code("EXPERIMENTS = 2000", L07_PAIR),
        "for a 95% interval": fixed(L07_CI),
        "quantile 1.96": fixed("the standard normal distribution's 97.5% quantile"),
        "in 95% of repeated": fixed(L07_CI),
        "that 95% of single runs": fixed(L07_CI),
        "at 90% and 99% confidence": fixed("describes the q1 checker (nastutor/exercises/lesson07.py)"),
        "is 1 when run": fixed("the definition of the indicator"),
        "else 0; a tie counts half": fixed("the definition of U"),
        "loses about half of the": fixed("the expectation under the null hypothesis: " + MATH),
        "**400 simulated seconds**": code(L07_PROTOCOL),
        "At 100 evaluations each": code(L07_PROTOCOL),
        "over 50 seeds both ways": code(L07_PROTOCOL),
        "with 95% confidence bands": code("ax=ax1, confidence=0.95)"),
        "the mean regret with its 95% confidence interval": code(
            'summarize(runs, budget=BUDGET, baseline="random", confidence=0.95)'),
        "after 400 s against a paper's after 200 s": fixed("an illustration"),
        "holds the first 100 evaluations": code(L07_PROTOCOL),
        "drops below 0.05": code(L07_P),
        "split the 500 random-search runs": code(L07_PAIR),
        "two groups of 10 runs": code("matrix.iloc[s[:10]], matrix.iloc[s[10:]]"),
        "every budget from 5 to 100 evaluations": code(".loc[:, 5:]", 'RegularizedEvolution()}, ev, budget=100,'),
        "Repeat with 300 random splits": code("for _ in range(300)"),
        "five claims": fixed("the five rows of the table below"),
        "(the 50 seeds in": code(L07_PROTOCOL),
        "At 100 evaluations,": code(L07_PROTOCOL),
        "At 400 simulated seconds": code(L07_PROTOCOL),
        "a win at 100 evaluations": code(L07_PROTOCOL),
        "these 50 runs cannot tell": code(L07_PROTOCOL),
        "Lindauer and Hutter (2020)": fixed(CITATION),
        "**(a)** still about 5%": code(L07_P),
    },
    "08_model_based_and_multi_fidelity": {
        "the operation of exactly one edge": fixed("the definition of a neighbour"),
        "Each of the 6 edges can take 3 other operations, so every cell has 18 neighbours, and the 4096 cells":
            code("assert len(space.neighbors(a)) == 18 == 6 * 3", L08_FACTS),
        "the 18 cells one edge away": code("assert len(space.neighbors(a)) == 18 == 6 * 3"),
        "every one of the 4096 cells": code(L08_FACTS),
        "**(b)** about half of the time": fixed(OPTION),
        "less than one climb in five": fixed(OPTION),
        "evaluates all 18 neighbours": code("assert len(space.neighbors(a)) == 18 == 6 * 3"),
        "White et al. (2021)": fixed(CITATION),
        "all 941 distinct cells": code(L08_FACTS),
        "after\nall 12)": code(L08_FACTS),
        "the 12-epoch **one-cycle** schedule": code(L08_FACTS),
        "Jamieson and Talwalkar, 2016": fixed(CITATION),
        "and 12\nepochs: 27 cells at 1 epoch, 9 at 4, 3 at 12": fixed(WORKED),
        "The checker tries a dozen brackets": fixed("describes the q3 checker (nastutor/exercises/lesson08.py)"),
        "(Li et al., 2018)": fixed(CITATION),
        "(first rung at 1 epoch)": code(L08_PROTOCOL),
        "over 100 seeds. At 200 seconds": code(L08_PROTOCOL),
        "becomes 27 cells at 4\nepochs, then 9 at 12": fixed(WORKED),
        "100 seeds each": code(L08_PROTOCOL),
        "with a\n95% confidence interval": code('plots.regret_curves(runs, x="total_cost", confidence=0.95, ax=ax)'),
    },
    "11_hardware_aware": {
        "941 distinct cells": code(
            'assert len(bench) == 941 and nt.hardware.BATCH_OF_COLUMN == {"latency_ms": 256, "latency1_ms": 1}'),
        "benchmark's 941 cells": code(
            'assert len(bench) == 941 and nt.hardware.BATCH_OF_COLUMN == {"latency_ms": 256, "latency1_ms": 1}'),
        "batch 256": code(
            'assert len(bench) == 941 and nt.hardware.BATCH_OF_COLUMN == {"latency_ms": 256, "latency1_ms": 1}'),
        "batch 1": code(
            'assert len(bench) == 941 and nt.hardware.BATCH_OF_COLUMN == {"latency_ms": 256, "latency1_ms": 1}'),
        "rank the cells\nidentically": code(
            "assert np.array_equal(stats.rankdata(bench.params), stats.rankdata(bench.macs))"),
        "100 seeds": code("assert len(SEEDS) == 100 and SECONDS == (200, 600)"),
        "After 200 simulated seconds": code("assert len(SEEDS) == 100 and SECONDS == (200, 600)"),
        "about half of them": fixed(OPTION),
        "about a tenth": fixed(OPTION),
        "fewer than one in twenty": fixed(OPTION),
        "Tan et al., 2019": fixed(CITATION),
        "Deb et al., 2002": fixed(CITATION),
        "with a 95% confidence interval": code("confidence=0.95"),
    },
    "12_transferability": {
        "NAS-Bench-201 trains every cell on three datasets": fixed(
            "NAS-Bench-201 (Dong and Yang, 2020) trains every cell on CIFAR-10, CIFAR-100 and ImageNet16-120"),
        "the **same 941 cells**": code(L12_FACTS),
        "over 100 seeds, against searching the target directly": code(L12_PROTOCOL),
        "against cold starts over 100 seeds": code(L12_PROTOCOL),
        "signal of 40 numbers": code(L12_DATA),
        "flattened into 64 numbers": code(L12_DATA),
        "Both have ten classes": code(L12_DATA),
        "12 epochs, three seeds": code(L12_FACTS),
        "varies between the three trainings": code(L12_FACTS),
        "Among the 50 best cells of cell-mnist1d": code("tops = [None, 0.1, 50]"),
        "Random search with 400 simulated seconds, 100 seeds": code(L12_PROTOCOL),
        "every search for 400 simulated seconds of its own task's training, 100 seeds each":
            code(L12_PROTOCOL),
        "with a 95% confidence interval, and a one-sided rank-sum test": code(
            'summarize(on_target, seconds=x, baseline="random", confidence=0.95)'),
        "train the source's 10 best cells first": code(L12_PROTOCOL),
        "the source's 10 best cells, instead of 10 random ones": code(L12_PROTOCOL),
        "while more than half of the runs arrive": fixed(MEDIAN),
        "A ratio of $0.5$ means the warm start needs half the time": fixed("0.5 is one half"),
        "is 0.5 pp on cell-mnist1d, and 2 pp on cell-digits": code(
            "assert 100 * TARGETS[A] == 0.5 and 100 * TARGETS[B] == 2"),
        "fewer than half of its runs arrived": fixed(MEDIAN),
        "a sum of what its six edges carry": code("assert len(EDGES) == 6 and len(OPS) == 4"),
        "all four operations > add up to the six edges": code("assert len(EDGES) == 6 and len(OPS) == 4"),
        "the least-squares fit's 95% confidence interval": code("op_effects(name, confidence=0.95)"),
    },
    "13_scaling_out": {
        "Real et al. (2019)": fixed(CITATION),
        "simulate 1 to 256 workers": code(L13_PROTOCOL),
        "0.5 pp of the best one": code(L13_PROTOCOL),
        "Random search on 8 synchronous workers": code("sync_utilisation(8)"),
        "**(a)** above 90%, **(b)** between 50% and 90%, or **(c)** below 50%": fixed(OPTION),
        "Renting 256 machines": code(L13_PROTOCOL),
        "came within 0.5 pp": code(L13_PROTOCOL),
        "each until it comes within 0.5 pp": code(L13_PROTOCOL),
        "Regularized evolution on 256 asynchronous workers": code(L13_PROTOCOL, "async_evolution_speedup(256)"),
        "(100 seeds each). To come within 0.5 pp": code(L13_PROTOCOL),
        "**(a)** more than 150 times faster, **(b)** between 30 and 150 times faster, or **(c)** less than 30 times "
        "faster": fixed(OPTION),
        "cannot keep 256 workers": code(L13_PROTOCOL),
        "about twice the wall clock": code("LocalCluster(n_workers=2"),
    },
    "09_weight_sharing": {
        "(Liu et al., 2019)": fixed(CITATION),
        "mixing weights that sum to 1": fixed("the definition of the softmax"),
        "one edge's four architecture weights": code("assert space.size == 4096 and len(bench) == 941 and len(EDGES) == 6 and len(OPS) == 4"),
        "`outputs` the four operations' outputs": code("assert space.size == 4096 and len(bench) == 941 and len(EDGES) == 6 and len(OPS) == 4"),
        "Guo et al., 2020": fixed(CITATION),
        "with weight sharing, 2019)": fixed(CITATION),
        "rankings of up to 200 cells": fixed("describes the q2 checker (nastutor/exercises/lesson09.py)"),
        "falls on the 10% most\nfrequent of the 941 distinct functions": code(
            "round(0.10 * len(shares))",
            "assert space.size == 4096 and len(bench) == 941 and len(EDGES) == 6 and len(OPS) == 4"),
        "**(a)** about 10%, **(b)** about a quarter, or **(c)**\nover half": fixed(OPTION),
        "(Zhao et al., 2021)": fixed(CITATION),
        "(Dong and Yang, 2020)": fixed(CITATION),
        "(Liang et al., 2019)": fixed(CITATION),
    },
    "10_zero_cost_and_predictors": {
        "its top-10% hit rate": code("np.quantile(score, 1 - 0.1)"),
        "Abdelfattah et al., 2021": fixed(CITATION),
        "(Lee et al., 2019)": fixed(CITATION),
        "(Tanaka et al., 2020)": fixed(CITATION),
        "(Turner et al., 2020)": fixed(CITATION),
        "(Mellor et al., 2021)": fixed(CITATION),
        "The checker scores three cells of both benchmarks": fixed("describes the q1 checker (nastutor/exercises/lesson10.py)"),
        "ranks the 941 cells": code("assert all(len(b) == 941 for b in benches.values())"),
        "with a 95% bootstrap interval": code("rank_report(name, boot=boot, confidence=0.95)"),
        "the **top-10% hit rate** (the share of the proxy's top 10% that is\nin the truth's top 10%":
            code("np.quantile(score, 1 - 0.1)"),
        "a random score gets about 10%": fixed("a random score picks its top 10% at random, so about 10% of them "
                                               "are in any fixed 10% of the cells: a mathematical statement"),
        "on three proxies of both benchmarks": fixed("describes the q3 checker (nastutor/exercises/lesson10.py)"),
        "protocol: 100 seeds": code("assert len(SEEDS) == 100 and 100 * TARGET == 0.5 and RACE_SECONDS == 400"),
        "gets within 0.5 pp of the best cell": code("assert len(SEEDS) == 100 and 100 * TARGET == 0.5"),
        "(the median over 100 seeds)": code("assert len(SEEDS) == 100 and 100 * TARGET == 0.5"),
        "to come within 0.5 pp of the optimum": code("assert len(SEEDS) == 100 and 100 * TARGET == 0.5"),
        "often is not within 0.5 pp of the optimum": code("assert len(SEEDS) == 100 and 100 * TARGET == 0.5"),
        "and a top-10% hit rate": code("np.quantile(score, 1 - 0.1)"),
    },
    "14_capstone": {
        "Train one MLP twice": code("for _ in range(2))"),
        "the tenth best": code('top10 = truth["val_accuracy"].head(10)'),
        "a tie counting half": fixed("the definition of the probability of superiority"),
        "six times in ten": fixed("the example value $A = 0.6$ of the same sentence, read aloud"),
        "55% of the time": code("for a in (0.55, 0.6, 0.7):"),
        "with 100 runs of each": code("SEEDS = range(100)"),
        "about one study in four": fixed("an answer option of p2; the checker computes which option is right"),
    },
}


def lesson_name(path: Path) -> str:
    return path.stem


LESSONS = sorted(NOTEBOOKS.glob("*.ipynb"))


def uncovered(path: Path) -> list[str]:
    """Numbers and equality words of the lesson's prose that lie in no registered phrase."""
    registered = PHRASES.get(lesson_name(path), {})
    missing = []
    for markdown in markdown_of(path):
        spans = [m.span() for phrase in registered for m in phrase_pattern(phrase).finditer(markdown)]
        for claim in claims(markdown):
            if not any(start <= claim.start() and claim.end() <= end for start, end in spans):
                line = markdown[:claim.start()].count("\n")
                missing.append(f"{claim.group()!r} in: {markdown.splitlines()[line].strip()}")
    return missing


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_number_in_the_prose_is_registered(path):
    missing = uncovered(path)
    assert not missing, ("numbers in the prose that no code cell prints or asserts; print them and "
                         "refer to the output, or assert them and register the phrase in "
                         "tests/test_prose.py:\n  " + "\n  ".join(missing))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_registered_phrase_is_backed(path):
    markdown = "\n\n".join(markdown_of(path))
    sources = code_of(path)
    asserts = assert_lines(sources)
    problems = []
    for phrase, backing in PHRASES.get(lesson_name(path), {}).items():
        if not phrase_pattern(phrase).search(markdown):
            problems.append(f"{phrase!r} is no longer in the lesson: update the registry")
            continue
        tokens = [m.group() for m in claims(phrase)]
        if not tokens:
            problems.append(f"{phrase!r} states no number: remove it from the registry")
        if backing.kind == "fixed":
            if not backing.reason:
                problems.append(f"{phrase!r}: give the reason why its numbers cannot drift")
            continue
        for snippet in backing.snippets:
            if not any(snippet in source for source in sources):
                problems.append(f"{phrase!r}: no code cell contains {snippet!r}")
            elif snippet.startswith("assert") and not any(a.startswith(snippet) or snippet.startswith(a)
                                                           for a in asserts):
                problems.append(f"{phrase!r}: {snippet!r} is not an assert statement of a code cell")
        in_code = set().union(*(literals(s) for s in backing.snippets))
        for token in tokens:
            wanted = values(token)
            if re.fullmatch(EQUALITY, token, re.IGNORECASE):
                if not any(s.startswith("assert") for s in backing.snippets):
                    problems.append(f"{phrase!r} claims an equality: back it with an assert")
            elif not wanted:
                problems.append(f"{phrase!r}: {token!r} is too vague for code to back; rephrase it")
            elif not any(abs(v - w) < 1e-9 for v in wanted for w in in_code):
                problems.append(f"{phrase!r}: {token!r} is not a literal of {backing.snippets}")
    assert not problems, "\n  ".join(["", *problems])


def test_the_registry_names_real_lessons():
    assert set(PHRASES) <= {lesson_name(p) for p in LESSONS}


def test_the_scan_catches_a_typed_number():
    """The scan itself: a number typed into prose is a claim; math, code and references are not."""
    found = [m.group() for m in claims(
        "About 37% of cells, 941 in all, reproduce exactly; a third of them, 1/1000, an order of\nmagnitude. "
        "Lesson 04, section 3 and `budget=100`, $n = 10$, NAS-Bench-201 and node 3 are not claims.\n"
        "## 5. A heading\n1. an item")]
    assert found == ["37%", "941", "reproduce", "exactly", "third", "1/1000", "order of\nmagnitude"]
    assert values("37%") == {37.0, 0.37} and values("20,000") == {20000.0} and values("half") == {2.0, 0.5}
    assert values("19×") == {19.0} and values("order of\nmagnitude") == {10.0} and values("1/1000") == {0.001, 1000.0}
    assert literals("SEEDS, BUDGET = range(50), 20_000 # [-100:] 0.95") == {50.0, 20000.0, 100.0, 0.95}
    lesson_14 = "Lessons 07 and 14; [Next: 14 · Your own NAS study](14_capstone.ipynb); 14 runs"
    assert [m.group() for m in claims(lesson_14)] == ["14"]          # only the runs: the rest names a lesson
