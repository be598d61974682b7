"""The machinery behind every "Try it yourself" exercise (in the style of Kaggle Learn's learntools).

A lesson module defines exercises `q1`, `q2`, ...; the notebook does
`from nastutor.exercises.lesson04 import *`, the learner replaces a `____` placeholder with their
answer and runs `q1.check()`. A check says **correct**, **incorrect** (with a nudge, never the
expected value) or **not attempted**; an exception raised by the learner's code becomes a
friendly message instead of a traceback. `q1.hint()` and `q1.solution()` help.

    >>> ex = Exercise("q1", var="n", expected=lambda: 6 ** 2, hint="6 edges? No: 2 decisions of 6.",
    ...               solution="n = 6 ** 2")
    >>> ex.check(36).status, ex.check(35).status, ex.check(____).status
    ('correct', 'incorrect', 'not attempted')
"""
from __future__ import annotations

import html
import inspect
import math
import textwrap
from dataclasses import dataclass
from numbers import Number
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

__all__ = ["____", "Exercise", "Question", "Incorrect", "NotAttempted", "Result", "Hint", "same", "answered", "returned",
           "must_be_function", "number", "numbers", "refuse_rounded", "RTOL", "ATOL"]

#: Tolerances for "the same number". A float32 result (PyTorch's default, e.g.
#: `(pred == y).float().mean().item()`) carries a relative error of about 1e-7, and a few float32
#: operations a few times that: RTOL accepts them with room to spare, and is still far below the
#: smallest difference between a right answer and a wrong one the checkers meet (1e-4 and more).
#: ATOL is for answers that should be 0 (a regret, a gradient with no advantage).
RTOL = 1e-5
ATOL = 1e-6


class _Placeholder:
    """The blank a learner fills in. Any use other than replacing it is "not attempted"."""

    def __repr__(self) -> str:
        return "____"

    def __bool__(self) -> bool:
        raise NotAttempted("replace the ____ placeholder with your answer")

    def __call__(self, *args, **kwargs):
        raise NotAttempted("replace the ____ placeholder with your code")

    def __getattr__(self, name):
        if name.startswith("_"):  # IPython, copy and pickle probe for optional methods
            raise AttributeError(name)
        raise NotAttempted("replace the ____ placeholder with your code")

    def _refuse(self, *args):
        raise NotAttempted("replace the ____ placeholder with your code")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _refuse
    __pow__ = __rpow__ = __lt__ = __le__ = __gt__ = __ge__ = __neg__ = __float__ = __int__ = __index__ = _refuse
    __iter__ = __len__ = __getitem__ = __eq__ = __ne__ = _refuse
    __hash__ = object.__hash__


#: The placeholder in every exercise cell: `answer = ____`.
____ = _Placeholder()


class Incorrect(Exception):
    """Raised by a checker: the answer is wrong; the message says how, without the answer."""


class NotAttempted(Exception):
    """Raised when the learner has not answered yet (a placeholder is still there)."""


_STYLE = {"correct": ("#1b7f3b", "#e8f5ec", "Correct"),
          "incorrect": ("#b3261e", "#fdecea", "Incorrect"),
          "not attempted": ("#1f5fa8", "#e8f0fb", "Not attempted")}


@dataclass(frozen=True)
class Result:
    """What `check()` returns; it renders as a coloured box in a notebook."""

    exercise: str
    status: str  # "correct" | "incorrect" | "not attempted"
    message: str

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def __str__(self) -> str:
        return f"{_STYLE[self.status][2]}: {self.message}" if self.message else _STYLE[self.status][2]

    def __repr__(self) -> str:
        return f"<{self.exercise}: {self}>"

    def _repr_html_(self) -> str:
        colour, background, title = _STYLE[self.status]
        body = html.escape(self.message).replace("\n", "<br>")
        return (f'<div class="nastutor-check nastutor-{self.status.replace(" ", "-")}" style="border-left:4px solid '
                f'{colour};background:{background};padding:6px 10px;margin:4px 0;color:#222">'
                f'<b style="color:{colour}">{title}</b>{": " + body if body else ""}</div>')


@dataclass(frozen=True)
class Hint:
    """A hint or a solution, shown as Markdown in a notebook."""

    title: str
    text: str

    def __str__(self) -> str:
        return f"{self.title}: {self.text}"

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return f"**{self.title}:** {self.text}"


