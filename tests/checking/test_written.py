"""Written derivations (written.py, render/written.py, deriv check --derivation): every line checked against the one
before, the rule that reproduces it named, the first wrong line's correct rewrite and slip shown."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from golden_util import assert_golden, deriv

from derivsteps.checking.written import check_derivation
from derivsteps.core.errors import InputError
from derivsteps.language.parser import parse
from derivsteps.render.written import LINE_KEYS, TOP_KEYS, render_markdown, render_text, to_json

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
Q2 = EXAMPLES / "derivation_q2.txt"
Q2_WRONG = EXAMPLES / "derivation_q2_wrong.txt"


def tree(text: str):
    return parse(text).expr


def lines_of(report):
    return {line.number: line for line in report.lines}


# -- Question 2, written correctly and with one wrong line ----------------------------------------------------------------
def test_question_2_every_line_right_with_the_lecture_rules():
    report = check_derivation(Q2.read_text(encoding="utf-8"))
    assert report.verdict == "correct"
    assert report.first_wrong is None
    # The file's line numbers: line 1 is a comment.
    assert [(line.number, line.verdict, line.label) for line in report.lines] == [
        (2, "problem", "the problem"),
        (3, "correct", "chain rule"),
        (4, "correct", "exponent rule"),
        (5, "correct", "sum rule"),
        (6, "correct", "constant rule; ∂y/∂y = 1"),
        (7, "correct", "arithmetic"),
    ]
    assert lines_of(report)[6].rules == ("constant", "variable")
    assert report.derivative == tree("2(x + y + z)")
    assert report.wrt == (tree("y"),)
    # A line's value has its pending derivatives worked out; a line without any is its own value.
    assert lines_of(report)[2].value == lines_of(report)[4].value == tree("2(x + y + z)")
    assert lines_of(report)[6].value == lines_of(report)[6].expr


def test_question_2_wrong_line_shows_the_correct_rewrite_and_the_slip():
    report = check_derivation(Q2_WRONG.read_text(encoding="utf-8"))
    assert report.verdict == "incorrect"
    assert report.first_wrong == 5
    wrong = lines_of(report)[5]
    assert wrong.verdict == "incorrect"
    assert wrong.compared_with == 4
    assert wrong.expected == tree("2(x + y + z) · (0 + 1 + 0)")
    assert wrong.expected_label == "constant rule; ∂y/∂y = 1"
    assert wrong.mistake == "held_constant_differentiated"
    assert wrong.slips == ("∂x/∂y = 0, not 1", "∂z/∂y = 0, not 1")
    assert "correct step (constant rule; ∂y/∂y = 1) is 2(x + y + z) · (0 + 1 + 0)" in wrong.feedback
    # The line after the wrong one follows from it (the error carried forward), and is marked so.
    after = lines_of(report)[6]
    assert (after.verdict, after.label, after.compared_with) == ("correct", "arithmetic", 5)
    assert "line 5 is wrong (held_constant_differentiated)" in report.feedback


def test_a_correct_line_is_never_given_a_mistake():
    report = check_derivation(Q2.read_text(encoding="utf-8"))
    assert all(line.mistake is None and line.expected is None for line in report.lines)


# -- rule naming, one small example per rule -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "problem, step, rules, label",
    [
        ("d/dx (x^2 + x)", "∂/∂x x^2 + ∂/∂x x", ("sum",), "sum rule"),
        ("d/dx 7", "0", ("constant",), "constant rule"),
        ("d/dx x^5", "5x^4", ("exponent",), "exponent rule"),
        ("d/dx sin(x^2)", "∂sin(x^2)/∂(x^2) · ∂/∂x x^2", ("chain",), "chain rule"),
        ("d/dx x sin x", "(∂/∂x x) · sin x + x · ∂/∂x sin x", ("product",), "product rule"),
        ("d/dx 3x^2", "3 · ∂/∂x x^2", ("constant_factor",), "constant factor rule"),
        # the terms in another order: the same step up to commutativity
        ("d/dx x^5", "x^4 · 5", ("exponent",), "exponent rule"),
    ],
    ids=["sum", "constant", "exponent", "chain", "product", "constant_factor", "reordered"],
)
def test_the_rule_of_a_step_is_named(problem, step, rules, label):
    line = check_derivation([problem, "= " + step]).lines[1]
    assert (line.verdict, line.rules, line.label, line.several) == ("correct", rules, label, False)


def test_a_rule_applied_away_from_the_engines_leftmost_place_is_still_named():
    report = check_derivation(["d/dx (x^2 + sin x)", "= ∂/∂x x^2 + ∂/∂x sin x", "= ∂/∂x x^2 + cos x", "= 2x + cos x"])
    assert [line.label for line in report.lines[1:]] == ["sum rule", "derivative of sin", "exponent rule"]
    assert report.verdict == "correct"


def test_a_step_that_does_several_rules_at_once():
    line = check_derivation(["d/dy (x+y+z)^2", "= 2(x+y+z) · ∂/∂y (x+y+z)"]).lines[1]
    assert line.verdict == "correct"
    assert line.several
    assert line.rules == ("chain", "exponent")
    assert line.label == "several steps at once: chain rule, exponent rule"


def test_an_equal_line_no_rule_of_ours_gives_is_still_right():
    line = check_derivation(["d/dx x^2", "= 2·x^(2-1)", "= 2x"]).lines[1]
    assert (line.verdict, line.rules, line.label) == ("correct", (), "equal (several steps at once)")


ENGINE_CASES = [("(x+y+z)^2", "y"), ("3a^2 + b^2 - ab + a", "a"), ("x^2 sin x", "x"), ("x/(x+1)", "x"), ("e^(2x) ln x", "x"),
                ("sqrt(x^2+1)", "x"), ("tan(3x) - cos x", "x"), ("x^x", "x"), ("1/2 sum_i (s a_i + b - h_i)^2", "s")]  # fmt: skip


@pytest.mark.parametrize("expr, wrt", ENGINE_CASES, ids=[case[0] for case in ENGINE_CASES])
def test_the_engines_own_derivation_written_out_is_right_line_by_line_with_its_labels(expr, wrt):
    from derivsteps.calculus.derivative import differentiate
    from derivsteps.language.mathtext import to_text
    from derivsteps.render._labels import line_label

    derivation = differentiate(expr, wrt)
    report = check_derivation([to_text(derivation.start)] + ["= " + to_text(line.after) for line in derivation.lines()])
    assert report.verdict == "correct"
    assert [line.label for line in report.lines[1:]] == [line_label(line, to_text) for line in derivation.lines()]


# -- wrong lines: the slip named, the correct rewrite shown ------------------------------------------------------------------
@pytest.mark.parametrize(
    "problem, wrong, mistake, expected",
    [
        ("d/dx x^3", "3x^3", "exponent_not_reduced", "3x^2"),
        ("d/dx sin(x^2)", "cos(x^2)", "chain_inner_forgotten", "cos(x^2) · 2x"),
        ("d/dx x^2 sin x", "2x cos x", "product_of_derivatives", "x^2 cos(x) + 2x sin(x)"),
        ("d/dx (x^2 + 3)", "2x + 3", "constant_term_kept", "2x"),
    ],
    ids=["exponent", "chain", "product", "constant"],
)
def test_a_wrong_line_names_the_slip_and_the_correct_rewrite(problem, wrong, mistake, expected):
    report = check_derivation([problem, "= " + wrong])
    line = report.lines[1]
    assert line.verdict == "incorrect"
    assert line.mistake == mistake
    # The correct rewrite equals the derivative (the student finished in one line, so do we).
    from derivsteps.checking.answers import equivalent_expressions

    assert equivalent_expressions(line.expected, tree(expected)).verdict == "correct"
    assert report.verdict == "incorrect" and report.first_wrong == 2


def test_an_unexplained_wrong_line_gets_the_next_correct_step():
    line = check_derivation(["d/dx (x^2 + x)", "= ∂/∂x x^2 + ∂/∂x x", "= 2x + 5"]).lines[2]
    assert line.verdict == "incorrect"
    assert line.mistake is None
    assert line.expected == tree("2x + 1")


def test_d_dx_before_a_product_is_explained_on_a_wrong_line():
    line = check_derivation(["d/dx x^2 sin x", "= ∂/∂x x^2 · sin x + x^2 · ∂/∂x sin x"]).lines[1]
    assert line.verdict == "incorrect"
    assert any("applies to everything after it" in warning for warning in line.warnings)
    assert line.expected == tree("(∂/∂x x^2) · sin x + x^2 · ∂/∂x sin x")


# -- sums over data ------------------------------------------------------------------------------------------------------
LOSS = "d/ds 1/2 sum_i (s a_i + b - h_i)^2"


def test_a_loss_over_data_is_compared_on_sample_data():
    report = check_derivation(
        [LOSS, "= sum_i ((s a_i + b - h_i) a_i)", "= s sum_i a_i^2 + b sum_i a_i - sum_i (a_i h_i)"]
    )
    assert report.verdict == "correct"
    assert [line.decided_by for line in report.lines[1:]] == ["numeric", "numeric"]
    # Simplification a student does in one line spans the engine's lines of one kind each (issue 15).
    assert report.lines[2].label == "several steps at once: multiply out, powers, split the sum, take out of the sum"


def test_the_data_factor_dropped_inside_a_sum_is_named():
    line = check_derivation([LOSS, "= sum_i (s a_i + b - h_i)"]).lines[1]
    assert (line.verdict, line.mistake) == ("incorrect", "data_factor_dropped")
    assert "sample data" in line.reason


def test_the_lectures_own_working_keeps_the_data_value_inside_the_sum():
    line = check_derivation([LOSS, "= sum_i (s a_i + b - h_i) a_i"]).lines[1]
    assert line.verdict == "correct"
    assert line.warnings == (
        "read sum_i (s a_i + b - h_i) a_i as sum_i ((s a_i + b - h_i) a_i): the sum covers the whole product after it",
    )


def test_a_data_value_left_outside_its_sum_is_explained():
    line = check_derivation([LOSS, "= (sum_i (s a_i + b - h_i)) a_i"]).lines[1]
    assert line.verdict == "incorrect"
    assert any("a_i outside the sum" in warning for warning in line.warnings)


# -- unfinished, invalid lines, the first line -------------------------------------------------------------------------------
def test_right_but_ending_with_a_pending_derivative_is_unfinished():
    report = check_derivation(["d/dx (x^2 + 7)", "= ∂/∂x x^2 + ∂/∂x 7", "= ∂/∂x x^2 + 0"])
    assert report.verdict == "unfinished"
    assert all(line.ok for line in report.lines)
    assert "still contains ∂/∂x x^2" in report.feedback and "exponent rule" in report.feedback


def test_right_but_not_simplified_is_correct_with_a_note():
    report = check_derivation(["d/dy (x+y+z)^2", "= 2(x+y+z)·(0+1+0)"])
    assert report.verdict == "correct"
    assert report.notes == ("correct, but not simplified: 0 + 1 + 0 can be written 1 (add zero)",)


def test_a_last_line_in_the_lecturers_form_gets_no_note():
    report = check_derivation(["d/dx x^3 sin x", "= 3x^2 sin(x) + x^3 cos(x)"])
    assert report.verdict == "correct" and report.notes == ()


def test_a_report_shows_itself_in_print_and_notebooks():
    report = check_derivation(Q2.read_text(encoding="utf-8"))
    assert str(report) == render_text(report)
    assert report._repr_markdown_() == render_markdown(report)
    assert report._repr_latex_() is None


def test_a_step_the_checker_cannot_decide_is_inconclusive_never_wrong(capsys, monkeypatch):
    from derivsteps.cas.equivalence import Equivalence
    from derivsteps.checking import written

    monkeypatch.setattr(written, "equivalent", lambda a, b, **_: Equivalence("inconclusive", None, "too few points"))
    report = check_derivation(["d/dx x^3", "= 3x^2"])
    assert (report.lines[1].verdict, report.verdict) == ("inconclusive", "inconclusive")
    assert "too few points" in report.lines[1].feedback
    _stdin(monkeypatch, "d/dx x^3\n= 3x^2\n")
    assert deriv(capsys, "check", "--derivation", "-")[0] == 3


def test_only_the_problem_is_unfinished():
    assert check_derivation("d/dx x^2\n").verdict == "unfinished"


def test_an_unreadable_line_is_invalid_and_the_next_is_checked_against_the_last_readable_one():
    report = check_derivation("d/dx x^2\n  = 2x +\n= 2x\n")
    bad, good = report.lines[1], report.lines[2]
    assert bad.verdict == "invalid"
    assert bad.position == 9  # the file's column: after the '+'
    assert bad.caret == 6  # the same place in the line as shown (stripped)
    assert "(column 9)" in bad.feedback and "ends too early" in bad.feedback
    assert (good.verdict, good.compared_with, good.label) == ("correct", 1, "exponent rule")
    assert report.verdict == "invalid"


def test_blank_and_comment_lines_are_skipped_but_counted():
    report = check_derivation("# Q\n\nd/dx x^2\n\n# now the rule\n= 2x\n")
    assert [line.number for line in report.lines] == [3, 6]


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "the derivation is empty"),
        ("# only a comment\n\n", "the derivation is empty"),
        ("x^2\n= 2x", "line 1 should be the problem with its pending derivative"),
        ("d/dx (x^2\n= 2x", "line 1, the problem, cannot be read"),
    ],
    ids=["empty", "comments", "no-derivative", "unreadable"],
)
def test_a_derivation_that_cannot_be_checked_raises(text, message):
    with pytest.raises(InputError, match=message):
        check_derivation(text)


def test_a_line_may_start_with_or_without_equals():
    report = check_derivation(["∂/∂x x^2", "2x"])
    assert report.verdict == "correct" and report.lines[1].label == "exponent rule"


def test_declared_variables_and_functions_are_read():
    report = check_derivation(["d/dt rate·t", "= rate"], variables=("rate",))
    assert report.verdict == "correct"
    report = check_derivation(["d/dx f(x^2)", "= f′(x^2) · 2x"], functions=("f",))
    assert report.verdict == "correct"


# -- renderers -------------------------------------------------------------------------------------------------------------
def test_json_document_keys_and_values():
    document = to_json(check_derivation(Q2_WRONG.read_text(encoding="utf-8")))
    assert tuple(document) == TOP_KEYS
    assert (document["schema"], document["command"], document["verdict"], document["first_wrong"]) == (
        1,
        "check-derivation",
        "incorrect",
        5,
    )
    for line in document["lines"]:
        assert tuple(line) == LINE_KEYS
    wrong = next(line for line in document["lines"] if line["number"] == 5)
    assert wrong["expected"]["text"] == "2(x + y + z) · (0 + 1 + 0)"
    assert wrong["mistake"] == "held_constant_differentiated"
    import sympy

    # every sympy string reads back equal in value to the line's value
    x, y, z = sympy.symbols("x y z")
    for line in document["lines"]:
        value = sympy.parse_expr(line["value"]["sympy"])
        assert (
            sympy.simplify(value - sympy.parse_expr(document["lines"][0]["value"]["sympy"])) == 0 or line["number"] >= 5
        )


def test_text_ascii_writes_marks_and_math_in_ascii():
    out = render_text(check_derivation(Q2.read_text(encoding="utf-8")), ascii=True)
    assert "4  ok  = 2(x + y + z) * d/dy (x + y + z)" in out
    assert out.splitlines()[-1].startswith("ok correct:")


def test_ascii_on_the_command_line_is_all_ascii():
    import subprocess

    run = subprocess.run(
        [sys.executable, "-m", "derivsteps", "check", "--derivation", str(Q2_WRONG), "--ascii"], capture_output=True
    )
    assert run.returncode == 1
    assert run.stdout.isascii() and b"held_constant_differentiated" in run.stdout


def test_markdown_escapes_the_bars_of_absolute_values():
    out = render_markdown(check_derivation(["d/dx |x|", "= x/|x|"]))
    assert "`= x/\\|x\\|`" in out


# -- the command line ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt, ext", [("text", "txt"), ("json", "json"), ("markdown", "md")])
@pytest.mark.parametrize("case, path", [("q2", Q2), ("q2_wrong", Q2_WRONG)])
def test_golden_reports(request, capsys, case, path, fmt, ext):
    code, out, err = deriv(capsys, "check", "--derivation", str(path), "--format", fmt)
    assert code == (0 if case == "q2" else 1), err
    assert_golden(request.config, f"written_{case}.{ext}", out)


def test_rich_view_shows_every_line(capsys):
    code, out, _ = deriv(capsys, "check", "--derivation", str(Q2_WRONG), "--format", "rich")
    assert code == 1
    for text in ("held_constant_differentiated", "sum rule", "correct step (constant rule; ∂y/∂y = 1)", "✗ incorrect"):
        assert text in out


def _stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8"))


def test_reads_stdin(capsys, monkeypatch):
    _stdin(monkeypatch, "d/dx x^3\n= 3x^2\n")
    code, out, _ = deriv(capsys, "check", "--derivation", "-", "--format", "text")
    assert code == 0
    assert "2  ✓  = 3x^2      exponent rule" in out


@pytest.mark.parametrize(
    "text, code",
    [
        ("d/dx x^3\n= 3x^2\n", 0),
        ("d/dx x^3\n= 3x^3\n", 1),
        ("d/dx x^3\n= 3x^2 +\n", 2),  # an unreadable line, none wrong
        ("d/dx x^3\n= 3x^2 +\n= 3x^3\n", 1),  # a wrong line outranks an unreadable one
        ("d/dx (x^3 + 1)\n= ∂/∂x x^3 + ∂/∂x 1\n", 3),  # unfinished
        ("x^3\n= 3x^2\n", 2),  # no pending derivative on the first line
        ("", 2),
    ],
    ids=["correct", "wrong", "invalid", "wrong-and-invalid", "unfinished", "no-problem", "empty"],
)
def test_exit_codes(capsys, monkeypatch, text, code):
    _stdin(monkeypatch, text)
    assert deriv(capsys, "check", "--derivation", "-")[0] == code


def test_bad_files_and_mixed_options_are_usage_errors(capsys, tmp_path):
    code, _, err = deriv(capsys, "check", "--derivation", str(tmp_path / "missing.txt"))
    assert code == 2 and "no such file" in err
    code, _, err = deriv(capsys, "check", "--derivation", str(tmp_path))
    assert code == 2 and "is a directory" in err
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("d/dx x²\n= 2x\n".encode("latin-1"))
    code, _, err = deriv(capsys, "check", "--derivation", str(latin))
    assert code == 2 and "not UTF-8" in err
    code, _, err = deriv(capsys, "check", "x^2", "--wrt", "x", "--derivation", str(Q2))
    assert code == 2 and "drop EXPR, --wrt" in err
    code, _, err = deriv(capsys, "check", "x^2", "--wrt", "x")
    assert code == 2 and "--answer" in err


def test_a_byte_order_mark_is_not_part_of_the_first_line(capsys, tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("d/dx x^2\n= 2x\n".encode("utf-8-sig"))
    assert deriv(capsys, "check", "--derivation", str(path))[0] == 0


def test_json_from_the_command_line_is_schema_1(capsys):
    code, out, _ = deriv(capsys, "check", "--derivation", str(Q2), "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["command"] == "check-derivation" and document["verdict"] == "correct"
