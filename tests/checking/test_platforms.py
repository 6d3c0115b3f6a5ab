"""Platform formats: reading Canvas, Moodle and Gradescope exports (with and without a column mapping), the gradebook
CSVs they import, and Gradescope's autograder results.json checked against a schema written from its specification."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from golden_util import assert_golden
from hypothesis import given
from hypothesis import strategies as st

from derivsteps.checking.platforms import (
    PLATFORMS,
    AnswerRecord,
    detect_platform,
    gradebook_csv,
    gradebook_id_column,
    gradescope_results,
    parse_columns,
    read_export,
)
from derivsteps.core.errors import InputError, UsageError

DATA = Path(__file__).resolve().parents[1] / "data" / "platforms"
CANVAS = DATA / "canvas_student_analysis.csv"
MOODLE = DATA / "moodle_responses.csv"
MOODLE_EXCEL = DATA / "moodle_responses_excel.csv"
GRADESCOPE = DATA / "gradescope_submissions.csv"


def answers(records: list[AnswerRecord]) -> list[tuple[str, str, str | None]]:
    return [(record.student, record.question, record.answer) for record in records]


def error(text: str, **options) -> str:
    with pytest.raises(InputError) as caught:
        read_export(text, name="export.csv", **options)
    return str(caught.value)


# -- --columns ----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("student=SIS User ID", {"student": "SIS User ID"}),
        (
            "student=SIS User ID,q1=Response 1,q2=Response 2",
            {"student": "SIS User ID", "q1": "Response 1", "q2": "Response 2"},
        ),  # fmt: skip
        (" student = sis_id , q2 = 4711 ", {"student": "sis_id", "q2": "4711"}),
        # a header with commas and "=" in it: a new pair starts only at ", key="
        (
            "q3=4712: Give the gradient of f(a, b) = 3a^2 + b^2,student=id",
            {"q3": "4712: Give the gradient of f(a, b) = 3a^2 + b^2", "student": "id"},
        ),  # fmt: skip
        ("week2.q-1=Response 1", {"week2.q-1": "Response 1"}),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_parse_columns(text, expected):
    assert parse_columns(text) == expected
    assert list(parse_columns(text)) == list(expected)  # in the order given


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "KEY=COLUMN pairs"),
        ("student", "'student' is not KEY=COLUMN"),
        ("student=", "is not KEY=COLUMN"),
        ("=Response 1", "is not KEY=COLUMN"),
        ("student=a,student=b", "names student twice ('a' and 'b')"),
        ("q 1=Response 1", "the key 'q 1' is not student or a question id"),
    ],
    ids=repr,
)
def test_parse_columns_errors(text, message):
    with pytest.raises(UsageError, match=None) as caught:
        parse_columns(text)
    assert message in str(caught.value)


# -- reading each platform's export ------------------------------------------------------------------------------------------
def test_canvas_student_analysis():
    records = read_export(CANVAS)
    assert answers(records) == [
        ("s001", "4711", "2(x+y+z)"),
        ("s001", "4712", "(6a - b + 1, 2b - a)"),
        ("s001", "4713", "2x sin(x) + x^2 cos(x)"),
        ("s002", "4711", "2(x+y+z)(1)"),
        ("s002", "4712", None),  # left empty: not answered, not wrong
        ("s002", "4713", "2x cos(x)"),  # an essay answer's HTML, read as its text
        ("s003", "4711", "2y"),
        ("s003", "4712", "(6a - b + 1, 2b - a)"),
        ("s003", "4713", "2x sin x + x^(2) cos x"),  # &nbsp; a space, <sup>2</sup> an exponent
    ]
    first = records[0]
    # The header spans two lines (a question's text has a line break): Ada's row starts on line 3.
    assert (first.line, first.student_column, first.answered) == (3, "sis_id", True)
    assert first.column == "4711: Differentiate (x+y+z)^2 with respect to y."
    assert not records[4].answered


def test_canvas_mapping_by_question_number_and_header():
    columns = parse_columns("student=id,q2=4711,q3=4712: Give the gradient of f(a, b) = 3a^2 + b^2 - ab + a, as (∂f/∂a, ∂f/∂b).")  # fmt: skip
    records = read_export(CANVAS, columns=columns)
    assert answers(records)[:2] == [("1001", "q2", "2(x+y+z)"), ("1001", "q3", "(6a - b + 1, 2b - a)")]
    assert {record.question for record in records} == {"q2", "q3"}  # only the mapped questions
    assert records[0].student_column == "id"


def test_moodle_responses():
    records = read_export(MOODLE)
    # "ID number" is empty on every row, so the students are their email addresses; "Right answer N" is not an answer.
    assert answers(records) == [
        ("ada@example.edu", "1", "2(x+y+z)"),
        ("ada@example.edu", "2", "(6a - b + 1, 2b - a)"),
        ("ada@example.edu", "3", "2x sin(x) + x^2 cos(x)"),
        ("ben@example.edu", "1", "2(x+y+z)(1)"),
        ("ben@example.edu", "2", None),  # Moodle writes "-" for no response
        ("ben@example.edu", "3", "2x cos(x)"),
        ("chen@example.edu", "1", "2y"),
        ("chen@example.edu", "2", None),
        ("chen@example.edu", "3", None),
    ]  # and the "Overall average" row is no student
    assert {record.student_column for record in records} == {"Email address"}


def test_moodle_excel_semicolons_bom_and_crlf():
    records = read_export(MOODLE_EXCEL)
    assert answers(records) == [
        ("s001", "1", "2(x+y+z)"),
        ("s001", "2", "(6a - b + 1, 2b - a)"),
        ("s001", "3", "2x sin(x) + x^2 cos(x)"),
        ("s002", "1", "2(x+y+z)(1)"),
        ("s002", "2", None),
        ("s002", "3", "2x cos(x)"),
    ]
    assert records[0].student_column == "ID number"  # the byte-order mark is not part of the first header


def test_gradescope_export():
    records = read_export(GRADESCOPE)
    assert [record.question for record in records[:3]] == ["1", "2", "3"]
    assert records[0].column == "1: Chain rule (2.0 pts)"
    assert answers(records)[3:] == [
        ("s002", "1", "2(x+y+z)(1)"),
        ("s002", "2", None),
        ("s002", "3", "2x cos(x)"),
        ("s003", "1", None),  # no submission: every question unanswered, and the student is still listed
        ("s003", "2", None),
        ("s003", "3", None),
    ]


@pytest.mark.parametrize(
    ("path", "platform"), [(CANVAS, "canvas"), (MOODLE, "moodle"), (MOODLE_EXCEL, "moodle"), (GRADESCOPE, "gradescope")]
)
def test_platform_detected_from_the_header(path, platform):
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""), delimiter=";" if "excel" in path.name else ","))  # fmt: skip
    found = detect_platform(rows[0])
    assert found is not None and found.name == platform
    assert read_export(path) == read_export(path, platform=platform)


def test_question_ids_in_order_of_the_set():
    records = read_export(MOODLE_EXCEL, question_ids=["q2", "q3", "q6"])
    assert [record.question for record in records[:3]] == ["q2", "q3", "q6"]
    # The platform's numbers are the set's ids already: kept as they are.
    assert read_export(MOODLE_EXCEL, question_ids=["3", "2", "1"]) == read_export(MOODLE_EXCEL)
    message = str(pytest.raises(InputError, read_export, MOODLE_EXCEL, question_ids=["q1", "q2"]).value)
    assert "has 3 question columns" in message and "the question set 2 questions (q1, q2)" in message
    assert "--columns q1=COLUMN" in message


def test_text_tab_and_a_mapping_without_platform():
    text = "Student\tMatrikel\tAufgabe 1\tAufgabe 2\nAda\t4001\t2x\t\nBen\t4002\t3x^2\tcos x\n"
    records = read_export(text, columns=parse_columns("student=Matrikel,q1=Aufgabe 1,q2=aufgabe  2"))
    assert answers(records) == [("4001", "q1", "2x"), ("4001", "q2", None), ("4002", "q1", "3x^2"), ("4002", "q2", "cos x")]  # fmt: skip


def test_short_rows_are_empty_at_the_end():
    records = read_export("name,id,sis_id,4711: Differentiate x^2.,1.0\nAda,1,s001,2x\nBen,2,s002\n")
    assert answers(records) == [("s001", "4711", "2x"), ("s002", "4711", None)]


# -- errors name the file, the line and the column ------------------------------------------------------------------------------
def test_error_no_such_student_column():
    message = error(MOODLE.read_text(encoding="utf-8"), columns={"student": "SIS User ID"})
    assert message.startswith('export.csv: no column "SIS User ID"; the columns are "Surname", "First name", ')
    assert "and 3 more" in message and message.endswith("map them with --columns student=COLUMN")


def test_error_platform_without_its_id_column():
    message = error("name,section,4711: Differentiate x^2.,1.0\nAda,A,2x,1\n", platform="canvas")
    assert message.startswith('export.csv: no column "sis_id" or "SIS User ID" or "id" or "ID" or "SIS Login ID"')


def test_error_empty_student_id():
    message = error("SID,Email,1: Q (1.0 pts)\ns001,a@x.edu,2x\n,b@x.edu,3x\n", columns={"student": "SID"})
    assert message.startswith('export.csv, line 3, column "SID": the student\'s id is empty')


def test_error_student_twice():
    text = (
        "name,id,sis_id,attempt,4711: Differentiate x^2.,1.0\nAda,1,s001,1,x,0\nBen,2,s002,1,2x,1\nAda,1,s001,2,2x,1\n"
    )
    message = error(text)
    assert message.startswith('export.csv, line 4, column "sis_id": student s001 is also on line 2 (two attempts?)')
    assert message.endswith("keep one row per student (export only the latest or the graded attempt)")


def test_error_too_many_values():
    message = error("SID,Email,1: Q (1.0 pts)\ns001,a@x.edu,2x,3\n")
    assert message.startswith("export.csv, line 2: the row has 4 values, but the header names 3 columns")


def test_error_unknown_platform_and_no_platform():
    with pytest.raises(UsageError, match="--platform must be one of canvas, moodle, gradescope, not 'blackboard'"):
        read_export(CANVAS, platform="blackboard")
    message = error("Student,Answer\nAda,2x\n")
    assert message.startswith(
        'export.csv: cannot tell which platform exported it (the columns are "Student", "Answer")'
    )
    message = error("student,question,answer\nada,q2,2(x+y+z)\n")
    assert message.startswith("export.csv has one answer per row already (the columns student, question, answer)")


def test_error_mapped_question_column_missing():
    message = error(MOODLE.read_text(encoding="utf-8"), columns={"student": "Email address", "q7": "Response 7"})
    assert message.startswith('export.csv: no column "Response 7" for question q7; the columns are')


def test_error_two_questions_one_column():
    message = error(MOODLE.read_text(encoding="utf-8"), columns={"student": "Email address", "q1": "1", "q2": "Response 1"})  # fmt: skip
    assert message == 'export.csv: --columns maps q1 and q2 to the same column "Response 1"'


def test_error_no_question_columns_and_empty_files():
    assert "no question columns found" in error("name,id,sis_id,score\nAda,1,s001,3\n")
    assert "has no students, only a header" in error("name,id,sis_id,4711: Q,1\n")
    with pytest.raises(InputError, match="is empty"):
        read_export("\n\n", name="export.csv")


def test_error_missing_file(tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        read_export(tmp_path / "nope.csv")


# -- gradebooks -----------------------------------------------------------------------------------------------------------------
CLASS_SCORES = [("s001", 5.0), ("s002", 0.5), ("s003", 2.6667), ("s004", 0.0)]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_gradebook_golden(pytestconfig, platform):
    text = gradebook_csv(platform, CLASS_SCORES, assignment="Week 2 quiz", points_possible=5)
    assert_golden(pytestconfig, f"gradebook_{platform}.csv", text)
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == len(CLASS_SCORES) + 1 + (platform == "canvas")  # Canvas: the Points Possible row


def test_gradebook_canvas_columns():
    text = gradebook_csv("canvas", {"1001": 4}, assignment=" Quiz ", points_possible=4.5, id_column="ID", names={"1001": "Lovelace, Ada"})  # fmt: skip
    assert (
        text == 'Student,ID,SIS User ID,SIS Login ID,Section,Quiz\nPoints Possible,,,,,4.5\n"Lovelace, Ada",1001,,,,4\n'
    )


def test_gradebook_moodle_and_gradescope_by_email():
    assert gradebook_csv(
        "moodle", [("ada@example.edu", 1.25)], assignment="Q", points_possible=2, id_column="Email address"
    ) == (  # fmt: skip
        "Email address,Q\nada@example.edu,1.25\n"
    )
    assert gradebook_csv(
        "gradescope", [("ada@example.edu", 2)], assignment="Q", points_possible=2, id_column="Email"
    ) == (  # fmt: skip
        "SID,Email,Q,Q - Max Points\n,ada@example.edu,2,2\n"
    )


@pytest.mark.parametrize(
    ("platform", "export_column", "expected"),
    [
        ("canvas", "sis_id", "SIS User ID"),
        ("canvas", "id", "ID"),
        ("canvas", "SIS Login ID", "SIS Login ID"),
        ("canvas", "Matrikel", "SIS User ID"),
        ("moodle", "Email address", "Email address"),
        ("moodle", "ID number", "ID number"),
        ("gradescope", "Email", "Email"),
        ("gradescope", None, "SID"),
    ],
)
def test_gradebook_id_column(platform, export_column, expected):
    assert gradebook_id_column(platform, export_column) == expected


def test_gradebook_id_column_of_a_read_export():
    records = read_export(MOODLE)
    column = gradebook_id_column("moodle", records[0].student_column)
    totals = {record.student: 0.0 for record in records}
    assert gradebook_csv("moodle", totals, assignment="Q", points_possible=3, id_column=column).startswith(
        "Email address,Q\nada@example.edu,0\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("blackboard", [("s1", 1)]), "the platform must be one of canvas, moodle, gradescope"),
        (("canvas", [("s1", 1)], {"assignment": " "}), "needs the assignment's name"),
        (("canvas", [("s1", 1)], {"points_possible": 0}), "points possible must be positive, not 0"),
        (("canvas", [("s1", 1)], {"id_column": "Email"}), "identifies students by SIS User ID or ID or SIS Login ID"),
        (("moodle", [("s1", 1), ("s1", 2)]), "student s1 has two scores"),
        (("moodle", [("", 1)]), "a student without an id"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_gradebook_errors(args, message):
    platform, scores, *rest = args
    options = {"assignment": "Q", "points_possible": 1, **(rest[0] if rest else {})}
    with pytest.raises((UsageError, InputError)) as caught:
        gradebook_csv(platform, scores, **options)
    assert message in str(caught.value)


# -- Gradescope's results.json --------------------------------------------------------------------------------------------------
# Written from https://gradescope-autograders.readthedocs.io/en/latest/specs/ ("Output format"): what Gradescope reads.
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
RESULTS_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "status": {"enum": ["passed", "failed"]},
                    "name": {"type": "string"},
                    "number": {"type": "string"},
                    "output": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "visibility": VISIBILITY,
                    "extra_data": {"type": "object"},
                },
                "additionalProperties": False,
            },
        },
        "leaderboard": {"type": "array"},
    },
    # "score" is optional only when every test has one.
    "anyOf": [
        {"required": ["score"]},
        {"required": ["tests"], "properties": {"tests": {"items": {"required": ["score"]}}}},
    ],  # fmt: skip
    "additionalProperties": False,
}

WEEK2_RESULTS = [
    ("q1", "Find the critical point of f(a, b) = 3a^2 + b^2 - ab + a.", 2.0, 2.0, "Correct."),
    ("q2", "Differentiate (x+y+z)^2 with respect to y.", 0.5, 2.0,
     "x and z are held constant when you differentiate with respect to y: their derivatives are 0."),
    ("q3", "Give the gradient of f(a, b) = 3a^2 + b^2 - ab + a, as (∂f/∂a, ∂f/∂b).", 0.0, 2.0, "Not answered."),
]  # fmt: skip


def results_validator():
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(RESULTS_SCHEMA)
    return jsonschema.Draft202012Validator(RESULTS_SCHEMA)


def test_gradescope_results_golden(pytestconfig):
    results = gradescope_results(WEEK2_RESULTS)
    results_validator().validate(results)
    assert results["score"] == 2.5 and results["output"] == "2.5 of 6 points."
    assert [test["status"] for test in results["tests"]] == ["passed", "failed", "failed"]
    assert_golden(pytestconfig, "gradescope_results.json", json.dumps(results, indent=2, ensure_ascii=False) + "\n")


def test_gradescope_results_options():
    results = gradescope_results(
        [("q9", "", 1, 1, "")], output="Graded by derivsteps.", visibility="after_due_date", execution_time=3.4
    )
    results_validator().validate(results)
    assert results == {
        "score": 1,
        "output": "Graded by derivsteps.",
        "visibility": "after_due_date",
        "execution_time": 3,
        "tests": [{"number": "1", "name": "q9", "score": 1, "max_score": 1, "status": "passed", "output": ""}],
    }
    with pytest.raises(UsageError, match="visibility must be one of hidden"):
        gradescope_results([], visibility="public")


def test_gradescope_results_empty_and_zero_max():
    results = gradescope_results([("q1", "Bonus", 0, 0, "")])
    results_validator().validate(results)
    assert results["tests"][0]["status"] == "failed" and results["score"] == 0
    assert gradescope_results([])["tests"] == []


def test_the_schema_rejects_what_gradescope_would():
    validator = results_validator()
    assert not validator.is_valid({"tests": [{"name": "q1"}]})  # no score anywhere
    assert not validator.is_valid({"score": 1, "tests": [{"score": 1, "status": "ok"}]})
    assert not validator.is_valid({"score": "1"})


# -- from an export to grades ---------------------------------------------------------------------------------------------------
SET = """
title = "Week 2 quiz"
[[question]]
id = "q2"
task = "diff"
expr = "(x+y+z)^2"
wrt = "y"
points = 2
[[question]]
id = "q3"
task = "grad"
expr = "3a^2 + b^2 - ab + a"
vars = "a,b"
points = 2
[[question]]
id = "q6"
task = "diff"
expr = "x^2 sin x"
wrt = "x"
"""


def test_an_export_graded_and_its_gradebook(pytestconfig):
    """The whole path: a Moodle export read against a set's questions, each answer graded, the totals a gradebook."""
    from derivsteps.checking.questions import check_question, parse_questions

    questions = parse_questions(SET, "week2.toml")
    records = read_export(MOODLE_EXCEL, question_ids=[question.id for question in questions.questions])
    totals: dict[str, float] = {}
    outcomes = {}
    for record in records:
        totals.setdefault(record.student, 0.0)
        if record.answer is None:  # not answered: no points, and not graded as a wrong answer
            continue
        result = check_question(questions.question(record.question), record.answer)
        totals[record.student] += result.score
        outcomes[record.student, record.question] = result.outcome
    assert outcomes == {
        ("s001", "q2"): "correct",
        ("s001", "q3"): "correct",
        ("s001", "q6"): "correct",
        ("s002", "q2"): "correct",  # 2(x+y+z)(1) has the right value
        ("s002", "q6"): "incorrect",
    }
    assert totals == {"s001": 5.0, "s002": 2.0}
    column = gradebook_id_column("moodle", records[0].student_column)
    text = gradebook_csv("moodle", totals, assignment=questions.title, points_possible=questions.total_points, id_column=column)  # fmt: skip
    assert text == "ID number,Week 2 quiz\ns001,5\ns002,2\n"


