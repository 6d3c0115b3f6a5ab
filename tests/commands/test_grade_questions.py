"""deriv grade --questions (a class against a question set), --shard K/N and --merge: slices merged equal an unsharded run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from golden_util import deriv

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = str(ROOT / "examples" / "week2_questions.toml")
ANSWERS = str(ROOT / "examples" / "week2_answers.csv")
PLAIN = str(ROOT / "examples" / "class_answers.csv")


def test_grade_a_class_against_a_question_set(capsys):
    code, out, err = deriv(capsys, "grade", ANSWERS, "--questions", QUESTIONS)
    assert code == 0, err
    assert out.startswith(
        "Week 2: partial derivatives and the loss\n12 students, 79 answers: 46 correct, 6 partially correct"
    )
    assert "held_constant_differentiated        3  6(x+y+z)" in out


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("r.md", "**Week 2"),
        ("r.html", "<!DOCTYPE html>"),
        ("r.json", "{"),
        ("r.csv", "student,q1"),
        ("r.txt", "Week 2"),
    ],
)
def test_the_report_format_follows_the_extension(capsys, tmp_path, name, start):
    code, out, _ = deriv(capsys, "grade", ANSWERS, "--questions", QUESTIONS, "-o", str(tmp_path / name))
    assert code == 0 and "12 students, 79 answers" in out
    assert (tmp_path / name).read_text(encoding="utf-8").startswith(start)
    if name == "r.csv":  # the gradebook, and the graded answers beside it
        assert (tmp_path / "r.answers.csv").read_text(encoding="utf-8").startswith("row,student,question,answer")


def test_a_bad_question_file_stops_before_grading(capsys, tmp_path):
    bad = tmp_path / "set.toml"
    bad.write_text('[[question]]\nid = "q1"\ntask = "differentiate"\nexpr = "x"\n', encoding="utf-8")
    code, out, err = deriv(capsys, "grade", ANSWERS, "--questions", str(bad))
    assert code == 2 and out == ""
    assert "set.toml:3: question \"q1\": unknown task 'differentiate'" in err


def test_usage_errors(capsys, tmp_path):
    code, _, err = deriv(capsys, "grade", "--questions", QUESTIONS)
    assert code == 2 and "the following arguments are required: FILE" in err
    code, _, err = deriv(capsys, "grade", ANSWERS, "--questions", QUESTIONS, "--shard", "4/3")
    assert code == 2 and "--shard takes K/N with 1 <= K <= N" in err
    code, _, err = deriv(capsys, "grade", PLAIN, "-o", str(tmp_path / "r.html"))
    assert code == 2 and "give the question set with --questions" in err
    code, _, err = deriv(capsys, "grade", ANSWERS, "--questions", QUESTIONS, "-o", str(tmp_path / "r.xlsx"))
    assert code == 2 and ".html" in err


def _slices(capsys, tmp_path, *argv: str, count: int = 3) -> list[Path]:
    paths = []
    for k in range(1, count + 1):
        path = tmp_path / f"report-{k}.jsonl"
        code, _, err = deriv(capsys, "grade", *argv, "--shard", f"{k}/{count}", "-o", str(path))
        assert code == 0, err
        paths.append(path)
    return paths


def test_slices_merged_equal_the_unsharded_run(capsys, tmp_path):
    slices = _slices(capsys, tmp_path, ANSWERS, "--questions", QUESTIONS)
    rows = [json.loads(line) for path in slices for line in path.read_text(encoding="utf-8").splitlines()]
    assert sorted(row["row"] for row in rows) == list(range(79))  # disjoint, and together every row
    assert all(path.stat().st_size > 0 for path in slices)

    whole, merged = tmp_path / "whole.json", tmp_path / "merged.json"
    assert deriv(capsys, "grade", ANSWERS, "--questions", QUESTIONS, "-o", str(whole))[0] == 0
    # a quoted pattern is expanded by deriv itself (Windows shells, Slurm scripts)
    code, out, err = deriv(capsys, "grade", "--merge", str(tmp_path / "report-*.jsonl"), "--questions", QUESTIONS, "-o", str(merged))  # fmt: skip
    assert code == 0, err
    assert merged.read_text(encoding="utf-8") == whole.read_text(encoding="utf-8")


def test_merge_checks_the_slices_cover_the_answers(capsys, tmp_path):
    slices = _slices(capsys, tmp_path, ANSWERS, "--questions", QUESTIONS)
    code, _, err = deriv(capsys, "grade", ANSWERS, "--merge", *map(str, slices[:2]), "--questions", QUESTIONS)
    assert code == 2 and "is a slice missing?" in err
    again = tmp_path / "again.jsonl"
    shutil.copy(slices[0], again)
    code, _, err = deriv(capsys, "grade", "--merge", *map(str, [*slices, again]), "--questions", QUESTIONS)
    assert code == 2 and "is in two reports" in err
    code, _, err = deriv(capsys, "grade", "--merge", *map(str, slices))
    assert code == 2 and "give the set with --questions" in err


def test_plain_rows_shard_and_merge_too(capsys, tmp_path):
    answers = tmp_path / "class.csv"
    shutil.copy(PLAIN, answers)
    slices = _slices(capsys, tmp_path, str(answers), count=2)
    whole, merged = tmp_path / "whole.json", tmp_path / "merged.json"
    assert deriv(capsys, "grade", str(answers), "-o", str(whole))[0] == 0
    code, _, err = deriv(capsys, "grade", str(answers), "--merge", *map(str, slices), "-o", str(merged))
    assert code == 0, err

    def without_speed(path):
        document = json.loads(path.read_text(encoding="utf-8"))
        for key in ("graded", "seconds", "answers_per_second"):
            document["summary"].pop(key)
        return document

    assert without_speed(merged) == without_speed(whole)
