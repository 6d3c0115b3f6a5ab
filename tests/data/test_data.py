"""Data sets: reading --data and CSV files with clear errors, exact sums over the rows, and data through eval, grad and descend."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from golden_util import deriv
from hypothesis import given, settings
from hypothesis import strategies as st

from derivsteps.calculus.at_point import TABLE_ROWS, check_value, evaluate_at, gradient_at
from derivsteps.calculus.descent import descend
from derivsteps.calculus.multivar import gradient
from derivsteps.core import limits
from derivsteps.core.errors import InputError, LimitError, UsageError
from derivsteps.core.numeric import EvaluationError, evaluate
from derivsteps.core.tree import Add, Div, Mul, Neg, Num, Pow, Sum, Var, number, number_value
from derivsteps.data.datasets import (
    COUNT,
    Data,
    check_data,
    exact_value,
    expand_sums,
    parameters,
    parse_data_options,
    statistic,
    sum_value,
    terms,
    to_data,
)
from derivsteps.language.mathtext import to_text
from derivsteps.language.parser import parse

ROOT = Path(__file__).resolve().parents[2]
LOSS = "1/2 sum_i (s a_i + b - h_i)^2"
LECTURE = {"a": [0, 2, 4], "h": [30, 40, 50]}
s, b = Var("s"), Var("b")


def body(text: str):
    return parse(text).expr


def write(tmp_path: Path, text: str, name: str = "data.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- reading data -----------------------------------------------------------------------------------------------------
def test_inline_columns():
    data = parse_data_options(["a=0,2,4", "h=30,40,50"])
    assert data.names == ("a", "h") and data.n == 3
    assert data.columns["h"] == (30, 40, 50)
    assert data.decimal == frozenset()


@pytest.mark.parametrize(
    ("spec", "values", "decimal"),
    [
        ("a=1/2,-3,0.25", (Fraction(1, 2), Fraction(-3), Fraction(1, 4)), True),
        ("a= 1 , 2 ,3", (1, 2, 3), False),
        ("a=1e2,2.5E-1", (100, Fraction(1, 4)), True),
        ("a=+4,-0", (4, 0), False),
        ("a_i=5,6", (5, 6), False),  # a_i names column a
    ],
    ids=lambda value: str(value),
)
def test_values(spec, values, decimal):
    data = parse_data_options([spec])
    assert data.columns["a"] == values
    assert ("a" in data.decimal) is decimal


def test_from_mapping_takes_ints_fractions_floats_and_text():
    data = Data.from_mapping({"a": [1, Fraction(1, 3), "0.5"], "b": [0.1, 2, 3]})
    assert data.columns["a"] == (1, Fraction(1, 3), Fraction(1, 2))
    assert data.columns["b"][0] == Fraction(1, 10)  # the float as written, not its binary value
    assert data.decimal == {"a", "b"}


def test_data_is_immutable_and_compares_by_value():
    data = Data.from_mapping(LECTURE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.columns = {}
    with pytest.raises(TypeError):
        data.columns["a"] = (1, 2, 3)
    assert data == parse_data_options(["a=0,2,4", "h=30,40,50"])
    assert hash(data) == hash(Data.from_mapping(LECTURE))
    assert repr(data) == "Data(n=3, columns=a, h)"


def test_to_data_accepts_every_library_form():
    expected = Data.from_mapping(LECTURE)
    assert to_data(None) is None
    assert to_data(expected) is expected
    assert to_data(LECTURE) == expected
    assert to_data(["a=0,2,4", "h=30,40,50"]) == expected
    assert to_data(str(ROOT / "examples" / "lecture_data.csv")) == expected


def test_csv_file(tmp_path):
    data = parse_data_options([write(tmp_path, "a,h\n0,30\n2,40\n\n4,50\n\n")])  # blank lines are not data points
    assert data == Data.from_mapping(LECTURE)


def test_csv_with_byte_order_mark_spaces_and_crlf(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffa_i , h\r\n0, 30\r\n2 ,40\r\n".encode())
    data = parse_data_options([str(path)])
    assert data.names == ("a", "h") and data.columns["a"] == (0, 2)


def test_csv_and_inline_columns_combine(tmp_path):
    data = parse_data_options([write(tmp_path, "a\n0\n2\n4\n"), "h=30,40,50"])
    assert data == Data.from_mapping(LECTURE)


def test_decimal_columns_from_csv(tmp_path):
    data = parse_data_options([write(tmp_path, "a,h\n0.5,1\n1.5,2\n")])
    assert data.decimal == {"a"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "is empty: its first row must name the columns"),
        ("\n\n", "is empty"),
        ("0,30\n2,40\n", "the first row holds numbers, but it must name the columns"),
        ("a,h\n", "has a header but no data rows"),
        ("a,a\n1,2\n", "names column a more than once"),
        ("a,h\n0,30\n2\n", "line 3: the row has 1 values, but the header names 2 columns (a, h)"),
        ("a,h\n0,30,7\n", "line 2: the row has 3 values"),
        ("a,h\n0,30\nx,40\n", "line 3, column a is 'x', which is not a number"),
        ("a,h\n0,\n", "line 2, column h is empty"),
        ("a,h\n0,1/0\n", "a division by zero"),
        ("a,2b\n0,1\n", "'2b' is not a column name"),
        ("a,\n0,1\n", "column 2 of the header has no name"),
        ("a,h\n1e999999,1\n", "exponent is beyond limits.MAX_DATA_EXPONENT"),
        ("a,h\nnan,1\n", "'nan', which is not a number"),
    ],
)
def test_csv_errors_say_what_and_where(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        parse_data_options([path])
    assert words in str(caught.value)


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"a\n\xe9\n")
    with pytest.raises(InputError, match="not UTF-8"):
        parse_data_options([str(path)])


@pytest.mark.parametrize(
    ("specs", "error", "words"),
    [
        ([], UsageError, "no data given"),
        (["a="], InputError, "gives no values"),
        (["a=1,,3"], InputError, "value 2 of a is empty"),
        (["a=1,two"], InputError, "value 2 of a is 'two', which is not a number"),
        (["a=1,2", "a=3,4"], UsageError, "column a is given twice"),
        (["a=1,2", "h=1,2,3"], InputError, "different lengths (a has 2, h has 3)"),
        (["missing.csv"], UsageError, "missing.csv: no such file"),
        (["a=" + "1" * 200], LimitError, "MAX_DATA_VALUE_LENGTH"),
    ],
)
def test_option_errors(specs, error, words):
    with pytest.raises(error) as caught:
        parse_data_options(specs)
    assert words in str(caught.value)


def test_row_limit(monkeypatch, tmp_path):
    monkeypatch.setattr(limits, "MAX_DATA_ROWS", 3)
    with pytest.raises(LimitError, match="MAX_DATA_ROWS"):
        parse_data_options(["a=1,2,3,4"])
    with pytest.raises(LimitError, match="MAX_DATA_ROWS"):
        parse_data_options([write(tmp_path, "a\n1\n2\n3\n4\n")])
    with pytest.raises(LimitError, match="MAX_DATA_ROWS"):
        Data.from_mapping({"a": range(4)})
    assert parse_data_options(["a=1,2,3"]).n == 3


def test_column_limit(monkeypatch):
    monkeypatch.setattr(limits, "MAX_DATA_COLUMNS", 2)
    with pytest.raises(LimitError, match="MAX_DATA_COLUMNS"):
        Data.from_mapping({"a": [1], "b": [2], "c": [3]})


def test_bools_and_infinities_are_not_numbers():
    with pytest.raises(InputError, match="finite number"):
        Data.from_mapping({"a": [True]})
    with pytest.raises(InputError, match="finite number"):
        Data.from_mapping({"a": [float("inf")]})


# -- which variables are data -------------------------------------------------------------------------------------------
def test_parameters_leave_out_the_data_and_the_index():
    assert parameters(body(LOSS)) == [s, b]
    assert parameters(body("s sum_i a_i + b n - sum_i h_i")) == [s, b, COUNT]
    assert parameters(body("sum_i i a_i")) == []


def test_check_data():
    data = Data.from_mapping({**LECTURE, "z": [1, 2, 3]})
    assert check_data(body(LOSS), data) == ("data column z not used by the expression",)
    with pytest.raises(UsageError, match="h_i is used in the expression, but the data has no column h"):
        check_data(body(LOSS), Data.from_mapping({"a": [1, 2]}))
    with pytest.raises(UsageError, match="a_i occurs outside a sum over i"):
        check_data(body("a_i + sum_i h_i"), data)
    with pytest.raises(UsageError, match="several indices"):
        check_data(body("sum_i x_{ij}"), data)


# -- exact sums -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a_i^2", 20),
        ("a_i", 6),
        ("a_i h_i", 280),
        ("h_i", 120),
        ("1", 3),
        ("n", 9),  # n is the number of data points, in every term
        ("i a_i", 0 + 4 + 12),  # the bare index is the row number, from 1
        ("a_i/3 + h_i/7", Fraction(6, 3) + Fraction(120, 7)),
        ("1/(a_i + 1)", 1 + Fraction(1, 3) + Fraction(1, 5)),  # a division by data: Fractions row by row
        ("(a_i + 1)^(-2)", 1 + Fraction(1, 9) + Fraction(1, 25)),
        ("-a_i", -6),
        ("(a_i - sum_j a_j / n)^2", 8),  # the inner sum is the same for every row
    ],
)
def test_statistic(text, expected):
    assert statistic(body(text), "i", Data.from_mapping(LECTURE)) == expected


def test_statistic_with_a_point():
    point = {s: Num(1), b: Num(0)}
    loss_body = body(LOSS).factors[1].body
    assert statistic(loss_body, "i", Data.from_mapping(LECTURE), point) == 4460
    assert statistic(loss_body, "i", Data.from_mapping(LECTURE), {s: Fraction(18, 5), b: Fraction(57, 50)}) == Fraction(
        30227468, 10000
    )


def test_terms_are_the_lecture_table():
    loss_body = body(LOSS).factors[1].body
    assert terms(loss_body, "i", Data.from_mapping(LECTURE), {s: 1, b: 0}) == [900, 1444, 2116]


def test_bounds_pick_rows():
    data = Data.from_mapping({"a": [1, 2, 3, 4]})
    assert sum_value(body("sum_{i=2}^{3} a_i"), data) == 5
    assert sum_value(body("sum_{i=1}^{n} a_i"), data) == 10
    assert terms(Var("a", "i"), "i", data, lower=Num(3), upper=Num(4)) == [3, 4]
    with pytest.raises(UsageError, match="rows 1 to 4"):
        sum_value(body("sum_{i=1}^{5} a_i"), data)


def test_exact_value_of_a_whole_expression():
    data = Data.from_mapping(LECTURE)
    assert exact_value(body(LOSS), data, {s: 1, b: 0}) == 2230
    assert exact_value(body("s sum_i a_i + b n - sum_i h_i"), data, {s: 1, b: 0}) == -114


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("sum_i (1/(a_i - 2))", "division by zero in the term of data point 2"),
        ("sum_i e^(a_i)", "an exponent that changes from row to row"),
        ("sum_i (pi a_i)", "π has no exact value"),
        ("sum_i sin(a_i)", "sin has no exact value"),
        ("sum_i a_i^(1/2)", "the power 1/2 has no exact value"),
        ("sum_i a_i^2000", "MAX_DATA_POWER"),
        ("sum_i z_i", "the data has no column z"),
        ("sum_i (a_i + x)", "the point gives no value for x"),
        ("sum_i (sum_j (a_i h_j))", "nested sums over data are not supported"),
    ],
)
def test_sums_that_have_no_exact_value(text, words):
    with pytest.raises((UsageError, LimitError, EvaluationError)) as caught:
        exact_value(body(text), Data.from_mapping(LECTURE))
    assert words in str(caught.value)


def test_statistics_are_computed_once():
    data = Data.from_mapping(LECTURE)
    first = statistic(body("a_i h_i"), "i", data)
    cached = {key: value for key, value in data._cache.items() if key[0] == "sum"}
    assert statistic(body("a_i h_i"), "i", data) == first and len(cached) == 1


def test_expand_sums_writes_out_every_term():
    expanded = expand_sums(body("sum_i (a_i h_i) + n"), Data.from_mapping({"a": [1, 2], "h": [3, 4]}))
    assert to_text(expanded) == "(1 · 3 + 2 · 4) + 2"


# -- through eval, grad and descend ---------------------------------------------------------------------------------------
def test_evaluate_at_with_data():
    evaluation = evaluate_at(LOSS, "s=1,b=0", data=LECTURE)
    assert evaluation.result == Num(2230)
    assert [step.rule for step in evaluation.steps[:2]] == ["substitute", "sum_over_data"]
    (summed,) = evaluation.sums
    assert [to_text(t) for t in summed.terms] == ["900", "1444", "2116"] and summed.value == Num(4460)
    assert check_value(evaluation).verified is True


def test_a_sum_needs_data():
    with pytest.raises(UsageError, match="needs data"):
        evaluate_at(LOSS, "s=1,b=0")
    with pytest.raises(UsageError, match="give the data"):
        descend(LOSS, "s=1,b=0", "0.01")


def test_the_point_gives_parameters_not_data():
    with pytest.raises(UsageError, match="no value for b"):
        evaluate_at(LOSS, "s=1", data=LECTURE)
    with pytest.raises(UsageError, match="x does not occur"):
        evaluate_at(LOSS, "s=1,b=0,x=2", data=LECTURE)


def test_unused_column_is_a_warning():
    evaluation = evaluate_at("sum_i a_i", "", data={"a": [1, 2], "z": [0, 0]})
    assert evaluation.warnings == ("data column z not used by the expression",)


def test_decimal_data_gives_decimals():
    assert to_text(evaluate_at("sum_i a_i", "", data={"a": ["0.5", "0.25"]}).result) == "0.75"
    assert to_text(evaluate_at("sum_i a_i", "", data={"a": ["1/2", "1/4"]}).result) == "3/4"


def test_large_data_keeps_the_head_of_the_table():
    evaluation = evaluate_at("sum_i a_i", "", data={"a": list(range(100))})
    assert len(evaluation.sums[0].terms) == TABLE_ROWS and evaluation.sums[0].rows == 100
    assert evaluation.result == Num(4950)


def test_gradient_at_with_data():
    grad = gradient(LOSS, ["s", "b"])
    values = gradient_at(grad, "s=1,b=0", data=LECTURE)
    assert [to_text(v.result) for v in values] == ["-260", "-114"]
    assert [to_text(s.sum) for s in values[0].sums] == ["Σ_i a_i^2", "Σ_i a_i", "Σ_i (a_i h_i)"]


def test_descend_with_data():
    result = descend(LOSS, "s=1,b=0", "0.01", data=LECTURE)
    assert [to_text(v) for v in result.final.values()] == ["3.6", "1.14"]
    assert to_text(result.final_f) == "1511.3734"
    assert result.fixed == {}  # n comes from the data; it is not a variable held fixed


def test_descent_stops_where_a_sum_has_no_value():
    result = descend("sum_i (1/(s - a_i))", "s=2", "0.8", data={"a": [0, 3]})  # the step lands on s = 3 = a_2
    assert result.stop is not None and result.stop.reason == "not_finite"
    assert "division by zero in the term of data point" in result.stop.message


def test_numeric_descent_with_data():
    result = descend(LOSS, "s=1,b=0", "0.01", 2, data=LECTURE, numeric=True)
    assert [float(number_value(v)) for v in result.final.values()] == pytest.approx([5.6116, 2.0898])


def test_cli_reads_a_csv(capsys):
    code, out, err = deriv(
        capsys,
        "eval",
        LOSS,
        "--at",
        "s=1,b=0",
        "--data",
        str(ROOT / "examples" / "lecture_data.csv"),
        "--format",
        "text",
    )
    assert code == 0, err
    assert out.splitlines()[5].startswith("= 2230")


def test_cli_errors(capsys):
    code, _, err = deriv(capsys, "eval", LOSS, "--at", "s=1,b=0", "--data", "a=0,2,4")
    assert code == 2 and "the data has no column h" in err
    code, _, err = deriv(capsys, "grad", LOSS, "--data", "a=0,2,4", "--data", "h=1,2,3")
    assert code == 2 and "use it with --at" in err
    code, _, err = deriv(capsys, "eval", LOSS, "--data", "a=0,2,4", "--data", "h=1,2,3")
    assert code == 2 and "--at s=1,b=1" in err


def test_grad_of_a_loss_differentiates_by_the_parameters_only(capsys):
    code, out, _ = deriv(capsys, "grad", LOSS, "--format", "text")
    assert code == 0
    assert out.splitlines()[0] == "f(s, b) = (1/2) Σ_i (s a_i + b - h_i)^2"


# -- hypothesis: random small data sets against plain Fractions -------------------------------------------------------------
small = st.one_of(st.integers(-9, 9), st.fractions(min_value=-5, max_value=5, max_denominator=6))


@st.composite
def data_sets(draw):
    rows = draw(st.integers(2, 6))
    return {
        "a": draw(st.lists(small, min_size=rows, max_size=rows)),
        "h": draw(st.lists(small, min_size=rows, max_size=rows)),
    }


def _plain(data, s0, b0):
    """The loss and its gradient, summed row by row in plain Python (the lecture's formulas, written out)."""
    rows = list(zip(data["a"], data["h"]))
    residuals = [s0 * Fraction(a) + b0 - Fraction(h) for a, h in rows]
    loss = sum((r * r for r in residuals), Fraction(0)) / 2
    grad_s = sum((Fraction(a) * r for (a, _), r in zip(rows, residuals)), Fraction(0))
    grad_b = sum(residuals, Fraction(0))
    return loss, grad_s, grad_b


LOSS_GRADIENT = gradient(LOSS, ["s", "b"])


@settings(max_examples=40)
@given(data_sets(), small, small)
def test_loss_and_gradient_agree_with_plain_fractions(data, s0, b0):
    point = {"s": Fraction(s0), "b": Fraction(b0)}
    loss, grad_s, grad_b = _plain(data, Fraction(s0), Fraction(b0))
    assert number_value(evaluate_at(LOSS, point, data=data).result) == loss
    values = gradient_at(LOSS_GRADIENT, point, data=data)
    assert [number_value(v.result) for v in values] == [grad_s, grad_b]
    assert all(check_value(v).verified for v in values)


@settings(max_examples=15)
@given(data_sets(), small, small, st.sampled_from([Fraction(1, 100), Fraction(1, 10), Fraction(1, 3)]))
def test_one_descent_step_agrees_with_plain_fractions(data, s0, b0, lr):
    _, grad_s, grad_b = _plain(data, Fraction(s0), Fraction(b0))
    result = descend(LOSS, {"s": Fraction(s0), "b": Fraction(b0)}, lr, data=data)
    s1, b1 = Fraction(s0) - lr * grad_s, Fraction(b0) - lr * grad_b
    assert [number_value(v) for v in result.final.values()] == [s1, b1]
    assert number_value(result.final_f) == _plain(data, s1, b1)[0]


def _row_value(expr, row: dict[str, Fraction], point: dict[Var, Fraction]) -> Fraction:
    """A body at one row, by a direct walk over the tree: the simplest possible evaluator, to check the compiled one."""
    match expr:
        case Num(value):
            return Fraction(value)
        case Var(name, sub):
            return row[name] if sub == "i" else point[expr]
        case Add(parts):
            return sum((_row_value(p, row, point) for p in parts), Fraction(0))
        case Mul(parts):
            result = Fraction(1)
            for p in parts:
                result *= _row_value(p, row, point)
            return result
        case Neg(arg):
            return -_row_value(arg, row, point)
        case Div(num, den):
            return _row_value(num, row, point) / _row_value(den, row, point)
        case Pow(base, exp):
            return _row_value(base, row, point) ** int(number_value(exp))
    raise AssertionError(expr)


leaves = st.sampled_from([Var("a", "i"), Var("h", "i"), s, Num(2), Num(3), Div(Num(1), Num(2))])
bodies = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda t: Add(t)),
        st.tuples(inner, inner).map(lambda t: Mul(t)),
        inner.map(Neg),
        st.tuples(inner, st.sampled_from([Num(2), Num(3)])).map(lambda t: Pow(*t)),
        inner.map(lambda u: Div(u, Num(3))),
    ),
    max_leaves=8,
)


@settings(max_examples=60)
@given(bodies, data_sets(), small)
def test_statistic_agrees_with_a_direct_walk(tree, data, s0):
    prepared = Data.from_mapping(data)
    point = {s: Fraction(s0)}
    expected = sum(
        (_row_value(tree, {"a": Fraction(a), "h": Fraction(h)}, point) for a, h in zip(data["a"], data["h"])),
        Fraction(0),
    )
    assert statistic(tree, "i", prepared, point) == expected
    assert terms(tree, "i", prepared, point) == [
        _row_value(tree, {"a": Fraction(a), "h": Fraction(h)}, point) for a, h in zip(data["a"], data["h"])
    ]
    # The expansion over the concrete data, evaluated by mpmath, is a second independent route.
    written_out = evaluate(expand_sums(Sum(tree, "i"), prepared), point)
    assert abs(written_out - evaluate(number(expected), {})) <= 1e-30 * max(1, abs(expected))


# -- the benchmark runs (tiny sizes: a smoke test, nothing about time) ------------------------------------------------------
def test_benchmark_script_runs():
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "data_bench.py"), "--rows", "5", "20", "--repeat", "1"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "rows" in done.stdout and "loss" in done.stdout and "gradient" in done.stdout
