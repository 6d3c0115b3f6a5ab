"""Gradient descent: the hand-checked example in every format, exact numbers, early stops, limits, and SymPy's word on one step."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import subprocess
import sys
from fractions import Fraction

import pytest
import sympy
from golden_util import assert_golden
from golden_util import deriv as run_deriv
from helpers import katex_failures
from hypothesis import given, settings
from hypothesis import strategies as st

from derivsteps.calculus.descent import DIVERGENCE_FACTOR, EXACT_DIGITS, STOP_REASONS, Descent, descend, float_number
from derivsteps.cas.verification import verify
from derivsteps.core import limits
from derivsteps.core.errors import LimitError, UsageError
from derivsteps.core.tree import Num, Var, is_number, number_value
from derivsteps.language.mathtext import to_text
from derivsteps.render.descent import (
    SHOW_ALL_ROWS,
    SHOW_ALL_WORK,
    DescentView,
    latex_rows,
    render_latex,
    render_markdown,
    render_text,
    to_json,
    write_plot,
)

a, b, s, x, y = (Var(n) for n in "absxy")

# The README's example, checked by hand: ∇f = (6a - b + 1, 2b - a) is (6 - 2 + 1, 4 - 1) = (5, 3) at (1, 2),
# so one step with η = 0.1 goes to (1 - 0.5, 2 - 0.3) = (0.5, 1.7), where f = 0.75 + 2.89 - 0.85 + 0.5 = 3.29.
EXAMPLE = ("3a^2 + b^2 - ab + a", "a=1,b=2", "0.1")

# The lecture's loss with its data written out (issue 5 will write it as a sum): one step from (1, 0) must give (3.6, 1.14).
LOSS = "1/2((0s + b - 30)^2 + (2s + b - 40)^2 + (4s + b - 50)^2)"


def checked(expr: str, start: str, lr: str, iterations: int = 1, **options) -> Descent:
    """A descent whose gradient is verified, as the command does it."""
    descent = descend(expr, start, lr, iterations, **options)
    return descent.with_verification([verify(d) for d in descent.gradient.components])


def deriv(capsys, *argv: str) -> tuple[int, str, str]:
    return run_deriv(capsys, "descend", *argv)


def values(point) -> dict[str, Fraction]:
    return {to_text(var): number_value(value) for var, value in point.items()}


# -- the hand-checked example -----------------------------------------------------------------------------------------
def test_example_numbers_by_hand():
    descent = descend(*EXAMPLE)
    (step,) = descent.iterations
    assert [to_text(g) for g in descent.gradient.vector] == ["6a - b + 1", "2b - a"]
    assert [to_text(e) for e in step.gradient_at] == ["6 · 1 - 2 + 1", "2 · 2 - 1"]
    assert [number_value(g) for g in step.gradient] == [5, 3]
    assert [to_text(u) for u in step.updates] == ["1 - 0.1 · 5", "2 - 0.1 · 3"]
    assert values(step.next) == {"a": Fraction(1, 2), "b": Fraction(17, 10)}
    assert number_value(step.f) == Fraction(329, 100) and step.f_float == 3.29
    assert number_value(descent.start_f) == 6
    assert descent.final is step.next and descent.stop is None


@pytest.mark.parametrize("ext", ["txt", "tex", "md", "json"])
def test_example_golden(ext, pytestconfig):
    descent = checked(*EXAMPLE)
    rendered = {
        "txt": lambda: render_text(descent),
        "tex": lambda: render_latex(descent),
        "md": lambda: render_markdown(descent),
        "json": lambda: json.dumps(to_json(descent), indent=2, ensure_ascii=False) + "\n",
    }[ext]()
    assert_golden(pytestconfig, f"descend_example.{ext}", rendered)


@pytest.mark.parametrize("ext", ["txt", "md"])
def test_three_steps_golden(ext, pytestconfig):
    descent = checked(*EXAMPLE, iterations=3)
    rendered = render_text(descent) if ext == "txt" else render_markdown(descent)
    assert_golden(pytestconfig, f"descend_three_steps.{ext}", rendered)


def test_example_on_the_command_line(capsys):
    code, out, err = deriv(capsys, *EXAMPLE[:1], "--from", EXAMPLE[1], "--lr", EXAMPLE[2], "--format", "text")
    assert code == 0, err
    assert out == render_text(checked(*EXAMPLE))
    assert "  ∇f(1, 2) = (6 · 1 - 2 + 1, 2 · 2 - 1) = (5, 3)\n  a ← 1 - 0.1 · 5 = 0.5\n  b ← 2 - 0.1 · 3 = 1.7\n" in out


def test_lecture_question_6_without_data():
    descent = descend(LOSS, "s=1,b=0", "0.01")
    (step,) = descent.iterations
    assert [to_text(g) for g in step.gradient] == ["-260", "-114"]
    assert [to_text(step.next[v]) for v in (s, b)] == ["3.6", "1.14"]


# -- exact numbers ----------------------------------------------------------------------------------------------------------
def test_fractions_stay_fractions():
    descent = descend("x^2 + 3y^2", "x=1,y=1", "1/10", 3)
    assert [to_text(descent.iterations[0].next[v]) for v in (x, y)] == ["4/5", "2/5"]
    assert values(descent.final) == {"x": Fraction(64, 125), "y": Fraction(8, 125)}
    assert number_value(descent.final_f) == Fraction(4288, 15625)


@pytest.mark.parametrize(
    ("lr", "start", "shown"),
    [
        ("0.1", "x=1", ["0.8", "0.64", "0.512"]),  # a decimal rate: decimals
        ("1/10", "x=1", ["4/5", "16/25", "64/125"]),  # a fraction: fractions
        ("1/10", "x=0.5", ["0.4", "0.32", "0.256"]),  # a decimal start: decimals
        ("0.1", "x=1/3", ["4/15", "16/75", "64/375"]),  # not a finite decimal: a fraction all the same
    ],
)
def test_decimals_stay_decimals_when_they_can(lr, start, shown):
    descent = descend("x^2", start, lr, 3)
    assert [to_text(it.next[x]) for it in descent.iterations] == shown
    for it in descent.iterations:
        assert is_number(it.next[x]) and isinstance(number_value(it.next[x]), Fraction)


def test_numeric_uses_floats_and_shows_them():
    descent = descend("x^2 + 3y^2", "x=1,y=1", "0.1", 3, numeric=True)
    assert [to_text(g) for g in descent.iterations[0].gradient] == ["2.0", "6.0"]
    assert [it.f_float for it in descent.iterations] == [1.12, 0.4864, 0.274432]
    assert descent.numeric and descent.stop is None


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.5, "0.5"),
        (2.0, "2.0"),
        (-0.25, "-0.25"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e-05, "10^(-5)"),
        (1.5e30, "1.5 · 10^30"),
        (-3e-20, "-3 · 10^(-20)"),
    ],
)
def test_floats_are_shown_exactly_as_python_rounds_them(value, shown):
    tree = float_number(value)
    assert to_text(tree) == shown
    if is_number(tree):
        assert float(number_value(tree)) == value


def test_exact_numbers_too_long_say_use_numeric():
    descent = descend("x^2", "x=1", "0.1", 200)
    assert descent.stop is not None and descent.stop.reason == "too_long"
    assert "--numeric" in descent.stop.message and str(EXACT_DIGITS) in descent.stop.message
    assert len(descent.iterations) == descent.stop.after < 200
    assert descend("x^2", "x=1", "0.1", 200, numeric=True).stop is None


def test_help_states_the_documented_sizes():
    from derivsteps.commands.descend import COMMAND

    assert f"longer than {EXACT_DIGITS} digits (descent.EXACT_DIGITS)" in COMMAND.epilog
    assert f"at most {limits.MAX_DESCENT_ITERATIONS:,}" in COMMAND.epilog


def test_irrational_values_say_use_numeric():
    descent = descend("sin(x)", "x=1", "0.1", 3)
    assert descent.stop.reason == "not_rational" and descent.iterations == ()
    assert "cos(1) is not a rational number" in descent.stop.message and "--numeric" in descent.stop.message
    assert len(descend("sin(x)", "x=1", "0.1", 3, numeric=True).iterations) == 3


# -- stopping early -----------------------------------------------------------------------------------------------------------
def test_divergence_stops_with_the_learning_rate_blamed():
    descent = descend("x^2", "x=1", "1.5", 100)  # x ← x - 1.5 · 2x = -2x: f quadruples every step
    assert descent.stop.reason == "diverged"
    assert descent.stop.after == len(descent.iterations) == 20  # 4^20 is the first power of 4 past 10^12
    assert descent.iterations[-1].f_float > DIVERGENCE_FACTOR
    assert "learning rate η = 1.5 is probably too large" in descent.stop.message and "--lr 0.15" in descent.stop.message


def test_divergence_on_the_command_line_exits_2_with_the_work_so_far(capsys):
    code, out, err = deriv(
        capsys, "x^2", "--from", "x=1", "--lr", "1.5", "--iters", "100", "--format", "text", "--no-verify"
    )
    assert code == 2 and err == ""
    assert "stopped: f grew from 1 to 1.09951e+12 in 20 iterations" in out
    assert out.rstrip().endswith("after 20 iterations: x = 1048576, f = 1099511627776")
    code, out, _ = deriv(
        capsys, "x^2", "--from", "x=1", "--lr", "1.5", "--iters", "100", "--format", "json", "--no-verify"
    )
    document = json.loads(out)
    assert code == 2 and document["stopped"]["reason"] == "diverged" and document["stopped"]["after"] == 20
    assert len(document["iterations"]) == 20


def test_divergence_in_floating_point_too():
    descent = descend("x^2", "x=1", "1.5", 100, numeric=True)
    assert descent.stop.reason == "diverged" and len(descent.iterations) == 20


def test_floating_point_overflow_blames_the_rate():
    descent = descend("e^(x^2)", "x=3", "1", 5, numeric=True)  # one step lands near x = -48615
    assert descent.stop.reason == "not_finite" and "overflowed" in descent.stop.message
    assert "probably too large" in descent.stop.message


def test_a_function_without_minimum_is_not_blamed_on_the_rate():
    descent = descend("-x^2", "x=1", "0.5", 100)  # x ← 2x: f falls without bound
    assert descent.stop.reason == "unbounded" and "no minimum" in descent.stop.message


def test_no_finite_value_stops():
    descent = descend("ln(x)", "x=1", "1", 3)  # x ← 1 - 1 · 1 = 0, where ln is undefined
    assert descent.stop.reason == "not_finite" and "logarithm of 0" in descent.stop.message
    assert descent.iterations == () and descent.stop.after == 0


def test_undefined_at_the_start_is_an_error():
    with pytest.raises(UsageError, match="no value at the start point"):
        descend("1/x", "x=0", "0.1")


def test_every_stop_reason_is_listed():
    reasons = {
        descend(*args).stop.reason
        for args in [
            ("x^2", "x=1", "1.5", 100),
            ("-x^2", "x=1", "0.5", 100),
            ("ln(x)", "x=1", "1", 3),
            ("x^2", "x=1", "0.1", 200),
            ("sin(x)", "x=1", "0.1"),
        ]
    }
    assert reasons == set(STOP_REASONS)


# -- limits and input errors -----------------------------------------------------------------------------------------------
def test_iteration_limit():
    assert len(descend("x^2", "x=1", "1/2", limits.MAX_DESCENT_ITERATIONS).iterations) == limits.MAX_DESCENT_ITERATIONS
    with pytest.raises(LimitError, match="MAX_DESCENT_ITERATIONS"):
        descend("x^2", "x=1", "1/2", limits.MAX_DESCENT_ITERATIONS + 1)


def test_iteration_limit_on_the_command_line(capsys):
    code, out, err = deriv(
        capsys,
        "x^2",
        "--from",
        "x=1",
        "--lr",
        "0.1",
        "--iters",
        str(limits.MAX_DESCENT_ITERATIONS + 1),
        "--format",
        "text",
    )
    assert code == 2 and out == ""
    assert err.startswith(
        f"error: {limits.MAX_DESCENT_ITERATIONS + 1:,} iterations are more than the limit of {limits.MAX_DESCENT_ITERATIONS:,}"
    )


@pytest.mark.parametrize(
    ("expr", "start", "lr", "iterations", "message"),
    [
        ("x^2 + y^2", "x=1", "0.1", 1, "the point gives no value for y"),
        ("x^2", "x=1,z=2", "0.1", 1, "z does not occur in the expression"),
        ("x^2", "x=1", "0", 1, "must be positive"),
        ("x^2", "x=1", "-0.1", 1, "must be positive"),
        ("x^2", "x=1", "t", 1, "must be a number"),
        ("x^2", "x=1", "0.1", 0, "at least 1"),
        ("x^2", "x=t", "0.1", 1, "must be a number"),
    ],
)
def test_clear_input_errors(expr, start, lr, iterations, message):
    with pytest.raises(UsageError, match=message):
        descend(expr, start, lr, iterations)


def test_missing_variable_as_json(capsys):
    code, out, _ = deriv(capsys, "x^2 + y^2", "--from", "x=1", "--lr", "0.1", "--format", "json")
    assert code == 2
    assert json.loads(out) == {
        "error": {"kind": "usage", "message": "the point gives no value for y", "position": None}
    }


def test_vars_chooses_what_moves_and_fixes_the_rest():
    descent = descend("x^2 + y^2", "x=1,y=2", "0.1", 1, ["y"])
    assert descent.vars == (y,) and descent.fixed == {x: Num(1)}
    assert values(descent.final) == {"y": Fraction(8, 5)}
    assert to_text(descent.iterations[0].f_at) == "1^2 + 1.6^2"


def test_order_of_the_start_point_is_the_order_of_the_variables():
    assert descend("a + b^2", "b=1,a=2", "0.1").vars == (b, a)
    assert descend("a + b^2", "b=1,a=2", "0.1", 1, ["a", "b"]).vars == (a, b)


def test_progress_is_reported_after_each_iteration():
    seen = []
    descend("x^2", "x=1", "1/4", 5, progress=seen.append)
    assert seen == [1, 2, 3, 4, 5]


# -- SymPy's word on one step -----------------------------------------------------------------------------------------------
_coefficients = st.integers(-5, 5)
_rationals = st.builds(Fraction, st.integers(-9, 9), st.integers(1, 6))
_rates = st.sampled_from(["0.1", "0.01", "0.25", "1/3", "2/7", "1"])


@st.composite
def quadratics(draw):
    """A quadratic in 2 or 3 variables as text for us and as a SymPy expression built independently, with a start."""
    names = ["x", "y", "z"][: draw(st.integers(2, 3))]
    symbols = sympy.symbols(names)
    terms, parts = [], []
    for i in range(len(names)):
        for j in range(i, len(names)):
            c = draw(_coefficients)
            terms.append(f"({c}){names[i]}{names[j]}" if i != j else f"({c}){names[i]}^2")
            parts.append(c * symbols[i] * symbols[j])
        c = draw(_coefficients)
        terms.append(f"({c}){names[i]}")
        parts.append(c * symbols[i])
    assume_used = [draw(st.integers(1, 5)) for _ in names]  # a square of every variable, so each one occurs
    terms += [f"{c}{n}^2" for c, n in zip(assume_used, names)]
    parts += [c * sym**2 for c, sym in zip(assume_used, symbols)]
    start = {name: draw(_rationals) for name in names}
    return " + ".join(terms), sympy.Add(*parts), symbols, start


@settings(max_examples=60)
@given(quadratics(), _rates)
def test_one_step_is_point_minus_rate_times_sympys_gradient(quadratic, lr):
    text, f, symbols, start = quadratic
    point = ",".join(f"{name}={value}" for name, value in start.items())
    descent = descend(text, point, lr)
    (step,) = descent.iterations
    at = {sym: sympy.Rational(start[sym.name].numerator, start[sym.name].denominator) for sym in symbols}
    rate = sympy.Rational(str(Fraction(lr)))
    for var, sym in zip(descent.vars, symbols):
        expected = at[sym] - rate * sympy.diff(f, sym).subs(at)
        assert number_value(step.next[var]) == Fraction(str(expected)), var
    after = {sym: sympy.Rational(str(number_value(step.next[var]))) for var, sym in zip(descent.vars, symbols)}
    assert number_value(step.f) == Fraction(str(f.subs(after)))


# -- output -----------------------------------------------------------------------------------------------------------------
def test_json_contract():
    document = to_json(checked(*EXAMPLE, iterations=2))
    value_keys = {"text", "latex", "sympy"}
    assert {"schema", "command", "input", "vars", "lr", "iterations", "final"} <= set(document)
    assert document["schema"] == 1 and document["command"] == "descend" and document["vars"] == ["a", "b"]
    assert set(document["lr"]) == value_keys
    first, second = document["iterations"]
    assert set(first) == {"point", "gradient", "next", "f"}
    assert [g["text"] for g in first["gradient"]] == ["5", "3"]
    assert {k: v["text"] for k, v in first["next"].items()} == {"a": "0.5", "b": "1.7"}
    assert first["f"]["text"] == "3.29"  # the value at "next", not at "point"
    assert second["point"] == first["next"] and document["final"] == second["next"]
    assert document["stopped"] is None and document["verified"] is True


def test_no_verify_never_imports_sympy():
    code = (
        "import sys; from derivsteps import cli; "
        "cli.main(['descend', 'x^2 + y^2', '--from', 'x=1,y=2', '--lr', '0.1', '--iters', '2', '--no-verify', '--format', 'json']); "
        "print('sympy' in sys.modules, file=sys.stderr)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stderr.strip() == "False"
    assert json.loads(run.stdout)["lr"]["sympy"] is None


def _worked_iterations(text: str) -> list[str]:
    return re.findall(r"^iteration ([\d,]+)$", text, re.MULTILINE)


def test_long_runs_leave_out_the_middle_but_json_keeps_everything():
    descent = descend("x^2", "x=1", "1/2", 100)
    text = render_text(descent)
    assert _worked_iterations(text) == ["1", "2", "3", "100"] and "... (iterations 4 to 99 are in the table)" in text
    table = text[text.index("iteration  x") :]
    assert table.count("\n") < SHOW_ALL_ROWS and "⋮" in table
    assert len(to_json(descent, with_sympy=False)["iterations"]) == 100
    assert render_markdown(descent).count("| ⋮ |") == 1


def test_a_descent_shows_itself():
    descent = checked(*EXAMPLE)
    assert str(descent) == render_text(descent)
    assert descent._repr_latex_() == render_latex(descent) and descent._repr_markdown_() == render_markdown(descent)
    assert isinstance(descent.__rich__(), DescentView)


def test_no_table_for_one_iteration():
    assert "iteration  " not in render_text(descend(*EXAMPLE))
    assert "iteration  " in render_text(descend(*EXAMPLE, iterations=2))


def test_ascii_text():
    text = render_text(checked(*EXAMPLE), ascii=True)
    assert "grad f(1, 2) = (6 * 1 - 2 + 1, 2 * 2 - 1) = (5, 3)" in text and "a <- 1 - 0.1 * 5 = 0.5" in text
    assert "theta <- theta - eta * grad f(theta)" in text and text.rstrip().endswith(
        "OK verified: every partial derivative equals SymPy's (symbolic)"
    )


def test_rich_view_says_what_the_text_says():
    from rich.console import Console

    descent = checked(*EXAMPLE, iterations=3)
    buffer = io.StringIO()
    Console(file=buffer, width=120, color_system=None).print(DescentView(descent))
    shown = [line.rstrip() for line in buffer.getvalue().splitlines()]
    text = render_text(descent).splitlines()
    assert [line for line in shown if not line.startswith(("iteration  ", "        "))] == [
        line for line in text if not line.startswith(("iteration  ", "        "))
    ]
    assert any(line.split() == ["3", "0.149", "1.155", "1.377533"] for line in shown)


def _latex_cases() -> list[str]:
    descents = [
        checked(*EXAMPLE),
        checked(*EXAMPLE, iterations=3),
        checked("x^2 + y^2", "x=1,y=2", "1/10", 2, vars=["y"]),
        descend("x^2", "x=1", "1.5", 100),  # stopped, with a long table
        descend("x^2", "x=1", "1/2", 1000),
        descend("x^2 + 3y^2", "x=1,y=1", "0.1", 300, numeric=True),  # 10^(-29)
        descend("sin(x)", "x=1", "0.1"),
        descend("ln(x)", "x=1", "1", 3),
    ]
    latex = [render_latex(d) for d in descents]
    latex += [r"\begin{aligned}" + " \\\\\n".join(latex_rows(d)) + r"\end{aligned}" for d in descents]
    return latex


def test_latex_renders_in_katex():
    failures = katex_failures(_latex_cases())
    assert not failures, "\n".join(f"{f['latex'][:300]}\n  {f['error']}" for f in failures[:3])


def test_work_shown_in_full_up_to_the_limit():
    descent = descend("x^2", "x=1", "1/2", SHOW_ALL_WORK)
    assert len(_worked_iterations(render_text(descent))) == SHOW_ALL_WORK


# -- the plot -----------------------------------------------------------------------------------------------------------------
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None


@pytest.mark.skipif(not HAS_MATPLOTLIB, reason="matplotlib (the [plot] extra) is not installed")
def test_plot_writes_a_png(tmp_path, capsys):
    path = tmp_path / "descent.png"
    code, out, err = deriv(
        capsys,
        "x^2 + 3y^2",
        "--from",
        "x=1,y=1",
        "--lr",
        "0.1",
        "--iters",
        "5",
        "--plot",
        str(path),
        "--format",
        "text",
        "--no-verify",
    )
    assert code == 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"plot of f written to {path}" in err and "plot" not in out


@pytest.mark.skipif(not HAS_MATPLOTLIB, reason="matplotlib (the [plot] extra) is not installed")
def test_plot_of_a_diverging_run(tmp_path):
    path = tmp_path / "diverged.svg"
    write_plot(descend("x^2", "x=1", "1.5", 100), str(path))
    assert path.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_plot_without_matplotlib_says_how_to_install(capsys, monkeypatch, tmp_path):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *rest: None if name == "matplotlib" else real(name, *rest)
    )
    code, out, err = deriv(
        capsys, "x^2", "--from", "x=1", "--lr", "0.1", "--plot", str(tmp_path / "f.png"), "--format", "text"
    )
    assert code == 2 and out == ""
    assert "pip install 'derivsteps[plot]'" in err


@pytest.mark.parametrize("name", ["f.txt", "f"])
def test_plot_needs_an_image_file_name(capsys, name):
    code, _, err = deriv(capsys, "x^2", "--from", "x=1", "--lr", "0.1", "--plot", name, "--format", "text")
    assert code == 2 and ".png" in err
