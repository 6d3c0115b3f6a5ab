"""The MathML printer: well-formed XML, the LaTeX printer's brackets and times signs, marks, escaping, names."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import trees
from test_mathlatex import GOLDEN as LATEX_GOLDEN

from derivsteps.core.tree import Apply, Call, Const, Deriv, Div, Mul, Neg, Num, Pow, Sum, Var, get_at, walk
from derivsteps.language.lexer import GREEK
from derivsteps.language.mathlatex import to_latex
from derivsteps.language.mathml import MARK_CLASS, mathml, to_mathml
from derivsteps.language.mathtext import GREEK_SYMBOLS, to_text
from derivsteps.language.parser import parse

# -- readings: the leaves in order, brackets and times signs included, from MathML and from LaTeX ------------------------
_SIGNS = {"\u2212": "-", "\u2032": "'", "\u2062": "", "\u2061": ""}


def mathml_reading(element: ET.Element) -> str:
    """What a reader sees, leaf by leaf: sqrt and cbrt named, invisible operators left out."""
    tag = element.tag
    if tag in ("mi", "mn", "mo", "mtext"):
        return "".join(_SIGNS.get(char, char) for char in element.text or "")
    kids = list(element)
    if tag == "mroot":
        return "cbrt" + mathml_reading(kids[0])
    head = "sqrt" if tag == "msqrt" else ""
    return head + "".join(mathml_reading(kid) for kid in kids)


_MACROS = {"pi": "π", "partial": "∂", "cdot": "·", "sum": "∑", **GREEK_SYMBOLS}


def latex_reading(latex: str) -> str:
    """The same reading of the LaTeX printer's output."""
    latex = latex.replace(r"\sqrt[3]{", "cbrt{").replace(r"\sqrt{", "sqrt{")
    latex = re.sub(r"\\(?:mathrm|operatorname)\{([^}]*)\}", r"\1", latex)
    latex = re.sub(r"\\(?:left|right|frac)", "", latex)
    latex = re.sub(r"\\([A-Za-z]+)", lambda m: _MACROS.get(m.group(1), m.group(1)), latex)
    return re.sub(r"[{}\s^_]", "", latex)


def parsed(text: str):
    return parse(text, variables=["speed"], functions=["f", "g"]).expr


def element(expr, marks=()) -> ET.Element:
    return ET.fromstring(to_mathml(expr, marks))


# -- golden ------------------------------------------------------------------------------------------------------------
GOLDEN = [
    ("x^2 sin(x)", '<mrow><msup><mi>x</mi><mn>2</mn></msup><mo rspace="0.1667em">&#x2062;</mo><mrow><mi>sin</mi>'
     "<mo>&#x2061;</mo><mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow></mrow></mrow>"),
    ("2(x+1)", "<mrow><mn>2</mn><mo>&#x2062;</mo><mrow><mo>(</mo><mrow><mi>x</mi><mo>+</mo><mn>1</mn></mrow>"
     "<mo>)</mo></mrow></mrow>"),
    ("x/(y+1)", "<mfrac><mi>x</mi><mrow><mi>y</mi><mo>+</mo><mn>1</mn></mrow></mfrac>"),
    ("x^(2y)", "<msup><mi>x</mi><mrow><mn>2</mn><mo>&#x2062;</mo><mi>y</mi></mrow></msup>"),
    ("sqrt(x)", "<msqrt><mi>x</mi></msqrt>"),
    ("cbrt(x)", "<mroot><mi>x</mi><mn>3</mn></mroot>"),
    ("|x|", '<mrow><mo fence="true">|</mo><mi>x</mi><mo fence="true">|</mo></mrow>'),
    ("log_2(x)", "<mrow><msub><mi>log</mi><mn>2</mn></msub><mo>&#x2061;</mo><mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow></mrow>"),
    ("sin(x)^2", "<mrow><msup><mi>sin</mi><mn>2</mn></msup><mo>&#x2061;</mo><mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow></mrow>"),
    ("asec(x)", "<mrow><mi>arcsec</mi><mo>&#x2061;</mo><mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow></mrow>"),
    ("-x^2", "<mrow><mo>&#x2212;</mo><msup><mi>x</mi><mn>2</mn></msup></mrow>"),
    ("a - b", "<mrow><mi>a</mi><mo>&#x2212;</mo><mi>b</mi></mrow>"),
    ("2*3", "<mrow><mn>2</mn><mo>&#x00B7;</mo><mn>3</mn></mrow>"),
    ("0.5x", "<mrow><mn>0.5</mn><mo>&#x2062;</mo><mi>x</mi></mrow>"),
    ("2 pi", "<mrow><mn>2</mn><mo>&#x2062;</mo><mi>&#x03C0;</mi></mrow>"),
    ("theta", "<mi>θ</mi>"),
    ("x1", "<mrow><mi>x</mi><mn>1</mn></mrow>"),
    ("∂x/∂y", "<mfrac><mrow><mo>&#x2202;</mo><mi>x</mi></mrow><mrow><mo>&#x2202;</mo><mi>y</mi></mrow></mfrac>"),
    ("∂/∂y (x+y)^2", "<mrow><mfrac><mo>&#x2202;</mo><mrow><mo>&#x2202;</mo><mi>y</mi></mrow></mfrac><msup><mrow>"
     "<mo>(</mo><mrow><mi>x</mi><mo>+</mo><mi>y</mi></mrow><mo>)</mo></mrow><mn>2</mn></msup></mrow>"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), GOLDEN)
