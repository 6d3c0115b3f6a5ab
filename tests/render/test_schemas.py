"""The JSON contract as files: every document the CLI prints validates against its schema in src/derivsteps/schemas/.

One schema per document kind (derivation, hint, gradient, ...), each a JSON Schema draft 2020-12 with "$id" under
SCHEMA_BASE; shapes shared by several kinds (a value, a step, a point, ...) are the $defs of common.schema.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import assert_one_line_descriptions

jsonschema = pytest.importorskip("jsonschema")
referencing = pytest.importorskip("referencing")

import derivsteps  # noqa: E402
from derivsteps import cli  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = Path(derivsteps.__file__).parent / "schemas"
SCHEMA_BASE = "https://derivsteps.invalid/schemas/1/"

# Every document kind, and the "command" its documents carry (None: a document without one).
KINDS = {
    "derivation": "diff",
    "hint": "hint",
    "gradient": "grad",
    "hessian": "hessian",
    "evaluation": "eval",
    "critical": "critical",
    "descent": "descend",
    "answer-check": "check",
    "antiderivative-check": "check",
    "equiv": "equiv",
    "written-derivation": "check-derivation",
    "implicit": "implicit",
    "grade-report": "grade",
    "grade-row": None,
    "course-report": "grade",
    "error": None,
}

DATA = ["--data", "a=0,2,4", "--data", "h=30,40,50"]
LOSS = "1/2 sum_i (s a_i + b - h_i)^2"

# (kind, argv without --format json, exit code): every command, in every way it prints JSON.
CASES = [
    ("derivation", ["x^2 sin x", "--wrt", "x"], 0),
    ("derivation", ["diff", "x^2 sin x", "--wrt", "x", "--steps", "--detail", "full"], 0),
    ("derivation", ["(x+y+z)^2", "--wrt", "y", "--detail", "brief"], 0),
    ("derivation", ["ln(x) + 1/(x - 1)", "--no-verify"], 0),
    ("derivation", ["x^2 y", "--wrt", "x,y", "--ascii"], 0),
    ("derivation", ["x^2 sin x", "--simplify", "full"], 0),
    ("hint", ["x^2 sin x", "--wrt", "x", "--hint"], 0),
    ("hint", ["d/dx x^x", "--hint"], 0),
    ("gradient", ["grad", "3a^2 + b^2 - ab + a"], 0),
    ("gradient", ["grad", "3a^2 + b^2 - ab + a", "--at", "a=1,b=2", "--steps"], 0),
    ("gradient", ["grad", "x y", "--vars", "x,y", "--at", "x=1,y=2", "--no-verify", "--ascii"], 0),
    ("gradient", ["grad", LOSS, "--at", "s=1,b=0", *DATA], 0),
    ("hessian", ["hessian", "3a^2 + b^2 - ab + a"], 0),
    ("hessian", ["hessian", "x^3 y", "--no-verify"], 0),
    ("evaluation", ["eval", "3a^2 + b^2 - ab + a", "--at", "a=1,b=2"], 0),
    ("evaluation", ["eval", "sqrt(x)", "--at", "x=2", "--numeric"], 0),
    ("evaluation", ["eval", "1/2 + 1/3"], 0),
    ("evaluation", ["eval", LOSS, "--at", "s=1,b=0", *DATA], 0),
    ("critical", ["critical", "3a^2 + b^2 - ab + a"], 0),
    ("critical", ["critical", "x^3 - 3x + y^2", "--steps"], 0),
    ("critical", ["critical", "(x - y)^2"], 0),
    ("critical", ["critical", "x^4 + y^4"], 0),
    ("critical", ["critical", "x^2 + k x", "--vars", "x", "--no-verify"], 0),
    ("critical", ["critical", LOSS], 0),
    ("critical", ["critical", LOSS, *DATA], 0),
    ("descent", ["descend", "3a^2 + b^2 - ab + a", "--from", "a=1,b=2", "--lr", "0.1"], 0),
    ("descent", ["descend", "x^2", "--from", "x=1", "--lr", "0.25", "--iters", "5", "--no-verify"], 0),
    ("descent", ["descend", "x^2 + y^2", "--from", "x=1,y=1", "--lr", "0.1", "--iters", "3", "--numeric"], 0),
    (
        "descent",
        ["descend", "x^2", "--from", "x=1", "--lr", "2", "--iters", "50"],
        2,
    ),  # diverged: exit 2, still a descent
    ("descent", ["descend", LOSS, "--from", "s=1,b=0", "--lr", "0.01", *DATA], 0),
    ("answer-check", ["check", "x^3", "--wrt", "x", "--answer", "3x^2"], 0),
    ("answer-check", ["check", "x^3", "--wrt", "x", "--answer", "3x^2 + 0x"], 0),
    ("answer-check", ["check", "sin(x^2)", "--wrt", "x", "--answer", "cos(x^2)"], 1),
    ("answer-check", ["check", "x^2", "--wrt", "x", "--answer", "2x +"], None),
    ("antiderivative-check", ["check", "--antiderivative-of", "1/x", "--wrt", "x", "--answer", "ln x"], 0),
    ("antiderivative-check", ["check", "--antiderivative-of", "x^2", "--wrt", "x", "--answer", "2x"], 1),
    ("equiv", ["equiv", "2x", "x + x"], 0),
    ("equiv", ["equiv", "2/4", "1/2", "--same-form"], 1),
    ("equiv", ["equiv", "(6x+1)(x-1)", "(-6x-1)(1-x)", "--same-form", "--move-signs"], 0),
    ("written-derivation", ["check", "--derivation", str(ROOT / "examples" / "derivation_q2.txt")], 0),
    ("written-derivation", ["check", "--derivation", str(ROOT / "examples" / "derivation_q2_wrong.txt")], 1),
    ("implicit", ["implicit", "x^2 + y^2 = 25"], 0),
    ("implicit", ["implicit", "x^3 + y^3 = 6xy", "--steps", "--no-verify"], 0),
    ("implicit", ["x^2 + y^2 = 25", "--wrt", "x", "--implicit"], 0),
    (
        "course-report",
        [
            "grade",
            str(ROOT / "examples" / "week2_answers.csv"),
            "--questions",
            str(ROOT / "examples" / "week2_questions.toml"),
        ],
        0,
    ),
    ("error", ["1/0"], 2),
    ("error", ["x^"], 2),
    ("error", ["grad", "x", "--bogus"], 2),
    ("error", ["gradient", "x^2"], 2),
    ("error", ["check", "x^2", "--wrt", "x"], 2),
    ("error", ["eval", "x", "--at", "y="], 2),
]

ANSWERS = """\
id,expr,wrt,answer,kind
ada,x^3,x,3x^2,derivative
cleo,sin(x^2),x,cos(x^2),derivative
gus,1/x,x,ln x,antiderivative
hal,2x,x,x + x,equiv
ivy,x^,x,2x,derivative
"""


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


SCHEMA_FILES = {path.name.removesuffix(".schema.json"): path for path in sorted(SCHEMAS.glob("*.schema.json"))}
REGISTRY = referencing.Registry().with_resources(
    (_load(path)["$id"], referencing.Resource.from_contents(_load(path))) for path in SCHEMA_FILES.values()
)


def validator(kind: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(_load(SCHEMA_FILES[kind]), registry=REGISTRY)


def assert_valid(kind: str, document: dict) -> None:
    errors = sorted(validator(kind).iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{kind}: {list(e.absolute_path)}: {e.message}" for e in errors[:10])


def run_json(capsys, argv: list[str]) -> tuple[int, dict]:
    code = cli.run([*argv, "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


# -- the schemas themselves ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_every_schema_is_a_valid_draft_2020_12_schema(name):
    schema = _load(SCHEMA_FILES[name])
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"{SCHEMA_BASE}{name}.schema.json"
    assert schema["title"] and schema["description"]


def test_every_document_kind_has_a_schema_and_every_schema_a_kind():
    assert set(SCHEMA_FILES) == {*KINDS, "common"}
    for kind, command in KINDS.items():
        properties = _load(SCHEMA_FILES[kind])["properties"]
        assert properties.get("command", {}).get("const") == command, kind
        if kind not in ("grade-row", "error"):  # the two documents without a "schema" key (see the README)
            assert properties["schema"] == {**properties["schema"], "const": 1}


def test_every_command_prints_json_that_a_case_covers():
    covered = {argv[0] for _, argv, _ in CASES if argv[0] in cli.COMMANDS} | {"diff", "grade"}
    # serve prints no document (its API answers with these); practice is a conversation at the terminal
    assert covered == set(cli.COMMANDS) - {"serve", "practice"}
    assert {kind for kind, _, _ in CASES} | {"grade-report", "grade-row"} == set(KINDS)


def test_every_property_has_a_one_line_description():
    for name, path in SCHEMA_FILES.items():
        assert_one_line_descriptions(_load(path), name)


def test_a_closed_document_rejects_an_unknown_key(capsys):
    code, document = run_json(capsys, ["x^2", "--wrt", "x"])
    assert code == 0
    assert not validator("derivation").is_valid({**document, "surprise": 1})
    assert not validator("derivation").is_valid({**document, "schema": 2})
    assert not validator("derivation").is_valid({key: value for key, value in document.items() if key != "domain"})


# -- every document the CLI prints ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "argv", "exit_code"), CASES, ids=[f"{kind}:{' '.join(argv)[:50]}" for kind, argv, _ in CASES]
)
def test_document_validates_against_its_schema(capsys, kind, argv, exit_code):
    code, document = run_json(capsys, argv)
    if exit_code is not None:
        assert code == exit_code, document
    assert document.get("command") == KINDS[kind]
    assert_valid(kind, document)


def test_grade_json_and_jsonl_on_stdout_validate(capsys, tmp_path):
    answers = tmp_path / "answers.csv"
    answers.write_text(ANSWERS, encoding="utf-8")
    code, report = run_json(capsys, ["grade", str(answers)])
    assert code == 0
    assert_valid("grade-report", report)
    assert {row["verdict"] for row in report["rows"]} >= {"correct", "incorrect", "invalid"}
    assert {row["kind"] for row in report["rows"]} == {"derivative", "antiderivative", "equiv"}

    assert cli.run(["grade", str(answers), "--format", "jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(rows) == len(ANSWERS.splitlines()) - 1
    for row in rows:
        assert_valid("grade-row", row)


def test_grade_report_files_validate(tmp_path):
    answers = tmp_path / "answers.csv"
    answers.write_text(ANSWERS, encoding="utf-8")
    for name in ("report.json", "report.jsonl"):
        done = subprocess.run(
            [sys.executable, "-m", "derivsteps", "grade", str(answers), "-o", str(tmp_path / name)],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    assert_valid("grade-report", _load(tmp_path / "report.json"))
    lines = (tmp_path / "report.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines
    for line in lines:
        assert_valid("grade-row", json.loads(line))
