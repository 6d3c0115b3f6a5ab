"""A class graded against a question set: the answers file (student, question, answer), one graded row per answer
(check_question in the worker runtime, in input order), slices for several machines, and the statistics a teacher
reads (per student, per question, the mistake table, the answers no catalogue entry explains).

The answers file is CSV with the columns student, question, answer (any order, other columns ignored), or JSON /
JSON Lines objects with those keys. A student answers a question at most once. A row that cannot be graded (no
answer, an unknown question) is graded "invalid" and the batch goes on.

Slices (--shard K/N): a row belongs to slice 1 + (SHA-256 of "student␟question") mod N. The key is the answer's
identity, not its position: slices do not change when the file is sorted or exported again, every slice gets about
1/N of the rows whatever the order (a student's answers are spread over the slices, so no slice waits on one large
class), and the slices of the N runs are disjoint and cover the file. Each graded row keeps its position in the file
(`row`), so `merge` puts slices back in the file's order and the merged report equals an unsharded run's.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

from ..cas import workers
from ..core import limits
from ..core.derivation import Displayed
from ..core.errors import DerivError, InputError, LimitError, UsageError
from ..core.vocabulary import VERDICTS
from .questions import Question, QuestionSet, check_question, outcome_of, read_components, same_value
from .records import read_records

COLUMNS = ("student", "question", "answer")
# How an answer came out, for the statistics: all the points, some, none (wrong), unreadable, or not decided.
OUTCOMES = ("correct", "partial", "incorrect", "invalid", "undecided")
# Distinct answer texts an unexplained group lists (its count covers them all).
GROUP_EXAMPLES = 3


@dataclass(frozen=True)
class Submission:
    """One row of the answers file: who, which question, what they wrote, and where it is in the file (0-based)."""

    row: int
    student: str
    question: str
    answer: str
    problem: str | None = None  # set when the row cannot be graded: it is then "invalid" with this message

    @property
    def key(self) -> str:
        """The row's identity for slicing: student and question (the unit separator never occurs in either)."""
        return shard_key(self.student, self.question)


@dataclass(frozen=True)
class CourseRow:
    """One graded answer: the submission and check_question's result (verdict, points, mistake, feedback, form)."""

    row: int
    student: str
    question: str
    answer: str
    verdict: str  # one of VERDICTS (limit and error from the batch)
    score: float
    max_score: float
    mistake: str | None = None
    feedback: str = ""
    expected: str | None = None
    decided_by: str | None = None
    in_form: bool | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def outcome(self) -> str:
        """correct, partial, incorrect, invalid, or undecided (inconclusive, limit, error)."""
        found = outcome_of(self.verdict, self.score, self.max_score)
        return found if found in OUTCOMES else "undecided"

    @property
    def unexplained(self) -> bool:
        """A wrong value that no catalogued mistake explains."""
        return self.verdict == "incorrect" and self.mistake is None

    def to_dict(self) -> dict:
        """The row as the JSON and JSON Lines reports write it (with its outcome)."""
        return {**asdict(self), "notes": list(self.notes), "outcome": self.outcome}

    @classmethod
    def from_dict(cls, data: Mapping) -> CourseRow:
        """The inverse of to_dict (reading slice reports back for --merge); ValueError for anything else."""
        try:
            values = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
            values["notes"] = tuple(values.get("notes") or ())
            row = cls(**values)
        except (TypeError, KeyError) as err:
            raise ValueError(f"not a graded answer: {err}") from None
        if row.verdict not in VERDICTS or not isinstance(row.row, int) or not isinstance(row.student, str):
            raise ValueError(f"not a graded answer: {dict(data)!r:.80}")
        return row


def shard_key(student: str, question: str) -> str:
    """The key a course row is sliced by."""
    return f"{student}\x1f{question}"