def test_golden(text, expected):
    assert mathml(parsed(text)) == expected


def test_the_math_element_is_named_by_its_text_reading():
    expr = parsed("x^2 sin(x)")
    math = element(expr)
    assert math.tag == "math" and math.get("aria-label") == "x^2 sin(x)" and math.get("display") is None
    assert ET.fromstring(to_mathml(expr, display=True)).get("display") == "block"
    assert ET.fromstring(to_mathml(expr, label="x squared sine x")).get("aria-label") == "x squared sine x"


def test_fractions_decimals_and_sums_over_data():
    assert mathml(Num(Fraction(1, 3))) == "<mfrac><mn>1</mn><mn>3</mn></mfrac>"
    assert mathml(Num(Fraction("2.5"), "2.5")) == "<mn>2.5</mn>"
    assert mathml(Var("a", "i")) == "<msub><mi>a</mi><mi>i</mi></msub>"
    assert mathml(Var("w", "ij")) == "<msub><mi>w</mi><mrow><mi>i</mi><mi>j</mi></mrow></msub>"
    loss = mathml(parsed("sum_i (s a_i + b - h_i)^2"))
    assert loss.startswith("<mrow><munder><mo>&#x2211;</mo><mi>i</mi></munder><msup><mrow><mo>(</mo>")
    bounded = mathml(Sum(Var("x", "i"), "i", Num(1), Var("n")))
    assert bounded.startswith(
        "<mrow><munderover><mo>&#x2211;</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mi>n</mi>"
    )


def test_declared_functions_and_their_derivatives():
    assert "<msup><mi>f</mi><mo>&#x2032;</mo></msup>" in mathml(Apply("f", (Var("x"),), (0,)))
    assert mathml(Apply("f", (Var("x"), Var("y")), (1,))).startswith("<mrow><msub><mo>&#x2202;</mo><mn>2</mn></msub>")


@pytest.mark.parametrize(("text", "latex"), LATEX_GOLDEN)
def test_brackets_and_times_signs_are_the_latex_printers(text, latex):
    expr = parsed(text)
    assert mathml_reading(element(expr)) == latex_reading(to_latex(expr)) == latex_reading(latex)


@given(trees)
def test_random_trees_are_well_formed_and_read_as_latex_does(expr):
    math = element(expr)
    assert math.get("aria-label") == to_text(expr)
    assert mathml_reading(math) == latex_reading(to_latex(expr))


def _bare(reading: str) -> str:
    return reading.replace("(", "").replace(")", "").lstrip("-")


@given(trees, st.data())
def test_a_mark_lands_on_its_subterm(expr, data):
    paths = [path for path, _ in walk(expr)]
    path = data.draw(st.sampled_from(paths))
    math = element(expr, {path})
    changed = [e for e in math.iter() if e.get("class") == MARK_CLASS]
    assert len(changed) == 1
    # The mark covers the subterm, with its brackets; a term's minus sign is the sum's operator, outside the mark.
    alone = ET.fromstring(to_mathml(get_at(expr, path)))
    assert _bare(mathml_reading(changed[0])) == _bare(mathml_reading(alone))


def test_marks_on_a_power_of_a_call_keep_the_call_whole():
    expr = Pow(Call("sin", (Var("x"),)), Num(2))
    marked = mathml(expr, {(0,)})
    assert marked.startswith('<msup><mrow class="changed"><mrow><mi>sin</mi>')


HOSTILE = ["<script>alert(1)</script>", 'a"b', "x&y", "</math><img src=x onerror=alert(1)>", "'"]


@pytest.mark.parametrize("name", HOSTILE)
def test_user_names_are_escaped(name):
    exprs = [
        Var(name),
        Var("a", name),
        Apply(name, (Var("x"),)),
        Num(Fraction(1, 2), name),
        Sum(Var("x", "i"), name),
        Mul((Num(2), Var(name))),
        Deriv(Var(name), Var(name)),
    ]
    for expr in exprs:
        printed = to_mathml(expr, {()}, mark_class=name)
        math = ET.fromstring(printed)  # well-formed: nothing the name holds became markup
        assert [e.tag for e in math.iter() if not e.tag.startswith("m")] == []
        assert "<script" not in printed and "<img" not in printed


@pytest.mark.parametrize("name", GREEK)
def test_greek_letters(name):
    assert mathml(Var(name)) == f"<mi>{GREEK_SYMBOLS[name]}</mi>"


def test_every_node_is_one_element():
    """Each expression prints as exactly one element, so it can stand as a child of <mfrac>, <msup> or <mroot>."""
    for expr in [Div(Neg(Var("x")), Var("y")), Pow(Var("x1"), Const("e")), Call("cbrt", (Mul((Num(2), Var("x"))),))]:
        for _, node in walk(expr):
            ET.fromstring(mathml(node))
