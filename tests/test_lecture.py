"""The lecture's regression questions end to end: every number of Questions 3, 5 and 6 comes out of derivsteps, in text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from golden_util import assert_golden, deriv

from derivsteps import critical_points, descend, evaluate_at, gradient
from derivsteps.calculus.at_point import gradient_at
from derivsteps.language.mathtext import to_text

LOSS = "1/2 sum_i (s a_i + b - h_i)^2"
DATA = ("--data", "a=0,2,4", "--data", "h=30,40,50")
LECTURE = {"a": [0, 2, 4], "h": [30, 40, 50]}
CSV = str(Path(__file__).resolve().parents[1] / "examples" / "lecture_data.csv")

FORMATS = [("text", "txt"), ("json", "json"), ("latex", "tex")]


def run(capsys, *argv: str) -> str:
    code, out, err = deriv(capsys, *argv)
    assert code == 0, err
    return out


# -- Question 3: the loss at (1, 0) is 2230 -----------------------------------------------------------------------------
@pytest.mark.parametrize(("fmt", "ext"), FORMATS + [("markdown", "md")])
def test_question_3_golden(capsys, pytestconfig, fmt, ext):
    out = run(capsys, "eval", LOSS, "--at", "s=1,b=0", *DATA, "--format", fmt)
    assert_golden(pytestconfig, f"lecture_q3_eval.{ext}", out)


def test_question_3_numbers(capsys):
    document = json.loads(run(capsys, "eval", LOSS, "--at", "s=1,b=0", *DATA, "--format", "json"))
    assert document["value"]["text"] == "2230"
    (summed,) = document["sums"]
    assert [term["text"] for term in summed["terms"]] == ["900", "1444", "2116"]
    assert summed["value"]["text"] == "4460" and summed["rows"] == 3
    assert document["data"] == {"n": 3, "names": ["a", "h"], "columns": {"a": ["0", "2", "4"], "h": ["30", "40", "50"]}}
    assert document["checked"] is True
    assert [step["rule"] for step in document["steps"]][:2] == ["substitute", "sum_over_data"]


def test_question_3_from_the_csv_file_is_the_same(capsys):
    inline = run(capsys, "eval", LOSS, "--at", "s=1,b=0", *DATA, "--format", "text")
    from_file = run(capsys, "eval", LOSS, "--at", "s=1,b=0", "--data", CSV, "--format", "text")
    assert inline == from_file


# -- Question 5: the gradient formulas, differentiated through the sum --------------------------------------------------------
@pytest.mark.parametrize(("fmt", "ext"), FORMATS)
def test_question_5_golden(capsys, pytestconfig, fmt, ext):
    assert_golden(pytestconfig, f"lecture_q5_grad.{ext}", run(capsys, "grad", LOSS, "--format", fmt))


def test_question_5_steps_golden(capsys, pytestconfig):
    assert_golden(pytestconfig, "lecture_q5_grad_steps.txt", run(capsys, "grad", LOSS, "--steps", "--format", "text"))


def test_question_5_formulas():
    grad = gradient(LOSS, ["s", "b"])
    assert [to_text(component) for component in grad.vector] == [
        "s Σ_i a_i^2 + b Σ_i a_i - Σ_i (a_i h_i)",
        "s Σ_i a_i + bn - Σ_i h_i",
    ]


# -- Question 6: the gradient at (1, 0) and one step of gradient descent -------------------------------------------------------
@pytest.mark.parametrize(("fmt", "ext"), FORMATS + [("markdown", "md")])
def test_question_6_gradient_golden(capsys, pytestconfig, fmt, ext):
    out = run(capsys, "grad", LOSS, "--at", "s=1,b=0", *DATA, "--format", fmt)
    assert_golden(pytestconfig, f"lecture_q6_grad.{ext}", out)


@pytest.mark.parametrize(("fmt", "ext"), FORMATS)
def test_question_6_descent_golden(capsys, pytestconfig, fmt, ext):
    out = run(capsys, "descend", LOSS, "--from", "s=1,b=0", "--lr", "0.01", *DATA, "--format", fmt)
    assert_golden(pytestconfig, f"lecture_q6_descend.{ext}", out)


def test_question_6_statistics_and_gradient(capsys):
    document = json.loads(run(capsys, "grad", LOSS, "--at", "s=1,b=0", *DATA, "--format", "json"))
    statistics = {entry["sum"]["text"]: entry["value"]["text"] for entry in document["statistics"]}
    assert statistics == {"Σ_i a_i^2": "20", "Σ_i a_i": "6", "Σ_i (a_i h_i)": "280", "Σ_i h_i": "120", "n": "3"}
    assert [value["text"] for value in document["value"]] == ["-260", "-114"]
    assert document["vars"] == ["s", "b"]
    assert document["checked"] is True
    assert all(component["verified"] for component in document["components"])


def test_question_6_one_step(capsys):
    document = json.loads(run(capsys, "descend", LOSS, "--from", "s=1,b=0", "--lr", "0.01", *DATA, "--format", "json"))
    (step,) = document["iterations"]
    assert [g["text"] for g in step["gradient"]] == ["-260", "-114"]
    assert {name: value["text"] for name, value in document["final"].items()} == {"s": "3.6", "b": "1.14"}
    assert document["data"]["n"] == 3


def test_the_library_gives_the_same_numbers():
    assert to_text(evaluate_at(LOSS, "s=1,b=0", data=LECTURE).result) == "2230"
    values = gradient_at(gradient(LOSS, ["s", "b"]), {"s": 1, "b": 0}, data=LECTURE)
    assert [to_text(v.result) for v in values] == ["-260", "-114"]
    step = descend(LOSS, {"s": 1, "b": 0}, "0.01", data=LECTURE)
    assert [to_text(v) for v in step.final.values()] == ["3.6", "1.14"]


# -- Questions 7 and 8 come from `critical` (tests/test_critical.py); here only the numbers, through the same data ---------------
def test_question_8_closed_form_with_the_data():
    result = critical_points(LOSS, ("s", "b"), data=LECTURE)
    (point,) = result.points
    assert {to_text(var): to_text(value) for var, value in point.values.items()} == {"s": "5", "b": "30"}
    assert point.kind == "minimum"
