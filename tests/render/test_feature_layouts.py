"""The layouts of descent, implicit differentiation, written derivations and grading: each result is one Document that
the writers render; the blocks they added to the model (Formula, Strong, tables with alignment and gaps, lines under a
row) behave the same in every writer."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from derivsteps.calculus.descent import Descent, descend
from derivsteps.calculus.implicit import Implicit, implicit_derivative
from derivsteps.checking.grading import GradedRow, summarize
from derivsteps.checking.reports import ReportFile, recover
from derivsteps.checking.written import WrittenReport, check_derivation
from derivsteps.core.tree import Num, Var
from derivsteps.render import descent, grading, implicit, written
from derivsteps.render import document as doc
from derivsteps.render.layouts import LAYOUTS
from derivsteps.render.writers import write

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
x, y = Var("x"), Var("y")


def _descent() -> Descent:
    return descend("x^2 + 3y^2", "x=1,y=1", "1/10", 60)  # long enough to leave out work and table rows


def _implicit() -> Implicit:
    return implicit_derivative("x^3 + y^3 = 6xy")


def _written() -> WrittenReport:
    return check_derivation((EXAMPLES / "derivation_q2_wrong.txt").read_text(encoding="utf-8"))


def _rows() -> list[GradedRow]:
    return [
        GradedRow("a1", "x^2", "x", "2x", "correct", "structural", None, "correct", "2x"),
        GradedRow("b22", "cos(x)", "x", "sin(x) | `x`", "incorrect", "numeric", "cos_sign", "wrong sign\nsecond line",
                  "-sin(x)", ("n",)),
    ]  # fmt: skip


def _blocks(blocks):
    for block in blocks:
        yield block
        inner = getattr(block, "blocks", None)
        if inner is not None:
            yield from _blocks(inner)
        if isinstance(block, doc.Nested):
            yield from _blocks(block.document.blocks)


LAYOUT_CASES = {
    "descent": (_descent, descent.layout, descent.render_text, descent.render_markdown),
    "implicit": (_implicit, implicit.layout, implicit.render_text, implicit.render_markdown),
    "written": (_written, written.layout, written.render_text, written.render_markdown),
}


@pytest.mark.parametrize("case", LAYOUT_CASES)
def test_a_result_is_one_document_that_the_writers_render(case):
    make, layout, text, markdown = LAYOUT_CASES[case]
    result = make()
    document = layout(result)
    assert isinstance(document, doc.Document)
    assert write(document, "text") == text(result) and write(document, "markdown") == markdown(result)
    assert write(document, "html").startswith('<div class="derivsteps">')
    kinds = {type(block) for block in _blocks(document.blocks)}
    assert kinds <= set(doc.Block.__args__), kinds


@pytest.mark.parametrize("kind", [Descent, Implicit, WrittenReport])
def test_the_layouts_are_registered(kind):
    assert LAYOUTS[kind].layout is not None


def test_str_of_a_result_is_its_text():
    result = _descent()
    assert str(result) == descent.render_text(result)
    assert result._repr_markdown_() == descent.render_markdown(result)


def test_grading_report_is_one_document():
    rows, summary = _rows(), summarize(_rows(), new=2, seconds=1.0)
    streamed = io.StringIO()
    table = grading.TextTable(streamed, 3)
    for row in rows:
        table.add(row)
    table.finish(summary)
    # The table streamed a row at a time and the text report written at the end are the same text.
    assert grading.render_report("text", rows, summary) == streamed.getvalue()
    assert "     second line\n" in streamed.getvalue() and " · mistake: cos_sign · " in streamed.getvalue()
    markdown = grading.render_markdown(rows, summary)
    assert "| b22 | sin(x) \\| \\`x\\` | ✗ incorrect |" in markdown and "| `cos_sign` | 1 |" in markdown


def test_a_report_file_of_a_whole_document_needs_its_writer(tmp_path):
    with pytest.raises(ValueError):
        ReportFile(tmp_path / "r.json", "json")
    report = ReportFile(tmp_path / "r.json", "json", render=grading.render_report)
    for row in _rows():
        report.add(row)
    report.close(summarize(_rows(), new=2, seconds=1.0))
    assert recover(tmp_path / "r.json", "json") == _rows()


# -- what the model gained for these layouts, in every writer --------------------------------------------------------------
def test_formula_is_one_piece_of_math():
    formula = doc.Formula((doc.Symbol("f", latex="f"), doc.Vector((x, y)), doc.Words(" = "), doc.Math(Num(1))))
    document = doc.Document((doc.Paragraph((doc.Words("at "), formula)),))
    assert write(document, "text") == "at f(x, y) = 1\n"
    assert write(document, "latex").splitlines()[1] == r"&\text{at }f\left(x, y\right) = 1"
    assert write(document, "markdown") == r"at $f\left(x, y\right) = 1$" + "\n"


def test_table_alignment_and_a_gap_in_the_middle():
    cell = lambda text: (doc.Words(text),)  # noqa: E731
    rows = ((cell("1"), cell("a"), cell("c")), None, (cell("10"), cell("bb"), cell("c")))
    document = doc.Document((doc.Table((cell("n"), cell("value"), cell("f")), rows, align="rll", indent=0),))
    assert write(document, "text") == " n  value  f\n 1  a      c\n ⋮\n10  bb     c\n"
    assert write(document, "text", ascii=True).splitlines()[2] == "..."
    latex = write(document, "latex")
    assert r"\begin{array}{r|l|l} \text{n} & \text{value} & \text{f} \\ \hline" in latex
    assert r"\\ \vdots & & \\" in latex
    assert write(document, "markdown").splitlines()[:4] == [
        "| n | value | f |",
        "|---:|:---|:---|",
        "| 1 | a | c |",
        "| ⋮ | | |",
    ]


def test_lines_under_a_row_start_where_its_body_starts():
    row = doc.Row(
        (doc.Symbol("ü", "u"),),
        None,
        (doc.Words("12 "), doc.Symbol("✓", "ok")),
        (doc.Words("rule"),),
        ((doc.Words("feedback"),), (doc.Symbol("^", ""),)),
    )
    document = doc.Document((doc.Rows((row,)),))
    assert write(document, "text") == "12 ✓ ü    rule\n     feedback\n     ^\n"
    assert (
        write(document, "text", ascii=True) == "12 ok u    rule\n      feedback\n"
    )  # the caret spells nothing in ASCII


def test_strong_emphasis_and_breaks_in_markdown():
    spans = (doc.Strong("Problem:"), doc.Words(" a"), doc.Break(), doc.Emphasis("note:"), doc.Words(" b"))
    assert write(doc.Document((doc.Paragraph(spans),)), "markdown") == "**Problem:** a<br>*note:* b\n"
    assert write(doc.Document((doc.Paragraph(spans),)), "text") == "Problem: a\nnote: b\n"
