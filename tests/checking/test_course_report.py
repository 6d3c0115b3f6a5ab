"""The course report: statistics per student and per question, the mistake table, the unexplained answers grouped by
value, and each format (text, Markdown, CSV, JSON, HTML) as a golden file of the week-2 example class."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from golden_util import assert_golden

from derivsteps.checking.course import (
    CourseRow,
    Submission,
    course_report,
    grade_submission,
    grade_submissions,
    group_unexplained,
    parse_submissions,
    read_submissions,
    shard_of,
)
from derivsteps.checking.questions import load_questions, parse_questions
from derivsteps.core.errors import InputError
from derivsteps.render.course import answers_csv, bar_chart, gradebook_csv, render_course, to_json

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "examples" / "week2_questions.toml"
ANSWERS = ROOT / "examples" / "week2_answers.csv"


@pytest.fixture(scope="module")
def week2():
    questions = load_questions(QUESTIONS)
    rows = list(grade_submissions(read_submissions(ANSWERS), questions, jobs=1, row_seconds=0))
    return course_report(questions, rows)


def stats(report, qid):
    return next(s for s in report.questions if s.id == qid)


# -- the statistics ------------------------------------------------------------------------------------------------------------------
def test_per_student_scores(week2):
    students = {s.student: s for s in week2.students}
    assert list(students) == ["ada", "ben", "cleo", "dev", "eli", "fay", "gus", "hana", "ivo", "jun", "kim", "lea"]
    assert students["ada"].score == 12 and students["ada"].max_score == 12
    assert students["ben"].score == 8  # two named mistakes at partial credit, one wrong value
    gus = students["gus"]
    assert [row is None for row in gus.rows] == [True, False, False, True, False, False, True]  # q1, q4, q7 unanswered
    assert sum(row.score for row in gus.rows if row) == gus.score == 2.5


def test_per_question_counts(week2):
    q2 = stats(week2, "q2")
    assert dict(q2.outcomes) == {"correct": 6, "partial": 3, "incorrect": 3, "invalid": 0, "undecided": 0}
    assert q2.answered == 12 and q2.mean_score == pytest.approx(13.5 / 12, abs=1e-4)
    q5 = stats(week2, "q5")
    assert q5.outcomes["partial"] == 1 and q5.outcomes["invalid"] == 1  # 4460/2 not simplified; an empty answer
    assert sum(week2.outcomes.values()) == len(week2.rows) == 79


def test_the_mistake_table(week2):
    table = {m.mistake: m for m in stats(week2, "q2").mistakes}
    assert list(table) == ["held_constant_differentiated", "exponent_not_reduced"]  # most common first
    assert table["held_constant_differentiated"].count == 3
    assert table["held_constant_differentiated"].example == "6(x+y+z)"  # the first such answer in the file
    assert table["held_constant_differentiated"].description.startswith("∂b/∂x = 1")
    assert [m.mistake for m in stats(week2, "q6").mistakes] == ["data_factor_dropped", "exponent_not_reduced"]


def test_unexplained_answers_are_grouped_by_equal_value(week2):
    q5 = stats(week2, "q5")
    assert [(g.count, g.answers) for g in q5.unexplained] == [(3, ("4460", "2 · 2230")), (1, ("1115",))]
    q3 = stats(week2, "q3")
    assert q3.unexplained[0].count == 3 and len(q3.unexplained[0].answers) == 3
    assert [g.count for g in stats(week2, "q7").unexplained] == [1, 1]  # two different wrong points
    # an invalid answer is never grouped, nor one a mistake explains
    assert all("Σ_i (s a_i + b - h_i a_i" not in g.answers for g in stats(week2, "q6").unexplained)


def test_the_report_names_no_student_outside_their_own_rows(week2):
    document = to_json(week2)
    students = {s["student"] for s in document["students"]}
    shared = json.dumps(document["questions"])
    assert not any(f'"{name}"' in shared for name in students)


def test_groups_put_the_largest_first():
    questions = parse_questions('[[question]]\nid = "q"\ntask = "diff"\nexpr = "x^3"\nwrt = "x"\n')
    (q,) = questions.questions
    rows = [
        CourseRow(i, f"s{i}", "q", answer, "incorrect", 0.0, 1.0)
        for i, answer in enumerate(["x^2", "3x", "x·x", "x^2 ", "3 x"])
    ]
    groups = group_unexplained(q, rows)
    assert [(g.count, g.answers) for g in groups] == [(3, ("x^2", "x·x")), (2, ("3x", "3 x"))]


def test_matrices_written_either_way_group_together():
    (q,) = parse_questions('[[question]]\nid = "h"\ntask = "hessian"\nexpr = "3a^2 + b^2 - ab + a"\n').questions
    answers = ["[[6, 1], [1, 2]]", "[[6a, -1], [-1, 2b]]", "6, 1; 1, 2", "[[12/2, 1], [1, 2]]"]
    rows = [CourseRow(i, f"s{i}", "h", answer, "incorrect", 0.0, 1.0) for i, answer in enumerate(answers)]
    groups = group_unexplained(q, rows)
    assert [(g.count, g.answers) for g in groups] == [
        (3, ("[[6, 1], [1, 2]]", "6, 1; 1, 2", "[[12/2, 1], [1, 2]]")),
        (1, ("[[6a, -1], [-1, 2b]]",)),
    ]


# -- reading the answers ---------------------------------------------------------------------------------------------------------------
def test_reading_answers_in_each_format():
    csv_rows = parse_submissions("student,question,answer\nada,q1,2x\nben,q1,\n", "a.csv")
    assert [(s.student, s.question, s.answer, s.problem) for s in csv_rows] == [
        ("ada", "q1", "2x", None),
        ("ben", "q1", "", "no answer given"),
    ]
    jsonl = parse_submissions('{"student": "ada", "question": "q1", "answer": "2x"}\n', "a.jsonl")
    assert jsonl[0].answer == "2x"
    array = parse_submissions('[{"student": "ada", "question": "q1", "answer": 2}]', "a.json")
    assert array[0].answer == "2"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,expr,wrt,answer\na,x,x,1\n", "need the columns student, question, answer (missing: student, question;"),
        ("student,question,answer\nada,q1,1\nada,q1,2\n", "ada answers q1 twice (line 2 and line 3)"),
        ("student,question,answer\n,q1,1\n", "the student is empty"),
    ],
)
def test_a_file_that_cannot_be_used_is_refused(text, message):
    with pytest.raises(InputError, match=re.escape(message)):
        parse_submissions(text, "answers.csv")


def test_an_answer_to_an_unknown_question_is_invalid_and_the_batch_goes_on():
    questions = load_questions(QUESTIONS)
    row = grade_submission((questions.question("q9"), Submission(0, "ada", "q9", "1")))
    assert row.verdict == "invalid" and "no question 'q9'" in row.feedback
    report = course_report(questions, [row])
    assert report.strays == (row,)


def test_rows_read_back_as_they_were_written(week2):
    for row in week2.rows:
        assert CourseRow.from_dict(json.loads(json.dumps(row.to_dict()))) == row


def test_slices_are_stable_and_balanced():
    keys = [f"s{i}\x1fq{j}" for i in range(300) for j in range(5)]
    sizes = [sum(shard_of(key, 4) == k for key in keys) for k in (1, 2, 3, 4)]
    assert sum(sizes) == len(keys) and min(sizes) > 0.2 * len(keys)
    assert shard_of("ada\x1fq1", 3) == shard_of("ada\x1fq1", 3)
    assert shard_of("ada\x1fq1", 1) == 1


# -- the formats -----------------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["text", "markdown", "csv", "json", "html"])
def test_golden_reports(pytestconfig, week2, fmt):
    extension = {"text": "txt", "markdown": "md"}.get(fmt, fmt)
    # CSV rows end in \r\n (RFC 4180, as the grade reports); golden files are read with universal newlines
    assert_golden(pytestconfig, f"course_week2.{extension}", render_course(week2, fmt).replace("\r\n", "\n"))


def test_the_gradebook_and_the_answers_csv(week2):
    gradebook = list(csv.reader(io.StringIO(gradebook_csv(week2))))
    assert gradebook[0] == ["student", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "score", "max_score"]
    assert gradebook[1] == ["ada", "2", "2", "2", "1", "1", "2", "2", "12", "12"]
    assert gradebook[7][0] == "gus" and gradebook[7][1] == ""  # not answered: an empty cell
    answers = list(csv.DictReader(io.StringIO(answers_csv(week2.rows))))
    assert len(answers) == 79 and answers[0]["student"] == "ada"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in answers for cell in row.values())


def test_the_html_page_is_self_contained(week2):
    page = render_course(week2, "html")
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "<script" not in page and "src=" not in page and "href=" not in page
    assert page.count('<svg class="chart"') == len(week2.questions)


def test_a_bar_is_as_long_as_its_share(week2):
    chart = bar_chart(stats(week2, "q2"))  # 6 of 12 correct: half the width of a bar for 12
    assert 'width="210"' in chart and 'aria-label="q2: 6 correct, 3 partially correct' in chart


def test_the_json_report_validates(week2):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "src" / "derivsteps" / "schemas" / "course-report.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(to_json(week2))
