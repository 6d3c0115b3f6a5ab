"""A derivation in the terminal with rich: aligned lines, the rewritten subterm highlighted, the rule in a dim column."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from ..core.derivation import Derivation
from ..language.mathtext import to_text, to_text_spans
from ._abbrev import abbreviations
from ._labels import line_label, notes
from .latex import line_marks  # the same marks as the LaTeX underlines, carried through a run of rewrites
from .text import domain_line, read_as_line, verdict_text, where_lines

# One place for the look; rich drops the colours itself under NO_COLOR or when stdout is not a terminal.
STYLES = {
    "changed": "bold yellow",  # the subterm a line rewrote
    "rule": "dim",
    "aside": "dim",  # "read as:", "(treat x as constant)"
    "note": "italic",
    "result": "bold",
    "verified": "bold green",
    "disagrees": "bold red",
    "undecided": "yellow",
}

# Space between the expression column and the rule column, as in the plain-text renderer.
GUTTER = 4


class DerivationView:
    """A rich renderable of a Derivation: `Console().print(DerivationView(d, steps=True))`."""

    def __init__(self, derivation: Derivation, steps: bool = True, detail: str | None = None, ascii: bool = False):
        self.derivation = derivation
        self.steps = steps
        self.detail = detail
        self.ascii = ascii
        # A long derivation names the large subterms its lines share (see _abbrev); "where A = …" follows the lines.
        self.names = abbreviations(derivation, steps, detail)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        derivation = self.derivation
        yield self._read_as()
        for warning in derivation.warnings:
            yield Text(f"note: {warning}", style=STYLES["note"])
        if self.steps:
            yield self._lines(options.max_width)
        else:
            line = Text(f"{self._show(derivation.start)} = ")
            line.append(self._show(derivation.result), style=STYLES["result"])
            yield line
        for line in where_lines(self.names, self.ascii):
            yield Text(line)
        domain = domain_line(derivation, self.ascii)
        if domain:
            line = Text(domain)
            line.stylize(STYLES["aside"], 0, len("domain:"))
            yield line
        for note in notes(derivation, self._show):
            yield Text(f"note: {note}", style=STYLES["note"])
        verdict = self._verdict()
        if verdict is not None:
            yield verdict

    def _show(self, expr) -> str:
        return to_text(self.names.show(expr), self.ascii)

    def _read_as(self) -> Text:
        line = read_as_line(self.derivation, self.ascii)
        text = Text(line)
        text.stylize(STYLES["aside"], 0, len("read as:"))
        aside = line.find("      (")  # the note after the expression: (treat x, z as constants), (a_i is data; ...)
        if aside != -1:
            text.stylize(STYLES["aside"], aside)
        return text

    def _lines(self, width: int) -> Table:
        detail = self.detail or self.derivation.detail
        rows = [(Text(""), Text(self._show(self.derivation.start)), Text(""))]
        for line in self.derivation.lines(detail):
            expression = highlighted(
                self.names.show(line.after), self.names.marks(line.after, line_marks(line)), self.ascii
            )
            rows.append((Text("= "), expression, Text(line_label(line, self._show, detail))))
        return aligned_table(rows, width)

    def _verdict(self) -> Text | None:
        verdict = verdict_text(self.derivation, self.ascii)
        if verdict is None:
            return None
        check = self.derivation.verification
        style = {True: "verified", False: "disagrees", None: "undecided"}[check.verified]
        return Text(verdict, style=STYLES[style])


def column_widths(rows: list[tuple[Text, Text, Text]], width: int) -> tuple[int, int]:
    """Widths of the expression and rule columns: as wide as their text when the lines fit the terminal; otherwise
    the rule names get at most a third and wrap, and the math wraps under itself in the rest."""
    expression = max(row[1].cell_len for row in rows)
    rule = max(row[2].cell_len for row in rows)
    available = max(width - 2 - GUTTER, 2)
    if expression + rule <= available:
        return expression, max(rule, 1)
    rule = max(min(rule, available // 3), 1)
    return max(available - rule, 1), rule


def highlighted(expr, marks, ascii: bool = False) -> Text:
    """expr as text with the subterms at marks styled as changed."""
    printed, spans = to_text_spans(expr, marks, ascii)
    expression = Text(printed)
    for start, end in spans:
        expression.stylize(STYLES["changed"], start, end)
    return expression


def aligned_table(rows: list[tuple[Text, Text, Text]], width: int) -> Table:
    """(sign, expression, rule) rows as the aligned columns of a derivation."""
    expression_width, rule_width = column_widths(rows, width)
    table = Table.grid()
    # "=" in a column of its own, so an expression too long for the terminal wraps under itself, not under "=".
    table.add_column("sign", no_wrap=True, width=2)
    table.add_column("expression", overflow="fold", width=expression_width)
    table.add_column("gutter", no_wrap=True, width=GUTTER)
    table.add_column("rule", style=STYLES["rule"], overflow="fold", width=rule_width)
    for sign, expression, rule in rows:
        table.add_row(sign, expression, Text(""), rule)
    return table


if __name__ == "__main__":  # python -m derivsteps.render.terminal: a look at the view in this terminal
    from ..core.engine import differentiate

    Console().print(DerivationView(differentiate("(x+y+z)^2", "y")))