# -- any text a spreadsheet writes comes back ----------------------------------------------------------------------------------
ANSWER_TEXT = st.text(alphabet=st.sampled_from(list("2x^()+-*/ sin,;\"'\n\t=éΣ")), max_size=20)


@given(
    delimiter=st.sampled_from([",", ";", "\t"]),
    bom=st.booleans(),
    table=st.lists(st.tuples(ANSWER_TEXT, ANSWER_TEXT), min_size=1, max_size=5),
)
def test_a_moodle_export_round_trips(delimiter, bom, table):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["Surname", "First name", "ID number", "Email address", "Grade/2,00", "Response 1", "Response 2"])
    for number, (first, second) in enumerate(table, start=1):
        writer.writerow([f"Student {number}", "A", f"s{number:03}", f"s{number}@example.edu", "1,00", first, second])
    records = read_export(("\ufeff" if bom else "") + out.getvalue(), name="export.csv")

    def expected(text: str) -> str | None:
        return None if text.strip() in ("", "-") else text.strip()

    assert answers(records) == [
        (f"s{number:03}", question, expected(text))
        for number, row in enumerate(table, start=1)
        for question, text in zip(("1", "2"), row)
    ]


# -- deriv grade with an export: the CLI's --platform, --columns, --gradebook and --gradescope ---------------------------------
def _grade_cli(capsys, tmp_path, *argv) -> tuple[int, str]:
    from derivsteps import cli

    (tmp_path / "week2.toml").write_text(SET, encoding="utf-8")
    code = cli.main(["grade", *argv, "--questions", str(tmp_path / "week2.toml")])
    return code, capsys.readouterr().out


