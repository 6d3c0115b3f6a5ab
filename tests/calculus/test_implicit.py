"""Implicit differentiation: the lecture's examples, the solving's algebra, SymPy's idiff as the reference, every format, the CLI."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pytest
import sympy
from golden_util import assert_golden, deriv
from helpers import katex_failures

from derivsteps.calculus.implicit import (
    ACTIONS,
    Implicit,
    cancel_common_factor,
    choose_variables,
    implicit_derivative,
    split_linear,
    undefined_where,
    verify_implicit,
)  # fmt: skip
from derivsteps.cas.bridge import to_sympy
from derivsteps.core.derivation import Verification
from derivsteps.core.errors import DerivError, EngineError, UsageError
from derivsteps.core.tree import Apply, Num, Var
from derivsteps.language.mathtext import to_text
from derivsteps.language.parser import parse
from derivsteps.render.implicit import ImplicitView, render_latex, render_markdown, render_text, to_json

CIRCLE = "x^2 + y^2 = 25"
x, y = Var("x"), Var("y")
DY = Apply("y", (x,), (0,))

# (equation, dy/dx as the solving writes it): the lecture's examples and one of each shape of the solving.
RESULTS = [
    (CIRCLE, "-x/y"),
    ("x^3 + y^3 = 6xy", "(2y - x^2)/(y^2 - 2x)"),
    ("sin(xy) = x", "(1 - y cos(xy))/(x cos(xy))"),
    ("e^y = x", "1/e^y"),
    ("y = x^2", "2x"),
    ("xy = 1", "-y/x"),
    ("x^2 + y^2 = r^2", "-x/y"),
    ("x^2 y + y^3/x = ln(y)", None),  # a quotient and a logarithm on both sides: only its value is pinned, by SymPy
]


def _solved(text: str, **options) -> Implicit:
    """The result as the CLI computes it: with the SymPy check."""
    return verify_implicit(implicit_derivative(text, **options))


def _squeezed(text: str) -> list[str]:
    return [re.sub(r" {2,}", "  ", line.strip()) for line in text.splitlines() if line.strip()]


# -- the lecture's examples ------------------------------------------------------------------------------------------------------


def test_the_circle_reads_like_the_lecture():
    lines = _squeezed(render_text(_solved(CIRCLE)))
    assert lines == [
        "read as: x^2 + y^2 = 25  (y is a function of x)",
        "x^2 + y^2 = 25",
        "2x + 2y · dy/dx = 0  differentiate both sides by x, with y = y(x)",
        "2y · dy/dx = -2x  collect the dy/dx terms on the left",
        "dy/dx = -2x/(2y)  solve for dy/dx: divide both sides by 2y",
        "dy/dx = -x/y  simplify",
        "dy/dx = -x/y",
        "note: dy/dx is undefined where y = 0",
        "✓ verified: equals SymPy's -F_x/F_y for F = x^2 + y^2 - 25 (symbolic)",
    ]


@pytest.mark.parametrize(
    ("text", "expected"), [case for case in RESULTS if case[1] is not None], ids=[c[0] for c in RESULTS if c[1]]
)
def test_results(text, expected):
    result = _solved(text)
    assert to_text(result.result) == expected
    assert result.verification.verified is True


@pytest.mark.parametrize("text", [case[0] for case in RESULTS])
def test_results_equal_sympy_idiff(text):
    """The reference computed here, independently of verify_implicit: sympy.idiff on the equation as read."""
    result = implicit_derivative(text)
    equation = to_sympy(result.lhs) - to_sympy(result.rhs)
    expected = sympy.idiff(equation, sympy.Symbol("y"), sympy.Symbol("x"))
    assert sympy.simplify(expected - to_sympy(result.result)) == 0


def test_the_folium_factors_out_dy_dx_and_cancels_3():
    steps = {step.action: step for step in _solved("x^3 + y^3 = 6xy").steps}
    assert list(steps) == ["differentiate", "collect", "factor", "divide", "cancel"]
    assert to_text(steps["collect"].lhs) == "3y^2 y'(x) - 6x y'(x)" and to_text(steps["collect"].rhs) == "6y - 3x^2"
    assert to_text(steps["factor"].lhs) == "(3y^2 - 6x) y'(x)"
    assert steps["cancel"].bindings == {"k": Num(3)}


def test_a_product_with_dy_dx_inside_is_multiplied_out():
    lines = _squeezed(render_text(_solved("sin(xy) = x")))
    assert "cos(xy) · (x · dy/dx + y) = 1  differentiate both sides by x, with y = y(x)" in lines
    assert "cos(xy) x · dy/dx = 1 - cos(xy) y  collect the dy/dx terms on the left" in lines
    assert "note: dy/dx is undefined where x cos(xy) = 0" in lines


def test_y_equals_a_function_is_one_line():
    result = _solved("y = x^2")
    assert [step.action for step in result.steps] == ["differentiate"]
    assert undefined_where(result) is None


def test_a_factor_that_is_never_zero_gives_no_note():
    assert "undefined" not in render_text(_solved("e^y = x"))


def test_steps_show_each_side_with_the_chain_rule_on_y():
    out = render_text(_solved(CIRCLE), steps=True)
    assert "differentiate the left side by x, with y = y(x):" in out
    assert "chain rule for y" in out and "2x + 2 y(x) y'(x)" in out
    assert "differentiate the right side by x:" in out and "constant rule" in out
    assert out.index("solve for dy/dx:") < out.index("2y · dy/dx = -2x")


def test_detail_full_names_each_simplification_rule():
    normal = _squeezed(render_text(_solved("sin(xy) = x")))
    full = _squeezed(render_text(_solved("sin(xy) = x", detail="full")))
    assert "x cos(xy) · dy/dx = 1 - y cos(xy)  simplify" in normal
    # one line a rewrite: the left side's factors ordered, then the right side's
    assert "x cos(xy) · dy/dx = 1 - cos(xy) y  order the factors" in full
    assert "x cos(xy) · dy/dx = 1 - y cos(xy)  order the factors" in full
    assert len(full) == len(normal) + 1


def test_all_negative_factor_turns_the_signs_round():
    lines = _squeezed(render_text(_solved("x^2 - 2y = 3x y^2")))
    at = lines.index("(2 + 6xy) · dy/dx = 2x - 3y^2  factor out dy/dx")
    assert lines[at - 1] == "2 · dy/dx + 6xy · dy/dx = 2x - 3y^2  multiply both sides by -1"
    assert "note: dy/dx is undefined where 1 + 3xy = 0" in lines


def test_simplify_none_still_solves_and_verifies():
    result = _solved("x^3 + y^3 = 6xy", simplify="none")
    assert [step.action for step in result.steps] == ["differentiate", "collect", "factor", "divide"]
    assert result.verification.verified is True


def test_other_variables_are_held_constant():
    result = _solved("x^2 + y^2 = r^2")
    assert (result.wrt, result.dependent) == (x, y)
    assert "(y is a function of x; treat r as constant)" in render_text(result)


# -- choosing x and y ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "wrt", "dependent", "expected"),
    [
        (CIRCLE, None, None, ("x", "y")),
        (CIRCLE, "y", "x", ("y", "x")),
        ("t^2 + s^3 = 1", "t", None, ("t", "s")),  # two variables and --wrt: the other one depends on it
        ("t^2 + s^3 = 1", None, "s", ("t", "s")),  # the only other variable
        ("u^2 + v^2 = r^2", "u", "v", ("u", "v")),
        ("x^2 + y^2 = r^2", None, None, ("x", "y")),
    ],
)
def test_choose_variables(text, wrt, dependent, expected):
    sides = [parse(side).expr for side in text.split("=")]
    chosen = choose_variables(*sides, wrt, dependent)
    assert tuple(var.name for var in chosen) == expected


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("x^2 = 4", {}, "the equation has no dependent variable"),
        ("t^2 + s^2 = r^2", {"wrt": "t"}, "the equation has no dependent variable"),
        (CIRCLE, {"dependent": "v"}, "v does not occur in the equation"),
        (CIRCLE, {"wrt": "z"}, "z does not occur in the equation"),
        (CIRCLE, {"wrt": "y", "dependent": "y"}, "cannot be both"),
        ("y^2 = 4", {}, "say which variable y is a function of"),
        ("u^2 + y^2 = r^2", {}, "say which variable y is a function of"),
        ("y - y = x", {}, "dy/dx does not appear"),
        ("(y + 1)^2 - y^2 - 2y = x", {}, "dy/dx does not appear"),  # zero only once multiplied out: found by value
        (CIRCLE, {"wrt": "2x"}, "--wrt takes one variable"),
    ],
)
def test_refusals(text, options, message):
    with pytest.raises(UsageError) as caught:
        implicit_derivative(text, **options)
    assert message in str(caught.value)


def test_an_expression_is_not_an_equation():
    with pytest.raises(DerivError) as caught:
        implicit_derivative("x^2 + y^2")
    assert "there is no '=' in this equation" in str(caught.value)


# -- the algebra of the solving ------------------------------------------------------------------------------------------------


def _in_y(text: str):
    """A tree with y' written for y'(x): the solving's form, typed."""
    return _with_dy(parse(text.replace("y'", "q")).expr)


