"""The LaTeX printer: exact lecture-style output for each node kind, marks, and KaTeX accepting everything it prints."""

from __future__ import annotations

from fractions import Fraction

import pytest
from helpers import katex_failures
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import trees

from derivsteps.core.tree import Add, Apply, Deriv, Mul, Num, Pow, Sum, Var, walk
from derivsteps.language.mathlatex import to_latex
from derivsteps.language.parser import parse

GOLDEN = [
    # derivatives: the example, fraction form, the chain rule's ∂f/∂g, a times sign next to a pending one
    ("∂/∂y (x+y+z)^2", r"\frac{\partial}{\partial y}\left(x + y + z\right)^{2}"),
    ("∂x/∂y", r"\frac{\partial x}{\partial y}"),
    ("∂(x+y+z)^2/∂(x+y+z)", r"\frac{\partial \left(x + y + z\right)^{2}}{\partial \left(x + y + z\right)}"),
    ("d/dx sin(x)", r"\frac{\partial}{\partial x}\sin\left(x\right)"),
    ("2 * d/dx x^2", r"2 \cdot \frac{\partial}{\partial x} x^{2}"),
    ("2(x+1) ∂/∂x (x+1)", r"2\left(x + 1\right) \cdot \frac{\partial}{\partial x}\left(x + 1\right)"),
    ("(∂x/∂y)^2", r"\left(\frac{\partial x}{\partial y}\right)^{2}"),
    # products: juxtaposition, and \cdot where the text printer writes ·
    ("2x", "2x"),
    ("3a^2", "3a^{2}"),
    ("2(x+y+z)", r"2\left(x + y + z\right)"),
    ("x^2 sin(x)", r"x^{2} \sin\left(x\right)"),
    ("x sin(x) cos(x)", r"x \sin\left(x\right) \cos\left(x\right)"),
    ("2*3", r"2 \cdot 3"),
    ("x*0.5", r"x \cdot 0.5"),
    ("(x+1)(x-1)", r"\left(x + 1\right) \cdot \left(x - 1\right)"),
    ("x(x+1)", r"x\left(x + 1\right)"),
    ("2 pi r", r"2\pi r"),
    ("speed t", r"\mathrm{speed} t"),
    # sums, subtraction, negation
    ("6a - b + 1", "6a - b + 1"),
    ("-x^2", "-x^{2}"),
    ("a - (-b)", r"a - \left(-b\right)"),
    ("-(-x)", r"-\left(-x\right)"),
    # quotients and numbers
    ("1/2", r"\frac{1}{2}"),
    ("x/(y+1)", r"\frac{x}{y + 1}"),
    ("x/y*z", r"\left(\frac{x}{y}\right)z"),
    ("(a/b)^2", r"\left(\frac{a}{b}\right)^{2}"),
    ("0.01 x", "0.01x"),
    # powers
    ("(x+1)^2", r"\left(x + 1\right)^{2}"),
    ("x^(a+b)", "x^{a + b}"),
    ("e^(-x^2)", "e^{-x^{2}}"),
    ("sin(x)^2", r"\sin^{2}\left(x\right)"),
    ("cos(x)^3 sin(x)", r"\cos^{3}\left(x\right) \sin\left(x\right)"),
    ("sin(x)^-1", r"\sin\left(x\right)^{-1}"),
    ("sqrt(x)^2", r"\sqrt{x}^{2}"),
    # functions
    (
        "tan(x) + cot(x) + sec(x) + csc(x)",
        r"\tan\left(x\right) + \cot\left(x\right) + \sec\left(x\right) + \csc\left(x\right)",
    ),
    ("asin(x) + acos(x) + atan(x)", r"\arcsin\left(x\right) + \arccos\left(x\right) + \arctan\left(x\right)"),
    ("sinh(x) + cosh(x) + tanh(x)", r"\sinh\left(x\right) + \cosh\left(x\right) + \tanh\left(x\right)"),
    ("exp(x) + ln(x) + log(x)", r"\exp\left(x\right) + \ln\left(x\right) + \log\left(x\right)"),
    ("log_2(x) + log(x, b)", r"\log_{2}\left(x\right) + \log_{b}\left(x\right)"),
    ("sqrt(x^2+1)", r"\sqrt{x^{2} + 1}"),
    ("|x - 1|", r"\left|x - 1\right|"),
    # names
    ("theta^2 + sin(alpha_1)", r"\theta^{2} + \sin\left(\alpha_{1}\right)"),
    ("a_i + w_{ij} + x_1 + x1", "a_{i} + w_{ij} + x_{1} + x1"),
    ("e^x + pi", r"e^{x} + \pi"),
    # abstract functions and sums over an index
    ("f'(x) + f''(x) + g(x, y)", r"f'\left(x\right) + f''\left(x\right) + g\left(x, y\right)"),
    ("sum_i x_i^2", r"\sum_{i} x_{i}^{2}"),
    ("sum_{i=1}^{n} (x_i - 1)", r"\sum_{i=1}^{n} \left(x_{i} - 1\right)"),
]

