"""Question files: a problem set written once (the task, the expected answer, what counts as correct, partial credit
and feedback per catalogued mistake), read from TOML and validated, and `check_question`, the one way to grade an
answer to a question (deriv grade --questions, and practice).

The file (TOML, read by the standard library's tomllib)::

    title = "Week 2: partial derivatives and the loss"   # optional
    [defaults]                  # optional: every question's value unless it gives its own
    points = 1                  # > 0
    form = "any"                # any | simplified | factored | same-form
    form_credit = 0.5           # the fraction of the points for a right value not in the required form
    [defaults.partial]          # merged with each question's own (the question's entry wins)
    chain_inner_forgotten = 0.5

    [[question]]
    id = "q2"                   # required, unique: letters, digits, _ . -
    prompt = "Differentiate (x+y+z)^2 with respect to y."   # optional (a default is written from the task)
    task = "diff"               # diff | grad | hessian | critical | eval | antiderivative | equiv
    expr = "(x+y+z)^2"
    wrt = "y"                   # diff, antiderivative: the variable ("x,y": ∂²/∂y∂x for diff)
    # vars = "a,b"              # grad, hessian, critical: the variables and their order (default: as deriv grad)
    # at = "s=1,b=0"            # eval: the point
    # data = { a = [0, 2, 4], h = [30, 40, 50] }   # or data = "loss_data.csv", relative to this file
    # expected = "2(x+y+z)"     # optional: computed when absent, and checked against the computed answer when given
    # functions = "f,g"         # abstract functions;  latex = true: the expressions and answers are LaTeX
    # topic = "chain rule"      # free text, for reports and practice
    points = 2
    form = "any"
    [question.partial]          # credit (a fraction of the points) for an answer showing a catalogued mistake
    chain_inner_forgotten = 0.5
    [question.feedback]         # the feedback shown for that mistake instead of the catalogue's
    chain_inner_forgotten = "Remember the inner derivative."

Everything is checked when the file is loaded, before any answer is graded: each problem is read in
`ValidationError`, which lists every problem as ``set.toml:14: question "q3": unknown task "differentiate"; ...``
(the line of the key, found in the source text, as tomllib reports no positions).

How a student answers each task (`read_components` reads it):

- diff, antiderivative, equiv: one expression; eval: one number (or an expression equal to it).
- grad: the components in the order of the variables: ``(6a - b + 1, 2b - a)``, ``[...]`` or just comma-separated.
- hessian: the rows: ``[[6, -1], [-1, 2]]`` or ``6, -1; -1, 2``.
- critical: ``a = -2/11, b = -1/11`` (or the values in the order of the variables, ``(-2/11, -1/11)``); several
  points separated by ``;``; ``none`` when there is none.
- In LaTeX, ``\\left( … \\right)`` and a ``pmatrix`` (``&`` between entries, ``\\\\`` between rows) are read the same way.

A question with `data` and sums over it compares answers on the data when the symbolic comparison cannot decide
(the sums expanded with the data's values).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

from ..core.errors import DerivError, InputError
from ..core.tree import Add, Div, Expr, Mul, Neg, Num, Pow, Sum, Var, walk

TASKS = ("diff", "grad", "hessian", "critical", "eval", "antiderivative", "equiv")
FORMS = ("any", "simplified", "factored", "same-form")
FORM_CREDIT = 0.5  # a right value not in the required form, unless the file says otherwise

# What each task reads besides id, prompt, task, expr and the grading keys; (required, optional).
_TASK_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "diff": (("wrt",), ("data",)),
    "antiderivative": (("wrt",), ()),
    "grad": ((), ("vars", "data")),
    "hessian": ((), ("vars", "data")),
    "critical": ((), ("vars", "data")),
    "eval": (("at",), ("data",)),
    "equiv": ((), ()),
}
_GRADING_KEYS = ("points", "form", "form_credit", "partial", "feedback", "latex", "functions", "topic")
QUESTION_KEYS = ("id", "prompt", "task", "expr", "expected", "wrt", "vars", "at", "data", *_GRADING_KEYS)
DEFAULT_KEYS = _GRADING_KEYS
TOP_KEYS = ("title", "defaults", "question")
_ID = re.compile(r"[A-Za-z0-9_.\-]+")
# Above this many listed problems the rest are counted, so a wrong file gives a readable message.
MAX_ERRORS_SHOWN = 20


# -- the model ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Question:
    """One question of a set, validated, with its expected answer computed (or given and checked).

    `expected` holds the right answer as values in rows: ((e,),) for one expression, ((c1, c2),) for a gradient, the
    rows of a Hessian, one row per critical point (its values in the order of `vars`); `expected_text` is how
    reports show it (and reads back as an answer). Data columns are exact numbers (`data_set()` gives the Data).
    """

    id: str
    prompt: str
    task: str  # one of TASKS
    expr: str
    expected: tuple[tuple[Expr, ...], ...]
    expected_text: str | None  # None: an antiderivative without a given one (any antiderivative is right)
    wrt: tuple[str, ...] = ()  # diff, antiderivative
    vars: tuple[str, ...] = ()  # grad, hessian, critical: the order of the components
    at: str | None = None  # eval
    data: tuple[tuple[str, tuple[Fraction, ...]], ...] = ()
    data_decimal: tuple[str, ...] = ()
    points: float = 1.0
    form: str = "any"  # one of FORMS
    form_credit: float = FORM_CREDIT
    partial: Mapping[str, float] = field(default_factory=dict)  # mistake id -> fraction of the points
    feedback: Mapping[str, str] = field(default_factory=dict)  # mistake id -> feedback shown instead of the catalogue's
    latex: bool = False
    functions: tuple[str, ...] = ()
    topic: str | None = None
    line: int = 0  # where its [[question]] starts in the file
    expected_given: bool = False  # the file gave `expected` (else it is computed; for equiv, the expression itself)

    def data_set(self):
        """The question's data as a Data (None without data)."""
        if not self.data:
            return None
        from ..data.datasets import Data

        return Data(dict(self.data), frozenset(self.data_decimal))

    def declared(self) -> tuple[str, ...]:
        """The multi-letter variable names the expressions use (read as one variable, as --vars declares them)."""
        return tuple(name for name in (*self.wrt, *self.vars) if len(name) > 1 and name.isalpha())


