"""A checked written derivation (written.WrittenReport) laid out as a Document (text, Markdown, the terminal), and as
JSON (schema 1)."""

from __future__ import annotations

from collections.abc import Callable

from ..checking.written import WrittenLine, WrittenReport
from ..core.tree import Expr, variables
from ..language.mathtext import to_text
from .document import (
    Block,
    Break,
    Code,
    Document,
    Emphasis,
    Math,
    Note,
    Paragraph,
    Row,
    Rows,
    Spans,
    Strong,
    Symbol,
    Table,
    Words,
    only,
)
from .jsondoc import SCHEMA, valuer
from .layouts import register
from .writers import write

MARKS = {"problem": "", "correct": "✓", "incorrect": "✗", "inconclusive": "?", "invalid": "!"}
ASCII_MARKS = {"problem": "", "correct": "ok", "incorrect": "x", "inconclusive": "?", "invalid": "!"}
SUMMARY_MARKS = {"correct": "✓", "incorrect": "✗", "invalid": "!", "inconclusive": "?", "unfinished": "…"}
ASCII_SUMMARY_MARKS = {"correct": "ok", "incorrect": "x", "invalid": "!", "inconclusive": "?", "unfinished": "..."}
# The rule column starts after the longest line, but never further right than this.
MAX_LABEL_COLUMN = 60

TOP_KEYS = ("schema", "command", "verdict", "feedback", "problem", "wrt", "derivative", "first_wrong", "notes", "lines")
LINE_KEYS = ("number", "text", "verdict", "rule", "rules", "several", "label", "feedback", "decided_by", "compared_with",
             "reason", "expected", "expected_label", "slips", "mistake", "expr", "value", "warnings", "column")  # fmt: skip

# The terminal's look of each verdict (document.STYLES names).
STYLES = {"correct": "verified", "incorrect": "disagrees", "inconclusive": "undecided", "invalid": "invalid",
          "unfinished": "undecided", "problem": None}  # fmt: skip


# -- public entry points: layout, then a writer ------------------------------------------------------------------------
def render_text(report: WrittenReport, ascii: bool = False) -> str:
    """The report as plain text: each line with its number, mark and rule; feedback under the lines that need it."""
    return write(layout(report), "text", ascii=ascii)


def render_markdown(report: WrittenReport) -> str:
    """A table of the lines (number, mark, the line, the rule or the feedback), then the verdict."""
    return write(layout(report), "markdown")


def written_view(report: WrittenReport, ascii: bool = False):
    """A rich renderable of the report: each line as a row (number, mark, line, rule), the feedback under it."""
    return write(layout(report), "rich", ascii=ascii)


def print_rich(report: WrittenReport, ascii: bool = False) -> None:
    """Print the rich view to stdout (rich drops the colours itself under NO_COLOR or off a terminal)."""
    from .live import print_view

    print_view(written_view(report, ascii), highlight=False)


# -- the layout -----------------------------------------------------------------------------------------------------------
def layout(report: WrittenReport) -> Document:
    """The report as a Document: the problem, then in the line formats each line with its number, mark, rule and the
    feedback under it, in Markdown a table of the lines; the verdict; the notes."""
    verdict = report.verdict
    summary = f"{verdict}: {report.feedback}"
    blocks: list[Block] = [
        only("text", Paragraph(_problem(report), style="aside"), _rows(report)),
        only("markdown", Paragraph((Strong("Problem:"), Words(" "), Math(report.problem))), _table(report)),
        only("text", Paragraph((Symbol(SUMMARY_MARKS[verdict], ASCII_SUMMARY_MARKS[verdict]), Words(f" {summary}")),
                               style=STYLES[verdict])),
        only("markdown", Paragraph((Strong(f"{SUMMARY_MARKS[verdict]} {summary}"),))),
        *(Note((Words(note),)) for note in report.notes),
    ]  # fmt: skip
    return Document(tuple(blocks))


def _problem(report: WrittenReport) -> Spans:
    """problem: ∂/∂y (x + y + z)^2      (treat x, z as constants)"""
    line: list = [Words("problem: "), Math(report.problem)]
    held = [v for v in variables(report.problem) if v not in report.wrt]
    if held and report.wrt:
        line.append(Words("      (treat "))
        for index, var in enumerate(held):
            line += [*([Words(", ")] if index else []), Math(var)]
        line.append(Words(f" as constant{'s' if len(held) > 1 else ''})"))
    return tuple(line)


