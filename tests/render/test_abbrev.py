"""Long derivations name their large unchanged subterms once ("where A = …"); lecture-sized ones print whole."""

from __future__ import annotations

import json

from derivsteps.calculus.derivative import differentiate
from derivsteps.core.tree import Var, children, size, walk, with_children
from derivsteps.render._abbrev import LARGE_ROW, MIN_NAMED, Abbreviations, abbreviations
from derivsteps.render.jsondoc import to_json
from derivsteps.render.latex import render_latex
from derivsteps.render.markdown import render_markdown
from derivsteps.render.text import render_text


def _chain(depth: int) -> str:
    return "sin(" * depth + "x" + ")" * depth


def _power(depth: int) -> str:
    text = "x"
    for _ in range(depth):
        text = f"(1 + {text})^2"
    return text


def _expand(expr, definitions: dict):
    """Put every name's definition back in place of the name, until none is left."""
    while any(node in definitions for _, node in walk(expr)):
        expr = _replace(expr, definitions)
    return expr


def _replace(expr, definitions: dict):
    if expr in definitions:
        return definitions[expr]
    kids = children(expr)
    return with_children(expr, tuple(_replace(kid, definitions) for kid in kids)) if kids else expr


def test_lecture_sized_derivation_names_nothing():
    derivation = differentiate("x^2 sin(x) + e^(3x) cos(2x)", "x")
    names = abbreviations(derivation)
    assert not names
    assert "where" not in render_text(derivation)
    assert r"\text{where" not in render_latex(derivation)


def test_names_stand_for_exactly_the_subterms_they_replace():
    derivation = differentiate(_chain(40), "x")
    names = abbreviations(derivation)
    assert names
    rows = [derivation.start, *(line.after for line in derivation.lines())]
    shown = [names.show(row) for row in rows]
    definitions = dict(names.definitions())
    assert all(isinstance(name, Var) and name.name.isupper() for name in definitions)
    for row, abbreviated in zip(rows, shown):
        assert _expand(abbreviated, definitions) == row
    # Every name used is defined, and each stands for at least MIN_NAMED nodes.
    used = {node for row in shown for _, node in walk(row) if node in definitions}
    assert used and used <= set(definitions)
    assert all(size(_expand(value, definitions)) >= MIN_NAMED for value in definitions.values())


def test_text_says_where_each_name_is_defined_once():
    text = render_text(differentiate(_chain(40), "x"))
    where = [line for line in text.splitlines() if line.startswith(("where ", "      ")) and " = " in line]
    assert where[0].startswith("where A = ")
    names = [line.split(" = ")[0].split()[-1] for line in where]
    assert len(names) == len(set(names))
    assert "sin(" * 40 not in text.split("read as:")[1].split("\n", 1)[1]  # only the read-as line shows it whole


def test_output_grows_with_what_changes():
    # A nested power printed whole at every line grows as n^3; with names, about n^2 (n lines of n factors).
    small, large = (len(render_text(differentiate(_power(n), "x"))) for n in (20, 40))
    assert large / small < 2**2.3
    small, large = (len(render_text(differentiate(_chain(n), "x"))) for n in (30, 60))
    assert large / small < 2**2.3


def test_marks_into_a_named_subterm_point_at_its_name():
    derivation = differentiate(_chain(40), "x")
    names = abbreviations(derivation)
    row = derivation.lines()[-1].after
    shown = names.show(row)  # names are given as they are first shown
    definitions = dict(names.definitions())
    named = next(path for path, node in walk(shown) if node in definitions)
    assert names.marks(row, [named + (0, 0), named, ()]) == (named, ())
    for line in derivation.lines():  # every mark the renderers get is a path into the shown expression
        shown = names.show(line.after)
        for mark in names.marks(line.after, line.new_paths):
            node = shown
            for index in mark:
                node = children(node)[index]


def test_latex_and_markdown_define_the_same_names():
    derivation = differentiate(_power(30), "x")
    latex = render_latex(derivation)
    assert r"\text{where } A = " in latex
    markdown = render_markdown(derivation)
    assert r"\text{where } A = " in markdown


def test_json_keeps_full_values():
    derivation = differentiate(_power(30), "x")
    document = json.dumps(to_json(derivation, with_sympy=False))
    assert '"A"' not in document and "where" not in document


def test_small_rows_stay_whole():
    row = differentiate("x^2 + 1", "x").result
    assert size(row) < LARGE_ROW
    assert Abbreviations([row, row]).show(row) is row