def shard_of(key: str, count: int) -> int:
    """The slice (1..count) a row with this key belongs to: stable across runs, machines and Python versions."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return 1 + int.from_bytes(digest[:8], "big") % count


def parse_shard(text: str) -> tuple[int, int]:
    """--shard K/N as (K, N), 1 <= K <= N."""
    k, slash, n = text.partition("/")
    try:
        index, count = int(k), int(n)
    except ValueError:
        index = count = 0
    if not slash or not 1 <= index <= count:
        raise UsageError(
            f"--shard takes K/N with 1 <= K <= N, such as --shard 2/8 (the second of 8 slices), not {text!r}"
        )
    return index, count


# -- reading the answers ----------------------------------------------------------------------------------------------------
def read_submissions(path: str | os.PathLike) -> list[Submission]:
    """The rows of an answers file: CSV with a header (student, question, answer), a JSON array, or JSON Lines."""
    from ..language.textfile import read_text

    path = Path(path)
    text = read_text(path, label=str(path), give="a CSV (student,question,answer), JSON or JSON Lines file of answers", content="the answers")  # fmt: skip
    return parse_submissions(text, path)


def parse_submissions(text: str, path: str | os.PathLike = "answers.csv") -> list[Submission]:
    """read_submissions of a text; `path` names it in messages and its extension tells the format."""
    path = Path(path)
    if not text.strip():
        raise InputError(f"{path} is empty: its first line must name the columns {', '.join(COLUMNS)}")
    records = read_records(text, path, COLUMNS, needs="answers to a question set need")
    if not records:
        raise InputError(f"{path} has no answers")
    rows, first = [], {}
    for index, (where, record) in enumerate(records):
        student = str(record.get("student") or "").strip()
        question = str(record.get("question") or "").strip()
        if not student:
            raise InputError(f"{path}, {where}: the student is empty; every answer needs the student's id")
        if (student, question) in first:
            raise InputError(
                f"{path}: {student} answers {question or 'the empty question'} twice ({first[student, question]} and {where}); keep one answer per student and question"
            )
        first[student, question] = where
        answer = str(record.get("answer") or "")
        problem = record.get("_problem") or (None if question else "no question given")
        if problem is None and not answer.strip():
            problem = "no answer given"
        rows.append(Submission(index, student, question, answer.strip(), problem))
    return rows


def grade_submission(job: tuple[Question | None, Submission]) -> CourseRow:
    """One answer graded against its question; never raises (a bug becomes the verdict "error")."""
    question, sub = job
    base = {"row": sub.row, "student": sub.student, "question": sub.question, "answer": sub.answer}
    points = question.points if question is not None else 0.0
    expected = question.expected_text if question is not None else None
    if sub.problem is not None or question is None:
        why = sub.problem or f"no question {sub.question!r} in the question set"
        return CourseRow(**base, verdict="invalid", score=0.0, max_score=points, feedback=f"invalid input: {why}", expected=expected)  # fmt: skip
    try:
        result = check_question(question, sub.answer)
    except LimitError as err:
        return CourseRow(**base, verdict="limit", score=0.0, max_score=points, feedback=str(err), expected=expected)
    except DerivError as err:
        return CourseRow(**base, verdict="error", score=0.0, max_score=points, feedback=f"could not grade: {err}", expected=expected)  # fmt: skip
    except Exception as bug:  # noqa: BLE001 - a bug in one row must not cost the other rows
        feedback = f"internal error (a bug in derivsteps): {type(bug).__name__}: {bug}"
        return CourseRow(**base, verdict="error", score=0.0, max_score=points, feedback=feedback, expected=expected)
    feedback = result.feedback
    if result.verdict == "invalid" and not feedback.startswith("invalid input"):
        feedback = f"invalid input: {feedback}"
    return CourseRow(
        **base, verdict=result.verdict, score=result.score, max_score=result.max_score, mistake=result.mistake,
        feedback=feedback, expected=result.expected, decided_by=result.decided_by, in_form=result.in_form,
        notes=result.notes,
    )  # fmt: skip


def grade_submissions(
    submissions: Iterable[Submission], questions: QuestionSet, *, jobs: int = 1, row_seconds: float | None = None
) -> Iterator[CourseRow]:
    """Grade every answer, yielding the rows in input order as each is ready: one job of the worker runtime per answer
    (as grading.grade_rows; jobs 0 = one per core; row_seconds: the time one answer may take, default
    limits.GRADE_ROW_SECONDS)."""
    subs = list(submissions)
    jobs = (os.cpu_count() or 1) if jobs == 0 else jobs
    if jobs < 0:
        raise UsageError(f"--jobs must be 0 (one per core) or more, not {jobs}")
    row_seconds = limits.GRADE_ROW_SECONDS if row_seconds is None else row_seconds
    work = [(questions.question(sub.question), sub) for sub in subs]
    if not work:
        return
    if (jobs == 1 and row_seconds == 0) or not workers.available():
        yield from (grade_submission(job) for job in work)
        return
    _load_before_forking()
    seconds = row_seconds or None
    with workers.Pool(min(jobs, len(work)), calls_here=True) as pool:
        pool.start()
        for (question, sub), outcome in zip(work, pool.map(grade_submission, work, seconds=seconds)):
            yield _graded(question, sub, outcome, seconds)


def _load_before_forking() -> None:
    """Import what grading an answer uses, so every worker starts warm."""
    from ..calculus import critical, multivar  # noqa: F401
    from ..cas import bridge, verification  # noqa: F401
    from ..core import engine  # noqa: F401
    from ..language import mathtext  # noqa: F401
    from . import answers, mistakes, sameform  # noqa: F401


def _graded(question: Question | None, sub: Submission, outcome: workers.Outcome, seconds: float | None) -> CourseRow:
    if outcome.timed_out:
        verdict = "limit"
        feedback = f"grading this answer took longer than {seconds:g} s (limits.GRADE_ROW_SECONDS); raise the limit with --max-row-seconds"  # fmt: skip
    elif outcome.died is not None:
        verdict, feedback = "error", "internal error: the worker grading this answer died"
    elif outcome.error is not None:
        verdict, feedback = "error", f"internal error (a bug in derivsteps): {type(outcome.error).__name__}: {outcome.error}"  # fmt: skip
    else:
        return outcome.value
    points = question.points if question is not None else 0.0
    return CourseRow(sub.row, sub.student, sub.question, sub.answer, verdict, 0.0, points, feedback=feedback)


# -- the statistics -------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MistakeCount:
    """A catalogued mistake the class made on a question: how often, and one answer showing it (no student named)."""

    mistake: str
    description: str
    count: int
    example: str


@dataclass(frozen=True)
class AnswerGroup:
    """Wrong answers no catalogued mistake explains, equal in value to each other: the next mistake to catalogue?"""

    count: int
    answers: tuple[str, ...]  # the distinct texts, first seen first (at most GROUP_EXAMPLES)


@dataclass(frozen=True)
class QuestionStats:
    """How the class did on one question."""

    id: str
    prompt: str
    task: str
    topic: str | None
    points: float
    expected: str | None
    outcomes: Mapping[str, int]  # OUTCOMES -> answers
    mean_score: float | None  # over the answers given; None when nobody answered
    mistakes: tuple[MistakeCount, ...]  # most common first
    unexplained: tuple[AnswerGroup, ...]  # largest first

    @property
    def answered(self) -> int:
        return sum(self.outcomes.values())


@dataclass(frozen=True)
class StudentResult:
    """One student's score, and their row for each question of the set (None: not answered)."""

    student: str
    score: float
    max_score: float
    rows: tuple[CourseRow | None, ...]  # in the order of the set's questions


