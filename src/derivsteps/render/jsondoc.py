"""A derivation as the JSON document of schema 1 (issue 3's contract): plain dicts, lists and strings for json.dumps.

"domain" (added in issue 13, so still schema 1) lists where the input and its derivative are defined over the reals,
one written inequality each, as {"text": "x ≠ 1", "latex": "x \\neq 1", "sympy": "Ne(x, 1)"}; [] when everywhere.

JSON is not a layout of render/document.py: each document is a public contract with its own schema (schemas/), so
each result kind has its serialiser (this module, and the to_json of each render module). The "sympy" strings are
SymPy's syntax for our trees, written by the CAS bridge: `sympy_printer` is the one place that asks for it.

Schema 2 (issue 16, `to_json(derivation, steps="changes")`, `--json-steps changes`) is the same document with each
step's whole "expr" replaced by its "changes": the start is written whole once ("start"), and each step says only
where the expression changed and what stands there now, so a derivation of n nodes does not write n whole
expressions. `changes` finds them by comparing consecutive lines as trees, and `apply_changes` replays them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..core.derivation import Derivation, Step
from ..core.domain import Condition
from ..core.errors import DerivError
from ..core.tree import Add, Apply, Call, Expr, Mul, Path, Sum, children, get_at, replace_at, with_children
from ..core.vocabulary import Detail, SimplifyKind
from ..language.mathlatex import to_latex
from ..language.mathtext import to_text
from ._labels import explanation, line_label, notes
from .latex import condition_latex
from .text import condition_text

# Bump when a key changes meaning or disappears; adding a key is not a new schema.
SCHEMA = 1
# The derivation document whose steps carry their changes instead of whole expressions (schemas/2/).
SCHEMA_CHANGES = 2
# How a derivation document writes each step: "whole" (schema 1, the default) or "changes" (schema 2).
STEP_FORMS = ("whole", "changes")


def to_json(derivation: Derivation, with_sympy: bool = True, steps: str = "whole") -> dict:
    """The derivation as a JSON-ready dict; `steps` are the lines at the derivation's own detail.

    with_sympy=False writes "sympy": null everywhere, so nothing imports SymPy: `--no-verify` promises not to load it
    (0.56 s), and the "sympy" string is the only part of the document that needs it.

    "input" is the text as typed, or null for a derivation built from a tree. Each step's "paths" say where each of
    its rewrites applied, as child indices from the root; a line that groups several rewrites (--detail normal or
    brief) lists each path in the expression as it stood just before that rewrite, so with --detail full every path
    points into the previous step's "expr".

    steps="changes" writes schema 2 (see changes_json): the same keys, but "start" whole and each step's "changes"
    in place of its "expr", so the document grows with what the derivation changes, not with lines × expression.
    """
    if steps not in STEP_FORMS:
        raise ValueError(f"steps must be one of {', '.join(STEP_FORMS)}, not {steps!r}")
    if steps == "changes":
        return changes_json(derivation, with_sympy)
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


def changes_json(derivation: Derivation, with_sympy: bool = True) -> dict:
    """The derivation as the document of schema 2: schema 1's keys, "start" whole, and steps with "changes".

    Each step's "changes" turn the expression before it (the start, or what the steps before it made) into the one
    after it, applied in order: {"path": P, "expr": V} says the subtree at P is now V; {"path": P, "children": [i,
    j], "exprs": [V, ...]} says children i up to (not including) j of the node at P are now the listed subtrees (none
    to remove them, several where one child became several: a sum flattened into its parent sum). Each path is child
    indices from the root in the expression as the step's earlier changes left it. Every V is {"text", "latex",
    "sympy"} of that subtree alone (apply_changes replays the changes on trees).
    """
    value = valuer(with_sympy)
    check = derivation.verification
    previous = derivation.start
    records = []
    for line in derivation.lines():
        after = line.after
        records.append(_changed_step_json(line, derivation.detail, changes(previous, after), value))
        previous = after
    return {
        "schema": SCHEMA_CHANGES,
        "command": "diff",
        "input": derivation.input,
        "read_as": to_text(derivation.expr),
        "wrt": [to_text(var, ascii=True) for var in derivation.wrt],
        "start": value(derivation.start),
        "result": value(derivation.result),
        "domain": [condition_json(condition, with_sympy) for condition in derivation.domain],
        "steps": records,
        "verified": None if check is None else check.verified,
        "verified_by": None if check is None else check.method,
        "warnings": [*derivation.warnings, *notes(derivation, lambda e: to_text(e, ascii=True))],
    }


def _changed_step_json(line: Step, detail: str, found: list[Change], value: Callable[[Expr], dict]) -> dict:
    """One line as schema 2 writes it: schema 1's record with "changes" where "expr" was."""
    record = step_json(line, detail, value, whole=False)
    record["changes"] = [change_json(change, value) for change in found]
    if "kind" in record:  # keep schema 1's key order: "kind" last
        record["kind"] = record.pop("kind")
    return record


