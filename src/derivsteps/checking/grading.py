"""Grades a whole class: reads a file of answers and checks every row, in worker processes, giving results in input order.

One row never stops the batch. A row that cannot be read gets the verdict "invalid" with the message, a row that hits a
resource limit (its own, or the time one row may take in its worker: limits.GRADE_ROW_SECONDS) gets "limit", and an
unexpected exception gets "error" (a bug, reported in one line while the other rows go on). Only a file that cannot be
read as a whole (missing, not UTF-8, without the columns id, expr, wrt, answer, with an id twice) raises a DerivError.

The workers are forked from this process once the checker (and so SymPy) is imported, so they start warm. Each sits
in a process group of its own, so that killing it at the row deadline also kills the SymPy worker it may have forked
(deadline.py), and Ctrl-C on the terminal reaches only this process, which decides what to keep.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..cas.equivalence import VERDICTS as EQUIVALENCE_VERDICTS
from ..core import limits
from ..core.errors import DerivError, InputError, LimitError, UsageError
from ..language.textfile import read_text

COLUMNS = ("id", "expr", "wrt", "answer")
OPTIONAL_COLUMNS = ("kind", "vars", "functions")
KINDS = ("derivative", "antiderivative", "equiv")
# The checker's four, then the batch's own: a limit hit while grading, and a bug (an unexpected exception).
# The equivalence service's verdicts; "invalid", an answer that could not be read (as the checker says); and a row
# that hit a limit or met a bug: the batch goes on. (The checker imports SymPy, which grading's start-up must not.)
VERDICTS = (*EQUIVALENCE_VERDICTS, "invalid", "limit", "error")


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
class GradedRow:
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
    text = read_text(path, label=str(path), give=give, content="the answers")
    if not text.strip():
        raise InputError(f"{path} is empty: its first line must name the columns {', '.join(COLUMNS)}")
    kind = _file_kind(path, text)
    records = {"csv": _csv_records, "json": _json_records, "jsonl": _jsonl_records}[kind](path, text)
    rows = [_answer_row(path, where, record) for where, record in records]
    if not rows:
        raise InputError(f"{path} has no answers, only {'a header' if kind == 'csv' else 'an empty list'}")
    _check_ids(path, rows, [where for where, _ in records])
    return rows


def _file_kind(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix == ".json":
        return "json"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    start = text.lstrip()[:1]
    return "json" if start == "[" else "jsonl" if start == "{" else "csv"


def _csv_records(path: Path, text: str) -> list[tuple[str, dict]]:
    # A spreadsheet in a comma-decimal locale writes ";" between values; the header tells which.
    delimiter = next((mark for mark in ",;\t" if mark in text.split("\n", 1)[0]), ",")
    # newline="": rows end at \r\n or \n only, never at the other characters str.splitlines breaks at (\u2028, \x1c).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
        missing = [name for name in COLUMNS if name not in header]
        if missing:
            raise InputError(
                f"{path}: the header names {', '.join(header) or 'no columns'}; it needs the columns {', '.join(COLUMNS)} "
                f"(missing: {', '.join(missing)}; other columns are ignored)"
            )
        records = []
        for values in reader:
            if not any(value.strip() for value in values):
                continue  # a blank line, or a row of empty cells a spreadsheet left behind
            where = f"line {reader.line_num}"
            record = {name: value for name, value in zip(header, values) if name in COLUMNS + OPTIONAL_COLUMNS}
            if len(values) < len(header):
                record["_problem"] = f"the row has {len(values)} values, but the header names {len(header)} columns"
            records.append((where, record))
            _check_count(path, records)
    except csv.Error as err:
        raise InputError(f"{path}, line {reader.line_num}: not valid CSV ({err})") from None
    return records


def _json_records(path: Path, text: str) -> list[tuple[str, dict]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"{path}, line {err.lineno}, column {err.colno}: not valid JSON ({err.msg})") from None
    if isinstance(document, dict) and isinstance(document.get("rows"), list):
        document = document["rows"]  # a report of ours: grade its rows again
    if not isinstance(document, list):
        raise InputError(f"{path}: the JSON must be an array of objects with the keys {', '.join(COLUMNS)}")
    records = [(f"item {index}", item) for index, item in enumerate(document)]
    _check_count(path, records)
    return [(where, _record(path, where, item)) for where, item in records]


def _jsonl_records(path: Path, text: str) -> list[tuple[str, dict]]:
    records = []
    for number, line in enumerate(text.split("\n"), start=1):  # not splitlines: a JSON string may hold \u2028 as is
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(f"{path}, line {number}, column {err.colno}: not valid JSON ({err.msg})") from None
        records.append((f"line {number}", _record(path, f"line {number}", item)))
        _check_count(path, records)
    return records


def _record(path: Path, where: str, item) -> dict:
    if not isinstance(item, dict):
        raise InputError(
            f"{path}, {where}: expected an object with the keys {', '.join(COLUMNS)}, not {type(item).__name__}"
        )
    record = {}
    for name in COLUMNS + OPTIONAL_COLUMNS:
        value = item.get(name)
        if name in ("vars", "functions") and isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = ",".join(value)
        if isinstance(value, bool) or (value is not None and not isinstance(value, (str, int, float))):
            record["_problem"] = f"{name} must be text, not {json.dumps(value)[:40]}"
            value = None
        if value is not None:
            record[name] = str(value)
    return record


def _check_count(path: Path, records: list) -> None:
    if len(records) > limits.MAX_GRADE_ROWS:
        raise LimitError(
            f"{path} has more than limits.MAX_GRADE_ROWS ({limits.MAX_GRADE_ROWS:,}) answers: split it into several files"
        )


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
    if (jobs == 1 and row_seconds == 0) or not hasattr(os, "fork"):
        yield from (grade_row(row) for row in rows)
        return
    yield from _Pool(min(jobs, len(rows)), row_seconds or None).grade(rows)


@dataclass
class Summary:
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


# -- the worker processes -------------------------------------------------------------------------------------------------
class _Worker:
    """One forked process grading the rows it is sent through its pipe, one at a time."""

    def __init__(self, others: Sequence[_Worker]):
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe()
        # The child closes the parent's ends of every pipe (its own and its siblings'), so when this process dies
        # its reads end with EOFError and it leaves instead of waiting forever.
        inherited = [self.connection, *(other.connection for other in others)]
        # Not daemonic: a daemonic process may not start processes, and a row's SymPy calls may.
        self.process = context.Process(target=_serve, args=(child, inherited), daemon=False)
        self.process.start()
        child.close()
        self.task: tuple[int, AnswerRow] | None = None
        self.started = 0.0

    def send(self, index: int, row: AnswerRow) -> None:
        self.task, self.started = (index, row), time.monotonic()
        self.connection.send((index, row))

    def kill(self) -> None:
        """Stop the worker and everything it started, at once."""
        self.connection.close()
        pid = self.process.pid
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):  # not yet its own group, or already gone
            self.process.kill()
        self.process.join(5)

    def stop(self) -> None:
        """Let an idle worker finish (closing the pipe ends its loop), then end whatever is left of its process group
        (a SymPy worker it kept, deadline.py, should leave by itself when its pipe closes; this makes sure)."""
        self.connection.close()
        self.process.join(1)
        self.kill()


def _serve(connection, inherited) -> None:
    """A worker's life: grade each row received, send it back, and leave when the parent closes the pipe."""
    for other in inherited:
        other.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and decides what to keep
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        os.setpgrp()
    except OSError:
        pass
    while True:
        try:
            index, row = connection.recv()
        except (EOFError, OSError):
            return
        try:
            connection.send((index, grade_row(row)))
        except (BrokenPipeError, OSError):
            return


