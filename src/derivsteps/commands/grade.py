"""deriv grade FILE: check a whole class's answers, one verdict and feedback per row, and a summary."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from . import EXIT_OK, Command

EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as a shell reports it
EXIT_TERMINATED = 143  # SIGTERM (128 + SIGTERM)

# A progress bar only for files this long, and only on a terminal that shows nothing else (stdout redirected or -o).
PROGRESS_ROWS = 20

_GRADE_EPILOG = """\
examples:
  deriv grade examples/class_answers.csv                  a table on the terminal, then the summary
  deriv grade answers.csv -o report.csv --jobs 0          one worker per core; rows saved as they are graded
  deriv grade answers.csv -o report.csv --resume          after Ctrl-C: grade only the rows report.csv lacks
  deriv grade answers.jsonl -o report.json                one JSON document: {"schema": 1, "rows": [...], "summary": {...}}
  deriv grade answers.csv --format markdown > report.md

the answers file: CSV whose first line names the columns (any order, other columns ignored):
  id,expr,wrt,answer
  s01,sin(x^2),x,2x cos(x^2)
  s02,x^3,x,3x^3
or a JSON array of objects with those keys, or JSON Lines (one object per line). Ids must be unique. Optional
columns: kind (derivative, the default; antiderivative: is answer an antiderivative of expr; equiv: is answer equal
to expr), vars and functions (names, as --vars and --functions of the other commands).

verdicts: correct, incorrect (with the mistake when one of the catalogue reproduces the answer), inconclusive
(SymPy and sampling could not decide), invalid (a row that cannot be read: the message says where), limit (a row
that hit a resource limit), error (a bug in derivsteps: please report it). One row never stops the others.

the report: -o's extension picks the format (or --format). .csv and .jsonl grow one complete row at a time, in the
order of the answers file, and hold only rows (the summary is printed). .json and .md are one document with the
summary, written when the run ends. Ctrl-C or SIGTERM stops the run and keeps every row graded so far, in a valid
file; --resume then grades only the rows whose id the report lacks (.csv, .jsonl, .json). Without -o the report goes
to stdout: a table (text), or --format csv, jsonl, json, markdown.

