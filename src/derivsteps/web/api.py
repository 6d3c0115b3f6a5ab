"""The HTTP API as data: ENDPOINTS, one row per route of /api/v1/, each with the request fields it takes.

A field is named like the command's option (--wrt: "wrt", --antiderivative-of: "antiderivative_of", --from: "from"),
and where it is one, its description, default and choices are read from the command's own argparse parser, so the API
and the command line cannot drift apart. The one table drives both read_request (a request checked and turned into
the values the command's options would hold) and openapi (the OpenAPI 3.1 document served at /api/v1/openapi.json).

Nothing here touches the file system on behalf of a request: no field names a file (--data takes columns or CSV text,
grade the class file's text, a written derivation its text), and nothing from a request is ever evaluated.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from types import MappingProxyType

from ..core.errors import DerivError, InputError, LimitError, UsageError

PREFIX = "/api/v1"

# The CLI's JSON schemas (src/derivsteps/schemas/), which the responses follow; the OpenAPI document embeds them.
SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


# -- what a field holds ------------------------------------------------------------------------------------------------
def _text(name: str, value: object) -> object:
    if not isinstance(value, str):
        raise UsageError(f"{name} must be a string, not {_shown(value)}")
    return value


def _names(name: str, value: object) -> object:
    """ "a,b" or ["a", "b"]: the comma-separated text the option takes."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ",".join(value)
    if not isinstance(value, str):
        raise UsageError(f'{name} must be a string such as "a,b" or a list of strings, not {_shown(value)}')
    return value


