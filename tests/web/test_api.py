"""deriv serve's HTTP API (web/): every endpoint answers with the CLI's own JSON document for the same input, valid in
its schema; bad input, limits and a full server answer 400, 413, 422 and 429; every response carries the security
headers; the OpenAPI document describes every route; and the real server runs under uvicorn and stops."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from helpers import serving

pytest.importorskip("starlette", reason="the web extra is not installed: pip install 'derivsteps[web]'")
pytest.importorskip("uvicorn", reason="the web extra is not installed: pip install 'derivsteps[web]'")
pytest.importorskip("httpx", reason="Starlette's TestClient needs httpx (the test extra)")
jsonschema = pytest.importorskip("jsonschema")
referencing = pytest.importorskip("referencing")

import warnings  # noqa: E402

with warnings.catch_warnings():  # Starlette now suggests httpx2 for its TestClient; httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

import derivsteps  # noqa: E402
from derivsteps import cli  # noqa: E402
from derivsteps.core import limits  # noqa: E402
from derivsteps.web import api  # noqa: E402
from derivsteps.web.app import SECURITY_HEADERS, Settings, create_app  # noqa: E402

# Starlette now suggests httpx2 for its TestClient; httpx still works, and is what the test extra installs.
pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = Path(derivsteps.__file__).parent / "schemas"


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


REGISTRY = referencing.Registry().with_resources(
    (_load(path)["$id"], referencing.Resource.from_contents(_load(path))) for path in SCHEMAS.glob("*.schema.json")
)


def assert_valid(kind: str, document: dict) -> None:
    validator = jsonschema.Draft202012Validator(_load(SCHEMAS / f"{kind}.schema.json"), registry=REGISTRY)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, f"{kind}: {errors[0].message} at {list(errors[0].path)}"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Settings(pool=2))) as client:
        yield client


def run_cli(capsys, argv: list[str]) -> dict:
    cli.main([*argv, "--format", "json"])
    return json.loads(capsys.readouterr().out)


DATA_COLUMNS = {"a": [0, 2, 4], "h": [30, 40, 50]}
DATA_FLAGS = ["--data", "a=0,2,4", "--data", "h=30,40,50"]
LOSS = "1/2 sum_i (s a_i + b - h_i)^2"

# (endpoint, request body, the same as a command line, the schema of the answer)
CASES = [
    ("diff", {"expr": "x^2 sin(x)", "wrt": "x"}, ["x^2 sin(x)", "--wrt", "x"], "derivation"),
    ("diff", {"expr": "(x+y+z)^2", "wrt": ["y"], "detail": "brief"}, ["(x+y+z)^2", "--wrt", "y", "--detail", "brief"],
     "derivation"),
    ("diff", {"expr": "ln(x) + 1/(x - 1)", "verify": False}, ["ln(x) + 1/(x - 1)", "--no-verify"], "derivation"),
    ("diff", {"expr": "x^2 sin x", "wrt": "x", "hint": True}, ["x^2 sin x", "--wrt", "x", "--hint"], "hint"),
    ("diff", {"expr": "\\frac{2x}{x^2+1}", "latex": True}, ["\\frac{2x}{x^2+1}", "--latex"], "derivation"),
    ("diff", {"expr": "x^2 + y^2 = 25", "wrt": "x", "implicit": True}, ["x^2 + y^2 = 25", "--wrt", "x", "--implicit"],
     "implicit"),
    ("diff", {"expr": "rate t^2", "wrt": "t", "vars": "rate,t"}, ["rate t^2", "--wrt", "t", "--vars", "rate,t"],
     "derivation"),
    ("grad", {"expr": "3a^2 + b^2 - ab + a", "at": {"a": 1, "b": 2}}, ["grad", "3a^2 + b^2 - ab + a", "--at", "a=1,b=2"],
     "gradient"),
    ("grad", {"expr": LOSS, "at": "s=1,b=0", "data": DATA_COLUMNS}, ["grad", LOSS, "--at", "s=1,b=0", *DATA_FLAGS],
     "gradient"),
    ("hessian", {"expr": "3a^2 + b^2 - ab + a"}, ["hessian", "3a^2 + b^2 - ab + a"], "hessian"),
    ("eval", {"expr": "sqrt(x)", "at": "x=2", "numeric": True}, ["eval", "sqrt(x)", "--at", "x=2", "--numeric"],
     "evaluation"),
    ("eval", {"expr": LOSS, "at": {"s": 1, "b": 0}, "data": "a,h\n0,30\n2,40\n4,50\n"},
     ["eval", LOSS, "--at", "s=1,b=0", *DATA_FLAGS], "evaluation"),
    ("critical", {"expr": "3a^2 + b^2 - ab + a"}, ["critical", "3a^2 + b^2 - ab + a"], "critical"),
    ("critical", {"expr": LOSS, "data": DATA_COLUMNS}, ["critical", LOSS, *DATA_FLAGS], "critical"),
    ("descend", {"expr": "3a^2 + b^2 - ab + a", "from": "a=1,b=2", "lr": 0.1},
     ["descend", "3a^2 + b^2 - ab + a", "--from", "a=1,b=2", "--lr", "0.1"], "descent"),
    ("descend", {"expr": "x^2", "from": {"x": 1}, "lr": "2", "iters": 50},
     ["descend", "x^2", "--from", "x=1", "--lr", "2", "--iters", "50"], "descent"),  # diverges: still a document
    ("check", {"expr": "sin(x^2)", "wrt": "x", "answer": "cos(x^2)"},
     ["check", "sin(x^2)", "--wrt", "x", "--answer", "cos(x^2)"], "answer-check"),
    ("check", {"antiderivative_of": "1/x", "wrt": "x", "answer": "ln|x| + C"},
     ["check", "--antiderivative-of", "1/x", "--wrt", "x", "--answer", "ln|x| + C"], "antiderivative-check"),
    ("equiv", {"a": "sin(2x)", "b": "2 sin(x) cos(x)"}, ["equiv", "sin(2x)", "2 sin(x) cos(x)"], "equiv"),
    ("equiv", {"a": "a*b + c", "b": "c + b*a", "same_form": True}, ["equiv", "a*b + c", "c + b*a", "--same-form"],
     "equiv"),
    ("derivation", {"derivation": (ROOT / "examples" / "derivation_q2_wrong.txt").read_text(encoding="utf-8")},
     ["check", "--derivation", str(ROOT / "examples" / "derivation_q2_wrong.txt")], "written-derivation"),
]  # fmt: skip


@pytest.mark.parametrize(("endpoint", "body", "argv", "kind"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_endpoint_answers_with_the_cli_document(client, capsys, endpoint, body, argv, kind):
    response = client.post(f"/api/v1/{endpoint}", json=body)
    assert response.status_code == 200, response.text
    document = response.json()
    assert_valid(kind, document)
    assert document == run_cli(capsys, argv)


def _without_timing(document: dict) -> dict:
    summary = {key: value for key, value in document["summary"].items() if key not in ("seconds", "answers_per_second")}
    return {**document, "summary": summary}


def _fragment(text: str):
    """An HTML fragment of ours, parsed as XML (the writer's output is well-formed), its <math> elements counted."""
    import xml.etree.ElementTree as ElementTree

    root = ElementTree.fromstring(text)
    return root, sum(1 for node in root.iter() if node.tag == "math")


@pytest.mark.parametrize("endpoint, body, argv, kind", [case for case in CASES if case[0] in api.HTML_ENDPOINTS])
def test_accept_html_answers_with_the_cli_fragment(client, capsys, endpoint, body, argv, kind):
    answer = client.post(f"{api.PREFIX}/{endpoint}", json=body, headers={"accept": "text/html"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    root, maths = _fragment(answer.text)
    assert root.get("class") == "derivsteps" and maths >= (endpoint != "equiv")  # a verdict on two expressions: words
    cli.main([*argv, "--format", "html"])  # the same document as the command line's --format html
    assert answer.text.rstrip("\n") == capsys.readouterr().out.rstrip("\n")


def test_with_accept_html_errors_the_preview_and_reports_stay_json(client):
    bad = client.post(f"{api.PREFIX}/diff", json={"expr": "x^^2"}, headers={"accept": "text/html"})
    assert bad.status_code == 400 and bad.json()["error"]["kind"] == "parse"
    preview = client.post(f"{api.PREFIX}/preview", json={"expr": "x^2"}, headers={"accept": "text/html"})
    assert preview.json()["read_as"] == "x^2"
    grade = client.post(
        f"{api.PREFIX}/grade", json={"answers": "id,expr,wrt,answer\na,x^2,x,2x\n"}, headers={"accept": "text/html"}
    )
    assert grade.json()["command"] == "grade"


def test_grade_answers_with_the_cli_report(client, capsys):
    path = ROOT / "examples" / "class_answers.csv"
    response = client.post("/api/v1/grade", json={"answers": path.read_text(encoding="utf-8")})
    assert response.status_code == 200, response.text
    document = response.json()
    assert_valid("grade-report", document)
    assert _without_timing(document) == _without_timing(run_cli(capsys, ["grade", str(path)]))
    rows = [{"id": "s1", "expr": "x^2", "wrt": "x", "answer": "2x"}]  # the rows as JSON objects work too
    assert client.post("/api/v1/grade", json={"answers": rows}).json()["rows"][0]["verdict"] == "correct"


def test_preview_says_how_the_input_was_read(client):
    read = client.post("/api/v1/preview", json={"expr": "2x sin x"}).json()
    assert read == {"schema": 1, "command": "preview", "input": "2x sin x", "read_as": "2x sin(x)",
                    "latex": "2x \\sin\\left(x\\right)", "notes": []}  # fmt: skip
    assert client.post("/api/v1/preview", json={"expr": "\\frac{1}{x}"}).json()["read_as"] == "1/x"
    wrong = client.post("/api/v1/preview", json={"expr": "2x +"})
    assert wrong.status_code == 400
    assert_valid("error", wrong.json())
    assert wrong.json()["error"]["kind"] == "parse"
    assert wrong.json()["error"]["position"] == {"offset": 4, "line": 1, "column": 5}


@pytest.mark.parametrize(
    ("endpoint", "body", "status", "kind", "says"),
    [
        ("diff", {"expr": "x^2 +"}, 400, "parse", "ends too early"),
        ("diff", {"expr": "x^2", "wrtt": "x"}, 400, "usage", "did you mean 'wrt'"),
        ("diff", {"wrt": "x"}, 400, "usage", "needs the field 'expr'"),
        ("diff", {"expr": 2}, 400, "usage", "expr must be a string"),
        ("diff", {"expr": "x^2", "detail": "most"}, 400, "usage", "detail must be one of brief, normal, full"),
        ("diff", [1, 2], 400, "usage", "must be a JSON object"),
        ("descend", {"expr": "x^2", "from": "x=1", "lr": "0.1", "iters": "5"}, 400, "usage", "whole number"),
        ("check", {"expr": "x^2", "wrt": "x"}, 400, "usage", "needs the field 'answer'"),
        ("grad", {"expr": "x^2", "data": "examples/lecture_data.csv"}, 400, "input", "header but no rows"),
        ("diff", {"expr": "x+" * 6000 + "x"}, 422, "limit", "limits.MAX_INPUT_LENGTH"),
        (
            "descend",
            {"expr": "x^2", "from": "x=1", "lr": "0.1", "iters": 10**9},
            422,
            "limit",
            "MAX_DESCENT_ITERATIONS",
        ),
    ],
)
def test_bad_input_gets_an_error_document_and_a_fitting_status(client, endpoint, body, status, kind, says):
    response = client.post(f"/api/v1/{endpoint}", json=body)
    assert response.status_code == status, response.text
    assert_valid("error", response.json())
    assert response.json()["error"]["kind"] == kind
    assert says in response.json()["error"]["message"]


def test_a_path_in_a_field_is_never_opened(client):
    # The data field takes columns or CSV text: a file name is read as CSV text (a header alone), not as a file.
    response = client.post(
        "/api/v1/eval", json={"expr": "x", "at": "x=1", "data": str(ROOT / "examples" / "lecture_data.csv")}
    )
    assert response.status_code == 400
    assert "header but no rows" in response.json()["error"]["message"]


def test_a_body_that_is_not_json_gets_its_position(client):
    response = client.post("/api/v1/diff", content=b'{"expr": }', headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["kind"] == "input"
    assert response.json()["error"]["position"]["offset"] == 9


def test_a_body_over_the_limit_gets_413(client, monkeypatch):
    monkeypatch.setattr(limits, "MAX_REQUEST_BYTES", 100)
    response = client.post("/api/v1/diff", json={"expr": "x" * 200})
    assert response.status_code == 413
    assert_valid("error", response.json())
    assert "limits.MAX_REQUEST_BYTES" in response.json()["error"]["message"]
    chunked = client.post(  # no Content-Length: counted while it is read
        "/api/v1/diff", content=iter([b'{"expr": "', b"x" * 200, b'"}']), headers={"content-type": "application/json"}
    )
    assert chunked.status_code == 413


def test_a_request_past_its_deadline_gets_422_and_the_next_one_an_answer(client, monkeypatch):
    monkeypatch.setattr(limits, "REQUEST_SECONDS", 0.001)
    response = client.post("/api/v1/hessian", json={"expr": "x^3 y^2 sin(x y)"})
    assert response.status_code == 422
    assert_valid("error", response.json())
    assert "limits.REQUEST_SECONDS" in response.json()["error"]["message"]
    monkeypatch.undo()
    assert client.post("/api/v1/diff", json={"expr": "x^2"}).status_code == 200  # the killed worker was replaced


def test_a_sympy_call_past_its_limit_answers_could_not_decide(client, monkeypatch):
    monkeypatch.setattr(limits, "CAS_SECONDS", 0.001)  # every job brings the limits along to its worker
    pair = {"a": "sin(x)^2 + cos(x)^2", "b": "1"}
    response = client.post("/api/v1/equiv", json=pair)
    assert response.status_code == 200, response.text
    assert response.json()["verdict"] == "inconclusive" and "limits.CAS_SECONDS" in response.json()["feedback"]
    # Where nothing can be said without SymPy (a non-linear system to solve), the limit's error, as on the command line.
    stopped = client.post("/api/v1/critical", json={"expr": "x^3 - 3x + y^2"})
    assert stopped.status_code == 422 and "limits.CAS_SECONDS" in stopped.json()["error"]["message"]
    monkeypatch.undo()  # the worker whose call was stopped left after its job; a fresh one decides again
    assert client.post("/api/v1/equiv", json=pair).json()["verdict"] == "correct"


def test_a_body_not_sent_as_json_gets_415(client):
    # A form on another site can post text/plain or a urlencoded form without asking first; never JSON.
    for content_type in ("text/plain", "application/x-www-form-urlencoded", ""):
        response = client.post("/api/v1/diff", content=b'{"expr": "x^2"}', headers={"content-type": content_type})
        assert response.status_code == 415, content_type
        assert_valid("error", response.json())
    charset = {"content-type": "application/json; charset=utf-8"}
    assert client.post("/api/v1/diff", content=b'{"expr": "x^2"}', headers=charset).status_code == 200


def test_a_server_on_loopback_answers_only_the_names_of_this_machine():
    with TestClient(create_app(Settings(pool=1, warm=False, hosts=("127.0.0.1", "localhost")))) as local:
        assert local.get("/", headers={"host": "localhost:8000"}).status_code == 200
        assert local.get("/", headers={"host": "rebound.example:8000"}).status_code == 400


def test_unknown_routes_and_methods_get_json_errors(client):
    assert client.get("/api/v1/diff").status_code == 405
    missing = client.post("/api/v1/differentiate", json={"expr": "x"})
    assert missing.status_code == 404
    assert_valid("error", missing.json())
    assert "/api/v1/NAME" in missing.json()["error"]["message"]


def test_every_response_carries_the_security_headers(client):
    responses = [
        client.post("/api/v1/diff", json={"expr": "x^2"}),
        client.post("/api/v1/diff", json={"expr": "x^"}),
        client.get("/"),
        client.get("/no-such-file.css"),
        client.get("/api/v1/openapi.json"),
    ]
    for response in responses:
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (response.request.url, name)
    assert "default-src 'self'" in SECURITY_HEADERS["content-security-policy"]
    assert responses[0].headers["cache-control"] == "no-store"


def test_the_page_is_served_at_the_root(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


def test_a_full_server_answers_429_with_retry_after():
    with TestClient(create_app(Settings(pool=1, max_in_flight=2, warm=False))) as small:
        service = small.app.app.state.service if hasattr(small.app, "app") else small.app.state.service
        service.in_flight = service.cap  # as if `cap` requests were being worked on
        try:
            busy = small.post("/api/v1/diff", json={"expr": "x^2"})
        finally:
            service.in_flight = 0
        assert busy.status_code == 429
        assert busy.headers["retry-after"] == "1"
        assert_valid("error", busy.json())
        # A real burst: 12 requests at once against a cap of 2 in flight; none waits without bound, none fails else.
        statuses: list[int] = []
        start = threading.Barrier(12)

        def send() -> None:
            start.wait()
            statuses.append(
                small.post("/api/v1/grad", json={"expr": LOSS, "at": "s=1,b=0", "data": DATA_COLUMNS}).status_code
            )

        threads = [threading.Thread(target=send) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(set(statuses)) == [200, 429], statuses
        assert service.in_flight == 0


# -- the OpenAPI document ----------------------------------------------------------------------------------------------
def test_the_openapi_document_lists_every_route_and_its_fields(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {endpoint.path for endpoint in api.ENDPOINTS.values()} | {"/api/v1/openapi.json"}
    jsonschema.Draft202012Validator.check_schema(document["components"]["schemas"]["preview"])
    for endpoint in api.ENDPOINTS.values():
        operation = document["paths"][endpoint.path]["post"]
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        jsonschema.Draft202012Validator.check_schema(schema)
        assert list(schema["properties"]) == [field.name for field in endpoint.fields]
        assert set(operation["responses"]) == {"200", "400", "413", "415", "422", "429", "503"}
        for field in api.resolved(endpoint):
            assert field.help, f"{endpoint.name}.{field.name} has no description"
    # The request schemas accept what the server accepts, and refuse what it refuses.
    for endpoint, body, _, _ in CASES:
        schema = document["paths"][f"/api/v1/{endpoint}"]["post"]["requestBody"]["content"]["application/json"][
            "schema"
        ]
        jsonschema.validate(body, schema)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**body, "no_such_field": 1}, schema)
    # Its defaults are the command line's.
    diff = document["paths"]["/api/v1/diff"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert diff["properties"]["detail"]["default"] == "normal" and diff["properties"]["verify"]["default"] is True


def test_the_openapi_document_validates_against_the_openapi_3_1_schema(client):
    validator = pytest.importorskip("openapi_spec_validator", reason="openapi-spec-validator is not installed")
    validator.validate(client.get("/api/v1/openapi.json").json())


def test_the_answers_validate_against_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json()
    for endpoint, body, _, _ in CASES[:4]:
        answer = document["paths"][f"/api/v1/{endpoint}"]["post"]["responses"]["200"]["content"]["application/json"]
        schema = {**answer["schema"], "components": document["components"]}  # so #/components/... resolves
        jsonschema.Draft202012Validator(schema).validate(client.post(f"/api/v1/{endpoint}", json=body).json())


# -- the command and the real server -----------------------------------------------------------------------------------
def test_the_command_line_never_imports_the_server():
    code = (
        "import sys; from derivsteps.cli import main; main(['x^2', '--no-verify', '--format', 'text']); "
        "print(sorted(m for m in ('starlette', 'uvicorn', 'anyio', 'derivsteps.web') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_serve_without_the_web_extra_says_how_to_install_it(monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "starlette" else real(name, *a))
    assert cli.main(["serve"]) == 2
    assert "pip install 'derivsteps[web]'" in capsys.readouterr().err


def test_the_real_server_serves_and_stops():
    with serving() as origin:
        request = urllib.request.Request(
            f"{origin}/api/v1/diff",
            data=json.dumps({"expr": "x^2 sin(x)", "wrt": "x"}).encode(),
            headers={"content-type": "application/json"},
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    document = json.loads(response.read())
                    headers = response.headers
                break
            except (ConnectionError, urllib.error.URLError):
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert document["result"]["text"] == "x^2 cos(x) + 2x sin(x)" and document["verified"] is True
        assert headers["x-content-type-options"] == "nosniff"