exit codes: 0 the batch ran, whatever the verdicts; 2 bad usage or a file that cannot be read;
130 / 143 interrupted by Ctrl-C / SIGTERM (the report keeps the rows graded so far)
"""


# checking.reports.FORMATS, written out: every start of `deriv` builds this parser, and importing the report writers
# (and the grader under them) would cost every command about 12 ms. tests/test_grade.py keeps the two equal.
FORMATS = ("text", "csv", "jsonl", "json", "markdown")


def _grade_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", metavar="FILE", help="the answers: a CSV file with the columns id,expr,wrt,answer, or JSON / JSON Lines"
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="REPORT",
        default=None,
        help="write the report to REPORT (.csv, .jsonl, .json, .md or .txt); the summary goes to stdout",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="the report's format (default: from -o's extension; a text table on stdout)",
    )
    parser.add_argument(
        "-j", "--jobs", metavar="N", type=int, default=1, help="worker processes (default 1; 0: one per core)"
    )
    parser.add_argument(
        "--resume", action="store_true", help="keep the rows already in REPORT, grade only the others, and add them"
    )
    parser.add_argument(
        "--max-row-seconds", metavar="S", type=float, default=None,
        help="seconds one row may take before its worker is stopped and the row marked limit (default: limits.GRADE_ROW_SECONDS, 60)",
    )  # fmt: skip
    parser.add_argument("--ascii", action="store_true", help="plain ASCII marks in the text table")


class _Terminated(BaseException):
    """SIGTERM, raised in the main thread like KeyboardInterrupt, so the rows graded so far are saved."""


@contextmanager
def _sigterm_raises():
    def handler(signum, frame):
        raise _Terminated()

    if threading.current_thread() is not threading.main_thread():  # signal handlers can only be set there
        yield
        return
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_grade(args: argparse.Namespace) -> int:
    with _sigterm_raises():  # from the start, so that SIGTERM never ends the run without our message
        try:
            return _grade(args)
        except _Terminated:  # before the first row, or while the report was being written after the first signal
            print("terminated: no row was added to the report in this run", file=sys.stderr)
            return EXIT_TERMINATED


def _grade(args: argparse.Namespace) -> int:
    from ..checking.grading import grade_rows, read_answers, summarize
    from ..checking.reports import format_of, recover
    from ..core.errors import UsageError
    from ..render.live import grading_bar

    if args.jobs < 0:
        raise UsageError(f"--jobs must be 0 (one worker per core) or a positive number, not {args.jobs}")
    if args.max_row_seconds is not None and not args.max_row_seconds > 0:
        raise UsageError(f"--max-row-seconds must be a positive number of seconds, not {args.max_row_seconds:g}")
    if args.resume and args.output is None:
        raise UsageError("--resume continues the report named by -o: give -o REPORT as well")
    fmt = args.format or (format_of(args.output) if args.output is not None else "text")
    if args.output is not None and Path(args.output).resolve() == Path(args.file).resolve():
        raise UsageError(f"-o {args.output} is the answers file itself: write the report to another file")
    rows = read_answers(args.file)
    previous = recover(args.output, fmt) if args.resume else []
    todo = _still_to_grade(rows, previous, args)

    sink = _Sink(args, fmt, previous, max((len(row.id) for row in rows), default=2))
    progress = grading_bar(len(todo)) if _show_progress(args, len(todo)) else None
    start, graded, stopped = time.monotonic(), 0, None
    try:
        for row in grade_rows(todo, jobs=args.jobs, row_seconds=args.max_row_seconds):
            sink.add(row)
            graded += 1
            if progress is not None:
                progress.advance()
    except KeyboardInterrupt:
        stopped = EXIT_INTERRUPTED
    except _Terminated:
        stopped = EXIT_TERMINATED
    except BaseException:  # a bug: keep what is graded (a JSON report is written now or never), then let it surface
        sink.close(summarize(sink.rows, new=graded, seconds=time.monotonic() - start, interrupted=True))
        raise
    finally:
        if progress is not None:
            progress.stop()
    sink.close(summarize(sink.rows, new=graded, seconds=time.monotonic() - start, interrupted=stopped is not None))
    if stopped is not None:
        kept = (
            f"{args.output} keeps them; run the same command with --resume to grade the rest"
            if args.output
            else "add -o REPORT to keep rows across runs"
        )
        print(f"interrupted after {graded} of {len(todo)} rows: {kept}", file=sys.stderr)
        return stopped
    return EXIT_OK


def _still_to_grade(rows, previous, args: argparse.Namespace) -> list:
    """The rows whose id the report being resumed lacks; notes on stderr for rows that differ from the file."""
    from collections import Counter

    from ..core.errors import InputError

    twice = [name for name, count in Counter(row.id for row in previous).items() if count > 1]
    if twice:
        raise InputError(
            f"{args.output} has the id {twice[0]!r} more than once: it was not written by one deriv grade run; remove the extra rows or the file"
        )
    done = {row.id: row for row in previous}
    given = {row.id for row in rows}
    strangers = sum(name not in given for name in done)
    if strangers:
        print(
            f"note: {strangers} rows of {args.output} have ids that {args.file} lacks: they stay in the report",
            file=sys.stderr,
        )
    changed = [
        row.id
        for row in rows
        if row.id in done
        and (row.expr, row.wrt, row.answer) != (done[row.id].expr, done[row.id].wrt, done[row.id].answer)
    ]
    if changed:
        print(
            f"note: {len(changed)} rows changed in {args.file} since {args.output} graded them ({', '.join(changed[:3])}"
            f"{', ...' if len(changed) > 3 else ''}): they keep their earlier verdicts; remove them from the report to grade them again",
            file=sys.stderr,
        )
    return [row for row in rows if row.id not in done]


class _Sink:
    """Where graded rows go: a report file (with the summary on stdout), or stdout itself."""

    def __init__(self, args: argparse.Namespace, fmt: str, previous, id_width: int):
        from ..checking.reports import ReportFile, csv_header
        from ..render.grading import TextTable, render_report

        self.args, self.format = args, fmt
        self.rows = list(previous)
        self.file = (
            ReportFile(args.output, fmt, previous, resume=args.resume, render=render_report)
            if args.output is not None
            else None
        )
        self.table = TextTable(sys.stdout, id_width, ascii=args.ascii) if self.file is None and fmt == "text" else None
        if self.file is None and fmt == "csv":
            sys.stdout.write(csv_header())

    def add(self, row) -> None:
        from ..checking.reports import csv_line, jsonl_line

        self.rows.append(row)
        if self.file is not None:
            self.file.add(row)
        elif self.table is not None:
            self.table.add(row)
        elif self.format in ("csv", "jsonl"):
            sys.stdout.write(csv_line(row) if self.format == "csv" else jsonl_line(row))
            sys.stdout.flush()

    def close(self, summary) -> None:
        from ..render.grading import render_markdown, render_summary, to_json

        if self.file is not None:
            self.file.close(summary)
            sys.stdout.write(render_summary(summary) + f"report: {self.args.output}\n")
        elif self.table is not None:
            self.table.finish(summary)
        elif self.format == "json":
            import json

            sys.stdout.write(json.dumps(to_json(self.rows, summary), ensure_ascii=self.args.ascii, indent=2) + "\n")
        elif self.format == "markdown":
            sys.stdout.write(render_markdown(self.rows, summary))
        sys.stdout.flush()


def _show_progress(args: argparse.Namespace, rows: int) -> bool:
    # Not while the text table is being written to the same terminal: the two would garble each other.
    return rows >= PROGRESS_ROWS and sys.stderr.isatty() and (args.output is not None or not sys.stdout.isatty())


COMMAND = Command(
    "grade a whole class: a file of answers in, a report of verdicts, mistakes and feedback out",
    _grade_arguments,
    _run_grade,
    usage="deriv grade FILE [-o REPORT.csv|.jsonl|.json|.md] [--jobs N] [--resume]",
    epilog=_GRADE_EPILOG,
)
