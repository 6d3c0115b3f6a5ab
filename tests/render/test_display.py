"""Every result shows itself through the layout registry: __str__, _repr_html_, _repr_latex_, _repr_markdown_, __rich__."""

from __future__ import annotations

from io import StringIO

import pytest
from rich.console import Console

from derivsteps.calculus.at_point import evaluate_at
from derivsteps.calculus.critical import critical_points
from derivsteps.calculus.derivative import differentiate
from derivsteps.calculus.descent import descend
from derivsteps.calculus.implicit import implicit_derivative
from derivsteps.calculus.multivar import gradient, hessian
from derivsteps.cas.equivalence import equivalent
from derivsteps.checking.answers import check_answer
from derivsteps.checking.grading import GradedRow, summarize
from derivsteps.checking.written import check_derivation
from derivsteps.core.derivation import Displayed
from derivsteps.language.parser import parse
from derivsteps.render.layouts import LAYOUTS, display, layout_of, shown

RESULTS = {
    "Derivation": lambda: differentiate("x^2 sin(x)", "x"),
    "Gradient": lambda: gradient("3a^2 + b^2 - ab + a"),
    "Hessian": lambda: hessian("3a^2 + b^2 - ab + a"),
    "Evaluation": lambda: evaluate_at("x^2 + 3x y", {"x": 1, "y": 2}),
    "Critical": lambda: critical_points("3a^2 + b^2 - ab + a"),
    "Descent": lambda: descend("x^2", {"x": 1}, lr="0.25", iterations=2),
    "Implicit": lambda: implicit_derivative("x^2 + y^2 = 25"),
    "Verdict": lambda: check_answer("x^2", "x", "2x"),
    "Equivalence": lambda: equivalent(parse("2x"), parse("x + x")),
    "WrittenReport": lambda: check_derivation("d/dx x^2\n= 2x"),
    "GradedRow": lambda: GradedRow("s1", "x^2", "x", "2x", "correct", "structural", expected="2x"),
    "Summary": lambda: summarize([GradedRow("s1", "x^2", "x", "3x", "incorrect", "probe", mistake="power_rule")]),
}

# A checked written derivation has no LaTeX form (the CLI says so too); the notebook shows its Markdown.
NO_LATEX = {"WrittenReport"}


def plain(renderable) -> str:
    console = Console(file=StringIO(), width=120, color_system=None, legacy_windows=False)
    console.print(renderable)
    return console.file.getvalue()


@pytest.mark.parametrize("kind", RESULTS)
def test_every_result_shows_itself_in_every_format(kind):
    result = RESULTS[kind]()
    assert type(result).__name__ == kind
    assert isinstance(result, Displayed)
    assert str(result).strip()
    assert result._repr_html_().strip()
    assert result._repr_markdown_().strip()
    if kind in NO_LATEX:
        assert result._repr_latex_() is None
    else:
        assert result._repr_latex_().strip()
    assert plain(result.__rich__()).strip()
    assert plain(result).strip()


def test_str_is_the_text_writer_of_the_layout():
    derivation = differentiate("(x+y+z)^2", "y")
    from derivsteps.render.writers import write

    assert str(derivation) == write(layout_of(derivation), "text")
    assert display(derivation, "markdown") == derivation._repr_markdown_()


def test_the_registry_finds_a_layout_by_type():
    derivation = differentiate("x^2", "x")
    assert shown(derivation).layout is not None
    assert type(derivation) in LAYOUTS
    with pytest.raises(TypeError):
        shown(object())