def _rows(report: WrittenReport) -> Rows:
    """number, mark, the line as written and its rule; what is wrong with it under it."""
    width = len(str(report.lines[-1].number))
    rows = []
    for line in report.lines:
        style = STYLES[line.verdict]
        # The mark column is as wide as the widest mark of each notation: ✓ (one column), ok (two).
        mark = Symbol(MARKS[line.verdict].ljust(1) + " ", ASCII_MARKS[line.verdict].ljust(2) + " ", style=style)
        label = (Words(line.label),) if line.label and line.verdict != "problem" else ()
        # The caret points into the text as typed, which ASCII does not show.
        caret = [(Symbol(" " * line.caret + "^", "", style=style),)] if line.caret is not None else []
        under = tuple(caret + details(line))
        lead = (Words(f"{line.number:>{width}}  ", "aside"), mark)
        rows.append(Row((Symbol(line.text, shown_ascii(line)),), None, lead, label, under))
    return Rows(tuple(rows), MAX_LABEL_COLUMN)


def shown_ascii(line: WrittenLine) -> str:
    """The line as we read it in ASCII (the student's text may not be ASCII)."""
    if line.expr is None:
        return line.text.encode("ascii", "replace").decode("ascii")
    return ("= " if line.text.startswith("=") else "") + to_text(line.expr, ascii=True)


def details(line: WrittenLine) -> list[Spans]:
    """What is said under a line: why it is not right, the correct step, the mistake; how an ambiguous line was read."""
    style = "feedback" if line.verdict == "incorrect" else STYLES[line.verdict]
    if line.verdict in ("correct", "problem"):
        said: list[Spans] = []
    elif line.verdict != "incorrect":
        said = [(Words(line.feedback, style),)]
    else:
        said = [(Words(line.reason, style),)]
        if line.expected is not None:
            said.append((Words(f"correct step ({line.expected_label}): ", style), Math(line.expected, style=style)))
        if line.slips:
            said.append((Words(f"where {'; '.join(line.slips)}", style),))
        if line.mistake:
            said.append((Words(f"mistake {line.mistake}: {line.mistake_description}", style),))
    return said + [(Words(f"note: {warning}", "note"),) for warning in line.warnings]


def _table(report: WrittenReport) -> Table:
    """The lines as a Markdown table: number, mark, the line as code, its rule or the feedback."""
    header = ((Words("line"),), (), (Words("written"),), (Words("rule / feedback"),))
    rows = []
    for line in report.lines:
        said: list = [Words(line.label if line.verdict in ("correct", "problem") else line.reason or line.feedback)]
        if line.expected is not None:
            slips = [Words(f" ({'; '.join(line.slips)})")] if line.slips else []
            said += [Break(), Words(f"correct step ({line.expected_label}): "), Math(line.expected), *slips]
        if line.mistake:
            said += [Break(), Words("mistake "), Code(line.mistake), Words(f": {line.mistake_description}")]
        for warning in line.warnings:
            said += [Break(), Emphasis("note:"), Words(f" {warning}")]
        rows.append(((Words(str(line.number)),), (Symbol(MARKS[line.verdict]),), (Code(line.text),), tuple(said)))
    return Table(header, tuple(rows), align="rc--")


# -- JSON ------------------------------------------------------------------------------------------------------------------
def to_json(report: WrittenReport, with_sympy: bool = True, ascii: bool = False) -> dict:
    """The report as the JSON document of schema 1, "command": "check-derivation"; one entry per checked line."""
    value = valuer(with_sympy)
    return {
        "schema": SCHEMA,
        "command": "check-derivation",
        "verdict": report.verdict,
        "feedback": report.feedback,
        "problem": value(report.problem),
        "wrt": [to_text(var, ascii=True) for var in report.wrt],
        "derivative": value(report.derivative),
        "first_wrong": report.first_wrong,
        "notes": list(report.notes),
        "lines": [line_json(line, value) for line in report.lines],
    }


def line_json(line: WrittenLine, value: Callable[[Expr], dict]) -> dict:
    """One line: its verdict; "rule" the first rule id of the replay that reproduces it (null: none does); "value"
    its value with the pending derivatives worked out; "expected" the correct rewrite of a wrong line."""
    return {
        "number": line.number,
        "text": line.text,
        "verdict": line.verdict,
        "rule": line.rules[0] if line.rules else None,
        "rules": list(line.rules),
        "several": line.several,
        "label": line.label,
        "feedback": line.feedback,
        "decided_by": line.decided_by,
        "compared_with": line.compared_with,
        "reason": line.reason or None,
        "expected": value(line.expected) if line.expected is not None else None,
        "expected_label": line.expected_label or None,
        "slips": list(line.slips),
        "mistake": line.mistake,
        "expr": value(line.expr) if line.expr is not None else None,
        "value": value(line.value) if line.value is not None else None,
        "warnings": list(line.warnings),
        "column": line.position,
    }


register(WrittenReport, layout=layout, view=written_view, json=to_json)