def test_grade_reads_an_export_and_writes_its_gradebook(capsys, tmp_path):
    book = tmp_path / "grades.csv"
    code, out = _grade_cli(capsys, tmp_path, str(MOODLE_EXCEL), "--gradebook", str(book), "-o", str(tmp_path / "r.md"))
    assert code == 0 and "gradebook (moodle)" in out
    assert book.read_text(encoding="utf-8") == "ID number,Week 2 quiz\ns001,5\ns002,2\n"  # as the library gives it


def test_grade_maps_columns_and_writes_gradescope_results(capsys, tmp_path):
    one = tmp_path / "one.csv"
    lines = MOODLE.read_text(encoding="utf-8-sig").splitlines()
    one.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")  # one student's submission
    results = tmp_path / "results.json"
    columns = "student=Email address,q2=Response 1,q3=Response 2,q6=Response 3"
    code, out = _grade_cli(capsys, tmp_path, str(one), "--columns", columns, "--gradescope", str(results))
    assert code == 0
    document = json.loads(results.read_text(encoding="utf-8"))
    assert [test["name"].split(":")[0] for test in document["tests"]] == ["q2", "q3", "q6"]
    assert document["score"] == sum(test["score"] for test in document["tests"])


def test_gradescope_results_are_for_one_submission(capsys, tmp_path):
    from derivsteps import cli

    (tmp_path / "week2.toml").write_text(SET, encoding="utf-8")
    argv = [
        "grade",
        str(MOODLE_EXCEL),
        "--questions",
        str(tmp_path / "week2.toml"),
        "--gradescope",
        str(tmp_path / "r.json"),
    ]
    assert cli.main(argv) == 2
    assert "one submission's results" in capsys.readouterr().err


def test_the_command_line_lists_the_platforms_of_the_library():
    from derivsteps.checking.platforms import PLATFORMS as LIBRARY
    from derivsteps.commands.grade import PLATFORMS

    assert PLATFORMS == LIBRARY


def test_the_example_moodle_export_is_graded_against_the_week_2_set(capsys, tmp_path):
    from derivsteps import cli

    root = Path(__file__).resolve().parents[2] / "examples"
    book = tmp_path / "grades.csv"
    argv = ["grade", str(root / "moodle_responses.csv"), "--questions", str(root / "week2_questions.toml")]
    assert cli.main([*argv, "--gradebook", str(book)]) == 0
    assert "4 students, 26 answers" in capsys.readouterr().out  # Dev's "-" is not answered, not wrong
    assert book.read_text(encoding="utf-8").splitlines() == [
        "ID number,Week 2: partial derivatives and the loss", "s001,12", "s002,8", "s003,2.5", "s004,8",
    ]  # fmt: skip
