"""What the rule column and the explanation of a derivation line say, shared by every renderer."""

from __future__ import annotations

from collections.abc import Callable

from ..derivation import Derivation, Step
from ..rules import CAS_FALLBACK, RULES_BY_NAME
from ..simplify_rules import SIMPLIFY_RULES
from ..tree import Expr, Var, variables

_ALL_RULES = {**{r.name: r for r in SIMPLIFY_RULES}, **RULES_BY_NAME, CAS_FALLBACK.name: CAS_FALLBACK}


def _fill(template: str, bindings, show: Callable[[Expr], str]) -> str:
    values = {name: show(value) for name, value in bindings.items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template


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
            sentences.append(_fill(rule.explain, rewrite.bindings, show))
    return " ".join(dict.fromkeys(sentences))


def held_constant(derivation: Derivation) -> list[Var]:
    """The variables treated as constants: those of the input that are not differentiated by."""
    return [v for v in variables(derivation.expr) if v not in derivation.wrt]
