"""The LaTeX renderer: golden align* blocks for the seed examples, labels, marks, verdicts, and KaTeX accepting it all."""

from __future__ import annotations

import pytest
from golden_util import SEED_CASES, assert_golden, seed_derivation
from helpers import katex_failures, random_derivations
from hypothesis import given, settings
from strategies import diff_trees, trees

from derivsteps.calculus.derivative import differentiate
from derivsteps.core.derivation import Rewrite, Step, Verification
from derivsteps.core.tree import Num, Var, get_at
from derivsteps.render.latex import label_latex, latex_rows, line_marks, render_latex, text_latex

x = Var("x")


@pytest.mark.parametrize("case", SEED_CASES)
def test_golden(case, pytestconfig):
    assert_golden(pytestconfig, f"{case}.tex", render_latex(seed_derivation(case)))


def test_question_2_reads_like_the_lecture():
    latex = render_latex(seed_derivation("sum_squared_wrt_y"))
    rows = latex.split("\n")
    assert rows[0] == r"\begin{align*}" and rows[-2:] == [r"\end{align*}", ""]
    assert (
        rows[2]
        == r"& \frac{\partial}{\partial y}\left(x + y + z\right)^{2} && \text{treat }x, z\text{ as constants} \\"
    )
    labels = [row.split(" && ")[1].removesuffix(r" \\") for row in rows[3:-3]]
    assert labels == [
        r"\text{chain rule}",
        r"\text{exponent rule}",
        r"\text{sum rule}",
        r"\text{constant rule; }\partial y / \partial y = 1",
        r"\text{arithmetic}",
    ]
    assert rows[-3] == r"& \checkmark\ \text{verified: equals SymPy's derivative (symbolic)}"
    assert r"\tag" not in latex


def test_one_row_per_line_at_every_detail():
    derivation = seed_derivation("gradient_wrt_a")
    for detail in ("brief", "normal", "full"):
        rows = latex_rows(derivation, detail=detail)
        assert len(rows) == 1 + len(derivation.lines(detail))
        assert all(row.startswith("&= ") for row in rows[1:])


def test_without_steps_shows_start_and_result():
    rows = latex_rows(seed_derivation("gradient_wrt_b"), steps=False)
    assert rows == [
        r"& \frac{\partial}{\partial b}\left(3a^{2} + b^{2} - ab + a\right) && \text{treat }a\text{ as constant}",
        "&= 2b - a",
    ]


def test_read_as_and_warnings_are_comments_inside_the_environment():
    latex = render_latex(seed_derivation("gradient_wrt_a"))
    # A notebook shows text outside the environment raw, so nothing but the environment may be there.
    assert latex.startswith("\\begin{align*}\n% read as: 3a^2 + b^2 - ab + a\n% note: read ab as a·b\n&")


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        (Verification(True, "symbolic"), r"\checkmark\ \text{verified: equals SymPy's derivative (symbolic)}"),
        (
            Verification(True, "numeric", "equal at 6 random points"),
            r"\checkmark\ \text{verified: equals SymPy's derivative (numeric, at random points)}",
        ),
        (
            Verification(None, None, "only 2 of the random points gave finite values"),
            r"\text{? could not verify (only 2 of the random points gave finite values)}",
        ),
        (
            Verification(False, "numeric", "the values differ at x=0.5: 1 vs 2", Num(2)),
            r"\times\ \text{disagrees with SymPy: SymPy gives }2\text{ (the values differ at x=0.5: 1 vs 2) - this is a bug in derivsteps, please report it}",
        ),
    ],
    ids=["symbolic", "numeric", "undecided", "disagrees"],
)
def test_verdicts(check, expected):
    derivation = differentiate("x^2", "x").with_verification(check)
    assert render_latex(derivation).splitlines()[-2] == "& " + expected


