"""deriv grade: a class file in, one verdict per row in input order, reports that parse back, nothing lost on Ctrl-C."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from derivsteps.checking import grading
from derivsteps.checking.grading import VERDICTS, AnswerRow, GradedRow, grade_row, grade_rows, read_answers, summarize
from derivsteps.checking.reports import CSV_COLUMNS, csv_header, csv_line, jsonl_line, recover
from derivsteps.cli import run
from derivsteps.core.errors import InputError, LimitError, UsageError
from derivsteps.render.grading import render_markdown, to_json

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "class_answers.csv"

# What examples/class_answers.csv must get: (verdict, mistake) per id.
KNOWN = {
    "ada": ("correct", None), "ben": ("correct", None), "cleo": ("incorrect", "chain_inner_forgotten"),
    "dan": ("incorrect", "exponent_not_reduced"), "eva": ("incorrect", "product_of_derivatives"), "finn": ("correct", None),
    "gus": ("incorrect", "quotient_denominator_not_squared"), "hana": ("incorrect", "quotient_numerator_reversed"),
    "ivan": ("incorrect", "cos_sign"), "jade": ("correct", None), "kai": ("incorrect", "exp_as_power"),
    "lena": ("incorrect", "ln_without_inner"), "milo": ("correct", None), "nora": ("incorrect", "constant_term_kept"),
    "omar": ("incorrect", "held_constant_differentiated"), "pia": ("incorrect", "wrong_variable"),
    "quinn": ("incorrect", "integrated_instead"), "rosa": ("correct", None), "sam": ("correct", None),
    "tara": ("invalid", None), "ugo": ("invalid", None), "vera": ("incorrect", None),
    "wes": ("incorrect", "chain_inner_forgotten"), "xena": ("incorrect", "cos_sign"),
    # answers typed in LaTeX or as equations, and a problem in LaTeX: read, so graded like the rest
    "yara": ("correct", None), "zeno": ("correct", None), "abel": ("incorrect", "chain_inner_forgotten"),
    "bo": ("correct", None), "cy": ("correct", None), "dee": ("correct", None), "eli": ("correct", None),
    # the slips of issue 18: a term's sign, brackets left out, a variable's case, the power rule on 2^x, a plus
    "fern": ("incorrect", "term_sign_flipped"), "gil": ("incorrect", "missing_brackets"),
    "hugo": ("incorrect", "variable_misnamed"), "iris": ("incorrect", "exp_as_power"),
    "jon": ("incorrect", "quotient_sign_plus"),
}  # fmt: skip
ROWS = len(KNOWN)


def _deriv(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "derivsteps", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def _run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run(list(args))
    return code, out.getvalue()


@pytest.fixture(scope="module")
def example_report(tmp_path_factory) -> list[GradedRow]:
    """The example class graded once, through the command line with two workers, and read back from its CSV report."""
    report = tmp_path_factory.mktemp("grade") / "report.csv"
    code, out = _run("grade", str(EXAMPLE), "-o", str(report), "--jobs", "2")
    assert code == 0, out
    assert f"report: {report}" in out
    return recover(report, "csv")


# -- the example class --------------------------------------------------------------------------------------------------
def test_every_row_of_the_example_gets_its_known_verdict_in_input_order(example_report):
    assert [row.id for row in example_report] == [row.id for row in read_answers(EXAMPLE)]  # --jobs 2 keeps the order
    assert {row.id: (row.verdict, row.mistake) for row in example_report} == KNOWN


def test_the_rows_carry_feedback_expected_answers_and_notes(example_report):
    by_id = {row.id: row for row in example_report}
    assert by_id["cleo"].feedback.startswith("At step 1 the chain rule needs the inner derivative")
    assert by_id["cleo"].expected == "2x cos(x^2)" and by_id["cleo"].decided_by in ("probe", "symbolic", "numeric")
    assert any("not simplified" in note for note in by_id["rosa"].notes)
    assert any("2 times the derivative" in note for note in by_id["vera"].notes)
    assert (
        by_id["tara"].feedback.startswith("invalid input: cannot read the answer")
        and "column 4" in by_id["tara"].feedback
    )
    assert "unclosed parenthesis" in by_id["ugo"].feedback


def test_the_summary_counts_verdicts_and_mistakes(example_report):
    summary = summarize(example_report, seconds=2.0)
    assert summary.verdicts == {"correct": 13, "incorrect": 21, "inconclusive": 0, "invalid": 2, "limit": 0, "error": 0}
    assert summary.mistakes[:3] == [("chain_inner_forgotten", 3), ("cos_sign", 2), ("exp_as_power", 2)]
    assert sum(count for _, count in summary.mistakes) == 20 and len(summary.mistakes) == 16
    assert summary.answers_per_second == ROWS / 2.0


# -- report formats parse back ----------------------------------------------------------------------------------------------
def test_csv_report_parses_with_the_csv_module(example_report, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(csv_header() + "".join(csv_line(row) for row in example_report), encoding="utf-8", newline="")
    with path.open(encoding="utf-8", newline="") as stream:
        read = list(csv.DictReader(stream))
    assert tuple(read[0]) == CSV_COLUMNS and len(read) == len(example_report)
    assert [r["verdict"] for r in read] == [row.verdict for row in example_report]
    assert read[2]["mistake"] == "chain_inner_forgotten" and read[2]["expected"] == "2x cos(x^2)"
    assert read[18]["answer"] == "'-1/x^2"  # a spreadsheet would take -1/x^2 for a formula
    assert recover(path, "csv") == example_report  # and our reader gives the answer back as typed


def test_json_and_jsonl_reports_parse_back(example_report, tmp_path):
    summary = summarize(example_report, seconds=1.0)
    document = json.loads(json.dumps(to_json(example_report, summary), ensure_ascii=False))
    assert document["schema"] == 1 and document["command"] == "grade"
    assert [GradedRow.from_dict(item) for item in document["rows"]] == example_report
    assert document["summary"]["verdicts"]["incorrect"] == 21
    assert document["summary"]["mistakes"][0] == {"mistake": "chain_inner_forgotten", "count": 3}
    lines = "".join(jsonl_line(row) for row in example_report).splitlines()
    assert [json.loads(line)["id"] for line in lines] == list(KNOWN)


def test_markdown_report_has_a_row_per_answer_and_the_summary(example_report):
    text = render_markdown(example_report, summarize(example_report))
    table = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| id ")]
    assert len([line for line in table if "`" in line.split("|")[2] or line.split("|")[1].strip() in KNOWN]) >= len(
        KNOWN
    )
    assert "| cleo | `cos(x^2)` | ✗ incorrect |" in text
    assert "**Summary.** 36 answers: 13 correct, 21 incorrect, 2 invalid." in text
    assert "| `cos_sign` | 2 |" in text


def test_each_output_format_from_the_command_line(tmp_path):
    small = tmp_path / "small.csv"
    small.write_text("id,expr,wrt,answer\na,x^2,x,2x\nb,x^2,x,2x+\nc,cos(x),x,sin(x)\n", encoding="utf-8")
    for suffix in (".json", ".md", ".jsonl", ".txt"):
        report = tmp_path / f"r{suffix}"
        code, out = _run("grade", str(small), "-o", str(report))
        assert code == 0 and "3 answers: 1 correct, 1 incorrect, 1 invalid." in out
        assert report.read_text(encoding="utf-8")
    assert [row["verdict"] for row in json.loads((tmp_path / "r.json").read_text())["rows"]] == [
        "correct",
        "invalid",
        "incorrect",
    ]
    code, out = _run("grade", str(small), "--format", "json")
    assert json.loads(out)["summary"]["mistakes"] == [{"mistake": "cos_sign", "count": 1}]
    code, out = _run("grade", str(small))
    first = out.splitlines()[1].split()
    assert (
        first[0] == "a" and first[2] == "correct" and "3 answers:" in out
    )  # the mark is ✓, or ok where stdout is ASCII
    assert not list(tmp_path.glob(".*.part"))  # the temporary files were renamed


# -- reading the class file ---------------------------------------------------------------------------------------------------
def test_csv_json_and_jsonl_files_give_the_same_rows(tmp_path):
    records = [
        {"id": "a", "expr": "x^2", "wrt": "x", "answer": "2x"},
        {"id": 7, "expr": "y x", "wrt": "y", "answer": "x", "vars": ["x", "y"]},
    ]
    (tmp_path / "c.json").write_text(json.dumps(records))
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n\n")
    (tmp_path / "c.csv").write_text(
        '\ufeffID,Expr,wrt,answer,vars,student name\na,x^2,x,2x,,Ann\n7,y x,y,x,"x,y",Bo\n', encoding="utf-8"
    )
    found = [read_answers(tmp_path / name) for name in ("c.json", "c.jsonl", "c.csv")]
    assert found[0] == found[1] == found[2]
    assert found[0][1] == AnswerRow("7", "y x", "y", "x", variables=("x", "y"))


def test_a_semicolon_csv_from_a_spreadsheet_is_read(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id;expr;wrt;answer\na;x^2;x;2x\n", encoding="utf-8")
    assert read_answers(path) == [AnswerRow("a", "x^2", "x", "2x")]


@pytest.mark.parametrize(
    ("name", "content", "error", "message"),
    [
        ("c.csv", "id,expr,answer\na,x^2,2x\n", InputError, "missing: wrt"),
        (
            "c.csv",
            "id,expr,wrt,answer\na,x^2,x,2x\na,x^3,x,3x^2\n",
            InputError,
            "the id 'a' is used twice (line 2 and line 3)",
        ),
        ("c.csv", "id,expr,wrt,answer\n,x^2,x,2x\n", InputError, "line 2: the id is empty"),
        ("c.csv", "", InputError, "is empty"),
        ("c.csv", "id,expr,wrt,answer\n", InputError, "has no answers"),
        ("c.json", '{"id": 1}', InputError, "must be an array of objects"),
        ("c.json", '[{"id": 1', InputError, "not valid JSON"),
        (
            "c.jsonl",
            '{"id": "a", "expr": "x", "wrt": "x", "answer": "1"}\n[1]\n',
            InputError,
            "line 2: expected an object",
        ),
    ],
)
def test_a_file_that_cannot_be_used_is_a_clear_error(tmp_path, name, content, error, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(error) as caught:
        read_answers(path)
    assert message in str(caught.value)


def test_a_missing_or_binary_file_is_a_clear_error(tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        read_answers(tmp_path / "nope.csv")
    (tmp_path / "b.csv").write_bytes(b"id,expr\n\xff\xfe")
    with pytest.raises(InputError, match="not UTF-8"):
        read_answers(tmp_path / "b.csv")


def test_too_many_rows_is_a_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(grading.limits, "MAX_GRADE_ROWS", 2)
    path = tmp_path / "c.csv"
    path.write_text("id,expr,wrt,answer\na,x,x,1\nb,x,x,1\nc,x,x,1\n")
    with pytest.raises(LimitError, match="MAX_GRADE_ROWS"):
        read_answers(path)


# -- one row never stops the batch -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("row", "verdict", "says"),
    [
        (AnswerRow("a", "x^2", "x", "2x+"), "invalid", "cannot read the answer"),
        (AnswerRow("a", "sin(", "x", "cos(x)"), "invalid", "cannot read the problem"),
        (AnswerRow("a", "x^2", "x", "", problem="no answer given"), "invalid", "no answer given"),
        (AnswerRow("a", "(" * 150 + "x" + ")" * 150, "x", "1"), "limit", "limits.MAX_DEPTH"),
        (AnswerRow("a", "x^2", "x", "x^3/3", kind="antiderivative"), "correct", "correct"),
        (AnswerRow("a", "x^2 - 1", "", "(x - 1)(x + 1)", kind="equiv"), "correct", ""),
    ],
)
def test_each_row_gets_its_own_verdict(row, verdict, says):
    graded = grade_row(row)
    assert graded.verdict == verdict and says in graded.feedback


def test_a_bug_in_one_row_is_the_verdict_error_and_the_others_go_on(monkeypatch):
    real = grading._check

    def buggy(row):
        if row.id == "b":
            raise ZeroDivisionError("boom")
        return real(row)

    monkeypatch.setattr(grading, "_check", buggy)
    rows = [AnswerRow("a", "x^2", "x", "2x"), AnswerRow("b", "x^2", "x", "2x"), AnswerRow("c", "x^3", "x", "3x^2")]
    graded = list(grade_rows(rows, jobs=1, row_seconds=0))
    assert [row.verdict for row in graded] == ["correct", "error", "correct"]
    assert graded[1].feedback == "internal error (a bug in derivsteps): ZeroDivisionError: boom"


def test_a_row_over_its_time_or_a_dead_worker_costs_only_that_row(monkeypatch):
    real = grading._check

    def slow_or_dying(row):  # the workers are forked after this patch, so they run it too
        if row.id == "slow":
            time.sleep(30)
        if row.id == "dies":
            os._exit(3)
        return real(row)

    monkeypatch.setattr(grading, "_check", slow_or_dying)
    rows = [AnswerRow(name, "x^2", "x", "2x") for name in ("a", "slow", "b", "dies", "c")]
    start = time.monotonic()
    graded = list(grade_rows(rows, jobs=2, row_seconds=1.0))
    assert time.monotonic() - start < 15
    assert [(row.id, row.verdict) for row in graded] == [
        ("a", "correct"),
        ("slow", "limit"),
        ("b", "correct"),
        ("dies", "error"),
        ("c", "correct"),
    ]
    assert (
        "took longer than 1 s (limits.GRADE_ROW_SECONDS)" in graded[1].feedback
        and "--max-row-seconds" in graded[1].feedback
    )
    assert "died (exit code 3)" in graded[3].feedback


def _noting(path: Path, label: str, fn):
    """fn, writing "label pid parent-pid" to `path` at each call: where it ran (one-line appends never interleave)."""

    def noted(*args, **kwargs):
        with open(path, "a", encoding="ascii") as notes:
            notes.write(f"{label} {os.getpid()} {os.getppid()}\n")
        return fn(*args, **kwargs)

    return noted


def _notes(path: Path) -> list[tuple[str, int, int]]:
    return [(label, int(pid), int(parent)) for label, pid, parent in map(str.split, path.read_text().splitlines())]


def test_with_two_jobs_every_cas_call_runs_in_the_worker_grading_its_row(monkeypatch, tmp_path):
    from derivsteps.checking import answers

    notes = tmp_path / "where.txt"
    monkeypatch.setattr(grading, "_check", _noting(notes, "row", grading._check))
    for name in ("_judge_answer", "_sympy_equivalence"):  # what the rows' CAS calls run (workers.run)
        monkeypatch.setattr(answers, name, _noting(notes, "cas", getattr(answers, name)))
    rows = read_answers(EXAMPLE) + [AnswerRow("eq", "sin(x)^2", "", "1 - cos(x)^2", kind="equiv")]
    graded = list(grade_rows(rows, jobs=2))
    assert {row.id: (row.verdict, row.mistake) for row in graded} == {**KNOWN, "eq": ("correct", None)}
    seen = _notes(notes)
    rows_in = {pid for label, pid, _ in seen if label == "row"}
    cas_in = {pid for label, pid, _ in seen if label == "cas"}
    assert len(rows_in) == 2 and os.getpid() not in rows_in  # two workers graded the rows
    assert len([label for label, *_ in seen if label == "cas"]) >= 10 and cas_in <= rows_in  # no grandchild
    assert all(parent == os.getpid() for *_, parent in seen)  # every worker is a child of this process


def test_a_row_killed_at_its_deadline_is_replaced_and_the_next_rows_are_graded(monkeypatch, tmp_path):
    notes = tmp_path / "where.txt"
    real = grading._check

    def slow(row):
        if row.id == "slow":
            time.sleep(30)
        return real(row)

    monkeypatch.setattr(grading, "_check", _noting(notes, "row", slow))
    rows = [AnswerRow(name, "x^2", "x", "2x") for name in ("a", "slow", "b", "c")] + [
        AnswerRow("d", "sin(x)", "x", "sin(x)")
    ]
    before, start = set(_worker_processes()), time.monotonic()  # before: a CAS worker an earlier test kept, say
    graded = list(grade_rows(rows, jobs=1, row_seconds=1.0))
    assert time.monotonic() - start < 15
    assert [(row.id, row.verdict) for row in graded] == [
        ("a", "correct"), ("slow", "limit"), ("b", "correct"), ("c", "correct"), ("d", "incorrect"),
    ]  # fmt: skip
    assert graded[1].feedback == (
        "grading this row took longer than 1 s (limits.GRADE_ROW_SECONDS); raise the limit with --max-row-seconds"
    )
    first, killed, *rest = [pid for _, pid, _ in _notes(notes)]
    assert killed == first and len(set(rest)) == 1 and rest[0] != first  # a fresh worker took the next rows
    assert set(_worker_processes()) <= before  # every worker of the run is gone, none is left a zombie


def test_a_worker_out_of_memory_or_killed_is_replaced_and_the_next_rows_are_graded(monkeypatch, tmp_path):
    from derivsteps.checking import answers

    notes = tmp_path / "where.txt"
    real = grading._check

    def greedy(*args):  # the row's CAS call needs more than limits.CAS_MEMORY_MB
        return bytearray(2000 * 1024 * 1024)

    def killed(row):
        if row.id == "killed":
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would
        return real(row)

    monkeypatch.setattr(grading.limits, "CAS_MEMORY_MB", 100)
    monkeypatch.setattr(answers, "_judge_answer", greedy)
    monkeypatch.setattr(grading, "_check", _noting(notes, "row", killed))
    rows = [AnswerRow(name, "x^2", "x", answer) for name, answer in (("a", "2x"), ("greedy", "3x"), ("b", "2x"))]
    rows += [AnswerRow("killed", "x^2", "x", "2x"), AnswerRow("c", "x^3", "x", "3x^2")]
    before = set(_worker_processes())
    graded = list(grade_rows(rows, jobs=1))
    assert [(row.id, row.verdict) for row in graded] == [
        ("a", "correct"), ("greedy", "inconclusive"), ("b", "correct"), ("killed", "error"), ("c", "correct"),
    ]  # fmt: skip
    assert graded[1].feedback == (
        "could not decide: SymPy's answer check needed more than 100 MB of memory (limits.CAS_MEMORY_MB); "
        "raise the limit with --cas-memory"
    )
    assert graded[3].feedback == "internal error: the worker grading this row died (killed by signal 9)"
    a, greedy_row, b, killed_row, c = [pid for _, pid, _ in _notes(notes)]
    assert a == greedy_row and b != greedy_row and killed_row == b and c != b  # each time, a fresh worker
    assert set(_worker_processes()) <= before  # every worker of the run is gone, none is left a zombie


def _worker_processes() -> list[int]:
    """This process's children, alive or not yet reaped (from /proc; none where there is no /proc)."""
    children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def test_a_row_whose_sympy_call_times_out_is_inconclusive_and_the_others_go_on(monkeypatch):
    monkeypatch.setattr(grading.limits, "CAS_SECONDS", 0.001)  # read at call time, in the workers forked after this
    rows = [AnswerRow("slow", "sin(x^2)", "x", "cos(x^2)"), AnswerRow("fast", "x^3", "x", "3x^2")]
    graded = list(grade_rows(rows, jobs=1))
    assert [(row.id, row.verdict) for row in graded] == [("slow", "inconclusive"), ("fast", "correct")]
    assert "limits.CAS_SECONDS" in graded[0].feedback


