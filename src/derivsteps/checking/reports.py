"""The report files of deriv grade: CSV and JSON Lines written row by row, whole documents replaced atomically, and
reports read back for --resume.

CSV and JSON Lines files grow one complete row at a time (one write, flushed), so a run that is interrupted, even
killed, leaves a file of complete rows that --resume reads back and continues. They hold rows only: the summary is
computed from them. JSON and Markdown are documents with the summary inside; they are written whole, to a temporary
file renamed over the report, at the end of the run or when it is interrupted (Ctrl-C, SIGTERM), so the report on disk
is always a complete document. A run killed outright (SIGKILL, a power cut) loses a JSON or Markdown report's new
rows, never the old file: use CSV or JSON Lines for very long runs.

What a whole document says is rendered above this package (render.grading.render_report) and handed in as a function.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from ..core.errors import InputError, UsageError
from .grading import GradedRow, Summary

# Report formats by the extension of -o.
EXTENSIONS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
}
FORMATS = ("text", "csv", "jsonl", "json", "markdown")
STREAMED = ("csv", "jsonl")  # written row by row; the others at the end
RESUMABLE = ("csv", "jsonl", "json")

CSV_COLUMNS = (
    "id",
    "verdict",
    "decided_by",
    "mistake",
    "feedback",
    "expected",
    "notes",
    "kind",
    "expr",
    "wrt",
    "answer",
)
# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...) in a student's answer), and
# shows -sin(x) as #NAME?; such a cell is written with a leading apostrophe, which spreadsheets hide and we strip.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ROW_END = "\r\n"  # the csv module's; a value's own line breaks are written as "\n", so "\r\n" only ends rows

# (format, rows, summary) -> the whole report as text: how a JSON, Markdown or text report is written at the end.
DocumentWriter = Callable[[str, Sequence[GradedRow], Summary], str]


def format_of(path: str | os.PathLike) -> str:
    """The report format -o's extension asks for; a UsageError names the ones we write."""
    found = EXTENSIONS.get(Path(path).suffix.lower())
    if found is None:
        raise UsageError(
            f"-o {path}: write the report to a .csv, .jsonl, .json, .md or .txt file (or choose with --format)"
        )
    return found


# -- rows as the streamed formats write them ------------------------------------------------------------------------------
def csv_line(row: GradedRow) -> str:
    """One CSV row, ending in \\r\\n, with no bare \\r inside."""
    values = row.to_dict()
    cells = []
    for name in CSV_COLUMNS:
        value = values[name]
        text = "\n".join(value) if isinstance(value, list) else "" if value is None else str(value)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        cells.append("'" + text if text.startswith(_FORMULA_STARTS) else text)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=_ROW_END).writerow(cells)
    return buffer.getvalue()


def csv_header() -> str:
    """The CSV report's first line: the column names."""
    return ",".join(CSV_COLUMNS) + _ROW_END


def jsonl_line(row: GradedRow) -> str:
    """One JSON Lines row, ending in \\n."""
    return json.dumps(row.to_dict(), ensure_ascii=False) + "\n"


# -- report files -------------------------------------------------------------------------------------------------------------
class ReportFile:
    """A report file that receives rows in input order; CSV and JSON Lines stream them, the others wait for close(),
    which writes the document `render` makes of them."""

    def __init__(
        self,
        path: str | os.PathLike,
        fmt: str,
        previous: Sequence[GradedRow] = (),
        resume: bool = False,
        render: DocumentWriter | None = None,
    ):
        self.path = Path(path)
        self.format = fmt
        self.render = render
        self.rows: list[GradedRow] = list(previous)
        self.stream: TextIO | None = None
        if fmt in STREAMED:
            # Resuming appends to the rows read back (recover() has cut off any half-written last row).
            appending = resume and self.path.exists()
            self.stream = self.path.open("a" if appending else "w", encoding="utf-8", newline="")
            if not appending and fmt == "csv":
                self._write(csv_header())
        elif render is None:
            raise ValueError(
                f"a {fmt} report is written whole at the end: pass render=, e.g. render.grading.render_report"
            )

    def add(self, row: GradedRow) -> None:
        self.rows.append(row)
        if self.stream is not None:
            self._write(csv_line(row) if self.format == "csv" else jsonl_line(row))

    def _write(self, text: str) -> None:
        self.stream.write(text)  # one write per row, so the file holds whole rows only
        self.stream.flush()

    def close(self, summary: Summary) -> None:
        """Finish the report: close the stream, or write the whole document (also after an interruption)."""
        if self.stream is not None:
            self.stream.close()
            return
        replace_atomically(self.path, self.render(self.format, self.rows, summary))


