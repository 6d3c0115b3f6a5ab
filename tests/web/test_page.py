"""The page of deriv serve (web/static/), checked without a browser: the HTML is well formed, loads nothing but its own
files, has no inline script or style (the Content-Security-Policy is 'self'), labels every input, has the ids the
browser tests drive, and its tabs follow the ARIA tabs pattern; the scripts insert no markup from text, call only
endpoints the API has with fields it takes, and write the class report's CSV and Markdown downloads exactly as
`deriv grade` does. The real-browser tests (headless Chromium) are the lead's, in their own file."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from derivsteps.checking.grading import GradedRow, Summary
from derivsteps.checking.reports import csv_header, csv_line
from derivsteps.render.grading import render_markdown
from derivsteps.render.grading import to_json as report_json
from derivsteps.web import api

STATIC = Path(api.__file__).resolve().parent / "static"
INDEX = (STATIC / "index.html").read_text(encoding="utf-8")
APP = (STATIC / "app.js").read_text(encoding="utf-8")
REPORT = (STATIC / "report.js").read_text(encoding="utf-8")
SCRIPTS = {"app.js": APP, "report.js": REPORT}
STYLE = (STATIC / "style.css").read_text(encoding="utf-8")

# The elements the browser tests drive, by id; each has a data-testid of the same name.
KEY_ELEMENTS = (
    "expr",  # the expression input
    "notation",
    "preview",  # how the expression is read, live
    "wrt",
    "detail",
    "diff-button",
    "hint-button",
    "diff-result",  # the derivation
    "at",
    "from",
    "lr",
    "iters",
    "data",
    "data-file",
    "multi-button",
    "multi-result",
    "answer",
    "check-button",
    "check-result",  # the verdict, the named mistake
    "derivation",
    "derivation-button",
    "derivation-result",
    "class-file",
    "class-text",
    "grade-button",
    "grade-report",
    "download-csv",
    "download-json",
    "download-md",
    "tab-diff",
    "tab-multi",
    "tab-check",
    "tab-grade",
    "api-link",
    "version",
)
LIVE_REGIONS = ("preview", "answer-preview", "diff-result", "multi-result", "check-result", "derivation-result",
                "grade-report")  # fmt: skip

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
URL_ATTRIBUTES = {"src", "href", "action", "formaction", "srcset", "poster", "data", "xlink:href"}
# A URL that leaves the origin: a scheme (https:, data:, javascript:) or a network path (//host).
ELSEWHERE = re.compile(r"^\s*([a-z][a-z0-9+.-]*:|//|\\\\)", re.IGNORECASE)


class Element:
    def __init__(self, tag: str, attrs: dict[str, str], line: int, parent: Element | None):
        self.tag, self.attrs, self.line, self.parent = tag, attrs, line, parent
        self.text = ""

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class Page(HTMLParser):
    """The page's elements in document order, with their parents, and whatever did not nest properly."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.stack: list[Element] = []
        self.problems: list[str] = []
        self.doctype = None
        self.feed(text)
        self.close()
        self.problems += [f"<{e.tag}> on line {e.line} is never closed" for e in self.stack]

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs) -> None:
        element = Element(
            tag, {name: value or "" for name, value in attrs}, self.getpos()[0], self.stack[-1] if self.stack else None
        )
        self.elements.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.problems.append(f"</{tag}> on line {self.getpos()[0]}: a void element has no end tag")
        elif not self.stack or self.stack[-1].tag != tag:
            open_tag = self.stack[-1].tag if self.stack else "nothing"
            self.problems.append(f"</{tag}> on line {self.getpos()[0]} closes <{open_tag}>")
            if any(element.tag == tag for element in self.stack):
                while self.stack and self.stack.pop().tag != tag:
                    pass
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            element.text += data

    def by_id(self, id_: str) -> Element:
        found = [element for element in self.elements if element.attrs.get("id") == id_]
        assert found, f"no element with id {id_!r}"
        return found[0]

    def all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        return [
            element
            for element in self.elements
            if (tag is None or element.tag == tag)
            and all(element.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]


PAGE = Page(INDEX)


# -- the HTML --------------------------------------------------------------------------------------------------------
def test_html_is_well_formed():
    assert PAGE.problems == []
    assert PAGE.doctype is not None and PAGE.doctype.lower() == "doctype html"
    html = PAGE.all("html")
    assert len(html) == 1 and html[0].attrs.get("lang") == "en"
    assert PAGE.all("meta", charset="utf-8")
    assert any(m.attrs.get("name") == "viewport" for m in PAGE.all("meta"))
    assert PAGE.all("title") and PAGE.all("title")[0].text.strip()
    assert len(PAGE.all("main")) == 1 and len(PAGE.all("h1")) == 1


def test_ids_are_unique():
    ids = [element.attrs["id"] for element in PAGE.elements if "id" in element.attrs]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_references_point_to_ids_that_exist():
    ids = {element.attrs["id"] for element in PAGE.elements if "id" in element.attrs}
    for element in PAGE.elements:
        for name in ("for", "aria-controls", "aria-labelledby", "aria-describedby"):
            for target in element.attrs.get(name, "").split():
                assert target in ids, f"<{element.tag}> on line {element.line}: {name}={target!r} names no element"


def test_nothing_is_loaded_from_elsewhere():
    for element in PAGE.elements:
        for name, value in element.attrs.items():
            if name in URL_ATTRIBUTES:
                assert not ELSEWHERE.match(value), f"<{element.tag} {name}={value!r}> on line {element.line}"
    assert not PAGE.all("base"), "a <base> would move every relative URL"
    # The page's own files exist; api/ is the server's.
    for element in PAGE.elements:
        for name in ("src", "href"):
            value = element.attrs.get(name, "")
            if value and not value.startswith(("#", "api/")):
                assert (STATIC / value.split("#")[0].split("?")[0]).is_file(), f"{value} is not in static/"


def test_no_inline_script_or_style():
    for script in PAGE.all("script"):
        assert script.attrs.get("src"), f"inline <script> on line {script.line}"
        assert not script.text.strip()
    assert not PAGE.all("style"), "a <style> element: the styles belong in style.css"
    for element in PAGE.elements:
        for name, value in element.attrs.items():
            assert name != "style", f"style= on <{element.tag}> on line {element.line}"
            assert not name.startswith("on"), f"{name}= on <{element.tag}> on line {element.line}"
            assert not value.strip().lower().startswith("javascript:")


def test_every_input_has_a_label():
    labelled = {label.attrs["for"] for label in PAGE.all("label") if "for" in label.attrs}
    for element in PAGE.elements:
        if element.tag not in ("input", "select", "textarea"):
            continue
        if element.attrs.get("type") in ("hidden", "submit", "button", "reset", "image"):
            continue
        named = (
            element.attrs.get("id") in labelled
            or any(parent.tag == "label" for parent in element.ancestors())
            or element.attrs.get("aria-label")
            or element.attrs.get("aria-labelledby")
        )
        assert named, f"<{element.tag} id={element.attrs.get('id')!r}> on line {element.line} has no label"
    for label in PAGE.all("label"):
        assert label.text.strip(), f"an empty <label> on line {label.line}"


def test_every_button_has_a_name_and_a_type():
    for button in PAGE.all("button"):
        assert button.text.strip() or button.attrs.get("aria-label"), f"a nameless button on line {button.line}"
        assert button.attrs.get("type") in ("button", "submit"), f"<button> on line {button.line} without a type"


@pytest.mark.parametrize("id_", KEY_ELEMENTS)
def test_key_elements_have_stable_ids(id_):
    assert PAGE.by_id(id_).attrs.get("data-testid") == id_


def test_tabs_follow_the_aria_pattern():
    (tablist,) = PAGE.all(role="tablist")
    assert tablist.attrs.get("aria-label") or tablist.attrs.get("aria-labelledby")
    tabs = PAGE.all(role="tab")
    assert [tab.attrs["id"] for tab in tabs] == ["tab-diff", "tab-multi", "tab-check", "tab-grade"]
    assert all(tablist in tab.ancestors() for tab in tabs)
    assert [tab.attrs.get("aria-selected") for tab in tabs] == ["true", "false", "false", "false"]
    assert [tab.attrs.get("tabindex") for tab in tabs] == [None, "-1", "-1", "-1"]  # a roving tabindex
    for tab in tabs:
        panel = PAGE.by_id(tab.attrs["aria-controls"])
        assert panel.attrs.get("role") == "tabpanel"
        assert panel.attrs.get("aria-labelledby") == tab.attrs["id"]
        assert ("hidden" in panel.attrs) == (tab.attrs["aria-selected"] == "false")
    for key in ("ArrowRight", "ArrowLeft", "Home", "End"):
        assert key in APP, f"the tabs do not answer {key}"


@pytest.mark.parametrize("id_", LIVE_REGIONS)
def test_results_and_previews_are_live_regions(id_):
    assert PAGE.by_id(id_).attrs.get("aria-live") == "polite"


def test_forms_submit_with_enter():
    """Each tab's controls are a form with a submit button, so Enter in a field runs it."""
    for form_id in ("form-diff", "form-multi", "form-check", "form-derivation", "form-grade"):
        form = PAGE.by_id(form_id)
        assert any(form in b.ancestors() for b in PAGE.all("button", type="submit")), f"{form_id} has no submit button"
        assert f'onSubmit("{form_id}"' in APP


def test_api_link_and_footer():
    assert PAGE.by_id("api-link").attrs["href"] == "api/v1/openapi.json"
    (footer,) = PAGE.all("footer")
    assert footer in PAGE.by_id("version").ancestors()


# -- the scripts -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", SCRIPTS)
@pytest.mark.parametrize(
    "forbidden",
    [r"\beval\s*\(", r"\bnew\s+Function\b", r"\bFunction\s*\(", r"\.innerHTML\b", r"\.outerHTML\b",
     r"insertAdjacentHTML", r"document\.write", r"createContextualFragment", r"set(Timeout|Interval)\s*\(\s*[\"'`]",
     r"\.setAttribute\(\s*[\"']on", r"\bimport\s*\("],
)  # fmt: skip
def test_scripts_insert_no_markup_from_text(name, forbidden):
    assert not re.search(forbidden, SCRIPTS[name]), f"{name} has {forbidden}"


def test_server_html_is_parsed_inert_in_one_place():
    """The server's fragment is the only HTML the page inserts: parsed by DOMParser in fragment(), stripped there."""
    assert APP.count("new DOMParser(") == 1
    assert APP.count("fragment(answer.html)") == 1
    assert '"script, style, link, meta, base, iframe, frame, object, embed, form"' in APP


@pytest.mark.parametrize("name", SCRIPTS)
def test_scripts_ask_nothing_of_other_origins(name):
    text = SCRIPTS[name].replace('"http://www.w3.org/2000/svg"', "SVG_NAMESPACE")  # a name, never fetched
    assert not re.search(r"[\"'`]\s*(https?:)?//", text), f"{name} names another origin"
    assert not re.search(r"\b(WebSocket|EventSource|importScripts|sendBeacon)\b", text)
    assert '"use strict";' in text


def test_scripts_find_elements_that_exist():
    ids = {element.attrs["id"] for element in PAGE.elements if "id" in element.attrs}
    used = set(re.findall(r"\$\(\"([\w-]+)\"\)", APP))
    assert used and used <= ids, f"app.js looks for ids the page lacks: {sorted(used - ids)}"
    # $(`form-${tab}`): every tab's form exists.
    for tab in PAGE.all(role="tab"):
        assert f"form-{tab.attrs['data-tab']}" in ids


def test_scripts_call_endpoints_the_api_has():
    called = set(re.findall(r"\bcall\(\s*\"(\w+)\"", APP))
    operations = {radio.attrs["value"] for radio in PAGE.all("input", name="op")}
    assert called and operations
    assert called | operations <= set(api.ENDPOINTS), sorted((called | operations) - set(api.ENDPOINTS))
    assert "call(op, body" in APP  # the multivariable operations go to the endpoint of their name


# The bodies the page sends (app.js builds them from its fields): each is a request the API takes.
PAGE_REQUESTS = [
    ("preview", {"expr": "x^2 sin(x", "vars": "rate,t", "functions": "f", "latex": True}),
    ("diff", {"expr": "(x+y+z)^2", "wrt": "y", "detail": "normal", "vars": "x,y,z"}),
    ("diff", {"expr": "x^2 sin(x)", "hint": True}),
    ("grad", {"expr": "3a^2 + b^2 - ab + a", "at": "a=1, b=2", "numeric": True, "data": "x,h\n0,30"}),
    ("hessian", {"expr": "3a^2 + b^2 - ab + a", "functions": "f"}),
    ("critical", {"expr": "3a^2 + b^2 - ab + a", "data": "x,h\n0,30"}),
    ("eval", {"expr": "3a^2 + b^2 - ab + a", "at": "a=1,b=2", "numeric": True}),
    ("descend", {"expr": "(a-1)^2 + b^2", "from": "a=0,b=0", "lr": "0.1", "iters": 3, "numeric": True}),
    ("check", {"expr": "sin(x^2)", "answer": "cos(x^2)", "wrt": "x"}),
    ("check", {"antiderivative_of": "cos(x)", "answer": "sin(x)", "latex": True}),
    ("derivation", {"derivation": "d/dx x^3\n= 3x^2", "vars": "x"}),
    ("grade", {"answers": "id,expr,wrt,answer\nada,x^3,x,3x^2\n"}),
]


@pytest.mark.parametrize(
    ("endpoint", "body"), PAGE_REQUESTS, ids=[f"{e}-{i}" for i, (e, _) in enumerate(PAGE_REQUESTS)]
)
def test_the_page_sends_requests_the_api_takes(endpoint, body):
    api.read_request(api.ENDPOINTS[endpoint], json.dumps(body).encode())
    for field in body:  # and the script does name each field it sends
        assert re.search(rf"\b{field}\b", APP), f"app.js never sends {field}"


# -- the stylesheet --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "needed",
    ["prefers-color-scheme: dark", "max-width: 700px", ":focus-visible", "prefers-reduced-motion", "color-scheme"],
)
def test_stylesheet_has(needed):
    assert needed in STYLE


