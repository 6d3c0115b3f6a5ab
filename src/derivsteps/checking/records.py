"""Reading a file of records, the one way every class file is read: CSV with a header row, a JSON array of objects,
or JSON Lines. A plain class file (grading.py: id,expr,wrt,answer) and a question set's answers (course.py:
student,question,answer) differ only in their columns.

Each record comes with where it is in the file ("line 3", "item 2") for messages, and holds only the columns asked
for, as text; a row that cannot be used as it is (too few values, a value that is not text) carries "_problem", so
the caller can grade it "invalid" and go on. A file that cannot be read as a whole raises InputError naming the file
and the line.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path

from ..core import limits
from ..core.errors import InputError, LimitError

Record = tuple[str, dict[str, str]]
# Columns that hold names, which a JSON record may give as a list: ["rate", "t"] reads as "rate,t".
NAME_LISTS = ("vars", "functions")


def file_kind(path: Path, text: str) -> str:
    """ "csv", "json" or "jsonl": by the file's extension, else by its first character."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix == ".json":
        return "json"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    start = text.lstrip()[:1]
    return "json" if start == "[" else "jsonl" if start == "{" else "csv"


def read_records(
    text: str, path: Path, required: Sequence[str], optional: Sequence[str] = (), *, needs: str = "it needs"
) -> list[Record]:
    """The records of the file's text with the columns `required` (every one must be in a CSV header) and `optional`;
    needs says who needs the columns in the message for a missing one ("answers to a question set need")."""
    reader = {"csv": _csv_records, "json": _json_records, "jsonl": _jsonl_records}[file_kind(path, text)]
    return reader(path, text, tuple(required), tuple(optional), needs)


def _csv_records(path: Path, text: str, required, optional, needs: str) -> list[Record]:
    # A spreadsheet in a comma-decimal locale writes ";" between values; the header tells which.
    delimiter = next((mark for mark in ",;\t" if mark in text.split("\n", 1)[0]), ",")
    # newline="": rows end at \r\n or \n only, never at the other characters str.splitlines breaks at (\u2028, \x1c).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    kept = required + optional
    try:
        header = [name.strip().lower() for name in next(reader)]
        missing = [name for name in required if name not in header]
        if missing:
            raise InputError(
                f"{path}: the header names {', '.join(header) or 'no columns'}; {needs} the columns "
                f"{', '.join(required)} (missing: {', '.join(missing)}; other columns are ignored)"
            )
        records: list[Record] = []
        for values in reader:
            if not any(value.strip() for value in values):
                continue  # a blank line, or a row of empty cells a spreadsheet left behind
            record = {name: value for name, value in zip(header, values) if name in kept}
            if len(values) < len(header):
                record["_problem"] = f"the row has {len(values)} values, but the header names {len(header)} columns"
            records.append((f"line {reader.line_num}", record))
            _check_count(path, records)
    except csv.Error as err:
        raise InputError(f"{path}, line {reader.line_num}: not valid CSV ({err})") from None
    return records


def _json_records(path: Path, text: str, required, optional, needs: str) -> list[Record]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"{path}, line {err.lineno}, column {err.colno}: not valid JSON ({err.msg})") from None
    if isinstance(document, dict) and isinstance(document.get("rows"), list):
        document = document["rows"]  # a report of ours: grade its rows again
    if not isinstance(document, list):
        raise InputError(f"{path}: the JSON must be an array of objects with the keys {', '.join(required)}")
    items = [(f"item {index}", item) for index, item in enumerate(document)]
    _check_count(path, items)
    return [(where, _record(path, where, item, required, optional)) for where, item in items]


def _jsonl_records(path: Path, text: str, required, optional, needs: str) -> list[Record]:
    records: list[Record] = []
    for number, line in enumerate(text.split("\n"), start=1):  # not splitlines: a JSON string may hold \u2028 as is
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(f"{path}, line {number}, column {err.colno}: not valid JSON ({err.msg})") from None
        records.append((f"line {number}", _record(path, f"line {number}", item, required, optional)))
        _check_count(path, records)
    return records


def _record(path: Path, where: str, item, required, optional) -> dict[str, str]:
    if not isinstance(item, dict):
        raise InputError(
            f"{path}, {where}: expected an object with the keys {', '.join(required)}, not {type(item).__name__}"
        )
    record = {}
    for name in required + optional:
        value = item.get(name)
        if name in NAME_LISTS and isinstance(value, list) and all(isinstance(v, str) for v in value):
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