def _with_dy(expr):
    from derivsteps.core.tree import replace_all

    return replace_all(expr, {Var("q"): DY})


@pytest.mark.parametrize(
    ("text", "coefficients", "rest"),
    [
        ("2x + 2y y'", ["2y"], ["2x"]),
        ("6(x y' + y)", ["6x"], ["6y"]),
        ("cos(xy)(x y' + y)", ["cos(xy) x"], ["cos(xy) y"]),
        ("-(y' - x)", ["-1"], ["x"]),
        ("(3x y' - y^3)/x^2", ["3x/x^2"], ["-y^3/x^2"]),
        ("y'", ["1"], []),
        ("x^2", [], ["x^2"]),
    ],
)
def test_split_linear(text, coefficients, rest):
    a, b = split_linear(_in_y(text), DY)
    assert [to_text(t) for t in a] == coefficients and [to_text(t) for t in b] == rest


@pytest.mark.parametrize("text", ["y'^2", "y' y'", "1/y'", "sin(y')"])
def test_split_linear_refuses_what_is_not_linear(text):
    with pytest.raises(EngineError):
        split_linear(_in_y(text), DY)


@pytest.mark.parametrize(
    ("text", "factor", "cancelled"),
    [
        ("(6y - 3x^2)/(3y^2 - 6x)", 3, "(2y - x^2)/(y^2 - 2x)"),
        ("-(4x + 2)/(6y)", 2, "-(2x + 1)/(3y)"),
        ("(6y - 3x^2)/(3y^2 - x)", 1, "(6y - 3x^2)/(3y^2 - x)"),
        ("(2x + 0.5)/(2y)", 1, "(2x + 0.5)/(2y)"),
        ("6x", 1, "6x"),
    ],
)
def test_cancel_common_factor(text, factor, cancelled):
    found, expr = cancel_common_factor(parse(text).expr)
    assert (found, to_text(expr)) == (factor, cancelled)