# The classes the HTML writer promises (render/writers/htmldoc.py), each styled.
@pytest.mark.parametrize(
    "selector",
    ["div.derivsteps", ".derivsteps", "table.rows", "td.lead", "td.sign", "td.body", "td.rule", ".changed",
     ".rule-label", ".law", "p.verdict", ".verified", ".disagrees", ".undecided", "p.note", "table.table",
     "section.nested", "ol.steps", ".steps-title", ".under", "tr.gap", "tr.more", "mtable"],
)  # fmt: skip
def test_writer_classes_are_styled(selector):
    bare = selector.split(".", 1)[-1] if "." in selector else selector
    assert re.search(rf"(^|[\s,>+~(]){re.escape(selector)}\b|\.{re.escape(bare)}\b", STYLE), selector


def test_stylesheet_loads_nothing():
    assert "@import" not in STYLE
    assert not re.search(r"url\(", STYLE)


# -- the scripts run (node, when it is installed) --------------------------------------------------------------------
NODE = shutil.which("node") or shutil.which("nodejs")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


@needs_node
@pytest.mark.parametrize("name", SCRIPTS)
def test_scripts_parse(name):
    subprocess.run([NODE, "--check", str(STATIC / name)], check=True, capture_output=True, timeout=60)


def _rows() -> list[GradedRow]:
    """Rows with what a CSV or Markdown writer must take care of: commas, quotes, line breaks, a leading minus (a
    spreadsheet formula), a | and a backtick, notes, every verdict."""
    return [
        GradedRow("ada", "x^3", "x", "3x^2", "correct", "structural", None, "correct", "3x^2"),
        GradedRow("ben", "sin(x^2)", "x", "cos(x^2)", "incorrect", "probe", "chain_inner_forgotten",
                  'At step 1 the chain rule needs "2x", here; and more', "2x cos(x^2)"),
        GradedRow("cy", "cos(x)", "x", "-sin(x)", "correct", "symbolic", None, "correct", "-sin(x)",
                  ("right up to a constant factor", "second note")),
        GradedRow("dee", "x", "x", "|x|", "invalid", None, None, "invalid input:\nline two", None),
        GradedRow("eli", "x^2", "x", "2`x`", "inconclusive", "numeric", None, "could not decide * _here_ [x] <b>$",
                  "2x"),
        GradedRow("fay", "x^2", "x", "=1+1", "limit", None, None, "took too long", "2x", kind="antiderivative"),
        GradedRow("gil", "x^2", "x", "@2x", "error", None, None, "a bug", None),
    ]  # fmt: skip