# -- the command line: usage errors ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--resume"], "--resume continues the report named by -o"),
        (["-o", "report.xlsx"], "write the report to a .csv, .jsonl, .json, .md or .txt file"),
        (["--jobs", "-2"], "--jobs must be 0"),
        (["-o", "report.md", "--resume"], "--resume reads the report back"),
    ],
)
def test_usage_errors_exit_2(args, message, capsys):
    assert run(["grade", str(EXAMPLE), *args]) == 2
    assert message in capsys.readouterr().err


def test_the_report_cannot_overwrite_the_answers(tmp_path, capsys):
    answers = tmp_path / "a.csv"
    answers.write_text("id,expr,wrt,answer\na,x,x,1\n")
    assert run(["grade", str(answers), "-o", str(answers)]) == 2
    assert "is the answers file itself" in capsys.readouterr().err
    assert answers.read_text() == "id,expr,wrt,answer\na,x,x,1\n"


def test_duplicate_ids_exit_2_with_the_lines(tmp_path):
    answers = tmp_path / "a.csv"
    answers.write_text("id,expr,wrt,answer\ns1,x,x,1\ns2,x,x,1\ns1,x^2,x,2x\n")
    done = _deriv("grade", str(answers))
    assert done.returncode == 2 and "the id 's1' is used twice (line 2 and line 4)" in done.stderr and not done.stdout