def _kind(value: Any) -> str:
    """The name of `value`'s type, as a learner would read it."""
    return "None" if value is None else type(value).__name__


def number(value: Any, what: str = "your answer") -> float:
    """`value` as a float, or `Incorrect` naming what it is instead: a string (even "0.5"), a bool,
    None, a list, an array of several numbers are not a number. A NumPy scalar, a 0-d array or a
    one-element PyTorch tensor (`.mean()` of a tensor) are numbers. NaN is refused, kindly.

        >>> number(0.5), number(np.float32(0.25))
        (0.5, 0.25)
        >>> try:
        ...     number("0.5", "`seed_std`")
        ... except Incorrect as e:
        ...     print(e)
        `seed_std` returned the string '0.5': return the number itself (a string is not a number, even when it holds digits)
    """
    if isinstance(value, _Placeholder):
        raise NotAttempted("replace the ____ placeholder with your answer")
    if isinstance(value, (bool, np.bool_)):
        raise Incorrect(f"{what} is {value}, a bool (True/False): it should be a number")
    if isinstance(value, (str, bytes)):
        raise Incorrect(f"{what} returned the string {value[:40]!r}: return the number itself "
                        "(a string is not a number, even when it holds digits)")
    if isinstance(value, Number) and not isinstance(value, complex):
        out = float(value)
    elif type(value).__name__ == "Tensor" or isinstance(value, np.ndarray):
        if getattr(value, "ndim", None) != 0 and np.prod(getattr(value, "shape", ())) != 1:
            raise Incorrect(f"{what} should be one number, got {_kind(value)} of shape {tuple(value.shape)}")
        if str(value.dtype).endswith("bool"):
            raise Incorrect(f"{what} is a bool (True/False): it should be a number")
        out = float(value.item())
    else:
        raise Incorrect(f"{what} should be a number, got {_kind(value)}")
    if math.isnan(out):
        raise Incorrect(f"{what} is NaN (not a number): something divided 0 by 0, or took the mean or the "
                        "standard deviation of an empty selection; print the intermediate values to find it")
    return out


def numbers(value: Any, what: str = "your answer") -> np.ndarray:
    """`value` (a list, tuple, array or tensor of numbers) as a float array, or `Incorrect` when it
    holds strings or bools (`np.asarray(["0.5"], dtype=float)` would quietly convert them).

        >>> numbers([1, 2.5]).tolist()
        [1.0, 2.5]
    """
    if isinstance(value, _Placeholder):
        raise NotAttempted("replace the ____ placeholder with your answer")
    if isinstance(value, (str, bytes, Number, bool, np.bool_)) or value is None:
        raise Incorrect(f"{what} should be a sequence of numbers, got {_kind(value)}")
    if type(value).__name__ == "Tensor":
        value = value.detach().cpu().numpy()
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError):
        raise Incorrect(f"{what} should be a sequence of numbers, got {_kind(value)}") from None
    if raw.dtype.kind in "USO" and any(isinstance(v, (str, bytes)) for v in raw.ravel()):
        raise Incorrect(f"{what} holds strings: return numbers (a string is not a number, even when it holds digits)")
    if raw.dtype.kind == "b":
        raise Incorrect(f"{what} holds bools (True/False): it should hold numbers")
    try:
        return np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"{what} should be a sequence of numbers, got {_kind(value)}") from None


def _rounded(value: float, expected: float) -> int | None:
    """The number of decimals (1 to 4) to which `value` is `expected` rounded, if it is (0 does
    not count: it is more likely a wrong answer than a rounded one)."""
    for decimals in range(1, 5):
        if value != 0 and value == round(expected, decimals) and not math.isclose(value, expected, rel_tol=RTOL, abs_tol=ATOL):
            return decimals
    return None


def refuse_rounded(value: float, expected: float, what: str = "your answer") -> None:
    """Raise `Incorrect` when `value` is `expected` rounded to 1 to 4 decimals: a nearly right answer
    whose cause the message names.

        >>> try:
        ...     refuse_rounded(0.667, 2 / 3)
        ... except Incorrect as e:
        ...     print(e)
        your answer looks rounded to 3 decimals: return the full value (round only when you print it)
    """
    decimals = _rounded(value, expected)
    if decimals is not None:
        raise Incorrect(f"{what} looks rounded to {decimals} decimal{'s' if decimals != 1 else ''}: "
                        "return the full value (round only when you print it)")