@dataclass(frozen=True, repr=False)
class CourseReport(Displayed):
    """A class's results on a question set: every graded row, per student, per question (print() shows the text
    report; derivsteps.to_markdown, to_html and to_json the others)."""

    title: str
    questions: tuple[QuestionStats, ...]
    students: tuple[StudentResult, ...]
    rows: tuple[CourseRow, ...]  # in the order of the answers file
    total_points: float
    strays: tuple[CourseRow, ...] = ()  # answers to questions the set does not have (graded invalid)

    @property
    def input(self) -> str:
        return self.title

    @property
    def outcomes(self) -> dict[str, int]:
        """Answers per outcome over the whole class."""
        return {name: sum(1 for row in self.rows if row.outcome == name) for name in OUTCOMES}


def course_report(questions: QuestionSet, rows: Sequence[CourseRow]) -> CourseReport:
    """The statistics of graded rows (in file order: a merged report sorts them by `row` first)."""
    from .mistakes import MISTAKES_BY_ID

    rows = tuple(sorted(rows, key=lambda row: row.row))
    ids = questions.ids
    stats = []
    for question in questions.questions:
        own = [row for row in rows if row.question == question.id]
        outcomes = {name: sum(1 for row in own if row.outcome == name) for name in OUTCOMES}
        mistakes: dict[str, list[CourseRow]] = {}
        for row in own:
            if row.mistake:
                mistakes.setdefault(row.mistake, []).append(row)
        table = tuple(
            MistakeCount(name, getattr(MISTAKES_BY_ID.get(name), "description", ""), len(found), found[0].answer)
            for name, found in sorted(mistakes.items(), key=lambda item: (-len(item[1]), item[1][0].row))
        )
        stats.append(
            QuestionStats(
                question.id, question.prompt, question.task, question.topic, question.points, question.expected_text,
                outcomes, round(sum(row.score for row in own) / len(own), 4) if own else None, table,
                group_unexplained(question, [row for row in own if row.unexplained]),
            )
        )  # fmt: skip
    students: dict[str, dict[str, CourseRow]] = {}
    for row in rows:
        students.setdefault(row.student, {})
        if row.question in ids:
            students[row.student][row.question] = row
    results = tuple(
        StudentResult(
            name,
            round(sum(row.score for row in answered.values()), 4),
            questions.total_points,
            tuple(answered.get(qid) for qid in ids),
        )
        for name, answered in students.items()
    )
    strays = tuple(row for row in rows if row.question not in ids)
    return CourseReport(questions.title, tuple(stats), results, rows, questions.total_points, strays)