# -- resuming and interruption ---------------------------------------------------------------------------------------------------
def test_resume_skips_the_rows_already_in_the_report_and_cuts_a_half_written_one(tmp_path):
    answers = tmp_path / "a.csv"
    answers.write_text("id,expr,wrt,answer\na,x^2,x,2x\nb,x^3,x,3x^2\nc,cos(x),x,sin(x)\n")
    report = tmp_path / "r.csv"
    earlier = GradedRow("a", "x^2", "x", "2x", "correct", feedback="graded before")
    report.write_text(
        csv_header() + csv_line(earlier) + 'b,correct,structural,,"half a ro', encoding="utf-8", newline=""
    )
    code, out = _run("grade", str(answers), "-o", str(report), "--resume")
    assert code == 0 and "graded 2 in" in out and "1 from the report before" in out
    rows = recover(report, "csv")
    assert [(row.id, row.verdict) for row in rows] == [("a", "correct"), ("b", "correct"), ("c", "incorrect")]
    assert rows[0].feedback == "graded before"  # not graded again
    code, out = _run("grade", str(answers), "-o", str(report), "--resume")
    assert "nothing left to grade" in out and len(recover(report, "csv")) == 3


def test_resume_says_which_rows_changed_since_and_refuses_a_report_with_an_id_twice(tmp_path):
    answers = tmp_path / "a.csv"
    answers.write_text("id,expr,wrt,answer\na,x^2,x,2x\nb,x^3,x,3x^2\n")
    report = tmp_path / "r.csv"
    earlier = GradedRow("a", "x^2", "x", "3x", "incorrect", feedback="graded before")
    report.write_text(csv_header() + csv_line(earlier), encoding="utf-8", newline="")
    done = _deriv("grade", str(answers), "-o", str(report), "--resume")
    assert done.returncode == 0 and "1 rows changed in" in done.stderr and "(a)" in done.stderr
    assert [row.verdict for row in recover(report, "csv")] == ["incorrect", "correct"]
    report.write_text(csv_header() + csv_line(earlier) + csv_line(earlier), encoding="utf-8", newline="")
    done = _deriv("grade", str(answers), "-o", str(report), "--resume")
    assert done.returncode == 2 and "has the id 'a' more than once" in done.stderr


