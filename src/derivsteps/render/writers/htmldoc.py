"""The HTML writer: a Document as semantic HTML the page styles by class, its math written by a pluggable math writer:
MathML (writers/mathml.py; browsers typeset it natively, no script needed) or LaTeX in <span class="math"> for
MathJax or KaTeX (the notebook's default).

The classes the page can rely on: div.derivsteps (the fragment), table.rows > tr.row > td.lead, td.sign, td.body,
td.rule (a derivation's lines; the rewritten subterm is <mrow class="changed"> in MathML), span.rule-label with a
span.law (role="tooltip", the rule's explanation, linked by aria-describedby) when the document explains the rule,
div.under (feedback under a line), p.verdict.<status> (verified, disagrees, undecided) > span.mark + span.said,
p.note > span.note-label, p.steps-title + ol.steps > li > strong.rule-label + span.explanation (the rules used),
div.display, section.nested, p.lines, h3, table.table (thead th, tbody td with class left/right/center, tr.gap for
rows left out, tfoot tr.more), and span.<style> or math.<style> where a layout styles a piece (aside, result, ...).
Each <math> has an aria-label, its text reading; a displayed formula (a row's body) has display="block".
"""

from __future__ import annotations

import hashlib
from collections import deque
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
from .text import TextWriter

# Stands in for the fragment's id prefix until the fragment is written: ids are named after its content, so two
# fragments on one page do not clash and the same document always gives the same HTML.
_ID_STAND_IN = "\x00"


def latex_math(latex: str) -> str:
    """The default math: LaTeX in a span, \\( ... \\) for MathJax or KaTeX's auto-render."""
    return f'<span class="math">\\({escape(latex)}\\)</span>'


def write_html(document: Document, math: Callable[[str], str] | str = latex_math) -> str:
    """The document as an HTML fragment (a <div class="derivsteps">); math: "mathml", "latex", or a function that
    writes each piece of math from its LaTeX."""
    writer = HtmlWriter(document, math)
    body = '<div class="derivsteps">\n' + "".join(writer.blocks(document.blocks)) + "</div>\n"
    prefix = "ds-" + hashlib.blake2s(body.encode(), digest_size=4).hexdigest()
    return body.replace(_ID_STAND_IN, prefix)


class LatexMath:
    """The math as LaTeX, each piece wrapped by `wrap` (a span for MathJax or KaTeX by default)."""

    def __init__(self, document: Document, wrap: Callable[[str], str] = latex_math):
        self.latex = LatexWriter(document, "html")
        self.wrap = wrap

    def piece(self, piece: Inline, display: bool = False) -> str:
        """A Math, Vector, Matrix, Conditions or Formula, wrapped."""
        return self.wrap(self.latex.spans((piece,)))

    def formula(self, spans: Spans, display: bool = False) -> str | None:
        """Spans as one formula: None, each piece is wrapped on its own."""
        return None

    def phrase(self, phrase: Phrase) -> str:
        """A sentence with math fields: its words escaped, each field's LaTeX wrapped."""
        return phrase.filled(self.latex.math, escape, self.wrap)


def math_writer(document: Document, math: Callable[[str], str] | str):
    """The math writer of a name ("mathml", "latex") or of a function wrapping LaTeX."""
    if math == "mathml":
        from .mathml import MathMLMath

        return MathMLMath(document)
    if math == "latex":
        return LatexMath(document)
    if callable(math):
        return LatexMath(document, math)
    raise ValueError(f'no math writer {math!r}: the math is written as "mathml" or "latex"')


