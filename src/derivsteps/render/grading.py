"""The class report of deriv grade laid out as a Document (a text table that grows a row at a time, a Markdown table),
and as JSON.

The report files themselves (rows streamed to CSV and JSON Lines, documents replaced atomically, reading a report back
for --resume) are checking.reports; render_report is what it writes when a JSON, Markdown or text report is finished.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TextIO

from ..checking.grading import VERDICTS, GradedRow, Summary
from .document import Blank, Block, Code, Document, Paragraph, Row, Rows, Spans, Strong, Symbol, Table, Words, only
from .writers import write

# The text summary names this many mistakes; the JSON and Markdown reports list them all.
SUMMARY_MISTAKES = 5

# Not ⏱ or ‼: terminals may draw those as two-column emoji, and the table would lose its alignment.
MARKS = {"correct": "✓", "incorrect": "✗", "inconclusive": "?", "invalid": "!", "limit": "⧖", "error": "!!"}
ASCII_MARKS = {"correct": "ok", "incorrect": "x", "inconclusive": "?", "invalid": "!", "limit": "T", "error": "!!"}
_MARK_WIDTH = max(len(mark) for mark in [*MARKS.values(), *ASCII_MARKS.values()])
_VERDICT_WIDTH = max(len(verdict) for verdict in VERDICTS)
# The terminal's look of each verdict (document.STYLES names).
_STYLES = {"correct": "verified", "incorrect": "disagrees", "inconclusive": "undecided", "invalid": "invalid",
           "limit": "undecided", "error": "disagrees"}  # fmt: skip


# -- public entry points: layout, then a writer ------------------------------------------------------------------------
def to_json(rows: Sequence[GradedRow], summary: Summary) -> dict:
    """The whole report as one JSON document (schema 1)."""
    return {"schema": 1, "command": "grade", "rows": [row.to_dict() for row in rows], "summary": summary.to_dict()}


def render_markdown(rows: Sequence[GradedRow], summary: Summary) -> str:
    """A Markdown table of the rows, then the summary."""
    return write(layout(rows, summary), "markdown")


def render_summary(summary: Summary) -> str:
    """The summary as a few lines of text: counts per verdict, the most common mistakes, the speed."""
    return write(Document(tuple(_summary_lines(summary))), "text")


def render_report(fmt: str, rows: Sequence[GradedRow], summary: Summary) -> str:
    """A finished report of format "json", "markdown" or "text" as one text: what checking.reports writes to -o."""
    if fmt == "json":
        return json.dumps(to_json(rows, summary), ensure_ascii=False, indent=2) + "\n"
    return write(layout(rows, summary), fmt)


class TextTable:
    """The report as a readable table on stdout, a row as soon as it is ready, then the summary."""

    def __init__(self, stream: TextIO, id_width: int, ascii: bool = False):
        self.stream = stream
        self.id_width = max(id_width, 2)
        self.ascii = ascii
        self.stream.write(write(Document((_header(self.id_width),)), "text"))

    def add(self, row: GradedRow) -> None:
        self.stream.write(write(Document((Rows((_row(row, self.id_width),)),)), "text", ascii=self.ascii))
        self.stream.flush()

    def finish(self, summary: Summary) -> None:
        self.stream.write("\n" + render_summary(summary))


# -- the layout -----------------------------------------------------------------------------------------------------------
def layout(rows: Sequence[GradedRow], summary: Summary) -> Document:
    """The report as a Document: in text a table of id, verdict and feedback (the details under each row), in
    Markdown a table with a column for each field; then the summary, and in Markdown the most common mistakes."""
    id_width = max(max((len(row.id) for row in rows), default=2), 2)
    blocks: list[Block] = [
        only("text", _header(id_width), Rows(tuple(_row(row, id_width) for row in rows)), Blank()),
        only("text", *_summary_lines(summary)),
        only("markdown", _table(rows), Paragraph(_summary_paragraph(summary))),
    ]
    if summary.mistakes:
        header = ((Words("most common mistakes"),), (Words("answers"),))
        counts = tuple(((Code(name),), (Words(str(count)),)) for name, count in summary.mistakes)
        blocks.append(only("markdown", Table(header, counts, align="--")))
    return Document(tuple(blocks))


def _header(id_width: int) -> Paragraph:
    return Paragraph((Words(f"{'id'.ljust(id_width)}  {'verdict'.ljust(_MARK_WIDTH + 1 + _VERDICT_WIDTH)}  feedback"),))


def _row(row: GradedRow, id_width: int) -> Row:
    """id, mark, verdict and the feedback's first line; under it the rest of the feedback, the details, the notes."""
    mark = Symbol(
        MARKS[row.verdict].ljust(_MARK_WIDTH) + " ",
        ASCII_MARKS[row.verdict].ljust(_MARK_WIDTH) + " ",
        style=_STYLES[row.verdict],
    )
    lead = (Words(f"{row.id.ljust(id_width)}  "), mark, Words(row.verdict.ljust(_VERDICT_WIDTH) + " "))
    feedback = row.feedback.split("\n")
    under: list[Spans] = [(Words(line),) for line in feedback[1:]]
    if row.verdict not in ("correct", "invalid"):  # an invalid row's message already shows the answer
        details = [f"answer: {row.answer}"]
        if row.mistake:
            details.append(f"mistake: {row.mistake}")
        if row.expected is not None:
            details.append(f"expected: {row.expected}")
        if row.decided_by:
            details.append(f"decided: {row.decided_by}")
        said: list = []
        for detail in details:
            said += [*([Symbol(" · ", "; ")] if said else []), Words(detail)]
        under.append(tuple(said))
    under += [(Words(f"note: {note}"),) for note in row.notes]
    return Row((Words(feedback[0]),), None, lead, (), tuple(under))


