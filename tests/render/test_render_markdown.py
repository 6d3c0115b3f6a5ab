"""The Markdown renderer: golden write-ups for the seed examples, the parts of a write-up, escaping, and KaTeX on the $$ block."""

from __future__ import annotations

import re

import pytest
from golden_util import SEED_CASES, assert_golden, seed_derivation
from helpers import katex_failures, random_derivations
from strategies import diff_trees, trees

from derivsteps.calculus.derivative import differentiate
from derivsteps.core.derivation import Verification
from derivsteps.render.latex import latex_rows
from derivsteps.render.markdown import render_markdown

MATH_BLOCK = re.compile(r"^\$\$\n(.*?)\n\$\$$", re.DOTALL | re.MULTILINE)


def _math(markdown: str) -> str:
    (block,) = MATH_BLOCK.findall(markdown)
    return block


@pytest.mark.parametrize("case", SEED_CASES)
def test_golden(case, pytestconfig):
    assert_golden(pytestconfig, f"{case}.md", render_markdown(seed_derivation(case)))


def test_question_2_write_up():
    derivation = seed_derivation("sum_squared_wrt_y")
    markdown = render_markdown(derivation)
    assert markdown.startswith(
        r"Differentiate $\left(x + y + z\right)^{2}$ with respect to $y$ (typed as `(x+y+z)^2`), treating $x$, $z$ as constants."
    )
    # The math is the LaTeX renderer's rows, not a second copy of its logic.
    assert _math(markdown) == "\\begin{aligned}\n" + " \\\\\n".join(latex_rows(derivation)) + "\n\\end{aligned}"
    rules = re.findall(r"^\d+\. \*\*(.*?)\*\*", markdown, re.MULTILINE)
    assert rules == ["chain rule", "exponent rule", "sum rule", "constant rule; ∂y/∂y = 1", "arithmetic"]
    assert (
        "4. **constant rule; ∂y/∂y = 1**: x does not depend on y: treat it as a constant, so its derivative is 0."
        in markdown
    )
    assert markdown.endswith("\n\n✓ verified: equals SymPy's derivative (symbolic)\n")


def test_warnings_are_notes_before_the_math():
    markdown = render_markdown(seed_derivation("gradient_wrt_a"))
    assert markdown.index("*Note:* read ab as a·b\n") < markdown.index("$$")


def test_typed_input_is_left_out_when_it_reads_the_same():
    assert "typed as" not in render_markdown(differentiate("3a^2 + b^2 - ab + a", "b"))


def test_without_steps_there_is_no_rule_list():
    markdown = render_markdown(seed_derivation("product_x2_sin_x"), steps=False)
    assert "Rules used" not in markdown
    assert _math(markdown).splitlines()[1:3] == [
        r"& \frac{\partial}{\partial x}\left(x^{2} \sin\left(x\right)\right) \\",
        r"&= x^{2} \cos\left(x\right) + 2x \sin\left(x\right)",
    ]


def test_rule_list_follows_the_detail():
    derivation = seed_derivation("gradient_wrt_a")
    for detail in ("brief", "normal", "full"):
        markdown = render_markdown(derivation, detail=detail)
        assert len(re.findall(r"^\d+\. ", markdown, re.MULTILINE)) == len(derivation.lines(detail))


def test_own_derivative_and_second_derivative_headings():
    assert render_markdown(differentiate("d/dx x^3")).startswith(
        r"Work out $\frac{\partial}{\partial x} x^{3}$ (typed as `d/dx x^3`)."
    )
    assert render_markdown(differentiate("x^3", "x,x")).startswith(
        "Differentiate $x^{3}$ with respect to $x$, then $x$."
    )


def test_markdown_syntax_in_words_is_escaped():
    derivation = differentiate("x^2", "x")
    odd = type(derivation)(
        "x`^2",
        derivation.expr,
        derivation.wrt,
        derivation.start,
        derivation.steps,
        ("costs $5 *now* [a_b] <x>",),
        verification=Verification(None, None, "a_b_c"),
    )
    markdown = render_markdown(odd)
    assert "(typed as ``x`^2``)" in markdown
    assert r"*Note:* costs \$5 \*now\* \[a\_b\] \<x>" in markdown
    assert markdown.endswith("? could not verify (a\\_b\\_c)\n")


def test_math_renders_in_katex():
    derivations = [seed_derivation(case) for case in SEED_CASES]
    derivations += random_derivations(diff_trees, 60) + random_derivations(trees, 60)
    blocks = [_math(render_markdown(d, detail=detail)) for d in derivations for detail in ("brief", "full")]
    failures = katex_failures(blocks)
    assert not failures, "\n".join(f"{f['latex']}\n  {f['error']}" for f in failures[:3])