def same(answer: Any, expected: Any, *, rel: float = RTOL, abs: float = ATOL, what: str = "your answer") -> None:
    """Raise `Incorrect` unless `answer` equals `expected`: numbers within a relative or absolute
    tolerance (wide enough for float32 arithmetic), arrays element-wise, sequences item by item,
    anything else with `==`. A string or a bool is not a number. The message never contains the
    expected value; it names a rounded answer or a NaN as such.

        >>> same(np.float32(2 / 3), 2 / 3)          # float32 arithmetic is accepted
        >>> try:
        ...     same(0.67, 2 / 3, what="`accuracy`")
        ... except Incorrect as e:
        ...     print(e)
        `accuracy` looks rounded to 2 decimals: return the full value (round only when you print it)
    """
    if isinstance(answer, _Placeholder):
        raise NotAttempted("replace the ____ placeholder with your answer")
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(answer, (bool, np.bool_)):
            raise Incorrect(f"{what} should be True or False, got {_kind(answer)}")
        if bool(answer) != bool(expected):
            raise Incorrect(f"{what} is not right: think again about whether it holds")
        return
    if isinstance(expected, Number):
        value = number(answer, what)
        want = float(expected)
        if not math.isclose(value, want, rel_tol=rel, abs_tol=abs):
            refuse_rounded(value, want, what)
            raise Incorrect(f"{what} is {'too large' if value > want else 'too small'}")
        return
    if isinstance(expected, np.ndarray) or (isinstance(expected, (list, tuple)) and expected
                                            and all(isinstance(v, Number) for v in expected)):
        got = numbers(answer, what)
        want = np.asarray(expected, dtype=float)
        if got.shape != want.shape:
            raise Incorrect(f"{what} has shape {got.shape}; expected {len(want)} values" if want.ndim == 1
                            else f"{what} has the wrong shape {got.shape}")
        if np.any(np.isnan(got) & ~np.isnan(want)):
            raise Incorrect(f"{what} holds NaN (not a number): something divided 0 by 0, or averaged an empty "
                            "selection")
        if not np.allclose(got, want, rtol=rel, atol=abs, equal_nan=True):
            bad = int(np.sum(~np.isclose(got, want, rtol=rel, atol=abs, equal_nan=True)))
            if any(np.array_equal(got, np.round(want, d)) for d in range(1, 5)):
                raise Incorrect(f"{what} looks rounded: return the full values (round only when you print them)")
            raise Incorrect(f"{what}: {bad} of {want.size} values are off")
        return
    if answer != expected:
        raise Incorrect(f"{what} is not the expected {type(expected).__name__}")


def hint_list(hint: str | Sequence[str]) -> list[str]:
    """The hints of an exercise, first to last: a list as given, or a text whose paragraphs
    (separated by a blank line; lines within one are joined) are the hints, so that hints read
    as prose in the exercise module.

    >>> hint_list("First, look at\\n    the data.\\n\\nThen `sort` it.")
    ['First, look at the data.', 'Then `sort` it.']
    """
    if isinstance(hint, str):
        paragraphs = textwrap.dedent(hint).strip().split("\n\n")
        return [" ".join(line.strip() for line in p.strip().splitlines()) for p in paragraphs]
    return list(hint)


