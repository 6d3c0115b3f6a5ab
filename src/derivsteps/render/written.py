"""A checked written derivation (written.WrittenReport) as text, Markdown, JSON (schema 1) or a rich view."""

from __future__ import annotations

from collections.abc import Callable

from ..checking.written import WrittenLine, WrittenReport
from ..core.tree import Expr, variables
from ..language.mathlatex import to_latex
from ..language.mathtext import to_text
from .jsondoc import SCHEMA, valuer
from .markdown import escape_markdown

MARKS = {"problem": "", "correct": "✓", "incorrect": "✗", "inconclusive": "?", "invalid": "!"}
ASCII_MARKS = {"problem": "", "correct": "ok", "incorrect": "x", "inconclusive": "?", "invalid": "!"}
SUMMARY_MARKS = {"correct": "✓", "incorrect": "✗", "invalid": "!", "inconclusive": "?", "unfinished": "…"}
ASCII_SUMMARY_MARKS = {"correct": "ok", "incorrect": "x", "invalid": "!", "inconclusive": "?", "unfinished": "..."}
# The rule column starts after the longest line, but never further right than this.
MAX_LABEL_COLUMN = 60

TOP_KEYS = ("schema", "command", "verdict", "feedback", "problem", "wrt", "derivative", "first_wrong", "notes", "lines")
LINE_KEYS = ("number", "text", "verdict", "rule", "rules", "several", "label", "feedback", "decided_by", "compared_with",
             "reason", "expected", "expected_label", "slips", "mistake", "expr", "value", "warnings", "column")  # fmt: skip


# -- text --------------------------------------------------------------------------------------------------------------
def problem_line(report: WrittenReport, ascii: bool = False) -> str:
    """ "problem: ∂/∂y (x + y + z)^2      (treat x, z as constants)"."""
    line = f"problem: {to_text(report.problem, ascii)}"
    held = [v for v in variables(report.problem) if v not in report.wrt]
    if held and report.wrt:
        names = ", ".join(to_text(v, ascii) for v in held)
        line += f"      (treat {names} as constant{'s' if len(held) > 1 else ''})"
    return line


def summary_line(report: WrittenReport, ascii: bool = False) -> str:
    marks = ASCII_SUMMARY_MARKS if ascii else SUMMARY_MARKS
    return f"{marks[report.verdict]} {report.verdict}: {report.feedback}"


def shown_text(line: WrittenLine, ascii: bool = False) -> str:
    """The line as the student wrote it; with ascii, as we read it in ASCII (the student's text may not be)."""
    if not ascii:
        return line.text
    if line.expr is None:
        return line.text.encode("ascii", "replace").decode("ascii")
    return ("= " if line.text.startswith("=") else "") + to_text(line.expr, ascii=True)


def details(line: WrittenLine, ascii: bool = False) -> list[str]:
    """What is said under a line: why it is not right, the correct step, the mistake; how an ambiguous line was read."""
    if line.verdict in ("correct", "problem"):
        said = []
    elif line.verdict != "incorrect":
        said = [line.feedback]
    else:
        said = [line.reason]
        if line.expected is not None:
            said.append(f"correct step ({line.expected_label}): {to_text(line.expected, ascii)}")
        if line.slips:
            said.append(f"where {'; '.join(line.slips)}")
        if line.mistake:
            said.append(f"mistake {line.mistake}: {line.mistake_description}")
    return said + [f"note: {warning}" for warning in line.warnings]


def render_text(report: WrittenReport, ascii: bool = False) -> str:
    """The report as plain text: each line with its number, mark and rule; feedback under the lines that need it."""
    marks = ASCII_MARKS if ascii else MARKS
    number_width = len(str(report.lines[-1].number))
    mark_width = max(len(mark) for mark in marks.values())
    rows = [
        (f"{line.number:>{number_width}}  {marks[line.verdict]:<{mark_width}}  {shown_text(line, ascii)}", line)
        for line in report.lines
    ]
    width = min(max(len(text) for text, _ in rows), MAX_LABEL_COLUMN)
    indent = " " * (number_width + mark_width + 4)
    out = [problem_line(report, ascii)]
    for text, line in rows:
        out.append(
            f"{text.ljust(width)}    {line.label}".rstrip() if line.label and line.verdict != "problem" else text
        )
        if line.caret is not None and not ascii:
            out.append(indent + " " * line.caret + "^")
        out += [indent + said for said in details(line, ascii)]
    out.append(summary_line(report, ascii))
    out += [f"note: {note}" for note in report.notes]
    return "\n".join(out) + "\n"


