"""The architecture: imports point downward, SymPy and rich stay in their modules, start-up stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "derivsteps"

# Lower layers never import higher ones at module level (STYLE.md §1).
LAYERS = [
    {"tree", "errors", "limits", "deadline", "textfile", "functions", "conventions"},
    {"lexer", "equations", "derivation", "evaluate", "data", "sameform", "domain"},
    {"parser", "rules", "sympy_bridge"},
    {"simplify_rules", "cas", "latex", "equivalence"},
    {"engine"},
    {"multivar", "evaluation"},
    {"render._precedence", "render._printer", "render.mathtext", "render.mathlatex"},
    {"render._labels", "render._blocks", "render._abbrev", "verification"},
    {"linear"},
    {"datasums"},
    {"definiteness"},
    {"descent", "critical", "implicit", "mistakes", "checker"},
    {"written", "grading"},
    {"render.text", "render.latex", "render.markdown", "render.jsondoc", "render.terminal", "render"},
    {"render.written", "render.grading"},
    {"render.multivar", "render.descent", "render.critical", "render.implicit"},
    {"commands", "commands._multivar", "commands.diff", "commands.grad", "commands.hessian", "commands.eval", "commands.critical", "commands.implicit", "commands.descend", "commands.check", "commands.equiv", "commands.grade"},
    {"cli", "__main__", "__init__"},
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}

# Imports inside a function may point upward only where a display hook or a lazy convenience needs it.
LAZY_UPWARD = {
    ("derivation", "render.text"), ("derivation", "render.latex"), ("derivation", "render.markdown"),
    ("derivation", "render.terminal"), ("parser", "render.mathtext"), ("domain", "render.mathtext"), ("domain", "equivalence"), ("parser", "latex"), ("engine", "parser"), ("engine", "cas"),
    ("multivar", "render.multivar"), ("evaluation", "render.multivar"), ("descent", "render.descent"),
    ("critical", "render.critical"), ("__init__", "multivar"), ("__init__", "evaluation"), ("__init__", "critical"),
    ("__init__", "descent"),
    ("__init__", "parser"), ("__init__", "engine"), ("__init__", "verification"), ("__init__", "derivation"), ("__init__", "errors"),
}  # fmt: skip

# Only these modules may import these libraries (at any level).
OWNERS = {
    # The one equivalence service decides "equal"; verification, the checker and implicit build SymPy objects to ask it.
    "sympy": {"sympy_bridge", "cas", "equivalence", "verification", "checker"},
    # The rich views of the several-variable results sit beside their other renderers, importing rich inside functions.
    "rich": {"render.terminal", "render.multivar", "render.descent", "render.critical", "render.implicit", "cli", "commands.diff", "commands.descend", "commands.grade", "render.written", "render.grading"},
    "lark": {"parser", "latex"},  # the text grammar and the LaTeX grammar
}


def _module_name(path: Path) -> str:
    name = ".".join(path.relative_to(SRC).with_suffix("").parts)
    return name.removesuffix(".__init__")


def _imports(path: Path):
    """(imported module of ours or library, at module level?) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path).rpartition(".")[0]
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join([*base, node.module] if node.module else base)
                names = [target] if node.module else [".".join([*base, alias.name]) for alias in node.names]
                for name in names:
                    yield name.strip("."), False, id(node) in top_level
            else:
                yield node.module, True, id(node) in top_level
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, True, id(node) in top_level


MODULES = sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[_module_name(p) for p in MODULES])
def test_imports_point_downward(path):
    me = _module_name(path)
    assert me in RANK, f"{me} has no layer in tests/test_architecture.py: place it"
    for target, external, top in _imports(path):
        if external:
            root = target.split(".")[0]
            if root in OWNERS:
                assert me in OWNERS[root], f"{me} imports {root}; only {sorted(OWNERS[root])} may"
            continue
        if target not in RANK:
            target = target.rpartition(".")[0] or target  # "render.text.render_text" style
        if target not in RANK or target == me:
            continue
        upward = RANK[target] > RANK[me]
        if upward:
            assert not top and (me, target) in LAZY_UPWARD, f"{me} imports {target}, which is above it"


def test_importing_the_package_loads_neither_sympy_nor_rich():
    code = "import sys, derivsteps, derivsteps.engine, derivsteps.render.text; print(sorted(m for m in ('sympy', 'rich', 'mpmath') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