def test_undefined_where_drops_factors_that_are_never_zero():
    result = implicit_derivative("x^3 + y^3 = 6xy")
    assert to_text(result.coefficient) == "3y^2 - 6x" and to_text(undefined_where(result)) == "y^2 - 2x"
    assert undefined_where(implicit_derivative("e^y = x")) is None
    assert to_text(undefined_where(implicit_derivative("x e^y = 1"))) == "x"


def test_every_step_names_an_action():
    for text, _ in RESULTS:
        assert all(step.action in ACTIONS for step in implicit_derivative(text).steps)


# -- the formats -----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extension", "render"),
    [
        ("txt", render_text),
        ("tex", render_latex),
        ("md", render_markdown),
        ("json", lambda result: json.dumps(to_json(result), indent=2, ensure_ascii=False) + "\n"),
    ],
)
def test_golden_circle(pytestconfig, extension, render):
    assert_golden(pytestconfig, f"implicit_circle.{extension}", render(_solved(CIRCLE)))


def test_golden_circle_with_steps(pytestconfig):
    assert_golden(pytestconfig, "implicit_circle_steps.txt", render_text(_solved(CIRCLE), steps=True))


def test_latex_writes_dy_dx_as_a_fraction():
    latex = render_latex(_solved(CIRCLE))
    assert r"2y \cdot \frac{dy}{dx} &= -2x && \text{collect the }\frac{dy}{dx}\text{ terms on the left}" in latex
    assert r"\frac{dy}{dx} &= -\frac{x}{y} && \text{simplify}" in latex
    assert r"&\frac{dy}{dx}\text{ is undefined where }y = 0" in latex


