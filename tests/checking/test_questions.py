"""Question files: loading, every validation error with its line and key, and check_question per task, form and credit."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from derivsteps.checking.questions import (
    FORMS,
    TASKS,
    QuestionSet,
    ValidationError,
    check_question,
    is_factored,
    load_questions,
    parse_questions,
    read_components,
)
from derivsteps.language.parser import parse

ROOT = Path(__file__).resolve().parents[2]
WEEK2 = ROOT / "examples" / "week2_questions.toml"


def one(body: str, **header) -> QuestionSet:
    """A set of one question from the lines of its table."""
    return parse_questions('[[question]]\nid = "q"\n' + body, "set.toml")


def question(body: str):
    return one(body).questions[0]


def problems(text: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        parse_questions(text, "set.toml")
    return list(caught.value.problems)


# -- loading ---------------------------------------------------------------------------------------------------------------------
def test_the_week2_set_loads_with_computed_answers():
    questions = load_questions(WEEK2)
    assert questions.title == "Week 2: partial derivatives and the loss"
    assert questions.ids == ("q1", "q2", "q3", "q4", "q5", "q6", "q7")
    by_id = {q.id: q for q in questions.questions}
    assert by_id["q1"].expected_text == "a = -2/11, b = -1/11"
    assert by_id["q2"].expected_text == "2(x+y+z)"  # given, and checked against the computed 2(x + y + z)
    assert by_id["q3"].expected_text == "(6a - b + 1, 2b - a)"
    assert by_id["q4"].expected_text == "[[6, -1], [-1, 2]]"
    assert by_id["q5"].expected_text == "2230"
    assert by_id["q7"].expected_text == "s = 5, b = 30"
    assert questions.total_points == 12
    # [defaults.partial] merged into each question's own
    assert by_id["q2"].partial == {"chain_inner_forgotten": 0.5, "held_constant_differentiated": 0.25}
    assert by_id["q5"].form == "simplified" and by_id["q1"].form == "any"


def test_a_question_travels_to_a_worker():
    q = load_questions(WEEK2).questions[4]  # with data
    assert pickle.loads(pickle.dumps(q)) == q
    assert q.data_set().n == 3


def test_a_prompt_is_written_when_absent():
    assert question('task = "diff"\nexpr = "x^3"\nwrt = "x"').prompt == "Differentiate x^3 with respect to x."


def test_data_from_a_csv_file_beside_the_set(tmp_path):
    (tmp_path / "points.csv").write_text("a,h\n0,30\n2,40\n4,50\n", encoding="utf-8")
    path = tmp_path / "set.toml"
    path.write_text(
        '[[question]]\nid = "loss"\ntask = "eval"\nexpr = "1/2 sum_i (s a_i + b - h_i)^2"\nat = "s=1,b=0"\ndata = "points.csv"\n',
        encoding="utf-8",
    )
    assert load_questions(path).questions[0].expected_text == "2230"


# -- validation: each problem with its line and key ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[[question]]\nid = "q3"\ntask = "differentiate"\nexpr = "x"\n',
         'set.toml:3: question "q3": unknown task \'differentiate\'; the tasks are diff, grad, hessian, critical, eval, antiderivative, equiv'),
        ('title = "t"\ncolour = "red"\n[[question]]\nid = "q"\ntask = "diff"\nexpr = "x"\nwrt = "x"\n',
         "set.toml:2: unknown key 'colour'; the keys of the file are title, defaults, question"),
        ('[[question]]\nid = "q"\ntask = "diff"\nexpr = "x"\nwrt = "x"\nhint = "no"\n',
         'set.toml:6: question "q": unknown key \'hint\''),
        ('[[question]]\nid = "q"\ntask = "diff"\nexpr = "x^"\nwrt = "x"\n',
         'set.toml:4: question "q": cannot read expr \'x^\': the expression ends too early'),
        ('[[question]]\nid = "q"\ntask = "diff"\nexpr = "x^3"\nwrt = "x"\nexpected = "3x^3"\n',
         'set.toml:6: question "q": expected \'3x^3\' is not right: not equal to the computed answer; the computed answer is 3x^2'),
        ('[[question]]\nid = "q"\ntask = "diff"\nexpr = "x^2"\nwrt = "x"\n[question.partial]\nchain_inner_forgoten = 0.5\n',
         "set.toml:7: question \"q\": partial: unknown mistake id 'chain_inner_forgoten' (did you mean 'chain_inner_forgotten'?)"),
        ('[[question]]\nid = "q"\ntask = "diff"\nexpr = "x^2"\nwrt = "x"\n[question.partial]\nexponent_not_reduced = 1.5\n',
         'set.toml:7: question "q": partial: the credit for exponent_not_reduced must be from 0 to 1'),
        ('[[question]]\nid = "q"\ntask = "diff"\nexpr = "x^2"\nwrt = "x"\npartial = { cos_sign = -0.5 }\n',
         'set.toml:6: question "q": partial: the credit for cos_sign must be from 0 to 1'),
        ('[[question]]\nid = "q"\ntask = "diff"\nexpr = "x^2"\nwrt = "x"\n[question.feedback]\nbogus = "no"\n',
         "set.toml:7: question \"q\": feedback: unknown mistake id 'bogus'"),
        ('[[question]]\nid = "q"\ntask = "diff"\nexpr = "x^2"\nwrt = "x"\n[question.feedback]\ncos_sign = 3\n',
         'set.toml:7: question "q": feedback: the feedback for cos_sign must be text'),
        ('[[question]]\nid = "q"\ntask = "diff"\nexpr = "x^2"\n',
         'set.toml:3: question "q": task diff needs wrt = ...'),
        ('[[question]]\nid = "q"\ntask = "grad"\nexpr = "x^2"\nwrt = "x"\n',
         'set.toml:5: question "q": task grad does not use wrt (it uses vars, data)'),
        ('[[question]]\nid = "q"\ntask = "diff"\nexpr = "x^2"\nwrt = "x"\nform = "expanded"\n',
         "set.toml:6: question \"q\": unknown form 'expanded'; the forms are any, simplified, factored, same-form"),
        ('[[question]]\nid = "q"\ntask = "diff"\nexpr = "x^2"\nwrt = "x"\npoints = 0\n',
         'set.toml:6: question "q": points must be a number > 0, not 0'),
        ('[[question]]\nid = "q"\ntask = "diff"\nexpr = "x^2"\nwrt = "x"\nform_credit = 2\n',
         'set.toml:6: question "q": form_credit must be a number from 0 to 1, not 2'),
        ('[defaults]\npoints = -1\n[[question]]\nid = "q"\ntask = "diff"\nexpr = "x^2"\nwrt = "x"\n',
         "set.toml:2: [defaults]: points must be a number > 0, not -1"),
        ('[[question]]\nid = "q"\ntask = "eval"\nexpr = "x^2"\nat = "y=1"\n',
         'set.toml:5: question "q": cannot evaluate at \'y=1\''),
        ('[[question]]\nid = "q"\ntask = "eval"\nexpr = "sum_i a_i"\nat = "s=1"\ndata = { a = [1, "x"] }\n',
         'set.toml:6: question "q": data:'),
        ('[[question]]\ntask = "diff"\nexpr = "x"\nwrt = "x"\n',
         'set.toml:1: question "#1": every question needs an id'),
        ('[[question]]\nid = "q"\ntask = "diff"\nexpr = "x"\nwrt = "x"\n\n[[question]]\nid = "q"\ntask = "diff"\nexpr = "y"\nwrt = "y"\n',
         'set.toml:8: question "q": the id is used twice (line 2 and here)'),
        ('[[question]]\nid = "q"\ntask = "equiv"\nexpr = "x^2 - 1"\nform = "same-form"\n',
         'set.toml:5: question "q": form "same-form" needs expected'),
        ('[[question]]\nid = "q"\nprompt = "any form = fine"\ntask = "diff"\nexpr = "x"\nwrt = "x"\nform = "nice"\n',
         "set.toml:7: question \"q\": unknown form 'nice'"),
        ('title = "t"\n', "set.toml:1: no questions"),
        ('[[question]\nid = "q"\n', "set.toml:1: not valid TOML"),
    ],
    ids=lambda value: value.split("\n")[-2][:40] if "\n" in value else value[:30],
)  # fmt: skip
def test_each_problem_names_its_line_and_key(text, expected):
    found = problems(text)
    assert any(problem.startswith(expected) for problem in found), found


def test_every_problem_of_a_file_is_reported_at_once_in_line_order():
    found = problems(
        '[[question]]\nid = "a"\ntask = "integrate"\nexpr = "x"\n\n'
        '[[question]]\nid = "b"\ntask = "diff"\nexpr = "x^"\nwrt = "x"\n'
    )
    assert [problem.split(":")[1] for problem in found] == ["3", "9"]


def test_an_expression_error_gives_its_column():
    (message,) = problems('[[question]]\nid = "q"\ntask = "diff"\nexpr = "x + * 2"\nwrt = "x"\n')
    assert "(column 5)" in message


# -- reading answers per task --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "answer", "shape"),
    [
        ('task = "grad"\nexpr = "x^2 y"', "(2xy, x^2)", [2]),
        ('task = "grad"\nexpr = "x^2 y"', "2xy, x^2", [2]),
        ('task = "grad"\nexpr = "x^2 y"', "∇f = [2xy, x^2]", [2]),
        ('task = "hessian"\nexpr = "x^2 y"', "[[2y, 2x], [2x, 0]]", [2, 2]),
        ('task = "hessian"\nexpr = "x^2 y"', "2y, 2x; 2x, 0", [2, 2]),
        ('task = "critical"\nexpr = "x^2 + y^2"', "x = 0, y = 0", [2]),
        ('task = "critical"\nexpr = "x^2 + y^2"', "(0, 0)", [2]),
        ('task = "critical"\nexpr = "x^3 - 3x"', "x = 1; x = -1", [1, 1]),
        ('task = "critical"\nexpr = "x^3 - 3x"', "none", []),
        ('task = "grad"\nexpr = "x^2 y"\nlatex = true', r"\left(2xy, x^{2}\right)", [2]),
        ('task = "hessian"\nexpr = "x^2 y"\nlatex = true', r"\begin{pmatrix} 2y & 2x \\ 2x & 0 \end{pmatrix}", [2, 2]),
    ],
)
def test_answers_are_read_in_the_shape_of_the_task(body, answer, shape):
    assert [len(row) for row in read_components(question(body), answer)] == shape


# -- check_question per task ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "answer", "verdict", "score"),
    [
        ('task = "diff"\nexpr = "sin(x^2)"\nwrt = "x"', "2x cos(x^2)", "correct", 1),
        ('task = "diff"\nexpr = "sin(x^2)"\nwrt = "x"', "cos(x^2) · 2x", "correct", 1),
        ('task = "diff"\nexpr = "sin(x^2)"\nwrt = "x"', "cos(x^2)", "incorrect", 0),
        ('task = "diff"\nexpr = "sin(x^2)"\nwrt = "x"', "2x cos(x^2", "invalid", 0),
        ('task = "grad"\nexpr = "3a^2 + b^2 - ab + a"', "(6a - b + 1, 2b - a)", "correct", 1),
        ('task = "grad"\nexpr = "3a^2 + b^2 - ab + a"', "(2b - a, 6a - b + 1)", "incorrect", 0),
        ('task = "grad"\nexpr = "3a^2 + b^2 - ab + a"', "(6a - b + 1)", "incorrect", 0),
        ('task = "hessian"\nexpr = "3a^2 + b^2 - ab + a"', "6, -1; -1, 2", "correct", 1),
        ('task = "hessian"\nexpr = "3a^2 + b^2 - ab + a"', "[[6, 1], [1, 2]]", "incorrect", 0),
        ('task = "critical"\nexpr = "3a^2 + b^2 - ab + a"', "b = -1/11, a = -2/11", "correct", 1),
        ('task = "critical"\nexpr = "3a^2 + b^2 - ab + a"', "a = 2/11, b = 1/11", "incorrect", 0),
        ('task = "critical"\nexpr = "x^3 - 3x"', "x = -1; x = 1", "correct", 1),
        ('task = "critical"\nexpr = "x^3 - 3x"', "x = 1", "incorrect", 0),
        ('task = "eval"\nexpr = "x^2 + 2y"\nat = "x=1/2,y=1/3"', "11/12", "correct", 1),
        ('task = "eval"\nexpr = "x^2 + 2y"\nat = "x=1/2,y=1/3"', "0.9166", "incorrect", 0),
        ('task = "antiderivative"\nexpr = "2x"\nwrt = "x"', "x^2 + C", "correct", 1),
        ('task = "antiderivative"\nexpr = "2x"\nwrt = "x"', "2", "incorrect", 0),
        ('task = "equiv"\nexpr = "(x+1)^2"', "x^2 + 2x + 1", "correct", 1),
        ('task = "equiv"\nexpr = "(x+1)^2"', "x^2 + 1", "incorrect", 0),
        ('task = "diff"\nexpr = "x^2"\nwrt = "x"\nlatex = true', r"2 \cdot x", "correct", 1),
    ],
)
def test_check_question_per_task(body, answer, verdict, score):
    result = check_question(question(body), answer)
    assert (result.verdict, result.score) == (verdict, score), result.feedback


def test_a_loss_over_data_is_decided_on_the_data():
    q = load_questions(WEEK2).question("q6")
    assert check_question(q, "20s + 6b - 280").verdict == "correct"  # Σ a_i^2 = 20, Σ a_i = 6, Σ a_i h_i = 280
    assert check_question(q, "sum_i (s a_i + b - h_i) a_i").verdict == "correct"
    wrong = check_question(q, "sum_i 2(s a_i + b - h_i) a_i")
    assert (wrong.verdict, wrong.mistake) == ("incorrect", None)


# -- partial credit, feedback overrides, forms ----------------------------------------------------------------------------------------
def test_partial_credit_and_feedback_for_a_named_mistake():
    q = question(
        'task = "diff"\nexpr = "(x+y+z)^2"\nwrt = "y"\npoints = 2\n'
        "[question.partial]\nheld_constant_differentiated = 0.25\n"
        '[question.feedback]\nheld_constant_differentiated = "x and z are constants here."\n'
    )
    result = check_question(q, "6(x+y+z)")
    assert (result.verdict, result.mistake, result.score, result.max_score) == ("incorrect", "held_constant_differentiated", 0.5, 2)  # fmt: skip
    assert result.outcome == "partial"
    assert result.feedback == "x and z are constants here."
    other = check_question(q, "2(x+y+z)^2")  # another mistake: no credit, the catalogue's feedback
    assert (other.mistake, other.score, other.outcome) == ("exponent_not_reduced", 0, "incorrect")
    assert "exponent rule" in other.feedback


def test_a_component_mistake_names_the_component():
    q = question('task = "grad"\nexpr = "3a^2 + b^2 - ab + a"\n[question.partial]\nexponent_not_reduced = 0.5\n')
    result = check_question(q, "(6a^2 - b + 1, 2b^2 - a)")
    assert result.mistake == "exponent_not_reduced" and result.score == 0.5
    assert result.feedback.startswith("∂/∂a: ")


@pytest.mark.parametrize(
    ("form", "answer", "score", "in_form"),
    [
        ("any", "3x^2 + 0x", 2, None),
        ("simplified", "3x^2", 2, True),
        ("simplified", "3x^2 + 0x", 1, False),
        ("factored", "3x^2", 2, True),
        ("same-form", "3 x^2", 2, True),
        ("same-form", "x^2 + 2x^2", 1, False),
    ],
)
def test_a_right_value_not_in_the_required_form_gets_form_credit(form, answer, score, in_form):
    q = question(f'task = "diff"\nexpr = "x^3"\nwrt = "x"\npoints = 2\nform = "{form}"\n')
    result = check_question(q, answer)
    assert (result.verdict, result.score, result.in_form) == ("correct", score, in_form)
    if in_form is False:
        assert result.outcome == "partial" and result.feedback.startswith("the value is right, but")


def test_factored_form():
    q = question('task = "equiv"\nexpr = "x^2 - 1"\nform = "factored"\nform_credit = 0\n')
    assert check_question(q, "(x - 1)(x + 1)").score == 1
    unfactored = check_question(q, "x^2 - 1")
    assert (unfactored.verdict, unfactored.score, unfactored.outcome) == ("correct", 0, "incorrect")
    assert "factored" in unfactored.feedback


@pytest.mark.parametrize(
    ("text", "factored"), [("(x-1)(x+1)", True), ("-(x-1)^2", True), ("x^2 - 1", False), ("2x/(x+1)", True)]
)
def test_is_factored(text, factored):
    assert is_factored(parse(text).expr) is factored


def test_the_vocabularies():
    assert TASKS == ("diff", "grad", "hessian", "critical", "eval", "antiderivative", "equiv")
    assert FORMS == ("any", "simplified", "factored", "same-form")


def test_a_diff_answer_missing_its_brackets_is_named_in_a_question_set():
    # The answer's text reaches the catalogue, which re-reads it with brackets (2x/x^2+1 meant 2x/(x^2+1)).
    questions = parse_questions('[[question]]\nid = "q"\ntask = "diff"\nexpr = "ln(x^2 + 1)"\nwrt = "x"\n', "set.toml")
    result = check_question(questions.question("q"), "2x/x^2+1")
    assert result.verdict == "incorrect" and result.mistake == "missing_brackets", result
    assert check_question(questions.question("q"), "f'(x) = 2x/(x^2+1)").verdict == "correct"
