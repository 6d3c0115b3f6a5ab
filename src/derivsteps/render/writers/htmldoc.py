"""The HTML writer: a Document as simple semantic HTML, math as LaTeX in <span class="math"> (pluggable: MathML later)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

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
from .latex import LatexWriter, capitalised


def latex_math(latex: str) -> str:
    """The default math: LaTeX in a span, \\( ... \\) for MathJax or KaTeX's auto-render."""
    return f'<span class="math">\\({escape(latex)}\\)</span>'


def write_html(document: Document, math: Callable[[str], str] = latex_math) -> str:
    """The document as an HTML fragment (a <div class="derivsteps">); math(latex) writes each piece of math."""
    return '<div class="derivsteps">\n' + "".join(HtmlWriter(document, math).blocks(document.blocks)) + "</div>\n"


class HtmlWriter:
    """Writes one document's blocks as HTML elements; the math goes through the LaTeX writer and then `math`."""

    FORMAT = "html"

    def __init__(self, document: Document, math: Callable[[str], str] = latex_math):
        self.document = document
        self.latex = LatexWriter(document, "html")
        self.math = math

    def inline(self, piece: Inline) -> str:
        match piece:
            case Words(text):
                return escape(text)
            case Code(text):
                return f"<code>{escape(text)}</code>"
            case Math() | Vector() | Matrix() | Conditions() | Formula():
                return self.math(self.latex.spans((piece,)))
            case Strong(text):
                return f"<strong>{escape(text)}</strong>"
            case Emphasis(text):
                return f"<em>{escape(text)}</em>"
            case Break():
                return "<br>"
            case Phrase():
                return piece.filled(self.latex.math, escape, self.math)
            case Symbol(text):
                return escape(text)
        raise TypeError(f"not an inline piece: {piece!r}")

    def spans(self, spans: Spans) -> str:
        return "".join(self.inline(piece) for piece in spans)

    def blocks(self, blocks) -> list[str]:
        return [html for block in blocks for html in self.block(block)]

    def block(self, block: Block) -> list[str]:
        match block:
            case Paragraph(spans):
                return [f"<p>{self.spans(spans)}</p>\n"]
            case Heading(spans):
                return [f"<h3>{self.spans(capitalised(spans))}</h3>\n"]
            case Blank() | Comment():
                return []
            case Lines(lines):
                return ["<p>" + "<br>\n".join(self.spans(line) for line in lines) + "</p>\n"]
            case Note(spans):
                return [f'<p class="note">Note: {self.spans(spans)}</p>\n']
            case Verdict(status, spans, mark):
                said = (escape(mark.text) + " " if mark else "") + self.spans(spans)
                return [f'<p class="verdict {status}">{said}</p>\n']
            case Rows(rows):
                return ['<table class="rows">\n', *(self.row(row) for row in rows), "</table>\n"]
            case Table(header, rows, more):
                head = "".join(f"<th>{self.spans(cell)}</th>" for cell in header)
                body = "".join(
                    "<tr>" + "".join(f"<td>{self.spans(c)}</td>" for c in row or [(Words("⋮"),)]) + "</tr>\n"
                    for row in rows
                )
                tail = f'<tr><td colspan="{len(header)}">⋮ {self.spans(more)}</td></tr>\n' if more else ""
                return [f"<table>\n<tr>{head}</tr>\n{body}{tail}</table>\n"]
            case Steps(items, title):
                heading = [f"<p>{self.spans(title)}</p>\n"] if title else []
                entries = "".join(
                    f"<li><strong>{self.spans(label)}</strong>" + (f": {self.spans(said)}" if said else "") + "</li>\n"
                    for label, said in items
                )
                return [*heading, f"<ol>\n{entries}</ol>\n"]
            case Display(blocks):
                return self.blocks(blocks)
            case Nested(document):
                return [f"<section>\n{''.join(HtmlWriter(document, self.math).blocks(document.blocks))}</section>\n"]
            case Only():
                return self.blocks(block.blocks) if shows(self.FORMAT, block) else []
        raise TypeError(f"not a block: {block!r}")

    def row(self, row: Row) -> str:
        sign = escape(row.sign.text) if row.sign else ""
        cells = [self.spans(row.lead), sign, self.spans(row.body), self.spans(row.label)]
        return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>\n"