def _run_report(report: dict) -> dict:
    script = (
        "const vm = require('vm'); const fs = require('fs');"
        f"vm.runInThisContext(fs.readFileSync({json.dumps(str(STATIC / 'report.js'))}, 'utf8'));"
        "const report = JSON.parse(fs.readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify({csv: DerivstepsReport.csv(report), "
        "markdown: DerivstepsReport.markdown(report)}));"
    )
    done = subprocess.run(
        [NODE, "-e", script], input=json.dumps(report), capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(done.stdout)


@needs_node
@pytest.mark.parametrize("seconds", [2.0, 0.0], ids=["graded", "nothing-graded"])
def test_report_downloads_are_what_deriv_grade_writes(seconds):
    rows = _rows()
    verdicts = {name: sum(row.verdict == name for row in rows) for name in
                ("correct", "incorrect", "inconclusive", "invalid", "limit", "error")}  # fmt: skip
    summary = Summary(len(rows), verdicts, [("chain_inner_forgotten", 1)], graded=len(rows), seconds=seconds)
    written = _run_report(report_json(rows, summary))
    assert written["csv"] == csv_header() + "".join(csv_line(row) for row in rows)
    assert written["markdown"] == render_markdown(rows, summary)


# -- the server serves it --------------------------------------------------------------------------------------------
def test_the_server_serves_the_page():
    pytest.importorskip("starlette", reason="the web extra is not installed")
    pytest.importorskip("httpx", reason="Starlette's TestClient needs httpx")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        from derivsteps.web.app import Settings, create_app

    client = TestClient(create_app(Settings(pool=1, warm=False)))  # no `with`: no lifespan, no workers
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'id="expr"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for name, kind in (("app.js", "javascript"), ("report.js", "javascript"), ("style.css", "text/css"),
                       ("favicon.svg", "image/svg+xml")):  # fmt: skip
        answer = client.get(f"/{name}")
        assert answer.status_code == 200 and kind in answer.headers["content-type"], name