x, y = Var("x"), Var("y")

# Trees the parser never builds but rules and callers do.
GOLDEN_TREES = [
    ("fraction", Num(Fraction(3, 4)), r"\frac{3}{4}"),
    ("fraction_factor", Mul((Num(Fraction(1, 2)), x)), r"\left(\frac{1}{2}\right)x"),
    ("decimal_as_typed", Num(Fraction(1, 4), "0.250"), "0.250"),
    ("partial_of_g", Apply("g", (x, y), (0,)), r"\partial_{1} g\left(x, y\right)"),
    ("mixed_partial", Apply("g", (x, y), (0, 1)), r"\partial_{1}\partial_{2} g\left(x, y\right)"),
    ("omicron", Var("omicron"), "o"),
    ("lower_bound_only", Sum(Var("x", "i"), "i", Num(0)), r"\sum_{i=0} x_{i}"),
    (
        "deriv_of_deriv",
        Deriv(Deriv(x, y), Add((x, y))),
        r"\frac{\partial \left(\frac{\partial x}{\partial y}\right)}{\partial \left(x + y\right)}",
    ),
]

MARKED = [
    ("2x + sin(x)^2", [(1,)], r"2x + \underline{\sin^{2}\left(x\right)}"),
    ("2x + sin(x)^2", [(1, 0)], r"2x + \underline{\sin\left(x\right)}^{2}"),  # a marked call gives up the lecture form
    ("2x + sin(x)^2", [(1, 0, 0)], r"2x + \sin^{2}\left(\underline{x}\right)"),
    ("a - b", [(1,)], r"a - \underline{b}"),  # the sign is the operator, so the mark covers the magnitude
    ("2(x+1)", [(1,)], r"2\underline{\left(x + 1\right)}"),  # spacing is decided as if unmarked
    (
        "∂/∂y (x+y+z)^2",
        [(), (0, 0, 2)],
        r"\underline{\frac{\partial}{\partial y}\left(x + y + \underline{z}\right)^{2}}",
    ),
]


def _parse(text: str):
    return parse(text, variables=["speed"], functions=["f", "g"]).expr


@pytest.mark.parametrize(("text", "expected"), GOLDEN, ids=[text for text, _ in GOLDEN])
def test_golden(text, expected):
    assert to_latex(_parse(text)) == expected


@pytest.mark.parametrize(
    ("tree", "expected"), [(t, e) for _, t, e in GOLDEN_TREES], ids=[name for name, _, _ in GOLDEN_TREES]
)
def test_golden_trees(tree, expected):
    assert to_latex(tree) == expected


@pytest.mark.parametrize(("text", "marks", "expected"), MARKED, ids=[f"{t} {m}" for t, m, _ in MARKED])
def test_marks(text, marks, expected):
    assert to_latex(_parse(text), marks=marks) == expected


def test_mark_macro_is_configurable():
    assert to_latex(Pow(x, Num(2)), marks=[(0,)], mark_macro=r"\boxed") == r"\boxed{x}^{2}"


@given(trees, st.data())
def test_every_mark_shows_exactly_once(tree, data):
    path, _ = data.draw(st.sampled_from(list(walk(tree))), label="marked node")
    assert to_latex(tree, marks=[path], mark_macro=r"\MARK").count(r"\MARK{") == 1


# -- KaTeX --------------------------------------------------------------------------------------------------------


def test_golden_outputs_render_in_katex():
    latex = (
        [expected for _, expected in GOLDEN] + [expected for _, _, expected in GOLDEN_TREES] + [e for _, _, e in MARKED]
    )
    assert katex_failures(latex) == []


def test_random_trees_render_in_katex():
    collected: list[tuple[object, str]] = []

    # Collect first, render once: one node process for the whole batch instead of one per example.
    @settings(max_examples=300, database=None)
    @given(trees, st.data())
    def collect(tree, data):
        path, _ = data.draw(st.sampled_from(list(walk(tree))))
        collected.append((tree, to_latex(tree)))
        collected.append((tree, to_latex(tree, marks=[path])))

    collect()
    failures = katex_failures([latex for _, latex in collected])
    assert not failures, "\n".join(
        f"{f['latex']}\n  {f['error']}\n  from {collected[f['index']][0]!r}" for f in failures[:5]
    )
