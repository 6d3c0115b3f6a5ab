"""The rich view of a derivation: plain output at a fixed width, and the styles of the highlighted parts."""

from __future__ import annotations

from io import StringIO

import pytest
from rich.console import Console
from rich.segment import Segment

from derivsteps.calculus.derivative import differentiate
from derivsteps.core.derivation import Verification
from derivsteps.language.mathtext import to_text
from derivsteps.render._labels import line_label
from derivsteps.render.terminal import STYLES, DerivationView
from derivsteps.render.text import render_text

VERIFIED = Verification(True, "symbolic")


def question_2(verification: Verification | None = VERIFIED):
    derivation = differentiate("(x+y+z)^2", "y")
    return derivation if verification is None else derivation.with_verification(verification)


def plain(renderable, width: int = 100) -> str:
    console = Console(file=StringIO(), width=width, color_system=None, legacy_windows=False)
    console.print(renderable)
    return "\n".join(line.rstrip() for line in console.file.getvalue().splitlines())


def segments(renderable, width: int = 100) -> list[Segment]:
    console = Console(file=StringIO(), width=width, force_terminal=True, color_system="truecolor", legacy_windows=False)
    return list(console.render(renderable))


def styled(renderable, text: str):
    """The style of the segment that reads exactly `text`."""
    found = [segment.style for segment in segments(renderable) if segment.text.rstrip(" ") == text]
    assert found, f"no segment reads {text!r}"
    return found[0]


def test_question_2_plain():
    expected = """\
read as: (x + y + z)^2      (treat x, z as constants)
  ∂/∂y (x + y + z)^2
= ∂(x + y + z)^2/∂(x + y + z) · ∂/∂y (x + y + z)    chain rule
= 2(x + y + z) · ∂/∂y (x + y + z)                   exponent rule
= 2(x + y + z) · (∂x/∂y + ∂y/∂y + ∂z/∂y)            sum rule
= 2(x + y + z) · (0 + 1 + 0)                        constant rule; ∂y/∂y = 1
= 2(x + y + z)                                      arithmetic
✓ verified: equals SymPy's derivative (symbolic)"""
    assert plain(DerivationView(question_2())) == expected


def test_plain_view_matches_the_text_renderer():
    derivation = question_2()
    assert plain(DerivationView(derivation)) == render_text(derivation).rstrip("\n")


def test_without_steps():
    assert plain(DerivationView(question_2(), steps=False)).splitlines() == [
        "read as: (x + y + z)^2      (treat x, z as constants)",
        "∂/∂y (x + y + z)^2 = 2(x + y + z)",
        "✓ verified: equals SymPy's derivative (symbolic)",
    ]


def test_detail_and_ascii():
    derivation = differentiate("x^2", "x")
    assert plain(DerivationView(derivation, ascii=True)).splitlines() == [
        "read as: x^2",
        "  d/dx x^2",
        "= 2x          exponent rule",
    ]
    full = plain(DerivationView(question_2(None), detail="full"))
    assert len(full.splitlines()) > len(plain(DerivationView(question_2(None))).splitlines())


def test_warnings_are_notes():
    derivation = differentiate("3a^2 + b^2 - ab + a", "a")
    lines = plain(DerivationView(derivation, steps=False)).splitlines()
    assert lines[1] == "note: read ab as a·b"
    assert styled(DerivationView(derivation, steps=False), "note: read ab as a·b").italic


@pytest.mark.parametrize("width", [40, 60, 100])
def test_a_narrow_terminal_wraps_without_losing_text(width):
    derivation = differentiate("x^2 sin(x) + e^(3x)/x", "x", detail="brief")
    output = plain(DerivationView(derivation), width=width)
    for line in output.splitlines():
        assert len(line) <= width
        assert not line.startswith(("·", "(", "+")), "a continuation line must stay in the expression column"
    words = output.split()
    for line in derivation.lines():
        for word in line_label(line, to_text).split():
            assert word in words, word
    for word in to_text(derivation.result).split():
        assert word in words, word


def test_math_is_never_read_as_markup():
    # rich would take "[b]" in a plain string for a style tag; every piece of math goes in as Text.
    derivation = differentiate("b + x", "x")
    assert "(treat b as constant)" in plain(DerivationView(derivation))


def test_rewritten_subterm_is_highlighted():
    view = DerivationView(question_2())
    assert styled(view, "(∂x/∂y + ∂y/∂y + ∂z/∂y)") == styled(view, "1")
    style = styled(view, "(∂x/∂y + ∂y/∂y + ∂z/∂y)")
    assert style.bold and style.color.name == "yellow"
    # The unchanged part of the same line is not highlighted.
    assert not any(
        segment.style and segment.style.bold for segment in segments(view) if segment.text.startswith("2(x + y + z) · ")
    )


def test_rule_column_is_dim():
    assert styled(DerivationView(question_2()), "constant rule; ∂y/∂y = 1").dim


@pytest.mark.parametrize(
    ("verification", "prefix", "colour"),
    [
        (VERIFIED, "✓ verified", "green"),
        (Verification(False, "numeric", "the values differ"), "✗ disagrees with SymPy", "red"),
        (Verification(None, None, "SymPy timed out"), "? could not verify", "yellow"),
    ],
)
def test_verdict_colours(verification, prefix, colour):
    view = DerivationView(question_2(verification))
    verdict = [segment for segment in segments(view) if segment.text.startswith(prefix)]
    assert len(verdict) == 1
    assert verdict[0].style.color.name == colour


def test_no_verdict_without_verification():
    assert "verif" not in plain(DerivationView(question_2(None)))


def test_no_color_keeps_colours_out(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    console = Console(file=StringIO(), width=100, force_terminal=True, legacy_windows=False)
    console.print(DerivationView(question_2()))
    output = console.file.getvalue()
    assert "✓ verified" in output
    assert "\x1b[3" not in output and "\x1b[9" not in output  # no foreground colour codes


def test_derivation_prints_itself_with_rich():
    assert plain(question_2()) == plain(DerivationView(question_2()))


def test_styles_are_rich_styles():
    from rich.style import Style

    for name, style in STYLES.items():
        assert Style.parse(style), name
