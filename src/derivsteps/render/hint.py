"""A hint: the rule that applies next to a derivative and where, in the rule's own words; never the result.

One record (next_rule) written three ways: the lines of `deriv EXPR --hint` and of `deriv practice`'s `?`, an HTML
fragment for the page, and the JSON document of the hint (commands/diff.py adds the schema around it).
"""

from __future__ import annotations

from collections.abc import Callable

from ..core.derivation import Derivation
from ..core.tree import Expr


def next_rule(derivation: Derivation, show: Callable[[Expr], str]) -> dict:
    """The first rule the engine applies to the derivation's start: name, label, law, path, and where, as data."""
    from ..core.derivation import Rewrite, Step
    from ..core.engine import first_match, next_pending
    from ..core.rules import DIFF_RULES
    from ..core.tree import get_at
    from ._labels import explanation, line_label

    start = derivation.start
    path = next_pending(start)  # never None: differentiate() always starts from a pending derivative
    pending = get_at(start, path)
    hint = {"path": list(path), "at": show(pending.body), "by": show(pending.var)}
    found = first_match(DIFF_RULES, pending)
    if found is None:
        return {
            "rule": "cas_fallback",
            "label": None,
            "law": None,
            **hint,
            "explanation": "no rule on the cheat sheet applies here; SymPy would compute this derivative",
        }
    rule, bindings = found
    # A one-rewrite line that goes nowhere: it lets the shared label and explanation templates fill in the math.
    line = Step((Rewrite(rule.name, path, bindings, (), rule.group),), start, start, "diff")
    return {
        "rule": rule.name,
        "label": line_label(line, show, "full"),
        "law": rule.law,
        **hint,
        "explanation": explanation(line, show),
    }


def hint_lines(derivation: Derivation, hint: dict, ascii: bool = False) -> list[str]:
    """The hint as the lines `deriv EXPR --hint` prints: the rule, where (by which variable when others are held
    constant) and its law, then its explanation unless the law already says it."""
    from ..core.tree import variables

    where = hint["at"]
    if len(variables(derivation.expr)) > 1:  # with held constants, say which variable this derivative is by
        where += f" (by {hint['by']})"
    if hint["law"] is None:
        return [f"next: {where}: {hint['explanation']}"]
    dash = "-" if ascii else "—"
    law = "" if hint["law"] == hint["label"] else f"  {dash}  {hint['law']}"  # ∂x/∂x = 1 is its own law
    lines = [f"next: {hint['label']} at {where}{law}"]
    if hint["law"] not in hint["explanation"]:  # "From the table of derivatives: <law>" would say it twice
        lines.append(f"      {hint['explanation']}")
    return lines


def hint_html(derivation: Derivation, hint: dict) -> str:
    """The hint as an HTML fragment: the rule's name, where it applies (MathML) and its law, then the explanation."""
    from html import escape

    from ..core.tree import get_at
    from ..language.mathml import to_mathml

    pending = get_at(derivation.start, tuple(hint["path"]))
    where = to_mathml(pending.body)
    if hint["label"] is None:
        said = f"next: at {where}: {escape(hint['explanation'])}"
        return f'<div class="derivsteps">\n<p class="hint">{said}</p>\n</div>'
    law = "" if hint["law"] == hint["label"] else f' — <span class="law-text">{escape(hint["law"])}</span>'
    lines = [f'<p class="hint">next: <span class="rule-label">{escape(hint["label"])}</span> at {where}{law}</p>']
    if hint["law"] not in hint["explanation"]:
        lines.append(f'<p class="explanation">{escape(hint["explanation"])}</p>')
    return '<div class="derivsteps">\n' + "\n".join(lines) + "\n</div>"