def math_in_markdown(markdown: str) -> list[str]:
    blocks = re.findall(r"\$\$\n(.*?)\n\$\$", markdown, flags=re.S)
    rest = re.sub(r"\$\$\n.*?\n\$\$", "", markdown, flags=re.S)
    return blocks + re.findall(r"(?<!\\)\$(.+?)(?<!\\)\$", rest)


def test_latex_and_markdown_render_in_katex():
    results = [_solved(text) for text, _ in RESULTS]
    latex = [render_latex(r, steps=steps) for r in results for steps in (False, True)]
    latex += [block for r in results for block in math_in_markdown(render_markdown(r))]
    failures = katex_failures(latex)
    assert not failures, "\n".join(f"{f['latex']}\n  {f['error']}" for f in failures[:3])


# The contract, written out here rather than imported, so a change to the renderer cannot move it silently.
TOP_KEYS = {
    "schema", "command", "input", "read_as", "wrt", "dependent", "equation", "sides", "steps", "result", "coefficient",
    "undefined_where", "verified", "verified_by", "warnings",
}  # fmt: skip
VALUE_KEYS = {"text", "latex", "sympy"}


@pytest.mark.parametrize("text", [case[0] for case in RESULTS])
def test_json_contract(text):
    document = json.loads(json.dumps(to_json(_solved(text))))
    assert set(document) == TOP_KEYS and document["schema"] == 1 and document["command"] == "implicit"
    assert document["verified"] is True and document["verified_by"] in ("symbolic", "numeric")
    values = [document["result"], document["coefficient"], *document["equation"]["sides"]]
    for side in document["sides"]:
        assert side["side"] in ("left", "right") and set(side) == {"side", "expr", "result", "steps"}
        values += [side["expr"], side["result"], *(step["expr"] for step in side["steps"])]
    for step in document["steps"]:
        assert set(step) == {"action", "explanation", "rules", "equation"} and step["action"] in ACTIONS
        assert set(step["equation"]) == {"text", "latex", "sympy", "sides"}
        sympy.parse_expr(step["equation"]["sympy"])  # reads back
        values += step["equation"]["sides"]
    for value in values:
        assert set(value) == VALUE_KEYS
        sympy.parse_expr(value["sympy"])


def test_json_of_the_solving_keeps_the_function_in_sympy():
    step = to_json(_solved(CIRCLE))["steps"][1]
    assert step["equation"]["text"] == "2y · dy/dx = -2x"
    assert step["equation"]["sympy"] == "Eq(2*y(x)*Derivative(y(x), x), -2*x)"
    assert to_json(_solved(CIRCLE))["undefined_where"] == {"text": "y", "latex": "y", "sympy": "y"}


def test_json_without_sympy_has_no_sympy_strings():
    document = to_json(implicit_derivative(CIRCLE), with_sympy=False)
    assert document["result"] == {"text": "-x/y", "latex": r"-\frac{x}{y}", "sympy": None}
    assert document["verified"] is None


def test_rich_view():
    from rich.console import Console

    console = Console(file=io.StringIO(), width=120, color_system=None)
    console.print(ImplicitView(_solved(CIRCLE), steps=True))
    out = console.file.getvalue()
    assert "2y · dy/dx = -2x" in out and "chain rule for y" in out and "✓ verified" in out


def test_display_hooks():
    result = implicit_derivative(CIRCLE)
    assert str(result) == render_text(result)
    assert result._repr_latex_().startswith("\\begin{align*}")
    assert result._repr_markdown_().startswith(r"Find $\frac{dy}{dx}$ from")
    assert isinstance(result.__rich__(), ImplicitView)