def _table(rows: Sequence[GradedRow]) -> Table:
    header = tuple((Words(name),) for name in ("id", "answer", "verdict", "decided by", "mistake", "feedback",
                                               "expected", "notes"))  # fmt: skip
    body = [
        (
            (Words(row.id),),
            _code(row.answer),
            (Words(f"{MARKS[row.verdict]} {row.verdict}"),),
            (Words(row.decided_by or ""),),
            (Code(row.mistake),) if row.mistake else (),
            (Words(row.feedback.split("\n")[0]),),
            _code(row.expected or ""),
            (Words("; ".join(row.notes)),),
        )
        for row in rows
    ]
    return Table(header, tuple(body), align="-" * len(header))


def _code(text: str) -> Spans:
    """An answer as code; as words when code cannot hold it in a table cell (a | or ` in it, a line break)."""
    if not text:
        return ()
    return (Words(text),) if "|" in text or "`" in text or "\n" in text else (Code(text),)


def summary_sentence(summary: Summary) -> str:
    counts = ", ".join(f"{summary.verdicts[name]} {name}" for name in VERDICTS if summary.verdicts[name])
    text = f"{summary.rows} answers: {counts or 'none'}."
    if summary.interrupted:
        text += " Interrupted: the other rows are not graded yet (run again with --resume)."
    return text


def _summary_lines(summary: Summary) -> list[Paragraph]:
    """Counts per verdict, the most common mistakes, the speed: a line each."""
    lines = [summary_sentence(summary)]
    if summary.mistakes:
        shown = ", ".join(f"{name} ({count})" for name, count in summary.mistakes[:SUMMARY_MISTAKES])
        more = len(summary.mistakes) - SUMMARY_MISTAKES
        lines.append(f"most common mistakes: {shown}" + (f", and {more} more" if more > 0 else ""))
    speed = _speed(summary)
    if speed:
        lines.append(speed)
    return [Paragraph((Words(line),)) for line in lines]


def _summary_paragraph(summary: Summary) -> Spans:
    speed = _speed(summary)
    return (
        Strong("Summary."),
        Words(" " + summary_sentence(summary) + (f" {speed[0].upper()}{speed[1:]}." if speed else "")),
    )


def _speed(summary: Summary) -> str:
    rate = summary.answers_per_second
    earlier = summary.rows - summary.graded
    resumed = f", {earlier} from the report before" if earlier else ""
    if rate is not None:
        return f"graded {summary.graded} in {summary.seconds:.1f} s ({rate:g} answers per second){resumed}"
    return f"nothing left to grade: all {earlier} rows were in the report already" if earlier else ""