def test_no_verdict_row_when_not_checked():
    assert render_latex(differentiate("x^2", "x")).splitlines()[-2].startswith("&= 2x")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("chain rule", r"\text{chain rule}"),
        ("derivative of e^x", r"\text{derivative of }e^{x}"),
        ("derivative of |x|", r"\text{derivative of }| x |"),
        ("50% of a_b & {c} ~ #1 \\", r"\text{50\% of a\_b \& \{c\} \textasciitilde{} \#1 \textbackslash{}}"),
        ("x·y ≤ π", r"\text{x}\cdot\text{y }\leq \pi"),
        ("n² and xⁿ⁻¹", r"\text{n}^{2}\text{ and x}^{n} ^{-} ^{1}"),
    ],
)
def test_text_is_escaped_for_latex(text, expected):
    assert text_latex(text) == expected


def test_label_fills_bindings_as_math():
    derivation = differentiate("f(x^2)", "x", functions=["f"])
    labels = [label_latex(line) for line in derivation.lines()]
    assert r"\text{chain rule for }f" in labels


# -- marks --------------------------------------------------------------------------------------------------------


def _line(*rewrites: tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]) -> Step:
    return Step(tuple(Rewrite("r", path, {}, new_paths) for path, new_paths in rewrites), x, x, "simplify")


@pytest.mark.parametrize(
    ("line", "marks"),
    [
        (_line(((2,), ((2,),))), ((2,),)),
        (_line(((0,), ((0,), (1,)))), ((0,), (1,))),  # spliced into the parent: both parts
        (_line(((2,), ((2,),)), ((0,), ((0,), (1,)))), ((2 + 1,), (0,), (1,))),  # a later splice moves a sibling on
        (_line(((1, 0), ((1, 0),)), ((1,), ((1,),))), ((1,),)),  # a later rewrite around it swallows the first
        (_line(((1, 0), ((1, 0),)), ((1, 0, 2), ((1, 0, 2),))), ((1, 0),)),  # inside it: the outer mark covers it
        (_line(((0,), ((0,),)), ((), ((),))), ()),  # the whole expression: no mark
    ],
    ids=["one", "spliced", "shifted", "swallowed", "nested", "root"],
)
def test_marks_follow_later_rewrites_of_the_line(line, marks):
    assert line_marks(line) == marks


def test_question_2_underlines_the_new_parts():
    rows = latex_rows(seed_derivation("sum_squared_wrt_y"))
    assert r"\underline{2}\underline{\left(x + y + z\right)} \cdot" in rows[2]
    assert r"\left(\underline{0} + \underline{1} + \underline{0}\right)" in rows[4]
    assert r"\underline" not in rows[1] + rows[5]  # the chain rule and the last tidy-up rewrite everything


@settings(max_examples=150)
@given(diff_trees)
def test_marks_point_into_the_line(tree):
    derivation = differentiate(tree, x)
    for detail in ("brief", "normal", "full"):
        for line in derivation.lines(detail):
            for mark in line_marks(line):
                get_at(line.after, mark)  # raises if the mark were left behind by a later rewrite of the line
    for step in derivation.steps:
        assert line_marks(step) == tuple(p for p in step.new_paths if p)


# -- KaTeX --------------------------------------------------------------------------------------------------------


def _assert_katex_renders(latex: list[str]) -> None:
    failures = katex_failures(latex)
    assert not failures, "\n".join(f"{f['latex']}\n  {f['error']}" for f in failures[:3])


def test_golden_outputs_render_in_katex():
    derivations = [seed_derivation(case) for case in SEED_CASES]
    checks = [Verification(None, None, "100% sure? no_way & {x}"), Verification(False, "symbolic", "x^2 ≠ y", Num(2))]
    derivations += [differentiate("x^2", "x").with_verification(check) for check in checks]
    latex = [render_latex(d, detail=detail) for d in derivations for detail in ("brief", "normal", "full")]
    latex += [render_latex(d, steps=False) for d in derivations]
    _assert_katex_renders(latex)


def test_random_derivations_render_in_katex():
    derivations = random_derivations(diff_trees, 150) + random_derivations(trees, 150)
    _assert_katex_renders([render_latex(d, detail=detail) for d in derivations for detail in ("normal", "full")])
