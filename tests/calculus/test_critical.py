"""Critical points: the lecture's Question 1 in every format, linear solving against SymPy, the test's classification, the CLI."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from fractions import Fraction

import pytest
import sympy
from golden_util import assert_golden, deriv
from helpers import katex_failures, math_in_markdown
from hypothesis import event, given
from hypothesis import strategies as st

from derivsteps.calculus.critical import Critical, critical_points, verify_critical
from derivsteps.calculus.definiteness import KINDS, second_derivative_test
from derivsteps.cas.bridge import symbol_name, to_sympy
from derivsteps.core.derivation import Verification
from derivsteps.core.errors import DerivError, UsageError
from derivsteps.core.linear import ACTIONS, Rationals, choose_pivot, read_linear, solve_linear
from derivsteps.core.tree import Add, Div, Neg, Num, Var, number, number_value
from derivsteps.language.parser import parse
from derivsteps.render.critical import CriticalView, render_latex, render_markdown, render_text, step_text, to_json

QUESTION_1 = "3a^2 + b^2 - ab + a"
a, b, x, y = Var("a"), Var("b"), Var("x"), Var("y")

# Inputs that reach every branch of the solving and the test: both methods, none, a family, several families, a
# periodic function, three variables, a maximum, decimals, Greek letters, a parameter.
CASES = [
    QUESTION_1,
    "x^3 - 3x + y^2",
    "(a-b)^2",
    "x + y^2",
    "x^2 y^2",
    "sin(x) + y^2",
    "x^2+y^2+z^2-xy+3z",
    "-x^2 + xy - y^2 + 3y",
    "x^2 - 0.5x + y^2",
    "θ^2 - 2θ + φ^2",
    "x^2 - y^2",
    "e^x + y^2",
]


def _question_1() -> Critical:
    """Question 1 as the CLI computes it: with every partial derivative checked by SymPy."""
    return verify_critical(critical_points(QUESTION_1))


def _dump(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _points(result: Critical) -> list[dict[str, str]]:
    return [{symbol_name(var): str(to_sympy(value)) for var, value in point.values.items()} for point in result.points]


# -- the lecture's Question 1 -----------------------------------------------------------------------------------------------


def test_question_1_reads_like_the_lecture():
    lines = [re.sub(r" {2,}", "  ", line.strip()) for line in render_text(_question_1()).splitlines()]
    assert "(1)  ∂f/∂a = 6a - b + 1 = 0" in lines
    assert "(2)  ∂f/∂b = 2b - a = 0" in lines
    solving = lines[lines.index("solve the linear system:") + 1 : lines.index("solve the linear system:") + 5]
    assert solving == [
        "a = 2b  from (2), express a",
        "6(2b) - b + 1 = 0  ⇔  11b + 1 = 0  put a = 2b into (1) and collect terms",
        "11b = -1  ⇔  b = -1/11  solve (1) for b",
        "a = 2b = -2/11  back-substitute b = -1/11",
    ]
    assert "critical point: a = -2/11, b = -1/11" in lines
    assert "  H = [  6  -1 ]\n      [ -1   2 ]\n" in render_text(_question_1())
    assert "D1 = 6 > 0, D2 = 11 > 0: all positive, so H is positive definite" in lines
    assert "→ a minimum" in lines
    assert lines[-2:] == [
        "✓ verified: every first and second partial derivative equals SymPy's (symbolic)",
        "✓ checked: each critical point makes every equation of the system 0 (put back in)",
    ]


def test_question_1_as_data():
    result = _question_1()
    assert result.solved.method == "linear" and result.solved.outcome == "finite"
    assert [step.action for step in result.solved.steps] == ["express", "substitute", "solve", "back_substitute"]
    (point,) = result.points
    assert dict(point.values) == {a: number(Fraction(-2, 11)), b: number(Fraction(-1, 11))}
    assert point.kind == "minimum" and point.test.definiteness == "positive definite"
    assert point.test.hessian == ((Num(6), number(-1)), (number(-1), Num(2)))
    assert result.verification == Verification(True, "symbolic")


@pytest.mark.parametrize(
    ("extension", "render"),
    [("txt", render_text), ("tex", render_latex), ("md", render_markdown), ("json", lambda r: _dump(to_json(r)))],
    ids=["text", "latex", "markdown", "json"],
)
def test_golden_question_1(pytestconfig, extension, render):
    assert_golden(pytestconfig, f"critical_question_1.{extension}", render(_question_1()))


def test_golden_saddle_and_minimum(pytestconfig):
    assert_golden(
        pytestconfig, "critical_saddle_and_minimum.txt", render_text(verify_critical(critical_points("x^3 - 3x + y^2")))
    )


def test_question_1_with_steps_shows_each_partial_derivative():
    text = render_text(_question_1(), steps=True)
    assert "partial derivatives:" in text
    assert "= 6a - b + 1" in text and "= 2b - a" in text and "sum rule" in text


# -- not linear: SymPy's one step -------------------------------------------------------------------------------------------


def test_non_linear_system_is_solved_by_sympy_in_one_step():
    result = critical_points("x^3 - 3x + y^2")
    assert result.solved.method == "sympy"
    (step,) = result.solved.steps
    assert step.action == "sympy_solve" and "not linear" in step.template and "SymPy" in step.template
    assert _points(result) == [{"x": "-1", "y": "0"}, {"x": "1", "y": "0"}]
    assert [p.kind for p in result.points] == ["saddle", "minimum"]
    assert [p.test.definiteness for p in result.points] == ["indefinite", "positive definite"]


def test_periodic_solutions_are_said_to_repeat():
    result = critical_points("sin(x) + y^2")
    assert "infinitely many more" in result.solved.steps[0].template
    assert [p.kind for p in result.points] == ["saddle", "minimum"]
    # SymPy evaluates what our simplifier leaves: -sin(π/2) is shown as -1.
    assert result.points[0].test.hessian[0][0] == number(-1)


def test_no_real_solution_is_said_in_words():
    result = critical_points("e^x + y^2")
    assert result.solved.outcome == "none" and result.points == ()
    assert "no critical point" in render_text(result)


def test_families_of_solutions_from_sympy():
    result = critical_points("x^2 y^2")
    assert result.solved.outcome == "infinite"
    assert [p.free for p in result.points] == [(y,), (x,)]
    assert all(p.kind == "inconclusive" and p.test.definiteness == "undetermined" for p in result.points)
    assert "the signs depend on y" in render_text(result)


def test_irrational_points_are_classified_exactly():
    result = critical_points("x^3 - 6x + y^2")
    assert _points(result) == [{"x": "-sqrt(2)", "y": "0"}, {"x": "sqrt(2)", "y": "0"}]
    assert [p.kind for p in result.points] == ["saddle", "minimum"]
    assert result.points[1].test.minors[0] == parse("6 sqrt(2)").expr


def test_a_hessian_without_a_value_is_undetermined():
    x = Var("x")  # built, not parsed: 1/(x - x) is refused on reading (domain.py)
    test = second_derivative_test([[Div(Num(1), Add((x, Neg(x)))), Num(0)], [Num(0), Num(1)]])
    assert (test.definiteness, test.kind, test.minors) == ("undetermined", "inconclusive", ())
    assert "cannot show" in test.reason


def test_a_parameter_stays_a_parameter():
    result = critical_points("x^2 + k x", ["x"])
    assert _points(result) == [{"x": "-k/2"}]
    assert result.points[0].kind == "minimum"


# -- singular linear systems ------------------------------------------------------------------------------------------------


def test_infinitely_many_critical_points():
    result = critical_points("(a-b)^2")
    assert result.solved.outcome == "infinite"
    assert [s.action for s in result.solved.steps] == ["express", "substitute", "drop", "free"]
    (point,) = result.points
    assert dict(point.values) == {a: b, b: b} and point.free == (b,)
    assert point.kind == "inconclusive" and point.test.definiteness == "positive semidefinite"
    assert point.test.eigenvalue_signs == (1, 0, 1)
    assert "infinitely many critical points: a = b, for every value of b" in render_text(result)


def test_no_critical_point():
    result = critical_points("x + y^2")
    assert result.solved.outcome == "none" and result.points == ()
    (step,) = result.solved.steps
    assert step.action == "contradiction" and "never holds" in step.template
    assert "no critical point: the system has no solution" in render_text(result)


def test_constant_expression_is_an_error():
    with pytest.raises(UsageError, match="constant"):
        critical_points("5")
    with pytest.raises(UsageError, match="constant"):
        critical_points("2 pi")


def test_decimals_stay_decimals():
    result = critical_points("x^2 - 0.5x + y^2")
    assert _points(result) == [{"x": "1/4", "y": "0"}]
    assert "critical point: x = 0.25, y = 0" in render_text(result)


# -- the linear solver on its own ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6a - b + 1", ({a: 6, b: -1}, 1)),
        ("2(a - b) + a/2", ({a: Fraction(5, 2), b: -2}, 0)),
        ("(a + 1)^2 - a^2", ({a: 2}, 1)),
        ("3", ({}, 3)),
        ("a b", None),
        ("sin(a)", None),
        ("1/a", None),
        ("a k", None),  # k is no unknown: a symbolic coefficient is not a rational one
    ],
)
def test_read_linear(text, expected):
    form = read_linear(parse(text).expr, (a, b), Rationals())
    if expected is None:
        assert form is None
    else:
        assert (dict(form.coefficients), form.constant) == expected


def test_pivot_prefers_a_unit_coefficient_in_the_shortest_equation():
    forms = {
        1: read_linear(parse("6a - b + 1").expr, (a, b), Rationals()),
        2: read_linear(parse("2b - a").expr, (a, b), Rationals()),
    }
    assert choose_pivot(forms, (a, b), Rationals()) == (2, a)


def _assert_steps_hold(steps, solution) -> None:
    """Every equation of every step holds at the solution (identically, for a family): no step changes the answer."""
    values = {sympy.Symbol(symbol_name(v)): to_sympy(e) for v, e in solution.items()}
    for step in steps:
        for equation in step.equations:
            sides = {sympy.expand(to_sympy(side).subs(values, simultaneous=True)) for side in equation.sides}
            assert len(sides) == 1, (step.action, step.template, sides)


def test_every_equation_of_every_step_holds_at_the_solution():
    system = [parse(t).expr for t in ("2x + 3y - z + 1", "x - y + 2z", "4x + y + z - 5")]
    z = Var("z")
    solved = solve_linear(system, (x, y, z))
    (point,) = solved.solutions
    values = {sympy.Symbol(symbol_name(v)): to_sympy(e) for v, e in point.items()}
    assert sympy.solve([to_sympy(e) for e in system], list(values), dict=True) == [values]
    _assert_steps_hold(solved.steps, point)


def test_fractions_in_the_steps():
    result = critical_points("2x^2 + 3xy + 2y^2 + x")
    lines = [step_text(step)[0] for step in result.solved.steps]
    assert lines == [
        "3x = -4y  ⇔  x = -4y/3",
        "4(-4y/3) + 3y + 1 = 0  ⇔  1 - 7y/3 = 0",
        "-7y/3 = -1  ⇔  y = 3/7",
        "x = -4y/3 = -4/7",
    ]
    assert _points(result) == [{"x": "-4/7", "y": "3/7"}]


def test_two_free_variables():
    result = critical_points("(a + b + c)^2")
    (point,) = result.points
    assert point.free == (b, Var("c")) and result.solved.steps[-1].action == "free"
    assert "no equation is left to fix b, c: b, c are free" in render_text(result)
    assert point.test.eigenvalue_signs == (1, 0, 2)
    _assert_steps_hold(result.solved.steps, point.values)


# -- the second-derivative test ---------------------------------------------------------------------------------------------


def _matrix(rows):
    return [[number(Fraction(v)) for v in row] for row in rows]


@pytest.mark.parametrize(
    ("rows", "definiteness", "kind", "eigenvalues"),
    [
        ([[6, -1], [-1, 2]], "positive definite", "minimum", None),
        ([[-2, 1], [1, -2]], "negative definite", "maximum", None),
        ([[2, 0], [0, -4]], "indefinite", "saddle", None),
        ([[0, 1], [1, 0]], "indefinite", "saddle", None),  # D1 = 0, yet det H < 0 decides
        ([[1, 0, 0], [0, -1, 0], [0, 0, 0]], "indefinite", "saddle", (1, 1, 1)),  # singular, still a saddle
        ([[2, -2], [-2, 2]], "positive semidefinite", "inconclusive", (1, 0, 1)),
        ([[-1, 0], [0, 0]], "negative semidefinite", "inconclusive", (0, 1, 1)),
        ([[0, 0], [0, 0]], "zero", "inconclusive", (0, 0, 2)),
        ([[Fraction(1, 2)]], "positive definite", "minimum", None),
    ],
)
def test_definiteness(rows, definiteness, kind, eigenvalues):
    test = second_derivative_test(_matrix(rows))
    assert (test.definiteness, test.kind, test.eigenvalue_signs) == (definiteness, kind, eigenvalues)
    expected = [sympy.Matrix(rows)[:k, :k].det() for k in range(1, len(rows) + 1)]
    assert [number_value(m) for m in test.minors] == expected


# -- against SymPy: random quadratic functions of 2 to 4 variables --------------------------------------------------------------


def _signed_sum(terms: list[tuple[int, str]]) -> str:
    """3*a^2 - b + 2: terms as (coefficient, monomial), the monomial "1" for a constant; zero terms left out."""
    text = ""
    for c, m in terms:
        if c == 0:
            continue
        body = str(abs(c)) if m == "1" else (m if abs(c) == 1 else f"{abs(c)}*{m}")
        text += (" - " if c < 0 else " + ") + body if text else ("-" if c < 0 else "") + body
    return text


@st.composite
def quadratics(draw) -> str:
    """A quadratic function of 2 to 4 variables with small integer coefficients.

    Either monomials with random coefficients (many zero), or a sum of fewer squares of linear forms than there are
    variables plus a few linear terms, which makes singular systems common: infinitely many solutions, or none.
    """
    names = "abcd"[: draw(st.integers(2, 4))]
    coefficient = st.one_of(st.just(0), st.integers(-4, 4))
    if draw(st.booleans()):
        monomials = (
            [f"{u}*{v}" if u != v else f"{u}^2" for i, u in enumerate(names) for v in names[i:]] + list(names) + ["1"]
        )
        text = _signed_sum([(draw(coefficient), m) for m in monomials])
    else:
        squares = []
        for _ in range(draw(st.integers(1, len(names) - 1))):
            form = _signed_sum([(draw(st.sampled_from([-2, -1, 0, 1, 1, 3])), v) for v in names]) or names[0]
            squares.append((draw(st.sampled_from([-2, -1, 1, 3])), f"({form})^2"))
        linear = [(draw(st.sampled_from([0, 1, -2])), v) for v in names] if draw(st.booleans()) else []
        text = _signed_sum(squares + linear)
    return text if any(v in text for v in names) else f"{names[0]}^2"


def _eigenvalue_kind(hessian: sympy.Matrix) -> str:
    lam = sympy.Symbol("lam")
    roots = sympy.Poly(hessian.charpoly(lam).as_expr(), lam).all_roots()
    positive = sum(1 for r in roots if r.is_positive)
    negative = sum(1 for r in roots if r.is_negative)
    assert positive + negative + sum(1 for r in roots if r.is_zero) == hessian.rows
    if positive == hessian.rows:
        return "minimum"
    if negative == hessian.rows:
        return "maximum"
    return "saddle" if positive and negative else "inconclusive"


@given(quadratics())
def test_quadratics_match_sympy(text):
    result = critical_points(text)
    symbols = [sympy.Symbol(symbol_name(v)) for v in result.vars]
    f = to_sympy(result.expr)
    grad = [sympy.diff(f, s) for s in symbols]
    expected = sympy.solve(grad, symbols, dict=True)
    assert result.solved.method == "linear"
    event(f"{len(symbols)} variables, {result.solved.outcome}")
    if not expected:
        assert result.solved.outcome == "none" and result.points == ()
        return
    (solution,) = expected
    (point,) = result.points
    mine = {sympy.Symbol(symbol_name(v)): to_sympy(e) for v, e in point.values.items()}
    assert all(sympy.expand(g.subs(mine)) == 0 for g in grad), "our solution does not solve the system"
    if len(solution) == len(symbols):
        assert result.solved.outcome == "finite"
        assert mine == {s: solution[s] for s in symbols}
    else:
        # Both solution sets are affine subspaces of the solutions: the same dimension makes them the same.
        assert result.solved.outcome == "infinite"
        assert len(point.free) == len(symbols) - len(solution)
    _assert_steps_hold(result.solved.steps, point.values)
    hessian = sympy.hessian(f, symbols)
    assert [[to_sympy(e) for e in row] for row in point.test.hessian] == hessian.tolist()
    assert point.kind == _eigenvalue_kind(hessian)


# -- LaTeX and Markdown in KaTeX ------------------------------------------------------------------------------------------------


def test_latex_and_markdown_render_in_katex():
    results = [verify_critical(critical_points(text)) for text in CASES]
    latex = [render_latex(r, steps=steps) for r in results for steps in (False, True)]
    latex += [block for r in results for block in math_in_markdown(render_markdown(r))]
    failures = katex_failures(latex)
    assert not failures, "\n".join(f"{f['latex']}\n  {f['error']}" for f in failures[:3])


def test_latex_has_one_row_per_step():
    rows = render_latex(_question_1()).split(" \\\\\n")
    assert r"a &= 2b && \text{from (2), express }a" in rows
    assert (
        r"6\left(2b\right) - b + 1 &= 0 \iff 11b + 1 = 0 && \text{put }a = 2b\text{ into (1) and collect terms}" in rows
    )


# -- JSON -----------------------------------------------------------------------------------------------------------------------

# The contract, written out here rather than imported, so a change to the renderer cannot move it silently.
TOP_KEYS = {
    "schema", "command", "input", "read_as", "vars", "system", "method", "solution_set", "steps", "points", "hessian",
    "components", "verified", "verified_by", "points_verified", "warnings", "data", "statistics", "equations", "closed_form", "conditions",
}  # fmt: skip
POINT_KEYS = {
    "values",
    "kind",
    "free",
    "hessian",
    "minors",
    "definiteness",
    "eigenvalue_signs",
    "condition",
    "argument",
}


@pytest.mark.parametrize("text", CASES)
def test_json_contract(text):
    document = to_json(verify_critical(critical_points(text)))
    assert set(document) == TOP_KEYS and document["schema"] == 1 and document["command"] == "critical"
    assert {tuple(sorted(v)) for v in document["system"]} == {("latex", "sympy", "text")}
    for step in document["steps"]:
        assert set(step) == {"action", "explanation", "equations", "points"} and step["action"] in ACTIONS
        for equation in step["equations"]:
            assert set(equation) == {"text", "latex", "sympy", "sides"}
            sympy.parse_expr(equation["sympy"])  # reads back
    assert document["data"] is None and document["statistics"] == [] and document["closed_form"] is None
    assert document["equations"] == document["system"]
    for point in document["points"]:
        assert set(point) == POINT_KEYS
        assert point["kind"] in KINDS and set(point["values"]) == set(document["vars"])
        for value in point["values"].values():
            sympy.parse_expr(value["sympy"])
    json.dumps(document)


def test_json_without_sympy_has_no_sympy_strings():
    document = to_json(critical_points(QUESTION_1), with_sympy=False)
    assert document["points"][0]["values"]["a"] == {"text": "-2/11", "latex": r"-\frac{2}{11}", "sympy": None}
    assert document["verified"] is None


# -- the command line ------------------------------------------------------------------------------------------------------------


def test_cli_question_1(capsys):
    code, out, err = deriv(capsys, "critical", QUESTION_1, "--format", "text")
    assert code == 0 and err == ""
    assert out == render_text(_question_1())


def test_cli_json(capsys):
    code, out, _ = deriv(capsys, "critical", QUESTION_1, "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["points"][0]["kind"] == "minimum"
    assert document["points"][0]["values"]["b"]["text"] == "-1/11"


@pytest.mark.parametrize("fmt", ["latex", "markdown", "rich"])
def test_cli_formats(capsys, fmt):
    code, out, _ = deriv(capsys, "critical", "x^3 - 3x + y^2", "--format", fmt)
    assert code == 0 and "saddle" in out and "minimum" in out


def test_cli_ascii(capsys):
    code, out, _ = deriv(capsys, "critical", QUESTION_1, "--format", "text", "--ascii")
    # The parser's notes ("read ab as a·b") are its own, in every command (as are rule labels under --steps).
    assert code == 0 and all(line.isascii() for line in out.splitlines() if "note:" not in line)
    assert "<=>" in out and "-> a minimum" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["5"], "the expression is constant"),
        (["x^2", "--vars", "y"], "y does not occur in the expression"),
        (["x^2 +"], "error: "),
        (["x^2", "--vars", "x,x"], "listed twice"),
    ],
)
def test_cli_errors_exit_2(capsys, argv, message):
    code, out, err = deriv(capsys, "critical", *argv, "--format", "text")
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_cli_error_as_json(capsys):
    code, out, _ = deriv(capsys, "critical", "5", "--format", "json")
    assert code == 2 and json.loads(out)["error"]["kind"] == "usage"


@pytest.mark.parametrize(
    ("text", "words"), [("x + y^2", "no critical point"), ("(a-b)^2", "infinitely many critical points")]
)
def test_cli_singular_systems_are_answers(capsys, text, words):
    code, out, _ = deriv(capsys, "critical", text, "--format", "text")
    assert code == 0 and words in out


def test_cli_disagreement_exits_1(capsys, monkeypatch):
    import derivsteps.cas.verification as verification

    monkeypatch.setattr(
        verification, "verify_all", lambda ds: [Verification(False, "numeric", "the values differ", Num(0))] * len(ds)
    )
    code, out, _ = deriv(capsys, "critical", QUESTION_1, "--format", "text")
    assert code == 1 and "✗ a partial derivative disagrees with SymPy" in out


def test_cli_no_verify_loads_no_sympy_for_a_linear_system():
    code = (
        "import sys; from derivsteps import cli; "
        f"cli.main(['critical', {QUESTION_1!r}, '--no-verify', '--format', 'json']); "
        "print('sympy' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip() == "False"
    assert json.loads(done.stdout)["points"][0]["kind"] == "minimum"


def test_cli_help_lists_critical(capsys):
    code, out, _ = deriv(capsys, "critical", "--help")
    assert code == 0 and "deriv critical EXPR" in out and "x^3 - 3x + y^2" in out


# -- the rich view and the display hooks -----------------------------------------------------------------------------------------


def test_rich_view():
    from rich.console import Console

    console = Console(file=io.StringIO(), width=120, color_system=None)
    console.print(CriticalView(_question_1()))
    out = console.file.getvalue()
    assert "a = 2b" in out and "→ a minimum" in out and "✓ verified" in out


def test_display_hooks():
    result = critical_points(QUESTION_1)
    assert str(result) == render_text(result)
    assert result._repr_latex_().startswith("\\begin{align*}")
    assert result._repr_markdown_().startswith("Find the critical points of")
    assert isinstance(result.__rich__(), CriticalView)


def test_errors_are_deriv_errors():
    with pytest.raises(DerivError):
        critical_points("x^2 +")


# -- every critical point put back into the system (check_points) ----------------------------------------------------------


@pytest.mark.parametrize(
    "typed, vars, data",
    [
        (QUESTION_1, (), None),
        ("x^3 - 3x + y^2", (), None),  # SymPy solves it: two points
        ("x^2 + k x", ("x",), None),  # x = -k/2: 0 for every k
        ("x^2 y - x + y^3 - 3y", (), None),  # points with radicals
        ("1/2 sum_i (s a_i + b - h_i)^2", (), {"a": [0, 2, 4], "h": [30, 40, 50]}),
    ],
)
def test_each_critical_point_makes_the_system_zero(typed, vars, data):
    result = verify_critical(critical_points(typed, vars, data=data))
    assert result.points_check is not None and result.points_check.verified is True, result.points_check


def test_a_point_that_does_not_solve_the_system_is_caught():
    from dataclasses import replace

    from derivsteps.calculus.critical import check_points

    result = critical_points(QUESTION_1)
    point = result.points[0]
    wrong = replace(point, values={**point.values, a: number(Fraction(-2, 13))})
    check = check_points(replace(result, points=(wrong,)))
    assert check is not None and check.verified is False and "equation (1)" in check.reason


def test_the_closed_form_and_families_are_not_put_back():
    from derivsteps.calculus.critical import check_points

    assert check_points(critical_points("1/2 sum_i (s a_i + b - h_i)^2")) is None  # formulas in the sums
    assert check_points(critical_points("(x - y)^2")) is None  # a line of points: x = y


def test_a_point_that_does_not_solve_the_system_exits_1(capsys, monkeypatch):
    import derivsteps.calculus.critical as critical

    monkeypatch.setattr(
        critical, "check_points", lambda result: Verification(False, "substitution", "at a = 0, equation (1) is not 0")
    )
    code, out, _ = deriv(capsys, "critical", QUESTION_1, "--format", "text")
    assert code == 1 and "✗ a critical point does not solve the system (at a = 0, equation (1) is not 0)" in out
