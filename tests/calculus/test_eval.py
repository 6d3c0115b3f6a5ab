"""deriv eval: the substitution as a step, then exact arithmetic; floats only with --numeric; clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from io import StringIO
from pathlib import Path

import pytest
import sympy
from golden_util import assert_golden, deriv
from helpers import SEED, katex_failures
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from strategies import plain_trees, polynomials

from derivsteps.calculus.at_point import Evaluation, decimal_beside, evaluate_at
from derivsteps.cas.bridge import to_sympy
from derivsteps.core.errors import DerivError, UndefinedError, UsageError
from derivsteps.core.numeric import EvaluationError, evaluate
from derivsteps.core.tree import Div, Neg, Num, Var, number, number_value, variables, walk
from derivsteps.language.mathtext import to_text
from derivsteps.language.parser import parse
from derivsteps.render import multivar as shown

TOP_KEYS = {"schema", "command", "input", "read_as", "at", "value", "exact", "numeric", "steps", "warnings"}


# -- the seed example: golden files in every format -------------------------------------------------------------------
@pytest.mark.parametrize(("fmt", "ext"), [("text", "txt"), ("latex", "tex"), ("markdown", "md"), ("json", "json")])
def test_golden_question_1(capsys, pytestconfig, fmt, ext):
    code, out, err = deriv(capsys, "eval", SEED, "--at", "a=1,b=2", "--format", fmt)
    assert code == 0, err
    assert_golden(pytestconfig, f"eval_question_1.{ext}", out)


def test_substitution_then_arithmetic(capsys):
    _, out, _ = deriv(capsys, "eval", SEED, "--at", "a=1,b=2", "--format", "text")
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert lines[0] == "read as: 3a^2 + b^2 - ab + a (at a = 1, b = 2)"
    assert lines[3] == "= 3 · 1^2 + 2^2 - 1 · 2 + 1 substitute"
    assert lines[-1] == "= 6 arithmetic"


def test_detail_normal_puts_the_arithmetic_in_one_line(capsys):
    _, out, _ = deriv(capsys, "eval", SEED, "--at", "a=1,b=2", "--format", "text", "--detail", "normal")
    assert [" ".join(line.split()) for line in out.splitlines()[3:]] == [
        "= 3 · 1^2 + 2^2 - 1 · 2 + 1 substitute",
        "= 6 arithmetic",
    ]


# -- exactness --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expr", "point", "exact"),
    [
        ("x/3", "x=1", "1/3"),
        ("x", "x=0.5", "0.5"),
        ("x + 0.25", "x=0.25", "0.5"),
        ("x^2 y", "x=-3,y=0.5", "4.5"),
        ("x^2 + 2y", "x=0.5,y=1/3", "11/12"),  # a third has no decimal: the exact value wins
        ("x/3 + y", "x=1,y=0.5", "5/6"),
        ("(x + y)^2/(x - y)", "x=3,y=1/2", "49/10"),
        ("x^(-2)", "x=1/2", "4"),
        ("sqrt(x)", "x=2", "sqrt(2)"),
        ("1/2 + 1/3", "", "5/6"),
        ("e^x", "x=0", "1"),
    ],
)
def test_exact(expr, point, exact):
    evaluation = evaluate_at(expr, point)
    assert to_text(evaluation.result) == exact
    assert evaluation.value == evaluation.result and evaluation.approximation is None


def test_a_third_stays_a_third_and_a_half_stays_a_half():
    assert evaluate_at("x", "x=1/3").result == Div(Num(1), Num(3))
    assert evaluate_at("x", "x=0.5").result == Num(Fraction(1, 2), "0.5")


@pytest.mark.parametrize(
    ("expr", "point", "value"),
    [
        ("sqrt(x)", "x=2", "1.4142135623730951"),
        ("x/3", "x=1", "0.3333333333333333"),
        ("-x", "x=0.5", "-0.5"),
        ("2^x", "x=100", "1.2676506002282294 · 10^30"),
    ],
)
def test_numeric(expr, point, value):
    evaluation = evaluate_at(expr, point, numeric=True)
    assert to_text(evaluation.value) == value
    assert [s.after for s in evaluation.steps] == [
        s.after for s in evaluate_at(expr, point).steps
    ]  # the exact steps stay


@pytest.mark.parametrize(
    ("point", "exact"),
    [
        ({"x": 1, "y": Fraction(1, 3)}, "4/3"),
        ({Var("x"): 0.5, "y": "1/3"}, "5/6"),
        ({"x": Num(2), "y": Neg(Num(1))}, "1"),
    ],
)
def test_points_as_mappings(point, exact):
    assert to_text(evaluate_at("x + y", point).result) == exact


def test_names_of_several_letters_in_the_point_are_variables():
    evaluation = evaluate_at("rate t", "rate=2,t=3")
    assert to_text(evaluation.expr) == "rate t" and to_text(evaluation.result) == "6"


def test_an_abstract_function_has_an_exact_value_but_no_number():
    assert to_text(evaluate_at("f(x)", "x=1", functions=["f"]).result) == "f(1)"
    with pytest.raises(EvaluationError, match="abstract"):
        evaluate_at("f(x)", "x=1", numeric=True, functions=["f"])


rationals = st.sampled_from([Num(0), Num(1), Num(3), Neg(Num(2)), Div(Num(1), Num(3)), Neg(Div(Num(5), Num(4)))])
decimals = st.sampled_from(["0.5", "0.25", "1.5", "2.75", "0.1"]).map(lambda text: Num(Fraction(text), text))


@given(polynomials(), st.data())
def test_exact_value_equals_sympys(expr, data):
    point = {var: data.draw(st.one_of(rationals, decimals)) for var in variables(expr)}
    evaluation = evaluate_at(expr, point)
    substitution = {to_sympy(var): to_sympy(value) for var, value in point.items()}
    assert to_sympy(evaluation.result) == to_sympy(expr).subs(substitution)
    assert not point or evaluation.steps[0].rule == "substitute"
    for before, after in zip(evaluation.steps, evaluation.steps[1:]):
        assert before.after is after.before


@given(polynomials().filter(lambda e: not any(isinstance(node, Div) for _, node in walk(e))), st.data())
def test_decimals_in_give_decimals_out(expr, data):
    # Finite decimals stay finite decimals through + and ·, so the answer is written as one, never as a fraction
    # (a coefficient such as 2/3 may make a third along the way, so those are left out).
    point = {var: data.draw(decimals) for var in variables(expr)}
    evaluation = evaluate_at(expr, point)
    if number_value(evaluation.result).denominator % 3:
        assert "/" not in to_text(evaluation.result)


@given(plain_trees, st.data())
def test_any_expression_gives_its_value_or_a_clear_error(tree, data):
    point = {var: data.draw(st.one_of(rationals, decimals)) for var in variables(tree)}
    try:
        evaluation = evaluate_at(tree, point, numeric=data.draw(st.booleans()))
    except DerivError:
        return
    try:
        expected = evaluate(tree, {var: number_value(value) for var, value in point.items()})
    except DerivError:
        return
    assert abs(evaluate(evaluation.result, {}) - expected) <= 1e-9 * max(1, abs(expected))
    for fmt in (shown.render_text, shown.render_latex, shown.render_markdown, shown.to_json):
        fmt(evaluation)


# -- errors -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expr", "point", "error", "message"),
    [
        ("x + y", "x=1", UsageError, "the point gives no value for y"),
        ("x", "x=1,y=2", UsageError, "y does not occur in the expression"),
        ("x", "x=a", UsageError, "the value of x must be a number (such as 2, -0.5 or 1/3), not 'a'"),
        ("x", "x=1/0", UndefinedError, "1/0 is undefined: division by zero"),
        ("x", "x=1,x=2", UsageError, "x is given twice"),
        ("x", "x", UsageError, "a point is written name=value"),
        ("1/x", "x=0", EvaluationError, "the expression has no value at x = 0: division by zero"),
        ("1/(x - 1)", "x=1", EvaluationError, "division by zero"),
        ("ln(x)", "x=0", EvaluationError, "the logarithm of 0"),
        ("tan(x)", "x=1/2", None, None),
        ("csc(x)", "x=0", EvaluationError, "division by zero"),
        ("d/dx x^2", "x=1", UsageError, "holds a derivative"),
    ],
)
def test_errors(expr, point, error, message):
    if error is None:
        evaluate_at(expr, point)
        return
    with pytest.raises(error) as raised:
        evaluate_at(expr, point)
    assert message in str(raised.value) and isinstance(raised.value, DerivError)


def test_numeric_errors():
    with pytest.raises(EvaluationError, match="not a real number"):
        evaluate_at("sqrt(x)", "x=-1", numeric=True)
    assert to_text(evaluate_at("sqrt(x)", "x=-1").result) == "sqrt(-1)"  # exact: fine as it stands
    with pytest.raises(EvaluationError, match="too large for a floating-point number"):
        evaluate_at("2^x", "x=2000", numeric=True)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["x + y", "--at", "x=1"], "error: the point gives no value for y"),
        (["x", "--at", "x=1,y=2"], "error: y does not occur in the expression"),
        (["x", "--at", "x=two"], "error: the value of x must be a number"),
        (["x y"], "error: say where to evaluate with --at, a value for each variable: such as --at x=1,y=1"),
        (["1/x", "--at", "x=0"], "error: the expression has no value at x = 0: division by zero"),
        (["x^2 +", "--at", "x=1"], "column 6"),
    ],
)
def test_cli_errors_exit_2(capsys, argv, message):
    code, out, err = deriv(capsys, "eval", *argv, "--format", "text")
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_cli_errors_in_json_mode(capsys):
    code, out, _ = deriv(capsys, "eval", "1/x", "--at", "x=0", "--format", "json")
    assert code == 2 and json.loads(out)["error"]["kind"] == "evaluation"


# -- output -----------------------------------------------------------------------------------------------------------
def test_numeric_on_the_command_line(capsys):
    code, out, _ = deriv(capsys, "eval", "sqrt(x) + y", "--at", "x=2,y=1/3", "--numeric", "--format", "text")
    assert code == 0
    assert [" ".join(line.split()) for line in out.splitlines()[-2:]] == [
        "= sqrt(2) + 1/3 substitute",
        "≈ 1.7475468957064284 numeric value",
    ]


def test_json_document(capsys):
    _, out, _ = deriv(capsys, "eval", "x/3 + y", "--at", "x=1,y=0.5", "--format", "json")
    document = json.loads(out)
    assert set(document) == TOP_KEYS
    assert (document["schema"], document["command"], document["input"], document["numeric"]) == (
        1,
        "eval",
        "x/3 + y",
        False,
    )
    assert {name: value["text"] for name, value in document["at"].items()} == {"x": "1", "y": "0.5"}
    assert document["value"] == document["exact"] == {"text": "5/6", "latex": r"\frac{5}{6}", "sympy": "5/6"}
    assert [step["rule"] for step in document["steps"]] == ["substitute", "fold_constants"]


def test_json_numeric(capsys):
    _, out, _ = deriv(capsys, "eval", "x/3", "--at", "x=1", "--numeric", "--format", "json")
    document = json.loads(out)
    assert document["numeric"] is True
    assert (document["value"]["text"], document["exact"]["text"]) == ("0.3333333333333333", "1/3")


def test_rich_plain_output_is_the_text_output():
    for evaluation in (
        evaluate_at(SEED, "a=1,b=2"),
        evaluate_at("sqrt(x)", "x=2", numeric=True),
        evaluate_at("1/2 + 1/3", ""),
    ):
        console = Console(file=StringIO(), width=120, color_system=None, legacy_windows=False)
        console.print(shown.view(evaluation))
        plain = "\n".join(line.rstrip() for line in console.file.getvalue().splitlines())
        assert plain == shown.render_text(evaluation).rstrip("\n")


def test_display_hooks():
    evaluation = evaluate_at("x/3", "x=1")
    assert isinstance(evaluation, Evaluation)
    assert str(evaluation).splitlines()[-1].split()[:2] == ["=", "1/3"]
    assert r"\text{substitute}" in evaluation._repr_latex_()


def test_latex_renders_in_katex():
    evaluations = [
        evaluate_at(SEED, "a=1,b=2"),
        evaluate_at("sqrt(x) + theta_i/y", "x=2,y=-1/3,theta_i=0.5", numeric=True),
        evaluate_at("2^x", "x=100", numeric=True),
        evaluate_at("1/2 + 1/3", ""),
        evaluate_at("x/7", "x=12345/11"),  # a decimal beside the fraction
        evaluate_at("10^30/x", "x=7"),  # a decimal in m · 10^k
    ]
    latex = [shown.render_latex(e, detail=detail) for e in evaluations for detail in ("brief", "normal", "full")]
    failures = katex_failures(latex)
    assert not failures, "\n".join(f"{f['latex']}\n  {f['error']}" for f in failures[:3])


def test_eval_does_not_import_sympy_or_rich_for_text():
    code = (
        "import sys\n"
        "from derivsteps.cli import main\n"
        f"assert main(['eval', {SEED!r}, '--at', 'a=1,b=2', '--format', 'text']) == 0\n"
        "assert main(['eval', 'sqrt(x)', '--at', 'x=2', '--numeric', '--format', 'latex']) == 0\n"
        "assert main(['eval', 'x', '--at', 'y=2']) == 2\n"
        "print('sympy' in sys.modules, 'rich' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "False False"


def test_help_has_examples(capsys):
    code, out, _ = deriv(capsys, "eval", "--help")
    assert code == 0 and "--numeric" in out and 'deriv eval "3a^2 + b^2 - ab + a" --at a=1,b=2' in out


def test_sympy_agrees_with_the_seed_value():
    assert to_sympy(evaluate_at(SEED, "a=1,b=2").result) == sympy.Integer(6)


# -- a short decimal beside a long fraction -----------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[2]
LOSS = "1/2 sum_i (s a_i + b - h_i)^2"
# The minimum of the lecture's loss on examples/large_data.csv (examples/lecture.py): its value is a long fraction.
LARGE_MINIMUM = [
    "--at",
    "s=353707067/70766672,b=42471086747/1415333440",
    "--data",
    str(ROOT / "examples" / "large_data.csv"),
]


@pytest.mark.parametrize(
    ("value", "decimal"),
    [
        (Fraction(5191750800981, 28306668800), "183.41"),
        (Fraction(178853, 363363), "0.49222"),
        (Fraction(-178853, 363363), "-0.49222"),
        (Fraction(1234567, 3), "411522"),  # every digit of the integer part stays
        (Fraction(999999, 100000), "10"),  # 9.99999 rounds up; the trailing zeros go
        (Fraction(12345, 7), "1763.6"),
        (Fraction(1, 300007), "3.3333 · 10^(-6)"),
        (Fraction(10**30, 7), "1.4286 · 10^29"),
        (Fraction(845, 847), None),  # short enough to read
        (Fraction(3, 4), None),
        (Fraction(123456789), None),  # an integer is read as it is
    ],
)
def test_decimal_beside_a_long_fraction(value, decimal):
    found = decimal_beside(number(value))
    assert (None if found is None else to_text(found)) == decimal


def test_no_decimal_beside_a_typed_decimal_or_a_formula():
    assert decimal_beside(Num(Fraction("3.14159"), "3.14159")) is None
    assert decimal_beside(parse("sqrt(2)/12345").expr) is None


@given(st.fractions(min_value=-(10**20), max_value=10**20).filter(lambda q: q != 0))
def test_the_decimal_is_the_value_to_five_significant_digits(value):
    found = decimal_beside(number(value))
    if found is None:
        assert value.denominator == 1 or max(len(str(abs(value.numerator))), len(str(value.denominator))) <= 4
        return
    shown = Fraction(to_text(found, ascii=True).replace(" * 10^", "e").replace("(", "").replace(")", ""))
    assert abs(shown - value) <= abs(value) * Fraction(5, 10**5)


def test_the_lecture_loss_at_its_minimum_has_its_decimal_in_every_format(capsys):
    said = {}
    for fmt in ("text", "latex", "markdown", "json"):
        code, said[fmt], err = deriv(capsys, "eval", LOSS, *LARGE_MINIMUM, "--detail", "brief", "--format", fmt)
        assert code == 0, err
    assert "= 5191750800981/28306668800 ≈ 183.41 " in said["text"]
    assert (
        "Σ_i ((353707067/70766672) a_i + 42471086747/1415333440 - h_i)^2 = 5191750800981/14153334400 ≈ 366.82"
        in said["text"]
    )
    assert r"&= \frac{5191750800981}{28306668800} \approx 183.41 && \text{" in said["latex"]
    assert r"&= \frac{5191750800981}{28306668800} \approx 183.41 && \text{" in said["markdown"]
    document = json.loads(said["json"])
    assert (document["exact"]["text"], document["approx"]) == ("5191750800981/28306668800", "183.41")
    assert document["sums"][0]["approx"] == "366.82"
    _assert_valid("evaluation", document)
    evaluation = evaluate_at(LOSS, LARGE_MINIMUM[1], data=LARGE_MINIMUM[3])
    assert to_text(evaluation.decimal) == "183.41"
    console = Console(file=StringIO(), width=160, color_system=None, legacy_windows=False)
    console.print(shown.view(evaluation, detail="brief"))
    assert "= 5191750800981/28306668800 ≈ 183.41 " in console.file.getvalue()


def test_a_gradient_at_a_point_has_the_decimals_of_its_long_fractions(capsys):
    code, out, err = deriv(capsys, "grad", "x^3 y/7 + y^2/13", "--at", "x=13/11,y=5/3", "--format", "text")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[-3].endswith("= 2197/9317 + 10/39 = 178853/363363 ≈ 0.49222")
    assert lines[-2] == "∇f(13/11, 5/3) = (845/847, 178853/363363) ≈ (845/847, 0.49222)"
    _, out, _ = deriv(capsys, "grad", "x^3 y/7 + y^2/13", "--at", "x=13/11,y=5/3", "--format", "latex")
    assert r"\frac{178853}{363363} \approx 0.49222 \\" in out
    _, out, _ = deriv(capsys, "grad", "x^3 y/7 + y^2/13", "--at", "x=13/11,y=5/3", "--format", "json")
    document = json.loads(out)
    assert [c["evaluation"].get("approx") for c in document["components"]] == [None, "0.49222"]
    _assert_valid("gradient", document)


def test_no_decimal_beside_a_short_value_or_with_numeric():
    assert evaluate_at(SEED, "a=1,b=2").decimal is None
    assert evaluate_at("x/7", "x=12345/11", numeric=True).decimal is None  # the float is there already
    assert to_text(evaluate_at("x/7", "x=12345/11").decimal) == "160.32"


def _assert_valid(kind: str, document: dict) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    schemas = Path(shown.__file__).parents[1] / "schemas"
    loaded = [json.loads(path.read_text(encoding="utf-8")) for path in schemas.glob("*.schema.json")]
    registry = referencing.Registry().with_resources(
        (schema["$id"], referencing.Resource.from_contents(schema)) for schema in loaded
    )
    schema = json.loads((schemas / f"{kind}.schema.json").read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft202012Validator(schema, registry=registry).iter_errors(document))
    assert not errors, [error.message for error in errors[:5]]