def group_unexplained(question: Question, rows: Sequence[CourseRow]) -> tuple[AnswerGroup, ...]:
    """Unexplained wrong answers grouped by equal value (the equivalence service), largest group first.

    A class of thousands may have thousands of distinct wrong answers, so each answer is first given a fingerprint
    (its values at fixed points, to 12 digits) and compared by the equivalence service only with the groups of the
    same fingerprint; an answer without one (undefined there, a sum over data) with at most MAX_COMPARED groups.
    """
    values: list[tuple | None] = []  # each group's representative value (None: unreadable)
    texts: list[list[str]] = []
    counts: list[int] = []
    by_text: dict[str, int] = {}
    by_print: dict[object, list[int]] = {}
    for row in rows:
        text = " ".join(row.answer.split())
        found = by_text.get(text)
        if found is None:
            try:
                value = read_components(question, text)
            except DerivError:
                value = None
            mark = _fingerprint(value) if value is not None else ("unreadable", text)
            candidates = by_print.get(mark, [])[:MAX_COMPARED] if value is not None else []
            found = next((i for i in candidates if _equal_values(question, values[i], value)), None)
            if found is None:
                found = len(values)
                values.append(value)
                texts.append([])
                counts.append(0)
                by_print.setdefault(mark, []).append(found)
            by_text[text] = found
            texts[found].append(text)
        counts[found] += 1
    ordered = sorted(range(len(values)), key=lambda index: (-counts[index], index))
    return tuple(AnswerGroup(counts[index], tuple(texts[index][:GROUP_EXAMPLES])) for index in ordered)


# The groups an answer is compared with when fingerprints cannot tell them apart.
MAX_COMPARED = 50


def _fingerprint(value: tuple) -> object:
    """The answer's values at two fixed points (each variable a fixed number by its name), rounded: equal answers
    share it; None when it has no value there (undefined at a point, a sum over data)."""
    from ..core.numeric import evaluate
    from ..core.tree import variables

    shape = tuple(len(row) for row in value)
    marks = []
    for probe in (1, 2):
        for row in value:
            for expr in row:
                point = {var: _probe(var, probe) for var in variables(expr)}
                try:
                    number = evaluate(expr, point)
                except (DerivError, ArithmeticError, ValueError, TypeError):
                    return None
                marks.append((_rounded(float(number.real)), _rounded(float(number.imag))))
    return (shape, tuple(marks))


def _probe(var, probe: int) -> Fraction:
    """A value for a variable, the same for every answer: between 0.3 and 1.8, from its name."""
    digest = hashlib.sha256(f"{probe}:{var}".encode()).digest()
    return Fraction(3, 10) + Fraction(int.from_bytes(digest[:4], "big") % 1_500_000, 1_000_000)


def _rounded(number: float) -> str:
    return "0" if abs(number) < 1e-30 else f"{number:.12g}"


def _equal_values(question: Question, a, b) -> bool:
    if [len(row) for row in a] != [len(row) for row in b]:
        return False
    return all(same_value(question, x, y) == "correct" for row_a, row_b in zip(a, b) for x, y in zip(row_a, row_b))


# -- slices and merging -------------------------------------------------------------------------------------------------------
def read_slices(paths: Sequence[str | os.PathLike]) -> list[dict]:
    """The rows of slice reports (JSON Lines, or a JSON report's "rows"), as dicts, file after file."""
    from ..language.textfile import read_text

    rows: list[dict] = []
    for name in paths:
        path = Path(name)
        text = read_text(path, label=str(path), give="a report of deriv grade (.jsonl or .json)", content="the report")
        if path.suffix.lower() == ".json":
            try:
                document = json.loads(text)
                items = document["rows"]
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise InputError(f"{path}: not a JSON report of deriv grade ({err})") from None
            rows += [item for item in items if isinstance(item, dict)]
            continue
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as err:
                raise InputError(f"{path}, line {number}: not a JSON Lines report ({err.msg})") from None
            if not isinstance(item, dict):
                raise InputError(f"{path}, line {number}: not a graded row")
            rows.append(item)
    return rows


def merge_course_rows(items: Sequence[Mapping]) -> list[CourseRow]:
    """Course rows of several slices as one list in file order; a row in two slices (or two answers of one student to
    one question) is an error, as the slices of one file never overlap."""
    rows = []
    for item in items:
        try:
            rows.append(CourseRow.from_dict(item))
        except ValueError as err:
            raise InputError(f"--merge: {err}") from None
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        if (row.student, row.question) in seen:
            raise InputError(
                f"--merge: {row.student}'s answer to {row.question} is in two reports: merge the slices of one run only"
            )
        seen[row.student, row.question] = row.row
    return sorted(rows, key=lambda row: row.row)
