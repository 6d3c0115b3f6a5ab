"""The public API: what `import derivsteps` offers a library user, loaded lazily, each name documented."""

from __future__ import annotations

import ast
import inspect
import json
import pydoc
import subprocess
import sys
from pathlib import Path

import pytest

import derivsteps
from derivsteps.render.multivar import render_latex

PACKAGE = Path(derivsteps.__file__).parent
# help() of a function must fit a screen: this many lines of this many columns.
SCREEN_LINES = 40
SCREEN_COLUMNS = 120

NAMES = [name for name in derivsteps.__all__ if name != "__version__"]
VALUES = [name for name in NAMES if name.isupper()]  # constants: a value has no docstring of its own


@pytest.mark.parametrize("name", NAMES)
def test_every_public_name_resolves(name):
    assert getattr(derivsteps, name) is not None


def test_dir_lists_the_public_names():
    assert set(derivsteps.__all__) <= set(dir(derivsteps))


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'differentiat'"):
        derivsteps.differentiat  # noqa: B018


def test_the_names_a_type_checker_sees_are_the_public_ones():
    """The `if TYPE_CHECKING:` block of __init__.py names exactly _EXPORTS, each from its module, and re-exports each
    explicitly (`import x as x`, or an assignment), as a strict type checker wants."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    (block,) = [node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"]
    imported, seen = {}, {}
    for node in block.body:
        if isinstance(node, ast.Assign):  # grade = grade_rows: published under another name
            (target,) = node.targets
            seen[target.id] = f"{imported[node.value.id]}:{node.value.id}"
            continue
        assert isinstance(node, ast.ImportFrom) and node.level == 1, ast.unparse(node)
        for alias in node.names:
            imported[alias.name] = node.module
            if alias.asname is not None:
                assert alias.asname == alias.name, ast.unparse(node)
                seen[alias.name] = node.module
    assert seen == derivsteps._EXPORTS


@pytest.mark.parametrize("name", [name for name in NAMES if name not in VALUES])
def test_every_public_name_has_a_one_sentence_summary(name):
    doc = inspect.getdoc(getattr(derivsteps, name))
    assert doc, f"derivsteps.{name} has no docstring"
    first = doc.split("\n\n")[0].replace("\n", " ")
    assert not first[0].isspace() and first.endswith((".", "?")), f"derivsteps.{name}: {first!r}"


@pytest.mark.parametrize("name", [name for name in NAMES if inspect.isfunction(getattr(derivsteps, name))])
def test_help_of_a_function_fits_a_screen(name):
    shown = pydoc.render_doc(getattr(derivsteps, name), renderer=pydoc.plaintext)
    rows = sum(max(1, -(-len(line) // SCREEN_COLUMNS)) for line in shown.splitlines())
    assert rows <= SCREEN_LINES, f"help(derivsteps.{name}) takes {rows} lines:\n{shown}"


def test_importing_the_package_loads_no_heavy_library():
    code = "import derivsteps, sys; print(sorted(m for m in ('sympy', 'rich', 'lark') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_package_says_it_is_typed():
    assert (PACKAGE / "py.typed").is_file()


# -- a notebook user's round trip ------------------------------------------------------------------------------------------
def test_a_notebook_round_trip():
    parsed = derivsteps.parse("x^2 sin(x)")
    derivation = derivsteps.differentiate(parsed.expr, "x")
    check = derivsteps.verify(derivation)
    assert check.verified is True and check.method in derivsteps.Layer
    derivation = derivation.with_verification(check)

    text = derivsteps.to_text(derivation)
    assert text == str(derivation) and "✓" in text
    assert "OK" in derivsteps.to_text(derivation, ascii=True)
    latex = derivsteps.to_latex(derivation)
    assert latex == derivation._repr_latex_() and "\\begin{align*}" in latex
    assert derivsteps.to_markdown(derivation) == derivation._repr_markdown_()
    document = derivsteps.to_json(derivation)
    assert document["command"] == "diff" and document["verified"] is True
    assert json.loads(json.dumps(document)) == document  # plain JSON: the vocabularies are strings
    assert document["verified_by"] == "symbolic" and json.dumps(document["verified_by"]) == '"symbolic"'


def test_the_renderers_take_every_kind_of_result():
    gradient = derivsteps.gradient("x^2 y", ["x", "y"])
    assert derivsteps.to_text(gradient) == str(gradient)
    assert derivsteps.to_latex(gradient, steps=True) == render_latex(gradient, steps=True)
    assert derivsteps.to_json(gradient, with_sympy=False)["command"] == "grad"
    descent = derivsteps.descend("x^2", {"x": 1}, lr="0.25", iterations=2)
    assert derivsteps.to_markdown(descent) == descent._repr_markdown_()


def test_the_renderers_refuse_what_they_cannot_render():
    with pytest.raises(TypeError, match="not a int"):
        derivsteps.to_text(3)
    descent = derivsteps.descend("x^2", {"x": 1}, lr="0.25", iterations=1)
    with pytest.raises(TypeError, match="takes no steps"):
        derivsteps.to_text(descent, steps=True)


def test_the_checkers_answer_in_the_vocabulary():
    verdict = derivsteps.check_answer("x^2", "x", "2x")
    assert verdict.ok and verdict.verdict == "correct" and verdict.decided_by == derivsteps.Layer.STRUCTURAL
    assert verdict.verdict in derivsteps.VERDICTS


def test_the_vocabularies_are_the_strings_the_output_has_always_shown():
    assert derivsteps.VERDICTS == ("correct", "incorrect", "inconclusive", "invalid", "limit", "error")
    assert [*derivsteps.Layer] == ["structural", "probe", "symbolic", "numeric", "evaluator"]
    assert [*derivsteps.Detail] == ["brief", "normal", "full"]
    assert (derivsteps.Phase.DIFFERENTIATE, derivsteps.Phase.SIMPLIFY, derivsteps.Phase.CAS) == (
        "diff",
        "simplify",
        "cas",
    )
    assert [*derivsteps.StopReason] == ["diverged", "unbounded", "not_finite", "too_long", "not_rational"]
    layer = derivsteps.Layer.SYMBOLIC
    assert json.dumps({layer: layer}) == '{"symbolic": "symbolic"}' and f"{layer}" == str(layer) == "symbolic"


def test_grading_a_class_file(tmp_path):
    answers = tmp_path / "class.csv"
    answers.write_text("id,expr,wrt,answer\na,x^2,x,2x\nb,x^3,x,3x\n", encoding="utf-8")
    graded = list(derivsteps.grade(derivsteps.read_answers(answers), row_seconds=0))
    assert [row.verdict for row in graded] == ["correct", "incorrect"]
    assert derivsteps.summarize(graded).verdicts == {"correct": 1, "incorrect": 1} | dict.fromkeys(
        derivsteps.VERDICTS[2:], 0
    )