class HtmlWriter:
    """Writes one document's blocks as HTML elements; each piece of math goes through the math writer."""

    FORMAT = "html"

    def __init__(self, document: Document, math: Callable[[str], str] | str = latex_math, ids: list[int] | None = None):
        self.document = document
        self.math_name = math
        self.math = math_writer(document, math)
        self.text = TextWriter(document)
        self.ids = [0] if ids is None else ids  # one counter for the fragment, nested documents included
        # What the document says about each rule (its explanation in the list of rules used), by the label, in the
        # order of the lines: a line's rule label shows it on hover and focus.
        self.laws: deque[tuple[Spans, Spans]] = deque(item for item in _explained(document.blocks) if item[1])

    def new_id(self) -> str:
        self.ids[0] += 1
        return f"{_ID_STAND_IN}-{self.ids[0]}"

    def inline(self, piece: Inline, display: bool = False) -> str:
        match piece:
            case Words(text, style):
                return _styled(escape(text), style)
            case Code(text):
                return f"<code>{escape(text)}</code>"
            case Math() | Vector() | Matrix() | Conditions() | Formula():
                return self.math.piece(piece, display)
            case Strong(text):
                return f"<strong>{escape(text)}</strong>"
            case Emphasis(text):
                return f"<em>{escape(text)}</em>"
            case Break():
                return "<br/>"
            case Phrase():
                return _styled(self.math.phrase(piece), piece.style)
            case Symbol(text, _, _, style):
                return _styled(escape(text), style)
        raise TypeError(f"not an inline piece: {piece!r}")

    def plain(self, spans: Spans) -> str:
        """Spans as escaped words, their math in the text notation: explanations are sentences, not typeset math."""
        return escape(self.text.spans(spans))

    def spans(self, spans: Spans, display: bool = False) -> str:
        return "".join(self.inline(piece, display) for piece in spans)

    def blocks(self, blocks) -> list[str]:
        return [html for block in blocks for html in self.block(block)]

    def block(self, block: Block) -> list[str]:
        match block:
            case Paragraph(spans, style):
                return [f"<p{_class(style)}>{self.spans(spans)}</p>\n"]
            case Heading(spans):
                return [f"<h3>{self.spans(capitalised(spans))}</h3>\n"]
            case Blank() | Comment():
                return []
            case Lines(lines):
                return ['<p class="lines">' + "<br/>\n".join(self.spans(line) for line in lines) + "</p>\n"]
            case Note(spans):
                return [f'<p class="note"><span class="note-label">Note:</span> {self.spans(spans)}</p>\n']
            case Verdict(status, spans, mark):
                sign = f'<span class="mark" aria-hidden="true">{escape(mark.text)}</span> ' if mark else ""
                return [
                    f'<p class="verdict {escape(status)}">{sign}<span class="said">{self.spans(spans)}</span></p>\n'
                ]
            case Rows(rows):
                return ['<table class="rows">\n', *(self.row(row) for row in rows), "</table>\n"]
            case Table():
                return [self.table(block)]
            case Steps(items, title):
                heading = [f'<p class="steps-title">{self.spans(title)}</p>\n'] if title else []
                # In words, as Markdown lists them: a law in a sentence reads as one piece (∂sin(x)/∂x = cos(x)).
                entries = "".join(
                    f'<li><strong class="rule-label">{self.plain(label)}</strong>'
                    + (f': <span class="explanation">{self.plain(said)}</span>' if said else "")
                    + "</li>\n"
                    for label, said in items
                )
                return [*heading, f'<ol class="steps">\n{entries}</ol>\n']
            case Display(blocks):
                return ['<div class="display">\n', *self.blocks(blocks), "</div>\n"]
            case Nested(document):
                inner = HtmlWriter(document, self.math_name, self.ids)
                return ['<section class="nested">\n', *inner.blocks(document.blocks), "</section>\n"]
            case Only():
                return self.blocks(block.blocks) if shows(self.FORMAT, block) else []
        raise TypeError(f"not a block: {block!r}")

    def row(self, row: Row) -> str:
        """<tr class="row">: the lead, the sign, the body (displayed math, the lines under it) and the rule."""
        sign = escape(row.sign.text) if row.sign else ""
        under = "".join(f'<div class="under">{self.spans(said)}</div>' for said in row.under if said)
        cells = [
            ("lead", self.spans(row.lead)),
            ("sign", sign),
            ("body", (self.math.formula(row.body, display=True) or self.spans(row.body)) + under),
            ("rule", self.label(row.label, row.laws)),
        ]
        return '<tr class="row">' + "".join(f'<td class="{name}">{cell}</td>' for name, cell in cells) + "</tr>\n"

    def label(self, label: Spans, laws: tuple[str, ...] = ()) -> str:
        """A line's rule label; with a tooltip the label describes, when there is something to say: the laws of the
        line's rules, then the rule's explanation when the document has one."""
        if not label:
            return ""
        # The first unused explanation of this label (spans may hold a Phrase's mapping: compared, never hashed).
        said = next((said for named, said in self.laws if named == label), None)
        if said is not None:
            self.laws.remove((label, said))
        if said is None and not laws:
            return f'<span class="rule-label">{self.spans(label)}</span>'
        shown = "".join(f'<span class="law-formula">{escape(law)}</span> ' for law in laws)
        if said is not None:
            shown += self.plain(said)
        law = self.new_id()
        return (
            f'<span class="rule-label" tabindex="0" aria-describedby="{law}">{self.spans(label)}</span>'
            f'<span class="law" role="tooltip" id="{law}">{shown.strip()}</span>'
        )

    def table(self, table: Table) -> str:
        """A table: a header row, the rows (a None row as ⋮), and what was left out."""
        align = table.alignment()
        width = len(table.header)

        def cells(row: tuple[Spans, ...], tag: str) -> str:
            return "".join(
                f"<{tag}{_class(_ALIGN.get(align[i : i + 1], ''), 'col' if tag == 'th' else '')}>{self.spans(cell)}</{tag}>"
                for i, cell in enumerate(row)
            )

        gap = f'<tr class="gap"><td colspan="{width}">⋮</td></tr>\n'
        head = f"<thead><tr>{cells(table.header, 'th')}</tr></thead>\n"
        body = "".join(gap if row is None else f"<tr>{cells(row, 'td')}</tr>\n" for row in table.rows)
        more = f'<tfoot><tr class="more"><td colspan="{width}">⋮ {self.spans(table.more)}</td></tr></tfoot>\n'
        return f'<table class="table">\n{head}<tbody>\n{body}</tbody>\n{more if table.more else ""}</table>\n'


_ALIGN = {"l": "left", "r": "right", "c": "center", "-": ""}


def _class(name: str | None, scope: str = "") -> str:
    """class="name" (and scope="col" for a header cell), or nothing."""
    return (f' class="{escape(name)}"' if name else "") + (f' scope="{scope}"' if scope else "")


def _styled(html: str, style: str | None) -> str:
    """Inline HTML in a span of the layout's style (aside, result, feedback, ...) the page can style."""
    return f'<span class="{escape(style)}">{html}</span>' if style else html


def _explained(blocks) -> list[tuple[Spans, Spans]]:
    """The (label, explanation) items of the Steps the HTML writer shows, in order (not inside nested documents)."""
    found: list[tuple[Spans, Spans]] = []
    for block in blocks:
        match block:
            case Steps(items):
                found += items
            case Display(inner):
                found += _explained(inner)
            case Only():
                if shows(HtmlWriter.FORMAT, block):
                    found += _explained(block.blocks)
    return found
