"""to_html: every result as an HTML fragment with MathML, well-formed, escaped, highlighted, the rules explained."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from golden_util import assert_golden, seed_derivation
from hypothesis import given, settings
from strategies import diff_trees
from test_display import RESULTS

import derivsteps
from derivsteps.calculus.derivative import differentiate
from derivsteps.calculus.implicit import implicit_derivative
from derivsteps.calculus.multivar import hessian
from derivsteps.checking.answers import check_answer
from derivsteps.checking.written import check_derivation
from derivsteps.core.tree import Var
from derivsteps.language.mathml import MARK_CLASS
from derivsteps.language.mathtext import to_text
from derivsteps.render.api import to_html, to_markdown
from derivsteps.render.derivation import line_marks
from derivsteps.render.document import Code, Document, Math, Paragraph, Phrase, Row, Rows, Symbol, Words
from derivsteps.render.writers import write

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def fragment(html: str) -> ET.Element:
    """The fragment parsed as XML: well-formed, one <div class="derivsteps">."""
    root = ET.fromstring(html)
    assert root.tag == "div" and root.get("class") == "derivsteps"
    return root


def maths(root: ET.Element) -> list[ET.Element]:
    return list(root.iter("math"))


def reading(element: ET.Element) -> str:
    return "".join(element.itertext())


def said(element: ET.Element) -> str:
    """What a screen reader says: the text, each formula read by its accessible name."""
    if element.tag == "math":
        return element.get("aria-label", "") + (element.tail or "")
    return (element.text or "") + "".join(said(kid) for kid in element) + (element.tail or "")


@pytest.mark.parametrize("kind", RESULTS)
def test_every_result_kind_renders_with_mathml(kind):
    result = RESULTS[kind]()
    html = to_html(result)
    root = fragment(html)
    assert 'class="math"' not in html  # no LaTeX left for a script to typeset
    for math in maths(root):
        assert math.get("aria-label")  # every formula has an accessible name
        assert all(e.tag.startswith("m") for e in math.iter())  # MathML inside, nothing else
    if kind not in ("Verdict", "Equivalence", "GradedRow", "Summary"):
        assert maths(root)


@pytest.mark.parametrize("kind", RESULTS)
def test_every_result_kind_renders_with_latex_too(kind):
    root = fragment(to_html(RESULTS[kind](), math="latex"))
    assert not maths(root)


def test_to_html_is_public_and_takes_the_options_of_the_other_renderers():
    derivation = differentiate("x^2 sin(x)", "x")
    assert derivsteps.to_html is to_html
    assert to_html(derivation, steps=False) != to_html(derivation)
    assert to_html(derivation, detail="full") != to_html(derivation, detail="brief")
    with pytest.raises(TypeError, match="to_html"):
        to_html(object())
    with pytest.raises(TypeError, match="takes no"):
        to_html(check_answer("x^2", "x", "2x"), detail="full")
    with pytest.raises(ValueError, match="math writer"):
        to_html(derivation, math="svg")


def test_the_derivation_lines_are_rows_with_their_rules():
    derivation = seed_derivation("sum_squared_wrt_y")
    root = fragment(to_html(derivation))
    rows = root.findall(".//table[@class='rows']/tr[@class='row']")
    lines = derivation.lines()
    assert len(rows) == len(lines) + 1
    for row, line in zip(rows[1:], lines):
        body = row.find("td[@class='body']/math")
        assert body.get("display") == "block" and body.get("aria-label") == to_text(line.after)
    labels = [reading(row.find("td[@class='rule']/span[@class='rule-label']")) for row in rows[1:]]
    assert labels == ["chain rule", "exponent rule", "sum rule", "constant rule; ∂y/∂y = 1", "arithmetic"]
    verdict = root.find("p[@class='verdict verified']")
    assert verdict.find("span[@class='mark']").text == "✓" and "SymPy" in reading(verdict)


def test_each_rule_label_is_described_by_its_law_and_its_explanation():
    from derivsteps.core.rules import describe

    derivation = seed_derivation("product_x2_sin_x")
    root = fragment(to_html(derivation))
    ids = {element.get("id"): element for element in root.iter() if element.get("id")}
    explained = [reading(item.find("span[@class='explanation']")) for item in root.iter("li")]
    described, formulas = [], []
    for label in root.iter("span"):
        if label.get("class") == "rule-label" and label.get("aria-describedby"):
            assert label.get("tabindex") == "0"  # reachable by keyboard, so the law shows on focus
            law = ids[label.get("aria-describedby")]
            assert law.get("role") == "tooltip" and law.get("class") == "law"
            formulas += [reading(f) for f in law.iter("span") if f.get("class") == "law-formula"]
            described.append(reading(law))
    assert len(described) == 4 and all(said.endswith(words) for said, words in zip(described, explained))
    laws = [describe(name).law for line in derivation.lines() for name in line.rules]
    assert formulas and set(formulas) <= set(laws)  # the cheat sheet's laws, as the rules state them


def test_ids_are_unique_and_differ_between_fragments():
    first = to_html(seed_derivation("product_x2_sin_x"))
    second = to_html(seed_derivation("sum_squared_wrt_y"))
    ids = [e.get("id") for html in (first, second) for e in fragment(html).iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    assert to_html(seed_derivation("product_x2_sin_x")) == first  # the same result, the same HTML


def test_the_rewritten_part_is_highlighted():
    derivation = differentiate("x^2 sin(x)", "x")
    root = fragment(to_html(derivation))
    rows = root.findall(".//table[@class='rows']/tr[@class='row']")[1:]
    for row, line in zip(rows, derivation.lines(), strict=True):
        changed = [said(e) for e in row.iter() if e.get("class") == MARK_CLASS]
        assert len(changed) == len(line_marks(line))  # one highlight per subterm the line put in
    changed = [reading(e) for e in rows[2].iter() if e.get("class") == MARK_CLASS]
    assert changed == ["cos\u2061(x)"]  # the derivative of sin, put in for ∂/∂x sin(x)


def test_a_long_derivation_names_its_repeated_parts():
    text = "x"
    for _ in range(30):
        text = f"(1 + {text})^2"
    root = fragment(to_html(differentiate(text, "x")))
    where = [row for row in root.iter("tr") if said(row).strip().startswith("where")]
    assert where, "no where A = … row"
    (math,) = where[0].iter("math")
    assert math.get("aria-label").startswith("where A = ") and math.get("display") == "block"


@settings(max_examples=25)
@given(diff_trees)
def test_random_derivations_are_well_formed(expr):
    derivation = differentiate(expr, "x")
    root = fragment(to_html(derivation, detail="full"))
    rows = root.findall(".//table[@class='rows']/tr[@class='row']")
    bodies = [row.find("td[@class='body']/math").get("aria-label") for row in rows]
    assert bodies[1:] == [to_text(line.after) for line in derivation.lines("full")][: len(bodies) - 1]


def test_a_notation_without_mathml_shows_its_text():
    """dy/dx of an implicit derivative is the notation's own: shown as its text until the notation writes MathML."""
    root = fragment(to_html(implicit_derivative("x^2 + y^2 = 25")))
    texts = [math for math in maths(root) if math.find("mtext") is not None]
    assert texts and all(math.get("aria-label") == reading(math) for math in texts)
    assert any("dy/dx" in reading(math) for math in texts)


