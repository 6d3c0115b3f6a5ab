"""deriv grad: the seed gradient in every format, the gradient against SymPy's, points, errors and the command line."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from fractions import Fraction
from io import StringIO

import pytest
import sympy
from golden_util import assert_golden, deriv
from helpers import MATH_BLOCK, SEED, katex_failures
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from strategies import plain_trees, polynomials

from derivsteps.calculus.at_point import gradient_at
from derivsteps.calculus.multivar import Gradient, gradient
from derivsteps.cas.bridge import to_sympy
from derivsteps.core.derivation import Verification
from derivsteps.core.errors import DerivError, UsageError
from derivsteps.core.tree import Div, Neg, Num, variables
from derivsteps.language.mathtext import to_text
from derivsteps.render import multivar as shown

# A $$ block of the Markdown output: what a notebook hands to KaTeX or MathJax.

SEED_GRADIENT = "∇f(a, b) = (6a - b + 1, 2b - a)"

# The contract of issue 4, written out here so a change to the module cannot move it silently.
TOP_KEYS = {"schema", "command", "input", "read_as", "vars", "components", "at", "value", "warnings"}
COMPONENT_KEYS = {"var", "result", "steps", "verified", "verified_by", "evaluation"}
STEP_KEYS = {"rule", "rules", "label", "explanation", "paths", "expr"}
VALUE_KEYS = {"text", "latex", "sympy"}


# -- the seed example: golden files in every format -------------------------------------------------------------------
@pytest.mark.parametrize(("fmt", "ext"), [("text", "txt"), ("latex", "tex"), ("markdown", "md"), ("json", "json")])
def test_golden_question_1(capsys, pytestconfig, fmt, ext):
    code, out, err = deriv(capsys, "grad", SEED, "--format", fmt)
    assert code == 0, err
    assert_golden(pytestconfig, f"grad_question_1.{ext}", out)


@pytest.mark.parametrize(("fmt", "ext"), [("text", "txt"), ("latex", "tex"), ("markdown", "md")])
def test_golden_question_1_with_steps(capsys, pytestconfig, fmt, ext):
    code, out, err = deriv(capsys, "grad", SEED, "--steps", "--format", fmt)
    assert code == 0, err
    assert_golden(pytestconfig, f"grad_question_1_steps.{ext}", out)


@pytest.mark.parametrize(("fmt", "ext"), [("text", "txt"), ("latex", "tex"), ("json", "json")])
def test_golden_question_1_at_a_point(capsys, pytestconfig, fmt, ext):
    code, out, err = deriv(capsys, "grad", SEED, "--at", "a=1,b=2", "--format", fmt)
    assert code == 0, err
    assert_golden(pytestconfig, f"grad_question_1_at.{ext}", out)


def test_question_1_prints_the_gradient(capsys):
    code, out, _ = deriv(capsys, "grad", SEED)
    assert code == 0
    lines = out.splitlines()
    assert SEED_GRADIENT in lines
    assert lines[0] == "f(a, b) = 3a^2 + b^2 - ab + a"
    assert "∂f/∂a = 6a - b + 1" in lines and "∂f/∂b = 2b - a" in lines
    assert lines[-1] == "✓ verified: each partial derivative equals SymPy's (symbolic)"


def test_steps_show_each_derivation_with_its_rules(capsys):
    _, out, _ = deriv(capsys, "grad", SEED, "--steps", "--format", "text")
    assert out.count("read as: 3a^2 + b^2 - ab + a") == 2
    assert "(treat b as constant)" in out and "(treat a as constant)" in out
    assert "sum rule" in out and "exponent rule" in out
    assert out.count("✓ verified: equals SymPy's derivative") == 2
    assert out.count("note: read ab as a·b") == 1  # said once for the function, not per component
    assert SEED_GRADIENT in out.splitlines()


def test_at_a_point_shows_substitution_then_arithmetic(capsys):
    _, out, _ = deriv(capsys, "grad", SEED, "--at", "a=1,b=2", "--no-verify")
    lines = out.splitlines()
    assert "∂f/∂a(1, 2) = 6 · 1 - 2 + 1 = 6 - 2 + 1 = 5" in lines
    assert "∂f/∂b(1, 2) = 2 · 2 - 1 = 4 - 1 = 3" in lines
    assert lines[-1] == "∇f(1, 2) = (5, 3)"


def test_at_a_point_stays_exact(capsys):
    _, out, _ = deriv(capsys, "grad", SEED, "--at", "a=1/3,b=0.5", "--no-verify")
    assert out.splitlines()[-1] == "∇f(1/3, 0.5) = (2.5, 2/3)"
    _, out, _ = deriv(capsys, "grad", SEED, "--at", "a=1/3,b=0.5", "--no-verify", "--numeric")
    assert out.splitlines()[-1] == "∇f(1/3, 0.5) = (2.5, 0.6666666666666666)"
    assert "= 1 - 1/3 = 2/3 ≈ 0.6666666666666666" in out


def test_vars_fix_the_order(capsys):
    _, out, _ = deriv(capsys, "grad", SEED, "--vars", "b,a", "--no-verify")
    assert "∇f(b, a) = (2b - a, 6a - b + 1)" in out.splitlines()


def test_vars_may_leave_a_variable_as_a_parameter(capsys):
    _, out, _ = deriv(capsys, "grad", SEED, "--vars", "a", "--at", "a=1,b=2", "--no-verify")
    lines = out.splitlines()
    assert "∇f(a) = (6a - b + 1)" in lines
    assert lines[-1] == "∇f(a = 1, b = 2) = (5)"


def test_vars_declare_names_of_several_letters(capsys):
    _, out, _ = deriv(capsys, "grad", "rate t^2", "--vars", "rate,t", "--no-verify")
    assert out.splitlines()[0] == "f(rate, t) = rate t^2"
    assert "∂f/∂rate = t^2" in out


def test_ascii(capsys):
    _, out, _ = deriv(
        capsys, "grad", "3a^2 + b^2 - a*b + a", "--ascii", "--at", "a=1,b=2"
    )  # "read ab as a·b" is not ASCII
    assert out.isascii()
    assert "grad f(a, b) = (6a - b + 1, 2b - a)" in out and "df/da(1, 2) = 6 * 1 - 2 + 1" in out
    assert out.splitlines()[-1].startswith("OK verified")


def test_notes_of_the_rules_are_said_once(capsys):
    _, out, _ = deriv(capsys, "grad", "|x| + |x| y", "--no-verify")
    assert out.count("note: the derivative of |x| does not exist where x = 0") == 1


def test_rich_plain_output_is_the_text_output():
    result = gradient(SEED)
    values = gradient_at(result, "a=1,b=2")
    for options in ({}, {"steps": True}, {"values": values}):
        console = Console(file=StringIO(), width=120, color_system=None, legacy_windows=False)
        console.print(shown.view(result, **options))
        plain = "\n".join(line.rstrip() for line in console.file.getvalue().splitlines())
        assert plain == shown.render_text(result, **options).rstrip("\n")


def test_rich_format_on_the_command_line(capsys):
    code, out, _ = deriv(capsys, "grad", SEED, "--format", "rich", "--no-verify")
    assert code == 0 and SEED_GRADIENT in out.splitlines()


def test_display_hooks():
    result = gradient(SEED)
    assert SEED_GRADIENT in str(result).splitlines()
    assert result._repr_latex_().startswith(r"\begin{align*}")
    assert "$$" in result._repr_markdown_()


# -- JSON -------------------------------------------------------------------------------------------------------------
def _assert_value(value) -> None:
    assert set(value) == VALUE_KEYS and isinstance(value["text"], str) and isinstance(value["latex"], str)


def test_json_document(capsys):
    _, out, _ = deriv(capsys, "grad", SEED, "--at", "a=1,b=2", "--format", "json")
    document = json.loads(out)
    assert set(document) == TOP_KEYS
    assert (document["schema"], document["command"], document["input"], document["vars"]) == (
        1,
        "grad",
        SEED,
        ["a", "b"],
    )
    assert [c["var"] for c in document["components"]] == ["a", "b"]
    assert [c["result"]["text"] for c in document["components"]] == ["6a - b + 1", "2b - a"]
    assert [c["result"]["sympy"] for c in document["components"]] == ["6*a - b + 1", "-a + 2*b"]
    for component in document["components"]:
        assert set(component) == COMPONENT_KEYS
        assert component["verified"] is True and component["verified_by"] == "symbolic"
        assert component["steps"] and all(STEP_KEYS <= set(step) <= STEP_KEYS | {"kind"} for step in component["steps"])
        _assert_value(component["result"])
        assert component["evaluation"]["steps"][0]["rule"] == "substitute"
    assert {name: value["text"] for name, value in document["at"].items()} == {"a": "1", "b": "2"}
    assert [value["text"] for value in document["value"]] == ["5", "3"]
    assert document["warnings"] == ["read ab as a·b"]


def test_json_steps_are_the_diff_documents_steps(capsys):
    _, grad_out, _ = deriv(capsys, "grad", SEED, "--format", "json", "--no-verify")
    _, diff_out, _ = deriv(capsys, SEED, "--wrt", "b", "--format", "json", "--no-verify")
    assert json.loads(grad_out)["components"][1]["steps"] == json.loads(diff_out)["steps"]


def test_json_without_a_point_or_verification(capsys):
    _, out, _ = deriv(capsys, "grad", SEED, "--format", "json", "--no-verify")
    document = json.loads(out)
    assert document["at"] is None and document["value"] is None
    assert all(
        c["verified"] is None and c["evaluation"] is None and c["result"]["sympy"] is None
        for c in document["components"]
    )


# -- LaTeX in KaTeX ---------------------------------------------------------------------------------------------------
def test_latex_renders_in_katex():
    result = gradient(SEED)
    checked = dataclasses.replace(
        result,
        components=(
            result.components[0].with_verification(Verification(False, "numeric", "x^2 ≠ y_1 & {z}", Num(2))),
            result.components[1].with_verification(Verification(None, None, "100% sure? no_way")),
        ),
    )
    values = gradient_at(result, "a=1/3,b=-0.5", numeric=True)
    latex = [
        shown.render_latex(r, steps=steps, detail=detail)
        for r in (result, checked)
        for steps in (False, True)
        for detail in ("brief", "full")
    ]
    latex += [
        shown.render_latex(result, values=values),
        shown.render_latex(gradient("x^2 theta + sin(theta)"), steps=True),
    ]
    for steps in (False, True):
        latex += MATH_BLOCK.findall(shown.render_markdown(checked, steps=steps, values=values))
    failures = katex_failures(latex)
    assert not failures, "\n".join(f"{f['latex']}\n  {f['error']}" for f in failures[:3])


# -- against SymPy ----------------------------------------------------------------------------------------------------


def _gradient_agrees_with_sympy(expr) -> None:
    result = gradient(expr)
    assert list(result.vars) == sorted(variables(expr), key=lambda v: v.name)
    function = to_sympy(expr)
    for var, component in zip(result.vars, result.vector):
        assert sympy.expand(to_sympy(component) - sympy.diff(function, to_sympy(var))) == 0, (
            to_text(expr),
            to_text(var),
        )


@given(polynomials().filter(lambda e: len(variables(e)) >= 2))
def test_gradient_equals_sympys_gradient(expr):
    _gradient_agrees_with_sympy(expr)


@given(polynomials(max_degree=2).filter(lambda e: len(variables(e)) >= 2))
def test_gradient_of_quadratics_equals_sympys_gradient(expr):
    _gradient_agrees_with_sympy(expr)


@given(polynomials().filter(lambda e: len(variables(e)) >= 2), st.data())
def test_gradient_at_a_point_equals_sympy(expr, data):
    result = gradient(expr)
    point = {
        var: data.draw(st.sampled_from([Num(0), Num(2), Neg(Num(3)), Div(Num(1), Num(3)), Num(Fraction("0.5"), "0.5")]))
        for var in result.vars
    }
    substitution = {to_sympy(var): to_sympy(value) for var, value in point.items()}
    function = to_sympy(expr)
    for var, evaluation in zip(result.vars, gradient_at(result, point)):
        assert to_sympy(evaluation.result) == sympy.diff(function, to_sympy(var)).subs(substitution)


@given(plain_trees.filter(lambda e: variables(e)))
def test_any_gradient_renders_in_every_format(expr):
    try:
        result = gradient(expr)
    except DerivError:
        return
    assert len(result.components) == len(result.vars) == len(variables(expr))
    for steps in (False, True):
        shown.render_text(result, steps=steps)
        shown.render_latex(result, steps=steps)
        shown.render_markdown(result, steps=steps)
    json.dumps(shown.to_json(result, with_sympy=False))


# -- the library --------------------------------------------------------------------------------------------------------
def test_library_gradient():
    result = gradient(SEED)
    assert isinstance(result, Gradient)
    assert [to_text(e) for e in result.vector] == ["6a - b + 1", "2b - a"]
    assert [to_text(e.result) for e in gradient_at(result, {"a": 1, "b": Fraction(1, 2)})] == ["13/2", "0"]


def test_gradient_at_needs_every_variable_of_the_function():
    # ∂f/∂x = 2x holds no y, but f does: a point without y is not a point of f.
    with pytest.raises(UsageError, match="no value for y"):
        gradient_at(gradient("x^2 + y"), "x=1")


# -- errors -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["x^2", "--vars", "y"], "y does not occur in the expression (its variables: x)"),
        (["x^2 + y", "--vars", "x,x"], "x is listed twice in --vars"),
        (["5"], "the expression has no variables"),
        (["x y", "--at", "x=1"], "the point gives no value for y"),
        (["x y", "--at", "x=1,y=2,z=3"], "z does not occur in the expression"),
        (["x y", "--at", "x=1,y=q"], "the value of y must be a number"),
        (["x y", "--at", "x=1,y"], "a point is written name=value"),
        (["x y", "--numeric"], "--numeric gives the values at a point"),
        (["1/x + y", "--at", "x=0,y=1"], "no value at x = 0, y = 1: division by zero"),
        (["x^2 +"], "column 6"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_errors_exit_2_with_a_message(capsys, argv, message):
    code, out, err = deriv(capsys, "grad", *argv, "--format", "text")
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err


def test_errors_are_json_in_json_mode(capsys):
    code, out, _ = deriv(capsys, "grad", "x y", "--at", "x=1", "--format", "json")
    assert code == 2 and json.loads(out)["error"]["kind"] == "usage"


def test_disagreement_with_sympy_exits_1(monkeypatch, capsys):
    import derivsteps.cas.verification

    monkeypatch.setattr(
        derivsteps.cas.verification,
        "verify_all",
        lambda ds: [Verification(False, "numeric", "the values differ at a=1", Num(7))] * len(ds),
    )
    code, out, _ = deriv(capsys, "grad", SEED, "--format", "text")
    assert code == 1
    assert (
        "✗ ∂f/∂a disagrees with SymPy: SymPy gives 7 (the values differ at a=1) - this is a bug in derivsteps, please report it"
        in out
    )


def test_undecided_verification_is_said_per_component(monkeypatch, capsys):
    import derivsteps.cas.verification

    verdicts = iter([Verification(True, "symbolic"), Verification(None, None, "SymPy timed out")])
    monkeypatch.setattr(derivsteps.cas.verification, "verify_all", lambda ds: [next(verdicts) for _ in ds])
    code, out, _ = deriv(capsys, "grad", SEED, "--format", "text")
    assert code == 0
    assert out.splitlines()[-2:] == [
        "✓ verified ∂f/∂a: equals SymPy's derivative (symbolic)",
        "? could not verify ∂f/∂b (SymPy timed out)",
    ]


def test_help_has_examples(capsys):
    code, out, _ = deriv(capsys, "grad", "--help")
    assert code == 0
    assert 'deriv grad "3a^2 + b^2 - ab + a"' in out and "--at" in out and "--vars" in out and "--no-verify" in out


def test_no_verify_does_not_import_sympy():
    code = (
        "import sys\n"
        "from derivsteps.cli import main\n"
        f"assert main(['grad', {SEED!r}, '--steps', '--no-verify', '--format', 'text', '--at', 'a=1,b=2']) == 0\n"
        f"assert main(['grad', {SEED!r}, '--no-verify', '--format', 'json']) == 0\n"
        f"assert main(['grad', {SEED!r}, '--no-verify', '--format', 'latex']) == 0\n"
        f"assert main(['grad', {SEED!r}, '--no-verify', '--format', 'markdown']) == 0\n"
        "assert main(['grad', 'x y', '--at', 'x=1', '--no-verify']) == 2\n"
        "print('sympy' in sys.modules, 'rich' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "False False"
