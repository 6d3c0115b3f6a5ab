"""The document model: what a result says, format-neutral, as blocks of words and math that one writer per format renders.

A feature returns a result; one **layout** function per result kind (``render/layouts.py`` registers them by type)
turns it into a `Document`; one **writer** per format (``render/writers/``: text, rich, LaTeX, Markdown, HTML) renders
any Document. Writers never re-derive, simplify or parse: everything they print is in the blocks.

Inline pieces (a line is a tuple of them, `Spans`):

- `Words(text, style)`: words, escaped by each writer for its format (LaTeX puts them in ``\\text{}``, and writes the
  Unicode math signs they may hold, such as ∂ or ≠, as math).
- `Math(expr, marks, style)`: an expression, printed by the writer's notation (text, LaTeX, later MathML); `marks` are
  the paths of the subterms a line rewrote (underlined in LaTeX, highlighted in the terminal).
- `Symbol(text, ascii, latex, style)`: a sign or a piece of notation that is not an Expr, spelled by the layout for
  each notation: ``Symbol("✓", "OK", r"\\checkmark")``, ``Symbol("∂²f/∂a²", "d^2f/da^2", r"\\frac{...}{...}")``.
- `Matrix(rows)` and `Vector(values)`: a matrix (bracketed rows in text, pmatrix in LaTeX) and a tuple of expressions.
- `Code(text)`: text as typed, such as the input (inline code in Markdown and HTML).
- `Conditions(conditions, aside)`: where a result holds (x > 0, x ≠ 1), each condition in the writer's notation.
- `Strong(text)`, `Emphasis(text)`: words set off (**bold**, *italic* in Markdown). `Break()`: a line break in a cell.
- `Phrase(template, bindings)`: a sentence template with math fields ("put {u} into (1)"), filled by each writer in
  its notation (STYLE.md §6: explanations are a template plus bindings).
- `Formula(pieces)`: words and math read as one formula (f(a, b) = 3a^2): one $...$ in Markdown, its words math in LaTeX.

`style` names a look of the terminal writer (`STYLES` below: "result", "note", "aside", ...); other writers ignore it.

Blocks (a `Document` is a tuple of them):

- `Paragraph(spans, style)`: a sentence or a line. `Heading(spans)`: the title of a part. `Blank()`: a blank line in
  the line-based formats (text, rich), nothing elsewhere.
- `Note(spans)`: a caveat ("note: ..."; a TeX comment in LaTeX; "*Note:*" in Markdown). `Comment(spans)`: what only a
  reader of the source needs ("read as: ..."; a TeX comment in LaTeX).
- `Rows(rows, column, indent, signs)`: aligned math, one `Row(lead, sign, body, label)` a line: text writes
  ``lead sign body`` with the labels in a column (never further right than `column`), LaTeX ``lead &sign body &&
  label``, rich a grid. signs=False: no sign column (equations written as they are, the explanations beside them).
- `Table(header, rows, more)`: cells of spans; `more` says what was left out, after a ⋮ row.
- `Lines(lines)`: lines that belong together, with no space between (a short list in Markdown).
- `Steps(items)`: a numbered list of (label, explanation), such as the rules a derivation used.
- `Verdict(status, spans, mark)`: how a check came out, status one of `STATUSES`, `mark` the sign before it.
- `Display(blocks, aligned)`: blocks that Markdown and HTML show as one display-math block (LaTeX rows inside $$;
  aligned=False: one line, $$...$$); the other writers render the blocks as they are.
- `Nested(document, indent)`: a document inside another (a gradient's components), indented in the line formats.
- `Only(formats, blocks, ascii)`: blocks shown only by the writers of those formats. The formats differ in what
  they say, not only in how: a Markdown write-up opens with the question in words and lists the rules used, text
  opens with "read as:" and puts each rule beside its line. A layout says such differences with `Only`, never by
  checking which writer will run. The format names are `FORMATS`; a writer also shows the blocks of the formats it
  extends (`EXTENDS`: rich shows what text shows, HTML what Markdown shows). ascii=True (False): only when the line
  formats write ASCII math (only when they do not): an ASCII line is longer and may wrap elsewhere.

`Document(blocks, notation)`: `notation` prints the Math of this document (None: the plain printers of `language/`);
the critical-point layout passes one that writes means in bar notation.

JSON is not a layout: each JSON document is a public contract with its own schema (``src/derivsteps/schemas/``), so
it is serialised per result kind (``render/jsondoc.py`` and the ``to_json`` functions), never from a Document.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..core.domain import Condition
from ..core.tree import Expr, Path

# The names of the formats; a writer shows an Only block when its format (or one it extends) is listed.
FORMATS = ("text", "rich", "latex", "markdown", "html")
EXTENDS = {"rich": ("text",), "html": ("markdown",)}

# How a check can come out; Verdict.status is one of these.
STATUSES = ("verified", "disagrees", "undecided")


# -- inline pieces ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Words:
    """Plain words; each writer escapes them for its format."""

    text: str
    style: str | None = None


@dataclass(frozen=True, slots=True)
class Math:
    """An expression, printed in the writer's notation; marks: paths of the subterms to highlight."""

    expr: Expr
    marks: tuple[Path, ...] = ()
    style: str | None = None


