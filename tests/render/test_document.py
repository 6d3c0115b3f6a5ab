"""The document model and its writers: every block type in every format, Only, the notation, and the registry."""

from __future__ import annotations

from io import StringIO

import pytest
from rich.console import Console

from derivsteps.calculus.derivative import differentiate
from derivsteps.core.tree import Add, Num, Pow, Var
from derivsteps.render.document import (
    APPROX,
    CHECK,
    EQUALS,
    FORMATS,
    STATUS_MARKS,
    Blank,
    Code,
    Comment,
    Conditions,
    Display,
    Document,
    Heading,
    Lines,
    Math,
    Matrix,
    Nested,
    Notation,
    Note,
    Paragraph,
    Phrase,
    Row,
    Rows,
    Steps,
    Symbol,
    Table,
    Vector,
    Verdict,
    Words,
    only,
    spans,
)
from derivsteps.render.writers import RichView, write

x, y = Var("x"), Var("y")
X2 = Pow(x, Num(2))


def plain(renderable, width: int = 100) -> str:
    console = Console(file=StringIO(), width=width, color_system=None, legacy_windows=False)
    console.print(renderable)
    return "\n".join(line.rstrip() for line in console.file.getvalue().splitlines())


def rendered(document: Document) -> dict[str, str]:
    """The document in every format (rich as its plain output)."""
    out = {fmt: write(document, fmt) for fmt in ("text", "latex", "markdown", "html")}
    out["ascii"] = write(document, "text", ascii=True)
    out["rich"] = plain(write(document, "rich"))
    return out


# One example of every block, with the text each format must hold (None: the format shows nothing of it).
BLOCKS = {
    "paragraph": (
        Paragraph(spans("the square ", X2, " of ", x)),
        {"text": "the square x^2 of x", "latex": r"\text{the square }x^{2}\text{ of }x", "markdown": "$x^{2}$"},
    ),
    "heading": (Heading(spans("set to zero:")), {"text": "set to zero:", "latex": r"\text{Set to zero:}"}),
    "blank": (Blank(), {"text": "\n", "latex": None, "markdown": None}),
    "note": (
        Note(spans("undefined where ", x, " = 0")),
        {"text": "note: undefined where x = 0", "latex": "% note: undefined where x = 0", "markdown": "*Note:*"},
    ),
    "comment": (Comment(spans("read as: ", X2)), {"text": None, "latex": "% read as: x^2", "markdown": None}),
    "rows": (
        Rows((Row((Math(X2),)), Row((Math(Num(4)),), EQUALS, (), (Words("exponent rule"),)))),
        {"text": "= 4      exponent rule", "latex": r"&= 4 && \text{exponent rule}", "markdown": r"\begin{aligned}"},
    ),
    "table": (
        Table(
            ((Math(Var("i")),), (Words("term"),)),
            (((Symbol("1,000", latex="1{,}000"),), (Math(X2),)),),
            spans("(2 more)"),
        ),
        {"text": "(2 more)", "latex": r"1{,}000 & x^{2}", "markdown": "| 1,000 | $x^{2}$ |"},
    ),
    "steps": (
        Steps(((spans("chain rule"), spans("the derivative of ", X2)),), spans("Rules used:")),
        {"text": "1. chain rule: the derivative of x^2", "markdown": "1. **chain rule**: the derivative of x^2"},
    ),
    "verdict": (
        Verdict("verified", spans("verified: symbolic"), CHECK),
        {
            "text": "✓ verified: symbolic",
            "ascii": "OK verified",
            "latex": r"\checkmark\ \text{verified",
            "markdown": "✓",
        },
    ),
    "display": (
        Display((Rows((Row((Math(X2),), EQUALS, (Math(y),)),)),)),
        {"text": "y = x^2", "latex": "y &= x^{2}", "markdown": "$$\n\\begin{aligned}\ny &= x^{2}"},
    ),
    "nested": (
        Nested(Document((Paragraph(spans("inner ", x)),)), indent=2),
        {"text": "  inner x", "latex": r"\text{inner }x", "markdown": "inner $x$"},
    ),
    "lines": (
        Lines((spans("1. At ", x), spans("2. At ", y))),
        {"text": "1. At x\n2. At y", "markdown": "1. At $x$\n2. At $y$\n"},
    ),
    "only": (
        only("markdown", Paragraph(spans("for the write-up"))),
        {"text": None, "latex": None, "markdown": "for the write-up"},
    ),
}


@pytest.mark.parametrize("name", BLOCKS)
def test_every_block_in_every_format(name):
    block, expected = BLOCKS[name]
    out = rendered(Document((block,)))
    for fmt in ("text", "latex", "markdown", "html", "ascii", "rich"):
        assert isinstance(out[fmt], str), fmt
    for fmt, text in expected.items():
        body = out[fmt].removeprefix("\\begin{align*}\n").removesuffix("\\end{align*}\n").strip("\n")
        if text is None:
            assert body == "", (fmt, out[fmt])
        else:
            assert text in out[fmt], (fmt, out[fmt])
    if "text" in expected and expected["text"] and expected["text"] != "\n":
        assert expected["text"].splitlines()[0] in out["rich"]