@dataclass(frozen=True)
class QuestionSet:
    """A problem set: its title and questions in file order; `question(id)` finds one."""

    title: str
    questions: tuple[Question, ...]
    source: str = ""  # the file it was read from, as given

    def question(self, question_id: str) -> Question | None:
        """The question with this id, or None."""
        return next((q for q in self.questions if q.id == question_id), None)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    @property
    def total_points(self) -> float:
        return sum(q.points for q in self.questions)


@dataclass(frozen=True)
class QuestionResult:
    """An answer to a question graded: the checker's verdict, the points it earns, the mistake and its feedback.

    verdict: correct, incorrect, inconclusive or invalid (is the value right); in_form: whether a right value is in
    the required form (None when not asked: form "any", or the value is not right); outcome: correct (all points),
    partial (some), or the verdict (incorrect, invalid, inconclusive) when it earns none.
    """

    question: str
    verdict: str
    score: float
    max_score: float
    mistake: str | None = None
    feedback: str = ""
    expected: str | None = None
    decided_by: str | None = None
    in_form: bool | None = None
    notes: tuple[str, ...] = ()

    @property
    def outcome(self) -> str:
        return outcome_of(self.verdict, self.score, self.max_score)


def outcome_of(verdict: str, score: float, max_score: float) -> str:
    """correct (all the points), partial (some), else the verdict (a right value in the wrong form without credit:
    incorrect)."""
    if max_score > 0 and score >= max_score:
        return "correct"
    if score > 0:
        return "partial"
    return "incorrect" if verdict == "correct" else verdict


class ValidationError(InputError):
    """A question file with problems: `problems` lists each as "file:line: message"."""

    kind = "questions"

    def __init__(self, problems: Sequence[str]):
        shown = list(problems[:MAX_ERRORS_SHOWN])
        if len(problems) > MAX_ERRORS_SHOWN:
            shown.append(f"... and {len(problems) - MAX_ERRORS_SHOWN} more")
        super().__init__("\n".join(shown))
        self.problems = tuple(problems)


# -- reading the file --------------------------------------------------------------------------------------------------------
def load_questions(path: str | Path) -> QuestionSet:
    """The question set of a TOML file, validated (ValidationError lists every problem with its line and key)."""
    from ..language.textfile import read_text

    path = Path(path)
    text = read_text(path, label=str(path), give="a TOML question file", content="the questions")
    return parse_questions(text, path)