@dataclass(frozen=True, slots=True)
class Symbol:
    """A sign or notation that is not an Expr, spelled for each notation (ascii and latex default to text)."""

    text: str
    ascii: str | None = None
    latex: str | None = None
    style: str | None = None

    def spelled(self, notation: str) -> str:
        """The spelling for "text", "ascii" or "latex"."""
        if notation == "ascii":
            return self.text if self.ascii is None else self.ascii
        if notation == "latex":
            return self.text if self.latex is None else self.latex
        return self.text


@dataclass(frozen=True, slots=True)
class Matrix:
    """A matrix of expressions: bracketed aligned rows in text, a pmatrix in LaTeX."""

    rows: tuple[tuple[Expr, ...], ...]
    style: str | None = None


@dataclass(frozen=True, slots=True)
class Vector:
    """A tuple of expressions: (1, 2) in text, \\left(1, 2\\right) in LaTeX."""

    values: tuple[Expr, ...]
    style: str | None = None
    brackets: bool = True  # False: the values as a list, x, z


@dataclass(frozen=True, slots=True)
class Code:
    """Text as typed (the input): inline code in Markdown and HTML, as it is elsewhere."""

    text: str
    style: str | None = None


@dataclass(frozen=True, slots=True)
class Formula:
    """Pieces read as one formula: one $...$ in Markdown; in LaTeX the pieces side by side, its Words written as math
    source (" = ", "(", ", "), not \\text{}; in text the pieces as they are. f(a, b) = 3a^2, a point a = 1, b = 2."""

    pieces: tuple[Words | Math | Symbol | Matrix | Vector, ...]
    style: str | None = None


@dataclass(frozen=True, slots=True)
class Conditions:
    """Where a result holds, as written inequalities (x > 0, x ≠ 1); aside: after math, in parentheses."""

    conditions: tuple[Condition, ...]
    aside: bool = False
    style: str | None = None


@dataclass(frozen=True, slots=True)
class Strong:
    """Words set off: **bold** in Markdown, as they are elsewhere ("Stopped:", "Summary.")."""

    text: str
    style: str | None = None


@dataclass(frozen=True, slots=True)
class Emphasis:
    """Words stressed: *italic* in Markdown, as they are elsewhere ("note:" inside a table cell)."""

    text: str
    style: str | None = None


@dataclass(frozen=True, slots=True)
class Break:
    """A line break inside a table cell: <br> in Markdown and HTML, a new line elsewhere."""

    style: str | None = None


@dataclass(frozen=True, slots=True)
class Phrase:
    """A sentence template with math fields, "put {u} into (1)": each writer writes the words its way and fills each
    field in its notation (an Expr; a mapping of variables to values as "a = 1, b = 2"; a tuple as "a, b")."""

    template: str
    bindings: Mapping[str, object]
    style: str | None = None

    def filled(
        self, math: Callable[[Expr], str], words: Callable[[str], str] = str, field: Callable[[str], str] = str
    ) -> str:
        """The sentence: each literal through words, each field's math written by math and then passed to field."""
        out = []
        for literal, name, _, _ in string.Formatter().parse(self.template):
            if literal:
                out.append(words(literal))
            if name is not None:
                value = self.bindings[name]
                if isinstance(value, Mapping):
                    said = ", ".join(f"{math(var)} = {math(expr)}" for var, expr in value.items())
                elif isinstance(value, tuple):
                    said = ", ".join(math(item) for item in value)
                else:
                    said = math(value)
                out.append(field(said))
        return "".join(out)

    def capitalised(self) -> Phrase:
        """The phrase with a capital first letter: a sentence in LaTeX and Markdown."""
        return Phrase(self.template[:1].upper() + self.template[1:], self.bindings, self.style)