# -- Markdown ------------------------------------------------------------------------------------------------------------
def render_markdown(report: WrittenReport) -> str:
    """A table of the lines (number, mark, the line, the rule or the feedback), then the verdict."""
    out = [
        f"**Problem:** ${to_latex(report.problem)}$",
        "",
        "| line | | written | rule / feedback |",
        "|---:|:---:|---|---|",
    ]
    for line in report.lines:
        said = (
            escape_markdown(line.label)
            if line.verdict in ("correct", "problem")
            else escape_markdown(line.reason or line.feedback)
        )
        if line.expected is not None:
            slips = f" ({escape_markdown('; '.join(line.slips))})" if line.slips else ""
            said += f"<br>correct step ({escape_markdown(line.expected_label)}): ${to_latex(line.expected)}${slips}"
        if line.mistake:
            said += f"<br>mistake `{line.mistake}`: {escape_markdown(line.mistake_description)}"
        for warning in line.warnings:
            said += f"<br>*note:* {escape_markdown(warning)}"
        written = f"`{line.text}`".replace("|", "\\|")
        out.append(f"| {line.number} | {MARKS[line.verdict]} | {written} | {said} |")
    out += ["", f"**{escape_markdown(summary_line(report))}**", ""]
    out += [f"*Note:* {escape_markdown(note)}" for note in report.notes]
    return "\n".join(out).rstrip("\n") + "\n"


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


# -- rich ------------------------------------------------------------------------------------------------------------------
STYLES = {"correct": "bold green", "incorrect": "bold red", "inconclusive": "yellow", "invalid": "bold magenta",
          "unfinished": "yellow", "problem": "", "rule": "dim", "number": "dim", "feedback": "red", "note": "italic"}  # fmt: skip


def written_view(report: WrittenReport, ascii: bool = False):
    """A rich renderable of the report: each line as a row (number, mark, line, rule), the feedback under it across
    the width; every row is its own grid with the same column widths, so the columns stay aligned."""
    from rich.console import Group
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    marks = ASCII_MARKS if ascii else MARKS
    widths = (len(str(report.lines[-1].number)), max(len(mark) for mark in marks.values()),
              min(max(len(shown_text(line, ascii)) for line in report.lines), MAX_LABEL_COLUMN))  # fmt: skip
    indent = widths[0] + widths[1] + 4
    parts = [Text(problem_line(report, ascii), style="dim")]
    for line in report.lines:
        row = Table.grid(padding=(0, 2))
        row.add_column("number", justify="right", style=STYLES["number"], no_wrap=True, width=widths[0])
        row.add_column("mark", no_wrap=True, width=widths[1])
        row.add_column("line", overflow="fold", width=widths[2])
        row.add_column("rule", style=STYLES["rule"], overflow="fold")
        label = line.label if line.verdict != "problem" else ""
        row.add_row(
            Text(str(line.number)),
            Text(marks[line.verdict], style=STYLES[line.verdict]),
            Text(shown_text(line, ascii)),
            Text(label),
        )
        parts.append(row)
        if line.caret is not None and not ascii:
            parts.append(Padding(Text(" " * line.caret + "^", style=STYLES[line.verdict]), (0, 0, 0, indent)))
        for said in details(line, ascii):
            style = (
                STYLES["note"]
                if said.startswith("note:")
                else STYLES["feedback"]
                if line.verdict == "incorrect"
                else STYLES[line.verdict]
            )
            parts.append(Padding(Text(said, style=style), (0, 0, 0, indent)))
    parts.append(Text(summary_line(report, ascii), style=STYLES[report.verdict]))
    parts += [Text(f"note: {note}", style=STYLES["note"]) for note in report.notes]
    return Group(*parts)


def print_rich(report: WrittenReport, ascii: bool = False) -> None:
    """Print the rich view to stdout (rich drops the colours itself under NO_COLOR or off a terminal)."""
    from rich.console import Console

    Console(highlight=False).print(written_view(report, ascii))
