"""The architecture (STYLE.md §1): packages import only the packages below them, SymPy stays in cas/, rich in the rich
writer, lark in the parsers; start-up stays light. The few exceptions are listed below, each with its reason."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "derivsteps"

# Bottom to top: each package may import itself and the packages before it, never one after it. The top-level
# modules (cli, __main__, __init__), commands/ and web/ (the server, which runs the commands) may import everything,
# and nothing imports them.
PACKAGES = ["core", "language", "data", "cas", "calculus", "checking", "render", "commands", "web", ""]

# (importing module, imported module): an import against the order above, with its reason. Each is inside a function.
EXCEPTIONS = {
    ("core.domain", "language.mathtext"): "a domain condition prints itself (x ≠ 1) in messages raised from the core",
    (
        "core.domain",
        "cas.equivalence",
    ): "whether a denominator vanishes everywhere is decided by the one equivalence service",
    ("core.tree", "language.mathtext"): "str() of an expression prints its math; the printer lives with the grammar",
    ("core.derivation", "render.layouts"): "a result shows itself (print, notebooks, rich) through its layout",
    ("language.parser", ""): "the grammar cache is keyed by the package's version",
    ("web.api", ""): "the OpenAPI document carries the package's version",
    ("commands.serve", "web.app"): "deriv serve starts the server (web/ runs the commands, so it sits above them)",
}

# Only these modules may import these libraries (at any level).
OWNERS = {
    "sympy": lambda module: module.startswith("cas."),
    "mpmath": lambda module: module in {"core.numeric"} or module.startswith("cas."),
    "lark": lambda module: module in {"language.parser", "language.latex_reader"},
    # The rich writer; the CLI's error console; render.live: the progress bars of the commands that stream.
    "rich": lambda module: module in {"render.writers.terminal", "cli", "render.live"},
    # The web extra: the server alone, so that the command line starts without it (deriv serve imports it when run).
    "starlette": lambda module: module.startswith("web."),
    "anyio": lambda module: module.startswith("web."),
    "uvicorn": lambda module: module == "commands.serve",
}


def _module_name(path: Path) -> str:
    name = ".".join(path.relative_to(SRC).with_suffix("").parts)
    return name.removesuffix(".__init__")


def _package(module: str) -> str:
    head = module.split(".")[0]
    return head if head in PACKAGES[:-1] else ""


def _imports(path: Path):
    """(module of ours or library, is a library?, at module level?) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".") if package else []
            base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
            target = ".".join([*base, node.module] if node.module else base)
            yield target, False, id(node) in top_level
        elif isinstance(node, ast.ImportFrom):
            yield node.module, True, id(node) in top_level
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, True, id(node) in top_level


MODULES = sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[_module_name(p) for p in MODULES])
def test_imports_point_downward(path):
    me = _module_name(path)
    mine = PACKAGES.index(_package(me))
    for target, external, top in _imports(path):
        if external:
            root = target.split(".")[0]
            if root == "derivsteps":
                pytest.fail(
                    f"{me} imports {target} by its absolute name: import relatively, so the layering is visible"
                )
            if root in OWNERS:
                assert OWNERS[root](me), f"{me} imports {root}, which only its owners may (tests/test_architecture.py)"
            continue
        theirs = PACKAGES.index(_package(target))
        if theirs > mine:
            assert (me, target) in EXCEPTIONS, (
                f"{me} imports {target}: {_package(target)}/ sits above {_package(me) or 'the top'}/"
            )
            assert not top, (
                f"{me} imports {target} at module level: a listed exception stays inside the function that needs it"
            )


def test_every_exception_is_still_needed():
    used = {
        (me, target)
        for path in MODULES
        for target, external, _ in _imports(path)
        if not external
        for me in [_module_name(path)]
    }
    assert set(EXCEPTIONS) <= used, f"listed but no longer imported: {sorted(set(EXCEPTIONS) - used)}"


def test_every_package_says_what_it_owns_and_may_import():
    for package in PACKAGES[:-1]:
        doc = ast.get_docstring(ast.parse((SRC / package / "__init__.py").read_text(encoding="utf-8"))) or ""
        assert doc, f"{package}/__init__.py has no docstring"
        if package not in ("render", "commands"):
            assert "May import" in doc, f"{package}/__init__.py does not say what it may import"


def test_importing_the_package_loads_neither_sympy_nor_rich():
    code = (
        "import sys, derivsteps, derivsteps.core.engine, derivsteps.render.text; "
        "print(sorted(m for m in ('sympy', 'rich', 'mpmath') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