def test_resume_refuses_a_file_that_is_not_a_report(tmp_path, capsys):
    report = tmp_path / "r.csv"
    report.write_text("name,score\nann,3\n")
    assert run(["grade", str(EXAMPLE), "-o", str(report), "--resume"]) == 2
    assert "--resume needs a report written by deriv grade" in capsys.readouterr().err


def _bigger_class(tmp_path: Path, copies: int) -> Path:
    """The example class `copies` times, with new ids: its rows take long enough to interrupt the run."""
    rows = read_answers(EXAMPLE)
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as stream:
        for copy in range(copies):
            for row in rows:
                stream.write(
                    json.dumps({"id": f"{row.id}-{copy}", "expr": row.expr, "wrt": row.wrt, "answer": row.answer})
                    + "\n"
                )
    return path


def _expected(example_report: list[GradedRow], copies: int) -> list[tuple]:
    return [
        (f"{row.id}-{copy}", row.verdict, row.mistake, row.feedback, row.expected)
        for copy in range(copies)
        for row in example_report
    ]


def _wait_for_rows(path: Path, rows: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if path.exists() and path.read_bytes().count(b"\r\n") > rows:  # the header and `rows` rows
            return
        time.sleep(0.05)
    pytest.fail(f"the report never reached {rows} rows (exit code {process.poll()})")


def test_ctrl_c_keeps_complete_rows_and_resume_finishes_like_a_fresh_run(tmp_path, example_report):
    answers = _bigger_class(tmp_path, 2)
    report = tmp_path / "r.csv"
    process = subprocess.Popen(
        [sys.executable, "-m", "derivsteps", "grade", str(answers), "-o", str(report)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    _wait_for_rows(report, 3, process)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the run finished before SIGINT arrived (a very fast machine)")
    assert process.returncode == 130, err
    assert "interrupted after" in err and "--resume" in err and "Traceback" not in err
    with report.open(encoding="utf-8", newline="") as stream:
        kept = list(csv.DictReader(stream))
    assert 3 <= len(kept) < 2 * ROWS and all(row["verdict"] in VERDICTS and row["answer"] is not None for row in kept)
    assert [row["id"] for row in kept] == [id for id, *_ in _expected(example_report, 2)][: len(kept)]
    done = _deriv("grade", str(answers), "-o", str(report), "--resume", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    assert f"{2 * ROWS - len(kept)} in" in done.stdout and f"{len(kept)} from the report before" in done.stdout
    assert "72 answers: 26 correct, 42 incorrect, 4 invalid." in done.stdout
    rows = recover(report, "csv")
    assert [(r.id, r.verdict, r.mistake, r.feedback, r.expected) for r in rows] == _expected(example_report, 2)


def _wait_for_workers(process: subprocess.Popen) -> None:
    """Until the run has forked its worker: grading has begun."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if not children.exists():  # no /proc (not Linux): give the start-up a generous moment instead
            time.sleep(3)
            return
        if children.read_text().strip():
            return
        time.sleep(0.05)


def test_sigterm_writes_a_valid_json_document_that_resume_completes(tmp_path, example_report):
    copies = 6  # enough rows that SIGTERM arrives mid-run, even now that a row takes a few milliseconds
    answers = _bigger_class(tmp_path, copies)
    report = tmp_path / "r.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "derivsteps", "grade", str(answers), "-o", str(report)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    _wait_for_workers(process)
    time.sleep(0.3)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    document = json.loads(report.read_text(encoding="utf-8"))
    if process.returncode in (0, -signal.SIGTERM) and not document["summary"]["interrupted"]:
        pytest.skip("the run had finished before SIGTERM arrived (a very fast machine)")
    assert process.returncode == 143, err
    assert document["summary"]["interrupted"] is True and document["summary"]["rows"] == len(document["rows"])
    assert [row["id"] for row in document["rows"]] == [id for id, *_ in _expected(example_report, copies)][
        : len(document["rows"])
    ]
    done = _deriv("grade", str(answers), "-o", str(report), "--resume", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["summary"]["interrupted"] is False and document["summary"]["rows"] == ROWS * copies
    assert [(r["id"], r["verdict"], r["mistake"], r["feedback"], r["expected"]) for r in document["rows"]] == _expected(
        example_report, copies
    )


def _many_answers(tmp_path: Path) -> Path:
    answers = tmp_path / "a.csv"
    answers.write_text("id,expr,wrt,answer\n" + "".join(f"s{i},x^{i},x,{i}x^{i - 1}\n" for i in range(2, 30)))
    return answers


def test_no_progress_bar_and_no_rich_off_a_terminal(tmp_path):
    code = "import sys; from derivsteps.cli import main; code = main(sys.argv[1:]); print('rich' in sys.modules); sys.exit(code)"
    answers = _many_answers(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", code, "grade", str(answers), "-o", str(tmp_path / "r.jsonl")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stderr == ""
    assert "28 answers: 28 correct." in done.stdout and done.stdout.rstrip().endswith("False")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_a_progress_bar_on_a_terminal(tmp_path):
    answers = _many_answers(tmp_path)
    main, terminal = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "derivsteps", "grade", str(answers), "-o", str(tmp_path / "r.csv")],
        stdout=subprocess.PIPE, stderr=terminal, env={**os.environ, "TERM": "xterm", "COLUMNS": "100"},
    )  # fmt: skip
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal's other end closed: the run is over
            break
        if not chunk:
            break
        shown += chunk
    process.wait(timeout=60)
    os.close(main)
    assert process.returncode == 0
    assert b"grading" in shown and b"28/28" in shown


def test_the_command_lists_the_report_formats_without_importing_the_writers():
    import subprocess
    import sys

    from derivsteps.checking import reports
    from derivsteps.commands.grade import FORMATS

    assert FORMATS == reports.FORMATS
    code = "import sys; from derivsteps.cli import build_parser; build_parser(); print('derivsteps.checking.grading' in sys.modules)"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        == "False"
    )