def test_exported_from_the_package():
    import derivsteps

    assert derivsteps.implicit_derivative is implicit_derivative and "implicit_derivative" in derivsteps.__all__


# -- the command line ------------------------------------------------------------------------------------------------------------


def test_cli_circle(capsys):
    code, out, err = deriv(capsys, "implicit", CIRCLE, "--wrt", "x", "--format", "text")
    assert code == 0 and err == ""
    assert out == render_text(_solved(CIRCLE))


def test_cli_main_command_with_implicit(capsys):
    code, out, _ = deriv(capsys, CIRCLE, "--wrt", "x", "--implicit", "--steps", "--format", "text")
    assert code == 0 and out == render_text(_solved(CIRCLE), steps=True)


def test_cli_dependent_and_of(capsys):
    code, out, _ = deriv(capsys, "implicit", "u^2 + v^2 = r^2", "--wrt", "u", "--of", "v", "--format", "text")
    assert code == 0 and "dv/du = -u/v" in out and "treat r as constant" in out
    code, same, _ = deriv(capsys, "implicit", "u^2 + v^2 = r^2", "--wrt", "u", "--dependent", "v", "--format", "text")
    assert same == out


@pytest.mark.parametrize("fmt", ["latex", "markdown", "rich", "json"])
def test_cli_formats(capsys, fmt):
    code, out, _ = deriv(capsys, "implicit", "x^3 + y^3 = 6xy", "--format", fmt)
    assert code == 0 and ("y^{2} - 2x" in out or "y^2 - 2x" in out)
    if fmt == "json":
        assert json.loads(out)["result"]["text"] == "(2y - x^2)/(y^2 - 2x)"


def test_cli_ascii(capsys):
    code, out, _ = deriv(capsys, "implicit", CIRCLE, "--format", "text", "--ascii")
    assert (
        code == 0
        and out.isascii()
        and "2y * dy/dx = -2x" in out
        and out.rstrip().endswith("OK verified: equals SymPy's -F_x/F_y for F = x^2 + y^2 - 25 (symbolic)")
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["implicit", "x^2 = 4"], "no dependent variable"),
        (["implicit", "y - y = x"], "dy/dx does not appear"),
        (["implicit", "x^2 + y^2"], "there is no '=' in this equation"),
        (["implicit", CIRCLE, "--wrt", "t"], "t does not occur in the equation"),
        ([CIRCLE, "--wrt", "x", "--of", "y"], "use it with --implicit"),
        ([CIRCLE, "--wrt", "x", "--implicit", "--hint"], "--hint works on an expression"),
    ],
)
def test_cli_errors_exit_2(capsys, argv, message):
    code, out, err = deriv(capsys, *argv, "--format", "text")
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_cli_error_as_json(capsys):
    code, out, _ = deriv(capsys, "implicit", "x^2 = 4", "--format", "json")
    assert code == 2 and json.loads(out)["error"]["kind"] == "usage"


def test_cli_disagreement_exits_1(capsys, monkeypatch):
    import derivsteps.calculus.implicit as implicit

    def wrong(result):
        return implicit.replace(result, verification=Verification(False, "numeric", "the values differ", Num(0)))

    monkeypatch.setattr(implicit, "verify_implicit", wrong)
    code, out, _ = deriv(capsys, "implicit", CIRCLE, "--format", "text")
    assert code == 1 and "✗ disagrees with SymPy's -F_x/F_y for F = x^2 + y^2 - 25: SymPy gives 0" in out


def test_cli_no_verify_loads_no_sympy():
    code = (
        "import sys; from derivsteps import cli; "
        f"cli.main(['implicit', {CIRCLE!r}, '--no-verify', '--format', 'json']); "
        "print('sympy' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip() == "False"
    assert json.loads(done.stdout)["result"]["text"] == "-x/y"


def test_cli_help_teaches(capsys):
    code, out, _ = deriv(capsys, "implicit", "--help")
    assert code == 0 and "deriv implicit EQUATION" in out and "-F_x/F_y" in out and "--dependent VAR, --of VAR" in out
    code, out, _ = deriv(capsys, "--help")
    assert "implicit" in out and "--implicit" in out
