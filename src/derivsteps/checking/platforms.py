"""The formats learning platforms use: a quiz's responses exported by Canvas, Moodle or Gradescope read as answers
(one per student and question), a gradebook CSV each platform imports, and Gradescope's autograder results.json.

Reading an export (`read_export`)
---------------------------------
A platform exports a quiz *wide*: one row per student, one column per question, with name, id and score columns
around them. `read_export` turns it *long*: an `AnswerRecord(student, question, answer)` per student and question
(what `deriv grade --questions` grades), in file order. A response left empty (or Moodle's "-") is a missing answer,
``answer=None``: not answered, which is not the same as answered wrong. The column mapping (``--columns``,
`parse_columns`) names the student's id column and, if wanted, which column holds which question's answer::

    student=SIS User ID,q1=Response 1,q2=Response 2

A key is ``student`` or a question id of the set; a value is a column's header (case and spacing ignored) or the
number a platform gives the question (``q2=2`` for Moodle's "Response 2", ``q2=4711`` for Canvas's
"4711: Differentiate…"). Without question keys every question column of the platform is read, its id being the
platform's number ("Response 2" → ``2``). Without a ``student`` key the first id column of the platform present
with a value on every row is used. The platform is told by ``platform=`` or found from the header row.

- **Canvas**, quiz "Student Analysis" report
  (https://developerdocs.instructure.com/services/canvas/file.all_resources/quiz_reports, report_type
  "student_analysis")::

      name,id,sis_id,section,section_id,section_sis_id,submitted,attempt,4711: Differentiate x^2 sin x,2.0,...,n correct,n incorrect,score

  The student: ``sis_id``, else ``id`` (Canvas's own user id). A question is ``<id>: <question text>`` followed by a
  column of the points the student got (its header is the question's points possible), which is skipped. Essay
  answers arrive as HTML (``<p>2x</p>``) and are read as their text.
- **Moodle**, quiz "Responses" report, downloaded as CSV (https://docs.moodle.org/en/Quiz_responses_report; headers
  from mod/quiz/report/responses: "Response {$a}", "Right answer {$a}", "Question {$a}")::

      Surname,First name,Email address,State,Started on,Completed,Time taken,Grade/10.00,Response 1,Right answer 1,Response 2

  The student: ``ID number``, else ``Email address``, else ``Username``. A question is ``Response N``; "-" is no
  answer; an "Overall average" row is skipped.
- **Gradescope**, an assignment's CSV export (Gradescope publishes no specification of it: the header as Gradescope
  writes it, and as the tools that read it expect)::

      First Name,Last Name,SID,Email,Sections,Total Score,Max Points,Status,Submission ID,...,1: Derivative of x^2 (2.0 pts)

  The student: ``SID``, else ``Email``. A question is ``N: title (P pts)`` (or ``N.M: …``). In Gradescope's grade
  export these columns hold points, not answers: map the columns that hold the responses.

A CSV may start with a byte-order mark and use Excel's ``;`` (or a tab) between values: the delimiter is found from
the header row (csv.Sniffer). A student on two rows (two attempts) is an error naming both lines: keep one attempt.

Writing a gradebook (`gradebook_csv`)
-------------------------------------
One score per student, in a CSV the platform imports as one grade column (the assignment). Numbers are points,
written without trailing zeros.

- **Canvas** gradebook import (Grades → Import; https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807,
  and the columns as listed in https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades):
  the export's own header with one assignment column, and the "Points Possible" row second, which Canvas reads as
  the new assignment's points::

      Student,ID,SIS User ID,SIS Login ID,Section,Week 2 quiz
      Points Possible,,,,,10
      ,,s001,,,8.5

  Canvas finds the student by ``ID``, ``SIS User ID`` or ``SIS Login ID``: the id goes in the column given
  (default ``SIS User ID``; ``ID`` when the export's ``id`` column identified the students).
- **Moodle** grade import, CSV (Grades → Import → CSV file; https://docs.moodle.org/en/Grade_import): a column that
  identifies the user and a grade column, mapped in the import form ("Map from" ID number → "Map to" useridnumber,
  or Email address → useremail; the grade column → the grade item)::

      ID number,Week 2 quiz
      s001,8.5

- **Gradescope**: the columns of Gradescope's own gradebook export (``SID``, ``Email``, the assignment, and
  "<assignment> - Max Points"), which is what tools that merge Gradescope grades read (Gradescope itself takes
  scores from its autograder: results.json below)::

      SID,Email,Week 2 quiz,Week 2 quiz - Max Points
      s001,,8.5,10

Gradescope's autograder results.json (`gradescope_results`)
-----------------------------------------------------------
https://gradescope-autograders.readthedocs.io/en/latest/specs/ ("Output format"): the autograder writes
/autograder/results/results.json with the submission's ``score`` and one test per question (``name``, ``number``,
``score``, ``max_score``, ``status`` passed/failed, ``output``: the feedback)::

    {"score": 3.5, "output": "3.5 of 4 points.", "tests": [
        {"number": "1", "name": "q2: Differentiate (x+y+z)^2 with respect to y.", "score": 2, "max_score": 2,
         "status": "passed", "output": "Correct."}, ...]}
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InputError, UsageError

PLATFORMS = ("canvas", "moodle", "gradescope")
STUDENT_KEY = "student"
_KEY = re.compile(r"[A-Za-z0-9_.\-]+")
# A --columns pair starts after a comma followed by "key=": a header may itself hold commas ("4711: f(x, y)").
_PAIR_START = re.compile(r",\s*(?=[A-Za-z0-9_.\-]+\s*=)")
# Shown in messages instead of the whole header row (a Canvas report names every question in full).
MAX_COLUMNS_SHOWN = 12


@dataclass(frozen=True)
class AnswerRecord:
    """One student's answer to one question, read from an export: None when the response was left empty.

    line: where the student's row starts in the file (1-based); column: the header of the answer's column;
    student_column: the header of the column the student's id came from (which id a gradebook should use).
    """

    student: str
    question: str
    answer: str | None
    line: int = 0
    column: str = ""
    student_column: str = ""

    @property
    def answered(self) -> bool:
        """Whether the student gave an answer (an empty response is not one)."""
        return self.answer is not None


@dataclass(frozen=True)
class Platform:
    """How one platform's export names things: its id columns (preferred first), its question columns (a pattern
    whose group "id" is the question's number), the headers that tell it from the others, what a cell holds for no
    answer, and the first cell of rows that are not students."""

    name: str
    student_columns: tuple[str, ...]
    question: re.Pattern[str]
    signature: tuple[str, ...]  # any of these headers (normalised) says the file is this platform's
    skips_next: bool = False  # a question column is followed by its points column (Canvas)
    no_answer: tuple[str, ...] = ("",)
    not_students: tuple[str, ...] = ()
    html_answers: bool = False


PLATFORM_TABLE: tuple[Platform, ...] = (
    Platform(
        "canvas",
        student_columns=("sis_id", "SIS User ID", "id", "ID", "SIS Login ID"),
        question=re.compile(r"(?P<id>\d+):\s.*", re.DOTALL),
        signature=("sis_id", "section_sis_id", "n correct", "SIS User ID", "SIS Login ID"),
        skips_next=True,
        not_students=("Points Possible",),  # the second row of Canvas's gradebook export
        html_answers=True,
    ),
    Platform(
        "moodle",
        student_columns=("ID number", "Email address", "Username"),
        question=re.compile(r"Response\s+(?P<id>\d+)", re.IGNORECASE),
        # not "First name": Gradescope's "First Name" is the same header once case is ignored
        signature=(
            "Email address",
            "Surname",
            "Time taken",
            "Started on",
            "Right answer 1",
            "Response 1",
        ),
        no_answer=("", "-"),
        not_students=("Overall average",),  # the overview report's last row
    ),
    Platform(
        "gradescope",
        student_columns=("SID", "Email"),
        question=re.compile(r"(?P<id>\d+(?:\.\d+)*):\s.*?(?:\s\(\d+(?:\.\d+)?\s*pts?\))?", re.DOTALL),
        signature=("SID", "Submission ID", "Total Score", "Max Points", "Submission Time"),
    ),
)
PLATFORMS_BY_NAME = {platform.name: platform for platform in PLATFORM_TABLE}


# -- the column mapping ---------------------------------------------------------------------------------------------------
def parse_columns(text: str) -> dict[str, str]:
    """--columns "student=SIS User ID,q1=Response 1" as {"student": "SIS User ID", "q1": "Response 1"} (in order)."""
    mapping: dict[str, str] = {}
    example = '--columns "student=SIS User ID,q1=Response 1,q2=Response 2"'
    if not text.strip():
        raise UsageError(f"--columns takes KEY=COLUMN pairs separated by commas, such as {example}")
    for pair in _PAIR_START.split(text.strip()):
        key, equals, column = pair.partition("=")
        key, column = key.strip(), column.strip()
        if not equals or not key or not column:
            raise UsageError(
                f"--columns: {pair.strip()!r} is not KEY=COLUMN (the key student, or a question id, then = and the "
                f"column's header), as in {example}"
            )
        if not _KEY.fullmatch(key):
            raise UsageError(f"--columns: the key {key!r} is not student or a question id (letters, digits, _ . -)")
        if key in mapping:
            raise UsageError(f"--columns names {key} twice ({mapping[key]!r} and {column!r}): keep one")
        mapping[key] = column
    return mapping


def _norm(header: str) -> str:
    """A header as compared: case and runs of spaces ignored (exports differ in both)."""
    return " ".join(header.split()).casefold()


# -- reading an export ------------------------------------------------------------------------------------------------------
def read_export(
    text_or_path: str | os.PathLike,
    *,
    columns: Mapping[str, str] | None = None,
    platform: str | None = None,
    question_ids: Sequence[str] | None = None,
    name: str | None = None,
) -> list[AnswerRecord]:
    """A platform's wide quiz export as one AnswerRecord per student and question (row by row, in column order).

    text_or_path: a path (a Path, or a str without a line break) or the file's text; name: the file in messages
    (default: the path, or "export"). columns: the mapping (`parse_columns`); platform: one of PLATFORMS (default:
    found from the header row). question_ids: the question set's ids in order; when the mapping names no question,
    the platform's question columns are its questions in order (the Nth column is the Nth question; unless the
    platform's numbers are the set's ids already), and a count that differs is an error.
    """
    if isinstance(text_or_path, str) and "\n" in text_or_path:
        text, label = text_or_path, name or "export"
    else:
        from ..language.textfile import read_text

        path = Path(text_or_path)
        label = name or str(path)
        text = read_text(path, label=label, give="a CSV file exported from Canvas, Moodle or Gradescope", content="the export")  # fmt: skip
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError(f"{label} is empty: export the quiz's responses as CSV")
    if platform is not None and platform not in PLATFORMS_BY_NAME:
        raise UsageError(f"--platform must be one of {', '.join(PLATFORMS)}, not {platform!r}")
    mapping = dict(columns or {})
    header, rows = _read_rows(label, text)
    found = PLATFORMS_BY_NAME[platform] if platform is not None else detect_platform(header)
    if found is None and not mapping and {"student", "question", "answer"} <= {_norm(column) for column in header}:
        raise InputError(
            f"{label} has one answer per row already (the columns student, question, answer): grade it as it is, "
            f"without --platform or --columns"
        )
    if found is None and not _maps_questions(mapping):
        raise InputError(
            f"{label}: cannot tell which platform exported it (the columns are {_shown(header)}); give --platform "
            f"{'|'.join(PLATFORMS)}, or map the columns with --columns student=…,q1=…"
        )
    student_index = _student_column(label, header, rows, found, mapping)
    questions = _question_columns(label, header, found, mapping)
    if not questions:
        raise InputError(
            f"{label}: no question columns found (the columns are {_shown(header)}); map them with --columns "
            f"{STUDENT_KEY}=…,q1=COLUMN,q2=COLUMN"
        )
    if question_ids is not None and not _maps_questions(mapping):
        questions = _match_questions(label, header, questions, list(question_ids))
    return _records(label, header, rows, found, student_index, questions)


def _match_questions(
    label: str, header: list[str], found: list[tuple[str, int]], question_ids: list[str]
) -> list[tuple[str, int]]:
    """The platform's question columns given the set's ids, in order (see read_export)."""
    numbers = [question for question, _ in found]
    if set(numbers) <= set(question_ids):
        return found
    if len(found) != len(question_ids):
        columns = ", ".join(f'"{_one_line(header[index], 24)}"' for _, index in found)
        raise InputError(
            f"{label}: the export has {len(found)} question columns ({columns}) and the question set "
            f"{len(question_ids)} questions ({', '.join(question_ids)}); say which column is which with "
            f"--columns {question_ids[0] if question_ids else 'q1'}=COLUMN,…"
        )
    return [(question, index) for question, (_, index) in zip(question_ids, found)]


def header_row(text: str) -> list[str]:
    """The column names of a CSV file's text, read as read_export reads them (its delimiter, quoted line breaks)."""
    text = text.removeprefix("\ufeff")
    return [cell.strip() for cell in next(csv.reader(io.StringIO(_first_record(text)), delimiter=_delimiter(text)), [])]