def change_json(change: Change, value: Callable[[Expr], dict]) -> dict:
    """One change as schema 2 writes it: {"path", "expr"} for a subtree, {"path", "children", "exprs"} for a span."""
    if change.span is None:
        return {"path": list(change.path), "expr": value(change.new[0])}
    return {"path": list(change.path), "children": list(change.span), "exprs": [value(new) for new in change.new]}


@dataclass(frozen=True, slots=True)
class Change:
    """One change to an expression: with span None, the subtree at `path` is now new[0]; with span (i, j), children
    i up to (not including) j of the node at `path` are now the trees of `new` (any number of them)."""

    path: Path
    new: tuple[Expr, ...]
    span: tuple[int, int] | None = None


def changes(before: Expr, after: Expr) -> list[Change]:
    """The changes that turn before into after, in the order apply_changes applies them; [] when they are the same.

    Consecutive lines share every subtree a step did not touch, so comparing by identity first walks only down to
    what changed; equal subtrees that are not shared are compared node by node, so the changes are exact either way.
    Where a sum or product gained or lost children (a splice, a term dropped), its children are matched by identity
    and only the unmatched runs are written, never the whole n-ary node again.
    """
    found: list[Change] = []
    # A stack rather than recursion (a chain 1,000 deep): ("diff", old, new, path) or ("emit", change), in order.
    work: list[tuple] = [("diff", before, after, ())]
    while work:
        item = work.pop()
        if item[0] == "emit":
            found.append(item[1])
            continue
        _, old, new, path = item
        if old is new:
            continue
        old_kids, new_kids = children(old), children(new)
        if not _same_head(old, new) or not (old_kids or new_kids):
            if not (old == new and repr(old) == repr(new)):  # repr: Num(1) and Num(Fraction(1)) print apart
                found.append(Change(path, (new,)))
            continue
        if len(old_kids) == len(new_kids):
            later = [("diff", a, b, (*path, k)) for k, (a, b) in enumerate(zip(old_kids, new_kids)) if a is not b]
        elif (spans := _spans(old_kids, new_kids, path)) is not None:
            later = spans
        else:
            found.append(Change(path, (new,)))
            continue
        work.extend(reversed(later))
    return found


def _same_head(old: Expr, new: Expr) -> bool:
    """Whether two nodes differ only in their children (a node's kind and its own fields: a function's name, ...)."""
    if type(old) is not type(new):
        return False
    if isinstance(old, Call):
        return old.fn == new.fn  # type: ignore[union-attr]
    if isinstance(old, Apply):
        return (old.name, old.derivs) == (new.name, new.derivs)  # type: ignore[union-attr]
    if isinstance(old, Sum):
        bounds = lambda s: (s.index, s.lower is None, s.upper is None)  # noqa: E731
        return bounds(old) == bounds(new)
    return isinstance(old, (Add, Mul)) or bool(children(old))


def _spans(old_kids: tuple[Expr, ...], new_kids: tuple[Expr, ...], path: Path) -> list[tuple] | None:
    """The work for children that gained or lost members: matched runs by identity, each unmatched run one span;
    None when no child was kept."""
    matcher = SequenceMatcher(None, [id(kid) for kid in old_kids], [id(kid) for kid in new_kids], autojunk=False)
    opcodes = matcher.get_opcodes()
    if all(op != "equal" for op, *_ in opcodes):  # nothing kept: the whole node says it more plainly
        return None
    later: list[tuple] = []
    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            continue
        if op == "replace" and i2 - i1 == j2 - j1:  # one for one: look inside each
            later += [("diff", old_kids[i1 + k], new_kids[j1 + k], (*path, j1 + k)) for k in range(i2 - i1)]
            continue
        # Earlier changes of this node have already made children 0..j1 what they are after, so the run starts at j1.
        later.append(("emit", Change(path, tuple(new_kids[j1:j2]), (j1, j1 + i2 - i1))))
    return later


def apply_changes(expr: Expr, found: Sequence[Change]) -> Expr:
    """expr with the changes applied in order (the inverse of `changes`: apply_changes(a, changes(a, b)) == b)."""
    for change in found:
        if change.span is None:
            expr = replace_at(expr, change.path, change.new[0])
            continue
        node = get_at(expr, change.path)
        kids = children(node)
        start, stop = change.span
        expr = replace_at(expr, change.path, with_children(node, kids[:start] + change.new + kids[stop:]))
    return expr


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


def step_json(line: Step, detail: str, value: Callable[[Expr], dict], whole: bool = True) -> dict:
    """One line as a JSON record; a simplification line (but at --detail brief) also says its "kind".

    whole=False leaves out "expr" (schema 2 writes the line's changes instead)."""
    record = {
        "rule": line.rule,
        "rules": list(line.rules),
        "label": line_label(line, to_text, detail),
        "explanation": explanation(line, to_text),
        "paths": [list(path) for path in line.paths],
    }
    if whole:
        record["expr"] = value(line.after)
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
