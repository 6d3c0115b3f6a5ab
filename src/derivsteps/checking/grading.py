"""Grades a whole class: reads a file of answers and checks every row, in worker processes, giving results in input order.

One row never stops the batch. A row that cannot be read gets the verdict "invalid" with the message, a row that hits a
resource limit (its own, or the time one row may take in its worker: limits.GRADE_ROW_SECONDS) gets "limit", and an
unexpected exception gets "error" (a bug, reported in one line while the other rows go on). Only a file that cannot be
read as a whole (missing, not UTF-8, without the columns id, expr, wrt, answer, with an id twice) raises a DerivError.

Each row is one job of the worker runtime (workers.Pool, forked once the checker and SymPy are loaded, so they start
warm), and the row's SymPy calls run in that same worker under their own limits: two levels of processes at most.
Ctrl-C stops only this process's loop, which decides what to keep, and kills the workers.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..cas import workers
from ..core import limits
from ..core.derivation import Displayed
from ..core.errors import DerivError, InputError, LimitError, UsageError
from ..core.vocabulary import VERDICTS  # the checker's four, then the batch's own: "limit" and "error"
from ..language.textfile import read_text
from .records import file_kind, read_records

COLUMNS = ("id", "expr", "wrt", "answer")
OPTIONAL_COLUMNS = ("kind", "vars", "functions")
KINDS = ("derivative", "antiderivative", "equiv")


@dataclass(frozen=True)
class AnswerRow:
    """One row of the class file: a problem (expr, wrt), a student's answer, and how to read them."""

    id: str
    expr: str
    wrt: str
    answer: str
    kind: str = "derivative"
    variables: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    problem: str | None = None  # set when the row itself is malformed (a value missing): it is then graded "invalid"