class _Pool:
    def __init__(self, size: int, row_seconds: float | None):
        self.size = size
        self.row_seconds = row_seconds
        self.workers: list[_Worker] = []

    def grade(self, rows: list[AnswerRow]) -> Iterator[GradedRow]:
        from multiprocessing.connection import wait

        from . import answers  # noqa: F401 - imported before forking, so every worker starts with SymPy loaded

        waiting = deque(enumerate(rows))
        done: dict[int, GradedRow] = {}
        next_out = 0
        try:
            for _ in range(self.size):
                self.workers.append(_Worker(self.workers))
            while next_out < len(rows):
                for position, worker in enumerate(self.workers):
                    if worker.task is None and waiting:
                        self._dispatch(position, waiting.popleft())
                busy = [worker for worker in self.workers if worker.task is not None]
                ready = wait([worker.connection for worker in busy], timeout=self._timeout(busy))
                for worker in busy:
                    if worker.connection in ready:
                        self._collect(worker, done)
                    elif self.row_seconds is not None and time.monotonic() - worker.started > self.row_seconds:
                        self._replace(worker, done, self._overrun(worker))
                while next_out in done:
                    yield done.pop(next_out)
                    next_out += 1
        finally:
            for worker in self.workers:
                worker.kill() if worker.task is not None else worker.stop()

    def _dispatch(self, position: int, task: tuple[int, AnswerRow]) -> None:
        try:
            self.workers[position].send(*task)
        except OSError:  # the worker died while idle (the kernel's OOM killer, say): a fresh one takes the row
            self.workers[position].task = None
            self.workers[position].kill()
            self.workers[position] = _Worker([other for index, other in enumerate(self.workers) if index != position])
            self.workers[position].send(*task)

    def _timeout(self, busy: list[_Worker]) -> float | None:
        if self.row_seconds is None or not busy:
            return None
        return max(0.0, min(worker.started for worker in busy) + self.row_seconds - time.monotonic())

    def _collect(self, worker: _Worker, done: dict[int, GradedRow]) -> None:
        try:
            index, graded = worker.connection.recv()
        except (EOFError, OSError):
            worker.process.join(1)
            code = worker.process.exitcode
            how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
            self._replace(worker, done, f"internal error: the worker grading this row died ({how})", "error")
            return
        done[index] = graded
        worker.task = None

    def _overrun(self, worker: _Worker) -> str:
        return (
            f"grading this row took longer than {self.row_seconds:g} s (limits.GRADE_ROW_SECONDS); "
            "raise the limit with --max-row-seconds"
        )

    def _replace(self, worker: _Worker, done: dict[int, GradedRow], message: str, verdict: str = "limit") -> None:
        index, row = worker.task
        done[index] = GradedRow(row.id, row.expr, row.wrt, row.answer, verdict, feedback=message, kind=row.kind)
        worker.kill()
        position = self.workers.index(worker)
        self.workers[position] = _Worker([other for other in self.workers if other is not worker])
