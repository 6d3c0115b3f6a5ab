"""What the rule column and the explanation of a derivation line say, shared by every renderer."""

from __future__ import annotations

import string
from collections.abc import Callable

from ..core.derivation import Derivation, Step
from ..core.rules import CAS_FALLBACK, RULES_BY_NAME, SUBSTITUTE, SUM_OVER_DATA
from ..core.simplify_rules import SIMPLIFY_RULES
from ..core.tree import Expr, Sum, Var, variables, walk
from ..language.precedence import ATOM, level

_ALL_RULES = {
    **{r.name: r for r in SIMPLIFY_RULES},
    **RULES_BY_NAME,
    CAS_FALLBACK.name: CAS_FALLBACK,
    SUBSTITUTE.name: SUBSTITUTE,
    SUM_OVER_DATA.name: SUM_OVER_DATA,
}


class _MathFormatter(string.Formatter):
    """Fills {u} with the math of a binding; {u!p} brackets it when it is compound (e^{u!p} is e^(2x), not e^2x)."""

    def __init__(self, show: Callable[[Expr], str]):
        self.show = show

    def convert_field(self, value, conversion):
        if conversion == "p":
            text = self.show(value)
            return text if level(value) >= ATOM else f"({text})"
        return self.show(value)


def _fill(template: str, bindings, show: Callable[[Expr], str]) -> str:
    try:
        return _MathFormatter(show).vformat(template, (), dict(bindings))
    except (KeyError, IndexError):
        return template


def notes(derivation: Derivation, show: Callable[[Expr], str]) -> list[str]:
    """Caveats the rules raised along the way (|u|' is undefined where u = 0), each said once."""
    found = []
    for step in derivation.steps:
        for rewrite in step.rewrites:
            rule = _ALL_RULES.get(rewrite.rule)
            if rule is not None and rule.note:
                found.append(_fill(rule.note, rewrite.bindings, show))
    return list(dict.fromkeys(found))


def line_label(step: Step, show: Callable[[Expr], str], detail: str = "normal") -> str:
    """The rule column: "chain rule", or "constant rule; ∂y/∂y = 1" for a line that groups several rules."""
    if step.phase == "simplify" and detail != "full":
        return "simplify"
    labels = []
    for rewrite in step.rewrites:
        rule = _ALL_RULES.get(rewrite.rule)
        if rule is None:
            labels.append(rewrite.rule)
            continue
        labels.append(_fill(rule.label, rewrite.bindings, show))
    return "; ".join(dict.fromkeys(labels))


def explanation(step: Step, show: Callable[[Expr], str]) -> str:
    """The sentences that explain a line, one per distinct rewrite."""
    sentences = []
    for rewrite in step.rewrites:
        rule = _ALL_RULES.get(rewrite.rule)
        if rule is not None:
            template = rule.explain(rewrite.bindings) if callable(rule.explain) else rule.explain
            sentences.append(_fill(template, rewrite.bindings, show))
    return " ".join(dict.fromkeys(sentences))


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