class Exercise:
    """One "Try it yourself" question.

    Give either `expected` (a zero-argument function computing the right value from nastutor's
    real code, never a typed-in number) or `checker` (a function that raises `Incorrect` with a
    helpful message when the answer is wrong). `reference` returns what a correct learner would
    have written (a value, a function or a class); `solution` is shown by `solution()` and, when
    left out, is the reference's source code. With `expected`, give the `solution` code that
    computes it. (The wrong answers each exercise must refuse live in the tests:
    tests/exercise_cases/.)
    """

    def __init__(self, name: str, *, var: str, hint: str | Sequence[str],
                 expected: Callable[[], Any] | None = None, checker: Callable[[Any], None] | None = None,
                 reference: Callable[[], Any] | None = None, solution: str | None = None,
                 rel: float = RTOL, abs: float = ATOL):
        if (expected is None) == (checker is None):
            raise ValueError("give an exercise exactly one of `expected` or `checker`")
        if reference is None and expected is None:
            raise ValueError("an exercise with a checker needs a `reference` answer")
        if expected is not None and solution is None:
            raise ValueError("an exercise with an expected value needs `solution` code that computes it")
        self.name, self.var = name, var
        self.hints = hint_list(hint)
        self._expected, self._checker = expected, checker
        self._reference = reference if reference is not None else expected
        self._solution = solution
        self.rel, self.abs = rel, abs
        self._hints_shown = 0
        module = str(inspect.currentframe().f_back.f_globals.get("__name__", ""))   # the lesson defining it
        lesson = module.rsplit(".", 1)[-1]
        #: "lesson04" for an exercise of nastutor.exercises.lesson04; None elsewhere (not recorded)
        self.lesson = lesson if module.startswith("nastutor.exercises.lesson") else None

    @property
    def reference(self) -> Any:
        """The reference answer (computed on demand)."""
        return self._reference()

    def _judge(self, answer: Any) -> None:
        if isinstance(answer, _Placeholder):
            raise NotAttempted(f"replace the ____ in `{self.var} = ____` with your answer, run that cell, "
                               f"then run {self.name}.check() again")
        if _uses_placeholder(answer):
            raise NotAttempted(f"`{self.var}` still contains the ____ placeholder: replace it with your code, "
                               f"run that cell, then run {self.name}.check() again")
        if self._checker is not None:
            self._checker(answer)
        else:
            same(answer, self._expected(), rel=self.rel, abs=self.abs, what=f"`{self.var}`")

    def check(self, *answer: Any) -> Result:
        """Judge the learner's answer: the argument if given, else the variable `var` in the
        notebook (the caller's globals)."""
        if len(answer) > 1:
            raise TypeError(f"{self.name}.check() takes at most one answer")
        if answer:
            value = answer[0]
        else:
            frame = inspect.currentframe().f_back
            scope = frame.f_globals if frame is not None else {}
            if self.var not in scope:
                return Result(self.name, "not attempted",
                              f"`{self.var}` is not defined yet: run the exercise cell that sets it first")
            value = scope[self.var]
        try:
            self._judge(value)
        except NotAttempted as e:
            return Result(self.name, "not attempted", str(e))
        except Incorrect as e:
            return Result(self.name, "incorrect", f"{e}. Try again, or ask for {self.name}.hint().")
        except Exception as e:  # the learner's code raised: say so kindly, keep the notebook going
            where = _learner_line(e)
            return Result(self.name, "incorrect",
                          f"your code raised {type(e).__name__}: {e}{where}. Fix it, run its cell, and check again.")
        if self.lesson is not None:
            from ._progress import record                # progress(): which exercises are passed

            record(self.lesson, self.name)
        return Result(self.name, "correct", "well done.")

    def hint(self) -> Hint:
        """The next hint (they get more specific); the last one repeats."""
        text = self.hints[min(self._hints_shown, len(self.hints) - 1)]
        self._hints_shown += 1
        number = f" {min(self._hints_shown, len(self.hints))}/{len(self.hints)}" if len(self.hints) > 1 else ""
        return Hint(f"Hint{number}", text)

    def solution(self) -> Hint:
        """A correct answer, as code."""
        if self._solution is not None:
            code = self._solution
        else:
            ref = self.reference
            code = textwrap.dedent(inspect.getsource(ref)) if callable(ref) else f"{self.var} = {ref!r}"
        return Hint("Solution", f"\n```python\n{code.strip()}\n```")

    def __repr__(self) -> str:
        return f"<exercise {self.name}: set `{self.var}`, then run {self.name}.check()>"


_PACKAGE = Path(__file__).resolve().parent.parent


def _code_uses_placeholder(code) -> bool:
    return "____" in code.co_names or any(
        _code_uses_placeholder(c) for c in code.co_consts if hasattr(c, "co_names"))


def _uses_placeholder(answer: Any) -> bool:
    """True when the learner's function (or a method of their class) still mentions `____`."""
    if inspect.isclass(answer):
        return any(_uses_placeholder(v) for v in vars(answer).values())
    func = getattr(answer, "__func__", answer)  # methods, static/class methods
    code = getattr(func, "__code__", None)
    return code is not None and _code_uses_placeholder(code)


def _learner_line(error: BaseException) -> str:
    """' (in your_function, line N)' for the innermost frame of the learner's own code, if any."""
    tb, where = error.__traceback__, ""
    while tb is not None:
        path = Path(tb.tb_frame.f_code.co_filename)
        if path.is_absolute() and _PACKAGE not in path.resolve().parents and "-packages" not in str(path):
            where = f" (in {tb.tb_frame.f_code.co_name}, line {tb.tb_lineno})"
        tb = tb.tb_next
    return where


