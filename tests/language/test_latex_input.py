"""Reading LaTeX: each construct gives the tree the text parser gives for the same math, notes name the readings, errors come in words with a column, and to_latex reads back."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark import Lark
from strategies import elementary_branches, leaves, trees

from derivsteps.core import limits
from derivsteps.core.errors import InputError, LimitError, ParseError, UnknownFunctionError
from derivsteps.core.tree import Add, Apply, Call, Const, Deriv, Mul, Neg, Num, Pow, Sum, Var
from derivsteps.language.latex_reader import _TokenFeed, read_latex
from derivsteps.language.mathlatex import to_latex
from derivsteps.language.parser import grammar_text, parse

x, y, z, n = Var("x"), Var("y"), Var("z"), Var("n")
DECLARED = {"variables": frozenset({"speed"}), "functions": frozenset({"f", "g"})}


def same_as_text(latex: str, text: str, **declared):
    return pytest.param(latex, text, declared, id=latex)


# -- each construct reads as the text parser reads the same math -----------------------------------------------------------
SAME_AS_TEXT = [
    # numbers, letters, names
    same_as_text("7", "7"),
    same_as_text("0.01", "0.01"),
    same_as_text("2.50", "2.50"),
    same_as_text(".5", ".5"),
    same_as_text("0.5x", "0.5x"),
    same_as_text("xy", "x*y"),
    same_as_text("x1 + e1", "x1 + e1"),
    same_as_text("x_1 + x_{1} + a_i + w_{ij}", "x_1 + x_1 + a_i + w_{ij}"),
    same_as_text(r"\alpha + \theta_{1} + \omega", "alpha + theta_1 + omega"),
    same_as_text(r"\varepsilon", "epsilon"),
    same_as_text(r"\pi r^2", "pi r^2"),
    same_as_text("e", "e"),
    same_as_text(r"\mathrm{e}^{x}", "e^x"),
    same_as_text(r"\operatorname{e}", "e"),
    same_as_text(r"\mathrm{x}", "x"),
    same_as_text(r"\mathrm{speed} t", "speed t", variables=frozenset({"speed"})),
    same_as_text("speed t", "speed t", variables=frozenset({"speed"})),
    same_as_text(
        r"\frac{\partial}{\partial \mathrm{speed}}\left(-x\right)", "∂/∂speed (-x)", variables=frozenset({"speed"})
    ),
    # operators and implicit products
    same_as_text(r"a - b - c", "a - b - c"),
    same_as_text(r"-x^2", "-x^2"),
    same_as_text(r"x \cdot y \times z * 2", "x*y*z*2"),
    same_as_text(r"x\sin x", "x sin(x)"),
    same_as_text(r"2\left(x+1\right)", "2(x+1)"),
    same_as_text(r"x \div y", "x/y"),
    same_as_text("a/b/c", "a/b/c"),
    same_as_text(r"\frac{a}{b}c", "a/b c"),
    same_as_text(r"\frac{x}{y + 1}", "x/(y+1)"),
    same_as_text(r"\dfrac{a}{b} + \tfrac{a}{b}", "a/b + a/b"),
    same_as_text(r"\frac12", "1/2"),
    same_as_text(r"\frac1x", "1/x"),
    same_as_text(r"x^2 + x^{2}", "x^2 + x^2"),
    same_as_text(r"x^{-1}", "x^-1"),
    same_as_text(r"e^{2x}", "e^(2x)"),
    same_as_text(r"2^{3^{4}}", "2^3^4"),
    same_as_text(r"x^2^3", "x^(2^3)"),
    same_as_text(r"\sqrt{x}", "sqrt(x)"),
    same_as_text(r"\sqrt x", "sqrt(x)"),
    same_as_text(r"\sqrt[3]{x}", "cbrt(x)"),
    same_as_text(r"\sqrt[2]{x}", "sqrt(x)"),
    same_as_text(r"\sqrt[n]{x}", "x^(1/n)"),
    # brackets
    same_as_text(r"\left(x + y\right) + z", "(x+y)+z"),
    same_as_text(r"[x+1]^2", "[x+1]^2"),
    same_as_text(r"\left[x+1\right] \cdot \left(x-1\right)", "[x+1]*(x-1)"),
    same_as_text(r"\{x+1\}^2", "(x+1)^2"),
    same_as_text(r"\left\{x+1\right\}", "(x+1)"),
    same_as_text(r"\bigl( x \bigr) + \big[ y \big]", "(x) + [y]"),
    same_as_text(r"|x - 1|", "|x - 1|"),
    same_as_text(r"\left|x\right|", "|x|"),
    same_as_text(r"\lvert x \rvert", "|x|"),
    same_as_text(r"\left\lvert x \right\rvert", "|x|"),
    # functions
    same_as_text(r"\sin\left(x\right)", "sin(x)"),
    same_as_text(r"\sin x", "sin(x)"),
    same_as_text(r"\sin x \cos x", "sin(x) cos(x)"),
    same_as_text(r"\ln x^2", "ln(x^2)"),
    same_as_text(r"\ln\left|x\right|", "ln|x|"),
    same_as_text(r"\sin \frac{\pi}{2}", "sin(pi/2)"),
    same_as_text(r"\sin \sin x", "sin(sin(x))"),
    same_as_text(r"\sin^2 x", "sin(x)^2"),
    same_as_text(r"\sin^{2}\left(x\right)", "sin(x)^2"),
    same_as_text(r"\sin\left(x\right)^{-1}", "sin(x)^-1"),
    same_as_text(r"\tan x + \cot x + \sec x + \csc x", "tan(x) + cot(x) + sec(x) + csc(x)"),
    same_as_text(r"\arcsin x + \arccos x + \arctan x", "asin(x) + acos(x) + atan(x)"),
    same_as_text(r"\sinh x + \cosh x + \tanh x + \coth x", "sinh(x) + cosh(x) + tanh(x) + coth(x)"),
    same_as_text(r"\exp x + \exp(x)", "exp(x) + exp(x)"),
    same_as_text(r"\log_{2} x", "log_2(x)"),
    same_as_text(r"\log_2(x)", "log_2(x)"),
    same_as_text(r"\log_{b} x", "log(x, b)"),
    same_as_text(r"\log\left(x, 2\right)", "log(x, 2)"),
    same_as_text(r"\lg x", "log10(x)"),
    same_as_text(r"\operatorname{sech}(x) + \mathrm{csch}(x)", "sech(x) + csch(x)"),
    same_as_text(r"\operatorname{arsinh} x", "asinh(x)"),
    same_as_text(
        r"\operatorname{sgn}(x) + \operatorname{sigmoid}(x) + \operatorname{softplus}(x)",
        "sgn(x) + sigmoid(x) + softplus(x)",
    ),
    same_as_text(r"f'(x) + f''\left(x\right) + g(x, y)", "f'(x) + f''(x) + g(x, y)", functions=frozenset({"f", "g"})),
    # derivatives
    same_as_text(r"\frac{d}{dx} x^2", "d/dx x^2"),
    same_as_text(r"\frac{\mathrm{d}}{\mathrm{d}x} x^2", "d/dx x^2"),
    same_as_text(r"\frac{\partial}{\partial y}\left(x + y\right)^{2}", "∂/∂y (x+y)^2"),
    same_as_text(r"\frac{d}{dx}\left(x^{2}\right) + 1", "d/dx (x^2) + 1"),
    same_as_text(r"\frac{d}{dx} 3x^2 + 2x + 1", "d/dx (3x^2 + 2x + 1)"),
    same_as_text(r"1 + \frac{d}{dx} x^2 + 3", "1 + d/dx (x^2 + 3)"),
    same_as_text(r"x \cdot \frac{d}{dx} x^2 + 1", "x * d/dx (x^2 + 1)"),
    same_as_text(r"-\frac{d}{dx} x + 1", "-d/dx (x + 1)"),
    same_as_text(r"2\left(x+y\right) \cdot \frac{\partial}{\partial y}\left(x+y\right)", "2(x+y) ∂/∂y (x+y)"),
    same_as_text(r"\frac{d}{dx}[x^2]", "d/dx [x^2]"),
    same_as_text(r"\frac{d(x^2)}{dx}", "d/dx (x^2)"),
    same_as_text(r"\frac{dy}{dx}", "∂y/∂x"),
    same_as_text(r"\frac{\partial x}{\partial y}", "∂x/∂y"),
    same_as_text(
        r"\frac{\partial f}{\partial x}", "∂f/∂x"
    ),  # f not declared: a declared f needs its arguments, as in text
    same_as_text(r"\frac{\partial u}{\partial \left(x + y\right)}", "∂u/∂(x+y)"),
    same_as_text(r"\frac{\partial}{\partial x_{1}} x_1^2", "∂/∂x_1 x_1^2"),
    same_as_text(r"\frac{d}{d\theta} \theta^2", "d/dθ θ^2"),
    same_as_text(r"d/dx\, x^2", "d/dx x^2"),
    # sums over an index
    same_as_text(r"\sum_{i} x_i", "sum_i x_i"),
    same_as_text(r"\sum_i a_i h_i", "sum_i (a_i h_i)"),
    same_as_text(r"\sum_i a_i h_i + 1", "sum_i (a_i h_i) + 1"),
    same_as_text(r"2 \sum_i a_i", "2 sum_i a_i"),
    same_as_text(r"\sum_{i=1}^{n} x_i^2", "sum_{i=1}^{n} x_i^2"),
    same_as_text(r"\sum\limits_{i=1}^n x_i", "sum_{i=1}^{n} x_i"),
    same_as_text(r"\sum^{n}_{i=1} x_i", "sum_{i=1}^{n} x_i"),
    same_as_text(r"\sum_i \frac{\partial}{\partial w}\left(y_i - w x_i\right)^2", "sum_i (∂/∂w (y_i - w x_i)^2)"),
    # what prints nothing, and the math delimiters
    same_as_text(r"\, x \; + \: y \! \quad + \qquad 1 \ + ~2", "x + y + 1 + 2"),
    same_as_text(r"\left. x \right.", "x"),
    same_as_text(r"\displaystyle x % a comment", "x"),
    same_as_text("$x^2$", "x^2"),
    same_as_text(" $$x^2$$ ", "x^2"),
    same_as_text(r"\(x\)", "x"),
    same_as_text(r"\[x + 1\]", "x+1"),
    same_as_text("α + π", "alpha + pi"),
]


@pytest.mark.parametrize(("latex", "text", "declared"), SAME_AS_TEXT)
def test_reads_as_the_text_parser_reads_the_same_math(latex, text, declared):
    as_text = {name: sorted(names) for name, names in declared.items()}
    assert read_latex(latex, **declared)[0] == parse(text, **as_text).expr


# -- trees the text syntax cannot write the same way ------------------------------------------------------------------------
TREES = [
    (r"\sin 2x", Call("sin", (Mul((Num(2), x)),))),  # the text parser reads sin 2x as sin(2)·x
    (r"\sin x y", Call("sin", (Mul((x, y)),))),  # math mode ignores the space: it looks exactly like \sin xy
    (r"\sin^{-1} x", Call("asin", (x,))),
    (r"\tan^{-1}(x)", Call("atan", (x,))),
    (r"\partial_{1} g\left(x, y\right)", Apply("g", (x, y), (0,))),
    (r"\partial_{1}\partial_{2} g\left(x, y\right)", Apply("g", (x, y), (0, 1))),
    (r"\mathrm{speed}_{i}", Var("speed", "i")),
]


@pytest.mark.parametrize(("latex", "tree"), TREES, ids=[latex for latex, _ in TREES])
def test_trees(latex, tree):
    assert read_latex(latex, **DECLARED)[0] == tree


# -- notes: how an ambiguous part was read ---------------------------------------------------------------------------------
NOTES = [
    (r"\sin 2x", ["read \\sin 2x as sin(2x)"]),
    (r"\cos 2\pi x", ["read \\cos 2\\pi x as cos(2\\pi x)"]),
    (r"\sin^{2} 2x", ["read \\sin^{2} 2x as sin^{2}(2x)"]),
    (r"\sin x", []),
    (
        r"\sin^{-1} x",
        ["read \\sin^{-1} x as arcsin(x), the inverse function; write \\left(\\sin x\\right)^{-1} for 1/sin(x)"],
    ),
    (
        r"\tan^{-1}\left(x\right)",
        [
            "read \\tan^{-1}\\left(x\\right) as arctan(x), the inverse function; write \\left(\\tan x\\right)^{-1} for 1/tan(x)"
        ],
    ),
    (
        r"\frac{d}{dx}\left(x^{2}\right) + 1",
        [
            "read \\frac{d}{dx}\\left(x^{2}\\right) + 1 as (\\frac{d}{dx}\\left(x^{2}\\right)) + 1: an operator followed by a bracket "
            "differentiates only the term the bracket starts; put the whole sum inside the bracket to differentiate all of it"
        ],
    ),
    (r"\frac{d}{dx}\left(x^{2} + 1\right)", []),
    (r"\frac{d}{dx} x^{2} + 1", []),
    ("sin x", ["read sin as the function \\sin: in LaTeX, plain letters are variables"]),
    (r"\mathrm{speed} t", ["read \\mathrm{speed} as the variable speed"]),
    ("xy", []),  # math mode: letters side by side are a product, nothing to note
]


@pytest.mark.parametrize(("latex", "notes"), NOTES, ids=[latex for latex, _ in NOTES])
def test_notes(latex, notes):
    assert read_latex(latex)[1] == notes


# -- the round trip ----------------------------------------------------------------------------------------------------------
@given(trees)
def test_reading_printed_latex_gives_the_same_tree(tree):
    latex = to_latex(tree)
    assert read_latex(latex)[0] == tree, latex


_declared_leaves = st.one_of(
    leaves,
    st.sampled_from([Var("speed"), Var("speed", "i")]),
)


def _with_functions_and_bounds(children):
    return st.one_of(
        elementary_branches(children),
        st.tuples(st.sampled_from(["f", "g"]), st.lists(children, min_size=1, max_size=2)).flatmap(
            lambda p: st.sampled_from([(), (0,)] + ([(0, 0)] if len(p[1]) == 1 else [(1,), (0, 1)])).map(
                lambda derivs: Apply(p[0], tuple(p[1]), derivs)
            )
        ),
        st.tuples(children, st.one_of(st.none(), st.just(Num(1))), st.one_of(st.none(), st.just(n))).map(
            lambda p: Sum(p[0], "i", p[1], p[2] if p[1] is not None else None)
        ),
        st.tuples(children, st.sampled_from([x, y, Var("x", "1"), Var("theta")])).map(lambda p: Deriv(*p)),
        st.tuples(children, children).map(lambda p: Deriv(*p)),
    )


@settings(max_examples=300)
@given(st.recursive(_declared_leaves, _with_functions_and_bounds, max_leaves=10))
def test_reading_printed_latex_gives_the_same_tree_with_declared_names(tree):
    latex = to_latex(tree)
    assert read_latex(latex, **DECLARED)[0] == tree, latex


def _nested_abs() -> Call:
    inner = Call("abs", (Add((x, Neg(Mul((x, Call("abs", (x,))))))),))
    return Mul((x, Call("abs", (Add((x, Neg(Mul((x, inner))))),))))


ROUND_TRIP = [
    Apply("f", (x,), (0, 0)),
    Apply("g", (x, y), (0, 1)),
    Pow(Apply("f", (x,)), Num(2)),
    Sum(Var("x", "i"), "i", Num(1), n),
    Sum(Var("x", "i"), "i", Num(0)),
    Sum(Mul((Var("a", "i"), Var("h", "i"))), "i"),
    Mul((Sum(Var("a", "i"), "i"), Var("h", "i"))),
    Neg(Sum(x, "i")),
    Sum(Deriv(Pow(Var("x", "i"), Num(2)), x), "i"),
    Deriv(Deriv(x, y), Add((x, y))),
    Deriv(Pow(Add((x, y, z)), Num(2)), Add((x, y, z))),
    Deriv(Call("sin", (x,)), Call("sin", (x,))),
    Deriv(Pow(x, Num(2)), Const("e")),
    Add((Deriv(Pow(x, Num(2)), x), Num(1))),
    Mul((Num(2), Deriv(Pow(x, Num(2)), x), y)),
    Add((Mul((x, Deriv(Call("abs", (x,)), x))), y)),
    Mul((Deriv(x, y), Deriv(y, x))),
    Pow(Deriv(x, y), Num(2)),
    _nested_abs(),
    Mul((Var("speed"), Var("t"))),
    Call("cbrt", (x,)),
    Pow(Call("sin", (x,)), Neg(Num(1))),
    Call("log", (x, Var("w", "ij"))),
    Pow(Call("log", (x, Num(2))), Num(2)),
    Mul((Var("sigma"), Add((x, Num(1))))),
    Call("sigmoid", (x,)),
    Call("asec", (x,)),
    Call("acosh", (x,)),
]


@pytest.mark.parametrize("tree", ROUND_TRIP, ids=[to_latex(tree) for tree in ROUND_TRIP])
def test_round_trip_by_hand(tree):
    assert read_latex(to_latex(tree), **DECLARED)[0] == tree


# -- errors in words, at a column of the original text -----------------------------------------------------------------------
ERRORS = [
    ("", ParseError, "the expression is empty", None),
    ("$ $", ParseError, "the expression is empty", None),
    ("x^{2", ParseError, "unclosed '{'", 3),
    (r"\frac{1}{2", ParseError, "unclosed '{'", 9),
    (r"\left(x + 1", ParseError, "unclosed parenthesis '\\left('", 1),
    (r"x + 1\right)", ParseError, "unmatched '\\right)': nothing opened before it", 6),
    ("(x]", ParseError, "']' closes the '(' opened at column 1", 3),
    (r"\left| x", ParseError, "unclosed absolute value bar '\\left|'", 1),
    (r"\foo x", ParseError, "unknown LaTeX command \\foo", 1),
    (r"x + \sinn x", ParseError, "unknown LaTeX command \\sinn", 5),
    (r"\frac{1}", ParseError, "\\frac needs two arguments in braces", 1),
    (r"\frac{1}+2", ParseError, "\\frac needs two arguments in braces", 1),
    (r"\sqrt", ParseError, "\\sqrt needs an argument in braces", 1),
    ("x^", ParseError, "'^' needs an exponent", 2),
    ("x^23", ParseError, "in LaTeX ^23 means ^{2}3: only one character follows without braces", 2),
    ("x_12", ParseError, "in LaTeX _12 means _{1}2", 2),
    (r"\int x dx", ParseError, "integrals are not supported; derivsteps differentiates", 1),
    (r"\lim_{x} x", ParseError, "limits are not supported; derivsteps differentiates", 1),
    (r"\lVert x \rVert", ParseError, "norms are not supported; write \\left|x\\right| for an absolute value", 1),
    ("x = 1", ParseError, "'=' is not part of an expression", 3),
    (r"\operatorname{foo}(x)", UnknownFunctionError, "unknown function foo", 1),
    (r"\sin", ParseError, "\\sin needs an argument", 5),
    (r"\sin + x", ParseError, "\\sin needs an argument", 6),
    (r"\sin -x", ParseError, "a negative argument of \\sin needs brackets", 6),
    (r"\ln^{-1} x", ParseError, "\\ln^{-1} would be the inverse function of ln, which derivsteps does not know", 1),
    (r"\sin_2 x", ParseError, "only \\log takes a base, not \\sin", 1),
    (r"\frac{d}{dx}", ParseError, "\\frac{d}{dx} needs something to differentiate", 13),
    (
        r"\frac{\partial}{\partial (x+y)} x",
        ParseError,
        "a derivative operator takes one variable, as in \\frac{d}{dx}",
        17,
    ),
    (r"\frac{d^2}{dx^2} x", ParseError, "higher derivatives such as \\frac{d^2}{dx^2} are not read yet", 1),
    (r"\partial x", ParseError, "a differential d or \\partial belongs in a derivative", 1),
    ("f x", ParseError, "f needs its arguments in brackets", 3),
    ("x 2", ParseError, "a number cannot follow the variable x without an operator", 3),
    ("x +", ParseError, "the expression ends too early: expected a number, a variable or a bracket after '+'", 4),
    ("()", ParseError, "the brackets are empty", 2),
    ("x, y", ParseError, "a comma only separates the arguments of a function, as in \\log\\left(x, 2\\right)", 2),
    (r"\sum x", ParseError, "\\sum needs its index, as in \\sum_{i} x_{i}", 1),
    (r"\sum_{i=1}^{n}", ParseError, "\\sum_{i=1}^{n} needs something to sum", 15),
    (r"\pi_1", ParseError, "'_' makes a subscript: only a variable, \\log or \\sum takes one here", 4),
    ("x'", ParseError, "a prime (') marks the derivative of a declared function and goes right after its name", 2),
    ("$x", ParseError, "the math opened with $ is not closed", 1),
    ("$x + ^$", ParseError, "'^' needs an exponent", 6),  # a column of the text as given, $ included
    ("$x + $", ParseError, "the expression ends too early: expected a number, a variable or a bracket after '+'", 5),
    (r"\log(x, 2, 3)", UnknownFunctionError, "log takes one or two arguments (the second is the base), not 3", 1),
    (r"\partial_{3} g(x, y)", UnknownFunctionError, "\\partial_{3} names argument 3, but g has 2", 1),
]


@pytest.mark.parametrize(("latex", "kind", "message", "column"), ERRORS, ids=[latex or "empty" for latex, *_ in ERRORS])
def test_errors(latex, kind, message, column):
    with pytest.raises(kind) as caught:
        read_latex(latex, functions=frozenset({"f", "g"}))
    assert caught.value.message == message
    assert (caught.value.position.column if caught.value.position else None) == column


def test_an_unknown_command_suggests_the_nearest_known_one():
    with pytest.raises(ParseError) as caught:
        read_latex(r"\sinn x")
    assert caught.value.hint == "did you mean \\sin?"


@pytest.mark.parametrize(
    "latex",
    [
        "\\left(" * 150 + "x" + "\\right)" * 150,
        "{" * 150 + "x" + "}" * 150,
        "-" * 500 + "x",
        "\\sin " * 500 + "x",
        "\\frac{1}{" * 120 + "x" + "}" * 120,
    ],
    ids=["brackets", "braces", "minus signs", "functions", "fractions"],
)
def test_deep_nesting_is_a_limit_error(latex):
    with pytest.raises(LimitError, match="MAX_DEPTH"):
        read_latex(latex)


def test_a_long_input_is_a_limit_error_and_a_long_flat_sum_is_fine():
    with pytest.raises(LimitError, match="MAX_INPUT_LENGTH"):
        read_latex("x" * (limits.MAX_INPUT_LENGTH + 1))
    assert len(read_latex("+".join(["x"] * 3000))[0].terms) == 3000


_PIECES = [
    "x", "2", "0.5", "e", "d", "dx", "\\frac", "{", "}", "(", ")", "[", "]", "\\left(", "\\right)", "\\left|", "\\right|", "|", "^", "_",
    "+", "-", "\\cdot", "/", "\\sin", "\\log", "\\sqrt", "\\sum", "\\partial", " ", "'", ",", "=", "\\mathrm{d}", "\\pi", "f",
    "\\frac{d}{dx}", "\\partial_{1}", "$", "\\{", "\\}", "[3]", "\\left.", "sin", "_{i=1}^{n}", "%", "\n",
]  # fmt: skip


@settings(max_examples=500)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=12).map("".join))
def test_any_input_gives_a_tree_or_an_input_error(latex):
    try:
        read_latex(latex, functions=frozenset({"f"}))
    except InputError:
        pass


# -- the grammar ----------------------------------------------------------------------------------------------------------------
def test_grammar_is_conflict_free_in_strict_mode():
    pytest.importorskip("interegular")  # lark's strict mode needs it: the [test] extra has lark[interegular]
    Lark(grammar_text("latex.lark"), parser="lalr", lexer=_TokenFeed, strict=True)


def test_the_reader_is_loaded_only_when_used():
    code = (
        "import sys, derivsteps, derivsteps.language.parser; print('derivsteps.language.latex_reader' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