def _number_text(name: str, value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    raise UsageError(f'{name} must be a number, or a string such as "1/10", not {_shown(value)}')


def _point(name: str, value: object) -> object:
    """ "a=1,b=2" or {"a": 1, "b": "1/2"}: the text --at and --from take."""
    if isinstance(value, dict):
        return ",".join(f"{key}={_number_text(f'{name}.{key}', item)}" for key, item in value.items())
    if not isinstance(value, str):
        raise UsageError(
            f'{name} must be a string such as "a=1,b=2" or an object such as {{"a": 1}}, not {_shown(value)}'
        )
    return value


def _integer(name: str, value: object) -> object:
    if not isinstance(value, int) or isinstance(value, bool):
        raise UsageError(f"{name} must be a whole number, not {_shown(value)}")
    return value


def _boolean(name: str, value: object) -> object:
    if not isinstance(value, bool):
        raise UsageError(f"{name} must be true or false, not {_shown(value)}")
    return value


def _data(name: str, value: object) -> object:
    """{"a": [0, 2, 4], "h": [30, 40, 50]} or CSV text with a header row; read into a Data in the worker (jobs.py)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and all(isinstance(column, list) for column in value.values()):
        return value
    raise UsageError(
        f'{name} must be an object of columns such as {{"a": [0, 2, 4]}}, or CSV text with a header row, not {_shown(value)}'
    )


def _answers(name: str, value: object) -> object:
    """The class file's text (CSV, JSON or JSON Lines), or its rows as a list of objects."""
    if isinstance(value, list) and all(isinstance(row, dict) for row in value):
        return json.dumps(value)
    if not isinstance(value, str):
        raise UsageError(f"{name} must be the text of a class file, or a list of objects, not {_shown(value)}")
    return value


def _shown(value: object) -> str:
    return json.dumps(value)[:40]


@dataclass(frozen=True, eq=False)  # compared by identity: its schema is a dict
class Kind:
    """What a field holds: its JSON Schema, and how a JSON value becomes what the option would hold (or a UsageError)."""

    schema: Mapping[str, object]
    read: Callable[[str, object], object]


_STRING = {"type": "string"}
_NUMBER = {"oneOf": [{"type": "number"}, {"type": "string"}]}
TEXT = Kind(_STRING, _text)
NAMES = Kind({"oneOf": [_STRING, {"type": "array", "items": _STRING}]}, _names)
POINT = Kind({"oneOf": [_STRING, {"type": "object", "additionalProperties": _NUMBER}]}, _point)
NUMBER = Kind(_NUMBER, _number_text)
INTEGER = Kind({"type": "integer"}, _integer)
BOOLEAN = Kind({"type": "boolean"}, _boolean)
CHOICE = Kind(_STRING, _text)  # the choices come from the field (enum), checked in read_request
DATA = Kind(
    {"oneOf": [_STRING, {"type": "object", "additionalProperties": {"type": "array", "items": _NUMBER}}]},
    _data,
)
ANSWERS = Kind({"oneOf": [_STRING, {"type": "array", "items": {"type": "object"}}]}, _answers)


# -- the table ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Field:
    """One request field: the command's option it stands for (dest), and what it holds. help, default and choices left
    None are read from the command's parser (resolved())."""

    name: str
    kind: Kind
    dest: str | None = None  # the option's argparse dest; None: the name
    required: bool = False
    help: str | None = None
    default: object = None
    choices: tuple[str, ...] | None = None

    @property
    def key(self) -> str:
        return self.dest or self.name


@dataclass(frozen=True)
class Endpoint:
    """One route, POST /api/v1/NAME: the command that answers it (None: a job of its own in jobs.py), its fields, and
    the schemas of its answers (schemas/NAME.schema.json, or an inline schema for preview)."""

    name: str
    summary: str
    fields: tuple[Field, ...]
    responses: tuple[str, ...]
    command: str | None = None

    @property
    def path(self) -> str:
        return f"{PREFIX}/{self.name}"


_READING = (
    Field("vars", NAMES),
    Field("functions", NAMES),
    Field("latex", BOOLEAN),
)
_DERIVATION = (Field("steps", BOOLEAN), Field("detail", CHOICE), Field("simplify", CHOICE), Field("verify", BOOLEAN))
_EXPR = Field("expr", TEXT, required=True)

ENDPOINTS: Mapping[str, Endpoint] = MappingProxyType({
    endpoint.name: endpoint
    for endpoint in (
        Endpoint("diff", "one derivative, step by step (deriv diff)", (
            _EXPR, Field("wrt", NAMES), Field("hint", BOOLEAN), Field("implicit", BOOLEAN), Field("dependent", TEXT),
            *_DERIVATION, *_READING,
        ), ("derivation", "hint", "implicit"), "diff"),
        Endpoint("grad", "the gradient, each partial derivative step by step (deriv grad)", (
            _EXPR, Field("at", POINT), Field("numeric", BOOLEAN), Field("data", DATA), *_DERIVATION, *_READING,
        ), ("gradient",), "grad"),
        Endpoint("hessian", "the matrix of second partial derivatives (deriv hessian)", (
            _EXPR, *_DERIVATION, *_READING,
        ), ("hessian",), "hessian"),
        Endpoint("eval", "the value at a point, worked out exactly (deriv eval)", (
            _EXPR, Field("at", POINT), Field("numeric", BOOLEAN), Field("data", DATA), Field("detail", CHOICE),
            Field("verify", BOOLEAN), *_READING,
        ), ("evaluation",), "eval"),
        Endpoint("critical", "critical points, solved with steps and classified (deriv critical)", (
            _EXPR, Field("data", DATA), *_DERIVATION, *_READING,
        ), ("critical",), "critical"),
        Endpoint("descend", "gradient descent, every iteration worked out (deriv descend)", (
            _EXPR, Field("from", POINT, dest="start", required=True), Field("lr", NUMBER, required=True),
            Field("iters", INTEGER), Field("numeric", BOOLEAN), Field("data", DATA), Field("verify", BOOLEAN),
            *_READING,
        ), ("descent",), "descend"),
        Endpoint("check", "is a student's derivative (or antiderivative) right? (deriv check)", (
            Field("expr", TEXT), Field("wrt", NAMES), Field("answer", TEXT, required=True),
            Field("antiderivative_of", TEXT), *_READING,
        ), ("answer-check", "antiderivative-check"), "check"),
        Endpoint("equiv", "are two expressions equal as functions? (deriv equiv)", (
            Field("a", TEXT, required=True), Field("b", TEXT, required=True), Field("same_form", BOOLEAN),
            Field("move_signs", BOOLEAN), *_READING,
        ), ("equiv",), "equiv"),
        Endpoint("derivation", "a written derivation, checked line by line (deriv check --derivation)", (
            Field("derivation", TEXT, required=True, help="the written derivation, one expression per line; the "
                  "first line is the problem with its pending derivative (d/dx x^3)"),
            Field("vars", NAMES, help="names to read as variables, e.g. \"rate,t\"", default=""),
            Field("functions", NAMES, help="names of unknown functions, e.g. \"f,g\"", default=""),
            Field("latex", BOOLEAN, help="read the lines as LaTeX", default=False),
        ), ("written-derivation",)),
        Endpoint("grade", "a whole class's answers graded, with a summary (deriv grade --format json)", (
            Field("answers", ANSWERS, required=True, help="the class file: CSV with the columns id,expr,wrt,answer "
                  "(optional: kind, vars, functions), a JSON array of such objects, or JSON Lines"),
        ), ("grade-report",)),
        Endpoint("preview", "how an expression is read, for a live preview as it is typed", (
            Field("expr", TEXT, required=True, help="the expression as typed so far"),
            Field("vars", NAMES, help="names to read as variables, e.g. \"rate,t\"", default=""),
            Field("functions", NAMES, help="names of unknown functions, e.g. \"f,g\"", default=""),
            Field("latex", BOOLEAN, help="read the input as LaTeX (without it, a backslash or ^{…} is enough to tell)",
                  default=False),
        ), ("preview",)),
    )
})  # fmt: skip

# The answer of /api/v1/preview, which has no command and so no schema file.
PREVIEW_SCHEMA = {
    "type": "object",
    "properties": {
        "schema": {"const": 1, "description": "The version of the document."},
        "command": {"const": "preview", "description": "Which endpoint answered."},
        "input": {"type": "string", "description": "The text as typed."},
        "read_as": {"type": "string", "description": "How it was read, in the text notation."},
        "latex": {"type": "string", "description": "How it was read, in LaTeX."},
        "notes": {"type": "array", "items": {"type": "string"}, "description": "How any ambiguous part was read."},
    },
    "required": ["schema", "command", "input", "read_as", "latex", "notes"],
    "additionalProperties": False,
}

# The HTTP status of each kind of failure (app.py answers the ones no job raises).
STATUS_BAD_INPUT = 400
STATUS_TOO_LARGE = 413
STATUS_UNSUPPORTED = 415
STATUS_LIMIT = 422
STATUS_BUSY = 429
STATUS_UNAVAILABLE = 503


def status_of(error: DerivError) -> int:
    """422 for a named limit that was hit (the message names it), 400 for anything else wrong with the input."""
    return STATUS_LIMIT if isinstance(error, LimitError) else STATUS_BAD_INPUT


# -- the command's parser, the source of descriptions and defaults -----------------------------------------------------
@cache
def _actions(command: str) -> Mapping[str, argparse.Action]:
    """The options of `deriv COMMAND`, by dest, from its own parser."""
    parser = argparse.ArgumentParser(add_help=False)
    importlib.import_module(f"..commands.{command}", __package__).COMMAND.arguments(parser)
    return {action.dest: action for action in parser._actions}  # argparse has no public list of its actions


@cache
def defaults(command: str) -> Mapping[str, object]:
    """What the command's options hold when not given: the start of every request's values."""
    return MappingProxyType({dest: action.default for dest, action in _actions(command).items()})


@cache
def resolved(endpoint: Endpoint) -> tuple[Field, ...]:
    """The endpoint's fields with help, default and choices filled in from its command's parser."""
    if endpoint.command is None:
        return endpoint.fields
    actions = _actions(endpoint.command)
    fields = []
    for field in endpoint.fields:
        action = actions[field.key]
        fields.append(
            replace(
                field,
                help=field.help or (action.help or "").replace("%%", "%"),
                default=field.default if field.default is not None else action.default,
                choices=field.choices or (tuple(action.choices) if action.choices else None),
            )
        )
    return tuple(fields)


# -- reading a request -------------------------------------------------------------------------------------------------
def read_request(endpoint: Endpoint, body: bytes) -> dict[str, object]:
    """The request body, checked against the endpoint's fields: the values its options would hold, by dest.

    Raises InputError for a body that is not a JSON object (with the position), UsageError for a field that is
    unknown, missing or of the wrong type (naming it, and the likely one for a typo).
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"the request body is not UTF-8 (byte {err.start})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"the request body is not valid JSON: {err.msg}", text, err.pos) from None
    if not isinstance(document, dict):
        raise UsageError(f"the request body must be a JSON object of fields, such as {_example(endpoint)}")
    fields = {field.name: field for field in resolved(endpoint)}
    for name in document:
        if name not in fields:
            close = difflib.get_close_matches(name, list(fields), n=1, cutoff=0.6)
            guess = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(f"{endpoint.path} has no field {name!r}{guess}; its fields: {', '.join(fields)}")
    values: dict[str, object] = {}
    for name, field in fields.items():
        if name not in document or document[name] is None:
            if field.required:
                raise UsageError(f"{endpoint.path} needs the field {name!r}: {field.help}")
            continue
        value = field.kind.read(name, document[name])
        if field.choices is not None and value not in field.choices:
            raise UsageError(f"{name} must be one of {', '.join(field.choices)}, not {_shown(value)}")
        values[field.key] = value
    return values


def _example(endpoint: Endpoint) -> str:
    required = [field.name for field in endpoint.fields if field.required] or [endpoint.fields[0].name]
    return "{" + ", ".join(f'"{name}": "…"' for name in required) + "}"


def too_large(size: int, limit: int) -> LimitError:
    """The error of a request body over limits.MAX_REQUEST_BYTES."""
    return LimitError(
        f"the request body has more than {limit:,} bytes (limits.MAX_REQUEST_BYTES); send a smaller one, or raise the "
        "limit from Python with derivsteps.core.limits.override(MAX_REQUEST_BYTES=...)"
        + (f" ({size:,} bytes were announced)" if size > limit else "")
    )


# -- the OpenAPI document ----------------------------------------------------------------------------------------------
def _schema_file(name: str) -> object:
    return _local(json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8")), name)


def _local(schema: object, name: str) -> object:
    """A schema file as a component of the OpenAPI document: its references between files (common.schema.json#/...)
    made references within the document (#/components/schemas/common/...), which every OpenAPI tool follows."""
    if isinstance(schema, list):
        return [_local(item, name) for item in schema]
    if not isinstance(schema, dict):
        return schema
    local = {}
    for key, value in schema.items():
        if key in ("$id", "$schema"):
            continue
        if key == "$ref" and isinstance(value, str):
            target, _, pointer = value.partition("#")
            value = f"#/components/schemas/{target.removesuffix('.schema.json') or name}{pointer}"
        local[key] = _local(value, name)
    return local


def _field_schema(field: Field) -> dict:
    schema = dict(field.kind.schema)
    if field.choices is not None:
        schema["enum"] = list(field.choices)
    if field.help:
        schema["description"] = field.help
    if field.default is not None:
        schema["default"] = field.default
    return schema


def _error_response(description: str, retry: bool = False) -> dict:
    response: dict = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/error"}}},
    }
    if retry:
        response["headers"] = {"Retry-After": {"$ref": "#/components/headers/Retry-After"}}
    return response


ERROR_RESPONSES = {
    str(STATUS_BAD_INPUT): ("bad input: the message says what is wrong and the position where", False),
    str(STATUS_TOO_LARGE): ("the request body is larger than limits.MAX_REQUEST_BYTES", False),
    str(STATUS_UNSUPPORTED): ("the request body was not sent as Content-Type: application/json", False),
    str(STATUS_LIMIT): ("a named limit was hit (limits.NAME in the message)", False),
    str(STATUS_BUSY): ("the server has as many requests in flight as it takes: retry after Retry-After seconds", True),
    str(STATUS_UNAVAILABLE): ("the SymPy workers cannot be started now: retry after Retry-After seconds", True),
}


# The endpoints that answer a request with the header Accept: text/html by the result as an HTML fragment (what the
# page shows); the preview and a class's report are data the page lays out itself, and errors are JSON always.
HTML_ENDPOINTS = frozenset({"diff", "grad", "hessian", "eval", "critical", "descend", "check", "equiv", "derivation"})
HTML_ANSWER = (
    "with the request header Accept: text/html: the result as an HTML fragment, its math in MathML "
    "(`deriv ... --format html`)"
)


@cache
def openapi() -> Mapping[str, object]:
    """The OpenAPI 3.1 document of every route, written from ENDPOINTS; the responses' schemas are the CLI's own."""
    from .. import __version__

    names = sorted({name for endpoint in ENDPOINTS.values() for name in endpoint.responses} - {"preview"})
    schemas: dict[str, object] = {name: _schema_file(name) for name in [*names, "grade-row", "common", "error"]}
    schemas["preview"] = PREVIEW_SCHEMA
    paths: dict[str, object] = {}
    for endpoint in ENDPOINTS.values():
        fields = resolved(endpoint)
        request = {
            "type": "object",
            "properties": {field.name: _field_schema(field) for field in fields},
            "required": [field.name for field in fields if field.required],
            "additionalProperties": False,
        }
        answers = [{"$ref": f"#/components/schemas/{name}"} for name in endpoint.responses]
        paths[endpoint.path] = {
            "post": {
                "operationId": endpoint.name,
                "summary": endpoint.summary,
                "requestBody": {"required": True, "content": {"application/json": {"schema": request}}},
                "responses": {
                    "200": {
                        "description": "the command's JSON document, as `deriv ... --format json` prints it",
                        "content": {
                            "application/json": {"schema": answers[0] if len(answers) == 1 else {"oneOf": answers}},
                            **(
                                {"text/html": {"schema": {"type": "string", "description": HTML_ANSWER}}}
                                if endpoint.name in HTML_ENDPOINTS
                                else {}
                            ),
                        },
                    },
                    **{status: {"$ref": f"#/components/responses/{status}"} for status in ERROR_RESPONSES},
                },
            }
        }
    paths[f"{PREFIX}/openapi.json"] = {
        "get": {
            "operationId": "openapi",
            "summary": "this document",
            "responses": {"200": {"description": "the OpenAPI 3.1 document", "content": {"application/json": {}}}},
        }
    }
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "derivsteps",
            "version": __version__,
            "summary": "Symbolic differentiation that shows its work: every rule named, every step verified.",
            "description": "One endpoint per command of `deriv`: request fields are named like the command's options, "
            "and each answer is the command's JSON document (`--format json`), in the same schema. Errors are "
            '{"error": {"kind", "message", "position"}}.',
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {status: _error_response(*described) for status, described in ERROR_RESPONSES.items()},
            "headers": {
                "Retry-After": {
                    "description": "seconds to wait before sending the request again",
                    "schema": {"type": "integer", "minimum": 1},
                }
            },
        },
    }