INLINE = {
    "words": (Words("a_i < b"), {"text": "a_i < b", "latex": r"\text{a\_i }<\text{ b}", "markdown": r"a\_i \< b"}),
    "math": (Math(Add((X2, x))), {"text": "x^2 + x", "latex": "x^{2} + x", "markdown": "$x^{2} + x$"}),
    "symbol": (APPROX, {"text": "≈", "ascii": "~", "latex": r"\approx"}),
    "matrix": (Matrix(((Num(6), Num(-1)), (Num(-1), Num(2)))), {"text": "[  6  -1 ]", "latex": "pmatrix"}),
    "vector": (Vector((Num(1), Num(2))), {"text": "(1, 2)", "latex": r"\left(1, 2\right)"}),
    "code": (Code("x^2"), {"text": "x^2", "markdown": "`x^2`", "html": "<code>x^2</code>"}),
    "conditions": (
        Conditions(differentiate("ln(x) + 1/(x - 1)", "x").domain),
        {"text": "x > 0, x ≠ 1", "ascii": "x > 0, x != 1", "latex": r"x > 0, x \neq 1", "markdown": r"$x \neq 1$"},
    ),
    "phrase": (
        Phrase("put {u} into (1) where {p}", {"u": X2, "p": {x: Num(1)}}),
        {"text": "put x^2 into (1) where x = 1", "latex": r"\text{put }x^{2}", "markdown": "put $x^{2}$ into (1)"},
    ),
}


@pytest.mark.parametrize("name", INLINE)
def test_every_inline_piece_in_every_format(name):
    piece, expected = INLINE[name]
    out = rendered(Document((Paragraph((piece,)),)))
    for fmt, text in expected.items():
        assert text in out[fmt], (fmt, out[fmt])


def test_rows_align_their_labels_and_cap_the_column():
    rows = Rows(
        (
            Row((Math(X2),)),
            Row((Math(Num(4)),), EQUALS, (), spans("short")),
            Row((Math(Add((X2, X2, X2))),), EQUALS, (), spans("long")),
        ),
        column=10,
    )
    lines = write(Document((rows,)), "text").splitlines()
    assert lines == ["  x^2", "= 4           short", "= x^2 + x^2 + x^2    long"]


def test_rows_without_a_sign_column():
    rows = Rows((Row((Math(X2),), EQUALS, (Math(y),), spans("why")),), indent=2, signs=False)
    assert write(Document((rows,)), "text") == "  y = x^2    why\n"
    assert "y &= x^{2} && \\text{why}" in write(Document((rows,)), "latex")


def test_only_shows_blocks_to_their_formats_and_those_that_extend_them():
    document = Document((only("text", Paragraph(spans("lines"))), only("markdown", Paragraph(spans("prose")))))
    assert "lines" in plain(write(document, "rich"))
    assert "prose" in write(document, "html") and "prose" not in write(document, "text")
    with pytest.raises(ValueError):
        only("pdf", Blank())


def test_only_can_depend_on_ascii():
    document = Document(
        (only("text", Paragraph(spans("unicode")), ascii=False), only("text", Paragraph(spans("plain")), ascii=True))
    )
    assert write(document, "text") == "unicode\n"
    assert write(document, "text", ascii=True) == "plain\n"


def test_a_document_prints_its_math_in_its_notation():
    notation = Notation(lambda expr, ascii: "BAR", lambda expr: r"\bar{x}")
    document = Document((Paragraph((Math(x),)),), notation)
    assert write(document, "text") == "BAR\n"
    assert r"\bar{x}" in write(document, "latex")


def test_html_math_is_pluggable():
    document = Document((Paragraph((Math(X2),)),))
    assert '<span class="math">\\(x^{2}\\)</span>' in write(document, "html")
    assert "<math>x^{2}</math>" in write(document, "html", math=lambda latex: f"<math>{latex}</math>")


def test_verdict_marks_and_styles():
    for status, mark in STATUS_MARKS.items():
        document = Document((Verdict(status, spans("said"), mark),))
        assert write(document, "text").startswith(mark.text)
        assert write(document, "markdown").startswith(mark.text)


def test_rich_view_is_lazy_and_plain_matches_text():
    document = Document(
        (Paragraph(spans("a ", X2)), Rows((Row((Math(X2),)), Row((Math(Num(4)),), EQUALS, (), spans("r")))))
    )
    assert plain(RichView(document)) == write(document, "text").rstrip("\n")


def test_every_format_has_a_writer():
    for fmt in FORMATS:
        assert write(Document((Paragraph(spans("x")),)), fmt) is not None
    with pytest.raises(ValueError):
        write(Document(()), "pdf")