def replace_atomically(path: Path, text: str) -> None:
    """Write text to a temporary file beside path, then rename it over path: the old file or the new, never half."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# -- reading a report back (--resume) -----------------------------------------------------------------------------------------
def recover(path: str | os.PathLike, fmt: str) -> list[GradedRow]:
    """The complete rows of an existing report, cutting a half-written last row of a CSV or JSON Lines file off the file."""
    path = Path(path)
    if fmt not in RESUMABLE:
        raise UsageError(
            f"--resume reads the report back, which works for .csv, .jsonl and .json reports, not {fmt}: write {path.name} from a finished run"
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as err:
        raise UsageError(f"{path}: cannot read the report to resume ({err.strerror})") from None
    try:
        if fmt == "json":
            return _json_rows(path, data.decode("utf-8"))
        end = _ROW_END.encode() if fmt == "csv" else b"\n"
        complete = data[: data.rfind(end) + len(end)] if not data.endswith(end) else data
        rows = (
            _csv_rows(path, complete.decode("utf-8")) if fmt == "csv" else _jsonl_rows(path, complete.decode("utf-8"))
        )
    except UnicodeDecodeError as err:
        raise InputError(f"{path} is not UTF-8 text (byte {err.start}): not a report written by deriv grade") from None
    if len(complete) < len(data):
        with path.open("r+b") as stream:  # the half-written row of a killed run goes; its row is graded again
            stream.truncate(len(complete))
    return rows


def _not_a_report(path: Path, where: str, why: str) -> InputError:
    return InputError(
        f"{path}, {where}: {why}; --resume needs a report written by deriv grade (or remove the file to start again)"
    )


def _csv_rows(path: Path, text: str) -> list[GradedRow]:
    if not text:
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    if tuple(header) != CSV_COLUMNS:
        raise _not_a_report(path, "line 1", f"the header is not {','.join(CSV_COLUMNS)}")
    rows = []
    for values in reader:
        if len(values) != len(CSV_COLUMNS):
            raise _not_a_report(
                path, f"line {reader.line_num}", f"the row has {len(values)} values, not {len(CSV_COLUMNS)}"
            )
        cells = {name: _unprotect(value) for name, value in zip(CSV_COLUMNS, values)}
        try:
            rows.append(GradedRow.from_dict(cells))
        except ValueError as err:
            raise _not_a_report(path, f"line {reader.line_num}", str(err)) from None
    return rows


def _unprotect(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA_STARTS) else cell


def _jsonl_rows(path: Path, text: str) -> list[GradedRow]:
    rows = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            rows.append(GradedRow.from_dict(json.loads(line)))
        except (json.JSONDecodeError, ValueError, AttributeError) as err:
            raise _not_a_report(path, f"line {number}", str(err)) from None
    return rows


def _json_rows(path: Path, text: str) -> list[GradedRow]:
    try:
        document = json.loads(text)
        if document.get("command") != "grade":
            raise ValueError('its "command" is not "grade"')
        return [GradedRow.from_dict(item) for item in document["rows"]]
    except (json.JSONDecodeError, ValueError, AttributeError, KeyError, TypeError) as err:
        raise _not_a_report(path, "the document", str(err)) from None