HOSTILE = "<script>alert('x')</script>&\"name\""


def test_user_text_is_escaped_everywhere():
    document = Document(
        (
            Paragraph((Words(HOSTILE, style=HOSTILE), Code(HOSTILE), Math(Var(HOSTILE)), Symbol(HOSTILE))),
            Paragraph((Phrase("put {u} into " + HOSTILE.replace("'", ""), {"u": Var(HOSTILE)}),)),
            Rows(
                (Row((Math(Var(HOSTILE)),), Symbol("="), (Words(HOSTILE),), (Words(HOSTILE),), ((Words(HOSTILE),),)),)
            ),
        )
    )
    for math in ("mathml", "latex"):
        html = write(document, "html", math=math)
        root = ET.fromstring(html)
        assert "<script" not in html and not list(root.iter("script"))
        assert HOSTILE in "".join(root.itertext()) or math == "mathml"
    written = to_html(check_derivation(["d/dx x^2", "= 2x + <b>x</b>"]))
    assert "<b>" not in written and "&lt;b&gt;" in written
    fragment(written)


def test_the_latex_math_stays_the_notebook_default():
    derivation = differentiate("x^2", "x")
    assert derivation._repr_html_() == to_html(derivation, math="latex")
    assert '<span class="math">\\(x^{2}\\)</span>' in derivation._repr_html_()


def test_html_says_what_markdown_says():
    derivation = seed_derivation("sum_squared_wrt_y")
    root = fragment(to_html(derivation))
    assert "Rules used:" in to_markdown(derivation)
    assert said(root.find("p")).startswith("Differentiate (x + y + z)^2 with respect to y (typed as (x+y+z)^2)")
    assert root.find("ol[@class='steps']") is not None and root.find("p[@class='steps-title']").text == "Rules used:"


GOLDEN = {
    "html_sum_squared_wrt_y.html": lambda: seed_derivation("sum_squared_wrt_y"),
    "html_hessian.html": lambda: hessian("3a^2 + b^2 - ab + a"),
    "html_check_wrong.html": lambda: check_answer("(x+y+z)^2", "y", "2(x+y+z)^2"),
    "html_written_q2_wrong.html": lambda: check_derivation(
        (EXAMPLES / "derivation_q2_wrong.txt").read_text(encoding="utf-8")
    ),
}


@pytest.mark.parametrize("name", GOLDEN)
def test_golden(name, pytestconfig):
    assert_golden(pytestconfig, name, to_html(GOLDEN[name]()))
