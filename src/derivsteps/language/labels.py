"""What the rule column and the explanation of a derivation line say: a rule's templates filled with its bindings.

Shared by the renderers and the checker of written derivations (which names the rule a student's line used), so it
lives below both; the math of each binding is written by the caller's `show`.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from typing import Any

from ..core.derivation import Derivation, Step
from ..core.rules import CAS_FALLBACK, RULES_BY_NAME, SUBSTITUTE, SUM_OVER_DATA, Rule, StepKind
from ..core.simplify_rules import SIMPLIFY_RULES
from ..core.tree import Expr
from ..core.vocabulary import SimplifyKind
from .precedence import ATOM, level

_ALL_RULES: dict[str, Rule | StepKind] = {
    **{r.name: r for r in SIMPLIFY_RULES},
    **RULES_BY_NAME,
    CAS_FALLBACK.name: CAS_FALLBACK,
    SUBSTITUTE.name: SUBSTITUTE,
    SUM_OVER_DATA.name: SUM_OVER_DATA,
}


def rule_named(name: str) -> Rule | StepKind | None:
    """The rule or step kind of a rewrite, whose templates say it (None for an unknown name)."""
    return _ALL_RULES.get(name)


class _MathFormatter(string.Formatter):
    """Fills {u} with the math of a binding; {u!p} brackets it when it is compound (e^{u!p} is e^(2x), not e^2x)."""

    def __init__(self, show: Callable[[Expr], str]) -> None:
        self.show = show

    def convert_field(self, value: Any, conversion: str | None) -> str:
        if conversion == "p":
            text = self.show(value)
            return text if level(value) >= ATOM else f"({text})"
        return self.show(value)


def fill_template(template: str, bindings: Mapping[str, Expr], show: Callable[[Expr], str]) -> str:
    """The template with each {name} filled by show(binding) ({name!p} bracketed when compound); as is when a
    binding is missing."""
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
                found.append(fill_template(rule.note, rewrite.bindings, show))
    return list(dict.fromkeys(found))


def line_label(step: Step, show: Callable[[Expr], str], detail: str = "normal") -> str:
    """The rule column: "chain rule", or "constant rule; ∂y/∂y = 1" for a line that groups several rules; a
    simplification line says its kind ("multiply out", "cancel"), or "simplify" at --detail brief."""
    if step.phase == "simplify" and detail != "full":
        kind = step.kind if detail != "brief" else None
        if kind is None:
            return "simplify"
        if isinstance(kind, SimplifyKind):
            return str(kind)
        # A rule that names no kind groups only with itself: its own label says the line.
    labels = []
    for rewrite in step.rewrites:
        rule = _ALL_RULES.get(rewrite.rule)
        if rule is None:
            labels.append(rewrite.rule)
            continue
        labels.append(fill_template(rule.label, rewrite.bindings, show))
    return "; ".join(dict.fromkeys(labels))


def explanation(step: Step, show: Callable[[Expr], str]) -> str:
    """The sentences that explain a line, one per distinct rewrite."""
    sentences = []
    for rewrite in step.rewrites:
        rule = _ALL_RULES.get(rewrite.rule)
        if rule is not None:
            template = rule.explain(dict(rewrite.bindings)) if callable(rule.explain) else rule.explain
            sentences.append(fill_template(template, rewrite.bindings, show))
    return " ".join(dict.fromkeys(sentences))
