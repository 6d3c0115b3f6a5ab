"""The lines of a derivation (issue 15): at the default detail a simplification line does one kind of rewrite.

A kind per rule of the simplification table (SimplifyKind), lines grouped by it (group_lines), and labelled with it
in every format; --detail brief still folds simplification into the calculus lines, --detail full shows each rewrite.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import diff_trees

import derivsteps
from derivsteps.calculus.derivative import differentiate
from derivsteps.core.derivation import Derivation, Step, group_lines
from derivsteps.core.engine import simplify
from derivsteps.core.simplify_rules import SIMPLIFY_RULES
from derivsteps.core.tree import Call, Mul, Var
from derivsteps.core.vocabulary import SimplifyKind
from derivsteps.language.labels import line_label
from derivsteps.language.mathtext import to_text
from derivsteps.render.jsondoc import to_json
from derivsteps.render.layouts import display

LOSS = "1/n sum_i (y_i - (m x_i + c))^2"  # the 21-rewrite line
LOG = "ln(sqrt((1+x)/(1-x)))"  # and its 17-rewrite one


def _simplify_lines(derivation: Derivation, detail: str = "normal") -> list[Step]:
    return [line for line in derivation.lines(detail) if line.phase == "simplify"]


def _labels(derivation: Derivation, detail: str = "normal") -> list[str]:
    return [line_label(line, to_text, detail) for line in _simplify_lines(derivation, detail)]


def _kinds(line: Step) -> set:
    """The kinds of a line's rewrites, tidying aside (it joins any line)."""
    return {rewrite.kind for rewrite in line.rewrites} - {SimplifyKind.TIDY}


def test_every_simplification_rule_names_its_kind():
    assert [rule.name for rule in SIMPLIFY_RULES if not isinstance(rule.kind, SimplifyKind)] == []


def test_the_schema_lists_every_kind():
    common = json.loads((Path(derivsteps.__file__).parent / "schemas" / "common.schema.json").read_text())
    assert common["$defs"]["step"]["properties"]["kind"]["enum"] == [str(kind) for kind in SimplifyKind]
    assert "kind" not in common["$defs"]["step"]["required"]  # optional: only simplification lines have one


def test_the_loss_simplifies_in_one_labelled_line_per_kind():
    assert _labels(differentiate(LOSS, "m")) == [
        "arithmetic",
        "take out of the sum",
        "multiply out",
        "split the sum",
        "multiply out",
        "powers",
        "split the sum",
        "take out of the sum",
        "one fraction",
    ]


def test_the_log_of_a_root_simplifies_in_one_labelled_line_per_kind():
    assert _labels(differentiate(LOG, "x")) == [
        "arithmetic",
        "collect like terms",
        "one fraction",
        "cancel",
        "one fraction",
        "powers",
        "one fraction",
        "cancel",
    ]


@pytest.mark.parametrize("text, wrt", [(LOSS, "m"), (LOG, "x")])
def test_brief_folds_simplification_and_full_shows_every_rewrite(text, wrt):
    derivation = differentiate(text, wrt)
    assert _simplify_lines(derivation, "brief") == []
    assert all("simplify" not in line_label(line, to_text, "brief") for line in derivation.lines("brief"))
    full = _simplify_lines(derivation, "full")
    assert len(full) == sum(len(line.rewrites) for line in _simplify_lines(derivation))
    assert [line_label(line, to_text, "full") for line in full[:3]] != ["simplify"] * 3
    assert all(len(line.rewrites) == 1 for line in full)


def test_tidying_joins_the_line_of_the_kind_it_stands_next_to_and_alone_is_a_line_of_its_own():
    x, y = Var("x"), Var("y")
    tidied = group_lines(simplify(Mul((Call("cos", (x,)), x))), "normal")
    assert [(line_label(line, to_text), to_text(line.after)) for line in tidied] == [("tidy up", "x cos(x)")]
    joined = group_lines(simplify(Mul((x, Mul((y, x))))), "normal")
    assert [(line_label(line, to_text), line.rules) for line in joined] == [
        ("powers", ("order_factors", "multiply_powers"))
    ]


@pytest.mark.parametrize("how", ["text", "latex", "markdown"])
def test_every_format_labels_the_line_with_its_kind(how):
    shown = str(display(differentiate(LOSS, "m"), how))
    for label in ("take out of the sum", "multiply out", "split the sum"):
        assert label in shown
    assert "simplify" not in shown.replace("simplified", "")


def test_rich_labels_the_line_with_its_kind():
    from rich.console import Console

    console = Console(width=200, record=True, color_system=None)
    console.print(differentiate(LOSS, "m"))
    assert "multiply out" in console.export_text()


def test_a_json_simplification_line_says_its_kind_and_no_other_line_does():
    document = to_json(differentiate(LOSS, "m"), with_sympy=False)
    kinds = [step.get("kind") for step in document["steps"]]
    assert [kind for kind in kinds if kind] == _labels(differentiate(LOSS, "m"))
    assert all(step["kind"] == step["label"] for step in document["steps"] if "kind" in step)
    assert kinds[0] is None  # a calculus line has none
    brief = to_json(differentiate(LOSS, "m", detail="brief"), with_sympy=False)
    assert not any("kind" in step for step in brief["steps"])


@settings(max_examples=150, deadline=None)
@given(diff_trees, st.sampled_from(["x", "y"]))
def test_no_default_detail_simplification_line_mixes_two_kinds(tree, wrt):
    derivation = differentiate(tree, wrt)
    lines = derivation.lines()
    # The lines are the steps, in order, each joined to the next.
    assert [r for line in lines for r in line.rewrites] == [r for step in derivation.steps for r in step.rewrites]
    assert all(a.after is b.before for a, b in zip(lines, lines[1:], strict=False))
    previous = None
    for line in lines:
        if line.phase != "simplify":
            previous = None
            continue
        kinds = _kinds(line)
        assert len(kinds) <= 1, (to_text(tree), [r.rule for r in line.rewrites])
        assert line.kind == (next(iter(kinds)) if kinds else SimplifyKind.TIDY)
        if isinstance(line.kind, SimplifyKind):
            assert line_label(line, to_text) == str(line.kind)
        # A line ends only where the kind changes: two lines in a row never share theirs, and tidying alone is
        # a line only when nothing else follows it.
        assert line.kind != previous
        assert previous != SimplifyKind.TIDY
        previous = line.kind
