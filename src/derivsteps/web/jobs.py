"""A request's whole work, as one job in a worker process of the server's pool (app.py): answer().

An endpoint with a command runs that command exactly as the command line does with --format json: its run function,
given the options the request's fields stand for (api.read_request) over the command's own defaults, prints its JSON
document, which is the answer. So the API's documents are the CLI's by construction, verification included. The
endpoints without a command (a written derivation, a class file, the preview) make the same library calls as the CLI
with text from the request instead of a file.

In a worker of a calls_here pool every SymPy call (verification, equivalence, ...) is held to limits.CAS_SECONDS by a
timer signal and answers "could not verify" past it; the whole job is held to limits.REQUEST_SECONDS by app.py.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib
import io
import json
import time
from collections.abc import Callable, Mapping

from ..commands import names
from ..core.errors import DerivError, InputError
from ..render.jsondoc import error_json
from .api import defaults, status_of


def answer(endpoint: str, values: Mapping[str, object], html: bool = False) -> tuple[int, dict | str]:
    """The HTTP status and JSON document of one request to /api/v1/ENDPOINT, its fields read into `values` (by dest);
    html: the result as an HTML fragment with MathML instead (--format html), for an endpoint of HTML_ENDPOINTS.

    A DerivError (bad input, a limit) is answered with its error document; anything else is a bug and propagates.
    """
    try:
        with _reading(values):
            handler = _HANDLERS.get(endpoint, lambda values, html: _command(endpoint, values, html))
            document = handler(values, html)
    except DerivError as err:
        return status_of(err), error_json(err)
    return 200, document


def _reading(values: Mapping[str, object]):
    """latex: every expression of the request is read as LaTeX, as the CLI's --latex does."""
    if not values.get("latex"):
        return contextlib.nullcontext()
    from ..language.parser import reading_latex

    return reading_latex()


def _command(name: str, values: Mapping[str, object], html: bool = False) -> dict | str:
    """`deriv NAME ... --format json` (or html), its options from the request: the document it prints."""
    format = "html" if html else "json"
    given = dict(values)
    if given.get("data") is not None:
        given["data"] = read_data(given["data"])
    args = argparse.Namespace(**{**defaults(name), **given, "command": name, "format": format, "ascii": False})
    command = importlib.import_module(f"..commands.{name}", __package__).COMMAND
    printed = io.StringIO()
    # A worker runs one job at a time, so its stdout is this job's. Its stderr too: a note meant for a terminal user (or
    # a progress bar, were the server's stderr a terminal) is no part of the answer.
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
        command.run(args)  # the exit code (a verdict, a stopped descent) is in the document too
    return json.loads(printed.getvalue()) if format == "json" else printed.getvalue()


def read_data(value: object):
    """The Data of a request's data field: columns ({"a": [0, 2, 4]}) or CSV text whose header row names them."""
    from ..data.datasets import Data

    columns = value if isinstance(value, Mapping) else _csv_columns(str(value))
    return Data.from_mapping(columns)


def _csv_columns(text: str) -> dict[str, list[str]]:
    """The columns of CSV text, by the names of its header row; Data checks the names and the values."""
    rows = [
        (number, row)
        for number, row in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")), start=1)
        if any(cell.strip() for cell in row)  # a blank line, or a trailing empty one, is not a data point
    ]
    if not rows:
        raise InputError(
            "the data is empty: its first row must name the columns (such as a,h), the others hold the data"
        )
    header = [cell.strip() for cell in rows[0][1]]
    if len(rows) == 1:
        raise InputError("the data has a header but no rows")
    for number, row in rows[1:]:
        if len(row) != len(header):
            raise InputError(
                f"data, line {number}: the row has {len(row)} values, but the header names {len(header)} columns"
            )
    return {name: [row[position] for _, row in rows[1:]] for position, name in enumerate(header)}


def _derivation(values: Mapping[str, object], html: bool = False) -> dict | str:
    """`deriv check --derivation FILE --format json` (or html), the text from the request."""
    from ..checking.written import check_derivation
    from ..render.api import to_html
    from ..render.written import to_json

    reading = {"variables": names(str(values.get("vars", ""))), "functions": names(str(values.get("functions", "")))}
    checked = check_derivation(str(values["derivation"]), **reading)
    return to_html(checked) if html else to_json(checked, ascii=False)


def _grade(values: Mapping[str, object], html: bool = False) -> dict:
    """`deriv grade FILE --format json`, the class file's text from the request; its rows graded here, one by one."""
    from ..checking.grading import grade_rows, parse_answers, summarize
    from ..render.grading import to_json

    rows = parse_answers(str(values["answers"]))
    start = time.monotonic()
    graded = list(grade_rows(rows, jobs=1, row_seconds=0))  # in this worker: the request has its own deadline
    return to_json(graded, summarize(graded, seconds=time.monotonic() - start))


def _preview(values: Mapping[str, object], html: bool = False) -> dict:
    """How the text is read: the expression in text and LaTeX, and the notes on any ambiguous part."""
    from ..language.mathlatex import to_latex
    from ..language.mathtext import to_text
    from ..language.parser import parse

    text = str(values["expr"])
    parsed = parse(
        text,
        names(str(values.get("vars", ""))),
        names(str(values.get("functions", ""))),
        latex=True if values.get("latex") else None,
    )
    return {
        "schema": 1,
        "command": "preview",
        "input": text,
        "read_as": to_text(parsed.expr),
        "latex": to_latex(parsed.expr),
        "notes": list(parsed.warnings),
    }


# The endpoints that are no command of their own; each takes the request's values and whether HTML was asked for
# (api.HTML_ENDPOINTS: a class's report and the preview are JSON always).
_HANDLERS: Mapping[str, Callable[[Mapping[str, object], bool], dict | str]] = {
    "derivation": _derivation,
    "grade": _grade,
    "preview": _preview,
}

# What the server runs once in its own process before it forks the workers, so that each starts warm: SymPy imported,
# its first-use set-up done, the grammar and the rule tables loaded. Our own constant input only.
WARM_UP = (
    ("diff", {"expr": "x^2 sin(x)", "wrt": "x"}),
    ("diff", {"expr": "\\frac{1}{x}", "latex": True}),
    ("grad", {"expr": "3a^2 + b^2 - ab + a", "at": "a=1,b=2"}),
    ("check", {"expr": "sin(x^2)", "wrt": "x", "answer": "cos(x^2)"}),
    ("equiv", {"a": "sin(2x)", "b": "2 sin(x) cos(x)"}),
    ("preview", {"expr": "x^2 sin x"}),
)


def warm_up() -> None:
    """Run WARM_UP in this process (the server's, before it forks its workers)."""
    for endpoint, values in WARM_UP:
        answer(endpoint, values)
