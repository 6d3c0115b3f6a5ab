"""The LaTeX writer: a Document as one align* environment, words in \\text{}, marked subterms underlined."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...core.domain import Condition
from ...language.mathlatex import GREEK_MACROS, to_latex
from ...language.mathtext import GREEK_SYMBOLS, to_text
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

# \underline renders in LaTeX, KaTeX and MathJax alike and stays quiet next to the math; colour would need xcolor.
MARK_MACRO = r"\underline"

# Characters \text{} cannot hold as they are: LaTeX's specials, and <, > and | that OT1 text fonts print as other glyphs.
_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "%": r"\%", "_": r"\_",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}  # fmt: skip
_GREEK_LETTERS = {symbol: GREEK_MACROS[name] for name, symbol in GREEK_SYMBOLS.items()}
# Unicode math that labels and verdict reasons may hold; strict KaTeX and pdflatex reject it inside \text{}.
_MATH_SYMBOLS = {
    "∂": r"\partial", "·": r"\cdot", "×": r"\times", "−": "-", "′": "'", "π": r"\pi", "≠": r"\neq", "≤": r"\leq",
    "≥": r"\geq", "≈": r"\approx", "→": r"\to", "√": r"\surd", "<": "<", ">": ">", "|": "|", **_GREEK_LETTERS,
}  # fmt: skip
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹ⁿ⁻ᵐᵛˣ", "0123456789n-mvx"))
# Text with no letters between two pieces of math reads as math: ∂y/∂y = 1, not ∂y "/" ∂y " = 1".
_MATHLIKE = re.compile(r"[\s=+\-/()\[\],.0-9]*")
# A lone letter between math is a variable (|x|), and a power in words (e^x in "derivative of e^x") is math.
_LETTER = re.compile(r"[A-Za-z]")
_POWER_WORD = re.compile(r"(?<![A-Za-z])([A-Za-z]\^[A-Za-z0-9])(?![A-Za-z0-9])")

Pieces = list[tuple[str, str]]

# The relations of a domain condition in LaTeX.
_LATEX_RELATIONS = {"<": "<", "≤": r"\leq", ">": ">", "≥": r"\geq", "≠": r"\neq", "=": "=", "or": r"\text{ or }"}


def condition_latex(condition: Condition) -> str:
    """One condition as LaTeX math: x > 0, -1 \\leq x \\leq 1, \\cos\\left(x\\right) \\neq 0."""
    return " ".join(_LATEX_RELATIONS[part] if isinstance(part, str) else to_latex(part) for part in condition.relation)


def write_latex(document: Document) -> str:
    """The document as an align* environment; its comments ("read as", notes) are TeX comments at the top inside it."""
    writer = LatexWriter(document)
    rows = writer.rows()
    comments = "".join(f"% {tex_comment(c)}\n" for c in writer.comments)
    return "\\begin{align*}\n" + comments + " \\\\\n".join(rows) + "\n\\end{align*}\n"


def tex_comment(text: str) -> str:
    """Text for a TeX comment: a newline would end the comment and let the rest be read as LaTeX."""
    return " ".join(text.split())


def text_latex(text: str) -> str:
    """Plain words (which may hold Unicode math such as ∂) as LaTeX math: \\text{...} runs and math in between."""
    return join_pieces(text_pieces(text))


def text_pieces(text: str) -> Pieces:
    """Split words into ("text", escaped) and ("math", latex) pieces: Unicode math symbols and e^x become math."""
    pieces: Pieces = []
    for index, part in enumerate(_POWER_WORD.split(text)):
        # The split alternates: other words at even positions, a power written in words (e^x) at odd ones.
        if index % 2:
            pieces.append(("math", "{}^{{{}}}".format(*part.split("^"))))
        else:
            pieces += _char_pieces(part)
    return pieces


def _char_pieces(text: str) -> Pieces:
    pieces: Pieces = []
    for char in text:
        if char in _MATH_SYMBOLS:
            pieces.append(("math", _MATH_SYMBOLS[char]))
        elif char in _SUPERSCRIPTS:
            pieces.append(("math", f"^{{{_SUPERSCRIPTS[char]}}}"))
        elif pieces and pieces[-1][0] == "text":
            pieces[-1] = ("text", pieces[-1][1] + _TEXT_ESCAPES.get(char, char))
        else:
            pieces.append(("text", _TEXT_ESCAPES.get(char, char)))
    return pieces


def join_pieces(pieces: Pieces) -> str:
    """Pieces as one LaTeX string: text in \\text{}, letterless text next to math folded into the math."""
    kinds = [kind for kind, _ in pieces]
    merged: Pieces = []
    for index, (kind, value) in enumerate(pieces):
        beside_math = "math" in kinds[max(index - 1, 0) : index] + kinds[index + 1 : index + 2]
        between_math = kinds[index - 1 : index] == kinds[index + 1 : index + 2] == ["math"]
        if kind == "text" and (beside_math and _MATHLIKE.fullmatch(value) or between_math and _LETTER.fullmatch(value)):
            kind, value = "math", value.strip()
        if not value:
            continue
        if merged and merged[-1][0] == kind:
            # A space keeps \partial and y from running together into \partialy; math mode ignores it otherwise.
            value = merged.pop()[1] + (" " if kind == "math" else "") + value
        merged.append((kind, value))
    return "".join(rf"\text{{{value}}}" if kind == "text" else value for kind, value in merged)


class LatexWriter:
    """Writes one document's blocks as rows of an alignment, and collects its comments; Markdown reuses the rows."""

    FORMAT = "latex"

    def __init__(self, document: Document, format: str = "latex"):
        self.document = document
        self.format = format  # the format whose Only blocks count: Markdown writes its display math with this writer
        self.comments: list[str] = []

    # -- inline -----------------------------------------------------------------------------------------------------
    def math(self, expr, marks=()) -> str:
        """An expression in this document's notation, the subterms at marks underlined."""
        notation = self.document.notation
        if notation is not None:
            return notation.latex(expr)
        return to_latex(expr, marks=marks, mark_macro=MARK_MACRO) if marks else to_latex(expr)

    def comment_text(self, expr) -> str:
        notation = self.document.notation
        return notation.text(expr, False) if notation else to_text(expr)

    def pieces(self, piece: Inline) -> Pieces:
        match piece:
            case Words(text) | Code(text) | Strong(text) | Emphasis(text):
                return text_pieces(text)
            case Break():
                return [("text", " ")]
            case Phrase():
                return [("math", piece.filled(self.math, text_latex))]
            case Math(expr, marks):
                return [("math", self.math(expr, marks))]
            case Symbol(text, _, latex):
                return _char_pieces(text) if latex is None else [("math", latex)]
            case Vector(values, _, brackets):
                listed = ", ".join(self.math(v) for v in values)
                return [("math", rf"\left({listed}\right)" if brackets else listed)]
            case Conditions(conditions, aside):
                listed = ", ".join(condition_latex(condition) for condition in conditions)
                return [("math", rf"\quad ({listed})" if aside else listed)]
            case Matrix(rows):
                body = r" \\ ".join(" & ".join(self.math(v) for v in row) for row in rows)
                return [("math", r"\begin{pmatrix} " + body + r" \end{pmatrix}")]
            case Formula(pieces):
                # Side by side, no space between: f\left(a, b\right); its words are math source (" = ", "(").
                return [("math", "".join(p.text if isinstance(p, Words) else self.spans((p,)) for p in pieces))]
        raise TypeError(f"not an inline piece: {piece!r}")

    def spans(self, spans: Spans) -> str:
        """Words and math as one LaTeX string (math mode, words in \\text{})."""
        return join_pieces([p for piece in spans for p in self.pieces(piece)])

    def plain(self, spans: Spans) -> str:
        """Spans as the text of a comment (math in the text notation)."""
        out = []
        for piece in spans:
            match piece:
                case Math(expr):
                    out.append(self.comment_text(expr))
                case Conditions(conditions):
                    out.append(", ".join(condition.text() for condition in conditions))
                case Symbol():
                    out.append(piece.text)
                case Formula(pieces):
                    out.append(self.plain(pieces))
                case _:
                    out.append(getattr(piece, "text", ""))
        return "".join(out)

    # -- blocks -----------------------------------------------------------------------------------------------------
    def rows(self, blocks=None) -> list[str]:
        out: list[str] = []
        for block in self.document.blocks if blocks is None else blocks:
            out += self.block(block)
        return out

    def block(self, block: Block) -> list[str]:
        match block:
            case Paragraph(spans):
                return [f"&{self.spans(spans)}"]
            case Heading(spans):
                return [f"&{self.spans(capitalised(spans))}"]
            case Blank():
                return []
            case Note(spans):
                self.comments.append(f"note: {self.plain(spans)}")
                return []
            case Comment(spans):
                self.comments.append(self.plain(spans))
                return []
            case Lines(lines):
                return [f"&{self.spans(line)}" for line in lines]
            case Verdict(_, spans, mark):
                if mark is not None and mark.latex is None:  # a sign with no LaTeX symbol stays in the words: "? ..."
                    return [f"& {self.spans((Words(mark.text + ' '), *spans))}"]
                return [f"& {mark.latex if mark else ''}{self.spans(spans)}"]
            case Rows(rows):
                return [self.row(row, block.signs) for row in rows]
            case Table():
                return [self.table(block)]
            case Steps(items, title):
                head = [f"&{self.spans(title)}"] if title else []
                return head + [
                    f"&{self.spans((Words(f'{n}. '), *label, *((Words(': '), *said) if said else ())))}"
                    for n, (label, said) in enumerate(items, 1)
                ]
            case Display(blocks):
                return self.rows(blocks)
            case Nested(document):
                inner = LatexWriter(document, self.format)
                rows = inner.rows()
                self.comments += inner.comments
                return rows
            case Only():
                return self.rows(block.blocks) if shows(self.format, block) else []
        raise TypeError(f"not a block: {block!r}")

    def row(self, row: Row, signs: bool = True) -> str:
        """lead &sign body && label: `& x^{2}`, `&= 2 x && \\text{exponent rule}`, `\\nabla f &= ...`."""
        sign = "" if row.sign is None else row.sign.spelled("latex")
        gap = " " if sign or signs else ""  # no sign column: `&body`, as a sentence row is written
        text = (f"{self.spans(row.lead)} " if row.lead else "") + f"&{sign}{gap}{self.spans(row.body)}"
        label = self.spans(row.label) if row.label else ""
        return text + (f" && {label}" if label else "")

    def table(self, table: Table) -> str:
        """An array, the first and last columns ruled off: r|rr|r."""
        gap = r"\vdots" + " &" * (len(table.header) - 1)
        lines = [" & ".join(self.spans(cell) for cell in table.header)]
        lines += [gap if row is None else " & ".join(self.spans(cell) for cell in row) for row in table.rows]
        if table.more:
            lines.append(gap)
        align = table.alignment().replace("-", "l")
        spec = align[0] + "|" + align[1:-1] + "|" + align[-1]
        return rf"&\begin{{array}}{{{spec}}} " + lines[0] + r" \\ \hline " + r" \\ ".join(lines[1:]) + r" \end{array}"


def capitalised(spans: Spans) -> Spans:
    """The spans with their first letter a capital: a heading reads as a sentence in LaTeX and Markdown."""
    if spans and isinstance(spans[0], Words) and spans[0].text:
        first = spans[0]
        return (Words(first.text[:1].upper() + first.text[1:], first.style), *spans[1:])
    if spans and isinstance(spans[0], Phrase):
        return (spans[0].capitalised(), *spans[1:])
    return spans


def rows_of(document: Document, format: str = "latex") -> Iterator[str]:
    """The rows of a document's alignment, without its comments."""
    yield from LatexWriter(document, format).rows()