def parse_questions(text: str, path: str | Path = "questions.toml") -> QuestionSet:
    """The question set of a TOML text; `path` names it in messages, and data CSV paths are relative to its folder."""
    path = Path(path)
    name = path.name
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = re.search(r"at line (\d+)", str(err))
        raise ValidationError([f"{name}:{line.group(1) if line else 1}: not valid TOML ({err})"]) from None
    lines = _Lines(text)
    reader = _Reader(name, path.parent, lines)
    for key in document:
        if key not in TOP_KEYS:
            reader.problem(lines.top(key), None, f"unknown key {key!r}; the keys of the file are {', '.join(TOP_KEYS)}")
    title = document.get("title", path.stem)
    if not isinstance(title, str):
        reader.problem(lines.top("title"), None, "title must be text")
        title = path.stem
    defaults = document.get("defaults", {})
    if not isinstance(defaults, dict):
        reader.problem(lines.top("defaults"), None, "defaults must be a table: [defaults]")
        defaults = {}
    for key in defaults:
        if key not in DEFAULT_KEYS:
            reader.problem(
                lines.defaults(key), None, f"unknown key {key!r} in [defaults]; it may hold {', '.join(DEFAULT_KEYS)}"
            )
    items = document.get("question", [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        reader.problem(lines.top("question"), None, "questions are tables: write each as [[question]]")
        items = []
    if not items and not reader.problems:
        reader.problem(1, None, "no questions: add a [[question]] table for each")
    seen: dict[str, int] = {}
    for index, item in enumerate(items):  # ids first: a duplicate is reported even when both questions have problems
        qid = item.get("id")
        if isinstance(qid, str) and qid in seen:
            reader.problem(lines.key(index, "id"), qid, f"the id is used twice (line {seen[qid]} and here)")
        elif isinstance(qid, str):
            seen[qid] = lines.key(index, "id")
    base = reader.defaults(defaults)
    questions = [reader.question(index, item, base) for index, item in enumerate(items)]
    if reader.problems:
        raise ValidationError(reader.sorted_problems())
    return QuestionSet(title, tuple(q for q in questions if q is not None), str(path))


class _Lines:
    """Where keys are in the TOML source: tomllib gives values only, so messages find their line here."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")

    def __init__(self, text: str):
        self.lines = text.split("\n")
        # (line number, table name, is an array table [[...]]) for each header
        self.headers = []
        for number, line in enumerate(self.lines, start=1):
            match = self._HEADER.match(line)
            if match and not line.strip().startswith("#"):
                self.headers.append((number, match.group(1).strip(), line.strip().startswith("[[")))

    def _find(self, start: int, end: int, key: str) -> int | None:
        """The first line in start..end that sets key: at the start of a line (key = or "key" =), else inside an
        inline table ({ key = 0.5 }); None when no line does."""
        name = re.escape(key)
        for pattern in (rf'^\s*(?:{name}|"{name}")\s*=', rf'[{{,]\s*(?:{name}|"{name}")\s*='):
            for number in range(start, end + 1):
                if re.search(pattern, self.lines[number - 1]):
                    return number
        return None

    def _block(self, name: str, index: int) -> tuple[int, int]:
        """The lines of the index-th [[name]] (or [name]) table, up to the next array table or top-level table."""
        starts = [n for n, table, array in self.headers if table == name]
        if index >= len(starts):
            return 1, len(self.lines)
        start = starts[index]
        later = [n for n, table, _ in self.headers if n > start and not table.startswith(name + ".")]
        return start, (later[0] - 1 if later else len(self.lines))

    def top(self, key: str) -> int:
        first = self.headers[0][0] - 1 if self.headers else len(self.lines)
        found = self._find(1, max(first, 1), key)
        if found is None:
            found = next((n for n, table, _ in self.headers if table == key or table.startswith(key + ".")), 1)
        return found

    def defaults(self, key: str, table: str | None = None) -> int:
        return self._in("defaults", 0, key, table)

    def key(self, index: int, key: str, table: str | None = None) -> int:
        return self._in("question", index, key, table)

    def _in(self, name: str, index: int, key: str, table: str | None) -> int:
        start, end = self._block(name, index)
        if table is not None:
            sub = [n for n, header, _ in self.headers if start <= n <= end and header == f"{name}.{table}"]
            if sub:
                later = [n for n, _, _ in self.headers if n > sub[0]]
                found = self._find(sub[0], min(later[0] - 1 if later else end, end), key)
                if found is not None:
                    return found
            found = self._find(start, end, table)  # an inline table: partial = { key = 0.5 }
            return found if found is not None else start
        found = self._find(start, end, key)
        return found if found is not None else start


class _Reader:
    """Validates one question after another, collecting every problem with its line."""

    def __init__(self, name: str, folder: Path, lines: _Lines):
        self.name, self.folder, self.lines = name, folder, lines
        self.problems: list[str] = []
        self._lines: list[int] = []

    def problem(self, line: int, question: str | None, message: str) -> None:
        where = f'question "{question}": ' if question else ""
        self.problems.append(f"{self.name}:{line}: {where}{message}")
        self._lines.append(line)

    def sorted_problems(self) -> list[str]:
        """The problems in the order of their lines (those of one line in the order found)."""
        order = sorted(range(len(self.problems)), key=lambda index: self._lines[index])
        return [self.problems[index] for index in order]

    def defaults(self, defaults: dict) -> dict:
        """The [defaults] table validated once (its problems at its own lines), as a question's grading settings."""

        def say(key: str, message: str, table: str | None = None) -> None:
            self.problem(self.lines.defaults(key, table), None, f"[defaults]: {message}")

        given = {key: value for key, value in defaults.items() if key in _GRADING_KEYS}
        return self._grading(given, say)

    def question(self, index: int, item: dict, defaults: dict) -> Question | None:
        count = len(self.problems)
        line = self.lines.key(index, "id")
        qid = item.get("id")
        shown = qid if isinstance(qid, str) and qid else f"#{index + 1}"

        def say(key: str, message: str, table: str | None = None) -> None:
            self.problem(self.lines.key(index, key, table), shown, message)

        if not isinstance(qid, str) or not _ID.fullmatch(qid):
            say("id", 'every question needs an id of letters, digits, _ . or -, such as id = "q1"')
        for key in item:
            if key not in QUESTION_KEYS:
                near = _nearest(key, QUESTION_KEYS)
                say(key, f"unknown key {key!r}{near}; a question may hold {', '.join(QUESTION_KEYS)}")
        task = item.get("task")
        if task not in TASKS:
            near = _nearest(str(task), TASKS)
            said = f"unknown task {task!r}" if task is not None else "no task"
            say("task", f"{said}{near}; the tasks are {', '.join(TASKS)}")
            return None
        required, optional = _TASK_KEYS[task]
        for key in required:
            if key not in item:
                say("task", f"task {task} needs {key} = ...")
        for key in ("wrt", "vars", "at", "data"):
            if key in item and key not in required + optional:
                uses = ", ".join(required + optional) or "none of wrt, vars, at, data"
                say(key, f"task {task} does not use {key} (it uses {uses})")
        if not isinstance(item.get("expr"), str) or not item["expr"].strip():
            say("expr", 'every question needs expr = "...", the expression the task is about')
        own = self._grading({key: value for key, value in item.items() if key in _GRADING_KEYS}, say)
        grading = {**_DEFAULT_GRADING, **defaults, **own}
        for table in ("partial", "feedback"):
            grading[table] = {**defaults.get(table, {}), **own.get(table, {})}
        functions = grading.pop("functions")
        if len(self.problems) > count:
            return None
        names = {
            "wrt": _names(item.get("wrt")),
            "vars": _names(item.get("vars")),
            "functions": functions,
        }
        for key in ("wrt", "vars"):
            if key in item and (names[key] is None or not names[key]):
                say(key, f'{key} must name variables: "x" or "a,b" (or a list ["a", "b"])')
        data = self._data(item.get("data"), lambda message: say("data", message))
        if len(self.problems) > count:
            return None
        question = Question(
            id=qid,
            prompt="",
            task=task,
            expr=item["expr"].strip(),
            expected=(),
            expected_text=None,
            wrt=names["wrt"] or (),
            vars=names["vars"] or (),
            at=item.get("at"),
            data=data[0],
            data_decimal=data[1],
            functions=names["functions"] or (),
            line=line,
            **grading,
        )
        if "prompt" in item and not isinstance(item["prompt"], str):
            say("prompt", "prompt must be text")
        if question.at is not None and not isinstance(question.at, str):
            say("at", 'at must be text such as "s=1,b=0"')
            return None
        expected = item.get("expected")
        if expected is not None and not isinstance(expected, str):
            say("expected", "expected must be text, as a student would answer")
            return None
        try:
            question = _with_expected(question, expected, say)
        except DerivError as err:  # a problem the engine cannot work out (not a bug: the file asks for it)
            say("expr", f"cannot work out the expected answer: {err.message}")
            return None
        if question is None:
            return None
        return replace(question, prompt=item.get("prompt") or default_prompt(question))

    def _grading(self, settings: dict, say) -> dict:
        """The grading keys present in settings, checked (a bad value is reported and left out)."""
        from .mistakes import MISTAKES_BY_ID

        clean: dict = {}
        if "points" in settings:
            points = settings["points"]
            if isinstance(points, bool) or not isinstance(points, (int, float)) or not points > 0:
                say("points", f"points must be a number > 0, not {points!r}")
            else:
                clean["points"] = float(points)
        if "form" in settings:
            form = settings["form"]
            if form not in FORMS:
                say("form", f"unknown form {form!r}{_nearest(str(form), FORMS)}; the forms are {', '.join(FORMS)}")
            else:
                clean["form"] = form
        if "form_credit" in settings:
            if not _fraction(settings["form_credit"]):
                say("form_credit", f"form_credit must be a number from 0 to 1, not {settings['form_credit']!r}")
            else:
                clean["form_credit"] = float(settings["form_credit"])
        for table in ("partial", "feedback"):
            if table in settings and not isinstance(settings[table], dict):
                say(table, f"{table} must be a table of mistake ids, such as [question.{table}]")
        partial: dict[str, float] = {}
        for mistake, credit in _table(settings, "partial").items():
            if mistake not in MISTAKES_BY_ID:
                say(mistake, f"partial: unknown mistake id {mistake!r}{_nearest(mistake, MISTAKES_BY_ID)}; "
                    "the ids are those of deriv's mistake catalogue (the README's mistake table)", "partial")  # fmt: skip
            elif not _fraction(credit):
                say(mistake, f"partial: the credit for {mistake} must be from 0 to 1 (a fraction of the points), not {credit!r}", "partial")  # fmt: skip
            else:
                partial[mistake] = float(credit)
        feedback: dict[str, str] = {}
        for mistake, words in _table(settings, "feedback").items():
            if mistake not in MISTAKES_BY_ID:
                say(mistake, f"feedback: unknown mistake id {mistake!r}{_nearest(mistake, MISTAKES_BY_ID)}", "feedback")  # fmt: skip
            elif not isinstance(words, str) or not words.strip():
                say(mistake, f"feedback: the feedback for {mistake} must be text", "feedback")
            else:
                feedback[mistake] = words.strip()
        clean["partial"], clean["feedback"] = partial, feedback
        if "latex" in settings:
            if not isinstance(settings["latex"], bool):
                say("latex", "latex must be true or false")
            else:
                clean["latex"] = settings["latex"]
        if "topic" in settings:
            if not isinstance(settings["topic"], str):
                say("topic", "topic must be text")
            else:
                clean["topic"] = settings["topic"]
        if "functions" in settings:
            functions = _names(settings["functions"])
            if functions is None:
                say("functions", 'functions must name functions: "f,g" or ["f", "g"]')
            else:
                clean["functions"] = functions
        return clean

    def _data(self, value, say) -> tuple[tuple, tuple[str, ...]]:
        """The data of `data = {a = [0, 2, 4]}` or `data = "file.csv"` (relative to the question file), read now."""
        if value is None:
            return (), ()
        from ..data.datasets import Data, parse_data_options

        try:
            if isinstance(value, str):
                data = parse_data_options([str((self.folder / value).resolve())])
            elif isinstance(value, dict) and all(isinstance(column, list) for column in value.values()):
                specs = [f"{name}={','.join(str(v) for v in column)}" for name, column in value.items()]
                if any(isinstance(v, bool) or not isinstance(v, (int, float, str)) for c in value.values() for v in c):
                    say("data: every value must be a number")
                    return (), ()
                data = parse_data_options(specs)
            else:
                say('data is a table of columns, data = { a = [0, 2, 4], h = [30, 40, 50] }, or a CSV path "data.csv"')
                return (), ()
        except DerivError as err:
            say(f"data: {err.message}")
            return (), ()
        assert isinstance(data, Data)
        return tuple(data.columns.items()), tuple(sorted(data.decimal))


# A question's grading settings when neither it nor [defaults] gives them.
_DEFAULT_GRADING = {
    "points": 1.0,
    "form": "any",
    "form_credit": FORM_CREDIT,
    "latex": False,
    "topic": None,
    "functions": (),
}


def _table(settings: dict, name: str) -> dict:
    value = settings.get(name, {})
    return value if isinstance(value, dict) else {}


def _names(value) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(v.strip() for v in value) if all(isinstance(v, str) and v.strip() for v in value) else None
    if isinstance(value, str):
        return tuple(name for name in re.split(r"[\s,;]+", value) if name)
    return None


def _fraction(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and 0 <= value <= 1


def _nearest(word: str, choices) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def default_prompt(question: Question) -> str:
    """The prompt a question without one shows: the task in words."""
    expr, wrt = question.expr, ", ".join(question.wrt)
    variables = f" with respect to {', '.join(question.vars)}" if question.vars else ""
    return {
        "diff": f"Differentiate {expr} with respect to {wrt}.",
        "antiderivative": f"Find an antiderivative of {expr} with respect to {wrt}.",
        "grad": f"Give the gradient of {expr}{variables}.",
        "hessian": f"Give the Hessian matrix of {expr}{variables}.",
        "critical": f"Find the critical points of {expr}{variables}.",
        "eval": f"Evaluate {expr} at {question.at}.",
        "equiv": f"Write {expr} in another form.",
    }[question.task]


# -- the expected answer -------------------------------------------------------------------------------------------------------
def _with_expected(question: Question, given: str | None, say) -> Question | None:
    """The question with its expected answer: computed by our engine, and a given one checked against it."""

    with _latex(question):
        try:
            tree = _parse(question, question.expr)
        except DerivError as err:
            say("expr", f"cannot read expr {question.expr!r}: {_short(err)}")
            return None
        computed, shape_vars = _compute(question, tree, say)
        if computed is None:
            return None
        question = replace(question, vars=shape_vars)
        if given is None and question.form == "same-form" and question.task in ("equiv", "antiderivative"):
            say(
                "form",
                f'form "same-form" needs expected = "..." for task {question.task}: the form the answer must have',
            )
            return None
        if given is None:
            if question.task == "antiderivative":
                return replace(question, expected=(), expected_text=None)
            return replace(question, expected=computed, expected_text=expected_text(question, computed))
        try:
            rows = read_components(question, given)
        except DerivError as err:
            say("expected", f"cannot read expected {given!r}: {_short(err)}")
            return None
        if question.task == "antiderivative":
            from .answers import check_antiderivative

            verdict = check_antiderivative(tree, _wrt(question)[0], rows[0][0], functions=question.functions)
            ok, why = verdict.verdict == "correct", verdict.feedback
        else:
            ok, why = _rows_agree(question, rows, computed)
        if not ok:
            shown = expected_text(question, computed) if computed else ""
            say("expected", f"expected {given!r} is not right: {why}" + (f"; the computed answer is {shown}" if shown else ""))  # fmt: skip
            return None
        return replace(question, expected=rows, expected_text=" ".join(given.split()), expected_given=True)


def _compute(question: Question, tree: Expr, say) -> tuple[tuple[tuple[Expr, ...], ...] | None, tuple[str, ...]]:
    """The expected rows by our engine, and the variables in component order."""
    from ..calculus.multivar import choose_variables, variable_name

    task = question.task
    if task == "diff":
        from ..calculus.derivative import differentiate

        return ((differentiate(tree, _wrt(question), functions=question.functions).result,),), question.vars
    if task in ("antiderivative", "equiv"):
        if task == "antiderivative" and len(question.wrt) != 1:
            say("wrt", "an antiderivative is taken with respect to one variable")
            return None, ()
        return ((tree,),), question.vars
    if task == "eval":
        from ..calculus.at_point import evaluate_at

        try:
            value = evaluate_at(tree, question.at, data=question.data_set(), functions=question.functions).result
        except DerivError as err:
            say("at", f"cannot evaluate at {question.at!r}: {err.message}")
            return None, ()
        return ((value,),), question.vars
    try:
        chosen = choose_variables(tree, question.vars)
    except DerivError as err:
        say("vars", err.message)
        return None, ()
    names = tuple(variable_name(v) for v in chosen)
    if task == "grad":
        from ..calculus.multivar import gradient

        return (gradient(tree, chosen, functions=question.functions).vector,), names
    if task == "hessian":
        from ..calculus.multivar import hessian

        return hessian(tree, chosen, functions=question.functions).matrix, names
    from ..calculus.critical import critical_points

    if any(isinstance(node, Sum) for _, node in walk(tree)) and not question.data:
        say("data", "critical points of a sum over data need the data (data = { a = [...], ... }) to be numbers")
        return None, ()
    found = critical_points(tree, chosen, data=question.data_set(), functions=question.functions)
    if any(point.free for point in found.points):
        say("expr", "the critical points form a line or a curve (a free variable): not a question with answers to list")
        return None, ()
    return tuple(tuple(point.values[var] for var in chosen) for point in found.points), names


def expected_text(question: Question, rows: tuple[tuple[Expr, ...], ...]) -> str:
    """The expected rows as a student would write them (read_components reads it back)."""
    from ..language.mathtext import to_text

    if question.task == "grad":
        return "(" + ", ".join(to_text(value) for value in rows[0]) + ")"
    if question.task == "hessian":
        return "[" + ", ".join("[" + ", ".join(to_text(v) for v in row) + "]" for row in rows) + "]"
    if question.task == "critical":
        if not rows:
            return "none"
        return "; ".join(", ".join(f"{name} = {to_text(v)}" for name, v in zip(question.vars, row)) for row in rows)
    return to_text(rows[0][0])


def _rows_agree(question: Question, given, computed) -> tuple[bool, str]:
    """Whether a given expected answer equals the computed one, value by value (critical points as a set)."""
    if question.task == "critical":
        matched = _match_points(question, given, computed)
        return (matched, "not the same points") if not matched else (True, "")
    if [len(row) for row in given] != [len(row) for row in computed]:
        return False, f"it has {_shape(given)} values, the answer {_shape(computed)}"
    for row, right in zip(given, computed):
        for value, expected in zip(row, right):
            verdict = same_value(question, expected, value)
            if verdict != "correct":
                return False, "not equal to the computed answer" if verdict == "incorrect" else "could not be confirmed"
    return True, ""


def _shape(rows) -> str:
    return "×".join(map(str, [len(rows), len(rows[0]) if rows else 0])) if len(rows) > 1 else str(len(rows[0]))


# -- reading an answer ----------------------------------------------------------------------------------------------------------
def read_components(question: Question, text: str) -> tuple[tuple[Expr, ...], ...]:
    """A student's answer to the question as rows of values (the shape of Question.expected); raises a DerivError
    (InputError) saying what cannot be read."""
    text = _plain_layout(text.strip())
    if not text:
        raise InputError("the answer is empty")
    task = question.task
    if task == "grad":
        return (tuple(_parse(question, part) for part in _split(_unwrap(_rhs(text)), ",")),)
    if task == "hessian":
        body = _unwrap(_rhs(text))
        if _split(body, ";") != [body]:
            rows = _split(body, ";")
        else:
            rows = [_unwrap(row) for row in _split(body, ",")]
            if not all(_bracketed(row) for row in _split(body, ",")):
                rows = [body]
        return tuple(tuple(_parse(question, v) for v in _split(_unwrap(row), ",")) for row in rows)
    if task == "critical":
        if text.lower().rstrip(".") in ("none", "no critical points", "∅", "{}"):
            return ()
        return tuple(_point(question, part) for part in _split(_unwrap_set(text), ";"))
    return ((_parse(question, text),),)


def _point(question: Question, text: str) -> tuple[Expr, ...]:
    from ..calculus.multivar import variable_name, variable_named

    text = text.strip()
    if "=" in text:
        left, _, right = text.partition("=")
        if _bracketed(left.strip()) and _bracketed(right.strip()):  # (a, b) = (-2/11, -1/11)
            names = [variable_name(variable_named(n.strip())) for n in _split(_unwrap(left.strip()), ",")]
            values = [_parse(question, v) for v in _split(_unwrap(right.strip()), ",")]
            given = dict(zip(names, values))
        else:
            given = {}
            for part in _split(_unwrap(text), ","):
                name, equals, value = part.partition("=")
                if not equals:
                    raise InputError(
                        f"write each value as name = value, such as {question.vars[0]} = 1; {part.strip()!r} is not"
                    )
                key = variable_name(variable_named(name.strip()))
                if key in given:
                    raise InputError(f"{key} is given twice")
                given[key] = _parse(question, value)
        unknown = [name for name in given if name not in question.vars]
        if unknown:
            raise InputError(f"{', '.join(unknown)} is not a variable of the question ({', '.join(question.vars)})")
        missing = [name for name in question.vars if name not in given]
        if missing:
            raise InputError(f"the point gives no value for {', '.join(missing)}")
        return tuple(given[name] for name in question.vars)
    values = tuple(_parse(question, v) for v in _split(_unwrap(text), ","))
    if len(values) != len(question.vars):
        raise InputError(
            f"a point has {len(question.vars)} values ({', '.join(question.vars)}), this one {len(values)}"
        )
    return values


_OPEN, _CLOSE = "([{⟨", ")]}⟩"
_MATRIX = re.compile(r"\\begin\{([pbv]?matrix)\}(.*?)\\end\{\1\}", re.DOTALL)


def _plain_layout(text: str) -> str:
    """LaTeX's layout of a tuple or a matrix as the plain one: \\left( \\right) as ( ), a pmatrix's & and \\\\ as , and ;."""
    text = re.sub(r"\\(left|right|bigl|bigr|Bigl|Bigr)(?![A-Za-z])\s*", "", text)
    return _MATRIX.sub(
        lambda m: "[" + m.group(2).replace("&", ",").replace("\\\\", ";").strip().rstrip(";") + "]", text
    )


def _split(text: str, mark: str) -> list[str]:
    """text split at `mark` outside brackets."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
        elif char == mark and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [part.strip() for part in parts]


def _bracketed(text: str) -> bool:
    """Whether one pair of brackets encloses the whole text ((a, b) yes; (a)(b) no)."""
    if len(text) < 2 or text[0] not in _OPEN or _CLOSE[_OPEN.index(text[0])] != text[-1]:
        return False
    depth = 0
    for index, char in enumerate(text):
        depth += char in _OPEN
        depth -= char in _CLOSE
        if depth == 0 and index < len(text) - 1:
            return False
    return True


def _unwrap(text: str) -> str:
    text = text.strip()
    return text[1:-1].strip() if _bracketed(text) else text


def _unwrap_set(text: str) -> str:
    text = text.strip()
    return text[1:-1].strip() if text.startswith("{") and _bracketed(text) else text


def _rhs(text: str) -> str:
    """∇f = (…) or H = [[…]]: the part after a single = outside brackets."""
    parts = _split(text, "=")
    return parts[1] if len(parts) == 2 else text


def _parse(question: Question, text: str) -> Expr:
    from ..language.parser import parse

    return parse(text.strip(), variables=question.declared(), functions=question.functions).expr


def _wrt(question: Question) -> tuple[Var, ...]:
    from ..calculus.multivar import variable_named

    return tuple(variable_named(name) for name in question.wrt)


def _latex(question: Question):
    from ..language.parser import reading_latex

    return reading_latex(True) if question.latex else nullcontext()


def _short(err: DerivError) -> str:
    position = getattr(err, "position", None)
    return err.message + (f" (column {position.column})" if position is not None else "")


# -- checking an answer -------------------------------------------------------------------------------------------------------------
def same_value(question: Question, expected: Expr, answer: Expr) -> str:
    """Are the two values equal (the equivalence service; on the question's data when sums leave it undecided)?
    "correct", "incorrect" or "inconclusive"."""
    from .answers import equivalent_expressions

    verdict = equivalent_expressions(expected, answer, functions=question.functions).verdict
    if verdict == "inconclusive" and question.data:
        verdict = _on_data(question, expected, answer)
    return str(verdict)


def _on_data(question: Question, expected: Expr, answer: Expr) -> str:
    """The comparison with the sums written out over the question's data (each Σ_i a number or a polynomial)."""
    from ..data.datasets import expand_sums
    from .answers import equivalent_expressions

    data = question.data_set()
    try:
        left, right = expand_sums(expected, data), expand_sums(answer, data)
    except DerivError:
        return "inconclusive"
    return str(equivalent_expressions(left, right, functions=question.functions).verdict)


def check_question(question: Question, answer: str) -> QuestionResult:
    """Grade one answer to a question: its verdict, points, mistake, feedback (the question's override applied) and
    whether it is in the required form. Raises DerivError only for a problem the engine cannot work out."""
    with _latex(question):
        result = _check(question, answer)
    if result.mistake and result.mistake in question.feedback:
        result = replace(result, feedback=question.feedback[result.mistake])
    return result


def _check(question: Question, answer: str) -> QuestionResult:
    base = {"question": question.id, "max_score": question.points, "expected": question.expected_text}
    try:
        rows = read_components(question, answer)
    except DerivError as err:
        return QuestionResult(**base, verdict="invalid", score=0.0, feedback=f"cannot read the answer: {_short(err)}")
    task = question.task
    if task == "critical":
        return _check_points(question, rows, base)
    if [len(row) for row in rows] != [len(row) for row in question.expected] and question.expected:
        what = {"grad": "components", "hessian": "entries"}.get(task, "values")
        want = (
            " × ".join(map(str, (len(question.expected), len(question.expected[0]))))
            if task == "hessian"
            else str(len(question.expected[0]))
        )
        have = " × ".join(map(str, (len(rows), len(rows[0])))) if task == "hessian" else str(len(rows[0]))
        return QuestionResult(
            **base, verdict="incorrect", score=0.0, decided_by="structural",
            feedback=f"the answer has {have} {what}; the question asks for {want} ({', '.join(question.vars) or 'one'})",
        )  # fmt: skip
    verdicts = []
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            # One typed expression is passed as typed: the catalogue re-reads it (missing brackets: 2x/x^2+1).
            typed = answer if task == "diff" and len(rows) == 1 and len(row) == 1 else None
            verdicts.append((_component_name(question, i, j), _check_value(question, i, j, value, typed)))
    return _combined(question, rows, verdicts, base)


def _component_name(question: Question, i: int, j: int) -> str | None:
    if question.task == "grad":
        return f"∂/∂{question.vars[j]}"
    if question.task == "hessian":
        return f"∂²/∂{question.vars[i]}∂{question.vars[j]}"
    return None


def _check_value(question: Question, i: int, j: int, value: Expr, typed: str | None = None):
    """The checker's Verdict on one value of the answer (typed: the answer's text, when it is this one value)."""
    from ..calculus.multivar import variable_named
    from .answers import Verdict, check_answer, check_antiderivative, equivalent_expressions

    task, names = question.task, {"variables": question.declared(), "functions": question.functions}
    if task == "diff":
        verdict = check_answer(question.expr, _wrt(question), _as_typed(question, typed, value), **names)
        wrt = _wrt(question)
    elif task in ("grad", "hessian"):
        wrt = (variable_named(question.vars[j]),) if task == "grad" else tuple(map(variable_named, (question.vars[i], question.vars[j])))  # fmt: skip
        verdict = check_answer(question.expr, wrt, value, **names)
    elif task == "antiderivative":
        return check_antiderivative(question.expr, _wrt(question)[0], value, **names)
    else:  # equiv, eval: equal in value to the expected answer
        expected = "the expected value" if task == "eval" else "the expected expression"
        verdict = equivalent_expressions(question.expected[0][0], value, **names, names=(expected, "your answer"))
        if verdict.verdict == "inconclusive" and question.data:
            decided = _on_data(question, question.expected[0][0], value)
            verdict = Verdict(decided, "numeric" if decided != "inconclusive" else None, verdict.feedback)
        if verdict.verdict == "incorrect":
            what = f"the value at {question.at}" if task == "eval" else f"equal to {question.expr}"
            reason = verdict.feedback
            said = f"incorrect: {reason}" if reason.startswith("your answer") else f"incorrect: your answer is not {what} ({reason})"  # fmt: skip
            verdict = replace(verdict, feedback=said)
        return verdict
    if verdict.verdict == "inconclusive" and question.data:  # a sum over data: decide on the data
        decided = _on_data(question, question.expected[i][j], value)
        if decided == "correct":
            verdict = Verdict("correct", "numeric", "correct (on the data)", verdict.expected, verdict.notes)
        elif decided == "incorrect":
            from .mistakes import diagnose

            found = diagnose(_parse(question, question.expr), wrt, value, **names)
            feedback = found.feedback if found else "incorrect: not equal to the answer on the question's data"
            verdict = Verdict(
                "incorrect", "numeric", feedback, verdict.expected, verdict.notes, found and found.mistake
            )
    return verdict


def _as_typed(question: Question, typed: str | None, value: Expr) -> Expr | str:
    """The answer's text when it reads as exactly this value (no "f'(x) =" or brackets around it), else the value."""
    if typed is None:
        return value
    try:
        return typed if _parse(question, typed) == value else value
    except DerivError:
        return value


def _combined(question: Question, rows, verdicts, base: dict) -> QuestionResult:
    """One result from the verdicts on each value: the first not right decides; a right answer is then held to the form."""
    notes = tuple(dict.fromkeys(note for _, v in verdicts for note in v.notes))
    for status in ("invalid", "incorrect", "inconclusive"):
        found = [(name, v) for name, v in verdicts if v.verdict == status]
        if found:
            name, verdict = found[0]
            mistake = verdict.mistake
            feedback = f"{name}: {verdict.feedback}" if name else verdict.feedback
            if len(found) > 1 and name:
                feedback += (
                    f" (and {len(found) - 1} more {'entries' if question.task == 'hessian' else 'components'} {status})"
                )
            credit = question.partial.get(mistake, 0.0) if status == "incorrect" and mistake else 0.0
            return QuestionResult(
                **base, verdict=status, score=round(credit * question.points, 6), mistake=mistake, feedback=feedback,
                decided_by=verdict.decided_by and str(verdict.decided_by), notes=notes,
            )  # fmt: skip
    decided = _strongest(str(v.decided_by) for _, v in verdicts if v.decided_by)
    return _formed(question, [value for row in rows for value in row], base, decided, notes)


def _strongest(layers) -> str | None:
    """The layer that decided a right answer of several values: the last of structural, probe, symbolic, numeric used."""
    order = ("structural", "probe", "symbolic", "numeric")
    used = [layer for layer in layers if layer in order]
    return max(used, key=order.index) if used else None


def _formed(question: Question, values: list[Expr], base: dict, decided, notes) -> QuestionResult:
    """A right answer held to the question's form: all the points, or form_credit of them with feedback saying why."""
    if question.form == "any":
        return QuestionResult(**base, verdict="correct", score=question.points, feedback="correct", decided_by=decided, notes=notes)  # fmt: skip
    expected = [value for row in question.expected for value in row]
    problem = None
    for index, value in enumerate(values):
        right = expected[index] if index < len(expected) else None
        # The expected value is a model of the form when it is the engine's result or the file's; equiv's default, the
        # expression itself, is what the student is asked to rewrite, so it is no model.
        model = right if question.expected_given or question.task != "equiv" else None
        problem = _form_problem(question.form, value, model)
        if problem is not None:
            break
    if problem is None:
        return QuestionResult(**base, verdict="correct", score=question.points, feedback="correct", decided_by=decided, in_form=True, notes=notes)  # fmt: skip
    return QuestionResult(
        **base, verdict="correct", score=round(question.form_credit * question.points, 6),
        feedback=f"the value is right, but {problem}", decided_by=decided, in_form=False, notes=notes,
    )  # fmt: skip


def _form_problem(form: str, value: Expr, expected: Expr | None) -> str | None:
    """Why a right value is not in the form (None: it is)."""
    from ..language.mathtext import to_text
    from .answers import simplification_note
    from .sameform import same_form_of

    if expected is not None and same_form_of(value, expected) and (form != "factored" or is_factored(expected)):
        return None
    if form == "simplified":
        note = simplification_note(value)
        return None if note is None else "it is not simplified: " + note.removeprefix("correct, but not simplified: ")
    if form == "factored":
        return None if is_factored(value) else "the question asks for it factored (a product or a power), not as a sum"
    if expected is None:  # same-form without a model: only the expression as given is in its own form
        return "the question asks for the answer written as the expected one"
    return f"the question asks for the answer in the form of the expected one, {to_text(expected)}"


def is_factored(expr: Expr) -> bool:
    """A product, a power, a quotient whose numerator is one of these, or a single term: not a sum at the top."""
    match expr:
        case Neg(arg):
            return is_factored(arg)
        case Add(_):
            return False
        case Div(num, _):  # the denominator is one factor, bracketed or not
            return is_factored(num)
        case Mul(_) | Pow(_, _) | Num(_):
            return True
    return True


def _check_points(question: Question, rows, base: dict) -> QuestionResult:
    """Critical points: the answer's points and the expected ones as sets, each value compared by the equivalence service."""
    matched = _match_points(question, rows, question.expected)
    if matched is None:
        return QuestionResult(**base, verdict="inconclusive", score=0.0, feedback="could not decide whether the points are equal")  # fmt: skip
    if not matched:
        many = len(question.expected)
        feedback = (
            f"not the critical points: there {'is' if many == 1 else 'are'} {many or 'no'} critical point{'s' if many != 1 else ''}"
            + (f", and your answer has {len(rows)}" if len(rows) != many else "; check your values")
        )
        return QuestionResult(**base, verdict="incorrect", score=0.0, feedback=feedback, decided_by="numeric")
    return _formed(question, [value for row in rows for value in row], base, "symbolic", ())


def _match_points(question: Question, given, expected) -> bool | None:
    """Whether the two lists of points are the same set (None: a value could not be decided)."""
    if len(given) != len(expected):
        return False
    left = list(expected)
    undecided = False
    for point in given:
        for index, other in enumerate(left):
            verdicts = [same_value(question, a, b) for a, b in zip(other, point)]
            if all(v == "correct" for v in verdicts):
                del left[index]
                break
            undecided = undecided or "inconclusive" in verdicts
        else:
            return None if undecided else False
    return True
