"""A derivation as the JSON document of schema 1 (issue 3's contract): plain dicts, lists and strings for json.dumps.

"domain" (added in issue 13, so still schema 1) lists where the input and its derivative are defined over the reals,
one written inequality each, as {"text": "x ≠ 1", "latex": "x \\neq 1", "sympy": "Ne(x, 1)"}; [] when everywhere.

JSON is not a layout of render/document.py: each document is a public contract with its own schema (schemas/), so
each result kind has its serialiser (this module, and the to_json of each render module). The "sympy" strings are
SymPy's syntax for our trees, written by the CAS bridge: `sympy_printer` is the one place that asks for it.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core.derivation import Derivation, Step
from ..core.domain import Condition
from ..core.errors import DerivError
from ..core.tree import Expr
from ..core.vocabulary import Detail, SimplifyKind
from ..language.mathlatex import to_latex
from ..language.mathtext import to_text
from ._labels import explanation, line_label, notes
from .latex import condition_latex
from .text import condition_text

# Bump when a key changes meaning or disappears; adding a key is not a new schema.
SCHEMA = 1


def to_json(derivation: Derivation, with_sympy: bool = True) -> dict:
    """The derivation as a JSON-ready dict; `steps` are the lines at the derivation's own detail.

    with_sympy=False writes "sympy": null everywhere, so nothing imports SymPy: `--no-verify` promises not to load it
    (0.56 s), and the "sympy" string is the only part of the document that needs it.

    "input" is the text as typed, or null for a derivation built from a tree. Each step's "paths" say where each of
    its rewrites applied, as child indices from the root; a line that groups several rewrites (--detail normal or
    brief) lists each path in the expression as it stood just before that rewrite, so with --detail full every path
    points into the previous step's "expr".
    """
    value = valuer(with_sympy)
    check = derivation.verification
    return {
        "schema": SCHEMA,
        "command": "diff",
        "input": derivation.input,
        "read_as": to_text(derivation.expr),
        "wrt": [to_text(var, ascii=True) for var in derivation.wrt],
        "result": value(derivation.result),
        "domain": [condition_json(condition, with_sympy) for condition in derivation.domain],
        "steps": [step_json(line, derivation.detail, value) for line in derivation.lines()],
        "verified": None if check is None else check.verified,
        "verified_by": None if check is None else check.method,
        "warnings": [*derivation.warnings, *notes(derivation, lambda e: to_text(e, ascii=True))],
    }


def condition_json(condition: Condition, with_sympy: bool = True) -> dict:
    """One domain condition as {"text", "latex", "sympy"}, as the document writes expressions ("sympy" null without SymPy)."""
    return {
        "text": condition_text(condition),
        "latex": condition_latex(condition),
        "sympy": _condition_sympy(condition, sympy) if (sympy := sympy_printer(with_sympy)) else None,
    }


# The relations of a domain condition as SymPy writes them: a comparison between two sides, or Eq/Ne around them.
_SYMPY_RELATIONS = {
    "<": "{} < {}",
    "≤": "{} <= {}",
    ">": "{} > {}",
    "≥": "{} >= {}",
    "=": "Eq({}, {})",
    "≠": "Ne({}, {})",
}


def _condition_sympy(condition: Condition, sympy_text: Callable[[Expr], str]) -> str:
    """The condition as text sympy.parse_expr reads: x > 0, Ne(x, 1), (-1 <= x) & (x <= 1), (x < 0) | (x > 2)."""
    pieces, chain = [], []
    for part in (*condition.relation, "or"):
        if part != "or":
            chain.append(part)
            continue
        comparisons = [
            _SYMPY_RELATIONS[chain[i]].format(sympy_text(chain[i - 1]), sympy_text(chain[i + 1]))
            for i in range(1, len(chain), 2)
        ]
        pieces.append(comparisons[0] if len(comparisons) == 1 else " & ".join(f"({c})" for c in comparisons))
        chain = []
    return pieces[0] if len(pieces) == 1 else " | ".join(f"({p})" for p in pieces)


def error_json(err: DerivError) -> dict:
    """A DerivError as the JSON document the CLI prints instead of a derivation."""
    return {"error": err.to_dict()}


def step_json(line: Step, detail: str, value: Callable[[Expr], dict]) -> dict:
    """One line as a JSON record; a simplification line (but at --detail brief) also says its "kind"."""
    record = {
        "rule": line.rule,
        "rules": list(line.rules),
        "label": line_label(line, to_text, detail),
        "explanation": explanation(line, to_text),
        "paths": [list(path) for path in line.paths],
        "expr": value(line.after),
    }
    kind = line.kind
    if isinstance(kind, SimplifyKind) and detail != Detail.BRIEF:
        record["kind"] = str(kind)  # added in issue 15, optional: only simplification lines have one
    return record


def valuer(
    with_sympy: bool = True, text: Callable[[Expr], str] = to_text, latex: Callable[[Expr], str] = to_latex
) -> Callable[[Expr], dict]:
    """The function that writes one expression as {"text", "latex", "sympy"} (text and latex: the printers to use)."""
    sympy_text = sympy_printer(with_sympy)

    def value(expr: Expr) -> dict:
        return {"text": text(expr), "latex": latex(expr), "sympy": sympy_text(expr) if sympy_text else None}

    return value


def sympy_printer(with_sympy: bool = True) -> Callable[[Expr], str] | None:
    """The printer of the "sympy" strings (the CAS bridge's), or None without SymPy."""
    if not with_sympy:
        return None
    # Imported here, not at the top: importing this module must not load SymPy (see to_json).
    from ..cas.bridge import sympy_text

    return sympy_text
