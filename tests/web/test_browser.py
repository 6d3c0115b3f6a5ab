"""The page in a real browser: headless Chromium (Debian's, driven by playwright) against `deriv serve` on loopback.

It types the lecture's Question 2 and sees the derivation typeset as MathML with the ✓, checks a wrong answer and sees
the named mistake, uploads the example class file and sees the report; a screenshot of each view is written for a
person to look at (to $DERIVSTEPS_SCREENSHOTS, default tests/web/screenshots/, not committed), and every request the
page makes goes to its own origin. CI installs Chromium (.ci/run); elsewhere the module is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.request
from pathlib import Path

import pytest
from helpers import serving

pytest.importorskip("starlette", reason="the web extra is not installed: pip install 'derivsteps[web]'")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the test extra)")

CHROMIUM = os.environ.get("DERIVSTEPS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("no Chromium on this machine: apt-get install chromium (.ci/run does)", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("DERIVSTEPS_SCREENSHOTS") or Path(__file__).parent / "screenshots")
# As the machine's own browser tests run it: no first-run work and no calls home, which a closed network refuses.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 60_000  # the first request forks and warms the workers


@pytest.fixture(scope="module")
def server():
    with serving() as origin:
        deadline = time.monotonic() + 60
        while True:  # ready when the page is served
            try:
                with urllib.request.urlopen(f"{origin}/", timeout=10):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        yield origin


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.requested = []  # every URL the page asks for, to check they are all its own
    page.on("request", lambda request: page.requested.append(request.url))
    page.goto(f"{server}/")
    yield page
    context.close()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _own_origin_only(page, origin: str) -> None:
    foreign = [url for url in page.requested if not url.startswith((f"{origin}/", "data:", "blob:"))]
    assert page.requested and not foreign, foreign


def test_question_2_is_derived_step_by_step_typeset_and_verified(page, server):
    page.fill("#expr", "(x+y+z)^2")
    page.wait_for_selector("#preview >> text=read as", timeout=WAIT_MS)
    page.fill("#wrt", "y")
    page.click("#diff-button")
    result = page.locator("#diff-result")
    result.locator("p.verdict.verified").wait_for(timeout=WAIT_MS)
    assert result.locator("math").count() >= 5  # the question, every line, the rules: MathML, typeset by the browser
    assert result.locator("tr.row").count() >= 3  # one row per line of the derivation
    assert "✓" in result.inner_text() and "verified" in result.inner_text()
    assert result.locator("mrow.changed").count() >= 1  # the rewritten part, highlighted
    label = result.locator("span.rule-label[tabindex='0']").first
    label.focus()  # the rule's law, shown on focus as on hover
    assert page.locator("span.law").first.is_visible()
    _shot(page, "differentiate")
    _own_origin_only(page, server)


def test_a_wrong_answer_gets_the_named_mistake(page, server):
    page.click("#tab-check")
    page.fill("#expr", "sin(x^2)")
    page.fill("#answer", "cos(x^2)")
    page.fill("#check-wrt", "x")
    page.click("#check-button")
    result = page.locator("#check-result")
    result.locator("p.verdict").wait_for(timeout=WAIT_MS)
    said = result.inner_text()
    assert "incorrect" in said and "inner derivative" in said, said  # the catalogue's chain_inner_forgotten
    _shot(page, "check")
    _own_origin_only(page, server)


def test_a_class_file_is_graded_in_the_page(page, server):
    page.click("#tab-grade")
    page.set_input_files("#class-file", str(ROOT / "examples" / "class_answers.csv"))
    page.wait_for_function("document.querySelector('#class-text').value.includes('ada')", timeout=WAIT_MS)
    page.click("#grade-button")
    report = page.locator("#grade-report")
    report.locator("table").first.wait_for(timeout=WAIT_MS)
    text = report.inner_text()
    assert "ada" in text and "correct" in text and "incorrect" in text
    assert page.locator("#download-csv").is_visible()
    _shot(page, "grade")
    _own_origin_only(page, server)


def test_the_page_works_with_the_keyboard_alone(page, server):
    page.focus("#expr")
    page.keyboard.type("x^2 sin x")
    page.keyboard.press("Enter")  # Enter in the expression runs the open tab: Differentiate
    page.locator("#diff-result p.verdict.verified").wait_for(timeout=WAIT_MS)
    page.focus("#tab-diff")
    page.keyboard.press("ArrowRight")  # the tabs follow the ARIA pattern
    assert page.locator("#tab-multi").get_attribute("aria-selected") == "true"
    _own_origin_only(page, server)


def test_the_api_and_the_page_agree_on_the_security_policy(server):
    with urllib.request.urlopen(f"{server}/") as response:
        policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    request = urllib.request.Request(
        f"{server}/api/v1/preview",
        data=json.dumps({"expr": "x^2"}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        assert json.loads(response.read())["read_as"] == "x^2"
