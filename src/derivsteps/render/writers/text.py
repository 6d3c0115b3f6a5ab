"""The plain-text writer: a Document as lines, aligned columns for rows, Unicode math (or ASCII with ascii=True)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from ...language.mathtext import to_text
from ..document import (
    Blank,
    Block,
    Break,
    Code,
    Comment,
    Conditions,
    Display,
    Document,
    Emphasis,
    Formula,
    Heading,
    Inline,
    Lines,
    Math,
    Matrix,
    Nested,
    Note,
    Only,
    Paragraph,
    Phrase,
    Row,
    Rows,
    Spans,
    Steps,
    Strong,
    Symbol,
    Table,
    Vector,
    Verdict,
    Words,
    shows,
)

# Space between the expression column and the label column.
GUTTER = 4


def write_text(document: Document, ascii: bool = False) -> str:
    """The document as text, one line per line, ending with a newline."""
    return "\n".join(TextWriter(document, ascii).lines()) + "\n"


def width(text: str) -> int:
    """Columns on screen: a combining mark (the macron of ā) takes none."""
    return sum(1 for char in text if not unicodedata.combining(char))


class TextWriter:
    """Writes one document's blocks as lines; the rich writer reuses its inline text and its row layout."""

    FORMAT = "text"

    def __init__(self, document: Document, ascii: bool = False):
        self.document = document
        self.ascii = ascii
        self.notation = "ascii" if ascii else "text"

    # -- inline -----------------------------------------------------------------------------------------------------
    def math(self, expr) -> str:
        """An expression in this document's notation."""
        notation = self.document.notation
        return notation.text(expr, self.ascii) if notation else to_text(expr, self.ascii)

    def matrix_lines(self, matrix: Matrix) -> list[str]:
        """The rows of a matrix as aligned lines in brackets: [ 6  -1 ] / [ -1  2 ]."""
        cells = [[self.math(v) for v in row] for row in matrix.rows]
        widths = [max(len(row[j]) for row in cells) for j in range(len(cells[0]))] if cells else []
        return ["[ " + "  ".join(cell.rjust(w) for cell, w in zip(row, widths)) + " ]" for row in cells]

    def inline(self, piece: Inline) -> str:
        match piece:
            case Words(text):
                return text
            case Math(expr):
                return self.math(expr)
            case Symbol():
                return piece.spelled(self.notation)
            case Vector(values, _, brackets):
                listed = ", ".join(self.math(v) for v in values)
                return f"({listed})" if brackets else listed
            case Matrix():
                return "\n".join(self.matrix_lines(piece))
            case Formula(pieces):
                return self.spans(pieces)
            case Break():
                return "\n"
            case Code(text) | Strong(text) | Emphasis(text):
                return text
            case Conditions(conditions, aside):
                listed = ", ".join(condition.text(self.ascii) for condition in conditions)
                return f"  ({listed})" if aside else listed
            case Phrase():
                return piece.filled(self.math, self.words)
        raise TypeError(f"not an inline piece: {piece!r}")

    def words(self, text: str) -> str:
        """A phrase's words: ASCII spells ≠ as != (the other signs of the templates are ASCII already)."""
        return text.replace("≠", "!=") if self.ascii else text

    def spans(self, spans: Spans) -> str:
        return "".join(self.inline(piece) for piece in spans)

    # -- blocks -----------------------------------------------------------------------------------------------------
    def lines(self) -> list[str]:
        out: list[str] = []
        for block in self.document.blocks:
            out += self.block(block)
        return out

    def blocks(self, blocks) -> Iterator[str]:
        for block in blocks:
            yield from self.block(block)

    def block(self, block: Block) -> list[str]:
        match block:
            case Paragraph(spans) | Heading(spans):
                return [self.spans(spans).rstrip()]
            case Blank():
                return [""]
            case Note(spans):
                return [f"note: {self.spans(spans)}"]
            case Comment():
                return []
            case Lines(lines):
                return [self.spans(line).rstrip() for line in lines]
            case Verdict(_, spans, mark):
                return [(f"{mark.spelled(self.notation)} " if mark else "") + self.spans(spans)]
            case Rows():
                return self.rows(block)
            case Table():
                return self.table(block)
            case Steps(items, title):
                head = [self.spans(title)] if title else []
                return head + [
                    f"{n}. {self.spans(label)}" + (f": {self.spans(said)}" if said else "")
                    for n, (label, said) in enumerate(items, 1)
                ]
            case Display(blocks):
                return list(self.blocks(blocks))
            case Nested(document, indent):
                inner = TextWriter(document, self.ascii).lines()
                return [(" " * indent + line).rstrip() for line in inner] if indent else inner
            case Only():
                return list(self.blocks(block.blocks)) if shows(self.FORMAT, block, self.ascii) else []
        raise TypeError(f"not a block: {block!r}")

    def row_text(self, row: Row, signs: bool = True) -> str:
        """lead sign body ("∂f/∂a = 6a - b + 1"), or sign body in a two-wide sign column ("= 2x", "  x^2");
        signs=False: lead, sign and body as they are, with no sign column."""
        sign = row.sign.spelled(self.notation) if row.sign else ""
        body = self.spans(row.body)
        if not signs:
            return " ".join(part for part in (self.spans(row.lead), sign, body) if part)
        if row.lead:
            return f"{self.spans(row.lead)} {sign} {body}" if sign else f"{self.spans(row.lead)} {body}"
        return f"{sign or ' '} {body}"

    def rows(self, rows: Rows) -> list[str]:
        printed = []
        for row in rows.rows:
            matrix = next((piece for piece in row.body if isinstance(piece, Matrix)), None)
            if matrix is not None:  # a matrix: its rows under each other, after the lead
                prefix = self.row_text(Row((), row.sign, row.lead))
                for index, line in enumerate(self.matrix_lines(matrix)):
                    printed.append(((prefix if index == 0 else " " * len(prefix)) + line, ""))
            else:
                printed.append((self.row_text(row, rows.signs), self.spans(row.label)))
        indent = " " * rows.indent
        if not any(label for _, label in printed):
            lines = [indent + text for text, _ in printed]
        else:
            column = min(max(width(text) for text, _ in printed), rows.column)
            lines = [
                f"{indent}{text}{' ' * (column - width(text))}{' ' * GUTTER}{label}".rstrip()
                if label
                else indent + text
                for text, label in printed
            ]
        if not any(row.under for row in rows.rows):
            return lines
        out = []  # each row's lines under it, from where its body starts (rows with a matrix have none)
        for line, row in zip(lines, rows.rows):
            start = indent + " " * width(self.row_text(Row((), row.sign, row.lead)))
            out += [line, *(start + said for said in map(self.spans, row.under) if said)]
        return out

    def table(self, table: Table) -> list[str]:
        header = [self.spans(cell) for cell in table.header]
        body = [None if row is None else [self.spans(cell) for cell in row] for row in table.rows]
        widths = [max(len(cell) for cell in column) for column in zip(header, *(row for row in body if row))]
        indent, pad = " " * table.indent, {"l": str.ljust, "c": str.center}
        out = [
            indent
            + (
                ("..." if self.ascii else "⋮").rjust(widths[0])
                if line is None
                else "  ".join(pad.get(a, str.rjust)(cell, w) for cell, w, a in zip(line, widths, table.alignment()))
            ).rstrip()
            for line in [header, *body]
        ]
        if table.more:
            out.append(f"  {'...' if self.ascii else '⋮'}  {self.spans(table.more)}")
        return out
