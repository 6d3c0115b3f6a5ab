"""deriv grade FILE: check a whole class's answers, one verdict and feedback per row, and a summary; with --questions,
a class's answers to a question set (points, partial credit, the course report); --shard and --merge split a run over
several processes or machines."""

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

a question set (--questions set.toml): the answers file has the columns student,question,answer (CSV, or JSON /
JSON Lines objects with those keys), one answer per student and question, graded against the set's questions:
  student,question,answer
  ada,q2,2(x+y+z)
  ben,q3,"(6a - b + 1, 2b - a)"
The set is a TOML file, validated before any answer is graded (errors name the file, line and key):
  title = "Week 2"
  [defaults]                       points, form, form_credit, partial, feedback, latex, functions, topic
  points = 1
  [[question]]
  id = "q2"
  prompt = "Differentiate (x+y+z)^2 with respect to y."
  task = "diff"                    diff (wrt), grad (vars), hessian (vars), critical (vars), eval (at),
  expr = "(x+y+z)^2"               antiderivative (wrt), equiv; data = { a = [0, 2, 4] } or "data.csv"
  wrt = "y"
  expected = "2(x+y+z)"            optional: computed, and checked when given
  points = 2
  form = "any"                     any | simplified | factored | same-form (form_credit: 0.5 of the points)
  [question.partial]               credit for a catalogued mistake, a fraction of the points
  held_constant_differentiated = 0.25
  [question.feedback]              the feedback shown for that mistake
  held_constant_differentiated = "x and z are constants here."
Answers: one expression (a number for eval); grad (6a - b + 1, 2b - a); hessian [[6, -1], [-1, 2]] or 6, -1; -1, 2;
critical a = -2/11, b = -1/11 (points separated by ;, or none). See examples/week2_questions.toml.
The course report (-o's extension or --format): text, .md, .html (one self-contained page with a bar chart per
question), .json, .csv (the gradebook: a line per student; the answers go to REPORT.answers.csv beside it), .jsonl
(one graded answer a line: what --merge reads).

