"""Helpers shared by test files in several folders: KaTeX, the lecture's seed, markdown's math, random derivations."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings

from derivsteps.calculus.derivative import differentiate
from derivsteps.core import domain
from derivsteps.core.errors import DerivError, UndefinedError
from derivsteps.core.tree import Var

x = Var("x")

MATH_BLOCK = re.compile(r"^\$\$\n(.*?)\n\$\$$", re.DOTALL | re.MULTILINE)

SEED = "3a^2 + b^2 - ab + a"  # the lecture's Question 1


LATEX_DIR = Path(__file__).resolve().parent / "latex"

RENDER_SCRIPT = LATEX_DIR / "render.js"


def katex_failures(latex: list[str]) -> list[dict]:
    """Render every string with KaTeX in one node process; the ones it rejected, with its message."""
    missing = None
    if shutil.which("node") is None:
        missing = "node is not installed"
    elif not (LATEX_DIR / "node_modules" / "katex").is_dir():
        missing = "KaTeX is not installed: run npm ci --prefix tests/latex"
    if missing:
        # CI must never pass by skipping the only check that the LaTeX is valid.
        if os.environ.get("CI"):
            pytest.fail(f"{missing} (CI is set, so this is an error, not a skip)")
        pytest.skip(missing)
    result = subprocess.run(
        ["node", str(RENDER_SCRIPT)],
        input=json.dumps(latex),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=LATEX_DIR,
    )
    if result.returncode not in (0, 1):
        pytest.fail(f"the KaTeX script crashed (exit {result.returncode}): {result.stderr}")
    return json.loads(result.stdout)


def readable(tree) -> bool:
    """Whether tree may be read back from its text: an undefined one (x/0, ln(0)) is refused on reading, by design, so
    the round-trip properties of other files skip it."""
    try:
        domain.check_defined(tree)
    except UndefinedError:
        return False
    return True


def math_in_markdown(markdown: str) -> list[str]:
    blocks = re.findall(r"\$\$\n(.*?)\n\$\$", markdown, flags=re.S)
    rest = re.sub(r"\$\$\n.*?\n\$\$", "", markdown, flags=re.S)
    return blocks + re.findall(r"(?<!\\)\$(.+?)(?<!\\)\$", rest)


def random_derivations(strategy, count: int) -> list:
    derivations = []

    # Collect first, render once: one node process for the whole batch.
    @settings(max_examples=count, database=None)
    @given(strategy)
    def collect(tree):
        try:
            derivations.append(differentiate(tree, x))
        except DerivError:
            pass

    collect()
    return derivations


@contextlib.contextmanager
def serving(pool: int = 1):
    """`deriv serve` in a subprocess on 127.0.0.1 and a free port, until the block ends: its origin
    (http://127.0.0.1:PORT), once the first line says where it listens. Stopped with SIGTERM, as a shell would."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "derivsteps", "serve", "--port", str(port), "--pool", str(pool)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    origin = f"http://127.0.0.1:{port}"
    try:
        assert server.stdout.readline().startswith(f"deriv serve: {origin}/")
        yield origin
    finally:
        server.terminate()
        server.wait(30)
        server.stdout.close()


def assert_one_line_descriptions(schema, where: str) -> None:
    """Every property of a JSON Schema (at any depth) has a description of one line: what a reader of the contract
    sees beside each key."""
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            assert "\n" not in sub.get("description", "\n"), f"{where}.{name} has no one-line description"
        for key, sub in schema.items():
            assert_one_line_descriptions(sub, f"{where}/{key}")
    elif isinstance(schema, list):
        for index, sub in enumerate(schema):
            assert_one_line_descriptions(sub, f"{where}/{index}")
