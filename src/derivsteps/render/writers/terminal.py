"""The rich writer, the only module that imports rich: a Document in the terminal, styled, rows as a grid that wraps.

Math goes in as Text, never as a plain str: rich would read "[b]" in a plain string as markup.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.padding import Padding
from rich.table import Table as Grid
from rich.text import Text

from ...language.mathtext import to_text_spans
from ..document import (
    STYLES,
    Blank,
    Comment,
    Display,
    Document,
    Heading,
    Lines,
    Math,
    Matrix,
    Nested,
    Note,
    Only,
    Paragraph,
    Rows,
    Spans,
    Steps,
    Table,
    Verdict,
    shows,
)
from .text import GUTTER, TextWriter


class DocumentView:
    """A rich renderable of a Document: `Console().print(DocumentView(document))`."""

    FORMAT = "rich"

    def __init__(self, document: Document, ascii: bool = False):
        self.document = document
        self.ascii = ascii
        self.text = TextWriter(document, ascii)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.blocks(self.document.blocks, options.max_width)

    def blocks(self, blocks, width: int):
        for block in blocks:
            yield from self.block(block, width)

    def block(self, block, width: int):
        match block:
            case Paragraph(spans, style):
                line = self.spans(spans)
                if style:
                    line.stylize(STYLES[style])
                line.rstrip()
                yield line
            case Heading(spans):
                yield self.spans(spans, STYLES["heading"])
            case Blank():
                yield Text("")
            case Note(spans):
                yield Text(f"note: {self.text.spans(spans)}", style=STYLES["note"])
            case Comment():
                return
            case Lines(lines):
                for line in lines:
                    yield self.spans(line)
            case Verdict(status, spans, mark):
                said = (f"{mark.spelled(self.text.notation)} " if mark else "") + self.text.spans(spans)
                yield Text(said, style=STYLES[status])
            case Rows():
                yield from self.rows(block, width)
            case Table():
                for line in self.text.table(block):
                    yield Text(line)
            case Steps():
                for line in self.text.block(block):
                    yield Text(line)
            case Display(blocks):
                yield from self.blocks(blocks, width)
            case Nested(document, indent):
                view = DocumentView(document, self.ascii)
                yield Padding(view, (0, 0, 0, indent)) if indent else view
            case Only():
                if shows(self.FORMAT, block, self.ascii):
                    yield from self.blocks(block.blocks, width)
            case _:
                raise TypeError(f"not a block: {block!r}")

    def spans(self, spans: Spans, style: str = "") -> Text:
        """Spans as one Text: each piece with its style, marked subterms highlighted."""
        line = Text(style=style)
        run, run_style = "", ""  # neighbours of one style go in as one run: one styled segment, as rich writes it
        for piece in spans:
            if isinstance(piece, Math) and piece.marks and self.document.notation is None:
                line.append(run, style=run_style)
                run, run_style = "", ""
                line.append_text(highlighted(piece.expr, piece.marks, self.ascii))
                continue
            piece_style = STYLES[piece.style] if piece.style else ""
            if piece_style != run_style:
                line.append(run, style=run_style)
                run, run_style = "", piece_style
            run += self.text.inline(piece)
        line.append(run, style=run_style)
        return line

    def rows(self, rows: Rows, width: int):
        """Rows with labels as an aligned grid (the math wraps under itself); rows without, as lines."""
        if not rows.signs:
            yield self._columns(rows)
            return
        if any(row.under or any(piece.style for piece in row.lead) for row in rows.rows):
            yield from self._rows_with_lines_under(rows, width)
            return
        if not any(row.label for row in rows.rows) or any(
            isinstance(piece, Matrix) for row in rows.rows for piece in row.body
        ):
            styled = any(piece.style for row in rows.rows for piece in row.body)
            for line in self.text.rows(rows) if not styled else self._styled_lines(rows):
                yield line if isinstance(line, Text) else Text(line)
            return
        cells = []
        for row in rows.rows:
            sign = row.sign.spelled(self.text.notation) + " " if row.sign else ""
            lead = self.text.spans(row.lead) + " " if row.lead else ""
            cells.append((Text(lead + sign), self.spans(row.body), Text(self.text.spans(row.label))))
        table = aligned_table(cells, width)
        yield Padding(table, (0, 0, 0, rows.indent)) if rows.indent else table

    def _columns(self, rows: Rows):
        """Rows with no sign column: the equations and their explanations (dim) as two columns that wrap."""
        table = Grid.grid(padding=(0, GUTTER))
        table.add_column("equation", overflow="fold")
        table.add_column("explanation", style=STYLES["explanation"], overflow="fold")
        for row in rows.rows:
            table.add_row(Text(self.text.row_text(row, signs=False)), Text(self.text.spans(row.label)))
        return Padding(table, (0, 0, 0, rows.indent)) if rows.indent else table

    def _rows_with_lines_under(self, rows: Rows, width: int):
        """Each row a grid of its own, all with the same column widths, and the lines under it across the width; the
        lead keeps its styles (a written line's number and mark)."""
        cells = []
        for row in rows.rows:
            head = Text()
            if row.lead:
                head.append_text(self.spans(row.lead))
                head.append(" ")
            if row.sign:
                head.append(row.sign.spelled(self.text.notation) + " ")
            cells.append((head, self.spans(row.body), self.spans(row.label)))
        sign = max(2, max(cell[0].cell_len for cell in cells))
        expression, rule = column_widths(cells, width - rows.indent)
        for (head, body, label), row in zip(cells, rows.rows):
            grid = Grid.grid()
            grid.add_column("sign", no_wrap=True, width=sign)
            grid.add_column("expression", overflow="fold", width=expression)
            grid.add_column("gutter", no_wrap=True, width=GUTTER)
            grid.add_column("rule", style=STYLES["rule"], overflow="fold", width=rule)
            grid.add_row(head, body, Text(""), label)
            yield Padding(grid, (0, 0, 0, rows.indent)) if rows.indent else grid
            for said in map(self.spans, row.under):
                if said.plain:
                    yield Padding(said, (0, 0, 0, rows.indent + sign))

    def _styled_lines(self, rows: Rows):
        indent = " " * rows.indent
        for row in rows.rows:
            matrix = next((piece for piece in row.body if isinstance(piece, Matrix)), None)
            prefix = self.text.row_text(type(row)((), row.sign, row.lead))
            if matrix is not None:
                for index, line in enumerate(self.text.matrix_lines(matrix)):
                    out = Text(indent + (prefix if index == 0 else " " * len(prefix)))
                    out.append(line, style=STYLES[matrix.style] if matrix.style else "")
                    yield out
                continue
            out = Text(indent + prefix)
            out.append_text(self.spans(row.body))
            out.rstrip()
            yield out


def highlighted(expr, marks, ascii: bool = False) -> Text:
    """expr as text with the subterms at marks styled as changed."""
    printed, spans = to_text_spans(expr, marks, ascii)
    expression = Text(printed)
    for start, end in spans:
        expression.stylize(STYLES["changed"], start, end)
    return expression


def column_widths(rows: list[tuple[Text, Text, Text]], width: int) -> tuple[int, int]:
    """Widths of the expression and rule columns: as wide as their text when the lines fit the terminal; otherwise
    the rule names get at most a third and wrap, and the math wraps under itself in the rest."""
    expression = max(row[1].cell_len for row in rows)
    rule = max(row[2].cell_len for row in rows)
    sign = max(row[0].cell_len for row in rows)
    available = max(width - max(sign, 2) - GUTTER, 2)
    if expression + rule <= available:
        return expression, max(rule, 1)
    rule = max(min(rule, available // 3), 1)
    return max(available - rule, 1), rule


def aligned_table(rows: list[tuple[Text, Text, Text]], width: int) -> Grid:
    """(sign, expression, rule) rows as the aligned columns of a derivation."""
    expression_width, rule_width = column_widths(rows, width)
    table = Grid.grid()
    # "=" in a column of its own, so an expression too long for the terminal wraps under itself, not under "=".
    table.add_column("sign", no_wrap=True, width=max(2, max(row[0].cell_len for row in rows)))
    table.add_column("expression", overflow="fold", width=expression_width)
    table.add_column("gutter", no_wrap=True, width=GUTTER)
    table.add_column("rule", style=STYLES["rule"], overflow="fold", width=rule_width)
    for sign, expression, rule in rows:
        table.add_row(sign, expression, Text(""), rule)
    return table


def print_document(document: Document, ascii: bool = False) -> None:
    """Print a document to the terminal (a command's rich format)."""
    Console().print(DocumentView(document, ascii))