Inline = Words | Math | Symbol | Matrix | Vector | Code | Formula | Conditions | Strong | Emphasis | Break | Phrase
Spans = tuple[Inline, ...]


# -- blocks -------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Paragraph:
    """A sentence or a line of words and math."""

    spans: Spans
    style: str | None = None


@dataclass(frozen=True, slots=True)
class Heading:
    """The title of a part of the document."""

    spans: Spans


@dataclass(frozen=True, slots=True)
class Blank:
    """A blank line in the line formats (text, rich); nothing in the others."""


@dataclass(frozen=True, slots=True)
class Note:
    """A caveat: a parser's warning, a rule's note."""

    spans: Spans


@dataclass(frozen=True, slots=True)
class Comment:
    """What a reader of the source needs, not of the page ("read as: ..."): a TeX comment in LaTeX."""

    spans: Spans


@dataclass(frozen=True, slots=True)
class Row:
    """One aligned line: lead (the left-hand side, may be empty), sign ("=", "≈" or none), body, and a label."""

    body: Spans
    sign: Symbol | None = None
    lead: Spans = ()
    label: Spans = ()
    # Lines said under the row (the feedback on a written line), from where its body starts; a line that spells
    # nothing in a notation (a caret under the typed text, in ASCII) is left out.
    under: tuple[Spans, ...] = ()
    # The laws of the line's rules (∂f(u)/∂x = ∂f/∂u · ∂u/∂x), which a format may show on demand: HTML on hover and
    # focus of the label. The line formats leave them to the list of rules used.
    laws: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rows:
    """Aligned math: the signs in one column, the labels in another that starts no further right than `column`."""

    rows: tuple[Row, ...]
    column: int = 72
    indent: int = 0  # spaces before every line in the line formats
    signs: bool = True  # False: no sign column in the line formats, each row its lead, sign and body as they are


@dataclass(frozen=True, slots=True)
class Table:
    """A table of cells; `more` says what was left out ("(3 more data points)"), shown after a ⋮ row. A row that is
    None stands for rows left out there (a ⋮ row). `align` has a letter per column, "r" (the default), "l", "c" or "-"
    (Markdown's plain ---); `indent`: spaces before each line in the line formats."""

    header: tuple[Spans, ...]
    rows: tuple[tuple[Spans, ...] | None, ...]
    more: Spans = ()
    align: str = ""
    indent: int = 2

    def alignment(self) -> str:
        """A letter per column: `align`, or "r" for every column."""
        return self.align or "r" * len(self.header)


@dataclass(frozen=True, slots=True)
class Steps:
    """A numbered list: (label, explanation) per item, such as the rules a derivation used."""

    items: tuple[tuple[Spans, Spans], ...]
    title: Spans = ()


@dataclass(frozen=True, slots=True)
class Verdict:
    """How a check came out: status (one of STATUSES), the words, and the sign before them (None: no sign)."""

    status: str
    spans: Spans
    mark: Symbol | None = None


@dataclass(frozen=True, slots=True)
class Display:
    """Blocks that Markdown and HTML show as one block of display math; the other writers show them as they are."""

    blocks: tuple[Block, ...]
    aligned: bool = True  # False: a single unaligned line, $$...$$ in Markdown


@dataclass(frozen=True, slots=True)
class Nested:
    """A document inside this one (a gradient's worked components), indented by `indent` in the line formats."""

    document: Document
    indent: int = 0