def detect_platform(header: Sequence[str]) -> Platform | None:
    """The platform whose headers the row has most of (None when it has none of any)."""
    names = {_norm(column) for column in header}
    best, best_count = None, 0
    for platform in PLATFORM_TABLE:
        count = sum(_norm(column) in names for column in platform.signature)
        count += any(platform.question.fullmatch(column.strip()) for column in header)
        if count > best_count:
            best, best_count = platform, count
    return best


def _maps_questions(mapping: Mapping[str, str]) -> bool:
    return STUDENT_KEY in mapping and any(key != STUDENT_KEY for key in mapping)


def _read_rows(label: str, text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the data rows, each with the line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[tuple[int, list[str]]] = []
    try:
        header = [cell.strip() for cell in next(reader)]
        start = reader.line_num + 1
        for values in reader:
            if any(cell.strip() for cell in values):
                rows.append((start, values))
            start = reader.line_num + 1
    except csv.Error as err:
        raise InputError(f"{label}, line {reader.line_num}: not valid CSV ({err})") from None
    return header, rows


def _delimiter(text: str) -> str:
    """The header row's delimiter: a comma, Excel's semicolon (where the comma is the decimal mark) or a tab.

    The mark the header has most of, outside quotes ("Grade/5,00;Response 1;…" is ";"); on a tie, csv.Sniffer over
    the first lines decides (it looks for the mark every row has equally often).
    """
    outside = re.sub(r'"[^"]*"', "", _first_record(text))
    counts = sorted(((outside.count(mark), mark) for mark in ",;\t"), reverse=True)
    if counts[0][0] > counts[1][0]:
        return counts[0][1]
    try:
        return csv.Sniffer().sniff("\n".join(text.splitlines()[:20]), delimiters=",;\t").delimiter
    except csv.Error:  # one column, or rows the sniffer cannot read
        return ","


def _first_record(text: str) -> str:
    """The text of the header row: up to the first line break outside quotes."""
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            return text[:index]
    return text


def _shown(header: Sequence[str]) -> str:
    shown = [f'"{_one_line(column)}"' for column in header[:MAX_COLUMNS_SHOWN]]
    if len(header) > MAX_COLUMNS_SHOWN:
        shown.append(f"and {len(header) - MAX_COLUMNS_SHOWN} more")
    return ", ".join(shown) or "none"


def _one_line(column: str, width: int = 40) -> str:
    flat = " ".join(column.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _find(header: Sequence[str], wanted: str) -> int | None:
    target = _norm(wanted)
    return next((index for index, column in enumerate(header) if _norm(column) == target), None)


def _student_column(
    label: str,
    header: list[str],
    rows: list[tuple[int, list[str]]],
    platform: Platform | None,
    mapping: Mapping[str, str],
) -> int:
    if STUDENT_KEY in mapping:
        index = _find(header, mapping[STUDENT_KEY])
        if index is None:
            raise InputError(
                f'{label}: no column "{mapping[STUDENT_KEY]}"; the columns are {_shown(header)}; map them with '
                f"--columns {STUDENT_KEY}=COLUMN"
            )
        return index
    assert platform is not None  # read_export asks for a mapping otherwise
    present = [index for column in platform.student_columns if (index := _find(header, column)) is not None]
    if not present:
        wanted = " or ".join(f'"{column}"' for column in platform.student_columns)
        raise InputError(
            f"{label}: no column {wanted} to identify the students in a {platform.name} export; the columns are "
            f"{_shown(header)}; map them with --columns {STUDENT_KEY}=COLUMN"
        )
    students = [(line, values) for line, values in rows if not _not_a_student(platform, values)]
    # The first id column with a value on every row: an export may carry an id column that is empty for everyone.
    for index in present:
        if all(_cell(values, index).strip() for _, values in students):
            return index
    return present[0]


def _question_columns(
    label: str, header: list[str], platform: Platform | None, mapping: Mapping[str, str]
) -> list[tuple[str, int]]:
    """(question id, column index) in column order: the mapped ones, else every question column of the platform."""
    found: list[tuple[str, int]] = []
    mapped = {key: column for key, column in mapping.items() if key != STUDENT_KEY}
    if mapped:
        for key, wanted in mapped.items():
            index = _find(header, wanted)
            if index is None and platform is not None:  # the platform's number for the question
                index = next((i for i, column in enumerate(header) if _question_id(platform, column) == wanted.strip()), None)  # fmt: skip
            if index is None:
                raise InputError(
                    f'{label}: no column "{wanted}" for question {key}; the columns are {_shown(header)}; map them '
                    f"with --columns {key}=COLUMN"
                )
            found.append((key, index))
        taken: dict[int, str] = {}
        for key, index in found:
            if index in taken:
                raise InputError(f'{label}: --columns maps {taken[index]} and {key} to the same column "{_one_line(header[index])}"')  # fmt: skip
            taken[index] = key
        return sorted(found, key=lambda item: item[1])
    assert platform is not None
    skip = False
    seen: dict[str, int] = {}
    for index, column in enumerate(header):
        if skip:
            skip = False
            continue
        question = _question_id(platform, column)
        if question is None:
            continue
        if question in seen:
            raise InputError(
                f'{label}, line 1, column {index + 1}: question {question} has two columns ("{_one_line(header[seen[question]])}" '
                f'and "{_one_line(column)}"); map the one to grade with --columns {question}=COLUMN'
            )
        seen[question] = index
        found.append((question, index))
        skip = platform.skips_next
    return found


def _question_id(platform: Platform, column: str) -> str | None:
    match = platform.question.fullmatch(column.strip())
    return match.group("id") if match else None


def _cell(values: Sequence[str], index: int) -> str:
    # A spreadsheet drops empty cells at the end of a row: a short row is empty there.
    return values[index] if index < len(values) else ""


def _not_a_student(platform: Platform | None, values: Sequence[str]) -> bool:
    first = values[0].strip() if values else ""
    return platform is not None and first in platform.not_students


def _records(
    label: str,
    header: list[str],
    rows: list[tuple[int, list[str]]],
    platform: Platform | None,
    student_index: int,
    questions: list[tuple[str, int]],
) -> list[AnswerRecord]:
    records: list[AnswerRecord] = []
    student_column = header[student_index]
    first_line: dict[str, int] = {}
    no_answer = platform.no_answer if platform is not None else ("",)
    for line, values in rows:
        if _not_a_student(platform, values):
            continue
        if len(values) > len(header):
            raise InputError(
                f"{label}, line {line}: the row has {len(values)} values, but the header names {len(header)} columns "
                f"(a value with the delimiter in it needs quotes)"
            )
        student = _cell(values, student_index).strip()
        where = f'{label}, line {line}, column "{_one_line(student_column)}"'
        if not student:
            raise InputError(
                f"{where}: the student's id is empty; fill it in, or identify the students by another column with "
                f"--columns {STUDENT_KEY}=COLUMN"
            )
        if student in first_line:
            raise InputError(
                f"{where}: student {student} is also on line {first_line[student]} (two attempts?); keep one row per "
                f"student (export only the latest or the graded attempt)"
            )
        first_line[student] = line
        for question, index in questions:
            answer = _answer(_cell(values, index), platform)
            answer = None if answer in no_answer else answer
            records.append(AnswerRecord(student, question, answer, line, header[index], student_column))
    if not first_line:
        raise InputError(f"{label} has no students, only a header")
    return records


_HTML_TAG = re.compile(r"<\s*/?\s*(?:p|br|div|span|strong|em|b|i|sup|sub)\b[^>]*>", re.IGNORECASE)


def _answer(cell: str, platform: Platform | None) -> str:
    """The answer as the student typed it: trimmed, and an HTML answer (Canvas essay questions) as its text."""
    if platform is not None and platform.html_answers and _HTML_TAG.search(cell):
        text = re.sub(r"<\s*(?:br|/p|/div)\s*/?\s*>", " ", cell, flags=re.IGNORECASE)
        # x<sup>2</sup> is x^2 (the rich-text editor's exponent): keep it, or the answer reads x2
        text = re.sub(r"<\s*sup\s*>(.*?)<\s*/\s*sup\s*>", r"^(\1)", text, flags=re.IGNORECASE | re.DOTALL)
        return " ".join(html.unescape(_HTML_TAG.sub("", text)).split())
    return cell.strip()


# -- gradebooks -------------------------------------------------------------------------------------------------------------
# Per platform: the header before the grade column(s), the columns a student may be identified by (default first),
# and whether a "Points Possible" row follows the header.
GRADEBOOK_ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "canvas": ("SIS User ID", "ID", "SIS Login ID"),
    "moodle": ("ID number", "Email address"),
    "gradescope": ("SID", "Email"),
}
# The gradebook column that holds an id read from an export's column (normalised header): which id the students
# were identified by is which id the platform should match them on.
_GRADEBOOK_ID_FOR = {
    "canvas": {"sis_id": "SIS User ID", "sis user id": "SIS User ID", "id": "ID", "sis login id": "SIS Login ID"},
    "moodle": {"id number": "ID number", "email address": "Email address", "email": "Email address"},
    "gradescope": {"sid": "SID", "email": "Email", "email address": "Email"},
}


def gradebook_id_column(platform: str, export_column: str | None) -> str:
    """The gradebook column for ids that came from this export column (AnswerRecord.student_column); the platform's
    default when it is not one the platform matches students on."""
    _check_platform(platform)
    if export_column is not None:
        found = _GRADEBOOK_ID_FOR[platform].get(_norm(export_column))
        if found is not None:
            return found
    return GRADEBOOK_ID_COLUMNS[platform][0]


def gradebook_csv(
    platform: str,
    scores: Mapping[str, float] | Iterable[tuple[str, float]],
    *,
    assignment: str,
    points_possible: float,
    id_column: str | None = None,
    names: Mapping[str, str] | None = None,
) -> str:
    """A CSV the platform imports as one grade column: each student's total points (in the order given).

    id_column: which of GRADEBOOK_ID_COLUMNS[platform] holds the ids (default: the first); names: a display name per
    student id (Canvas's Student column), optional.
    """
    _check_platform(platform)
    if not assignment.strip():
        raise UsageError("the gradebook needs the assignment's name (the grade column's header)")
    if not points_possible > 0:
        raise UsageError(f"the assignment's points possible must be positive, not {points_possible:g}")
    allowed = GRADEBOOK_ID_COLUMNS[platform]
    id_column = id_column or allowed[0]
    if id_column not in allowed:
        raise UsageError(f"a {platform} gradebook identifies students by {' or '.join(allowed)}, not {id_column!r}")
    pairs = list(scores.items()) if isinstance(scores, Mapping) else list(scores)
    seen: set[str] = set()
    for student, _ in pairs:
        if not str(student).strip():
            raise InputError("a student without an id cannot be put in a gradebook")
        if student in seen:
            raise InputError(f"student {student} has two scores: a gradebook has one row per student")
        seen.add(student)
    names = names or {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    assignment = assignment.strip()
    if platform == "canvas":
        identity = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
        writer.writerow([*identity, assignment])
        writer.writerow(["Points Possible", "", "", "", "", _number(points_possible)])
        for student, score in pairs:
            row = [names.get(student, ""), "", "", "", ""]
            row[identity.index(id_column)] = student
            writer.writerow([*row, _number(score)])
    elif platform == "moodle":
        writer.writerow([id_column, assignment])
        for student, score in pairs:
            writer.writerow([student, _number(score)])
    else:
        writer.writerow(["SID", "Email", assignment, f"{assignment} - Max Points"])
        for student, score in pairs:
            ids = [student, ""] if id_column == "SID" else ["", student]
            writer.writerow([*ids, _number(score), _number(points_possible)])
    return out.getvalue()


def _check_platform(platform: str) -> None:
    if platform not in PLATFORMS_BY_NAME:
        raise UsageError(f"the platform must be one of {', '.join(PLATFORMS)}, not {platform!r}")


def _number(value: float) -> str:
    """Points as a gradebook shows them: 8.5, 10 (never 10.0 or 8.500000001)."""
    rounded = round(float(value), 4)
    return f"{rounded:.4f}".rstrip("0").rstrip(".") if rounded != int(rounded) else str(int(rounded))


# -- Gradescope's autograder --------------------------------------------------------------------------------------------------
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


def gradescope_results(
    student_results: Iterable[tuple[str, str, float, float, str]],
    *,
    output: str | None = None,
    visibility: str | None = None,
    execution_time: float | None = None,
) -> dict:
    """One submission's results.json for Gradescope's autograder: a test per question (question id, prompt, score,
    max_score, feedback), and the submission's score (their sum); output: the text shown above the tests (default:
    "S of M points."); visibility: one of VISIBILITIES for all the tests (default: Gradescope's, visible)."""
    if visibility is not None and visibility not in VISIBILITIES:
        raise UsageError(f"the visibility must be one of {', '.join(VISIBILITIES)}, not {visibility!r}")
    tests = []
    total = possible = 0.0
    for number, (question, prompt, score, max_score, feedback) in enumerate(student_results, start=1):
        total += score
        possible += max_score
        tests.append(
            {
                "number": str(number),
                "name": f"{question}: {prompt}" if prompt else str(question),
                "score": _json_number(score),
                "max_score": _json_number(max_score),
                "status": "passed" if max_score > 0 and score >= max_score else "failed",
                "output": feedback,
            }
        )
    results: dict = {
        "score": _json_number(total),
        "output": output if output is not None else f"{_number(total)} of {_number(possible)} points.",
        "tests": tests,
    }
    if visibility is not None:
        results["visibility"] = visibility
    if execution_time is not None:
        results["execution_time"] = round(execution_time)  # whole seconds, as the specification's example
    return results


def _json_number(value: float) -> int | float:
    rounded = round(float(value), 4)
    return int(rounded) if rounded == int(rounded) else rounded
