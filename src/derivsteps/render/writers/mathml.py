"""The MathML math of the HTML writer: each piece of math in a Document as a <math> element (language/mathml.py).

The HTML writer (htmldoc.py) writes the words and the structure; this writes the math, one <math> per piece, each
named by its text reading (aria-label, the text writer's words for it), so a screen reader says what text shows.
"""

from __future__ import annotations

import re
from html import escape

from ...core.tree import Expr
from ...language.mathml import (
    bracketed,
    condition_mathml,
    math_element,
    mathml,
    mrow,
    operator,
    text,
)
from ..document import Conditions, Document, Formula, Math, Matrix, Phrase, Symbol, Vector, Words
from .text import TextWriter

# Words inside a formula are signs and numbers (" = ", "(", ", ", " = 0", "⇔"), or words proper ("where").
_TOKENS = re.compile(r"(\d+(?:\.\d+)?)|(\S)")
_LETTER = re.compile(r"[^\W\d_]")
# What a formula can hold: the pieces of a displayed row written as one <math>.
_FORMULA_PIECES = (Math, Words, Symbol, Vector, Matrix, Conditions, Formula)


class MathMLMath:
    """Writes the math of one document as MathML. A document's own notation (bar notation for means, dy/dx) has no
    MathML form yet: an expression it writes differently from the plain printers is shown as its text (<mtext>)."""

    def __init__(self, document: Document):
        self.document = document
        self.text = TextWriter(document)

    def expr(self, expr: Expr, marks=(), display: bool = False, style: str | None = None) -> str:
        """One expression as a <math> element."""
        return math_element(self.content(expr, marks), self.text.math(expr), display, style)

    def content(self, expr: Expr, marks=()) -> str:
        """One expression as a MathML element, in the document's notation."""
        notation = self.document.notation
        if notation is not None:
            # A notation that writes MathML itself (a `mathml` field beside text and latex) is used as it is.
            own = getattr(notation, "mathml", None)
            if own is not None:
                return str(own(expr))
            said = notation.text(expr, False)
            if said != TextWriter(Document(())).math(expr):
                return text(said)
        return mathml(expr, marks)

    def piece(self, piece, display: bool = False) -> str:
        """A Math, Vector, Matrix, Conditions or Formula as HTML: one <math> (Conditions: one per condition)."""
        label = self.text.spans((piece,)).strip()
        match piece:
            case Math(expr, marks, style):
                return self.expr(expr, marks, display, style)
            case Conditions(conditions, aside):
                listed = ", ".join(
                    math_element(condition_mathml(condition), condition.text()) for condition in conditions
                )
                return f" ({listed})" if aside else listed
            case Matrix(rows):
                said = "; ".join(", ".join(self.text.math(value) for value in row) for row in rows)
                return math_element(self.inner(piece), f"matrix ({said})", True)
        return math_element(self.inner(piece), label, display)

    def inner(self, piece) -> str:
        """A piece of a formula as one MathML element."""
        match piece:
            case Math(expr, marks):
                return self.content(expr, marks)
            case Vector(values, _, brackets):
                listed = mrow(*(operator(",") * (i > 0) + self.content(v) for i, v in enumerate(values)))
                return bracketed(listed) if brackets else listed
            case Matrix(rows):
                table = "".join(
                    "<mtr>" + "".join(f"<mtd>{self.content(value)}</mtd>" for value in row) + "</mtr>" for row in rows
                )
                return bracketed(f"<mtable>{table}</mtable>")
            case Symbol(said) if _LETTER.search(said) and not _LETTER.fullmatch(said.strip()):
                return _words(f" {said.strip()} ")  # a word among math ("where") is spaced, as \text{where } is
            case Words(said) | Symbol(said):
                return _words(said)
            case Formula(pieces):
                return mrow(*(inner for inner in map(self.inner, pieces) if inner))
            case Conditions(conditions, aside):
                listed = mrow(*(operator(",") * (i > 0) + condition_mathml(c) for i, c in enumerate(conditions)))
                return f'<mspace width="1em"></mspace>{bracketed(listed)}' if aside else listed
        raise TypeError(f"not a piece of math: {piece!r}")

    def formula(self, spans, display: bool = False) -> str | None:
        """Spans that are all math, signs and words as one <math> (a row's body: 0 ⇔ 11b + 1 = 0), else None."""
        if not spans or not all(isinstance(piece, _FORMULA_PIECES) for piece in spans):
            return None
        if len(spans) == 1 and isinstance(spans[0], (Math, Matrix)):
            return self.piece(spans[0], display)
        content = mrow(*(inner for inner in map(self.inner, spans) if inner))
        said = "".join(
            f" {self.text.spans((piece,))} " if isinstance(piece, Symbol) else self.text.spans((piece,))
            for piece in spans
        )
        return math_element(content, " ".join(said.split()), display)

    def phrase(self, phrase: Phrase) -> str:
        """A sentence with math fields: its words escaped, each field a <math>."""
        return phrase.filled(self.expr, escape)


def _words(said: str) -> str:
    """Words inside math: words proper as <mtext> (spaced as written), else each sign an <mo>, each number an <mn>."""
    if _LETTER.fullmatch(said.strip()):  # a name between math: f in f(a, b), η in η = 0.01
        return f"<mi>{escape(said.strip())}</mi>"
    if _LETTER.search(said):
        pad = "&#xA0;"
        return f"<mtext>{pad * said[:1].isspace()}{escape(said.strip())}{pad * said[-1:].isspace()}</mtext>"
    signs = [f"<mn>{number}</mn>" if number else operator(sign) for number, sign in _TOKENS.findall(said)]
    return mrow(*signs) if signs else ""
