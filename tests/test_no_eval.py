"""User text never reaches eval, exec, sympify or parse_expr, and importing the parser stays light (no sympy, no rich)."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

# Each of these turns a string into code or into a SymPy expression: the product has no use for any of them.
# sympy.S("x") is sympify under another name.
FORBIDDEN = {"eval", "exec", "sympify", "parse_expr", "parse_latex", "parse_mathematica", "__import__", "S"}

# Forbidden only when called bare: re.compile is fine, the builtin compile is not.
FORBIDDEN_BUILTINS = FORBIDDEN | {"compile"}


def forbidden_uses(source: str) -> list[str]:
    """Each forbidden call in source as "line: name": called directly, as an attribute, imported by name, or via getattr."""
    found = []
    for node in ast.walk(ast.parse(source)):
        match node:
            case ast.Call(func=ast.Name(id=name)) if name in FORBIDDEN_BUILTINS:
                found.append(f"{node.lineno}: {name}(...)")
            case ast.Call(func=ast.Attribute(attr=name)) if name in FORBIDDEN:
                found.append(f"{node.lineno}: .{name}(...)")
            case ast.Call(func=ast.Name(id="getattr"), args=[_, ast.Constant(value=str(name)), *_]) if (
                name in FORBIDDEN
            ):
                found.append(f"{node.lineno}: getattr(..., {name!r})")
            case ast.ImportFrom(module=str(module)) if module.startswith("sympy.parsing"):
                found.append(f"{node.lineno}: from {module} import ...")  # every reader of SymPy's evaluates text
            case ast.Import(names=aliases) if any(alias.name.startswith("sympy.parsing") for alias in aliases):
                found.append(f"{node.lineno}: import sympy.parsing")
            case ast.ImportFrom(names=aliases):
                found.extend(f"{node.lineno}: import {alias.name}" for alias in aliases if alias.name in FORBIDDEN)
    return found


SOURCES = sorted(SRC.rglob("*.py"))


def test_there_are_sources_to_scan():
    assert SRC / "derivsteps" / "cas" / "bridge.py" in SOURCES


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(SRC)))
def test_no_source_file_evaluates_strings(path):
    assert forbidden_uses(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "snippet",
    [
        "eval(text)",
        "exec(code)",
        "compile(code, '<user>', 'eval')",
        "sympy.sympify(text)",
        "sympy.S(text)",
        "from sympy.parsing.sympy_parser import parse_expr as read\nread(text)",
        "import builtins\nbuiltins.__import__('os')",
        "getattr(builtins, 'eval')(text)",
        "from sympy.parsing.latex import parse_latex",
        "import sympy.parsing.sympy_parser",
        "from sympy.parsing import sympy_parser",
    ],
)
def test_the_scan_catches_each_form(snippet):
    assert forbidden_uses(snippet)


def test_the_scan_allows_attribute_access_and_keywords():
    assert forbidden_uses("sympy.S.NegativeOne\nsympy.Pow(b, e, evaluate=False)\nre.compile('x+')") == []


def test_importing_the_parser_loads_neither_sympy_nor_rich():
    script = textwrap.dedent(
        """
        import sys
        import derivsteps
        import derivsteps.language.parser
        heavy = sorted(name for name in sys.modules if name.split(".")[0] in ("sympy", "rich") or name == "derivsteps.cas.bridge")
        print(",".join(heavy))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