a learning platform's export (Canvas: Quiz Statistics > Student Analysis; Moodle: Results > Responses; Gradescope):
one row per student, a column per question. With --questions it is read as the answers: the platform is found from
the header row (or --platform), the question columns are taken in order as the set's questions, or mapped with
--columns "student=SIS User ID,q1=Response 1,q2=Response 2" (a value may also be the platform's question number). An
empty response is not answered, not wrong. --gradebook grades.csv writes the totals in the CSV that platform imports
(Canvas: Grades > Import; Moodle: Grades > Import > CSV file), and --gradescope results.json the autograder's results
(score, and per question a test with its score, max_score and feedback) for one student's submission:
  deriv grade responses.csv --questions week2.toml -o report.html --gradebook grades.csv
  deriv grade /autograder/submission/answers.csv --questions set.toml --gradescope /autograder/results/results.json

several processes or machines: --shard K/N grades only the K-th of N slices of the rows (by a hash of the row's id,
or of student and question: the same slices whatever the order of the file), each run writing -o report-K.jsonl;
--merge report-*.jsonl then makes the one report an unsharded run gives (add --questions set.toml for a question
set; add the answers FILE to keep its order for plain rows):
  parallel deriv grade answers.csv --questions set.toml --shard {}/8 -o report-{}.jsonl ::: 1 2 3 4 5 6 7 8
  deriv grade --merge report-*.jsonl --questions set.toml -o report.html

exit codes: 0 the batch ran, whatever the verdicts; 2 bad usage or a file that cannot be read;
130 / 143 interrupted by Ctrl-C / SIGTERM (the report keeps the rows graded so far)
"""


# checking.reports.FORMATS, written out: every start of `deriv` builds this parser, and importing the report writers
# (and the grader under them) would cost every command about 12 ms. tests/test_grade.py keeps the two equal.
FORMATS = ("text", "csv", "jsonl", "json", "markdown")
# checking.platforms.PLATFORMS, written out for the same reason (tests/checking/test_platforms.py keeps them equal).
PLATFORMS = ("canvas", "moodle", "gradescope")
# A course report (--questions) is also an HTML page.
COURSE_FORMATS = (*FORMATS, "html")


def _grade_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        help="the answers: a CSV file with the columns id,expr,wrt,answer (student,question,answer with --questions), or JSON / JSON Lines",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="REPORT",
        default=None,
        help="write the report to REPORT (.csv, .jsonl, .json, .md or .txt; .html with --questions); the summary goes to stdout",
    )
    parser.add_argument(
        "--format",
        choices=COURSE_FORMATS,
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
    parser.add_argument(
        "--questions",
        metavar="SET.toml",
        default=None,
        help="grade answers (columns student,question,answer) against the questions of this TOML file",
    )
    platforms = parser.add_argument_group("learning platforms (with --questions)")
    platforms.add_argument(
        "--platform",
        choices=PLATFORMS,
        default=None,
        help="read FILE as this platform's export (default: found from its header row when it is not student,question,answer)",
    )
    platforms.add_argument(
        "--columns",
        metavar="MAP",
        default=None,
        help='which export column is the student and which holds each question: "student=SIS User ID,q1=Response 1"',
    )
    platforms.add_argument(
        "--gradebook",
        metavar="FILE.csv",
        default=None,
        help="also write the totals as the gradebook CSV the platform imports",
    )
    platforms.add_argument(
        "--assignment",
        metavar="NAME",
        default=None,
        help="the gradebook's column for this set (default: the set's title)",
    )
    platforms.add_argument(
        "--gradescope",
        metavar="results.json",
        default=None,
        help="also write Gradescope's autograder results (one student's submission): score and a test per question",
    )
    parser.add_argument(
        "--shard", metavar="K/N", default=None, help="grade only the K-th of N slices of the rows (1 <= K <= N)"
    )
    parser.add_argument(
        "--merge",
        metavar="REPORT",
        nargs="+",
        default=None,
        help="combine the .jsonl reports of --shard runs into one report (shell patterns such as 'report-*.jsonl' too)",
    )


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
    if args.merge is not None:
        return _merge(args)
    if args.file is None:
        raise UsageError(
            "the following arguments are required: FILE (the answers; or --merge REPORT ... to combine slices)"
        )
    if args.questions is not None:
        return _grade_course(args)
    if args.format == "html" or (args.output is not None and _course_format_of(args.output) == "html"):
        raise UsageError("an HTML report is a course report: give the question set with --questions set.toml")
    fmt = args.format or (format_of(args.output) if args.output is not None else "text")
    if args.output is not None and Path(args.output).resolve() == Path(args.file).resolve():
        raise UsageError(f"-o {args.output} is the answers file itself: write the report to another file")
    rows = read_answers(args.file)
    if args.shard is not None:
        rows = _in_shard(rows, args.shard, lambda row: row.id)
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


# -- slices ------------------------------------------------------------------------------------------------------------------
def _in_shard(rows: list, shard: str, key) -> list:
    """The rows of slice K of N (--shard K/N), by the stable hash of each row's key (checking.course.shard_of)."""
    from ..checking.course import parse_shard, shard_of

    index, count = parse_shard(shard)
    return [row for row in rows if shard_of(key(row), count) == index]


def _merge_paths(patterns: list[str]) -> list[str]:
    """--merge's files: each as given, or a shell pattern the shell did not expand (quoted, or on Windows)."""
    import glob

    from ..core.errors import UsageError

    paths: list[str] = []
    for pattern in patterns:
        if Path(pattern).exists() or not glob.has_magic(pattern):
            paths.append(pattern)
            continue
        found = sorted(glob.glob(pattern))
        if not found:
            raise UsageError(f"--merge {pattern}: no file matches")
        paths += found
    return list(dict.fromkeys(paths))


def _merge(args: argparse.Namespace) -> int:
    """--merge: the slice reports as one report, as an unsharded run writes it."""
    from ..checking.course import read_slices
    from ..core.errors import UsageError

    if args.shard is not None or args.resume:
        raise UsageError("--merge combines finished slice reports: it takes neither --shard nor --resume")
    items = read_slices(_merge_paths(args.merge))
    if any("student" in item for item in items):
        if args.questions is None:
            raise UsageError("these are reports of answers to a question set: give the set with --questions set.toml")
        from ..checking.course import course_report, merge_course_rows
        from ..checking.questions import load_questions

        questions = load_questions(args.questions)
        rows = merge_course_rows(items)
        if args.file is not None:  # the answers file given too: the merged rows must be exactly its rows
            _check_course_cover(args.file, rows)
        _write_course(args, course_report(questions, rows), graded=0, seconds=0.0)
        return EXIT_OK
    return _merge_plain(args, items)


def _check_course_cover(path: str, rows) -> None:
    from ..checking.course import read_submissions
    from ..core.errors import InputError

    expected = {(sub.student, sub.question) for sub in read_submissions(path)}
    have = {(row.student, row.question) for row in rows}
    if have != expected:
        missing = len(expected - have)
        raise InputError(
            f"--merge: the reports hold {len(have)} answers, {path} has {len(expected)}"
            + (f" ({missing} not graded: is a slice missing?)" if missing else "")
        )


def _merge_plain(args: argparse.Namespace, items: list[dict]) -> int:
    """Plain graded rows (deriv grade FILE --shard): merged in the order of FILE when given, else as read."""
    from ..checking.grading import GradedRow, read_answers, summarize
    from ..core.errors import InputError, UsageError

    if args.questions is not None:
        raise UsageError("--questions: these reports hold plain rows (id, expr, wrt, answer), not answers to a set")
    rows = []
    for item in items:
        try:
            rows.append(GradedRow.from_dict(item))
        except ValueError as err:
            raise InputError(f"--merge: {err}") from None
    seen: set[str] = set()
    for row in rows:
        if row.id in seen:
            raise InputError(f"--merge: the id {row.id!r} is in two reports: merge the slices of one run only")
        seen.add(row.id)
    if args.file is not None:
        order = {row.id: index for index, row in enumerate(read_answers(args.file))}
        strangers = [row.id for row in rows if row.id not in order]
        if strangers:
            raise InputError(f"--merge: {strangers[0]!r} is not an id of {args.file}: the reports are of another file")
        rows.sort(key=lambda row: order[row.id])
    fmt = args.format or (_plain_format_of(args.output) if args.output is not None else "text")
    sink = _Sink(args, fmt, [], max((len(row.id) for row in rows), default=2))
    for row in rows:
        sink.add(row)
    # Every row counts as graded (by the slices' runs), so the summary reports no "rows from an earlier report".
    sink.close(summarize(sink.rows, new=len(rows), seconds=0.0))
    return EXIT_OK


def _plain_format_of(path: str) -> str:
    from ..checking.reports import format_of

    return format_of(path)


# -- a class's answers to a question set ------------------------------------------------------------------------------------
def _course_format_of(path: str) -> str | None:
    """The course report's format by -o's extension (.html too); None for an extension we do not write."""
    from ..checking.reports import EXTENSIONS

    return {**EXTENSIONS, ".html": "html", ".htm": "html"}.get(Path(path).suffix.lower())


def _grade_course(args: argparse.Namespace) -> int:
    """--questions: load and validate the set, grade each answer against its question, write the course report."""
    from ..checking.course import course_report, grade_submissions
    from ..checking.questions import load_questions
    from ..core.errors import UsageError
    from ..render.live import grading_bar

    if args.resume:
        raise UsageError("--resume is not available with --questions yet: grade slices with --shard and --merge them")
    fmt = _course_output_format(args)
    if args.output is not None and Path(args.output).resolve() == Path(args.file).resolve():
        raise UsageError(f"-o {args.output} is the answers file itself: write the report to another file")
    questions = load_questions(args.questions)  # every problem of the set is reported before anything is graded
    subs, roster, export = _submissions(args, questions)
    if args.shard is not None:
        subs = _in_shard(subs, args.shard, lambda sub: sub.key)
    stream = None
    if fmt == "jsonl" and args.output is not None:  # a slice report grows one complete row at a time
        stream = open(args.output, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below, also on Ctrl-C
    progress = grading_bar(len(subs)) if _show_progress(args, len(subs)) else None
    rows, start, stopped = [], time.monotonic(), None
    try:
        for row in grade_submissions(subs, questions, jobs=args.jobs, row_seconds=args.max_row_seconds):
            rows.append(row)
            if stream is not None:
                import json

                stream.write(json.dumps(row.to_dict(), ensure_ascii=False) + "\n")
                stream.flush()
            if progress is not None:
                progress.advance()
    except KeyboardInterrupt:
        stopped = EXIT_INTERRUPTED
    except _Terminated:
        stopped = EXIT_TERMINATED
    finally:
        if progress is not None:
            progress.stop()
        if stream is not None:
            stream.close()
    report = course_report(questions, rows)
    _write_course(args, report, graded=len(rows), seconds=time.monotonic() - start, streamed=stream is not None)
    _write_platform_files(args, questions, report, roster, export)
    if stopped is not None:
        print(f"interrupted after {len(rows)} of {len(subs)} answers: the report holds those", file=sys.stderr)
        return stopped
    return EXIT_OK


def _submissions(args: argparse.Namespace, questions):
    """The answers to grade, the students of the file (a platform's export lists those who answered nothing too) and
    the export's platform and student column (None for our own student,question,answer file). The file is read once."""
    from ..checking.course import Submission, parse_submissions
    from ..checking.platforms import detect_platform, header_row, parse_columns, read_export
    from ..core.errors import UsageError
    from ..language.textfile import read_text

    give = "a CSV (student,question,answer), JSON or JSON Lines file of answers, or a platform's export"
    text = read_text(args.file, label=args.file, give=give, content="the answers")
    json_file = Path(args.file).suffix.lower() in (".json", ".jsonl")
    header = [] if json_file else header_row(text)
    found = detect_platform(header)
    ours = {cell.lower() for cell in header} >= {"student", "question", "answer"}
    if args.platform is None and args.columns is None and (json_file or ours or found is None):
        subs = parse_submissions(text, args.file)
        return subs, list(dict.fromkeys(sub.student for sub in subs)), None
    records = read_export(
        text if "\n" in text else text + "\n",  # text, not a path: read_export takes a one-line string for a path
        name=args.file,
        columns=parse_columns(args.columns) if args.columns else None,
        platform=args.platform,
        question_ids=questions.ids,
    )
    if not records:
        raise UsageError(f"{args.file}: the export has no student rows")
    answered = [record for record in records if record.answered]
    subs = [Submission(row, r.student, r.question, r.answer or "") for row, r in enumerate(answered)]
    platform = args.platform or (found.name if found is not None else None)
    return subs, list(dict.fromkeys(r.student for r in records)), (platform, records[0].student_column)


def _write_platform_files(args: argparse.Namespace, questions, report, roster: list[str], export) -> None:
    """--gradebook: every student's total in the CSV the platform imports; --gradescope: one submission's results."""
    import json

    from ..checking.platforms import gradebook_csv, gradebook_id_column, gradescope_results
    from ..checking.reports import replace_atomically
    from ..core.errors import UsageError

    if args.gradebook is not None:
        platform = args.platform or (export[0] if export is not None else None)
        if platform is None:
            raise UsageError(
                "--gradebook writes a platform's import file: say which with --platform canvas|moodle|gradescope"
            )
        totals = {student: 0.0 for student in roster} | {result.student: result.score for result in report.students}
        text = gradebook_csv(
            platform,
            totals,
            assignment=args.assignment or questions.title,
            points_possible=questions.total_points,
            id_column=gradebook_id_column(platform, export[1] if export is not None else None),
        )
        replace_atomically(Path(args.gradebook), text)
        print(f"gradebook ({platform}): {args.gradebook}")
    if args.gradescope is not None:
        if len(report.students) > 1:
            raise UsageError(
                f"--gradescope writes one submission's results, and the file has {len(report.students)} students"
            )
        student = report.students[0] if report.students else None
        items = []
        for index, question in enumerate(questions.questions):
            row = student.rows[index] if student is not None else None
            feedback = row.feedback if row is not None else "not answered"
            items.append(
                (question.id, question.prompt, row.score if row is not None else 0.0, question.points, feedback)
            )
        replace_atomically(
            Path(args.gradescope), json.dumps(gradescope_results(items), indent=2, ensure_ascii=False) + "\n"
        )
        print(f"Gradescope results: {args.gradescope}")


def _course_output_format(args: argparse.Namespace) -> str:
    from ..core.errors import UsageError

    if args.format is not None:
        return args.format
    if args.output is None:
        return "text"
    found = _course_format_of(args.output)
    if found is None:
        raise UsageError(f"-o {args.output}: write the report to a .txt, .md, .html, .json, .csv or .jsonl file (or choose with --format)")  # fmt: skip
    return found


def _write_course(args: argparse.Namespace, report, *, graded: int, seconds: float, streamed: bool = False) -> None:
    """The course report to -o (replaced whole, atomically) or stdout; with -o, the summary on stdout."""
    from ..checking.reports import replace_atomically
    from ..render.course import answers_csv, render_course, summary_sentence

    fmt = _course_output_format(args)
    text = render_course(report, fmt, ascii=args.ascii)
    if args.output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path = Path(args.output)
    if not streamed:
        replace_atomically(path, text)
    written = [str(path)]
    if fmt == "csv":  # the gradebook in REPORT.csv, the graded answers beside it
        beside = path.with_name(path.stem + ".answers.csv")
        replace_atomically(beside, answers_csv(report.rows))
        written.append(str(beside))
    speed = f" Graded {graded} in {seconds:.1f} s." if graded else ""
    sys.stdout.write(f"{summary_sentence(report)}{speed}\nreport: {', '.join(written)}\n")
    sys.stdout.flush()


COMMAND = Command(
    "grade a whole class: a file of answers in, a report of verdicts, mistakes and feedback out",
    _grade_arguments,
    _run_grade,
    usage="deriv grade FILE [--questions SET.toml] [-o REPORT.csv|.jsonl|.json|.md|.html] [--jobs N] [--resume] [--shard K/N]\n"
    "       deriv grade [FILE] --merge REPORT.jsonl ... [--questions SET.toml] [-o REPORT]",
    epilog=_GRADE_EPILOG,
)
