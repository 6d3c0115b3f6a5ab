"""Closed-form least squares (issue 5, Questions 7 and 8): the symbolic solution in bar notation, the solution on data,
and both against exact least squares by the normal equations."""

from __future__ import annotations

import functools
import json
import re
from fractions import Fraction

import pytest
from golden_util import assert_golden, deriv
from helpers import katex_failures, math_in_markdown
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from derivsteps.calculus.critical import critical_points, verify_critical
from derivsteps.core.errors import UsageError
from derivsteps.core.tree import Div, Num, Sum, Var, number, number_value
from derivsteps.data.datasets import Data, exact_value
from derivsteps.data.sums import DataSums, Ratio
from derivsteps.language.parser import parse
from derivsteps.render.critical import (
    mean_latex,
    mean_text,
    render_latex,
    render_markdown,
    render_text,
    to_json,
    to_latex,
    to_text,
)

LOSS = "1/2 sum_i (s a_i + b - h_i)^2"
LECTURE_DATA = {"a": [0, 2, 4], "h": [30, 40, 50]}
s, b = Var("s"), Var("b")
n = Var("n")


def _mean(body: str) -> Div:
    return Div(Sum(parse(body).expr, "i"), n)


@functools.cache
def _question_7():
    """Question 7 as the CLI computes it, every partial derivative checked by SymPy (once: results are immutable)."""
    return verify_critical(critical_points(LOSS))


@functools.cache
def _question_8():
    return verify_critical(critical_points(LOSS, data=LECTURE_DATA))


def _lines(text: str) -> list[str]:
    return [re.sub(r" {2,}", "  ", line.strip()) for line in text.splitlines()]