@dataclass(frozen=True, slots=True, eq=False)
class Only:
    """Blocks that only the writers of `formats` show (see the module docstring). The blocks may be given as a
    function that makes them (`later`): a layout lays a result out for every format, and a writer asks for the blocks
    of its own format only, so a derivation's LaTeX and Markdown rows are never built for its text (they were 2/3 of
    rendering it as text)."""

    formats: tuple[str, ...]
    made: tuple[Block, ...] | Callable[[], Sequence[Block]]
    ascii: bool | None = None  # True: only when the math is written in ASCII (text, rich); False: only when not
    _kept: list[tuple[Block, ...]] = field(default_factory=list, repr=False)

    @property
    def blocks(self) -> tuple[Block, ...]:
        """The blocks, made on first use when they were given as a function."""
        if isinstance(self.made, tuple):
            return self.made
        if not self._kept:
            self._kept.append(tuple(self.made()))
        return self._kept[0]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Only) and (self.formats, self.blocks, self.ascii) == (
            other.formats,
            other.blocks,
            other.ascii,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable cache inside: never a dict key


@dataclass(frozen=True, slots=True)
class Lines:
    """Lines that belong together, one after the other with no space between (a short list in Markdown)."""

    lines: tuple[Spans, ...]


Block = Paragraph | Heading | Blank | Note | Comment | Rows | Table | Steps | Verdict | Display | Nested | Only | Lines


@dataclass(frozen=True, slots=True)
class Notation:
    """How to print the Math of a document: to text (expr, ascii) and to LaTeX (expr)."""

    text: Callable[[Expr, bool], str]
    latex: Callable[[Expr], str]


@dataclass(frozen=True, slots=True)
class Document:
    """A laid-out result: its blocks, and the notation its math is printed in (None: the plain printers)."""

    blocks: tuple[Block, ...]
    notation: Notation | None = field(default=None)


# -- building -----------------------------------------------------------------------------------------------------------
def spans(*pieces: str | Expr | Inline) -> Spans:
    """Spans from a mix of strings (Words), expressions (Math) and inline pieces."""
    out: list[Inline] = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(Words(piece))
        elif isinstance(piece, Expr):
            out.append(Math(piece))
        else:
            out.append(piece)
    return tuple(out)


def only(formats: str | Iterable[str], *blocks: Block, ascii: bool | None = None) -> Only:
    """Only((formats), blocks): `only("text", Paragraph(...))`; ascii: only in (or only not in) ASCII math."""
    return Only(_formats(formats), tuple(blocks), ascii)


def later(formats: str | Iterable[str], make: Callable[[], Sequence[Block]], ascii: bool | None = None) -> Only:
    """Like only, with the blocks made by make() when a writer of those formats first asks for them."""
    return Only(_formats(formats), make, ascii)


def _formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    names = (formats,) if isinstance(formats, str) else tuple(formats)
    unknown = set(names) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown format {sorted(unknown)}; the formats are {', '.join(FORMATS)}")
    return names


def shows(writer_format: str, block: Only, ascii: bool = False) -> bool:
    """Whether the writer of writer_format (writing ASCII math or not) shows the blocks of an Only."""
    if block.ascii is not None and block.ascii != ascii:
        return False
    return any(name in block.formats for name in (writer_format, *EXTENDS.get(writer_format, ())))


# Signs used by several layouts; STATUS_MARKS: the sign before a verdict of each status.
CHECK = Symbol("✓", "OK", r"\checkmark\ ")
CROSS = Symbol("✗", "WRONG", r"\times\ ")
QUESTION = Symbol("?")  # no LaTeX sign: LaTeX writes it as a word, "? could not verify"
STATUS_MARKS = {"verified": CHECK, "disagrees": CROSS, "undecided": QUESTION}
EQUALS = Symbol("=")
APPROX = Symbol("≈", "~", r"\approx")

# The looks of the terminal writer, by the style names that spans and blocks carry.
STYLES = {
    "changed": "bold yellow",  # the subterm a line rewrote
    "rule": "dim",
    "aside": "dim",  # "read as:", "(treat x as constant)"
    "note": "italic",
    "result": "bold",
    "heading": "bold",
    "explanation": "dim",
    "kind": "bold cyan",
    "verified": "bold green",
    "disagrees": "bold red",
    "undecided": "yellow",
    "stopped": "bold red",  # a run that ended early (a descent that diverged)
    "invalid": "bold magenta",  # a line or an answer that could not be read
    "feedback": "red",  # what is wrong with a student's line
}
