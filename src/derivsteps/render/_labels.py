"""What the rule column and the explanation of a derivation line say, shared by every renderer."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..core.derivation import Derivation, Step
from ..core.tree import Expr, Sum, Var, variables, walk
from ..language.labels import explanation, fill_template, line_label, notes, rule_named

__all__ = ["explanation", "label_spans", "line_label", "notes", "note_spans", "explanation_spans", "held_constant"]


def held_constant(derivation: Derivation) -> list[Var]:
    """The variables treated as constants: those of the input that are not differentiated by, nor data."""
    data = data_variables(derivation)
    return [v for v in variables(derivation.expr) if v not in derivation.wrt and v not in data]


def data_variables(derivation: Derivation) -> list[Var]:
    """The data of sums over an index: a_i and h_i in Σ_i (s a_i + b - h_i)^2."""
    indices = {node.index for _, node in walk(derivation.expr) if isinstance(node, Sum)}
    return [
        v
        for v in variables(derivation.expr)
        if v.sub is not None and (v.sub in indices or v.sub.isalpha() and set(v.sub) <= indices)
    ]


# Brackets a filled-in binding while a template is filled, so the words and the math can be told apart afterwards.
_OPEN, _CLOSE = "\x03", "\x04"


def _as_spans(said: Callable[[Callable[[Expr], str]], str], shown: Callable[[Expr], Expr]):
    """What said(show) writes, as spans: its words, and each filled-in binding as Math(shown(binding))."""
    from .document import Math, Words

    found: list[Expr] = []
    numbers: dict[Expr, int] = {}  # one number per distinct binding, so repeated labels still fold into one

    def mark(expr: Expr) -> str:
        expr = shown(expr)
        if expr not in numbers:
            numbers[expr] = len(found)
            found.append(expr)
        return f"{_OPEN}{numbers[expr]}{_CLOSE}"

    text = said(mark)
    pieces = []
    for index, part in enumerate(re.split(f"[{_OPEN}{_CLOSE}]", text)):
        # The split alternates: words of the template at even positions, the number of a binding at odd ones.
        if index % 2:
            pieces.append(Math(found[int(part)]))
        elif part:
            pieces.append(Words(part))
    return tuple(pieces)


def label_spans(step: Step, shown: Callable[[Expr], Expr] = lambda expr: expr, detail: str = "normal"):
    """The rule column as spans: words, and each binding as Math (shown: the abbreviations of a long derivation)."""
    return _as_spans(lambda show: line_label(step, show, detail), shown)


def explanation_spans(step: Step, shown: Callable[[Expr], Expr] = lambda expr: expr):
    """The explanation of a line as spans."""
    return _as_spans(lambda show: explanation(step, show), shown)


def note_spans(derivation: Derivation, shown: Callable[[Expr], Expr] = lambda expr: expr) -> list:
    """The caveats of notes() as spans, one each."""
    found: list = []
    for step in derivation.steps:
        for rewrite in step.rewrites:
            rule = rule_named(rewrite.rule)
            if rule is not None and rule.note:
                found.append(_as_spans(lambda show, r=rule, w=rewrite: fill_template(r.note, w.bindings, show), shown))
    return list(dict.fromkeys(found))