def returned(value: Any, what: str) -> Any:
    """What the learner's code returned, checked: not the placeholder, not a forgotten `return`."""
    if value is None:
        raise Incorrect(f"{what} returned None: end it with a `return` statement that gives back your answer")
    return answered(value)


def must_be_function(f: Any, name: str) -> None:
    """Raise unless the learner's `name` is a function."""
    answered(f)
    if not callable(f):
        raise Incorrect(f"`{name}` should be a function (define it with `def {name}(...):`), got {type(f).__name__}")


def answered(value: Any) -> Any:
    """`value`, or NotAttempted if it is still the placeholder (for checkers)."""
    if isinstance(value, _Placeholder):
        raise NotAttempted("your code still returns the ____ placeholder: replace it with your answer")
    return value


class Question(Exercise):
    """A "predict, then run" question (fast.ai's questionnaires, Kaggle Learn's checks): the learner
    commits to a prediction *before* running the cell that shows the answer, then checks it.

    Multiple choice: `choices` maps letters to options, and `expected` computes the right letter
    from nastutor's real code and data (never a typed-in letter). Numeric: no `choices`; `expected`
    computes the number and `rel` says how close a prediction must be. `why` is the explanation
    shown with the verdict, once the answer is right, and by `solution()`.

        >>> p = Question("p1", choices={"a": "fewer", "b": "more"}, expected=lambda: "b",
        ...              why="Four more edges, each with six choices.", hint="Count the edges.")
        >>> p.check("B").status, p.check("a").status, p.check("c").status, p.check(____).status
        ('correct', 'incorrect', 'incorrect', 'not attempted')
        >>> print(p.check("c").message)
        'c' is not one of the choices: answer with one of the letters a, b. Try again, or ask for p1.hint().
    """

    def __init__(self, name: str, *, expected: Callable[[], Any], why: str, hint: str | Sequence[str],
                 choices: dict[str, str] | None = None, rel: float = RTOL, abs: float = ATOL):
        self.choices = {k.lower(): v for k, v in (choices or {}).items()}
        self.why = " ".join(textwrap.dedent(why).split())
        shown = "letter" if self.choices else "number"
        super().__init__(name, var=f"{name}_answer", hint=hint, expected=expected,
                         solution=f"{name}_answer = {{answer!r}}   # the {shown} to pass to {name}.check()",
                         rel=rel, abs=abs)
        # Exercise.__init__ read the lesson from its caller's module, which is this file: read ours
        module = str(inspect.currentframe().f_back.f_globals.get("__name__", ""))
        self.lesson = module.rsplit(".", 1)[-1] if module.startswith("nastutor.exercises.lesson") else None

    def _judge(self, answer: Any) -> None:
        if not self.choices:
            return super()._judge(answer)
        if isinstance(answer, _Placeholder):
            raise NotAttempted(f"replace the ____ in `{self.name}.check(____)` with your prediction, "
                               f"one of the letters {', '.join(self.choices)}")
        letter = answer.strip().strip("()").strip().lower() if isinstance(answer, str) else None
        if letter not in self.choices:
            raise Incorrect(f"{answer!r} is not one of the choices: answer with one of the letters "
                            f"{', '.join(self.choices)}")
        if letter != self._expected():
            raise Incorrect(f"({letter}) is not what the data says: run the next cell, look at what it "
                            f"shows, and think again")

    def check(self, *answer: Any) -> Result:
        """Judge the prediction (the argument, else the variable `pN_answer`); when right, say why."""
        frame = inspect.currentframe().f_back
        if not answer:
            if frame is None or self.var not in frame.f_globals:
                shown = "one of the letters " + ", ".join(self.choices) if self.choices else "a number"
                return Result(self.name, "not attempted",
                              f"pass your prediction to the check: {self.name}.check(...) with {shown}")
            answer = (frame.f_globals[self.var],)
        result = super().check(*answer)
        if result.correct:
            return Result(self.name, "correct", f"well done. {self.why}")
        return result

    def solution(self) -> Hint:
        """The right answer, and why."""
        code = self._solution.format(answer=self._expected())
        return Hint("Solution", f"\n```python\n{code}\n```\n\n{self.why}")

    def __repr__(self) -> str:
        return f"<question {self.name}: predict, then run {self.name}.check(your answer)>"