def _dump(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# -- Question 7: no data, the closed form ---------------------------------------------------------------------------------


def test_question_7_follows_the_lecture():
    lines = _lines(render_text(_question_7()))
    assert "(1)  ∂f/∂s = s Σ_i a_i^2 + b Σ_i a_i - Σ_i (a_i h_i) = 0" in lines
    assert "(2)  ∂f/∂b = s Σ_i a_i + bn - Σ_i h_i = 0" in lines
    assert "ā = (1/n) Σ_i a_i" in lines and "mean(ah) = (1/n) Σ_i (a_i h_i)" in lines
    solving = lines[lines.index("solve the linear system:") + 1 :]
    # b first, from ∂f/∂b, as the lecture does: through (Σ_i h_i - s Σ_i a_i)/n to the means.
    assert solving[0] == "bn = Σ_i h_i - s Σ_i a_i  ⇔  b = (Σ_i h_i - s Σ_i a_i)/n = h̄ - s ā  from (2), express b"
    assert solving[1].startswith(
        "s Σ_i a_i^2 + (h̄ - s ā) Σ_i a_i - Σ_i (a_i h_i) = 0  put b = h̄ - s ā into (1), divide by n"
    )
    assert solving[2:4] == ["⇔  s mean(a^2) + (h̄ - s ā) ā - mean(ah) = 0", "⇔  s(mean(a^2) - ā^2) + ā h̄ - mean(ah) = 0"]
    assert (
        solving[4]
        == "s(mean(a^2) - ā^2) = mean(ah) - ā h̄  solve (1) for s; mean(a^2) - ā^2 ≠ 0 unless all a_i are equal"
    )
    assert solving[5] == "⇔  s = (mean(ah) - ā h̄)/(mean(a^2) - ā^2)"
    assert solving[6].startswith("b = h̄ - s ā = (h̄ mean(a^2) - ā mean(ah))/(mean(a^2) - ā^2)  back-substitute")
    assert "D1 = Σ_i a_i^2, D2 = n Σ_i a_i^2 - (Σ_i a_i)^2" in lines
    assert "it is positive definite (every minor > 0) when the a_i are not all equal" in lines
    assert "→ a minimum, when the a_i are not all equal" in lines


def test_question_7_as_data():
    result = _question_7()
    assert result.vars == (s, b) and result.closed_form and result.data is None
    assert result.solved.method == "linear"
    assert [step.action for step in result.solved.steps] == ["express", "substitute", "solve", "back_substitute"]
    (point,) = result.points
    assert to_text(point.values[s]) == "(mean(ah) - ā h̄)/(mean(a^2) - ā^2)"
    assert to_latex(point.values[s]) == r"\frac{\overline{ah} - \bar{a} \bar{h}}{\overline{a^{2}} - \bar{a}^{2}}"
    assert point.kind == "minimum" and point.test.definiteness == "positive definite"
    assert point.test.condition[0] == "the {u} are not all equal" and point.test.condition[1]["u"] == Var("a", "i")
    assert [to_text(stat.total) for stat in result.statistics] == ["Σ_i a_i^2", "Σ_i a_i", "Σ_i (a_i h_i)", "Σ_i h_i"]


def test_question_7_in_latex_uses_bars():
    latex = render_latex(_question_7())
    assert r"b = \frac{\sum_{i} h_{i} - s \sum_{i} a_{i}}{n} = \bar{h} - s \bar{a}" in latex
    assert r"s = \frac{\overline{ah} - \bar{a} \bar{h}}{\overline{a^{2}} - \bar{a}^{2}}" in latex


@pytest.mark.parametrize(
    ("extension", "render"),
    [("txt", render_text), ("tex", render_latex), ("json", lambda r: _dump(to_json(r)))],
    ids=["text", "latex", "json"],
)
def test_golden_question_7(pytestconfig, extension, render):
    assert_golden(pytestconfig, f"lecture_q7_closed_form.{extension}", render(_question_7()))


def test_question_7_json_has_the_statistics_and_the_closed_form():
    document = to_json(_question_7())
    assert [stat["mean"]["text"] for stat in document["statistics"]] == ["mean(a^2)", "ā", "mean(ah)", "h̄"]
    assert all(stat["value"] is None and stat["terms"] is None for stat in document["statistics"])
    assert (
        document["closed_form"]["s"]["latex"]
        == r"\frac{\overline{ah} - \bar{a} \bar{h}}{\overline{a^{2}} - \bar{a}^{2}}"
    )
    assert document["closed_form"]["b"]["text"] == "(h̄ mean(a^2) - ā mean(ah))/(mean(a^2) - ā^2)"
    assert document["conditions"] == ["the a_i are not all equal"]
    assert document["points"][0]["condition"] == "the a_i are not all equal"
    # The sympy string keeps the sums: a mean is Sum(...)/n.
    assert document["statistics"][1]["mean"]["sympy"] == "Sum(IndexedBase('a')[i], (i, 1, n))/n"


def test_closed_form_agrees_with_sympy():
    import sympy

    from derivsteps.cas.bridge import to_sympy

    result = critical_points(LOSS)
    values = {sympy.Symbol(v.name): to_sympy(e) for v, e in result.points[0].values.items()}
    for component in result.system:
        assert sympy.simplify(to_sympy(component).subs(values)) == 0


# -- Question 8: the lecture's data -------------------------------------------------------------------------------------------


def test_question_8_follows_the_lecture():
    lines = _lines(render_text(_question_8()))
    for line in (
        "n = 3  the number of data points",
        "Σ_i a_i^2 = 0^2 + 2^2 + 4^2 = 20",
        "Σ_i a_i = 0 + 2 + 4 = 6",
        "Σ_i (a_i h_i) = 0 · 30 + 2 · 40 + 4 · 50 = 280",
        "Σ_i h_i = 30 + 40 + 50 = 120",
        "(1)  20s + 6b - 280 = 0",
        "(2)  6s + 3b - 120 = 0",
        "3b = 120 - 6s  ⇔  b = 40 - 2s  from (2), express b",
        "20s + 6(40 - 2s) - 280 = 0  ⇔  8s - 40 = 0  put b = 40 - 2s into (1) and collect terms",
        "8s = 40  ⇔  s = 5  solve (1) for s",
        "b = 40 - 2s = 30  back-substitute s = 5",
        "critical point: s = 5, b = 30",
        "D1 = 20 > 0, D2 = 24 > 0: all positive, so H is positive definite",
        "→ a minimum",
    ):
        assert line in lines, line


def test_question_8_numbers_by_hand():
    """The lecture's numbers, worked out here without derivsteps: Σa² = 0 + 4 + 16, Σah = 0 + 80 + 200, ..."""
    a, h = LECTURE_DATA["a"], LECTURE_DATA["h"]
    saa, sa, sah, sh, count = sum(x * x for x in a), sum(a), sum(x * y for x, y in zip(a, h)), sum(h), len(a)
    assert (saa, sa, sah, sh, count) == (20, 6, 280, 120, 3)
    # 20s + 6b = 280 and 6s + 3b = 120: b = 40 - 2s, so 20s + 240 - 12s = 280, 8s = 40.
    assert (Fraction(280 - 6 * 40, 20 - 6 * 2), 40 - 2 * 5) == (5, 30)
    result = _question_8()
    assert [stat.value for stat in result.statistics] == [20, 6, 280, 120]
    (point,) = result.points
    assert dict(point.values) == {s: Num(5), b: Num(30)}
    assert point.test.hessian == ((Num(20), Num(6)), (Num(6), Num(3)))
    assert point.kind == "minimum" and point.test.definiteness == "positive definite"
    # The line through the three points: every residual is 0.
    assert [5 * x + 30 - y for x, y in zip(a, h)] == [0, 0, 0]


@pytest.mark.parametrize(
    ("extension", "render"), [("txt", render_text), ("json", lambda r: _dump(to_json(r)))], ids=["text", "json"]
)
def test_golden_question_8(pytestconfig, extension, render):
    assert_golden(pytestconfig, f"lecture_q8_on_data.{extension}", render(_question_8()))


def test_question_8_json():
    document = to_json(_question_8())
    assert document["data"] == {"n": 3, "columns": ["a", "h"]}
    assert [stat["value"]["text"] for stat in document["statistics"]] == ["20", "6", "280", "120"]
    assert document["statistics"][2]["terms"]["text"] == "0 · 30 + 2 · 40 + 4 · 50"
    assert [e["text"] for e in document["equations"]] == ["20s + 6b - 280", "6s + 3b - 120"]
    assert document["closed_form"] is None and document["conditions"] == []
    assert {k: v["text"] for k, v in document["points"][0]["values"].items()} == {"s": "5", "b": "30"}


def test_the_same_data_in_every_form():
    expected = render_text(critical_points(LOSS, data=LECTURE_DATA))
    assert render_text(critical_points(LOSS, data=Data.from_mapping(LECTURE_DATA))) == expected
    assert render_text(critical_points(LOSS, data=["a=0,2,4", "h=30,40,50"])) == expected


def test_many_rows_are_summed_without_their_terms():
    rows = {"a": list(range(20)), "h": [3 * x + 7 for x in range(20)]}
    result = critical_points(LOSS, data=rows)
    assert all(stat.terms is None for stat in result.statistics)
    assert dict(result.points[0].values) == {s: Num(3), b: Num(7)}
    assert "Σ_i a_i = 190" in render_text(result)


def test_decimal_data_stays_decimal():
    result = critical_points(LOSS, data={"a": ["0.5", "1", "1.5"], "h": ["1", "2", "3.5"]})
    text = render_text(result)
    assert "Σ_i a_i = 0.5 + 1 + 1.5 = 3" in text
    assert "critical point: s = 2.5, b = -1/3" in text and "D1 = 3.5 > 0, D2 = 1.5 > 0" in text


def test_equal_a_values_give_infinitely_many_points():
    result = critical_points(LOSS, data={"a": [1, 1, 1], "h": [1, 2, 3]})
    assert result.solved.outcome == "infinite"
    (point,) = result.points
    assert point.kind == "inconclusive" and point.test.definiteness == "positive semidefinite"


@pytest.mark.parametrize("data", [None, LECTURE_DATA], ids=["closed form", "on data"])
def test_a_parameter_inside_a_sum_is_refused(data):
    # Not "no critical point": SymPy, given the sums unevaluated, cannot tell, and the error says what is supported.
    with pytest.raises(UsageError, match="s occurs inside a sum over the data"):
        critical_points("sum_i (e^(s a_i) - h_i)^2", ["s"], data=data)


def test_a_penalised_loss_in_closed_form_agrees_with_its_solution_on_data():
    loss = "sum_i (s a_i + b - h_i)^2 + s^2"
    closed = critical_points(loss).points[0].values
    on_data = critical_points(loss, data=LECTURE_DATA).points[0].values
    data = Data.from_mapping(LECTURE_DATA)
    assert {var: exact_value(value, data) for var, value in closed.items()} == {
        var: number_value(value) for var, value in on_data.items()
    }


# -- against exact least squares: random small data sets -----------------------------------------------------------------------

_CLOSED_FORM = critical_points(LOSS).points[0].values


@st.composite
def data_sets(draw) -> dict[str, list[int]]:
    rows = draw(st.integers(2, 6))
    a = draw(st.lists(st.integers(-5, 5), min_size=rows, max_size=rows))
    assume(len(set(a)) > 1)  # all a_i equal: no unique line (the closed form's condition)
    h = draw(st.lists(st.integers(-20, 20), min_size=rows, max_size=rows))
    return {"a": a, "h": h}


def _normal_equations(a: list[int], h: list[int]) -> dict[Var, Fraction]:
    """Least squares from the normal equations [[Σa², Σa], [Σa, n]] (s, b) = (Σah, Σh), by Cramer's rule in Fractions."""
    saa, sa, sah, sh, count = sum(x * x for x in a), sum(a), sum(x * y for x, y in zip(a, h)), sum(h), len(a)
    det = Fraction(count * saa - sa * sa)
    return {s: (count * sah - sa * sh) / det, b: (saa * sh - sa * sah) / det}


@settings(max_examples=60)
@given(data_sets())
def test_closed_form_equals_least_squares_and_the_solution_on_data(columns):
    expected = _normal_equations(columns["a"], columns["h"])
    data = Data.from_mapping(columns)
    closed = {var: exact_value(formula, data) for var, formula in _CLOSED_FORM.items()}
    assert closed == expected
    on_data = critical_points(LOSS, data=columns)
    (point,) = on_data.points
    assert {var: exact_value(value, data) for var, value in point.values.items()} == expected
    assert point.kind == "minimum"


# -- the coefficient domain and bar notation ------------------------------------------------------------------------------------


def test_ratios_cancel_what_they_can():
    domain = DataSums()
    count = domain.atom(n)
    mean_a = domain.atom(_mean("a_i"))
    assert domain.tree((count * mean_a) / count) == _mean("a_i")
    square = domain.atom(_mean("a_i^2"))
    variance = square - mean_a * mean_a
    assert (variance * mean_a) / variance == mean_a
    assert domain.tree((variance * mean_a) / variance) == _mean("a_i")
    assert variance / variance == 1 and variance - variance == 0
    assert isinstance(domain.one / variance, Ratio)


@pytest.mark.parametrize(
    ("body", "text", "ascii", "latex"),
    [
        ("a_i", "ā", "mean(a)", r"\bar{a}"),
        ("h_i", "h̄", "mean(h)", r"\bar{h}"),
        ("a_i h_i", "mean(ah)", "mean(ah)", r"\overline{ah}"),
        ("a_i^2", "mean(a^2)", "mean(a^2)", r"\overline{a^{2}}"),
        ("θ_i", "θ̄", "mean(theta)", r"\bar{\theta}"),
        ("(a_i - 1)^2", "mean((a - 1)^2)", "mean((a - 1)^2)", r"\overline{\left(a - 1\right)^{2}}"),
    ],
)
def test_bar_notation(body, text, ascii, latex):
    mean = _mean(body)
    assert (mean_text(mean), mean_text(mean, ascii=True), mean_latex(mean)) == (text, ascii, latex)


def test_bars_only_for_means():
    assert to_text(parse("(sum_i a_i) / n").expr) == "ā"
    assert to_text(parse("(sum_i a_i) / m").expr) == "(Σ_i a_i)/m"
    assert to_text(parse("(sum_{i=1}^{3} a_i) / n").expr) == "(Σ_{i=1}^{3} a_i)/n"
    # Σ covers the product after it, divisions included: this is the sum of the a_i/n, not a mean written as one
    assert to_text(parse("sum_i a_i / n").expr) == "Σ_i (a_i/n)"


def test_a_three_parameter_loss_is_solved_and_checked():
    loss = "1/2 sum_i (s a_i + t c_i + b - h_i)^2"
    result = critical_points(loss)
    (point,) = result.points
    assert point.kind == "minimum" and "linearly independent" in point.test.condition[0]
    columns = {"a": [0, 1, 2, 3], "c": [1, 0, 2, 5], "h": [3, 2, 10, 21]}  # h = 2a + 3c + 0 exactly
    data = Data.from_mapping(columns)
    assert {v.name: exact_value(e, data) for v, e in point.values.items()} == {"s": 2, "t": 3, "b": 0}
    on_data = critical_points(loss, data=columns)
    assert dict(on_data.points[0].values) == {Var("s"): Num(2), Var("t"): Num(3), b: number(0)}


# -- LaTeX in KaTeX, and the command line ---------------------------------------------------------------------------------------


def test_latex_and_markdown_render_in_katex():
    results = [
        _question_7(),
        _question_8(),
        critical_points("1/2 sum_i (s a_i + t c_i + b - h_i)^2"),
        critical_points("sum_i (w x_i - y_i)^2"),
    ]
    latex = [render_latex(r, steps=steps) for r in results for steps in (False, True)]
    latex += [block for r in results for block in math_in_markdown(render_markdown(r))]
    failures = katex_failures(latex)
    assert not failures, "\n".join(f"{f['latex']}\n  {f['error']}" for f in failures[:3])


def test_cli_question_7(capsys):
    code, out, err = deriv(capsys, "critical", LOSS, "--format", "text")
    assert code == 0 and err == "" and out == render_text(_question_7())


def test_cli_question_8_inline_and_csv(capsys, tmp_path):
    code, inline, _ = deriv(capsys, "critical", LOSS, "--data", "a=0,2,4", "--data", "h=30,40,50", "--format", "text")
    assert code == 0 and inline == render_text(_question_8())
    table = tmp_path / "lecture.csv"
    table.write_text("a,h\n0,30\n2,40\n4,50\n", encoding="utf-8")
    code, from_file, _ = deriv(capsys, "critical", LOSS, "--data", str(table), "--format", "text", "--no-verify")
    inline = inline.rsplit("\n\n", 1)[0] + "\n"  # the same but for the verdict, which --no-verify leaves out
    assert code == 0 and from_file == inline


def test_cli_json_with_data(capsys):
    code, out, _ = deriv(
        capsys, "critical", LOSS, "--data", "a=0,2,4", "--data", "h=30,40,50", "--format", "json", "--no-verify"
    )
    document = json.loads(out)
    assert code == 0 and document["points"][0]["values"]["s"]["text"] == "5"


def test_cli_ascii(capsys):
    code, out, _ = deriv(capsys, "critical", LOSS, "--format", "text", "--ascii", "--no-verify")
    assert code == 0 and all(line.isascii() for line in out.splitlines())
    assert "s = (mean(ah) - mean(a) mean(h))/(mean(a^2) - mean(a)^2)" in out and "!= 0 unless" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--data", "a=0,2,4"], "no column h"),
        (["--data", "a=0,2", "--data", "h=1,2,3"], "different lengths"),
        (["--data", "missing.csv"], "no such file"),
    ],
)
def test_cli_data_errors_exit_2(capsys, argv, message):
    code, out, err = deriv(capsys, "critical", LOSS, *argv, "--format", "text")
    assert code == 2 and out == "" and message in err