@dataclass(frozen=True)
class GradedRow(Displayed):
    """One row of the report: the row as given and the checker's verdict on it, all as text (as the report writes it)."""

    id: str
    expr: str
    wrt: str
    answer: str
    verdict: str  # one of VERDICTS
    decided_by: str | None = None  # "structural" | "symbolic" | "numeric" | None
    mistake: str | None = None  # the id of the catalogued slip (mistakes.MISTAKES), when one reproduces the answer
    feedback: str = ""
    expected: str | None = None  # the right answer, as text that parse() reads back
    notes: tuple[str, ...] = field(default=())
    kind: str = "derivative"

    def to_dict(self) -> dict:
        """The row as the JSON and JSON Lines reports write it (notes as a list)."""
        return {**asdict(self), "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, data: Mapping) -> GradedRow:
        """The inverse of to_dict (reading a report back for --resume); raises ValueError for anything else."""
        values = {name: data[name] for name in cls.__dataclass_fields__ if data.get(name) not in (None, "")}
        notes = values.get("notes", ())
        values["notes"] = tuple(notes.split("\n") if isinstance(notes, str) else notes)
        for name in ("expr", "wrt", "answer"):
            values.setdefault(name, "")
        try:
            row = cls(**values)
        except TypeError as err:
            raise ValueError(str(err)) from None
        if row.verdict not in VERDICTS or not all(
            isinstance(getattr(row, name), str) for name in ("id", "expr", "wrt", "answer")
        ):
            raise ValueError(f"not a graded row: {dict(data)!r:.80}")
        return row


# -- reading the class file -----------------------------------------------------------------------------------------------
def read_answers(path: str | os.PathLike) -> list[AnswerRow]:
    """The rows of a class file: CSV with a header, a JSON array of objects, or JSON Lines (by extension, else by content).

    Raises a DerivError for a file that cannot be used at all; a row with a missing value is returned with `problem`
    set, to be graded "invalid" without stopping the others.
    """
    path = Path(path)
    give = "a CSV (id,expr,wrt,answer), JSON or JSON Lines file of answers"
    return parse_answers(read_text(path, label=str(path), give=give, content="the answers"), path)


def parse_answers(text: str, path: str | os.PathLike = "answers") -> list[AnswerRow]:
    """The rows of a class file's text (read_answers without the file: deriv serve's API); `path` names it in messages
    and its extension tells the format (none: told by the content)."""
    path = Path(path)
    if not text.strip():
        raise InputError(f"{path} is empty: its first line must name the columns {', '.join(COLUMNS)}")
    kind = file_kind(path, text)
    records = read_records(text, path, COLUMNS, OPTIONAL_COLUMNS)
    rows = [_answer_row(path, where, record) for where, record in records]
    if not rows:
        raise InputError(f"{path} has no answers, only {'a header' if kind == 'csv' else 'an empty list'}")
    _check_ids(path, rows, [where for where, _ in records])
    return rows


def _answer_row(path: Path, where: str, record: dict) -> AnswerRow:
    problem = record.get("_problem")
    text = {name: (record.get(name) or "").strip() for name in COLUMNS}
    if not text["id"]:
        raise InputError(
            f"{path}, {where}: the id is empty; every row needs an id, unique in the file (--resume finds rows by it)"
        )
    missing = [name for name in ("expr", "answer") if not text[name]]
    if missing and problem is None:
        problem = f"no {' and no '.join(missing)} given"
    kind = (record.get("kind") or "").strip().lower() or "derivative"
    if kind not in KINDS and problem is None:
        problem = f"unknown kind {kind!r}: use {', '.join(KINDS)}"
    return AnswerRow(
        text["id"], text["expr"], text["wrt"], text["answer"], kind if kind in KINDS else "derivative",
        _names(record.get("vars")), _names(record.get("functions")), problem,
    )  # fmt: skip


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(name for name in (text or "").replace(";", ",").replace(" ", ",").split(",") if name)


def _check_ids(path: Path, rows: Sequence[AnswerRow], wheres: Sequence[str]) -> None:
    first: dict[str, str] = {}
    for row, where in zip(rows, wheres):
        if row.id in first:
            raise InputError(
                f"{path}: the id {row.id!r} is used twice ({first[row.id]} and {where}); ids must be unique, as --resume finds rows by them"
            )
        first[row.id] = where


# -- grading one row ------------------------------------------------------------------------------------------------------
def grade_row(row: AnswerRow) -> GradedRow:
    """The verdict on one row; never raises (a bug becomes the verdict "error", with its message)."""
    base = {"id": row.id, "expr": row.expr, "wrt": row.wrt, "answer": row.answer, "kind": row.kind}
    if row.problem is not None:
        return GradedRow(**base, verdict="invalid", feedback=f"invalid input: {row.problem}")
    try:
        verdict = _check(row)
    except LimitError as err:
        return GradedRow(**base, verdict="limit", feedback=str(err))
    except (InputError, UsageError) as err:
        return GradedRow(**base, verdict="invalid", feedback=f"invalid input: cannot read the problem: {err}")
    except DerivError as err:  # our engine could not do this problem: not the student's fault, and not a crash
        return GradedRow(**base, verdict="error", feedback=f"could not grade: {err}")
    except Exception as bug:  # noqa: BLE001 - a bug in one row must not cost the other rows
        return GradedRow(
            **base, verdict="error", feedback=f"internal error (a bug in derivsteps): {type(bug).__name__}: {bug}"
        )
    from ..language.mathtext import to_text

    feedback = verdict.feedback
    if verdict.verdict == "invalid" and not feedback.startswith("invalid input"):
        feedback = f"invalid input: {feedback}"
    return GradedRow(
        **base,
        verdict=verdict.verdict,
        decided_by=verdict.decided_by,
        mistake=verdict.mistake,
        feedback=feedback,
        expected=to_text(verdict.expected) if verdict.expected is not None else None,
        notes=tuple(verdict.notes),
    )


def _check(row: AnswerRow):
    from .answers import check_answer, check_antiderivative, equivalent_expressions

    reading = {"variables": row.variables, "functions": row.functions}
    if row.kind == "antiderivative":
        if not row.wrt:
            raise UsageError("an antiderivative row needs wrt, the variable of integration")
        return check_antiderivative(row.expr, row.wrt, row.answer, **reading)
    if row.kind == "equiv":
        return equivalent_expressions(row.expr, row.answer, **reading)
    return check_answer(row.expr, row.wrt or None, row.answer, **reading)


# -- grading many rows ----------------------------------------------------------------------------------------------------
def grade_rows(rows: Iterable[AnswerRow], *, jobs: int = 1, row_seconds: float | None = None) -> Iterator[GradedRow]:
    """Grade every row, yielding the results in input order as soon as each is ready.

    jobs: worker processes (0: one per core). row_seconds: the time one row may take before its worker is killed and
    the row graded "limit" (default limits.GRADE_ROW_SECONDS; 0: no such limit, only SymPy's own, limits.CAS_SECONDS
    per call). With jobs=1 and row_seconds=0, or where os.fork does not exist, the rows are graded in this process.
    """
    rows = list(rows)
    jobs = (os.cpu_count() or 1) if jobs == 0 else jobs
    if jobs < 0:
        raise UsageError(f"--jobs must be 0 (one per core) or more, not {jobs}")
    row_seconds = limits.GRADE_ROW_SECONDS if row_seconds is None else row_seconds
    if not rows:
        return
    if (jobs == 1 and row_seconds == 0) or not workers.available():
        yield from (grade_row(row) for row in rows)
        return
    _load_before_forking()
    seconds = row_seconds or None
    with workers.Pool(min(jobs, len(rows)), calls_here=True) as pool:
        pool.start()
        for row, outcome in zip(rows, pool.map(grade_row, rows, seconds=seconds)):
            yield _graded(row, outcome, seconds)


def _load_before_forking() -> None:
    """Import what grading a row uses (SymPy with it, and verification's primer): each worker then starts warm."""
    from ..cas import bridge, verification  # noqa: F401
    from ..core import engine  # noqa: F401
    from ..language import mathtext  # noqa: F401
    from . import answers, mistakes  # noqa: F401


def _graded(row: AnswerRow, outcome: workers.Outcome, seconds: float | None) -> GradedRow:
    """The row's result from its job: grade_row's own, "limit" past the row deadline, "error" for a dead worker."""
    if outcome.timed_out:
        verdict = "limit"
        feedback = (
            f"grading this row took longer than {seconds:g} s (limits.GRADE_ROW_SECONDS); "
            "raise the limit with --max-row-seconds"
        )
    elif outcome.died is not None:
        verdict, feedback = "error", f"internal error: the worker grading this row died ({_how(outcome.died)})"
    elif outcome.error is not None:  # a BaseException grade_row let through, or a result that could not be sent back
        bug = outcome.error
        verdict, feedback = "error", f"internal error (a bug in derivsteps): {type(bug).__name__}: {bug}"
    else:
        return outcome.value
    return GradedRow(row.id, row.expr, row.wrt, row.answer, verdict, feedback=feedback, kind=row.kind)


def _how(status: int) -> str:
    """How a worker ended, from its wait status, as the report words it."""
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit code {os.WEXITSTATUS(status)}"


@dataclass
class Summary(Displayed):
    """Counts per verdict, the most common mistakes, and the speed of the run."""

    rows: int
    verdicts: dict[str, int]
    mistakes: list[tuple[str, int]]  # most common first
    graded: int  # rows graded in this run (the others came from the report being resumed)
    seconds: float
    interrupted: bool = False

    @property
    def answers_per_second(self) -> float | None:
        return round(self.graded / self.seconds, 1) if self.seconds > 0 and self.graded else None

    def to_dict(self) -> dict:
        return {
            "rows": self.rows,
            "verdicts": self.verdicts,
            "mistakes": [{"mistake": name, "count": count} for name, count in self.mistakes],
            "graded": self.graded,
            "seconds": round(self.seconds, 3),
            "answers_per_second": self.answers_per_second,
            "interrupted": self.interrupted,
        }


def summarize(
    graded: Sequence[GradedRow], *, new: int | None = None, seconds: float = 0.0, interrupted: bool = False
) -> Summary:
    """The summary of a report: `new` of its rows were graded in `seconds` (default: all of them)."""
    verdicts = Counter(row.verdict for row in graded)
    mistakes = Counter(row.mistake for row in graded if row.mistake)
    return Summary(
        rows=len(graded),
        verdicts={name: verdicts.get(name, 0) for name in VERDICTS},
        mistakes=sorted(mistakes.items(), key=lambda item: (-item[1], item[0])),
        graded=len(graded) if new is None else new,
        seconds=seconds,
        interrupted=interrupted,
    )
